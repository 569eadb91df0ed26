"""Proactive and open governance: the bodies people attend and the hours they cost.

Proactive governance (seed 004 definition; seed 002 §3.2): a COPIL at the
highest level and cross-cutting working groups.  Their hours buy
*transversality*, which lowers silo friction on all work.
Open governance (seed 004 definition; seed 000/001 launch phase): co-construction
bodies, consultations, information sharing, partnerships and co-evaluation.
Partnerships and bodies must coordinate with one another, and the channels
between n engaged groups grow as n(n-1)/2 (Brooks' law; Huxham & Vangen's
collaborative inertia), so open governance costs grow faster than linearly
(ODD §7.6).
"""

from __future__ import annotations

import math

import numpy as np

from .phases import EVALUATION

COPIL_HOURS = 3.0  # per meeting per attendee, with preparation (assumption)
COPIL_ATTENDEES = np.array([3.0, 2.0, 2.0])  # Mayor-President, 2 VPs; DGS, DGA; 2 process pilots (seed 002 §3.2)
GROUP_HOURS = 2.0  # monthly working-group meeting (assumption)
GROUP_ATTENDEES = np.array([0.0, 1.0, 4.0])  # one director, four staff per cross-cutting group (assumption)
BODY_HOURS = 3.0  # per open-body meeting per attendee (assumption)
BODY_ATTENDEES = (1.0, 1.0, 2.0)  # an elected chair, a director, two facilitators (assumption)
BODY_PREPARATION = 20.0  # facilitation hours per open meeting: invitations, minutes, follow-up (assumption)
CONSULTATION_HOURS = (2.0, 6.0, 20.0)  # per participatory decision: prepare, hold, analyse, answer (assumption)
COORDINATION_SPLIT = (0.15, 0.35, 0.50)  # who carries partnership coordination (assumption)
STEERING_REFERENCE = 40.0  # steering hours/month at which transversality reaches 63% (assumption)
MAX_PARTNERS = 15.0  # partners a very rich ecosystem offers (assumption)


def open_is_active(start: str, maturity: float, threshold: float, already: bool) -> bool:
    """Openness starts at launch, once the foundation is mature ('structure first'), or never; once on, it stays."""
    if start == "never":
        return False
    return already or start == "launch" or maturity >= threshold


def coordination_hours(n_groups: float, hours_per_channel: float) -> float:
    """Brooks' law: n engaged groups have n(n-1)/2 channels to keep up."""
    return hours_per_channel * n_groups * max(n_groups - 1.0, 0.0) / 2.0


def steering_demand(copil_per_year: float, working_groups: int) -> np.ndarray:
    """Monthly steering hours asked of (elected, directors, staff)."""
    return copil_per_year / 12.0 * COPIL_HOURS * COPIL_ATTENDEES + working_groups * GROUP_HOURS * GROUP_ATTENDEES


def open_demand(p: dict, phase: int, n_partners: float, n_decisions: float, n_delivered: float,
                setup: float) -> tuple[float, float, float]:
    """Monthly open-governance hours asked of (elected, directors, staff-side incl. facilitators).

    ``setup`` (0-1) is how far the co-construction bodies are set up; bodies meet in proportion.
    """
    meetings = p["open_bodies"] * p["open_meetings_per_year"] / 12.0 * setup
    consult = p["participatory_share"] * n_decisions
    co_eval = p["co_evaluation"] * (30.0 if phase == EVALUATION else 5.0)
    n_groups = n_partners + p["open_bodies"] * setup + (1.0 if p["participatory_share"] > 0 else 0.0)
    coordination = coordination_hours(n_groups, p["coordination_hours_per_channel"])
    b, c, k = BODY_HOURS * meetings, CONSULTATION_HOURS, COORDINATION_SPLIT
    return (
        b * BODY_ATTENDEES[0] + consult * c[0] + coordination * k[0],
        b * BODY_ATTENDEES[1] + consult * c[1] + coordination * k[1] + 0.2 * co_eval,
        b * BODY_ATTENDEES[2] + meetings * BODY_PREPARATION + consult * c[2] + coordination * k[2]
        + 0.8 * co_eval,
    )


def transversality(steering_hours_served: float) -> float:
    """How far steering bodies make work cross-cutting, 0-1 (saturating in steering hours)."""
    return 1.0 - math.exp(-steering_hours_served / STEERING_REFERENCE)


def partners_target(ecosystem_richness: float, open_fulfilment: float, participatory_share: float) -> float:
    """Partners the authority can keep engaged given the ecosystem and the open hours it actually serves."""
    return MAX_PARTNERS * ecosystem_richness * open_fulfilment * (0.5 + 0.5 * participatory_share)
