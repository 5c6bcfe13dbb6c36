#pragma once

// One dead letter in full, as GET /api/v1/ingress/dead-letters/{id} tells it: where it was
// going, what each endpoint answered on the last attempt, and the event's body. It only shows;
// the Ingress panel decides what to load.

#include <QWidget>

class QFormLayout;
class QJsonObject;
class QLabel;
class QPlainTextEdit;
class QTableView;

namespace Switchboard {

class DeadLetterEndpointsModel;

class DeadLetterView : public QWidget
{
    Q_OBJECT

public:
    explicit DeadLetterView(QWidget *parent = nullptr);

    // Nothing to show but a sentence: none selected, loading, or why the detail is missing.
    void showMessage(const QString &message);
    void showDetail(const QJsonObject &detail);

private:
    void setFieldsVisible(bool visible);

    QLabel *m_heading;
    QFormLayout *m_fields;
    QLabel *m_eventId;
    QLabel *m_domain;
    QLabel *m_reason;
    QLabel *m_deliveries;
    QLabel *m_received;
    QLabel *m_failed;
    QLabel *m_subject;
    QLabel *m_attemptsTitle;
    QTableView *m_attempts;
    DeadLetterEndpointsModel *m_attemptsModel;
    QPlainTextEdit *m_body;
};

} // namespace Switchboard
