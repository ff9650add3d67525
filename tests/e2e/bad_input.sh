# Broken labs, hostile answers and a damaged store: clear errors, documented exit codes, nothing lost.
source "$(dirname "$0")/lib.sh"
export INFUSE_LAB_PATH="$INFUSE_SOURCE_DIR/tests/fixtures"
cd "$INFUSE_SOURCE_DIR"

# Every broken fixture is reported at file:line:column, and validate exits 2.
expect_exit 2 lab validate tests/fixtures/broken
expect_in "tests/fixtures/broken/unknown-key/lab.yaml:20:5: error: questions[0]: unknown key 'hint' (did you mean 'hints'?)"
expect_in "with errors"
expect_exit 0 lab validate tests/fixtures/good
expect_exit 1 lab test tests/fixtures/broken/hint-cost
expect_in "0 passed, 1 failed, 0 skipped"
expect_exit 0 lab test tests/fixtures/good
expect_in "12 passed, 0 failed, 0 skipped"  # minimal (3), sh-grader (6), compressed (3)

# A broken lab cannot be started.
expect_exit 2 lab start broken/unknown-key
expect_in "definition errors"

# Hostile answers are refused before grading and never stored.
expect_exit 0 lab start good/minimal --seed hostile -q
expect_exit 1 lab answer attacker '$(touch /tmp/pwned-by-answer); `id`; | rm -rf ~'
[ ! -e /tmp/pwned-by-answer ] || fail "an answer was executed"
head -c 10000000 /dev/zero | tr '\0' 'a' > "$E2E_HOME/big"
expect_exit 2 lab answer attacker - < "$E2E_HOME/big"
expect_in "longer than 64 KiB"
printf 'a\0b' > "$E2E_HOME/nul"
expect_exit 2 lab answer attacker - < "$E2E_HOME/nul"
expect_in "NUL byte"
expect_exit 2 lab answer attacker $'\xff\xfe'
expect_in "not valid UTF-8"
[ "$(sql "select count(*) from attempts")" = 1 ] || fail "refused answers must not be stored"

# A store from the future is refused with exit 3, and left untouched.
sql "PRAGMA user_version = 42"
expect_exit 3 lab status
expect_in "newer infuse-lab"
[ "$(sql "PRAGMA user_version")" = 42 ] || fail "the store was changed"
# Compressed evidence both ways: shipped gzip and provisioned plain, shipped plain and
# provisioned zstd; the learner reads them with the real tools.
HOME="$E2E_HOME/compressed" XDG_STATE_HOME="$E2E_HOME/compressed/state" expect_exit 0 lab start good/compressed -q
ws="$E2E_HOME/compressed/infuse-lab/good/compressed"
[ "$(wc -l < "$ws/access.log")" = 40 ] || fail "access.log was not provisioned plain"
[ "$(zstd -dc "$ws/older.log.zst" | wc -l)" = 10 ] || fail "older.log.zst is not the zstd of the plain file"
echo "bad input: ok"
