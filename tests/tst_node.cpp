// The node as an operator meets it: the binary's command line and exit codes, the local stack,
// /health, /metrics and /api/v1/status over real HTTP, and graceful stop.

#include "core/localstack.h"
#include "core/metrics.h"
#include "dnsresponder.h"
#include "http/apiaccess.h"
#include "http/httprequest.h"
#include "http/httpserver.h"
#include "ingress/ingresssnapshot.h"
#include "node/statusapi.h"
#include "node/switchboardnode.h"
#include "nodeconfig.h"
#include "polling/pollingsnapshot.h"
#include "resp.h"
#include "serverprocess.h"
#include "sync/syncsnapshot.h"
#include "timeouts/timeoutssnapshot.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <csignal>

using namespace Switchboard;
using namespace Switchboard::Test;
using namespace Qt::Literals::StringLiterals;

// Writes `bytes` to `path`, whole: false when it could not.
bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// An engine's snapshot reduced to its health, for StatusApi alone.
class HealthOnlySnapshot : public EngineSnapshot
{
public:
    HealthOnlySnapshot(QString name, bool healthy)
        : m_name(std::move(name))
        , m_healthy(healthy)
    {
    }
    QString engineName() const override { return m_name; }
    EngineHealth health() const override { return {m_healthy, {}}; }
    QJsonObject toJson() const override { return {}; }
    void writeMetrics(MetricsWriter &) const override { }

private:
    QString m_name;
    bool m_healthy;
};

// An engine whose status is large (an ingress with many domains and dead letters, a log full of
// warnings), saying when each document of it was made.
class LargeSnapshot : public EngineSnapshot
{
public:
    QString engineName() const override { return u"large"_s; }
    EngineHealth health() const override { return {true, {}}; }
    QJsonObject toJson() const override
    {
        return {{u"made_at"_s, QDateTime::currentMSecsSinceEpoch()},
                {u"filler"_s, QString(1024 * 1024, u'x')}};
    }
    void writeMetrics(MetricsWriter &) const override { }
};

// StatusApi's routes alone on a loopback port, over one engine's snapshot.
struct StatusOnly
{
    explicit StatusOnly(const SnapshotPtr &snapshot)
        : api(&board, {})
    {
        board.publish(snapshot);
        api.registerRoutes(server);
    }
    bool listen() { return server.listen(QHostAddress::LocalHost, 0, &error); }

    SnapshotBoard board;
    StatusApi api;
    HttpServer server;
    QString error;
};

// `client` connected to /api/v1/stream on `port` as a WebSocket, by hand (raw frames follow).
bool upgradeToStream(QTcpSocket &client, quint16 port)
{
    client.connectToHost(QHostAddress::LocalHost, port);
    if (!client.waitForConnected(3000))
        return false;
    client.write("GET /api/v1/stream HTTP/1.1\r\nHost: node\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n");
    if (!QTest::qWaitFor([&client] { return client.peek(4096).contains("\r\n\r\n"); }, 3000))
        return false;
    const QByteArray head = client.read(client.peek(4096).indexOf("\r\n\r\n") + 4);
    if (!head.startsWith("HTTP/1.1 101"))
        qWarning() << "the upgrade was answered" << head;
    return head.startsWith("HTTP/1.1 101");
}

class TestNode : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpAndVersion();
    void badConfigurationExitsTwoWithOneLine_data();
    void badConfigurationExitsTwoWithOneLine();
    void defaultConfigFileInUserConfigDirectory();
    void cannotStartExitsOne_data();
    void cannotStartExitsOne();
    void localStackWithSimulationReplicatesAndStopsCleanly();
    void healthPortServesHealthToo();
    void healthIsUnhealthyUntilEveryEngineReported();
    void localStackFindsServersOutsideAUsersPath();
    void aSecondNodeOnTheSameDataDirectoryIsRefused();
    void ctrlCInATerminalStopsTheNodeBeforeItsServers();
    void aLockLeftByAnEarlierRunWithThisPidIsTakenOver();
    void aLocalServerThatDiesIsStartedAgain();
    void aDnsServerSlowToAnswerHoldsNoRoute();
    void outOfDescriptorsANodeRefusesAtOnceAndDoesNotSpin();
    void metricsAreValidPrometheusText();
    void statusFiguresAreOfTheLastMinute();
    void statusStreamFeedsRemoteConsoles();
    void aStreamClientThatDoesNotReadIsNotQueuedEveryDocument();
    void aStreamClientThatReadsNothingForTheStallLimitIsDisconnected();
    void aStreamClientSendingAHugeMessageIsCutOff();
    void accessRules_data();
    void accessRules();

private:
    QProcessEnvironment cleanEnvironment() const;

    QTemporaryDir m_noConfig; // the config directories of the nodes started: empty
};

QProcessEnvironment TestNode::cleanEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys()) {
        if (key.startsWith(u"REDIS_"_s) || key.startsWith(u"HEALTH_"_s) || key == u"PORT"_s)
            env.remove(key);
    }
    // Without --config a node reads ~/.config/switchboard/switchboard.yaml or the system's: not
    // the developer's own file.
    env.insert(u"XDG_CONFIG_HOME"_s, m_noConfig.path());
    env.insert(u"XDG_CONFIG_DIRS"_s, m_noConfig.path());
    return env;
}

void TestNode::helpAndVersion()
{
    SwitchboardProcess help;
    QVERIFY(help.start({u"--help"_s}));
    QVERIFY(help.waitForFinished(5000));
    QCOMPARE(help.exitCode(), 0);
    QVERIFY(help.output().contains("--headless"));
    QVERIFY(help.output().contains("REDIS_LOCAL_ADDR"));

    SwitchboardProcess version;
    QVERIFY(version.start({u"-version"_s}));
    QVERIFY(version.waitForFinished(5000));
    QCOMPARE(version.exitCode(), 0);
    QVERIFY(version.output().startsWith("switchboard "));
}

