"""Sensitivity indices of a stochastic model with SALib: Sobol' (S1, ST, S2), Morris (mu*, sigma) and PAWN.

SALib has no replicate axis, so each index is computed on the replicate mean of every design point, and its
interval comes from a two-level bootstrap (design blocks, then replicates within each point; ``noise.py``):

* Sobol': the Saltelli rows (A, AB_1..AB_D, [BA_1..BA_D], B) of one base sample are resampled together, and the
  indices recomputed with SALib's own estimators (``SALib.analyze.sobol.first_order`` etc.), vectorised over the
  bootstrap samples as SALib does internally.
* Morris: ``SALib.analyze.morris.analyze`` gives mu*, sigma and mu; resamples of whole trajectories reuse the
  elementary effects (linear in y; ``morris_effects`` is checked against SALib).
* PAWN (moment-independent, for non-smooth outputs): ``SALib.analyze.pawn.analyze`` gives the median KS
  statistic; resamples use an exact vectorised copy of it (``pawn_median``), and the interval is the basic
  bootstrap one, since resampling biases KS upward.  A *dummy* factor that the model never reads is analysed
  alongside, and a
  factor counts as influential only if its lower bound exceeds the dummy's upper bound (the noise floor of the
  estimator at this sample size; Khorashadi Zadeh et al. 2017).

Point estimates are SALib's on the full data.  Negative Sobol' indices are kept: the report says whether the
interval includes zero (estimator noise) or not (too few samples).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .noise import bootstrap_columns

COLUMNS = ("output", "parameter", "method", "index", "value", "conf_low", "conf_high", "conf", "note")
DUMMY = "(dummy)"


def _interval(boot: np.ndarray, conf_level: float, estimate=None) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval; with ``estimate``, the basic (reverse-percentile) interval 2*est - q, which corrects
    a statistic that resampling biases (PAWN's KS distance grows with duplicated rows)."""
    a = (1 - conf_level) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanquantile(boot, [a, 1 - a], axis=0)
    if estimate is not None:
        lo, hi = 2 * np.asarray(estimate) - hi, 2 * np.asarray(estimate) - lo
    return lo, hi


def _rows(output: str, names: Iterable[str], method: str, index: str, value, lo, hi) -> list[dict]:
    out = []
    for name, v, a, b in zip(names, np.atleast_1d(value), np.atleast_1d(lo), np.atleast_1d(hi), strict=True):
        out.append({"output": output, "parameter": name, "method": method, "index": index, "value": float(v),
                    "conf_low": float(a), "conf_high": float(b), "conf": float((b - a) / 2), "note": ""})
    return out


