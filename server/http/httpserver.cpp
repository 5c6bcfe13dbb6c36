#include "httpserver.h"

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QHttpServerResponder>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>
#include <algorithm>
#include <cerrno>
#include <exception>
#include <fcntl.h>
#include <limits>
#include <memory>
#include <optional>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace Qt::Literals::StringLiterals;

namespace Switchboard {

Q_LOGGING_CATEGORY(lcHttp, "switchboard.http")

namespace {

using Method = QHttpServerRequest::Method;

// The order of the Allow header.
constexpr Method knownMethods[] = {Method::Get,     Method::Head,    Method::Post,
                                   Method::Put,     Method::Patch,   Method::Delete,
                                   Method::Options, Method::Connect, Method::Trace};

QByteArray methodName(Method method)
{
    switch (method) {
    case Method::Get:
        return "GET";
    case Method::Head:
        return "HEAD";
    case Method::Post:
        return "POST";
    case Method::Put:
        return "PUT";
    case Method::Patch:
        return "PATCH";
    case Method::Delete:
        return "DELETE";
    case Method::Options:
        return "OPTIONS";
    case Method::Connect:
        return "CONNECT";
    case Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

void answerHandlerFailure(HttpResponder &responder)
{
    // what() stays in the log: it may describe internals a client has no business seeing.
    if (responder.isOpen())
        responder.sendError(500, u"internal"_s, u"the request handler failed"_s);
}

QString tooLargeDetail(qint64 size, qint64 limit)
{
    return u"request body of %1 bytes exceeds the limit of %2 bytes"_s.arg(size).arg(limit);
}

// A path split at '/' with each segment percent-decoded: splitting before decoding keeps an
// encoded slash ("%2F") inside its segment, so "{id}" can hold one. Nothing when a segment is
// not UTF-8: decoded, "%FF" and "%FE" would both become U+FFFD, two ids one.
std::optional<QStringList> decodedSegments(const QByteArray &encodedPath)
{
    QStringList segments;
    for (const QByteArray &segment : encodedPath.split('/')) {
        const QByteArray bytes = QByteArray::fromPercentEncoding(segment);
        if (!bytes.isValidUtf8())
            return std::nullopt;
        segments.append(QString::fromUtf8(bytes));
    }
    return segments;
}

bool isParameter(QStringView segment)
{
    return segment.size() > 2 && segment.startsWith(u'{') && segment.endsWith(u'}');
}

struct Route
{
    Method method;
    QString pattern;
    QStringList segments; // the pattern split at '/'
    qsizetype exactSegments = 0;
    HttpServer::Handler handler;

    bool matches(const QStringList &pathSegments, QHash<QString, QString> *params) const
    {
        if (pathSegments.size() != segments.size())
            return false;
        for (qsizetype i = 0; i < segments.size(); ++i) {
            const QString &segment = segments.at(i);
            if (!isParameter(segment)) {
                if (segment != pathSegments.at(i))
                    return false;
            } else if (pathSegments.at(i).isEmpty()) {
                return false; // "/dead-letters/" has no id
            } else {
                params->insert(segment.sliced(1, segment.size() - 2), pathSegments.at(i));
            }
        }
        return true;
    }
};

// The trimmed value of the first header `name` in a header block (the first one counts, as in
// QtHttpServer); empty when there is none.
QByteArray headerValue(const QByteArray &headerBlock, QByteArrayView name)
{
    for (const QByteArray &line : headerBlock.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        if (line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.sliced(colon + 1).trimmed();
    }
    return {};
}

// What a request's header block says of its body's length: the Content-Length (-1 when there is
// none), or why the body cannot be told apart from the request after it (RFC 9112 6.3). A proxy
// in front that measured it another way than QtHttpServer's parser would take the rest for a
// request of its own (request smuggling): the parser takes the last of two Content-Lengths,
// reads "-1" as no body, and Transfer-Encoding over Content-Length.
struct BodyFraming
{
    qint64 contentLength = -1;
    bool transferEncoding = false; // chunked (QtHttpServer reads any Transfer-Encoding so)
    QString refusal; // empty when the framing is clear
};

BodyFraming bodyFraming(const QByteArray &headerBlock)
{
    BodyFraming framing;
    for (const QByteArray &line : headerBlock.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray name = line.first(colon).trimmed();
        if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) == 0) {
            framing.transferEncoding = true;
            continue;
        }
        if (name.compare("Content-Length", Qt::CaseInsensitive) != 0)
            continue;
        const QByteArray value = line.sliced(colon + 1).trimmed();
        const bool digits = !value.isEmpty() && value.size() <= 18
            && std::all_of(value.cbegin(), value.cend(),
                           [](char c) { return c >= '0' && c <= '9'; });
        if (!digits) {
            framing.refusal = u"Content-Length is not a number"_s;
            return framing;
        }
        const qint64 length = value.toLongLong();
        if (framing.contentLength >= 0 && framing.contentLength != length) {
            framing.refusal = u"two different Content-Lengths"_s;
            return framing;
        }
        framing.contentLength = length;
    }
    if (framing.transferEncoding && framing.contentLength >= 0)
        framing.refusal = u"both Content-Length and Transfer-Encoding"_s;
    return framing;
}

// Why QtHttpServer 6.4's header parser would refuse a request's header block, or nothing when it
// takes it. Its readHeader() ignores QHttpHeaderParser::parseHeaders()'s refusal, and the request
// then has no headers at all: no Content-Length nor Transfer-Encoding, so its body was read as the
// next request on the connection (request smuggling: bodyFraming() had framed it by them), and no
// Authorization or Connection either. The parser's limits (qhttpheaderparser.cpp): 100 fields,
// 100 KiB a field (its name, the colon and the value), 256 KiB in all, and a name that is a token
// (RFC 9110 5.1). `head` is the request line and the header block, with its blank line.
struct HeaderBlockProblem
{
    int status = 0; // 0: none
    QString detail;
};

HeaderBlockProblem headerBlockProblem(QByteArrayView head)
{
    constexpr qsizetype maxFieldCount = 100;
    constexpr qsizetype maxFieldSize = 100 * 1024;
    constexpr qsizetype maxTotalSize = 256 * 1024;
    const auto tooLarge = [](const QString &detail) {
        return HeaderBlockProblem {431, detail};
    };
    const auto spaceStart = [](QByteArrayView h) {
        return h.startsWith(' ') || h.startsWith('\t');
    };
    const auto tokenCharacter = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
    };
    QByteArrayView block = head.sliced(head.indexOf('\n') + 1);
    if (spaceStart(block))
        return {400, u"a header line starts with a space"_s};
    while (const int tail = block.endsWith("\n\r\n") ? 2 : block.endsWith("\n\n") ? 1 : 0)
        block.chop(tail);
    if (block.size() - (block.endsWith("\r\n") ? 2 : 1) > maxTotalSize)
        return tooLarge(u"the headers exceed %1 bytes"_s.arg(maxTotalSize));
    qsizetype fields = 0;
    while (!block.isEmpty()) {
        const qsizetype colon = block.indexOf(':');
        if (colon < 0)
            return fields == 0 && (block == "\n" || block == "\r\n")
                ? HeaderBlockProblem()
                : HeaderBlockProblem {400, u"a header line has no colon"_s};
        if (fields >= maxFieldCount)
            return tooLarge(u"more than %1 header fields"_s.arg(maxFieldCount));
        const QByteArrayView name = block.first(colon);
        if (name.isEmpty() || !std::all_of(name.begin(), name.end(), tokenCharacter))
            return {400, u"a header name is not a token (RFC 9110 5.1)"_s};
        block = block.sliced(colon + 1);
        qsizetype space = maxFieldSize - name.size() - 1;
        do {
            const qsizetype lineEnd = block.indexOf('\n');
            if (lineEnd < 0)
                return {400, u"a header line has no end"_s};
            const QByteArrayView line = block.first(lineEnd);
            space -= line.size() - (line.endsWith('\r') ? 1 : 0);
            if (space < 0)
                return tooLarge(u"a header field exceeds %1 bytes"_s.arg(maxFieldSize));
            block = block.sliced(lineEnd + 1);
        } while (spaceStart(block));
        ++fields;
    }
    return {};
}

// Where the request line starts in the bytes that came for a request. QtHttpServer's parser
// skips the line breaks and blanks before it (what a client sent after its previous request,
// RFC 9112 2.2): they are not the request line, and two of them are not the end of a head.
qsizetype requestLineStart(QByteArrayView bytes)
{
    const auto blank = [](char c) {
        return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\v';
    };
    qsizetype start = 0;
    while (start < bytes.size() && blank(bytes[start]))
        ++start;
    return start;
}

// Whether an HTTP/1.1 request waits for "100 Continue" before it sends its body (an HTTP/1.0
// client cannot understand the interim answer, RFC 9110 10.1.1).
bool expectsContinue(const QByteArray &headerBlock)
{
    const QByteArray requestLine = headerBlock.first(headerBlock.indexOf('\n')).trimmed();
    const QByteArray expect = headerValue(headerBlock, "Expect");
    return requestLine.endsWith(" HTTP/1.1")
        && expect.compare("100-continue", Qt::CaseInsensitive) == 0;
}

// Whether a Connection header's comma-separated options include `option` (RFC 9110 7.6.1).
// Without an allocation: it runs for every request that has the header.
bool hasConnectionOption(QByteArrayView value, QByteArrayView option)
{
    while (!value.isEmpty()) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView each = comma < 0 ? value : value.first(comma);
        if (each.trimmed().compare(option, Qt::CaseInsensitive) == 0)
            return true;
        value = comma < 0 ? QByteArrayView() : value.sliced(comma + 1);
    }
    return false;
}

} // namespace

