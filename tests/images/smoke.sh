#!/usr/bin/env bash
# Smoke test of the provisioned engine and the stand-in images, end to end:
#   postgres  - POSTGRES_USER/PASSWORD/DB, psql from another container over the network
#               with the password (and a wrong one refused)
#   varnish   - a tiny VCL in front of a python http.server; varnishreload picks up a change
#   python    - a build FROM the image pip-installs from PyPI through the "ca" build secret
#   node      - node, npm, pnpm versions; npm reaches the registry with NODE_EXTRA_CA_CERTS
#   compose   - `docker compose up --wait` of two services (a build with secrets and a cache
#               mount, a postgres with a health check), then down -v
#   stack     - `docker stack deploy` on the single-node swarm (host-mode port, dnsrr), a
#               postgres password from a swarm secret, a rolling update
# Everything it starts is removed at the end, pass or fail. Prints one line per check.
#   tests/images/smoke.sh [postgres varnish python node compose stack]
set -Eeuo pipefail

CA=${PLONEDEV_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
P=plonedev-smoke
work=$(mktemp -d)
failed=0

cleanup() {
  docker stack rm "$P" >/dev/null 2>&1 || true
  [ -f "$work/compose/compose.yaml" ] \
    && docker compose -p "$P" -f "$work/compose/compose.yaml" down -v --remove-orphans >/dev/null 2>&1
  docker ps -aq --filter "label=$P" | xargs -r docker rm -fv >/dev/null 2>&1 || true
  docker network rm "$P-net" >/dev/null 2>&1 || true
  docker image rm "$P/python-pip" "$P/compose-web" >/dev/null 2>&1 || true
  # The stack's containers and network go away a little after `stack rm`.
  for _ in $(seq 1 80); do
    docker network inspect "${P}_default" >/dev/null 2>&1 \
      || [ -n "$(docker ps -aq --filter "label=com.docker.stack.namespace=$P")" ] || break
    sleep 0.25
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "smoke: command failed at line $LINENO" >&2' ERR

ok() { echo "ok    $1"; }
fail() { echo "FAIL  $1" >&2; failed=1; }
# expect WHAT WHY-IF-NOT CMD...: ok WHAT when CMD succeeds, else fail with WHY-IF-NOT.
expect() {
  local what=$1 why=$2; shift 2
  if "$@" >/dev/null 2>&1; then ok "$what"; else fail "${what%%:*}: $why"; fi
}
# wait_for SECONDS CMD...: retry CMD every 0.25 s until it succeeds.
wait_for() {
  local n=$(($1 * 4)); shift
  for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done
  return 1
}
run() { docker run -d --label "$P" --network "$P-net" "$@"; }

check_postgres() {
  run --name "$P-pg" -e POSTGRES_USER=plone -e POSTGRES_PASSWORD=s3cret \
    -e POSTGRES_DB=plonedb plonedev-test/postgres:15 >/dev/null
  # TCP, not the socket: the init-time server listens on the socket only.
  if ! wait_for 30 docker exec "$P-pg" pg_isready -h 127.0.0.1 -U plone -d plonedb; then
    fail "postgres: not ready in 30 s"; docker logs "$P-pg" 2>&1 | tail -5 >&2; return
  fi
  local out
  out=$(docker run --rm --network "$P-net" -e PGPASSWORD=s3cret plonedev-test/postgres:15 \
    psql -h "$P-pg" -U plone -d plonedb -tAc 'select current_user, current_database()' 2>&1)
  expect "postgres: psql over the network with the password" "psql answered '$out'" \
    [ "$out" = "plone|plonedb" ]
  if docker run --rm --network "$P-net" -e PGPASSWORD=wrong plonedev-test/postgres:15 \
      psql -h "$P-pg" -U plone -d plonedb -tAc 'select 1' >/dev/null 2>&1; then
    fail "postgres: a wrong password was accepted"
  else
    ok "postgres: a wrong password is refused"
  fi
  local t0=$SECONDS
  docker stop "$P-pg" >/dev/null
  expect "postgres: docker stop exits 0 at once" "unclean or slow stop" \
    test "$(docker inspect -f '{{.State.ExitCode}}' "$P-pg")" = 0 -a $((SECONDS - t0)) -lt 5
}

check_varnish() {
  mkdir -p "$work/vcl"
  cat >"$work/vcl/default.vcl" <<EOF
vcl 4.1;
backend default { .host = "$P-web"; .port = "8000"; }
sub vcl_deliver { set resp.http.X-Smoke = "one"; }
EOF
  run --name "$P-web" plonedev-test/python:3.11 python -m http.server 8000 >/dev/null
  # Mount the folder, not the file: editors (and sed -i) replace the file, and a
  # single-file bind mount keeps showing the old one.
  run --name "$P-varnish" -p 127.0.0.1::80 -v "$work/vcl:/etc/varnish:ro" \
    -e VARNISH_SIZE=32M plonedev-test/varnish:7 >/dev/null
  local port
  port=$(docker port "$P-varnish" 80/tcp | head -1 | awk -F: '{print $NF}')
  if ! wait_for 20 curl -sf "http://127.0.0.1:$port/"; then
    fail "varnish: no answer on port $port"; docker logs "$P-varnish" 2>&1 | tail -5 >&2; return
  fi
  expect "varnish: serves through the VCL (port $port)" "VCL header missing" \
    sh -c "curl -sI http://127.0.0.1:$port/ | grep -qi '^x-smoke: one'"
  sed -i 's/"one"/"two"/' "$work/vcl/default.vcl"
  docker exec "$P-varnish" varnishreload >/dev/null
  expect "varnish: varnishreload applies a changed VCL" "reload not applied" \
    sh -c "curl -sI http://127.0.0.1:$port/ | grep -qi '^x-smoke: two'"
}

check_python() {
  mkdir -p "$work/py"
  cat >"$work/py/Dockerfile" <<'EOF'
FROM plonedev-test/python:3.11
RUN --mount=type=secret,id=ca PIP_CERT=/run/secrets/ca pip install --no-cache-dir six
RUN python -c "import six; print(six.__version__)"
EOF
  if docker buildx build -q --secret "id=ca,src=$CA" -t "$P/python-pip" "$work/py" >/dev/null 2>&1; then
    ok "python: pip install from PyPI through the ca build secret"
  else
    fail "python: pip install through the ca secret failed"
  fi
  local v
  v=$(docker run --rm plonedev-test/python:3.11 python -c 'import sys; print(sys.version[:4])')
  expect "python: python is 3.11" "python is '$v'" [ "$v" = "3.11" ]
}

check_node() {
  local v
  v=$(docker run --rm plonedev-test/node:22 sh -c 'node --version; npm --version; pnpm --version' |
    tr '\n' ' ')
  case "$v" in v22.*) ok "node: node/npm/pnpm $v" ;; *) fail "node: versions '$v'" ;; esac
  if docker run --rm -v "$CA:/run/secrets/ca:ro" -e NODE_EXTRA_CA_CERTS=/run/secrets/ca \
      plonedev-test/node:22 npm view pnpm@10 version >/dev/null 2>&1; then
    ok "node: npm reaches the registry with NODE_EXTRA_CA_CERTS"
  else
    fail "node: npm cannot reach the registry"
  fi
}

