"""VTIModel: a territory's smart-city policy under limits of time and money, month by month.

``step()`` is the monthly schedule; each line is one mechanism, documented in
its own module and in ``docs/ODD.md`` (section in brackets):

1. begin_month        seasons, the budget year, whether openness has started   [7.1, 7.6, 7.9]
2. allocate_time      bodies and work ask for hours; each person is rationed    [7.2, 7.6]
3. advance_policy     work items progress with the hours served; phase changes [7.4]
4. deliver_actions    money, staff and operators move actions to delivery      [7.5, 7.7]
5. develop_staff      training, job transformation, data habits                [7.3, R2, R3]
6. maintain_open_data catalogue and freshness                                   [7.3, R2]
7. engage_residents   participation, use of services                           [7.8]
8. account_value      generators -> value types; five sources of destruction   [7.10]
9. apply_feedback     legitimacy -> commitment, budget, elections (Moore)      [7.9]
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from ..registry import resolve
from . import governance as gov
from .agents import Directors, ElectedOfficials, OperationalStaff, Operators, Residents
from .feedback import next_budget, update_legitimacy
from .ledger import TIME_ROLES, Ledger, slice_of
from .month import (
    ENGAGE_COEFFICIENTS,
    POLICY_COEFFICIENTS,
    TIME_COEFFICIENTS,
    VALUE_COEFFICIENTS,
    account_value_pass,
    advance_policy_pass,
    allocate_time_pass,
    engage_residents_pass,
)
from .phases import (
    EVALUATION,
    ITEM_KEYS,
    ITEM_OPEN_SENSITIVE,
    OPEN_BODIES,
    PLANNING,
    PolicyCycle,
)
from .portfolio import DIRECTIONS, Portfolio
from .time_budget import ACTIVITIES, HOURS_PER_MONTH
from .value import DESTRUCTION_SOURCES, GENERATORS, VALUE_TYPES, type_matrices

SUMMER = (5, 6, 7)  # June-August (seasonal population, seed 003 Biarritz)
EFFICIENCY, EFFECTIVENESS, INTRINSIC, TRANSPARENCY, PARTICIPATION, COLLABORATION = range(len(GENERATORS))
_PROGRESS = slice_of("progress_", ITEM_KEYS)
_QUALITY = slice_of("quality_", ITEM_KEYS)
_GEN = slice_of("generator_", GENERATORS)
_CREATED = slice_of("pv_created_", VALUE_TYPES)
_DESTROYED = slice_of("pv_destroyed_", VALUE_TYPES)
_NET = slice_of("pv_net_", VALUE_TYPES)
_SOURCES = slice_of("destroyed_", DESTRUCTION_SOURCES)
_SCALARS = ("month", "phase", "cycle", "pv_created_total", "pv_destroyed_total", "pv_net_total",
            "trust", "participation", "satisfaction", "inclusion_gap", "digital_use", "legitimacy",
            "hours_facilitation_open_governance", "hours_operators_delivery", "unmet_operators",
            "budget_allotted", "budget_spent", "budget_spent_year", "budget_execution",
            "foundation_maturity", "open_data_catalogue", "open_data_freshness", "data_habit",
            "proactivity", "openness", "open_active", "open_fulfilment", "transversality", "partners", "job_fit",
            "skill", "prerequisites", "institutional_readiness", "mediation", "information_fulfilment",
            "actions_under_way", "actions_delivered", "actions_evaluated", "executive_changed",
            *(f"demand_{r}" for r in TIME_ROLES), *(f"unmet_{r}" for r in TIME_ROLES))
_HOURS = slice_of("hours_", [f"{r}_{a}" for r in TIME_ROLES for a in ACTIVITIES])  # roles x activities, as ``_served``
_OPEN_SENSITIVE = np.flatnonzero(ITEM_OPEN_SENSITIVE)
_ARRAYS = (_PROGRESS, _QUALITY, _HOURS)  # copied into the row by ``record``; the value books are written in place


class _Collector(mesa.DataCollector):
    """Mesa's DataCollector, minus its per-value dispatch and deep copies once it has validated its reporters:
    when every reporter names a model attribute holding a number (immutable, so a copy is the value itself), a
    month's collection is one append per reporter.  Anything else goes through Mesa's own ``collect``."""

    _fast = None  # (model_vars list, attribute name) per reporter, set after the first collection

    def collect(self, model) -> None:
        fast = self._fast
        if fast is None:
            super().collect(model)  # validates the reporters, records the first values
            simple = (all(isinstance(r, str) for r in self.model_reporters.values()) and not self.agent_reporters
                      and not self.agenttype_reporters)
            self._fast = tuple((self.model_vars[v], r) for v, r in self.model_reporters.items()) if simple else ()
            return
        if not fast:
            super().collect(model)
            return
        steps = getattr(self, "_collection_steps", None)  # Mesa >= 3.5 records the time of each collection
        if steps is not None:
            steps.append(model.time)
        for values, attribute in fast:
            values.append(getattr(model, attribute, None))


class VTIModel(mesa.Model):
    """One territory, one policy, five roles; parameters come from ``vti_sim.registry``."""

    def __init__(self, rng=None, **params):
        self._build(rng, resolve(params, source="VTIModel"), collect=True)

    @classmethod
    def of_resolved(cls, p: dict, rng=None, *, collect: bool = True) -> VTIModel:
        """A model of a full parameter set ``registry.resolve`` has already checked (sweeps resolve a chunk's base
        once and validate only what each run changes).  ``collect=False`` leaves out Mesa's DataCollector: the
        lean path of sweeps, which read the ledger."""
        model = cls.__new__(cls)
        model._build(rng, dict(p), collect=collect)
        return model

    def _build(self, rng, p: dict, *, collect: bool) -> None:
        super().__init__(rng=rng)
        self.seed = rng  # what the run was seeded with: the paired 'potential' run of the plateau reuses it
        # stochastic processes whose number of draws depends on the levers get streams of their own, so that
        # paired runs (common random numbers) stay paired: elections, and residents' participation
        streams = np.random.SeedSequence(int(self.rng.integers(2**63))).spawn(2)
        self.election_rng, self.participation_rng = (np.random.default_rng(s) for s in streams)
        self.p = p
        self.months = p["months"]
        self.factor = p["capacity_factor"]
        n_res = max(2, round(p["population"] / p["inhabitants_per_agent"]))
        n_seasonal = round(n_res * p["seasonal_amplitude"])
        self.elected = ElectedOfficials(self, p["n_elected"], p["routine_load_elected"])
        self.directors = Directors(self, p["n_directors"], p["routine_load_directors"], p["silo_index"])
        self.staff = OperationalStaff(self, p["n_staff"], p["routine_load_staff"], p["data_culture"])
        self.operators = Operators(self, p["n_operators"], p["operator_alignment"])
        self.residents = Residents(self, n_res, n_seasonal, p["n_neighbourhoods"], p["literacy_mean"], p["trust_0"],
                                   n_councils=p["open_bodies"] if p["openness_start"] != "never" else 0)
        self.portfolio = Portfolio(p["portfolio"], p["outsourcing_share"], p["let_do_share"], p["n_operators"],
                                   self.rng, p)
        self.portfolio.contract_with(self.operators)
        self.policy = PolicyCycle(proactive=p["copil_per_year"] > 0 or p["working_groups"] > 0, p=p)
        # territory state
        self.maturity = p["foundation_maturity_0"]
        self.catalogue, self.freshness = p["open_data_catalogue_0"], p["open_data_freshness_0"]
        self.ceiling = self.budget_year = p["annual_budget_meur"]  # the yearly ceiling; the budget is voted below it
        self.invest_budget = self.invest_allotted_year = 0.0
        self.spent_year = self.invested_year = self.spent_total = self.allotted_total = 0.0
        self.legitimacy = p["legitimacy_0"]
        self.institutional = p["institutional_readiness_0"]  # seed 002 §3.6: the institutional prerequisite
        self.prerequisites = 0.0
        self.mediation = 0.0
        self.f_info = 1.0
        self.open_active = gov.open_is_active(p["openness_start"], self.maturity, p["structure_first_threshold"], False)
        self.partners = 0.0
        self.transversality = 0.0
        self.f_open = 1.0
        self.participation = 0.0
        self.recent_deliveries = 0.0
        self.executive_changes: list[int] = []
        self.mean_use = 0.0
        self.service_level = 1.0
        self.planning_fit = 0.0
        self.trust = float(self.residents.trust.mean())
        self.satisfaction = float(self.residents.satisfaction.mean())
        self.acceptance = float(self.staff.acceptance.mean())
        self.habit = float(self.staff.data_habit.mean())
        # constants of the run, computed once (hot-path economy)
        pf = self.portfolio
        self._inv_prox_mag = 1.0 / max(float(pf.proximity_magnitude.sum()), 1e-9)
        self._inv_total_mag = 1.0 / float(pf.magnitude.sum())
        self._coverage = min(1.0, p["open_bodies"] / p["n_neighbourhoods"])
        tool_mag = np.bincount(pf.direction, weights=pf.tool_magnitude, minlength=len(DIRECTIONS))
        self._inv_tool_mag = np.where(tool_mag > 0, 1.0 / np.maximum(tool_mag, 1e-12), 0.0)
        self._steering = tuple(gov.steering_demand(p["copil_per_year"], p["working_groups"], p).tolist())
        self._fac_capacity = p["facilitation_fte"] * HOURS_PER_MONTH["staff"] * self.factor
        self._training_each = p["training_hours_per_year"] / 12.0
        self._directors_training = p["directors_training_hours"] * p["hr_support"] * self.directors.n
        # work that exists under either governance mode: informing residents, digital mediation, data upkeep
        self._mediation_hours = p["digital_mediation"] * p["mediation_hours_per_neighbourhood"] * p["n_neighbourhoods"]
        self._data_hours = p["data_culture"] * p["data_upkeep_hours"] * self.staff.n
        self._weather_boost = np.ones(self.portfolio.n)
        self._contract_skill = self.directors.contract_management()
        self._change_management = self.directors.change_management()
        self._silo = self.directors.silo_friction()  # the directorate's silo friction (mean ~ silo_index)
        self._meetings = p["open_bodies"] * p["open_meetings_per_year"] / 12.0
        self._decay = 2.0 ** (-1.0 / p["data_half_life_months"])  # a half-life
        self._item_productivity = np.zeros(len(ITEM_KEYS))
        self._item_quality = np.zeros(len(ITEM_KEYS))
        self._books = type_matrices(p)
        # the month's time table, filled in place by allocate_time (rows: elected, directors, staff)
        self._served, self._demanded = np.zeros((3, len(ACTIVITIES))), np.zeros((3, len(ACTIVITIES)))
        self._staff_shared, self.item_fulfilment = np.zeros(len(ACTIVITIES)), np.ones(3)
        self.hours = (self._served[0], self._served[1], self._served[2])
        for role, r in ((self.elected, 0), (self.directors, 1)):
            role.served_by_activity, role.demanded_by_activity = self._served[r], self._demanded[r]
            role._d = self._demanded[r]  # what the role's inspection properties (served, demanded) read
        self.staff.served_by_activity, self.staff.demanded_by_activity = self._served[2], self._demanded[2]
        self.staff._shared, self.staff._training = self._staff_shared, self._training_each
        self._time_k = tuple(float(p[k]) for k in TIME_COEFFICIENTS)
        self._value_k = tuple(float(p[k]) for k in VALUE_COEFFICIENTS)
        self._policy_k = tuple(float(p[k]) for k in POLICY_COEFFICIENTS)
        self._engage_k = tuple(float(p[k]) for k in ENGAGE_COEFFICIENTS)
        self._on_state_change()
        self.ledger = Ledger(self.months, _SCALARS, _ARRAYS)
        self.pv_net_total = 0.0
        self.pv_cumulative = 0.0
        # Mesa's collector, for batch_run and Mesa tooling; the full monthly record is the ledger
        self.datacollector = _Collector(model_reporters={
            "PV": "pv_cumulative", "phase": "phase", "trust": "trust", "participation": "participation",
        }) if collect else None
        self.running = True

    # ---------------------------------------------------------------- the monthly schedule
    def step(self) -> None:
        month = self.steps - 1
        self.begin_month(month)
        self.allocate_time()
        self.advance_policy(month)
        self.deliver_actions(month)
        self.develop_staff()
        self.maintain_open_data()
        self.engage_residents()
        self.account_value()
        self.apply_feedback(month)
        self.record(month)
        if self.datacollector is not None:  # None on the lean path of sweeps (``of_resolved``)
            self.datacollector.collect(self)
        if self.steps >= self.months:
            self.running = False

    # ---------------------------------------------------------------- 1. the month begins
    def begin_month(self, month: int) -> None:
        p = self.p
        summer = month % 12 in SUMMER
        if month % 12 == 0:
            if month:
                self.ceiling = next_budget(p["annual_budget_meur"], self.legitimacy, p["budget_feedback"], p)
            self.spent_year = self.invested_year = self.invest_allotted_year = 0.0
            self.vote_budget(month)
        self.open_active = gov.open_is_active(p["openness_start"], self.maturity, p["structure_first_threshold"],
                                              self.open_active)
        self.elected.set_capacity(p["leader_time_share"], self.factor)
        self.directors.set_capacity(p["leader_time_share"], self.factor)
        self.staff.set_capacity(p["summer_staff_load"] * p["seasonal_amplitude"] if summer else 0.0, self.factor)
        self.residents.come_and_go(summer)

    # ---------------------------------------------------------------- 2. time: demand and rationing
    def allocate_time(self) -> None:
        """Bodies and work ask each role for hours; each person is rationed proportionally (ODD §7.2).

        Roles x activities is a 3 x 5 table (``self.hours``: served, by role).  Informing residents, digital
        mediation and data upkeep are asked whatever the governance mode.  The roles' demand rows, their
        rationing and the fulfilments that follow are one compiled pass (``month.allocate_time_pass``)."""
        p, policy, pf = self.p, self.policy, self.portfolio
        self.workable = workable = policy.workable(self.open_active)
        items = policy.demand(workable)  # item hours: delivery work by role, then evaluation work by role
        if self.open_active:
            n_decisions = policy.n_workable + pf.n_under * p["decisions_per_action"]
            open_demand = gov.open_demand(p, policy.phase, self.partners, n_decisions, pf.n_delivered,
                                          float(policy.progress[OPEN_BODIES]))
        else:
            open_demand = (0.0, 0.0, 0.0)
        el, di, st = self.elected, self.directors, self.staff
        # informing residents: dashboards, activity reports, incident explanations (seed 000/001 phase 4);
        # actions under way: staff work by direction, directors supervise programmes and contracts
        (self.fac_served, d_e, d_d, d_s, s_e, s_d, s_s, self.f_info, self.f_staff_delivery, self.transversality,
         self.proactivity, self.open_hours, self.f_open, self.open_served, self.directors_delivery) = \
            allocate_time_pass(
                self._time_k, self._steering, items, open_demand, self._fac_capacity, pf.n_delivered,
                pf.directors_work, self._directors_training, self._mediation_hours, self._data_hours,
                self._training_each, policy.phase == EVALUATION,
                el._free, el.commitment, el._share, el.involvement, el.capacity, el.fulfilment, el._commitment_offset,
                di._free, di.commitment, di._share, di.involvement, di.capacity, di.fulfilment, di._commitment_offset,
                st.capacity, st.direction, st.direction_count, pf.staff_work, st.fulfilment, st._per_dir,
                st.direction_fulfilment, self._served, self._demanded, self._staff_shared, self.item_fulfilment)
        self.demand_total, self.served_total = (d_e, d_d, d_s), (s_e, s_d, s_s)
        self.staff_dir_fulfilment = st.direction_fulfilment

    # ---------------------------------------------------------------- 3. the policy cycle
    def advance_policy(self, month: int) -> bool:
        """Items move with the hours served, at a productivity steering and learning raise, with a quality that
        steering (coherence) and the voices heard (fit, on open-sensitive items) set (``month.advance_policy_pass``,
        ``PolicyCycle.advance``)."""
        policy = self.policy
        self.productivity, self.institutional = advance_policy_pass(
            self._policy_k, self.transversality, self._silo, policy.learning, self.acceptance, self.participation,
            self.open_served, self.institutional, self._item_productivity, self._item_quality)
        was = policy.phase
        done = policy.advance(month, self.workable, self.item_fulfilment, self._item_productivity, self._item_quality,
                              self.open_active)
        self.evaluation_closed = done and was == EVALUATION
        if was == PLANNING or done:  # planning items move only in planning, or are reset when a cycle closes
            self.planning_fit = policy.planning_fit()
        return done

    # ---------------------------------------------------------------- 4. money, staff and operators deliver actions
    def deliver_actions(self, month: int) -> None:
        p, pf = self.p, self.portfolio
        policy = self.policy
        if policy.implementing and policy.implementation_months in (0, 12, 24) and pf.start_due(
                policy.implementation_months, month):  # short, medium and long terms come due
            self._on_state_change()
            self.vote_budget(month)  # an amending budget gives the actions just started their credits
        self.ops_month = (self.ops_demanded, self.ops_served)  # operators' hours this month, before deliveries
        if pf.n_under:
            # the COPIL reviews each action's météo and steers its hours to the worst (seed 000/001 steering tool)
            # (``steer``), then actions progress (``advance_actions``), in one compiled call.
            # money: investment is capped by what is left of the year's investment budget; staff capacity,
            # not money, often binds, so money goes unspent (Bitterman & Koliba 2020)
            invest_left = max(self.invest_budget - self.invested_year, 0.0)
            cf = p["contract_floor"]
            contract = cf + (1.0 - cf) * self._contract_skill * self.directors_delivery
            wanted, n_new = pf.steer_and_advance(month, self.transversality, p["steering_unblock"],
                                                 self._weather_boost, self.maturity, self.staff_dir_fulfilment,
                                                 self.operator_done, contract, self.productivity, invest_left)
            if n_new:
                self._on_state_change()
        else:
            wanted, n_new = 0.0, 0
        operating_need = self.operating_need
        operating = min(operating_need, self.ceiling * (1.0 - p["investment_share"]) / 12.0)  # upkeep first
        self.service_level = operating / operating_need if operating_need > 0 else 1.0
        self.invested_year += wanted
        self.operating_paid = operating
        self.spent_month = wanted + operating
        self.spent_year += self.spent_month
        self.spent_total += self.spent_month
        # credits opened so far this year ('crédits ouverts': voted at the year's start or by an amending budget)
        # and the upkeep paid; execution is what was spent of them
        allot = self.invest_budget - self.invest_allotted_year
        self.invest_allotted_year = self.invest_budget
        self.allotted_total += allot + operating
        self.recent_deliveries = p["visibility_memory"] * self.recent_deliveries + n_new
        if self.evaluation_closed:
            # evaluated: the cycle's learning re-orients them, and the next cycle extends the best of them
            # ('modification de l'offre de services publics', seed 000/001 phase 4)
            pf.evaluate_and_renew(month, p["renewal_share"], p["renewal_scale"])
            self._on_portfolio_resized()
            self._on_state_change()
            self.vote_budget(month)
        m0 = p["foundation_maturity_0"]
        # extensions of foundation actions (renewal) can carry foundation_done past 1: maturity stays a share
        self.maturity = min(1.0, max(self.maturity, m0 + (1.0 - m0) * p["foundation_maturity_gain"]
                                     * pf.foundation_done))

    def vote_budget(self, month: int) -> None:
        """The year's budget follows the programme (seed 000/001: the 2024 line carries the actions' credits):
        investment credits for the rest of the year are what the actions under way need at their planned pace,
        up to the ceiling's investment share; operating follows delivered actions' upkeep.  Money then goes
        unspent only when capacity, not credit, holds actions back (Bitterman & Koliba 2020)."""
        p, pf = self.p, self.portfolio
        left = 12 - month % 12
        inv = p["investment_share"]
        self.invest_budget = min(self.ceiling * inv, self.invested_year + pf.credits(left))
        self.budget_year = self.invest_budget + self.ceiling * (1.0 - inv)  # credits and the operating envelope

    def _on_portfolio_resized(self) -> None:
        pf = self.portfolio
        if self._weather_boost.size != pf.n:
            self._weather_boost = np.ones(pf.n)
            self._inv_prox_mag = 1.0 / max(float(pf.proximity_magnitude.sum()), 1e-9)
            self._inv_total_mag = 1.0 / float(pf.magnitude.sum())
            tool_mag = np.bincount(pf.direction, weights=pf.tool_magnitude, minlength=len(DIRECTIONS))
            self._inv_tool_mag = np.where(tool_mag > 0, 1.0 / np.maximum(tool_mag, 1e-12), 0.0)

    def _on_state_change(self) -> None:
        """Quantities that change only when an action starts, is delivered or is evaluated (hot-path economy)."""
        pf, ops = self.portfolio, self.operators
        pf.tally(self.policy.learning)  # counts, work asked of staff and directors, value weights: read from pf
        # operators serve the work that actions under way ask of them
        self.operator_done = ops.work(pf.operator_work, self.factor)[pf.operator]
        self.ops_demanded, self.ops_served = float(ops.demanded.sum()), float(ops.served.sum())
        # what delivered actions need and offer
        self.operating_need = self.p["operating_rate"] * pf.delivered_cost
        self.tools_delivered = pf.tools * self._inv_tool_mag
        self.risk_exposure = tuple(pf.risk_exposure.tolist())
        self.proximity_delivered = pf.proximity_delivered * self._inv_prox_mag
        # substance: share of the portfolio under way or delivered; what there is to report and co-produce
        floor = self.p["substance_floor"]
        self.substance = floor + (1.0 - floor) * pf.started_magnitude * self._inv_total_mag

    # ---------------------------------------------------------------- 5. staff: training, jobs, data habits
    def develop_staff(self) -> None:
        """Staff train, their jobs change with the tools delivered, data habits grow (``OperationalStaff.develop``:
        its verbs train, transform_jobs, share_data and job_fit in one compiled call); directors follow."""
        p, staff = self.p, self.staff
        self.job_fit = staff.develop(p["hr_support"], self._change_management, self.tools_delivered, p["data_culture"],
                                     self.transversality, p["silo_index"])
        self.directors.follow(self.elected.commitment)
        self.job_fit_mean = staff.mean_job_fit
        self.acceptance = staff.acceptance_total / staff.n
        self.skill = staff.skill_total / staff.n
        self.habit = staff.mean_data_habit

    # ---------------------------------------------------------------- 6. open data: published, then ageing
    def maintain_open_data(self) -> None:
        """Data is kept fresh by the habit of updating it, in the hours staff actually have (R2)."""
        p = self.p
        kept = self.freshness * self._decay
        self.freshness = kept + self.habit * self.f_staff_delivery * (1.0 - kept)
        floor = p["catalogue_habit_floor"]
        self.catalogue += p["catalogue_growth"] * p["information_sharing"] * self.maturity * (
            floor + (1.0 - floor) * self.habit) * (1.0 - p["catalogue_silo_drag"] * p["silo_index"]) * (
            1.0 - self.catalogue)

    # ---------------------------------------------------------------- 7. residents
    def engage_residents(self) -> None:
        """Participation needs open work done, bodies set up and the three prerequisites of seed 002 §3.6
        (technological, organisational and cultural, institutional; their geometric mean); digital mediation is a
        lever under either mode (``month.engage_residents_pass``), then the residents' verbs."""
        p, policy, res = self.p, self.policy, self.residents
        self.access, self.principles, prerequisites, setup, reached, self.mediation = engage_residents_pass(
            self._engage_k, self.proximity_delivered, self.service_level, policy.quality, policy.progress,
            self.maturity, self.acceptance, self.habit, self.institutional, self.open_served, self._meetings,
            policy.phase == EVALUATION, self.f_staff_delivery, self._coverage)
        self.prerequisites = prerequisites = math.cbrt(prerequisites)
        floor_a = p["appeal_fit_floor"]
        self.participation, self.mean_use = res.engage(self.open_served * setup * prerequisites * reached, self.access,
                                                       self.mediation, floor_a + (1.0 - floor_a) * self.planning_fit)

    # ---------------------------------------------------------------- 8. public value: created and destroyed
    def account_value(self) -> None:
        """Generators from delivered actions and from governance processes (both modes), then destruction.

        Process value (Frucquet et al. 2023 after O'Flynn 2007): coherent steering makes the authority efficient
        and effective; informing residents is transparent whatever the mode; participation and partnerships add
        what only co-construction can add, and each is worth what it actually reaches.  Platforms need the
        foundation, data habits and fresh data (R2); infrastructure needs staff able to run the new tools (R3);
        visible results are recent deliveries and information about the policy's substance (seed 002 §3.4).
        Destruction: exclusion, privacy, footprint of delivered actions (seed 002 §4.2), stale open data and
        unanswered consultations.  The arithmetic is one compiled pass (``month.account_value_pass``); then value
        reaches residents: proximity services by use, the rest as common goods."""
        pf, res = self.portfolio, self.residents
        row = self.ledger.row  # the books are written straight into this month's row of the ledger
        self.generators, self.destroyed_by_source = gen, destroyed = row[_GEN], row[_SOURCES]
        self.created, self.destroyed, self.net = row[_CREATED], row[_DESTROYED], row[_NET]
        (self.visible, self.created_total, self.destroyed_total, personal, transparency, harm_low, harm_all,
         self.partners) = account_value_pass(
            self._value_k, pf.value_weight, pf.family, pf.direction, pf.potential, pf.magnitude, pf.value_created,
            pf._generated, self.job_fit, self.habit, self.maturity, self.freshness, self.planning_fit,
            self.service_level, self.mean_use, self.transversality, self.substance, self.f_info,
            self.recent_deliveries, res.reach, self.elected.openness, self.catalogue, res.audience, self.participation,
            self.partners, self.open_served, pf.decision_delivered, self.risk_exposure, self.principles, self.access,
            res.excluded_share(self.mediation), self.mediation, self.prerequisites, self._books[0], self._books[1],
            gen, destroyed, self.created, self.destroyed, self.net)
        self.pv_net_total = self.created_total - self.destroyed_total
        self.pv_cumulative += self.pv_net_total
        res.receive_and_update_trust(max(self.created_total - personal, 0.0), personal, self.mean_use, self.visible,
                                     transparency, harm_low, harm_all)

    # ---------------------------------------------------------------- 9. Moore feedback and elections
    def apply_feedback(self, month: int) -> None:
        p, res = self.p, self.residents
        self.trust = res.mean_trust
        self.satisfaction = res.mean_satisfaction
        electors_trust, electors_satisfaction = res.electors_view()  # permanent residents carry legitimacy
        self.legitimacy = update_legitimacy(self.legitimacy, electors_trust, electors_satisfaction, p)
        self.elected.update_commitment(self.legitimacy)
        self.executive_changed = False
        if (month + 1) % p["mandate_months"] == 0:
            self.executive_changed = self.elected.stand_for_election(self.legitimacy, p["election_volatility"])
            if self.executive_changed:
                self.executive_changes.append(month)
                # policy discontinuity after turnover (Bardach 1976; deLeon 1978): the new executive re-examines
                # actions not yet delivered and the rules its predecessor set
                cut = p["executive_change_suspension"]
                self.portfolio.reexamine(cut)
                self.institutional *= 1.0 - cut

    # ---------------------------------------------------------------- recording
    @property
    def phase(self) -> int:
        return self.policy.phase

    def record(self, month: int) -> None:
        """Complete this month's row of the ledger (``account_value`` has written the books into it)."""
        policy, pf = self.policy, self.portfolio
        demand, served = self.demand_total, self.served_total
        self.ledger.append((
            month, policy.phase, policy.cycle,
            self.created_total, self.destroyed_total, self.pv_net_total,
            self.trust, self.participation, self.satisfaction, self.residents.inclusion_gap(), self.mean_use,
            self.legitimacy,
            self.fac_served, self.ops_month[1], self.ops_month[0] - self.ops_month[1],
            self.budget_year, self.spent_month, self.spent_year,
            self.spent_total / self.allotted_total if self.allotted_total else 0.0,
            self.maturity, self.catalogue, self.freshness, self.habit,
            self.proactivity, 1.0 - math.exp(-self.open_hours / self.p["open_index_reference_hours"]), self.open_active,
            self.f_open if self.open_active else 0.0, self.transversality, self.partners, self.job_fit_mean,
            self.skill, self.prerequisites, self.institutional, self.mediation, self.f_info,
            pf.n_under, pf.n_delivered, pf.n_evaluated,
            self.executive_changed,
            *demand, demand[0] - served[0], demand[1] - served[1], demand[2] - served[2],
        ), (policy.progress, policy.quality, self._served.ravel()))
