#include "httpclient.h"

#include <QByteArrayView>
#include <QSslError>
#include <QSslSocket>
#include <QStringList>
#include <QTcpSocket>
#include <QThread>
#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>

using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

namespace Switchboard {

QString webhookDisplayUrl(const QString &url)
{
    // Only a URL with user info is rewritten: every other one is shown as the operator wrote it.
    const QUrl parsed(url);
    return parsed.userInfo().isEmpty() ? url : parsed.toString(QUrl::RemoveUserInfo);
}

QString HttpClientResponse::statusText() const
{
    if (location.isEmpty())
        return u"HTTP %1"_s.arg(status);
    return u"HTTP %1 (redirect to %2, not followed)"_s.arg(status).arg(location);
}

// Debug (a line per connection and per retry) only when asked for: 40k requests/s is the norm.
Q_LOGGING_CATEGORY(lcHttpClient, "switchboard.http.client", QtInfoMsg)

namespace {

constexpr qsizetype bodyPrefixLimit = 512;
// A body still coming after this many bytes is not read to its end: the status and the prefix
// are all we report, and reading a body of 50 MB (or one that never ends) to keep the connection
// would cost more than a new connection, and could run into the deadline of a request the
// endpoint has answered.
constexpr qint64 bodyReadLimit = 64 * 1024;
// The Location of a redirect, as reported: enough for any sane URL.
constexpr qsizetype locationLimit = 200;
// A longer status line and header block (or chunk-size line, or trailer block) is not a response
// we want: it would let a broken server make us buffer without bound.
constexpr qsizetype headerBlockLimit = 64 * 1024;
// Bounds the URL → request-head cache; the engine posts to a few hundred endpoints at most.
constexpr qsizetype targetCacheLimit = 1024;

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

// Calls `each` with every trimmed, non-empty element of a comma-separated header value.
template<typename Each> void forEachToken(QByteArrayView value, Each each)
{
    while (!value.isEmpty()) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView token = (comma < 0 ? value : value.first(comma)).trimmed();
        if (!token.isEmpty())
            each(token);
        if (comma < 0)
            break;
        value = value.sliced(comma + 1);
    }
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// For error texts: what a broken server sent, printable and short.
QString quoted(QByteArrayView bytes)
{
    QByteArray shown = bytes.first(std::min<qsizetype>(bytes.size(), 40)).toByteArray();
    for (char &c : shown) {
        if (c < 0x20 || c > 0x7e)
            c = '?';
    }
    return u"\"%1\""_s.arg(QString::fromLatin1(shown));
}

// An incremental HTTP/1.x response parser working on the connection's input bytes: it keeps no
// copy of what it consumed except the first bodyPrefixLimit bytes of the body.
class ResponseParser
{
public:
    enum class Result { NeedMore, Complete, Bad };

    void reset() { *this = ResponseParser(); }
    // Parses what it can of `data`; `*consumed` is how much of it was used. Complete leaves the
    // bytes after the response unconsumed.
    Result parse(const char *data, qsizetype size, qsizetype *consumed);
    // True when the response is delimited by the connection closing (and has started).
    bool endsWithClose() const { return m_state == State::UntilClose; }
    // True once the final status line and headers are in and the body is being read.
    bool inBody() const { return m_state != State::StatusLine && m_state != State::Headers; }
    // True while a status line (or a header) has been read but not the end of the headers.
    bool inHeaders() const { return m_state == State::Headers; }
    qint64 bodyBytes() const { return m_bodyBytes; }

    int status() const { return m_status; }
    // Whether the connection may carry another request after this (complete) response.
    bool keepAlive() const
    {
        if (m_transferEncoding && m_contentLength >= 0)
            return false; // both framings given: not a server to trust with another request
        return m_http11 ? !m_connectionClose : (m_connectionKeepAlive && !m_connectionClose);
    }
    QByteArray takeBodyPrefix() { return std::move(m_bodyPrefix); }
    // The Location header of a 3xx response (empty for other statuses).
    QByteArray takeLocation() { return std::move(m_location); }
    const QString &error() const { return m_error; }

private:
    enum class State {
        StatusLine,
        Headers,
        Body,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
        Done
    };

    Result line(QByteArrayView line);
    Result statusLine(QByteArrayView line);
    Result headerLine(QByteArrayView line);
    Result endOfHeaders();
    Result chunkSizeLine(QByteArrayView line);
    Result bad(QString why)
    {
        m_error = std::move(why);
        return Result::Bad;
    }
    void keepBody(const char *data, qsizetype size)
    {
        m_bodyBytes += size;
        const qsizetype room = bodyPrefixLimit - m_bodyPrefix.size();
        if (room > 0)
            m_bodyPrefix.append(data, std::min(room, size));
    }

