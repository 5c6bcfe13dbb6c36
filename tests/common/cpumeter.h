#pragma once

// Where a benchmark's CPU went, read from /proc: CPU seconds (user + system) of a process, of its
// threads, of the children this process reaped, of the whole machine. On a 2-core box these
// figures beside a throughput say whether the machine, not the design, set the pace.

#include <QMap>
#include <QString>
#include <functional>

namespace Switchboard::Test {

double cpuSeconds(qint64 pid); // all its threads so far; 0 when it is gone (or pid <= 0)
// By thread name, the threads of the same name added up (cnats' threads take the name of the
// thread that started them); empty when the process is gone.
QMap<QString, double> threadCpuSeconds(qint64 pid);
// The children this process has reaped: a wrk that ran to its end is measured as the difference
// across its run, during which no other child ends.
double reapedChildrenCpuSeconds();
double machineBusySeconds(); // every CPU, every state but idle and iowait

// CPU seconds used from the meter's construction on, by what it was made for.
class CpuMeter
{
public:
    static CpuMeter process(qint64 pid); // 0 when there is no such process
    static CpuMeter self(); // this process, all its threads
    static CpuMeter reapedChildren();
    static CpuMeter machine();

    double used() const { return m_read() - m_start; }

private:
    explicit CpuMeter(std::function<double()> read);

    std::function<double()> m_read;
    double m_start = 0;
};

} // namespace Switchboard::Test
