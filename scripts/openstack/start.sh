#!/usr/bin/env bash
# Start a private PostgreSQL cluster plus real cinder-api and manila-api servers
# (Debian bookworm packages: Cinder Zed 21.3, Manila Zed 15.1) on 127.0.0.1,
# then write and print "$OPENSTACK_WORKDIR/env". Unless OPENSTACK_KEYSTONE=0,
# also a real Keystone (start-keystone.sh) and a second cinder-api /
# manila-api pair behind it (auth_strategy = keystone), on the same databases.
#
# Run scripts/openstack/install.sh first. Idempotent: if everything is already
# up and healthy this only re-prints the env file.
#
# Auth of the first pair: auth_strategy = noauth. Both projects'
# NoAuthMiddleware take the X-Auth-Token header as "user:project" and build the request context with
# is_admin=True (Cinder also adds the "admin" role), whatever the user name is.
# So EVERY caller is an admin: non-admin behaviour (policy denials, Cinder's
# resource_filters.json validation for non-admins, all_tenants being ignored)
# cannot be exercised against these servers; the keystone-protected pair is
# for that (real tokens, roles and policy with enforce_new_defaults).
set -euo pipefail

LOG_PREFIX='[openstack-start]'
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root

ETC_DIR="$OPENSTACK_WORKDIR/etc"
RUN_DIR="$OPENSTACK_WORKDIR/run"
LOG_DIR="$OPENSTACK_WORKDIR/log"
ENV_FILE="$OPENSTACK_WORKDIR/env"
PG_LOG="$LOG_DIR/postgres.log"
PG_SOCK_DIR="$OPENSTACK_WORKDIR/pgsock"
START_TIMEOUT="${OPENSTACK_START_TIMEOUT:-90}"

CINDER_URL="http://127.0.0.1:$CINDER_PORT/v3/$OPENSTACK_PROJECT_ID"
MANILA_URL="http://127.0.0.1:$MANILA_PORT/v2/$OPENSTACK_PROJECT_ID"
OPENSTACK_PG_URL="postgresql://postgres@127.0.0.1:$OPENSTACK_PG_PORT"

for v in OPENSTACK_PG_PORT CINDER_PORT MANILA_PORT KEYSTONE_PORT CINDER_KEYSTONE_PORT MANILA_KEYSTONE_PORT; do
  if ! [[ "${!v}" =~ ^[0-9]+$ ]] || ((${!v} < 1 || ${!v} > 65535)); then
    die "$v must be a TCP port number: ${!v}"
  fi
done
[[ "$OPENSTACK_PROJECT_ID" =~ ^[0-9a-fA-F-]+$ ]] \
  || die "OPENSTACK_PROJECT_ID must be hex/dashes (Cinder project_id_regex): $OPENSTACK_PROJECT_ID"
for f in cinder-api-paste.ini cinder-resource_filters.json manila-api-paste.ini; do
  [[ -s "$ETC_DIR/$f" ]] || die "$ETC_DIR/$f missing: run scripts/openstack/install.sh first"
done
[[ -x "$PG_BIN/initdb" ]] || die "$PG_BIN/initdb missing: run scripts/openstack/install.sh first"
command -v psql >/dev/null || die "psql not found: run scripts/openstack/install.sh first"
[[ "$OPENSTACK_KEYSTONE" == 0 || "$OPENSTACK_KEYSTONE" == 1 ]] || die "OPENSTACK_KEYSTONE must be 0 or 1"
if [[ "$OPENSTACK_KEYSTONE" == 1 ]]; then
  command -v keystone-wsgi-public >/dev/null || die "keystone-wsgi-public missing: run scripts/openstack/install.sh first"
fi
KEYSTONE_ENV="$OPENSTACK_WORKDIR/keystone.env"

