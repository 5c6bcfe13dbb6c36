#include "ingressgateway.h"

#include "ingressstore.h"

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