// QAbstractHttpServer, kept out of HttpServer's public API.
class HttpServerPrivate : public QAbstractHttpServer
{
public:
    HttpServerPrivate(const HttpServerOptions &options, QObject *parent)
        : QAbstractHttpServer(parent)
        , m_options(options)
    {
        // QtHttpServer 6.4 hands an upgrade over only when this signal has a receiver
        // (qabstracthttpserver.cpp:88-100).
        connect(this, &QAbstractHttpServer::newWebSocketConnection, this,
                &HttpServerPrivate::takeWebSockets);
    }

    struct WebSocketRoute
    {
        HttpServer::WebSocketAccept accept;
        HttpServer::WebSocketHandler connected;
    };
    QHash<QString, WebSocketRoute> m_webSocketRoutes; // by exact path

    void addRoute(Method method, const QString &pattern, HttpServer::Handler handler);
    bool listenOn(const QHostAddress &address, quint16 port, QString *errorMessage);

    // Looks at the bytes of a request that just arrived, before QtHttpServer's parser reads
    // them (BodyLimitTcpServer): keeps its head until the end of the head is seen, then notes
    // in `state` whether it is HTTP/1.0 and answers 100 Continue to a request within the limit
    // that expects it. A request the node must not read on (a head above maxHeadBytes, a
    // declared body above `limit`, a body that arrives beyond it, an unclear body length) is
    // answered on the raw socket and taken away from the parser: returns how many bytes of it
    // are still to come then (as many as there may be when it is not known); empty otherwise.
    std::optional<qint64> inspectArrival(QTcpSocket *socket, HttpConnectionState *state);
    // Answers `status` on the raw socket and closes the connection (at once when an earlier
    // answer is still owed on it); returns the bytes still to come: as many as there may be.
    std::optional<qint64> refuse(QTcpSocket *socket, HttpConnectionState *state, int status,
                                 const char *reason, const QString &error, const QString &detail);

