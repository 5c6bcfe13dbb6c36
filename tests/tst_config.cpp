// The config loader as an operator migrating from the seeds meets it: their environment
// variables and defaults, the Event Hub's config.yaml and Go-style flags, and one-line errors
// that say which key, which value and what was expected.

#include "core/commandline.h"
#include "core/configloader.h"
#include "core/duration.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHostInfo>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <functional>
#include <limits>
#include <memory>

using namespace Switchboard;
using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

namespace {

QString describe(const RedisEndpoint &endpoint)
{
    QString text = endpoint.display();
    if (!endpoint.username.isEmpty())
        text += u" user="_s + endpoint.username;
    if (!endpoint.password.isEmpty())
        text += u" password="_s + endpoint.password;
    if (endpoint.configured)
        text += u" configured"_s;
    return text;
}

QString ms(Milliseconds duration)
{
    return QString::number(duration.count());
}

// The field a seed variable lands in, read back as text, by the name the data rows use.
QString fieldValue(const Config &c, const QString &field)
{
    static const QHash<QString, std::function<QString(const Config &)>> fields = {
        {u"server.port"_s,
         [](const Config &c) {
             return QString::number(c.server.port);
         }},
        {u"server.healthPort"_s,
         [](const Config &c) {
             return QString::number(c.server.healthPort);
         }},
        {u"sync.local"_s,
         [](const Config &c) {
             return describe(c.sync.local);
         }},
        {u"sync.remote"_s,
         [](const Config &c) {
             return describe(c.sync.remote);
         }},
        {u"sync.localPoolSize"_s,
         [](const Config &c) {
             return QString::number(c.sync.localPoolSize);
         }},
        {u"sync.localMinIdleConns"_s,
         [](const Config &c) {
             return QString::number(c.sync.localMinIdleConns);
         }},
        {u"sync.localMaxRetries"_s,
         [](const Config &c) {
             return QString::number(c.sync.localMaxRetries);
         }},
        {u"sync.remotePoolSize"_s,
         [](const Config &c) {
             return QString::number(c.sync.remotePoolSize);
         }},
        {u"sync.remoteMinIdleConns"_s,
         [](const Config &c) {
             return QString::number(c.sync.remoteMinIdleConns);
         }},
        {u"sync.remoteMaxRetries"_s,
         [](const Config &c) {
             return QString::number(c.sync.remoteMaxRetries);
         }},
        {u"sync.group"_s,
         [](const Config &c) {
             return c.sync.group;
         }},
        {u"sync.consumer"_s,
         [](const Config &c) {
             return c.sync.consumer;
         }},
        {u"sync.streamEvents"_s,
         [](const Config &c) {
             return c.sync.streamEvents;
         }},
        {u"sync.streamJobs"_s,
         [](const Config &c) {
             return c.sync.streamJobs;
         }},
        {u"sync.readerWorkers"_s,
         [](const Config &c) {
             return QString::number(c.sync.readerWorkers);
         }},
        {u"sync.readerBatchSize"_s,
         [](const Config &c) {
             return QString::number(c.sync.readerBatchSize);
         }},
        {u"sync.readerMaxLatency"_s,
         [](const Config &c) {
             return ms(c.sync.readerMaxLatency);
         }},
        {u"sync.readerBlockTime"_s,
         [](const Config &c) {
             return ms(c.sync.readerBlockTime);
         }},
        {u"sync.bufferSize"_s,
         [](const Config &c) {
             return QString::number(c.sync.bufferSize);
         }},
        {u"sync.writerWorkers"_s,
         [](const Config &c) {
             return QString::number(c.sync.writerWorkers);
         }},
        {u"sync.writerPipelineTimeout"_s,
         [](const Config &c) {
             return ms(c.sync.writerPipelineTimeout);
         }},
        {u"sync.writerBatchSize"_s,
         [](const Config &c) {
             return QString::number(c.sync.writerBatchSize);
         }},
        {u"sync.writerMaxLatency"_s,
         [](const Config &c) {
             return ms(c.sync.writerMaxLatency);
         }},
        {u"sync.totalMaxLatency"_s,
         [](const Config &c) {
             return ms(c.sync.totalMaxLatency);
         }},
        {u"sync.healthCheckInterval"_s,
         [](const Config &c) {
             return ms(c.sync.healthCheckInterval);
         }},
        {u"sync.healthRecoveryTimeout"_s,
         [](const Config &c) {
             return ms(c.sync.healthRecoveryTimeout);
         }},
        {u"sync.healthMaxRetries"_s,
         [](const Config &c) {
             return QString::number(c.sync.healthMaxRetries);
         }},
        {u"nats.url"_s,
         [](const Config &c) {
             return c.nats.url + (c.nats.configured ? u" configured"_s : QString());
         }},
        {u"polling.redis"_s,
         [](const Config &c) {
             return describe(c.polling.redis);
         }},
        {u"polling.jwtSecret"_s,
         [](const Config &c) {
             return QString::fromUtf8(c.polling.jwtSecret);
         }},
        {u"polling.longPollTimeout"_s,
         [](const Config &c) {
             return QString::number(c.polling.longPollTimeout.count());
         }},
        {u"polling.workerPoolSize"_s,
         [](const Config &c) {
             return QString::number(c.polling.workerPoolSize);
         }},
        {u"polling.eventTtlSeconds"_s,
         [](const Config &c) {
             return QString::number(c.polling.eventTtlSeconds);
         }},
        {u"polling.internalApiToken"_s,
         [](const Config &c) {
             return QString::fromUtf8(c.polling.internalApiToken);
         }},
        {u"polling.corsAllowedOrigins"_s,
         [](const Config &c) {
             return c.polling.corsAllowedOrigins.join(u',');
         }},
        {u"timeouts.redis"_s,
         [](const Config &c) {
             return describe(c.timeouts.redis);
         }},
        {u"timeouts.timeoutInterval"_s,
         [](const Config &c) {
             return ms(c.timeouts.timeoutInterval);
         }},
        {u"timeouts.leaderTtl"_s,
         [](const Config &c) {
             return ms(c.timeouts.leaderTtl);
         }},
        {u"timeouts.checkInterval"_s,
         [](const Config &c) {
             return ms(c.timeouts.checkInterval);
         }},
        {u"timeouts.podId"_s,
         [](const Config &c) {
             return c.timeouts.podId;
         }},
        {u"timeouts.notificationWebhookUrl"_s,
         [](const Config &c) {
             return c.timeouts.notificationWebhookUrl;
         }},
        {u"nats.streamName"_s,
         [](const Config &c) {
             return c.nats.streamName;
         }},
        {u"nats.subjectPattern"_s,
         [](const Config &c) {
             return c.nats.subjectPattern;
         }},
        {u"nats.ackWait"_s,
         [](const Config &c) {
             return ms(c.nats.ackWait);
         }},
        {u"nats.maxDeliveries"_s,
         [](const Config &c) {
             return QString::number(c.nats.maxDeliveries);
         }},
        {u"nats.consumerName"_s,
         [](const Config &c) {
             return c.nats.consumerName;
         }},
        {u"nats.maxAge"_s,
         [](const Config &c) {
             return ms(c.nats.maxAge);
         }},
        {u"ingress.enabled"_s,
         [](const Config &c) {
             return c.ingress.enabled ? u"true"_s : u"false"_s;
         }},
        {u"ingress.forwardTimeout"_s,
         [](const Config &c) {
             return ms(c.ingress.forwardTimeout);
         }},
        {u"ingress.maxConnectionsPerHost"_s,
         [](const Config &c) {
             return QString::number(c.ingress.maxConnectionsPerHost);
         }},
        {u"ingress.maxInFlight"_s,
         [](const Config &c) {
             return QString::number(c.ingress.maxInFlight);
         }},
        {u"ingress.retryDelay"_s,
         [](const Config &c) {
             return ms(c.ingress.retryDelay);
         }},
        {u"ingress.retryMaxDelay"_s,
         [](const Config &c) {
             return ms(c.ingress.retryMaxDelay);
         }},
        {u"ingress.publishTimeout"_s,
         [](const Config &c) {
             return ms(c.ingress.publishTimeout);
         }},
        {u"ingress.deadLetterStream"_s,
         [](const Config &c) {
             return c.ingress.deadLetterStream + u" -> "_s + c.ingress.deadLetterStreamName(c.nats);
         }},
        {u"ingress.deliveredBucket"_s,
         [](const Config &c) {
             return c.ingress.deliveredBucket + u" -> "_s + c.ingress.deliveredBucketName(c.nats);
         }},
        {u"ingress.deadLetterMaxMessages"_s,
         [](const Config &c) {
             return QString::number(c.ingress.deadLetterMaxMessages);
         }},
        {u"simulate.failureShare"_s,
         [](const Config &c) {
             return QString::number(c.simulate.failureShare);
         }},
        {u"localStack.natsServer"_s,
         [](const Config &c) {
             return c.localStack.natsServer;
         }},
    };
    const auto read = fields.value(field);
    return read ? read(c) : u"<no such field %1>"_s.arg(field);
}

// The routes in one comparable line: "a.example -> https://x https://y (5000 ms); ...".
QString describe(const QList<IngressRoute> &routes)
{
    QStringList parts;
    for (const IngressRoute &route : routes) {
        QString part = route.domain + u" -> "_s + route.endpoints.join(u' ');
        if (route.timeout.count() != 0)
            part += u" (%1 ms)"_s.arg(route.timeout.count());
        parts << part;
    }
    return parts.join(u"; "_s);
}

// `value` under the dotted `key` as YAML: "nats.max_age" and "1h" give "nats:\n  max_age: 1h\n".
QByteArray nestedYaml(const QString &key, const QString &value)
{
    const QStringList names = key.split(u'.');
    QString yaml;
    for (qsizetype depth = 0; depth < names.size(); ++depth) {
        yaml += QString(depth * 2, u' ') + names.at(depth) + u':';
        yaml += depth + 1 < names.size() ? u"\n"_s : u' ' + value + u'\n';
    }
    return yaml.toUtf8();
}

QProcessEnvironment environment(const QStringList &assignments)
{
    QProcessEnvironment env;
    for (const QString &assignment : assignments)
        env.insert(assignment.section(u'=', 0, 0), assignment.section(u'=', 1));
    return env;
}

// The parsed command line in one comparable line.
QString describe(const CommandLineOptions &o)
{
    QStringList parts;
    if (!o.error.isEmpty())
        parts << u"error=%1"_s.arg(o.error);
    if (o.help)
        parts << u"help"_s;
    if (o.version)
        parts << u"version"_s;
    if (o.headless)
        parts << u"headless"_s;
    if (o.simulate)
        parts << u"simulate"_s;
    if (o.simulateRate)
        parts << u"rate=%1"_s.arg(*o.simulateRate);
    if (!o.configFile.isEmpty())
        parts << u"config=%1"_s.arg(o.configFile);
    if (o.logLevel)
        parts << u"log=%1"_s.arg(*o.logLevel);
    if (o.engines)
        parts << u"engines=%1"_s.arg(o.engines->join(u'|'));
    if (o.port)
        parts << u"port=%1"_s.arg(*o.port);
    return parts.join(u' ');
}

} // namespace

class TestConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void defaultsMatchTheSeed();
    void environmentVariable_data();
    void environmentVariable();
    void emptyEnvironmentValueMeansDefault();
    void fileSettings();
    void natsAndIngressFileValues_data();
    void natsAndIngressFileValues();
    void natsUrlEnvironmentOverridesFile();
    void eventHubConfigLoadsUnchanged();
    void mergeKeysAreReadAsGoReadThem();
    void aliasesThatNameTheirOwnHolderOrNestDeepAreRead();
    void eventHubServerTimeoutsAreNotUnknownKeys();
    void routes_data();
    void routes();
    void streamNameOutsideBucketRules();
    void shippedExampleConfigLoadsCleanly();
    void exampleAddrLineTakesAWholeUrl();
    void emptyFileIsAccepted();
    void defaultFileInConfigDirectory();
    void environmentOverridesFile();
    void commandLineOverridesEnvironment();
    void enginesFilter_data();
    void enginesFilter();
    void pollingWithoutJwtSecret();
    void corsAllowedOrigins_data();
    void corsAllowedOrigins();

    void goDuration_data();
    void goDuration();
    void invalidGoDuration_data();
    void invalidGoDuration();
    void formatDuration_data();
    void formatDuration();

    void commandLine_data();
    void commandLine();
    void helpTextGuidesTheOperator();

    void redisAddress_data();
    void redisAddress();
    void urlAndSeparateKeys_data();
    void urlAndSeparateKeys();
    void goRedisUrlOptions_data();
    void goRedisUrlOptions();

    void errors_data();
    void errors();
    void aRemoteOnAnotherDatabaseOfTheLocalServerIsFine();
    void unreadableFile();
    void malformedYamlNamesLineAndColumn();
    void unknownKeysAreWarnings();
    void anEventHubConfigInTheWorkingDirectoryIsNamed();
    void passwordsNeverInErrors_data();
    void passwordsNeverInErrors();

    void durationLimits_data();
    void durationLimits();
    void timeoutsEngineMinima_data();
    void timeoutsEngineMinima();
    void natsMaxAgeWithinJetStreamLimits_data();
    void natsMaxAgeWithinJetStreamLimits();
    void duplicateKeysAreErrors_data();
    void duplicateKeysAreErrors();
    void tabIndentationIsNamed();
    void emptyPodIdAndWebhookUrlMeanTheDefault();

private:
    // Writes config.yaml into this test's directory and returns its path.
    QString writeConfig(const QByteArray &yaml);
    // Loads with `args` after the program name, the environment `env` ("NAME=value") and, when
    // `yaml` is not null, a --config file holding it.
    ConfigResult load(QStringList args, const QStringList &env = {},
                      const QByteArray &yaml = QByteArray());

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestConfig::initTestCase()
{
    // Keeps a developer's own ~/.config/switchboard/switchboard.yaml out of the default-location
    // tests.
    QStandardPaths::setTestModeEnabled(true);
}

