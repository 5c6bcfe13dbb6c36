// The polling engine as the Spring service and the browsers that used the Go Telemetry Service
// see it: a real redis-server, real tokens signed with libjwt, a node in this process and, for
// the cross-node and SIGTERM cases, switchboard processes on the same Redis.

#include "core/logging.h"
#include "jwtsigning.h"
#include "loglines.h"
#include "node/switchboardnode.h"
#include "nodeconfig.h"
#include "polling/pollingevent.h"
#include "resp.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace Switchboard;
using namespace Switchboard::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray secret = "polling-test-secret";

// A token as the Spring service signs it: `claims` plus an exp an hour ahead unless given.
QByteArray token(QJsonObject claims, jwt_alg_t alg = JWT_ALG_HS256, const QByteArray &key = secret)
{
    if (!claims.contains(u"exp"_s))
        claims[u"exp"_s] = QDateTime::currentSecsSinceEpoch() + 3600;
    return signedToken(alg, key, QJsonDocument(claims).toJson(QJsonDocument::Compact));
}

QByteArray userToken(const QString &userId)
{
    return token({{u"sub"_s, userId}, {u"roles"_s, QJsonArray {u"USER"_s}}});
}

QByteArray adminToken()
{
    return token({{u"userId"_s, u"boss"_s}, {u"roles"_s, u"ROLE_ADMIN"_s}});
}

QJsonObject json(const HttpResult &result)
{
    return QJsonDocument::fromJson(result.body).object();
}

QStringList entityIds(const QJsonObject &answer)
{
    QStringList ids;
    for (const QJsonValue &event : answer.value(u"events"_s).toArray())
        ids.append(event[u"entityId"_s].toString());
    return ids;
}

} // namespace

class TestPolling : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void everyPublishRouteStoresTheSeedsShape();
    void visibilityRules();
    void badTokensAre401AndUsersOnTheAdminRouteAre403_data();
    void badTokensAre401AndUsersOnTheAdminRouteAre403();
    void anAcceptedTokenStopsAtItsExp();
    void rolesAndSubjectVariants_data();
    void rolesAndSubjectVariants();
    void badInputIsA400AndNeverHurts();
    void largeEventsComeInAnswersOfAtMost4MiB();
    void withoutAnEventTypeACallerGetsTheirOwnEvents();
    void resumeFromLastEventIdAndHistoryLost();
    void anIdOfTheTelemetryServiceGetsEverythingKept();
    void aClientPollingAQuietFeedLosesNoHistory();
    void aFeedWhoseEventsExpiredIsResumedFromNow();
    void aLastEventIdFromTheFutureIsAnsweredLikeAnUnknownOne();
    void aPollReadsAtMostAnAnswerOfLargeEventsFromRedis();
    void heldPollWakesOnPublish();
    void idleLongPollAnswersTheEmptyShapeAtTheTimeout();
    void clientGoneWhileHeldIsForgotten();
    void internalRoutesWithAToken();
    void withoutATokenInternalRoutesRefuseWhatAProxyForwards();
    void redisDownIs503AndComesBack();
    void publishesRedisRefusesAreSaidOnHealthAndInTheLog();
    void heldPollsOutliveARedisRestart();
    void aWakeWhileTheReadConnectionIsDownHoldsThePolls();
    void aReadCutShortByARedisStallHoldsThePolls();
    void aLongPollWhoseTimeRunsOutInARedisStallGetsTheEmptyShape();
    void publishOnOneNodeWakesAPollHeldOnAnother();
    void sigtermAnswersHeldPollsAndExits0();
    void simulateFeedsDemoOrderEvents();
    void browsersOnAnotherOriginMayPoll();
    void onlyTheConfiguredOriginsMayReadPolls();
    void longPollTakesGoBooleans();
    void keysInAnotherCaseAreReadAsTheTelemetryServiceReadThem();
    void bytesThatAreNotUtf8AreReadAsGoReadThem();

private:
    Config baseConfig() const;
    void startNode(const Config &config);
    HttpResult poll(const QByteArray &pathAndQuery, const QByteArray &bearer, int timeoutMs = 5000)
    {
        return httpRequest(m_port, "GET", pathAndQuery, {}, timeoutMs,
                           bearer.isEmpty() ? QByteArray()
                                            : "Authorization: Bearer " + bearer + "\r\n");
    }
    HttpResult publish(const QByteArray &route, const QJsonObject &body,
                       const QByteArray &extraHeaders = {})
    {
        return httpRequest(m_port, "POST", "/v1/internal/events/" + route,
                           QJsonDocument(body).toJson(QJsonDocument::Compact), 5000, extraHeaders);
    }
    QJsonObject pollingStatus()
    {
        return json(httpGet(m_port, "/api/v1/status"))[u"engines"_s][u"polling"_s].toObject();
    }
    // A long poll sent with QNetworkAccessManager, so that the test goes on while it is held.
    QNetworkReply *longPoll(quint16 port, const QByteArray &pathAndQuery, const QByteArray &bearer);
    // `count` long polls of alice's feed from its end, once the node holds them all.
    void holdAlicesPolls(int count, QList<QNetworkReply *> *replies);
    // Publishes `count` events of ~900 KiB of `eventType` for `userId`, entity ids big-0, ...
    void publishBigEvents(const QString &eventType, const QString &userId, int count);
    // Holds 3 polls on alice's feed, wakes them and pauses Redis for 6.5 s at once: their reads
    // wait past the node's 5 s command timeout.
    void holdAlicesPollsIntoARedisStall(QList<QNetworkReply *> *replies);
    // Each reply answered 200 with the one event of `entityId`.
    void expectEachGets(const QList<QNetworkReply *> &replies, const QString &entityId);
    // A request as a browser's page sends it, with its Origin; not waited for.
    QNetworkReply *fromBrowser(const QByteArray &method, const QByteArray &pathAndQuery,
                               const QList<std::pair<QByteArray, QByteArray>> &headers);

    std::unique_ptr<RedisServer> m_redis;
    std::unique_ptr<SwitchboardNode> m_node;
    QNetworkAccessManager m_network;
    QTemporaryDir m_dataDir;
    quint16 m_port = 0;
};

void TestPolling::initTestCase()
{
    installLogHandler();
    setLogLevel(LogLevel::Warn);
}

void TestPolling::init()
{
    m_redis = std::make_unique<RedisServer>();
    QVERIFY2(m_redis->start(), qPrintable(m_redis->error()));
}

void TestPolling::cleanup()
{
    if (m_node) {
        QSignalSpy stopped(m_node.get(), &SwitchboardNode::stopped);
        m_node->stop(5000);
        QVERIFY(stopped.wait(10000));
        m_node.reset();
    }
    m_redis.reset();
}

Config TestPolling::baseConfig() const
{
    Config config = loopbackNodeConfig({u"polling"_s}, m_dataDir.path());
    config.polling.redis = m_redis->endpoint();
    config.polling.jwtSecret = secret;
    config.polling.longPollTimeout = Milliseconds(20000);
    return config;
}

void TestPolling::startNode(const Config &config)
{
    m_node = std::make_unique<SwitchboardNode>(config, QStringList {u"polling"_s});
    QString error;
    QVERIFY2(m_node->start(&error), qPrintable(error));
    m_port = m_node->httpPort();
    QTRY_VERIFY_WITH_TIMEOUT(pollingStatus()[u"status"_s].toString() == u"healthy", 5000);
}

QNetworkReply *TestPolling::longPoll(quint16 port, const QByteArray &pathAndQuery,
                                     const QByteArray &bearer)
{
    QNetworkRequest request(
        QUrl(u"http://127.0.0.1:%1%2"_s.arg(port).arg(QString::fromLatin1(pathAndQuery))));
    request.setRawHeader("Authorization", "Bearer " + bearer);
    request.setTransferTimeout(60000);
    return m_network.get(request);
}

QNetworkReply *TestPolling::fromBrowser(const QByteArray &method, const QByteArray &pathAndQuery,
                                        const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request(
        QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(QString::fromLatin1(pathAndQuery))));
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    request.setTransferTimeout(30000);
    return m_network.sendCustomRequest(request, method);
}

