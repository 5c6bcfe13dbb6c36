#include "timeoutspanel.h"

#include "figuresbox.h"
#include "nodesource.h"
#include "timechart.h"

#include <QBarSeries>
#include <QBarSet>
#include <QBrush>
#include <QChart>
#include <QChartView>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLegend>
#include <QListWidget>
#include <QLocale>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

QColor problemColour()
{
    return QColor(0xb7, 0x1c, 0x1c);
}

// The leader line when nobody leads is as loud as the banner: nothing is notified then.
QString leaderStyle(bool red)
{
    return red ? u"QLabel { background: #c62828; color: white; font-weight: bold; padding: 6px; "
                 "border-radius: 3px; }"_s
               : u"QLabel { padding: 6px; }"_s;
}

QString redText(const QString &text)
{
    return u"<span style='color:#b71c1c'>"_s + text.toHtmlEscaped() + u"</span>"_s;
}

// Local time, with the date when it is not today.
QString timeText(qint64 ms)
{
    return statusTimeText(QDateTime::fromMSecsSinceEpoch(ms));
}

// "12 s", "4 min 10 s", "2 h 5 min".
QString spanText(qint64 ms)
{
    const qint64 seconds = (ms + 500) / 1000;
    if (seconds < 60)
        return TimeoutsPanel::tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return TimeoutsPanel::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return TimeoutsPanel::tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
}

// "in 12 s", "overdue 3 s": by the console's clock, which is the node's give or take the
// clocks' difference (the status document carries no clock of its own).
QString dueText(qint64 dueMs, qint64 nowMs)
{
    // Whole seconds up: "overdue 0 s" would read as "not overdue".
    const auto seconds = [](qint64 ms) {
        return (ms + 999) / 1000 * 1000;
    };
    return dueMs >= nowMs ? TimeoutsPanel::tr("in %1").arg(spanText(seconds(dueMs - nowMs)))
                          : TimeoutsPanel::tr("overdue %1").arg(spanText(seconds(nowMs - dueMs)));
}

QString perLevelText(const QJsonObject &levels)
{
    const QLocale locale;
    return TimeoutsPanel::tr("level 1: %1, level 2: %2, level 3: %3")
        .arg(locale.toString(levels.value(u"1"_s).toInteger()),
             locale.toString(levels.value(u"2"_s).toInteger()),
             locale.toString(levels.value(u"3"_s).toInteger()));
}

QString msText(double ms)
{
    // Below 10 ms the decimals matter; above they are noise.
    return QLocale().toString(ms, 'f', ms < 10 ? 2 : ms < 100 ? 1 : 0);
}

// 10, 20, 50, 100...: a value axis that does not twitch with every new peak.
double niceTop(double peak, double minimumTop)
{
    if (peak <= minimumTop)
        return minimumTop;
    const double magnitude = std::pow(10.0, std::floor(std::log10(peak)));
    for (const double step : {1.0, 2.0, 5.0}) {
        if (peak <= step * magnitude)
            return step * magnitude;
    }
    return 10 * magnitude;
}

} // namespace

// --- LongestWaitingModel ---

