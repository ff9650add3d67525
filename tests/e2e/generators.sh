# Generated evidence, from a learner's and a mentor's seat (docs/evidence.md):
#   - every generator is deterministic (same seed, same bytes) and a new seed gives new data;
#   - goaccess reads a generated access log (combined format) without one rejected line;
#   - a generated lab gives each learner their own data and their own answers, graded against the
#     evidence as provisioned even after the learner edits or deletes their copy;
#   - bad generator options get an error naming the option and exit 2.
source "$(dirname "$0")/lib.sh"

sha() { sha256sum "$1" | cut -d' ' -f1; }
incidents='"incidents": [
  {"kind": "injection", "ip": "203.0.113.5", "payloads": ["hex", "sqli", "xss", "traversal"], "count": 200},
  {"kind": "scanner", "ip": "203.0.113.6"},
  {"kind": "flood", "ip": "203.0.113.7", "requests": 3000, "at": "12:00"},
  {"kind": "login-bruteforce", "ip": "203.0.113.8", "attempts": 300, "at": "02:41"},
  {"kind": "xmlrpc-bruteforce", "ip": "203.0.113.9", "at": "11:38"},
  {"kind": "login", "ip": "198.51.100.61", "failures": 1, "at": "09:04"}]'
options="{\"lines\": 20000, \"start\": \"2024-03-14T00:00:00+01:00\", \"crawler\": \"192.0.2.44\", \"monitor\": \"198.51.100.10\", $incidents}"
out="$E2E_HOME/out"
mkdir -p "$out"

# Determinism, for every generator.
for generator in access-log error-log auth-log; do
    expect_exit 0 lab generate "$generator" --with '{"lines": 3000}' --seed one -o "$out/$generator.1"
    expect_exit 0 lab generate "$generator" --with '{"lines": 3000}' --seed one -o "$out/$generator.2"
    expect_exit 0 lab generate "$generator" --with '{"lines": 3000}' --seed two -o "$out/$generator.3"
    [ "$(sha "$out/$generator.1")" = "$(sha "$out/$generator.2")" ] || fail "$generator: the same seed gave different bytes"
    [ "$(sha "$out/$generator.1")" != "$(sha "$out/$generator.3")" ] || fail "$generator: another seed gave the same bytes"
    [ "$(wc -l < "$out/$generator.1")" -eq 3000 ] || fail "$generator: expected 3000 lines, got $(wc -l < "$out/$generator.1")"
done
email='{"from": "Billing <billing@invoices.example>", "to": "Ana <ana@newsroom.example>", "subject": "Facture n°42 – échéance",
        "encode": {"subject": "b"}, "hops": [{"from": "mail.invoices.example", "ip": "203.0.113.25", "by": "mx.newsroom.example", "delay": 3}]}'
expect_exit 0 lab generate email --with "$email" --seed one -o "$out/message.eml"
grep -q '^Subject: =?UTF-8?B?' "$out/message.eml" || fail "the subject is not an encoded word: $(grep '^Subject' "$out/message.eml")"
grep -q 'from mail.invoices.example (mail.invoices.example \[203.0.113.25\])' "$out/message.eml" || fail "no Received hop from the sender"

# goaccess, the log analyser learners meet in the field, reads every generated line.
command -v goaccess >/dev/null || fail "goaccess is not installed (scripts/setup.sh installs it)"
expect_exit 0 lab generate access-log --with "$options" --seed goaccess -o "$out/access.log"
lines=$(wc -l < "$out/access.log")
goaccess "$out/access.log" --log-format=COMBINED --no-global-config -o "$out/report.json" >/dev/null 2>&1 \
    || fail "goaccess failed on the generated log"
python3 - "$out/report.json" "$lines" <<'PY' || fail "goaccess rejected generated lines"
import json, sys
general = json.load(open(sys.argv[1]))["general"]
lines = int(sys.argv[2])
print(f"goaccess: {general['total_requests']} requests, {general['valid_requests']} valid, {general['failed_requests']} failed of {lines} lines")
sys.exit(0 if general["failed_requests"] == 0 and general["valid_requests"] == lines else 1)
PY
grep -q 'GET /index.php?page=\\x' "$out/access.log" || fail "no \\x-encoded payload in the log"

# Bad options: the option is named, exit 2.
expect_exit 2 lab generate access-log --with '{"incidents": [{"kind": "scanner", "ip": "203.0.113.6", "intervall": 2}]}'
expect_in "incidents[0].intervall: unknown option"
expect_exit 2 lab generate access-log --with '{"incidents": [{"kind": "login-bruteforce", "ip": "203.0.113.6", "attempts": "many"}]}'
expect_in "incidents[0].attempts: expected an integer"
expect_exit 2 lab generate auth-log --with '{"start": "yesterday"}'
expect_in "start: 'yesterday' is not an ISO 8601 time"

# A generated lab: each learner their own data and answers.
lab_id=logs/scanner-and-git-config
workspace="$HOME/infuse-lab/$lab_id"
derived_value() {  # derived_value NAME: the value kept for the active run
    python3 -c 'import json,sys,glob; print(json.load(open(sorted(glob.glob(sys.argv[1]+"/*.json"))[-1]))["values"][sys.argv[2]])' \
        "$XDG_STATE_HOME/infuse-lab/derived" "$1"
}
expect_exit 0 lab start "$lab_id" --seed alice --quiet
first_sha=$(sha "$workspace/access.log")
alice_scanner=$(derived_value scanner)
[[ "$alice_scanner" == 203.0.113.* || "$alice_scanner" == 198.51.100.* || "$alice_scanner" == 192.0.2.* ]] \
    || fail "the derived scanner address is not an address: $alice_scanner"
grep -q "^$alice_scanner " "$workspace/access.log" || fail "the derived scanner $alice_scanner is not in the log"

# The learner damages their copy: grading still uses the evidence as provisioned.
: > "$workspace/access.log"
rm -rf "$XDG_STATE_HOME/infuse-lab/derived"
expect_exit 1 lab answer scanner-ip 192.0.2.1
expect_exit 0 lab answer scanner-ip "${alice_scanner//./[.]}"
expect_in "correct"

expect_exit 0 lab reset "$lab_id" --yes
expect_exit 0 lab start "$lab_id" --seed bob --quiet
[ "$(sha "$workspace/access.log")" != "$first_sha" ] || fail "a new seed gave the same log"
bob_scanner=$(derived_value scanner)
[ "$bob_scanner" != "$alice_scanner" ] || fail "a new seed gave the same answer ($bob_scanner)"
expect_exit 1 lab answer scanner-ip "$alice_scanner"
expect_exit 0 lab answer scanner-ip "$bob_scanner"
echo "ok: generated evidence ($lines lines read by goaccess; scanner $alice_scanner for alice, $bob_scanner for bob)"
