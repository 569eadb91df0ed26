"""The five roles.  Each role is one Mesa Agent that holds its people as numpy arrays.

Thousands of Mesa Agent objects with a Python ``step()`` each would cost more
than the whole model (see ``benchmarks/``), so each role vectorises over its
people: one row per person, one verb method per behaviour.  ``n`` is the number
of people a role represents as individual agents (MODEL_BRIEF §3).  Every behavioural coefficient is a registry
assumption (``leaders_*``, ``elected_*``, ``directors_*``, ``staff_*``, ``operators_*``, ``residents_*``,
``trust_*``), read once from the model's parameters ``model.p`` when a role is built; compiled passes get them
as arguments.
"""

from __future__ import annotations

import mesa
import numpy as np
from numba import njit

from .feedback import _pull, executive_change_probability
from .portfolio import DIRECTIONS
from .products import dot
from .time_budget import DELIVERY, HOURS_PER_MONTH, N_ACTIVITIES, TRAINING, capacity, hours_per_month


class RoleAgent(mesa.Agent):
    """People of one role, held as arrays; ``n`` people.

    Roles that ration time (elected, directors, staff) solve ``time_budget.ration`` analytically per person;
    ``tests/test_mechanisms.py::test_role_allocation_equals_the_rationing_rule`` checks they agree."""

    role = ""

    def __init__(self, model: mesa.Model, n: int):
        super().__init__(model)
        self.n = n
        self.served_by_activity = np.zeros(N_ACTIVITIES)
        self.demanded_by_activity = np.zeros(N_ACTIVITIES)


class _Leaders(RoleAgent):
    """Elected officials and directors: few people whose VTI time is a chosen share of their free hours."""

    def __init__(self, model, n, routine, involvement, commitment):
        super().__init__(model, n)
        rng, p = model.rng, model.p
        self.routine = np.clip(routine + rng.normal(0.0, p["leaders_routine_noise_sd"], n), 0.0,
                               p["routine_load_cap"])
        self.involvement = involvement / involvement.sum()
        self.commitment = commitment
        self.capacity = np.zeros(n)  # hours each person can give the policy this month
        self.fulfilment = np.ones(n)  # share of each person's demand served this month
        self._free, self._free_for = None, None  # free hours per person, cached for the run's capacity factor
        self._share = 0.0
        self._d = [0.0] * N_ACTIVITIES
        self._hours = hours_per_month(self.role, p)
        self._commitment_offset = p["leaders_time_share_commitment_offset"]

    def set_capacity(self, leader_time_share: float, factor: float) -> None:
        """Each person gives the policy ``free_hours * min(1, leader_time_share * (offset + commitment))``; it is
        computed with the rationing in ``allocate_time`` (commitment does not change in between)."""
        self._share = leader_time_share
        if self._free_for != factor:
            self._free = self._hours * (1.0 - self.routine) * factor
            self._free_for = factor

    def allocate_time(self, role_demand: list[float]) -> None:
        """Each person is asked ``involvement_i * role_demand``; proportional rationing then reduces to
        one fulfilment factor per person, so the role's served hours are ``role_demand * sum_i w_i f_i``."""
        self._d = role_demand
        s = _ration_leaders(self._free, self.commitment, self._share, self.involvement, sum(role_demand),
                            self.capacity, self.fulfilment, self._commitment_offset)
        self.served_by_activity = [x * s for x in role_demand]
        self.demanded_by_activity = role_demand

    @property
    def served(self) -> np.ndarray:
        """Per person (n, activities): for inspection and invariant tests, not used on the hot path."""
        return np.outer(self.involvement * self.fulfilment, self._d)

    @property
    def demanded(self) -> np.ndarray:
        return np.outer(self.involvement, self._d)


@njit(cache=True)
def _ration_leaders(free, commitment, time_share, involvement, total, capacity, fulfilment, commitment_offset):
    """Per person: capacity, then ``f_i = min(1, capacity_i / (involvement_i * total))``; returns sum_i w_i f_i."""
    served = 0.0
    for i in range(free.size):
        c = free[i] * min(1.0, time_share * (commitment_offset + commitment[i]))
        capacity[i] = c
        d = involvement[i] * total
        f = 1.0 if d <= c else c / d
        fulfilment[i] = f
        served += involvement[i] * f
    return served


