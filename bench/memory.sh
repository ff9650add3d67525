#!/usr/bin/env bash
# Bounded memory, measured: peak resident memory (GNU time's %M) of the real binary on
#   1. a lab whose generated evidence is a ~2 GB access log, with an answer derived from it:
#      `generate` alone, `validate` (generates into a scratch folder and derives), `start`
#      (generates into the workspace and derives), `answer` (uses the cached derived value);
#      next to the same lab at a tenth of the size: streaming keeps the peaks equal;
#   2. a lab with 10,000 questions next to one with 100: `validate`, `start`, `answer`, `status`,
#      `test`. The lab is held in memory, so the peak grows with the lab; per question it stays
#      small and the growth stays linear;
#   3. hostile definitions (tests/fixtures/attacks/limits-*: alias bombs, a 100 MB lab.yaml, nesting
#      a million levels deep, params that grow exponentially, a generator asked for 10^8 lines) next
#      to a plain lab (tests/fixtures/good/minimal): `validate` on each, and `list` over them all.
#      The limits of docs/security.md stop each one early, so the ratio to the plain lab stays small.
#
#   bench/memory.sh [--bin build/infuse-lab] [--gigabytes G] [--json FILE]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/build/infuse-lab
gigabytes=2
json=""
while (($#)); do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --gigabytes) gigabytes=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    *) echo "usage: bench/memory.sh [--bin BIN] [--gigabytes G] [--json FILE]" >&2; exit 2 ;;
  esac
done
[ -x "$bin" ] || { echo "no infuse-lab binary at $bin" >&2; exit 3; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 3; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
work=$(mktemp -d "${TMPDIR:-/tmp}/infuse-bench-memory-XXXXXX")
trap 'rm -rf "$work"' EXIT
export HOME=$work/home XDG_STATE_HOME=$work/state NO_COLOR=1 INFUSE_LAB_PATH=$work/labs
mkdir -p "$HOME"
results=$work/results.tsv
: > "$results"

# peak NAME COMMAND...: runs it, records "NAME<TAB>peak KiB<TAB>seconds" (exit 0 or 1 accepted).
peak() {
  local name=$1; shift
  /usr/bin/time -f "%M %e" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || [ $? -le 1 ] ||
    { echo "failed: $* ($(tail -3 "$work/err"))" >&2; exit 1; }
  read -r kib secs < <(tail -1 "$work/time")
  printf '%s\t%s\t%s\n' "$name" "$kib" "$secs" >> "$results"
  printf '  %-34s peak %8.1f MiB  %7.2f s\n' "$name" "$(awk "BEGIN{print $kib/1024}")" "$secs"
}

# --- 1. a big generated log ------------------------------------------------------------------------
big_lab() {  # big_lab ID LINES
  mkdir -p "$work/labs/$1"
  cat > "$work/labs/$1/lab.yaml" <<EOF
spec: 1
id: $1
title: A big log
path: web-app-security-fundamentals
module: 1
minutes: 10
provision:
  generate:
    - generator: access-log
      to: access.log
      with:
        lines: $2
        incidents:
          - {kind: login-bruteforce, ip: 203.0.113.9, attempts: 500}
derive:
  busiest: {from: access.log, compute: top:ip}
questions:
  - id: busiest
    ask: Which client sent the most requests?
    answer: {ip: "{{busiest}}"}
tests:
  - name: reference
    answers: {busiest: "{{busiest}}"}
    expect: pass
EOF
  printf '# A big log\n\nFind the busiest client in `access.log`.\n' > "$work/labs/$1/brief.md"
}
lines=$(python3 -c "print(int($gigabytes * 2**30 / 248))")  # ~248 bytes per generated line
small=$((lines / 10))
big_lab logs/tenth "$small"
big_lab logs/big "$lines"
echo "a generated access log: $small lines (~$((small * 248 / 1048576)) MiB) and $lines lines (~$((lines * 248 / 1048576)) MiB)"
for id in logs/tenth logs/big; do
  peak "$id generate" "$bin" generate access-log --with "{\"lines\": $([ $id = logs/big ] && echo "$lines" || echo "$small")}" -o "$work/gen.log"
  rm -f "$work/gen.log"
  peak "$id validate" "$bin" validate "$work/labs/$id"
  peak "$id start (generate + derive)" "$bin" start "$id" --seed bench -q
  peak "$id answer" "$bin" answer busiest 192.0.2.1
  "$bin" reset "$id" --yes > /dev/null
done

# --- 2. a lab with many questions -------------------------------------------------------------------
many_lab() {  # many_lab ID QUESTIONS
  mkdir -p "$work/labs/$1/data"
  python3 - "$work/labs/$1" "$1" "$2" <<'EOF'
import sys
folder, lab_id, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(f"{folder}/data/hosts.txt", "w") as f:
    for i in range(n):
        f.write(f"host-{i}.example 198.51.{(i >> 8) & 255}.{i & 255}\n")
out = [f"spec: 1\nid: {lab_id}\ntitle: Many questions\npath: malicious-infrastructure\nmodule: 1\nminutes: 60\n",
       "provision:\n  files:\n    - {from: data/hosts.txt, to: hosts.txt, evidence: true}\n", "questions:\n"]
for i in range(n):
    out.append(f"  - id: q{i}\n    ask: Which address does host-{i} have?\n"
               f"    answer: {{ip: 198.51.{(i >> 8) & 255}.{i & 255}}}\n    points: 10\n"
               f"    hints:\n      - {{text: Look it up in hosts.txt., cost: 2}}\n"
               f"    feedback:\n      - {{when: 192.0.2.1, say: That is the resolver.}}\n"
               f"    explain: The line of host-{i} gives it.\n")
out.append("tests:\n  - name: reference\n    answers:\n")
for i in range(n):
    out.append(f"      q{i}: 198.51.{(i >> 8) & 255}.{i & 255}\n")
out.append("    expect: pass\n  - name: decoy\n    answers: {q0: 192.0.2.1}\n    expect: {q0: {verdict: fail, feedback: resolver}}\n")
open(f"{folder}/lab.yaml", "w").write("".join(out))
open(f"{folder}/brief.md", "w").write("# Many questions\n\nEvery host's address is in `hosts.txt`.\n")
EOF
}
many_lab infra/hundred 100
many_lab infra/ten-thousand 10000
# 10,000 questions are about 300,000 YAML values, above the default yaml-nodes limit (200,000,
# docs/security.md#limits): the benchmark raises it for this lab, as a mentor would for a lab they trust.
mkdir -p "$HOME/.config/infuse-lab"
echo "infra/ten-thousand yaml-nodes 1000000" >> "$HOME/.config/infuse-lab/limits.conf"
echo "a lab with 100 questions and one with 10,000 ($(du -h "$work/labs/infra/ten-thousand/lab.yaml" | cut -f1) of lab.yaml)"
for id in infra/hundred infra/ten-thousand; do
  peak "$id validate" "$bin" validate "$work/labs/$id"
  peak "$id start" "$bin" start "$id" --seed bench -q
  peak "$id answer" "$bin" answer q42 192.0.2.1
  peak "$id status" "$bin" status
  peak "$id test" "$bin" test "$work/labs/$id"
done

# --- 3. hostile definitions -------------------------------------------------------------------------
hostile=$work/hostile
mkdir -p "$hostile/attacks" "$hostile/good"
cp -r "$here/tests/fixtures/good/minimal" "$hostile/good/"
for dir in "$here"/tests/fixtures/attacks/limits-*/; do cp -r "$dir" "$hostile/attacks/"; done
truncate -s 100M "$hostile/attacks/limits-huge-yaml/lab.yaml"   # sparse: no disk is used
mkdir -p "$hostile/attacks/limits-deep-data-json/data" "$hostile/attacks/limits-big-number-data/data"
python3 - "$hostile/attacks" <<'EOF'
import sys
root = sys.argv[1]
with open(f"{root}/limits-deep-yaml/lab.yaml", "a") as f:
    f.write("params: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n")
with open(f"{root}/limits-deep-data-json/data/web.json", "w") as f:
    f.write("[" * 1_000_000 + "]" * 1_000_000)
with open(f"{root}/limits-big-number-data/data/web.yaml", "w") as f:
    f.write("sites:\n  example.test:\n    routes:\n      /: {status: " + "9" * 50_000 + "}\n")
EOF
echo "hostile definitions: $(ls "$hostile/attacks" | tr '\n' ' ')"
# A hostile lab ends with exit 2 (refused, naming the limit); `peak` accepts 0-1 only, so these run
# through hostile_peak, which accepts 0-2 and fails on a crash (128 or more).
hostile_peak() {
  local name=$1; shift
  /usr/bin/time -f "%M %e" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || [ $? -le 2 ] ||
    { echo "crashed or failed: $* ($(tail -3 "$work/err"))" >&2; exit 1; }
  read -r kib secs < <(tail -1 "$work/time")
  printf '%s\t%s\t%s\n' "$name" "$kib" "$secs" >> "$results"
  printf '  %-44s peak %8.1f MiB  %7.2f s\n' "$name" "$(awk "BEGIN{print $kib/1024}")" "$secs"
}
hostile_peak "plain validate" "$bin" validate "$hostile/good/minimal"
INFUSE_LAB_PATH=$hostile/good hostile_peak "plain list" "$bin" list
for dir in "$hostile"/attacks/*/; do
  name=$(basename "$dir")
  hostile_peak "$name validate" "$bin" validate "$dir"
done
INFUSE_LAB_PATH=$hostile hostile_peak "all hostile labs list" "$bin" list

python3 - "$results" "$json" <<'EOF'
import json, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
peaks = {name: int(kib) for name, kib, _ in rows}
def ratio(a, b): return peaks[a] / peaks[b]
print("\npeak ratios (the bigger input over the smaller one):")
pairs = [("logs/big start (generate + derive)", "logs/tenth start (generate + derive)", "the big log vs a tenth: start"),
         ("logs/big validate", "logs/tenth validate", "the big log vs a tenth: validate"),
         ("logs/big generate", "logs/tenth generate", "the big log vs a tenth: generate"),
         ("infra/ten-thousand validate", "infra/hundred validate", "10,000 vs 100 questions: validate"),
         ("infra/ten-thousand answer", "infra/hundred answer", "10,000 vs 100 questions: answer"),
         ("infra/ten-thousand test", "infra/hundred test", "10,000 vs 100 questions: test")]
for name in sorted(peaks):
    if name.startswith("limits-") and name.endswith(" validate"):
        pairs.append((name, "plain validate", name.replace(" validate", "") + " vs a plain lab: validate"))
pairs.append(("all hostile labs list", "plain list", "list over the hostile labs vs a plain lab"))
summary = []
for big, small, label in pairs:
    print(f"  {label:60} x{ratio(big, small):.2f}  ({peaks[big] / 1024:.1f} MiB vs {peaks[small] / 1024:.1f} MiB)")
    summary.append({"what": label, "ratio": ratio(big, small), "peak_kib": peaks[big], "baseline_kib": peaks[small]})
if sys.argv[2]:
    json.dump({"benchmark": "memory", "runs": [{"run": n, "peak_kib": int(k), "seconds": float(s)} for n, k, s in rows],
               "ratios": summary}, open(sys.argv[2], "w"), indent=2)
EOF
