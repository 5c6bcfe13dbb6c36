#include "timeoutsstore.h"

#include "redis/redisclient.h"

Q_LOGGING_CATEGORY(Switchboard::lcTimeouts, "switchboard.timeouts")

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

QByteArray TimeoutKeys::due(int level)
{
    return "timeout:due:"_ba + QByteArray::number(level);
}

namespace {

// Redis' clock in ms, the one clock every node agrees on: "due" and "notified_at" both use it,
// so a level is never written early whatever the nodes' clocks say.
#define REDIS_NOW_MS                                                                               \
    "local function nowMs() local t = redis.call('TIME') "                                         \
    "return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end\n"                       \
    "local function int(x) return string.format('%d', x) end\n"

// KEYS: waiting, states, agents, due:1, due:2, due:3, the conversation's answered marker,
// finished, finished since. ARGV: id, waiting since (ms, or -1 for now), agent id. Returns {waiting
// since, next level}, next level 0 when the customer already answered that wait, -1 when it already
// had its three levels. The conversation goes into all three due sets at once, so that a scan only
// takes from them (see timeoutsstore.h).
//
// A message no newer than the clock already running, or than a wait that ended a moment ago
// (answered, or past level 3) changes nothing: it is a client's retry or a late duplicate, and
// restarting would raise levels already sent once more. A time more than a minute ahead counts
// as now: a client clock that far ahead would otherwise hold the clock still.
const QByteArray agentMessageScript = REDIS_NOW_MS R"lua(
local now = nowMs()
local since = tonumber(ARGV[2])
if since < 0 or since > now + 60000 then since = now end
local current = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]))
if current and current >= since then
  return {int(current), (tonumber(redis.call('HGET', KEYS[2], ARGV[1])) or 0) + 1}
end
if not current then
  local answered = tonumber(redis.call('GET', KEYS[7]))
  if answered and answered >= since then return {int(answered), 0} end
  -- A wait the previous version finished (a rolling upgrade) has no finished_since: its
  -- timeout:finished score is its start then.
  local finished = tonumber(redis.call('HGET', KEYS[9], ARGV[1])
                           or redis.call('ZSCORE', KEYS[8], ARGV[1]))
  if finished and finished >= since then return {int(finished), -1} end
end
since = int(since)
redis.call('ZADD', KEYS[1], since, ARGV[1])
for i = 4, 6 do redis.call('ZADD', KEYS[i], since, ARGV[1]) end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return {since, 1}
)lua";

// KEYS: as the agent message's. ARGV: id, how long the answered marker stays (ms). Returns 1 if
// it was waiting.
const QByteArray customerResponseSource = R"lua(
local since = redis.call('ZSCORE', KEYS[1], ARGV[1])
local was = redis.call('ZREM', KEYS[1], ARGV[1])
for i = 4, 6 do redis.call('ZREM', KEYS[i], ARGV[1]) end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if since then redis.call('SET', KEYS[7], since, 'PX', ARGV[2]) end
return was
)lua";

// KEYS: leader, epoch, leadership. ARGV: pod, ttl ms, the highest epoch the pod has seen.
// Returns {new epoch, 0}, or {0, the current lease's remaining ms}.
//
// The epoch goes on above what the pod has seen when Redis lost timeout:epoch (a restart without
// persistence, FLUSHALL): counted from 1 again, a new leadership could take the number of one a
// paused leader still believes in, and a webhook that orders notifications by leader_epoch would
// put the new ones behind the lost ones.
const QByteArray acquireSource = REDIS_NOW_MS R"lua(
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, redis.call('PTTL', KEYS[1])}
end
local epoch = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3]) or 0
if epoch <= floor then
  epoch = floor + 1
  redis.call('SET', KEYS[2], epoch)
end
redis.call('HSET', KEYS[3], 'pod', ARGV[1], 'epoch', epoch, 'since', int(nowMs()))
return {epoch, 0}
)lua";

