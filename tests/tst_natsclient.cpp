// NatsClient and NatsPublisher against a real nats-server -js on a free loopback port, each test
// with a server of its own: what ingress relies on when NATS restarts (with or without its
// JetStream store), stalls, or when an owner deletes a wrapper from inside its own callback.
// Streams are checked with plain cnats calls, never with the wrappers under test.

#include "loglines.h"
#include "nats/natsclient.h"
#include "nats/natspublisher.h"
#include "serverprocess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QPointer>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <atomic>
#include <csignal>
#include <memory>
#include <nats/nats.h>
#include <optional>
#include <vector>

using namespace Switchboard;
using namespace Switchboard::Test;
using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

namespace {

constexpr int waitMs = 10000;

// The messages a stream holds, read with a connection of its own; -1 when it cannot be read.
qint64 storedMessages(const QString &url, const QString &stream)
{
    natsConnection *connection = nullptr;
    jsCtx *jetStream = nullptr;
    jsStreamInfo *info = nullptr;
    natsStatus s = natsConnection_ConnectTo(&connection, url.toUtf8().constData());
    if (s == NATS_OK)
        s = natsConnection_JetStream(&jetStream, connection, nullptr);
    if (s == NATS_OK)
        s = js_GetStreamInfo(&info, jetStream, stream.toUtf8().constData(), nullptr, nullptr);
    const qint64 messages = s == NATS_OK ? qint64(info->State.Msgs) : -1;
    jsStreamInfo_Destroy(info);
    jsCtx_Destroy(jetStream);
    natsConnection_Destroy(connection);
    return messages;
}

// Runs `call` on a thread of its own and waits for it with the event loop running: the
// blocking JetStream calls of a client in event-loop mode are answered by this thread's loop.
template<typename F> bool offThread(F call, int timeoutMs = waitMs)
{
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::unique_ptr<QThread> thread(QThread::create([call, done]() mutable {
        call();
        *done = true;
    }));
    thread->start();
    const bool finished = QTest::qWaitFor([&done] { return done->load(); }, timeoutMs);
    thread->wait(); // the call itself is bounded by the client's API timeout
    return finished;
}

// What the publish callbacks were told, held by shared_ptr so that a late call cannot write
// into a finished test.
struct Outcomes
{
    int calls = 0;
    int ok = 0;
};

// Publishes `data` once `publisher` is connected again, until JetStream acknowledges one:
// whether that happened within `timeoutMs`. Each try waits for its own answer first.
bool publishesAgain(NatsPublisher &publisher, const QByteArray &subject, const QByteArray &data,
                    int timeoutMs)
{
    auto result = std::make_shared<std::optional<NatsPublishResult>>();
    return QTest::qWaitFor(
        [&] {
            if (!publisher.isConnected())
                return false;
            result->reset();
            publisher.publish(subject, {}, data,
                              [result](const NatsPublishResult &r) { *result = r; });
            static_cast<void>(QTest::qWaitFor([&result] { return result->has_value(); }, 2000));
            return result->has_value() && (*result)->ok;
        },
        timeoutMs);
}

} // namespace

class TestNatsClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void publisherDeletedInsideItsOwnCallback();
    void storeGoneOnRestartIsMadeAgainAndDeliveriesResume();
    void stalledServerDoesNotPileUpRefusedPublishes();
    void publishesToNoStreamFailAtOnceOneAtATime();
    void aServerLostByItsPingsIsLeftWithoutSocketWarnings();
    void aServerThatNeverGreetsDoesNotHoldThePublishersThread();
    void aConnectionIsLoggedOnce();

private:
    NatsConnectionOptions optionsFor() const
    {
        NatsConnectionOptions options;
        options.url = m_server->url();
        options.name = u"tst-natsclient"_s;
        options.reconnectInitial = 50ms;
        options.reconnectMax = 200ms;
        options.publishTimeout = 1000ms;
        return options;
    }
    std::unique_ptr<NatsClient> connectedClient(NatsConnectionOptions options);
    std::unique_ptr<NatsPublisher> connectedPublisher(NatsConnectionOptions options);
    // The states `client` goes through from now on, in order.
    std::shared_ptr<QList<NatsClient::State>> recordStates(NatsClient &client);
    bool makeStream(const QString &name, const QString &subjects);

    std::unique_ptr<NatsServer> m_server;
};

