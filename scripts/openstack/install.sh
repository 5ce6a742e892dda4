#!/usr/bin/env bash
# Install the Debian packages needed to run real Cinder and Manila API servers
# (and a real Keystone in front of a second, keystone-protected pair) on loopback, and extract their api-paste.ini / resource_filters.json from the
# *-common packages without installing those (their maintainer scripts would
# create users, services and config under /etc).
#
# Idempotent: a second run only checks and exits.
set -euo pipefail

LOG_PREFIX='[openstack-install]'
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

require_root

PACKAGES=(python3-cinder python3-manila python3-keystone postgresql python3-psycopg2)
COMMON_PACKAGES=(cinder-common manila-common)
ETC_DIR="$OPENSTACK_WORKDIR/etc"
# Files we need from the *-common packages, relative to the extracted root.
declare -A WANTED=(
  [cinder-api-paste.ini]=usr/share/cinder-common/api-paste.ini
  [cinder-resource_filters.json]=etc/cinder/resource_filters.json
  [manila-api-paste.ini]=usr/share/manila-common/api-paste.ini
)

mkdir -p "$OPENSTACK_WORKDIR" "$ETC_DIR"
INSTALL_LOG="$OPENSTACK_WORKDIR/install.log"
: >"$INSTALL_LOG"

pkg_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

APT_UPDATED=0
apt_update_once() {
  if [[ "$APT_UPDATED" -eq 0 ]]; then
    log "apt-get update"
    run_logged "$INSTALL_LOG" apt-get update -q
    APT_UPDATED=1
  fi
}

# ---- 1. packages -----------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  pkg_installed "$p" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  log "packages already installed: ${PACKAGES[*]}"
else
  apt_update_once

  # Keep services from starting during the install. Debian's invoke-rc.d asks
  # /usr/sbin/policy-rc.d; exit status 101 means "action forbidden".
  POLICY=/usr/sbin/policy-rc.d
  POLICY_BACKUP=""
  if [[ -e "$POLICY" ]]; then
    POLICY_BACKUP="$(mktemp "$OPENSTACK_WORKDIR/policy-rc.d.backup.XXXXXX")"
    cp -p "$POLICY" "$POLICY_BACKUP"
  fi
  restore_policy() {
    if [[ -n "$POLICY_BACKUP" ]]; then
      mv -f "$POLICY_BACKUP" "$POLICY"
    else
      rm -f "$POLICY"
    fi
  }
  trap restore_policy EXIT
  printf '#!/bin/sh\n# temporary, written by groupgraph scripts/openstack/install.sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"

  log "apt-get install ${missing[*]} (log: $INSTALL_LOG)"
  run_logged "$INSTALL_LOG" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"

  restore_policy
  trap - EXIT
  log "packages installed"
fi

# ---- 2. config files from cinder-common / manila-common ----------------------
have_all_files=1
for f in "${!WANTED[@]}"; do
  [[ -s "$ETC_DIR/$f" ]] || have_all_files=0
done

if [[ "$have_all_files" -eq 1 ]]; then
  log "config files already extracted in $ETC_DIR"
else
  apt_update_once
  DEB_DIR="$OPENSTACK_WORKDIR/debs"
  EXTRACT_DIR="$OPENSTACK_WORKDIR/extract"
  rm -rf "$DEB_DIR" "$EXTRACT_DIR"
  mkdir -p "$DEB_DIR" "$EXTRACT_DIR"
  # apt-get download drops privileges to _apt when it can write the directory.
  chown _apt "$DEB_DIR" 2>/dev/null || true

  log "apt-get download ${COMMON_PACKAGES[*]}"
  (cd "$DEB_DIR" && run_logged "$INSTALL_LOG" apt-get download -q "${COMMON_PACKAGES[@]}")

  for deb in "$DEB_DIR"/*.deb; do
    [[ -e "$deb" ]] || die "apt-get download produced no .deb in $DEB_DIR"
    log "dpkg -x $(basename "$deb")"
    run_logged "$INSTALL_LOG" dpkg -x "$deb" "$EXTRACT_DIR"
  done

  for f in "${!WANTED[@]}"; do
    src="$EXTRACT_DIR/${WANTED[$f]}"
    [[ -s "$src" ]] || die "expected file not found in package: ${WANTED[$f]}"
    cp "$src" "$ETC_DIR/$f"
  done
  rm -rf "$DEB_DIR" "$EXTRACT_DIR"
  log "extracted ${!WANTED[*]} into $ETC_DIR"
fi

# ---- 3. sanity check -------------------------------------------------------
log "checking that $PY imports cinder, manila, keystone, keystonemiddleware, psycopg2"
# Separate processes: the projects register options on the same global oslo
# CONF, so importing them together raises DuplicateOptError.
for mod in cinder.cmd.api manila.cmd.api keystone.server.wsgi keystonemiddleware.auth_token psycopg2; do
  run_logged "$INSTALL_LOG" "$PY" -c "import $mod"
done
for cmd in keystone-manage keystone-wsgi-public; do
  command -v "$cmd" >/dev/null || die "$cmd not found after installing python3-keystone"
done
[[ -x "$PG_BIN/initdb" && -x "$PG_BIN/postgres" ]] || die "PostgreSQL binaries not found in $PG_BIN"

log "done"
