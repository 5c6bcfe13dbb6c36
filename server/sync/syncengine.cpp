#include "syncengine.h"

#include "redis/redisclient.h"
#include "writescript.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QHostInfo>
#include <algorithm>
#include <unistd.h>

namespace Switchboard {

Q_LOGGING_CATEGORY(lcSync, "switchboard.sync")

namespace {

constexpr qint64 markTtlMs = 7LL * 24 * 3600 * 1000; // a week: longer than any outage we ride out
constexpr int reclaimLaneWindow = 1; // reclaims go one batch at a time
// Ids an own lane remembers having written (16 bytes each): seconds of traffic, more than the
// writes a remote loses in a failover to a replica behind it.
constexpr size_t confirmedIdsKept = 1 << 18;
constexpr qint64 warningIntervalMs = 5000;
constexpr size_t watchedMarksKept = 1024; // dead or removed consumers whose marks are watched

// Redis stream ids compare as (milliseconds, sequence).
bool idBefore(QByteArrayView a, QByteArrayView b)
{
    auto split = [](QByteArrayView id) {
        const qsizetype dash = id.indexOf('-');
        if (dash < 0)
            return std::pair(id.toULongLong(), 0ULL);
        return std::pair(id.first(dash).toULongLong(), id.sliced(dash + 1).toULongLong());
    };
    return split(a) < split(b);
}

} // namespace

SyncEngine::EntryId SyncEngine::EntryId::parse(QByteArrayView id)
{
    // Every entry a lane confirms goes through here: digits only, no checks beyond that.
    EntryId result;
    quint64 *part = &result.ms;
    for (const char c : id) {
        if (c == '-')
            part = &result.seq;
        else if (c >= '0' && c <= '9')
            *part = *part * 10 + quint64(c - '0');
    }
    return result;
}

QByteArray SyncEngine::EntryId::text() const
{
    return QByteArray::number(ms) + '-' + QByteArray::number(seq);
}

SyncEngine::SyncEngine(const SyncConfig &config, SnapshotBoard *board, QObject *parent)
    : Engine(QStringLiteral("sync"), board, HealthAwaits::FirstSnapshot, parent)
    , m_config(config)
    , m_group(config.group.toUtf8())
{
    m_consumerPrefix =
        (config.consumer + QLatin1Char('-') + QHostInfo::localHostName() + QLatin1Char('-'))
            .toUtf8();
    m_consumer = m_consumerPrefix + QByteArray::number(qint64(::getpid()));
    m_scriptSha =
        QCryptographicHash::hash(QByteArrayView(writeBatchScript), QCryptographicHash::Sha1)
            .toHex();
    for (const QString &name : config.streams()) {
        auto stream = std::make_unique<StreamState>();
        stream->name = name.toUtf8();
        stream->stats.stream = name;
        m_streams.push_back(std::move(stream));
    }
    m_clock.start();

    for (QTimer *timer :
         {&m_snapshotTimer, &m_healthTimer, &m_reclaimTimer, &m_statsTimer, &m_ackRetryTimer,
          &m_readRetryTimer, &m_groupRetryTimer, &m_deadlineTimer}) {
        timer->setParent(this);
    }
    m_snapshotTimer.setInterval(250);
    connect(&m_snapshotTimer, &QTimer::timeout, this, &SyncEngine::publishSnapshot);
    m_healthTimer.setInterval(int(config.healthCheckInterval.count()));
    connect(&m_healthTimer, &QTimer::timeout, this, &SyncEngine::checkHealth);
    // Scan for dead consumers often enough to reclaim soon after claimIdle, rarely enough to
    // cost nothing.
    m_reclaimTimer.setInterval(int(std::clamp<qint64>(config.claimIdle.count() / 3, 500, 10000)));
    connect(&m_reclaimTimer, &QTimer::timeout, this, &SyncEngine::scanConsumers);
    m_statsTimer.setInterval(1000);
    connect(&m_statsTimer, &QTimer::timeout, this, &SyncEngine::refreshGroupStats);
    // The late entries counted since the last warning are said even when no more come.
    connect(&m_statsTimer, &QTimer::timeout, this, &SyncEngine::warnOfLateEntries);
    m_ackRetryTimer.setSingleShot(true);
    m_ackRetryTimer.setInterval(500);
    connect(&m_ackRetryTimer, &QTimer::timeout, this, [this] {
        auto retry = std::move(m_ackRetry);
        m_ackRetry.clear();
        for (auto &[stream, batch] : retry)
            acknowledge(*stream, std::move(batch));
    });
    m_groupRetryTimer.setSingleShot(true);
    m_groupRetryTimer.setInterval(1000);
    connect(&m_groupRetryTimer, &QTimer::timeout, this, [this] {
        if (!m_groupsReady && m_local->isConnected())
            ensureGroups();
    });
    m_readRetryTimer.setSingleShot(true);
    m_readRetryTimer.setInterval(500);
    connect(&m_readRetryTimer, &QTimer::timeout, this, &SyncEngine::readNext);
    m_deadlineTimer.setSingleShot(true);
    connect(&m_deadlineTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcSync).noquote()
            << "stop deadline reached with" << m_buffered
            << "entries not confirmed; they stay pending in the group for the next start";
        finish(false);
    });
}

SyncEngine::~SyncEngine() = default;

void SyncEngine::start()
{
    m_running = true;
    qCInfo(lcSync).noquote() << "starting: consumer" << m_consumer << "group" << m_group << "local"
                             << m_config.local.display() << "remote" << m_config.remote.display()
                             << "streams" << m_config.streams().join(QStringLiteral(", "));
    connectClients();
    m_snapshotTimer.start();
    m_healthTimer.start();
    m_reclaimTimer.start();
    m_statsTimer.start();
    publishSnapshot();
}

void SyncEngine::connectClients()
{
    const auto localTimeout = std::max(Milliseconds(1000), m_config.readerMaxLatency * 10);
    // A write is retried, never dropped, when it times out; under a second that happens on
    // healthy links with large batches, so WRITER_PIPELINE_TIMEOUT is raised to 1 s at least.
    const auto remoteTimeout = std::max(Milliseconds(1000), m_config.writerPipelineTimeout);

    RedisClient::Options reader;
    reader.endpoint = m_config.local;
    reader.name = QStringLiteral("sync-reader");
    reader.commandTimeout = localTimeout;
    reader.fastRetries = m_config.localMaxRetries;
    m_reader = new RedisClient(reader, this);

    RedisClient::Options local = reader;
    local.name = QStringLiteral("sync-local");
    m_local = new RedisClient(local, this);

    RedisClient::Options remote;
    remote.endpoint = m_config.remote;
    remote.name = QStringLiteral("sync-remote");
    remote.commandTimeout = remoteTimeout;
    remote.fastRetries = m_config.remoteMaxRetries;
    m_remote = new RedisClient(remote, this);

    connect(m_local, &RedisClient::connected, this, &SyncEngine::ensureGroups);
    // Whether the Redis met again is the one whose counters we know is asked once the groups are
    // joined again (ensureGroups()); until then no count is made.
    connect(m_local, &RedisClient::disconnected, this, [this] { m_localInfoAnswered = false; });
    connect(m_reader, &RedisClient::connected, this, [this] {
        for (auto &stream : m_streams)
            stream->historyDone = false;
        m_readerClientId = 0;
        m_reader->send({"CLIENT", "ID"}, [this](const RedisReply &reply) {
            if (reply.type() == RedisReply::Type::Integer)
                m_readerClientId = reply.toInteger();
        });
        readNext();
    });
    connect(m_remote, &RedisClient::connected, this, &SyncEngine::loadScript);
    connect(m_remote, &RedisClient::disconnected, this, [this] { m_scriptReady = false; });
    m_reader->open();
    m_local->open();
    m_remote->open();
}

