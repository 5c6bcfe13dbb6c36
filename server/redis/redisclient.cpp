#include "redisclient.h"

#include <QMutex>
#include <QPointer>
#include <QRandomGenerator>
#include <QSet>
#include <QSocketNotifier>
#include <charconv>
#include <cstring>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <utility>

namespace Switchboard {

Q_LOGGING_CATEGORY(lcRedis, "switchboard.redis")

void RedisCommand::appendResp(QByteArray &out) const
{
    qsizetype total = 16;
    for (size_t length : m_lengths)
        total += qsizetype(length) + 24; // "$", up to 20 digits, two CRLFs
    const qsizetype start = out.size();
    out.resize(start + total);
    char *p = out.data() + start;
    auto number = [&p](char prefix, size_t n) {
        *p++ = prefix;
        p = std::to_chars(p, p + 20, n).ptr;
        *p++ = '\r';
        *p++ = '\n';
    };
    number('*', m_argv.size());
    for (size_t i = 0; i < m_argv.size(); ++i) {
        number('$', m_lengths[i]);
        if (m_lengths[i] > 0) // an empty QByteArray's data may be null, which memcpy may not get
            std::memcpy(p, m_argv[i], m_lengths[i]);
        p += m_lengths[i];
        *p++ = '\r';
        *p++ = '\n';
    }
    out.resize(p - out.constData());
}

RedisClient::RedisClient(const Options &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_clock.start();
    // The watchdog is how hiredis gets command timeouts at all; a quarter of the timeout keeps
    // the error under 25 % without waking up more than needed.
    const qint64 timeout = m_options.commandTimeout.count();
    m_watchdog.setInterval(int(std::clamp<qint64>(timeout / 4, 10, 250)));
    connect(&m_watchdog, &QTimer::timeout, this, &RedisClient::checkTimeouts);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisClient::connectNow);
    m_lookupTimer.setSingleShot(true);
    connect(&m_lookupTimer, &QTimer::timeout, this, [this] {
        if (m_state != State::Resolving)
            return;
        m_lastError = QStringLiteral("cannot resolve %1: no answer within %2 ms")
                          .arg(m_options.endpoint.host)
                          .arg(m_options.connectTimeout.count());
        logFailure(m_lastError);
        scheduleReconnect(); // the lookup goes on: the next attempt waits for its answer
    });
}

RedisClient::~RedisClient()
{
    m_destroying = true;
    // This may run inside a hiredis callback (an owner deleting the client, or its own owner,
    // from a reply or failure callback): hiredis then runs the remaining callbacks and hooks of
    // the context after we are gone. Detached, they find no client and do nothing: pending
    // callbacks are skipped, their owners are going away.
    for (redisAsyncContext *retiring : m_retiring)
        retiring->data = nullptr;
    if (m_context) {
        redisAsyncContext *context = m_context;
        m_context = nullptr;
        context->data = nullptr;
        redisAsyncFree(context);
    }
    dropNotifiers();
}

void RedisClient::open()
{
    if (m_state != State::Closed)
        return;
    m_attempt = 0;
    m_loggedFailure.clear();
    connectNow();
}

void RedisClient::close()
{
    m_reconnectTimer.stop();
    m_lookupTimer.stop();
    m_watchdog.stop();
    m_state = State::Closed;
    m_lateAddress.clear();
    if (m_context) {
        m_failure = "connection closed by Switchboard";
        redisAsyncContext *context = m_context;
        m_context = nullptr;
        dropNotifiers();
        retire(context);
    }
}

void RedisClient::connectNow()
{
    const QString &host = m_options.endpoint.host;
    // "localhost" may resolve to ::1 first while Redis listens on 127.0.0.1 only.
    if (host == u"localhost")
        connectTo("127.0.0.1");
    else if (HostLookup::isAddress(host))
        connectTo(host.toUtf8());
    else if (!m_lateAddress.isEmpty())
        connectTo(std::exchange(m_lateAddress, {}));
    else
        resolve();
}

void RedisClient::resolve()
{
    m_state = State::Resolving;
    if (!m_lookup) {
        m_lookup = std::make_unique<HostLookup>(
            m_options.endpoint.host, this,
            [this](const QList<QByteArray> &addresses, const QString &error) {
                onResolved(addresses, error);
            });
    }
    m_lookupTimer.start(int(m_options.connectTimeout.count()));
}

