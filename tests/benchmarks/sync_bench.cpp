// sync_bench: how fast Switchboard's sync engine drains a backlog compared with the simplest loop
// that moves the same entries (XREADGROUP COUNT n → pipelined XADD → XACK, on one connection per
// server, without the engine's guarantees), how long an event takes from the local to the remote
// Redis at a steady rate, and how much memory a node needs while a large backlog waits behind a
// stopped remote.
//
// Every measurement starts its own redis-server processes (no persistence), so that one run
// cannot leave work or memory behind for the next. Built with the project, run by hand; the
// figures go to stdout as a table, progress to stderr. A slow figure is reported, never failed.

#include "benchfigures.h"
#include "childprocess.h"
#include "core/enginehost.h"
#include "cpumeter.h"
#include "serverprocess.h"
#include "sync/freeswitchevents.h"
#include "sync/syncengine.h"
#include "sync/syncsnapshot.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <hiredis/hiredis.h>
#include <memory>
#include <thread>
#include <vector>

using namespace Switchboard;
using namespace Switchboard::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray stream = "freeswitch:telephony:events"; // SyncConfig's default STREAM_EVENTS
const QByteArray group = "sync_group"; // SyncConfig's default REDIS_GROUP
const QByteArray eventDate = "Event-Date-Timestamp";
constexpr int drainTimeoutMs = 120000;
constexpr int fillChunk = 1000; // XADDs per pipeline round trip while filling
constexpr int poolSize = 10000; // distinct events, written round-robin into every backlog

struct Options
{
    int runs = 3;
    qint64 entries = 200000;
    int latencySeconds = 5;
    QList<int> latencyRates {1000, 10000};
    int readerBatchSize = 1000;
    int writerWorkers = SyncConfig().writerWorkers;
    qint64 rssEntries = 1000000;
    int rssSeconds = 10;
    bool drainEngine = true; // --side, for profiling one side alone
    bool drainBaseline = true;
    bool drainJson = true; // --shape
    bool drainFields = true;
    bool skipDrain = false;
    bool skipLatency = false;
    bool skipRss = false;
};

qint64 nowMicros()
{
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

// ---------------------------------------------------------------------------------------------
// A blocking hiredis connection for the load generators, the probes and the baseline. Every
// call is bounded by the socket timeout; a failed call leaves the context in error and returns
// a null reply.

struct ReplyDeleter
{
    void operator()(redisReply *reply) const
    {
        if (reply)
            freeReplyObject(reply);
    }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

class BlockingRedis
{
public:
    explicit BlockingRedis(quint16 port, int timeoutMs = 30000)
    {
        const timeval timeout {timeoutMs / 1000, (timeoutMs % 1000) * 1000};
        m_context = redisConnectWithTimeout("127.0.0.1", port, timeout);
        if (m_context && m_context->err == 0)
            redisSetTimeout(m_context, timeout);
    }
    ~BlockingRedis()
    {
        if (m_context)
            redisFree(m_context);
    }
    BlockingRedis(const BlockingRedis &) = delete;
    BlockingRedis &operator=(const BlockingRedis &) = delete;

    bool isConnected() const { return m_context && m_context->err == 0; }
    QString error() const
    {
        return m_context ? QString::fromUtf8(m_context->errstr) : u"cannot allocate a context"_s;
    }

    Reply command(std::initializer_list<QByteArrayView> args)
    {
        std::vector<const char *> argv;
        std::vector<size_t> lengths;
        for (QByteArrayView arg : args) {
            argv.push_back(arg.data());
            lengths.push_back(size_t(arg.size()));
        }
        append(argv, lengths);
        return next();
    }
    // Queued in hiredis' output buffer; written by the next next().
    void append(const std::vector<const char *> &argv, const std::vector<size_t> &lengths)
    {
        if (isConnected())
            redisAppendCommandArgv(m_context, int(argv.size()),
                                   const_cast<const char **>(argv.data()), lengths.data());
    }
    void appendFormatted(const QByteArray &command)
    {
        if (isConnected())
            redisAppendFormattedCommand(m_context, command.constData(), size_t(command.size()));
    }
    Reply next()
    {
        void *reply = nullptr;
        if (!isConnected() || redisGetReply(m_context, &reply) != REDIS_OK)
            return {};
        return Reply(static_cast<redisReply *>(reply));
    }

private:
    redisContext *m_context = nullptr;
};

bool isError(const Reply &reply)
{
    return !reply || reply->type == REDIS_REPLY_ERROR;
}

QString errorOf(const Reply &reply, const BlockingRedis &redis)
{
    if (!reply)
        return redis.error();
    return QString::fromUtf8(reply->str, qsizetype(reply->len));
}

qint64 integerOf(const Reply &reply)
{
    return reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
}

QByteArrayView viewOf(const redisReply *reply)
{
    return reply && reply->str ? QByteArrayView(reply->str, qsizetype(reply->len))
                               : QByteArrayView();
}

qint64 streamLength(BlockingRedis &redis)
{
    return integerOf(redis.command({"XLEN", stream}));
}

// Entries delivered to the group's consumers and not acked yet; -1 while there is no group.
qint64 groupPending(BlockingRedis &redis)
{
    const Reply reply = redis.command({"XPENDING", stream, group});
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 1)
        return -1;
    return reply->element[0]->integer;
}

// The fields of the first or the last entry of the stream.
QList<QByteArray> endEntryFields(BlockingRedis &redis, bool last)
{
    const Reply reply = last ? redis.command({"XREVRANGE", stream, "+", "-", "COUNT", "1"})
                             : redis.command({"XRANGE", stream, "-", "+", "COUNT", "1"});
    QList<QByteArray> fields;
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 1)
        return fields;
    const redisReply *values = reply->element[0]->element[1];
    for (size_t i = 0; i < values->elements; ++i)
        fields.append(viewOf(values->element[i]).toByteArray());
    return fields;
}

