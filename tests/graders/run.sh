#!/bin/sh
# The grader corpus and the bundled grader folder, without any interpreter beyond sh:
#  - no Python (or any .py file, or a python shebang) among the bundled labs and graders: the
#    runner's own code grades, and the protocol stays open through docs/graders.md's sh example;
#  - every hostile grader fixture is laid out as tests/e2e/hostile_graders.sh expects (a lab.yaml
#    with its id and `expect: {q: fail}`, an executable program, a brief, a two-line expect.txt
#    whose first line is a known outcome).
# Exits non-zero, naming the problem, on the first failure.
set -eu
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
cd "$source_dir"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

for file in $(find labs graders -type f 2>/dev/null); do
    case $file in *.py) fail "$file: a Python file among the bundled labs and graders" ;; esac
    if head -c 64 "$file" | head -n 1 | grep -q '^#!.*python'; then fail "$file has a python shebang"; fi
done

hostile=tests/fixtures/hostile
count=0
for folder in "$hostile"/*/; do
    name=$(basename "$folder")
    count=$((count + 1))
    grep -qx "id: hostile/$name" "$folder/lab.yaml" || fail "$name: lab.yaml lacks 'id: hostile/$name'"
    grep -qF "expect: {q: fail}" "$folder/lab.yaml" || fail "$name: lab.yaml lacks 'expect: {q: fail}'"
    program=$(sed -n 's/.*program: \.\/\([^,}]*\).*/\1/p' "$folder/lab.yaml" | head -n 1)
    [ -n "$program" ] && [ -x "$folder/$program" ] || fail "$name: its grader program '$program' is not executable"
    [ -f "$folder/brief.md" ] || fail "$name: no brief.md"
    [ "$(wc -l < "$folder/expect.txt")" -eq 2 ] || fail "$name: expect.txt must be two lines, each ending in a new line"
    case $(head -n 1 "$folder/expect.txt") in
        "timed out"|"killed by signal"|"bad grader output"|"wrong"|"more than its memory limit grader-memory (128 MiB)"|"nested deeper than 64 levels") ;;
        *) fail "$name: the first line of expect.txt is not a known outcome" ;;
    esac
done
[ "$count" -ge 20 ] || fail "only $count hostile grader fixtures (expected at least 20)"

if [ "$failures" -ne 0 ]; then
    echo "tests/graders/run.sh: $failures failure(s)" >&2
    exit 1
fi
echo "graders: ok ($count hostile fixtures, no Python among the bundled labs and graders)"
