#include "jwtsigning.h"

#include <QtGlobal>
#include <cstdlib>

namespace Switchboard::Test {

QByteArray signedToken(jwt_alg_t alg, const QByteArray &key, const QByteArray &claimsJson)
{
    jwt_t *jwt = nullptr;
    if (jwt_new(&jwt) != 0)
        qFatal("jwt_new failed");
    if (jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char *>(key.constData()),
                    int(key.size()))
            != 0
        || jwt_add_grants_json(jwt, claimsJson.constData()) != 0)
        qFatal("libjwt refused %s", claimsJson.constData());
    char *encoded = jwt_encode_str(jwt);
    const QByteArray token(encoded);
    std::free(encoded);
    jwt_free(jwt);
    return token;
}

} // namespace Switchboard::Test
