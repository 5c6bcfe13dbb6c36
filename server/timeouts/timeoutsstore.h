#pragma once

// Where the timeouts engine keeps its state: the seed's keys with the seed's meaning, plus a
// few of our own under "timeout:". Every change is one Lua script, so that what belongs
// together changes together (Redis runs a script atomically).
//
//   waiting_conversations  ZSET  id -> waiting since (ms since the epoch)            (seed)
//   notification_states    HASH  id -> last level notified                          (seed)
//   timeout:leader         STRING the leader's POD_ID, PX = LEADER_ELECTION_TTL      (seed)
//   metrics:timeouts       HASH  total, level1, level2, level3 (cluster-wide)        (seed)
//   timeout_events         STREAM one entry per notification                         (seed)
//   timeout:epoch          STRING fencing counter, +1 for every new leadership
//   timeout:leadership     HASH  pod, epoch, since (ms): the latest leadership
//   timeout:due:<n>        ZSET  id -> waiting since, for conversations whose level n is ahead
//   timeout:agents         HASH  id -> agent_id
//   timeout:finished       ZSET  id -> when level 3 was written (ms), of waits that had all three
//                                levels in the last few minutes (a late copy of their agent
//                                message is no new wait)
//   timeout:finished_since HASH  id -> waiting since, of those waits
//   timeout:dataset        HASH  id, since (ms), pod: made by the first node that finds it
//                                missing. Its disappearance, or another id, while a node runs
//                                means Redis lost the data (see TimeoutsEngine::observeDataset)
//
// The due sets make a scan cost what is due, not what is waiting: level n of a member of
// timeout:due:<n> is due when its score + n x TIMEOUT_INTERVAL_MS has passed on Redis' clock. An
// agent message puts the conversation into all three at once, and a scan only removes from
// them: moving a member from one set to the next at each level cost the scan a third of its
// speed (a skiplist insert per notification), the extra sets cost memory instead.

#include "redis/redisscript.h"

#include <QByteArray>
#include <QList>
#include <QLoggingCategory>
#include <QString>
#include <algorithm>
#include <array>
#include <functional>
#include <optional>

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcTimeouts) // "switchboard.timeouts"

class RedisClient;

namespace TimeoutKeys {
inline const QByteArray waiting = QByteArrayLiteral("waiting_conversations");
inline const QByteArray states = QByteArrayLiteral("notification_states");
inline const QByteArray leader = QByteArrayLiteral("timeout:leader");
inline const QByteArray metrics = QByteArrayLiteral("metrics:timeouts");
inline const QByteArray events = QByteArrayLiteral("timeout_events");
inline const QByteArray epoch = QByteArrayLiteral("timeout:epoch");
inline const QByteArray leadership = QByteArrayLiteral("timeout:leadership");
inline const QByteArray agents = QByteArrayLiteral("timeout:agents");
inline const QByteArray group = QByteArrayLiteral("timeout_notifiers");
inline const QByteArray refused = QByteArrayLiteral("timeout:refused_notifications");
// + conversation id: the waiting-since of a wait the customer answered, for a few minutes.
inline const QByteArray answered = QByteArrayLiteral("timeout:answered:");
inline const QByteArray finished = QByteArrayLiteral("timeout:finished");
inline const QByteArray finishedSince = QByteArrayLiteral("timeout:finished_since");
inline const QByteArray dataset = QByteArrayLiteral("timeout:dataset");
// + POD_ID: a random id of the process that reads timeout_events as that consumer, for a few s.
inline const QByteArray reader = QByteArrayLiteral("timeout:reader:");
QByteArray due(int level);
} // namespace TimeoutKeys

// One conversation of the status read: the longest-waiting ones.
struct WaitingConversation
{
    QByteArray id;
    QByteArray agentId;
    qint64 waitingSinceMs = 0;
    int level = 0; // last level notified, 0..2
};

// What every node reads once a second for its snapshot.
struct TimeoutsStatus
{
    qint64 nowMs = 0; // Redis' clock
    QByteArray leaderPod; // empty: no leader now
    qint64 leaderTtlMs = 0;
    QByteArray leadershipPod; // the latest leadership (may have ended)
    qint64 leadershipEpoch = 0;
    qint64 leadershipSinceMs = 0;
    qint64 waiting = 0;
    qint64 overdue = 0; // next levels already due, not yet written
    QList<WaitingConversation> longestWaiting;
    std::array<qint64, 4> notified {}; // metrics:timeouts: total, level1, level2, level3
    QList<qint64> forecast; // notifications due in each coming minute
    QByteArray datasetId; // timeout:dataset's id; empty: no such key
    qint64 datasetSinceMs = 0; // when it was made (Redis' clock)
};

