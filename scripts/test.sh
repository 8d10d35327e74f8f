#!/usr/bin/env bash
# Runs every test of TradeSim on a fresh machine that has only the .NET SDK: restores, builds in Release,
# runs the xunit projects, and runs each benchmark once in BenchmarkDotNet's dry job so they keep working
# (a dry run checks that a benchmark runs and passes its [GlobalSetup] correctness check; it times nothing).
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build TradeSim.sln -c Release -nologo -v quiet

# The HTML report tests render the report in headless Chromium: install it when it is missing.
bash scripts/install-chromium.sh
# The cluster tests start throwaway PostgreSQL servers of their own: install PostgreSQL when it is missing.
bash scripts/install-postgresql.sh

status=0
dotnet test TradeSim.sln -c Release --no-build -nologo 2>&1 | tee "$log" || status=$?

# The benchmarks, once each, untimed.
(cd benchmarks/TradeSim.Benchmarks && dotnet run -c Release --no-build -- --filter '*' --job Dry --artifacts "$(mktemp -d)") > "$log.bench" 2>&1 || {
  cat "$log.bench"; echo "benchmarks: the dry run failed"; status=1; }
grep -E '^\| *(Method|[A-Z][A-Za-z]+ *\|)' "$log.bench" | head -20 || true
rm -f "$log.bench"

# One closing line with the totals of every test project.
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
echo "tests: ${passed} passed, ${failed} failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  status=1
fi
exit "$status"
