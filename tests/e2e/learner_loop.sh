# A learner's whole loop on a fixture lab: list, start, wrong / defanged / right answers, hints,
# explain, status, reset; with the exit codes of docs/cli.md.
source "$(dirname "$0")/lib.sh"
export INFUSE_LAB_PATH="$INFUSE_SOURCE_DIR/tests/fixtures"

expect_exit 0 lab list
expect_in "good/minimal"
expect_in "Labs with definition errors"

expect_exit 0 lab start good/minimal --seed e2e
expect_in "Find the attacker"
expect_in "attacker"
workspace="$HOME/infuse-lab/good/minimal"
[ -f "$workspace/evidence.txt" ] || fail "evidence.txt not provisioned"
attacker=$(awk '{print $2}' "$workspace/evidence.txt")
[[ "$attacker" == 203.0.113.* ]] || fail "attacker address not rendered: $attacker"

# Explanations are earned.
expect_exit 1 lab explain attacker
expect_in "not solved yet"

# A wrong answer with feedback, then an unusable one.
expect_exit 1 lab answer attacker 192.0.2.1
expect_in "not right"
expect_in "That is the victim."
expect_exit 1 lab answer attacker evil.example
expect_in "not usable"

# A hint costs points.
expect_exit 0 lab hint attacker
expect_in "Hint 1/1 (-2 pts): Look at the first line."

# Defanged and right: 10 - 2 points.
defanged=${attacker//./[.]}
expect_exit 0 lab answer 1 "$defanged"
expect_in "correct"
expect_in "+8 points"
expect_in "Every question solved"

expect_exit 0 lab status --json
expect_in '"points": 8'
expect_in '"seed": "e2e"'
expect_exit 0 lab explain attacker
expect_in "The first line names the attacker."

# Typos get suggestions and exit 2.
expect_exit 2 lab answr attacker x
expect_in "did you mean 'answer'"
expect_exit 2 lab answer atacker x
expect_in "did you mean 'attacker'"
expect_exit 2 lab start good/minimall
expect_in "did you mean 'good/minimal'"

# Every attempt is in the store, raw.
[ "$(sql "select count(*) from attempts")" = 3 ] || fail "expected 3 attempts in the store"
[ "$(sql "select answer from attempts order by id desc limit 1")" = "$defanged" ] || fail "raw answer not stored"

# Reset needs confirmation when not on a terminal, then clears progress and workspace.
expect_exit 2 lab reset good/minimal </dev/null
expect_exit 0 lab reset good/minimal --yes
[ ! -e "$workspace" ] || fail "workspace still there after reset"
expect_exit 2 lab status
expect_in "not started"
[ "$(sql "select count(*) from runs where ended_at is null")" = 0 ] || fail "run still active after reset"

# Starting again gives a new seed, hence new data.
expect_exit 0 lab start good/minimal --json
expect_in '"resumed": false'
expect_not_in '"seed": "e2e"'
echo "learner loop: ok"
