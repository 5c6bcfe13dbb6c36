// The HTTP thread's epoll event dispatcher, in a thread of its own as the node runs it: timers,
// cross-thread wake-ups, sockets (thousands of idle ones beside one busy one), notifiers
// deleted while their event is pending.

#include "core/epolleventdispatcher.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QtTest>
#include <arpa/inet.h>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Switchboard;

namespace {

// A thread running an event loop on EpollEventDispatcher; run() executes a function there and
// waits for it.
class EpollThread
{
public:
    EpollThread()
    {
        m_thread.setEventDispatcher(new EpollEventDispatcher);
        m_context.moveToThread(&m_thread);
        m_thread.start();
    }
    ~EpollThread()
    {
        m_thread.quit();
        m_thread.wait(5000);
    }
    void run(const std::function<void()> &work)
    {
        QMetaObject::invokeMethod(&m_context, work, Qt::BlockingQueuedConnection);
    }
    QObject *context() { return &m_context; }
    QThread *thread() { return &m_thread; }

private:
    QThread m_thread;
    QObject m_context;
};

} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isTheThreadsDispatcher();
    void timersFireOnTimeAndRepeat();
    void postedWorkEndsALongWait();
    void oneBusySocketAmongThousandsOfIdleOnes();
    void notifierDeletedByAnEarlierHandlerIsNotCalled();
};

void TestEpollDispatcher::isTheThreadsDispatcher()
{
    EpollThread thread;
    bool epoll = false;
    thread.run([&] {
        epoll = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
    });
    QVERIFY(epoll);
}

void TestEpollDispatcher::timersFireOnTimeAndRepeat()
{
    EpollThread thread;
    std::atomic<qint64> singleShotMs {-1};
    std::atomic<int> ticks {0};
    QTimer *repeating = nullptr;
    thread.run([&] {
        auto *clock = new QElapsedTimer;
        clock->start();
        QTimer::singleShot(100, thread.context(), [&singleShotMs, clock] {
            singleShotMs = clock->elapsed();
            delete clock;
        });
        repeating = new QTimer(thread.context());
        QObject::connect(repeating, &QTimer::timeout, [&ticks] { ++ticks; });
        repeating->start(10);
    });
    QTRY_VERIFY_WITH_TIMEOUT(singleShotMs >= 0, 5000);
    QVERIFY2(singleShotMs >= 99 && singleShotMs < 2000, QByteArray::number(qint64(singleShotMs)));
    QTRY_VERIFY_WITH_TIMEOUT(ticks >= 10, 5000);
    thread.run([&] { repeating->stop(); });
    const int stoppedAt = ticks;
    QTest::qWait(100);
    QCOMPARE(int(ticks), stoppedAt);
    thread.run([&] { delete repeating; });
}

void TestEpollDispatcher::postedWorkEndsALongWait()
{
    EpollThread thread;
    // Only a timer an hour away: the thread sleeps in epoll_wait.
    thread.run([&] { QTimer::singleShot(3600 * 1000, thread.context(), [] {}); });
    QTest::qWait(50);
    QElapsedTimer clock;
    clock.start();
    std::atomic<bool> ran {false};
    QMetaObject::invokeMethod(
        thread.context(), [&ran] { ran = true; }, Qt::QueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(ran, 5000);
    QVERIFY2(clock.elapsed() < 1000, QByteArray::number(clock.elapsed()));
}

void TestEpollDispatcher::oneBusySocketAmongThousandsOfIdleOnes()
{
    EpollThread thread;
    QTcpServer *server = nullptr;
    std::atomic<int> accepted {0};
    std::atomic<int> echoed {0};
    bool listening = false;
    thread.run([&] {
        server = new QTcpServer;
        server->setListenBacklogSize(4096);
        listening = server->listen(QHostAddress::LocalHost);
        QObject::connect(server, &QTcpServer::newConnection, [&, server] {
            while (QTcpSocket *socket = server->nextPendingConnection()) {
                ++accepted;
                QObject::connect(socket, &QTcpSocket::readyRead, [socket, &echoed] {
                    socket->write(socket->readAll());
                    ++echoed;
                });
            }
        });
    });
    QVERIFY(listening);
    const quint16 port = server->serverPort();

    // 2000 idle connections (plain sockets, so that this thread's dispatcher is not involved).
    std::vector<int> idle;
    for (int i = 0; i < 2000; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
        idle.push_back(fd);
    }
    QTRY_COMPARE_WITH_TIMEOUT(int(accepted), 2000, 20000);

    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(client.waitForConnected(5000));
    for (int round = 0; round < 100; ++round) {
        client.write("ping");
        QVERIFY(client.waitForReadyRead(5000));
        QCOMPARE(client.readAll(), QByteArray("ping"));
    }
    QCOMPARE(int(echoed), 100);
    // Peers that leave are seen: their sockets read EOF and disconnect.
    for (const int fd : idle)
        ::close(fd);
    thread.run([&] { delete server; });
}

void TestEpollDispatcher::notifierDeletedByAnEarlierHandlerIsNotCalled()
{
    EpollThread thread;
    int pipes[2][2];
    QCOMPARE(::pipe(pipes[0]), 0);
    QCOMPARE(::pipe(pipes[1]), 0);
    std::atomic<int> calls {0};
    QPointer<QSocketNotifier> survivor[2];
    thread.run([&] {
        auto *first = new QSocketNotifier(pipes[0][0], QSocketNotifier::Read);
        auto *second = new QSocketNotifier(pipes[1][0], QSocketNotifier::Read);
        survivor[0] = first;
        survivor[1] = second;
        // Whichever runs first deletes the other: the other must not be called.
        QObject::connect(first, &QSocketNotifier::activated, [&calls, first, second] {
            ++calls;
            delete second;
            first->setEnabled(false);
        });
        QObject::connect(second, &QSocketNotifier::activated, [&calls, first, second] {
            ++calls;
            delete first;
            second->setEnabled(false);
        });
    });
    // Both readable before the thread turns: one epoll_wait reports both.
    bool written = false;
    thread.run(
        [&] { written = ::write(pipes[0][1], "x", 1) == 1 && ::write(pipes[1][1], "x", 1) == 1; });
    QVERIFY(written);
    QTest::qWait(200);
    QCOMPARE(int(calls), 1);
    // The one left, deleted in its thread before its descriptor closes.
    thread.run([&] {
        for (QPointer<QSocketNotifier> &notifier : survivor)
            delete notifier.data();
    });
    for (auto &pipe : pipes) {
        ::close(pipe[0]);
        ::close(pipe[1]);
    }
}

QTEST_GUILESS_MAIN(TestEpollDispatcher)
#include "tst_epolldispatcher.moc"
