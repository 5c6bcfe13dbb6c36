#include "httprequest.h"

namespace Switchboard {

QByteArray HttpRequest::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool HttpRequest::fromLoopback() const
{
    // toIPv4Address() also converts an IPv4-mapped IPv6 address (::ffff:a.b.c.d).
    bool isIPv4 = false;
    const quint32 ipv4 = remoteAddress.toIPv4Address(&isIPv4);
    if (isIPv4)
        return (ipv4 >> 24) == 127;
    return remoteAddress.isEqual(QHostAddress::LocalHostIPv6);
}

QByteArray HttpRequest::bearerToken() const
{
    static constexpr QByteArrayView scheme = "Bearer";
    const QByteArray value = header("Authorization").trimmed();
    if (value.size() <= scheme.size()
        || QByteArrayView(value).first(scheme.size()).compare(scheme, Qt::CaseInsensitive) != 0)
        return {};
    const char separator = value.at(scheme.size());
    if (separator != ' ' && separator != '\t')
        return {};
    const QByteArray token = value.sliced(scheme.size() + 1).trimmed();
    // A bearer token is one token68 (RFC 6750 2.1): anything with inner whitespace is not one.
    if (token.contains(' ') || token.contains('\t'))
        return {};
    return token;
}

} // namespace Switchboard
