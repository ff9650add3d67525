#!/usr/bin/env bash
# Everything CI proves, on a fresh Debian/Ubuntu machine: install what is missing, build, run the
# unit and end-to-end tests (ctest), then validate and test every bundled lab with the real binary.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$here/build}

# Everything is proven with the real thing: bubblewrap, a running dockerd, the base image.
export INFUSE_REQUIRE_CONTAINERS=1 INFUSE_REQUIRE_SANDBOX=1
# Each stage says how long it took, so a slow CI run shows where its time went.
started=$(date +%s)
stage() { echo "== test.sh: $1 done after $(($(date +%s) - started)) s"; }
INFUSE_DEV=1 "$here/scripts/setup.sh"
stage "setup and build"
# The layers only include downwards (docs/architecture.md).
"$here/scripts/check_layers.sh"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)"
stage "ctest"
cd "$here"
"$build_dir/infuse-lab" validate labs
"$build_dir/infuse-lab" test labs --require-containers --seeds 3 -j "$(nproc)"
stage "bundled labs"

# Robustness (docs/fuzzing.md): one clang build with ASan + UBSan and fuzzing instrumentation runs
# the whole test suite under the sanitizers, then replays every fuzz regression input and corpus
# and fuzzes each target for a short while. INFUSE_SKIP_ROBUSTNESS=1 skips it on a slow machine.
if [ "${INFUSE_SKIP_ROBUSTNESS:-0}" != 1 ]; then
  BUILD_DIR="$here/build-asan" INFUSE_FUZZ=ON TEST_JOBS="$(nproc)" "$here/scripts/sanitize.sh"
  stage "sanitizers"
  BUILD_DIR="$here/build-asan" "$here/scripts/fuzz.sh" "${INFUSE_FUZZ_SECONDS:-15}"
  stage "fuzzing"
fi
