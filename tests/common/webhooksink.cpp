#include "webhooksink.h"

#include <QHash>
#include <QHostAddress>
#include <QMutex>
#include <QMutexLocker>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <chrono>

using namespace Qt::Literals::StringLiterals;

namespace Switchboard::Test {

namespace {

// A request head larger than this is refused: a test never sends one, a broken client might.
constexpr qsizetype requestHeadLimit = 1024 * 1024;
// Calls into the sink's thread return within this (the thread never blocks, so it is generous).
constexpr int sinkCallTimeoutMs = 10000;

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

QByteArray responseBytes(int status, const QByteArray &body, bool close)
{
    QByteArray bytes = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
        + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\n";
    if (close)
        bytes += "Connection: close\r\n";
    bytes += "\r\n";
    bytes += body;
    return bytes;
}

enum class ParseResult { NeedMore, Complete, Bad };

struct ParsedRequest
{
    Received received;
    bool close = false; // the client asked for it (or spoke HTTP/1.0)
    qsizetype size = 0; // bytes of the buffer it took
};

// Parses the request at the start of `buffer`. Requests are small and arrive whole, so it starts
// over on every call rather than keeping state.
ParseResult parseRequest(const QByteArray &buffer, bool recordAll, ParsedRequest *out)
{
    const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return buffer.size() > requestHeadLimit ? ParseResult::Bad : ParseResult::NeedMore;
    const QByteArrayView head(buffer.constData(), headEnd);

    qsizetype lineEnd = head.indexOf("\r\n");
    if (lineEnd < 0)
        lineEnd = headEnd;
    const QByteArrayView requestLine = head.first(lineEnd);
    const qsizetype methodEnd = requestLine.indexOf(' ');
    const qsizetype targetEnd = requestLine.indexOf(' ', methodEnd + 1);
    if (methodEnd <= 0 || targetEnd <= methodEnd + 1)
        return ParseResult::Bad;
    const QByteArrayView version = requestLine.sliced(targetEnd + 1);
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return ParseResult::Bad;
    Received &received = out->received;
    received.method = requestLine.first(methodEnd).toByteArray();
    received.path = requestLine.sliced(methodEnd + 1, targetEnd - methodEnd - 1).toByteArray();
    out->close = version == "HTTP/1.0";

    qint64 contentLength = -1;
    bool chunked = false;
    qsizetype pos = lineEnd + 2;
    while (pos < headEnd) {
        qsizetype next = head.indexOf("\r\n", pos);
        if (next < 0)
            next = headEnd;
        const QByteArrayView line = head.sliced(pos, next - pos);
        pos = next + 2;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return ParseResult::Bad;
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = line.sliced(colon + 1).trimmed();
        if (recordAll || equalsIgnoringCase(name, "x-event-id"))
            received.headers.append({name.toByteArray(), value.toByteArray()});
        if (equalsIgnoringCase(name, "content-length")) {
            bool ok = false;
            contentLength = value.toLongLong(&ok);
            if (!ok || contentLength < 0)
                return ParseResult::Bad;
        } else if (equalsIgnoringCase(name, "transfer-encoding")) {
            chunked = value.toByteArray().toLower().contains("chunked");
        } else if (equalsIgnoringCase(name, "connection")) {
            const QByteArray options = value.toByteArray().toLower();
            if (options.contains("close"))
                out->close = true;
            else if (options.contains("keep-alive"))
                out->close = false;
        }
    }

    pos = headEnd + 4;
    if (chunked) {
        for (;;) {
            const qsizetype sizeEnd = buffer.indexOf("\r\n", pos);
            if (sizeEnd < 0)
                return ParseResult::NeedMore;
            QByteArrayView sizeLine(buffer.constData() + pos, sizeEnd - pos);
            if (const qsizetype extension = sizeLine.indexOf(';'); extension >= 0)
                sizeLine = sizeLine.first(extension);
            bool ok = false;
            const qint64 size = sizeLine.trimmed().toLongLong(&ok, 16);
            if (!ok || size < 0)
                return ParseResult::Bad;
            pos = sizeEnd + 2;
            if (size == 0) {
                // Trailer fields up to an empty line.
                for (;;) {
                    const qsizetype trailerEnd = buffer.indexOf("\r\n", pos);
                    if (trailerEnd < 0)
                        return ParseResult::NeedMore;
                    const bool last = trailerEnd == pos;
                    pos = trailerEnd + 2;
                    if (last)
                        break;
                }
                break;
            }
            if (buffer.size() < pos + size + 2)
                return ParseResult::NeedMore;
            if (buffer.at(pos + size) != '\r' || buffer.at(pos + size + 1) != '\n')
                return ParseResult::Bad;
            if (recordAll)
                received.body.append(buffer.constData() + pos, size);
            pos += size + 2;
        }
    } else if (contentLength > 0) {
        if (buffer.size() < pos + contentLength)
            return ParseResult::NeedMore;
        if (recordAll)
            received.body = buffer.mid(pos, contentLength);
        pos += contentLength;
    }
    out->size = pos;
    return ParseResult::Complete;
}

// One accepted connection; a QObject so that a delayed answer's timer dies with it.
class SinkConnection : public QObject
{
public:
    QTcpSocket *socket = nullptr; // a child
    QByteArray buffer; // received, not served yet
    bool busy = false; // an answer is pending (delayed, or never coming)
};

} // namespace

QByteArray Received::header(QByteArrayView name) const
{
    for (const auto &[headerName, value] : headers) {
        if (equalsIgnoringCase(headerName, name))
            return value;
    }
    return {};
}

struct WebhookSink::State
{
    mutable QMutex mutex;
    QList<Received> received;
    QHash<QByteArray, int> countByPath;
    int count = 0;
    std::shared_ptr<const Responder> responder; // copied out under the mutex, called without it
    bool recordBodies = true;
    int openConnections = 0;
    int maxConcurrentConnections = 0;
};

class WebhookSink::Server : public QObject
{
public:
    explicit Server(State *state)
        : m_state(state)
        , m_defaultAnswer(responseBytes(200, Answer().body, false))
    {
        connect(&m_tcp, &QTcpServer::newConnection, this, &Server::accept);
    }

