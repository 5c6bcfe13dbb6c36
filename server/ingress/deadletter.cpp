#include "deadletter.h"

#include "http/httpclient.h"
#include "ingressevent.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

namespace Header {
constexpr char reason[] = "Switchboard-Reason";
constexpr char subject[] = "Switchboard-Subject";
constexpr char sourceSequence[] = "Switchboard-Source-Sequence";
constexpr char deliveries[] = "Switchboard-Deliveries";
constexpr char receivedAt[] = "Switchboard-Received-At";
constexpr char failedAt[] = "Switchboard-Failed-At";
constexpr char endpoints[] = "Switchboard-Endpoints";
constexpr char bodyOmitted[] = "Switchboard-Body-Omitted";
} // namespace Header

QByteArray rfc3339(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs).toUtf8() : QByteArray();
}

QJsonValue timeJson(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs))
                          : QJsonValue(QJsonValue::Null);
}

} // namespace

QJsonObject EndpointOutcome::toJson() const
{
    QJsonObject object {{u"url"_s, url},
                        {u"delivered"_s, delivered},
                        {u"attempts"_s, attempts},
                        {u"last_status"_s, lastStatus}};
    if (!lastError.isEmpty())
        object.insert(u"last_error"_s, lastError);
    return object;
}

EndpointOutcome EndpointOutcome::fromJson(const QJsonObject &object)
{
    EndpointOutcome outcome;
    outcome.url = object.value(u"url"_s).toString();
    outcome.delivered = object.value(u"delivered"_s).toBool();
    outcome.attempts = object.value(u"attempts"_s).toInt();
    outcome.lastStatus = object.value(u"last_status"_s).toInt();
    outcome.lastError = object.value(u"last_error"_s).toString();
    return outcome;
}

QString DeadLetter::reasonName(Reason reason)
{
    return reason == Reason::NoRoute ? u"no_route"_s : u"max_deliveries"_s;
}

QString DeadLetter::lastError() const
{
    if (reason == Reason::NoRoute)
        return u"no route for domain \"%1\""_s.arg(domain);
    for (const EndpointOutcome &endpoint : endpoints) {
        if (!endpoint.delivered)
            return webhookDisplayUrl(endpoint.url) + u": "_s + endpoint.lastError;
    }
    return {};
}

NatsHeaders DeadLetter::toHeaders() const
{
    QJsonArray outcomes;
    for (const EndpointOutcome &endpoint : endpoints)
        outcomes.append(endpoint.toJson());
    // Compact JSON escapes control characters, so the value stays on one header line.
    NatsHeaders headers {
        {IngressHeader::eventId, eventId},
        {IngressHeader::domain, domain.toUtf8()},
        {IngressHeader::deliveryKey, deliveryKey},
        {Header::reason, reasonName(reason).toUtf8()},
        {Header::subject, subject},
        {Header::sourceSequence, QByteArray::number(sourceSequence)},
        {Header::deliveries, QByteArray::number(deliveries)},
        {Header::receivedAt, rfc3339(receivedAt)},
        {Header::failedAt, rfc3339(failedAt)},
        {Header::endpoints, QJsonDocument(outcomes).toJson(QJsonDocument::Compact)}};
    if (bodyOmitted)
        headers.append({QByteArray(Header::bodyOmitted), QByteArray("true")});
    return headers;
}

DeadLetter DeadLetter::fromStored(const NatsStoredMessage &message)
{
    DeadLetter letter;
    letter.id = message.sequence;
    letter.reason =
        message.header(Header::reason) == "no_route" ? Reason::NoRoute : Reason::MaxDeliveries;
    letter.eventId = message.header(IngressHeader::eventId);
    letter.domain = QString::fromUtf8(message.header(IngressHeader::domain));
    letter.deliveryKey = message.header(IngressHeader::deliveryKey);
    letter.subject = message.header(Header::subject);
    letter.sourceSequence = message.header(Header::sourceSequence).toULongLong();
    letter.deliveries = message.header(Header::deliveries).toInt();
    letter.receivedAt = QDateTime::fromString(QString::fromUtf8(message.header(Header::receivedAt)),
                                              Qt::ISODateWithMs);
    letter.failedAt = QDateTime::fromString(QString::fromUtf8(message.header(Header::failedAt)),
                                            Qt::ISODateWithMs);
    const QJsonArray outcomes = QJsonDocument::fromJson(message.header(Header::endpoints)).array();
    for (const QJsonValue &outcome : outcomes)
        letter.endpoints.append(EndpointOutcome::fromJson(outcome.toObject()));
    letter.body = message.data;
    letter.bodyOmitted = message.header(Header::bodyOmitted) == "true";
    return letter;
}

QJsonObject DeadLetter::summaryJson() const
{
    int failed = 0;
    for (const EndpointOutcome &endpoint : endpoints)
        failed += endpoint.delivered ? 0 : 1;
    return {{u"id"_s, QString::number(id)},
            {u"event_id"_s, QString::fromUtf8(eventId)},
            {u"domain"_s, domain},
            {u"reason"_s, reasonName(reason)},
            {u"deliveries"_s, deliveries},
            {u"failed_endpoints"_s, failed},
            {u"last_error"_s, lastError()},
            {u"received_at"_s, timeJson(receivedAt)},
            {u"failed_at"_s, timeJson(failedAt)}};
}

QJsonObject DeadLetter::detailJson(const QString &bodyError) const
{
    QJsonObject object = summaryJson();
    QJsonArray outcomes;
    for (const EndpointOutcome &endpoint : endpoints) {
        // Shown without credentials; the stored record keeps the URL as configured, which
        // replay matches against the route's endpoints.
        QJsonObject outcome = endpoint.toJson();
        outcome.insert(u"url"_s, webhookDisplayUrl(endpoint.url));
        outcomes.append(outcome);
    }
    object.insert(u"endpoints"_s, outcomes);
    object.insert(u"subject"_s, QString::fromUtf8(subject));
    object.insert(u"source_sequence"_s, double(sourceSequence));
    if (!bodyOmitted) {
        object.insert(u"body"_s, u"stored"_s);
    } else if (!body.isEmpty()) {
        object.insert(u"body"_s, u"in_event_stream"_s);
    } else if (bodyError.isEmpty()) {
        object.insert(u"body"_s, u"gone"_s);
        return object;
    } else {
        object.insert(u"body"_s, u"unreachable"_s);
        object.insert(u"body_error"_s, bodyError);
        return object;
    }
    // The event as it arrived: JSON when it is JSON (it is, for events from POST /events), else
    // the bytes as text.
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error == QJsonParseError::NoError && document.isObject())
        object.insert(u"event"_s, document.object());
    else
        object.insert(u"event_raw"_s, QString::fromUtf8(body));
    return object;
}

} // namespace Switchboard