// ---------------------------------------------------------------------------------------------
// Backlogs

enum class Shape { JsonField, ManyFields };

// A pool of distinct events in one shape, kept both as fields (for the paced producer) and as
// ready-formatted XADD commands (for filling a backlog at pipeline speed).
struct EventPool
{
    Shape shape;
    std::vector<QList<QByteArray>> fields;
    std::vector<QByteArray> xadd;
    double averageBytes = 0; // field names and values of one entry
    double averageFields = 0;
};

EventPool makePool(Shape shape, int size)
{
    EventPool pool {shape, {}, {}, 0, 0};
    FreeSwitchEvents generator(7);
    qint64 bytes = 0;
    qint64 fieldCount = 0;
    for (int i = 0; i < size; ++i) {
        QList<QByteArray> fields = generator.nextChannelEvent();
        if (shape == Shape::JsonField)
            fields = {"event", FreeSwitchEvents::toJson(fields)}; // as the Go reader read it
        std::vector<const char *> argv {"XADD", stream.constData(), "*"};
        std::vector<size_t> lengths {4, size_t(stream.size()), 1};
        for (const QByteArray &f : fields) {
            argv.push_back(f.constData());
            lengths.push_back(size_t(f.size()));
            bytes += f.size();
        }
        fieldCount += fields.size() / 2;
        char *formatted = nullptr;
        const int length =
            redisFormatCommandArgv(&formatted, int(argv.size()), argv.data(), lengths.data());
        if (length > 0)
            pool.xadd.emplace_back(formatted, length);
        redisFreeCommand(formatted);
        pool.fields.push_back(std::move(fields));
    }
    pool.averageBytes = double(bytes) / size;
    pool.averageFields = double(fieldCount) / size;
    return pool;
}

bool fillBacklog(quint16 port, const EventPool &pool, qint64 count, QString *error)
{
    BlockingRedis redis(port, 60000);
    if (!redis.isConnected()) {
        *error = u"fill: "_s + redis.error();
        return false;
    }
    size_t next = 0;
    for (qint64 written = 0; written < count;) {
        const qint64 chunk = std::min<qint64>(fillChunk, count - written);
        for (qint64 i = 0; i < chunk; ++i) {
            redis.appendFormatted(pool.xadd[next]);
            next = (next + 1) % pool.xadd.size();
        }
        for (qint64 i = 0; i < chunk; ++i) {
            const Reply reply = redis.next();
            if (isError(reply)) {
                *error = u"fill: "_s + errorOf(reply, redis);
                return false;
            }
        }
        written += chunk;
        if (count >= 500000 && written % 100000 == 0)
            progress(u"  filled %1 of %2"_s.arg(grouped(written), grouped(count)));
    }
    return true;
}

bool startServer(RedisServer &server, QString *error)
{
    if (server.start(0, {u"--loglevel"_s, u"warning"_s}))
        return true;
    *error = server.error();
    return false;
}

// A fresh local and remote server, `count` entries of `pool` waiting in the local one.
bool startWithBacklog(RedisServer &local, RedisServer &remote, const EventPool &pool, qint64 count,
                      QString *error)
{
    return startServer(local, error) && startServer(remote, error)
        && fillBacklog(local.port(), pool, count, error);
}

SyncConfig engineConfig(const RedisServer &local, const RedisServer &remote, const Options &options)
{
    SyncConfig config; // the defaults an operator gets, but for what the issue fixes
    config.local = local.endpoint();
    config.remote = remote.endpoint();
    config.readerBatchSize = options.readerBatchSize;
    config.writerWorkers = options.writerWorkers;
    return config;
}

std::shared_ptr<const SyncSnapshot> syncSnapshot(EngineHost &host)
{
    return std::dynamic_pointer_cast<const SyncSnapshot>(host.board()->get(u"sync"_s));
}

// Stops the engines and waits, bounded, for their threads to end.
bool stopHost(EngineHost &host, int deadlineMs = 5000)
{
    bool stopped = false;
    QEventLoop loop;
    QObject::connect(&host, &EngineHost::stopped, &loop, [&] {
        stopped = true;
        loop.quit();
    });
    QTimer::singleShot(deadlineMs + 3000, &loop, &QEventLoop::quit);
    host.stopAll(deadlineMs);
    if (!stopped)
        loop.exec();
    return stopped;
}

// ---------------------------------------------------------------------------------------------
// Drain of a backlog

// Where the CPU of a drain went: this process (the engine's threads, or the baseline loop),
// the local and the remote redis-server. On a 2-core box their sum over the wall time says
// whether the machine, not the design, set the pace.
struct CpuUse
{
    double self = 0;
    double local = 0;
    double remote = 0;
};

class DrainCpuMeter
{
public:
    DrainCpuMeter(const RedisServer &local, const RedisServer &remote)
        : m_self(CpuMeter::self())
        , m_local(CpuMeter::process(local.pid()))
        , m_remote(CpuMeter::process(remote.pid()))
    {
    }
    CpuUse used() const { return {m_self.used(), m_local.used(), m_remote.used()}; }

private:
    CpuMeter m_self;
    CpuMeter m_local;
    CpuMeter m_remote;
};

