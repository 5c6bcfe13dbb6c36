#include "pollingpanel.h"

#include "figuresbox.h"
#include "nodesource.h"
#include "timechart.h"

#include <QGridLayout>
#include <QGroupBox>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

QString sumOf(const QJsonObject &counts)
{
    qint64 total = 0;
    for (const QJsonValue &value : counts)
        total += value.toInteger();
    return QLocale().toString(total);
}

} // namespace

PollingPanel::PollingPanel(NodeSource *source, QWidget *parent)
    : EnginePanel(source, u"polling"_s,
                  {.waiting = tr("Waiting for the node's first status…"),
                   .notRunning = tr("Polling engine not running on this node."),
                   .unhealthy = tr("Polling unhealthy: %1")},
                  parent)
{
    setObjectName(u"pollingPanel"_s);

    m_activity = new TimeChart({.title = tr("Held long polls and publishes per second"),
                                .unit = tr("count"),
                                .minimumTop = 10},
                               this);
    m_activity->setObjectName(u"pollingActivityChart"_s);
    m_wake = new TimeChart({.title = tr("Wake latency, publish to answer (p50 solid, p99 dashed)"),
                            .unit = tr("ms"),
                            .minimumTop = 1},
                           this);
    m_wake->setObjectName(u"pollingWakeChart"_s);
    QWidget *charts = sideBySide(m_activity, m_wake);

    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(createFigures());
    contentLayout->addWidget(charts, 1);
    setContent(content);

    connect(m_source, &NodeSource::statusChanged, this, &PollingPanel::showStatus);
    // The banner follows reachability too: an engine's health is unknown while its node does not
    // answer. The amber note says the figures are the node's last.
    connect(m_source, &NodeSource::reachabilityChanged, this, [this] {
        showReachability();
        showStatus();
    });
    showReachability();
    showStatus();
}

QWidget *PollingPanel::createFigures()
{
    auto *box = new QGroupBox(tr("Engine"), this);
    auto *grid = new QGridLayout(box);
    const std::array<QString, FigureCount> names {
        tr("Redis:"), tr("Held polls:"),     tr("Publishes/s:"),  tr("Wake-ups:"),
        tr("Reads:"), tr("Refused tokens:"), tr("Clients gone:"), tr("History lost:")};
    for (int figure = 0; figure < FigureCount; ++figure) {
        auto *value = new QLabel(box);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        // As in a FiguresBox: a long Redis URL must not widen the window.
        value->setWordWrap(true);
        value->setMinimumWidth(value->fontMetrics().averageCharWidth()
                               * FiguresBox::minimumValueChars);
        const int row = figure % 4;
        const int column = (figure / 4) * 2;
        grid->addWidget(new QLabel(names[size_t(figure)], box), row, column);
        grid->addWidget(value, row, column + 1);
        grid->setColumnStretch(column + 1, 1);
        m_figures[size_t(figure)] = value;
    }
    return box;
}

void PollingPanel::showStatus()
{
    const std::optional<QJsonObject> engine = showEngineStatus();
    if (!engine)
        return;
    const QJsonObject &polling = *engine;
    if (const std::optional<qint64> timeMs = pointDue())
        plot(polling, *timeMs);
    m_figuresBehind = !isVisible();
    if (!m_figuresBehind)
        showFigures(polling);
}

void PollingPanel::plot(const QJsonObject &polling, qint64 timeMs)
{
    // Lines come (back) with their first point: a line left with none leaves the chart.
    const auto line = [](TimeChart *chart, const QString &key, const QString &name,
                         qsizetype colour, Qt::PenStyle style) {
        if (chart->hasLine(key))
            return;
        QPen pen(TimeChart::paletteColour(colour));
        pen.setStyle(style);
        chart->addLine(key, name, pen, style == Qt::SolidLine);
    };
    line(m_activity, u"held"_s, tr("held polls"), 0, Qt::SolidLine);
    line(m_activity, u"published"_s, tr("publishes/s"), 1, Qt::SolidLine);
    m_activity->append(u"held"_s, timeMs, polling.value(u"held_polls"_s).toDouble());
    m_activity->append(u"published"_s, timeMs, polling.value(u"publishes_per_second"_s).toDouble());
    m_activity->advance(timeMs);
    // Latency only of a minute with a wake-up in it: the node's figures are of the last minute,
    // 0 when there was none, and 0 would read as "instant" (the Sync tab's rule). The time axis
    // moves on without them: it stood still at the console's start, as if the chart had stopped.
    if (polling.value(u"wake_p99_ms"_s).toDouble() > 0) {
        line(m_wake, u"p50"_s, tr("wake latency"), 2, Qt::SolidLine);
        line(m_wake, u"p99"_s, u"p99"_s, 2, Qt::DashLine);
        m_wake->append(u"p50"_s, timeMs, polling.value(u"wake_p50_ms"_s).toDouble());
        m_wake->append(u"p99"_s, timeMs, polling.value(u"wake_p99_ms"_s).toDouble());
    }
    m_wake->advance(timeMs);
}

void PollingPanel::showFigures(const QJsonObject &polling)
{
    const QLocale locale;
    m_figures[Redis]->setText(
        polling.value(u"redis_connected"_s).toBool()
            ? tr("%1, connected").arg(polling.value(u"redis"_s).toString())
            : tr("%1, not connected").arg(polling.value(u"redis"_s).toString()));
    m_figures[HeldPolls]->setText(locale.toString(polling.value(u"held_polls"_s).toInteger()));
    m_figures[PublishesPerSecond]->setText(
        locale.toString(polling.value(u"publishes_per_second"_s).toDouble(), 'f', 1));
    const QString wakes = locale.toString(polling.value(u"wakes"_s).toInteger());
    m_figures[Wakes]->setText(
        polling.value(u"wake_p99_ms"_s).toDouble() > 0
            ? tr("%1 (p50 %2 ms, p99 %3 ms)")
                  .arg(wakes, locale.toString(polling.value(u"wake_p50_ms"_s).toDouble(), 'f', 2),
                       locale.toString(polling.value(u"wake_p99_ms"_s).toDouble(), 'f', 2))
            : tr("%1 (none in the last minute)").arg(wakes));
    m_figures[Reads]->setText(
        tr("%1 in flight, %2 queued")
            .arg(locale.toString(polling.value(u"reads_in_flight"_s).toInteger()),
                 locale.toString(polling.value(u"reads_queued"_s).toInteger())));
    m_figures[AuthFailures]->setText(sumOf(polling.value(u"auth_failures"_s).toObject()));
    m_figures[ClientsGone]->setText(locale.toString(polling.value(u"clients_gone"_s).toInteger()));
    m_figures[HistoryLost]->setText(locale.toString(polling.value(u"history_lost"_s).toInteger()));
}

void PollingPanel::showEvent(QShowEvent *event)
{
    if (m_figuresBehind) {
        m_figuresBehind = false;
        showFigures(m_source->status().value(u"engines"_s)[u"polling"_s].toObject());
    }
    QWidget::showEvent(event);
}

} // namespace Switchboard
