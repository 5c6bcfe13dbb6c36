#pragma once

#include "core/config.h"
#include "redis/redisscript.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>
#include <deque>
#include <map>

namespace Switchboard {

class HttpClient;
class RedisClient;
class RedisReply;
struct HttpClientResponse;

// Phase 2: this node's consumer in group `timeout_notifiers` of `timeout_events`. Every entry
// is POSTed to NOTIFICATION_WEBHOOK_URL with `Idempotency-Key: <conversation>:<level>:<waiting
// since>`, retried with doubling backoff until a 2xx, and acknowledged (XACK) only then.
//
// Entries of a consumer silent for `claim_idle` (a node that died) are taken over (XAUTOCLAIM);
// this node keeps its own entries' idle time fresh (XCLAIM ... JUSTID) while it retries them, so
// a slow webhook does not make a live node look dead; one it finds taken over (it was paused past
// `claim_idle`) is left to its new holder, not retried once more. A restarted node with the same
// POD_ID reads its own pending entries first. A notification the webhook keeps refusing with a 4xx
// (it will not change its mind) is set aside after `webhook_refusal_attempts`, so that a few such
// entries cannot hold every reading slot and stop the notifications behind them.
//
// Lives in the engine's thread; `control` is the engine's connection (XACK, claims), the
// blocking reads get a connection of their own.
class TimeoutNotifier : public QObject
{
    Q_OBJECT
public:
    TimeoutNotifier(const TimeoutsConfig &config, RedisClient *control, QObject *parent = nullptr);
    ~TimeoutNotifier() override;

    void start();
    // Stops reading and posting; entries not acknowledged stay pending for a successor.
    void stop();
    // Reads the group's pending count (all nodes) for the snapshot.
    void refreshPending();

    quint64 delivered() const { return m_delivered; }
    quint64 failedAttempts() const { return m_failedAttempts; }
    quint64 refused() const { return m_refused; }
    qint64 retrying() const { return m_retrying; }
    qint64 pending() const { return m_pending; }
    QString lastError() const { return m_lastError; }
    QString displayUrl() const;

private:
    struct Entry
    {
        QByteArray body;
        QByteArray idempotencyKey;
        int attempt = 0;
        int refusals = 0; // answers in a row that were a 4xx other than 408 and 429
        qint64 firstRefusalMs = 0; // m_clock time of the first of them
        bool waitingRetry = false;
        qint64 ownedAtMs = 0; // m_clock time this pod last knew the entry was its own
        bool queued = false; // in m_postQueue: its POST is to come
    };

    void createGroup();
    void createGroupFrom(const QByteArray &from);
    // Keeps timeout:reader:<POD_ID> this process's, or finds another live process reading under
    // that name; our own pending entries are read only once that is known (m_nameChecked).
    void holdName();
    void read();
    void readDone(const RedisReply &reply);
    void retryReadLater(const QString &why);
    // Takes one stream entry ([id, [field, value, ...]]) into this node's care and posts it.
    void take(const RedisReply &entry);
    // Queues a POST of the entry; at most maxPosts are in flight (send()).
    void post(const QByteArray &id);
    void pump();
    void send(const QByteArray &id);
    void retryLater(const QByteArray &id, qint64 delayMs);
    void ack(const QByteArray &id);
    // Lets go of the entries `lost` names (the keep script's answer): no longer this node's.
    void forget(const RedisReply &lost);
    void setAside(const QByteArray &id, const HttpClientResponse &response);
    void claim();
    void forgetDeadConsumers();
    int room() const;

    TimeoutsConfig m_config;
    QUrl m_url;
    QByteArray m_consumer;
    RedisClient *m_control;
    RedisClient *m_reader;
    HttpClient *m_http;
    QTimer m_claimTimer {this};
    std::map<QByteArray, Entry> m_entries; // in flight or waiting for a retry, by stream id
    std::deque<QByteArray> m_postQueue; // entries to POST once one of maxPosts is free
    int m_posting = 0; // POSTs in flight, and ownership checks before one
    QByteArray m_readFrom = "0"; // "0": our own pending entries first, then ">"
    QByteArray m_claimCursor = "0-0";
    bool m_reading = false;
    QByteArray m_token; // this process's, in timeout:reader:<POD_ID>
    bool m_holdingName = false; // the hold script's call on its way
    bool m_nameChecked = false; // our name is ours, or known to be shared
    bool m_nameShared = false; // another live process reads under it: its pending are not ours
    qint64 m_nameTakenSinceMs = -1; // m_clock time our name was first found another's
    bool m_waitingForControl = false; // for m_control to connect before creating the group
    QString m_lastReadError; // of the last failed read or group creation; empty after a read
    bool m_hadGroup = false; // the group existed, or was made, once: making it again is news
    bool m_running = false;
    int m_claimRounds = 0;
    quint64 m_delivered = 0;
    quint64 m_failedAttempts = 0;
    quint64 m_refused = 0;
    QElapsedTimer m_clock; // started with the notifier
    qint64 m_lastDeliveredMs = -1; // m_clock time of the latest 2xx
    RedisScript m_setAside;
    RedisScript m_keep; // refreshes the entries this node holds, names those it does not
    RedisScript m_hold; // timeout:reader:<POD_ID>
    qint64 m_retrying = 0;
    qint64 m_pending = 0;
    QString m_lastError;
};

} // namespace Switchboard
