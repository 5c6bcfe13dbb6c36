// RedisClient against a real redis-server on a free loopback port: what the engines rely on when
// they pipeline thousands of commands, when the server stalls, crashes and comes back, and when
// the client is closed or destroyed with work in flight. Servers are checked with the blocking
// helpers of tests/common, never with the client under test.

#include "loglines.h"
#include "redis/redisclient.h"
#include "resp.h"
#include "serverprocess.h"
#include "tcprelay.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <memory>
#include <vector>

using namespace Switchboard;
using namespace Switchboard::Test;
using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr int waitMs = 5000;

// What one callback was told, copied out of the reply (a RedisReply dies with its callback).
// Callbacks hold it by shared_ptr so that a late call can never write into a finished test.
struct Outcome
{
    int calls = 0;
    RedisReply::Type type = RedisReply::Type::Nil;
    bool clientError = false;
    QByteArray text; // String, Status, Error
    qint64 integer = 0;
    QList<QByteArray> elements; // Array of strings
    qint64 elapsedMs = -1; // from the creation of the outcome to its (first) callback

    bool done() const { return calls > 0; }
    bool isServerError() const { return type == RedisReply::Type::Error && !clientError; }
    QString describe() const
    {
        return u"type %1%2 \"%3\""_s.arg(int(type))
            .arg(clientError ? u" (client error)"_s : QString())
            .arg(QString::fromUtf8(text));
    }

    static std::pair<std::shared_ptr<Outcome>, RedisCallback> make()
    {
        auto outcome = std::make_shared<Outcome>();
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        return {outcome, [outcome, clock](const RedisReply &reply) {
                    if (++outcome->calls > 1)
                        return;
                    outcome->elapsedMs = clock->elapsed();
                    outcome->type = reply.type();
                    outcome->clientError = reply.isClientError();
                    outcome->text = reply.toByteArray();
                    outcome->integer = reply.toInteger();
                    for (size_t i = 0; i < reply.size(); ++i)
                        outcome->elements.append(reply.at(i).toByteArray());
                }};
    }
};

// Sends one command and waits (bounded) for its callback; the caller checks done().
std::shared_ptr<Outcome> run(RedisClient &client, std::initializer_list<QByteArrayView> args,
                             Milliseconds extraTimeout = {}, int timeoutMs = waitMs)
{
    auto [outcome, callback] = Outcome::make();
    client.send(args, std::move(callback), extraTimeout);
    // The caller checks done(): a QVERIFY there names the command that got no answer.
    static_cast<void>(QTest::qWaitFor([&outcome] { return outcome->done(); }, timeoutMs));
    return outcome;
}

RedisClient::Options optionsFor(quint16 port)
{
    RedisClient::Options options;
    options.endpoint.host = u"127.0.0.1"_s;
    options.endpoint.port = port;
    options.endpoint.db = 0;
    options.endpoint.configured = true;
    options.name = u"tst"_s;
    options.commandTimeout = 3000ms;
    options.connectTimeout = 3000ms;
    options.backoffInitial = 50ms;
    options.backoffMax = 200ms;
    return options;
}

bool hasClientNamed(quint16 port, const QByteArray &name)
{
    return redisQuery(port, {"CLIENT", "LIST"}).string.contains(" name=" + name + ' ');
}

// How many connections the server holds under `name` (-1 when it did not answer).
int clientsNamed(quint16 port, const QByteArray &name)
{
    const Resp list = redisQuery(port, {"CLIENT", "LIST"});
    return list.string.isEmpty() ? -1 : int(list.string.count(" name=" + name + ' '));
}

qint64 infoField(quint16 port, const QByteArray &section, const QByteArray &field,
                 const QByteArray &password = {})
{
    QList<QList<QByteArray>> commands;
    if (!password.isEmpty())
        commands.append({"AUTH", password});
    commands.append({"INFO", section});
    const QList<Resp> replies = redisPipeline(port, commands, waitMs);
    const QByteArray info = replies.isEmpty() ? QByteArray() : replies.last().string;
    const qsizetype at = info.indexOf("\r\n" + field + ':');
    if (at < 0)
        return -1;
    const qsizetype from = at + 2 + field.size() + 1;
    return info.mid(from, info.indexOf("\r\n", from) - from).toLongLong();
}

} // namespace

class TestRedisClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void simpleCommandsAndReplyTypes();
    void pipelinesTenThousandCommandsInOrder();
    void binaryValuesRoundTripByteExact();
    void authenticatesAndSelectsDatabase();
    void wrongPasswordNeverConnectsAndKeepsRetrying();
    void authenticatesAsAclUser();
    void stalledServerTimesOutThenReconnects();
    void serverKilledAndRestartedOnSamePort();
    void reconnectsOnceRestartedServerHasLoadedItsData();
    void closeFailsPendingAndNeverReconnects();
    void closeWhileServerIsDownNeverReconnects();
    void destroyedWithCommandsInFlight();
    void blockingCommandWithExtraTimeoutReturnsNil();
    void deletedInsideItsOwnCallback();
    void subscriberNoticesALinkThatWentSilent();
    void aclUserWithoutPingConnects();
    void reopenedInsideItsOwnCallback();
    void deletedFromItsOwnSignals();
    void reopenedInsideTheFailureOfATimeout();
    void restartedInsideEachFailureThenDeleted();
    void messageCallbackDeletesReplacesOrReopens();
    void subscribedWhenConnectedSaysSo();
    void refusedSubscriptionIsNoConnectionAndBacksOff();
    void aLastingRefusalIsRetriedEverySecondAndLoggedOnce();
    void anEvictingServerIsNamedOnceInTheLog();

private:
    std::unique_ptr<RedisClient> connectedClient(const RedisClient::Options &options);

    std::unique_ptr<RedisServer> m_server;
};

void TestRedisClient::init()
{
    m_server = std::make_unique<RedisServer>();
    QVERIFY2(m_server->start(), qPrintable(m_server->error()));
}

void TestRedisClient::cleanup()
{
    m_server.reset(); // stops redis-server by PID
}

// Opens a client and waits for connected(); null (and a recorded failure) when it does not come.
std::unique_ptr<RedisClient> TestRedisClient::connectedClient(const RedisClient::Options &options)
{
    auto client = std::make_unique<RedisClient>(options);
    QSignalSpy connected(client.get(), &RedisClient::connected);
    client->open();
    if (!QTest::qWaitFor([&] { return connected.count() > 0; }, waitMs)) {
        qWarning().noquote() << "no connected() within" << waitMs
                             << "ms; lastError:" << client->lastError();
        return nullptr;
    }
    return client;
}

