"""The five roles.  Each role is one Mesa Agent that holds its people as numpy arrays.

Thousands of Mesa Agent objects with a Python ``step()`` each would cost more
than the whole model (see ``benchmarks/``), so each role vectorises over its
people: one row per person, one verb method per behaviour.  ``n`` is the number
of people a role represents as individual agents (MODEL_BRIEF §3).
"""

from __future__ import annotations

import mesa
import numpy as np

from .feedback import executive_change_probability, pull_commitment
from .portfolio import DIRECTIONS
from .time_budget import DELIVERY, HOURS_PER_MONTH, N_ACTIVITIES, TRAINING, capacity

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
        self._w = self.involvement.tolist()
        self.commitment = commitment
        self._f = [1.0] * n
        self._capacity = [0.0] * n
        self._free, self._free_for = [], None  # free hours per person, cached for the run's capacity factor
        self._d = [0.0] * N_ACTIVITIES

    def set_capacity(self, leader_time_share: float, factor: float) -> None:
        # a handful of people: plain Python floats are cheaper than numpy calls here (hot path)
        free = self._free_hours(factor)
        self._capacity = [h * min(1.0, leader_time_share * (0.5 + c)) for h, c in zip(free, self.commitment.tolist(),
                                                                                        strict=True)]

    def _free_hours(self, factor: float) -> list[float]:
        if self._free_for != factor:
            self._free = (HOURS_PER_MONTH[self.role] * (1.0 - self.routine) * factor).tolist()
            self._free_for = factor
        return self._free

    @property
    def capacity(self) -> np.ndarray:
        return np.array(self._capacity)

    def allocate_time(self, role_demand: list[float]) -> None:
        """Each person is asked ``involvement_i * role_demand``; proportional rationing then reduces to
        one fulfilment factor per person, so the role's served hours are ``role_demand * sum_i w_i f_i``."""
        self._d = role_demand
        total = sum(role_demand)
        f = [1.0 if w * total <= c else c / (w * total) for w, c in zip(self._w, self._capacity, strict=True)]
        self._f = f
        s = sum(w * fi for w, fi in zip(self._w, f, strict=True))
        self.served_by_activity = [x * s for x in role_demand]
        self.demanded_by_activity = role_demand

    @property
    def fulfilment(self) -> np.ndarray:
        return np.array(self._f)

    @property
    def served(self) -> np.ndarray:
        """Per person (n, activities): for inspection and invariant tests, not used on the hot path."""
        return np.outer(self.involvement * self.fulfilment, self._d)

    @property
    def demanded(self) -> np.ndarray:
        return np.outer(self.involvement, self._d)


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
        self.commitment = pull_commitment(self.commitment, legitimacy)

    def stand_for_election(self, legitimacy: float, volatility: float) -> bool:
        """An election may change the executive; a new one arrives with its own commitment and preferences."""
        if self.model.rng.random() < executive_change_probability(legitimacy, volatility):
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
        self.commitment += 0.05 * (elected_commitment.mean() - self.commitment)

    def change_management(self) -> float:
        """Skill in managing organisational change, weighted by involvement (seed 003 'accompagnement')."""
        return float(self.change_skill @ self.involvement)

    def silo_friction(self) -> float:
        """How siloed the directorate works, 0-1: one minus its involvement-weighted transversality."""
        return 1.0 - float(self.transversality @ self.involvement)

    def contract_management(self) -> float:
        """Quality of contract steering with operators, weighted by involvement."""
        return float(self.contract_skill @ self.involvement)


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
        self._inv_count = 1.0 / self.direction_count
        self._capacity_cache = {}
        self.routine = np.clip(rng.normal(routine, 0.05, n), 0.0, 0.995)
        self.digital_skill = rng.beta(3, 4, n)
        self.acceptance = rng.uniform(0.3, 0.7, n)
        self.data_habit = data_culture * rng.uniform(0.5, 1.0, n)
        self.mean_data_habit = float(self.data_habit.mean())
        self.training_received = np.zeros(n)
        self._training_f = 0.0
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
        per_dir = delivery_by_direction / self.direction_count
        total = per_dir[self.direction]
        total += sum(shared) / n + training_each + 1e-12
        f = self.capacity / total
        np.minimum(f, 1.0, out=f)
        self.fulfilment = f
        self._shared, self._per_dir, self._training = shared, per_dir, training_each
        f_dir = np.bincount(self.direction, weights=f, minlength=len(DIRECTIONS))
        f_dir_list = f_dir.tolist()
        f_sum = sum(f_dir_list)
        self.direction_fulfilment = f_dir * self._inv_count
        served = [x * (f_sum / n) for x in shared]
        served[DELIVERY] += float(per_dir @ f_dir)
        served[TRAINING] = training_each * f_sum
        self.served_by_activity = served
        demanded = list(shared)
        demanded[DELIVERY] += float(delivery_by_direction.sum())
        demanded[TRAINING] = training_each * n
        self.demanded_by_activity = demanded
        self._training_f = training_each

    @property
    def training_hours(self) -> np.ndarray:
        """Training hours each person actually got this month."""
        return self._training_f * self.fulfilment

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
        """Training hours raise skill; HR support raises acceptance of the changed job (R3)."""
        hours = self.training_hours  # = training_each * fulfilment
        self.training_received += hours
        self.digital_skill += (0.02 * hours) * (1.0 - self.digital_skill) * (0.5 + 0.5 * self.acceptance)
        # acceptance <- acceptance + a (1 - acceptance) - b job_transformation acceptance, written as one affine update
        a, b = 0.01 + 0.03 * hr_support * (0.5 + change_management), 0.01 * (1.0 - hr_support)
        self.acceptance *= (1.0 - a) - b * self.job_transformation
        self.acceptance += a

    def transform_jobs(self, tools_by_direction: np.ndarray) -> None:
        """Delivered tools change the job (the gardener now waters by phone)."""
        self.job_transformation *= 0.9
        self.job_transformation += (0.1 * tools_by_direction)[self.direction]

    def job_fit(self) -> np.ndarray:
        """Per direction: how far staff can do the transformed job (skill and acceptance vs change)."""
        ok = np.minimum(1.0, (0.3 + self.digital_skill) * (0.5 + 0.5 * self.acceptance))
        shortfall = self.job_transformation * (1.0 - ok)
        return 1.0 - np.bincount(self.direction, weights=shortfall, minlength=len(DIRECTIONS)) / self.direction_count

    def share_data(self, data_culture: float, transversality: float, silo_index: float) -> None:
        """The habit of sharing and updating data grows with culture and cross-cutting work, decays in silos (R2)."""
        grow, decay = 0.03 * (data_culture + 0.5 * transversality), 0.02 * silo_index
        self.data_habit *= 1.0 - grow - decay  # h <- h + grow (1 - h) - decay h
        self.data_habit += grow
        self.mean_data_habit = self.mean_data_habit * (1.0 - grow - decay) + grow  # the same affine map


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
        self.demanded = demand[:, None]
        self.served = (demand * fulfil)[:, None]
        return fulfil * self.reliability


