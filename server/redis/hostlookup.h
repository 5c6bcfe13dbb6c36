#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <functional>
#include <memory>

namespace Switchboard {

// One name resolved with getaddrinfo on a thread of its own, the answer delivered to the thread
// of `context`. hiredis resolves with a blocking getaddrinfo in the caller's thread, and a DNS
// server that does not answer holds it for the resolver's whole timeout (5 s per try by
// default): for polling's connections, the HTTP thread, with every route of the node.
//
// Nothing is cached (QHostInfo keeps answers for a minute): every lookup asks the resolver, as
// hiredis did, so a name that a failover moves (a managed Redis's primary endpoint) is followed.
class HostLookup
{
public:
    // Numeric addresses ("10.0.0.7"), the name's IPv4 ones, or its IPv6 ones ("::1") when it has
    // none, as hiredis asked for them (a Redis on 127.0.0.1 only is not reached by a name's ::1);
    // or none and the resolver's error.
    using Done = std::function<void(const QList<QByteArray> &addresses, const QString &error)>;

    // Starts resolving `host` for TCP. `done` runs once, in the thread of `context` and never
    // inside this constructor, unless this lookup is destroyed first. `context` must outlive the
    // lookup (make the lookup its member): the answer is posted to it until then.
    HostLookup(const QString &host, QObject *context, Done done);
    // Drops the answer. A resolver that does not answer keeps its thread until it gives up.
    ~HostLookup();
    HostLookup(const HostLookup &) = delete;
    HostLookup &operator=(const HostLookup &) = delete;

    // A numeric address, which needs no lookup.
    static bool isAddress(const QString &host);

private:
    struct Ticket;
    static void deliver(const std::shared_ptr<Ticket> &ticket, QList<QByteArray> addresses,
                        QString error);
    std::shared_ptr<Ticket> m_ticket;
};

} // namespace Switchboard
