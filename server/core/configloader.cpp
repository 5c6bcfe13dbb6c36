#include "configloader.h"

#include "duration.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>
#include <cmath>
#include <functional>
#include <vector>
#include <yaml-cpp/yaml.h>

using namespace Qt::Literals::StringLiterals;

namespace Switchboard {

namespace {

// What was expected, when a value is rejected; nothing when it was stored.
using Rejection = std::optional<QString>;
using ScalarSetter = std::function<Rejection(Config &, const QString &)>;
using ListSetter = std::function<Rejection(Config &, const QStringList &)>;

// One setting: the single source of truth for the file key, the seed's variable, how the text
// is parsed and checked, and where the value lands. The file parser, the environment, the
// command line, the unknown-key warnings and the error messages all read this table.
struct Setting
{
    QString path; // dotted YAML path: "sync.reader.batch_size"
    QString envVar; // the seed's variable, empty when only the file sets it
    bool secret = false;
    // Exactly one is set: a scalar setting takes one value, a list setting a YAML sequence.
    ScalarSetter setScalar;
    ListSetter setList;
};

Setting scalar(const QString &path, const QString &envVar, ScalarSetter set)
{
    return {path, envVar, false, std::move(set), {}};
}

Setting secret(const QString &path, const QString &envVar, ScalarSetter set)
{
    return {path, envVar, true, std::move(set), {}};
}

Setting list(const QString &path, ListSetter set)
{
    return {path, {}, false, {}, std::move(set)};
}

const QStringList engineNames = {u"sync"_s, u"ingress"_s, u"polling"_s, u"timeouts"_s};

// Top-level sections of the Event Hub's config.yaml (nats, routes) and of the engines still to
// come: their engines will read them, this loader does not yet, so they raise no warning.
const QStringList reservedSections = {u"nats"_s, u"routes"_s, u"ingress"_s, u"polling"_s,
                                      u"timeouts"_s};

const QString durationExpected = u"expected a Go duration such as 10ms, 5s or 1m"_s;
const QString addressExpected =
    u"expected host, host:port, [ipv6]:port or redis://[user:password@]host[:port][/db]"_s;
const QString urlExpected = u"expected redis://[user:password@]host[:port][/db]"_s;

std::optional<int> toInt(const QString &text)
{
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    return ok ? std::optional(value) : std::nullopt;
}

template<typename Field> ScalarSetter integer(Field field, int minimum)
{
    const QString expected =
        minimum > 0 ? u"expected a positive integer"_s : u"expected a non-negative integer"_s;
    return [=](Config &c, const QString &text) -> Rejection {
        const std::optional<int> value = toInt(text);
        if (!value || *value < minimum)
            return expected;
        field(c) = *value;
        return {};
    };
}

template<typename Field> ScalarSetter port(Field field, int minimum)
{
    const QString expected = minimum > 0
        ? u"expected a port number 1..65535"_s
        : u"expected a port number 0..65535 (0: /health on the main port only)"_s;
    return [=](Config &c, const QString &text) -> Rejection {
        const std::optional<int> value = toInt(text);
        if (!value || *value < minimum || *value > 65535)
            return expected;
        field(c) = quint16(*value);
        return {};
    };
}

template<typename Field> ScalarSetter boolean(Field field)
{
    return [=](Config &c, const QString &text) -> Rejection {
        const QString word = text.trimmed().toLower();
        if (word == u"true" || word == u"yes" || word == u"1")
            field(c) = true;
        else if (word == u"false" || word == u"no" || word == u"0")
            field(c) = false;
        else
            return u"expected true or false (or yes/no, 1/0)"_s;
        return {};
    };
}

// Every duration here is a latency bound, a timeout or an interval: zero is never meant.
template<typename Field>
ScalarSetter duration(Field field, const QString &zeroExpected = u"expected a duration above 0"_s)
{
    return [=](Config &c, const QString &text) -> Rejection {
        const std::optional<Milliseconds> value = parseGoDuration(text.trimmed());
        if (!value)
            return durationExpected;
        if (value->count() == 0)
            return zeroExpected;
        field(c) = *value;
        return {};
    };
}

template<typename Field> ScalarSetter anyText(Field field)
{
    return [=](Config &c, const QString &text) -> Rejection {
        field(c) = text;
        return {};
    };
}

template<typename Field> ScalarSetter nonEmptyText(Field field)
{
    return [=](Config &c, const QString &text) -> Rejection {
        if (text.trimmed().isEmpty())
            return u"expected a non-empty name"_s;
        field(c) = text;
        return {};
    };
}

template<typename Value, typename Field>
ScalarSetter oneOf(Field field, const QList<std::pair<QString, Value>> &choices)
{
    QStringList names;
    for (const auto &choice : choices)
        names.append(choice.first);
    const QString expected = u"expected one of "_s + names.join(u", "_s);
    return [=](Config &c, const QString &text) -> Rejection {
        for (const auto &[name, value] : choices) {
            if (text.trimmed().compare(name, Qt::CaseInsensitive) == 0) {
                field(c) = value;
                return {};
            }
        }
        return expected;
    };
}

// Plain bytes or a binary unit: 1048576, 512KiB, 1MiB.
template<typename Field> ScalarSetter byteSize(Field field)
{
    return [=](Config &c, const QString &text) -> Rejection {
        static const QRegularExpression pattern(u"^(\\d+)\\s*(B|KiB|MiB|GiB)?$"_s);
        const QRegularExpressionMatch match = pattern.match(text.trimmed());
        bool ok = false;
        const qint64 number = match.captured(1).toLongLong(&ok);
        const QString unit = match.captured(2);
        const int shift = unit == u"GiB" ? 30 : unit == u"MiB" ? 20 : unit == u"KiB" ? 10 : 0;
        if (!match.hasMatch() || !ok || number <= 0 || number > (qint64(1) << (62 - shift)))
            return u"expected a size in bytes such as 1048576, 512KiB or 1MiB"_s;
        field(c) = number << shift;
        return {};
    };
}

template<typename Field> ScalarSetter hostAddress(Field field)
{
    return [=](Config &c, const QString &text) -> Rejection {
        QHostAddress address;
        if (!address.setAddress(text.trimmed()))
            return u"expected an IP address such as 0.0.0.0, 127.0.0.1 or ::"_s;
        field(c) = address;
        return {};
    };
}

template<typename Field> ScalarSetter positiveNumber(Field field, const QString &expected)
{
    return [=](Config &c, const QString &text) -> Rejection {
        bool ok = false;
        const double value = text.trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(value) || value <= 0)
            return expected;
        field(c) = value;
        return {};
    };
}

// "host", "host:port", "[::1]:6379", or a bare IPv6 address such as "::1" (default port).
bool setHostPort(RedisEndpoint &endpoint, const QString &text)
{
    QString host = text;
    std::optional<QString> portText;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0)
            return false;
        host = text.mid(1, close - 1);
        const QString rest = text.mid(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(u':'))
                return false;
            portText = rest.mid(1);
        }
    } else if (text.count(u':') == 1) {
        host = text.section(u':', 0, 0);
        portText = text.section(u':', 1);
    } else if (text.contains(u':')
               && QHostAddress(text).protocol() != QAbstractSocket::IPv6Protocol) {
        return false; // several colons only make sense as an IPv6 address without a port
    }
    static const QRegularExpression forbidden(u"[\\s/@?#]"_s);
    if (host.isEmpty() || host.contains(forbidden))
        return false;
    quint16 port = 6379;
    if (portText) {
        const std::optional<int> value = toInt(*portText);
        if (!value || *value < 1 || *value > 65535)
            return false;
        port = quint16(*value);
    }
    endpoint.host = host;
    endpoint.port = port;
    return true;
}