struct DrainResult
{
    enum class Outcome { Failed, Timeout, Done };
    Outcome outcome = Outcome::Failed;
    QString error;
    qint64 entries = 0;
    double seconds = 0;
    qint64 remoteLength = -1; // after the drain (and, for the engine, after its stop)
    qint64 pending = -1;
    bool endsIdentical = false; // first and last entries equal on both sides
    quint64 duplicatesSkipped = 0;
    quint64 writeErrors = 0;
    CpuUse cpu;

    double rate() const { return outcome == Outcome::Done ? double(entries) / seconds : 0; }
    bool exactlyOnce() const { return remoteLength == entries && pending == 0 && endsIdentical; }
};

void checkResult(DrainResult &result, quint16 localPort, quint16 remotePort)
{
    BlockingRedis local(localPort);
    BlockingRedis remote(remotePort);
    result.remoteLength = streamLength(remote);
    result.pending = groupPending(local);
    result.endsIdentical = !endEntryFields(local, false).isEmpty()
        && endEntryFields(local, false) == endEntryFields(remote, false)
        && endEntryFields(local, true) == endEntryFields(remote, true);
}

DrainResult drainWithEngine(const EventPool &pool, const Options &options)
{
    DrainResult result;
    result.entries = options.entries;
    RedisServer local;
    RedisServer remote;
    if (!startWithBacklog(local, remote, pool, options.entries, &result.error))
        return result;

    BlockingRedis localProbe(local.port());
    BlockingRedis remoteProbe(remote.port());
    EngineHost host;
    host.add(new SyncEngine(engineConfig(local, remote, options), host.board()));
    const DrainCpuMeter cpu(local, remote);
    QElapsedTimer clock;
    clock.start();
    host.startAll();
    // Polled from this thread: two tiny commands, next to nothing for the servers.
    result.outcome = DrainResult::Outcome::Timeout;
    (void)QTest::qWaitFor(
        [&] {
            if (streamLength(remoteProbe) < options.entries || groupPending(localProbe) != 0)
                return false;
            result.seconds = double(clock.nsecsElapsed()) / 1e9;
            result.outcome = DrainResult::Outcome::Done;
            return true;
        },
        drainTimeoutMs);
    result.cpu = cpu.used();
    if (const auto snapshot = syncSnapshot(host)) {
        for (const SyncStreamStats &s : snapshot->streams) {
            result.duplicatesSkipped += s.duplicatesSkipped;
            result.writeErrors += s.writeErrors;
        }
    }
    if (!stopHost(host))
        progress(u"  the engine did not stop in time"_s);
    checkResult(result, local.port(), remote.port());
    return result;
}

// The naive loop: one synchronous connection per server, a batch read, its XADDs pipelined,
// one XACK, and again. No idempotence, no ordering across restarts, no back pressure.
DrainResult drainWithBaseline(const EventPool &pool, const Options &options)
{
    DrainResult result;
    result.entries = options.entries;
    RedisServer localServer;
    RedisServer remoteServer;
    if (!startWithBacklog(localServer, remoteServer, pool, options.entries, &result.error))
        return result;

    const DrainCpuMeter cpu(localServer, remoteServer);
    QElapsedTimer clock;
    clock.start();
    BlockingRedis local(localServer.port());
    BlockingRedis remote(remoteServer.port());
    local.command({"XGROUP", "CREATE", stream, group, "0", "MKSTREAM"});
    const QByteArray count = QByteArray::number(options.readerBatchSize);
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    auto push = [&](QByteArrayView value) {
        argv.push_back(value.data());
        lengths.push_back(size_t(value.size()));
    };
    result.outcome = DrainResult::Outcome::Timeout;
    while (clock.elapsed() < drainTimeoutMs) {
        const Reply read = local.command(
            {"XREADGROUP", "GROUP", group, "baseline", "COUNT", count, "STREAMS", stream, ">"});
        if (isError(read)) {
            result.error = u"baseline read: "_s + errorOf(read, local);
            result.outcome = DrainResult::Outcome::Failed;
            break;
        }
        if (read->type != REDIS_REPLY_ARRAY || read->elements == 0
            || read->element[0]->element[1]->elements == 0) {
            result.seconds = double(clock.nsecsElapsed()) / 1e9;
            result.outcome = DrainResult::Outcome::Done;
            break;
        }
        const redisReply *entries = read->element[0]->element[1];
        for (size_t i = 0; i < entries->elements; ++i) {
            const redisReply *fields = entries->element[i]->element[1];
            argv.clear();
            lengths.clear();
            push("XADD");
            push(stream);
            push("*");
            for (size_t f = 0; f < fields->elements; ++f)
                push(viewOf(fields->element[f]));
            remote.append(argv, lengths);
        }
        bool written = true;
        for (size_t i = 0; i < entries->elements; ++i) {
            const Reply reply = remote.next();
            if (isError(reply)) {
                result.error = u"baseline write: "_s + errorOf(reply, remote);
                written = false;
            }
        }
        if (!written) {
            result.outcome = DrainResult::Outcome::Failed;
            break;
        }
        argv.clear();
        lengths.clear();
        push("XACK");
        push(stream);
        push(group);
        for (size_t i = 0; i < entries->elements; ++i)
            push(viewOf(entries->element[i]->element[0]));
        local.append(argv, lengths);
        const Reply acked = local.next();
        if (isError(acked)) {
            result.error = u"baseline ack: "_s + errorOf(acked, local);
            result.outcome = DrainResult::Outcome::Failed;
            break;
        }
    }
    result.cpu = cpu.used();
    checkResult(result, localServer.port(), remoteServer.port());
    return result;
}

