# A mentor's tools end to end: `new` scaffolds a lab that validates and passes, `validate` finds
# leaks and unused files, and `test` runs in parallel, in shards, repeated on fresh seeds, with a
# JUnit report, and never touches the learner's home.
source "$(dirname "$0")/lib.sh"
cd "$E2E_HOME"

# --- new: a scaffold that validates and passes its own tests, on several seeds --------------------
mkdir repo && cd repo
expect_exit 0 lab new logs/password-guessing
expect_in "Created labs/logs/password-guessing"
[ -f labs/logs/password-guessing/lab.yaml ] || fail "no lab.yaml written"
expect_exit 0 lab validate labs/logs/password-guessing
expect_in "1 valid, 0 with errors (0 errors, 0 warnings)"
expect_exit 0 lab test labs/logs/password-guessing --seeds 3
expect_in "10 passed, 0 failed, 0 skipped"
expect_exit 2 lab new logs/password-guessing
expect_in "already exists"
expect_exit 2 lab new Logs/Bad_Name
expect_in "is not a lab id"
# The learner can start it straight away.
INFUSE_LAB_PATH="$PWD/labs" expect_exit 0 lab start logs/password-guessing -q
[ -f "$HOME/infuse-lab/logs/password-guessing/access.log" ] || fail "the scaffold's evidence was not provisioned"

# --- validate: a leak put into the scaffold is found, at its line and column ---------------------
cp -r labs/logs/password-guessing labs/logs/leaky
sed -i 's#^id: logs/password-guessing#id: logs/leaky#' labs/logs/leaky/lab.yaml
printf '\nThe attacker, {{attacker_ip}}, is the one to find.\n' >> labs/logs/leaky/brief.md
echo "draft" > labs/logs/leaky/data/draft.txt
expect_exit 2 lab validate labs/logs/leaky
expect_in "labs/logs/leaky/brief.md:16:15: error: questions[0].answer: answer leak: the expected answer"
expect_in "labs/logs/leaky/data/draft.txt:1:1: error: data: nothing uses this file"
# Allowing the brief silences the leak, and only the leak.
sed -i 's/^    points: 10$/    points: 10\n    allow_leak: [brief]/' labs/logs/leaky/lab.yaml
rm labs/logs/leaky/data/draft.txt
expect_exit 0 lab validate labs/logs/leaky

# --- test: -j, --shard, --junit, --json, --repeat ------------------------------------------------
cd "$INFUSE_SOURCE_DIR"
ls -A "$HOME" > "$E2E_HOME/home-before"
expect_exit 0 lab test labs -j 2 --json
echo "$OUT" > "$E2E_HOME/parallel.json"
expect_exit 0 lab test labs --json
echo "$OUT" > "$E2E_HOME/serial.json"
python3 - "$E2E_HOME/serial.json" "$E2E_HOME/parallel.json" <<'EOF' || fail "-j 2 and -j 1 disagree"
import json, sys
serial, parallel = (json.load(open(p)) for p in sys.argv[1:])
key = lambda r: sorted((t["lab"], t["test"], t["result"]) for t in r["tests"])
assert key(serial) == key(parallel), "different results"
assert serial["failed"] == 0 and serial["passed"] > 100, serial["passed"]
EOF
ls -A "$HOME" > "$E2E_HOME/home-after"
cmp -s "$E2E_HOME/home-before" "$E2E_HOME/home-after" || fail "test wrote into the home folder"
[ ! -e "$XDG_STATE_HOME/infuse-lab/progress.sqlite" ] || [ "$(sql 'select count(*) from attempts')" = 0 ] || fail "test recorded attempts"

# Shards: disjoint, and together every lab.
for k in 1 2 3; do
    expect_exit 0 lab test labs --shard "$k/3" --json
    echo "$OUT" > "$E2E_HOME/shard-$k.json"
done
python3 - "$E2E_HOME"/shard-{1,2,3}.json "$E2E_HOME/serial.json" <<'EOF' || fail "shards do not split the labs"
import json, sys
shards = [set(t["lab"] for t in json.load(open(p))["tests"]) for p in sys.argv[1:4]]
every = set(t["lab"] for t in json.load(open(sys.argv[4]))["tests"])
assert set().union(*shards) == every, "a lab is missing"
assert sum(len(s) for s in shards) == len(every), "a lab is in two shards"
assert all(len(s) >= len(every) // 3 for s in shards), [len(s) for s in shards]
EOF
expect_exit 2 lab test labs --shard 4/3
expect_in "expected K/N"

# JUnit XML: one testcase per lab test, failures carry the problems.
expect_exit 1 lab test labs/headers/first-external-hop tests/fixtures/broken/hint-cost --junit "$E2E_HOME/report.xml"
expect_in "failed"
python3 - "$E2E_HOME/report.xml" <<'EOF' || fail "bad JUnit XML"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
cases = root.findall("./testsuite/testcase")
assert int(root.get("tests")) == len(cases) > 5, (root.get("tests"), len(cases))
failures = [c for c in cases if c.find("failure") is not None]
assert int(root.get("failures")) == len(failures) == 1, len(failures)
assert failures[0].get("classname") == "broken/hint-cost" and failures[0].get("name") == "definition"
assert "hints cost 12 points" in failures[0].find("failure").text
for suite in root.findall("testsuite"):
    assert int(suite.get("tests")) == len(suite.findall("testcase"))
EOF

# --repeat: the later rounds run on fresh seeds, each shown so a failure can be reproduced.
expect_exit 0 lab test labs/headers/first-external-hop --repeat 3
expect_in "(round 3)"
[ "$(grep -c ':: reference \[seed [a-z0-9]*\] (round' <<<"$OUT")" = 2 ] || fail "rounds 2 and 3 did not use fresh seeds: $OUT"
SEED=$(grep -o ':: reference \[seed [a-z0-9]*\] (round 2)' <<<"$OUT" | sed 's/.*seed \([a-z0-9]*\).*/\1/')
expect_exit 0 lab test labs/headers/first-external-hop --seed "$SEED"
expect_in "reference [seed $SEED]"
# derive: every derived value of a bundled lab with the entry that made it, for a seed; a
# derivation that finds nothing is the error at its own entry, the values before it printed.
expect_exit 0 lab derive logs/awk-top-talkers
expect_in "logs/awk-top-talkers, seed test"
expect_in "<- access.log: compute top:ip"
OUT=$(lab derive logs/awk-top-talkers --json 2>&1) || fail "derive --json failed: $OUT"
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["seed"]=="test" and all(e.get("value") for e in d["derived"]), d' <<<"$OUT" \
    || fail "derive --json lacks values: $OUT"
A=$(lab derive logs/awk-top-talkers --seed one --json) && B=$(lab derive logs/awk-top-talkers --seed two --json) || fail "derive --seed failed"
[ "$A" != "$B" ] || fail "two seeds derived the same values"
expect_exit 2 lab derive "$INFUSE_SOURCE_DIR/tests/fixtures/broken/derive-empty"
expect_in "derive.origin: found nothing: message.eml: header X-Originating-IP gave an empty value"
echo "mentor tools: ok"