void LongestWaitingModel::update(const QJsonArray &longest, qint64 nowMs)
{
    QList<LongestWaitingRow> rows;
    rows.reserve(longest.size());
    for (const QJsonValue &value : longest) {
        const QJsonObject conversation = value.toObject();
        rows.append(
            {conversation.value(u"id"_s).toString(), conversation.value(u"agent_id"_s).toString(),
             conversation.value(u"waiting_since_ms"_s).toInteger(),
             conversation.value(u"level"_s).toInt(), conversation.value(u"next_level"_s).toInt(),
             conversation.value(u"next_due_ms"_s).toInteger()});
    }

    // Conversations answered, or past their last level, leave; the others keep their rows.
    for (qsizetype row = m_rows.size() - 1; row >= 0; --row) {
        const QString &id = m_rows.at(row).id;
        if (std::any_of(rows.cbegin(), rows.cend(),
                        [&id](const LongestWaitingRow &r) { return r.id == id; }))
            continue;
        beginRemoveRows({}, int(row), int(row));
        m_rows.removeAt(row);
        endRemoveRows();
    }
    // Longest first: newcomers arrive at the end. Anything else (a clock restarted by a second
    // agent message moves a conversation down) is a new table.
    bool samePrefix = m_rows.size() <= rows.size();
    for (qsizetype row = 0; samePrefix && row < m_rows.size(); ++row)
        samePrefix = m_rows.at(row).id == rows.at(row).id;
    const bool clockMoved = nowMs / 1000 != m_nowMs / 1000;
    m_nowMs = nowMs;
    if (!samePrefix) {
        resetRows(std::move(rows));
        return;
    }
    for (int row = 0; row < m_rows.size(); ++row) {
        if (rows.at(row) == m_rows.at(row))
            continue;
        m_rows[row] = rows.at(row);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    // "in 12 s" counts down with the clock even when nothing else changed.
    if (clockMoved && !m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, DueAt), index(int(m_rows.size()) - 1, DueAt));
    if (rows.size() > m_rows.size()) {
        beginInsertRows({}, int(m_rows.size()), int(rows.size()) - 1);
        m_rows.append(rows.mid(m_rows.size()));
        endInsertRows();
    }
}

QVariant LongestWaitingModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const LongestWaitingRow &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Conversation:
            return row.id;
        case Agent:
            return row.agent.isEmpty() ? tr("unknown") : row.agent;
        case WaitingSince:
            return timeText(row.waitingSinceMs);
        case Level:
            return row.level > 0 ? QLocale().toString(row.level) : tr("none yet");
        case NextLevel:
            return QLocale().toString(row.nextLevel);
        case DueAt:
            return tr("%1 (%2)").arg(timeText(row.nextDueMs), dueText(row.nextDueMs, m_nowMs));
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Level || index.column() == NextLevel)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        if (index.column() == DueAt && row.nextDueMs < m_nowMs)
            return QBrush(problemColour());
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Conversation:
        case Agent:
            return data(index, Qt::DisplayRole);
        case WaitingSince:
            return tr("%1, waiting for %2")
                .arg(QDateTime::fromMSecsSinceEpoch(row.waitingSinceMs).toString(Qt::ISODateWithMs),
                     spanText(m_nowMs - row.waitingSinceMs));
        case DueAt:
            return QDateTime::fromMSecsSinceEpoch(row.nextDueMs).toString(Qt::ISODateWithMs);
        default:
            break;
        }
        break;
    default:
        break;
    }
    return {};
}

QVariant LongestWaitingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Conversation:
            return tr("Conversation");
        case Agent:
            return tr("Agent");
        case WaitingSince:
            return tr("Waiting since");
        case Level:
            return tr("Level");
        case NextLevel:
            return tr("Next level");
        case DueAt:
            return tr("Due at");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case WaitingSince:
            return tr("The agent's last message, which the customer has not answered");
        case Level:
            return tr("The last level notified for this wait");
        case NextLevel:
            return tr("The level notified next");
        case DueAt:
            return tr("When the next level is due: waiting since + level × interval");
        default:
            break;
        }
    }
    return {};
}

// --- TimeoutsPanel ---

