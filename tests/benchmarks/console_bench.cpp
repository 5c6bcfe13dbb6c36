// console_bench: the console's main window, offscreen, fed by synthetic nodes (4 nodes x 4
// status documents a second, 10 sync streams and 50 ingress endpoints each) for a while. Prints
// the GUI thread's CPU share, the longest status update and the longest event-loop stall (what
// an operator would feel as a frozen window), and RSS over time. The first 3 s (the window's
// first show and layout) are reported apart from the steady state.
//
//   console_bench [--seconds N] [--nodes N] [--streams N] [--endpoints N]
//
// Baseline, measured in the same run: the same feed with no window (the sources alone), so the
// window's own cost is the difference.

#include "consolesettings.h"
#include "mainwindow.h"
#include "nodesource.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <sys/resource.h>
#include <unistd.h>

using namespace Switchboard;
using namespace Qt::Literals::StringLiterals;

namespace {

struct Shape
{
    int streams = 10;
    int endpoints = 50;
};

// A node that only exists in this process: its status documents are made up, with the shape
// and the moving parts of a real one (lag, latency, rates, failures, dead letters, logs).
class SyntheticNodeSource : public NodeSource
{
public:
    SyntheticNodeSource(int index, Shape shape, QObject *parent = nullptr)
        : NodeSource(parent)
        , m_index(index)
        , m_shape(shape)
    {
    }

    QString displayName() const override { return u"node-%1:8080"_s.arg(m_index); }
    QUrl baseUrl() const override { return QUrl(u"http://node-%1:8080"_s.arg(m_index)); }
    bool isLocal() const override { return m_index == 0; }
    void start() override { }
    void request(const QByteArray &, const QString &, QObject *, Reply reply) override
    {
        reply(404, {{u"error"_s, u"not_found"_s}});
    }

    // Times the update the window does for one document (its slots run inside the emit).
    qint64 feed()
    {
        const QJsonObject document = next();
        QElapsedTimer clock;
        clock.start();
        setStatus(document);
        return clock.nsecsElapsed();
    }

private:
    QJsonObject next()
    {
        ++m_tick;
        QRandomGenerator *random = QRandomGenerator::global();
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        QJsonArray streams;
        for (int i = 0; i < m_shape.streams; ++i) {
            streams.append(QJsonObject {
                {u"stream"_s, u"freeswitch:events:%1"_s.arg(i)},
                {u"lag"_s, random->bounded(200)},
                {u"latency_p50_ms"_s, 0.5 + random->bounded(1.0)},
                {u"latency_p99_ms"_s, 3 + random->bounded(10.0)},
                {u"rate"_s, 40 + random->bounded(20)},
                {u"read_errors"_s, 0},
                {u"write_errors"_s, m_tick / 100},
                {u"replicated"_s, m_tick * 50},
                {u"last_sync"_s, now},
                {u"consumers"_s, 2},
                {u"group_pending"_s, random->bounded(50)},
            });
        }
        QJsonArray endpoints;
        for (int i = 0; i < m_shape.endpoints; ++i) {
            m_failures.resize(m_shape.endpoints);
            if (random->bounded(10) == 0)
                ++m_failures[i];
            endpoints.append(QJsonObject {
                {u"domain"_s, u"tenant-%1.example.vn"_s.arg(i % 10)},
                {u"url"_s, u"https://hooks.tenant-%1.example.vn/endpoint/%2"_s.arg(i % 10).arg(i)},
                {u"delivered"_s, m_tick * 3},
                {u"failures"_s, m_failures[i]},
                {u"http_errors"_s, m_failures[i]},
                {u"timeouts"_s, 0},
                {u"connection_errors"_s, 0},
                {u"last_status"_s, 200},
                {u"last_error"_s, m_failures[i] ? u"HTTP 503: maintenance"_s : QString()},
                {u"last_success"_s, now},
                {u"last_failure"_s, m_failures[i] ? now : QString()},
            });
        }
        QJsonArray deadLetters;
        for (int i = 0; i < 10; ++i) {
            deadLetters.append(QJsonObject {
                {u"id"_s, QString::number(1000 - i)},
                {u"event_id"_s, u"event-%1"_s.arg(i)},
                {u"domain"_s, u"unrouted.example.com"_s},
                {u"reason"_s, u"no_route"_s},
                {u"deliveries"_s, 1},
                {u"failed_endpoints"_s, 0},
                {u"last_error"_s, u"no route for domain \"unrouted.example.com\""_s},
                {u"received_at"_s, now},
                {u"failed_at"_s, now},
            });
        }
        QJsonArray logs;
        for (int i = 0; i < 20; ++i) {
            logs.append(QJsonObject {{u"time"_s, now},
                                     {u"level"_s, u"warning"_s},
                                     {u"category"_s, u"switchboard.ingress"_s},
                                     {u"message"_s, u"forward failed: endpoint %1"_s.arg(i)}});
        }
        const bool ingressHealthy = (m_tick / 40) % 2 == 0; // turns red and back now and then
        return QJsonObject {
            {u"node"_s,
             QJsonObject {{u"host"_s, displayName()},
                          {u"pid"_s, 1000 + m_index},
                          {u"version"_s, u"0.1.0"_s},
                          {u"status"_s, u"healthy"_s}}},
            {u"health"_s,
             QJsonObject {
                 {u"sync"_s, QJsonObject {{u"status"_s, u"healthy"_s}}},
                 {u"ingress"_s,
                  ingressHealthy ? QJsonObject {{u"status"_s, u"healthy"_s}}
                                 : QJsonObject {{u"status"_s, u"unhealthy"_s},
                                                {u"reason"_s, u"NATS is not connected"_s}}},
             }},
            {u"engines"_s,
             QJsonObject {
                 {u"sync"_s,
                  QJsonObject {{u"streams"_s, streams},
                               {u"status"_s, u"healthy"_s},
                               {u"reason"_s, QString()},
                               {u"last_sync"_s, now}}},
                 {u"ingress"_s,
                  QJsonObject {{u"endpoints"_s, endpoints},
                               {u"latest_dead_letters"_s, deadLetters},
                               {u"healthy"_s, ingressHealthy},
                               {u"received"_s, m_tick * 10},
                               {u"published"_s, m_tick * 10},
                               {u"redeliveries"_s, m_tick},
                               {u"dead_letters_no_route"_s, 10},
                               {u"dead_letters_max_deliveries"_s, 0},
                               {u"events_per_second"_s, 40.0},
                               {u"forward_p50_ms"_s, 0.3},
                               {u"forward_p99_ms"_s, 4.0}}},
             }},
            {u"logs"_s, logs},
        };
    }

