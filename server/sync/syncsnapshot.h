#pragma once

#include "core/engine.h"
#include "core/metrics.h"

#include <QDateTime>
#include <QList>

namespace Switchboard {

struct SyncStreamStats
{
    QString stream;
    quint64 replicated = 0; // entries this node confirmed on the remote
    quint64 duplicatesSkipped = 0; // entries found already on the remote (after a crash or race)
    quint64 reclaimed = 0; // entries taken over from dead consumers
    quint64 writeErrors = 0;
    quint64 readErrors = 0;
    qint64 lag = -1; // local entries not yet replicated (group lag + pending); -1 unknown
    qint64 groupPending = -1; // delivered to some consumer, not yet acked
    // Entries trimmed from the local stream (a producer's MAXLEN, MINID) before the group read
    // them, since the group was made: they never reach the remote. From Redis 7's counters (an
    // XDEL in the middle is not seen); -1 unknown.
    qint64 deletedBeforeRead = -1;
    int consumers = 0; // -1: unknown (the local Redis does not answer)
    double rate = 0; // entries per second, last second
    QDateTime lastSync; // last confirmed write
    Histogram latency; // event time → remote write, seconds
    Histogram latencyLastMinute; // the same over the last minute: the status' p50 and p99
};

class SyncSnapshot : public EngineSnapshot
{
public:
    QString engineName() const override { return QStringLiteral("sync"); }
    EngineHealth health() const override { return {healthy, reason}; }
    QJsonObject toJson() const override;
    void writeMetrics(MetricsWriter &out) const override;
    void addHealthFields(QJsonObject &health) const override;

    bool running = false;
    bool healthy = false;
    QString reason;
    QString group;
    QString consumer;
    QString local; // host:port/db
    QString remote;
    bool localConnected = false;
    bool remoteConnected = false;
    qint64 buffered = 0; // entries read and not yet acked ("queue_size" of the seed)
    qint64 bufferedBytes = 0;
    bool backPressure = false; // reading paused: the buffer is full
    QDateTime lastSync;
    QList<SyncStreamStats> streams;

    quint64 totalErrors() const;
};

} // namespace Switchboard
