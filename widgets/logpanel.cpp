#include "logpanel.h"

#include "nodesource.h"

#include <QBrush>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

QString recordKey(const QJsonObject &record)
{
    return record.value(u"time"_s).toString() + u'\x1f' + record.value(u"category"_s).toString()
        + u'\x1f' + record.value(u"message"_s).toString();
}

} // namespace

void LogModel::addNodeRecords(const QJsonArray &logs)
{
    // The ring grows at its end. Walking back from the newest record to the first one already
    // held finds what is new without comparing the whole ring four times a second. (Two
    // identical records within the same millisecond count as one.)
    QList<Entry> fresh;
    for (qsizetype i = logs.size() - 1; i >= 0; --i) {
        const QJsonObject record = logs.at(i).toObject();
        QString key = recordKey(record);
        if (m_seenRecords.contains(key))
            break;
        fresh.prepend({statusTime(record.value(u"time"_s)), record.value(u"level"_s).toString(),
                       record.value(u"category"_s).toString(),
                       record.value(u"message"_s).toString(), std::move(key)});
    }
    if (fresh.isEmpty())
        return;
    for (const Entry &entry : std::as_const(fresh))
        m_seenRecords.insert(entry.recordKey);

    // Usually all of them are newer than every row: one insertion at the top.
    const bool allNewer =
        m_entries.isEmpty() || fresh.constFirst().time >= m_entries.constLast().time;
    if (allNewer
        && std::is_sorted(fresh.cbegin(), fresh.cend(),
                          [](const Entry &a, const Entry &b) { return a.time < b.time; })) {
        beginInsertRows({}, 0, int(fresh.size()) - 1);
        m_entries.append(std::move(fresh));
        endInsertRows();
        dropOldest();
        return;
    }
    for (Entry &entry : fresh)
        insert(std::move(entry));
}

void LogModel::addAlert(const ConsoleAlert &alert)
{
    const bool problem = alert.level == ConsoleAlert::Level::Problem;
    insert({alert.time.toUTC(), problem ? u"alert"_s : u"recovery"_s, QString(),
            alert.message.isEmpty() ? alert.title : alert.title + u": "_s + alert.message,
            QString()});
}

void LogModel::insert(Entry entry)
{
    // The node's clock and this machine's may differ a little: a record goes where its time
    // puts it, an alert at the top more often than not.
    const auto position =
        std::upper_bound(m_entries.cbegin(), m_entries.cend(), entry.time,
                         [](const QDateTime &time, const Entry &held) { return time < held.time; });
    const qsizetype index = position - m_entries.cbegin();
    const int row = int(m_entries.size() - index);
    beginInsertRows({}, row, row);
    m_entries.insert(index, std::move(entry));
    endInsertRows();
    dropOldest();
}

void LogModel::dropOldest()
{
    const qsizetype excess = m_entries.size() - maxEntries;
    if (excess <= 0)
        return;
    const int total = int(m_entries.size());
    beginRemoveRows({}, total - int(excess), total - 1);
    for (qsizetype i = 0; i < excess; ++i) {
        if (!m_entries.at(i).recordKey.isEmpty())
            m_seenRecords.remove(m_entries.at(i).recordKey);
    }
    m_entries.remove(0, excess);
    endRemoveRows();
}

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int LogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const Entry &entry = this->entry(index.row());
    const bool alert = entry.level == u"alert";
    const bool recovery = entry.level == u"recovery";
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return statusTimeText(entry.time);
        case Level:
            if (alert)
                return tr("Alert");
            if (recovery)
                return tr("Recovered");
            if (entry.level == u"error")
                return tr("Error");
            if (entry.level == u"warning")
                return tr("Warning");
            return entry.level;
        case Source:
            return entry.source.isEmpty() ? tr("console") : entry.source;
        case Message:
            return entry.message;
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == Time)
            return entry.time.toLocalTime().toString(Qt::ISODateWithMs);
        if (index.column() == Message)
            return entry.message;
        break;
    case Qt::ForegroundRole:
        if (alert || entry.level == u"error")
            return QBrush(QColor(0xb7, 0x1c, 0x1c));
        if (entry.level == u"warning")
            return QBrush(QColor(0x8a, 0x5a, 0x00));
        if (recovery)
            return QBrush(QColor(0x1b, 0x6e, 0x34));
        break;
    case Qt::BackgroundRole:
        if (alert)
            return QBrush(QColor(0xfd, 0xec, 0xea));
        break;
    case Qt::FontRole:
        if (alert || recovery) {
            QFont font;
            font.setBold(true);
            return font;
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Level:
        return tr("Level");
    case Source:
        return tr("Source");
    case Message:
        return tr("Message");
    }
    return {};
}

LogPanel::LogPanel(NodeSource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_model(new LogModel(this))
    , m_filtered(new QSortFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_count(new QLabel(this))
    , m_table(new QTableView(this))
{
    m_filtered->setSourceModel(m_model);
    m_filtered->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_filtered->setFilterKeyColumn(-1);

    m_filter->setObjectName(u"logFilter"_s);
    m_filter->setPlaceholderText(tr("Filter: text in any column"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_filtered->setFilterFixedString(text);
        showCount();
    });

    m_table->setObjectName(u"logTable"_s);
    m_table->setModel(m_filtered);
    m_table->verticalHeader()->hide();
    // Rows of one line each: the tooltip has the whole message.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->setWordWrap(false);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    keepPlaceAsRowsComeAbove(m_table);
    QHeaderView *header = m_table->horizontalHeader();
    header->setStretchLastSection(true);
    const QFontMetrics metrics = m_table->fontMetrics();
    // Wide enough for a time of another day, with its date in the locale's format.
    const QString widestTime =
        QLocale().toString(QDate(2026, 12, 28), QLocale::ShortFormat) + u" 88:88:88"_s;
    m_table->setColumnWidth(LogModel::Time, metrics.horizontalAdvance(widestTime) + 16);
    m_table->setColumnWidth(LogModel::Level, metrics.horizontalAdvance(tr("Recovered")) + 24);
    m_table->setColumnWidth(LogModel::Source,
                            metrics.horizontalAdvance(u"switchboard.ingress"_s) + 24);

    auto *toolbar = new QHBoxLayout;
    toolbar->addWidget(m_filter, 1);
    toolbar->addWidget(m_count);

    auto *note = new QLabel(tr("Newest first: the node's recent warnings and errors, and the "
                               "console's alerts about it."),
                            this);
    note->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(note);
    layout->addLayout(toolbar);
    layout->addWidget(m_table, 1);

    // Rows come, and past maxEntries the oldest go, in the same call.
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &LogPanel::showCount);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &LogPanel::showCount);
    connect(m_source, &NodeSource::statusChanged, this, &LogPanel::showStatus);
    showStatus();
    showCount();
}

void LogPanel::addAlert(const ConsoleAlert &alert)
{
    m_model->addAlert(alert);
}

void LogPanel::showStatus()
{
    m_model->addNodeRecords(m_source->status().value(u"logs"_s).toArray());
}

void LogPanel::showCount()
{
    const int shown = m_filtered->rowCount();
    const int total = m_model->rowCount();
    m_count->setText(shown == total ? tr("Rows: %1").arg(total)
                                    : tr("Rows: %1 of %2").arg(shown).arg(total));
}

} // namespace Switchboard