void TestNode::badConfigurationExitsTwoWithOneLine_data()
{
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("bad int") << u"READER_BATCH_SIZE"_s << u"many"_s << QStringList()
                             << u"READER_BATCH_SIZE"_s;
    QTest::newRow("bad duration") << u"READER_BLOCK_TIME"_s << u"10"_s << QStringList()
                                  << u"READER_BLOCK_TIME"_s;
    QTest::newRow("bad port") << u"PORT"_s << u"70000"_s << QStringList() << u"PORT"_s;
    QTest::newRow("bad log level")
        << QString() << QString() << QStringList {u"-log-level"_s, u"loud"_s} << u"loud"_s;
    QTest::newRow("missing file") << QString() << QString()
                                  << QStringList {u"-config"_s, u"/nonexistent/switchboard.yaml"_s}
                                  << u"/nonexistent/switchboard.yaml"_s;
}

void TestNode::badConfigurationExitsTwoWithOneLine()
{
    QFETCH(QString, variable);
    QFETCH(QString, value);
    QFETCH(QStringList, arguments);
    QFETCH(QString, mentions);
    QProcessEnvironment env = cleanEnvironment();
    if (!variable.isEmpty())
        env.insert(variable, value);
    SwitchboardProcess process;
    process.setEnvironment(env);
    QVERIFY(process.start(QStringList {u"--headless"_s} + arguments));
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 2);
    const QString output = QString::fromUtf8(process.output()).trimmed();
    QCOMPARE(output.count(u'\n'), 0); // one line
    QVERIFY2(output.contains(mentions), qPrintable(output));
}

// README "Configuration": with no --config, switchboard.yaml is read from ~/.config/switchboard/
// (XDG_CONFIG_HOME/switchboard/), not from a directory Qt derives from the application's names.
void TestNode::defaultConfigFileInUserConfigDirectory()
{
    QTemporaryDir config;
    QVERIFY(QDir(config.path()).mkpath(u"switchboard"_s));
    const QString path = config.filePath(u"switchboard/switchboard.yaml"_s);
    QVERIFY(writeFile(path, "log:\n  level: loud\n"));
    QProcessEnvironment env = cleanEnvironment();
    env.insert(u"XDG_CONFIG_HOME"_s, config.path());
    // The file is read before the environment: its bad value is the one reported when the file
    // is found, the variable's when it is not. Either way the node stops before it starts.
    env.insert(u"READER_BATCH_SIZE"_s, u"many"_s);
    SwitchboardProcess process;
    process.setEnvironment(env);
    QVERIFY(process.start({u"--headless"_s}));
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 2);
    const QString output = QString::fromUtf8(process.output()).trimmed();
    QVERIFY2(output.contains(path + u": log.level=\"loud\""_s), qPrintable(output));
}

// README "Command line": exit code 1 when the node cannot start, with the reason in the log;
// not 0 (systemd would not restart it) and not 2 (Restart=on-failure skips that one).
void TestNode::cannotStartExitsOne_data()
{
    QTest::addColumn<QString>("taken"); // "port", "health_port" or "" (none)
    QTest::addColumn<QByteArray>("yaml"); // besides server.bind: 127.0.0.1
    QTest::addColumn<QString>("mentions");
    QTest::newRow("main port in use")
        << u"port"_s << QByteArray() << u"cannot listen on 127.0.0.1 port"_s;
    QTest::newRow("health port in use")
        << u"health_port"_s << QByteArray() << u"HEALTH_PORT: cannot listen on 127.0.0.1 port"_s;
    QTest::newRow("redis-server missing")
        << QString() << QByteArray("local_stack:\n  redis_server: /nonexistent/redis-server\n")
        << u"cannot start /nonexistent/redis-server"_s;
}

