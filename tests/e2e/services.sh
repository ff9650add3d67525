# The simulated internet from a learner's seat, with the real tools: `start` runs a lab's DNS, WHOIS,
# RDAP, web, CT, passive DNS and ASN services in the background; dig, whois and curl get the
# snapshot's records; `lookup` does the same without them; a malformed packet wedges nothing; a
# killed service shows in `status` and comes back with `start`; `stop` leaves no process and no
# bound port. The lab is tests/fixtures/snapshot/net/snapshot.
source "$(dirname "$0")/lib.sh"

for tool in dig whois curl python3; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (scripts/setup.sh installs it)"
done
export INFUSE_LAB_PATH="$INFUSE_SOURCE_DIR/tests/fixtures/snapshot"
cleanup() { lab stop net/snapshot >/dev/null 2>&1 || true; rm -rf "$E2E_HOME"; }
trap cleanup EXIT

expect_exit 0 lab start net/snapshot -q
expect_in "dig @127.0.0.1 -p"
expect_in "whois -h 127.0.0.1 -p"
port_of() { lab status --json | python3 -c "import json,sys; print(next(s['port'] for s in json.load(sys.stdin)['services'] if s['kind']=='$1'))"; }
dns=$(port_of dns); whois_port=$(port_of whois); rdap=$(port_of rdap); web=$(port_of web); ct=$(port_of ct); pdns=$(port_of pdns); asn=$(port_of asn)
echo "services: dns $dns, whois $whois_port, rdap $rdap, web $web, ct $ct, pdns $pdns, asn $asn"
expect_exit 0 lab status
expect_in "-p $dns lure.example"   # the question's template rendered with the real port

d() { dig @127.0.0.1 -p "$dns" +time=3 +tries=1 "$@"; }
[ "$(d +short lure.example A)" = 203.0.113.45 ] || fail "A: $(d lure.example A)"
[ "$(d +short lure.example AAAA)" = 2001:db8::45 ] || fail "AAAA: $(d lure.example AAAA)"
[ "$(d +short lure.example MX)" = "10 mail.lure.example." ] || fail "MX: $(d lure.example MX)"
d +short _dmarc.lure.example TXT | grep -q 'v=DMARC1; p=none' || fail "DMARC TXT: $(d _dmarc.lure.example TXT)"
d +short LURE.EXAMPLE TXT | grep -q 'v=spf1' || fail "names are case-insensitive: $(d LURE.EXAMPLE TXT)"
d +short www.lure.example A | grep -q 203.0.113.45 || fail "CNAME chain: $(d www.lure.example A)"
[ "$(d +short -x 203.0.113.45)" = vps-45.hosting.example. ] || fail "PTR: $(d -x 203.0.113.45)"
d +short lure.example CAA | grep -q letsencrypt || fail "CAA: $(d lure.example CAA)"
d nope.lure.example A | grep -q 'status: NXDOMAIN' || fail "NXDOMAIN: $(d nope.lure.example A)"
out=$(d mail.lure.example TXT)
grep -q 'status: NOERROR' <<<"$out" && grep -q 'ANSWER: 0' <<<"$out" || fail "NODATA: $out"
grep -q 'flags: qr aa' <<<"$out" || fail "not authoritative: $out"
d example.com A | grep -q 'status: REFUSED' || fail "outside the zones: $(d example.com A)"
[ "$(d +tcp +short lure.example A)" = 203.0.113.45 ] || fail "TCP: $(d +tcp lure.example A)"

out=$(whois -h 127.0.0.1 -p "$whois_port" lure.example)
grep -q 'Registrar: Example Registrar, LLC' <<<"$out" || fail "whois domain: $out"
whois -h 127.0.0.1 -p "$whois_port" 203.0.113.9 | grep -q HOSTING-EXAMPLE || fail "whois IP"
whois -h 127.0.0.1 -p "$whois_port" unknown.example | grep -qi 'no match' || fail "whois unknown"

