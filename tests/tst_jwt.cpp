// The polling API's Bearer tokens as the Spring service issues them (HS256 with JWT_SECRET,
// signed here with libjwt itself), and what an attacker or a broken client sends instead:
// unsigned tokens, other algorithms, tampered segments, oversized and garbage headers. Every
// refusal is checked for its reason, since that reason is the metrics label and the 401 body.

#include "jwtsigning.h"
#include "polling/jwtverifier.h"

#include <QElapsedTimer>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QTest>
#include <atomic>
#include <cstdlib>
#include <jwt.h>
#include <optional>
#include <thread>
#include <vector>

using namespace Switchboard;
using Switchboard::Test::signedToken;
using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray secret = "polling-test-secret-2f6c1b0e9a7d4c53"_ba;
constexpr qint64 now = 1'700'000'000;

const QByteArrayList knownFailures = {
    "missing",         "not_bearer", "too_large",     "malformed",        "bad_signature",
    "wrong_algorithm", "expired",    "not_yet_valid", "not_access_token", "no_subject"};

QByteArray userToken(const QByteArray &claimsJson)
{
    return signedToken(JWT_ALG_HS256, secret, claimsJson);
}

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// A token put together by hand, for what libjwt will not produce: other headers, alg "none",
// an empty key. `hmac` signs "header.payload" with `key`; none leaves the signature empty.
QByteArray handMadeToken(const QByteArray &headerJson, const QByteArray &payloadJson,
                         std::optional<QCryptographicHash::Algorithm> hmac = std::nullopt,
                         const QByteArray &key = secret)
{
    const QByteArray signingInput = base64Url(headerJson) + '.' + base64Url(payloadJson);
    const QByteArray signature =
        hmac ? QMessageAuthenticationCode::hash(signingInput, key, *hmac) : QByteArray();
    return signingInput + '.' + base64Url(signature);
}

QList<QByteArray> segmentsOf(const QByteArray &token)
{
    return token.split('.');
}

QByteArray bearer(const QByteArray &token)
{
    return "Bearer "_ba + token;
}

// A valid token of exactly `size` bytes, grown by a padding claim. Base64 makes four bytes of
// three, and header, claim names and signature take well under 200 bytes: the search starts
// just below the answer.
QByteArray tokenOfSize(qsizetype size)
{
    for (int padding = qMax(0, int(size - 200) * 3 / 4); padding < int(size); ++padding) {
        const QByteArray token =
            userToken(R"({"sub":"alice","pad":")" + QByteArray(padding, 'x') + R"("})");
        if (token.size() == size)
            return token;
        if (token.size() > size)
            break;
    }
    qFatal("no token of %lld bytes", qlonglong(size));
}

} // namespace

class TestJwt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accepts_data();
    void accepts();
    void refuses_data();
    void refuses();
    void anUnusableUserClaimIsNamed();
    void sizeLimitIsExact();
    void oversizedHeadersAreRefusedWithoutDecoding();
    void emptySecretRefusesEverything();
    void aBase64SecretVerifiesWithItsDecodedKey();
    void detailsSayWhatWasWrong();
    void hasRoleNormalisesItsArgument();
    void mutatedTokensAreRefused();
    void randomBytesAreRefused();
    void concurrentCallsAgree();
};