void TestConfig::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString TestConfig::writeConfig(const QByteArray &yaml)
{
    const QString path = m_dir->filePath(u"config.yaml"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(yaml) != yaml.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

ConfigResult TestConfig::load(QStringList args, const QStringList &env, const QByteArray &yaml)
{
    if (!yaml.isNull())
        args << u"--config"_s << writeConfig(yaml);
    return loadConfig(parseCommandLine(QStringList {u"switchboard"_s} + args), environment(env));
}

void TestConfig::defaultsMatchTheSeed()
{
    const ConfigResult result = load({});
    QVERIFY2(result.config, qPrintable(result.error));
    QVERIFY(result.warnings.isEmpty());
    QCOMPARE(result.enginesEnabled, QStringList({u"sync"_s, u"ingress"_s, u"timeouts"_s}));
    const Config &c = *result.config;
    QVERIFY(c.configFile.isEmpty()); // no file anywhere: silently skipped
    QCOMPARE(c.logLevel, LogLevel::Info);
    QCOMPARE(c.headless, false);
    QCOMPARE(c.server.port, 8080);
    // HEALTH_PORT=8080 in the seed is the main port: 0 means "/health on the main port".
    QCOMPARE(c.server.healthPort, 0);
    QCOMPARE(c.server.bodyLimitBytes, 1024 * 1024);
    QCOMPARE(c.server.idleTimeout, Milliseconds(300000));

    const SyncConfig &s = c.sync;
    QVERIFY(s.enabled);
    QCOMPARE(describe(s.local), u"localhost:6379/2"_s);
    QCOMPARE(describe(s.remote), u"localhost:6379/2"_s); // not configured: the local stack
    QCOMPARE(s.localPoolSize, 100);
    QCOMPARE(s.localMinIdleConns, 10);
    QCOMPARE(s.localMaxRetries, 3);
    QCOMPARE(s.remotePoolSize, 100);
    QCOMPARE(s.remoteMinIdleConns, 10);
    QCOMPARE(s.remoteMaxRetries, 3);
    QCOMPARE(s.group, u"sync_group"_s);
    QCOMPARE(s.consumer, u"sync_worker"_s);
    QCOMPARE(
        s.streams(),
        QStringList({u"freeswitch:telephony:events"_s, u"freeswitch:telephony:background-jobs"_s}));
    QCOMPARE(s.startFrom, StartFrom::Earliest);
    QCOMPARE(s.readerWorkers, 10);
    QCOMPARE(s.readerBatchSize, 1000);
    QCOMPARE(s.readerMaxLatency, 300ms);
    QCOMPARE(s.readerBlockTime, 10ms);
    QCOMPARE(s.bufferSize, 100000);
    QCOMPARE(s.writerWorkers, 10);
    QCOMPARE(s.writerPipelineTimeout, 25ms);
    QCOMPARE(s.writerBatchSize, 10);
    QCOMPARE(s.writerMaxLatency, 300ms);
    QCOMPARE(s.totalMaxLatency, 1000ms);
    QCOMPARE(s.healthCheckInterval, 5s);
    QCOMPARE(s.healthRecoveryTimeout, 30s);
    QCOMPARE(s.healthMaxRetries, 5);
    QCOMPARE(c.simulate.enabled, false);
    QCOMPARE(c.simulate.failureShare, 0.2);
    QCOMPARE(c.localStack.natsServer, u"nats-server"_s);

    // Seed 002's defaults; no server named, so the local stack's nats-server is used.
    const NatsConfig &n = c.nats;
    QCOMPARE(n.url, u"nats://localhost:4222"_s);
    QCOMPARE(n.configured, false);
    QCOMPARE(n.streamName, u"call-signals"_s);
    QCOMPARE(n.subjectPattern, u"call.signal.*"_s);
    QCOMPARE(n.ackWait, 10s);
    QCOMPARE(n.maxDeliveries, 3);
    QCOMPARE(n.consumerName, u"switchboard-ingress"_s);
    QCOMPARE(n.maxAge, std::chrono::hours(7 * 24));

    // Seed 004's defaults; POD_ID defaults to host name and process id.
    const TimeoutsConfig &t = c.timeouts;
    QVERIFY(t.enabled);
    QCOMPARE(t.redis.configured, false);
    QCOMPARE(t.timeoutInterval, 30s);
    QCOMPARE(t.leaderTtl, 10s);
    QCOMPARE(t.checkInterval, 1s);
    QCOMPARE(t.podId,
             QHostInfo::localHostName() + u'-'
                 + QString::number(QCoreApplication::applicationPid()));
    QVERIFY(t.notificationWebhookUrl.isEmpty());

    const IngressConfig &i = c.ingress;
    QVERIFY(i.enabled);
    QVERIFY(i.routes.isEmpty());
    QCOMPARE(i.forwardTimeout, 3s); // the seed's fixed per-endpoint timeout
    QCOMPARE(i.maxConnectionsPerHost, 32);
    QCOMPARE(i.maxInFlight, 1024);
    QCOMPARE(i.retryDelay, 1s);
    QCOMPARE(i.retryMaxDelay, 30s);
    QCOMPARE(i.publishTimeout, 1500ms);
    QCOMPARE(i.deadLetterStreamName(n), u"call-signals-dead-letters"_s);
    QCOMPARE(i.deliveredBucketName(n), u"call-signals-delivered"_s);
    QCOMPARE(i.deadLetterMaxMessages, 1000000);
}

void TestConfig::environmentVariable_data()
{
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("expected");

    const auto row = [](const char *variable, const char *value, const char *field,
                        const char *expected) {
        QTest::newRow(variable) << QString::fromLatin1(variable) << QString::fromLatin1(value)
                                << QString::fromLatin1(field) << QString::fromLatin1(expected);
    };
    // Every variable of seed 000 (and PORT of the other seeds), with a value other than the
    // default.
    row("PORT", "9090", "server.port", "9090");
    row("HEALTH_PORT", "9091", "server.healthPort", "9091");
    row("REDIS_LOCAL_ADDR", "10.0.0.5:6380", "sync.local", "10.0.0.5:6380/2 configured");
    row("REDIS_LOCAL_DB", "7", "sync.local", "localhost:6379/7");
    row("REDIS_LOCAL_PASSWORD", "s3cret", "sync.local", "localhost:6379/2 password=s3cret");
    row("REDIS_LOCAL_POOL_SIZE", "50", "sync.localPoolSize", "50");
    row("REDIS_LOCAL_MIN_IDLE_CONNS", "4", "sync.localMinIdleConns", "4");
    row("REDIS_LOCAL_MAX_RETRIES", "0", "sync.localMaxRetries", "0");
    row("REDIS_REMOTE_ADDR", "redis.qa-uc-cloud1.gocontact.internal:6379", "sync.remote",
        "redis.qa-uc-cloud1.gocontact.internal:6379/2 configured");
    row("REDIS_REMOTE_DB", "0", "sync.remote", "localhost:6379/0");
    row("REDIS_REMOTE_PASSWORD", "t0p", "sync.remote", "localhost:6379/2 password=t0p");
    row("REDIS_REMOTE_POOL_SIZE", "60", "sync.remotePoolSize", "60");
    row("REDIS_REMOTE_MIN_IDLE_CONNS", "5", "sync.remoteMinIdleConns", "5");
    row("REDIS_REMOTE_MAX_RETRIES", "8", "sync.remoteMaxRetries", "8");
    row("REDIS_GROUP", "other_group", "sync.group", "other_group");
    row("REDIS_CONSUMER", "other_worker", "sync.consumer", "other_worker");
    row("STREAM_EVENTS", "fs:events", "sync.streamEvents", "fs:events");
    row("STREAM_JOBS", "fs:jobs", "sync.streamJobs", "fs:jobs");
    row("READER_WORKERS", "3", "sync.readerWorkers", "3");
    row("READER_BATCH_SIZE", "500", "sync.readerBatchSize", "500");
    row("READER_MAX_LATENCY", "1s", "sync.readerMaxLatency", "1000");
    row("READER_BLOCK_TIME", "50ms", "sync.readerBlockTime", "50");
    row("READER_BLOCK_TIME", " 20ms ", "sync.readerBlockTime",
        "20"); // a stray blank in an env file
    row("BUFFER_SIZE", "2000", "sync.bufferSize", "2000");
    row("WRITER_WORKERS", "4", "sync.writerWorkers", "4");
    row("WRITER_PIPELINE_TIMEOUT", "1.5s", "sync.writerPipelineTimeout", "1500");
    row("WRITER_BATCH_SIZE", "20", "sync.writerBatchSize", "20");
    row("WRITER_MAX_LATENCY", "2m", "sync.writerMaxLatency", "120000");
    row("TOTAL_MAX_LATENCY", "5s", "sync.totalMaxLatency", "5000");
    row("HEALTH_CHECK_INTERVAL", "10s", "sync.healthCheckInterval", "10000");
    row("HEALTH_RECOVERY_TIMEOUT", "1m", "sync.healthRecoveryTimeout", "60000");
    row("HEALTH_MAX_RETRIES", "9", "sync.healthMaxRetries", "9");
    // Seed 001 (Telemetry Service).
    row("REDIS_URL", "redis://:pw@redis.internal:6380/3", "polling.redis",
        "redis.internal:6380/3 password=pw configured");
    row("JWT_SECRET", "spring-secret", "polling.jwtSecret", "spring-secret");
    row("LONG_POLL_TIMEOUT_MS", "5000", "polling.longPollTimeout", "5000");
    row("WORKER_POOL_SIZE", "20", "polling.workerPoolSize", "20");
    row("EVENT_TTL_SECONDS", "3600", "polling.eventTtlSeconds", "3600");
    row("INTERNAL_API_TOKEN", "int3rnal", "polling.internalApiToken", "int3rnal");
    row("CORS_ALLOWED_ORIGINS", "http://localhost:3000,http://localhost:8080",
        "polling.corsAllowedOrigins", "http://localhost:3000,http://localhost:8080");
    // Seed 004 (Redis Timeout Tracking): REDIS_URL is its Redis too.
    row("REDIS_URL", "redis://redis.internal:6381/4", "timeouts.redis",
        "redis.internal:6381/4 configured");
    row("TIMEOUT_INTERVAL_MS", "60000", "timeouts.timeoutInterval", "60000");
    row("TIMEOUT_INTERVAL_MS", "45s", "timeouts.timeoutInterval", "45000");
    row("LEADER_ELECTION_TTL", "15", "timeouts.leaderTtl", "15000");
    row("LEADER_ELECTION_TTL", "1500ms", "timeouts.leaderTtl", "1500");
    row("CHECK_INTERVAL_MS", "250", "timeouts.checkInterval", "250");
    row("POD_ID", "care-timeouts-7d9f", "timeouts.podId", "care-timeouts-7d9f");
    row("NOTIFICATION_WEBHOOK_URL", "https://care.example.com/hooks/timeouts",
        "timeouts.notificationWebhookUrl", "https://care.example.com/hooks/timeouts");
    // Seed 002 reads its server from config.yaml only; NATS_URL is the usual NATS variable.
    row("NATS_URL", "nats://nats.internal:4222", "nats.url",
        "nats://nats.internal:4222 configured");
}

void TestConfig::environmentVariable()
{
    QFETCH(QString, variable);
    QFETCH(QString, value);
    QFETCH(QString, field);
    QFETCH(QString, expected);

    const ConfigResult defaults = load({});
    QVERIFY(defaults.config);
    QVERIFY(fieldValue(*defaults.config, field) != expected);

    const ConfigResult result = load({}, {variable + u'=' + value});
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(fieldValue(*result.config, field), expected);
}

void TestConfig::emptyEnvironmentValueMeansDefault()
{
    // The seed's env file lists `REDIS_LOCAL_PASSWORD=` with nothing after it.
    const ConfigResult result = load({}, {u"REDIS_LOCAL_PASSWORD="_s, u"READER_BATCH_SIZE="_s});
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->sync.local.password, QString());
    QCOMPARE(result.config->sync.readerBatchSize, 1000);
}

void TestConfig::fileSettings()
{
    const ConfigResult result = load({}, {}, R"(
server:
  port: 8081
  health_port: 8082
  bind: 127.0.0.1
  body_limit: 512KiB
  idle_timeout: 90s
api:
  token: "t0ken"
log:
  level: debug
headless: yes
local_stack:
  data_dir: /var/lib/switchboard
  redis_server: /usr/bin/redis-server
  nats_server: /usr/sbin/nats-server
simulate:
  enabled: true
  rate: 12.5
  failure_share: 0.05
nats:
  url: "nats://hub:pw@nats1.internal:4222, nats2.internal:4222"
  stream_name: hub-signals
  subject_pattern: "hub.signal.>"
  ack_wait_seconds: 20
  max_deliveries: 5
  consumer_name: hub-forwarder
  max_age: 48h
ingress:
  enabled: false
  forward_timeout: 4s
  max_connections_per_host: 8
  max_in_flight: 256
  retry_delay: 250ms
  retry_max_delay: 10s
  publish_timeout: 2s
  dead_letter_stream: hub-dlq
  delivered_bucket: hub_done
  dead_letter_max_messages: 5000
sync:
  enabled: true
  local:
    addr: "10.0.0.1:6379"
    db: 4
    password: pw1
    pool_size: 20
    min_idle_conns: 2
    max_retries: "1"
  remote:
    url: "redis://bob:pw2@remote.example:6390/6"
    pool_size: 30
  group: g
  consumer: c
  stream_events: ev
  stream_jobs: jobs
  extra_streams: [ev, more]
  start_from: latest
  reader:
    workers: 2
    batch_size: 200
    max_latency: 1m30s
    block_time: 500us
  buffer_size: 5000
  buffer_bytes: 1MiB
  writer:
    workers: 3
    pipeline_timeout: 1.5s
    batch_size: 7
    max_latency: 2s
  total_max_latency: 3s
  claim_idle: 1m
  health:
    check_interval: 2s
    recovery_timeout: 20s
    max_retries: 1
)");
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.warnings, QStringList());
    const Config &c = *result.config;
    QVERIFY(c.configFile.endsWith(u"config.yaml"_s));
    QCOMPARE(c.server.port, 8081);
    QCOMPARE(c.server.healthPort, 8082);
    QCOMPARE(c.server.bindAddress, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(c.server.bodyLimitBytes, 512 * 1024);
    QCOMPARE(c.server.idleTimeout, Milliseconds(90000));
    QCOMPARE(c.server.apiToken, "t0ken");
    QCOMPARE(c.logLevel, LogLevel::Debug);
    QCOMPARE(c.headless, true);
    QCOMPARE(c.localStack.dataDir, u"/var/lib/switchboard"_s);
    QCOMPARE(c.localStack.redisServer, u"/usr/bin/redis-server"_s);
    QCOMPARE(c.localStack.natsServer, u"/usr/sbin/nats-server"_s);
    QCOMPARE(c.simulate.enabled, true);
    QCOMPARE(c.simulate.eventsPerSecond, 12.5);
    QCOMPARE(c.simulate.failureShare, 0.05);

    const NatsConfig &n = c.nats;
    QCOMPARE(n.url, u"nats://hub:pw@nats1.internal:4222,nats2.internal:4222"_s);
    QVERIFY(n.configured);
    QCOMPARE(n.streamName, u"hub-signals"_s);
    QCOMPARE(n.subjectPattern, u"hub.signal.>"_s);
    QCOMPARE(n.ackWait, 20s);
    QCOMPARE(n.maxDeliveries, 5);
    QCOMPARE(n.consumerName, u"hub-forwarder"_s);
    QCOMPARE(n.maxAge, 48h);

    const IngressConfig &i = c.ingress;
    QCOMPARE(i.enabled, false);
    QCOMPARE(result.enginesEnabled, QStringList({u"sync"_s, u"timeouts"_s}));
    QCOMPARE(i.forwardTimeout, 4s);
    QCOMPARE(i.maxConnectionsPerHost, 8);
    QCOMPARE(i.maxInFlight, 256);
    QCOMPARE(i.retryDelay, 250ms);
    QCOMPARE(i.retryMaxDelay, 10s);
    QCOMPARE(i.publishTimeout, 2s);
    QCOMPARE(i.deadLetterStreamName(n), u"hub-dlq"_s);
    QCOMPARE(i.deliveredBucketName(n), u"hub_done"_s);
    QCOMPARE(i.deadLetterMaxMessages, 5000);

    const SyncConfig &s = c.sync;
    QCOMPARE(describe(s.local), u"10.0.0.1:6379/4 password=pw1 configured"_s);
    QCOMPARE(s.localPoolSize, 20);
    QCOMPARE(s.localMinIdleConns, 2);
    QCOMPARE(s.localMaxRetries, 1);
    QCOMPARE(describe(s.remote), u"remote.example:6390/6 user=bob password=pw2 configured"_s);
    QCOMPARE(s.remotePoolSize, 30);
    QCOMPARE(s.group, u"g"_s);
    QCOMPARE(s.consumer, u"c"_s);
    QCOMPARE(s.streams(), QStringList({u"ev"_s, u"jobs"_s, u"more"_s}));
    QCOMPARE(s.startFrom, StartFrom::Latest);
    QCOMPARE(s.readerWorkers, 2);
    QCOMPARE(s.readerBatchSize, 200);
    QCOMPARE(s.readerMaxLatency, 90s);
    QCOMPARE(s.readerBlockTime, 1ms); // 500us rounds up, never down to "block forever"
    QCOMPARE(s.bufferSize, 5000);
    QCOMPARE(s.bufferBytes, 1024 * 1024);
    QCOMPARE(s.writerWorkers, 3);
    QCOMPARE(s.writerPipelineTimeout, 1500ms);
    QCOMPARE(s.writerBatchSize, 7);
    QCOMPARE(s.writerMaxLatency, 2s);
    QCOMPARE(s.totalMaxLatency, 3s);
    QCOMPARE(s.claimIdle, 1min);
    QCOMPARE(s.healthCheckInterval, 2s);
    QCOMPARE(s.healthRecoveryTimeout, 20s);
    QCOMPARE(s.healthMaxRetries, 1);
}

// The Event Hub's shipped config.yaml.example also has server.read_timeout_seconds and
// server.write_timeout_seconds (its Go config struct reads them; its server used a fixed 10 s):
// keys of the seed's own file, not typos to warn about at every start.
void TestConfig::eventHubServerTimeoutsAreNotUnknownKeys()
{
    const ConfigResult result = load({}, {}, R"(
server:
  port: 8080
  read_timeout_seconds: 10
  write_timeout_seconds: 10
)");
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.warnings, QStringList());
    QCOMPARE(result.config->server.port, 8080);

    const ConfigResult bad = load({}, {}, "server:\n  read_timeout_seconds: soon\n");
    QVERIFY(!bad.config);
    QVERIFY2(bad.error.contains(u"server.read_timeout_seconds"_s), qPrintable(bad.error));
}

