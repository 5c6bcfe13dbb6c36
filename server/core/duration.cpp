#include "duration.h"

#include <limits>

namespace Switchboard {

namespace {

// Go's Duration is an int64 of nanoseconds; anything longer (~292 years) is an error there too.
constexpr quint64 maxNanoseconds = quint64(std::numeric_limits<qint64>::max());

std::optional<quint64> unitNanoseconds(QStringView unit)
{
    if (unit == u"ns")
        return 1;
    // Go accepts the micro sign (U+00B5) and the Greek mu (U+03BC) beside "us".
    if (unit == u"us" || unit == u"\u00b5s" || unit == u"\u03bcs")
        return 1'000;
    if (unit == u"ms")
        return 1'000'000;
    if (unit == u"s")
        return 1'000'000'000;
    if (unit == u"m")
        return 60'000'000'000;
    if (unit == u"h")
        return 3'600'000'000'000;
    return std::nullopt;
}

// ASCII only: QChar::isDigit() would also accept Arabic-Indic and other Unicode digits.
bool isAsciiDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

} // namespace

std::optional<std::chrono::milliseconds> parseGoDuration(QStringView text)
{
    // Go accepts a leading '+'. A '-' is not accepted: no setting takes a negative duration.
    if (text.startsWith(u'+'))
        text = text.mid(1);
    // Go's one exception to "every number has a unit".
    if (text == u"0")
        return std::chrono::milliseconds(0);
    if (text.isEmpty())
        return std::nullopt;

    quint64 total = 0;
    qsizetype i = 0;
    while (i < text.size()) {
        bool anyDigit = false;
        quint64 whole = 0;
        for (; i < text.size() && isAsciiDigit(text[i]); ++i) {
            const quint64 digit = text[i].unicode() - u'0';
            if (whole > (maxNanoseconds - digit) / 10)
                return std::nullopt;
            whole = whole * 10 + digit;
            anyDigit = true;
        }
        quint64 fraction = 0;
        double scale = 1;
        if (i < text.size() && text[i] == u'.') {
            for (++i; i < text.size() && isAsciiDigit(text[i]); ++i) {
                // Digits beyond the 18th cannot change a nanosecond count; Go drops them too.
                if (scale < 1e18) {
                    fraction = fraction * 10 + (text[i].unicode() - u'0');
                    scale *= 10;
                }
                anyDigit = true;
            }
        }
        if (!anyDigit)
            return std::nullopt;

        const qsizetype unitStart = i;
        while (i < text.size() && !isAsciiDigit(text[i]) && text[i] != u'.')
            ++i;
        const std::optional<quint64> unit = unitNanoseconds(text.sliced(unitStart, i - unitStart));
        if (!unit || whole > maxNanoseconds / *unit)
            return std::nullopt;
        // The fraction goes through a double as in Go's time.ParseDuration, so "1.5s" and
        // "0.3s" give the same nanoseconds as they did in the seeds.
        const quint64 part = whole * *unit + quint64(double(fraction) * (double(*unit) / scale));
        if (part > maxNanoseconds - total)
            return std::nullopt;
        total += part;
    }
    // Round up: "500us" must not become 0 ms, which for a timeout or a block time would mean
    // "no wait at all" or "wait forever".
    return std::chrono::milliseconds(qint64((total + 999'999) / 1'000'000));
}

QString formatDuration(std::chrono::milliseconds duration)
{
    qint64 ms = duration.count();
    if (ms == 0)
        return QStringLiteral("0s");
    QString text;
    if (ms < 0) {
        text = QStringLiteral("-");
        ms = -ms;
    }
    if (ms < 1000)
        return text + QString::number(ms) + QStringLiteral("ms");

    const qint64 hours = ms / 3'600'000;
    const qint64 minutes = ms % 3'600'000 / 60'000;
    const qint64 seconds = ms % 60'000 / 1000;
    const qint64 millis = ms % 1000;
    if (hours)
        text += QString::number(hours) + u'h';
    if (minutes)
        text += QString::number(minutes) + u'm';
    if (seconds || millis) {
        text += QString::number(seconds);
        if (millis) {
            QString digits = QString::number(millis).rightJustified(3, u'0');
            while (digits.endsWith(u'0'))
                digits.chop(1);
            text += u'.' + digits;
        }
        text += u's';
    }
    return text;
}

} // namespace Switchboard
