#!/usr/bin/env bash
# Put the browser assets the Solara server would fetch from a CDN into its local cache,
# from the npm registry (with npm), so the workshop app works offline and in CI.
# Usage: scripts/fetch_solara_assets.sh [python]   (default: .venv/bin/python, else python3)
# Idempotent: packages already in the cache are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-}"
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi
fi
CACHE="$("$PY" -c 'import solara.server.settings as s; print(s.assets.proxy_cache_dir)')"
# name@version as the Solara 1.64 page and widgets ask for them (solara.html.j2, echarts.vue, gridlayout_v3.vue)
PKGS=(
  "@widgetti/solara-vuetify3-app@5.2.0"
  "@widgetti/solara-vuetify-app@10.1.1"
  "@widgetti/vue-grid-layout@2.3.13-alpha.2"
  "font-awesome@4.5.0"
  "requirejs@2.3.6"
  "echarts@5.4.0"
)
command -v npm >/dev/null || { echo "npm is required (apt-get install -y npm)" >&2; exit 1; }
mkdir -p "$CACHE"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
for spec in "${PKGS[@]}"; do
  dest="$CACHE/$spec"
  if [ -d "$dest" ] && [ -n "$(ls -A "$dest")" ]; then echo "cached: $spec"; continue; fi
  (cd "$TMP" && npm pack --silent "$spec" >/dev/null)
  tgz="$(ls -t "$TMP"/*.tgz | head -1)"
  mkdir -p "$dest"
  tar xzf "$tgz" -C "$dest" --strip-components=1
  rm -f "$tgz"
  echo "fetched: $spec -> $dest"
done
