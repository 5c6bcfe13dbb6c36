#include "ingressgateway.h"

#include "ingressstore.h"

namespace Switchboard {

bool IngressGateway::publish(const QByteArray &subject, const NatsHeaders &headers,
                             const QByteArray &body, QObject *context,
                             NatsClient::PublishCallback done)
{
    QReadLocker lock(&m_lock);
    if (!m_nats || !m_accepting)
        return false;
    m_nats->publish(subject, headers, body, context, std::move(done));
    return true;
}

bool IngressGateway::runInStore(std::function<void(IngressStore &)> work)
{
    QReadLocker lock(&m_lock);
    IngressStore *store = m_store.data();
    if (!store)
        return false;
    // A posted call to an object deleted meanwhile is discarded by Qt; `work` holds no
    // responder, so nothing is left unanswered on the wrong thread.
    QMetaObject::invokeMethod(
        store, [store, work = std::move(work)] { work(*store); }, Qt::QueuedConnection);
    return true;
}

qint64 IngressGateway::maxPayload() const
{
    QReadLocker lock(&m_lock);
    return m_nats ? m_nats->maxPayload() : 0;
}

QString IngressGateway::natsUrl() const
{
    QReadLocker lock(&m_lock);
    return m_nats ? m_nats->displayUrl() : QString();
}

void IngressGateway::attach(NatsClient *nats, IngressStore *store)
{
    QWriteLocker lock(&m_lock);
    m_nats = nats;
    m_store = store;
}

void IngressGateway::detach()
{
    QWriteLocker lock(&m_lock);
    m_accepting = false;
    m_nats = nullptr;
    m_store = nullptr;
}

} // namespace Switchboard