    int m_index;
    Shape m_shape;
    qint64 m_tick = 0;
    QList<qint64> m_failures;
};

double threadCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_THREAD, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double rssMegabytes()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? double(fields[1].toLongLong()) * double(sysconf(_SC_PAGESIZE)) / 1e6
                             : 0;
}

struct Run
{
    // The first seconds: the window is shown, laid out and painted for the first time, and
    // every table and chart gets its first rows. Reported apart from the steady state.
    double warmUpStallMs = 0;
    double warmUpUpdateMs = 0;
    // The steady state, after the warm-up.
    double cpuShare = 0; // of one core, GUI thread
    double longestUpdateMs = 0;
    double p99UpdateMs = 0;
    double longestStallMs = 0;
    int slowFrames = 0; // event-loop stalls over 16 ms
    QList<double> rssMb; // every 10 s
    qint64 documents = 0;
};

constexpr int probeMs = 10;
constexpr qint64 warmUpNs = 3'000'000'000;

// Feeds `sources` four times a second for `seconds`, with or without the window.
Run feed(const QList<SyntheticNodeSource *> &sources, int seconds)
{
    Run run;
    QList<qint64> updates;
    QElapsedTimer clock;
    clock.start();
    double cpuStart = threadCpuSeconds();
    qint64 steadyStartNs = 0;

    // Event-loop stalls, what an operator feels as a frozen window: a timer that notes how
    // late it fires.
    qint64 lastProbe = clock.nsecsElapsed();
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double stallMs = double(now - lastProbe) / 1e6 - probeMs;
        if (now < warmUpNs) {
            run.warmUpStallMs = std::max(run.warmUpStallMs, stallMs);
        } else {
            run.longestStallMs = std::max(run.longestStallMs, stallMs);
            if (stallMs > 16)
                ++run.slowFrames;
        }
        lastProbe = now;
    });
    probe.start(probeMs);

    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const bool warmingUp = clock.nsecsElapsed() < warmUpNs;
        if (!warmingUp && steadyStartNs == 0) {
            steadyStartNs = clock.nsecsElapsed();
            cpuStart = threadCpuSeconds();
        }
        for (SyntheticNodeSource *source : sources) {
            const qint64 ns = source->feed();
            if (warmingUp)
                run.warmUpUpdateMs = std::max(run.warmUpUpdateMs, double(ns) / 1e6);
            else
                updates.append(ns);
            ++run.documents;
        }
    });
    tick.start(250);

    QTimer rss;
    QObject::connect(&rss, &QTimer::timeout, [&] { run.rssMb.append(rssMegabytes()); });
    rss.start(10000);
    run.rssMb.append(rssMegabytes());

    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();

    run.cpuShare =
        (threadCpuSeconds() - cpuStart) / (double(clock.nsecsElapsed() - steadyStartNs) / 1e9);
    std::sort(updates.begin(), updates.end());
    if (!updates.isEmpty()) {
        run.longestUpdateMs = double(updates.last()) / 1e6;
        run.p99UpdateMs = double(updates[qsizetype(double(updates.size() - 1) * 0.99)]) / 1e6;
    }
    return run;
}

} // namespace