void TestConfig::eventHubConfigLoadsUnchanged()
{
    // The Event Hub's config.yaml.example, verbatim: its sections are known, not warned about.
    const ConfigResult result = load({}, {}, R"(
server:
  port: 8080

nats:
  url: "nats://localhost:4222"
  stream_name: "call-signals"
  subject_pattern: "call.signal.*"
  ack_wait_seconds: 10
  max_deliveries: 3

routes:
  - domain: "telephony-forwarder.com"
    endpoints:
      - "https://backend1.example.com/webhook"
      - "https://backend2.example.com/webhook"
)");
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.warnings, QStringList());
    const Config &c = *result.config;
    QCOMPARE(c.server.port, 8080);
    QCOMPARE(c.nats.url, u"nats://localhost:4222"_s);
    QVERIFY(c.nats.configured); // named in the file: that server, not the local stack
    QCOMPARE(c.nats.streamName, u"call-signals"_s);
    QCOMPARE(c.nats.subjectPattern, u"call.signal.*"_s);
    QCOMPARE(c.nats.ackWait, 10s);
    QCOMPARE(c.nats.maxDeliveries, 3);
    QCOMPARE(c.ingress.routes.size(), 1);
    const IngressRoute &route = c.ingress.routes.constFirst();
    QCOMPARE(route.domain, u"telephony-forwarder.com"_s);
    QCOMPARE(route.endpoints,
             QStringList({u"https://backend1.example.com/webhook"_s,
                          u"https://backend2.example.com/webhook"_s}));
    QCOMPARE(route.timeout, 0ms); // ingress.forward_timeout applies
    QCOMPARE(c.ingress.forwardTimeout, 3s);
    QVERIFY(c.ingress.enabled);
    QCOMPARE(result.enginesEnabled, QStringList({u"sync"_s, u"ingress"_s, u"timeouts"_s}));
}

// Go's yaml.v2 and v3 read YAML's merge key (`<<: *anchor`) in the Event Hub's config.yaml;
// yaml-cpp keeps "<<" as a key of its own. The nats: section below had no url (the node ran its
// own nats-server, an unknown-key warning the only word of it) and route b none of its endpoints.
void TestConfig::mergeKeysAreReadAsGoReadThem()
{
    const ConfigResult result = load({}, {}, R"(
x-nats: &nats
  url: "nats://nats.internal:4222"
  ack_wait_seconds: 10
nats:
  <<: *nats
  stream_name: "call-signals"
  ack_wait_seconds: 20
routes:
  - &first
    domain: "a.example"
    endpoints: ["https://backend1.example.com/webhook"]
  - <<: *first
    domain: "b.example"
)");
    QVERIFY2(result.config, qPrintable(result.error));
    const Config &c = *result.config;
    QCOMPARE(result.warnings, QStringList({c.configFile + u": unknown key \"x-nats\" ignored"_s}));
    QCOMPARE(c.nats.url, u"nats://nats.internal:4222"_s);
    QVERIFY(c.nats.configured);
    QCOMPARE(c.nats.ackWait, 20s); // the map's own key wins over the merged one
    QCOMPARE(describe(c.ingress.routes),
             u"a.example -> https://backend1.example.com/webhook; "
             u"b.example -> https://backend1.example.com/webhook"_s);
}

// The merge-key pass followed every alias: one naming the list that holds it crashed the node
// (SIGSEGV, no word) where it used to warn of an unknown key, and nested aliases expanded
// exponentially. A cycle is refused with its line; an alias is converted once.
void TestConfig::aliasesThatNameTheirOwnHolderOrNestDeepAreRead()
{
    const ConfigResult cycle = load({}, {}, "x-cycle: &a [*a]\n");
    QVERIFY(!cycle.config);
    QVERIFY2(cycle.error.contains(u"alias names the map or list that holds it"_s),
             qPrintable(cycle.error));
    QVERIFY2(cycle.error.contains(u":1:"_s), qPrintable(cycle.error));

    QByteArray nested = "x-0: &l0 [a, a, a, a, a, a, a, a, a, a]\n";
    for (int level = 1; level <= 9; ++level) {
        QByteArray items;
        for (int i = 0; i < 10; ++i)
            items += (i ? ", *l" : "*l") + QByteArray::number(level - 1);
        nested += "x-" + QByteArray::number(level) + ": &l" + QByteArray::number(level) + " ["
            + items + "]\n";
    }
    nested += "server:\n  port: 8123\n";
    QElapsedTimer clock;
    clock.start();
    const ConfigResult deep = load({}, {}, nested);
    QVERIFY2(deep.config, qPrintable(deep.error));
    QCOMPARE(deep.config->server.port, 8123);
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
}

void TestConfig::natsAndIngressFileValues_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("expected");

    const auto row = [](const QString &key, const QString &value, const char *field,
                        const QString &expected) {
        QTest::newRow(qPrintable(key + u'=' + value))
            << key << value << QString::fromLatin1(field) << expected;
    };
    row(u"nats.url"_s, u"nats://nats.internal:4222"_s, "nats.url",
        u"nats://nats.internal:4222 configured"_s);
    row(u"nats.url"_s, u"NATS://nats.internal"_s, "nats.url", u"NATS://nats.internal configured"_s);
    row(u"nats.url"_s, u"nats.internal:4222"_s, "nats.url", u"nats.internal:4222 configured"_s);
    row(u"nats.url"_s, u"\"[::1]:4222\""_s, "nats.url", u"[::1]:4222 configured"_s);
    row(u"nats.url"_s, u"tls://a.example:4443 , wss://b.example/nats,ws://c:8080"_s, "nats.url",
        u"tls://a.example:4443,wss://b.example/nats,ws://c:8080 configured"_s);
    row(u"nats.url"_s, u"nats://hub:p%40ss@nats.internal:4222"_s, "nats.url",
        u"nats://hub:p%40ss@nats.internal:4222 configured"_s);
    row(u"nats.url"_s, u"nats://s3cr3tt0ken@nats.internal:4222"_s, "nats.url",
        u"nats://s3cr3tt0ken@nats.internal:4222 configured"_s);
    row(u"nats.stream_name"_s, u"Telephony_signals-v2"_s, "nats.streamName",
        u"Telephony_signals-v2"_s);
    row(u"nats.subject_pattern"_s, u"call.signal.*"_s, "nats.subjectPattern", u"call.signal.*"_s);
    row(u"nats.subject_pattern"_s, u"events.calls.>"_s, "nats.subjectPattern", u"events.calls.>"_s);
    row(u"nats.subject_pattern"_s, u"hub.*"_s, "nats.subjectPattern", u"hub.*"_s);
    row(u"nats.ack_wait_seconds"_s, u"30"_s, "nats.ackWait", u"30000"_s);
    row(u"nats.ack_wait_seconds"_s, u"1"_s, "nats.ackWait", u"1000"_s);
    row(u"nats.ack_wait_seconds"_s, u"10s"_s, "nats.ackWait", u"10000"_s);
    row(u"nats.ack_wait_seconds"_s, u"1m30s"_s, "nats.ackWait", u"90000"_s);
    row(u"nats.ack_wait_seconds"_s, u"1500ms"_s, "nats.ackWait", u"1500"_s);
    row(u"nats.max_deliveries"_s, u"1"_s, "nats.maxDeliveries", u"1"_s);
    row(u"nats.max_deliveries"_s, u"10"_s, "nats.maxDeliveries", u"10"_s);
    row(u"nats.consumer_name"_s, u"hub_forwarder-2"_s, "nats.consumerName", u"hub_forwarder-2"_s);
    row(u"nats.max_age"_s, u"24h"_s, "nats.maxAge", u"86400000"_s);
    row(u"ingress.enabled"_s, u"false"_s, "ingress.enabled", u"false"_s);
    row(u"ingress.enabled"_s, u"yes"_s, "ingress.enabled", u"true"_s);
    row(u"ingress.forward_timeout"_s, u"5s"_s, "ingress.forwardTimeout", u"5000"_s);
    row(u"ingress.max_connections_per_host"_s, u"1"_s, "ingress.maxConnectionsPerHost", u"1"_s);
    row(u"ingress.max_in_flight"_s, u"64"_s, "ingress.maxInFlight", u"64"_s);
    row(u"ingress.retry_delay"_s, u"500ms"_s, "ingress.retryDelay", u"500"_s);
    row(u"ingress.retry_max_delay"_s, u"2m"_s, "ingress.retryMaxDelay", u"120000"_s);
    row(u"ingress.publish_timeout"_s, u"3s"_s, "ingress.publishTimeout", u"3000"_s);
    row(u"ingress.dead_letter_stream"_s, u"hub-dlq"_s, "ingress.deadLetterStream",
        u"hub-dlq -> hub-dlq"_s);
    row(u"ingress.dead_letter_stream"_s, u"\"\""_s, "ingress.deadLetterStream",
        u" -> call-signals-dead-letters"_s);
    row(u"ingress.delivered_bucket"_s, u"hub_delivered-1"_s, "ingress.deliveredBucket",
        u"hub_delivered-1 -> hub_delivered-1"_s);
    row(u"ingress.delivered_bucket"_s, u""_s, "ingress.deliveredBucket",
        u" -> call-signals-delivered"_s);
    row(u"ingress.dead_letter_max_messages"_s, u"5000"_s, "ingress.deadLetterMaxMessages",
        u"5000"_s);
    row(u"simulate.failure_share"_s, u"0"_s, "simulate.failureShare", u"0"_s);
    row(u"simulate.failure_share"_s, u"1"_s, "simulate.failureShare", u"1"_s);
    row(u"simulate.failure_share"_s, u"0.5"_s, "simulate.failureShare", u"0.5"_s);
    row(u"local_stack.nats_server"_s, u"/opt/nats/nats-server"_s, "localStack.natsServer",
        u"/opt/nats/nats-server"_s);
}

void TestConfig::natsAndIngressFileValues()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QString, field);
    QFETCH(QString, expected);

    const ConfigResult result = load({}, {}, nestedYaml(key, value));
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.warnings, QStringList());
    QCOMPARE(fieldValue(*result.config, field), expected);
}

void TestConfig::natsUrlEnvironmentOverridesFile()
{
    const QByteArray yaml = "nats:\n  url: nats://from-file:4222\n  max_deliveries: 4\n";

    const ConfigResult file = load({}, {}, yaml);
    QVERIFY2(file.config, qPrintable(file.error));
    QCOMPARE(fieldValue(*file.config, u"nats.url"_s), u"nats://from-file:4222 configured"_s);

    const ConfigResult env = load({}, {u"NATS_URL=nats://from-env:4223"_s}, yaml);
    QVERIFY2(env.config, qPrintable(env.error));
    QCOMPARE(fieldValue(*env.config, u"nats.url"_s), u"nats://from-env:4223 configured"_s);
    QCOMPARE(env.config->nats.maxDeliveries, 4); // set by the file alone

    // Empty counts as unset, as for every seed variable.
    const ConfigResult empty = load({}, {u"NATS_URL="_s}, yaml);
    QVERIFY2(empty.config, qPrintable(empty.error));
    QCOMPARE(fieldValue(*empty.config, u"nats.url"_s), u"nats://from-file:4222 configured"_s);

    // A bad file value stops the start even when the environment would replace it: the file
    // is read, and checked, first.
    const ConfigResult bad = load({}, {u"NATS_URL=nats://from-env:4223"_s}, "nats:\n  url: x\n");
    QVERIFY(!bad.config);
    QVERIFY2(bad.error.contains(u"nats.url=\"x\""_s), qPrintable(bad.error));
}

void TestConfig::routes_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("routes");

    QTest::newRow("dotted domain")
        << QByteArray("routes:\n  - domain: vietanh.cloudgo.vn\n    endpoints:\n"
                      "      - https://crm.cloudgo.vn/hooks/calls\n")
        << u"vietanh.cloudgo.vn -> https://crm.cloudgo.vn/hooks/calls"_s;
    QTest::newRow("route timeout")
        << QByteArray("routes:\n  - domain: slow.example\n    timeout: 15s\n"
                      "    endpoints: [\"http://10.0.0.5:8080/hook?key=abc\"]\n"
                      "  - domain: fast.example\n    endpoints: [\"https://fast.example/a\"]\n"
                      "    timeout: 250ms\n")
        << u"slow.example -> http://10.0.0.5:8080/hook?key=abc (15000 ms); fast.example -> "
           u"https://fast.example/a (250 ms)"_s;
    QTest::newRow("domain and URLs kept as written")
        << QByteArray("routes:\n  - domain: \" Example.COM \"\n    endpoints:\n"
                      "      - \" HTTPS://Hooks.Example.com:8443/in \"\n"
                      "      - \"https://[::1]:9000/in\"\n")
        << u"Example.COM -> HTTPS://Hooks.Example.com:8443/in https://[::1]:9000/in"_s;
    QTest::newRow("same endpoint in two routes")
        << QByteArray("routes:\n  - {domain: a.example, endpoints: [\"https://h/x\"]}\n"
                      "  - {domain: b.example, endpoints: [\"https://h/x\"]}\n")
        << u"a.example -> https://h/x; b.example -> https://h/x"_s;
    QTest::newRow("route timeout at its longest") << QByteArray(
        "routes:\n  - {domain: a.example, timeout: 1h, endpoints: [\"https://h/x\"]}\n")
                                                  << u"a.example -> https://h/x (3600000 ms)"_s;
    QTest::newRow("empty list") << QByteArray("routes: []\n") << QString();
    QTest::newRow("null") << QByteArray("routes:\n") << QString();
}

void TestConfig::routes()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, routes);
    const ConfigResult result = load({}, {}, yaml);
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.warnings, QStringList());
    QCOMPARE(describe(result.config->ingress.routes), routes);
    QVERIFY(result.enginesEnabled.contains(u"ingress"_s)); // no route is the engine's business
}

void TestConfig::streamNameOutsideBucketRules()
{
    // ':' is fine in a stream name but not in a bucket name: the default bucket,
    // "<stream_name>-delivered", is refused (see errors()), one named in the file is used.
    const ConfigResult result = load(
        {}, {}, "nats:\n  stream_name: \"calls:v2\"\ningress:\n  delivered_bucket: calls_v2\n");
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->ingress.deliveredBucketName(result.config->nats), u"calls_v2"_s);
    QCOMPARE(result.config->ingress.deadLetterStreamName(result.config->nats),
             u"calls:v2-dead-letters"_s);
}

void TestConfig::shippedExampleConfigLoadsCleanly()
{
    // resources/switchboard.example.yaml documents every key with its default: it must load
    // without a warning and change nothing.
    CommandLineOptions cli;
    cli.configFile = QStringLiteral(SWITCHBOARD_SOURCE_DIR "/resources/switchboard.example.yaml");
    const ConfigResult result = loadConfig(cli, {});
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.warnings, QStringList());
    const SyncConfig defaults;
    const SyncConfig &s = result.config->sync;
    QCOMPARE(s.local.db, defaults.local.db);
    QCOMPARE(s.streams(), defaults.streams());
    QCOMPARE(s.bufferBytes, defaults.bufferBytes);
    QCOMPARE(s.claimIdle, defaults.claimIdle);
    QCOMPARE(result.config->server.port, quint16(8080));

    const Config defaultConfig;
    const Config &c = *result.config;
    QCOMPARE(c.nats.url, defaultConfig.nats.url);
    QCOMPARE(c.nats.configured, false); // the example leaves the local stack in charge
    QCOMPARE(c.nats.streamName, defaultConfig.nats.streamName);
    QCOMPARE(c.nats.subjectPattern, defaultConfig.nats.subjectPattern);
    QCOMPARE(c.nats.ackWait, defaultConfig.nats.ackWait);
    QCOMPARE(c.nats.maxDeliveries, defaultConfig.nats.maxDeliveries);
    QCOMPARE(c.nats.consumerName, defaultConfig.nats.consumerName);
    QCOMPARE(c.nats.maxAge, defaultConfig.nats.maxAge);
    QCOMPARE(c.ingress.enabled, true);
    QVERIFY(c.ingress.routes.isEmpty());
    QCOMPARE(c.ingress.forwardTimeout, defaultConfig.ingress.forwardTimeout);
    QCOMPARE(c.ingress.maxConnectionsPerHost, defaultConfig.ingress.maxConnectionsPerHost);
    QCOMPARE(c.ingress.maxInFlight, defaultConfig.ingress.maxInFlight);
    QCOMPARE(c.ingress.retryDelay, defaultConfig.ingress.retryDelay);
    QCOMPARE(c.ingress.retryMaxDelay, defaultConfig.ingress.retryMaxDelay);
    QCOMPARE(c.ingress.publishTimeout, defaultConfig.ingress.publishTimeout);
    QCOMPARE(c.ingress.deadLetterStream, QString());
    QCOMPARE(c.ingress.deliveredBucket, QString());
    QCOMPARE(c.ingress.deadLetterMaxMessages, defaultConfig.ingress.deadLetterMaxMessages);
    QCOMPARE(c.simulate.failureShare, defaultConfig.simulate.failureShare);
    QCOMPARE(c.localStack.natsServer, defaultConfig.localStack.natsServer);
    QCOMPARE(result.enginesEnabled, QStringList({u"sync"_s, u"ingress"_s, u"timeouts"_s}));
}