    State m_state = State::StatusLine;
    int m_status = 0;
    bool m_http11 = false;
    bool m_connectionClose = false;
    bool m_connectionKeepAlive = false;
    bool m_transferEncoding = false;
    bool m_chunked = false;
    qint64 m_contentLength = -1;
    qint64 m_remaining = 0; // of the body or of the current chunk
    qsizetype m_lineBytes = 0; // of the current header block, chunk-size line or trailers
    qint64 m_bodyBytes = 0; // of the body read so far (chunk data only, for chunked bodies)
    QByteArray m_bodyPrefix;
    QByteArray m_location;
    QString m_error;
};

ResponseParser::Result ResponseParser::parse(const char *data, qsizetype size, qsizetype *consumed)
{
    qsizetype pos = 0;
    Result result = Result::NeedMore;
    while (pos < size && result == Result::NeedMore) {
        switch (m_state) {
        case State::Body:
        case State::ChunkData: {
            const qsizetype take = qsizetype(std::min<qint64>(m_remaining, size - pos));
            keepBody(data + pos, take);
            pos += take;
            m_remaining -= take;
            if (m_remaining == 0) {
                if (m_state == State::Body) {
                    m_state = State::Done;
                    result = Result::Complete;
                } else {
                    m_state = State::ChunkDataEnd;
                }
            }
            break;
        }
        case State::UntilClose:
            keepBody(data + pos, size - pos);
            pos = size;
            break;
        case State::Done:
            result = Result::Complete;
            break;
        default: {
            const char *start = data + pos;
            const auto *newline = static_cast<const char *>(std::memchr(start, '\n', size - pos));
            const qsizetype length = newline ? newline - start : size - pos;
            if (m_lineBytes + length + 1 > headerBlockLimit) {
                result = bad(m_state == State::StatusLine || m_state == State::Headers
                                 ? u"header block larger than 64 KiB"_s
                                 : u"chunk line or trailers larger than 64 KiB"_s);
                break;
            }
            if (!newline) {
                *consumed = pos;
                return Result::NeedMore;
            }
            m_lineBytes += length + 1;
            pos += length + 1;
            // Lines end in CRLF; a bare LF is accepted as well (RFC 9112 section 2.2).
            result = line(QByteArrayView(
                start, length > 0 && start[length - 1] == '\r' ? length - 1 : length));
            break;
        }
        }
    }
    if (result == Result::NeedMore && m_state == State::Done)
        result = Result::Complete;
    *consumed = pos;
    return result;
}

ResponseParser::Result ResponseParser::line(QByteArrayView line)
{
    switch (m_state) {
    case State::StatusLine:
        return statusLine(line);
    case State::Headers:
        return line.isEmpty() ? endOfHeaders() : headerLine(line);
    case State::ChunkSize:
        return chunkSizeLine(line);
    case State::ChunkDataEnd:
        if (!line.isEmpty())
            return bad(u"chunk data longer than its size"_s);
        m_state = State::ChunkSize;
        m_lineBytes = 0;
        return Result::NeedMore;
    case State::Trailers:
        // Trailer fields carry nothing we report.
        if (!line.isEmpty())
            return Result::NeedMore;
        m_state = State::Done;
        return Result::Complete;
    default:
        Q_UNREACHABLE();
    }
    return Result::NeedMore;
}

ResponseParser::Result ResponseParser::statusLine(QByteArrayView line)
{
    // "HTTP/1.1 200 OK"; the reason phrase may be empty or missing.
    const bool valid = line.size() >= 12 && line.startsWith("HTTP/1.")
        && (line[7] == '0' || line[7] == '1') && line[8] == ' ' && isDigit(line[9])
        && isDigit(line[10]) && isDigit(line[11]) && (line.size() == 12 || line[12] == ' ');
    if (!valid)
        return bad(u"status line %1"_s.arg(quoted(line)));
    m_http11 = line[7] == '1';
    m_status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (m_status < 100)
        return bad(u"status line %1"_s.arg(quoted(line)));
    m_state = State::Headers;
    return Result::NeedMore;
}

ResponseParser::Result ResponseParser::headerLine(QByteArrayView line)
{
    if (line[0] == ' ' || line[0] == '\t')
        return Result::NeedMore; // obsolete line folding: continues a header we do not read
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0)
        return bad(u"header line %1"_s.arg(quoted(line)));
    const QByteArrayView name = line.first(colon);
    if (name.contains(' ') || name.contains('\t'))
        return bad(u"header line %1"_s.arg(quoted(line)));
    const QByteArrayView value = line.sliced(colon + 1).trimmed();