    // The longest request head (request line and headers) the node reads: 1 MiB, as Go's
    // net/http (DefaultMaxHeaderBytes) read them for the services Switchboard replaces.
    static constexpr qint64 maxHeadBytes = 1024 * 1024;
    // What inspectArrival() first looks at for the end of a head (see there).
    static constexpr qint64 firstLookBytes = 16 * 1024;

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    // Answers a request (or hands it to its handler); requests pipelined behind one not
    // answered yet come here once it is.
    void route(HttpRequest httpRequest, HttpResponder &&answer, const QByteArray &encodedPath);
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void takeWebSockets();

    struct Match
    {
        const Route *route = nullptr;
        QHash<QString, QString> params;
        QList<Method> otherMethods; // of the routes whose pattern matches
    };
    Match findRoute(Method method, const QStringList &pathSegments) const;

    const HttpServerOptions m_options;
    QList<Route> m_routes;
};

namespace {

// A QTcpServer that sees each request's bytes before QtHttpServer's parser reads them.
//
// QtHttpServer 6.4 keeps a whole request (in the socket's read transaction and again in the
// request) before handleRequest() runs, however long it is: a limit checked there protects the
// handlers but not the memory (a client sending a chunked body, or one header, without end grew
// the node by twice what it sent). QtHttpServer takes each socket from nextPendingConnection()
// and only then connects its readyRead handler (qabstracthttpserver.cpp:41-46); the handler
// connected here comes first, so it runs first, sees each read before the parser does
// (HttpServerPrivate::inspectArrival()), and can refuse a request before more of it is kept: a
// head above 1 MiB (431), a Content-Length above the limit (413, before the body is read), a
// body arriving beyond it (413), an unclear body length (400). It also answers 100 Continue to a
// request within the limit that waits for one.
//
// Pipelined requests: QtHttpServer parses one request per readyRead and emits it again (queued)
// for the bytes left behind it, so each request's head comes here. Limitation: the bytes
// pipelined behind a chunked body, read with it, count against that body.
//
// It also accepts the connections itself (acceptPending()) and watches each one (guard()).
class BodyLimitTcpServer : public QTcpServer
{
public:
    explicit BodyLimitTcpServer(const HttpServerOptions &options)
        : m_readCap(2 * options.bodyLimitBytes + 2 * HttpServerPrivate::maxHeadBytes + 65536)
        , m_idleTimeout(options.idleTimeout)
        , m_writeStallTimeout(std::min(options.writeStallTimeout, options.idleTimeout))
    {
        m_clock.start();
        // A quarter of the shorter timeout: a connection is closed at most that much late.
        m_sweep.setInterval(std::clamp<qint64>(m_writeStallTimeout.count() / 4, 25, 1000));
        connect(&m_sweep, &QTimer::timeout, this, &BodyLimitTcpServer::sweep);
    }
    ~BodyLimitTcpServer() override { stop(); }

    bool start(const QHostAddress &address, quint16 port)
    {
        if (!listen(address, port))
            return false;
        // QTcpServer takes a failed accept() for a passing one and tries again at the next
        // turn of the event loop: out of descriptors, the node spun at 100 % of a core and
        // answered nothing. Its notifier stays off; ours accepts.
        // A notifier is one per descriptor and kind in an event dispatcher, and QTcpServer turns
        // its own on again in every nextPendingConnection(): ours watches a duplicate.
        pauseAccepting();
        m_listening = ::fcntl(int(socketDescriptor()), F_DUPFD_CLOEXEC, 0);
        if (m_listening < 0) {
            close();
            return false;
        }
        m_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        m_acceptor = new QSocketNotifier(m_listening, QSocketNotifier::Read, this);
        connect(m_acceptor, &QSocketNotifier::activated, this, &BodyLimitTcpServer::acceptPending);
        return true;
    }

    void stop()
    {
        delete m_acceptor;
        m_acceptor = nullptr;
        for (int *fd : {&m_spare, &m_listening}) {
            if (*fd >= 0)
                ::close(*fd);
            *fd = -1;
        }
        close();
    }