// The example's addr lines say they take redis://[user:pass@]host:port/db. An operator who
// uncomments one and writes a URL must get the URL's db and password, not the db and empty
// password of keys written below it (within one source, db and password win over the URL).
void TestConfig::exampleAddrLineTakesAWholeUrl()
{
    QFile file(QStringLiteral(SWITCHBOARD_SOURCE_DIR "/resources/switchboard.example.yaml"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray yaml = file.readAll();
    const QByteArray localLine = "# addr: \"localhost:6379\"";
    const QByteArray remoteLine = "# addr: \"redis.example.internal:6379\"";
    QVERIFY(yaml.contains(localLine));
    QVERIFY(yaml.contains(remoteLine));
    yaml.replace(localLine, "addr: \"redis://:local-pw@freeswitch.local:6390/5\"");
    yaml.replace(remoteLine, "addr: \"redis://sync:remote-pw@redis.example.internal:6379/7\"");
    const ConfigResult result = load({}, {}, yaml);
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.warnings, QStringList());
    QCOMPARE(describe(result.config->sync.local),
             u"freeswitch.local:6390/5 password=local-pw configured"_s);
    QCOMPARE(describe(result.config->sync.remote),
             u"redis.example.internal:6379/7 user=sync password=remote-pw configured"_s);
}

void TestConfig::emptyFileIsAccepted()
{
    for (const QByteArray &yaml : {QByteArray(""), QByteArray("# everything commented out\n")}) {
        const ConfigResult result = load({}, {}, yaml);
        QVERIFY2(result.config, qPrintable(result.error));
        QVERIFY(!result.config->configFile.isEmpty());
        QCOMPARE(result.config->server.port, 8080);
    }
}

void TestConfig::defaultFileInConfigDirectory()
{
    // ~/.config/switchboard/ as the README says (in test mode, under ~/.qttest/config).
    const QString dir =
        QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + u"/switchboard"_s;
    QVERIFY(QDir().mkpath(dir));
    const QString path = QDir(dir).filePath(u"switchboard.yaml"_s);
    QVERIFY(!QFile::exists(path));
    const auto removeFile = qScopeGuard([&] { QFile::remove(path); });
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("server:\n  port: 8181\n");
    file.close();

    const ConfigResult result = load({});
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->configFile, path);
    QCOMPARE(result.config->server.port, 8181);
}

void TestConfig::environmentOverridesFile()
{
    const ConfigResult result =
        load({}, {u"PORT=2000"_s, u"READER_BATCH_SIZE=70"_s, u"READER_BLOCK_TIME=20ms"_s},
             "server:\n  port: 1000\nsync:\n  reader:\n    batch_size: 50\n"
             "    block_time: 5ms\n    workers: 4\n");
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->server.port, 2000);
    QCOMPARE(result.config->sync.readerBatchSize, 70);
    QCOMPARE(result.config->sync.readerBlockTime, 20ms);
    QCOMPARE(result.config->sync.readerWorkers, 4); // set by the file alone
}

void TestConfig::commandLineOverridesEnvironment()
{
    const QByteArray yaml = "server:\n  port: 1000\nlog:\n  level: debug\n"
                            "simulate:\n  enabled: false\n  rate: 5\nheadless: false\n";
    const ConfigResult result = load({u"--port"_s, u"3000"_s, u"-log-level"_s, u"error"_s,
                                      u"--simulate-rate"_s, u"99"_s, u"--headless"_s},
                                     {u"PORT=2000"_s}, yaml);
    QVERIFY2(result.config, qPrintable(result.error));
    const Config &c = *result.config;
    QCOMPARE(c.server.port, 3000);
    QCOMPARE(c.logLevel, LogLevel::Error);
    QCOMPARE(c.simulate.enabled, true);
    QCOMPARE(c.simulate.eventsPerSecond, 99.0);
    QCOMPARE(c.headless, true);
}

void TestConfig::enginesFilter_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("enabled");
    QTest::addColumn<QStringList>("warnings");

    const QStringList sync {u"sync"_s};
    const QStringList ingress {u"ingress"_s};
    const QStringList timeouts {u"timeouts"_s};
    const QStringList both {u"sync"_s, u"ingress"_s};
    const QStringList defaults {u"sync"_s, u"ingress"_s, u"timeouts"_s};
    QTest::newRow("default: every engine (polling needs JWT_SECRET)")
        << QByteArray("") << QStringList() << defaults << QStringList();
    QTest::newRow("sync.enabled false")
        << QByteArray("sync:\n  enabled: false\n") << QStringList()
        << QStringList {u"ingress"_s, u"timeouts"_s} << QStringList();
    QTest::newRow("ingress.enabled false")
        << QByteArray("ingress:\n  enabled: false\n") << QStringList()
        << QStringList {u"sync"_s, u"timeouts"_s} << QStringList();
    QTest::newRow("timeouts.enabled false")
        << QByteArray("timeouts:\n  enabled: false\n") << QStringList() << both << QStringList();
    QTest::newRow("all switched off")
        << QByteArray("sync: {enabled: false}\ningress: {enabled: false}\n"
                      "timeouts: {enabled: false}\n")
        << QStringList() << QStringList() << QStringList();
    QTest::newRow("--engines wins over sync.enabled")
        << QByteArray("sync:\n  enabled: no\n") << QStringList {u"--engines"_s, u"sync"_s} << sync
        << QStringList();
    QTest::newRow("--engines wins over ingress.enabled")
        << QByteArray("ingress:\n  enabled: no\n") << QStringList {u"--engines"_s, u"ingress"_s}
        << ingress << QStringList();
    QTest::newRow("engines: in the file")
        << QByteArray("engines: [sync]\n") << QStringList() << sync << QStringList();
    QTest::newRow("file names ingress only")
        << QByteArray("engines: [ingress]\n") << QStringList() << ingress << QStringList();
    QTest::newRow("--engines wins over engines:, order kept")
        << QByteArray("engines: [ingress]\n") << QStringList {u"-engines"_s, u"ingress,sync"_s}
        << both << QStringList();
    QTest::newRow("timeouts alone")
        << QByteArray("engines: [timeouts]\n") << QStringList() << timeouts << QStringList();
    QTest::newRow("polling with its secret")
        << QByteArray("polling:\n  jwt_secret: s\n") << QStringList()
        << QStringList {u"sync"_s, u"ingress"_s, u"polling"_s, u"timeouts"_s} << QStringList();
    QTest::newRow("polling named, with its secret")
        << QByteArray("engines: [polling]\npolling: {jwt_secret: s}\n") << QStringList()
        << QStringList {u"polling"_s} << QStringList();
    QTest::newRow("--engines with timeouts and ingress")
        << QByteArray("") << QStringList {u"--engines"_s, u"timeouts,ingress"_s}
        << QStringList {u"ingress"_s, u"timeouts"_s} << QStringList();
}

void TestConfig::enginesFilter()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, args);
    QFETCH(QStringList, enabled);
    QFETCH(QStringList, warnings);

    const ConfigResult result = load(args, {}, yaml);
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.enginesEnabled, enabled);
    QCOMPARE(result.config->sync.enabled, enabled.contains(u"sync"_s));
    QCOMPARE(result.config->ingress.enabled, enabled.contains(u"ingress"_s));
    QCOMPARE(result.config->polling.enabled, enabled.contains(u"polling"_s));
    QCOMPARE(result.config->timeouts.enabled, enabled.contains(u"timeouts"_s));
    QCOMPARE(result.warnings, warnings);
}

// Without JWT_SECRET every poll would be refused. Merely on by default, polling stays off and
// the log says why; asked for by name, the start stops with a message naming the variable.
void TestConfig::pollingWithoutJwtSecret()
{
    const ConfigResult byDefault = load({});
    QVERIFY2(byDefault.config, qPrintable(byDefault.error));
    QVERIFY(!byDefault.config->polling.enabled);
    QVERIFY(!byDefault.enginesEnabled.contains(u"polling"_s));
    QCOMPARE(byDefault.notes.size(), 1);
    QVERIFY(byDefault.notes.first().contains(u"JWT_SECRET"_s));

    for (const auto &[args, yaml] :
         {std::pair(QStringList {u"--engines"_s, u"polling"_s}, QByteArray()),
          std::pair(QStringList(), QByteArray("polling:\n  enabled: true\n"))}) {
        const ConfigResult named = load(args, {}, yaml);
        QVERIFY(!named.config);
        QVERIFY2(named.error.contains(u"JWT_SECRET"_s), qPrintable(named.error));
    }
    const ConfigResult fromEnv = load({u"--engines"_s, u"polling"_s}, {u"JWT_SECRET=x"_s});
    QVERIFY2(fromEnv.config, qPrintable(fromEnv.error));
    QCOMPARE(fromEnv.enginesEnabled, QStringList {u"polling"_s});
    QVERIFY(!fromEnv.config->polling.redis.configured); // the local stack's
    QCOMPARE(fromEnv.config->polling.longPollTimeout.count(), 25000);
    QCOMPARE(fromEnv.config->polling.workerPoolSize, 100);
    QCOMPARE(fromEnv.config->polling.eventTtlSeconds, 86400);
}

// The Telemetry Service's CORS_ALLOWED_ORIGINS: a comma list of origins, "*" (its default) for
// any. A browser's Origin header never has a path, so "http://host:3000/" means that origin;
// anything else that is no origin would never match one, and is refused.
void TestConfig::corsAllowedOrigins_data()
{
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("expected"); // the origins joined by ',', or the error's start

    QTest::newRow("default: any") << QStringList() << QByteArray() << u"*"_s;
    QTest::newRow("the Go service's .env.example")
        << QStringList {u"CORS_ALLOWED_ORIGINS=http://localhost:3000,http://localhost:8080"_s}
        << QByteArray() << u"http://localhost:3000,http://localhost:8080"_s;
    QTest::newRow("blanks and a trailing slash")
        << QStringList {u"CORS_ALLOWED_ORIGINS= https://shop.example/ , HTTPS://Admin.Example:8443"_s}
        << QByteArray() << u"https://shop.example,https://admin.example:8443"_s;
    QTest::newRow("file") << QStringList()
                          << "polling:\n  cors_allowed_origins: https://shop.example\n"_ba
                          << u"https://shop.example"_s;
    QTest::newRow("empty in the file: none")
        << QStringList() << "polling:\n  cors_allowed_origins: \"\"\n"_ba << QString();
    QTest::newRow("environment over file")
        << QStringList {u"CORS_ALLOWED_ORIGINS=*"_s}
        << "polling:\n  cors_allowed_origins: https://shop.example\n"_ba << u"*"_s;
    QTest::newRow("a path")
        << QStringList {u"CORS_ALLOWED_ORIGINS=https://shop.example/app"_s} << QByteArray()
        << u"error:CORS_ALLOWED_ORIGINS=\"https://shop.example/app\": expected"_s;
    QTest::newRow("a wildcard")
        << QStringList {u"CORS_ALLOWED_ORIGINS=https://*.shop.example"_s} << QByteArray()
        << u"error:CORS_ALLOWED_ORIGINS=\"https://*.shop.example\": expected"_s;
    QTest::newRow("no scheme") << QStringList {u"CORS_ALLOWED_ORIGINS=shop.example"_s}
                               << QByteArray()
                               << u"error:CORS_ALLOWED_ORIGINS=\"shop.example\": expected"_s;
}

void TestConfig::corsAllowedOrigins()
{
    QFETCH(QStringList, env);
    QFETCH(QByteArray, yaml);
    QFETCH(QString, expected);
    const ConfigResult result = load({}, env, yaml);
    if (expected.startsWith(u"error:"_s)) {
        QVERIFY(!result.config);
        QVERIFY2(result.error.startsWith(expected.mid(6)), qPrintable(result.error));
        return;
    }
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->polling.corsAllowedOrigins.join(u','), expected);
}

void TestConfig::goDuration_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("milliseconds");

    const auto row = [](const QString &text, qint64 milliseconds) {
        QTest::newRow(qPrintable(text)) << text << milliseconds;
    };
    row(u"300ms"_s, 300);
    row(u"10s"_s, 10'000);
    row(u"1m"_s, 60'000);
    row(u"1m30s"_s, 90'000);
    row(u"1.5s"_s, 1500);
    row(u"0.3s"_s, 300);
    row(u".5s"_s, 500);
    row(u"1.s"_s, 1000);
    row(u"2h"_s, 7'200'000);
    row(u"1h2m3s4ms"_s, 3'723'004);
    row(u"+5s"_s, 5000);
    row(u"0"_s, 0);
    row(u"0s"_s, 0);
    row(u"2000000ns"_s, 2);
    // Non-zero but under a millisecond: rounds up, so it never reads as "no wait".
    row(u"500us"_s, 1);
    row(u"500\u00b5s"_s, 1);
    row(u"500\u03bcs"_s, 1);
    row(u"1ns"_s, 1);
    row(u"1.0005s"_s, 1001);
    row(u"1h30m"_s, 5'400'000);
    row(u"1.5h"_s, 5'400'000);
    // Go's longest duration; a millisecond count rounded up, one past it in nanoseconds.
    row(u"9223372036854775807ns"_s, 9'223'372'036'855);
}

void TestConfig::goDuration()
{
    QFETCH(QString, text);
    QFETCH(qint64, milliseconds);
    const std::optional<Milliseconds> parsed = parseGoDuration(text);
    QVERIFY(parsed);
    QCOMPARE(parsed->count(), milliseconds);
}

void TestConfig::invalidGoDuration_data()
{
    QTest::addColumn<QString>("text");
    for (const QString &text : {u""_s,
                                u"10"_s,
                                u"1.5"_s,
                                u"-1s"_s,
                                u"-0"_s,
                                u"fast"_s,
                                u"1x"_s,
                                u"s"_s,
                                u".s"_s,
                                u"1 s"_s,
                                u"10ms "_s,
                                u"1d"_s,
                                u"1sec"_s,
                                u"\u0663s"_s,
                                u"99999999999h"_s,
                                u"1e3ms"_s,
                                u"10S"_s,
                                u"1h 30m"_s,
                                u"9223372036854775808ns"_s,
                                u"2562048h"_s})
        QTest::newRow(qPrintable(u'"' + text + u'"')) << text;
}

void TestConfig::invalidGoDuration()
{
    QFETCH(QString, text);
    QVERIFY(!parseGoDuration(text));
}

void TestConfig::formatDuration_data()
{
    QTest::addColumn<qint64>("milliseconds");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << qint64(0) << u"0s"_s;
    QTest::newRow("ms") << qint64(300) << u"300ms"_s;
    QTest::newRow("s") << qint64(1000) << u"1s"_s;
    QTest::newRow("fraction") << qint64(1500) << u"1.5s"_s;
    QTest::newRow("m s") << qint64(90'000) << u"1m30s"_s;
    QTest::newRow("h") << qint64(7'200'000) << u"2h"_s;
    QTest::newRow("all") << qint64(3'723'004) << u"1h2m3.004s"_s;
}

void TestConfig::formatDuration()
{
    QFETCH(qint64, milliseconds);
    QFETCH(QString, text);
    QCOMPARE(Switchboard::formatDuration(Milliseconds(milliseconds)), text);
    QCOMPARE(parseGoDuration(text), std::optional(Milliseconds(milliseconds)));
}

void TestConfig::commandLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("parsed");

    const auto row = [](const char *name, const QStringList &args, const QString &parsed) {
        QTest::newRow(name) << args << parsed;
    };
    row("nothing", {}, QString());
    row("-config FILE (Go)", {u"-config"_s, u"hub.yaml"_s}, u"config=hub.yaml"_s);
    row("-config=FILE (Go)", {u"-config=hub.yaml"_s}, u"config=hub.yaml"_s);
    row("--config FILE", {u"--config"_s, u"hub.yaml"_s}, u"config=hub.yaml"_s);
    row("--config=FILE", {u"--config=hub.yaml"_s}, u"config=hub.yaml"_s);
    row("-log-level (Go)", {u"-log-level"_s, u"debug"_s}, u"log=debug"_s);
    row("--log-level=", {u"--log-level=warn"_s}, u"log=warn"_s);
    row("Event Hub's own example", {u"-config"_s, u"config.yaml"_s, u"-log-level"_s, u"info"_s},
        u"config=config.yaml log=info"_s);
    row("-port", {u"-port"_s, u"9000"_s}, u"port=9000"_s);
    row("--engines", {u"--engines"_s, u"sync, ingress"_s}, u"engines=sync|ingress"_s);
    row("-h", {u"-h"_s}, u"help"_s);
    row("--help", {u"--help"_s}, u"help"_s);
    row("-help (Go)", {u"-help"_s}, u"help"_s);
    row("--version", {u"--version"_s}, u"version"_s);
    row("--headless", {u"--headless"_s}, u"headless"_s);
    row("--simulate", {u"--simulate"_s}, u"simulate"_s);
    row("--simulate-rate implies --simulate", {u"--simulate-rate"_s, u"12.5"_s},
        u"simulate rate=12.5"_s);
    row("unknown option", {u"--frobnicate"_s}, u"error=Unknown option 'frobnicate'."_s);
    row("missing value", {u"--config"_s}, u"error=Missing value after '--config'."_s);
    row("positional argument", {u"config.yaml"_s},
        u"error=unexpected argument \"config.yaml\"; options start with - or --"_s);
    row("port 0", {u"--port"_s, u"0"_s}, u"error=--port=\"0\": expected a port number 1..65535"_s);
    row("port 65536", {u"-port"_s, u"65536"_s},
        u"error=--port=\"65536\": expected a port number 1..65535"_s);
    row("bad rate", {u"--simulate-rate"_s, u"lots"_s},
        u"error=--simulate-rate=\"lots\": expected a positive number of events per second"_s);
}

void TestConfig::commandLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, parsed);
    QCOMPARE(describe(parseCommandLine(QStringList {u"switchboard"_s} + args)), parsed);
}

