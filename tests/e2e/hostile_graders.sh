# Hostile graders and hostile answers, from a learner's seat. Each fixture under
# tests/fixtures/hostile/ is a lab whose own grader misbehaves (endless loop, fork bomb, memory hog,
# a gigabyte of output, a network connection, reading the home folders, writing outside the
# workspace, killing its parent, 20 children holding memory, filling /tmp or the workspace, planting
# a link in the workspace, a reply nested 100,000 levels deep, broken UTF-8, setsid daemons ...). For each: `start` it from its folder, `answer` the question,
# and check that
#   - the verdict is the one in expect.txt (line 1), and the text of line 2 never appears;
#   - the exit code is the documented one (1 for a verdict, 2 for "could not grade");
#   - it ends within the grader's timeout plus a margin of 10 s for a loaded machine (a runner that
#     waited for a grader's orphaned child would take 1000 s);
#   - nothing was recorded for a grader that failed, no process of it survives, the lab folder and
#     the files outside the workspace are unchanged;
#   - the runner works normally afterwards (a bundled lab is answered correctly).
# Then hostile answers (shell metacharacters, 10 MB, NUL bytes, invalid UTF-8) against a grader
# that runs the learner's command: never executed outside the sandbox, a clear verdict or error.
source "$(dirname "$0")/lib.sh"

fixtures="$INFUSE_SOURCE_DIR/tests/fixtures/hostile"
export INFUSE_LAB_HOME="$E2E_HOME/workspaces"
canary="$E2E_HOME/canary"   # a file outside every workspace that no grader may touch
echo "untouched" >"$canary"
fixture_digest() { (cd "$fixtures" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); }
before_fixtures=$(fixture_digest)

# Whether the sandbox is usable decides which verdicts can be asked for (without it, the grader
# runs with limits only, and bundled-lab rules do not apply to these external labs).
if ! command -v bwrap >/dev/null 2>&1 || ! bwrap --unshare-all --die-with-parent --ro-bind / / true 2>/dev/null; then
    [ -z "${INFUSE_REQUIRE_SANDBOX:-}" ] || fail "bubblewrap is unusable here and INFUSE_REQUIRE_SANDBOX is set"
    echo "SKIP: bubblewrap is unusable here: hostile graders are only run in the sandbox"
    exit 0
fi

# Whether the runner can make a memory cgroup here (root, with cgroup v1's memory hierarchy or
# cgroup v2's memory controller): a fixture may expect another outcome without one
# (expect-without-memory-cgroup.txt), when only the per-process share bounds memory.
memory_cgroup=no
if [ "$(id -u)" = 0 ]; then
    if [ -w /sys/fs/cgroup/memory ] || grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
        memory_cgroup=yes
    fi
fi
workspace_digest() { (cd "$1" && find . -print0 | sort -z | xargs -0 ls -ld --time-style=+%s | sha256sum); }

