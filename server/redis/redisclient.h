#pragma once

#include "core/config.h"
#include "hostlookup.h"
#include "redisreply.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QObject>
#include <QTimer>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

struct redisAsyncContext;
class QSocketNotifier;

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcRedis)

// The arguments of one command as views: nothing is copied until hiredis formats the command
// into its output buffer, inside RedisClient::send(). Numbers and other temporaries are kept
// by the command itself.
class RedisCommand
{
public:
    RedisCommand() = default;
    explicit RedisCommand(QByteArrayView name) { arg(name); }

    RedisCommand &arg(QByteArrayView value)
    {
        m_argv.push_back(value.data());
        m_lengths.push_back(size_t(value.size()));
        return *this;
    }
    RedisCommand &arg(qint64 number)
    {
        m_owned.push_back(QByteArray::number(number));
        return arg(QByteArrayView(m_owned.back()));
    }
    RedisCommand &arg(const QString &text)
    {
        m_owned.push_back(text.toUtf8());
        return arg(QByteArrayView(m_owned.back()));
    }
    RedisCommand &operator<<(QByteArrayView value) { return arg(value); }

    int size() const { return int(m_argv.size()); }
    // The command in the Redis protocol, in one buffer sized up front. hiredis' own formatter
    // (sdscatfmt per argument) was a third of the sync engine's time for 40-field batches.
    QByteArray toResp() const
    {
        QByteArray out;
        appendResp(out);
        return out;
    }
    void appendResp(QByteArray &out) const;
    void reserve(size_t n)
    {
        m_argv.reserve(n);
        m_lengths.reserve(n);
    }

private:
    std::vector<const char *> m_argv;
    std::vector<size_t> m_lengths;
    std::deque<QByteArray> m_owned; // deque: growing it never moves the bytes views point to
};

using RedisCallback = std::function<void(const RedisReply &)>;

// One Redis connection driven by the Qt event loop of the thread it lives in: hiredis' async
// API with our own socket-notifier adapter (hiredis' adapters/qt.h does not work with AUTOMOC
// and deletes notifiers inside hiredis callbacks). Commands are pipelined: send() returns at
// once and the callbacks run in order as the replies arrive. The connection re-opens by itself
// with capped, jittered backoff; commands sent while it is down fail at once (asynchronously),
// so the caller decides what to retry. Blocking commands (XREADGROUP BLOCK) need a client of
// their own.
class RedisClient : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        RedisEndpoint endpoint;
        QString name = QStringLiteral("redis"); // for logs and CLIENT SETNAME
        Milliseconds commandTimeout {
            5000}; // a connection owing replies that gets none for this long is closed
        Milliseconds connectTimeout {5000};
        Milliseconds backoffInitial {100};
        // A Redis restarted after a few seconds is found again within a second: a refused or
        // timed-out connect is cheap, the API's 503s and a leaderless second are not.
        Milliseconds backoffMax {1000};
        int fastRetries = 3; // attempts at backoffInitial before the delay grows

        static Options of(const RedisEndpoint &endpoint, const QString &name)
        {
            Options options;
            options.endpoint = endpoint;
            options.name = name;
            return options;
        }
    };

    explicit RedisClient(const Options &options, QObject *parent = nullptr);
    ~RedisClient() override;

    void open(); // connects now and whenever the connection drops, until close()
    void close(); // fails what is pending with "closed" and stays closed

    bool isConnected() const { return m_state == State::Ready; }
    QString lastError() const { return m_lastError; }
    // Why it is not connected, for an operator or a 503: the last error, or "not connected yet"
    // before the first attempt has failed.
    QString unavailableReason() const
    {
        return m_lastError.isEmpty() ? QStringLiteral("not connected yet") : m_lastError;
    }
    int pendingCount() const { return int(m_pending.size()); }
    const Options &options() const { return m_options; }

    // `extraTimeout` is added to the command timeout, e.g. the BLOCK time of XREADGROUP.
    void send(RedisCommand &command, RedisCallback callback, Milliseconds extraTimeout = {});
    void send(std::initializer_list<QByteArrayView> args, RedisCallback callback,
              Milliseconds extraTimeout = {});

    // Turns this connection into a subscriber of `channel` (Redis then allows it nothing but
    // more subscriptions), now if connected and again after every reconnect. `onMessage` gets
    // each message's payload, in this thread. Messages published while the connection was
    // down are lost: Redis keeps none, so listen to connected() and catch up there. A subscriber
    // owes no replies, so after a command timeout without traffic it subscribes once more to
    // one of its channels (a no-op for Redis) and, like any command, closes the connection when
    // that is not confirmed within the command timeout: a silently dead link is noticed.
    using MessageCallback = std::function<void(QByteArrayView payload)>;
    void subscribe(const QByteArray &channel, MessageCallback onMessage);

