#!/usr/bin/env bash
# demo.sh shows hload's pool at work: 200 virtual users share 2 connections to the built-in
# server for 20,000 requests, and the report shows per-host dials, reuse and waits.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" normal

# `hload demo` starts the built-in server on a free loopback port and runs against it; its
# defaults are -c 200 -max-conns-per-host 2 -n 20000, and any run flag given here overrides them.
exec "$root/build/hload" demo "$@"
