// The console as an operator sees it, offscreen (QT_QPA_PLATFORM=offscreen): nodes in this
// process and headless nodes elsewhere, reached through the same NodeSource.

#include "addnodedialog.h"
#include "consolesettings.h"
#include "figuresbox.h"
#include "ingresspanel.h"
#include "localnodesource.h"
#include "logpanel.h"
#include "mainwindow.h"
#include "node/switchboardnode.h"
#include "nodeconfig.h"
#include "nodeview.h"
#include "pollingpanel.h"
#include "remotenodesource.h"
#include "serverprocess.h"
#include "syncpanel.h"
#include "timechart.h"
#include "timeoutspanel.h"
#include "webhooksink.h"

#include <QAction>
#include <QBarSet>
#include <QChart>
#include <QCryptographicHash>
#include <QDateTimeAxis>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMessageAuthenticationCode>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTextCursor>
#include <QTextDocument>
#include <QTranslator>
#include <QTreeView>
#include <QUrlQuery>
#include <QValueAxis>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtTest>

using namespace Switchboard;
using namespace Switchboard::Test;
using namespace Qt::Literals::StringLiterals;

namespace {
// What an operator reading Vietnamese sees on the Sync tab and the Add node button.
const QString VI_SYNC_TAB = QStringLiteral("Đồng bộ");
const QString VI_ADD_NODE = QStringLiteral("Thêm node…");

// A dead letter as the node lists it: event `id` of domain a.vn, which has no route.
QJsonObject unroutedDeadLetter(quint64 id, const QString &time)
{
    return QJsonObject {{u"id"_s, QString::number(id)},
                        {u"event_id"_s, u"event-%1"_s.arg(id)},
                        {u"domain"_s, u"a.vn"_s},
                        {u"reason"_s, u"no_route"_s},
                        {u"deliveries"_s, 1},
                        {u"failed_endpoints"_s, 0},
                        {u"received_at"_s, time},
                        {u"failed_at"_s, time},
                        {u"last_error"_s, u"no route for domain \"a.vn\""_s}};
}

// A node on another machine whose api.token is not the one the console was given, answering
// as HttpServer does: the /api/v1/stream upgrade refused with 403 and the connection closed,
// a REST call refused with 403 "wrong Bearer token". It listens on loopback (a real node lets
// loopback in without a token) and keeps the Authorization headers it received.
class TokenRefusingNode : public QObject
{
public:
    bool start()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { answer(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
        return m_server.listen(QHostAddress::LocalHost);
    }
    // Takes no more connections: the port is free for another server.
    void stop() { m_server.close(); }
    quint16 port() const { return m_server.serverPort(); }
    // Answers other than 403: a proxy in front of a node that passes REST calls and refuses
    // WebSocket upgrades, say.
    void setAnswers(const QByteArray &upgradeStatusLine, const QByteArray &restStatusLine,
                    const QByteArray &restBody)
    {
        m_upgradeStatusLine = upgradeStatusLine;
        m_restStatusLine = restStatusLine;
        m_restBody = restBody;
    }
    QList<QByteArray> authorizations() const { return m_authorizations; }
    // When each /api/v1/stream upgrade came (ms of a clock started with the node): the console's
    // attempts.
    QList<qint64> upgradeTimes() const { return m_upgradeTimes; }

private:
    void answer(QTcpSocket *socket)
    {
        QByteArray &request = m_requests[socket];
        request += socket->readAll();
        if (!request.contains("\r\n\r\n"))
            return;
        bool upgrade = false;
        for (const QByteArray &line : request.split('\n')) {
            const QByteArray header = line.trimmed().toLower();
            if (header.startsWith("authorization:"))
                m_authorizations.append(line.mid(line.indexOf(':') + 1).trimmed());
            upgrade = upgrade || header == "upgrade: websocket";
        }
        m_requests.remove(socket);
        if (upgrade)
            m_upgradeTimes.append(m_clock.elapsed());
        const QByteArray body =
            upgrade ? R"({"error":"forbidden","detail":"the WebSocket was refused"})" : m_restBody;
        socket->write((upgrade ? m_upgradeStatusLine : m_restStatusLine)
                      + "\r\nContent-Type: application/json\r\nContent-Length: "
                      + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QByteArray m_upgradeStatusLine = "HTTP/1.1 403 Forbidden";
    QByteArray m_restStatusLine = "HTTP/1.1 403 Forbidden";
    QByteArray m_restBody = R"({"error":"forbidden","detail":"wrong Bearer token"})";
    QHash<QTcpSocket *, QByteArray> m_requests;
    QList<QByteArray> m_authorizations;
    QElapsedTimer m_clock = [] {
        QElapsedTimer clock;
        clock.start();
        return clock;
    }();
    QList<qint64> m_upgradeTimes;
};

// What answers /api/v1/stream on a node's address: a WebSocket server on loopback sending each
// client `message()` when it connects and four times a second after, as a node sends its
// status. The test decides what that is: a status, something else, too much.
class StreamServer : public QObject
{
public:
    explicit StreamServer(std::function<QString()> message)
        : m_message(std::move(message))
    {
    }
    ~StreamServer() override
    {
        // The clients close as the server goes, after the list of them went with the members.
        for (QWebSocket *socket : std::as_const(m_clients))
            socket->disconnect(this);
    }

    bool start(quint16 port = 0)
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                m_clients.append(socket);
                connect(socket, &QWebSocket::disconnected, this, [this, socket] {
                    m_clients.removeAll(socket);
                    socket->deleteLater();
                });
                socket->sendTextMessage(m_message());
            }
        });
        connect(&m_tick, &QTimer::timeout, this, [this] {
            const QString message = m_message();
            for (QWebSocket *socket : std::as_const(m_clients))
                socket->sendTextMessage(message);
        });
        m_tick.start(250);
        return m_server.listen(QHostAddress::LocalHost, port);
    }
    quint16 port() const { return m_server.serverPort(); }

private:
    std::function<QString()> m_message;
    QWebSocketServer m_server {u"not-a-node"_s, QWebSocketServer::NonSecureMode};
    QTimer m_tick;
    QList<QWebSocket *> m_clients;
};

// A node whose statuses and reachability the test sets: no server behind it, so that what the
// window shows for a given state can be checked at once.
class FakeNodeSource : public NodeSource
{
public:
    // What the node answers to a REST call: the status (0: no answer) and the body.
    using Answer =
        std::function<std::pair<int, QJsonObject>(const QByteArray &method, const QString &path)>;

    explicit FakeNodeSource(const QString &name = u"fake-node:8080"_s, bool local = false)
        : m_name(name)
        , m_local(local)
    {
    }

    QString displayName() const override { return m_name; }
    QUrl baseUrl() const override { return QUrl(u"http://"_s + m_name); }
    bool isLocal() const override { return m_local; }
    void start() override { }
    void request(const QByteArray &method, const QString &path, QObject *context,
                 Reply reply) override
    {
        if (!answer)
            return reply(0, {{u"error"_s, u"a fake node answers no call"_s}});
        // Later, as from a network: the caller's state is as it is after the call.
        const std::pair<int, QJsonObject> answered = answer(method, path);
        QTimer::singleShot(0, context,
                           [reply, answered] { reply(answered.first, answered.second); });
    }

    using NodeSource::setReachability;
    using NodeSource::setStatus;

    Answer answer; // none: every call fails at once

private:
    QString m_name;
    bool m_local;
};

// A fake node named `name`, added to `window` (which then owns it).
FakeNodeSource *addFakeNode(MainWindow &window, const QString &name = u"fake-node:8080"_s)
{
    auto *source = new FakeNodeSource(name);
    window.addNode(source);
    return source;
}

// A status document with `engines` healthy; the polling engine with its figures.
// A lag chart on screen with two lines, `first` blue and `second` dark green; null when it
// could not be shown.
std::unique_ptr<TimeChart> shownChart(const QString &first, const QString &second)
{
    auto chart = std::make_unique<TimeChart>(
        TimeChart::Options {.title = u"Lag"_s, .unit = u"entries"_s, .minimumTop = 10});
    chart->resize(640, 320);
    chart->show();
    if (!QTest::qWaitForWindowExposed(chart.get()))
        return nullptr;
    chart->addLine(first, first, QPen(Qt::blue));
    chart->addLine(second, second, QPen(Qt::darkGreen));
    return chart;
}

// The layouts settle: a label's new text asks its layouts again through posted events.
void settleLayouts()
{
    for (int pass = 0; pass < 3; ++pass)
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
}

// Shows each of `engines` in `view` in turn: the first whose tab needs a wider window than
// `width` (the window's), said as the failure, or nothing.
QString tabWiderThanTheWindow(const MainWindow &window, NodeView *view, int width,
                              const QStringList &engines)
{
    for (const QString &engine : engines) {
        view->showEngine(engine);
        settleLayouts();
        if (window.minimumSizeHint().width() > width || window.width() != width)
            return u"%1: the window needs %2 px, is %3 px wide"_s.arg(engine)
                .arg(window.minimumSizeHint().width())
                .arg(window.width());
    }
    return {};
}

QJsonObject healthyStatus(const QStringList &engines)
{
    QJsonObject health;
    QJsonObject figures;
    for (const QString &engine : engines) {
        health.insert(engine, QJsonObject {{u"status"_s, u"healthy"_s}});
        QJsonObject engineFigures {{u"status"_s, u"healthy"_s}};
        if (engine == u"polling"_s) {
            engineFigures.insert(u"redis"_s, u"127.0.0.1:6379"_s);
            engineFigures.insert(u"redis_connected"_s, true);
            engineFigures.insert(u"held_polls"_s, 3);
            engineFigures.insert(u"publishes_per_second"_s, 1.5);
        }
        figures.insert(engine, engineFigures);
    }
    const QJsonObject node {
        {u"version"_s, u"0.1.0"_s},
        {u"host"_s, u"fake"_s},
        {u"pid"_s, 4242},
        // Up for an hour: its engines are past starting, an unhealthy one has failed.
        {u"started_at"_s,
         QDateTime::currentDateTimeUtc().addSecs(-3600).toString(Qt::ISODateWithMs)}};
    return {{u"node"_s, node}, {u"health"_s, health}, {u"engines"_s, figures}};
}

QImage iconImage(const QVariant &decoration)
{
    return qvariant_cast<QIcon>(decoration).pixmap(16, 16).toImage();
}
} // namespace

class TestConsole : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void remoteNodeGoesGreyWhenKilledAndComesBack();
    void remoteNodeRefusingTheTokenSaysSo();
    void localNodeAnswersThroughItsOwnRestApi();

    // The window, as the operator sees it.
    void syncChartsMoveAndARemoteRedisDownTurnsSyncRed();
    void remoteNodeAppearsInTheWindowAndTurnsGreyWhenKilled();
    void ingressTabSaysWhyWhileNatsIsDown();
    void deadLetterAppearsAndReplayEmptiesTheTable();
    void vietnameseChangesTheVisibleLabels();
    void pollingPanelShowsHeldPollsAndWakeUps();
    void timeoutsPanelFollowsAConversationAndALeaderChange();
    void timeoutsPanelShowsRefusedNotificationsSetAsideInRed();

    // What an operator on call would misread.
    void refusedTokenIsToldApartFromANodeThatDoesNotAnswer();
    void unreachableSinceHasTheDateWhenNotToday();
    void chartsLeaveAGapWhereNoStatusCame();
    void statusBarSaysWhenANodeDoesNotAnswer();
    void pollingTabSaysItsFiguresAreOldWhileTheNodeDoesNotAnswer();
    void httpsNodeIsNamedWithItsOwnPort();
    void logRowCountStaysRightPastTheCap();
    void statusBarDropsAProblemOnceItIsOver();
    void longFiguresWrapRatherThanWidenTheWindow();
    void vietnameseTranslatesQtsOwnButtons();
    void aLanguageWithoutATranslationGetsEnglishPlurals();
    void nodeHeaderSaysFirstThatTheNodeDoesNotAnswer();
    void editNodeChangesTheTokenAndUrlInPlace();
    void deadLetterDetailLoadsAgainOnceTheNodeAnswers();
    void tablesSortByTheClickedColumnThroughUpdates();
    void anEndpointWhoseCircuitIsOpenSaysSo();
    void aNodeSendingSomethingElseThanAStatusIsNotShownLive();
    void aHugeStatusIsRefusedWithAReason();
    void aNodeDownForLongIsAskedLessOften();
    void olderDeadLettersStayLoadedAsNewOnesCome();
    void settingsThatCannotBeSavedAreSaidSo();
    void aNodeListedTwiceInTheSettingsIsWatchedOnce();
    void aConsoleWhoseEnginesCannotStartWatchesItsNodes();
    void aProxyRefusingTheStreamIsNamed();
    void connectNowAsksALostNodeAtOnce();
    void aReplayWhoseAnswerWasLostIsNotSaidDoneElsewhere();
    void chartsShowThePresentAfterTheClockIsSetBack();
    void syncStreamsShowEntriesLostBeforeTheyWereRead();
    void panelsPlotAtOnceAfterTheClockIsSetBack();
    void aLongNodeNameDoesNotWidenTheWindow();
    void theLogKeepsItsPlaceAsRecordsCome();
    void deadLettersKeepTheirPlaceAsNewOnesCome();
    void figuresAreReadWholeAtTheWindowsSize();
    void connectNowSaysTheNodeWasAskedAgain();
    void timeoutsDataLostStaysInSight();
    void aHugeFigureDoesNotFreezeTheCharts();
    void nodesNotHeardFromAreNotCalledHealthy();
    void aNodeStartingIsNotShownFailed();
    void aNodeRunningNoEngineIsNotCalledHealthy();
    void fortyNodesAreSeenAtOnce();
    void wakeLatencyOfAQuietMinuteIsNotShownInstant();
    void syncFiguresOfALostLocalRedisAreUnknown();
    void anEngineWithNoFiguresYetIsNotCalledNotRunning();

private:
    // A headless node with only the ingress engine, on the test's nats-server: it starts no
    // children of its own, so killing it leaves nothing behind.
    bool startRemote(SwitchboardProcess &process, quint16 port);
    // A headless node with only the timeouts engine on `redis`, named `podId` in the election:
    // levels every 3 s, a check every 100 ms, a 2 s lease.
    bool startTimeoutsNode(SwitchboardProcess &process, quint16 port, const RedisServer &redis,
                           const QString &podId);

    // A window over its own settings file, so that nothing of the user's is read or written.
    std::unique_ptr<MainWindow> openWindow();
    // openWindow() with `source` as its only node, once its `engine` is healthy; null when it
    // does not turn healthy within `timeoutMs`.
    std::unique_ptr<MainWindow> openWindowOn(NodeSource *source, const QString &engine,
                                             int timeoutMs);
    // openWindowOn() the remote node on `port`, its ingress healthy within 5 s.
    std::unique_ptr<MainWindow> openWindowOnRemote(quint16 port);
    // Selects the window's only node and shows `engine`'s tab: the node's view.
    static NodeView *showEngine(MainWindow *window, const QString &engine);
    // `source`, healthy and listing one dead letter, added to `window`: its Ingress tab once the
    // letter is in the table; null when it is not within 5 s.
    static NodeView *showOneDeadLetter(MainWindow *window, FakeNodeSource *source);
    QUrl remoteUrl(quint16 port) const;
    // Stops a node of this process as its owner would, and waits for it (twice `drainMs` at most).
    static bool stopNode(SwitchboardNode &node, int drainMs = 5000);
    // figuresAreReadWholeAtTheWindowsSize() in one language, its translators installed.
    void figuresAreReadWholeIn(const QString &language);

    NatsServer m_nats;
    QTemporaryDir m_dataDir;
    std::unique_ptr<ConsoleSettings> m_settings;
};

void TestConsole::initTestCase()
{
    QVERIFY2(m_nats.start(), qPrintable(m_nats.error()));
}

void TestConsole::cleanup()
{
    m_settings.reset();
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

bool TestConsole::startTimeoutsNode(SwitchboardProcess &process, quint16 port,
                                    const RedisServer &redis, const QString &podId)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys()) {
        if (key.startsWith(u"REDIS_"_s) || key == u"PORT"_s || key == u"NATS_URL"_s
            || key == u"POD_ID"_s || key == u"TIMEOUT_INTERVAL_MS"_s
            || key == u"CHECK_INTERVAL_MS"_s || key == u"LEADER_ELECTION_TTL"_s
            || key == u"NOTIFICATION_WEBHOOK_URL"_s)
            env.remove(key);
    }
    env.insert(u"REDIS_URL"_s, redis.url());
    env.insert(u"POD_ID"_s, podId);
    env.insert(u"TIMEOUT_INTERVAL_MS"_s, u"3000"_s);
    env.insert(u"CHECK_INTERVAL_MS"_s, u"100"_s);
    env.insert(u"LEADER_ELECTION_TTL"_s, u"2"_s);
    env.insert(u"XDG_DATA_HOME"_s, m_dataDir.path());
    process.setEnvironment(env);
    return process.start(
               {u"--headless"_s, u"--engines"_s, u"timeouts"_s, u"--port"_s, QString::number(port)})
        && process.waitForHealthy(port, 20000);
}

