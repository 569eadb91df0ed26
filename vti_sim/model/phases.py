"""The policy cycle: launch -> planning -> implementation -> evaluation, as work items.

The items and their content are those of seed 000/001 (Carassus & Frucquet,
Liège 2024, one slide per phase).  Each item's progress (0-1) is driven by the
delivery hours the roles actually get (after rationing); its quality by who
took part: steering brings coherence, participation brings fit with needs.
Evaluation closes a cycle and feeds learning into the next planning cycle
(ODD §7.4).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numba import njit

from .products import dot, vec_mat

PHASES = ("launch", "planning", "implementation", "evaluation")
LAUNCH, PLANNING, IMPLEMENTATION, EVALUATION = range(4)

# key, phase, mode (core | proactive | open), roles that work on it, open-sensitive (its quality depends on
# participation), label.  Source: seed 000/001 (one slide per phase).  Hours a month each item absorbs, its split
# among roles and its minimum months are registry assumptions: ``item_hours_<key>``,
# ``item_share_<role>_<key>`` (normalised over the roles that work on it), ``item_min_months_<key>``.
ROLES = ("elected", "directors", "staff")
_ALL = ROLES
_ITEMS = (
    ("vision", LAUNCH, "core", _ALL, False, "Shared pre-vision: vision and watch"),
    ("proactive_bodies", LAUNCH, "proactive", ("elected", "directors"), False,
     "Shared leadership and internal bodies (COPIL, working groups)"),
    ("open_bodies", LAUNCH, "open", _ALL, True, "Stakeholders on board, co-construction bodies, communication"),
    ("diagnosis_360", PLANNING, "core", _ALL, True,
     "360° diagnosis: smart uses and needs, information system, capacity to innovate"),
    ("global_ambition", PLANNING, "core", _ALL, True,
     "Global ambition: unifying theme, public-value types, digital principles"),
    ("segmentation", PLANNING, "core", _ALL, False, "Segmentation into missions and actions aligned with other plans"),
    ("prioritisation", PLANNING, "core", _ALL, True, "Prioritisation and scheduling: short, medium, long term"),
    ("pilots", IMPLEMENTATION, "core", _ALL, False, "Pilots and responsible structures"),
    ("resource_allocation", IMPLEMENTATION, "core", _ALL, False,
     "Resources allocated: financial, human, property, IS, external (make / make-do / let-do)"),
    ("organisational_alignment", IMPLEMENTATION, "core", ("directors", "staff"), False,
     "Strategy aligned with organisation: service projects, organisational change"),
    ("ecosystem_alignment", IMPLEMENTATION, "open", _ALL, True,
     "Authority aligned with external actors: ecosystem, co-production, co-creation"),
    ("shared_indicators", EVALUATION, "core", _ALL, True, "Shared indicators of means, realisations and effects"),
    ("reporting", EVALUATION, "core", _ALL, False, "Communication: dashboards and activity reports"),
    ("learning_evaluation", EVALUATION, "core", _ALL, False,
     "Evaluation of organisational learning: appropriation, routinisation"),
)

ITEM_KEYS = tuple(i[0] for i in _ITEMS)
ITEM_LABELS = tuple(i[5] for i in _ITEMS)
ITEM_PHASE = np.array([i[1] for i in _ITEMS])
ITEM_MODE = tuple(i[2] for i in _ITEMS)
ITEM_ROLES = tuple(i[3] for i in _ITEMS)
ITEM_OPEN_SENSITIVE = np.array([i[4] for i in _ITEMS])
N_ITEMS = len(_ITEMS)
IS_OPEN_ITEM = np.array([m == "open" for m in ITEM_MODE])
IS_PROACTIVE_ITEM = np.array([m == "proactive" for m in ITEM_MODE])
PLANNING_FIT_ITEMS = (ITEM_PHASE == PLANNING) & ITEM_OPEN_SENSITIVE
PLANNING_FIT_WEIGHTS = PLANNING_FIT_ITEMS.astype(float)
ORGANISATIONAL = ITEM_KEYS.index("organisational_alignment")


def item_table(p: Mapping) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hours a month each item absorbs (n,), role split (n, 3) normalised per item, minimum months (n,)) from
    the run's parameters ``p``."""
    hours = np.array([p[f"item_hours_{k}"] for k in ITEM_KEYS])
    split = np.zeros((N_ITEMS, len(ROLES)))
    for i, (key, roles) in enumerate(zip(ITEM_KEYS, ITEM_ROLES, strict=True)):
        for r in roles:
            split[i, ROLES.index(r)] = p[f"item_share_{r}_{key}"]
    split /= split.sum(axis=1, keepdims=True)
    months = np.array([p[f"item_min_months_{k}"] for k in ITEM_KEYS], dtype=float)
    return hours, split, months


