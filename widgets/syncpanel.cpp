#include "syncpanel.h"

#include "nodesource.h"

#include <QBrush>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
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
    if (axis->max() != top || axis->tickInterval() != interval) {
        axis->setRange(0, top);
        axis->setTickInterval(interval);
    }
}

QString bytesText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QString msText(double ms)
{
    // Below 10 ms the decimals matter; above they are noise.
    return QLocale().toString(ms, 'f', ms < 10 ? 2 : ms < 100 ? 1 : 0);
}

QString redisText(const QJsonObject &redis)
{
    // Rich text, for the red of a lost connection: the address is escaped.
    const QString address = redis.value(u"address"_s).toString().toHtmlEscaped();
    return redis.value(u"connected"_s).toBool() ? SyncPanel::tr("%1, connected").arg(address)
                                                : u"<span style='color:#b71c1c'>"_s
            + SyncPanel::tr("%1, not connected").arg(address) + u"</span>"_s;
}

} // namespace

// --- SyncStreamsModel ---

void SyncStreamsModel::update(const QJsonArray &streams)
{
    QList<Row> rows;
    rows.reserve(streams.size());
    for (const QJsonValue &value : streams) {
        const QJsonObject stream = value.toObject();
        Row row;
        row.stream = stream.value(u"stream"_s).toString();
        row.lag = stream.value(u"lag"_s).toInteger(-1);
        row.latencyP50Ms = stream.value(u"latency_p50_ms"_s).toDouble();
        row.latencyP99Ms = stream.value(u"latency_p99_ms"_s).toDouble();
        row.rate = stream.value(u"rate"_s).toDouble();
        row.replicated = stream.value(u"replicated"_s).toInteger();
        row.readErrors = stream.value(u"read_errors"_s).toInteger();
        row.writeErrors = stream.value(u"write_errors"_s).toInteger();
        row.lastSync = statusTime(stream.value(u"last_sync"_s));
        row.consumers = stream.value(u"consumers"_s).toInt();
        row.pending = stream.value(u"group_pending"_s).toInteger(-1);
        rows.append(std::move(row));
    }

    bool sameStreams = rows.size() == m_rows.size();
    for (qsizetype i = 0; sameStreams && i < rows.size(); ++i)
        sameStreams = rows.at(i).stream == m_rows.at(i).stream;
    if (!sameStreams) {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
        return;
    }
    for (int i = 0; i < rows.size(); ++i) {
        if (rows.at(i) == m_rows.at(i))
            continue;
        m_rows[i] = rows.at(i);
        Q_EMIT dataChanged(index(i, 0), index(i, ColumnCount - 1));
    }
}

void SyncStreamsModel::clear()
{
    if (m_rows.isEmpty())
        return;
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int SyncStreamsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SyncStreamsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SyncStreamsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows.at(index.row());
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Stream:
            return row.stream;
        case Lag:
            return row.lag < 0 ? tr("unknown") : locale.toString(row.lag);
        case LatencyP50:
            return msText(row.latencyP50Ms);
        case LatencyP99:
            return msText(row.latencyP99Ms);
        case Rate:
            return locale.toString(row.rate, 'f', row.rate < 10 ? 1 : 0);
        case Replicated:
            return locale.toString(row.replicated);
        case ReadErrors:
            return locale.toString(row.readErrors);
        case WriteErrors:
            return locale.toString(row.writeErrors);
        case LastSync:
            return row.lastSync.isValid() ? statusTimeText(row.lastSync) : tr("never");
        case Consumers:
            return locale.toString(row.consumers);
        case Pending:
            return row.pending < 0 ? tr("unknown") : locale.toString(row.pending);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() != Stream)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if ((index.column() == ReadErrors && row.readErrors > 0)
            || (index.column() == WriteErrors && row.writeErrors > 0))
            return QBrush(QColor(0xb7, 0x1c, 0x1c));
        break;
    case Qt::ToolTipRole:
        if (index.column() == LastSync && row.lastSync.isValid())
            return row.lastSync.toLocalTime().toString(Qt::ISODateWithMs);
        if (index.column() == Stream)
            return row.stream;
        break;
    default:
        break;
    }
    return {};
}