void TestConsole::remoteNodeGoesGreyWhenKilledAndComesBack()
{
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess remote;
    QVERIFY2(startRemote(remote, port), remote.output().constData());

    RemoteNodeSource source(remoteUrl(port), {});
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

// A remote node that refuses the console's API token answers, and says why: the operator reads
// that the token is refused, in the node's words, on the node's row and in the alert, rather
// than a WebSocket library's message under "does not answer" that sends them to look for a
// node that is down.
void TestConsole::remoteNodeRefusingTheTokenSaysSo()
{
    TokenRefusingNode node;
    QVERIFY(node.start());
    std::unique_ptr<MainWindow> window = openWindow();
    QSignalSpy statusMessages(window->statusBar(), &QStatusBar::messageChanged);
    window->addNode(new RemoteNodeSource(remoteUrl(node.port()), "not-the-token"));
    NodesModel *nodes = window->nodesModel();
    QTRY_COMPARE_WITH_TIMEOUT(nodes->nodeSource(0)->reachability(),
                              NodeSource::Reachability::Refused, 5000);
    QVERIFY(!node.authorizations().isEmpty());
    QCOMPARE(node.authorizations().constFirst(), "Bearer not-the-token");

    const QString row = nodes->data(nodes->nodeIndex(0)).toString();
    QVERIFY2(row.contains(u"API token"_s) && row.contains(u"403: wrong Bearer token"_s),
             qPrintable(row));
    QVERIFY2(!row.contains(u"QWebSocket"_s), qPrintable(row));
    // The alert raised when the node turned grey already says so.
    QVERIFY(std::any_of(
        statusMessages.cbegin(), statusMessages.cend(), [](const QList<QVariant> &message) {
            return message.value(0).toString().contains(u"403: wrong Bearer token"_s);
        }));

    // Retried after 2 s (the upgrade, then the same token on /api/v1/status), it keeps saying so.
    const qsizetype refusals = node.authorizations().size();
    QTRY_VERIFY_WITH_TIMEOUT(node.authorizations().size() >= refusals + 2, 5000);
    QTest::qWait(200);
    QCOMPARE(nodes->data(nodes->nodeIndex(0)).toString(), row);
}

void TestConsole::localNodeAnswersThroughItsOwnRestApi()
{
    SwitchboardNode node(loopbackNodeConfig({}), {});
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
    QVERIFY(stopNode(node, 2000));
}

std::unique_ptr<MainWindow> TestConsole::openWindow()
{
    QFile::remove(m_dataDir.filePath(u"console.ini"_s));
    m_settings = std::make_unique<ConsoleSettings>(m_dataDir.filePath(u"console.ini"_s));
    auto window = std::make_unique<MainWindow>(m_settings.get());
    window->resize(1280, 800);
    window->show();
    return window;
}

std::unique_ptr<MainWindow> TestConsole::openWindowOn(NodeSource *source, const QString &engine,
                                                      int timeoutMs)
{
    std::unique_ptr<MainWindow> window = openWindow();
    window->addNode(source);
    const bool healthy = QTest::qWaitFor(
        [&] { return window->nodesModel()->engineState(0, engine) == EngineState::Healthy; },
        timeoutMs);
    return healthy ? std::move(window) : nullptr;
}

std::unique_ptr<MainWindow> TestConsole::openWindowOnRemote(quint16 port)
{
    return openWindowOn(new RemoteNodeSource(remoteUrl(port), {}), u"ingress"_s, 5000);
}

NodeView *TestConsole::showEngine(MainWindow *window, const QString &engine)
{
    window->selectNode(0);
    NodeView *view = window->nodeView(0);
    if (view)
        view->showEngine(engine);
    return view;
}

NodeView *TestConsole::showOneDeadLetter(MainWindow *window, FakeNodeSource *source)
{
    window->addNode(source);
    source->setStatus(healthyStatus({u"ingress"_s}));
    NodeView *view = showEngine(window, u"ingress"_s);
    const bool listed =
        view
        && QTest::qWaitFor(
            [view] { return view->ingressPanel()->deadLettersModel()->rowCount() == 1; }, 5000);
    return listed ? view : nullptr;
}

QUrl TestConsole::remoteUrl(quint16 port) const
{
    QUrl url;
    url.setScheme(u"http"_s);
    url.setHost(u"127.0.0.1"_s);
    url.setPort(port);
    return url;
}

bool TestConsole::stopNode(SwitchboardNode &node, int drainMs)
{
    QSignalSpy stopped(&node, &SwitchboardNode::stopped);
    node.stop(drainMs);
    return stopped.wait(2 * drainMs);
}

void TestConsole::syncChartsMoveAndARemoteRedisDownTurnsSyncRed()
{
    RedisServer local;
    RedisServer remote;
    QVERIFY2(local.start(), qPrintable(local.error()));
    QVERIFY2(remote.start(), qPrintable(remote.error()));

    Config config = loopbackNodeConfig({u"sync"_s}, m_dataDir.path());
    config.sync.local = local.endpoint();
    config.sync.remote = remote.endpoint();
    config.sync.healthCheckInterval = Milliseconds(100);
    config.sync.healthMaxRetries = 2;
    config.simulate.enabled = true;
    config.simulate.eventsPerSecond = 200;
    SwitchboardNode node(config, {u"sync"_s});
    QString error;
    QVERIFY2(node.start(&error), qPrintable(error));

    std::unique_ptr<MainWindow> window = openWindowOn(new LocalNodeSource(&node), u"sync"_s, 5000);
    QVERIFY(window);
    NodeView *view = showEngine(window.get(), u"sync"_s);
    QVERIFY(view);
    NodesModel *nodes = window->nodesModel();
    QCOMPARE(nodes->engineState(0, u"ingress"), EngineState::NotRunning);

    // The lag chart of the events stream gains a point a second; the table shows a rate.
    const QString events = config.sync.streamEvents;
    QTRY_VERIFY_WITH_TIMEOUT(view->syncPanel()->lagSeries(events), 5000);
    QLineSeries *lag = view->syncPanel()->lagSeries(events);
    const int pointsBefore = lag->count();
    QTRY_VERIFY_WITH_TIMEOUT(lag->count() >= pointsBefore + 3, 6000);
    // Off screen the chart draws nothing, and keeps its history: shown again, it has the
    // seconds it missed.
    view->showEngine(u"ingress");
    QVERIFY(!view->syncPanel()->isVisible());
    const qsizetype hiddenAt = lag->count();
    QTest::qWait(2500);
    QCOMPARE(lag->count(), hiddenAt);
    view->showEngine(u"sync");
    QVERIFY(lag->count() >= hiddenAt + 2);
    QVERIFY(view->syncPanel()->latencySeries(events, true));
    auto *table = view->findChild<QTableView *>(u"syncStreamsTable"_s);
    QVERIFY(table);
    QAbstractItemModel *streams = table->model();
    int eventsRow = -1;
    for (int row = 0; row < streams->rowCount(); ++row) {
        if (streams->index(row, SyncStreamsModel::Stream).data().toString() == events)
            eventsRow = row;
    }
    QVERIFY(eventsRow >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        QLocale().toDouble(streams->index(eventsRow, SyncStreamsModel::Rate).data().toString()) > 0,
        5000);

    // The remote Redis goes away: sync turns red with the reason, in the list, on the panel's
    // banner and as an alert row in the node's log.
    remote.kill();
    QTRY_COMPARE_WITH_TIMEOUT(nodes->engineState(0, u"sync"), EngineState::Unhealthy, 10000);
    const QString reason = nodes->engineReason(0, u"sync");
    QVERIFY2(reason.contains(u"remote"_s, Qt::CaseInsensitive), qPrintable(reason));
    auto *banner = view->findChild<QLabel *>(u"syncBanner"_s);
    QVERIFY(banner);
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible() && banner->text().contains(reason), 3000);
    QVERIFY(nodes->data(nodes->nodeIndex(0)).toString().contains(u"Sync"_s));
    LogModel *log = view->logPanel()->model();
    bool alerted = false;
    for (int row = 0; row < log->rowCount(); ++row)
        alerted = alerted || log->entry(row).level == u"alert"_s;
    QVERIFY(alerted);

    // Back again: green without anyone touching the console.
    QVERIFY2(remote.start(remote.port()), qPrintable(remote.error()));
    QTRY_COMPARE_WITH_TIMEOUT(nodes->engineState(0, u"sync"), EngineState::Healthy, 10000);

    window.reset();
    QVERIFY(stopNode(node));
}

void TestConsole::remoteNodeAppearsInTheWindowAndTurnsGreyWhenKilled()
{
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess remote;
    QVERIFY2(startRemote(remote, port), remote.output().constData());

    std::unique_ptr<MainWindow> window = openWindowOnRemote(port);
    QVERIFY(window);
    NodesModel *nodes = window->nodesModel();
    QCOMPARE(nodes->nodeCount(), 1);
    QCOMPARE(nodes->engineState(0, u"sync"), EngineState::NotRunning);
    QVERIFY(nodes->data(nodes->nodeIndex(0)).toString().contains(u":%1"_s.arg(port)));

    remote.kill();
    QVERIFY(remote.waitForFinished(5000));
    QTRY_COMPARE_WITH_TIMEOUT(nodes->engineState(0, u"ingress"), EngineState::Unknown, 5000);
    QVERIFY(nodes->engineReason(0, u"ingress").contains(u"unreachable since"_s));
    QVERIFY(nodes->data(nodes->nodeIndex(0)).toString().contains(u"unreachable since"_s));
    // The window still answers: the node's view shows the same.
    window->selectNode(0);
    QVERIFY(window->currentNodeView());
    QCOMPARE(window->currentNodeView()->source()->reachability(),
             NodeSource::Reachability::Unreachable);
    // The Ingress tab keeps the last figures and says they are old.
    window->currentNodeView()->showEngine(u"ingress");
    auto *stale =
        window->currentNodeView()->ingressPanel()->findChild<QLabel *>(u"ingressStaleNote"_s);
    QVERIFY(stale);
    QTRY_VERIFY_WITH_TIMEOUT(stale->isVisible(), 5000);
    QVERIFY2(stale->text().contains(u"The figures below are its last status"_s),
             qPrintable(stale->text()));
}

// NATS gone: the node's ingress turns red, and the Ingress tab says why above its charts; NATS
// back: the banner goes.
void TestConsole::ingressTabSaysWhyWhileNatsIsDown()
{
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess remote;
    QVERIFY2(startRemote(remote, port), remote.output().constData());
    std::unique_ptr<MainWindow> window = openWindowOnRemote(port);
    QVERIFY(window);
    NodesModel *nodes = window->nodesModel();
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    QVERIFY(view);
    auto *banner = view->ingressPanel()->findChild<QLabel *>(u"ingressBanner"_s);
    QVERIFY(banner);
    QVERIFY(!banner->isVisible());

    m_nats.kill();
    QTRY_COMPARE_WITH_TIMEOUT(nodes->engineState(0, u"ingress"), EngineState::Unhealthy, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 5000);
    QVERIFY2(banner->text().startsWith(u"Ingress is unhealthy: "_s), qPrintable(banner->text()));
    QVERIFY2(banner->text().size() > u"Ingress is unhealthy: "_s.size(),
             qPrintable(banner->text()));

    QVERIFY2(m_nats.start(), qPrintable(m_nats.error()));
    QTRY_COMPARE_WITH_TIMEOUT(nodes->engineState(0, u"ingress"), EngineState::Healthy, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 5000);
    window.reset();
    remote.terminate();
    QVERIFY(remote.waitForFinished(10000));
}

void TestConsole::deadLetterAppearsAndReplayEmptiesTheTable()
{
    // The endpoint fails the first three deliveries (max_deliveries), then takes everything.
    WebhookSink sink;
    sink.setResponder([](const WebhookSink::Received &, int index) {
        WebhookSink::Answer answer;
        answer.status = index <= 3 ? 500 : 200;
        return answer;
    });
    QVERIFY(sink.start());

    SwitchboardNode node(ingressNodeConfig(m_nats.url(), u"console"_s,
                                           {{u"a.vn"_s, {sink.url()}, Milliseconds(0)}},
                                           m_dataDir.path()),
                         {u"ingress"_s});
    QString error;
    QVERIFY2(node.start(&error), qPrintable(error));

    std::unique_ptr<MainWindow> window =
        openWindowOn(new LocalNodeSource(&node), u"ingress"_s, 10000);
    QVERIFY(window);
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    QVERIFY(view);

    const QByteArray event = QJsonDocument(QJsonObject {{u"domain"_s, u"a.vn"_s},
                                                        {u"call_id"_s, u"call-7"_s},
                                                        {u"state"_s, u"answered"_s}})
                                 .toJson(QJsonDocument::Compact);
    QCOMPARE(httpRequest(node.httpPort(), "POST", "/events", event).status, 202);

    QAbstractItemModel *letters = view->ingressPanel()->deadLettersModel();
    QTRY_COMPARE_WITH_TIMEOUT(letters->rowCount(), 1, 15000);
    QCOMPARE(sink.count(), 3);
    auto *table = view->findChild<QTableView *>(u"deadLettersTable"_s);
    auto *replay = view->findChild<QPushButton *>(u"replayButton"_s);
    QVERIFY(table && replay);
    QVERIFY(!replay->isEnabled()); // nothing selected yet
    table->selectRow(0);
    QTRY_VERIFY(replay->isEnabled());
    QTest::mouseClick(replay, Qt::LeftButton);

    QTRY_COMPARE_WITH_TIMEOUT(letters->rowCount(), 0, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(sink.count(), 4, 5000); // delivered this time
    auto *status = view->findChild<QLabel *>(u"ingressStatusLabel"_s);
    QVERIFY(status && status->text().contains(u"replayed"_s));
    // And it stays empty: the next listings do not bring it back.
    QTest::qWait(1500);
    QCOMPARE(letters->rowCount(), 0);

    window.reset();
    QVERIFY(stopNode(node));
}

void TestConsole::vietnameseChangesTheVisibleLabels()
{
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess remote;
    QVERIFY2(startRemote(remote, port), remote.output().constData());
    auto tabTexts = [&] {
        std::unique_ptr<MainWindow> window = openWindow();
        window->addNode(new RemoteNodeSource(remoteUrl(port), {}));
        QStringList texts;
        QTabWidget *tabs = window->nodeView(0)->tabs();
        for (int tab = 0; tab < tabs->count(); ++tab)
            texts.append(tabs->tabText(tab));
        texts.append(window->findChild<QPushButton *>(u"addNodeButton"_s)->text());
        return texts;
    };

    const QStringList english = tabTexts();
    QCOMPARE(english.first(), u"Sync"_s);

    installConsoleTranslators(u"vi"_s);
    const QStringList vietnamese = tabTexts();
    for (QTranslator *translator : qApp->findChildren<QTranslator *>()) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
    QCOMPARE(vietnamese.size(), english.size());
    QCOMPARE(vietnamese.first(), VI_SYNC_TAB);
    QCOMPARE(vietnamese.last(), VI_ADD_NODE);
    QVERIFY(vietnamese.last() != english.last());
    QCOMPARE(tabTexts(), english); // and back once the translator is gone

    remote.terminate();
    QVERIFY(remote.waitForFinished(10000));
}

void TestConsole::pollingPanelShowsHeldPollsAndWakeUps()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.error()));
    Config config = loopbackNodeConfig({u"polling"_s}, m_dataDir.path());
    config.polling.redis = redis.endpoint();
    config.polling.jwtSecret = "console-secret";
    SwitchboardNode node(config, {u"polling"_s});
    QString error;
    QVERIFY2(node.start(&error), qPrintable(error));

    std::unique_ptr<MainWindow> window =
        openWindowOn(new LocalNodeSource(&node), u"polling"_s, 5000);
    QVERIFY(window);
    NodeView *view = showEngine(window.get(), u"polling"_s);
    QVERIFY(view);
    PollingPanel *panel = view->pollingPanel();
    QVERIFY(panel->isVisible());

    // A browser holds a long poll: the panel's chart shows it held.
    // A token signed with the node's secret: HS256 over header.payload, base64url.
    const auto base64 = [](const QByteArray &bytes) {
        return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    const QByteArray unsigned_ = base64(R"({"alg":"HS256","typ":"JWT"})") + '.'
        + base64(R"({"sub":"alice","roles":["USER"]})");
    const QByteArray token = unsigned_ + '.'
        + base64(QMessageAuthenticationCode::hash(unsigned_, "console-secret",
                                                  QCryptographicHash::Sha256));
    QNetworkAccessManager network;
    QNetworkRequest request(
        QUrl(u"http://127.0.0.1:%1/v1/polling/user/events?longPoll=true"_s.arg(node.httpPort())));
    request.setRawHeader("Authorization", "Bearer " + token);
    QNetworkReply *reply = network.get(request);
    QTRY_VERIFY_WITH_TIMEOUT(panel->activityChart()->series(u"held"_s)
                                 && panel->activityChart()->series(u"held"_s)->count() > 0
                                 && panel->activityChart()->series(u"held"_s)->points().last().y()
                                     == 1,
                             5000);

    // A publish wakes it; the wake latency chart gets its first points.
    QCOMPARE(httpRequest(node.httpPort(), "POST", "/v1/internal/events/publish",
                         R"({"eventType":"T","userId":"alice"})")
                 .status,
             200);
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    reply->deleteLater();
    QTRY_VERIFY_WITH_TIMEOUT(panel->wakeChart()->pointCount(u"p99"_s) > 0, 5000);

    window.reset();
    QVERIFY(stopNode(node));
}

