#include "ingressengine.h"

#include "core/jsonfields.h"
#include "http/httpclient.h"
#include "ingressevent.h"
#include "nats/natsoptions.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <algorithm>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int latestDeadLetterCount = 20;
// POST /events refusals in a row after which /health turns red (one alone may be a blip: a
// stream electing its leader), and for how long after the last one, if no publish comes.
constexpr quint64 publishRefusalsShown = 3;
constexpr qint64 publishRefusalsShownMs = 60000;
constexpr int knownDeliveriesLimit = 100000;
constexpr int natsReopenDelayMs = 5000;
constexpr int consumerCheckMs = 2000;
// For the circuit breaker: no answer, or the endpoint's own "not now". Any other answer (a 400 to
// a bad event, a redirect) shows the endpoint alive.
bool endpointFailed(const HttpClientResponse &response)
{
    return response.status == 0 || response.status >= 500 || response.status == 429;
}

QString errorText(const HttpClientResponse &response)
{
    if (!response.error.isEmpty())
        return response.error;
    QString text = response.statusText();
    const QByteArray body = response.bodyPrefix.left(200).simplified();
    if (!body.isEmpty())
        text += u": "_s + QString::fromUtf8(body);
    return text;
}

} // namespace

IngressEngine::IngressEngine(const NatsConfig &nats, const IngressConfig &config,
                             std::shared_ptr<IngressGateway> gateway, SnapshotBoard *board)
    : Engine(u"ingress"_s, board)
    , m_natsConfig(nats)
    , m_config(config)
    , m_gateway(std::move(gateway))
    , m_setupRetry(this)
    , m_snapshotTimer(this)
    , m_keepAliveTimer(this)
    , m_stopDeadline(this)
    , m_reopenTimer(this)
    , m_consumerCheck(this)
{
    m_storeThread.setObjectName(u"ingress-store"_s);
    m_apiStoreThread.setObjectName(u"ingress-api"_s);
    for (const IngressRoute &configured : config.routes) {
        auto route = std::make_unique<Route>();
        route->domain = configured.domain;
        route->timeout =
            configured.timeout.count() > 0 ? configured.timeout : config.forwardTimeout;
        for (const QString &endpoint : configured.endpoints) {
            Target target;
            target.url = QUrl(endpoint);
            target.urlText = endpoint;
            target.stats.domain = configured.domain;
            target.stats.url = webhookDisplayUrl(endpoint);
            target.circuit = &m_circuits[endpoint];
            target.circuit->url = target.url;
            route->targets.push_back(std::move(target));
        }
        m_routeByKey.insert(routingKey(configured.domain), route.get());
        m_routes.push_back(std::move(route));
    }
    m_clock.start();
    m_setupRetry.setSingleShot(true);
    m_reopenTimer.setSingleShot(true);
    connect(&m_reopenTimer, &QTimer::timeout, this, &IngressEngine::reopenNats);
    connect(&m_setupRetry, &QTimer::timeout, this, &IngressEngine::runSetup);
    connect(&m_snapshotTimer, &QTimer::timeout, this, &IngressEngine::publishSnapshot);
    connect(&m_keepAliveTimer, &QTimer::timeout, this, &IngressEngine::keepAlive);
    connect(&m_consumerCheck, &QTimer::timeout, this, &IngressEngine::checkConsumer);
    m_stopDeadline.setSingleShot(true);
    connect(&m_stopDeadline, &QTimer::timeout, this, [this] {
        qCWarning(lcIngress) << "stop deadline reached with" << m_inFlight.size()
                             << "deliveries in flight; they are released for redelivery";
        for (auto &[id, flight] : m_inFlight)
            flight.delivery.nak(Milliseconds(0));
        m_inFlight.clear();
        m_deadLettersRefused.clear();
        m_byDeliveryKey.clear();
        finishStop();
    });
}

IngressEngine::~IngressEngine()
{
    m_gateway->detach();
    closeNats();
}

void IngressEngine::closeNats()
{
    m_subscription.reset();
    // A store thread in a blocking call waits for a reply this thread's event loop would read:
    // closing makes it return at once. Publishes still waiting fail ("connection closed").
    if (m_nats)
        m_nats->close();
    stopStores();
}

void IngressEngine::stopStores()
{
    for (QThread *thread : {&m_storeThread, &m_apiStoreThread}) {
        thread->quit();
        thread->wait();
    }
    delete m_store;
    delete m_apiStore;
    m_store = m_apiStore = nullptr;
}

void IngressEngine::start()
{
    qRegisterMetaType<NatsClient::State>();
    HttpClientOptions httpOptions;
    httpOptions.maxConnectionsPerHost = m_config.maxConnectionsPerHost;
    httpOptions.userAgent = "Switchboard/" SWITCHBOARD_VERSION;
    m_http = new HttpClient(httpOptions, this);

    qCInfo(lcIngress).noquote() << "starting: NATS" << natsUrlWithoutCredentials(m_natsConfig.url)
                                << "stream" << m_natsConfig.streamName << "subjects"
                                << m_natsConfig.subjectPattern << "consumer"
                                << m_natsConfig.consumerName + u',' << m_routes.size() << "routes";
    openNats();
    m_rateClock.start();
    m_logWindow.start();
    m_snapshotTimer.start(250);
    m_keepAliveTimer.start(qMax<qint64>(100, m_natsConfig.ackWait.count() / 4));
    m_consumerCheck.start(consumerCheckMs);
    publishSnapshot();
}