void TestConfig::helpTextGuidesTheOperator()
{
    const QString help = parseCommandLine({u"switchboard"_s, u"--help"_s}).helpText;
    for (const QString &option :
         {u"--config <file>"_s, u"--log-level <level>"_s, u"--engines <list>"_s, u"--port <n>"_s,
          u"--headless"_s, u"--simulate"_s, u"--simulate-rate <n>"_s, u"--version"_s})
        QVERIFY2(help.contains(option), qPrintable(option));
    // Where values come from and which wins.
    QVERIFY(help.contains(u"environment variables"_s));
    QVERIFY(help.contains(u"REDIS_LOCAL_ADDR"_s));
    QVERIFY(help.contains(u"each overriding the one before"_s));
    QVERIFY(help.contains(u"-config config.yaml -log-level debug"_s));
    // The same places and the same traffic as README and the manual page name.
    const QString oneLine = help.simplified();
    QVERIFY(oneLine.contains(
        u"~/.config/switchboard/ ($XDG_CONFIG_HOME) or in /etc/xdg/switchboard/"_s));
    QVERIFY(oneLine.contains(u"FreeSWITCH events, call signals, polling events, conversations"_s));
}

void TestConfig::redisAddress_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("endpoint");

    const auto row = [](const QString &address, const QString &endpoint) {
        QTest::newRow(qPrintable(address)) << address << endpoint;
    };
    row(u"cache.internal"_s, u"cache.internal:6379/2 configured"_s);
    row(u"cache.internal:6380"_s, u"cache.internal:6380/2 configured"_s);
    row(u"10.1.2.3:7000"_s, u"10.1.2.3:7000/2 configured"_s);
    row(u"[::1]:6380"_s, u"[::1]:6380/2 configured"_s);
    row(u"::1"_s, u"[::1]:6379/2 configured"_s);
    row(u"redis://cache:6381"_s, u"cache:6381/2 configured"_s);
    row(u"redis://cache/5"_s, u"cache:6379/5 configured"_s);
    row(u"redis://:pw@cache:6379/3"_s, u"cache:6379/3 password=pw configured"_s);
    row(u"redis://alice:p%40ss@cache:6379/4"_s,
        u"cache:6379/4 user=alice password=p@ss configured"_s);
    row(u"REDIS://[::1]:6390/1"_s, u"[::1]:6390/1 configured"_s);
}

void TestConfig::redisAddress()
{
    QFETCH(QString, address);
    QFETCH(QString, endpoint);
    const ConfigResult result = load({}, {u"REDIS_REMOTE_ADDR="_s + address});
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(describe(result.config->sync.remote), endpoint);
    QCOMPARE(describe(result.config->sync.local), u"localhost:6379/2"_s);
}

void TestConfig::urlAndSeparateKeys_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QString>("endpoint");

    // Within one source the separate key wins over the URL's part, whatever the order in the
    // file; a later source wins over an earlier one.
    QTest::newRow("environment: separate keys win")
        << QByteArray("")
        << QStringList {u"REDIS_LOCAL_ADDR=redis://:urlpw@h/5"_s, u"REDIS_LOCAL_DB=3"_s,
                        u"REDIS_LOCAL_PASSWORD=envpw"_s}
        << u"h:6379/3 password=envpw configured"_s;
    QTest::newRow("file: separate keys win, even written first")
        << QByteArray("sync:\n  local:\n    db: 3\n    password: filepw\n"
                      "    url: redis://:urlpw@h/5\n")
        << QStringList() << u"h:6379/3 password=filepw configured"_s;
    QTest::newRow("environment URL over file db")
        << QByteArray("sync:\n  local:\n    db: 3\n")
        << QStringList {u"REDIS_LOCAL_ADDR=redis://h/5"_s} << u"h:6379/5 configured"_s;
    QTest::newRow("URL without db keeps the file's")
        << QByteArray("sync:\n  local:\n    url: redis://:pw@h/5\n")
        << QStringList {u"REDIS_LOCAL_ADDR=other:6390"_s}
        << u"other:6390/5 password=pw configured"_s;
}

void TestConfig::urlAndSeparateKeys()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, env);
    QFETCH(QString, endpoint);
    const ConfigResult result = load({}, env, yaml);
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(describe(result.config->sync.local), endpoint);
}

// Seeds 001 and 004 read REDIS_URL with go-redis' redis.ParseURL, which takes query options:
// `db` (over the path's db), and options tuning go-redis' own pool, timeouts and retries. A team
// migrating with such a URL starts; the tuning options are named once in a warning, since
// Switchboard's connections are its own. Any other option was refused by go-redis, and is here.
void TestConfig::goRedisUrlOptions_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QString>("field"); // as fieldValue() names it
    QTest::addColumn<QString>("endpoint");
    // The one warning expected, its source left out (the file's path is the test's own); empty:
    // no warning.
    QTest::addColumn<QString>("warning");

    const QString ignored = u": go-redis URL options %1 ignored (they tune go-redis' own "
                            u"connection pool, timeouts and retries)"_s;
    QTest::newRow("polling: pool and timeouts")
        << QByteArray()
        << QStringList {u"REDIS_URL=redis://cache:6379/0?dial_timeout=5s&pool_size=50"_s}
        << u"polling.redis"_s << u"cache:6379/0 configured"_s
        << u"REDIS_URL"_s + ignored.arg(u"dial_timeout, pool_size"_s);
    QTest::newRow("timeouts: the same variable, warned once")
        << QByteArray()
        << QStringList {u"REDIS_URL=redis://cache:6379/0?dial_timeout=5s&pool_size=50"_s}
        << u"timeouts.redis"_s << u"cache:6379/0 configured"_s
        << u"REDIS_URL"_s + ignored.arg(u"dial_timeout, pool_size"_s);
    QTest::newRow("db option") << QByteArray() << QStringList {u"REDIS_URL=redis://cache?db=2"_s}
                               << u"timeouts.redis"_s << u"cache:6379/2 configured"_s << QString();
    QTest::newRow("db option over the path's db")
        << QByteArray() << QStringList {u"REDIS_URL=redis://:pw@cache:6380/1?db=3"_s}
        << u"polling.redis"_s << u"cache:6380/3 password=pw configured"_s << QString();
    // go-redis takes the last of repeated values, and an empty db as none.
    QTest::newRow("db option twice")
        << QByteArray() << QStringList {u"REDIS_URL=redis://cache/1?db=4&db=5"_s}
        << u"polling.redis"_s << u"cache:6379/5 configured"_s << QString();
    QTest::newRow("empty db option")
        << QByteArray() << QStringList {u"REDIS_URL=redis://cache/1?db="_s} << u"polling.redis"_s
        << u"cache:6379/1 configured"_s << QString();
    QTest::newRow("every tuning option")
        << QByteArray()
        << QStringList {u"REDIS_URL=redis://cache/0?protocol=3&client_name=care&max_retries=3"
                        u"&min_retry_backoff=8ms&max_retry_backoff=512ms&dial_timeout=5s"
                        u"&read_timeout=3s&write_timeout=3s&context_timeout_enabled=true"
                        u"&pool_fifo=false&pool_size=50&pool_timeout=4s&min_idle_conns=10"
                        u"&max_idle_conns=20&max_active_conns=60&conn_max_idle_time=30m"
                        u"&conn_max_lifetime=1h&idle_timeout=5m&max_conn_age=1h"
                        u"&idle_check_frequency=1m&idle_timeout_seconds=300&db=6"_s}
        << u"timeouts.redis"_s << u"cache:6379/6 configured"_s
        << u"REDIS_URL"_s
            + ignored.arg(u"protocol, client_name, max_retries, min_retry_backoff, "
                          u"max_retry_backoff, dial_timeout, read_timeout, write_timeout, "
                          u"context_timeout_enabled, pool_fifo, pool_size, pool_timeout, "
                          u"min_idle_conns, max_idle_conns, max_active_conns, conn_max_idle_time, "
                          u"conn_max_lifetime, idle_timeout, max_conn_age, idle_check_frequency, "
                          u"idle_timeout_seconds"_s);
    // Wherever a redis:// URL is taken: the sync seed's addresses too.
    QTest::newRow("sync address")
        << QByteArray()
        << QStringList {u"REDIS_LOCAL_ADDR=redis://u:hunter2@fs-redis:6380/3?pool_size=100"
                        u"&min_idle_conns=10"_s}
        << u"sync.local"_s << u"fs-redis:6380/3 user=u password=hunter2 configured"_s
        << u"REDIS_LOCAL_ADDR"_s + ignored.arg(u"pool_size, min_idle_conns"_s);
    QTest::newRow("file") << QByteArray("sync:\n  remote:\n    url: "
                                        "\"redis://:hunter2@remote/4?read_timeout=2s\"\n")
                          << QStringList() << u"sync.remote"_s
                          << u"remote:6379/4 password=hunter2 configured"_s
                          << u"sync.remote.url"_s + ignored.arg(u"read_timeout"_s);
}

void TestConfig::goRedisUrlOptions()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, env);
    QFETCH(QString, field);
    QFETCH(QString, endpoint);
    QFETCH(QString, warning);

    const ConfigResult result = load({}, env, yaml);
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(fieldValue(*result.config, field), endpoint);
    if (warning.isEmpty()) {
        QCOMPARE(result.warnings, QStringList());
        return;
    }
    const QString source = yaml.isNull() ? QString() : result.config->configFile + u": "_s;
    QCOMPARE(result.warnings, QStringList {source + warning});
    QVERIFY2(!result.warnings.join(u' ').contains(u"hunter2"_s),
             qPrintable(result.warnings.join(u' ')));
}

