#!/usr/bin/env bash
# Batch throughput of a local cluster: starts PostgreSQL and N silos with scripts/cluster.sh in a temporary folder,
# runs one batch on them with `tradesim batch --cluster`, prints the runs per second the client measured (from the
# batch's start to its completion) after a warm-up batch, and stops everything. A figure to report (benchmarks/README.md), not a target:
# speed targets are BenchmarkDotNet's.
#
#   benchmarks/cluster-throughput.sh SILOS WORKERS_PER_SILO [tradesim batch arguments...]
#
# Default batch: the main job's 8 scenarios x 20 replications, full years (160 runs).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
silos=${1:?usage: cluster-throughput.sh SILOS WORKERS_PER_SILO [batch arguments]}
workers=${2:?usage: cluster-throughput.sh SILOS WORKERS_PER_SILO [batch arguments]}
shift 2
batch=("$@")
if [ "${#batch[@]}" -eq 0 ]; then
  batch=(baseline nam-giang-upgrade dak-blo-main-gate huong-vinh-gate lai-chau-reopening thaco-fruit-sekong nam-giang-landslide ql14d-upgrade --replications 20)
fi

data=$(mktemp -d /tmp/tradesim-throughput-XXXXXX)
chmod 755 "$data"
port=$((56000 + RANDOM % 1000))
cleanup() { bash "$repo/scripts/cluster.sh" stop --data "$data" >/dev/null 2>&1 || true; rm -rf "$data"; }
trap cleanup EXIT

# Client and silo from the same commit: a silo of another engine version would never run the batch.
(cd "$repo" && dotnet build client/TradeSim.Client -c Release -nologo -v quiet >/dev/null && dotnet build silo/TradeSim.Silo.Host -c Release -nologo -v quiet >/dev/null)
bash "$repo/scripts/cluster.sh" start --data "$data" --silos "$silos" --workers "$workers" --port "$port" >/dev/null
# shellcheck disable=SC1091
source "$data/cluster.env"
out=$(mktemp)
# A warm-up batch first (another seed, so another batch): a fresh silo spends its first seconds compiling (Orleans,
# Npgsql and the kernel reach tier 1), which is start-up, not throughput.
dotnet "$repo/client/TradeSim.Client/bin/Release/net10.0/tradesim.dll" batch baseline nam-giang-upgrade --replications $((4 * silos * workers)) --seed 987654321 --cluster --json >/dev/null 2>&1
dotnet "$repo/client/TradeSim.Client/bin/Release/net10.0/tradesim.dll" batch "${batch[@]}" --cluster --json 2>"$out" >/dev/null
rate=$(grep -oE 'complete, [0-9.]+ runs/s' "$out" | grep -oE '[0-9.]+' || true)
runs=$(grep -oE '[0-9]+/[0-9]+ runs' "$out" | tail -1 | cut -d/ -f2 | cut -d' ' -f1 || true)
rm -f "$out"
echo "silos=$silos workers_per_silo=$workers runs=${runs:-?} runs_per_second=${rate:-?}"
