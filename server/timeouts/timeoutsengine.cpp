#include "timeoutsengine.h"

#include "core/logging.h"
#include "redis/redisclient.h"
#include "timeoutnotifier.h"
#include "timeoutsapi.h"
#include "timeoutscanner.h"
#include "timeoutssnapshot.h"

#include <QRandomGenerator>
#include <algorithm>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int statusIntervalMs = 1000; // the Redis read behind the snapshot
constexpr int snapshotIntervalMs = 250;
constexpr int longestShown = 10;
constexpr int forecastMinutes = 30;
// ZSCAN COUNT of one adoption step: 0.6 ms of Redis when there is nothing to adopt, 4.5 ms when
// every one is adopted (measured with a million waiting).
constexpr int adoptCount = 250;
// How long /health names a loss of the data by Redis (at least three intervals: until every level
// the lost conversations still had would have come). The metrics and the status keep it.
constexpr qint64 dataLossShownMs = 15 * 60 * 1000;

} // namespace

TimeoutsEngine::TimeoutsEngine(const TimeoutsConfig &config,
                               std::shared_ptr<TimeoutsApiCounters> counters, SnapshotBoard *board,
                               QObject *parent)
    : Engine(u"timeouts"_s, board, HealthAwaits::FirstSnapshot, parent)
    , m_config(config)
    , m_counters(std::move(counters))
    , m_pod(config.podId.toUtf8())
    , m_checkDuration(TimeoutsSnapshot::checkBounds())
{
}

TimeoutsEngine::~TimeoutsEngine() = default;

void TimeoutsEngine::start()
{
    m_clock.start();
    m_redis = new RedisClient(RedisClient::Options::of(m_config.redis, u"timeouts"_s), this);
    m_store = std::make_unique<TimeoutsStore>(m_redis, m_config.timeoutInterval.count());
    TimeoutScanner::Options scan;
    scan.intervalMs = m_config.timeoutInterval.count();
    scan.batch = m_config.scanBatch;
    scan.streamMaxLength = m_config.streamMaxLength;
    m_scanner = new TimeoutScanner(m_redis, scan, this);

    m_electionTimer.setSingleShot(true);
    connect(&m_electionTimer, &QTimer::timeout, this, &TimeoutsEngine::elect);
    m_checkTimer.setInterval(m_config.checkInterval);
    connect(&m_checkTimer, &QTimer::timeout, this, &TimeoutsEngine::check);
    m_statusTimer.setInterval(statusIntervalMs);
    connect(&m_statusTimer, &QTimer::timeout, this, &TimeoutsEngine::readStatus);
    m_snapshotTimer.setInterval(snapshotIntervalMs);
    connect(&m_snapshotTimer, &QTimer::timeout, this, &TimeoutsEngine::publishSnapshot);
    m_deadlineTimer.setSingleShot(true);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &TimeoutsEngine::finish);
    // The first election and status read as soon as the connection is up, not a tick later.
    connect(m_redis, &RedisClient::connected, this, [this] {
        if (!m_stopping && !m_electing && m_epoch == 0)
            elect();
        readStatus();
    });

    m_redis->open();
    m_electionTimer.start(0);
    m_checkTimer.start();
    m_statusTimer.start();
    m_snapshotTimer.start();
    if (!m_config.notificationWebhookUrl.isEmpty()) {
        m_notifier = new TimeoutNotifier(m_config, m_redis, this);
        m_notifier->start();
    }
    if (m_simulatePerSecond > 0) {
        connect(&m_simulateTimer, &QTimer::timeout, this, &TimeoutsEngine::simulateTick);
        m_simulateTimer.start(1000);
    }
    qCInfo(lcTimeouts).noquote() << "pod" << m_config.podId << "on Redis"
                                 << m_config.redis.display() << "- levels every"
                                 << m_config.timeoutInterval.count() << "ms, checks every"
                                 << m_config.checkInterval.count() << "ms, lease"
                                 << m_config.leaderTtl.count() << "ms"
                                 << (m_notifier
                                         ? u"- notifications to "_s + m_notifier->displayUrl()
                                         : u"- no NOTIFICATION_WEBHOOK_URL"_s);
    publishSnapshot();
}

