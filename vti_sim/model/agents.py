"""The five roles.  Each role is one Mesa Agent that holds its people as numpy arrays.

Thousands of Mesa Agent objects with a Python ``step()`` each would cost more
than the whole model (see ``benchmarks/``), so each role vectorises over its
people: one row per person, one verb method per behaviour.  ``n`` is the number
of people a role represents as individual agents (MODEL_BRIEF §3).
"""

from __future__ import annotations

import mesa
import numpy as np
from numba import njit

from .feedback import executive_change_probability, pull_commitment
from .portfolio import DIRECTIONS
from .time_budget import DELIVERY, HOURS_PER_MONTH, N_ACTIVITIES, TRAINING, capacity, hours_per_month

LOW_LITERACY = 0.4  # below this digital literacy a resident is in 'illectronisme' (assumption, see registry)
STAFF_SHARE_BY_DIRECTION = np.array([0.25, 0.15, 0.20, 0.15, 0.15, 0.10])  # assumption
SATISFACTION_SCALE = 10.0  # PVU/month reaching the population at which satisfaction is half-way (assumption)


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
        rng = model.rng
        self.routine = np.clip(routine + rng.normal(0.0, 0.02, n), 0.0, 0.995)
        self.involvement = involvement / involvement.sum()
        self.commitment = commitment
        self.capacity = np.zeros(n)  # hours each person can give the policy this month
        self.fulfilment = np.ones(n)  # share of each person's demand served this month
        self._free, self._free_for = None, None  # free hours per person, cached for the run's capacity factor
        self._share = 0.0
        self._d = [0.0] * N_ACTIVITIES
        self._hours = hours_per_month(self.role, model.p)

    def set_capacity(self, leader_time_share: float, factor: float) -> None:
        """Each person gives the policy ``free_hours * min(1, leader_time_share * (0.5 + commitment))``; it is
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
                            self.capacity, self.fulfilment)
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
def _ration_leaders(free, commitment, time_share, involvement, total, capacity, fulfilment):
    """Per person: capacity, then ``f_i = min(1, capacity_i / (involvement_i * total))``; returns sum_i w_i f_i."""
    served = 0.0
    for i in range(free.size):
        c = free[i] * min(1.0, time_share * (0.5 + commitment[i]))
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
        involvement = np.r_[1.0, 1.6, np.full(n - 2, 0.7)]  # the VTI deputy carries most (assumption)
        commitment = model.rng.uniform(0.5, 0.9, n)
        super().__init__(model, n, routine, involvement, commitment)
        self.openness_preference = model.rng.beta(4, 4, n)
        self.openness = float(self.openness_preference.mean())  # the executive's preference for openness

    def update_commitment(self, legitimacy: float) -> None:
        self.commitment = pull_commitment(self.commitment, legitimacy, self.model.p)

    def stand_for_election(self, legitimacy: float, volatility: float) -> bool:
        """An election may change the executive; a new one arrives with its own commitment and preferences."""
        if self.model.rng.random() < executive_change_probability(legitimacy, volatility, self.model.p):
            self.commitment = self.model.rng.uniform(0.2, 0.7, self.n)
            self.openness_preference = self.model.rng.beta(4, 4, self.n)
            self.openness = float(self.openness_preference.mean())
            return True
        return False


class Directors(_Leaders):
    """DGS, DGA for digital and other directors: administrative steering and contracts (seed 003)."""

    role = "directors"

    def __init__(self, model, n, routine, silo_index):
        involvement = np.r_[1.0, 1.8, np.full(n - 2, 0.8)]  # DGA digital leads (assumption)
        commitment = model.rng.uniform(0.5, 0.9, n)
        super().__init__(model, n, routine, involvement, commitment)
        rng = model.rng
        self.transversality = np.clip(1.0 - silo_index * rng.uniform(0.7, 1.3, n), 0.0, 1.0)
        self.change_skill = rng.uniform(0.3, 0.8, n)
        self.contract_skill = rng.uniform(0.3, 0.8, n)

    def follow(self, elected_commitment: np.ndarray) -> None:
        """Administrative commitment follows the political lead, slowly."""
        _follow(self.commitment, elected_commitment)

    def change_management(self) -> float:
        """Skill in managing organisational change, weighted by involvement (seed 003 'accompagnement')."""
        return float(self.change_skill @ self.involvement)

    def silo_friction(self) -> float:
        """How siloed the directorate works, 0-1: one minus its involvement-weighted transversality."""
        return 1.0 - float(self.transversality @ self.involvement)

    def contract_management(self) -> float:
        """Quality of contract steering with operators, weighted by involvement."""
        return float(self.contract_skill @ self.involvement)


@njit(cache=True)
def _follow(commitment, lead):
    """``commitment <- commitment + 0.05 (mean(lead) - commitment)`` in place."""
    target = 0.0
    for x in lead:
        target += x
    target /= lead.size
    for i in range(commitment.size):
        commitment[i] += 0.05 * (target - commitment[i])


class OperationalStaff(RoleAgent):
    """Staff of the six directions; their jobs change as digital tools arrive (seed 002 §3.3)."""

    role = "staff"

    def __init__(self, model, n, routine, data_culture):
        super().__init__(model, n)
        rng = model.rng
        counts = np.maximum(1, np.round(STAFF_SHARE_BY_DIRECTION * n).astype(int))
        counts[0] += n - counts.sum()
        self.direction = np.repeat(np.arange(len(DIRECTIONS)), counts)
        self.direction_count = np.bincount(self.direction, minlength=len(DIRECTIONS)).astype(float)
        self._capacity_cache = {}
        self.routine = np.clip(rng.normal(routine, 0.05, n), 0.0, 0.995)
        self.digital_skill = rng.beta(3, 4, n)
        self.acceptance = rng.uniform(0.3, 0.7, n)
        self.data_habit = data_culture * rng.uniform(0.5, 1.0, n)
        self.mean_data_habit = float(self.data_habit.mean())
        self.training_received = np.zeros(n)
        self.job_transformation = np.zeros(n)
        self.fulfilment = np.ones(n)
        self.direction_fulfilment = np.ones(len(DIRECTIONS))
        self._shared, self._per_dir, self._training = np.zeros(N_ACTIVITIES), np.zeros(len(DIRECTIONS)), 0.0

    def set_capacity(self, summer_load: float, factor: float) -> None:
        key = (summer_load, factor)
        if key not in self._capacity_cache:  # it only changes with the season (hot-path economy)
            routine = np.minimum(self.routine + summer_load, 0.995) if summer_load else self.routine
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

    def train(self, hr_support: float, change_management: float = 0.5) -> None:
        """Training hours raise skill; HR support raises acceptance of the changed job (R3).

        skill <- skill + 0.02 hours (1 - skill) (0.5 + 0.5 acceptance);
        acceptance <- acceptance + a (1 - acceptance) - b job_transformation acceptance, where hours are this
        month's training demand times the person's fulfilment."""
        a, b = 0.01 + 0.03 * hr_support * (0.5 + change_management), 0.01 * (1.0 - hr_support)
        self.skill_total, self.acceptance_total = _train(
            self.training_received, self.digital_skill, self.acceptance, self.job_transformation, self.fulfilment,
            self._training, a, b)

    def transform_jobs(self, tools_by_direction: np.ndarray) -> None:
        """Delivered tools change the job (the gardener now waters by phone): transformation relaxes 10%/month
        towards the share of the direction's tools delivered."""
        _transform_jobs(self.job_transformation, self.direction, tools_by_direction)

    def job_fit(self) -> np.ndarray:
        """Per direction: how far staff can do the transformed job (skill and acceptance vs change)."""
        fit = np.empty(len(DIRECTIONS))
        self.mean_job_fit = _job_fit(self.digital_skill, self.acceptance, self.job_transformation, self.direction,
                                     self.direction_count, fit)
        return fit

    def share_data(self, data_culture: float, transversality: float, silo_index: float) -> None:
        """The habit of sharing and updating data grows with culture and cross-cutting work, decays in silos (R2)."""
        grow, decay = 0.03 * (data_culture + 0.5 * transversality), 0.02 * silo_index
        _affine(self.data_habit, 1.0 - grow - decay, grow)  # h <- h + grow (1 - h) - decay h
        self.mean_data_habit = self.mean_data_habit * (1.0 - grow - decay) + grow  # the same affine map


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
def _train(received, skill, acceptance, transformation, fulfilment, training_each, a, b):
    skill_total = acceptance_total = 0.0
    for i in range(skill.size):
        hours = training_each * fulfilment[i]
        received[i] += hours
        skill[i] += (0.02 * hours) * (1.0 - skill[i]) * (0.5 + 0.5 * acceptance[i])
        acceptance[i] = acceptance[i] * ((1.0 - a) - b * transformation[i]) + a
        skill_total += skill[i]
        acceptance_total += acceptance[i]
    return skill_total, acceptance_total


