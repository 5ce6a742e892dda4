#!/usr/bin/env bash
# Start a real Keystone (Debian bookworm python3-keystone, Zed 22.0) on
# 127.0.0.1:$KEYSTONE_PORT and fill it with the test identities and catalog
# (keystone-setup.py), writing the KEY=value lines to
# "$OPENSTACK_WORKDIR/keystone.env".
#
# Called by start.sh once its PostgreSQL cluster runs; not meant to be run on
# its own. Idempotent: a running, answering Keystone is left alone, and the
# database steps (db_sync, fernet_setup, credential_setup, bootstrap) are
# skipped when a stamp says they were done for the same package version,
# port and admin password.
#
# Keystone is served by keystone-wsgi-public's built-in server (Python's
# wsgiref: one request at a time, each answer closes its connection; it prints
# a "for testing only" banner), run through keystone-serve.py, which only
# raises its listen backlog from 5 to 1024 (see there why).
set -euo pipefail

LOG_PREFIX='[openstack-keystone]'
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ETC_DIR="$OPENSTACK_WORKDIR/etc"
RUN_DIR="$OPENSTACK_WORKDIR/run"
LOG_DIR="$OPENSTACK_WORKDIR/log"
STATE_DIR="$OPENSTACK_WORKDIR/state/keystone"
CONF="$ETC_DIR/keystone.conf"
PIDFILE="$RUN_DIR/keystone.pid"
LOGFILE="$LOG_DIR/keystone.log"
STDOUT_LOG="$LOG_DIR/keystone.stdout.log"
MANAGE_LOG="$LOG_DIR/keystone-manage.log"
STAMP="$STATE_DIR/bootstrapped"
START_TIMEOUT="${OPENSTACK_START_TIMEOUT:-90}"
KEYSTONE_URL="http://127.0.0.1:$KEYSTONE_PORT/v3"
OPENSTACK_PG_URL="postgresql://postgres@127.0.0.1:$OPENSTACK_PG_PORT"

for v in KEYSTONE_PORT CINDER_KEYSTONE_PORT MANILA_KEYSTONE_PORT; do
  if ! [[ "${!v}" =~ ^[0-9]+$ ]] || ((${!v} < 1 || ${!v} > 65535)); then
    die "$v must be a TCP port number: ${!v}"
  fi
done
command -v keystone-manage >/dev/null && command -v keystone-wsgi-public >/dev/null \
  || die "keystone-manage / keystone-wsgi-public missing: run scripts/openstack/install.sh first"

mkdir -p "$ETC_DIR" "$RUN_DIR" "$LOG_DIR" "$STATE_DIR"

keystone_healthy() {
  pid_alive "$PIDFILE" && [[ "$(http_status "$KEYSTONE_URL")" == 200 ]]
}

if keystone_healthy; then
  log "keystone already running on 127.0.0.1:$KEYSTONE_PORT"
else
  if pid_alive "$PIDFILE"; then
    log "keystone (pid $(cat "$PIDFILE")) is running but not answering: restarting it"
    kill "$(cat "$PIDFILE")" 2>/dev/null || true
    sleep 1
    if pid_alive "$PIDFILE"; then kill -KILL -- "-$(cat "$PIDFILE")" 2>/dev/null || true; fi
  fi
  rm -f "$PIDFILE"
  port_free "$KEYSTONE_PORT" || die "something else is already listening on 127.0.0.1:$KEYSTONE_PORT (set KEYSTONE_PORT)"

  # ---- 1. database and config ------------------------------------------------
  psql_q() { psql "$OPENSTACK_PG_URL/postgres" -v ON_ERROR_STOP=1 -qtAX "$@"; }
  if [[ "$(psql_q -c "select 1 from pg_database where datname = 'keystone'")" != 1 ]]; then
    log "creating database keystone"
    psql_q -c "create database keystone" >/dev/null || die "could not create database keystone"
    rm -f "$STAMP"
  fi

  log "writing $CONF"
  cat >"$CONF" <<EOF
# Written by groupgraph scripts/openstack/start-keystone.sh; rewritten on every start.
[DEFAULT]
log_file = $LOGFILE
debug = false

[database]
connection = postgresql+psycopg2://postgres@127.0.0.1:$OPENSTACK_PG_PORT/keystone

[token]
provider = fernet

[fernet_tokens]
key_repository = $STATE_DIR/fernet-keys

[credential]
key_repository = $STATE_DIR/credential-keys

# Auth receipts (MFA). Without this, fernet_setup also creates the default
# /etc/keystone/fernet-keys/; the same directory as the tokens' is allowed.
[fernet_receipts]
key_repository = $STATE_DIR/fernet-keys

