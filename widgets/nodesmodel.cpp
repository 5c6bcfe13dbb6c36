#include "nodesmodel.h"

#include <QAbstractItemView>
#include <QColor>
#include <QFont>
#include <QGuiApplication>
#include <QJsonObject>
#include <QLabel>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QScrollBar>
#include <algorithm>
#include <memory>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int engineCount = int(consoleEngines.size());

int engineNumber(QStringView engine)
{
    for (int i = 0; i < engineCount; ++i) {
        if (consoleEngines[i] == engine)
            return i;
    }
    return -1;
}

// Amber: attention, as the stale note's; a node refusing the token is not down.
const QColor refusedColor(0xef, 0x8f, 0x00);

QColor stateColor(EngineState state)
{
    switch (state) {
    case EngineState::Healthy:
        return QColor(0x2e, 0x9d, 0x4a);
    case EngineState::Unhealthy:
        return QColor(0xd3, 0x2f, 0x2f);
    case EngineState::Starting:
        return refusedColor;
    case EngineState::Unknown:
    case EngineState::NotRunning:
        break;
    }
    return QColor(0x9e, 0x9e, 0x9e);
}

// The panels' banner: red for an unhealthy engine; amber, as the stale note, for one starting:
// something to watch, not a failure.
QString bannerStyle(EngineState state)
{
    return state == EngineState::Starting
        ? u"QLabel { background: #fff3cd; color: #5c4400; font-weight: bold; padding: 6px; "
          "border-radius: 3px; }"_s
        : u"QLabel { background: #c62828; color: white; font-weight: bold; padding: 6px; "
          "border-radius: 3px; }"_s;
}

} // namespace

EngineCondition engineCondition(const NodeSource &source, QStringView engine)
{
    switch (source.reachability()) {
    case NodeSource::Reachability::Unreachable:
    case NodeSource::Reachability::Refused:
        return {EngineState::Unknown, unreachableText(source)};
    case NodeSource::Reachability::Connecting:
        return {EngineState::Unknown, NodesModel::tr("waiting for the node's first status")};
    case NodeSource::Reachability::Live:
        break;
    }

    const QJsonObject &status = source.status();
    const QJsonObject health = status.value(u"health"_s).toObject().value(engine).toObject();
    const QJsonObject figures = status.value(u"engines"_s).toObject().value(engine).toObject();
    if (health.isEmpty() && figures.isEmpty())
        return {EngineState::NotRunning, {}};
    if (engineStatusText(status, engine) == u"healthy")
        return {EngineState::Healthy, {}};
    QString reason = health.value(u"reason"_s).toString();
    if (reason.isEmpty())
        reason = figures.value(u"reason"_s).toString();
    if (reason.isEmpty())
        reason = NodesModel::tr("the node gives no reason");
    // A node reports its engines unhealthy until they are up ("starting: no status yet",
    // "setting up the JetStream stream and consumer", its Redis refusing connections while the
    // local stack starts it): red and a tray notification at every start or restart of a node.
    // One that was healthy in this run and is no longer has failed, at once.
    const QDateTime deadline = startingDeadline(source);
    if (!source.hasBeenHealthy(engine) && deadline.isValid()) {
        // The node's clock against the console's: a node whose clock is ahead looks younger,
        // for a grace at most; one that started "in the future" by more is not believed.
        const qint64 left = source.statusTime().msecsTo(deadline);
        if (left > 0 && left <= 2 * startingGraceMs)
            return {EngineState::Starting, reason};
    }
    return {EngineState::Unhealthy, reason};
}

QDateTime startingDeadline(const NodeSource &source)
{
    const QDateTime started =
        statusTime(source.status().value(u"node"_s).toObject().value(u"started_at"_s));
    return started.isValid() ? started.addMSecs(startingGraceMs) : QDateTime();
}

QString unreachableText(const NodeSource &source)
{
    const QString since = statusTimeText(source.unreachableSince());
    QString text;
    switch (source.reachability()) {
    case NodeSource::Reachability::Unreachable:
        text = NodesModel::tr("unreachable since %1").arg(since);
        break;
    case NodeSource::Reachability::Refused:
        text = NodesModel::tr("API token refused since %1").arg(since);
        break;
    case NodeSource::Reachability::Connecting:
    case NodeSource::Reachability::Live:
        return {};
    }
    if (!source.unreachableReason().isEmpty())
        text += u" ("_s + source.unreachableReason() + u')';
    return text;
}

