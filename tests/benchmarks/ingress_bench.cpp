// ingress_bench: how many POST /events a Switchboard node answers 202 (after the JetStream ack)
// compared with a bare QHttpServer that answers 202 to the same POST without doing anything, and
// how fast and how soon the accepted events reach two local webhook endpoints.
//
// Everything is real and local: wrk (the load generator) against the real switchboard binary
// (--headless --engines ingress), its own nats-server -js, and two WebhookSinks in this process
// standing in for the endpoints. The baseline is this same executable started again as a child
// with --baseline-server PORT, so that both servers are separate processes the load crosses a
// socket to. Every switchboard measurement gets a fresh nats-server (JetStream store in a new
// temporary directory) and a fresh node with its own stream name: no measurement inherits a
// backlog, a consumer or disk use from the one before.
//
// Built with the project, run by hand (tests/benchmarks/run-ingress-bench.sh); the figures go to
// stdout as a table, progress to stderr. A slow figure is reported, never failed.

#include "benchfigures.h"
#include "childprocess.h"
#include "core/localstack.h"
#include "cpumeter.h"
#include "http/httpclient.h"
#include "serverprocess.h"
#include "webhooksink.h"
#include "wrkrun.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMap>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

using namespace Switchboard;
using namespace Switchboard::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int nodeReadyTimeoutMs = 20000;
constexpr int drainTimeoutMs = 60000; // end-to-end: how long the backlog may take after wrk
constexpr int quietMs = 3000; // sinks not growing this long: nothing more is coming
constexpr double steadyAfterSeconds = 2; // end-to-end rate counted from here to wrk's end
constexpr qint64 probeEvents = 1; // sent by Node::start(), counted in the node's "published"
const QByteArray domain = "vietanh.cloudgo.vn";
const QByteArray seedCallId = "d1570d38-edc3-4751-a32d-63a30e95c57a";

struct Options
{
    int runs = 3;
    int durationSeconds = 10;
    QList<int> connections {50, 200};
    int endToEndConnections = 50;
    int rate = 5000;
    int latencySeconds = 10;
    int latencyConnections = 64;
    int wrkThreads = 2;
    int postMaxInFlight = 0; // ingress.max_in_flight of the POST figures; 0: the engine's default
    bool skipPost = false;
    bool skipSustained = false;
    bool skipLatency = false;
    bool verbose = false;
};

// Nanoseconds of std::chrono::steady_clock: the clock WebhookSink stamps arrivals with.
qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The seed's example body (README of the Go Event Hub, POST /events), with its call_id replaced.
QByteArray seedBody(QByteArrayView callId = seedCallId)
{
    return "{\n"
           "  \"actual_hotline\": \"\",\n"
           "  \"billsec\": \"62\",\n"
           "  \"call_id\": \""
        + callId.toByteArray()
        + "\",\n"
          "  \"crm_contact_id\": \"\",\n"
          "  \"direction\": \"inbound\",\n"
          "  \"domain\": \""
        + domain
        + "\",\n"
          "  \"duration\": \"63\",\n"
          "  \"from_number\": \"0914315989\",\n"
          "  \"hotline\": \"02743857008\",\n"
          "  \"network\": \"vina\",\n"
          "  \"provider\": \"\",\n"
          "  \"receive_dest\": \"2006\",\n"
          "  \"sip_call_id\": \"7bcP02218160402mbeGhEfCjIjJ0m@10.202.49.38\",\n"
          "  \"sip_hangup_disposition\": \"recv_bye\",\n"
          "  \"state\": \"missed\",\n"
          "  \"status\": \"busy-line\",\n"
          "  \"time_ended\": \"2026-01-04 16:19:14\",\n"
          "  \"time_started\": \"2026-01-04 16:18:12\",\n"
          "  \"to_number\": \"\"\n"
          "}";
}

// ---------------------------------------------------------------------------------------------
// CPU accounting

// Where the CPU of one measurement went, in cores busy (CPU seconds / wall seconds): the server
// measured (switchboard or the baseline), nats-server, wrk, and this process (the two sinks and,
// for the latency, the paced generator), and the rest of the machine: softirq work and any other
// process (a build running beside the benchmark shows here). On a 2-core box their sum says
// whether the machine, not the design, set the pace.
struct CpuSplit
{
    double server = 0;
    double nats = 0;
    double wrk = 0;
    double bench = 0;
    double machine = 0; // every CPU of the box
    double seconds = 0;
    QMap<QString, double> serverThreads;

    QString threadsText() const
    {
        QStringList parts;
        for (auto it = serverThreads.cbegin(); it != serverThreads.cend(); ++it) {
            if (seconds > 0 && it.value() / seconds >= 0.005)
                parts << u"%1 %2"_s.arg(it.key(), fixed(it.value() / seconds, 2));
        }
        return parts.isEmpty() ? u"-"_s : parts.join(u", "_s);
    }

    QString text(bool withNats) const
    {
        if (seconds <= 0)
            return u"-"_s;
        QString line = u"server %1"_s.arg(fixed(server / seconds, 2));
        if (withNats)
            line += u", nats-server %1"_s.arg(fixed(nats / seconds, 2));
        if (wrk > 0)
            line += u", wrk %1"_s.arg(fixed(wrk / seconds, 2));
        line += u", bench %1"_s.arg(fixed(bench / seconds, 2));
        const double rest = std::max(0.0, machine - server - nats - wrk - bench);
        line += u", rest of the box %1 (busy %2 of %3 cores)"_s.arg(fixed(rest / seconds, 2))
                    .arg(fixed(machine / seconds, 2))
                    .arg(QThread::idealThreadCount());
        return line;
    }
};

