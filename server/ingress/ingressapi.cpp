#include "ingressapi.h"

#include "core/jsonfields.h"
#include "http/apiaccess.h"
#include "http/httpserver.h"
#include "ingressevent.h"
#include "ingressstore.h"

#include <QDeadlineTimer>
#include <QJsonArray>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 storeDeadlineMs = 15000; // a few bounded JetStream API calls
constexpr int defaultPageSize = 50;
constexpr int maxPageSize = 500;
// Room for the headers of the published event and, later, of its dead letter (which carries the
// last error of every endpoint).
constexpr qint64 headerBudget = 4096;

QJsonObject errorJson(const QString &error, const QString &detail)
{
    return {{u"error"_s, error}, {u"detail"_s, detail}};
}

std::optional<quint64> deadLetterId(const HttpRequest &request)
{
    bool ok = false;
    const quint64 id = request.pathParams.value(u"id"_s).toULongLong(&ok);
    return ok && id > 0 ? std::optional(id) : std::nullopt;
}

bool hasControlCharacters(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return true;
    }
    return false;
}

} // namespace

IngressApi::IngressApi(std::shared_ptr<IngressGateway> gateway, const NatsConfig &nats,
                       const IngressConfig &config, QByteArray apiToken, QObject *parent)
    : QObject(parent)
    , m_gateway(std::move(gateway))
    , m_subjectPattern(nats.subjectPattern)
    , m_publishTimeout(config.publishTimeout)
    , m_apiToken(std::move(apiToken))
    , m_sweep(this)
{
    NatsConnectionOptions options;
    options.url = nats.url;
    options.name = u"switchboard-ingress-events"_s;
    options.publishTimeout = config.publishTimeout;
    // A child: it moves to the HTTP thread with this object.
    m_publisher = std::make_unique<NatsPublisher>(options, this);
    connect(m_publisher.get(), &NatsPublisher::connectionChanged, this,
            [gateway = m_gateway](bool connected) { gateway->eventsConnected = connected; });
    connect(&m_sweep, &QTimer::timeout, this, &IngressApi::sweep);
}

IngressApi::~IngressApi()
{
    // On the HTTP thread (SwitchboardNode::stopHttp): whoever still waits hears why. Publishes
    // still waiting for their ack are answered first ("connection closed"), then the rest.
    m_publisher->close();
    for (auto &[id, parked] : m_parked)
        parked.responder.sendError(503, u"unavailable"_s, u"Switchboard is shutting down"_s);
}

void IngressApi::registerRoutes(HttpServer &server)
{
    using Method = QHttpServerRequest::Method;
    server.addRoute(Method::Post, u"/events"_s, [this](const HttpRequest &r, HttpResponder &&w) {
        postEvent(r, std::move(w));
    });
    const QString base = u"/api/v1/ingress/dead-letters"_s;
    server.addRoute(Method::Get, base, [this](const HttpRequest &r, HttpResponder &&w) {
        listDeadLetters(r, std::move(w));
    });
    server.addRoute(
        Method::Get, base + u"/{id}"_s,
        [this](const HttpRequest &r, HttpResponder &&w) { getDeadLetter(r, std::move(w)); });
    server.addRoute(
        Method::Post, base + u"/{id}/replay"_s,
        [this](const HttpRequest &r, HttpResponder &&w) { replayDeadLetter(r, std::move(w)); });
    server.addRoute(
        Method::Delete, base + u"/{id}"_s,
        [this](const HttpRequest &r, HttpResponder &&w) { deleteDeadLetter(r, std::move(w)); });
    m_sweep.start(250);
    // Opened here, on the thread whose event loop serves its socket.
    QString error;
    if (!m_publisher->open(&error))
        qCWarning(lcIngress).noquote() << "POST /events cannot publish:" << error;
}