TimeoutsPanel::TimeoutsPanel(NodeSource *source, QWidget *parent)
    : EnginePanel(source, u"timeouts"_s,
                  {.waiting = tr("Waiting for the node's first status…"),
                   .notRunning = tr("Timeouts engine not running on this node."),
                   .unhealthy = tr("Timeouts is unhealthy: %1")},
                  parent)
    , m_leader(new QLabel(this))
    , m_leaderChanges(new QListWidget(this))
    , m_longest(new LongestWaitingModel(this))
{
    setObjectName(u"timeoutsPanel"_s);

    m_waiting = new TimeChart({.title = tr("Conversations waiting, and levels overdue"),
                               .unit = tr("count"),
                               .minimumTop = 10},
                              this);
    m_waiting->setObjectName(u"timeoutsWaitingChart"_s);
    m_perMinute = new TimeChart({.title = tr("Notifications per minute, per level (cluster)"),
                                 .unit = tr("per minute"),
                                 .minimumTop = 10},
                                this);
    m_perMinute->setObjectName(u"timeoutsPerMinuteChart"_s);

    QWidget *charts = sideBySide(m_waiting, m_perMinute);

    auto *longestBox = new QGroupBox(tr("Longest waiting"), this);
    m_longestTable = createTable(u"timeoutsLongestTable"_s, m_longest, longestBox);
    // Rows of one line each, so that the ten rows fit without scrolling.
    m_longestTable->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_longestTable->verticalHeader()->setDefaultSectionSize(m_longestTable->fontMetrics().height()
                                                            + 8);
    auto *longestLayout = new QVBoxLayout(longestBox);
    longestLayout->addWidget(m_longestTable);

    // What is waiting now, and what falls due next, below the time charts.
    auto *now = new QWidget(this);
    auto *nowLayout = new QHBoxLayout(now);
    nowLayout->setContentsMargins(0, 0, 0, 0);
    nowLayout->addWidget(longestBox, 3);
    nowLayout->addWidget(createForecast(), 2);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(charts);
    splitter->addWidget(now);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({280, 260});

    auto *top = new QWidget(this);
    auto *topLayout = new QHBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    // The leader's line is short and wraps; the figures are many.
    topLayout->addWidget(createLeaderBox(), 1);
    topLayout->addWidget(createFigures(), 2);

    auto *content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(top);
    contentLayout->addWidget(splitter, 1);
    setContent(content);

    connect(m_source, &NodeSource::statusChanged, this, &TimeoutsPanel::showStatus);
    connect(m_source, &NodeSource::reachabilityChanged, this, &TimeoutsPanel::showReachability);
    showReachability();
    showStatus();
}

QStringList TimeoutsPanel::leaderChanges() const
{
    QStringList lines;
    if (!m_noLeaderChangeYet) {
        for (int row = 0; row < m_leaderChanges->count(); ++row)
            lines.append(m_leaderChanges->item(row)->text());
    }
    return lines;
}

QWidget *TimeoutsPanel::createLeaderBox()
{
    auto *box = new QGroupBox(tr("Leader"), this);
    m_leader->setObjectName(u"timeoutsLeader"_s);
    m_leader->setWordWrap(true);
    m_leader->setTextFormat(Qt::RichText);
    m_leader->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_leader->setToolTip(tr("Who raises the notifications: the node holding the lease in Redis. "
                            "The epoch grows with every new leadership."));
    QFont leaderFont = m_leader->font();
    leaderFont.setPointSizeF(leaderFont.pointSizeF() * 1.15);
    m_leader->setFont(leaderFont);

    auto *caption = new QLabel(tr("Changes seen by this console, newest first:"), box);
    m_leaderChanges->setObjectName(u"timeoutsLeaderChanges"_s);
    m_leaderChanges->setParent(box);
    m_leaderChanges->setSelectionMode(QAbstractItemView::NoSelection);
    m_leaderChanges->setFocusPolicy(Qt::NoFocus);
    m_leaderChanges->setWordWrap(true);
    m_leaderChanges->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    // Five lines show; the list keeps maxLeaderChanges and scrolls.
    m_leaderChanges->setFixedHeight(5 * m_leaderChanges->fontMetrics().height() + 12);
    auto *none = new QListWidgetItem(tr("none yet"), m_leaderChanges);
    none->setForeground(palette().color(QPalette::Disabled, QPalette::Text));

    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_leader);
    layout->addWidget(caption);
    layout->addWidget(m_leaderChanges);
    layout->addStretch(1);
    return box;
}