void TestRedisClient::simpleCommandsAndReplyTypes()
{
    const auto client = connectedClient(optionsFor(m_server->port()));
    QVERIFY(client);
    QVERIFY(client->isConnected());

    auto set = run(*client, {"SET", "greeting", "hello"});
    QVERIFY(set->done());
    QCOMPARE(set->type, RedisReply::Type::Status);
    QCOMPARE(set->text, QByteArray("OK"));

    auto get = run(*client, {"GET", "greeting"});
    QVERIFY(get->done());
    QCOMPARE(get->type, RedisReply::Type::String);
    QCOMPARE(get->text, QByteArray("hello"));

    auto first = run(*client, {"INCR", "counter"});
    auto second = run(*client, {"INCRBY", "counter", "41"});
    QVERIFY(first->done() && second->done());
    QCOMPARE(first->type, RedisReply::Type::Integer);
    QCOMPARE(first->integer, qint64(1));
    QCOMPARE(second->integer, qint64(42));

    auto missing = run(*client, {"GET", "no-such-key"});
    QVERIFY(missing->done());
    QCOMPARE(missing->type, RedisReply::Type::Nil);
    QVERIFY(!missing->clientError);

    QCOMPARE(redisQuery(m_server->port(), {"RPUSH", "list", "a", "", "ccc"}).integer, qint64(3));
    auto range = run(*client, {"LRANGE", "list", "0", "-1"});
    QVERIFY(range->done());
    QCOMPARE(range->type, RedisReply::Type::Array);
    QCOMPARE(range->elements, (QList<QByteArray> {"a", "", "ccc"}));

    // A server error is the server's answer: the connection is fine and stays up.
    auto wrongType = run(*client, {"INCR", "list"});
    QVERIFY(wrongType->done());
    QVERIFY2(wrongType->isServerError(), qPrintable(wrongType->describe()));
    QVERIFY2(wrongType->text.startsWith("WRONGTYPE"), wrongType->text.constData());
    QVERIFY(client->isConnected());
    auto after = run(*client, {"GET", "greeting"});
    QCOMPARE(after->text, QByteArray("hello"));

    // The handshake named the connection: that is what an operator sees in CLIENT LIST.
    QVERIFY(hasClientNamed(m_server->port(), "switchboard-tst"));
    QCOMPARE(client->pendingCount(), 0);
}

void TestRedisClient::pipelinesTenThousandCommandsInOrder()
{
    const auto client = connectedClient(optionsFor(m_server->port()));
    QVERIFY(client);

    constexpr int count = 10000;
    auto values = std::make_shared<std::vector<qint64>>();
    auto errors = std::make_shared<int>(0);
    values->reserve(count);
    for (int i = 0; i < count; ++i) {
        client->send({"INCR", "pipelined"}, [values, errors](const RedisReply &reply) {
            if (reply.type() != RedisReply::Type::Integer)
                ++*errors;
            values->push_back(reply.toInteger());
        });
    }
    // send() only queued: nothing was waited for and no callback ran yet.
    QCOMPARE(client->pendingCount(), count);
    QVERIFY(values->empty());

    QTRY_COMPARE_WITH_TIMEOUT(values->size(), size_t(count), 30000);
    QCOMPARE(*errors, 0);
    for (int i = 0; i < count; ++i) {
        if (values->at(size_t(i)) != i + 1)
            QFAIL(qPrintable(u"callback %1 got %2: out of order"_s.arg(i).arg(values->at(i))));
    }
    QCOMPARE(client->pendingCount(), 0);
    QCOMPARE(redisQuery(m_server->port(), {"GET", "pipelined"}).string, QByteArray("10000"));
}

void TestRedisClient::binaryValuesRoundTripByteExact()
{
    const auto client = connectedClient(optionsFor(m_server->port()));
    QVERIFY(client);

    QByteArray allBytes;
    for (int b = 0; b < 256; ++b)
        allBytes.append(char(b));
    QByteArray large(1 << 20, Qt::Uninitialized);
    QRandomGenerator generator(7);
    for (char &c : large)
        c = char(generator.bounded(256));
    const QList<QByteArray> values {
        QByteArray("a\0b", 3),
        QByteArray("\0", 1),
        QByteArray("line\r\nnext\r\n"),
        QByteArray("$5\r\nfake\r\n*1\r\n"),
        QByteArray("\r\n\0\r\n", 5),
        allBytes,
        large,
    };
    for (qsizetype i = 0; i < values.size(); ++i) {
        const QByteArray &value = values.at(i);
        // Keys are binary too.
        const QByteArray key = QByteArray("bin\0key\r\n", 9) + QByteArray::number(i);
        auto set = run(*client, {"SET", key, value});
        QVERIFY(set->done());
        QCOMPARE(set->text, QByteArray("OK"));
        auto get = run(*client, {"GET", key});
        QVERIFY(get->done());
        QCOMPARE(get->type, RedisReply::Type::String);
        QCOMPARE(get->text.size(), value.size());
        QVERIFY2(get->text == value, qPrintable(u"value %1 differs"_s.arg(i)));
        // What the server holds is the value itself, not an escaped or truncated form of it.
        const Resp stored = redisQuery(m_server->port(), {"GET", key});
        QVERIFY2(stored.string == value, qPrintable(u"value %1 stored differently"_s.arg(i)));
    }
}

void TestRedisClient::authenticatesAndSelectsDatabase()
{
    const QByteArray password = "s3cret-pass";
    m_server = std::make_unique<RedisServer>();
    QVERIFY2(m_server->start(0, {u"--requirepass"_s, QString::fromUtf8(password)}),
             qPrintable(m_server->error()));
    const quint16 port = m_server->port();
    QVERIFY(redisQuery(port, {"GET", "x"}).string.startsWith("NOAUTH"));

    RedisClient::Options options = optionsFor(port);
    options.endpoint.password = QString::fromUtf8(password);
    options.endpoint.db = 3;
    const auto client = connectedClient(options);
    QVERIFY(client);

    auto set = run(*client, {"SET", "where", "db3"});
    QVERIFY(set->done());
    QCOMPARE(set->text, QByteArray("OK"));

    const QList<Resp> inDb3 =
        redisPipeline(port, {{"AUTH", password}, {"SELECT", "3"}, {"GET", "where"}}, waitMs);
    QCOMPARE(inDb3.size(), 3);
    QCOMPARE(inDb3.at(2).string, QByteArray("db3"));
    const QList<Resp> inDb0 = redisPipeline(port, {{"AUTH", password}, {"GET", "where"}}, waitMs);
    QCOMPARE(inDb0.size(), 2);
    QVERIFY(inDb0.at(1).nil);
}

