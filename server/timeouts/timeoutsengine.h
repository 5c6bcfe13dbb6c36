#pragma once

#include "core/config.h"
#include "core/engine.h"
#include "core/metrics.h"
#include "timeoutssnapshot.h"
#include "timeoutsstore.h"

#include <QElapsedTimer>
#include <QTimer>
#include <array>
#include <deque>
#include <memory>

namespace Switchboard {

class RedisClient;
class TimeoutNotifier;
class TimeoutScanner;
struct TimeoutsApiCounters;

// The timeouts engine of one node (seed 004, phases 1 and 2):
// - the election: every node tries for `timeout:leader`; the leader renews its lease at a
//   third of the TTL and releases it on stop; a follower tries again the moment the lease
//   would run out, so a dead leader is replaced within TTL of its last renewal;
// - the leader's check every CHECK_INTERVAL_MS: the fenced due-scan (TimeoutScanner);
// - once per leadership, the adoption sweep: conversations another program (the Go service)
//   left in waiting_conversations get their due entries;
// - phase 2, when NOTIFICATION_WEBHOOK_URL is set: this node's notifier (TimeoutNotifier);
// - once a second, the status read every node makes for its snapshot (leader, waiting,
//   longest waiting, overdue, forecast), which also watches for Redis losing the data
//   (observeDataset).
// The HTTP routes live in the HTTP thread (TimeoutsApi); their counters come in through
// `counters`.
class TimeoutsEngine : public Engine
{
    Q_OBJECT
public:
    TimeoutsEngine(const TimeoutsConfig &config, std::shared_ptr<TimeoutsApiCounters> counters,
                   SnapshotBoard *board, QObject *parent = nullptr);
    ~TimeoutsEngine() override;

    // --simulate: demo conversations, about `perSecond` agent messages a second, most of them
    // answered before their first level. Call before start().
    void simulate(double perSecond) { m_simulatePerSecond = perSecond; }

    // When a pod that did not get the lease tries again, in ms: the moment the current lease
    // would run out (PTTL `leaseLeft`; 0 in its last millisecond), and at least every third of
    // the TTL; every second when the lease's end is unknown (an error, a lease without expiry).
    static qint64 nextElectionAttemptMs(qint64 leaseLeft, bool failed, qint64 renewEvery);

public Q_SLOTS:
    void start() override;
    void stop(int deadlineMs) override;

private:
    void elect();
    void becomeLeader(qint64 epoch, qint64 leaseStartMs);
    void stepDown(const QString &why);
    void check();
    void adoptStep();
    void readStatus();
    void observeLeader(const QByteArray &pod, qint64 epoch, qint64 sinceMs);
    void observeDataset(const TimeoutsStatus &status);
    void reportDataLoss(const TimeoutsStatus &now, bool madeAgain);
    void newLeadership(const QByteArray &pod, qint64 epoch, qint64 sinceMs);
    void simulateTick();
    void publishSnapshot();
    void finish();

    TimeoutsConfig m_config;
    std::shared_ptr<TimeoutsApiCounters> m_counters;
    QByteArray m_pod;
    RedisClient *m_redis = nullptr;
    std::unique_ptr<TimeoutsStore> m_store;
    TimeoutScanner *m_scanner = nullptr;
    TimeoutNotifier *m_notifier = nullptr;
    QTimer m_electionTimer {this};
    QTimer m_checkTimer {this};
    QTimer m_statusTimer {this};
    QTimer m_snapshotTimer {this};
    QTimer m_simulateTimer {this};
    QTimer m_deadlineTimer {this};
    QElapsedTimer m_clock;

    qint64 m_epoch = 0; // our leadership; 0: follower
    qint64 m_leaseUntilMs = 0; // m_clock time our lease runs out unless renewed
    bool m_electing = false;
    qint64 m_seenEpoch = 0; // the cluster's leadership last seen
    qint64 m_seenSinceMs = 0; // when it began (Redis' clock); 0: not known yet
    quint64 m_leaderChanges = 0;
    qint64 m_noLeaderSinceMs = -1; // m_clock time; -1: there is a leader
    QByteArray m_adoptCursor; // the adoption sweep's next ZSCAN cursor; empty: swept
    bool m_adopting = false;
    qint64 m_adopted = 0; // by this leadership's sweep
    QString m_lastAdoptError; // logged once, not at every check

    bool m_haveStatus = false;
    TimeoutsStatus m_status;
    qint64 m_statusReadAtMs = 0; // m_clock time of m_status
    QByteArray m_datasetId; // timeout:dataset's id last seen; empty: none seen yet
    bool m_markingDataset = false;
    TimeoutsDataLoss m_dataLoss;
    qint64 m_dataLossSeenMs = -1; // m_clock time of the latest; -1: none
    std::deque<std::pair<qint64, std::array<qint64, 4>>> m_notifiedHistory; // the last minute
    std::array<double, 3> m_perMinute {};
    std::array<quint64, 3> m_sent {};
    Histogram m_checkDuration;
    RecentHistogram m_recentCheckDuration;
    double m_lastCheckMs = 0;
    QString m_lastScanError;
    qint64 m_scanFailingSinceMs = -1; // m_clock time of the first failed check in a row; -1: none
    qint64 m_streamOverLength = 0; // timeout_events entries kept over its length, unacked
    quint64 m_droppedUnacked = 0; // dropped at the stream's ceiling
    QElapsedTimer m_dropLogClock; // one line a minute about them

    double m_simulatePerSecond = 0;
    quint64 m_simulated = 0;
    bool m_stopping = false;
    bool m_finished = false;
};

} // namespace Switchboard
