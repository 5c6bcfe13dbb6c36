#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QPair>
#include <QString>
#include <QTimer>
#include <QUrl>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcHttpClient)

// A webhook URL as logs, metrics, the console and dead-letter views show it: without the user info
// of "https://user:password@host/hook", which HttpClient sends as Basic auth (/metrics answers
// whoever reaches the public port). Where a URL is an endpoint's identity (KV records, stored
// dead letters), it stays as configured.
QString webhookDisplayUrl(const QString &url);

struct HttpClientOptions
{
    int maxConnectionsPerHost = 32; // hard bound per (scheme, host, port)
    std::chrono::milliseconds idleTimeout {30000}; // close a keep-alive connection idle this long
    QByteArray userAgent = QByteArrayLiteral("Switchboard"); // sent as User-Agent
};

struct HttpClientResponse
{
    // HTTP status; 0 when no complete HTTP response arrived. A response is complete when its body
    // ended, or once more than 64 KiB of its body arrived: the rest is not read (the connection is
    // closed instead). A body cut short or stalled before that makes it incomplete: a server
    // failing after it sent its headers has no other way to say so.
    int status = 0;
    // Empty when a response arrived; else words an operator understands: "connection refused",
    // "timed out after 3000 ms waiting for a response" (or "connecting", "in the TLS handshake",
    // "reading the body of an HTTP 200 response" ...), "TLS: <reason>", "host not found",
    // "connection closed before a response", "bad response: <why>", "invalid URL: <why>" ...
    QString error;
    QByteArray bodyPrefix; // the first <= 512 bytes of the response body
    // The Location of a 3xx response (it is not followed), without user info, for error texts.
    QString location;
    bool abandoned = false; // never sent: abandonQueued() gave it up (`error` says why)
    bool ok() const { return error.isEmpty() && status >= 200 && status < 300; }
    // "HTTP 503", or "HTTP 302 (redirect to https://new.example/hook, not followed)".
    QString statusText() const;
};

// A lean asynchronous HTTP/1.1 client for POSTing events to webhook endpoints from an event loop:
// QNetworkAccessManager does ~13k requests/s here and opens at most 6 connections per host.
//
// Per (scheme, host, port) it keeps a pool of at most maxConnectionsPerHost keep-alive
// connections, each carrying one request at a time (no pipelining), and a FIFO queue of the
// requests waiting for a free connection.
//
// Delivery is at least once: a request sent on a reused keep-alive connection that closes before
// any byte of the response arrived is sent again, once, on a new connection (servers close idle
// connections whenever they like; browsers and QNAM retry the same way). A server that did act on
// the first copy but never answered sees the event twice, so receivers should deduplicate on an
// event id header. After response bytes arrived a request is never repeated.
//
// Threads: the object lives in one thread; call post() there. Callbacks run there too.
// Proxies: sockets use the application proxy (QNetworkProxy::applicationProxy(), none unless the
// application sets one).
class HttpClient : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const HttpClientResponse &)>;
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    explicit HttpClient(HttpClientOptions options = {}, QObject *parent = nullptr);
    // Aborts every socket. Callbacks not called yet are dropped, not called, even when the client
    // is destroyed from inside one of them.
    ~HttpClient() override;

    // POSTs `body` to `url` (http or https). `done` is called exactly once, in this object's
    // thread, never from inside post() itself (errors found here are delivered by a queued call).
    // `timeout` bounds the request from the moment it goes out (connect, send, response); time
    // spent waiting for a free connection is not counted: the caller bounds how many requests
    // it has outstanding.
    //
    // `headers` go out as given after Host, User-Agent and Content-Length (and Authorization when
    // the URL has user info). They must not set Host, Content-Length or Transfer-Encoding (the
    // request is refused with an error) nor repeat User-Agent; names and values must not contain
    // CR or LF.
    void post(const QUrl &url, const Headers &headers, const QByteArray &body,
              std::chrono::milliseconds timeout, Callback done);

    // Fails, with `error`, the requests to `url` still waiting for a free connection (those sent
    // already run their course); their callbacks run later, as post()'s errors do. For a caller
    // that gives up on an endpoint: they would only wait for connections that do not come back.
    void abandonQueued(const QUrl &url, const QString &error);

    int openConnections() const { return m_openConnections; } // all hosts
    int queuedRequests() const { return m_queuedRequests; } // waiting for a free connection

private:
    using Clock = std::chrono::steady_clock;
    struct Request;
    struct HostPool;
    class Connection;
    class Scope;
    friend class Scope;
    using Deadlines = std::multimap<Clock::time_point, Request *>;

    // What a URL resolves to, cached: parsing a QUrl costs several UTF-16 round trips.
    struct Target
    {
        HostPool *pool = nullptr;
        QByteArray head; // request line, Host, User-Agent, Authorization
    };
    struct Completion
    {
        Callback done;
        HttpClientResponse response;
    };

    const Target *targetFor(const QUrl &url, QString *error);
    void failLater(Callback done, QString error);
    void dispatch(HostPool *pool);
    void dispatchDirtyPools();
    void markDirty(HostPool *pool);
    void openConnection(HostPool *pool, std::unique_ptr<Request> request);
    void startDeadline(Request *request);
    void send(Connection *connection, std::unique_ptr<Request> request);
    void readResponse(Connection *connection);
    void onSocketGone(Connection *connection, int socketError);
    void closeConnection(Connection *connection);
    void purgeClosedConnections();
    void finish(std::unique_ptr<Request> request, HttpClientResponse response);
    void fail(std::unique_ptr<Request> request, QString error);
    void armDeadlineTimer();
    void expireDeadlines();
    static QString timeoutStage(const Connection *connection);
    void closeIdleConnections();
    void runCompletions();
    void scheduleCompletions();

    const HttpClientOptions m_options;
    std::map<QByteArray, std::unique_ptr<HostPool>> m_pools;
    QHash<QUrl, Target> m_targets;
    // Request deadlines, earliest first; one timer armed for the earliest (see armDeadlineTimer).
    Deadlines m_deadlines;
    QTimer m_deadlineTimer;
    Clock::time_point m_deadlineTimerFor {};
    QTimer m_idleTimer;
    std::vector<HostPool *> m_dirtyPools;
    std::vector<Connection *> m_closed; // closed, deleted when no handler of theirs is running
    std::deque<Completion> m_completions;
    bool m_completionsScheduled = false;
    int m_depth = 0; // nesting of Scopes: > 0 while our code is on the stack
    bool *m_destroyed = nullptr; // set by the destructor for runCompletions()
    int m_openConnections = 0;
    int m_queuedRequests = 0;
};

} // namespace Switchboard
