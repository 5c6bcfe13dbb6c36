#!/usr/bin/env bash
# The two set-up commands of the README, for a fresh Debian 12 machine:
#   installer/setup.sh run    install what is missing, build, start Switchboard on the local stack
#   installer/setup.sh test   install what is missing, build, run every test
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build="${SWITCHBOARD_BUILD_DIR:-$here/build}"
mode="${1:-run}"

"$here/installer/install-deps.sh"

cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHBOARD_BUILD_GUI=ON
# A first start needs the application only; the tests and benchmarks are built by `test`.
targets=()
[ "$mode" = run ] && targets=(--target switchboard)
cmake --build "$build" --parallel "$(nproc)" "${targets[@]}"

case "$mode" in
run)
    shift || true
    # The port to announce: --port N (or -port, --port=N) among the arguments, which go to
    # switchboard, else PORT, else the default. A server.port in a configuration file is not
    # seen here; the log's "HTTP on port" line is the one to trust.
    port="${PORT:-8080}"
    args=("$@")
    for ((i = 0; i < ${#args[@]}; i++)); do
        case "${args[i]}" in
        --port=* | -port=*) port="${args[i]#*=}" ;;
        --port | -port) if [ $((i + 1)) -lt ${#args[@]} ]; then port="${args[i + 1]}"; fi ;;
        esac
    done
    echo "Starting Switchboard on the local stack with simulated FreeSWITCH traffic and call signals."
    echo "Health: http://127.0.0.1:$port/health   Status: http://127.0.0.1:$port/api/v1/status"
    echo "The demo sink fails a fifth of the forwards on purpose: expect 'forward failed' warnings"
    echo "and 'dead letter' errors in the log. Ctrl-C stops it."
    # The polling engine needs the secret of the tokens it checks; a demo one for this machine
    # (the README's examples sign their token with it).
    if [ -z "${JWT_SECRET:-}" ]; then
        export JWT_SECRET=switchboard-local-demo-secret
        echo "Polling checks tokens signed with the demo JWT_SECRET=$JWT_SECRET."
    fi
    exec "$build/app/switchboard" --simulate "$@"
    ;;
test)
    # The server-only build (no Widgets, no Charts), as a server package would be built: it
    # must configure, build and link without the GUI libraries.
    headless="$build-headless"
    cmake -S "$here" -B "$headless" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSWITCHBOARD_BUILD_GUI=OFF -DSWITCHBOARD_BUILD_TESTS=OFF
    cmake --build "$headless" --parallel "$(nproc)" --target switchboard
    if ldd "$headless/app/switchboard" | grep -E 'Qt6(Widgets|Charts)'; then
        echo "the headless build links the GUI libraries" >&2
        exit 1
    fi
    "$headless/app/switchboard" --version
    cd "$build"
    exec ctest --output-on-failure --timeout 600 -j 2
    ;;
*)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
