#pragma once

// The operator console: the nodes on the left (this process and remote headless nodes, a line
// each with the dot of its worst engine), the selected node's view on the right, a tray icon that
// raises the console's alerts. The window never calls an engine: it sees nodes only through
// NodeSource.

#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <memory>

QT_BEGIN_NAMESPACE
class QAction;
class QLabel;
class QPushButton;
class QStackedWidget;
class QSystemTrayIcon;
class QTreeView;
QT_END_NAMESPACE

namespace Switchboard {

class ConsoleSettings;
class NodeSource;
class NodeView;
class NodesModel;
class RemoteNodeSource;
struct ConsoleAlert;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    // `settings` outlives the window: remote nodes added or removed here are saved to it. Null:
    // the user's settings, opened by the window itself.
    explicit MainWindow(ConsoleSettings *settings = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shows a node and starts its source; the window owns the source from now on.
    void addNode(NodeSource *source);

    NodesModel *nodesModel() const { return m_nodes; }
    // The view of the node on that row of nodesModel(), null for none.
    NodeView *nodeView(int row) const;
    NodeView *currentNodeView() const;
    void selectNode(int row);
    // Null where the desktop has no system tray (and offscreen).
    QSystemTrayIcon *trayIcon() const { return m_tray; }

    // This computer's engines could not start, and the window watches only the nodes added to
    // it: a message box says why, for an operator who started the console from a desktop menu
    // and has no terminal to read the log in.
    void reportStartFailure(const QString &error);

    // The engines are stopping (Quit, or a signal): the window says so and takes no more input.
    void showStopping();

Q_SIGNALS:
    // The operator chose Quit: stop the engines gracefully, then exit.
    void quitRequested();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    QWidget *createNodesPane();
    void createTray();

    void showSelectedNode();
    NodeView *createNodeView(NodeSource *source);
    void addRemoteNode();
    void editSelectedNode();
    // The edited node's row follows `url` with `token` from now on: a new source and view in
    // the old ones' place, and the settings saved.
    void replaceRemoteNode(RemoteNodeSource *edited, const QUrl &url, const QByteArray &token);
    void removeSelectedNode();
    // After a change to the settings: says so when it could not be saved.
    void checkSettingsSaved();
    void showSettings();
    void showAbout();
    void showWindow();
    void requestQuit();

    void raiseAlert(NodeSource *source, const ConsoleAlert &alert);
    void notifyPendingAlerts();
    void showHealthSummary();

    std::unique_ptr<ConsoleSettings> m_ownSettings; // when none was given
    ConsoleSettings *m_settings;
    NodesModel *m_nodes;
    QTreeView *m_nodesView = nullptr;
    QStackedWidget *m_views; // one NodeView per row of m_nodes, in the same order
    QPushButton *m_addButton = nullptr;
    QPushButton *m_editButton = nullptr;
    QPushButton *m_removeButton = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_removeAction = nullptr;
    QLabel *m_summary;
    QSystemTrayIcon *m_tray = nullptr;
    bool m_trayShowsProblem = false;
    bool m_trayHintShown = false;
    QList<std::pair<QString, QString>> m_pendingNotifications; // title, message
    // The problem the status bar shows, so that its end replaces it there.
    struct StatusBarProblem
    {
        QPointer<NodeSource> source;
        QString engine; // empty: about the node itself
        QString text;
    };
    StatusBarProblem m_statusBarProblem;
    bool m_stopping = false;
};

} // namespace Switchboard
