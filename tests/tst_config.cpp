// The config loader as an operator migrating from the seeds meets it: their environment
// variables and defaults, the Event Hub's config.yaml and Go-style flags, and one-line errors
// that say which key, which value and what was expected.

#include "core/commandline.h"
#include "core/configloader.h"
#include "core/duration.h"

#include <QDir>
#include <QFile>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <functional>
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
    };
    const auto read = fields.value(field);
    return read ? read(c) : u"<no such field %1>"_s.arg(field);
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
    void eventHubConfigLoadsUnchanged();
    void shippedExampleConfigLoadsCleanly();
    void emptyFileIsAccepted();
    void defaultFileInConfigDirectory();
    void environmentOverridesFile();
    void commandLineOverridesEnvironment();
    void enginesFilter_data();
    void enginesFilter();

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

    void errors_data();
    void errors();
    void unreadableFile();
    void malformedYamlNamesLineAndColumn();
    void unknownKeysAreWarnings();
    void passwordsNeverInErrors_data();
    void passwordsNeverInErrors();

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
    // Keeps a developer's own ~/.config/switchboard.yaml out of the default-location tests.
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
    QCOMPARE(result.enginesEnabled, QStringList {u"sync"_s});
    const Config &c = *result.config;
    QVERIFY(c.configFile.isEmpty()); // no file anywhere: silently skipped
    QCOMPARE(c.logLevel, LogLevel::Info);
    QCOMPARE(c.headless, false);
    QCOMPARE(c.server.port, 8080);
    // HEALTH_PORT=8080 in the seed is the main port: 0 means "/health on the main port".
    QCOMPARE(c.server.healthPort, 0);
    QCOMPARE(c.server.bodyLimitBytes, 1024 * 1024);

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
    row("BUFFER_SIZE", "2000", "sync.bufferSize", "2000");
    row("WRITER_WORKERS", "4", "sync.writerWorkers", "4");
    row("WRITER_PIPELINE_TIMEOUT", "1.5s", "sync.writerPipelineTimeout", "1500");
    row("WRITER_BATCH_SIZE", "20", "sync.writerBatchSize", "20");
    row("WRITER_MAX_LATENCY", "2m", "sync.writerMaxLatency", "120000");
    row("TOTAL_MAX_LATENCY", "5s", "sync.totalMaxLatency", "5000");
    row("HEALTH_CHECK_INTERVAL", "10s", "sync.healthCheckInterval", "10000");
    row("HEALTH_RECOVERY_TIMEOUT", "1m", "sync.healthRecoveryTimeout", "60000");
    row("HEALTH_MAX_RETRIES", "9", "sync.healthMaxRetries", "9");
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
api:
  token: "t0ken"
log:
  level: debug
headless: yes
local_stack:
  data_dir: /var/lib/switchboard
  redis_server: /usr/bin/redis-server
simulate:
  enabled: true
  rate: 12.5
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
    QCOMPARE(c.server.apiToken, "t0ken");
    QCOMPARE(c.logLevel, LogLevel::Debug);
    QCOMPARE(c.headless, true);
    QCOMPARE(c.localStack.dataDir, u"/var/lib/switchboard"_s);
    QCOMPARE(c.localStack.redisServer, u"/usr/bin/redis-server"_s);
    QCOMPARE(c.simulate.enabled, true);
    QCOMPARE(c.simulate.eventsPerSecond, 12.5);

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
    QCOMPARE(result.config->server.port, 8080);
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
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation);
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
    const QString notBuilt = u"engine \"ingress\" is not part of this build yet; ignored"_s;
    QTest::newRow("default: every engine")
        << QByteArray("") << QStringList() << sync << QStringList();
    QTest::newRow("sync.enabled false") << QByteArray("sync:\n  enabled: false\n") << QStringList()
                                        << QStringList() << QStringList();
    QTest::newRow("--engines wins over sync.enabled")
        << QByteArray("sync:\n  enabled: no\n") << QStringList {u"--engines"_s, u"sync"_s} << sync
        << QStringList();
    QTest::newRow("engines: in the file")
        << QByteArray("engines: [sync]\n") << QStringList() << sync << QStringList();
    QTest::newRow("file names another engine")
        << QByteArray("engines: [ingress]\n") << QStringList() << QStringList()
        << QStringList {notBuilt};
    QTest::newRow("--engines wins over engines:")
        << QByteArray("engines: [ingress]\n") << QStringList {u"-engines"_s, u"ingress,sync"_s}
        << sync << QStringList {notBuilt};
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
    QCOMPARE(result.warnings, warnings);
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
    for (const QString &text :
         {u""_s, u"10"_s, u"1.5"_s, u"-1s"_s, u"-0"_s, u"fast"_s, u"1x"_s, u"s"_s, u".s"_s,
          u"1 s"_s, u"10ms "_s, u"1d"_s, u"1sec"_s, u"\u0663s"_s, u"99999999999h"_s})
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
    row(u"[::1]:6380"_s, u"::1:6380/2 configured"_s);
    row(u"::1"_s, u"::1:6379/2 configured"_s);
    row(u"redis://cache:6381"_s, u"cache:6381/2 configured"_s);
    row(u"redis://cache/5"_s, u"cache:6379/5 configured"_s);
    row(u"redis://:pw@cache:6379/3"_s, u"cache:6379/3 password=pw configured"_s);
    row(u"redis://alice:p%40ss@cache:6379/4"_s,
        u"cache:6379/4 user=alice password=p@ss configured"_s);
    row(u"REDIS://[::1]:6390/1"_s, u"::1:6390/1 configured"_s);
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

    args("unknown log level", {u"--log-level"_s, u"loud"_s},
         "--log-level=\"loud\": expected one of debug, info, warn, error");
    args("unknown engine", {u"--engines"_s, u"sync,fax"_s},
         "--engines=\"sync,fax\": unknown engine \"fax\"");
    args("bad port", {u"-port"_s, u"http"_s}, "--port=\"http\": expected a port number 1..65535");
    args("unknown option", {u"--frobnicate"_s}, "Unknown option 'frobnicate'.");
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
ingress: {enabled: false}
polling: {}
timeouts:
  enabled: true
)");
    QVERIFY2(result.config, qPrintable(result.error));
    QCOMPARE(result.config->server.port, 8081);
    QCOMPARE(result.config->sync.readerBatchSize, 5);
    const QString file = result.config->configFile;
    QCOMPARE(result.warnings,
             QStringList({file + u": unknown key \"server.colour\" ignored"_s,
                          file + u": unknown key \"sync.foo\" ignored"_s,
                          file + u": unknown key \"sync.reader.speed\" ignored"_s,
                          file + u": unknown key \"bogus\" ignored"_s}));
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

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
