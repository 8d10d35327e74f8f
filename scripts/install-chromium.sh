#!/usr/bin/env bash
# Installs Debian's `chromium` for the HTML report tests, which render the report headless and look at the result.
# Does nothing when a `chromium` is already on PATH, so it is cheap to call before every test run.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi

# apt-get needs root; on a developer's machine that is not root, go through sudo.
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
else
  sudo=(sudo)
fi

echo "install-chromium: installing Debian's chromium (needed by the HTML report tests)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's progress and debconf chatter go to a log that is shown only when the install fails.
if ! {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
} >"$log" 2>&1; then
  cat "$log" >&2
  echo "install-chromium: apt-get failed (output above)" >&2
  exit 1
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "install-chromium: chromium is still not on PATH after installing it" >&2
  exit 1
fi
