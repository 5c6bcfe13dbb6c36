#include "ingressevent.h"

#include "core/controlcharacters.h"
#include "core/jsonfields.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonValue>
#include <QRandomGenerator>

Q_LOGGING_CATEGORY(Switchboard::lcIngress, "switchboard.ingress")

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

QByteArray domainToken(const QString &domain)
{
    // '%' itself is encoded as well, so the mapping stays one-to-one; '.' is unreserved in RFC
    // 3986 but separates NATS tokens, so it is encoded too.
    // An event published by another program may have no domain: "%00" (a NUL, which no real
    // domain contains) keeps its subject valid.
    const QString key = routingKey(domain);
    if (key.isEmpty())
        return QByteArray("%00");
    const QByteArray utf8 = key.toUtf8();
    QByteArray token = utf8.toPercentEncoding(QByteArray(), ".");
    // The encoding writes '%' followed by two upper-case hex digits only: "%h" is never one.
    if (token.size() > maxDomainTokenBytes)
        token = "%h" + QCryptographicHash::hash(utf8, QCryptographicHash::Sha256).toHex();
    return token;
}

QByteArray eventSubject(const QString &pattern, const QString &domain)
{
    const QByteArray utf8 = pattern.toUtf8();
    const qsizetype lastDot = utf8.lastIndexOf('.');
    return utf8.left(lastDot + 1) + domainToken(domain);
}

namespace {

// A string or number field as a header value, or empty.
QByteArray headerSafeId(const QJsonValue &value)
{
    if (value.isDouble()) {
        // A whole number with every digit: a 64-bit id has more than the 17 a double keeps, and
        // ids one apart would reach the endpoints as one X-Event-Id.
        const double number = value.toDouble();
        const qint64 whole = value.toInteger();
        return whole == number ? QByteArray::number(whole) : QByteArray::number(number, 'g', 17);
    }
    if (!value.isString())
        return {};
    const QByteArray id = value.toString().toUtf8();
    const bool headerSafe = id.size() <= maxEventIdBytes && firstControlCharacter(id) < 0;
    return headerSafe ? id : QByteArray();
}

} // namespace

QJsonValue domainOf(const QJsonObject &event)
{
    return jsonField(event, u"domain");
}

QByteArray eventIdOf(const QJsonObject &event, const QByteArray &callId)
{
    if (QByteArray id = headerSafeId(event.value(u"event_id"_s)); !id.isEmpty())
        return id;
    return callId;
}

QByteArray callIdOf(const QJsonObject &event)
{
    return headerSafeId(jsonField(event, u"call_id"));
}

QByteArray domainHeaderValue(const QString &domain)
{
    const QByteArray value = domain.trimmed().toUtf8();
    return firstControlCharacter(value) < 0 ? value : QByteArray();
}

QByteArray newId()
{
    // 128 bits from Qt's seeded generator: unique enough for delivery keys, and without the
    // trip to the operating system's random source (QRandomGenerator::system()) that
    // QUuid::createUuid() makes per call.
    quint32 words[4];
    QRandomGenerator::global()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex();
}

QString eventLogFields(const QByteArray &body)
{
    const QJsonObject event = parseJsonAsGo(body).object();
    // A client's text: the log handler keeps it on one line; a call id of a megabyte is cut, as
    // each failed attempt logs it again.
    auto field = [&](const QString &name) {
        const QString value = jsonField(event, name).toVariant().toString();
        return value.size() <= 128 ? value : value.first(128) + u"…"_s;
    };
    return u"call_id=%1 domain=%2 state=%3 status=%4"_s.arg(field(u"call_id"_s), field(u"domain"_s),
                                                            field(u"state"_s), field(u"status"_s));
}

} // namespace Switchboard
