#!/usr/bin/env bash
# Installs what Switchboard needs to build, test and run on Debian 12.
# Only packages that are missing are installed; uses sudo when not root.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qt6-charts-dev
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-translations-l10n
    libqt6svg6 qt6-qpa-plugins libqt6opengl6-dev
    libgl1-mesa-dev libxkbcommon-dev
    libhiredis-dev libnats-dev libyaml-cpp-dev libjwt-dev libssl-dev
    redis-server redis-tools nats-server
    # the README's examples: curl to watch the node, openssl to sign a demo token
    curl openssl
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: every package is already installed"
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"

# Debian starts a system redis-server on 6379 after installing it; Switchboard's
# tests and local stack start their own servers on free ports and do not need it.
