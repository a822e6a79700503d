#!/usr/bin/env bash
# ci-gate.sh URL [HLOAD FLAGS...] — a CI performance gate: a bounded load against URL that
# fails the job (exit status 1) when the service got slow, erred, or its pool misbehaved.
#
# Keeps report.json (the report of record) and junit.xml (one test case per gate) for the CI
# system to show. Flags given after the URL are added to the run, e.g. -z 30s or more -assert.
# Exit status: 0 every gate passed, 1 one failed (no data is not a pass), 2 bad usage, 3 a
# report could not be written, 130/143 interrupted.
set -euo pipefail

url=${1:?usage: ci-gate.sh URL [HLOAD FLAGS...]}
shift
hload=${HLOAD:-$(dirname "$0")/../build/hload}

exec "$hload" -c 50 -n 20000 -no-progress \
  -assert 'p99<50ms' \
  -assert 'error_rate<0.1%' \
  -assert 'summary.unfinished==0' \
  -assert 'hosts.*.reuse_ratio>0.95' \
  -o json -output report.json -junit junit.xml \
  "$@" "$url"