// KEYS: leader, epoch. ARGV: pod, epoch, ttl ms. Returns {1} when renewed, else {0, the lease's
// holder or '', timeout:epoch or ''}: what the engine tells the operator.
const QByteArray renewSource = R"lua(
local leader, epoch = redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2])
if leader ~= ARGV[1] or epoch ~= ARGV[2] then return {0, leader or '', epoch or ''} end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1}
)lua";
// KEYS: leader, epoch. ARGV: pod, epoch.
const QByteArray releaseSource = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
return 1
)lua";

// The due-scan, fenced: nothing is written unless the lease is this pod's under this epoch, so
// an old leader that was paused or cut off past its TTL writes nothing once another node took
// over. Atomic, so a leader killed mid-scan leaves every level either written (entry, due set,
// state, counters) or not at all.
//
// KEYS: leader, epoch, waiting, states, agents, metrics, events, due:1, due:2, due:3, finished,
// finished since. ARGV: pod, epoch, interval ms, budget, stream max length, notifiers' group,
// how long a finished wait is remembered (ms).
// Returns {-1} when fenced, else {level 1 count, level 2 count, level 3 count, more (0/1),
// entries the stream holds over its max length, unacked entries dropped at the ceiling}.
//
// Trimming never drops an entry the notifiers' group has not acked: XTRIM alone would, and a
// webhook outage longer than the stream's length would lose notifications nobody sent. Over its
// length, the stream is cut below the group's oldest pending entry, or below its last-delivered
// one when nothing is pending (MINID keeps what is not older); without the group, to its length.
// The cut is exact, not "~" (whole stream nodes): what stays over the length is then what the
// group has not acked, which the engine warns of. Ten times the length is the ceiling all the
// same (Redis' memory is every engine's): past it the oldest go, counted, and the engine says so.
//
// Level by level: a level's members are read, removed, looked up and recorded with one command
// each, so that only XADD is per notification (removing them by rank spares the skiplist
// searches of ZREM). Level n+1 is only looked at once level n has nothing due left, and a
// conversation's level n is due before its level n+1: so a conversation overdue by several
// levels gets them all, in order, even across calls.
const QByteArray scanSource = REDIS_NOW_MS R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return {-1}
end
local now = nowMs()
local notifiedAt = int(now)
local interval = tonumber(ARGV[3])
local budget = tonumber(ARGV[4])
local epoch = ARGV[2]
local counts = {0, 0, 0}
local total = 0
for level = 1, 3 do
  if budget <= 0 then break end
  local due = KEYS[7 + level]
  local found = redis.call('ZRANGE', due, '-inf', int(now - level * interval), 'BYSCORE',
                           'LIMIT', 0, budget, 'WITHSCORES')
  local n = #found / 2
  if n > 0 then
    local ids = {}
    for i = 1, n do
      ids[i] = found[2 * i - 1]
    end
    local agents = redis.call('HMGET', KEYS[5], unpack(ids))
    local levelText = tostring(level)
    for i = 1, n do
      redis.call('XADD', KEYS[7], '*', 'conversation_id', ids[i], 'level', levelText,
                 'agent_id', agents[i] or '', 'waiting_since', found[2 * i],
                 'notified_at', notifiedAt, 'leader_epoch', epoch)
    end
    redis.call('ZREMRANGEBYRANK', due, 0, n - 1) -- exactly what ZRANGE found: its first n
    if level < 3 then
      local states = {}
      for i = 1, n do
        states[2 * i - 1] = ids[i]
        states[2 * i] = levelText
      end
      redis.call('HSET', KEYS[4], unpack(states))
    else
      redis.call('ZREM', KEYS[3], unpack(ids))
      redis.call('HDEL', KEYS[4], unpack(ids))
      redis.call('HDEL', KEYS[5], unpack(ids))
      local finished, since = {}, {}
      for i = 1, n do
        finished[2 * i - 1] = notifiedAt
        finished[2 * i] = ids[i]
        since[2 * i - 1] = ids[i]
        since[2 * i] = found[2 * i]
      end
      redis.call('ZADD', KEYS[11], unpack(finished))
      redis.call('HSET', KEYS[12], unpack(since))
      -- Forgotten once finished longer ago than ARGV[7]: counted from now, not from waiting since
      -- + 3 intervals, long past for a wait whose levels came late (an old timestamp, an outage),
      -- whose retry would otherwise start it again at once. A few at a time (unpack's limit).
      local old = redis.call('ZRANGE', KEYS[11], '-inf', '(' .. int(now - tonumber(ARGV[7])),
                             'BYSCORE', 'LIMIT', 0, n + 1000)
      if #old > 0 then
        redis.call('HDEL', KEYS[12], unpack(old))
        redis.call('ZREMRANGEBYRANK', KEYS[11], 0, #old - 1)
      end
    end
    redis.call('HINCRBY', KEYS[6], 'level' .. levelText, n)
    counts[level] = n
    budget = budget - n
    total = total + n
  end
end
local over, dropped = 0, 0
if total > 0 then
  redis.call('HINCRBY', KEYS[6], 'total', total)
  local maxLength = tonumber(ARGV[5])
  if redis.call('XLEN', KEYS[7]) > maxLength then
    local floor
    for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[7])) do
      local info = {}
      for i = 1, #group, 2 do info[group[i]] = group[i + 1] end
      if info['name'] == ARGV[6] then
        floor = info['pending'] > 0 and redis.call('XPENDING', KEYS[7], ARGV[6])[2]
                                    or info['last-delivered-id']
      end
    end
    if floor then
      redis.call('XTRIM', KEYS[7], 'MINID', floor)
      local length = redis.call('XLEN', KEYS[7])
      over = math.max(length - maxLength, 0)
      if length > 10 * maxLength then
        -- The memory ceiling: a group nobody reads any more, or an entry retried for ever.
        dropped = redis.call('XTRIM', KEYS[7], 'MAXLEN', 10 * maxLength)
        over = 9 * maxLength
      end
    else
      redis.call('XTRIM', KEYS[7], 'MAXLEN', '~', maxLength)
    end
  end