void TestConsole::timeoutsPanelFollowsAConversationAndALeaderChange()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.error()));
    const auto timeoutsOf = [](quint16 port) {
        const HttpResult result = httpGet(port, "/api/v1/status");
        return QJsonDocument::fromJson(result.body)[u"engines"_s][u"timeouts"_s].toObject();
    };

    // Two nodes on one Redis: the first leads, the console watches the second.
    const quint16 leaderPort = freeLoopbackPort();
    SwitchboardProcess leader;
    QVERIFY2(startTimeoutsNode(leader, leaderPort, redis, u"console-pod-a"_s),
             leader.output().constData());
    QTRY_VERIFY_WITH_TIMEOUT(timeoutsOf(leaderPort)[u"is_leader"_s].toBool(), 10000);
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess standby;
    QVERIFY2(startTimeoutsNode(standby, port, redis, u"console-pod-b"_s),
             standby.output().constData());

    std::unique_ptr<MainWindow> window =
        openWindowOn(new RemoteNodeSource(remoteUrl(port), {}), u"timeouts"_s, 10000);
    QVERIFY(window);
    NodeView *view = showEngine(window.get(), u"timeouts"_s);
    QVERIFY(view);
    auto *panel = view->findChild<TimeoutsPanel *>();
    QVERIFY(panel && panel->isVisible());
    auto *leaderLabel = panel->findChild<QLabel *>(u"timeoutsLeader"_s);
    QVERIFY(leaderLabel);
    QTRY_VERIFY_WITH_TIMEOUT(leaderLabel->text().contains(u"console-pod-a"_s), 5000);
    QVERIFY(!leaderLabel->text().contains(u"this node"_s));
    QVERIFY(panel->leaderChanges().isEmpty());

    // An agent writes to a customer: the conversation waits, with its row in the table and the
    // levels it will raise in the forecast.
    QCOMPARE(httpRequest(port, "POST", "/conversations/console-conv-1/agent-message",
                         R"({"agent_id":"agent-7"})")
                 .status,
             200);
    const auto lastPoint = [](TimeChart *chart, const QString &key) {
        QLineSeries *series = chart->series(key);
        return series && series->count() > 0 ? series->points().constLast().y() : -1.0;
    };
    QTRY_COMPARE_WITH_TIMEOUT(lastPoint(panel->waitingChart(), u"waiting"_s), 1.0, 5000);
    QAbstractItemModel *longest = panel->longestWaitingModel();
    const auto rowOf = [longest](const QString &id) {
        for (int row = 0; row < longest->rowCount(); ++row) {
            if (longest->index(row, LongestWaitingModel::Conversation).data().toString() == id)
                return row;
        }
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(u"console-conv-1"_s) >= 0 && panel->forecastBars()->sum() >= 1,
                             5000);
    const int row = rowOf(u"console-conv-1"_s);
    QCOMPARE(longest->index(row, LongestWaitingModel::Agent).data().toString(), u"agent-7"_s);
    QCOMPARE(longest->index(row, LongestWaitingModel::NextLevel).data().toString(), u"1"_s);
    QVERIFY(longest->index(row, LongestWaitingModel::DueAt).data().toString().contains(u"in "_s));

    // No reply: level 1 is raised 3 s later, and the per-minute chart shows it.
    QTRY_VERIFY_WITH_TIMEOUT(lastPoint(panel->perMinuteChart(), u"1"_s) >= 1, 10000);

    // The leader dies without a word: its lease runs out, the watched node takes over, and the
    // panel says so as it happens, in its list and as a row in the node's log.
    QSignalSpy statusMessages(window->statusBar(), &QStatusBar::messageChanged);
    leader.kill();
    QVERIFY(leader.waitForFinished(5000));
    const QRegularExpression change(
        uR"(^Leader changed: console-pod-a \(epoch \d+\) → console-pod-b \(epoch \d+\) at \d\d:\d\d:\d\d$)"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!panel->leaderChanges().isEmpty()
                                 && change.match(panel->leaderChanges().constFirst()).hasMatch(),
                             15000);
    QTRY_VERIFY_WITH_TIMEOUT(leaderLabel->text().contains(u"console-pod-b"_s)
                                 && leaderLabel->text().contains(u"this node"_s),
                             5000);
    LogModel *log = view->logPanel()->model();
    bool logged = false;
    for (int entry = 0; entry < log->rowCount(); ++entry) {
        const QString message = log->entry(entry).message;
        logged = logged
            || (message.contains(u"leader changed"_s) && message.contains(u"console-pod-a"_s)
                && message.contains(u"console-pod-b"_s));
    }
    QVERIFY(logged);
    // A problem the operator must see without the tab open: on the status bar (and the tray).
    // What it showed, not what it shows now: a status tip may have replaced it since.
    const auto shown = [&statusMessages](const QString &text) {
        for (const QList<QVariant> &message : std::as_const(statusMessages)) {
            if (message.value(0).toString().contains(text))
                return true;
        }
        return false;
    };
    // The change itself, or the time without a leader before it when the panel saw one.
    QTRY_VERIFY_WITH_TIMEOUT(shown(u"Timeouts leader changed"_s) || shown(u"No timeouts leader"_s),
                             5000);
    QCOMPARE(window->nodesModel()->engineState(0, u"timeouts"), EngineState::Healthy);

    // Its Redis gone, the node cannot tell who leads: red, on the leader line and the banner.
    redis.kill();
    auto *banner = panel->findChild<QLabel *>(u"timeoutsBanner"_s);
    QVERIFY(banner);
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(leaderLabel->text().contains(u"Leader unknown"_s), 5000);

    window.reset();
    standby.terminate();
    QVERIFY(standby.waitForFinished(10000));
}

// A webhook that refuses one notification for good (a 4xx) while it takes others: the node sets
// it aside in timeout:refused_notifications, and the panel's Webhook figure says so in red.
void TestConsole::timeoutsPanelShowsRefusedNotificationsSetAsideInRed()
{
    RedisServer redis;
    QVERIFY2(redis.start(), qPrintable(redis.error()));
    WebhookSink sink;
    sink.setResponder([](const Received &request, int) {
        WebhookSink::Answer answer;
        if (request.header("Idempotency-Key").startsWith("console-refused:")) {
            answer.status = 422;
            answer.body = R"({"error":"unknown conversation"})";
        }
        return answer;
    });
    QVERIFY(sink.start());

    // Level 1 a minute after the agent's message, so that a message dated 61 s ago is due at
    // once and level 2 is a minute away; retries 100-200 ms apart, set aside at the 2nd refusal.
    Config config = loopbackNodeConfig({u"timeouts"_s}, m_dataDir.path());
    config.timeouts.redis = redis.endpoint();
    config.timeouts.podId = u"console-pod-refusals"_s;
    config.timeouts.timeoutInterval = Milliseconds(60000);
    config.timeouts.checkInterval = Milliseconds(100);
    config.timeouts.notificationWebhookUrl = sink.url();
    config.timeouts.retryDelay = Milliseconds(100);
    config.timeouts.retryMaxDelay = Milliseconds(200);
    config.timeouts.webhookRefusalAttempts = 2;
    SwitchboardNode node(config, {u"timeouts"_s});
    QString error;
    QVERIFY2(node.start(&error), qPrintable(error));

    std::unique_ptr<MainWindow> window =
        openWindowOn(new LocalNodeSource(&node), u"timeouts"_s, 10000);
    QVERIFY(window);
    NodeView *view = showEngine(window.get(), u"timeouts"_s);
    QVERIFY(view);
    auto *panel = view->findChild<TimeoutsPanel *>();
    QVERIFY(panel && panel->isVisible());

    // The value beside "Webhook:" in the engine's figures, as the operator reads it.
    QLabel *webhook = nullptr;
    for (auto *grid : panel->findChildren<QGridLayout *>()) {
        for (int item = 0; item < grid->count() && !webhook; ++item) {
            auto *name = qobject_cast<QLabel *>(grid->itemAt(item)->widget());
            if (!name || name->text() != u"Webhook:"_s)
                continue;
            int row = 0, column = 0, rowSpan = 0, columnSpan = 0;
            grid->getItemPosition(item, &row, &column, &rowSpan, &columnSpan);
            if (QLayoutItem *value = grid->itemAtPosition(row, column + 1))
                webhook = qobject_cast<QLabel *>(value->widget());
        }
    }
    QVERIFY(webhook);
    // What the label shows, and the colour of the first `fragment` in it (invalid when absent).
    const auto shownText = [webhook] {
        QTextDocument document;
        document.setHtml(webhook->text());
        return document.toPlainText();
    };
    const auto colourOf = [webhook](const QString &fragment) {
        QTextDocument document;
        document.setHtml(webhook->text());
        const QTextCursor found = document.find(fragment);
        if (found.isNull())
            return QColor();
        const QBrush brush = found.charFormat().foreground();
        return brush.style() == Qt::NoBrush ? webhook->palette().color(QPalette::WindowText)
                                            : brush.color();
    };
    const auto isRed = [](const QColor &colour) {
        return colour.isValid() && colour.red() >= 128 && colour.red() > 2 * colour.green()
            && colour.red() > 2 * colour.blue();
    };
    QTRY_VERIFY_WITH_TIMEOUT(shownText().startsWith(u"delivered 0, failed attempts 0"_s), 5000);
    QVERIFY2(!shownText().contains(u"set aside"_s), qPrintable(shownText()));

    const auto agentMessage = [&node](const QByteArray &id) {
        const qint64 sinceMs = QDateTime::currentMSecsSinceEpoch() - 61000;
        const QByteArray timestamp = QDateTime::fromMSecsSinceEpoch(sinceMs, QTimeZone::utc())
                                         .toString(Qt::ISODateWithMs)
                                         .toLatin1();
        return httpRequest(node.httpPort(), "POST", "/conversations/" + id + "/agent-message",
                           R"({"agent_id":"agent-7","message_id":"m-)" + id + R"(","timestamp":")"
                               + timestamp + R"("})")
            .status;
    };
    const auto postsOf = [&sink](const QByteArray &conversation) {
        QList<Received> posts;
        for (const Received &request : sink.received()) {
            if (request.header("Idempotency-Key").startsWith(conversation + ":1:"))
                posts.append(request);
        }
        return posts;
    };

    // Level 1 of a conversation the webhook will not take: refused again and again, but while
    // the webhook has taken nothing it may be the webhook that is wrong, so nothing is set aside.
    QCOMPARE(agentMessage("console-refused"), 200);
    QTRY_VERIFY_WITH_TIMEOUT(postsOf("console-refused").size() >= 4, 10000);
    const Received refused = postsOf("console-refused").constFirst();
    QCOMPARE(refused.method, "POST");
    QVERIFY2(refused.body.contains(R"("conversation_id":"console-refused")")
                 && refused.body.contains(R"("level":1)"),
             refused.body.constData());
    QTRY_VERIFY_WITH_TIMEOUT(isRed(colourOf(u"failed attempts"_s))
                                 && !shownText().contains(u"failed attempts 0"_s),
                             5000);
    QVERIFY2(!shownText().contains(u"set aside"_s), qPrintable(shownText()));
    QCOMPARE(sink.count(), postsOf("console-refused").size()); // nothing else posted yet

    // The webhook takes another conversation's level 1: the refused one is set aside at its
    // next refusal, and the figure says so, in red.
    QCOMPARE(agentMessage("console-welcome"), 200);
    QTRY_COMPARE_WITH_TIMEOUT(postsOf("console-welcome").size(), 1, 10000);
    const QString setAside = u"set aside 1 (refused, in timeout:refused_notifications)"_s;
    QTRY_VERIFY2_WITH_TIMEOUT(shownText().contains(setAside), qPrintable(shownText()), 10000);
    QVERIFY2(shownText().startsWith(u"delivered 1, "_s), qPrintable(shownText()));
    QVERIFY2(isRed(colourOf(setAside)), qPrintable(webhook->text()));
    QVERIFY2(!isRed(colourOf(u"delivered 1"_s)), qPrintable(webhook->text()));
    // Set aside, it is not posted again.
    const qsizetype refusedPosts = postsOf("console-refused").size();
    QTest::qWait(500);
    QCOMPARE(postsOf("console-refused").size(), refusedPosts);

    window.reset();
    QVERIFY(stopNode(node));
}

// A node refusing the console's token is a credentials problem, not a network one: its row,
// its dot, its alert (the tray's title), its header and its stale note say so, unlike those of
// a node where nothing listens.
void TestConsole::refusedTokenIsToldApartFromANodeThatDoesNotAnswer()
{
    TokenRefusingNode refusing;
    QVERIFY(refusing.start());
    const quint16 deadPort = freeLoopbackPort(); // nothing listens there
    std::unique_ptr<MainWindow> window = openWindow();
    NodesModel *nodes = window->nodesModel();
    QList<ConsoleAlert> alerts;
    connect(nodes, &NodesModel::alertRaised, this,
            [&alerts](NodeSource *, const ConsoleAlert &alert) { alerts.append(alert); });
    window->addNode(new RemoteNodeSource(remoteUrl(refusing.port()), "not-the-token"));
    window->addNode(new RemoteNodeSource(remoteUrl(deadPort), "some-token"));
    NodeSource *refused = nodes->nodeSource(0);
    NodeSource *dead = nodes->nodeSource(1);
    QTRY_VERIFY_WITH_TIMEOUT(dead->reachability() == NodeSource::Reachability::Unreachable
                                 && refused->reachability() != NodeSource::Reachability::Connecting,
                             5000);
    QVERIFY(!refusing.authorizations().isEmpty());

    QVERIFY(refused->reachability() != NodeSource::Reachability::Unreachable);
    const QString refusedRow = nodes->data(nodes->nodeIndex(0)).toString();
    const QString deadRow = nodes->data(nodes->nodeIndex(1)).toString();
    QVERIFY2(deadRow.contains(u"unreachable since"_s), qPrintable(deadRow));
    QVERIFY2(!refusedRow.contains(u"unreachable"_s, Qt::CaseInsensitive), qPrintable(refusedRow));
    QVERIFY2(refusedRow.contains(u"API token refused since"_s)
                 && refusedRow.contains(u"403: wrong Bearer token"_s),
             qPrintable(refusedRow));
    // Its own dot, not the grey one of a node that does not answer (nor a healthy or red one).
    const QImage refusedDot = iconImage(nodes->data(nodes->nodeIndex(0), Qt::DecorationRole));
    QVERIFY(!refusedDot.isNull());
    QVERIFY(refusedDot != iconImage(nodes->data(nodes->nodeIndex(1), Qt::DecorationRole)));
    for (const EngineState state : {EngineState::Unknown, EngineState::NotRunning,
                                    EngineState::Healthy, EngineState::Unhealthy})
        QVERIFY(refusedDot != engineStateIcon(state).pixmap(16, 16).toImage());

    // The alerts (the tray's title, the status bar, the log) tell the two apart.
    const auto alertAbout = [&alerts](NodeSource *source) {
        for (const ConsoleAlert &alert : std::as_const(alerts)) {
            if (alert.engine.isEmpty() && alert.title.startsWith(source->displayName() + u' '))
                return alert;
        }
        return ConsoleAlert();
    };
    QCOMPARE(alertAbout(dead).title, u"%1 does not answer"_s.arg(dead->displayName()));
    const ConsoleAlert refusal = alertAbout(refused);
    QCOMPARE(refusal.level, ConsoleAlert::Level::Problem);
    QCOMPARE(refusal.title, u"%1 refuses the console's API token"_s.arg(refused->displayName()));
    QVERIFY2(refusal.message.contains(u"403: wrong Bearer token"_s), qPrintable(refusal.message));

    // The node's own view: its header and the stale note of its tabs.
    window->selectNode(0);
    NodeView *view = window->nodeView(0);
    view->showEngine(u"ingress");
    auto *detail = view->findChild<QLabel *>(u"nodeDetail"_s);
    QVERIFY(detail);
    QVERIFY2(detail->text().contains(u"API token refused since"_s), qPrintable(detail->text()));
    auto *note = view->ingressPanel()->findChild<QLabel *>(u"ingressStaleNote"_s);
    QVERIFY(note);
    QTRY_VERIFY(note->isVisible());
    QVERIFY2(note->text().contains(u"refuses the console's API token"_s)
                 && !note->text().contains(u"does not answer"_s),
             qPrintable(note->text()));

    // The status bar's summary counts it apart too.
    auto *summary = window->findChild<QLabel *>(u"healthSummary"_s);
    QVERIFY(summary);
    QVERIFY2(summary->text().contains(u"API token refused: 1"_s)
                 && summary->text().contains(u"not answering: 1"_s),
             qPrintable(summary->text()));
}

// After a night on call, "unreachable since 23:50:07" could be last night or any night: a time
// not today carries its date, in the locale's format.
void TestConsole::unreachableSinceHasTheDateWhenNotToday()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    source->setStatus(healthyStatus({u"sync"_s}));
    NodesModel *nodes = window->nodesModel();
    QCOMPARE(nodes->engineState(0, u"sync"), EngineState::Healthy);

    const QDateTime yesterday(QDate::currentDate().addDays(-1), QTime(23, 50, 7));
    source->setReachability(NodeSource::Reachability::Unreachable, u"connection refused"_s,
                            yesterday);
    const QString date = QLocale().toString(yesterday.date(), QLocale::ShortFormat);
    const QString row = nodes->data(nodes->nodeIndex(0)).toString();
    QVERIFY2(row.contains(u"unreachable since "_s + date) && row.contains(u"23:50:07"_s),
             qPrintable(row));
    QVERIFY2(nodes->engineReason(0, u"sync").contains(date),
             qPrintable(nodes->engineReason(0, u"sync")));
    auto *detail = window->nodeView(0)->findChild<QLabel *>(u"nodeDetail"_s);
    QVERIFY(detail);
    QVERIFY2(detail->text().contains(date), qPrintable(detail->text()));

    // Today: the time alone.
    source->setStatus(healthyStatus({u"sync"_s}));
    source->setReachability(NodeSource::Reachability::Unreachable, u"connection refused"_s);
    const QString today = QLocale().toString(QDate::currentDate(), QLocale::ShortFormat);
    const QString todayRow = nodes->data(nodes->nodeIndex(0)).toString();
    QVERIFY2(todayRow.contains(u"unreachable since "_s) && !todayRow.contains(today),
             qPrintable(todayRow));
}

