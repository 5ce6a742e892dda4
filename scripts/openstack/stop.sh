#!/usr/bin/env bash
# Stop the cinder-api / manila-api servers and the private PostgreSQL cluster
# started by scripts/openstack/start.sh. Safe to run when already stopped.
# Data (databases, configs, logs) stays in $OPENSTACK_WORKDIR; delete that
# directory for a clean slate.
set -euo pipefail

LOG_PREFIX='[openstack-stop]'
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root

RUN_DIR="$OPENSTACK_WORKDIR/run"

stop_api() { # name
  local name="$1" pidfile="$RUN_DIR/$1-api.pid" pid i
  if ! pid_alive "$pidfile"; then
    log "$name-api not running"
    rm -f "$pidfile"
    return
  fi
  pid="$(cat "$pidfile")"
  log "stopping $name-api (pid $pid)"
  # SIGTERM to the oslo.service parent also stops its worker process.
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name-api did not exit after 10s: SIGKILL to its process group"
    # start.sh runs each server under setsid, so its pid is its process group.
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

stop_api cinder
stop_api manila

if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
  log "no postgres cluster in $PG_DATA"
elif runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
  log "stopping postgres ($PG_DATA)"
  runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null \
    || die "pg_ctl stop failed (see $OPENSTACK_WORKDIR/log/postgres.log)"
else
  log "postgres not running"
fi

log "stopped"
