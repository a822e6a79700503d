#!/usr/bin/env bash
# setup.sh installs what building and testing hload needs on Debian 12. Idempotent: packages
# already installed are found with dpkg-query, so a repeated run is fast and works offline;
# apt-get runs (with an update first) only when something is missing. The npm packages of the
# HTML report (uPlot, embedded at build time, and playwright-core for its browser test) are
# installed by configuring the build, under the build tree (reporters/CMakeLists.txt).
set -euo pipefail

packages=(
  build-essential cmake ninja-build g++ ccache pkg-config
  libboost1.81-dev libboost-url1.81-dev libssl-dev libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libnghttp2-dev
  clang-format clang-tidy python3 python3-yaml bc time
  clang libclang-rt-14-dev  # libFuzzer and clang's sanitizers, for scripts/fuzz.sh
  nginx-light  # stub_status, ssl and http2 modules; the tests start their own instances
  nghttp2-server  # nghttpd: the HTTP/2 server of nghttp2, for the h2c tests
  libxml2-utils  # xmllint: the JUnit gate report is checked against tests/data/junit.xsd
  chromium  # the HTML report's browser test (tests/browser), driven by playwright-core
)
# Node.js and npm build the HTML report's assets; a machine may have them from elsewhere than
# Debian (NodeSource's nodejs brings its own npm), so Debian's are asked for only when missing.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

# One dpkg-query for all: it prints the packages it knows, and we keep those installed.
declare -A installed
while read -r name status; do
  [[ $status == installed ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
  [[ -n ${installed[$p]:-} ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if ((EUID != 0)); then
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Debian's nginx postinst starts the system service. Tests never use it (each starts its own
# nginx on its own ports and prefix), so keep it from starting at all where invoke-rc.d is
# consulted, and stop it below where it started anyway.
policy=/usr/sbin/policy-rc.d
created_policy=false
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  created_policy=true
fi
cleanup() { if $created_policy; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
elif [[ -s /run/nginx.pid ]]; then
  nginx -s quit >/dev/null 2>&1 || true
fi
echo "setup: done"