// The connection, the store threads on it, and the set-up once it is connected.
void IngressEngine::openNats()
{
    NatsClient::Options options;
    options.url = m_natsConfig.url;
    options.name = u"switchboard-ingress"_s;
    options.publishTimeout = m_config.publishTimeout;
    // Deliveries are read, and acks written, by this thread's event loop; the blocking calls
    // stay in the store threads.
    options.eventLoop = true;
    m_nats = new NatsClient(options, this);
    // Emitted on cnats' threads: queued to this thread. A state still queued from a connection
    // reopenNats() replaced is dropped: it would speak for the new one.
    connect(
        m_nats, &NatsClient::stateChanged, this,
        [this, generation = m_natsGeneration](NatsClient::State state) {
            if (generation == m_natsGeneration)
                onNatsState(state);
        },
        Qt::QueuedConnection);

    m_store = new IngressStore(m_nats, m_natsConfig, m_config);
    m_store->moveToThread(&m_storeThread);
    m_storeThread.start();
    m_apiStore = new IngressStore(m_nats, m_natsConfig, m_config);
    m_apiStore->moveToThread(&m_apiStoreThread);
    m_apiStoreThread.start();
    // POST /events is accepted once the consumer exists (setupDone()), so that a consumer
    // created with "deliver new" cannot miss an event this node accepted.
    m_gateway->attach(m_apiStore);

    QString error;
    if (!m_nats->open(&error)) {
        m_setupError = error;
        qCCritical(lcIngress).noquote() << error;
        if (m_natsReopens > 0) // it connected before: the options are good, NATS is not yet
            m_reopenTimer.start(natsReopenDelayMs);
    } else if (m_nats->isConnected()) {
        runSetup();
    }
}

// cnats gives up on a connection the server ended in a way it does not reconnect from (the
// same authorization violation twice, a protocol error). Everything on it goes, and a new
// connection is opened: "reconnects forever" also covers credentials fixed on the server later.
// Deliveries in flight cannot be acked on a closed connection: JetStream gives them again after
// AckWait, to every endpoint not recorded in KV (an endpoint that answered 2xx to the lost
// attempt gets the event twice, with the same X-Event-Id).
void IngressEngine::reopenNats()
{
    if (m_stopping || !m_nats || m_nats->state() != NatsClient::State::Closed)
        return;
    ++m_natsGeneration; // a set-up still running on the old connection is ignored
    m_setupRunning = false;
    m_checkRunning = false; // its answer is for the old connection, if it comes at all
    m_setupRetry.stop();
    m_consuming = false;
    m_gateway->attach(nullptr); // dead-letter requests answer 503 until the new store is there
    m_inFlight.clear();
    m_deadLettersRefused.clear(); // their deliveries went with the connection
    m_byDeliveryKey.clear();
    m_known.clear();
    closeNats();
    delete m_nats;
    m_nats = nullptr;
    openNats();
    publishSnapshot();
}

void IngressEngine::onNatsState(NatsClient::State state)
{
    // After a reconnect the streams and consumer are checked again: a NATS that lost its
    // store (a fresh server at the same address) gets them back.
    if (state == NatsClient::State::Connected) {
        m_natsReopens = 0;
        runSetup();
    } else if (state == NatsClient::State::Closed && !m_stopping && !m_reopenTimer.isActive()) {
        const int delayMs = natsReopenDelayMs;
        if (m_natsReopens++ == 0)
            qCCritical(lcIngress).noquote()
                << u"the NATS connection is closed (%1); opening a new one every %2 s until "
                   "NATS accepts it"_s.arg(m_nats->lastError())
                       .arg(delayMs / 1000);
        m_reopenTimer.start(delayMs);
    }
    publishSnapshot();
}