# In-process cache (one process, so always coherent): token validation takes
# about 15 ms instead of 60-100 ms.
[cache]
enabled = true
backend = dogpile.cache.memory

[identity]
# bcrypt's cheapest setting (default 12): every password login hashes once,
# and tests log in often. Throw-away loopback server.
password_hash_rounds = 4
EOF

  # ---- 2. db_sync, keys, bootstrap (skipped when already done) ---------------
  want_stamp="$(dpkg-query -W -f='${Version}' python3-keystone) port=$KEYSTONE_PORT admin=$(printf %s "$KEYSTONE_ADMIN_PASSWORD" | sha256sum | cut -c1-16)"
  if [[ -s "$STAMP" && "$(cat "$STAMP")" == "$want_stamp" \
        && -s "$STATE_DIR/fernet-keys/0" && -s "$STATE_DIR/credential-keys/0" ]]; then
    log "keystone database already bootstrapped ($want_stamp)"
  else
    manage() { run_logged "$MANAGE_LOG" keystone-manage --config-file "$CONF" --log-file "$MANAGE_LOG" "$@"; }
    # The key setups only write files, so they run beside db_sync (each
    # keystone-manage spends about 3 s importing Keystone). They may print
    # eventlet AttributeError tracebacks at exit and still succeed; they do
    # nothing when the repository already has keys.
    log "keystone-manage db_sync, fernet_setup, credential_setup (log: $MANAGE_LOG)"
    manage fernet_setup --keystone-user root --keystone-group root &
    fernet_job=$!
    manage credential_setup --keystone-user root --keystone-group root &
    credential_job=$!
    manage db_sync
    wait "$fernet_job" && wait "$credential_job" || die "fernet_setup or credential_setup failed"
    [[ -s "$STATE_DIR/fernet-keys/0" && -s "$STATE_DIR/credential-keys/0" ]] \
      || { show_tail "$MANAGE_LOG"; die "fernet or credential keys were not created"; }
    log "keystone-manage bootstrap (region RegionOne, public URL $KEYSTONE_URL/)"
    # Public endpoint only, like every service in this catalog (the APIs'
    # keystonemiddleware is set to interface = public).
    manage bootstrap --bootstrap-password "$KEYSTONE_ADMIN_PASSWORD" \
      --bootstrap-public-url "$KEYSTONE_URL/" \
      --bootstrap-region-id RegionOne
    printf '%s\n' "$want_stamp" >"$STAMP"
  fi

  # ---- 3. keystone-wsgi-public -----------------------------------------------
  log "starting keystone-wsgi-public (keystone-serve.py) on 127.0.0.1:$KEYSTONE_PORT (log: $LOGFILE, requests: $STDOUT_LOG)"
  # setsid: own session and process group, as start.sh does for the APIs.
  OS_KEYSTONE_CONFIG_FILES="$CONF" setsid "$PY" "$HERE/keystone-serve.py" --host 127.0.0.1 --port "$KEYSTONE_PORT" \
    </dev/null >>"$STDOUT_LOG" 2>&1 &
  echo $! >"$PIDFILE"

  deadline=$((SECONDS + START_TIMEOUT))
  until [[ "$(http_status "$KEYSTONE_URL")" == 200 ]]; do
    if ! pid_alive "$PIDFILE"; then
      show_tail "$STDOUT_LOG"; show_tail "$LOGFILE"
      die "keystone exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      show_tail "$STDOUT_LOG"; show_tail "$LOGFILE"
      die "keystone did not answer GET $KEYSTONE_URL with 200 within ${START_TIMEOUT}s"
    fi
    sleep 0.3
  done
  log "keystone ready (GET /v3 -> 200)"
fi

# ---- 4. projects, users, roles, catalog --------------------------------------
KEYSTONE_URL="$KEYSTONE_URL" \
KEYSTONE_ADMIN_PASSWORD="$KEYSTONE_ADMIN_PASSWORD" \
KEYSTONE_SERVICE_PASSWORD="$KEYSTONE_SERVICE_PASSWORD" \
CINDER_KEYSTONE_ENDPOINT="http://127.0.0.1:$CINDER_KEYSTONE_PORT/v3/%(project_id)s" \
MANILA_KEYSTONE_ENDPOINT="http://127.0.0.1:$MANILA_KEYSTONE_PORT/v2/%(project_id)s" \
KEYSTONE_ENV_OUT="$OPENSTACK_WORKDIR/keystone.env" \
  "$PY" "$HERE/keystone-setup.py"
log "identities and catalog ready ($OPENSTACK_WORKDIR/keystone.env)"
