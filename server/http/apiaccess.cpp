#include "apiaccess.h"

#include "httprequest.h"
#include "httpresponder.h"

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// A reverse proxy on the same host (TLS in front of the node, as the Telemetry Service's README
// advises) connects from loopback for every client of the public; traefik and Caddy say so in
// one of these headers, nginx where its configuration sets one (as most do).
bool forwardedByAProxy(const HttpRequest &request)
{
    return !request.header("forwarded").isEmpty() || !request.header("x-forwarded-for").isEmpty()
        || !request.header("x-real-ip").isEmpty();
}

} // namespace

int apiAccessStatus(const HttpRequest &request, const QByteArray &token)
{
    // Through a proxy on the same host, the public could replay and delete dead letters.
    if (request.fromLoopback() && !forwardedByAProxy(request))
        return 0;
    if (token.isEmpty())
        return 403;
    const QByteArray given = request.bearerToken();
    if (given.isEmpty())
        return 401;
    return sameSecret(given, token) ? 0 : 403;
}

int internalAccessStatus(const HttpRequest &request, const QByteArray &token)
{
    // Loopback, but not through a proxy: the public behind one could publish into any user's
    // feed.
    if (token.isEmpty())
        return request.fromLoopback() && !forwardedByAProxy(request) ? 0 : 403;
    const QByteArray given = request.bearerToken();
    if (given.isEmpty())
        return 401;
    return sameSecret(given, token) ? 0 : 403;
}

bool sameSecret(QByteArrayView given, QByteArrayView expected)
{
    // Constant time in the expected secret's length: every byte is compared.
    unsigned char diff = given.size() == expected.size() ? 0 : 1;
    for (qsizetype i = 0; i < expected.size(); ++i)
        diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
    return diff == 0;
}

bool authorizeApi(const HttpRequest &request, HttpResponder &responder, const QByteArray &token)
{
    switch (apiAccessStatus(request, token)) {
    case 0:
        return true;
    case 401:
        responder.sendError(401, u"unauthorized"_s,
                            u"remote access to /api/v1 needs Authorization: Bearer <api.token>"_s);
        return false;
    default:
        responder.sendError(403, u"forbidden"_s,
                            token.isEmpty()
                                ? u"remote access to /api/v1 needs api.token in the configuration"_s
                                : u"wrong Bearer token"_s);
        return false;
    }
}

} // namespace Switchboard
