#pragma once

// The polling engine of one node: the long polls it holds, publishes per second and how fast a
// publish reaches a held poll (wake latency), over time; its Redis and refusals as figures.

#include "enginepanel.h"

#include <array>

QT_BEGIN_NAMESPACE
class QJsonObject;
class QLabel;
QT_END_NAMESPACE

namespace Switchboard {

class NodeSource;
class TimeChart;

class PollingPanel : public EnginePanel
{
    Q_OBJECT

public:
    explicit PollingPanel(NodeSource *source, QWidget *parent = nullptr);

    TimeChart *activityChart() const { return m_activity; }
    TimeChart *wakeChart() const { return m_wake; }

protected:
    void showEvent(QShowEvent *event) override;

private:
    enum Figure {
        Redis,
        HeldPolls,
        PublishesPerSecond,
        Wakes,
        Reads,
        AuthFailures,
        ClientsGone,
        HistoryLost,
        FigureCount
    };

    QWidget *createFigures();
    void showStatus();
    void plot(const QJsonObject &polling, qint64 timeMs);
    void showFigures(const QJsonObject &polling);

    std::array<QLabel *, FigureCount> m_figures {};
    TimeChart *m_activity;
    TimeChart *m_wake;
    bool m_figuresBehind = false;
};

} // namespace Switchboard