void TestRedisClient::wrongPasswordNeverConnectsAndKeepsRetrying()
{
    const QByteArray password = "s3cret-pass";
    m_server = std::make_unique<RedisServer>();
    QVERIFY2(m_server->start(0, {u"--requirepass"_s, QString::fromUtf8(password)}),
             qPrintable(m_server->error()));
    const quint16 port = m_server->port();
    const qint64 connectionsBefore =
        infoField(port, "stats", "total_connections_received", password);
    QVERIFY(connectionsBefore > 0);

    RedisClient::Options options = optionsFor(port);
    const QString wrongPassword = u"not-the-password"_s;
    options.endpoint.password = wrongPassword;
    RedisClient client(options);
    QSignalSpy connected(&client, &RedisClient::connected);
    QSignalSpy disconnected(&client, &RedisClient::disconnected);
    client.open();

    QTRY_VERIFY_WITH_TIMEOUT(client.lastError().contains(u"WRONGPASS"_s)
                                 || client.lastError().contains(u"AUTH"_s),
                             waitMs);
    QVERIFY2(!client.lastError().contains(wrongPassword), "the password must never be reported");
    // It keeps trying, with backoff: the server sees new connections while none succeeds (each
    // probe here is a connection too, and is not counted).
    int probes = 0;
    const auto clientConnections = [&] {
        ++probes;
        return infoField(port, "stats", "total_connections_received", password) - connectionsBefore
            - probes;
    };
    QTRY_VERIFY_WITH_TIMEOUT(clientConnections() >= 4, waitMs);
    QCOMPARE(connected.count(), 0);
    QCOMPARE(disconnected.count(), 0); // never connected, so never "disconnected"
    QVERIFY(!client.isConnected());

    // A caller sees why its command failed.
    auto refused = run(client, {"GET", "x"});
    QVERIFY(refused->done());
    QVERIFY(refused->clientError);
    QVERIFY2(refused->text.contains("WRONGPASS") || refused->text.contains("AUTH"),
             refused->text.constData());
}

void TestRedisClient::authenticatesAsAclUser()
{
    const quint16 port = m_server->port();
    QCOMPARE(redisQuery(port, {"ACL", "SETUSER", "alice", "on", ">pw", "~*", "+@all"}).string,
             QByteArray("OK"));

    RedisClient::Options options = optionsFor(port);
    options.endpoint.username = u"alice"_s;
    options.endpoint.password = u"pw"_s;
    options.endpoint.db = 1;
    const auto client = connectedClient(options);
    QVERIFY(client);

    auto whoami = run(*client, {"ACL", "WHOAMI"});
    QVERIFY(whoami->done());
    QCOMPARE(whoami->text, QByteArray("alice"));
    QVERIFY(run(*client, {"SET", "owner", "alice"})->done());
    QCOMPARE(redisPipeline(port, {{"SELECT", "1"}, {"GET", "owner"}}, waitMs).value(1).string,
             QByteArray("alice"));

    // The same user with another password is refused, by name.
    options.endpoint.password = u"wrong"_s;
    RedisClient refused(options);
    QSignalSpy connected(&refused, &RedisClient::connected);
    refused.open();
    QTRY_VERIFY_WITH_TIMEOUT(refused.lastError().contains(u"WRONGPASS"_s), waitMs);
    QCOMPARE(connected.count(), 0);
}

void TestRedisClient::stalledServerTimesOutThenReconnects()
{
    const quint16 port = m_server->port();
    RedisClient::Options options = optionsFor(port);
    options.commandTimeout = 300ms;
    options.connectTimeout = 5000ms; // the reconnect waits for the server to wake up
    const auto client = connectedClient(options);
    QVERIFY(client);
    QSignalSpy connected(client.get(), &RedisClient::connected);
    QSignalSpy disconnected(client.get(), &RedisClient::disconnected);

    // The server stops answering everyone for 2 s, as a busy or swapping server would.
    QCOMPARE(redisQuery(port, {"CLIENT", "PAUSE", "2000", "ALL"}).string, QByteArray("OK"));
    QElapsedTimer paused;
    paused.start();

    auto stalled = run(*client, {"GET", "anything"}, {}, 1500);
    QVERIFY2(stalled->done(), "no callback within 1.5 s of a 300 ms command timeout");
    QVERIFY2(stalled->clientError, qPrintable(stalled->describe()));
    QVERIFY2(stalled->text.contains("timeout"), stalled->text.constData());
    QVERIFY2(stalled->elapsedMs >= 250,
             qPrintable(u"failed after %1 ms"_s.arg(stalled->elapsedMs)));
    QVERIFY(paused.elapsed() < 1500); // well before the server answers
    QCOMPARE(disconnected.count(), 1);
    QVERIFY2(disconnected.at(0).at(0).toString().contains(u"timeout"_s),
             qPrintable(disconnected.at(0).at(0).toString()));

    // Nobody asked it to: it comes back once the server answers again, and works.
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 5000);
    QVERIFY(paused.elapsed() >= 1900);
    auto later = run(*client, {"SET", "after-stall", "yes"});
    QVERIFY(later->done());
    QCOMPARE(later->text, QByteArray("OK"));
    QCOMPARE(redisQuery(port, {"GET", "after-stall"}).string, QByteArray("yes"));
}

void TestRedisClient::serverKilledAndRestartedOnSamePort()
{
    const quint16 port = m_server->port();
    RedisClient::Options options = optionsFor(port);
    options.commandTimeout = 5000ms; // a dead server must be noticed by the socket, not a timeout
    options.backoffInitial = 100ms;
    options.backoffMax = 200ms;
    const auto client = connectedClient(options);
    QVERIFY(client);
    QSignalSpy connected(client.get(), &RedisClient::connected);
    QSignalSpy disconnected(client.get(), &RedisClient::disconnected);

    // Two crashes in a row: a server that flaps must be reported the same way each time.
    for (int crash = 1; crash <= 2; ++crash) {
        // Commands really in flight at the server: a BLPOP that blocks forever and a SET
        // pipelined behind it.
        auto [blocked, blockedCallback] = Outcome::make();
        client->send({"BLPOP", "never-filled", "0"}, std::move(blockedCallback), 60s);
        auto [queued, queuedCallback] = Outcome::make();
        client->send({"SET", "behind", "blpop"}, std::move(queuedCallback));
        QTRY_COMPARE_WITH_TIMEOUT(infoField(port, "clients", "blocked_clients"), qint64(1), waitMs);
        QCOMPARE(client->pendingCount(), 2);

        m_server->kill();

        QTRY_VERIFY_WITH_TIMEOUT(blocked->done() && queued->done(), waitMs);
        QVERIFY2(blocked->clientError, qPrintable(blocked->describe()));
        QVERIFY2(queued->clientError, qPrintable(queued->describe()));
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), crash, waitMs);
        const QString reason = disconnected.last().at(0).toString();
        QVERIFY(!reason.isEmpty());
        // The callbacks are told what the signal says: the connection was lost.
        QCOMPARE(QString::fromUtf8(blocked->text), reason);
        QCOMPARE(QString::fromUtf8(queued->text), reason);
        QVERIFY(!client->isConnected());
        QCOMPARE(client->pendingCount(), 0);

        // While the server is down a command fails at once, but never from inside send().
        auto [down, downCallback] = Outcome::make();
        client->send({"GET", "x"}, std::move(downCallback));
        QCOMPARE(down->calls, 0);
        QTRY_VERIFY_WITH_TIMEOUT(down->done(), 1000);
        QVERIFY2(down->clientError, qPrintable(down->describe()));
        QVERIFY2(down->text.contains("not connected"), down->text.constData());
        QVERIFY2(down->elapsedMs < 500, qPrintable(u"failed after %1 ms"_s.arg(down->elapsedMs)));

        // It must not claim a connection while the server is down. The first outage is long
        // (4 s): without the backoffMax cap the delay would have doubled past 1.6 s by then.
        QVERIFY(!connected.wait(crash == 1 ? 4000 : 500));
        QCOMPARE(connected.count(), crash - 1);

        QVERIFY2(m_server->start(port), qPrintable(m_server->error()));
        QElapsedTimer sinceRestart; // start() blocks the event loop: count from its return
        sinceRestart.start();
        // backoffMax 200 ms (+20 % jitter): back within one delay of the restart.
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), crash, 2000);
        QVERIFY2(sinceRestart.elapsed() < 1000,
                 qPrintable(u"reconnected %1 ms after restart"_s.arg(sinceRestart.elapsed())));
        auto works = run(*client, {"INCR", "restarts"});
        QVERIFY(works->done());
        QCOMPARE(works->type, RedisReply::Type::Integer);
        QCOMPARE(works->integer, qint64(1)); // a new, empty server (no persistence)
    }
}