void TestNatsClient::init()
{
    m_server = std::make_unique<NatsServer>();
    QVERIFY2(m_server->start(), qPrintable(m_server->error()));
}

void TestNatsClient::cleanup()
{
    if (m_server && m_server->pid() > 0)
        ::kill(pid_t(m_server->pid()), SIGCONT); // a test that failed while it was paused
    m_server.reset(); // stops nats-server by PID
}

std::unique_ptr<NatsClient> TestNatsClient::connectedClient(NatsConnectionOptions options)
{
    auto client = std::make_unique<NatsClient>(options);
    QString error;
    if (!client->open(&error)) {
        qWarning().noquote() << "open:" << error;
        return nullptr;
    }
    if (!QTest::qWaitFor([&] { return client->isConnected(); }, waitMs))
        return nullptr;
    return client;
}

std::unique_ptr<NatsPublisher> TestNatsClient::connectedPublisher(NatsConnectionOptions options)
{
    auto publisher = std::make_unique<NatsPublisher>(options);
    QString error;
    if (!publisher->open(&error)) {
        qWarning().noquote() << "open:" << error;
        return nullptr;
    }
    if (!QTest::qWaitFor([&] { return publisher->isConnected(); }, waitMs))
        return nullptr;
    return publisher;
}

std::shared_ptr<QList<NatsClient::State>> TestNatsClient::recordStates(NatsClient &client)
{
    auto states = std::make_shared<QList<NatsClient::State>>();
    connect(
        &client, &NatsClient::stateChanged, this,
        [states](NatsClient::State state) { states->append(state); }, Qt::QueuedConnection);
    return states;
}

bool TestNatsClient::makeStream(const QString &name, const QString &subjects)
{
    NatsConnectionOptions options = optionsFor();
    NatsClient admin(options);
    QString error;
    if (!admin.open(&error) || !QTest::qWaitFor([&] { return admin.isConnected(); }, waitMs))
        return false;
    NatsStreamSpec spec;
    spec.name = name;
    spec.subjects = {subjects};
    const bool made = admin.ensureStream(spec, &error);
    if (!made)
        qWarning().noquote() << error;
    return made;
}

// An owner that deletes the publisher (with itself) from inside a publish callback, while the
// acks of many more publishes arrived in the same read, or expired in the same sweep: every
// other publish is answered exactly once (its ack, its timeout, or "connection closed" from
// the destructor), none later, and nothing touches the freed publisher (AddressSanitizer shows
// it: heap-use-after-free in takeAcks()).
void TestNatsClient::publisherDeletedInsideItsOwnCallback()
{
    QVERIFY(makeStream(u"deleted"_s, u"deleted.>"_s));
    constexpr int others = 500;
    auto calls = std::make_shared<std::vector<int>>(2 * others, 0);
    auto countFor = [calls](int index) {
        return [calls, index](const NatsPublishResult &) {
            ++calls->at(size_t(index));
        };
    };

    // 1. From an ack, with the acks of 500 more publishes behind it.
    {
        QPointer<NatsPublisher> publisher = connectedPublisher(optionsFor()).release();
        QVERIFY(publisher);
        auto deleted = std::make_shared<int>(0);
        publisher->publish("deleted.a", {}, "first",
                           [publisher, deleted](const NatsPublishResult &) {
                               ++*deleted;
                               delete publisher.data();
                           });
        for (int i = 0; i < others; ++i)
            publisher->publish("deleted.a", {}, "more", countFor(i));
        QTRY_VERIFY_WITH_TIMEOUT(publisher.isNull(), waitMs);
        QCOMPARE(*deleted, 1);
    }
    // 2. From a timeout: the server stalls, every publish expires in the same sweep.
    {
        QPointer<NatsPublisher> publisher = connectedPublisher(optionsFor()).release();
        QVERIFY(publisher);
        QVERIFY(pauseByPid(m_server->pid()));
        auto deleted = std::make_shared<int>(0);
        publisher->publish("deleted.b", {}, "first",
                           [publisher, deleted](const NatsPublishResult &) {
                               ++*deleted;
                               delete publisher.data();
                           });
        for (int i = 0; i < others; ++i)
            publisher->publish("deleted.b", {}, "more", countFor(others + i));
        QTRY_VERIFY_WITH_TIMEOUT(publisher.isNull(), waitMs);
        QCOMPARE(*deleted, 1);
        ::kill(pid_t(m_server->pid()), SIGCONT);
    }
    QSignalSpy never(this, &QObject::destroyed);
    QVERIFY(!never.wait(1500)); // late acks and timers of the deleted publishers
    for (size_t i = 0; i < calls->size(); ++i) {
        if (calls->at(i) != 1)
            QFAIL(qPrintable(u"publish %1 was answered %2 times"_s.arg(i).arg(calls->at(i))));
    }
}

