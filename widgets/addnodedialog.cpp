#include "addnodedialog.h"

#include "consolesettings.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

AddNodeDialog::AddNodeDialog(const QList<QUrl> &listed, QWidget *parent)
    : QDialog(parent)
    , m_listed(listed)
    , m_url(new QLineEdit(this))
    , m_token(new QLineEdit(this))
    , m_hint(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Add node"));
    setObjectName(u"addNodeDialog"_s);

    m_url->setObjectName(u"nodeUrlEdit"_s);
    m_url->setPlaceholderText(u"http://host:8080"_s);
    m_url->setMinimumWidth(m_url->fontMetrics().horizontalAdvance(u'x') * 44);
    m_token->setObjectName(u"nodeTokenEdit"_s);
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("the node's api.token; not needed on this machine"));
    m_hint->setWordWrap(true);
    m_hint->setObjectName(u"addNodeHint"_s);

    auto *intro =
        new QLabel(tr("A headless Switchboard node, reached through its HTTP API. From another "
                      "machine the node must have api.token set in its configuration."),
                   this);
    intro->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&URL:"), m_url);
    form->addRow(tr("API &token:"), m_token);

    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Add"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_url, &QLineEdit::textChanged, this, &AddNodeDialog::validate);
    connect(m_token, &QLineEdit::textChanged, this, &AddNodeDialog::validate);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_hint);
    layout->addWidget(m_buttons);
    validate();
}

void AddNodeDialog::setEditedNode(const QUrl &url, const QByteArray &token)
{
    setWindowTitle(tr("Edit node"));
    setObjectName(u"editNodeDialog"_s);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Save"));
    m_url->setText(url.toDisplayString());
    m_token->setText(QString::fromUtf8(token));
}

QUrl AddNodeDialog::url() const
{
    QString error;
    return parseNodeUrl(m_url->text(), &error);
}

QByteArray AddNodeDialog::token() const
{
    return m_token->text().trimmed().toUtf8();
}

QUrl AddNodeDialog::parseNodeUrl(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        *error = tr("Enter the node's URL, e.g. http://host:8080.");
        return {};
    }
    // "host:8080" would parse as scheme "host"; an operator means http.
    const QUrl url =
        QUrl(trimmed.contains(u"://"_s) ? trimmed : u"http://"_s + trimmed, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()) {
        *error = tr("\"%1\" is not a URL: expected http://host:port.").arg(trimmed);
        return {};
    }
    if (url.scheme() != u"http" && url.scheme() != u"https") {
        *error = tr("\"%1\": the node speaks http or https, not %2.").arg(trimmed, url.scheme());
        return {};
    }
    error->clear();
    return ConsoleSettings::normalizedNodeUrl(url);
}

void AddNodeDialog::validate()
{
    QString error;
    const QUrl url = parseNodeUrl(m_url->text(), &error);
    if (url.isValid() && m_listed.contains(url))
        error = tr("The console watches %1 already.").arg(url.toDisplayString());

    QString hint = error;
    if (error.isEmpty()) {
        hint = tr("The console will follow %1/api/v1/stream.").arg(url.toDisplayString());
        const QHostAddress address(url.host());
        const bool loopback = url.host() == u"localhost" || address.isLoopback();
        if (!m_token->text().trimmed().isEmpty() && url.scheme() == u"http" && !loopback)
            hint += u' '
                + tr("Over plain http the token travels in the clear: use https (a proxy in "
                     "front of the node) on a network you do not trust.");
    }
    m_hint->setText(hint);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}

} // namespace Switchboard