    if (equalsIgnoringCase(name, "content-length")) {
        if (value.isEmpty() || value.size() > 18
            || !std::all_of(value.begin(), value.end(), isDigit)) {
            return bad(u"Content-Length %1"_s.arg(quoted(value)));
        }
        const qint64 length = value.toLongLong();
        if (m_contentLength >= 0 && m_contentLength != length)
            return bad(u"conflicting Content-Length headers"_s);
        m_contentLength = length;
    } else if (equalsIgnoringCase(name, "transfer-encoding")) {
        // The last coding decides the framing; a later header continues the list.
        m_transferEncoding = true;
        forEachToken(value, [this](QByteArrayView coding) {
            m_chunked = equalsIgnoringCase(coding, "chunked");
        });
    } else if (equalsIgnoringCase(name, "connection")) {
        forEachToken(value, [this](QByteArrayView option) {
            if (equalsIgnoringCase(option, "close"))
                m_connectionClose = true;
            else if (equalsIgnoringCase(option, "keep-alive"))
                m_connectionKeepAlive = true;
        });
    } else if (equalsIgnoringCase(name, "location")) {
        m_location = value.toByteArray(); // whole: its user info is cut out before it is shown
    }
    return Result::NeedMore;
}

ResponseParser::Result ResponseParser::endOfHeaders()
{
    if (m_status < 200) {
        // 101 would switch protocols, which we never ask for; 100 Continue, 102 Processing and
        // 103 Early Hints precede the real response.
        if (m_status == 101)
            return bad(u"unexpected 101 Switching Protocols"_s);
        *this = ResponseParser();
        return Result::NeedMore;
    }
    if (m_status != 301 && m_status != 302 && m_status != 303 && m_status != 307 && m_status != 308)
        m_location.clear(); // a 300 or a 304 is no redirect
    if (m_status == 204 || m_status == 304) {
        m_state = State::Done;
        return Result::Complete;
    }
    if (m_transferEncoding) {
        // Transfer-Encoding overrides Content-Length (RFC 9112 section 6.3); a response whose
        // final coding is not chunked runs until the connection closes.
        if (m_chunked) {
            m_state = State::ChunkSize;
            m_lineBytes = 0;
        } else {
            m_state = State::UntilClose;
            m_connectionClose = true;
        }
        return Result::NeedMore;
    }
    if (m_contentLength >= 0) {
        m_remaining = m_contentLength;
        m_state = m_remaining > 0 ? State::Body : State::Done;
        return m_remaining > 0 ? Result::NeedMore : Result::Complete;
    }
    m_state = State::UntilClose;
    m_connectionClose = true;
    return Result::NeedMore;
}

ResponseParser::Result ResponseParser::chunkSizeLine(QByteArrayView line)
{
    qint64 size = 0;
    qsizetype digits = 0;
    while (digits < line.size() && hexValue(line[digits]) >= 0) {
        if (digits == 15)
            return bad(u"chunk size %1"_s.arg(quoted(line)));
        size = size * 16 + hexValue(line[digits]);
        ++digits;
    }
    // Chunk extensions (";name=value") follow the size; we ignore them.
    const QByteArrayView rest = line.sliced(digits).trimmed();
    if (digits == 0 || (!rest.isEmpty() && rest[0] != ';'))
        return bad(u"chunk size %1"_s.arg(quoted(line)));
    m_lineBytes = 0;
    if (size == 0) {
        m_state = State::Trailers;
    } else {
        m_state = State::ChunkData;
        m_remaining = size;
    }
    return Result::NeedMore;
}

// A redirect's Location as errors show it: its user info cut out by the syntax of RFC 3986 on
// the bytes as sent (a QUrl is derailed by one odd byte into keeping a password, and decodes
// escapes into control characters), then bounded, in printable ASCII.
QString shownLocation(QByteArray location)
{
    const auto isAlpha = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    };
    const auto isScheme = [&](QByteArrayView text) { // ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        return !text.isEmpty() && isAlpha(text.front())
            && std::all_of(text.begin(), text.end(), [&](char c) {
                   return isAlpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
               });
    };
    qsizetype authority = -1; // where "user:password@host:port" starts
    if (location.startsWith("//")) {
        authority = 2;
    } else if (const qsizetype colon = location.indexOf("://");
               colon > 0 && isScheme(QByteArrayView(location).first(colon))) {
        authority = colon + 3;
    }
    if (authority >= 0) {
        qsizetype end = authority;
        while (end < location.size() && location[end] != '/' && location[end] != '?'
               && location[end] != '#')
            ++end;
        const qsizetype at = QByteArrayView(location).first(end).lastIndexOf('@');
        if (at >= authority)
            location.remove(authority, at + 1 - authority);
    }
    location.truncate(locationLimit);
    for (char &c : location) {
        if (c < 0x21 || c > 0x7e)
            c = '?'; // a header value may carry any byte; this one goes into logs
    }
    return QString::fromLatin1(location);
}

// The response the parser has read (the status line and headers at least).
HttpClientResponse takeResponse(ResponseParser &parser)
{
    HttpClientResponse response;
    response.status = parser.status();
    response.bodyPrefix = parser.takeBodyPrefix();
    if (QByteArray location = parser.takeLocation(); !location.isEmpty())
        response.location = shownLocation(std::move(location));
    return response;
}