// A NATS restarted with its JetStream store gone (a new volume, a wiped disk) has neither the
// stream nor the consumer. The engine makes both again when the client says Connected, on the
// same client and with its subscription kept: deliveries must then resume on it.
void TestNatsClient::storeGoneOnRestartIsMadeAgainAndDeliveriesResume()
{
    NatsConnectionOptions options = optionsFor();
    options.eventLoop = true; // as the ingress engine has it
    auto client = connectedClient(options);
    QVERIFY(client);
    auto states = recordStates(*client);

    NatsStreamSpec stream;
    stream.name = u"gone"_s;
    stream.subjects = {u"gone.>"_s};
    NatsConsumerSpec consumer;
    consumer.stream = stream.name;
    consumer.durable = u"gone-worker"_s;
    consumer.filterSubject = u"gone.>"_s;
    consumer.deliverSubject = u"_TST.deliver.gone"_s;
    consumer.deliverGroup = u"gone-worker"_s;
    consumer.ackWait = 5000ms;
    auto setUp = [&client, stream, consumer] {
        auto error = std::make_shared<QString>();
        NatsClient *raw = client.get();
        const bool finished = offThread([raw, stream, consumer, error] {
            if (raw->ensureStream(stream, error.get()))
                raw->ensureConsumer(consumer, error.get());
        });
        return finished && error->isEmpty() ? QString() : u"set-up: "_s + *error;
    };
    QString error = setUp();
    QVERIFY2(error.isEmpty(), qPrintable(error));

    auto received = std::make_shared<QList<QByteArray>>();
    std::unique_ptr<NatsSubscription> subscription;
    {
        NatsClient *raw = client.get();
        auto made = std::make_shared<std::unique_ptr<NatsSubscription>>();
        auto subscribeError = std::make_shared<QString>();
        QVERIFY(offThread([raw, consumer, made, subscribeError, received, this] {
            *made = raw->subscribe(
                consumer, this,
                [received](QList<NatsDelivery> batch) {
                    for (const NatsDelivery &delivery : batch) {
                        received->append(delivery.data());
                        delivery.ack();
                    }
                },
                subscribeError.get());
        }));
        QVERIFY2(*made, qPrintable(*subscribeError));
        subscription = std::move(*made);
    }

    auto publisher = connectedPublisher(optionsFor());
    QVERIFY(publisher);
    auto publishOk = [&publisher](const QByteArray &data) {
        auto result = std::make_shared<std::optional<NatsPublishResult>>();
        publisher->publish("gone.event", {}, data,
                           [result](const NatsPublishResult &r) { *result = r; });
        static_cast<void>(QTest::qWaitFor([&result] { return result->has_value(); }, waitMs));
        return result->has_value() && (*result)->ok;
    };
    QVERIFY(publishOk("before"));
    QTRY_VERIFY_WITH_TIMEOUT(received->contains("before"), waitMs);

    const quint16 port = m_server->port();
    m_server->kill();
    QVERIFY(QDir(m_server->storeDir() + u"/jetstream"_s).removeRecursively());
    QTRY_VERIFY_WITH_TIMEOUT(states->contains(NatsClient::State::Reconnecting), waitMs);
    states->clear();
    QVERIFY2(m_server->start(port), qPrintable(m_server->error()));
    QTRY_VERIFY_WITH_TIMEOUT(states->contains(NatsClient::State::Connected), waitMs);
    QCOMPARE(storedMessages(m_server->url(), stream.name), qint64(-1)); // the store is gone

    // What the engine does on Connected.
    error = setUp();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(publisher->isConnected(), waitMs);
    QTRY_VERIFY_WITH_TIMEOUT(publishOk("after"), waitMs);
    QTRY_VERIFY_WITH_TIMEOUT(received->contains("after"), waitMs);
    subscription.reset();
}