void TestConfig::errors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QStringList>("args");
    // The error must contain this: the source, the key, the value, what was expected.
    QTest::addColumn<QString>("message");

    const auto env = [](const char *name, const char *assignment, const char *message) {
        QTest::newRow(name) << QByteArray() << QStringList {QString::fromUtf8(assignment)}
                            << QStringList() << QString::fromUtf8(message);
    };
    const auto file = [](const char *name, const char *yaml, const char *message) {
        QTest::newRow(name) << QByteArray(yaml) << QStringList() << QStringList()
                            << QString::fromUtf8(message);
    };
    const auto args = [](const char *name, const QStringList &args, const char *message) {
        QTest::newRow(name) << QByteArray() << QStringList() << args << QString::fromUtf8(message);
    };

    env("bad int", "REDIS_LOCAL_DB=abc", "REDIS_LOCAL_DB=\"abc\": expected a non-negative integer");
    env("negative db", "REDIS_REMOTE_DB=-1",
        "REDIS_REMOTE_DB=\"-1\": expected a non-negative integer");
    env("zero count", "BUFFER_SIZE=0", "BUFFER_SIZE=\"0\": expected a positive integer");
    env("zero health retries", "HEALTH_MAX_RETRIES=0",
        "HEALTH_MAX_RETRIES=\"0\": expected a positive integer");
    env("zero workers", "WRITER_WORKERS=0", "WRITER_WORKERS=\"0\": expected a positive integer");
    env("zero pool", "REDIS_REMOTE_POOL_SIZE=0",
        "REDIS_REMOTE_POOL_SIZE=\"0\": expected a positive integer");
    env("float count", "READER_BATCH_SIZE=1.5",
        "READER_BATCH_SIZE=\"1.5\": expected a positive integer");
    env("port 0", "PORT=0", "PORT=\"0\": expected a port number 1..65535");
    env("health port out of range", "HEALTH_PORT=65536",
        "HEALTH_PORT=\"65536\": expected a port number 0..65535");
    env("bad duration", "READER_MAX_LATENCY=fast",
        "READER_MAX_LATENCY=\"fast\": expected a Go duration such as 10ms, 5s or 1m");
    env("unitless duration", "WRITER_PIPELINE_TIMEOUT=25",
        "WRITER_PIPELINE_TIMEOUT=\"25\": expected a Go duration");
    env("negative duration", "TOTAL_MAX_LATENCY=-1s",
        "TOTAL_MAX_LATENCY=\"-1s\": expected a Go duration");
    env("zero duration", "HEALTH_CHECK_INTERVAL=0s",
        "HEALTH_CHECK_INTERVAL=\"0s\": expected a duration above 0");
    env("zero block time", "READER_BLOCK_TIME=0",
        "READER_BLOCK_TIME=\"0\": expected a duration above 0 (XREADGROUP BLOCK 0 waits forever)");
    env("rediss", "REDIS_REMOTE_ADDR=rediss://cache.example.com:6380",
        "REDIS_REMOTE_ADDR=\"rediss://cache.example.com:6380\": TLS is not supported; expected "
        "redis://");
    env("unknown scheme", "REDIS_LOCAL_ADDR=http://cache:6379",
        "REDIS_LOCAL_ADDR=\"http://cache:6379\": expected "
        "redis://[user:password@]host[:port][/db]");
    env("bad address port", "REDIS_LOCAL_ADDR=cache:abc",
        "REDIS_LOCAL_ADDR=\"cache:abc\": expected host, host:port");
    env("too many colons", "REDIS_LOCAL_ADDR=cache:6379:1",
        "REDIS_LOCAL_ADDR=\"cache:6379:1\": expected host, host:port");
    env("address port 0", "REDIS_LOCAL_ADDR=cache:0", "REDIS_LOCAL_ADDR=\"cache:0\": expected");
    env("URL with a bad db", "REDIS_LOCAL_ADDR=redis://cache/x",
        "REDIS_LOCAL_ADDR=\"redis://cache/x\": expected redis://");

    // The remote is the local Redis and database: sync would copy its own writes back for ever.
    QTest::newRow("remote is the local")
        << QByteArray()
        << QStringList {u"REDIS_LOCAL_ADDR=fs-redis:6379"_s,
                        u"REDIS_REMOTE_ADDR=redis://FS-REDIS/2"_s}
        << QStringList()
        << u"sync.remote (REDIS_REMOTE_ADDR, REDIS_REMOTE_DB) \"fs-redis:6379/2\": the same Redis "
           u"and database as sync.local (\"fs-redis:6379/2\")"_s;
    QTest::newRow("remote is the local by another name")
        << QByteArray()
        << QStringList {u"REDIS_LOCAL_ADDR=127.0.0.1:6380"_s, u"REDIS_REMOTE_ADDR=localhost:6380"_s}
        << QStringList() << u"the same Redis and database as sync.local"_s;
    file("bad int", "sync:\n  reader:\n    batch_size: lots\n",
         "config.yaml: sync.reader.batch_size=\"lots\": expected a positive integer");
    file("bad duration", "sync:\n  reader:\n    block_time: fast\n",
         "config.yaml: sync.reader.block_time=\"fast\": expected a Go duration such as 10ms, 5s "
         "or 1m");
    file("zero block time", "sync:\n  reader:\n    block_time: 0s\n",
         "config.yaml: sync.reader.block_time=\"0s\": expected a duration above 0");
    file("bad bool", "sync:\n  enabled: maybe\n",
         "config.yaml: sync.enabled=\"maybe\": expected true or false");
    file("port out of range", "server:\n  port: 70000\n",
         "config.yaml: server.port=\"70000\": expected a port number 1..65535");
    file("unknown log level", "log:\n  level: loud\n",
         "config.yaml: log.level=\"loud\": expected one of debug, info, warn, error");
    file("unknown start_from", "sync:\n  start_from: middle\n",
         "config.yaml: sync.start_from=\"middle\": expected one of earliest, latest");
    file("unknown engine", "engines: [sync, fax]\n",
         "config.yaml: engines=\"sync,fax\": unknown engine \"fax\"; expected engine names from "
         "sync, ingress, polling, timeouts");
    file("empty engine list", "engines: []\n",
         "config.yaml: engines=\"\": expected engine names from sync");
    file("empty name", "sync:\n  group: \"\"\n",
         "config.yaml: sync.group=\"\": expected a non-empty name");
    file("null count", "sync:\n  buffer_size:\n",
         "config.yaml: sync.buffer_size=\"\": expected a positive integer");
    file("rediss url", "sync:\n  remote:\n    url: rediss://cache:6380\n",
         "config.yaml: sync.remote.url=\"rediss://cache:6380\": TLS is not supported");
    file("url key without a URL", "sync:\n  remote:\n    url: cache:6380\n",
         "config.yaml: sync.remote.url=\"cache:6380\": expected redis://");
    file("bad body limit", "server:\n  body_limit: 1TB\n",
         "config.yaml: server.body_limit=\"1TB\": expected a size in bytes such as 1048576, "
         "512KiB or 1MiB");
    file("bad bind address", "server:\n  bind: somewhere\n",
         "config.yaml: server.bind=\"somewhere\": expected an IP address");
    file("bad simulate rate", "simulate:\n  rate: 0\n",
         "config.yaml: simulate.rate=\"0\": expected a positive number of events per second");
    file("multi-line value shown on one line", "sync:\n  buffer_size: |\n    1\n    2\n",
         "config.yaml: sync.buffer_size=\"1\\n2\\n\": expected a positive integer");
    file("non-map root", "- server\n- sync\n",
         "config.yaml: expected a map of settings (server:, sync:, ...) at the top level");
    file("scalar root", "just some text\n", "config.yaml: expected a map of settings");
    file("list for a single value", "sync:\n  group: [a, b]\n",
         "config.yaml: sync.group: expected a single value, not a list or a map");
    file("single value for a list", "engines: sync\n",
         "config.yaml: engines: expected a list such as [a, b]");
    file("value for a section", "sync: true\n", "config.yaml: sync: expected a map of settings");

    // nats: and ingress: (seed 002 and ours).
    const char *natsUrlExpected =
        "expected nats://, tls://, ws:// or wss:// URLs or host:port, comma-separated";
    const auto natsUrl = [&](const char *name, const char *value) {
        QTest::newRow(name) << QByteArray("nats:\n  url: ") + value + '\n'
                            << QStringList() << QStringList()
                            << u"config.yaml: nats.url=%1: %2"_s.arg(
                                   QString::fromUtf8(value), QString::fromUtf8(natsUrlExpected));
    };
    natsUrl("nats.url http", "\"http://nats:4222\"");
    natsUrl("nats.url empty", "\"\"");
    natsUrl("nats.url without port", "\"nats-host\"");
    natsUrl("nats.url port out of range", "\"nats://nats-host:99999\"");
    natsUrl("nats.url with a path", "\"nats://nats-host:4222/x\"");
    file("nats.url with a query", "nats:\n  url: \"nats://nats-host:4222?x=1\"\n",
         "config.yaml: nats.url=\"nats://nats-host:4222?x=***\": expected nats://");
    natsUrl("nats.url empty item", "\"nats://a:4222,,nats://b:4222\"");
    natsUrl("nats.url trailing comma", "\"nats://a:4222,\"");
    natsUrl("nats.url no host", "\"nats://:4222\"");
    env("NATS_URL redis", "NATS_URL=redis://cache:6379",
        "NATS_URL=\"redis://cache:6379\": expected nats://, tls://, ws:// or wss:// URLs or "
        "host:port, comma-separated");
    env("NATS_URL password masked", "NATS_URL=nats://bob:hunter2@nats:99999",
        "NATS_URL=\"nats://bob:***@nats:99999\": expected nats://");
    env("NATS_URL token masked", "NATS_URL=nats://hunter2@nats:0",
        "NATS_URL=\"nats://***@nats:0\": expected nats://");
    env("NATS_URL list, second password masked",
        "NATS_URL=nats://a:4222,tls://bob:hunter2@b:4443/x",
        "NATS_URL=\"nats://a:4222,tls://bob:***@b:4443/x\": expected nats://");
    env("NATS_URL without scheme, password masked", "NATS_URL=bob:hunter2@nats:4222",
        "NATS_URL=\"bob:***@nats:4222\": expected nats://");

    const char *streamNameExpected = "expected a JetStream stream name: 1 to 255 characters, no "
                                     "whitespace and none of . * > / \\";
    const auto stream = [&](const char *name, const char *value, const char *shown) {
        QTest::newRow(name) << QByteArray("nats:\n  stream_name: ") + value + '\n'
                            << QStringList() << QStringList()
                            << u"config.yaml: nats.stream_name=\"%1\": %2"_s.arg(
                                   QString::fromUtf8(shown), QString::fromUtf8(streamNameExpected));
    };
    stream("stream name with a dot", "call.signals", "call.signals");
    stream("stream name with a space", "\"call signals\"", "call signals");
    stream("stream name with a wildcard", "\"calls*\"", "calls*");
    stream("stream name with >", "\"calls>\"", "calls>");
    stream("stream name with a slash", "calls/2", "calls/2");
    stream("stream name with a backslash", "'calls\\2'", "calls\\2");
    stream("empty stream name", "\"\"", "");
    const QByteArray longName(256, 'x');
    QTest::newRow("stream name too long")
        << QByteArray("nats:\n  stream_name: ") + longName + '\n'
        << QStringList() << QStringList()
        << u"config.yaml: nats.stream_name=\"%1\": expected a JetStream stream name: 1 to 255"_s
               .arg(QString::fromLatin1(longName));

    file("subject without wildcard", "nats:\n  subject_pattern: call.signal\n",
         "config.yaml: nats.subject_pattern=\"call.signal\": expected the last token to be * or > "
         "(the event's domain replaces it), such as call.signal.*");
    file("subject with literal last token", "nats:\n  subject_pattern: call.signal.x\n",
         "config.yaml: nats.subject_pattern=\"call.signal.x\": expected the last token to be * or "
         ">");
    const char *subjectExpected = "expected a subject such as call.signal.*: dot-separated tokens "
                                  "without whitespace, wildcards only in the last";
    const auto subject = [&](const char *name, const char *value, const char *shown) {
        QTest::newRow(name) << QByteArray("nats:\n  subject_pattern: ") + value + '\n'
                            << QStringList() << QStringList()
                            << u"config.yaml: nats.subject_pattern=\"%1\": %2"_s.arg(
                                   QString::fromUtf8(shown), QString::fromUtf8(subjectExpected));
    };
    subject("subject with an empty token", "\"call..*\"", "call..*");
    subject("subject starting with a dot", "\".call.*\"", ".call.*");
    subject("subject wildcard only", "\"*\"", "*");
    subject("subject wildcard in the middle", "\"call.*.x.*\"", "call.*.x.*");
    subject("subject > in the middle", "\"call.>.*\"", "call.>.*");
    subject("subject with a space", "\"call signal.*\"", "call signal.*");
    subject("empty subject", "\"\"", "");

    const char *ackWaitExpected =
        "expected a positive number of seconds such as 10, or a Go duration such as 10s";
    const auto ackWait = [&](const char *name, const char *value) {
        QTest::newRow(name) << QByteArray("nats:\n  ack_wait_seconds: ") + value + '\n'
                            << QStringList() << QStringList()
                            << u"config.yaml: nats.ack_wait_seconds=\"%1\": %2"_s.arg(
                                   QString::fromUtf8(value), QString::fromUtf8(ackWaitExpected));
    };
    ackWait("ack wait 0", "0");
    ackWait("ack wait 0s", "0s");
    ackWait("ack wait negative", "-5");
    ackWait("ack wait fraction", "1.5");
    ackWait("ack wait words", "ten");
    file("max deliveries 0", "nats:\n  max_deliveries: 0\n",
         "config.yaml: nats.max_deliveries=\"0\": expected a positive integer");
    file("max deliveries words", "nats:\n  max_deliveries: many\n",
         "config.yaml: nats.max_deliveries=\"many\": expected a positive integer");
    file("consumer name with a dot", "nats:\n  consumer_name: hub.worker\n",
         "config.yaml: nats.consumer_name=\"hub.worker\": expected a JetStream consumer name: 1 to "
         "255 characters, no whitespace and none of . * > / \\");
    file("empty consumer name", "nats:\n  consumer_name:\n",
         "config.yaml: nats.consumer_name=\"\": expected a JetStream consumer name");
    file("max age negative", "nats:\n  max_age: -1s\n",
         "config.yaml: nats.max_age=\"-1s\": expected a Go duration");
    file("max age in days", "nats:\n  max_age: 7d\n",
         "config.yaml: nats.max_age=\"7d\": expected a Go duration such as 10ms, 5s or 1m");

    file("ingress.enabled", "ingress:\n  enabled: maybe\n",
         "config.yaml: ingress.enabled=\"maybe\": expected true or false (or yes/no, 1/0)");
    file("forward timeout unitless", "ingress:\n  forward_timeout: 3\n",
         "config.yaml: ingress.forward_timeout=\"3\": expected a Go duration such as 10ms, 5s or "
         "1m");
    file("forward timeout 0", "ingress:\n  forward_timeout: 0s\n",
         "config.yaml: ingress.forward_timeout=\"0s\": expected a duration above 0");
    file("max connections 0", "ingress:\n  max_connections_per_host: 0\n",
         "config.yaml: ingress.max_connections_per_host=\"0\": expected a positive integer");
    file("max in flight negative", "ingress:\n  max_in_flight: -1\n",
         "config.yaml: ingress.max_in_flight=\"-1\": expected a positive integer");
    file("retry delay", "ingress:\n  retry_delay: soon\n",
         "config.yaml: ingress.retry_delay=\"soon\": expected a Go duration");
    file("retry max delay 0", "ingress:\n  retry_max_delay: 0\n",
         "config.yaml: ingress.retry_max_delay=\"0\": expected a duration above 0");
    file("publish timeout", "ingress:\n  publish_timeout: 1x\n",
         "config.yaml: ingress.publish_timeout=\"1x\": expected a Go duration");
    file("dead letter stream with a dot", "ingress:\n  dead_letter_stream: dead.letters\n",
         "config.yaml: ingress.dead_letter_stream=\"dead.letters\": expected a JetStream stream "
         "name: 1 to 255 characters, no whitespace and none of . * > / \\, or empty for the "
         "default");
    file("delivered bucket with a dot", "ingress:\n  delivered_bucket: hub.delivered\n",
         "config.yaml: ingress.delivered_bucket=\"hub.delivered\": expected a key-value bucket "
         "name: 1 to 252 letters, digits, _ or -, or empty for the default");
    file("delivered bucket with a colon", "ingress:\n  delivered_bucket: \"hub:done\"\n",
         "config.yaml: ingress.delivered_bucket=\"hub:done\": expected a key-value bucket name");
    file("dead letter max messages 0", "ingress:\n  dead_letter_max_messages: 0\n",
         "config.yaml: ingress.dead_letter_max_messages=\"0\": expected a positive integer");
    file("retry delay above its cap", "ingress:\n  retry_delay: 1m\n",
         "config.yaml: ingress.retry_delay=\"1m\": expected at most ingress.retry_max_delay (30s)");
    // The same for the timeouts webhook's retries, which were raised silently instead.
    file("timeouts retry delay above its cap", "timeouts:\n  retry_delay: 2m\n",
         "config.yaml: timeouts.retry_delay=\"2m\": expected at most timeouts.retry_max_delay "
         "(1m)");
    file("timeouts retry max delay below the delay",
         "timeouts:\n  retry_delay: 20s\n  retry_max_delay: 10s\n",
         "config.yaml: timeouts.retry_delay=\"20s\": expected at most timeouts.retry_max_delay "
         "(10s)");
    file("stream name makes a bad bucket name", "nats:\n  stream_name: \"call:signals\"\n",
         "config.yaml: nats.stream_name=\"call:signals\": the default ingress.delivered_bucket "
         "\"call:signals-delivered\" is not a valid bucket name (letters, digits, _ and -); set "
         "ingress.delivered_bucket");
    QTest::newRow("stream name makes a too long dead-letter stream")
        << QByteArray("nats:\n  stream_name: ") + QByteArray(250, 's') + '\n'
        << QStringList() << QStringList()
        << u"config.yaml: nats.stream_name=\"%1\": the default ingress.dead_letter_stream "
           u"\"%1-dead-letters\" is too long; set ingress.dead_letter_stream"_s.arg(
               QString(250, u's'));
    file("dead letters in the event stream",
         "nats:\n  stream_name: calls\ningress:\n  dead_letter_stream: calls\n",
         "config.yaml: ingress.dead_letter_stream=\"calls\": expected a stream other than "
         "nats.stream_name");
    file("failure share above 1", "simulate:\n  failure_share: 1.5\n",
         "config.yaml: simulate.failure_share=\"1.5\": expected a number from 0 to 1");
    file("failure share negative", "simulate:\n  failure_share: -0.1\n",
         "config.yaml: simulate.failure_share=\"-0.1\": expected a number from 0 to 1");
    file("failure share nan", "simulate:\n  failure_share: nan\n",
         "config.yaml: simulate.failure_share=\"nan\": expected a number from 0 to 1");
    file("empty nats_server", "local_stack:\n  nats_server: \"\"\n",
         "config.yaml: local_stack.nats_server=\"\": expected a non-empty name");
    file("nats: not a map", "nats: nats://localhost:4222\n",
         "config.yaml: nats: expected a map of settings");

    // routes: (seed 002), read by its own parser.
    file("routes not a list", "routes:\n  domain: a.example\n",
         "config.yaml: routes: expected a list of routes, each with a domain and endpoints");
    file("route not a map", "routes:\n  - a.example\n",
         "config.yaml: routes[0]: expected a map with a domain and endpoints");
    file("route without domain", "routes:\n  - endpoints: [\"https://h/x\"]\n",
         "config.yaml: routes[0].domain: missing; expected the domain of the events to forward");
    file("route with empty domain", "routes:\n  - domain: \"\"\n    endpoints: [\"https://h/x\"]\n",
         "config.yaml: routes[0].domain=\"\": expected a non-empty domain");
    file("route with null domain", "routes:\n  - domain:\n    endpoints: [\"https://h/x\"]\n",
         "config.yaml: routes[0].domain=\"\": expected a non-empty domain");
    file("route with a list as domain",
         "routes:\n  - domain: [a, b]\n    endpoints: [\"https://h/x\"]\n",
         "config.yaml: routes[0].domain: expected a single value, not a list or a map");
    file("duplicate domain, other case",
         "routes:\n"
         "  - {domain: Example.com, endpoints: [\"https://h/1\"]}\n"
         "  - {domain: other.example, endpoints: [\"https://h/2\"]}\n"
         "  - {domain: EXAMPLE.COM, endpoints: [\"https://h/3\"]}\n",
         "config.yaml: routes[2].domain=\"EXAMPLE.COM\": appears twice, first at routes[0]");
    file("route without endpoints", "routes:\n  - domain: a.example\n",
         "config.yaml: routes[0].endpoints: missing; expected a non-empty list of absolute "
         "http:// or https:// URLs");
    file("route with no endpoints", "routes:\n  - domain: a.example\n    endpoints: []\n",
         "config.yaml: routes[0].endpoints: expected a non-empty list of absolute http:// or "
         "https:// URLs");
    file("route with null endpoints", "routes:\n  - domain: a.example\n    endpoints:\n",
         "config.yaml: routes[0].endpoints: expected a non-empty list");
    file("endpoints as a single URL",
         "routes:\n  - domain: a.example\n    endpoints: \"https://h/x\"\n",
         "config.yaml: routes[0].endpoints: expected a non-empty list");
    file("endpoint as a map",
         "routes:\n  - domain: a.example\n    endpoints:\n      - \"https://h/x\"\n"
         "      - {url: \"https://h/y\"}\n",
         "config.yaml: routes[0].endpoints[1]: expected a single URL, not a list or a map");
    const auto endpoint = [&](const char *name, const char *url) {
        // Two good routes first: the message must name the third.
        QTest::newRow(name) << QByteArray("routes:\n"
                                          "  - {domain: a.example, endpoints: [\"https://a/\"]}\n"
                                          "  - {domain: b.example, endpoints: [\"https://b/\"]}\n"
                                          "  - domain: c.example\n    endpoints:\n      - \"")
                + url + "\"\n"
                            << QStringList() << QStringList()
                            << u"config.yaml: routes[2].endpoints[0]=\"%1\": expected an absolute "
                               u"http:// or https:// URL"_s.arg(QString::fromUtf8(url));
    };
    endpoint("ftp endpoint", "ftp://x");
    endpoint("relative endpoint", "/webhook");
    endpoint("endpoint without scheme", "backend1.example.com/webhook");
    endpoint("endpoint without host", "http:///webhook");
    endpoint("endpoint with a space", "https://back end.example.com/webhook");
    endpoint("endpoint port out of range", "https://backend.example.com:99999/webhook");
    endpoint("endpoint on port 0", "http://backend.example.com:0/webhook");
    endpoint("file endpoint", "file:///etc/hosts");
    endpoint("websocket endpoint", "wss://hooks.example.com/in");
    endpoint("empty endpoint", "");
    file("duplicate endpoint",
         "routes:\n  - domain: a.example\n    endpoints:\n      - \"https://a.example.com/hook\"\n"
         "      - \"https://A.EXAMPLE.com/hook\"\n",
         "config.yaml: routes[0].endpoints[1]=\"https://A.EXAMPLE.com/hook\": appears twice, first "
         "at routes[0].endpoints[0]");
    file("route timeout not a duration",
         "routes:\n  - domain: a.example\n    endpoints: [\"https://h/x\"]\n    timeout: fast\n",
         "config.yaml: routes[0].timeout=\"fast\": expected a Go duration such as 10ms, 5s or 1m");
    file("route timeout unitless",
         "routes:\n  - domain: a.example\n    endpoints: [\"https://h/x\"]\n    timeout: 5\n",
         "config.yaml: routes[0].timeout=\"5\": expected a Go duration");
    file("route timeout 0",
         "routes:\n  - domain: a.example\n    endpoints: [\"https://h/x\"]\n    timeout: 0s\n",
         "config.yaml: routes[0].timeout=\"0s\": expected a duration above 0");
    file("route timeout null",
         "routes:\n  - domain: a.example\n    endpoints: [\"https://h/x\"]\n    timeout:\n",
         "config.yaml: routes[0].timeout=\"\": expected a Go duration");

    args("unknown log level", {u"--log-level"_s, u"loud"_s},
         "--log-level=\"loud\": expected one of debug, info, warn, error");
    args("unknown engine", {u"--engines"_s, u"sync,fax"_s},
         "--engines=\"sync,fax\": unknown engine \"fax\"");
    args("bad port", {u"-port"_s, u"http"_s}, "--port=\"http\": expected a port number 1..65535");
    args("unknown option", {u"--frobnicate"_s}, "Unknown option 'frobnicate'.");
    env("LONG_POLL_TIMEOUT_MS", "LONG_POLL_TIMEOUT_MS=soon",
        "LONG_POLL_TIMEOUT_MS=\"soon\": expected a positive number of milliseconds");
    file("scan batch too large", "timeouts:\n  scan_batch: 5000\n",
         "config.yaml: timeouts.scan_batch=\"5000\": expected an integer 1..3000");
    env("TIMEOUT_INTERVAL_MS", "TIMEOUT_INTERVAL_MS=0",
        "TIMEOUT_INTERVAL_MS=\"0\": expected a positive number of milliseconds such as 30000");
    env("CHECK_INTERVAL_MS", "CHECK_INTERVAL_MS=-5",
        "CHECK_INTERVAL_MS=\"-5\": expected a positive number of milliseconds such as 1000");
    env("LEADER_ELECTION_TTL", "LEADER_ELECTION_TTL=forever",
        "LEADER_ELECTION_TTL=\"forever\": expected a positive number of seconds");
    env("NOTIFICATION_WEBHOOK_URL", "NOTIFICATION_WEBHOOK_URL=care.example.com/hook",
        "NOTIFICATION_WEBHOOK_URL=\"care.example.com/hook\": expected an absolute http:// or "
        "https:// URL");
    env("WORKER_POOL_SIZE", "WORKER_POOL_SIZE=0",
        "WORKER_POOL_SIZE=\"0\": expected a positive integer");
    env("EVENT_TTL_SECONDS", "EVENT_TTL_SECONDS=-1",
        "EVENT_TTL_SECONDS=\"-1\": expected a positive number of seconds");
    env("REDIS_URL", "REDIS_URL=localhost:6379", "REDIS_URL=\"localhost:6379\": expected redis://");
    // go-redis refused an option it did not know ("redis: unexpected option: abc"), and so does
    // this, naming it. Query values are not shown: a password may sit there (?password=).
    env("REDIS_URL unknown option", "REDIS_URL=redis://cache:6379/0?abc=123",
        "REDIS_URL=\"redis://cache:6379/0?abc=***\": unexpected URL option abc; expected db or "
        "go-redis' own pool, timeout and retry options (dial_timeout, pool_size, ...)");
    env("REDIS_URL unknown options", "REDIS_URL=redis://cache/0?wrte_timout=10s&abc=123",
        "REDIS_URL=\"redis://cache/0?wrte_timout=***&abc=***\": unexpected URL options "
        "wrte_timout, abc; expected db or go-redis'");
    env("REDIS_URL unknown option among known ones",
        "REDIS_URL=redis://cache/0?pool_size=50&pasword=x&dial_timeout=5s",
        ": unexpected URL option pasword; expected");
    env("REDIS_URL db option not a number", "REDIS_URL=redis://cache/0?db=two",
        "REDIS_URL=\"redis://cache/0?db=***\": expected redis://[user:password@]host[:port][/db] "
        "with a non-negative db number");
    env("REDIS_URL negative db option", "REDIS_URL=redis://cache?db=-1",
        "REDIS_URL=\"redis://cache?db=***\": expected redis://[user:password@]host[:port][/db] "
        "with a non-negative db number");
    env("sync address unknown option", "REDIS_REMOTE_ADDR=redis://remote:6379/2?sentinel=x",
        "REDIS_REMOTE_ADDR=\"redis://remote:6379/2?sentinel=***\": unexpected URL option "
        "sentinel;");
    file("sync url unknown option", "sync:\n  local:\n    url: \"redis://h/2?tls=true\"\n",
         "config.yaml: sync.local.url=\"redis://h/2?tls=***\": unexpected URL option tls;");
    env("rediss with options", "REDIS_URL=rediss://cache:6380/0?dial_timeout=5s",
        "REDIS_URL=\"rediss://cache:6380/0?dial_timeout=***\": TLS is not supported; expected "
        "redis://");

    // A positive number beyond what the setting holds is not told it should be positive.
    env("integer beyond its range", "READER_BATCH_SIZE=99999999999",
        "READER_BATCH_SIZE=\"99999999999\": expected a positive integer of at most 2147483647");
    env("non-negative integer beyond its range", "REDIS_LOCAL_DB=3000000000",
        "REDIS_LOCAL_DB=\"3000000000\": expected a non-negative integer of at most 2147483647");
    env("EVENT_TTL_SECONDS beyond ten years", "EVENT_TTL_SECONDS=999999999",
        "EVENT_TTL_SECONDS=\"999999999\": expected at most 315360000 seconds (10 years)");
    // A route's timeout is a request deadline like ingress.forward_timeout.
    file("route timeout too long",
         "routes:\n  - domain: a.example\n    timeout: 1h0m1s\n"
         "    endpoints: [\"https://a.example/hook\"]\n",
         "config.yaml: routes[0].timeout=\"1h0m1s\": expected a duration of at most 1h");
}

