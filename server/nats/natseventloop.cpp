#include "natseventloop.h"

#include <QDeadlineTimer>
#include <QThread>
#include <chrono>
#include <fcntl.h>
#include <nats/nats.h>
#include <poll.h>
#include <unistd.h>

namespace Switchboard {

struct NatsEventLoopCallbacks
{
    static natsStatus attach(void **userData, void *loop, natsConnection *connection,
                             natsSock socket)
    {
        auto *self = static_cast<NatsEventLoop *>(loop);
        self->m_connection = connection; // the same one on every reconnect
        // Ours to close: cnats closes its socket without waiting for the notifiers to go.
        const int own = ::fcntl(int(socket), F_DUPFD_CLOEXEC, 0);
        if (own < 0)
            return NATS_SYS_ERROR; // out of descriptors: cnats tries the connection again later
        *userData = self;
        self->retire(self->m_fd.exchange(own));
        self->m_wantRead = true; // cnats never asks for reads: it expects them from now on
        self->m_attachment.fetch_add(1);
        self->requestSync();
        return NATS_OK;
    }

    static natsStatus read(void *userData, bool add)
    {
        auto *self = static_cast<NatsEventLoop *>(userData);
        self->m_wantRead = add;
        self->requestSync();
        return NATS_OK;
    }

    static natsStatus write(void *userData, bool add)
    {
        auto *self = static_cast<NatsEventLoop *>(userData);
        // cnats asks once when its buffer stops being empty, and again only after it emptied.
        if (add && !self->m_wantWrite.load())
            self->m_writeProgressMs = steadyMs();
        self->m_wantWrite = add;
        self->requestSync();
        return NATS_OK;
    }

    static qint64 steadyMs()
    {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }

    static natsStatus detach(void *userData)
    {
        auto *self = static_cast<NatsEventLoop *>(userData);
        self->retire(self->m_fd.exchange(-1));
        self->m_wantRead = false;
        self->m_wantWrite = false;
        self->m_attachment.fetch_add(1);
        self->requestSync();
        return NATS_OK;
    }
};

NatsEventLoop::NatsEventLoop(QObject *parent)
    : QObject(parent)
{
}

NatsEventLoop::~NatsEventLoop()
{
    m_readNotifier.reset();
    m_writeNotifier.reset();
    retire(m_fd.exchange(-1));
    closeRetired();
}

void NatsEventLoop::retire(int fd)
{
    if (fd < 0)
        return;
    QMutexLocker lock(&m_retiredMutex);
    m_retired.push_back(fd);
}

void NatsEventLoop::closeRetired()
{
    std::vector<int> retired;
    {
        QMutexLocker lock(&m_retiredMutex);
        retired.swap(m_retired);
    }
    for (const int fd : retired)
        ::close(fd);
}

int NatsEventLoop::install(natsOptions *options)
{
    natsStatus s = natsOptions_SetEventLoop(
        options, this, NatsEventLoopCallbacks::attach, NatsEventLoopCallbacks::read,
        NatsEventLoopCallbacks::write, NatsEventLoopCallbacks::detach);
    // No flusher thread: a publish asks for a write event, and writable() sends the buffer.
    if (s == NATS_OK)
        s = natsOptions_SetSendAsap(options, true);
    return s;
}

void NatsEventLoop::flush(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    natsConnection *connection = m_connection.load();
    while (connection && m_wantWrite.load() && !deadline.hasExpired()) {
        natsConnection_ProcessWriteEvent(connection); // asks to stop writing when all is sent
        const int fd = m_fd.load();
        if (!m_wantWrite.load() || fd < 0)
            break;
        pollfd socket {fd, POLLOUT, 0};
        ::poll(&socket, 1, int(qBound(qint64(1), deadline.remainingTime(), qint64(100))));
    }
}

void NatsEventLoop::shutdown()
{
    m_shutDown = true;
    m_readNotifier.reset();
    m_writeNotifier.reset();
}

void NatsEventLoop::requestSync()
{
    if (QThread::currentThread() == thread())
        return syncNotifiers();
    if (m_syncPosted.exchange(true))
        return;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_syncPosted = false; // cleared before reading: a later request posts again
            syncNotifiers();
        },
        Qt::QueuedConnection);
}

void NatsEventLoop::syncNotifiers()
{
    const quint64 attachment = m_attachment.load();
    if (attachment != m_notifiedAttachment) {
        m_notifiedAttachment = attachment;
        // This may run inside one of their own signals: let the event loop delete them.
        for (std::unique_ptr<QSocketNotifier> *notifier : {&m_readNotifier, &m_writeNotifier}) {
            if (*notifier) {
                (*notifier)->setEnabled(false);
                notifier->release()->deleteLater();
            }
        }
        // Every socket retired before this attachment; none is watched now.
        closeRetired();
        const int fd = m_fd.load();
        if (fd >= 0 && !m_shutDown) {
            m_readNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
            m_writeNotifier = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Write);
            connect(m_readNotifier.get(), &QSocketNotifier::activated, this,
                    &NatsEventLoop::readable);
            connect(m_writeNotifier.get(), &QSocketNotifier::activated, this,
                    &NatsEventLoop::writable);
        }
    }
    if (m_readNotifier)
        m_readNotifier->setEnabled(m_wantRead.load());
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(m_wantWrite.load());
}

void NatsEventLoop::readable()
{
    natsConnection_ProcessReadEvent(m_connection.load());
    if (m_afterRead)
        m_afterRead();
}

qint64 NatsEventLoop::writeStalledForMs() const
{
    if (!m_wantWrite.load() || m_fd.load() < 0)
        return 0;
    return qMax<qint64>(0, NatsEventLoopCallbacks::steadyMs() - m_writeProgressMs.load());
}

void NatsEventLoop::writable()
{
    // Writable: the socket takes bytes again, so this write makes progress.
    m_writeProgressMs = NatsEventLoopCallbacks::steadyMs();
    natsConnection_ProcessWriteEvent(m_connection.load());
}

} // namespace Switchboard