    QTcpSocket *nextPendingConnection() override
    {
        QTcpSocket *socket = QTcpServer::nextPendingConnection();
        pauseAccepting(); // QTcpServer resumed its own accepting
        if (!socket)
            return nullptr;
        // The socket's child: it lives as long as the lambda below, whose context is the socket.
        HttpConnectionState *state = guard(socket);
        // `unread`: body bytes of a refused request still to come, empty while none is refused.
        const auto guard = [this, socket, state, unread = std::optional<qint64>()]() mutable {
            if (state->closing) {
                // After a "Connection: close" request: nothing more is run or answered (RFC
                // 9112 9.6), and what comes is read, so that closing sends no reset.
                socket->readAll();
                return;
            }
            if (state->paused) {
                // What came before reading stopped: kept in our transaction (see pause()).
                socket->skip(socket->bytesAvailable());
                return;
            }
            if (!unread) {
                // QtHttpServer's parser keeps a read transaction open from the first byte of a
                // request to its end: none open, these bytes start a request.
                if (!socket->isTransactionStarted()) {
                    if (mustWait(socket, state))
                        return pause(socket, state);
                    state->head.clear();
                    state->headSize = -1;
                    state->chunked = false;
                    state->requestBytes = 0;
                    state->requestStartedMs = m_clock.elapsed();
                }
                // Qt reads what the kernel has into the socket's buffer at every turn of the
                // event loop, and QtHttpServer's parser takes one request from it per turn: a
                // client sending faster than the node answers filled it without bound. Past what
                // one request may take, Qt stops reading until the parser has caught up (this
                // runs again for each request it takes), and the client's sends wait.
                const qint64 buffered = socket->bytesAvailable();
                socket->setReadBufferSize(buffered > m_readCap ? buffered : 0);
                unread = static_cast<HttpServerPrivate *>(parent())->inspectArrival(socket, state);
                if (!unread)
                    return;
                // Lingering close: closing with unread data makes the kernel send a reset,
                // which can destroy our answer at the client before it reads it. So we read
                // and discard the body the client sends anyway, for a bounded time.
                QTimer::singleShot(lingerMs, socket, [socket] { socket->disconnectFromHost(); });
            } else {
                *unread -= socket->readAll().size(); // never for QtHttpServer's parser
            }
            if (*unread <= 0)
                socket->disconnectFromHost(); // flushes our answer first
        };
        connect(socket, &QIODevice::readyRead, socket, guard);
        return socket;
    }

private:
    // Requests pipelined on one connection are each parsed and kept until their answers are
    // out (HttpConnectionState::deferred), and each answer is kept until the client reads it:
    // a client pipelining behind a held answer, or reading no answer, had the node keep all it
    // sent. The guard stops reading such a connection between two requests (pause()), and
    // reads on once half of it is answered or written (resume()). 32 answers owed is far more
    // than any client pipelines (browsers and most HTTP clients do not pipeline at all).
    static constexpr int maxOwed = 32;
    static constexpr qint64 maxUnsentBytes = 1024 * 1024;

    static bool mustWait(QTcpSocket *socket, const HttpConnectionState *state)
    {
        return socket->bytesAvailable() > 0
            && (state->owed >= maxOwed || socket->bytesToWrite() >= maxUnsentBytes);
    }

    // QtHttpServer's parser reads whatever the socket holds at each readyRead, and its handler
    // cannot be held back: the bytes are hidden from it in a read transaction of our own,
    // skipped to their end (the parser, finding a transaction open, reads on from there and
    // finds nothing); and Qt stops reading from the kernel, so the client's sends wait (TCP
    // flow control).
    void pause(QTcpSocket *socket, HttpConnectionState *state)
    {
        state->paused = true;
        socket->setReadBufferSize(socket->bytesAvailable());
        socket->startTransaction();
        socket->skip(socket->bytesAvailable());
        if (!state->resume) {
            state->resume = [socket, state] {
                if (!state->paused || state->owed > maxOwed / 2
                    || socket->bytesToWrite() > maxUnsentBytes / 2)
                    return;
                state->paused = false;
                socket->rollbackTransaction();
                socket->setReadBufferSize(0);
                // The parser's turn, as QtHttpServer gives it for bytes left behind a request.
                QMetaObject::invokeMethod(socket, &QIODevice::readyRead, Qt::QueuedConnection);
            };
            connect(socket, &QIODevice::bytesWritten, state, [state] {
                if (state->paused)
                    state->resume();
            });
        }
    }

    // Closes a connection that is idle (owes no answer, nothing sent or received for
    // m_idleTimeout: an idle keep-alive, a client that opened and sent nothing, a request
    // that stopped halfway), or whose answer the client does not read (m_writeStallTimeout
    // without a byte leaving). A connection holding a long poll owes an answer and is left to
    // its handler's deadline; one upgraded to a WebSocket is the WebSocket's. Each connection
    // only notes when it last moved; one timer sweeps them all (a QTimer per connection,
    // restarted at every read and write, cost the event loop per connection and per turn).
    HttpConnectionState *guard(QTcpSocket *socket)
    {
        HttpConnectionState *state = HttpConnectionState::of(socket, true);
        state->lastActiveMs = m_clock.elapsed();
        const auto active = [this, state] {
            state->lastActiveMs = m_clock.elapsed();
        };
        connect(socket, &QIODevice::readyRead, state, active);
        connect(socket, &QIODevice::bytesWritten, state, active);
        m_watched.push_back({socket, state});
        if (!m_sweep.isActive())
            m_sweep.start();
        return state;
    }

    void sweep()
    {
        const qint64 now = m_clock.elapsed();
        // The state is the socket's child: gone with it.
        std::erase_if(m_watched, [](const Watched &watched) { return !watched.socket; });
        for (const Watched &watched : std::as_const(m_watched)) {
            QTcpSocket *socket = watched.socket;
            const HttpConnectionState *state = watched.state;
            if (state->webSocket || socket->state() != QAbstractSocket::ConnectedState)
                continue;
            const qint64 quiet = now - state->lastActiveMs;
            const bool stalled = socket->bytesToWrite() > 0;
            // A request still incomplete an idle timeout after its first byte: a client that
            // sends a byte now and then is never quiet for long (slowloris), and held its
            // connection for ever.
            const bool unfinished = state->owed == 0 && !state->paused
                && socket->isTransactionStarted()
                && now - state->requestStartedMs >= m_idleTimeout.count();
            if (!unfinished
                && (stalled ? quiet < m_writeStallTimeout.count()
                            : quiet < m_idleTimeout.count() || state->owed > 0))
                continue;
            qCDebug(lcHttp, "closing a connection from %s: %s",
                    qPrintable(socket->peerAddress().toString()),
                    unfinished    ? "its request is not complete after the idle timeout"
                        : stalled ? "the client does not read its answer"
                                  : "idle");
            socket->abort(); // its buffered answer goes with it
        }
        if (m_watched.empty())
            m_sweep.stop();
    }

