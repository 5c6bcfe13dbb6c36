#pragma once

// A TCP relay on 127.0.0.1 standing in for the network between a client and a server: every
// connection it accepts gets its own connection to the target port, and bytes go both ways.
// hold() cuts the link as a partition would: nothing is forwarded either way (or, with
// Hold::Requests, only what the clients send waits, as a network that delays one side's
// packets), but the connections stay open and what arrives waits; release() forwards what
// waited, in order, and relays again. It runs in its own thread, so relaying goes on while the
// test blocks in a QTRY or a blocking call.

#include <QByteArray>
#include <QtGlobal>
#include <memory>

class QThread;

namespace Switchboard::Test {

class TcpRelay
{
public:
    explicit TcpRelay(quint16 targetPort);
    ~TcpRelay();
    TcpRelay(const TcpRelay &) = delete;
    TcpRelay &operator=(const TcpRelay &) = delete;

    // Listens on a free port of 127.0.0.1; false when it could not.
    bool start();
    quint16 port() const { return m_port; }

    enum class Hold { BothWays, Requests };
    void hold(Hold what = Hold::BothWays);
    void release();
    // What the clients sent that waits now, from every connection.
    QByteArray held();

private:
    class Worker;
    // Runs `f` in the relay's thread and waits for it (10 s at most); false when it timed out.
    template<typename F> bool call(F f);

    const quint16 m_targetPort;
    std::unique_ptr<QThread> m_thread;
    Worker *m_worker = nullptr; // lives in m_thread
    quint16 m_port = 0;
};

} // namespace Switchboard::Test