void TestJwt::accepts_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QString>("userId");
    QTest::addColumn<QStringList>("roles");

    QTest::newRow("userId claim wins over sub")
        << bearer(userToken(R"({"userId":"u-1","sub":"alice@example.com","roles":["ADMIN"]})"))
        << u"u-1"_s << QStringList {u"ADMIN"_s};
    QTest::newRow("sub when there is no userId")
        << bearer(userToken(R"({"sub":"alice"})")) << u"alice"_s << QStringList();
    QTest::newRow("empty userId falls back to sub")
        << bearer(userToken(R"({"userId":"","sub":"bob"})")) << u"bob"_s << QStringList();
    QTest::newRow("numeric userId")
        << bearer(userToken(R"({"userId":42,"sub":"alice"})")) << u"42"_s << QStringList();
    QTest::newRow("numeric userId beyond 2^53")
        << bearer(userToken(R"({"userId":1234567890123456789})")) << u"1234567890123456789"_s
        << QStringList();
    QTest::newRow("numeric sub") << bearer(userToken(R"({"sub":7})")) << u"7"_s << QStringList();
    QTest::newRow("valid from this second")
        << bearer(userToken(R"({"sub":"a","nbf":)" + QByteArray::number(now) + "}")) << u"a"_s
        << QStringList();

    QTest::newRow("roles as an array")
        << bearer(userToken(R"({"sub":"a","roles":["ADMIN","USER"]})")) << u"a"_s
        << QStringList {u"ADMIN"_s, u"USER"_s};
    QTest::newRow("roles as a comma string")
        << bearer(userToken(R"({"sub":"a","roles":"ADMIN, user,,"})")) << u"a"_s
        << QStringList {u"ADMIN"_s, u"USER"_s};
    QTest::newRow("role as a string")
        << bearer(userToken(R"({"sub":"a","role":"agent"})")) << u"a"_s << QStringList {u"AGENT"_s};
    QTest::newRow("role as an array")
        << bearer(userToken(R"({"sub":"a","role":["agent","supervisor"]})")) << u"a"_s
        << QStringList {u"AGENT"_s, u"SUPERVISOR"_s};
    QTest::newRow("authorities as strings")
        << bearer(userToken(R"({"sub":"a","authorities":["ROLE_ADMIN","ROLE_USER"]})")) << u"a"_s
        << QStringList {u"ADMIN"_s, u"USER"_s};
    QTest::newRow("authorities as Spring Security objects") << bearer(userToken(
        R"({"sub":"a","authorities":[{"authority":"ROLE_ADMIN"},{"authority":"ROLE_USER"}]})"))
                                                            << u"a"_s
                                                            << QStringList {u"ADMIN"_s, u"USER"_s};
    QTest::newRow("authorities as a comma string")
        << bearer(userToken(R"({"sub":"a","authorities":"ROLE_ADMIN,ROLE_USER"})")) << u"a"_s
        << QStringList {u"ADMIN"_s, u"USER"_s};
    QTest::newRow("ROLE_ prefix and case collapse to one role")
        << bearer(userToken(
               R"({"sub":"a","roles":["ROLE_ADMIN","admin","Admin","role_user"," USER "]})"))
        << u"a"_s << QStringList {u"ADMIN"_s, u"USER"_s};
    QTest::newRow("roles, role and authorities merged in that order") << bearer(userToken(
        R"({"sub":"a","roles":["USER"],"role":"agent","authorities":[{"authority":"ROLE_ADMIN"},{"authority":"ROLE_USER"}]})"))
                                                                      << u"a"_s
                                                                      << QStringList {u"USER"_s,
                                                                                      u"AGENT"_s,
                                                                                      u"ADMIN"_s};
    QTest::newRow("role values that are not roles add nothing") << bearer(userToken(
        R"({"sub":"a","roles":[1,null,{"x":"ADMIN"},"ROLE_",""],"role":{"name":"ADMIN"},"authorities":true})"))
                                                                << u"a"_s << QStringList();

    QTest::newRow("exp in the future")
        << bearer(userToken(R"({"sub":"a","exp":)" + QByteArray::number(now + 3600) + "}"))
        << u"a"_s << QStringList();
    QTest::newRow("exp one second ahead")
        << bearer(userToken(R"({"sub":"a","exp":)" + QByteArray::number(now + 1) + "}")) << u"a"_s
        << QStringList();
    // Access tokens that say what they are, in the ways issuers say it.
    QTest::newRow("type access_token")
        << bearer(userToken(R"({"sub":"a","type":"access_token","role":"ADMIN"})")) << u"a"_s
        << QStringList {u"ADMIN"_s};
    QTest::newRow("type Bearer") << bearer(userToken(R"({"sub":"a","type":"Bearer"})")) << u"a"_s
                                 << QStringList();
    QTest::newRow("no exp (some Spring configurations issue none)")
        << bearer(userToken(R"({"sub":"a","iat":1})")) << u"a"_s << QStringList();

    // jjwt's default header is {"alg":"HS256"}, without "typ".
    QTest::newRow("header without typ")
        << bearer(handMadeToken(R"({"alg":"HS256"})", R"({"sub":"a"})", QCryptographicHash::Sha256))
        << u"a"_s << QStringList();
    QTest::newRow("lower-case scheme, extra blanks")
        << "  bearer \t  "_ba + userToken(R"({"sub":"a"})") + "  "_ba << u"a"_s << QStringList();
}