void TestRedisClient::reconnectsOnceRestartedServerHasLoadedItsData()
{
    // A production server restarts with its data and answers -LOADING until it has read it.
    const quint16 port = m_server->port();
    constexpr int keys = 1500;
    QList<QList<QByteArray>> writes;
    for (int i = 0; i < keys; ++i)
        writes.append({"SET", "key:" + QByteArray::number(i), QByteArray(500, 'v')});
    QCOMPARE(redisPipeline(port, writes).size(), keys);
    QCOMPARE(redisQuery(port, {"SAVE"}).string, QByteArray("OK"));

    RedisClient::Options options = optionsFor(port);
    options.commandTimeout = 1000ms;
    options.backoffInitial = 100ms;
    options.backoffMax = 200ms;
    const auto client = connectedClient(options);
    QVERIFY(client);
    QSignalSpy connected(client.get(), &RedisClient::connected);
    QSignalSpy disconnected(client.get(), &RedisClient::disconnected);

    m_server->kill();
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, waitMs);
    // 1 ms per key: the server spends about 1.5 s loading, answering events meanwhile.
    QVERIFY2(m_server->launch(port,
                              {u"--key-load-delay"_s, u"1000"_s,
                               u"--loading-process-events-interval-bytes"_s, u"1024"_s}),
             qPrintable(m_server->error()));
    QVERIFY2(redisQuery(port, {"PING"}).string.startsWith("LOADING"),
             "the server loaded too fast for this test");

    // Not connected while the server cannot serve: a LOADING answer to the handshake is no
    // connection.
    QVERIFY(!connected.wait(500));
    QVERIFY(!client->isConnected());

    // Then connected soon after the load ends (backoffMax 200 ms), without anyone's help.
    QTRY_VERIFY_WITH_TIMEOUT(redisQuery(port, {"PING"}).string == "PONG", 10000);
    QElapsedTimer sinceLoaded;
    sinceLoaded.start();
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, 2000);
    QVERIFY(sinceLoaded.elapsed() < 2000);
    auto size = run(*client, {"DBSIZE"});
    QVERIFY(size->done());
    QCOMPARE(size->integer, qint64(keys));
}

void TestRedisClient::closeFailsPendingAndNeverReconnects()
{
    const quint16 port = m_server->port();
    const auto client = connectedClient(optionsFor(port));
    QVERIFY(client);
    QSignalSpy connected(client.get(), &RedisClient::connected);
    QSignalSpy disconnected(client.get(), &RedisClient::disconnected);
    QVERIFY(hasClientNamed(port, "switchboard-tst"));

    // One command blocked at the server, three more queued behind it.
    auto [blocked, blockedCallback] = Outcome::make();
    client->send({"BLPOP", "never-filled", "0"}, std::move(blockedCallback), 60s);
    QTRY_COMPARE_WITH_TIMEOUT(infoField(port, "clients", "blocked_clients"), qint64(1), waitMs);
    std::vector<std::shared_ptr<Outcome>> outcomes {blocked};
    for (int i = 0; i < 3; ++i) {
        auto [outcome, callback] = Outcome::make();
        client->send({"INCR", "closed-counter"}, std::move(callback));
        outcomes.push_back(outcome);
    }
    QCOMPARE(client->pendingCount(), 4);

    client->close();

    for (const auto &outcome : outcomes) {
        QTRY_VERIFY_WITH_TIMEOUT(outcome->done(), waitMs);
        QVERIFY2(outcome->clientError, qPrintable(outcome->describe()));
        QVERIFY2(outcome->text.contains("closed"), outcome->text.constData());
        QCOMPARE(outcome->calls, 1);
    }
    QCOMPARE(client->pendingCount(), 0);
    QVERIFY(!client->isConnected());
    QTRY_VERIFY_WITH_TIMEOUT(!hasClientNamed(port, "switchboard-tst"), waitMs);

    // Closed means closed: no reconnect, commands fail (asynchronously).
    QVERIFY(!connected.wait(1000));
    QVERIFY(!hasClientNamed(port, "switchboard-tst"));
    auto [after, afterCallback] = Outcome::make();
    client->send({"PING"}, std::move(afterCallback));
    QCOMPARE(after->calls, 0);
    QTRY_VERIFY_WITH_TIMEOUT(after->done(), 1000);
    QVERIFY(after->clientError);
    QCOMPARE(connected.count(), 0);
    QCOMPARE(disconnected.count(), 0);
}

void TestRedisClient::closeWhileServerIsDownNeverReconnects()
{
    const quint16 port = m_server->port();
    const auto client = connectedClient(optionsFor(port));
    QVERIFY(client);
    QSignalSpy connected(client.get(), &RedisClient::connected);
    QSignalSpy disconnected(client.get(), &RedisClient::disconnected);

    m_server->kill();
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, waitMs);
    // Let it fail a few reconnects, so that one is scheduled when close() comes.
    QVERIFY(!connected.wait(300));
    client->close();

    // The server comes back on the same port: a closed client must not notice.
    QVERIFY2(m_server->start(port), qPrintable(m_server->error()));
    QVERIFY(!connected.wait(1000));
    QVERIFY(!hasClientNamed(port, "switchboard-tst"));
    QVERIFY(!client->isConnected());

    // open() after close() is allowed and connects again.
    client->open();
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, waitMs);
    auto works = run(*client, {"PING"});
    QCOMPARE(works->text, QByteArray("PONG"));
}