void TestNode::cannotStartExitsOne()
{
    QFETCH(QString, taken);
    QFETCH(QByteArray, yaml);
    QFETCH(QString, mentions);
    // Sync against configured servers starts no child and connects to nothing before the
    // listeners are up; the local stack row leaves REDIS_LOCAL_ADDR out to need redis-server.
    QTcpServer holder;
    QVERIFY(holder.listen(QHostAddress::LocalHost, 0));
    const quint16 port = taken == u"port"_s ? holder.serverPort() : freeLoopbackPort();
    QTemporaryDir dir;
    const QString configFile = dir.filePath(u"switchboard.yaml"_s);
    QFile file(configFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("server:\n  bind: 127.0.0.1\n");
    if (taken == u"health_port"_s)
        file.write("  health_port: " + QByteArray::number(holder.serverPort()) + '\n');
    file.write(yaml);
    file.close();
    QProcessEnvironment env = cleanEnvironment();
    env.insert(u"XDG_DATA_HOME"_s, dir.path());
    if (!taken.isEmpty()) {
        env.insert(u"REDIS_LOCAL_ADDR"_s, u"127.0.0.1:%1"_s.arg(freeLoopbackPort()));
        env.insert(u"REDIS_REMOTE_ADDR"_s, u"127.0.0.1:%1"_s.arg(freeLoopbackPort()));
    }
    SwitchboardProcess process;
    process.setEnvironment(env);
    QVERIFY(process.start({u"--headless"_s, u"--config"_s, configFile, u"--engines"_s, u"sync"_s,
                           u"--port"_s, QString::number(port)}));
    QVERIFY2(process.waitForFinished(10000), process.output().constData());
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    QVERIFY2(process.output().contains(u"cannot start: "_s.toUtf8() + mentions.toUtf8()),
             process.output().constData());
}

void TestNode::localStackWithSimulationReplicatesAndStopsCleanly()
{
    // Nothing configured: the node starts redis-server children of its own, two for sync (local
    // and remote) and one for timeouts (polling is off without JWT_SECRET).
    QTemporaryDir data;
    QProcessEnvironment env = cleanEnvironment();
    env.insert(u"XDG_DATA_HOME"_s, data.path());
    env.insert(u"HEALTH_CHECK_INTERVAL"_s, u"200ms"_s);
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess process;
    process.setEnvironment(env);
    QVERIFY(process.start({u"--port"_s, QString::number(port), u"--simulate-rate"_s, u"500"_s}));
    QVERIFY2(process.waitForHealthy(port, 20000), process.output().constData());

    // Replication is visible within seconds in the status snapshot.
    auto replicated = [port] {
        const QJsonObject status =
            QJsonDocument::fromJson(httpGet(port, "/api/v1/status").body).object();
        const QJsonArray streams = status[u"engines"_s][u"sync"_s][u"streams"_s].toArray();
        double total = 0;
        for (const QJsonValue &s : streams)
            total += s[u"replicated"_s].toDouble();
        return total;
    };
    QTRY_VERIFY_WITH_TIMEOUT(replicated() > 500, 15000);
    // --simulate starts demo conversations, and this node is the timeouts leader.
    const auto timeouts = [port] {
        return QJsonDocument::fromJson(httpGet(port, "/api/v1/status").body)
            .object()[u"engines"_s][u"timeouts"_s]
            .toObject();
    };
    QTRY_VERIFY_WITH_TIMEOUT(timeouts()[u"waiting"_s].toInt() > 0, 15000);
    QVERIFY(timeouts()[u"is_leader"_s].toBool());
    const HttpResult health = httpGet(port, "/health");
    QCOMPARE(health.status, 200);
    const QJsonObject h = QJsonDocument::fromJson(health.body).object();
    QCOMPARE(h[u"status"_s].toString(), u"healthy"_s);
    QVERIFY(h.contains(u"last_sync"_s) && h.contains(u"queue_size"_s) && h.contains(u"errors"_s));
    QCOMPARE(h[u"engines"_s][u"sync"_s][u"status"_s].toString(), u"healthy"_s);

    // JSON errors for unknown routes and methods.
    const HttpResult missing = httpGet(port, "/nope");
    QCOMPARE(missing.status, 404);
    QVERIFY(QJsonDocument::fromJson(missing.body).object().contains(u"error"_s));

    // The children's pids, from the log, to check they are gone after the stop.
    QList<qint64> children;
    const QRegularExpression pidLine(u"redis-server on 127.0.0.1:\\d+ pid (\\d+)"_s);
    auto it = pidLine.globalMatch(QString::fromUtf8(process.output()));
    while (it.hasNext())
        children.append(it.next().captured(1).toLongLong());
    QCOMPARE(children.size(), 3);
    // README "Node": the data under ~/.local/share/switchboard/local-stack (XDG_DATA_HOME).
    for (const QString &name : {u"sync-local"_s, u"sync-remote"_s, u"timeouts"_s}) {
        const QString dir = data.filePath(u"switchboard/local-stack/"_s + name);
        QVERIFY2(process.output().contains(u" data %1\n"_s.arg(dir).toUtf8()),
                 process.output().constData());
    }

    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    for (qint64 pid : children)
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 5000);

    // Killed outright, the node still takes its servers with it.
    SwitchboardProcess killed;
    killed.setEnvironment(env);
    QVERIFY(killed.start({u"--port"_s, QString::number(port)}));
    QVERIFY2(killed.waitForHealthy(port, 20000), killed.output().constData());
    children.clear();
    it = pidLine.globalMatch(QString::fromUtf8(killed.output()));
    while (it.hasNext())
        children.append(it.next().captured(1).toLongLong());
    QCOMPARE(children.size(), 3);
    killed.kill();
    QVERIFY(killed.waitForFinished(5000));
    for (qint64 pid : children)
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 5000);
}

// Engines publish their first snapshot once they had a moment to connect; until then /health
// must not say healthy (a load balancer would send POST /events before NATS is connected).
void TestNode::healthIsUnhealthyUntilEveryEngineReported()
{
    SnapshotBoard board;
    board.expect(u"sync"_s);
    board.expect(u"polling"_s);
    const StatusApi api(&board, {});
    const auto engine = [](const QJsonObject &body, const QString &name) {
        return body[u"engines"_s][name].toObject();
    };

    int status = 0;
    QJsonObject body = api.health(&status);
    QCOMPARE(status, 503);
    QCOMPARE(body[u"status"_s].toString(), u"unhealthy"_s);
    QCOMPARE(engine(body, u"polling"_s)[u"status"_s].toString(), u"unhealthy"_s);
    QCOMPARE(engine(body, u"polling"_s)[u"reason"_s].toString(), u"starting: no status yet"_s);

    board.publish(std::make_shared<HealthOnlySnapshot>(u"sync"_s, true));
    body = api.health(&status);
    QCOMPARE(status, 503);
    QCOMPARE(engine(body, u"sync"_s)[u"status"_s].toString(), u"healthy"_s);
    QCOMPARE(engine(body, u"polling"_s)[u"reason"_s].toString(), u"starting: no status yet"_s);

    board.publish(std::make_shared<HealthOnlySnapshot>(u"polling"_s, true));
    body = api.health(&status);
    QCOMPARE(status, 200);
    QCOMPARE(body[u"status"_s].toString(), u"healthy"_s);
    QCOMPARE(engine(body, u"polling"_s)[u"status"_s].toString(), u"healthy"_s);
}

// Debian puts nats-server in /usr/sbin, which a desktop user's PATH leaves out: the console
// started from the menu must still find it for the ingress engine's local stack.
void TestNode::localStackFindsServersOutsideAUsersPath()
{
    if (QStandardPaths::findExecutable(u"nats-server"_s, {u"/usr/sbin"_s}).isEmpty())
        QSKIP("nats-server is not in /usr/sbin on this machine");
    QTemporaryDir data;
    QProcessEnvironment env = cleanEnvironment();
    env.insert(u"PATH"_s, u"/usr/local/bin:/usr/bin:/bin"_s); // /etc/profile's, for a user
    env.insert(u"XDG_DATA_HOME"_s, data.path());
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess process;
    process.setEnvironment(env);
    QVERIFY(process.start(
        {u"--headless"_s, u"--engines"_s, u"ingress"_s, u"--port"_s, QString::number(port)}));
    QVERIFY2(process.waitForHealthy(port, 20000), process.output().constData());
    QVERIFY2(process.output().contains("/usr/sbin/nats-server on 127.0.0.1:"),
             process.output().constData());
}

