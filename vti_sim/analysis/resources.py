"""'Equal resources' for the open vs proactive comparison, defined once and checked when a file is loaded.

Two arms have equal resources when
  1. their money and shared capacities are identical: every ``resources`` lever (budget, investment and
     outsourcing shares, training, HR support, data culture) and ``leader_time_share`` take the same value; and
  2. the **nominal governance hours a month** their devices ask for are equal (within a tolerance):
        dedicated facilitation staff   facilitation_fte x staff hours a month
      + steering bodies                COPIL and working-group hours of every attendee (``steering_demand``)
      + co-construction bodies         open_bodies x meetings a month x (attendee hours + preparation),
                                       counted only when openness starts at some point.
So the same extra hours go either to facilitation and open bodies (open arm) or to steering (proactive arm).
Hours that depend on the run (consultations, coordination between partners, co-evaluation) are what each arm's
practices then cost out of that same capacity; they are outcomes, not allocations, and are not counted here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import registry

SHARED_CAPACITY = ("leader_time_share",)


def governance_hours(params: Mapping[str, Any]) -> dict[str, float]:
    """Nominal monthly governance hours of a full parameter set, by device (see module docstring)."""
    from ..model import governance as gov
    from ..model.time_budget import HOURS_PER_MONTH

    steering = float(sum(gov.steering_demand(params["copil_per_year"], params["working_groups"], params)))
    attendees = sum(params[f"body_attendees_{r}"] for r in ("elected", "directors", "staff"))
    per_meeting = params["body_meeting_hours"] * attendees + params["body_preparation_hours"]
    bodies = 0.0
    if params["openness_start"] != "never":
        bodies = params["open_bodies"] * params["open_meetings_per_year"] / 12.0 * per_meeting
    facilitation = params["facilitation_fte"] * HOURS_PER_MONTH["staff"]
    return {"facilitation": facilitation, "steering": steering, "open_bodies": bodies,
            "total": facilitation + steering + bodies}


def shared_capacity_names() -> list[str]:
    return [p.name for p in registry.PARAMETERS if p.group == "resources"] + list(SHARED_CAPACITY)


def check_equal_resources(open_params: Mapping[str, Any], proactive_params: Mapping[str, Any],
                          tolerance: float) -> str | None:
    """None if the two arms have equal resources, else a one-line reason saying what differs."""
    for name in shared_capacity_names():
        if open_params.get(name) != proactive_params.get(name):
            return (f"unequal resources: {name} is {open_params.get(name)!r} in the open arm and "
                    f"{proactive_params.get(name)!r} in the proactive arm; allowed: the same value in both arms")
    ho, hp = governance_hours(open_params)["total"], governance_hours(proactive_params)["total"]
    if abs(ho - hp) > tolerance * max(ho, hp, 1e-9):
        return (f"unequal resources: the open arm's devices ask {ho:.1f} governance h/month, the proactive arm's "
                f"{hp:.1f}; allowed: equal within resource_tolerance = {tolerance:g} (facilitation_fte x staff "
                "h/month + steering bodies + open bodies)")
    return None