void TestRedisClient::destroyedWithCommandsInFlight()
{
    // A destroyed client skips the callbacks of what it still owed (their owners are usually
    // going away with it) and none of them may run later from the event loop.
    const quint16 port = m_server->port();
    auto calls = std::make_shared<int>(0);
    auto count = [calls](const RedisReply &) {
        ++*calls;
    };

    // 1. Commands at the server (a BLPOP blocks the rest behind it) and in hiredis' buffer.
    {
        auto client = connectedClient(optionsFor(port));
        QVERIFY(client);
        client->send({"BLPOP", "never-filled", "0"}, count, 60s);
        for (int i = 0; i < 1000; ++i)
            client->send({"INCR", "destroyed"}, count);
        QTRY_COMPARE_WITH_TIMEOUT(infoField(port, "clients", "blocked_clients"), qint64(1), waitMs);
        for (int i = 0; i < 1000; ++i)
            client->send({"INCR", "destroyed"}, count); // not written yet
        client.reset();
        QCOMPARE(*calls, 0);
    }
    // 2. Destroyed while connecting, with the handshake and a command queued.
    {
        auto client = std::make_unique<RedisClient>(optionsFor(port));
        client->open();
        client->send({"PING"}, count); // fails later: not connected yet
        client.reset();
        QCOMPARE(*calls, 0);
    }
    // 3. Destroyed from a deleteLater() in one of its own callbacks, the others still pending.
    {
        auto client = connectedClient(optionsFor(port));
        QVERIFY(client);
        RedisClient *raw = client.release();
        QSignalSpy destroyed(raw, &QObject::destroyed);
        auto deleter = std::make_shared<int>(0);
        raw->send({"PING"}, [raw, deleter](const RedisReply &) {
            ++*deleter;
            raw->deleteLater();
        });
        for (int i = 0; i < 100; ++i)
            raw->send({"INCR", "destroyed"}, count);
        QTRY_COMPARE_WITH_TIMEOUT(destroyed.count(), 1, waitMs);
        QCOMPARE(*deleter, 1);
        QVERIFY(*calls <= 100); // the replies read before the deferred delete, and only once
    }
    const int callsBeforePart4 = *calls;
    // 4. Destroyed while the server is down, with a reconnect scheduled and a failure queued.
    {
        auto client = connectedClient(optionsFor(port));
        QVERIFY(client);
        QSignalSpy disconnected(client.get(), &RedisClient::disconnected);
        m_server->kill();
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, waitMs);
        client->send({"PING"}, count);
        client.reset();
        QCOMPARE(*calls, callsBeforePart4);
    }
    // Run the event loop past every queued failure and scheduled reconnect of the dead clients.
    QVERIFY2(m_server->start(port), qPrintable(m_server->error()));
    QSignalSpy never(this, &QObject::destroyed);
    QVERIFY(!never.wait(500));
    QCOMPARE(*calls, callsBeforePart4);
}

void TestRedisClient::blockingCommandWithExtraTimeoutReturnsNil()
{
    RedisClient::Options options = optionsFor(m_server->port());
    options.commandTimeout = 300ms;
    const auto client = connectedClient(options);
    QVERIFY(client);
    QSignalSpy disconnected(client.get(), &RedisClient::disconnected);

    auto popped = run(*client, {"BLPOP", "empty-list", "1"}, 1000ms, 3000);
    QVERIFY2(popped->done(), "no reply within 3 s to a 1 s BLPOP");
    QVERIFY2(!popped->clientError, qPrintable(popped->describe()));
    QCOMPARE(popped->type, RedisReply::Type::Nil);
    QVERIFY2(popped->elapsedMs >= 900,
             qPrintable(u"returned after %1 ms"_s.arg(popped->elapsedMs)));
    QCOMPARE(disconnected.count(), 0);
    QVERIFY(client->isConnected());

    // The same connection still serves ordinary commands.
    auto ping = run(*client, {"PING"});
    QCOMPARE(ping->text, QByteArray("PONG"));
}

// An owner that deletes the client (and so itself, or its engine) from inside one of the
// client's callbacks, with more callbacks due in the same read or the same failure: no other
// callback of that client may run, and nothing may touch the freed client.
void TestRedisClient::deletedInsideItsOwnCallback()
{
    const quint16 port = m_server->port();
    auto calls = std::make_shared<int>(0);
    auto count = [calls](const RedisReply &) {
        ++*calls;
    };

    // `first` deletes the client from its callback (with its reply, or its failure); the 1000
    // `behind` sent after it must then never be called back. Returns how often `first`'s was.
    const auto deleteOnFirst =
        [&count](const QPointer<RedisClient> &client, std::initializer_list<QByteArrayView> first,
                 std::initializer_list<QByteArrayView> behind, Milliseconds extraTimeout = {}) {
            auto deleted = std::make_shared<int>(0);
            client->send(
                first,
                [client, deleted](const RedisReply &) {
                    ++*deleted;
                    delete client.data();
                },
                extraTimeout);
            for (int i = 0; i < 1000; ++i)
                client->send(behind, count);
            return deleted;
        };

    // 1. From a reply, with the replies of 1000 pipelined commands behind it.
    {
        QPointer<RedisClient> client = connectedClient(optionsFor(port)).release();
        QVERIFY(client);
        const auto deleted = deleteOnFirst(client, {"PING"}, {"INCR", "deleted-in-reply"});
        QTRY_VERIFY_WITH_TIMEOUT(client.isNull(), waitMs);
        QCOMPARE(*deleted, 1);
        QCOMPARE(*calls, 0);
    }
    // 2. From the failure of the first of many commands when the server dies under them.
    {
        QPointer<RedisClient> client = connectedClient(optionsFor(port)).release();
        QVERIFY(client);
        const auto deleted = deleteOnFirst(client, {"BLPOP", "never-filled", "0"},
                                           {"INCR", "deleted-in-failure"}, 60s);
        QTRY_COMPARE_WITH_TIMEOUT(infoField(port, "clients", "blocked_clients"), qint64(1), waitMs);
        m_server->kill();
        QTRY_VERIFY_WITH_TIMEOUT(client.isNull(), waitMs);
        QCOMPARE(*deleted, 1);
        QCOMPARE(*calls, 0);
        QVERIFY2(m_server->start(port), qPrintable(m_server->error()));
    }
    // 3. From a command timeout (the watchdog fails the connection, outside any hiredis call).
    {
        RedisClient::Options options = optionsFor(port);
        options.commandTimeout = 300ms;
        QPointer<RedisClient> client = connectedClient(options).release();
        QVERIFY(client);
        QCOMPARE(redisQuery(port, {"CLIENT", "PAUSE", "1000", "ALL"}).string, QByteArray("OK"));
        const auto deleted = deleteOnFirst(client, {"GET", "paused"}, {"GET", "paused"});
        QTRY_VERIFY_WITH_TIMEOUT(client.isNull(), waitMs);
        QCOMPARE(*deleted, 1);
        QCOMPARE(*calls, 0);
    }
    // 4. From the failure callbacks that close() runs.
    {
        QPointer<RedisClient> client = connectedClient(optionsFor(port)).release();
        QVERIFY(client);
        const auto deleted = deleteOnFirst(client, {"BLPOP", "never-filled", "0"},
                                           {"INCR", "deleted-in-close"}, 60s);
        QTRY_COMPARE_WITH_TIMEOUT(infoField(port, "clients", "blocked_clients"), qint64(1), waitMs);
        client->close();
        QVERIFY(client.isNull());
        QCOMPARE(*deleted, 1);
        QCOMPARE(*calls, 0);
    }
    // The event loop runs on past anything the dead clients had queued.
    QSignalSpy never(this, &QObject::destroyed);
    QVERIFY(!never.wait(300));
    QCOMPARE(*calls, 0);
    QCOMPARE(redisQuery(port, {"PING"}).string, QByteArray("PONG"));
}

