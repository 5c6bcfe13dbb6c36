#pragma once

#include "core/engine.h"

#include <QByteArray>
#include <QDateTime>

namespace Switchboard {

class HttpServer;
struct HttpRequest;
class HttpResponder;

// The routes every node serves from its engines' snapshots: /health (the sync seed's shape
// plus one object per engine), /metrics (Prometheus) and /api/v1/status (what the console
// draws). Handlers only read the SnapshotBoard: no engine is called.
class StatusApi
{
public:
    StatusApi(SnapshotBoard *board, QByteArray apiToken);

    void registerRoutes(HttpServer &server);
    void registerHealthRoute(HttpServer &server); // the HEALTH_PORT listener serves only this

    QJsonObject health(int *status) const;
    QByteArray metrics() const;
    QJsonObject status() const;

    // /api/v1/* rule: loopback clients freely; others need "Authorization: Bearer <api.token>"
    // (constant-time compare) and get 403 when no token is configured. Answers and returns
    // false when the request is refused.
    static bool authorizeApi(const HttpRequest &request, HttpResponder &responder,
                             const QByteArray &token);
    // The decision alone: 0 when allowed, else the HTTP status to refuse with.
    static int apiAccessStatus(const HttpRequest &request, const QByteArray &token);

private:
    SnapshotBoard *m_board;
    QByteArray m_apiToken;
    QDateTime m_startedAt;
};

} // namespace Switchboard
