#include "apiaccess.h"

#include "httprequest.h"
#include "httpresponder.h"

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

int apiAccessStatus(const HttpRequest &request, const QByteArray &token)
{
    if (request.fromLoopback())
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
    if (token.isEmpty())
        return request.fromLoopback() ? 0 : 403;
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