void RedisClient::onResolved(const QList<QByteArray> &addresses, const QString &error)
{
    m_lookup.reset();
    if (m_state != State::Resolving && m_state != State::Backoff)
        return; // closed meanwhile
    // An answer after the lookup's time was up waits for the next attempt.
    if (m_state == State::Backoff) {
        m_lateAddress = addresses.value(0);
        return;
    }
    m_lookupTimer.stop();
    if (!error.isEmpty()) {
        m_lastError = QStringLiteral("cannot resolve %1: %2").arg(m_options.endpoint.host, error);
        logFailure(m_lastError);
        scheduleReconnect();
        return;
    }
    connectTo(addresses.front());
}

void RedisClient::connectTo(const QByteArray &address)
{
    m_address = address;
    m_state = State::Connecting;
    // onReply() keeps the first reason it is given; one left from an earlier connection
    // ("connect failed: ..." of a retry, "timeout ...") would describe this one's loss wrongly.
    m_failure.clear();
    m_subscribesOwed = 0;
    m_announced = false;
    redisAsyncContext *context = redisAsyncConnect(address.constData(), m_options.endpoint.port);
    if (!context || context->err) {
        const QString reason =
            context ? QString::fromLocal8Bit(context->errstr) : QStringLiteral("out of memory");
        if (context)
            redisAsyncFree(context);
        m_lastError = reason;
        qCDebug(lcRedis).noquote() << m_options.name << "connect failed:" << reason;
        scheduleReconnect();
        return;
    }
    m_context = context;
    context->data = this;
    // The hooks get the context, not the client: one of a context already given up (freed
    // inside a callback, or after close() and open()) must not touch the current one's
    // notifiers.
    context->ev.data = context;
    context->ev.addRead = &RedisClient::addRead;
    context->ev.delRead = &RedisClient::delRead;
    context->ev.addWrite = &RedisClient::addWrite;
    context->ev.delWrite = &RedisClient::delWrite;
    context->ev.cleanup = &RedisClient::cleanup;
    redisAsyncSetConnectCallback(context, &RedisClient::onConnect);
    redisAsyncSetDisconnectCallback(context, &RedisClient::onDisconnect);
    m_lastProgress = m_clock.elapsed();
    m_watchdog.start();
    handshake();
}

QString RedisClient::where() const
{
    // A name's address, which a resolver may change from one connection to the next.
    if (m_address.isEmpty() || m_address == m_options.endpoint.host.toUtf8())
        return m_options.endpoint.display();
    return QStringLiteral("%1 (%2)").arg(m_options.endpoint.display(),
                                         QString::fromUtf8(m_address));
}

void RedisClient::handshake()
{
    const RedisEndpoint &endpoint = m_options.endpoint;
    const Milliseconds allowance = m_options.connectTimeout - m_options.commandTimeout;
    auto mustSucceed = [this](const char *step) {
        return [this, step](const RedisReply &reply) {
            if (reply.isError() && !reply.isClientError())
                fail(QStringLiteral("%1 refused: %2")
                         .arg(QLatin1String(step), reply.errorMessage()));
        };
    };
    if (!endpoint.password.isEmpty()) {
        RedisCommand auth("AUTH");
        if (!endpoint.username.isEmpty())
            auth.arg(endpoint.username);
        auth.arg(endpoint.password);
        queue(auth, mustSucceed("AUTH"), allowance);
    }
    if (endpoint.db != 0) {
        RedisCommand select("SELECT");
        select.arg(qint64(endpoint.db));
        queue(select, mustSucceed("SELECT"), allowance);
    }
    // The name shows in CLIENT LIST, which is where an operator looks first.
    RedisCommand setName("CLIENT");
    setName.arg(QByteArrayView("SETNAME")).arg(QStringLiteral("switchboard-") + m_options.name);
    queue(
        setName, [](const RedisReply &) {}, allowance);
    RedisCommand info("INFO");
    info.arg(QByteArrayView("memory"));
    queue(
        info, [this](const RedisReply &reply) { warnIfEvicting(reply); }, allowance);
    RedisCommand ping("PING");
    queue(
        ping,
        [this](const RedisReply &reply) {
            if (reply.isClientError())
                return;
            // A server error here (-LOADING while a restarted server reads its data) left the
            // connection in Connecting with nothing pending for the watchdog: it was never
            // retried. Retry with backoff instead. Except -NOPERM: an ACL user without PING
            // (least-privilege users made for the Go services, whose client never sent one) is
            // served by this server, which has just answered after the steps before.
            if (reply.isError() && !reply.view().startsWith("NOPERM")) {
                fail(QStringLiteral("PING refused: %1").arg(reply.errorMessage()));
                return;
            }
            if (m_state != State::Connecting)
                return;
            if (m_subscriptions.empty()) {
                becomeReady();
                return;
            }
            // A subscriber is connected once the server confirmed its subscriptions: an owner
            // catching up on connected() would otherwise miss what is published before the
            // SUBSCRIBE is read, and a server that refuses one (an ACL user without the
            // channel) closes the connection, which must back off like a failed connect.
            m_state = State::Subscribing;
            for (const auto &subscription : m_subscriptions) {
                if (!sendSubscribe(subscription.first))
                    return;
            }
        },
        allowance);
}

