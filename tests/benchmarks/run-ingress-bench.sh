#!/usr/bin/env bash
# Builds and runs ingress_bench: POST /events against a bare QHttpServer, and delivery from
# POST to two local endpoints.
#
#   tests/benchmarks/run-ingress-bench.sh [BUILD_DIR] [ingress_bench options...]
#
# BUILD_DIR (default: build, relative to the source tree) is configured for Release when it has
# no CMakeCache.txt yet. The load generator, wrk, is installed from Debian when missing (sudo
# when not root, like installer/install-deps.sh). The table goes to stdout, progress to stderr.
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="build"
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    build_dir="$1"
    shift
fi
case "$build_dir" in
    /*) ;;
    *) build_dir="$source_dir/$build_dir" ;;
esac

if ! command -v wrk >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "run-ingress-bench: installing wrk" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >&2
    $sudo apt-get install -y -q --no-install-recommends wrk >&2
fi

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")"
if [ "$build_type" != "Release" ]; then
    echo "run-ingress-bench: warning: $build_dir is a '$build_type' build, not Release" >&2
fi
cmake --build "$build_dir" --target ingress_bench switchboard >&2

export SWITCHBOARD_BINARY="$build_dir/app/switchboard"
exec "$build_dir/tests/benchmarks/ingress_bench" "$@"
