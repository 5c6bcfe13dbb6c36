// polling_bench: the polling engine of real switchboard processes (--headless --engines polling)
// on one redis-server, measured in one run:
//
//   1. N long polls held by one node (each its own TCP connection and user): the node's RSS
//      per held poll;
//   2. publish -> answer of a matching held poll while the others stay held: p50/p99/max, the
//      publish sent to the same node;
//   3. the same with the held polls on a second node (the wake crosses Redis pub/sub);
//   4. short polls per second with wrk against the node, and against a bare QHttpServer
//      answering the same JSON (this binary with --baseline-server), alternating, medians:
//      once on the fresh node (before 1.) and once after it held and released the long polls;
//   5. publishes, one at a time, into nearly empty feeds and into feeds that already hold N
//      events each (what a day of traffic under EVENT_TTL_SECONDS leaves): p50/p99 and the
//      ratio, which shows what a publish's cost grows with.
//
//   polling_bench [--held N] [--samples N] [--runs N] [--duration S] [--connections N]
//                 [--feed-events N]
//
// The load generators (this process, wrk), redis-server and the nodes share the machine.

#include "benchfigures.h"
#include "childprocess.h"
#include "jwtsigning.h"
#include "resp.h"
#include "serverprocess.h"
#include "wrkrun.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace Switchboard;
using namespace Switchboard::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray secret = "polling-bench-secret";

QByteArray token(const QString &userId)
{
    const QJsonObject claims {{u"sub"_s, userId},
                              {u"roles"_s, u"USER"_s},
                              {u"exp"_s, QDateTime::currentSecsSinceEpoch() + 86400}};
    return signedToken(JWT_ALG_HS256, secret, QJsonDocument(claims).toJson(QJsonDocument::Compact));
}

// A blocking loopback connection, for requests whose answer is timed by hand.
class Connection
{
public:
    explicit Connection(quint16 port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
            ::close(m_fd);
            m_fd = -1;
        }
        const int one = 1;
        if (m_fd >= 0)
            ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~Connection()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    bool isOpen() const { return m_fd >= 0; }

    bool send(const QByteArray &request)
    {
        qsizetype sent = 0;
        while (sent < request.size()) {
            const ssize_t n =
                ::write(m_fd, request.constData() + sent, size_t(request.size() - sent));
            if (n <= 0)
                return false;
            sent += n;
        }
        return true;
    }

    // Reads one whole response (Content-Length bodies only); empty on timeout or close.
    QByteArray receive(int timeoutMs)
    {
        QElapsedTimer clock;
        clock.start();
        for (;;) {
            const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
            if (headerEnd >= 0) {
                static const QRegularExpression length(u"(?i)content-length:\\s*(\\d+)"_s);
                const auto match = length.match(QString::fromLatin1(m_buffer.left(headerEnd)));
                const qsizetype total = headerEnd + 4 + match.captured(1).toLongLong();
                if (m_buffer.size() >= total) {
                    const QByteArray response = m_buffer.left(total);
                    m_buffer.remove(0, total);
                    return response;
                }
            }
            const qint64 left = timeoutMs - clock.elapsed();
            pollfd fd {m_fd, POLLIN, 0};
            if (left <= 0 || ::poll(&fd, 1, int(left)) <= 0)
                return {};
            char chunk[16384];
            const ssize_t n = ::read(m_fd, chunk, sizeof chunk);
            if (n <= 0)
                return {};
            m_buffer.append(chunk, n);
        }
    }

private:
    int m_fd = -1;
    QByteArray m_buffer;
};

QByteArray getRequest(const QByteArray &path, const QByteArray &bearer)
{
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + bearer
        + "\r\n\r\n";
}

QByteArray publishRequest(const QString &userId, const QString &entity)
{
    const QByteArray body = QJsonDocument(QJsonObject {{u"eventType"_s, u"BENCH"_s},
                                                       {u"action"_s, u"REFRESH"_s},
                                                       {u"entityId"_s, entity},
                                                       {u"userId"_s, userId}})
                                .toJson(QJsonDocument::Compact);
    return "POST /v1/internal/events/publish HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           "Content-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

int heldPolls(quint16 port)
{
    const HttpResult status = httpGet(port, "/api/v1/status", 5000);
    return QJsonDocument::fromJson(status.body)[u"engines"_s][u"polling"_s][u"held_polls"_s].toInt(
        -1);
}

bool waitForHeld(quint16 port, int expected, int timeoutMs)
{
    return QTest::qWaitFor([&] { return heldPolls(port) == expected; }, timeoutMs);
}

struct Node
{
    SwitchboardProcess process;
    quint16 port = 0;
};

bool startNode(Node &node, const RedisServer &redis, const QTemporaryDir &dir)
{
    node.port = freeLoopbackPort();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"JWT_SECRET"_s, QString::fromLatin1(secret));
    env.insert(u"REDIS_URL"_s, redis.url());
    env.insert(u"LONG_POLL_TIMEOUT_MS"_s, u"600000"_s);
    env.insert(u"XDG_DATA_HOME"_s, dir.path());
    node.process.setEnvironment(env);
    return node.process.start({u"--headless"_s, u"--log-level"_s, u"warn"_s, u"--engines"_s,
                               u"polling"_s, u"--port"_s, QString::number(node.port)})
        && node.process.waitForHealthy(node.port, 20000);
}

