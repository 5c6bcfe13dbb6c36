#include "pollingstore.h"

#include "pollingevent.h"
#include "redis/redisclient.h"

#include <algorithm>

namespace Switchboard {

using namespace Qt::Literals::StringLiterals;

namespace {

// KEYS: the event's streams, the admin stream first. ARGV: the event's JSON, its userId, "1"
// for admin only, the TTL in ms, the wake channel, the prefix of the "trimmed" marks.
//
// Redis 7.0 keeps no trace of what XTRIM removed (max-deleted-entry-id follows XDEL only), so
// each stream has a mark, "<prefix>:trimmed:<stream>", holding the newest id trimmed: a client
// behind it has missed events. The mark is not among KEYS: a single Redis, not a cluster.
constexpr char publishSource[] = R"lua(
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[4])
local minId = string.format('%.0f', nowMs - ttl) .. '-0'
local id = redis.call('XADD', KEYS[1], '*', 'u', ARGV[2], 'x', ARGV[3], 'e', ARGV[1])
for i = 1, #KEYS do
  if i > 1 then
    redis.call('XADD', KEYS[i], id, 'u', ARGV[2], 'x', ARGV[3], 'e', ARGV[1])
  end
  -- Anything expired? Asked from the oldest end: Redis 7.0's XREVRANGE from an id below every
  -- entry walks the whole stream (5 ms at 50 000 entries), and that is the usual case here.
  if #redis.call('XRANGE', KEYS[i], '-', '(' .. minId, 'COUNT', 1) > 0 then
    local newestExpired = redis.call('XREVRANGE', KEYS[i], '(' .. minId, '-', 'COUNT', 1)
    redis.call('XTRIM', KEYS[i], 'MINID', minId)
    redis.call('SET', ARGV[6] .. KEYS[i], newestExpired[1][1], 'PX', 2 * ttl)
  end
  -- Twice the TTL: an idle stream and its mark say what was trimmed for a TTL more.
  redis.call('PEXPIRE', KEYS[i], 2 * ttl)
end
redis.call('PUBLISH', ARGV[5],
           id .. '\n' .. t[1] .. string.format('%06d', tonumber(t[2])) .. '\n'
              .. table.concat(KEYS, '\n'))
return id
)lua";

// KEYS[1]: the stream. ARGV: the client's last id ('' for none), the count, the TTL in ms,
// the prefix of the "trimmed" marks, the most bytes of entries to return.
// Returns {history lost (0/1), where to resume when there are no entries (else ''), entries,
// 1 when newest first, 1 when entries were left for their size}. Entries older than the TTL are
// not served even where no publish has trimmed them yet. No XINFO: it copies the first and last
// entries, and reads are the hot path.
//
// A client that keeps polling a quiet feed keeps an id that ages; with nothing missed and
// nothing new, one older than the TTL resumes just below now (no entry is that new, and every
// later publish has a higher id), so that it is never taken for a client that missed events.
constexpr char readSource[] = R"lua(
local key, last, count = KEYS[1], ARGV[1], tonumber(ARGV[2])
local function parse(id)
  local dash = string.find(id, '-', 1, true)
  if dash then
    return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
  end
  return tonumber(id), 0
