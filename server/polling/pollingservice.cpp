#include "pollingservice.h"

#include "core/engine.h"
#include "http/apiaccess.h"
#include "http/httprequest.h"
#include "http/httpserver.h"
#include "pollingevent.h"
#include "redis/redisclient.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <array>
#include <chrono>
#include <utility>

Q_LOGGING_CATEGORY(Switchboard::lcPolling, "switchboard.polling")

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int tickMs = 50; // deadline precision of a held poll
constexpr qsizetype maxResponseBytes = 4 * 1024 * 1024; // of events in one answer (onPage())
constexpr int snapshotTicks = 250 / tickMs; // the console's status interval
// Publishes refused in a row after which /health turns red (one alone may be a blip), and for
// how long after the last one, if no publish comes.
constexpr quint64 publishRefusalsShown = 3;
constexpr qint64 publishRefusalsShownMs = 60000;

const std::array<QByteArray, 4> publishRouteNames {"publish"_ba, "order-status-change"_ba,
                                                   "new-order"_ba, "order-update"_ba};

qint64 wallClockUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The answer of every poll: events oldest first, each with its id in front.
QByteArray pollBody(const QList<const PollingStore::Entry *> &events, const QByteArray &lastId,
                    bool historyLost)
{
    qsizetype size = 64 + lastId.size();
    for (const PollingStore::Entry *event : events)
        size += event->json.size() + event->id.size() + 10;
    QByteArray body;
    body.reserve(size);
    body += R"({"events":[)";
    for (const PollingStore::Entry *event : events) {
        if (body.back() != '[')
            body += ',';
        body += R"({"id":")";
        body += event->id;
        body += "\",";
        body += QByteArrayView(event->json).sliced(1); // the stored object, without its '{'
    }
    body += R"(],"lastEventId":")";
    body += lastId;
    body += historyLost ? R"(","historyLost":true})" : R"("})";
    return body;
}

// A header value that may go back to the client as it is: visible ASCII (an origin, a list of
// header names), nothing that could end a header line.
bool isPlainHeaderValue(QByteArrayView value, bool spaces)
{
    return !value.isEmpty() && value.size() <= 1024
        && std::all_of(value.begin(), value.end(),
                       [spaces](char c) { return (c > 0x20 && c < 0x7f) || (spaces && c == ' '); });
}

} // namespace