QVariant SyncStreamsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Stream:
            return tr("Stream");
        case Lag:
            return tr("Lag");
        case LatencyP50:
            return tr("p50 ms");
        case LatencyP99:
            return tr("p99 ms");
        case Rate:
            return tr("Rate/s");
        case Replicated:
            return tr("Replicated");
        case ReadErrors:
            return tr("Read errors");
        case WriteErrors:
            return tr("Write errors");
        case LastSync:
            return tr("Last sync");
        case Consumers:
            return tr("Consumers");
        case Pending:
            return tr("Pending");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case Lag:
            return tr("Entries in the local stream not yet replicated to the remote");
        case LatencyP50:
        case LatencyP99:
            return tr("End-to-end latency, from the event's own time to the remote write "
                      "(median and 99th percentile)");
        case Rate:
            return tr("Entries replicated per second, last second");
        case Replicated:
            return tr("Entries this node confirmed on the remote since it started");
        case Consumers:
            return tr("Consumers in the group on the local stream");
        case Pending:
            return tr("Entries delivered to some consumer of the group and not yet acknowledged");
        default:
            break;
        }
    }
    return {};
}

// --- SyncPanel ---

SyncPanel::SyncPanel(NodeSource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_banner(new QLabel(this))
    , m_staleNote(new QLabel(this))
    , m_pages(new QStackedWidget(this))
    , m_placeholder(new QLabel(this))
    , m_streams(new SyncStreamsModel(this))
{
    m_banner->setObjectName(u"syncBanner"_s);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setStyleSheet(u"QLabel { background: #c62828; color: white; font-weight: bold; "
                            "padding: 6px; border-radius: 3px; }"_s);
    m_banner->hide();

    m_staleNote->setObjectName(u"syncStaleNote"_s);
    m_staleNote->setWordWrap(true);
    m_staleNote->setStyleSheet(
        u"QLabel { background: #fff3cd; color: #5c4400; padding: 4px; border-radius: 3px; }"_s);
    m_staleNote->hide();

    m_placeholder->setObjectName(u"syncPlaceholder"_s);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);

    m_lag.minimumTop = 10;
    createChart(m_lag, u"syncLagChart"_s,
                tr("Lag per stream (entries waiting), up to the last 10 minutes"), tr("entries"));
    m_latency.minimumTop = 1;
    createChart(m_latency, u"syncLatencyChart"_s,
                tr("End-to-end latency per stream (p50 solid, p99 dashed)"), tr("ms"));

    auto *charts = new QWidget(this);
    auto *chartsLayout = new QHBoxLayout(charts);
    chartsLayout->setContentsMargins(0, 0, 0, 0);
    chartsLayout->addWidget(m_lag.view, 1);
    chartsLayout->addWidget(m_latency.view, 1);

    auto *streamsBox = new QGroupBox(tr("Streams"), this);
    m_streamsTable = new QTableView(streamsBox);
    m_streamsTable->setObjectName(u"syncStreamsTable"_s);
    m_streamsTable->setModel(m_streams);
    m_streamsTable->verticalHeader()->hide();
    m_streamsTable->horizontalHeader()->setStretchLastSection(true);
    m_streamsTable->setWordWrap(false);
    m_streamsTable->setAlternatingRowColors(true);
    m_streamsTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *streamsLayout = new QVBoxLayout(streamsBox);
    streamsLayout->addWidget(m_streamsTable);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(charts);
    splitter->addWidget(streamsBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    // A node replicates a handful of streams: the charts get the room.
    splitter->setSizes({540, 180});

    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(createFigures());
    contentLayout->addWidget(splitter, 1);

    m_pages->addWidget(m_placeholder);
    m_pages->addWidget(content);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(m_staleNote);
    layout->addWidget(m_pages, 1);

    connect(m_source, &NodeSource::statusChanged, this, &SyncPanel::showStatus);
    connect(m_source, &NodeSource::reachabilityChanged, this, &SyncPanel::showReachability);
    showReachability();
    showStatus();
}

QLineSeries *SyncPanel::lagSeries(const QString &stream) const
{
    return m_lag.series.value(stream);
}

QLineSeries *SyncPanel::latencySeries(const QString &stream, bool p99) const
{
    return m_latency.series.value(stream + (p99 ? u"\np99"_s : u"\np50"_s));
}

QWidget *SyncPanel::createFigures()
{
    auto *box = new QGroupBox(tr("Engine"), this);
    auto *grid = new QGridLayout(box);
    const std::array<std::pair<QString, QString>, FigureCount> names {{
        {tr("Local Redis"), tr("Where the streams are read (XREADGROUP)")},
        {tr("Remote Redis"), tr("Where the entries are written (XADD)")},
        {tr("Group"), tr("The consumer group on the local streams")},
        {tr("Consumer"), tr("This node's consumer in the group")},
        {tr("Buffered"), tr("Entries read and not yet acknowledged")},
        {tr("Back-pressure"),
         tr("Reading pauses while the buffer is full: the remote is slower than the local "
            "streams")},
        {tr("Errors"), tr("Read and write errors since the node started")},
        {tr("Last sync"), tr("The last entry confirmed on the remote")},
    }};
    constexpr int columns = 4;
    for (int figure = 0; figure < FigureCount; ++figure) {
        auto *name = new QLabel(names[figure].first + u':', box);
        name->setToolTip(names[figure].second);
        auto *value = new QLabel(box);
        value->setToolTip(names[figure].second);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setTextFormat(figure <= RemoteRedis ? Qt::RichText : Qt::PlainText);
        const int row = figure / columns;
        const int column = (figure % columns) * 2;
        grid->addWidget(name, row, column);
        grid->addWidget(value, row, column + 1);
        grid->setColumnStretch(column + 1, 1);
        m_figures[figure] = value;
    }
    return box;
}

void SyncPanel::createChart(TimeChart &chart, const QString &objectName, const QString &title,
                            const QString &unit)
{
    // QChart is a QGraphicsWidget (no QObject parent to give it): the view owns it.
    chart.chart = new QChart;
    chart.chart->setTitle(title);
    chart.chart->legend()->setAlignment(Qt::AlignBottom);
    chart.chart->setMargins(QMargins(4, 4, 4, 4));
    // Points arrive once a second: an animation would never finish.
    chart.chart->setAnimationOptions(QChart::NoAnimation);

    chart.timeAxis = new QDateTimeAxis(chart.chart);
    chart.timeAxis->setFormat(u"HH:mm:ss"_s);
    chart.timeAxis->setTickCount(6);
    const QDateTime now = QDateTime::currentDateTime();
    chart.timeAxis->setRange(now.addMSecs(-minimumSpanMs), now);
    chart.chart->addAxis(chart.timeAxis, Qt::AlignBottom);

    chart.valueAxis = new QValueAxis(chart.chart);
    chart.valueAxis->setTitleText(unit);
    chart.valueAxis->setLabelFormat(u"%g"_s);
    chart.valueAxis->setTickType(QValueAxis::TicksDynamic);
    chart.valueAxis->setTickAnchor(0);
    chart.valueAxis->setRange(0, chart.minimumTop);
    chart.valueAxis->setTickInterval(chart.minimumTop / 5);
    chart.chart->addAxis(chart.valueAxis, Qt::AlignLeft);

    chart.view = new QChartView(chart.chart, this);
    chart.view->setObjectName(objectName);
    chart.view->setRenderHint(QPainter::Antialiasing);
    chart.view->setMinimumSize(320, 220);
}

QLineSeries *SyncPanel::addSeries(TimeChart &chart, const QString &key, const QString &stream,
                                  const QString &name, Qt::PenStyle style)
{
    auto *series = new QLineSeries(chart.chart);
    series->setName(name);
    chart.chart->addSeries(series);
    series->attachAxis(chart.timeAxis);
    series->attachAxis(chart.valueAxis);
    QPen pen = series->pen();
    pen.setColor(streamColour(stream));
    pen.setStyle(style);
    pen.setWidthF(style == Qt::SolidLine ? 2.0 : 1.5);
    series->setPen(pen);
    chart.series.insert(key, series);
    return series;
}

QColor SyncPanel::streamColour(const QString &stream)
{
    // A stream keeps its colour in both charts and for as long as the panel lives. No red: red
    // means unhealthy in this console.
    static constexpr std::array<QRgb, 8> palette {0x1f77b4, 0xff7f0e, 0x2ca02c, 0x9467bd,
                                                  0x17becf, 0x8c564b, 0xe377c2, 0x7f7f7f};
    auto it = m_streamColours.constFind(stream);
    if (it == m_streamColours.cend())
        it = m_streamColours.insert(
            stream, QColor(palette[size_t(m_streamColours.size()) % palette.size()]));
    return it.value();
}

void SyncPanel::expireAndScale(TimeChart &chart, qint64 nowMs)
{
    // Points older than the window leave from the front; a stream no longer reported leaves
    // with its last point.
    const double oldest = double(nowMs - chartWindowMs);
    double peak = 0;
    double firstPoint = double(nowMs);
    for (auto it = chart.series.begin(); it != chart.series.end();) {
        QLineSeries *series = it.value();
        int expired = 0;
        while (expired < series->count() && series->at(expired).x() < oldest)
            ++expired;
        if (expired > 0)
            series->removePoints(0, expired);
        if (series->count() == 0) {
            chart.chart->removeSeries(series);
            delete series;
            it = chart.series.erase(it);
            continue;
        }
        firstPoint = qMin(firstPoint, series->at(0).x());
        for (int point = 0; point < series->count(); ++point)
            peak = qMax(peak, series->at(point).y());
        ++it;
    }
    // The axis spans the points there are, from a minute up to the whole window: a console
    // opened a moment ago shows its first minute as a line, not as a sliver at the right edge.
    const qint64 span = qBound(minimumSpanMs, nowMs - qint64(firstPoint), chartWindowMs);
    const QString format = span <= 5 * 60 * 1000 ? u"HH:mm:ss"_s : u"HH:mm"_s;
    if (chart.timeAxis->format() != format)
        chart.timeAxis->setFormat(format);
    chart.timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(nowMs - span),
                             QDateTime::fromMSecsSinceEpoch(nowMs));
    setNiceRange(chart.valueAxis, peak, chart.minimumTop);
}

