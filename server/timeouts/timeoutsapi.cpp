#include "timeoutsapi.h"

#include "core/controlcharacters.h"
#include "core/jsonfields.h"
#include "http/httprequest.h"
#include "http/httpresponder.h"
#include "http/httpserver.h"
#include "redis/redisclient.h"

#include <QDateTime>
#include <QJsonObject>
#include <QRegularExpression>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qsizetype maxIdBytes = 256;
const QString timestampExpected =
    u"timestamp: expected RFC 3339 such as 2024-01-01T12:00:00Z or 2024-01-01T12:00:00.5+07:00"_s;

QString rfc3339(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

// A field that must be a string when present. The key is matched as the Go service's decoder
// matched it into its request struct: exactly, else case-insensitively (core/jsonfields.h).
bool optionalString(const QJsonObject &body, const QString &name, QByteArray *out, QString *error)
{
    const QJsonValue value = jsonField(body, name);
    if (value.isUndefined() || value.isNull())
        return true;
    if (!value.isString()) {
        *error = name + u": expected a string"_s;
        return false;
    }
    if (out)
        *out = value.toString().toUtf8();
    return true;
}

} // namespace

std::optional<qint64> parseRfc3339(const QString &text)
{
    static const QRegularExpression pattern(
        uR"(^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$)"_s);
    const QRegularExpressionMatch m = pattern.match(text);
    if (!m.hasMatch())
        return std::nullopt;
    const auto part = [&](int i) {
        return m.capturedView(i).toInt();
    };
    const QDate date(part(1), part(2), part(3));
    // Second 60 (a leap second) is RFC 3339's; Qt has none, so it counts as :59.999.
    const int second = part(6);
    const QString fraction = m.captured(7).leftJustified(3, u'0').left(3);
    const QTime time(part(4), part(5), qMin(second, 59), second == 60 ? 999 : fraction.toInt());
    if (!date.isValid() || !time.isValid() || part(10) > 23 || part(11) > 59)
        return std::nullopt;
    int offsetSeconds = 0;
    if (m.capturedLength(8) == 0)
        offsetSeconds = (m.capturedView(9) == u"-" ? -1 : 1) * (part(10) * 3600 + part(11) * 60);
    const QDateTime dateTime(date, time, Qt::OffsetFromUTC, offsetSeconds);
    if (!dateTime.isValid())
        return std::nullopt;
    return dateTime.toMSecsSinceEpoch();
}

std::optional<ConversationRequest>
parseConversationRequest(const QString &id, const QByteArray &body, bool agent, QString *error)
{
    ConversationRequest request;
    request.id = id.toUtf8();
    if (request.id.isEmpty()) {
        *error = u"id: the conversation id in the path is empty"_s;
        return std::nullopt;
    }
    if (request.id.size() > maxIdBytes) {
        *error = u"id: at most %1 bytes, got %2"_s.arg(maxIdBytes).arg(request.id.size());
        return std::nullopt;
    }
    // The id travels in the webhook's Idempotency-Key header, where a control character cannot
    // (CR or LF would end the header, the others are not allowed in a field value): the POST
    // could never be made, and the notification would stay pending for ever, holding the
    // stream's trimming back.
    if (const qsizetype at = firstControlCharacter(request.id); at >= 0) {
        *error = u"id: control character %1 (an id must fit in an HTTP header)"_s.arg(
            describeControlCharacter(request.id, at));
        return std::nullopt;
    }
    QJsonObject object;
    // Go's decoder left the request struct untouched for a JSON null, as for absent fields.
    if (const QByteArray trimmed = body.trimmed(); !trimmed.isEmpty() && trimmed != "null") {
        QString notJson;
        const std::optional<QJsonObject> parsed = parseJsonObjectAsGo(body, &notJson);
        if (!parsed) {
            *error = notJson.isEmpty() ? u"body: expected a JSON object"_s
                                       : u"body: not JSON: "_s + notJson;
            return std::nullopt;
        }
        object = *parsed;
    }
    const QString who = agent ? u"agent_id"_s : u"customer_id"_s;
    if (!optionalString(object, who, agent ? &request.agentId : nullptr, error)
        || !optionalString(object, u"message_id"_s, nullptr, error))
        return std::nullopt;
    const QJsonValue timestamp = jsonField(object, u"timestamp");
    if (!timestamp.isUndefined() && !timestamp.isNull()) {
        request.timestampMs =
            timestamp.isString() ? parseRfc3339(timestamp.toString()) : std::nullopt;
        if (!request.timestampMs) {
            *error = timestampExpected;
            return std::nullopt;
        }
        if (*request.timestampMs < 0) { // the store would take it for "now"
            *error = u"timestamp: before 1970-01-01T00:00:00Z"_s;
            return std::nullopt;
        }
    }
    return request;
}

