#pragma once

#include "core/config.h"
#include "core/engine.h"
#include "syncsnapshot.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTimer>
#include <compare>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcSync)

class RedisClient;
class RedisReply;

// Replicates Redis streams from a local Redis (FreeSWITCH's) to a remote one, as the Telephony
// Event Sync did: XREADGROUP in batches → one atomic, idempotent write per batch on the remote
// (writescript.h) → XACK only once the remote confirmed. Several batches are in flight at once;
// the order of entries per stream is kept. Reading stops while BUFFER_SIZE entries (or
// bufferBytes) wait, so a dead remote costs no memory growth and loses nothing.
//
// Connections, all owned by this engine's thread: one blocking reader on the local Redis, one
// local control connection (XACK, XCLAIM, XINFO), one remote writer.
class SyncEngine : public Engine
{
    Q_OBJECT
public:
    SyncEngine(const SyncConfig &config, SnapshotBoard *board, QObject *parent = nullptr);
    ~SyncEngine() override;

    // REDIS_CONSUMER-hostname-pid: unique per process, and recognisable as this host's.
    QString consumerName() const { return QString::fromUtf8(m_consumer); }

public Q_SLOTS:
    void start() override;
    void stop(int deadlineMs) override;

private:
    struct Span
    {
        quint32 offset;
        quint32 length;
    };

    // Entries of one stream for one consumer, stored as the script's arguments back to back in
    // one buffer: one allocation per batch instead of one per field.
    struct Batch
    {
        QByteArray arena;
        std::vector<Span> args; // per entry: id, count, field, value, ...
        std::vector<quint32> idArgs; // index in args of each entry's id
        std::vector<qint64> eventTimeMs;
        QByteArray lastId;
        qint64 sentAt = 0;
        bool inFlight = false;
        bool useScript = false; // the transaction was refused: go through writeBatchScript
        bool checkPassed = false; // the transaction's guard said yes
        bool newHistory = false; // first batch of a recreated local stream: the mark restarts
        bool refill = false; // read again for a remote that went back (remoteWentBack())
        QByteArray queueError; // the first command the transaction's MULTI refused

        int size() const { return int(idArgs.size()); }
        // All the memory the batch holds, for the sync.buffer_bytes bound: with many small
        // fields the spans weigh as much as the bytes themselves.
        qint64 memoryBytes() const
        {
            return arena.capacity() + qint64(args.capacity() * sizeof(Span))
                + qint64(idArgs.capacity() * sizeof(quint32))
                + qint64(eventTimeMs.capacity() * sizeof(qint64));
        }
        QByteArrayView arg(size_t i) const
        {
            return QByteArrayView(arena.constData() + args[i].offset, args[i].length);
        }
        QByteArrayView id(int entry) const { return arg(idArgs[size_t(entry)]); }
    };
    using BatchPtr = std::unique_ptr<Batch>;

    // A stream entry's id, "<ms>-<seq>", as numbers.
    struct EntryId
    {
        quint64 ms = 0;
        quint64 seq = 0;
        auto operator<=>(const EntryId &) const = default;
        static EntryId parse(QByteArrayView id);
        QByteArray text() const;
    };

    struct StreamState;

    // The writes of one consumer's entries on one stream: strictly in id order, so that the
    // remote high-water mark stays exact. Our own entries use one lane per stream; entries
    // reclaimed from a dead consumer use a lane in that consumer's name.
    struct Lane
    {
        StreamState *stream = nullptr;
        QByteArray owner;
        QByteArray markKey;
        std::deque<BatchPtr> batches; // read, not yet confirmed; the first `sent` are in flight
        size_t sent = 0;
        QByteArray lastConfirmedId = "0-0";
        bool failed = false; // a write failed: resend from the first unconfirmed batch
        int retryAttempt = 0;
        bool reclaim = false;
        bool claimInFlight = false;
        bool predecessor = false; // an earlier process of this host: no idle wait
        bool resettingMark = false; // DEL of the mark in flight (a newHistory batch waits)
        // Own lanes: the ids of the last confirmedIdsKept entries the lane wrote, in order.
        // When the remote goes back to an older state, the ones after its mark are read again
        // from the local stream and written before the batches waiting (refillIds, from
        // refillNext): only these, not the group's other consumers' entries in between.
        std::deque<EntryId> confirmedIds;
        std::optional<EntryId> forgotten; // the newest id dropped from confirmedIds
        std::vector<EntryId> refillIds;
        size_t refillNext = 0;
        QByteArray refillTo; // our last confirmed id when the remote went back
        bool refillReading = false;
        qint64 refilled = 0;
        qint64 refillGone = 0; // no longer in the local stream (trimmed, deleted)
        QString refillError; // the last XRANGE error, logged once
    };

