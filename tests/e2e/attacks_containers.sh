# A lab's container tries to get out (issue 12). The fixture tests/fixtures/attacks/state-container-escape
# runs as root in its container and declares a VOLUME. From inside the running container:
#   - no route and no interface but loopback; a listener on a non-loopback address of this machine
#     (and on the docker bridge's gateway, when there is one) is never reached;
#   - the root file system cannot be written, the VOLUME is a small tmpfs, not the host's disk;
#   - no capabilities at all (CapEff, CapPrm and CapBnd 0), no-new-privileges;
#   - the engine holds its memory and pids limits, no published port, and no mount but the workspace;
# and from the learner's seat the site still answers on 127.0.0.1 (the runner forwards to it), and
# `stop` leaves no container and no forwarder. Only addresses of this machine are ever contacted.
#
# Needs docker (or podman); skipped without one unless INFUSE_REQUIRE_CONTAINERS is set.
source "$(dirname "$0")/lib.sh"

fixture="$INFUSE_SOURCE_DIR/tests/fixtures/attacks/state-container-escape"
lab_id=attacks/state-container-escape
export INFUSE_LAB_HOME="$E2E_HOME/workspaces"

engine=${INFUSE_CONTAINER_ENGINE:-}
if [ -z "$engine" ]; then
    if command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1; then
        engine=docker
    elif command -v podman >/dev/null 2>&1 && timeout 20 podman info >/dev/null 2>&1; then
        engine=podman
    fi
fi
if [ -z "$engine" ]; then
    [ -z "${INFUSE_REQUIRE_CONTAINERS:-}" ] || fail "no container engine answers (INFUSE_REQUIRE_CONTAINERS is set)"
    echo "SKIP: no container engine (docker or podman)"
    exit 0
fi
eng() { "$engine" "$@"; }
if ! eng image inspect infuse-lab/base:1 >/dev/null 2>&1; then
    INFUSE_CONTAINER_ENGINE=$engine "$INFUSE_SOURCE_DIR/scripts/base-image.sh" || fail "could not build infuse-lab/base:1"
fi

lab_containers() { eng ps -aq --no-trunc --filter "label=infuse-lab.lab=$lab_id" | sort; }
listener=""
cleanup() {
    lab stop "$lab_id" >/dev/null 2>&1 || true
    [ -z "$listener" ] || kill "$listener" 2>/dev/null || true
    rm -rf "$E2E_HOME"
}
trap cleanup EXIT

# A listener on this machine's own non-loopback addresses (never an address elsewhere).
host_addresses=$(ip -4 -o addr show | awk '{print $4}' | cut -d/ -f1 | grep -v '^127\.' || true)
[ -n "$host_addresses" ] || echo "note: this machine has no non-loopback IPv4 address; only routes are checked"
accepted="$E2E_HOME/accepted.log"
: >"$accepted"
python3 - "$accepted" >"$E2E_HOME/listener.out" 2>&1 <<'PY' &
import socket, sys
log = sys.argv[1]
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("0.0.0.0", 0))
server.listen(16)
print(server.getsockname()[1], flush=True)
while True:
    connection, peer = server.accept()
    with open(log, "a") as out:
        out.write(f"{peer}\n")
    connection.close()
PY
listener=$!
for _ in $(seq 1 100); do [ -s "$E2E_HOME/listener.out" ] && break; sleep 0.1; done
port=$(head -n1 "$E2E_HOME/listener.out")
[ -n "$port" ] || fail "the host-side listener did not start"
# The listener works from the host itself (so a failure from inside means something).
for address in $host_addresses; do
    python3 -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 3).close()" "$address" "$port" ||
        fail "the host-side listener is not reachable from the host at $address:$port"
done
sleep 0.5
seen_from_host=$(wc -l <"$accepted")

# --- start ------------------------------------------------------------------------------------
before=$(lab_containers)
expect_exit 0 lab start "$fixture" -q
id=$(comm -13 <(echo "$before") <(lab_containers) | head -n1)
[ -n "$id" ] || fail "start created no container. Output:
$OUT"
address=$(lab status "$lab_id" | grep -oE '127\.0\.0\.1:[0-9]+' | head -n1 || true)
[ -n "$address" ] || fail "status shows no address for the container's port"
curl -sS --max-time 20 "http://$address/index.html" | grep -q "hello from the box" ||
    fail "the site does not answer through the forwarder at $address"
inside() { eng exec "$id" sh -c "$1" 2>&1; }