// A redis:// URL sets only what it spells out: a URL without "/db" keeps the db already set.
// Within one source (the file, or the environment), the separate db and password settings are
// applied after addr/url (their table order below), so an explicit REDIS_LOCAL_DB beats the
// URL's "/db"; a later source overrides an earlier one whichever form either uses.
Rejection setRedisUrl(RedisEndpoint &endpoint, const QString &text)
{
    const QString scheme = text.section(u"://"_s, 0, 0).toLower();
    if (scheme == u"rediss")
        return u"TLS is not supported; expected redis://[user:password@]host[:port][/db]"_s;
    const QUrl url(text, QUrl::StrictMode);
    if (scheme != u"redis" || !url.isValid() || url.host().isEmpty() || url.port(6379) < 1
        || url.hasQuery() || url.hasFragment())
        return urlExpected;
    std::optional<int> db;
    const QString path = url.path();
    if (path.size() > 1) {
        db = toInt(path.mid(1));
        if (!db || *db < 0)
            return urlExpected + u" with a non-negative db number"_s;
    }
    endpoint.host = url.host();
    endpoint.port = quint16(url.port(6379));
    if (db)
        endpoint.db = *db;
    if (!url.userName().isEmpty())
        endpoint.username = url.userName(QUrl::FullyDecoded);
    if (!url.password().isEmpty())
        endpoint.password = url.password(QUrl::FullyDecoded);
    return {};
}

