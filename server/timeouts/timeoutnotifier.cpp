#include "timeoutnotifier.h"

#include "core/logging.h"
#include "http/httpclient.h"
#include "redis/redisclient.h"
#include "timeoutsstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <algorithm>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int maxEntries = 256; // entries this node holds at once (in flight or waiting retry)
constexpr qint64 newGroupBacklogMs = 3600 * 1000; // how far back a new group starts
constexpr int maxPosts = 16; // POSTs to the webhook at once (its connections)
constexpr qint64 readBlockMs = 1000;
// timeout:reader:<POD_ID>'s life: refreshed every second (refreshPending()), so gone this soon
// after its process ended.
constexpr qint64 readerNameTtlMs = 3000;

// The JSON a webhook receives: the stream entry's fields, numbers as numbers, and the entry id.
QByteArray webhookBody(const QByteArray &id, const RedisReply &fields, QByteArray *idempotencyKey)
{
    QByteArray conversation, level, since;
    QJsonObject body;
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        const QByteArrayView name = fields.at(i).view();
        const RedisReply value = fields.at(i + 1);
        if (name == "conversation_id")
            conversation = value.toByteArray();
        else if (name == "level")
            level = value.toByteArray();
        else if (name == "waiting_since")
            since = value.toByteArray();
        const bool numeric = name == "level" || name == "waiting_since" || name == "notified_at"
            || name == "leader_epoch";
        body.insert(QString::fromUtf8(name),
                    numeric ? QJsonValue(value.toInteger())
                            : QJsonValue(QString::fromUtf8(value.view())));
    }
    body.insert(u"event_id"_s, QString::fromLatin1(id));
    *idempotencyKey = conversation + ':' + level + ':' + since;
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

// KEYS: timeout_events, timeout:refused_notifications. ARGV: group, entry id, consumer, then
// field, value pairs of the record. The XACK and the record in one step, and only by the
// consumer that holds the entry: another pod may have taken it over (and delivered it).
// Returns 1 when set aside, 0 when the entry was not ours any more.
const QByteArray setAsideSource = R"lua(
local held = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
if #held == 0 or held[1][2] ~= ARGV[3] then return 0 end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', 100000, '*', unpack(ARGV, 4))
return 1
)lua";

// KEYS: timeout_events. ARGV: group, consumer, entry ids. Keeps fresh (idle 0, XCLAIM ... JUSTID)
// the entries this consumer still holds, so that XAUTOCLAIM elsewhere leaves them alone, and
// returns the ids it does not hold any more: acked, or taken over by another pod while this one
// was paused past claim_idle. A plain XCLAIM would take those back from their new holder.
const QByteArray keepSource = R"lua(
local lost = {}
for i = 3, #ARGV do
  local held = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #held > 0 and held[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
  else
    lost[#lost + 1] = ARGV[i]
  end
end
return lost
)lua";

// KEYS: timeout:reader:<POD_ID>. ARGV: this process's token, ttl ms. Returns 1 when the name is
// this process's (kept so), 0 while another process's token is there.
const QByteArray holdSource = R"lua(
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
)lua";

bool isRefusal(const HttpClientResponse &response)
{
    return response.status >= 400 && response.status < 500 && response.status != 408
        && response.status != 429;
}

} // namespace