class ElectedOfficials(_Leaders):
    """Mayor-president, the VTI deputy and other deputies (seed 002 §3.2)."""

    role = "elected"

    def __init__(self, model, n, routine):
        p = model.p
        # the mayor-president (1), the VTI deputy, the other deputies: involvement relative to the mayor
        involvement = np.r_[1.0, p["elected_involvement_vti_deputy"], np.full(n - 2, p["elected_involvement_others"])]
        commitment = model.rng.uniform(p["leaders_commitment_initial_low"], p["leaders_commitment_initial_high"], n)
        super().__init__(model, n, routine, involvement, commitment)
        self._openness_k = p["elected_openness_concentration"]
        self._new_commitment = (p["election_new_commitment_low"], p["election_new_commitment_high"])
        self.openness_preference = model.rng.beta(self._openness_k, self._openness_k, n)
        self.openness = float(self.openness_preference.mean())  # the executive's preference for openness
        self._pull = (p["commitment_pull"], p["commitment_neutral_legitimacy"], p["commitment_floor"])

    def update_commitment(self, legitimacy: float) -> None:
        """``feedback.pull_commitment`` with its coefficients read once (a new array: the month's record keeps none
        of it, but callers may hold the previous one)."""
        out = np.empty(self.n)
        _pull(self.commitment, legitimacy, out, *self._pull)
        self.commitment = out

    def stand_for_election(self, legitimacy: float, volatility: float) -> bool:
        """An election may change the executive; a new one arrives with its own commitment and preferences."""
        rng = self.model.election_rng  # its own stream: paired runs face the same electoral luck
        if rng.random() < executive_change_probability(legitimacy, volatility, self.model.p):
            self.commitment = rng.uniform(*self._new_commitment, self.n)
            self.openness_preference = rng.beta(self._openness_k, self._openness_k, self.n)
            self.openness = float(self.openness_preference.mean())
            return True
        return False


class Directors(_Leaders):
    """DGS, DGA for digital and other directors: administrative steering and contracts (seed 003)."""

    role = "directors"

    def __init__(self, model, n, routine, silo_index):
        p = model.p
        # the DGS (1), the DGA for digital, the other directors: involvement relative to the DGS
        involvement = np.r_[1.0, p["directors_involvement_dga_digital"],
                            np.full(n - 2, p["directors_involvement_others"])]
        commitment = model.rng.uniform(p["leaders_commitment_initial_low"], p["leaders_commitment_initial_high"], n)
        super().__init__(model, n, routine, involvement, commitment)
        rng = model.rng
        spread = p["directors_silo_spread"]
        self.transversality = np.clip(1.0 - silo_index * rng.uniform(1.0 - spread, 1.0 + spread, n), 0.0, 1.0)
        self.change_skill = rng.uniform(p["directors_change_skill_low"], p["directors_change_skill_high"], n)
        self.contract_skill = rng.uniform(p["directors_contract_skill_low"], p["directors_contract_skill_high"], n)
        self._follow_rate = p["directors_follow_rate"]

    def follow(self, elected_commitment: np.ndarray) -> None:
        """Administrative commitment follows the political lead, slowly."""
        _follow(self.commitment, elected_commitment, self._follow_rate)

    def change_management(self) -> float:
        """Skill in managing organisational change, weighted by involvement (seed 003 'accompagnement')."""
        return dot(self.change_skill, self.involvement)

    def silo_friction(self) -> float:
        """How siloed the directorate works, 0-1: one minus its involvement-weighted transversality."""
        return 1.0 - dot(self.transversality, self.involvement)

    def contract_management(self) -> float:
        """Quality of contract steering with operators, weighted by involvement."""
        return dot(self.contract_skill, self.involvement)


@njit(cache=True)
def _follow(commitment, lead, rate):
    """``commitment <- commitment + rate (mean(lead) - commitment)`` in place."""
    target = 0.0
    for x in lead:
        target += x
    target /= lead.size
    for i in range(commitment.size):
        commitment[i] += rate * (target - commitment[i])