    struct StreamState
    {
        QByteArray name;
        QByteArray lastSeenId; // last id our reads received
        bool historyDone = false; // our own pending entries re-read after a reconnect
        bool newHistory = false; // the group was recreated on a stream that lost our entries
        SyncStreamStats stats;
        RecentHistogram recentLatency;
        quint64 replicatedAtLastTick = 0;
        // From the last XINFO GROUPS, for the XINFO STREAM that follows it; -1 unknown.
        qint64 groupLag = -1;
        qint64 groupEntriesRead = -1;
        QByteArray groupLastDelivered;
        // How far the group's entries-read is behind what it read, found at the first look
        // after the groups were (re)joined; -1 not known yet. See countDeletedUnread().
        qint64 readCounterBehind = -1;
        // The group's last-delivered-id at that first look: only what the group had read by
        // then can hide behind the counter's error.
        std::optional<EntryId> deliveredAtFirstLook;
    };

    void connectClients();
    void ensureGroups();
    void loadScript();

    void readNext();
    void readHistory();
    void onRead(const RedisReply &reply);
    // `keep` (optional) picks the entries to take by id.
    static BatchPtr takeEntries(const RedisReply &entries, QList<QByteArray> *gone,
                                const std::function<bool(QByteArrayView)> &keep = {});

    Lane &ownLane(StreamState &stream);
    Lane &reclaimLane(StreamState &stream, const QByteArray &owner);
    void enqueue(Lane &lane, BatchPtr batch);
    void pump(Lane &lane);
    void remoteWentBack(Lane &lane, const QByteArray &mark);
    // The marks of dead consumers and of those this node removed: after remoteWentBack(), one
    // back below where it stood lost entries nobody remembers; their range is logged.
    void watchMark(const std::pair<QByteArray, QByteArray> &key);
    void checkWatchedMarks(const StreamState &stream);
    void readRefill(Lane &lane);
    // `why`: given up, logged as an error with what is still missing. `quiet`: nothing logged.
    void endRefill(Lane &lane, const QString &why, bool quiet = false);
    void sendBatch(Lane &lane, size_t index);
    void resetMark(Lane &lane);
    void sendTransaction(Lane &lane, Batch *batch, const QByteArray &prev);
    void onTransaction(Lane *lane, Batch *batch, const RedisReply &reply);
    void writeFailed(Lane *lane, Batch *batch, QByteArrayView error, bool quiet = false);
    void writeConfirmed(Lane *lane, Batch *batch, qint64 written);
    void retryLane(Lane *lane);
    void acknowledge(StreamState &stream, BatchPtr batch);
    void ackIds(StreamState &stream, const QList<QByteArray> &ids);
    void release(const Batch &batch);

    void groupRefused(const QByteArray &stream, const QString &error);
    void scanConsumers();
    void startReadingAfterPredecessors();
    void onConsumers(StreamState &stream, const RedisReply &reply);
    void claimNext(Lane *lane);
    bool isEarlierProcessOfThisHost(const QByteArray &consumer) const;
    void dropLaneIfIdle(Lane *lane);
    void refreshGroupStats();
    void forgetCounterBaselines();
    // The parts of one stream's XINFO GROUPS and XINFO STREAM, taken in one transaction.
    void readGroupInfo(StreamState &s, const RedisReply &groups);
    void countDeletedUnread(StreamState &s, const RedisReply &stream);
    void warnOfLateEntries();
    void checkHealth();
    void publishSnapshot();
    void maybeFinish();
    void removeOwnConsumer();
    void finish(bool drained);

