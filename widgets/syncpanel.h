#pragma once

// The sync engine of one node: per stream, the lag (entries waiting) and the end-to-end latency
// over the last 10 minutes, and a table of the streams' figures; a red banner with the engine's
// reason when it is unhealthy. Fed by the node's status document only.

#include "enginepanel.h"
#include "rowtablemodel.h"

#include <QColor>
#include <QDateTime>
#include <QHash>
#include <QPen>

QT_BEGIN_NAMESPACE
class QJsonArray;
class QJsonObject;
class QLabel;
class QLineSeries;
class QTableView;
QT_END_NAMESPACE

namespace Switchboard {

class NodeSource;
class TimeChart;

// One replicated stream: engines.sync.streams[].
struct SyncStreamRow
{
    QString stream;
    qint64 lag = -1; // -1: unknown (the local Redis does not answer)
    double latencyP50Ms = 0;
    double latencyP99Ms = 0;
    double rate = 0; // entries replicated per second; -1: unknown
    qint64 replicated = 0;
    qint64 readErrors = 0;
    qint64 writeErrors = 0;
    QDateTime lastSync;
    int consumers = 0; // -1: unknown
    qint64 pending = -1; // -1: unknown
    qint64 deletedUnread = -1; // removed from the local stream before read; -1: unknown

    bool operator==(const SyncStreamRow &) const = default;
};

// One row per replicated stream. Rows change in place while the streams stay the same, so that
// the table keeps its selection and scroll position.
class SyncStreamsModel : public RowTableModel<SyncStreamRow>
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
        DeletedUnread,
        ColumnCount
    };

    explicit SyncStreamsModel(QObject *parent = nullptr)
        : RowTableModel(ColumnCount, parent)
    {
    }

    void update(const QJsonArray &streams);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
};

class SyncPanel : public EnginePanel
{
    Q_OBJECT

public:
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
    };

    QWidget *createFigures();
    QPen streamPen(const QString &stream, Qt::PenStyle style);

    void showStatus();
    void showFigures(const QJsonObject &sync);
    void plot(const QJsonArray &streams, qint64 timeMs);

    QList<QLabel *> m_figures; // by Figure
    TimeChart *m_lag;
    TimeChart *m_latency;
    QHash<QString, QColor> m_streamColours;
    SyncStreamsModel *m_streams;
    QTableView *m_streamsTable = nullptr;
    bool m_columnsSized = false;
    // Statuses that came while the panel was off screen: its charts kept their history, the
    // figures and the table are brought up to date when it is shown.
    bool m_tableBehind = false;
};

} // namespace Switchboard