// Two nodes on one data directory (a second clone started with another --port, the console
// beside a headless node) started two servers on the same files: the append-only file and
// the JetStream store were corrupted, and ingress silently forwarded nothing. The second
// node must refuse to start, naming the first, and start once the first is gone, even killed.
void TestNode::aSecondNodeOnTheSameDataDirectoryIsRefused()
{
    QTemporaryDir data;
    QProcessEnvironment env = cleanEnvironment();
    env.insert(u"XDG_DATA_HOME"_s, data.path());
    const QStringList sync {u"--headless"_s, u"--engines"_s, u"sync"_s, u"--port"_s};
    const quint16 firstPort = freeLoopbackPort();
    SwitchboardProcess first;
    first.setEnvironment(env);
    QVERIFY(first.start(sync + QStringList {QString::number(firstPort)}));
    QVERIFY2(first.waitForHealthy(firstPort, 20000), first.output().constData());

    const quint16 secondPort = freeLoopbackPort();
    SwitchboardProcess second;
    second.setEnvironment(env);
    QVERIFY(second.start(sync + QStringList {QString::number(secondPort)}));
    QVERIFY(second.waitForFinished(20000));
    QCOMPARE(second.exitCode(), 1);
    const QByteArray expected =
        "is in use by another Switchboard (pid " + QByteArray::number(first.pid()) + " on ";
    QVERIFY2(second.output().contains(expected), second.output().constData());
    QVERIFY2(second.output().contains("give this node its own local_stack.data_dir"),
             second.output().constData());
    QCOMPARE(httpGet(firstPort, "/health").status, 200);

    // Killed outright, the first leaves its lock behind: a dead process' lock is no lock.
    QList<qint64> children;
    const QRegularExpression pidLine(u"redis-server on 127.0.0.1:\\d+ pid (\\d+)"_s);
    auto it = pidLine.globalMatch(QString::fromUtf8(first.output()));
    while (it.hasNext())
        children.append(it.next().captured(1).toLongLong());
    QCOMPARE(children.size(), 2);
    first.kill();
    QVERIFY(first.waitForFinished(5000));
    for (qint64 pid : children)
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 5000);
    QVERIFY(second.start(sync + QStringList {QString::number(secondPort)}));
    QVERIFY2(second.waitForHealthy(secondPort, 20000), second.output().constData());
    second.stop();
    QCOMPARE(second.exitCode(), 0);
}

