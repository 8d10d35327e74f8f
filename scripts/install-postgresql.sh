#!/usr/bin/env bash
# Installs Debian's `postgresql` for the cluster tests and scripts/cluster.sh, which start throwaway PostgreSQL servers
# of their own with initdb and pg_ctl (the test fixture is tests/Shared/PostgresServer.cs).
# Does nothing when initdb and pg_ctl are already there (on PATH or in /usr/lib/postgresql/*/bin), so it is cheap to
# call before every test run.
#
# Debian's package normally creates a system cluster ("main", port 5432) and starts it as a service. Nothing of
# TradeSim uses that cluster, and starting it can fail where there is no init system or port 5432 is taken, which
# would fail the install; so the package is told not to create it (create_main_cluster = false, as the official
# Docker image of PostgreSQL does).
set -euo pipefail

have_postgresql() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    return 0
  fi
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      return 0
    fi
  done
  return 1
}

if have_postgresql; then
  exit 0
fi

# apt-get needs root; on a developer's machine that is not root, go through sudo.
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
else
  sudo=(sudo)
fi
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -qq
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)

echo "install-postgresql: installing Debian's postgresql (needed by the cluster tests; no system cluster is created)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's progress and debconf chatter go to a log that is shown only when the install fails. postgresql-common comes
# first so that its createcluster.conf can switch the system cluster off before the server package is configured.
no_main_cluster() {
  local conf=/etc/postgresql-common/createcluster.conf
  "${sudo[@]}" sed -ri 's/^#?[[:space:]]*create_main_cluster[[:space:]]*=.*$/create_main_cluster = false/' "$conf" &&
    { grep -q '^create_main_cluster = false' "$conf" || echo 'create_main_cluster = false' | "${sudo[@]}" tee -a "$conf" >/dev/null; }
}
if ! {
  "${apt[@]}" update &&
    "${apt[@]}" install --no-install-recommends postgresql-common &&
    no_main_cluster &&
    "${apt[@]}" install --no-install-recommends postgresql
} >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-postgresql: apt-get failed (output above)" >&2
  exit 1
fi

if ! have_postgresql; then
  echo "install-postgresql: initdb and pg_ctl are still missing after installing postgresql (looked on PATH and in /usr/lib/postgresql/*/bin)" >&2
  exit 1
fi
