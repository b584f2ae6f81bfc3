#!/usr/bin/env bash
# The browser tests drive Debian's chromium package (Playwright's own browser download cannot
# work here) with CJK fonts so Chinese pages render; install them when missing, fail loudly if not.
set -u
if [ -n "${TUOYU_CHROMIUM:-}" ] && [ -x "$TUOYU_CHROMIUM" ]; then exit 0; fi
if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  echo "browser: installing Debian's chromium and fonts-noto-cjk" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q >/dev/null && \
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium fonts-noto-cjk >/dev/null
fi
command -v chromium >/dev/null || { echo "browser: FATAL: chromium is not installed (apt-get install chromium)" >&2; exit 1; }
echo "browser: $(chromium --version 2>/dev/null | head -1)" >&2