QString socketErrorText(QAbstractSocket *socket, int error, bool responseStarted)
{
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        return u"connection refused"_s;
    case QAbstractSocket::HostNotFoundError:
        return u"host not found"_s;
    case QAbstractSocket::RemoteHostClosedError:
        return responseStarted ? u"connection closed before the response was complete"_s
                               : u"connection closed before a response"_s;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        return u"TLS: "_s + socket->errorString();
    default:
        return u"connection failed: "_s + socket->errorString();
    }
}

} // namespace

struct HttpClient::Request
{
    HostPool *pool = nullptr;
    QUrl url; // as posted, for abandonQueued()
    Connection *connection = nullptr; // the one carrying it; null while queued
    QByteArray bytes; // the whole request, kept for the one retry on a fresh connection
    Callback done;
    std::chrono::milliseconds timeout {0};
    std::optional<Deadlines::iterator> deadline; // from the first time it went out
    bool retried = false;
};

struct HttpClient::HostPool
{
    QString host; // ACE form, for connectToHost()
    quint16 port = 0;
    bool tls = false;
    std::vector<Connection *> connections; // open ones, busy or idle
    // Idle ones, most recently used last: reusing the warmest connection lets surplus
    // connections run into the idle timeout after a burst.
    std::vector<Connection *> idle;
    std::deque<std::unique_ptr<Request>> queue;
    bool dirty = false; // in m_dirtyPools
};

// A QObject so that its socket's signal connections (context: the connection) and a pending
// deleteLater() go with it.
class HttpClient::Connection : public QObject
{
public:
    explicit Connection(HostPool *pool)
        : pool(pool)
    {
    }

    std::unique_ptr<Request> takeRequest()
    {
        if (request)
            request->connection = nullptr;
        return std::move(request);
    }

    HostPool *const pool;
    QAbstractSocket *socket = nullptr; // a child
    std::unique_ptr<Request> request;
    ResponseParser parser;
    QByteArray input; // received, not parsed yet
    Clock::time_point idleSince {};
    QString tlsError; // from sslErrors(), more telling than the handshake error that follows
    int responses = 0; // completed on this connection; > 0: a reused keep-alive connection
    int handlers = 0; // signal handlers of its socket on the stack: delete only at 0
    bool responseStarted = false;
    bool closed = false;
};

// Brackets every entry into the client: post(), socket signals, timers, queued calls.
//
// Socket signals can arrive while our own code is on the stack (connectToHost() reports a refused
// loopback connection synchronously, flush() a reset one), so the outermost scope does the work
// that walks a pool (dispatching its queue) and runs the callbacks, which may post again or
// destroy the client. post() never runs callbacks: it schedules them.
class HttpClient::Scope
{
public:
    enum Kind { Post, Event };

    Scope(HttpClient *client, Kind kind, Connection *connection = nullptr)
        : m_client(client)
        , m_connection(connection)
        , m_kind(kind)
    {
        if (m_client->m_depth == 0)
            m_client->purgeClosedConnections();
        ++m_client->m_depth;
        if (m_connection)
            ++m_connection->handlers;
    }

    ~Scope()
    {
        const bool outermost = m_client->m_depth == 1;
        if (outermost)
            m_client->dispatchDirtyPools();
        --m_client->m_depth;
        if (outermost && !m_client->m_completions.empty()) {
            if (m_kind == Post)
                m_client->scheduleCompletions();
            else
                m_client->runCompletions(); // may destroy the client: touch only the connection
        }
        if (m_connection)
            --m_connection->handlers;
    }

    Q_DISABLE_COPY_MOVE(Scope)

private:
    HttpClient *const m_client;
    Connection *const m_connection;
    const Kind m_kind;
};

HttpClient::HttpClient(HttpClientOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_deadlineTimer(this) // children: they follow the client into another thread
    , m_idleTimer(this)
{
    // Deadlines: one precise single-shot timer armed for the earliest deadline in a multimap,
    // re-armed lazily. A request finishing early leaves the timer armed; when it fires it finds
    // nothing due and re-arms for the new earliest deadline. With equal timeouts that is one
    // wake-up per timeout period however many requests pass, instead of a QTimer start/stop (a
    // dispatcher registration) per request.
    m_deadlineTimer.setSingleShot(true);
    m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_deadlineTimer, &QTimer::timeout, this, [this] {
        Scope scope(this, Scope::Event);
        expireDeadlines();
    });
    // Idle connections: a sweep running while connections are open; a connection closes between
    // idleTimeout and idleTimeout plus one sweep interval after its last response.
    m_idleTimer.setInterval(
        std::clamp<std::chrono::milliseconds>(m_options.idleTimeout / 10, 10ms, 1000ms));
    connect(&m_idleTimer, &QTimer::timeout, this, [this] {
        Scope scope(this, Scope::Event);
        closeIdleConnections();
    });
}