// sync.*.addr accepts the seeds' host:port and a URL; sync.*.url only a URL. Either names the
// server, so the local stack is not used for it.
template<typename Field> ScalarSetter redisAddress(Field field, bool urlOnly)
{
    return [=](Config &c, const QString &text) -> Rejection {
        RedisEndpoint &endpoint = field(c);
        const QString trimmed = text.trimmed();
        if (trimmed.contains(u"://"_s)) {
            if (Rejection rejection = setRedisUrl(endpoint, trimmed))
                return rejection;
        } else if (urlOnly || !setHostPort(endpoint, trimmed)) {
            return urlOnly ? urlExpected : addressExpected;
        }
        endpoint.configured = true;
        return {};
    };
}

template<typename Field> ListSetter engineList(Field field)
{
    return [=](Config &c, const QStringList &names) -> Rejection {
        const QString expected = u"expected engine names from "_s + engineNames.join(u", "_s);
        if (names.isEmpty())
            return expected;
        QStringList engines;
        for (const QString &name : names) {
            if (!engineNames.contains(name))
                return u"unknown engine \"%1\"; "_s.arg(name) + expected;
            if (!engines.contains(name))
                engines.append(name);
        }
        field(c) = engines;
        return {};
    };
}

template<typename Field> ListSetter streamList(Field field)
{
    return [=](Config &c, const QStringList &streams) -> Rejection {
        for (const QString &stream : streams) {
            if (stream.trimmed().isEmpty())
                return u"expected non-empty stream names"_s;
        }
        field(c) = streams;
        return {};
    };
}

// The field a setting writes, as a function of the Config: keeps the table one line a setting.
// clang-format off
#define FIELD(member) [](Config &c) -> auto & { return c.member; }
// clang-format on

