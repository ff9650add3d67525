#!/usr/bin/env bash
# The unit and end-to-end tests under AddressSanitizer + UndefinedBehaviorSanitizer (docs/fuzzing.md).
#
#   scripts/sanitize.sh [ctest arguments...]     e.g. scripts/sanitize.sh -R '^unit:'
#
# Configures build-asan/ (clang when installed, else the default compiler) with INFUSE_SANITIZE=ON,
# builds, and runs ctest: the Catch2 unit tests and the e2e tests, which run the instrumented
# infuse-lab binary. Any sanitizer report fails the test that triggered it (halt_on_error, and
# -fno-sanitize-recover=undefined in the build), and the whole run. Environment:
#   BUILD_DIR      build folder (default build-asan/)
#   JOBS           parallel compile jobs (default 2)
#   TEST_JOBS      parallel tests (default 1)
#   CC, CXX        the compilers to configure with
#   SANITIZE_CXX_FLAGS  optimisation and debug flags (default -O1 -gline-tables-only: reports keep
#                  file and line, the build takes less time than -O2 -g)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$here/build-asan}
jobs=${JOBS:-2}

if [ -z "${CXX:-}" ] && command -v clang++ >/dev/null 2>&1; then
    export CC=clang CXX=clang++
fi

# Sanitizer reports: stop at the first one, with a stack, and fail the process with exit code 86,
# which infuse-lab never uses (0-3), so that no test can mistake a report for "wrong answer" (1).
# detect_leaks: LeakSanitizer needs to stop the process's threads with ptrace; where that is not
# allowed (some containers), set ASAN_OPTIONS=detect_leaks=0 in the environment to override.
# Every report is also written under $build_dir/sanitizer-logs/: a process whose exit status no
# test looks at (the background services process, a forked child) still fails the run.
reports=$build_dir/sanitizer-logs
asan_defaults=detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:print_summary=1
ubsan_defaults=halt_on_error=1:print_stacktrace=1:print_summary=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-$asan_defaults}:exitcode=86:log_path=$reports/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-$ubsan_defaults}:exitcode=86:log_path=$reports/ubsan"

# Line tables only (clang) or -g1 (gcc): the reports keep file and line.
case "${CXX:-c++}" in
  *clang*) default_flags="-O1 -gline-tables-only -DNDEBUG" ;;
  *) default_flags="-O1 -g1 -DNDEBUG" ;;
esac
start=$(date +%s)
cmake -S "$here" -B "$build_dir" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=${SANITIZE_CXX_FLAGS:-$default_flags}" \
    -DINFUSE_SANITIZE=ON \
    -DINFUSE_BUILD_TESTS=ON \
    -DINFUSE_BUILD_BENCH=OFF \
    -DINFUSE_BUILD_FUZZ="${INFUSE_FUZZ:-OFF}"
ninja -C "$build_dir" -j "$jobs"
built=$(date +%s)
echo "sanitize: build took $((built - start)) s"

rm -rf "$reports"
mkdir -p "$reports"
cd "$build_dir"
status=0
ctest --output-on-failure -j "${TEST_JOBS:-1}" "$@" || status=$?
done_at=$(date +%s)
echo "sanitize: tests took $((done_at - built)) s (ctest exit $status)"
if compgen -G "$reports/*" >/dev/null; then
    echo "sanitize: sanitizer reports (from $reports):" >&2
    for report in "$reports"/*; do
        echo "---- $report" >&2
        head -60 "$report" >&2
    done
    status=1
fi
[ "$status" = 0 ] && echo "sanitize: no sanitizer report, every test passed"
exit "$status"