// A terminal's Ctrl-C is a SIGINT to its whole foreground process group: the local stack's
// servers got it too and shut down under the engines (the stop then waited for its deadline,
// 8 s, and said entries stayed pending). They must get their stop from the node alone, after
// its engines stopped: redis-server logs which signal it got.
void TestNode::ctrlCInATerminalStopsTheNodeBeforeItsServers()
{
    QTemporaryDir data;
    QProcessEnvironment env = cleanEnvironment();
    env.insert(u"XDG_DATA_HOME"_s, data.path());
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess process;
    process.setEnvironment(env);
    process.setOwnProcessGroup(true);
    QVERIFY(process.start(
        {u"--headless"_s, u"--engines"_s, u"sync"_s, u"--port"_s, QString::number(port)}));
    QVERIFY2(process.waitForHealthy(port, 20000), process.output().constData());

    process.interruptGroup();
    QVERIFY(process.waitForFinished(15000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 0);
    QVERIFY2(!process.output().contains("did not stop"), process.output().constData());
    for (const QString &name : {u"sync-local"_s, u"sync-remote"_s}) {
        QFile log(data.filePath(u"switchboard/local-stack/%1/server.log"_s.arg(name)));
        QVERIFY2(log.open(QIODevice::ReadOnly), qPrintable(log.fileName()));
        const QByteArray text = log.readAll();
        QVERIFY2(text.contains("Received SIGTERM"), text.constData());
        QVERIFY2(!text.contains("Received SIGINT"), text.constData());
    }
}

// A local-stack server killed under a running node (the OOM killer, an operator's kill -9) made
// every engine on it fail until the node was restarted. It is started again on the same port
// with the same data, and stays this node's: a second stack on its directory is still refused.
void TestNode::aLocalServerThatDiesIsStartedAgain()
{
    QTemporaryDir data;
    LocalStackConfig config;
    config.dataDir = data.path();
    LocalStack stack(config);
    const std::optional<RedisEndpoint> endpoint = stack.startRedis(u"sync-local"_s);
    QVERIFY2(endpoint, qPrintable(stack.errorString()));
    const quint16 port = endpoint->port;
    QCOMPARE(redisQuery(port, {"SET", "kept", "yes"}).string, QByteArray("OK"));
    const auto serverPid = [port] {
        const QByteArray info = redisQuery(port, {"INFO", "server"}, 1000).string;
        const qsizetype at = info.indexOf("process_id:");
        return at < 0 ? qint64(0)
                      : info.mid(at + 11, info.indexOf('\r', at) - at - 11).toLongLong();
    };
    const qint64 first = serverPid();
    QVERIFY(first > 0);

    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(u"sync-local .* exited on its own"_s));
    QCOMPARE(::kill(pid_t(first), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(serverPid() > 0 && serverPid() != first, 15000);
    QCOMPARE(redisQuery(port, {"GET", "kept"}).string, QByteArray("yes")); // its append-only file
    LocalStack second(config);
    QVERIFY(!second.startRedis(u"sync-local"_s));
    QVERIFY2(second.errorString().contains(u"is in use by another Switchboard"_s),
             qPrintable(second.errorString()));

    const qint64 restarted = serverPid();
    stack.stopAll();
    QVERIFY(::kill(pid_t(restarted), 0) != 0); // stopped for good, not started again
}

// In a container the node is pid 1 at every start: a lock left by a killed run names this very
// process, running a program of the same name, which Qt takes for a live owner. The node must
// take it over (a restarted pod refused every start), yet a second stack of this same process
// on the same directory is still refused.
void TestNode::aLockLeftByAnEarlierRunWithThisPidIsTakenOver()
{
    QTemporaryDir data;
    LocalStackConfig config;
    config.dataDir = data.path();
    const QString dir = data.filePath(u"sync-local"_s);
    QVERIFY(QDir().mkpath(dir));
    const QString path = dir + u"/switchboard.lock"_s;
    QByteArray leftover; // what an earlier run with this pid left behind
    {
        QLockFile earlier(path);
        QVERIFY(earlier.tryLock(0));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        leftover = file.readAll();
    }
    QVERIFY(writeFile(path, leftover));

    LocalStack stack(config);
    QVERIFY2(stack.startRedis(u"sync-local"_s), qPrintable(stack.errorString()));
    LocalStack second(config);
    QVERIFY(!second.startRedis(u"sync-local"_s));
    QVERIFY2(second.errorString().contains(u"is in use by another Switchboard"_s),
             qPrintable(second.errorString()));
    stack.stopAll();
    QVERIFY2(second.startRedis(u"sync-local"_s), qPrintable(second.errorString()));
    second.stopAll();
}

void TestNode::healthPortServesHealthToo()
{
    RedisServer local;
    RedisServer remote;
    QVERIFY(local.start());
    QVERIFY(remote.start());
    QProcessEnvironment env = cleanEnvironment();
    env.insert(u"REDIS_LOCAL_ADDR"_s, local.addr());
    env.insert(u"REDIS_REMOTE_ADDR"_s, remote.addr());
    const quint16 port = freeLoopbackPort();
    const quint16 healthPort = freeLoopbackPort();
    env.insert(u"PORT"_s, QString::number(port));
    env.insert(u"HEALTH_PORT"_s, QString::number(healthPort));
    SwitchboardProcess process;
    process.setEnvironment(env);
    QVERIFY(process.start({u"--headless"_s}));
    QVERIFY2(process.waitForHealthy(port), process.output().constData());
    QCOMPARE(httpGet(healthPort, "/health").status, 200);
    // The sync seed served /metrics on HEALTH_PORT, its only port: a scraper keeps its target.
    const HttpResult metrics = httpGet(healthPort, "/metrics");
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.body.contains("switchboard_sync_replicated_total"));
    QCOMPARE(httpGet(healthPort, "/api/v1/status").status, 404); // the console's data is not there
    // The seed's databases: REDIS_*_DB defaults to 2.
    QTRY_VERIFY_WITH_TIMEOUT(
        redisQuery(local.port(), {"SELECT", "2"}).type == '+'
            && redisQuery(local.port(), {"INFO", "keyspace"}).string.contains("db2"),
        5000);
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
}

// Polling's Redis connections live in the HTTP thread. hiredis resolved a Redis named by a DNS
// name with a blocking getaddrinfo, so a DNS server slow to answer (one that does not answer at
// all costs the resolver's whole timeout, 5 s per try) held every route of the node, /health
// included, at each reconnect. The name is now resolved on a thread of its own, and asked again at
// every attempt; for its IPv4 address only, as hiredis asked: this DNS server, like some
// firewalls, drops AAAA queries, and waiting for both answers cost the resolver's timeout.
void TestNode::aDnsServerSlowToAnswerHoldsNoRoute()
{
    if (!SwitchboardProcess::canChangeResolvConf())
        QSKIP("giving the node a resolv.conf of its own needs a mount namespace (root)");
    DnsResponder dns;
    if (!dns.start(QHostAddress(u"127.86.53.1"_s), "redis.switchboard.test",
                   QHostAddress(QHostAddress::LocalHost)))
        QSKIP(qPrintable(dns.error()));
    dns.setDelayMs(1500);
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.error()));
    QTemporaryDir dir;
    const QString resolvConf = dir.filePath(u"resolv.conf"_s);
    QVERIFY(writeFile(resolvConf, "nameserver 127.86.53.1\noptions timeout:5 attempts:1\n"));

    QProcessEnvironment env = cleanEnvironment();
    env.insert(u"XDG_DATA_HOME"_s, dir.path());
    env.insert(u"JWT_SECRET"_s, u"a-secret-of-at-least-32-bytes-for-tests"_s);
    env.insert(u"REDIS_URL"_s, u"redis://redis.switchboard.test:%1/0"_s.arg(redis.port()));
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess process;
    process.setEnvironment(env);
    process.setResolvConf(resolvConf);
    QElapsedTimer sinceStart;
    sinceStart.start();
    QVERIFY(process.start(
        {u"--headless"_s, u"--engines"_s, u"polling"_s, u"--port"_s, QString::number(port)}));
    QVERIFY2(process.waitForHealthy(port, 15000), process.output().constData());
    // The name's A record comes after 1.5 s; its AAAA query would have waited 5 s.
    QVERIFY2(sinceStart.elapsed() < 4000,
             qPrintable(u"healthy %1 ms after the start"_s.arg(sinceStart.elapsed())));
    QVERIFY(dns.answered() > 0);
    QVERIFY2(process.output().contains("(127.0.0.1)"), process.output().constData());

    // Redis goes away: each reconnect asks the DNS server, which takes 1.5 s to answer.
    const int queriesBefore = dns.queries();
    redis.kill();
    QElapsedTimer outage;
    outage.start();
    qint64 slowestMs = 0;
    int answers = 0;
    while (outage.elapsed() < 4000) {
        QElapsedTimer request;
        request.start();
        const HttpResult health = httpGet(port, "/health", 3000);
        slowestMs = std::max(slowestMs, request.elapsed());
        answers += health.status == 503 ? 1 : 0;
        QTest::qWait(100); // the pace of a monitoring probe, not a wait for a condition
    }
    QVERIFY2(slowestMs < 500,
             qPrintable(u"/health took %1 ms while the DNS server was slow"_s.arg(slowestMs)));
    QVERIFY(answers > 10);
    QVERIFY2(dns.queries() > queriesBefore, "the reconnects did not ask the DNS server again");

    QVERIFY2(redis.start(redis.port()), qPrintable(redis.error()));
    QVERIFY2(process.waitForHealthy(port, 10000), process.output().right(3000).constData());
}