const std::vector<Setting> &settings()
{
    static const std::vector<Setting> table = {
        scalar(u"server.port"_s, u"PORT"_s, port(FIELD(server.port), 1)),
        scalar(u"server.health_port"_s, u"HEALTH_PORT"_s, port(FIELD(server.healthPort), 0)),
        scalar(u"server.bind"_s, {}, hostAddress(FIELD(server.bindAddress))),
        scalar(u"server.body_limit"_s, {}, byteSize(FIELD(server.bodyLimitBytes))),
        secret(u"api.token"_s, {},
               [](Config &c, const QString &text) -> Rejection {
                   c.server.apiToken = text.toUtf8();
                   return {};
               }),
        scalar(u"log.level"_s, {},
               oneOf<LogLevel>(FIELD(logLevel),
                               {{u"debug"_s, LogLevel::Debug},
                                {u"info"_s, LogLevel::Info},
                                {u"warn"_s, LogLevel::Warn},
                                {u"error"_s, LogLevel::Error}})),
        scalar(u"headless"_s, {}, boolean(FIELD(headless))),
        list(u"engines"_s, engineList(FIELD(engines))),
        scalar(u"local_stack.data_dir"_s, {}, anyText(FIELD(localStack.dataDir))),
        scalar(u"local_stack.redis_server"_s, {}, nonEmptyText(FIELD(localStack.redisServer))),
        scalar(u"simulate.enabled"_s, {}, boolean(FIELD(simulate.enabled))),
        scalar(u"simulate.rate"_s, {},
               positiveNumber(FIELD(simulate.eventsPerSecond),
                              u"expected a positive number of events per second"_s)),

        scalar(u"sync.enabled"_s, {}, boolean(FIELD(sync.enabled))),
        // addr and url before db and password: see setRedisUrl().
        scalar(u"sync.local.addr"_s, u"REDIS_LOCAL_ADDR"_s, redisAddress(FIELD(sync.local), false)),
        scalar(u"sync.local.url"_s, {}, redisAddress(FIELD(sync.local), true)),
        scalar(u"sync.local.db"_s, u"REDIS_LOCAL_DB"_s, integer(FIELD(sync.local.db), 0)),
        secret(u"sync.local.password"_s, u"REDIS_LOCAL_PASSWORD"_s,
               anyText(FIELD(sync.local.password))),
        scalar(u"sync.local.pool_size"_s, u"REDIS_LOCAL_POOL_SIZE"_s,
               integer(FIELD(sync.localPoolSize), 1)),
        scalar(u"sync.local.min_idle_conns"_s, u"REDIS_LOCAL_MIN_IDLE_CONNS"_s,
               integer(FIELD(sync.localMinIdleConns), 0)),
        scalar(u"sync.local.max_retries"_s, u"REDIS_LOCAL_MAX_RETRIES"_s,
               integer(FIELD(sync.localMaxRetries), 0)),
        scalar(u"sync.remote.addr"_s, u"REDIS_REMOTE_ADDR"_s,
               redisAddress(FIELD(sync.remote), false)),
        scalar(u"sync.remote.url"_s, {}, redisAddress(FIELD(sync.remote), true)),
        scalar(u"sync.remote.db"_s, u"REDIS_REMOTE_DB"_s, integer(FIELD(sync.remote.db), 0)),
        secret(u"sync.remote.password"_s, u"REDIS_REMOTE_PASSWORD"_s,
               anyText(FIELD(sync.remote.password))),
        scalar(u"sync.remote.pool_size"_s, u"REDIS_REMOTE_POOL_SIZE"_s,
               integer(FIELD(sync.remotePoolSize), 1)),
        scalar(u"sync.remote.min_idle_conns"_s, u"REDIS_REMOTE_MIN_IDLE_CONNS"_s,
               integer(FIELD(sync.remoteMinIdleConns), 0)),
        scalar(u"sync.remote.max_retries"_s, u"REDIS_REMOTE_MAX_RETRIES"_s,
               integer(FIELD(sync.remoteMaxRetries), 0)),
        scalar(u"sync.group"_s, u"REDIS_GROUP"_s, nonEmptyText(FIELD(sync.group))),
        scalar(u"sync.consumer"_s, u"REDIS_CONSUMER"_s, nonEmptyText(FIELD(sync.consumer))),
        scalar(u"sync.stream_events"_s, u"STREAM_EVENTS"_s, nonEmptyText(FIELD(sync.streamEvents))),
        scalar(u"sync.stream_jobs"_s, u"STREAM_JOBS"_s, nonEmptyText(FIELD(sync.streamJobs))),
        list(u"sync.extra_streams"_s, streamList(FIELD(sync.extraStreams))),
        scalar(u"sync.start_from"_s, {},
               oneOf<StartFrom>(
                   FIELD(sync.startFrom),
                   {{u"earliest"_s, StartFrom::Earliest}, {u"latest"_s, StartFrom::Latest}})),
        scalar(u"sync.reader.workers"_s, u"READER_WORKERS"_s,
               integer(FIELD(sync.readerWorkers), 1)),
        scalar(u"sync.reader.batch_size"_s, u"READER_BATCH_SIZE"_s,
               integer(FIELD(sync.readerBatchSize), 1)),
        scalar(u"sync.reader.max_latency"_s, u"READER_MAX_LATENCY"_s,
               duration(FIELD(sync.readerMaxLatency))),
        scalar(u"sync.reader.block_time"_s, u"READER_BLOCK_TIME"_s,
               duration(FIELD(sync.readerBlockTime),
                        u"expected a duration above 0 (XREADGROUP BLOCK 0 waits forever)"_s)),
        scalar(u"sync.buffer_size"_s, u"BUFFER_SIZE"_s, integer(FIELD(sync.bufferSize), 1)),
        scalar(u"sync.buffer_bytes"_s, {}, byteSize(FIELD(sync.bufferBytes))),
        scalar(u"sync.writer.workers"_s, u"WRITER_WORKERS"_s,
               integer(FIELD(sync.writerWorkers), 1)),
        scalar(u"sync.writer.pipeline_timeout"_s, u"WRITER_PIPELINE_TIMEOUT"_s,
               duration(FIELD(sync.writerPipelineTimeout))),
        scalar(u"sync.writer.batch_size"_s, u"WRITER_BATCH_SIZE"_s,
               integer(FIELD(sync.writerBatchSize), 1)),
        scalar(u"sync.writer.max_latency"_s, u"WRITER_MAX_LATENCY"_s,
               duration(FIELD(sync.writerMaxLatency))),
        scalar(u"sync.total_max_latency"_s, u"TOTAL_MAX_LATENCY"_s,
               duration(FIELD(sync.totalMaxLatency))),
        scalar(u"sync.claim_idle"_s, {}, duration(FIELD(sync.claimIdle))),
        scalar(u"sync.health.check_interval"_s, u"HEALTH_CHECK_INTERVAL"_s,
               duration(FIELD(sync.healthCheckInterval))),
        scalar(u"sync.health.recovery_timeout"_s, u"HEALTH_RECOVERY_TIMEOUT"_s,
               duration(FIELD(sync.healthRecoveryTimeout))),
        scalar(u"sync.health.max_retries"_s, u"HEALTH_MAX_RETRIES"_s,
               integer(FIELD(sync.healthMaxRetries), 1)),
    };
    return table;
}

