"""Moore's strategic triangle as feedback: value and trust build legitimacy; legitimacy brings resources.

Legitimacy is a slow average of residents' trust and satisfaction.  At each
new budget year it scales the VTI budget; each month it pulls leaders'
commitment; at the end of each mandate an election tests it (ODD §7.9).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

LEGITIMACY_MEMORY_MONTHS = 12.0  # legitimacy follows trust/satisfaction with a one-year lag (assumption)
COMMITMENT_PULL = 0.02  # monthly pull of commitment towards legitimacy (assumption)


def update_legitimacy(legitimacy: float, trust: float, satisfaction: float) -> float:
    target = 0.6 * trust + 0.4 * satisfaction
    return legitimacy + (target - legitimacy) / LEGITIMACY_MEMORY_MONTHS


def next_budget(base_meur: float, legitimacy: float, elasticity: float) -> float:
    """Next year's budget: support brings resources (Moore); bounded to 30%-170% of the base."""
    return base_meur * min(max(1.0 + elasticity * (2.0 * legitimacy - 1.0), 0.3), 1.7)


def pull_commitment(commitment: np.ndarray, legitimacy: float) -> np.ndarray:
    """Support sustains leaders' commitment; its absence erodes it (bounded to 0.05-1)."""
    out = np.empty(len(commitment))
    _pull(np.asarray(commitment, dtype=float), legitimacy, out)
    return out


@njit(cache=True)
def _pull(commitment, legitimacy, out):
    for i in range(commitment.size):
        out[i] = min(max(commitment[i] + COMMITMENT_PULL * (legitimacy - 0.5), 0.05), 1.0)


def executive_change_probability(legitimacy: float, volatility: float) -> float:
    """Chance that an election changes the executive: logistic in legitimacy, sharper with volatility."""
    k = 2.0 + 18.0 * volatility
    return 1.0 / (1.0 + math.exp(k * (legitimacy - 0.45)))
