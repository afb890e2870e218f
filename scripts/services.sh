#!/usr/bin/env bash
# Development and CI services for Sargs: Elasticsearch, PostgreSQL and Redis on 127.0.0.1.
#
#   scripts/services.sh start [postgres|redis|elasticsearch ...]   start what is not answering (all by default)
#   scripts/services.sh stop                                       stop what this script started (nothing else)
#   scripts/services.sh status                                     one line per service; exit 1 if one is down
#   scripts/services.sh es-start | es-stop | es-status             Elasticsearch only
#   scripts/services.sh es-kill                                    SIGKILL Elasticsearch, keep its data (fault tests)
#   scripts/services.sh es-reset                                   stop Elasticsearch and delete its data
#
# Elasticsearch is fetched once (Maven Central, cached in ~/.m2) and runs from ${SARGS_SERVICES_DIR:-<repo>/.services}.
# PostgreSQL and Redis are the machine's own: they are started only when they do not answer.
set -euo pipefail

# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/elasticsearch.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/elasticsearch.sh"

PG_HOST=127.0.0.1
PG_PORT="${SARGS_PG_PORT:-5432}"
REDIS_PORT="${SARGS_REDIS_PORT:-6379}"

pg_up() { pg_isready -h "$PG_HOST" -p "$PG_PORT" -q; }
pg_cluster() { ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1; }

pg_start() {
  command -v pg_isready >/dev/null || die "pg_isready not found: install postgresql (apt-get install -y postgresql)"
  if pg_up; then say "postgres already answering on $PG_HOST:$PG_PORT"; else
    command -v pg_ctlcluster >/dev/null && [ -n "$(pg_cluster)" ] \
      || die "postgres is not answering on $PG_HOST:$PG_PORT and no Debian cluster is installed to start"
    say "starting postgres cluster $(pg_cluster)/main"
    pg_ctlcluster --skip-systemctl-redirect "$(pg_cluster)" main start 9>&-
    mark_started postgres
    wait_until 30 pg_up || die "postgres did not answer within 30s"
  fi
  # Tests connect to database `test` as user postgres (core/testing/services.ts).
  if ! psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
    psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -qc 'CREATE DATABASE test' && say "created database test"
  fi
}

pg_stop() {
  if started_by_us postgres; then
    pg_ctlcluster --skip-systemctl-redirect "$(pg_cluster)" main stop && say "postgres stopped"
    unmark_started postgres
  fi
}

redis_up() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

redis_start() {
  command -v redis-cli >/dev/null || die "redis-cli not found: install redis (apt-get install -y redis-server)"
  if redis_up; then say "redis already answering on 127.0.0.1:$REDIS_PORT"; return 0; fi
  command -v redis-server >/dev/null || die "redis is not answering and redis-server is not installed"
  say "starting redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log 9>&-
  mark_started redis
  wait_until 15 redis_up || die "redis did not answer within 15s"
}

redis_stop() {
  if started_by_us redis; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    say "redis stopped"
    unmark_started redis
  fi
}

start_all() {
  local wanted=("$@")
  [ ${#wanted[@]} -gt 0 ] || wanted=(postgres redis elasticsearch)
  local s
  for s in "${wanted[@]}"; do
    case "$s" in
      postgres) pg_start ;;
      redis) redis_start ;;
      elasticsearch | es) es_start ;;
      *) die "unknown service: $s" ;;
    esac
  done
}

stop_all() {
  es_stop
  redis_stop
  pg_stop
}

status_all() {
  local rc=0
  if pg_up 2>/dev/null; then echo "postgres: up ($PG_HOST:$PG_PORT)"; else echo "postgres: down"; rc=1; fi
  if redis_up; then echo "redis: up (127.0.0.1:$REDIS_PORT)"; else echo "redis: down"; rc=1; fi
  es_status || rc=1
  return "$rc"
}

cmd="${1:-help}"
[ $# -gt 0 ] && shift
# One command at a time per services folder: fault tests may call es-kill/es-start while another test run starts.
if [ "$cmd" != help ] && command -v flock >/dev/null; then
  mkdir -p "$SERVICES_DIR"
  exec 9>"$SERVICES_DIR/.lock"
  flock -w 300 9 || die "another scripts/services.sh holds $SERVICES_DIR/.lock"
fi
case "$cmd" in
  start) start_all "$@" ;;
  stop) stop_all ;;
  status) status_all ;;
  es-start) es_start ;;
  es-stop) es_stop ;;
  es-kill) es_kill ;;
  es-status) es_status ;;
  es-reset) es_reset ;;
  help | -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command: $cmd (try: $0 help)" ;;
esac
