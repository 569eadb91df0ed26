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

from . import governance as gov
from .agents import Directors, ElectedOfficials, OperationalStaff, Operators, Residents
from .feedback import next_budget, update_legitimacy
from .outputs import INDEX, Ledger, slice_of
from .phases import (
    AMBITION,
    EVALUATION,
    IMPLEMENTATION,
    ITEM_KEYS,
    ITEM_OPEN_SENSITIVE,
    OPEN_BODIES,
    ORGANISATIONAL,
    PolicyCycle,
)
from .portfolio import DIRECTIONS, Portfolio
from .registry import resolve
from .time_budget import DELIVERY, HOURS_PER_MONTH, OPEN, STEERING
from .time_budget import EVALUATION as EVAL_ACT
from .value import DESTRUCTION_SOURCES, GENERATORS, VALUE_TYPES, destruction_to_types, to_types

SUMMER = (5, 6, 7)  # June-August (seasonal population, seed 003 Biarritz)
OPEN_REFERENCE = 80.0  # open-governance hours/month at which the openness index reaches 63% (assumption)
LEADER_REFERENCE = 60.0  # leaders' VTI hours/month at which their engagement index reaches 63% (assumption)
OPERATING_RATE = 0.004  # monthly operating cost of a delivered action, share of its cost (~5%/year; assumption)
EFFICIENCY, EFFECTIVENESS, INTRINSIC, TRANSPARENCY, PARTICIPATION, COLLABORATION = range(len(GENERATORS))
_PROGRESS = slice_of("progress_", ITEM_KEYS)
_QUALITY = slice_of("quality_", ITEM_KEYS)
_GEN = slice_of("generator_", GENERATORS)
_CREATED = slice_of("pv_created_", VALUE_TYPES)
_DESTROYED = slice_of("pv_destroyed_", VALUE_TYPES)
_NET = slice_of("pv_net_", VALUE_TYPES)
_SOURCES = slice_of("destroyed_", DESTRUCTION_SOURCES)
_HOURS = slice(INDEX["hours_elected_steering"], INDEX["hours_staff_training"] + 1)
_DEMAND = slice(INDEX["demand_elected"], INDEX["demand_staff"] + 1)
_UNMET = slice(INDEX["unmet_elected"], INDEX["unmet_staff"] + 1)
_SCALARS = ("month", "phase", "cycle", "pv_created_total", "pv_destroyed_total", "pv_net_total",
            "trust", "participation", "satisfaction", "inclusion_gap", "digital_use", "legitimacy",
            "hours_facilitation_open_governance", "hours_operators_delivery", "unmet_operators",
            "budget_allotted", "budget_spent", "budget_spent_year", "budget_execution",
            "foundation_maturity", "open_data_catalogue", "open_data_freshness", "data_habit",
            "proactivity", "openness", "open_active", "open_fulfilment", "transversality", "partners", "job_fit",
            "skill",
            "actions_under_way", "actions_delivered", "actions_evaluated", "executive_changed")


