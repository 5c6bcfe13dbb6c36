#include "hostlookup.h"

#include <QHostAddress>
#include <mutex>
#include <netdb.h>
#include <sys/socket.h>
#include <system_error>
#include <thread>

namespace Switchboard {

// Shared by the lookup and its thread: the thread posts the answer only while `context` is
// set, under the mutex that cancelling takes, so nothing is posted to a client already gone
// (what was posted before is dropped with the client's pending events).
struct HostLookup::Ticket
{
    std::mutex mutex;
    QObject *context = nullptr;
    Done done;
};

namespace {

struct Answer
{
    QList<QByteArray> addresses;
    QString error;
};

Answer lookUp(const QByteArray &name, int family)
{
    addrinfo hints {};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *result = nullptr;
    const int status = getaddrinfo(name.constData(), nullptr, &hints, &result);
    Answer answer;
    if (status != 0) {
        answer.error = QString::fromLocal8Bit(gai_strerror(status));
        return answer;
    }
    for (const addrinfo *entry = result; entry; entry = entry->ai_next) {
        char text[NI_MAXHOST];
        if (getnameinfo(entry->ai_addr, entry->ai_addrlen, text, sizeof text, nullptr, 0,
                        NI_NUMERICHOST)
                == 0
            && !answer.addresses.contains(QByteArray(text)))
            answer.addresses.append(QByteArray(text));
    }
    freeaddrinfo(result);
    if (answer.addresses.isEmpty())
        answer.error = QStringLiteral("no address");
    return answer;
}

} // namespace

HostLookup::HostLookup(const QString &host, QObject *context, Done done)
    : m_ticket(std::make_shared<Ticket>())
{
    m_ticket->context = context;
    m_ticket->done = std::move(done);
    const auto run = [ticket = m_ticket, name = host.toUtf8()] {
        // IPv4 first, IPv6 only for a name without an IPv4 address, as hiredis asked. Both at
        // once (AF_UNSPEC) would wait for the slower answer, and a DNS server that drops AAAA
        // queries (some firewalls do) would cost the resolver's whole timeout at every lookup.
        Answer answer = lookUp(name, AF_INET);
        if (answer.addresses.isEmpty()) {
            Answer v6 = lookUp(name, AF_INET6);
            if (!v6.addresses.isEmpty())
                answer = std::move(v6);
        }
        deliver(ticket, std::move(answer.addresses), std::move(answer.error));
    };
    try {
        // Detached: a lookup the resolver never answers must not hold the node's exit.
        std::thread(run).detach();
    } catch (const std::system_error &failure) { // no thread to be had (a pids limit)
        deliver(m_ticket, {},
                QStringLiteral("cannot start a lookup: %1")
                    .arg(QString::fromLocal8Bit(failure.what())));
    }
}

void HostLookup::deliver(const std::shared_ptr<Ticket> &ticket, QList<QByteArray> addresses,
                         QString error)
{
    const std::lock_guard lock(ticket->mutex);
    if (!ticket->context)
        return;
    // Queued, also from the constructor: `done` never runs inside it.
    QMetaObject::invokeMethod(
        ticket->context,
        [ticket, addresses = std::move(addresses), error = std::move(error)] {
            Done done;
            {
                const std::lock_guard lock(ticket->mutex);
                if (!ticket->context)
                    return;
                ticket->context = nullptr;
                done = std::move(ticket->done);
            }
            done(addresses, error); // last: it may destroy the lookup
        },
        Qt::QueuedConnection);
}

HostLookup::~HostLookup()
{
    Done dropped;
    const std::lock_guard lock(m_ticket->mutex);
    m_ticket->context = nullptr;
    dropped = std::move(m_ticket->done);
}

bool HostLookup::isAddress(const QString &host)
{
    return !QHostAddress(host).isNull();
}

} // namespace Switchboard
