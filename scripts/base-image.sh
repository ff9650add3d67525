#!/usr/bin/env bash
# Builds infuse-lab's registry-free base image, `infuse-lab/base:1`, for container labs.
#
# The image is a minimal root filesystem around Debian's busybox-static: /bin/busybox and a
# symlink for each of its applets (sh, httpd, wget, nc ...), /etc/passwd and /etc/group with
# root, www (uid 1000) and nobody (65534), /tmp, /var/www. It is imported with
# `docker import` (or `podman import`), so no registry or network is needed beyond the Debian
# package itself.
#
#   scripts/base-image.sh            build unless the image already exists
#   scripts/base-image.sh --force    rebuild
#
# The engine is docker when its daemon answers, else podman; INFUSE_CONTAINER_ENGINE forces one.
set -euo pipefail

image=infuse-lab/base:1
force=0
for arg in "$@"; do
    case $arg in
        --force) force=1 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "base-image: unknown option '$arg' (known: --force)" >&2; exit 2 ;;
    esac
done

say() { echo "base-image: $*"; }
die() { echo "base-image: error: $*" >&2; exit 1; }

sudo_cmd=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); fi

# --- which engine -----------------------------------------------------------------------------
engine=${INFUSE_CONTAINER_ENGINE:-}
if [ -z "$engine" ]; then
    if command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; then
        engine=docker
    elif command -v podman >/dev/null 2>&1; then
        engine=podman
    else
        die "no container engine answers: run scripts/container-engine.sh first"
    fi
fi
case $engine in docker|podman) ;; *) die "INFUSE_CONTAINER_ENGINE must be docker or podman, not '$engine'" ;; esac
command -v "$engine" >/dev/null 2>&1 || die "$engine is not installed: run scripts/container-engine.sh"

if [ "$force" = 0 ] && "$engine" image inspect "$image" >/dev/null 2>&1; then
    say "$image already exists ($engine); nothing to do (--force rebuilds it)"
    exit 0
fi

# --- busybox-static ---------------------------------------------------------------------------
busybox=/bin/busybox
if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed"; then
    command -v apt-get >/dev/null 2>&1 || die "busybox-static is missing and there is no apt-get"
    say "installing busybox-static with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq || die "apt-get update failed"
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends busybox-static >/dev/null \
        || die "apt-get install busybox-static failed"
fi
[ -x "$busybox" ] || busybox=$(dpkg -L busybox-static | grep -E '/busybox$' | head -n1)
[ -x "$busybox" ] || die "busybox-static is installed but its binary was not found"
# A dynamically linked busybox would not run in an empty root filesystem.
if command -v file >/dev/null 2>&1 && ! file -L "$busybox" | grep -q 'statically linked'; then
    die "$busybox is not statically linked (is busybox, not busybox-static, installed?)"
fi

# --- the root filesystem ----------------------------------------------------------------------
rootfs=$(mktemp -d "${TMPDIR:-/tmp}/infuse-base-XXXXXX")
trap 'rm -rf "$rootfs"' EXIT
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,var/www,var/www/cgi-bin,root,home/www,dev,proc,sys,run}
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/root"
install -m 0755 "$busybox" "$rootfs/bin/busybox"

count=0
while IFS= read -r applet; do
    [ -n "$applet" ] || continue
    applet=${applet#/}
    case $applet in */*) ;; *) applet=bin/$applet ;; esac   # plain --list: everything in /bin
    [ "$applet" = bin/busybox ] && continue
    [ -e "$rootfs/$applet" ] && continue
    mkdir -p "$rootfs/$(dirname "$applet")"
    ln -s /bin/busybox "$rootfs/$applet"
    count=$((count + 1))
done < <("$busybox" --list-full 2>/dev/null || "$busybox" --list)

cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
www:x:1000:1000:web server:/home/www:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
www:x:1000:
nogroup:x:65534:
EOF
chmod 644 "$rootfs/etc/passwd" "$rootfs/etc/group"
: >"$rootfs/etc/shadow"; chmod 600 "$rootfs/etc/shadow"
echo "infuse-lab" >"$rootfs/etc/hostname"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
chown 1000:1000 "$rootfs/home/www"
printf 'infuse-lab/base:1 (busybox %s)\n' "$("$busybox" | head -n1 | awk '{print $2}')" >"$rootfs/etc/infuse-base"

say "importing $image into $engine ($count applets)"
"$engine" image rm -f "$image" >/dev/null 2>&1 || true
tar --numeric-owner -C "$rootfs" -c . | "$engine" import \
    --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
    --message "infuse-lab base image (busybox-static)" - "$image" >/dev/null \
    || die "$engine import failed"
size=$("$engine" image inspect --format '{{.Size}}' "$image" 2>/dev/null || echo '?')
say "built $image ($size bytes)"