void RedisClient::warnIfEvicting(const RedisReply &reply)
{
    // An evicting Redis drops keys when it is full, and nothing tells: sync's marks and groups,
    // polling's events, timeouts' waits (README, "When Redis or JetStream is full"). Said once
    // per server and process (every engine has connections to it), at warning level; a server
    // that does not let us read INFO (an ACL user without it) is not judged.
    if (reply.isError() || reply.type() != RedisReply::Type::String)
        return;
    QByteArray maxMemory;
    QByteArray policy;
    for (const QByteArray &line : reply.view().toByteArray().split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (trimmed.startsWith("maxmemory:"))
            maxMemory = trimmed.sliced(10);
        else if (trimmed.startsWith("maxmemory_policy:"))
            policy = trimmed.sliced(17);
    }
    if (policy.isEmpty() || policy == "noeviction" || maxMemory.isEmpty() || maxMemory == "0")
        return;
    static QMutex mutex;
    static QSet<QString> warned;
    const QString server = m_options.endpoint.display();
    {
        const QMutexLocker lock(&mutex);
        if (warned.contains(server))
            return;
        warned.insert(server);
    }
    qCWarning(lcRedis).noquote()
        << QStringLiteral("Redis %1 drops keys when it is full (maxmemory %2 bytes, "
                          "maxmemory-policy %3): what Switchboard keeps there can vanish without "
                          "a word. Set maxmemory-policy noeviction: a full Redis then refuses "
                          "writes, which Switchboard reports and retries")
               .arg(server, QString::fromLatin1(maxMemory), QString::fromLatin1(policy));
}

void RedisClient::logFailure(const QString &failure)
{
    // Once per outage and reason: the same refusal at every retry (a wrong password, a server
    // that stays down) would be a line a second per connection.
    if (failure == m_loggedFailure) {
        qCDebug(lcRedis).noquote() << m_options.name << failure;
        return;
    }
    m_loggedFailure = failure;
    qCWarning(lcRedis).noquote() << m_options.name << failure;
}

void RedisClient::becomeReady()
{
    m_state = State::Ready;
    m_attempt = 0;
    m_loggedFailure.clear();
    m_lastError.clear();
    m_announced = true;
    qCInfo(lcRedis).noquote() << m_options.name << "connected to" << where();
    Q_EMIT connected(); // last: a slot may delete this client
}

bool RedisClient::queue(const RedisCommand &command, RedisCallback callback,
                        Milliseconds extraTimeout)
{
    m_formatted.resize(0); // keeps the capacity
    command.appendResp(m_formatted);
    if (!m_context
        || redisAsyncFormattedCommand(m_context, &RedisClient::onReply, nullptr,
                                      m_formatted.constData(), size_t(m_formatted.size()))
            != REDIS_OK) {
        failLater(std::move(callback), QStringLiteral("not connected"));
        return false;
    }
    m_pending.push_back({std::move(callback), m_clock.elapsed(),
                         (m_options.commandTimeout + extraTimeout).count()});
    return true;
}