// Out of file descriptors (connections held by clients, a low LimitNOFILE), QTcpServer tried
// the failing accept() again at every turn of the event loop: the node spun at 100 % of a core,
// logged nothing, and new clients (a load balancer's health check) hung in the backlog.
void TestNode::outOfDescriptorsANodeRefusesAtOnceAndDoesNotSpin()
{
    if (QStandardPaths::findExecutable(u"prlimit"_s).isEmpty())
        QSKIP("needs prlimit (util-linux)");
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.error()));
    QTemporaryDir dir;
    QProcessEnvironment env = cleanEnvironment();
    env.insert(u"XDG_DATA_HOME"_s, dir.path());
    env.insert(u"JWT_SECRET"_s, u"a-secret-of-at-least-32-bytes-for-tests"_s);
    env.insert(u"REDIS_URL"_s, redis.url());
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess process;
    process.setEnvironment(env);
    QVERIFY(process.start(
        {u"--headless"_s, u"--engines"_s, u"polling"_s, u"--port"_s, QString::number(port)}));
    QVERIFY2(process.waitForHealthy(port), process.output().constData());

    const QString pid = QString::number(process.pid());
    const qsizetype open =
        QDir(u"/proc/%1/fd"_s.arg(pid)).entryList(QDir::Files | QDir::System).size();
    const int limit = int(open) + 30;
    QCOMPARE(QProcess::execute(u"prlimit"_s, {u"--pid"_s, pid, u"--nofile=%1"_s.arg(limit)}), 0);
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    for (int i = 0; i < 60; ++i) {
        clients.push_back(std::make_unique<QTcpSocket>());
        clients.back()->connectToHost(QHostAddress::LocalHost, port);
    }
    QTest::qWait(1000);

    const auto cpuTicks = [&pid] {
        QFile stat(u"/proc/%1/stat"_s.arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            return -1LL;
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        return fields.value(11).toLongLong() + fields.value(12).toLongLong(); // utime + stime
    };
    const qint64 before = cpuTicks();
    QTest::qWait(2000);
    const qint64 spent = cpuTicks() - before;
    QVERIFY2(spent < 50, qPrintable(u"%1 ticks of CPU in 2 s"_s.arg(spent))); // spinning: ~200

    // A new client hears at once that it was refused, instead of waiting in the backlog.
    QTcpSocket late;
    late.connectToHost(QHostAddress::LocalHost, port);
    QTRY_COMPARE_WITH_TIMEOUT(late.state(), QAbstractSocket::UnconnectedState, 3000);
    QVERIFY2(process.output().contains("out of file descriptors"), process.output().constData());

    clients.clear();
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(port, "/health").status, 200, 10000);
    process.terminate();
    QVERIFY(process.waitForFinished(10000));
}

void TestNode::metricsAreValidPrometheusText()
{
    MetricsWriter out;
    Histogram latency;
    latency.observe(0.0004);
    latency.observe(0.003);
    latency.observe(100);
    out.counter("switchboard_x_total", "X", {{"stream", "a"}}, 3);
    out.gauge("switchboard_y", "Y", {}, 1.5);
    out.counter("switchboard_x_total", "X", {{"stream", "b\"q"}}, 4);
    out.histogram("switchboard_latency_seconds", "L", {{"stream", "a"}}, latency);
    const QByteArray text = out.text();
    const QList<QByteArray> lines = text.split('\n');

    // Every family's samples follow its HELP and TYPE, together.
    QCOMPARE(text.count("# TYPE switchboard_x_total counter"), 1);
    const qsizetype xa = text.indexOf("switchboard_x_total{stream=\"a\"} 3");
    const qsizetype xb = text.indexOf("switchboard_x_total{stream=\"b\\\"q\"} 4");
    const qsizetype y = text.indexOf("switchboard_y 1.5");
    QVERIFY(xa > 0 && xb > xa && y > xb);
    QVERIFY(text.contains("switchboard_latency_seconds_bucket{stream=\"a\",le=\"0.0005\"} 1"));
    QVERIFY(text.contains("switchboard_latency_seconds_bucket{stream=\"a\",le=\"0.005\"} 2"));
    QVERIFY(text.contains("switchboard_latency_seconds_bucket{stream=\"a\",le=\"+Inf\"} 3"));
    QVERIFY(text.contains("switchboard_latency_seconds_count{stream=\"a\"} 3"));
    QVERIFY(text.endsWith('\n'));
    for (const QByteArray &line : lines)
        QVERIFY2(line.isEmpty() || line.startsWith("# ") || line.startsWith("switchboard_"),
                 line.constData());
    // Quantiles come from the buckets.
    QVERIFY(latency.quantile(0.5) > 0.002 && latency.quantile(0.5) <= 0.005);
}

// The p50 and p99 an operator reads (the status document, the console's charts) are those of the
// last minute: over the node's life, an incident of the morning stayed in the p99 for hours (a
// 4 s stall of the remote: p99 3 334 ms, still 2 427 ms a minute after, lag 0, p50 0.5 ms), and
// days at 1 ms hid a new one. /metrics keeps the whole histogram.
void TestNode::statusFiguresAreOfTheLastMinute()
{
    Histogram total;
    RecentHistogram recent;
    qint64 now = 1'000'000;
    for (int i = 0; i < 100; ++i)
        total.observe(3.0); // an incident: 3 s each
    QCOMPARE(recent.lastMinute(total, now).count(), quint64(100)); // all of it, at first
    for (int second = 1; second <= 61; ++second) {
        now += 1000;
        for (int i = 0; i < 10; ++i)
            total.observe(0.001); // then 1 ms, ten a second
        recent.lastMinute(total, now); // a snapshot a second, as the engines make them
    }
    const Histogram minute = recent.lastMinute(total, now);
    QCOMPARE(minute.count(), quint64(600)); // the last 60 seconds' observations only
    QVERIFY2(minute.quantile(0.99) < 0.002, qPrintable(QString::number(minute.quantile(0.99))));
    QVERIFY(total.quantile(0.99) > 1); // the whole histogram still holds the incident
    // A new incident shows at once, whatever the minutes before held.
    for (int i = 0; i < 10; ++i)
        total.observe(5.0);
    QVERIFY(recent.lastMinute(total, now + 200).quantile(0.99) > 1);

    // And the status documents show the last minute's, not the whole histogram's (which the
    // lines above would not notice).
    Histogram incident;
    for (int i = 0; i < 100; ++i)
        incident.observe(3.0);
    Histogram quiet;
    quiet.observe(0.001);
    const auto isQuiet = [](const QJsonValue &p99) {
        return p99.toDouble(-1) >= 0 && p99.toDouble() < 2;
    };
    SyncSnapshot sync;
    sync.streams.append(SyncStreamStats());
    sync.streams[0].latency = incident;
    sync.streams[0].latencyLastMinute = quiet;
    QVERIFY(isQuiet(sync.toJson()[u"streams"_s][0][u"latency_p99_ms"_s]));
    IngressSnapshot ingress;
    ingress.forwardLatency = incident;
    ingress.forwardLatencyLastMinute = quiet;
    QVERIFY(isQuiet(ingress.toJson()[u"forward_p99_ms"_s]));
    PollingSnapshot polling;
    polling.wakeLatency = incident;
    polling.wakeLatencyLastMinute = quiet;
    QVERIFY(isQuiet(polling.toJson()[u"wake_p99_ms"_s]));
    TimeoutsSnapshot timeouts;
    timeouts.checkDuration = incident;
    timeouts.checkDurationLastMinute = quiet;
    QVERIFY(isQuiet(timeouts.toJson()[u"check_p99_ms"_s]));
}