class Residents(RoleAgent):
    """Residents (one agent per ``inhabitants_per_agent`` inhabitants): literacy, trust, use, participation."""

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
        self.has_seasonal = n_seasonal > 0
        self.trust_term = 0.3 + 0.7 * self.trust  # how trust scales willingness to participate and use services
        self._nobody = np.zeros(n, bool)
        self._nobody.setflags(write=False)
        self.participated_any = False
        self._x = np.zeros(n)
        self.digital_use = np.zeros(n)
        self.participated = np.zeros(n, bool)
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
        # presence masks for the two seasons, and the derived weights used every month
        self._season = {}
        for summer in (False, True):
            present = ~self.seasonal | summer
            low = (self.low_literacy & present).astype(float)
            high = (~self.low_literacy & present).astype(float)
            self._season[summer] = (present, present.astype(float), float(present.sum()), low, low.sum(),
                                    high, high.sum(), float(self._cannot @ low))
        self.come_and_go(False)

    def come_and_go(self, summer: bool) -> None:
        """Seasonal residents are present in summer only (Biarritz, seed 003)."""
        (self.present, self.present_f, self.n_present, self._low, self._n_low, self._high, self._n_high,
         self._low_cannot) = self._season[summer]

    def participate(self, opportunity: float) -> float:
        """Each present resident may join a consultation or body; return the participation rate."""
        if opportunity <= 0.0:
            self.participated_any = False
            self.participated = self._nobody
            self.fatigue *= 0.95
            return 0.0
        rest = 1.0 - self.fatigue
        p = (opportunity * self.propensity) * self.trust_term * rest
        self.participated = self.model.rng.random(self.n) < p
        if self.has_seasonal:
            self.participated &= self.present
        self.participated_any = True
        self.fatigue *= 0.95
        self.fatigue += 0.15 * self.participated * rest
        return float(np.count_nonzero(self.participated)) / self.n_present

    def use_services(self, access: float, mediation: float, appeal: float) -> float:
        """Adopt digital proximity services if literate enough or mediated; return the mean use.

        ``appeal`` (0-1) is how well services fit residents' needs (co-designed services are used more).
        """
        if access <= 0.0 and not self.digital_use.any():
            return 0.0
        able = self.can_use + mediation * self._cannot if mediation else self.can_use
        target = (0.15 * access * appeal) * able * self.trust_term
        if self.has_seasonal:
            target *= self.present_f
        self.digital_use *= 0.85
        self.digital_use += target
        return float(self.digital_use.sum()) / self.n

    def excluded_share(self, mediation: float) -> float:
        """Share of present residents shut out of digital-only services (low literacy, not mediated)."""
        return self._low_cannot * (1.0 - mediation) / self.n_present

    def receive(self, common_value: float, personal_value: float, mean_use: float) -> None:
        """Share out this month's value: common goods equally, proximity services by use."""
        per_head = common_value / self.n
        per_use = personal_value / (self.n * mean_use) if mean_use > 1e-9 else 0.0
        benefit = per_head + per_use * self.digital_use
        if self.has_seasonal:
            benefit *= self.present_f
        self.benefit = benefit
        # satisfaction relaxes towards a saturating function x/(1+x) of the value received
        x = benefit * (self.n / SATISFACTION_SCALE)
        self._x = x
        self.satisfaction *= 0.9
        self.satisfaction += 0.1 * x / (1.0 + x)

    def update_trust(self, visible: float, transparency: float, harm_low: float, harm_all: float) -> None:
        """Visible results and shared information build trust; unanswered participation and harm erode it.

        ``trust <- trust * (1 - g - loss) + g`` with ``g = 0.03 * gain`` (gain <= 1) and a small ``loss``
        keeps trust in [0, 1] without clipping.
        """
        g = np.minimum(0.015, 0.015 * self._x)
        g += 0.015 * transparency
        keep = (1.0 - harm_all) - g
        if self.participated_any:
            keep -= (0.08 * (1.0 - visible)) * self.participated
        if harm_low > 0.0:
            keep -= harm_low * self._low
        self.trust *= keep
        self.trust += g
        self.trust_term = 0.3 + 0.7 * self.trust

    def inclusion_gap(self) -> float:
        """Relative gap in value reaching low-literacy vs other present residents (0 = equal)."""
        if self._n_low == 0 or self._n_high == 0:
            return 0.0
        b_high = float(self.benefit @ self._high) / self._n_high
        b_low = float(self.benefit @ self._low) / self._n_low
        if b_high <= 1e-12:
            return 0.0
        gap = 1.0 - b_low / b_high
        return 0.0 if abs(gap) < 1e-9 else gap  # equal shares up to rounding: no gap