// A subscriber owes no reply, so a link that goes silent (a NAT or firewall that forgot the
// flow, a network partition: no FIN, no RST) was never noticed: the wake messages of every
// publish were lost for good while the client said it was connected. It must notice within a
// few command timeouts, say so, and subscribe again once the server can be reached.
void TestRedisClient::subscriberNoticesALinkThatWentSilent()
{
    const quint16 port = m_server->port();
    TcpRelay relay(port);
    QVERIFY(relay.start());
    RedisClient::Options options = optionsFor(relay.port());
    options.commandTimeout = 300ms;
    RedisClient client(options);
    auto messages = std::make_shared<QList<QByteArray>>();
    client.subscribe(
        "wake", [messages](QByteArrayView payload) { messages->append(payload.toByteArray()); });
    QSignalSpy connected(&client, &RedisClient::connected);
    QSignalSpy disconnected(&client, &RedisClient::disconnected);
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, waitMs);
    // Published until the server counts the subscriber (a QTRY would publish once more).
    QVERIFY(QTest::qWaitFor(
        [port] {
            return redisQuery(port, {"PUBLISH", "wake", "first"}).integer == 1;
        },
        waitMs));
    QTRY_COMPARE_WITH_TIMEOUT(messages->size(), 1, waitMs);

    // A healthy but idle link is left alone: several command timeouts pass without a message.
    QVERIFY(!disconnected.wait(1500));
    QVERIFY(client.isConnected());

    relay.hold();
    QCOMPARE(redisQuery(port, {"PUBLISH", "wake", "unseen"}).integer, qint64(1));
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 3000);
    QVERIFY2(disconnected.at(0).at(0).toString().contains(u"timeout"_s),
             qPrintable(disconnected.at(0).at(0).toString()));
    QVERIFY(!client.isConnected());

    relay.release();
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 2, waitMs);
    // Subscribed again: publishes reach it (the old link's connection may still count at the
    // server for a moment).
    QTRY_VERIFY_WITH_TIMEOUT(redisQuery(port, {"PUBLISH", "wake", "again"}).integer >= 1
                                 && messages->contains("again"),
                             waitMs);
}

// A least-privilege ACL user made for the Go services (their client never sent PING) may lack
// PING. The handshake's PING only marks the end of the handshake: NOPERM is an answer from a
// server that serves this user, not a reason to reconnect forever.
void TestRedisClient::aclUserWithoutPingConnects()
{
    const quint16 port = m_server->port();
    QCOMPARE(redisQuery(port,
                        {"ACL", "SETUSER", "narrow", "on", ">pw", "~*", "+@all", "-ping", "-client",
                         "-info"})
                 .string,
             QByteArray("OK"));
    RedisClient::Options options = optionsFor(port);
    options.endpoint.username = u"narrow"_s;
    options.endpoint.password = u"pw"_s;
    const auto client = connectedClient(options);
    QVERIFY(client);
    auto set = run(*client, {"SET", "narrow", "yes"});
    QVERIFY(set->done());
    QCOMPARE(set->text, QByteArray("OK"));
    QCOMPARE(redisQuery(port, {"GET", "narrow"}).string, QByteArray("yes"));

    // A server that is not ready is still not a connection (-LOADING is covered above); nor is
    // one that refuses the user altogether.
    options.endpoint.password = u"wrong"_s;
    RedisClient refused(options);
    QSignalSpy connected(&refused, &RedisClient::connected);
    refused.open();
    QTRY_VERIFY_WITH_TIMEOUT(refused.lastError().contains(u"WRONGPASS"_s), waitMs);
    QCOMPARE(connected.count(), 0);
}

// An owner that starts over from inside a callback (close() and open(), e.g. after a reply it
// could not make sense of) while more replies were due: the old connection's failures go to
// the old commands only, and the new connection comes up and serves.
void TestRedisClient::reopenedInsideItsOwnCallback()
{
    const quint16 port = m_server->port();
    const auto client = connectedClient(optionsFor(port));
    QVERIFY(client);
    QSignalSpy connected(client.get(), &RedisClient::connected);
    auto outcomes = std::make_shared<std::vector<std::shared_ptr<Outcome>>>();
    RedisClient *raw = client.get();
    client->send({"PING"}, [raw](const RedisReply &) {
        raw->close();
        raw->open();
    });
    for (int i = 0; i < 100; ++i) {
        auto [outcome, callback] = Outcome::make();
        client->send({"INCR", "reopened"}, std::move(callback));
        outcomes->push_back(outcome);
    }
    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, waitMs);
    for (const auto &outcome : *outcomes) {
        QCOMPARE(outcome->calls, 1);
        QVERIFY2(outcome->clientError, qPrintable(outcome->describe()));
    }
    auto works = run(*client, {"INCR", "reopened"});
    QVERIFY(works->done());
    QVERIFY2(works->type == RedisReply::Type::Integer, qPrintable(works->describe()));
    QVERIFY(client->isConnected());
}

// An owner that deletes the client (or itself with it) when told the connection was lost, or
// made, as Qt allows for a sender: nothing of the client may be touched after the signal.
void TestRedisClient::deletedFromItsOwnSignals()
{
    const quint16 port = m_server->port();
    // 0. Connected: an owner that only wanted to know the server is up.
    {
        QPointer<RedisClient> client = new RedisClient(optionsFor(port));
        connect(client.data(), &RedisClient::connected, this, [client] { delete client.data(); });
        client->open();
        QTRY_VERIFY_WITH_TIMEOUT(client.isNull(), waitMs);
    }
    // 1. The server closed the connection (an operator's CLIENT KILL, a restart).
    {
        QPointer<RedisClient> client = connectedClient(optionsFor(port)).release();
        QVERIFY(client);
        auto reasons = std::make_shared<QStringList>();
        connect(client.data(), &RedisClient::disconnected, this,
                [client, reasons](const QString &reason) {
                    reasons->append(reason);
                    delete client.data();
                });
        QCOMPARE(redisQuery(port, {"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"}).integer,
                 qint64(1));
        QTRY_VERIFY_WITH_TIMEOUT(client.isNull(), waitMs);
        QCOMPARE(reasons->size(), 1);
    }
    // 2. A command timed out (the watchdog closes the connection).
    {
        RedisClient::Options options = optionsFor(port);
        options.commandTimeout = 300ms;
        QPointer<RedisClient> client = connectedClient(options).release();
        QVERIFY(client);
        auto reasons = std::make_shared<QStringList>();
        connect(client.data(), &RedisClient::disconnected, this,
                [client, reasons](const QString &reason) {
                    reasons->append(reason);
                    delete client.data();
                });
        QCOMPARE(redisQuery(port, {"CLIENT", "PAUSE", "1000", "ALL"}).string, QByteArray("OK"));
        client->send({"GET", "paused"}, Outcome::make().second);
        QTRY_VERIFY_WITH_TIMEOUT(client.isNull(), waitMs);
        QCOMPARE(reasons->size(), 1);
        QVERIFY2(reasons->at(0).contains(u"timeout"_s), qPrintable(reasons->at(0)));
    }
    // The event loop runs on past anything the dead clients had scheduled.
    QSignalSpy never(this, &QObject::destroyed);
    QVERIFY(!never.wait(500));
    QTRY_COMPARE_WITH_TIMEOUT(redisQuery(port, {"PING"}).string, QByteArray("PONG"), waitMs);
}

