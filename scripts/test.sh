#!/usr/bin/env bash
# test.sh is the whole check CI runs: setup, then build and run every test in the normal,
# ThreadSanitizer and AddressSanitizer+UBSan builds, then fuzz (scripts/fuzz.sh). Each ctest
# run prints its own summary; the script exits non-zero if any build, test or fuzz target
# failed, after trying them all.
#
# HLOAD_TEST_FLAVOURS="normal thread" limits the flavours (all: "normal thread address fuzz").
# clang-tidy (scripts/check-tidy.sh) runs after the normal build, whose compile commands it
# needs, under CI=true or HLOAD_TIDY=1 only: it takes minutes (about 7 of CPU time here).
# HLOAD_FUZZ_SECONDS is how long each fuzz target runs (default 30 under CI=true, else 60).
# ctest arguments can be added through HLOAD_CTEST_ARGS (e.g. "-R nginx"). Tests labelled
# "heavy" run everywhere by default; set HLOAD_SANITIZER_EXCLUDE_LABEL=heavy to skip them under
# the sanitizers.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
flavours=${HLOAD_TEST_FLAVOURS:-normal thread address fuzz}
start=$SECONDS

"$root/scripts/setup.sh" || exit 1

jobs=$(nproc 2>/dev/null || echo 2)
[[ ${CI:-} == true ]] && ((jobs > 2)) && jobs=2

# Sanitizer reports must fail the test that caused them, with enough context to act on.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 abort_on_error=0 exitcode=66"
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 detect_stack_use_after_return=0 strict_string_checks=1 abort_on_error=0 exitcode=67"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1 exitcode=68"

declare -A outcome
failed=0

# The checks that take seconds come first: formatting, the module layering, and citations of
# the design documents.
echo "==== checks: format, layering, doc refs"
checks=passed
"$root/scripts/check-format.sh" || checks=FAILED
"$root/scripts/check-layering.sh" || checks=FAILED
"$root/scripts/check-doc-refs.sh" || checks=FAILED
[[ $checks == passed ]] || failed=1
tidy="not run (HLOAD_TIDY=1 runs it)"
[[ " $flavours " == *" normal "* ]] || tidy="not run (it needs the normal build)"
for flavour in $flavours; do
  # Fuzzing is a flavour of its own: fuzz.sh builds build-fuzz/ and runs the targets for a
  # bounded time instead of ctest.
  if [[ $flavour == fuzz ]]; then
    fuzz_default=60
    [[ ${CI:-} == true ]] && fuzz_default=30
    echo "==== fuzz: build and run (build-fuzz, ${HLOAD_FUZZ_SECONDS:-$fuzz_default} s per target)"
    t0=$SECONDS
    if "$root/scripts/fuzz.sh" "${HLOAD_FUZZ_SECONDS:-$fuzz_default}"; then
      outcome[fuzz]="passed"
    else
      outcome[fuzz]="FAILED"
      failed=1
    fi
    echo "==== fuzz: ${outcome[fuzz]} in $((SECONDS - t0)) s"
    continue
  fi
  case "$flavour" in
    normal) dir=build ;;
    thread) dir=build-tsan ;;
    address) dir=build-asan ;;
    *) echo "test: unknown flavour $flavour (normal, thread, address, fuzz)" >&2; exit 2 ;;
  esac
  echo "==== $flavour: build ($dir)"
  t0=$SECONDS
  # A failed build still runs the tests that did build; the others show as *_NOT_BUILT.
  built=true
  if ! HLOAD_KEEP_GOING=1 "$root/scripts/build.sh" "$flavour"; then
    built=false
    failed=1
  fi
  if [[ ! -f $root/$dir/CTestTestfile.cmake ]]; then
    outcome[$flavour]="CONFIGURE FAILED"
    continue
  fi
  if [[ $flavour == normal && (${CI:-} == true || ${HLOAD_TIDY:-} == 1) ]]; then
    echo "==== tidy: clang-tidy with $dir/compile_commands.json"
    t1=$SECONDS
    if HLOAD_JOBS=$jobs "$root/scripts/check-tidy.sh" "$root/$dir"; then
      tidy=passed
    else
      tidy=FAILED
      failed=1
    fi
    echo "==== tidy: $tidy in $((SECONDS - t1)) s"
  fi

  ctest_args=(--test-dir "$root/$dir" --output-on-failure --no-tests=error -j "$jobs")
  if [[ $flavour != normal && -n ${HLOAD_SANITIZER_EXCLUDE_LABEL:-} ]]; then
    ctest_args+=(-LE "$HLOAD_SANITIZER_EXCLUDE_LABEL")
  fi
  # shellcheck disable=SC2206  # word splitting of the extra arguments is intended
  ctest_args+=(${HLOAD_CTEST_ARGS:-})

  # Older ThreadSanitizer runtimes cannot map their shadow memory when the kernel randomises
  # mmap with more than 28 bits; running without address randomisation avoids that.
  # The pool stress test runs 1,000 rounds per cap in the normal build; the sanitizers slow it
  # about tenfold, so they run 300 (still thousands of rounds over the three builds).
  if [[ $flavour == normal ]]; then
    export HLOAD_STRESS_ROUNDS=${HLOAD_STRESS_ROUNDS_NORMAL:-1000}
  else
    export HLOAD_STRESS_ROUNDS=${HLOAD_STRESS_ROUNDS_SANITIZED:-300}
  fi

  runner=()
  if [[ $flavour == thread ]] && (($(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0) > 28)) &&
    setarch "$(uname -m)" -R true 2>/dev/null; then
    runner=(setarch "$(uname -m)" -R)
  fi

  echo "==== $flavour: test"
  if "${runner[@]}" ctest "${ctest_args[@]}"; then
    outcome[$flavour]="passed"
  else
    outcome[$flavour]="TESTS FAILED"
    failed=1
  fi
  $built || outcome[$flavour]="BUILD FAILED, ${outcome[$flavour]}"
  echo "==== $flavour: ${outcome[$flavour]} in $((SECONDS - t0)) s"
done

echo "==== summary ($((SECONDS - start)) s)"
echo "  checks: $checks"
echo "  tidy: $tidy"
for flavour in $flavours; do
  echo "  $flavour: ${outcome[$flavour]}"
done
exit $failed