QString engineTitle(QStringView engine)
{
    if (engine == u"sync")
        return NodesModel::tr("Sync");
    if (engine == u"ingress")
        return NodesModel::tr("Ingress");
    if (engine == u"timeouts")
        return NodesModel::tr("Timeouts");
    if (engine == u"polling")
        return NodesModel::tr("Polling");
    return engine.toString();
}

void setUpAlertBanner(QLabel *label, const QString &objectName)
{
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setStyleSheet(bannerStyle(EngineState::Unhealthy));
    label->hide();
}

void setUpStaleNote(QLabel *label, const QString &objectName)
{
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setStyleSheet(
        u"QLabel { background: #fff3cd; color: #5c4400; padding: 4px; border-radius: 3px; }"_s);
    label->hide();
}

void showEngineBanner(QLabel *banner, const NodeSource &source, QStringView engine,
                      EngineCondition &shown, const QString &text)
{
    const EngineCondition health = engineCondition(source, engine);
    if (health == shown)
        return;
    const EngineState was = shown.state;
    shown = health;
    if (health.state != EngineState::Unhealthy && health.state != EngineState::Starting) {
        banner->hide();
        return;
    }
    const bool starting = health.state == EngineState::Starting;
    if (starting != (was == EngineState::Starting) || banner->isHidden())
        banner->setStyleSheet(bannerStyle(health.state));
    banner->setText(starting ? NodesModel::tr("Starting: %1. Shown as failed if it is not running "
                                              "at %2.")
                                   .arg(health.reason, statusTimeText(startingDeadline(source)))
                             : text.arg(health.reason));
    banner->show();
}

void showStaleNote(QLabel *note, const NodeSource &source)
{
    if (!source.isLost()) {
        note->hide();
        return;
    }
    const QString since = statusTimeText(source.unreachableSince());
    const bool refused = source.reachability() == NodeSource::Reachability::Refused;
    QString text;
    if (source.status().isEmpty()) {
        text = refused ? NodesModel::tr("%1 refuses the console's API token (%3) since %2.")
                       : NodesModel::tr("%1 does not answer (%3) since %2.");
    } else {
        text = refused ? NodesModel::tr("%1 has refused the console's API token since %2 (%3). "
                                        "The figures below are its last status.")
                       : NodesModel::tr("%1 has not answered since %2 (%3). The figures below "
                                        "are its last status.");
    }
    note->setText(text.arg(source.displayName(), since, source.unreachableReason()));
    note->show();
}

void keepPlaceAsRowsComeAbove(QAbstractItemView *view)
{
    // The row at the top of the viewport when rows are about to come, while the view is
    // scrolled down: views keep their scroll value, so the rows above it pushed what was being
    // read down and out of sight, a row per new record.
    auto topRow = std::make_shared<QPersistentModelIndex>();
    QAbstractItemModel *model = view->model();
    QObject::connect(model, &QAbstractItemModel::rowsAboutToBeInserted, view,
                     [view, topRow](const QModelIndex &parent) {
                         *topRow = parent.isValid() || view->verticalScrollBar()->value() == 0
                             ? QPersistentModelIndex()
                             : QPersistentModelIndex(view->indexAt(QPoint(0, 0)));
                     });
    QObject::connect(model, &QAbstractItemModel::rowsInserted, view, [view, topRow] {
        if (topRow->isValid())
            view->scrollTo(*topRow, QAbstractItemView::PositionAtTop);
        *topRow = QPersistentModelIndex();
    });
}

namespace {

QIcon dotIcon(const QColor &color, bool filled)
{
    // Drawn rather than loaded: a few colours need no image files, and the dot stays sharp at
    // any device pixel ratio.
    const qreal ratio = qGuiApp ? qGuiApp->devicePixelRatio() : 1.0;
    constexpr int size = 16;
    QPixmap pixmap(int(size * ratio), int(size * ratio));
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(color.darker(130), 1));
    painter.setBrush(filled ? QBrush(color) : QBrush(Qt::transparent));
    painter.drawEllipse(QRectF(3.5, 3.5, size - 7, size - 7));
    painter.end();
    return QIcon(pixmap);
}

} // namespace

QIcon engineStateIcon(EngineState state)
{
    return dotIcon(stateColor(state), state != EngineState::NotRunning);
}

QIcon refusedNodeIcon()
{
    return dotIcon(refusedColor, true);
}