class OperationalStaff(RoleAgent):
    """Staff of the six directions; their jobs change as digital tools arrive (seed 002 §3.3)."""

    role = "staff"

    def __init__(self, model, n, routine, data_culture):
        super().__init__(model, n)
        rng, p = model.rng, model.p
        # each direction's share of staff; IT (the first) takes the rest
        share_by_direction = np.array([0.0] + [p[f"staff_share_{d}"] for d in DIRECTIONS[1:]])
        counts = np.maximum(1, np.round(share_by_direction * n).astype(int))
        others = counts[1:].sum()
        if others > n - 1:  # shares at their upper bounds can sum past 1: scale them down so that IT keeps someone
            counts[1:] = np.maximum(1, np.floor(counts[1:] * (n - 1) / others).astype(int))
        counts[0] += n - counts.sum()
        self.direction = np.repeat(np.arange(len(DIRECTIONS)), counts)
        self.direction_count = np.bincount(self.direction, minlength=len(DIRECTIONS)).astype(float)
        self._capacity_cache = {}
        self._routine_cap = p["routine_load_cap"]
        self.routine = np.clip(rng.normal(routine, p["staff_routine_noise_sd"], n), 0.0, self._routine_cap)
        self.digital_skill = rng.beta(p["staff_digital_skill_beta_a"], p["staff_digital_skill_beta_b"], n)
        self.acceptance = rng.uniform(p["staff_acceptance_initial_low"], p["staff_acceptance_initial_high"], n)
        self.data_habit = data_culture * rng.uniform(p["staff_data_habit_initial_low"], 1.0, n)  # at most the culture
        self._acceptance_gain = (p["staff_acceptance_gain_base"], p["staff_acceptance_gain_hr"],
                                 p["staff_change_management_offset"], p["staff_acceptance_loss_rate"])
        self._skill_gain = p["staff_skill_gain_per_training_hour"]
        w = self._learning_acceptance = p["staff_learning_acceptance_weight"]
        self._learning_floor = 1.0 - w
        self._transformation_rate = p["staff_job_transformation_rate"]
        self._fit_offset = p["staff_job_fit_skill_offset"]
        w = self._fit_acceptance = p["staff_job_fit_acceptance_weight"]
        self._fit_floor = 1.0 - w
        self._habit = (p["staff_data_habit_growth"], p["staff_data_habit_transversality_weight"],
                       p["staff_data_habit_decay_silo"])
        self.mean_data_habit = float(self.data_habit.mean())
        self.training_received = np.zeros(n)
        self.job_transformation = np.zeros(n)
        self.fulfilment = np.ones(n)
        self.direction_fulfilment = np.ones(len(DIRECTIONS))
        self._shared, self._per_dir, self._training = np.zeros(N_ACTIVITIES), np.zeros(len(DIRECTIONS)), 0.0

    def set_capacity(self, summer_load: float, factor: float) -> None:
        key = (summer_load, factor)
        if key not in self._capacity_cache:  # it only changes with the season (hot-path economy)
            routine = np.minimum(self.routine + summer_load, self._routine_cap) if summer_load else self.routine
            self._capacity_cache[key] = capacity(HOURS_PER_MONTH["staff"], routine, 1.0, factor)
        self.capacity = self._capacity_cache[key]

    def allocate_time(self, shared: np.ndarray, delivery_by_direction: np.ndarray, training_each: float) -> None:
        """Per-person demand: shared work spread evenly, delivery by direction, training for everyone.

        Proportional rationing gives person i the fulfilment ``f_i = min(1, capacity_i / demand_i)`` on
        every activity; role and direction totals follow without building the (n, activities) matrix.
        """
        n = self.n
        f_sum, delivery_served, delivery_demanded = _staff_allocation(
            self.capacity, self.direction, self.direction_count, delivery_by_direction,
            sum(shared) / n + training_each + 1e-12, self.fulfilment, self._per_dir, self.direction_fulfilment)
        self._shared, self._training = shared, training_each
        served = [x * (f_sum / n) for x in shared]
        served[DELIVERY] += delivery_served
        served[TRAINING] = training_each * f_sum
        self.served_by_activity = served
        demanded = list(shared)
        demanded[DELIVERY] += delivery_demanded
        demanded[TRAINING] = training_each * n
        self.demanded_by_activity = demanded

    @property
    def demanded(self) -> np.ndarray:
        """Per person (n, activities): for inspection and invariant tests, not used on the hot path."""
        d = np.outer(np.full(self.n, 1.0 / self.n), self._shared)
        d[:, DELIVERY] += self._per_dir[self.direction]
        d[:, TRAINING] = self._training
        return d

    @property
    def served(self) -> np.ndarray:
        return self.demanded * self.fulfilment[:, None]

    def train(self, hr_support: float, change_management: float) -> None:
        """Training hours raise skill; HR support raises acceptance of the changed job (R3).

        skill <- skill + gain hours (1 - skill) ((1 - w) + w acceptance);
        acceptance <- acceptance + a (1 - acceptance) - b job_transformation acceptance, where hours are this
        month's training demand times the person's fulfilment,
        ``a = base + hr_gain * hr_support * (offset + change_management)`` and ``b = loss * (1 - hr_support)``."""
        a, b = self._acceptance_rates(hr_support, change_management)
        self.skill_total, self.acceptance_total = _train(
            self.training_received, self.digital_skill, self.acceptance, self.job_transformation, self.fulfilment,
            self._training, a, b, self._skill_gain, self._learning_floor, self._learning_acceptance)

    def _acceptance_rates(self, hr_support: float, change_management: float) -> tuple[float, float]:
        base, hr_gain, offset, loss = self._acceptance_gain
        return base + hr_gain * hr_support * (offset + change_management), loss * (1.0 - hr_support)

    def transform_jobs(self, tools_by_direction: np.ndarray) -> None:
        """Delivered tools change the job (the gardener now waters by phone): transformation relaxes at
        ``staff_job_transformation_rate`` a month towards the share of the direction's tools delivered."""
        _transform_jobs(self.job_transformation, self.direction, tools_by_direction, self._transformation_rate)

    def job_fit(self) -> np.ndarray:
        """Per direction: how far staff can do the transformed job (skill and acceptance vs change)."""
        fit = np.empty(len(DIRECTIONS))
        self.mean_job_fit = _job_fit(self.digital_skill, self.acceptance, self.job_transformation, self.direction,
                                     self.direction_count, fit, self._fit_offset, self._fit_floor,
                                     self._fit_acceptance)
        return fit

    def share_data(self, data_culture: float, transversality: float, silo_index: float) -> None:
        """The habit of sharing and updating data grows with culture and cross-cutting work, decays in silos (R2)."""
        grow, decay = self._habit_rates(data_culture, transversality, silo_index)
        _affine(self.data_habit, 1.0 - grow - decay, grow)  # h <- h + grow (1 - h) - decay h
        self.mean_data_habit = self.mean_data_habit * (1.0 - grow - decay) + grow  # the same affine map

    def _habit_rates(self, data_culture: float, transversality: float, silo_index: float) -> tuple[float, float]:
        growth, weight, decay_rate = self._habit
        return growth * (data_culture + weight * transversality), decay_rate * silo_index

    def develop(self, hr_support: float, change_management: float, tools_by_direction: np.ndarray,
                data_culture: float, transversality: float, silo_index: float) -> np.ndarray:
        """The month's four verbs in one compiled call (``_develop``): ``train``, ``transform_jobs``,
        ``share_data``, then ``job_fit`` (returned, per direction)."""
        a, b = self._acceptance_rates(hr_support, change_management)
        grow, decay = self._habit_rates(data_culture, transversality, silo_index)
        fit = np.empty(len(DIRECTIONS))
        self.skill_total, self.acceptance_total, self.mean_data_habit, self.mean_job_fit = _develop(
            self.training_received, self.digital_skill, self.acceptance, self.job_transformation, self.fulfilment,
            self._training, a, b, self._skill_gain, self._learning_floor, self._learning_acceptance,
            self.direction, tools_by_direction, self._transformation_rate, self.data_habit, grow, decay,
            self.mean_data_habit, self.direction_count, fit, self._fit_offset, self._fit_floor, self._fit_acceptance)
        return fit