#undef FIELD

const Setting *findSetting(const QString &path)
{
    for (const Setting &setting : settings()) {
        if (setting.path == path)
            return &setting;
    }
    return nullptr;
}

// A map in the file that holds settings ("sync", "sync.reader") rather than being one.
bool isSection(const QString &path)
{
    const QString prefix = path + u'.';
    for (const Setting &setting : settings()) {
        if (setting.path.startsWith(prefix))
            return true;
    }
    return false;
}

// A value as an error message may show it: on one line, with the password of a
// redis://user:password@host URL and every secret setting replaced by ***.
QString shown(const Setting &setting, const QString &value)
{
    if (setting.secret)
        return u"***"_s;
    QString text = value;
    const qsizetype schemeEnd = text.indexOf(u"://"_s);
    const qsizetype at = text.lastIndexOf(u'@');
    if (schemeEnd >= 0 && at > schemeEnd) {
        const qsizetype colon = text.indexOf(u':', schemeEnd + 3);
        if (colon >= 0 && colon < at)
            text.replace(colon + 1, at - colon - 1, u"***"_s);
    }
    return text.replace(u'\n', u"\\n"_s).replace(u'\r', u"\\r"_s);
}

class Loader
{
public:
    bool readFile(const QString &fileName);
    bool applyEnvironment(const QProcessEnvironment &env);
    bool applyCommandLine(const CommandLineOptions &cli);
    ConfigResult result();
    ConfigResult failure() const { return {std::nullopt, m_error, m_warnings, {}}; }

private:
    bool collect(const YAML::Node &map, const QString &prefix, const QString &fileName,
                 QHash<QString, YAML::Node> &found);
    bool applyNode(const Setting &setting, const QString &fileName, const YAML::Node &node);
    // `source` names where the value came from: "config.yaml: sync.reader.batch_size",
    // "READER_BATCH_SIZE" or "--log-level".
    bool apply(const Setting &setting, const QString &source, const QString &text);
    bool apply(const Setting &setting, const QString &source, const QStringList &items);
    bool fail(const QString &line)
    {
        m_error = line;
        return false;
    }