Q_SIGNALS:
    // Handshake (AUTH, SELECT, SETNAME) done and, for a subscriber, every subscription
    // confirmed by the server: what is published from now on reaches onMessage.
    void connected();
    // Only after connected(); every pending callback has already failed.
    void disconnected(const QString &reason);

private:
    // Resolving: waiting for the host's addresses. Subscribing: the handshake is done and the
    // SUBSCRIBEs are sent, not yet confirmed.
    enum class State { Closed, Resolving, Connecting, Subscribing, Ready, Backoff };

    struct Pending
    {
        RedisCallback callback;
        qint64 sentAt;
        qint64 allowance;
    };

    static void onReply(redisAsyncContext *context, void *reply, void *privdata);
    static void onMessage(redisAsyncContext *context, void *reply, void *privdata);
    bool sendSubscribe(const QByteArray &channel); // false: it failed the connection
    static void onConnect(const redisAsyncContext *context, int status);
    static void onDisconnect(const redisAsyncContext *context, int status);
    static void addRead(void *data);
    static void delRead(void *data);
    static void addWrite(void *data);
    static void delWrite(void *data);
    static void cleanup(void *data);

    void connectNow();
    void resolve();
    void onResolved(const QList<QByteArray> &addresses, const QString &error);
    void connectTo(const QByteArray &address);
    QString where() const; // the endpoint, and the address its name had, for the logs
    void logFailure(const QString &failure); // a warning, unless it repeats the last one
    void warnIfEvicting(const RedisReply &reply); // INFO memory's
    void handshake();
    void becomeReady();
    void fail(const QString &reason); // tear the connection down and schedule a retry
    // Frees a context of ours; false when one of the callbacks it ran deleted this client.
    bool retire(redisAsyncContext *context);
    void scheduleReconnect();
    void failLater(RedisCallback callback, const QString &reason);
    void checkTimeouts();
    void dropNotifiers();
    bool queue(const RedisCommand &command, RedisCallback callback, Milliseconds extraTimeout);

    Options m_options;
    State m_state = State::Closed;
    redisAsyncContext *m_context = nullptr;
    // Contexts given up and still being freed: one freed from inside one of its hiredis
    // callbacks is freed, and runs its pending callbacks, when that callback returns; those
    // callbacks may give up the next connection (close() and open() again) before it is gone.
    // Each leaves this list in its cleanup hook; the destructor detaches all of them.
    std::vector<redisAsyncContext *> m_retiring;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QByteArray m_formatted; // reused for every command: no allocation per command
    std::deque<Pending> m_pending; // replies come back in the order commands were sent
    QByteArray m_failure; // what pending callbacks are told when the connection dies
    QString m_lastError;
    QString m_loggedFailure; // since the last connection, so that a retry's repeat is not logged
    QElapsedTimer m_clock;
    qint64 m_lastProgress = 0;
    QTimer m_watchdog;
    QTimer m_reconnectTimer;
    // A name's lookup, kept across attempts while its resolver has not answered, and an answer
    // that came after the attempt's time was up, for the next attempt. Every other attempt asks
    // the resolver again.
    std::unique_ptr<HostLookup> m_lookup;
    QTimer m_lookupTimer;
    QByteArray m_lateAddress;
    QByteArray m_address; // what this connection is to, for the logs
    int m_attempt = 0;
    bool m_announced = false; // connected() was emitted for this connection
    bool m_destroying = false;
    // Shared: a callback that deletes this client, or replaces itself, keeps running on a copy.
    std::map<QByteArray, std::shared_ptr<const MessageCallback>> m_subscriptions;
    int m_subscribesOwed = 0; // SUBSCRIBE confirmations not received yet on this connection
    qint64 m_subscribeSentAt = 0;
};

} // namespace Switchboard
