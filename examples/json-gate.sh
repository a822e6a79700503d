#!/usr/bin/env bash
# json-gate.sh URL [MAX_P99_MS] [MAX_ERROR_RATE] — a CI performance gate on hload's JSON report.
#
# Runs a bounded load against URL, keeps the report as an artifact (report.json, written
# atomically even if the run is interrupted) and fails the job when the 99th percentile or the
# error rate is over budget. The field names are hload.report/v1's contract.
set -euo pipefail

url=${1:?usage: json-gate.sh URL [MAX_P99_MS] [MAX_ERROR_RATE]}
max_p99_ms=${2:-50}
max_error_rate=${3:-0.001}
hload=${HLOAD:-$(dirname "$0")/../build/hload}

"$hload" -c 50 -n 20000 -o json -output report.json -no-progress "$url"

python3 - "$max_p99_ms" "$max_error_rate" <<'PY'
import json, sys
max_p99, max_err = float(sys.argv[1]), float(sys.argv[2])
r = json.load(open("report.json"))
p99, err = r["latency"]["p99_ms"], r["summary"]["error_rate"]
for key, h in r["hosts"].items():
    print(f"{key}: {h['dials']} dials, reuse {h['reuse_ratio']:.4f}, "
          f"wait for idle p99 {h['wait_idle']['p99_ms']} ms")
print(f"p99 {p99} ms (budget {max_p99}), error rate {err} (budget {max_err})")
sys.exit(0 if p99 <= max_p99 and err <= max_err else 1)
PY