void SyncPanel::showStatus()
{
    const QJsonObject &status = m_source->status();
    const QJsonObject engines = status.value(u"engines"_s).toObject();
    if (!engines.contains(u"sync"_s)) {
        m_placeholder->setText(status.isEmpty() ? tr("Waiting for the node's first status…")
                                                : tr("Sync engine not running on this node."));
        m_pages->setCurrentWidget(m_placeholder);
        m_banner->hide();
        m_streams->clear();
        return;
    }
    m_pages->setCurrentIndex(1);

    const QJsonObject sync = engines.value(u"sync"_s).toObject();
    const QJsonArray streams = sync.value(u"streams"_s).toArray();
    showHealth();
    showFigures(sync);
    m_streams->update(streams);
    if (!m_columnsSized && m_streams->rowCount() > 0) {
        // Sized once, when the first rows arrive: sizing on every update would move columns
        // under the operator's mouse. Counters get room to grow.
        m_streamsTable->resizeColumnsToContents();
        const int roomy =
            m_streamsTable->fontMetrics().horizontalAdvance(QLocale().toString(99999999)) + 16;
        for (const int column :
             {SyncStreamsModel::Lag, SyncStreamsModel::Replicated, SyncStreamsModel::Pending})
            m_streamsTable->setColumnWidth(column,
                                           qMax(m_streamsTable->columnWidth(column), roomy));
        m_columnsSized = true;
    }

    const qint64 timeMs = m_source->statusTime().toMSecsSinceEpoch();
    if (timeMs - m_lastPointMs >= pointIntervalMs) {
        m_lastPointMs = timeMs;
        plot(streams, timeMs);
    }
}