void TestPolling::everyPublishRouteStoresTheSeedsShape()
{
    startNode(baseConfig());
    const HttpResult generic = publish("publish",
                                       {{u"eventType"_s, u"CUSTOMER_ORDER_STATUS"_s},
                                        {u"action"_s, u"REFRESH"_s},
                                        {u"entityId"_s, u"order-123"_s},
                                        {u"entityType"_s, u"ORDER"_s},
                                        {u"userId"_s, u"user-456"_s},
                                        {u"metadata"_s, QJsonObject {{u"k"_s, 1}}}});
    QCOMPARE(generic.status, 200);
    QVERIFY(!json(generic)[u"id"_s].toString().isEmpty());
    QCOMPARE(publish("order-status-change",
                     {{u"orderId"_s, u"order-124"_s},
                      {u"userId"_s, u"user-456"_s},
                      {u"newStatus"_s, u"SHIPPED"_s}})
                 .status,
             200);
    QCOMPARE(publish("new-order",
                     {{u"orderId"_s, u"order-125"_s},
                      {u"customerName"_s, u"John Doe"_s},
                      {u"totalAmount"_s, u"999.99"_s}})
                 .status,
             200);
    QCOMPARE(publish("order-update",
                     {{u"orderId"_s, u"order-126"_s},
                      {u"updateType"_s, u"STATUS_CHANGE"_s},
                      {u"details"_s, QJsonObject {{u"newStatus"_s, u"DELIVERED"_s}}}})
                 .status,
             200);

    const HttpResult all = poll("/v1/polling/admin/events", adminToken());
    QCOMPARE(all.status, 200);
    QCOMPARE(all.body.left(11), "{\"events\":[");
    const QJsonArray events = json(all)[u"events"_s].toArray();
    QCOMPARE(events.size(), 4);
    const QJsonObject first = events[0].toObject();
    QCOMPARE(QStringList(first.keys()),
             QStringList({u"action"_s, u"entityId"_s, u"entityType"_s, u"eventType"_s, u"id"_s,
                          u"metadata"_s, u"timestamp"_s, u"userId"_s}));
    QCOMPARE(first[u"metadata"_s][u"k"_s].toInt(), 1);
    QVERIFY(QDateTime::fromString(first[u"timestamp"_s].toString(), Qt::ISODateWithMs).isValid());
    const QJsonObject status = events[1].toObject();
    QCOMPARE(status[u"eventType"_s].toString(), u"CUSTOMER_ORDER_STATUS"_s);
    QCOMPARE(status[u"entityId"_s].toString(), u"order-124"_s);
    QCOMPARE(status[u"entityType"_s].toString(), u"ORDER"_s);
    QCOMPARE(status[u"userId"_s].toString(), u"user-456"_s);
    QCOMPARE(status[u"metadata"_s].toObject(), QJsonObject({{u"newStatus"_s, u"SHIPPED"_s}}));
    const QJsonObject order = events[2].toObject();
    QCOMPARE(order[u"eventType"_s].toString(), u"NEW_ORDER"_s);
    QVERIFY(order[u"userId"_s].isNull());
    QCOMPARE(order[u"metadata"_s][u"customerName"_s].toString(), u"John Doe"_s);
    QCOMPARE(events[3][u"eventType"_s].toString(), u"ORDER_UPDATE"_s);
    QCOMPARE(events[3][u"metadata"_s][u"details"_s][u"newStatus"_s].toString(), u"DELIVERED"_s);
    // Ids only grow, and the answer says where to go on from.
    QVERIFY(events[0][u"id"_s].toString() < events[3][u"id"_s].toString()
            || events[0][u"id"_s].toString().size() < events[3][u"id"_s].toString().size());
    QCOMPARE(json(all)[u"lastEventId"_s].toString(), events[3][u"id"_s].toString());
    QVERIFY(!json(all).contains(u"historyLost"_s));

    // The snapshot behind /metrics is four times a second.
    QTRY_VERIFY_WITH_TIMEOUT(
        httpGet(m_port, "/metrics")
            .body.contains("switchboard_polling_polls_total{route=\"admin\",status=\"200\"} 1"),
        2000);
    QVERIFY(httpGet(m_port, "/metrics")
                .body.contains(
                    "switchboard_polling_publishes_total{route=\"new-order\",status=\"200\"} 1"));
}

void TestPolling::visibilityRules()
{
    startNode(baseConfig());
    QCOMPARE(
        publish("publish",
                {{u"eventType"_s, u"T"_s}, {u"entityId"_s, u"mine"_s}, {u"userId"_s, u"alice"_s}})
            .status,
        200);
    QCOMPARE(
        publish("publish",
                {{u"eventType"_s, u"T"_s}, {u"entityId"_s, u"theirs"_s}, {u"userId"_s, u"bob"_s}})
            .status,
        200);
    QCOMPARE(publish("publish", {{u"eventType"_s, u"T"_s}, {u"entityId"_s, u"everyone"_s}}).status,
             200);
    QCOMPARE(
        publish(
            "publish",
            {{u"eventType"_s, u"U"_s}, {u"entityId"_s, u"other-type"_s}, {u"userId"_s, u"alice"_s}})
            .status,
        200);
    QCOMPARE(publish("new-order", {{u"orderId"_s, u"secret-order"_s}}).status, 200);
    // The same types through the generic route are just as private (they went to every user).
    QCOMPARE(publish("publish",
                     {{u"eventType"_s, u"NEW_ORDER"_s},
                      {u"entityId"_s, u"generic-order"_s},
                      {u"metadata"_s, QJsonObject {{u"customerName"_s, u"Jane"_s}}}})
                 .status,
             200);
    QCOMPARE(publish("publish",
                     {{u"eventType"_s, u"ORDER_UPDATE"_s},
                      {u"entityId"_s, u"generic-update"_s},
                      {u"userId"_s, u"alice"_s}})
                 .status,
             200);

    const QByteArray alice = userToken(u"alice"_s);
    // Own events and broadcasts of the type, in order; nobody else's.
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=T", alice))),
             QStringList({u"mine"_s, u"everyone"_s}));
    QCOMPARE(entityIds(json(poll("/v1/polling/user/events", alice))),
             QStringList({u"mine"_s, u"other-type"_s}));
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=T", userToken(u"carol"_s)))),
             QStringList({u"everyone"_s}));
    // Admins see every event of a type, and all events; new orders are theirs alone.
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=T", adminToken()))),
             QStringList({u"mine"_s, u"theirs"_s, u"everyone"_s}));
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=NEW_ORDER", alice))), QStringList());
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=ORDER_UPDATE", alice))),
             QStringList());
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=NEW_ORDER", adminToken()))),
             QStringList({u"secret-order"_s, u"generic-order"_s}));
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=ORDER_UPDATE", adminToken()))),
             QStringList({u"generic-update"_s}));
    QCOMPARE(json(poll("/v1/polling/admin/events", adminToken()))[u"events"_s].toArray().size(), 7);
    QCOMPARE(poll("/v1/polling/admin/events", alice).status, 403);
}

void TestPolling::badTokensAre401AndUsersOnTheAdminRouteAre403_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QByteArray>("reason");
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray good = userToken(u"alice"_s);
    const QList<QByteArray> parts = good.split('.');
    const QByteArray other = userToken(u"mallory"_s);
    QTest::newRow("missing") << QByteArray() << QByteArray("missing");
    QTest::newRow("basic") << QByteArray("Basic YWxpY2U6eA==") << QByteArray("not_bearer");
    QTest::newRow("garbage") << QByteArray("Bearer !!!not-a-token") << QByteArray("malformed");
    QTest::newRow("wrong secret") << "Bearer "
            + token({{u"sub"_s, u"alice"_s}}, JWT_ALG_HS256, "another-secret")
                                  << QByteArray("bad_signature");
    QTest::newRow("expired") << "Bearer " + token({{u"sub"_s, u"alice"_s}, {u"exp"_s, now - 5}})
                             << QByteArray("expired");
    QTest::newRow("HS512") << "Bearer " + token({{u"sub"_s, u"alice"_s}}, JWT_ALG_HS512)
                           << QByteArray("wrong_algorithm");
    QTest::newRow("alg none") << "Bearer "
            + QByteArray(R"({"alg":"none","typ":"JWT"})")
                  .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
            + '.' + parts[1]
            + '.' << QByteArray("wrong_algorithm");
    QTest::newRow("tampered payload") << "Bearer " + parts[0] + '.' + other.split('.')[1] + '.'
            + parts[2] << QByteArray("bad_signature");
    // A refresh token: same secret, user and role, "type" says what it is.
    QTest::newRow("refresh token") << "Bearer "
            + token({{u"sub"_s, u"alice"_s},
                     {u"type"_s, u"refresh_token"_s},
                     {u"role"_s, u"ADMIN"_s},
                     {u"exp"_s, now + 7 * 86400}})
                                   << QByteArray("not_access_token");
    QTest::newRow("over 8 KiB") << "Bearer " + QByteArray(9000, 'a') << QByteArray("too_large");
    // A header of 100 KiB or more: QtHttpServer 6.4 would drop every header of the request (its
    // Content-Length too), so it is refused with 431 before that (tst_httpserver,
    // aHeaderBlockQtHttpServerWouldDropIsRefused), not a 401 here.
}

void TestPolling::badTokensAre401AndUsersOnTheAdminRouteAre403()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QByteArray, reason);
    if (!m_node)
        startNode(baseConfig());
    const HttpResult answer = httpRequest(
        m_port, "GET", "/v1/polling/user/events", {}, 5000,
        authorization.isEmpty() ? QByteArray() : "Authorization: " + authorization + "\r\n");
    QCOMPARE(answer.status, 401);
    QCOMPARE(json(answer)[u"error"_s].toString(), u"unauthorized"_s);
    QVERIFY(!json(answer)[u"detail"_s].toString().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(
        pollingStatus()[u"auth_failures"_s][QString::fromLatin1(reason)].toInt(), 1, 2000);
    // A valid user on the admin route: 403, not 401.
    QCOMPARE(poll("/v1/polling/admin/events", userToken(u"alice"_s)).status, 403);
}

// Accepted tokens are remembered between polls; the memory must not outlive the token.
void TestPolling::anAcceptedTokenStopsAtItsExp()
{
    startNode(baseConfig());
    const QByteArray shortLived =
        token({{u"sub"_s, u"alice"_s}, {u"exp"_s, QDateTime::currentSecsSinceEpoch() + 2}});
    QCOMPARE(poll("/v1/polling/user/events", shortLived).status, 200);
    QCOMPARE(poll("/v1/polling/user/events", shortLived).status, 200);
    QTest::qWait(2100);
    const HttpResult expired = poll("/v1/polling/user/events", shortLived);
    QCOMPARE(expired.status, 401);
    QVERIFY(json(expired)[u"detail"_s].toString().contains(u"expired"_s));
}