void TestJwt::accepts()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QString, userId);
    QFETCH(QStringList, roles);

    const JwtVerifier verifier(secret);
    const JwtVerifier::Result result = verifier.verify(authorization, now);
    QVERIFY2(result.ok, qPrintable(QString::fromLatin1(result.failure) + u": "_s + result.detail));
    QCOMPARE(result.failure, QByteArray());
    QCOMPARE(result.userId, userId);
    QCOMPARE(result.roles, roles);
}

void TestJwt::refuses_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QByteArray>("failure");

    const QByteArray valid = userToken(R"({"userId":"u-1","roles":["ADMIN"]})");
    const QByteArray other = userToken(R"({"userId":"u-2","roles":["USER"]})");
    const QList<QByteArray> parts = segmentsOf(valid);
    const QByteArray hs256Header = parts[0];
    const QByteArray noneHeader = base64Url(R"({"alg":"none","typ":"JWT"})");

    QTest::newRow("no header") << QByteArray() << "missing"_ba;
    QTest::newRow("blank header") << "  \t "_ba
                                  << "missing"_ba;
    QTest::newRow("Bearer and a space") << "Bearer "_ba
                                        << "missing"_ba;
    QTest::newRow("Bearer alone") << "Bearer"_ba
                                  << "missing"_ba;
    QTest::newRow("Basic") << "Basic xyz"_ba
                           << "not_bearer"_ba;
    QTest::newRow("token without a scheme") << valid << "not_bearer"_ba;
    QTest::newRow("scheme glued to the token") << "Bearer"_ba + valid << "not_bearer"_ba;
    QTest::newRow("Bear") << "Bear"_ba
                          << "not_bearer"_ba;

    QTest::newRow("one word") << bearer("garbage") << "malformed"_ba;
    QTest::newRow("binary garbage") << bearer("\x01\xff\xfe.\x80\x00.\x7f"_ba) << "malformed"_ba;
    QTest::newRow("three segments of garbage") << bearer("abc.def.ghi") << "malformed"_ba;
    QTest::newRow("three segments of punctuation") << bearer("!!!.###.$$$") << "malformed"_ba;
    QTest::newRow("two segments") << bearer(parts[0] + '.' + parts[1]) << "malformed"_ba;
    QTest::newRow("four segments") << bearer(valid + ".xyz") << "malformed"_ba;
    QTest::newRow("only dots") << bearer("..") << "malformed"_ba;
    QTest::newRow("empty header segment")
        << bearer('.' + parts[1] + '.' + parts[2]) << "malformed"_ba;
    // Debian's libjwt overflows a heap buffer on this one; valgrind would see it reach libjwt.
    QTest::newRow("empty payload segment")
        << bearer(hs256Header + ".." + parts[2]) << "malformed"_ba;
    QTest::newRow("standard base64 instead of base64url")
        << bearer(valid.left(valid.size() - 2) + "+/") << "malformed"_ba;
    QTest::newRow("header is a JSON array")
        << bearer(handMadeToken("[]", R"({"sub":"a"})", QCryptographicHash::Sha256))
        << "malformed"_ba;
    QTest::newRow("header without alg")
        << bearer(handMadeToken(R"({"typ":"JWT"})", R"({"sub":"a"})", QCryptographicHash::Sha256))
        << "malformed"_ba;
    QTest::newRow("header with typ at+jwt") << bearer(handMadeToken(
        R"({"alg":"HS256","typ":"at+jwt"})", R"({"sub":"a"})", QCryptographicHash::Sha256))
                                            << "malformed"_ba;
    // RFC 7515 4.1.11: extensions named in "crit" must be understood, and we know none.
    QTest::newRow("header with crit, correctly signed")
        << bearer(handMadeToken(R"({"alg":"HS256","typ":"JWT","crit":["exp-ext"],"exp-ext":1})",
                                R"({"sub":"a"})", QCryptographicHash::Sha256))
        << "malformed"_ba;
    QTest::newRow("payload not JSON, unsigned")
        << bearer(hs256Header + '.' + base64Url("hello") + '.' + parts[2]) << "malformed"_ba;
    QTest::newRow("payload a JSON array, correctly signed") << bearer(
        handMadeToken(R"({"alg":"HS256","typ":"JWT"})", "[1]", QCryptographicHash::Sha256))
                                                            << "malformed"_ba;
    QTest::newRow("exp not a number")
        << bearer(userToken(R"({"sub":"a","exp":"tomorrow"})")) << "malformed"_ba;

    QTest::newRow("wrong secret") << bearer(
        signedToken(JWT_ALG_HS256, "another-secret"_ba, R"({"sub":"a"})"))
                                  << "bad_signature"_ba;
    QTest::newRow("payload of another valid token")
        << bearer(parts[0] + '.' + segmentsOf(other)[1] + '.' + parts[2]) << "bad_signature"_ba;
    QByteArray flipped = parts[2];
    flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
    QTest::newRow("tampered signature")
        << bearer(parts[0] + '.' + parts[1] + '.' + flipped) << "bad_signature"_ba;
    QTest::newRow("signature of another token")
        << bearer(parts[0] + '.' + parts[1] + '.' + segmentsOf(other)[2]) << "bad_signature"_ba;
    QTest::newRow("signature cut short")
        << bearer(valid.left(valid.size() - 1)) << "bad_signature"_ba;
    QTest::newRow("signature removed")
        << bearer(parts[0] + '.' + parts[1] + '.') << "bad_signature"_ba;

    QTest::newRow("alg none, no signature")
        << bearer(handMadeToken(R"({"alg":"none","typ":"JWT"})", R"({"userId":"u-1"})"))
        << "wrong_algorithm"_ba;
    QTest::newRow("alg none with the signature of the HS256 header")
        << bearer(noneHeader + '.' + parts[1] + '.' + parts[2]) << "wrong_algorithm"_ba;
    QTest::newRow("alg None") << bearer(handMadeToken(R"({"alg":"None"})", R"({"sub":"a"})"))
                              << "wrong_algorithm"_ba;
    QTest::newRow("alg NONE signed with the secret")
        << bearer(handMadeToken(R"({"alg":"NONE"})", R"({"sub":"a"})", QCryptographicHash::Sha256))
        << "wrong_algorithm"_ba;
    QTest::newRow("HS512 with the same secret")
        << bearer(signedToken(JWT_ALG_HS512, secret, R"({"sub":"a"})")) << "wrong_algorithm"_ba;
    QTest::newRow("HS384 with the same secret")
        << bearer(signedToken(JWT_ALG_HS384, secret, R"({"sub":"a"})")) << "wrong_algorithm"_ba;
    QTest::newRow("RS256") << bearer(handMadeToken(R"({"alg":"RS256","typ":"JWT"})",
                                                   R"({"sub":"a"})", QCryptographicHash::Sha256))
                           << "wrong_algorithm"_ba;
    // libjwt compares algorithm names ignoring case; RFC 7515 does not.
    QTest::newRow("alg hs256 in lower case")
        << bearer(handMadeToken(R"({"alg":"hs256"})", R"({"sub":"a"})", QCryptographicHash::Sha256))
        << "wrong_algorithm"_ba;
    QTest::newRow("alg not a string")
        << bearer(handMadeToken(R"({"alg":256})", R"({"sub":"a"})", QCryptographicHash::Sha256))
        << "malformed"_ba;
    // Two "alg" keys, signed for the second: both Qt and jansson keep the last one, so the
    // check before libjwt already sees HS512.
    QTest::newRow("duplicate alg, HS512 last") << bearer(handMadeToken(
        R"({"alg":"HS256","alg":"HS512"})", R"({"sub":"a"})", QCryptographicHash::Sha512))
                                               << "wrong_algorithm"_ba;

    QTest::newRow("expired a second ago")
        << bearer(userToken(R"({"sub":"a","exp":)" + QByteArray::number(now - 1) + "}"))
        << "expired"_ba;
    QTest::newRow("expires this second")
        << bearer(userToken(R"({"sub":"a","exp":)" + QByteArray::number(now) + "}"))
        << "expired"_ba;
    QTest::newRow("exp far in the past")
        << bearer(userToken(R"({"sub":"a","exp":-1e300})")) << "expired"_ba;
    QTest::newRow("expired and tampered") // the signature is checked first
        << bearer(parts[0] + '.'
                  + segmentsOf(
                      userToken(R"({"sub":"a","exp":)" + QByteArray::number(now - 1) + "}"))[1]
                  + '.' + parts[2])
        << "bad_signature"_ba;

    // golang-jwt, in the Go service, checked nbf too.
    QTest::newRow("valid from the next second")
        << bearer(userToken(R"({"sub":"a","nbf":)" + QByteArray::number(now + 1) + "}"))
        << "not_yet_valid"_ba;
    QTest::newRow("nbf not a number")
        << bearer(userToken(R"({"sub":"a","nbf":"tomorrow"})")) << "malformed"_ba;

    // A refresh token signed with the same secret, user and role (they live for days, and are
    // for the token endpoint only).
    QTest::newRow("refresh token")
        << bearer(userToken(R"({"sub":"a","type":"refresh_token","role":"ADMIN","exp":)"
                            + QByteArray::number(now + 7 * 86400) + "}"))
        << "not_access_token"_ba;
    QTest::newRow("type REFRESH") << bearer(userToken(R"({"sub":"a","type":"REFRESH"})"))
                                  << "not_access_token"_ba;

    QTest::newRow("neither userId nor sub")
        << bearer(userToken(R"({"roles":["ADMIN"],"exp":)" + QByteArray::number(now + 60) + "}"))
        << "no_subject"_ba;
    QTest::newRow("empty payload object") << bearer(userToken("{}")) << "no_subject"_ba;
    QTest::newRow("userId and sub empty")
        << bearer(userToken(R"({"userId":"","sub":""})")) << "no_subject"_ba;
    QTest::newRow("userId fractional, no sub")
        << bearer(userToken(R"({"userId":4.5})")) << "no_subject"_ba;
    QTest::newRow("userId an object, no sub")
        << bearer(userToken(R"({"userId":{"id":1}})")) << "no_subject"_ba;
}