PollingService::PollingService(const PollingConfig &config, SnapshotBoard *board, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_board(board)
    , m_jwt(config.jwtSecret)
    , m_redis(new RedisClient(RedisClient::Options::of(config.redis, u"polling"_s), this))
    , m_subscriber(new RedisClient(RedisClient::Options::of(config.redis, u"polling-wake"_s), this))
    , m_store(m_redis, config)
{
    m_clock.start();
    m_board->expect(u"polling"_s);
    m_snapshot.redis = config.redis.display();
    connect(m_subscriber, &RedisClient::connected, this, &PollingService::onSubscribed);
    // After a Redis restart the two connections come back in either order: the catch-up waits
    // for the one it reads on.
    connect(m_redis, &RedisClient::connected, this, [this] {
        if (std::exchange(m_catchUpWaits, false))
            onSubscribed();
    });
    m_ticker.setInterval(tickMs);
    connect(&m_ticker, &QTimer::timeout, this, &PollingService::tick);
}

PollingService::~PollingService()
{
    // Held polls get the empty shape now, so that their clients poll again (another node)
    // instead of waiting for a timeout or an error.
    for (auto &[id, poll] : m_polls) {
        if (poll->responder.isOpen()) {
            poll->responder.send(200, pollBody({}, poll->lastId, poll->historyLost),
                                 "application/json", poll->cors);
            poll->responder.flush(); // the server is deleted right after this
            countPoll(poll->route, 200);
        }
    }
    m_polls.clear();
}

void PollingService::start()
{
    m_subscriber->subscribe(m_store.wakeChannel(),
                            [this](QByteArrayView payload) { onWake(payload); });
    m_redis->open();
    m_subscriber->open();
    // The first snapshot comes with the ticker, once the connections had a moment: one
    // published now would say "unhealthy" and raise an alert for a start that goes well.
    m_ticker.start();
}

void PollingService::simulate(double perSecond)
{
    static constexpr std::array<const char *, 4> statuses {"PLACED", "PACKED", "SHIPPED",
                                                           "DELIVERED"};
    m_simulator.setInterval(std::max(1, int(1000 / perSecond)));
    connect(&m_simulator, &QTimer::timeout, this, [this] {
        const quint64 n = m_simulated++;
        const QByteArray body =
            QJsonDocument(QJsonObject {
                              {u"orderId"_s, u"demo-order-%1"_s.arg(n / 4)},
                              {u"userId"_s, u"demo-user-%1"_s.arg(n % 5)},
                              {u"newStatus"_s, QString::fromLatin1(statuses[n % statuses.size()])},
                          })
                .toJson(QJsonDocument::Compact);
        const PollingEventParse parsed = parsePublishBody(PublishRoute::OrderStatusChange, body,
                                                          QDateTime::currentDateTimeUtc());
        if (parsed.event && m_redis->isConnected())
            m_store.publish(*parsed.event, [this](const QByteArray &, const QString &error) {
                // Counted as a route of its own: the demo's traffic shows in /metrics and the
                // console, apart from the Spring service's.
                ++m_snapshot.publishes["simulated"][error.isEmpty() ? 200 : 503];
                notePublish(error);
                if (error.isEmpty())
                    ++m_publishedTotal;
            });
    });
    m_simulator.start();
}

void PollingService::registerRoutes(HttpServer &server)
{
    using Method = QHttpServerRequest::Method;
    const auto pollRoute = [this](Feed feed) {
        return [this, feed](const HttpRequest &request, HttpResponder &&responder) {
            poll(feed, request, std::move(responder));
        };
    };
    server.addRoute(Method::Get, u"/v1/polling/events"_s, pollRoute(Feed::Type));
    server.addRoute(Method::Get, u"/v1/polling/user/events"_s, pollRoute(Feed::User));
    server.addRoute(Method::Get, u"/v1/polling/admin/events"_s, pollRoute(Feed::Admin));
    for (const QString &path :
         {u"/v1/polling/events"_s, u"/v1/polling/user/events"_s, u"/v1/polling/admin/events"_s}) {
        server.addRoute(Method::Options, path,
                        [this](const HttpRequest &request, HttpResponder &&responder) {
                            preflight(request, std::move(responder));
                        });
    }
    const std::array<QString, 4> paths {
        u"/v1/internal/events/publish"_s, u"/v1/internal/events/order-status-change"_s,
        u"/v1/internal/events/new-order"_s, u"/v1/internal/events/order-update"_s};
    for (int route = 0; route < int(paths.size()); ++route) {
        server.addRoute(Method::Post, paths[size_t(route)],
                        [this, route](const HttpRequest &request, HttpResponder &&responder) {
                            publish(route, request, std::move(responder));
                        });
    }
}

// --- polls ---

void PollingService::poll(Feed feed, const HttpRequest &request, HttpResponder &&responder)
{
    const QByteArray route = feed == Feed::Type ? "events"_ba
        : feed == Feed::User                    ? "user"_ba
                                                : "admin"_ba;
    Headers cors = corsHeaders(request);
    const JwtVerifier::Result auth = authenticate(request);
    if (!auth.ok) {
        ++m_snapshot.authFailures[auth.failure];
        countPoll(route, 401);
        responder.sendError(401, u"unauthorized"_s, auth.detail, cors);
        return;
    }
    const bool admin = auth.hasRole(u"ADMIN");
    if (feed == Feed::Admin && !admin) {
        ++m_snapshot.authFailures["not_admin"];
        countPoll(route, 403);
        responder.sendError(403, u"forbidden"_s, u"this route needs the ADMIN role"_s, cors);
        return;
    }

    const auto fail = [&](const QString &detail) {
        countPoll(route, 400);
        responder.sendError(400, u"bad_request"_s, detail, cors);
    };
    const QString eventType = request.query.queryItemValue(u"eventType"_s, QUrl::FullyDecoded);
    // Without one, the caller's own events, as the Telemetry Service answered (it fell back to
    // the user's feed): a page that never sent one keeps working.
    if (feed == Feed::Type && eventType.isEmpty())
        feed = Feed::User;
    QByteArray lastId = request.query.queryItemValue(u"lastEventId"_s, QUrl::FullyDecoded).toUtf8();
    // An id the Telemetry Service handed out: it answered an id it did not know with everything
    // it kept, and so does this, saying that what the page missed cannot be told.
    const bool goEventId = isGoEventId(lastId);
    if (goEventId)
        lastId = "0-0";
    if (!lastId.isEmpty() && !isValidEventId(lastId))
        return fail(
            u"lastEventId \"%1\" is not an event id (expected the lastEventId of an "
            u"earlier answer, such as 1732370000000-0)"_s.arg(QString::fromUtf8(lastId.left(64))));
    // The Go service bound it to a Go bool (strconv.ParseBool): 1, t, true and 0, f, false, in
    // upper case too.
    const QString longPoll =
        request.query.queryItemValue(u"longPoll"_s, QUrl::FullyDecoded).toLower();
    const bool isLongPoll = longPoll == u"true" || longPoll == u"1" || longPoll == u"t";
    if (!longPoll.isEmpty() && !isLongPoll && longPoll != u"false" && longPoll != u"0"
        && longPoll != u"f")
        return fail(u"longPoll must be true or false"_s);
    if (!m_redis->isConnected()) {
        countPoll(route, 503);
        responder.sendError(503, u"unavailable"_s,
                            u"Redis %1: %2"_s.arg(m_snapshot.redis, m_redis->unavailableReason()),
                            cors);
        return;
    }

    auto poll = std::make_unique<Poll>(Poll {.id = m_nextPollId++,
                                             .feed = feed,
                                             .route = route,
                                             .responder = std::move(responder),
                                             .cors = std::move(cors),
                                             .stream = {},
                                             .lastId = lastId,
                                             .userId = auth.userId,
                                             .admin = admin,
                                             .longPoll = isLongPoll,
                                             .historyLost = goEventId,
                                             .held = false,
                                             .deadlineMs = 0,
                                             .wakesAtRead = 0,
                                             .wokenAtUs = 0});
    switch (feed) {
    case Feed::Type:
        poll->stream = m_store.typeStream(eventType);
        break;
    case Feed::User:
        poll->stream = m_store.userStream(auth.userId);
        break;
    case Feed::Admin:
        poll->stream = m_store.adminStream();
        break;
    }
    if (poll->longPoll) {
        poll->deadlineMs = m_clock.elapsed() + m_config.longPollTimeout.count();
        m_deadlines.emplace(poll->deadlineMs, poll->id);
    }
    ++m_streams[poll->stream].polls;
    Poll &kept = *poll;
    m_polls.emplace(poll->id, std::move(poll));
    read(kept);
}

PollingService::Headers PollingService::corsHeaders(const HttpRequest &request) const
{
    const QByteArray origin = request.header("origin");
    if (origin.isEmpty())
        return {};
    // The answer depends on the Origin: a cache must not give one page's answer to another.
    Headers headers {{"Vary", "Origin"}};
    if (!isPlainHeaderValue(origin, false))
        return headers;
    const auto &allowed = m_config.corsAllowedOrigins;
    if (std::any_of(allowed.cbegin(), allowed.cend(), [&origin](const QString &entry) {
            return entry.compare(QLatin1StringView(origin), Qt::CaseInsensitive) == 0;
        })) {
        // A listed origin gets its own name and may send credentials (fetch(...,
        // {credentials: "include"}), which a browser never sends where the answer says "*").
        headers.emplaceBack("Access-Control-Allow-Origin"_ba, origin);
        headers.emplaceBack("Access-Control-Allow-Credentials"_ba, "true"_ba);
    } else if (allowed.contains(u"*"_s)) {
        // Any page, but without credentials: the tokens travel in the Authorization header, and
        // a cookie a proxy in front might check is not lent to every site on the web.
        headers.emplaceBack("Access-Control-Allow-Origin"_ba, "*"_ba);
    }
    return headers;
}

void PollingService::preflight(const HttpRequest &request, HttpResponder &&responder)
{
    Headers headers = corsHeaders(request);
    const bool allowed = std::any_of(headers.cbegin(), headers.cend(), [](const auto &header) {
        return header.first == "Access-Control-Allow-Origin";
    });
    if (allowed) {
        // The headers the page means to send: whatever names it asks for (Authorization, and
        // any a front end adds), else the two a poll needs.
        const QByteArray asked = request.header("access-control-request-headers");
        headers.emplaceBack("Access-Control-Allow-Methods"_ba, "GET, HEAD, OPTIONS"_ba);
        headers.emplaceBack("Access-Control-Allow-Headers"_ba,
                            isPlainHeaderValue(asked, true) ? asked
                                                            : "Authorization, Content-Type"_ba);
        headers.emplaceBack("Access-Control-Max-Age"_ba, "3600"_ba);
    }
    headers.emplaceBack("Allow"_ba, "GET, HEAD, OPTIONS"_ba);
    responder.send(204, {}, "text/plain", headers);
}

JwtVerifier::Result PollingService::authenticate(const HttpRequest &request)
{
    const QByteArray header = request.header("authorization");
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const auto known = m_acceptedTokens.constFind(header);
    if (known != m_acceptedTokens.cend()) {
        if (known->expiresAt == 0 || known->expiresAt > now)
            return *known;
        m_acceptedTokens.erase(known); // expired: verify() says so, with the reason
    }
    JwtVerifier::Result result = m_jwt.verify(header, now);
    if (result.ok) {
        // Bounded: a flood of distinct valid tokens empties the cache, it never grows on.
        if (m_acceptedTokens.size() >= maxAcceptedTokens)
            m_acceptedTokens.clear();
        m_acceptedTokens.insert(header, result);
    }
    return result;
}

bool PollingService::visible(const Poll &poll, const PollingStore::Entry &entry) const
{
    // The user and admin streams hold only what their reader may see; a type stream holds
    // everybody's events of the type.
    if (poll.feed != Feed::Type || poll.admin)
        return true;
    return !entry.adminOnly && (entry.userId.isEmpty() || entry.userId == poll.userId.toUtf8());
}

void PollingService::read(Poll &poll)
{
    if (m_readsInFlight >= m_config.workerPoolSize) {
        m_readQueue.push_back(poll.id);
        return;
    }
    readNow(poll);
}

void PollingService::readNow(Poll &poll)
{
    ++m_readsInFlight;
    poll.wakesAtRead = m_streams.value(poll.stream).wakes;
    const quint64 id = poll.id;
    m_store.read(poll.stream, poll.lastId, m_config.maxEventsPerResponse, maxResponseBytes,
                 [this, id](PollingStore::Page &&page) {
                     --m_readsInFlight;
                     onPage(id, std::move(page));
                     // A freed slot goes to the oldest waiting read whose poll is still there.
                     while (m_readsInFlight < m_config.workerPoolSize && !m_readQueue.empty()) {
                         const auto next = m_polls.find(m_readQueue.front());
                         m_readQueue.pop_front();
                         if (next != m_polls.end())
                             readNow(*next->second);
                     }
                 });
}

void PollingService::onPage(quint64 pollId, PollingStore::Page &&page)
{
    const auto found = m_polls.find(pollId);
    if (found == m_polls.end())
        return; // answered meanwhile (the node is stopping)
    Poll &poll = *found->second;
    if (!page.error.isEmpty() && poll.longPoll && !m_redis->isConnected()) {
        // The connection went down under the read (a Redis restart or stall): the poll is held
        // on and reads again once it is back, like every held poll then.
        m_catchUpWaits = true;
        // Its time ran out while the read waited (a stall is cut short only at the command
        // timeout): the empty shape, as a poll held then got at its deadline, not a 503.
        if (m_clock.elapsed() >= poll.deadlineMs) {
            answer(poll, {});
            return;
        }
        poll.wokenAtUs = 0; // what wakes it next is the catch-up, not a publish
        hold(poll);
        return;
    }
    if (!page.error.isEmpty()) {
        countPoll(poll.route, 503);
        poll.responder.sendError(503, u"unavailable"_s,
                                 u"Redis %1: %2"_s.arg(m_snapshot.redis, page.error), poll.cors);
        forget(pollId);
        return;
    }
    poll.historyLost = poll.historyLost || page.historyLost;
    // An answer holds at most maxResponseBytes of events (and at least one): a page of large
    // events was held whole in memory (500 events of up to 1 MiB), for as long as a client that
    // does not read kept it. The client goes on from the last event it got.
    QList<const PollingStore::Entry *> events;
    qsizetype bytes = 0;
    qsizetype covered = 0; // entries of the page this answer goes past
    for (const PollingStore::Entry &entry : std::as_const(page.entries)) {
        if (visible(poll, entry)) {
            if (!events.isEmpty() && bytes + entry.json.size() > maxResponseBytes)
                break;
            bytes += entry.json.size();
            events.append(&entry);
        }
        ++covered;
    }
    const bool more = covered < page.entries.size() || page.more
        || page.entries.size() >= m_config.maxEventsPerResponse;
    // Where the client goes on from: past everything read (seen or not its business), or,
    // with nothing read, where the store says (a first poll: the stream's end; an id older
    // than the TTL: just below now), else where it was.
    if (covered > 0)
        poll.lastId = page.entries.at(covered - 1).id;
    else if (!page.streamLastId.isEmpty())
        poll.lastId = page.streamLastId;

    const bool expired = poll.longPoll && m_clock.elapsed() >= poll.deadlineMs;
    if (!events.isEmpty() || poll.historyLost || !poll.longPoll || expired) {
        answer(poll, events);
        return;
    }
    // Nothing for this client yet. More entries than one page: read on at once. A publish
    // seen on the stream while reading may not be in this page: read again. Else wait.
    if (more || m_streams.value(poll.stream).wakes != poll.wakesAtRead) {
        read(poll);
        return;
    }
    poll.wokenAtUs = 0;
    hold(poll);
}

void PollingService::answer(Poll &poll, const QList<const PollingStore::Entry *> &events)
{
    if (poll.wokenAtUs > 0 && !events.isEmpty())
        m_snapshot.wakeLatency.observe(double(wallClockUs() - poll.wokenAtUs) / 1e6);
    if (poll.historyLost)
        ++m_snapshot.historyLost;
    countPoll(poll.route, 200);
    poll.responder.send(200, pollBody(events, poll.lastId, poll.historyLost), "application/json",
                        poll.cors);
    forget(poll.id);
}

void PollingService::hold(Poll &poll)
{
    poll.held = true;
    m_streams[poll.stream].held.insert(poll.id);
    ++m_heldCount;
}

void PollingService::unhold(Poll &poll)
{
    if (!poll.held)
        return;
    poll.held = false;
    m_streams[poll.stream].held.remove(poll.id);
    --m_heldCount;
}

void PollingService::forget(quint64 pollId)
{
    const auto found = m_polls.find(pollId);
    if (found == m_polls.end())
        return;
    Poll &poll = *found->second;
    unhold(poll);
    if (poll.longPoll)
        m_deadlines.erase({poll.deadlineMs, poll.id});
    const auto stream = m_streams.find(poll.stream);
    if (stream != m_streams.end() && --stream->polls <= 0)
        m_streams.erase(stream);
    m_polls.erase(found);
}

// A publish somewhere (this node or another): "<id>\n<publish time, µs>\n<stream>...".
void PollingService::onWake(QByteArrayView payload)
{
    QList<QByteArrayView> parts;
    for (qsizetype from = 0; from <= payload.size();) {
        qsizetype end = payload.indexOf('\n', from);
        if (end < 0)
            end = payload.size();
        parts.append(payload.sliced(from, end - from));
        from = end + 1;
    }
    if (parts.size() < 3)
        return;
    // After a Redis restart the subscription may be back before the connection that reads: a
    // read now would answer the held polls 503. They read once that connection is back.
    if (!m_redis->isConnected()) {
        m_catchUpWaits = true;
        return;
    }
    const qint64 publishedUs = parts[1].toLongLong();
    for (qsizetype i = 2; i < parts.size(); ++i) {
        const auto stream = m_streams.find(parts[i].toByteArray());
        if (stream == m_streams.end())
            continue; // nobody polls it here
        ++stream->wakes;
        const QSet<quint64> held = std::exchange(stream->held, {});
        for (const quint64 id : held) {
            const auto found = m_polls.find(id);
            if (found == m_polls.end())
                continue;
            Poll &poll = *found->second;
            poll.held = false;
            --m_heldCount;
            poll.wokenAtUs = publishedUs;
            read(poll);
        }
    }
}

// The wake channel is (again) subscribed: publishes made while it was not are unknown, so
// every held poll reads once more.
void PollingService::onSubscribed()
{
    // Publishes made while unsubscribed woke nobody: every held poll reads again. A read now,
    // with the command connection still down, would answer the held polls 503.
    if (!m_redis->isConnected()) {
        m_catchUpWaits = true;
        return;
    }
    for (auto &[id, poll] : m_polls) {
        if (poll->held) {
            unhold(*poll);
            read(*poll);
        }
    }
}

void PollingService::tick()
{
    const qint64 now = m_clock.elapsed();
    // Deadlines: a held poll gets the empty shape; a reading one is answered when its page
    // comes (onPage checks).
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
        const auto found = m_polls.find(m_deadlines.begin()->second);
        if (found == m_polls.end() || !found->second->held) {
            m_deadlines.erase(m_deadlines.begin());
            continue;
        }
        answer(*found->second, {});
    }
    if (++m_ticks % snapshotTicks != 0)
        return;
    // Four times a second: clients that left while held (STYLE.md trap 1: their socket is
    // gone, the responder knows it and answers nothing), then the snapshot.
    QList<quint64> gone;
    for (const auto &[id, poll] : m_polls) {
        if (poll->held && !poll->responder.isOpen())
            gone.append(id);
    }
    for (const quint64 id : gone) {
        ++m_snapshot.clientsGone;
        forget(id);
    }
    publishSnapshot();
}

