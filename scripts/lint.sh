#!/usr/bin/env bash
# Style and static checks: clang-format on every C++ file, clang-tidy on the library sources.
#   scripts/lint.sh          check (exit 1 on any finding)
#   scripts/lint.sh --fix    reformat in place
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$here/build}
cd "$here"
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "${1:-}" = --fix ]; then
    clang-format -i "${files[@]}"
    exit 0
fi
clang-format --dry-run --Werror "${files[@]}"
mapfile -t library < <(git ls-files 'src/*.cpp')
clang-tidy -p "$build_dir" --quiet "${library[@]}" 2>/dev/null
echo "lint: clean"