void TestPolling::rolesAndSubjectVariants_data()
{
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<int>("adminStatus");
    QTest::addColumn<QString>("userId");
    QTest::newRow("roles array") << QJsonObject {{u"sub"_s, u"a"_s},
                                                 {u"roles"_s, QJsonArray {u"ADMIN"_s}}}
                                 << 200 << u"a"_s;
    QTest::newRow("roles comma list")
        << QJsonObject {{u"sub"_s, u"a"_s}, {u"roles"_s, u"USER,ROLE_ADMIN"_s}} << 200 << u"a"_s;
    QTest::newRow("role") << QJsonObject {{u"sub"_s, u"a"_s}, {u"role"_s, u"admin"_s}} << 200
                          << u"a"_s;
    QTest::newRow("spring authorities")
        << QJsonObject {{u"sub"_s, u"a"_s},
                        {u"authorities"_s,
                         QJsonArray {QJsonObject {{u"authority"_s, u"ROLE_ADMIN"_s}}}}}
        << 200 << u"a"_s;
    QTest::newRow("userId wins over sub")
        << QJsonObject {{u"sub"_s, u"login"_s}, {u"userId"_s, u"42"_s}, {u"roles"_s, u"USER"_s}}
        << 403 << u"42"_s;
    QTest::newRow("no role") << QJsonObject {{u"sub"_s, u"a"_s}} << 403 << u"a"_s;
}

void TestPolling::rolesAndSubjectVariants()
{
    QFETCH(QJsonObject, claims);
    QFETCH(int, adminStatus);
    QFETCH(QString, userId);
    if (!m_node)
        startNode(baseConfig());
    QCOMPARE(poll("/v1/polling/admin/events", token(claims)).status, adminStatus);
    const QString entity = u"for-"_s + QString::fromLatin1(QTest::currentDataTag());
    QCOMPARE(publish("publish",
                     {{u"eventType"_s, u"V"_s}, {u"entityId"_s, entity}, {u"userId"_s, userId}})
                 .status,
             200);
    QVERIFY(entityIds(json(poll("/v1/polling/user/events", token(claims)))).contains(entity));
}

void TestPolling::badInputIsA400AndNeverHurts()
{
    startNode(baseConfig());
    const QByteArray alice = userToken(u"alice"_s);
    for (
        const QByteArray &query :
        {"/v1/polling/events?eventType=T&lastEventId=abc"_ba,
         "/v1/polling/events?eventType=T&lastEventId=1-2-3"_ba,
         "/v1/polling/events?eventType=T&lastEventId=99999999999999999999999"_ba,
         // The greatest id a stream can hold: nothing can come after it (written two ways).
         "/v1/polling/events?eventType=T&lastEventId=18446744073709551615-18446744073709551615"_ba,
         "/v1/polling/events?eventType=T&lastEventId=18446744073709551615-018446744073709551615"_ba,
         "/v1/polling/events?eventType=T&longPoll=maybe"_ba}) {
        const HttpResult answer = poll(query, alice);
        QVERIFY2(answer.status == 400, query.constData());
        QCOMPARE(json(answer)[u"error"_s].toString(), u"bad_request"_s);
    }
    QByteArray many = "/v1/polling/events?eventType=T";
    for (int i = 0; i < 1000; ++i)
        many += "&p" + QByteArray::number(i) + "=x";
    QCOMPARE(poll(many, alice).status, 200);

    const struct
    {
        QByteArray route;
        QByteArray body;
        QString field;
    } bodies[] = {
        {"publish", "[1,2]", u"JSON object"_s},
        {"publish", "{\"eventType\": 5}", u"eventType"_s},
        {"publish", "{\"action\": \"x\"}", u"eventType"_s},
        {"publish", "{\"eventType\": \"T\", \"metadata\": []}", u"metadata"_s},
        {"publish", "not json", u"not JSON"_s},
        {"publish", "\"T\"", u"JSON object"_s},
        {"publish", R"({"eventType": "T", "action": "\q"})", u"invalid escape"_s},
        {"order-status-change", "{\"orderId\": \"o\", \"newStatus\": \"S\"}", u"userId"_s},
        {"order-status-change", "{\"orderId\": {}, \"userId\": \"u\", \"newStatus\": \"S\"}",
         u"orderId"_s},
        {"new-order", "{}", u"orderId"_s},
        {"order-update", "{\"orderId\": \"o\", \"details\": \"x\"}", u"details"_s},
        // Stream names: a line break would split the wake-up message.
        {"publish", "{\"eventType\": \"T\\nU\"}", u"eventType"_s},
        {"order-status-change",
         "{\"orderId\": \"o\", \"userId\": \"u\\r\\n\", \"newStatus\": \"S\"}", u"userId"_s},
    };
    for (const auto &bad : bodies) {
        const HttpResult answer =
            httpRequest(m_port, "POST", "/v1/internal/events/" + bad.route, bad.body, 5000);
        QVERIFY2(answer.status == 400, bad.body.constData());
        QVERIFY2(json(answer)[u"detail"_s].toString().contains(bad.field),
                 qPrintable(json(answer)[u"detail"_s].toString()));
    }
    // Nothing of that was stored, and the engine still serves.
    QCOMPARE(json(poll("/v1/polling/admin/events", adminToken()))[u"events"_s].toArray().size(), 0);
}

// The Telemetry Service answered /v1/polling/events without an eventType with the caller's own
// events (its user feed); pages written against it may never send one.
void TestPolling::withoutAnEventTypeACallerGetsTheirOwnEvents()
{
    startNode(baseConfig());
    QCOMPARE(
        publish("order-status-change",
                {{u"orderId"_s, u"o-1"_s}, {u"userId"_s, u"alice"_s}, {u"newStatus"_s, u"PAID"_s}})
            .status,
        200);
    QCOMPARE(
        publish("order-status-change",
                {{u"orderId"_s, u"o-2"_s}, {u"userId"_s, u"bob"_s}, {u"newStatus"_s, u"PAID"_s}})
            .status,
        200);
    QCOMPARE(publish("publish", {{u"eventType"_s, u"T"_s}, {u"entityId"_s, u"broadcast"_s}}).status,
             200);
    const HttpResult answer = poll("/v1/polling/events", userToken(u"alice"_s));
    QCOMPARE(answer.status, 200);
    QCOMPARE(entityIds(json(answer)), QStringList({u"o-1"_s}));
    QCOMPARE(entityIds(json(poll("/v1/polling/events", userToken(u"bob"_s)))),
             QStringList({u"o-2"_s}));
}

void TestPolling::publishBigEvents(const QString &eventType, const QString &userId, int count)
{
    const QString filler(900 * 1024, u'x');
    for (int i = 0; i < count; ++i) {
        QCOMPARE(publish("publish",
                         {{u"eventType"_s, eventType},
                          {u"entityId"_s, u"big-%1"_s.arg(i)},
                          {u"userId"_s, userId},
                          {u"metadata"_s, QJsonObject {{u"filler"_s, filler}}}})
                     .status,
                 200);
    }
}

// An answer held a whole page of events in memory: 500 events of up to 1 MiB each, for as long
// as a client that does not read kept it. Now at most 4 MiB of events (at least one) per answer;
// the client goes on from its lastEventId and misses nothing.
void TestPolling::largeEventsComeInAnswersOfAtMost4MiB()
{
    startNode(baseConfig());
    const QByteArray alice = userToken(u"alice"_s);
    const QString start = json(poll("/v1/polling/user/events", alice))[u"lastEventId"_s].toString();
    publishBigEvents(u"BIG"_s, u"alice"_s, 6);
    if (QTest::currentTestFailed())
        return;
    const HttpResult first =
        poll("/v1/polling/user/events?lastEventId=" + start.toLatin1(), alice, 10000);
    QCOMPARE(first.status, 200);
    QVERIFY2(first.body.size() < 4 * 1024 * 1024 + 4096, QByteArray::number(first.body.size()));
    const QStringList firstIds = entityIds(json(first));
    QCOMPARE(firstIds, QStringList({u"big-0"_s, u"big-1"_s, u"big-2"_s, u"big-3"_s}));
    const QString next = json(first)[u"lastEventId"_s].toString();
    const HttpResult second =
        poll("/v1/polling/user/events?lastEventId=" + next.toLatin1(), alice, 10000);
    QCOMPARE(entityIds(json(second)), QStringList({u"big-4"_s, u"big-5"_s}));
    QVERIFY(!json(second)[u"historyLost"_s].toBool());
}

void TestPolling::resumeFromLastEventIdAndHistoryLost()
{
    Config config = baseConfig();
    config.polling.eventTtlSeconds = 1;
    startNode(config);
    const QByteArray admin = adminToken();
    QStringList ids;
    for (const QString &entity : {u"a"_s, u"b"_s, u"c"_s})
        ids.append(
            json(publish("publish", {{u"eventType"_s, u"R"_s}, {u"entityId"_s, entity}}))[u"id"_s]
                .toString());
    const QJsonObject after =
        json(poll("/v1/polling/admin/events?lastEventId=" + ids[0].toLatin1(), admin));
    QCOMPARE(entityIds(after), QStringList({u"b"_s, u"c"_s}));
    QCOMPARE(after[u"lastEventId"_s].toString(), ids[2]);
    QVERIFY(!after.contains(u"historyLost"_s));
    const QJsonObject upToDate =
        json(poll("/v1/polling/admin/events?lastEventId=" + ids[2].toLatin1(), admin));
    QCOMPARE(entityIds(upToDate), QStringList());
    QCOMPARE(upToDate[u"lastEventId"_s].toString(), ids[2]);

    // Older than the TTL: the next publish trims a, b and c; a client that had only seen a
    // gets what is kept and learns that it missed some.
    QTest::qWait(1200);
    const QString d =
        json(publish("publish", {{u"eventType"_s, u"R"_s}, {u"entityId"_s, u"d"_s}}))[u"id"_s]
            .toString();
    const QJsonObject lost =
        json(poll("/v1/polling/admin/events?lastEventId=" + ids[0].toLatin1(), admin));
    QCOMPARE(entityIds(lost), QStringList({u"d"_s}));
    QCOMPARE(lost[u"historyLost"_s].toBool(), true);
    QCOMPARE(lost[u"lastEventId"_s].toString(), d);
    // A client that had seen c missed nothing.
    QVERIFY(!json(poll("/v1/polling/admin/events?lastEventId=" + ids[2].toLatin1(), admin))
                 .contains(u"historyLost"_s));
    // Redis memory stays bounded: the trimmed entries are gone.
    QCOMPARE(redisQuery(m_redis->port(), {"XLEN", "polling:admin"}).integer, 1);
}

