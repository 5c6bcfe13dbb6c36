#include "metrics.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace Switchboard {

Histogram::Histogram(std::vector<double> bounds)
    : m_bounds(std::move(bounds))
    , m_counts(m_bounds.size() + 1, 0)
{
}

std::vector<double> Histogram::latencyBounds()
{
    return {0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25,    0.5,    1,     2.5,   5,     10,   30,    60};
}

void Histogram::observe(double seconds)
{
    const auto it = std::lower_bound(m_bounds.begin(), m_bounds.end(), seconds);
    ++m_counts[size_t(it - m_bounds.begin())];
    ++m_count;
    m_sum += seconds;
}

Histogram Histogram::since(const Histogram &earlier) const
{
    Histogram difference(m_bounds);
    for (size_t i = 0; i < m_counts.size() && i < earlier.m_counts.size(); ++i)
        difference.m_counts[i] = m_counts[i] - std::min(m_counts[i], earlier.m_counts[i]);
    difference.m_count = m_count - std::min(m_count, earlier.m_count);
    difference.m_sum = std::max(0.0, m_sum - earlier.m_sum);
    return difference;
}

Histogram RecentHistogram::lastMinute(const Histogram &total, qint64 nowMs)
{
    if (m_copies.empty() || nowMs - m_copies.back().first >= 1000)
        m_copies.emplace_back(nowMs, total);
    // The newest copy at least a minute old is the base; older ones serve no more.
    while (m_copies.size() > 1 && m_copies[1].first <= nowMs - windowMs)
        m_copies.pop_front();
    if (m_copies.front().first > nowMs - windowMs)
        return total;
    return total.since(m_copies.front().second);
}

Histogram RecentHistogram::lastMinute(const Histogram &total)
{
    using namespace std::chrono;
    return lastMinute(total,
                      duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

double Histogram::quantile(double q) const
{
    if (m_count == 0)
        return 0;
    const double rank = q * double(m_count);
    quint64 seen = 0;
    for (size_t i = 0; i < m_counts.size(); ++i) {
        if (m_counts[i] == 0)
            continue;
        if (double(seen + m_counts[i]) >= rank) {
            const double lower = i == 0 ? 0 : m_bounds[i - 1];
            const double upper = i < m_bounds.size() ? m_bounds[i] : lower;
            const double within = (rank - double(seen)) / double(m_counts[i]);
            return lower + (upper - lower) * std::clamp(within, 0.0, 1.0);
        }
        seen += m_counts[i];
    }
    return m_bounds.empty() ? 0 : m_bounds.back();
}

static QByteArray formatValue(double value)
{
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::fabs(value) < 1e15)
        return QByteArray::number(qint64(value));
    return QByteArray::number(value, 'g', 10);
}

static QByteArray escapeLabel(const QByteArray &value)
{
    QByteArray out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

QByteArray &MetricsWriter::family(const QByteArray &name, const QByteArray &help, const char *type)
{
    const auto it = m_index.constFind(name);
    if (it != m_index.constEnd())
        return m_families[*it];
    m_index.insert(name, m_families.size());
    m_families.push_back("# HELP " + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n');
    return m_families.back();
}

QByteArray MetricsWriter::text() const
{
    QByteArray out;
    for (const QByteArray &f : m_families)
        out += f;
    return out;
}

void MetricsWriter::line(QByteArray &out, const QByteArray &name, const MetricLabels &labels,
                         double value)
{
    out += name;
    if (!labels.isEmpty()) {
        out += '{';
        for (qsizetype i = 0; i < labels.size(); ++i) {
            if (i)
                out += ',';
            out += labels[i].first + "=\"" + escapeLabel(labels[i].second) + '"';
        }
        out += '}';
    }
    out += ' ' + formatValue(value) + '\n';
}

void MetricsWriter::counter(const QByteArray &name, const QByteArray &help,
                            const MetricLabels &labels, double value)
{
    line(family(name, help, "counter"), name, labels, value);
}

void MetricsWriter::gauge(const QByteArray &name, const QByteArray &help,
                          const MetricLabels &labels, double value)
{
    line(family(name, help, "gauge"), name, labels, value);
}

void MetricsWriter::histogram(const QByteArray &name, const QByteArray &help,
                              const MetricLabels &labels, const Histogram &histogram)
{
    QByteArray &out = family(name, help, "histogram");
    quint64 cumulative = 0;
    const auto &bounds = histogram.bounds();
    for (size_t i = 0; i <= bounds.size(); ++i) {
        cumulative += histogram.counts()[i];
        MetricLabels withLe = labels;
        withLe.append({"le", i < bounds.size() ? formatValue(bounds[i]) : QByteArray("+Inf")});
        line(out, name + "_bucket", withLe, double(cumulative));
    }
    line(out, name + "_sum", labels, histogram.sum());
    line(out, name + "_count", labels, double(histogram.count()));
}

} // namespace Switchboard