def _masks(required: bool) -> np.ndarray:
    """[proactive, open_active, phase] -> item mask, precomputed once (hot-path economy).

    Workable: the current phase's items, plus open items of earlier phases once openness has started (whenever
    it starts, its set-up work must be done before open work pays off: ``engage_residents`` scales participation
    by the bodies' set-up).  Required: the current phase's core items, and proactive ones if the policy has
    proactive bodies at all; open items never hold the cycle back, whenever openness starts (symmetric gating).
    """
    out = np.zeros((2, 2, 4, N_ITEMS), bool)
    for pro in (0, 1):
        for op in (0, 1):
            for ph in range(4):
                m = (ph == ITEM_PHASE) & (~IS_OPEN_ITEM | (bool(op) and not required)) & (
                    ~IS_PROACTIVE_ITEM | bool(pro))
                if op and not required:
                    m |= IS_OPEN_ITEM & (ph >= ITEM_PHASE)
                out[pro, op, ph] = m
    return out
AMBITION = ITEM_KEYS.index("global_ambition")
OPEN_BODIES = ITEM_KEYS.index("open_bodies")


_IN_EVALUATION = (ITEM_PHASE == EVALUATION)[:, None]
_ELIGIBLE = _masks(required=False)
_REQUIRED = _masks(required=True)


