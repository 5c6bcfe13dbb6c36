#include "natsoptions.h"

#include <QRandomGenerator>
#include <QUrl>
#include <algorithm>
#include <vector>

// What cnats' garbage-collector thread runs for every message (its free callback): exported by
// libnats (3.4 and earlier), not declared in nats.h.
extern "C" void natsMsg_free(void *object);

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

void logAsyncError(natsConnection *, natsSubscription *, natsStatus status, void *)
{
    qCWarning(lcNats).noquote() << "NATS:" << natsStatus_GetText(status);
}

// Capped exponential backoff with jitter, forever (the reconnect limit is -1).
int64_t reconnectDelay(natsConnection *, int attempts, void *closure)
{
    const auto *options = static_cast<const NatsConnectionOptions *>(closure);
    const qint64 initial = options->reconnectInitial.count();
    const qint64 cap = options->reconnectMax.count();
    const qint64 delay = qMin(cap, initial << qMin(attempts, 20));
    return delay / 2 + QRandomGenerator::global()->bounded(delay / 2 + 1);
}

// nats.go turns TLS on when a server URL says tls:// (trusting the system's CAs); cnats 3.4 only
// when the server requires it. Without this, a tls:// URL reached a server that does not require
// TLS (or someone in the middle posing as one) in the clear, credentials and events included.
bool wantsTls(const QString &urls)
{
    const QStringList servers = urls.split(u',', Qt::SkipEmptyParts);
    return std::any_of(servers.cbegin(), servers.cend(), [](const QString &server) {
        return server.trimmed().startsWith(u"tls://"_s, Qt::CaseInsensitive);
    });
}

// A server list whose percent-encoded user, password or token is moved into the options.
struct DecodedCredentials
{
    QByteArray urls;
    QByteArray user;
    QByteArray password;
    QByteArray token;
};

// nats.go reads a URL's user and password percent-decoded (url.Parse): the only way to write one
// holding @, : or /. cnats 3.4 sends them as written, so NATS refused them. A URL whose
// credentials are encoded loses them to the options, decoded; cnats uses the options' for a URL
// that names none.
DecodedCredentials decodedCredentials(const QString &urls)
{
    DecodedCredentials decoded;
    QStringList servers;
    for (const QString &item : urls.split(u',', Qt::SkipEmptyParts)) {
        QUrl url(item.trimmed(), QUrl::StrictMode);
        if (!item.contains(u"://"_s) || !url.userInfo(QUrl::FullyEncoded).contains(u'%')) {
            servers.append(item.trimmed());
            continue;
        }
        if (url.password().isNull()) {
            decoded.token = url.userName(QUrl::FullyDecoded).toUtf8();
        } else {
            decoded.user = url.userName(QUrl::FullyDecoded).toUtf8();
            decoded.password = url.password(QUrl::FullyDecoded).toUtf8();
        }
        url.setUserInfo(QString());
        servers.append(url.toString());
    }
    decoded.urls = servers.join(u',').toUtf8();
    return decoded;
}

} // namespace

void retireNatsMessage(natsMsg *message)
{
    natsMsg_free(message);
}

natsStatus createNatsOptions(natsOptions **created, const NatsConnectionOptions &options,
                             const NatsConnectionHandlers &handlers)
{
    natsOptions *o = nullptr;
    natsStatus s = natsOptions_Create(&o);
    const DecodedCredentials servers = decodedCredentials(options.url);
    const QByteArray name = options.name.toUtf8();
    // natsOptions_SetURL takes one URL: a comma list given to it was one URL whose port read
    // "4222,nats://…", and the node never connected (natsConnection_ConnectTo splits a list, the
    // options do not). Each server is set on its own.
    const QList<QByteArray> serverList = servers.urls.split(',');
    if (s == NATS_OK && serverList.size() > 1) {
        std::vector<const char *> pointers;
        for (const QByteArray &server : serverList)
            pointers.push_back(server.constData());
        s = natsOptions_SetServers(o, pointers.data(), int(pointers.size()));
    } else if (s == NATS_OK) {
        s = natsOptions_SetURL(o, servers.urls.constData());
    }
    if (s == NATS_OK && !servers.user.isEmpty())
        s = natsOptions_SetUserInfo(o, servers.user.constData(), servers.password.constData());
    if (s == NATS_OK && !servers.token.isEmpty())
        s = natsOptions_SetToken(o, servers.token.constData());
    if (s == NATS_OK && wantsTls(options.url))
        s = natsOptions_SetSecure(o, true);
    if (s == NATS_OK)
        s = natsOptions_SetName(o, name.constData());
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(o, options.connectTimeout.count());
    if (s == NATS_OK)
        s = natsOptions_SetPingInterval(o, options.pingInterval.count());
    if (s == NATS_OK)
        s = natsOptions_SetMaxPingsOut(o, options.maxPingsOut);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK) {
        s = natsOptions_SetCustomReconnectDelay(o, reconnectDelay,
                                                const_cast<NatsConnectionOptions *>(&options));
    }
    // A server that is down at start is retried in the background like a lost one.
    if (s == NATS_OK)
        s = natsOptions_SetRetryOnFailedConnect(o, true, handlers.connected, handlers.closure);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(o, handlers.disconnected, handlers.closure);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(o, handlers.connected, handlers.closure);
    if (s == NATS_OK)
        s = natsOptions_SetClosedCB(o, handlers.closed, handlers.closure);
    if (s == NATS_OK)
        s = natsOptions_SetErrorHandler(o, logAsyncError, nullptr);
    if (s != NATS_OK) {
        natsOptions_Destroy(o);
        o = nullptr;
    }
    *created = o;
    return s;
}

natsStatus buildNatsMessage(natsMsg **message, const QByteArray &subject, const QByteArray &reply,
                            const NatsHeaders &headers, const QByteArray &data)
{
    natsStatus s =
        natsMsg_Create(message, subject.constData(), reply.isEmpty() ? nullptr : reply.constData(),
                       data.constData(), int(data.size()));
    for (const auto &[name, value] : headers) {
        if (s == NATS_OK)
            s = natsMsgHeader_Set(*message, name.constData(), value.constData());
    }
    if (s != NATS_OK) {
        natsMsg_Destroy(*message);
        *message = nullptr;
    }
    return s;
}

QString natsErrorText(natsStatus status, const QString &what)
{
    const char *text = nats_GetLastError(nullptr);
    const QString detail =
        (text && *text) ? QString::fromUtf8(text) : QString::fromUtf8(natsStatus_GetText(status));
    return what + u": "_s + detail;
}

QString natsUrlWithoutCredentials(const QString &urls)
{
    QStringList shown;
    for (const QString &item : urls.split(u',', Qt::SkipEmptyParts)) {
        const QString trimmed = item.trimmed();
        const qsizetype at = trimmed.lastIndexOf(u'@');
        const qsizetype scheme = trimmed.indexOf(u"://"_s);
        if (at < 0)
            shown.append(trimmed);
        else if (scheme >= 0 && scheme < at)
            shown.append(trimmed.left(scheme + 3) + trimmed.mid(at + 1));
        else
            shown.append(trimmed.mid(at + 1));
    }
    return shown.join(u',');
}

} // namespace Switchboard
