# A container lab from a learner's seat (web/security-headers): start builds and runs the site in a
# container published on 127.0.0.1, curl reads its headers, the learner edits site/headers.conf the
# way an editor does (write a new file, rename it over the old one), check grades the running site,
# stop removes the container.
#
# Needs docker (or podman). With no engine, the test is skipped (exit 0 with a SKIP line) unless
# INFUSE_REQUIRE_CONTAINERS is set, as in CI, where a missing engine is a failure.
source "$(dirname "$0")/lib.sh"

lab_id=web/security-headers
export INFUSE_LAB_HOME="$E2E_HOME/workspaces"
workspace="$INFUSE_LAB_HOME/$lab_id"

# --- which engine -------------------------------------------------------------------------------
engine=${INFUSE_CONTAINER_ENGINE:-}
if [ -z "$engine" ]; then
    if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
        engine=docker
    elif command -v podman >/dev/null 2>&1 && timeout 20 podman info >/dev/null 2>&1; then
        engine=podman
    fi
fi
if [ -z "$engine" ]; then
    if [ -n "${INFUSE_REQUIRE_CONTAINERS:-}" ]; then
        fail "no container engine answers (INFUSE_REQUIRE_CONTAINERS is set): run scripts/container-engine.sh"
    fi
    echo "SKIP: no container engine (docker or podman); run scripts/container-engine.sh, or set INFUSE_REQUIRE_CONTAINERS=1 to make this a failure"
    exit 0
fi
eng() { "$engine" "$@"; }

# The lab's image starts FROM the local base image; build it if this machine has none yet.
if ! eng image inspect infuse-lab/base:1 >/dev/null 2>&1; then
    INFUSE_CONTAINER_ENGINE=$engine "$INFUSE_SOURCE_DIR/scripts/base-image.sh" || fail "could not build infuse-lab/base:1"
fi

lab_containers() { eng ps -aq --no-trunc --filter "label=infuse-lab.lab=$lab_id" | sort; }

# Remove only what this test started, even when it fails half-way: a learner's own run of the same
# lab on this machine must survive the test suite.
before=$(lab_containers)
ours=""
cleanup() {
    # shellcheck disable=SC2086
    [ -z "$ours" ] || eng rm -f $ours >/dev/null 2>&1 || true
    rm -rf "$E2E_HOME"
}
trap cleanup EXIT

# --- start: build, run, wait until the site answers ---------------------------------------------
started_at=$(date +%s%N)
expect_exit 0 lab start "$lab_id" --seed e2e
start_ms=$(( ($(date +%s%N) - started_at) / 1000000 ))
ours=$(comm -13 <(echo "$before") <(lab_containers) | tr '\n' ' ')
[ -n "${ours// /}" ] || fail "start created no container labelled infuse-lab.lab=$lab_id. Output:
$OUT"
address=$(grep -oE '127\.0\.0\.1:[0-9]+' <<<"$OUT" | head -n1 || true)
[ -n "$address" ] || fail "start did not print the site's address (127.0.0.1:<port>). Output:
$OUT"
echo "started $lab_id in ${start_ms} ms, site at $address"

[ -f "$workspace/site/headers.conf" ] || fail "site/headers.conf not provisioned in $workspace"

# The container is confined as the lab format promises.
for id in $ours; do
    [ "$(eng inspect --format '{{.State.Running}}' "$id")" = true ] || fail "container $id is not running"
    [ "$(eng inspect --format '{{index .Config.Labels "infuse-lab"}}' "$id")" = 1 ] || fail "container $id lacks the infuse-lab=1 label"
    eng inspect --format '{{.HostConfig.CapDrop}}' "$id" | grep -qi all || fail "container $id keeps its capabilities"
    eng inspect --format '{{.HostConfig.SecurityOpt}}' "$id" | grep -q no-new-privileges || fail "container $id lacks no-new-privileges"
    [ "$(eng inspect --format '{{.HostConfig.Memory}}' "$id")" = 268435456 ] || fail "container $id has no 256 MiB memory limit"
    bindings=$(eng port "$id")
    if grep -vE '127\.0\.0\.1:[0-9]+$' <<<"$bindings" | grep -q .; then
        fail "container $id publishes ports beyond 127.0.0.1: $bindings"
    fi
    [ "$(eng exec "$id" id -u)" != 0 ] || fail "the web server of container $id runs as root"
done

# Right after start the site answers (start waits for the port).
headers=$(curl -sS -I --max-time 5 "http://$address/") || fail "curl could not reach http://$address/"
grep -q '^HTTP/1\.[01] 200' <<<"$headers" || fail "the site did not answer 200: $headers"
grep -qi '^Server: ExampleHTTPd/2\.2\.15' <<<"$headers" || fail "Server banner missing: $headers"
grep -qi '^X-Powered-By: PHP/5\.4\.1' <<<"$headers" || fail "X-Powered-By missing: $headers"
grep -qi '^Access-Control-Allow-Origin: \*' <<<"$headers" || fail "permissive CORS header missing: $headers"
curl -sS --max-time 5 "http://$address/" | grep -q 'Riverside Community Radio' || fail "the page has no body"

# --- answer questions need no container, checks do ----------------------------------------------
expect_exit 0 lab answer leaked-version "ExampleHTTPd/2.2.15"
expect_in "correct"
expect_exit 1 lab answer leaked-runtime "ExampleHTTPd/2.2.15"
expect_in "Server header"

expect_exit 1 lab check "$lab_id"
expect_in "hsts"
expect_in "no-leaks"

# --- harden the headers the way an editor saves: a new file renamed over the old one ------------
# (a single-file bind mount would keep showing the old file; the lab mounts the folder site/)
cp "$INFUSE_SOURCE_DIR/labs/$lab_id/data/headers.short-hsts.conf" "$workspace/site/.headers.conf.swp"
mv "$workspace/site/.headers.conf.swp" "$workspace/site/headers.conf"
headers=$(curl -sS -I --max-time 5 "http://$address/")
grep -qi '^Strict-Transport-Security: max-age=86400' <<<"$headers" || fail "the edit of headers.conf did not show live: $headers"
grep -qi '^Server:' <<<"$headers" && fail "Server still sent after the edit: $headers"
expect_exit 1 lab check "$lab_id"    # one day of HSTS is not a year
expect_in "hsts"

cp "$INFUSE_SOURCE_DIR/labs/$lab_id/data/headers.fixed.conf" "$workspace/site/.headers.conf.new"
mv "$workspace/site/.headers.conf.new" "$workspace/site/headers.conf"
headers=$(curl -sS -I --max-time 5 "http://$address/")
grep -qi '^Strict-Transport-Security: max-age=63072000' <<<"$headers" || fail "fixed headers not served: $headers"
grep -qi '^X-Content-Type-Options: nosniff' <<<"$headers" || fail "nosniff not served: $headers"
grep -qiE '^(X-Powered-By|Access-Control-Allow-Origin):' <<<"$headers" && fail "leaky headers still served: $headers"
expect_exit 0 lab check "$lab_id"

# --- stop removes the lab's containers ----------------------------------------------------------
expect_exit 0 lab stop "$lab_id"
[ -z "$(lab_containers)" ] || fail "containers of $lab_id still there after stop: $(lab_containers)"
ours=""
if curl -s -o /dev/null --max-time 3 "http://$address/"; then
    fail "the site still answers at $address after stop"
fi
expect_exit 0 lab stop "$lab_id"     # stopping twice is fine

echo "containers: ok (start took ${start_ms} ms)"