    Config m_config;
    QStringList m_warnings;
    QString m_error;
};

bool Loader::readFile(const QString &fileName)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly))
        return fail(
            u"%1: cannot read the configuration file: %2"_s.arg(fileName, file.errorString()));
    YAML::Node root;
    try {
        root = YAML::Load(file.readAll().toStdString());
    } catch (const YAML::Exception &e) {
        const QString where = e.mark.is_null()
            ? fileName
            : u"%1:%2:%3"_s.arg(fileName).arg(e.mark.line + 1).arg(e.mark.column + 1);
        return fail(u"%1: invalid YAML: %2"_s.arg(where, QString::fromStdString(e.msg)));
    }
    m_config.configFile = fileName;
    // An empty or all-comment file sets nothing; that is not worth stopping for.
    if (root.IsNull())
        return true;
    if (!root.IsMap())
        return fail(u"%1: expected a map of settings (server:, sync:, ...) at the top level"_s.arg(
            fileName));

    QHash<QString, YAML::Node> found;
    if (!collect(root, QString(), fileName, found))
        return false;
    // Table order, not file order: addr/url must come before db/password (see setRedisUrl()).
    for (const Setting &setting : settings()) {
        const auto it = found.constFind(setting.path);
        if (it != found.cend() && !applyNode(setting, fileName, *it))
            return false;
    }
    return true;
}

// Flattens the file's maps into dotted paths, warning about keys no setting knows.
bool Loader::collect(const YAML::Node &map, const QString &prefix, const QString &fileName,
                     QHash<QString, YAML::Node> &found)
{
    for (const auto &entry : map) {
        const QString key = QString::fromStdString(entry.first.Scalar());
        const QString path = prefix.isEmpty() ? key : prefix + u'.' + key;
        const YAML::Node &value = entry.second;
        if (findSetting(path)) {
            found.insert(path, value);
        } else if (prefix.isEmpty() && reservedSections.contains(key)) {
            continue;
        } else if (isSection(path)) {
            if (value.IsMap()) {
                if (!collect(value, path, fileName, found))
                    return false;
            } else if (!value.IsNull()) {
                return fail(u"%1: %2: expected a map of settings"_s.arg(fileName, path));
            }
        } else {
            m_warnings.append(u"%1: unknown key \"%2\" ignored"_s.arg(fileName, path));
        }
    }
    return true;
}

bool Loader::applyNode(const Setting &setting, const QString &fileName, const YAML::Node &node)
{
    const QString source = fileName + u": "_s + setting.path;
    // "key:" with nothing after it is YAML's null; read it as the empty text it looks like.
    if (setting.setList) {
        QStringList items;
        if (!node.IsSequence() && !node.IsNull())
            return fail(source + u": expected a list such as [a, b]"_s);
        for (const auto &item : node) {
            if (!item.IsScalar())
                return fail(source + u": expected a list of plain values"_s);
            items.append(QString::fromStdString(item.Scalar()));
        }
        return apply(setting, source, items);
    }
    if (!node.IsScalar() && !node.IsNull())
        return fail(source + u": expected a single value, not a list or a map"_s);
    return apply(setting, source,
                 node.IsNull() ? QString() : QString::fromStdString(node.Scalar()));
}