void SyncEngine::ensureGroups()
{
    // A missing group is created (with its stream); an existing one is used where it stands.
    // `latest` is for the first start only: a group the local Redis lost while we run is
    // created again from its first entry, or what FreeSWITCH wrote since the restart would be
    // skipped (our marks skip what is already on the remote).
    const QByteArray from =
        m_config.startFrom == StartFrom::Earliest || m_groupsCreated ? "0" : "$";
    auto remaining = std::make_shared<int>(int(m_streams.size()));
    for (auto &stream : m_streams) {
        // A group missing while we run means the local Redis lost it. If the stream lost the
        // last entry we read as well, it was recreated (restarted without persistence): its
        // entries are new even where their ids are at or below the remote's mark (the clock
        // went back), and the mark must not skip them. Asked on the connection that creates the
        // group, just before: the answer is in when the group is.
        auto lostOurEntries = std::make_shared<bool>(false);
        if (!stream->lastSeenId.isEmpty()) {
            m_local->send({"XRANGE", stream->name, stream->lastSeenId, stream->lastSeenId},
                          [lostOurEntries](const RedisReply &reply) {
                              *lostOurEntries = !reply.isError() && reply.size() == 0;
                          });
        }
        auto groupReady = [this, remaining, lostOurEntries, s = stream.get()](bool created) {
            const QByteArray &name = s->name;
            if (created) { // a new group: its counters start again
                s->stats.deletedBeforeRead = -1;
                s->readCounterBehind = -1;
                s->deliveredAtFirstLook.reset();
            }
            if (created && *lostOurEntries) {
                qCWarning(lcSync).noquote() << "local stream" << name
                                            << "was recreated (it no longer holds" << s->lastSeenId
                                            << "): its entries are new; the remote high-water mark "
                                               "starts again";
                s->newHistory = true;
                s->lastSeenId.clear(); // nothing of ours pending in the new group
                endRefill(ownLane(*s),
                          QStringLiteral("the local stream was "
                                         "recreated during a refill"));
            }
            if (--*remaining == 0) {
                if (!m_groupError.isEmpty()) {
                    qCInfo(lcSync).noquote()
                        << "consumer group" << m_group << "ready on the local Redis after"
                        << m_groupFailures << "refusals";
                    m_groupError.clear();
                    m_groupFailures = 0;
                }
                m_groupsReady = true;
                m_groupsCreated = true;
                scanConsumers();
                // Answered before the group figures that follow, on the same connection. The
                // counters' error is learnt again only from a Redis that is not the one met
                // before (it restarted and reloaded them, or another took its place): a
                // connection lost and made again to the same process changes nothing, and
                // forgetting it there counted the whole error as lost while the group was
                // behind a gap.
                m_local->send({"INFO"}, [this](const RedisReply &reply) {
                    const QByteArray info = reply.isError() ? QByteArray() : reply.toByteArray();
                    constexpr QByteArrayView runIdKey("\nrun_id:");
                    QByteArray runId;
                    if (const qsizetype at = info.indexOf(runIdKey); at >= 0) {
                        const qsizetype start = at + runIdKey.size();
                        runId = info.mid(start, info.indexOf('\n', start) - start).trimmed();
                    }
                    if (runId.isEmpty() || runId != m_localRunId)
                        forgetCounterBaselines();
                    m_localRunId = runId;
                    m_localAppendOnly.reset();
                    if (!reply.isError())
                        m_localAppendOnly = info.contains("aof_enabled:1");
                    m_localInfoAnswered = true;
                });
                refreshGroupStats();
            }
        };
        m_local->send({"XGROUP", "CREATE", stream->name, m_group, from, "MKSTREAM"},
                      [this, groupReady, s = stream.get()](const RedisReply &reply) {
                          if (!reply.isError() || reply.view().startsWith("BUSYGROUP")) {
                              groupReady(!reply.isError());
                              return;
                          }
                          if (reply.isClientError())
                              return; // the connection dropped: done again on reconnect
                          // XGROUP CREATE is refused with OOM under `maxmemory` even when the group
                          // exists, and a local Redis at its maxmemory is exactly one that needs us
                          // to read: XINFO GROUPS is not, so ask whether the group is there
                          // already.
                          const QString error = reply.errorMessage();
                          m_local->send({"XINFO", "GROUPS", s->name},
                                        [this, groupReady, s, error](const RedisReply &groups) {
                                            for (size_t i = 0; i < groups.size(); ++i) {
                                                const RedisReply group = groups.at(i);
                                                for (size_t k = 0; k + 1 < group.size(); k += 2) {
                                                    if (group.at(k).view() == "name"
                                                        && group.at(k + 1).view()
                                                            == QByteArrayView(m_group)) {
                                                        groupReady(false);
                                                        return;
                                                    }
                                                }
                                            }
                                            groupRefused(s->name, error);
                                        });
                      });
    }
}

void SyncEngine::groupRefused(const QByteArray &stream, const QString &error)
{
    // Nothing is read until every group exists: retried every second (not only at the next
    // reconnect, which may never come), failing the health check meanwhile; logged once per
    // reason and about once a minute while it lasts.
    const QString reason = QStringLiteral("cannot create consumer group %1 on %2: %3")
                               .arg(QString::fromUtf8(m_group), QString::fromUtf8(stream), error);
    if (m_groupError.isEmpty() || !m_groupError.endsWith(error))
        qCWarning(lcSync).noquote()
            << reason << "- retrying every" << m_groupRetryTimer.interval() << "ms";
    else if (m_groupFailures % 60 == 0)
        qCWarning(lcSync).noquote()
            << "still" << reason << "after" << m_groupFailures << "refusals";
    ++m_groupFailures;
    m_groupError = reason;
    if (!m_stopping)
        m_groupRetryTimer.start();
}

void SyncEngine::loadScript()
{
    m_remote->send({"SCRIPT", "LOAD", writeBatchScript}, [this](const RedisReply &reply) {
        if (reply.isError()) {
            qCWarning(lcSync).noquote()
                << "remote refused the write script:" << reply.errorMessage();
            return;
        }
        m_scriptReady = true;
        // Resend in order whatever was in flight when the connection dropped.
        for (auto &[key, lane] : m_lanes)
            retryLane(lane.get());
    });
}

bool SyncEngine::bufferFull() const
{
    return m_buffered >= m_config.bufferSize || m_bufferedBytes >= m_config.bufferBytes;
}

void SyncEngine::readNext()
{
    if (m_stopping) {
        maybeFinish();
        return;
    }
    // While a refused read's pause runs, the other callers (the consumer scan, a release) wait
    // for it: each starting a read of its own would add one more retry loop every time.
    if (m_readInFlight || m_readRetryTimer.isActive() || !m_readsAllowed || !m_groupsReady
        || !m_reader->isConnected())
        return;
    if (std::any_of(m_streams.begin(), m_streams.end(), [](auto &s) { return !s->historyDone; })) {
        readHistory();
        return;
    }
    if (bufferFull())
        return; // resumed by release() once the remote confirmed enough
    const qint64 room = m_config.bufferSize - m_buffered;
    const qint64 count =
        std::clamp<qint64>(room / qint64(m_streams.size()), 1, m_config.readerBatchSize);
    RedisCommand command("XREADGROUP");
    command.arg(QByteArrayView("GROUP"))
        .arg(QByteArrayView(m_group))
        .arg(QByteArrayView(m_consumer));
    command.arg(QByteArrayView("COUNT")).arg(count);
    command.arg(QByteArrayView("BLOCK")).arg(qint64(m_config.readerBlockTime.count()));
    command.arg(QByteArrayView("STREAMS"));
    for (auto &stream : m_streams)
        command.arg(QByteArrayView(stream->name));
    for (size_t i = 0; i < m_streams.size(); ++i)
        command.arg(QByteArrayView(">"));
    m_readInFlight = true;
    const qint64 sentAt = m_clock.elapsed();
    m_reader->send(
        command,
        [this, sentAt](const RedisReply &reply) {
            const qint64 took = m_clock.elapsed() - sentAt - m_config.readerBlockTime.count();
            if (took > m_config.readerMaxLatency.count() && reply.type() == RedisReply::Type::Array)
                qCDebug(lcSync) << "read took" << took << "ms (READER_MAX_LATENCY"
                                << m_config.readerMaxLatency.count() << "ms)";
            onRead(reply);
        },
        m_config.readerBlockTime);
}

void SyncEngine::readHistory()
{
    // After a reconnect, entries the server delivered to us but whose reply we lost are in our
    // pending list only: read them back from the last id we saw.
    RedisCommand command("XREADGROUP");
    command.arg(QByteArrayView("GROUP"))
        .arg(QByteArrayView(m_group))
        .arg(QByteArrayView(m_consumer));
    command.arg(QByteArrayView("COUNT")).arg(qint64(m_config.readerBatchSize));
    command.arg(QByteArrayView("STREAMS"));
    std::vector<StreamState *> streams;
    for (auto &stream : m_streams) {
        if (!stream->historyDone)
            streams.push_back(stream.get());
    }
    for (StreamState *stream : streams)
        command.arg(QByteArrayView(stream->name));
    for (StreamState *stream : streams)
        command.arg(stream->lastSeenId.isEmpty() ? QByteArrayView("0")
                                                 : QByteArrayView(stream->lastSeenId));
    m_readInFlight = true;
    m_reader->send(command, [this, streams](const RedisReply &reply) {
        if (!reply.isError()) {
            // A stream whose history came back empty is done.
            for (StreamState *stream : streams) {
                bool any = false;
                for (size_t i = 0; i < reply.size(); ++i) {
                    if (reply.at(i).at(0).view() == QByteArrayView(stream->name))
                        any = reply.at(i).at(1).size() > 0;
                }
                if (!any)
                    stream->historyDone = true;
            }
        }
        onRead(reply);
    });
}

