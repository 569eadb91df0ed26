"""Missions -> actions: what the policy delivers, what it costs, and what value it can yield.

Seed 000/001 give Angers' six missions with their 2024 budget lines and action
counts; seed 003 gives the three families of use cases and the Mulhouse and
Biarritz ambitions.  Everything per action is held in numpy arrays so that a
month of delivery is a handful of vector operations (ODD §7.5).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numba import njit

from .data import DECISION, DIRECTIONS, FAMILIES, FOUNDATION, INFRA, PRESETS, PROXIMITY, Mission  # noqa: F401
from .value import GENERATORS

STATES = ("planned", "under_way", "delivered", "evaluated")

RISKS = ("exclusion", "privacy", "footprint")  # of low-literacy residents; privacy harm; footprint (seed 002 §4.2)
# Which generators each family feeds (seed 003 use-case families, seed 002 §1.4 table) and which risks it carries:
# the structure; each cell's weight is a registry assumption, ``family_weight_<family>_to_<generator>`` (normalised
# per family) and ``family_risk_<family>_<risk>``.  Exclusion of low-literacy residents counts for proximity
# services only (digital-only services that residents must use themselves).
FAMILY_FEEDS = {
    "infrastructure": ("efficiency", "effectiveness", "intrinsic_enhancement"),  # water, watering, lighting
    "decision_support": ("efficiency", "effectiveness", "transparency", "participation", "collaboration"),  # twin
    "proximity": ("effectiveness", "intrinsic_enhancement", "transparency", "participation", "collaboration"),
    "foundation": ("efficiency", "effectiveness", "collaboration"),  # SI foundation (enabler)
}
FAMILY_RISKS = {
    "infrastructure": ("privacy", "footprint"),
    "decision_support": ("privacy", "footprint"),
    "proximity": ("exclusion", "privacy", "footprint"),
    "foundation": ("privacy", "footprint"),
}


def family_tables(p: Mapping) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per family: generator profile (4, 6) normalised per family, value magnitude (4,), foundation maturity it
    needs (4,; the foundation itself needs none: it is what builds maturity), risks (4, 3); from ``p``."""
    generators = np.zeros((len(FAMILIES), len(GENERATORS)))
    risks = np.zeros((len(FAMILIES), len(RISKS)))
    for f, fam in enumerate(FAMILIES):
        for g in FAMILY_FEEDS[fam]:
            generators[f, GENERATORS.index(g)] = p[f"family_weight_{fam}_to_{g}"]
        for r in FAMILY_RISKS[fam]:
            risks[f, RISKS.index(r)] = p[f"family_risk_{fam}_{r}"]
    generators /= generators.sum(axis=1, keepdims=True)
    magnitude = np.array([p[f"family_magnitude_{fam}"] for fam in FAMILIES])
    maturity = np.array([0.0 if f == FOUNDATION else p[f"family_required_maturity_{fam}"]
                         for f, fam in enumerate(FAMILIES)])
    return generators, magnitude, maturity, risks


