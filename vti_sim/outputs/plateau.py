"""An operational definition of the 'plateau' (seed 002 §3.6: 'on atteint un certain plateau').

Definition (ODD §7.10).  Take the ``window``-point trailing moving average m
of a value curve.  A plateau starts at the first point i where
  1. the level m[i] is positive and was reached by rising: m[i] - min(m[:i]) >= rise * m[i];
  2. m stays within ``band * m[i]`` of m[i] for at least ``min_length`` points after i;
  3. where a *potential* is given (what the same policy reaches with unconstrained
     time), that potential is above the plateau level by more than the band.
Within a run the curve is monthly net value over time; across runs it is value
against openness at fixed resources (``x`` given: sorted by x, and the plateau
must last to the end of the range and span ``min_length`` x-units).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


@dataclass(frozen=True)
class Plateau:
    index: int  # position in the (sorted) series where the plateau starts
    at: float  # the month, or the x value, where it starts
    level: float  # moving-average level at the start


def moving_average(y: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average; the first points average what is available."""
    c = np.cumsum(np.r_[0.0, y])
    n = np.arange(1, len(y) + 1)
    lo = np.maximum(n - window, 0)
    return (c[n] - c[lo]) / (n - lo)


def detect_plateau(y, x=None, *, window: int = 12, min_length: float = 24, band: float = 0.05,
                   rise: float = 0.5, potential=None) -> Plateau | None:
    """Return the first plateau of ``y`` (over time, or over ``x``), or None."""
    y = np.asarray(y, dtype=float)
    across = x is not None
    order = None
    if across:
        x = np.asarray(x, dtype=float)
        order = np.argsort(x, kind="stable")
        x, y = x[order], y[order]
    else:
        x = np.arange(len(y), dtype=float)
    if len(y) < 2:
        return None
    m = moving_average(y, window)
    pot = None
    if potential is not None:
        pot = np.asarray(potential, dtype=float)
        if pot.ndim:
            pot = moving_average(pot[order] if order is not None else pot, window)
        pot = np.broadcast_to(pot, m.shape)
    running_min = np.minimum.accumulate(m)
    if across:
        # across runs: the plateau lasts to the end of the range
        hi = np.maximum.accumulate(m[::-1])[::-1]
        lo = np.minimum.accumulate(m[::-1])[::-1]
        span_ok = (x[-1] - x) >= min_length
    else:
        n_after = int(min_length)
        if len(m) < n_after + 1:
            return None
        win = sliding_window_view(m, n_after + 1)
        hi = np.r_[win.max(axis=1), np.full(n_after, np.inf)]
        lo = np.r_[win.min(axis=1), np.full(n_after, -np.inf)]
        span_ok = np.r_[np.ones(len(win), bool), np.zeros(n_after, bool)]
    level = m
    tol = band * np.abs(level)
    ok = (level > 0) & span_ok & (hi - level <= tol) & (level - lo <= tol)
    ok &= (level - np.r_[level[0], running_min[:-1]]) >= rise * level
    ok &= np.arange(len(m)) >= min(window, len(m)) - 1
    if pot is not None:
        ok &= pot > level * (1.0 + band)
    idx = np.flatnonzero(ok)
    if not len(idx):
        return None
    i = int(idx[0])
    return Plateau(index=i, at=float(x[i]), level=float(level[i]))