void TestConfig::errors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, env);
    QFETCH(QStringList, args);
    QFETCH(QString, message);

    const ConfigResult result = load(args, env, yaml);
    QVERIFY(!result.config);
    QVERIFY2(result.error.contains(message), qPrintable(result.error));
    QVERIFY2(!result.error.contains(u'\n'), qPrintable(result.error));
    QCOMPARE(result.enginesEnabled, QStringList());
}

// The check that refuses a remote that is the local Redis compares the database too: replicating
// into another database of the same server reads nothing back.
void TestConfig::aRemoteOnAnotherDatabaseOfTheLocalServerIsFine()
{
    const ConfigResult result =
        load({},
             {u"REDIS_LOCAL_ADDR=localhost:6379"_s, u"REDIS_REMOTE_ADDR=localhost:6379"_s,
              u"REDIS_REMOTE_DB=3"_s});
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->sync.remote.db, 3);
    // Off, sync copies nothing: its addresses are not checked.
    QVERIFY(load({u"--engines"_s, u"timeouts"_s},
                 {u"REDIS_LOCAL_ADDR=localhost:6379"_s, u"REDIS_REMOTE_ADDR=localhost:6379"_s})
                .config);
}

void TestConfig::unreadableFile()
{
    const QString path = m_dir->filePath(u"missing/switchboard.yaml"_s);
    const ConfigResult result = load({u"-config"_s, path});
    QVERIFY(!result.config);
    QVERIFY2(result.error.startsWith(path + u": cannot read the configuration file: "_s),
             qPrintable(result.error));
    QVERIFY(!result.error.contains(u'\n'));
}

void TestConfig::malformedYamlNamesLineAndColumn()
{
    const ConfigResult result = load({}, {}, "server:\n  port: 8080\nlog: level: debug\n");
    QVERIFY(!result.config);
    QVERIFY2(result.error.contains(u"config.yaml:3:"_s), qPrintable(result.error));
    QVERIFY2(result.error.contains(u"invalid YAML: "_s), qPrintable(result.error));
    QVERIFY(!result.error.contains(u'\n'));
}

// The Event Hub read ./config.yaml when started without -config; Switchboard does not. An
// Event Hub start line kept as it was ran with no routes, every event a dead letter, and
// nothing in the log said why.
void TestConfig::anEventHubConfigInTheWorkingDirectoryIsNamed()
{
    writeConfig("routes:\n  - domain: a.example\n    endpoints: [\"https://a.example/hook\"]\n");
    const QString before = QDir::currentPath();
    QVERIFY(QDir::setCurrent(m_dir->path()));
    const ConfigResult implicit = load({});
    const ConfigResult explicitly = load({u"-config"_s, u"config.yaml"_s});
    QVERIFY(QDir::setCurrent(before));

    QVERIFY2(implicit.config, qPrintable(implicit.error));
    QVERIFY(implicit.config->ingress.routes.isEmpty());
    QCOMPARE(implicit.warnings.size(), 1);
    QVERIFY2(implicit.warnings[0].startsWith(u"./config.yaml is not read"_s),
             qPrintable(implicit.warnings[0]));
    QVERIFY2(implicit.warnings[0].contains(u"-config config.yaml"_s),
             qPrintable(implicit.warnings[0]));

    QVERIFY2(explicitly.config, qPrintable(explicitly.error));
    QCOMPARE(explicitly.config->ingress.routes.size(), 1);
    QVERIFY2(explicitly.warnings.isEmpty(), qPrintable(explicitly.warnings.join(u'\n')));
}

void TestConfig::unknownKeysAreWarnings()
{
    const ConfigResult result = load({}, {}, R"(
server:
  port: 8081
  colour: blue
sync:
  foo: 1
  reader:
    batch_size: 5
    speed: 3
bogus: true
routes:
  - domain: a.example
    colour: green
    endpoints: ["https://a.example/hook"]
  - domain: b.example
    endpoints: ["https://b.example/hook"]
    retries: 3
nats: {colour: red, max_deliveries: 4}
ingress: {enabled: false, speed: 3}
polling: {}
timeouts:
  enabled: true
  colour: blue
)");
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->server.port, 8081);
    QCOMPARE(result.config->sync.readerBatchSize, 5);
    QCOMPARE(result.config->nats.maxDeliveries, 4);
    QCOMPARE(result.config->ingress.enabled, false);
    QCOMPARE(result.config->ingress.routes.size(), 2);
    const QString file = result.config->configFile;
    QCOMPARE(result.warnings,
             QStringList({file + u": unknown key \"server.colour\" ignored"_s,
                          file + u": unknown key \"sync.foo\" ignored"_s,
                          file + u": unknown key \"sync.reader.speed\" ignored"_s,
                          file + u": unknown key \"bogus\" ignored"_s,
                          file + u": unknown key \"nats.colour\" ignored"_s,
                          file + u": unknown key \"ingress.speed\" ignored"_s,
                          file + u": unknown key \"timeouts.colour\" ignored"_s,
                          file + u": unknown key \"routes[0].colour\" ignored"_s,
                          file + u": unknown key \"routes[1].retries\" ignored"_s}));
}

void TestConfig::passwordsNeverInErrors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("env");

    QTest::newRow("rediss URL in the environment")
        << QByteArray() << QStringList {u"REDIS_LOCAL_ADDR=rediss://u:hunter2@cache:6380"_s};
    QTest::newRow("URL with a bad port")
        << QByteArray() << QStringList {u"REDIS_REMOTE_ADDR=redis://:hunter2@cache:99999"_s};
    QTest::newRow("unencoded / in the password")
        << QByteArray() << QStringList {u"REDIS_REMOTE_ADDR=redis://u:hun/ter2@cache/x"_s};
    QTest::newRow("URL with a bad db in the file")
        << QByteArray("sync:\n  remote:\n    url: \"redis://bob:hunter2@cache/abc\"\n")
        << QStringList();
    QTest::newRow("password as a list")
        << QByteArray("sync:\n  local:\n    password: [hunter2]\n") << QStringList();
    QTest::newRow("NATS_URL with a bad port")
        << QByteArray() << QStringList {u"NATS_URL=nats://u:hunter2@nats:99999"_s};
    QTest::newRow("NATS_URL token")
        << QByteArray() << QStringList {u"NATS_URL=nats://hunter2@nats:0"_s};
    QTest::newRow("NATS_URL list")
        << QByteArray() << QStringList {u"NATS_URL=nats://a:4222,nats://u:hunter2@b:bad"_s};
    QTest::newRow("NATS_URL without scheme")
        << QByteArray() << QStringList {u"NATS_URL=u:hunter2@nats"_s};
    QTest::newRow("NATS_URL unencoded , in the password")
        << QByteArray() << QStringList {u"NATS_URL=nats://u:hun,ter2@nats:4222"_s};
    QTest::newRow("NATS_URL unencoded @ in the password")
        << QByteArray() << QStringList {u"NATS_URL=nats://u:hun@ter2@nats:4222/x"_s};
    QTest::newRow("nats.url in the file")
        << QByteArray("nats:\n  url: \"tls://u:hunter2@nats:4222/path\"\n") << QStringList();
    QTest::newRow("nats.url fine, another value bad")
        << QByteArray("nats:\n  url: \"nats://u:hunter2@nats:4222\"\n  max_deliveries: 0\n")
        << QStringList();
    QTest::newRow("route endpoint with a password")
        << QByteArray("routes:\n  - domain: a\n    endpoints: [\"ftp://u:hunter2@h/x\"]\n")
        << QStringList();
    QTest::newRow("route endpoint twice with a password")
        << QByteArray("routes:\n  - domain: a\n    endpoints:\n"
                      "      - \"https://u:hunter2@h/x\"\n      - \"https://u:hunter2@h/x\"\n")
        << QStringList();
    QTest::newRow("REDIS_URL with an unknown option")
        << QByteArray() << QStringList {u"REDIS_URL=redis://u:hunter2@cache/0?abc=1"_s};
    QTest::newRow("REDIS_URL with a password option")
        << QByteArray() << QStringList {u"REDIS_URL=redis://cache/0?password=hunter2"_s};
    QTest::newRow("REDIS_URL with a bad db option")
        << QByteArray() << QStringList {u"REDIS_URL=redis://:hunter2@cache/0?db=x&pool_size=5"_s};
    QTest::newRow("password set, another value bad")
        << QByteArray("api:\n  token: hunter2\n")
        << QStringList {u"REDIS_LOCAL_PASSWORD=hunter2"_s, u"READER_WORKERS=x"_s};
}

