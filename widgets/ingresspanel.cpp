#include "ingresspanel.h"

#include "deadletterview.h"
#include "figuresbox.h"
#include "nodesource.h"
#include "timechart.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 chartWindowMs = 10 * 60 * 1000;
// GET /api/v1/ingress/dead-letters reads one JetStream message per row: the API's default
// page keeps a refresh cheap for the node, and a refresh never asks for more than its maximum.
constexpr int deadLetterPageSize = 50;
constexpr int maxDeadLetterPageSize = 500;

QString deadLettersPath()
{
    return u"/api/v1/ingress/dead-letters"_s;
}

QString deadLetterPath(quint64 id)
{
    return deadLettersPath() + u'/' + QString::number(id);
}

// Columns are sized to their contents once, when the first rows arrive: sizing on every update
// would cost a pass over every cell and move columns under the operator's mouse. Columns whose
// numbers grow get room for growing (counters, ids) so that they are not elided later.
void sizeColumnsOnce(QTableView *table, std::initializer_list<int> growingColumns)
{
    table->resizeColumnsToContents();
    const int roomy = table->fontMetrics().horizontalAdvance(QLocale().toString(99999999)) + 12;
    for (const int column : growingColumns)
        table->setColumnWidth(column, qMax(table->columnWidth(column), roomy));
}

} // namespace

IngressPanel::IngressPanel(NodeSource *source, QWidget *parent)
    : EnginePanel(source, u"ingress"_s,
                  {.waiting = tr("Waiting for the node's first status…"),
                   .notRunning = tr("Ingress engine not running on this node."),
                   .unhealthy = tr("Ingress is unhealthy: %1")},
                  parent)
    , m_endpoints(new IngressEndpointsModel(this))
    , m_deadLetters(new DeadLettersModel(this))
{
    auto *overview = new QWidget(this);
    auto *overviewLayout = new QHBoxLayout(overview);
    overviewLayout->setContentsMargins(0, 0, 0, 0);
    // The figures get the room of their longest line (in Portuguese too): at their box's
    // narrowest they wrapped to a second line that the pane had no height for, and read "NATS:
    // connected to" without the address.
    overviewLayout->addWidget(createFigures(), 3);
    overviewLayout->addWidget(createChart(), 2);

    auto *endpointsBox = new QGroupBox(tr("Endpoints"), this);
    m_endpointsTable = createSortableTable(u"ingressEndpointsTable"_s, m_endpoints, endpointsBox);
    auto *endpointsLayout = new QVBoxLayout(endpointsBox);
    endpointsLayout->addWidget(m_endpointsTable);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(overview);
    splitter->addWidget(endpointsBox);
    splitter->addWidget(createDeadLetters());
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 2);
    splitter->setStretchFactor(2, 3);
    setContent(splitter);

    // Each listing costs the node one JetStream call per row; when dead letters pour in, the
    // list follows them at most about once a second.
    m_listPause.setSingleShot(true);
    m_listPause.setInterval(1000);
    connect(&m_listPause, &QTimer::timeout, this, [this] {
        if (m_listAgain)
            refreshDeadLetters();
    });

    connect(m_source, &NodeSource::statusChanged, this, &IngressPanel::showStatus);
    connect(m_source, &NodeSource::reachabilityChanged, this, &IngressPanel::showReachability);
    showReachability();
    showStatus();
}

QAbstractItemModel *IngressPanel::deadLettersModel() const
{
    return m_deadLetters;
}

QWidget *IngressPanel::createFigures()
{
    auto *box = new FiguresBox(
        tr("Engine"),
        {
            {tr("Received"), tr("POST /events requests since the node started")},
            {tr("Published"), tr("Events JetStream acknowledged, answered 202")},
            {tr("Rejected"),
             tr("Answered 400 or 413 (invalid event) or 503 (NATS unavailable or too slow)")},
            {tr("Redeliveries"), tr("Deliveries after the first, because some endpoint failed")},
            {tr("Dead letters"), tr("Events this node turned into dead letters since it started")},
            {tr("Events/s"), tr("Events delivered to every endpoint of their domain, per second")},
            {tr("Forward latency"), tr("Time from sending a forward to its response")},
            {tr("Consumer pending"), tr("Events in the stream not yet delivered to this node")},
            {tr("In flight"), tr("Deliveries being forwarded now")},
            {tr("NATS"), tr("The connection the engine consumes events on")},
        },
        1, this);
    m_figures = box->values();
    box->keepToTop();
    return box;
}