// ---------------------------------------------------------------------------------------------
// Latency at a paced rate

struct LatencyResult
{
    bool ok = false;
    QString error;
    int rate = 0;
    qint64 sent = 0;
    qint64 received = 0;
    double producerSeconds = 0;
    double p50Ms = 0;
    double p99Ms = 0;
    double maxMs = 0;
    double engineP50Ms = 0;
    double engineP99Ms = 0;
};

LatencyResult measureLatency(const EventPool &pool, int rate, const Options &options)
{
    LatencyResult result;
    result.rate = rate;
    RedisServer local;
    RedisServer remote;
    if (!startServer(local, &result.error) || !startServer(remote, &result.error))
        return result;
    EngineHost host;
    host.add(new SyncEngine(engineConfig(local, remote, options), host.board()));
    host.startAll();

    // One event through first: the engine is connected, its group and script are ready.
    BlockingRedis producer(local.port());
    BlockingRedis remoteProbe(remote.port());
    producer.command({"XADD", stream, "*", "Event-Name", "HEARTBEAT", eventDate,
                      QByteArray::number(nowMicros())});
    (void)QTest::qWaitFor([&] { return streamLength(remoteProbe) >= 1; }, 15000);
    const Reply last = remoteProbe.command({"XREVRANGE", stream, "+", "-", "COUNT", "1"});
    if (!last || last->type != REDIS_REPLY_ARRAY || last->elements != 1) {
        result.error = u"the engine did not replicate a first event within 15 s"_s;
        stopHost(host);
        return result;
    }
    const QByteArray firstId = viewOf(last->element[0]->element[0]).toByteArray();

    const qint64 total = qint64(rate) * options.latencySeconds;
    // The reader: blocked on the remote stream, it takes the time of arrival of every entry
    // against the producer's timestamp (same machine, same clock).
    std::vector<qint64> latencies;
    latencies.reserve(size_t(total));
    std::atomic<bool> stopReading {false};
    std::unique_ptr<QThread> reader(QThread::create([&] {
        BlockingRedis redis(remote.port(), 5000);
        QByteArray lastId = firstId;
        QDeadlineTimer deadline(qint64(options.latencySeconds) * 1000 + 30000);
        while (qint64(latencies.size()) < total && !stopReading && !deadline.hasExpired()
               && redis.isConnected()) {
            const Reply reply = redis.command(
                {"XREAD", "COUNT", "1000", "BLOCK", "200", "STREAMS", stream, lastId});
            const qint64 arrived = nowMicros();
            if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements == 0)
                continue;
            const redisReply *entries = reply->element[0]->element[1];
            for (size_t i = 0; i < entries->elements; ++i) {
                const redisReply *fields = entries->element[i]->element[1];
                for (size_t f = 0; f + 1 < fields->elements; f += 2) {
                    if (viewOf(fields->element[f]) == QByteArrayView(eventDate)) {
                        latencies.push_back(arrived - viewOf(fields->element[f + 1]).toLongLong());
                        break;
                    }
                }
            }
            lastId = viewOf(entries->element[entries->elements - 1]->element[0]).toByteArray();
        }
    }));
    reader->start();

    // The producer: each event written at its own moment, t0 + i / rate, with the time of the
    // write as its Event-Date-Timestamp; events that fell due while it slept go out together.
    using Clock = std::chrono::steady_clock;
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    const Clock::time_point start = Clock::now();
    while (result.sent < total && result.error.isEmpty()) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        const qint64 due = std::min(total, qint64(elapsed * rate) + 1);
        const qint64 burst = due - result.sent;
        for (qint64 i = 0; i < burst; ++i) {
            const QList<QByteArray> &fields =
                pool.fields[size_t(result.sent + i) % pool.fields.size()];
            argv = {"XADD", stream.constData(), "*"};
            lengths = {4, size_t(stream.size()), 1};
            const QByteArray stamp = QByteArray::number(nowMicros());
            for (qsizetype f = 0; f < fields.size(); ++f) {
                const bool isStamp = f % 2 == 1 && fields[f - 1] == eventDate;
                const QByteArray &value = isStamp ? stamp : fields[f];
                argv.push_back(value.constData());
                lengths.push_back(size_t(value.size()));
            }
            producer.append(argv, lengths); // formatted (copied) here: `stamp` may go
        }
        for (qint64 i = 0; i < burst; ++i) {
            const Reply reply = producer.next();
            if (isError(reply))
                result.error = u"producer: "_s + errorOf(reply, producer);
        }
        result.sent += burst;
        std::this_thread::sleep_until(start
                                      + std::chrono::microseconds(result.sent * 1000000 / rate));
    }
    result.producerSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (!reader->wait(QDeadlineTimer(qint64(options.latencySeconds) * 1000 + 35000))) {
        // Its XREAD blocks for 200 ms at most and its socket times out after 5 s.
        stopReading = true;
        reader->wait(10000);
    }
    reader.reset();
    result.received = qint64(latencies.size());

    // The engine's own view: its snapshot (published every 250 ms) holds the histogram. Wait
    // until it has counted what the reader received, 2 s at most.
    (void)QTest::qWaitFor(
        [&] {
            const auto snapshot = syncSnapshot(host);
            return snapshot && !snapshot->streams.isEmpty()
                && qint64(snapshot->streams.constFirst().latency.count()) >= result.received;
        },
        2000);
    if (const auto snapshot = syncSnapshot(host); snapshot && !snapshot->streams.isEmpty()) {
        result.engineP50Ms = snapshot->streams.constFirst().latency.quantile(0.5) * 1000;
        result.engineP99Ms = snapshot->streams.constFirst().latency.quantile(0.99) * 1000;
    }
    stopHost(host);

    if (latencies.empty()) {
        if (result.error.isEmpty())
            result.error = u"no event reached the remote"_s;
        return result;
    }
    std::sort(latencies.begin(), latencies.end());
    auto quantile = [&latencies](double q) {
        const size_t rank = size_t(std::ceil(q * double(latencies.size())));
        return double(latencies[std::clamp<size_t>(rank, 1, latencies.size()) - 1]) / 1000.0;
    };
    result.p50Ms = quantile(0.5);
    result.p99Ms = quantile(0.99);
    result.maxMs = double(latencies.back()) / 1000.0;
    result.ok = result.error.isEmpty();
    return result;
}