// At the switch-over, a page still holds the last id the Telemetry Service gave it, a UUID. The
// Go service answered an id it did not know with everything it kept; so does this, with
// historyLost (what the page missed cannot be told), and the page goes on with this node's ids.
void TestPolling::anIdOfTheTelemetryServiceGetsEverythingKept()
{
    startNode(baseConfig());
    const QByteArray alice = userToken(u"alice"_s);
    for (const QString &entity : {u"a"_s, u"b"_s})
        QCOMPARE(publish("publish", {{u"eventType"_s, u"G"_s}, {u"entityId"_s, entity}}).status,
                 200);
    const QByteArray goId = "3f2b8c1e-9d4a-4e6f-8b2A-1c5d7e9f0a3b";
    for (const QByteArray &path :
         {"/v1/polling/events?eventType=G&lastEventId="_ba,
          "/v1/polling/events?eventType=G&longPoll=true&lastEventId="_ba}) {
        const HttpResult answer = poll(path + goId, alice, 3000); // a long poll answers at once
        QVERIFY2(answer.status == 200, answer.body.constData());
        const QJsonObject body = json(answer);
        QCOMPARE(entityIds(body), QStringList({u"a"_s, u"b"_s}));
        QCOMPARE(body[u"historyLost"_s].toBool(), true);
        const QByteArray next = body[u"lastEventId"_s].toString().toLatin1();
        QVERIFY(isValidEventId(next));
        const QJsonObject then =
            json(poll("/v1/polling/events?eventType=G&lastEventId=" + next, alice));
        QCOMPARE(entityIds(then), QStringList());
        QVERIFY(!then.contains(u"historyLost"_s));
    }
    // Only the UUID's shape is taken for one: anything else is still a 400.
    for (const QByteArray &bad :
         {"3f2b8c1e-9d4a-4e6f-8b2a-1c5d7e9f0a3"_ba, "3f2b8c1e-9d4a-4e6f-8b2a_1c5d7e9f0a3b"_ba,
          "3f2b8c1e-9d4a-4e6f-8b2a-1c5d7e9f0a3g"_ba})
        QCOMPARE(poll("/v1/polling/events?eventType=G&lastEventId=" + bad, alice).status, 400);
}

// historyLost tells a client that events it had not seen were dropped. One that keeps polling
// a quiet feed saw everything there was, however long the feed stays quiet: a feed that never
// had an event, and one whose only event was seen and whose stream expired idle.
void TestPolling::aClientPollingAQuietFeedLosesNoHistory()
{
    Config config = baseConfig();
    config.polling.eventTtlSeconds = 1;
    startNode(config);
    const QByteArray alice = userToken(u"alice"_s);
    const QByteArray away =
        json(poll("/v1/polling/events?eventType=Q", alice))[u"lastEventId"_s].toString().toLatin1();
    QCOMPARE(publish("publish", {{u"eventType"_s, u"Q"_s}, {u"entityId"_s, u"seen"_s}}).status,
             200);
    const QJsonObject first = json(poll("/v1/polling/events?eventType=Q", alice));
    QCOMPARE(entityIds(first), QStringList({u"seen"_s}));
    QByteArray typeLast = first[u"lastEventId"_s].toString().toLatin1();
    QByteArray userLast =
        json(poll("/v1/polling/user/events", alice))[u"lastEventId"_s].toString().toLatin1();

    // Polls every 100 ms for three TTLs: past the TTL and past the stream's expiry (2 TTLs).
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 3000) {
        for (const auto &[path, last] :
             {std::pair {"/v1/polling/events?eventType=Q&"_ba, &typeLast},
              std::pair {"/v1/polling/user/events?"_ba, &userLast}}) {
            const QJsonObject answer = json(poll(path + "lastEventId=" + *last, alice));
            QVERIFY2(!answer.contains(u"historyLost"_s),
                     qPrintable(u"%1 after %2 ms: %3"_s.arg(QString::fromLatin1(path))
                                    .arg(clock.elapsed())
                                    .arg(QString::fromUtf8(
                                        QJsonDocument(answer).toJson(QJsonDocument::Compact)))));
            QCOMPARE(entityIds(answer), QStringList());
            *last = answer[u"lastEventId"_s].toString().toLatin1();
        }
        QTest::qWait(100);
    }
    QCOMPARE(redisQuery(m_redis->port(), {"EXISTS", "polling:type:Q"}).integer, 0);
    // A client away since before "seen" did miss it: it expired with the stream.
    QCOMPARE(
        json(poll("/v1/polling/events?eventType=Q&lastEventId=" + away, alice))[u"historyLost"_s]
            .toBool(),
        true);
    // Where they resume from misses nothing published now.
    QCOMPARE(
        publish("publish",
                {{u"eventType"_s, u"Q"_s}, {u"entityId"_s, u"next"_s}, {u"userId"_s, u"alice"_s}})
            .status,
        200);
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=Q&lastEventId=" + typeLast, alice))),
             QStringList({u"next"_s}));
    QCOMPARE(entityIds(json(poll("/v1/polling/user/events?lastEventId=" + userLast, alice))),
             QStringList({u"next"_s}));
}

// A feed whose events all expired keeps its stream for a TTL more. An empty answer then gave the
// newest expired id as where to resume, to a first poll and to one just told historyLost: once
// the stream expired idle, that id read as a client away since before the event, and a client
// that had missed nothing (or had been told already) was told historyLost. Such a client
// resumes from just below now, as on a feed that never had an event.
void TestPolling::aFeedWhoseEventsExpiredIsResumedFromNow()
{
    Config config = baseConfig();
    config.polling.eventTtlSeconds = 1;
    startNode(config);
    const QByteArray alice = userToken(u"alice"_s);
    const QByteArray away =
        json(poll("/v1/polling/events?eventType=E", alice))[u"lastEventId"_s].toString().toLatin1();
    QCOMPARE(publish("publish", {{u"eventType"_s, u"E"_s}, {u"entityId"_s, u"expired"_s}}).status,
             200);
    QTest::qWait(1200); // the event expired, its stream not yet
    const QJsonObject first = json(poll("/v1/polling/events?eventType=E", alice));
    QCOMPARE(entityIds(first), QStringList());
    QVERIFY(!first.contains(u"historyLost"_s));
    const QJsonObject lost =
        json(poll("/v1/polling/events?eventType=E&lastEventId=" + away, alice));
    QCOMPARE(entityIds(lost), QStringList());
    QCOMPARE(lost[u"historyLost"_s].toBool(), true);

    QTRY_COMPARE_WITH_TIMEOUT(redisQuery(m_redis->port(), {"EXISTS", "polling:type:E"}).integer, 0,
                              5000);
    QTest::qWait(50);
    for (const QJsonObject &answer : {first, lost}) {
        const QByteArray last = answer[u"lastEventId"_s].toString().toLatin1();
        const QJsonObject next =
            json(poll("/v1/polling/events?eventType=E&lastEventId=" + last, alice));
        QVERIFY2(!next.contains(u"historyLost"_s),
                 qPrintable(u"from %1: %2"_s.arg(
                     QString::fromLatin1(last),
                     QString::fromUtf8(QJsonDocument(next).toJson(QJsonDocument::Compact)))));
        QCOMPARE(entityIds(next), QStringList());
    }
    // Where they resume from misses nothing published now.
    QCOMPARE(publish("publish", {{u"eventType"_s, u"E"_s}, {u"entityId"_s, u"next"_s}}).status,
             200);
    for (const QJsonObject &answer : {first, lost})
        QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=E&lastEventId="
                                         + answer[u"lastEventId"_s].toString().toLatin1(),
                                     alice))),
                 QStringList({u"next"_s}));
}

