#!/usr/bin/env bash
# Installs what infuse-lab needs on a fresh Debian/Ubuntu machine (only what is missing),
# then configures and builds it. Idempotent: a second run installs nothing and rebuilds
# incrementally.
#
#   scripts/setup.sh            install + build (Release)
#   BUILD_DIR=... BUILD_TYPE=... scripts/setup.sh
#   INFUSE_SKIP_CONTAINERS=1    do not install or start docker (container labs will not start)
#   INFUSE_DEV=1                also install clang and its runtimes (fuzzing, sanitizers)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$here/build}
build_type=${BUILD_TYPE:-RelWithDebInfo}

packages=(
  build-essential cmake ninja-build pkg-config git clang-format clang-tidy
  libyaml-cpp-dev nlohmann-json3-dev libpugixml-dev libcurl4-openssl-dev
  libboost-dev libboost-filesystem-dev
  catch2 libcli11-dev libfmt-dev libsqlite3-dev libre2-dev libssl-dev libexpected-dev libldns-dev
  libgmime-3.0-dev libgumbo-dev zlib1g-dev libzstd-dev libbz2-dev
  bubblewrap sqlite3 dnsutils whois curl python3 procps dnsmasq-base goaccess time zstd bzip2 gzip
)
# INFUSE_DEV=1 (CI sets it): also what the fuzzers and the sanitizer build need (docs/fuzzing.md).
if [ "${INFUSE_DEV:-0}" = 1 ]; then packages+=(clang libclang-rt-dev llvm); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "infuse-lab setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "infuse-lab setup: all packages present"
fi

# Container labs need docker (or podman) and the registry-free base image. A machine where they
# cannot be had still gets every other lab: container labs then say what is missing (exit 3).
if [ "${INFUSE_SKIP_CONTAINERS:-}" != 1 ]; then
  if "$here/scripts/container-engine.sh" && "$here/scripts/base-image.sh"; then
    :
  elif [ -n "${INFUSE_REQUIRE_CONTAINERS:-}" ]; then
    echo "infuse-lab setup: error: no container engine (INFUSE_REQUIRE_CONTAINERS is set)" >&2
    exit 1
  else
    echo "infuse-lab setup: warning: no container engine; labs with containers will not start" >&2
  fi
fi

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$here" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE="$build_type"
cmake --build "$build_dir" -j "$(nproc)"
echo "infuse-lab setup: built $build_dir/infuse-lab"