end
return {counts[1], counts[2], counts[3], budget <= 0 and 1 or 0, over, dropped}
)lua";

// Adoption, fenced like the scan: conversations that another program (the Go service this
// engine replaces) put into waiting_conversations have no due entries and no agent. One call
// looks at one ZSCAN step of the waiting set; a conversation without a timeout:agents field
// gets due entries for the levels after the one notification_states records (its agent is
// unknown: empty), or leaves the set when that was level 3. What this engine wrote always has
// its agents field, so a sweep over it changes nothing.
//
// KEYS: leader, epoch, waiting, states, agents, due:1, due:2, due:3.
// ARGV: pod, epoch, ZSCAN cursor, ZSCAN count.
// Returns {-1} when fenced, else {next cursor ('0': done), conversations adopted}.
const QByteArray adoptSource = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return {-1}
end
local step = redis.call('ZSCAN', KEYS[3], ARGV[3], 'COUNT', ARGV[4])
local found = step[2]
local adopted = 0
for i = 1, #found, 2 do
  local id, since = found[i], found[i + 1]
  if redis.call('HEXISTS', KEYS[5], id) == 0 then
    local notified = tonumber(redis.call('HGET', KEYS[4], id)) or 0
    if notified >= 3 then
      redis.call('ZREM', KEYS[3], id)
      redis.call('HDEL', KEYS[4], id)
    else
      for level = math.max(notified, 0) + 1, 3 do
        redis.call('ZADD', KEYS[5 + level], since, id)
      end
      redis.call('HSET', KEYS[5], id, '')
    end
    adopted = adopted + 1
  end
end
return {step[1], adopted}
)lua";