// A server that stops reading (paused, a disk that blocks it) while POST /events goes on: each
// publish was answered "no acknowledgement" after the publish timeout, but its bytes stayed in
// the connection's write buffer, which grew with every one of them (memory), and went out once
// the server read again: events answered 503 were stored after all, and stored again when the
// client retried. Once the server has not read for a while, a publish must be refused at once.
void TestNatsClient::stalledServerDoesNotPileUpRefusedPublishes()
{
    QVERIFY(makeStream(u"stalled"_s, u"stalled.>"_s));
    QVERIFY(makeStream(u"markers"_s, u"markers.>"_s));
    NatsConnectionOptions options = optionsFor();
    options.publishTimeout = 500ms;
    auto publisher = connectedPublisher(options);
    QVERIFY(publisher);

    auto outcomes = std::make_shared<Outcomes>();
    auto refusedAtOnce = std::make_shared<int>(0);
    QVERIFY(pauseByPid(m_server->pid()));
    // 2 000 requests a second, 16 KiB each, for 2 s: 64 MB, far more than the kernel's socket
    // buffers take.
    constexpr int publishes = 4000;
    const QByteArray body(16 * 1024, 'x');
    int sent = 0;
    QTimer pacer;
    pacer.setInterval(5);
    connect(&pacer, &QTimer::timeout, this, [&] {
        for (int i = 0; i < 10 && sent < publishes; ++i, ++sent) {
            QElapsedTimer clock;
            clock.start();
            publisher->publish("stalled.event", {}, body,
                               [outcomes, refusedAtOnce, clock](const NatsPublishResult &result) {
                                   ++outcomes->calls;
                                   if (result.ok)
                                       ++outcomes->ok;
                                   else if (clock.elapsed() < 100)
                                       ++*refusedAtOnce;
                               });
        }
        if (sent == publishes)
            pacer.stop();
    });
    pacer.start();
    QTRY_COMPARE_WITH_TIMEOUT(outcomes->calls, publishes, 30000);
    QCOMPARE(outcomes->ok, 0);

    ::kill(pid_t(m_server->pid()), SIGCONT);
    // What the server stores once it reads again: only what had left cnats' buffer already.
    QVERIFY(publishesAgain(*publisher, "markers.resumed", "marker", 30000));
    const qint64 stored = storedMessages(m_server->url(), u"stalled"_s);
    qInfo() << *refusedAtOnce << "of" << publishes << "refused at once;" << stored
            << "stored after being answered 'failed'";
    QVERIFY2(*refusedAtOnce > publishes / 2,
             qPrintable(u"only %1 of %2 refused at once"_s.arg(*refusedAtOnce).arg(publishes)));
    QVERIFY2(stored < publishes / 2,
             qPrintable(
                 u"%1 of %2 publishes answered 'failed' were stored"_s.arg(stored).arg(publishes)));
}

