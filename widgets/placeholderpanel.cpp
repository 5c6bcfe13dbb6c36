#include "placeholderpanel.h"

#include "nodesource.h"

#include <QFont>
#include <QLabel>
#include <QVBoxLayout>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

PlaceholderPanel::PlaceholderPanel(NodeSource *source, const QString &engine, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_engine(engine)
    , m_state(new QLabel(this))
{
    setObjectName(engine + u"Placeholder"_s);

    auto *title = new QLabel(engineTitle(engine), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    title->setFont(titleFont);
    title->setAlignment(Qt::AlignCenter);

    m_state->setObjectName(u"placeholderState"_s);
    m_state->setAlignment(Qt::AlignCenter);
    m_state->setWordWrap(true);
    m_state->setForegroundRole(QPalette::PlaceholderText);

    auto *layout = new QVBoxLayout(this);
    layout->addStretch(2);
    layout->addWidget(title);
    layout->addSpacing(8);
    layout->addWidget(m_state);
    layout->addStretch(3);

    connect(m_source, &NodeSource::statusChanged, this, &PlaceholderPanel::showStatus);
    connect(m_source, &NodeSource::reachabilityChanged, this, &PlaceholderPanel::showStatus);
    showStatus();
}

void PlaceholderPanel::showStatus()
{
    const EngineCondition health = engineCondition(*m_source, m_engine);
    if (m_shownOnce && health == m_shown)
        return;
    m_shown = health;
    m_shownOnce = true;
    switch (health.state) {
    case EngineState::NotRunning:
        m_state->setText(tr("Engine not running on this node."));
        break;
    case EngineState::Unknown:
        m_state->setText(health.reason);
        break;
    case EngineState::Healthy:
        m_state->setText(tr("The engine runs on this node and is healthy. This version of the "
                            "console has no panel for it yet."));
        break;
    case EngineState::Unhealthy:
        m_state->setText(
            tr("The engine runs on this node and is unhealthy: %1").arg(health.reason));
        break;
    }
}

} // namespace Switchboard
