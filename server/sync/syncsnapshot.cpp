#include "syncsnapshot.h"

#include <QJsonArray>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

quint64 SyncSnapshot::totalErrors() const
{
    quint64 total = 0;
    for (const SyncStreamStats &s : streams)
        total += s.writeErrors + s.readErrors;
    return total;
}

static QJsonValue time(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue();
}

QJsonObject SyncSnapshot::toJson() const
{
    QJsonArray streamArray;
    for (const SyncStreamStats &s : streams) {
        streamArray.append(QJsonObject {
            {u"stream"_s, s.stream},
            {u"replicated"_s, double(s.replicated)},
            {u"duplicates_skipped"_s, double(s.duplicatesSkipped)},
            {u"reclaimed"_s, double(s.reclaimed)},
            {u"write_errors"_s, double(s.writeErrors)},
            {u"read_errors"_s, double(s.readErrors)},
            {u"lag"_s, double(s.lag)},
            {u"group_pending"_s, double(s.groupPending)},
            {u"deleted_before_read"_s, double(s.deletedBeforeRead)},
            {u"consumers"_s, s.consumers},
            {u"rate"_s, s.rate},
            {u"last_sync"_s, time(s.lastSync)},
            {u"latency_p50_ms"_s, s.latencyLastMinute.quantile(0.5) * 1000},
            {u"latency_p99_ms"_s, s.latencyLastMinute.quantile(0.99) * 1000},
        });
    }
    return QJsonObject {
        {u"status"_s, healthy ? u"healthy"_s : u"unhealthy"_s},
        {u"reason"_s, reason},
        {u"running"_s, running},
        {u"group"_s, group},
        {u"consumer"_s, consumer},
        {u"local"_s, QJsonObject {{u"address"_s, local}, {u"connected"_s, localConnected}}},
        {u"remote"_s, QJsonObject {{u"address"_s, remote}, {u"connected"_s, remoteConnected}}},
        {u"queue_size"_s, double(buffered)},
        {u"buffered_bytes"_s, double(bufferedBytes)},
        {u"back_pressure"_s, backPressure},
        {u"errors"_s, double(totalErrors())},
        {u"last_sync"_s, time(lastSync)},
        {u"streams"_s, streamArray},
    };
}

void SyncSnapshot::addHealthFields(QJsonObject &health) const
{
    // The seed's /health body, kept for its existing probes.
    health.insert(u"last_sync"_s, time(lastSync));
    health.insert(u"queue_size"_s, double(buffered));
    health.insert(u"errors"_s, double(totalErrors()));
}

void SyncSnapshot::writeMetrics(MetricsWriter &out) const
{
    out.gauge("switchboard_sync_up", "1 when the sync engine is healthy", {}, healthy ? 1 : 0);
    out.gauge("switchboard_sync_redis_connected", "1 when the connection to this Redis is up",
              {{"side", "local"}}, localConnected ? 1 : 0);
    out.gauge("switchboard_sync_redis_connected", "1 when the connection to this Redis is up",
              {{"side", "remote"}}, remoteConnected ? 1 : 0);
    out.gauge("switchboard_sync_queue_size", "Entries read from the local Redis and not yet acked",
              {}, double(buffered));
    out.gauge("switchboard_sync_queue_bytes", "Bytes held for entries not yet acked", {},
              double(bufferedBytes));
    out.gauge("switchboard_sync_back_pressure",
              "1 while reading is paused because the buffer is full", {}, backPressure ? 1 : 0);
    if (lastSync.isValid())
        out.gauge("switchboard_sync_last_sync_timestamp_seconds",
                  "Unix time of the last confirmed remote write", {},
                  double(lastSync.toMSecsSinceEpoch()) / 1000.0);
    for (const SyncStreamStats &s : streams) {
        const MetricLabels l {{"stream", s.stream.toUtf8()}};
        out.counter("switchboard_sync_replicated_total", "Entries confirmed on the remote Redis", l,
                    double(s.replicated));
        out.counter("switchboard_sync_duplicates_skipped_total",
                    "Entries found already written on the remote and not written again", l,
                    double(s.duplicatesSkipped));
        out.counter("switchboard_sync_reclaimed_total",
                    "Pending entries taken over from dead consumers", l, double(s.reclaimed));
        out.counter("switchboard_sync_errors_total", "Failed reads and writes",
                    l + MetricLabels {{"op", "write"}}, double(s.writeErrors));
        out.counter("switchboard_sync_errors_total", "Failed reads and writes",
                    l + MetricLabels {{"op", "read"}}, double(s.readErrors));
        if (s.lag >= 0)
            out.gauge("switchboard_sync_lag_entries", "Local entries not yet replicated", l,
                      double(s.lag));
        if (s.groupPending >= 0)
            out.gauge("switchboard_sync_group_pending",
                      "Entries delivered to a consumer and not acked", l, double(s.groupPending));
        if (s.deletedBeforeRead >= 0)
            out.gauge("switchboard_sync_deleted_before_read_entries",
                      "Entries removed from the local stream before the group read them", l,
                      double(s.deletedBeforeRead));
        if (s.consumers >= 0)
            out.gauge("switchboard_sync_consumers", "Consumers in the group", l, s.consumers);
        out.gauge("switchboard_sync_rate", "Entries replicated per second", l, s.rate);
        out.histogram("switchboard_sync_latency_seconds",
                      "From the event's own time to the confirmed remote write", l, s.latency);
    }
}

} // namespace Switchboard