    bool listen()
    {
        // Benchmarks open many connections at once; the default backlog of 50 would drop some.
        m_tcp.setListenBacklogSize(4096);
        return m_tcp.listen(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return m_tcp.serverPort(); }

    void closeIdleConnections()
    {
        const QList<SinkConnection *> connections = m_connections;
        for (SinkConnection *connection : connections) {
            if (!connection->busy && connection->buffer.isEmpty()
                && connection->socket->bytesAvailable() == 0) {
                connection->socket->abort(); // emits disconnected(): forget() runs
            }
        }
    }

private:
    void accept()
    {
        while (QTcpSocket *socket = m_tcp.nextPendingConnection()) {
            auto *connection = new SinkConnection;
            connection->setParent(this);
            socket->setParent(connection);
            connection->socket = socket;
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            m_connections.append(connection);
            {
                QMutexLocker lock(&m_state->mutex);
                ++m_state->openConnections;
                m_state->maxConcurrentConnections =
                    std::max(m_state->maxConcurrentConnections, m_state->openConnections);
            }
            connect(socket, &QIODevice::readyRead, connection, [this, connection] {
                connection->buffer.append(connection->socket->readAll());
                serve(connection);
            });
            connect(socket, &QAbstractSocket::disconnected, connection,
                    [this, connection] { forget(connection); });
        }
    }

    void forget(SinkConnection *connection)
    {
        if (!m_connections.removeOne(connection))
            return;
        {
            QMutexLocker lock(&m_state->mutex);
            --m_state->openConnections;
        }
        connection->deleteLater(); // we may be inside one of its socket's signals
    }

    // Answers the requests in the buffer in order, one at a time (HTTP/1.1 has no other order).
    void serve(SinkConnection *connection)
    {
        while (!connection->busy && !connection->buffer.isEmpty()
               && connection->socket->state() == QAbstractSocket::ConnectedState) {
            bool recordAll = true;
            {
                QMutexLocker lock(&m_state->mutex);
                recordAll = m_state->recordBodies;
            }
            ParsedRequest parsed;
            const ParseResult result = parseRequest(connection->buffer, recordAll, &parsed);
            if (result == ParseResult::NeedMore)
                return;
            if (result == ParseResult::Bad) {
                connection->buffer.clear();
                connection->socket->write(responseBytes(400, "{}", true));
                connection->socket->disconnectFromHost();
                return;
            }
            if (parsed.size == connection->buffer.size())
                connection->buffer.clear();
            else
                connection->buffer.remove(0, parsed.size);
            parsed.received.arrivedNs = steadyNowNs();

            int index = 0;
            std::shared_ptr<const Responder> responder;
            {
                QMutexLocker lock(&m_state->mutex);
                ++m_state->count;
                index = ++m_state->countByPath[parsed.received.path];
                m_state->received.append(parsed.received);
                responder = m_state->responder;
            }
            const Answer answer = responder ? (*responder)(parsed.received, index) : Answer();

            if (answer.neverAnswer) {
                connection->busy = true;
                return;
            }
            if (answer.closeWithoutAnswer) {
                connection->buffer.clear();
                connection->socket->disconnectFromHost();
                return;
            }
            if (answer.delayMs > 0) {
                connection->busy = true;
                const bool close = parsed.close;
                QTimer::singleShot(answer.delayMs, connection, [this, connection, answer, close] {
                    connection->busy = false;
                    send(connection, answer, close);
                    serve(connection);
                });
                return;
            }
            send(connection, answer, parsed.close);
        }
    }

    void send(SinkConnection *connection, const Answer &answer, bool close)
    {
        if (connection->socket->state() != QAbstractSocket::ConnectedState)
            return;
        const bool isDefault = !close && answer.status == 200 && answer.body == "{}";
        connection->socket->write(isDefault ? m_defaultAnswer
                                            : responseBytes(answer.status, answer.body, close));
        connection->socket->flush();
        if (close) {
            connection->buffer.clear();
            connection->socket->disconnectFromHost();
        }
    }

    State *const m_state;
    const QByteArray m_defaultAnswer;
    QTcpServer m_tcp {this};
    QList<SinkConnection *> m_connections;
};

WebhookSink::WebhookSink()
    : m_state(std::make_unique<State>())
{
}

WebhookSink::~WebhookSink()
{
    if (!m_thread)
        return;
    // Deleted in its own thread (QThread deletes what is left to delete as it finishes).
    m_server->deleteLater();
    m_thread->quit();
    if (!m_thread->wait(QDeadlineTimer(sinkCallTimeoutMs))) {
        qWarning("WebhookSink: the server thread did not stop within %d ms", sinkCallTimeoutMs);
        (void)m_thread.release(); // destroying a running QThread would abort the process
    }
}

bool WebhookSink::start()
{
    if (m_thread)
        return m_port != 0;
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(u"WebhookSink"_s);
    m_thread->start();
    m_server = new Server(m_state.get());
    m_server->moveToThread(m_thread.get());

    struct Started
    {
        QSemaphore done;
        quint16 port = 0;
    };
    const auto started = std::make_shared<Started>();
    QMetaObject::invokeMethod(
        m_server,
        [server = m_server, started] {
            if (server->listen())
                started->port = server->port();
            started->done.release();
        },
        Qt::QueuedConnection);
    if (!started->done.tryAcquire(1, sinkCallTimeoutMs))
        return false;
    m_port = started->port;
    return m_port != 0;
}

QString WebhookSink::url(const QString &path) const
{
    return u"http://127.0.0.1:%1%2"_s.arg(m_port).arg(path);
}

void WebhookSink::setResponder(Responder responder)
{
    auto shared = responder ? std::make_shared<const Responder>(std::move(responder)) : nullptr;
    QMutexLocker lock(&m_state->mutex);
    m_state->responder = std::move(shared);
}

void WebhookSink::setRecordBodies(bool on)
{
    QMutexLocker lock(&m_state->mutex);
    m_state->recordBodies = on;
}

QList<Received> WebhookSink::received() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->received;
}

QList<Received> WebhookSink::received(const QString &path) const
{
    const QByteArray wanted = path.toUtf8();
    QMutexLocker lock(&m_state->mutex);
    QList<Received> matching;
    for (const Received &each : std::as_const(m_state->received)) {
        if (each.path == wanted)
            matching.append(each);
    }
    return matching;
}

int WebhookSink::count() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->count;
}