// Read only. KEYS: leader, leadership, waiting, states, agents, metrics, due:1, due:2, due:3,
// dataset. ARGV: interval ms, how many longest-waiting, minutes of forecast.
// Returns {now, leader or '', leader ttl, {leadership pod, epoch, since}, waiting, overdue,
//          {id, agent, since, level, ...}, {total, level1, level2, level3}, {minute counts},
//          {dataset id, since}}.
// A member of due:n with waiting-since s has level n ahead, at s + n x interval: the forecast
// counts each in its minute.
const QByteArray statusSource = REDIS_NOW_MS R"lua(
local now = nowMs()
local interval = tonumber(ARGV[1])
local leader = redis.call('GET', KEYS[1]) or ''
local ttl = redis.call('PTTL', KEYS[1])
local leadership = redis.call('HMGET', KEYS[2], 'pod', 'epoch', 'since')
local overdue = 0
for n = 1, 3 do
  overdue = overdue + redis.call('ZCOUNT', KEYS[6 + n], '-inf', int(now - n * interval))
end
local longest = {}
local top = redis.call('ZRANGE', KEYS[3], 0, tonumber(ARGV[2]) - 1, 'WITHSCORES')
for i = 1, #top, 2 do
  local id = top[i]
  longest[#longest + 1] = id
  longest[#longest + 1] = redis.call('HGET', KEYS[5], id) or ''
  longest[#longest + 1] = top[i + 1]
  longest[#longest + 1] = redis.call('HGET', KEYS[4], id) or '0'
end
local forecast = {}
for m = 0, tonumber(ARGV[3]) - 1 do
  local from, to = now + m * 60000, now + (m + 1) * 60000
  local count = 0
  for n = 1, 3 do
    count = count + redis.call('ZCOUNT', KEYS[6 + n], '(' .. int(from - n * interval),
                               int(to - n * interval))
  end
  forecast[m + 1] = count
end
return {int(now), leader, ttl, {leadership[1] or '', leadership[2] or '0', leadership[3] or '0'},
        redis.call('ZCARD', KEYS[3]), overdue, longest,
        redis.call('HMGET', KEYS[6], 'total', 'level1', 'level2', 'level3'), forecast,
        redis.call('HMGET', KEYS[10], 'id', 'since')}
)lua";

// KEYS: dataset. ARGV: id, pod. Returns 1 when made, 0 when it was there.
const QByteArray markDatasetSource = REDIS_NOW_MS R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'since', int(nowMs()), 'pod', ARGV[2])
return 1
)lua";

#undef REDIS_NOW_MS

} // namespace

TimeoutsStore::TimeoutsStore(RedisClient *redis, qint64 intervalMs)
    : m_redis(redis)
    , m_intervalMs(intervalMs)
    , m_interval(QByteArray::number(intervalMs))
    , m_agentMessage(agentMessageScript)
    , m_customerResponse(customerResponseSource)
    , m_acquire(acquireSource)
    , m_renew(renewSource)
    , m_release(releaseSource)
    , m_scan(scanSource)
    , m_adopt(adoptSource)
    , m_status(statusSource)
    , m_markDataset(markDatasetSource)
{
}

QByteArray TimeoutsStore::agentMessageSource()
{
    return agentMessageScript;
}

QList<QByteArray> TimeoutsStore::conversationKeys(const QByteArray &id)
{
    using namespace TimeoutKeys;
    return {waiting, states,        agents,   due(1),       due(2),
            due(3),  answered + id, finished, finishedSince};
}

void TimeoutsStore::agentMessage(const QByteArray &id, qint64 waitingSinceMs,
                                 const QByteArray &agentId,
                                 std::function<void(qint64, int, const QString &)> done)
{
    m_agentMessage.evaluate(m_redis, conversationKeys(id),
                            {id, QByteArray::number(waitingSinceMs), agentId},
                            [done = std::move(done)](const RedisReply &reply) {
                                if (reply.isError())
                                    done(0, 0, reply.errorMessage());
                                else
                                    done(reply.at(0).toInteger(), int(reply.at(1).toInteger()), {});
                            });
}

