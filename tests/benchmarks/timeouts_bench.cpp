// timeouts_bench: the timeouts engine measured in one run, each figure beside a baseline that
// does the same job in the simplest way, on the same machine at the same time:
//
//   1. agent-message requests/s: wrk POSTs /conversations/{id}/agent-message (a new id per
//      request) to a switchboard node (--headless --engines timeouts) and to a bare QHttpServer
//      answering the same POST with the same JSON (this binary with --baseline-server PORT),
//      alternating, medians;
//   2. due-scan throughput: one check of the engine's TimeoutScanner (in this process, as the
//      leader runs it) over N waiting conversations that are all due at level 1, against a
//      minimal Lua script that pops due members from the same ZSET and XADDs one entry with the
//      same six fields for each, looped with the same batch size; fresh data for every round
//      (FLUSHALL), the two sides alternating, medians;
//   3. check duration: N waiting with 1 % due, one check after another, the due ones due again
//      between checks (as new agent messages would make them): p50 / p99 / max.
//
//   timeouts_bench [--runs N] [--members N] [--batch N] [--checks N] [--due N]
//                  [--duration S] [--connections N] [--skip-http] [--skip-scan] [--skip-check]
//
// Everything runs on loopback against one redis-server this process starts (no persistence);
// the load generators (this process, wrk), redis-server and the node share the machine. Figures
// go to stdout as a table, progress to stderr. A slow figure is reported, never failed; an
// engine that writes the wrong number of notifications fails the run.

#include "benchfigures.h"
#include "childprocess.h"
#include "cpumeter.h"
#include "redis/redisclient.h"
#include "resp.h"
#include "serverprocess.h"
#include "timeouts/timeoutscanner.h"
#include "wrkrun.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

using namespace Switchboard;
using namespace Switchboard::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

// The engine's keys (timeoutsstore.h, the contract's names).
const QByteArray &waitingKey = TimeoutKeys::waiting;
const QByteArray &streamKey = TimeoutKeys::events;
const QByteArray &leaderKey = TimeoutKeys::leader;
const QByteArray &epochKey = TimeoutKeys::epoch;
const QByteArray due1Key = TimeoutKeys::due(1);
const QByteArray due2Key = TimeoutKeys::due(2);

const QByteArray benchPod = "timeouts-bench";
constexpr qint64 benchEpoch = 7;
constexpr int fillCommandsPerTrip = 5000; // agent messages per pipelined round trip while filling
constexpr int scanTimeoutMs = 600000; // one check over a million members takes seconds

struct Settings
{
    int runs = 3;
    qint64 members = 1000000;
    int batch = TimeoutScanner::Options().batch;
    qint64 streamMaxLength = TimeoutScanner::Options().streamMaxLength;
    // Long, so that level 2 of the all-due set (waiting since now - 1.5 x interval) stays far
    // away however slowly the machine fills and scans.
    qint64 intervalMs = 600000;
    int checks = 100;
    qint64 due = 10000;
    int durationSeconds = 10;
    int connections = 50;
};