QWidget *TimeoutsPanel::createFigures()
{
    auto *box = new FiguresBox(
        tr("Engine"),
        {
            {tr("Redis"), tr("Where the waiting conversations and the election live")},
            {tr("This node"), tr("This node's name in the election (POD_ID) and its part in it")},
            {tr("Waiting"), tr("Conversations waiting for a customer's reply")},
            {tr("Overdue"),
             tr("Levels due now and not yet notified: grows while no node leads, or while the "
                "leader's checks fall behind")},
            {tr("Timing"),
             tr("Level n is due n intervals after the agent's message; the leader "
                "checks for due levels this often")},
            {tr("Checks"),
             tr("How long the leader's last check took, its 99th percentile, and how "
                "many checks this node ran")},
            {tr("Notified"), tr("Notifications raised since the data began, cluster-wide")},
            {tr("By this node"), tr("Notifications this node raised while it led")},
            {tr("Leader changes"), tr("Changes of leader this node has seen since it started")},
            {tr("Webhook"), tr("Notifications posted to NOTIFICATION_WEBHOOK_URL by this node")},
            {tr("Last webhook error"), tr("The last failed delivery's reason")},
            {tr("API"), tr("Requests to /conversations/{id}/… this node answered")},
            {tr("Data lost"),
             tr("Times this node found that Redis had lost the timeouts' data (timeout:dataset "
                "gone): the conversations then waiting are notified no more. The node is "
                "unhealthy for 15 minutes after each; this stays until it restarts")},
        },
        2, this);
    m_figures = box->values();
    for (int figure = 0; figure < m_figures.size(); ++figure) {
        m_figures[figure]->setObjectName(u"timeoutsFigure%1"_s.arg(figure));
        m_figures[figure]->setTextFormat(Qt::RichText);
    }
    m_figures[Overdue]->setObjectName(u"timeoutsOverdue"_s);
    return box;
}

QWidget *TimeoutsPanel::createForecast()
{
    // QChart is a QGraphicsWidget (no QObject parent to give it): the view owns it.
    auto *chart = new QChart;
    chart->setTitle(tr("Notifications due in the next 30 minutes"));
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->setLocalizeNumbers(true);
    chart->legend()->hide();

    // One set of 30 bars, changed in place: replacing a value redraws one bar.
    m_forecast = new QBarSet(tr("due"));
    m_forecast->setColor(TimeChart::paletteColour(0));
    m_forecast->setBorderColor(TimeChart::paletteColour(0).darker(120));
    for (int minute = 0; minute < forecastMinutes; ++minute)
        m_forecast->append(0);
    auto *series = new QBarSeries(chart);
    series->setBarWidth(0.8);
    series->append(m_forecast); // the series owns the set
    chart->addSeries(series);

    // A value axis rather than categories: thirty labels would not fit; one every five does.
    auto *minutes = new QValueAxis(chart);
    minutes->setTitleText(tr("minutes from now"));
    minutes->setRange(-0.5, forecastMinutes - 0.5);
    minutes->setTickType(QValueAxis::TicksDynamic);
    minutes->setTickAnchor(0);
    minutes->setTickInterval(5);
    minutes->setLabelFormat(u"%d"_s);
    minutes->setGridLineVisible(false);
    chart->addAxis(minutes, Qt::AlignBottom);
    series->attachAxis(minutes);

    m_forecastAxis = new QValueAxis(chart);
    m_forecastAxis->setTitleText(tr("notifications"));
    m_forecastAxis->setTickType(QValueAxis::TicksDynamic);
    m_forecastAxis->setTickAnchor(0);
    setRangeAndTicks(m_forecastAxis, 10, 2);
    chart->addAxis(m_forecastAxis, Qt::AlignLeft);
    series->attachAxis(m_forecastAxis);

    m_forecastView = new QChartView(chart, this);
    m_forecastView->setObjectName(u"timeoutsForecastChart"_s);
    m_forecastView->setRenderHint(QPainter::Antialiasing, false);
    m_forecastView->setMinimumSize(320, 220);
    connect(m_forecast, &QBarSet::hovered, this, [this](bool inside, int minute) {
        m_forecastView->setToolTip(
            inside ? tr("Minute %1 from now: %2 due")
                         .arg(minute)
                         .arg(QLocale().toString(qint64(m_forecast->at(minute))))
                   : QString());
    });
    return m_forecastView;
}

