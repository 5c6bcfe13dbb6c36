#pragma once

namespace Switchboard {

// The remote write of one batch, run atomically by Redis (EVALSHA). It makes replication
// idempotent: every (stream, consumer) pair keeps a high-water mark on the remote, the local id
// of the last entry written for it, updated in the same atomic step as the XADDs. An entry at or
// below the mark is already on the remote (a crash between XADD and XACK, or two nodes racing
// for a dead consumer's entries) and is skipped.
//
// The entries of one consumer are written in id order, so "every entry up to the mark is on the
// remote" stays true as long as a batch is only written when the entries before it are. The
// caller passes `prev`, the last id of the batch it sent before this one ("0-0": none, all
// earlier entries are acked). If the mark is below `prev`, an earlier pipelined batch did not
// land and this one is refused with SBGAP instead of leaving a hole; the caller resends in order.
//
// KEYS[1] remote stream, KEYS[2] high-water mark key
// ARGV[1] prev, ARGV[2] mark TTL in ms, then per entry: local id, 2 * field count, fields...
// Returns the number of entries written (the rest were already there).
inline constexpr char writeBatchScript[] = R"lua(
local function before(a, b)
  local ams, aseq = string.match(a, '^(%d+)-(%d+)$')
  local bms, bseq = string.match(b, '^(%d+)-(%d+)$')
  ams, bms = tonumber(ams), tonumber(bms)
  if ams ~= bms then return ams < bms end
  return tonumber(aseq) < tonumber(bseq)
end
local mark = redis.call('GET', KEYS[2]) or '0-0'
local prev = ARGV[1]
if mark ~= prev and before(mark, prev) then
  return redis.error_reply('SBGAP high-water mark ' .. mark .. ' is below ' .. prev)
end
-- The common case, one writer per consumer: nothing on the remote past prev and the batch
-- starts above it, write all. (A batch at or below prev means the local Redis went back in time
-- and delivered entries again: check each against the mark.)
local check = mark ~= prev or not before(prev, ARGV[3])
local i, n, written, last = 3, #ARGV, 0, mark
while i <= n do
  local id, count = ARGV[i], tonumber(ARGV[i + 1])
  if not check or before(last, id) then
    redis.call('XADD', KEYS[1], '*', unpack(ARGV, i + 2, i + 1 + count))
    written = written + 1
    last = id
  end
  i = i + 2 + count
end
if written > 0 then
  redis.call('SET', KEYS[2], last, 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return written
)lua";

// The guard of the fast path. Our own consumer's batches go to the remote as a pipelined
// transaction, so that the entries' bytes never pass through Lua (Redis 7 hashes every byte of
// every script argument, which doubled the remote's cost per entry for 1.5 KB events):
//
//   WATCH mark · EVAL checkMarkScript mark prev · MULTI · XADD … · SET mark last · EXEC
//
// The check runs after WATCH: when the mark is not `prev` it touches the mark, which makes this
// connection's own EXEC abort; any other client changing the mark aborts it as well. So EXEC
// writes exactly when writeBatchScript would have written everything, and an aborted batch is
// sent again through writeBatchScript, which sorts out what is already there.
// KEYS[1] mark key, ARGV[1] prev, ARGV[2] mark TTL in ms. Returns 1 when the batch may go.
inline constexpr char checkMarkScript[] = R"lua(
local mark = redis.call('GET', KEYS[1]) or '0-0'
if mark == ARGV[1] then return 1 end
redis.call('SET', KEYS[1], mark, 'PX', ARGV[2])
return 0
)lua";

} // namespace Switchboard