double maximum(const std::vector<double> &values)
{
    return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

// Runs the event loop until the function handed to `start` is called, or `timeoutMs` passes
// (false). The finisher may still be called after a timeout: it then does nothing.
bool runUntilFinished(const std::function<void(std::function<void()>)> &start, int timeoutMs)
{
    struct State
    {
        bool finished = false;
        QEventLoop *loop = nullptr;
    };
    auto state = std::make_shared<State>();
    QEventLoop loop;
    state->loop = &loop;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    start([state] {
        state->finished = true;
        if (state->loop)
            state->loop->quit();
    });
    if (!state->finished)
        loop.exec();
    state->loop = nullptr;
    return state->finished;
}

// ---------------------------------------------------------------------------------------------
// Data

QByteArray conversationId(qint64 i)
{
    return "conversation-" + QByteArray::number(i).rightJustified(7, '0');
}

QByteArray agentId(qint64 i)
{
    return "agent-" + QByteArray::number(i % 500);
}

bool query(quint16 port, const QList<QByteArray> &args, QString *error, Resp *reply = nullptr)
{
    const Resp r = redisQuery(port, args, 60000);
    if (reply)
        *reply = r;
    if (!r.isError())
        return true;
    *error = QString::fromUtf8(args.first() + ": "
                               + (r.type ? r.string : QByteArrayLiteral("no answer")));
    return false;
}

qint64 integerReply(quint16 port, const QList<QByteArray> &args)
{
    const Resp r = redisQuery(port, args, 60000);
    return r.type == ':' ? r.integer : -1;
}

bool pipeline(quint16 port, const QList<QList<QByteArray>> &commands, QString *error)
{
    const QList<Resp> replies = redisPipeline(port, commands, 120000);
    if (replies.size() != commands.size()) {
        *error = u"%1 of %2 replies to a pipelined fill"_s.arg(replies.size()).arg(commands.size());
        return false;
    }
    for (const Resp &reply : replies) {
        if (reply.isError()) {
            *error = QString::fromUtf8("fill: " + reply.string);
            return false;
        }
    }
    return true;
}

// Conversations [first, first + count) as an agent message leaves them: the engine's own
// agent-message script, pipelined, so the bench knows nothing of the engine's key layout.
bool putWaiting(quint16 port, qint64 first, qint64 count, qint64 since, QString *error)
{
    const Resp loaded = redisQuery(port, {"SCRIPT", "LOAD", TimeoutsStore::agentMessageSource()});
    if (loaded.isError() || loaded.string.isEmpty()) {
        *error = u"SCRIPT LOAD: %1"_s.arg(QString::fromUtf8(loaded.string));
        return false;
    }

    const QByteArray score = QByteArray::number(since);
    QList<QList<QByteArray>> commands;
    for (qint64 i = first; i < first + count; ++i) {
        const QByteArray id = conversationId(i);
        const QList<QByteArray> keys = TimeoutsStore::conversationKeys(id);
        QList<QByteArray> command {"EVALSHA", loaded.string, QByteArray::number(keys.size())};
        command << keys << id << score << agentId(i);
        commands << command;
        if (commands.size() >= fillCommandsPerTrip) {
            if (!pipeline(port, commands, error))
                return false;
            commands.clear();
        }
    }
    return commands.isEmpty() || pipeline(port, commands, error);
}

// The fence the scan checks before it writes: this process is the leader of `benchEpoch`.
bool takeLeadership(quint16 port, QString *error)
{
    return query(port, {"SET", leaderKey, benchPod}, error)
        && query(port, {"SET", epochKey, QByteArray::number(benchEpoch)}, error);
}

// A fresh server holding `members` conversations, all due at level 1 only: waiting since now -
// 1.5 x interval.
bool prepareAllDue(quint16 port, const Settings &settings, QString *error)
{
    const qint64 since = QDateTime::currentMSecsSinceEpoch() - settings.intervalMs * 3 / 2;
    return query(port, {"FLUSHALL"}, error) && putWaiting(port, 0, settings.members, since, error)
        && takeLeadership(port, error);
}

// ---------------------------------------------------------------------------------------------
// Due scan: the engine's scanner against the minimal script

// Takes up to ARGV[2] members due at level 1 (score <= Redis TIME - ARGV[1]) from KEYS[1] and
// XADDs one entry per member to KEYS[2] with the contract's six fields, in its order (ARGV[3] the
// agent, ARGV[4] the epoch); returns how many. What a scan must at least do: no fencing, no agent
// lookup, no next level, no state, no metrics, no trimming.
const QByteArray baselineScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local notifiedAt = string.format('%d', now)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - tonumber(ARGV[1])),
                       'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local members = {}