# --- no way off the machine -------------------------------------------------------------------
routes=$(inside 'ip route; ip -6 route 2>/dev/null' || true)
[ -z "$(grep -v '^$' <<<"$routes" || true)" ] || fail "the container has routes:
$routes"
interfaces=$(inside "ip -o link | awk -F': ' '{print \$2}'")
[ "$(echo "$interfaces" | tr -d ' ')" = lo ] || fail "the container has interfaces beyond loopback: $interfaces"
targets="$host_addresses"
gateway=$(eng network inspect bridge --format '{{range .IPAM.Config}}{{.Gateway}}{{end}}' 2>/dev/null || true)
[ -z "$gateway" ] || targets="$targets $gateway"
for address in $targets; do
    if inside "echo x | nc -w 2 $address $port" >/dev/null; then
        fail "the container reached $address:$port on this machine"
    fi
done
sleep 0.5
[ "$(wc -l <"$accepted")" = "$seen_from_host" ] || fail "the host-side listener accepted a connection from the container:
$(cat "$accepted")"

# --- read-only root, tmpfs for the VOLUME ------------------------------------------------------
for path in /etc/owned /bin/owned /srv/site/owned /owned; do
    if inside "echo x > $path" >/dev/null; then fail "the container could write $path"; fi
done
inside 'echo x > /tmp/ok' >/dev/null || fail "/tmp is not writable in the container"
inside 'grep " /data " /proc/mounts' | grep -q '^tmpfs ' || fail "the image's VOLUME /data is not a tmpfs:
$(inside 'cat /proc/mounts')"
[ -z "$(eng inspect --format '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}' "$id")" ] ||
    fail "the container has a volume on the host's disk"

# --- no capabilities, no new privileges --------------------------------------------------------
status=$(inside 'cat /proc/self/status')
for field in CapEff CapPrm CapBnd; do
    grep -qE "^$field:[[:space:]]+0+$" <<<"$status" || fail "$field is not 0 in the container: $(grep "^$field" <<<"$status")"
done
grep -qE '^NoNewPrivs:[[:space:]]+1$' <<<"$status" || fail "no-new-privileges is not set"
[ "$(inside 'id -u')" = 0 ] || fail "the fixture was meant to run as root in its container"

# --- limits, mounts, network as the engine holds them -----------------------------------------
[ "$(eng inspect --format '{{.HostConfig.Memory}}' "$id")" = 268435456 ] || fail "memory limit: $(eng inspect --format '{{.HostConfig.Memory}}' "$id")"
[ "$(eng inspect --format '{{.HostConfig.PidsLimit}}' "$id")" = 128 ] || fail "pids limit: $(eng inspect --format '{{.HostConfig.PidsLimit}}' "$id")"
[ "$(eng inspect --format '{{.HostConfig.ReadonlyRootfs}}' "$id")" = true ] || fail "the root file system is writable"
[ "$(eng inspect --format '{{.HostConfig.NetworkMode}}' "$id")" = none ] || fail "network mode: $(eng inspect --format '{{.HostConfig.NetworkMode}}' "$id")"
[ -z "$(eng port "$id")" ] || fail "the container publishes ports: $(eng port "$id")"
binds=$(eng inspect --format '{{range .Mounts}}{{if eq .Type "bind"}}{{.Source}}{{"\n"}}{{end}}{{end}}' "$id" | grep -v '^$' || true)
while read -r source; do
    [ -z "$source" ] || case $source in
        "$INFUSE_LAB_HOME"/*) ;;
        *) fail "a host path outside the workspace is mounted: $source" ;;
    esac
done <<<"$binds"
[ -n "$binds" ] || fail "the workspace's site/ is not mounted"

# A learner who trusts the lab raises a limit; the lab cannot.
expect_exit 0 lab stop "$lab_id"
INFUSE_LIMIT_CONTAINER_MEMORY=300M INFUSE_LIMIT_CONTAINER_PIDS=64 lab start "$fixture" -q >/dev/null
id=$(lab_containers | head -n1)
[ "$(eng inspect --format '{{.HostConfig.Memory}}' "$id")" = 314572800 ] || fail "container-memory was not raised"
[ "$(eng inspect --format '{{.HostConfig.PidsLimit}}' "$id")" = 64 ] || fail "container-pids was not set"
address=$(lab status "$lab_id" | grep -oE '127\.0\.0\.1:[0-9]+' | head -n1)

# --- stop: no container, no forwarder ---------------------------------------------------------
expect_exit 0 lab stop "$lab_id"
[ -z "$(lab_containers)" ] || fail "containers left after stop: $(lab_containers)"
host_port=${address##*:}
closed=""
for _ in $(seq 1 100); do
    if ! python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1).close()" "$host_port" 2>/dev/null; then
        closed=yes; break
    fi
    sleep 0.1
done
[ -n "$closed" ] || fail "the forwarder of $address still listens after stop"

echo "attacks_containers: ok"
