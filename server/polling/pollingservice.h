#pragma once

// The polling engine (seed 001, the Telemetry Service): short and long polls behind JWT roles,
// and the internal publish routes of the Spring service.
//
// It lives in the HTTP thread, with the routes: a poll is verified, read from Redis and
// answered by that thread's event loop, with no thread hop. A held long poll costs a small
// struct and its parked responder, no thread and no Redis connection: one subscription to the
// wake channel per node fans each publish out to the polls held on the streams it touched,
// which read again from where they were (PollingStore says how events are kept).

#include "core/config.h"
#include "http/httpresponder.h"
#include "jwtverifier.h"
#include "pollingsnapshot.h"
#include "pollingstore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QPair>
#include <QSet>
#include <QTimer>
#include <deque>
#include <memory>
#include <set>
#include <unordered_map>

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcPolling)

class HttpServer;
class RedisClient;
class SnapshotBoard;
struct HttpRequest;

class PollingService : public QObject
{
    Q_OBJECT

public:
    // Make it in the HTTP thread: its Redis connections are served by that thread's loop.
    PollingService(const PollingConfig &config, SnapshotBoard *board, QObject *parent = nullptr);
    // Answers every poll still waiting (the empty shape: the client polls again, elsewhere).
    ~PollingService() override;

    void registerRoutes(HttpServer &server);
    void start(); // connects to Redis; polls before that get 503
    // --simulate: publishes order status changes of a few demo users, `perSecond` a second,
    // as the Spring service would, so that the console's panel moves.
    void simulate(double perSecond);

    qsizetype heldPolls() const { return m_heldCount; }

private:
    enum class Feed { Type, User, Admin };
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    struct Poll
    {
        quint64 id = 0;
        Feed feed = Feed::Type;
        QByteArray route; // "events", "user", "admin": the metrics label
        HttpResponder responder;
        Headers cors; // what the answer tells the client's browser (corsHeaders())
        QByteArray stream;
        QByteArray lastId; // what the client has; moves past entries it may not see
        QString userId;
        bool admin = false;
        bool longPoll = false;
        bool historyLost = false;
        bool held = false;
        qint64 deadlineMs = 0; // on m_clock
        quint64 wakesAtRead = 0; // the stream's wake count when the read was sent
        qint64 wokenAtUs = 0; // publish time of the wake behind the current read; 0: none
    };

    // The polls reading or held on one stream, and the publishes seen on it.
    struct StreamState
    {
        int polls = 0;
        quint64 wakes = 0;
        QSet<quint64> held;
    };

    void poll(Feed feed, const HttpRequest &request, HttpResponder &&responder);
    // OPTIONS on a poll route: a browser's CORS preflight.
    void preflight(const HttpRequest &request, HttpResponder &&responder);
    // For a request of a page on an allowed origin (CORS_ALLOWED_ORIGINS): the headers that let
    // its browser hand the answer to the page. Nothing for other requests.
    Headers corsHeaders(const HttpRequest &request) const;
    void publish(int route, const HttpRequest &request, HttpResponder &&responder);

    void read(Poll &poll);
    void readNow(Poll &poll);
    void onPage(quint64 pollId, PollingStore::Page &&page);
    void hold(Poll &poll);
    void unhold(Poll &poll);
    void answer(Poll &poll, const QList<const PollingStore::Entry *> &events);
    void forget(quint64 pollId);
    void onWake(QByteArrayView payload);
    void onSubscribed();
    void tick();
    void publishSnapshot();
    // A publish's outcome from Redis: `error` empty when it was stored.
    void notePublish(const QString &error);

    // The token's verdict: a browser polls with the same token again and again, so accepted
    // tokens are kept (until their exp) and verified once, not on every poll.
    JwtVerifier::Result authenticate(const HttpRequest &request);
    bool visible(const Poll &poll, const PollingStore::Entry &entry) const;
    void countPoll(const QByteArray &route, int status) { ++m_snapshot.polls[route][status]; }

    PollingConfig m_config;
    SnapshotBoard *m_board;
    JwtVerifier m_jwt;
    QHash<QByteArray, JwtVerifier::Result> m_acceptedTokens; // by Authorization header
    static constexpr qsizetype maxAcceptedTokens = 20000;
    RedisClient *m_redis;
    RedisClient *m_subscriber;
    PollingStore m_store;

    std::unordered_map<quint64, std::unique_ptr<Poll>> m_polls;
    QHash<QByteArray, StreamState> m_streams;
    std::set<std::pair<qint64, quint64>> m_deadlines; // held and reading long polls
    std::deque<quint64> m_readQueue; // beyond WORKER_POOL_SIZE reads in flight
    int m_readsInFlight = 0;
    qsizetype m_heldCount = 0;
    quint64 m_nextPollId = 1;
    bool m_catchUpWaits = false; // resubscribed before the command connection was back

    QElapsedTimer m_clock;
    QTimer m_ticker; // deadlines, clients gone, the snapshot
    QTimer m_simulator;
    quint64 m_simulated = 0;
    int m_ticks = 0;
    std::deque<quint64> m_publishedHistory; // m_publishedTotal at the last snapshots
    quint64 m_publishedTotal = 0;
    // Publishes Redis refused in a row (OOM at its maxmemory, READONLY on a replica): /health
    // and the log say so, as they do for ingress' JetStream.
    struct PublishRefusals
    {
        quint64 inARow = 0;
        qint64 firstAtMs = 0; // the first of them, since the epoch
        qint64 lastAtMs = 0;
        QString lastError;
    };
    PublishRefusals m_refusals;
    bool m_refusalsLogged = false;
    PollingSnapshot m_snapshot; // counters kept here, copied to the board
    RecentHistogram m_recentWakeLatency;
};

} // namespace Switchboard