void RedisClient::send(RedisCommand &command, RedisCallback callback, Milliseconds extraTimeout)
{
    if (m_state != State::Ready) {
        failLater(std::move(callback),
                  QStringLiteral("not connected to %1: %2")
                      .arg(m_options.endpoint.display(),
                           m_lastError.isEmpty() ? QStringLiteral("connecting") : m_lastError));
        return;
    }
    queue(command, std::move(callback), extraTimeout);
}

void RedisClient::send(std::initializer_list<QByteArrayView> args, RedisCallback callback,
                       Milliseconds extraTimeout)
{
    RedisCommand command;
    command.reserve(args.size());
    for (QByteArrayView arg : args)
        command.arg(arg);
    send(command, std::move(callback), extraTimeout);
}

void RedisClient::failLater(RedisCallback callback, const QString &reason)
{
    // Never call back from inside send(): the caller may not expect re-entry.
    QMetaObject::invokeMethod(
        this,
        [callback = std::move(callback), message = reason.toUtf8()] {
            callback(RedisReply::clientError(&message));
        },
        Qt::QueuedConnection);
}

void RedisClient::fail(const QString &reason)
{
    if (!m_context)
        return;
    m_failure = reason.toUtf8();
    const bool announced = m_announced;
    redisAsyncContext *context = m_context;
    m_context = nullptr;
    m_state = State::Backoff;
    m_lastError = reason;
    logFailure(where() + QStringLiteral(": ") + reason);
    dropNotifiers();
    if (!retire(context))
        return;
    // Unless a failure callback closed this client, or closed and opened it again: its owner
    // has decided, and a reconnect of our own would leak the connection it opened.
    if (m_context || m_state != State::Backoff)
        return;
    scheduleReconnect();
    // Last: a slot may delete this client.
    if (announced)
        Q_EMIT disconnected(reason);
}

bool RedisClient::retire(redisAsyncContext *context)
{
    // Inside a hiredis callback redisAsyncFree only marks the context; hiredis frees it when
    // the callback returns, calling the pending callbacks with no reply either way. Outside,
    // it calls them now, and one of them may delete this client.
    m_retiring.push_back(context);
    const QPointer<RedisClient> alive(this);
    redisAsyncFree(context);
    return !alive.isNull();
}

void RedisClient::scheduleReconnect()
{
    if (m_state == State::Closed || m_destroying)
        return;
    m_state = State::Backoff;
    m_watchdog.stop();
    qint64 delay = m_options.backoffInitial.count();
    if (m_attempt >= m_options.fastRetries) {
        const int doublings = std::min(m_attempt - m_options.fastRetries + 1, 20);
        delay = std::min<qint64>(delay << doublings, m_options.backoffMax.count());
    }
    // ±20 % jitter: nodes that lost the same server do not come back in lockstep.
    delay = delay * (80 + QRandomGenerator::global()->bounded(41)) / 100;
    ++m_attempt;
    m_reconnectTimer.start(int(std::max<qint64>(delay, 1)));
}

void RedisClient::checkTimeouts()
{
    if (!m_context)
        return;
    const qint64 now = m_clock.elapsed();
    const auto timedOut = [this](qint64 allowance) {
        fail(m_state == State::Ready
                 ? QStringLiteral("timeout: no reply within %1 ms").arg(allowance)
                 : QStringLiteral("connect timeout after %1 ms").arg(allowance));
    };
    if (!m_pending.empty()) {
        const Pending &oldest = m_pending.front();
        if (now - std::max(oldest.sentAt, m_lastProgress) > oldest.allowance)
            timedOut(oldest.allowance);
        return;
    }
    // A subscriber's confirmations: of its subscriptions (Subscribing), or of the probe below.
    const qint64 timeout = m_options.commandTimeout.count();
    if (m_subscribesOwed > 0) {
        if (now - std::max(m_subscribeSentAt, m_lastProgress) > timeout)
            timedOut(timeout);
        return;
    }
    // An idle subscriber: nothing else would ever tell a dead link from a quiet channel.
    if (m_state == State::Ready && !m_subscriptions.empty() && now - m_lastProgress > timeout)
        sendSubscribe(m_subscriptions.begin()->first);
}

void RedisClient::dropNotifiers()
{
    // Deleting a notifier from inside its own activation (hiredis callbacks run there) is
    // unsafe: disable now, delete later.
    for (QSocketNotifier **notifier : {&m_readNotifier, &m_writeNotifier}) {
        if (*notifier) {
            (*notifier)->setEnabled(false);
            (*notifier)->deleteLater();
            *notifier = nullptr;
        }
    }
}