check_compose() {
  mkdir -p "$work/compose"
  cat >"$work/compose/Dockerfile" <<'EOF'
FROM plonedev-test/python:3.11
RUN --mount=type=secret,id=ca --mount=type=cache,target=/root/.cache/pip \
    PIP_CERT=/run/secrets/ca pip install six
CMD ["python", "-m", "http.server", "8000"]
EOF
  cat >"$work/compose/compose.yaml" <<'EOF'
services:
  web:
    build:
      context: .
      secrets: [ca]
    image: plonedev-smoke/compose-web
    ports: ["127.0.0.1::8000"]
    depends_on:
      db: {condition: service_healthy}
    healthcheck:
      test: ["CMD", "python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/')"]
      interval: 1s
      retries: 30
  db:
    image: plonedev-test/postgres:15
    environment: {POSTGRES_USER: plone, POSTGRES_PASSWORD: s3cret, POSTGRES_DB: plone}
    healthcheck:
      test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "plone", "-d", "plone"]
      interval: 1s
      retries: 30
secrets:
  ca:
    file: ${CA_BUNDLE}
EOF
  local t0=$SECONDS
  if CA_BUNDLE=$CA docker compose -p "$P" -f "$work/compose/compose.yaml" up -d --build --wait \
      >"$work/compose.log" 2>&1; then
    ok "compose: up --build --wait of web + db ($((SECONDS - t0)) s)"
  else
    fail "compose: up failed"; tail -n 15 "$work/compose.log" >&2; return
  fi
  local port
  port=$(docker compose -p "$P" -f "$work/compose/compose.yaml" port web 8000 | awk -F: '{print $NF}')
  expect "compose: web answers on port $port" "web does not answer" \
    curl -sf "http://127.0.0.1:$port/"
  expect "compose: web reaches db by service name" "web cannot reach db" \
    docker compose -p "$P" -f "$work/compose/compose.yaml" exec -T web \
    python -c "import socket; socket.create_connection(('db', 5432), 2)"
  expect "compose: down -v" "down failed" \
    env CA_BUNDLE="$CA" docker compose -p "$P" -f "$work/compose/compose.yaml" down -v
}