// A lastEventId ahead of every id Redis handed out (a page's stored id of another deployment, a
// typo, or one handed out before Redis' clock stepped back) was read from as it was: nothing
// comes after it, so the answer was empty and gave the same id back, and the client saw none of
// the events published after, without being told. It is answered as an id the node does not
// know: with what is kept, and historyLost.
void TestPolling::aLastEventIdFromTheFutureIsAnsweredLikeAnUnknownOne()
{
    startNode(baseConfig());
    const QByteArray alice = userToken(u"alice"_s);
    QCOMPARE(
        publish("publish",
                {{u"eventType"_s, u"F"_s}, {u"entityId"_s, u"kept"_s}, {u"userId"_s, u"alice"_s}})
            .status,
        200);
    const QByteArray future =
        QByteArray::number(QDateTime::currentMSecsSinceEpoch() + 3600 * 1000) + "-0";
    // The three feeds hold the same events: alice's, of type F.
    QStringList kept {u"kept"_s};
    for (const QByteArray &path : {"/v1/polling/user/events?lastEventId="_ba,
                                   "/v1/polling/events?eventType=F&longPoll=true&lastEventId="_ba,
                                   "/v1/polling/admin/events?lastEventId="_ba}) {
        const QByteArray bearer = path.contains("admin") ? adminToken() : alice;
        const HttpResult answer = poll(path + future, bearer, 3000); // a long poll answers at once
        QVERIFY2(answer.status == 200, answer.body.constData());
        const QJsonObject body = json(answer);
        QCOMPARE(entityIds(body), kept);
        QCOMPARE(body[u"historyLost"_s].toBool(), true);
        const QByteArray next = body[u"lastEventId"_s].toString().toLatin1();
        QVERIFY2(next != future, next.constData());
        // From there on, what is published next is seen.
        const QString entity = u"next-%1"_s.arg(kept.size());
        QCOMPARE(
            publish("publish",
                    {{u"eventType"_s, u"F"_s}, {u"entityId"_s, entity}, {u"userId"_s, u"alice"_s}})
                .status,
            200);
        const QJsonObject then = json(poll(path + next, bearer, 3000));
        QCOMPARE(entityIds(then), QStringList({entity}));
        QVERIFY(!then.contains(u"historyLost"_s));
        kept.append(entity);
    }
    // A stream with nothing kept: historyLost, and a lastEventId that sees the next event.
    const HttpResult empty = poll("/v1/polling/events?eventType=E&lastEventId=" + future, alice);
    QCOMPARE(json(empty)[u"historyLost"_s].toBool(), true);
    const QByteArray resume = json(empty)[u"lastEventId"_s].toString().toLatin1();
    QVERIFY2(resume != future, resume.constData());
    QCOMPARE(publish("publish", {{u"eventType"_s, u"E"_s}, {u"entityId"_s, u"e"_s}}).status, 200);
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=E&lastEventId=" + resume, alice))),
             QStringList({u"e"_s}));
}

// An answer holds at most 4 MiB of events, but the read behind it took a whole page from Redis:
// 500 events of up to 1 MiB (the body limit), half a gigabyte built by the script inside Redis,
// sent, and held by the node for one answer of four, and again for the next answer. What a
// read takes from Redis is bounded like the answer.
void TestPolling::aPollReadsAtMostAnAnswerOfLargeEventsFromRedis()
{
    startNode(baseConfig());
    const QByteArray alice = userToken(u"alice"_s);
    const QByteArray start =
        json(poll("/v1/polling/user/events", alice))[u"lastEventId"_s].toString().toLatin1();
    constexpr int count = 24;
    publishBigEvents(u"BIG"_s, u"alice"_s, count);
    if (QTest::currentTestFailed())
        return;
    const auto sentByRedis = [this] {
        const QByteArray info = redisQuery(m_redis->port(), {"INFO", "stats"}).string;
        const qsizetype at = info.indexOf("total_net_output_bytes:");
        return info.mid(at + 23, info.indexOf('\r', at) - at - 23).toLongLong();
    };
    QStringList seen;
    QByteArray last = start;
    qint64 mostSent = 0;
    for (int answers = 0; answers < count && seen.size() < count; ++answers) {
        const qint64 before = sentByRedis();
        const HttpResult answer = poll("/v1/polling/user/events?lastEventId=" + last, alice, 10000);
        QCOMPARE(answer.status, 200);
        mostSent = std::max(mostSent, sentByRedis() - before);
        seen += entityIds(json(answer));
        last = json(answer)[u"lastEventId"_s].toString().toLatin1();
    }
    QCOMPARE(seen.size(), count);
    QCOMPARE(seen.first(), u"big-0"_s);
    QCOMPARE(seen.last(), u"big-%1"_s.arg(count - 1));
    // One answer of 4 MiB and the entry that did not fit; the whole feed is 21 MiB.
    QVERIFY2(mostSent < 6 * 1024 * 1024, QByteArray::number(mostSent).constData());
    // A first poll reads the newest the same way.
    const qint64 before = sentByRedis();
    QCOMPARE(entityIds(json(poll("/v1/polling/user/events", alice, 10000))).last(),
             u"big-%1"_s.arg(count - 1));
    QVERIFY2(sentByRedis() - before < 6 * 1024 * 1024,
             QByteArray::number(sentByRedis() - before).constData());

    // A long poll of the type feed, where all that comes before alice's own event is bob's
    // (not hers to see), reads on past every page of his and is answered with hers.
    const QByteArray typeStart =
        json(poll("/v1/polling/events?eventType=HUGE", alice))[u"lastEventId"_s]
            .toString()
            .toLatin1();
    publishBigEvents(u"HUGE"_s, u"bob"_s, 10);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(
        publish(
            "publish",
            {{u"eventType"_s, u"HUGE"_s}, {u"entityId"_s, u"hers"_s}, {u"userId"_s, u"alice"_s}})
            .status,
        200);
    const HttpResult hers = poll(
        "/v1/polling/events?eventType=HUGE&longPoll=true&lastEventId=" + typeStart, alice, 10000);
    QCOMPARE(entityIds(json(hers)), QStringList({u"hers"_s}));
}

void TestPolling::heldPollWakesOnPublish()
{
    startNode(baseConfig());
    const QByteArray alice = userToken(u"alice"_s);
    const QString start = json(poll("/v1/polling/user/events", alice))[u"lastEventId"_s].toString();
    QNetworkReply *reply = longPoll(
        m_port, "/v1/polling/user/events?longPoll=true&lastEventId=" + start.toLatin1(), alice);
    QTRY_COMPARE_WITH_TIMEOUT(pollingStatus()[u"held_polls"_s].toInt(), 1, 5000);
    // Someone else's event does not answer it.
    QCOMPARE(publish("publish", {{u"eventType"_s, u"T"_s}, {u"userId"_s, u"bob"_s}}).status, 200);
    QTest::qWait(300);
    QVERIFY(!reply->isFinished());

    QElapsedTimer clock;
    clock.start();
    QCOMPARE(
        publish("order-status-change",
                {{u"orderId"_s, u"o1"_s}, {u"userId"_s, u"alice"_s}, {u"newStatus"_s, u"PACKED"_s}})
            .status,
        200);
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
    qInfo() << "held poll answered" << clock.elapsed() << "ms after the publish returned";
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(entityIds(QJsonDocument::fromJson(reply->readAll()).object()), QStringList({u"o1"_s}));
    reply->deleteLater();
    QTRY_COMPARE_WITH_TIMEOUT(pollingStatus()[u"held_polls"_s].toInt(), 0, 2000);
    QCOMPARE(pollingStatus()[u"wakes"_s].toInt(), 1);
}

void TestPolling::idleLongPollAnswersTheEmptyShapeAtTheTimeout()
{
    Config config = baseConfig();
    config.polling.longPollTimeout = Milliseconds(1000);
    startNode(config);
    const QByteArray alice = userToken(u"alice"_s);
    QElapsedTimer clock;
    clock.start();
    const HttpResult answer = poll("/v1/polling/events?eventType=T&longPoll=true", alice, 10000);
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(answer.status, 200);
    QVERIFY2(elapsed >= 950 && elapsed < 8000, QByteArray::number(elapsed).constData());
    QCOMPARE(json(answer)[u"events"_s].toArray().size(), 0);
    QVERIFY(!json(answer)[u"lastEventId"_s].toString().isEmpty());
}

void TestPolling::clientGoneWhileHeldIsForgotten()
{
    startNode(baseConfig());
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected(3000));
    socket.write("GET /v1/polling/user/events?longPoll=true HTTP/1.1\r\nHost: x\r\n"
                 "Authorization: Bearer "
                 + userToken(u"alice"_s) + "\r\n\r\n");
    QVERIFY(socket.waitForBytesWritten(3000));
    QTRY_COMPARE_WITH_TIMEOUT(pollingStatus()[u"held_polls"_s].toInt(), 1, 5000);
    socket.abort();
    QTRY_COMPARE_WITH_TIMEOUT(pollingStatus()[u"held_polls"_s].toInt(), 0, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(pollingStatus()[u"clients_gone"_s].toInt(), 1, 2000);
    // A publish for the gone client touches nothing of it.
    QCOMPARE(publish("publish", {{u"eventType"_s, u"T"_s}, {u"userId"_s, u"alice"_s}}).status, 200);
    QCOMPARE(poll("/v1/polling/user/events", userToken(u"alice"_s)).status, 200);
}

