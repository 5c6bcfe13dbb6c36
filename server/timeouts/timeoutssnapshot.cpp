#include "timeoutssnapshot.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

template<typename Array> QJsonObject byLevel(const Array &values)
{
    QJsonObject out;
    for (size_t i = 0; i < 3; ++i)
        out[QString::number(i + 1)] = double(values[i]);
    return out;
}

const QByteArray levelNames[3] = {"1"_ba, "2"_ba, "3"_ba};
// The Go service's own label values (WithLabelValues("level1")).
const QByteArray goLevelNames[3] = {"level1"_ba, "level2"_ba, "level3"_ba};

} // namespace

std::vector<double> TimeoutsSnapshot::checkBounds()
{
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

TimeoutsSnapshot::TimeoutsSnapshot()
    : checkDuration(checkBounds())
{
}

QJsonObject TimeoutsSnapshot::toJson() const
{
    QJsonValue leader = QJsonValue::Null;
    if (!status.leaderPod.isEmpty()) {
        const bool known = status.leadershipPod == status.leaderPod;
        leader = QJsonObject {
            {u"pod"_s, QString::fromUtf8(status.leaderPod)},
            {u"epoch"_s, known ? status.leadershipEpoch : 0},
            {u"since_ms"_s, known ? status.leadershipSinceMs : 0},
            {u"ttl_ms"_s, status.leaderTtlMs},
        };
    }
    QJsonArray longest;
    for (const WaitingConversation &c : status.longestWaiting) {
        const int next = qMin(c.level + 1, 3);
        longest.append(QJsonObject {
            {u"id"_s, QString::fromUtf8(c.id)},
            {u"agent_id"_s, QString::fromUtf8(c.agentId)},
            {u"waiting_since_ms"_s, c.waitingSinceMs},
            {u"level"_s, c.level},
            {u"next_level"_s, next},
            {u"next_due_ms"_s, c.waitingSinceMs + next * intervalMs},
        });
    }
    QJsonArray forecast;
    for (qint64 count : status.forecast)
        forecast.append(count);
    return {
        {u"status"_s, healthy ? u"healthy"_s : u"unhealthy"_s},
        {u"reason"_s, reason},
        {u"redis"_s, redis},
        {u"redis_connected"_s, redisConnected},
        {u"pod_id"_s, podId},
        {u"is_leader"_s, epoch > 0},
        {u"epoch"_s, epoch},
        {u"leader"_s, leader},
        {u"leader_changes"_s, qint64(leaderChanges)},
        {u"interval_ms"_s, intervalMs},
        {u"check_interval_ms"_s, checkIntervalMs},
        {u"waiting"_s, status.waiting},
        {u"overdue"_s, status.overdue},
        {u"longest_waiting"_s, longest},
        {u"notifications_total"_s,
         byLevel(std::array {status.notified[1], status.notified[2], status.notified[3]})},
        {u"notifications_per_minute"_s, byLevel(perMinute)},
        {u"sent_by_this_node"_s, byLevel(sentByThisNode)},
        {u"forecast"_s, forecast},
        {u"check_last_ms"_s, lastCheckMs},
        // When the data in Redis began (timeout:dataset made), and what this node saw lost.
        {u"data_since_ms"_s, status.datasetSinceMs},
        {u"data_lost"_s,
         QJsonObject {
             {u"count"_s, qint64(dataLoss.count)},
             {u"last_at_ms"_s, dataLoss.lastAtMs},
             {u"last_waiting"_s, dataLoss.lastWaiting},
             {u"last_pending"_s, dataLoss.lastPending},
             {u"waiting_total"_s, qint64(dataLoss.waitingLost)},
         }},
        {u"check_p99_ms"_s, checkDurationLastMinute.quantile(0.99) * 1000},
        {u"checks"_s, qint64(checkDuration.count())},
        {u"webhook"_s,
         QJsonObject {
             {u"configured"_s, webhook.configured},
             {u"url"_s, webhook.url},
             {u"delivered"_s, qint64(webhook.delivered)},
             {u"failed_attempts"_s, qint64(webhook.failedAttempts)},
             {u"refused"_s, qint64(webhook.refused)},
             {u"retrying"_s, webhook.retrying},
             {u"pending"_s, webhook.pending},
             {u"last_error"_s, webhook.lastError},
         }},
        {u"api"_s,
         QJsonObject {
             {u"agent_messages"_s, qint64(api.agentMessages)},
             {u"customer_responses"_s, qint64(api.customerResponses)},
             {u"bad_requests"_s, qint64(api.badRequests)},
             {u"unavailable"_s, qint64(api.unavailable)},
         }},
    };
}

void TimeoutsSnapshot::writeMetrics(MetricsWriter &out) const
{
    // The seed's names first, with the seed's meaning.
    out.gauge("waiting_conversations_count", "Conversations waiting for a customer response", {},
              double(status.waiting));
    for (size_t i = 0; i < 3; ++i)
        out.counter("timeout_notifications_sent", "Timeout notifications written by this node",
                    {{"level", levelNames[i]}}, double(sentByThisNode[i]));
    out.counter("timeout_leader_changes", "Leader changes seen by this node", {},
                double(leaderChanges));
    out.histogram("timeout_check_duration", "Duration of the leader's timeout checks, seconds", {},
                  checkDuration);
    // The same, as the Go service's Prometheus client spelt them on its /metrics (a counter's
    // "_total", a duration's "_seconds", "level1" for level 1): the names its dashboards and
    // alerts query.
    for (size_t i = 0; i < 3; ++i)
        out.counter("timeout_notifications_sent_total",
                    "Timeout notifications written by this node (the Go service's name)",
                    {{"level", goLevelNames[i]}}, double(sentByThisNode[i]));
    out.counter("timeout_leader_changes_total",
                "Leader changes seen by this node (the Go service's name)", {},
                double(leaderChanges));
    out.histogram("timeout_check_duration_seconds",
                  "Duration of the leader's timeout checks (the Go service's name)", {},
                  checkDuration);

    out.gauge("switchboard_timeouts_up", "1 when the timeouts engine's Redis answers", {},
              redisConnected ? 1 : 0);
    out.gauge("switchboard_timeouts_is_leader", "1 while this node is the timeouts leader", {},
              epoch > 0 ? 1 : 0);
    out.gauge("switchboard_timeouts_epoch", "This node's leadership epoch, 0 when not leader", {},
              double(epoch));
    out.counter("switchboard_timeouts_redis_data_losses_total",
                "Times this node saw Redis lose the timeouts data (timeout:dataset gone: a restart "
                "without persistence, FLUSHALL...)",
                {}, double(dataLoss.count));
    out.counter("switchboard_timeouts_lost_conversations_total",
                "Conversations waiting at this node's last read before Redis lost the data, "
                "summed over the losses (every node counts the same ones)",
                {}, double(dataLoss.waitingLost));
    out.gauge("switchboard_timeouts_overdue",
              "Notification levels already due and not yet written (grows with no leader)", {},
              double(status.overdue));
    for (size_t i = 0; i < 3; ++i)
        out.counter("switchboard_timeouts_notifications_total",
                    "Timeout notifications written by every node (metrics:timeouts)",
                    {{"level", levelNames[i]}}, double(status.notified[i + 1]));
    out.counter("switchboard_timeouts_webhook_deliveries_total",
                "Notification webhook POSTs, by result", {{"result", "delivered"}},
                double(webhook.delivered));
    out.counter("switchboard_timeouts_webhook_deliveries_total",
                "Notification webhook POSTs, by result", {{"result", "failed"}},
                double(webhook.failedAttempts));
    out.counter("switchboard_timeouts_webhook_deliveries_total",
                "Notification webhook POSTs, by result", {{"result", "set_aside"}},
                double(webhook.refused));
    out.gauge("switchboard_timeouts_webhook_pending",
              "Notifications read by the group and not yet acknowledged", {},
              double(webhook.pending));
    const std::pair<const char *, quint64> requests[] = {
        {"agent-message", api.agentMessages},
        {"customer-response", api.customerResponses},
    };
    for (const auto &[route, count] : requests)
        out.counter("switchboard_timeouts_requests_total", "Conversation requests, by result",
                    {{"route", route}, {"status", "200"}}, double(count));
    out.counter("switchboard_timeouts_requests_total", "Conversation requests, by result",
                {{"route", "any"}, {"status", "400"}}, double(api.badRequests));
    out.counter("switchboard_timeouts_requests_total", "Conversation requests, by result",
                {{"route", "any"}, {"status", "503"}}, double(api.unavailable));
}

} // namespace Switchboard
