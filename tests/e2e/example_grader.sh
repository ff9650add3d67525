# The grader protocol stays open to any language: the example grader of docs/graders.md (POSIX sh)
# is the one tests/fixtures/good/sh-grader runs, through the real binary, next to a `run:`
# question. A learner's command never writes outside the sandbox's /tmp, and leaves nothing behind.
source "$(dirname "$0")/lib.sh"
fixture="$INFUSE_SOURCE_DIR/tests/fixtures/good/sh-grader"

# --- the documented example is the tested one, byte for byte --------------------------------------
awk '/^<!-- example grader: tests\/fixtures\/good\/sh-grader\/graders\/count-lines -->$/ {found=1; next}
     found && /^```sh$/ {inside=1; next}
     inside && /^```$/ {exit}
     inside {print}' "$INFUSE_SOURCE_DIR/docs/graders.md" > "$E2E_HOME/documented"
[ -s "$E2E_HOME/documented" ] || fail "docs/graders.md has no example grader block"
cmp -s "$E2E_HOME/documented" "$fixture/graders/count-lines" || fail "the example in docs/graders.md differs from $fixture/graders/count-lines:
$(diff "$E2E_HOME/documented" "$fixture/graders/count-lines" || true)"

# --- the lab's own tests: the sh grader and the run question decide every verdict ----------------
expect_exit 0 lab test "$fixture"
expect_in "6 passed, 0 failed, 0 skipped"

# --- a learner, with the sandbox -----------------------------------------------------------------
if ! command -v bwrap >/dev/null 2>&1 || ! bwrap --unshare-all --die-with-parent --ro-bind / / true 2>/dev/null; then
    [ -z "${INFUSE_REQUIRE_SANDBOX:-}" ] || fail "bubblewrap is unusable here and INFUSE_REQUIRE_SANDBOX is set"
    echo "example grader: ok (learner part skipped: bubblewrap is unusable here)"
    exit 0
fi
export INFUSE_LAB_PATH="$INFUSE_SOURCE_DIR/tests/fixtures" TMPDIR="$E2E_HOME/tmp"
mkdir -p "$TMPDIR"
digest() { (cd "$1" && find . -print0 | sort -z | xargs -0 ls -ld --time-style=+%s | sha256sum); }
before_fixture=$(digest "$fixture")
expect_exit 0 lab start good/sh-grader -q
workspace="$HOME/infuse-lab/good/sh-grader"
before_workspace=$(digest "$workspace")
expect_exit 0 lab answer lines 4
expect_in "correct"
expect_exit 1 lab answer lines 3
expect_in "try wc -l"
# The lab's feedback rules: on the answer (as the declared integer kind) and on the grader's reply.
expect_exit 1 lab answer lines 5
expect_in "One too many"
expect_exit 1 lab answer lines four
expect_in "Type the digits only"
OUT=$(lab status 2>&1) || true
expect_in "answer: a whole number, graded by a program"
# A command that tries to write everywhere it can name, then answers right: it passes, and
# nothing was written (the evidence folder is read-only, the lab folder too, HOME is /tmp).
OUT=$(lab answer command - 2>&1 <<EOS
touch planted /workspace/planted /lab/planted "$workspace/planted" "$E2E_HOME/planted" 2>/dev/null; wc -l < evidence.txt
EOS
) || fail "the command answer failed: $OUT"
expect_in "correct"
[ ! -e "$E2E_HOME/planted" ] || fail "the learner's command wrote outside the sandbox"
[ "$(digest "$workspace")" = "$before_workspace" ] || fail "the learner's command changed the workspace"
[ "$(digest "$fixture")" = "$before_fixture" ] || fail "the learner's command changed the lab folder"
# A command that never ends is stopped at the question's timeout, and nothing of it survives.
expect_exit 1 lab answer command 'sleep 1000 & while :; do :; done'
expect_in "did not finish within 5 s"
if pgrep -f "sleep 1000" >/dev/null 2>&1; then fail "the learner's command survived: $(pgrep -af 'sleep 1000')"; fi
[ -z "$(ls "$TMPDIR" | grep '^infuse-lab-run-' || true)" ] || fail "a run folder was left in $TMPDIR: $(ls "$TMPDIR")"
echo "example grader: ok"
