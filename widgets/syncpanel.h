#pragma once

// The sync engine of one node: per stream, the lag (entries waiting) and the end-to-end latency
// over the last 10 minutes, and a table of the streams' figures; a red banner with the engine's
// reason when it is unhealthy. Fed by the node's status document only.

#include "nodesmodel.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QPen>
#include <QWidget>
#include <array>

QT_BEGIN_NAMESPACE
class QJsonArray;
class QJsonObject;
class QLabel;
class QLineSeries;
class QStackedWidget;
class QTableView;
QT_END_NAMESPACE

namespace Switchboard {

class NodeSource;
class TimeChart;

// One row per replicated stream: engines.sync.streams[]. Rows change in place while the
// streams stay the same, so that the table keeps its selection and scroll position.
class SyncStreamsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        Stream,
        Lag,
        LatencyP50,
        LatencyP99,
        Rate,
        Replicated,
        ReadErrors,
        WriteErrors,
        LastSync,
        Consumers,
        Pending,
        ColumnCount
    };

    using QAbstractTableModel::QAbstractTableModel;

    void update(const QJsonArray &streams);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString stream;
        qint64 lag = -1; // -1: unknown (the local Redis does not answer)
        double latencyP50Ms = 0;
        double latencyP99Ms = 0;
        double rate = 0;
        qint64 replicated = 0;
        qint64 readErrors = 0;
        qint64 writeErrors = 0;
        QDateTime lastSync;
        int consumers = 0;
        qint64 pending = -1; // -1: unknown

        bool operator==(const Row &) const = default;
    };

    QList<Row> m_rows;
};

class SyncPanel : public QWidget
{
    Q_OBJECT

public:
    // Ten minutes of points, one a second at most.
    static constexpr qint64 chartWindowMs = 10 * 60 * 1000;
    static constexpr qint64 pointIntervalMs = 1000;
    static constexpr qint64 minimumSpanMs = 60 * 1000; // the time axis never shows less

    explicit SyncPanel(NodeSource *source, QWidget *parent = nullptr);

    QAbstractTableModel *streamsModel() const { return m_streams; }
    // The lag series of a stream, and its latency series (p50, p99); null when not plotted.
    QLineSeries *lagSeries(const QString &stream) const;
    QLineSeries *latencySeries(const QString &stream, bool p99) const;

protected:
    void showEvent(QShowEvent *event) override;

private:
    enum Figure {
        LocalRedis,
        RemoteRedis,
        Group,
        Consumer,
        Buffered,
        BackPressure,
        Errors,
        LastSync,
        FigureCount
    };

    QWidget *createFigures();
    QPen streamPen(const QString &stream, Qt::PenStyle style);

    void showStatus();
    void showReachability();
    void showHealth();
    void showFigures(const QJsonObject &sync);
    void plot(const QJsonArray &streams, qint64 timeMs);

    NodeSource *m_source;
    QLabel *m_banner;
    QLabel *m_staleNote;
    QStackedWidget *m_pages;
    QLabel *m_placeholder;
    std::array<QLabel *, FigureCount> m_figures {};
    TimeChart *m_lag;
    TimeChart *m_latency;
    qint64 m_lastPointMs = 0;
    QHash<QString, QColor> m_streamColours;
    SyncStreamsModel *m_streams;
    QTableView *m_streamsTable = nullptr;
    bool m_columnsSized = false;
    // Statuses that came while the panel was off screen: its charts kept their history, the
    // figures and the table are brought up to date when it is shown.
    bool m_tableBehind = false;
    EngineCondition m_shownHealth;
};

} // namespace Switchboard