void SyncPanel::showReachability()
{
    if (m_source->reachability() != NodeSource::Reachability::Unreachable) {
        m_staleNote->hide();
        return;
    }
    const QString since = statusTimeText(m_source->unreachableSince());
    m_staleNote->setText(
        m_source->status().isEmpty()
            ? tr("%1 does not answer (%3) since %2.")
                  .arg(m_source->displayName(), since, m_source->unreachableReason())
            : tr("%1 has not answered since %2 (%3). The figures below are its last status.")
                  .arg(m_source->displayName(), since, m_source->unreachableReason()));
    m_staleNote->show();
}

void SyncPanel::showHealth()
{
    const EngineCondition health = engineCondition(*m_source, u"sync");
    if (health == m_shownHealth)
        return;
    m_shownHealth = health;
    if (health.state != EngineState::Unhealthy) {
        m_banner->hide();
        return;
    }
    m_banner->setText(tr("Sync is unhealthy: %1").arg(health.reason));
    m_banner->show();
}

void SyncPanel::showFigures(const QJsonObject &sync)
{
    const QLocale locale;
    m_figures[LocalRedis]->setText(redisText(sync.value(u"local"_s).toObject()));
    m_figures[RemoteRedis]->setText(redisText(sync.value(u"remote"_s).toObject()));
    m_figures[Group]->setText(sync.value(u"group"_s).toString());
    m_figures[Consumer]->setText(sync.value(u"consumer"_s).toString());
    m_figures[Buffered]->setText(
        tr("%Ln entries (%1)", nullptr, int(sync.value(u"queue_size"_s).toInteger()))
            .arg(bytesText(sync.value(u"buffered_bytes"_s).toInteger())));
    m_figures[BackPressure]->setText(
        sync.value(u"back_pressure"_s).toBool() ? tr("yes: reading paused") : tr("no"));
    m_figures[Errors]->setText(locale.toString(sync.value(u"errors"_s).toInteger()));
    const QDateTime lastSync = statusTime(sync.value(u"last_sync"_s));
    m_figures[LastSync]->setText(lastSync.isValid() ? statusTimeText(lastSync) : tr("never"));
}