QWidget *IngressPanel::createChart()
{
    m_failuresChart =
        new TimeChart({.title = tr("Forward failures per second by domain, last 10 minutes"),
                       .unit = tr("failures/s"),
                       .windowMs = chartWindowMs,
                       .minimumSpanMs = chartWindowMs,
                       .minimumTop = 1},
                      this);
    m_failuresChart->setObjectName(u"ingressFailuresChart"_s);
    return m_failuresChart;
}

QWidget *IngressPanel::createDeadLetters()
{
    auto *box = new QGroupBox(tr("Dead letters"), this);

    m_deadLetterCount = new QLabel(box);
    m_refreshButton = new QPushButton(tr("Refresh"), box);
    m_refreshButton->setObjectName(u"deadLettersRefreshButton"_s);
    m_refreshButton->setToolTip(tr("List the node's dead letters again"));
    m_olderButton = new QPushButton(tr("Load older"), box);
    m_olderButton->setObjectName(u"deadLettersOlderButton"_s);
    m_olderButton->setEnabled(false);
    connect(m_refreshButton, &QPushButton::clicked, this, [this] {
        // An operator who asks wants to hear how it went, even if nothing changed.
        showOutcome(tr("Listing the dead letters…"), false);
        m_refreshRequested = true;
        refreshDeadLetters();
    });
    connect(m_olderButton, &QPushButton::clicked, this, &IngressPanel::loadOlderDeadLetters);

    m_statusLabel = new QLabel(box);
    m_statusLabel->setObjectName(u"ingressStatusLabel"_s);
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_deadLettersTable = createTable(u"deadLettersTable"_s, m_deadLetters, box);
    m_deadLettersTable->setSelectionMode(QAbstractItemView::SingleSelection);
    keepPlaceAsRowsComeAbove(m_deadLettersTable);
    connect(m_deadLettersTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &IngressPanel::showSelectedDeadLetter);
    // A removed selected row reports a selection change; a model reset clears the selection
    // without one (QItemSelectionModel::reset emits nothing).
    connect(m_deadLetters, &QAbstractItemModel::modelReset, this,
            &IngressPanel::showSelectedDeadLetter);

    m_deadLetterView = new DeadLetterView(box);
    m_replayButton = new QPushButton(tr("Replay"), box);
    m_replayButton->setObjectName(u"replayButton"_s);
    m_replayButton->setToolTip(
        tr("Publish the event again: the endpoints that did not have it are called again"));
    m_deleteButton = new QPushButton(tr("Delete…"), box);
    m_deleteButton->setObjectName(u"deleteButton"_s);
    m_deleteButton->setToolTip(tr("Drop the dead letter for good"));
    connect(m_replayButton, &QPushButton::clicked, this, &IngressPanel::replaySelected);
    connect(m_deleteButton, &QPushButton::clicked, this, &IngressPanel::deleteSelected);

    auto *detail = new QWidget(box);
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_deadLetterView, 1);
    auto *actions = new QHBoxLayout;
    actions->addStretch(1);
    actions->addWidget(m_replayButton);
    actions->addWidget(m_deleteButton);
    detailLayout->addLayout(actions);

    auto *split = new QSplitter(Qt::Horizontal, box);
    split->setChildrenCollapsible(false);
    split->addWidget(m_deadLettersTable);
    split->addWidget(detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    auto *toolbar = new QHBoxLayout;
    toolbar->addWidget(m_deadLetterCount, 1);
    toolbar->addWidget(m_olderButton);
    toolbar->addWidget(m_refreshButton);

    auto *layout = new QVBoxLayout(box);
    layout->addLayout(toolbar);
    layout->addWidget(m_statusLabel);
    layout->addWidget(split, 1);

    showDeadLetterCount();
    updateButtons();
    return box;
}

// --- the status document ---

