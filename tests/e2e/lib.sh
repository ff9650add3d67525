# Shared by the end-to-end tests: a fresh, temporary home for every test, and small assertions.
# Each test runs the real infuse-lab binary ($INFUSE_LAB_BIN) as a learner would.
set -euo pipefail

: "${INFUSE_LAB_BIN:?set INFUSE_LAB_BIN to the infuse-lab binary}"
: "${INFUSE_SOURCE_DIR:?set INFUSE_SOURCE_DIR to the source tree}"

E2E_HOME=$(mktemp -d "${TMPDIR:-/tmp}/infuse-e2e-XXXXXX")
trap 'rm -rf "$E2E_HOME"' EXIT
export HOME="$E2E_HOME/home" XDG_STATE_HOME="$E2E_HOME/state" NO_COLOR=1 LANG=C.UTF-8
unset INFUSE_LAB_HOME INFUSE_LAB_PATH LC_ALL LC_MESSAGES
mkdir -p "$HOME"
STORE="$XDG_STATE_HOME/infuse-lab/progress.sqlite"

lab() { "$INFUSE_LAB_BIN" "$@"; }

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit CODE command...: runs the command, keeps its output in $OUT, checks the exit code.
expect_exit() {
    local want=$1; shift
    set +e
    OUT=$("$@" 2>&1)
    local got=$?
    set -e
    [ "$got" = "$want" ] || fail "'$*' exited $got, expected $want. Output:
$OUT"
}

expect_in() {  # expect_in TEXT: $OUT contains TEXT
    grep -qF -- "$1" <<<"$OUT" || fail "expected output to contain '$1'. Output:
$OUT"
}

expect_not_in() {
    ! grep -qF -- "$1" <<<"$OUT" || fail "expected output not to contain '$1'. Output:
$OUT"
}

sql() { sqlite3 -cmd ".timeout 10000" "$STORE" "$1"; }  # same busy timeout as the runner