class Portfolio:
    """All actions of the policy as arrays; missions are index groups over them."""

    def __init__(self, preset: str, outsourcing_share: float, let_do_share: float,
                 n_operators: int, rng: np.random.Generator, p: Mapping):
        self.missions = PRESETS[preset]
        self._p = p  # the run's parameters: the actions' assumptions (effort, duration, contracts, value)
        fam, mission, cost, term = [], [], [], []
        for m_idx, m in enumerate(self.missions):
            n = len(m.families)
            for k, f in enumerate(m.families):
                fam.append(f)
                mission.append(m_idx)
                cost.append(m.budget_meur / n)
                # prioritisation into short/medium/long term (seed 000/001): foundation first, then thirds
                term.append(0 if f == FOUNDATION else min(2, (3 * k) // max(n, 1)))
        self.family = np.array(fam, dtype=np.int64)
        self.mission = np.array(mission, dtype=np.int64)
        self.cost = np.array(cost)
        self.term = np.array(term, dtype=np.int64)
        self.direction = np.array([self.missions[i].direction for i in self.mission], dtype=np.int64)
        n = self.n = len(fam)
        # value potential per month once delivered and fully used: concave in cost
        generators, family_magnitude, required_maturity, family_risks = family_tables(p)
        self.magnitude = family_magnitude[self.family] * np.sqrt(p["action_magnitude_cost_offset_meur"] + self.cost)
        self.potential = generators[self.family] * self.magnitude[:, None]  # (n, 6)
        self.risks = family_risks[self.family] * self.magnitude[:, None]  # (n, 3)
        self.required_maturity = required_maturity[self.family]
        self.duration = np.where(self.cost < p["action_small_cost_meur"], p["action_duration_small_months"],
                                 np.where(self.cost < p["action_large_cost_meur"], p["action_duration_medium_months"],
                                          p["action_duration_large_months"]))
        # contract modes: make (0), make-do (1), let-do (2); Staropoli & Thirion 2019 via seed 000/001
        u = rng.random(n)
        v = rng.random(n)
        self.mode = np.where(u < outsourcing_share, np.where(v < let_do_share, 2, 1), 0)
        self.operator = rng.integers(0, n_operators, size=n)
        # let-do: the operator finances most of it (the authority pays a share), at a cost in control
        self.public_cost = self.cost * np.where(self.mode == 2, p["contract_let_do_public_cost_share"], 1.0)
        # staff effort in hours: in-house work, or contract management only when outsourced
        self.effort = np.where(self.mode == 0,
                               p["action_effort_inhouse_base_hours"] + p["action_effort_inhouse_hours_per_meur"]
                               * self.cost,
                               p["action_effort_contract_base_hours"] + p["action_effort_contract_hours_per_meur"]
                               * self.cost)
        self.operator_effort = np.where(self.mode == 0, 0.0, p["action_operator_base_hours"]
                                        + p["action_operator_hours_per_meur"] * self.cost)
        self.progress = np.zeros(n)
        self.state = np.zeros(n, dtype=np.int64)
        self.started_month = np.full(n, -1)
        self.delivered_month = np.full(n, -1)
        self.spent = np.zeros(n)
        self._rate = np.zeros(n)
        # totals kept by ``tally``
        self.staff_work, self.tools = np.zeros(len(DIRECTIONS)), np.zeros(len(DIRECTIONS))
        self.operator_work = np.zeros(n_operators)
        self.value_weight, self.risk_exposure = np.zeros(n), np.zeros(3)
        self._generated = np.zeros(len(GENERATORS))
        self.value_created = np.zeros(n)
        self.is_foundation = self.family == FOUNDATION
        self.is_infra = self.family == INFRA
        self.is_decision = self.family == DECISION
        self.is_proximity = self.family == PROXIMITY
        self.outsourced = self.mode > 0
        self.infra_index = np.flatnonzero(self.is_infra)
        self.infra_direction = self.direction[self.is_infra]
        self.decision_index = np.flatnonzero(self.is_decision)
        self.proximity_index = np.flatnonzero(self.is_proximity)
        # hot-path constants: monthly efforts and who carries them, magnitudes by family, risks by kind
        self.monthly_effort = self.effort / self.duration
        self.operator_monthly = self.operator_effort / self.duration
        # directors supervise; contracts need more
        self.director_share = np.where(self.outsourced, p["action_director_share_outsourced"],
                                       p["action_director_share_inhouse"])
        self.staff_share = 1.0 - self.director_share
        self.exclusion_risk = self.risks[:, 0] * self.is_proximity
        self.privacy_risk = self.risks[:, 1] * np.where(self.mode == 2, p["contract_let_do_privacy_multiplier"],
                                                        1.0)  # let-do: less control over data
        self.footprint_risk = self.risks[:, 2]
        self._derive()
        self.foundation_cost = max(float(self.cost[self.is_foundation].sum()), 1e-9)
        self.foundation_done = 0.0

    def contract_with(self, operators) -> None:
        """Outsourced actions take on their operator's aims: value follows its alignment with public value
        (make-do contracts steer it, let-do leaves it to the operator), and data risk follows how little it
        shares (seed 003: the quality of contract steering with economic operators)."""
        align = operators.alignment[self.operator]
        share = operators.data_sharing[self.operator]
        p = self._p
        weight = np.select([self.mode == 1, self.mode == 2],
                           [p["contract_make_do_value_base"] + p["contract_make_do_value_alignment"] * align,
                            p["contract_let_do_value_base"] + p["contract_let_do_value_alignment"] * align], 1.0)
        self.potential = self.potential * weight[:, None]
        self.magnitude = self.magnitude * weight
        self.privacy_risk = self.privacy_risk * np.where(self.mode > 0, p["contract_privacy_risk_base"] - share, 1.0)
        self._derive()

    def _derive(self) -> None:
        """Hot-path arrays that follow from magnitudes and risks: magnitudes by family, risks by kind."""
        self.proximity_magnitude = self.magnitude * self.is_proximity
        self.decision_magnitude = self.magnitude * self.is_decision
        self.tool_magnitude = self.magnitude * (self.is_infra | self.is_decision)
        self.risk_matrix = np.column_stack([self.exclusion_risk, self.privacy_risk, self.footprint_risk])

    def start_due(self, months_in_implementation: int, month: int) -> int:
        """Start actions whose term has come: short term at once, medium after 12 months, long after 24.
        Returns how many started."""
        due = (self.state == 0) & (self.term * 12 <= months_in_implementation)
        self.state[due] = 1
        self.started_month[due] = month
        return int(np.count_nonzero(due))

    def tally(self, learning: float) -> None:
        """Totals that follow from the actions' states; they change only when an action starts, is delivered or
        is evaluated, so the model calls this on those events (ODD §7.5).

        Sets: ``n_under``, ``n_delivered``, ``n_evaluated``; the monthly work that actions under way ask of staff
        by direction (``staff_work``), directors (``directors_work``) and operators (``operator_work``); the public
        cost of delivered actions (``delivered_cost``); delivered tool magnitude by direction (``tools``);
        each action's value weight (delivered, x(1 + boost x learning) once evaluated); delivered exclusion, privacy
        and footprint risk (``risk_exposure``); delivered proximity and decision-support magnitude; and the
        magnitude started so far (under way or delivered)."""
        (self.n_under, self.n_delivered, self.n_evaluated, self.directors_work, self.delivered_cost,
         self.proximity_delivered, self.decision_delivered, self.started_magnitude) = _tally(
            self.state, self.direction, self.operator, self.monthly_effort, self.staff_share, self.director_share,
            self.operator_monthly, self.public_cost, self.tool_magnitude, self.magnitude, self.proximity_magnitude,
            self.decision_magnitude, self.risk_matrix, 1.0 + self._p["action_evaluated_value_boost"] * learning,
            self.staff_work, self.operator_work, self.tools, self.value_weight, self.risk_exposure)

    def advance_actions(self, month: int, maturity: float, staff_fulfilment: np.ndarray, operator_done: np.ndarray,
                        contract: float, productivity: float, invest_left: float,
                        boost: np.ndarray | None = None) -> tuple[float, int]:
        """One month of work on the actions under way (ODD §7.5, §7.7); returns (investment spent, delivered)
        and updates ``foundation_done``, the cost-weighted progress of foundation actions (0-1).

        An action progresses ``gate * work * productivity / duration`` a month.  The gate opens as the
        foundation matures towards what the action needs (actions wait for the data foundation they run on);
        work is its direction's staff fulfilment, or, when outsourced, the lesser of that and its operator's
        work steered through the contract.  When the year's investment budget cannot pay for all of it, every
        action slows in the same proportion.  ``boost`` (per action, >= 1) is the extra push steering gives late
        actions (``steer``)."""
        if boost is None:
            boost = np.ones(self.n)
        wanted, delivered, foundation = _advance_actions(
            self.state, self.progress, self.spent, self.delivered_month, self._rate, self.family,
            self.required_maturity, self.direction, self.outsourced, self.duration, self.public_cost, self.cost,
            operator_done, staff_fulfilment, maturity, contract, productivity, invest_left, month,
            self._p["action_maturity_gate_width"], boost)
        self.foundation_done = foundation / self.foundation_cost
        return wanted, delivered

    def realise_value(self, job_fit: np.ndarray, data_ready: float, platform: float, proximity_use: float,
                      scale: float) -> tuple[np.ndarray, float]:
        """Value delivered actions yield this month, by generator (6,), and the part from proximity services.

        An action yields its potential times its ``value_weight`` (delivered, boosted once evaluated; kept by
        ``tally``), its use and ``scale``.  Use depends on the family: infrastructure on its direction's job fit
        and data readiness, decision support on the data platform, proximity services on residents' use; the
        foundation is an enabler and always 'used'."""
        personal = _realise_value(self.value_weight, self.family, self.direction, job_fit, data_ready, platform,
                                  proximity_use, scale, self.potential, self.magnitude, self.value_created,
                                  self._generated)
        return self._generated.copy(), personal


    # ------------------------------------------------------------ the steering tool: météo, renewal, turnover
    def weather(self, month: int) -> np.ndarray:
        """Each action's météo score, 0 (storm) to 1 (sun), from the Angers tool's indicators of realisation
        against schedule (progress against the time elapsed since it started); NaN for actions not under way.
        Delivered actions are 1 (the tool reports effects for them)."""
        elapsed = np.maximum(month - self.started_month + 1, 1) / self.duration
        score = np.where(self.state == 1, np.minimum(self.progress / np.minimum(elapsed, 1.0), 1.0), np.nan)
        return np.where(self.state >= 2, 1.0, score)

    def steer(self, month: int, attention: float, unblock: float, out: np.ndarray) -> np.ndarray:
        """The COPIL reviews the météo and acts on the worst actions (arbitration, resources moved to them):
        each action under way gets ``1 + unblock * attention * (1 - météo)`` of its usual work."""
        _steer(self.state, self.started_month, self.duration, self.progress, month, unblock * attention, out)
        return out

    def steer_and_advance(self, month: int, attention: float, unblock: float, boost: np.ndarray, maturity: float,
                          staff_fulfilment: np.ndarray, operator_done: np.ndarray, contract: float,
                          productivity: float, invest_left: float) -> tuple[float, int]:
        """``steer`` then ``advance_actions`` in one compiled call (``_steer_and_advance``); the same result."""
        wanted, delivered, foundation = _steer_and_advance(
            self.state, self.started_month, self.duration, self.progress, month, unblock * attention, boost,
            self.spent, self.delivered_month, self._rate, self.family, self.required_maturity, self.direction,
            self.outsourced, self.public_cost, self.cost, operator_done, staff_fulfilment, maturity, contract,
            productivity, invest_left, self._p["action_maturity_gate_width"])
        self.foundation_done = foundation / self.foundation_cost
        return wanted, delivered

    def evaluate_and_renew(self, month: int, share: float, scale: float) -> int:
        """Close a cycle: delivered actions are evaluated, and the best ``share`` of those just evaluated (value
        realised per EUR) are extended by a new action ``scale`` times their size, started at once (seed 000/001:
        evaluation feeds the next cycle; 'modification de l'offre de services publics').  Returns how many."""
        just = np.flatnonzero(self.state == 2)
        self.state[just] = 3
        k = int(round(share * just.size))
        if k == 0:
            return 0
        merit = self.value_created[just] / np.maximum(self.public_cost[just], 1e-9)
        parents = just[np.argsort(-merit, kind="stable")[:k]]
        self._append(parents, scale, month)  # extensions keep their parent's contract, operator and weights
        return k

    def credits(self, months: int) -> float:
        """Investment the actions under way need over the next ``months`` at their planned pace (EUR M)."""
        under = self.state == 1
        left = self.public_cost[under] * (1.0 - self.progress[under])
        return float(np.minimum(left, months * self.public_cost[under] / self.duration[under]).sum())

    def reexamine(self, cut: float) -> None:
        """A new executive re-examines the actions not yet delivered: their progress falls by ``cut``."""
        under = self.state == 1
        self.progress[under] *= 1.0 - cut

    _PER_ACTION = ("family", "mission", "cost", "term", "direction", "magnitude", "potential", "risks",
                   "required_maturity", "duration", "mode", "operator", "public_cost", "effort", "operator_effort",
                   "progress", "state", "started_month", "delivered_month", "spent", "_rate", "value_weight",
                   "value_created", "is_foundation", "is_infra", "is_decision", "is_proximity", "outsourced",
                   "monthly_effort", "operator_monthly", "director_share", "staff_share", "exclusion_risk",
                   "privacy_risk", "footprint_risk")
    _SIZED = ("cost", "public_cost", "effort", "operator_effort", "magnitude", "potential", "risks", "monthly_effort",
              "operator_monthly", "exclusion_risk", "privacy_risk", "footprint_risk")

    def _append(self, parents: np.ndarray, scale: float, month: int) -> None:
        """Add one action per parent: same mission, family, direction and contract, ``scale`` times its size."""
        n = self.n
        for name in self._PER_ACTION:
            value = getattr(self, name)
            extra = value[parents] * scale if name in self._SIZED else value[parents]
            setattr(self, name, np.concatenate([value, extra]))
        k = parents.size
        self.n = n + k
        self.state[n:] = 1
        self.progress[n:] = 0.0
        self.spent[n:] = 0.0
        self.value_created[n:] = 0.0
        self.value_weight[n:] = 0.0
        self.started_month[n:] = month
        self.delivered_month[n:] = -1
        self.infra_index = np.flatnonzero(self.is_infra)
        self.infra_direction = self.direction[self.is_infra]
        self.decision_index = np.flatnonzero(self.is_decision)
        self.proximity_index = np.flatnonzero(self.is_proximity)
        self._derive()


@njit(cache=True)
def _steer(state, started_month, duration, progress, month, push, out):
    """``out <- 1 + push * (1 - météo)`` for actions under way (``weather``'s score), 1 for the others."""
    for j in range(state.size):
        w = 1.0
        if state[j] == 1:
            elapsed = max(month - started_month[j] + 1, 1) / duration[j]
            w = min(progress[j] / min(elapsed, 1.0), 1.0)
        out[j] = (1.0 - w) * push
        out[j] += 1.0


@njit(cache=True)
def _steer_and_advance(state, started_month, duration, progress, month, push, boost, spent, delivered_month, rate,
                       family, required_maturity, direction, outsourced, public_cost, cost, operator_done,
                       staff_fulfilment, maturity, contract, productivity, invest_left, gate_width):
    _steer(state, started_month, duration, progress, month, push, boost)
    return _advance_actions(state, progress, spent, delivered_month, rate, family, required_maturity, direction,
                            outsourced, duration, public_cost, cost, operator_done, staff_fulfilment, maturity,
                            contract, productivity, invest_left, month, gate_width, boost)


@njit(cache=True)
def _tally(state, direction, operator, monthly_effort, staff_share, director_share, operator_monthly, public_cost,
           tool_magnitude, magnitude, proximity_magnitude, decision_magnitude, risk_matrix, evaluated_boost,
           staff_work, operator_work, tools, value_weight, risk_exposure):
    staff_work[:] = 0.0
    operator_work[:] = 0.0
    tools[:] = 0.0
    risk_exposure[:] = 0.0
    n_under = n_delivered = n_evaluated = 0
    directors_work = delivered_cost = proximity = decision = started = 0.0
    for j in range(state.size):
        value_weight[j] = 0.0
        if state[j] == 1:
            n_under += 1
            staff_work[direction[j]] += monthly_effort[j] * staff_share[j]
            directors_work += monthly_effort[j] * director_share[j]
            operator_work[operator[j]] += operator_monthly[j]
        elif state[j] >= 2:
            n_delivered += 1
            delivered_cost += public_cost[j]
            tools[direction[j]] += tool_magnitude[j]
            value_weight[j] = evaluated_boost if state[j] == 3 else 1.0
            n_evaluated += state[j] == 3
            for k in range(risk_exposure.size):
                risk_exposure[k] += risk_matrix[j, k]
            proximity += proximity_magnitude[j]
            decision += decision_magnitude[j]
        if state[j] >= 1:
            started += magnitude[j]
    return n_under, n_delivered, n_evaluated, directors_work, delivered_cost, proximity, decision, started


@njit(cache=True)
def _advance_actions(state, progress, spent, delivered_month, rate, family, required_maturity, direction,
                     outsourced, duration, public_cost, cost, operator_done, staff_fulfilment, maturity, contract,
                     productivity, invest_left, month, gate_width, boost):
    wanted = 0.0
    for j in range(state.size):
        r = 0.0
        if state[j] == 1:
            gate = min(max(1.0 - (required_maturity[j] - maturity) / gate_width, 0.0), 1.0)
            work = staff_fulfilment[direction[j]]
            if outsourced[j]:
                work = min(work, operator_done[j] * contract)
            r = min(gate * work * boost[j] * (productivity / duration[j]), 1.0 - progress[j])
        rate[j] = r
        wanted += r * public_cost[j]
    scale = 1.0
    if wanted > invest_left:
        scale = invest_left / wanted
        wanted = invest_left
    delivered = 0
    foundation = 0.0
    for j in range(state.size):
        if state[j] == 1:
            r = rate[j] * scale
            progress[j] += r
            spent[j] += r * public_cost[j]
            if progress[j] >= 1.0 - 1e-9:
                state[j] = 2
                delivered_month[j] = month
                delivered += 1
        if family[j] == FOUNDATION:
            foundation += progress[j] * cost[j]
    return wanted, delivered, foundation


@njit(cache=True)
def _realise_value(weight, family, direction, job_fit, data_ready, platform, proximity_use, scale, potential,
                   magnitude, value_created, generated):
    generated[:] = 0.0
    personal = 0.0
    for j in range(weight.size):
        if weight[j] == 0.0:
            continue
        fam = family[j]
        if fam == INFRA:
            use = job_fit[direction[j]] * data_ready
        elif fam == DECISION:
            use = platform
        elif fam == PROXIMITY:
            use = proximity_use
        else:
            use = 1.0
        f = weight[j] * use * scale
        for g in range(generated.size):
            generated[g] += f * potential[j, g]
        realised = f * magnitude[j]
        value_created[j] += realised
        if fam == PROXIMITY:
            personal += realised
    return personal