void IngressPanel::showStatus()
{
    const bool wasRunning = m_engineRunning;
    const std::optional<QJsonObject> engine = showEngineStatus();
    m_engineRunning = engine.has_value();
    if (!m_engineRunning) {
        if (wasRunning) {
            // Another process answers on this address now; its dead letters are listed when
            // an engine appears again.
            m_deadLetters->clear();
            m_deadLetterTotal = -1;
            m_nextBefore = 0;
            showDeadLetterCount();
            updateButtons();
        }
        return;
    }
    const QJsonObject &ingress = *engine;
    plotFailures(ingress);

    // The list is fetched again when this node makes a dead letter; changes made elsewhere (by
    // another node sharing the stream) wait for Refresh.
    const QJsonArray latest = ingress.value(u"latest_dead_letters"_s).toArray();
    const QString mark = u"%1/%2/%3"_s.arg(
        QString::number(ingress.value(u"dead_letters_no_route"_s).toInteger()),
        QString::number(ingress.value(u"dead_letters_max_deliveries"_s).toInteger()),
        latest.isEmpty() ? QString() : latest.first().toObject().value(u"id"_s).toString());
    if (!wasRunning || mark != m_deadLetterMark) {
        m_deadLetterMark = mark;
        refreshDeadLetters();
    }
    if (!wasRunning)
        updateButtons();

    // A console watching several nodes shows one: the others' figures wait until shown.
    m_tableBehind = !isVisible();
    if (!m_tableBehind)
        showDetails(ingress);
}

void IngressPanel::showDetails(const QJsonObject &ingress)
{
    showFigures(ingress);
    m_endpoints->update(ingress.value(u"endpoints"_s).toArray());
    if (!m_endpointColumnsSized && m_endpoints->rowCount() > 0) {
        sizeColumnsOnce(m_endpointsTable,
                        {IngressEndpointsModel::Delivered, IngressEndpointsModel::Failures,
                         IngressEndpointsModel::HttpErrors, IngressEndpointsModel::Timeouts,
                         IngressEndpointsModel::ConnectionErrors});
        m_endpointColumnsSized = true;
    }
}

void IngressPanel::showEvent(QShowEvent *event)
{
    if (m_tableBehind && m_engineRunning) {
        m_tableBehind = false;
        showDetails(
            m_source->status().value(u"engines"_s).toObject().value(u"ingress"_s).toObject());
    }
    QWidget::showEvent(event);
}

void IngressPanel::showReachability()
{
    const bool wasStale = staleNoteShown();
    EnginePanel::showReachability();
    if (wasStale && !staleNoteShown() && m_engineRunning)
        refreshDeadLetters(); // back: what happened meanwhile
}

void IngressPanel::showFigures(const QJsonObject &ingress)
{
    const QLocale locale;
    auto count = [&](QStringView key) {
        return ingress.value(key).toInteger();
    };
    auto countText = [&](QStringView key) {
        return locale.toString(count(key));
    };

    m_figures[Received]->setText(countText(u"received"));
    m_figures[Published]->setText(countText(u"published"));
    m_figures[Rejected]->setText(
        tr("%1 (%2 invalid, %3 unavailable)")
            .arg(locale.toString(count(u"rejected_invalid") + count(u"rejected_unavailable")),
                 countText(u"rejected_invalid"), countText(u"rejected_unavailable")));
    m_figures[Redeliveries]->setText(countText(u"redeliveries"));
    m_figures[DeadLetters]->setText(
        tr("%1 (%2 no route, %3 deliveries used up)")
            .arg(locale.toString(count(u"dead_letters_no_route")
                                 + count(u"dead_letters_max_deliveries")),
                 countText(u"dead_letters_no_route"), countText(u"dead_letters_max_deliveries")));
    m_figures[EventsPerSecond]->setText(
        locale.toString(ingress.value(u"events_per_second"_s).toDouble(), 'f', 1));
    m_figures[ForwardLatency]->setText(
        tr("p50 %1 ms, p99 %2 ms")
            .arg(locale.toString(ingress.value(u"forward_p50_ms"_s).toDouble(), 'f', 2),
                 locale.toString(ingress.value(u"forward_p99_ms"_s).toDouble(), 'f', 2)));
    const qint64 pending = count(u"consumer_pending");
    m_figures[ConsumerPending]->setText(pending < 0 ? tr("unknown while NATS is down")
                                                    : locale.toString(pending));
    m_figures[InFlight]->setText(countText(u"in_flight"));
    const QString natsUrl = ingress.value(u"nats"_s).toString();
    m_figures[Nats]->setText(ingress.value(u"nats_connected"_s).toBool()
                                 ? tr("connected to %1").arg(natsUrl)
                                 : tr("not connected to %1").arg(natsUrl));
}

