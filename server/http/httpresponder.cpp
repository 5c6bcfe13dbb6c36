#include "httpresponder.h"

#include "httpserver.h"

#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>
#include <sys/socket.h>

using namespace Qt::Literals::StringLiterals;

// Why a parked responder checks its socket before writing (STYLE.md, known trap 1; QTBUG-105202,
// fixed in 6.5 by QtHttpServer's "Add connection tracking"). In QtHttpServer 6.4.2:
//  - qabstracthttpserver.cpp:48-51 deletes a socket (deleteLater) as soon as it disconnects,
//    unless handleRequest() is running for it at that moment; a parked request is not.
//  - qhttpserverresponder_p.h keeps that socket as a raw `QTcpSocket *const` in release builds
//    (a QPointer only under QT_DEBUG), and writeStatusLine()/writeHeader()/writeBody()
//    (qhttpserverresponder.cpp:460-512) dereference it without a check: a write after the
//    client left is a use after free.
//  - ~QHttpServerResponder() (qhttpserverresponder.cpp:291-292) is empty: it frees its private
//    part, which holds only a reference to the request and the raw socket pointer, and touches
//    neither. So dropping an unanswered responder whose socket is gone is safe, and that is
//    what we do.
// Our QPointer turns null when the socket is deleted; between the disconnect and the deferred
// delete the socket still exists but is not connected, which we check as well.

namespace Switchboard {

HttpConnectionState *HttpConnectionState::of(QTcpSocket *socket, bool create)
{
    auto *state = socket->findChild<HttpConnectionState *>(QString(), Qt::FindDirectChildrenOnly);
    if (!state && create)
        state = new HttpConnectionState(socket);
    return state;
}

HttpConnectionState::~HttpConnectionState()
{
    // Gone with its socket, which is half destroyed by now: the requests still waiting are
    // dropped here, each settling (settled()), while the members that touches are still whole;
    // and nothing reads the socket on (`resume`, a later member, would be gone already).
    paused = false;
    const auto dropped = std::move(deferred);
}

void HttpConnectionState::settled()
{
    owed = qMax(0, owed - 1);
    if (paused)
        resume();
    // Only requests still to run are owed: the next one runs (not inside the send() that got
    // here, which may be deep in another handler).
    if (deferred.empty() || m_scheduled || owed > int(deferred.size()))
        return;
    m_scheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_scheduled = false;
            if (deferred.empty())
                return;
            const std::function<void()> next = std::move(deferred.front());
            deferred.pop_front();
            next();
        },
        Qt::QueuedConnection);
}

void HttpConnectionState::closeOnceWritten(QTcpSocket *socket)
{
    const auto shutDown = [this, socket] {
        if (m_shutDown || socket->bytesToWrite() > 0)
            return; // still in Qt's buffer: the write-stall sweep watches it meanwhile
        m_shutDown = true;
        ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
        // The client's close ends it (Qt sees the end of the stream); else the linger does.
        QTimer::singleShot(lingerMs, socket, [socket] { socket->abort(); });
    };
    connect(socket, &QIODevice::bytesWritten, this, shutDown);
    shutDown();
}

HttpResponder::HttpResponder(QHttpServerResponder &&responder, const QByteArray &methodName,
                             const QByteArray &encodedPath, HttpConnectionState *connection)
    : m_responder(std::make_unique<QHttpServerResponder>(std::move(responder)))
    , m_socket(m_responder->socket())
    , m_methodName(methodName)
    , m_path(encodedPath)
    , m_headersOnly(methodName == "HEAD")
{
    m_started.start();
    if (m_socket) {
        m_connection = connection ? connection : HttpConnectionState::of(m_socket, true);
        ++m_connection->owed;
    }
}

void HttpResponder::settle()
{
    if (m_connection)
        m_connection->settled();
}

HttpResponder::HttpResponder(HttpResponder &&other) noexcept = default;