// A server that stops answering (paused, a network partition) is noticed by cnats' pings, on a
// thread of cnats', which closed the socket right after telling the event loop to stop watching
// it: the loop's notifiers still watched a closed descriptor (Qt logged "QSocketNotifier:
// Invalid socket 39 with type Read, disabling..." at every such loss, which reads like a bug at
// 3 a.m.), or one the process had meanwhile opened again for something else. Both connections in
// event-loop mode (the engine's and POST /events') come back when the server answers again.
void TestNatsClient::aServerLostByItsPingsIsLeftWithoutSocketWarnings()
{
    QTest::failOnWarning(QRegularExpression(u"QSocketNotifier"_s));
    QVERIFY(makeStream(u"pinged"_s, u"pinged.>"_s));
    NatsConnectionOptions options = optionsFor();
    options.pingInterval = 200ms;
    options.maxPingsOut = 2;
    NatsConnectionOptions clientOptions = options;
    clientOptions.eventLoop = true;
    auto client = connectedClient(clientOptions);
    QVERIFY(client);
    auto publisher = connectedPublisher(options);
    QVERIFY(publisher);
    auto states = recordStates(*client);

    auto openDescriptors = [] {
        return QDir(u"/proc/self/fd"_s).entryList(QDir::Files | QDir::System).size();
    };
    const qsizetype descriptorsBefore = openDescriptors();

    QVERIFY(pauseByPid(m_server->pid()));
    QTRY_VERIFY_WITH_TIMEOUT(states->contains(NatsClient::State::Reconnecting), waitMs);
    QTRY_VERIFY_WITH_TIMEOUT(!publisher->isConnected(), waitMs);
    QTest::qWait(300); // the loops run on past the loss, as the node's do
    ::kill(pid_t(m_server->pid()), SIGCONT);

    QTRY_VERIFY_WITH_TIMEOUT(client->isConnected(), waitMs);
    QVERIFY(publishesAgain(*publisher, "pinged.after", "after", waitMs));
    // Each connection has one socket again (and the loop its duplicate): none is left open.
    QTRY_COMPARE_WITH_TIMEOUT(openDescriptors(), descriptorsBefore, waitMs);
}

// Something that accepts TCP connections on the NATS port but never speaks NATS: a hung or
// paused nats-server (the kernel still accepts), a proxy in front of one that is down. cnats
// waits connectTimeout for its greeting, and 3.4 then gives the connection up instead of
// retrying, so the publisher opens a new one. None of that may hold the publisher's thread,
// which serves every HTTP route of the node: open() returns at once, the thread's event loop
// keeps turning through several attempts, and POST /events hears "not connected" at once. When
// a real server takes the port, publishes are stored.
void TestNatsClient::aServerThatNeverGreetsDoesNotHoldThePublishersThread()
{
    auto silent = std::make_unique<QTcpServer>();
    QVERIFY(silent->listen(QHostAddress::LocalHost, 0));
    const quint16 port = silent->serverPort();
    NatsConnectionOptions options = optionsFor();
    options.url = u"nats://127.0.0.1:%1"_s.arg(port);
    options.connectTimeout = 1000ms;
    options.reconnectMax = 200ms; // a new connection 200 ms after one is given up
    NatsPublisher publisher(options);

    QElapsedTimer clock;
    clock.start();
    QString error;
    QVERIFY2(publisher.open(&error), qPrintable(error));
    const qint64 openMs = clock.elapsed();
    QVERIFY2(openMs < 500, qPrintable(u"open() took %1 ms"_s.arg(openMs)));

    qint64 last = clock.elapsed();
    qint64 longestGap = 0;
    QTimer tick;
    connect(&tick, &QTimer::timeout, this, [&] {
        longestGap = qMax(longestGap, clock.elapsed() - last);
        last = clock.elapsed();
    });
    tick.start(10);
    QTest::qWait(3000); // the first attempt, a new connection, and most of a third
    tick.stop();
    QVERIFY2(longestGap < 500, qPrintable(u"the thread stood still for %1 ms"_s.arg(longestGap)));
    QVERIFY(!publisher.isConnected());

    std::optional<NatsPublishResult> refused;
    QElapsedTimer publishClock;
    publishClock.start();
    publisher.publish("late.event", {}, "{}",
                      [&refused](const NatsPublishResult &result) { refused = result; });
    QTRY_VERIFY_WITH_TIMEOUT(refused.has_value(), 1000);
    QVERIFY(!refused->ok);
    QVERIFY2(refused->error.contains(u"not connected"_s), qPrintable(refused->error));
    QVERIFY2(publishClock.elapsed() < 200, qPrintable(u"%1 ms"_s.arg(publishClock.elapsed())));

    // One destroyed while its first attempt waits for the greeting waits for that attempt (at
    // most connectTimeout), and frees what it made.
    {
        NatsPublisher early(options);
        QVERIFY(early.open(&error));
        QTest::qWait(100);
        clock.restart();
    }
    QVERIFY2(clock.elapsed() < 1500, qPrintable(u"%1 ms"_s.arg(clock.elapsed())));

    silent.reset(); // its connections close with it
    m_server->stop();
    QVERIFY2(m_server->start(port), qPrintable(m_server->error()));
    QVERIFY(makeStream(u"late"_s, u"late.>"_s));
    QVERIFY(publishesAgain(publisher, "late.event", "{}", waitMs));
}