# ---------------------------------------------------------------- staff's verbs, one compiled pass each
@njit(cache=True)
def _staff_allocation(capacity, direction, count, delivery_by_direction, shared_each, fulfilment, per_direction,
                      direction_fulfilment):
    """Proportional rationing per person, ``f_i = min(1, capacity_i / demand_i)``, where demand is the person's
    share of their direction's delivery work plus an even share of the rest.  Returns (sum of f, delivery hours
    served, delivery hours demanded) and fills the mean fulfilment by direction."""
    delivery = 0.0
    for d in range(count.size):
        per_direction[d] = delivery_by_direction[d] / count[d]
        direction_fulfilment[d] = 0.0
        delivery += delivery_by_direction[d]
    f_sum = 0.0
    for i in range(capacity.size):
        f = min(capacity[i] / (per_direction[direction[i]] + shared_each), 1.0)
        fulfilment[i] = f
        direction_fulfilment[direction[i]] += f
        f_sum += f
    served = 0.0
    for d in range(count.size):
        served += per_direction[d] * direction_fulfilment[d]
        direction_fulfilment[d] /= count[d]
    return f_sum, served, delivery


@njit(cache=True)
def _train(received, skill, acceptance, transformation, fulfilment, training_each, a, b, gain, floor, weight):
    skill_total = acceptance_total = 0.0
    for i in range(skill.size):
        hours = training_each * fulfilment[i]
        received[i] += hours
        skill[i] += (gain * hours) * (1.0 - skill[i]) * (floor + weight * acceptance[i])
        acceptance[i] = acceptance[i] * ((1.0 - a) - b * transformation[i]) + a
        skill_total += skill[i]
        acceptance_total += acceptance[i]
    return skill_total, acceptance_total


@njit(cache=True)
def _transform_jobs(transformation, direction, tools_by_direction, rate):
    keep = 1.0 - rate
    for i in range(transformation.size):
        transformation[i] = transformation[i] * keep + rate * tools_by_direction[direction[i]]


