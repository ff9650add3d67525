#!/usr/bin/env bash
# Builds the libFuzzer targets and fuzzes each one for a while (docs/fuzzing.md).
#
#   scripts/fuzz.sh [seconds-per-target] [target...]     default: 30 s, every fuzz/*.cpp
#
# 1. configures build-fuzz/ with clang (RelWithDebInfo, INFUSE_BUILD_FUZZ=ON, tests and benches
#    off) and builds the fuzz_<target> executables;
# 2. replays every file of fuzz/regressions/<target>/ and fuzz/corpus/<target>/ (fails on any crash);
# 3. fuzzes each target for N seconds (-max_total_time=N, one process) on a scratch copy of its
#    corpus: the repository's corpus is never written. New corpus entries are left in the scratch
#    folder, printed at the end, for whoever wants to add some to fuzz/corpus/. A dictionary
#    fuzz/<target>.dict is used when there is one.
#
# Exits non-zero when any target crashed (or leaked, or hit UB, a timeout or the memory limit),
# and prints where the crashing input is. Environment:
#   BUILD_DIR       build folder (default build-fuzz/)
#   JOBS            parallel compile jobs (default 2)
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (default 25)
#   FUZZ_ARGS       more libFuzzer flags for the timed runs (e.g. "-max_len=65536 -dict=...")
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$here/build-fuzz}
jobs=${JOBS:-2}
seconds=${1:-30}
shift || true
case $seconds in
    '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [seconds-per-target] [target...]" >&2; exit 2 ;;
esac
per_input_timeout=${FUZZ_TIMEOUT:-25}

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for source in "$here"/fuzz/*.cpp; do
        name=$(basename "$source" .cpp)
        targets+=("$name")
    done
fi
for target in "${targets[@]}"; do
    [ -f "$here/fuzz/$target.cpp" ] || { echo "fuzz: no target '$target' (no fuzz/$target.cpp)" >&2; exit 2; }
done

command -v clang++ >/dev/null 2>&1 || { echo "fuzz: clang++ is needed (apt-get install clang)" >&2; exit 3; }

# --- build ------------------------------------------------------------------------------------
build_start=$(date +%s)
# A build folder already configured for fuzzing (scripts/sanitize.sh with INFUSE_FUZZ=ON, as CI
# does) is reused as it is: one instrumented build serves the sanitizer suite and the fuzzers.
if ! grep -q '^INFUSE_BUILD_FUZZ:BOOL=ON' "$build_dir/CMakeCache.txt" 2>/dev/null; then
    CC=clang CXX=clang++ cmake -S "$here" -B "$build_dir" -G Ninja \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DINFUSE_BUILD_FUZZ=ON \
        -DINFUSE_BUILD_TESTS=OFF \
        -DINFUSE_BUILD_BENCH=OFF \
        -DINFUSE_SANITIZE=OFF >/dev/null
fi
ninja -C "$build_dir" -j "$jobs" "${targets[@]/#/fuzz_}"
echo "fuzz: build took $(($(date +%s) - build_start)) s"

# Leaks, UB and memory errors are all crashes; the fuzzer's own flags say the rest.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

artifacts=$build_dir/artifacts
logs=$build_dir/logs
mkdir -p "$artifacts" "$logs"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/infuse-fuzz-XXXXXX")
# The targets' own temporary files (fuzz_lab_loader's lab folder) go under the scratch folder too.
mkdir -p "$scratch/tmp"
export TMPDIR=$scratch/tmp
trap 'rm -rf "$scratch/tmp"' EXIT
failed=()

# Prints the inputs a failed run left behind.
report_artifacts() {
    local target=$1 log=$2
    echo "fuzz: $target FAILED; log: $log" >&2
    local found=0
    for file in "$artifacts/$target"/crash-* "$artifacts/$target"/leak-* "$artifacts/$target"/timeout-* \
                "$artifacts/$target"/oom-* "$artifacts/$target"/slow-unit-*; do
        [ -e "$file" ] || continue
        [ "$file" -nt "$log.start" ] || continue
        echo "fuzz:   crashing input: $file" >&2
        echo "fuzz:   reproduce with: $build_dir/fuzz_$target $file" >&2
        found=1
    done
    # A replayed file is its own reproducer: the log names it ("Running: FILE").
    if [ "$found" = 0 ]; then
        grep -E '^Running: ' "$log" | tail -1 | sed "s|^Running: |fuzz:   crashing input: |" >&2 || true
    fi
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 | sed 's/^/fuzz:   /' >&2 || true
}

# --- replay the regression inputs and the seeds --------------------------------------------------
for target in "${targets[@]}"; do
    inputs=()
    for dir in "$here/fuzz/regressions/$target" "$here/fuzz/corpus/$target"; do
        [ -d "$dir" ] || continue
        while IFS= read -r -d '' file; do inputs+=("$file"); done < <(find "$dir" -type f ! -name '.*' -print0 | sort -z)
    done
    [ ${#inputs[@]} -gt 0 ] || { echo "fuzz: $target: nothing to replay"; continue; }
    log=$logs/$target.replay.log
    mkdir -p "$artifacts/$target"
    touch "$log.start"
    if "$build_dir/fuzz_$target" -timeout="$per_input_timeout" -artifact_prefix="$artifacts/$target/" \
        "${inputs[@]}" >"$log" 2>&1; then
        echo "fuzz: $target: replayed ${#inputs[@]} inputs, no crash"
    else
        report_artifacts "$target" "$log"
        failed+=("$target (replay)")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: replay failed for: ${failed[*]}" >&2
    rm -rf "$scratch"
    exit 1
fi

# --- fuzz each target for N seconds ---------------------------------------------------------------
[ "$seconds" -gt 0 ] || { rm -rf "$scratch"; exit 0; }
summary=()
for target in "${targets[@]}"; do
    corpus=$scratch/$target
    mkdir -p "$corpus"
    [ -d "$here/fuzz/corpus/$target" ] && cp -R "$here/fuzz/corpus/$target/." "$corpus/"
    extra=()
    [ -d "$here/fuzz/regressions/$target" ] && extra+=("$here/fuzz/regressions/$target")
    flags=()
    [ -f "$here/fuzz/$target.dict" ] && flags+=(-dict="$here/fuzz/$target.dict")
    log=$logs/$target.log
    touch "$log.start"
    echo "fuzz: $target for $seconds s (log: $log)"
    status=0
    # The scratch corpus comes first: libFuzzer writes new inputs only into the first folder.
    # shellcheck disable=SC2086
    "$build_dir/fuzz_$target" -max_total_time="$seconds" -timeout="$per_input_timeout" -print_final_stats=1 \
        -artifact_prefix="$artifacts/$target/" "${flags[@]}" ${FUZZ_ARGS:-} "$corpus" "${extra[@]}" >"$log" 2>&1 || status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    summary+=("$(printf '%-20s %-6s %10s runs %8s exec/s  cov %s  corpus %s files' "$target" \
        "$([ $status = 0 ] && echo ok || echo FAIL)" "${runs:-?}" "${speed:-?}" "${cov:-?}" \
        "$(find "$corpus" -type f | wc -l)")")
    if [ "$status" != 0 ]; then
        report_artifacts "$target" "$log"
        failed+=("$target")
    fi
done

echo
echo "fuzz: $seconds s per target"
printf '  %s\n' "${summary[@]}"
echo "fuzz: grown corpora (scratch, not in the repository): $scratch"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]} (see docs/fuzzing.md: keep the input under fuzz/regressions/<target>/)" >&2
    exit 1
fi
echo "fuzz: no crash"