// A token whose user claim is there but cannot be used says which claim, not "names no user".
void TestJwt::anUnusableUserClaimIsNamed()
{
    const JwtVerifier verifier(secret);
    JwtVerifier::Result result = verifier.verify(bearer(userToken(R"({"sub":1e20})")), now);
    QCOMPARE(result.failure, "no_subject"_ba);
    QVERIFY2(result.detail.contains(u"sub must be"_s), qPrintable(result.detail));
    result = verifier.verify(bearer(userToken(R"({"userId":4.5,"sub":""})")), now);
    QVERIFY2(result.detail.contains(u"userId must be"_s), qPrintable(result.detail));
    result = verifier.verify(bearer(userToken(R"({"roles":["ADMIN"]})")), now);
    QCOMPARE(result.detail, u"The token names no user (neither userId nor sub)."_s);
}

void TestJwt::refuses()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QByteArray, failure);

    const JwtVerifier verifier(secret);
    const JwtVerifier::Result result = verifier.verify(authorization, now);
    QVERIFY(!result.ok);
    QCOMPARE(result.failure, failure);
    QVERIFY(!result.detail.isEmpty());
    QVERIFY(result.userId.isEmpty());
    QVERIFY(result.roles.isEmpty());
    // The detail goes into a response body and maybe a log: it must not carry the token.
    const qsizetype space = authorization.lastIndexOf(' ');
    const QByteArray token = authorization.mid(space + 1);
    if (token.size() > 8)
        QVERIFY2(!result.detail.toUtf8().contains(token), qPrintable(result.detail));
}