void TimeoutsPanel::showStatus()
{
    const std::optional<QJsonObject> engine = showEngineStatus();
    if (!engine) {
        m_longest->clear();
        return;
    }
    const QJsonObject &timeouts = *engine;
    // Leader changes are history, like the charts: followed on screen or not.
    followLeader(timeouts);
    if (const std::optional<qint64> timeMs = pointDue())
        plot(timeouts, *timeMs);
    // A console watching several nodes shows one: the others' figures wait until shown.
    m_behind = !isVisible();
    if (m_behind)
        return;
    showLeader(timeouts);
    showFigures(timeouts);
    showForecast(timeouts.value(u"forecast"_s).toArray());
    showTable(timeouts);
}

void TimeoutsPanel::showEvent(QShowEvent *event)
{
    if (m_behind) {
        m_behind = false;
        const QJsonObject timeouts =
            m_source->status().value(u"engines"_s)[u"timeouts"_s].toObject();
        if (!timeouts.isEmpty()) {
            showLeader(timeouts);
            showFigures(timeouts);
            showForecast(timeouts.value(u"forecast"_s).toArray());
            showTable(timeouts);
        }
    }
    QWidget::showEvent(event);
}

void TimeoutsPanel::followLeader(const QJsonObject &timeouts)
{
    // A node that lost its Redis cannot tell who leads: the last leadership seen stands.
    if (!timeouts.value(u"redis_connected"_s).toBool())
        return;
    Leadership leadership;
    const QJsonObject leader = timeouts.value(u"leader"_s).toObject();
    if (!leader.isEmpty()) {
        leadership.pod = leader.value(u"pod"_s).toString();
        leadership.epoch = leader.value(u"epoch"_s).toInteger();
        leadership.sinceMs = leader.value(u"since_ms"_s).toInteger();
        // Epoch 0: the node read the lease of a leader whose leadership record it has not read
        // yet (they are two keys). The next status has both; a change is told with its epoch.
        if (leadership.epoch <= 0)
            return;
    }
    const qint64 seenMs = m_source->statusTime().toMSecsSinceEpoch();
    if (leadership.isNull())
        leadership.sinceMs =
            m_leadership.isNull() && m_leadershipKnown ? m_leadership.sinceMs : seenMs;
    if (!m_leadershipKnown) {
        // Where the console came in: nothing changed yet.
        m_leadershipKnown = true;
        m_leadership = leadership;
        if (!leadership.isNull())
            m_lastLeader = leadership;
        return;
    }
    if (leadership.sameAs(m_leadership)) {
        m_leadership.sinceMs = leadership.sinceMs;
        return;
    }
    const Leadership previous = m_leadership;
    m_leadership = leadership;

    const auto name = [](const Leadership &l) {
        return tr("%1 (epoch %2)").arg(l.pod).arg(l.epoch);
    };
    const QString node = m_source->displayName();
    const QDateTime now = QDateTime::currentDateTime();
    if (leadership.isNull()) {
        addLeaderChange(
            tr("Leader lost: %1 at %2, no node leads").arg(name(previous), timeText(seenMs)));
        Q_EMIT alertRaised(
            {ConsoleAlert::Level::Problem, now, u"timeouts"_s,
             tr("No timeouts leader on %1").arg(node),
             tr("%1 no longer leads; no node raises notifications").arg(name(previous))});
        return;
    }
    // The leadership's own start, by Redis' clock, rather than when this console heard of it.
    const QString at = timeText(leadership.sinceMs > 0 ? leadership.sinceMs : seenMs);
    if (m_lastLeader.isNull()) {
        addLeaderChange(tr("Leader elected: %1 at %2").arg(name(leadership), at));
        Q_EMIT alertRaised({ConsoleAlert::Level::Recovery, now, u"timeouts"_s,
                            tr("Timeouts leader elected on %1").arg(node), name(leadership)});
    } else {
        addLeaderChange(
            tr("Leader changed: %1 → %2 at %3").arg(name(m_lastLeader), name(leadership), at));
        // Straight from one leader to the next is news (the old one went away); after a time
        // with none, the alert of that time was the news and this is the way out of it.
        Q_EMIT alertRaised(
            {previous.isNull() ? ConsoleAlert::Level::Recovery : ConsoleAlert::Level::Problem, now,
             u"timeouts"_s, tr("Timeouts leader changed on %1").arg(node),
             tr("%1 → %2").arg(name(m_lastLeader), name(leadership))});
    }
    m_lastLeader = leadership;
}

