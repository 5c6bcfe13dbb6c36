#include "loglines.h"

#include <QMutex>
#include <QMutexLocker>
#include <algorithm>

namespace Switchboard::Test {

namespace {

QMutex mutex;
QByteArray watched;
QList<QPair<QtMsgType, QString>> seen;
QtMessageHandler previous = nullptr;

} // namespace

LogLines::LogLines(const QByteArray &category)
{
    {
        QMutexLocker lock(&mutex);
        watched = category;
        seen.clear();
    }
    previous = qInstallMessageHandler(&LogLines::handle);
}

LogLines::~LogLines()
{
    qInstallMessageHandler(previous);
}

int LogLines::count(QStringView text) const
{
    QMutexLocker lock(&mutex);
    return int(std::count_if(seen.cbegin(), seen.cend(),
                             [text](const auto &line) { return line.second.contains(text); }));
}

QStringList LogLines::lines(QtMsgType type) const
{
    QMutexLocker lock(&mutex);
    QStringList result;
    for (const auto &line : std::as_const(seen)) {
        if (line.first == type)
            result.append(line.second);
    }
    return result;
}

void LogLines::handle(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&mutex);
        if (QByteArrayView(context.category) == watched)
            seen.append({type, message});
    }
    previous(type, context, message);
}

} // namespace Switchboard::Test
