#pragma once

// Switchboard's configuration as plain, validated values. ConfigLoader (configloader.h) fills
// these from the YAML file, then the seeds' environment variables, then the command line.
// Engines receive their own section by value and never read the environment themselves.

#include <QByteArray>
#include <QHostAddress>
#include <QString>
#include <QStringList>
#include <chrono>

namespace Switchboard {

using Milliseconds = std::chrono::milliseconds;

enum class LogLevel { Debug, Info, Warn, Error };

// One Redis server: either from `host:port` + db + password (the seeds' variables) or a
// `redis://[user:password@]host:port[/db][?options]` URL, as go-redis' redis.ParseURL reads it.
struct RedisEndpoint
{
    QString host = QStringLiteral("localhost");
    quint16 port = 6379;
    int db = 0;
    QString username; // ACL user; empty means the default user
    QString password;
    // True when the file or the environment named this server; false means "use the local
    // stack", which then fills host/port in.
    bool configured = false;
    // The go-redis options of the URL just read that tune go-redis' own pool, timeouts and
    // retries (`?dial_timeout=5s&pool_size=50`): accepted and not used. The loader names them in
    // a warning and empties the list, so an engine always sees it empty.
    QStringList ignoredUrlOptions;

    // The default server with another db. (A designated initializer, {.db = 2}, would trip
    // -Wmissing-field-initializers.)
    static RedisEndpoint withDb(int db)
    {
        RedisEndpoint endpoint;
        endpoint.db = db;
        return endpoint;
    }

    // "host:port/db" ("[::1]:port/db" for an IPv6 address), never the password: safe for logs
    // and snapshots.
    QString display() const
    {
        const QString shown = host.contains(QLatin1Char(':')) ? u'[' + host + u']' : host;
        return shown + QLatin1Char(':') + QString::number(port) + QLatin1Char('/')
            + QString::number(db);
    }
};

struct ServerConfig
{
    QHostAddress bindAddress = QHostAddress::Any; // server.bind
    quint16 port = 8080; // PORT / server.port
    quint16 healthPort = 0; // HEALTH_PORT; 0 or == port: main port only
    qint64 bodyLimitBytes = 1024 * 1024; // server.body_limit
    Milliseconds idleTimeout = std::chrono::minutes(5); // server.idle_timeout
    QByteArray apiToken; // api.token: Bearer token for remote /api/v1/*
};

enum class StartFrom { Earliest, Latest };

// Seed 000 (Telephony Event Sync). Field comments name the environment variable.
struct SyncConfig
{
    bool enabled = true;

    // REDIS_LOCAL_ADDR, REDIS_LOCAL_DB, REDIS_LOCAL_PASSWORD. The seed's REDIS_LOCAL_DB and
    // REDIS_REMOTE_DB default to 2, not Redis' 0.
    RedisEndpoint local = RedisEndpoint::withDb(2);
    int localPoolSize = 100; // REDIS_LOCAL_POOL_SIZE
    int localMinIdleConns = 10; // REDIS_LOCAL_MIN_IDLE_CONNS
    int localMaxRetries = 3; // REDIS_LOCAL_MAX_RETRIES
    // REDIS_REMOTE_ADDR, REDIS_REMOTE_DB, REDIS_REMOTE_PASSWORD
    RedisEndpoint remote = RedisEndpoint::withDb(2);
    int remotePoolSize = 100; // REDIS_REMOTE_POOL_SIZE
    int remoteMinIdleConns = 10; // REDIS_REMOTE_MIN_IDLE_CONNS
    int remoteMaxRetries = 3; // REDIS_REMOTE_MAX_RETRIES

    QString group = QStringLiteral("sync_group"); // REDIS_GROUP
    QString consumer = QStringLiteral("sync_worker"); // REDIS_CONSUMER (base name)
    QString streamEvents = QStringLiteral("freeswitch:telephony:events"); // STREAM_EVENTS
    QString streamJobs = QStringLiteral("freeswitch:telephony:background-jobs"); // STREAM_JOBS
    QStringList extraStreams; // sync.extra_streams (file only)
    StartFrom startFrom = StartFrom::Earliest; // sync.start_from