// Long polls held on one node, each on its own connection for its own user.
struct HeldPolls
{
    std::vector<std::unique_ptr<Connection>> connections;
    QStringList users; // users[i] holds connections[i]
};

// Sends `count` long polls to the node on `port`, for the users "<userPrefix>0", "<userPrefix>1"...
// False (said on stderr) when a connection cannot be opened or written, e.g. at ulimit -n.
bool holdPolls(quint16 port, const QString &userPrefix, int count, HeldPolls &polls)
{
    for (int i = 0; i < count; ++i) {
        const QString user = userPrefix + QString::number(i);
        auto connection = std::make_unique<Connection>(port);
        if (!connection->isOpen()
            || !connection->send(
                getRequest("/v1/polling/user/events?longPoll=true", token(user)))) {
            progress(u"connection %1 to port %2 failed (ulimit -n?)"_s.arg(i).arg(port));
            return false;
        }
        polls.connections.push_back(std::move(connection));
        polls.users.append(user);
    }
    return true;
}

// Publishes to `publisher` for each of the first `count` users of `held` in turn and times the
// answer of that user's held poll.
std::vector<double> wakeLatencies(Connection &publisher, HeldPolls &held, qsizetype count)
{
    std::vector<double> ms;
    for (qsizetype i = 0; i < std::min(count, held.users.size()); ++i) {
        QElapsedTimer clock;
        clock.start();
        if (!publisher.send(publishRequest(held.users[i], u"e%1"_s.arg(i))))
            break;
        const QByteArray answer = held.connections[size_t(i)]->receive(5000);
        const double elapsed = double(clock.nsecsElapsed()) / 1e6;
        if (publisher.receive(5000).isEmpty() || !answer.contains("\"entityId\":\"e"))
            break;
        ms.push_back(elapsed);
    }
    return ms;
}

// --- publishes into feeds that already hold events ---