// What a remote console reads: /api/v1/stream is a WebSocket sending the status document at
// once and then a few times a second.
void TestNode::statusStreamFeedsRemoteConsoles()
{
    SwitchboardNode node(loopbackNodeConfig({}), {});
    QString error;
    QVERIFY2(node.start(&error), qPrintable(error));
    const quint16 port = node.httpPort();

    QList<QJsonObject> received;
    QWebSocket socket;
    connect(&socket, &QWebSocket::textMessageReceived, this, [&](const QString &message) {
        received.append(QJsonDocument::fromJson(message.toUtf8()).object());
    });
    QElapsedTimer clock;
    clock.start();
    socket.open(QUrl(u"ws://127.0.0.1:%1/api/v1/stream"_s.arg(port)));
    QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty(), 2000);
    QVERIFY2(clock.elapsed() < 1000, qPrintable(QString::number(clock.elapsed())));
    QTRY_VERIFY_WITH_TIMEOUT(received.size() >= 4, 3000);
    for (const QJsonObject &status : std::as_const(received)) {
        QCOMPARE(status[u"node"_s][u"pid"_s].toInteger(),
                 node.status()[u"node"_s][u"pid"_s].toInteger());
        QVERIFY(status.contains(u"health"_s) && status.contains(u"engines"_s));
    }

    // The same path without the upgrade says what it is.
    const HttpResult plain = httpGet(port, "/api/v1/stream");
    QCOMPARE(plain.status, 426);
    QCOMPARE(QJsonDocument::fromJson(plain.body).object()[u"error"_s].toString(),
             u"upgrade_required"_s);

    // A node going away closes the stream: the console notices at once.
    bool closed = false;
    connect(&socket, &QWebSocket::disconnected, this, [&] { closed = true; });
    QSignalSpy stopped(&node, &SwitchboardNode::stopped);
    node.stop(2000);
    QVERIFY(stopped.wait(5000));
    QTRY_VERIFY_WITH_TIMEOUT(closed, 5000);
}

// A client of /api/v1/stream that reads nothing for a while (a console stopped in a debugger or
// with Ctrl-Z, behind a link slower than the stream, or a script that connects and sleeps) is
// not queued every document made meanwhile: the node's memory grew by one document per client
// every 250 ms, without end (8 such clients and 27 KB documents: +55 MB a minute), and a console
// reading again got the backlog, ever older, instead of the newest.
void TestNode::aStreamClientThatDoesNotReadIsNotQueuedEveryDocument()
{
    StatusOnly node(std::make_shared<LargeSnapshot>());
    QVERIFY2(node.listen(), qPrintable(node.error));
    HttpServer &server = node.server;

    // A raw client: Qt takes 4 KiB off the socket and no more until told to, so the kernel's
    // buffers fill and the node's writes wait, as for a client that does not read.
    QTcpSocket client;
    client.setReadBufferSize(4096);
    client.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    QVERIFY(upgradeToStream(client, server.serverPorts().value(0)));

    // 5 s without reading: 20 documents of 1 MiB are made.
    const qint64 stallStart = QDateTime::currentMSecsSinceEpoch();
    QTest::qWait(5000);
    const qint64 stallEnd = QDateTime::currentMSecsSinceEpoch();

    // Reading again: the server's frames are unmasked, a message split in continuation frames.
    client.setReadBufferSize(0);
    QByteArray buffer;
    QByteArray message;
    QList<qint64> madeAt; // of each document received
    const auto readFrames = [&] {
        buffer += client.readAll();
        while (buffer.size() >= 2) {
            const bool fin = quint8(buffer[0]) & 0x80;
            qint64 length = quint8(buffer[1]) & 0x7f;
            qsizetype offset = 2;
            if (length >= 126) {
                const int bytes = length == 126 ? 2 : 8;
                if (buffer.size() < 2 + bytes)
                    return;
                length = 0;
                for (int i = 0; i < bytes; ++i)
                    length = (length << 8) | quint8(buffer[2 + i]);
                offset += bytes;
            }
            if (buffer.size() < offset + length)
                return;
            message += buffer.mid(offset, length);
            buffer.remove(0, offset + length);
            if (fin) {
                madeAt.append(QJsonDocument::fromJson(message)
                                  .object()[u"engines"_s][u"large"_s][u"made_at"_s]
                                  .toInteger());
                message.clear();
            }
        }
    };
    connect(&client, &QIODevice::readyRead, this, readFrames);
    readFrames();
    // Reading, it soon gets a document made after the pause.
    QTRY_VERIFY_WITH_TIMEOUT(!madeAt.isEmpty() && madeAt.last() > stallEnd, 5000);
    const auto duringStall = std::count_if(madeAt.cbegin(), madeAt.cend(), [&](qint64 made) {
        return made > stallStart + 250 && made <= stallEnd;
    });
    // What the kernel's buffers held (a few MiB) and the one document the node had begun, not
    // the 19 made after the first while the client read nothing.
    QVERIFY2(duringStall <= 8, qPrintable(QString::number(duringStall)));
}

