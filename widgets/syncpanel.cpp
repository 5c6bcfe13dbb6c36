#include "syncpanel.h"

#include "figuresbox.h"
#include "nodesource.h"
#include "timechart.h"

#include <QBrush>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

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
    QList<SyncStreamRow> rows;
    rows.reserve(streams.size());
    for (const QJsonValue &value : streams) {
        const QJsonObject stream = value.toObject();
        SyncStreamRow row;
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
        row.deletedUnread = stream.value(u"deleted_before_read"_s).toInteger(-1);
        rows.append(std::move(row));
    }
    replaceRows(std::move(rows), [](const SyncStreamRow &a, const SyncStreamRow &b) {
        return a.stream == b.stream;
    });
}

QVariant SyncStreamsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const SyncStreamRow &row = m_rows.at(index.row());
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
            return row.rate < 0 ? tr("unknown")
                                : locale.toString(row.rate, 'f', row.rate < 10 ? 1 : 0);
        case Replicated:
            return locale.toString(row.replicated);
        case ReadErrors:
            return locale.toString(row.readErrors);
        case WriteErrors:
            return locale.toString(row.writeErrors);
        case LastSync:
            return row.lastSync.isValid() ? statusTimeText(row.lastSync) : tr("never");
        case Consumers:
            return row.consumers < 0 ? tr("unknown") : locale.toString(row.consumers);
        case Pending:
            return row.pending < 0 ? tr("unknown") : locale.toString(row.pending);
        case DeletedUnread:
            return row.deletedUnread < 0 ? tr("unknown") : locale.toString(row.deletedUnread);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() != Stream)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if ((index.column() == ReadErrors && row.readErrors > 0)
            || (index.column() == WriteErrors && row.writeErrors > 0)
            || (index.column() == DeletedUnread && row.deletedUnread > 0))
            return QBrush(QColor(0xb7, 0x1c, 0x1c));
        break;
    case Qt::ToolTipRole:
        if (index.column() == LastSync && row.lastSync.isValid())
            return row.lastSync.toLocalTime().toString(Qt::ISODateWithMs);
        if (index.column() == Stream)
            return row.stream;
        break;
    case SortRole:
        switch (index.column()) {
        case Stream:
            return row.stream;
        case Lag:
            return row.lag < 0 ? QVariant() : QVariant(row.lag);
        case LatencyP50:
            return row.latencyP50Ms;
        case LatencyP99:
            return row.latencyP99Ms;
        case Rate:
            return row.rate < 0 ? QVariant() : QVariant(row.rate);
        case Replicated:
            return row.replicated;
        case ReadErrors:
            return row.readErrors;
        case WriteErrors:
            return row.writeErrors;
        case LastSync:
            return row.lastSync.isValid() ? QVariant(row.lastSync) : QVariant();
        case Consumers:
            return row.consumers < 0 ? QVariant() : QVariant(row.consumers);
        case Pending:
            return row.pending < 0 ? QVariant() : QVariant(row.pending);
        case DeletedUnread:
            return row.deletedUnread < 0 ? QVariant() : QVariant(row.deletedUnread);
        }
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
    // A figure's first click puts the highest first: the stream furthest behind.
    if (role == Qt::InitialSortOrderRole)
        return section == Stream ? QVariant() : QVariant(int(Qt::DescendingOrder));
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
        case DeletedUnread:
            return tr("Lost unread");
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
        case DeletedUnread:
            return tr("Entries trimmed from the local stream (a producer's MAXLEN or MINID) "
                      "before the group read them: they are not on the remote. Unknown before "
                      "Redis 7");
        default:
            break;
        }
    }
    return {};
}

// --- SyncPanel ---

SyncPanel::SyncPanel(NodeSource *source, QWidget *parent)
    : EnginePanel(source, u"sync"_s,
                  {.waiting = tr("Waiting for the node's first status…"),
                   .notRunning = tr("Sync engine not running on this node."),
                   .unhealthy = tr("Sync is unhealthy: %1")},
                  parent)
    , m_streams(new SyncStreamsModel(this))
{
    m_lag = new TimeChart({.title = tr("Lag per stream (entries waiting), up to the last 10 "
                                       "minutes"),
                           .unit = tr("entries"),
                           .minimumTop = 10},
                          this);
    m_lag->setObjectName(u"syncLagChart"_s);
    m_latency = new TimeChart({.title = tr("End-to-end latency per stream (p50 solid, p99 dashed)"),
                               .unit = tr("ms"),
                               .minimumTop = 1},
                              this);
    m_latency->setObjectName(u"syncLatencyChart"_s);

    QWidget *charts = sideBySide(m_lag, m_latency);

    auto *streamsBox = new QGroupBox(tr("Streams"), this);
    m_streamsTable = createSortableTable(u"syncStreamsTable"_s, m_streams, streamsBox);
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
    setContent(content);

    connect(m_source, &NodeSource::statusChanged, this, &SyncPanel::showStatus);
    connect(m_source, &NodeSource::reachabilityChanged, this, &SyncPanel::showReachability);
    showReachability();
    showStatus();
}

