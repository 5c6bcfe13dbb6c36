#pragma once

#include "core/config.h"
#include "core/engine.h"
#include "ingressgateway.h"
#include "ingresssnapshot.h"
#include "ingressstore.h"
#include "nats/natsclient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QThread>
#include <QTimer>
#include <QUrl>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

namespace Switchboard {

class HttpClient;
struct HttpClientResponse;

// The Event Hub: takes deliveries from the JetStream consumer and POSTs each event to every
// endpoint of its domain at once. Acks when all have answered 2xx; otherwise remembers who
// has it (KV), NAKs with a growing delay, and on redelivery calls only the others. After
// nats.max_deliveries attempts, or at once when the domain has no route, the event becomes a
// dead letter (ingressstore.h has the layout).
//
// Threads: the engine thread runs deliveries, forwards (HttpClient) and acks; the store thread
// makes the blocking JetStream API calls; POST /events publishes from the HTTP thread through
// the gateway. cnats' own threads only post into these.
class IngressEngine : public Engine
{
    Q_OBJECT
public:
    IngressEngine(const NatsConfig &nats, const IngressConfig &config,
                  std::shared_ptr<IngressGateway> gateway, SnapshotBoard *board);
    ~IngressEngine() override;

    void start() override;
    void stop(int deadlineMs) override;

private:
    // The circuit breaker of one endpoint URL (routes of several domains may share one): after
    // ingress.circuit_breaker_failures calls in a row got no answer, or 5xx or 429, the
    // endpoint gets one call at a time, at most one per retry_delay (the probes), and the
    // other attempts fail at once without a call, until a call is answered otherwise. A
    // hanging endpoint would otherwise keep its domain's events, queued for its connections,
    // in the consumer's max_in_flight slots, which every domain shares.
    struct Circuit
    {
        QUrl url;
        int failuresInARow = 0;
        qint64 openedMs = -1; // on m_clock; -1: closed
        QDateTime openedAt;
        qint64 nextProbeMs = 0;
        // +1 at every close: failures of calls sent before it do not count towards opening.
        quint64 generation = 0;
        QString lastError; // of the failure that opened it
    };
    struct Target
    {
        QUrl url;
        QString urlText;
        IngressEndpointStats stats;
        Circuit *circuit = nullptr; // in m_circuits
    };
    struct Route
    {
        QString domain;
        Milliseconds timeout;
        std::vector<Target> targets;
    };
    // One delivery being handled.
    struct InFlight
    {
        explicit InFlight(NatsDelivery d)
            : delivery(std::move(d))
        {
        }
        NatsDelivery delivery;
        Route *route = nullptr;
        QByteArray deliveryKey;
        QByteArray eventId;
        QByteArray callId; // X-Call-ID, as the Event Hub sent it
        QString domain;
        quint64 deliveryCount = 1; // JetStream's, for this message
        int attempt = 1; // ours: forwards made for this delivery key, this one included
        DeliveredEndpoints delivered; // before and during this attempt
        QHash<QString, QPair<int, QString>> failures; // url -> status, error (this attempt)
        int notCalled = 0; // of the failures, endpoints not called (their circuit was open)
        int outstanding = 0; // forwards not answered yet
        QElapsedTimer held; // since the delivery arrived or the last InProgress
        QElapsedTimer arrived;
        bool acked = false; // delivered or dead-lettered: the copies waiting here are done too
    };