HttpResponder &HttpResponder::operator=(HttpResponder &&other)
{
    if (this != &other) {
        if (m_responder)
            answerUnanswered();
        m_responder = std::move(other.m_responder);
        m_socket = std::move(other.m_socket);
        m_connection = std::move(other.m_connection);
        m_methodName = std::move(other.m_methodName);
        m_path = std::move(other.m_path);
        m_headersOnly = other.m_headersOnly;
        m_persistence = other.m_persistence;
        m_started = other.m_started;
    }
    return *this;
}

HttpResponder::~HttpResponder()
{
    if (m_responder)
        answerUnanswered();
}

bool HttpResponder::isClientConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

bool HttpResponder::isOpen() const
{
    return m_responder && isClientConnected();
}

void HttpResponder::answerUnanswered()
{
    if (isClientConnected()) {
        qCWarning(lcHttp, "%s %s: destroyed without an answer, answering 500",
                  m_methodName.constData(), m_path.constData());
        sendError(500, u"internal"_s, u"no response"_s);
    } else {
        qCDebug(lcHttp, "%s %s: client gone, nothing to answer", m_methodName.constData(),
                m_path.constData());
        m_responder.reset();
        settle();
    }
}

void HttpResponder::send(int status, const QByteArray &body, const QByteArray &contentType,
                         const QList<QPair<QByteArray, QByteArray>> &extraHeaders)
{
    if (!m_responder) {
        qCWarning(lcHttp, "%s %s: no request to answer with %d (answered already or moved from)",
                  m_methodName.constData(), m_path.constData(), status);
        return;
    }
    // From here on the request counts as answered, whatever happens to the socket.
    const std::unique_ptr<QHttpServerResponder> responder = std::move(m_responder);
    settle();
    if (!isClientConnected()) {
        // Dropping `responder` without writing is the safe path (see the top of this file).
        qCDebug(lcHttp, "%s %s: client gone before the %d answer", m_methodName.constData(),
                m_path.constData(), status);
        return;
    }

    // QHttpServerResponder::HeaderList is a std::initializer_list, so headers known only at run
    // time cannot go through write(data, headers, status). These are the calls that write()
    // makes itself (qhttpserverresponder.cpp:411-423); spelling them out also keeps the body
    // and the content type where they belong (STYLE.md, known trap 3).
    responder->writeStatusLine(QHttpServerResponder::StatusCode(status));
    responder->writeHeader("Content-Type", contentType);
    responder->writeHeader("Content-Length", QByteArray::number(body.size()));
    for (const auto &[name, value] : extraHeaders)
        responder->writeHeader(name, value);
    if (m_persistence == Persistence::Close)
        responder->writeHeader("Connection", "close");
    else if (m_persistence == Persistence::KeepAlive)
        responder->writeHeader("Connection", "keep-alive");
    // writeBody() ends the header block as well, so HEAD writes an empty body: body bytes there
    // would be read by a keep-alive client as the start of its next answer.
    responder->writeBody(m_headersOnly ? QByteArray() : body);
    if (m_persistence == Persistence::Close && m_connection)
        m_connection->closeOnceWritten(m_socket);

    // The path is logged percent-encoded and without its query; no header is ever logged, so
    // no Authorization value reaches the log.
    qCDebug(lcHttp, "%s %s %d %.1f ms", m_methodName.constData(), m_path.constData(), status,
            double(m_started.nsecsElapsed()) / 1e6);
}

void HttpResponder::flush()
{
    if (isClientConnected())
        m_socket->flush();
}

void HttpResponder::sendJson(int status, const QJsonObject &object)
{
    send(status, QJsonDocument(object).toJson(QJsonDocument::Compact), "application/json");
}

void HttpResponder::sendJson(int status, const QJsonArray &array)
{
    send(status, QJsonDocument(array).toJson(QJsonDocument::Compact), "application/json");
}

void HttpResponder::sendError(int status, const QString &error, const QString &detail,
                              const QList<QPair<QByteArray, QByteArray>> &extraHeaders)
{
    send(status, errorBody(error, detail), "application/json", extraHeaders);
}

QByteArray HttpResponder::errorBody(const QString &error, const QString &detail)
{
    const QJsonObject object {{u"error"_s, error}, {u"detail"_s, detail}};
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace Switchboard