void TimeoutsEngine::elect()
{
    if (m_stopping || m_electing)
        return;
    const qint64 ttl = m_config.leaderTtl.count();
    const qint64 renewEvery = std::max<qint64>(ttl / 3, 1);
    if (!m_redis->isConnected()) {
        if (m_epoch > 0 && m_clock.elapsed() >= m_leaseUntilMs)
            stepDown(u"Redis %1 unreachable: %2"_s.arg(m_config.redis.display(),
                                                       m_redis->unavailableReason()));
        m_electionTimer.start(std::min<qint64>(renewEvery, 1000));
        return;
    }
    m_electing = true;
    const qint64 sentAt = m_clock.elapsed();
    if (m_epoch > 0) {
        m_store->renew(m_pod, m_epoch, ttl,
                       [this, sentAt, renewEvery, epoch = m_epoch](bool held, const QString &why,
                                                                   const QString &error) {
                           m_electing = false;
                           if (m_stopping)
                               return;
                           if (m_epoch == 0) {
                               // check() stepped down while this renewal was on its way (a
                               // pause outlived the engine's lease clock). Still ours in Redis:
                               // lead on (our own key would keep everyone out for a TTL);
                               // otherwise campaign again, as a follower would.
                               if (held) {
                                   m_epoch = epoch;
                                   m_leaseUntilMs = sentAt + m_config.leaderTtl.count();
                                   qCInfo(lcTimeouts).noquote()
                                       << "pod" << m_config.podId << "still holds the lease, epoch"
                                       << epoch << "- leading on";
                               }
                               m_electionTimer.start(held ? renewEvery : 0);
                               return;
                           }
                           if (held)
                               m_leaseUntilMs = sentAt + m_config.leaderTtl.count();
                           else if (error.isEmpty())
                               stepDown(why);
                           else if (m_clock.elapsed() >= m_leaseUntilMs)
                               stepDown(u"the lease ran out: %1"_s.arg(error));
                           m_electionTimer.start(renewEvery);
                       });
        return;
    }
    // m_seenEpoch: the epoch goes on from the latest this pod saw, also when Redis lost it.
    m_store->acquire(
        m_pod, ttl, m_seenEpoch,
        [this, sentAt, renewEvery](qint64 epoch, qint64 leaseLeft, const QString &error) {
            m_electing = false;
            if (m_stopping)
                return;
            if (epoch > 0) {
                becomeLeader(epoch, sentAt);
                m_electionTimer.start(renewEvery);
                return;
            }
            // A dead leader is replaced within TTL of its last renewal.
            m_electionTimer.start(nextElectionAttemptMs(leaseLeft, !error.isEmpty(), renewEvery));
        });
}

qint64 TimeoutsEngine::nextElectionAttemptMs(qint64 leaseLeft, bool failed, qint64 renewEvery)
{
    // PTTL 0 is a lease in its last millisecond, not an unknown end: taken for one, it cost a
    // second's wait after the lease ran out (seen in 17 of 22 takeovers of a chaos run, whose
    // pods' attempts fell on the lease's last millisecond).
    return !failed && leaseLeft >= 0 ? std::min<qint64>(renewEvery, leaseLeft + 5)
                                     : std::min<qint64>(renewEvery, 1000);
}

void TimeoutsEngine::becomeLeader(qint64 epoch, qint64 leaseStartMs)
{
    m_epoch = epoch;
    m_leaseUntilMs = leaseStartMs + m_config.leaderTtl.count();
    m_scanFailingSinceMs = -1;
    qCInfo(lcTimeouts).noquote() << "pod" << m_config.podId << "is the leader, epoch" << epoch;
    newLeadership(m_pod, epoch, 0);
    m_adoptCursor = "0";
    m_adopted = 0;
    adoptStep();
    check();
}

void TimeoutsEngine::stepDown(const QString &why)
{
    if (m_epoch == 0)
        return;
    qCWarning(lcTimeouts).noquote()
        << "pod" << m_config.podId << u"is no longer the leader (epoch %1):"_s.arg(m_epoch) << why;
    m_epoch = 0;
    m_leaseUntilMs = 0;
    m_scanFailingSinceMs = -1;
    m_lastScanError.clear();
}