@njit(cache=True)
def _job_fit(skill, acceptance, transformation, direction, count, fit, skill_offset, floor, weight):
    shortfall = fit  # accumulated in the output buffer (no allocation in compiled code: it costs a call)
    shortfall[:] = 0.0
    for i in range(skill.size):
        ok = min(1.0, (skill_offset + skill[i]) * (floor + weight * acceptance[i]))
        shortfall[direction[i]] += transformation[i] * (1.0 - ok)
    total = 0.0
    for d in range(count.size):
        fit[d] = 1.0 - shortfall[d] / count[d]
        total += fit[d]
    return total / count.size


@njit(cache=True)
def _develop(received, skill, acceptance, transformation, fulfilment, training_each, a, b, gain, floor, weight,
             direction, tools_by_direction, rate, habit, grow, decay, mean_habit, count, fit, skill_offset, fit_floor,
             fit_weight):
    """``_train``, ``_transform_jobs``, ``_affine`` (data habits) and ``_job_fit``, in that order; returns (skill
    total, acceptance total, mean data habit, mean job fit)."""
    skill_total, acceptance_total = _train(received, skill, acceptance, transformation, fulfilment, training_each, a,
                                           b, gain, floor, weight)
    _transform_jobs(transformation, direction, tools_by_direction, rate)
    _affine(habit, 1.0 - grow - decay, grow)
    mean_habit = mean_habit * (1.0 - grow - decay) + grow
    mean_fit = _job_fit(skill, acceptance, transformation, direction, count, fit, skill_offset, fit_floor, fit_weight)
    return skill_total, acceptance_total, mean_habit, mean_fit


@njit(cache=True)
def _affine(x, scale, shift):
    """``x <- x * scale + shift`` in place."""
    for i in range(x.size):
        x[i] = x[i] * scale + shift


class Operators(RoleAgent):
    """Economic operators under contract (make-do) or left to act (let-do) (seed 000/001, seed 003)."""

    role = "operators"

    def __init__(self, model, n, alignment):
        super().__init__(model, n)
        rng, p = model.rng, model.p
        # hours/month they can put on the territory
        self.capacity_hours = rng.uniform(p["operators_capacity_low_hours"], p["operators_capacity_high_hours"], n)
        self.capacity = self.capacity_hours.copy()
        self.served = np.zeros((n, 1))
        self.demanded = np.zeros((n, 1))
        self.reliability = rng.beta(p["operators_reliability_beta_a"], p["operators_reliability_beta_b"], n)
        self.alignment = np.clip(alignment + rng.normal(0.0, p["operators_alignment_noise_sd"], n), 0.0, 1.0)
        self.data_sharing = np.clip(self.alignment * rng.uniform(p["operators_data_sharing_initial_low"], 1.0, n),
                                    0.0, 1.0)

    def work(self, demand: np.ndarray, factor: float) -> np.ndarray:
        """Serve each operator's demanded hours; return the share of its work done (with reliability)."""
        self.capacity = self.capacity_hours * factor
        fulfil = np.minimum(1.0, self.capacity / np.maximum(demand, 1e-12))
        self.demanded = demand[:, None].copy()
        self.served = (demand * fulfil)[:, None]
        return fulfil * self.reliability


