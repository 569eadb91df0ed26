"""Cost of one run against residents and months (issue 14, item 2): fixed per month + per agent-month.

    .venv/bin/python benchmarks/bench_scaling.py                      # 5 x 5 grid, 3 repeats
    .venv/bin/python benchmarks/bench_scaling.py --residents 1000,100000 --months 36,480 --repeats 5

Each cell is the default scenario with ``population = residents x 10`` and ``inhabitants_per_agent = 10`` (the
other agents stay as they are: 5 elected officials, 6 directors, 120 staff, 8 operators), run for ``months``
months.  Two costs are timed, alternately, in CPU time (``time.process_time``), median of ``--repeats``:
- ``lean``: the sweep's unit of work (``simulate`` + ``summarise``, no tables);
- ``run``: ``vti_sim.run`` (timeseries DataFrame and summary built).
Each is fitted by least squares as ``t = c + d * residents + a * months + b * residents * months``: ``a`` is the
fixed cost per month (the month's Python glue and kernel calls), ``b`` the cost per resident and month, ``d`` the
cost per resident of building the model (their random traits), ``c`` the rest.  Per residents level it also gives
the slope per month and the marginal cost per resident-month from the level below: flat means the cost grows as
the work grows.

100,000 residents lies beyond the registry's bounds (1,000,000 inhabitants at no fewer than 20 per agent gives
50,000), so this benchmark lowers ``inhabitants_per_agent``'s minimum to 10 in its own process only.
Writes ``benchmarks/results/scaling.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from vti_sim import registry
from vti_sim.outputs.result import release, run, simulate, summarise

IPA = 10


def widen_registry() -> None:
    p = registry.REGISTRY["inhabitants_per_agent"]
    registry.REGISTRY["inhabitants_per_agent"] = dataclasses.replace(p, min=IPA)


def params(residents: int, months: int) -> dict:
    return registry.resolve({"population": residents * IPA, "inhabitants_per_agent": IPA, "months": months})


def lean(p: dict, seed: int) -> None:
    model = simulate(p, seed)
    summarise(model)
    release(model)


def full(p: dict, seed: int) -> None:
    run(dict(p), seed=seed)


def cpu(fn, *args) -> float:
    t = time.process_time()
    fn(*args)
    return time.process_time() - t


def fit(cells: list[dict], key: str) -> dict:
    """Least squares t = c + d N + a M + b N M over the cells' medians (N residents, M months)."""
    m = np.array([c["months"] for c in cells], dtype=float)
    n = np.array([c["residents"] for c in cells], dtype=float)
    t = np.array([c[key] for c in cells])
    x = np.column_stack([np.ones_like(m), n, m, n * m])
    coef, *_ = np.linalg.lstsq(x, t, rcond=None)
    c0, d, a, b = (float(v) for v in coef)
    pred = x @ coef
    return {"c_ms": c0 * 1e3, "d_us_per_agent": d * 1e6, "a_us_per_month": a * 1e6, "b_ns_per_agent_month": b * 1e9,
            "max_relative_residual": float(np.max(np.abs(pred - t) / t))}


def per_level(cells: list[dict], key: str) -> list[dict]:
    """Per residents level: the cost's slope per month, and the marginal cost per resident-month from the level
    below (flat across levels = linear in the work)."""
    out: list[dict] = []
    for n in sorted({c["residents"] for c in cells}):
        row = sorted((c for c in cells if c["residents"] == n), key=lambda c: c["months"])
        if len(row) < 2:
            continue
        m = np.array([c["months"] for c in row], dtype=float)
        slope = float(np.polyfit(m, np.array([c[key] for c in row]), 1)[0])
        marginal = None if not out else (slope * 1e6 - out[-1]["slope_us_per_month"]) * 1e3 / (n - out[-1]["residents"])
        out.append({"residents": n, "slope_us_per_month": slope * 1e6, "marginal_ns_per_agent_month": marginal})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--residents", default="1000,3000,10000,30000,100000")
    ap.add_argument("--months", default="36,72,144,240,480")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", default=str(Path(__file__).parent / "results" / "scaling.json"))
    a = ap.parse_args()
    widen_registry()
    residents = [int(x) for x in a.residents.split(",")]
    months = [int(x) for x in a.months.split(",")]
    lean(params(1000, 24), 0)  # loads the compiled passes
    full(params(1000, 24), 0)
    load_before = os.getloadavg()
    cells = []
    seed = 1
    for n in residents:
        for mo in months:
            p = params(n, mo)
            samples = {"lean": [], "run": []}
            for r in range(a.repeats):
                order = (("lean", lean), ("run", full)) if r % 2 == 0 else (("run", full), ("lean", lean))
                for name, fn in order:
                    samples[name].append(cpu(fn, p, seed))
                seed += 1
            cell = {"residents": n, "months": mo, "lean": statistics.median(samples["lean"]),
                    "run": statistics.median(samples["run"])}
            cells.append(cell)
            print(f"{n:>7} residents {mo:>4} months: lean {cell['lean'] * 1e3:8.1f} ms   "
                  f"run {cell['run'] * 1e3:8.1f} ms", flush=True)
    load_after = os.getloadavg()
    result = {"cells": cells, "repeats": a.repeats, "inhabitants_per_agent": IPA,
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version(), "loadavg_before": load_before,
                          "loadavg_after": load_after},
              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    for key in ("lean", "run"):
        f = fit(cells, key)
        f["per_residents_level"] = per_level(cells, key)
        result[f"fit_{key}"] = f
        print(f"\n{key}: t = {f['c_ms']:.2f} ms + {f['d_us_per_agent']:.2f} us x residents + "
              f"{f['a_us_per_month']:.1f} us x months + {f['b_ns_per_agent_month']:.2f} ns x residents x months "
              f"(max residual {f['max_relative_residual']:.0%})")
        for lv in f["per_residents_level"]:
            marginal = lv["marginal_ns_per_agent_month"]
            print(f"  {lv['residents']:>7} residents: {lv['slope_us_per_month']:8.1f} us/month"
                  + ("" if marginal is None else f", {marginal:6.2f} ns per added resident-month"))
    print(f"load average before/after: {load_before[0]:.1f} / {load_after[0]:.1f}")
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {a.json}")


if __name__ == "__main__":
    main()