void TimeoutsEngine::check()
{
    if (m_epoch == 0 || m_stopping || m_scanner->busy())
        return;
    // Fencing in the scan script is what guarantees no double write; this only saves a call
    // after a pause (SIGSTOP, a frozen VM) that outlived the lease.
    if (m_clock.elapsed() >= m_leaseUntilMs) {
        stepDown(u"the lease ran out before it was renewed (was this process paused?)"_s);
        return;
    }
    adoptStep(); // when a sweep failed (Redis went away): go on from where it stopped
    const qint64 epoch = m_epoch;
    m_scanner->check(m_pod, epoch, [this, epoch](const ScanResult &result) {
        const double seconds = double(result.elapsedUs) / 1e6;
        m_checkDuration.observe(seconds);
        m_lastCheckMs = seconds * 1000;
        for (size_t i = 0; i < 3; ++i)
            m_sent[i] += quint64(result.notified[i]);
        if (result.fenced && m_epoch == epoch)
            stepDown(u"the lease in Redis is not this leadership's any more (another pod "
                     "leads, or Redis lost it): fenced, nothing was written"_s);
        if (!result.error.isEmpty() && result.error != m_lastScanError)
            qCWarning(lcTimeouts).noquote() << "check failed:" << result.error;
        // A leadership that ended while the check ran ended its streak of failures with it.
        const bool current = m_epoch == epoch;
        if (current && !result.error.isEmpty() && m_scanFailingSinceMs < 0) {
            m_scanFailingSinceMs = m_clock.elapsed();
        } else if (current && result.error.isEmpty() && m_scanFailingSinceMs >= 0) {
            qCInfo(lcTimeouts).noquote() << u"checks succeed again after failing for %1 s"_s.arg(
                (m_clock.elapsed() - m_scanFailingSinceMs) / 1000);
            m_scanFailingSinceMs = -1;
        }
        m_lastScanError = result.error;
        if (result.streamOverLength > 0 && m_streamOverLength == 0)
            qCWarning(lcTimeouts).noquote()
                << TimeoutKeys::events << "holds" << result.streamOverLength
                << "entries over timeouts.stream_max_length that group" << TimeoutKeys::group
                << "has not acked; they are kept until it does (is the webhook failing?)";
        else if (result.streamOverLength == 0 && m_streamOverLength > 0)
            qCInfo(lcTimeouts).noquote()
                << TimeoutKeys::events << "is back within timeouts.stream_max_length";
        if (result.streamOverLength >= 0)
            m_streamOverLength = result.streamOverLength;
        if (result.droppedUnacked > 0) {
            m_droppedUnacked += quint64(result.droppedUnacked);
            if (!m_dropLogClock.isValid() || m_dropLogClock.hasExpired(60000)) {
                m_dropLogClock.start();
                qCCritical(lcTimeouts).noquote()
                    << TimeoutKeys::events << "reached ten times"
                    << "timeouts.stream_max_length: dropped" << m_droppedUnacked
                    << "notifications group" << TimeoutKeys::group
                    << "had not acked so far (is a webhook retrying one for ever, or is the group"
                    << "left without readers?)";
            }
        }
    });
}

// The adoption sweep of this leadership, one ZSCAN step after another. A conversation adopted
// after this check's scan is notified at the next check, or at once when the sweep ends.
void TimeoutsEngine::adoptStep()
{
    if (m_epoch == 0 || m_stopping || m_adopting || m_adoptCursor.isEmpty())
        return;
    m_adopting = true;
    const qint64 epoch = m_epoch;
    m_store->adopt(m_pod, epoch, m_adoptCursor, adoptCount, [this, epoch](const auto &step) {
        m_adopting = false;
        if (m_epoch != epoch || m_stopping || step.fenced)
            return; // fenced: the next check finds out and steps down
        if (!step.error.isEmpty()) {
            if (step.error != m_lastAdoptError)
                qCWarning(lcTimeouts).noquote()
                    << "adopting conversations written by another program failed:" << step.error
                    << "- trying again at every check";
            m_lastAdoptError = step.error;
            return;
        }
        m_lastAdoptError.clear();
        m_adopted += step.adopted;
        m_adoptCursor = step.cursor == "0" ? QByteArray() : step.cursor;
        if (!m_adoptCursor.isEmpty()) {
            adoptStep();
        } else if (m_adopted > 0) {
            qCInfo(lcTimeouts).noquote()
                << "adopted" << m_adopted
                << "waiting conversations that another program (the Go service?) put into "
                   "waiting_conversations; their agent_id is unknown (empty)";
            check();
        }
    });
}