void RedisClient::onReply(redisAsyncContext *context, void *reply, void *)
{
    auto *self = static_cast<RedisClient *>(context->data);
    if (!self || self->m_pending.empty())
        return;
    Pending pending = std::move(self->m_pending.front());
    self->m_pending.pop_front();
    self->m_lastProgress = self->m_clock.elapsed();
    if (self->m_destroying)
        return;
    if (reply) {
        pending.callback(RedisReply(static_cast<redisReply *>(reply)));
        return;
    }
    // No reply: the connection is going away. Say why, and make sure nothing is sent on it
    // from inside the callbacks that follow.
    if (self->m_failure.isEmpty())
        self->m_failure =
            context->err ? QByteArray(context->errstr) : QByteArray("connection lost");
    if (context == self->m_context
        && (self->m_state == State::Ready || self->m_state == State::Connecting
            || self->m_state == State::Subscribing))
        self->m_state = State::Backoff;
    // A shared copy: the callback may delete this client, and with it m_failure.
    const QByteArray failure = self->m_failure;
    pending.callback(RedisReply::clientError(&failure));
}

void RedisClient::subscribe(const QByteArray &channel, MessageCallback onMessage)
{
    const bool fresh = !m_subscriptions.contains(channel);
    m_subscriptions[channel] = std::make_shared<const MessageCallback>(std::move(onMessage));
    if (fresh && (m_state == State::Ready || m_state == State::Subscribing))
        sendSubscribe(channel);
}

bool RedisClient::sendSubscribe(const QByteArray &channel)
{
    // hiredis keeps the callback per channel and calls it for the confirmation and for every
    // message; the command owes no reply of its own, so it stays out of m_pending and of the
    // watchdog.
    RedisCommand command("SUBSCRIBE");
    command.arg(QByteArrayView(channel));
    m_formatted.resize(0);
    command.appendResp(m_formatted);
    if (redisAsyncFormattedCommand(m_context, &RedisClient::onMessage, nullptr,
                                   m_formatted.constData(), size_t(m_formatted.size()))
        != REDIS_OK) {
        fail(QStringLiteral("SUBSCRIBE %1 refused by hiredis").arg(QLatin1String(channel)));
        return false;
    }
    // Subscribing again to a channel is how the watchdog asks an idle subscriber's server for
    // a sign of life: Redis only confirms it, and hiredis counts it in the channel's pending
    // subscriptions.
    ++m_subscribesOwed;
    m_subscribeSentAt = m_clock.elapsed();
    return true;
}

void RedisClient::onMessage(redisAsyncContext *context, void *reply, void *)
{
    auto *self = static_cast<RedisClient *>(context->data);
    const auto *message = static_cast<const redisReply *>(reply);
    // Null: the connection is going away; the reconnect subscribes again.
    if (!self || self->m_destroying || !message || message->type != REDIS_REPLY_ARRAY
        || message->elements != 3 || context != self->m_context)
        return;
    const redisReply *kind = message->element[0];
    const redisReply *channel = message->element[1];
    const redisReply *payload = message->element[2];
    if (kind->type != REDIS_REPLY_STRING)
        return;
    self->m_lastProgress = self->m_clock.elapsed();
    const QByteArrayView what(kind->str, qsizetype(kind->len));
    if (what == "subscribe") { // a confirmation: of a subscription, or of the watchdog's probe
        if (self->m_subscribesOwed > 0)
            --self->m_subscribesOwed;
        if (self->m_subscribesOwed == 0 && self->m_state == State::Subscribing)
            self->becomeReady();
        return;
    }
    if (what != "message" || channel->type != REDIS_REPLY_STRING
        || payload->type != REDIS_REPLY_STRING)
        return;
    const auto subscription =
        self->m_subscriptions.find(QByteArray(channel->str, qsizetype(channel->len)));
    if (subscription == self->m_subscriptions.end())
        return;
    // A copy: the callback may delete this client, or subscribe its channel again, and so
    // destroy the map's callback while it runs.
    const std::shared_ptr<const MessageCallback> callback = subscription->second;
    (*callback)(QByteArrayView(payload->str, qsizetype(payload->len)));
}