void PollingService::notePublish(const QString &error)
{
    if (error.isEmpty()) {
        m_refusals = {};
        return;
    }
    // Failed with the connection (a Redis restart, a stall past the command timeout): /health
    // says the connection is down, and a refusal counted now would stay red after it is back.
    if (!m_redis->isConnected())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_refusals.inARow++ == 0)
        m_refusals.firstAtMs = now;
    m_refusals.lastAtMs = now;
    m_refusals.lastError = error;
}

void PollingService::publishSnapshot()
{
    m_snapshot.redisConnected = m_redis->isConnected();
    m_snapshot.subscribed = m_subscriber->isConnected();
    // Redis up but refusing every publish (at its maxmemory, READONLY after a failover left this
    // node on a replica): polls are served as ever, so nothing else shows that every event the
    // Spring service sends is lost. Said, and logged, until one is stored, or for a minute after
    // the last refusal.
    const bool publishesRefused = m_refusals.inARow >= publishRefusalsShown
        && QDateTime::currentMSecsSinceEpoch() - m_refusals.lastAtMs < publishRefusalsShownMs;
    const QString refusal = m_refusals.inARow == 0
        ? QString()
        : u"Redis %1 refused the last %2 publishes (since %3): %4"_s.arg(
            m_snapshot.redis, QString::number(m_refusals.inARow),
            QDateTime::fromMSecsSinceEpoch(m_refusals.firstAtMs, Qt::UTC)
                .toString(Qt::ISODateWithMs),
            m_refusals.lastError);
    if (publishesRefused && !m_refusalsLogged)
        qCWarning(lcPolling).noquote() << refusal;
    else if (!publishesRefused && m_refusalsLogged)
        qCInfo(lcPolling).noquote() << (m_refusals.inARow == 0 ? "Redis stores publishes again"
                                                               : "no publish refused for a minute");
    m_refusalsLogged = publishesRefused;
    m_snapshot.healthy = m_snapshot.redisConnected && m_snapshot.subscribed && !publishesRefused;
    m_snapshot.reason = m_snapshot.healthy ? QString()
        : !m_snapshot.redisConnected
        ? u"Redis %1: %2"_s.arg(m_snapshot.redis, m_redis->unavailableReason())
        : !m_snapshot.subscribed
        ? u"Redis %1: the wake channel is not subscribed (%2); long polls wait for their "
          u"timeout"_s.arg(m_snapshot.redis, m_subscriber->unavailableReason())
        : refusal;
    m_snapshot.heldPolls = m_heldCount;
    m_snapshot.readsInFlight = m_readsInFlight;
    m_snapshot.readsQueued = qint64(m_readQueue.size());
    // Over the last second: four snapshots back.
    m_publishedHistory.push_back(m_publishedTotal);
    if (m_publishedHistory.size() > 5)
        m_publishedHistory.pop_front();
    m_snapshot.publishesPerSecond = double(m_publishedTotal - m_publishedHistory.front())
        * (4.0 / double(std::max<size_t>(1, m_publishedHistory.size() - 1)));
    m_snapshot.wakeLatencyLastMinute = m_recentWakeLatency.lastMinute(m_snapshot.wakeLatency);
    m_board->publish(std::make_shared<PollingSnapshot>(m_snapshot));
}