class Residents(RoleAgent):
    """Residents (one agent per ``inhabitants_per_agent`` inhabitants): literacy, trust, use, participation.

    Each verb is one compiled pass over the residents (``_participate`` ... ``_update_trust`` below): at a few
    thousand residents a month of numpy calls costs more in call overhead than in arithmetic."""

    role = "residents"

    def __init__(self, model, n_permanent, n_seasonal, n_neighbourhoods, literacy_mean, trust_0, n_councils=0):
        n = n_permanent + n_seasonal
        super().__init__(model, n)
        rng, p = model.rng, model.p
        self._read_assumptions(p)
        k = p["residents_literacy_concentration"]
        self.neighbourhood = rng.integers(0, n_neighbourhoods, n)
        self.literacy = rng.beta(literacy_mean * k, (1.0 - literacy_mean) * k, n)
        self.low_literacy = self.literacy < p["residents_low_literacy_threshold"]
        margin = p["residents_trust_initial_margin"]
        self.trust = np.clip(rng.normal(trust_0, p["residents_trust_noise_sd"], n), margin, 1.0 - margin)
        self.satisfaction = np.full(n, p["residents_satisfaction_initial"])
        self.propensity = rng.beta(p["residents_propensity_beta_a"], p["residents_propensity_beta_b"], n)
        self.fatigue = np.zeros(n)
        self.seasonal = np.r_[np.zeros(n_permanent, bool), np.ones(n_seasonal, bool)]
        self._nobody = np.zeros(n, bool)
        self._nobody.setflags(write=False)
        self._draws, self._took = np.zeros(n), np.zeros(n, bool)
        self.participated_any = False
        self.participated = self._nobody
        self._x = np.zeros(n)
        self.digital_use = np.zeros(n)
        self._in_use = False  # anyone uses digital services (they decay only once adopted)
        self.benefit = np.zeros(n)
        self.can_use = np.clip((self.literacy - p["residents_digital_literacy_floor"])
                               / p["residents_digital_literacy_span"], 0.0, 1.0)
        self._cannot = 1.0 - self.can_use
        # most consultation now runs through digital channels (apps, platforms), which need digital literacy;
        # the rest is in person, where a co-construction body (neighbourhood council, thematic commission)
        # covers the resident's neighbourhood; likewise for information reaching them
        self.covered = self.neighbourhood < n_councils
        in_person = p["residents_in_person_share"]
        self.channel_access = in_person * self.covered + (1.0 - in_person) * self.can_use
        self.propensity = self.propensity * self.channel_access
        self.reach = float(self.channel_access.mean())
        # aggregates the verbs keep up to date (read by the model every month)
        self.mean_trust = float(self.trust.mean())
        self.mean_satisfaction = float(self.satisfaction.mean())
        self.audience = dot(self.can_use, self.trust_term) / n  # who can read and believes information
        self._benefit_low = self._benefit_high = 0.0
        # presence in the two seasons, and the counts used every month
        self._season, self._reachable = {}, {}
        # away seasonal residents can still take part through digital channels (seed 003: digital co-creation
        # reaches Biarritz's fluctuating population), at the digital share of their channel access
        digital = (1.0 - in_person) * self.can_use
        away_reach = np.divide(digital, self.channel_access, out=np.zeros(n), where=self.channel_access > 0)
        self._electors = ~self.seasonal  # permanent residents vote and carry legitimacy
        self._all_electors = bool(self._electors.all())
        for summer in (False, True):
            present = ~self.seasonal | summer
            self._reachable[summer] = np.where(present, 1.0, away_reach)
            low = self.low_literacy & present
            self._season[summer] = (present, present.astype(float), float(present.sum()), low.astype(float),
                                    float(low.sum()), float((~self.low_literacy & present).sum()),
                                    dot(self._cannot, low))
        self._low_f = self.low_literacy.astype(float)
        self.come_and_go(False)

    def _read_assumptions(self, p) -> None:
        """The residents' coefficients, read once (the verbs run every month over every resident)."""
        self._trust_floor = p["residents_trust_term_floor"]
        self._trust_slope = 1.0 - self._trust_floor
        self._fatigue_keep = 1.0 - p["residents_fatigue_recovery"]
        self._fatigue_gain = p["residents_fatigue_gain"]
        self._adoption = p["residents_service_adoption_rate"]
        self._use_keep = 1.0 - p["residents_service_use_decay"]
        self._satisfaction_rate = p["residents_satisfaction_rate"]
        self._satisfaction_keep = 1.0 - self._satisfaction_rate
        self._satisfaction_half = p["residents_satisfaction_half_value"]
        self._unanswered_loss = p["trust_loss_unanswered"]
        self._transparency_gain = p["trust_gain_from_transparency"]
        self._benefit_gain = p["trust_gain_from_benefit"]

    @property
    def trust_term(self) -> np.ndarray:
        """How trust scales willingness to participate and to use services."""
        return self._trust_floor + self._trust_slope * self.trust

    def come_and_go(self, summer: bool) -> None:
        """Seasonal residents are present in summer only (Biarritz, seed 003)."""
        (self.present, self.present_f, self.n_present, self._low_present, self._n_low, self._n_high,
         self._low_cannot) = self._season[summer]
        self.reachable = self._reachable[summer]

    def participate(self, opportunity: float) -> float:
        """Each resident may join a consultation or body, in person if present, digitally if away; return the
        participation rate among all residents."""
        if opportunity <= 0.0:
            self.participated_any = False
            self.participated = self._nobody
            self.fatigue *= self._fatigue_keep
            return 0.0
        draws = self.model.participation_rng.random(self.n, out=self._draws)  # own stream (paired runs)
        count = _participate(draws, opportunity, self.propensity, self.trust, self.fatigue, self.reachable,
                             self._took, self._trust_floor, self._trust_slope, self._fatigue_keep, self._fatigue_gain)
        self.participated = self._took
        self.participated_any = True
        return count / self.n

    def engage(self, opportunity: float, access: float, mediation: float, appeal: float) -> tuple[float, float]:
        """``participate`` then ``use_services``; when both have work, their passes run in one compiled call
        (``_participate_then_use``).  Returns (participation rate, mean use)."""
        if opportunity <= 0.0 or (access <= 0.0 and not self._in_use):
            return self.participate(opportunity), self.use_services(access, mediation, appeal)
        draws = self.model.participation_rng.random(self.n, out=self._draws)  # own stream (paired runs)
        count, total = _participate_then_use(
            draws, opportunity, self.propensity, self.trust, self.fatigue, self.reachable, self._took,
            self._trust_floor, self._trust_slope, self._fatigue_keep, self._fatigue_gain,
            self.digital_use, self.can_use, self._cannot, self.present_f, self._adoption * access * appeal, mediation,
            self._use_keep)
        self.participated = self._took
        self.participated_any = True
        self._in_use = total > 0.0
        return count / self.n, total / self.n

    def electors_view(self) -> tuple[float, float]:
        """Mean trust and satisfaction of permanent residents, the electors whose support makes legitimacy."""
        if self._all_electors:
            return self.mean_trust, self.mean_satisfaction
        e = self._electors
        return float(self.trust[e].mean()), float(self.satisfaction[e].mean())

    def use_services(self, access: float, mediation: float, appeal: float) -> float:
        """Adopt digital proximity services if literate enough or mediated; return the mean use.

        ``appeal`` (0-1) is how well services fit residents' needs (co-designed services are used more).
        """
        if access <= 0.0 and not self._in_use:
            return 0.0
        total = _use_services(self.digital_use, self.can_use, self._cannot, self.trust, self.present_f,
                              self._adoption * access * appeal, mediation, self._use_keep, self._trust_floor,
                              self._trust_slope)
        self._in_use = total > 0.0
        return total / self.n

    def excluded_share(self, mediation: float) -> float:
        """Share of present residents shut out of digital-only services (low literacy, not mediated)."""
        return self._low_cannot * (1.0 - mediation) / self.n_present

    def receive(self, common_value: float, personal_value: float, mean_use: float) -> None:
        """Share out this month's value: common goods equally, proximity services by use; satisfaction relaxes
        towards a saturating function x/(1+x) of the value received."""
        per_head, per_use = self._shares(common_value, personal_value, mean_use)
        sat, self._benefit_low, self._benefit_high = _receive(
            self.benefit, self._x, self.satisfaction, self.digital_use, self.present_f, self._low_f,
            per_head, per_use, self.n / self._satisfaction_half, self._satisfaction_keep, self._satisfaction_rate)
        self.mean_satisfaction = sat / self.n

    def _shares(self, common_value: float, personal_value: float, mean_use: float) -> tuple[float, float]:
        """Value per head (common goods) and per unit of use (proximity services)."""
        per_use = personal_value / (self.n * mean_use) if mean_use > 1e-9 else 0.0
        return common_value / self.n, per_use

    def receive_and_update_trust(self, common_value: float, personal_value: float, mean_use: float, visible: float,
                                 transparency: float, harm_low: float, harm_all: float) -> None:
        """``receive`` then ``update_trust``, the same two passes in one compiled call (``_receive_then_trust``)."""
        n = self.n
        per_head, per_use = self._shares(common_value, personal_value, mean_use)
        sat, self._benefit_low, self._benefit_high, trust, audience = _receive_then_trust(
            self.benefit, self._x, self.satisfaction, self.digital_use, self.present_f, self._low_f,
            per_head, per_use, n / self._satisfaction_half, self._satisfaction_keep, self._satisfaction_rate,
            self.trust, self.participated, self._low_present, self.can_use, self._transparency_gain * transparency,
            harm_all, harm_low, self._unanswered(visible), self._benefit_gain, self._trust_floor, self._trust_slope)
        self.mean_satisfaction = sat / n
        self.mean_trust = trust / n
        self.audience = audience / n

    def update_trust(self, visible: float, transparency: float, harm_low: float, harm_all: float) -> None:
        """Visible results and shared information build trust; unanswered participation and harm erode it.

        ``trust <- trust * (1 - g - loss) + g`` with a small gain ``g`` and a small ``loss`` keeps trust in [0, 1]
        without clipping.
        """
        trust, audience = _update_trust(self.trust, self._x, self.participated, self._low_present, self.can_use,
                                        self._transparency_gain * transparency, harm_all, harm_low,
                                        self._unanswered(visible), self._benefit_gain, self._trust_floor,
                                        self._trust_slope)
        self.mean_trust = trust / self.n
        self.audience = audience / self.n

    def _unanswered(self, visible: float) -> float:
        """Trust lost by those who took part and saw no result."""
        return self._unanswered_loss * (1.0 - visible) if self.participated_any else 0.0

    def inclusion_gap(self) -> float:
        """Relative gap in value reaching low-literacy vs other present residents (0 = equal)."""
        if self._n_low == 0 or self._n_high == 0:
            return 0.0
        b_high = self._benefit_high / self._n_high
        b_low = self._benefit_low / self._n_low
        if b_high <= 1e-12:
            return 0.0
        gap = 1.0 - b_low / b_high
        return 0.0 if abs(gap) < 1e-9 else gap  # equal shares up to rounding: no gap