// A minute without statuses (the node unreachable, its Redis down) is a gap in the lines, not a
// straight line from the last point before to the first after, which would draw figures nobody
// measured.
void TestConsole::chartsLeaveAGapWhereNoStatusCame()
{
    const std::unique_ptr<TimeChart> shown = shownChart(u"short"_s, u"long"_s);
    QVERIFY(shown);
    TimeChart &chart = *shown;

    // "short": 20 s, a minute with nothing, one lone point, a minute with nothing, 20 s.
    // "long": 300 s, a minute with nothing, 200 s: folded into buckets (more than 60 points).
    const qint64 start = QDateTime::currentMSecsSinceEpoch() - 700 * 1000;
    const auto second = [start](int s) {
        return start + qint64(s) * 1000;
    };
    QList<int> shortSeconds;
    for (int s = 0; s < 20; ++s)
        shortSeconds.append(s);
    shortSeconds.append(80);
    for (int s = 140; s < 160; ++s)
        shortSeconds.append(s);
    for (int s = 0; s < 560; ++s) {
        const bool longHas = s < 300 || s >= 360;
        const bool shortHas = shortSeconds.contains(s);
        if (longHas)
            chart.append(u"long"_s, second(s), 50 + s % 7);
        if (shortHas)
            chart.append(u"short"_s, second(s), 5);
        if (longHas || shortHas)
            chart.advance(second(s));
    }
    // Hidden and shown: the chart draws what it holds.
    chart.hide();
    chart.show();

    const auto drawnOf = [&chart](const QString &name) {
        QList<QList<QPointF>> runs;
        for (QAbstractSeries *series : chart.chart()->series()) {
            auto *line = qobject_cast<QLineSeries *>(series);
            if (line && line->name() == name)
                runs.append(line->points());
        }
        return runs;
    };
    for (const QString &name : {u"short"_s, u"long"_s}) {
        const QList<QList<QPointF>> runs = drawnOf(name);
        QVERIFY2(!runs.isEmpty(), qPrintable(name));
        QList<double> drawn;
        for (const QList<QPointF> &run : runs) {
            for (qsizetype i = 0; i < run.size(); ++i) {
                drawn.append(run[i].x());
                // No segment across a minute without points (folded buckets are 10 s at most).
                if (i > 0)
                    QVERIFY2(run[i].x() - run[i - 1].x() < 30000,
                             qPrintable(u"%1: %2 s joined to %3 s"_s.arg(name)
                                            .arg((run[i - 1].x() - start) / 1000)
                                            .arg((run[i].x() - start) / 1000)));
            }
        }
        // Both sides of each gap are drawn, the newest point as it is.
        if (name == u"short"_s) {
            for (const int s : {19, 80, 140, 159})
                QVERIFY2(drawn.contains(double(second(s))), qPrintable(QString::number(s)));
            // A lone point shows as a dot: a line of one point draws nothing.
            bool loneDot = false;
            for (QAbstractSeries *series : chart.chart()->series()) {
                auto *line = qobject_cast<QLineSeries *>(series);
                loneDot = loneDot
                    || (line->name() == name && line->count() == 1
                        && line->at(0).x() == double(second(80)) && line->pointsVisible());
            }
            QVERIFY(loneDot);
        } else {
            QVERIFY(drawn.contains(double(second(559))));
            QVERIFY(std::any_of(drawn.cbegin(), drawn.cend(), [&](double x) {
                return x >= double(second(290)) && x < double(second(300));
            }));
            QVERIFY(std::any_of(drawn.cbegin(), drawn.cend(), [&](double x) {
                return x >= double(second(360)) && x < double(second(370));
            }));
            QVERIFY2(drawn.size() <= TimeChart::maxDrawnPoints + runs.size(),
                     qPrintable(QString::number(drawn.size())));
        }
    }
    // Ten minutes on, the first run has left the window; the lines are whole again.
    for (int s = 560; s < 1200; s += 1) {
        chart.append(u"long"_s, second(s), 3);
        chart.advance(second(s));
    }
    chart.hide();
    chart.show();
    QCOMPARE(drawnOf(u"long"_s).size(), 1);
    QCOMPARE(drawnOf(u"short"_s).size(), 0); // its last point left the window: so did the line
}

// The status bar (and the tray's tooltip) said "all engines healthy" while a node did not
// answer: an operator glancing at it would look no further.
void TestConsole::statusBarSaysWhenANodeDoesNotAnswer()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *a = addFakeNode(*window, u"node-a:8080"_s);
    auto *b = addFakeNode(*window, u"node-b:8080"_s);
    a->setStatus(healthyStatus({u"sync"_s}));
    b->setStatus(healthyStatus({u"sync"_s}));
    auto *summary = window->findChild<QLabel *>(u"healthSummary"_s);
    QVERIFY(summary);
    QCOMPARE(summary->text(), u"Nodes: 2 · all engines healthy"_s);

    b->setReachability(NodeSource::Reachability::Unreachable, u"no status for 3 s"_s);
    QVERIFY2(!summary->text().contains(u"healthy"_s), qPrintable(summary->text()));
    QCOMPARE(summary->text(), u"Nodes: 2 · not answering: 1"_s);

    b->setStatus(healthyStatus({u"sync"_s}));
    QCOMPARE(summary->text(), u"Nodes: 2 · all engines healthy"_s);
}

// The Polling tab kept showing its figures as if they were live while its node did not answer:
// the other tabs say that they are the node's last status.
void TestConsole::pollingTabSaysItsFiguresAreOldWhileTheNodeDoesNotAnswer()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    source->setStatus(healthyStatus({u"polling"_s}));
    NodeView *view = showEngine(window.get(), u"polling"_s);
    QVERIFY(view);
    QVERIFY(view->pollingPanel()->isVisible());
    auto *note = view->pollingPanel()->findChild<QLabel *>(u"pollingStaleNote"_s);
    QVERIFY(note);
    QVERIFY(!note->isVisible());

    source->setReachability(NodeSource::Reachability::Unreachable, u"no status for 3 s"_s);
    QVERIFY(note->isVisible());
    QVERIFY2(note->text().contains(u"The figures below are its last status"_s),
             qPrintable(note->text()));

    source->setStatus(healthyStatus({u"polling"_s}));
    QVERIFY(!note->isVisible());
}

// https://node.example.com is on port 443, not 80: the list named it "node.example.com:80".
void TestConsole::httpsNodeIsNamedWithItsOwnPort()
{
    QCOMPARE(RemoteNodeSource(QUrl(u"https://node.example.com"_s), {}).displayName(),
             u"node.example.com:443"_s);
    QCOMPARE(RemoteNodeSource(QUrl(u"http://node.example.com"_s), {}).displayName(),
             u"node.example.com:80"_s);
    QCOMPARE(RemoteNodeSource(QUrl(u"https://node.example.com:8443"_s), {}).displayName(),
             u"node.example.com:8443"_s);
}

// The log keeps its newest 2000 rows; the count beside the filter said one more than shown.
void TestConsole::logRowCountStaysRightPastTheCap()
{
    std::unique_ptr<MainWindow> window = openWindow();
    window->addNode(new FakeNodeSource);
    LogPanel *log = window->nodeView(0)->logPanel();
    for (int i = 0; i < LogModel::maxEntries + 5; ++i)
        log->addAlert({ConsoleAlert::Level::Problem,
                       QDateTime::currentDateTime(),
                       {},
                       u"alert %1"_s.arg(i),
                       {}});
    QCOMPARE(log->model()->rowCount(), LogModel::maxEntries);
    QLabel *count = nullptr;
    for (QLabel *label : log->findChildren<QLabel *>()) {
        if (label->text().startsWith(u"Rows:"_s))
            count = label;
    }
    QVERIFY(count);
    QCOMPARE(count->text(), u"Rows: %1"_s.arg(LogModel::maxEntries));
}

// "node-b does not answer" stayed on the status bar for 15 s after node-b answered again.
void TestConsole::statusBarDropsAProblemOnceItIsOver()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *a = addFakeNode(*window, u"node-a:8080"_s);
    auto *b = addFakeNode(*window, u"node-b:8080"_s);
    a->setStatus(healthyStatus({u"sync"_s}));
    b->setStatus(healthyStatus({u"sync"_s}));
    QStatusBar *bar = window->statusBar();

    b->setReachability(NodeSource::Reachability::Unreachable, u"no status for 3 s"_s);
    QCOMPARE(bar->currentMessage(), u"node-b:8080 does not answer: no status for 3 s"_s);
    b->setStatus(healthyStatus({u"sync"_s}));
    QCOMPARE(bar->currentMessage(), u"node-b:8080 answers again"_s);

    // Another node's recovery leaves the problem the status bar shows standing.
    b->setReachability(NodeSource::Reachability::Unreachable, u"no status for 3 s"_s);
    a->setReachability(NodeSource::Reachability::Unreachable, u"connection refused"_s);
    b->setStatus(healthyStatus({u"sync"_s}));
    QCOMPARE(bar->currentMessage(), u"node-a:8080 does not answer: connection refused"_s);
}

// A long figure (a webhook's last error, a NATS URL) is wrapped: it made the window's minimum
// width 2200 px, so that the window grew past the screen and its right part could not be seen.
void TestConsole::longFiguresWrapRatherThanWidenTheWindow()
{
    std::unique_ptr<MainWindow> window = openWindow();
    const int width = window->width();
    auto *source = addFakeNode(*window);
    QJsonObject status = healthyStatus({u"sync"_s, u"ingress"_s, u"timeouts"_s, u"polling"_s});
    QJsonObject engines = status[u"engines"_s].toObject();
    const QString longError = u"HTTP 503 from https://hooks.tenant-17.example.com/notifications/"
                              "conversations/level: the service is down for maintenance, try "
                              "again later (upstream connect error or disconnect/reset before "
                              "headers)"_s;
    engines[u"timeouts"_s] = QJsonObject {
        {u"status"_s, u"healthy"_s},
        {u"redis"_s, u"redis://timeouts-redis.cluster-1.internal.example.com:6379/0"_s},
        {u"redis_connected"_s, true},
        {u"pod_id"_s, u"switchboard-timeouts-7d9f8c6b5d-x2x4q"_s},
        {u"webhook"_s,
         QJsonObject {{u"configured"_s, true},
                      {u"url"_s, u"https://hooks.tenant-17.example.com/notifications"_s},
                      {u"delivered"_s, 1234567},
                      {u"failed_attempts"_s, 12345},
                      {u"retrying"_s, 12},
                      {u"pending"_s, 345},
                      {u"refused"_s, 67},
                      {u"last_error"_s, longError}}}};
    engines[u"ingress"_s] =
        QJsonObject {{u"status"_s, u"healthy"_s},
                     {u"nats"_s,
                      u"nats://nats-0.nats.messaging.svc.cluster.local:4222,nats://nats-1.nats."
                      "messaging.svc.cluster.local:4222"_s},
                     {u"nats_connected"_s, true}};
    engines[u"sync"_s] = QJsonObject {
        {u"status"_s, u"healthy"_s},
        {u"local"_s,
         QJsonObject {{u"address"_s, u"freeswitch-redis.pbx-17.internal.example.com:6379"_s},
                      {u"connected"_s, true}}},
        {u"remote"_s,
         QJsonObject {{u"address"_s, u"events-redis.central.internal.example.com:6379"_s},
                      {u"connected"_s, true}}},
        {u"group"_s, u"switchboard-sync-freeswitch-events"_s},
        {u"consumer"_s, u"switchboard-sync-pbx-17.internal.example.com-1234567"_s}};
    status[u"engines"_s] = engines;
    source->setStatus(status);

    NodeView *view = window->nodeView(0);
    const QString wider = tabWiderThanTheWindow(
        *window, view, width, {u"sync"_s, u"ingress"_s, u"polling"_s, u"timeouts"_s});
    QVERIFY2(wider.isEmpty(), qPrintable(wider));
    // And the error is there to read: its start, and the whole in the tooltip.
    bool shown = false;
    for (QLabel *label : view->findChildren<QLabel *>()) {
        shown = shown
            || (label->isVisible() && label->text().contains(u"HTTP 503 from https://hooks"_s)
                && label->toolTip() == longError);
    }
    QVERIFY(shown);
}

// Qt ships no qtbase_vi.qm: "Cancel", "Yes" and "No" stayed English in the Add node and Settings
// dialogs and in every question the console asks, among Vietnamese words.
void TestConsole::vietnameseTranslatesQtsOwnButtons()
{
    const auto buttonTexts = [] {
        QStringList texts;
        AddNodeDialog dialog({});
        texts.append(
            dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel)->text());
        QMessageBox box;
        box.setStandardButtons(QMessageBox::Yes | QMessageBox::No | QMessageBox::Ok
                               | QMessageBox::Close);
        for (const QMessageBox::StandardButton button :
             {QMessageBox::Yes, QMessageBox::No, QMessageBox::Ok, QMessageBox::Close})
            texts.append(box.button(button)->text());
        return texts;
    };
    const QStringList english = buttonTexts();
    installConsoleTranslators(u"vi"_s);
    const QStringList vietnamese = buttonTexts();
    for (QTranslator *translator : qApp->findChildren<QTranslator *>()) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
    QCOMPARE(english, QStringList({u"Cancel"_s, u"&Yes"_s, u"&No"_s, u"OK"_s, u"Close"_s}));
    QCOMPARE(vietnamese.size(), english.size());
    // "OK" is what Vietnamese desktops write too; the others must change.
    for (qsizetype i = 0; i < english.size(); ++i) {
        if (english[i] != u"OK"_s)
            QVERIFY2(vietnamese[i] != english[i], qPrintable(vietnamese[i]));
    }
    QCOMPARE(vietnamese.constFirst(), u"Hủy"_s);
}

// A German desktop (or a bare session's C locale) has no console translation: the English one,
// not the source text, must answer, or the panels read "1 dead letter(s) kept".
void TestConsole::aLanguageWithoutATranslationGetsEnglishPlurals()
{
    installConsoleTranslators(u"de"_s);
    const QString text = QCoreApplication::translate(
        "Switchboard::IngressPanel", "%n dead letter(s) kept, newest first; %1 shown", nullptr, 1);
    for (QTranslator *translator : qApp->findChildren<QTranslator *>()) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
    QCOMPARE(text, u"1 dead letter kept, newest first; %1 shown"_s);
}

// The header beside a node's name is cut at the window's edge (its tooltip has it all): the
// node's state came last, after its version, host and start, and went first when the window
// narrowed.
void TestConsole::nodeHeaderSaysFirstThatTheNodeDoesNotAnswer()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    source->setStatus(healthyStatus({u"sync"_s}));
    source->setReachability(NodeSource::Reachability::Unreachable, u"no status for 3 s"_s);
    auto *detail = window->nodeView(0)->findChild<QLabel *>(u"nodeDetail"_s);
    QVERIFY(detail);
    const QString text = detail->text();
    QVERIFY2(text.startsWith(u"http://fake-node:8080  ·  unreachable since "_s), qPrintable(text));
    QVERIFY2(text.contains(u"version 0.1.0"_s), qPrintable(text));
    QCOMPARE(detail->toolTip(), text);
}

// A node refusing the console's token (amber, "API token refused since …") could only be given
// the right one by removing it and adding it again, at the end of the list. Edit node opens the
// Add node dialog on it, and the node keeps its place, with its settings saved.
void TestConsole::editNodeChangesTheTokenAndUrlInPlace()
{
    TokenRefusingNode refusing;
    QVERIFY(refusing.start());
    const quint16 deadPort = freeLoopbackPort(); // nothing listens there
    const QUrl refusingUrl = remoteUrl(refusing.port());
    const QUrl deadUrl = remoteUrl(deadPort);
    std::unique_ptr<MainWindow> window = openWindow();
    // As the console starts: the remote nodes of its settings, after the node of this process.
    QVERIFY(m_settings->addRemoteNode({refusingUrl, "not-the-token"}));
    QVERIFY(m_settings->addRemoteNode({deadUrl, "other-token"}));
    window->addNode(new FakeNodeSource(u"this-node:8080"_s, true));
    for (const RemoteNodeSettings &remote : m_settings->remoteNodes())
        window->addNode(new RemoteNodeSource(remote.url, remote.token));
    NodesModel *nodes = window->nodesModel();
    QTRY_COMPARE_WITH_TIMEOUT(nodes->nodeSource(1)->reachability(),
                              NodeSource::Reachability::Refused, 5000);

    auto *editAction = window->findChild<QAction *>(u"editNodeAction"_s);
    auto *editButton = window->findChild<QPushButton *>(u"editNodeButton"_s);
    QVERIFY(editAction && editButton);
    // This process's node has nothing to edit.
    window->selectNode(0);
    QVERIFY(!editAction->isEnabled() && !editButton->isEnabled());
    window->selectNode(1);
    QVERIFY(editAction->isEnabled() && editButton->isEnabled());

    // The dialog of Add node, filled in, the token masked.
    const auto openEditor = [&window, editButton] {
        QTest::mouseClick(editButton, Qt::LeftButton);
        auto *dialog = window->findChild<AddNodeDialog *>();
        return dialog && dialog->isVisible() ? dialog : nullptr;
    };
    QPointer<AddNodeDialog> dialog = openEditor();
    QVERIFY(dialog);
    auto *urlEdit = dialog->findChild<QLineEdit *>(u"nodeUrlEdit"_s);
    auto *tokenEdit = dialog->findChild<QLineEdit *>(u"nodeTokenEdit"_s);
    QPushButton *save = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(urlEdit && tokenEdit && save);
    QCOMPARE(dialog->windowTitle(), u"Edit node"_s);
    QCOMPARE(urlEdit->text(), refusingUrl.toString());
    QCOMPARE(tokenEdit->text(), u"not-the-token"_s);
    QCOMPARE(tokenEdit->echoMode(), QLineEdit::Password);
    QVERIFY(save->isEnabled()); // its own URL is not "watched already"
    urlEdit->setText(deadUrl.toString());
    QVERIFY(!save->isEnabled()); // another node's is
    urlEdit->setText(refusingUrl.toString());
    QVERIFY(save->isEnabled());

    const QPointer<NodeSource> refusedSource = nodes->nodeSource(1);
    tokenEdit->setText(u"the-right-token"_s);
    QTest::mouseClick(save, Qt::LeftButton);
    QTRY_VERIFY(!dialog);
    QTRY_VERIFY(!refusedSource); // replaced, not added
    QCOMPARE(nodes->nodeCount(), 3);
    QCOMPARE(nodes->nodeSource(1)->baseUrl(), refusingUrl);
    QCOMPARE(window->currentNodeView(), window->nodeView(1));
    QCOMPARE(window->nodeView(1)->source(), nodes->nodeSource(1));
    QTRY_VERIFY_WITH_TIMEOUT(refusing.authorizations().contains("Bearer the-right-token"), 5000);

    const QString settingsFile = m_dataDir.filePath(u"console.ini"_s);
    const auto saved = [&settingsFile] {
        QList<std::pair<QUrl, QByteArray>> listed;
        for (const RemoteNodeSettings &remote : ConsoleSettings(settingsFile).remoteNodes())
            listed.append({remote.url, remote.token});
        return listed;
    };
    QCOMPARE(saved(),
             (QList<std::pair<QUrl, QByteArray>> {{refusingUrl, "the-right-token"},
                                                  {deadUrl, "other-token"}}));
    const QFile::Permissions others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup
        | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther;
    QCOMPARE(QFile::permissions(settingsFile) & others, QFile::Permissions());

    // The node moved: its new URL, and it answers, on the same row.
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess remote;
    QVERIFY2(startRemote(remote, port), remote.output().constData());
    dialog = openEditor();
    QVERIFY(dialog);
    QCOMPARE(dialog->findChild<QLineEdit *>(u"nodeTokenEdit"_s)->text(), u"the-right-token"_s);
    dialog->findChild<QLineEdit *>(u"nodeUrlEdit"_s)->setText(u"127.0.0.1:%1"_s.arg(port));
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(nodes->engineState(1, u"ingress"), EngineState::Healthy, 10000);
    QCOMPARE(nodes->nodeCount(), 3);
    QCOMPARE(nodes->nodeSource(1)->baseUrl(), remoteUrl(port));
    QCOMPARE(nodes->nodeSource(2)->baseUrl(), deadUrl);
    QCOMPARE(saved(),
             (QList<std::pair<QUrl, QByteArray>> {{remoteUrl(port), "the-right-token"},
                                                  {deadUrl, "other-token"}}));
    auto *summary = window->findChild<QLabel *>(u"healthSummary"_s);
    QVERIFY2(!summary->text().contains(u"API token refused"_s), qPrintable(summary->text()));

    window.reset();
    remote.terminate();
    QVERIFY(remote.waitForFinished(10000));
}