class VTIModel(mesa.Model):
    """One territory, one policy, five roles; parameters come from ``vti_sim.registry``."""

    def __init__(self, rng=None, **params):
        super().__init__(rng=rng)
        p = self.p = resolve(params, source="VTIModel")
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
                                   self.rng)
        self.portfolio.contract_with(self.operators)
        self.policy = PolicyCycle(proactive=p["copil_per_year"] > 0 or p["working_groups"] > 0)
        # territory state
        self.maturity = p["foundation_maturity_0"]
        self.catalogue, self.freshness = 0.05, 0.5
        self.budget_year = p["annual_budget_meur"]
        self.spent_year = self.invested_year = self.spent_total = self.allotted_total = 0.0
        self.legitimacy = 0.5
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
        self._steering = tuple(gov.steering_demand(p["copil_per_year"], p["working_groups"]).tolist())
        self._fac_capacity = p["facilitation_fte"] * HOURS_PER_MONTH["staff"] * self.factor
        self._training_each = p["training_hours_per_year"] / 12.0
        self._directors_training = 4.0 * p["hr_support"] * self.directors.n  # change-management support
        self._contract_skill = self.directors.contract_management()
        self._change_management = self.directors.change_management()
        self._silo = self.directors.silo_friction()  # the directorate's silo friction (mean ~ silo_index)
        self._meetings = p["open_bodies"] * p["open_meetings_per_year"] / 12.0
        self._decay = 0.5 ** (1.0 / p["data_half_life_months"])
        self._zero_dirs = np.zeros(len(DIRECTIONS))
        self._item_productivity = np.zeros(len(ITEM_KEYS))
        self._use = np.ones(pf.n)
        self._gate, self._gate_for = None, None
        self._destroyed = np.zeros(len(DESTRUCTION_SOURCES))
        self._scalar_index = np.array([INDEX[c] for c in _SCALARS])
        self._on_state_change()
        self._zero_ops = np.zeros(self.operators.n)
        self.ledger = Ledger(self.months)
        self.row = self.ledger.data[0]
        self.pv_net_total = 0.0
        self.pv_cumulative = 0.0
        self.datacollector = mesa.DataCollector(model_reporters={
            "PV": "pv_cumulative", "pv_net_total": "pv_net_total", "phase": "phase",
            "trust": "trust", "participation": "participation", "budget_spent": "spent_total",
        })
        self.running = True

    # ---------------------------------------------------------------- the monthly schedule
    def step(self) -> None:
        month = self.steps - 1
        self.row = self.ledger.data[month]
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
        self.datacollector.collect(self)
        if self.steps >= self.months:
            self.running = False

    # ---------------------------------------------------------------- 1. the month begins
    def begin_month(self, month: int) -> None:
        p = self.p
        summer = month % 12 in SUMMER
        if month and month % 12 == 0:
            self.budget_year = next_budget(p["annual_budget_meur"], self.legitimacy, p["budget_feedback"])
            self.spent_year = self.invested_year = 0.0
        self.allotted_total += self.budget_year / 12.0
        self.open_active = gov.open_is_active(p["openness_start"], self.maturity, p["structure_first_threshold"],
                                              self.open_active)
        self.elected.set_capacity(p["leader_time_share"], self.factor)
        self.directors.set_capacity(p["leader_time_share"], self.factor)
        self.staff.set_capacity(0.1 * p["seasonal_amplitude"] if summer else 0.0, self.factor)
        self.residents.come_and_go(summer)

    # ---------------------------------------------------------------- 2. time: demand and rationing
    def allocate_time(self) -> None:
        """Bodies and work ask each role for hours; each person is rationed proportionally (ODD §7.2).

        Roles x activities is a 3 x 5 table, so it is handled as plain floats (cheaper than numpy calls).
        """
        p, pf, policy = self.p, self.portfolio, self.policy
        self.workable = workable = policy.workable(self.open_active)
        # item hours by role, split into delivery work (launch-implementation) and evaluation work
        ie, id_, is_, ve, vd, vs = policy.demand(workable)
        st_e, st_d, st_s = self._steering
        under = pf.state == 1
        n_under = int(np.count_nonzero(under))
        n_delivered = self.n_delivered
        if self.open_active:
            n_decisions = float(np.count_nonzero(workable)) + n_under / 6.0
            op_e, op_d, op_s = gov.open_demand(p, policy.phase, self.partners, n_decisions, n_delivered,
                                               float(policy.progress[OPEN_BODIES]))
        else:
            op_e = op_d = op_s = 0.0
        self.fac_served = fac = min(op_s, self._fac_capacity)
        # actions under way: staff work by direction; directors supervise programmes and contracts
        if n_under:
            monthly = under * pf.monthly_effort
            staff_actions = np.bincount(pf.direction, weights=monthly * pf.staff_share, minlength=len(DIRECTIONS))
            dirs_actions = float(monthly @ pf.director_share)
        else:
            staff_actions, dirs_actions = self._zero_dirs, 0.0
        monitoring = 2.0 * n_delivered
        el, di, st = self.elected, self.directors, self.staff
        el.allocate_time([st_e, op_e, ie, ve, 0.0])
        di.allocate_time([st_d, op_d, id_ + dirs_actions, vd + 0.2 * monitoring, self._directors_training])
        st.allocate_time([st_s, op_s - fac, is_, vs + 0.8 * monitoring, 0.0], staff_actions, self._training_each)
        se, sd, ss = el.served_by_activity, di.served_by_activity, st.served_by_activity
        de, dd, ds = el.demanded_by_activity, di.demanded_by_activity, st.demanded_by_activity
        self.hours = (se, sd, ss)
        self.demand_total = (sum(de), sum(dd), sum(ds))
        self.served_total = (sum(se), sum(sd), sum(ss))
        col = EVAL_ACT if policy.phase == EVALUATION else DELIVERY
        self.item_fulfilment = np.array([x[col] / y[col] if y[col] > 0 else 1.0
                                         for x, y in ((se, de), (sd, dd), (ss, ds))])
        self.transversality = gov.transversality(se[STEERING] + sd[STEERING] + ss[STEERING])
        # proactivity (Carassus & Baldé 2020): top leaders actively engaged, and ad hoc bodies (transversality)
        engaged = 1.0 - math.exp(-(self.served_total[0] + self.served_total[1]) / LEADER_REFERENCE)
        self.proactivity = 0.5 * engaged + 0.5 * self.transversality
        open_demanded = op_e + op_d + op_s
        self.open_hours = se[OPEN] + sd[OPEN] + ss[OPEN] + fac
        self.f_open = self.open_hours / open_demanded if open_demanded > 0 else 1.0
        self.staff_dir_fulfilment = st.direction_fulfilment
        self.directors_delivery = sd[DELIVERY] / dd[DELIVERY] if dd[DELIVERY] > 0 else 1.0

    # ---------------------------------------------------------------- 3. the policy cycle
    def advance_policy(self, month: int) -> bool:
        p, policy = self.p, self.policy
        t = self.transversality
        silo_drag = 1.0 - 0.6 * self._silo * (1.0 - t)  # R1: steering lowers silo friction
        base = (0.4 + 0.6 * p["innovation_capacity"]) * silo_drag * (1.0 + 0.3 * policy.learning)
        self.productivity = base
        productivity = self._item_productivity
        productivity.fill(base)
        productivity[ORGANISATIONAL] *= 0.4 + 0.6 * self.acceptance  # R3: change needs acceptance
        coherence = 1.0 - self._silo * (1.0 - t)
        if self.open_active:
            voice = min(1.0, 10.0 * self.participation)
            fit = 0.3 + 0.7 * self.f_open * (0.5 * voice + 0.5 * p["participatory_share"])
        else:
            fit = 0.3
        quality = np.where(ITEM_OPEN_SENSITIVE, 0.5 * coherence + 0.5 * fit, coherence)
        was = policy.phase
        done = policy.advance(month, self.workable, self.item_fulfilment, productivity, quality, self.open_active)
        self.evaluation_closed = done and was == EVALUATION
        self.planning_fit = policy.planning_fit()
        return done

    # ---------------------------------------------------------------- 4. money, staff and operators deliver actions
    def deliver_actions(self, month: int) -> None:
        p, pf = self.p, self.portfolio
        if self.policy.first_month[IMPLEMENTATION] >= 0 and self.policy.implementation_months in (0, 12, 24):
            pf.start_due(self.policy.implementation_months, month)  # short, medium and long terms come due
        under = pf.state == 1
        if under.any():
            if self._gate_for != self.maturity:  # actions wait for the foundation they need (§7.5)
                self._gate = np.clip(1.0 - (pf.required_maturity - self.maturity) / 0.3, 0.0, 1.0)
                self._gate_for = self.maturity
            gate = self._gate
            op_demand = np.bincount(pf.operator, weights=under * pf.operator_monthly, minlength=self.operators.n)
            op_done = self.operators.work(op_demand, self.factor)
            contract = 0.6 + 0.4 * self._contract_skill * self.directors_delivery
            staff_f = self.staff_dir_fulfilment[pf.direction]
            work = np.where(pf.outsourced, np.minimum(staff_f, op_done[pf.operator] * contract), staff_f)
            rate = np.minimum(under * gate * work * (self.productivity / pf.duration), 1.0 - pf.progress)
            # money: investment is capped by what is left of the year's investment budget; staff capacity,
            # not money, often binds, so money goes unspent (Bitterman & Koliba 2020)
            invest_left = max(self.budget_year * p["investment_share"] - self.invested_year, 0.0)
            wanted = float(rate @ pf.public_cost)
            if wanted > invest_left:
                rate *= invest_left / wanted
                wanted = invest_left
            pf.progress += rate
            pf.spent += rate * pf.public_cost
            newly = under & (pf.progress >= 1.0 - 1e-9)
            n_new = int(np.count_nonzero(newly))
            if n_new:
                pf.state[newly] = 2
                pf.delivered_month[newly] = month
                self._on_state_change()
        else:
            self.operators.work(self._zero_ops, self.factor)
            wanted, n_new = 0.0, 0
        operating_need = OPERATING_RATE * float(pf.public_cost @ (pf.state >= 2))
        operating = min(operating_need, self.budget_year * (1.0 - p["investment_share"]) / 12.0)
        self.service_level = operating / operating_need if operating_need > 0 else 1.0
        self.invested_year += wanted
        self.spent_month = wanted + operating
        self.spent_year += self.spent_month
        self.spent_total += self.spent_month
        self.recent_deliveries = 0.9 * self.recent_deliveries + n_new
        if self.evaluation_closed:
            pf.state[pf.state == 2] = 3  # evaluated: the cycle's learning re-orients them
            self._on_state_change()
        m0 = p["foundation_maturity_0"]
        self.maturity = max(self.maturity, m0 + (1.0 - m0) * 0.9 * pf.foundation_progress())

    def _on_state_change(self) -> None:
        """Derived portfolio quantities that change only when an action is delivered or evaluated."""
        pf = self.portfolio
        delivered = pf.state >= 2
        self.delivered = delivered
        self.n_delivered = int(np.count_nonzero(delivered))
        self.n_evaluated = int(np.count_nonzero(pf.state == 3))
        self.tools_delivered = np.bincount(pf.direction, weights=pf.tool_magnitude * delivered,
                                           minlength=len(DIRECTIONS)) * self._inv_tool_mag
        self.evaluated_boost = np.where(pf.state == 3, 1.0 + 0.3 * self.policy.learning, 1.0)
        self.risk_exposure = tuple(float(x) for x in delivered @ pf.risk_matrix)

    # ---------------------------------------------------------------- 5. staff: training, jobs, data habits
    def develop_staff(self) -> None:
        p, _pf, staff = self.p, self.portfolio, self.staff
        staff.train(p["hr_support"], self._change_management)
        staff.transform_jobs(self.tools_delivered)
        staff.share_data(p["data_culture"], self.transversality, p["silo_index"])
        self.directors.follow(self.elected.commitment)
        self.job_fit = staff.job_fit()
        self.acceptance = float(staff.acceptance.sum()) / staff.n
        self.skill = float(staff.digital_skill.sum()) / staff.n
        self.habit = staff.mean_data_habit

    # ---------------------------------------------------------------- 6. open data: published, then ageing
    def maintain_open_data(self) -> None:
        p = self.p
        kept = self.freshness * self._decay
        self.freshness = kept + self.habit * (1.0 - kept)
        self.catalogue += 0.03 * p["information_sharing"] * self.maturity * (0.3 + 0.7 * self.habit) * (
            1.0 - 0.5 * p["silo_index"]) * (1.0 - self.catalogue)

    # ---------------------------------------------------------------- 7. residents
    def engage_residents(self) -> None:
        p, pf, policy = self.p, self.portfolio, self.policy
        delivered = self.delivered
        self.access = float(pf.proximity_magnitude @ delivered) * self._inv_prox_mag * self.service_level
        self.principles = float(policy.quality[AMBITION] * policy.progress[AMBITION])
        if self.open_active:
            setup = float(policy.progress[OPEN_BODIES])
            reach = self._meetings * 0.8 + p["participatory_share"] * (1.5 + 0.3 * self.access)
            if policy.phase == EVALUATION:
                reach += p["co_evaluation"]
            opportunity = self.f_open * setup * (1.0 - math.exp(-reach))
            # digital mediation where bodies cover neighbourhoods (seed 002 §3.5 'réseau de solidarité numérique')
            self.mediation = self.f_open * self._coverage * (0.3 + 0.7 * self.principles)
        else:
            opportunity, self.mediation = 0.0, 0.0
        self.participation = self.residents.participate(opportunity)
        self.mean_use = self.residents.use_services(self.access, self.mediation, 0.5 + 0.5 * self.planning_fit)

    # ---------------------------------------------------------------- 8. public value: created and destroyed
    def account_value(self) -> None:
        p, pf, res = self.p, self.portfolio, self.residents
        delivered = self.delivered
        platform = self.maturity * (0.3 + 0.7 * self.habit) * (0.5 + 0.5 * self.freshness)  # R2
        use = self._use
        # R3: staff able to run the new tools; R2: remote steering runs on shared, fresh data from the foundation
        # (seed 000 Angers lighting: 'le pilotage à distance est fonctionnel')
        data_ready = 0.7 + 0.3 * self.maturity * (0.3 + 0.7 * self.habit)
        use[pf.infra_index] = self.job_fit[pf.infra_direction] * data_ready
        use[pf.decision_index] = platform
        use[pf.proximity_index] = self.mean_use
        fit = 0.4 + 0.6 * self.planning_fit  # fit of actions to needs and uses, set at planning
        factor = delivered * use * self.evaluated_boost
        factor *= fit * self.service_level
        gen = factor @ pf.potential
        realised = factor * pf.magnitude
        pf.value_created += realised
        # governance processes generate value too (Frucquet et al. 2023 after O'Flynn 2007: processes that
        # generate trust or equity)
        t = self.transversality
        gen[EFFECTIVENESS] += 0.4 * t
        gen[EFFICIENCY] += 0.3 * t
        # substance: share of the portfolio under way or delivered; what there is to report and co-produce
        substance = 0.2 + 0.8 * float(pf.magnitude @ (pf.state >= 1)) * self._inv_total_mag
        # visible results: recent deliveries, and information about the policy's substance (seed 002 §3.4)
        self.visible = (0.5 * (1.0 - math.exp(-self.recent_deliveries / 2.0)) + 0.5 * p["information_sharing"]
                        * substance * res.reach) * (0.5 + 0.5 * self.elected.openness)
        gen[TRANSPARENCY] += 0.6 * self.catalogue * self.freshness
        if self.open_active:
            f = self.f_open
            # information is worth what residents can read and believe (literacy x trust)
            audience = float(res.can_use @ res.trust_term) / res.n
            gen[TRANSPARENCY] += 2.0 * p["information_sharing"] * f * audience * substance
            # participation pays off through visible results: 'small wins' (Ansell & Gash 2008)
            gen[PARTICIPATION] += 20.0 * self.participation * self.visible
            gen[COLLABORATION] += 0.3 * self.partners * f * substance
            # R4: decision-support platforms used collaboratively (the digital twin as an urban platform)
            twin = float(pf.decision_magnitude @ delivered)
            gen[COLLABORATION] += 0.5 * twin * p["information_sharing"] * f * min(1.0, 10.0 * self.participation)
        self.generators = gen
        created = to_types(gen)
        # destruction, by source
        exclusion, privacy, footprint = self.risk_exposure  # of delivered actions (seed 002 §4.2 agenda)
        protection = 0.5 * self.principles
        destroyed = self._destroyed
        destroyed[0] = exclusion * self.access * res.excluded_share(self.mediation) * 3.0
        destroyed[1] = privacy * (1.0 - 0.7 * self.maturity) * (1.0 - protection)
        destroyed[2] = footprint * (1.0 - protection)
        destroyed[3] = 0.5 * self.catalogue * (1.0 - self.freshness)
        destroyed[4] = 12.0 * self.participation * (1.0 - self.visible)
        self.destroyed_by_source = destroyed
        destroyed_types = destruction_to_types(destroyed)
        self.created, self.destroyed = created, destroyed_types
        self.created_total = float(created.sum())
        self.destroyed_total = float(destroyed_types.sum())
        self.pv_net_total = self.created_total - self.destroyed_total
        self.pv_cumulative += self.pv_net_total
        # value reaches residents: proximity services by use, the rest as common goods
        personal = float(realised @ pf.is_proximity)
        common = max(self.created_total - personal, 0.0)
        res.receive(common, personal, self.mean_use)
        res.update_trust(self.visible, min(1.0, gen[TRANSPARENCY] / 2.0),
                         0.01 * self.access * (1.0 - self.mediation), 0.002 * destroyed[1])
        target = gov.partners_target(p["ecosystem_richness"], self.f_open, p["participatory_share"]) \
            if self.open_active else 0.0
        self.partners += 0.05 * (target - self.partners)

    # ---------------------------------------------------------------- 9. Moore feedback and elections
    def apply_feedback(self, month: int) -> None:
        p, res = self.p, self.residents
        self.trust = float(res.trust.sum()) / res.n
        self.satisfaction = float(res.satisfaction.sum()) / res.n
        self.legitimacy = update_legitimacy(self.legitimacy, self.trust, self.satisfaction)
        self.elected.update_commitment(self.legitimacy)
        self.executive_changed = False
        if (month + 1) % p["mandate_months"] == 0:
            self.executive_changed = self.elected.stand_for_election(self.legitimacy, p["election_volatility"])
            if self.executive_changed:
                self.executive_changes.append(month)

    # ---------------------------------------------------------------- recording
    @property
    def phase(self) -> int:
        return self.policy.phase

    def record(self, month: int) -> None:
        r, policy, pf, ops = self.row, self.policy, self.portfolio, self.operators
        r[_PROGRESS] = policy.progress
        r[_QUALITY] = policy.quality
        r[_GEN] = self.generators
        r[_CREATED] = self.created
        r[_DESTROYED] = self.destroyed
        r[_NET] = self.created - self.destroyed
        r[_SOURCES] = self.destroyed_by_source
        r[_HOURS] = self.hours[0] + self.hours[1] + self.hours[2]
        r[_DEMAND] = self.demand_total
        r[_UNMET] = [d - s for d, s in zip(self.demand_total, self.served_total, strict=True)]
        state = pf.state
        ops_demanded, ops_served = float(ops.demanded.sum()), float(ops.served.sum())
        r[self._scalar_index] = (
            month, policy.phase, policy.cycle,
            self.created_total, self.destroyed_total, self.pv_net_total,
            self.trust, self.participation, self.satisfaction, self.residents.inclusion_gap(), self.mean_use,
            self.legitimacy,
            self.fac_served, ops_served, ops_demanded - ops_served,
            self.budget_year, self.spent_month, self.spent_year,
            self.spent_total / self.allotted_total if self.allotted_total else 0.0,
            self.maturity, self.catalogue, self.freshness, self.habit,
            self.proactivity, 1.0 - math.exp(-self.open_hours / OPEN_REFERENCE), self.open_active,
            self.f_open if self.open_active else 0.0, self.transversality, self.partners, float(self.job_fit.mean()),
            self.skill,
            np.count_nonzero(state == 1), self.n_delivered, self.n_evaluated,
            self.executive_changed,
        )
        self.ledger.n = month + 1
