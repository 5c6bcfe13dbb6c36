#include "mainwindow.h"

#include "addnodedialog.h"
#include "consolesettings.h"
#include "logpanel.h"
#include "nodesmodel.h"
#include "nodesource.h"
#include "nodeview.h"
#include "remotenodesource.h"
#include "settingsdialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// The application icon with a red dot in its corner: an engine is unhealthy, or a node cannot
// be seen.
QIcon problemIcon(const QIcon &base)
{
    constexpr int size = 64;
    QPixmap pixmap = base.pixmap(size, size);
    if (pixmap.isNull()) {
        pixmap = QPixmap(size, size);
        pixmap.fill(Qt::transparent);
    }
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(Qt::white, 3));
    painter.setBrush(QColor(0xd3, 0x2f, 0x2f));
    painter.drawEllipse(QRectF(size * 0.52, size * 0.52, size * 0.44, size * 0.44));
    painter.end();
    return QIcon(pixmap);
}

} // namespace

MainWindow::MainWindow(ConsoleSettings *settings, QWidget *parent)
    : QMainWindow(parent)
    , m_ownSettings(settings ? nullptr : std::make_unique<ConsoleSettings>())
    , m_settings(settings ? settings : m_ownSettings.get())
    , m_nodes(new NodesModel(this))
    , m_views(new QStackedWidget(this))
    , m_summary(new QLabel(this))
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("Switchboard"));
    m_views->setObjectName(u"nodeViews"_s);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(createNodesPane());
    splitter->addWidget(m_views);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({330, 1070});
    setCentralWidget(splitter);

    m_summary->setObjectName(u"healthSummary"_s);
    statusBar()->addPermanentWidget(m_summary);

    createMenus();
    createTray();

    connect(m_nodes, &NodesModel::alertRaised, this, &MainWindow::raiseAlert);
    connect(m_nodes, &NodesModel::healthChanged, this, &MainWindow::showHealthSummary);
    connect(m_nodes, &QAbstractItemModel::rowsInserted, this, &MainWindow::showHealthSummary);
    showHealthSummary();
    resize(1400, 900);
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::createNodesPane()
{
    auto *pane = new QWidget(this);
    auto *title = new QLabel(tr("Nodes"), pane);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    title->setFont(titleFont);

    m_nodesView = new QTreeView(pane);
    m_nodesView->setObjectName(u"nodesView"_s);
    m_nodesView->setModel(m_nodes);
    m_nodesView->header()->hide();
    // One line per node, its dot the worst of its engines': a fleet of forty must be seen
    // whole, the red one among them. Each engine's dot and reason are in the row's tooltip and
    // on the node's tabs (its engine rows, five lines a node, hid all but a few nodes).
    m_nodesView->setItemsExpandable(false);
    m_nodesView->setRootIsDecorated(false);
    m_nodesView->setUniformRowHeights(true);
    m_nodesView->setIconSize(QSize(16, 16));
    m_nodesView->setTextElideMode(Qt::ElideRight);
    m_nodesView->setWordWrap(false);
    m_nodesView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_nodesView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_nodesView->setMinimumWidth(260);
    connect(m_nodesView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &MainWindow::showSelectedNode);

    m_addButton = new QPushButton(tr("Add node…"), pane);
    m_addButton->setObjectName(u"addNodeButton"_s);
    m_addButton->setToolTip(tr("Watch a headless node elsewhere, by its URL"));
    connect(m_addButton, &QPushButton::clicked, this, &MainWindow::addRemoteNode);
    m_editButton = new QPushButton(tr("Edit…"), pane);
    m_editButton->setObjectName(u"editNodeButton"_s);
    m_editButton->setToolTip(tr("Change the selected remote node's URL or API token"));
    m_editButton->setEnabled(false);
    connect(m_editButton, &QPushButton::clicked, this, &MainWindow::editSelectedNode);
    m_removeButton = new QPushButton(tr("Remove"), pane);
    m_removeButton->setObjectName(u"removeNodeButton"_s);
    m_removeButton->setToolTip(tr("Stop watching the selected remote node"));
    m_removeButton->setEnabled(false);
    connect(m_removeButton, &QPushButton::clicked, this, &MainWindow::removeSelectedNode);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_addButton);
    buttons->addWidget(m_editButton);
    buttons->addWidget(m_removeButton);
    buttons->addStretch(1);

    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(6, 6, 0, 6);
    layout->addWidget(title);
    layout->addWidget(m_nodesView, 1);
    layout->addLayout(buttons);
    return pane;
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *add = file->addAction(tr("&Add node…"), this, &MainWindow::addRemoteNode);
    add->setShortcut(QKeySequence::New);
    m_editAction = file->addAction(tr("&Edit node…"), this, &MainWindow::editSelectedNode);
    m_editAction->setObjectName(u"editNodeAction"_s);
    m_editAction->setEnabled(false);
    m_removeAction = file->addAction(tr("&Remove node"), this, &MainWindow::removeSelectedNode);
    m_removeAction->setEnabled(false);
    file->addSeparator();
    QAction *settings = file->addAction(tr("&Settings…"), this, &MainWindow::showSettings);
    settings->setShortcut(QKeySequence::Preferences);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &MainWindow::requestQuit);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *log = view->addAction(tr("&Log of the selected node"), this, [this] {
        if (NodeView *current = currentNodeView())
            current->showLog();
    });
    log->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Switchboard"), this, &MainWindow::showAbout);
}

