#!/usr/bin/env bash
# check-format.sh [ROOT] fails when a C++ file of the project differs from what clang-format
# (.clang-format at the root) would make of it. It lists the files and how to fix them.
set -uo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root" || exit 2

if ! command -v clang-format >/dev/null; then
  echo "check-format: clang-format is not installed (scripts/setup.sh installs it)" >&2
  exit 2
fi

mapfile -t files < <(find cmd engine pool reporters tests examples \
                       \( -name '*.cpp' -o -name '*.hpp' \) -type f 2>/dev/null | sort)
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  printf 'check-format: not formatted: %s\n' "${bad[@]}" >&2
  echo "check-format: run clang-format -i on them" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files ok"
