#pragma once

// What every benchmark prints: progress on stderr, grouped figures, medians and percentiles of
// runs, a process' resident memory.

#include <QString>
#include <vector>

namespace Switchboard::Test {

// One line on stderr, "<benchmark>: text", flushed at once: the table alone goes to stdout.
void progress(const QString &text);
QString grouped(qint64 n); // 1234567 → "1 234 567": figures an operator reads at a glance
QString fixed(double value, int decimals);
double median(std::vector<double> values); // the middle one, or the mean of the middle two
double percentile(std::vector<double> values, double q); // nearest rank; q in 0..1
double rssMegabytes(qint64 pid); // VmRSS in MB, 0 when the process is gone

} // namespace Switchboard::Test