HttpClient::~HttpClient()
{
    if (m_destroyed)
        *m_destroyed = true;
    m_completions.clear();
    m_deadlineTimer.stop();
    m_idleTimer.stop();
    // A connection whose socket is emitting a signal right now (a callback destroyed us) must
    // outlive that emission: QAbstractSocket touches itself after its slots return.
    const auto dispose = [](Connection *connection) {
        if (!connection->closed) {
            QObject::disconnect(connection->socket, nullptr, connection, nullptr);
            connection->socket->abort();
        }
        if (connection->handlers > 0)
            connection->deleteLater();
        else
            delete connection;
    };
    for (const auto &[key, pool] : m_pools) {
        for (Connection *connection : pool->connections)
            dispose(connection);
    }
    for (Connection *connection : m_closed)
        dispose(connection);
}

void HttpClient::post(const QUrl &url, const Headers &headers, const QByteArray &body,
                      std::chrono::milliseconds timeout, Callback done)
{
    Q_ASSERT_X(thread() == QThread::currentThread(), "HttpClient::post",
               "called from a thread the client does not live in");
    Scope scope(this, Scope::Post);

    QString error;
    const Target *target = targetFor(url, &error);
    if (!target)
        return failLater(std::move(done), std::move(error));

    qsizetype size = target->head.size() + 40 + body.size();
    for (const auto &[name, value] : headers) {
        const bool malformed = name.isEmpty() || name.contains(':') || name.contains('\r')
            || name.contains('\n') || name.contains(' ') || value.contains('\r')
            || value.contains('\n');
        if (malformed)
            return failLater(std::move(done), u"invalid header %1"_s.arg(quoted(name)));
        if (equalsIgnoringCase(name, "host") || equalsIgnoringCase(name, "content-length")
            || equalsIgnoringCase(name, "transfer-encoding")) {
            return failLater(std::move(done),
                             u"header %1 is set by the client"_s.arg(quoted(name)));
        }
        size += name.size() + value.size() + 4;
    }

    auto request = std::make_unique<Request>();
    QByteArray &bytes = request->bytes;
    bytes.reserve(size);
    bytes.append(target->head);
    bytes.append("Content-Length: ");
    char digits[24];
    const auto converted = std::to_chars(digits, digits + sizeof digits, body.size());
    bytes.append(digits, converted.ptr - digits);
    bytes.append("\r\n");
    for (const auto &[name, value] : headers) {
        bytes.append(name);
        bytes.append(": ");
        bytes.append(value);
        bytes.append("\r\n");
    }
    bytes.append("\r\n");
    bytes.append(body);

    request->pool = target->pool;
    request->url = url;
    request->done = std::move(done);
    request->timeout = timeout;

    target->pool->queue.push_back(std::move(request));
    ++m_queuedRequests;
    markDirty(target->pool);
}

const HttpClient::Target *HttpClient::targetFor(const QUrl &url, QString *error)
{
    const auto cached = m_targets.constFind(url);
    if (cached != m_targets.cend())
        return &cached.value();

    if (url.isEmpty()) {
        *error = u"invalid URL: empty"_s;
        return nullptr;
    }
    if (!url.isValid()) {
        // An invalid QUrl shows nothing of itself but its error string, which quotes the source
        // with any password: only the reason before it is kept ("Invalid port or port number out
        // of range").
        // Up to its first ';', and nothing if Qt's wording ever changes to put the source first.
        const QString reason = url.errorString().section(u';', 0, 0);
        *error = reason.contains(u"source"_s, Qt::CaseInsensitive) ? u"invalid URL"_s
                                                                   : u"invalid URL: "_s + reason;
        return nullptr;
    }
    if (url.host().isEmpty() || url.port() == 0) {
        *error = u"invalid URL \"%1\": %2"_s.arg(url.toDisplayString(QUrl::RemoveUserInfo),
                                                 url.host().isEmpty() ? u"no host"_s : u"port 0"_s);
        return nullptr;
    }
    const QString scheme = url.scheme();
    const bool tls = scheme == u"https";
    if (!tls && scheme != u"http") {
        *error = u"unsupported URL scheme \"%1\""_s.arg(scheme);
        return nullptr;
    }
    if (tls && !QSslSocket::supportsSsl()) {
        *error = u"TLS: no TLS backend available"_s;
        return nullptr;
    }

    const QByteArray host = url.host(QUrl::EncodeUnicode).toLatin1(); // IDN → ACE
    const int defaultPort = tls ? 443 : 80;
    const int port = url.port(defaultPort);
    QByteArray hostHeader = host.contains(':') ? '[' + host + ']' : host; // IPv6 literal
    if (port != defaultPort)
        hostHeader += ':' + QByteArray::number(port);

    const QByteArray key = (tls ? "https://" : "http://") + hostHeader;
    std::unique_ptr<HostPool> &pool = m_pools[key];
    if (!pool) {
        pool = std::make_unique<HostPool>();
        pool->host = QString::fromLatin1(host);
        pool->port = quint16(port);
        pool->tls = tls;
    }

    QByteArray path =
        url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::RemoveFragment);
    if (!path.startsWith('/'))
        path.prepend('/');

    Target target;
    target.pool = pool.get();
    target.head = "POST " + path + " HTTP/1.1\r\nHost: " + hostHeader
        + "\r\nUser-Agent: " + m_options.userAgent + "\r\n";
    if (!url.userInfo().isEmpty()) {
        const QByteArray credentials =
            (url.userName(QUrl::FullyDecoded) + u':' + url.password(QUrl::FullyDecoded)).toUtf8();
        target.head += "Authorization: Basic " + credentials.toBase64() + "\r\n";
    }

    if (m_targets.size() >= targetCacheLimit)
        m_targets.clear();
    return &m_targets.insert(url, std::move(target)).value();
}