    bool bufferFull() const;
    static qint64 eventTimeFromId(QByteArrayView id);
    // Event-Date-Timestamp inside an `event` field holding the FreeSWITCH event as JSON, in
    // milliseconds; -1 when there is none.
    static qint64 eventDateInJson(QByteArrayView json);

    SyncConfig m_config;
    QByteArray m_group;
    QByteArray m_consumer;
    QByteArray m_consumerPrefix; // REDIS_CONSUMER-hostname-
    QByteArray m_scriptSha;
    bool m_scriptReady = false;
    bool m_groupsReady = false;
    bool m_groupsCreated = false; // every group existed once: a lost one starts again from "0"
    // The local Redis reloads from an AOF (INFO persistence); unknown until it answered, after
    // each (re)join of the groups.
    std::optional<bool> m_localAppendOnly;
    QByteArray m_localRunId; // INFO's run_id of the local Redis whose counters we know
    bool m_localInfoAnswered = false; // since the last (re)connection to the local Redis
    bool m_readsAllowed = false; // after the pending entries of earlier processes are written
    bool m_readInFlight = false;
    qint64 m_readerClientId = 0; // CLIENT ID of the reader's connection, 0 until known
    bool m_stopping = false;
    bool m_finished = false;
    bool m_removingConsumer = false;
    bool m_running = false;

    RedisClient *m_reader = nullptr;
    RedisClient *m_local = nullptr;
    RedisClient *m_remote = nullptr;

    std::vector<std::unique_ptr<StreamState>> m_streams;
    std::map<std::pair<QByteArray, QByteArray>, std::unique_ptr<Lane>> m_lanes;
    std::vector<std::pair<StreamState *, BatchPtr>> m_ackRetry;
    std::map<QByteArray, int> m_emptiedConsumers; // stream + owner we drained → to remove
    // (stream, consumer) → its remote mark when seen dead or removed from the group
    std::map<std::pair<QByteArray, QByteArray>, EntryId> m_watchedMarks;

    qint64 m_buffered = 0;
    qint64 m_bufferedBytes = 0;
    int m_failedChecks = 0;
    int m_checksInFlight = 0;
    bool m_checkFailedNow = false;
    QString m_checkReason;
    QString m_lastWriteError; // stream: error, of the last remote write that failed
    // Reads the local Redis refused in a row (READONLY replica, WRONGTYPE, NOPERM): nothing
    // is replicated while they last, so they fail the health check too.
    int m_readFailures = 0;
    QString m_lastReadError;
    // XACKs the local Redis refused since the last one it took (an ACL without XACK, a
    // replica): the entries are on the remote but stay pending, and once BUFFER_SIZE of them
    // wait, reading stops.
    int m_ackFailures = 0;
    QString m_lastAckError; // stream: error
    // Why the last attempt to create the consumer groups failed (OOM, READONLY, NOPERM), and
    // how many attempts in a row did; empty once every group exists.
    QString m_groupError;
    int m_groupFailures = 0;
    bool m_healthy = true;
    QString m_reason;
    qint64 m_unhealthySince = 0;
    QElapsedTimer m_clock;
    qint64 m_lastLatencyWarning = -1000000;
    quint64 m_lateSinceWarning = 0;
    double m_worstLateMs = 0;
    qint64 m_lastSlowWriteWarning = -1000000;

    QTimer m_snapshotTimer;
    QTimer m_healthTimer;
    QTimer m_reclaimTimer;
    QTimer m_statsTimer;
    QTimer m_ackRetryTimer;
    QTimer m_readRetryTimer; // the pause after a refused read: one at a time
    QTimer m_groupRetryTimer; // the pause after a refused XGROUP CREATE
    QTimer m_deadlineTimer;
};

} // namespace Switchboard
