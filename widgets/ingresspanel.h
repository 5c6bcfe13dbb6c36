#pragma once

// The ingress engine of one node: forward failures per domain and per endpoint, the engine's
// figures, and the dead letters with Replay / Delete. Fed by the node's status document
// (a few times a second) and, for dead letters, by its REST API.

#include "enginepanel.h"
#include "ingressmodels.h"

#include <QSet>
#include <QTimer>
#include <functional>

QT_BEGIN_NAMESPACE
class QAbstractItemModel;
class QJsonObject;
class QLabel;
class QPushButton;
class QTableView;
QT_END_NAMESPACE

namespace Switchboard {

class DeadLetterView;
class NodeSource;
class TimeChart;

class IngressPanel : public EnginePanel
{
    Q_OBJECT

public:
    explicit IngressPanel(NodeSource *source, QWidget *parent = nullptr);

    QAbstractItemModel *deadLettersModel() const;

protected:
    void showEvent(QShowEvent *event) override;

private:
    enum Figure {
        Received,
        Published,
        Rejected,
        Redeliveries,
        DeadLetters,
        EventsPerSecond,
        ForwardLatency,
        ConsumerPending,
        InFlight,
        Nats,
    };

    QWidget *createFigures();
    QWidget *createChart();
    QWidget *createDeadLetters();

    void showStatus();
    void showReachability() override;
    void showFigures(const QJsonObject &ingress);
    // The figures and the endpoints table: only while on screen.
    void showDetails(const QJsonObject &ingress);
    void plotFailures(const QJsonObject &ingress);
    void appendFailureRates(const ForwardFailureRates::Rates &rates, qint64 timeMs);

    void refreshDeadLetters();
    void loadOlderDeadLetters();
    void showDeadLetterCount();
    void showSelectedDeadLetter();
    // The selected dead letter's detail again, when loading it failed ("Could not load…").
    void reloadFailedDeadLetter();
    quint64 selectedDeadLetter() const;
    void replaySelected();
    void deleteSelected();
    void deleteDeadLetter(quint64 id);
    // Replay and Delete: one at a time; a dead letter gone meanwhile leaves the table either way.
    // `done` says what a 2xx answer means; `failed` is "…%1 failed: %2" (the id, the reason).
    void actOnDeadLetter(quint64 id, const QByteArray &method, const QString &path,
                         const QString &progress,
                         const std::function<QString(const QJsonObject &body)> &done,
                         const QString &failed);
    // A replayed or deleted dead letter leaves the table; the row below it takes the selection.
    void dropDeadLetter(quint64 id);
    void updateButtons();
    void showOutcome(const QString &text, bool error);
    QString failureText(int status, const QJsonObject &body) const;

    bool m_engineRunning = false;
    QList<QLabel *> m_figures; // by Figure

    TimeChart *m_failuresChart = nullptr; // a line per domain
    int m_domainsPlotted = 0; // the next line's colour
    ForwardFailureRates m_failureRates;

    IngressEndpointsModel *m_endpoints;
    QTableView *m_endpointsTable = nullptr;
    bool m_endpointColumnsSized = false;
    // Statuses that came while the panel was off screen: the chart and the dead letters kept
    // up, the figures and the endpoints table are brought up to date when it is shown.
    bool m_tableBehind = false;

    DeadLettersModel *m_deadLetters;
    QTableView *m_deadLettersTable = nullptr;
    bool m_deadLetterColumnsSized = false;
    DeadLetterView *m_deadLetterView = nullptr;
    QLabel *m_deadLetterCount = nullptr;
    QLabel *m_statusLabel = nullptr;
    QPushButton *m_refreshButton = nullptr;
    QPushButton *m_olderButton = nullptr;
    QPushButton *m_replayButton = nullptr;
    QPushButton *m_deleteButton = nullptr;

    // The node's dead-letter counters and newest id: when they move, the list is fetched again.
    QString m_deadLetterMark;
    bool m_listInFlight = false;
    bool m_listAgain = false; // a refresh was asked for while one was in flight or paused
    QTimer m_listPause; // after a listing, before the next
    bool m_olderInFlight = false;
    qint64 m_deadLetterTotal = -1; // -1: not listed yet
    quint64 m_nextBefore = 0; // 0: no older page
    quint64 m_shownDeadLetter = 0; // whose detail is shown or being fetched
    bool m_deadLetterDetailFailed = false; // the view says why it could not be loaded
    quint64 m_actionTarget = 0; // being replayed or deleted
    // Dead letters whose replay or delete got no answer: the node may have done it all the same.
    QSet<quint64> m_unanswered;
    bool m_statusIsListError = false; // the status label holds a listing error, cleared on success
    bool m_refreshRequested = false; // the operator pressed Refresh: report the answer
};

} // namespace Switchboard
