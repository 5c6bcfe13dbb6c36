#include "natsoptions.h"

#include <QRandomGenerator>

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
    const QByteArray url = options.url.toUtf8();
    const QByteArray name = options.name.toUtf8();
    if (s == NATS_OK)
        s = natsOptions_SetURL(o, url.constData());
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