end
local function older(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
local minId = string.format('%.0f', nowMs - ttl) .. '-0'
local maxBytes = tonumber(ARGV[5])
-- The entries from `from` on (XRANGE; XREVRANGE from the newest), at most `count` and, past the
-- first, at most `maxBytes` of them, and 1 when some were left for their size. One answer holds
-- no more than that, and a whole page of large events (500 of up to 1 MiB, the body limit) was
-- built here, sent and held by the node for an answer of four, and again for the next answer.
-- Read in batches sized by what the entries so far weigh: small events take one or two calls.
local function readPage(command, from, to)
  local entries, bytes, batch = {}, 0, math.min(count, 16)
  while true do
    local got = redis.call(command, key, from, to, 'COUNT', batch)
    for _, entry in ipairs(got) do
      local size = 0
      for _, value in ipairs(entry[2]) do
        size = size + #value
      end
      if #entries > 0 and bytes + size > maxBytes then
        return entries, 1
      end
      bytes = bytes + size
      entries[#entries + 1] = entry
    end
    if #got < batch or #entries >= count then
      return entries, 0
    end
    from = '(' .. got[#got][1]
    local fitting = math.floor((maxBytes - bytes) * #entries / math.max(bytes, 1))
    batch = math.min(count - #entries, math.max(1, fitting))
  end
end
-- Where a client with nothing new resumes: the stream's newest entry, or just below now when
-- none is kept. An expired entry's id would outlive the stream (idle, it expires a TTL later)
-- and then read as that of a client away since before the entry: historyLost, nothing missed.
local function streamEnd()
  local newest = redis.call('XREVRANGE', key, '+', minId, 'COUNT', 1)
  if #newest > 0 then
    return newest[1][1]
  end
  return string.format('%.0f', nowMs - 1) .. '-0'
end
if last == '' then
  local entries, more = readPage('XREVRANGE', '+', minId)
  if #entries > 0 then
    return {0, '', entries, 1, more}
  end
  return {0, streamEnd(), {}, 0, 0}
end
local lost = 0
-- An id ahead of the clock and of every entry was not handed out by this Redis (a page's id
-- of another deployment, a typo, one handed out before Redis' clock stepped back): read from
-- as it is, nothing would ever come after it, and the client would wait for events that went
-- past it without being told. It is answered as an id the Telemetry Service did not know:
-- with everything kept, and history lost. Only such an id pays for the look at the newest.
if parse(last) > nowMs then
  local newest = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
  if #newest == 0 or older(newest[1][1], last) then
    last = '0-0'
    lost = 1
  end
end
local trimmed = redis.call('GET', ARGV[4] .. key)
if trimmed and older(last, trimmed) then
  lost = 1
end
local start = '(' .. last
local behind = older(last, minId)
if behind then
  -- Entries between the client and the TTL are expired for it, trimmed or not yet; a
  -- stream idle for twice the TTL is gone with what it deleted, so a client from before
  -- then may have missed events. One from after then cannot have: a publish after its id
  -- would have kept the stream for twice the TTL more.
  local goneBefore = string.format('%.0f', nowMs - 2 * ttl) .. '-0'
  if lost == 0 and ((redis.call('EXISTS', key) == 0 and older(last, goneBefore))
                    or #redis.call('XRANGE', key, start, '(' .. minId, 'COUNT', 1) > 0) then
    lost = 1
  end
  start = minId
end
local entries, more = readPage('XRANGE', start, '+')
if #entries == 0 and lost == 1 then
  return {lost, streamEnd(), entries, 0, 0}
end
if #entries == 0 and behind then
  return {0, string.format('%.0f', nowMs - 1) .. '-0', entries, 0, 0}
end
return {lost, '', entries, 0, more}
)lua";

} // namespace

PollingStore::PollingStore(RedisClient *redis, const PollingConfig &config)
    : m_redis(redis)
    , m_prefix(config.keyPrefix.toUtf8())
    , m_ttlMs(QByteArray::number(config.eventTtlSeconds * 1000))
    , m_publish(publishSource)
    , m_read(readSource)
{
}

QByteArray PollingStore::typeStream(const QString &eventType) const
{
    return m_prefix + ":type:" + eventType.toUtf8();
}

QByteArray PollingStore::userStream(const QString &userId) const
{
    return m_prefix + ":user:" + userId.toUtf8();
}

void PollingStore::publish(const PollingEvent &event,
                           std::function<void(const QByteArray &id, const QString &error)> done)
{
    QList<QByteArray> keys {adminStream(), typeStream(event.eventType)};
    if (!event.userId.isEmpty() && !event.adminOnly)
        keys.append(userStream(event.userId));
    m_publish.evaluate(m_redis, keys,
                       {event.json, event.userId.toUtf8(), event.adminOnly ? "1"_ba : "0"_ba,
                        m_ttlMs, wakeChannel(), m_prefix + ":trimmed:"},
                       [done = std::move(done)](const RedisReply &reply) {
                           if (reply.isError())
                               done({}, reply.errorMessage());
                           else
                               done(reply.toByteArray(), {});
                       });
}

void PollingStore::read(const QByteArray &stream, const QByteArray &afterId, int count,
                        qsizetype maxBytes, std::function<void(Page &&page)> done)
{
    m_read.evaluate(m_redis, {stream},
                    {afterId, QByteArray::number(count), m_ttlMs,
                     m_prefix + ":trimmed:", QByteArray::number(maxBytes)},
                    [done = std::move(done)](const RedisReply &reply) {
                        Page page;
                        if (reply.isError() || reply.size() < 5) {
                            page.error = reply.isError() ? reply.errorMessage()
                                                         : u"unexpected reply to the read script"_s;
                            done(std::move(page));
                            return;
                        }
                        page.historyLost = reply.at(0).toInteger() == 1;
                        page.streamLastId = reply.at(1).toByteArray();
                        const RedisReply entries = reply.at(2);
                        page.entries.reserve(qsizetype(entries.size()));
                        for (size_t i = 0; i < entries.size(); ++i) {
                            const RedisReply entry = entries.at(i);
                            const RedisReply fields = entry.at(1);
                            Entry out;
                            out.id = entry.at(0).toByteArray();
                            // Written by the publish script as u, x, e; read by name all the same.
                            for (size_t f = 0; f + 1 < fields.size(); f += 2) {
                                const QByteArrayView name = fields.at(f).view();
                                if (name == "u")
                                    out.userId = fields.at(f + 1).toByteArray();
                                else if (name == "x")
                                    out.adminOnly = fields.at(f + 1).view() == "1";
                                else if (name == "e")
                                    out.json = fields.at(f + 1).toByteArray();
                            }
                            page.entries.append(std::move(out));
                        }
                        if (reply.at(3).toInteger() == 1) // newest first: a first poll
                            std::reverse(page.entries.begin(), page.entries.end());
                        page.more = reply.at(4).toInteger() == 1;
                        done(std::move(page));
                    });
}

} // namespace Switchboard
