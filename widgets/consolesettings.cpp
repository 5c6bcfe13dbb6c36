#include "consolesettings.h"

#include <QFile>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>
#include <algorithm>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr QLatin1StringView nodesKey("nodes");
constexpr QLatin1StringView urlKey("url");
constexpr QLatin1StringView tokenKey("token");
constexpr QLatin1StringView languageKey("console/language");

// The texts of Qt's standard buttons that the console shows (its dialogs' Cancel, its
// questions' Yes and No, About's OK), in the contexts Qt translates them in: QPlatformTheme,
// and QGnomeTheme for the mnemonics of GNOME desktops. Qt's own qtbase_<language>.qm has them
// for Portuguese (Brazil), but Qt ships none for Vietnamese: listed here, lupdate puts them in
// the console's .ts files, and the console's translator answers when Qt's has nothing.
[[maybe_unused]] constexpr const char *standardButtonTexts[] = {
    QT_TRANSLATE_NOOP("QPlatformTheme", "OK"),    QT_TRANSLATE_NOOP("QPlatformTheme", "Cancel"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "&Yes"),  QT_TRANSLATE_NOOP("QPlatformTheme", "&No"),
    QT_TRANSLATE_NOOP("QPlatformTheme", "Close"), QT_TRANSLATE_NOOP("QGnomeTheme", "&OK"),
    QT_TRANSLATE_NOOP("QGnomeTheme", "&Cancel"),  QT_TRANSLATE_NOOP("QGnomeTheme", "&Close"),
};

} // namespace

ConsoleSettings::ConsoleSettings() = default;

ConsoleSettings::ConsoleSettings(const QString &fileName)
    : m_settings(fileName, QSettings::IniFormat)
{
}

QList<RemoteNodeSettings> ConsoleSettings::remoteNodes() const
{
    // QSettings::beginReadArray() is not const, though reading changes nothing.
    auto &settings = const_cast<QSettings &>(m_settings);
    QList<RemoteNodeSettings> nodes;
    const int count = settings.beginReadArray(nodesKey);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        const QUrl url = normalizedNodeUrl(QUrl(settings.value(urlKey).toString()));
        // Twice the same node would show twice, and its removal take both entries away.
        const bool listed =
            std::any_of(nodes.cbegin(), nodes.cend(),
                        [&url](const RemoteNodeSettings &n) { return n.url == url; });
        if (url.isValid() && !url.host().isEmpty() && !listed
            && (url.scheme() == u"http" || url.scheme() == u"https"))
            nodes.append({url, settings.value(tokenKey).toByteArray()});
    }
    settings.endArray();
    return nodes;
}

bool ConsoleSettings::addRemoteNode(const RemoteNodeSettings &node)
{
    QList<RemoteNodeSettings> nodes = remoteNodes();
    const QUrl url = normalizedNodeUrl(node.url);
    for (const RemoteNodeSettings &listed : nodes) {
        if (listed.url == url)
            return false;
    }
    nodes.append({url, node.token});
    writeRemoteNodes(nodes);
    return true;
}

void ConsoleSettings::removeRemoteNode(const QUrl &url)
{
    QList<RemoteNodeSettings> nodes = remoteNodes();
    const QUrl normalized = normalizedNodeUrl(url);
    nodes.removeIf([&](const RemoteNodeSettings &node) { return node.url == normalized; });
    writeRemoteNodes(nodes);
}

bool ConsoleSettings::replaceRemoteNode(const QUrl &url, const RemoteNodeSettings &node)
{
    QList<RemoteNodeSettings> nodes = remoteNodes();
    const QUrl replaced = normalizedNodeUrl(url);
    const QUrl replacement = normalizedNodeUrl(node.url);
    qsizetype position = -1;
    for (qsizetype i = 0; i < nodes.size(); ++i) {
        if (nodes.at(i).url == replaced)
            position = i;
        else if (nodes.at(i).url == replacement)
            return false;
    }
    if (position < 0)
        nodes.append({replacement, node.token});
    else
        nodes[position] = {replacement, node.token};
    writeRemoteNodes(nodes);
    return true;
}

QString ConsoleSettings::language() const
{
    const QString code = m_settings.value(languageKey).toString();
    for (const ConsoleLanguage &language : languages()) {
        if (language.code == code)
            return code;
    }
    return {}; // a language this version no longer has: follow the system
}

void ConsoleSettings::setLanguage(const QString &code)
{
    m_settings.setValue(languageKey, code);
    save();
}

QList<ConsoleLanguage> ConsoleSettings::languages()
{
    return {
        {QString(), tr("System")},
        {u"en"_s, u"English"_s},
        {u"pt_BR"_s, u"Português (Brasil)"_s},
        {u"vi"_s, u"Tiếng Việt"_s},
    };
}

QUrl ConsoleSettings::normalizedNodeUrl(const QUrl &url)
{
    QUrl normalized = url.adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment
                                   | QUrl::RemoveUserInfo);
    normalized.setHost(normalized.host().toLower());
    // http://host:80 is http://host: one node, not two.
    if (normalized.port() == (normalized.scheme() == u"https" ? 443 : 80))
        normalized.setPort(-1);
    return normalized;
}

void ConsoleSettings::writeRemoteNodes(const QList<RemoteNodeSettings> &nodes)
{
    m_settings.remove(nodesKey);
    m_settings.beginWriteArray(nodesKey, int(nodes.size()));
    for (int i = 0; i < nodes.size(); ++i) {
        m_settings.setArrayIndex(i);
        m_settings.setValue(urlKey, nodes.at(i).url.toString());
        if (!nodes.at(i).token.isEmpty())
            m_settings.setValue(tokenKey, nodes.at(i).token);
    }
    m_settings.endArray();
    save();
    // The file holds API tokens: readable by this user only. QSettings rewrites it through
    // QSaveFile, which keeps the permissions of the file it replaces.
    if (!m_saveFailed && QFile::exists(m_settings.fileName()))
        QFile::setPermissions(m_settings.fileName(), QFile::ReadOwner | QFile::WriteOwner);
}

void ConsoleSettings::save()
{
    m_settings.sync();
    // sync() says nothing: a file the user cannot write (made by a switchboard run with sudo,
    // say) would lose every node added, edited or removed, without a word.
    m_saveFailed = m_settings.status() != QSettings::NoError;
}

void installConsoleTranslators(const QString &language)
{
    QCoreApplication *app = QCoreApplication::instance();
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);

    auto *console = new QTranslator(app);
    // A language the console has no translation for (German, or the C locale of a bare
    // session) gets the English one: it is what turns "%n dead letter(s)" into "1 dead letter".
    const bool loaded =
        (language.isEmpty() ? console->load(locale, u"switchboard"_s, u"_"_s, u":/i18n"_s)
                            : console->load(u":/i18n/switchboard_"_s + language + u".qm"_s))
        || console->load(u":/i18n/switchboard_en.qm"_s);
    if (loaded)
        QCoreApplication::installTranslator(console);
    else
        delete console;

    // Qt's own strings: the standard buttons of message boxes and dialogs.
    auto *qt = new QTranslator(app);
    if (qt->load(locale, u"qtbase"_s, u"_"_s, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
}

} // namespace Switchboard