checked=0
for dir in "$fixtures"/*/; do
    name=$(basename "$dir")
    expect_file="$dir/expect.txt"
    [ "$memory_cgroup" = yes ] || [ ! -f "$dir/expect-without-memory-cgroup.txt" ] || expect_file="$dir/expect-without-memory-cgroup.txt"
    verdict=$(sed -n 1p "$expect_file")
    forbidden=$(sed -n 2p "$expect_file")
    timeout_s=$(grep -oE 'timeout: *[0-9]+s' "$dir/lab.yaml" | grep -oE '[0-9]+' || echo 10)
    # A fixture's `environment` file: VARIABLE=value lines for its answer (a lowered limit).
    fixture_env=()
    [ ! -f "$dir/environment" ] || mapfile -t fixture_env < <(grep -E '^[A-Z_]+=' "$dir/environment")

    expect_exit 0 lab start "$dir" -q
    workspace="$INFUSE_LAB_HOME/hostile/$name"
    before_workspace=$(workspace_digest "$workspace")
    attempts_before=$(sql "SELECT COUNT(*) FROM attempts")
    started=$(date +%s%N)
    set +e
    OUT=$(env "${fixture_env[@]}" "$INFUSE_LAB_BIN" answer -l "hostile/$name" q x 2>&1)
    code=$?
    set -e
    elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
    attempts_after=$(sql "SELECT COUNT(*) FROM attempts")

    case $verdict in
        wrong)
            [ "$code" = 1 ] || fail "$name: exit $code, expected 1 (a wrong answer). Output:
$OUT"
            expect_in "not right"
            [ "$attempts_after" = $((attempts_before + 1)) ] || fail "$name: a graded answer was not recorded"
            ;;
        *)
            [ "$code" = 2 ] || fail "$name: exit $code, expected 2 (could not grade). Output:
$OUT"
            expect_in "could not grade"
            expect_in "$verdict"
            expect_in "nothing was recorded"
            [ "$attempts_after" = "$attempts_before" ] || fail "$name: a failed grading was recorded"
            ;;
    esac
    [ -z "$forbidden" ] || expect_not_in "$forbidden"
    limit_ms=$(( timeout_s * 1000 + 10000 ))
    [ "$elapsed_ms" -le "$limit_ms" ] || fail "$name: took ${elapsed_ms} ms, more than its timeout plus 10 s (${limit_ms} ms)"
    # No process of the grader survives it (they all ran from the lab's graders/ folder).
    # Other tests run graders at the same time (ctest -j), so a sandboxed process
    # counts only when its /lab is this lab's folder (its mountinfo says so).
    survivors=$(pgrep -f "hostile/$name/graders" 2>/dev/null || true)
    for pid in $(pgrep -f "(^| )/lab/graders/" 2>/dev/null || true); do
        if grep -q "hostile/$name /lab " "/proc/$pid/mountinfo" 2>/dev/null; then
            survivors="$survivors $pid"
        fi
    done
    if [ -n "$(echo $survivors)" ]; then
        fail "$name: grader processes survived: $(for pid in $survivors; do tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null; echo; done)"
    fi
    # The workspace is read-only to graders: not a file added, changed or replaced by a link.
    [ "$(workspace_digest "$workspace")" = "$before_workspace" ] || fail "$name: the grader changed the workspace:
$(find "$workspace" -maxdepth 3 | head -40)"
    echo "ok: $name -> '$verdict' (exit $code, ${elapsed_ms} ms)"
    checked=$((checked + 1))
done
[ "$checked" -ge 8 ] || fail "only $checked hostile fixtures found in $fixtures"

# A planted link would make the next `start` (resume) write through it into the home folder.
if [ ! -d "$INFUSE_LAB_HOME/hostile/workspace-symlink/notes" ] || [ -L "$INFUSE_LAB_HOME/hostile/workspace-symlink/notes" ]; then
    fail "workspace-symlink: notes/ is no longer a folder"
fi
expect_exit 0 lab start "$fixtures/workspace-symlink" -q
if [ -e "$HOME/notes.txt" ] || [ -e "$E2E_HOME/notes.txt" ]; then fail "workspace-symlink: start wrote through a planted link"; fi

# Grader messages in --json: cut at a character boundary, invalid bytes repaired, always valid JSON.
for name in utf8-message-cut invalid-utf8-message; do
    expect_exit 1 lab answer --json -l "hostile/$name" q x
    python3 -c 'import json, sys; json.loads(sys.stdin.read())' <<<"$OUT" || fail "$name: answer --json is not valid JSON:
$OUT"
done
expect_exit 1 lab answer --json -l hostile/invalid-utf8-message q x
python3 - "$OUT" <<'PY' || fail "invalid-utf8-message: the invalid bytes were not repaired: $OUT"
import json, sys
note = json.loads(sys.argv[1])["note"]
assert note == "bad bytes: \ufffd\ufffd \ufffd \ufffd\ufffd end", repr(note)
PY
expect_exit 1 lab answer --json -l hostile/utf8-message-cut q x
python3 - "$OUT" <<'PY' || fail "utf8-message-cut: the message was not cut at 1999 bytes + '...': $OUT"
import json, sys
note = json.loads(sys.argv[1])["note"]
assert note == "m" * 1999 + "...", repr(note[-10:])
PY

[ "$(cat "$canary")" = untouched ] || fail "a grader changed a file outside the workspace"
[ "$(fixture_digest)" = "$before_fixtures" ] || fail "a grader changed its own lab folder"
for path in /x /etc/x /usr/x /root/x /home/x /var/tmp/x; do
    [ ! -e "$path" ] || fail "a grader wrote $path"
done

# --- the runner works normally afterwards --------------------------------------------------------
expect_exit 0 lab start headers/first-external-hop --seed e2e -q
expect_exit 0 lab status
expect_in "0/"

# --- hostile answers to a run question, which runs the learner's command ----------------------------
# logs/awk-top-talkers runs the answer as a shell pipeline, in the sandbox, on another copy of the log.
lab_id=logs/awk-top-talkers
expect_exit 0 lab start "$lab_id" --seed e2e -q
workspace="$INFUSE_LAB_HOME/$lab_id"
marker="$E2E_HOME/pwned"
# Shell metacharacters: the command runs, but in the sandbox, so nothing appears outside.
expect_exit 1 lab answer -l "$lab_id" top-ips "touch $marker; \$(touch $marker) \`touch $marker\` | tee $marker"
[ ! -e "$marker" ] || fail "a learner's command wrote outside the sandbox"
expect_exit 1 lab answer -l "$lab_id" top-ips 'cat /etc/shadow ~/.ssh/id_rsa 2>&1; curl http://198.51.100.1/'
expect_not_in "root:"
# 10 MB, NUL bytes, invalid UTF-8: refused before any grader sees them, nothing recorded.
attempts_before=$(sql "SELECT COUNT(*) FROM attempts")
head -c 10000000 /dev/zero | tr '\0' 'a' >"$E2E_HOME/big"
expect_exit 2 lab answer -l "$lab_id" top-ips - <"$E2E_HOME/big"
expect_in "not recorded"
printf 'awk\0{print}' >"$E2E_HOME/nul"
expect_exit 2 lab answer -l "$lab_id" top-ips - <"$E2E_HOME/nul"
expect_in "not recorded"
printf 'awk \xff\xfe' >"$E2E_HOME/latin"
expect_exit 2 lab answer -l "$lab_id" top-ips - <"$E2E_HOME/latin"
expect_in "not recorded"
[ "$(sql "SELECT COUNT(*) FROM attempts")" = "$attempts_before" ] || fail "a refused answer was recorded"

# A learner whose locale is not installed on the machine still gets graded.
LANG=zz_ZZ.UTF-8 expect_exit 1 lab answer -l "$lab_id" post-path /not-it
expect_in "not right"

echo "hostile graders: ok ($checked fixtures)"
