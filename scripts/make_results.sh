#!/usr/bin/env bash
# Regenerate the committed research results (issue 11) on this machine, one report per question:
#   results/sensitivity/  Sobol' indices of levers, context and assumptions (experiments/sobol_full.toml)
#   results/discovery/    when open governance beats proactive governance (experiments/open_vs_proactive.toml)
#   results/plateau/      when the plateau appears (experiments/plateau_map.toml)
# Each directory gets REPORT.md (provenance + the command that regenerates it), CSVs and figures/; the raw runs
# stay in its sweep*/ subdirectories (not to be committed). Interrupted? Run it again: every sweep resumes.
#   scripts/make_results.sh                 # WORKERS=2 by default; or SCHEDULER=tcp://HOST:8786
#   PYTHON=.venv/bin/python scripts/make_results.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [[ -n "${SCHEDULER:-}" ]]; then where=(--scheduler "$SCHEDULER"); else where=(--workers "${WORKERS:-2}"); fi
run() {
    local exp=$1 out=$2 t0=$SECONDS
    echo "== $exp -> $out" >&2
    "$PYTHON" -m vti_sim.cli sensitivity "$exp" "${where[@]}" --out "$out" ${QUIET:+--quiet}
    echo "== $exp: $((SECONDS - t0)) s wall" >&2
}
run experiments/sobol_full.toml results/sensitivity
run experiments/open_vs_proactive.toml results/discovery
run experiments/plateau_map.toml results/plateau
