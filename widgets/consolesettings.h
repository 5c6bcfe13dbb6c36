#pragma once

// The console's own settings, per user (QSettings): the remote nodes it watches and the
// language of its window. A node's configuration lives on the node, never here.

#include <QByteArray>
#include <QCoreApplication>
#include <QList>
#include <QSettings>
#include <QString>
#include <QUrl>

namespace Switchboard {

struct RemoteNodeSettings
{
    QUrl url; // http(s)://host:port
    QByteArray token; // the node's api.token; empty for a node reached on loopback
};

struct ConsoleLanguage
{
    QString code; // empty: follow the system; else en, pt_BR, vi
    QString name; // in its own language ("Tiếng Việt"), so that anyone finds theirs
};

class ConsoleSettings
{
    Q_DECLARE_TR_FUNCTIONS(ConsoleSettings)

public:
    // The user's settings, under the application's organisation and name.
    ConsoleSettings();
    // An INI file of its own: tests, or a console kept apart from the user's.
    explicit ConsoleSettings(const QString &fileName);

    // Each URL once (the first entry of a file edited by hand wins), http and https only.
    QList<RemoteNodeSettings> remoteNodes() const;
    // False when a node with this URL is listed already.
    bool addRemoteNode(const RemoteNodeSettings &node);
    void removeRemoteNode(const QUrl &url);
    // `url`'s entry becomes `node`, in its place in the list (appended when `url` is not
    // listed). False, and nothing written, when another entry has `node`'s URL.
    bool replaceRemoteNode(const QUrl &url, const RemoteNodeSettings &node);

    // A code of languages(); empty follows the system.
    QString language() const;
    void setLanguage(const QString &code);

    // Whether the last change could not be written (a file or directory the user cannot
    // write, a full disk): it holds in memory, and is lost at the next start.
    bool lastSaveFailed() const { return m_saveFailed; }
    QString fileName() const { return m_settings.fileName(); }

    static QList<ConsoleLanguage> languages();
    // The form nodes are compared and stored in: no trailing slash, no path, no query, no
    // default port.
    static QUrl normalizedNodeUrl(const QUrl &url);

private:
    void writeRemoteNodes(const QList<RemoteNodeSettings> &nodes);
    void save();

    QSettings m_settings;
    bool m_saveFailed = false;
};

// Loads ":/i18n/switchboard_<code>.qm" (the system language's for an empty code) and Qt's own
// translations into the application. A missing file leaves the console in English; that is
// not an error worth stopping for.
void installConsoleTranslators(const QString &language);

} // namespace Switchboard
