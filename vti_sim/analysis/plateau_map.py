"""When does the plateau appear?  Maps over pairs of factors of how likely, how early and how high.

Each map is a 2-D grid sweep over one pair of factors (the others at the base values).  In each cell, over the
replicates: the probability that a plateau appears (the run summary's ``plateau_month`` is defined, i.e. the
model core's detector in ``vti_sim.outputs.plateau`` found one), with a Wilson interval; the median onset
month and median level among the replicates that plateau.  The 0.5 contour marks where a plateau becomes more
likely than not.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from . import charts, report
from .noise import replicate_matrix


def wilson(k: np.ndarray, n: int, conf_level: float) -> tuple[np.ndarray, np.ndarray]:
    z = stats.norm.ppf(0.5 + conf_level / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def cells(design, runs: pd.DataFrame, x: str, y: str, replicates: int, conf_level: float) -> pd.DataFrame:
    """One row per grid cell: values of x and y, replicates, P(plateau) with interval, median onset and level."""
    n = design.n_points
    month = replicate_matrix(runs, "plateau_month", n, replicates)
    level = replicate_matrix(runs, "plateau_level", n, replicates)
    present = runs.groupby("point").size().reindex(range(n), fill_value=0).to_numpy()
    has = np.isfinite(month)
    k = has.sum(axis=1)
    lo, hi = wilson(k, replicates, conf_level)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            onset = np.nanmedian(month, axis=1)
            lev = np.nanmedian(level, axis=1)
    return pd.DataFrame({"point": np.arange(n), "x": x, "y": y, "x_value": design.points[x].astype(float),
                         "y_value": design.points[y].astype(float), "replicates": present, "plateaus": k,
                         "p_plateau": k / replicates, "p_low": lo, "p_high": hi, "onset_median": onset,
                         "level_median": lev})


def crossing(c: pd.DataFrame) -> str:
    """A sentence on where P(plateau) crosses 0.5."""
    above = c[c["p_plateau"] >= 0.5]
    if above.empty:
        return "P(plateau) stays below 0.5 in every cell."
    if len(above) == len(c):
        return "P(plateau) is at least 0.5 in every cell."
    return (f"P(plateau) >= 0.5 in {len(above)}/{len(c)} cells: {c['x'].iloc[0]} in "
            f"[{above['x_value'].min():.3g}, {above['x_value'].max():.3g}], {c['y'].iloc[0]} in "
            f"[{above['y_value'].min():.3g}, {above['y_value'].max():.3g}].")


def plateau_report(exp, spec, maps: dict, tmp: Path, out: Path, prov: dict, clock, sweep_s: float) -> None:
    frames, figs = [], []
    for key, (rexp, design, runs) in maps.items():
        x, y = key.split("--")
        if x not in design.points or design.points[x].dtype == object or design.points[y].dtype == object:
            raise ValueError(f"map {key}: both factors must be numeric")
        c = cells(design, runs, x, y, rexp.replicates, spec.conf_level)
        frames.append(c)
        figs.append(charts.plateau_map(c, x, y, tmp / "figures" / f"plateau_{key}.png"))
    allc = pd.concat(frames, ignore_index=True)
    allc.to_csv(tmp / "plateau_map.csv", index=False)
    (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, default=str) + "\n", encoding="utf-8")
    wall = {"sweep compute sessions": report.sweep_wall(out), "this session's sweep": sweep_s,
            "analysis": clock() - sweep_s}
    lines = report.header(f"Plateau maps: {exp.name}", exp, prov, out, wall)
    first = next(iter(maps.values()))[0]
    lines += ["## Design", "",
              f"{len(maps)} grid maps, {first.replicates} replicates per cell, {first.base['months']} months. In each "
              "cell: P(plateau) = share of replicates whose summary `plateau_month` is defined (the model core's "
              "detector, `vti_sim/outputs/plateau.py`; ODD §7.10), with a Wilson interval; onset and level are "
              "medians over the replicates that plateau (NaN where none does). White contour: P = 0.5.", ""]
    for key, c, fig in zip(maps, frames, figs, strict=True):
        x, y = key.split("--")
        lines += [f"## `{x}` x `{y}`", "", crossing(c), "",
                  f"Plateaus in {int(c['plateaus'].sum())} of {int(c['replicates'].sum())} runs; median onset "
                  f"{np.nanmedian(c['onset_median']) if c['plateaus'].any() else float('nan'):.3g} months.", "",
                  f"![{key}](figures/{Path(fig).name})", ""]
    lines += ["## Files", "", "- `plateau_map.csv`: map, x, y, cell values, replicates, plateaus, p_plateau "
              "(p_low, p_high), onset_median, level_median", "- `sweep-map-<x>--<y>/`: the raw runs", ""]
    (tmp / "REPORT.md").write_text("\n".join(lines), encoding="utf-8")