    int readerWorkers = 10; // READER_WORKERS
    int readerBatchSize = 1000; // READER_BATCH_SIZE
    Milliseconds readerMaxLatency {300}; // READER_MAX_LATENCY
    Milliseconds readerBlockTime {10}; // READER_BLOCK_TIME
    int bufferSize = 100000; // BUFFER_SIZE: entries read and not yet acked
    qint64 bufferBytes = 64 * 1024 * 1024; // sync.buffer_bytes: the same bound in bytes
    int writerWorkers = 10; // WRITER_WORKERS
    Milliseconds writerPipelineTimeout {25}; // WRITER_PIPELINE_TIMEOUT
    int writerBatchSize = 10; // WRITER_BATCH_SIZE
    Milliseconds writerMaxLatency {300}; // WRITER_MAX_LATENCY
    Milliseconds totalMaxLatency {1000}; // TOTAL_MAX_LATENCY
    Milliseconds claimIdle {30000}; // sync.claim_idle: reclaim a dead consumer's entries
    // Batches of at least this many entries go to the remote as a guarded transaction, smaller
    // ones through the write script (syncengine.cpp says why). Not in the file: a tuning knob
    // for tests and benchmarks.
    int transactionMinEntries = 100;

    Milliseconds healthCheckInterval {5000}; // HEALTH_CHECK_INTERVAL
    Milliseconds healthRecoveryTimeout {30000}; // HEALTH_RECOVERY_TIMEOUT
    int healthMaxRetries = 5; // HEALTH_MAX_RETRIES

    // STREAM_EVENTS, STREAM_JOBS, then the extra streams, without duplicates.
    QStringList streams() const
    {
        QStringList all {streamEvents};
        for (const QString &s : QStringList {streamJobs} + extraStreams) {
            if (!all.contains(s))
                all.append(s);
        }
        return all;
    }
};

// Seed 002 (Event Hub) config.yaml, `nats:` section. Field comments name the key.
struct NatsConfig
{
    // nats.url / NATS_URL: one URL or a comma-separated list (cnats takes both); credentials
    // may sit in the URL (nats://user:password@host:4222).
    QString url = QStringLiteral("nats://localhost:4222");
    // True when the file or the environment named a server; false: use the local stack.
    bool configured = false;
    QString streamName = QStringLiteral("call-signals"); // nats.stream_name
    QString subjectPattern = QStringLiteral("call.signal.*"); // nats.subject_pattern
    Milliseconds ackWait {10000}; // nats.ack_wait_seconds (whole seconds, as in the seed)
    int maxDeliveries = 3; // nats.max_deliveries
    QString consumerName = QStringLiteral("switchboard-ingress"); // nats.consumer_name (durable)
    // nats.max_age: how long a stream this node creates keeps events (Go duration); 0 is
    // JetStream's "no limit".
    Milliseconds maxAge {7LL * 24 * 3600 * 1000};
};

// One entry of the seed's `routes:` list.
struct IngressRoute
{
    QString domain; // routes[].domain, as written; matched case-insensitively
    QStringList endpoints; // routes[].endpoints: absolute http:// or https:// URLs
    Milliseconds timeout {0}; // routes[].timeout; 0: ingress.forward_timeout
};

// The ingress engine (Event Hub). `routes` is the seed's top-level list; the rest is ours.
struct IngressConfig
{
    bool enabled = true; // ingress.enabled
    QList<IngressRoute> routes; // routes
    Milliseconds forwardTimeout {3000}; // ingress.forward_timeout (the seed's fixed 3 s)
    int maxConnectionsPerHost = 32; // ingress.max_connections_per_host
    int maxInFlight = 1024; // ingress.max_in_flight: the consumer's MaxAckPending
    Milliseconds retryDelay {1000}; // ingress.retry_delay: NAK delay after the 1st attempt
    Milliseconds retryMaxDelay {30000}; // ingress.retry_max_delay: the doubling stops here
    // ingress.circuit_breaker_failures: an endpoint whose last this many calls all failed gets
    // one call at a time (at most one per retry_delay) until one succeeds; 0 turns it off.
    int circuitBreakerFailures = 10;
    Milliseconds publishTimeout {1500}; // ingress.publish_timeout: 503 without a JetStream ack
    // ingress.dead_letter_stream; empty: "<nats.stream_name>-dead-letters"
    QString deadLetterStream;
    // ingress.delivered_bucket (KV); empty: "<nats.stream_name>-delivered"
    QString deliveredBucket;
    int deadLetterMaxMessages = 1000000; // ingress.dead_letter_max_messages

