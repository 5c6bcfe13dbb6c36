#include "statusapi.h"

#include "core/logging.h"
#include "core/metrics.h"
#include "http/apiaccess.h"
#include "http/httpserver.h"

#include <QCoreApplication>
#include <QHostInfo>
#include <QJsonArray>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

StatusApi::StatusApi(SnapshotBoard *board, QByteArray apiToken)
    : m_board(board)
    , m_apiToken(std::move(apiToken))
    , m_startedAt(QDateTime::currentDateTimeUtc())
{
}

void StatusApi::registerHealthRoute(HttpServer &server)
{
    server.addRoute(QHttpServerRequest::Method::Get, u"/health"_s,
                    [this](const HttpRequest &, HttpResponder &&responder) {
                        int status = 200;
                        const QJsonObject body = health(&status);
                        responder.sendJson(status, body);
                    });
}

void StatusApi::registerRoutes(HttpServer &server)
{
    registerHealthRoute(server);
    server.addRoute(QHttpServerRequest::Method::Get, u"/metrics"_s,
                    [this](const HttpRequest &, HttpResponder &&responder) {
                        responder.send(200, metrics(), "text/plain; version=0.0.4; charset=utf-8");
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
        {u"engines"_s, engines},
        {u"logs"_s, logs},
    };
}

} // namespace Switchboard