# ---------------------------------------------------------------- residents' verbs, one compiled pass each
@njit(cache=True)
def _participate(draws, opportunity, propensity, trust, fatigue, reachable, took, trust_floor, trust_slope,
                 fatigue_keep, fatigue_gain):
    """Bernoulli participation ``p = opportunity * propensity * reachable * (floor + slope trust) * (1 - fatigue)``
    (``reachable``: 1 when present, the digital share of channel access when away); fatigue decays
    (``fatigue_keep``) and rises by ``fatigue_gain`` of the rest after taking part."""
    count = 0
    for i in range(draws.size):
        rest = 1.0 - fatigue[i]
        p = (opportunity * propensity[i] * reachable[i]) * (trust_floor + trust_slope * trust[i]) * rest
        t = draws[i] < p
        took[i] = t
        fatigue[i] = fatigue[i] * fatigue_keep + (fatigue_gain * t) * rest
        count += t
    return count


@njit(cache=True)
def _participate_then_use(draws, opportunity, propensity, trust, fatigue, reachable, took, trust_floor, trust_slope,
                          fatigue_keep, fatigue_gain, digital_use, can_use, cannot, present_f, strength, mediation,
                          keep):
    """``_participate`` then ``_use_services``; returns (count, total use)."""
    count = _participate(draws, opportunity, propensity, trust, fatigue, reachable, took, trust_floor, trust_slope,
                         fatigue_keep, fatigue_gain)
    total = _use_services(digital_use, can_use, cannot, trust, present_f, strength, mediation, keep, trust_floor,
                          trust_slope)
    return count, total


