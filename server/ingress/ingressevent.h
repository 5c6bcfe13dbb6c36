#pragma once

// What ingress reads from an event and how it names it on NATS. Shared by the HTTP side
// (POST /events), the engine (forwarding) and the dead-letter store.

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QString>

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcIngress)

// Headers Switchboard puts on every event it publishes. Events published to the stream by
// other programs lack them; the engine then falls back to the body and the stream sequence.
namespace IngressHeader {
inline constexpr char deliveryKey[] = "Switchboard-Delivery-Key"; // per accepted request
inline constexpr char eventId[] = "Switchboard-Event-Id";
inline constexpr char domain[] = "Switchboard-Domain";
// The body's call_id, when it has one that can be a header value (callIdOf()).
inline constexpr char callId[] = "Switchboard-Call-Id";
inline constexpr char replayOf[] = "Switchboard-Replay-Of"; // dead-letter id
} // namespace IngressHeader

// The subject token for a domain: lower-cased, RFC 3986 unreserved characters kept, every other
// byte (the dots first) as %XX. "vietanh.cloudgo.vn" -> "vietanh%2Ecloudgo%2Evn": one token,
// so the seed's "call.signal.*" matches it, and cloudgo.vn and vietanh.cloudgo.vn never meet.
// A token that would pass maxDomainTokenBytes (only a domain POST /events refuses can make one,
// from another program publishing straight to the stream) is "%h" and the domain's SHA-256 in
// hex: nats-server closes the connection of a client whose protocol line passes 4096 bytes, and
// cnats does not reconnect after that.
QByteArray domainToken(const QString &domain);

// The longest domain POST /events takes, in UTF-8 bytes: a DNS name's limit (RFC 1035).
inline constexpr qsizetype maxDomainBytes = 253;
// Every byte of such a domain percent-encoded.
inline constexpr qsizetype maxDomainTokenBytes = 3 * maxDomainBytes;

// The subject an event of `domain` is published on: `pattern` ("call.signal.*") with its last
// token replaced by domainToken(domain).
QByteArray eventSubject(const QString &pattern, const QString &domain);

// Routing key of a domain: domains are case-insensitive (RFC 4343).
inline QString routingKey(const QString &domain)
{
    return domain.trimmed().toLower();
}

// The longest event id sent as X-Event-Id, in UTF-8 bytes.
inline constexpr qsizetype maxEventIdBytes = 256;

// The keys the Event Hub read from a body (its Go `Event` struct: call_id, domain, state,
// status...) are matched as its decoder matched them: exactly, else case-insensitively
// (core/jsonfields.h), so `{"Domain": ...}` is routed as `{"domain": ...}`. event_id is
// Switchboard's own key, which the Event Hub never read: it is matched exactly, which keeps
// the usual body (no event_id) from paying a scan of its keys on every POST.

// The body's domain, matched as above; not checked.
QJsonValue domainOf(const QJsonObject &event);

// X-Event-Id: the body's event_id, else its call id (`callId`, what callIdOf() gave: strings or
// numbers), else empty; a string that cannot be a header value is passed over: a control
// character would split the header of every forward, and more than maxEventIdBytes would meet
// endpoints' header limits (and NATS' max_payload). The caller then uses the event's delivery key.
QByteArray eventIdOf(const QJsonObject &event, const QByteArray &callId);

// X-Call-ID, as the Event Hub's forwarder sent it beside X-Domain: the body's call_id (a string,
// or a number's text), else empty; one that cannot be a header value (as for eventIdOf()) is
// empty too.
QByteArray callIdOf(const QJsonObject &event);

// X-Domain: the event's domain, trimmed; empty when it cannot be a header value (a control
// character, possible only in an event another program published to the stream).
QByteArray domainHeaderValue(const QString &domain);

// A fresh id: 32 hex digits.
QByteArray newId();

// The fields the seed logged for every event: call_id, domain, state, status. Parsed again
// only where a line is logged (failures), never on the hot path.
QString eventLogFields(const QByteArray &body);

} // namespace Switchboard