// --- internal publish routes ---

void PollingService::publish(int route, const HttpRequest &request, HttpResponder &&responder)
{
    const QByteArray &name = publishRouteNames[size_t(route)];
    auto &counts = m_snapshot.publishes[name];
    switch (internalAccessStatus(request, m_config.internalApiToken)) {
    case 0:
        break;
    case 401:
        ++counts[401];
        ++m_snapshot.authFailures["internal_missing"];
        responder.sendError(401, u"unauthorized"_s,
                            u"internal routes need Authorization: Bearer <INTERNAL_API_TOKEN>"_s);
        return;
    default:
        ++counts[403];
        ++m_snapshot.authFailures["internal_refused"];
        responder.sendError(403, u"forbidden"_s,
                            m_config.internalApiToken.isEmpty()
                                ? u"internal routes answer loopback clients only, not what a "
                                  u"proxy forwarded; set INTERNAL_API_TOKEN to reach them from "
                                  u"elsewhere"_s
                                : u"wrong Bearer token"_s);
        return;
    }
    const PollingEventParse parsed =
        parsePublishBody(PublishRoute(route), request.body, QDateTime::currentDateTimeUtc());
    if (!parsed.event) {
        ++counts[400];
        responder.sendError(400, u"bad_request"_s, parsed.error);
        return;
    }
    if (!m_redis->isConnected()) {
        ++counts[503];
        responder.sendError(503, u"unavailable"_s,
                            u"Redis %1: %2"_s.arg(m_snapshot.redis, m_redis->unavailableReason()));
        return;
    }
    auto waiting = std::make_shared<HttpResponder>(std::move(responder));
    const QString eventType = parsed.event->eventType;
    m_store.publish(*parsed.event,
                    [this, name, waiting, eventType](const QByteArray &id, const QString &error) {
                        auto &counts = m_snapshot.publishes[name];
                        notePublish(error);
                        if (!error.isEmpty()) {
                            ++counts[503];
                            waiting->sendError(503, u"unavailable"_s,
                                               u"Redis %1: %2"_s.arg(m_snapshot.redis, error));
                            return;
                        }
                        ++counts[200];
                        ++m_publishedTotal;
                        waiting->sendJson(200,
                                          QJsonObject {{u"status"_s, u"published"_s},
                                                       {u"id"_s, QString::fromLatin1(id)},
                                                       {u"eventType"_s, eventType}});
                    });
}

} // namespace Switchboard
