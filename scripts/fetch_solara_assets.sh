#!/usr/bin/env bash
# Put the browser assets the Solara server would fetch from a CDN into its local cache, from the npm registry
# (with npm), so that the workshop app works offline and in CI.  `make install` runs it.
# Usage: scripts/fetch_solara_assets.sh [python]   (default: .venv/bin/python, else python3)
# Idempotent and fast when cached: a package whose directory holds its package.json is skipped; each package is
# unpacked next to its place and moved in at the end, so an interrupted run leaves nothing half-written.
# The package list and the cache directory come from vti_sim.app.assets (one place for both).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-}"
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
mapfile -t LINES < <("$PY" vti_sim/app/assets.py)  # run as a file: the vti_sim package (numba, pandas) is not imported
CACHE="${LINES[0]:-}"
[ -n "$CACHE" ] || { echo "fetch_solara_assets: $PY cannot import solara (install vti-sim first)" >&2; exit 1; }
PKGS=("${LINES[@]:1}")
todo=()
for spec in "${PKGS[@]}"; do
  [ -f "$CACHE/$spec/package.json" ] || todo+=("$spec")
done
if [ ${#todo[@]} -eq 0 ]; then
  echo "solara assets: all ${#PKGS[@]} packages cached in $CACHE"
  exit 0
fi
command -v npm >/dev/null || {
  echo "fetch_solara_assets: npm is required to fetch ${todo[*]} (apt-get install -y npm)" >&2
  exit 1
}
mkdir -p "$CACHE"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for spec in "${todo[@]}"; do
  (cd "$TMP" && npm pack --silent "$spec" >/dev/null)
  tgz="$(ls -t "$TMP"/*.tgz | head -1)"
  dest="$CACHE/$spec"
  part="$dest.part.$$"
  rm -rf "$part"
  mkdir -p "$part"
  tar xzf "$tgz" -C "$part" --strip-components=1
  rm -f "$tgz"
  rm -rf "$dest"
  mv "$part" "$dest"
  echo "fetched: $spec -> $dest"
done