class PolicyCycle:
    """Phase, item progress and quality, and the month each phase is first reached; ``p`` holds the run's
    parameters (items' hours, role split and minimum months; learning from evaluation)."""

    def __init__(self, proactive: bool, p: Mapping):
        self.item_hours, self.item_split, self.item_min_months = item_table(p)
        self._inv_min_months = 1.0 / self.item_min_months
        self._split_by_activity = np.hstack([self.item_split * ~_IN_EVALUATION,  # (items, 2 x roles)
                                             self.item_split * _IN_EVALUATION])
        self._learning_gain = p["learning_gain_per_evaluation"]
        self._head_start = p["learning_head_start"]
        self.phase = LAUNCH
        self.cycle = 1
        self.progress = np.zeros(N_ITEMS)
        self.quality = np.zeros(N_ITEMS)
        self.first_month = np.full(4, -1)
        self.first_month[LAUNCH] = 0
        self.implementing = False  # implementation has been reached (actions are scheduled from then on)
        self.implementation_months = 0  # months since implementation was first reached (actions' schedule)
        self.learning = 0.0
        self.proactive = int(bool(proactive))
        self.item_start = np.full(N_ITEMS, -1)
        self.item_end = np.full(N_ITEMS, -1)
        self._completed = 0  # items completed so far (invalidates the workable cache)
        self._workable_key, self._demand_for = None, None

    def workable(self, open_active: bool) -> np.ndarray:
        """Items that take hours this month: the current phase's, plus open items once openness starts.

        It changes only when an item completes, the phase changes or openness starts, so it is cached."""
        key = (open_active, self.phase, self._completed)
        if key != self._workable_key:
            self._workable = _ELIGIBLE[self.proactive, int(open_active), self.phase] & (self.progress < 1.0)
            self._required = _REQUIRED[self.proactive, int(open_active), self.phase]
            self.n_workable = int(np.count_nonzero(self._workable))
            self._workable_key = key
        return self._workable

    def required(self, open_active: bool) -> np.ndarray:
        """Items the current phase needs done before the policy moves on."""
        return _REQUIRED[self.proactive, int(open_active), self.phase]

    def demand(self, workable: np.ndarray) -> tuple[float, ...]:
        """Hours the workable items ask of each role: delivery work (elected, directors, staff), then
        evaluation work (the same three), as six plain floats."""
        if workable is not self._demand_for:
            self._demand = tuple(vec_mat(self.item_hours * workable, self._split_by_activity).tolist())
            self._demand_for = workable
        return self._demand

    def advance(self, month: int, workable: np.ndarray, role_fulfilment: np.ndarray, productivity: np.ndarray,
                instant_quality: np.ndarray, open_active: bool) -> bool:
        """Move items forward with the hours actually served; return True when a phase is completed.

        An item's monthly progress is ``split . role_fulfilment * productivity / min_months``; its quality is the
        progress-weighted running mean of the quality it was produced with (``_advance_items``)."""
        cached = self._workable_key == (open_active, self.phase, self._completed)
        required = self._required if cached else self.required(open_active)
        completed, done = _advance_items(self.progress, self.quality, self.item_start, self.item_end, workable,
                                         role_fulfilment, productivity, instant_quality, required, month,
                                         self.item_split, self._inv_min_months)
        self._completed += completed
        if self.implementing:
            self.implementation_months += 1
        if done:
            self._next_phase(month)
            return True
        return False

    def _next_phase(self, month: int) -> None:
        if self.phase == EVALUATION:
            # learning from evaluation gives the next planning cycle a head start (seed 000/001 phase 4)
            gain = self._learning_gain * float(self.quality[ITEM_PHASE == EVALUATION].mean())
            self.learning = min(1.0, self.learning + gain)
            self.cycle += 1
            self.phase = PLANNING
            again = (ITEM_PHASE >= PLANNING) & ~IS_OPEN_ITEM
            self.progress[again] = self._head_start * self.learning
            self.item_end[again] = -1
            self._completed += 1
        else:
            self.phase += 1
        if self.first_month[self.phase] < 0:
            self.first_month[self.phase] = month  # the month whose end-of-month record first shows it
        self.implementing = self.first_month[IMPLEMENTATION] >= 0

    def planning_fit(self) -> float:
        """Fit of the plan with needs and uses: quality of the open-sensitive planning items done so far."""
        done = dot(self.progress, PLANNING_FIT_WEIGHTS)
        return dot(self.quality * self.progress, PLANNING_FIT_WEIGHTS) / done if done > 0 else 0.0


@njit(cache=True)
def _advance_items(progress, quality, item_start, item_end, workable, role_fulfilment, productivity,
                   instant_quality, required, month, split, inv_min_months):
    """One month of work on the items, in place; returns (items completed, all required items done)."""
    completed = 0
    done = True
    for i in range(progress.size):
        before = progress[i]
        if workable[i]:
            rate = (split[i, 0] * role_fulfilment[0] + split[i, 1] * role_fulfilment[1]
                    + split[i, 2] * role_fulfilment[2]) * productivity[i] * inv_min_months[i]
            after = min(1.0, before + rate)
            if after >= 1.0 - 1e-9:  # k steps of 1/k must finish in k months despite rounding
                after = 1.0
            quality[i] = (quality[i] * before + instant_quality[i] * (after - before)) / max(after, 1e-12)
            progress[i] = after
            if item_start[i] < 0:
                item_start[i] = month
            if after >= 1.0 and item_end[i] < 0:
                item_end[i] = month
                completed += 1
        if required[i] and progress[i] < 1.0:
            done = False
    return completed, done
