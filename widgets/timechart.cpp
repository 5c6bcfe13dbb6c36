#include "timechart.h"

#include <QChart>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QValueAxis>
#include <QVarLengthArray>
#include <algorithm>
#include <array>
#include <cmath>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// 1, 2, 5, 10, 20, 50...: an axis that does not twitch with every new peak, with ticks at
// round numbers.
void setNiceRange(QValueAxis *axis, double peak, double minimumTop)
{
    double top = minimumTop;
    double interval = minimumTop / 5;
    if (peak > minimumTop) {
        const double magnitude = std::pow(10.0, std::floor(std::log10(peak)));
        for (const double step : {1.0, 2.0, 5.0, 10.0}) {
            if (peak <= step * magnitude) {
                top = step * magnitude;
                interval = step == 2.0 ? top / 4 : top / 5;
                break;
            }
        }
    }
    setRangeAndTicks(axis, top, interval);
}

} // namespace

void setRangeAndTicks(QValueAxis *axis, double top, double interval)
{
    if (axis->max() == top && axis->tickInterval() == interval)
        return;
    // Qt Charts lays the ticks out at each of the two calls: a range grown before its interval
    // (or an interval shrunk before its range) made millions of ticks for a moment. A lag going
    // from 10 to 5 million froze the console for good.
    // "%g" wrote a lag of millions as "2e+06". Whole numbers from an interval of 1 up, in the
    // operator's locale ("2,000,000") where the chart localizes its numbers.
    axis->setLabelFormat(interval >= 1 ? u"%.0f"_s : u"%.1f"_s);
    if (interval > axis->tickInterval()) {
        axis->setTickInterval(interval);
        axis->setRange(0, top);
    } else {
        axis->setRange(0, top);
        axis->setTickInterval(interval);
    }
}