// "Could not load dead letter 7" stayed in the detail view after the node answered again, until
// the operator selected another letter: the letter is still listed, its detail comes now.
void TestConsole::deadLetterDetailLoadsAgainOnceTheNodeAnswers()
{
    bool answering = true;
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const QJsonObject letter = unroutedDeadLetter(7, now);
    QJsonObject detail = letter;
    detail.insert(u"subject"_s, u"events.a.vn"_s);
    detail.insert(u"event"_s, QJsonObject {{u"domain"_s, u"a.vn"_s}, {u"call_id"_s, u"call-7"_s}});
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = new FakeNodeSource;
    source->answer = [&](const QByteArray &method, const QString &path) {
        if (!answering)
            return std::pair {0, QJsonObject {{u"error"_s, u"Connection refused"_s}}};
        if (method == "GET" && path.startsWith(u"/api/v1/ingress/dead-letters?"_s))
            return std::pair {
                200, QJsonObject {{u"dead_letters"_s, QJsonArray {letter}}, {u"total"_s, 1}}};
        if (method == "GET" && path == u"/api/v1/ingress/dead-letters/7"_s)
            return std::pair {200, detail};
        return std::pair {404, QJsonObject {{u"error"_s, u"not_found"_s}}};
    };
    NodeView *view = showOneDeadLetter(window.get(), source);
    QVERIFY(view);
    QAbstractItemModel *letters = view->ingressPanel()->deadLettersModel();

    // The node stops answering; the operator selects the letter meanwhile.
    answering = false;
    source->setReachability(NodeSource::Reachability::Unreachable, u"no status for 3 s"_s);
    auto *table = view->findChild<QTableView *>(u"deadLettersTable"_s);
    QVERIFY(table);
    table->selectRow(0);
    const auto heading = [view]() -> QLabel * {
        for (QLabel *label : view->ingressPanel()->findChildren<QLabel *>()) {
            if (label->text().startsWith(u"Could not load dead letter 7"_s)
                || label->text() == u"Dead letter 7"_s)
                return label;
        }
        return nullptr;
    };
    QTRY_VERIFY(heading());
    QLabel *shown = heading();
    QVERIFY2(shown->text().contains(u"did not answer"_s), qPrintable(shown->text()));

    // Back: the letter is listed again, and its detail shown without another click.
    answering = true;
    source->setStatus(healthyStatus({u"ingress"_s}));
    auto *body = view->findChild<QPlainTextEdit *>(u"deadLetterBody"_s);
    QVERIFY(body);
    QTRY_VERIFY2_WITH_TIMEOUT(body->toPlainText().contains(u"call-7"_s), qPrintable(shown->text()),
                              5000);
    QCOMPARE(shown->text(), u"Dead letter 7"_s);
    QCOMPARE(letters->rowCount(), 1);
    QCOMPARE(table->selectionModel()->selectedRows().size(), 1);
}

// The Endpoints table (up to 50 endpoints) and the Streams table could not be sorted. A click
// on a header sorts by that figure as a number (10 failures after 9, not between 1 and 2), the
// order holds through the statuses coming four times a second, and the selected endpoint stays
// selected without the table scrolling.
// The node lets a dead endpoint have one call at a time: the operator sees that in the endpoint's
// row, not only the last timeout.
void TestConsole::anEndpointWhoseCircuitIsOpenSaysSo()
{
    QJsonObject status = healthyStatus({u"ingress"_s});
    QJsonObject engines = status[u"engines"_s].toObject();
    QJsonObject ingress = engines[u"ingress"_s].toObject();
    const auto endpoint = [](const QString &name, const QJsonValue &openSince) {
        return QJsonObject {{u"domain"_s, name + u".vn"_s},
                            {u"url"_s, u"https://"_s + name + u".vn/hook"_s},
                            {u"failures"_s, 12},
                            {u"timeouts"_s, 12},
                            {u"last_status"_s, 0},
                            {u"last_error"_s, u"timed out after 3000 ms waiting for a response"_s},
                            {u"last_failure"_s, u"2026-11-24T10:00:05.000Z"_s},
                            {u"circuit_open_since"_s, openSince}};
    };
    ingress.insert(u"endpoints"_s,
                   QJsonArray {endpoint(u"dead"_s, u"2026-11-24T10:00:04.000Z"_s),
                               endpoint(u"flaky"_s, QJsonValue::Null)});
    engines.insert(u"ingress"_s, ingress);
    status.insert(u"engines"_s, engines);

    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    source->setStatus(status);
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    QVERIFY(view);
    auto *table = view->findChild<QTableView *>(u"ingressEndpointsTable"_s);
    QVERIFY(table);
    QAbstractItemModel *shown = table->model();
    QTRY_COMPARE_WITH_TIMEOUT(shown->rowCount(), 2, 5000);
    QStringList statuses;
    for (int row = 0; row < 2; ++row) {
        const QModelIndex cell = shown->index(row, IngressEndpointsModel::LastStatus);
        const QString url = shown->index(row, IngressEndpointsModel::Url).data().toString();
        statuses.append(url + u' ' + cell.data().toString());
        if (url.contains(u"dead"_s))
            QVERIFY2(cell.data(Qt::ToolTipRole).toString().contains(u"one call at a time"_s),
                     qPrintable(cell.data(Qt::ToolTipRole).toString()));
    }
    statuses.sort();
    QCOMPARE(statuses,
             (QStringList {u"https://dead.vn/hook circuit open"_s,
                           u"https://flaky.vn/hook no response"_s}));
}

void TestConsole::tablesSortByTheClickedColumnThroughUpdates()
{
    constexpr int endpointCount = 50;
    const auto statusWith = [](const QList<qint64> &failures, const QList<qint64> &lags) {
        QJsonObject status = healthyStatus({u"sync"_s, u"ingress"_s});
        QJsonObject engines = status[u"engines"_s].toObject();
        QJsonArray endpoints;
        for (qsizetype i = 0; i < failures.size(); ++i) {
            endpoints.append(
                QJsonObject {{u"domain"_s, u"tenant-%1.example.vn"_s.arg(i % 5)},
                             {u"url"_s, u"https://hooks.example.vn/endpoint/%1"_s.arg(i)},
                             {u"delivered"_s, 1000 + failures[i]},
                             {u"failures"_s, failures[i]},
                             {u"http_errors"_s, failures[i]},
                             {u"last_status"_s, 200}});
        }
        QJsonObject ingress = engines[u"ingress"_s].toObject();
        ingress.insert(u"endpoints"_s, endpoints);
        engines.insert(u"ingress"_s, ingress);
        QJsonArray streams;
        for (qsizetype i = 0; i < lags.size(); ++i) {
            QJsonObject stream {{u"stream"_s, u"events:%1"_s.arg(i)}, {u"rate"_s, 10.0}};
            if (lags[i] >= 0) // none: the node cannot tell
                stream.insert(u"lag"_s, lags[i]);
            streams.append(stream);
        }
        QJsonObject sync = engines[u"sync"_s].toObject();
        sync.insert(u"streams"_s, streams);
        engines.insert(u"sync"_s, sync);
        status.insert(u"engines"_s, engines);
        return status;
    };
    QList<qint64> failures;
    for (int i = 0; i < endpointCount; ++i)
        failures.append((i * 7) % endpointCount); // 0, 7, 14… every count from 0 to 49 once
    const QList<qint64> lags {9, 100, -1, 10, 2};

    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    source->setStatus(statusWith(failures, lags));
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    QVERIFY(view);
    auto *table = view->findChild<QTableView *>(u"ingressEndpointsTable"_s);
    QVERIFY(table && table->isVisible());
    QAbstractItemModel *shown = table->model();
    QCOMPARE(shown->rowCount(), endpointCount);
    const auto urlAt = [shown](int row) {
        return shown->index(row, IngressEndpointsModel::Url).data().toString();
    };
    const auto failuresAt = [shown](int row) {
        return QLocale().toLongLong(
            shown->index(row, IngressEndpointsModel::Failures).data().toString());
    };
    const auto inNodeOrder = [&] {
        for (int row = 0; row < shown->rowCount(); ++row) {
            if (urlAt(row) != u"https://hooks.example.vn/endpoint/%1"_s.arg(row))
                return false;
        }
        return true;
    };
    // -1: descending, 1: ascending, by the figure shown.
    const auto sortedBy = [shown](int column, int direction) {
        QList<qint64> values;
        for (int row = 0; row < shown->rowCount(); ++row)
            values.append(QLocale().toLongLong(shown->index(row, column).data().toString()));
        return direction > 0 ? std::is_sorted(values.cbegin(), values.cend())
                             : std::is_sorted(values.crbegin(), values.crend());
    };
    const auto clickHeader = [](QTableView *view, int column) {
        QHeaderView *header = view->horizontalHeader();
        const QPoint centre(header->sectionViewportPosition(column)
                                + header->sectionSize(column) / 2,
                            header->height() / 2);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, centre);
    };

    // Until a header is clicked, the node's order.
    QVERIFY(inNodeOrder());
    source->setStatus(statusWith(failures, lags));
    QVERIFY(inNodeOrder());

    // Failures: the most first, then the fewest first.
    clickHeader(table, IngressEndpointsModel::Failures);
    QCOMPARE(failuresAt(0), 49);
    QVERIFY(sortedBy(IngressEndpointsModel::Failures, -1));
    clickHeader(table, IngressEndpointsModel::Failures);
    QCOMPARE(failuresAt(0), 0);
    QVERIFY(sortedBy(IngressEndpointsModel::Failures, 1));
    QCOMPARE(failuresAt(9), 9);
    QCOMPARE(failuresAt(10), 10);

    // An endpoint halfway down is selected; four statuses a second move it and others.
    QScrollBar *scroll = table->verticalScrollBar();
    QTRY_VERIFY(scroll->maximum() > 0); // laid out
    const int sortedLayout = scroll->maximum();
    scroll->setValue(scroll->maximum() / 2);
    const int selectedRow = table->rowAt(0) + 1;
    table->selectRow(selectedRow);
    const QString selected = urlAt(selectedRow);
    const int selectedEndpoint = selected.section(u'/', -1).toInt();
    const int scrolledTo = scroll->value();
    for (int round = 1; round <= 4; ++round) {
        failures[selectedEndpoint] += 20;
        failures[(selectedEndpoint + 13 * round) % endpointCount] += 35;
        source->setStatus(statusWith(failures, lags));
        QVERIFY2(sortedBy(IngressEndpointsModel::Failures, 1), qPrintable(QString::number(round)));
        const QModelIndexList rows = table->selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(urlAt(rows.constFirst().row()), selected);
        QCOMPARE(urlAt(table->currentIndex().row()), selected);
        QCOMPARE(scroll->value(), scrolledTo);
        QCOMPARE(scroll->maximum(), sortedLayout);
    }
    QVERIFY(urlAt(selectedRow) != selected); // it did move

    // A third click: the node's order again.
    clickHeader(table, IngressEndpointsModel::Failures);
    QVERIFY(inNodeOrder());

    // The Streams table: the lag as a number, the stream whose lag is unknown with the worst.
    view->showEngine(u"sync");
    auto *streamsTable = view->findChild<QTableView *>(u"syncStreamsTable"_s);
    QVERIFY(streamsTable && streamsTable->isVisible());
    QAbstractItemModel *streams = streamsTable->model();
    const auto lagsShown = [streams] {
        QStringList shownLags;
        for (int row = 0; row < streams->rowCount(); ++row)
            shownLags.append(streams->index(row, SyncStreamsModel::Lag).data().toString());
        return shownLags;
    };
    QCOMPARE(lagsShown(), QStringList({u"9"_s, u"100"_s, u"unknown"_s, u"10"_s, u"2"_s}));
    clickHeader(streamsTable, SyncStreamsModel::Lag);
    QCOMPARE(lagsShown(), QStringList({u"unknown"_s, u"100"_s, u"10"_s, u"9"_s, u"2"_s}));
    clickHeader(streamsTable, SyncStreamsModel::Lag);
    source->setStatus(statusWith(failures, {9, 100, 1, 10, 2}));
    QCOMPARE(lagsShown(), QStringList({u"1"_s, u"2"_s, u"9"_s, u"10"_s, u"100"_s}));
}

// Something other than a node answering on its address (a proxy's error page pushed over the
// WebSocket, a service of another kind) held the node at "connecting…" with no reason, and a node
// whose stream turned to something else than statuses stayed live at its last figures, the
// amber note never shown: only a status is a sign of life, and the operator reads what came.
void TestConsole::aNodeSendingSomethingElseThanAStatusIsNotShownLive()
{
    bool sendsStatuses = true;
    StreamServer server([&sendsStatuses] {
        return sendsStatuses ? QString::fromUtf8(
                   QJsonDocument(healthyStatus({u"ingress"_s})).toJson(QJsonDocument::Compact))
                             : u"<html><body><h1>502 Bad Gateway</h1></body></html>"_s;
    });
    QVERIFY(server.start());
    std::unique_ptr<MainWindow> window = openWindow();
    window->addNode(new RemoteNodeSource(remoteUrl(server.port()), {}));
    NodesModel *nodes = window->nodesModel();
    QTRY_COMPARE_WITH_TIMEOUT(nodes->engineState(0, u"ingress"), EngineState::Healthy, 5000);
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    auto *note = view->findChild<QLabel *>(u"ingressStaleNote"_s);
    QVERIFY(note && !note->isVisible());

    sendsStatuses = false;
    QTRY_COMPARE_WITH_TIMEOUT(nodes->nodeSource(0)->reachability(),
                              NodeSource::Reachability::Unreachable, 5000);
    QString row = nodes->data(nodes->nodeIndex(0)).toString();
    QVERIFY2(row.contains(u"502 Bad Gateway"_s), qPrintable(row));
    QVERIFY(note->isVisible());
    QVERIFY2(note->text().contains(u"last status"_s), qPrintable(note->text()));
    QCOMPARE(nodes->engineState(0, u"ingress"), EngineState::Unknown);

    // Never a status from the start: not "connecting…" for ever.
    window->addNode(new RemoteNodeSource(remoteUrl(server.port()), {}));
    QTRY_COMPARE_WITH_TIMEOUT(nodes->nodeSource(1)->reachability(),
                              NodeSource::Reachability::Unreachable, 5000);
    row = nodes->data(nodes->nodeIndex(1)).toString();
    QVERIFY2(row.contains(u"502 Bad Gateway"_s), qPrintable(row));

    // Statuses again: live again, on the next attempt.
    sendsStatuses = true;
    QTRY_COMPARE_WITH_TIMEOUT(nodes->nodeSource(0)->reachability(), NodeSource::Reachability::Live,
                              15000);
    QTRY_VERIFY_WITH_TIMEOUT(!note->isVisible(), 1000);
}

// A stream message of any size was taken (QWebSocket's limit is 2 GiB), held twice over in
// memory by the console: a status far larger than any node's is refused, and the operator reads
// why the node is not shown live.
void TestConsole::aHugeStatusIsRefusedWithAReason()
{
    QJsonObject status = healthyStatus({u"ingress"_s});
    status.insert(u"logs"_s,
                  QJsonArray {QJsonObject {{u"level"_s, u"error"_s},
                                           {u"message"_s, QString(17 * 1024 * 1024, u'x')}}});
    const QString huge = QString::fromUtf8(QJsonDocument(status).toJson(QJsonDocument::Compact));
    StreamServer server([&huge] { return huge; });
    QVERIFY(server.start());
    std::unique_ptr<MainWindow> window = openWindow();
    window->addNode(new RemoteNodeSource(remoteUrl(server.port()), {}));
    NodesModel *nodes = window->nodesModel();
    QTRY_COMPARE_WITH_TIMEOUT(nodes->nodeSource(0)->reachability(),
                              NodeSource::Reachability::Unreachable, 5000);
    const QString row = nodes->data(nodes->nodeIndex(0)).toString();
    QVERIFY2(row.contains(u"16 MiB"_s), qPrintable(row));
    QVERIFY(nodes->nodeSource(0)->status().isEmpty());
}

// A node that kept failing was asked every 2 s for as long as it failed, by every console of
// the NOC at once: the wait grows (with jitter) up to a cap, starting at 2 s.
void TestConsole::aNodeDownForLongIsAskedLessOften()
{
    TokenRefusingNode node;
    QVERIFY(node.start());
    RemoteNodeSource source(remoteUrl(node.port()), "not-the-token");
    source.start();
    QTRY_VERIFY_WITH_TIMEOUT(node.upgradeTimes().size() >= 4, 25000);
    const QList<qint64> times = node.upgradeTimes();
    const QString attempts = QDebug::toString(times);
    // 2 s, 4 s, 8 s, each ±20 %.
    QVERIFY2(times[1] - times[0] >= 1500 && times[1] - times[0] < 3000, qPrintable(attempts));
    QVERIFY2(times[2] - times[1] >= 3000, qPrintable(attempts));
    QVERIFY2(times[3] - times[2] >= 6000, qPrintable(attempts));
    QCOMPARE(source.reachability(), NodeSource::Reachability::Refused);
}

