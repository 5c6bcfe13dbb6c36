#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>
#include <deque>
#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QHttpServerResponder;
class QJsonArray;
class QJsonObject;
class QTcpSocket;
QT_END_NAMESPACE

namespace Switchboard {

class HttpServerPrivate;

// What a connection carries besides its bytes (a child of its socket, made when its first
// request comes): how many of its requests wait for their answer, and the requests pipelined
// behind one of those, each run once every answer before it is out (HTTP/1.1 answers in order;
// QtHttpServer 6.4 would write a later answer first). The idle timeout (httpserver.cpp) leaves a
// connection that owes an answer alone.
class HttpConnectionState : public QObject
{
    // of() finds it among the socket's children by its type.
    Q_OBJECT

public:
    static HttpConnectionState *of(QTcpSocket *socket, bool create);
    ~HttpConnectionState() override;

    int owed = 0;
    std::deque<std::function<void()>> deferred;
    qint64 lastActiveMs = 0; // last read or write, on the listening server's clock
    bool webSocket = false; // upgraded: the WebSocket's, not ours to time out
    // A request said "Connection: close": it is the last this connection runs (RFC 9112 9.6),
    // and the connection closes once its answer is out.
    bool closing = false;
    // The request QtHttpServer is about to parse says HTTP/1.0 in its request line (seen by the
    // read guard in httpserver.cpp; QtHttpServer 6.4 does not tell): without "Connection:
    // keep-alive" it is the connection's last, as if it had said "Connection: close".
    bool http10 = false;
    // The request being received, as the read guard (httpserver.cpp) saw its bytes arrive ahead
    // of QtHttpServer's parser: its head until the end of the head is seen, then that end.
    QByteArray head;
    qint64 headSize = -1;
    // Its body is chunked: its length is known only at its end, so the bytes that come are
    // counted against the body limit. A body with a Content-Length within the limit ends there
    // (what follows it is the next request's), and a request with neither has no body.
    bool chunked = false;
    qint64 requestBytes = 0; // head and body received so far
    qint64 requestStartedMs = 0; // its first byte, on the listening server's clock
    // The read guard stopped reading the connection: too many answers owed on it, or too many
    // bytes of them unsent (httpserver.cpp). `resume` reads on if that is over; settled() and
    // every write call it.
    bool paused = false;
    std::function<void()> resume;

    void settled(); // an answer is out (or dropped)
    // The answer to the "Connection: close" request was written: once it has left, the write
    // side is shut down (the client reads to the end of the answer, then sees the close), what
    // the client still sends is read and dropped (httpserver.cpp), and the connection is closed
    // when the client closes, or lingerMs later. Closed at once, with bytes unread, the kernel
    // would send a reset, which can destroy the answer before the client reads it.
    void closeOnceWritten(QTcpSocket *socket);

private:
    using QObject::QObject;
    static constexpr int lingerMs = 2000;
    bool m_scheduled = false;
    bool m_shutDown = false;
};

// A move-only handle to answer one HTTP request, now or later.
//
// A handler may answer before it returns, or keep the responder (for example in a
// std::shared_ptr captured by a lambda) and answer later: a long poll, or ingress after the
// JetStream ack. Answering must happen on the HttpServer's thread (the "HTTP thread"): the
// socket belongs to that thread, so work handed to an engine comes back with a queued call
// before it answers.
//
// The first send*() answers; later calls are ignored with a warning. When the client has gone
// meanwhile, the answer is dropped without touching the socket (see httpresponder.cpp for the
// QtHttpServer 6.4 crash this avoids). A responder destroyed without an answer while its
// client still waits answers 500 {"error":"internal","detail":"no response"}, so no client
// hangs forever.
class HttpResponder
{
public:
    HttpResponder(HttpResponder &&other) noexcept;
    HttpResponder &operator=(HttpResponder &&other); // answers a pending *this with 500 first
    ~HttpResponder();

    HttpResponder(const HttpResponder &) = delete;
    HttpResponder &operator=(const HttpResponder &) = delete;

    // Client still connected and not yet answered.
    bool isOpen() const;

    // Content-Type and Content-Length are written here; extraHeaders must not repeat them. The
    // answer to a HEAD request leaves the body out but keeps the Content-Length it would have.
    void send(int status, const QByteArray &body, const QByteArray &contentType,
              const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {});
    void sendJson(int status, const QJsonObject &object);
    void sendJson(int status, const QJsonArray &array);
    // Hands what send() wrote to the kernel now instead of at the next turn of the event loop:
    // for answers given just before the server and its sockets go away (a socket destroyed
    // with bytes in its buffer drops them).
    void flush();

    // {"error": error, "detail": detail}, the shape of every error this service returns.
    void sendError(int status, const QString &error, const QString &detail = {},
                   const QList<QPair<QByteArray, QByteArray>> &extraHeaders = {});

private:
    friend class HttpServerPrivate;
    // The body of sendError(); also used where the server answers without a responder.
    static QByteArray errorBody(const QString &error, const QString &detail);
    // `connection`: the socket's state, when the caller has it already (else looked up).
    HttpResponder(QHttpServerResponder &&responder, const QByteArray &methodName,
                  const QByteArray &encodedPath, HttpConnectionState *connection = nullptr);

    bool isClientConnected() const;
    void answerUnanswered(); // 500 if the client still waits, then forget the responder
    void settle(); // the request is answered (or dropped): one fewer owed on the connection
    // What the answer's Connection header says: nothing (HTTP/1.1 keeps the connection),
    // "close" (the request asked for it, or an HTTP/1.0 request did not ask to keep it; the
    // connection closes once the answer is out), or "keep-alive" (an HTTP/1.0 client keeps
    // the connection only when the answer says so).
    enum class Persistence { Default, Close, KeepAlive };
    void setPersistence(Persistence persistence) { m_persistence = persistence; }

    std::unique_ptr<QHttpServerResponder> m_responder; // null once answered or moved from
    QPointer<QTcpSocket> m_socket; // null once QtHttpServer deleted the disconnected socket
    QPointer<HttpConnectionState> m_connection; // the socket's child: gone with it
    QByteArray m_methodName; // for the request log line
    QByteArray m_path; // percent-encoded: safe to log as it is
    bool m_headersOnly = false; // a HEAD request: the answer has no body (RFC 9110 9.3.2)
    Persistence m_persistence = Persistence::Default;
    QElapsedTimer m_started;
};

} // namespace Switchboard