// ---------------------------------------------------------------------------------------------
// Memory of a node while a large backlog waits behind a stopped remote

struct RssResult
{
    bool ok = false;
    QString error;
    double maxRssMb = 0;
    double maxAtSeconds = 0;
    double lastRssMb = 0; // at the end of the sampling: flat, or still growing?
    int samples = 0;
    qint64 queueSize = -1;
    bool backPressure = false;
    double localRedisMb = 0; // what the local redis-server needed for the backlog
    double fillSeconds = 0;
};

RssResult measureRss(const EventPool &pool, const Options &options)
{
    RssResult result;
    // SwitchboardProcess starts what SWITCHBOARD_BINARY names.
    const QString binary = chooseSwitchboardBinary();
    if (!QFileInfo(binary).isExecutable()) {
        result.error =
            u"no switchboard binary at %1 (build it, or set SWITCHBOARD_BINARY)"_s.arg(binary);
        return result;
    }

    RedisServer local;
    RedisServer remote;
    if (!startServer(local, &result.error) || !startServer(remote, &result.error))
        return result;
    progress(u"RSS: filling a backlog of %1 entries"_s.arg(grouped(options.rssEntries)));
    QElapsedTimer fillClock;
    fillClock.start();
    if (!fillBacklog(local.port(), pool, options.rssEntries, &result.error))
        return result;
    result.fillSeconds = double(fillClock.elapsed()) / 1000.0;
    {
        BlockingRedis probe(local.port());
        const Reply info = probe.command({"INFO", "memory"});
        for (const QByteArray &line : viewOf(info.get()).toByteArray().split('\n')) {
            if (line.startsWith("used_memory:"))
                result.localRedisMb = line.mid(12).trimmed().toDouble() / 1024.0 / 1024.0;
        }
    }
    const QString remoteAddr = remote.addr();
    remote.kill(); // stopped before the node starts: nothing will be confirmed

    QTemporaryDir configHome; // no user configuration file can change the figures
    const quint16 httpPort = freeLoopbackPort();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"XDG_CONFIG_HOME"_s, configHome.path());
    env.insert(u"REDIS_LOCAL_ADDR"_s, local.addr());
    env.insert(u"REDIS_LOCAL_DB"_s, u"0"_s);
    env.insert(u"REDIS_REMOTE_ADDR"_s, remoteAddr);
    env.insert(u"REDIS_REMOTE_DB"_s, u"0"_s);
    env.insert(u"PORT"_s, QString::number(httpPort));
    SwitchboardProcess node;
    node.setEnvironment(env);
    if (!node.start({u"--headless"_s, u"--engines"_s, u"sync"_s})) {
        result.error = u"switchboard did not start"_s;
        return result;
    }
    const qint64 pid = node.pid();
    progress(
        u"RSS: switchboard pid %1, sampling VmRSS for %2 s"_s.arg(pid).arg(options.rssSeconds));
    QElapsedTimer clock;
    clock.start();
    bool exited = false;
    while (clock.elapsed() < qint64(options.rssSeconds) * 1000) {
        const double rss = rssMegabytes(pid);
        if (rss > result.maxRssMb) {
            result.maxRssMb = rss;
            result.maxAtSeconds = double(clock.elapsed()) / 1000.0;
        }
        if (rss > 0)
            result.lastRssMb = rss;
        ++result.samples;
        // Waiting on the process is the pause between samples; it also reads its output.
        if (node.waitForFinished(500)) {
            exited = true;
            break;
        }
    }
    if (exited) {
        result.error =
            u"switchboard exited early: "_s + QString::fromLocal8Bit(node.output().right(2000));
        return result;
    }
    const HttpResult status = httpGet(httpPort, "/api/v1/status", 5000);
    const QJsonObject sync = QJsonDocument::fromJson(status.body)
                                 .object()
                                 .value(u"engines"_s)
                                 .toObject()
                                 .value(u"sync"_s)
                                 .toObject();
    result.queueSize = qint64(sync.value(u"queue_size"_s).toDouble(-1));
    result.backPressure = sync.value(u"back_pressure"_s).toBool();
    node.stop();
    result.ok = status.status == 200;
    if (!result.ok)
        result.error = u"GET /api/v1/status answered %1"_s.arg(status.status);
    return result;
}

// ---------------------------------------------------------------------------------------------
// The table

