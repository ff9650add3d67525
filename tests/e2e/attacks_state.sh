# Attacks on the learner's own state (issue 12): a services record forged to make `stop` kill
# another process, state files left world-writable by a umask of 000, and stores that are empty,
# not SQLite, another program's database, of a newer schema, or read-only. Fixtures are under
# tests/fixtures/attacks/state-*/.
#   - `stop` signals only a services process that proves itself on its control socket: a sentinel
#     process whose pid (and start time) a forged record names survives, and `stop` says the
#     record is stale;
#   - under umask 000 nothing the runner creates in its state folder is readable or writable by
#     others (files 0600, folders 0700): the services record, its log, the store and its -wal/-shm;
#   - every odd store gets its own message, exit 3, and is left byte for byte as it was; a
#     read-only one still serves list, status and show.
source "$(dirname "$0")/lib.sh"

fixtures="$INFUSE_SOURCE_DIR/tests/fixtures/attacks"
# good/minimal in a lab root of its own (the whole fixtures folder holds hostile labs of other tests).
mkdir -p "$E2E_HOME/labs/good"
cp -r "$INFUSE_SOURCE_DIR/tests/fixtures/good/minimal" "$E2E_HOME/labs/good/"
export INFUSE_LAB_PATH="$INFUSE_SOURCE_DIR/tests/fixtures/snapshot:$E2E_HOME/labs"
export INFUSE_LAB_HOME="$E2E_HOME/workspaces"
state="$XDG_STATE_HOME/infuse-lab"
record="$state/services/net~snapshot.json"
sentinel=""
cleanup() {
    lab stop net/snapshot >/dev/null 2>&1 || true
    [ -z "$sentinel" ] || kill "$sentinel" 2>/dev/null || true
    chmod -R u+rwX "$E2E_HOME" 2>/dev/null || true
    rm -rf "$E2E_HOME"
}
trap cleanup EXIT

json_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
# gone PID: true once the process has ended (bounded wait, for a loaded machine; not a timing test).
gone() { for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; return 1; }
digest() { sha256sum "$1" | cut -d' ' -f1; }

# --- umask 000: every file and folder of the state is private -----------------------------------
umask 000
expect_exit 0 lab start net/snapshot -q
[ -f "$record" ] || fail "start wrote no services record at $record"
[ -f "${record%.json}.log" ] || fail "the services process has no log at ${record%.json}.log"
[ -f "$STORE" ] || fail "no store at $STORE"
wide=$(find "$state" \( -type f -o -type d \) -perm /077 -printf '%m %p\n')
[ -z "$wide" ] || fail "under umask 000, files of the state folder are open to others:
$wide"
[ "$(stat -c %a "$record")" = 600 ] || fail "services record mode $(stat -c %a "$record")"
[ "$(stat -c %a "$STORE")" = 600 ] || fail "store mode $(stat -c %a "$STORE")"
[ "$(stat -c %a "$state")" = 700 ] || fail "state folder mode $(stat -c %a "$state")"
umask 022
expect_exit 0 lab status net/snapshot
expect_not_in "not answering"

# --- a forged pid with the real token: the real process is stopped, the sentinel survives -------
sleep 1000 &
sentinel=$!
real=$(json_field "$record" supervisor_pid)
python3 - "$record" "$sentinel" <<'PY'
import json, sys
path, pid = sys.argv[1], int(sys.argv[2])
record = json.load(open(path))
record["supervisor_pid"] = pid
json.dump(record, open(path, "w"))
PY
expect_exit 0 lab stop net/snapshot
expect_in "Stopped 'net/snapshot'"
kill -0 "$sentinel" 2>/dev/null || fail "stop killed the sentinel process whose pid the record named"
gone "$real" || fail "the real services process (pid $real) survived stop"

