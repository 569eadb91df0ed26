"""Write experiments/morris_assumptions.toml: a Morris screening of every registry assumption at its bounds."""

from pathlib import Path

from vti_sim import registry

HEADER = """\
# Morris screening of every assumption (issue 11): which behavioural coefficients, within their plausible ranges
# (the registry's bounds), move the main outcomes; sobol_full.toml adds the ones that matter.
#   vti-sim sensitivity experiments/morris_assumptions.toml --workers 2 --out results/screening-assumptions
# 10 trajectories x (332 + 1) = 3,330 points x 2 replicates = 6,660 runs of 144 months: ~2.5 CPU-minutes.
# Written by scripts/write_morris_assumptions.py from the registry (re-run it when assumptions change)."""


def main() -> None:
    lines = [HEADER, 'name = "morris_assumptions"',
             'description = "Morris mu*/sigma of every assumption at its registry bounds (registry defaults '
             'otherwise)."', "seed = 20261214", "replicates = 2", "chunk_size = 111", "", "[design]",
             'method = "morris"', "samples = 10", "num_levels = 4", "", "[vary]"]
    for p in registry.assumptions():
        lo, hi = (p.min, p.max) if p.dtype == "float" else (int(p.min), int(p.max))
        lines.append(f"{p.name} = {{ min = {lo!r}, max = {hi!r} }}")
    lines += ["", "[outputs]",
              'summary = ["pv_net_total", "final_trust", "inclusion_gap", "months_to_phase.implementation"]', "",
              "[analysis]", 'kind = "sensitivity"', 'methods = ["morris"]', "bootstrap = 200",
              "convergence = { max_conf = 0.3, top = 10 }", ""]
    path = Path(__file__).resolve().parents[1] / "experiments" / "morris_assumptions.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    print(path)


if __name__ == "__main__":
    main()