void TimeoutsEngine::readStatus()
{
    if (m_notifier)
        m_notifier->refreshPending();
    m_store->status(longestShown, forecastMinutes, [this](std::optional<TimeoutsStatus> status) {
        if (!status)
            return;
        observeDataset(*status); // before m_status, the last read before a loss, is replaced
        m_status = std::move(*status);
        m_haveStatus = true;
        const qint64 now = m_clock.elapsed();
        m_statusReadAtMs = now;
        if (m_status.leaderPod.isEmpty()) {
            if (m_noLeaderSinceMs < 0)
                m_noLeaderSinceMs = now;
        } else {
            m_noLeaderSinceMs = -1;
            if (m_status.leadershipPod == m_status.leaderPod)
                observeLeader(m_status.leaderPod, m_status.leadershipEpoch,
                              m_status.leadershipSinceMs);
        }
        // Notifications in the last minute, per level, from metrics:timeouts: a count over
        // what has been seen of that minute, not a rate scaled up from a few seconds.
        m_notifiedHistory.emplace_back(now, m_status.notified);
        while (m_notifiedHistory.size() > 2 && now - m_notifiedHistory[1].first >= 60000)
            m_notifiedHistory.pop_front();
        const std::array<qint64, 4> &first = m_notifiedHistory.front().second;
        for (size_t i = 0; i < 3; ++i)
            m_perMinute[i] = double(std::max<qint64>(0, m_status.notified[i + 1] - first[i + 1]));
    });
}

void TimeoutsEngine::observeLeader(const QByteArray &pod, qint64 epoch, qint64 sinceMs)
{
    // Any other epoch is another leadership: a lower one too, when Redis lost its data (a
    // restart without persistence, a FLUSHALL) and timeout:epoch counts from 1 again; and the
    // same epoch with another start, when it had only reached 1. One connection carries the
    // election and the status reads, so an older epoch never arrives late.
    if (epoch <= 0)
        return;
    if (epoch == m_seenEpoch && (m_seenSinceMs == 0 || sinceMs == m_seenSinceMs)) {
        m_seenSinceMs = sinceMs; // after this pod's own election, which does not know it
        return;
    }
    newLeadership(pod, epoch, sinceMs);
}

// sinceMs 0: this pod's own election, a new leadership for sure; a status read brings its start.
void TimeoutsEngine::newLeadership(const QByteArray &pod, qint64 epoch, qint64 sinceMs)
{
    // A pod that saw the latest epoch goes on above it when Redis lost timeout:epoch; one that
    // started after the loss counts from 1 again.
    if (epoch < m_seenEpoch)
        qCWarning(lcTimeouts).noquote()
            << "leader changed to" << pod << "epoch" << epoch << "- the epoch went back from"
            << m_seenEpoch
            << "(Redis lost timeout:epoch: a restart without persistence, "
               "a FLUSHALL?)";
    else if (epoch == m_seenEpoch)
        qCWarning(lcTimeouts).noquote()
            << "leader changed to" << pod << "epoch" << epoch
            << "- a new leadership under the same epoch (Redis lost "
               "timeout:epoch: a restart without persistence, a FLUSHALL?)";
    else if (m_seenEpoch > 0)
        qCInfo(lcTimeouts).noquote() << "leader changed to" << pod << "epoch" << epoch;
    m_seenEpoch = epoch;
    m_seenSinceMs = sinceMs;
    ++m_leaderChanges;
}

// Redis lost the data, as a node can tell: timeout:dataset, which the first node to find it missing
// makes with an id of its own, has gone (a restart without persistence, a failover to a replica
// that never had it, FLUSHALL/FLUSHDB), or has another id (another node made it again between
// two of our reads). Neither the epoch nor Redis' run_id would do: the epoch shows a loss only at
// the next leadership, and not at all when it is made to go on; the run_id changes with every
// restart, also one that loaded its data, and not with a FLUSHALL. A marker every node reads
// once a second and compares with what it saw itself tells every node, leader or not, within a
// second, however many nodes there are and whichever leads. The first node up (or a node on a
// Redis that never had it, the Go service's) only makes it: no loss it could know of.
void TimeoutsEngine::observeDataset(const TimeoutsStatus &status)
{
    if (!status.datasetId.isEmpty()) {
        if (!m_datasetId.isEmpty() && status.datasetId != m_datasetId)
            reportDataLoss(status, true);
        m_datasetId = status.datasetId;
        return;
    }
    if (!m_datasetId.isEmpty())
        reportDataLoss(status, false);
    m_datasetId.clear(); // the next id read, whoever made it, is the new data set's
    if (m_markingDataset)
        return;
    m_markingDataset = true;
    const QByteArray id =
        m_pod + '-' + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
    m_store->markDataset(id, m_pod, [this](const QString &error) {
        m_markingDataset = false;
        if (!error.isEmpty())
            qCWarning(lcTimeouts).noquote()
                << "could not make" << TimeoutKeys::dataset
                << "(the marker that tells a loss of the data by Redis):" << error;
    });
}