void HttpClient::abandonQueued(const QUrl &url, const QString &error)
{
    Scope scope(this, Scope::Post);
    QString invalid;
    const Target *target = targetFor(url, &invalid);
    if (!target)
        return; // never posted to
    std::deque<std::unique_ptr<Request>> &queue = target->pool->queue;
    const auto abandoned = std::stable_partition(
        queue.begin(), queue.end(), [&url](const auto &request) { return request->url != url; });
    for (auto it = abandoned; it != queue.end(); ++it) {
        HttpClientResponse response;
        response.error = error;
        response.abandoned = true;
        m_completions.push_back({std::move((*it)->done), std::move(response)});
    }
    m_queuedRequests -= int(queue.end() - abandoned);
    queue.erase(abandoned, queue.end());
}

void HttpClient::failLater(Callback done, QString error)
{
    HttpClientResponse response;
    response.error = std::move(error);
    m_completions.push_back({std::move(done), std::move(response)});
}

void HttpClient::markDirty(HostPool *pool)
{
    if (!pool->dirty) {
        pool->dirty = true;
        m_dirtyPools.push_back(pool);
    }
}

void HttpClient::dispatchDirtyPools()
{
    // Dispatching can make pools dirty again (a connection refused synchronously frees its slot
    // for the next queued request): loop rather than recurse.
    while (!m_dirtyPools.empty()) {
        HostPool *pool = m_dirtyPools.back();
        m_dirtyPools.pop_back();
        pool->dirty = false;
        dispatch(pool);
    }
}

void HttpClient::dispatch(HostPool *pool)
{
    while (!pool->queue.empty()) {
        Connection *connection = nullptr;
        if (!pool->idle.empty()) {
            connection = pool->idle.back();
            pool->idle.pop_back();
            if (connection->socket->state() != QAbstractSocket::ConnectedState) {
                closeConnection(connection);
                continue;
            }
        } else if (int(pool->connections.size()) >= m_options.maxConnectionsPerHost) {
            return;
        }
        std::unique_ptr<Request> request = std::move(pool->queue.front());
        pool->queue.pop_front();
        --m_queuedRequests;
        if (connection)
            send(connection, std::move(request));
        else
            openConnection(pool, std::move(request));
    }
}

