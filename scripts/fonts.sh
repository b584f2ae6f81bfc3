#!/usr/bin/env bash
# The certificate fonts (certification/fonts.py) are Debian packages: install the missing ones
# (as root, or with sudo when it is there), then fail loudly if any is still missing.
set -u

declare -A FILES=(
  [fonts-babelstone-han]=/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf
  [fonts-hanazono]=/usr/share/fonts/truetype/hanazono/HanaMinB.ttf
  [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
)

missing() { for pkg in "${!FILES[@]}"; do [ -f "${FILES[$pkg]}" ] || echo "$pkg"; done; }

need=$(missing)
if [ -n "$need" ]; then
  echo "fonts: installing the certificate fonts:" $need >&2
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi
  if command -v apt-get >/dev/null; then
    $SUDO apt-get update -qq >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $need >/dev/null || true
  fi
  need=$(missing)
fi
if [ -n "$need" ]; then
  echo "fonts: FATAL: certificate fonts missing (Debian packages:" $need "); install them with apt-get" >&2
  exit 1
fi
echo "fonts: certificate fonts are installed" >&2