void MainWindow::createTray()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(QApplication::windowIcon(), this);
    auto *menu = new QMenu(this);
    menu->addAction(tr("Show"), this, &MainWindow::showWindow);
    menu->addSeparator();
    menu->addAction(tr("Quit"), this, &MainWindow::requestQuit);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                    showWindow();
            });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &MainWindow::showWindow);
    m_tray->show();
}

NodeView *MainWindow::createNodeView(NodeSource *source)
{
    auto *view = new NodeView(source, m_views);
    connect(view, &NodeView::alertRaised, this,
            [this, source](const ConsoleAlert &alert) { raiseAlert(source, alert); });
    return view;
}

void MainWindow::addNode(NodeSource *source)
{
    source->setParent(this);
    // The view first, so that its panels hear the source's first status.
    m_views->addWidget(createNodeView(source));
    m_nodes->addNode(source);
    if (!m_nodesView->currentIndex().isValid())
        selectNode(m_nodes->nodeCount() - 1);
    source->start();
}

NodeView *MainWindow::nodeView(int row) const
{
    return qobject_cast<NodeView *>(m_views->widget(row));
}

NodeView *MainWindow::currentNodeView() const
{
    return qobject_cast<NodeView *>(m_views->currentWidget());
}

void MainWindow::selectNode(int row)
{
    m_nodesView->setCurrentIndex(m_nodes->nodeIndex(row));
}

void MainWindow::showSelectedNode()
{
    const QModelIndex current = m_nodesView->currentIndex();
    const int row = m_nodes->nodeRowOf(current);
    NodeSource *source = m_nodes->nodeSource(row);
    const bool removable = source && !source->isLocal() && !m_stopping;
    m_removeButton->setEnabled(removable);
    m_removeAction->setEnabled(removable);
    // This process's node has no URL or token of the console's to change.
    const bool editable = qobject_cast<RemoteNodeSource *>(source) && !m_stopping;
    m_editButton->setEnabled(editable);
    m_editAction->setEnabled(editable);
    if (row >= 0)
        m_views->setCurrentIndex(row);
}