NodesModel::NodesModel(QObject *parent)
    : QAbstractItemModel(parent)
{
    for (const EngineState state :
         {EngineState::Unknown, EngineState::NotRunning, EngineState::Healthy,
          EngineState::Unhealthy, EngineState::Starting})
        m_icons[size_t(state)] = engineStateIcon(state);
    m_refusedIcon = refusedNodeIcon();
}

NodesModel::~NodesModel() = default;

void NodesModel::addNode(NodeSource *source)
{
    const int row = nodeCount();
    beginInsertRows({}, row, row);
    auto node = std::make_unique<Node>();
    node->source = source;
    m_nodes.push_back(std::move(node));
    endInsertRows();
    follow(source);
    refresh(source);
}

void NodesModel::replaceNode(int row, NodeSource *source)
{
    if (row < 0 || row >= nodeCount())
        return;
    Node &node = *m_nodes[size_t(row)];
    node.source->disconnect(this);
    node.source = source;
    node.reachability = NodeSource::Reachability::Connecting;
    node.engines = {};
    follow(source);
    const QModelIndex nodeRow = nodeIndex(row);
    Q_EMIT dataChanged(nodeRow, nodeRow);
    Q_EMIT dataChanged(index(0, 0, nodeRow), index(engineCount - 1, 0, nodeRow));
    refresh(source);
    // The old source's state no longer counts in the summary.
    Q_EMIT healthChanged();
}

void NodesModel::follow(NodeSource *source)
{
    connect(source, &NodeSource::statusChanged, this, [this, source] { refresh(source); });
    connect(source, &NodeSource::reachabilityChanged, this, [this, source] { refresh(source); });
}

void NodesModel::removeNode(int row)
{
    if (row < 0 || row >= nodeCount())
        return;
    NodeSource *source = m_nodes[size_t(row)]->source;
    source->disconnect(this);
    beginRemoveRows({}, row, row);
    m_nodes.erase(m_nodes.begin() + row);
    endRemoveRows();
    Q_EMIT healthChanged();
}

NodeSource *NodesModel::nodeSource(int row) const
{
    return row >= 0 && row < nodeCount() ? m_nodes[size_t(row)]->source : nullptr;
}

int NodesModel::rowOf(const NodeSource *source) const
{
    for (int row = 0; row < nodeCount(); ++row) {
        if (m_nodes[size_t(row)]->source == source)
            return row;
    }
    return -1;
}

int NodesModel::rowOf(const Node *node) const
{
    for (int row = 0; row < nodeCount(); ++row) {
        if (m_nodes[size_t(row)].get() == node)
            return row;
    }
    return -1;
}

EngineState NodesModel::engineState(int row, QStringView engine) const
{
    const int number = engineNumber(engine);
    if (row < 0 || row >= nodeCount() || number < 0)
        return EngineState::Unknown;
    return m_nodes[size_t(row)]->engines[size_t(number)].state;
}

QString NodesModel::engineReason(int row, QStringView engine) const
{
    const int number = engineNumber(engine);
    if (row < 0 || row >= nodeCount() || number < 0)
        return {};
    return m_nodes[size_t(row)]->engines[size_t(number)].reason;
}

QModelIndex NodesModel::engineIndex(int row, QStringView engine) const
{
    const int number = engineNumber(engine);
    if (number < 0)
        return {};
    return index(number, 0, nodeIndex(row));
}

int NodesModel::nodeRowOf(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this)
        return -1;
    if (const auto *node = static_cast<const Node *>(index.internalPointer()))
        return rowOf(node);
    return index.row();
}

int NodesModel::nodeCount(NodeSource::Reachability reachability) const
{
    return int(std::count_if(m_nodes.cbegin(), m_nodes.cend(), [reachability](const auto &node) {
        return node->reachability == reachability;
    }));
}

int NodesModel::enginesIn(EngineState state) const
{
    int count = 0;
    for (const auto &node : m_nodes) {
        count += int(std::count_if(
            node->engines.cbegin(), node->engines.cend(),
            [state](const EngineCondition &engine) { return engine.state == state; }));
    }
    return count;
}

int NodesModel::nodesRunningNoEngine() const
{
    return int(std::count_if(m_nodes.cbegin(), m_nodes.cend(), [](const auto &node) {
        return node->reachability == NodeSource::Reachability::Live
            && std::all_of(node->engines.cbegin(), node->engines.cend(),
                           [](const EngineCondition &engine) {
                               return engine.state == EngineState::NotRunning;
                           });
    }));
}