// --- the failures chart ---

void IngressPanel::plotFailures(const QJsonObject &ingress)
{
    const QDateTime time = m_source->statusTime();
    const QString nodeStartedAt =
        m_source->status().value(u"node"_s).toObject().value(u"started_at"_s).toString();
    const std::optional<ForwardFailureRates::Rates> rates =
        m_failureRates.sample(ingress.value(u"endpoints"_s).toArray(), nodeStartedAt, time);
    if (rates)
        appendFailureRates(*rates, time.toMSecsSinceEpoch());
}

void IngressPanel::appendFailureRates(const ForwardFailureRates::Rates &rates, qint64 timeMs)
{
    for (const auto &[domain, rate] : rates) {
        if (!m_failuresChart->hasLine(domain)) {
            QPen pen(TimeChart::paletteColour(m_domainsPlotted++));
            pen.setWidthF(1.0);
            m_failuresChart->addLine(domain, domain, pen);
        }
        m_failuresChart->append(domain, timeMs, rate);
    }
    m_failuresChart->advance(timeMs);
}

// --- dead letters ---

void IngressPanel::refreshDeadLetters()
{
    if (m_listInFlight || m_listPause.isActive()) {
        m_listAgain = true;
        return;
    }
    m_listInFlight = true;
    m_listAgain = false;
    // As many rows as the table shows now, so that older pages loaded stay loaded.
    const int limit = qBound(deadLetterPageSize, m_deadLetters->rowCount(), maxDeadLetterPageSize);
    m_source->request(
        "GET", deadLettersPath() + u"?limit="_s + QString::number(limit), this,
        [this](int status, const QJsonObject &body) {
            m_listInFlight = false;
            // A Refresh pressed while this listing was under way is answered by the next one.
            const bool answersRefresh = m_refreshRequested && !m_listAgain;
            if (answersRefresh)
                m_refreshRequested = false;
            if (status == 200) {
                // A listing asks for 500 rows at most: older pages loaded beyond them stay, and
                // so does the place to load more from.
                const quint64 nextBefore = body.value(u"next_before"_s).toString().toULongLong();
                if (!m_deadLetters->setLetters(body.value(u"dead_letters"_s).toArray(),
                                               nextBefore == 0))
                    m_nextBefore = nextBefore;
                m_deadLetterTotal = body.value(u"total"_s).toInteger();
                if (!m_deadLetterColumnsSized && m_deadLetters->rowCount() > 0) {
                    sizeColumnsOnce(m_deadLettersTable, {DeadLettersModel::Id});
                    m_deadLetterColumnsSized = true;
                }
                if (answersRefresh)
                    showOutcome(tr("Dead letters listed at %1.")
                                    .arg(statusTimeText(QDateTime::currentDateTime())),
                                false);
                else if (m_statusIsListError)
                    showOutcome({}, false);
                reloadFailedDeadLetter();
            } else {
                showOutcome(
                    tr("Could not list the dead letters: %1").arg(failureText(status, body)), true);
                m_statusIsListError = true;
            }
            showDeadLetterCount();
            m_listPause.start();
        });
}

void IngressPanel::loadOlderDeadLetters()
{
    if (m_nextBefore == 0 || m_olderInFlight)
        return;
    m_olderInFlight = true;
    m_olderButton->setEnabled(false);
    m_source->request(
        "GET",
        deadLettersPath() + u"?limit="_s + QString::number(deadLetterPageSize) + u"&before="_s
            + QString::number(m_nextBefore),
        this, [this](int status, const QJsonObject &body) {
            m_olderInFlight = false;
            if (status == 200) {
                m_deadLetters->appendOlder(body.value(u"dead_letters"_s).toArray());
                m_deadLetterTotal = body.value(u"total"_s).toInteger();
                m_nextBefore = body.value(u"next_before"_s).toString().toULongLong();
            } else {
                showOutcome(
                    tr("Could not list older dead letters: %1").arg(failureText(status, body)),
                    true);
            }
            showDeadLetterCount();
        });
}