void TestJwt::sizeLimitIsExact()
{
    const JwtVerifier verifier(secret);
    const QByteArray largest = tokenOfSize(JwtVerifier::maxTokenSize);
    const JwtVerifier::Result accepted = verifier.verify(bearer(largest), now);
    QVERIFY2(accepted.ok, accepted.failure.constData());
    QCOMPARE(accepted.userId, u"alice"_s);

    const QByteArray tooLarge = tokenOfSize(JwtVerifier::maxTokenSize + 1);
    const JwtVerifier::Result refused = verifier.verify(bearer(tooLarge), now);
    QVERIFY(!refused.ok);
    QCOMPARE(refused.failure, "too_large"_ba);
}

void TestJwt::oversizedHeadersAreRefusedWithoutDecoding()
{
    const JwtVerifier verifier(secret);
    const QByteArray megabyte(1024 * 1024, 'a');
    const QByteArray bearerMegabyte = bearer(megabyte);

    QCOMPARE(verifier.verify(bearerMegabyte, now).failure, "too_large"_ba);
    QCOMPARE(verifier.verify(megabyte, now).failure, "not_bearer"_ba);

    // Neither is read past its first bytes. Decoding a megabyte costs milliseconds, so a
    // thousand of each would take seconds; refused up front they take well under a
    // millisecond in all, even under valgrind. The bound is loose on purpose.
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < 1000; ++i) {
        QVERIFY(!verifier.verify(bearerMegabyte, now).ok);
        QVERIFY(!verifier.verify(megabyte, now).ok);
    }
    QCOMPARE_LT(clock.elapsed(), 500);
}

