"""Public value: six generators feed seven value types; five sources destroy value.

Harrison et al. (2012) name the generators and the value types; seed 002 §1.4
(the Csukás & Szabó / Harrison / Jørgensen & Bozeman table) says which value
types each kind of smart-city activity feeds.  ``FEEDS`` and ``HARMS`` encode
that table's structure (which cells can be non-zero); the weight of each cell is
a registry assumption (``value_weight_<generator>_to_<type>``,
``destruction_weight_<source>_to_<type>``, ODD §7.10).  Each row is normalised
to sum to 1 so a generator's output is conserved whatever the weights.
Units are "public value units" (PVU): one PVU is what a fully used action
worth EUR 1M of potential yields in one month.  Only comparisons are meaningful.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numba import njit

VALUE_TYPES = ("economic", "political", "social", "strategic", "quality_of_life", "ideological", "stewardship")
GENERATORS = ("efficiency", "effectiveness", "intrinsic_enhancement", "transparency", "participation", "collaboration")
DESTRUCTION_SOURCES = ("exclusion", "privacy", "footprint", "stale_data", "unanswered_consultation")

# seed 002 §1.4: Efficience / Réduction des coûts / Connaissance -> Économique, Stratégique;
# Engagement citoyen -> Politique, Sociale, Idéologique, Intendance; Qualité de vie, Impact environnemental ->
# Qualité de vie; Inclusion -> Sociale; Connectivité -> Économique, Sociale, Stratégique.
FEEDS = {
    "efficiency": ("economic", "strategic", "quality_of_life"),
    "effectiveness": ("economic", "political", "social", "strategic", "quality_of_life"),
    "intrinsic_enhancement": ("political", "social", "quality_of_life", "ideological"),
    "transparency": ("political", "social", "strategic", "ideological", "stewardship"),
    "participation": ("political", "social", "ideological", "stewardship"),
    "collaboration": ("economic", "political", "social", "strategic", "stewardship"),
}
HARMS = {
    "exclusion": ("political", "social", "quality_of_life"),  # of low-literacy residents
    "privacy": ("political", "stewardship"),
    "footprint": ("quality_of_life", "ideological"),  # environmental footprint
    "stale_data": ("strategic", "stewardship"),  # stale open data
    "unanswered_consultation": ("political", "stewardship"),  # consultations with no visible result
}


def _matrix(rows: tuple[str, ...], cells: dict[str, tuple[str, ...]], prefix: str, p: Mapping) -> np.ndarray:
    m = np.zeros((len(rows), len(VALUE_TYPES)))
    for i, row in enumerate(rows):
        for t in cells[row]:
            m[i, VALUE_TYPES.index(t)] = p[f"{prefix}_{row}_to_{t}"]
    return m / m.sum(axis=1, keepdims=True)


def type_matrices(p: Mapping) -> tuple[np.ndarray, np.ndarray]:
    """(generator -> type (6, 7), destruction source -> type (5, 7)), rows normalised, from the run's weights."""
    return (_matrix(GENERATORS, FEEDS, "value_weight", p),
            _matrix(DESTRUCTION_SOURCES, HARMS, "destruction_weight", p))


def to_types(generator_output: np.ndarray, generator_to_type: np.ndarray) -> np.ndarray:
    """Generator outputs (6,) -> created value by type (7,)."""
    return generator_output @ generator_to_type


def destruction_to_types(destroyed_by_source: np.ndarray, destruction_to_type: np.ndarray) -> np.ndarray:
    """Destroyed value by source (5,) -> destroyed value by type (7,)."""
    return destroyed_by_source @ destruction_to_type


def account(generator_output: np.ndarray, destroyed_by_source: np.ndarray, matrices: tuple[np.ndarray, np.ndarray]):
    """One month's books: (created by type (7,), destroyed by type (7,), created total, destroyed total);
    ``matrices`` is ``type_matrices(p)``, computed once per run."""
    created, destroyed = np.empty(len(VALUE_TYPES)), np.empty(len(VALUE_TYPES))
    c, d = _account(generator_output, destroyed_by_source, matrices[0], matrices[1], created, destroyed)
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
