#pragma once

// Control characters (U+0000..U+001F, U+007F) in text that must travel as one HTTP header value
// or one line of a message: a line break would split it, and strict parsers refuse the others.

#include <QByteArrayView>
#include <QString>
#include <algorithm>

namespace Switchboard {

// The byte offset of the first control character of `text`, or -1 when it has none.
inline qsizetype firstControlCharacter(QByteArrayView text)
{
    const auto found = std::find_if(text.begin(), text.end(),
                                    [](char c) { return uchar(c) < 0x20 || uchar(c) == 0x7f; });
    return found == text.end() ? -1 : qsizetype(found - text.begin());
}

// "U+000A at byte 4", for an error's detail; `at` as firstControlCharacter() found it.
inline QString describeControlCharacter(QByteArrayView text, qsizetype at)
{
    return QStringLiteral("U+%1 at byte %2")
        .arg(QString::number(uchar(text[at]), 16).toUpper().rightJustified(4, u'0'))
        .arg(at);
}

} // namespace Switchboard
