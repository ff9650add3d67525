# Text from labs is data: a hostile lab whose title, summary, brief, questions, hints, feedback,
# explanation, choices, test names, grader messages, state-check values, WHOIS data and unknown keys
# carry terminal escape sequences (OSC 52 clipboard writes, CSI 2J, cursor-up + erase-line, SGR
# conceal, 8-bit CSI, BEL, right-to-left override, a lone 0x9b byte, a folder name with ESC).
# Every command is run with its output through a pipe, with --color never and --color always, and
# each of stdout and stderr is checked: nothing a terminal acts on (ESC other than the program's own
# colours, C0 and C1 controls, DEL, bidi overrides and isolates, invalid UTF-8), and the visible
# form (`\e[2J`) is there. `--json` output parses and keeps the lab's exact text; `--junit` is
# well-formed XML; `generate` into a pipe stays byte for byte.
source "$(dirname "$0")/lib.sh"

fixtures="$INFUSE_SOURCE_DIR/tests/fixtures/attacks"
export INFUSE_LAB_HOME="$E2E_HOME/workspaces"
roots="$E2E_HOME/labs"
mkdir -p "$roots/attacks"
cp -r "$fixtures/text-escapes" "$roots/attacks/"
# A broken lab in a folder whose name holds ESC: `list` names it (its id comes from the folder).
cp -r "$fixtures/text-escapes-broken" "$roots/attacks/"$'evil\e[2J\e]52;c;ZXZpbA==\a'
export INFUSE_LAB_PATH="$roots"

sandbox=yes
if ! command -v bwrap >/dev/null 2>&1 || ! bwrap --unshare-all --die-with-parent --ro-bind / / true 2>/dev/null; then
    [ -z "${INFUSE_REQUIRE_SANDBOX:-}" ] || fail "bubblewrap is unusable here and INFUSE_REQUIRE_SANDBOX is set"
    echo "note: bubblewrap is unusable here: the grader questions are left out"
    sandbox=
fi

checker="$E2E_HOME/terminal_safe.py"
cat >"$checker" <<'PY'
# terminal_safe.py FILE never|always: exit 1 when FILE holds anything a terminal would act on.
import re, sys
data = open(sys.argv[1], "rb").read()
if sys.argv[2] == "always":
    codes = re.findall(rb"\x1b\[([0-9;]*)m", data)
    foreign = [c for c in codes if c not in (b"0", b"1", b"2", b"31", b"32", b"33", b"36")]
    if foreign:
        sys.exit(f"colour sequences the program never writes: {foreign}")
    data = re.sub(rb"\x1b\[(?:0|1|2|31|32|33|36)m", b"", data)
text = data.decode("utf-8", errors="surrogateescape")
for i, c in enumerate(text):
    o = ord(c)
    if c in "\n\t" or (c == "\r" and text[i + 1:i + 2] == "\n"):
        continue
    if (o < 0x20 or o == 0x7f or 0x80 <= o <= 0x9f or 0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069
            or 0xdc80 <= o <= 0xdcff):
        what = f"byte 0x{o - 0xdc00:02x} (not UTF-8)" if o >= 0xdc80 else f"U+{o:04X}"
        sys.exit(f"{what} reaches the terminal at offset {i}: {text[max(0, i - 40):i + 20]!r}")
PY

# run CODE COLOR args...: runs the command with stdout and stderr into files (a pipe, not a
# terminal), checks the exit code and both streams; $OUT is stdout then stderr.
colored_runs=0
run() {
    local want=$1 color=$2; shift 2
    set +e
    lab --color "$color" "$@" >"$E2E_HOME/stdout" 2>"$E2E_HOME/stderr" </dev/null
    local got=$?
    set -e
    OUT=$(cat "$E2E_HOME/stdout" "$E2E_HOME/stderr")
    [ "$got" = "$want" ] || fail "'$*' (--color $color) exited $got, expected $want. Output:
$OUT"
    for stream in stdout stderr; do
        python3 "$checker" "$E2E_HOME/$stream" "$color" || fail "'$*' (--color $color): raw control on $stream"
    done
    if [ "$color" = always ] && grep -q $'\e\\[' "$E2E_HOME/stdout" "$E2E_HOME/stderr"; then
        colored_runs=$((colored_runs + 1))
    fi
}
# both CODE args...: run with --color never, then --color always (the visible form in both).
both() {
    local want=$1; shift
    run "$want" always "$@"
    run "$want" never "$@"
}
# json_has EXPR: the last command's stdout is JSON and the Python expression EXPR over it (`j`) holds.
json_has() {
    python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
        "$E2E_HOME/stdout" "$1" || fail "--json output: '$1' does not hold. Output:
$(cat "$E2E_HOME/stdout")"
}