// An operator who loaded older dead letters past the 500 a listing asks for, and was reading one
// of them, lost it (and the rows around it) as soon as the next dead letter came: the listing
// that followed cut the table back to 500 rows. The older pages stay, the selection with them.
void TestConsole::olderDeadLettersStayLoadedAsNewOnesCome()
{
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const auto letter = [&now](quint64 id) {
        return unroutedDeadLetter(id, now);
    };
    quint64 newest = 600; // ids 1..newest, as the node lists them: newest first
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = new FakeNodeSource;
    source->answer = [&](const QByteArray &method, const QString &path) {
        const QUrlQuery query(QUrl(path).query());
        if (method == "GET" && path.startsWith(u"/api/v1/ingress/dead-letters?"_s)) {
            const quint64 limit = query.queryItemValue(u"limit"_s).toULongLong();
            const quint64 before = query.hasQueryItem(u"before"_s)
                ? query.queryItemValue(u"before"_s).toULongLong()
                : newest + 1;
            QJsonArray page;
            quint64 id = before - 1;
            for (; id >= 1 && quint64(page.size()) < limit; --id)
                page.append(letter(id));
            return std::pair {200,
                              QJsonObject {{u"dead_letters"_s, page},
                                           {u"total"_s, double(newest)},
                                           {u"next_before"_s,
                                            id >= 1 ? QJsonValue(QString::number(id + 1))
                                                    : QJsonValue(QJsonValue::Null)}}};
        }
        if (method == "GET" && path.startsWith(u"/api/v1/ingress/dead-letters/"_s)) {
            QJsonObject detail = letter(path.section(u'/', -1).toULongLong());
            detail.insert(u"event"_s, QJsonObject {{u"call_id"_s, u"call-x"_s}});
            return std::pair {200, detail};
        }
        return std::pair {404, QJsonObject {{u"error"_s, u"not_found"_s}}};
    };
    // The node's dead-letter counter: a new one makes the console list them again.
    const auto statusWithDeadLetters = [&newest] {
        QJsonObject status = healthyStatus({u"ingress"_s});
        QJsonObject engines = status.value(u"engines"_s).toObject();
        QJsonObject ingress = engines.value(u"ingress"_s).toObject();
        ingress.insert(u"dead_letters_no_route"_s, double(newest));
        engines.insert(u"ingress"_s, ingress);
        status.insert(u"engines"_s, engines);
        return status;
    };
    window->addNode(source);
    source->setStatus(statusWithDeadLetters());
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    QVERIFY(view);
    QAbstractItemModel *letters = view->ingressPanel()->deadLettersModel();
    QTRY_COMPARE_WITH_TIMEOUT(letters->rowCount(), 50, 5000);

    auto *older = view->findChild<QPushButton *>(u"deadLettersOlderButton"_s);
    QVERIFY(older);
    while (letters->rowCount() < 550) {
        const int shown = letters->rowCount();
        QTRY_VERIFY(older->isEnabled());
        QTest::mouseClick(older, Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(letters->rowCount(), shown + 50, 5000);
    }
    auto *table = view->findChild<QTableView *>(u"deadLettersTable"_s);
    QVERIFY(table);
    table->selectRow(530); // dead letter 70
    const auto selectedId = [table, letters] {
        const QModelIndexList rows = table->selectionModel()->selectedRows();
        return rows.isEmpty() ? QString() : letters->index(rows.first().row(), 0).data().toString();
    };
    QCOMPARE(selectedId(), u"70"_s);

    // Dead letters keep coming: the list follows them, at most once a second.
    for (int round = 0; round < 2; ++round) {
        ++newest;
        source->setStatus(statusWithDeadLetters());
        QTRY_COMPARE_WITH_TIMEOUT(letters->index(0, 0).data().toString(), QString::number(newest),
                                  5000);
    }
    QCOMPARE(letters->rowCount(), 552);
    QCOMPARE(selectedId(), u"70"_s);
    QCOMPARE(letters->index(551, 0).data().toString(), u"51"_s);
    // Load older goes on from where the table ends.
    QTRY_VERIFY(older->isEnabled());
    QTest::mouseClick(older, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(letters->rowCount(), 602, 5000);
    QCOMPARE(letters->index(601, 0).data().toString(), u"1"_s);
    QTRY_VERIFY(!older->isEnabled());
}

// The console's settings file could not be written (made by a switchboard run with sudo, a full
// disk): a node added was watched until the console quit, and gone at the next start, without a
// word. The operator is told, with the file to look at.
void TestConsole::settingsThatCannotBeSavedAreSaidSo()
{
    // Under a plain file nothing can be written, whoever runs the test.
    const QString blocker = m_dataDir.filePath(u"not-a-directory"_s);
    QFile file(blocker);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const QString fileName = blocker + u"/console.ini"_s;
    ConsoleSettings settings(fileName);
    MainWindow window(&settings);
    window.resize(1280, 800);
    window.show();
    window.addNode(new FakeNodeSource(u"this-node:8080"_s, true));

    // Add node… opens a modal dialog: filled in and accepted once it shows.
    const quint16 port = freeLoopbackPort();
    QTimer fill;
    connect(&fill, &QTimer::timeout, &window, [&window, &fill, port] {
        auto *dialog = window.findChild<AddNodeDialog *>();
        if (!dialog || !dialog->isVisible())
            return;
        fill.stop();
        dialog->findChild<QLineEdit *>(u"nodeUrlEdit"_s)->setText(u"127.0.0.1:%1"_s.arg(port));
        QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                          Qt::LeftButton);
    });
    fill.start(20);
    auto *add = window.findChild<QPushButton *>(u"addNodeButton"_s);
    QVERIFY(add);
    QTest::mouseClick(add, Qt::LeftButton);
    QCOMPARE(window.nodesModel()->nodeCount(), 2); // watched all the same

    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = window.findChild<QMessageBox *>(u"settingsNotSaved"_s)) && box->isVisible());
    QVERIFY2(box->text().contains(QDir::toNativeSeparators(fileName)), qPrintable(box->text()));
    QVERIFY2(box->informativeText().contains(u"next start"_s), qPrintable(box->informativeText()));
    box->accept();
}

// A settings file edited by hand (or copied from another machine) listing a node twice
// (its URL with a trailing slash, in capitals) showed it twice, and removing one row took both
// entries away at the next start. A scheme the console cannot follow is not listed either.
void TestConsole::aNodeListedTwiceInTheSettingsIsWatchedOnce()
{
    const QString fileName = m_dataDir.filePath(u"edited.ini"_s);
    QFile::remove(fileName);
    {
        QSettings edited(fileName, QSettings::IniFormat);
        const QList<std::pair<QString, QString>> entries {
            {u"http://node-a:8080"_s, u"token-a"_s}, {u"http://NODE-A:8080/"_s, u"token-b"_s},
            {u"ftp://node-b:21"_s, QString()},       {u"https://node-c:8443"_s, u"token-c"_s},
            {u"http://node-d"_s, u"token-d"_s},      {u"http://node-d:80/"_s, u"token-e"_s},
            {u"https://node-e:443"_s, u"token-f"_s}, {u"https://node-e"_s, u"token-g"_s}};
        edited.beginWriteArray(u"nodes"_s, int(entries.size()));
        for (int i = 0; i < entries.size(); ++i) {
            edited.setArrayIndex(i);
            edited.setValue(u"url"_s, entries[i].first);
            if (!entries[i].second.isEmpty())
                edited.setValue(u"token"_s, entries[i].second.toUtf8());
        }
        edited.endArray();
    }
    ConsoleSettings settings(fileName);
    QList<std::pair<QUrl, QByteArray>> listed;
    for (const RemoteNodeSettings &remote : settings.remoteNodes())
        listed.append({remote.url, remote.token});
    QCOMPARE(listed,
             (QList<std::pair<QUrl, QByteArray>> {{QUrl(u"http://node-a:8080"_s), "token-a"},
                                                  {QUrl(u"https://node-c:8443"_s), "token-c"},
                                                  {QUrl(u"http://node-d"_s), "token-d"},
                                                  {QUrl(u"https://node-e"_s), "token-f"}}));
}

// The console on a desktop where a Switchboard service already holds the port: this computer's
// engines cannot start. The console showed a box and exited, and the operator could watch no
// node at all. It now opens on the nodes added to it, says why this computer's engines are
// missing, and leaves nothing of theirs running (the local stack's redis-server is stopped).
void TestConsole::aConsoleWhoseEnginesCannotStartWatchesItsNodes()
{
    QTcpServer service; // what holds the port
    QVERIFY(service.listen(QHostAddress::LocalHost));
    TokenRefusingNode remote; // a node added to the console earlier, as any other would do
    QVERIFY(remote.start());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ConsoleSettings(dir.filePath(u"config/switchboard/switchboard.conf"_s))
        .addRemoteNode({QUrl(u"http://127.0.0.1:%1"_s.arg(remote.port())), "a-token"});
    const QString configFile = dir.filePath(u"switchboard.yaml"_s);
    QFile yaml(configFile);
    QVERIFY(yaml.open(QIODevice::WriteOnly));
    yaml.write("server:\n  bind: 127.0.0.1\n");
    yaml.close();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys()) {
        if (key.startsWith(u"REDIS_"_s) || key == u"PORT"_s || key == u"NATS_URL"_s)
            env.remove(key);
    }
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s); // a display: the console, not headless
    env.insert(u"XDG_CONFIG_HOME"_s, dir.filePath(u"config"_s));
    env.insert(u"XDG_DATA_HOME"_s, dir.filePath(u"data"_s));
    SwitchboardProcess console;
    console.setEnvironment(env);
    QVERIFY(console.start({u"--config"_s, configFile, u"--engines"_s, u"timeouts"_s, u"--port"_s,
                           QString::number(service.serverPort())}));
    QTRY_VERIFY2_WITH_TIMEOUT(console.output().contains("the console opens without this "
                                                        "computer's engines"),
                              console.output().constData(), 20000);
    QVERIFY(console.output().contains("cannot start:"));
    // It watches the node it was given: the stream is asked for, again and again.
    QTRY_VERIFY_WITH_TIMEOUT(remote.upgradeTimes().size() >= 2, 15000);
    QVERIFY2(console.exitStatus() == QProcess::NormalExit && console.pid() > 0,
             console.output().constData());
    const auto children = [&console] {
        QFile file(u"/proc/%1/task/%1/children"_s.arg(console.pid()));
        return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed() : QByteArray("?");
    };
    QCOMPARE(children(), QByteArray()); // the local stack's redis-server is gone

    console.terminate();
    QVERIFY(console.waitForFinished(10000));
    QCOMPARE(console.exitCode(), 0);
}

// A node behind a proxy that passes REST calls but not WebSocket upgrades (nginx without its
// Upgrade headers answers 400 or 502): the node answers /api/v1/status, yet the console can
// never read its stream. It said only QWebSocket's words ("Unhandled http status code: 502"),
// which read as if the node were down; it now says what answers and what does not.
void TestConsole::aProxyRefusingTheStreamIsNamed()
{
    TokenRefusingNode proxy;
    proxy.setAnswers("HTTP/1.1 502 Bad Gateway", "HTTP/1.1 200 OK",
                     R"({"node":{"name":"behind-a-proxy"},"engines":{}})");
    QVERIFY(proxy.start());
    std::unique_ptr<MainWindow> window = openWindow();
    window->addNode(new RemoteNodeSource(remoteUrl(proxy.port()), "a-token"));
    NodeSource *node = window->nodesModel()->nodeSource(0);
    QTRY_COMPARE_WITH_TIMEOUT(node->reachability(), NodeSource::Reachability::Unreachable, 5000);
    QTRY_VERIFY2_WITH_TIMEOUT(node->unreachableReason().contains(u"answers /api/v1/status"_s)
                                  && node->unreachableReason().contains(u"proxy"_s),
                              qPrintable(node->unreachableReason()), 5000);
    QVERIFY2(node->unreachableReason().contains(u"502"_s), qPrintable(node->unreachableReason()));
}

// chartsShowThePresentAfterTheClockIsSetBack, through the panels: each plotted a point only a
// second after its last one, so after the clock went back an hour the Sync, Polling and
// Timeouts charts stood still for that hour, whatever TimeChart did with a point in the past.
void TestConsole::panelsPlotAtOnceAfterTheClockIsSetBack()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    QJsonObject status = healthyStatus({u"sync"_s, u"polling"_s, u"timeouts"_s});
    QJsonObject engines = status[u"engines"_s].toObject();
    QJsonObject sync = engines[u"sync"_s].toObject();
    sync.insert(u"streams"_s, QJsonArray {QJsonObject {{u"stream"_s, u"events"_s}, {u"lag"_s, 3}}});
    engines.insert(u"sync"_s, sync);
    QJsonObject timeouts = engines[u"timeouts"_s].toObject();
    timeouts.insert(u"redis_connected"_s, true);
    timeouts.insert(u"waiting"_s, 4);
    engines.insert(u"timeouts"_s, timeouts);
    status.insert(u"engines"_s, engines);

    const QDateTime start = QDateTime::currentDateTimeUtc();
    for (int s = 0; s < 5; ++s)
        source->setStatus(status, start.addSecs(s));
    NodeView *view = showEngine(window.get(), u"sync"_s);
    QVERIFY(view);
    const QList<std::pair<QString, QString>> lines = {{u"syncLagChart"_s, u"events"_s},
                                                      {u"pollingActivityChart"_s, u"held"_s},
                                                      {u"timeoutsWaitingChart"_s, u"waiting"_s}};
    for (const auto &[chartName, line] : lines) {
        auto *chart = view->findChild<TimeChart *>(chartName);
        QVERIFY2(chart, qPrintable(chartName));
        QVERIFY2(chart->pointCount(line) == 5, qPrintable(chartName));
    }

    // An hour back: a status a second apart plots at once.
    const QDateTime back = start.addSecs(-3600);
    for (int s = 0; s < 2; ++s)
        source->setStatus(status, back.addSecs(s));
    for (const auto &[chartName, line] : lines) {
        auto *chart = view->findChild<TimeChart *>(chartName);
        QVERIFY2(chart->pointCount(line) == 2,
                 qPrintable(u"%1: %2 points"_s.arg(chartName).arg(chart->pointCount(line))));
    }
}

QTEST_MAIN(TestConsole)
#include "tst_console.moc"

// A node down for a while is asked every 8 to 18 s: the operator who has just restarted it
// waited that long to see it back, with nothing to press. Connect now asks at once.
void TestConsole::connectNowAsksALostNodeAtOnce()
{
    TokenRefusingNode refusing;
    QVERIFY(refusing.start());
    const quint16 port = refusing.port();
    std::unique_ptr<MainWindow> window = openWindow();
    window->addNode(new RemoteNodeSource(remoteUrl(port), {}));
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    auto *connectNow = view->findChild<QPushButton *>(u"connectNowButton"_s);
    QVERIFY(connectNow);
    // Three refused attempts (at 0, 2 and 6 s): the next comes 8 s ± 20 % after the third.
    QTRY_VERIFY_WITH_TIMEOUT(refusing.upgradeTimes().size() >= 3, 15000);
    QElapsedTimer sinceThird;
    sinceThird.start();
    QTRY_VERIFY_WITH_TIMEOUT(connectNow->isVisible(), 2000);

    // The node is back on its address.
    refusing.stop();
    StreamServer node([] {
        return QString::fromUtf8(
            QJsonDocument(healthyStatus({u"ingress"_s})).toJson(QJsonDocument::Compact));
    });
    QVERIFY(node.start(port));
    connectNow->click();
    NodeSource *source = window->nodesModel()->nodeSource(0);
    QTRY_COMPARE_WITH_TIMEOUT(source->reachability(), NodeSource::Reachability::Live, 3000);
    QVERIFY2(sinceThird.elapsed() < 6000,
             qPrintable(u"live %1 ms after the third attempt"_s.arg(sinceThird.elapsed())));
    QCOMPARE(refusing.upgradeTimes().size(), 3);
    QTRY_VERIFY_WITH_TIMEOUT(!connectNow->isVisible(), 1000);

    // A live node has nothing to connect to again.
    source->connectNow();
    QCOMPARE(source->reachability(), NodeSource::Reachability::Live);
}

