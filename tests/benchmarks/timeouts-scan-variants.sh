#!/bin/bash
# What the due scan's contract costs: the engine's scan script (taken from
# server/timeouts/timeoutsstore.cpp as built) and three variants of it, each against the minimal
# script of timeouts_bench (taken from tests/benchmarks/timeouts_bench.cpp), on one
# redis-server this script starts on a free loopback port:
#
#   engine             the script as the leader runs it
#   no agent lookup    without the HMGET of timeout:agents (agent_id empty)
#   no state write     without the HSET of the seed's notification_states
#   neither            without both
#
# Every scan starts from fresh data: N conversations put in by the engine's own agent-message
# script (looped in one EVAL), all due at level 1. The scan is looped with batch 1000 until it
# finds nothing due, as TimeoutScanner and the baseline loop do; what is measured is
# redis-server's CPU time (the scan's cost, whichever client drives it). A variant and the
# baseline alternate, the variant first in odd rounds; the ratio is the baseline's CPU over the
# variant's (a throughput ratio: 1.0x costs what the minimal script costs), median of the rounds.
#
#   tests/benchmarks/timeouts-scan-variants.sh [rounds] [members]      (default 3, 1000000)
#
# By hand, not in CI. It needs redis-server and redis-cli (tests/install-deps.sh installs them).
set -euo pipefail

rounds=${1:-3}
members=${2:-1000000}
batch=1000
interval=30000
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
    shuf -i 20000-60000 -n 1)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    >"$work/redis.log" 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; rm -rf "$work"' EXIT
cli() { redis-cli -p "$port" "$@"; }
for _ in $(seq 50); do cli PING >/dev/null 2>&1 && break || sleep 0.1; done
cli PING >/dev/null

# The C++ sources hold the scripts as raw strings, after the REDIS_NOW_MS macro's Lua.
store="$root/server/timeouts/timeoutsstore.cpp"
prelude() { awk '/^#define REDIS_NOW_MS/{f=1;next} f{s=$0; sub(/^[^"]*"/,"",s); sub(/"[^"]*$/,"",s);
    gsub(/\\n/,"\n",s); printf "%s", s; if ($0 !~ /\\$/) exit}' "$store"; }
body() { awk -v start="$2" 'index($0,start){f=1;next} f&&/^\)lua";/{exit} f' "$1"; }
{ prelude; body "$store" 'const QByteArray scanSource = REDIS_NOW_MS R"lua('; } >"$work/engine.lua"
body "$root/tests/benchmarks/timeouts_bench.cpp" 'const QByteArray baselineScript = R"lua(' \
    >"$work/baseline.lua"
{
    prelude
    echo 'local function agentMessage(KEYS, ARGV)'
    body "$store" 'const QByteArray agentMessageScript = REDIS_NOW_MS R"lua('
    echo 'end'
    cat <<'EOF'
-- ARGV: members, waiting since. The keys are the engine's (TimeoutsStore::conversationKeys).
for i = 0, tonumber(ARGV[1]) - 1 do
  local id = string.format('conversation-%07d', i)
  agentMessage({'waiting_conversations', 'notification_states', 'timeout:agents', 'timeout:due:1',
                'timeout:due:2', 'timeout:due:3', 'timeout:answered:' .. id, 'timeout:finished',
                'timeout:finished_since'},
               {id, ARGV[2], 'agent-' .. (i % 500)})
end
return redis.call('ZCARD', 'waiting_conversations')
EOF
} >"$work/fill.lua"
for file in engine baseline; do
    [ "$(wc -l <"$work/$file.lua")" -gt 5 ] || { echo "could not find the $file script" >&2; exit 1; }
done
agents="local agents = redis.call('HMGET', KEYS\[5\], unpack(ids))"
states="redis.call('HSET', KEYS\[4\], unpack(states))"
grep -q "$agents" "$work/engine.lua" && grep -q "$states" "$work/engine.lua" ||
    { echo "the scan script changed: update the variants' sed lines" >&2; exit 1; }
sed "s/$agents/local agents = {}/" "$work/engine.lua" >"$work/no-agent.lua"
sed "s/$states//" "$work/engine.lua" >"$work/no-state.lua"
sed "s/$agents/local agents = {}/; s/$states//" "$work/engine.lua" >"$work/neither.lua"

fill_sha=$(cli SCRIPT LOAD "$(cat "$work/fill.lua")")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$redis_pid/stat"; }
ticks_per_s=$(getconf CLK_TCK)

# scan FILE: fresh data, then the script in a loop until a call finds nothing; prints redis CPU s.
scan() {
    local sha calls=0 before after reply
    sha=$(cli SCRIPT LOAD "$(cat "$work/$1.lua")")
    cli FLUSHALL >/dev/null
    # Due at level 1 (1.5 intervals ago), not yet at level 2.
    local filled
    filled=$(cli EVALSHA "$fill_sha" 0 "$members" $(($(date +%s%3N) - interval * 3 / 2)))
    [ "$filled" = "$members" ] || { echo "fill: $filled" >&2; exit 1; }
    cli SET timeout:leader bench >/dev/null
    cli SET timeout:epoch 7 >/dev/null
    before=$(cpu_ticks)
    while [ $calls -lt $((members / batch + 10)) ]; do
        calls=$((calls + 100))
        if [ "$1" = baseline ]; then
            reply=$(cli -r 100 EVALSHA "$sha" 2 timeout:due:1 timeout_events "$interval" "$batch" \
                agent-bench 7 | tail -1)
            [ "$reply" = 0 ] && break
        else
            reply=$(cli -r 100 EVALSHA "$sha" 12 timeout:leader timeout:epoch waiting_conversations \
                notification_states timeout:agents metrics:timeouts timeout_events timeout:due:1 \
                timeout:due:2 timeout:due:3 timeout:finished timeout:finished_since bench 7 \
                "$interval" "$batch" 100000000 timeout_notifiers 60000 | tail -6 | head -1)
            [ "$reply" = 0 ] && break
        fi
    done
    after=$(cpu_ticks)
    local written
    written=$(cli XLEN timeout_events)
    [ "$written" = "$members" ] || { echo "$1 wrote $written notifications, expected $members" >&2; exit 1; }
    awk -v t=$((after - before)) -v hz="$ticks_per_s" 'BEGIN {printf "%.2f", t / hz}'
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

printf '%-18s %-22s %-22s %s\n' "scan variant" "redis CPU s per run" "baseline CPU s" "ratio (median of $rounds)"
for variant in engine no-agent no-state neither; do
    : >"$work/v" ; : >"$work/b"; : >"$work/r"
    for round in $(seq "$rounds"); do
        if [ $((round % 2)) = 1 ]; then v=$(scan "$variant"); b=$(scan baseline)
        else b=$(scan baseline); v=$(scan "$variant"); fi
        echo "$variant round $round: $v s, baseline $b s" >&2
        echo "$v" >>"$work/v"; echo "$b" >>"$work/b"
        awk -v v="$v" -v b="$b" 'BEGIN {printf "%.3f\n", b / v}' >>"$work/r"
    done
    printf '%-18s %-22s %-22s %.2fx\n' "$variant" "$(median <"$work/v")" "$(median <"$work/b")" "$(median <"$work/r")"
done
echo "$members conversations all due at level 1, batch $batch; redis-server $(redis-server --version | grep -o 'v=[0-9.]*')"
