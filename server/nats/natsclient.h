#pragma once

// The one place that knows cnats (libnats 3.4): a connection with JetStream, asynchronous
// publishes with a completion per message, push-consumer deliveries handed to a Qt thread,
// and the few blocking JetStream API calls (stream, consumer, KV, stored messages) that a
// worker thread may make.
//
// Threads (STYLE.md trap 6): cnats calls back on threads of its own. Nothing here touches a
// QObject on those threads: publish completions and deliveries are posted to the QObject
// the caller named, and state changes are emitted as a signal, which Qt queues to receivers
// living in other threads.

#include "core/config.h"

#include <QByteArray>
#include <QList>
#include <QLoggingCategory>
#include <QMutex>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QString>
#include <QWaitCondition>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

struct __natsConnection;
struct __natsMsg;
struct __natsSubscription;
struct __jsCtx;
struct __kvStore;

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcNats)

using NatsHeaders = QList<QPair<QByteArray, QByteArray>>;

struct NatsPublishResult
{
    bool ok = false;
    quint64 sequence = 0; // the stream sequence JetStream stored the message under
    bool tooLarge = false; // above the server's max_payload: retrying cannot help
    QString error; // why not, for an operator: "NATS is not connected", "no JetStream ack ..."
};

// A message stored in a stream, read back by sequence or by subject.
struct NatsStoredMessage
{
    quint64 sequence = 0;
    QByteArray subject;
    NatsHeaders headers;
    QByteArray data;
    qint64 timeNs = 0; // when the stream stored it, ns since the epoch

    QByteArray header(QByteArrayView name) const;
};

// One message from a JetStream push consumer, with its acknowledgement handle. Cheap to copy
// (shared); the ack calls are thread-safe and non-blocking (they are small publishes).
class NatsDelivery
{
public:
    explicit NatsDelivery(__natsMsg *message); // takes ownership

    const QByteArray &subject() const { return m_subject; }
    const QByteArray &data() const { return m_data; }
    QByteArray header(const char *name) const;
    quint64 streamSequence() const { return m_streamSequence; }
    quint64 deliveryCount() const { return m_deliveryCount; } // 1 on the first delivery
    quint64 pendingInConsumer() const { return m_pending; } // not yet delivered, after this
    qint64 storedAtNs() const { return m_storedAtNs; }

    void ack() const;
    void nak(std::chrono::milliseconds delay) const;
    void inProgress() const; // restarts the server's AckWait clock
    void term() const; // never redeliver

private:
    std::shared_ptr<__natsMsg> m_message;
    QByteArray m_subject;
    QByteArray m_data;
    quint64 m_streamSequence = 0;
    quint64 m_deliveryCount = 0;
    quint64 m_pending = 0;
    qint64 m_storedAtNs = 0;
};

struct NatsStreamSpec
{
    QString name;
    QStringList subjects;
    Milliseconds maxAge {0}; // 0: unlimited
    qint64 maxMessages = -1;
    // A KV bucket is a stream "KV_<bucket>" on "$KV.<bucket>.>" keeping the last value per
    // subject; creating it this way keeps it readable with `nats kv`.
    bool keyValueLayout = false;
};

struct NatsConsumerSpec
{
    QString stream;
    QString durable;
    QString filterSubject;
    QString deliverSubject; // push consumer
    QString deliverGroup; // nodes sharing the consumer subscribe with this queue name
    Milliseconds ackWait {30000};
    int maxDeliver = -1;
    int maxAckPending = 1000;
    // Only for a consumer created now: start with messages stored from now on rather than with
    // the stream's history; or, when startSequence is set, with that stream sequence.
    bool deliverNew = false;
    quint64 startSequence = 0;
};

