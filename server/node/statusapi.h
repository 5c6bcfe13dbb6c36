#pragma once

#include "core/engine.h"

#include <QByteArray>
#include <QDateTime>
#include <chrono>

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
    // The HEALTH_PORT listener: /health and /metrics, as the sync seed's only port served them.
    void registerHealthPortRoutes(HttpServer &server);

    QJsonObject health(int *status) const;
    QByteArray metrics() const;
    QJsonObject status() const;
    // The status document sent every `intervalMs` to each client of /api/v1/stream.
    static constexpr int streamIntervalMs = 250;
    static constexpr int maxStreamClients = 32;
    // A console sends nothing on the stream: a client's message larger than this closes it
    // (QWebSocket would otherwise hold one of up to 2 GiB).
    static constexpr qint64 maxStreamIncomingBytes = 64 * 1024;
    // A client whose unsent bytes have not moved for this long (a console frozen, suspended or
    // cut off without a FIN) is disconnected, so that it does not keep one of the
    // maxStreamClients places; a live console reconnects.
    std::chrono::milliseconds streamStallLimit() const { return m_streamStallLimit; }
    void setStreamStallLimit(std::chrono::milliseconds limit) { m_streamStallLimit = limit; }

private:
    SnapshotBoard *m_board;
    QByteArray m_apiToken;
    QDateTime m_startedAt;
    std::chrono::milliseconds m_streamStallLimit = std::chrono::seconds(60);
    class StatusStream *m_stream = nullptr; // lives in the HTTP thread, a child of the server
};

} // namespace Switchboard
