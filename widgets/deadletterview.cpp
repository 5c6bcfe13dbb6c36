#include "deadletterview.h"

#include "ingressmodels.h"

#include <QFontDatabase>
#include <QFormLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTableView>
#include <QVBoxLayout>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

QLabel *selectableLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    // Event ids and subjects are copied into tickets and log searches.
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}

QString timeText(const QJsonValue &value)
{
    const QDateTime time = statusTime(value);
    return time.isValid()
        ? u"%1 (%2)"_s.arg(statusTimeText(time), time.toUTC().toString(Qt::ISODateWithMs))
        : QString();
}

} // namespace

DeadLetterView::DeadLetterView(QWidget *parent)
    : QWidget(parent)
    , m_heading(new QLabel(this))
    , m_fields(new QFormLayout)
    , m_eventId(selectableLabel(this))
    , m_domain(selectableLabel(this))
    , m_reason(selectableLabel(this))
    , m_deliveries(selectableLabel(this))
    , m_received(selectableLabel(this))
    , m_failed(selectableLabel(this))
    , m_subject(selectableLabel(this))
    , m_attemptsTitle(new QLabel(tr("Last attempt per endpoint"), this))
    , m_attempts(new QTableView(this))
    , m_attemptsModel(new DeadLetterEndpointsModel(this))
    , m_body(new QPlainTextEdit(this))
{
    m_heading->setWordWrap(true);
    m_heading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont headingFont = m_heading->font();
    headingFont.setBold(true);
    m_heading->setFont(headingFont);

    m_fields->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_fields->addRow(tr("Event id:"), m_eventId);
    m_fields->addRow(tr("Domain:"), m_domain);
    m_fields->addRow(tr("Reason:"), m_reason);
    m_fields->addRow(tr("Deliveries:"), m_deliveries);
    m_fields->addRow(tr("Received:"), m_received);
    m_fields->addRow(tr("Failed:"), m_failed);
    m_fields->addRow(tr("Subject:"), m_subject);

    m_attempts->setObjectName(u"deadLetterAttempts"_s);
    m_attempts->setModel(m_attemptsModel);
    m_attempts->setSelectionMode(QAbstractItemView::NoSelection);
    m_attempts->verticalHeader()->hide();
    m_attempts->horizontalHeader()->setStretchLastSection(true);
    m_attempts->setWordWrap(false);
    m_attempts->setMaximumHeight(140);

    m_body->setObjectName(u"deadLetterBody"_s);
    m_body->setReadOnly(true);
    m_body->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_body->setPlaceholderText(tr("The event's body appears here."));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_heading);
    layout->addLayout(m_fields);
    layout->addWidget(m_attemptsTitle);
    layout->addWidget(m_attempts);
    layout->addWidget(new QLabel(tr("Body"), this));
    layout->addWidget(m_body, 1);

    showMessage(tr("Select a dead letter to see its body and what each endpoint answered."));
}

void DeadLetterView::setFieldsVisible(bool visible)
{
    for (int row = 0; row < m_fields->rowCount(); ++row)
        m_fields->setRowVisible(row, visible);
    m_attemptsTitle->setVisible(visible);
    m_attempts->setVisible(visible);
}

void DeadLetterView::showMessage(const QString &message)
{
    m_heading->setText(message);
    setFieldsVisible(false);
    m_attemptsModel->setOutcomes({});
    m_body->clear();
}

void DeadLetterView::showDetail(const QJsonObject &detail)
{
    const QString reason = detail.value(u"reason"_s).toString();
    m_heading->setText(tr("Dead letter %1").arg(detail.value(u"id"_s).toString()));
    m_eventId->setText(detail.value(u"event_id"_s).toString());
    m_domain->setText(detail.value(u"domain"_s).toString());
    m_reason->setText(reason == u"no_route"_s
                          ? tr("no route: no endpoint is configured for this domain")
                          : tr("deliveries used up: an endpoint failed every delivery"));
    m_deliveries->setText(QString::number(detail.value(u"deliveries"_s).toInt()));
    m_received->setText(timeText(detail.value(u"received_at"_s)));
    m_failed->setText(timeText(detail.value(u"failed_at"_s)));
    m_subject->setText(tr("%1 (event stream sequence %2)")
                           .arg(detail.value(u"subject"_s).toString(),
                                QString::number(detail.value(u"source_sequence"_s).toInteger())));
    setFieldsVisible(true);

    const QJsonArray endpoints = detail.value(u"endpoints"_s).toArray();
    m_attemptsModel->setOutcomes(endpoints);
    // A dead letter without a route never called anyone: an empty table says nothing.
    m_attemptsTitle->setVisible(!endpoints.isEmpty());
    m_attempts->setVisible(!endpoints.isEmpty());
    m_attempts->resizeColumnsToContents();

    if (detail.value(u"event"_s).isObject()) {
        m_body->setPlainText(QString::fromUtf8(
            QJsonDocument(detail.value(u"event"_s).toObject()).toJson(QJsonDocument::Indented)));
    } else {
        // Not JSON (or not an object): the bytes as they came.
        m_body->setPlainText(detail.value(u"event_raw"_s).toString());
    }
}

} // namespace Switchboard
