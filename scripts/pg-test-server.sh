#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and benches: initdb into a private directory, listen on
# 127.0.0.1 on a free port (the unix socket goes to the same private directory, so nothing needs
# /var/run/postgresql), trust auth on loopback only.
#
#   scripts/pg-test-server.sh start    # prints postgres://postgres@127.0.0.1:PORT/hindsight_test
#   scripts/pg-test-server.sh url      # prints the URL of the running server
#   scripts/pg-test-server.sh stop     # stops it and deletes its data
#   scripts/pg-test-server.sh install  # (root) apt-get install Debian's postgresql
#   scripts/pg-test-server.sh down [fast|immediate]  # stops the server, keeping its data (fault tests)
#   scripts/pg-test-server.sh up       # starts it again on the same port and data
#
# State lives in $HINDSIGHT_PG_DIR (default /tmp/hindsight-pg-$(id -u)). As root (CI), the server
# runs as an unprivileged OS user ($HINDSIGHT_PG_USER, default hindsight-pg, created if missing),
# because postgres refuses to run as root. Only the URL goes to stdout; progress goes to stderr.
set -euo pipefail

STATE_DIR="${HINDSIGHT_PG_DIR:-/tmp/hindsight-pg-$(id -u)}"
PG_USER="${HINDSIGHT_PG_USER:-hindsight-pg}"
DB_NAME="hindsight_test"

log() { echo "pg-test-server: $*" >&2; }

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/initdb" ]]; then echo "$dir"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  return 1
}

install_postgres() {
  if [[ "$(id -u)" != 0 ]]; then
    log "installing postgresql needs root: sudo apt-get install postgresql"; exit 1
  fi
  # Debian's postinst would create and start a default cluster on port 5432; we never use it.
  if [[ ! -e /etc/postgresql-common/createcluster.conf ]]; then
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
  fi
  log "apt-get update + install postgresql"
  local apt_log
  apt_log="$(mktemp /tmp/hindsight-apt.XXXXXX.log)"
  # Quiet on success; the whole apt output on failure.
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; } >"$apt_log" 2>&1 </dev/null; then
    cat "$apt_log" >&2; rm -f "$apt_log"; log "apt-get failed"; exit 1
  fi
  rm -f "$apt_log"
}

# Runs a command as the server's OS user (only differs from the caller when the caller is root).
as_pg_user() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

is_running() {
  [[ -f "$STATE_DIR/url" && -f "$STATE_DIR/data/postmaster.pid" ]] && as_pg_user "$BIN/pg_ctl" -D "$STATE_DIR/data" status >/dev/null 2>&1
}

start() {
  if ! BIN="$(pg_bindir)"; then
    install_postgres
    BIN="$(pg_bindir)" || { log "postgresql installed but initdb not found"; exit 1; }
  fi
  if is_running; then cat "$STATE_DIR/url"; return; fi
  rm -rf "$STATE_DIR"
  mkdir -p "$STATE_DIR"
  if [[ "$(id -u)" == 0 ]]; then
    id -u "$PG_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
    chown "$PG_USER" "$STATE_DIR"
  fi
  chmod 700 "$STATE_DIR"
  log "initdb in $STATE_DIR/data ($("$BIN/postgres" --version))"
  as_pg_user "$BIN/initdb" -D "$STATE_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$STATE_DIR/initdb.log" 2>&1 \
    || { cat "$STATE_DIR/initdb.log" >&2; exit 1; }
  local port attempt
  for attempt in 1 2 3; do
    port="$(free_port)"
    if pg_start "$port"; then
      break
    fi
    log "start on port $port failed (attempt $attempt)"; tail -n 5 "$STATE_DIR/server.log" >&2 || true
    [[ "$attempt" == 3 ]] && exit 1
  done
  echo "$port" > "$STATE_DIR/port"
  as_pg_user "$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME"
  local url="postgres://postgres@127.0.0.1:$port/$DB_NAME"
  echo "$url" > "$STATE_DIR/url"
  chmod 644 "$STATE_DIR/url"
  log "ready: $url"
  echo "$url"
}

pg_start() {
  as_pg_user "$BIN/pg_ctl" -D "$STATE_DIR/data" -l "$STATE_DIR/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $1 -c unix_socket_directories=$STATE_DIR -c max_connections=200" start >&2
}

# Stop without deleting anything: fast = roll back open transactions and disconnect (a clean
# restart); immediate = quit at once, crash recovery on the next start (like a crashed server).
down() {
  BIN="$(pg_bindir)" || { log "postgresql not installed"; exit 1; }
  local mode="${1:-fast}"
  [[ "$mode" == fast || "$mode" == immediate ]] || { log "down: expected fast or immediate, got $mode"; exit 2; }
  as_pg_user "$BIN/pg_ctl" -D "$STATE_DIR/data" -m "$mode" -w stop >&2
}

up() {
  BIN="$(pg_bindir)" || { log "postgresql not installed"; exit 1; }
  [[ -f "$STATE_DIR/port" ]] || { log "up: no server was started in $STATE_DIR"; exit 1; }
  pg_start "$(cat "$STATE_DIR/port")"
}

stop() {
  BIN="$(pg_bindir)" || return 0
  if [[ -f "$STATE_DIR/data/postmaster.pid" ]]; then
    as_pg_user "$BIN/pg_ctl" -D "$STATE_DIR/data" -m fast -w stop >&2 || true
  fi
  rm -rf "$STATE_DIR"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) BIN="$(pg_bindir)"; is_running && cat "$STATE_DIR/url" || { log "not running"; exit 1; } ;;
  install) install_postgres ;;
  down) down "${2:-fast}" ;;
  up) up ;;
  *) echo "usage: $0 start|stop|url|install|down [fast|immediate]|up" >&2; exit 2 ;;
esac
