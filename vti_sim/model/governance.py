"""Proactive and open governance: the bodies people attend and the hours they cost.

Proactive governance (seed 004 definition; seed 002 §3.2): a COPIL at the
highest level and cross-cutting working groups.  Their hours buy
*transversality*, which lowers silo friction on all work.
Open governance (seed 004 definition; seed 000/001 launch phase): co-construction
bodies, consultations, information sharing, partnerships and co-evaluation.
Partnerships and bodies must coordinate with one another, and the channels
between n engaged groups grow as n(n-1)/2 (Brooks' law; Huxham & Vangen's
collaborative inertia), so open governance costs grow faster than linearly
(ODD §7.6).  Hours per meeting, attendees, preparation and the other
coefficients are registry assumptions (``copil_*``, ``group_*``, ``body_*``,
``consultation_*``, ``coordination_share_*``, ``steering_*``, ``partners_*``,
``information_*``, ``co_evaluation_*``) read from the run's parameters ``p``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from .phases import EVALUATION


def open_is_active(start: str, maturity: float, threshold: float, already: bool) -> bool:
    """Openness starts at launch, once the foundation is mature ('structure first'), or never; once on, it stays."""
    if start == "never":
        return False
    return already or start == "launch" or maturity >= threshold


def coordination_hours(n_groups: float, hours_per_channel: float) -> float:
    """Brooks' law: n engaged groups have n(n-1)/2 channels to keep up."""
    return hours_per_channel * n_groups * max(n_groups - 1.0, 0.0) / 2.0


def steering_demand(copil_per_year: float, working_groups: int, p: Mapping) -> np.ndarray:
    """Monthly steering hours asked of (elected, directors, staff).  Working groups are internal administrative
    bodies (seed 000/001 'instances internes'): no elected official sits in them."""
    copil = np.array([p["copil_attendees_elected"], p["copil_attendees_directors"], p["copil_attendees_staff"]])
    groups = np.array([0.0, p["group_attendees_directors"], p["group_attendees_staff"]])
    return (copil_per_year / 12.0 * p["copil_hours_per_meeting"] * copil
            + working_groups * p["group_meeting_hours"] * groups)


def open_demand(p: Mapping, phase: int, n_partners: float, n_decisions: float, n_delivered: float,
                setup: float) -> tuple[float, float, float]:
    """Monthly open-governance hours asked of (elected, directors, staff-side incl. facilitators).

    ``setup`` (0-1) is how far the co-construction bodies are set up; bodies meet in proportion.
    Coordination hours are shared out by the normalised ``coordination_share_*`` weights; co-evaluation by
    ``co_evaluation_directors_share`` and its complement (staff).
    """
    meetings = p["open_bodies"] * p["open_meetings_per_year"] / 12.0 * setup
    consult = p["participatory_share"] * n_decisions
    co_eval = p["co_evaluation"] * (p["co_evaluation_hours_evaluation"] if phase == EVALUATION
                                    else p["co_evaluation_hours_other"])
    n_groups = n_partners + p["open_bodies"] * setup + (1.0 if p["participatory_share"] > 0 else 0.0)
    coordination = coordination_hours(n_groups, p["coordination_hours_per_channel"])
    b = p["body_meeting_hours"] * meetings
    ke, kd, ks = p["coordination_share_elected"], p["coordination_share_directors"], p["coordination_share_staff"]
    k_total = ke + kd + ks
    co_d = p["co_evaluation_directors_share"]
    return (
        b * p["body_attendees_elected"] + consult * p["consultation_hours_elected"] + coordination * (ke / k_total),
        b * p["body_attendees_directors"] + consult * p["consultation_hours_directors"]
        + coordination * (kd / k_total) + co_d * co_eval,
        b * p["body_attendees_staff"] + meetings * p["body_preparation_hours"] + consult * p["consultation_hours_staff"]
        + coordination * (ks / k_total) + (1.0 - co_d) * co_eval,
    )


def transversality(steering_hours_served: float, p: Mapping) -> float:
    """How far steering bodies make work cross-cutting, 0-1 (saturating in steering hours)."""
    return 1.0 - math.exp(-steering_hours_served / p["steering_reference_hours"])


def partners_target(ecosystem_richness: float, open_fulfilment: float, participatory_share: float,
                    p: Mapping) -> float:
    """Partners the authority can keep engaged given the ecosystem and the open hours it actually serves."""
    w = p["partners_participation_weight"]
    return p["partners_max"] * ecosystem_richness * open_fulfilment * ((1.0 - w) + w * participatory_share)
