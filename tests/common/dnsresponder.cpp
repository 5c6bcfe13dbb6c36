#include "dnsresponder.h"

#include <QElapsedTimer>
#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace Switchboard::Test {

namespace {

constexpr quint16 typeA = 1;
constexpr quint16 typeAaaa = 28;
constexpr int headerSize = 12;

quint16 read16(const QByteArray &data, qsizetype at)
{
    return quint16((quint8(data[at]) << 8) | quint8(data[at + 1]));
}

void append16(QByteArray &out, quint16 value)
{
    out.append(char(value >> 8));
    out.append(char(value & 0xff));
}

} // namespace

DnsResponder::~DnsResponder()
{
    m_stopping = true;
    if (m_thread.joinable())
        m_thread.join(); // within one poll() timeout
    if (m_fd >= 0)
        ::close(m_fd);
}

bool DnsResponder::start(const QHostAddress &listen, const QByteArray &name,
                         const QHostAddress &ipv4)
{
    m_name = name.toLower();
    m_ipv4 = ipv4.toIPv4Address();
    m_fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(53);
    address.sin_addr.s_addr = htonl(listen.toIPv4Address());
    if (m_fd < 0
        || ::bind(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
        m_error = QStringLiteral("cannot listen on %1:53/udp: %2")
                      .arg(listen.toString(), QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_thread = std::thread([this] { serve(); });
    return true;
}

void DnsResponder::serve()
{
    struct Waiting
    {
        QByteArray reply;
        sockaddr_in from;
        qint64 dueMs;
    };
    std::vector<Waiting> waiting;
    QElapsedTimer clock;
    clock.start();
    while (!m_stopping) {
        pollfd readable {m_fd, POLLIN, 0};
        if (::poll(&readable, 1, 20) > 0) {
            char buffer[512];
            sockaddr_in from {};
            socklen_t fromSize = sizeof from;
            const ssize_t size = ::recvfrom(m_fd, buffer, sizeof buffer, 0,
                                            reinterpret_cast<sockaddr *>(&from), &fromSize);
            if (size > headerSize) {
                ++m_queries;
                const QByteArray reply = answer(QByteArray(buffer, qsizetype(size)));
                if (!reply.isEmpty())
                    waiting.push_back({reply, from, clock.elapsed() + m_delayMs});
            }
        }
        for (auto it = waiting.begin(); it != waiting.end();) {
            if (it->dueMs > clock.elapsed()) {
                ++it;
                continue;
            }
            ::sendto(m_fd, it->reply.constData(), size_t(it->reply.size()), 0,
                     reinterpret_cast<const sockaddr *>(&it->from), sizeof it->from);
            ++m_answered;
            it = waiting.erase(it);
        }
    }
}

QByteArray DnsResponder::answer(const QByteArray &query) const
{
    // The question: labels up to the root, then type and class.
    qsizetype at = headerSize;
    QByteArray name;
    while (at < query.size() && query[at] != 0) {
        const int length = quint8(query[at]);
        if (length > 63 || at + 1 + length >= query.size())
            return {};
        if (!name.isEmpty())
            name += '.';
        name += query.mid(at + 1, length);
        at += 1 + length;
    }
    if (at + 5 > query.size())
        return {};
    const qsizetype questionEnd = at + 5;
    const quint16 type = read16(query, at + 1);
    if (type == typeAaaa)
        return {};
    const bool known = name.toLower() == m_name;
    const bool withAddress = known && type == typeA;

    QByteArray reply = query.first(2); // the query's id
    append16(reply, known ? 0x8180 : 0x8183); // a response, recursion available; NXDOMAIN
    append16(reply, 1); // the question
    append16(reply, withAddress ? 1 : 0);
    append16(reply, 0);
    append16(reply, 0);
    reply += query.mid(headerSize, questionEnd - headerSize);
    if (withAddress) {
        append16(reply, 0xc000 | headerSize); // the question's name
        append16(reply, typeA);
        append16(reply, 1); // IN
        reply += QByteArray(4, '\0'); // a TTL of 0: nothing to cache
        append16(reply, 4);
        append16(reply, quint16(m_ipv4 >> 16));
        append16(reply, quint16(m_ipv4 & 0xffff));
    }
    return reply;
}

} // namespace Switchboard::Test
