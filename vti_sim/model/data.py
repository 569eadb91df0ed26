"""Factual tables the mechanisms run on: portfolio presets and statutory working hours.

These are data, not behaviour: mission budgets and action counts copied from the seeds' steering tools, labels,
and the legal working month.  Each row names its source.  Behavioural coefficients (rates, weights, thresholds)
are not here but in the parameter registry (``vti_sim/registry.py``, kind ``assumption``).
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES = ("infrastructure", "decision_support", "proximity", "foundation")
INFRA, DECISION, PROXIMITY, FOUNDATION = range(len(FAMILIES))
DIRECTIONS = ("it", "lighting", "green_spaces", "buildings", "waste", "user_relations")

STAFF_HOURS_PER_MONTH = 151.7
"""French statutory working month: 35 h/week x 52 weeks / 12 = 151.67 h (Code du travail, art. L3121-27)."""


@dataclass(frozen=True)
class Mission:
    key: str
    label: str
    budget_meur: float
    families: tuple[int, ...]  # one family per action
    direction: int
    source: str = ""


def _m(key, label, budget, families, direction, source):
    return Mission(key, label, budget, tuple(families), DIRECTIONS.index(direction), source)


_ANGERS = "seed 000/001 Angers Loire Métropole steering tool: 2024 budget line and action count"
_MULHOUSE = "seed 003 Mulhouse (quarter-hour city, digital twin); budget and action count: assumption"
_BIARRITZ = "seed 003 Biarritz (interactive resident app, seasonal flows); budget and action count: assumption"
_INCREMENTAL = "Data Publica & KPMG 2021 incremental trajectory; budget and action count: assumption"

PRESETS: dict[str, tuple[Mission, ...]] = {
    "angers": (
        _m("si_foundation", "01 SI foundation", 9.913140, [FOUNDATION] * 2, "it", _ANGERS),
        _m("control_centre", "02 Control centre", 0.9, [DECISION, DECISION, PROXIMITY], "it",
           "seed 000/001 Angers: 3 actions, no 2024 line ('-'); EUR 0.3M per action is an assumption"),
        _m("public_lighting", "03 Public lighting", 73.535414, [INFRA] * 18, "lighting", _ANGERS),
        _m("buildings", "04 Buildings", 5.371388, [INFRA] * 7, "buildings", _ANGERS),
        _m("green_spaces", "05 Green spaces", 3.090598, [INFRA] * 2, "green_spaces", _ANGERS),
        _m("waste", "06 Waste", 0.102535, [INFRA] * 4, "waste", _ANGERS),
    ),
    "mulhouse": (
        _m("si_foundation", "SI foundation", 3.0, [FOUNDATION] * 2, "it", _MULHOUSE),
        _m("digital_twin", "Digital twin platform", 6.0, [DECISION] * 4, "it", _MULHOUSE),
        _m("quarter_hour", "Quarter-hour city services", 8.0, [INFRA, INFRA, PROXIMITY, PROXIMITY, INFRA],
           "user_relations", _MULHOUSE),
        _m("energy_green", "Energy and green spaces", 10.0, [INFRA] * 5, "green_spaces", _MULHOUSE),
        _m("proximity", "Proximity services", 2.0, [PROXIMITY] * 3, "user_relations", _MULHOUSE),
    ),
    "biarritz": (
        _m("si_foundation", "SI foundation", 1.0, [FOUNDATION], "it", _BIARRITZ),
        _m("resident_app", "Interactive resident app", 1.5, [PROXIMITY] * 4, "user_relations", _BIARRITZ),
        _m("seasonal_flows", "Seasonal flows and information", 1.5, [DECISION] * 3, "it", _BIARRITZ),
        _m("public_lighting", "Lighting and buildings", 4.0, [INFRA] * 4, "lighting", _BIARRITZ),
    ),
    "incremental": (
        _m("open_data", "Open data", 0.6, [FOUNDATION, DECISION], "it", _INCREMENTAL),
        _m("services", "Digital proximity services", 1.0, [PROXIMITY] * 2, "user_relations", _INCREMENTAL),
        _m("infrastructure", "Infrastructure optimisation", 6.0, [INFRA] * 4, "lighting", _INCREMENTAL),
    ),
}