void SyncPanel::plot(const QJsonArray &streams, qint64 timeMs)
{
    QStringList names;
    for (const QJsonValue &value : streams)
        names.append(value.toObject().value(u"stream"_s).toString());
    // "freeswitch:telephony:events" is "events" in a legend, unless two streams end alike.
    const auto legendName = [&names](const QString &stream) {
        const QString last = stream.section(u':', -1);
        const auto sameEnd = [&](const QString &other) {
            return other != stream && other.section(u':', -1) == last;
        };
        return std::any_of(names.cbegin(), names.cend(), sameEnd) ? stream : last;
    };

    for (const QJsonValue &value : streams) {
        const QJsonObject stream = value.toObject();
        const QString name = stream.value(u"stream"_s).toString();
        const qint64 lag = stream.value(u"lag"_s).toInteger(-1);
        if (lag >= 0) {
            QLineSeries *series = m_lag.series.value(name);
            if (!series)
                series = addSeries(m_lag, name, name, legendName(name), Qt::SolidLine);
            series->append(double(timeMs), double(lag));
        }
        const QJsonValue p50 = stream.value(u"latency_p50_ms"_s);
        const QJsonValue p99 = stream.value(u"latency_p99_ms"_s);
        // 0 is what a stream reports before its first entry was replicated: no latency yet,
        // rather than an instant one.
        if (p50.isDouble() && p99.isDouble() && p99.toDouble() > 0) {
            const QString p50Key = name + u"\np50"_s;
            const QString p99Key = name + u"\np99"_s;
            QLineSeries *p50Series = m_latency.series.value(p50Key);
            if (!p50Series)
                p50Series = addSeries(m_latency, p50Key, name, legendName(name), Qt::SolidLine);
            QLineSeries *p99Series = m_latency.series.value(p99Key);
            if (!p99Series)
                p99Series =
                    addSeries(m_latency, p99Key, name, legendName(name) + u" p99"_s, Qt::DashLine);
            if (p99Series->count() == 0) {
                // One legend entry per stream: the title says which line is which.
                for (QLegendMarker *marker : m_latency.chart->legend()->markers(p99Series))
                    marker->setVisible(false);
            }
            p50Series->append(double(timeMs), p50.toDouble());
            p99Series->append(double(timeMs), p99.toDouble());
        }
    }
    expireAndScale(m_lag, timeMs);
    expireAndScale(m_latency, timeMs);
}

} // namespace Switchboard
