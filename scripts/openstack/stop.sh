#!/usr/bin/env bash
# Stop the cinder-api / manila-api servers (noauth and keystone-protected),
# Keystone and the private PostgreSQL cluster started by
# scripts/openstack/start.sh. Safe to run when already stopped.
# Data (databases, configs, logs) stays in $OPENSTACK_WORKDIR; delete that
# directory for a clean slate.
set -euo pipefail

LOG_PREFIX='[openstack-stop]'
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root

RUN_DIR="$OPENSTACK_WORKDIR/run"

# Servers by pid file name (run/<name>.pid). Whatever OPENSTACK_KEYSTONE says
# now: a pid file left by an earlier start.sh is stopped too.
SERVERS=(cinder-keystone-api manila-keystone-api keystone cinder-api manila-api)

# SIGTERM to all first, then wait for each: they stop in parallel.
# SIGTERM to the oslo.service parent also stops its worker process.
declare -A PIDS=()
for name in "${SERVERS[@]}"; do
  pidfile="$RUN_DIR/$name.pid"
  if ! pid_alive "$pidfile"; then
    log "$name not running"
    rm -f "$pidfile"
    continue
  fi
  PIDS[$name]="$(cat "$pidfile")"
  log "stopping $name (pid ${PIDS[$name]})"
  kill -TERM "${PIDS[$name]}" 2>/dev/null || true
done
deadline=$((SECONDS + 10))
for name in "${!PIDS[@]}"; do
  pid="${PIDS[$name]}"
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.25
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not exit after 10s: SIGKILL to its process group"
    # start.sh runs each server under setsid, so its pid is its process group.
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/$name.pid"
done

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