void TimeoutsPanel::addLeaderChange(const QString &line)
{
    if (m_noLeaderChangeYet) {
        m_leaderChanges->clear();
        m_noLeaderChangeYet = false;
    }
    auto *item = new QListWidgetItem(line);
    item->setToolTip(line);
    m_leaderChanges->insertItem(0, item);
    while (m_leaderChanges->count() > maxLeaderChanges)
        delete m_leaderChanges->takeItem(m_leaderChanges->count() - 1);
}

void TimeoutsPanel::plot(const QJsonObject &timeouts, qint64 timeMs)
{
    // Without its Redis the node knows neither figure: a gap, rather than a drop to 0.
    if (!timeouts.value(u"redis_connected"_s).toBool())
        return;
    const auto line = [](TimeChart *chart, const QString &key, const QString &name,
                         qsizetype colour, Qt::PenStyle style) {
        if (chart->hasLine(key))
            return;
        QPen pen(TimeChart::paletteColour(colour));
        pen.setStyle(style);
        chart->addLine(key, name, pen);
    };
    line(m_waiting, u"waiting"_s, tr("waiting"), 0, Qt::SolidLine);
    line(m_waiting, u"overdue"_s, tr("levels overdue"), 1, Qt::DashLine);
    m_waiting->append(u"waiting"_s, timeMs, timeouts.value(u"waiting"_s).toDouble());
    m_waiting->append(u"overdue"_s, timeMs, timeouts.value(u"overdue"_s).toDouble());
    m_waiting->advance(timeMs);

    const QJsonObject perMinute = timeouts.value(u"notifications_per_minute"_s).toObject();
    for (int level = 1; level <= 3; ++level) {
        const QString key = QString::number(level);
        line(m_perMinute, key, tr("level %1").arg(level), 2 + level - 1, Qt::SolidLine);
        m_perMinute->append(key, timeMs, perMinute.value(key).toDouble());
    }
    m_perMinute->advance(timeMs);
}

void TimeoutsPanel::showLeader(const QJsonObject &timeouts)
{
    QString text;
    bool red = true;
    const QJsonObject leader = timeouts.value(u"leader"_s).toObject();
    if (!timeouts.value(u"redis_connected"_s).toBool()) {
        text = tr("Leader unknown: Redis %1 does not answer")
                   .arg(timeouts.value(u"redis"_s).toString())
                   .toHtmlEscaped();
    } else if (leader.isEmpty()) {
        text = tr("No leader since %1: no node raises notifications")
                   .arg(timeText(m_leadership.sinceMs))
                   .toHtmlEscaped();
    } else {
        red = false;
        const qint64 sinceMs = leader.value(u"since_ms"_s).toInteger();
        const qint64 forMs =
            std::max<qint64>(0, m_source->statusTime().toMSecsSinceEpoch() - sinceMs);
        text = tr("%1 leads, epoch %2, since %3 (for %4)")
                   .arg(u"<b>"_s + leader.value(u"pod"_s).toString().toHtmlEscaped() + u"</b>"_s,
                        leader.value(u"epoch"_s).toInteger() > 0
                            ? QLocale().toString(leader.value(u"epoch"_s).toInteger())
                            : u"…"_s,
                        timeText(sinceMs), spanText(forMs));
        if (timeouts.value(u"is_leader"_s).toBool())
            text += u" — <b>"_s + tr("this node").toHtmlEscaped() + u"</b>"_s;
    }
    const QString shown = (red ? u"r"_s : u"n"_s) + text;
    if (shown == m_shownLeader)
        return;
    if (m_shownLeader.isEmpty() || m_shownLeader.front() != shown.front())
        m_leader->setStyleSheet(leaderStyle(red));
    m_shownLeader = shown;
    m_leader->setText(text);
}