@njit(cache=True)
def _transform_jobs(transformation, direction, tools_by_direction):
    for i in range(transformation.size):
        transformation[i] = transformation[i] * 0.9 + 0.1 * tools_by_direction[direction[i]]


@njit(cache=True)
def _job_fit(skill, acceptance, transformation, direction, count, fit):
    shortfall = fit  # accumulated in the output buffer (no allocation in compiled code: it costs a call)
    shortfall[:] = 0.0
    for i in range(skill.size):
        ok = min(1.0, (0.3 + skill[i]) * (0.5 + 0.5 * acceptance[i]))
        shortfall[direction[i]] += transformation[i] * (1.0 - ok)
    total = 0.0
    for d in range(count.size):
        fit[d] = 1.0 - shortfall[d] / count[d]
        total += fit[d]
    return total / count.size


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
        rng = model.rng
        self.capacity_hours = rng.uniform(300.0, 1500.0, n)  # hours/month they can put on the territory
        self.capacity = self.capacity_hours.copy()
        self.served = np.zeros((n, 1))
        self.demanded = np.zeros((n, 1))
        self.reliability = rng.beta(8, 2, n)
        self.alignment = np.clip(alignment + rng.normal(0.0, 0.15, n), 0.0, 1.0)
        self.data_sharing = np.clip(self.alignment * rng.uniform(0.5, 1.0, n), 0.0, 1.0)

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
        rng = model.rng
        k = 6.0
        self.neighbourhood = rng.integers(0, n_neighbourhoods, n)
        self.literacy = rng.beta(literacy_mean * k, (1.0 - literacy_mean) * k, n)
        self.low_literacy = self.literacy < LOW_LITERACY
        self.trust = np.clip(rng.normal(trust_0, 0.12, n), 0.01, 0.99)
        self.satisfaction = np.full(n, 0.5)
        self.propensity = rng.beta(1.5, 6.0, n)
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
        self.can_use = np.clip((self.literacy - 0.25) / 0.35, 0.0, 1.0)
        self._cannot = 1.0 - self.can_use
        # most consultation now runs through digital channels (apps, platforms): 60% of opportunities need
        # digital literacy; 40% are in person, where a co-construction body (neighbourhood council, thematic
        # commission) covers the resident's neighbourhood (assumption); likewise for information reaching them
        self.covered = self.neighbourhood < n_councils
        self.channel_access = 0.4 * self.covered + 0.6 * self.can_use
        self.propensity = self.propensity * self.channel_access
        self.reach = float(self.channel_access.mean())
        # aggregates the verbs keep up to date (read by the model every month)
        self.mean_trust = float(self.trust.mean())
        self.mean_satisfaction = float(self.satisfaction.mean())
        self.audience = float(self.can_use @ self.trust_term) / n  # who can read and believes information
        self._benefit_low = self._benefit_high = 0.0
        # presence in the two seasons, and the counts used every month
        self._season = {}
        for summer in (False, True):
            present = ~self.seasonal | summer
            low = self.low_literacy & present
            self._season[summer] = (present, present.astype(float), float(present.sum()), low.astype(float),
                                    float(low.sum()), float((~self.low_literacy & present).sum()),
                                    float(self._cannot @ low))
        self._low_f = self.low_literacy.astype(float)
        self.come_and_go(False)

    @property
    def trust_term(self) -> np.ndarray:
        """How trust scales willingness to participate and to use services."""
        return 0.3 + 0.7 * self.trust

    def come_and_go(self, summer: bool) -> None:
        """Seasonal residents are present in summer only (Biarritz, seed 003)."""
        (self.present, self.present_f, self.n_present, self._low_present, self._n_low, self._n_high,
         self._low_cannot) = self._season[summer]

    def participate(self, opportunity: float) -> float:
        """Each present resident may join a consultation or body; return the participation rate."""
        if opportunity <= 0.0:
            self.participated_any = False
            self.participated = self._nobody
            self.fatigue *= 0.95
            return 0.0
        draws = self.model.rng.random(self.n, out=self._draws)
        count = _participate(draws, opportunity, self.propensity, self.trust, self.fatigue, self.present,
                             self._took)
        self.participated = self._took
        self.participated_any = True
        return count / self.n_present

    def use_services(self, access: float, mediation: float, appeal: float) -> float:
        """Adopt digital proximity services if literate enough or mediated; return the mean use.

        ``appeal`` (0-1) is how well services fit residents' needs (co-designed services are used more).
        """
        if access <= 0.0 and not self._in_use:
            return 0.0
        total = _use_services(self.digital_use, self.can_use, self._cannot, self.trust, self.present_f,
                              0.15 * access * appeal, mediation)
        self._in_use = total > 0.0
        return total / self.n

    def excluded_share(self, mediation: float) -> float:
        """Share of present residents shut out of digital-only services (low literacy, not mediated)."""
        return self._low_cannot * (1.0 - mediation) / self.n_present

    def receive(self, common_value: float, personal_value: float, mean_use: float) -> None:
        """Share out this month's value: common goods equally, proximity services by use; satisfaction relaxes
        towards a saturating function x/(1+x) of the value received."""
        per_head = common_value / self.n
        per_use = personal_value / (self.n * mean_use) if mean_use > 1e-9 else 0.0
        sat, self._benefit_low, self._benefit_high = _receive(
            self.benefit, self._x, self.satisfaction, self.digital_use, self.present_f, self._low_f,
            per_head, per_use, self.n / SATISFACTION_SCALE)
        self.mean_satisfaction = sat / self.n

    def update_trust(self, visible: float, transparency: float, harm_low: float, harm_all: float) -> None:
        """Visible results and shared information build trust; unanswered participation and harm erode it.

        ``trust <- trust * (1 - g - loss) + g`` with ``g = 0.03 * gain`` (gain <= 1) and a small ``loss``
        keeps trust in [0, 1] without clipping.
        """
        unanswered = 0.08 * (1.0 - visible) if self.participated_any else 0.0
        trust, audience = _update_trust(self.trust, self._x, self.participated, self._low_present, self.can_use,
                                        0.015 * transparency, harm_all, harm_low, unanswered)
        self.mean_trust = trust / self.n
        self.audience = audience / self.n

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
def _participate(draws, opportunity, propensity, trust, fatigue, present, took):
    """Bernoulli participation ``p = opportunity * propensity * (0.3 + 0.7 trust) * (1 - fatigue)``, present
    residents only; fatigue decays 5%/month and rises by 15% of the rest left after taking part."""
    count = 0
    for i in range(draws.size):
        rest = 1.0 - fatigue[i]
        p = (opportunity * propensity[i]) * (0.3 + 0.7 * trust[i]) * rest
        t = (draws[i] < p) & present[i]
        took[i] = t
        fatigue[i] = fatigue[i] * 0.95 + (0.15 * t) * rest
        count += t
    return count