// Engine rows carry their node in internalPointer (node rows carry none): a Node lives on the
// heap, so the pointer stays right while rows above it come and go.
QModelIndex NodesModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column != 0 || row < 0)
        return {};
    if (!parent.isValid())
        return row < nodeCount() ? createIndex(row, 0) : QModelIndex();
    if (parent.internalPointer() || parent.row() >= nodeCount() || row >= engineCount)
        return {};
    return createIndex(row, 0, m_nodes[size_t(parent.row())].get());
}

QModelIndex NodesModel::parent(const QModelIndex &child) const
{
    const auto *node = static_cast<const Node *>(child.internalPointer());
    if (!child.isValid() || !node)
        return {};
    const int row = rowOf(node);
    return row < 0 ? QModelIndex() : createIndex(row, 0);
}

int NodesModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return nodeCount();
    return parent.internalPointer() ? 0 : engineCount;
}

int NodesModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant NodesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this)
        return {};
    if (const auto *node = static_cast<const Node *>(index.internalPointer())) {
        const int number = index.row();
        const QStringView engine = consoleEngines[size_t(number)];
        const EngineCondition &health = node->engines[size_t(number)];
        switch (role) {
        case Qt::DisplayRole:
            return engineText(engine, health);
        case Qt::ToolTipRole:
            return health.state == EngineState::Unknown && !health.reason.isEmpty()
                ? engineTitle(engine) + u": "_s + health.reason
                : engineText(engine, health);
        case Qt::DecorationRole:
            return m_icons[size_t(health.state)];
        case Qt::ForegroundRole:
            if (health.state == EngineState::Unhealthy)
                return stateColor(EngineState::Unhealthy).darker(120);
            if (health.state == EngineState::Starting)
                return stateColor(EngineState::Starting).darker(140);
            if (health.state != EngineState::Healthy)
                return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
            return {};
        case EngineStateRole:
            return int(health.state);
        case EngineNameRole:
            return engine.toString();
        default:
            return {};
        }
    }

    if (index.row() >= nodeCount())
        return {};
    const Node &node = *m_nodes[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return nodeText(node);
    case Qt::ToolTipRole:
        return nodeToolTip(node);
    case Qt::DecorationRole:
        return node.reachability == NodeSource::Reachability::Refused
            ? m_refusedIcon
            : m_icons[size_t(nodeState(node))];
    case Qt::FontRole: {
        QFont font = QGuiApplication::font();
        font.setBold(true);
        return font;
    }
    default:
        return {};
    }
}

void NodesModel::refresh(NodeSource *source)
{
    const int row = rowOf(source);
    if (row < 0)
        return;
    Node &node = *m_nodes[size_t(row)];
    const NodeSource::Reachability wasReachable = node.reachability;
    const NodeSource::Reachability reachability = source->reachability();
    const QDateTime now = QDateTime::currentDateTime();

    QList<ConsoleAlert> alerts;
    bool enginesChanged = false;
    for (int number = 0; number < engineCount; ++number) {
        const QStringView engine = consoleEngines[size_t(number)];
        EngineCondition &shown = node.engines[size_t(number)];
        EngineCondition health = engineCondition(*source, engine);
        if (health == shown)
            continue;
        const EngineState was = shown.state;
        shown = std::move(health);
        enginesChanged = true;
        if (shown.state == EngineState::Unhealthy && was != EngineState::Unhealthy) {
            alerts.append({ConsoleAlert::Level::Problem, now, engine.toString(),
                           tr("%1 unhealthy on %2").arg(engineTitle(engine), source->displayName()),
                           shown.reason});
        } else if (was == EngineState::Unhealthy && shown.state == EngineState::Healthy) {
            alerts.append(
                {ConsoleAlert::Level::Recovery,
                 now,
                 engine.toString(),
                 tr("%1 healthy again on %2").arg(engineTitle(engine), source->displayName()),
                 {}});
        }
    }

    node.reachability = reachability;
    using Reachability = NodeSource::Reachability;
    if (reachability != wasReachable) {
        switch (reachability) {
        case Reachability::Unreachable:
            alerts.append({ConsoleAlert::Level::Problem,
                           now,
                           {},
                           tr("%1 does not answer").arg(source->displayName()),
                           source->unreachableReason()});
            break;
        case Reachability::Refused:
            alerts.append({ConsoleAlert::Level::Problem,
                           now,
                           {},
                           tr("%1 refuses the console's API token").arg(source->displayName()),
                           source->unreachableReason()});
            break;
        case Reachability::Live:
            if (wasReachable == Reachability::Unreachable)
                alerts.append({ConsoleAlert::Level::Recovery,
                               now,
                               {},
                               tr("%1 answers again").arg(source->displayName()),
                               {}});
            else if (wasReachable == Reachability::Refused)
                alerts.append(
                    {ConsoleAlert::Level::Recovery,
                     now,
                     {},
                     tr("%1 accepts the console's API token again").arg(source->displayName()),
                     {}});
            break;
        case Reachability::Connecting:
            break;
        }
    }

    if (enginesChanged || reachability != wasReachable) {
        const QModelIndex nodeRow = nodeIndex(row);
        Q_EMIT dataChanged(nodeRow, nodeRow);
        if (enginesChanged)
            Q_EMIT dataChanged(index(0, 0, nodeRow), index(engineCount - 1, 0, nodeRow));
        // The nodes that do not answer count in the summary beside the red engines.
        Q_EMIT healthChanged();
    }
    for (const ConsoleAlert &alert : std::as_const(alerts))
        Q_EMIT alertRaised(source, alert);
}

