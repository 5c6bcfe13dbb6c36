#pragma once

// Serves one cnats connection's socket from the Qt event loop of the thread this object lives
// in, through cnats' external event-loop interface (natsOptions_SetEventLoop): cnats starts no
// reader thread, and writes only when this object's write notifier fires, so everything
// written in one pass of the event loop leaves in one write() and what is read is parsed on
// this thread.
//
// cnats calls the attach/read/write/detach callbacks on whichever thread it is on (this one,
// its reconnect thread, its ping timer), often holding the connection's lock: they only record
// what was asked, and the notifiers follow on this thread. The notifiers watch a duplicate of
// cnats' socket, closed on this thread once they are gone: cnats closes its own right after
// asking to stop watching it, often from another thread, and its number may be reused at once.
//
// The thread must never wait for a NATS reply (a blocking request, a flush): the reply would
// be read by the event loop it is blocking.

#include <QMutex>
#include <QObject>
#include <QSocketNotifier>
#include <atomic>
#include <functional>
#include <memory>
#include <vector>

struct __natsConnection;
struct __natsOptions;

namespace Switchboard {

class NatsEventLoop : public QObject
{
    Q_OBJECT

public:
    explicit NatsEventLoop(QObject *parent = nullptr);
    ~NatsEventLoop() override;

    // Before natsConnection_Connect; also turns cnats' flusher thread off (SendAsap). The
    // connection is the one cnats attaches: natsConnection_Connect may run on another thread,
    // and the socket can be readable here before it returns there.
    int install(__natsOptions *options); // a natsStatus
    // Runs on this thread after every read, when cnats has parsed what arrived: synchronous
    // subscriptions are drained here.
    void setAfterRead(std::function<void()> afterRead) { m_afterRead = std::move(afterRead); }
    // Writes what cnats has buffered now, waiting at most `timeoutMs` for the socket: before
    // natsConnection_Close, which would otherwise drop it (acks, NAKs).
    void flush(int timeoutMs);
    // After natsConnection_Close: the notifiers go at once.
    void shutdown();
    // How long cnats has had bytes to send that the socket would not take (0 when it has
    // nothing to send, or sent some since): the server has stopped reading for that long.
    qint64 writeStalledForMs() const;

private:
    friend struct NatsEventLoopCallbacks;

    void requestSync();
    void syncNotifiers();
    void retire(int fd); // any thread
    void closeRetired(); // this thread, with no notifier left on them
    void readable();
    void writable();

    std::atomic<__natsConnection *> m_connection {nullptr}; // set by attach
    std::function<void()> m_afterRead;
    bool m_shutDown = false;

    // What cnats asked for last, from whichever thread it asked on. m_fd is our duplicate of
    // the attached socket; m_retired holds the duplicates of sockets since detached.
    std::atomic<int> m_fd {-1};
    QMutex m_retiredMutex;
    std::vector<int> m_retired;
    std::atomic<quint64> m_attachment {
        0}; // counts attaches and detaches: a new socket may reuse the fd
    std::atomic<bool> m_wantRead {false};
    std::atomic<bool> m_wantWrite {false};
    std::atomic<bool> m_syncPosted {false};
    // When writing was asked for while nothing waited, or last made progress (steady ms).
    std::atomic<qint64> m_writeProgressMs {0};
    quint64 m_notifiedAttachment = 0;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier;
};

} // namespace Switchboard
