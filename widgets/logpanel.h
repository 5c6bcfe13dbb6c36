#pragma once

// A node's log as an operator reads it: its recent warnings and errors (the "logs" of its
// status document) and the console's own alerts about it, newest first.

#include "nodesmodel.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QList>
#include <QSet>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QJsonArray;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
QT_END_NAMESPACE

namespace Switchboard {

class NodeSource;

class LogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Time, Level, Source, Message, ColumnCount };

    struct Entry
    {
        QDateTime time;
        QString level; // "error", "warning"; "alert" or "recovery" for the console's own
        QString source; // the logging category, or empty for the console
        QString message;
        QString recordKey; // a node record's identity; empty for an alert
    };

    // The console keeps more than a node's ring (200 records), so that what scrolled out of
    // the node is still there; beyond this the oldest rows go.
    static constexpr int maxEntries = 2000;

    using QAbstractTableModel::QAbstractTableModel;

    // A status document's "logs" (oldest first): the records not seen yet become rows.
    void addNodeRecords(const QJsonArray &logs);
    void addAlert(const ConsoleAlert &alert);
    const Entry &entry(int row) const { return m_entries.at(m_entries.size() - 1 - row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void insert(Entry entry);
    void dropOldest();

    // Oldest first, the reverse of the rows: new records are appended and the oldest leave
    // from the front, neither of which moves the entries in between.
    QList<Entry> m_entries;
    QSet<QString> m_seenRecords; // the node records held, by time, category and message
};

class LogPanel : public QWidget
{
    Q_OBJECT

public:
    explicit LogPanel(NodeSource *source, QWidget *parent = nullptr);

    void addAlert(const ConsoleAlert &alert);
    LogModel *model() const { return m_model; }

private:
    void showStatus();
    void showCount();

    NodeSource *m_source;
    LogModel *m_model;
    QSortFilterProxyModel *m_filtered;
    QLineEdit *m_filter;
    QLabel *m_count;
    QTableView *m_table;
};

} // namespace Switchboard