void IngressPanel::showDeadLetterCount()
{
    const int shown = m_deadLetters->rowCount();
    if (m_deadLetterTotal < 0)
        m_deadLetterCount->setText(tr("Dead letters not listed yet"));
    else if (m_deadLetterTotal == 0)
        m_deadLetterCount->setText(tr("No dead letters: every event reached its endpoints"));
    else
        m_deadLetterCount->setText(
            tr("%n dead letter(s) kept, newest first; %1 shown", nullptr, int(m_deadLetterTotal))
                .arg(shown));
    m_olderButton->setEnabled(m_nextBefore != 0 && !m_olderInFlight);
}

quint64 IngressPanel::selectedDeadLetter() const
{
    const QModelIndexList rows = m_deadLettersTable->selectionModel()->selectedRows();
    return rows.isEmpty() ? 0 : m_deadLetters->idAt(rows.first().row());
}

void IngressPanel::showSelectedDeadLetter()
{
    const quint64 id = selectedDeadLetter();
    updateButtons();
    if (id == m_shownDeadLetter)
        return;
    m_shownDeadLetter = id;
    m_deadLetterDetailFailed = false;
    if (id == 0) {
        m_deadLetterView->showMessage(
            tr("Select a dead letter to see its body and what each endpoint answered."));
        return;
    }
    m_deadLetterView->showMessage(tr("Loading dead letter %1…").arg(id));
    m_source->request(
        "GET", deadLetterPath(id), this, [this, id](int status, const QJsonObject &body) {
            if (id != m_shownDeadLetter)
                return; // another one was selected meanwhile
            if (status == 200)
                return m_deadLetterView->showDetail(body);
            m_deadLetterDetailFailed = true;
            m_deadLetterView->showMessage(tr("Could not load dead letter %1: %2")
                                              .arg(QString::number(id), failureText(status, body)));
        });
}

void IngressPanel::reloadFailedDeadLetter()
{
    // The detail failed (the node did not answer, or could not then), and the listing just
    // answered with the letter still in it: the node can tell it now.
    if (!m_deadLetterDetailFailed || m_shownDeadLetter == 0
        || selectedDeadLetter() != m_shownDeadLetter)
        return;
    m_shownDeadLetter = 0;
    showSelectedDeadLetter();
}

void IngressPanel::replaySelected()
{
    const quint64 id = selectedDeadLetter();
    if (id == 0 || m_actionTarget != 0)
        return;
    actOnDeadLetter(
        id, "POST", deadLetterPath(id) + u"/replay"_s, tr("Replaying dead letter %1…").arg(id),
        [id](const QJsonObject &body) {
            return tr("Dead letter %1 replayed: event %2 published again (sequence %3).")
                .arg(QString::number(id), body.value(u"event_id"_s).toString(),
                     QString::number(body.value(u"sequence"_s).toInteger()));
        },
        tr("Replay of dead letter %1 failed: %2"));
}

void IngressPanel::deleteSelected()
{
    const quint64 id = selectedDeadLetter();
    if (id == 0 || m_actionTarget != 0)
        return;
    const int row = m_deadLetters->rowOf(id);
    const QString eventId = m_deadLetters->index(row, DeadLettersModel::EventId).data().toString();
    const QString domain = m_deadLetters->index(row, DeadLettersModel::Domain).data().toString();

    // Window-modal and asynchronous: statuses keep arriving while the operator decides, and a
    // test can find the box among the panel's children.
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete dead letter"),
                                tr("Delete dead letter %1?").arg(id), QMessageBox::NoButton, this);
    box->setObjectName(u"deleteConfirmation"_s);
    box->setInformativeText(tr("Event %1 for %2 is dropped for good: it cannot be replayed "
                               "afterwards.")
                                .arg(eventId, domain));
    QPushButton *confirm = box->addButton(tr("Delete"), QMessageBox::DestructiveRole);
    box->setDefaultButton(box->addButton(QMessageBox::Cancel));
    box->setWindowModality(Qt::WindowModal);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, confirm, id] {
        if (box->clickedButton() == confirm)
            deleteDeadLetter(id);
    });
    box->open();
}

