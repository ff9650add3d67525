#!/usr/bin/env bash
# Makes sure a container engine is ready for infuse-lab's container labs, on Debian/Ubuntu.
# Idempotent: does nothing when a docker daemon answers (or podman is installed).
#
#   1. docker answers `docker info`            -> nothing to do
#   2. podman is installed (and no docker)     -> nothing to do (infuse-lab uses podman)
#   3. otherwise: install docker.io (apt) if dockerd is missing, then start the daemon:
#      `systemctl start docker` on systemd hosts, else `dockerd` in the background
#      (log: /var/log/infuse-dockerd.log), and wait up to 30 s for `docker info`.
#
# Note: a docker CLI alone (e.g. /usr/local/bin/docker) is not an engine: the daemon, dockerd,
# comes from the docker.io package.
#
# Runs as root, or through sudo when available. Exit status: 0 ready, 1 could not make it ready.
set -euo pipefail

say() { echo "container-engine: $*"; }
die() { echo "container-engine: error: $*" >&2; exit 1; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo_cmd=(sudo)
    fi
fi
as_root() {
    if [ "$(id -u)" -ne 0 ] && [ ${#sudo_cmd[@]} -eq 0 ]; then
        die "need root to run '$*' (run this script as root, or install sudo)"
    fi
    "${sudo_cmd[@]}" "$@"
}

docker_answers() {
    command -v docker >/dev/null 2>&1 || return 1
    # As a non-root user not in the docker group, ask through sudo as well.
    timeout 10 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1 && return 0
    [ ${#sudo_cmd[@]} -gt 0 ] && timeout 10 sudo -n docker info --format '{{.ServerVersion}}' >/dev/null 2>&1 && return 0
    return 1
}

if docker_answers; then
    say "docker is ready (server $(docker info --format '{{.ServerVersion}}' 2>/dev/null || echo '?')); nothing to do"
    exit 0
fi

if [ "${INFUSE_CONTAINER_ENGINE:-}" != docker ] && command -v podman >/dev/null 2>&1 && ! command -v dockerd >/dev/null 2>&1; then
    say "podman is installed ($(podman --version 2>/dev/null || echo '?')); infuse-lab will use it; nothing to do"
    exit 0
fi

# --- install the daemon -----------------------------------------------------------------------
if ! command -v dockerd >/dev/null 2>&1 && [ ! -x /usr/sbin/dockerd ] && [ ! -x /usr/bin/dockerd ]; then
    command -v apt-get >/dev/null 2>&1 || die "no docker daemon and no apt-get: install docker (dockerd) or podman by hand"
    say "installing docker.io (the docker daemon) with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq || die "apt-get update failed"
    as_root apt-get install -y -qq --no-install-recommends docker.io >/dev/null || die "apt-get install docker.io failed"
    say "installed docker.io"
else
    say "dockerd is installed"
fi
hash -r
command -v docker >/dev/null 2>&1 || die "docker.io installed but no 'docker' command on PATH"
dockerd_bin=$(command -v dockerd 2>/dev/null || echo /usr/sbin/dockerd)

# --- start the daemon -------------------------------------------------------------------------
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    say "starting docker with systemctl"
    as_root systemctl start docker || die "systemctl start docker failed (see: journalctl -u docker)"
else
    if pgrep -x dockerd >/dev/null 2>&1; then
        say "dockerd is already running; waiting for it to answer"
    else
        say "starting dockerd in the background (log: /var/log/infuse-dockerd.log)"
        # A stale pid file from a killed daemon makes dockerd refuse to start.
        if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid 2>/dev/null)" 2>/dev/null; then
            as_root rm -f /var/run/docker.pid
        fi
        as_root sh -c "nohup '$dockerd_bin' >/var/log/infuse-dockerd.log 2>&1 </dev/null &"
    fi
fi

for _ in $(seq 1 60); do
    if docker_answers; then
        say "docker is ready (server $(docker info --format '{{.ServerVersion}}' 2>/dev/null || echo '?'))"
        if [ "$(id -u)" -ne 0 ] && ! docker info >/dev/null 2>&1; then
            say "note: your user cannot reach the daemon yet; add it to the docker group: sudo usermod -aG docker $USER (then log in again)"
        fi
        exit 0
    fi
    sleep 0.5
done
tail -n 20 /var/log/infuse-dockerd.log 2>/dev/null >&2 || true
die "the docker daemon did not answer within 30 s (log: /var/log/infuse-dockerd.log)"