QString rateCell(const std::vector<DrainResult> &results)
{
    std::vector<double> rates;
    bool timedOut = false;
    bool failed = false;
    for (const DrainResult &r : results) {
        if (r.outcome == DrainResult::Outcome::Done)
            rates.push_back(r.rate());
        timedOut = timedOut || r.outcome == DrainResult::Outcome::Timeout;
        failed = failed || r.outcome == DrainResult::Outcome::Failed;
    }
    if (results.empty())
        return u"-"_s; // not run (--side)
    if (rates.empty())
        return timedOut ? u"timeout"_s : u"failed"_s;
    QString cell = grouped(qRound64(median(rates))) + u"/s"_s;
    if (timedOut || failed)
        cell += u"*"_s; // some runs did not finish: the median is of the others
    return cell;
}

QString row(const QString &label, const QString &engine, const QString &baseline = {},
            const QString &ratio = {})
{
    QString line =
        label.leftJustified(42) + engine.leftJustified(16) + baseline.leftJustified(16) + ratio;
    while (line.endsWith(u' '))
        line.chop(1);
    return line;
}

struct ShapeReport
{
    QString label;
    std::vector<DrainResult> engine;
    std::vector<DrainResult> baseline;
};

QString checkLine(const QString &who, const std::vector<DrainResult> &results)
{
    QStringList problems;
    quint64 duplicates = 0;
    quint64 errors = 0;
    for (size_t i = 0; i < results.size(); ++i) {
        const DrainResult &r = results[i];
        duplicates += r.duplicatesSkipped;
        errors += r.writeErrors;
        if (!r.error.isEmpty())
            problems << u"run %1: %2"_s.arg(i + 1).arg(r.error);
        else if (!r.exactlyOnce())
            problems << u"run %1: remote XLEN %2 of %3, %4 pending, ends %5"_s.arg(i + 1)
                            .arg(r.remoteLength)
                            .arg(r.entries)
                            .arg(r.pending)
                            .arg(r.endsIdentical ? u"identical"_s : u"DIFFER"_s);
    }
    QString line = u"  %1: "_s.arg(who);
    if (problems.isEmpty())
        line += u"exactly once in every run (remote XLEN = backlog, 0 pending, first/last entries "
                u"identical)"_s;
    else
        line += u"MISMATCH: "_s + problems.join(u"; "_s);
    if (who == u"engine"_s)
        line += u", %1 duplicates skipped, %2 write errors"_s.arg(duplicates).arg(errors);
    return line;
}

// CPU per entry over the finished runs, in microseconds.
QString cpuLine(const std::vector<DrainResult> &engine, const std::vector<DrainResult> &baseline)
{
    auto perEntry = [](const std::vector<DrainResult> &results) {
        CpuUse sum;
        double entries = 0;
        double seconds = 0;
        for (const DrainResult &r : results) {
            if (r.outcome != DrainResult::Outcome::Done)
                continue;
            sum.self += r.cpu.self;
            sum.local += r.cpu.local;
            sum.remote += r.cpu.remote;
            entries += double(r.entries);
            seconds += r.seconds;
        }
        if (entries == 0)
            return u"-"_s;
        const double total = sum.self + sum.local + sum.remote;
        return u"%1 + %2 + %3 = %4 (%5 cores busy)"_s.arg(
            fixed(sum.self / entries * 1e6, 1), fixed(sum.local / entries * 1e6, 1),
            fixed(sum.remote / entries * 1e6, 1), fixed(total / entries * 1e6, 1),
            fixed(total / seconds, 2));
    };
    return u"  CPU us/entry, client + local redis + remote redis: engine %1; baseline %2"_s.arg(
        perEntry(engine), perEntry(baseline));
}

