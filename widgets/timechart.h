#pragma once

// A chart of the last minutes with one line per key (a stream, a domain): the Sync panel's lag
// and latency, the Ingress panel's forward failures. The points are kept here and handed to
// the chart's series only while the chart is on screen: a console watching several nodes
// draws the one in front, and the others catch up in one step when shown. Where no point came
// for a while (the node did not answer, the engine could not measure), a line has a gap.

#include <QChartView>
#include <QHash>
#include <QList>
#include <QPen>
#include <QPointF>

QT_BEGIN_NAMESPACE
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace Switchboard {

// Sets a value axis to 0..top with a tick every `interval`, never laying out more ticks than
// the old or the new range and interval have.
void setRangeAndTicks(QValueAxis *axis, double top, double interval);

class TimeChart : public QChartView
{
    Q_OBJECT

public:
    // A line never draws more points than this: from the second minute on, points are folded
    // into buckets keeping their highest value (a lag or latency peak must not vanish). What
    // the chart costs to draw, and what QtCharts keeps per series, follows the points drawn,
    // so both stop growing after a minute.
    static constexpr qsizetype maxDrawnPoints = 60;

    struct Options
    {
        QString title;
        QString unit; // the value axis' title
        qint64 windowMs = 10 * 60 * 1000; // points older than this leave
        // The time axis spans the points there are, from this up to the whole window, so
        // that a console opened a moment ago shows its first minute as a line.
        qint64 minimumSpanMs = 60 * 1000;
        double minimumTop = 1; // the value axis never shows less than 0..minimumTop
        // Two points further apart than this are not joined: nothing was measured between them.
        // Points come once a second; a node is unreachable after 3 s without a status.
        qint64 gapMs = 4000;
    };

    TimeChart(const Options &options, QWidget *parent = nullptr);

    // The colours of the lines, in order; no red: red means unhealthy in this console.
    static QColor paletteColour(qsizetype index);

    bool hasLine(const QString &key) const { return m_lines.contains(key); }
    // A new line; `inLegend` false keeps it out of the legend (a p99 drawn beside its p50).
    void addLine(const QString &key, const QString &name, const QPen &pen, bool inLegend = true);
    // A point of one line; the chart shows it at the next advance().
    void append(const QString &key, qint64 timeMs, double value);
    // The points of one instant are in: those older than the window leave, a line left with
    // none leaves too, the axes follow and, when on screen, the chart is redrawn.
    void advance(qint64 nowMs);

    // The series drawing a line's newest run of points (after its last gap), as last drawn
    // (folded to maxDrawnPoints, redrawn while on screen whenever the time axis moved by about
    // two pixels); null for a key with no line.
    QLineSeries *series(const QString &key) const;
    // The points of a line, on screen or not.
    qsizetype pointCount(const QString &key) const;

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct Line
    {
        // QLineSeries joins every point it has (Qt Charts 6.4 does not skip NaN): a line with
        // gaps is drawn by one series per run of points. `series` draws the newest run and
        // carries the line's name in the legend; `earlierRuns` the runs before, oldest first,
        // out of the legend. They exist only while a gap is in the window.
        QLineSeries *series = nullptr;
        QList<QLineSeries *> earlierRuns;
        QPen pen;
        QList<QPointF> points;
        bool changed = false; // since the series last got the points
    };

    QLineSeries *createSeries(const QString &name, const QPen &pen, bool inLegend);
    void removeSeries(QLineSeries *series);
    void redraw();
    void drawLine(Line &line);
    // How often a redraw is worth it: when the time axis has moved by about two pixels.
    qint64 redrawIntervalMs() const;
    // Points [begin, end) of `points` as drawn: folded into buckets of `bucket` points, counted
    // from the newest, each drawn at its newest point's time with its highest value.
    static QList<QPointF> drawnPoints(const QList<QPointF> &points, qsizetype begin, qsizetype end,
                                      qsizetype bucket);

    Options m_options;
    QDateTimeAxis *m_timeAxis;
    QValueAxis *m_valueAxis;
    QHash<QString, Line> m_lines;
    qint64 m_nowMs = 0;
    qint64 m_drawnAtMs = 0; // m_nowMs of the last redraw
    qint64 m_spanMs = 0; // of the time axis at the last redraw
    bool m_behind = false; // advanced while hidden
};

} // namespace Switchboard
