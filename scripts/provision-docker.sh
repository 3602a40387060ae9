#!/usr/bin/env bash
# Provision a real Docker engine for plonedev's Docker tests and CI, on a Debian
# bookworm machine with no engine and no reachable image registry:
#   - Debian's docker.io (engine 20.10) + debootstrap
#   - the Compose v2 and buildx CLI plugins, taken from Debian trixie's .debs
#     (bookworm has only compose v1, which python-on-whales refuses, and no buildx;
#     the Docker CLI 28 refuses BuildKit builds — secrets, cache mounts — without buildx)
#   - dockerd in the background (no systemd here), log in /var/log/dockerd.log
#   - local/debian:bookworm, a base image made with debootstrap (nothing can be pulled)
#   - a single-node swarm on 127.0.0.1 (for `docker stack deploy` tests)
# Idempotent; run as root. A second run checks each step and returns in about 1 s.
# Then build the stand-in images with tests/images/build.sh.
set -Eeuo pipefail

STEP="start"
trap 'echo "provision-docker: FAILED at step \"$STEP\" (exit $?); see the output above${LOG_HINT:-}" >&2' ERR

PLUGINS=/usr/local/lib/docker/cli-plugins
BASE_IMAGE=local/debian:bookworm
DOCKERD_LOG=/var/log/dockerd.log

[ "$(id -u)" = 0 ] || { echo "provision-docker: must run as root (try: sudo $0)" >&2; exit 1; }

# The machine's own Debian mirror, as apt is already set up to use it (never hard-coded).
debian_mirror() {
  local m=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    m=$(grep -h '^URIs:' /etc/apt/sources.list.d/debian.sources | awk '{print $2}' | grep -v security | head -1 || true)
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(grep -hE '^deb ' /etc/apt/sources.list | grep -v security | awk '{print $2}' | head -1 || true)
  fi
  [ -n "$m" ] || { echo "provision-docker: no Debian mirror found in /etc/apt sources" >&2; return 1; }
  echo "$m"
}

# 1. Engine and debootstrap from bookworm.
STEP="apt-get install docker.io debootstrap"
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    docker.io debootstrap iptables ca-certificates
fi

# 2. CLI plugins from trixie: just the plugin binary out of each .deb, no dependencies.
STEP="compose/buildx plugins from Debian trixie"
plugin_ok() { [ -x "$PLUGINS/docker-$1" ] && docker "$1" version >/dev/null 2>&1; }
if ! plugin_ok compose || ! plugin_ok buildx; then
  mirror=$(debian_mirror)
  tmp=$(mktemp -d)
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s trixie main\n' \
    "$mirror" >"$tmp/sources.list"
  mkdir -p "$tmp/lists/partial"
  o=(-oDir::Etc::SourceList="$tmp/sources.list" -oDir::Etc::SourceParts=/dev/null
     -oDir::State::Lists="$tmp/lists" -oDebug::NoLocking=1 -oAPT::Sandbox::User=root)
  apt-get "${o[@]}" update -q >/dev/null
  (cd "$tmp" && apt-get "${o[@]}" download docker-compose docker-buildx >/dev/null)
  mkdir -p "$PLUGINS"
  for pkg in compose buildx; do
    dpkg -x "$tmp"/docker-"$pkg"_*.deb "$tmp/x-$pkg"
    install -m 0755 "$tmp/x-$pkg/usr/libexec/docker/cli-plugins/docker-$pkg" "$PLUGINS/"
  done
  rm -rf "$tmp"
  plugin_ok compose && plugin_ok buildx
fi

# 3. The daemon (no systemd here). A stale pid file from a dead dockerd blocks a restart.
#    DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1: swarm tasks use the local image instead of
#    first trying (and failing) to pull it from a registry that cannot be reached.
STEP="start dockerd"
if docker info >/dev/null 2>&1 && [ -r /var/run/docker.pid ] \
    && ! tr '\0' '\n' <"/proc/$(cat /var/run/docker.pid)/environ" 2>/dev/null \
      | grep -qx DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1; then
  echo "provision-docker: note: the running dockerd lacks DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1;" \
    "swarm tasks will try to pull images first (restart dockerd through this script to fix)" >&2
fi
if ! docker info >/dev/null 2>&1; then
  LOG_HINT=" and $DOCKERD_LOG"
  for pidfile in /var/run/docker.pid /run/containerd/containerd.pid; do
    if [ -f "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
  done
  (DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &)
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.25; done
  docker info >/dev/null 2>&1 || { tail -n 20 "$DOCKERD_LOG" >&2; false; }
  LOG_HINT=""
fi

# 4. The base image every stand-in image builds FROM (about 30-60 s once).
STEP="debootstrap $BASE_IMAGE"
if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  mirror=$(debian_mirror)
  root=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
  # Same shape as the official debian image: no package cache, no lists, bash as CMD.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import \
    --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
fi

# 5. Single-node swarm on loopback (a half-joined node is reset first).
STEP="docker swarm init"
state=$(docker info --format '{{.Swarm.LocalNodeState}}')
if [ "$state" != active ]; then
  [ "$state" = inactive ] || docker swarm leave --force >/dev/null 2>&1 || true
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi

STEP="report versions"
echo "docker engine $(docker version --format '{{.Server.Version}}') (API $(docker version --format '{{.Server.APIVersion}}')), CLI $(docker version --format '{{.Client.Version}}')"
docker compose version
echo "buildx $(docker buildx version | awk '{print $2}')"
echo "swarm $(docker info --format '{{.Swarm.LocalNodeState}}'); base image $BASE_IMAGE"