int main(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"The console fed by synthetic nodes, offscreen."_s);
    parser.addHelpOption();
    const QCommandLineOption secondsOption(u"seconds"_s, u"Seconds of feed (default 120)."_s,
                                           u"n"_s, u"120"_s);
    const QCommandLineOption nodesOption(u"nodes"_s, u"Nodes (default 4)."_s, u"n"_s, u"4"_s);
    const QCommandLineOption streamsOption(u"streams"_s, u"Sync streams per node (default 10)."_s,
                                           u"n"_s, u"10"_s);
    const QCommandLineOption endpointsOption(
        u"endpoints"_s, u"Ingress endpoints per node (default 50)."_s, u"n"_s, u"50"_s);
    parser.addOptions({secondsOption, nodesOption, streamsOption, endpointsOption});
    parser.process(app);
    const int seconds = std::max(10, parser.value(secondsOption).toInt());
    const int nodes = std::max(1, parser.value(nodesOption).toInt());
    const Shape shape {parser.value(streamsOption).toInt(), parser.value(endpointsOption).toInt()};

    // Baseline: the documents are made and delivered, nobody draws them.
    QList<SyntheticNodeSource *> bare;
    for (int i = 0; i < nodes; ++i)
        bare.append(new SyntheticNodeSource(i, shape, &app));
    const Run baseline = feed(bare, std::min(seconds, 20));
    qDeleteAll(bare);

    QList<SyntheticNodeSource *> sources;
    for (int i = 0; i < nodes; ++i)
        sources.append(new SyntheticNodeSource(i, shape, &app));
    // Settings of its own: the user's remote nodes are not part of the measurement.
    QTemporaryDir settingsDir;
    ConsoleSettings settings(settingsDir.filePath(u"console.ini"_s));
    MainWindow window(&settings);
    for (SyntheticNodeSource *source : sources)
        window.addNode(source);
    window.resize(1400, 900);
    window.show();
    const Run console = feed(sources, seconds);

    std::printf("\nconsole_bench  (%d nodes x 4 documents/s, %d streams and %d endpoints each, "
                "%d s, offscreen)\n",
                nodes, shape.streams, shape.endpoints, seconds);
    std::printf("%-44s %14s %14s\n", "", "console", "no window");
    std::printf("%-44s %13.1f%% %13.1f%%\n", "GUI thread CPU, share of one core",
                console.cpuShare * 100, baseline.cpuShare * 100);
    std::printf("%-44s %13.1f%% %14s\n", "  the window's own share (difference)",
                (console.cpuShare - baseline.cpuShare) * 100, "");
    std::printf("%-44s %11.2f ms %11.2f ms\n", "longest status update", console.longestUpdateMs,
                baseline.longestUpdateMs);
    std::printf("%-44s %11.2f ms %11.2f ms\n", "status update, p99", console.p99UpdateMs,
                baseline.p99UpdateMs);
    std::printf("%-44s %11.2f ms %11.2f ms\n", "longest event-loop stall", console.longestStallMs,
                baseline.longestStallMs);
    std::printf("%-44s %14d %14d\n", "event-loop stalls over 16 ms", console.slowFrames,
                baseline.slowFrames);
    std::printf("%-44s %11.2f ms %11.2f ms\n", "first 3 s (first show): longest update",
                console.warmUpUpdateMs, baseline.warmUpUpdateMs);
    std::printf("%-44s %11.2f ms %11.2f ms\n", "first 3 s (first show): longest stall",
                console.warmUpStallMs, baseline.warmUpStallMs);
    QString rss;
    for (double mb : console.rssMb)
        rss += u"%1 "_s.arg(mb, 0, 'f', 1);
    std::printf("RSS every 10 s, MB: %s\n", qPrintable(rss));
    const qsizetype minute = std::min<qsizetype>(6, console.rssMb.size() - 1);
    if (console.rssMb.size() > minute + 1) {
        std::printf("RSS growth after the first minute: %+.1f MB over %lld s\n",
                    console.rssMb.last() - console.rssMb[minute],
                    qint64(console.rssMb.size() - 1 - minute) * 10);
    }
    std::printf("documents: %lld to the console, %lld to the baseline\n", console.documents,
                baseline.documents);
    std::printf("targets (reported, never failed): < 3 %% of one core, no update over 16 ms, RSS "
                "flat after the first minute\n");
    return 0;
}