@contextlib.contextmanager
def _quiet():
    """SALib warns on constant outputs and empty PAWN slices; the report states those cases itself."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# --------------------------------------------------------------------------------------------- Sobol'
def sobol_indices(problem: dict, y: np.ndarray, *, second_order: bool, n_boot: int, conf_level: float,
                  rng: np.random.Generator, output: str = "y", base_rows: int | None = None,
                  with_s2: bool = True) -> list[dict]:
    """S1, ST (and S2) of the replicate means of a Saltelli design (``y``: points x replicates, point order of
    ``SALib.sample.sobol.sample``); ``base_rows`` keeps only the first base rows (convergence at N/4, N/2)."""
    from SALib.analyze import sobol as sobol_an

    d = problem["num_vars"]
    step = 2 * d + 2 if second_order else d + 2
    n = y.shape[0] // step if base_rows is None else base_rows
    y = y[: n * step]
    names = problem["names"]
    prob = {k: problem[k] for k in ("num_vars", "names", "bounds")}
    with _quiet():
        si = sobol_an.analyze(prob, y.mean(axis=1), calc_second_order=second_order, num_resamples=2,
                              conf_level=conf_level, seed=int(rng.integers(2**31)))
    s1_b, st_b, s2_b = [], [], []
    pairs = [(j, k) for j in range(d) for k in range(j + 1, d)] if second_order and with_s2 else []
    for yb in bootstrap_columns(y, n_boot, rng):
        b = yb.shape[1]
        blk = yb.reshape(n, step, b)
        rows = rng.integers(0, n, size=(n, b))
        cols = np.arange(b)[None, :]
        a_, b_ = blk[rows, 0, cols], blk[rows, step - 1, cols]
        with _quiet():
            ab = [blk[rows, 1 + j, cols] for j in range(d)]
            s1_b.append(np.stack([sobol_an.first_order(a_, ab[j], b_) for j in range(d)], axis=1))
            st_b.append(np.stack([sobol_an.total_order(a_, ab[j], b_) for j in range(d)], axis=1))
            if pairs:
                ba = [blk[rows, 1 + d + j, cols] for j in range(d)]
                s2_b.append(np.stack([sobol_an.second_order(a_, ab[j], ab[k], ba[j], b_) for j, k in pairs], axis=1))
    rows_out = []
    for key, boots in (("S1", s1_b), ("ST", st_b)):
        lo, hi = _interval(np.concatenate(boots), conf_level)
        rows_out += _rows(output, names, "sobol", key, si[key], lo, hi)
    if pairs:
        lo, hi = _interval(np.concatenate(s2_b), conf_level)
        values = [si["S2"][j, k] for j, k in pairs]
        rows_out += _rows(output, [f"{names[j]},{names[k]}" for j, k in pairs], "sobol", "S2", values, lo, hi)
    return rows_out


# --------------------------------------------------------------------------------------------- Morris
def morris_indices(problem: dict, x: np.ndarray, y: np.ndarray, *, num_levels: int, n_boot: int,
                   conf_level: float, rng: np.random.Generator, output: str = "y",
                   trajectories: int | None = None) -> list[dict]:
    """mu*, sigma (and mu) of the replicate means of a Morris design (SALib's values); the bootstrap resamples
    whole trajectories and replicates, with ``morris_effects`` (elementary effects are linear in y)."""
    from SALib.analyze import morris as morris_an

    d = problem["num_vars"]
    t = x.shape[0] // (d + 1) if trajectories is None else trajectories
    x, y = x[: t * (d + 1)], y[: t * (d + 1)]
    prob = {k: problem[k] for k in ("num_vars", "names", "bounds")}
    with _quiet():
        r = morris_an.analyze(prob, x, y.mean(axis=1), num_resamples=2, conf_level=conf_level,
                              num_levels=num_levels, seed=1)
    values = {"mu_star": np.array(r["mu_star"]), "sigma": np.array(r["sigma"]), "mu": np.array(r["mu"])}
    boots = {k: [] for k in values}
    for yb in bootstrap_columns(y, n_boot, rng):
        ee = morris_effects(x, yb, d, num_levels)  # (t, d, b)
        traj = rng.integers(0, t, size=(t, yb.shape[1]))
        e = np.take_along_axis(ee, traj[:, None, :], axis=0)
        boots["mu_star"].append(np.abs(e).mean(axis=0).T)
        boots["sigma"].append(e.std(axis=0, ddof=1).T)
        boots["mu"].append(e.mean(axis=0).T)
    out = []
    for key, value in values.items():
        lo, hi = _interval(np.concatenate(boots[key]), conf_level)
        out += _rows(output, problem["names"], "morris", key, value, lo, hi)
    return out


def morris_effects(x: np.ndarray, y: np.ndarray, d: int, num_levels: int) -> np.ndarray:
    """Elementary effects (trajectories, factors, columns of y) as SALib computes them (unscaled, step
    ``num_levels / (2 (num_levels - 1))`` in unit-cube terms, sign from the direction of the move)."""
    y = y.reshape(len(y), -1)
    t = len(x) // (d + 1)
    xs = x[: t * (d + 1)].reshape(t, d + 1, d)
    ys = y[: t * (d + 1)].reshape(t, d + 1, y.shape[1])
    dx = np.diff(xs, axis=1)  # (t, d steps, d factors): one factor moves per step
    which = np.abs(dx).argmax(axis=2)  # (t, d)
    sign = np.sign(np.take_along_axis(dx, which[:, :, None], axis=2)[:, :, 0])
    dy = np.diff(ys, axis=1) * sign[:, :, None] / (num_levels / (2 * (num_levels - 1)))
    ee = np.empty((t, d, y.shape[1]))
    np.put_along_axis(ee, which[:, :, None], dy, axis=1)
    return ee


# --------------------------------------------------------------------------------------------- PAWN
def pawn_indices(problem: dict, x: np.ndarray, y: np.ndarray, *, slices: int, n_boot: int, conf_level: float,
                 rng: np.random.Generator, output: str = "y", dummy: np.ndarray | None = None) -> list[dict]:
    """Median PAWN index (KS distance between conditional and unconditional output distributions), with a
    two-level bootstrap interval, for every factor and a dummy factor (``dummy``: its sampled values)."""
    from SALib.analyze import pawn

    n = x.shape[0]
    if dummy is None:
        dummy = rng.uniform(size=n)
    xx = np.column_stack([x, dummy[:n]])
    names = [*problem["names"], DUMMY]
    prob = {"num_vars": len(names), "names": names, "bounds": [*problem["bounds"], [0.0, 1.0]]}

    with _quiet():
        value = np.asarray(pawn.analyze(prob, xx, y.mean(axis=1), S=slices)["median"])
    boots = []
    for yb in bootstrap_columns(y, n_boot, rng):
        for k in range(yb.shape[1]):
            rows = rng.integers(0, n, size=n)
            boots.append(pawn_median(xx[rows], yb[rows, k], slices))
    lo, hi = _interval(np.array(boots), conf_level, estimate=value)
    out = _rows(output, names, "pawn", "median", value, lo, hi)
    cutoff = out[-1]["conf_high"]
    for r in out[:-1]:
        r["note"] = "above dummy cut-off" if r["conf_low"] > cutoff else \
            f"not distinguishable from the dummy (cut-off {cutoff:.3g})"
    out[-1]["note"] = "dummy factor the model never reads: its upper bound is the cut-off"
    return out


def pawn_median(x: np.ndarray, y: np.ndarray, slices: int) -> np.ndarray:
    """SALib's PAWN median (``SALib.analyze.pawn.analyze(...)["median"]``, same slices, same KS statistic),
    vectorised for the bootstrap: scipy's ks_2samp costs ~2 ms a call, and a bootstrap makes thousands.
    ``tests/test_sensitivity.py`` checks that it equals SALib's value."""
    n, d = x.shape
    ys = np.sort(y)
    f_all = np.searchsorted(ys, ys, side="right") / n
    edges = np.nanquantile(x, np.arange(0, 1 + 1 / slices, 1 / slices)[: slices + 1], axis=0)
    out = np.full(d, np.nan)
    for j in range(d):
        ks = np.full(slices, np.nan)
        for s in range(slices):
            sel = y[(x[:, j] >= edges[s, j]) & (x[:, j] < edges[s + 1, j])]
            if len(sel):
                f_sel = np.searchsorted(np.sort(sel), ys, side="right") / len(sel)
                ks[s] = np.max(np.abs(f_sel - f_all))
        out[j] = np.nanmedian(ks) if np.isfinite(ks).any() else np.nan
    return out


def pawn_sample(method: str, d: int, second_order: bool, x: np.ndarray, y: np.ndarray):
    """The rows PAWN reads: for a Saltelli design the independent A and B rows only (the AB/BA rows repeat their
    coordinates); otherwise every point."""
    if method != "sobol":
        return x, y
    step = 2 * d + 2 if second_order else d + 2
    keep = np.sort(np.r_[np.arange(0, len(x), step), np.arange(step - 1, len(x), step)])
    return x[keep], y[keep]


# --------------------------------------------------------------------------------------------- notes
def explain(df: pd.DataFrame) -> pd.DataFrame:
    """Notes for negative variance-based indices (kept, never clipped)."""
    df = df.copy()
    neg = (df["method"] == "sobol") & (df["value"] < 0)
    for i in df.index[neg]:
        if df.at[i, "conf_high"] >= 0:
            df.at[i, "note"] = "negative but its interval includes 0: estimator noise around a negligible index"
        else:
            df.at[i, "note"] = ("negative and its interval excludes 0: the estimator has not converged (raise "
                                "design.samples or replicates)")
    return df


def frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(COLUMNS))
