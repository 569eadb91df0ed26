"""Moore's strategic triangle as feedback: value and trust build legitimacy; legitimacy brings resources.

Legitimacy is a slow average of residents' trust and satisfaction.  At each
new budget year it scales the VTI budget; each month it pulls leaders'
commitment; at the end of each mandate an election tests it (ODD §7.9).
Every coefficient is a registry assumption (``legitimacy_*``, ``budget_*``,
``commitment_*``, ``election_*``) read from the run's parameters ``p``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from numba import njit


def update_legitimacy(legitimacy: float, trust: float, satisfaction: float, p: Mapping) -> float:
    w = p["legitimacy_trust_weight"]
    target = w * trust + (1.0 - w) * satisfaction
    return legitimacy + (target - legitimacy) / p["legitimacy_memory_months"]


def next_budget(base_meur: float, legitimacy: float, elasticity: float, p: Mapping) -> float:
    """Next year's budget: support brings resources (Moore); bounded to a floor and a ceiling share of the base."""
    return base_meur * min(max(1.0 + elasticity * (2.0 * legitimacy - 1.0), p["budget_floor_share"]),
                           p["budget_ceiling_share"])


def pull_commitment(commitment: np.ndarray, legitimacy: float, p: Mapping) -> np.ndarray:
    """Support sustains leaders' commitment; its absence erodes it (bounded to a floor and 1)."""
    out = np.empty(len(commitment))
    _pull(np.asarray(commitment, dtype=float), legitimacy, out, p["commitment_pull"],
          p["commitment_neutral_legitimacy"], p["commitment_floor"])
    return out


@njit(cache=True)
def _pull(commitment, legitimacy, out, pull, neutral, floor):
    for i in range(commitment.size):
        out[i] = min(max(commitment[i] + pull * (legitimacy - neutral), floor), 1.0)


def executive_change_probability(legitimacy: float, volatility: float, p: Mapping) -> float:
    """Chance that an election changes the executive: logistic in legitimacy, sharper with volatility."""
    k = p["election_sharpness_base"] + p["election_sharpness_volatility"] * volatility
    return 1.0 / (1.0 + math.exp(k * (legitimacy - p["election_threshold_legitimacy"])))
