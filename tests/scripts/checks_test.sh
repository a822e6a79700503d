#!/usr/bin/env bash
# checks_test.sh SCRIPTS_DIR: the format, layering, doc-reference and clang-tidy checkers pass a
# clean tree and fail on a deliberately bad change of each kind they guard against.
set -uo pipefail

scripts=${1:?usage: checks_test.sh SCRIPTS_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# expect WANT_STATUS DESCRIPTION COMMAND... runs the command and compares its exit status.
expect() {
  local want=$1 what=$2
  shift 2
  local out status
  out=$("$@" 2>&1)
  status=$?
  if ((status != want)); then
    echo "FAIL: $what: exit $status, want $want"
    echo "$out" | sed 's/^/    /'
    failures=$((failures + 1))
  else
    echo "ok: $what"
  fi
}

# tree NAME makes a small project tree whose layering and formatting are right.
tree() {
  local t=$work/$1
  mkdir -p "$t"/{pool,engine,reporters,cmd,tests,examples}
  printf 'BasedOnStyle: Google\nColumnLimit: 100\n' >"$t/.clang-format"
  printf '#pragma once\n\nint pool_value();\n' >"$t/pool/value.hpp"
  printf '#include "pool/value.hpp"\n\nint engine_value() { return pool_value(); }\n' \
    >"$t/engine/value.cpp"
  printf '#include "engine/run_result.hpp"\n#include "pool/trace.hpp"\n\nint report();\n' \
    >"$t/reporters/report.hpp"
  echo "$t"
}

clean=$(tree clean)
expect 0 "layering of a clean tree" "$scripts/check-layering.sh" "$clean"
expect 0 "format of a clean tree" "$scripts/check-format.sh" "$clean"

t=$(tree pool-up)
printf '#include "engine/engine.hpp"\n' >>"$t/pool/value.hpp"
expect 1 "pool/ including engine/" "$scripts/check-layering.sh" "$t"

t=$(tree engine-up)
printf '#include "reporters/report.hpp"\n' >>"$t/engine/value.cpp"
expect 1 "engine/ including reporters/" "$scripts/check-layering.sh" "$t"

t=$(tree reporter-internals)
printf '#include "pool/transport.hpp"\n' >>"$t/reporters/report.hpp"
expect 1 "reporters including a pool internal" "$scripts/check-layering.sh" "$t"

t=$(tree reporter-engine)
printf '#include "engine/worker.hpp"\n' >>"$t/reporters/report.hpp"
expect 1 "reporters including the engine beyond its results" "$scripts/check-layering.sh" "$t"

t=$(tree unformatted)
printf 'int  f( int x ){return x;}\n' >"$t/cmd/bad.cpp"
expect 1 "a file clang-format would change" "$scripts/check-format.sh" "$t"

# Citations of the design documents. The citations are assembled with printf so that this file
# itself cites nothing (check-doc-refs.sh reads tests/ too).
t=$(tree doc-refs)
mkdir -p "$t/docs"
printf '# Design\n\n## Modules\n\n<a id="rule-1"></a>\n### Rule 1: one `step`\n' \
  >"$t/docs/architecture.md"
printf '// docs/%s.md#%s, docs/%s.md#%s, docs/%s.md#%s and docs/%s.md\n' \
  architecture modules architecture rule-1 architecture rule-1-one-step architecture \
  >"$t/cmd/cites.cpp"
expect 0 "citations of headings, explicit anchors and a document" "$scripts/check-doc-refs.sh" "$t"
printf '// docs/%s.md#%s\n' architecture no-such-section >>"$t/cmd/cites.cpp"
expect 1 "a citation of a missing anchor" "$scripts/check-doc-refs.sh" "$t"
t=$(tree doc-file)
mkdir -p "$t/docs"
printf '// docs/%s.md#%s\n' nowhere modules >"$t/engine/cites.cpp"
expect 1 "a citation of a missing document" "$scripts/check-doc-refs.sh" "$t"

# clang-tidy with the project's .clang-tidy, over a compile database of one file.
if command -v clang-tidy >/dev/null; then
  t=$(tree tidy)
  cp "$scripts/../.clang-tidy" "$t/.clang-tidy"
  printf 'namespace demo {\n\nint twice(int value) { return 2 * value; }\n\n}  // namespace demo\n' \
    >"$t/cmd/tidy.cpp"
  mkdir -p "$t/build"
  printf '[{"directory": "%s", "command": "clang++ -std=c++20 -c %s", "file": "%s"}]\n' \
    "$t" "$t/cmd/tidy.cpp" "$t/cmd/tidy.cpp" >"$t/build/compile_commands.json"
  expect 0 "clang-tidy on a clean file" "$scripts/check-tidy.sh" "$t/build" "$t"
  printf 'int TwiceAgain(int value) { return 2 * value; }\n' >>"$t/cmd/tidy.cpp"
  expect 1 "clang-tidy on a function named against the style" "$scripts/check-tidy.sh" \
    "$t/build" "$t"
  expect 2 "clang-tidy without a compile database" "$scripts/check-tidy.sh" "$t/none" "$t"
else
  echo "FAIL: clang-tidy is not installed (scripts/setup.sh installs it)"
  failures=$((failures + 1))
fi

((failures == 0))