void TimeoutsPanel::showFigures(const QJsonObject &timeouts)
{
    const QLocale locale;
    const auto plain = [](const QString &text) {
        return text.toHtmlEscaped();
    };
    const QString redis = timeouts.value(u"redis"_s).toString();
    m_figures[Redis]->setText(timeouts.value(u"redis_connected"_s).toBool()
                                  ? plain(tr("%1, connected").arg(redis))
                                  : redText(tr("%1, not connected").arg(redis)));
    const QString pod = timeouts.value(u"pod_id"_s).toString();
    m_figures[ThisNode]->setText(
        plain(timeouts.value(u"is_leader"_s).toBool()
                  ? tr("%1, leader (epoch %2)")
                        .arg(pod, locale.toString(timeouts.value(u"epoch"_s).toInteger()))
                  : tr("%1, standby").arg(pod)));
    // Without its Redis the node counts nothing: "unknown", rather than a reassuring 0.
    const bool counted = timeouts.value(u"redis_connected"_s).toBool();
    m_figures[Waiting]->setText(counted ? locale.toString(timeouts.value(u"waiting"_s).toInteger())
                                        : plain(tr("unknown")));
    const qint64 overdue = timeouts.value(u"overdue"_s).toInteger();
    m_figures[Overdue]->setText(!counted          ? plain(tr("unknown"))
                                    : overdue > 0 ? redText(locale.toString(overdue))
                                                  : locale.toString(overdue));
    m_figures[Intervals]->setText(
        plain(tr("a level every %1, a check every %2 ms")
                  .arg(spanText(timeouts.value(u"interval_ms"_s).toInteger()),
                       locale.toString(timeouts.value(u"check_interval_ms"_s).toInteger()))));
    m_figures[Checks]->setText(
        plain(tr("last %1 ms, p99 %2 ms (checks: %3)")
                  .arg(msText(timeouts.value(u"check_last_ms"_s).toDouble()),
                       msText(timeouts.value(u"check_p99_ms"_s).toDouble()),
                       locale.toString(timeouts.value(u"checks"_s).toInteger()))));
    m_figures[Notified]->setText(
        plain(perLevelText(timeouts.value(u"notifications_total"_s).toObject())));
    m_figures[SentHere]->setText(
        plain(perLevelText(timeouts.value(u"sent_by_this_node"_s).toObject())));
    m_figures[LeaderChangesSeen]->setText(
        locale.toString(timeouts.value(u"leader_changes"_s).toInteger()));

    const QJsonObject webhook = timeouts.value(u"webhook"_s).toObject();
    if (!webhook.value(u"configured"_s).toBool()) {
        m_figures[Webhook]->setText(plain(tr("not configured on this node")));
        m_figures[Webhook]->setToolTip(tr("NOTIFICATION_WEBHOOK_URL is not set on this node"));
    } else {
        const qint64 failed = webhook.value(u"failed_attempts"_s).toInteger();
        const QString failedText = tr("failed attempts %1").arg(locale.toString(failed));
        m_figures[Webhook]->setText(
            plain(
                tr("delivered %1").arg(locale.toString(webhook.value(u"delivered"_s).toInteger())))
            + u", "_s + (failed > 0 ? redText(failedText) : plain(failedText)) + u", "_s
            + plain(tr("retrying %1, pending %2")
                        .arg(locale.toString(webhook.value(u"retrying"_s).toInteger()),
                             locale.toString(webhook.value(u"pending"_s).toInteger()))));
        if (const qint64 refused = webhook.value(u"refused"_s).toInteger(); refused > 0)
            m_figures[Webhook]->setText(
                m_figures[Webhook]->text() + u", "_s
                + redText(tr("set aside %1 (refused, in timeout:refused_notifications)")
                              .arg(locale.toString(refused))));
        m_figures[Webhook]->setToolTip(webhook.value(u"url"_s).toString());
    }
    const QString lastError = webhook.value(u"last_error"_s).toString();
    // A webhook's error can be a whole page of proxy text: its start says what failed, in two
    // lines or so, and the tooltip has it all.
    const QString shownError = m_figures[WebhookError]->fontMetrics().elidedText(
        lastError, Qt::ElideRight, m_figures[WebhookError]->fontMetrics().averageCharWidth() * 90);
    m_figures[WebhookError]->setText(lastError.isEmpty() ? plain(tr("none")) : redText(shownError));
    m_figures[WebhookError]->setToolTip(
        lastError.isEmpty() ? tr("The last failed delivery's reason") : lastError);

    // Red for as long as the node runs: the banner is gone 15 minutes after, and the log line
    // under the node's later warnings.
    const QJsonObject dataLost = timeouts.value(u"data_lost"_s).toObject();
    const qint64 losses = dataLost.value(u"count"_s).toInteger();
    if (dataLost.isEmpty())
        m_figures[DataLost]->setText(plain(tr("unknown")));
    else if (losses == 0)
        m_figures[DataLost]->setText(plain(tr("none")));
    else {
        QString lost = tr("%1, the last at %2")
                           .arg(locale.toString(losses),
                                timeText(dataLost.value(u"last_at_ms"_s).toInteger()));
        if (const qint64 waiting = dataLost.value(u"last_waiting"_s).toInteger(-1); waiting >= 0)
            lost +=
                u", "_s + tr("%1 conversations were waiting then").arg(locale.toString(waiting));
        m_figures[DataLost]->setText(redText(lost));
    }

    const QJsonObject api = timeouts.value(u"api"_s).toObject();
    m_figures[Api]->setText(
        plain(tr("agent messages %1, customer responses %2, bad requests %3")
                  .arg(locale.toString(api.value(u"agent_messages"_s).toInteger()),
                       locale.toString(api.value(u"customer_responses"_s).toInteger()),
                       locale.toString(api.value(u"bad_requests"_s).toInteger()))));
}

