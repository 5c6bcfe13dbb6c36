#include "jwtverifier.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <jwt.h>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

using Result = JwtVerifier::Result;

Result refused(QByteArray failure, QString detail)
{
    Result result;
    result.failure = std::move(failure);
    result.detail = std::move(detail);
    return result;
}

bool isBase64UrlCharacter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
        || c == '_';
}

// The token split at its two dots, or nothing when it is not three base64url segments with a
// non-empty header and payload. The signature may be empty: an unsigned token ("alg":"none")
// has to get as far as the algorithm check to be refused for what it is.
struct Segments
{
    QByteArrayView header;
    QByteArrayView payload;
};

std::optional<Segments> splitToken(QByteArrayView token)
{
    qsizetype dots[2] = {-1, -1};
    int dotCount = 0;
    for (qsizetype i = 0; i < token.size(); ++i) {
        const char c = token[i];
        if (c == '.') {
            if (dotCount == 2)
                return std::nullopt;
            dots[dotCount++] = i;
        } else if (!isBase64UrlCharacter(c)) {
            return std::nullopt;
        }
    }
    if (dotCount != 2)
        return std::nullopt;
    const Segments segments {token.first(dots[0]),
                             token.sliced(dots[0] + 1, dots[1] - dots[0] - 1)};
    // Debian's libjwt 1.10.2 (built on libb64) mallocs 0 bytes for an empty segment and then
    // writes past it: an empty header or payload must never reach jwt_decode().
    if (segments.header.isEmpty() || segments.payload.isEmpty())
        return std::nullopt;
    return segments;
}

// A segment's JSON object, or an empty optional when it is not base64url of a JSON object.
std::optional<QJsonObject> decodeObject(QByteArrayView segment)
{
    const QByteArray::FromBase64Result decoded = QByteArray::fromBase64Encoding(
        segment.toByteArray(),
        QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals
            | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QJsonDocument document = QJsonDocument::fromJson(*decoded);
    if (!document.isObject())
        return std::nullopt;
    return document.object();
}

// `userId` or `sub`: a string, or a whole number ("42", never "42.0"). Anything else counts as
// absent.
QString subjectOf(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        const qint64 integer = value.toInteger();
        if (double(integer) == value.toDouble())
            return QString::number(integer);
    }
    return {};
}

QString normalisedRole(QStringView text)
{
    QStringView role = text.trimmed();
    if (role.startsWith(u"ROLE_", Qt::CaseInsensitive))
        role = role.sliced(5);
    return role.toString().toUpper();
}

void addRole(QStringView text, QStringList &roles)
{
    QString role = normalisedRole(text);
    if (!role.isEmpty() && !roles.contains(role))
        roles.append(std::move(role));
}

// The forms the Spring services write: "ADMIN,USER", ["ROLE_ADMIN", "USER"], and Spring
// Security's serialised GrantedAuthority list [{"authority": "ROLE_ADMIN"}]. Other values add
// nothing.
void addRoles(const QJsonValue &claim, QStringList &roles)
{
    if (claim.isString()) {
        const QString text = claim.toString();
        for (QStringView part : QStringView(text).split(u','))
            addRole(part, roles);
        return;
    }
    const QJsonArray items = claim.toArray();
    for (const QJsonValue &item : items) {
        if (item.isString())
            addRole(item.toString(), roles);
        else if (item.isObject())
            addRole(item.toObject().value("authority"_L1).toString(), roles);
    }
}

// The key a base64 JWT_SECRET stands for, as Go's base64.StdEncoding and jjwt's
// Decoders.BASE64 read it: the standard alphabet, padded to a multiple of four. Anything else
// (plain text such as "your-secret-key", unpadded or URL-safe base64) is no base64 secret.
QByteArray decodedBase64Secret(const QByteArray &secret)
{
    if (secret.isEmpty() || secret.size() % 4 != 0)
        return {};
    qsizetype padding = 0;
    for (qsizetype i = 0; i < secret.size(); ++i) {
        const char c = secret[i];
        if (c == '=') {
            ++padding;
            continue;
        }
        const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!alphabet || padding > 0) // a character after '=' is not base64
            return {};
    }
    if (padding > 2)
        return {};
    const QByteArray::FromBase64Result decoded =
        QByteArray::fromBase64Encoding(secret, QByteArray::AbortOnBase64DecodingErrors);
    return decoded ? decoded.decoded : QByteArray();
}

struct JwtDeleter
{
    void operator()(jwt_t *jwt) const { jwt_free(jwt); }
};
struct MallocDeleter
{
    void operator()(char *text) const { std::free(text); }
};

} // namespace

bool JwtVerifier::Result::hasRole(QStringView role) const
{
    return roles.contains(normalisedRole(role));
}

JwtVerifier::JwtVerifier(QByteArray secret)
    : m_secret(std::move(secret))
    , m_decodedSecret(decodedBase64Secret(m_secret))
{
}

