#!/usr/bin/env bash
# fuzz.sh [SECONDS_PER_TARGET] builds the libFuzzer targets of tests/fuzz with clang into
# build-fuzz/ (HLOAD_FUZZ=ON: ASan+UBSan, only the libraries the targets link), replays every
# input of tests/fuzz/regressions/<name>/ once, then fuzzes each target for SECONDS_PER_TARGET
# seconds (default 60) over a copy of its seed corpus kept in build-fuzz/, so that runs build on
# each other and the source tree never changes. It exits non-zero if a target crashes, leaks,
# hangs or runs out of memory, after printing the input that did it and how to replay it.
set -uo pipefail

seconds=${1:-60}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$root/build-fuzz
src=$root/tests/fuzz
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET]" >&2
  exit 2
fi

jobs=$(nproc 2>/dev/null || echo 2)
[[ ${CI:-} == true ]] && ((jobs > 2)) && jobs=2
jobs=${HLOAD_JOBS:-$jobs}
werror=OFF
[[ ${CI:-} == true ]] && werror=ON

# As in build.sh: ccache shared with the other checkouts and build directories.
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true
export CC=clang CXX=clang++
# The tests and benchmarks are not configured: a fuzz build needs neither GoogleTest nor their
# libraries, and the `fuzzers` target builds only what the targets link.
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" -DHLOAD_FUZZ=ON -DHLOAD_SANITIZE= -DHLOAD_BUILD_TESTS=OFF \
  -DHLOAD_BUILD_BENCHMARKS=OFF -DHLOAD_WERROR=$werror >/dev/null || exit 1
cmake --build "$dir" --target fuzzers -j "$jobs" || exit 1

# libFuzzer reports sanitizer errors itself (and saves the input); these make UBSan's fatal
# and its stacks readable. Leak checking is libFuzzer's default under ASan.
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1 detect_stack_use_after_return=0"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1"
limits=(-timeout=10 -rss_limit_mb=2048)

failed=0
# fail NAME BINARY WHAT INPUT reports one failure and how to replay it.
fail() {
  echo "fuzz: $1: $3: $4" >&2
  echo "fuzz: reproduce with: $2 ${limits[*]} $4" >&2
  failed=1
}

mapfile -t targets < <(find "$src" -maxdepth 1 -name '*_fuzz.cpp' -printf '%f\n' |
                         sed 's/_fuzz\.cpp$//' | sort)
for name in "${targets[@]}"; do
  bin=$dir/tests/fuzz/${name}_fuzz
  corpus=$dir/fuzz-corpus/$name
  artifacts=$dir/fuzz-artifacts/$name/
  mkdir -p "$corpus" "$artifacts"

  # Inputs that once crashed must not crash again. libFuzzer runs each file given once.
  mapfile -t regressions < <(find "$src/regressions/$name" -type f ! -name 'README*' \
                               2>/dev/null | sort)
  if ((${#regressions[@]})); then
    echo "==== fuzz: $name: ${#regressions[@]} regression inputs"
    for input in "${regressions[@]}"; do
      if ! timeout -k 5 60 "$bin" "${limits[@]}" -artifact_prefix="$artifacts" "$input" \
        >"$dir/fuzz-$name-regression.log" 2>&1; then
        tail -n 40 "$dir/fuzz-$name-regression.log" >&2
        fail "$name" "$bin" "regression input fails again" "$input"
      fi
    done
  fi

  echo "==== fuzz: $name: ${seconds} s"
  cp -n "$src/corpus/$name"/* "$corpus"/ 2>/dev/null
  # A target's dictionary is named after the part of its name before the first underscore:
  # http1.dict serves http1_response.
  dict=()
  [[ -f $src/${name%%_*}.dict ]] && dict=(-dict="$src/${name%%_*}.dict")
  stamp=$dir/fuzz-$name.stamp
  touch "$stamp"
  log=$dir/fuzz-$name.log
  # timeout bounds the run even if libFuzzer itself stalls (loading the corpus, a hang that
  # -timeout misses): twice the fuzzing time and a minute for start-up and the corpus.
  timeout -k 10 $((2 * seconds + 60)) "$bin" "${limits[@]}" -max_total_time="$seconds" \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts" "${dict[@]}" \
    "$corpus" >"$log" 2>&1
  status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | sed 's/^/  /'
  if ((status != 0)); then
    tail -n 60 "$log" >&2
    found=$(find "$artifacts" -type f -newer "$stamp" ! -name 'slow-unit-*' | head -n 1)
    if [[ -n $found ]]; then
      fail "$name" "$bin" "crashing input saved" "$found"
    else
      echo "fuzz: $name: exit status $status and no input saved (log: $log)" >&2
      failed=1
    fi
  fi
done

if ((failed)); then
  echo "fuzz: FAILED" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets passed"