    void onNatsState(NatsClient::State state);
    void openNats();
    void reopenNats();
    void runSetup();
    void repairSoon();
    void checkConsumer();
    void consumerChecked(const std::optional<NatsConsumerState> &state);
    void setupDone(bool ok, const QString &error, NatsSubscription *subscription,
                   const QList<DeadLetter> &latest);
    void onDeliveries(QList<NatsDelivery> batch);
    void begin(quint64 id);
    void recordLoaded(quint64 id, const std::optional<DeliveryRecord> &record,
                      const QString &error);
    void forwardOrDeadLetter(quint64 id);
    void forward(quint64 id);
    void forwarded(quint64 id, Target *target, const HttpClientResponse &response, qint64 elapsedNs,
                   quint64 generation);
    void attemptFinished(quint64 id);
    void delivered(quint64 id); // every endpoint has it: ack
    // Publishes the delivery's KV record; `then` runs once NATS answered, if it is still here.
    void storeRecord(quint64 id, const DeliveryRecord &record,
                     std::function<void(InFlight &, const QString &error)> then);
    void deadLetter(quint64 id, DeadLetter::Reason reason);
    void finish(quint64 id); // forgets the delivery once it is acked or NAKed; starts the next copy
    Milliseconds retryDelay(int attempt) const;
    bool mayCall(Circuit &circuit); // false while it is open and no probe is due
    // A call's outcome for its circuit breaker; `generation`: the circuit's when it was sent.
    void countCall(Circuit &circuit, const HttpClientResponse &response, const QString &error,
                   quint64 generation);
    QString notCalledText(const Circuit &circuit) const;
    void keepAlive(); // InProgress for deliveries held longer than a third of AckWait
    void publishSnapshot();
    void finishStop();
    void closeNats(); // subscription, connection, then the store threads
    void stopStores();
    void storeDeadLetter(quint64 id, DeadLetter letter);
    bool logBudget(); // bounds failure log lines to a few per second

    NatsConfig m_natsConfig;
    IngressConfig m_config;
    std::shared_ptr<IngressGateway> m_gateway;
    NatsClient *m_nats = nullptr; // child
    HttpClient *m_http = nullptr; // child
    QThread m_storeThread;
    IngressStore *m_store = nullptr; // lives in m_storeThread: set-up and KV reads
    // The dead-letter REST calls get a store thread of their own, so that an operator paging
    // through thousands of dead letters never delays a redelivery's KV read.
    QThread m_apiStoreThread;
    IngressStore *m_apiStore = nullptr;
    std::unique_ptr<NatsSubscription> m_subscription;
    std::vector<std::unique_ptr<Route>> m_routes;
    QHash<QString, Route *> m_routeByKey; // routingKey(domain) -> route
    std::map<QString, Circuit> m_circuits; // by endpoint URL

    std::unordered_map<quint64, InFlight> m_inFlight;
    // Delivery key -> the copies of that message here, in arrival order; the front one is being
    // handled, the others wait for it (finish()).
    QHash<QByteArray, std::deque<quint64>> m_byDeliveryKey;
    quint64 m_nextId = 1;
    QElapsedTimer m_clock; // for the circuit breakers
    // Records this node wrote, by delivery key, with the JetStream delivery count they were
    // written at: the very next delivery, when it lands here, needs no KV read.
    QHash<QByteArray, QPair<quint64, DeliveryRecord>> m_known;

    bool m_setupRunning = false;
    bool m_consuming = false;
    QString m_setupError;
    // Deliveries held because JetStream refused their dead letter (full, or the dead-letter
    // stream at its limits), and why the last one was refused: /health says so meanwhile.
    std::set<quint64> m_deadLettersRefused;
    QString m_deadLetterRefusal;
    bool m_eventsRefusedLogged = false; // POST /events refusals are in /health (and were logged)
    int m_setupFailures = 0;
    bool m_stopping = false;
    bool m_stopped = false;
    QTimer m_setupRetry;
    QTimer m_snapshotTimer;
    QTimer m_keepAliveTimer;
    QTimer m_stopDeadline;
    QTimer m_reopenTimer; // after NATS closed the connection for good
    // The consumer as JetStream sees it, every few seconds: made again when it was deleted on
    // the server.
    QTimer m_consumerCheck;
    bool m_checkRunning = false;
    int m_natsReopens = 0; // since the last time it was connected
    quint64 m_natsGeneration = 0; // connections opened: a set-up answers for one of them

    // Counters for the snapshot.
    quint64 m_deliveredEvents = 0;
    quint64 m_redeliveries = 0;
    quint64 m_deadNoRoute = 0;
    quint64 m_deadMaxDeliveries = 0;
    qint64 m_consumerPending = -1;
    Histogram m_forwardLatency;
    RecentHistogram m_recentForwardLatency;
    QList<DeadLetter> m_latestDeadLetters;
    quint64 m_deliveredAtLastSnapshot = 0;
    QElapsedTimer m_rateClock;
    double m_rate = 0;
    int m_logLines = 0;
    int m_logSuppressed = 0;
    QElapsedTimer m_logWindow;
};

} // namespace Switchboard
