#pragma once

// The tab of an engine the console has no panel for yet (timeouts, polling): its title and
// whether the node runs it, so that the tab is honest rather than empty.

#include "nodesmodel.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
QT_END_NAMESPACE

namespace Switchboard {

class NodeSource;

class PlaceholderPanel : public QWidget
{
    Q_OBJECT

public:
    // `engine`: its key in the status document ("timeouts").
    PlaceholderPanel(NodeSource *source, const QString &engine, QWidget *parent = nullptr);

private:
    void showStatus();

    NodeSource *m_source;
    QString m_engine;
    QLabel *m_state;
    EngineCondition m_shown;
    bool m_shownOnce = false;
};

} // namespace Switchboard
