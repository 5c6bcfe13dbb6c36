#include "configloader.h"

#include "duration.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QHostInfo>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QUrl>
#include <QUrlQuery>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>
#include <yaml-cpp/yaml.h>

using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

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
// The engines this build runs, in the order ConfigResult::enginesEnabled lists them.
const QStringList builtEngines = {u"sync"_s, u"ingress"_s, u"polling"_s, u"timeouts"_s};

// The Event Hub's list of routes, read by Loader::readRoutes() rather than the table.
const QString routesKey = u"routes"_s;
const QString endpointsExpected =
    u"expected a non-empty list of absolute http:// or https:// URLs"_s;

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

std::optional<qint64> toInt64(const QString &text)
{
    bool ok = false;
    const qint64 value = text.trimmed().toLongLong(&ok);
    return ok ? std::optional(value) : std::nullopt;
}

template<typename Field> ScalarSetter integer(Field field, int minimum)
{
    const QString expected =
        minimum > 0 ? u"expected a positive integer"_s : u"expected a non-negative integer"_s;
    return [=](Config &c, const QString &text) -> Rejection {
        const std::optional<qint64> value = toInt64(text);
        if (!value || *value < minimum)
            return expected;
        // "expected a positive integer" would puzzle whoever wrote 99999999999.
        if (*value > std::numeric_limits<int>::max())
            return expected + u" of at most %1"_s.arg(std::numeric_limits<int>::max());
        field(c) = int(*value);
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

// A whole number of seconds the Go service's config struct had and never used.
ScalarSetter goIgnoredSeconds()
{
    return [](Config &, const QString &text) -> Rejection {
        const std::optional<qint64> value = toInt64(text);
        if (!value || *value < 0)
            return u"expected a whole number of seconds such as 10 (read, as by the Event Hub, "
                   u"and not used)"_s;
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

// The longest value of each duration setting (the table below says which). Every duration but
// nats.max_age ends up in a QTimer, whose interval is an int of milliseconds (24.8 days at most),
// in arithmetic on one (a third of a lease, 2.8 simulated intervals, a delay doubled 20 times),
// or in a wait a node must see the end of. A longer value would overflow in an engine long after
// the start, so it stops the start instead. The limits are what an operator would ever set:
// a minute for a Redis block or write and for POST /events' wait, an hour for request deadlines,
// log thresholds, check intervals and the leader's lease, a day for backoffs, idle takeovers and
// the like.
constexpr Milliseconds oneMinute = 1min;
constexpr Milliseconds oneHour = 1h;
constexpr Milliseconds oneDay = 24h;
// TIMEOUT_INTERVAL_MS: level 3 is due at 3 x this; a week between levels is the most a support
// team would wait.
constexpr Milliseconds oneWeek = 168h;
// nats.max_age goes to JetStream as an int64 of nanoseconds (Go's time.Duration), and
// nats-server refuses a MaxAge under 100 ms: "max age needs to be >= 100ms".
constexpr Milliseconds jetStreamShortestMaxAge = 100ms;
constexpr Milliseconds jetStreamLongestMaxAge {std::numeric_limits<qint64>::max() / 1'000'000};
static_assert(oneWeek.count() * 28 / 10 < std::numeric_limits<int>::max(),
              "TIMEOUT_INTERVAL_MS: the simulator arms a QTimer for up to 2.8 intervals");

// The shortest value of a setting that has one, and why: "expected at least 1s (why)". Without
// one, any duration above 0 is taken (1 ms: durations round up to whole milliseconds).
struct Floor
{
    Milliseconds shortest {1};
    QString why;
};

// LEADER_ELECTION_TTL: the leader renews its lease every third of it, and steps down when a
// renewal has not come back before the lease ends. Under a second, a pause of Redis of a few
// hundred milliseconds (a fork for BGSAVE, a slow fsync, a failover) or of this process is enough
// to hand leadership from pod to pod over and over. The seed's variable is whole seconds: every
// value the Go service took is still taken.
const Floor shortestLease {1s,
                           u"the leader renews its lease every third of it: a shorter one changes "
                           u"leaders at every pause of Redis"_s};
// CHECK_INTERVAL_MS: every check is at least one fenced script call of the leader on Redis, and
// a level is notified at most one interval late: below 100 ms Redis is kept busy for a precision
// no conversation timeout (seconds to minutes) needs. The seed's default is 1000.
const Floor shortestCheck {100ms, u"every check is a script call on Redis"_s};

QString atMost(Milliseconds longest)
{
    return u"expected a duration of at most %1"_s.arg(formatDuration(longest));
}

// Every duration here is a latency bound, a timeout or an interval: zero is never meant.
Rejection parsePositiveDuration(const QString &text, Milliseconds &value, Milliseconds longest,
                                const QString &zeroExpected = u"expected a duration above 0"_s)
{
    const std::optional<Milliseconds> parsed = parseGoDuration(text.trimmed());
    if (!parsed)
        return durationExpected;
    if (parsed->count() == 0)
        return zeroExpected;
    if (*parsed > longest)
        return atMost(longest);
    value = *parsed;
    return {};
}

template<typename Field>
ScalarSetter duration(Field field, Milliseconds longest,
                      const QString &zeroExpected = u"expected a duration above 0"_s)
{
    return [=](Config &c, const QString &text) -> Rejection {
        Milliseconds value;
        if (Rejection rejection = parsePositiveDuration(text, value, longest, zeroExpected))
            return rejection;
        field(c) = value;
        return {};
    };
}

// A whole number of `unit`s ("10" seconds, "30000" milliseconds) or a Go duration, from
// `floor` (1 ms unless the setting has its own) to `longest`: the seeds' nats.ack_wait_seconds,
// LEADER_ELECTION_TTL and *_MS variables.
Rejection parseNumberOrDuration(const QString &text, Milliseconds unit, Milliseconds longest,
                                const QString &expected, const QString &unitName,
                                Milliseconds &value, const Floor &floor)
{
    std::optional<Milliseconds> parsed;
    if (const std::optional<qint64> whole = toInt64(text)) {
        if (*whole < 1)
            return expected;
        // Compared before multiplying, so that no number of seconds can overflow.
        if (*whole > longest / unit)
            parsed = longest + 1ms;
        else
            parsed = *whole * unit;
    } else {
        parsed = parseGoDuration(text.trimmed());
        if (!parsed || parsed->count() == 0)
            return expected;
    }
    if (*parsed > longest)
        return u"expected at most %1 %2 (%3)"_s.arg(QString::number(longest / unit), unitName,
                                                    formatDuration(longest));
    if (*parsed < floor.shortest)
        return u"expected at least %1 (%2)"_s.arg(formatDuration(floor.shortest), floor.why);
    value = *parsed;
    return {};
}

// The seed's nats.ack_wait_seconds is whole seconds; a Go duration ("10s") is accepted too.
template<typename Field>
ScalarSetter seconds(Field field, Milliseconds longest, const Floor &floor = {})
{
    return [=](Config &c, const QString &text) -> Rejection {
        return parseNumberOrDuration(
            text, 1s, longest,
            u"expected a positive number of seconds such as 10, or a Go duration such as 10s"_s,
            u"seconds"_s, field(c), floor);
    };
}

// The seeds' *_MS variables are whole milliseconds; a Go duration ("30s") is accepted too.
template<typename Field>
ScalarSetter milliseconds(Field field, const QString &example, Milliseconds longest,
                          const Floor &floor = {})
{
    return [=](Config &c, const QString &text) -> Rejection {
        return parseNumberOrDuration(text, 1ms, longest,
                                     u"expected a positive number of milliseconds such as %1, or "
                                     u"a Go duration such as 30s"_s.arg(example),
                                     u"milliseconds"_s, field(c), floor);
    };
}

// nats.max_age: only JetStream's own limits, whatever an operator means to keep. 0 is what
// JetStream's MaxAge 0 is, no limit: an operator who keeps events for ever writes 0. (The
// ingress engine hands the value to JetStream and reads it nowhere else.)
template<typename Field> ScalarSetter jetStreamMaxAge(Field field)
{
    return [=](Config &c, const QString &text) -> Rejection {
        const std::optional<Milliseconds> value = parseGoDuration(text.trimmed());
        if (!value)
            return durationExpected;
        if (*value != 0ms && *value < jetStreamShortestMaxAge)
            return u"expected 0 (no limit) or at least %1 (JetStream's shortest max age)"_s.arg(
                formatDuration(jetStreamShortestMaxAge));
        if (*value > jetStreamLongestMaxAge)
            return u"expected at most %1 (JetStream's longest max age)"_s.arg(
                formatDuration(jetStreamLongestMaxAge));
        field(c) = *value;
        return {};
    };
}

bool isWebUrl(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return url.isValid() && !url.isRelative() && (scheme == u"http" || scheme == u"https")
        && !url.host().isEmpty() && url.port() != 0;
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

// A name that `valid` accepts; an optional one may also be empty, meaning "the default".
template<typename Field>
ScalarSetter checkedName(Field field, bool (*valid)(const QString &), const QString &expected,
                         bool allowEmpty = false)
{
    return [=](Config &c, const QString &text) -> Rejection {
        if (!valid(text) && !(allowEmpty && text.isEmpty()))
            return allowEmpty ? expected + u", or empty for the default"_s : expected;
        field(c) = text;
        return {};
    };
}

// JetStream's rules for stream and consumer names: they become subjects ($JS.API.STREAM.INFO.
// <name>) and file names on the server, hence no subject tokens, wildcards or path separators.
bool isJetStreamName(const QString &name)
{
    static const QRegularExpression forbidden(u"[\\s.*>/\\\\\\p{Cc}]"_s);
    return !name.isEmpty() && name.size() <= 255 && !name.contains(forbidden);
}

const QString streamNameExpected = u"expected a JetStream stream name: 1 to 255 characters, "
                                   u"no whitespace and none of . * > / \\"_s;
const QString consumerNameExpected = u"expected a JetStream consumer name: 1 to 255 characters, "
                                     u"no whitespace and none of . * > / \\"_s;

// A key-value bucket is the stream KV_<bucket>, and its name is stricter than a stream's.
bool isBucketName(const QString &name)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9_-]{1,252}$"_s);
    return pattern.match(name).hasMatch();
}

const QString bucketNameExpected =
    u"expected a key-value bucket name: 1 to 252 letters, digits, _ or -"_s;

const QString subjectExpected = u"expected a subject such as call.signal.*: dot-separated "
                                u"tokens without whitespace, wildcards only in the last"_s;

// nats.subject_pattern: the stream's subject filter, whose last token the engine replaces by
// the event's domain. At least one literal token before it, so that the stream does not take
// every subject on the server.
Rejection checkSubjectPattern(const QString &text)
{
    static const QRegularExpression whitespace(u"[\\s\\p{Cc}]"_s);
    const QStringList tokens = text.split(u'.');
    if (text.contains(whitespace) || tokens.size() < 2)
        return subjectExpected;
    for (qsizetype i = 0; i < tokens.size(); ++i) {
        const QString &token = tokens.at(i);
        if (token.isEmpty()
            || (i + 1 < tokens.size() && (token.contains(u'*') || token.contains(u'>'))))
            return subjectExpected;
    }
    if (tokens.last() != u"*" && tokens.last() != u">")
        return u"expected the last token to be * or > (the event's domain replaces it), "
               u"such as call.signal.*"_s;
    return {};
}

const QString natsUrlExpected = u"expected nats://, tls://, ws:// or wss:// URLs or host:port, "
                                u"comma-separated"_s;

// One server of nats.url, as cnats reads it: a URL, or host:port (cnats adds nats://).
bool isNatsServer(const QString &server)
{
    if (server.contains(u"://"_s)) {
        const QUrl url(server, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        const bool websocket = scheme == u"ws" || scheme == u"wss";
        return url.isValid() && (websocket || scheme == u"nats" || scheme == u"tls")
            && !url.host().isEmpty() && url.port(4222) >= 1 && !url.hasQuery() && !url.hasFragment()
            && (websocket || url.path().isEmpty() || url.path() == u"/");
    }
    static const QRegularExpression hostPort(
        u"^(\\[[0-9A-Fa-f:.]+\\]|[^\\s/@?#:\\[\\]]+):(\\d{1,5})$"_s);
    const QRegularExpressionMatch match = hostPort.match(server);
    const int port = match.captured(2).toInt();
    return match.hasMatch() && port >= 1 && port <= 65535;
}

// nats.url / NATS_URL names the servers, so the local stack's nats-server is not used. The
// list is stored without blanks around its commas.
ScalarSetter natsServers()
{
    return [](Config &c, const QString &text) -> Rejection {
        QStringList servers;
        for (const QString &item : text.split(u',')) {
            const QString server = item.trimmed();
            if (!isNatsServer(server))
                return natsUrlExpected;
            servers.append(server);
        }
        c.nats.url = servers.join(u',');
        c.nats.configured = true;
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

template<typename Field> ScalarSetter fraction(Field field, const QString &expected)
{
    return [=](Config &c, const QString &text) -> Rejection {
        bool ok = false;
        const double value = text.trimmed().toDouble(&ok);
        if (!ok || !(value >= 0 && value <= 1))
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

// The options of go-redis' redis.ParseURL (v8 and v9) that tune go-redis' own connection pool,
// timeouts and retries. The seeds 001 and 004 read REDIS_URL with it, so a team may have them in
// its URL; Switchboard's connections are its own (README: "Pools and workers"), so they are
// accepted, so that the start is not stopped, and named in a warning.
const QStringList goRedisTuningOptions = {
    u"protocol"_s,
    u"client_name"_s,
    u"max_retries"_s,
    u"min_retry_backoff"_s,
    u"max_retry_backoff"_s,
    u"dial_timeout"_s,
    u"read_timeout"_s,
    u"write_timeout"_s,
    u"context_timeout_enabled"_s,
    u"pool_fifo"_s,
    u"pool_size"_s,
    u"pool_timeout"_s,
    u"min_idle_conns"_s,
    u"max_idle_conns"_s,
    u"max_active_conns"_s,
    u"conn_max_idle_time"_s,
    u"conn_max_lifetime"_s,
    u"idle_timeout"_s,
    u"max_conn_age"_s,
    u"idle_check_frequency"_s,
    u"idle_timeout_seconds"_s,
};

// A redis:// URL sets only what it spells out: a URL without "/db" keeps the db already set.
// Within one source (the file, or the environment), the separate db and password settings are
// applied after addr/url (their table order below), so an explicit REDIS_LOCAL_DB beats the
// URL's "/db"; a later source overrides an earlier one whichever form either uses. The query
// is read as go-redis reads it: `db` overrides the path's db (the last one written counts, an
// empty one is none), go-redis' tuning options are kept aside for a warning, and any other
// option is refused, as go-redis refused it ("redis: unexpected option").
Rejection setRedisUrl(RedisEndpoint &endpoint, const QString &text)
{
    const QString scheme = text.section(u"://"_s, 0, 0).toLower();
    if (scheme == u"rediss")
        return u"TLS is not supported; expected redis://[user:password@]host[:port][/db]"_s;
    const QUrl url(text, QUrl::StrictMode);
    if (scheme != u"redis" || !url.isValid() || url.host().isEmpty() || url.port(6379) < 1
        || url.hasFragment())
        return urlExpected;
    const QString dbExpected = urlExpected + u" with a non-negative db number"_s;
    std::optional<int> db;
    const QString path = url.path();
    if (path.size() > 1) {
        db = toInt(path.mid(1));
        if (!db || *db < 0)
            return dbExpected;
    }
    QString dbOption;
    QStringList ignored;
    QStringList unexpected;
    for (const auto &[name, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded)) {
        QStringList &names = goRedisTuningOptions.contains(name) ? ignored : unexpected;
        if (name == u"db")
            dbOption = value;
        else if (!names.contains(name))
            names.append(name);
    }
    if (!dbOption.isEmpty()) {
        db = toInt(dbOption);
        if (!db || *db < 0)
            return dbExpected;
    }
    if (!unexpected.isEmpty())
        return u"unexpected URL option%1 %2; expected db or go-redis' own pool, timeout and retry "
               u"options (dial_timeout, pool_size, ...)"_s.arg(
                   unexpected.size() > 1 ? u"s"_s : QString(), unexpected.join(u", "_s));
    endpoint.host = url.host();
    endpoint.port = quint16(url.port(6379));
    if (db)
        endpoint.db = *db;
    if (!url.userName().isEmpty())
        endpoint.username = url.userName(QUrl::FullyDecoded);
    if (!url.password().isEmpty())
        endpoint.password = url.password(QUrl::FullyDecoded);
    endpoint.ignoredUrlOptions = ignored;
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

// The Telemetry Service's CORS_ALLOWED_ORIGINS: origins separated by commas, or "*" for any. A
// browser's Origin is scheme://host[:port] with no path, lower case: each item is stored so,
// a trailing '/' dropped. An item with a path or without a scheme would never match one and
// is refused; empty is no origin at all.
ScalarSetter corsOrigins()
{
    return [](Config &c, const QString &text) -> Rejection {
        // A browser's Origin never holds a *: https://*.shop.example would match no page, and
        // every poll of the shop's would be kept from it without a word.
        static const QRegularExpression origin(
            u"^[a-z][a-z0-9+.-]*://(\\[[0-9a-f:.]+\\]|[^\\s/?#@:\\[\\]*]+)(:\\d{1,5})?/?$"_s);
        QStringList origins;
        for (const QString &item : text.split(u',')) {
            QString value = item.trimmed().toLower();
            if (value.isEmpty())
                continue;
            if (value != u"*") {
                if (!origin.match(value).hasMatch())
                    return u"expected * or origins such as https://shop.example or "
                           u"http://localhost:3000 (scheme, host and port, no path or wildcard), "
                           u"comma-separated"_s;
                if (value.endsWith(u'/'))
                    value.chop(1);
            }
            if (!origins.contains(value))
                origins.append(value);
        }
        c.polling.corsAllowedOrigins = origins;
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
        // The Event Hub's config.yaml.example has these two; its HTTP server never read them
        // (a fixed 10 s). Checked as the Go YAML decoder checked them (an integer), then unused.
        scalar(u"server.read_timeout_seconds"_s, {}, goIgnoredSeconds()),
        scalar(u"server.write_timeout_seconds"_s, {}, goIgnoredSeconds()),
        scalar(u"server.bind"_s, {}, hostAddress(FIELD(server.bindAddress))),
        scalar(u"server.body_limit"_s, {}, byteSize(FIELD(server.bodyLimitBytes))),
        scalar(u"server.idle_timeout"_s, {}, duration(FIELD(server.idleTimeout), oneDay)),
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
        scalar(u"local_stack.nats_server"_s, {}, nonEmptyText(FIELD(localStack.natsServer))),
        scalar(u"simulate.enabled"_s, {}, boolean(FIELD(simulate.enabled))),
        scalar(u"simulate.rate"_s, {},
               positiveNumber(FIELD(simulate.eventsPerSecond),
                              u"expected a positive number of events per second"_s)),
        scalar(u"simulate.failure_share"_s, {},
               fraction(FIELD(simulate.failureShare),
                        u"expected a number from 0 to 1 (0.2: one demo request in five fails)"_s)),

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
               duration(FIELD(sync.readerMaxLatency), oneHour)),
        scalar(u"sync.reader.block_time"_s, u"READER_BLOCK_TIME"_s,
               duration(FIELD(sync.readerBlockTime), oneMinute,
                        u"expected a duration above 0 (XREADGROUP BLOCK 0 waits forever)"_s)),
        scalar(u"sync.buffer_size"_s, u"BUFFER_SIZE"_s, integer(FIELD(sync.bufferSize), 1)),
        scalar(u"sync.buffer_bytes"_s, {}, byteSize(FIELD(sync.bufferBytes))),
        scalar(u"sync.writer.workers"_s, u"WRITER_WORKERS"_s,
               integer(FIELD(sync.writerWorkers), 1)),
        scalar(u"sync.writer.pipeline_timeout"_s, u"WRITER_PIPELINE_TIMEOUT"_s,
               duration(FIELD(sync.writerPipelineTimeout), oneMinute)),
        scalar(u"sync.writer.batch_size"_s, u"WRITER_BATCH_SIZE"_s,
               integer(FIELD(sync.writerBatchSize), 1)),
        scalar(u"sync.writer.max_latency"_s, u"WRITER_MAX_LATENCY"_s,
               duration(FIELD(sync.writerMaxLatency), oneHour)),
        scalar(u"sync.total_max_latency"_s, u"TOTAL_MAX_LATENCY"_s,
               duration(FIELD(sync.totalMaxLatency), oneDay)),
        scalar(u"sync.claim_idle"_s, {}, duration(FIELD(sync.claimIdle), oneDay)),
        scalar(u"sync.health.check_interval"_s, u"HEALTH_CHECK_INTERVAL"_s,
               duration(FIELD(sync.healthCheckInterval), oneHour)),
        scalar(u"sync.health.recovery_timeout"_s, u"HEALTH_RECOVERY_TIMEOUT"_s,
               duration(FIELD(sync.healthRecoveryTimeout), oneDay)),
        scalar(u"sync.health.max_retries"_s, u"HEALTH_MAX_RETRIES"_s,
               integer(FIELD(sync.healthMaxRetries), 1)),

        // The Event Hub's nats: section (seed 002), then our own. Its routes: list is a list of
        // maps, which this table cannot express: Loader::readRoutes() reads it.
        scalar(u"nats.url"_s, u"NATS_URL"_s, natsServers()),
        scalar(u"nats.stream_name"_s, {},
               checkedName(FIELD(nats.streamName), isJetStreamName, streamNameExpected)),
        scalar(u"nats.subject_pattern"_s, {},
               [](Config &c, const QString &text) -> Rejection {
                   if (Rejection rejection = checkSubjectPattern(text))
                       return rejection;
                   c.nats.subjectPattern = text;
                   return {};
               }),
        scalar(u"nats.ack_wait_seconds"_s, {}, seconds(FIELD(nats.ackWait), oneDay)),
        scalar(u"nats.max_deliveries"_s, {}, integer(FIELD(nats.maxDeliveries), 1)),
        scalar(u"nats.consumer_name"_s, {},
               checkedName(FIELD(nats.consumerName), isJetStreamName, consumerNameExpected)),
        scalar(u"nats.max_age"_s, {}, jetStreamMaxAge(FIELD(nats.maxAge))),

        scalar(u"ingress.enabled"_s, {}, boolean(FIELD(ingress.enabled))),
        scalar(u"ingress.forward_timeout"_s, {}, duration(FIELD(ingress.forwardTimeout), oneHour)),
        scalar(u"ingress.max_connections_per_host"_s, {},
               integer(FIELD(ingress.maxConnectionsPerHost), 1)),
        scalar(u"ingress.max_in_flight"_s, {}, integer(FIELD(ingress.maxInFlight), 1)),
        scalar(u"ingress.retry_delay"_s, {}, duration(FIELD(ingress.retryDelay), oneDay)),
        scalar(u"ingress.retry_max_delay"_s, {}, duration(FIELD(ingress.retryMaxDelay), oneDay)),
        scalar(u"ingress.circuit_breaker_failures"_s, {},
               integer(FIELD(ingress.circuitBreakerFailures), 0)),
        // POST /events waits this long for its answer.
        scalar(u"ingress.publish_timeout"_s, {},
               duration(FIELD(ingress.publishTimeout), oneMinute)),
        scalar(u"ingress.dead_letter_stream"_s, {},
               checkedName(FIELD(ingress.deadLetterStream), isJetStreamName, streamNameExpected,
                           true)),
        scalar(u"ingress.delivered_bucket"_s, {},
               checkedName(FIELD(ingress.deliveredBucket), isBucketName, bucketNameExpected, true)),
        scalar(u"ingress.dead_letter_max_messages"_s, {},
               integer(FIELD(ingress.deadLetterMaxMessages), 1)),

        // The Telemetry Service's variables (seed 001), then our own.
        scalar(u"polling.enabled"_s, {},
               [](Config &c, const QString &text) -> Rejection {
                   if (Rejection rejection = boolean(FIELD(polling.enabled))(c, text))
                       return rejection;
                   c.polling.enabledByName = c.polling.enabled;
                   return {};
               }),
        scalar(u"polling.redis_url"_s, u"REDIS_URL"_s, redisAddress(FIELD(polling.redis), true)),
        secret(u"polling.jwt_secret"_s, u"JWT_SECRET"_s,
               [](Config &c, const QString &text) -> Rejection {
                   if (text.isEmpty())
                       return u"expected the HS256 secret the tokens are signed with"_s;
                   c.polling.jwtSecret = text.toUtf8();
                   return {};
               }),
        scalar(u"polling.long_poll_timeout_ms"_s, u"LONG_POLL_TIMEOUT_MS"_s,
               milliseconds(FIELD(polling.longPollTimeout), u"25000"_s, oneHour)),
        scalar(u"polling.worker_pool_size"_s, u"WORKER_POOL_SIZE"_s,
               integer(FIELD(polling.workerPoolSize), 1)),
        scalar(u"polling.event_ttl_seconds"_s, u"EVENT_TTL_SECONDS"_s,
               [](Config &c, const QString &text) -> Rejection {
                   constexpr qint64 tenYears = 10LL * 365 * 86400;
                   const std::optional<qint64> seconds = toInt64(text);
                   if (!seconds || *seconds < 1)
                       return u"expected a positive number of seconds such as 86400"_s;
                   if (*seconds > tenYears)
                       return u"expected at most %1 seconds (10 years)"_s.arg(tenYears);
                   c.polling.eventTtlSeconds = *seconds;
                   return {};
               }),
        secret(u"polling.internal_api_token"_s, u"INTERNAL_API_TOKEN"_s,
               [](Config &c, const QString &text) -> Rejection {
                   c.polling.internalApiToken = text.toUtf8();
                   return {};
               }),
        scalar(u"polling.cors_allowed_origins"_s, u"CORS_ALLOWED_ORIGINS"_s, corsOrigins()),
        scalar(u"polling.max_events_per_response"_s, {},
               integer(FIELD(polling.maxEventsPerResponse), 1)),
        scalar(u"polling.key_prefix"_s, {}, nonEmptyText(FIELD(polling.keyPrefix))),

        // Redis Timeout Tracking's variables (seed 004), then our own.
        scalar(u"timeouts.enabled"_s, {}, boolean(FIELD(timeouts.enabled))),
        scalar(u"timeouts.redis_url"_s, u"REDIS_URL"_s, redisAddress(FIELD(timeouts.redis), true)),
        scalar(u"timeouts.timeout_interval_ms"_s, u"TIMEOUT_INTERVAL_MS"_s,
               milliseconds(FIELD(timeouts.timeoutInterval), u"30000"_s, oneWeek)),
        scalar(u"timeouts.leader_election_ttl"_s, u"LEADER_ELECTION_TTL"_s,
               seconds(FIELD(timeouts.leaderTtl), oneHour, shortestLease)),
        scalar(u"timeouts.check_interval_ms"_s, u"CHECK_INTERVAL_MS"_s,
               milliseconds(FIELD(timeouts.checkInterval), u"1000"_s, oneHour, shortestCheck)),
        // Empty in the file means what the unset variable means: hostname-pid, no notifier. The
        // example file shows `pod_id: ""` as the default.
        scalar(u"timeouts.pod_id"_s, u"POD_ID"_s,
               [](Config &c, const QString &text) -> Rejection {
                   c.timeouts.podId = text.trimmed().isEmpty() ? QString() : text;
                   return {};
               }),
        scalar(u"timeouts.notification_webhook_url"_s, u"NOTIFICATION_WEBHOOK_URL"_s,
               [](Config &c, const QString &text) -> Rejection {
                   if (text.trimmed().isEmpty()) {
                       c.timeouts.notificationWebhookUrl.clear();
                       return {};
                   }
                   if (!isWebUrl(QUrl(text.trimmed(), QUrl::StrictMode)))
                       return u"expected an absolute http:// or https:// URL"_s;
                   c.timeouts.notificationWebhookUrl = text.trimmed();
                   return {};
               }),
        scalar(u"timeouts.webhook_timeout"_s, {},
               duration(FIELD(timeouts.webhookTimeout), oneHour)),
        scalar(u"timeouts.retry_delay"_s, {}, duration(FIELD(timeouts.retryDelay), oneDay)),
        scalar(u"timeouts.retry_max_delay"_s, {}, duration(FIELD(timeouts.retryMaxDelay), oneDay)),
        scalar(u"timeouts.claim_idle"_s, {}, duration(FIELD(timeouts.claimIdle), oneDay)),
        scalar(u"timeouts.webhook_refusal_attempts"_s, {},
               integer(FIELD(timeouts.webhookRefusalAttempts), 1)),
        scalar(u"timeouts.scan_batch"_s, {},
               [](Config &c, const QString &text) -> Rejection {
                   // Redis' Lua passes at most ~8000 arguments to one call; a batch is 2 per
                   // notification in some.
                   const std::optional<int> value = toInt(text);
                   if (!value || *value < 1 || *value > 3000)
                       return u"expected an integer 1..3000"_s;
                   c.timeouts.scanBatch = *value;
                   return {};
               }),
        scalar(u"timeouts.stream_max_length"_s, {}, integer(FIELD(timeouts.streamMaxLength), 1)),
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

// A text as an error message may show it: on one line, with the credentials of every URL in it
// replaced by ***. A user-info ends at an '@' and starts after the nearest "://" before it (or
// at the start: cnats takes "user:password@host:4222" without a scheme). Its user name, up to
// the first ':', stays; a user-info without a ':' is a token (nats://token@host) and goes
// whole. Over-masking is the safe way to be wrong: "nats://h1:4222,u:pw@h2:4222" shows as
// "nats://h1:***@h2:4222", and a password with an unencoded ',' or '@' is still hidden.
// Then the values of a URL's query go too ("redis://h/0?password=***"): some clients take a
// password or a token there, and a message about an option names the option. (User-infos first:
// a password with an unencoded '?' would otherwise be read as the start of a query.)
QString oneLine(QString text)
{
    qsizetype at = text.lastIndexOf(u'@');
    while (at >= 0) {
        const qsizetype scheme = text.lastIndexOf(u"://"_s, at);
        const qsizetype start = scheme >= 0 ? scheme + 3 : 0;
        const qsizetype colon = text.indexOf(u':', start);
        const qsizetype from = colon >= 0 && colon < at ? colon + 1 : start;
        text.replace(from, at - from, u"***"_s);
        // An '@' at `from` or later was part of the text just masked.
        at = from > 0 ? text.lastIndexOf(u'@', from - 1) : -1;
    }
    static const QRegularExpression query(u"://[^\\s,?#]*\\?([^\\s,#]*)"_s);
    static const QRegularExpression queryValue(u"=[^&]*"_s);
    QList<QRegularExpressionMatch> queries;
    for (QRegularExpressionMatchIterator it = query.globalMatch(text); it.hasNext();)
        queries.append(it.next());
    // From the last to the first, so that each match's offsets still hold.
    for (auto match = queries.crbegin(); match != queries.crend(); ++match)
        text.replace(match->capturedStart(1), match->capturedLength(1),
                     match->captured(1).replace(queryValue, u"=***"_s));
    return text.replace(u'\n', u"\\n"_s).replace(u'\r', u"\\r"_s);
}

// A setting's value as an error message may show it: secret settings as *** whatever they hold.
QString shown(const Setting &setting, const QString &value)
{
    return setting.secret ? u"***"_s : oneLine(value);
}

// yaml-cpp keeps every copy of a key written twice in one map (Go's yaml.v3 refuses such a
// file). Whichever copy we took, an operator who edited the other one would see the edit ignored
// without a word: the second copy is an error. The keys of one map are checked as the map is
// read, `firstLines` holding each key's line so far.
std::optional<QString> duplicateKey(QHash<QString, int> &firstLines, const QString &key,
                                    const YAML::Node &keyNode, const QString &fileName,
                                    const QString &path)
{
    const YAML::Mark mark = keyNode.Mark();
    const auto first = firstLines.constFind(key);
    if (first == firstLines.cend()) {
        firstLines.insert(key, mark.line + 1);
        return std::nullopt;
    }
    return u"%1:%2:%3: %4: appears twice, first at line %5; expected each key once"_s.arg(
        fileName, QString::number(mark.line + 1), QString::number(mark.column + 1), path,
        QString::number(*first));
}

// yaml-cpp's own words for a tab-indented line are sometimes "illegal map value": the 1-based
// number of the first line indented with a tab, when there is one before or at `errorLine`.
std::optional<int> tabIndentedLine(const QByteArray &text, int errorLine)
{
    const QList<QByteArray> lines = text.split('\n');
    for (int i = 0; i < lines.size() && i < errorLine; ++i) {
        const QByteArray &line = lines.at(i);
        for (const char c : line) {
            if (c == '\t')
                return i + 1;
            if (c != ' ')
                break;
        }
    }
    return std::nullopt;
}

// YAML's merge key: `<<: *defaults` (or a list of such maps, the earlier winning) adds the keys
// of the maps it names that the map does not set itself. Go's yaml.v2 and v3 read the Event Hub's
// config.yaml with it; yaml-cpp 0.7 keeps "<<" as an ordinary key, so a route that took its
// endpoints that way had none, and a nats: section that took its url had the local stack's.
// A quoted '<<' is a plain key, as in YAML.
// yaml-cpp makes an alias the very node it names: one read twice is converted once (a file of
// nested aliases, each naming the one before ten times, would otherwise expand into billions of
// nodes), and one that names a map or list holding it (`a: &a [*a]`) is a cycle, refused with its
// line rather than followed until the stack overflows.
class MergedKeys
{
public:
    YAML::Node operator()(const YAML::Node &node)
    {
        if (!node.IsMap() && !node.IsSequence())
            return node;
        for (const YAML::Node &open : m_open) {
            if (open.is(node))
                throw YAML::ParserException(node.Mark(),
                                            "an alias names the map or list that holds it");
        }
        for (const auto &[original, converted] : m_done) {
            if (original.is(node))
                return converted;
        }
        m_open.push_back(node);
        YAML::Node converted = convert(node);
        m_open.pop_back();
        m_done.emplace_back(node, converted);
        return converted;
    }

private:
    YAML::Node convert(const YAML::Node &node)
    {
        if (node.IsSequence()) {
            YAML::Node items(YAML::NodeType::Sequence);
            for (const YAML::Node &item : node)
                items.push_back((*this)(item));
            return items;
        }
        YAML::Node merged(YAML::NodeType::Map);
        QSet<QString> keys;
        std::vector<YAML::Node> mergedMaps;
        for (const auto &entry : node) {
            const YAML::Node &value = entry.second;
            const bool mergeKey =
                entry.first.IsScalar() && entry.first.Scalar() == "<<" && entry.first.Tag() != "!";
            if (mergeKey && value.IsMap()) {
                mergedMaps.push_back((*this)(value));
            } else if (mergeKey && value.IsSequence()
                       && std::all_of(value.begin(), value.end(),
                                      [](const YAML::Node &item) { return item.IsMap(); })) {
                for (const YAML::Node &item : value)
                    mergedMaps.push_back((*this)(item));
            } else {
                keys.insert(QString::fromStdString(entry.first.Scalar()));
                merged.force_insert(entry.first, (*this)(value));
            }
        }
        for (const YAML::Node &map : mergedMaps) {
            for (const auto &entry : map) {
                const QString key = QString::fromStdString(entry.first.Scalar());
                if (!keys.contains(key)) {
                    keys.insert(key);
                    merged.force_insert(entry.first, entry.second);
                }
            }
        }
        return merged;
    }

    std::vector<YAML::Node> m_open; // the maps and lists being converted, outermost first
    std::vector<std::pair<YAML::Node, YAML::Node>> m_done; // converted: original, result
};

YAML::Node withMergedKeys(const YAML::Node &node)
{
    return MergedKeys()(node);
}

class Loader
{
public:
    bool readFile(const QString &fileName);
    bool applyEnvironment(const QProcessEnvironment &env);
    bool applyCommandLine(const CommandLineOptions &cli);
    ConfigResult result();
    ConfigResult failure() const { return {std::nullopt, m_error, m_warnings, m_notes, {}}; }

private:
    bool collect(const YAML::Node &map, const QString &prefix, const QString &fileName,
                 QHash<QString, YAML::Node> &found);
    bool readRoutes(const YAML::Node &routes, const QString &fileName);
    // `path` is the route's place in the file, "routes[2]", for messages.
    bool readRoute(const YAML::Node &route, const QString &fileName, const QString &path,
                   IngressRoute &out);
    bool readEndpoints(const YAML::Node &endpoints, const QString &fileName, const QString &path,
                       QStringList &out);
    bool checkIngress();
    bool checkPolling();
    bool checkTimeouts();
    bool checkSync();
    // "config.yaml: ", or nothing when no file was read: the source of a check across settings.
    QString filePrefix() const;
    void warnIgnoredUrlOptions(const QString &source);
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
    QStringList m_notes;
    QString m_error;
};

bool Loader::readFile(const QString &fileName)
{
    QFile file(fileName);
    if (!file.open(QIODevice::ReadOnly))
        return fail(
            u"%1: cannot read the configuration file: %2"_s.arg(fileName, file.errorString()));
    YAML::Node root;
    const QByteArray text = file.readAll();
    try {
        root = withMergedKeys(YAML::Load(text.toStdString()));
    } catch (const YAML::Exception &e) {
        const QString where = e.mark.is_null()
            ? fileName
            : u"%1:%2:%3"_s.arg(fileName).arg(e.mark.line + 1).arg(e.mark.column + 1);
        QString message = QString::fromStdString(e.msg);
        if (const std::optional<int> tabbed = tabIndentedLine(
                text, e.mark.is_null() ? std::numeric_limits<int>::max() : e.mark.line + 1);
            tabbed && !message.contains(u"tab"_s))
            message +=
                u"; line %1 is indented with a tab; YAML indents with spaces only"_s.arg(*tabbed);
        return fail(u"%1: invalid YAML: %2"_s.arg(where, message));
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
    const auto routes = found.constFind(routesKey);
    return routes == found.cend() || readRoutes(*routes, fileName);
}

// The Event Hub's top-level routes: a list of {domain, endpoints, timeout}. Null or [] is no
// route at all: every event then becomes a dead letter, which is the engine's business.
bool Loader::readRoutes(const YAML::Node &routes, const QString &fileName)
{
    if (routes.IsNull())
        return true;
    if (!routes.IsSequence())
        return fail(fileName
                    + u": routes: expected a list of routes, each with a domain and endpoints"_s);
    QList<IngressRoute> read;
    for (std::size_t i = 0; i < routes.size(); ++i) {
        const QString path = u"routes[%1]"_s.arg(i);
        IngressRoute route;
        if (!readRoute(routes[i], fileName, path, route))
            return false;
        // Events find their route by domain, case-insensitively: of two routes for one domain,
        // one would never be used.
        for (qsizetype first = 0; first < read.size(); ++first) {
            if (read.at(first).domain.compare(route.domain, Qt::CaseInsensitive) == 0)
                return fail(u"%1: %2.domain=\"%3\": appears twice, first at routes[%4]"_s.arg(
                    fileName, path, oneLine(route.domain), QString::number(first)));
        }
        read.append(route);
    }
    m_config.ingress.routes = read;
    return true;
}

bool Loader::readRoute(const YAML::Node &route, const QString &fileName, const QString &path,
                       IngressRoute &out)
{
    const QString where = fileName + u": "_s + path;
    if (!route.IsMap())
        return fail(where + u": expected a map with a domain and endpoints"_s);
    bool hasEndpoints = false;
    QHash<QString, int> firstLines;
    for (const auto &entry : route) {
        const QString key = QString::fromStdString(entry.first.Scalar());
        const YAML::Node &value = entry.second;
        const QString source = where + u'.' + key;
        if (const std::optional<QString> duplicate =
                duplicateKey(firstLines, key, entry.first, fileName, path + u'.' + key))
            return fail(*duplicate);
        if (key == u"endpoints") {
            if (!readEndpoints(value, fileName, path + u".endpoints"_s, out.endpoints))
                return false;
            hasEndpoints = true;
            continue;
        }
        if (key != u"domain" && key != u"timeout") {
            // As everywhere else: a typo must not stop a start, but it must be seen.
            m_warnings.append(u"%1: unknown key \"%2\" ignored"_s.arg(fileName, path + u'.' + key));
            continue;
        }
        if (!value.IsScalar() && !value.IsNull())
            return fail(source + u": expected a single value, not a list or a map"_s);
        // "key:" with nothing after it is YAML's null, read as the empty text it looks like.
        const QString text = value.IsNull() ? QString() : QString::fromStdString(value.Scalar());
        if (key == u"domain") {
            out.domain = text.trimmed();
            if (out.domain.isEmpty())
                return fail(u"%1=\"%2\": expected a non-empty domain"_s.arg(source, oneLine(text)));
        } else if (Rejection expected = parsePositiveDuration(text, out.timeout, oneHour)) {
            return fail(u"%1=\"%2\": %3"_s.arg(source, oneLine(text), *expected));
        }
    }
    if (out.domain.isEmpty())
        return fail(where + u".domain: missing; expected the domain of the events to forward"_s);
    if (!hasEndpoints)
        return fail(where + u".endpoints: missing; "_s + endpointsExpected);
    return true;
}

bool Loader::readEndpoints(const YAML::Node &endpoints, const QString &fileName,
                           const QString &path, QStringList &out)
{
    if (!endpoints.IsSequence() || endpoints.size() == 0)
        return fail(u"%1: %2: %3"_s.arg(fileName, path, endpointsExpected));
    QList<QUrl> urls;
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        const QString source = u"%1: %2[%3]"_s.arg(fileName, path).arg(i);
        const YAML::Node &item = endpoints[i];
        if (!item.IsScalar())
            return fail(source + u": expected a single URL, not a list or a map"_s);
        const QString text = QString::fromStdString(item.Scalar()).trimmed();
        const QUrl url(text, QUrl::StrictMode);
        if (!isWebUrl(url))
            return fail(u"%1=\"%2\": expected an absolute http:// or https:// URL"_s.arg(
                source, oneLine(text)));
        // The engine remembers which endpoints of an event have answered 2xx: the same endpoint
        // twice in one route would be called once and counted twice.
        if (const qsizetype first = urls.indexOf(url); first >= 0)
            return fail(u"%1=\"%2\": appears twice, first at %3[%4]"_s.arg(
                source, oneLine(text), path, QString::number(first)));
        urls.append(url);
        out.append(text);
    }
    return true;
}

// Flattens the file's maps into dotted paths, warning about keys no setting knows. The top-level
// routes: list is kept whole for readRoutes().
bool Loader::collect(const YAML::Node &map, const QString &prefix, const QString &fileName,
                     QHash<QString, YAML::Node> &found)
{
    QHash<QString, int> firstLines;
    for (const auto &entry : map) {
        const QString key = QString::fromStdString(entry.first.Scalar());
        const QString path = prefix.isEmpty() ? key : prefix + u'.' + key;
        const YAML::Node &value = entry.second;
        if (const std::optional<QString> duplicate =
                duplicateKey(firstLines, key, entry.first, fileName, path))
            return fail(*duplicate);
        if (findSetting(path) || (prefix.isEmpty() && key == routesKey)) {
            found.insert(path, value);
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
    warnIgnoredUrlOptions(source);
    return true;
}

// The go-redis options a redis:// URL just read carried (setRedisUrl()), named once per source:
// REDIS_URL is polling's and timeouts' both. Only option names, never the URL: it may hold a
// password.
void Loader::warnIgnoredUrlOptions(const QString &source)
{
    for (RedisEndpoint *endpoint : {&m_config.sync.local, &m_config.sync.remote,
                                    &m_config.polling.redis, &m_config.timeouts.redis}) {
        if (endpoint->ignoredUrlOptions.isEmpty())
            continue;
        const QString warning = u"%1: go-redis URL options %2 ignored (they tune go-redis' own "
                                u"connection pool, timeouts and retries)"_s.arg(
                                    source, endpoint->ignoredUrlOptions.join(u", "_s));
        if (!m_warnings.contains(warning))
            m_warnings.append(warning);
        endpoint->ignoredUrlOptions.clear();
    }
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

QString Loader::filePrefix() const
{
    return m_config.configFile.isEmpty() ? QString() : m_config.configFile + u": "_s;
}

// A remote that is the local Redis and database (the same address, or two names of this
// machine) gets sync's writes on the streams it reads: each entry would be read back and written
// again, for ever, filling the Redis FreeSWITCH writes to (one entry became 36 000 in 3 s, all
// healthy). Another database of the same server is fine.
bool Loader::checkSync()
{
    const SyncConfig &sync = m_config.sync;
    if (!sync.enabled || !sync.local.configured || !sync.remote.configured)
        return true;
    const auto host = [](const RedisEndpoint &endpoint) {
        const QString name = endpoint.host.toLower();
        return name == u"localhost"_s || name == u"::1"_s ? u"127.0.0.1"_s : name;
    };
    if (host(sync.local) != host(sync.remote) || sync.local.port != sync.remote.port
        || sync.local.db != sync.remote.db)
        return true;
    return fail(u"sync.remote (REDIS_REMOTE_ADDR, REDIS_REMOTE_DB) \"%1\": the same Redis and "
                u"database as sync.local (\"%2\"), so sync would copy its own writes back for "
                u"ever; expected another server or database"_s.arg(sync.remote.display(),
                                                                   sync.local.display()));
}

// Checks across settings, once every source has been applied. The names the ingress engine
// derives from nats.stream_name must be valid too, or it would fail at its first start.
bool Loader::checkIngress()
{
    const NatsConfig &nats = m_config.nats;
    const IngressConfig &ingress = m_config.ingress;
    const QString file = filePrefix();
    if (ingress.retryDelay > ingress.retryMaxDelay)
        return fail(u"%1ingress.retry_delay=\"%2\": expected at most ingress.retry_max_delay "
                    u"(%3)"_s.arg(file, formatDuration(ingress.retryDelay),
                                  formatDuration(ingress.retryMaxDelay)));
    const QString deadLetters = ingress.deadLetterStreamName(nats);
    if (ingress.deadLetterStream.isEmpty() && !isJetStreamName(deadLetters))
        return fail(u"%1nats.stream_name=\"%2\": the default ingress.dead_letter_stream "
                    u"\"%3\" is too long; set ingress.dead_letter_stream"_s.arg(
                        file, nats.streamName, deadLetters));
    if (deadLetters == nats.streamName)
        return fail(u"%1ingress.dead_letter_stream=\"%2\": expected a stream other than "
                    u"nats.stream_name"_s.arg(file, deadLetters));
    const QString delivered = ingress.deliveredBucketName(nats);
    if (ingress.deliveredBucket.isEmpty() && !isBucketName(delivered))
        return fail(u"%1nats.stream_name=\"%2\": the default ingress.delivered_bucket \"%3\" "
                    u"is not a valid bucket name (letters, digits, _ and -); set "
                    u"ingress.delivered_bucket"_s.arg(file, nats.streamName, delivered));
    return true;
}

// The same rule as ingress.retry_delay's: a first delay above the cap is a mistake to be told
// about, not a value to be raised silently.
bool Loader::checkTimeouts()
{
    const TimeoutsConfig &timeouts = m_config.timeouts;
    if (timeouts.retryDelay > timeouts.retryMaxDelay)
        return fail(u"%1timeouts.retry_delay=\"%2\": expected at most timeouts.retry_max_delay "
                    u"(%3)"_s.arg(filePrefix(), formatDuration(timeouts.retryDelay),
                                  formatDuration(timeouts.retryMaxDelay)));
    return true;
}

// The polling engine checks tokens with JWT_SECRET: without it every poll would be refused, so
// it does not start. Asked for by name (engines:, --engines, polling.enabled: true), that stops
// the node; merely on by default, polling stays off and the log says why, so that a team
// migrating one other service is not stopped by an engine it never asked for.
bool Loader::checkPolling()
{
    if (!m_config.polling.enabled || !m_config.polling.jwtSecret.isEmpty())
        return true;
    const QString why = u"JWT_SECRET (polling.jwt_secret) is not set: the polling engine needs the "
                        u"HS256 secret the tokens are signed with"_s;
    if (m_config.engines.contains(u"polling"_s) || m_config.polling.enabledByName)
        return fail(why + u"; set it, or leave polling out of the engines"_s);
    m_notes.append(why + u"; polling is off"_s);
    m_config.polling.enabled = false;
    return true;
}

ConfigResult Loader::result()
{
    // An engine list (engines: or --engines) wins over <engine>.enabled: naming the engines to
    // run is the more specific decision.
    if (!m_config.engines.isEmpty()) {
        m_config.sync.enabled = m_config.engines.contains(u"sync"_s);
        m_config.ingress.enabled = m_config.engines.contains(u"ingress"_s);
        m_config.polling.enabled = m_config.engines.contains(u"polling"_s);
        m_config.timeouts.enabled = m_config.engines.contains(u"timeouts"_s);
        for (const QString &name : std::as_const(m_config.engines)) {
            if (!builtEngines.contains(name))
                m_warnings.append(
                    u"engine \"%1\" is not part of this build yet; ignored"_s.arg(name));
        }
    }
    if (!checkSync() || !checkIngress() || !checkTimeouts() || !checkPolling())
        return failure();
    QStringList enabled;
    if (m_config.sync.enabled)
        enabled.append(u"sync"_s);
    if (m_config.ingress.enabled)
        enabled.append(u"ingress"_s);
    if (m_config.polling.enabled)
        enabled.append(u"polling"_s);
    if (m_config.timeouts.enabled)
        enabled.append(u"timeouts"_s);
    TimeoutsConfig &timeouts = m_config.timeouts;
    if (timeouts.podId.isEmpty())
        timeouts.podId =
            QHostInfo::localHostName() + u'-' + QString::number(QCoreApplication::applicationPid());
    return {m_config, QString(), m_warnings, m_notes, enabled};
}

// switchboard.yaml beside the binary first (a self-contained install keeps its config with
// it), then in the user's or system's config directory (~/.config/switchboard/, then
// /etc/xdg/switchboard/); empty when there is none. Not AppConfigLocation: Qt appends the
// organization and the application name, both "switchboard", so that would be
// ~/.config/switchboard/switchboard/, where nobody following the README looks.
QString defaultConfigFile()
{
    const QString name = u"switchboard.yaml"_s;
    if (QCoreApplication::instance()) {
        const QString besideBinary = QDir(QCoreApplication::applicationDirPath()).filePath(name);
        if (QFileInfo::exists(besideBinary))
            return besideBinary;
    }
    return QStandardPaths::locate(QStandardPaths::GenericConfigLocation, u"switchboard/"_s + name);
}

} // namespace

ConfigResult loadConfig(const CommandLineOptions &cli, const QProcessEnvironment &env)
{
    if (!cli.error.isEmpty())
        return {std::nullopt, cli.error, {}, {}, {}};
    Loader loader;
    const QString fileName = cli.configFile.isEmpty() ? defaultConfigFile() : cli.configFile;
    if ((!fileName.isEmpty() && !loader.readFile(fileName)) || !loader.applyEnvironment(env)
        || !loader.applyCommandLine(cli))
        return loader.failure();
    ConfigResult result = loader.result();
    // The Event Hub read ./config.yaml when given no -config: a migration that kept its start
    // line would run with no routes, every event a dead letter, without a word.
    if (fileName.isEmpty() && QFileInfo::exists(u"config.yaml"_s))
        result.warnings.append(
            u"./config.yaml is not read (the Event Hub read it by default): Switchboard reads "
            "--config FILE, else switchboard.yaml beside the binary, in ~/.config/switchboard/ "
            "or in /etc/xdg/switchboard/; start it with -config config.yaml to use this one"_s);
    return result;
}

} // namespace Switchboard