void TestJwt::emptySecretRefusesEverything()
{
    // With an empty key libjwt checks no signature at all; the verifier must not follow it.
    const JwtVerifier verifier {QByteArray()};
    const QByteArray emptyKeyToken =
        handMadeToken(R"({"alg":"HS256","typ":"JWT"})", R"({"sub":"a"})",
                      QCryptographicHash::Sha256, QByteArray());
    QCOMPARE(verifier.verify(bearer(emptyKeyToken), now).failure, "bad_signature"_ba);
    QCOMPARE(verifier.verify(bearer(userToken(R"({"sub":"a"})")), now).failure, "bad_signature"_ba);
    QCOMPARE(
        verifier.verify(bearer(handMadeToken(R"({"alg":"none"})", R"({"sub":"a"})")), now).failure,
        "wrong_algorithm"_ba);
}

// The Telemetry Service read JWT_SECRET as Spring's jjwt does (Keys.hmacShaKeyFor(
// Decoders.BASE64.decode(secret))): the text is the standard base64 of the HMAC key. A team
// that moves over with its JWT_SECRET unchanged must see the Spring tokens accepted, as
// before; a secret used as plain text keeps working too.
void TestJwt::aBase64SecretVerifiesWithItsDecodedKey()
{
    const QByteArray key =
        QByteArray::fromHex("8f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0");
    const QByteArray base64Secret = key.toBase64();
    QCOMPARE(base64Secret, "jx4tPEtaaXiHlqW0w9Lh8A8eLTxLWml4h5altMPS4fA="_ba);
    const JwtVerifier verifier(base64Secret);

    const JwtVerifier::Result spring = verifier.verify(
        bearer(signedToken(JWT_ALG_HS256, key, R"({"sub":"alice","role":"ADMIN"})")), now);
    QVERIFY2(spring.ok, qPrintable(QString::fromLatin1(spring.failure) + u": "_s + spring.detail));
    QCOMPARE(spring.userId, u"alice"_s);
    QCOMPARE(spring.roles, QStringList {u"ADMIN"_s});
    QVERIFY(
        verifier.verify(bearer(signedToken(JWT_ALG_HS256, base64Secret, R"({"sub":"bob"})")), now)
            .ok);
    QCOMPARE(
        verifier.verify(bearer(signedToken(JWT_ALG_HS256, key + 'x', R"({"sub":"mallory"})")), now)
            .failure,
        "bad_signature"_ba);
    // Text that is not standard base64 with its padding is only ever the key itself.
    for (const QByteArray &notBase64 :
         {"jx4tPEtaaXiHlqW0w9Lh8A8eLTxLWml4h5altMPS4fA"_ba, "your-secret-key"_ba,
          "jx4tPEtaaXiHlqW0w9Lh8A8eLTxLWml4h5altMPS4f_="_ba}) {
        const QByteArray decoded = QByteArray::fromBase64(notBase64, QByteArray::Base64UrlEncoding);
        const JwtVerifier plain(notBase64);
        QCOMPARE(plain.verify(bearer(signedToken(JWT_ALG_HS256, decoded, R"({"sub":"a"})")), now)
                     .failure,
                 "bad_signature"_ba);
        QVERIFY(
            plain.verify(bearer(signedToken(JWT_ALG_HS256, notBase64, R"({"sub":"a"})")), now).ok);
    }
}