// Each connection's "connected" is one line in the log: the operator counting connections in
// the journal saw two per connection, one from open() and one from the state change.
void TestNatsClient::aConnectionIsLoggedOnce()
{
    const LogLines log("switchboard.nats");
    for (const bool eventLoop : {false, true}) {
        NatsConnectionOptions options = optionsFor();
        options.eventLoop = eventLoop;
        auto client = connectedClient(options);
        QVERIFY(client);
    }
    QTest::qWait(200); // a second line would have come with the state change already
    QCOMPARE(log.count(u"connected"_s), 2);
}

QTEST_GUILESS_MAIN(TestNatsClient)
// No stream takes the subject (deleted by an operator). NATS answers "no responders" at once,
// but cnats does not say to which publish, and a stored publish may still wait for its ack: the
// five in flight together wait for their timeout, with the reason; after them a publish goes out
// alone, so its answer is its own and comes at once, and one beside it is refused at once. Once
// the stream is back, the first ack ends that: publishes go out together again.
void TestNatsClient::publishesToNoStreamFailAtOnceOneAtATime()
{
    NatsConnectionOptions options = optionsFor();
    options.publishTimeout = 1000ms;
    auto publisher = connectedPublisher(options);
    QVERIFY(publisher);
    struct Outcome
    {
        std::optional<NatsPublishResult> result;
        qint64 ms = 0;
    };
    auto publish = [&publisher](const QByteArray &subject) {
        auto outcome = std::make_shared<Outcome>();
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        publisher->publish(subject, {}, "{}", [outcome, clock](const NatsPublishResult &result) {
            outcome->result = result;
            outcome->ms = clock->elapsed();
        });
        return outcome;
    };

    std::vector<std::shared_ptr<Outcome>> together;
    for (int i = 0; i < 5; ++i)
        together.push_back(publish("gone.event"));
    for (const auto &outcome : together) {
        QTRY_VERIFY_WITH_TIMEOUT(outcome->result.has_value(), 5000);
        QVERIFY(!outcome->result->ok);
        QVERIFY2(outcome->result->error.contains(u"no responders"_s),
                 qPrintable(outcome->result->error));
    }
    const auto alone = publish("gone.event");
    const auto beside = publish("gone.event");
    QTRY_VERIFY_WITH_TIMEOUT(alone->result.has_value() && beside->result.has_value(), 5000);
    for (const auto &outcome : {alone, beside}) {
        QVERIFY(!outcome->result->ok);
        QVERIFY2(outcome->result->error.startsWith(u"no JetStream stream takes the subject"_s),
                 qPrintable(outcome->result->error));
        QVERIFY2(outcome->ms < 500, qPrintable(u"%1 ms"_s.arg(outcome->ms)));
    }

    QVERIFY(makeStream(u"gone"_s, u"gone.>"_s));
    const auto first = publish("gone.event");
    QTRY_VERIFY_WITH_TIMEOUT(first->result.has_value(), 5000);
    QVERIFY2(first->result->ok, qPrintable(first->result->error));
    together.clear();
    for (int i = 0; i < 5; ++i)
        together.push_back(publish("gone.event"));
    for (const auto &outcome : together) {
        QTRY_VERIFY_WITH_TIMEOUT(outcome->result.has_value(), 5000);
        QVERIFY2(outcome->result->ok, qPrintable(outcome->result->error));
    }
}

#include "tst_natsclient.moc"
