#pragma once

// The polling engine's state for /health, /metrics, /api/v1/status and the console.

#include "core/engine.h"
#include "core/metrics.h"

#include <QByteArray>
#include <map>

namespace Switchboard {

class PollingSnapshot : public EngineSnapshot
{
public:
    QString engineName() const override { return QStringLiteral("polling"); }
    EngineHealth health() const override { return {healthy, reason}; }
    QJsonObject toJson() const override;
    void writeMetrics(MetricsWriter &out) const override;

    bool healthy = false;
    QString reason;
    QString redis; // host:port/db
    bool redisConnected = false;
    bool subscribed = false; // the wake channel's connection is up
    qint64 heldPolls = 0; // long polls waiting now
    qint64 readsInFlight = 0;
    qint64 readsQueued = 0; // beyond WORKER_POOL_SIZE
    double publishesPerSecond = 0; // last second, every publish route
    // route ("events", "user", "admin") -> status -> polls answered
    std::map<QByteArray, std::map<int, quint64>> polls;
    // route ("publish", "order-status-change", "new-order", "order-update") -> status -> count
    std::map<QByteArray, std::map<int, quint64>> publishes;
    std::map<QByteArray, quint64> authFailures; // reason -> 401s and 403s
    quint64 clientsGone = 0; // held polls whose client left before an answer
    quint64 historyLost = 0; // answers with "historyLost": true
    // From the publish (its Redis time) to the answer of a held poll it woke, seconds.
    Histogram wakeLatency {Histogram::latencyBounds()};
    Histogram wakeLatencyLastMinute; // the same over the last minute: the status' p50 and p99
};

} // namespace Switchboard
