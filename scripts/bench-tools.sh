#!/usr/bin/env bash
# Tools the benchmarks need besides the venv: the wrk load generator (Debian/Ubuntu package
# "wrk"). Installs it with apt-get when it is missing; fails loudly when it still is.
set -u

if command -v wrk >/dev/null 2>&1; then
  echo "bench-tools: $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}') at $(command -v wrk)" >&2
  exit 0
fi

echo "bench-tools: wrk is not installed; installing it with apt-get" >&2
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then
  SUDO="sudo -n"
fi
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get install -y wrk || { $SUDO apt-get update && $SUDO apt-get install -y wrk; }
else
  echo "bench-tools: apt-get is not available on this machine" >&2
fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench-tools: FATAL: wrk is missing and 'apt-get install -y wrk' did not install it;" \
       "install wrk (https://github.com/wg/wrk) and run make bench again" >&2
  exit 1
fi
echo "bench-tools: installed wrk at $(command -v wrk)" >&2