// Where the CPU goes from its construction on, split as CpuSplit says.
class CpuSplitMeter
{
public:
    CpuSplitMeter(qint64 serverPid, qint64 natsPid)
        : m_serverPid(serverPid)
        , m_server(CpuMeter::process(serverPid))
        , m_nats(CpuMeter::process(natsPid))
        , m_wrk(CpuMeter::reapedChildren())
        , m_bench(CpuMeter::self())
        , m_machine(CpuMeter::machine())
        , m_serverThreads(threadCpuSeconds(serverPid))
        , m_clock(steadyNowNs())
    {
    }
    CpuSplit used() const
    {
        CpuSplit split {m_server.used(),
                        m_nats.used(),
                        m_wrk.used(),
                        m_bench.used(),
                        m_machine.used(),
                        double(steadyNowNs() - m_clock) / 1e9,
                        threadCpuSeconds(m_serverPid)};
        for (auto it = split.serverThreads.begin(); it != split.serverThreads.end(); ++it)
            it.value() = std::max(0.0, it.value() - m_serverThreads.value(it.key()));
        return split;
    }

private:
    qint64 m_serverPid;
    CpuMeter m_server;
    CpuMeter m_nats;
    CpuMeter m_wrk;
    CpuMeter m_bench;
    CpuMeter m_machine;
    QMap<QString, double> m_serverThreads; // at the start
    qint64 m_clock;
};

// ---------------------------------------------------------------------------------------------
// The baseline: a bare QHttpServer answering 202 to POST /events, in a child process

int runBaselineServer(quint16 port)
{
    QHttpServer server;
    server.route(u"/events"_s, QHttpServerRequest::Method::Post, [](const QHttpServerRequest &) {
        return QHttpServerResponse(QByteArrayLiteral("application/json"),
                                   QByteArrayLiteral("{\"status\":\"accepted\"}"),
                                   QHttpServerResponse::StatusCode::Accepted);
    });
    return serveBaseline(server, port);
}

// ---------------------------------------------------------------------------------------------
// A Switchboard node: its own nats-server -js and the switchboard binary running ingress only

QJsonObject ingressStatus(quint16 port)
{
    const HttpResult result = httpGet(port, "/api/v1/status", 2000);
    return QJsonDocument::fromJson(result.body)
        .object()
        .value(u"engines"_s)
        .toObject()
        .value(u"ingress"_s)
        .toObject();
}

qint64 counter(const QJsonObject &status, const QString &name)
{
    return qint64(status.value(name).toDouble(-1));
}

class Node
{
public:
    ~Node() { stop(); }

    // Starts nats-server and switchboard with a route for the seed's domain to both sinks, waits
    // until ingress consumes, and sends one event through to both sinks (then clears them).
    // maxInFlight > 0 sets ingress.max_in_flight (the consumer's MaxAckPending).
    bool start(int phase, const QList<WebhookSink *> &sinks, const Options &options, QString *error,
               int maxInFlight = 0)
    {
        if (!m_nats.start()) {
            *error = u"nats-server: "_s + m_nats.error();
            return false;
        }
        m_port = freeLoopbackPort();
        m_stream = u"bench-%1"_s.arg(phase);
        QString endpoints;
        for (const WebhookSink *sink : sinks)
            endpoints += u"      - \"%1\"\n"_s.arg(sink->url());
        const QString yaml =
            u"server:\n"
            u"  port: %1\n"
            u"  bind: 127.0.0.1\n"
            u"log:\n"
            u"  level: %2\n"
            u"nats:\n"
            u"  url: \"%3\"\n"
            u"  stream_name: \"%4\"\n"
            u"  subject_pattern: \"bench.signal.*\"\n"
            u"  consumer_name: \"%4\"\n"
            u"  ack_wait_seconds: 10\n"
            u"  max_deliveries: 3\n"
            u"routes:\n"
            u"  - domain: \"%5\"\n"
            u"    endpoints:\n"
            u"%6"
            u"local_stack:\n"
            u"  data_dir: \"%7\"\n"
            u"%8"_s.arg(m_port)
                .arg(options.verbose ? u"info"_s : u"warn"_s, m_nats.url(), m_stream,
                     QString::fromLatin1(domain), endpoints, m_dir.filePath(u"data"_s),
                     maxInFlight > 0 ? u"ingress:\n  max_in_flight: %1\n"_s.arg(maxInFlight)
                                     : QString());
        const QString configPath = m_dir.filePath(u"switchboard.yaml"_s);
        QFile config(configPath);
        if (!config.open(QIODevice::WriteOnly) || config.write(yaml.toUtf8()) < 0) {
            *error = u"cannot write "_s + configPath;
            return false;
        }
        config.close();

        // Only the file configures the node: no variable of this shell (PORT, NATS_URL...) and
        // no user configuration file may change the figures.
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const QString &name : environment.keys()) {
            if (name == u"PORT"_s || name == u"HEALTH_PORT"_s || name.startsWith(u"NATS_"_s)
                || name.startsWith(u"REDIS_"_s))
                environment.remove(name);
        }
        environment.insert(u"XDG_CONFIG_HOME"_s, m_dir.filePath(u"config"_s));
        environment.insert(u"XDG_DATA_HOME"_s, m_dir.filePath(u"data"_s));
        if (!m_switchboard.start(
                chooseSwitchboardBinary(),
                {u"--headless"_s, u"--engines"_s, u"ingress"_s, u"-config"_s, configPath},
                m_dir.filePath(u"switchboard.log"_s), environment)) {
            *error = u"switchboard did not start: "_s + chooseSwitchboardBinary();
            return false;
        }

