"""Convergence of sensitivity indices: the same indices at N/4, N/2 and N, and a warning when they have not
settled.  SALib has no convergence tooling; a stochastic model makes it essential.

Two criteria, per output and method, on the main index (Sobol' ST, Morris mu*, PAWN median):
  * ranking: among the top factors at N (up to ``top``, those above 5% of the largest index), a pair whose
    intervals at N are separated was ranked the other way round at N/2 (swaps within overlapping intervals are
    not a ranking, and the width criterion covers them);
  * width: the widest interval half-width at N exceeds ``max_conf`` (for Sobol' and PAWN in index units; for
    Morris relative to the largest mu*).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

MAIN_INDEX = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}
FRACTIONS = (0.25, 0.5, 1.0)


def convergence_table(compute: Callable[[int], pd.DataFrame], n_full: int, minimum: int = 2) -> pd.DataFrame:
    """``compute(n)`` returns the tidy indices using the first ``n`` sampling units (base rows, trajectories or
    points); this stacks them for n = N/4, N/2, N with a column ``n``."""
    frames = []
    for f in FRACTIONS:
        n = max(minimum, int(round(n_full * f)))
        df = compute(n)
        df.insert(len(df.columns), "n", n)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def convergence_warnings(conv: pd.DataFrame, *, max_conf: float, top: int) -> list[dict]:
    """One record per (output, method) whose ranking or interval width has not settled."""
    out = []
    conv = conv[conv["parameter"] != "(dummy)"]
    for (output, method), g in conv.groupby(["output", "method"], sort=False):
        g = g[g["index"] == MAIN_INDEX.get(method, "ST")]
        ns = sorted(g["n"].unique())
        if len(ns) < 2 or g["value"].isna().all():
            continue
        full, half = g[g["n"] == ns[-1]], g[g["n"] == ns[-2]]
        largest = full["value"].abs().max()
        keep = full[full["value"] >= 0.05 * largest].sort_values("value", ascending=False).head(top)
        rank_full = list(keep["parameter"])
        at_half = half.set_index("parameter")["value"]
        lo, hi = full.set_index("parameter")["conf_low"], full.set_index("parameter")["conf_high"]
        flips = [(a, b) for i, a in enumerate(rank_full) for b in rank_full[i + 1:]
                 if lo[a] > hi[b] and at_half.get(b, -np.inf) > at_half.get(a, -np.inf)]
        width = float(full["conf"].max())
        rel = width / largest if method == "morris" and largest > 0 else width
        reasons = []
        if flips:
            reasons.append("ranking changed from N/2 to N: " + ", ".join(f"{a} > {b} at N but not at N/2"
                                                                       for a, b in flips))
        if rel > max_conf:
            unit = " of the largest mu*" if method == "morris" else ""
            reasons.append(f"widest interval half-width {rel:.3g}{unit} > max_conf {max_conf:g}")
        if reasons:
            out.append({"output": output, "method": method, "n": int(ns[-1]), "reason": "; ".join(reasons)})
    return out
