#!/usr/bin/env bash
# check-tidy.sh [BUILD_DIR [ROOT]] runs clang-tidy (.clang-tidy at the root) over the .cpp files
# of cmd/, engine/, pool/, reporters/ and tests/ that BUILD_DIR's compile_commands.json lists
# (BUILD_DIR defaults to ROOT/build, which scripts/build.sh configures; ROOT to this checkout).
# Files are checked in parallel, one clang-tidy per core (HLOAD_JOBS overrides). It fails
# listing every diagnostic, each once, however many files include the header it is in.
set -uo pipefail

root=${2:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
root=$(cd "$root" && pwd) || exit 2
build=${1:-$root/build}

if ! command -v clang-tidy >/dev/null; then
  echo "check-tidy: clang-tidy is not installed (scripts/setup.sh installs it)" >&2
  exit 2
fi
if [[ ! -f $build/compile_commands.json ]]; then
  echo "check-tidy: no $build/compile_commands.json (configure first: scripts/build.sh normal)" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The test programs share a GCC precompiled header; clang finds its .gch beside the header
# and refuses it. Without -include the sources compile as they are written, which also shows
# a test that leans on the precompiled header for an include it lacks.
sed -E -e 's/ -Winvalid-pch//g' -e 's/ -include [^ ]*cmake_pch\.hxx//g' \
  "$build/compile_commands.json" >"$work/compile_commands.json"

mapfile -t files < <(grep -oE '"file": *"[^"]+"' "$work/compile_commands.json" |
                       sed -E 's/"file": *"([^"]+)"/\1/' |
                       grep -E "^$root/(cmd|engine|pool|reporters|tests)/.*\.cpp$" | sort -u)
if ((${#files[@]} == 0)); then
  echo "check-tidy: $build/compile_commands.json lists no file of $root" >&2
  exit 2
fi

jobs=${HLOAD_JOBS:-$(nproc 2>/dev/null || echo 2)}
# One log per file; a file whose clang-tidy fails or says anything is listed below.
# -Wno-unknown-warning-option: the commands are GCC's, and clang need not know every -W.
printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "$jobs" sh -c '
    log="$0/$(printf %s "$2" | tr / _).log"
    clang-tidy -p "$0" --quiet --extra-arg=-Wno-unknown-warning-option "$2" >"$log" 2>&1 ||
      echo "$2" >>"$0/failed"
  ' "$work" _

# A diagnostic is "file:line:col: warning: ..."; a few come without a location.
diagnostics=$(cat "$work"/*.log | grep -E '^([^ ]+:[0-9]+:[0-9]+: )?(warning|error): ' | sort -u)
if [[ -n $diagnostics || -s $work/failed ]]; then
  echo "$diagnostics"
  if [[ -z $diagnostics ]]; then
    # clang-tidy failed without a diagnostic of the usual form: show what it said.
    while read -r f; do
      echo "check-tidy: clang-tidy failed on $f:"
      sed 's/^/    /' "$work/$(printf %s "$f" | tr / _).log"
    done <"$work/failed"
  fi
  echo "check-tidy: $(grep -c . <<<"$diagnostics") diagnostics in ${#files[@]} files" \
    "(clang-tidy -p $build FILE shows each in context)" >&2
  exit 1
fi
echo "check-tidy: ${#files[@]} files ok"