void TimeoutsStore::customerResponse(const QByteArray &id,
                                     std::function<void(bool, const QString &)> done)
{
    m_customerResponse.evaluate(m_redis, conversationKeys(id),
                                {id, QByteArray::number(rememberMs())},
                                [done = std::move(done)](const RedisReply &reply) {
                                    if (reply.isError())
                                        done(false, reply.errorMessage());
                                    else
                                        done(reply.toInteger() > 0, {});
                                });
}

void TimeoutsStore::acquire(const QByteArray &pod, qint64 ttlMs, qint64 floorEpoch,
                            std::function<void(qint64, qint64, const QString &)> done)
{
    using namespace TimeoutKeys;
    m_acquire.evaluate(m_redis, {leader, epoch, leadership},
                       {pod, QByteArray::number(ttlMs), QByteArray::number(floorEpoch)},
                       [done = std::move(done)](const RedisReply &reply) {
                           if (reply.isError())
                               done(0, 0, reply.errorMessage());
                           else
                               done(reply.at(0).toInteger(), reply.at(1).toInteger(), {});
                       });
}

void TimeoutsStore::renew(const QByteArray &pod, qint64 epoch, qint64 ttlMs,
                          std::function<void(bool, const QString &, const QString &)> done)
{
    using namespace TimeoutKeys;
    m_renew.evaluate(
        m_redis, {leader, TimeoutKeys::epoch},
        {pod, QByteArray::number(epoch), QByteArray::number(ttlMs)},
        [done = std::move(done), pod, epoch](const RedisReply &reply) {
            if (reply.isError())
                return done(false, {}, reply.errorMessage());
            if (reply.at(0).toInteger() == 1)
                return done(true, {}, {});
            const QByteArray holder = reply.at(1).toByteArray();
            const QByteArray current = reply.at(2).toByteArray();
            QString why;
            if (holder.isEmpty())
                why = u"%1 is gone from Redis (it ran out before this pod renewed it, or Redis "
                      "lost its data)"_s.arg(QString::fromUtf8(leader));
            else if (holder != pod)
                why = u"pod %1 holds the lease now"_s.arg(QString::fromUtf8(holder));
            else
                why = u"%1 is %2, not this leadership's %3 (Redis lost its data, or another "
                      "process runs with this POD_ID)"_s.arg(
                          QString::fromUtf8(TimeoutKeys::epoch),
                          current.isEmpty() ? u"gone"_s : QString::fromUtf8(current),
                          QString::number(epoch));
            done(false, why, {});
        });
}

void TimeoutsStore::release(const QByteArray &pod, qint64 epoch,
                            std::function<void(bool, const QString &)> done)
{
    using namespace TimeoutKeys;
    m_release.evaluate(m_redis, {leader, TimeoutKeys::epoch}, {pod, QByteArray::number(epoch)},
                       [done = std::move(done)](const RedisReply &reply) {
                           done(!reply.isError() && reply.toInteger() == 1,
                                reply.isError() ? reply.errorMessage() : QString());
                       });
}

void TimeoutsStore::scan(const QByteArray &pod, qint64 epoch, int budget, qint64 streamMaxLength,
                         std::function<void(const ScanStep &)> done)
{
    using namespace TimeoutKeys;
    m_scan.evaluate(m_redis,
                    {leader, TimeoutKeys::epoch, waiting, states, agents, metrics, events, due(1),
                     due(2), due(3), finished, finishedSince},
                    {pod, QByteArray::number(epoch), m_interval, QByteArray::number(budget),
                     QByteArray::number(streamMaxLength), group, QByteArray::number(rememberMs())},
                    [done = std::move(done)](const RedisReply &reply) {
                        ScanStep step;
                        if (reply.isError() || reply.size() < 1) {
                            step.error =
                                reply.isError() ? reply.errorMessage() : u"unexpected scan reply"_s;
                        } else if (reply.at(0).toInteger() < 0) {
                            step.fenced = true;
                        } else {
                            for (size_t i = 0; i < 3; ++i)
                                step.notified[i] = reply.at(i).toInteger();
                            step.more = reply.at(3).toInteger() == 1;
                            step.streamOverLength = reply.at(4).toInteger();
                            step.droppedUnacked = reply.at(5).toInteger();
                        }
                        done(step);
                    });
}

