#pragma once

// The timeouts engine's state for /health, /metrics, /api/v1/status and the console.

#include "core/engine.h"
#include "core/metrics.h"
#include "timeoutsstore.h"

#include <QByteArray>
#include <array>

namespace Switchboard {

// Redis lost the engine's data (timeout:dataset went away) while this node ran: what it knew.
struct TimeoutsDataLoss
{
    quint64 count = 0; // times this node saw it
    quint64 waitingLost = 0; // conversations waiting at the last read before each, summed
    qint64 lastAtMs = 0; // the latest, on Redis' clock (ms since the epoch)
    qint64 lastWaiting = -1; // waiting at the read before the latest; -1: not known
    qint64 lastPending = -1; // notifications read and not yet acknowledged then; -1: not known
};

class TimeoutsSnapshot : public EngineSnapshot
{
public:
    TimeoutsSnapshot();

    QString engineName() const override { return QStringLiteral("timeouts"); }
    EngineHealth health() const override { return {healthy, reason}; }
    QJsonObject toJson() const override;
    void writeMetrics(MetricsWriter &out) const override;

    bool healthy = false;
    QString reason;
    QString redis; // host:port/db
    bool redisConnected = false;
    QString podId;
    qint64 epoch = 0; // this node's leadership; 0: not the leader
    quint64 leaderChanges = 0; // changes of the cluster's leader this node has seen
    qint64 intervalMs = 0;
    qint64 checkIntervalMs = 0;
    bool haveStatus = false; // `status` has been read at least once
    TimeoutsStatus status; // what Redis said at the last read (once a second)
    std::array<double, 3> perMinute {}; // cluster-wide notifications per level, last minute
    std::array<quint64, 3> sentByThisNode {};
    Histogram checkDuration;
    Histogram checkDurationLastMinute; // the same over the last minute: the status' p99
    double lastCheckMs = 0;
    TimeoutsDataLoss dataLoss;

    struct Webhook
    {
        bool configured = false;
        QString url; // without credentials
        quint64 delivered = 0;
        quint64 failedAttempts = 0;
        quint64 refused = 0; // set aside in timeout:refused_notifications after repeated 4xx
        qint64 retrying = 0; // entries waiting for their next attempt
        qint64 pending = 0; // the group's pending entries (every node)
        QString lastError;
    } webhook;

    struct Api
    {
        quint64 agentMessages = 0;
        quint64 customerResponses = 0;
        quint64 badRequests = 0;
        quint64 unavailable = 0;
    } api;

    // 1 ms .. 10 s: a check is a few ms when little is due and seconds after a long outage.
    static std::vector<double> checkBounds();
};

} // namespace Switchboard
