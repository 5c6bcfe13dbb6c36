#pragma once

#include "core/config.h"
#include "timeoutsstore.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <optional>

namespace Switchboard {

class HttpResponder;
class HttpServer;
struct HttpRequest;
class RedisClient;

// The routes' counters: written by the HTTP thread, read by the engine for its snapshot.
struct TimeoutsApiCounters
{
    std::atomic<quint64> agentMessages {0}; // 200s
    std::atomic<quint64> customerResponses {0}; // 200s
    std::atomic<quint64> badRequests {0}; // 400s
    std::atomic<quint64> unavailable {0}; // 503s: Redis did not answer
};

// The body of agent-message or customer-response, checked.
struct ConversationRequest
{
    QByteArray id;
    QByteArray agentId; // agent-message only; empty when absent
    std::optional<qint64> timestampMs; // absent: now
};
// Parses the id and the body; on failure `error` names the field ("timestamp: expected ...").
std::optional<ConversationRequest>
parseConversationRequest(const QString &id, const QByteArray &body, bool agent, QString *error);
// RFC 3339 ("2024-01-01T12:00:00Z", "2024-01-01T14:00:00.5+02:00") to ms since the epoch.
std::optional<qint64> parseRfc3339(const QString &text);

// POST /conversations/{id}/agent-message and /customer-response. Lives in the HTTP thread with
// a Redis connection of its own: a request is checked, written (one script) and answered with
// no thread hop.
class TimeoutsApi : public QObject
{
    Q_OBJECT
public:
    TimeoutsApi(const TimeoutsConfig &config, std::shared_ptr<TimeoutsApiCounters> counters,
                QObject *parent = nullptr);
    ~TimeoutsApi() override;

    void registerRoutes(HttpServer &server);
    void start(); // opens the Redis connection

private:
    void handle(const HttpRequest &request, HttpResponder &&responder, bool agent);

    RedisClient *m_redis;
    TimeoutsStore m_store;
    QString m_redisName;
    std::shared_ptr<TimeoutsApiCounters> m_counters;
};

} // namespace Switchboard