void RedisClient::onConnect(const redisAsyncContext *context, int status)
{
    auto *self = static_cast<RedisClient *>(context->data);
    if (!self || status == REDIS_OK || context != self->m_context)
        return;
    // hiredis frees the context right after this callback; it will not call onDisconnect.
    const QString reason = QString::fromLocal8Bit(context->errstr);
    self->m_failure = "connect failed: " + QByteArray(context->errstr);
    self->m_context = nullptr;
    self->m_lastError = reason;
    self->m_state = State::Backoff;
    self->dropNotifiers();
    self->logFailure(self->where() + QStringLiteral(": cannot connect: ") + reason);
    QMetaObject::invokeMethod(
        self,
        [self] {
            // Unless close(), or close() and open(), came in between.
            if (!self->m_context && self->m_state == State::Backoff)
                self->scheduleReconnect();
        },
        Qt::QueuedConnection);
}

void RedisClient::onDisconnect(const redisAsyncContext *context, int status)
{
    auto *self = static_cast<RedisClient *>(context->data);
    if (!self || self->m_destroying || context != self->m_context)
        return; // we freed it ourselves (fail/close) and already handled it
    const QString reason = status == REDIS_OK ? QStringLiteral("connection closed")
                                              : QString::fromLocal8Bit(context->errstr);
    self->m_context = nullptr;
    self->m_failure.clear();
    self->m_lastError = reason;
    self->dropNotifiers();
    self->logFailure(self->where() + QStringLiteral(": connection lost: ") + reason);
    self->m_state = State::Backoff;
    QMetaObject::invokeMethod(
        self,
        [self, reason, announced = self->m_announced] {
            // Unless close(), or close() and open(), came in between: a closed client says
            // nothing more, and a new connection is not this one.
            if (self->m_context || self->m_state != State::Backoff)
                return;
            self->scheduleReconnect();
            if (announced) // one that never said connected() was never disconnected either
                Q_EMIT self->disconnected(reason); // last: a slot may delete this client
        },
        Qt::QueuedConnection);
}

namespace {

// The client of a context, null when it has been given up (destroyed client, old connection).
RedisClient *clientOf(void *hookData, redisAsyncContext **contextOut)
{
    auto *context = static_cast<redisAsyncContext *>(hookData);
    *contextOut = context;
    return static_cast<RedisClient *>(context->data);
}

} // namespace

void RedisClient::addRead(void *data)
{
    redisAsyncContext *context = nullptr;
    auto *self = clientOf(data, &context);
    if (!self || context != self->m_context)
        return;
    if (!self->m_readNotifier) {
        self->m_readNotifier =
            new QSocketNotifier(self->m_context->c.fd, QSocketNotifier::Read, self);
        connect(self->m_readNotifier, &QSocketNotifier::activated, self, [self] {
            if (self->m_context)
                redisAsyncHandleRead(self->m_context);
        });
    }
    self->m_readNotifier->setEnabled(true);
}

void RedisClient::delRead(void *data)
{
    redisAsyncContext *context = nullptr;
    auto *self = clientOf(data, &context);
    if (self && context == self->m_context && self->m_readNotifier)
        self->m_readNotifier->setEnabled(false);
}

void RedisClient::addWrite(void *data)
{
    redisAsyncContext *context = nullptr;
    auto *self = clientOf(data, &context);
    if (!self || context != self->m_context)
        return;
    if (!self->m_writeNotifier) {
        self->m_writeNotifier =
            new QSocketNotifier(self->m_context->c.fd, QSocketNotifier::Write, self);
        connect(self->m_writeNotifier, &QSocketNotifier::activated, self, [self] {
            if (self->m_context)
                redisAsyncHandleWrite(self->m_context);
        });
    }
    self->m_writeNotifier->setEnabled(true);
}

void RedisClient::delWrite(void *data)
{
    redisAsyncContext *context = nullptr;
    auto *self = clientOf(data, &context);
    if (self && context == self->m_context && self->m_writeNotifier)
        self->m_writeNotifier->setEnabled(false);
}

void RedisClient::cleanup(void *data)
{
    redisAsyncContext *context = nullptr;
    auto *self = clientOf(data, &context);
    if (!self)
        return;
    std::erase(self->m_retiring, context);
    if (context == self->m_context)
        self->dropNotifiers();
}

} // namespace Switchboard
