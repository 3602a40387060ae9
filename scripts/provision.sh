#!/usr/bin/env bash
# Installs the system programs plonedev's tests run for real: PostgreSQL (RelStorage),
# Varnish, git, wrk (bench/cache_load.py) and tmux (a terminal for debug's test). Idempotent and quick when everything is
# there. Needs root to install; without root it only lists what is missing (the tests
# that need it are then skipped).
set -euo pipefail

wanted=()
command -v git >/dev/null || wanted+=(git)
command -v varnishd >/dev/null || [ -x /usr/sbin/varnishd ] || wanted+=(varnish)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || wanted+=(postgresql)
command -v pg_config >/dev/null || wanted+=(libpq-dev)   # psycopg2 builds against it
command -v wrk >/dev/null || wanted+=(wrk)   # bench/cache_load.py
command -v tmux >/dev/null || wanted+=(tmux)   # plonedev debug's test: a real terminal

if [ ${#wanted[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "provision: missing ${wanted[*]}; install them (apt-get install ${wanted[*]}) to run every test" >&2
  else
    echo "provision: installing ${wanted[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${wanted[@]}" >/dev/null
  fi
fi

# A Docker engine with Compose v2, buildx and a single-node swarm, for the Compose and
# Swarm tests (skipped without it). Root only: it installs packages and starts dockerd.
if [ "$(id -u)" = 0 ] && [ "${PLONEDEV_NO_DOCKER:-}" != 1 ]; then
  "$(dirname "$0")/provision-docker.sh"
fi
