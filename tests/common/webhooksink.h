#pragma once

// A real, lean HTTP/1.1 server standing in for webhook endpoints in tests and benchmarks. It runs
// in its own thread, so a test blocked in QTRY_* or QSignalSpy::wait() does not starve it, and
// it records what arrived for the test to check.

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <functional>
#include <memory>

class QThread;

namespace Switchboard::Test {

// One request as the sink received it.
struct Received
{
    QByteArray method;
    QByteArray path; // the request target as sent, query included
    QList<QPair<QByteArray, QByteArray>> headers; // in arrival order, names as sent
    QByteArray body; // decoded when it came chunked
    // When its last byte was read: nanoseconds of std::chrono::steady_clock, the clock
    // QElapsedTimer::nsecsElapsed() and msecsSinceReference() use on Linux.
    qint64 arrivedNs = 0;

    // The first header with that name (compared ignoring case); empty when there is none.
    QByteArray header(QByteArrayView name) const;
};

class WebhookSink
{
public:
    using Received = Test::Received;

    // What to answer one request.
    struct Answer
    {
        int status = 200;
        QByteArray body = QByteArrayLiteral("{}"); // sent as application/json
        int delayMs = 0; // answer this much later (a timer in the sink's thread)
        bool closeWithoutAnswer = false; // close the connection instead of answering
        bool neverAnswer = false; // leave the client waiting; the connection serves nothing more
    };
    // Called in the sink's thread with the request and its 1-based index among the requests for
    // its path.
    using Responder = std::function<Answer(const Received &, int indexForPath)>;

    WebhookSink();
    ~WebhookSink(); // stops the server and its thread

    // Listens on a free port of 127.0.0.1. False when it could not.
    bool start();
    quint16 port() const { return m_port; }
    QString url(const QString &path = QStringLiteral("/hook")) const; // http://127.0.0.1:port/path

    // Everything below may be called from any thread.

    // The default answers 200 "{}" at once.
    void setResponder(Responder responder);
    // Off (for benchmarks): a request is recorded with its method, path, arrival time and
    // X-Event-Id header only, and the responder sees no other headers and no body.
    void setRecordBodies(bool on);

    QList<Received> received() const;
    QList<Received> received(const QString &path) const;
    int count() const;
    int count(const QString &path) const;
    // The most connections open at once since start() or clear().
    int maxConcurrentConnections() const;
    int openConnections() const;
    // Forgets the requests and counts; the maximum starts again from the connections open now.
    void clear();
    // Closes every connection that is waiting for its next request, as servers do with idle
    // keep-alive connections; returns when they are closed.
    void closeIdleConnections();

private:
    class Server;
    struct State;

    std::unique_ptr<State> m_state;
    std::unique_ptr<QThread> m_thread;
    Server *m_server = nullptr; // lives in m_thread
    quint16 m_port = 0;
};

} // namespace Switchboard::Test
