#pragma once

// Everything the console shows of one node: a header (name, address, version, whether it
// answers) and a tab per engine plus its log. Each tab's icon is the engine's dot.

#include "nodesmodel.h"

#include <QWidget>
#include <array>

QT_BEGIN_NAMESPACE
class QLabel;
class QPushButton;
class QTabWidget;
QT_END_NAMESPACE

namespace Switchboard {

class IngressPanel;
class LogPanel;
class PollingPanel;
class NodeSource;
class SyncPanel;

class NodeView : public QWidget
{
    Q_OBJECT

public:
    explicit NodeView(NodeSource *source, QWidget *parent = nullptr);

    NodeSource *source() const { return m_source; }
    QTabWidget *tabs() const { return m_tabs; }
    SyncPanel *syncPanel() const { return m_sync; }
    IngressPanel *ingressPanel() const { return m_ingress; }
    PollingPanel *pollingPanel() const { return m_polling; }
    LogPanel *logPanel() const { return m_log; }

    // Brings an engine's tab ("sync"...) to the front.
    void showEngine(QStringView engine);
    void showLog();

Q_SIGNALS:
    // An alert a panel raised about this node (a timeouts leader change): for the main window,
    // which puts it in the log and, when it is a problem, on the status bar and the tray.
    void alertRaised(const Switchboard::ConsoleAlert &alert);

private:
    void showHeader();
    void showTabStates();

    NodeSource *m_source;
    QLabel *m_title;
    QLabel *m_detail;
    QPushButton *m_connectNow; // shown while a remote node is lost
    QTabWidget *m_tabs;
    SyncPanel *m_sync;
    IngressPanel *m_ingress;
    PollingPanel *m_polling;
    LogPanel *m_log;
    std::array<EngineCondition, consoleEngines.size()> m_tabStates;
    bool m_tabStatesShown = false;
    QString m_shownDetail;
};

} // namespace Switchboard
