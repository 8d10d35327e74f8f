#!/usr/bin/env bash
# Starts, stops and shows a local TradeSim cluster: one PostgreSQL server and N `tradesim-silo` processes, every file
# of them under one folder.
#
#   scripts/cluster.sh start  --data DIR [--silos N] [--port P] [--workers W]
#   scripts/cluster.sh stop   --data DIR
#   scripts/cluster.sh status --data DIR
#
# start   installs PostgreSQL when it is missing (scripts/install-postgresql.sh), builds the silo when it is missing,
#         creates the database cluster in DIR/pg on first use, starts PostgreSQL on 127.0.0.1:P (default 55432),
#         creates database `tradesim`, and starts Orleans silos silo-1 .. silo-N (default 2; 0 starts PostgreSQL alone) in
#         the background, each on its own free silo and gateway ports (from 11111 and 30000 up; a silo's are kept in
#         DIR/silos/silo-i.ports). Whatever already runs is left running. It prints the connection string for
#         TRADESIM_CLUSTER.
# stop    sends SIGTERM to every silo, SIGKILL to those still running 10 s later, then stops PostgreSQL.
# status  shows whether PostgreSQL runs and which silos are alive; exit code 0 when all are, 3 otherwise.
#
# Files: DIR/pg (data directory), DIR/logs/postgresql.log, DIR/logs/silo-i.log, DIR/silos/silo-i.pid, and
# DIR/cluster.env (`source` it to set TRADESIM_CLUSTER).
# PostgreSQL accepts connections on 127.0.0.1 only (no Unix socket), from user `tradesim` with a password
# (scram-sha-256) that start generates into DIR/pgpass (mode 600, readable by the user who ran start only); the
# connection string names that file (Npgsql's Passfile), so no password appears in it, in cluster.env or in `ps`.
# PostgreSQL refuses to run as root: as root, it runs as the `postgres` user (created by Debian's package), which must
# be able to reach DIR (a DIR under /root is not reachable; one under /tmp, /srv or /var/tmp is).
# TRADESIM_SILO_DLL, when set, is the silo to run instead of silo/TradeSim.Silo.Host/bin/Release/net10.0/tradesim-silo.dll.
# Exit codes: 0 done, 1 failed, 2 bad arguments, 3 (status) something is not running.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
superuser=tradesim
service_user=postgres

usage() {
  { echo "usage:"; sed -n '5,7p' "$0" | sed 's/^#//'; } >&2
}

die() {
  echo "cluster: $*" >&2
  exit 1
}

die_usage() {
  echo "cluster: $*" >&2
  usage
  exit 2
}

# ---- arguments ----------------------------------------------------------------------------------------------------

[ $# -gt 0 ] || die_usage "missing command: start, stop or status"
command=$1
shift
case "$command" in
  start | stop | status) ;;
  -h | --help) usage; exit 0 ;;
  *) die_usage "unknown command '$command': expected start, stop or status" ;;
esac

data='' silos='' port='' workers=''
while [ $# -gt 0 ]; do
  option=$1
  shift
  if [[ "$option" == --*=* ]]; then
    set -- "${option#*=}" "$@"
    option=${option%%=*}
  fi
  case "$option" in
    --data | --silos | --port | --workers)
      [ $# -gt 0 ] && [ -n "$1" ] || die_usage "$option needs a value"
      printf -v "${option#--}" '%s' "$1"
      shift
      ;;
    -h | --help) usage; exit 0 ;;
    *) die_usage "unknown argument '$option'" ;;
  esac
done

[ -n "$data" ] || die_usage "$command: missing --data DIR (the folder of the cluster's files)"
if [ "$command" != start ]; then
  [ -z "$silos$port$workers" ] || die_usage "$command takes only --data; --silos, --port and --workers are for start"
  [ -d "$data" ] || die_usage "$command: there is no cluster in $data (no such folder)"