bool Loader::apply(const Setting &setting, const QString &source, const QString &text)
{
    if (const Rejection expected = setting.setScalar(m_config, text))
        return fail(u"%1=\"%2\": %3"_s.arg(source, shown(setting, text), *expected));
    return true;
}

bool Loader::apply(const Setting &setting, const QString &source, const QStringList &items)
{
    if (const Rejection expected = setting.setList(m_config, items))
        return fail(u"%1=\"%2\": %3"_s.arg(source, shown(setting, items.join(u',')), *expected));
    return true;
}

bool Loader::applyEnvironment(const QProcessEnvironment &env)
{
    for (const Setting &setting : settings()) {
        if (setting.envVar.isEmpty())
            continue;
        // Empty counts as unset, as in the seeds' env files, where `REDIS_LOCAL_PASSWORD=` with
        // nothing after it means "the default".
        const QString value = env.value(setting.envVar);
        if (!value.isEmpty() && !apply(setting, setting.envVar, value))
            return false;
    }
    return true;
}

bool Loader::applyCommandLine(const CommandLineOptions &cli)
{
    // parseCommandLine() has checked --port and --simulate-rate already.
    if (cli.port)
        m_config.server.port = *cli.port;
    if (cli.logLevel && !apply(*findSetting(u"log.level"_s), u"--log-level"_s, *cli.logLevel))
        return false;
    if (cli.engines && !apply(*findSetting(u"engines"_s), u"--engines"_s, *cli.engines))
        return false;
    if (cli.headless)
        m_config.headless = true;
    if (cli.simulate)
        m_config.simulate.enabled = true;
    if (cli.simulateRate)
        m_config.simulate.eventsPerSecond = *cli.simulateRate;
    return true;
}

ConfigResult Loader::result()
{
    // An engine list (engines: or --engines) wins over <engine>.enabled: naming the engines to
    // run is the more specific decision.
    if (!m_config.engines.isEmpty()) {
        m_config.sync.enabled = m_config.engines.contains(u"sync"_s);
        for (const QString &name : std::as_const(m_config.engines)) {
            if (name != u"sync")
                m_warnings.append(
                    u"engine \"%1\" is not part of this build yet; ignored"_s.arg(name));
        }
    }
    QStringList enabled;
    if (m_config.sync.enabled)
        enabled.append(u"sync"_s);
    return {m_config, QString(), m_warnings, enabled};
}

// switchboard.yaml beside the binary first (a self-contained install keeps its config with
// it), then in the user's or system's config directory; empty when there is none.
QString defaultConfigFile()
{
    const QString name = u"switchboard.yaml"_s;
    if (QCoreApplication::instance()) {
        const QString besideBinary = QDir(QCoreApplication::applicationDirPath()).filePath(name);
        if (QFileInfo::exists(besideBinary))
            return besideBinary;
    }
    return QStandardPaths::locate(QStandardPaths::AppConfigLocation, name);
}

} // namespace

ConfigResult loadConfig(const CommandLineOptions &cli, const QProcessEnvironment &env)
{
    if (!cli.error.isEmpty())
        return {std::nullopt, cli.error, {}, {}};
    Loader loader;
    const QString fileName = cli.configFile.isEmpty() ? defaultConfigFile() : cli.configFile;
    if ((!fileName.isEmpty() && !loader.readFile(fileName)) || !loader.applyEnvironment(env)
        || !loader.applyCommandLine(cli))
        return loader.failure();
    return loader.result();
}

} // namespace Switchboard
