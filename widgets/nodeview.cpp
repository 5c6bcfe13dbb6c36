#include "nodeview.h"

#include "ingresspanel.h"
#include "logpanel.h"
#include "nodesource.h"
#include "pollingpanel.h"
#include "syncpanel.h"
#include "timeoutspanel.h"

#include <QFont>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// Tabs in the order of consoleEngines, then the log.
constexpr int logTab = int(consoleEngines.size());
// The room the node's name has above its tabs.
constexpr int maxTitleChars = 40;

} // namespace

NodeView::NodeView(NodeSource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_title(new QLabel(this))
    , m_detail(new QLabel(this))
    , m_connectNow(new QPushButton(tr("Connect now"), this))
    , m_tabs(new QTabWidget(this))
    , m_sync(new SyncPanel(source, m_tabs))
    , m_ingress(new IngressPanel(source, m_tabs))
    , m_polling(new PollingPanel(source, m_tabs))
    , m_log(new LogPanel(source, m_tabs))
{
    setObjectName(u"nodeView"_s);

    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    // A cloud's internal host name runs to a hundred characters: whole, it set the window's
    // minimum width, and the window grew past the screen. Cut in the middle, the port stays.
    const QString name = source->displayName();
    m_title->setText(QFontMetrics(titleFont).elidedText(
        name, Qt::ElideMiddle, QFontMetrics(titleFont).averageCharWidth() * maxTitleChars));
    m_title->setToolTip(name);
    m_detail->setObjectName(u"nodeDetail"_s);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setForegroundRole(QPalette::PlaceholderText);
    // A long reason must not widen the view (and squeeze the nodes list): it is cut, and
    // whole in the tooltip.
    m_detail->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_connectNow->setObjectName(u"connectNowButton"_s);
    m_connectNow->setShortcut(QKeySequence(Qt::Key_F5));
    m_connectNow->setToolTip(tr("Ask the node again now (F5). The console asks on its own too, "
                                "less often the longer the node is lost, 18 s apart at the most."));
    m_connectNow->setVisible(false);
    connect(m_connectNow, &QPushButton::clicked, m_source, &NodeSource::connectNow);

    m_tabs->setObjectName(u"nodeTabs"_s);
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_sync, engineTitle(u"sync"));
    m_tabs->addTab(m_ingress, engineTitle(u"ingress"));
    auto *timeouts = new TimeoutsPanel(source, m_tabs);
    connect(timeouts, &TimeoutsPanel::alertRaised, this, &NodeView::alertRaised);
    m_tabs->addTab(timeouts, engineTitle(u"timeouts"));
    m_tabs->addTab(m_polling, engineTitle(u"polling"));
    m_tabs->addTab(m_log, tr("Log"));

    auto *header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addSpacing(12);
    header->addWidget(m_detail, 1);
    header->addWidget(m_connectNow);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(header);
    layout->addWidget(m_tabs, 1);

    connect(m_source, &NodeSource::statusChanged, this, [this] {
        showHeader();
        showTabStates();
    });
    connect(m_source, &NodeSource::reachabilityChanged, this, [this] {
        showHeader();
        showTabStates();
    });
    showHeader();
    showTabStates();
}

void NodeView::showEngine(QStringView engine)
{
    for (int tab = 0; tab < int(consoleEngines.size()); ++tab) {
        if (consoleEngines[size_t(tab)] == engine)
            m_tabs->setCurrentIndex(tab);
    }
}

void NodeView::showLog()
{
    m_tabs->setCurrentIndex(logTab);
}

void NodeView::showHeader()
{
    // The node's state first, after its address: the label is cut at the window's edge, and
    // what is cut must be the detail of a node that answers, not that it does not.
    QStringList parts {m_source->baseUrl().toDisplayString()};
    switch (m_source->reachability()) {
    case NodeSource::Reachability::Connecting:
        parts.append(tr("connecting…"));
        break;
    case NodeSource::Reachability::Unreachable:
    case NodeSource::Reachability::Refused:
        parts.append(unreachableText(*m_source));
        // For the operator who pressed Connect now (or waits for the next attempt): the node
        // was asked, and answered no better.
        if (m_source->lastAskedAgain().isValid())
            parts.append(tr("asked again at %1").arg(statusTimeText(m_source->lastAskedAgain())));
        break;
    case NodeSource::Reachability::Live:
        break;
    }
    const QJsonObject node = m_source->status().value(u"node"_s).toObject();
    if (!node.isEmpty()) {
        parts.append(tr("version %1").arg(node.value(u"version"_s).toString()));
        parts.append(tr("host %1, pid %2")
                         .arg(node.value(u"host"_s).toString())
                         .arg(node.value(u"pid"_s).toInteger()));
        const QDateTime started = statusTime(node.value(u"started_at"_s));
        if (started.isValid())
            parts.append(tr("started %1").arg(statusTimeText(started)));
    }
    m_connectNow->setVisible(!m_source->isLocal() && m_source->isLost());
    const QString detail = parts.join(u"  ·  "_s);
    if (detail != m_shownDetail) {
        m_shownDetail = detail;
        m_detail->setText(detail);
        m_detail->setToolTip(detail);
    }
}

void NodeView::showTabStates()
{
    for (size_t tab = 0; tab < consoleEngines.size(); ++tab) {
        const EngineCondition health = engineCondition(*m_source, consoleEngines[tab]);
        if (m_tabStatesShown && health == m_tabStates[tab])
            continue;
        m_tabStates[tab] = health;
        m_tabs->setTabIcon(int(tab), engineStateIcon(health.state));
        m_tabs->setTabToolTip(int(tab),
                              health.state == EngineState::Healthy          ? tr("healthy")
                                  : health.state == EngineState::NotRunning ? tr("not running")
                                  : health.state == EngineState::Starting
                                  ? tr("starting: %1").arg(health.reason)
                                  : health.reason);
    }
    m_tabStatesShown = true;
}

} // namespace Switchboard