fi
silos=${silos:-2}
port=${port:-55432}
[[ "$silos" =~ ^[0-9]+$ ]] && [ "$silos" -le 64 ] || die_usage "--silos must be a whole number from 0 to 64, not '$silos'"
[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die_usage "--port must be from 1 to 65535, not '$port'"
[ -z "$workers" ] || { [[ "$workers" =~ ^[0-9]+$ ]] && [ "$workers" -ge 1 ]; } || die_usage "--workers must be a whole number of at least 1, not '$workers'"

mkdir -p "$data"
data=$(cd "$data" && pwd)
pgdata=$data/pg
passfile=$data/pgpass
logs=$data/logs
piddir=$data/silos
pglog=$logs/postgresql.log

# ---- PostgreSQL -----------------------------------------------------------------------------------------------------

is_root() { [ "$(id -u)" -eq 0 ]; }

# The folder of initdb and pg_ctl: PATH first, then the highest /usr/lib/postgresql/N/bin (Debian's layout).
find_pg_bin() {
  local dir
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

# Runs a PostgreSQL server program: as the service user when we are root, from / so that it can read its cwd.
as_pg() {
  if is_root; then
    (cd / && runuser -u "$service_user" -- "$@")
  else
    "$@"
  fi
}

pg_running() { as_pg "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; }

# The port of the running server (line 4 of postmaster.pid).
pg_port() { sed -n 4p "$pgdata/postmaster.pid" 2>/dev/null; }

psql_run() {
  PGPASSFILE=$passfile "$psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "host=127.0.0.1 port=$1 user=$superuser dbname=postgres connect_timeout=10" -c "$2"
}

pg_setup() {
  if [ -z "${pgbin:-}" ]; then
    pgbin=$(find_pg_bin) || die "PostgreSQL is not installed: run scripts/install-postgresql.sh"
  fi
  psql=$pgbin/psql
  [ -x "$psql" ] || psql=$(command -v psql) || die "psql is not installed: run scripts/install-postgresql.sh"
  if is_root && ! id -u "$service_user" >/dev/null 2>&1; then
    die "running as root, PostgreSQL (which refuses root) must run as user '$service_user', and there is none: install Debian's postgresql, which creates it"
  fi
}

pg_init() {
  [ -f "$pgdata/PG_VERSION" ] && return 0
  if [ -d "$pgdata" ] && [ -n "$(ls -A "$pgdata")" ]; then
    die "$pgdata is not empty and is not a PostgreSQL data directory: move it away or choose another --data"
  fi
  mkdir -p "$pgdata"
  chmod 700 "$pgdata"
  if is_root; then
    chown "$service_user:$service_user" "$pgdata"
    runuser -u "$service_user" -- test -w "$pgdata" ||
      die "PostgreSQL runs as user '$service_user' (we are root), and that user cannot reach $pgdata: choose a --data folder under /tmp, /srv or /var/tmp, or let others traverse its parents (chmod o+x)"
  fi
  echo "cluster: creating the database cluster in $pgdata"
  # A fresh random password: in DIR/pgpass for the silos and clients (ours only), in a file initdb reads once.
  local password pwfile out
  password=$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n' | head -c 32)
  (umask 077 && printf '127.0.0.1:*:*:%s:%s\n' "$superuser" "$password" >"$passfile")
  pwfile=$(mktemp)
  printf '%s\n' "$password" >"$pwfile"
  if is_root; then
    chown "$service_user" "$pwfile"
  fi
  out=$(mktemp)
  if ! as_pg "$pgbin/initdb" -D "$pgdata" -A scram-sha-256 --pwfile="$pwfile" -U "$superuser" -E UTF8 --locale=C >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out" "$pwfile"
    die "initdb failed (output above)"
  fi
  rm -f "$out" "$pwfile"
  # Appended while the file is still the service user's; the port is given at each start instead (--port).
  cat >>"$pgdata/postgresql.conf" <<'EOF'

# scripts/cluster.sh: TCP on the loopback interface only (no Unix socket), room for many silos' connections.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
EOF
}

pg_start() {
  if pg_running; then
    local running
    running=$(pg_port)
    [ "$running" = "$port" ] ||
      die "PostgreSQL of $data already runs on port $running, not $port: pass --port $running, or stop the cluster first"
    echo "cluster: PostgreSQL already runs on 127.0.0.1:$port"
    return 0
  fi
  touch "$pglog"
  if is_root; then
    chown "$service_user:$service_user" "$pglog"
  fi
  local out
  out=$(mktemp)
  if ! as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$pglog" -o "-p $port" -w -t 60 start >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    echo "--- $pglog (last 20 lines) ---" >&2
    tail -n 20 "$pglog" >&2 || true
    die "PostgreSQL did not start on port $port (output and log above)"
  fi
  rm -f "$out"
  echo "cluster: PostgreSQL runs on 127.0.0.1:$port (data $pgdata, log $pglog)"
}

pg_create_database() {
  local exists
  exists=$(psql_run "$port" "SELECT 1 FROM pg_database WHERE datname = 'tradesim'") ||
    die "cannot query PostgreSQL on port $port (see $pglog)"
  if [ "$exists" != 1 ]; then
    psql_run "$port" "CREATE DATABASE tradesim" || die "could not create database tradesim (see $pglog)"
    echo "cluster: created database tradesim"
  fi
}

pg_stop() {
  if ! pg_running; then
    echo "cluster: PostgreSQL was not running"
    return 0
  fi
  local out
  out=$(mktemp)
  if ! as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w -t 60 stop >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    die "pg_ctl stop failed (output above; log $pglog)"
  fi
  rm -f "$out"
  echo "cluster: PostgreSQL stopped"
}

# ---- silos --------------------------------------------------------------------------------------------------------

connection_string() { echo "Host=127.0.0.1;Port=$1;Database=tradesim;Username=$superuser;Passfile=$passfile"; }

# The pid of silo $1 when it runs: the pid in its pid file, if that process is alive and is that silo (a pid can be
# reused by another process, and a zombie has no command line).
silo_pid() {
  local pid
  pid=$(cat "$piddir/$1.pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ "$({ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)" == *" --name $1 "* ]] || return 1
  echo "$pid"
}

silo_names() {
  local file
  for file in "$piddir"/*.pid; do
    if [ -e "$file" ]; then basename "$file" .pid; fi
  done | sort -V
}

silo_dll() {
  local dll=${TRADESIM_SILO_DLL:-$repo/silo/TradeSim.Silo.Host/bin/Release/net10.0/tradesim-silo.dll}
  command -v dotnet >/dev/null 2>&1 || die "dotnet is not on PATH: the silos need the .NET SDK or runtime"
  if [ ! -f "$dll" ] && [ -z "${TRADESIM_SILO_DLL:-}" ]; then
    echo "cluster: building the silo (dotnet build silo/TradeSim.Silo.Host -c Release)" >&2
    local out
    out=$(mktemp)
    if ! (cd "$repo" && dotnet build silo/TradeSim.Silo.Host -c Release -nologo -v quiet) >"$out" 2>&1; then
      cat "$out" >&2
      rm -f "$out"
      die "building the silo failed (output above)"
    fi
    rm -f "$out"
  fi
  if [ ! -f "$dll" ]; then
    if [ -n "${TRADESIM_SILO_DLL:-}" ]; then
      die "the silo is missing: TRADESIM_SILO_DLL is $dll, which does not exist"
    fi
    die "the silo is missing: building silo/TradeSim.Silo.Host did not produce $dll"
  fi
  echo "$dll"
}

# Whether something listens on TCP port $1 of this machine (a connection to it is accepted).
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sets $chosen to the first port from $1 up that nothing listens on and that is not already chosen (in $taken).
free_port() {
  chosen=$1
  while port_in_use "$chosen" || [[ " $taken " == *" $chosen "* ]]; do
    chosen=$((chosen + 1))
  done
  taken="$taken $chosen"
}

silos_start() {
  local dll=$1 conn=$2 i name pid log silo_port gateway_port taken='' chosen
  local -a started=() args
  mkdir -p "$piddir" "$logs"
  for ((i = 1; i <= silos; i++)); do
    name=silo-$i
    if pid=$(silo_pid "$name"); then
      echo "cluster: $name already runs (pid $pid)"
      continue
    fi
    log=$logs/$name.log
    # Orleans binds its ports with address reuse, so a silo must be given ports nothing else holds.
    free_port 11111
    silo_port=$chosen
    free_port 30000
    gateway_port=$chosen
    echo "$silo_port $gateway_port" >"$piddir/$name.ports"
    args=(--cluster "$conn" --name "$name" --silo-port "$silo_port" --gateway-port "$gateway_port")
    [ -z "$workers" ] || args+=(--workers "$workers")
    echo "--- $(date '+%Y-%m-%d %H:%M:%S') cluster.sh starts $name ---" >>"$log"
    # Its own session: it outlives this script and the terminal, and Ctrl-C there does not reach it.
    setsid dotnet "$dll" "${args[@]}" </dev/null >>"$log" 2>&1 &
    echo "$!" >"$piddir/$name.pid"
    started+=("$name")
  done

  # A silo that cannot start (bad arguments, no database) exits within moments: watch them for 3 s.
  local failed=0 code
  [ "${#started[@]}" -eq 0 ] || sleep 3
  for name in "${started[@]}"; do
    pid=$(cat "$piddir/$name.pid")
    if silo_pid "$name" >/dev/null; then
      echo "cluster: $name runs (pid $pid, ports $(cat "$piddir/$name.ports" 2>/dev/null), log $logs/$name.log)"
    else
      code=0
      wait "$pid" || code=$?
      echo "cluster: $name exited at start with code $code; the end of $logs/$name.log:" >&2
      tail -n 15 "$logs/$name.log" | sed 's/^/  /' >&2
      rm -f "$piddir/$name.pid" "$piddir/$name.ports"
      failed=$((failed + 1))
    fi
  done
  [ "$failed" -eq 0 ] ||
    die "$failed of ${#started[@]} silos did not start (see above); what runs is still running: scripts/cluster.sh stop --data $data"
}

silos_stop() {
  local name pid
  local -a names=() pids=()
  for name in $(silo_names); do
    if pid=$(silo_pid "$name"); then
      kill -TERM "$pid" 2>/dev/null || true
      names+=("$name")
      pids+=("$pid")
    else
      rm -f "$piddir/$name.pid"
    fi
  done
  [ "${#names[@]}" -gt 0 ] || { echo "cluster: no silo was running"; return 0; }
  echo "cluster: sent SIGTERM to ${names[*]}"

  local deadline=$((SECONDS + 10)) alive i
  while :; do
    alive=0
    for name in "${names[@]}"; do
      if silo_pid "$name" >/dev/null; then alive=$((alive + 1)); fi
    done
    [ "$alive" -gt 0 ] && [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.2
  done
  for i in "${!names[@]}"; do
    name=${names[$i]}
    if silo_pid "$name" >/dev/null; then
      kill -KILL "${pids[$i]}" 2>/dev/null || true
      echo "cluster: $name (pid ${pids[$i]}) did not stop within 10 s: killed"
    else
      echo "cluster: $name stopped"
    fi
    rm -f "$piddir/$name.pid" "$piddir/$name.ports"
  done
}

# ---- commands -----------------------------------------------------------------------------------------------------

case "$command" in
  start)
    bash "$repo/scripts/install-postgresql.sh"
    pg_setup
    dll=''
    if [ "$silos" -gt 0 ]; then
      dll=$(silo_dll)
    fi
    mkdir -p "$logs" "$piddir"
    pg_init
    pg_start
    pg_create_database
    conn=$(connection_string "$port")
    printf 'export TRADESIM_CLUSTER="%s"\n' "$conn" >"$data/cluster.env"
    if [ "$silos" -gt 0 ]; then
      silos_start "$dll" "$conn"
    fi
    echo
    echo "connection string: $conn"
    echo "  export TRADESIM_CLUSTER=\"$conn\"    (or: source $data/cluster.env)"
    echo "  stop with: scripts/cluster.sh stop --data $data"
    ;;

  stop)
    silos_stop
    if [ -f "$pgdata/PG_VERSION" ]; then
      pg_setup
      pg_stop
    else
      echo "cluster: no PostgreSQL data in $pgdata"
    fi
    ;;

  status)
    ok=0
    if [ -f "$pgdata/PG_VERSION" ]; then
      pg_setup
      if pg_running; then
        running=$(pg_port)
        echo "PostgreSQL: running on 127.0.0.1:$running (pid $(sed -n 1p "$pgdata/postmaster.pid"), data $pgdata)"
        echo "  TRADESIM_CLUSTER=\"$(connection_string "$running")\""
      else
        echo "PostgreSQL: stopped (data $pgdata)"
        ok=3
      fi
    else
      echo "PostgreSQL: no data directory in $pgdata (never started)"
      ok=3
    fi
    names=$(silo_names)
    [ -n "$names" ] || echo "silos: none"
    for name in $names; do
      if pid=$(silo_pid "$name"); then
        echo "$name: running (pid $pid, log $logs/$name.log)"
      else
        echo "$name: not running (pid file $piddir/$name.pid, log $logs/$name.log)"
        ok=3
      fi
    done
    exit "$ok"
    ;;
esac
