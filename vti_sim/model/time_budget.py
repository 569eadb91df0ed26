"""Time budgets and the rationing rule that decides what gives when demand exceeds capacity.

Every person has monthly hours; routine duties take their share first
(``capacity = hours * (1 - routine) * capacity_factor``).  VTI activities then
compete for what is left.  Rationing is **proportional**: when a person's total
demand exceeds their capacity, every activity they were asked for is served in
the same proportion (``served = demand * min(1, capacity / total)``), and the
rest is recorded as unmet demand.  The rule is neutral between governance
modes, so any squeeze on openness must come from how much it demands, not from
a priority written into the code (ODD §7.2).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .data import STAFF_HOURS_PER_MONTH

ACTIVITIES = ("steering", "open_governance", "delivery", "evaluation", "training")
N_ACTIVITIES = len(ACTIVITIES)
STEERING, OPEN, DELIVERY, EVALUATION, TRAINING = range(N_ACTIVITIES)

HOURS_PER_MONTH = {"staff": STAFF_HOURS_PER_MONTH}
"""Statutory monthly hours of operational staff (35 h/week).  Officials and directors work longer: their monthly
hours are assumptions of the registry (``hours_per_month_elected``, ``hours_per_month_directors``)."""


def hours_per_month(role: str, p: Mapping) -> float:
    """Monthly working hours of one person of ``role`` under the run's parameters ``p``."""
    return STAFF_HOURS_PER_MONTH if role == "staff" else float(p[f"hours_per_month_{role}"])


def ration(demand: np.ndarray, capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Serve an (n_people, n_activities) demand from (n_people,) capacities, proportionally.

    Returns ``(served, fulfilment)`` where ``fulfilment[i]`` is the share of person i's
    demand that was met.  ``served.sum(1) <= capacity`` always holds.
    """
    total = demand.sum(axis=1)
    fulfilment = np.minimum(1.0, capacity / np.maximum(total, 1e-12))
    return demand * fulfilment[:, None], fulfilment


def capacity(hours: float, routine: np.ndarray, share: np.ndarray | float, factor: float) -> np.ndarray:
    """Hours left for the VTI policy once routine duties are done."""
    return hours * (1.0 - routine) * share * factor
