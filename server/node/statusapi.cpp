#include "statusapi.h"

#include "core/logging.h"
#include "core/metrics.h"
#include "http/apiaccess.h"
#include "http/httpserver.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

// The clients of /api/v1/stream (remote consoles): one status document, built once per tick,
// sent to all of them as a text message.
class StatusStream : public QObject
{
public:
    StatusStream(const StatusApi *api, QObject *parent)
        : QObject(parent)
        , m_api(api)
        , m_tick(this)
    {
        connect(&m_tick, &QTimer::timeout, this, &StatusStream::broadcast);
    }

    void add(QWebSocket *socket)
    {
        socket->setParent(this);
        if (m_clients.size() >= StatusApi::maxStreamClients) {
            socket->close(QWebSocketProtocol::CloseCodeAbnormalDisconnection,
                          u"too many /api/v1/stream clients"_s);
            socket->deleteLater();
            return;
        }
        socket->setMaxAllowedIncomingFrameSize(StatusApi::maxStreamIncomingBytes);
        socket->setMaxAllowedIncomingMessageSize(StatusApi::maxStreamIncomingBytes);
        m_clients.append(socket);
        connect(socket, &QWebSocket::bytesWritten, this, [this, socket] {
            m_stalledSince.remove(socket); // it reads: however slowly, it is not stalled
        });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            m_clients.removeAll(socket);
            m_stalledSince.remove(socket);
            socket->deleteLater();
            if (m_clients.isEmpty())
                m_tick.stop();
        });
        socket->sendTextMessage(document()); // the first at once: the console shows it now
        if (!m_tick.isActive())
            m_tick.start(StatusApi::streamIntervalMs);
    }

private:
    QString document() const
    {
        return QString::fromUtf8(QJsonDocument(m_api->status()).toJson(QJsonDocument::Compact));
    }

    void broadcast()
    {
        QString text; // made only when a client takes it
        QList<QWebSocket *> stalled;
        for (QWebSocket *socket : std::as_const(m_clients)) {
            // A client that has not read the documents sent before is not sent another: the
            // next it gets is the newest. Each used to be queued for it, a console behind a
            // link slower than the stream saw older and older statuses, and a client that
            // read nothing grew the node by a document every tick, without end.
            if (socket->bytesToWrite() > 0) {
                QElapsedTimer &since = m_stalledSince[socket];
                if (!since.isValid())
                    since.start();
                else if (since.hasExpired(m_api->streamStallLimit().count()))
                    stalled.append(socket);
                continue;
            }
            if (text.isEmpty())
                text = document();
            socket->sendTextMessage(text);
        }
        // Before, it kept its place until the kernel gave up on the connection (never, for a
        // process stopped with Ctrl-Z or in a debugger).
        for (QWebSocket *socket : std::as_const(stalled)) {
            qCWarning(lcCore).noquote()
                << u"/api/v1/stream: disconnected %1:%2, which read nothing for %3 s"_s
                       .arg(socket->peerAddress().toString())
                       .arg(socket->peerPort())
                       .arg(std::chrono::duration<double>(m_api->streamStallLimit()).count());
            socket->abort(); // its unsent bytes cannot go: a close frame would wait behind them
        }
    }

    const StatusApi *m_api;
    QTimer m_tick;
    QList<QWebSocket *> m_clients;
    QHash<QWebSocket *, QElapsedTimer> m_stalledSince; // clients with bytes unsent, since when
};

StatusApi::StatusApi(SnapshotBoard *board, QByteArray apiToken)
    : m_board(board)
    , m_apiToken(std::move(apiToken))
    , m_startedAt(QDateTime::currentDateTimeUtc())
{
}

void StatusApi::registerHealthPortRoutes(HttpServer &server)
{
    server.addRoute(QHttpServerRequest::Method::Get, u"/health"_s,
                    [this](const HttpRequest &, HttpResponder &&responder) {
                        int status = 200;
                        const QJsonObject body = health(&status);
                        responder.sendJson(status, body);
                    });
    server.addRoute(QHttpServerRequest::Method::Get, u"/metrics"_s,
                    [this](const HttpRequest &, HttpResponder &&responder) {
                        responder.send(200, metrics(), "text/plain; version=0.0.4; charset=utf-8");
                    });
}

