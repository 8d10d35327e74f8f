#!/usr/bin/env bash
# Puts `tradesim` on the PATH: packs the client as a .NET tool from this checkout and installs it for this user
# (~/.dotnet/tools), replacing an earlier install. `--tool-path DIR` installs into DIR instead (what the test does).
set -euo pipefail
cd "$(dirname "$0")/.."

target=(--global)
if [[ $# -ge 2 && $1 == --tool-path ]]; then
    target=(--tool-path "$2")
elif [[ $# -gt 0 ]]; then
    echo "usage: scripts/install-tool.sh [--tool-path DIR]" >&2
    exit 2
fi

packages=$(mktemp -d)
trap 'rm -rf "$packages"' EXIT
# Built in a folder of its own, so packing never rewrites the checkout's bin/ while something runs from it.
dotnet pack client/TradeSim.Client -c Release -o "$packages" --artifacts-path "$packages/build" -nologo -v quiet
dotnet tool uninstall "${target[@]}" TradeSim.Cli > /dev/null 2>&1 || true
dotnet tool install "${target[@]}" --add-source "$packages" TradeSim.Cli

if [[ ${target[0]} == --global && ":$PATH:" != *":$HOME/.dotnet/tools:"* ]]; then
    echo "note: add ~/.dotnet/tools to your PATH (export PATH=\"\$PATH:\$HOME/.dotnet/tools\") to run tradesim" >&2
fi