void IngressApi::postEvent(const HttpRequest &request, HttpResponder &&responder)
{
    IngressGateway::Counters &counters = m_gateway->counters;
    counters.received.fetch_add(1, std::memory_order_relaxed);
    auto reject = [&](const QString &detail) {
        counters.rejectedInvalid.fetch_add(1, std::memory_order_relaxed);
        responder.sendError(400, u"bad_request"_s, detail);
    };
    // Its bytes go to the endpoints as they are: JSON Qt reads and they may not is refused too.
    QString notJson;
    const std::optional<QJsonObject> parsed = parseJsonObjectAsGo(request.body, &notJson);
    if (!parsed)
        return reject(notJson.isEmpty() ? u"the body must be a JSON object"_s
                                        : u"the body is not valid JSON: "_s + notJson);
    const QJsonObject &event = *parsed;
    const QJsonValue domainValue = domainOf(event);
    if (!domainValue.isString() || domainValue.toString().trimmed().isEmpty())
        return reject(u"\"domain\" is required: a non-empty string naming the tenant"_s);
    const QString domain = domainValue.toString().trimmed();
    if (hasControlCharacters(domain))
        return reject(u"\"domain\" must not contain control characters"_s);
    if (const qsizetype bytes = domain.toUtf8().size(); bytes > maxDomainBytes)
        return reject(u"\"domain\" is %1 bytes long; a domain has at most %2"_s.arg(bytes).arg(
            maxDomainBytes));

    // NATS refuses a message above its max_payload (1 MiB by default, headers included); that
    // is the client's problem to fix, not a reason to retry, so 413 rather than 503.
    const qint64 maxPayload = m_publisher->maxPayload();
    if (maxPayload > 0 && request.body.size() + headerBudget > maxPayload) {
        counters.rejectedInvalid.fetch_add(1, std::memory_order_relaxed);
        return responder.sendError(
            413, u"payload_too_large"_s,
            u"the event is %1 bytes; NATS takes at most %2 bytes per message (max_payload), "
            "less %3 for Switchboard's headers"_s.arg(request.body.size())
                .arg(maxPayload)
                .arg(headerBudget));
    }

    const QByteArray deliveryKey = newId();
    const QByteArray callId = callIdOf(event);
    QByteArray eventId = eventIdOf(event, callId);
    if (eventId.isEmpty())
        eventId = deliveryKey;
    const quint64 id = park(std::move(responder), m_publishTimeout.count() + 1000);
    // The original bytes are published (and later forwarded), not a re-serialisation.
    if (!m_gateway->accepting()) {
        NatsPublishResult result;
        result.error = u"ingress is not accepting events: starting (waiting for NATS) or "
                       "stopping"_s;
        return published(id, eventId, result);
    }
    NatsHeaders headers {{IngressHeader::deliveryKey, deliveryKey},
                         {IngressHeader::eventId, eventId},
                         {IngressHeader::domain, domain.toUtf8()}};
    // Without it (no call_id), the engine reads the body for the forwards' X-Call-ID.
    if (!callId.isEmpty())
        headers.append({IngressHeader::callId, callId});
    m_publisher->publish(
        eventSubject(m_subjectPattern, domain), headers, request.body,
        [this, id, eventId](const NatsPublishResult &result) { published(id, eventId, result); });
}

void IngressApi::published(quint64 id, const QByteArray &eventId, const NatsPublishResult &result)
{
    IngressGateway::Counters &counters = m_gateway->counters;
    if (result.ok) {
        counters.published.fetch_add(1, std::memory_order_relaxed);
        m_gateway->publishStored();
        answer(id, 202,
               {{u"status"_s, u"accepted"_s},
                {u"event_id"_s, QString::fromUtf8(eventId)},
                {u"sequence"_s, double(result.sequence)}});
        return;
    }
    if (result.tooLarge) { // the headers' budget was not enough after all: not worth a retry
        counters.rejectedInvalid.fetch_add(1, std::memory_order_relaxed);
        answer(id, 413, errorJson(u"payload_too_large"_s, result.error));
        return;
    }
    counters.rejectedUnavailable.fetch_add(1, std::memory_order_relaxed);
    // Not counted while starting or stopping, or with the connection down (a NATS restart):
    // /health says those already, and a refusal counted now would stay red after it is back.
    if (m_gateway->accepting() && m_publisher->isConnected())
        m_gateway->publishRefused(result.error);
    answer(id, 503, errorJson(u"unavailable"_s, result.error));
}

quint64 IngressApi::park(HttpResponder &&responder, qint64 deadlineMs)
{
    const quint64 id = m_nextId++;
    m_parked.emplace(id, Parked {std::move(responder), QDeadlineTimer(deadlineMs)});
    return id;
}

void IngressApi::answer(quint64 id, int status, const QJsonObject &body)
{
    const auto it = m_parked.find(id);
    if (it == m_parked.end())
        return; // answered by the sweep already
    it->second.responder.sendJson(status, body);
    m_parked.erase(it);
}

void IngressApi::sweep()
{
    for (auto it = m_parked.begin(); it != m_parked.end();) {
        if (it->second.deadline.hasExpired()) {
            m_gateway->counters.rejectedUnavailable.fetch_add(1, std::memory_order_relaxed);
            it->second.responder.sendError(503, u"unavailable"_s, u"no answer from NATS in time"_s);
            it = m_parked.erase(it);
        } else {
            ++it;
        }
    }
}

void IngressApi::inStore(HttpResponder &&responder,
                         std::function<std::pair<int, QJsonObject>(IngressStore &)> work)
{
    const quint64 id = park(std::move(responder), storeDeadlineMs);
    QPointer<IngressApi> self(this);
    const bool started =
        m_gateway->runInStore([self, id, work = std::move(work)](IngressStore &store) {
            const auto [status, body] = work(store);
            // `self` is checked on its own thread, where it could be deleted.
            QMetaObject::invokeMethod(
                self.data(),
                [self, id, status, body] {
                    if (self)
                        self->answer(id, status, body);
                },
                Qt::QueuedConnection);
        });
    if (!started)
        answer(id, 503, errorJson(u"unavailable"_s, u"the ingress engine is not running"_s));
}