// A replay whose answer was lost (a timeout, a cut connection) may have gone through. Pressed
// again, it met a 404 the console called "replayed or deleted elsewhere", sending the operator
// to look for a colleague who did not exist. The lost answer is said to be unknown, the list is
// read again at once, and the 404 that follows is put down to the earlier call.
void TestConsole::aReplayWhoseAnswerWasLostIsNotSaidDoneElsewhere()
{
    const QJsonObject letter =
        unroutedDeadLetter(7, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    int listings = 0;
    int replays = 0;
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = new FakeNodeSource;
    source->answer = [&](const QByteArray &method, const QString &path) {
        if (method == "GET" && path.startsWith(u"/api/v1/ingress/dead-letters?"_s)) {
            ++listings;
            return std::pair {
                200, QJsonObject {{u"dead_letters"_s, QJsonArray {letter}}, {u"total"_s, 1}}};
        }
        if (method == "POST" && path == u"/api/v1/ingress/dead-letters/7/replay"_s) {
            // The first replay is done, its answer lost; the second finds it gone.
            if (++replays == 1)
                return std::pair {0, QJsonObject {{u"error"_s, u"Operation canceled"_s}}};
            return std::pair {404, QJsonObject {{u"error"_s, u"not_found"_s}}};
        }
        return std::pair {200, letter};
    };
    NodeView *view = showOneDeadLetter(window.get(), source);
    QVERIFY(view);
    auto *table = view->findChild<QTableView *>(u"deadLettersTable"_s);
    auto *replay = view->findChild<QPushButton *>(u"replayButton"_s);
    auto *outcome = view->findChild<QLabel *>(u"ingressStatusLabel"_s);
    QVERIFY(table && replay && outcome);
    table->selectRow(0);
    QTRY_VERIFY(replay->isEnabled());

    const int listingsBefore = listings;
    replay->click();
    QTRY_VERIFY(outcome->text().contains(u"did not answer"_s));
    QVERIFY2(outcome->text().contains(u"it was done all the same"_s), qPrintable(outcome->text()));
    QTRY_VERIFY_WITH_TIMEOUT(listings > listingsBefore, 5000);

    // Still listed (the listing came before the node got to it): pressed again.
    QTRY_VERIFY(replay->isEnabled());
    replay->click();
    QTRY_VERIFY(outcome->text().startsWith(u"Dead letter 7 is gone"_s));
    QVERIFY2(outcome->text().contains(u"the earlier call"_s), qPrintable(outcome->text()));
    QVERIFY2(!outcome->text().contains(u"elsewhere"_s), qPrintable(outcome->text()));
    QCOMPARE(replays, 2);
}

// The console's clock set back an hour (a wrong time corrected, a VM restored): the charts
// stopped moving until the clock caught up with their newest point, an hour later, and new
// points went in behind old ones. They show the present at once.
void TestConsole::chartsShowThePresentAfterTheClockIsSetBack()
{
    const std::unique_ptr<TimeChart> shown = shownChart(u"kept"_s, u"stopped"_s);
    QVERIFY(shown);
    TimeChart &chart = *shown;
    const qint64 start = QDateTime::currentMSecsSinceEpoch();
    for (int s = 0; s < 30; ++s) {
        chart.append(u"kept"_s, start + s * 1000, 5);
        chart.append(u"stopped"_s, start + s * 1000, 7);
        chart.advance(start + s * 1000);
    }
    QCOMPARE(chart.series(u"kept"_s)->count(), 30);

    // An hour back; "stopped" is no longer reported.
    const qint64 back = start - 3600 * 1000;
    for (int s = 0; s < 3; ++s) {
        chart.append(u"kept"_s, back + s * 1000, 9);
        chart.advance(back + s * 1000);
    }
    QCOMPARE(chart.pointCount(u"kept"_s), 3);
    QVERIFY(!chart.hasLine(u"stopped"_s));
    const QList<QPointF> drawn = chart.series(u"kept"_s)->points();
    QCOMPARE(drawn.size(), 3);
    QCOMPARE(drawn.last(), QPointF(double(back + 2000), 9));
    auto *axis = qobject_cast<QDateTimeAxis *>(chart.chart()->axes(Qt::Horizontal).value(0));
    QVERIFY(axis);
    QCOMPARE(axis->max().toMSecsSinceEpoch(), back + 2000);
}

// Entries a producer trimmed before sync read them never reach the remote: the node counts
// them (deleted_before_read), and the operator sees the count in red in the stream's row.
void TestConsole::syncStreamsShowEntriesLostBeforeTheyWereRead()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    QJsonObject status = healthyStatus({u"sync"_s});
    QJsonObject engines = status[u"engines"_s].toObject();
    QJsonObject sync = engines[u"sync"_s].toObject();
    sync.insert(
        u"streams"_s,
        QJsonArray {
            QJsonObject {
                {u"stream"_s, u"capped"_s}, {u"lag"_s, 0}, {u"deleted_before_read"_s, 6000}},
            QJsonObject {{u"stream"_s, u"whole"_s}, {u"lag"_s, 0}, {u"deleted_before_read"_s, 0}},
            QJsonObject {{u"stream"_s, u"redis6"_s}, {u"lag"_s, 0}}});
    engines.insert(u"sync"_s, sync);
    status.insert(u"engines"_s, engines);
    source->setStatus(status);
    NodeView *view = showEngine(window.get(), u"sync"_s);
    QVERIFY(view);
    auto *table = view->findChild<QTableView *>(u"syncStreamsTable"_s);
    QVERIFY(table);
    QAbstractItemModel *streams = table->model();
    QTRY_COMPARE(streams->rowCount(), 3);
    QHash<QString, QModelIndex> cells;
    for (int row = 0; row < streams->rowCount(); ++row)
        cells.insert(streams->index(row, SyncStreamsModel::Stream).data().toString(),
                     streams->index(row, SyncStreamsModel::DeletedUnread));
    QCOMPARE(cells[u"capped"_s].data().toString(), QLocale().toString(6000));
    QCOMPARE(cells[u"capped"_s].data(Qt::ForegroundRole).value<QBrush>().color(),
             QColor(0xb7, 0x1c, 0x1c));
    QCOMPARE(cells[u"whole"_s].data().toString(), u"0"_s);
    QVERIFY(!cells[u"whole"_s].data(Qt::ForegroundRole).isValid());
    QCOMPARE(cells[u"redis6"_s].data().toString(), u"unknown"_s);
}

// A node reached by a long host name (a cloud's internal DNS name): its name above the tabs set
// the window's minimum width, and the window grew past the screen.
void TestConsole::aLongNodeNameDoesNotWidenTheWindow()
{
    std::unique_ptr<MainWindow> window = openWindow();
    const int width = window->width();
    auto *source = new FakeNodeSource(
        u"switchboard-ingress-primary-0.switchboard-ingress-headless.contact-centre-production"
        ".svc.cluster.local.eu-west-1.compute.internal.example.com:8080"_s);
    window->addNode(source);
    source->setStatus(healthyStatus({u"sync"_s, u"ingress"_s, u"timeouts"_s, u"polling"_s}));
    // The name is in the amber note too while the node does not answer.
    source->setReachability(NodeSource::Reachability::Unreachable, u"no status for 3 s"_s);
    NodeView *view = window->nodeView(0);
    const QString wider = tabWiderThanTheWindow(
        *window, view, width, {u"sync"_s, u"ingress"_s, u"timeouts"_s, u"polling"_s});
    QVERIFY2(wider.isEmpty(), qPrintable(wider));
    // Cut, the name keeps its port in sight, and is whole in the tooltip.
    bool titled = false;
    for (QLabel *label : view->findChildren<QLabel *>())
        titled = titled
            || (label->toolTip() == source->displayName() && label->text().endsWith(u":8080"_s));
    QVERIFY(titled);
}

// The operator scrolled down the log to read an older warning: each new record, put on top,
// pushed it down a row, so that it slid away while being read.
void TestConsole::theLogKeepsItsPlaceAsRecordsCome()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    QJsonObject status = healthyStatus({u"sync"_s});
    QJsonArray logs;
    const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-600);
    const auto record = [&](int i) {
        return QJsonObject {{u"time"_s, start.addSecs(i).toString(Qt::ISODateWithMs)},
                            {u"level"_s, u"warning"_s},
                            {u"category"_s, u"switchboard.ingress"_s},
                            {u"message"_s, u"warning %1"_s.arg(i)}};
    };
    for (int i = 0; i < 150; ++i)
        logs.append(record(i));
    status[u"logs"_s] = logs;
    source->setStatus(status);
    window->selectNode(0);
    NodeView *view = window->nodeView(0);
    view->showLog();
    auto *table = view->logPanel()->findChild<QTableView *>(u"logTable"_s);
    QVERIFY(table);
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    table->scrollTo(table->model()->index(80, 0), QAbstractItemView::PositionAtTop);
    const QString read =
        table->indexAt(QPoint(2, 2)).siblingAtColumn(LogModel::Message).data().toString();
    QCOMPARE(read, u"warning 69"_s);

    for (int i = 150; i < 153; ++i) {
        logs.append(record(i));
        status[u"logs"_s] = logs;
        source->setStatus(status);
    }
    QCOMPARE(table->model()->rowCount(), 153);
    QCOMPARE(table->indexAt(QPoint(2, 2)).siblingAtColumn(LogModel::Message).data().toString(),
             read);
    // At the top, the newest records come into sight as they come.
    table->scrollToTop();
    logs.append(record(153));
    status[u"logs"_s] = logs;
    source->setStatus(status);
    QCOMPARE(table->indexAt(QPoint(2, 2)).siblingAtColumn(LogModel::Message).data().toString(),
             u"warning 153"_s);
}

// Working down the dead letters, newest first: each one the node made meanwhile, listed on top,
// pushed the rows being read down.
void TestConsole::deadLettersKeepTheirPlaceAsNewOnesCome()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = new FakeNodeSource;
    int newest = 120;
    source->answer = [&newest](const QByteArray &, const QString &path) {
        QJsonArray letters;
        const QString time = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
        if (path.startsWith(u"/api/v1/ingress/dead-letters?"_s)) {
            for (int id = newest; id > 0; --id)
                letters.append(unroutedDeadLetter(quint64(id), time));
            return std::pair<int, QJsonObject>(
                200, {{u"dead_letters"_s, letters}, {u"total"_s, letters.size()}});
        }
        return std::pair<int, QJsonObject>(404, {{u"error"_s, u"not found"_s}});
    };
    window->addNode(source);
    QJsonObject status = healthyStatus({u"ingress"_s});
    const auto setCount = [&] {
        QJsonObject engines = status[u"engines"_s].toObject();
        QJsonObject ingress = engines[u"ingress"_s].toObject();
        ingress[u"dead_letters_no_route"_s] = newest;
        engines[u"ingress"_s] = ingress;
        status[u"engines"_s] = engines;
        source->setStatus(status);
    };
    setCount();
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    auto *table = view->findChild<QTableView *>(u"deadLettersTable"_s);
    QVERIFY(table);
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 120, 3000);
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    table->scrollTo(table->model()->index(60, 0), QAbstractItemView::PositionAtTop);
    const QString read = table->indexAt(QPoint(2, 2)).siblingAtColumn(0).data().toString();
    QCOMPARE(read, u"60"_s);
    newest = 123;
    setCount();
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 123, 3000);
    QCOMPARE(table->indexAt(QPoint(2, 2)).siblingAtColumn(0).data().toString(), read);
}

// At the window's first size the Ingress figures wrapped to a second line that their box had no
// room for: "Rejected: 0 (0 invalid, 0", "Forward latency: p50 0.31 ms," (no p99), "NATS:
// connected to" (no address).
void TestConsole::figuresAreReadWholeAtTheWindowsSize()
{
    for (const QString &language : {u"en"_s, u"pt_BR"_s, u"vi"_s}) {
        installConsoleTranslators(language);
        figuresAreReadWholeIn(language);
        for (QTranslator *translator : qApp->findChildren<QTranslator *>()) {
            QCoreApplication::removeTranslator(translator);
            delete translator;
        }
        if (QTest::currentTestFailed())
            return;
    }
}

void TestConsole::figuresAreReadWholeIn(const QString &language)
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    QJsonObject status = healthyStatus({u"sync"_s, u"ingress"_s, u"timeouts"_s, u"polling"_s});
    QJsonObject engines = status[u"engines"_s].toObject();
    engines[u"ingress"_s] = QJsonObject {{u"status"_s, u"healthy"_s},
                                         {u"received"_s, 1234567},
                                         {u"published"_s, 1234560},
                                         {u"rejected_invalid"_s, 1234},
                                         {u"rejected_unavailable"_s, 5678},
                                         {u"redeliveries"_s, 45678},
                                         {u"dead_letters_no_route"_s, 1234},
                                         {u"dead_letters_max_deliveries"_s, 567},
                                         {u"events_per_second"_s, 123.4},
                                         {u"forward_p50_ms"_s, 12.34},
                                         {u"forward_p99_ms"_s, 456.78},
                                         {u"consumer_pending"_s, 1234},
                                         {u"in_flight"_s, 12},
                                         {u"nats"_s, u"nats://10.20.30.40:4222"_s},
                                         {u"nats_connected"_s, true}};
    status[u"engines"_s] = engines;
    source->setStatus(status);
    window->selectNode(0);
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    NodeView *view = window->nodeView(0);
    for (const QString &engine : {u"sync"_s, u"ingress"_s, u"timeouts"_s}) {
        view->showEngine(engine);
        settleLayouts();
        QWidget *panel = view->tabs()->currentWidget();
        const QList<FiguresBox *> boxes = panel->findChildren<FiguresBox *>();
        QVERIFY(!boxes.isEmpty());
        for (QLabel *value : boxes.constFirst()->values()) {
            if (value->text().isEmpty())
                continue;
            QVERIFY2(value->height() >= value->heightForWidth(value->width()),
                     qPrintable(u"%1, %2: \"%3\" needs %4 px, has %5"_s
                                    .arg(language, engine, value->text())
                                    .arg(value->heightForWidth(value->width()))
                                    .arg(value->height())));
        }
    }
}

// Connect now (F5) on a node still down changed nothing on screen: the same "unreachable since
// …" as before, and the operator could not tell whether the node had been asked at all.
void TestConsole::connectNowSaysTheNodeWasAskedAgain()
{
    const quint16 port = freeLoopbackPort(); // nothing listens there
    std::unique_ptr<MainWindow> window = openWindow();
    window->addNode(new RemoteNodeSource(remoteUrl(port), {}));
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    auto *connectNow = view->findChild<QPushButton *>(u"connectNowButton"_s);
    auto *detail = view->findChild<QLabel *>(u"nodeDetail"_s);
    QVERIFY(connectNow && detail);
    NodeSource *source = window->nodesModel()->nodeSource(0);
    QTRY_COMPARE_WITH_TIMEOUT(source->reachability(), NodeSource::Reachability::Unreachable, 3000);
    QElapsedTimer sinceLost;
    sinceLost.start();
    const QString before = detail->text();
    QVERIFY2(!before.contains(u"asked again"_s), qPrintable(before));

    // Asked at once, well before the next attempt of its own (2 s ± 20 % after the first).
    connectNow->click();
    QTRY_VERIFY_WITH_TIMEOUT(detail->text().contains(u"asked again at "_s), 1000);
    QVERIFY2(sinceLost.elapsed() < 1500, qPrintable(QString::number(sinceLost.elapsed())));
    QVERIFY2(detail->text().startsWith(before), qPrintable(detail->text()));
    QCOMPARE(source->reachability(), NodeSource::Reachability::Unreachable);
}

// Redis lost the timeouts' data: the node is unhealthy for 15 minutes, its log says so once. The
// operator who came later saw a green tab, the log line long pushed out of the node's last 200
// records by forward warnings, and nothing else of it.
void TestConsole::timeoutsDataLostStaysInSight()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    QJsonObject status = healthyStatus({u"timeouts"_s});
    QJsonObject engines = status[u"engines"_s].toObject();
    const QDateTime lostAt = QDateTime::currentDateTime().addSecs(-20 * 60);
    engines[u"timeouts"_s] =
        QJsonObject {{u"status"_s, u"healthy"_s},
                     {u"redis"_s, u"127.0.0.1:6379"_s},
                     {u"redis_connected"_s, true},
                     {u"data_lost"_s,
                      QJsonObject {{u"count"_s, 1},
                                   {u"last_at_ms"_s, lostAt.toMSecsSinceEpoch()},
                                   {u"last_waiting"_s, 1234},
                                   {u"last_pending"_s, 5},
                                   {u"waiting_total"_s, 1234}}}};
    status[u"engines"_s] = engines;
    source->setStatus(status);
    NodeView *view = showEngine(window.get(), u"timeouts"_s);
    QVERIFY(view);
    QLabel *shown = nullptr;
    for (QLabel *label : view->findChildren<QLabel *>()) {
        if (label->isVisible() && label->text().contains(u"1,234 conversations"_s))
            shown = label;
    }
    QVERIFY(shown);
    QVERIFY2(shown->text().contains(u"#b71c1c"_s) && shown->text().contains(u">1, the last at "_s)
                 && shown->text().contains(lostAt.toString(u"HH:mm:ss"_s)),
             qPrintable(shown->text()));
}

// A lag going from 10 to 5 million entries (a remote down for an hour) froze the console: the
// value axis got its new range before its new tick interval, and Qt Charts laid out a tick
// every 2 entries, 2.5 million of them, in the GUI thread. The axes are watched here with
// figures small enough for the old order to finish, so that it fails rather than hangs.
void TestConsole::aHugeFigureDoesNotFreezeTheCharts()
{
    // The most ticks an axis had at any moment.
    const auto watchTicks = [](QValueAxis *axis, double *mostTicks) {
        const auto count = [axis, mostTicks] {
            *mostTicks = std::max(*mostTicks, (axis->max() - axis->min()) / axis->tickInterval());
        };
        QObject::connect(axis, &QValueAxis::rangeChanged, axis, count);
        QObject::connect(axis, &QValueAxis::tickIntervalChanged, axis, count);
    };

    std::unique_ptr<TimeChart> chart = shownChart(u"events"_s, u"jobs"_s);
    QVERIFY(chart);
    auto *lagAxis = qobject_cast<QValueAxis *>(chart->chart()->axes(Qt::Vertical).value(0));
    QVERIFY(lagAxis);
    double mostTicks = 0;
    watchTicks(lagAxis, &mostTicks);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    chart->append(u"events"_s, now, 3);
    chart->advance(now);
    chart->append(u"events"_s, now + 1000, 5000);
    chart->advance(now + 1000);
    QCOMPARE(lagAxis->max(), 5000.0);
    // Millions are written out, not "2e+06".
    chart->append(u"events"_s, now + 2000, 2e6);
    chart->advance(now + 2000);
    QCOMPARE(lagAxis->max(), 2e6);
    const QString label = QString::asprintf(qPrintable(lagAxis->labelFormat()), 2e6);
    QVERIFY2(label == u"2000000"_s && chart->chart()->localizeNumbers(), qPrintable(label));
    // Back to small figures, once the peak has left the window.
    chart->append(u"events"_s, now + 11 * 60 * 1000, 3);
    chart->advance(now + 11 * 60 * 1000);
    QCOMPARE(lagAxis->max(), 10.0);
    QVERIFY2(mostTicks <= 10, qPrintable(QString::number(mostTicks)));

    // The Timeouts tab's forecast of the next 30 minutes.
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    QJsonObject status = healthyStatus({u"timeouts"_s});
    const auto setForecast = [&](int due) {
        QJsonObject engines = status[u"engines"_s].toObject();
        engines[u"timeouts"_s] = QJsonObject {{u"status"_s, u"healthy"_s},
                                              {u"redis_connected"_s, true},
                                              {u"forecast"_s, QJsonArray {due, 1, 2}}};
        status[u"engines"_s] = engines;
        source->setStatus(status);
    };
    setForecast(3);
    NodeView *view = showEngine(window.get(), u"timeouts"_s);
    auto *forecast = view->findChild<QChartView *>(u"timeoutsForecastChart"_s);
    QVERIFY(forecast);
    auto *dueAxis = qobject_cast<QValueAxis *>(forecast->chart()->axes(Qt::Vertical).value(0));
    QVERIFY(dueAxis);
    mostTicks = 0;
    watchTicks(dueAxis, &mostTicks);
    setForecast(5000);
    QCOMPARE(dueAxis->max(), 5000.0);
    setForecast(3);
    QCOMPARE(dueAxis->max(), 10.0);
    QVERIFY2(mostTicks <= 10, qPrintable(QString::number(mostTicks)));
}