        QDeadlineTimer ready(nodeReadyTimeoutMs);
        auto isReady = [this] {
            const QJsonObject status = ingressStatus(m_port);
            // (A build from before that field, measured as a baseline, has it connected.)
            return status.value(u"consuming"_s).toBool()
                && status.value(u"events_connected"_s).toBool(true);
        };
        while (!isReady()) {
            if (ready.hasExpired() || m_switchboard.waitForFinished(100)) {
                *error = u"ingress was not consuming within %1 ms; switchboard said: %2"_s
                             .arg(nodeReadyTimeoutMs)
                             .arg(m_switchboard.logTail());
                return false;
            }
        }
        const HttpResult probe =
            httpRequest(m_port, "POST", "/events", seedBody("bench-probe"), 5000);
        if (probe.status != 202) {
            *error = u"the probe POST /events answered %1: %2"_s.arg(probe.status)
                         .arg(QString::fromUtf8(probe.body));
            return false;
        }
        auto allHaveIt = [&] {
            return std::all_of(sinks.begin(), sinks.end(),
                               [](const WebhookSink *s) { return s->count() >= 1; });
        };
        if (!QTest::qWaitFor(allHaveIt, 10000)) {
            *error = u"the probe event did not reach both endpoints within 10 s"_s;
            return false;
        }
        for (WebhookSink *sink : sinks)
            sink->clear();
        return true;
    }

    void stop()
    {
        m_switchboard.stop();
        m_nats.stop();
    }

    quint16 port() const { return m_port; }
    qint64 pid() const { return m_switchboard.pid(); }
    qint64 natsPid() const { return m_nats.pid(); }
    QString stream() const { return m_stream; }
    QString logTail() const { return m_switchboard.logTail(); }

private:
    QTemporaryDir m_dir;
    NatsServer m_nats; // its own temporary JetStream store
    ChildProcess m_switchboard;
    quint16 m_port = 0;
    QString m_stream;
};

// ---------------------------------------------------------------------------------------------
// wrk

// wrk with a Lua script that POSTs the seed's body. `sample` is called about every 250 ms while
// it runs, with the seconds since its start.
WrkResult runWrk(quint16 port, int connections, const Options &options, const QString &scriptPath,
                 const std::function<void(double)> &sample = {})
{
    WrkOptions wrk;
    wrk.url = u"http://127.0.0.1:%1/events"_s.arg(port);
    wrk.threads = std::min(options.wrkThreads, connections);
    wrk.connections = connections;
    wrk.durationSeconds = options.durationSeconds;
    wrk.scriptPath = scriptPath;
    wrk.sample = sample;
    return Test::runWrk(wrk);
}