osc52='\e]52;c;ZXZpbA=='
id=attacks/text-escapes

# --- list: having the lab on the path is enough --------------------------------------------------
both 0 list
expect_in "Escapes${osc52}\\x07 title\\e[2J\\e[H"   # list cuts titles to their column
expect_in 'evil\e[2J\e]52;c;ZXZpbA==\x07'   # the broken lab's folder name
run 0 never list --json
json_has '[l for l in j if l["id"] == "attacks/text-escapes"][0]["title"] == "Escapes\x1b]52;c;ZXZpbA==\x07 title\x1b[2J\x1b[H\x9b2J \u202etxt.exe"'
# The JSON holds no byte a terminal acts on either (non-ASCII is escaped).
python3 "$checker" "$E2E_HOME/stdout" never || fail "list --json: raw control characters"

# --- show, start ---------------------------------------------------------------------------------
both 0 show "$id"
expect_in "Summary\\e[1A\\e[2K\\e]0;owned\\e\\ \\u202e"
expect_in "# Brief\\e[2J${osc52}\\x07"
expect_in "Ask\\e[2J${osc52}\\x07 type the word\\u009b1A \\u202eevil"
expect_in 'red\e]52;c;ZXZpbA==\x07'   # a choice word
expect_in 'Pick\e[8m hidden'          # SGR from a lab is shown, not applied
run 0 never show "$id" --json
json_has 'j["brief"].startswith("# Brief\x1b[2J\x1b]52;c;ZXZpbA==\x07") and "\x9b2J" in j["brief"]'
json_has 'j["questions"][0]["ask"] == "Ask\x1b[2J\x1b]52;c;ZXZpbA==\x07 type the word\x9b1A \u202eevil"'

# A brief that is not UTF-8 (a lone 0x9b byte): shown byte by byte; --json cannot hold it, so it
# gets U+FFFD instead of failing.
other="$E2E_HOME/other/attacks/text-escapes"
mkdir -p "$(dirname "$other")" && cp -r "$fixtures/text-escapes" "$other"
printf 'bad \xff\x9b2J byte\n' >"$other/brief.md"
both 0 show "$other"
expect_in 'bad \xff\x9b2J byte'
run 0 never show "$other" --json
json_has 'j["brief"] == "bad \ufffd\ufffd2J byte\n"'

run 0 never start "$id"
expect_in "Escapes${osc52}"
expect_in "# Brief\\e[2J"
run 0 always start "$id"   # resumes
run 0 never start "$id" --json -q
json_has 'j["title"].startswith("Escapes\x1b]52")'

# --- answer, hint, explain -----------------------------------------------------------------------
both 1 answer plain decoy
expect_in "not right"
expect_in "Feedback\\e[1A\\e[2K✔ correct${osc52}\\x07\\u009b2J \\u202eno"
run 1 never answer plain decoy --json
json_has 'j["feedback"] == "Feedback\x1b[1A\x1b[2K\u2714 correct\x1b]52;c;ZXZpbA==\x07\x9b2J \u202eno"'
both 0 hint plain
expect_in "Hint\\e[1A\\e[2K${osc52}\\x07 \\u202eone"
run 0 never hint plain --json
json_has 'j["hints"][0]["text"] == "Hint\x1b[1A\x1b[2K\x1b]52;c;ZXZpbA==\x07 \u202eone"'
run 0 always answer plain right
expect_in "correct"
both 0 explain plain
expect_in "Explain\\e[2J${osc52}\\x07\\u009b2J \\u202eend"
run 0 never explain plain --json
json_has 'j["explain"] == "Explain\x1b[2J\x1b]52;c;ZXZpbA==\x07\x9b2J \u202eend"'
run 1 always answer pick a
run 0 never answer pick 'blue'$'\e''[2J'
# An answer typed with escapes, quoted back in an error: shown too.
both 2 answer $'nope\e[2J' x
expect_in "nope\\e[2J"

