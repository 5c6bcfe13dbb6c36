#pragma once

// JetStream publishes driven by the Qt event loop of one thread, with no other thread between
// a publish and its acknowledgement.
//
// NatsClient::publish() goes through cnats' threads: its flusher writes the message, its reader
// parses the ack, a delivery thread runs the ack handler, and the completion is posted back.
// At POST /events rates those wake-ups cost more than the publishes (see README, Speed). Here
// the connection is served by this thread's event loop (NatsEventLoop), and the acks arrive
// on a synchronous inbox subscription drained right after each read. A publish appends to
// cnats' buffer; everything published in one pass of the event loop leaves in one write.
//
// Not thread-safe: create, open, publish and destroy on one thread (the HTTP thread). cnats
// still runs its reconnect, ping and callback threads; what they report reaches this thread
// as posted calls. The first connection attempt of each open() (a name lookup, then up to
// connectTimeout per URL for the server's greeting) runs on a thread of its own, so that a
// NATS that accepts connections but does not answer never holds this thread's routes.

#include "natsclient.h"
#include "natseventloop.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QObject>
#include <QTimer>
#include <QWaitCondition>
#include <atomic>
#include <deque>
#include <memory>
#include <thread>

struct __natsConnection;
struct __natsSubscription;

namespace Switchboard {

class NatsPublisher : public QObject
{
    Q_OBJECT

public:
    explicit NatsPublisher(NatsConnectionOptions options, QObject *parent = nullptr);
    ~NatsPublisher() override; // close()

    // Starts connecting and returns at once (it retries forever in the background: a connection
    // the server closes for good, or that cannot be made, is replaced by a new one). False only
    // when the options are unusable, with the reason.
    bool open(QString *error);
    // Fails every publish still waiting ("connection closed") and closes the connection. A first
    // attempt still under way is waited for: a name lookup and connectTimeout per URL, except for
    // a server that sends its INFO and then never answers the PING (cnats before 3.8.0 spins in
    // natsConnection_Connect until that server closes the connection: nats.c #706).
    void close();

    bool isConnected() const { return m_connected.load(); }
    // The server's max_payload (headers and body of one message); 0 while not connected.
    qint64 maxPayload() const;
    int pendingPublishes() const { return m_waiting; }

    // Publishes to JetStream; `done` runs exactly once on this thread, never inside this call:
    // with the stream sequence, the server's refusal, or "no acknowledgement" after
    // NatsConnectionOptions::publishTimeout. Not connected, too many waiting, or a server that
    // has not read what was sent for a quarter of the publish timeout: the error at once
    // (queued). Bytes cnats could not send yet stay in its buffer and reach the server when it
    // reads again, after their publishes were answered "no acknowledgement": refusing up front
    // keeps that (and the buffer's growth) to a fraction of a publish timeout's traffic.
    void publish(const QByteArray &subject, const NatsHeaders &headers, const QByteArray &data,
                 NatsClient::PublishCallback done);

Q_SIGNALS:
    // Emitted on cnats' callback thread when the connection is made or lost (and on this
    // thread when the first attempt of an open() connected).
    void connectionChanged(bool connected);

private:
    friend struct NatsPublisherCallbacks; // cnats' C callbacks, in natspublisher.cpp

    struct Waiting
    {
        qint64 deadlineMs = 0; // on m_clock
        NatsClient::PublishCallback done; // empty once answered
    };

    void failLater(NatsClient::PublishCallback done, const QString &error, bool tooLarge = false);
    void takeAcks();
    void answer(quint64 id, const NatsPublishResult &result);
    void noResponders();
    static QString noStreamText();
    void expire();
    void dropAnswered();
    void release(); // closes and frees the connection and its inbox subscription
    void reopen(); // a new connection, after the server closed this one for good
    // The connecting thread's work, and taking what it made on this thread.
    void connectInBackground(__natsOptions *options, quint64 generation);
    void connectFinished(quint64 generation);
    bool joinConnector(); // false when no attempt was under way

    NatsConnectionOptions m_options;
    QString m_displayUrl;
    __natsConnection *m_connection = nullptr;
    __natsSubscription *m_acks = nullptr;
    QByteArray m_inboxPrefix; // "_INBOX.<nuid>.": a publish's reply subject adds its id
    std::atomic<bool> m_connected {false};
    std::atomic<bool> m_closing {false}; // read by the closed callback (cnats thread)
    // m_connection and m_acks are this thread's: connected() waits for them.
    std::atomic<bool> m_taken {false};
    std::atomic<bool> m_everConnected {false}; // this connection, since open()

    // The first attempt of an open(): what it made waits in m_made until joined.
    struct Made
    {
        __natsConnection *connection = nullptr;
        __natsSubscription *acks = nullptr;
        QString error;
    };
    std::thread m_connector;
    Made m_made;
    quint64 m_generation = 0; // of the open() whose attempt a posted call reports

    NatsEventLoop *m_loop = nullptr; // a child: serves the socket on this object's thread

    // Publishes in the order they were sent; the front one has id m_firstId. An answered one
    // stays (with an empty callback) until those before it are answered or expired.
    std::deque<Waiting> m_queue;
    quint64 m_firstId = 1;
    int m_waiting = 0;
    QElapsedTimer m_clock;
    QTimer m_expiry;
    QTimer m_reopen;
    std::atomic<int> m_reopens {0}; // closed by the server since last connected
    bool m_writeStalled = false; // updated by expire(): publish() refuses while set
    // NATS answered "no responders" and no publish was acked since: one publish at a time.
    bool m_noStream = false;

    QMutex m_closedMutex;
    QWaitCondition m_closedCondition;
    bool m_closedSeen = false;
};

} // namespace Switchboard