void MainWindow::addRemoteNode()
{
    QList<QUrl> listed;
    for (int row = 0; row < m_nodes->nodeCount(); ++row)
        listed.append(ConsoleSettings::normalizedNodeUrl(m_nodes->nodeSource(row)->baseUrl()));
    AddNodeDialog dialog(listed, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const QUrl url = dialog.url();
    m_settings->addRemoteNode({url, dialog.token()});
    addNode(new RemoteNodeSource(url, dialog.token(), this));
    selectNode(m_nodes->nodeCount() - 1);
    checkSettingsSaved();
}

void MainWindow::editSelectedNode()
{
    const int row = m_nodes->nodeRowOf(m_nodesView->currentIndex());
    auto *remote = qobject_cast<RemoteNodeSource *>(m_nodes->nodeSource(row));
    if (!remote || m_stopping)
        return;
    QList<QUrl> listed;
    for (int other = 0; other < m_nodes->nodeCount(); ++other) {
        if (other != row)
            listed.append(
                ConsoleSettings::normalizedNodeUrl(m_nodes->nodeSource(other)->baseUrl()));
    }
    // Window-modal and asynchronous: statuses keep arriving while the operator types the token
    // (and a test finds the dialog among the window's children).
    auto *dialog = new AddNodeDialog(listed, this);
    dialog->setEditedNode(ConsoleSettings::normalizedNodeUrl(remote->baseUrl()), remote->token());
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    const QPointer<RemoteNodeSource> edited(remote);
    connect(dialog, &QDialog::accepted, this, [this, dialog, edited] {
        if (edited && !m_stopping)
            replaceRemoteNode(edited, dialog->url(), dialog->token());
    });
    dialog->open();
}

void MainWindow::replaceRemoteNode(RemoteNodeSource *edited, const QUrl &url,
                                   const QByteArray &token)
{
    const int row = m_nodes->rowOf(edited);
    const QUrl editedUrl = ConsoleSettings::normalizedNodeUrl(edited->baseUrl());
    if (row < 0 || (url == editedUrl && token == edited->token()))
        return;
    if (!m_settings->replaceRemoteNode(editedUrl, {url, token}))
        return; // the dialog refuses a URL listed already
    auto *source = new RemoteNodeSource(url, token, this);
    NodeView *editedView = nodeView(row);
    NodeView *view = createNodeView(source);
    view->tabs()->setCurrentIndex(editedView->tabs()->currentIndex());
    m_views->insertWidget(row, view);
    m_views->removeWidget(editedView);
    m_nodes->replaceNode(row, source);
    // What the status bar says of the old source ("refuses the console's API token") is no
    // news of the new one, which raises its own alerts once it knows.
    if (m_statusBarProblem.source == edited) {
        if (statusBar()->currentMessage() == m_statusBarProblem.text)
            statusBar()->clearMessage();
        m_statusBarProblem = {};
    }
    // The view and its panels hold the source: they go first.
    delete editedView;
    edited->deleteLater();
    showSelectedNode();
    source->start();
    checkSettingsSaved();
}

void MainWindow::removeSelectedNode()
{
    const int row = m_nodes->nodeRowOf(m_nodesView->currentIndex());
    NodeSource *source = m_nodes->nodeSource(row);
    if (!source || source->isLocal())
        return;
    const auto answer = QMessageBox::question(
        this, tr("Remove node"),
        tr("Stop watching %1? Its engines keep running; you can add it again later.")
            .arg(source->displayName()));
    if (answer != QMessageBox::Yes)
        return;
    m_settings->removeRemoteNode(source->baseUrl());
    NodeView *view = nodeView(row);
    m_views->removeWidget(view);
    m_nodes->removeNode(row);
    // The view and its panels hold the source: they go first.
    delete view;
    source->deleteLater();
    showSelectedNode();
    checkSettingsSaved();
}

void MainWindow::checkSettingsSaved()
{
    if (!m_settings->lastSaveFailed())
        return;
    // Window-modal and asynchronous, like the other questions of the window (and a test finds
    // it among the window's children).
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Settings not saved"),
                                tr("The console cannot write its settings to %1.")
                                    .arg(QDir::toNativeSeparators(m_settings->fileName())),
                                QMessageBox::Ok, this);
    box->setObjectName(u"settingsNotSaved"_s);
    box->setInformativeText(tr("The change holds until the console quits; at the next start it "
                               "is lost. Check that the file and its folder belong to you and "
                               "that the disk is not full."));
    box->setWindowModality(Qt::WindowModal);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showSettings()
{
    const QString before = m_settings->language();
    SettingsDialog dialog(m_settings, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (m_settings->lastSaveFailed())
        checkSettingsSaved();
    else if (m_settings->language() != before)
        statusBar()->showMessage(tr("The new language applies when Switchboard starts again."),
                                 10000);
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Switchboard"),
        tr("<h3>Switchboard %1</h3><p>The contact centre's event engines (Redis stream sync, "
           "event ingress, polling, timeouts) with their HTTP API and this operator "
           "console.</p>")
            .arg(QApplication::applicationVersion()));
}

void MainWindow::reportStartFailure(const QString &error)
{
    // Window-modal and asynchronous: the nodes go on being watched behind it.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Switchboard"),
                                tr("This computer's engines cannot start: %1").arg(error),
                                QMessageBox::Ok, this);
    box->setObjectName(u"startFailure"_s);
    box->setInformativeText(
        tr("The console shows the nodes added to it. A Switchboard service running on this "
           "computer is watched with Add node: http://127.0.0.1 and its port. Run switchboard "
           "from a terminal to read the log."));
    box->setWindowModality(Qt::WindowModal);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    statusBar()->showMessage(tr("This computer's engines are not running: %1").arg(error));
}

