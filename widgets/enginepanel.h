#pragma once

// What the tabs of the engines share: a red banner while the engine is unhealthy, an amber note
// while the node does not answer (for the panels that call showReachability()), and under them
// the panel's own content, or a placeholder while the node has sent no status or runs without
// the engine.

#include "nodesmodel.h"

#include <QJsonObject>
#include <QWidget>
#include <optional>

QT_BEGIN_NAMESPACE
class QAbstractItemModel;
class QLabel;
class QStackedWidget;
class QTableView;
QT_END_NAMESPACE

namespace Switchboard {

class NodeSource;

class EnginePanel : public QWidget
{
    Q_OBJECT

protected:
    // The panel's own words, translated in its own context.
    struct Texts
    {
        QString waiting; // before the node's first status
        QString notRunning; // the node runs without the engine
        QString unhealthy; // the banner; %1 is the engine's reason
    };

    // `engine` as in the status document ("sync"); it also names the banner, the note and the
    // placeholder ("syncBanner"...), which tests look for.
    EnginePanel(NodeSource *source, const QString &engine, const Texts &texts, QWidget *parent);

    // The page shown while the engine runs; once, from the derived constructor.
    void setContent(QWidget *content);
    // The engine's part of the latest status (engines.<engine>), with the content shown and the
    // banner brought up to date; nothing, with the placeholder shown, while there is none.
    std::optional<QJsonObject> showEngineStatus();
    // The amber note follows the node's reachability.
    virtual void showReachability();
    bool staleNoteShown() const;
    // The latest status's time when a chart point is due for it: a second after the last one
    // (the charts hold ten minutes), or at once after the clock was set back (TimeChart drops
    // what lies "ahead"; waiting for the clock to pass the last point froze the charts for as
    // long as it went back).
    std::optional<qint64> pointDue();

    // A tab's two time charts, one beside the other at equal width: their time axes need the
    // width, and the tabs look alike.
    QWidget *sideBySide(QWidget *left, QWidget *right);
    // A table as the console's tables look: whole rows selected, one line per cell.
    static QTableView *createTable(const QString &objectName, QAbstractItemModel *model,
                                   QWidget *parent);
    // createTable() over a proxy that sorts by the column whose header the operator clicks, by
    // the model's SortRole, in the model's Qt::InitialSortOrderRole first; the other order at
    // the second click, the model's own order again at the third. Until a click the rows keep
    // the model's order. The proxy keeps the order as rows change, and the selection on the
    // same item.
    static QTableView *createSortableTable(const QString &objectName, QAbstractItemModel *model,
                                           QWidget *parent);

    NodeSource *m_source;

private:
    QString m_engine;
    Texts m_texts;
    QLabel *m_banner;
    QLabel *m_staleNote;
    QStackedWidget *m_pages;
    QLabel *m_placeholder;
    EngineCondition m_shownHealth; // what the banner shows
    qint64 m_lastPointMs = 0;
};

} // namespace Switchboard
