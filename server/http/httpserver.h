#pragma once

#include "httprequest.h"
#include "httpresponder.h"

#include <QHostAddress>
#include <QHttpServerRequest>
#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QString>
#include <chrono>
#include <functional>

class QWebSocket;

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

class HttpServerPrivate;

struct HttpServerOptions
{
    qint64 bodyLimitBytes = 1024 * 1024; // larger request bodies are answered 413
    int listenBacklog = 4096; // QHttpServer::listen() would use 50 (STYLE.md trap 2)
    // A connection that owes no answer and has sent and received nothing for this long is
    // closed. Longer than the idle timeout of the load balancers in front (AWS ALB: 60 s), so
    // that they, not we, end an idle keep-alive connection.
    std::chrono::milliseconds idleTimeout {300'000};
    // An answer the client does not read for this long (its bytes wait, none leave): the
    // connection is closed, and the memory the answer held freed.
    std::chrono::milliseconds writeStallTimeout {30'000};
};

// The one place that knows QtHttpServer (its API changed in every release up to 6.8).
//
// Routes are "/health" or "/api/v1/ingress/dead-letters/{id}/replay": exact segments and
// {name} segments, which match one non-empty segment and land percent-decoded in
// HttpRequest::pathParams. When several routes match, the one with more exact segments wins.
// HEAD on a path with no HEAD route runs its GET route, and the answer leaves the body out.
// A path no route matches is answered 404, a path matched only for other methods 405 with an
// Allow header, a body above the limit 413; every error is JSON {"error","detail"}.
//
// Threads: the object lives in one thread (the "HTTP thread"). Call addRoute(), listen() and
// close() there; handlers run there, and a parked HttpResponder must be answered there.
//
// Connections: an idle one (no answer owed, nothing sent or received for idleTimeout) is closed,
// as is one whose client does not read its answer (writeStallTimeout). Out of descriptors, new
// connections are closed at once rather than retried in a busy loop (QTcpServer's behaviour).
//
// Requests pipelined on one connection are answered in order: one behind a parked responder
// runs once that one has answered (HttpConnectionState). A connection owing 32 answers, or
// holding 1 MiB of answers its client has not read, is not read until half of that is out. A
// request saying "Connection: close" (or HTTP/1.0 without keep-alive) is its connection's last.
class HttpServer : public QObject
{
    Q_OBJECT

public:
    using Handler = std::function<void(const HttpRequest &, HttpResponder &&)>;

    explicit HttpServer(HttpServerOptions options = {}, QObject *parent = nullptr);
    ~HttpServer() override;

    // A second route with the same method and pattern replaces the first (with a warning).
    void addRoute(QHttpServerRequest::Method method, const QString &pattern, Handler handler);
    // A WebSocket endpoint on an exact path. `accept` judges the upgrade request: 0 takes it,
    // and `connected` receives the socket (the caller owns it; it lives in this thread); any
    // other value is the HTTP status answered instead (401, 403). A request on the path that
    // is not an upgrade gets 426.
    using WebSocketAccept = std::function<int(const HttpRequest &)>;
    using WebSocketHandler = std::function<void(QWebSocket *)>;
    void addWebSocketRoute(const QString &path, WebSocketAccept accept, WebSocketHandler connected);
    // Listens on one more address and port (0 picks a free port; see serverPorts()).
    bool listen(const QHostAddress &address, quint16 port, QString *errorMessage = nullptr);
    // The ports listened on now, in the order of the listen() calls.
    QList<quint16> serverPorts() const;
    // Stops accepting connections (graceful shutdown); open connections and parked responders
    // are served on.
    void close();

private:
    HttpServerPrivate *m_d; // a child QObject, so it follows moveToThread()
};

} // namespace Switchboard
