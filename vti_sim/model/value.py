"""Public value: six generators feed seven value types; five sources destroy value.

Harrison et al. (2012) name the generators and the value types; seed 002 §1.4
(the Csukás & Szabó / Harrison / Jørgensen & Bozeman table) says which value
types each kind of smart-city activity feeds.  The matrices below encode that
table; their weights are assumptions documented in ``docs/ODD.md`` §7.3.
Units are "public value units" (PVU): one PVU is what a fully used action
worth EUR 1M of potential yields in one month.  Only comparisons are meaningful.
"""

from __future__ import annotations

import numpy as np
from numba import njit

VALUE_TYPES = ("economic", "political", "social", "strategic", "quality_of_life", "ideological", "stewardship")
GENERATORS = ("efficiency", "effectiveness", "intrinsic_enhancement", "transparency", "participation", "collaboration")
DESTRUCTION_SOURCES = ("exclusion", "privacy", "footprint", "stale_data", "unanswered_consultation")

# rows: generators; columns: value types.  Each row sums to 1 so a generator's output is conserved.
# seed 002 §1.4: Efficience / Réduction des coûts / Connaissance -> Économique, Stratégique;
# Engagement citoyen -> Politique, Sociale, Idéologique, Intendance; Qualité de vie, Impact environnemental ->
# Qualité de vie; Inclusion -> Sociale; Connectivité -> Économique, Sociale, Stratégique.
GENERATOR_TO_TYPE = np.array([
    # econ  polit  social strat  qol   ideol  stew
    [0.55, 0.00, 0.00, 0.35, 0.10, 0.00, 0.00],  # efficiency
    [0.15, 0.05, 0.20, 0.20, 0.40, 0.00, 0.00],  # effectiveness
    [0.00, 0.05, 0.25, 0.00, 0.50, 0.20, 0.00],  # intrinsic enhancement
    [0.00, 0.35, 0.05, 0.05, 0.00, 0.15, 0.40],  # transparency
    [0.00, 0.35, 0.25, 0.00, 0.00, 0.20, 0.20],  # participation
    [0.15, 0.10, 0.35, 0.25, 0.00, 0.00, 0.15],  # collaboration
])

# rows: destruction sources; columns: value types (rows sum to 1).
DESTRUCTION_TO_TYPE = np.array([
    # econ  polit  social strat  qol   ideol  stew
    [0.00, 0.20, 0.50, 0.00, 0.30, 0.00, 0.00],  # exclusion of low-literacy residents
    [0.00, 0.40, 0.00, 0.00, 0.00, 0.00, 0.60],  # privacy harm
    [0.00, 0.00, 0.00, 0.00, 0.60, 0.40, 0.00],  # environmental footprint
    [0.00, 0.00, 0.00, 0.50, 0.00, 0.00, 0.50],  # stale open data
    [0.00, 0.50, 0.00, 0.00, 0.00, 0.00, 0.50],  # consultations with no visible result
])

assert np.allclose(GENERATOR_TO_TYPE.sum(axis=1), 1.0)
assert np.allclose(DESTRUCTION_TO_TYPE.sum(axis=1), 1.0)


def to_types(generator_output: np.ndarray) -> np.ndarray:
    """Generator outputs (6,) -> created value by type (7,)."""
    return generator_output @ GENERATOR_TO_TYPE


def destruction_to_types(destroyed_by_source: np.ndarray) -> np.ndarray:
    """Destroyed value by source (5,) -> destroyed value by type (7,)."""
    return destroyed_by_source @ DESTRUCTION_TO_TYPE


def account(generator_output: np.ndarray, destroyed_by_source: np.ndarray):
    """One month's books: (created by type (7,), destroyed by type (7,), created total, destroyed total)."""
    created, destroyed = np.empty(len(VALUE_TYPES)), np.empty(len(VALUE_TYPES))
    c, d = _account(generator_output, destroyed_by_source, GENERATOR_TO_TYPE, DESTRUCTION_TO_TYPE, created, destroyed)
    return created, destroyed, c, d


@njit(cache=True)
def _account(generator_output, destroyed_by_source, generator_to_type, destruction_to_type, created, destroyed):
    created_total = destroyed_total = 0.0
    for t in range(created.size):
        c = 0.0
        for g in range(generator_output.size):
            c += generator_output[g] * generator_to_type[g, t]
        created[t] = c
        d = 0.0
        for k in range(destroyed_by_source.size):
            d += destroyed_by_source[k] * destruction_to_type[k, t]
        destroyed[t] = d
        created_total += c
        destroyed_total += d
    return created_total, destroyed_total