void IngressPanel::deleteDeadLetter(quint64 id)
{
    if (m_actionTarget != 0)
        return;
    actOnDeadLetter(
        id, "DELETE", deadLetterPath(id), tr("Deleting dead letter %1…").arg(id),
        [id](const QJsonObject &) { return tr("Dead letter %1 deleted.").arg(id); },
        tr("Deleting dead letter %1 failed: %2"));
}

void IngressPanel::actOnDeadLetter(quint64 id, const QByteArray &method, const QString &path,
                                   const QString &progress,
                                   const std::function<QString(const QJsonObject &body)> &done,
                                   const QString &failed)
{
    m_actionTarget = id;
    updateButtons();
    showOutcome(progress, false);
    m_source->request(
        method, path, this, [this, id, done, failed](int status, const QJsonObject &body) {
            m_actionTarget = 0;
            const bool unansweredBefore = m_unanswered.remove(id);
            if (status >= 200 && status < 300) {
                showOutcome(done(body), false);
                dropDeadLetter(id);
            } else if (status == 404) {
                // Pressed again after a call whose answer was lost: that call did it.
                showOutcome(unansweredBefore
                                ? tr("Dead letter %1 is gone: the earlier call, whose answer was "
                                     "lost, went through.")
                                      .arg(id)
                                : tr("Dead letter %1 is gone already (replayed or deleted "
                                     "elsewhere).")
                                      .arg(id),
                            !unansweredBefore);
                dropDeadLetter(id);
            } else if (status == 0) {
                // A lost answer (a timeout, a connection cut) says nothing of whether the node
                // did it: the listing shows.
                m_unanswered.insert(id);
                showOutcome(failed.arg(QString::number(id), failureText(status, body)) + u' '
                                + tr("If the call reached the node, it was done all the same: "
                                     "the list is read again."),
                            true);
                refreshDeadLetters();
            } else {
                showOutcome(failed.arg(QString::number(id), failureText(status, body)), true);
            }
            updateButtons();
        });
}

void IngressPanel::dropDeadLetter(quint64 id)
{
    const int row = m_deadLetters->rowOf(id);
    const bool wasSelected = row >= 0 && selectedDeadLetter() == id;
    m_deadLetters->removeLetter(id);
    if (m_deadLetterTotal > 0 && row >= 0)
        --m_deadLetterTotal;
    // Working through a list of dead letters one by one: the next one is ready.
    if (wasSelected && m_deadLetters->rowCount() > 0)
        m_deadLettersTable->selectRow(qMin(row, m_deadLetters->rowCount() - 1));
    showDeadLetterCount();
    refreshDeadLetters();
}

void IngressPanel::updateButtons()
{
    const bool enabled = m_engineRunning && m_actionTarget == 0 && selectedDeadLetter() != 0;
    m_replayButton->setEnabled(enabled);
    m_deleteButton->setEnabled(enabled);
    m_refreshButton->setEnabled(m_engineRunning);
}

void IngressPanel::showOutcome(const QString &text, bool error)
{
    m_statusIsListError = false;
    m_statusLabel->setStyleSheet(error ? u"QLabel { color: #b71c1c; }"_s : QString());
    m_statusLabel->setText(text);
}

QString IngressPanel::failureText(int status, const QJsonObject &body) const
{
    QString detail = body.value(u"detail"_s).toString();
    if (detail.isEmpty())
        detail = body.value(u"error"_s).toString();
    switch (status) {
    case 0:
        return tr("%1 did not answer (%2)").arg(m_source->displayName(), detail);
    case 401:
        return tr("%1 wants its API token (401: %2); give it to the console for this node")
            .arg(m_source->displayName(), detail);
    case 403:
        return tr("%1 refused the call (403: %2); the console needs this node's API token")
            .arg(m_source->displayName(), detail);
    case 404:
        return tr("not found (404: %1)").arg(detail);
    case 503:
        return tr("the node cannot do it now (503: %1)").arg(detail);
    default:
        return tr("the node answered HTTP %1 (%2)").arg(QString::number(status), detail);
    }
}

} // namespace Switchboard