JwtVerifier::Result JwtVerifier::verify(QByteArrayView authorizationHeader, qint64 nowSeconds) const
{
    const QByteArrayView header = authorizationHeader.trimmed();
    if (header.isEmpty())
        return refused("missing"_ba, u"The request has no Authorization header."_s);

    // RFC 7235: the scheme is case-insensitive and followed by one or more spaces. Only its six
    // bytes are looked at, so that a megabyte of anything else costs no more than "Basic x".
    constexpr QByteArrayView bearer("Bearer");
    if (header.first(qMin(header.size(), bearer.size())).compare(bearer, Qt::CaseInsensitive) != 0
        || (header.size() > bearer.size() && header[bearer.size()] != ' '
            && header[bearer.size()] != '\t'))
        return refused("not_bearer"_ba,
                       u"The Authorization header does not use the Bearer scheme."_s);
    const QByteArrayView token = header.sliced(bearer.size()).trimmed();
    // "Bearer " with nothing after it is what a client sends when its token variable is empty:
    // a missing token, not a bad one.
    if (token.isEmpty())
        return refused("missing"_ba, u"The Authorization header has no Bearer token."_s);
    if (token.size() > maxTokenSize)
        return refused("too_large"_ba, u"The token is longer than %1 bytes."_s.arg(maxTokenSize));

    const std::optional<Segments> segments = splitToken(token);
    if (!segments)
        return refused("malformed"_ba,
                       u"The token is not three base64url segments separated by dots."_s);

    // The algorithm is checked here, before libjwt sees the token: jwt_decode() verifies with
    // whatever algorithm the header names (HS384 or HS512 with our secret, RS256 with our
    // secret read as a PEM key), and without a key it takes "none" unsigned. 1.10.2 refuses
    // "none" when given a key, but nothing here depends on that: only HS256 gets that far.
    const std::optional<QJsonObject> joseHeader = decodeObject(segments->header);
    if (!joseHeader)
        return refused("malformed"_ba, u"The token's header is not a JSON object."_s);
    const QJsonValue alg = joseHeader->value("alg"_L1);
    if (!alg.isString())
        return refused("malformed"_ba, u"The token's header names no algorithm."_s);
    // Case-sensitive, as RFC 7515 has it (libjwt would also take "hs256").
    if (alg.toString() != "HS256"_L1) {
        // The name is the client's: echoed only when it looks like one ("HS512", "none").
        const QString name = alg.toString();
        const bool plainName = name.size() <= 10
            && std::all_of(name.begin(), name.end(),
                           [](QChar c) { return c.isLetterOrNumber() && c.unicode() < 128; });
        return refused("wrong_algorithm"_ba,
                       plainName ? u"The token must be signed with HS256, not %1."_s.arg(name)
                                 : u"The token must be signed with HS256."_s);
    }
    // libjwt refuses a "typ" other than "JWT" (any case) with the same error as a bad signature;
    // saying so here keeps the reason right. Spring's tokens have "JWT" or no "typ" at all.
    const QJsonValue typ = joseHeader->value("typ"_L1);
    if (!typ.isUndefined() && typ.toString().compare("JWT"_L1, Qt::CaseInsensitive) != 0)
        return refused("malformed"_ba, u"The token's header has a \"typ\" other than JWT."_s);
    // RFC 7515 4.1.11: a token whose header names critical extensions must be refused by a
    // reader that does not understand them, and this one understands none.
    if (joseHeader->contains("crit"_L1))
        return refused("malformed"_ba,
                       u"The token's header names critical extensions (\"crit\"), which are not "
                       "supported."_s);

    if (m_secret.isEmpty())
        return refused("bad_signature"_ba, u"No JWT secret is configured."_s);
    const QByteArray terminated = token.toByteArray(); // jwt_decode() wants a C string
    const auto decodeWith = [&terminated](const QByteArray &key) {
        jwt_t *decoded = nullptr;
        const int error =
            jwt_decode(&decoded, terminated.constData(),
                       reinterpret_cast<const unsigned char *>(key.constData()), int(key.size()));
        std::unique_ptr<jwt_t, JwtDeleter> jwt(decoded);
        return std::pair(error, std::move(jwt));
    };
    auto [error, jwt] = decodeWith(m_secret);
    if ((error != 0 || !jwt) && !m_decodedSecret.isEmpty())
        std::tie(error, jwt) = decodeWith(m_decodedSecret);
    if (error != 0 || !jwt) {
        // libjwt says EINVAL for everything. The header is known good by now, so it is the
        // signature, unless the payload is not JSON at all; only this failure path pays for
        // finding out which.
        if (!decodeObject(segments->payload))
            return refused("malformed"_ba, u"The token's payload is not a JSON object."_s);
        return refused("bad_signature"_ba, u"The token's signature is not valid."_s);
    }
    // libjwt verified with the algorithm *it* read from the header. Should jansson and Qt ever
    // read a header differently, this is where that shows. (Duplicate "alg" keys are not such a
    // case: both keep the last one.)
    if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256)
        return refused("wrong_algorithm"_ba, u"The token must be signed with HS256."_s);

    // The claims are read from libjwt's own parse of the verified payload, re-serialised by
    // jansson, rather than by decoding the payload segment again: one parser decides what the
    // token says, so duplicate keys or odd escapes cannot read differently here than in what
    // was verified. jwt_get_grant()/jwt_get_grant_int() could not tell a numeric userId from a
    // missing one nor read Spring's authority objects without a serialisation per claim anyway.
    const std::unique_ptr<char, MallocDeleter> claimsJson(jwt_get_grants_json(jwt.get(), nullptr));
    const QJsonDocument claimsDocument = claimsJson
        ? QJsonDocument::fromJson(
            QByteArray::fromRawData(claimsJson.get(), qsizetype(std::strlen(claimsJson.get()))))
        : QJsonDocument();
    if (!claimsDocument.isObject())
        return refused("malformed"_ba, u"The token's payload is not a JSON object."_s);
    const QJsonObject claims = claimsDocument.object();

    // No `exp`: accepted. Some of the Spring configurations issue tokens without one.
    const QJsonValue exp = claims.value("exp"_L1);
    if (!exp.isUndefined()) {
        if (!exp.isDouble())
            return refused("malformed"_ba, u"The token's \"exp\" is not a number."_s);
        const double expiresAt = exp.toDouble();
        if (expiresAt <= double(nowSeconds)) {
            // Years 1970..9999 print as a date; anything else is not worth one.
            if (expiresAt >= 0 && expiresAt < 253402300800.0) {
                const QString when =
                    QDateTime::fromSecsSinceEpoch(qint64(expiresAt), Qt::UTC).toString(Qt::ISODate);
                return refused("expired"_ba, u"The token expired at %1."_s.arg(when));
            }
            return refused("expired"_ba, u"The token has expired."_s);
        }
    }

    // `nbf`, as the Go service's golang-jwt checked it: a token not valid yet is refused.
    const QJsonValue notBefore = claims.value("nbf"_L1);
    if (!notBefore.isUndefined()) {
        if (!notBefore.isDouble())
            return refused("malformed"_ba, u"The token's \"nbf\" is not a number."_s);
        const double validFrom = notBefore.toDouble();
        if (validFrom > double(nowSeconds)) {
            if (validFrom < 253402300800.0) {
                const QString when =
                    QDateTime::fromSecsSinceEpoch(qint64(validFrom), Qt::UTC).toString(Qt::ISODate);
                return refused("not_yet_valid"_ba,
                               u"The token is not valid before %1."_s.arg(when));
            }
            return refused("not_yet_valid"_ba, u"The token is not valid yet."_s);
        }
    }

    // A refresh token lives for days and is for the token endpoint only; issuers that sign it
    // with the same secret, user and roles as the access tokens tell it apart by its "type"
    // ("refresh_token", "refresh"). One that says so is refused; any other "type", or none, is
    // taken (issuers name their access tokens in many ways, and the seed names none).
    const QJsonValue type = claims.value("type"_L1);
    if (type.isString() && type.toString().contains("refresh"_L1, Qt::CaseInsensitive)) {
        return refused("not_access_token"_ba,
                       u"The token is a refresh token (its \"type\" says so), not an access "
                       "token."_s);
    }

    Result result;
    result.userId = subjectOf(claims.value("userId"_L1));
    if (result.userId.isEmpty())
        result.userId = subjectOf(claims.value("sub"_L1));
    if (result.userId.isEmpty()) {
        // A claim that is there but not usable is named: "names no user" sent integrators
        // looking for a claim their token has (a numeric sub past 2^63, for instance).
        QStringList unusable;
        for (QLatin1StringView name : {"userId"_L1, "sub"_L1}) {
            const QJsonValue value = claims.value(name);
            if (!value.isUndefined() && !value.isNull() && value != QJsonValue(QString()))
                unusable.append(name);
        }
        if (unusable.isEmpty())
            return refused("no_subject"_ba, u"The token names no user (neither userId nor sub)."_s);
        return refused("no_subject"_ba,
                       u"The token names no usable user: %1 must be a non-empty string or a "
                       "whole number from -2^63 to 2^63-1."_s.arg(unusable.join(u" and "_s)));
    }
    for (QLatin1StringView name : {"roles"_L1, "role"_L1, "authorities"_L1})
        addRoles(claims.value(name), result.roles);
    if (exp.isDouble())
        result.expiresAt = qint64(std::min(exp.toDouble(), 9.2e18));
    result.ok = true;
    return result;
}

} // namespace Switchboard
