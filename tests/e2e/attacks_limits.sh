# Hostile definitions against the limits of docs/lab-format.md#limits: alias bombs (a grader's
# with:, derive:, generator options, a service data file), an alias inside its own anchor, nesting a
# million levels deep, a 100 MB lab.yaml, a 50,000-digit number, params that grow exponentially and
# a generator asked for 100,000,000 lines. Each fixture is tests/fixtures/attacks/limits-<name>/;
# the big ones get their big part here, in a copy (nothing big is committed). For each: `validate`,
# `list`, `show` and `start` end with the documented exit code and a message naming the file (or
# field) and the limit (expect.txt), never a crash (exit 128 or more), and the peak memory of each
# command stays under a generous bound (GNU time; a bound, not a timing).
source "$(dirname "$0")/lib.sh"

[ -x /usr/bin/time ] || { echo "SKIP: GNU time (/usr/bin/time) is needed to measure peak memory"; exit 0; }

fixtures="$INFUSE_SOURCE_DIR/tests/fixtures/attacks"
root="$E2E_HOME/labs"            # INFUSE_LAB_PATH: the attacks as a learner would have them
export INFUSE_LAB_HOME="$E2E_HOME/workspaces"
unset XDG_CONFIG_HOME   # limits.conf is read from $HOME/.config below
max_kb=$((200 * 1024))           # peak memory bound per command
# AddressSanitizer's shadow memory and quarantine (256 MiB) add to every peak: under it the bound
# only catches a runaway, and bench/memory.sh gives the real figures.
[ "${INFUSE_SANITIZED:-0}" = 1 ] && max_kb=$((1024 * 1024))

mkdir -p "$root/attacks"
for dir in "$fixtures"/limits-*/; do cp -r "$dir" "$root/attacks/"; done
# The big parts, made here.
truncate -s 100M "$root/attacks/limits-huge-yaml/lab.yaml"   # sparse: no disk is used
mkdir -p "$root/attacks/limits-deep-data-json/data" "$root/attacks/limits-big-number-data/data"
python3 - "$root/attacks" <<'EOF'
import sys
root = sys.argv[1]
with open(f"{root}/limits-deep-yaml/lab.yaml", "a") as f:
    f.write("params: " + "[" * 1_000_000 + "]" * 1_000_000 + "\n")
with open(f"{root}/limits-deep-data-json/data/web.json", "w") as f:
    f.write("[" * 1_000_000 + "]" * 1_000_000)
with open(f"{root}/limits-big-number-data/data/web.yaml", "w") as f:
    f.write("sites:\n  example.test:\n    routes:\n      /: {status: " + "9" * 50_000 + "}\n      /f: {status: 1" + "0" * 50_000 + ".5}\n")
EOF
export INFUSE_LAB_PATH="$root"

# measured CODE command...: like expect_exit, and checks the peak memory and that nothing crashed.
measured() {
    local want=$1; shift
    local memory="$E2E_HOME/memory"
    set +e
    OUT=$(/usr/bin/time -o "$memory" -f %M "$@" 2>&1)
    local got=$?
    set -e
    [ "$got" -lt 128 ] || fail "'$*' crashed (exit $got). Output:
$OUT"
    [ "$got" = "$want" ] || fail "'$*' exited $got, expected $want. Output:
$OUT"
    local kb
    kb=$(tail -n 1 "$memory")
    [ "$kb" -lt "$max_kb" ] || fail "'$*' peaked at $kb KB, above the bound of $max_kb KB"
    echo "  ${*: 2:2}: exit $got, peak ${kb} KB"
}

expect_messages() {  # each line of expect.txt appears in $OUT
    while IFS= read -r line; do
        [ -z "$line" ] || expect_in "$line"
    done <"$1"
}

checked=0
for dir in "$root"/attacks/limits-*/; do
    name=$(basename "$dir")
    id="attacks/$name"
    echo "$name"
    if [ "$name" = limits-evidence-flood ]; then
        # A valid lab: validate proves its generator on a 4 MiB sample and says so; start stops at
        # evidence-bytes (lowered here, as a learner could, so the test writes 64 MiB, not 1 GiB).
        measured 0 "$INFUSE_LAB_BIN" validate "$dir"
        measured 2 env INFUSE_LIMIT_EVIDENCE_BYTES=64M "$INFUSE_LAB_BIN" start "$id" -q
        expect_in "evidence-bytes (64 MiB)"
        expect_in "provision.generate (access.log)"
        expect_in "INFUSE_LIMIT_EVIDENCE_BYTES"
        ws=$(find "$INFUSE_LAB_HOME" -name 'access.log*' 2>/dev/null | head -n 1)
        [ -z "$ws" ] || fail "a partial or whole access.log was left behind: $ws"
        left=$(du -sk "$INFUSE_LAB_HOME" 2>/dev/null | cut -f1 || echo 0)
        [ "${left:-0}" -lt 1024 ] || fail "start left ${left} KB in the workspaces"
        checked=$((checked + 1))
        continue
    fi
    measured 2 "$INFUSE_LAB_BIN" validate "$dir"
    expect_messages "$dir/expect.txt"
    measured 0 "$INFUSE_LAB_BIN" list
    expect_in "$id"
    expect_in "Labs with definition errors"
    # show reads lab.yaml and the brief, not the services' data: a data attack is met at start.
    case "$name" in *-data*) measured 0 "$INFUSE_LAB_BIN" show "$id" ;; *) measured 2 "$INFUSE_LAB_BIN" show "$id" ;; esac
    measured 2 "$INFUSE_LAB_BIN" start "$id" -q
    expect_messages "$dir/expect.txt"
    checked=$((checked + 1))
done
[ "$checked" -ge 11 ] || fail "only $checked attack fixtures were checked"

# The learner may raise a limit for a lab they trust: limits.conf names the lab.
mkdir -p "$HOME/.config/infuse-lab"
echo "attacks/limits-template-growth template-bytes 32M" >"$HOME/.config/infuse-lab/limits.conf"
measured 2 "$INFUSE_LAB_BIN" validate "$root/attacks/limits-template-growth"
expect_in "template-bytes (32 MiB)"   # p5 (64 MiB) still passes it: the raised value is named
rm "$HOME/.config/infuse-lab/limits.conf"

# A bundled lab still starts normally afterwards.
expect_exit 0 lab start logs/wp-login-bruteforce -q
echo "attacks_limits: $checked hostile definitions contained"