TimeoutsApi::TimeoutsApi(const TimeoutsConfig &config,
                         std::shared_ptr<TimeoutsApiCounters> counters, QObject *parent)
    : QObject(parent)
    , m_redis(new RedisClient(RedisClient::Options::of(config.redis, u"timeouts-api"_s), this))
    , m_store(m_redis, config.timeoutInterval.count())
    , m_redisName(config.redis.display())
    , m_counters(std::move(counters))
{
}

TimeoutsApi::~TimeoutsApi() = default;

void TimeoutsApi::start()
{
    m_redis->open();
}

void TimeoutsApi::registerRoutes(HttpServer &server)
{
    using Method = QHttpServerRequest::Method;
    for (const bool agent : {true, false}) {
        const QString action = agent ? u"agent-message"_s : u"customer-response"_s;
        const auto handler = [this, agent](const HttpRequest &request, HttpResponder &&responder) {
            handle(request, std::move(responder), agent);
        };
        server.addRoute(Method::Post, u"/conversations/{id}/"_s + action, handler);
        // An empty id would match no route and get 404; the client's mistake is the id.
        server.addRoute(Method::Post, u"/conversations//"_s + action, handler);
    }
}

void TimeoutsApi::handle(const HttpRequest &request, HttpResponder &&responder, bool agent)
{
    QString error;
    const std::optional<ConversationRequest> parsed =
        parseConversationRequest(request.pathParams.value(u"id"_s), request.body, agent, &error);
    if (!parsed) {
        ++m_counters->badRequests;
        responder.sendError(400, u"bad_request"_s, error);
        return;
    }
    if (!m_redis->isConnected()) {
        ++m_counters->unavailable;
        responder.sendError(503, u"unavailable"_s,
                            u"Redis %1: %2"_s.arg(m_redisName, m_redis->unavailableReason()));
        return;
    }
    auto waiting = std::make_shared<HttpResponder>(std::move(responder));
    const QString id = QString::fromUtf8(parsed->id);
    const auto unavailable = [this, waiting](const QString &why) {
        ++m_counters->unavailable;
        waiting->sendError(503, u"unavailable"_s, u"Redis %1: %2"_s.arg(m_redisName, why));
    };
    if (!agent) {
        m_store.customerResponse(parsed->id, [=, this](bool wasWaiting, const QString &error) {
            if (!error.isEmpty())
                return unavailable(error);
            ++m_counters->customerResponses;
            waiting->sendJson(200,
                              QJsonObject {{u"conversation_id"_s, id},
                                           {u"status"_s, u"responded"_s},
                                           {u"was_waiting"_s, wasWaiting}});
        });
        return;
    }
    const qint64 intervalMs = m_store.intervalMs();
    m_store.agentMessage(
        parsed->id, parsed->timestampMs.value_or(-1), parsed->agentId,
        [=, this](qint64 since, int nextLevel, const QString &error) {
            if (!error.isEmpty())
                return unavailable(error);
            ++m_counters->agentMessages;
            if (nextLevel <= 0) // a late copy of a message whose wait is over
                return waiting->sendJson(
                    200,
                    QJsonObject {{u"conversation_id"_s, id},
                                 {u"status"_s, nextLevel == 0 ? u"responded"_s : u"timed_out"_s},
                                 {u"waiting_since"_s, rfc3339(since)}});
            waiting->sendJson(
                200,
                QJsonObject {{u"conversation_id"_s, id},
                             {u"status"_s, u"waiting"_s},
                             {u"waiting_since"_s, rfc3339(since)},
                             {u"next_level"_s, nextLevel},
                             {u"next_due_at"_s, rfc3339(since + nextLevel * intervalMs)}});
        });
}

} // namespace Switchboard