@njit(cache=True)
def _use_services(digital_use, can_use, cannot, trust, present_f, strength, mediation, keep, trust_floor,
                  trust_slope):
    """``use <- keep use + strength * (can_use + mediation * cannot) * (floor + slope trust)``, present residents."""
    total = 0.0
    for i in range(digital_use.size):
        able = can_use[i] + mediation * cannot[i]
        u = keep * digital_use[i] + strength * able * (trust_floor + trust_slope * trust[i]) * present_f[i]
        digital_use[i] = u
        total += u
    return total


@njit(cache=True)
def _receive(benefit, x, satisfaction, digital_use, present_f, low_literacy, per_head, per_use, scale, keep, rate):
    """Benefit per resident, satisfaction ``<- keep s + rate x / (1 + x)`` with ``x = benefit * scale``; returns
    the satisfaction total and the benefit reaching low- and higher-literacy residents."""
    sat = low = total = 0.0
    for i in range(benefit.size):
        b = (per_head + per_use * digital_use[i]) * present_f[i]
        benefit[i] = b
        xi = b * scale
        x[i] = xi
        s = keep * satisfaction[i] + rate * xi / (1.0 + xi)
        satisfaction[i] = s
        sat += s
        low += b * low_literacy[i]
        total += b
    return sat, low, total - low


@njit(cache=True)
def _receive_then_trust(benefit, x, satisfaction, digital_use, present_f, low_literacy, per_head, per_use, scale,
                        keep, rate, trust, participated, low_present, can_use, transparency_gain, harm_all, harm_low,
                        unanswered, benefit_gain, trust_floor, trust_slope):
    """``_receive`` then ``_update_trust``; returns their results, (satisfaction total, benefit to low- and
    higher-literacy residents, trust total, audience total)."""
    sat, low, high = _receive(benefit, x, satisfaction, digital_use, present_f, low_literacy, per_head, per_use, scale,
                              keep, rate)
    total, audience = _update_trust(trust, x, participated, low_present, can_use, transparency_gain, harm_all,
                                    harm_low, unanswered, benefit_gain, trust_floor, trust_slope)
    return sat, low, high, total, audience


@njit(cache=True)
def _update_trust(trust, x, participated, low_present, can_use, transparency_gain, harm_all, harm_low, unanswered,
                  benefit_gain, trust_floor, trust_slope):
    """``trust <- trust * (1 - harm - g - losses) + g``, ``g = min(b, b x) + transparency_gain`` (``b`` the gain
    from benefit); returns the trust total and the audience total (can_use x (floor + slope trust))."""
    total = audience = 0.0
    for i in range(trust.size):
        g = min(benefit_gain, benefit_gain * x[i]) + transparency_gain
        keep = (1.0 - harm_all) - g - harm_low * low_present[i]
        if participated[i]:
            keep -= unanswered
        t = trust[i] * keep + g
        trust[i] = t
        total += t
        audience += can_use[i] * (trust_floor + trust_slope * t)
    return total, audience