out=$(curl -s -i "http://127.0.0.1:$rdap/domain/lure.example")
grep -qi '^content-type: application/rdap+json' <<<"$out" || fail "RDAP content type: $out"
grep -q '2024-03-01T08:12:00Z' <<<"$out" || fail "RDAP domain: $out"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$rdap/domain/nope.example")" = 404 ] || fail "RDAP 404"
curl -s "http://127.0.0.1:$rdap/ip/203.0.113.9" | grep -q NET-203-0-113-0-1 || fail "RDAP ip"
curl -s "http://127.0.0.1:$rdap/autnum/64500" | grep -q HOSTING-EXAMPLE-AS || fail "RDAP autnum"

out=$(curl -s -i -H 'Host: lure.example' "http://127.0.0.1:$web/")
grep -q '^HTTP/1.1 302' <<<"$out" && grep -qi '^location: http://lure.example/signin' <<<"$out" || fail "web redirect: $out"
curl -s -H 'Host: lure.example' "http://127.0.0.1:$web/signin" | grep -q 'collect.example/post.php' || fail "web page"
curl -s "http://127.0.0.1:$ct/?q=%25.lure.example&output=json" | grep -q secure-login.lure.example || fail "CT search"
curl -s "http://127.0.0.1:$pdns/pdns/ip/203.0.113.45" | grep -q other-lure.example || fail "passive DNS by IP"
curl -s "http://127.0.0.1:$asn/asn/203.0.113.9" | grep -q 64500 || fail "ASN"

expect_exit 0 lab lookup dns lure.example
expect_in 203.0.113.45
expect_exit 0 lab lookup dns lure.example --type MX
expect_in mail.lure.example
expect_exit 1 lab lookup dns nope.lure.example
expect_in NXDOMAIN
expect_exit 0 lab lookup whois lure.example
expect_in "Example Registrar"
expect_exit 0 lab lookup rdap 203.0.113.9
expect_in NET-203-0-113-0-1
expect_exit 0 lab lookup ct %.lure.example
expect_in secure-login
expect_exit 0 lab lookup pdns 203.0.113.45
expect_in other-lure.example
expect_exit 0 lab lookup asn 203.0.113.9
expect_in HOSTING-EXAMPLE-AS

# Garbage on every port wedges nothing.
python3 - "$dns" "$whois_port" "$rdap" <<'PY'
import os, random, socket, sys
dns, whois, rdap = map(int, sys.argv[1:])
random.seed(7)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(2000):
    u.sendto(os.urandom(random.randint(0, 600)), ("127.0.0.1", dns))
for port, junk in ((dns, b"\xff\xff" + b"x" * 10), (whois, b"A" * 100000), (rdap, b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n")):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(junk)
    except OSError:
        pass
    s.close()
PY
[ "$(d +short lure.example A)" = 203.0.113.45 ] || fail "DNS wedged after garbage"
whois -h 127.0.0.1 -p "$whois_port" lure.example | grep -q 'Example Registrar' || fail "WHOIS wedged after garbage"
curl -s "http://127.0.0.1:$rdap/domain/lure.example" | grep -q registration || fail "RDAP wedged after garbage"

# A killed service process shows in status, and start brings it back.
pid=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['supervisor_pid'])" "$XDG_STATE_HOME/infuse-lab/services/net~snapshot.json")
kill -9 "$pid"
sleep 0.2
expect_exit 0 lab status
expect_in "not running"
expect_exit 0 lab start net/snapshot -q
dns=$(port_of dns)
[ "$(d +short lure.example A)" = 203.0.113.45 ] || fail "DNS did not come back after start"

# stop: no process, no bound port.
pid=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['supervisor_pid'])" "$XDG_STATE_HOME/infuse-lab/services/net~snapshot.json")
ports="$dns $(port_of whois) $(port_of rdap) $(port_of web) $(port_of ct) $(port_of pdns) $(port_of asn)"
expect_exit 0 lab stop net/snapshot
expect_in "Stopped"
# (a zombie is gone: it holds nothing; a container's init may be slow to reap it)
state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)
[ -z "$state" ] || [ "$state" = Z ] || fail "the services process $pid survived stop (state $state)"
for port in $ports; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port still answers after stop"; fi
done
expect_exit 0 lab stop net/snapshot
expect_in "Nothing running"
echo "services: ok"