bool allExactlyOnce(const std::vector<DrainResult> &results)
{
    return std::all_of(results.begin(), results.end(), [](const DrainResult &r) {
        return r.outcome == DrainResult::Outcome::Failed || r.exactlyOnce();
    });
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"sync_bench"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Drain throughput of Switchboard's sync engine against a naive XREADGROUP → XADD → "
        u"XACK loop, replication latency at a paced rate, and a node's memory while a large "
        u"backlog waits behind a stopped remote. Starts its own redis-server processes."_s);
    parser.addHelpOption();
    const QCommandLineOption runsOption(u"runs"_s, u"Drains per shape and side (default 3)."_s,
                                        u"n"_s, u"3"_s);
    const QCommandLineOption entriesOption(
        u"entries"_s, u"Entries in each drained backlog (default 200000)."_s, u"n"_s, u"200000"_s);
    const QCommandLineOption latencySecondsOption(
        u"latency-seconds"_s, u"Seconds of paced traffic per rate (default 5)."_s, u"s"_s, u"5"_s);
    const QCommandLineOption ratesOption(
        u"latency-rates"_s, u"Paced rates in events/s, comma-separated (default 1000,10000)."_s,
        u"list"_s, u"1000,10000"_s);
    const QCommandLineOption writerWorkersOption(
        u"writer-workers"_s,
        u"WRITER_WORKERS: batches in flight to the remote (default the engine's, %1)."_s.arg(
            SyncConfig().writerWorkers),
        u"n"_s, QString::number(SyncConfig().writerWorkers));
    const QCommandLineOption readerBatchOption(
        u"reader-batch"_s,
        u"READER_BATCH_SIZE of the engine and COUNT of the baseline (default 1000)."_s, u"n"_s,
        u"1000"_s);
    const QCommandLineOption rssEntriesOption(
        u"rss-entries"_s, u"Backlog behind the stopped remote (default 1000000)."_s, u"n"_s,
        u"1000000"_s);
    const QCommandLineOption rssSecondsOption(
        u"rss-seconds"_s, u"How long RSS is sampled (default 10)."_s, u"s"_s, u"10"_s);
    const QCommandLineOption sideOption(
        u"side"_s, u"Drains to run: both, engine or baseline (default both; for profiling)."_s,
        u"side"_s, u"both"_s);
    const QCommandLineOption shapeOption(
        u"shape"_s, u"Backlog shapes to drain: both, json or fields (default both)."_s, u"shape"_s,
        u"both"_s);
    const QCommandLineOption skipDrainOption(u"skip-drain"_s, u"Skip the drain figures."_s);
    const QCommandLineOption skipLatencyOption(u"skip-latency"_s, u"Skip the latency figures."_s);
    const QCommandLineOption skipRssOption(u"skip-rss"_s,
                                           u"Skip the RSS figure (its fill takes a while)."_s);
    const QCommandLineOption verboseOption(u"verbose"_s, u"Show the engine's info logs."_s);
    parser.addOptions({runsOption, entriesOption, latencySecondsOption, ratesOption,
                       writerWorkersOption, readerBatchOption, rssEntriesOption, rssSecondsOption,
                       sideOption, shapeOption, skipDrainOption, skipLatencyOption, skipRssOption,
                       verboseOption});
    parser.process(app);

    Options options;
    options.runs = std::max(1, parser.value(runsOption).toInt());
    options.entries = std::max<qint64>(1, parser.value(entriesOption).toLongLong());
    options.latencySeconds = std::max(1, parser.value(latencySecondsOption).toInt());
    options.latencyRates.clear();
    for (const QString &rate : parser.value(ratesOption).split(u',', Qt::SkipEmptyParts)) {
        if (rate.toInt() > 0)
            options.latencyRates.append(rate.toInt());
    }
    options.writerWorkers = std::max(1, parser.value(writerWorkersOption).toInt());
    options.readerBatchSize = std::max(1, parser.value(readerBatchOption).toInt());
    options.rssEntries = std::max<qint64>(1, parser.value(rssEntriesOption).toLongLong());
    options.rssSeconds = std::max(1, parser.value(rssSecondsOption).toInt());
    const QString side = parser.value(sideOption);
    const QString shape = parser.value(shapeOption);
    if (!QStringList {u"both"_s, u"engine"_s, u"baseline"_s}.contains(side)
        || !QStringList {u"both"_s, u"json"_s, u"fields"_s}.contains(shape)) {
        progress(u"--side takes both, engine or baseline; --shape both, json or fields"_s);
        return 2;
    }
    options.drainEngine = side != u"baseline"_s;
    options.drainBaseline = side != u"engine"_s;
    options.drainJson = shape != u"fields"_s;
    options.drainFields = shape != u"json"_s;
    options.skipDrain = parser.isSet(skipDrainOption);
    options.skipLatency = parser.isSet(skipLatencyOption);
    options.skipRss = parser.isSet(skipRssOption);
    if (!parser.isSet(verboseOption))
        QLoggingCategory::setFilterRules(u"switchboard.*.info=false\nswitchboard.*.debug=false"_s);

    {
        // Fail early, and clearly, where there is no redis-server to measure with.
        RedisServer probe;
        QString error;
        if (!startServer(probe, &error)) {
            progress(u"cannot start redis-server: "_s + error);
            return 2;
        }
    }

    QStringList lines;
    bool correct = true;
    const EventPool jsonPool = makePool(Shape::JsonField, poolSize);
    const EventPool fieldsPool = makePool(Shape::ManyFields, poolSize);

    if (!options.skipDrain) {
        const QString size = options.entries % 1000 == 0 ? grouped(options.entries / 1000) + u"k"_s
                                                         : grouped(options.entries);
        std::vector<std::pair<const EventPool *, ShapeReport>> shapes;
        if (options.drainJson)
            shapes.push_back({&jsonPool,
                              {u"drain %1, 1 field (%2 KB JSON)"_s.arg(
                                   size, fixed(jsonPool.averageBytes / 1024, 1)),
                               {},
                               {}}});
        if (options.drainFields)
            shapes.push_back(
                {&fieldsPool,
                 {u"drain %1, ~%2 fields (%3 KB)"_s.arg(size, fixed(fieldsPool.averageFields, 0),
                                                        fixed(fieldsPool.averageBytes / 1024, 1)),
                  {},
                  {}}});
        for (auto &[pool, report] : shapes) {
            for (int run = 1; run <= options.runs; ++run) {
                auto describe = [&](const char *who, const DrainResult &r) {
                    progress(u"%1, run %2/%3, %4: %5"_s.arg(report.label)
                                 .arg(run)
                                 .arg(options.runs)
                                 .arg(QLatin1StringView(who))
                                 .arg(r.outcome == DrainResult::Outcome::Done
                                          ? u"%1/s (%2 s)"_s.arg(grouped(qRound64(r.rate())),
                                                                 fixed(r.seconds, 2))
                                          : r.outcome == DrainResult::Outcome::Timeout
                                          ? u"timeout"_s
                                          : u"failed: "_s + r.error));
                };
                if (options.drainEngine) {
                    report.engine.push_back(drainWithEngine(*pool, options));
                    describe("engine", report.engine.back());
                }
                if (options.drainBaseline) {
                    report.baseline.push_back(drainWithBaseline(*pool, options));
                    describe("baseline", report.baseline.back());
                }
            }
            std::vector<double> engineRates;
            std::vector<double> baselineRates;
            for (const DrainResult &r : report.engine) {
                if (r.outcome == DrainResult::Outcome::Done)
                    engineRates.push_back(r.rate());
            }
            for (const DrainResult &r : report.baseline) {
                if (r.outcome == DrainResult::Outcome::Done)
                    baselineRates.push_back(r.rate());
            }
            const QString ratio = engineRates.empty() || baselineRates.empty()
                ? u"-"_s
                : fixed(median(engineRates) / median(baselineRates), 2) + u"x"_s;
            lines << row(report.label, rateCell(report.engine), rateCell(report.baseline), ratio);
            if (!report.engine.empty())
                lines << checkLine(u"engine"_s, report.engine);
            if (!report.baseline.empty())
                lines << checkLine(u"baseline"_s, report.baseline);
            lines << cpuLine(report.engine, report.baseline);
            correct = correct && allExactlyOnce(report.engine);
        }
    }

    if (!options.skipLatency) {
        for (int rate : options.latencyRates) {
            // One 5 s sample is noisy on a shared box: repeat it and report the run whose p99
            // is the median, with every run's p99 beside it.
            QList<LatencyResult> runs;
            for (int run = 1; run <= options.runs; ++run) {
                progress(u"latency at %1 events/s for %2 s, run %3/%4"_s.arg(rate)
                             .arg(options.latencySeconds)
                             .arg(run)
                             .arg(options.runs));
                runs.append(measureLatency(fieldsPool, rate, options));
            }
            std::sort(runs.begin(), runs.end(), [](const LatencyResult &a, const LatencyResult &b) {
                return a.p99Ms < b.p99Ms;
            });
            QStringList p99s;
            for (const LatencyResult &run : runs)
                p99s << fixed(run.p99Ms, 2);
            const LatencyResult r = runs.at(runs.size() / 2);
            const QString label = u"latency @%1/s   p50 / p99 / max"_s.arg(rate);
            if (r.received == 0) {
                lines << row(label, u"failed: "_s + r.error);
                continue;
            }
            lines << row(
                label,
                u"%1 / %2 / %3 ms"_s.arg(fixed(r.p50Ms, 2), fixed(r.p99Ms, 2), fixed(r.maxMs, 1)));
            QString detail = u"  %1 sent in %2 s, %3 received; engine's histogram p50 / p99: "
                             u"%4 / %5 ms"_s.arg(grouped(r.sent), fixed(r.producerSeconds, 2),
                                                 grouped(r.received), fixed(r.engineP50Ms, 2),
                                                 fixed(r.engineP99Ms, 2));
            if (!r.error.isEmpty())
                detail += u" (%1)"_s.arg(r.error);
            lines << detail;
            lines << u"  median of %1 runs by p99; every run's p99: %2 ms"_s.arg(runs.size())
                         .arg(p99s.join(u", "_s));
        }
    }

    if (!options.skipRss) {
        const RssResult r = measureRss(fieldsPool, options);
        const QString size = options.rssEntries % 1000000 == 0
            ? grouped(options.rssEntries / 1000000) + u"M"_s
            : grouped(options.rssEntries);
        const QString label = u"RSS, %1 backlog, remote stopped"_s.arg(size);
        if (!r.ok) {
            lines << row(label, u"failed: "_s + r.error);
        } else {
            lines << row(label,
                         u"max %1 MB (queue_size %2%3)"_s.arg(
                             fixed(r.maxRssMb, 0), grouped(r.queueSize),
                             r.backPressure ? u", back pressure"_s : QString()));
            lines << u"  VmRSS every 500 ms for %1 s: max at %2 s, %3 MB at the end; the local "
                     u"redis-server used %4 MB for the backlog (filled in %5 s)"_s
                         .arg(options.rssSeconds)
                         .arg(fixed(r.maxAtSeconds, 1), fixed(r.lastRssMb, 0),
                              fixed(r.localRedisMb, 0), fixed(r.fillSeconds, 1));
        }
    }

    std::printf("\n%s\n",
                qPrintable(row(u"sync_bench  (runs=%1, medians)"_s.arg(options.runs), u"engine"_s,
                               u"baseline"_s, u"ratio"_s)));
    for (const QString &line : lines)
        std::printf("%s\n", qPrintable(line));
    std::printf("\noptions: %s\n", qPrintable(QCoreApplication::arguments().mid(1).join(u' ')));
    std::printf("settings: --runs %d --entries %lld --side %s --shape %s --latency-seconds %d "
                "--latency-rates %s --writer-workers %d --reader-batch %d --rss-entries %lld "
                "--rss-seconds %d%s%s%s\n",
                options.runs, static_cast<long long>(options.entries), qPrintable(side),
                qPrintable(shape), options.latencySeconds, qPrintable(parser.value(ratesOption)),
                options.writerWorkers, options.readerBatchSize,
                static_cast<long long>(options.rssEntries), options.rssSeconds,
                options.skipDrain ? " --skip-drain" : "",
                options.skipLatency ? " --skip-latency" : "", options.skipRss ? " --skip-rss" : "");
    std::printf("engine: SyncConfig defaults but READER_BATCH_SIZE and WRITER_WORKERS above; "
                "servers: redis-server, fresh per measurement, no persistence; %d cores\n",
                QThread::idealThreadCount());
    std::fflush(stdout);
    // A slow figure is never a failure; entries lost or duplicated by the engine are.
    return correct ? 0 : 1;
}
