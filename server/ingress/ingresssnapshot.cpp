#include "ingresssnapshot.h"

#include <QJsonArray>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

QJsonValue time(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(t.toUTC().toString(Qt::ISODateWithMs))
                       : QJsonValue(QJsonValue::Null);
}

} // namespace

QJsonObject IngressSnapshot::toJson() const
{
    QJsonArray endpointRows;
    for (const IngressEndpointStats &e : endpoints) {
        endpointRows.append(QJsonObject {{u"domain"_s, e.domain},
                                         {u"url"_s, e.url},
                                         {u"delivered"_s, double(e.delivered)},
                                         {u"failures"_s, double(e.failures())},
                                         {u"http_errors"_s, double(e.httpErrors)},
                                         {u"timeouts"_s, double(e.timeouts)},
                                         {u"connection_errors"_s, double(e.connectionErrors)},
                                         {u"not_called"_s, double(e.notCalled)},
                                         {u"circuit_open_since"_s, time(e.circuitOpenSince)},
                                         {u"last_status"_s, e.lastStatus},
                                         {u"last_error"_s, e.lastError},
                                         {u"last_failure"_s, time(e.lastFailure)},
                                         {u"last_success"_s, time(e.lastSuccess)}});
    }
    QJsonArray letters;
    for (const DeadLetter &letter : latestDeadLetters)
        letters.append(letter.summaryJson());
    return {{u"running"_s, running},
            {u"healthy"_s, healthy},
            {u"reason"_s, reason},
            {u"nats"_s, natsUrl},
            {u"nats_connected"_s, natsConnected},
            {u"events_connected"_s, eventsConnected},
            {u"consuming"_s, consuming},
            {u"stream"_s, stream},
            {u"consumer"_s, consumer},
            {u"received"_s, double(received)},
            {u"published"_s, double(published)},
            {u"rejected_invalid"_s, double(rejectedInvalid)},
            {u"rejected_unavailable"_s, double(rejectedUnavailable)},
            {u"delivered_events"_s, double(deliveredEvents)},
            {u"redeliveries"_s, double(redeliveries)},
            {u"dead_letters_no_route"_s, double(deadLettersNoRoute)},
            {u"dead_letters_max_deliveries"_s, double(deadLettersMaxDeliveries)},
            {u"in_flight"_s, double(inFlight)},
            {u"consumer_pending"_s, double(consumerPending)},
            {u"events_per_second"_s, eventsPerSecond},
            {u"forward_p50_ms"_s, forwardLatencyLastMinute.quantile(0.5) * 1000},
            {u"forward_p99_ms"_s, forwardLatencyLastMinute.quantile(0.99) * 1000},
            {u"endpoints"_s, endpointRows},
            {u"latest_dead_letters"_s, letters}};
}

void IngressSnapshot::writeMetrics(MetricsWriter &out) const
{
    out.gauge("switchboard_ingress_up", "1 when the ingress engine is healthy", {},
              healthy ? 1 : 0);
    out.gauge("switchboard_ingress_nats_connected", "1 while the NATS connection is up", {},
              natsConnected ? 1 : 0);
    out.counter("switchboard_ingress_events_received_total", "POST /events requests with a body",
                {}, double(received));
    out.counter("switchboard_ingress_events_published_total",
                "Events acknowledged by JetStream and answered 202", {}, double(published));
    out.counter("switchboard_ingress_events_rejected_total", "POST /events answered with an error",
                {{"reason", "invalid"}}, double(rejectedInvalid));
    out.counter("switchboard_ingress_events_rejected_total", "POST /events answered with an error",
                {{"reason", "unavailable"}}, double(rejectedUnavailable));
    out.counter("switchboard_ingress_events_delivered_total",
                "Events every endpoint of their domain answered 2xx (acked)", {},
                double(deliveredEvents));
    out.counter("switchboard_ingress_redeliveries_total", "Deliveries after the first", {},
                double(redeliveries));
    out.counter("switchboard_ingress_dead_letters_total", "Events turned into dead letters",
                {{"reason", "no_route"}}, double(deadLettersNoRoute));
    out.counter("switchboard_ingress_dead_letters_total", "Events turned into dead letters",
                {{"reason", "max_deliveries"}}, double(deadLettersMaxDeliveries));
    out.gauge("switchboard_ingress_in_flight", "Deliveries being forwarded now", {},
              double(inFlight));
    if (consumerPending >= 0)
        out.gauge("switchboard_ingress_consumer_pending",
                  "Events in the stream not yet delivered to this consumer", {},
                  double(consumerPending));
    for (const IngressEndpointStats &e : endpoints) {
        const MetricLabels labels {{"domain", e.domain.toUtf8()}, {"endpoint", e.url.toUtf8()}};
        const char *help = "Forwards to one endpoint by outcome";
        out.counter("switchboard_ingress_forwards_total", help,
                    labels + MetricLabels {{"outcome", "delivered"}}, double(e.delivered));
        out.counter("switchboard_ingress_forwards_total", help,
                    labels + MetricLabels {{"outcome", "http_error"}}, double(e.httpErrors));
        out.counter("switchboard_ingress_forwards_total", help,
                    labels + MetricLabels {{"outcome", "timeout"}}, double(e.timeouts));
        out.counter("switchboard_ingress_forwards_total", help,
                    labels + MetricLabels {{"outcome", "connection_error"}},
                    double(e.connectionErrors));
        out.counter("switchboard_ingress_forwards_skipped_total",
                    "Attempts that did not call one endpoint: its circuit breaker was open", labels,
                    double(e.notCalled));
        out.gauge("switchboard_ingress_endpoint_circuit_open",
                  "1 while an endpoint gets one call at a time after failing "
                  "ingress.circuit_breaker_failures calls in a row",
                  labels, e.circuitOpenSince.isValid() ? 1 : 0);
    }
    out.histogram("switchboard_ingress_forward_duration_seconds",
                  "Time from sending a forward to its response", {}, forwardLatency);
}

} // namespace Switchboard
