#!/usr/bin/env bash
# Entrypoint of plonedev-test/postgres: the environment contract of the official
# postgres image, written for Debian's postgresql-15.
#   first start (empty PGDATA): initdb with POSTGRES_USER and POSTGRES_PASSWORD,
#   "host all all all <auth>" in pg_hba.conf, create POSTGRES_DB, run
#   /docker-entrypoint-initdb.d/*.sql|*.sql.gz|*.sh against a socket-only server;
#   then exec postgres (as the postgres user) in the foreground.
set -Eeo pipefail

# VAR or VAR_FILE (Docker/Swarm secrets), never both.
file_env() {
  local var=$1 file_var="${1}_FILE" default=${2:-}
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then
    echo "error: both $var and $file_var are set; set only one" >&2
    exit 1
  fi
  local value=$default
  if [ -n "${!var:-}" ]; then value=${!var}; elif [ -n "${!file_var:-}" ]; then value=$(<"${!file_var}"); fi
  export "$var=$value"
  unset "$file_var"
}

setup_env() {
  : "${PGDATA:=/var/lib/postgresql/data}"
  export PGDATA
  file_env POSTGRES_PASSWORD
  file_env POSTGRES_USER postgres
  file_env POSTGRES_DB "$POSTGRES_USER"
  file_env POSTGRES_INITDB_ARGS
  : "${POSTGRES_HOST_AUTH_METHOD:=}"
}

# Run psql as the superuser over the local socket.
run_sql() {
  PGHOST='' PGHOSTADDR='' psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password \
    --no-psqlrc "$@"
}

initialize() {
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    echo "error: the database is uninitialized and POSTGRES_PASSWORD is not set;" \
      "set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust, not recommended)" >&2
    exit 1
  fi
  # initdb refuses an empty password file: always end it with a newline.
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of words on purpose
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    $POSTGRES_INITDB_ARGS

  local auth=$POSTGRES_HOST_AUTH_METHOD
  [ -n "$auth" ] || auth=$(postgres -C password_encryption)
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

  export PGPASSWORD=${PGPASSWORD:-$POSTGRES_PASSWORD}
  # A server that only listens on the socket while the scripts run.
  PGUSER=${PGUSER:-$POSTGRES_USER} pg_ctl -D "$PGDATA" \
    -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start

  if [ -z "$(run_sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only \
      <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")" ]; then
    run_sql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi

  local f
  for f in /docker-entrypoint-initdb.d/*; do
    [ -e "$f" ] || continue
    case "$f" in
      *.sh)
        echo "$0: running $f"
        # shellcheck disable=SC1090  # init scripts are the user's
        if [ -x "$f" ]; then "$f"; else . "$f"; fi
        ;;
      *.sql) echo "$0: running $f"; run_sql --dbname "$POSTGRES_DB" -f "$f" ;;
      *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | run_sql --dbname "$POSTGRES_DB" ;;
      *) echo "$0: ignoring $f" ;;
    esac
  done

  PGUSER=${PGUSER:-postgres} pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  echo "PostgreSQL init process complete; ready for start up."
}

# postgres --version, --help and friends print and exit: no setup for them.
wants_info() {
  local arg
  for arg; do
    case "$arg" in -'?' | --help | --describe-config | -V | --version) return 0 ;; esac
  done
  return 1
}

main() {
  # A first argument that looks like a flag is a postgres option.
  if [ "${1:0:1}" = - ]; then set -- postgres "$@"; fi

  if [ "$1" = postgres ] && ! wants_info "$@"; then
    setup_env
    if [ "$(id -u)" = 0 ]; then
      # As root: make the directories, hand them to postgres, start again as postgres.
      mkdir -p "$PGDATA" /var/run/postgresql
      chmod 700 "$PGDATA" || :
      chmod 3777 /var/run/postgresql || :
      find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres: '{}' +
      exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
    fi
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      initialize
    else
      echo "PostgreSQL database directory appears to contain a database; skipping initialization"
    fi
  fi
  exec "$@"
}

main "$@"
