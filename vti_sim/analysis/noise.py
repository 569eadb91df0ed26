"""Replicates: the (points x replicates) matrix of an output, its noise share, and the two-level bootstrap.

A stochastic model's output at design point x is Y = f(x) + noise.  By the law of total variance
``Var(Y) = E[Var(Y|X)] + Var(E[Y|X])``; with R replicates per point the unbiased estimators are
``within = mean_i s_i^2`` (ddof 1) and ``between = var(ybar) - within / R``.  The noise share is
``within / (within + between)``.  ``between`` may come out negative when noise swamps the factors: it is
reported as is, never clipped.

The two-level bootstrap (for the indices) resamples design points (or blocks of points, e.g. a Saltelli row or a Morris
trajectory) with replacement, and within each point its replicates with replacement, so the intervals carry both
the sampling error of the design and the model's own noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Health:
    """NaN / missing runs of one output: reported, never dropped silently."""

    runs: int
    nan_runs: int
    points: int
    nan_points: int  # points with at least one NaN replicate
    missing_runs: int  # runs expected by the design but absent from the store

    @property
    def ok(self) -> bool:
        return self.nan_runs == 0 and self.missing_runs == 0


def replicate_matrix(runs: pd.DataFrame, column: str, n_points: int, replicates: int) -> np.ndarray:
    """An (n_points, replicates) float matrix (NaN where a run is missing or its output undefined)."""
    y = np.full((n_points, replicates), np.nan)
    p = runs["point"].to_numpy(np.int64)
    r = runs["replicate"].to_numpy(np.int64)
    y[p, r] = runs[column].to_numpy(np.float64)
    return y


def health(runs: pd.DataFrame, column: str, n_points: int, replicates: int) -> Health:
    y = replicate_matrix(runs, column, n_points, replicates)
    bad = ~np.isfinite(y)
    missing = n_points * replicates - len(runs)
    return Health(runs=n_points * replicates, nan_runs=int(bad.sum()) - missing, points=n_points,
                  nan_points=int(bad.any(axis=1).sum()), missing_runs=missing)


def variance_components(y: np.ndarray) -> dict[str, float]:
    """Within-point (noise) and between-point (factors) variance of an (n, R) matrix, and the noise share."""
    n, r = y.shape
    within = float(np.mean(np.var(y, axis=1, ddof=1)))
    between = float(np.var(y.mean(axis=1), ddof=1) - within / r)
    total = within + between
    return {"within": within, "between": between, "noise_share": within / total if total > 0 else float("nan"),
            "noise_share_of_mean": (within / r) / (within / r + between) if within / r + between > 0
            else float("nan")}


def resample_replicates(y: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` bootstrap replicate-means per point: an (n, size) matrix, each column resampling every point's
    replicates with replacement (the inner level of the two-level bootstrap)."""
    n, r = y.shape
    if r == 1:
        return np.repeat(y, size, axis=1)
    idx = rng.integers(0, r, size=(n, r, size), dtype=np.int16 if r < 2**15 else np.int64)
    return np.take_along_axis(y[:, :, None], idx, axis=1).mean(axis=1)


def bootstrap_columns(y: np.ndarray, n_boot: int, rng: np.random.Generator, batch: int = 32):
    """Yield bootstrap replicate-mean matrices (n_points, b) in batches of at most ``batch`` columns."""
    done = 0
    budget = max(1, int(4e6 // max(y.size, 1)))  # keep each batch's index array around 4 M entries
    batch = max(1, min(batch, budget))
    while done < n_boot:
        b = min(batch, n_boot - done)
        yield resample_replicates(y, rng, b)
        done += b


def noise_share(y: np.ndarray, n_boot: int, conf_level: float, rng: np.random.Generator) -> pd.DataFrame:
    """Variance components with bootstrap intervals: rows index within / between / noise_share.

    Only design points are resampled here: each point's s_i^2 is already an unbiased estimate of its noise, and
    resampling replicates too would shrink it by (R-1)/R."""
    est = variance_components(y)
    n = y.shape[0]
    boots = [variance_components(y[rng.integers(0, n, n)]) for _ in range(n_boot)]
    a = (1 - conf_level) / 2
    out = []
    for key, value in est.items():
        b = np.array([x[key] for x in boots])
        lo, hi = np.nanquantile(b, [a, 1 - a]) if np.isfinite(b).any() else (np.nan, np.nan)
        out.append({"index": key, "value": value, "conf_low": float(lo), "conf_high": float(hi)})
    return pd.DataFrame(out)
