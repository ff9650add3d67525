#!/usr/bin/env bash
# The mentor's commands at scale: `list`, `validate` and `test -j 1` / `-j 2` on the bundled
# catalog and on a generated corpus of N labs (default 500), measured side by side in one run.
#
#   bench/mentor.sh [--bin build/infuse-lab] [--labs N] [--json FILE]
#
# The corpus is made by `infuse-lab new` (N scaffolds, each a full lab: params, a templated
# evidence file, two questions with hints and feedback, three tests), so it measures the runner,
# not the weight of particular labs. Prints labs/s and tests/s, and the speed-up of -j 2 over -j 1.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/build/infuse-lab
count=500
json=""
while (($#)); do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --labs) count=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "usage: bench/mentor.sh [--bin BIN] [--labs N] [--json FILE]" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "no infuse-lab binary at $bin (build first, or give --bin)" >&2; exit 3; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

work=$(mktemp -d "${TMPDIR:-/tmp}/infuse-bench-mentor-XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_STATE_HOME=$work/state NO_COLOR=1
unset INFUSE_LAB_PATH
mkdir -p "$HOME"

# The corpus: N scaffolds over 10 areas.
mkdir -p "$work/corpus" && cd "$work/corpus"
for ((i = 0; i < count; i++)); do
  "$bin" new --root labs "area$((i % 10))/lab-$i" > /dev/null
done
cd "$here"

now() { date +%s.%N; }
# time_of COMMAND...: seconds, with the command's stdout kept in $work/out (exit 0 or 1 accepted).
time_of() {
  local begin end
  begin=$(now)
  "$@" > "$work/out" 2> "$work/err" || [ $? -le 1 ] || { echo "failed: $* ($(tail -3 "$work/err"))" >&2; exit 1; }
  end=$(now)
  python3 -c "print(f'{$end - $begin:.3f}')"
}
tests_in() { python3 -c "import json; d = json.load(open('$work/out')); print(d['passed'] + d['failed'] + d['skipped'])"; }

declare -A seconds tests
for set in catalog corpus; do
  if [ $set = catalog ]; then root=$here/labs; else root=$work/corpus/labs; fi
  labs=$(find "$root" -mindepth 3 -maxdepth 3 -name lab.yaml | wc -l)
  eval "labs_$set=$labs"
  seconds[$set.list]=$(INFUSE_LAB_PATH=$root time_of "$bin" list)
  seconds[$set.validate]=$(time_of "$bin" validate "$root")
  seconds[$set.test1]=$(time_of "$bin" test "$root" -j 1 --json)
  tests[$set]=$(tests_in)
  seconds[$set.test2]=$(time_of "$bin" test "$root" -j 2 --json)
done

python3 - "$json" "$labs_catalog" "$labs_corpus" "${tests[catalog]}" "${tests[corpus]}" \
  "${seconds[catalog.list]}" "${seconds[catalog.validate]}" "${seconds[catalog.test1]}" "${seconds[catalog.test2]}" \
  "${seconds[corpus.list]}" "${seconds[corpus.validate]}" "${seconds[corpus.test1]}" "${seconds[corpus.test2]}" <<'EOF'
import json, sys
out, lc, lg, tc, tg = sys.argv[1], *map(int, sys.argv[2:6])
c_list, c_val, c_t1, c_t2, g_list, g_val, g_t1, g_t2 = map(float, sys.argv[6:14])
rows = []
def row(name, labs, tests, t_list, t_val, t1, t2):
    r = {"set": name, "labs": labs, "tests": tests,
         "list_seconds": t_list, "validate_seconds": t_val, "validate_labs_per_s": labs / t_val,
         "test_j1_seconds": t1, "test_j2_seconds": t2,
         "test_j1_tests_per_s": tests / t1, "test_j2_tests_per_s": tests / t2,
         "test_j2_labs_per_s": labs / t2, "speedup_j2_over_j1": t1 / t2}
    rows.append(r)
    print(f"{name:8} {labs:4} labs {tests:5} tests | list {t_list:6.2f} s | validate {t_val:6.2f} s "
          f"({labs / t_val:7.1f} labs/s) | test -j1 {t1:6.2f} s ({tests / t1:6.1f} tests/s) "
          f"| test -j2 {t2:6.2f} s ({tests / t2:6.1f} tests/s) | -j2 speed-up x{t1 / t2:.2f}")
row("catalog", lc, tc, c_list, c_val, c_t1, c_t2)
row("corpus", lg, tg, g_list, g_val, g_t1, g_t2)
if out:
    json.dump({"benchmark": "mentor", "results": rows}, open(out, "w"), indent=2)
EOF
