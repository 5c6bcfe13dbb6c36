#include "ingressgateway.h"

#include "ingressstore.h"

#include <QDateTime>

namespace Switchboard {

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

void IngressGateway::publishRefused(const QString &error)
{
    QMutexLocker lock(&m_refusalsLock);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_refusals.inARow++ == 0)
        m_refusals.firstAtMs = now;
    m_refusals.lastAtMs = now;
    m_refusals.lastError = error;
    m_refusedInARow.store(m_refusals.inARow, std::memory_order_relaxed);
}

void IngressGateway::clearRefusals()
{
    QMutexLocker lock(&m_refusalsLock);
    m_refusals = {};
    m_refusedInARow.store(0, std::memory_order_relaxed);
}

IngressGateway::PublishRefusals IngressGateway::publishRefusals() const
{
    QMutexLocker lock(&m_refusalsLock);
    return m_refusals;
}

void IngressGateway::attach(IngressStore *store)
{
    QWriteLocker lock(&m_lock);
    m_store = store;
}

void IngressGateway::detach()
{
    QWriteLocker lock(&m_lock);
    m_accepting = false;
    m_store = nullptr;
}

} // namespace Switchboard
