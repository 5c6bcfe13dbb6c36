#include "cpumeter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <sys/resource.h>
#include <unistd.h>

namespace Switchboard::Test {

namespace {

// CPU seconds in a /proc/.../stat file; 0 when it is gone.
double statCpuSeconds(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = file.readAll();
    // After "pid (comm) ": state is field 3, utime 14, stime 15. comm may hold spaces.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    static const double ticks = double(sysconf(_SC_CLK_TCK));
    return (fields.value(11).toDouble() + fields.value(12).toDouble()) / ticks;
}

} // namespace

double cpuSeconds(qint64 pid)
{
    return pid > 0 ? statCpuSeconds(QStringLiteral("/proc/%1/stat").arg(pid)) : 0;
}

QMap<QString, double> threadCpuSeconds(qint64 pid)
{
    QMap<QString, double> byName;
    if (pid <= 0)
        return byName;
    const QString taskDir = QStringLiteral("/proc/%1/task").arg(pid);
    for (const QString &tid : QDir(taskDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(taskDir + u'/' + tid + QStringLiteral("/comm"));
        if (!comm.open(QIODevice::ReadOnly))
            continue;
        byName[QString::fromUtf8(comm.readAll().trimmed())] +=
            statCpuSeconds(taskDir + u'/' + tid + QStringLiteral("/stat"));
    }
    return byName;
}

double reapedChildrenCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_CHILDREN, &usage);
    auto seconds = [](const timeval &t) {
        return double(t.tv_sec) + double(t.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double machineBusySeconds()
{
    QFile file(QStringLiteral("/proc/stat"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", in clock ticks;
    // guest time is already part of user.
    const QList<QByteArray> fields = file.readLine().simplified().split(' ');
    double busy = 0;
    for (int i = 1; i <= 8 && i < fields.size(); ++i) {
        if (i != 4 && i != 5)
            busy += fields[i].toDouble();
    }
    static const double ticks = double(sysconf(_SC_CLK_TCK));
    return busy / ticks;
}

CpuMeter::CpuMeter(std::function<double()> read)
    : m_read(std::move(read))
    , m_start(m_read())
{
}

CpuMeter CpuMeter::process(qint64 pid)
{
    return CpuMeter([pid] { return cpuSeconds(pid); });
}

CpuMeter CpuMeter::self()
{
    return process(QCoreApplication::applicationPid());
}

CpuMeter CpuMeter::reapedChildren()
{
    return CpuMeter(reapedChildrenCpuSeconds);
}

CpuMeter CpuMeter::machine()
{
    return CpuMeter(machineBusySeconds);
}

} // namespace Switchboard::Test