write_env() {
  cat >"$ENV_FILE.tmp" <<EOF
CINDER_URL=$CINDER_URL
MANILA_URL=$MANILA_URL
OPENSTACK_TOKEN=admin:$OPENSTACK_PROJECT_ID
OPENSTACK_PROJECT_ID=$OPENSTACK_PROJECT_ID
OPENSTACK_PG_URL=$OPENSTACK_PG_URL
EOF
  # Keystone, the keystone-protected endpoints and the test users
  # (written by keystone-setup.py).
  if [[ "$OPENSTACK_KEYSTONE" == 1 ]]; then
    cat "$KEYSTONE_ENV" >>"$ENV_FILE.tmp"
  fi
  mv -f "$ENV_FILE.tmp" "$ENV_FILE"
  cat "$ENV_FILE"
}

pg_running() {
  runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

api_healthy() { # name port
  pid_alive "$RUN_DIR/$1-api.pid" && [[ "$(http_status "http://127.0.0.1:$2/")" == 300 ]]
}

keystone_part_healthy() {
  [[ "$OPENSTACK_KEYSTONE" == 0 ]] && return 0
  [[ -s "$KEYSTONE_ENV" ]] && pid_alive "$RUN_DIR/keystone.pid" \
    && [[ "$(http_status "http://127.0.0.1:$KEYSTONE_PORT/v3")" == 200 ]] \
    && api_healthy cinder-keystone "$CINDER_KEYSTONE_PORT" && api_healthy manila-keystone "$MANILA_KEYSTONE_PORT"
}

# ---- fast path ---------------------------------------------------------------
if [[ -d "$PG_DATA" ]] && pg_running \
   && api_healthy cinder "$CINDER_PORT" && api_healthy manila "$MANILA_PORT" && keystone_part_healthy; then
  log "already running and healthy"
  write_env
  exit 0
fi

# Fail before starting anything if an API port is taken by a foreign process.
check_api_port() { # name port VARNAME
  if ! pid_alive "$RUN_DIR/$1-api.pid"; then
    port_free "$2" || die "something else is already listening on 127.0.0.1:$2 (set $3)"
  fi
}
check_api_port cinder "$CINDER_PORT" CINDER_PORT
check_api_port manila "$MANILA_PORT" MANILA_PORT
if [[ "$OPENSTACK_KEYSTONE" == 1 ]]; then
  check_api_port cinder-keystone "$CINDER_KEYSTONE_PORT" CINDER_KEYSTONE_PORT
  check_api_port manila-keystone "$MANILA_KEYSTONE_PORT" MANILA_KEYSTONE_PORT
fi

mkdir -p "$OPENSTACK_WORKDIR" "$ETC_DIR" "$RUN_DIR" "$LOG_DIR" \
  "$OPENSTACK_WORKDIR/locks" "$OPENSTACK_WORKDIR/state/cinder" "$OPENSTACK_WORKDIR/state/manila" \
  "$OPENSTACK_WORKDIR/state/cinder-keystone" "$OPENSTACK_WORKDIR/state/manila-keystone"
# The postgres user must be able to reach its data directory and write its log.
chmod 755 "$OPENSTACK_WORKDIR"
touch "$PG_LOG"
chown "$PG_USER" "$PG_LOG"

# ---- 1. PostgreSQL -----------------------------------------------------------
# PostgreSQL refuses to run as root, so the cluster belongs to "postgres".
if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
  log "initdb $PG_DATA (trust auth, owner $PG_USER)"
  rm -rf "$PG_DATA"
  install -d -o "$PG_USER" -m 700 "$PG_DATA"
  run_logged "$PG_LOG" runuser -u "$PG_USER" -- \
    "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U "$PG_USER" -E UTF8 --locale=C.UTF-8
  printf "\n# groupgraph scripts/openstack/start.sh (re)writes this file on every start\ninclude_if_exists = 'groupgraph.conf'\n" \
    >>"$PG_DATA/postgresql.conf"
fi
# Settings that depend on the environment (port, paths) go in an included file
# that is rewritten each time, so changing OPENSTACK_PG_PORT takes effect.
cat >"$PG_DATA/groupgraph.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $OPENSTACK_PG_PORT
unix_socket_directories = '$PG_SOCK_DIR'
max_connections = 200
# Throw-away test database: durability is not needed.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
chown "$PG_USER" "$PG_DATA/groupgraph.conf"
install -d -o "$PG_USER" -m 755 "$PG_SOCK_DIR"

if pg_running; then
  log "postgres already running on 127.0.0.1:$OPENSTACK_PG_PORT"
else
  # A port inside Linux's ephemeral range (32768-60999) may briefly be held by
  # a client socket; the default is below it, but OPENSTACK_PG_PORT may not be.
  port_free "$OPENSTACK_PG_PORT" \
    || die "127.0.0.1:$OPENSTACK_PG_PORT is in use by another socket (see: ss -tanp | grep :$OPENSTACK_PG_PORT); retry in a minute or set OPENSTACK_PG_PORT"
  log "starting postgres on 127.0.0.1:$OPENSTACK_PG_PORT (log: $PG_LOG)"
  if ! runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null 2>&1; then
    show_tail "$PG_LOG"
    die "postgres did not start"
  fi
fi

psql_q() { psql "$OPENSTACK_PG_URL/postgres" -v ON_ERROR_STOP=1 -qtAX "$@"; }
for db in cinder manila; do
  if [[ "$(psql_q -c "select 1 from pg_database where datname = '$db'")" == 1 ]]; then
    log "database $db exists"
  else
    log "creating database $db"
    psql_q -c "create database $db" >/dev/null || die "could not create database $db"
  fi
done

# ---- 2. Keystone, in the background ------------------------------------------
# It needs only PostgreSQL, and its keystone-manage steps take about as long
# as the db syncs below, so both run at once. The keystone-protected APIs
# start without it: keystonemiddleware first calls Keystone on a request.
KEYSTONE_JOB=""
if [[ "$OPENSTACK_KEYSTONE" == 1 ]]; then
  bash "$(dirname "${BASH_SOURCE[0]}")/start-keystone.sh" &
  KEYSTONE_JOB=$!
fi

# ---- 3. configs --------------------------------------------------------------
# keystone_conf <service user>: the sections that turn a noauth config into a
# keystone-protected one (appended after the noauth pair's settings).
keystone_conf() {
  cat <<EOF

[keystone_authtoken]
www_authenticate_uri = http://127.0.0.1:$KEYSTONE_PORT/v3
auth_url = http://127.0.0.1:$KEYSTONE_PORT/v3
auth_type = password
project_domain_id = default
user_domain_id = default
project_name = service
username = $1
password = $KEYSTONE_SERVICE_PASSWORD
region_name = RegionOne
# Without this keystonemiddleware looks for an internal identity endpoint
# (EndpointNotFound) and every request is a 500.
interface = public

# Zed ORs the old rules (admin or owner) with the new ones, so a reader could
# still write in its project. Only the new, role-based rules: reader reads,
# member writes in its project, admin (in any project) is admin.
[oslo_policy]
enforce_new_defaults = true
EOF
}

# cinder_conf <instance> <auth_strategy> <port>
cinder_conf() {
  cat <<EOF
# Written by groupgraph scripts/openstack/start.sh; rewritten on every start.
[DEFAULT]
auth_strategy = $2
transport_url = fake://
# Synchronous RPCs (e.g. group list_replication_targets) have no volume service
# to answer them and fail with a 500 after this many seconds.
rpc_response_timeout = 3
api_paste_config = $ETC_DIR/cinder-api-paste.ini
resource_query_filters_file = $ETC_DIR/cinder-resource_filters.json
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $3
osapi_volume_workers = 1
state_path = $OPENSTACK_WORKDIR/state/$1
log_file = $LOG_DIR/$1-api.log
debug = false
quota_volumes = 1000
quota_snapshots = 1000
quota_consistencygroups = 1000
quota_groups = 1000
quota_gigabytes = 100000
quota_backups = 1000
quota_backup_gigabytes = 100000

[database]
connection = postgresql+psycopg2://postgres@127.0.0.1:$OPENSTACK_PG_PORT/cinder

[oslo_concurrency]
lock_path = $OPENSTACK_WORKDIR/locks
EOF
}

# manila_conf <instance> <auth_strategy> <port>
manila_conf() {
  cat <<EOF
# Written by groupgraph scripts/openstack/start.sh; rewritten on every start.
[DEFAULT]
auth_strategy = $2
transport_url = fake://
rpc_response_timeout = 3
api_paste_config = $ETC_DIR/manila-api-paste.ini
osapi_share_listen = 127.0.0.1
osapi_share_listen_port = $3
osapi_share_workers = 1
state_path = $OPENSTACK_WORKDIR/state/$1
log_file = $LOG_DIR/$1-api.log
debug = false

[database]
connection = postgresql+psycopg2://postgres@127.0.0.1:$OPENSTACK_PG_PORT/manila

[oslo_concurrency]
lock_path = $OPENSTACK_WORKDIR/locks

# Manila's quota options live in [quota] (the quota_* names are deprecated).
[quota]
shares = 1000
snapshots = 1000
gigabytes = 100000
snapshot_gigabytes = 100000
share_networks = 1000
share_replicas = 1000
replica_gigabytes = 100000
share_groups = 1000
share_group_snapshots = 1000
EOF
}

log "writing $ETC_DIR/cinder.conf and $ETC_DIR/manila.conf"
cinder_conf cinder noauth "$CINDER_PORT" >"$ETC_DIR/cinder.conf"
manila_conf manila noauth "$MANILA_PORT" >"$ETC_DIR/manila.conf"
if [[ "$OPENSTACK_KEYSTONE" == 1 ]]; then
  # Same databases as the noauth pair: no second db sync, and the noauth pair
  # (every caller an admin) and psql can prepare fixtures under a Keystone
  # project's id that the keystone-protected pair then serves.
  log "writing $ETC_DIR/cinder-keystone.conf and $ETC_DIR/manila-keystone.conf"
  { cinder_conf cinder-keystone keystone "$CINDER_KEYSTONE_PORT"; keystone_conf cinder; } >"$ETC_DIR/cinder-keystone.conf"
  { manila_conf manila-keystone keystone "$MANILA_KEYSTONE_PORT"; keystone_conf manila; } >"$ETC_DIR/manila-keystone.conf"
fi

# ---- 4. db sync + API servers ------------------------------------------------
# Run a console entry point "<module>:main" with Debian's python (the packages
# ship no /usr/bin/cinder-api etc. without the service packages).
ENTRY_PY="import sys, importlib; m = importlib.import_module(sys.argv[1]); sys.argv = sys.argv[1:]; sys.exit(m.main())"
run_entry() { # module [args...]
  "$PY" -c "$ENTRY_PY" "$@"
}

# Poll GET / until it answers 300. Returns 1 on timeout, 2 if the process died.
wait_ready() { # name port seconds
  local name="$1" port="$2" deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    [[ "$(http_status "http://127.0.0.1:$port/")" == 300 ]] && return 0
    pid_alive "$RUN_DIR/$name-api.pid" || return 2
    sleep 0.5
  done
  return 1
}

# start_api <instance> <port> [<module> [nosync]]: the instance names the
# config, pid file and logs; the module (cinder or manila) defaults to it.
start_api() {
  local name="$1" port="$2" module="${3:-$1}" sync="${4:-sync}"
  local pidfile="$RUN_DIR/$1-api.pid" logfile="$LOG_DIR/$1-api.log" portvar="${1^^}_PORT"
  if api_healthy "$name" "$port"; then
    log "$name-api already running on 127.0.0.1:$port"
    return
  fi
  if pid_alive "$pidfile"; then
    # Possibly still starting (e.g. left over from a start.sh that timed out).
    log "$name-api (pid $(cat "$pidfile")) is running but not ready: waiting for it"
    if wait_ready "$name" "$port" "$START_TIMEOUT"; then
      log "$name-api ready (GET / -> 300)"
      return
    fi
    log "$name-api (pid $(cat "$pidfile")) still not answering: restarting it"
    kill "$(cat "$pidfile")" 2>/dev/null || true
    sleep 2
    if pid_alive "$pidfile"; then kill -KILL -- "-$(cat "$pidfile")" 2>/dev/null || true; fi
  fi
  rm -f "$pidfile"
  port_free "$port" || die "something else is already listening on 127.0.0.1:$port (set ${portvar//-/_})"

  if [[ "$sync" == sync ]]; then
    # --log-file overrides the config's log_file, keeping migrations out of the API log.
    log "$name-manage db sync (log: $LOG_DIR/$name-manage.log)"
    run_logged "$LOG_DIR/$name-manage.log" run_entry "$module.cmd.manage" \
      --config-file "$ETC_DIR/$name.conf" --log-file "$LOG_DIR/$name-manage.log" db sync
  fi

  log "starting $name-api on 127.0.0.1:$port (log: $logfile)"
  # setsid: own session (and process group), so the server outlives this
  # script and its terminal, and stop.sh can signal the whole group.
  setsid "$PY" -c "$ENTRY_PY" "$module.cmd.api" --config-file "$ETC_DIR/$name.conf" \
    </dev/null >>"$LOG_DIR/$name-api.stdout.log" 2>&1 &
  echo $! >"$pidfile"
}

# On failure the server is left as it is (a slow start may still finish); a
# re-run of start.sh waits for it again, stop.sh removes it.
wait_api() { # name port
  local name="$1" port="$2" rc=0
  wait_ready "$name" "$port" "$START_TIMEOUT" || rc=$?
  if ((rc == 0)); then
    log "$name-api ready (GET / -> 300)"
    return
  fi
  show_tail "$LOG_DIR/$name-api.stdout.log"
  show_tail "$LOG_DIR/$name-api.log"
  if ((rc == 2)); then
    die "$name-api exited during start-up"
  fi
  die "$name-api did not answer GET / with 300 within ${START_TIMEOUT}s"
}

start_api cinder "$CINDER_PORT"
start_api manila "$MANILA_PORT"
if [[ "$OPENSTACK_KEYSTONE" == 1 ]]; then
  # After the noauth pair: its db sync made the shared databases current.
  start_api cinder-keystone "$CINDER_KEYSTONE_PORT" cinder nosync
  start_api manila-keystone "$MANILA_KEYSTONE_PORT" manila nosync
fi
wait_api cinder "$CINDER_PORT"
wait_api manila "$MANILA_PORT"
if [[ "$OPENSTACK_KEYSTONE" == 1 ]]; then
  wait_api cinder-keystone "$CINDER_KEYSTONE_PORT"
  wait_api manila-keystone "$MANILA_KEYSTONE_PORT"
  wait "$KEYSTONE_JOB" || die "start-keystone.sh failed (its log lines above; logs: $LOG_DIR/keystone*.log)"

  # A bogus token must be a 401: keystonemiddleware then has logged in with
  # its service user and asked Keystone. A 500 here means its
  # [keystone_authtoken] settings are wrong (the API log says why). Also
  # saves the first test that login (about 0.5 s).
  check_authtoken() { # name url
    local status
    status="$(curl -s -o /dev/null -m 30 -w '%{http_code}' -H 'X-Auth-Token: start-sh-probe' "$2" || true)"
    if [[ "$status" != 401 ]]; then
      show_tail "$LOG_DIR/$1-api.log"
      die "$1-api answered a bogus token with $status instead of 401 (GET $2)"
    fi
  }
  check_authtoken cinder-keystone "http://127.0.0.1:$CINDER_KEYSTONE_PORT/v3/groups"
  check_authtoken manila-keystone "http://127.0.0.1:$MANILA_KEYSTONE_PORT/v2/share-groups"
  log "cinder-keystone-api and manila-keystone-api validate tokens against Keystone (bogus token -> 401)"
fi

# ---- 5. env file -------------------------------------------------------------
log "writing $ENV_FILE"
write_env