TimeoutNotifier::TimeoutNotifier(const TimeoutsConfig &config, RedisClient *control,
                                 QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_url(config.notificationWebhookUrl)
    , m_consumer(config.podId.toUtf8())
    , m_control(control)
    , m_reader(
          new RedisClient(RedisClient::Options::of(config.redis, u"timeouts-notifier"_s), this))
    , m_http(nullptr)
    , m_setAside(setAsideSource)
    , m_keep(keepSource)
    , m_hold(holdSource)
{
    m_token = QByteArray::number(QRandomGenerator::global()->generate64(), 16);
    m_claimTimer.setInterval(std::max<qint64>(100, config.claimIdle.count() / 3));
    connect(&m_claimTimer, &QTimer::timeout, this, &TimeoutNotifier::claim);
}

TimeoutNotifier::~TimeoutNotifier() = default;

QString TimeoutNotifier::displayUrl() const
{
    return webhookDisplayUrl(m_url.toString());
}

void TimeoutNotifier::start()
{
    m_running = true;
    HttpClientOptions options;
    options.maxConnectionsPerHost = maxPosts;
    options.userAgent = "Switchboard-timeouts";
    m_http = new HttpClient(options, this);
    m_clock.start();
    // Reading starts once the reader's connection is up (a read sent before fails, and would
    // wait a second for its retry).
    connect(m_reader, &RedisClient::connected, this, [this] {
        if (m_running && !m_reading)
            createGroup();
    });
    m_reader->open();
    m_claimTimer.start();
}

void TimeoutNotifier::stop()
{
    m_running = false;
    m_claimTimer.stop();
    m_reader->close();
    delete m_http; // drops the callbacks of requests still in flight
    m_http = nullptr;
    m_entries.clear();
    m_postQueue.clear();
    m_posting = 0;
    m_retrying = 0;
}

int TimeoutNotifier::room() const
{
    return maxEntries - int(m_entries.size());
}

void TimeoutNotifier::createGroup()
{
    if (!m_running)
        return;
    if (!m_control->isConnected()) {
        // The engine's connection is still connecting (at start): go on once it is up, rather
        // than fail, warn and wait a second.
        if (!m_waitingForControl) {
            m_waitingForControl = true;
            connect(
                m_control, &RedisClient::connected, this,
                [this] {
                    m_waitingForControl = false;
                    createGroup();
                },
                Qt::SingleShotConnection);
        }
        return;
    }
    // A new group starts with the notifications of the last hour, on Redis' clock: those written
    // before the first pod with a webhook came up are sent if they are that recent. From the
    // stream's start, turning NOTIFICATION_WEBHOOK_URL on after months of phase 1 alone POSTed
    // every notification the stream still held (up to 10 x stream_max_length), days old. An
    // existing group goes on where it stands.
    m_control->send({"TIME"}, [this](const RedisReply &time) {
        if (!m_running)
            return;
        if (time.isError() || time.size() != 2)
            return retryReadLater(time.isError() ? time.errorMessage() : u"TIME: no time"_s);
        const qint64 nowMs = time.at(0).toInteger() * 1000 + time.at(1).toInteger() / 1000;
        createGroupFrom(QByteArray::number(std::max<qint64>(0, nowMs - newGroupBacklogMs)) + "-0");
    });
}

void TimeoutNotifier::createGroupFrom(const QByteArray &from)
{
    if (!m_running)
        return;
    m_control->send(
        {"XGROUP", "CREATE", TimeoutKeys::events, TimeoutKeys::group, from, "MKSTREAM"},
        [this](const RedisReply &reply) {
            const bool existed = reply.isError() && reply.view().startsWith("BUSYGROUP");
            if (reply.isError() && !existed && !reply.isClientError()) {
                // Redis at its maxmemory refuses XGROUP CREATE with OOM even when the group
                // exists; XREADGROUP and XACK it takes, and the notifications already in the
                // stream must still reach the webhook: ask whether the group is there.
                const QString error = reply.errorMessage();
                m_control->send({"XINFO", "GROUPS", TimeoutKeys::events},
                                [this, error](const RedisReply &groups) {
                                    if (!m_running)
                                        return;
                                    for (size_t i = 0; i < groups.size(); ++i) {
                                        const RedisReply group = groups.at(i);
                                        for (size_t k = 0; k + 1 < group.size(); k += 2) {
                                            if (group.at(k).view() == "name"
                                                && group.at(k + 1).view() == TimeoutKeys::group) {
                                                m_hadGroup = true;
                                                read();
                                                return;
                                            }
                                        }
                                    }
                                    retryReadLater(error);
                                });
                return;
            }
            if (reply.isError() && !existed)
                return retryReadLater(reply.errorMessage());
            if (!existed && m_hadGroup)
                qCWarning(lcTimeouts).noquote()
                    << "group" << TimeoutKeys::group << "of" << TimeoutKeys::events
                    << "had gone (Redis lost its data?): made again, reading the notifications "
                       "of the last hour";
            m_hadGroup = true;
            read();
        });
}

// Two pods given the same POD_ID are one consumer: the entries pending under it are the other's,
// in flight, and reading them as our own (a restart's history) POSTed every one a second time (30
// of 30 when a twin started beside a pod waiting on a slow webhook). The name is held by one
// process at a time; one that finds it held for longer than a process that just ended would hold
// it says so and reads new entries only.
void TimeoutNotifier::holdName()
{
    if (!m_running || m_holdingName)
        return;
    m_holdingName = true;
    m_hold.evaluate(
        m_control, {TimeoutKeys::reader + m_consumer},
        {m_token, QByteArray::number(readerNameTtlMs)}, [this](const RedisReply &reply) {
            m_holdingName = false;
            if (!m_running)
                return;
            const bool known = m_nameChecked;
            if (reply.isError() || reply.toInteger() == 1) {
                // Redis refusing (OOM) must not stop the reading: as before, the name is ours.
                m_nameTakenSinceMs = -1;
                m_nameChecked = true;
            } else if (m_nameTakenSinceMs < 0) {
                m_nameTakenSinceMs = m_clock.elapsed();
            } else if (m_clock.elapsed() - m_nameTakenSinceMs > readerNameTtlMs && !m_nameShared) {
                qCCritical(lcTimeouts).noquote()
                    << "another live process reads" << TimeoutKeys::events << "as consumer"
                    << m_consumer
                    << "(two pods with the same POD_ID?): what it holds is left to it, but give "
                       "each pod its own POD_ID";
                m_nameShared = true; // read() reads new entries only
                m_nameChecked = true;
            }
            if (!known && m_nameChecked)
                read();
        });
}

void TimeoutNotifier::read()
{
    if (!m_running || m_reading || room() <= 0)
        return;
    if (m_nameShared)
        m_readFrom = ">";
    const bool history = m_readFrom != ">";
    if (history && !m_nameChecked)
        return holdName(); // refreshPending() asks again every second until it is known
    m_reading = true;
    RedisCommand command("XREADGROUP");
    command << "GROUP" << TimeoutKeys::group << m_consumer << "COUNT";
    command.arg(qint64(room()));
    if (!history) {
        command << "BLOCK";
        command.arg(readBlockMs);
    }
    command << "STREAMS" << TimeoutKeys::events << m_readFrom;
    m_reader->send(
        command, [this](const RedisReply &reply) { readDone(reply); },
        Milliseconds(history ? 0 : readBlockMs));
}

void TimeoutNotifier::readDone(const RedisReply &reply)
{
    m_reading = false;
    if (!m_running)
        return;
    if (reply.isError()) {
        // The stream or group was deleted (Redis lost its data): made again at once. A read
        // blocked on the stream when it went is answered UNBLOCKED (Redis 7).
        if (reply.view().startsWith("NOGROUP") || reply.view().startsWith("UNBLOCKED"))
            return createGroup();
        // The server may have handed us entries in a reply we never got: they are pending under
        // our name, so read our own history first rather than wait for XAUTOCLAIM.
        m_readFrom = "0";
        return retryReadLater(reply.errorMessage());
    }
    if (!m_lastReadError.isEmpty()) {
        qCInfo(lcTimeouts).noquote() << "reading" << TimeoutKeys::events << "again";
        m_lastReadError.clear();
    }
    const RedisReply entries = reply.at(0).at(1);
    if (m_readFrom != ">") {
        // Our own pending entries (a restart under the same POD_ID), page by page.
        m_readFrom =
            entries.size() > 0 ? entries.at(entries.size() - 1).at(0).toByteArray() : ">"_ba;
    }
    for (size_t i = 0; i < entries.size(); ++i)
        take(entries.at(i));
    read();
}

void TimeoutNotifier::retryReadLater(const QString &why)
{
    // Once per reason: a refusal that lasts (OOM, an ACL) would log a line every second.
    if (why != m_lastReadError)
        qCWarning(lcTimeouts).noquote()
            << "reading" << TimeoutKeys::events << "failed:" << why << "- retrying every 1 s";
    m_lastReadError = why;
    QTimer::singleShot(1000, this, [this] {
        m_reading = false;
        createGroup();
    });
    m_reading = true; // no other read until the retry
}

void TimeoutNotifier::take(const RedisReply &entry)
{
    const QByteArray id = entry.at(0).toByteArray();
    const RedisReply fields = entry.at(1);
    if (fields.isNil() || fields.size() == 0) {
        ack(id); // trimmed from the stream before anyone delivered it: nothing left to send
        return;
    }
    if (m_entries.count(id))
        return;
    Entry &taken = m_entries[id];
    taken.body = webhookBody(id, fields, &taken.idempotencyKey);
    taken.ownedAtMs = m_clock.elapsed();
    post(id);
}

void TimeoutNotifier::post(const QByteArray &id)
{
    Entry &entry = m_entries.at(id);
    // The API refuses ids with control characters, but a conversation another program put in
    // (the Go service, adopted) may have one: with a line break the Idempotency-Key cannot be
    // sent at all, and the entry would be retried for ever, holding the stream's trimming back.
    if (entry.idempotencyKey.contains('\r') || entry.idempotencyKey.contains('\n')) {
        HttpClientResponse unsendable;
        unsendable.error = u"not sent: the conversation id has a line break, which cannot travel "
                           "in the Idempotency-Key header"_s;
        return setAside(id, unsendable);
    }
    if (entry.queued)
        return;
    entry.queued = true;
    m_postQueue.push_back(id);
    pump();
}

// POSTs queued in the HTTP client were sent whatever happened meanwhile: a pod paused past
// claim_idle, whose entries another pod took over and delivered, POSTed them all again when it
// ran on (240 duplicates after a 4.5 s pause in a chaos run). The queue is ours now, and an entry
// held longer than half of claim_idle is asked about (the keep script) before its POST.
void TimeoutNotifier::pump()
{
    while (m_running && m_posting < maxPosts && !m_postQueue.empty()) {
        const QByteArray id = m_postQueue.front();
        m_postQueue.pop_front();
        const auto it = m_entries.find(id);
        // Forgotten while it waited, or taken again since with a place of its own in the queue.
        if (it == m_entries.end() || !it->second.queued)
            continue;
        it->second.queued = false;
        ++m_posting;
        if (m_clock.elapsed() - it->second.ownedAtMs < m_config.claimIdle.count() / 2) {
            send(id);
            continue;
        }
        m_keep.evaluate(m_control, {TimeoutKeys::events}, {TimeoutKeys::group, m_consumer, id},
                        [this, id](const RedisReply &reply) {
                            if (!m_running)
                                return;
                            const auto again = m_entries.find(id);
                            if (again == m_entries.end()
                                || (!reply.isError() && reply.size() > 0)) {
                                --m_posting;
                                if (again != m_entries.end())
                                    forget(reply);
                                return pump();
                            }
                            // Ours, or Redis did not say: post as before, the XACK decides.
                            again->second.ownedAtMs = m_clock.elapsed();
                            send(id);
                        });
    }
}

void TimeoutNotifier::send(const QByteArray &id)
{
    Entry &entry = m_entries.at(id);
    ++entry.attempt;
    const HttpClient::Headers headers {{"Content-Type", "application/json"},
                                       {"Idempotency-Key", entry.idempotencyKey}};
    m_http->post(m_url, headers, entry.body, m_config.webhookTimeout,
                 [this, id](const HttpClientResponse &response) {
                     --m_posting;
                     const auto next = qScopeGuard([this] { pump(); });
                     const auto it = m_entries.find(id);
                     if (it == m_entries.end())
                         return;
                     if (response.ok()) {
                         ++m_delivered;
                         m_lastDeliveredMs = m_clock.elapsed();
                         ack(id);
                         m_entries.erase(it);
                         read(); // room for more
                         return;
                     }
                     ++m_failedAttempts;
                     Entry &entry = it->second;
                     m_lastError =
                         response.error.isEmpty() ? response.statusText() : response.error;
                     if (!isRefusal(response))
                         entry.refusals = 0;
                     else if (entry.refusals++ == 0)
                         entry.firstRefusalMs = m_clock.elapsed();
                     // Only while the webhook accepts others: a wrong path (404) or revoked
                     // credentials (401) refuse everything, and nothing would be left to send
                     // once fixed.
                     if (entry.refusals >= m_config.webhookRefusalAttempts
                         && m_lastDeliveredMs >= entry.firstRefusalMs)
                         return setAside(id, response);
                     const qint64 delay = std::min<qint64>(m_config.retryMaxDelay.count(),
                                                           m_config.retryDelay.count()
                                                               << std::min(entry.attempt - 1, 20));
                     if (entry.attempt == 1 || entry.attempt % 10 == 0)
                         qCWarning(lcTimeouts).noquote()
                             << "webhook" << displayUrl() << "refused" << entry.idempotencyKey
                             << u"(attempt %1):"_s.arg(entry.attempt) << m_lastError
                             << "- retrying in" << delay << "ms";
                     retryLater(id, delay);
                 });
}

void TimeoutNotifier::retryLater(const QByteArray &id, qint64 delayMs)
{
    m_entries.at(id).waitingRetry = true;
    ++m_retrying;
    QTimer::singleShot(delayMs, this, [this, id] {
        const auto again = m_entries.find(id);
        if (!m_running || again == m_entries.end())
            return;
        again->second.waitingRetry = false;
        --m_retrying;
        // Still ours? After a pause past claim_idle another pod may have taken it over (and
        // delivered it): POSTing it again would be a duplicate. If Redis does not answer, post
        // as before: the XACK decides.
        m_keep.evaluate(m_control, {TimeoutKeys::events}, {TimeoutKeys::group, m_consumer, id},
                        [this, id](const RedisReply &reply) {
                            if (!m_running || !m_entries.count(id))
                                return;
                            if (!reply.isError() && reply.size() > 0)
                                return forget(reply);
                            m_entries.at(id).ownedAtMs = m_clock.elapsed();
                            post(id);
                        });
    });
}

void TimeoutNotifier::forget(const RedisReply &lost)
{
    int forgotten = 0;
    for (size_t i = 0; i < lost.size(); ++i) {
        const auto it = m_entries.find(lost.at(i).toByteArray());
        if (it == m_entries.end())
            continue;
        if (it->second.waitingRetry)
            --m_retrying;
        m_entries.erase(it); // a POST in flight finds it gone and neither acks nor retries
        ++forgotten;
    }
    if (forgotten == 0)
        return;
    // Not pending under this pod any more: another pod took them over while this one was
    // paused, or the stream lost them with Redis' data (then nobody has them).
    qCInfo(lcTimeouts).noquote() << forgotten << "notifications being retried are no"
                                 << "longer this pod's: taken over by another pod while this one"
                                 << "was paused, or lost with Redis' data; this pod stops sending"
                                 << "them";
    read(); // room for more
}

void TimeoutNotifier::setAside(const QByteArray &id, const HttpClientResponse &response)
{
    const Entry &entry = m_entries.at(id);
    m_setAside.evaluate(
        m_control, {TimeoutKeys::events, TimeoutKeys::refused},
        {TimeoutKeys::group, id, m_consumer, "event_id", id, "idempotency_key",
         entry.idempotencyKey, "body", entry.body, "status", QByteArray::number(response.status),
         "response", response.bodyPrefix, "error", response.error.toUtf8(), "attempts",
         QByteArray::number(entry.attempt)},
        [this, id, status = response.status, error = response.error](const RedisReply &reply) {
            const auto it = m_entries.find(id);
            if (it == m_entries.end())
                return;
            if (reply.isError()) {
                // Still pending: retried like any failure, set aside next time.
                m_lastError = reply.errorMessage();
                it->second.refusals = 0;
                return retryLater(id, m_config.retryMaxDelay.count());
            }
            if (reply.toInteger() == 1) {
                ++m_refused;
                if (status == 0)
                    qCCritical(lcTimeouts).noquote()
                        << "entry" << id << "of" << TimeoutKeys::events << error << "- set aside in"
                        << TimeoutKeys::refused;
                else
                    qCCritical(lcTimeouts).noquote()
                        << "webhook" << displayUrl() << "refused" << it->second.idempotencyKey
                        << it->second.refusals << "times in a row with HTTP" << status
                        << "- set aside in" << TimeoutKeys::refused << "as entry" << id << "of"
                        << TimeoutKeys::events;
            } else
                qCInfo(lcTimeouts).noquote()
                    << "entry" << id << "is no longer this pod's: taken over by another pod, or"
                    << "lost with Redis' data";
            m_entries.erase(it);
            read(); // room for more
        });
}

void TimeoutNotifier::ack(const QByteArray &id)
{
    // A lost XACK leaves the entry pending: it is delivered again (same Idempotency-Key).
    m_control->send({"XACK", TimeoutKeys::events, TimeoutKeys::group, id},
                    [](const RedisReply &) {});
}

void TimeoutNotifier::claim()
{
    if (!m_running || !m_control->isConnected())
        return;
    // Ours first: an entry we are still retrying must not look abandoned. Only those we still
    // hold: the others were taken over while we were paused, and are let go.
    if (!m_entries.empty()) {
        QList<QByteArray> args {TimeoutKeys::group, m_consumer};
        for (const auto &[id, entry] : m_entries)
            args << id;
        m_keep.evaluate(m_control, {TimeoutKeys::events}, args, [this](const RedisReply &reply) {
            if (m_running && !reply.isError())
                forget(reply);
        });
    }
    if (room() > 0) {
        RedisCommand command("XAUTOCLAIM");
        command << TimeoutKeys::events << TimeoutKeys::group << m_consumer;
        command.arg(qint64(m_config.claimIdle.count()));
        command << m_claimCursor << "COUNT";
        command.arg(qint64(room()));
        m_control->send(command, [this](const RedisReply &reply) {
            if (!m_running || reply.isError())
                return;
            m_claimCursor = reply.at(0).toByteArray();
            const RedisReply claimed = reply.at(1);
            if (claimed.size() > 0)
                qCInfo(lcTimeouts).noquote()
                    << "took over" << claimed.size() << "notifications of a silent consumer";
            for (size_t i = 0; i < claimed.size(); ++i)
                take(claimed.at(i));
        });
    }
    if (++m_claimRounds % 10 == 0)
        forgetDeadConsumers();
}

// A consumer record stays in the group after its process ended (POD_ID is per process by
// default): one with nothing pending and silent for ten claim periods is removed.
void TimeoutNotifier::forgetDeadConsumers()
{
    m_control->send({"XINFO", "CONSUMERS", TimeoutKeys::events, TimeoutKeys::group},
                    [this](const RedisReply &reply) {
                        if (!m_running || reply.isError())
                            return;
                        for (size_t i = 0; i < reply.size(); ++i) {
                            const RedisReply consumer = reply.at(i);
                            const QByteArray name = consumer.field("name").toByteArray();
                            const qint64 pending = consumer.field("pending").toInteger(-1);
                            const qint64 idle = consumer.field("idle").toInteger();
                            if (name != m_consumer && pending == 0
                                && idle > 10 * m_config.claimIdle.count())
                                m_control->send({"XGROUP", "DELCONSUMER", TimeoutKeys::events,
                                                 TimeoutKeys::group, name},
                                                [](const RedisReply &) {});
                        }
                    });
}

void TimeoutNotifier::refreshPending()
{
    if (!m_running)
        return;
    holdName();
    m_control->send({"XPENDING", TimeoutKeys::events, TimeoutKeys::group},
                    [this](const RedisReply &reply) {
                        if (!reply.isError())
                            m_pending = reply.at(0).toInteger();
                    });
}

} // namespace Switchboard