// What JetStream says of a durable consumer.
struct NatsConsumerState
{
    bool found = false; // false: the stream or the consumer does not exist
    quint64 pending = 0; // stored, not delivered yet
    qint64 ackPending = 0; // delivered, not acked yet (NAKed ones included)
    quint64 delivered = 0; // stream sequence: the last delivered
    // Stream sequence: it and everything before it are acked. 0 before the first ack, also for a
    // consumer that started with new messages.
    quint64 ackFloor = 0;
    qint64 createdNs = 0; // when the consumer was created (the server's clock)
};

struct NatsStreamState
{
    quint64 messages = 0;
    quint64 firstSequence = 0;
    quint64 lastSequence = 0;
};

// One connection to NATS: where, how it keeps itself alive, and the bounds of its publishes.
struct NatsConnectionOptions
{
    QString url; // one URL or a comma-separated list
    QString name = QStringLiteral("switchboard"); // shown by the server's monitoring
    Milliseconds connectTimeout {2000};
    // How fast a silently dead server is noticed: pingInterval x maxPingsOut.
    Milliseconds pingInterval {5000};
    int maxPingsOut = 2;
    Milliseconds reconnectInitial {100}; // doubled per attempt, jittered, capped
    Milliseconds reconnectMax {5000};
    Milliseconds apiTimeout {5000}; // blocking JetStream API calls
    int maxPendingPublishes = 65536; // beyond this publish() fails at once ("overloaded")
    // One timeout for every asynchronous publish. cnats keeps the deadlines in a list
    // sorted by insertion (js.c, _trackPublishAsyncTimeout): equal timeouts append in O(1),
    // mixed ones walk the list on every publish, which took 44 % of the HTTP thread when
    // failing endpoints made the engine publish with a longer timeout than POST /events.
    Milliseconds publishTimeout {1500};
    // NatsClient: serve the socket from the event loop of the thread that calls open() (see
    // NatsEventLoop) instead of cnats' reader and flusher threads, and hand deliveries to a
    // receiver living on that thread without a thread hop. That thread must then never make
    // the blocking calls (their replies are read by its event loop): other threads may.
    bool eventLoop = false;
};

class NatsClient;

// A live push-consumer subscription; unsubscribes when destroyed.
class NatsSubscription
{
public:
    ~NatsSubscription();
    // Stops new deliveries; those already received and not yet handed over are NAKed at once
    // so that another node takes them without waiting for AckWait.
    void stop();

private:
    friend class NatsClient;
    friend struct NatsCallbacks;
    struct Inbox;
    NatsSubscription() = default;
    __natsSubscription *m_subscription = nullptr;
    std::shared_ptr<Inbox> m_inbox;
};

class NatsClient : public QObject
{
    Q_OBJECT
public:
    // Closed: by close(), or by the server in a way cnats does not reconnect from (the same
    // authorization violation twice, a protocol error). Only a new NatsClient connects again.
    enum class State { Connecting, Connected, Reconnecting, Closed };
    Q_ENUM(State)

    using Options = NatsConnectionOptions;

    explicit NatsClient(Options options, QObject *parent = nullptr);
    ~NatsClient() override; // close()

    // Starts connecting in the background (and retries forever). False only when the options
    // are unusable (a malformed URL), with the reason.
    bool open(QString *error);
    // Fails every pending publish ("connection closed") and closes the connection; blocking
    // calls in other threads return with an error. The connection is freed by the destructor.
    void close();

    State state() const { return m_state.load(); }
    bool isConnected() const { return state() == State::Connected; }
    QString displayUrl() const { return m_displayUrl; } // without credentials
    QString lastError() const;

    using PublishCallback = std::function<void(const NatsPublishResult &)>;
    // Publishes to JetStream without waiting; `done` runs exactly once in `context`'s thread
    // (never inside this call), with the ack, the server's refusal, or a timeout after
    // Options::publishTimeout. Not connected or too many in flight: `done` gets the error at once
    // (queued). Thread-safe.
    void publish(const QByteArray &subject, const NatsHeaders &headers, const QByteArray &data,
                 QObject *context, PublishCallback done);
    int pendingPublishes() const;
    // The server's max_payload (headers and body of one message); 0 while not connected.
    qint64 maxPayload() const;