check_stack() {
  [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = active ] \
    || { fail "stack: the swarm is not active (run scripts/provision-docker.sh)"; return; }
  local port=18781
  # This kernel has no IPVS: the ingress routing mesh and service VIPs do not work
  # here. Publish in host mode and resolve services by DNS round robin (dnsrr).
  cat >"$work/stack.yml" <<EOF
version: "3.8"
services:
  web:
    image: plonedev-test/python:3.11
    command: ["python", "-m", "http.server", "8000"]
    deploy:
      endpoint_mode: dnsrr
      update_config: {order: start-first, parallelism: 1}
  varnish:
    image: plonedev-test/varnish:7
    environment: {VARNISH_BACKEND_HOST: web, VARNISH_BACKEND_PORT: "8000"}
    ports:
      - {target: 80, published: $port, protocol: tcp, mode: host}
    deploy:
      endpoint_mode: dnsrr
  db:
    image: plonedev-test/postgres:15
    environment: {POSTGRES_PASSWORD_FILE: /run/secrets/pg_password}
    secrets: [pg_password]
    deploy:
      endpoint_mode: dnsrr
secrets:
  pg_password:
    file: $work/pg_password
EOF
  echo s3cret >"$work/pg_password"
  # A network of a stack removed moments ago may still be going away.
  wait_for 30 sh -c "! docker network inspect ${P}_default" || true
  if ! docker stack deploy --resolve-image never -c "$work/stack.yml" "$P" >"$work/stack.log" 2>&1; then
    fail "stack: deploy failed"; cat "$work/stack.log" >&2; return
  fi
  if wait_for 60 curl -sf "http://127.0.0.1:$port/"; then
    ok "stack: deployed; varnish -> web answers on host port $port"
  else
    fail "stack: no answer on port $port"; docker stack ps "$P" --no-trunc >&2
  fi
  if docker service update --detach=false --force "${P}_web" >/dev/null 2>&1; then
    ok "stack: rolling update (start-first) of web converged"
  else
    fail "stack: rolling update of web did not converge"
  fi
  wait_for 30 sh -c "docker ps -q --filter label=com.docker.swarm.service.name=${P}_db | grep -q ." || true
  local db
  db=$(docker ps -q --filter "label=com.docker.swarm.service.name=${P}_db" | head -1)
  if [ -n "$db" ] && wait_for 30 docker exec "$db" pg_isready -h 127.0.0.1 -U postgres; then
    ok "stack: postgres with POSTGRES_PASSWORD_FILE from a swarm secret is ready"
  else
    fail "stack: postgres not ready"
  fi
  docker stack rm "$P" >/dev/null && ok "stack: rm"
}

docker info >/dev/null 2>&1 || { echo "smoke: no Docker engine; run scripts/provision-docker.sh" >&2; exit 1; }
docker network create "$P-net" >/dev/null
checks=("$@")
[ ${#checks[@]} -gt 0 ] || checks=(postgres varnish python node compose stack)
for c in "${checks[@]}"; do "check_$c"; done
if [ "$failed" = 0 ]; then echo "smoke: all checks passed"; else echo "smoke: some checks FAILED" >&2; exit 1; fi