void TestJwt::detailsSayWhatWasWrong()
{
    const JwtVerifier verifier(secret);
    QCOMPARE(
        verifier.verify(bearer(signedToken(JWT_ALG_HS512, secret, R"({"sub":"a"})")), now).detail,
        u"The token must be signed with HS256, not HS512."_s);
    // An algorithm name is the client's text: a long or odd one is not repeated back.
    const QByteArray oddAlg = handMadeToken(R"({"alg":"<script>alert(1)</script>"})", "{}");
    QCOMPARE(verifier.verify(bearer(oddAlg), now).detail,
             u"The token must be signed with HS256."_s);
    QCOMPARE(verifier.verify(bearer(userToken(R"({"sub":"a","exp":1699999999})")), now).detail,
             u"The token expired at 2023-11-14T22:13:19Z."_s);
}

void TestJwt::hasRoleNormalisesItsArgument()
{
    const JwtVerifier verifier(secret);
    const JwtVerifier::Result result = verifier.verify(
        bearer(userToken(R"({"sub":"a","authorities":[{"authority":"ROLE_ADMIN"}]})")), now);
    QVERIFY(result.ok);
    QVERIFY(result.hasRole(u"ADMIN"));
    QVERIFY(result.hasRole(u"admin"));
    QVERIFY(result.hasRole(u"ROLE_ADMIN"));
    QVERIFY(result.hasRole(u"role_Admin"));
    QVERIFY(!result.hasRole(u"USER"));
    QVERIFY(!result.hasRole(u""));
    QVERIFY(!result.hasRole(u"ROLE_"));
    QVERIFY(!JwtVerifier::Result().hasRole(u"ADMIN"));
}

void TestJwt::mutatedTokensAreRefused()
{
    // Every single-character change and every truncation of a valid token.
    const JwtVerifier verifier(secret);
    const QByteArray valid = userToken(R"({"userId":"u-1","roles":["ADMIN"],"exp":)"
                                       + QByteArray::number(now + 60) + "}");
    QVERIFY(verifier.verify(bearer(valid), now).ok);

    for (qsizetype i = 0; i < valid.size(); ++i) {
        for (char replacement : {'A', 'z', '.', '_', ' ', '\0'}) {
            if (valid[i] == replacement)
                continue;
            QByteArray mutated = valid;
            mutated[i] = replacement;
            const JwtVerifier::Result result = verifier.verify(bearer(mutated), now);
            QVERIFY2(!result.ok, mutated.constData());
            QVERIFY2(knownFailures.contains(result.failure), result.failure.constData());
        }
        const JwtVerifier::Result truncated = verifier.verify(bearer(valid.left(i)), now);
        QVERIFY2(!truncated.ok, valid.left(i).constData());
        QVERIFY(knownFailures.contains(truncated.failure));
    }
}

void TestJwt::randomBytesAreRefused()
{
    const JwtVerifier verifier(secret);
    QRandomGenerator random(20240601);
    const QByteArray alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."_ba;
    for (int round = 0; round < 3000; ++round) {
        QByteArray token(random.bounded(0, 200), Qt::Uninitialized);
        // Half pure noise, half base64url with dots, which gets past the first checks.
        for (char &c : token) {
            c = round % 2 ? char(random.bounded(256))
                          : alphabet[random.bounded(int(alphabet.size()))];
        }
        const JwtVerifier::Result result = verifier.verify(bearer(token), now);
        QVERIFY(!result.ok);
        QVERIFY2(knownFailures.contains(result.failure), result.failure.constData());
    }
}

void TestJwt::concurrentCallsAgree()
{
    // The HTTP thread and any other may share one verifier: it keeps no state between calls.
    const JwtVerifier verifier(secret);
    const QByteArray good = bearer(userToken(R"({"userId":"u-1","roles":"ADMIN"})"));
    const QByteArray bad = bearer(signedToken(JWT_ALG_HS256, "other"_ba, R"({"userId":"u-1"})"));
    std::atomic<int> wrong {0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 300; ++i) {
                const JwtVerifier::Result accepted = verifier.verify(good, now);
                const JwtVerifier::Result refused = verifier.verify(bad, now);
                if (!accepted.ok || accepted.userId != u"u-1"_s || !accepted.hasRole(u"ADMIN")
                    || refused.ok || refused.failure != "bad_signature"_ba)
                    ++wrong;
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(wrong.load(), 0);
}

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
