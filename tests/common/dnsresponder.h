#pragma once

// A DNS server for one name, on port 53 of a loopback address, answering after a delay the test
// sets: what a slow or unreachable resolver looks like to a node whose /etc/resolv.conf names it
// (SwitchboardProcess::setResolvConf()). A thread of its own serves it, so a test blocked in a
// request does not hold the answers back.

#include <QByteArray>
#include <QHostAddress>
#include <QString>
#include <atomic>
#include <mutex>
#include <thread>

namespace Switchboard::Test {

class DnsResponder
{
public:
    DnsResponder() = default;
    ~DnsResponder(); // stops the thread
    DnsResponder(const DnsResponder &) = delete;
    DnsResponder &operator=(const DnsResponder &) = delete;

    // Serves `name` (an A record of `ipv4`; no AAAA record; any other name does not exist) on
    // `listen`:53/udp. AAAA queries are never answered, as by the firewalls that drop them. False
    // with error() set when that socket cannot be had (port 53 needs root or CAP_NET_BIND_SERVICE).
    bool start(const QHostAddress &listen, const QByteArray &name, const QHostAddress &ipv4);
    QString error() const { return m_error; }

    // How long after a query its answer leaves; 0 answers at once. Any thread.
    void setDelayMs(int ms) { m_delayMs = ms; }
    int queries() const { return m_queries; } // queries received so far
    int answered() const { return m_answered; } // answers sent so far

private:
    void serve();
    QByteArray answer(const QByteArray &query) const;

    int m_fd = -1;
    QByteArray m_name;
    quint32 m_ipv4 = 0;
    QString m_error;
    std::atomic<int> m_delayMs {0};
    std::atomic<int> m_queries {0};
    std::atomic<int> m_answered {0};
    std::atomic<bool> m_stopping {false};
    std::thread m_thread;
};

} // namespace Switchboard::Test