void MainWindow::showWindow()
{
    showNormal();
    raise();
    activateWindow();
}

void MainWindow::requestQuit()
{
    if (m_stopping)
        return;
    showStopping();
    Q_EMIT quitRequested();
}

void MainWindow::showStopping()
{
    m_stopping = true;
    centralWidget()->setEnabled(false);
    menuBar()->setEnabled(false);
    statusBar()->showMessage(tr("Stopping the engines: finishing the work in flight…"));
    if (m_tray)
        m_tray->setToolTip(tr("Switchboard: stopping"));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_stopping) {
        // The process exits when the engines have stopped; until then the window stays to
        // say so.
        event->ignore();
        return;
    }
    QMessageBox box(this);
    box.setIcon(QMessageBox::Question);
    box.setWindowTitle(tr("Close Switchboard"));
    box.setText(tr("Keep the engines running in the tray, or quit?"));
    box.setInformativeText(tr("The engines of this node run in this process. Quitting stops "
                              "them gracefully: the work in flight is finished first."));
    QPushButton *keep = nullptr;
    if (m_tray)
        keep = box.addButton(tr("Keep running in tray"), QMessageBox::AcceptRole);
    QPushButton *quit = box.addButton(tr("Quit"), QMessageBox::DestructiveRole);
    box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(keep ? keep : quit);
    box.exec();

    if (keep && box.clickedButton() == keep) {
        event->accept(); // hidden; the application does not quit with its last window
        if (!m_trayHintShown) {
            m_trayHintShown = true;
            m_tray->showMessage(tr("Switchboard keeps running"),
                                tr("The engines keep running. Open the console from the tray "
                                   "icon."),
                                QSystemTrayIcon::Information, 5000);
        }
        return;
    }
    event->ignore();
    if (box.clickedButton() == quit)
        requestQuit();
}