// An owner that starts over (close() and open()) when a command fails for a timeout: the new
// connection is the only one, it comes up, and the client does not schedule a reconnect of
// its own behind the owner's back (that leaked the owner's connection, open at the server for
// good, and watched the next one with the leaked one's socket notifiers).
void TestRedisClient::reopenedInsideTheFailureOfATimeout()
{
    const quint16 port = m_server->port();
    RedisClient::Options options = optionsFor(port);
    options.commandTimeout = 300ms;
    options.connectTimeout = 5000ms; // the new connection waits for the pause to end
    const auto client = connectedClient(options);
    QVERIFY(client);
    QSignalSpy connected(client.get(), &RedisClient::connected);
    QSignalSpy disconnected(client.get(), &RedisClient::disconnected);
    QCOMPARE(clientsNamed(port, "switchboard-tst"), 1);

    QCOMPARE(redisQuery(port, {"CLIENT", "PAUSE", "1000", "ALL"}).string, QByteArray("OK"));
    auto failure = std::make_shared<QByteArray>();
    RedisClient *raw = client.get();
    client->send({"GET", "paused"}, [raw, failure](const RedisReply &reply) {
        *failure = reply.toByteArray();
        raw->close();
        raw->open();
    });
    QTRY_VERIFY_WITH_TIMEOUT(!failure->isEmpty(), waitMs);
    QVERIFY2(failure->contains("timeout"), failure->constData());

    QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 1, waitMs);
    QVERIFY(client->isConnected());
    auto works = run(*client, {"INCR", "reopened-after-timeout"});
    QVERIFY(works->done());
    QVERIFY2(works->type == RedisReply::Type::Integer, qPrintable(works->describe()));
    // One connection at the server: the one given up is gone, none was opened behind it.
    QTRY_COMPARE_WITH_TIMEOUT(clientsNamed(port, "switchboard-tst"), 1, waitMs);
    QVERIFY(!connected.wait(500));
    QCOMPARE(clientsNamed(port, "switchboard-tst"), 1);
    QVERIFY(client->isConnected());
    // The owner closed the lost connection itself: a closed connection says nothing more.
    QCOMPARE(disconnected.count(), 0);
}

// An owner that starts over from every failure (close() and open()) and gives up on a later
// one (deletes the client), while the first connection it gave up still runs its failures:
// that connection's remaining callbacks and clean-up must find no client.
void TestRedisClient::restartedInsideEachFailureThenDeleted()
{
    const quint16 port = m_server->port();
    QPointer<RedisClient> client = connectedClient(optionsFor(port)).release();
    QVERIFY(client);
    auto calls = std::make_shared<int>(0);
    auto restarts = std::make_shared<int>(0);
    auto deleted = std::make_shared<int>(0);
    const auto restart = [client, restarts](const RedisReply &) {
        ++*restarts;
        client->close(); // fails what is pending: one of those callbacks may delete the client
        if (client)
            client->open();
    };
    // The reply gives the first connection up: its callbacks fail when the reply's returns.
    client->send({"PING"}, restart);
    client->send({"INCR", "restarted"}, restart); // fails, gives the second connection up
    client->send({"INCR", "restarted"}, [client, deleted](const RedisReply &) {
        ++*deleted;
        delete client.data();
    });
    for (int i = 0; i < 100; ++i)
        client->send({"INCR", "restarted"}, [calls](const RedisReply &) { ++*calls; });
    QTRY_VERIFY_WITH_TIMEOUT(client.isNull(), waitMs);
    QCOMPARE(*restarts, 2);
    QCOMPARE(*deleted, 1);
    QCOMPARE(*calls, 0);
    QSignalSpy never(this, &QObject::destroyed);
    QVERIFY(!never.wait(300));
    QCOMPARE(*calls, 0);
}

// A subscriber's message callback that deletes its client, or subscribes its channel again
// with another callback, is still running: what it captured must live until it returns, as
// a Qt slot's does when it disconnects itself. One that starts over leaves a subscriber.
void TestRedisClient::messageCallbackDeletesReplacesOrReopens()
{
    const quint16 port = m_server->port();
    const auto publishUntilHeard = [port](const QByteArray &payload) {
        return QTest::qWaitFor(
            [&] {
                return redisQuery(port, {"PUBLISH", "wake", payload}).integer == 1;
            },
            waitMs);
    };
    // 1. Deleted inside the callback, which then counts the message in what it captured.
    {
        QPointer<RedisClient> client = new RedisClient(optionsFor(port));
        auto heard = std::make_shared<QList<QByteArray>>();
        client->subscribe("wake", [client, heard](QByteArrayView payload) {
            delete client.data();
            heard->append(payload.toByteArray());
        });
        client->open();
        QVERIFY(publishUntilHeard("delete"));
        QTRY_VERIFY_WITH_TIMEOUT(client.isNull(), waitMs);
        QCOMPARE(*heard, QList<QByteArray> {"delete"});
    }
    // 2. The callback replaces itself, then counts the message in what it captured.
    {
        RedisClient client(optionsFor(port));
        auto first = std::make_shared<QList<QByteArray>>();
        auto second = std::make_shared<QList<QByteArray>>();
        RedisClient *raw = &client;
        client.subscribe("wake", [raw, first, second](QByteArrayView payload) {
            raw->subscribe("wake",
                           [second](QByteArrayView next) { second->append(next.toByteArray()); });
            first->append(payload.toByteArray());
        });
        client.open();
        QVERIFY(publishUntilHeard("replace"));
        QTRY_COMPARE_WITH_TIMEOUT(first->size(), 1, waitMs);
        QCOMPARE(redisQuery(port, {"PUBLISH", "wake", "next"}).integer, qint64(1));
        QTRY_COMPARE_WITH_TIMEOUT(*second, QList<QByteArray> {"next"}, waitMs);
        QCOMPARE(*first, QList<QByteArray> {"replace"});
    }
    // 3. The callback starts over (close() and open()): the new connection subscribes again.
    {
        RedisClient client(optionsFor(port));
        QSignalSpy connected(&client, &RedisClient::connected);
        auto heard = std::make_shared<QList<QByteArray>>();
        RedisClient *raw = &client;
        client.subscribe("wake", [raw, heard](QByteArrayView payload) {
            if (payload == "reopen") {
                raw->close();
                raw->open();
            }
            heard->append(payload.toByteArray());
        });
        client.open();
        QVERIFY(publishUntilHeard("reopen"));
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 2, waitMs);
        QVERIFY(publishUntilHeard("after"));
        QTRY_COMPARE_WITH_TIMEOUT(*heard, (QList<QByteArray> {"reopen", "after"}), waitMs);
        QCOMPARE(clientsNamed(port, "switchboard-tst"), 1);
    }
}