if [ -n "$sandbox" ]; then
    both 1 answer graded anything
    expect_in "Grader\\e[1A\\e[2K✔ correct${osc52}\\x07\\u009b2J \\u202eend"
    run 1 never answer graded anything --json
    json_has '"Grader\x1b[1A\x1b[2K\u2714 correct\x1b]52;c;ZXZpbA==\x07\x9b2J \u202eend" in (j["note"] + j["feedback"])'
    # Not JSON, with a lone 0x9b byte: the runner repairs it to U+FFFD, and the "could not grade"
    # error quotes the rest visibly.
    both 2 answer garbage anything
    expect_in "could not grade"
    expect_in "Garbage\\e[2J${osc52}\\x07�2J"
fi

# --- check, status -------------------------------------------------------------------------------
both 1 check checked
expect_in "Check\\e[1A\\e[2K${osc52}\\x07\\u009b2J \\u202eok"
run 1 never check checked --json
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$E2E_HOME/stdout" || fail "check --json does not parse"
grep -qF 'Check\u001b[1A\u001b[2K' "$E2E_HOME/stdout" || fail "check --json lost the exact text: $(cat "$E2E_HOME/stdout")"
both 0 status
expect_in "Escapes${osc52}"
expect_in "Ask\\e[2J${osc52}\\x07"
run 0 never status --json
json_has 'j["title"].startswith("Escapes\x1b]52;c;ZXZpbA==\x07 title")'

# --- lookup: service data ------------------------------------------------------------------------
both 0 lookup whois evil.example
expect_in "registrar: Whois\\e[2J${osc52}\\x07\\u009b2J \\u202eend"
run 0 never lookup whois evil.example --json
json_has 'j["text"].startswith("registrar: Whois\x1b[2J\x1b]52;c;ZXZpbA==\x07\x9b2J \u202eend")'
run 0 never stop

# --- author commands: validate, test (and JUnit), hash, generate ---------------------------------
both 2 validate "$fixtures/text-escapes-broken"
expect_in "hint\\e[2J${osc52}\\x07\\u009b2J \\u202e"
run 2 never validate "$fixtures/text-escapes-broken" --json
json_has 'any("hint\x1b[2J\x1b]52;c;ZXZpbA==\x07\x9b2J \u202e" in p["message"] for l in j["labs"] for p in l["problems"])'

junit="$E2E_HOME/report.xml"
set +e
lab --color always test "$fixtures/text-escapes" --junit "$junit" >"$E2E_HOME/stdout" 2>"$E2E_HOME/stderr"
code=$?
set -e
[ "$code" -lt 128 ] || fail "test crashed (exit $code)"
for stream in stdout stderr; do python3 "$checker" "$E2E_HOME/$stream" always || fail "test: raw control on $stream"; done
grep -qF "reference\\e[2J${osc52}\\x07\\u009b2J \\u202e" "$E2E_HOME/stdout" || fail "test: the test name is not shown visibly: $(cat "$E2E_HOME/stdout")"
python3 - "$junit" <<'PY' || fail "--junit is not well-formed XML without control characters"
import sys, xml.etree.ElementTree as ET
names = [case.get("name") for case in ET.parse(sys.argv[1]).getroot().iter("testcase")]
assert any(n.startswith("reference\\e[2J") for n in names), names
PY
set +e
lab test "$fixtures/text-escapes" --json >"$E2E_HOME/stdout" 2>/dev/null
set -e
json_has 'any(t["test"].startswith("reference\x1b[2J\x1b]52") for t in j["tests"])'

both 0 hash --kind text $'a\e[2J\e]52;c;ZXZpbA==\ab'
expect_in "a\\e[2j\\e]52;c;zxzpba==\\x07b"   # the canonical form is lower case
# Generated evidence is data the user asked for: into a pipe, the same bytes as into a file.
lab generate access-log --seed s1 --with '{"lines": 500}' -o "$E2E_HOME/evidence.log" 2>/dev/null
lab generate access-log --seed s1 --with '{"lines": 500}' | cat >"$E2E_HOME/evidence.piped"
[ -s "$E2E_HOME/evidence.log" ] || fail "generate wrote nothing"
cmp -s "$E2E_HOME/evidence.log" "$E2E_HOME/evidence.piped" || fail "generate into a pipe changed the bytes"

# --- errors that quote what was typed or found ---------------------------------------------------
both 2 show $'nope\e[2J\e]52;c;ZXZpbA==\a'
expect_in "nope\\e[2J${osc52}\\x07"
both 2 $'lis\e[2Jt'
expect_in "lis\\e[2Jt"

[ "$colored_runs" -ge 10 ] || fail "only $colored_runs runs with --color always used colour: the colour path is not exercised"
echo "ok: no raw escape reached the terminal; JSON exact; JUnit well-formed; generate exact"
