#!/usr/bin/env bash
# check-layering.sh [ROOT] fails when a module includes what its layer may not see:
#   pool/       nothing of engine/, reporters/ or cmd/ (the pool is a library of its own)
#   engine/     nothing of reporters/ or cmd/
#   reporters/  nothing of cmd/; of engine/ only the result types (and the per-request sample);
#               of pool/ only the vocabulary the results are written in (clock, error, trace)
# It prints one line per offending include ("file:line: includes X (rule)") and exits 1 if any.
set -uo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root" || exit 2

reporter_engine_ok='engine/(run_result|run_config|histogram|sparse_histogram|timeline|error_kind|request_sample)\.hpp'
reporter_pool_ok='pool/(clock|error|trace)\.hpp'

bad=0
# report FILE LINE INCLUDE RULE
report() {
  echo "$1:$2: includes $3 ($4)"
  bad=1
}

while IFS=: read -r file line text; do
  inc=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$text")
  case $file in
    pool/*)
      [[ $inc == engine/* || $inc == reporters/* || $inc == cmd/* ]] &&
        report "$file" "$line" "$inc" "pool/ must not depend on the engine, reporters or cmd"
      ;;
    engine/*)
      [[ $inc == reporters/* || $inc == cmd/* ]] &&
        report "$file" "$line" "$inc" "engine/ must not depend on reporters or cmd"
      ;;
    reporters/*)
      if [[ $inc == cmd/* ]]; then
        report "$file" "$line" "$inc" "reporters must not depend on cmd"
      elif [[ $inc == engine/* ]] && ! [[ $inc =~ ^$reporter_engine_ok$ ]]; then
        report "$file" "$line" "$inc" "reporters read only the engine's result types"
      elif [[ $inc == pool/* ]] && ! [[ $inc =~ ^$reporter_pool_ok$ ]]; then
        report "$file" "$line" "$inc" "reporters must not include pool internals"
      fi
      ;;
  esac
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' pool engine reporters \
           --include='*.hpp' --include='*.cpp' 2>/dev/null)

if ((bad)); then
  echo "check-layering: the module layering is broken (see docs/architecture.md#modules)" >&2
  exit 1
fi
echo "check-layering: ok"