class TimeoutsStore
{
public:
    TimeoutsStore(RedisClient *redis, qint64 intervalMs);

    // agent-message: the conversation waits from `waitingSinceMs` (-1: Redis' now) with level 1
    // next, unless it already waits since then or later, which stays as it is; `done` gets the
    // waiting-since and next level in force, or an error.
    void agentMessage(
        const QByteArray &id, qint64 waitingSinceMs, const QByteArray &agentId,
        std::function<void(qint64 waitingSinceMs, int nextLevel, const QString &error)> done);
    // customer-response: the conversation stops waiting; `wasWaiting` says if it did.
    void customerResponse(const QByteArray &id,
                          std::function<void(bool wasWaiting, const QString &error)> done);

    // Election. acquire: the new epoch when this pod became leader, above `floorEpoch` (the
    // highest this pod has seen) even when Redis lost timeout:epoch; 0 and the ms left on the
    // current lease when another pod leads.
    void acquire(const QByteArray &pod, qint64 ttlMs, qint64 floorEpoch,
                 std::function<void(qint64 epoch, qint64 leaseLeftMs, const QString &error)> done);
    // renew: false when the lease is no longer this pod's under this epoch, and `why` in an
    // operator's words (who holds it now, or that it is gone).
    void renew(const QByteArray &pod, qint64 epoch, qint64 ttlMs,
               std::function<void(bool held, const QString &why, const QString &error)> done);
    // release: false when the lease is no longer this pod's (or this epoch's).
    // `error`: Redis did not answer (the lease, if still ours, ends with its TTL).
    void release(const QByteArray &pod, qint64 epoch,
                 std::function<void(bool held, const QString &error)> done);

    // One scan call: at most `budget` notifications, written only while `pod` holds the lease
    // under `epoch` (fencing). `more`: the budget ran out, call again.
    struct ScanStep
    {
        QString error;
        bool fenced = false;
        std::array<qint64, 3> notified {};
        bool more = false;
        qint64 streamOverLength = 0; // entries kept over the max length: not acked yet
        qint64 droppedUnacked = 0; // not acked, dropped at ten times the max length
    };
    void scan(const QByteArray &pod, qint64 epoch, int budget, qint64 streamMaxLength,
              std::function<void(const ScanStep &)> done);

    // One step of the adoption sweep (see adoptSource): conversations another program left in
    // waiting_conversations get due entries. Fenced like scan(). `cursor` "0" starts a sweep,
    // and a step that returns "0" ended it.
    struct AdoptStep
    {
        QString error;
        bool fenced = false;
        QByteArray cursor;
        qint64 adopted = 0;
    };
    void adopt(const QByteArray &pod, qint64 epoch, const QByteArray &cursor, int count,
               std::function<void(const AdoptStep &)> done);

    void status(int longest, int minutes, std::function<void(std::optional<TimeoutsStatus>)> done);
    // Makes timeout:dataset with `id` unless it exists; `done` gets an error or nothing.
    void markDataset(const QByteArray &id, const QByteArray &pod,
                     std::function<void(const QString &error)> done);

    qint64 intervalMs() const { return m_intervalMs; }
    // How long an answered or finished wait is remembered: a late duplicate of its agent message
    // is recognised for the length of a whole wait, at least a minute.
    qint64 rememberMs() const { return std::max<qint64>(3 * m_intervalMs, 60000); }

    // The agent-message script and its keys, for tools that fill Redis as the route would
    // (the benchmark pipelines it over a raw socket).
    static QByteArray agentMessageSource();
    static QList<QByteArray> conversationKeys(const QByteArray &id);

private:
    RedisClient *m_redis;
    qint64 m_intervalMs;
    QByteArray m_interval;
    RedisScript m_agentMessage;
    RedisScript m_customerResponse;
    RedisScript m_acquire;
    RedisScript m_renew;
    RedisScript m_release;
    RedisScript m_scan;
    RedisScript m_adopt;
    RedisScript m_status;
    RedisScript m_markDataset;
};

} // namespace Switchboard