    // --- Blocking JetStream API, bounded by Options::apiTimeout. Call from a worker thread. ---

    // Creates the stream, or adds missing subjects to an existing one (nothing else of an
    // existing stream is changed: its owner may have tuned it).
    // `existed` (optional) tells whether the stream was there already, with messages;
    // `createdNs` (optional) when it was created: a stream deleted and made again is another.
    // `dropsOldest` (optional) names the limits (max_msgs, max_bytes, max_msgs_per_subject)
    // beyond which an existing stream with DiscardOld drops its oldest messages, consumed or
    // not; empty when it has none.
    bool ensureStream(const NatsStreamSpec &spec, QString *error, bool *existed = nullptr,
                      qint64 *createdNs = nullptr, QString *dropsOldest = nullptr);
    // Creates the durable consumer, or updates AckWait/MaxDeliver/MaxAckPending of an existing
    // one; fails with a clear message when its deliver subject or group differ.
    bool ensureConsumer(const NatsConsumerSpec &spec, QString *error);
    using DeliveryHandler = std::function<void(QList<NatsDelivery>)>;
    // Binds to an existing push consumer as one member of its deliver group. Deliveries are
    // posted to `receiver`'s thread in batches (all that arrived since the last post).
    std::unique_ptr<NatsSubscription> subscribe(const NatsConsumerSpec &spec, QObject *receiver,
                                                DeliveryHandler handler, QString *error);
    std::optional<NatsStreamState> streamState(const QString &stream, QString *error);
    // nullopt with the error when JetStream could not be asked.
    std::optional<NatsConsumerState> consumerState(const QString &stream, const QString &durable,
                                                   QString *error);
    // nullopt with an empty error: no such message.
    std::optional<NatsStoredMessage> message(const QString &stream, quint64 sequence,
                                             QString *error);
    std::optional<NatsStoredMessage> lastMessage(const QString &stream, const QByteArray &subject,
                                                 QString *error);
    // False with an empty error: no such message.
    bool deleteMessage(const QString &stream, quint64 sequence, QString *error);
    NatsPublishResult publishAndWait(const QByteArray &subject, const NatsHeaders &headers,
                                     const QByteArray &data);

Q_SIGNALS:
    // Emitted from cnats' threads: connect with a receiver object (queued).
    void stateChanged(NatsClient::State state);

private:
    struct PendingPublish
    {
        QPointer<QObject> context;
        PublishCallback done;
    };

    friend struct NatsCallbacks; // cnats' C callbacks, in natsclient.cpp
    void setState(State state);
    // Event-loop mode, on the loop's thread after every read: hands what the synchronous
    // push-consumer subscriptions received to their receivers.
    void takeDeliveries();
    void complete(PendingPublish pending, const NatsPublishResult &result);
    std::optional<PendingPublish> takePending(__natsMsg *message);

    Options m_options;
    QString m_displayUrl;
    __natsConnection *m_connection = nullptr;
    __jsCtx *m_jetStream = nullptr;
    class NatsEventLoop *m_loop = nullptr; // event-loop mode only; a child
    QMutex m_syncMutex;
    std::vector<std::shared_ptr<NatsSubscription::Inbox>> m_syncInboxes; // event-loop mode
    std::atomic<State> m_state {State::Closed};
    std::atomic<bool> m_closing {false};
    struct CompletionInbox;
    QMutex m_inboxesMutex;
    // By context object: a handful (the HTTP side, the engine) for the client's whole life.
    std::unordered_map<QObject *, std::shared_ptr<CompletionInbox>> m_inboxes;
    mutable QMutex m_mutex; // guards m_pending, m_lastError and m_closedSeen
    std::unordered_map<__natsMsg *, PendingPublish> m_pending;
    QString m_lastError;
    bool m_closedSeen = false; // cnats' closed callback has run (guarded by m_mutex)
    QWaitCondition m_closedCondition;
};

} // namespace Switchboard