void IngressApi::listDeadLetters(const HttpRequest &request, HttpResponder &&responder)
{
    if (!authorizeApi(request, responder, m_apiToken))
        return;
    bool ok = true;
    int limit = defaultPageSize;
    if (request.query.hasQueryItem(u"limit"_s)) {
        limit = request.query.queryItemValue(u"limit"_s).toInt(&ok);
        if (!ok || limit < 1 || limit > maxPageSize)
            return responder.sendError(400, u"bad_request"_s,
                                       u"limit must be 1..%1"_s.arg(maxPageSize));
    }
    quint64 before = 0;
    if (request.query.hasQueryItem(u"before"_s)) {
        before = request.query.queryItemValue(u"before"_s).toULongLong(&ok);
        if (!ok || before == 0)
            return responder.sendError(400, u"bad_request"_s,
                                       u"before must be a dead-letter id (a positive number)"_s);
    }
    inStore(std::move(responder), [limit, before](IngressStore &store) {
        QString error;
        const std::optional<IngressStore::Page> page = store.deadLetters(limit, before, &error);
        if (!page)
            return std::pair(503, errorJson(u"unavailable"_s, error));
        QJsonArray rows;
        for (const DeadLetter &letter : page->letters)
            rows.append(letter.summaryJson());
        return std::pair(
            200,
            QJsonObject {{u"dead_letters"_s, rows},
                         {u"total"_s, double(page->total)},
                         {u"next_before"_s,
                          page->nextBefore ? QJsonValue(QString::number(page->nextBefore))
                                           : QJsonValue(QJsonValue::Null)}});
    });
}

void IngressApi::onDeadLetter(
    const HttpRequest &request, HttpResponder &&responder,
    std::function<std::pair<int, QJsonObject>(IngressStore &, quint64)> work)
{
    if (!authorizeApi(request, responder, m_apiToken))
        return;
    const std::optional<quint64> id = deadLetterId(request);
    if (!id)
        return responder.sendError(404, u"not_found"_s, u"no such dead letter"_s);
    inStore(std::move(responder),
            [id = *id, work = std::move(work)](IngressStore &store) { return work(store, id); });
}

void IngressApi::getDeadLetter(const HttpRequest &request, HttpResponder &&responder)
{
    onDeadLetter(request, std::move(responder), [](IngressStore &store, quint64 id) {
        QString error;
        QString bodyError;
        const std::optional<DeadLetter> letter = store.deadLetter(id, &error, &bodyError);
        if (letter)
            return std::pair(200, letter->detailJson(bodyError));
        if (error.isEmpty())
            return std::pair(404, errorJson(u"not_found"_s, u"no dead letter %1"_s.arg(id)));
        return std::pair(503, errorJson(u"unavailable"_s, error));
    });
}

void IngressApi::replayDeadLetter(const HttpRequest &request, HttpResponder &&responder)
{
    onDeadLetter(request, std::move(responder), [](IngressStore &store, quint64 id) {
        const IngressStore::Replay replay = store.replay(id);
        if (!replay.found && replay.published.error.isEmpty())
            return std::pair(404, errorJson(u"not_found"_s, u"no dead letter %1"_s.arg(id)));
        if (replay.bodyGone)
            return std::pair(410, errorJson(u"gone"_s, replay.published.error));
        if (!replay.published.ok)
            return std::pair(503, errorJson(u"unavailable"_s, replay.published.error));
        qCInfo(lcIngress).noquote()
            << u"dead letter %1 replayed as sequence %2: event_id=%3 domain=%4"_s.arg(id)
                   .arg(replay.published.sequence)
                   .arg(QString::fromUtf8(replay.letter.eventId), replay.letter.domain);
        return std::pair(202,
                         QJsonObject {{u"status"_s, u"replayed"_s},
                                      {u"id"_s, QString::number(id)},
                                      {u"event_id"_s, QString::fromUtf8(replay.letter.eventId)},
                                      {u"sequence"_s, double(replay.published.sequence)}});
    });
}

void IngressApi::deleteDeadLetter(const HttpRequest &request, HttpResponder &&responder)
{
    onDeadLetter(request, std::move(responder), [](IngressStore &store, quint64 id) {
        QString error;
        if (store.removeDeadLetter(id, &error))
            return std::pair(
                200, QJsonObject {{u"status"_s, u"deleted"_s}, {u"id"_s, QString::number(id)}});
        if (error.isEmpty())
            return std::pair(404, errorJson(u"not_found"_s, u"no dead letter %1"_s.arg(id)));
        return std::pair(503, errorJson(u"unavailable"_s, error));
    });
}

} // namespace Switchboard