bool writeWrkScript(const QString &path)
{
    QFile script(path);
    if (!script.open(QIODevice::WriteOnly))
        return false;
    // The same request every time: per-request Lua would make wrk, which shares the CPU with the
    // servers, a slower generator. Ingress does not deduplicate on call_id.
    script.write("wrk.method = \"POST\"\n"
                 "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                 "wrk.body = [==["
                 + seedBody() + "]==]\n");
    return script.error() == QFile::NoError;
}

// ---------------------------------------------------------------------------------------------
// POST /events: switchboard and the baseline

struct PostRun
{
    QString error;
    WrkResult wrk;
    CpuSplit cpu;
    qint64 deliveredBoth = -1; // reached both sinks by wrk's end

    bool ok() const { return error.isEmpty() && wrk.ok(); }
};

PostRun postToBaseline(int connections, const Options &options, const QString &script)
{
    PostRun run;
    BaselineServer server;
    if (!server.start(&run.error))
        return run;
    const CpuSplitMeter cpu(server.pid(), 0);
    run.wrk = runWrk(server.port(), connections, options, script);
    run.cpu = cpu.used();
    run.error = run.wrk.error;
    return run;
}

PostRun postToSwitchboard(int connections, int phase, const QList<WebhookSink *> &sinks,
                          const Options &options, const QString &script)
{
    PostRun run;
    Node node;
    if (!node.start(phase, sinks, options, &run.error, options.postMaxInFlight))
        return run;
    const CpuSplitMeter cpu(node.pid(), node.natsPid());
    run.wrk = runWrk(node.port(), connections, options, script);
    run.cpu = cpu.used();
    run.error = run.wrk.error;
    run.deliveredBoth = std::min(sinks[0]->count(), sinks[1]->count());
    node.stop();
    for (WebhookSink *sink : sinks)
        sink->clear();
    return run;
}

// ---------------------------------------------------------------------------------------------
// End to end, sustained: wrk POSTs as fast as it is answered; the sinks count what arrives

struct SustainedRun
{
    QString error;
    WrkResult wrk;
    CpuSplit cpu;
    double rate = 0; // reaching both sinks, from steadyAfterSeconds to wrk's end
    double windowSeconds = 0;
    qint64 deliveredAtEnd = 0; // reached both sinks by wrk's end
    qint64 published = -1; // after the drain, the probe left out
    qint64 countA = 0; // after the drain
    qint64 countB = 0;
    double drainSeconds = 0;
    bool drained = false;
    qint64 redeliveries = -1;
    qint64 deadLetters = -1;
    qint64 consumerPending = -1;

    bool ok() const { return error.isEmpty() && wrk.ok(); }
};

SustainedRun measureSustained(int phase, const QList<WebhookSink *> &sinks, const Options &options,
                              const QString &script)
{
    SustainedRun run;
    Node node;
    if (!node.start(phase, sinks, options, &run.error))
        return run;
    auto both = [&] {
        return qint64(std::min(sinks[0]->count(), sinks[1]->count()));
    };
    double firstAt = -1;
    qint64 firstCount = 0;
    double lastAt = 0;
    qint64 lastCount = 0;
    const CpuSplitMeter cpu(node.pid(), node.natsPid());
    run.wrk = runWrk(node.port(), options.endToEndConnections, options, script, [&](double t) {
        const qint64 count = both();
        if (firstAt < 0 && t >= steadyAfterSeconds) {
            firstAt = t;
            firstCount = count;
        }
        lastAt = t;
        lastCount = count;
    });
    run.cpu = cpu.used();
    run.deliveredAtEnd = both();
    if (!run.wrk.ok()) {
        run.error = run.wrk.error;
        return run;
    }
    if (firstAt >= 0 && lastAt > firstAt) {
        run.windowSeconds = lastAt - firstAt;
        run.rate = double(lastCount - firstCount) / run.windowSeconds;
    }

    // The backlog: wait until both sinks have every published event, or stop growing. The
    // engine's counters are a snapshot refreshed every 250 ms, so `published` is read again
    // while waiting and only trusted once it has been read well after wrk's end.
    const qint64 drainStart = steadyNowNs();
    qint64 lastGrowthNs = drainStart;
    qint64 lastStatusNs = 0;
    qint64 seen = both();
    (void)QTest::qWaitFor(
        [&] {
            const qint64 now = both();
            if (now != seen) {
                seen = now;
                lastGrowthNs = steadyNowNs();
            }
            if (steadyNowNs() - lastStatusNs > 300000000) {
                lastStatusNs = steadyNowNs();
                run.published = counter(ingressStatus(node.port()), u"published"_s) - probeEvents;
            }
            if (run.published >= 0 && now >= run.published
                && lastStatusNs - drainStart > 600000000) {
                run.drained = true;
                return true;
            }
            return steadyNowNs() - lastGrowthNs > qint64(quietMs) * 1000000;
        },
        drainTimeoutMs);
    run.drainSeconds = double(lastGrowthNs - drainStart) / 1e9; // to the last arrival
    const QJsonObject status = ingressStatus(node.port());
    run.published = counter(status, u"published"_s) - probeEvents;
    run.redeliveries = counter(status, u"redeliveries"_s);
    run.deadLetters = counter(status, u"dead_letters_no_route"_s)
        + counter(status, u"dead_letters_max_deliveries"_s);
    run.consumerPending = counter(status, u"consumer_pending"_s);
    run.countA = sinks[0]->count();
    run.countB = sinks[1]->count();
    node.stop();
    for (WebhookSink *sink : sinks)
        sink->clear();
    return run;
}

// ---------------------------------------------------------------------------------------------
// End to end at a paced rate: from the POST to the arrival at each endpoint

struct LatencyRun
{
    QString error;
    qint64 total = 0;
    qint64 sent = 0;
    qint64 accepted = 0; // answered 202
    qint64 otherAnswers = 0;
    QString firstOtherAnswer;
    double producerSeconds = 0;
    qint64 receivedA = 0; // distinct events of this run
    qint64 receivedB = 0;
    qint64 duplicates = 0;
    qint64 samples = 0;
    double p50Ms = 0;
    double p99Ms = 0;
    double maxMs = 0;
    double engineP50Ms = 0; // the node's forward latency histogram
    double engineP99Ms = 0;
    CpuSplit cpu;

    bool ok() const { return error.isEmpty() && samples > 0; }
};

LatencyRun measureLatency(int phase, const QList<WebhookSink *> &sinks, const Options &options)
{
    LatencyRun run;
    Node node;
    if (!node.start(phase, sinks, options, &run.error))
        return run;
    run.total = qint64(options.rate) * options.latencySeconds;
    const QByteArray idPrefix = "lat-" + QByteArray::number(phase) + '-';
    std::vector<qint64> sentNs(size_t(run.total), 0);

    const CpuSplitMeter cpu(node.pid(), node.natsPid());
    {
        QEventLoop loop; // before the client: the client's callbacks refer to it
        HttpClientOptions clientOptions;
        clientOptions.maxConnectionsPerHost = options.latencyConnections;
        clientOptions.userAgent = "ingress_bench";
        HttpClient client(clientOptions);
        const QUrl url(u"http://127.0.0.1:%1/events"_s.arg(node.port()));
        const HttpClient::Headers headers {{"Content-Type", "application/json"}};
        qint64 answered = 0;
        QTimer tick;
        tick.setTimerType(Qt::PreciseTimer);
        tick.setInterval(1);
        const qint64 startNs = steadyNowNs();
        // Every tick sends what the schedule owes by now: event i is due at start + i / rate.
        auto pump = [&] {
            const qint64 elapsedNs = steadyNowNs() - startNs;
            const qint64 due = std::min(run.total, elapsedNs * options.rate / 1000000000 + 1);
            for (; run.sent < due; ++run.sent) {
                const qint64 index = run.sent;
                const QByteArray body = seedBody(idPrefix + QByteArray::number(index));
                sentNs[size_t(index)] = steadyNowNs();
                client.post(url, headers, body, std::chrono::milliseconds(10000),
                            [&](const HttpClientResponse &response) {
                                ++answered;
                                if (response.status == 202) {
                                    ++run.accepted;
                                } else {
                                    ++run.otherAnswers;
                                    if (run.firstOtherAnswer.isEmpty())
                                        run.firstOtherAnswer = response.error.isEmpty()
                                            ? u"HTTP %1"_s.arg(response.status)
                                            : response.error;
                                }
                                if (run.sent == run.total && answered == run.total)
                                    loop.quit();
                            });
            }
            if (run.sent == run.total) {
                tick.stop();
                run.producerSeconds = double(steadyNowNs() - startNs) / 1e9;
            }
        };
        QObject::connect(&tick, &QTimer::timeout, &client, pump);
        QTimer::singleShot(options.latencySeconds * 1000 + 30000, &loop, &QEventLoop::quit);
        tick.start();
        pump();
        loop.exec();
        if (answered < run.total)
            run.error = u"%1 of %2 POSTs unanswered after %3 s"_s.arg(run.total - answered)
                            .arg(run.total)
                            .arg(options.latencySeconds + 30);
    }

    // Every accepted event should reach both sinks; wait until it has, or nothing more comes.
    auto both = [&] {
        return qint64(std::min(sinks[0]->count(), sinks[1]->count()));
    };
    qint64 seen = -1;
    QElapsedTimer quiet;
    quiet.start();
    (void)QTest::qWaitFor(
        [&] {
            if (both() != seen) {
                seen = both();
                quiet.restart();
            }
            return both() >= run.accepted || quiet.elapsed() >= quietMs;
        },
        30000);
    run.cpu = cpu.used();
    const QJsonObject status = ingressStatus(node.port());
    run.engineP50Ms = status.value(u"forward_p50_ms"_s).toDouble();
    run.engineP99Ms = status.value(u"forward_p99_ms"_s).toDouble();
    node.stop();

    std::vector<qint64> latencies;
    latencies.reserve(size_t(run.total) * 2);
    for (int s = 0; s < 2; ++s) {
        std::vector<bool> seenIds(size_t(run.total), false);
        qint64 distinct = 0;
        for (const Received &received : sinks[s]->received()) {
            const QByteArray id = received.header("X-Event-Id");
            if (!id.startsWith(idPrefix))
                continue;
            bool ok = false;
            const qint64 index = id.mid(idPrefix.size()).toLongLong(&ok);
            if (!ok || index < 0 || index >= run.total || sentNs[size_t(index)] == 0)
                continue;
            if (seenIds[size_t(index)]) {
                ++run.duplicates; // a redelivery: the first arrival is the latency
                continue;
            }
            seenIds[size_t(index)] = true;
            ++distinct;
            latencies.push_back(received.arrivedNs - sentNs[size_t(index)]);
        }
        (s == 0 ? run.receivedA : run.receivedB) = distinct;
        sinks[s]->clear();
    }
    run.samples = qint64(latencies.size());
    if (latencies.empty()) {
        if (run.error.isEmpty())
            run.error = u"no event reached an endpoint"_s;
        return run;
    }
    std::sort(latencies.begin(), latencies.end());
    auto quantile = [&latencies](double q) {
        const size_t rank = size_t(std::ceil(q * double(latencies.size())));
        return double(latencies[std::clamp<size_t>(rank, 1, latencies.size()) - 1]) / 1e6;
    };
    run.p50Ms = quantile(0.5);
    run.p99Ms = quantile(0.99);
    run.maxMs = double(latencies.back()) / 1e6;
    return run;
}

// ---------------------------------------------------------------------------------------------
// The table

QString row(const QString &label, const QString &what, const QString &switchboard,
            const QString &baseline = {}, const QString &ratio = {})
{
    // A long label (the heading) may run into the second column.
    QString line = (label.leftJustified(32) + what).leftJustified(52)
        + switchboard.leftJustified(22) + baseline.leftJustified(20) + ratio;
    while (line.endsWith(u' '))
        line.chop(1);
    return line;
}

QString rateCell(double rate)
{
    return grouped(qRound64(rate)) + u"/s"_s;
}

QString metOrNot(bool met)
{
    return met ? u"met"_s : u"NOT met"_s;
}

template<typename Run>
std::vector<double> collect(const std::vector<Run> &runs, double (*value)(const Run &))
{
    std::vector<double> values;
    for (const Run &run : runs) {
        if (run.ok())
            values.push_back(value(run));
    }
    return values;
}

QString list(const std::vector<double> &values, int decimals, bool rates = false)
{
    QStringList parts;
    for (double v : values)
        parts << (rates ? grouped(qRound64(v)) : fixed(v, decimals));
    return parts.isEmpty() ? u"-"_s : parts.join(u", "_s);
}

QString errors(const QString &who, const std::vector<PostRun> &runs)
{
    QStringList problems;
    for (size_t i = 0; i < runs.size(); ++i) {
        if (!runs[i].ok())
            problems << u"run %1: %2"_s.arg(i + 1).arg(runs[i].error);
    }
    return problems.isEmpty() ? QString() : u"  %1 FAILED: %2"_s.arg(who, problems.join(u"; "_s));
}

// The run whose value is the median (the lower one of an even count).
template<typename Run>
const Run *medianRun(const std::vector<Run> &runs, double (*value)(const Run &))
{
    std::vector<const Run *> ok;
    for (const Run &run : runs) {
        if (run.ok())
            ok.push_back(&run);
    }
    if (ok.empty())
        return nullptr;
    std::sort(ok.begin(), ok.end(),
              [value](const Run *a, const Run *b) { return value(*a) < value(*b); });
    return ok[(ok.size() - 1) / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    // The same event dispatcher as switchboard's (Qt's own rather than GLib's, see
    // app/main.cpp) for the baseline server and for this process, so that the ratio compares
    // the servers and not the dispatchers.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"ingress_bench"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"POST /events of a Switchboard node (202 after the JetStream ack) against a bare "
        u"QHttpServer answering 202, and end-to-end delivery to two local endpoints: sustained "
        u"rate and latency at a paced rate. Starts its own nats-server, switchboard and wrk."_s);
    parser.addHelpOption();
    const QCommandLineOption runsOption(u"runs"_s, u"Runs of every measurement (default 3)."_s,
                                        u"n"_s, u"3"_s);
    const QCommandLineOption durationOption(
        u"duration"_s, u"Seconds of wrk per measurement (default 10)."_s, u"s"_s, u"10"_s);
    const QCommandLineOption connectionsOption(
        u"connections"_s,
        u"wrk connections of the POST figures, comma-separated (default 50,200)."_s, u"list"_s,
        u"50,200"_s);
    const QCommandLineOption endToEndConnectionsOption(
        u"e2e-connections"_s, u"wrk connections of the sustained end-to-end figure (default 50)."_s,
        u"n"_s, u"50"_s);
    const QCommandLineOption rateOption(
        u"rate"_s, u"Events/s of the paced latency figure (default 5000)."_s, u"n"_s, u"5000"_s);
    const QCommandLineOption latencySecondsOption(
        u"latency-seconds"_s, u"Seconds of paced traffic (default 10)."_s, u"s"_s, u"10"_s);
    const QCommandLineOption latencyConnectionsOption(
        u"latency-connections"_s, u"Connections of the paced generator (default 64)."_s, u"n"_s,
        u"64"_s);
    const QCommandLineOption wrkThreadsOption(u"wrk-threads"_s, u"wrk -t (default 2)."_s, u"n"_s,
                                              u"2"_s);
    const QCommandLineOption postMaxInFlightOption(
        u"post-max-in-flight"_s,
        u"ingress.max_in_flight of the POST figures' nodes (default: the engine's). A small "
        u"value holds forwarding back, to see what POST /events costs alone."_s,
        u"n"_s, u"0"_s);
    const QCommandLineOption skipPostOption(u"skip-post"_s, u"Skip the POST /events figures."_s);
    const QCommandLineOption skipSustainedOption(u"skip-sustained"_s,
                                                 u"Skip the sustained end-to-end figure."_s);
    const QCommandLineOption skipLatencyOption(u"skip-latency"_s,
                                               u"Skip the paced end-to-end latency figure."_s);
    const QCommandLineOption verboseOption(u"verbose"_s,
                                           u"switchboard logs at info (in its log file)."_s);
    const QCommandLineOption baselineOption(
        u"baseline-server"_s, u"Internal: serve the baseline on this port until SIGTERM."_s,
        u"port"_s);
    parser.addOptions({runsOption, durationOption, connectionsOption, endToEndConnectionsOption,
                       rateOption, latencySecondsOption, latencyConnectionsOption, wrkThreadsOption,
                       postMaxInFlightOption, skipPostOption, skipSustainedOption,
                       skipLatencyOption, verboseOption, baselineOption});
    parser.process(app);

    if (parser.isSet(baselineOption))
        return runBaselineServer(quint16(parser.value(baselineOption).toUInt()));

    Options options;
    options.runs = std::max(1, parser.value(runsOption).toInt());
    options.durationSeconds = std::max(3, parser.value(durationOption).toInt());
    options.connections.clear();
    for (const QString &n : parser.value(connectionsOption).split(u',', Qt::SkipEmptyParts)) {
        if (n.toInt() > 0)
            options.connections.append(n.toInt());
    }
    options.endToEndConnections = std::max(1, parser.value(endToEndConnectionsOption).toInt());
    options.rate = std::max(1, parser.value(rateOption).toInt());
    options.latencySeconds = std::max(1, parser.value(latencySecondsOption).toInt());
    options.latencyConnections = std::max(1, parser.value(latencyConnectionsOption).toInt());
    options.wrkThreads = std::max(1, parser.value(wrkThreadsOption).toInt());
    options.postMaxInFlight = std::max(0, parser.value(postMaxInFlightOption).toInt());
    options.skipPost = parser.isSet(skipPostOption);
    options.skipSustained = parser.isSet(skipSustainedOption);
    options.skipLatency = parser.isSet(skipLatencyOption);
    options.verbose = parser.isSet(verboseOption);
    QLoggingCategory::setFilterRules(u"switchboard.*.info=false\nswitchboard.*.debug=false"_s);

    // Fail early, and clearly, where something to measure with is missing.
    if (QStandardPaths::findExecutable(u"wrk"_s).isEmpty()) {
        progress(u"wrk is not installed (apt-get install wrk; run-ingress-bench.sh does it)"_s);
        return 2;
    }
    if (!QFileInfo(LocalStack::locate(u"nats-server"_s)).isExecutable()) {
        progress(u"nats-server is not installed (installer/install-deps.sh)"_s);
        return 2;
    }
    if (!QFileInfo(chooseSwitchboardBinary()).isExecutable()) {
        progress(u"no switchboard binary at %1 (build it, or set SWITCHBOARD_BINARY)"_s.arg(
            chooseSwitchboardBinary()));
        return 2;
    }
    QTemporaryDir scratch;
    const QString script = scratch.filePath(u"post.lua"_s);
    if (!scratch.isValid() || !writeWrkScript(script)) {
        progress(u"cannot write the wrk script into a temporary directory"_s);
        return 2;
    }
    WebhookSink sinkA;
    WebhookSink sinkB;
    if (!sinkA.start() || !sinkB.start()) {
        progress(u"cannot start the webhook sinks"_s);
        return 2;
    }
    sinkA.setRecordBodies(false);
    sinkB.setRecordBodies(false);
    const QList<WebhookSink *> sinks {&sinkA, &sinkB};

    int phase = 0;
    QStringList lines;
    QStringList details;
    QStringList targets;

    if (!options.skipPost) {
        std::vector<std::vector<PostRun>> switchboardRuns(size_t(options.connections.size()));
        std::vector<std::vector<PostRun>> baselineRuns(size_t(options.connections.size()));
        for (int run = 1; run <= options.runs; ++run) {
            for (qsizetype c = 0; c < options.connections.size(); ++c) {
                const int connections = options.connections[c];
                auto describe = [&](const char *who, const PostRun &r) {
                    progress(u"POST /events, %1 connections, run %2/%3, %4: %5"_s.arg(connections)
                                 .arg(run)
                                 .arg(options.runs)
                                 .arg(QLatin1StringView(who))
                                 .arg(r.ok()
                                          ? u"%1 2xx/s, p50 %2 ms, p99 %3 ms, %4 non-2xx"_s
                                                .arg(grouped(qRound64(r.wrk.acceptedPerSecond())))
                                                .arg(fixed(r.wrk.p50Ms, 2))
                                                .arg(fixed(r.wrk.p99Ms, 2))
                                                .arg(r.wrk.non2xx)
                                          : u"failed: "_s + r.error));
                };
                baselineRuns[size_t(c)].push_back(postToBaseline(connections, options, script));
                describe("baseline", baselineRuns[size_t(c)].back());
                switchboardRuns[size_t(c)].push_back(
                    postToSwitchboard(connections, ++phase, sinks, options, script));
                describe("switchboard", switchboardRuns[size_t(c)].back());
            }
        }
        for (qsizetype c = 0; c < options.connections.size(); ++c) {
            const std::vector<PostRun> &sb = switchboardRuns[size_t(c)];
            const std::vector<PostRun> &base = baselineRuns[size_t(c)];
            auto rate = [](const PostRun &r) {
                return r.wrk.acceptedPerSecond();
            };
            auto p50 = [](const PostRun &r) {
                return r.wrk.p50Ms;
            };
            auto p99 = [](const PostRun &r) {
                return r.wrk.p99Ms;
            };
            const std::vector<double> sbRates = collect<PostRun>(sb, rate);
            const std::vector<double> baseRates = collect<PostRun>(base, rate);
            const QString label = u"POST /events, %1 conn"_s.arg(options.connections[c]);
            const bool both = !sbRates.empty() && !baseRates.empty();
            const double ratio = both ? median(sbRates) / median(baseRates) : 0;
            lines << row(label, u"2xx/s"_s,
                         sbRates.empty() ? u"failed"_s : rateCell(median(sbRates)),
                         baseRates.empty() ? u"failed"_s : rateCell(median(baseRates)),
                         both ? fixed(ratio, 2) + u"x"_s : u"-"_s);
            auto latencyCell = [&](const std::vector<PostRun> &runs) {
                if (collect<PostRun>(runs, p50).empty())
                    return u"-"_s;
                return fixed(median(collect<PostRun>(runs, p50)), 2) + u" / "_s
                    + fixed(median(collect<PostRun>(runs, p99)), 2);
            };
            lines << row(QString(), u"p50 / p99 ms"_s, latencyCell(sb), latencyCell(base));

            QStringList non2xx;
            QStringList socket;
            QStringList delivered;
            for (const PostRun &r : sb) {
                non2xx << grouped(r.wrk.non2xx);
                socket << u"%1+%2"_s.arg(r.wrk.socketErrors).arg(r.wrk.timeouts);
                delivered << u"%1 of %2"_s.arg(grouped(r.deliveredBoth), grouped(r.wrk.accepted()));
            }
            QStringList baseNon2xx;
            for (const PostRun &r : base)
                baseNon2xx << grouped(r.wrk.non2xx);
            details << u"POST /events, %1 connections:"_s.arg(options.connections[c]);
            details << u"  2xx/s of every run: switchboard %1; baseline %2"_s.arg(
                list(sbRates, 0, true), list(baseRates, 0, true));
            details << u"  non-2xx per run: switchboard %1 (socket errors+timeouts %2); "
                       u"baseline %3"_s.arg(non2xx.join(u", "_s), socket.join(u", "_s),
                                            baseNon2xx.join(u", "_s));
            details << u"  switchboard forwarded while POSTed (reached both sinks by wrk's end, "
                       u"of the 2xx wrk counted): %1"_s.arg(delivered.join(u"; "_s));
            if (const PostRun *m = medianRun<PostRun>(sb, rate)) {
                details << u"  cores busy, median switchboard run: %1"_s.arg(m->cpu.text(true));
                details << u"    switchboard's threads by name (cnats' take their creator's): %1"_s
                               .arg(m->cpu.threadsText());
            }
            if (const PostRun *m = medianRun<PostRun>(base, rate))
                details << u"  cores busy, median baseline run: %1"_s.arg(m->cpu.text(false));
            for (const QString &e : {errors(u"switchboard"_s, sb), errors(u"baseline"_s, base)}) {
                if (!e.isEmpty())
                    details << e;
            }
            if (both)
                targets << u"POST /events, %1 connections, >= 0.6x the baseline: %2x, %3"_s
                               .arg(options.connections[c])
                               .arg(fixed(ratio, 2), metOrNot(ratio >= 0.6));
        }
    }

    if (!options.skipSustained) {
        std::vector<SustainedRun> runs;
        for (int run = 1; run <= options.runs; ++run) {
            runs.push_back(measureSustained(++phase, sinks, options, script));
            const SustainedRun &r = runs.back();
            progress(u"end-to-end sustained, %1 connections, run %2/%3: %4"_s
                         .arg(options.endToEndConnections)
                         .arg(run)
                         .arg(options.runs)
                         .arg(r.ok() ? u"%1 ev/s to both, %2 2xx/s POSTed, drained %3 in %4 s"_s
                                           .arg(grouped(qRound64(r.rate)))
                                           .arg(grouped(qRound64(r.wrk.acceptedPerSecond())))
                                           .arg(r.drained ? u"all"_s : u"NOT all"_s)
                                           .arg(fixed(r.drainSeconds, 1))
                                     : u"failed: "_s + r.error));
        }
        auto rate = [](const SustainedRun &r) {
            return r.rate;
        };
        const std::vector<double> rates = collect<SustainedRun>(runs, rate);
        lines << row(u"end-to-end, 2 endpoints"_s, u"sustained ev/s"_s,
                     rates.empty() ? u"failed"_s : rateCell(median(rates)));
        details << u"end-to-end sustained (wrk, %1 connections, POSTing as fast as answered):"_s
                       .arg(options.endToEndConnections);
        details << u"  delivered to both endpoints per second, %1 s to wrk's end, every run: %2"_s
                       .arg(fixed(steadyAfterSeconds, 0), list(rates, 0, true));
        for (size_t i = 0; i < runs.size(); ++i) {
            const SustainedRun &r = runs[i];
            if (!r.ok()) {
                details << u"  run %1 FAILED: %2"_s.arg(i + 1).arg(r.error);
                continue;
            }
            const qint64 lost = std::max<qint64>(0, r.published - std::min(r.countA, r.countB));
            const qint64 backlog = std::max<qint64>(0, r.wrk.accepted() - r.deliveredAtEnd);
            details
                << u"  run %1: wrk counted %2 2xx (%3/s, %4 non-2xx); %5 had reached both "
                   u"endpoints by its end (backlog %6); %7, the last arrival %8 s after wrk's end"_s
                       .arg(i + 1)
                       .arg(grouped(r.wrk.accepted()), grouped(qRound64(r.wrk.acceptedPerSecond())),
                            grouped(r.wrk.non2xx), grouped(r.deliveredAtEnd), grouped(backlog),
                            r.drained ? u"drained"_s : u"stopped growing"_s,
                            fixed(r.drainSeconds, 1));
            details << u"         endpoint A %1, B %2 of %3 published%4; redeliveries %5, dead "
                       u"letters %6"_s.arg(grouped(r.countA), grouped(r.countB),
                                           grouped(r.published),
                                           lost ? u" (%1 MISSING)"_s.arg(grouped(lost)) : QString(),
                                           grouped(r.redeliveries), grouped(r.deadLetters));
        }
        if (const SustainedRun *m = medianRun<SustainedRun>(runs, rate)) {
            details << u"  cores busy, median run: %1"_s.arg(m->cpu.text(true));
            details << u"    switchboard's threads by name (cnats' take their creator's): %1"_s.arg(
                m->cpu.threadsText());
        }
        if (!rates.empty())
            targets << u"end-to-end >= 20 000 events/s: %1/s, %2"_s.arg(
                grouped(qRound64(median(rates))), metOrNot(median(rates) >= 20000));
    }

    if (!options.skipLatency) {
        std::vector<LatencyRun> runs;
        for (int run = 1; run <= options.runs; ++run) {
            runs.push_back(measureLatency(++phase, sinks, options));
            const LatencyRun &r = runs.back();
            progress(u"end-to-end at %1/s for %2 s, run %3/%4: %5"_s.arg(options.rate)
                         .arg(options.latencySeconds)
                         .arg(run)
                         .arg(options.runs)
                         .arg(r.ok() ? u"p50 %1 ms, p99 %2 ms, max %3 ms"_s.arg(
                                  fixed(r.p50Ms, 2), fixed(r.p99Ms, 2), fixed(r.maxMs, 1))
                                     : u"failed: "_s + r.error));
        }
        auto p99 = [](const LatencyRun &r) {
            return r.p99Ms;
        };
        const LatencyRun *m = medianRun<LatencyRun>(runs, p99);
        const QString label = u"end-to-end @%1/s"_s.arg(options.rate);
        lines << row(
            label, u"p50 / p99 / max ms"_s,
            m ? u"%1 / %2 / %3"_s.arg(fixed(m->p50Ms, 2), fixed(m->p99Ms, 2), fixed(m->maxMs, 1))
              : u"failed"_s);
        details << u"end-to-end at %1 events/s (paced HttpClient, %2 connections, unique call_id, "
                   u"POST to arrival at each endpoint):"_s.arg(options.rate)
                       .arg(options.latencyConnections);
        details << u"  median of %1 runs by p99; every run's p99: %2 ms"_s.arg(runs.size())
                       .arg(list(collect<LatencyRun>(runs, p99), 2));
        if (m) {
            details << u"  median run: %1 sent in %2 s, %3 answered 202, %4 otherwise%5; "
                       u"endpoint A received %6, B %7 distinct, %8 duplicates; engine's forward "
                       u"p50 / p99 %9 / %10 ms"_s
                           .arg(grouped(m->sent), fixed(m->producerSeconds, 2),
                                grouped(m->accepted), grouped(m->otherAnswers),
                                m->firstOtherAnswer.isEmpty()
                                    ? QString()
                                    : u" (first: %1)"_s.arg(m->firstOtherAnswer),
                                grouped(m->receivedA), grouped(m->receivedB),
                                grouped(m->duplicates))
                           .arg(fixed(m->engineP50Ms, 2), fixed(m->engineP99Ms, 2));
            details << u"  cores busy, median run: %1"_s.arg(m->cpu.text(true));
            details << u"    switchboard's threads by name (cnats' take their creator's): %1"_s.arg(
                m->cpu.threadsText());
            targets << u"p99 < 50 ms at %1 events/s: %2 ms, %3"_s.arg(options.rate)
                           .arg(fixed(m->p99Ms, 2), metOrNot(m->p99Ms < 50));
        }
        for (size_t i = 0; i < runs.size(); ++i) {
            if (!runs[i].error.isEmpty())
                details << u"  run %1: %2"_s.arg(i + 1).arg(runs[i].error);
        }
    }

    std::printf(
        "\n%s\n",
        qPrintable(row(u"ingress_bench  (runs=%1, medians, %2 s of wrk each)"_s.arg(options.runs)
                           .arg(options.durationSeconds),
                       QString(), u"switchboard"_s, u"baseline"_s, u"ratio"_s)));
    for (const QString &line : lines)
        std::printf("%s\n", qPrintable(line));
    std::printf("\n");
    for (const QString &line : details)
        std::printf("%s\n", qPrintable(line));
    std::printf("\ntargets (reported, never failed):\n");
    for (const QString &line : targets)
        std::printf("  %s\n", qPrintable(line));
    std::printf("\noptions: %s\n", qPrintable(QCoreApplication::arguments().mid(1).join(u' ')));
    std::printf(
        "settings: --runs %d --duration %d --connections %s --e2e-connections %d --rate %d "
        "--latency-seconds %d --latency-connections %d --wrk-threads %d --post-max-in-flight %d\n",
        options.runs, options.durationSeconds, qPrintable(parser.value(connectionsOption)),
        options.endToEndConnections, options.rate, options.latencySeconds,
        options.latencyConnections, options.wrkThreads, options.postMaxInFlight);
    std::printf(
        "setup: every switchboard measurement starts a fresh nats-server -js (file store in a new "
        "temporary directory) and a fresh switchboard --headless --engines ingress (stream "
        "bench-N, route %s -> 2 WebhookSinks in this process); the node forwards what it accepts "
        "while it is measured, as in production. Baseline: a bare QHttpServer (backlog 4096) in a "
        "child process answering 202 {\"status\":\"accepted\"}. wrk -t%d --timeout 10s, body: "
        "the seed's example (%lld bytes). 2xx/s counts only 2xx answers. %d cores.\n",
        domain.constData(), options.wrkThreads, static_cast<long long>(seedBody().size()),
        QThread::idealThreadCount());
    std::fflush(stdout);
    return 0;
}
