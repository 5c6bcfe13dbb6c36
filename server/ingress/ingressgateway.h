#pragma once

#include "core/config.h"

#include <QMutex>
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

    // POST /events publishes JetStream refused (full: "insufficient resources", a stream at its
    // max_msgs or max_bytes with DiscardNew, no stream, no ack in time) since the last it
    // stored, for /health: a node that answers every event 503 says why.
    struct PublishRefusals
    {
        quint64 inARow = 0;
        qint64 firstAtMs = 0; // the first of them, since the epoch
        qint64 lastAtMs = 0;
        QString lastError;
    };
    void publishRefused(const QString &error); // the HTTP thread
    void publishStored() // the HTTP thread, at every 202: a lock only after a refusal
    {
        if (m_refusedInARow.load(std::memory_order_relaxed) != 0)
            clearRefusals();
    }
    PublishRefusals publishRefusals() const;

    // Runs `work` in the store thread. False when the store is not there (not started, or
    // stopped); `work` is then dropped.
    bool runInStore(std::function<void(IngressStore &)> work);
    bool accepting() const { return m_accepting.load(); }

    // The engine's side.
    void attach(IngressStore *store);
    void setAccepting(bool accepting) { m_accepting = accepting; }
    void detach();

private:
    void clearRefusals();

    mutable QReadWriteLock m_lock;
    mutable QMutex m_refusalsLock;
    PublishRefusals m_refusals;
    std::atomic<quint64> m_refusedInARow {0};
    QPointer<IngressStore> m_store;
    std::atomic<bool> m_accepting {false};
};

} // namespace Switchboard