void StatusApi::registerRoutes(HttpServer &server)
{
    registerHealthPortRoutes(server);
    // Created on the HTTP thread (this runs there), deleted with the server.
    m_stream = new StatusStream(this, &server);
    server.addWebSocketRoute(
        u"/api/v1/stream"_s,
        [this](const HttpRequest &request) { return apiAccessStatus(request, m_apiToken); },
        [stream = QPointer<StatusStream>(m_stream)](QWebSocket *socket) {
            if (stream)
                stream->add(socket);
            else
                delete socket;
        });
    server.addRoute(QHttpServerRequest::Method::Get, u"/api/v1/status"_s,
                    [this](const HttpRequest &request, HttpResponder &&responder) {
                        if (authorizeApi(request, responder, m_apiToken))
                            responder.sendJson(200, status());
                    });
}

QJsonObject StatusApi::health(int *status) const
{
    bool healthy = true;
    QJsonObject engines;
    QJsonObject body;
    for (const auto &[name, snapshot] : m_board->all()) {
        const EngineHealth h = snapshot->health();
        healthy = healthy && h.healthy;
        QJsonObject engine {{u"status"_s, h.healthy ? u"healthy"_s : u"unhealthy"_s}};
        if (!h.reason.isEmpty())
            engine.insert(u"reason"_s, h.reason);
        engines.insert(name, engine);
        snapshot->addHealthFields(body);
    }
    // An engine with no snapshot yet has not connected anything: the Event Hub answered 503
    // until NATS was connected, and a load balancer must not send traffic before that.
    for (const QString &name : m_board->starting()) {
        healthy = false;
        engines.insert(name,
                       QJsonObject {{u"status"_s, u"unhealthy"_s},
                                    {u"reason"_s, u"starting: no status yet"_s}});
    }
    body.insert(u"status"_s, healthy ? u"healthy"_s : u"unhealthy"_s);
    body.insert(u"engines"_s, engines);
    *status = healthy ? 200 : 503;
    return body;
}

QByteArray StatusApi::metrics() const
{
    MetricsWriter out;
    out.gauge("switchboard_build_info", "Version of this Switchboard",
              {{"version", QByteArray(SWITCHBOARD_VERSION)}}, 1);
    out.gauge("switchboard_uptime_seconds", "Seconds since this node started", {},
              double(m_startedAt.msecsTo(QDateTime::currentDateTimeUtc())) / 1000.0);
    for (const auto &[name, snapshot] : m_board->all()) {
        out.gauge("switchboard_engine_healthy", "1 when the engine is healthy",
                  {{"engine", name.toUtf8()}}, snapshot->health().healthy ? 1 : 0);
        snapshot->writeMetrics(out);
    }
    return out.text();
}

QJsonObject StatusApi::status() const
{
    QJsonObject engines;
    for (const auto &[name, snapshot] : m_board->all())
        engines.insert(name, snapshot->toJson());
    QJsonArray logs;
    for (const LogRecord &record : recentLogRecords()) {
        logs.append(QJsonObject {{u"time"_s, record.time},
                                 {u"level"_s, record.level},
                                 {u"category"_s, record.category},
                                 {u"message"_s, record.message}});
    }
    int healthStatus = 200;
    const QJsonObject healthBody = health(&healthStatus);
    return QJsonObject {
        {u"node"_s,
         QJsonObject {{u"host"_s, QHostInfo::localHostName()},
                      {u"version"_s, QStringLiteral(SWITCHBOARD_VERSION)},
                      {u"pid"_s, QCoreApplication::applicationPid()},
                      {u"started_at"_s, m_startedAt.toString(Qt::ISODateWithMs)},
                      {u"status"_s, healthBody.value(u"status"_s)}}},
        // One shape for every engine: {"status": "healthy"|"unhealthy", "reason": "..."}.
        {u"health"_s, healthBody.value(u"engines"_s)},
        {u"engines"_s, engines},
        {u"logs"_s, logs},
    };
}

} // namespace Switchboard
