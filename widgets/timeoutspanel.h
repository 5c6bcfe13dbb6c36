#pragma once

// The timeouts engine as one node sees it: who leads the cluster (and each change of leader as
// it happens), the conversations waiting for a customer and the notifications raised per level
// over time, what falls due in the next half hour, the longest waits, and the engine's figures;
// a red banner with the engine's reason when it is unhealthy. Fed by the node's status document
// only (engines.timeouts).

#include "enginepanel.h"
#include "rowtablemodel.h"

QT_BEGIN_NAMESPACE
class QBarSet;
class QChartView;
class QJsonArray;
class QJsonObject;
class QLabel;
class QListWidget;
class QTableView;
class QValueAxis;
QT_END_NAMESPACE

namespace Switchboard {

class NodeSource;
class TimeChart;

// One conversation waiting for a customer's reply.
struct LongestWaitingRow
{
    QString id;
    QString agent;
    qint64 waitingSinceMs = 0;
    int level = 0; // the last level notified, 0 for none yet
    int nextLevel = 1;
    qint64 nextDueMs = 0;

    bool operator==(const LongestWaitingRow &) const = default;
};

// engines.timeouts.longest_waiting[]: the ten conversations waiting longest, longest first.
// Rows that stay are changed in place and rows that leave are removed one by one, so that the
// table keeps its selection and scroll position while conversations come and go.
class LongestWaitingModel : public RowTableModel<LongestWaitingRow>
{
    Q_OBJECT

public:
    enum Column { Conversation, Agent, WaitingSince, Level, NextLevel, DueAt, ColumnCount };

    explicit LongestWaitingModel(QObject *parent = nullptr)
        : RowTableModel(ColumnCount, parent)
    {
    }

    // `nowMs`: the console's clock when the status arrived, for "in 12 s" and "overdue 3 s".
    void update(const QJsonArray &longest, qint64 nowMs);

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    qint64 m_nowMs = 0;
};

class TimeoutsPanel : public EnginePanel
{
    Q_OBJECT

public:
    // The leader changes kept in the panel's list, newest first.
    static constexpr int maxLeaderChanges = 20;
    static constexpr int forecastMinutes = 30;

    explicit TimeoutsPanel(NodeSource *source, QWidget *parent = nullptr);

    // Waiting conversations ("waiting") and levels overdue ("overdue"), over time.
    TimeChart *waitingChart() const { return m_waiting; }
    // Notifications per minute, cluster-wide, one line per level ("1", "2", "3").
    TimeChart *perMinuteChart() const { return m_perMinute; }
    QBarSet *forecastBars() const { return m_forecast; }
    QAbstractTableModel *longestWaitingModel() const { return m_longest; }
    // The leader changes seen, newest first, as the list shows them.
    QStringList leaderChanges() const;

Q_SIGNALS:
    // A leader change, the cluster left without one, a leader again: for the node's log (and,
    // when a problem, the status bar and the tray).
    void alertRaised(const Switchboard::ConsoleAlert &alert);

protected:
    void showEvent(QShowEvent *event) override;

private:
    enum Figure {
        Redis,
        ThisNode,
        Waiting,
        Overdue,
        Intervals,
        Checks,
        Notified,
        SentHere,
        LeaderChangesSeen,
        Webhook,
        WebhookError,
        Api,
        DataLost,
    };

    // Who leads, by the Redis of this node: pod and epoch name one leadership.
    struct Leadership
    {
        QString pod; // empty: no leader
        qint64 epoch = 0;
        qint64 sinceMs = 0;

        bool isNull() const { return pod.isEmpty(); }
        bool sameAs(const Leadership &other) const
        {
            return pod == other.pod && epoch == other.epoch;
        }
    };

    QWidget *createLeaderBox();
    QWidget *createFigures();
    QWidget *createForecast();

    void showStatus();
    void followLeader(const QJsonObject &timeouts);
    void addLeaderChange(const QString &line);
    void plot(const QJsonObject &timeouts, qint64 timeMs);
    void showLeader(const QJsonObject &timeouts);
    void showFigures(const QJsonObject &timeouts);
    void showForecast(const QJsonArray &forecast);
    void showTable(const QJsonObject &timeouts);

    QLabel *m_leader;
    QListWidget *m_leaderChanges;
    QList<QLabel *> m_figures; // by Figure
    TimeChart *m_waiting;
    TimeChart *m_perMinute;
    QChartView *m_forecastView = nullptr;
    QBarSet *m_forecast = nullptr;
    QValueAxis *m_forecastAxis = nullptr;
    LongestWaitingModel *m_longest;
    QTableView *m_longestTable = nullptr;
    // The last leadership seen, and whether any status has been seen at all: the first one
    // only sets it (a console opened on a running cluster has seen no change yet).
    Leadership m_leadership;
    bool m_leadershipKnown = false;
    // The last leader there was, for "podA → podB" after a time with none.
    Leadership m_lastLeader;
    QString m_shownLeader;
    bool m_noLeaderChangeYet = true; // the list holds a grey "none yet"
    bool m_columnsSized = false;
    // Statuses that came while the panel was off screen: its charts and the leader changes kept
    // up, the figures, the forecast and the table are brought up to date when it is shown.
    bool m_behind = false;
};

} // namespace Switchboard