# --- a forged record (the sentinel's pid and start time, a made-up socket and token) ------------
start_ticks=$(awk '{print $22}' "/proc/$sentinel/stat")
mkdir -p "$(dirname "$record")"
sed -e "s/@PID@/$sentinel/" -e "s/@START@/$start_ticks/" "$fixtures/state-forged-record/record.json" >"$record"
expect_exit 0 lab status net/snapshot       # shown as not running, never trusted
expect_exit 0 lab stop net/snapshot
expect_in "is stale"
expect_in "nothing was signalled"
kill -0 "$sentinel" 2>/dev/null || fail "stop killed the sentinel named by a forged record"
[ ! -e "$record" ] || fail "the stale record was kept"
# The old format (pid and start time only) is stale too.
printf '{"lab":"net/snapshot","run":1,"containers":[],"supervisor_pid":%s,"supervisor_start":%s,"services":[]}\n' \
    "$sentinel" "$start_ticks" >"$record"
expect_exit 0 lab stop net/snapshot
expect_in "is stale"
kill -0 "$sentinel" 2>/dev/null || fail "stop killed the sentinel named by an old-format record"
kill "$sentinel"; sentinel=""

# --- stores ------------------------------------------------------------------------------------
reset_store() { rm -f "$STORE" "$STORE-wal" "$STORE-shm"; }

# An empty file (a crash between creating it and the first commit): set up, with a note.
reset_store; : >"$STORE"
expect_exit 0 lab list
expect_in "was an empty file"
[ "$(sql 'PRAGMA user_version')" = 2 ] || fail "the empty store was not set up"

# Not SQLite: damaged, exit 3, untouched.
reset_store; cp "$fixtures/state-garbage-store/progress.sqlite" "$STORE"
before=$(digest "$STORE")
expect_exit 3 lab list
expect_in "is damaged: it is not a SQLite database"
expect_in "$STORE"
expect_in "move it aside"
expect_exit 3 lab start good/minimal -q
[ "$(digest "$STORE")" = "$before" ] || fail "the damaged store was changed"
[ ! -s "$STORE-wal" ] || fail "a -wal was written beside the damaged store"

# Another program's database: damaged, untouched.
reset_store; sqlite3 "$STORE" <"$fixtures/state-foreign-store/schema.sql"
before=$(digest "$STORE")
expect_exit 3 lab list
expect_in "not one of infuse-lab"
[ "$(digest "$STORE")" = "$before" ] || fail "another program's database was changed"

# A newer schema: refused before any write.
reset_store
expect_exit 0 lab start good/minimal -q
sql "PRAGMA user_version = 99" >/dev/null
before=$(digest "$STORE")
expect_exit 3 lab list
expect_in "made by a newer infuse-lab (schema 99, this one knows 2)"
expect_exit 3 lab answer attacker 192.0.2.1
[ "$(digest "$STORE")" = "$before" ] || fail "the newer store was changed"

# Read-only file, then read-only folder: reads work, a write says read-only. Root may write any
# file, so as root this part runs as the unprivileged user nobody.
reset_store
if [ "$(id -u)" = 0 ]; then
    command -v setpriv >/dev/null || fail "running as root without setpriv: cannot test a read-only store"
    chown -R 65534:65534 "$E2E_HOME"
    learner() { setpriv --reuid=65534 --regid=65534 --clear-groups "$INFUSE_LAB_BIN" "$@"; }
else
    learner() { lab "$@"; }
fi
expect_exit 0 learner start good/minimal -q
for what in file folder; do
    if [ $what = file ]; then chmod 0444 "$STORE"; else chmod 0644 "$STORE"; chmod 0555 "$state"; fi
    expect_exit 0 learner list
    expect_exit 0 learner status
    expect_exit 0 learner show good/minimal
    expect_exit 3 learner answer attacker 192.0.2.1
    expect_in "read-only"
    expect_not_in "damaged"
done
chmod 0700 "$state"; chmod 0600 "$STORE"
expect_exit 1 learner answer attacker 192.0.2.1   # writable again: graded (the victim is wrong)

echo "attacks_state: ok"
