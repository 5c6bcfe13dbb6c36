#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

namespace Switchboard {

// What a handler needs from one HTTP request, copied out of QtHttpServer's request object.
// QtHttpServer 6.4 reuses that object for the next request on the same connection and deletes
// it with the socket, so a handler that answers later must not hold on to it; this copy is safe
// to keep (QByteArray and friends share their data, so the copy is cheap).
struct HttpRequest
{
    QHttpServerRequest::Method method = QHttpServerRequest::Method::Unknown;
    // "GET", "POST", ...; "UNKNOWN" for a method QtHttpServer 6.4 does not parse (TRACE and
    // extension methods): it does not keep the method token.
    QByteArray methodName;
    QString path; // percent-decoded, without the query
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    QHostAddress remoteAddress;
    QHash<QString, QString> pathParams; // "{id}" in the route pattern -> the decoded segment

    // The value of the first header named `name`, compared case-insensitively (RFC 9110 5.1);
    // empty when there is none.
    QByteArray header(QByteArrayView name) const;
    // True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z), which is what a
    // dual-stack listener reports for an IPv4 client.
    bool fromLoopback() const;
    // The token of "Authorization: Bearer <token>" (scheme matched case-insensitively, RFC
    // 6750 2.1); empty when the header is missing, uses another scheme or has no single token.
    QByteArray bearerToken() const;
};

} // namespace Switchboard
