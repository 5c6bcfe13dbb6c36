// The console as an operator sees it, offscreen (QT_QPA_PLATFORM=offscreen): nodes in this
// process and headless nodes elsewhere, reached through the same NodeSource.

#include "localnodesource.h"
#include "node/switchboardnode.h"
#include "remotenodesource.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace Switchboard;
using namespace Switchboard::Test;
using namespace Qt::Literals::StringLiterals;

class TestConsole : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void remoteNodeGoesGreyWhenKilledAndComesBack();
    void localNodeAnswersThroughItsOwnRestApi();

private:
    // A headless node with only the ingress engine, on the test's nats-server: it starts no
    // children of its own, so killing it leaves nothing behind.
    bool startRemote(SwitchboardProcess &process, quint16 port);

    NatsServer m_nats;
    QTemporaryDir m_dataDir;
};

void TestConsole::initTestCase()
{
    QVERIFY2(m_nats.start(), qPrintable(m_nats.error()));
}

void TestConsole::cleanup()
{
    if (!m_nats.isRunning())
        QVERIFY2(m_nats.start(), qPrintable(m_nats.error()));
}

bool TestConsole::startRemote(SwitchboardProcess &process, quint16 port)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys()) {
        if (key.startsWith(u"REDIS_"_s) || key == u"PORT"_s || key == u"NATS_URL"_s)
            env.remove(key);
    }
    env.insert(u"NATS_URL"_s, m_nats.url());
    env.insert(u"XDG_DATA_HOME"_s, m_dataDir.path());
    process.setEnvironment(env);
    return process.start(
               {u"--headless"_s, u"--engines"_s, u"ingress"_s, u"--port"_s, QString::number(port)})
        && process.waitForHealthy(port, 20000);
}

void TestConsole::remoteNodeGoesGreyWhenKilledAndComesBack()
{
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess remote;
    QVERIFY2(startRemote(remote, port), remote.output().constData());

    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(port);
    RemoteNodeSource source(url, {});
    QSignalSpy statuses(&source, &NodeSource::statusChanged);
    source.start();
    QTRY_COMPARE_WITH_TIMEOUT(source.reachability(), NodeSource::Reachability::Live, 5000);
    QCOMPARE(source.status()[u"health"_s][u"ingress"_s][u"status"_s].toString(), u"healthy"_s);
    QCOMPARE(source.status()[u"node"_s][u"pid"_s].toInteger(), remote.pid());
    // A live feed, not one answer.
    QTRY_VERIFY_WITH_TIMEOUT(statuses.size() >= 4, 3000);

    remote.kill();
    QVERIFY(remote.waitForFinished(5000));
    QTRY_COMPARE_WITH_TIMEOUT(source.reachability(), NodeSource::Reachability::Unreachable, 5000);
    QVERIFY(source.unreachableSince().isValid());
    QVERIFY(!source.unreachableReason().isEmpty());
    QVERIFY(source.displayName().endsWith(u":%1"_s.arg(port)));

    // The console retries on its own: a node back on the same address turns live again.
    SwitchboardProcess restarted;
    QVERIFY2(startRemote(restarted, port), restarted.output().constData());
    QTRY_COMPARE_WITH_TIMEOUT(source.reachability(), NodeSource::Reachability::Live, 10000);
    QCOMPARE(source.status()[u"node"_s][u"pid"_s].toInteger(), restarted.pid());
    restarted.terminate();
    QVERIFY(restarted.waitForFinished(10000));
}

void TestConsole::localNodeAnswersThroughItsOwnRestApi()
{
    Config config;
    config.server.port = freeLoopbackPort();
    config.server.bindAddress = QHostAddress::LocalHost;
    SwitchboardNode node(config, {});
    QString error;
    QVERIFY2(node.start(&error), qPrintable(error));

    LocalNodeSource source(&node);
    source.start();
    QCOMPARE(source.reachability(), NodeSource::Reachability::Live);
    QCOMPARE(source.status()[u"node"_s][u"pid"_s].toInteger(), QCoreApplication::applicationPid());
    QVERIFY(source.isLocal());

    int status = -1;
    QJsonObject body;
    source.request("GET", u"/api/v1/status"_s, this, [&](int s, const QJsonObject &b) {
        status = s;
        body = b;
    });
    QTRY_COMPARE_WITH_TIMEOUT(status, 200, 5000);
    QVERIFY(body.contains(u"health"_s));
    status = -1;
    source.request("DELETE", u"/api/v1/ingress/dead-letters/1"_s, this,
                   [&](int s, const QJsonObject &b) {
                       status = s;
                       body = b;
                   });
    // No ingress engine on this node: the route does not exist, and the reply says so.
    QTRY_COMPARE_WITH_TIMEOUT(status, 404, 5000);
    QCOMPARE(body[u"error"_s].toString(), u"not_found"_s);

    QSignalSpy stopped(&node, &SwitchboardNode::stopped);
    node.stop(2000);
    QVERIFY(stopped.wait(5000));
}

QTEST_MAIN(TestConsole)
#include "tst_console.moc"