void TestPolling::internalRoutesWithAToken()
{
    Config config = baseConfig();
    config.polling.internalApiToken = "internal-s3cret";
    startNode(config);
    const QJsonObject body {{u"eventType"_s, u"T"_s}};
    QCOMPARE(publish("publish", body).status, 401); // loopback too, once a token is set
    QCOMPARE(publish("publish", body, "Authorization: Bearer wrong\r\n").status, 403);
    QCOMPARE(publish("publish", body, "Authorization: Bearer internal-s3cret\r\n").status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(pollingStatus()[u"auth_failures"_s][u"internal_missing"_s].toInt(), 1,
                              2000);
}

// Without INTERNAL_API_TOKEN the internal routes answer loopback callers only, so that the
// public cannot publish events into users' feeds. Behind a reverse proxy on the same host (the
// seed's own advice for TLS), every request of the public comes from loopback: anyone could
// publish "your order was shipped" to any user. A request a proxy forwarded says so in its
// headers; it needs the token.
void TestPolling::withoutATokenInternalRoutesRefuseWhatAProxyForwards()
{
    startNode(baseConfig());
    const QJsonObject body {{u"eventType"_s, u"T"_s}, {u"userId"_s, u"alice"_s}};
    for (const QByteArray &forwarded :
         {"X-Forwarded-For: 203.0.113.7\r\n"_ba, "Forwarded: for=203.0.113.7;proto=https\r\n"_ba,
          "X-Real-IP: 203.0.113.7\r\n"_ba}) {
        const HttpResult refused = publish("publish", body, forwarded);
        QVERIFY2(refused.status == 403, forwarded.trimmed().constData());
        QVERIFY2(json(refused)[u"detail"_s].toString().contains(u"INTERNAL_API_TOKEN"_s),
                 refused.body.constData());
    }
    QCOMPARE(
        json(poll("/v1/polling/user/events", userToken(u"alice"_s)))[u"events"_s].toArray().size(),
        0);
    // The Spring service on the same host, calling directly, is answered as before.
    QCOMPARE(publish("publish", body).status, 200);
}

void TestPolling::redisDownIs503AndComesBack()
{
    startNode(baseConfig());
    const quint16 redisPort = m_redis->port();
    m_redis->kill();
    QTRY_VERIFY_WITH_TIMEOUT(pollingStatus()[u"status"_s].toString() == u"unhealthy", 5000);
    QVERIFY(pollingStatus()[u"reason"_s].toString().contains(QString::number(redisPort)));
    QCOMPARE(poll("/v1/polling/user/events", userToken(u"alice"_s)).status, 503);
    QCOMPARE(publish("publish", {{u"eventType"_s, u"T"_s}}).status, 503);
    QCOMPARE(httpGet(m_port, "/health").status, 503);
    QVERIFY(m_redis->start(redisPort));
    QTRY_VERIFY_WITH_TIMEOUT(pollingStatus()[u"status"_s].toString() == u"healthy", 10000);
    QCOMPARE(publish("publish", {{u"eventType"_s, u"T"_s}}).status, 200);
}

// Redis is up but refuses every write: at its maxmemory (OOM), or READONLY once a failover
// left the node on a replica. Each publish got a 503 the Spring service only logs on its side,
// while polls were served as ever, /health said healthy and the node logged nothing: nobody on
// call could tell from it that every event of the shop was being lost. After three refusals in
// a row /health says so (as it does for ingress' JetStream) and the log says it once, until a
// publish is stored again.
void TestPolling::publishesRedisRefusesAreSaidOnHealthAndInTheLog()
{
    startNode(baseConfig());
    const LogLines log("switchboard.polling");
    redisQuery(m_redis->port(), {"CONFIG", "SET", "maxmemory-policy", "noeviction"});
    QCOMPARE(redisQuery(m_redis->port(), {"CONFIG", "SET", "maxmemory", "1"}).string, "OK"_ba);
    for (int i = 0; i < 3; ++i) {
        const HttpResult refused = publish("publish", {{u"eventType"_s, u"T"_s}});
        QCOMPARE(refused.status, 503);
        QVERIFY2(refused.body.contains("OOM"), refused.body.constData());
    }
    // Polls go on: the read script writes nothing.
    QCOMPARE(poll("/v1/polling/user/events", userToken(u"alice"_s)).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(m_port, "/health").status, 503, 5000);
    const QString reason = pollingStatus()[u"reason"_s].toString();
    QVERIFY2(reason.contains(u"refused the last 3 publishes"_s) && reason.contains(u"OOM"_s),
             qPrintable(reason));
    QTRY_COMPARE_WITH_TIMEOUT(log.lines(QtWarningMsg).size(), 1, 2000);
    QVERIFY2(log.lines(QtWarningMsg).first().contains(u"OOM"_s),
             qPrintable(log.lines(QtWarningMsg).first()));

    redisQuery(m_redis->port(), {"CONFIG", "SET", "maxmemory", "0"});
    QCOMPARE(publish("publish", {{u"eventType"_s, u"T"_s}}).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(httpGet(m_port, "/health").status, 200, 5000);
    QCOMPARE(pollingStatus()[u"reason"_s].toString(), QString());
    QCOMPARE(log.lines(QtWarningMsg).size(), 1); // once per streak of refusals
}

void TestPolling::holdAlicesPollsIntoARedisStall(QList<QNetworkReply *> *replies)
{
    holdAlicesPolls(3, replies);
    if (QTest::currentTestFailed())
        return;
    const QList<Resp> stall =
        redisPipeline(m_redis->port(),
                      {{"MULTI"},
                       {"PUBLISH", "polling:wake", "1-0\n0\npolling:user:alice"},
                       {"CLIENT", "PAUSE", "6500", "ALL"},
                       {"EXEC"}});
    QCOMPARE(stall.size(), 4);
    QCOMPARE(stall[3].elements.value(0).integer, 1); // the wake reached the node
}

// Long polls held while Redis restarts stay held (their clients are waiting, not failing),
// and the first publish after the restart wakes them all.
void TestPolling::holdAlicesPolls(int count, QList<QNetworkReply *> *replies)
{
    const QByteArray alice = userToken(u"alice"_s);
    const QString start = json(poll("/v1/polling/user/events", alice))[u"lastEventId"_s].toString();
    for (int i = 0; i < count; ++i)
        *replies << longPoll(
            m_port, "/v1/polling/user/events?longPoll=true&lastEventId=" + start.toLatin1(), alice);
    QTRY_COMPARE_WITH_TIMEOUT(pollingStatus()[u"held_polls"_s].toInt(), count, 5000);
}

void TestPolling::expectEachGets(const QList<QNetworkReply *> &replies, const QString &entityId)
{
    for (QNetworkReply *reply : replies) {
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(entityIds(QJsonDocument::fromJson(reply->readAll()).object()),
                 QStringList({entityId}));
        reply->deleteLater();
    }
}

void TestPolling::heldPollsOutliveARedisRestart()
{
    startNode(baseConfig());
    QList<QNetworkReply *> replies;
    holdAlicesPolls(5, &replies);
    if (QTest::currentTestFailed())
        return;

    const quint16 redisPort = m_redis->port();
    m_redis->kill();
    QTRY_VERIFY_WITH_TIMEOUT(pollingStatus()[u"status"_s].toString() == u"unhealthy", 5000);
    QVERIFY(m_redis->start(redisPort));
    QTRY_VERIFY_WITH_TIMEOUT(pollingStatus()[u"status"_s].toString() == u"healthy", 10000);
    QTest::qWait(300); // the catch-up reads after the resubscription
    for (QNetworkReply *reply : std::as_const(replies))
        QVERIFY2(!reply->isFinished(), reply->readAll().constData());

    QCOMPARE(
        publish("order-status-change",
                {{u"orderId"_s, u"o1"_s}, {u"userId"_s, u"alice"_s}, {u"newStatus"_s, u"PACKED"_s}})
            .status,
        200);
    expectEachGets(replies, u"o1"_s);
}

// After a Redis restart the wake subscription may be back before the connection that reads:
// a publish by another node in that gap woke the held polls into a read on a connection that
// was down, and each answered 503. Here the read connection is cut and kept out (its ACL user
// turned off) while another node's wake arrives.
void TestPolling::aWakeWhileTheReadConnectionIsDownHoldsThePolls()
{
    startNode(baseConfig());
    QList<QNetworkReply *> replies;
    holdAlicesPolls(3, &replies);
    if (QTest::currentTestFailed())
        return;

    // Cut the node's one ordinary connection (the wake subscription is a pub/sub one), keep it
    // from coming back (its user, default, is turned off; connections made stay), and wake the
    // polls as a publish on another node would.
    QVERIFY(
        !redisQuery(m_redis->port(), {"ACL", "SETUSER", "tester", "on", ">pw", "~*", "&*", "+@all"})
             .isError());
    const QList<Resp> cut = redisPipeline(
        m_redis->port(),
        {{"MULTI"},
         {"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"},
         {"ACL", "SETUSER", "default", "off"},
         // What another node's publish writes: the event, then the wake.
         {"XADD", "polling:user:alice", "*", "u", "alice", "x", "0", "e",
          R"({"eventType":"T","action":null,"entityId":"o2","entityType":null,)"
          R"("userId":"alice","metadata":{},"timestamp":"2026-11-24T00:00:00.000Z"})"},
         {"PUBLISH", "polling:wake", "1-0\n0\npolling:user:alice"},
         {"EXEC"}});
    QCOMPARE(cut.size(), 6);
    QCOMPARE(cut[5].elements.size(), 4);
    QCOMPARE(cut[5].elements[0].integer, 1); // the read connection
    QCOMPARE(cut[5].elements[3].integer, 1); // the wake reached the node
    QTest::qWait(1500);
    for (QNetworkReply *reply : std::as_const(replies))
        QVERIFY2(!reply->isFinished(), reply->readAll().constData());

    const QList<Resp> back = redisPipeline(
        m_redis->port(), {{"AUTH", "tester", "pw"}, {"ACL", "SETUSER", "default", "on"}});
    QVERIFY(back.size() == 2 && !back[1].isError());
    // Once the read connection is back, the held polls read what came meanwhile: no publish
    // wakes them now.
    expectEachGets(replies, u"o2"_s);
}

// Redis stalls (paused, a slow disk) longer than the command timeout while woken polls read:
// the connection is closed under their reads, and they answered 503 where the README says
// held polls outlive Redis going away.
void TestPolling::aReadCutShortByARedisStallHoldsThePolls()
{
    startNode(baseConfig());
    QList<QNetworkReply *> replies;
    holdAlicesPollsIntoARedisStall(&replies);
    if (QTest::currentTestFailed())
        return;
    QTest::qWait(8000);
    for (QNetworkReply *reply : std::as_const(replies))
        QVERIFY2(!reply->isFinished(), reply->readAll().constData());

    QTRY_VERIFY_WITH_TIMEOUT(pollingStatus()[u"status"_s].toString() == u"healthy", 10000);
    QCOMPARE(
        publish("order-status-change",
                {{u"orderId"_s, u"o3"_s}, {u"userId"_s, u"alice"_s}, {u"newStatus"_s, u"PAID"_s}})
            .status,
        200);
    expectEachGets(replies, u"o3"_s);
}

// The same stall, but the polls' LONG_POLL_TIMEOUT_MS runs out while their reads wait on it:
// the reads were cut short at the command timeout, after the deadline, and the polls answered
// 503, where a poll held at that moment got the empty shape at its deadline. They get the empty
// shape too, and their client polls again.
void TestPolling::aLongPollWhoseTimeRunsOutInARedisStallGetsTheEmptyShape()
{
    Config config = baseConfig();
    config.polling.longPollTimeout = Milliseconds(3000);
    startNode(config);
    QList<QNetworkReply *> replies;
    holdAlicesPollsIntoARedisStall(&replies);
    if (QTest::currentTestFailed())
        return;
    for (QNetworkReply *reply : std::as_const(replies)) {
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 15000);
        const QByteArray body = reply->readAll();
        QVERIFY2(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200,
                 body.constData());
        QCOMPARE(entityIds(QJsonDocument::fromJson(body).object()), QStringList());
        QVERIFY(!QJsonDocument::fromJson(body)[u"lastEventId"_s].toString().isEmpty());
        reply->deleteLater();
    }
}

void TestPolling::publishOnOneNodeWakesAPollHeldOnAnother()
{
    startNode(baseConfig());
    const quint16 otherPort = freeLoopbackPort();
    SwitchboardProcess other;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"JWT_SECRET"_s, QString::fromLatin1(secret));
    env.insert(u"REDIS_URL"_s, m_redis->url());
    env.insert(u"XDG_DATA_HOME"_s, m_dataDir.path());
    other.setEnvironment(env);
    QVERIFY(other.start(
        {u"--headless"_s, u"--engines"_s, u"polling"_s, u"--port"_s, QString::number(otherPort)}));
    QVERIFY2(other.waitForHealthy(otherPort, 20000), other.output().constData());

    const QByteArray alice = userToken(u"alice"_s);
    QNetworkReply *reply = longPoll(otherPort, "/v1/polling/user/events?longPoll=true", alice);
    QTRY_VERIFY_WITH_TIMEOUT(
        json(httpGet(otherPort, "/api/v1/status"))[u"engines"_s][u"polling"_s][u"held_polls"_s]
                .toInt()
            == 1,
        5000);
    QCOMPARE(
        publish("publish",
                {{u"eventType"_s, u"T"_s}, {u"entityId"_s, u"cross"_s}, {u"userId"_s, u"alice"_s}})
            .status,
        200);
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
    QCOMPARE(entityIds(QJsonDocument::fromJson(reply->readAll()).object()),
             QStringList({u"cross"_s}));
    reply->deleteLater();
    other.terminate();
    QVERIFY(other.waitForFinished(10000));
}

