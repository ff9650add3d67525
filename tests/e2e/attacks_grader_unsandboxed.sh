# Hostile graders without the sandbox (INFUSE_NO_SANDBOX=1 stands for "bwrap is missing";
# --allow-unsandboxed, since the fixtures are not bundled labs). Checks that
#   - as root, a grader never runs as root: it runs as an unused unprivileged user id, or the runner
#     refuses (exit 3) when that user cannot read the workspace;
#   - as root, `kill -9 -1` in a grader harms nothing else: the runner and a sentinel process that
#     this test started both survive;
#   - as any user, daemons left by a grader (setsid, double fork) do not survive `answer`;
#   - the workspace is not writable for the dropped user: nothing added, no link planted;
#   - the memory of the whole grader is bounded (a memory cgroup where the runner may make one);
#   - a runner killed with SIGKILL mid-grading leaves a cgroup behind, which the next run removes,
#     killing the daemon the grader had left in it.
source "$(dirname "$0")/lib.sh"

export INFUSE_NO_SANDBOX=1 INFUSE_LAB_HOME="$E2E_HOME/workspaces"
hostile="$INFUSE_SOURCE_DIR/tests/fixtures/hostile"
attacks="$INFUSE_SOURCE_DIR/tests/fixtures/attacks"
root=no
[ "$(id -u)" != 0 ] || root=yes
memory_cgroup=no
if [ "$root" = yes ] && { [ -w /sys/fs/cgroup/memory ] || grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; }; then
    memory_cgroup=yes
fi
survivors() { pgrep -f "$1" 2>/dev/null | tr '\n' ' ' || true; }
workspace_digest() { (cd "$1" && find . -print0 | sort -z | xargs -0 ls -ld --time-style=+%s | sha256sum); }

# --- an external lab's grader needs the sandbox unless the learner allows it --------------------
expect_exit 0 lab start "$hostile/setsid-daemon" -q
expect_exit 3 lab answer -l hostile/setsid-daemon q x
expect_in "needs the sandbox"

# --- as root: a workspace the unprivileged user cannot read is a refusal, not a root grader ------
if [ "$root" = yes ]; then
    chmod 700 "$E2E_HOME"
    expect_exit 3 lab answer --allow-unsandboxed -l hostile/setsid-daemon q x
    expect_in "never runs as root"
    expect_in "cannot read"
    expect_in "nothing was recorded"
    chmod 755 "$E2E_HOME"   # from here on, the dropped user may read the workspaces
fi

# --- daemons do not survive answer ----------------------------------------------------------------
expect_exit 1 lab answer --allow-unsandboxed -l hostile/setsid-daemon q x
expect_in "not right"
expect_in "without the sandbox"
[ -z "$(survivors "hostile/setsid-daemon/graders")" ] || fail "daemons of the grader survived answer: $(pgrep -af hostile/setsid-daemon/graders)"
echo "ok: setsid and double-fork daemons killed"

# --- as root: dropped privileges, kill -9 -1 harmless ---------------------------------------------
if [ "$root" = yes ]; then
    sleep 424242 &
    sentinel=$!
    expect_exit 0 lab start "$attacks/grader-kill-everything" -q
    expect_exit 1 lab answer --allow-unsandboxed -l attacks/grader-kill-everything q x
    expect_in "not right"
    expect_in "killed what it could as uid="
    expect_not_in "NOT CONTAINED"
    expect_not_in "uid=0 "
    expect_in "ran as the unprivileged user id"
    kill -0 "$sentinel" 2>/dev/null || fail "kill -9 -1 in a grader killed a process of root (the sentinel)"
    kill "$sentinel"
    wait "$sentinel" 2>/dev/null || true
    echo "ok: kill -9 -1 as the dropped user: runner and sentinel survive"

    for name in fill-workspace workspace-symlink; do
        expect_exit 0 lab start "$hostile/$name" -q
        before=$(workspace_digest "$INFUSE_LAB_HOME/hostile/$name")
        expect_exit 1 lab answer --allow-unsandboxed -l "hostile/$name" q x
        expect_in "not right"
        expect_not_in "NOT CONTAINED"
        [ "$(workspace_digest "$INFUSE_LAB_HOME/hostile/$name")" = "$before" ] || fail "$name: the workspace changed"
    done
    echo "ok: the workspace is read-only for the dropped user"
else
    echo "SKIP: not root: privilege drop, kill -9 -1 and the read-only workspace need a root runner"
fi

# --- the whole grader's memory --------------------------------------------------------------------
expect_exit 0 lab start "$hostile/many-children-memory" -q
attempts_before=$(sql "SELECT COUNT(*) FROM attempts")
expect_exit 2 env INFUSE_LIMIT_GRADER_MEMORY=128M "$INFUSE_LAB_BIN" answer --allow-unsandboxed -l hostile/many-children-memory q x
expect_in "could not grade"
expect_not_in "NOT CONTAINED"
[ "$memory_cgroup" = no ] || expect_in "more than its memory limit grader-memory (128 MiB)"
[ "$(sql "SELECT COUNT(*) FROM attempts")" = "$attempts_before" ] || fail "a grading stopped for its memory was recorded"
[ -z "$(survivors "hostile/many-children-memory/graders")" ] || fail "children of the memory hog survived"
echo "ok: memory of the whole grader bounded (memory cgroup: $memory_cgroup)"

# --- SIGKILL of the runner mid-grading; the next run removes the stale cgroup ---------------------
if [ "$root" = yes ]; then
    expect_exit 0 lab start "$attacks/grader-outlive-runner" -q
    "$INFUSE_LAB_BIN" answer --allow-unsandboxed -l attacks/grader-outlive-runner q x >/dev/null 2>&1 &
    runner=$!
    for _ in $(seq 600); do   # waits for the daemon to exist, up to a minute (not a timed assertion)
        [ -z "$(survivors "grader-outlive-runner/graders/grader.sh daemon")" ] || break
        sleep 0.1
    done
    [ -n "$(survivors "grader-outlive-runner/graders/grader.sh daemon")" ] || fail "the grader's daemon never started"
    groups=$(find /sys/fs/cgroup -maxdepth 8 -type d -name "infuse-lab.$runner.*" 2>/dev/null || true)
    [ -n "$groups" ] || fail "the runner (pid $runner) made no cgroup for its grader"
    kill -9 "$runner"
    wait "$runner" 2>/dev/null || true
    # The runner is gone; its folders (and the daemon in them) are still there until the next run.
    for group in $groups; do [ -d "$group" ] || fail "the cgroup $group disappeared with its runner: nothing left to test"; done
    expect_exit 1 lab answer --allow-unsandboxed -l hostile/setsid-daemon q x
    for group in $groups; do [ ! -d "$group" ] || fail "the next run left the stale cgroup $group"; done
    for _ in $(seq 100); do   # the killed processes are reaped by init, not by the runner
        [ -n "$(survivors "grader-outlive-runner/graders")" ] || break
        sleep 0.1
    done
    [ -z "$(survivors "grader-outlive-runner/graders")" ] || fail "the stale cgroup's processes survived: $(pgrep -af grader-outlive-runner/graders)"
    echo "ok: SIGKILL of the runner: the next run removed $(echo "$groups" | wc -l) stale cgroup folder(s) and the daemon"
else
    echo "SKIP: not root: no cgroup is made, so a killed runner's daemon is not cleaned up (documented)"
fi

echo "unsandboxed graders: ok"
