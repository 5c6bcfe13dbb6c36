#include "hostlookup.h"

#include <QHostAddress>
#include <algorithm>
#include <mutex>
#include <netdb.h>
#include <sys/socket.h>
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

HostLookup::HostLookup(const QString &host, QObject *context, Done done)
    : m_ticket(std::make_shared<Ticket>())
{
    m_ticket->context = context;
    m_ticket->done = std::move(done);
    // Detached: a lookup the resolver never answers must not hold the node's exit.
    std::thread([ticket = m_ticket, name = host.toUtf8()] {
        addrinfo hints {};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo *result = nullptr;
        const int status = getaddrinfo(name.constData(), nullptr, &hints, &result);
        QList<QByteArray> addresses;
        QString error;
        if (status != 0) {
            error = QString::fromLocal8Bit(gai_strerror(status));
        } else {
            for (const addrinfo *entry = result; entry; entry = entry->ai_next) {
                char text[NI_MAXHOST];
                if (getnameinfo(entry->ai_addr, entry->ai_addrlen, text, sizeof text, nullptr, 0,
                                NI_NUMERICHOST)
                        == 0
                    && !addresses.contains(QByteArray(text)))
                    addresses.append(QByteArray(text));
            }
            freeaddrinfo(result);
            std::stable_partition(addresses.begin(), addresses.end(),
                                  [](const QByteArray &address) { return !address.contains(':'); });
            if (addresses.isEmpty())
                error = QStringLiteral("no address");
        }
        const std::lock_guard lock(ticket->mutex);
        if (!ticket->context)
            return;
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
    }).detach();
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
