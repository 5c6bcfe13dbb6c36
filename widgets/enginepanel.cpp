#include "enginepanel.h"

#include "nodesource.h"
#include "rowtablemodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

EnginePanel::EnginePanel(NodeSource *source, const QString &engine, const Texts &texts,
                         QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_engine(engine)
    , m_texts(texts)
    , m_banner(new QLabel(this))
    , m_staleNote(new QLabel(this))
    , m_pages(new QStackedWidget(this))
    , m_placeholder(new QLabel(this))
{
    setUpAlertBanner(m_banner, engine + u"Banner"_s);
    setUpStaleNote(m_staleNote, engine + u"StaleNote"_s);
    m_placeholder->setObjectName(engine + u"Placeholder"_s);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_pages->addWidget(m_placeholder);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_banner);
    layout->addWidget(m_staleNote);
    layout->addWidget(m_pages, 1);
}

void EnginePanel::setContent(QWidget *content)
{
    m_pages->addWidget(content);
}

std::optional<QJsonObject> EnginePanel::showEngineStatus()
{
    const QJsonObject &status = m_source->status();
    const QJsonObject engines = status.value(u"engines"_s).toObject();
    if (!engines.contains(m_engine)) {
        // An engine the node runs has figures once it published its first snapshot; until
        // then only its health says it is there (starting: no status yet). "Not running on
        // this node" read as a configuration mistake, under a tab whose dot said starting.
        const bool expected = status.value(u"health"_s).toObject().contains(m_engine);
        m_placeholder->setText(status.isEmpty() ? m_texts.waiting
                                   : expected
                                   ? tr("No figures yet: the engine has not reported since its "
                                        "node started.")
                                   : m_texts.notRunning);
        m_pages->setCurrentWidget(m_placeholder);
        if (expected) {
            showEngineBanner(m_banner, *m_source, m_engine, m_shownHealth, m_texts.unhealthy);
        } else {
            m_banner->hide();
            m_shownHealth = {};
        }
        return std::nullopt;
    }
    m_pages->setCurrentIndex(1);
    showEngineBanner(m_banner, *m_source, m_engine, m_shownHealth, m_texts.unhealthy);
    return engines.value(m_engine).toObject();
}

void EnginePanel::showReachability()
{
    showStaleNote(m_staleNote, *m_source);
}

bool EnginePanel::staleNoteShown() const
{
    return m_staleNote->isVisibleTo(this);
}

QWidget *EnginePanel::sideBySide(QWidget *left, QWidget *right)
{
    auto *row = new QWidget(this);
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(left, 1);
    layout->addWidget(right, 1);
    return row;
}

QTableView *EnginePanel::createTable(const QString &objectName, QAbstractItemModel *model,
                                     QWidget *parent)
{
    auto *table = new QTableView(parent);
    table->setObjectName(objectName);
    table->setModel(model);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setStretchLastSection(true);
    table->setWordWrap(false);
    table->setAlternatingRowColors(true);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    return table;
}

QTableView *EnginePanel::createSortableTable(const QString &objectName, QAbstractItemModel *model,
                                             QWidget *parent)
{
    auto *sorted = new QSortFilterProxyModel(model);
    sorted->setObjectName(objectName + u"Sorted"_s);
    sorted->setSourceModel(model);
    sorted->setSortRole(SortRole);
    sorted->setSortCaseSensitivity(Qt::CaseInsensitive);
    QTableView *table = createTable(objectName, sorted, parent);
    QHeaderView *header = table->horizontalHeader();
    // No column until the operator clicks one: setSortingEnabled() sorts by the indicator's.
    header->setSortIndicator(-1, Qt::AscendingOrder);
    header->setSortIndicatorClearable(true);
    table->setSortingEnabled(true);
    return table;
}

std::optional<qint64> EnginePanel::pointDue()
{
    constexpr qint64 pointIntervalMs = 1000;
    const qint64 timeMs = m_source->statusTime().toMSecsSinceEpoch();
    if (timeMs >= m_lastPointMs && timeMs - m_lastPointMs < pointIntervalMs)
        return std::nullopt;
    m_lastPointMs = timeMs;
    return timeMs;
}

} // namespace Switchboard