// A client that reads nothing at all (a console stopped with Ctrl-Z, a laptop suspended, a link
// cut without a FIN) kept one of the 32 places of /api/v1/stream until the kernel gave up on the
// connection, which it never does for a live process that does not read. After the stall limit
// the node disconnects it; a console that wakes up connects again.
void TestNode::aStreamClientThatReadsNothingForTheStallLimitIsDisconnected()
{
    StatusOnly node(std::make_shared<LargeSnapshot>());
    node.api.setStreamStallLimit(std::chrono::milliseconds(1500));
    QVERIFY2(node.listen(), qPrintable(node.error));
    QTcpSocket client;
    client.setReadBufferSize(4096);
    client.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    QVERIFY(upgradeToStream(client, node.server.serverPorts().value(0)));

    QTest::qWait(4000); // the buffers fill within a second, then 1.5 s with nothing read

    // Reading now finds the end of the connection; without the limit the documents flow again.
    client.setReadBufferSize(0);
    connect(&client, &QIODevice::readyRead, this, [&client] { client.readAll(); });
    client.readAll();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::UnconnectedState, 10000);
}

// A console sends nothing on the stream, yet the node took a client's message of any size
// (QWebSocket's limit is 2 GiB), held in memory while it came: a client announcing a huge one
// is cut off.
void TestNode::aStreamClientSendingAHugeMessageIsCutOff()
{
    StatusOnly node(std::make_shared<HealthOnlySnapshot>(u"sync"_s, true));
    QVERIFY2(node.listen(), qPrintable(node.error));
    HttpServer &server = node.server;
    QTcpSocket client;
    QVERIFY(upgradeToStream(client, server.serverPorts().value(0)));
    // A masked text frame of 16 MiB (64-bit length), of which the first 64 KiB.
    QByteArray frame("\x81\xff", 2);
    for (int shift = 56; shift >= 0; shift -= 8)
        frame.append(char((qint64(16) * 1024 * 1024 >> shift) & 0xff));
    frame.append("\x01\x02\x03\x04", 4);
    frame.append(QByteArray(64 * 1024, 'x'));
    client.write(frame);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::UnconnectedState, 5000);
}

// The two rules of http/apiaccess.h side by side: /api/v1/* lets loopback clients in freely; the
// polling engine's internal publish routes, once a token is configured, want it from every
// client, loopback included. A request a proxy forwarded is not a loopback client's.
void TestNode::accessRules_data()
{
    QTest::addColumn<QString>("rule"); // "api": apiAccessStatus; "internal": internalAccessStatus
    QTest::addColumn<QString>("address");
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<int>("expected");
    QTest::addColumn<QByteArray>("forwardedFor"); // X-Forwarded-For, from a proxy in front
    const QString api = u"api"_s;
    QTest::newRow("api: loopback, no token")
        << api << u"127.0.0.1"_s << QByteArray() << QByteArray() << 0 << QByteArray();
    QTest::newRow("api: loopback v6")
        << api << u"::1"_s << QByteArray() << QByteArray("s3cret") << 0 << QByteArray();
    QTest::newRow("api: remote, no token configured")
        << api << u"10.1.2.3"_s << QByteArray("Bearer x") << QByteArray() << 403 << QByteArray();
    QTest::newRow("api: remote, no header")
        << api << u"10.1.2.3"_s << QByteArray() << QByteArray("s3cret") << 401 << QByteArray();
    QTest::newRow("api: remote, wrong token") << api << u"10.1.2.3"_s << QByteArray("Bearer s3creT")
                                              << QByteArray("s3cret") << 403 << QByteArray();
    QTest::newRow("api: remote, prefix of token")
        << api << u"10.1.2.3"_s << QByteArray("Bearer s3cre") << QByteArray("s3cret") << 403
        << QByteArray();
    QTest::newRow("api: remote, right token") << api << u"10.1.2.3"_s << QByteArray("Bearer s3cret")
                                              << QByteArray("s3cret") << 0 << QByteArray();
    // A reverse proxy on the same host connects from loopback for the public behind it.
    QTest::newRow("api: loopback through a proxy, no token configured")
        << api << u"127.0.0.1"_s << QByteArray() << QByteArray() << 403
        << QByteArray("203.0.113.9");
    QTest::newRow("api: loopback through a proxy, right token")
        << api << u"127.0.0.1"_s << QByteArray("Bearer s3cret") << QByteArray("s3cret") << 0
        << QByteArray("203.0.113.9");
    const QString internal = u"internal"_s;
    QTest::newRow("internal: loopback, no token configured")
        << internal << u"127.0.0.1"_s << QByteArray() << QByteArray() << 0 << QByteArray();
    QTest::newRow("internal: loopback through a proxy, no token configured")
        << internal << u"127.0.0.1"_s << QByteArray() << QByteArray() << 403
        << QByteArray("203.0.113.9");
    QTest::newRow("internal: remote, no token configured")
        << internal << u"10.1.2.3"_s << QByteArray("Bearer x") << QByteArray() << 403
        << QByteArray();
    QTest::newRow("internal: loopback, token configured, none sent")
        << internal << u"::1"_s << QByteArray() << QByteArray("t0ken") << 401 << QByteArray();
    QTest::newRow("internal: remote, right token")
        << internal << u"10.1.2.3"_s << QByteArray("Bearer t0ken") << QByteArray("t0ken") << 0
        << QByteArray();
    QTest::newRow("internal: remote, wrong token")
        << internal << u"10.1.2.3"_s << QByteArray("Bearer t0keN") << QByteArray("t0ken") << 403
        << QByteArray();
}

void TestNode::accessRules()
{
    QFETCH(QString, rule);
    QFETCH(QString, address);
    QFETCH(QByteArray, authorization);
    QFETCH(QByteArray, token);
    QFETCH(int, expected);
    QFETCH(QByteArray, forwardedFor);
    HttpRequest request;
    request.remoteAddress = QHostAddress(address);
    if (!authorization.isEmpty())
        request.headers.append({"Authorization", authorization});
    if (!forwardedFor.isEmpty())
        request.headers.append({"X-Forwarded-For", forwardedFor});
    QCOMPARE(rule == u"internal"_s ? internalAccessStatus(request, token)
                                   : apiAccessStatus(request, token),
             expected);
}

QTEST_GUILESS_MAIN(TestNode)
#include "tst_node.moc"
