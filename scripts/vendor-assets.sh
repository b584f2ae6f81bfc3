#!/usr/bin/env bash
# Refresh the browser assets the app serves itself (no CDN): pinned npm packages, unpacked into
# service/static/vendor/ and committed. Run by hand when a version below changes; the app and the
# tests never download anything.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=service/static/vendor
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fetch() {  # fetch PACKAGE@VERSION FILE_IN_PACKAGE... -> $OUT/PACKAGE/
  local spec=$1; shift
  local name=${spec%@*}
  (cd "$WORK" && npm pack --silent "$spec" >/dev/null)
  local tgz
  tgz=$(ls "$WORK"/*.tgz)
  mkdir -p "$OUT/$name"
  for f in "$@"; do
    tar xzf "$tgz" -C "$WORK" "package/$f"
    cp "$WORK/package/$f" "$OUT/$name/$(basename "$f")"
  done
  tar xzf "$tgz" -C "$WORK" package/LICENSE 2>/dev/null && cp "$WORK/package/LICENSE" "$OUT/$name/LICENSE" || true
  echo "$spec" > "$OUT/$name/VERSION"
  rm -rf "$WORK"/*
}

fetch swagger-ui-dist@5.32.0 swagger-ui-bundle.js swagger-ui-standalone-preset.js swagger-ui.css
fetch qrcode-generator@2.0.4 dist/qrcode.js package.json
fetch jsqr@1.4.0 dist/jsQR.js  # in-page QR scanning: trainee check-in (/my/checkin), employer's certificate scan; Apache-2.0
ls -la "$OUT"/*
