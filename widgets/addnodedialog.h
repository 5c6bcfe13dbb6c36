#pragma once

// Asks for a headless node to watch: its URL and, for a node not on this machine, its API
// token (the node's api.token).

#include <QByteArray>
#include <QDialog>
#include <QList>
#include <QUrl>

QT_BEGIN_NAMESPACE
class QDialogButtonBox;
class QLabel;
class QLineEdit;
QT_END_NAMESPACE

namespace Switchboard {

class AddNodeDialog : public QDialog
{
    Q_OBJECT

public:
    // `listed`: the nodes the console watches already, refused with a word.
    explicit AddNodeDialog(const QList<QUrl> &listed, QWidget *parent = nullptr);

    // Edit node: the dialog shows a node the console watches (its token masked, as typed) and
    // saves rather than adds. `listed` should then leave that node out.
    void setEditedNode(const QUrl &url, const QByteArray &token);

    QUrl url() const; // normalised: scheme, host and port
    QByteArray token() const;

    // The URL an operator typed ("host:8080" is http://host:8080), or an invalid QUrl and why.
    static QUrl parseNodeUrl(const QString &text, QString *error);

private:
    void validate();

    QList<QUrl> m_listed;
    QLineEdit *m_url;
    QLineEdit *m_token;
    QLabel *m_hint;
    QDialogButtonBox *m_buttons;
};

} // namespace Switchboard