// A subscriber's owner catches up on connected() (Redis keeps no message for an absent
// subscriber): a message published from then on must reach it, after the first connection and
// after every reconnect. connected() came while SUBSCRIBE was still unsent, and what was
// published in between was lost for good.
void TestRedisClient::subscribedWhenConnectedSaysSo()
{
    const quint16 port = m_server->port();
    RedisClient client(optionsFor(port));
    auto heard = std::make_shared<QList<QByteArray>>();
    client.subscribe("wake",
                     [heard](QByteArrayView payload) { heard->append(payload.toByteArray()); });
    auto receivers = std::make_shared<QList<qint64>>();
    connect(&client, &RedisClient::connected, this, [port, receivers] {
        const QByteArray payload = "at-connected-" + QByteArray::number(receivers->size() + 1);
        receivers->append(redisQuery(port, {"PUBLISH", "wake", payload}).integer);
    });
    client.open();
    QTRY_COMPARE_WITH_TIMEOUT(receivers->size(), 1, waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(*heard, QList<QByteArray> {"at-connected-1"}, waitMs);
    QCOMPARE(receivers->at(0), qint64(1));

    // The server drops the connection; the reconnect subscribes again before it says so.
    QCOMPARE(redisQuery(port, {"CLIENT", "KILL", "TYPE", "pubsub"}).integer, qint64(1));
    QTRY_COMPARE_WITH_TIMEOUT(receivers->size(), 2, waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(*heard, (QList<QByteArray> {"at-connected-1", "at-connected-2"}),
                              waitMs);
    QCOMPARE(receivers->at(1), qint64(1));
}

// Redis 7 gives a new ACL user no channel (acl-pubsub-default resetchannels): the server
// refuses its SUBSCRIBE and closes the connection. That is no subscriber: connected() must not
// be said (the owner would catch up, and report healthy, ten times a second), and the retries
// back off like any failed connection instead of starting over at the first delay.
void TestRedisClient::refusedSubscriptionIsNoConnectionAndBacksOff()
{
    const quint16 port = m_server->port();
    QCOMPARE(
        redisQuery(port,
                   {"ACL", "SETUSER", "nochannels", "on", ">pw", "~*", "+@all", "resetchannels"})
            .string,
        QByteArray("OK"));
    RedisClient::Options options = optionsFor(port);
    options.endpoint.username = u"nochannels"_s;
    options.endpoint.password = u"pw"_s;
    options.backoffInitial = 100ms;
    options.backoffMax = 400ms;
    const qint64 connectionsBefore = infoField(port, "stats", "total_connections_received");
    QElapsedTimer clock;
    clock.start();
    RedisClient client(options);
    client.subscribe("wake", [](QByteArrayView) {});
    QSignalSpy connected(&client, &RedisClient::connected);
    QSignalSpy disconnected(&client, &RedisClient::disconnected);
    client.open();
    QTRY_VERIFY_WITH_TIMEOUT(client.lastError().contains(u"NOPERM"_s), waitMs);
    QVERIFY(!connected.wait(2000));
    QVERIFY(!client.isConnected());
    QCOMPARE(disconnected.count(), 0); // never connected, so never "disconnected"

    // At most one attempt per backoff delay (each at least 80 % of its nominal value): 100 ms
    // three times, then doubling up to 400 ms.
    const qint64 elapsed = clock.elapsed();
    int allowed = 1;
    qint64 due = 0;
    for (int attempt = 0;; ++attempt) {
        const qint64 nominal = attempt < options.fastRetries
            ? 100
            : std::min<qint64>(100 << (attempt - options.fastRetries + 1), 400);
        due += nominal * 8 / 10;
        if (due > elapsed)
            break;
        ++allowed;
    }
    // Less the connection of this query itself.
    const qint64 attempts =
        infoField(port, "stats", "total_connections_received") - connectionsBefore - 1;
    QVERIFY2(
        attempts <= allowed,
        qPrintable(u"%1 connections in %2 ms, at most %3 expected"_s.arg(attempts).arg(elapsed).arg(
            allowed)));
}

// Every engine's connections use the default options. A refusal that lasts (a wrong password
// here; a server that stays down is retried the same way) is retried at least once a second
// however long it lasts, so a Redis that is back is found within a second, not up to 5 s later;
// and it is logged once, not at every retry.
void TestRedisClient::aLastingRefusalIsRetriedEverySecondAndLoggedOnce()
{
    const quint16 port = m_server->port();
    RedisEndpoint endpoint = optionsFor(port).endpoint;
    endpoint.password = u"not-the-password"_s;
    const LogLines log("switchboard.redis");
    RedisClient client(RedisClient::Options::of(endpoint, u"tst-defaults"_s));
    client.open();
    QTRY_VERIFY_WITH_TIMEOUT(client.lastError().contains(u"AUTH refused"_s), waitMs);
    // By 3 s the delay has grown to its cap: 100 ms three times, then 200, 400, 800 ms, 1 s.
    QTest::qWait(3000);
    const qint64 before = infoField(port, "stats", "total_connections_received");
    QTest::qWait(4000); // the window the attempts are counted in
    // Less the connection of the first query.
    const qint64 attempts = infoField(port, "stats", "total_connections_received") - before - 1;
    QVERIFY2(attempts >= 3, qPrintable(u"%1 attempts in 4 s"_s.arg(attempts)));
    QVERIFY(!client.isConnected());
    const QStringList refusals = log.lines(QtWarningMsg).filter(u"tst-defaults"_s);
    QVERIFY2(refusals.size() == 1, qPrintable(refusals.join(u'\n')));
}

// A Redis that evicts keys when full loses what Switchboard keeps there without a word (README,
// "When Redis or JetStream is full"): the first connection to it says so, once per server
// however many connections the engines open; a server with noeviction, or no maxmemory, is
// not named.
void TestRedisClient::anEvictingServerIsNamedOnceInTheLog()
{
    RedisServer evicting;
    QVERIFY2(evicting.start(
                 0, {u"--maxmemory"_s, u"100mb"_s, u"--maxmemory-policy"_s, u"allkeys-lru"_s}),
             qPrintable(evicting.error()));
    RedisServer refusing;
    QVERIFY2(
        refusing.start(0, {u"--maxmemory"_s, u"100mb"_s, u"--maxmemory-policy"_s, u"noeviction"_s}),
        qPrintable(refusing.error()));
    const LogLines log("switchboard.redis");
    std::vector<std::unique_ptr<RedisClient>> clients;
    for (quint16 port : {evicting.port(), evicting.port(), refusing.port(), m_server->port()}) {
        clients.push_back(connectedClient(optionsFor(port)));
        QVERIFY(clients.back());
    }
    const QString line = u"drops keys when it is full (maxmemory 104857600 bytes, "
                         "maxmemory-policy allkeys-lru)"_s;
    QCOMPARE(log.count(line), 1);
    QCOMPARE(log.count(evicting.addr() + u"/0 drops keys"_s), 1);
    QCOMPARE(log.count(u"drops keys"_s), 1);
}

QTEST_GUILESS_MAIN(TestRedisClient)
#include "tst_redisclient.moc"