void TimeoutsEngine::reportDataLoss(const TimeoutsStatus &now, bool madeAgain)
{
    ++m_dataLoss.count;
    m_dataLoss.lastAtMs = now.nowMs;
    m_dataLoss.lastWaiting = m_haveStatus ? m_status.waiting : -1;
    m_dataLoss.lastPending = m_notifier ? m_notifier->pending() : -1;
    if (m_haveStatus)
        m_dataLoss.waitingLost += quint64(m_status.waiting);
    m_dataLossSeenMs = m_clock.elapsed();

    QString lost;
    if (!m_haveStatus) {
        lost = u"how many conversations were waiting is not known (no read before)"_s;
    } else {
        const QString ago =
            QString::number(double(m_clock.elapsed() - m_statusReadAtMs) / 1000, 'f', 1);
        if (m_status.waiting == 0) {
            lost = u"no conversation was waiting at the last read, %1 s before"_s.arg(ago);
        } else {
            QStringList ids;
            for (const WaitingConversation &c : m_status.longestWaiting) {
                QByteArray id = c.id; // the Go service's may have a line break: one line
                std::replace_if(
                    id.begin(), id.end(), [](char ch) { return uchar(ch) < 0x20; }, '?');
                ids << QString::fromUtf8(id);
            }
            const QString overdue = m_status.overdue > 0
                ? u", %1 levels overdue"_s.arg(QString::number(m_status.overdue))
                : QString();
            lost = u"%1 conversations were waiting at the last read, %2 s before%3: the levels "
                   "they had left will never be notified; the longest waiting: %4"_s.arg(
                       QString::number(m_status.waiting), ago, overdue, ids.join(u", "_s));
        }
    }
    if (m_dataLoss.lastPending > 0)
        lost += u"; %1 notifications read by group %2 and not yet acknowledged went too (this "
                "node still sends those it holds)"_s.arg(QString::number(m_dataLoss.lastPending),
                                                         QString::fromUtf8(TimeoutKeys::group));
    qCCritical(lcTimeouts).noquote()
        << "Redis" << m_config.redis.display() << "lost the timeouts data:" << TimeoutKeys::dataset
        << (madeAgain ? "was made again by another node" : "has gone")
        << "(a restart without persistence, a failover to a replica that never had it, "
           "FLUSHALL/FLUSHDB, or the keys deleted);"
        << lost
        << "- going on with an empty data set: a new leadership, the stream and group made again";
}

void TimeoutsEngine::simulateTick()
{
    if (!m_redis->isConnected() || m_stopping)
        return;
    QRandomGenerator *random = QRandomGenerator::global();
    const int count = int(m_simulatePerSecond)
        + (random->generateDouble() < m_simulatePerSecond - int(m_simulatePerSecond) ? 1 : 0);
    const qint64 interval = m_config.timeoutInterval.count();
    for (int i = 0; i < count; ++i) {
        const QByteArray id = "demo-" + QByteArray::number(++m_simulated);
        const QByteArray agent = "agent-" + QByteArray::number(random->bounded(1, 25));
        m_store->agentMessage(id, -1, agent, [](qint64, int, const QString &) {});
        // Most customers answer, some after a level or two, one in ten never does.
        if (random->bounded(10) == 0)
            continue;
        const qint64 after = qint64(interval * (0.2 + 2.6 * random->generateDouble()));
        QTimer::singleShot(after, this, [this, id] {
            if (!m_stopping)
                m_store->customerResponse(id, [](bool, const QString &) {});
        });
    }
}