void TimeoutsStore::adopt(const QByteArray &pod, qint64 epoch, const QByteArray &cursor, int count,
                          std::function<void(const AdoptStep &)> done)
{
    using namespace TimeoutKeys;
    m_adopt.evaluate(m_redis,
                     {leader, TimeoutKeys::epoch, waiting, states, agents, due(1), due(2), due(3)},
                     {pod, QByteArray::number(epoch), cursor, QByteArray::number(count)},
                     [done = std::move(done)](const RedisReply &reply) {
                         AdoptStep step;
                         if (reply.isError() || reply.size() < 1)
                             step.error = reply.isError() ? reply.errorMessage()
                                                          : u"unexpected adoption reply"_s;
                         else if (reply.size() < 2)
                             step.fenced = true;
                         else {
                             step.cursor = reply.at(0).toByteArray();
                             step.adopted = reply.at(1).toInteger();
                         }
                         done(step);
                     });
}

void TimeoutsStore::status(int longest, int minutes,
                           std::function<void(std::optional<TimeoutsStatus>)> done)
{
    using namespace TimeoutKeys;
    m_status.evaluate(
        m_redis,
        {leader, leadership, waiting, states, agents, metrics, due(1), due(2), due(3), dataset},
        {m_interval, QByteArray::number(longest), QByteArray::number(minutes)},
        [done = std::move(done)](const RedisReply &reply) {
            if (reply.isError() || reply.size() < 10) {
                done(std::nullopt);
                return;
            }
            TimeoutsStatus s;
            s.nowMs = reply.at(0).toInteger();
            s.leaderPod = reply.at(1).toByteArray();
            s.leaderTtlMs = qMax<qint64>(0, reply.at(2).toInteger());
            const RedisReply leadership = reply.at(3);
            s.leadershipPod = leadership.at(0).toByteArray();
            s.leadershipEpoch = leadership.at(1).toInteger();
            s.leadershipSinceMs = leadership.at(2).toInteger();
            s.waiting = reply.at(4).toInteger();
            s.overdue = reply.at(5).toInteger();
            const RedisReply longestReply = reply.at(6);
            for (size_t i = 0; i + 3 < longestReply.size(); i += 4)
                s.longestWaiting.append(
                    {longestReply.at(i).toByteArray(), longestReply.at(i + 1).toByteArray(),
                     longestReply.at(i + 2).toInteger(), int(longestReply.at(i + 3).toInteger())});
            const RedisReply counters = reply.at(7);
            for (size_t i = 0; i < 4; ++i)
                s.notified[i] = counters.at(i).toInteger();
            const RedisReply forecast = reply.at(8);
            for (size_t i = 0; i < forecast.size(); ++i)
                s.forecast.append(forecast.at(i).toInteger());
            s.datasetId = reply.at(9).at(0).toByteArray();
            s.datasetSinceMs = reply.at(9).at(1).toInteger();
            done(s);
        });
}

void TimeoutsStore::markDataset(const QByteArray &id, const QByteArray &pod,
                                std::function<void(const QString &)> done)
{
    m_markDataset.evaluate(m_redis, {TimeoutKeys::dataset}, {id, pod},
                           [done = std::move(done)](const RedisReply &reply) {
                               done(reply.isError() ? reply.errorMessage() : QString());
                           });
}

} // namespace Switchboard