void SyncEngine::onRead(const RedisReply &reply)
{
    m_readInFlight = false;
    if (reply.isError()) {
        for (auto &stream : m_streams)
            ++stream->stats.readErrors;
        if (reply.view().startsWith("NOGROUP")) {
            // The local Redis lost the group (restarted without persistence): create it again.
            qCWarning(lcSync).noquote() << "consumer group missing on the local Redis; recreating";
            m_groupsReady = false;
            ensureGroups();
            return;
        }
        // A dropped connection re-opens by itself and calls readNext(); a server error is
        // retried after a pause so that it cannot spin, and logged once, again when its
        // reason changes, and once a minute or so while it lasts (every 120th retry).
        if (!reply.isClientError()) {
            const QString error = reply.errorMessage();
            if (m_readFailures == 0 || error != m_lastReadError)
                qCWarning(lcSync).noquote()
                    << "read from the local Redis failed:" << error << "- retrying every"
                    << m_readRetryTimer.interval() << "ms";
            else if (m_readFailures % 120 == 0)
                qCWarning(lcSync).noquote() << "read from the local Redis still failing after"
                                            << m_readFailures << "retries:" << error;
            ++m_readFailures;
            m_lastReadError = error;
            m_readRetryTimer.start();
        }
        return;
    }
    if (m_readFailures > 0) {
        qCInfo(lcSync).noquote() << "read from the local Redis succeeded after" << m_readFailures
                                 << (m_readFailures == 1 ? "failure" : "failures");
        m_readFailures = 0;
        m_lastReadError.clear();
    }
    for (size_t s = 0; s < reply.size(); ++s) {
        const RedisReply streamReply = reply.at(s);
        const QByteArrayView name = streamReply.at(0).view();
        auto it = std::find_if(m_streams.begin(), m_streams.end(),
                               [&](auto &st) { return QByteArrayView(st->name) == name; });
        if (it == m_streams.end())
            continue;
        StreamState &stream = **it;
        QList<QByteArray> gone;
        BatchPtr batch = takeEntries(streamReply.at(1), &gone);
        if (!gone.isEmpty()) {
            qCWarning(lcSync).noquote() << gone.size() << "pending entries of" << stream.name
                                        << "were deleted from the local stream before they "
                                           "could be replicated; acking them";
            ackIds(stream, gone);
        }
        if (batch && batch->size() > 0) {
            batch->newHistory = std::exchange(stream.newHistory, false);
            stream.lastSeenId = batch->lastId;
            enqueue(ownLane(stream), std::move(batch));
        }
    }
    readNext();
}

SyncEngine::BatchPtr SyncEngine::takeEntries(const RedisReply &entries, QList<QByteArray> *gone,
                                             const std::function<bool(QByteArrayView)> &keep)
{
    const size_t n = entries.size();
    if (n == 0)
        return nullptr;
    auto batch = std::make_unique<Batch>();
    // One pass to size the buffer, one to fill it: no reallocation while copying.
    qsizetype bytes = 0;
    size_t argCount = 0;
    for (size_t i = 0; i < n; ++i) {
        const RedisReply entry = entries.at(i);
        const RedisReply fields = entry.at(1);
        bytes += entry.at(0).view().size() + 8;
        argCount += 2 + fields.size();
        for (size_t f = 0; f < fields.size(); ++f)
            bytes += fields.at(f).view().size();
    }
    batch->arena.reserve(bytes);
    batch->args.reserve(argCount);
    batch->idArgs.reserve(n);
    batch->eventTimeMs.reserve(n);
    auto append = [&batch](QByteArrayView value) {
        batch->args.push_back({quint32(batch->arena.size()), quint32(value.size())});
        batch->arena.append(value);
    };
    static constexpr QByteArrayView eventDate("Event-Date-Timestamp");
    static constexpr QByteArrayView eventField("event");
    for (size_t i = 0; i < n; ++i) {
        const RedisReply entry = entries.at(i);
        const QByteArrayView id = entry.at(0).view();
        const RedisReply fields = entry.at(1);
        if (keep && !keep(id))
            continue;
        if (fields.isNil()) {
            // Only history reads return these: the entry was deleted (XDEL/XTRIM) meanwhile.
            if (gone)
                gone->append(id.toByteArray());
            continue;
        }
        batch->idArgs.push_back(quint32(batch->args.size()));
        append(id);
        char count[16];
        const int countLength = std::snprintf(count, sizeof count, "%zu", fields.size());
        append(QByteArrayView(count, countLength));
        qint64 eventMs = -1;
        QByteArrayView name;
        for (size_t f = 0; f < fields.size(); ++f) {
            const QByteArrayView value = fields.at(f).view();
            append(value);
            // FreeSWITCH's own clock, in microseconds, is the start of the event's journey.
            if (f % 2 == 0)
                name = value;
            else if (name == eventDate)
                eventMs = value.toLongLong() / 1000;
            else if (name == eventField && eventMs <= 0)
                eventMs = eventDateInJson(value);
        }
        batch->eventTimeMs.push_back(eventMs > 0 ? eventMs : eventTimeFromId(id));
        batch->lastId = id.toByteArray();
    }
    if (batch->idArgs.empty())
        return nullptr;
    return batch;
}

