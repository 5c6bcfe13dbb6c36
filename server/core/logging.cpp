#include "logging.h"

#include <QDateTime>
#include <QMutex>
#include <algorithm>
#include <cstdio>
#include <deque>

namespace Switchboard {

Q_LOGGING_CATEGORY(lcApp, "switchboard.app")
Q_LOGGING_CATEGORY(lcCore, "switchboard.core")

namespace {

constexpr size_t recentCapacity = 200;

QMutex recentMutex;
std::deque<LogRecord> recent;

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info ";
    case QtWarningMsg:
        return "warn ";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info ";
}

// Whether `c` would end a line for some reader (a terminal, journald, a log shipper) or drive a
// terminal (ESC): the C0 controls but the tab, DEL, NEL and the Unicode line separators.
bool breaksTheLine(QChar c)
{
    const char16_t u = c.unicode();
    return (u < 0x20 && u != u'\t') || u == 0x7f || u == 0x85 || u == 0x2028 || u == 0x2029;
}

// One message, one line: text a client sent (a call id, a path, a user id) inside a message
// must not start a line of its own, with a time and a level of its choosing, nor colour or
// clear an operator's terminal. Such characters are written as \n, \r, \x1b, \u2028.
QString oneLine(const QString &message)
{
    if (std::none_of(message.cbegin(), message.cend(), breaksTheLine))
        return message;
    QString line;
    line.reserve(message.size() + 16);
    for (const QChar c : message) {
        if (!breaksTheLine(c))
            line += c;
        else if (c == u'\n')
            line += u"\\n";
        else if (c == u'\r')
            line += u"\\r";
        else if (c.unicode() < 0x100)
            line +=
                QStringLiteral("\\x") + QString::number(c.unicode(), 16).rightJustified(2, u'0');
        else
            line += QStringLiteral("\\u") + QString::number(c.unicode(), 16);
    }
    return line;
}

// QtHttpServer 6.4 warns so for every WebSocket upgrade that HttpServer refuses (404 where there
// is none, 401/403 for a console with a wrong token, at each of its retries), though its slot is
// connected and the client has had its answer: a warning that blames the wrong thing, in the
// journal and on the console's Log tab.
bool isAnsweredQtNoise(const char *category, const QString &text)
{
    return qstrcmp(category, "qt.httpserver") == 0
        && text.startsWith(u"WebSocket received but no slots connected");
}

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (isAnsweredQtNoise(context.category, text))
        return;
    const QString message = oneLine(text);
    const QString time = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const char *category = context.category ? context.category : "default";
    const QByteArray line =
        time.toUtf8() + ' ' + levelName(type) + ' ' + category + ": " + message.toUtf8() + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);

    if (type == QtWarningMsg || type == QtCriticalMsg || type == QtFatalMsg) {
        QMutexLocker lock(&recentMutex);
        recent.push_back(
            {time, type == QtWarningMsg ? QStringLiteral("warning") : QStringLiteral("error"),
             QString::fromLatin1(category), message});
        if (recent.size() > recentCapacity)
            recent.pop_front();
    }
}

} // namespace

void installLogHandler()
{
    qInstallMessageHandler(handleMessage);
}

void setLogLevel(LogLevel level)
{
    QString rules;
    switch (level) {
    case LogLevel::Debug:
        rules = QStringLiteral("switchboard.*.debug=true");
        break;
    case LogLevel::Info:
        rules = QStringLiteral("*.debug=false");
        break;
    case LogLevel::Warn:
        rules = QStringLiteral("*.debug=false\n*.info=false");
        break;
    case LogLevel::Error:
        rules = QStringLiteral("*.debug=false\n*.info=false\n*.warning=false");
        break;
    }
    QLoggingCategory::setFilterRules(rules);
}

QList<LogRecord> recentLogRecords()
{
    QMutexLocker lock(&recentMutex);
    return QList<LogRecord>(recent.begin(), recent.end());
}

} // namespace Switchboard
