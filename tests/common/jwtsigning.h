#pragma once

// Tokens as the Spring service signs them, made with libjwt, for the polling tests and
// benchmark: the code under test never signs, it only verifies.

#include <QByteArray>
#include <jwt.h>

namespace Switchboard::Test {

// `claimsJson`: the payload, a JSON object. The header is {"alg": ..., "typ": "JWT"}.
QByteArray signedToken(jwt_alg_t alg, const QByteArray &key, const QByteArray &claimsJson);

} // namespace Switchboard::Test
