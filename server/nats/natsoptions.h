#pragma once

// What NatsClient and NatsPublisher share of cnats: the connection options built from
// NatsConnectionOptions, publishable messages, and error texts. Internal to server/nats.

#include "natsclient.h"

#include <nats/nats.h>

namespace Switchboard {

// cnats' connection callbacks, all run on cnats' callback thread, with one closure.
struct NatsConnectionHandlers
{
    natsConnectionHandler connected = nullptr; // first connect and every reconnect
    natsConnectionHandler disconnected = nullptr;
    natsConnectionHandler closed = nullptr;
    void *closure = nullptr;
};

// Options for one connection: reconnects forever with capped, jittered backoff (`options` must
// outlive the connection: the backoff reads it), retries a server that is down at start in the
// background, logs asynchronous errors. On failure nothing is left allocated.
natsStatus createNatsOptions(natsOptions **created, const NatsConnectionOptions &options,
                             const NatsConnectionHandlers &handlers);

// A message for publishing (`reply` may be empty); on failure nothing is left allocated.
natsStatus buildNatsMessage(natsMsg **message, const QByteArray &subject, const QByteArray &reply,
                            const NatsHeaders &headers, const QByteArray &data);

// Frees a message cnats gave us or we built, on the calling thread. natsMsg_Destroy hands every
// message to cnats' garbage-collector thread, waking it when it sleeps, and that thread frees
// what glibc allocated on another (arena lock waits): at 20 000 events/s that was 60 % of the
// node's futex calls, and freeing here made end-to-end delivery 6 % faster (README, Speed).
// Only for messages that are ours: not one cnats lends to an auto-ack callback (never asked for).
void retireNatsMessage(natsMsg *message);

// cnats keeps the text of the last error per thread: call right after the failing call.
QString natsErrorText(natsStatus status, const QString &what);

// "nats://user:secret@host:4222,nats://other:4222" -> "nats://host:4222,nats://other:4222"
QString natsUrlWithoutCredentials(const QString &urls);

} // namespace Switchboard
