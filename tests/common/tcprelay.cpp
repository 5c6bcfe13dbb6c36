#include "tcprelay.h"

#include <QPointer>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace Switchboard::Test {

namespace {

// One accepted connection and its connection to the target; the sockets are its children.
struct Link : QObject
{
    QTcpSocket *client = nullptr;
    QTcpSocket *upstream = nullptr;
    QByteArray toUpstream; // read from the client, not forwarded yet
    QByteArray toClient; // read from the target, not forwarded yet
    bool clientClosed = false;
    bool upstreamClosed = false;
};

} // namespace

class TcpRelay::Worker : public QObject
{
public:
    explicit Worker(quint16 targetPort)
        : m_targetPort(targetPort)
    {
        connect(&m_server, &QTcpServer::newConnection, this, &Worker::accept);
    }

    quint16 listen()
    {
        return m_server.listen(QHostAddress::LocalHost, 0) ? m_server.serverPort() : 0;
    }

    void setHolding(bool holding, bool repliesPass)
    {
        m_holding = holding;
        m_repliesPass = repliesPass;
        for (const QPointer<Link> &link : std::as_const(m_links)) {
            if (link)
                pump(link);
        }
    }

    QByteArray held() const
    {
        QByteArray bytes;
        for (const QPointer<Link> &link : m_links) {
            if (link)
                bytes += link->toUpstream;
        }
        return bytes;
    }

private:
    void accept()
    {
        while (QTcpSocket *client = m_server.nextPendingConnection()) {
            auto *link = new Link;
            link->setParent(this);
            m_links.append(link);
            client->setParent(link);
            link->client = client;
            link->upstream = new QTcpSocket(link);
            // Read eagerly into the link's buffers: what a closing side sent is kept, and hold()
            // only has to stop the writes.
            connect(client, &QIODevice::readyRead, link, [this, link] {
                link->toUpstream += link->client->readAll();
                pump(link);
            });
            connect(link->upstream, &QIODevice::readyRead, link, [this, link] {
                link->toClient += link->upstream->readAll();
                pump(link);
            });
            connect(link->upstream, &QAbstractSocket::connected, link,
                    [this, link] { pump(link); });
            connect(client, &QAbstractSocket::stateChanged, link,
                    [this, link](QAbstractSocket::SocketState state) {
                        if (state != QAbstractSocket::UnconnectedState)
                            return;
                        link->clientClosed = true;
                        pump(link);
                    });
            connect(link->upstream, &QAbstractSocket::stateChanged, link,
                    [this, link](QAbstractSocket::SocketState state) {
                        if (state != QAbstractSocket::UnconnectedState)
                            return;
                        link->upstreamClosed = true;
                        pump(link);
                    });
            link->upstream->connectToHost(QHostAddress::LocalHost, m_targetPort);
        }
    }

    // Forwards what waits unless holding; a side that closed has the other side closed once
    // everything it sent is delivered (held bytes arrive late, not never).
    void pump(Link *link)
    {
        if (!link->toClient.isEmpty() && (!m_holding || m_repliesPass)
            && link->client->state() == QAbstractSocket::ConnectedState) {
            link->client->write(link->toClient);
            link->toClient.clear();
        }
        if (m_holding)
            return;
        if (!link->toUpstream.isEmpty()
            && link->upstream->state() == QAbstractSocket::ConnectedState) {
            link->upstream->write(link->toUpstream);
            link->toUpstream.clear();
        }
        if (link->clientClosed && (link->toUpstream.isEmpty() || link->upstreamClosed))
            link->upstream->disconnectFromHost();
        if (link->upstreamClosed && (link->toClient.isEmpty() || link->clientClosed))
            link->client->disconnectFromHost();
        if (link->clientClosed && link->upstreamClosed) {
            m_links.removeAll(link);
            link->deleteLater();
        }
    }

    const quint16 m_targetPort;
    QTcpServer m_server {this};
    QList<QPointer<Link>> m_links;
    bool m_holding = false;
    bool m_repliesPass = false; // while holding
};

TcpRelay::TcpRelay(quint16 targetPort)
    : m_targetPort(targetPort)
{
}

TcpRelay::~TcpRelay()
{
    if (!m_thread)
        return;
    call([this] {
        delete m_worker; // its sockets with it, in their own thread
        m_worker = nullptr;
    });
    m_thread->quit();
    if (!m_thread->wait(10000))
        (void)m_thread.release(); // destroying a running QThread would abort the process
}

template<typename F> bool TcpRelay::call(F f)
{
    const auto done = std::make_shared<QSemaphore>();
    QMetaObject::invokeMethod(
        m_worker,
        [f, done] {
            f();
            done->release();
        },
        Qt::QueuedConnection);
    return done->tryAcquire(1, 10000);
}

bool TcpRelay::start()
{
    m_thread = std::make_unique<QThread>();
    m_thread->start();
    m_worker = new Worker(m_targetPort);
    m_worker->moveToThread(m_thread.get());
    quint16 port = 0;
    if (!call([&port, worker = m_worker] { port = worker->listen(); }))
        return false;
    m_port = port;
    return m_port != 0;
}

void TcpRelay::hold(Hold what)
{
    call([worker = m_worker, what] { worker->setHolding(true, what == Hold::Requests); });
}

void TcpRelay::release()
{
    call([worker = m_worker] { worker->setHolding(false, false); });
}

QByteArray TcpRelay::held()
{
    QByteArray bytes;
    call([&bytes, worker = m_worker] { bytes = worker->held(); });
    return bytes;
}

} // namespace Switchboard::Test