@njit(cache=True)
def _use_services(digital_use, can_use, cannot, trust, present_f, strength, mediation):
    """``use <- 0.85 use + strength * (can_use + mediation * cannot) * (0.3 + 0.7 trust)``, present residents."""
    total = 0.0
    for i in range(digital_use.size):
        able = can_use[i] + mediation * cannot[i]
        u = 0.85 * digital_use[i] + strength * able * (0.3 + 0.7 * trust[i]) * present_f[i]
        digital_use[i] = u
        total += u
    return total


@njit(cache=True)
def _receive(benefit, x, satisfaction, digital_use, present_f, low_literacy, per_head, per_use, scale):
    """Benefit per resident, satisfaction ``<- 0.9 s + 0.1 x / (1 + x)`` with ``x = benefit * scale``; returns
    the satisfaction total and the benefit reaching low- and higher-literacy residents."""
    sat = low = total = 0.0
    for i in range(benefit.size):
        b = (per_head + per_use * digital_use[i]) * present_f[i]
        benefit[i] = b
        xi = b * scale
        x[i] = xi
        s = 0.9 * satisfaction[i] + 0.1 * xi / (1.0 + xi)
        satisfaction[i] = s
        sat += s
        low += b * low_literacy[i]
        total += b
    return sat, low, total - low


@njit(cache=True)
def _update_trust(trust, x, participated, low_present, can_use, transparency_gain, harm_all, harm_low, unanswered):
    """``trust <- trust * (1 - harm - g - losses) + g``, ``g = min(0.015, 0.015 x) + transparency_gain``;
    returns the trust total and the audience total (can_use x (0.3 + 0.7 trust)) for next month."""
    total = audience = 0.0
    for i in range(trust.size):
        g = min(0.015, 0.015 * x[i]) + transparency_gain
        keep = (1.0 - harm_all) - g - harm_low * low_present[i]
        if participated[i]:
            keep -= unanswered
        t = trust[i] * keep + g
        trust[i] = t
        total += t
        audience += can_use[i] * (0.3 + 0.7 * t)
    return total, audience