    void acceptPending()
    {
        // Bounded, so that a flood of connections leaves the loop room for the others.
        for (int i = 0; i < 64; ++i) {
            const int fd = ::accept4(m_listening, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd >= 0) {
                incomingConnection(fd);
                Q_EMIT newConnection();
                continue;
            }
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return; // none left
            if (errno == EMFILE || errno == ENFILE)
                return shed();
            // ENOBUFS, ENOMEM, a firewall's EPERM: the connection stays in the queue, and the
            // socket readable; trying again at once would spin.
            const int error = errno;
            pauseAcceptingFor(100);
            logOnceIn10s(u"cannot accept connections on port %1: %2"_s.arg(serverPort())
                             .arg(qt_error_string(error)));
            return;
        }
    }

    void pauseAcceptingFor(int ms)
    {
        if (!m_acceptor)
            return;
        m_acceptor->setEnabled(false);
        QTimer::singleShot(ms, m_acceptor, [notifier = m_acceptor] { notifier->setEnabled(true); });
    }

    void logOnceIn10s(const QString &line)
    {
        if (m_acceptLog.isValid() && m_acceptLog.elapsed() < 10'000)
            return;
        qCCritical(lcHttp).noquote() << line;
        m_acceptLog.start();
    }

    // Out of descriptors. The connections waiting would wait (and be tried again, in a busy
    // loop) until some other closes: the spare descriptor is given up to take each one and close
    // it at once, so that its client hears it was refused. Without a spare (another thread took
    // the one freed), accepting pauses, and the spare is asked for again each time.
    void shed()
    {
        if (m_spare < 0)
            m_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        int refused = 0;
        if (m_spare >= 0) {
            ::close(m_spare);
            m_spare = -1;
            int fd = -1;
            while (refused < 1024
                   && (fd = ::accept4(m_listening, nullptr, nullptr, SOCK_CLOEXEC)) >= 0) {
                ::close(fd);
                ++refused;
            }
            m_spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        if (m_spare < 0)
            pauseAcceptingFor(100);
        struct rlimit limit
        {
        };
        ::getrlimit(RLIMIT_NOFILE, &limit);
        logOnceIn10s(u"out of file descriptors (limit %1): new connections on port %2 are closed "
                     "at once (%3 just now) until some close; raise LimitNOFILE, or look at who "
                     "holds them (ls /proc/%4/fd)"_s.arg(static_cast<qulonglong>(limit.rlim_cur))
                         .arg(serverPort())
                         .arg(refused)
                         .arg(::getpid()));
    }

    static constexpr int lingerMs = 2000;
    // What the socket's buffer may hold before Qt stops reading: more than the largest request
    // the guard lets through (a chunked body of twice the limit and its head), so that a request
    // always fits whole (the parser keeps it in the buffer until its end).
    const qint64 m_readCap;
    const std::chrono::milliseconds m_idleTimeout;
    const std::chrono::milliseconds m_writeStallTimeout;
    QSocketNotifier *m_acceptor = nullptr;
    int m_listening = -1; // a duplicate of the listening socket's descriptor, for m_acceptor
    int m_spare = -1; // /dev/null, held for shed()
    QElapsedTimer m_acceptLog;
    QElapsedTimer m_clock; // connections' last activity, in ms since the server started
    QTimer m_sweep;
    struct Watched
    {
        QPointer<QTcpSocket> socket;
        HttpConnectionState *state; // the socket's child
    };
    std::vector<Watched> m_watched;
};

} // namespace

std::optional<qint64> HttpServerPrivate::inspectArrival(QTcpSocket *socket,
                                                        HttpConnectionState *state)
{
    const qint64 limit = m_options.bodyLimitBytes;
    const qint64 arrived = socket->bytesAvailable();
    state->requestBytes += arrived;
    if (state->headSize < 0) {
        // Only what is new lies ahead of the read position: the parser has read the rest.
        const qsizetype seen = state->head.size();
        qsizetype start = 0; // of the request line
        const auto headEnd = [&] {
            start = requestLineStart(state->head);
            const qsizetype from = std::max<qsizetype>(start, seen - 3);
            qsizetype end = state->head.indexOf("\r\n\r\n", from);
            if (end >= 0)
                return end + 4;
            end = state->head.indexOf("\n\n", from); // QtHttpServer takes bare LF ends too
            return end >= 0 ? end + 2 : end;
        };
        // peek(n) allocates n bytes before it shrinks to what there is: ask for what there is.
        // A head ends within a few KiB, and what lies behind it may be many requests pipelined
        // (each of which comes here): a first look at a few KiB, at most 1 MiB if it does not end
        // there. The parser reads the whole of an unfinished head, so all of it is kept then.
        const qint64 wanted = std::min(arrived, maxHeadBytes + 4 - seen);
        state->head += socket->peek(std::min<qint64>(wanted, firstLookBytes));
        qsizetype headSize = headEnd();
        if (headSize < 0 && wanted > firstLookBytes) {
            state->head.truncate(seen);
            state->head += socket->peek(wanted);
            headSize = headEnd();
        }
        if (headSize < 0 || headSize > maxHeadBytes) {
            if (state->head.size() <= maxHeadBytes)
                return {}; // the rest of the head is still to come
            return refuse(socket, state, 431, "Request Header Fields Too Large",
                          u"request_header_fields_too_large"_s,
                          u"the request line and headers exceed %1 bytes"_s.arg(maxHeadBytes));
        }
        state->headSize = headSize; // with the blanks before it: they are in the parser's count
        const QByteArray head = std::exchange(state->head, {}).sliced(start, headSize - start);
        // An HTTP/1.0 client without keep-alive reads its answer to the end of the connection
        // (ApacheBench, `printf ... | nc`, some load balancers' checks): held open, it waited
        // for the idle timeout.
        const qsizetype lineEnd = head.indexOf('\n');
        state->http10 =
            lineEnd > 0 && QByteArrayView(head).first(lineEnd).trimmed().endsWith(" HTTP/1.0");
        if (const HeaderBlockProblem problem = headerBlockProblem(head); problem.status != 0) {
            return problem.status == 431
                ? refuse(socket, state, 431, "Request Header Fields Too Large",
                         u"request_header_fields_too_large"_s, problem.detail)
                : refuse(socket, state, 400, "Bad Request", u"bad_request"_s, problem.detail);
        }
        const BodyFraming framing = bodyFraming(head);
        if (!framing.refusal.isEmpty())
            return refuse(socket, state, 400, "Bad Request", u"bad_request"_s, framing.refusal);
        state->chunked = framing.transferEncoding;
        const qint64 length = framing.contentLength;
        if (length > limit) {
            qCDebug(lcHttp, "413 from Content-Length %lld before reading the body, client %s",
                    length, qPrintable(socket->peerAddress().toString()));
            const std::optional<qint64> refused =
                refuse(socket, state, 413, "Request Entity Too Large", u"payload_too_large"_s,
                       tooLargeDetail(length, limit));
            return std::min(*refused, length - (state->requestBytes - headSize));
        }
        // QtHttpServer 6.4 ignores "Expect: 100-continue", and a client that sends it holds the
        // body back until it hears 100 Continue or tires of waiting (curl: 1 s per request). So
        // we say it here, when nothing of the body has come yet; the parser, next in line, sees
        // only the request. A chunked body waits for it as much as one of known length.
        if ((length > 0 || state->chunked) && state->requestBytes == headSize
            && expectsContinue(head))
            socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    // A chunked body has no length to judge before it comes; the parser would keep all of it.
    // The chunks' framing may take as much again as the body (bytes past the request, pipelined
    // behind it in the same read, count too). Only a chunked body: the bytes behind a request
    // of known length are the next request's, and a client pipelining a few MiB of small
    // requests was refused with 413 after a few answers.
    const qint64 bodyBytes = state->requestBytes - state->headSize;
    if (state->chunked && bodyBytes > 2 * limit + maxHeadBytes) {
        return refuse(socket, state, 413, "Request Entity Too Large", u"payload_too_large"_s,
                      u"request body exceeds the limit of %1 bytes"_s.arg(limit));
    }
    return {};
}

std::optional<qint64> HttpServerPrivate::refuse(QTcpSocket *socket, HttpConnectionState *state,
                                                int status, const char *reason,
                                                const QString &error, const QString &detail)
{
    // The parser reads no more of this connection (it would start its read transaction again,
    // and keep what comes), and lets go of what it kept of the request.
    disconnect(socket, &QIODevice::readyRead, this, nullptr);
    if (socket->isTransactionStarted())
        socket->commitTransaction();
    if (state->owed > 0) {
        // An answer to an earlier request is still to be written: this one must not pass it.
        socket->abort();
        return 0;
    }
    const QByteArray body = HttpResponder::errorBody(error, detail);
    // QtHttpServer's parser has not finished this request (its handler is next in line), so we
    // answer on the raw socket and take the request away from it.
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    socket->readAll();
    return std::numeric_limits<qint64>::max();
}

void HttpServerPrivate::addRoute(Method method, const QString &pattern, HttpServer::Handler handler)
{
    if (!pattern.startsWith(u'/')) {
        qCWarning(lcHttp) << "route pattern" << pattern << "does not start with '/'; ignored";
        return;
    }
    Route route {method, pattern, pattern.split(u'/'), 0, std::move(handler)};
    route.exactSegments =
        std::count_if(route.segments.cbegin(), route.segments.cend(),
                      [](const QString &segment) { return !isParameter(segment); });
    for (Route &existing : m_routes) {
        if (existing.method == method && existing.pattern == pattern) {
            qCWarning(lcHttp, "route %s %s registered twice; the last one wins",
                      methodName(method).constData(), qPrintable(pattern));
            existing = std::move(route);
            return;
        }
    }
    m_routes.append(std::move(route));
}

bool HttpServerPrivate::listenOn(const QHostAddress &address, quint16 port, QString *errorMessage)
{
    // Our own QTcpServer: QAbstractHttpServer::listen() keeps QTcpServer's backlog of 50, too
    // few for bursts of connections (STYLE.md trap 2).
    auto server = std::make_unique<BodyLimitTcpServer>(m_options);
    server->setListenBacklogSize(m_options.listenBacklog);
    if (!server->start(address, port)) {
        if (errorMessage) {
            *errorMessage = u"cannot listen on %1 port %2: %3"_s.arg(address.toString())
                                .arg(port)
                                .arg(server->errorString());
        }
        return false;
    }
    qCInfo(lcHttp, "listening on %s port %u", qPrintable(address.toString()),
           unsigned(server->serverPort()));
    bind(server.release()); // reparents the server to us
    return true;
}

HttpServerPrivate::Match HttpServerPrivate::findRoute(Method method,
                                                      const QStringList &pathSegments) const
{
    Match best;
    for (const Route &route : m_routes) {
        QHash<QString, QString> params;
        if (!route.matches(pathSegments, &params))
            continue;
        if (route.method != method) {
            best.otherMethods.append(route.method);
        } else if (!best.route || route.exactSegments > best.route->exactSegments) {
            best.route = &route;
            best.params = std::move(params);
        }
    }
    return best;
}

bool HttpServerPrivate::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QUrl url = request.url();
    const QByteArray encodedPath = url.path(QUrl::FullyEncoded).toLatin1();
    HttpRequest httpRequest;
    httpRequest.method = request.method();
    httpRequest.methodName = methodName(httpRequest.method);
    httpRequest.path = url.path(QUrl::FullyDecoded);
    // Form decoding, as Go's url.ParseQuery (gin's c.Query) did: '+' is a space, "%2B" a plus.
    // URLSearchParams and axios send a space as '+': "ORDER+STATUS" must find "ORDER STATUS".
    httpRequest.query = QUrlQuery(url.query(QUrl::FullyEncoded).replace(u'+', u"%20"_s));
    httpRequest.headers = request.headers();
    httpRequest.body = request.body();
    httpRequest.remoteAddress = request.remoteAddress();

    // One lookup per request (a child search): the responder below is given it.
    HttpConnectionState *state = HttpConnectionState::of(socket, true);
    if (state->closing) {
        // After a "Connection: close" request in the same read: not run (RFC 9112 9.6). An
        // upgrade would be taken over by the WebSocket server if we said it was handled: false
        // closes the connection instead.
        return request.value("upgrade").isEmpty();
    }
    const QByteArray connection = request.value("connection");
    // As QtHttpServer tells an upgrade: "upgrade" anywhere in the Connection header.
    const bool webSocketUpgrade = connection.toLower().contains("upgrade")
        && request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0;
    if (webSocketUpgrade && state->owed > 0) {
        // Pipelined behind a request whose answer is still held (a long poll): QtHttpServer
        // closes the connection or takes it for a WebSocket as soon as this returns, so neither
        // a 404 nor a 101 can wait for that answer, and written now either would pass it (the
        // client took the 404 for its poll's answer). As refuse() does: the connection ends.
        socket->abort();
        return false;
    }
    const auto webSocketRoute = m_webSocketRoutes.constFind(httpRequest.path);
    // A request for a WebSocket route without the upgrade (or with "Upgrade: websocket" and no
    // "Connection: upgrade", which QtHttpServer does not take for one: accepted here, it was
    // never answered) is an ordinary one, answered 426 by route() in its turn: answered here,
    // it passed an answer still held before it.
    if (webSocketRoute != m_webSocketRoutes.cend() && webSocketUpgrade) {
        const int refusal = webSocketRoute->accept(httpRequest);
        if (refusal == 0) {
            state->webSocket = true; // no idle timeout of ours
            return true; // QtHttpServer now hands the socket to its WebSocket server
        }
        HttpResponder refused(makeResponder(request, socket), httpRequest.methodName, encodedPath,
                              state);
        refused.sendError(refusal, refusal == 401 ? u"unauthorized"_s : u"forbidden"_s,
                          u"the WebSocket was refused"_s);
        // An upgrade answered here must not reach the WebSocket server: false makes QtHttpServer
        // close the connection after the answer is written.
        return false;
    }

    if (webSocketUpgrade) {
        // A WebSocket asked for where there is none. QtHttpServer 6.4 hands every upgrade that
        // handleRequest() says it handled to its WebSocket server: the route ran, then the
        // client got a 101 and a close frame behind its answer (two answers to one request),
        // and an answer its handler wrote later (a held poll, a publish waiting for its ack)
        // went into the WebSocket. Not run: refused, and false closes the connection after it.
        HttpResponder refused(makeResponder(request, socket), httpRequest.methodName, encodedPath,
                              state);
        refused.setPersistence(HttpResponder::Persistence::Close);
        state->closing = true;
        refused.sendError(404, u"not_found"_s, u"no WebSocket at "_s + httpRequest.path);
        return false;
    }
    HttpResponder responder(makeResponder(request, socket), httpRequest.methodName, encodedPath,
                            state);
    const bool http10 = std::exchange(state->http10, false);
    if (hasConnectionOption(connection, "close")
        || (http10 && !hasConnectionOption(connection, "keep-alive"))) {
        responder.setPersistence(HttpResponder::Persistence::Close);
        state->closing = true;
    } else if (http10) {
        responder.setPersistence(HttpResponder::Persistence::KeepAlive);
    }
    if (state->owed > 1) {
        // Pipelined behind a request not answered yet (a held long poll): run once that answer
        // is out. Answered now, a client (or a proxy sharing the connection between users)
        // would take this answer for the earlier request's.
        auto kept = std::make_shared<HttpResponder>(std::move(responder));
        state->deferred.push_back([this, httpRequest, encodedPath, kept] {
            route(httpRequest, std::move(*kept), encodedPath);
        });
        return true;
    }
    route(std::move(httpRequest), std::move(responder), encodedPath);
    return true;
}

void HttpServerPrivate::route(HttpRequest httpRequest, HttpResponder &&answer,
                              const QByteArray &encodedPath)
{
    HttpResponder responder = std::move(answer);
    // QtHttpServer 6.4 has read the whole body by now; BodyLimitTcpServer refuses most large
    // bodies earlier, this catches the rest (chunked bodies, headers split across reads).
    if (httpRequest.body.size() > m_options.bodyLimitBytes) {
        responder.sendError(413, u"payload_too_large"_s,
                            tooLargeDetail(httpRequest.body.size(), m_options.bodyLimitBytes));
        return;
    }

    const std::optional<QStringList> segments = decodedSegments(encodedPath);
    if (!segments) {
        responder.sendError(400, u"bad_request"_s, u"the path is not UTF-8 once percent-decoded"_s);
        return;
    }
    if (m_webSocketRoutes.contains(httpRequest.path)) {
        responder.sendError(426, u"upgrade_required"_s, u"this is a WebSocket endpoint"_s);
        return;
    }
    Match match = findRoute(httpRequest.method, *segments);
    // HEAD is GET without the body (RFC 9110 9.3.2; health checks use it): a path without a HEAD
    // route of its own runs its GET handler, and the responder leaves the body out.
    if (!match.route && httpRequest.method == Method::Head) {
        Match get = findRoute(Method::Get, *segments);
        if (get.route)
            match = std::move(get);
    }
    if (!match.route) {
        const QString methodAndPath =
            QString::fromLatin1(httpRequest.methodName) + u' ' + httpRequest.path;
        if (match.otherMethods.isEmpty()) {
            responder.sendError(404, u"not_found"_s, u"no route for "_s + methodAndPath);
        } else {
            QByteArrayList allowed;
            for (Method method : knownMethods) {
                const bool served = match.otherMethods.contains(method)
                    || (method == Method::Head && match.otherMethods.contains(Method::Get));
                if (served)
                    allowed.append(methodName(method));
            }
            responder.send(405,
                           HttpResponder::errorBody(u"method_not_allowed"_s,
                                                    u"no route for "_s + methodAndPath),
                           "application/json", {{"Allow", allowed.join(", ")}});
        }
        return;
    }

    httpRequest.pathParams = std::move(match.params);
    // An exception must not unwind into QtHttpServer and the event loop. A handler that moved
    // the responder away and then threw has answered 500 already, from the responder's
    // destructor; one that returned without answering gets 500 from `responder`'s destructor.
    try {
        match.route->handler(httpRequest, std::move(responder));
    } catch (const std::exception &error) {
        qCWarning(lcHttp, "%s %s: the handler threw: %s", httpRequest.methodName.constData(),
                  encodedPath.constData(), error.what());
        answerHandlerFailure(responder);
    } catch (...) {
        qCWarning(lcHttp, "%s %s: the handler threw", httpRequest.methodName.constData(),
                  encodedPath.constData());
        answerHandlerFailure(responder);
    }
}

void HttpServerPrivate::takeWebSockets()
{
    while (hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = nextPendingWebSocketConnection();
        const auto route = m_webSocketRoutes.constFind(socket->requestUrl().path());
        if (route == m_webSocketRoutes.cend()) {
            socket->close(QWebSocketProtocol::CloseCodeBadOperation);
            continue;
        }
        route->connected(socket.release());
    }
}

void HttpServerPrivate::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // QtHttpServer 6.4 calls this when handleRequest() returns false (qabstracthttpserver.cpp:
    // 109-110), which ours never does, and after handleRequest() for a WebSocket upgrade nobody
    // takes (lines 88-100); handleRequest() has answered that request already, so a second
    // answer here would corrupt the connection.
    Q_UNUSED(socket);
    qCDebug(lcHttp, "%s %s: QtHttpServer gave up on a request handleRequest() answered",
            methodName(request.method()).constData(),
            request.url().path(QUrl::FullyEncoded).toLatin1().constData());
}

HttpServer::HttpServer(HttpServerOptions options, QObject *parent)
    : QObject(parent)
    , m_d(new HttpServerPrivate(options, this))
{
}

HttpServer::~HttpServer() = default;

void HttpServer::addWebSocketRoute(const QString &path, WebSocketAccept accept,
                                   WebSocketHandler connected)
{
    m_d->m_webSocketRoutes.insert(path, {std::move(accept), std::move(connected)});
}

void HttpServer::addRoute(QHttpServerRequest::Method method, const QString &pattern,
                          Handler handler)
{
    m_d->addRoute(method, pattern, std::move(handler));
}

bool HttpServer::listen(const QHostAddress &address, quint16 port, QString *errorMessage)
{
    // The listening socket becomes our child, and a QObject's children live in its thread.
    if (thread() != QThread::currentThread()) {
        if (errorMessage)
            *errorMessage = u"HttpServer::listen() called outside the server's thread"_s;
        return false;
    }
    return m_d->listenOn(address, port, errorMessage);
}

QList<quint16> HttpServer::serverPorts() const
{
    QList<quint16> ports;
    for (const QTcpServer *server : m_d->servers()) {
        if (server->isListening())
            ports.append(server->serverPort());
    }
    return ports;
}

void HttpServer::close()
{
    bool wasListening = false;
    for (QTcpServer *server : m_d->servers()) {
        wasListening = wasListening || server->isListening();
        static_cast<BodyLimitTcpServer *>(server)->stop();
    }
    if (wasListening)
        qCInfo(lcHttp, "stopped listening");
}

} // namespace Switchboard
