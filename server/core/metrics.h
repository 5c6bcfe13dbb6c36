#pragma once

// Prometheus text exposition (version 0.0.4) and the histogram type the engines keep.
// Engines own their counters on their own thread and copy them into snapshots; /metrics
// renders the snapshots, so nothing here needs a lock.

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>
#include <deque>
#include <vector>

namespace Switchboard {

using MetricLabels = QList<QPair<QByteArray, QByteArray>>;

class Histogram
{
public:
    // Upper bounds in seconds, ascending; +Inf is implicit.
    explicit Histogram(std::vector<double> bounds = latencyBounds());

    void observe(double seconds);
    // Estimate from the buckets (linear inside a bucket), in seconds; 0 when empty.
    double quantile(double q) const;

    // What this one holds beyond `earlier`, an older copy of it (same bounds).
    Histogram since(const Histogram &earlier) const;

    const std::vector<double> &bounds() const { return m_bounds; }
    const std::vector<quint64> &counts() const { return m_counts; } // per bucket, not cumulative
    quint64 count() const { return m_count; }
    double sum() const { return m_sum; }

    // 0.25 ms .. 60 s: replication latency is sub-millisecond when idle and seconds when a
    // remote is recovering; both ends matter to an operator.
    static std::vector<double> latencyBounds();

private:
    std::vector<double> m_bounds;
    std::vector<quint64> m_counts; // m_bounds.size() + 1 (the last is +Inf)
    quint64 m_count = 0;
    double m_sum = 0;
};

// The last minute of a histogram that only grows, for the figures an operator reads as "now"
// (the p50 and p99 of /api/v1/status and the console). Over the life of the node, a p99 kept an
// incident of the morning on the chart for hours, and days at 1 ms hid a new one. /metrics keeps
// the whole histogram: Prometheus takes differences itself.
class RecentHistogram
{
public:
    static constexpr qint64 windowMs = 60 * 1000;

    // `total` now minus what it held about a minute ago (all of it during the first minute).
    // `nowMs`: a monotonic clock; copies are kept at most once a second.
    Histogram lastMinute(const Histogram &total, qint64 nowMs);
    Histogram lastMinute(const Histogram &total);

private:
    std::deque<std::pair<qint64, Histogram>> m_copies; // oldest first
};

class MetricsWriter
{
public:
    // Names are written as given: Switchboard's own start with "switchboard_", the seeds'
    // names keep their spelling. HELP and TYPE are written once per name.
    void counter(const QByteArray &name, const QByteArray &help, const MetricLabels &labels,
                 double value);
    void gauge(const QByteArray &name, const QByteArray &help, const MetricLabels &labels,
               double value);
    void histogram(const QByteArray &name, const QByteArray &help, const MetricLabels &labels,
                   const Histogram &histogram);

    // The exposition: each family's lines together, as the format requires, in the order the
    // families were first written.
    QByteArray text() const;

private:
    QByteArray &family(const QByteArray &name, const QByteArray &help, const char *type);
    static void line(QByteArray &out, const QByteArray &name, const MetricLabels &labels,
                     double value);

    std::vector<QByteArray> m_families;
    QHash<QByteArray, size_t> m_index;
};

} // namespace Switchboard