for i = 1, #due, 2 do
    redis.call('XADD', KEYS[2], '*', 'conversation_id', due[i], 'level', '1', 'agent_id', ARGV[3],
               'waiting_since', due[i + 1], 'notified_at', notifiedAt, 'leader_epoch', ARGV[4])
    members[#members + 1] = due[i]
end
for i = 1, #members, 500 do
    redis.call('ZREM', KEYS[1], unpack(members, i, math.min(i + 499, #members)))
end
return #members
)lua";

struct ScanRun
{
    QString error; // empty: the scan ran and wrote what it should
    qint64 notified = 0;
    double seconds = 0;
    int calls = 0;
    double redisCpu = 0; // redis-server's CPU seconds during the scan
    double benchCpu = 0; // this process' (the scanner, or the baseline loop)

    bool ok() const { return error.isEmpty() && seconds > 0; }
    double rate() const { return ok() ? double(notified) / seconds : 0; }
};

// What a complete level-1 scan of `expected` members leaves behind, or what is wrong.
QString checkAfterScan(quint16 port, qint64 expected, bool engine)
{
    QStringList wrong;
    const qint64 entries = integerReply(port, {"XLEN", streamKey});
    if (entries != expected)
        wrong << u"XLEN %1 %2"_s.arg(QString::fromLatin1(streamKey), grouped(entries));
    const qint64 left = integerReply(port, {"ZCARD", due1Key});
    if (left != 0)
        wrong << u"%1 still holds %2"_s.arg(QString::fromLatin1(due1Key), grouped(left));
    const Resp first = redisQuery(port, {"XRANGE", streamKey, "-", "+", "COUNT", "1"});
    QList<QByteArray> names;
    const QList<Resp> fields = first.elements.value(0).elements.value(1).elements;
    for (qsizetype i = 0; i < fields.size(); i += 2)
        names << fields[i].string;
    if (names.join(' ') != "conversation_id level agent_id waiting_since notified_at leader_epoch")
        wrong << u"first entry's fields: %1"_s.arg(QString::fromLatin1(names.join(' ')));
    if (engine) {
        const qint64 next = integerReply(port, {"ZCARD", due2Key});
        if (next != expected)
            wrong << u"%1 holds %2"_s.arg(QString::fromLatin1(due2Key), grouped(next));
    }
    return wrong.join(u"; "_s);
}

// What is wrong with a check that should have notified `expected` conversations, all at level 1;
// empty when nothing is.
QString scanProblem(bool finished, const ScanResult &result, qint64 expected)
{
    if (!finished)
        return u"no result after %1 s"_s.arg(scanTimeoutMs / 1000);
    if (result.fenced)
        return u"fenced"_s;
    if (!result.error.isEmpty())
        return result.error;
    if (result.notified[0] != expected || result.total() != expected)
        return u"%1 notifications (level 1: %2), expected %3 at level 1"_s.arg(
            grouped(result.total()), grouped(result.notified[0]), grouped(expected));
    return {};
}

// One check of the scanner, waited for (bounded); false when no result came in time. The result
// lands in a shared copy: a check that outlives the wait must not write into a dead frame.
bool runCheck(TimeoutScanner &scanner, ScanResult *result)
{
    if (scanner.busy()) {
        result->error = u"the scanner is still busy with an earlier check"_s;
        return true;
    }
    auto shared = std::make_shared<ScanResult>();
    const bool finished = runUntilFinished(
        [&](std::function<void()> finish) {
            scanner.check(benchPod, benchEpoch, [shared, finish](const ScanResult &r) {
                *shared = r;
                finish();
            });
        },
        scanTimeoutMs);
    *result = *shared;
    return finished;
}

ScanRun scanWithEngine(TimeoutScanner &scanner, const RedisServer &redis, const Settings &settings)
{
    ScanRun run;
    if (!prepareAllDue(redis.port(), settings, &run.error))
        return run;
    const CpuMeter redisCpu = CpuMeter::process(redis.pid());
    const CpuMeter benchCpu = CpuMeter::self();
    ScanResult result;
    QElapsedTimer clock;
    clock.start();
    const bool finished = runCheck(scanner, &result);
    run.seconds = double(clock.nsecsElapsed()) / 1e9;
    run.redisCpu = redisCpu.used();
    run.benchCpu = benchCpu.used();
    run.notified = result.total();
    run.calls = result.calls;
    run.error = scanProblem(finished, result, settings.members);
    if (run.error.isEmpty())
        run.error = checkAfterScan(redis.port(), settings.members, true);
    return run;
}

ScanRun scanWithBaseline(RedisClient &client, const RedisServer &redis, const Settings &settings)
{
    ScanRun run;
    Resp loaded;
    if (!prepareAllDue(redis.port(), settings, &run.error)
        || !query(redis.port(), {"SCRIPT", "LOAD", baselineScript}, &run.error, &loaded))
        return run;
    const QByteArray sha = loaded.string;
    const QByteArray interval = QByteArray::number(settings.intervalMs);
    const QByteArray batch = QByteArray::number(settings.batch);
    const QByteArray epoch = QByteArray::number(benchEpoch);
    RedisCommand command("EVALSHA");
    command << sha << "2" << due1Key << streamKey << interval << batch << "agent-bench" << epoch;
    const CpuMeter redisCpu = CpuMeter::process(redis.pid());
    const CpuMeter benchCpu = CpuMeter::self();
    QElapsedTimer clock;
    clock.start();
    // One call at a time until a call finds nothing due: the simplest loop.
    std::function<void(std::function<void()>)> next = [&](std::function<void()> finish) {
        client.send(command, [&, finish](const RedisReply &reply) {
            ++run.calls;
            if (reply.isError()) {
                run.error = reply.errorMessage();
                finish();
                return;
            }
            const qint64 count = reply.toInteger();
            run.notified += count;
            if (count == 0)
                finish();
            else
                next(finish);
        });
    };
    const bool finished = runUntilFinished(next, scanTimeoutMs);
    run.seconds = double(clock.nsecsElapsed()) / 1e9;
    run.redisCpu = redisCpu.used();
    run.benchCpu = benchCpu.used();
    if (!finished) {
        client.close(); // fails the call still out now, while `run` and `next` exist
        run.error = u"not done after %1 s"_s.arg(scanTimeoutMs / 1000);
    } else if (run.error.isEmpty() && run.notified != settings.members)
        run.error = u"%1 notifications, expected %2"_s.arg(grouped(run.notified),
                                                           grouped(settings.members));
    else if (run.error.isEmpty())
        run.error = checkAfterScan(redis.port(), settings.members, false);
    return run;
}

// ---------------------------------------------------------------------------------------------
// Check duration: N waiting, `due` of them due

struct CheckRuns
{
    QString error;
    std::vector<double> wallMs; // check() to its result, in this process
    std::vector<double> engineMs; // ScanResult::elapsedUs
    std::vector<double> calls;
};

CheckRuns measureChecks(TimeoutScanner &scanner, const RedisServer &redis, const Settings &settings)
{
    CheckRuns runs;
    const quint16 port = redis.port();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 dueSince = now - settings.intervalMs * 3 / 2;
    // The due ones are conversations [0, due); the others wait since now: due in one interval.
    if (!query(port, {"FLUSHALL"}, &runs.error)
        || !putWaiting(port, settings.due, settings.members - settings.due, now, &runs.error)
        || !putWaiting(port, 0, settings.due, dueSince, &runs.error)
        || !takeLeadership(port, &runs.error))
        return runs;
    for (int i = 0; i < settings.checks; ++i) {
        ScanResult result;
        QElapsedTimer clock;
        clock.start();
        const bool finished = runCheck(scanner, &result);
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        if (const QString problem = scanProblem(finished, result, settings.due);
            !problem.isEmpty()) {
            runs.error = u"check %1: %2"_s.arg(i + 1).arg(problem);
            return runs;
        }
        runs.wallMs.push_back(ms);
        runs.engineMs.push_back(double(result.elapsedUs) / 1000);
        runs.calls.push_back(result.calls);
        // The same conversations due again, as new agent messages with an old timestamp would
        // leave them; the waiting set stays at `members`. Each round's timestamp is 1 ms later:
        // a message no newer than the running clock changes nothing.
        if (!putWaiting(port, 0, settings.due, dueSince + i + 1, &runs.error))
            return runs;
    }
    if (const qint64 waiting = integerReply(port, {"ZCARD", waitingKey});
        waiting != settings.members)
        runs.error = u"%1 waiting after the checks, expected %2"_s.arg(grouped(waiting),
                                                                       grouped(settings.members));
    return runs;
}

// ---------------------------------------------------------------------------------------------
// agent-message: wrk against the node and against a bare QHttpServer

// The bare server: the same route, the body parsed, the contract's 200 answer built from the id
// and the clock; no Redis.
int runBaselineServer(quint16 port)
{
    QHttpServer server;
    server.route(u"/conversations/<arg>/agent-message"_s, QHttpServerRequest::Method::Post,
                 [](const QString &id, const QHttpServerRequest &request) {
                     const QByteArray body = request.body();
                     if (!body.isEmpty() && !QJsonDocument::fromJson(body).isObject())
                         return QHttpServerResponse(
                             QJsonObject {{u"error"_s, u"bad_request"_s}, {u"detail"_s, u"body"_s}},
                             QHttpServerResponse::StatusCode::BadRequest);
                     const QDateTime now = QDateTime::currentDateTimeUtc();
                     return QHttpServerResponse(QJsonObject {
                         {u"conversation_id"_s, id},
                         {u"status"_s, u"waiting"_s},
                         {u"waiting_since"_s, now.toString(Qt::ISODateWithMs)},
                         {u"next_level"_s, 1},
                         {u"next_due_at"_s, now.addMSecs(30000).toString(Qt::ISODateWithMs)}});
                 });
    return serveBaseline(server, port);
}

// A new conversation id per request (wrk thread number and a counter, under a tag per run, so
// no run repeats an id), a small body with the contract's fields but the timestamp (now).
const QByteArray wrkScript = R"lua(
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread)
    threads = threads + 1
    thread:set("number", threads)
end
local prefix, counter = "", 0
function init(args)
    prefix = "/conversations/" .. args[1] .. "-" .. number .. "-"
end
function request()
    counter = counter + 1
    return wrk.format(nil, prefix .. counter .. "/agent-message", nil,
        '{"agent_id":"agent-' .. (counter % 500) .. '","message_id":"m-' .. counter .. '"}')
end
)lua";

// wrk with the script above, its ids under `tag`; any non-2xx answer fails the run.
WrkResult runWrk(quint16 port, const QString &scriptPath, const QString &tag,
                 const Settings &settings)
{
    WrkOptions options;
    options.url = u"http://127.0.0.1:%1"_s.arg(port);
    options.connections = settings.connections;
    options.durationSeconds = settings.durationSeconds;
    options.scriptPath = scriptPath;
    options.scriptArguments = {tag};
    WrkResult result = Test::runWrk(options);
    if (result.ok() && result.non2xx > 0)
        result.error = u"wrk saw errors: "_s + result.output.simplified();
    return result;
}

struct HttpRuns
{
    QString error;
    std::vector<double> node;
    std::vector<double> baseline;
    std::vector<double> ratios;
    std::vector<double> nodeP99Ms;
    std::vector<double> baselineP99Ms;
    qint64 waitingAfter = -1; // ZCARD waiting_conversations after the node's runs
};

bool isAgentMessageAnswer(const HttpResult &result, const QString &id)
{
    const QJsonObject answer = QJsonDocument::fromJson(result.body).object();
    return result.status == 200 && answer.value(u"conversation_id"_s).toString() == id
        && answer.value(u"status"_s).toString() == u"waiting"_s;
}

HttpRuns measureAgentMessages(const RedisServer &redis, const QTemporaryDir &dir,
                              const Settings &settings)
{
    HttpRuns runs;
    if (!query(redis.port(), {"FLUSHALL"}, &runs.error))
        return runs;

    // The node: timeouts only, on the bench's redis-server. Nothing becomes due while wrk runs
    // (an interval of a day), so the figure is the request path, not scans.
    SwitchboardProcess node;
    const quint16 nodePort = freeLoopbackPort();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"REDIS_URL"_s, redis.url());
    env.insert(u"TIMEOUT_INTERVAL_MS"_s, u"86400000"_s);
    env.insert(u"POD_ID"_s, u"timeouts-bench-node"_s);
    env.insert(u"XDG_DATA_HOME"_s, dir.path());
    env.remove(u"NOTIFICATION_WEBHOOK_URL"_s);
    node.setEnvironment(env);
    if (!node.start({u"--headless"_s, u"--log-level"_s, u"warn"_s, u"--engines"_s, u"timeouts"_s,
                     u"--port"_s, QString::number(nodePort)})
        || !node.waitForHealthy(nodePort, 20000)) {
        runs.error = u"the node did not start (%1): %2"_s.arg(
            SwitchboardProcess::binaryPath(),
            QString::fromLocal8Bit(node.output()).simplified().right(300));
        node.kill();
        return runs;
    }
    const QByteArray probeBody = R"({"agent_id":"agent-probe","message_id":"m-probe"})";
    const HttpResult nodeProbe =
        httpRequest(nodePort, "POST", "/conversations/probe/agent-message", probeBody, 5000);
    if (!isAgentMessageAnswer(nodeProbe, u"probe"_s)) {
        runs.error = u"the node answers an agent message with %1 %2"_s.arg(nodeProbe.status)
                         .arg(QString::fromUtf8(nodeProbe.body));
        node.stop();
        return runs;
    }

    BaselineServer baseline; // ready once it answers the probe as the node did
    if (!baseline.start(&runs.error, {}, [&](quint16 port) {
            return isAgentMessageAnswer(
                httpRequest(port, "POST", "/conversations/probe/agent-message", probeBody, 1000),
                u"probe"_s);
        })) {
        node.stop();
        return runs;
    }
    const quint16 baselinePort = baseline.port();

    const QString scriptPath = dir.filePath(u"agent-message.lua"_s);
    QFile script(scriptPath);
    if (!script.open(QIODevice::WriteOnly) || script.write(wrkScript) != wrkScript.size()) {
        runs.error = u"cannot write "_s + scriptPath;
    } else {
        script.close();
        for (int run = 1; run <= settings.runs; ++run) {
            progress(
                u"agent-message, run %1/%2: wrk against the node, then the bare server"_s.arg(run)
                    .arg(settings.runs));
            const WrkResult onNode = runWrk(nodePort, scriptPath, u"n%1"_s.arg(run), settings);
            const WrkResult onBaseline =
                runWrk(baselinePort, scriptPath, u"b%1"_s.arg(run), settings);
            if (!onNode.error.isEmpty() || !onBaseline.error.isEmpty()) {
                runs.error = onNode.error.isEmpty() ? u"baseline: "_s + onBaseline.error
                                                    : u"node: "_s + onNode.error;
                break;
            }
            progress(u"  node %1/s, bare server %2/s"_s.arg(
                grouped(qRound64(onNode.requestsPerSecond)),
                grouped(qRound64(onBaseline.requestsPerSecond))));
            runs.node.push_back(onNode.requestsPerSecond);
            runs.baseline.push_back(onBaseline.requestsPerSecond);
            runs.ratios.push_back(onNode.requestsPerSecond / onBaseline.requestsPerSecond);
            runs.nodeP99Ms.push_back(onNode.p99Ms);
            runs.baselineP99Ms.push_back(onBaseline.p99Ms);
        }
        runs.waitingAfter = integerReply(redis.port(), {"ZCARD", waitingKey});
    }
    baseline.stop();
    node.stop();
    return runs;
}