    QString deadLetterStreamName(const NatsConfig &nats) const
    {
        return deadLetterStream.isEmpty() ? nats.streamName + QStringLiteral("-dead-letters")
                                          : deadLetterStream;
    }
    QString deliveredBucketName(const NatsConfig &nats) const
    {
        return deliveredBucket.isEmpty() ? nats.streamName + QStringLiteral("-delivered")
                                         : deliveredBucket;
    }
};

// Seed 001 (Telemetry Service): events kept in Redis, read by short and long polls behind JWT.
struct PollingConfig
{
    bool enabled = true; // polling.enabled
    bool enabledByName = false; // polling.enabled: true, so a missing JWT_SECRET stops the start
    // REDIS_URL / polling.redis_url: the default Redis of polling (and of timeouts). Not
    // configured: the local stack's.
    RedisEndpoint redis;
    QByteArray jwtSecret; // JWT_SECRET / polling.jwt_secret: HS256 key of the Spring tokens
    Milliseconds longPollTimeout {25000}; // LONG_POLL_TIMEOUT_MS / polling.long_poll_timeout_ms
    // WORKER_POOL_SIZE / polling.worker_pool_size: the seed's goroutine pool. Here: how many
    // Redis reads this node has in flight at once for polls (the rest queue, in order).
    int workerPoolSize = 100;
    qint64 eventTtlSeconds = 86400; // EVENT_TTL_SECONDS / polling.event_ttl_seconds
    // INTERNAL_API_TOKEN / polling.internal_api_token: set, the publish routes need it as a
    // Bearer token; empty, they answer loopback clients only.
    QByteArray internalApiToken;
    int maxEventsPerResponse = 500; // polling.max_events_per_response
    QString keyPrefix = QStringLiteral("polling"); // polling.key_prefix: Redis key names
    // CORS_ALLOWED_ORIGINS / polling.cors_allowed_origins: the origins ("https://shop.example",
    // without a path) whose pages may read the poll answers, or "*" for any (the Telemetry
    // Service's default); empty: none.
    QStringList corsAllowedOrigins {QStringLiteral("*")};
};

// Seed 004 (Redis Timeout Tracking): conversations waiting for a customer reply, level 1/2/3
// notifications raised by an elected leader, fanned out through the `timeout_events` stream.
struct TimeoutsConfig
{
    bool enabled = true; // timeouts.enabled
    // REDIS_URL / timeouts.redis_url: the same variable as polling's. Not configured: the local
    // stack's.
    RedisEndpoint redis;
    Milliseconds timeoutInterval {30000}; // TIMEOUT_INTERVAL_MS: level n is due at n x this
    Milliseconds leaderTtl {10000}; // LEADER_ELECTION_TTL (seconds, or a Go duration)
    Milliseconds checkInterval {1000}; // CHECK_INTERVAL_MS: how often the leader scans
    QString podId; // POD_ID; empty: hostname-pid, filled in by the loader
    QString notificationWebhookUrl; // NOTIFICATION_WEBHOOK_URL; empty: no notifier runs
    Milliseconds webhookTimeout {5000}; // timeouts.webhook_timeout: one POST's deadline
    Milliseconds retryDelay {1000}; // timeouts.retry_delay: first webhook retry, then doubling
    Milliseconds retryMaxDelay {60000}; // timeouts.retry_max_delay
    // timeouts.webhook_refusal_attempts: a notification the webhook refused this many times in a
    // row with a 4xx (not 408 or 429) is set aside in timeout:refused_notifications
    int webhookRefusalAttempts = 5;
    Milliseconds claimIdle {30000}; // timeouts.claim_idle: take over a silent consumer's entries
    int scanBatch = 1000; // timeouts.scan_batch: notifications per scan script call
    qint64 streamMaxLength = 1000000; // timeouts.stream_max_length: timeout_events, about
};

// --simulate: synthetic FreeSWITCH traffic written into the local streams, call signals posted
// to /events.
struct SimulateConfig
{
    bool enabled = false; // --simulate / simulate.enabled
    double eventsPerSecond = 50; // --simulate-rate / simulate.rate
    double failureShare = 0.2; // simulate.failure_share: share of demo sink requests failed
    // On the local stack's own servers only, the simulated FreeSWITCH streams are kept at about
    // this many entries each, local and remote, as a PBX's producer and the remote's consumers
    // would keep them. Not in the file: a knob for tests.
    qint64 streamMaxLength = 50000;
};

// Child servers started when an engine has none configured.
struct LocalStackConfig
{
    QString dataDir; // local_stack.data_dir; empty: user data dir
    QString redisServer = QStringLiteral("redis-server"); // local_stack.redis_server
    QString natsServer = QStringLiteral("nats-server"); // local_stack.nats_server
};

struct Config
{
    QString configFile; // the file that was read, empty when none
    LogLevel logLevel = LogLevel::Info;
    bool headless = false;
    // engines: / --engines: the engines to run; empty means every engine not switched off by
    // its own `enabled: false`.
    QStringList engines;
    ServerConfig server;
    SyncConfig sync;
    NatsConfig nats;
    IngressConfig ingress;
    PollingConfig polling;
    TimeoutsConfig timeouts;
    SimulateConfig simulate;
    LocalStackConfig localStack;
};

} // namespace Switchboard