// Times `count` publishes for `userId`, one at a time on `publisher`: the ms of each.
std::vector<double> publishLatencies(Connection &publisher, const QString &userId, int count)
{
    std::vector<double> ms;
    for (int i = 0; i < count; ++i) {
        QElapsedTimer clock;
        clock.start();
        if (!publisher.send(publishRequest(userId, u"p%1"_s.arg(i)))
            || !publisher.receive(5000).contains("\"published\""))
            break;
        ms.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    return ms;
}

// Makes the three feeds a publish for `userId` writes (admin, type BENCH, the user's) hold
// `events` entries each, an hour old at most: what steady traffic leaves under a day's TTL.
bool fillFeeds(quint16 redisPort, const QString &userId, int events)
{
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - 3600 * 1000;
    const QByteArray event = publishRequest(userId, u"old"_s).split('\n').last();
    for (const QByteArray &key :
         {"polling:admin"_ba, "polling:type:BENCH"_ba, "polling:user:"_ba + userId.toUtf8()}) {
        redisQuery(redisPort, {"DEL", key});
        for (int from = 0; from < events; from += 10000) {
            QList<QList<QByteArray>> commands;
            for (int i = from; i < std::min(events, from + 10000); ++i)
                commands.append({"XADD", key, QByteArray::number(start + i) + "-0", "u",
                                 userId.toUtf8(), "x", "0", "e", event});
            for (const Resp &reply : redisPipeline(redisPort, commands)) {
                if (reply.isError()) {
                    progress(u"filling %1: %2"_s.arg(QString::fromUtf8(key),
                                                     QString::fromUtf8(reply.string)));
                    return false;
                }
            }
        }
    }
    return true;
}

// --- short polls: wrk against the node and against a bare QHttpServer ---

int runBaselineServer(quint16 port, const QString &bodyFile)
{
    QFile file(bodyFile);
    if (!file.open(QIODevice::ReadOnly))
        return 1;
    const QByteArray body = file.readAll();
    QHttpServer server;
    server.route(u"/v1/polling/user/events"_s,
                 [body] { return QHttpServerResponse("application/json", body); });
    return serveBaseline(server, port);
}

double wrkRequestsPerSecond(quint16 port, const QByteArray &bearer, int connections, int seconds)
{
    WrkOptions options;
    options.url = u"http://127.0.0.1:%1/v1/polling/user/events"_s.arg(port);
    options.connections = connections;
    options.durationSeconds = seconds;
    options.headers = {u"Authorization: Bearer "_s + QString::fromLatin1(bearer)};
    options.latency = false;
    const WrkResult result = runWrk(options);
    if (!result.ok()) {
        progress(result.error);
        return -1;
    }
    if (result.non2xx > 0) {
        progress(u"wrk saw errors: "_s + result.output.simplified());
        return -1;
    }
    return result.requestsPerSecond;
}

struct ShortPolls
{
    std::vector<double> node;
    std::vector<double> baseline;
    std::vector<double> ratios;
    bool failed = false;
};

// wrk against the node and against the bare server in turn, `runs` times.
ShortPolls measureShortPolls(quint16 nodePort, quint16 baselinePort, const QByteArray &bearer,
                             int connections, int duration, int runs)
{
    ShortPolls result;
    for (int run = 0; run < runs; ++run) {
        const double node = wrkRequestsPerSecond(nodePort, bearer, connections, duration);
        const double bare = wrkRequestsPerSecond(baselinePort, bearer, connections, duration);
        if (node < 0 || bare <= 0) {
            result.failed = true;
            break;
        }
        result.node.push_back(node);
        result.baseline.push_back(bare);
        result.ratios.push_back(node / bare);
    }
    return result;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc == 4 && QByteArrayView(argv[1]) == "--baseline-server")
        return runBaselineServer(quint16(QByteArray(argv[2]).toUShort()),
                                 QString::fromLocal8Bit(argv[3]));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"The polling engine: held polls, wake latency, short polls."_s);
    parser.addHelpOption();
    const QCommandLineOption heldOption(u"held"_s, u"Long polls held (default 10000)."_s, u"n"_s,
                                        u"10000"_s);
    const QCommandLineOption samplesOption(u"samples"_s, u"Wake-ups timed (default 300)."_s, u"n"_s,
                                           u"300"_s);
    const QCommandLineOption runsOption(u"runs"_s, u"wrk runs per side (default 3)."_s, u"n"_s,
                                        u"3"_s);
    const QCommandLineOption durationOption(u"duration"_s, u"Seconds per wrk run (default 10)."_s,
                                            u"s"_s, u"10"_s);
    const QCommandLineOption connectionsOption(u"connections"_s, u"wrk connections (default 50)."_s,
                                               u"n"_s, u"50"_s);
    const QCommandLineOption feedEventsOption(
        u"feed-events"_s, u"Events in each feed of the second publish series (default 100000)."_s,
        u"n"_s, u"100000"_s);
    parser.addOptions({heldOption, samplesOption, runsOption, durationOption, connectionsOption,
                       feedEventsOption});
    parser.process(app);
    const int heldCount = std::max(1, parser.value(heldOption).toInt());
    const int samples = std::clamp(parser.value(samplesOption).toInt(), 1, heldCount);
    const int runs = std::max(1, parser.value(runsOption).toInt());
    const int duration = std::max(1, parser.value(durationOption).toInt());
    const int connections = std::max(1, parser.value(connectionsOption).toInt());
    const int feedEvents = std::max(1, parser.value(feedEventsOption).toInt());

    chooseSwitchboardBinary(); // for SwitchboardProcess

    QTemporaryDir dir;
    RedisServer redis;
    if (!redis.start()) {
        progress(u"redis-server: "_s + redis.error());
        return 1;
    }
    Node a;
    Node b;
    if (!startNode(a, redis, dir) || !startNode(b, redis, dir)) {
        progress(u"a node did not start: "_s + QString::fromLocal8Bit(a.process.output())
                 + QString::fromLocal8Bit(b.process.output()));
        return 1;
    }

    // 0. Short polls on the fresh node: one user with one event, the same answer from both
    // servers.
    progress(u"short polls: wrk, %1 runs of %2 s per side"_s.arg(runs).arg(duration));
    const QByteArray bearer = token(u"short-poller"_s);
    Connection publisherA(a.port);
    publisherA.send(publishRequest(u"short-poller"_s, u"only-event"_s));
    publisherA.receive(5000);
    Connection reader(a.port);
    reader.send(getRequest("/v1/polling/user/events", bearer));
    const QByteArray sample = reader.receive(5000);
    const QByteArray body = sample.mid(sample.indexOf("\r\n\r\n") + 4);
    QFile bodyFile(dir.filePath(u"body.json"_s));
    bodyFile.open(QIODevice::WriteOnly);
    bodyFile.write(body);
    bodyFile.close();
    BaselineServer baseline;
    QString error;
    if (!baseline.start(&error, {bodyFile.fileName()})) {
        progress(error);
        return 1;
    }
    const quint16 baselinePort = baseline.port();
    const ShortPolls fresh =
        measureShortPolls(a.port, baselinePort, bearer, connections, duration, runs);

    // 1. Held polls and what they cost.
    progress(u"holding %1 long polls on node A"_s.arg(heldCount));
    const double rssBefore = rssMegabytes(a.process.pid());
    HeldPolls onA;
    if (!holdPolls(a.port, u"user-"_s, heldCount, onA))
        return 1;
    if (!waitForHeld(a.port, heldCount, 60000)) {
        progress(u"node A holds %1 of %2 polls"_s.arg(heldPolls(a.port)).arg(heldCount));
        return 1;
    }
    const double rssAfter = rssMegabytes(a.process.pid());

    // 2. Wake-ups on the same node, the others still held.
    progress(u"timing %1 wake-ups on node A"_s.arg(samples));
    const std::vector<double> sameNode = wakeLatencies(publisherA, onA, samples);

    // 3. Across nodes: polls held on B, publishes to A.
    progress(u"timing %1 wake-ups across nodes"_s.arg(samples));
    HeldPolls onB;
    if (!holdPolls(b.port, u"remote-"_s, samples, onB))
        return 1;
    waitForHeld(b.port, samples, 30000);
    const std::vector<double> acrossNodes = wakeLatencies(publisherA, onB, samples);
    onA = {};
    onB = {};

    // 4. Short polls again, on the node that held them all (its heap has seen 10 000
    // connections come and go).
    progress(u"short polls after the held polls: wrk, %1 runs of %2 s per side"_s.arg(runs).arg(
        duration));
    const ShortPolls after =
        measureShortPolls(a.port, baselinePort, bearer, connections, duration, runs);
    baseline.stop();

    // 5. Publishes into nearly empty feeds, then into feeds of feedEvents events each.
    progress(
        u"timing %1 publishes into nearly empty feeds, then into feeds of %2 events"_s.arg(samples)
            .arg(feedEvents));
    const std::vector<double> publishEmpty = publishLatencies(publisherA, u"publisher"_s, samples);
    if (!fillFeeds(redis.port(), u"publisher"_s, feedEvents))
        return 1;
    const std::vector<double> publishFull = publishLatencies(publisherA, u"publisher"_s, samples);

    std::printf("\npolling_bench  (switchboard --headless --engines polling x2, one redis-server, "
                "loopback, 2 cores shared)\n");
    std::printf("%-46s %s\n", "held long polls on node A",
                qPrintable(u"%1 (RSS %2 -> %3 MB: %4 KB per held poll)"_s.arg(heldCount)
                               .arg(rssBefore, 0, 'f', 1)
                               .arg(rssAfter, 0, 'f', 1)
                               .arg((rssAfter - rssBefore) * 1024 / heldCount, 0, 'f', 1)));
    const auto latencyLine = [](const char *label, const std::vector<double> &ms, int wanted) {
        std::printf("%-46s p50 %.2f / p99 %.2f / max %.2f ms  (%zu of %d)\n", label,
                    percentile(ms, 0.5), percentile(ms, 0.99),
                    ms.empty() ? 0.0 : *std::max_element(ms.begin(), ms.end()), ms.size(), wanted);
    };
    latencyLine("publish -> held poll answered, same node", sameNode, samples);
    latencyLine("publish on A -> poll held on B answered", acrossNodes, samples);
    const auto shortLine = [connections, runs](const char *when, const ShortPolls &polls) {
        const QByteArray label = "short polls/s, " + QByteArray(when) + " (wrk -c"
            + QByteArray::number(connections) + ")";
        if (polls.failed || polls.node.empty()) {
            std::printf("%-46s not measured (wrk missing or failed: apt-get install wrk)\n",
                        label.constData());
            return;
        }
        std::printf("%-46s %.0f/s vs bare QHttpServer %.0f/s = %.2fx (medians of %d, "
                    "paired ratio median %.2fx)\n",
                    label.constData(), median(polls.node), median(polls.baseline),
                    median(polls.node) / median(polls.baseline), runs, median(polls.ratios));
    };
    shortLine("fresh node", fresh);
    shortLine("after the held polls", after);
    latencyLine("publish, nearly empty feeds", publishEmpty, samples);
    const QByteArray fullLabel = "publish, feeds of " + QByteArray::number(feedEvents) + " events";
    latencyLine(fullLabel.constData(), publishFull, samples);
    if (!publishEmpty.empty() && !publishFull.empty())
        std::printf("%-46s %.2fx (p50 ms, nearly empty / full)\n",
                    "publish rate, full vs empty feeds",
                    median(publishEmpty) / median(publishFull));
    std::printf("targets (reported, never failed): wake p99 < 5 ms same node, < 20 ms across "
                "nodes; short polls >= 0.5x the bare server; a publish costs the same whatever "
                "its feeds hold\n");
    b.process.stop();
    a.process.stop();
    return 0;
}