int WebhookSink::count(const QString &path) const
{
    const QByteArray wanted = path.toUtf8();
    QMutexLocker lock(&m_state->mutex);
    return m_state->countByPath.value(wanted);
}

int WebhookSink::maxConcurrentConnections() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->maxConcurrentConnections;
}

int WebhookSink::openConnections() const
{
    QMutexLocker lock(&m_state->mutex);
    return m_state->openConnections;
}

void WebhookSink::clear()
{
    QMutexLocker lock(&m_state->mutex);
    m_state->received.clear();
    m_state->countByPath.clear();
    m_state->count = 0;
    m_state->maxConcurrentConnections = m_state->openConnections;
}

void WebhookSink::closeIdleConnections()
{
    if (!m_server)
        return;
    if (QThread::currentThread() == m_thread.get()) { // from a responder
        m_server->closeIdleConnections();
        return;
    }
    const auto done = std::make_shared<QSemaphore>();
    QMetaObject::invokeMethod(
        m_server,
        [server = m_server, done] {
            server->closeIdleConnections();
            done->release();
        },
        Qt::QueuedConnection);
    if (!done->tryAcquire(1, sinkCallTimeoutMs))
        qWarning("WebhookSink: closeIdleConnections() got no answer within %d ms",
                 sinkCallTimeoutMs);
}

} // namespace Switchboard::Test
