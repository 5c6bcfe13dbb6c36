#pragma once

// The messages of one logging category while a LogLines lives, from whichever thread logs them;
// they still reach the test's output. One LogLines at a time.

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QtGlobal>

namespace Switchboard::Test {

class LogLines
{
public:
    explicit LogLines(const QByteArray &category);
    ~LogLines();
    LogLines(const LogLines &) = delete;
    LogLines &operator=(const LogLines &) = delete;

    // How many lines so far contain `text`.
    int count(QStringView text) const;
    // The lines so far of that type (QtWarningMsg, ...).
    QStringList lines(QtMsgType type) const;

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &message);
};

} // namespace Switchboard::Test