void MainWindow::raiseAlert(NodeSource *source, const ConsoleAlert &alert)
{
    if (NodeView *view = nodeView(m_nodes->rowOf(source)))
        view->logPanel()->addAlert(alert);
    if (alert.level != ConsoleAlert::Level::Problem) {
        // The end of the problem on the status bar takes its place, rather than leave it there
        // for its 15 s: "does not answer" must not be read once the node answers again.
        if (m_statusBarProblem.source == source && m_statusBarProblem.engine == alert.engine
            && statusBar()->currentMessage() == m_statusBarProblem.text) {
            statusBar()->showMessage(alert.title, 5000);
            m_statusBarProblem = {};
        }
        return;
    }
    const QString text =
        alert.message.isEmpty() ? alert.title : alert.title + u": "_s + alert.message;
    statusBar()->showMessage(text, 15000);
    m_statusBarProblem = {source, alert.engine, text};
    if (!m_tray)
        return;
    // Engines that turn red together (a Redis gone for sync and polling) make one notification.
    if (m_pendingNotifications.isEmpty())
        QTimer::singleShot(0, this, &MainWindow::notifyPendingAlerts);
    m_pendingNotifications.append({alert.title, alert.message});
}

void MainWindow::notifyPendingAlerts()
{
    if (m_pendingNotifications.isEmpty() || !m_tray)
        return;
    QString title;
    QStringList lines;
    if (m_pendingNotifications.size() == 1) {
        title = m_pendingNotifications.constFirst().first;
        lines.append(m_pendingNotifications.constFirst().second);
    } else {
        title = tr("Problems on the nodes");
        for (const auto &[alertTitle, message] : std::as_const(m_pendingNotifications))
            lines.append(message.isEmpty() ? alertTitle : alertTitle + u": "_s + message);
    }
    m_pendingNotifications.clear();
    m_tray->showMessage(title, lines.join(u'\n'), QSystemTrayIcon::Warning, 10000);
}

void MainWindow::showHealthSummary()
{
    using Reachability = NodeSource::Reachability;
    const int unhealthy = m_nodes->enginesIn(EngineState::Unhealthy);
    const int unreachable = m_nodes->nodeCount(Reachability::Unreachable);
    const int refused = m_nodes->nodeCount(Reachability::Refused);
    // What is wrong, and where: the engines seen red, and the nodes whose engines cannot be
    // seen at all (their last colours are not news).
    QStringList problems;
    if (unhealthy > 0)
        problems.append(tr("unhealthy engines: %1").arg(unhealthy));
    if (unreachable > 0)
        problems.append(tr("not answering: %1").arg(unreachable));
    if (refused > 0)
        problems.append(tr("API token refused: %1").arg(refused));
    const QString nodes = tr("Nodes: %1").arg(m_nodes->nodeCount());
    // What is not known to be healthy, and is no failure (yet): a node not heard from (the
    // console just started, or the node was just added), an engine starting, a node that runs
    // none (nothing of it is healthy).
    QStringList notes;
    const int connecting = m_nodes->nodeCount(Reachability::Connecting);
    if (connecting > 0)
        notes.append(tr("waiting for a first status: %1").arg(connecting));
    const int starting = m_nodes->enginesIn(EngineState::Starting);
    if (starting > 0)
        notes.append(tr("engines starting: %1").arg(starting));
    const int idle = m_nodes->nodesRunningNoEngine();
    if (idle > 0)
        notes.append(tr("running no engine: %1").arg(idle));
    QString summary = nodes;
    if (!problems.isEmpty())
        summary = nodes + u" · "_s + problems.join(u" · "_s);
    else if (!notes.isEmpty())
        summary = nodes + u" · "_s + notes.join(u" · "_s);
    else if (m_nodes->nodeCount() > 0)
        summary = tr("Nodes: %1 · all engines healthy").arg(m_nodes->nodeCount());
    const bool problem = !problems.isEmpty();
    // The style first: the label's width follows the (bold) text set after it.
    m_summary->setStyleSheet(problem ? u"QLabel { color: #b71c1c; font-weight: bold; }"_s
                                     : QString());
    m_summary->setText(summary);
    if (!m_tray || m_stopping)
        return;
    m_tray->setToolTip(tr("Switchboard: %1").arg(summary));
    if (problem != m_trayShowsProblem) {
        m_trayShowsProblem = problem;
        m_tray->setIcon(problem ? problemIcon(QApplication::windowIcon())
                                : QApplication::windowIcon());
    }
}

} // namespace Switchboard
