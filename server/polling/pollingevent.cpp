#include "pollingevent.h"

#include "core/controlcharacters.h"
#include "core/jsonfields.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// Reads the fields of one body, remembering the first problem. Keys are matched as the Telemetry
// Service's gin binding (ShouldBindJSON into its request structs, encoding/json underneath)
// matched them: exactly, else case-insensitively (core/jsonfields.h). Keys inside metadata and
// details are data, kept as sent.
class BodyReader
{
public:
    explicit BodyReader(const QJsonObject &body)
        : m_body(body)
    {
    }

    // A string; an id may also come as a whole number (a Java Long), kept as its digits.
    QJsonValue text(const QString &field, bool required, bool idLike = false)
    {
        const QJsonValue value = jsonField(m_body, field);
        if (value.isUndefined() || value.isNull()) {
            if (required)
                failOnce(u"%1 is required"_s.arg(field));
            return QJsonValue::Null;
        }
        if (value.isString()) {
            if (required && value.toString().isEmpty())
                failOnce(u"%1 must not be empty"_s.arg(field));
            return value;
        }
        if (idLike && value.isDouble() && value.toDouble() == double(value.toInteger()))
            return QString::number(value.toInteger());
        failOnce(idLike ? u"%1 must be a string or a whole number"_s.arg(field)
                        : u"%1 must be a string"_s.arg(field));
        return QJsonValue::Null;
    }

    QJsonValue object(const QString &field)
    {
        const QJsonValue value = jsonField(m_body, field);
        if (value.isUndefined() || value.isNull())
            return QJsonObject();
        if (!value.isObject())
            failOnce(u"%1 must be a JSON object"_s.arg(field));
        return value;
    }

    // A string or a number, as a price may come ("999.99" or 999.99).
    QJsonValue amount(const QString &field)
    {
        const QJsonValue value = jsonField(m_body, field);
        if (value.isUndefined() || value.isNull())
            return QJsonValue::Null;
        if (!value.isString() && !value.isDouble())
            failOnce(u"%1 must be a string or a number"_s.arg(field));
        return value;
    }

    const QString &error() const { return m_error; }

private:
    void failOnce(const QString &error)
    {
        if (m_error.isEmpty())
            m_error = error;
    }

    const QJsonObject &m_body;
    QString m_error;
};

} // namespace

PollingEventParse parsePublishBody(PublishRoute route, const QByteArray &body, const QDateTime &now)
{
    QString notJson;
    const std::optional<QJsonObject> parsed = parseJsonObjectAsGo(body, &notJson);
    if (!parsed)
        return {std::nullopt,
                notJson.isEmpty() ? u"body must be a JSON object"_s
                                  : u"body is not JSON: "_s + notJson};
    const QJsonObject &fields = *parsed;
    BodyReader read(fields);

    QJsonObject event;
    bool adminOnly = false;
    switch (route) {
    case PublishRoute::Generic:
        event[u"eventType"_s] = read.text(u"eventType"_s, true);
        event[u"action"_s] = read.text(u"action"_s, false);
        event[u"entityId"_s] = read.text(u"entityId"_s, false, true);
        event[u"entityType"_s] = read.text(u"entityType"_s, false);
        event[u"userId"_s] = read.text(u"userId"_s, false, true);
        event[u"metadata"_s] = read.object(u"metadata"_s);
        break;
    case PublishRoute::OrderStatusChange:
        event[u"eventType"_s] = u"CUSTOMER_ORDER_STATUS"_s;
        event[u"action"_s] = u"REFRESH"_s;
        event[u"entityId"_s] = read.text(u"orderId"_s, true, true);
        event[u"entityType"_s] = u"ORDER"_s;
        event[u"userId"_s] = read.text(u"userId"_s, true, true);
        event[u"metadata"_s] = QJsonObject {{u"newStatus"_s, read.text(u"newStatus"_s, true)}};
        break;
    case PublishRoute::NewOrder:
        adminOnly = true;
        event[u"eventType"_s] = u"NEW_ORDER"_s;
        event[u"action"_s] = u"REFRESH"_s;
        event[u"entityId"_s] = read.text(u"orderId"_s, true, true);
        event[u"entityType"_s] = u"ORDER"_s;
        event[u"userId"_s] = QJsonValue::Null;
        event[u"metadata"_s] =
            QJsonObject {{u"customerName"_s, read.text(u"customerName"_s, false)},
                         {u"totalAmount"_s, read.amount(u"totalAmount"_s)}};
        break;
    case PublishRoute::OrderUpdate:
        adminOnly = true;
        event[u"eventType"_s] = u"ORDER_UPDATE"_s;
        event[u"action"_s] = u"REFRESH"_s;
        event[u"entityId"_s] = read.text(u"orderId"_s, true, true);
        event[u"entityType"_s] = u"ORDER"_s;
        event[u"userId"_s] = QJsonValue::Null;
        event[u"metadata"_s] = QJsonObject {{u"updateType"_s, read.text(u"updateType"_s, false)},
                                            {u"details"_s, read.object(u"details"_s)}};
        break;
    }
    if (!read.error().isEmpty())
        return {std::nullopt, read.error()};
    event[u"timestamp"_s] = now.toUTC().toString(Qt::ISODateWithMs);

    PollingEvent result;
    result.eventType = event.value(u"eventType"_s).toString();
    result.userId = event.value(u"userId"_s).toString();
    // Both name a stream, and the wake-up message lists stream names one per line: a line break
    // would split one and leave the polls held on it asleep until their timeout.
    for (const auto &[field, value] :
         {std::pair(u"eventType"_s, result.eventType), std::pair(u"userId"_s, result.userId)}) {
        const QByteArray bytes = value.toUtf8();
        if (const qsizetype at = firstControlCharacter(bytes); at >= 0)
            return {std::nullopt,
                    u"%1 must not contain control characters (%2)"_s.arg(
                        field, describeControlCharacter(bytes, at))};
    }
    // New orders and order updates carry other customers' data: admins' alone, whichever route
    // published them (through the generic one they went to every user polling the type).
    result.adminOnly =
        adminOnly || result.eventType == u"NEW_ORDER" || result.eventType == u"ORDER_UPDATE";
    result.json = QJsonDocument(event).toJson(QJsonDocument::Compact);
    return {result, {}};
}

bool isValidEventId(QByteArrayView id)
{
    // "<ms>-<seq>" or "<ms>", each a 64-bit unsigned number in plain digits.
    const auto number = [](QByteArrayView part) -> std::optional<quint64> {
        quint64 value = 0;
        const char *end = part.data() + part.size();
        const auto [stop, error] = std::from_chars(part.data(), end, value);
        if (part.isEmpty() || part.front() == '+' || error != std::errc() || stop != end)
            return std::nullopt;
        return value;
    };
    const qsizetype dash = id.indexOf('-');
    if (dash < 0)
        return number(id).has_value();
    const std::optional<quint64> ms = number(id.first(dash));
    const std::optional<quint64> seq = number(id.sliced(dash + 1));
    // The greatest id a stream can hold has no id after it: Redis refuses to read after it.
    constexpr quint64 greatest = std::numeric_limits<quint64>::max();
    return ms && seq && !(*ms == greatest && *seq == greatest);
}

bool isGoEventId(QByteArrayView id)
{
    if (id.size() != 36)
        return false;
    for (qsizetype i = 0; i < id.size(); ++i) {
        const char c = id[i];
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (dash ? c != '-' : !hex)
            return false;
    }
    return true;
}

} // namespace Switchboard
