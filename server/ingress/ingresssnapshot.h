#pragma once

#include "core/engine.h"
#include "core/metrics.h"
#include "deadletter.h"

#include <QDateTime>
#include <QList>

namespace Switchboard {

struct IngressEndpointStats
{
    QString domain;
    QString url;
    quint64 delivered = 0; // 2xx
    quint64 httpErrors = 0; // answered, not 2xx
    quint64 timeouts = 0;
    quint64 connectionErrors = 0; // refused, reset, TLS, DNS ...
    quint64 notCalled = 0; // attempts that failed at once: the endpoint's circuit was open
    QDateTime circuitOpenSince; // invalid while the circuit is closed
    int lastStatus = 0;
    QString lastError;
    QDateTime lastFailure;
    QDateTime lastSuccess;

    quint64 failures() const { return httpErrors + timeouts + connectionErrors; }
};

class IngressSnapshot : public EngineSnapshot
{
public:
    QString engineName() const override { return QStringLiteral("ingress"); }
    EngineHealth health() const override { return {healthy, reason}; }
    QJsonObject toJson() const override;
    void writeMetrics(MetricsWriter &out) const override;

    bool running = false;
    bool healthy = false;
    QString reason;
    QString natsUrl; // without credentials
    bool natsConnected = false; // the engine's connection
    bool eventsConnected = false; // POST /events' connection (NatsPublisher)
    bool consuming = false; // streams set up and the consumer subscribed
    QString stream;
    QString consumer;

    quint64 received = 0; // POST /events requests with a body
    quint64 published = 0; // acknowledged by JetStream (202)
    quint64 rejectedInvalid = 0; // 400
    quint64 rejectedUnavailable = 0; // 503
    quint64 deliveredEvents = 0; // acked: every endpoint has it
    quint64 redeliveries = 0; // deliveries after the first
    quint64 deadLettersNoRoute = 0;
    quint64 deadLettersMaxDeliveries = 0;
    qint64 inFlight = 0; // deliveries being forwarded now
    qint64 consumerPending = -1; // in the stream, not yet delivered; -1 unknown
    double eventsPerSecond = 0; // acked per second, last second
    Histogram forwardLatency; // one POST to one endpoint, seconds
    Histogram forwardLatencyLastMinute; // the same over the last minute: the status' p50, p99
    QList<IngressEndpointStats> endpoints;
    QList<DeadLetter> latestDeadLetters; // newest first, bodies left out
};

} // namespace Switchboard