qint64 SyncEngine::eventDateInJson(QByteArrayView json)
{
    // As the Go service read it: the first "Event-Date-Timestamp" key of the JSON text, its
    // value a string (or a number) of microseconds. No full parse: this runs for every entry.
    static constexpr QByteArrayView key("\"Event-Date-Timestamp\"");
    const qsizetype at = json.indexOf(key);
    if (at < 0)
        return -1;
    qsizetype i = at + key.size();
    auto skipSpaces = [&] {
        while (i < json.size()
               && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r'))
            ++i;
    };
    skipSpaces();
    if (i >= json.size() || json[i] != ':')
        return -1;
    ++i;
    skipSpaces();
    if (i < json.size() && json[i] == '"')
        ++i;
    const qsizetype start = i;
    while (i < json.size() && i - start < 18 && json[i] >= '0' && json[i] <= '9')
        ++i;
    const qint64 micros = json.sliced(start, i - start).toLongLong();
    return micros > 0 ? micros / 1000 : -1;
}

qint64 SyncEngine::eventTimeFromId(QByteArrayView id)
{
    const qsizetype dash = id.indexOf('-');
    return (dash < 0 ? id : id.first(dash)).toLongLong();
}

SyncEngine::Lane &SyncEngine::ownLane(StreamState &stream)
{
    return reclaimLane(stream, m_consumer);
}

SyncEngine::Lane &SyncEngine::reclaimLane(StreamState &stream, const QByteArray &owner)
{
    auto &slot = m_lanes[{stream.name, owner}];
    if (!slot) {
        slot = std::make_unique<Lane>();
        slot->stream = &stream;
        slot->owner = owner;
        // The hash tag keeps the mark in the stream's slot should the remote be a cluster.
        slot->markKey = "switchboard:sync:mark:{" + stream.name + "}:" + owner;
        slot->reclaim = owner != m_consumer;
    }
    return *slot;
}

void SyncEngine::enqueue(Lane &lane, BatchPtr batch)
{
    m_buffered += batch->size();
    m_bufferedBytes += batch->memoryBytes();
    lane.batches.push_back(std::move(batch));
    pump(lane);
}

void SyncEngine::pump(Lane &lane)
{
    if (lane.failed || !m_scriptReady || !m_remote->isConnected())
        return;
    if (!lane.refillIds.empty()) {
        // One refill batch at a time, before the batches waiting.
        if (lane.sent > 0 || lane.refillReading)
            return;
        if (!lane.batches.empty() && lane.batches.front()->refill) {
            sendBatch(lane, lane.sent++);
            return;
        }
        if (lane.refillNext < lane.refillIds.size()) {
            readRefill(lane);
            return;
        }
        endRefill(lane, {});
    }
    const size_t window = lane.reclaim ? reclaimLaneWindow : size_t(m_config.writerWorkers);
    while (lane.sent < lane.batches.size() && lane.sent < window) {
        if (lane.batches[lane.sent]->newHistory) {
            // The old stream's batches are confirmed first; then the mark goes.
            if (lane.sent == 0 && !lane.resettingMark)
                resetMark(lane);
            return;
        }
        sendBatch(lane, lane.sent++);
    }
}

// Our previous batch was confirmed, yet the remote's mark is behind it: the remote lost data.
// Without a mark (restarted empty, flushed, the key deleted) it starts again from this batch:
// what it held before is not written again. With an older mark it went back to an older state
// (a failover to a replica that had not caught up, a restore from a backup): the entries of
// ours it lost, those after its mark among the ids this lane remembers writing, are read again
// from the local stream (acked there, but kept) and written before this batch. The stream's
// range also holds the group's other consumers' entries: those are their nodes' to write.
void SyncEngine::remoteWentBack(Lane &lane, const QByteArray &mark)
{
    StreamState &stream = *lane.stream;
    checkWatchedMarks(stream);
    const QByteArray ours = lane.refillIds.empty() ? lane.lastConfirmedId : lane.refillTo;
    endRefill(lane, {}, true); // it went back again during a refill: start over from its mark
    lane.lastConfirmedId = "0-0"; // the script writes what is above the remote's mark
    if (mark.isEmpty() || mark == "0-0") {
        // Also a failover to a replica that never had this process's first write: then what
        // this lane wrote is missing, with other consumers' entries in the same range.
        const QByteArray first = lane.confirmedIds.empty() || lane.forgotten
            ? QByteArray("-")
            : lane.confirmedIds.front().text();
        qCWarning(lcSync).noquote()
            << "remote has no high-water mark" << lane.markKey
            << "any more (restarted empty, flushed, the key deleted, or a failover to a replica "
               "that never had it): the entries written before are not written again; going on "
               "after"
            << ours + "; if the remote stream still holds older entries, those of"
            << lane.stream->name << "up to" << ours << "may be missing (XRANGE" << lane.stream->name
            << first << ours + ")";
        return;
    }
    const QString wentBack =
        QStringLiteral("remote went back to an older state (a failover to a replica behind, or a "
                       "restore): its high-water mark %1 is %2, ours %3")
            .arg(QString::fromUtf8(lane.markKey), QString::fromUtf8(mark), QString::fromUtf8(ours));
    const EntryId after = EntryId::parse(mark);
    for (const EntryId &id : lane.confirmedIds) {
        if (after < id)
            lane.refillIds.push_back(id);
    }
    std::sort(lane.refillIds.begin(), lane.refillIds.end());
    // A dead consumer's entries (its lane remembers only what it wrote itself), or ours from
    // before what this lane remembers: which were ours cannot be told any more.
    const bool forgotten = lane.forgotten && after < *lane.forgotten;
    if (lane.reclaim || forgotten) {
        const QByteArray upTo = lane.reclaim ? ours : lane.forgotten->text();
        const QString why = lane.reclaim
            ? QStringLiteral("they were a dead consumer's")
            : QStringLiteral("older than the %1 ids it remembers writing").arg(confirmedIdsKept);
        qCCritical(lcSync).noquote() << wentBack
                + QStringLiteral("; entries of %1 after %2 up to %3 may be missing on the remote, "
                                 "and this node cannot tell them from other consumers' (%4): copy "
                                 "what is missing by hand from XRANGE %1 (%2 %3")
                      .arg(QString::fromUtf8(stream.name), QString::fromUtf8(mark),
                           QString::fromUtf8(upTo), why);
    }
    if (lane.refillIds.empty())
        return;
    qCWarning(lcSync).noquote() << wentBack
            + QStringLiteral("; writing the %1 entries of ours after %2 again from the local "
                             "stream")
                  .arg(lane.refillIds.size())
                  .arg(QString::fromUtf8(mark));
    lane.lastConfirmedId = mark;
    lane.refillTo = ours;
}

// Where the mark of a dead consumer (an earlier process of this host) or of one this node
// removed from the group stands, read when it is seen dead and again at the removal (the
// highest value seen is kept): it wrote its entries and acked them, and no node remembers
// which they were (checkWatchedMarks()).
void SyncEngine::watchMark(const std::pair<QByteArray, QByteArray> &key)
{
    const QByteArray markKey = "switchboard:sync:mark:{" + key.first + "}:" + key.second;
    m_remote->send({"GET", markKey}, [this, key](const RedisReply &reply) {
        if (reply.type() != RedisReply::Type::String)
            return;
        if (m_watchedMarks.size() >= watchedMarksKept && m_watchedMarks.count(key) == 0)
            m_watchedMarks.erase(m_watchedMarks.begin());
        const EntryId at = EntryId::parse(reply.view());
        auto &watched = m_watchedMarks[key];
        watched = std::max(watched, at);
    });
}

// If the remote holds such a mark again below where it stood (the mark of an earlier process
// is deleted once it is emptied, so any value is older), the remote lost what that consumer
// wrote after it, and only an operator can put it back.
void SyncEngine::checkWatchedMarks(const StreamState &stream)
{
    for (const auto &watched : m_watchedMarks) {
        const auto &key = watched.first;
        if (key.first != stream.name)
            continue;
        const QByteArray markKey = "switchboard:sync:mark:{" + key.first + "}:" + key.second;
        m_remote->send({"GET", markKey}, [this, key, markKey](const RedisReply &reply) {
            const auto it = m_watchedMarks.find(key);
            if (reply.type() != RedisReply::Type::String || it == m_watchedMarks.end())
                return;
            const EntryId now = EntryId::parse(reply.view());
            const EntryId was = it->second;
            if (!(now < was))
                return;
            m_watchedMarks.erase(it); // said once
            const QString text =
                QStringLiteral("remote went back to an older state: the high-water mark %1 of "
                               "consumer %2 (dead, or removed from the group by this node), "
                               "which stood at %3, is %4 again; entries of %5 after %4 up to %3 "
                               "may be missing on the remote, and no node can tell them from "
                               "other consumers': copy what is missing by hand from XRANGE %5 "
                               "%4 %3");
            qCCritical(lcSync).noquote()
                << text.arg(QString::fromUtf8(markKey), QString::fromUtf8(key.second),
                            QString::fromUtf8(was.text()), QString::fromUtf8(now.text()),
                            QString::fromUtf8(key.first));
        });
    }
}

void SyncEngine::readRefill(Lane &lane)
{
    lane.refillReading = true;
    Lane *lanePtr = &lane; // an own lane: never erased
    const EntryId from = lane.refillIds[lane.refillNext];
    // An inclusive start: "(" (exclusive) needs Redis 6.2.
    m_local->send({"XRANGE", lane.stream->name, from.text(), lane.refillIds.back().text(), "COUNT",
                   QByteArray::number(m_config.readerBatchSize)},
                  [this, lanePtr, from](const RedisReply &reply) {
                      Lane &lane = *lanePtr;
                      lane.refillReading = false;
                      if (lane.refillIds.empty() || lane.refillIds[lane.refillNext] != from)
                          return pump(lane); // it went back again meanwhile
                      if (reply.isError()) {
                          const QString error = QString::fromUtf8(reply.view());
                          if (error != lane.refillError)
                              qCWarning(lcSync).noquote()
                                  << "cannot read" << lane.stream->name
                                  << "again for the remote:" << error << "- retrying";
                          lane.refillError = error;
                          QTimer::singleShot(500, this, [this, lanePtr] { pump(*lanePtr); });
                          return;
                      }
                      lane.refillError.clear();
                      // Ours up to the last id this read returned: taken, or gone from the local
                      // stream.
                      const size_t first = lane.refillNext;
                      size_t next = lane.refillIds.size();
                      if (reply.size() > 0 && reply.size() >= size_t(m_config.readerBatchSize)) {
                          const EntryId last =
                              EntryId::parse(reply.at(reply.size() - 1).at(0).view());
                          next = size_t(std::upper_bound(lane.refillIds.begin() + qsizetype(first),
                                                         lane.refillIds.end(), last)
                                        - lane.refillIds.begin());
                      }
                      const auto begin = lane.refillIds.begin() + qsizetype(first);
                      const auto end = lane.refillIds.begin() + qsizetype(next);
                      BatchPtr batch = takeEntries(reply, nullptr, [begin, end](QByteArrayView id) {
                          return std::binary_search(begin, end, EntryId::parse(id));
                      });
                      lane.refillNext = next;
                      const qint64 taken = batch ? batch->size() : 0;
                      lane.refillGone += qint64(next - first) - taken;
                      if (batch) {
                          batch->refill = true;
                          lane.refilled += taken;
                          m_buffered += batch->size();
                          m_bufferedBytes += batch->memoryBytes();
                          lane.batches.push_front(std::move(batch));
                      }
                      pump(lane);
                  });
}

// The refill is over: written, or given up (`why`, when the lane must not go on with it).
// Refill batches not sent yet are dropped.
void SyncEngine::endRefill(Lane &lane, const QString &why, bool quiet)
{
    if (lane.refillIds.empty())
        return;
    if (!quiet && !why.isEmpty()) {
        qCCritical(lcSync).noquote()
            << why << "- the remote is still missing" << lane.refillIds.size() - lane.refillNext
            << "entries of" << lane.stream->name << "from"
            << lane.refillIds[std::min(lane.refillNext, lane.refillIds.size() - 1)].text() << "to"
            << lane.refillIds.back().text() << "that this node wrote before";
    } else if (!quiet && lane.refillNext >= lane.refillIds.size()) {
        QString text = QStringLiteral("wrote %1 entries of %2 to the remote again")
                           .arg(lane.refilled)
                           .arg(QString::fromUtf8(lane.stream->name));
        if (lane.refillGone > 0)
            text += QStringLiteral("; %1 were no longer in the local stream (trimmed)")
                        .arg(lane.refillGone);
        qCInfo(lcSync).noquote() << text;
    }
    while (!lane.batches.empty() && lane.batches.front()->refill
           && !lane.batches.front()->inFlight) {
        release(*lane.batches.front());
        lane.batches.pop_front();
    }
    lane.refillIds.clear();
    lane.refillNext = 0;
    lane.refillTo.clear();
    lane.refilled = 0;
    lane.refillGone = 0;
}

void SyncEngine::resetMark(Lane &lane)
{
    // The local stream was recreated: its ids say nothing about what the remote has. Every
    // batch of the old stream is confirmed, so the mark is no longer needed; without it the
    // new stream's entries are all written, in order, with the mark starting from them.
    lane.resettingMark = true;
    Lane *lanePtr = &lane; // an own lane: never erased
    m_remote->send({"DEL", lane.markKey}, [this, lanePtr](const RedisReply &reply) {
        lanePtr->resettingMark = false;
        if (reply.isError()) {
            QTimer::singleShot(500, this, [this, lanePtr] { pump(*lanePtr); });
            return;
        }
        lanePtr->lastConfirmedId = "0-0";
        lanePtr->confirmedIds.clear(); // ids of the old stream
        lanePtr->forgotten.reset();
        lanePtr->batches.front()->newHistory = false;
        pump(*lanePtr);
    });
}

void SyncEngine::sendBatch(Lane &lane, size_t index)
{
    Batch *batch = lane.batches[index].get();
    const QByteArray prev = index == 0 ? lane.lastConfirmedId : lane.batches[index - 1]->lastId;
    batch->inFlight = true;
    batch->sentAt = m_clock.elapsed();
    Lane *lanePtr = &lane;
    // Small batches take the script even on the fast path: the transaction's fixed cost (five
    // more commands and their replies) outweighs what it saves, and small batches are what live
    // traffic sends, where latency matters (p99 at 10 000 events/s went from ~2.1 ms to ~1.9 ms).
    // A batch that does not start above `prev` (the local Redis went back in time and delivered
    // entries again) needs the script's per-entry check.
    if (!lane.reclaim && !batch->useScript && batch->size() >= m_config.transactionMinEntries
        && idBefore(prev, batch->id(0))) {
        sendTransaction(lane, batch, prev);
        return;
    }
    RedisCommand command("EVALSHA");
    command.reserve(batch->args.size() + 8);
    command.arg(QByteArrayView(m_scriptSha)).arg(QByteArrayView("2"));
    command.arg(QByteArrayView(lane.stream->name)).arg(QByteArrayView(lane.markKey));
    command.arg(QByteArrayView(prev)).arg(markTtlMs);
    for (size_t i = 0; i < batch->args.size(); ++i)
        command.arg(batch->arg(i));
    m_remote->send(command, [this, lanePtr, batch](const RedisReply &reply) {
        if (reply.isError())
            writeFailed(lanePtr, batch, reply.view());
        else
            writeConfirmed(lanePtr, batch, reply.toInteger());
    });
}

void SyncEngine::sendTransaction(Lane &lane, Batch *batch, const QByteArray &prev)
{
    // writescript.h explains the guard. All of it goes out in one write, pipelined behind the
    // batches already in flight.
    static const RedisCallback ignore = [](const RedisReply &) {
    };
    const QByteArray ttl = QByteArray::number(markTtlMs);
    m_remote->send({"WATCH", lane.markKey}, ignore);
    m_remote->send({"EVAL", checkMarkScript, "1", lane.markKey, prev, ttl},
                   [batch](const RedisReply &reply) {
                       batch->checkPassed = !reply.isError() && reply.toInteger() == 1;
                   });
    m_remote->send({"MULTI"}, ignore);
    // A command the remote refuses while queueing (READONLY on a replica, OOM) makes EXEC
    // answer only EXECABORT: keep the refusal itself for the log and /health.
    batch->queueError.clear();
    const RedisCallback queued = [batch](const RedisReply &reply) {
        if (reply.isError() && !reply.isClientError() && batch->queueError.isEmpty())
            batch->queueError = reply.view().toByteArray();
    };
    const QByteArrayView stream(lane.stream->name);
    for (int entry = 0; entry < batch->size(); ++entry) {
        const size_t idArg = batch->idArgs[size_t(entry)];
        const size_t fieldArgs = size_t(batch->arg(idArg + 1).toLongLong());
        RedisCommand xadd("XADD");
        xadd.reserve(fieldArgs + 3);
        xadd.arg(stream).arg(QByteArrayView("*"));
        for (size_t i = idArg + 2; i < idArg + 2 + fieldArgs; ++i)
            xadd.arg(batch->arg(i));
        m_remote->send(xadd, queued);
    }
    m_remote->send({"SET", lane.markKey, batch->lastId, "PX", ttl}, queued);
    Lane *lanePtr = &lane;
    m_remote->send({"EXEC"}, [this, lanePtr, batch](const RedisReply &reply) {
        onTransaction(lanePtr, batch, reply);
    });
}

void SyncEngine::onTransaction(Lane *lane, Batch *batch, const RedisReply &reply)
{
    if (reply.isError()) {
        writeFailed(lane, batch,
                    batch->queueError.isEmpty() || reply.isClientError()
                        ? reply.view()
                        : QByteArrayView(batch->queueError));
        return;
    }
    if (reply.isNil()) {
        // The guard refused (the mark is not where this lane left it: an earlier batch did not
        // land, or another node wrote for us). Not an error: the script path sorts it out.
        batch->useScript = true;
        writeFailed(lane, batch, "mark moved", true);
        return;
    }
    for (size_t i = 0; i < reply.size(); ++i) {
        if (!reply.at(i).isError())
            continue;
        // Only an operator's mistake gets here (the stream key holds another type): the mark
        // moved although the entries were refused. Put it back and keep retrying; nothing is
        // acked, nothing is lost. Back to the last confirmed id, not to `prev`: the pipelined
        // batches behind this one passed their guard on the mark this one's SET left, were
        // refused too, and would each put back their own `prev`, the last one above what the
        // remote holds, and the script would then skip the refused entries as written.
        qCCritical(lcSync).noquote() << "remote refused an XADD to" << lane->stream->name << ":"
                                     << reply.at(i).errorMessage();
        m_remote->send(
            {"SET", lane->markKey, lane->lastConfirmedId, "PX", QByteArray::number(markTtlMs)},
            [](const RedisReply &) {});
        batch->useScript = true;
        writeFailed(lane, batch, reply.at(i).view());
        return;
    }
    if (!batch->checkPassed)
        qCCritical(lcSync).noquote()
            << "transaction on" << lane->markKey << "ran although its guard did not answer yes";
    writeConfirmed(lane, batch, batch->size());
}

void SyncEngine::writeFailed(Lane *lane, Batch *batch, QByteArrayView error, bool quiet)
{
    batch->inFlight = false;
    StreamState &stream = *lane->stream;
    if (!quiet) {
        ++stream.stats.writeErrors;
        // SBGAP only says that the batch before this one did not land: that one's error is the
        // cause worth showing.
        if (!error.startsWith("SBGAP"))
            m_lastWriteError = QString::fromUtf8(stream.name + ": " + error.toByteArray());
    }
    const bool first = !lane->batches.empty() && lane->batches.front().get() == batch;
    if (error.startsWith("SBGAP") && first) {
        // "SBGAP high-water mark <mark> is below <prev>"
        remoteWentBack(*lane, error.toByteArray().split(' ').value(3));
    } else if (error.startsWith("NOSCRIPT")) {
        m_scriptReady = false;
        loadScript();
    } else if (!quiet && !error.startsWith("SBGAP") && !lane->failed) {
        // The first failure, then once a minute or so (every 30th retry, 2 s apart once backed
        // off): a remote refusing writes for hours is one line a minute, not one every retry.
        if (lane->retryAttempt == 0)
            qCWarning(lcSync).noquote() << "remote write to" << stream.name
                                        << "failed:" << QString::fromUtf8(error) << "- retrying";
        else if (lane->retryAttempt % 30 == 0)
            qCWarning(lcSync).noquote()
                << "remote write to" << stream.name << "still failing after" << lane->retryAttempt
                << "retries:" << QString::fromUtf8(error);
    }
    lane->failed = true;
    // Retry once every batch in flight has answered, so that the resend starts in order.
    if (std::none_of(lane->batches.begin(), lane->batches.end(),
                     [](const BatchPtr &b) { return b->inFlight; })) {
        const int delay = quiet ? 0 : std::min(2000, 50 << std::min(lane->retryAttempt++, 6));
        // By key, not by pointer: a reclaim lane may be done and erased before the timer fires.
        const auto key = std::pair(lane->stream->name, lane->owner);
        QTimer::singleShot(delay, this, [this, key] {
            const auto it = m_lanes.find(key);
            if (it != m_lanes.end())
                retryLane(it->second.get());
        });
    }
}

// At most one line per warning interval, with every late entry since the last one.
void SyncEngine::warnOfLateEntries()
{
    const qint64 now = m_clock.elapsed();
    if (m_lateSinceWarning == 0 || now - m_lastLatencyWarning <= warningIntervalMs)
        return;
    qCWarning(lcSync).noquote()
        << QStringLiteral(
               "%1 entries reached the remote later than TOTAL_MAX_LATENCY (%2 ms); worst %3 ms")
               .arg(m_lateSinceWarning)
               .arg(m_config.totalMaxLatency.count())
               .arg(qint64(m_worstLateMs));
    m_lastLatencyWarning = now;
    m_lateSinceWarning = 0;
    m_worstLateMs = 0;
}

void SyncEngine::writeConfirmed(Lane *lane, Batch *batch, qint64 written)
{
    if (lane->batches.empty() || lane->batches.front().get() != batch) {
        // A later batch answered while an earlier one was refused (another node moved our mark
        // past both). It is resent in order with the rest; the script skips what is there.
        batch->useScript = true;
        writeFailed(lane, batch, {}, true);
        return;
    }
    batch->inFlight = false;
    StreamState &stream = *lane->stream;
    // Confirmed batches leave the lane from the front, in order.
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 tookMs = m_clock.elapsed() - batch->sentAt;
    stream.stats.replicated += quint64(batch->size());
    stream.stats.duplicatesSkipped += quint64(batch->size() - written);
    if (lane->reclaim)
        stream.stats.reclaimed += quint64(batch->size());
    stream.stats.lastSync = QDateTime::currentDateTimeUtc();
    const qint64 maxLatency = m_config.totalMaxLatency.count();
    // Written again for a remote that went back: their journey was measured the first time.
    const size_t measured = batch->refill ? 0 : batch->eventTimeMs.size();
    for (size_t i = 0; i < measured; ++i) {
        const qint64 eventMs = batch->eventTimeMs[i];
        const qint64 latencyMs = std::max<qint64>(0, nowMs - eventMs);
        stream.stats.latency.observe(double(latencyMs) / 1000.0);
        if (latencyMs > maxLatency) {
            ++m_lateSinceWarning;
            m_worstLateMs = std::max(m_worstLateMs, double(latencyMs));
        }
    }
    const qint64 now = m_clock.elapsed();
    warnOfLateEntries();
    if (tookMs > m_config.writerMaxLatency.count()
        && now - m_lastSlowWriteWarning > warningIntervalMs) {
        qCWarning(lcSync).noquote()
            << "remote write of" << batch->size() << "entries took" << tookMs
            << "ms (WRITER_MAX_LATENCY" << m_config.writerMaxLatency.count() << "ms)";
        m_lastSlowWriteWarning = now;
    }
    if (written < batch->size())
        qCInfo(lcSync).noquote() << batch->size() - written << "entries of" << stream.name
                                 << "were already on the remote; not written again";

    if (lane->retryAttempt > 0)
        qCInfo(lcSync).noquote() << "remote write to" << stream.name << "succeeded after"
                                 << lane->retryAttempt
                                 << (lane->retryAttempt == 1 ? "retry" : "retries");
    lane->retryAttempt = 0;
    BatchPtr done = std::move(lane->batches.front());
    lane->batches.pop_front();
    --lane->sent;
    lane->lastConfirmedId = done->lastId;
    if (!lane->reclaim && !done->refill) {
        for (int i = 0; i < done->size(); ++i)
            lane->confirmedIds.push_back(EntryId::parse(done->id(i)));
        while (lane->confirmedIds.size() > confirmedIdsKept) {
            lane->forgotten = lane->confirmedIds.front();
            lane->confirmedIds.pop_front();
        }
    }
    acknowledge(stream, std::move(done));
    pump(*lane);
    if (lane->reclaim && lane->batches.empty())
        claimNext(lane);
}

void SyncEngine::retryLane(Lane *lane)
{
    // Never send a batch twice at once: a resend starts only when nothing is in flight.
    if (std::any_of(lane->batches.begin(), lane->batches.end(),
                    [](const BatchPtr &b) { return b->inFlight; }))
        return;
    lane->failed = false;
    lane->sent = 0;
    pump(*lane);
}

void SyncEngine::acknowledge(StreamState &stream, BatchPtr batch)
{
    // The remote has the entries: ack them locally. A failed ack is retried; should we die
    // first, the entries stay pending and the remote's mark shows them written.
    RedisCommand command("XACK");
    command.reserve(size_t(batch->size()) + 3);
    command.arg(QByteArrayView(stream.name)).arg(QByteArrayView(m_group));
    for (int i = 0; i < batch->size(); ++i)
        command.arg(batch->id(i));
    Batch *raw = batch.release();
    m_local->send(command, [this, &stream, raw](const RedisReply &reply) {
        BatchPtr owned(raw);
        if (reply.isError()) {
            // A lost connection is the PING check's to report; a refusal is logged once per
            // reason and fails the health check until an XACK is taken again.
            if (!reply.isClientError()) {
                const QString error =
                    QString::fromUtf8(stream.name) + QStringLiteral(": ") + reply.errorMessage();
                if (m_ackFailures == 0 || error != m_lastAckError)
                    qCWarning(lcSync).noquote()
                        << "local Redis refused XACK of" << error
                        << "- the entries are on the remote and stay pending; retrying every"
                        << m_ackRetryTimer.interval() << "ms";
                ++m_ackFailures;
                m_lastAckError = error;
            }
            m_ackRetry.emplace_back(&stream, std::move(owned));
            if (!m_ackRetryTimer.isActive())
                m_ackRetryTimer.start();
            return;
        }
        if (m_ackFailures > 0) {
            qCInfo(lcSync).noquote()
                << "XACK taken by the local Redis again after" << m_ackFailures << "refused";
            m_ackFailures = 0;
            m_lastAckError.clear();
        }
        release(*owned);
    });
}

void SyncEngine::ackIds(StreamState &stream, const QList<QByteArray> &ids)
{
    RedisCommand command("XACK");
    command.arg(QByteArrayView(stream.name)).arg(QByteArrayView(m_group));
    for (const QByteArray &id : ids)
        command.arg(QByteArrayView(id));
    m_local->send(command, [](const RedisReply &) {});
}

void SyncEngine::release(const Batch &batch)
{
    const bool wasFull = bufferFull();
    m_buffered -= batch.size();
    m_bufferedBytes -= batch.memoryBytes();
    if (wasFull && !bufferFull())
        readNext();
    maybeFinish();
}

void SyncEngine::scanConsumers()
{
    if (m_stopping || !m_groupsReady || !m_local->isConnected())
        return;
    auto remaining = std::make_shared<int>(int(m_streams.size()));
    for (auto &stream : m_streams) {
        StreamState *s = stream.get();
        m_local->send({"XINFO", "CONSUMERS", s->name, m_group},
                      [this, s, remaining](const RedisReply &reply) {
                          onConsumers(*s, reply);
                          if (--*remaining == 0)
                              startReadingAfterPredecessors();
                      });
    }
}

void SyncEngine::startReadingAfterPredecessors()
{
    // Entries an earlier process of this host left pending are older than anything a new
    // read returns: write them first, so that a restart after a crash keeps the order.
    if (m_readsAllowed) {
        readNext();
        return;
    }
    const bool predecessorPending = std::any_of(
        m_lanes.begin(), m_lanes.end(), [](const auto &l) { return l.second->predecessor; });
    if (predecessorPending)
        return;
    m_readsAllowed = true;
    readNext();
}

void SyncEngine::onConsumers(StreamState &stream, const RedisReply &reply)
{
    if (reply.isError())
        return;
    stream.stats.consumers = int(reply.size());
    const qint64 claimIdle = m_config.claimIdle.count();
    for (size_t i = 0; i < reply.size(); ++i) {
        const RedisReply consumer = reply.at(i);
        const QByteArray name = consumer.field("name").toByteArray();
        const qint64 pending = consumer.field("pending").toInteger();
        const qint64 idle = consumer.field("idle").toInteger();
        if (name.isEmpty() || name == m_consumer)
            continue;
        // An earlier process of this host (same base name and hostname) is gone for sure
        // unless two are configured alike; either way the write script keeps the remote exact.
        const bool predecessor = isEarlierProcessOfThisHost(name);
        const auto key = std::pair(stream.name, name);
        if (predecessor && m_watchedMarks.count(key) == 0)
            watchMark(key); // dead: its mark is where it stopped (and our reclaims take it)
        if (pending > 0 && (idle >= claimIdle || predecessor)) {
            if (m_lanes.count(key) == 0) {
                qCInfo(lcSync).noquote() << "reclaiming" << pending << "pending entries of"
                                         << (predecessor ? "earlier process" : "idle consumer")
                                         << name << "on" << stream.name << "(idle" << idle << "ms)";
                Lane &lane = reclaimLane(stream, name);
                lane.predecessor = predecessor;
                claimNext(&lane);
            }
        } else if (pending == 0 && idle >= claimIdle && m_lanes.count(key) == 0
                   && (predecessor || m_emptiedConsumers.count(stream.name + ' ' + name))) {
            qCInfo(lcSync).noquote()
                << "removing emptied consumer" << name << "from" << stream.name;
            m_local->send({"XGROUP", "DELCONSUMER", stream.name, m_group, name},
                          [](const RedisReply &) {});
            // Its mark stays (it expires by its TTL) unless the consumer is an earlier process
            // of this host, dead for sure. An idle consumer may be alive: a node cut off from
            // the remote, not from the local Redis, stops reading with a full buffer. When it
            // is back, its batches must meet the mark and be skipped; without it they would
            // take the remote for having lost data and write everything again. A later
            // consumer of the same name (pid reuse) only reads entries above the mark.
            watchMark(key);
            if (predecessor)
                m_remote->send({"DEL", "switchboard:sync:mark:{" + stream.name + "}:" + name},
                               [](const RedisReply &) {});
            m_emptiedConsumers.erase(stream.name + ' ' + name);
        }
    }
}

bool SyncEngine::isEarlierProcessOfThisHost(const QByteArray &consumer) const
{
    // REDIS_CONSUMER-hostname-<pid>: the same prefix followed by digits only, so that host
    // "vm" does not take host "vm-2" for itself.
    if (!consumer.startsWith(m_consumerPrefix) || consumer.size() == m_consumerPrefix.size())
        return false;
    const QByteArrayView pid = QByteArrayView(consumer).sliced(m_consumerPrefix.size());
    return std::all_of(pid.begin(), pid.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void SyncEngine::claimNext(Lane *lane)
{
    if (m_stopping || lane->claimInFlight) {
        dropLaneIfIdle(lane);
        return;
    }
    StreamState &stream = *lane->stream;
    // Lowest ids first: every entry of this consumer below them is acked, hence on the remote,
    // which is what lets the first claimed batch go out with prev = "0-0".
    lane->claimInFlight = true;
    const qint64 count = m_config.readerBatchSize;
    m_local->send(
        {"XPENDING", stream.name, m_group, "-", "+", QByteArray::number(count), lane->owner},
        [this, lane, &stream](const RedisReply &reply) {
            const qint64 minIdle = lane->predecessor ? 0 : m_config.claimIdle.count();
            RedisCommand claim("XCLAIM");
            claim.arg(QByteArrayView(stream.name))
                .arg(QByteArrayView(m_group))
                .arg(QByteArrayView(lane->owner));
            claim.arg(minIdle);
            QList<QByteArray> ids;
            for (size_t i = 0; !reply.isError() && i < reply.size(); ++i) {
                // Stop at the first entry that is not idle: its owner may be alive after all.
                if (reply.at(i).at(2).toInteger() < minIdle)
                    break;
                ids.append(reply.at(i).at(0).toByteArray());
            }
            if (ids.isEmpty()) {
                lane->claimInFlight = false;
                m_emptiedConsumers[stream.name + ' ' + lane->owner] = 1;
                dropLaneIfIdle(lane);
                return;
            }
            for (const QByteArray &id : ids)
                claim.arg(QByteArrayView(id));
            // Claimed in the dead consumer's own name: the claim resets the idle time (a lease
            // other nodes respect) and the entries stay in the lane of the mark that covers them.
            m_local->send(claim, [this, lane, &stream](const RedisReply &claimed) {
                lane->claimInFlight = false;
                if (claimed.isError()) {
                    dropLaneIfIdle(lane);
                    return;
                }
                BatchPtr batch = takeEntries(claimed, nullptr);
                if (!batch || batch->size() == 0) {
                    // Another node claimed them first (its claim reset their idle time), or
                    // they were deleted (Redis 7 drops those from the pending list itself).
                    // Never ack them here: the other node may die before writing them.
                    claimNext(lane);
                    return;
                }
                enqueue(*lane, std::move(batch));
            });
        });
}

void SyncEngine::dropLaneIfIdle(Lane *lane)
{
    if (!lane->reclaim || !lane->batches.empty() || lane->claimInFlight)
        return;
    m_lanes.erase({lane->stream->name, lane->owner});
    startReadingAfterPredecessors();
    maybeFinish();
}

void SyncEngine::refreshGroupStats()
{
    const bool readable = m_groupsReady && m_local->isConnected();
    for (auto &stream : m_streams) {
        StreamState *s = stream.get();
        if (readable) {
            // In one transaction: a trim between the two would count entries as lost that the
            // group read meanwhile.
            m_local->send({"MULTI"}, [](const RedisReply &) {});
            m_local->send({"XINFO", "GROUPS", s->name}, [](const RedisReply &) {});
            m_local->send({"XINFO", "STREAM", s->name}, [](const RedisReply &) {});
            m_local->send({"EXEC"}, [this, s](const RedisReply &reply) {
                if (reply.isError() || reply.size() != 2)
                    return;
                readGroupInfo(*s, reply.at(0));
                countDeletedUnread(*s, reply.at(1));
            });
        } else if (m_groupsReady) {
            // What only the local Redis can tell is unknown while it does not answer: its last
            // reading (a lag of 0, say) was reported as current, in the status and /metrics.
            s->stats.lag = -1;
            s->stats.groupPending = -1;
            s->stats.consumers = -1;
        }
        const quint64 replicated = s->stats.replicated;
        s->stats.rate = double(replicated - s->replicatedAtLastTick);
        s->replicatedAtLastTick = replicated;
    }
}

void SyncEngine::readGroupInfo(StreamState &s, const RedisReply &groups)
{
    s.groupLag = -1;
    s.groupEntriesRead = -1;
    s.groupLastDelivered.clear();
    for (size_t g = 0; g < groups.size(); ++g) {
        const RedisReply group = groups.at(g);
        if (group.field("name").view() != QByteArrayView(m_group))
            continue;
        const qint64 pending = group.field("pending").toInteger(-1);
        const qint64 lag = group.field("lag").toInteger(-1); // Redis 7: not yet delivered
        s.stats.groupPending = pending;
        s.stats.consumers = int(group.field("consumers").toInteger());
        s.stats.lag = lag >= 0 ? lag + pending : -1;
        s.groupLag = lag;
        s.groupEntriesRead = group.field("entries-read").toInteger(-1); // Redis 7: delivered
        s.groupLastDelivered = group.field("last-delivered-id").toByteArray();
    }
}

// A local Redis met for the first time, or one that restarted and reloaded its counters (another
// run_id): what they are behind is found again (countDeletedUnread()).
void SyncEngine::forgetCounterBaselines()
{
    for (auto &stream : m_streams) {
        stream->readCounterBehind = -1;
        stream->deliveredAtFirstLook.reset();
    }
}

// Entries a producer trims (MAXLEN, MINID) while the group has not read them yet, reading
// paused behind a remote that is down, are gone before sync sees them: nothing else would say
// so. The stream has had `entries-added`, of which the oldest `removed` are gone; the group was
// handed `entries-read`. Before the group reads past the gap, every entry up to the first one
// left was either read or lost; once it has read all, every entry was (while Redis counts what
// it hands out: a later Redis that counts a gap as read loses only the second way). In between
// the count waits: it only grows, for as long as the group lives.
//
// A Redis that reloaded an AOF has a group counter behind what the group read: 7.0 writes
// XREADGROUP to the AOF as XCLAIM, which does not carry it (a local stack: 28 201 added, all
// read, none removed, `entries-read` 28 025; 33 768 behind after 10 minutes at 500 events/s).
// On such a Redis the difference found at the first look, the group having read all, is taken
// as the counter's and not as lost: a loss from before this process, read past already, is then
// not counted either. Without an AOF the counter is exact and the group's past is counted (a
// replica promoted after a failover can be behind the same way: not detected).
void SyncEngine::countDeletedUnread(StreamState &s, const RedisReply &stream)
{
    const qint64 added = stream.field("entries-added").toInteger(-1);
    const qint64 length = stream.field("length").toInteger(-1);
    const EntryId firstLeft = EntryId::parse(stream.field("recorded-first-entry-id").view());
    const EntryId lastAdded = EntryId::parse(stream.field("last-generated-id").view());
    const qint64 read = s.groupEntriesRead;
    if (added < 0 || length < 0 || read < 0 || s.groupLastDelivered.isEmpty())
        return; // Redis 6, or a group whose counter Redis lost track of
    if (!m_localInfoAnswered)
        return; // a look sent before INFO after a reconnection: maybe another Redis's counters
    const EntryId delivered = EntryId::parse(s.groupLastDelivered);
    if (!s.deliveredAtFirstLook)
        s.deliveredAtFirstLook = delivered;
    const bool beforeGap = length > 0 && delivered < firstLeft;
    const bool allRead = delivered == lastAdded;
    const qint64 known = s.stats.deletedBeforeRead; // -1: not counted yet
    const qint64 removed = added - length;
    const qint64 counted = std::max<qint64>(0, known);
    qint64 lost = counted;
    if (beforeGap) {
        lost = std::max(lost, removed - read - std::max<qint64>(0, s.readCounterBehind));
    } else if (allRead && (s.readCounterBehind >= 0 || m_localAppendOnly)) {
        if (s.readCounterBehind < 0) {
            // An entry the group had not read at the first look that has been trimmed since
            // (the stream now starts after what the group had read then) may be a loss of this
            // process's: then none of the difference is taken as the counter's.
            const bool trimmedPastFirstLook = length > 0
                ? *s.deliveredAtFirstLook < firstLeft
                : removed > 0 && *s.deliveredAtFirstLook < lastAdded;
            s.readCounterBehind = *m_localAppendOnly && !trimmedPastFirstLook
                ? std::max<qint64>(0, added - read - counted)
                : 0;
        }
        lost = std::max(lost, added - read - s.readCounterBehind);
    }
    lost = std::min(lost, removed); // never more than the stream ever lost
    // The first count of this process (or of a group made again) holds the group's past too.
    if (known < 0 && lost > 0) {
        qCWarning(lcSync).noquote()
            << lost << "entries of" << s.name
            << "were trimmed from the local stream (a producer's MAXLEN or MINID) before they "
               "could be read, since the group was made: they are not on the remote";
    } else if (known >= 0 && lost > known) {
        qCWarning(lcSync).noquote()
            << lost - known << "more entries of" << s.name
            << "were trimmed from the local stream (a producer's MAXLEN or MINID) before they "
               "could be read: they are not on the remote;"
            << lost << "since the group was made";
    }
    s.stats.deletedBeforeRead = lost;
    // Redis 7.0 counts them in the group's lag for ever: they are not waiting.
    if (s.stats.groupPending < 0)
        return;
    qint64 unread = s.groupLag >= 0 ? std::clamp<qint64>(s.groupLag - lost, 0, length) : -1;
    if (beforeGap)
        unread = length;
    else if (allRead)
        unread = 0;
    if (unread >= 0)
        s.stats.lag = unread + s.stats.groupPending;
}

void SyncEngine::checkHealth()
{
    if (m_checksInFlight > 0)
        return;
    m_checksInFlight = 2;
    m_checkFailedNow = false;
    m_checkReason.clear();
    auto check = [this](RedisClient *client, const QString &what) {
        client->send({"PING"}, [this, client, what](const RedisReply &reply) {
            if (reply.isError()) {
                m_checkFailedNow = true;
                // Not connected: why (a refused connection, a connect timeout), not the PING's
                // own "not connected to <the same address>: …".
                m_checkReason = QStringLiteral("%1 Redis %2: %3")
                                    .arg(what, client->options().endpoint.display(),
                                         client->isConnected() ? reply.errorMessage()
                                                               : client->unavailableReason());
            }
            if (--m_checksInFlight > 0)
                return;
            // PING is not enough: a remote that answers it may still refuse every write (a
            // read-only replica after a failover, a key of another type). A lane whose last
            // write failed and none succeeded since fails the check as well.
            for (auto it = m_lanes.begin(); !m_checkFailedNow && it != m_lanes.end(); ++it) {
                if (it->second->retryAttempt > 0) {
                    m_checkFailedNow = true;
                    m_checkReason =
                        QStringLiteral("remote Redis %1 refuses writes to %2")
                            .arg(m_remote->options().endpoint.display(), m_lastWriteError);
                }
            }
            // The same for the local side: a local Redis that answers PING may refuse every
            // read (a replica after a failover, a stream key of another type, an ACL), or
            // every XACK.
            if (!m_checkFailedNow && m_ackFailures > 0) {
                m_checkFailedNow = true;
                m_checkReason = QStringLiteral("local Redis %1 refuses XACK of %2")
                                    .arg(m_local->options().endpoint.display(), m_lastAckError);
            }
            if (!m_checkFailedNow && !m_groupError.isEmpty()) {
                m_checkFailedNow = true;
                m_checkReason = QStringLiteral("local Redis %1 %2")
                                    .arg(m_local->options().endpoint.display(), m_groupError);
            }
            if (!m_checkFailedNow && m_readFailures > 0) {
                m_checkFailedNow = true;
                m_checkReason =
                    QStringLiteral("local Redis %1 refuses reads of %2: %3")
                        .arg(m_local->options().endpoint.display(),
                             m_config.streams().join(QStringLiteral(", ")), m_lastReadError);
            }
            if (m_checkFailedNow) {
                ++m_failedChecks;
                m_reason = m_checkReason;
            } else {
                // Also below HEALTH_MAX_RETRIES: a failure that is over says nothing any more.
                m_failedChecks = 0;
                m_reason.clear();
            }
            const bool healthy = m_failedChecks < m_config.healthMaxRetries;
            if (healthy != m_healthy) {
                if (healthy) {
                    qCInfo(lcSync) << "healthy again";
                    m_reason.clear();
                } else {
                    qCCritical(lcSync).noquote()
                        << "unhealthy after" << m_failedChecks << "failed checks:" << m_reason;
                    m_unhealthySince = m_clock.elapsed();
                }
                m_healthy = healthy;
                publishSnapshot();
            } else if (!healthy
                       && m_clock.elapsed() - m_unhealthySince
                           > m_config.healthRecoveryTimeout.count()) {
                qCCritical(lcSync).noquote()
                    << "still unhealthy after HEALTH_RECOVERY_TIMEOUT:" << m_reason;
                m_unhealthySince = m_clock.elapsed();
            }
        });
    };
    check(m_local, QStringLiteral("local"));
    check(m_remote, QStringLiteral("remote"));
}

void SyncEngine::publishSnapshot()
{
    auto snapshot = std::make_shared<SyncSnapshot>();
    snapshot->running = m_running;
    snapshot->healthy = m_healthy;
    snapshot->reason = m_reason;
    snapshot->group = QString::fromUtf8(m_group);
    snapshot->consumer = QString::fromUtf8(m_consumer);
    snapshot->local = m_config.local.display();
    snapshot->remote = m_config.remote.display();
    snapshot->localConnected = m_local && m_local->isConnected();
    snapshot->remoteConnected = m_remote && m_remote->isConnected();
    snapshot->buffered = m_buffered;
    snapshot->bufferedBytes = m_bufferedBytes;
    snapshot->backPressure = bufferFull();
    for (auto &stream : m_streams) {
        snapshot->streams.append(stream->stats);
        snapshot->streams.back().latencyLastMinute =
            stream->recentLatency.lastMinute(stream->stats.latency);
        if (stream->stats.lastSync > snapshot->lastSync || !snapshot->lastSync.isValid())
            snapshot->lastSync = stream->stats.lastSync;
    }
    publish(snapshot);
}

void SyncEngine::stop(int deadlineMs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    qCInfo(lcSync).noquote() << "stopping: finishing" << m_buffered << "entries in flight";
    m_reclaimTimer.stop();
    m_deadlineTimer.start(std::max(0, deadlineMs - 500));
    // A read blocked for READER_BLOCK_TIME (up to a minute) would hold the stop that long, past
    // its deadline: end the wait now, as if it had timed out (it read nothing, so nothing is
    // lost). A read that is not blocked is not affected.
    if (m_readInFlight && m_readerClientId != 0 && m_local->isConnected())
        m_local->send({"CLIENT", "UNBLOCK", QByteArray::number(m_readerClientId)},
                      [](const RedisReply &) {});
    maybeFinish();
}

void SyncEngine::maybeFinish()
{
    if (!m_stopping || m_finished || m_removingConsumer || m_readInFlight || m_buffered > 0
        || !m_ackRetry.empty())
        return;
    for (auto &[key, lane] : m_lanes) {
        if (!lane->batches.empty() || lane->claimInFlight || !lane->refillIds.empty())
            return;
    }
    removeOwnConsumer();
}

void SyncEngine::removeOwnConsumer()
{
    if (m_removingConsumer || m_finished)
        return;
    m_removingConsumer = true;
    if (!m_local->isConnected()) {
        finish(false);
        return;
    }
    // Remove our consumer where it holds nothing; a pending entry keeps it for a reclaim.
    auto remaining = std::make_shared<int>(int(m_streams.size()));
    auto allGone = std::make_shared<bool>(true);
    for (auto &stream : m_streams) {
        const QByteArray name = stream->name;
        m_local->send({"XPENDING", name, m_group, "-", "+", "1", m_consumer},
                      [this, name, remaining, allGone](const RedisReply &reply) {
                          auto done = [this, remaining, allGone] {
                              if (--*remaining == 0)
                                  finish(*allGone);
                          };
                          if (reply.isError() || reply.size() > 0) {
                              *allGone = false;
                              done();
                              return;
                          }
                          m_local->send(
                              {"XGROUP", "DELCONSUMER", name, m_group, m_consumer},
                              [this, name, done](const RedisReply &) {
                                  m_remote->send(
                                      {"DEL", "switchboard:sync:mark:{" + name + "}:" + m_consumer},
                                      [done](const RedisReply &) { done(); });
                              });
                      });
    }
}

void SyncEngine::finish(bool drained)
{
    if (m_finished)
        return;
    m_finished = true;
    m_deadlineTimer.stop();
    m_readRetryTimer.stop();
    m_groupRetryTimer.stop();
    m_snapshotTimer.stop();
    m_healthTimer.stop();
    m_statsTimer.stop();
    m_running = false;
    for (const auto &[key, lane] : m_lanes)
        endRefill(*lane, QStringLiteral("stopped during a refill"));
    qCInfo(lcSync).noquote() << (drained ? "stopped; consumer" : "stopped; kept consumer")
                             << m_consumer
                             << (drained ? "removed from the group" : "for a later reclaim");
    publishSnapshot();
    m_reader->close();
    m_local->close();
    m_remote->close();
    Q_EMIT finished();
}

} // namespace Switchboard
