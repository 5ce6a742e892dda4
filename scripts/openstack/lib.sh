# shellcheck shell=bash
# Shared helpers for scripts/openstack/*.sh. Sourced, never executed.

OPENSTACK_WORKDIR="${OPENSTACK_WORKDIR:-/tmp/groupgraph-openstack}"
# Below Linux's ephemeral range (32768-60999), so no client socket can be holding it.
OPENSTACK_PG_PORT="${OPENSTACK_PG_PORT:-15432}"
CINDER_PORT="${CINDER_PORT:-18776}"
MANILA_PORT="${MANILA_PORT:-18786}"
# Project id used in URLs and in the noauth token. Cinder's project_id_regex
# only accepts hex and dashes, so this must stay hex.
OPENSTACK_PROJECT_ID="${OPENSTACK_PROJECT_ID:-8a1f2c3d4e5f40718293a4b5c6d7e8f9}"

# Real Keystone and a second, keystone-protected cinder-api / manila-api pair
# (scripts/openstack/start-keystone.sh). OPENSTACK_KEYSTONE=0 skips all of it.
OPENSTACK_KEYSTONE="${OPENSTACK_KEYSTONE:-1}"
KEYSTONE_PORT="${KEYSTONE_PORT:-15000}"
CINDER_KEYSTONE_PORT="${CINDER_KEYSTONE_PORT:-18777}"
MANILA_KEYSTONE_PORT="${MANILA_KEYSTONE_PORT:-18787}"
# Fixed test passwords: loopback-only throw-away servers.
# shellcheck disable=SC2034
KEYSTONE_ADMIN_PASSWORD="${KEYSTONE_ADMIN_PASSWORD:-gg-keystone-admin-pw}"
# Password of the cinder and manila service users (keystonemiddleware logs in with it).
# shellcheck disable=SC2034
KEYSTONE_SERVICE_PASSWORD="${KEYSTONE_SERVICE_PASSWORD:-gg-service-pw}"

# Debian's interpreter: a pyenv python earlier on PATH cannot see the packages.
# shellcheck disable=SC2034 # used by the scripts that source this file
PY=/usr/bin/python3
# Debian installs server binaries per major version (15 on bookworm).
# shellcheck disable=SC2034
PG_BIN="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
# shellcheck disable=SC2034
PG_DATA="$OPENSTACK_WORKDIR/pgdata"
# PostgreSQL refuses to run as root; the cluster belongs to this user.
# shellcheck disable=SC2034
PG_USER=postgres

LOG_PREFIX="${LOG_PREFIX:-[openstack]}"

log() { printf '%s %s\n' "$LOG_PREFIX" "$*" >&2; }
die() { printf '%s ERROR: %s\n' "$LOG_PREFIX" "$*" >&2; exit 1; }

# Print the last lines of a log file to stderr, if it exists.
show_tail() {
  local file="$1" lines="${2:-40}"
  if [[ -s "$file" ]]; then
    printf '%s ---- last %s lines of %s ----\n' "$LOG_PREFIX" "$lines" "$file" >&2
    tail -n "$lines" "$file" >&2
    printf '%s ---- end of %s ----\n' "$LOG_PREFIX" "$file" >&2
  fi
}

# Run a command with its output captured in a log file; on failure show the
# tail of that log and stop.
run_logged() {
  local logfile="$1"; shift
  if ! "$@" >>"$logfile" 2>&1; then
    show_tail "$logfile"
    die "command failed: $* (full log: $logfile)"
  fi
}

require_root() {
  [[ "$(id -u)" -eq 0 ]] || die "must run as root (uses apt-get / runuser)"
}

# True if the process named in the pid file is alive.
pid_alive() {
  local pidfile="$1" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null
}

# HTTP status of GET <url> (000 when nothing answers).
http_status() {
  curl -s -o /dev/null -m 3 -w '%{http_code}' "$1" 2>/dev/null || true
}

# True if nothing on this host holds 127.0.0.1:<port> (listening or as the
# local end of a connection), i.e. a server could bind it.
port_free() {
  "$PY" - "$1" <<'PYEOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PYEOF
}