// ---------------------------------------------------------------------------------------------
// The table

QString row(const QString &label, const QString &engine, const QString &baseline = {},
            const QString &ratio = {}, const QString &target = {}, const QString &met = {})
{
    // Not chained arg(): a cell's text (an error message) may hold a "%1" of its own.
    return (label.leftJustified(52) + u' ' + engine.leftJustified(22) + u' '
            + baseline.leftJustified(14) + u' ' + ratio.leftJustified(7) + u' '
            + target.leftJustified(26) + u' ' + met)
        .trimmed();
}

QString yesNo(bool met)
{
    return met ? u"yes"_s : u"NO"_s;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc == 3 && QByteArrayView(argv[1]) == "--baseline-server")
        return runBaselineServer(quint16(QByteArray(argv[2]).toUShort()));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"The timeouts engine: agent-message requests/s, due-scan throughput, check duration."_s);
    parser.addHelpOption();
    const Settings defaults;
    const QCommandLineOption runsOption(
        u"runs"_s, u"Rounds per side for wrk and the due scan (default 3)."_s, u"n"_s, u"3"_s);
    const QCommandLineOption membersOption(
        u"members"_s, u"Waiting conversations (default 1000000)."_s, u"n"_s, u"1000000"_s);
    const QCommandLineOption batchOption(
        u"batch"_s,
        u"Notifications per script call, both sides (default %1)."_s.arg(defaults.batch), u"n"_s,
        QString::number(defaults.batch));
    const QCommandLineOption checksOption(u"checks"_s, u"Checks timed (default 100)."_s, u"n"_s,
                                          u"100"_s);
    const QCommandLineOption dueOption(u"due"_s, u"Due per check (default 1 % of --members)."_s,
                                       u"n"_s);
    const QCommandLineOption durationOption(u"duration"_s, u"Seconds per wrk run (default 10)."_s,
                                            u"s"_s, u"10"_s);
    const QCommandLineOption connectionsOption(u"connections"_s, u"wrk connections (default 50)."_s,
                                               u"n"_s, u"50"_s);
    const QCommandLineOption skipHttpOption(u"skip-http"_s, u"No agent-message figure."_s);
    const QCommandLineOption skipScanOption(u"skip-scan"_s, u"No due-scan figure."_s);
    const QCommandLineOption skipCheckOption(u"skip-check"_s, u"No check-duration figure."_s);
    const QCommandLineOption verboseOption(u"verbose"_s, u"The engine's info logs too."_s);
    parser.addOptions({runsOption, membersOption, batchOption, checksOption, dueOption,
                       durationOption, connectionsOption, skipHttpOption, skipScanOption,
                       skipCheckOption, verboseOption});
    parser.process(app);
    Settings settings;
    settings.runs = std::max(1, parser.value(runsOption).toInt());
    settings.members = std::max<qint64>(1, parser.value(membersOption).toLongLong());
    settings.batch = std::max(1, parser.value(batchOption).toInt());
    settings.checks = std::max(1, parser.value(checksOption).toInt());
    settings.due = std::clamp<qint64>(parser.isSet(dueOption) ? parser.value(dueOption).toLongLong()
                                                              : settings.members / 100,
                                      1, settings.members);
    settings.durationSeconds = std::max(1, parser.value(durationOption).toInt());
    settings.connections = std::max(1, parser.value(connectionsOption).toInt());
    if (!parser.isSet(verboseOption))
        QLoggingCategory::setFilterRules(u"switchboard.*.info=false\nswitchboard.*.debug=false"_s);

    chooseSwitchboardBinary(); // for SwitchboardProcess

    QTemporaryDir dir;
    RedisServer redis;
    if (!redis.start(0, {u"--loglevel"_s, u"warning"_s})) {
        progress(u"redis-server: "_s + redis.error());
        return 2;
    }
    const QByteArray redisVersion = [&] {
        const QByteArray info = redisQuery(redis.port(), {"INFO", "server"}).string;
        const qsizetype at = info.indexOf("redis_version:");
        return at < 0 ? QByteArray("?") : info.mid(at + 14, info.indexOf('\r', at) - at - 14);
    }();

    QStringList lines;
    bool correct = true;
    const QString members = grouped(settings.members);

    // 1. agent-message (first: the node must be gone before this process takes the lead).
    if (!parser.isSet(skipHttpOption)) {
        const HttpRuns http = measureAgentMessages(redis, dir, settings);
        const QString label =
            u"agent-message requests/s (wrk -c%1, %2 s)"_s.arg(settings.connections)
                .arg(settings.durationSeconds);
        if (http.node.empty()) {
            lines << row(label, u"failed: "_s + http.error);
        } else {
            const double ratio = median(http.node) / median(http.baseline);
            lines << row(label, grouped(qRound64(median(http.node))) + u"/s"_s,
                         grouped(qRound64(median(http.baseline))) + u"/s"_s,
                         fixed(ratio, 2) + u"x"_s, u">= 0.5x"_s, yesNo(ratio >= 0.5));
            lines << u"  paired ratio median %1x; wrk p99 latency (median) node %2 ms, bare "
                     u"server %3 ms; %4 waiting after the node's runs%5"_s.arg(
                         fixed(median(http.ratios), 2), fixed(median(http.nodeP99Ms), 2),
                         fixed(median(http.baselineP99Ms), 2), grouped(http.waitingAfter),
                         http.error.isEmpty() ? QString() : u" (stopped: %1)"_s.arg(http.error));
        }
    }

    // The scanner and the baseline's connection: one each, kept across rounds as a leader keeps
    // them.
    RedisClient::Options clientOptions;
    clientOptions.endpoint = redis.endpoint();
    clientOptions.name = u"timeouts-bench"_s;
    RedisClient scannerRedis(clientOptions);
    RedisClient baselineRedis(clientOptions);
    TimeoutScanner::Options scanOptions;
    scanOptions.intervalMs = settings.intervalMs;
    scanOptions.batch = settings.batch;
    scanOptions.streamMaxLength = settings.streamMaxLength;
    TimeoutScanner scanner(&scannerRedis, scanOptions);
    const bool needRedis = !parser.isSet(skipScanOption) || !parser.isSet(skipCheckOption);
    if (needRedis) {
        const bool connected = runUntilFinished(
            [&](std::function<void()> finish) {
                auto pending = std::make_shared<int>(2);
                for (RedisClient *client : {&scannerRedis, &baselineRedis}) {
                    auto connection = std::make_shared<QMetaObject::Connection>();
                    *connection = QObject::connect(client, &RedisClient::connected, client,
                                                   [pending, finish, connection] {
                                                       QObject::disconnect(*connection);
                                                       if (--*pending == 0)
                                                           finish();
                                                   });
                    client->open();
                }
            },
            10000);
        if (!connected) {
            progress(u"the bench's Redis clients did not connect: "_s + scannerRedis.lastError()
                     + u" "_s + baselineRedis.lastError());
            return 2;
        }
    }

    // 2. Due scan.
    if (!parser.isSet(skipScanOption)) {
        std::vector<ScanRun> engine;
        std::vector<ScanRun> baseline;
        const auto describe = [](const char *who, int round, int rounds, const ScanRun &r) {
            progress(u"due scan, round %1/%2, %3: %4"_s.arg(round)
                         .arg(rounds)
                         .arg(QLatin1StringView(who))
                         .arg(r.ok()
                                  ? u"%1/s (%2 s, %3 calls; CPU redis-server %4 s, bench "
                                    u"%5 s)"_s.arg(grouped(qRound64(r.rate())), fixed(r.seconds, 2))
                                        .arg(r.calls)
                                        .arg(fixed(r.redisCpu, 2), fixed(r.benchCpu, 2))
                                  : u"failed: "_s + r.error));
        };
        for (int round = 1; round <= settings.runs; ++round) {
            progress(u"due scan, round %1/%2: filling %3 waiting, all due"_s.arg(round)
                         .arg(settings.runs)
                         .arg(members));
            // Each side goes first in every other round: the side that follows runs on the heap
            // the other's million entries left behind (FLUSHALL frees, the allocator keeps).
            const auto runEngine = [&] {
                engine.push_back(scanWithEngine(scanner, redis, settings));
                describe("engine", round, settings.runs, engine.back());
            };
            const auto runBaseline = [&] {
                baseline.push_back(scanWithBaseline(baselineRedis, redis, settings));
                describe("baseline", round, settings.runs, baseline.back());
            };
            if (round % 2 == 1) {
                runEngine();
                runBaseline();
            } else {
                runBaseline();
                runEngine();
            }
        }
        std::vector<double> engineRates;
        std::vector<double> baselineRates;
        std::vector<double> ratios;
        std::vector<double> engineRedisCpu;
        std::vector<double> baselineRedisCpu;
        QStringList failures;
        for (size_t i = 0; i < engine.size(); ++i) {
            if (engine[i].ok()) {
                engineRates.push_back(engine[i].rate());
                engineRedisCpu.push_back(engine[i].redisCpu);
            } else {
                failures << u"engine round %1: %2"_s.arg(i + 1).arg(engine[i].error);
            }
            if (baseline[i].ok()) {
                baselineRates.push_back(baseline[i].rate());
                baselineRedisCpu.push_back(baseline[i].redisCpu);
            } else {
                failures << u"baseline round %1: %2"_s.arg(i + 1).arg(baseline[i].error);
            }
            if (engine[i].ok() && baseline[i].ok())
                ratios.push_back(engine[i].rate() / baseline[i].rate());
        }
        correct = correct && engineRates.size() == engine.size();
        const QString label = u"due scan notifications/s, %1 all due"_s.arg(members);
        if (engineRates.empty() || baselineRates.empty()) {
            lines << row(label, u"failed: "_s + failures.join(u"; "_s));
        } else {
            const double rate = median(engineRates);
            const double ratio = rate / median(baselineRates);
            lines << row(label, grouped(qRound64(rate)) + u"/s"_s,
                         grouped(qRound64(median(baselineRates))) + u"/s"_s,
                         fixed(ratio, 2) + u"x"_s, u">= 0.8x and >= 250 000/s"_s,
                         yesNo(ratio >= 0.8 && rate >= 250000));
            lines << u"  paired ratio median %1x; batch %2; redis-server CPU per 1M (median): "
                     u"engine %3 s, baseline %4 s"_s.arg(fixed(median(ratios), 2))
                         .arg(settings.batch)
                         .arg(fixed(median(engineRedisCpu) * 1e6 / double(settings.members), 2),
                              fixed(median(baselineRedisCpu) * 1e6 / double(settings.members), 2));
            for (const QString &failure : failures)
                lines << u"  FAILED "_s + failure;
        }
    }

    // 3. Check duration.
    if (!parser.isSet(skipCheckOption)) {
        progress(u"check duration: %1 waiting, %2 due, %3 checks"_s.arg(members)
                     .arg(grouped(settings.due))
                     .arg(settings.checks));
        const CheckRuns checks = measureChecks(scanner, redis, settings);
        const QString label =
            u"check ms p50/p99/max, %1 waiting, %2 due"_s.arg(members, grouped(settings.due));
        correct = correct && checks.error.isEmpty();
        if (checks.wallMs.empty()) {
            lines << row(label, u"failed: "_s + checks.error);
        } else {
            const double p99 = percentile(checks.wallMs, 0.99);
            lines << row(label,
                         u"%1 / %2 / %3"_s.arg(fixed(percentile(checks.wallMs, 0.5), 1),
                                               fixed(p99, 1), fixed(maximum(checks.wallMs), 1)),
                         {}, {}, u"p99 <= 100 ms"_s, yesNo(p99 <= 100));
            lines << u"  p50 / p99 / max of %1 checks, check() to its result; the engine's own "
                     u"elapsedUs: %2 / %3 / %4 ms; %5 script calls per check"_s
                         .arg(checks.wallMs.size())
                         .arg(fixed(percentile(checks.engineMs, 0.5), 1),
                              fixed(percentile(checks.engineMs, 0.99), 1),
                              fixed(maximum(checks.engineMs), 1), fixed(median(checks.calls), 0));
            if (!checks.error.isEmpty())
                lines << u"  FAILED "_s + checks.error;
        }
    }

    std::printf(
        "\n%s\n",
        qPrintable(row(u"timeouts_bench  (medians of %1 runs per side)"_s.arg(settings.runs),
                       u"switchboard"_s, u"baseline"_s, u"ratio"_s, u"target"_s, u"met"_s)));
    for (const QString &line : lines)
        std::printf("%s\n", qPrintable(line));
    const QStringList arguments = QCoreApplication::arguments().mid(1);
    std::printf("\noptions: %s\n",
                qPrintable(arguments.isEmpty() ? u"(none: the defaults)"_s : arguments.join(u' ')));
    std::printf("settings: --runs %d --members %lld --batch %d --checks %d --due %lld --duration "
                "%d --connections %d; interval %lld ms, stream MAXLEN ~ %lld\n",
                settings.runs, static_cast<long long>(settings.members), settings.batch,
                settings.checks, static_cast<long long>(settings.due), settings.durationSeconds,
                settings.connections, static_cast<long long>(settings.intervalMs),
                static_cast<long long>(settings.streamMaxLength));
    std::printf("baselines: a bare QHttpServer child (same route, body parsed, same JSON answer, "
                "no Redis); a Lua script popping due members (ZRANGEBYSCORE LIMIT + ZREM) and "
                "XADDing the same six fields, one call at a time. One redis-server %s, no "
                "persistence, loopback; %d cores shared by everything\n",
                redisVersion.constData(), QThread::idealThreadCount());
    std::fflush(stdout);
    scannerRedis.close();
    baselineRedis.close();
    redis.stop();
    return correct ? 0 : 1;
}