QString NodesModel::nodeText(const Node &node) const
{
    QString state;
    switch (node.reachability) {
    case NodeSource::Reachability::Connecting:
        state = tr("connecting…");
        break;
    case NodeSource::Reachability::Unreachable:
    case NodeSource::Reachability::Refused:
        state = unreachableText(*node.source);
        break;
    case NodeSource::Reachability::Live: {
        QStringList unhealthy;
        QStringList starting;
        bool anyRunning = false;
        for (size_t number = 0; number < node.engines.size(); ++number) {
            if (node.engines[number].state == EngineState::Unhealthy)
                unhealthy.append(engineTitle(consoleEngines[number]));
            else if (node.engines[number].state == EngineState::Starting)
                starting.append(engineTitle(consoleEngines[number]));
            anyRunning = anyRunning || node.engines[number].state != EngineState::NotRunning;
        }
        QStringList parts;
        if (!unhealthy.isEmpty())
            parts.append(tr("unhealthy: %1").arg(unhealthy.join(u", "_s)));
        if (!starting.isEmpty())
            parts.append(tr("starting: %1").arg(starting.join(u", "_s)));
        if (parts.isEmpty())
            parts.append(anyRunning ? tr("all engines healthy") : tr("no engine running"));
        state = parts.join(u"; "_s);
        break;
    }
    }
    // One line: forty nodes must fit in the list. The reasons are in the tooltip and on the
    // node's tabs.
    return node.source->displayName() + u" · "_s + state;
}

QString NodesModel::nodeToolTip(const Node &node) const
{
    QStringList lines {node.source->displayName(), node.source->baseUrl().toDisplayString()};
    if (node.source->isLost())
        lines.append(unreachableText(*node.source));
    for (int number = 0; number < engineCount; ++number)
        lines.append(engineText(consoleEngines[size_t(number)], node.engines[size_t(number)]));
    return lines.join(u'\n');
}

EngineState NodesModel::nodeState(const Node &node) const
{
    if (node.reachability != NodeSource::Reachability::Live)
        return EngineState::Unknown;
    bool anyRunning = false;
    bool anyStarting = false;
    for (const EngineCondition &engine : node.engines) {
        if (engine.state == EngineState::Unhealthy)
            return EngineState::Unhealthy;
        anyRunning = anyRunning || engine.state == EngineState::Healthy;
        anyStarting = anyStarting || engine.state == EngineState::Starting;
    }
    if (anyStarting)
        return EngineState::Starting;
    return anyRunning ? EngineState::Healthy : EngineState::NotRunning;
}

QString NodesModel::engineText(QStringView engine, const EngineCondition &health) const
{
    switch (health.state) {
    case EngineState::Healthy:
        return tr("%1: healthy").arg(engineTitle(engine));
    case EngineState::NotRunning:
        return tr("%1: not running").arg(engineTitle(engine));
    case EngineState::Unknown:
        // Why (unreachable since…, waiting…) is on the node's row and in the tooltip: the
        // same words on four rows would hide the one that matters.
        return tr("%1: unknown").arg(engineTitle(engine));
    case EngineState::Starting:
        return tr("%1: starting (%2)").arg(engineTitle(engine), health.reason);
    case EngineState::Unhealthy:
        break;
    }
    return engineTitle(engine) + u": "_s + health.reason;
}

} // namespace Switchboard