void TestPolling::sigtermAnswersHeldPollsAndExits0()
{
    const quint16 port = freeLoopbackPort();
    SwitchboardProcess node;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"JWT_SECRET"_s, QString::fromLatin1(secret));
    env.insert(u"REDIS_URL"_s, m_redis->url());
    env.insert(u"LONG_POLL_TIMEOUT_MS"_s, u"60000"_s);
    env.insert(u"XDG_DATA_HOME"_s, m_dataDir.path());
    node.setEnvironment(env);
    QVERIFY(node.start(
        {u"--headless"_s, u"--engines"_s, u"polling"_s, u"--port"_s, QString::number(port)}));
    QVERIFY2(node.waitForHealthy(port, 20000), node.output().constData());
    QList<QNetworkReply *> replies;
    // QNetworkAccessManager opens 6 connections per host at most.
    for (int i = 0; i < 6; ++i)
        replies.append(longPoll(port, "/v1/polling/user/events?longPoll=true",
                                userToken(u"user-%1"_s.arg(i))));
    QTRY_VERIFY_WITH_TIMEOUT(
        json(httpGet(port, "/api/v1/status"))[u"engines"_s][u"polling"_s][u"held_polls"_s].toInt()
            == 6,
        5000);
    QElapsedTimer clock;
    clock.start();
    node.terminate();
    QVERIFY(node.waitForFinished(10000));
    QCOMPARE(node.exitCode(), 0);
    QVERIFY(clock.elapsed() < 10000);
    for (QNetworkReply *reply : replies) {
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(QJsonDocument::fromJson(reply->readAll())[u"events"_s].toArray().size(), 0);
        reply->deleteLater();
    }
}

void TestPolling::simulateFeedsDemoOrderEvents()
{
    Config config = baseConfig();
    config.simulate.enabled = true;
    config.simulate.eventsPerSecond = 100; // 10 a second for polling
    startNode(config);
    QTRY_VERIFY_WITH_TIMEOUT(
        json(poll("/v1/polling/admin/events", adminToken()))[u"events"_s].toArray().size() >= 5,
        5000);
    const QJsonObject first = json(poll("/v1/polling/admin/events", adminToken()))[u"events"_s]
                                  .toArray()
                                  .first()
                                  .toObject();
    QCOMPARE(first[u"eventType"_s].toString(), u"CUSTOMER_ORDER_STATUS"_s);
    QVERIFY(first[u"userId"_s].toString().startsWith(u"demo-user-"_s));
    // A demo user sees their own orders.
    QVERIFY(!json(poll("/v1/polling/user/events", userToken(u"demo-user-1"_s)))[u"events"_s]
                 .toArray()
                 .isEmpty());
    // The demo's publishes show in /metrics, as a route of their own.
    QTRY_VERIFY_WITH_TIMEOUT(
        httpGet(m_port, "/metrics")
            .body.contains(
                "switchboard_polling_publishes_total{route=\"simulated\",status=\"200\"}"),
        2000);
}

// The Telemetry Service answered pages of other origins ("Configure CORS origins for your
// frontend"; its CORS_ALLOWED_ORIGINS is "*" unless set): a single-page app polls with fetch()
// and an Authorization header, so its browser first asks with OPTIONS, and lets the page read
// an answer, the 401 that sends its user to the login page included, only when it names the
// page's origin.
void TestPolling::browsersOnAnotherOriginMayPoll()
{
    startNode(baseConfig());
    const QByteArray origin = "http://shop.example:3000";
    const QByteArray alice = "Bearer " + userToken(u"alice"_s);
    // The status once answered (bounded), -1 without an answer. The replies stay with
    // m_network until the test ends: qWaitFor() runs deferred deletes.
    const auto finished = [](QNetworkReply *reply) {
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
            return -1;
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    };

    QNetworkReply *preflight =
        fromBrowser("OPTIONS", "/v1/polling/user/events?longPoll=true",
                    {{"Origin", origin},
                     {"Access-Control-Request-Method", "GET"},
                     {"Access-Control-Request-Headers", "authorization,content-type"}});
    const int preflightStatus = finished(preflight);
    QVERIFY2(preflightStatus >= 200 && preflightStatus < 300,
             QByteArray::number(preflightStatus).constData());
    QCOMPARE(preflight->rawHeader("Access-Control-Allow-Origin"), "*"_ba);
    QVERIFY(preflight->rawHeader("Access-Control-Allow-Methods").contains("GET"));
    QVERIFY(
        preflight->rawHeader("Access-Control-Allow-Headers").toLower().contains("authorization"));

    QNetworkReply *answer = fromBrowser("GET", "/v1/polling/user/events",
                                        {{"Origin", origin}, {"Authorization", alice}});
    QCOMPARE(finished(answer), 200);
    QCOMPARE(answer->rawHeader("Access-Control-Allow-Origin"), "*"_ba);
    // Any origin, but no credentials: a cookie is not lent to every site.
    QVERIFY(!answer->hasRawHeader("Access-Control-Allow-Credentials"));
    QNetworkReply *refused = fromBrowser("GET", "/v1/polling/user/events", {{"Origin", origin}});
    QCOMPARE(finished(refused), 401);
    QCOMPARE(refused->rawHeader("Access-Control-Allow-Origin"), "*"_ba);
    QNetworkReply *bad = fromBrowser("GET", "/v1/polling/events?eventType=T&lastEventId=abc",
                                     {{"Origin", origin}, {"Authorization", alice}});
    QCOMPARE(finished(bad), 400);
    QCOMPARE(bad->rawHeader("Access-Control-Allow-Origin"), "*"_ba);

    // A held long poll, answered when its event comes.
    const QByteArray start =
        json(poll("/v1/polling/user/events", userToken(u"alice"_s)))[u"lastEventId"_s]
            .toString()
            .toLatin1();
    QNetworkReply *held =
        fromBrowser("GET", "/v1/polling/user/events?longPoll=true&lastEventId=" + start,
                    {{"Origin", origin}, {"Authorization", alice}});
    QTRY_COMPARE_WITH_TIMEOUT(pollingStatus()[u"held_polls"_s].toInt(), 1, 5000);
    QCOMPARE(publish("publish", {{u"eventType"_s, u"T"_s}, {u"userId"_s, u"alice"_s}}).status, 200);
    QCOMPARE(finished(held), 200);
    QCOMPARE(held->rawHeader("Access-Control-Allow-Origin"), "*"_ba);

    // Not a browser: nothing new in the answer.
    QNetworkReply *plain =
        fromBrowser("GET", "/v1/polling/user/events", {{"Authorization", alice}});
    QCOMPARE(finished(plain), 200);
    QVERIFY(!plain->hasRawHeader("Access-Control-Allow-Origin"));
}

