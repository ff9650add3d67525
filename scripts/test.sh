#!/usr/bin/env bash
# Everything CI proves, on a fresh Debian/Ubuntu machine: install what is missing, build, run the
# unit and end-to-end tests (ctest), then validate and test every bundled lab with the real binary.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$here/build}

"$here/scripts/setup.sh"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)"
cd "$here"
"$build_dir/infuse-lab" validate labs
"$build_dir/infuse-lab" test labs