void TimeoutsEngine::publishSnapshot()
{
    auto snapshot = std::make_shared<TimeoutsSnapshot>();
    TimeoutsSnapshot &s = *snapshot;
    s.redis = m_config.redis.display();
    s.redisConnected = m_redis && m_redis->isConnected();
    s.podId = m_config.podId;
    s.epoch = m_epoch;
    s.leaderChanges = m_leaderChanges;
    s.intervalMs = m_config.timeoutInterval.count();
    s.checkIntervalMs = m_config.checkInterval.count();
    s.haveStatus = m_haveStatus;
    s.status = m_status;
    s.perMinute = m_perMinute;
    s.sentByThisNode = m_sent;
    s.checkDuration = m_checkDuration;
    s.checkDurationLastMinute = m_recentCheckDuration.lastMinute(m_checkDuration);
    s.lastCheckMs = m_lastCheckMs;
    s.dataLoss = m_dataLoss;
    if (m_notifier) {
        s.webhook.configured = true;
        s.webhook.url = m_notifier->displayUrl();
        s.webhook.delivered = m_notifier->delivered();
        s.webhook.failedAttempts = m_notifier->failedAttempts();
        s.webhook.refused = m_notifier->refused();
        s.webhook.retrying = m_notifier->retrying();
        s.webhook.pending = m_notifier->pending();
        s.webhook.lastError = m_notifier->lastError();
    }
    s.api.agentMessages = m_counters->agentMessages;
    s.api.customerResponses = m_counters->customerResponses;
    s.api.badRequests = m_counters->badRequests;
    s.api.unavailable = m_counters->unavailable;

    const qint64 noLeaderLimit = m_config.leaderTtl.count() + m_config.checkInterval.count() + 1000;
    if (!s.redisConnected) {
        s.reason = u"Redis %1: %2"_s.arg(
            s.redis, m_redis ? m_redis->unavailableReason() : u"not connected yet"_s);
    } else if (m_noLeaderSinceMs >= 0 && m_clock.elapsed() - m_noLeaderSinceMs > noLeaderLimit) {
        s.reason = u"no leader for %1 s: no node raises timeout notifications"_s.arg(
            (m_clock.elapsed() - m_noLeaderSinceMs) / 1000);
    } else if (m_epoch != 0 && m_scanFailingSinceMs >= 0
               && m_clock.elapsed() - m_scanFailingSinceMs > noLeaderLimit) {
        // A leader whose every check fails (Redis at its maxmemory refuses the scan with OOM,
        // an ACL) writes no notification, as surely as no leader would.
        s.reason = u"the leader's checks have failed for %1 s: %2: no node raises timeout "
                   "notifications"_s.arg(
                       QString::number((m_clock.elapsed() - m_scanFailingSinceMs) / 1000),
                       m_lastScanError);
    } else {
        s.healthy = true;
        // Healthy again (a leader tracks what is posted now), but said for a while: every node
        // sees the same loss at once, and an unhealthy /health would take them all out of a
        // load balancer, refusing the agent messages that start new waits, or have them
        // restarted, which forgets this.
        const qint64 ago = m_dataLossSeenMs < 0 ? -1 : m_clock.elapsed() - m_dataLossSeenMs;
        if (ago >= 0
            && ago < std::max<qint64>(dataLossShownMs, 3 * m_config.timeoutInterval.count())) {
            const QString waiting = m_dataLoss.lastWaiting < 0
                ? u"how many conversations were waiting is not known"_s
                : u"%1 waiting conversations lost"_s.arg(m_dataLoss.lastWaiting);
            s.reason = u"recovered: Redis lost the timeouts data %1 s ago (%2; see the log)"_s.arg(
                QString::number(ago / 1000), waiting);
        }
    }
    publish(snapshot);
}

void TimeoutsEngine::stop(int deadlineMs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    m_electionTimer.stop();
    m_checkTimer.stop();
    m_statusTimer.stop();
    m_simulateTimer.stop();
    if (m_notifier)
        m_notifier->stop();
    m_deadlineTimer.start(std::max(0, deadlineMs - 500));
    if (m_epoch == 0 || !m_redis || !m_redis->isConnected()) {
        finish();
        return;
    }
    // Hand the lease back, so that another node takes over at its next attempt instead of
    // after the TTL. A scan call in flight was sent before and runs before the release.
    m_store->release(m_pod, m_epoch, [this](bool released, const QString &error) {
        if (!error.isEmpty())
            qCWarning(lcTimeouts).noquote()
                << "pod" << m_config.podId
                << u"could not release the lease (%1); another pod takes over when it runs out"_s
                       .arg(error);
        else
            qCInfo(lcTimeouts).noquote()
                << "pod" << m_config.podId
                << (released ? "released the lease" : "held no lease any more");
        m_epoch = 0;
        finish();
    });
}

void TimeoutsEngine::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadlineTimer.stop();
    m_snapshotTimer.stop();
    m_epoch = 0;
    publishSnapshot();
    if (m_redis)
        m_redis->close();
    Q_EMIT finished();
}

} // namespace Switchboard
