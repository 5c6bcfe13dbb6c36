#include "pollingsnapshot.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonObject countsByStatus(const std::map<QByteArray, std::map<int, quint64>> &counts)
{
    QJsonObject out;
    for (const auto &[route, statuses] : counts) {
        QJsonObject byStatus;
        for (const auto &[status, count] : statuses)
            byStatus[QString::number(status)] = qint64(count);
        out[QString::fromUtf8(route)] = byStatus;
    }
    return out;
}

} // namespace

QJsonObject PollingSnapshot::toJson() const
{
    QJsonObject failures;
    for (const auto &[why, count] : authFailures)
        failures[QString::fromUtf8(why)] = qint64(count);
    return {
        {u"status"_s, healthy ? u"healthy"_s : u"unhealthy"_s},
        {u"reason"_s, reason},
        {u"redis"_s, redis},
        {u"redis_connected"_s, redisConnected},
        {u"subscribed"_s, subscribed},
        {u"held_polls"_s, heldPolls},
        {u"reads_in_flight"_s, readsInFlight},
        {u"reads_queued"_s, readsQueued},
        {u"publishes_per_second"_s, publishesPerSecond},
        {u"polls"_s, countsByStatus(polls)},
        {u"publishes"_s, countsByStatus(publishes)},
        {u"auth_failures"_s, failures},
        {u"clients_gone"_s, qint64(clientsGone)},
        {u"history_lost"_s, qint64(historyLost)},
        {u"wake_p50_ms"_s, wakeLatencyLastMinute.quantile(0.5) * 1000},
        {u"wake_p99_ms"_s, wakeLatencyLastMinute.quantile(0.99) * 1000},
        {u"wakes"_s, qint64(wakeLatency.count())},
    };
}

void PollingSnapshot::writeMetrics(MetricsWriter &out) const
{
    out.gauge("switchboard_polling_up", "1 when the polling engine's Redis answers", {},
              healthy ? 1 : 0);
    out.gauge("switchboard_polling_held_polls", "Long polls waiting for an event", {},
              double(heldPolls));
    out.histogram("switchboard_polling_wake_seconds",
                  "From a publish to the answer of a held poll it woke", {}, wakeLatency);
    for (const auto &[route, statuses] : polls) {
        for (const auto &[status, count] : statuses)
            out.counter("switchboard_polling_polls_total", "Polls answered, by route and status",
                        {{"route", route}, {"status", QByteArray::number(status)}}, double(count));
    }
    for (const auto &[route, statuses] : publishes) {
        for (const auto &[status, count] : statuses)
            out.counter("switchboard_polling_publishes_total",
                        "Internal publish requests, by route and status",
                        {{"route", route}, {"status", QByteArray::number(status)}}, double(count));
    }
    for (const auto &[why, count] : authFailures)
        out.counter("switchboard_polling_auth_failures_total",
                    "Polls refused (401, 403) and internal requests refused, by reason",
                    {{"reason", why}}, double(count));
    out.counter("switchboard_polling_clients_gone_total",
                "Held polls whose client left before the answer", {}, double(clientsGone));
    out.counter("switchboard_polling_history_lost_total",
                "Answers telling the client that events it had not seen were trimmed", {},
                double(historyLost));
}

} // namespace Switchboard
