# The three bundled labs from a learner's seat: listed, started, answered right, defanged and wrong,
# with the right verdicts and points; status shows them; reset clears them.
source "$(dirname "$0")/lib.sh"

expect_exit 0 lab list
expect_in "headers/first-external-hop"
expect_in "logs/wp-login-bruteforce"
expect_in "infra/lookalike-domain"
expect_not_in "definition errors"

# Headers: the answer is drawn from the learner's seed, so read it from the provisioned evidence.
expect_exit 0 lab start headers/first-external-hop --seed e2e
workspace="$HOME/infuse-lab/headers/first-external-hop"
[ -f "$workspace/message.eml" ] || fail "message.eml not provisioned"
origin=$(grep -A1 '^Received: from' "$workspace/message.eml" | grep -o '203\.0\.113\.[0-9]*' | head -1)
[ -n "$origin" ] || fail "no 203.0.113.x hop in the message"
expect_exit 1 lab answer origin-ip 198.51.100.25
expect_in "not right"
expect_exit 0 lab answer origin-ip "${origin//./[.]}"
expect_in "+10 points"
expect_exit 0 lab answer spf softfail
expect_exit 1 lab answer spf pass
expect_in "already solved"
expect_exit 0 lab status --json
solved=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["progress"]["solved"])' <<<"$OUT")
[ "$solved" = 2 ] || fail "status --json says $solved solved, expected 2: $OUT"

# Logs: generated data, answers worked out with grep and awk as the hints teach.
expect_exit 0 lab start logs/wp-login-bruteforce
log="$HOME/infuse-lab/logs/wp-login-bruteforce/access.log"
attacker=$(grep 'POST /wp-login.php' "$log" | awk '{print $1}' | sort | uniq -c | sort -rn | head -1 | awk '{print $2}')
failed=$(grep "^$attacker " "$log" | grep -c 'POST /wp-login.php HTTP/1.1" 200')
expect_exit 0 lab answer attacker-ip "$attacker"
expect_exit 0 lab answer failed-logins "$failed"
expect_exit 1 lab answer failed-logins "$((failed + 1))"

# Infra: defanged domain answers from the evidence.
expect_exit 0 lab start infra/lookalike-domain --seed e2e
domain=$(grep -i '^Domain Name:' "$HOME/infuse-lab/infra/lookalike-domain/whois.txt" | head -1 | awk '{print $3}')
[ -n "$domain" ] || fail "no Domain Name in whois.txt"
expect_exit 0 lab answer lookalike "${domain//./[.]}"
expect_exit 1 lab answer lookalike example-bank.test

expect_exit 0 lab reset --yes headers/first-external-hop
expect_exit 0 lab list
grep -F "headers/first-external-hop" <<<"$OUT" | grep -q "not started" || fail "reset did not clear progress: $OUT"
echo "bundled labs: ok"
