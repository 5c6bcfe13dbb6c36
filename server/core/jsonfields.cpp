#include "jsonfields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <algorithm>

namespace Switchboard {

namespace {

// A UTF-16 code unit as Go's folding of it compares with an ASCII name's letter: lower case.
// Only these fold onto ASCII (unicode.SimpleFold orbits {K, k, U+212A} and {S, s, U+017F});
// any other non-ASCII unit, surrogates included, can never equal an ASCII name's.
constexpr char16_t foldedForAscii(char16_t unit)
{
    if (unit >= u'A' && unit <= u'Z')
        return char16_t(unit - u'A' + u'a');
    if (unit == u'\u212A') // KELVIN SIGN
        return u'k';
    if (unit == u'\u017F') // LATIN SMALL LETTER LONG S
        return u's';
    return unit;
}

} // namespace

bool jsonKeyMatchesField(QStringView key, QStringView name)
{
    // Both non-ASCII letters above are one UTF-16 unit, as their ASCII partners are: a key that
    // matches has the name's length.
    if (key.size() != name.size())
        return false;
    for (qsizetype i = 0; i < key.size(); ++i) {
        const char16_t k = key[i].unicode();
        const char16_t n = name[i].unicode();
        if (k != n && foldedForAscii(k) != foldedForAscii(n))
            return false;
    }
    return true;
}

QJsonValue jsonField(const QJsonObject &object, QStringView name)
{
    const QJsonValue exact = object.value(name);
    if (!exact.isUndefined() && !exact.isNull())
        return exact;
    for (auto it = object.constBegin(), end = object.constEnd(); it != end; ++it) {
        if (jsonKeyMatchesField(it.key(), name)) {
            QJsonValue value = it.value();
            if (!value.isNull())
                return value;
        }
    }
    return exact;
}

QString jsonSyntaxProblem(QByteArrayView text)
{
    const auto isDigit = [&text](qsizetype i) {
        return i >= 0 && i < text.size() && text[i] >= '0' && text[i] <= '9';
    };
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const uchar c = uchar(text[i]);
        if (inString) {
            if (c == '"') {
                inString = false;
            } else if (c < 0x20) {
                return QStringLiteral("control character U+%1 unescaped in a string at offset %2")
                    .arg(QString::number(c, 16).toUpper().rightJustified(4, u'0'))
                    .arg(i);
            } else if (c == '\\') {
                const char next = i + 1 < text.size() ? text[i + 1] : '\0';
                if (next == '\0' || !QByteArrayView("\"\\/bfnrtu").contains(next))
                    return QStringLiteral("invalid escape at offset %1").arg(i);
                ++i; // the escaped character; \u's hex digits Qt has checked
            }
        } else if (c == '"') {
            inString = true;
        } else if (c == '.' && (!isDigit(i - 1) || !isDigit(i + 1))) {
            return QStringLiteral("a number needs a digit on each side of its point (offset %1)")
                .arg(i);
        }
    }
    return {};
}

QJsonDocument parseJsonAsGo(const QByteArray &body, QJsonParseError *error)
{
    QJsonParseError parseError;
    QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    // Rare: the decoding copy is made only for a body that needs it.
    if (parseError.error == QJsonParseError::IllegalUTF8String)
        document = QJsonDocument::fromJson(QString::fromUtf8(body).toUtf8(), &parseError);
    if (error)
        *error = parseError;
    return document;
}

std::optional<QJsonObject> parseJsonObjectAsGo(const QByteArray &body, QString *notJson)
{
    QJsonParseError parseError;
    const QJsonDocument document = parseJsonAsGo(body, &parseError);
    if (parseError.error != QJsonParseError::NoError && !isJsonScalar(body)) {
        *notJson = jsonParseErrorText(body, parseError);
        return std::nullopt;
    }
    if (!document.isObject())
        return std::nullopt;
    *notJson = jsonSyntaxProblem(body);
    if (!notJson->isEmpty())
        return std::nullopt;
    return document.object();
}

bool isJsonScalar(const QByteArray &body)
{
    const QByteArray trimmed = body.trimmed();
    return !trimmed.isEmpty() && QJsonDocument::fromJson('[' + trimmed + ']').array().size() == 1;
}

QString jsonParseErrorText(QByteArrayView body, const QJsonParseError &error)
{
    const auto whitespace = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    };
    if (std::all_of(body.begin(), body.end(), whitespace))
        return QStringLiteral("the body is empty");
    const qsizetype from = std::clamp<qsizetype>(error.offset, 0, body.size());
    if (std::all_of(body.begin() + from, body.end(), whitespace))
        return QStringLiteral("the JSON ends at byte %1 before it is complete (an object, array or "
                              "string is not closed)")
            .arg(body.size());
    return QStringLiteral("%1 at offset %2").arg(error.errorString()).arg(error.offset);
}

} // namespace Switchboard
