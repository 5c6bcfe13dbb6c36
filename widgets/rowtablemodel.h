#pragma once

// What the console's tables fed by status documents and REST answers share: a flat list of
// rows of one value type, and the way a fresh list replaces the one shown. Each model keeps its
// own columns, data() and headerData() (and so its own tr() context).

#include <QAbstractTableModel>
#include <QList>

namespace Switchboard {

// The value a table sorts a column by (the number behind "1,234", the time behind "12:45:46"),
// for a QSortFilterProxyModel's sortRole: the displayed text would put 10 before 9. An invalid
// value (a figure the node does not know) counts as above every known one: last in ascending
// order, first in descending, where the operator looks for the worst.
inline constexpr int SortRole = Qt::UserRole + 64;

template<typename Row> class RowTableModel : public QAbstractTableModel
{
public:
    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_rows.size());
    }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : m_columnCount;
    }

    void clear()
    {
        if (m_rows.isEmpty())
            return;
        beginResetModel();
        m_rows.clear();
        endResetModel();
    }

protected:
    RowTableModel(int columnCount, QObject *parent)
        : QAbstractTableModel(parent)
        , m_columnCount(columnCount)
    {
    }

    // While every row stands for the same thing as before (`sameItem`: the same stream, the
    // same endpoint), the rows change in place, so that views keep their selection and scroll
    // position; anything else (another node, a new configuration) is a new table.
    void replaceRows(QList<Row> rows, bool (*sameItem)(const Row &, const Row &))
    {
        bool sameItems = rows.size() == m_rows.size();
        for (qsizetype i = 0; sameItems && i < rows.size(); ++i)
            sameItems = sameItem(rows.at(i), m_rows.at(i));
        if (!sameItems) {
            resetRows(std::move(rows));
            return;
        }
        // One signal for the rows that changed, not one per row: a sorting proxy checks the
        // order, and moves rows, once per update.
        int first = -1;
        int last = -1;
        for (int i = 0; i < rows.size(); ++i) {
            if (rows.at(i) == m_rows.at(i))
                continue;
            m_rows[i] = std::move(rows[i]);
            if (first < 0)
                first = i;
            last = i;
        }
        if (first >= 0)
            Q_EMIT dataChanged(index(first, 0), index(last, m_columnCount - 1));
    }

    void resetRows(QList<Row> rows)
    {
        beginResetModel();
        m_rows = std::move(rows);
        endResetModel();
    }

    QList<Row> m_rows;

private:
    int m_columnCount;
};

} // namespace Switchboard
