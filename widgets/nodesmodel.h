#pragma once

// The nodes the console watches, and the health of each engine on each: a tree with one row
// per node and, under it, one row per engine (sync, ingress, timeouts, polling) with a dot and
// the reason. The window's list shows the node rows alone, one line each, the engines in their
// tooltip. It raises the console's alerts: an engine turning red, a node no longer answering.

#include "nodesource.h"

#include <QAbstractItemModel>
#include <QDateTime>
#include <QIcon>
#include <array>
#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QAbstractItemView;
class QLabel;
QT_END_NAMESPACE

namespace Switchboard {

// The engines the console knows, in the order of the nodes list and of a node's tabs.
inline constexpr std::array<QStringView, 4> consoleEngines {u"sync", u"ingress", u"timeouts",
                                                            u"polling"};

enum class EngineState {
    Unknown, // no status yet, or the node does not answer: grey
    NotRunning, // the node runs without this engine: grey
    Healthy, // green
    Unhealthy, // red, with a reason
    // Amber, with what it waits for: not healthy yet in the first startingGraceMs of its node's
    // run, and never healthy in it. A node just (re)started is not a failure to wake anyone for.
    Starting,
};

// How long after its node started an engine that has not been healthy yet reads as starting
// rather than failed: the local stack's Redis and NATS coming up, a JetStream set-up (API calls
// of up to 5 s), a first connection's timeout.
inline constexpr qint64 startingGraceMs = 30000;

struct EngineCondition
{
    EngineState state = EngineState::Unknown;
    QString reason; // why it is unhealthy (or unknown); empty when healthy

    bool operator==(const EngineCondition &) const = default;
};

// One engine of one node, read from its status document: the uniform "health" object first,
// the engine's own "reason" when health gives none. The nodes list, the tabs and the panels
// all ask here, so that they never disagree.
EngineCondition engineCondition(const NodeSource &source, QStringView engine);
// When an engine of the node still starting turns red (its node's start plus startingGraceMs,
// by the node's clock); invalid when the status does not say when the node started.
QDateTime startingDeadline(const NodeSource &source);
// "unreachable since 12:45:46 (connection refused)", "API token refused since 12:45:46 (403:
// wrong Bearer token)"; empty while the node answers.
QString unreachableText(const NodeSource &source);
// "Sync", "Ingress"...: the engine as an operator names it.
QString engineTitle(QStringView engine);
// A round dot in the colour of the state, for lists and tabs.
QIcon engineStateIcon(EngineState state);
// The dot of a node that refuses the console's API token: amber, neither the grey of a node
// that does not answer nor the red of an unhealthy engine.
QIcon refusedNodeIcon();
// The panels' red banner (an engine unhealthy, and why) and their amber note (the figures are
// a node's last status): selectable, wrapped; the banner starts hidden.
void setUpAlertBanner(QLabel *label, const QString &objectName);
void setUpStaleNote(QLabel *label, const QString &objectName);
// The red banner of a panel: shown with `text` (its %1 the reason) while `engine` is unhealthy,
// hidden otherwise; untouched while the condition is the one `shown` holds.
void showEngineBanner(QLabel *banner, const NodeSource &source, QStringView engine,
                      EngineCondition &shown, const QString &text);
// The amber note of a panel: shown while the node does not answer (since when, why, and whether
// the figures shown are its last status), hidden otherwise.
void showStaleNote(QLabel *note, const NodeSource &source);
// A table whose newest rows come on top (the log, the dead letters): while the operator has
// scrolled away from the top, the rows in sight stay there as rows come above them; at the top,
// the new rows come into sight. Call after the view has its model.
void keepPlaceAsRowsComeAbove(QAbstractItemView *view);

// Something the operator must hear of: shown in the node's log view and, for problems, as a
// tray notification.
struct ConsoleAlert
{
    enum class Level { Problem, Recovery };

    Level level = Level::Problem;
    QDateTime time; // when the console saw it
    QString engine; // empty: about the node itself
    QString title; // "Ingress unhealthy on vm"
    QString message; // the reason
};

class NodesModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Role {
        EngineStateRole = Qt::UserRole + 1, // EngineState as int; engine rows only
        EngineNameRole, // "sync"...; engine rows only
    };

    explicit NodesModel(QObject *parent = nullptr);
    ~NodesModel() override;

    // Appends a node and follows its statuses; the model does not own the source.
    void addNode(NodeSource *source);
    void removeNode(int row);
    // The node on `row` is followed through `source` from now on (its URL or token edited): the
    // row stays where it is, and starts again as a node just added (connecting, no alert).
    void replaceNode(int row, NodeSource *source);

    int nodeCount() const { return int(m_nodes.size()); }
    NodeSource *nodeSource(int row) const;
    int rowOf(const NodeSource *source) const; // -1 when not listed
    EngineState engineState(int row, QStringView engine) const;
    QString engineReason(int row, QStringView engine) const;
    QModelIndex nodeIndex(int row) const { return index(row, 0); }
    QModelIndex engineIndex(int row, QStringView engine) const;
    // The node row an index belongs to (itself or its parent), -1 for none.
    int nodeRowOf(const QModelIndex &index) const;
    // Engines in that state (Unhealthy: shown red; Starting: amber), over every node.
    int enginesIn(EngineState state) const;
    // Nodes that answer and run no engine at all: nothing of theirs is healthy.
    int nodesRunningNoEngine() const;
    // Nodes in that state (Unreachable, Refused...).
    int nodeCount(NodeSource::Reachability reachability) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void alertRaised(Switchboard::NodeSource *source, const Switchboard::ConsoleAlert &alert);
    // Some engine changed colour somewhere (the tray's tooltip follows).
    void healthChanged();

private:
    struct Node
    {
        NodeSource *source = nullptr;
        NodeSource::Reachability reachability = NodeSource::Reachability::Connecting;
        std::array<EngineCondition, consoleEngines.size()> engines;
    };

    void follow(NodeSource *source);
    void refresh(NodeSource *source);
    int rowOf(const Node *node) const;
    QString nodeText(const Node &node) const;
    QString nodeToolTip(const Node &node) const;
    EngineState nodeState(const Node &node) const;
    QString engineText(QStringView engine, const EngineCondition &health) const;

    std::vector<std::unique_ptr<Node>> m_nodes;
    std::array<QIcon, 5> m_icons; // per EngineState: data() is asked for them on every paint
    QIcon m_refusedIcon;
};

} // namespace Switchboard
