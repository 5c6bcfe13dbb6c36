#include "jsonfields.h"

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

} // namespace Switchboard