void IngressEngine::runSetup()
{
    if (m_setupRunning || m_stopping || !m_nats->isConnected())
        return;
    m_setupRunning = true;
    IngressEngine *engine = this;
    IngressStore *store = m_store;
    NatsClient *nats = m_nats;
    const bool subscribe = !m_subscription;
    const quint64 generation = m_natsGeneration;
    QMetaObject::invokeMethod(
        m_store,
        [engine, store, nats, subscribe, generation] {
            QString error;
            bool ok = store->setup(&error);
            NatsSubscription *subscription = nullptr;
            if (ok && subscribe) {
                subscription = nats->subscribe(
                                       store->consumerSpec(), engine,
                                       [engine](QList<NatsDelivery> batch) {
                                           engine->onDeliveries(std::move(batch));
                                       },
                                       &error)
                                   .release();
                ok = subscription != nullptr;
            }
            QList<DeadLetter> latest;
            if (ok) {
                QString ignored;
                if (auto page = store->deadLetters(latestDeadLetterCount, 0, &ignored))
                    latest = page->letters;
            }
            QMetaObject::invokeMethod(
                engine,
                [=] {
                    if (generation == engine->m_natsGeneration)
                        engine->setupDone(ok, error, subscription, latest);
                    else
                        delete subscription; // made on a connection closed since
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

// The consumer deleted on the server (`nats consumer rm`, or its stream with it) delivers
// nothing and says nothing: the push subscription just stays quiet while POST /events goes on
// storing (or, with the stream gone, answers 503). The check finds it, and the set-up makes it
// again, from where it was (IngressStore::setup).
void IngressEngine::checkConsumer()
{
    if (!m_consuming || m_setupRunning || m_checkRunning || m_stopping)
        return;
    m_checkRunning = true;
    IngressEngine *engine = this;
    IngressStore *store = m_store;
    const quint64 generation = m_natsGeneration;
    QMetaObject::invokeMethod(
        m_store,
        [engine, store, generation] {
            QString error;
            const std::optional<NatsConsumerState> state = store->checkConsumer(&error);
            QMetaObject::invokeMethod(
                engine,
                [=] {
                    if (generation != engine->m_natsGeneration)
                        return; // reopenNats() let the checks of the new connection run
                    engine->m_checkRunning = false;
                    engine->consumerChecked(state);
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void IngressEngine::consumerChecked(const std::optional<NatsConsumerState> &state)
{
    if (!state || !m_consuming || m_setupRunning || m_stopping)
        return; // NATS not answering is the connection's to report
    if (state->found) {
        m_consumerPending = qint64(state->pending);
        return;
    }
    qCWarning(lcIngress).noquote()
        << u"JetStream consumer %1 on stream %2 is gone (deleted on the server?); making it "
           "again"_s.arg(m_natsConfig.consumerName, m_natsConfig.streamName);
    m_consuming = false;
    runSetup();
    publishSnapshot();
}

// A KV bucket or dead-letter stream that went missing while connected (an operator deleted it)
// is only created again by the set-up, which otherwise runs at start and after a reconnect.
void IngressEngine::repairSoon()
{
    if (!m_setupRetry.isActive())
        m_setupRetry.start(5000);
}

void IngressEngine::setupDone(bool ok, const QString &error, NatsSubscription *subscription,
                              const QList<DeadLetter> &latest)
{
    m_setupRunning = false;
    if (subscription)
        m_subscription.reset(subscription);
    if (m_stopping) {
        if (m_subscription)
            m_subscription->stop();
        return;
    }
    if (!ok) {
        if (error != m_setupError)
            qCWarning(lcIngress).noquote() << "JetStream set-up failed:" << error;
        m_setupError = error;
        ++m_setupFailures;
        m_setupRetry.start(qMin(30000, 1000 << qMin(m_setupFailures - 1, 5)));
        publishSnapshot();
        return;
    }
    if (!m_consuming)
        qCInfo(lcIngress).noquote()
            << "consuming" << m_natsConfig.streamName << "as" << m_natsConfig.consumerName;
    m_setupError.clear();
    m_setupFailures = 0;
    m_consuming = true;
    m_gateway->setAccepting(true);
    if (m_latestDeadLetters.isEmpty()) {
        m_latestDeadLetters = latest;
        for (DeadLetter &letter : m_latestDeadLetters)
            letter.body.clear();
    }
    publishSnapshot();
}

void IngressEngine::onDeliveries(QList<NatsDelivery> batch)
{
    for (NatsDelivery &delivery : batch) {
        if (m_stopping) {
            delivery.nak(Milliseconds(0)); // another node takes it now
            continue;
        }
        const quint64 id = m_nextId++;
        InFlight &flight = m_inFlight.try_emplace(id, std::move(delivery)).first->second;
        const NatsDelivery &d = flight.delivery;
        flight.held.start();
        flight.arrived.start();
        flight.deliveryCount = qMax<quint64>(1, d.deliveryCount());
        flight.deliveryKey = d.header(IngressHeader::deliveryKey);
        flight.eventId = d.header(IngressHeader::eventId);
        flight.domain = QString::fromUtf8(d.header(IngressHeader::domain));
        flight.callId = d.header(IngressHeader::callId);
        // POST /events names the call id when the body has one; a replay and another
        // program's event do not say. Only those read it from the body: an event without a
        // call_id is not parsed again at every delivery to find none.
        const bool ours = !flight.domain.isEmpty() && !flight.eventId.isEmpty();
        const bool callIdKnown =
            !flight.callId.isEmpty() || (ours && d.header(IngressHeader::replayOf).isEmpty());
        if (!ours || !callIdKnown) {
            // Published by another program, or a replay: read what we need from the body.
            const QJsonObject event = parseJsonAsGo(d.data()).object();
            if (flight.domain.isEmpty())
                flight.domain = domainOf(event).toString();
            const QByteArray callId = callIdOf(event);
            if (flight.eventId.isEmpty())
                flight.eventId = eventIdOf(event, callId);
            if (flight.callId.isEmpty())
                flight.callId = callId;
        }
        // The sequence alone is not enough: a stream deleted and made again (`nats stream rm`)
        // numbers from 1 again while the KV bucket keeps the old events' records, and a
        // redelivery would skip the endpoints that had only the old event. The time JetStream
        // stored the message tells the two apart.
        if (flight.deliveryKey.isEmpty())
            flight.deliveryKey = "seq-" + QByteArray::number(d.streamSequence()) + '-'
                + QByteArray::number(d.storedAtNs());
        if (flight.eventId.isEmpty())
            flight.eventId = flight.deliveryKey;
        if (flight.deliveryCount > 1)
            ++m_redeliveries;
        m_consumerPending = qint64(d.pendingInConsumer());
        // Copies of one message handled side by side (a node paused past ack_wait finds the
        // redeliveries queued up) would read the same record and call the same endpoints at
        // once: one at a time, each after the one before has acked or NAKed.
        std::deque<quint64> &copies = m_byDeliveryKey[flight.deliveryKey];
        copies.push_back(id);
        if (copies.size() == 1)
            begin(id);
    }
}

void IngressEngine::begin(quint64 id)
{
    InFlight &flight = m_inFlight.at(id);
    flight.route = m_routeByKey.value(routingKey(flight.domain));
    if (!flight.route)
        return deadLetter(id, DeadLetter::Reason::NoRoute);
    // A first delivery has no history, unless it is a replayed dead letter.
    if (flight.deliveryCount == 1 && flight.delivery.header(IngressHeader::replayOf).isEmpty())
        return forward(id);
    const auto known = m_known.constFind(flight.deliveryKey);
    if (known != m_known.cend() && known->first == flight.deliveryCount - 1)
        return recordLoaded(id, known->second, {});
    // Another node (or this one before a restart) had the last delivery: ask KV.
    IngressEngine *engine = this;
    QMetaObject::invokeMethod(
        m_store,
        [engine, store = m_store, id, key = flight.deliveryKey] {
            QString error;
            const std::optional<DeliveryRecord> record = store->record(key, &error);
            QMetaObject::invokeMethod(
                engine, [=] { engine->recordLoaded(id, record, error); }, Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

void IngressEngine::recordLoaded(quint64 id, const std::optional<DeliveryRecord> &record,
                                 const QString &error)
{
    const auto it = m_inFlight.find(id);
    if (it == m_inFlight.end())
        return;
    InFlight &flight = it->second;
    if (record) {
        flight.attempt = record->attempts + 1;
        flight.delivered = record->delivered;
    } else {
        // Calling every endpoint again may duplicate at some; not calling one would lose.
        flight.attempt = int(qMin<quint64>(flight.deliveryCount, m_natsConfig.maxDeliveries));
        repairSoon();
        if (logBudget())
            qCWarning(lcIngress).noquote()
                << "cannot read which endpoints already have event" << flight.eventId << "("
                << error << "); calling all of them";
    }
    forwardOrDeadLetter(id);
}

void IngressEngine::forwardOrDeadLetter(quint64 id)
{
    InFlight &flight = m_inFlight.at(id);
    const auto &targets = flight.route->targets;
    // A late copy of a message whose endpoints all have it (another node delivered it while
    // this copy waited): acked, and nothing else, whatever the count says.
    const bool allDelivered =
        std::all_of(targets.cbegin(), targets.cend(), [&flight](const Target &target) {
            return flight.delivered.contains(target.urlText);
        });
    if (allDelivered) {
        flight.delivery.ack();
        flight.acked = true;
        return finish(id);
    }
    // Only when max_deliveries was lowered since the record was written.
    if (flight.attempt > m_natsConfig.maxDeliveries)
        return deadLetter(id, DeadLetter::Reason::MaxDeliveries);
    forward(id);
}

void IngressEngine::forward(quint64 id)
{
    InFlight &flight = m_inFlight.at(id);
    flight.failures.clear();
    flight.notCalled = 0;
    // X-Call-ID and X-Domain as the Event Hub's forwarder set them (empty X-Call-ID included),
    // for receivers written against it.
    const HttpClient::Headers headers {{"Content-Type", "application/json"},
                                       {"X-Event-Id", flight.eventId},
                                       {"X-Delivery-Attempt", QByteArray::number(flight.attempt)},
                                       {"X-Call-ID", flight.callId},
                                       {"X-Domain", domainHeaderValue(flight.domain)}};
    std::vector<Target *> targets;
    for (Target &target : flight.route->targets) {
        if (!flight.delivered.contains(target.urlText))
            targets.push_back(&target);
    }
    flight.outstanding = int(targets.size());
    if (targets.empty())
        return attemptFinished(id); // every endpoint had it already
    for (Target *target : targets) {
        Circuit &circuit = *target->circuit;
        if (!mayCall(circuit)) {
            ++target->stats.notCalled;
            ++flight.notCalled;
            flight.failures.insert(target->urlText, {0, notCalledText(circuit)});
            --flight.outstanding;
            continue;
        }
        QElapsedTimer clock;
        clock.start();
        m_http->post(target->url, headers, flight.delivery.data(), flight.route->timeout,
                     [this, id, target, clock,
                      generation = circuit.generation](const HttpClientResponse &response) {
                         forwarded(id, target, response, clock.nsecsElapsed(), generation);
                     });
    }
    if (flight.outstanding == 0)
        attemptFinished(id); // no endpoint left to call this time
}

bool IngressEngine::mayCall(Circuit &circuit)
{
    if (circuit.openedMs < 0)
        return true;
    // At most one probe per retry_delay, whether the last has come back or not: one waiting out
    // its timeout on a hung connection must not keep a mended endpoint unseen.
    const qint64 now = m_clock.elapsed();
    if (now < circuit.nextProbeMs)
        return false;
    circuit.nextProbeMs = now + m_config.retryDelay.count();
    return true;
}

QString IngressEngine::notCalledText(const Circuit &circuit) const
{
    return u"not called: the endpoint failed %1 calls in a row (last: %2); it gets one call at a "
           "time until one is answered"_s.arg(circuit.failuresInARow)
               .arg(circuit.lastError);
}

void IngressEngine::countCall(Circuit &circuit, const HttpClientResponse &response,
                              const QString &error, quint64 generation)
{
    const qint64 now = m_clock.elapsed();
    if (!endpointFailed(response)) {
        if (circuit.openedMs >= 0) {
            qCInfo(lcIngress).noquote() << "endpoint" << webhookDisplayUrl(circuit.url.toString())
                                        << u"answers again after %1 s: calls resume"_s.arg(
                                               double(now - circuit.openedMs) / 1000.0, 0, 'f', 1);
            circuit.openedMs = -1;
            circuit.openedAt = {};
            ++circuit.generation;
        }
        circuit.failuresInARow = 0;
        return;
    }
    if (generation != circuit.generation || circuit.openedMs >= 0)
        return; // sent before the last close, or open already
    ++circuit.failuresInARow;
    circuit.lastError = error;
    if (m_config.circuitBreakerFailures <= 0
        || circuit.failuresInARow < m_config.circuitBreakerFailures)
        return;
    circuit.openedMs = now;
    circuit.openedAt = QDateTime::currentDateTimeUtc();
    circuit.nextProbeMs = now + m_config.retryDelay.count();
    qCWarning(lcIngress).noquote()
        << "endpoint" << webhookDisplayUrl(circuit.url.toString())
        << u"failed %1 calls in a row (last: %2); it gets one call at a time until one is "
           "answered, and the other attempts fail at once without a call (other domains keep "
           "their share of ingress.max_in_flight)"_s.arg(circuit.failuresInARow)
               .arg(error);
    // Calls queued for its connections would each wait for a hung one to time out.
    m_http->abandonQueued(circuit.url, notCalledText(circuit));
}

void IngressEngine::forwarded(quint64 id, Target *target, const HttpClientResponse &response,
                              qint64 elapsedNs, quint64 generation)
{
    IngressEndpointStats &stats = target->stats;
    const auto it = m_inFlight.find(id);
    if (response.abandoned) { // its circuit opened while it waited for a connection
        ++stats.notCalled;
        if (it != m_inFlight.end()) {
            ++it->second.notCalled;
            it->second.failures.insert(target->urlText, {0, response.error});
            if (--it->second.outstanding == 0)
                attemptFinished(id);
        }
        return;
    }
    m_forwardLatency.observe(double(elapsedNs) / 1e9);
    if (response.ok()) {
        ++stats.delivered;
        stats.lastStatus = response.status;
        stats.lastSuccess = QDateTime::currentDateTimeUtc();
        if (it != m_inFlight.end())
            it->second.delivered.insert(target->urlText, it->second.attempt);
    } else {
        if (response.status != 0)
            ++stats.httpErrors;
        else if (response.error.startsWith(u"timed out"))
            ++stats.timeouts;
        else
            ++stats.connectionErrors;
        stats.lastStatus = response.status;
        stats.lastError = errorText(response);
        stats.lastFailure = QDateTime::currentDateTimeUtc();
        if (it != m_inFlight.end())
            it->second.failures.insert(target->urlText, {response.status, stats.lastError});
    }
    countCall(*target->circuit, response, stats.lastError, generation);
    if (it != m_inFlight.end() && --it->second.outstanding == 0)
        attemptFinished(id);
}

void IngressEngine::attemptFinished(quint64 id)
{
    InFlight &flight = m_inFlight.at(id);
    if (flight.failures.isEmpty()) {
        // JetStream may have sent this message again meanwhile (it was redelivered or retried,
        // or held past ack_wait: a paused node), to another node or queued here. The record
        // says every endpoint has it, stored before the ack, so such a late copy calls nobody
        // (it called those the last failure left, past max_deliveries, and could write a dead
        // letter for a delivered event).
        const bool lateCopies = flight.attempt > 1 || flight.deliveryCount > 1
            || flight.arrived.elapsed() >= m_natsConfig.ackWait.count();
        if (!lateCopies)
            return delivered(id);
        return storeRecord(id, {flight.attempt, flight.delivered},
                           [this, id](InFlight &stored, const QString &error) {
                               if (!error.isEmpty() && logBudget())
                                   qCWarning(lcIngress).noquote()
                                       << "cannot record that event" << stored.eventId
                                       << "was delivered (" << error
                                       << "); a late copy of it may call its endpoints again";
                               delivered(id);
                           });
    }
    // Attempts that called nobody (circuits open) are not logged one by one: the circuit's own
    // line says it, and they would crowd out other domains' failures from the log budget.
    if (flight.failures.size() > flight.notCalled && logBudget()) {
        QStringList failures;
        for (auto it = flight.failures.cbegin(); it != flight.failures.cend(); ++it)
            failures.append(webhookDisplayUrl(it.key()) + u": "_s + it.value().second);
        qCWarning(lcIngress).noquote()
            << "forward failed:" << eventLogFields(flight.delivery.data())
            << u"delivery_attempt=%1 event_id=%2:"_s.arg(flight.attempt)
                   .arg(QString::fromUtf8(flight.eventId))
            << failures.join(u"; "_s);
    }
    if (flight.attempt >= m_natsConfig.maxDeliveries)
        return deadLetter(id, DeadLetter::Reason::MaxDeliveries);

    if (m_known.size() >= knownDeliveriesLimit)
        m_known.clear(); // only a cache: KV has the truth
    const DeliveryRecord record {flight.attempt, flight.delivered};
    m_known.insert(flight.deliveryKey, {flight.deliveryCount, record});
    // The attempt and any new successes are stored before the NAK: the redelivery may land on
    // another node.
    storeRecord(id, record, [this, id](InFlight &stored, const QString &error) {
        if (!error.isEmpty() && logBudget())
            qCWarning(lcIngress).noquote()
                << "cannot record attempt" << stored.attempt << "of event" << stored.eventId << "("
                << error << "); a redelivery on another node may call its endpoints again";
        stored.delivery.nak(retryDelay(stored.attempt));
        finish(id);
    });
}

void IngressEngine::storeRecord(quint64 id, const DeliveryRecord &record,
                                std::function<void(InFlight &, const QString &error)> then)
{
    m_nats->publish(m_store->deliveredSubject(m_inFlight.at(id).deliveryKey), {},
                    IngressStore::encodeRecord(record), this,
                    [this, id, then = std::move(then)](const NatsPublishResult &result) {
                        const auto it = m_inFlight.find(id);
                        if (it != m_inFlight.end())
                            then(it->second, result.ok ? QString() : result.error);
                    });
}

void IngressEngine::delivered(quint64 id)
{
    InFlight &flight = m_inFlight.at(id);
    flight.delivery.ack();
    flight.acked = true;
    ++m_deliveredEvents;
    if (flight.attempt > 1) {
        m_known.remove(flight.deliveryKey);
        if (logBudget())
            qCInfo(lcIngress).noquote()
                << "delivered on attempt" << flight.attempt << "event_id=" + flight.eventId
                << eventLogFields(flight.delivery.data());
    }
    finish(id);
}

Milliseconds IngressEngine::retryDelay(int attempt) const
{
    const qint64 base = m_config.retryDelay.count() << qMin(attempt - 1, 20);
    const qint64 delay = qMin<qint64>(base, m_config.retryMaxDelay.count());
    // +-20 % so that a burst of failures does not come back as one burst.
    const qint64 jitter = delay / 5;
    return Milliseconds(delay - jitter + QRandomGenerator::global()->bounded(2 * jitter + 1));
}

void IngressEngine::deadLetter(quint64 id, DeadLetter::Reason reason)
{
    InFlight &flight = m_inFlight.at(id);
    DeadLetter letter;
    letter.reason = reason;
    letter.eventId = flight.eventId;
    letter.domain = flight.domain;
    letter.deliveryKey = flight.deliveryKey;
    letter.subject = flight.delivery.subject();
    letter.sourceSequence = flight.delivery.streamSequence();
    letter.deliveries = flight.attempt;
    letter.receivedAt =
        QDateTime::fromMSecsSinceEpoch(flight.delivery.storedAtNs() / 1000000, Qt::UTC);
    letter.failedAt = QDateTime::currentDateTimeUtc();
    letter.body = flight.delivery.data();
    if (flight.route) {
        const int attempts = qMin(flight.attempt, m_natsConfig.maxDeliveries);
        for (const Target &target : flight.route->targets) {
            EndpointOutcome outcome;
            outcome.url = target.urlText;
            outcome.delivered = flight.delivered.contains(target.urlText);
            outcome.attempts =
                outcome.delivered ? flight.delivered.value(target.urlText) : attempts;
            const auto failure = flight.failures.constFind(target.urlText);
            if (failure != flight.failures.cend()) {
                outcome.lastStatus = failure->first;
                outcome.lastError = failure->second;
            } else if (!outcome.delivered) {
                outcome.lastError = u"not recorded: the node handling the last attempt stopped "
                                    "before it finished"_s;
            }
            letter.endpoints.append(outcome);
        }
    }
    if (logBudget())
        qCCritical(lcIngress).noquote()
            << "dead letter:" << eventLogFields(letter.body)
            << u"delivery_attempt=%1 event_id=%2 reason=%3:"_s.arg(letter.deliveries)
                   .arg(QString::fromUtf8(letter.eventId), DeadLetter::reasonName(reason))
            << letter.lastError();
    storeDeadLetter(id, std::move(letter));
}

void IngressEngine::storeDeadLetter(quint64 id, DeadLetter letter)
{
    const QByteArray body = letter.body;
    // JetStream drops a second copy with the same id (within its 2-minute window): a dead
    // letter stored whose ack to the original then got lost is not stored twice.
    NatsHeaders headers = letter.toHeaders();
    headers.append(
        {QByteArray("Nats-Msg-Id"),
         "dead-" + letter.deliveryKey + '-' + QByteArray::number(letter.sourceSequence)});
    m_nats->publish(m_store->deadLetterSubject(letter.domain), headers, body, this,
                    [this, id, letter](const NatsPublishResult &result) mutable {
                        const auto it = m_inFlight.find(id);
                        if (it == m_inFlight.end())
                            return;
                        if (!result.ok && result.tooLarge && !letter.bodyOmitted) {
                            // The event plus what happened to it exceeds max_payload: keep the
                            // record and leave the body where it already is, in the event stream.
                            letter.bodyOmitted = true;
                            letter.body.clear();
                            return storeDeadLetter(id, letter);
                        }
                        if (!result.ok) {
                            // Logged once per reason, not at each try (every second, for every
                            // delivery held), while /health names it.
                            const bool news =
                                m_deadLettersRefused.empty() || result.error != m_deadLetterRefusal;
                            m_deadLettersRefused.insert(id);
                            m_deadLetterRefusal = result.error;
                            // Acking without the record would lose the event. The delivery is
                            // held (keepAlive() sends InProgress) and the record tried again here;
                            // once the node stops, it is released at once instead, for the next
                            // delivery (JetStream has no delivery limit) to try.
                            if (news && logBudget())
                                qCWarning(lcIngress).noquote()
                                    << "cannot store the dead letter for event" << letter.eventId
                                    << ":" << result.error << "- retrying every second";
                            repairSoon();
                            QTimer::singleShot(m_stopping ? 0 : 1000, this, [this, id, letter] {
                                const auto held = m_inFlight.find(id);
                                if (held == m_inFlight.end())
                                    return;
                                if (!m_stopping)
                                    return storeDeadLetter(id, letter);
                                held->second.delivery.nak(Milliseconds(0));
                                finish(id);
                            });
                            return;
                        }
                        it->second.delivery.ack();
                        it->second.acked = true;
                        if (!m_deadLettersRefused.empty()) {
                            // JetStream takes dead letters again: the others held are stored
                            // at their next try, within a second.
                            m_deadLettersRefused.erase(id);
                            if (m_deadLettersRefused.empty())
                                qCInfo(lcIngress) << "dead letters are stored again";
                        }
                        letter.id = result.sequence;
                        letter.body.clear();
                        ++(letter.reason == DeadLetter::Reason::NoRoute ? m_deadNoRoute
                                                                        : m_deadMaxDeliveries);
                        m_latestDeadLetters.prepend(letter);
                        if (m_latestDeadLetters.size() > latestDeadLetterCount)
                            m_latestDeadLetters.removeLast();
                        m_known.remove(letter.deliveryKey);
                        finish(id);
                    });
}

void IngressEngine::finish(quint64 id)
{
    const auto it = m_inFlight.find(id);
    if (it == m_inFlight.end())
        return;
    const QByteArray key = it->second.deliveryKey;
    const bool acked = it->second.acked;
    m_inFlight.erase(it);
    m_deadLettersRefused.erase(id);
    const auto copies = m_byDeliveryKey.find(key);
    if (copies != m_byDeliveryKey.end()) {
        std::erase(*copies, id);
        if (acked) {
            // The copies waiting here are the same message: acked with it, nothing to do.
            for (const quint64 copy : std::as_const(*copies)) {
                const auto waiting = m_inFlight.find(copy);
                if (waiting != m_inFlight.end()) {
                    waiting->second.delivery.ack();
                    m_inFlight.erase(waiting);
                }
            }
            copies->clear();
        }
        if (copies->empty()) {
            m_byDeliveryKey.erase(copies);
        } else {
            const quint64 next = copies->front();
            QMetaObject::invokeMethod(
                this,
                [this, next] {
                    if (!m_inFlight.contains(next))
                        return;
                    if (!m_stopping)
                        return begin(next);
                    m_inFlight.at(next).delivery.nak(Milliseconds(0));
                    finish(next);
                },
                Qt::QueuedConnection);
        }
    }
    if (m_stopping && m_inFlight.empty())
        finishStop();
}

void IngressEngine::keepAlive()
{
    const qint64 third = m_natsConfig.ackWait.count() / 3;
    for (auto &[id, flight] : m_inFlight) {
        if (flight.held.elapsed() >= third) {
            flight.delivery.inProgress();
            flight.held.restart();
        }
    }
}

bool IngressEngine::logBudget()
{
    constexpr int linesPerSecond = 20;
    if (m_logWindow.elapsed() >= 1000) {
        if (m_logSuppressed > 0)
            qCWarning(lcIngress) << m_logSuppressed
                                 << "more failure lines in the last second were not logged";
        m_logWindow.restart();
        m_logLines = 0;
        m_logSuppressed = 0;
    }
    if (m_logLines < linesPerSecond) {
        ++m_logLines;
        return true;
    }
    ++m_logSuppressed;
    return false;
}

void IngressEngine::publishSnapshot()
{
    auto snapshot = std::make_shared<IngressSnapshot>();
    snapshot->running = !m_stopped;
    snapshot->natsUrl = m_nats ? m_nats->displayUrl() : QString();
    snapshot->natsConnected = m_nats && m_nats->isConnected();
    snapshot->eventsConnected = m_gateway->eventsConnected;
    snapshot->consuming = m_consuming && !m_stopped;
    snapshot->stream = m_natsConfig.streamName;
    snapshot->consumer = m_natsConfig.consumerName;
    // POST /events answers 503 to every event (JetStream full, a stream at its limits, no ack
    // in time): said, and logged, until one is stored, or for a minute after the last refusal.
    const auto refusals = m_gateway->publishRefusals();
    const bool eventsRefused = refusals.inARow >= publishRefusalsShown
        && QDateTime::currentMSecsSinceEpoch() - refusals.lastAtMs < publishRefusalsShownMs;
    const QString eventsRefusal = refusals.inARow == 0
        ? QString()
        : u"POST /events could not publish the last %1 events (since %2): %3"_s.arg(
            QString::number(refusals.inARow),
            QDateTime::fromMSecsSinceEpoch(refusals.firstAtMs, Qt::UTC).toString(Qt::ISODateWithMs),
            refusals.lastError);
    if (eventsRefused && !m_eventsRefusedLogged)
        qCWarning(lcIngress).noquote() << eventsRefusal;
    else if (!eventsRefused && m_eventsRefusedLogged)
        qCInfo(lcIngress).noquote()
            << (refusals.inARow == 0 ? "POST /events: JetStream stores events again"
                                     : "POST /events: no event refused for a minute");
    m_eventsRefusedLogged = eventsRefused;
    if (m_stopped) {
        snapshot->reason = u"stopped"_s;
    } else if (!snapshot->natsConnected) {
        const QString last = m_nats ? m_nats->lastError() : QString();
        snapshot->reason = u"NATS %1 is not connected%2"_s.arg(
            snapshot->natsUrl, last.isEmpty() ? QString() : u" ("_s + last + u')');
    } else if (!m_gateway->eventsConnected) {
        snapshot->reason =
            u"NATS %1 is not connected for POST /events (reconnecting)"_s.arg(snapshot->natsUrl);
    } else if (!m_setupError.isEmpty()) {
        snapshot->reason = u"JetStream set-up failed: "_s + m_setupError;
    } else if (!m_consuming) {
        snapshot->reason = u"setting up the JetStream stream and consumer"_s;
    } else if (eventsRefused) {
        snapshot->reason = eventsRefusal;
    } else if (!m_deadLettersRefused.empty()) {
        snapshot->reason = u"JetStream refuses dead letters (%1); %2 events that failed are "
                           "held unacked until one is stored"_s.arg(
                               m_deadLetterRefusal, QString::number(m_deadLettersRefused.size()));
    }
    snapshot->healthy = snapshot->reason.isEmpty();
    const IngressGateway::Counters &counters = m_gateway->counters;
    snapshot->received = counters.received.load();
    snapshot->published = counters.published.load();
    snapshot->rejectedInvalid = counters.rejectedInvalid.load();
    snapshot->rejectedUnavailable = counters.rejectedUnavailable.load();
    snapshot->deliveredEvents = m_deliveredEvents;
    snapshot->redeliveries = m_redeliveries;
    snapshot->deadLettersNoRoute = m_deadNoRoute;
    snapshot->deadLettersMaxDeliveries = m_deadMaxDeliveries;
    snapshot->inFlight = qint64(m_inFlight.size());
    snapshot->consumerPending = snapshot->natsConnected ? m_consumerPending : -1;
    if (m_rateClock.isValid() && m_rateClock.elapsed() >= 1000) {
        m_rate = double(m_deliveredEvents - m_deliveredAtLastSnapshot) * 1000.0
            / double(m_rateClock.restart());
        m_deliveredAtLastSnapshot = m_deliveredEvents;
    }
    snapshot->eventsPerSecond = m_rate;
    snapshot->forwardLatency = m_forwardLatency;
    snapshot->forwardLatencyLastMinute = m_recentForwardLatency.lastMinute(m_forwardLatency);
    for (const auto &route : m_routes) {
        for (const Target &target : route->targets) {
            IngressEndpointStats stats = target.stats;
            stats.circuitOpenSince = target.circuit->openedAt;
            snapshot->endpoints.append(std::move(stats));
        }
    }
    snapshot->latestDeadLetters = m_latestDeadLetters;
    publish(snapshot);
}

void IngressEngine::stop(int deadlineMs)
{
    if (m_stopping)
        return;
    // The seed's order: stop accepting, stop consuming, finish what is in flight, then close.
    m_stopping = true;
    m_gateway->setAccepting(false);
    m_setupRetry.stop();
    m_reopenTimer.stop();
    m_consumerCheck.stop();
    if (m_subscription)
        m_subscription->stop();
    qCInfo(lcIngress) << "stopping:" << m_inFlight.size() << "deliveries in flight";
    if (m_inFlight.empty())
        return finishStop();
    m_stopDeadline.start(qMax(100, deadlineMs - 1000));
}

void IngressEngine::finishStop()
{
    if (m_stopped)
        return;
    m_stopped = true;
    m_stopDeadline.stop();
    m_snapshotTimer.stop();
    m_keepAliveTimer.stop();
    m_gateway->detach();
    closeNats();
    publishSnapshot();
    qCInfo(lcIngress) << "stopped";
    Q_EMIT finished();
}

} // namespace Switchboard