TimeChart::TimeChart(const Options &options, QWidget *parent)
    // QChartView(parent) would make a default chart of its own, which setChart() then leaves to
    // nobody (a leak LeakSanitizer found): the view is made with ours, and owns it.
    : QChartView(new QChart, parent)
    , m_options(options)
{
    QChart *chart = this->chart();
    chart->setTitle(options.title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    // Points arrive once a second: an animation would never finish.
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setLocalizeNumbers(true);

    m_timeAxis = new QDateTimeAxis(chart);
    m_timeAxis->setFormat(u"HH:mm:ss"_s);
    m_timeAxis->setTickCount(6);
    const QDateTime now = QDateTime::currentDateTime();
    m_timeAxis->setRange(now.addMSecs(-options.minimumSpanMs), now);
    chart->addAxis(m_timeAxis, Qt::AlignBottom);

    m_valueAxis = new QValueAxis(chart);
    m_valueAxis->setTitleText(options.unit);
    m_valueAxis->setTickType(QValueAxis::TicksDynamic);
    m_valueAxis->setTickAnchor(0);
    setRangeAndTicks(m_valueAxis, options.minimumTop, options.minimumTop / 5);
    chart->addAxis(m_valueAxis, Qt::AlignLeft);

    // No antialiasing: with ten minutes of history, frames over 16 ms in console_bench went
    // from 154 to 19 in eleven minutes without it.
    setRenderHint(QPainter::Antialiasing, false);
    setMinimumSize(320, 220);
}

QColor TimeChart::paletteColour(qsizetype index)
{
    static constexpr std::array<QRgb, 8> palette {0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd,
                                                  0x17becf, 0x8c564b, 0xe377c2, 0x7f7f7f};
    return QColor(palette[size_t(index) % palette.size()]);
}

void TimeChart::addLine(const QString &key, const QString &name, const QPen &pen, bool inLegend)
{
    Line &line = m_lines[key];
    if (line.series)
        return;
    line.pen = pen;
    line.series = createSeries(name, pen, inLegend);
    // The line's whole history is allocated, and touched, now, so that memory does not creep
    // while the window fills. Twice the window (points come at most once a second), so that
    // points leaving at the front and arriving at the back slide within the block instead of
    // reallocating it.
    const qsizetype capacity = 2 * (m_options.windowMs / 1000 + 8);
    line.points.resize(capacity);
    line.points.clear(); // keeps the capacity (Qt 6)
}

QLineSeries *TimeChart::createSeries(const QString &name, const QPen &pen, bool inLegend)
{
    auto *series = new QLineSeries(chart());
    series->setName(name);
    chart()->addSeries(series);
    series->attachAxis(m_timeAxis);
    series->attachAxis(m_valueAxis);
    series->setPen(pen);
    // A run of one point is drawn as a dot (a line needs two): a small one.
    series->setMarkerSize(std::max(4.0, 3 * pen.widthF()));
    if (!inLegend) {
        for (QLegendMarker *marker : chart()->legend()->markers(series))
            marker->setVisible(false);
    }
    return series;
}

void TimeChart::removeSeries(QLineSeries *series)
{
    chart()->removeSeries(series);
    delete series;
}

void TimeChart::append(const QString &key, qint64 timeMs, double value)
{
    const auto line = m_lines.find(key);
    if (line == m_lines.end())
        return;
    // The clock was set back: what the line holds "after" this point goes, so that the line
    // stays in time order and the chart shows the present rather than waiting for the clock to
    // catch up with its newest point.
    QList<QPointF> &points = line->points;
    while (!points.isEmpty() && points.last().x() > double(timeMs))
        points.removeLast();
    points.append(QPointF(double(timeMs), value));
    line->changed = true;
}

void TimeChart::advance(qint64 nowMs)
{
    m_nowMs = nowMs;
    const double oldest = double(nowMs - m_options.windowMs);
    for (auto line = m_lines.begin(); line != m_lines.end();) {
        QList<QPointF> &points = line->points;
        // After the clock was set back, a line that got no point now keeps none "after" now.
        while (!points.isEmpty() && points.last().x() > double(nowMs)) {
            points.removeLast();
            line->changed = true;
        }
        const auto kept =
            std::find_if(points.cbegin(), points.cend(),
                         [oldest](const QPointF &point) { return point.x() >= oldest; });
        if (kept != points.cbegin()) {
            points.erase(points.cbegin(), kept);
            line->changed = true;
        }
        if (points.isEmpty()) {
            // A stream or domain no longer reported leaves with its last point.
            for (QLineSeries *run : std::as_const(line->earlierRuns))
                removeSeries(run);
            removeSeries(line->series);
            line = m_lines.erase(line);
            continue;
        }
        ++line;
    }
    m_behind = true;
    if (isVisible() && (nowMs < m_drawnAtMs || nowMs - m_drawnAtMs >= redrawIntervalMs()))
        redraw();
}

qint64 TimeChart::redrawIntervalMs() const
{
    const double width = std::max(100.0, chart()->plotArea().width());
    return qint64(2.0 * double(m_spanMs) / width);
}

QList<QPointF> TimeChart::drawnPoints(const QList<QPointF> &points, qsizetype begin, qsizetype end,
                                      qsizetype bucket)
{
    if (bucket <= 1) // a copy: a shared list would make the next append copy the whole history
        return QList<QPointF>(points.cbegin() + begin, points.cbegin() + end);
    // Buckets of equal size counted from the newest point, so that the newest is drawn as it
    // is and the buckets do not shift under the operator's eyes as points arrive.
    QList<QPointF> drawn;
    drawn.reserve((end - begin + bucket - 1) / bucket);
    while (end > begin) {
        const qsizetype first = std::max(begin, end - bucket);
        double peak = points[first].y();
        for (qsizetype i = first + 1; i < end; ++i)
            peak = std::max(peak, points[i].y());
        drawn.append(QPointF(points[end - 1].x(), peak));
        end = first;
    }
    std::reverse(drawn.begin(), drawn.end());
    return drawn;
}

void TimeChart::drawLine(Line &line)
{
    const QList<QPointF> &points = line.points;
    const qsizetype count = points.size();
    // Runs of points without a gap, by their first point.
    QVarLengthArray<qsizetype, 8> runStarts {0};
    const double gap = double(m_options.gapMs);
    for (qsizetype i = 1; i < count; ++i) {
        if (points[i].x() - points[i - 1].x() > gap)
            runStarts.append(i);
    }
    const qsizetype earlier = runStarts.size() - 1;
    // The oldest runs leave the window first: their series go from the front, so that the
    // series of the runs that stay keep their points and need no replace().
    while (line.earlierRuns.size() > earlier)
        removeSeries(line.earlierRuns.takeFirst());
    while (line.earlierRuns.size() < earlier)
        line.earlierRuns.append(createSeries(line.series->name(), line.pen, false));

    // One bucket size for the whole line, so that it draws maxDrawnPoints at most (and one
    // more per run), however its points are spread over runs.
    const qsizetype bucket = (count + maxDrawnPoints - 1) / maxDrawnPoints;
    for (qsizetype run = 0; run < runStarts.size(); ++run) {
        const qsizetype end = run + 1 < runStarts.size() ? runStarts[run + 1] : count;
        const QList<QPointF> drawn = drawnPoints(points, runStarts[run], end, bucket);
        QLineSeries *series = run < earlier ? line.earlierRuns[run] : line.series;
        if (series != line.series && series->count() == drawn.size() && series->points() == drawn)
            continue; // a run before a gap is done: it changes only when its bucket size does
        // One replace is one geometry update of the series, however many points moved.
        series->replace(drawn);
        const bool lonePoint = drawn.size() == 1;
        if (series->pointsVisible() != lonePoint)
            series->setPointsVisible(lonePoint);
    }
}

void TimeChart::redraw()
{
    double peak = 0;
    double firstPoint = double(m_nowMs);
    for (Line &line : m_lines) {
        if (line.changed) {
            drawLine(line);
            line.changed = false;
        }
        firstPoint = std::min(firstPoint, line.points.first().x());
        for (const QPointF &point : std::as_const(line.points))
            peak = std::max(peak, point.y());
    }
    const qint64 span =
        qBound(m_options.minimumSpanMs, m_nowMs - qint64(firstPoint), m_options.windowMs);
    const QString format = span <= 5 * 60 * 1000 ? u"HH:mm:ss"_s : u"HH:mm"_s;
    if (m_timeAxis->format() != format)
        m_timeAxis->setFormat(format);
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(m_nowMs - span),
                         QDateTime::fromMSecsSinceEpoch(m_nowMs));
    setNiceRange(m_valueAxis, peak, m_options.minimumTop);
    m_behind = false;
    m_drawnAtMs = m_nowMs;
    m_spanMs = span;
}

QLineSeries *TimeChart::series(const QString &key) const
{
    return m_lines.value(key).series;
}

qsizetype TimeChart::pointCount(const QString &key) const
{
    return m_lines.value(key).points.size();
}

void TimeChart::showEvent(QShowEvent *event)
{
    if (m_behind && m_nowMs > 0)
        redraw();
    QChartView::showEvent(event);
}

} // namespace Switchboard
