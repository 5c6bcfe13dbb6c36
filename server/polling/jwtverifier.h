#pragma once

// The Bearer tokens of the polling API, as the Telemetry Service (seed 001) took them: issued
// by the Spring service, HS256-signed with JWT_SECRET, the user in `userId` (else `sub`), the
// roles in `roles`, `role` or `authorities`, `exp` optional; a refresh token (its `type` says so)
// is refused.

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace Switchboard {

class JwtVerifier
{
public:
    // Tokens longer than this are refused before anything is decoded: libjwt copies the token
    // and base64-decodes its segments into stack buffers (alloca) of their length. Spring's
    // tokens are a few hundred bytes; 8 KiB is also the usual limit of a whole request header.
    static constexpr qsizetype maxTokenSize = 8192;

    struct Result
    {
        bool ok = false;
        // Why not, as a metrics label and the "error" of the 401 body: "missing", "not_bearer",
        // "too_large", "malformed", "bad_signature", "wrong_algorithm", "expired", "not_yet_valid",
        // "not_access_token", "no_subject".
        QByteArray failure;
        QString detail; // a sentence for the 401 body; never quotes the token
        QString userId; // `userId`, else `sub`
        // Upper case, without Spring's "ROLE_" prefix, each once, in the order the token has
        // them: "ROLE_ADMIN", "admin" and "Admin" are all "ADMIN".
        QStringList roles;
        qint64 expiresAt = 0; // `exp` (Unix seconds) of an accepted token; 0 when it has none

        // `role` is normalised the same way: hasRole(u"role_admin") is hasRole(u"ADMIN").
        bool hasRole(QStringView role) const;
    };

    // `secret`: JWT_SECRET as bytes. An empty secret refuses every token (libjwt would take
    // an empty key as "verify nothing"); the config loader does not let one through.
    //
    // A secret that is standard base64 with its padding ("jx4tPEta...4fA=") is also tried
    // decoded: Spring's jjwt (Keys.hmacShaKeyFor(Decoders.BASE64.decode(secret))) and the
    // Telemetry Service read JWT_SECRET that way, so the Spring tokens are signed with the
    // decoded bytes. Either key verifies; both are the secret's.
    explicit JwtVerifier(QByteArray secret);

    // `authorizationHeader`: the Authorization header's value as sent ("Bearer eyJ..."),
    // empty when there was none. `nowSeconds`: Unix time to check `exp` against.
    //
    // Keeps no state between calls (the secret is only read): any thread may call it, several
    // at once. Costs one HMAC and a few small allocations (libjwt's copy of the token and its
    // JSON trees, the claims' re-serialisation): cheap enough for every poll.
    Result verify(QByteArrayView authorizationHeader, qint64 nowSeconds) const;

private:
    QByteArray m_secret;
    QByteArray m_decodedSecret; // the secret's base64 decoding; empty when it is not base64
};

} // namespace Switchboard