void TestConfig::passwordsNeverInErrors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, env);
    const ConfigResult result = load({}, env, yaml);
    QVERIFY(!result.config);
    QVERIFY(!result.error.isEmpty());
    QVERIFY2(!result.error.contains(u"hunter2"_s), qPrintable(result.error));
    QVERIFY2(!result.error.contains(u"ter2"_s), qPrintable(result.error));
}

// Every duration the configuration takes, at its longest and one step beyond. All but
// nats.max_age end up in a QTimer (an int of milliseconds: 24.8 days at most), in arithmetic on
// one, or in a wait a node must see the end of; the limits are what an operator would ever set,
// and a longer value stops the start instead of overflowing in an engine weeks later.
void TestConfig::durationLimits_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("variable"); // the seed's variable, empty when only the file has it
    QTest::addColumn<QString>("longest"); // accepted
    QTest::addColumn<QString>("tooLong"); // refused
    QTest::addColumn<QString>("expected"); // what the error says was expected
    QTest::addColumn<QByteArray>("alongside"); // more lines of the key's section, when needed

    const auto row = [](const char *key, const char *variable, const char *longest,
                        const char *tooLong, const char *expected,
                        const QByteArray &alongside = QByteArray()) {
        QTest::newRow(
            qPrintable(u"%1=%2"_s.arg(QLatin1StringView(key), QLatin1StringView(tooLong))))
            << QString::fromLatin1(key) << QString::fromLatin1(variable)
            << QString::fromLatin1(longest) << QString::fromLatin1(tooLong)
            << QString::fromLatin1(expected) << alongside;
    };
    const char *const oneMinute = "expected a duration of at most 1m";
    const char *const oneHour = "expected a duration of at most 1h";
    const char *const oneDay = "expected a duration of at most 24h";

    // A log threshold; ten times it is the local Redis command timeout.
    row("sync.reader.max_latency", "READER_MAX_LATENCY", "1h", "1h0m0.001s", oneHour);
    row("sync.reader.block_time", "READER_BLOCK_TIME", "1m", "61s", oneMinute);
    row("sync.writer.pipeline_timeout", "WRITER_PIPELINE_TIMEOUT", "1m", "1m1s", oneMinute);
    row("sync.writer.max_latency", "WRITER_MAX_LATENCY", "1h", "61m", oneHour);
    row("sync.total_max_latency", "TOTAL_MAX_LATENCY", "24h", "25h", oneDay);
    row("sync.claim_idle", "", "24h", "24h0m0.001s", oneDay);
    // Seed 000's interval went into a QTimer as int milliseconds: 600h overflowed it.
    row("sync.health.check_interval", "HEALTH_CHECK_INTERVAL", "1h", "600h", oneHour);
    row("sync.health.recovery_timeout", "HEALTH_RECOVERY_TIMEOUT", "24h", "48h", oneDay);

    row("nats.ack_wait_seconds", "", "86400", "86401", "expected at most 86400 seconds (24h)");
    row("nats.ack_wait_seconds", "", "24h", "99999999", "expected at most 86400 seconds (24h)");
    row("ingress.forward_timeout", "", "1h", "1h1m", oneHour);
    row("ingress.retry_delay", "", "24h", "24h1s", oneDay, "  retry_max_delay: 24h\n");
    row("ingress.retry_max_delay", "", "24h", "720h", oneDay);
    row("ingress.publish_timeout", "", "1m", "90s", oneMinute);

    row("polling.long_poll_timeout_ms", "LONG_POLL_TIMEOUT_MS", "3600000", "3600001",
        "expected at most 3600000 milliseconds (1h)");
    row("polling.long_poll_timeout_ms", "LONG_POLL_TIMEOUT_MS", "1h", "2147483648",
        "expected at most 3600000 milliseconds (1h)");

    row("timeouts.timeout_interval_ms", "TIMEOUT_INTERVAL_MS", "604800000", "604800001",
        "expected at most 604800000 milliseconds (168h)");
    row("timeouts.timeout_interval_ms", "TIMEOUT_INTERVAL_MS", "168h", "720h",
        "expected at most 604800000 milliseconds (168h)");
    row("timeouts.leader_election_ttl", "LEADER_ELECTION_TTL", "3600", "3601",
        "expected at most 3600 seconds (1h)");
    // ttl/3 went into a QTimer: 3000000 s (35 days) overflowed it.
    row("timeouts.leader_election_ttl", "LEADER_ELECTION_TTL", "1h", "3000000",
        "expected at most 3600 seconds (1h)");
    row("timeouts.check_interval_ms", "CHECK_INTERVAL_MS", "3600000", "3600001",
        "expected at most 3600000 milliseconds (1h)");
    row("timeouts.check_interval_ms", "CHECK_INTERVAL_MS", "60m", "2147483647",
        "expected at most 3600000 milliseconds (1h)");
    row("timeouts.webhook_timeout", "", "1h", "2h", oneHour);
    row("timeouts.retry_delay", "", "24h", "24h0m1s", oneDay, "  retry_max_delay: 24h\n");
    row("timeouts.retry_max_delay", "", "24h", "10000h", oneDay);
    row("timeouts.claim_idle", "", "24h", "1000h", oneDay);
}

void TestConfig::durationLimits()
{
    QFETCH(QString, key);
    QFETCH(QString, variable);
    QFETCH(QString, longest);
    QFETCH(QString, tooLong);
    QFETCH(QString, expected);
    QFETCH(QByteArray, alongside);

    const ConfigResult file = load({}, {}, nestedYaml(key, longest) + alongside);
    QVERIFY2(file.config, qPrintable(file.error));
    QCOMPARE(file.warnings, QStringList());

    const ConfigResult refused = load({}, {}, nestedYaml(key, tooLong) + alongside);
    QVERIFY2(!refused.config, qPrintable(u"%1: %2 accepted"_s.arg(key, tooLong)));
    const QString fileMessage = u"config.yaml: %1=\"%2\": %3"_s.arg(key, tooLong, expected);
    QVERIFY2(refused.error.endsWith(fileMessage), qPrintable(refused.error));

    if (variable.isEmpty())
        return;
    const ConfigResult env = load({}, {variable + u'=' + longest});
    QVERIFY2(env.config, qPrintable(env.error));
    const ConfigResult envRefused = load({}, {variable + u'=' + tooLong});
    QVERIFY2(!envRefused.config, qPrintable(u"%1=%2 accepted"_s.arg(variable, tooLong)));
    QCOMPARE(envRefused.error, u"%1=\"%2\": %3"_s.arg(variable, tooLong, expected));
}

// The timeouts leader renews its lease every third of LEADER_ELECTION_TTL and runs a script on
// Redis every CHECK_INTERVAL_MS. Both took 1 ms: a lease shorter than a Redis pause changes
// leaders over and over, and a check every millisecond keeps Redis busy for nothing. Each has
// the shortest value an operator would want; the seed's defaults (10 s, 1000 ms) and every
// whole number of seconds the Go service took for LEADER_ELECTION_TTL stay valid.
void TestConfig::timeoutsEngineMinima_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QString>("shortest"); // accepted
    QTest::addColumn<QString>("tooShort"); // refused
    QTest::addColumn<QString>("expected");

    const QString lease = u"expected at least 1s (the leader renews its lease every third of it: "
                          u"a shorter one changes leaders at every pause of Redis)"_s;
    const QString check = u"expected at least 100ms (every check is a script call on Redis)"_s;
    const auto row = [](const QString &key, const QString &variable, const QString &shortest,
                        const QString &tooShort, const QString &expected) {
        QTest::newRow(qPrintable(u"%1=%2"_s.arg(variable, tooShort)))
            << key << variable << shortest << tooShort << expected;
    };
    row(u"timeouts.leader_election_ttl"_s, u"LEADER_ELECTION_TTL"_s, u"1"_s, u"999ms"_s, lease);
    row(u"timeouts.leader_election_ttl"_s, u"LEADER_ELECTION_TTL"_s, u"1s"_s, u"1ms"_s, lease);
    row(u"timeouts.leader_election_ttl"_s, u"LEADER_ELECTION_TTL"_s, u"10"_s, u"500us"_s, lease);
    row(u"timeouts.check_interval_ms"_s, u"CHECK_INTERVAL_MS"_s, u"100"_s, u"99"_s, check);
    row(u"timeouts.check_interval_ms"_s, u"CHECK_INTERVAL_MS"_s, u"1000"_s, u"1"_s, check);
    row(u"timeouts.check_interval_ms"_s, u"CHECK_INTERVAL_MS"_s, u"100ms"_s, u"50ms"_s, check);
}

void TestConfig::timeoutsEngineMinima()
{
    QFETCH(QString, key);
    QFETCH(QString, variable);
    QFETCH(QString, shortest);
    QFETCH(QString, tooShort);
    QFETCH(QString, expected);

    const ConfigResult env = load({}, {variable + u'=' + shortest});
    QVERIFY2(env.config, qPrintable(env.error));
    const ConfigResult envRefused = load({}, {variable + u'=' + tooShort});
    QVERIFY2(!envRefused.config, qPrintable(u"%1=%2 accepted"_s.arg(variable, tooShort)));
    QCOMPARE(envRefused.error, u"%1=\"%2\": %3"_s.arg(variable, tooShort, expected));

    const ConfigResult file = load({}, {}, nestedYaml(key, shortest));
    QVERIFY2(file.config, qPrintable(file.error));
    const ConfigResult refused = load({}, {}, nestedYaml(key, tooShort));
    QVERIFY2(!refused.config, qPrintable(u"%1: %2 accepted"_s.arg(key, tooShort)));
    QVERIFY2(refused.error.endsWith(u"config.yaml: %1=\"%2\": %3"_s.arg(key, tooShort, expected)),
             qPrintable(refused.error));
}

// nats.max_age never reaches a timer: it is the MaxAge, in nanoseconds, of the streams the
// ingress engine creates. Only JetStream's own limits apply: 0 is no limit (JetStream's
// meaning), anything else at least 100 ms (nats-server refuses less: "max age needs to be >=
// 100ms") and at most an int64 of nanoseconds.
void TestConfig::natsMaxAgeWithinJetStreamLimits_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<qint64>("milliseconds"); // -1: refused
    QTest::addColumn<QString>("expected");

    // JetStream's MaxAge 0 is "no limit": an operator who keeps events for ever writes 0.
    QTest::newRow("unlimited") << u"0"_s << qint64(0) << QString();
    QTest::newRow("unlimited, with a unit") << u"0s"_s << qint64(0) << QString();
    QTest::newRow("shortest") << u"100ms"_s << qint64(100) << QString();
    QTest::newRow("ten years") << u"87600h"_s << qint64(315'360'000'000) << QString();
    QTest::newRow("longest") << u"2562047h47m16.854s"_s << qint64(9'223'372'036'854) << QString();
    QTest::newRow("too short")
        << u"99ms"_s << qint64(-1)
        << u"expected 0 (no limit) or at least 100ms (JetStream's shortest max age)"_s;
    QTest::newRow("shorter than a millisecond")
        << u"1ns"_s << qint64(-1)
        << u"expected 0 (no limit) or at least 100ms (JetStream's shortest max age)"_s;
    // Go's longest duration rounds up to one millisecond more than an int64 of nanoseconds.
    QTest::newRow("Go's longest")
        << u"2562047h47m16.854775807s"_s << qint64(-1)
        << u"expected at most 2562047h47m16.854s (JetStream's longest max age)"_s;
}

void TestConfig::natsMaxAgeWithinJetStreamLimits()
{
    QFETCH(QString, value);
    QFETCH(qint64, milliseconds);
    QFETCH(QString, expected);

    const ConfigResult result = load({}, {}, nestedYaml(u"nats.max_age"_s, value));
    if (milliseconds < 0) {
        QVERIFY2(!result.config, qPrintable(value));
        QCOMPARE(result.error,
                 u"%1: nats.max_age=\"%2\": %3"_s.arg(m_dir->filePath(u"config.yaml"_s), value,
                                                      expected));
        return;
    }
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->nats.maxAge.count(), milliseconds);
    // What the ingress engine hands to JetStream, in nanoseconds, must not overflow.
    QVERIFY(result.config->nats.maxAge.count() <= std::numeric_limits<qint64>::max() / 1'000'000);
}

// A key written twice is one an operator edited in one place while the other one counted:
// the start stops, naming both lines (Go's yaml.v3 refuses such a file too).
void TestConfig::duplicateKeysAreErrors_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QString>("message");

    QTest::newRow("key twice in one map")
        << QByteArray("server:\n  port: 8081\n  bind: 127.0.0.1\n  port: 9090\n")
        << u"config.yaml:4:3: server.port: appears twice, first at line 2; expected each key "
           u"once"_s;
    QTest::newRow("section twice")
        << QByteArray("server:\n  port: 8081\nsync:\n  group: g\nserver:\n  bind: 127.0.0.1\n")
        << u"config.yaml:5:1: server: appears twice, first at line 1"_s;
    QTest::newRow("flow map") << QByteArray("nats: {max_deliveries: 3, max_deliveries: 5}\n")
                              << u": nats.max_deliveries: appears twice, first at line 1"_s;
    QTest::newRow("unknown key twice")
        << QByteArray("sync:\n  colour: red\n  colour: blue\n")
        << u"config.yaml:3:3: sync.colour: appears twice, first at line 2"_s;
    QTest::newRow("routes twice") << QByteArray(
        "routes: []\nroutes:\n  - {domain: a, endpoints: [\"https://h/x\"]}\n")
                                  << u"config.yaml:2:1: routes: appears twice, first at line 1"_s;
    QTest::newRow("key twice in a route")
        << QByteArray("routes:\n  - domain: a.example\n    endpoints: [\"https://h/x\"]\n"
                      "    domain: b.example\n")
        << u"config.yaml:4:5: routes[0].domain: appears twice, first at line 2"_s;
}

void TestConfig::duplicateKeysAreErrors()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QString, message);
    const ConfigResult result = load({}, {}, yaml);
    QVERIFY2(!result.config, "a duplicate key was accepted");
    QVERIFY2(result.error.contains(message), qPrintable(result.error));
    QVERIFY(!result.error.contains(u'\n'));
}

void TestConfig::tabIndentationIsNamed()
{
    // yaml-cpp says "illegal map value" here, which does not tell an operator that the editor
    // put a tab where YAML wants spaces.
    const ConfigResult result = load({}, {}, "server:\n\tport: 8081\n  bind: 127.0.0.1\n");
    QVERIFY(!result.config);
    QVERIFY2(result.error.contains(u"config.yaml:2:"_s), qPrintable(result.error));
    QVERIFY2(result.error.contains(u"line 2 is indented with a tab; YAML indents with spaces"_s),
             qPrintable(result.error));
    QVERIFY(!result.error.contains(u'\n'));
}

void TestConfig::emptyPodIdAndWebhookUrlMeanTheDefault()
{
    // The shipped example's `# pod_id: ""  # default: host name and process id`, uncommented;
    // an empty webhook URL is "no notifier", as NOTIFICATION_WEBHOOK_URL= is.
    const ConfigResult result =
        load({}, {}, "timeouts:\n  pod_id: \"\"\n  notification_webhook_url: \"\"\n");
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->timeouts.podId,
             QHostInfo::localHostName() + u'-'
                 + QString::number(QCoreApplication::applicationPid()));
    QCOMPARE(result.config->timeouts.notificationWebhookUrl, QString());

    // The variables still override the file.
    const ConfigResult env =
        load({}, {u"POD_ID=care-1"_s, u"NOTIFICATION_WEBHOOK_URL=https://care.example.com/hook"_s},
             "timeouts:\n  pod_id: \"\"\n  notification_webhook_url:\n");
    QVERIFY2(env.config, qPrintable(env.error));
    QCOMPARE(env.config->timeouts.podId, u"care-1"_s);
    QCOMPARE(env.config->timeouts.notificationWebhookUrl, u"https://care.example.com/hook"_s);
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