void HttpClient::openConnection(HostPool *pool, std::unique_ptr<Request> request)
{
    auto *connection = new Connection(pool);
    QAbstractSocket *socket = nullptr;
    if (pool->tls) {
        auto *tlsSocket = new QSslSocket(connection);
        connect(tlsSocket, &QSslSocket::sslErrors, connection,
                [connection](const QList<QSslError> &errors) {
                    QStringList texts;
                    for (const QSslError &error : errors)
                        texts.append(error.errorString());
                    connection->tlsError = texts.join(u"; "_s);
                });
        socket = tlsSocket;
    } else {
        socket = new QTcpSocket(connection);
    }
    connection->socket = socket;
    connection->request = std::move(request);
    connection->request->connection = connection;
    startDeadline(connection->request.get());
    pool->connections.push_back(connection);
    if (m_openConnections++ == 0)
        m_idleTimer.start();

    connect(socket, &QAbstractSocket::connected, connection, [socket] {
        // Requests are small and answered at once: Nagle would hold each one back ~40 ms.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    });
    connect(socket, &QIODevice::readyRead, connection, [this, connection] {
        Scope scope(this, Scope::Event, connection);
        readResponse(connection);
    });
    connect(socket, &QAbstractSocket::errorOccurred, connection,
            [this, connection](QAbstractSocket::SocketError error) {
                Scope scope(this, Scope::Event, connection);
                onSocketGone(connection, error);
            });
    connect(socket, &QAbstractSocket::disconnected, connection, [this, connection] {
        Scope scope(this, Scope::Event, connection);
        onSocketGone(connection, QAbstractSocket::RemoteHostClosedError);
    });

    qCDebug(lcHttpClient).noquote()
        << u"%1:%2: opening connection %3 of at most %4"_s.arg(pool->host)
               .arg(pool->port)
               .arg(pool->connections.size())
               .arg(m_options.maxConnectionsPerHost);
    if (pool->tls)
        static_cast<QSslSocket *>(socket)->connectToHostEncrypted(pool->host, pool->port);
    else
        socket->connectToHost(pool->host, pool->port);
    // connectToHost() may have failed already (a refused loopback connection is reported at once);
    // otherwise the socket buffers the request until it is connected (and encrypted).
    if (!connection->closed)
        socket->write(connection->request->bytes);
}

void HttpClient::send(Connection *connection, std::unique_ptr<Request> request)
{
    connection->request = std::move(request);
    connection->request->connection = connection;
    startDeadline(connection->request.get());
    connection->responseStarted = false;
    connection->parser.reset();
    connection->socket->write(connection->request->bytes);
    // Sends now rather than from the socket's write notifier one event-loop pass later. A reset
    // connection reports its error from inside flush(): the Scope defers what that starts.
    connection->socket->flush();
}

void HttpClient::readResponse(Connection *connection)
{
    QAbstractSocket *socket = connection->socket;
    if (connection->closed || socket->bytesAvailable() <= 0)
        return;
    if (!connection->request) {
        // Nothing was asked on this connection: a server that speaks now (often a 408 before it
        // closes an idle connection) cannot be trusted with the next request.
        closeConnection(connection);
        return;
    }
    // readAll() hands over the socket's buffer without a copy when we have no partial line.
    if (connection->input.isEmpty())
        connection->input = socket->readAll();
    else
        connection->input.append(socket->readAll());
    connection->responseStarted = true;

    qsizetype consumed = 0;
    const auto result = connection->parser.parse(connection->input.constData(),
                                                 connection->input.size(), &consumed);
    // A body past bodyReadLimit is not read to its end: the response is taken as it stands and the
    // connection, out of step now, is closed.
    const bool bodyCut = result == ResponseParser::Result::NeedMore && connection->parser.inBody()
        && connection->parser.bodyBytes() > bodyReadLimit;
    if (result == ResponseParser::Result::NeedMore && !bodyCut) {
        if (consumed == connection->input.size())
            connection->input.clear();
        else
            connection->input.remove(0, consumed);
        return;
    }

    HostPool *pool = connection->pool;
    std::unique_ptr<Request> request = connection->takeRequest();
    markDirty(pool);
    if (result == ResponseParser::Result::Bad) {
        const QString error = u"bad response: "_s + connection->parser.error();
        qCDebug(lcHttpClient).noquote()
            << u"%1:%2: %3"_s.arg(pool->host).arg(pool->port).arg(error);
        closeConnection(connection);
        return fail(std::move(request), error);
    }

    HttpClientResponse response = takeResponse(connection->parser);
    ++connection->responses;
    if (bodyCut)
        qCDebug(lcHttpClient).noquote()
            << u"%1:%2: HTTP %3 with a body over %4 bytes: not read to its end"_s.arg(pool->host)
                   .arg(pool->port)
                   .arg(response.status)
                   .arg(bodyReadLimit);
    // Bytes after the response were not asked for (we do not pipeline): the connection is out of
    // step with us, so it is not reused.
    // Likewise when part of the request is still unsent (a server answering early, say 413, has
    // not read it all).
    const bool reusable = !bodyCut && connection->parser.keepAlive()
        && consumed == connection->input.size()
        && socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() == 0;
    connection->input.clear();
    if (reusable) {
        connection->idleSince = Clock::now();
        pool->idle.push_back(connection);
    } else {
        closeConnection(connection);
    }
    finish(std::move(request), std::move(response));
}

void HttpClient::onSocketGone(Connection *connection, int socketError)
{
    if (connection->closed)
        return;
    // The last bytes may complete the response (or be one delimited by the close).
    readResponse(connection);
    if (connection->closed)
        return;

    HostPool *pool = connection->pool;
    std::unique_ptr<Request> request = connection->takeRequest();
    const bool started = connection->responseStarted;
    QString error = connection->tlsError.isEmpty()
        ? socketErrorText(connection->socket, socketError, started)
        : u"TLS: "_s + connection->tlsError;
    HttpClientResponse response;
    if (request && started && connection->parser.endsWithClose()
        && socketError == QAbstractSocket::RemoteHostClosedError) {
        response = takeResponse(connection->parser);
    }
    const bool reused = connection->responses > 0;
    closeConnection(connection);
    markDirty(pool);
    if (!request)
        return;
    if (response.status != 0)
        return finish(std::move(request), std::move(response));

    if (!started && reused && !request->retried) {
        // A keep-alive connection the server closed while our request was on its way: the
        // server did not answer it, so it goes again, once, on a new connection. This
        // connection's slot is free, so the pool has room.
        qCDebug(lcHttpClient).noquote()
            << u"%1:%2: reused connection failed before a response (%3), sending again"_s
                   .arg(pool->host)
                   .arg(pool->port)
                   .arg(error);
        request->retried = true;
        return openConnection(pool, std::move(request));
    }
    fail(std::move(request), std::move(error));
}

void HttpClient::closeConnection(Connection *connection)
{
    if (connection->closed)
        return;
    connection->closed = true;
    // No signal from this socket reaches us again, not even from abort() itself.
    QObject::disconnect(connection->socket, nullptr, connection, nullptr);
    connection->socket->abort();
    HostPool *pool = connection->pool;
    std::erase(pool->connections, connection);
    std::erase(pool->idle, connection);
    if (--m_openConnections == 0)
        m_idleTimer.stop();
    m_closed.push_back(connection);
}

void HttpClient::purgeClosedConnections()
{
    std::erase_if(m_closed, [](Connection *connection) {
        if (connection->handlers > 0)
            return false;
        delete connection;
        return true;
    });
}

// The timeout runs from the moment a request goes out, so that a burst waiting for a free
// connection to a slow endpoint does not time out unsent; the one retry on a fresh connection
// keeps the deadline of the first try.
void HttpClient::startDeadline(Request *request)
{
    if (request->deadline)
        return;
    const Clock::time_point deadline = Clock::now() + request->timeout;
    request->deadline = m_deadlines.emplace(deadline, request);
    if (!m_deadlineTimer.isActive() || deadline < m_deadlineTimerFor)
        armDeadlineTimer();
}

void HttpClient::finish(std::unique_ptr<Request> request, HttpClientResponse response)
{
    if (request->deadline)
        m_deadlines.erase(*request->deadline);
    m_completions.push_back({std::move(request->done), std::move(response)});
}

void HttpClient::fail(std::unique_ptr<Request> request, QString error)
{
    HttpClientResponse response;
    response.error = std::move(error);
    finish(std::move(request), std::move(response));
}

void HttpClient::armDeadlineTimer()
{
    if (m_deadlines.empty()) {
        m_deadlineTimer.stop();
        return;
    }
    m_deadlineTimerFor = m_deadlines.begin()->first;
    const auto wait =
        std::chrono::ceil<std::chrono::milliseconds>(m_deadlineTimerFor - Clock::now());
    m_deadlineTimer.start(std::max(wait, 0ms));
}

void HttpClient::expireDeadlines()
{
    const Clock::time_point now = Clock::now();
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
        // Only a request on a connection has a deadline (the retry goes straight to a new one).
        Connection *connection = m_deadlines.begin()->second->connection;
        Q_ASSERT(connection);
        const QString stage = timeoutStage(connection);
        // Aborted, so that a late response can never be taken for another request's.
        std::unique_ptr<Request> request = connection->takeRequest();
        closeConnection(connection);
        markDirty(connection->pool);
        const auto timeout = request->timeout.count();
        fail(std::move(request), u"timed out after %1 ms %2"_s.arg(timeout).arg(stage));
    }
    armDeadlineTimer();
}

// Where a request stood when its deadline came, in the words of its error: a server that never
// answers and one whose answer never ends are different problems to whoever runs it.
QString HttpClient::timeoutStage(const Connection *connection)
{
    const QAbstractSocket *socket = connection->socket;
    const ResponseParser &parser = connection->parser;
    switch (socket->state()) {
    case QAbstractSocket::HostLookupState:
        return u"looking up the host"_s;
    case QAbstractSocket::ConnectingState:
        return u"connecting"_s;
    default:
        break;
    }
    if (connection->pool->tls && !static_cast<const QSslSocket *>(socket)->isEncrypted())
        return u"in the TLS handshake"_s;
    if (parser.inBody()) {
        QString stage = u"reading the body of an HTTP %1 response"_s.arg(parser.status());
        if (parser.endsWithClose())
            stage += u" (it has no Content-Length: it ends only when the server closes the "
                     "connection)"_s;
        return stage;
    }
    if (parser.inHeaders())
        return u"reading the response headers"_s;
    if (socket->bytesToWrite() > 0)
        return u"sending the request"_s;
    return u"waiting for a response"_s;
}

void HttpClient::closeIdleConnections()
{
    const Clock::time_point closeBefore = Clock::now() - m_options.idleTimeout;
    for (const auto &[key, pool] : m_pools) {
        // The least recently used come first; closing one erases it from the vector.
        while (!pool->idle.empty() && pool->idle.front()->idleSince <= closeBefore)
            closeConnection(pool->idle.front());
    }
}

void HttpClient::runCompletions()
{
    // A callback may destroy the client: the destructor sets `destroyed` (and this function tells
    // an outer runCompletions() further up the stack, should a callback spin an event loop).
    bool destroyed = false;
    bool *outer = m_destroyed;
    m_destroyed = &destroyed;
    while (!m_completions.empty()) {
        Completion next = std::move(m_completions.front());
        m_completions.pop_front();
        if (next.done)
            next.done(next.response);
        if (destroyed) {
            if (outer)
                *outer = true;
            return;
        }
    }
    m_destroyed = outer;
}

void HttpClient::scheduleCompletions()
{
    if (m_completionsScheduled)
        return;
    m_completionsScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_completionsScheduled = false;
            Scope scope(this, Scope::Event); // runs the completions as it ends
        },
        Qt::QueuedConnection);
}

} // namespace Switchboard
