"""Designs and seeds: SALib's samplers draw the design from the experiment seed; each run's seed derives from
(point, replicate) only, so results do not depend on workers, order or chunking."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .experiment import Experiment

SEEDING = "numpy.random.SeedSequence(entropy=experiment_seed, spawn_key=(point, replicate)).generate_state(1)[0]"


# --------------------------------------------------------------------------------------------- designs
@dataclass(frozen=True)
class Design:
    """The sample matrix: ``x`` in sampler units (what SALib analyses), ``points`` decoded (registry units)."""

    x: np.ndarray  # (n_points, n_factors)
    points: dict[str, np.ndarray]  # parameter -> one decoded value per point (object arrays for choices)

    @property
    def n_points(self) -> int:
        return int(self.x.shape[0])

    def frame(self):
        import pandas as pd

        cols = {"point": np.arange(self.n_points, dtype=np.int64), **self.points}
        cols.update({f"x__{name}": self.x[:, j] for j, name in enumerate(self.points)})
        return pd.DataFrame(cols)


def sampler_seed(seed: int) -> int:
    """The 32-bit seed handed to SALib's sampler, derived from the experiment seed (spawn key 'design')."""
    return int(np.random.SeedSequence(entropy=seed, spawn_key=(0x64657369,)).generate_state(1)[0])


def run_seed(seed: int, point: int, replicate: int) -> int:
    """The model seed of one run (see module docstring)."""
    return int(np.random.SeedSequence(entropy=seed, spawn_key=(point, replicate)).generate_state(1)[0])


def build_design(exp: Experiment) -> Design:
    """Draw the design with SALib (lhs: latin, sobol: Saltelli/Sobol', morris: trajectories) or a full grid."""
    problem = {k: v for k, v in exp.problem().items() if k != "outputs"}
    s = sampler_seed(exp.seed)
    if exp.method == "grid":
        grids = [f.grid() for f in exp.factors]
        x = np.array(list(itertools.product(*[g[0] for g in grids])), dtype=float).reshape(-1, len(grids))
        decoded = list(itertools.product(*[g[1] for g in grids]))
        points = {f.name: f.array(row[j] for row in decoded) for j, f in enumerate(exp.factors)}
        return Design(x, points)
    if exp.method == "oat":
        return _one_at_a_time(exp)
    if exp.method == "lhs":
        from SALib.sample import latin

        x = latin.sample(problem, exp.samples, seed=s)
    elif exp.method == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, exp.samples, calc_second_order=exp.options["second_order"],
                         scramble=exp.options["scramble"], seed=s)
    else:
        from SALib.sample import morris

        x = morris.sample(problem, exp.samples, num_levels=exp.options["num_levels"], seed=s)
    x = np.asarray(x, dtype=float)
    points = {f.name: f.decode_many(x[:, j]) for j, f in enumerate(exp.factors)}
    return Design(x, points)


def _one_at_a_time(exp: Experiment) -> Design:
    """One factor at a time: each factor at its min and its max (or at each listed value), every other factor at
    the base value.  The screening that says which single coefficient, within its plausible range, moves a result;
    SALib has no such design.  Points are ordered factor by factor (min, then max)."""
    rows, decoded = [], []
    base = {f.name: exp.base[f.name] for f in exp.factors}
    for f in exp.factors:
        values = list(f.values) if f.values is not None else [f.lo, f.hi]
        for v in values:
            point = dict(base)
            point[f.name] = v
            decoded.append(point)
            rows.append([_encode(g, point[g.name]) for g in exp.factors])
    x = np.array(rows, dtype=float).reshape(-1, len(exp.factors))
    points = {f.name: f.array(p[f.name] for p in decoded) for f in exp.factors}
    return Design(x, points)


def _encode(f, value) -> float:
    """A decoded value back to sampler units (a list's index; NaN for a base value not in the list)."""
    if f.values is not None:
        return float(f.values.index(value)) if value in f.values else float("nan")
    return float(value)