// The console just started (or a node was just added): before any node had sent a status the
// status bar and the tray said "all engines healthy".
void TestConsole::nodesNotHeardFromAreNotCalledHealthy()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *a = addFakeNode(*window, u"node-a:8080"_s);
    auto *b = addFakeNode(*window, u"node-b:8080"_s);
    auto *summary = window->findChild<QLabel *>(u"healthSummary"_s);
    QVERIFY(summary);
    QCOMPARE(summary->text(), u"Nodes: 2 · waiting for a first status: 2"_s);
    a->setStatus(healthyStatus({u"sync"_s}));
    QCOMPARE(summary->text(), u"Nodes: 2 · waiting for a first status: 1"_s);
    b->setStatus(healthyStatus({u"sync"_s}));
    QCOMPARE(summary->text(), u"Nodes: 2 · all engines healthy"_s);
    // A problem is said first.
    window->addNode(new FakeNodeSource(u"node-c:8080"_s));
    b->setReachability(NodeSource::Reachability::Unreachable, u"no status for 3 s"_s);
    QCOMPARE(summary->text(), u"Nodes: 3 · not answering: 1"_s);
}

namespace {

// `status` as node process `pid`, started at `startedAt` (by the node's clock), sends it.
QJsonObject ofRun(QJsonObject status, const QDateTime &startedAt, int pid)
{
    QJsonObject node = status[u"node"_s].toObject();
    node[u"started_at"_s] = startedAt.toUTC().toString(Qt::ISODateWithMs);
    node[u"pid"_s] = pid;
    status[u"node"_s] = node;
    return status;
}

// `status` with `engine` unhealthy for `reason`, in its health and its figures, as StatusApi
// writes them.
QJsonObject withUnhealthy(QJsonObject status, const QString &engine, const QString &reason)
{
    const QJsonObject unhealthy {{u"status"_s, u"unhealthy"_s}, {u"reason"_s, reason}};
    QJsonObject health = status[u"health"_s].toObject();
    health[engine] = unhealthy;
    status[u"health"_s] = health;
    QJsonObject engines = status[u"engines"_s].toObject();
    engines[engine] = unhealthy;
    status[u"engines"_s] = engines;
    return status;
}

} // namespace

// A node just started (or restarted, or the console started its local stack) reports its
// engines unhealthy until they are up: "starting: no status yet", the JetStream set-up, its
// Redis not accepting connections yet. The console showed that red, with a tray notification:
// a false alarm at every start. Starting reads as starting; it turns red if the engine is
// still not running 30 s after the node started, or at once if it was running and failed.
void TestConsole::aNodeStartingIsNotShownFailed()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window, u"node-a:8080"_s);
    NodesModel *nodes = window->nodesModel();
    QSignalSpy alerts(nodes, &NodesModel::alertRaised);
    auto *summary = window->findChild<QLabel *>(u"healthSummary"_s);
    QVERIFY(summary);
    const QImage red = engineStateIcon(EngineState::Unhealthy).pixmap(16, 16).toImage();
    const QJsonObject healthy = healthyStatus({u"ingress"_s, u"timeouts"_s});
    QJsonObject starting =
        withUnhealthy(healthy, u"ingress"_s, u"setting up the JetStream stream and consumer"_s);
    starting = withUnhealthy(starting, u"timeouts"_s, u"starting: no status yet"_s);

    const QDateTime now = QDateTime::currentDateTimeUtc();
    source->setStatus(ofRun(starting, now.addSecs(-2), 4242));
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    QVERIFY(view);
    for (const QStringView engine : {u"ingress", u"timeouts"}) {
        QVERIFY2(nodes->engineState(0, engine) != EngineState::Unhealthy,
                 qPrintable(engine.toString()));
    }
    QVERIFY(iconImage(nodes->data(nodes->nodeIndex(0), Qt::DecorationRole)) != red);
    QVERIFY(iconImage(view->tabs()->tabIcon(1)) != red);
    QString row = nodes->data(nodes->nodeIndex(0)).toString();
    QVERIFY2(row.contains(u"starting"_s) && !row.contains(u"unhealthy"_s), qPrintable(row));
    QVERIFY2(!summary->text().contains(u"unhealthy"_s) && !summary->text().contains(u"healthy"_s),
             qPrintable(summary->text()));
    QCOMPARE(alerts.count(), 0);
    // The tab says what it waits for, not in the red of a failure.
    auto *banner = view->findChild<QLabel *>(u"ingressBanner"_s);
    QVERIFY(banner);
    QVERIFY2(!banner->isVisible() || !banner->styleSheet().contains(u"#c62828"_s),
             qPrintable(banner->styleSheet()));

    // Healthy, the node is healthy; no alarm was raised on the way.
    source->setStatus(ofRun(healthy, now.addSecs(-2), 4242));
    QCOMPARE(summary->text(), u"Nodes: 1 · all engines healthy"_s);
    QCOMPARE(alerts.count(), 0);

    // The node restarts (another process): starting again, not failed.
    source->setStatus(ofRun(starting, now.addSecs(-1), 4343));
    QCOMPARE(nodes->engineState(0, u"ingress"), nodes->engineState(0, u"timeouts"));
    QVERIFY(nodes->engineState(0, u"ingress") != EngineState::Unhealthy);
    QCOMPARE(alerts.count(), 0);

    // A run whose engines are still not running 31 s after it started: failed, and said so.
    source->setStatus(ofRun(starting, now.addSecs(-31), 4545));
    QCOMPARE(nodes->engineState(0, u"ingress"), EngineState::Unhealthy);
    QCOMPARE(nodes->engineState(0, u"timeouts"), EngineState::Unhealthy);
    QCOMPARE(iconImage(nodes->data(nodes->nodeIndex(0), Qt::DecorationRole)), red);
    QVERIFY2(summary->text().contains(u"unhealthy engines: 2"_s), qPrintable(summary->text()));
    QVERIFY(banner->isVisible() && banner->styleSheet().contains(u"#c62828"_s));
    QCOMPARE(alerts.count(), 2);

    // Running, then failing, early in a run: a failure at once.
    source->setStatus(ofRun(healthy, now.addSecs(-1), 4444));
    QCOMPARE(nodes->engineState(0, u"ingress"), EngineState::Healthy);
    source->setStatus(ofRun(
        withUnhealthy(healthy, u"ingress"_s, u"NATS nats://127.0.0.1:4222 is not connected"_s),
        now.addSecs(-1), 4444));
    QCOMPARE(nodes->engineState(0, u"ingress"), EngineState::Unhealthy);
    QCOMPARE(iconImage(nodes->data(nodes->nodeIndex(0), Qt::DecorationRole)), red);
}

// A node that answers but runs no engine (its configuration enables none) counted as healthy:
// the status bar and the tray said "all engines healthy" for a node doing nothing.
void TestConsole::aNodeRunningNoEngineIsNotCalledHealthy()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *working = addFakeNode(*window, u"node-a:8080"_s);
    auto *idle = addFakeNode(*window, u"node-b:8080"_s);
    working->setStatus(healthyStatus({u"sync"_s}));
    idle->setStatus(healthyStatus({}));
    NodesModel *nodes = window->nodesModel();
    const QString row = nodes->data(nodes->nodeIndex(1)).toString();
    QVERIFY2(row.contains(u"no engine running"_s), qPrintable(row));
    QVERIFY(iconImage(nodes->data(nodes->nodeIndex(1), Qt::DecorationRole))
            != engineStateIcon(EngineState::Healthy).pixmap(16, 16).toImage());
    auto *summary = window->findChild<QLabel *>(u"healthSummary"_s);
    QVERIFY(summary);
    QCOMPARE(summary->text(), u"Nodes: 2 · running no engine: 1"_s);
    idle->setStatus(healthyStatus({u"polling"_s}));
    QCOMPARE(summary->text(), u"Nodes: 2 · all engines healthy"_s);
}

// Forty nodes took five lines each (the node and its four engines): an operator saw six of
// them, and a red one further down only by scrolling. One line a node, all in sight.
void TestConsole::fortyNodesAreSeenAtOnce()
{
    std::unique_ptr<MainWindow> window = openWindow();
    window->resize(1400, 900);
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    const QStringList engines {u"sync"_s, u"ingress"_s, u"timeouts"_s, u"polling"_s};
    for (int number = 0; number < 40; ++number) {
        auto *source =
            new FakeNodeSource(u"node-%1.example.com:8080"_s.arg(number, 2, 10, QChar(u'0')));
        window->addNode(source);
        QJsonObject status = healthyStatus(engines);
        if (number == 39)
            status = withUnhealthy(status, u"sync"_s,
                                   u"remote Redis 10.0.0.5:6379: connection refused"_s);
        source->setStatus(status);
    }
    settleLayouts();
    auto *list = window->findChild<QTreeView *>(u"nodesView"_s);
    QVERIFY(list);
    NodesModel *nodes = window->nodesModel();
    const QRect inSight = list->viewport()->rect();
    for (int row = 0; row < nodes->nodeCount(); ++row) {
        const QRect rect = list->visualRect(nodes->nodeIndex(row));
        QVERIFY2(inSight.contains(rect),
                 qPrintable(u"node %1 at %2,%3 %4x%5, the list %6 px high"_s.arg(row)
                                .arg(rect.x())
                                .arg(rect.y())
                                .arg(rect.width())
                                .arg(rect.height())
                                .arg(inSight.height())));
    }
    // The red one says so on its line, and why in its tooltip.
    QCOMPARE(iconImage(nodes->data(nodes->nodeIndex(39), Qt::DecorationRole)),
             engineStateIcon(EngineState::Unhealthy).pixmap(16, 16).toImage());
    QVERIFY(nodes->data(nodes->nodeIndex(39)).toString().contains(u"unhealthy: Sync"_s));
    QVERIFY(nodes->data(nodes->nodeIndex(39), Qt::ToolTipRole)
                .toString()
                .contains(u"connection refused"_s));
}

// Polling's wake latency is of the last minute, 0 when nothing woke in it. The chart plotted
// that 0 ("instant"), the figure said "p50 0.00 ms", and before the first wake-up its time axis
// stood at the console's start while the chart beside it moved on.
void TestConsole::wakeLatencyOfAQuietMinuteIsNotShownInstant()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    QJsonObject status = healthyStatus({u"polling"_s});
    const auto sendWakes = [&](qint64 wakes, double p50, double p99, const QDateTime &time) {
        QJsonObject engines = status[u"engines"_s].toObject();
        QJsonObject polling = engines[u"polling"_s].toObject();
        polling[u"wakes"_s] = wakes;
        polling[u"wake_p50_ms"_s] = p50;
        polling[u"wake_p99_ms"_s] = p99;
        engines[u"polling"_s] = polling;
        status[u"engines"_s] = engines;
        source->setStatus(status, time);
    };
    const QDateTime start = QDateTime::currentDateTimeUtc();
    sendWakes(0, 0, 0, start);
    NodeView *view = showEngine(window.get(), u"polling"_s);
    QVERIFY(view);
    PollingPanel *panel = view->pollingPanel();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    TimeChart *chart = panel->wakeChart();
    auto *axis = qobject_cast<QDateTimeAxis *>(chart->chart()->axes(Qt::Horizontal).value(0));
    QVERIFY(axis);
    sendWakes(0, 0, 0, start.addSecs(5));
    QCOMPARE(axis->max().toMSecsSinceEpoch(), start.addSecs(5).toMSecsSinceEpoch());

    sendWakes(5, 2.5, 4.5, start.addSecs(6));
    QCOMPARE(chart->pointCount(u"p99"_s), 1);
    // A minute with no wake-up: no point at 0, and the figure says so.
    sendWakes(5, 0, 0, start.addSecs(70));
    QCOMPARE(chart->pointCount(u"p99"_s), 1);
    QCOMPARE(chart->series(u"p99"_s)->points().last().y(), 4.5);
    QCOMPARE(axis->max().toMSecsSinceEpoch(), start.addSecs(70).toMSecsSinceEpoch());
    const QList<QLabel *> labels = panel->findChildren<QLabel *>();
    const auto wakes = std::find_if(labels.cbegin(), labels.cend(), [](const QLabel *label) {
        return label->text().startsWith(u"5 ("_s);
    });
    QVERIFY(wakes != labels.cend());
    QVERIFY2(!(*wakes)->text().contains(u"0.00"_s), qPrintable((*wakes)->text()));
}

// The local Redis of sync killed: the node stops reading its streams' lag, group and rate, and
// its status keeps their last values. The Sync tab showed lag 0 and 18 entries/s, and plotted
// the 0, for as long as nothing could be read.
void TestConsole::syncFiguresOfALostLocalRedisAreUnknown()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    QJsonObject status = healthyStatus({u"sync"_s});
    const auto sendSync = [&](bool localConnected, const QDateTime &time) {
        QJsonObject engines = status[u"engines"_s].toObject();
        QJsonObject sync = engines[u"sync"_s].toObject();
        sync[u"local"_s] =
            QJsonObject {{u"address"_s, u"127.0.0.1:6379/0"_s}, {u"connected"_s, localConnected}};
        sync[u"streams"_s] = QJsonArray {QJsonObject {{u"stream"_s, u"events"_s},
                                                      {u"lag"_s, 0},
                                                      {u"rate"_s, 18},
                                                      {u"consumers"_s, 2},
                                                      {u"group_pending"_s, 0},
                                                      {u"deleted_before_read"_s, 0}}};
        engines[u"sync"_s] = sync;
        status[u"engines"_s] = engines;
        source->setStatus(status, time);
    };
    const QDateTime start = QDateTime::currentDateTimeUtc();
    sendSync(true, start);
    NodeView *view = showEngine(window.get(), u"sync"_s);
    QVERIFY(view);
    SyncPanel *panel = view->syncPanel();
    QTRY_COMPARE(panel->streamsModel()->rowCount(), 1);
    QCOMPARE(panel->lagSeries(u"events"_s)->count(), 1);
    QAbstractItemModel *streams = panel->streamsModel();
    QCOMPARE(streams->index(0, SyncStreamsModel::Lag).data().toString(), u"0"_s);

    sendSync(false, start.addSecs(2));
    for (const int column :
         {int(SyncStreamsModel::Lag), int(SyncStreamsModel::Rate), int(SyncStreamsModel::Consumers),
          int(SyncStreamsModel::Pending), int(SyncStreamsModel::DeletedUnread)}) {
        const QString shown = streams->index(0, column).data().toString();
        QVERIFY2(shown == u"unknown"_s,
                 qPrintable(u"column %1 shows %2"_s.arg(QString::number(column), shown)));
    }
    // No new point: the chart stops where the figures were last read.
    QCOMPARE(panel->lagSeries(u"events"_s)->count(), 1);

    sendSync(true, start.addSecs(4));
    QCOMPARE(streams->index(0, SyncStreamsModel::Rate).data().toString(),
             QLocale().toString(18.0, 'f', 0));
    QCOMPARE(panel->lagSeries(u"events"_s)->count(), 2);
}

// Until an engine's first snapshot its node lists it only in "health" (starting: no status yet),
// with no figures: its tab said "Ingress engine not running on this node.", and no banner.
void TestConsole::anEngineWithNoFiguresYetIsNotCalledNotRunning()
{
    std::unique_ptr<MainWindow> window = openWindow();
    auto *source = addFakeNode(*window);
    QJsonObject status = healthyStatus({u"sync"_s});
    QJsonObject health = status[u"health"_s].toObject();
    health[u"ingress"_s] =
        QJsonObject {{u"status"_s, u"unhealthy"_s}, {u"reason"_s, u"starting: no status yet"_s}};
    status[u"health"_s] = health;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    source->setStatus(ofRun(status, now.addSecs(-2), 4242));
    NodeView *view = showEngine(window.get(), u"ingress"_s);
    QVERIFY(view);
    auto *placeholder = view->findChild<QLabel *>(u"ingressPlaceholder"_s);
    auto *banner = view->findChild<QLabel *>(u"ingressBanner"_s);
    QVERIFY(placeholder && banner);
    QVERIFY(placeholder->isVisible());
    QVERIFY2(!placeholder->text().contains(u"not running"_s), qPrintable(placeholder->text()));
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->text().contains(u"starting: no status yet"_s), qPrintable(banner->text()));
    QVERIFY2(!banner->styleSheet().contains(u"#c62828"_s), qPrintable(banner->styleSheet()));

    // Still no figures 31 s after the start: failed, in red.
    source->setStatus(ofRun(status, now.addSecs(-31), 4343));
    QVERIFY(banner->isVisible());
    QVERIFY2(banner->styleSheet().contains(u"#c62828"_s), qPrintable(banner->styleSheet()));

    // A node that does not run it says so.
    source->setStatus(healthyStatus({u"sync"_s}));
    QVERIFY2(placeholder->text().contains(u"not running"_s), qPrintable(placeholder->text()));
    QVERIFY(!banner->isVisible());
}
