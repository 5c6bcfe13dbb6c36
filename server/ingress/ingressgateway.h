#pragma once

#include "core/config.h"

#include <QPointer>
#include <QReadWriteLock>
#include <atomic>
#include <functional>

namespace Switchboard {

class IngressStore;

// What the HTTP thread may use of the ingress engine: whether it accepts events (POST /events
// publishes on a connection of its own, see IngressApi) and running dead-letter work in the
// store thread. Thread-safe, and it outlives the engine: once the
// engine has detached, every call answers "not running" instead of touching freed objects.
class IngressGateway
{
public:
    // Counted on the HTTP thread, read by the engine for its snapshot.
    struct Counters
    {
        std::atomic<quint64> received {0};
        std::atomic<quint64> published {0};
        std::atomic<quint64> rejectedInvalid {0}; // 400: bad JSON, not an object, no domain
        std::atomic<quint64> rejectedUnavailable {0}; // 503: NATS down or no ack in time
    };

    Counters counters;
    // The connection POST /events publishes on (IngressApi's); the engine's health shows it.
    std::atomic<bool> eventsConnected {false};

    // Runs `work` in the store thread. False when the store is not there (not started, or
    // stopped); `work` is then dropped.
    bool runInStore(std::function<void(IngressStore &)> work);
    bool accepting() const { return m_accepting.load(); }

    // The engine's side.
    void attach(IngressStore *store);
    void setAccepting(bool accepting) { m_accepting = accepting; }
    void detach();

private:
    mutable QReadWriteLock m_lock;
    QPointer<IngressStore> m_store;
    std::atomic<bool> m_accepting {false};
};

} // namespace Switchboard
