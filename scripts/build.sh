#!/usr/bin/env bash
# build.sh [normal|thread|address] configures and builds hload with Ninja:
#   normal  -> build/       RelWithDebInfo, benchmarks included
#   thread  -> build-tsan/  ThreadSanitizer, -O1 -g, no benchmarks
#   address -> build-asan/  AddressSanitizer + UndefinedBehaviorSanitizer, -O1 -g, no benchmarks
# Under CI=true warnings are errors and builds use at most 2 jobs (CI machines have 2 cores);
# elsewhere one job per core. HLOAD_JOBS overrides either.
set -euo pipefail

flavour=${1:-normal}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

case "$flavour" in
  normal)
    dir=build
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHLOAD_SANITIZE=)
    ;;
  thread | address)
    [[ $flavour == thread ]] && dir=build-tsan || dir=build-asan
    args=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" -DHLOAD_SANITIZE="$flavour"
          -DHLOAD_BUILD_BENCHMARKS=OFF)
    ;;
  *)
    echo "usage: $0 [normal|thread|address]" >&2
    exit 2
    ;;
esac

# Explicit either way, so that a build directory configured once under CI does not keep -Werror.
if [[ ${CI:-} == true ]]; then
  args+=(-DHLOAD_WERROR=ON)
else
  args+=(-DHLOAD_WERROR=OFF)
fi

jobs=$(nproc 2>/dev/null || echo 2)
[[ ${CI:-} == true ]] && ((jobs > 2)) && jobs=2
jobs=${HLOAD_JOBS:-$jobs}

# ccache keys on paths relative to the checkout, so a fresh clone in another folder (as CI
# makes) reuses what an earlier build on this machine compiled.
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true
# Precompiled headers: ccache may reuse a compile that used one when these differences are
# ignored (GCC checks the header's validity itself).
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime

cmake -S "$root" -B "$root/$dir" -G Ninja "${args[@]}"
# HLOAD_KEEP_GOING=1 (test.sh sets it) builds everything that can be built despite errors, so
# that the tests of the parts that do build still run.
keep_going=()
[[ ${HLOAD_KEEP_GOING:-} == 1 ]] && keep_going=(-- -k 0)
cmake --build "$root/$dir" -j "$jobs" "${keep_going[@]}"
