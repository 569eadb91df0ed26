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

from collections.abc import Callable
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
    order = None
    if x is not None:
        x = np.asarray(x, dtype=float)
        order = np.argsort(x, kind="stable")
        x, y = x[order], y[order]
    else:
        x = np.arange(len(y), dtype=float)
    ok, level = _candidates(y, x if order is not None else None, window, min_length, band, rise)
    if ok is None:
        return None
    if potential is not None:
        pot = np.asarray(potential, dtype=float)
        if pot.ndim:
            pot = moving_average(pot[order] if order is not None else pot, window)
        ok &= np.broadcast_to(pot, level.shape) > level * (1.0 + band)
    idx = np.flatnonzero(ok)
    if not len(idx):
        return None
    i = int(idx[0])
    return Plateau(index=i, at=float(x[i]), level=float(level[i]))


def detect_plateau_against(y, potential_until: Callable[[int], np.ndarray], *, window: int = 12,
                           min_length: float = 24, band: float = 0.05,
                           rise: float = 0.5) -> tuple[Plateau, float] | None:
    """``detect_plateau(y, potential=p)`` over time, asking for the potential curve only as far as it is read.

    ``potential_until(n)`` returns at least the first ``n`` points of the potential (a paired run stepped that
    far).  Condition 3 at point i reads the potential's trailing average at i, which depends on its first i + 1
    points only, so the candidates of conditions 1-2 are tried in order and the paired run stops at the first
    that holds: the same plateau, bit for bit (``np.cumsum`` adds in order).  Returns the plateau and the
    potential's level there, or None."""
    y = np.asarray(y, dtype=float)
    ok, level = _candidates(y, None, window, min_length, band, rise)
    if ok is None:
        return None
    for i in np.flatnonzero(ok):
        pot_level = moving_average(np.asarray(potential_until(int(i) + 1), dtype=float), window)[i]
        if pot_level > level[i] * (1.0 + band):
            return Plateau(index=int(i), at=float(i), level=float(level[i])), float(pot_level)
    return None


def _candidates(y: np.ndarray, x: np.ndarray | None, window: int, min_length: float, band: float,
                rise: float) -> tuple[np.ndarray | None, np.ndarray]:
    """Where conditions 1 and 2 hold (None: too short a curve), and the moving-average level; ``x`` (sorted)
    for a curve across runs, None over time."""
    if len(y) < 2:
        return None, y
    m = moving_average(y, window)
    running_min = np.minimum.accumulate(m)
    if x is not None:
        # across runs: the plateau lasts to the end of the range
        hi = np.maximum.accumulate(m[::-1])[::-1]
        lo = np.minimum.accumulate(m[::-1])[::-1]
        span_ok = (x[-1] - x) >= min_length
    else:
        n_after = int(min_length)
        if len(m) < n_after + 1:
            return None, m
        win = sliding_window_view(m, n_after + 1)
        hi = np.r_[win.max(axis=1), np.full(n_after, np.inf)]
        lo = np.r_[win.min(axis=1), np.full(n_after, -np.inf)]
        span_ok = np.r_[np.ones(len(win), bool), np.zeros(n_after, bool)]
    level = m
    tol = band * np.abs(level)
    ok = (level > 0) & span_ok & (hi - level <= tol) & (level - lo <= tol)
    ok &= (level - np.r_[level[0], running_min[:-1]]) >= rise * level
    ok &= np.arange(len(m)) >= min(window, len(m)) - 1
    return ok, level