void TestPolling::onlyTheConfiguredOriginsMayReadPolls()
{
    Config config = baseConfig();
    config.polling.corsAllowedOrigins = {u"https://shop.example"_s};
    startNode(config);
    const QByteArray alice = "Bearer " + userToken(u"alice"_s);
    for (const QByteArray &origin : {"https://shop.example"_ba, "https://evil.example"_ba}) {
        QNetworkReply *preflight =
            fromBrowser("OPTIONS", "/v1/polling/admin/events",
                        {{"Origin", origin},
                         {"Access-Control-Request-Method", "GET"},
                         {"Access-Control-Request-Headers", "authorization"}});
        QNetworkReply *answer = fromBrowser("GET", "/v1/polling/user/events",
                                            {{"Origin", origin}, {"Authorization", alice}});
        QTRY_VERIFY_WITH_TIMEOUT(preflight->isFinished() && answer->isFinished(), 10000);
        QCOMPARE(answer->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QByteArray expected = origin == "https://shop.example" ? origin : QByteArray();
        QCOMPARE(preflight->rawHeader("Access-Control-Allow-Origin"), expected);
        QCOMPARE(answer->rawHeader("Access-Control-Allow-Origin"), expected);
        QCOMPARE(answer->rawHeader("Access-Control-Allow-Credentials"),
                 expected.isEmpty() ? QByteArray() : "true"_ba);
        preflight->deleteLater();
        answer->deleteLater();
    }
}

// `longPoll={bool}`: the Go service bound it to a Go bool, which takes 1, t, T, TRUE, true, True
// and their false counterparts (strconv.ParseBool).
void TestPolling::longPollTakesGoBooleans()
{
    Config config = baseConfig();
    // Held polls answer after 1.5 s; a short poll is answered long before that, even on a
    // loaded machine.
    config.polling.longPollTimeout = Milliseconds(1500);
    startNode(config);
    const QByteArray alice = userToken(u"alice"_s);
    for (const QByteArray &value : {"t"_ba, "T"_ba, "TRUE"_ba, "True"_ba, "1"_ba}) {
        QElapsedTimer clock;
        clock.start();
        const HttpResult answer = poll("/v1/polling/user/events?longPoll=" + value, alice, 10000);
        QVERIFY2(answer.status == 200, value.constData());
        QVERIFY2(clock.elapsed() >= 1450, value.constData()); // held until the timeout
    }
    for (const QByteArray &value : {"f"_ba, "F"_ba, "FALSE"_ba, "False"_ba, "0"_ba, ""_ba}) {
        QElapsedTimer clock;
        clock.start();
        const HttpResult answer = poll("/v1/polling/user/events?longPoll=" + value, alice, 10000);
        QVERIFY2(answer.status == 200, value.constData());
        QVERIFY2(clock.elapsed() < 1450, value.constData()); // not held
    }
    QCOMPARE(poll("/v1/polling/user/events?longPoll=yes", alice).status, 400);
}

// The Telemetry Service bound every publish body with gin's ShouldBindJSON into a tagged struct,
// and Go's encoding/json underneath matches a key to a field's name exactly, else
// case-insensitively: a Spring service that sent "UserId" or "ORDERID" had its events stored.
// Keys inside metadata and details are the event's data, kept as sent.
void TestPolling::keysInAnotherCaseAreReadAsTheTelemetryServiceReadThem()
{
    startNode(baseConfig());
    const auto publishRaw = [this](const QByteArray &route, const QByteArray &body) {
        return httpRequest(m_port, "POST", "/v1/internal/events/" + route, body, 5000);
    };
    QCOMPARE(publishRaw("publish",
                        R"({"EventType":"T","ACTION":"REFRESH","entityid":"cased","EntityType":)"
                        R"("ORDER","UserId":"alice","Metadata":{"Key":"kept"}})")
                 .status,
             200);
    // Go folds two non-ASCII letters onto ASCII ones: LONG S (U+017F) is an s.
    QCOMPARE(publishRaw("order-status-change",
                        "{\"OrderId\":\"o-1\",\"u\xc5\xbf"
                        "erId\":\"bob\",\"NEWSTATUS\":\"SHIPPED\"}")
                 .status,
             200);
    QCOMPARE(
        publishRaw("new-order", R"({"ORDERID":"o-2","CustomerName":"Ann","TotalAmount":"9.50"})")
            .status,
        200);
    QCOMPARE(publishRaw("order-update",
                        R"({"orderID":"o-3","UpdateType":"X","Details":{"newStatus":"D"}})")
                 .status,
             200);
    // The exact key wins over another case of it (Go took the last in the body; a QJsonObject
    // keeps no order); a null counts as absent, as it left Go's field untouched.
    QCOMPARE(
        publishRaw("publish", R"({"EventType":"U","eventType":"T","entityId":"exact"})").status,
        200);
    QCOMPARE(
        publishRaw("publish", R"({"eventType":null,"EVENTTYPE":"T","entityId":"null"})").status,
        200);
    // Keys that are not a field's name in another case are ignored, as before.
    QCOMPARE(
        publishRaw("publish",
                   R"({"eventType":"T","entityId":"unknown","user_id":"bob","Event-Type":"U"})")
            .status,
        200);

    const QJsonArray events =
        json(poll("/v1/polling/admin/events", adminToken()))[u"events"_s].toArray();
    QCOMPARE(events.size(), 7);
    const QJsonObject generic = events[0].toObject();
    QCOMPARE(generic[u"eventType"_s].toString(), u"T"_s);
    QCOMPARE(generic[u"action"_s].toString(), u"REFRESH"_s);
    QCOMPARE(generic[u"entityId"_s].toString(), u"cased"_s);
    QCOMPARE(generic[u"entityType"_s].toString(), u"ORDER"_s);
    QCOMPARE(generic[u"userId"_s].toString(), u"alice"_s);
    QCOMPARE(generic[u"metadata"_s].toObject(), QJsonObject({{u"Key"_s, u"kept"_s}}));
    const QJsonObject status = events[1].toObject();
    QCOMPARE(status[u"entityId"_s].toString(), u"o-1"_s);
    QCOMPARE(status[u"userId"_s].toString(), u"bob"_s);
    QCOMPARE(status[u"metadata"_s].toObject(), QJsonObject({{u"newStatus"_s, u"SHIPPED"_s}}));
    const QJsonObject order = events[2].toObject();
    QCOMPARE(order[u"entityId"_s].toString(), u"o-2"_s);
    QCOMPARE(order[u"metadata"_s].toObject(),
             QJsonObject({{u"customerName"_s, u"Ann"_s}, {u"totalAmount"_s, u"9.50"_s}}));
    const QJsonObject update = events[3].toObject();
    QCOMPARE(update[u"entityId"_s].toString(), u"o-3"_s);
    QCOMPARE(update[u"metadata"_s][u"updateType"_s].toString(), u"X"_s);
    QCOMPARE(update[u"metadata"_s][u"details"_s].toObject(),
             QJsonObject({{u"newStatus"_s, u"D"_s}}));
    // Stored under the type and the user the keys named: what alice and bob are shown.
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=T", userToken(u"alice"_s)))),
             QStringList({u"cased"_s, u"exact"_s, u"null"_s, u"unknown"_s}));
    QCOMPARE(entityIds(json(poll("/v1/polling/user/events", userToken(u"bob"_s)))),
             QStringList({u"o-1"_s}));
    QCOMPARE(entityIds(json(poll("/v1/polling/events?eventType=U", adminToken()))), QStringList());

    // A required field is still required, and named; a key in another case is held to its type.
    const struct
    {
        QByteArray route;
        QByteArray body;
        QString detail;
    } bad[] = {
        {"publish", R"({"Event_Type":"T"})", u"eventType is required"_s},
        {"order-status-change", R"({"OrderId":"o","UserId":"u","New_Status":"S"})",
         u"newStatus is required"_s},
        {"new-order", R"({"Order-Id":"o"})", u"orderId is required"_s},
        {"order-update", R"({"ORDERID":"o","DETAILS":"x"})", u"details must be a JSON object"_s},
        {"publish", R"({"EVENTTYPE":5})", u"eventType must be a string"_s},
    };
    for (const auto &refused : bad) {
        const HttpResult answer = publishRaw(refused.route, refused.body);
        QVERIFY2(answer.status == 400, refused.body.constData());
        QVERIFY2(json(answer)[u"detail"_s].toString().contains(refused.detail),
                 answer.body.constData());
    }
    QCOMPARE(json(poll("/v1/polling/admin/events", adminToken()))[u"events"_s].toArray().size(), 7);
}

// Go's encoding/json folds a key rune by rune to the smallest rune of its Unicode simple-folding
// orbit (fold.go, foldName). For the ASCII names of the Go structs, that is ASCII case and two
// letters outside ASCII: KELVIN SIGN (with k) and LATIN SMALL LETTER LONG S (with s).

// A customer name from a Latin-1 database ("José", 0xE9): not UTF-8. Go's encoding/json, behind
// the Telemetry Service's 200, read such bytes as U+FFFD; Qt refuses the whole body, and a 400
// loses the event for good (the Spring service does not retry it).
void TestPolling::bytesThatAreNotUtf8AreReadAsGoReadThem()
{
    startNode(baseConfig());
    const HttpResult published = httpRequest(
        m_port, "POST", "/v1/internal/events/new-order",
        "{\"orderId\":\"o-9\",\"customerName\":\"Jos\xe9\",\"totalAmount\":\"1.00\"}", 5000);
    QCOMPARE(published.status, 200);
    const QJsonArray events =
        json(poll("/v1/polling/admin/events", adminToken()))[u"events"_s].toArray();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events[0][u"metadata"_s][u"customerName"_s].toString(), u"Jos\uFFFD"_s);
    // Bytes outside a string are still no JSON.
    QCOMPARE(httpRequest(m_port, "POST", "/v1/internal/events/new-order",
                         "{\"orderId\":\"o-9\",\"totalAmount\":\xe9}", 5000)
                 .status,
             400);
}

QTEST_GUILESS_MAIN(TestPolling)
#include "tst_polling.moc"