QLineSeries *SyncPanel::lagSeries(const QString &stream) const
{
    return m_lag->series(stream);
}

QLineSeries *SyncPanel::latencySeries(const QString &stream, bool p99) const
{
    return m_latency->series(stream + (p99 ? u"\np99"_s : u"\np50"_s));
}

QWidget *SyncPanel::createFigures()
{
    auto *box = new FiguresBox(
        tr("Engine"),
        {
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
        },
        // Two to a line, as on the Timeouts tab: Redis addresses and consumer names are host
        // names, long words that do not wrap.
        2, this);
    m_figures = box->values();
    // The Redis figures show a lost connection in red.
    for (int figure = 0; figure < m_figures.size(); ++figure)
        m_figures[figure]->setTextFormat(figure <= RemoteRedis ? Qt::RichText : Qt::PlainText);
    return box;
}

QPen SyncPanel::streamPen(const QString &stream, Qt::PenStyle style)
{
    // A stream keeps its colour in both charts and for as long as the panel lives.
    auto it = m_streamColours.constFind(stream);
    if (it == m_streamColours.cend())
        it = m_streamColours.insert(stream, TimeChart::paletteColour(m_streamColours.size()));
    QPen pen(it.value());
    pen.setStyle(style);
    pen.setWidthF(1.0);
    return pen;
}

void SyncPanel::showStatus()
{
    const std::optional<QJsonObject> sync = showEngineStatus();
    if (!sync) {
        m_streams->clear();
        return;
    }
    QJsonArray streams = sync->value(u"streams"_s).toArray();
    // What the node reads from the local Redis (each stream's lag, its group's pending entries
    // and consumers, the entries lost unread, and the rate counted at the same reading) keeps
    // its last value while that Redis is not connected: a lag of 0 and 18 entries/s, plotted
    // and shown as current while nothing could be read. Unknown, until it is read again.
    if (!sync->value(u"local"_s).toObject().value(u"connected"_s).toBool(true)) {
        for (QJsonValueRef value : streams) {
            QJsonObject stream = value.toObject();
            for (const QString &key : {u"lag"_s, u"group_pending"_s, u"deleted_before_read"_s,
                                       u"consumers"_s, u"rate"_s})
                stream.insert(key, -1);
            value = stream;
        }
    }
    if (const std::optional<qint64> timeMs = pointDue())
        plot(streams, *timeMs);
    // A console watching several nodes shows one: the others' tables wait until shown.
    m_tableBehind = !isVisible();
    if (m_tableBehind)
        return;
    showFigures(*sync);
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
}

void SyncPanel::showEvent(QShowEvent *event)
{
    if (m_tableBehind)
        showStatus();
    QWidget::showEvent(event);
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
            if (!m_lag->hasLine(name))
                m_lag->addLine(name, legendName(name), streamPen(name, Qt::SolidLine));
            m_lag->append(name, timeMs, double(lag));
        }
        const QJsonValue p50 = stream.value(u"latency_p50_ms"_s);
        const QJsonValue p99 = stream.value(u"latency_p99_ms"_s);
        // 0 is what a stream reports before its first entry was replicated: no latency yet,
        // rather than an instant one.
        if (p50.isDouble() && p99.isDouble() && p99.toDouble() > 0) {
            const QString p50Key = name + u"\np50"_s;
            const QString p99Key = name + u"\np99"_s;
            if (!m_latency->hasLine(p50Key)) {
                m_latency->addLine(p50Key, legendName(name), streamPen(name, Qt::SolidLine));
                // One legend entry per stream: the title says which line is which.
                m_latency->addLine(p99Key, legendName(name) + u" p99"_s,
                                   streamPen(name, Qt::DashLine), false);
            }
            m_latency->append(p50Key, timeMs, p50.toDouble());
            m_latency->append(p99Key, timeMs, p99.toDouble());
        }
    }
    m_lag->advance(timeMs);
    m_latency->advance(timeMs);
}

} // namespace Switchboard
