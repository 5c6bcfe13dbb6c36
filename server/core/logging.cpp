#include "logging.h"

#include <QDateTime>
#include <QMutex>
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

void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
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