void TimeoutsPanel::showForecast(const QJsonArray &forecast)
{
    double peak = 0;
    for (int minute = 0; minute < forecastMinutes; ++minute) {
        const double due = minute < forecast.size() ? forecast.at(minute).toDouble() : 0;
        peak = std::max(peak, due);
        if (m_forecast->at(minute) != due)
            m_forecast->replace(minute, due);
    }
    const double top = niceTop(peak, 10);
    setRangeAndTicks(m_forecastAxis, top, top / 5);
}

void TimeoutsPanel::showTable(const QJsonObject &timeouts)
{
    m_longest->update(timeouts.value(u"longest_waiting"_s).toArray(),
                      m_source->statusTime().toMSecsSinceEpoch());
    if (m_longest->rowCount() > 0 && !m_columnsSized) {
        // Sized once, when the first rows arrive: sizing on every update would move columns
        // under the operator's mouse.
        m_longestTable->resizeColumnsToContents();
        const QFontMetrics metrics = m_longestTable->fontMetrics();
        m_longestTable->setColumnWidth(
            LongestWaitingModel::Conversation,
            std::max(m_longestTable->columnWidth(LongestWaitingModel::Conversation),
                     metrics.horizontalAdvance(u"conversation-000000"_s) + 16));
        m_columnsSized = true;
    }
}

} // namespace Switchboard
