"""The thesis propositions R1-R6 as falsifiable experiments, declared once.

Each pattern (MODEL_BRIEF §2; seed 004 results 1-6) is a contrast between two
lever settings, a metric and a direction, evaluated in a *context*.  Nothing
here sets an outcome: a pattern holds only if the model's mechanisms produce
the predicted sign, and each pattern names a documented context in which it
is expected to fail (ODD §8).  The same declarations drive the tests, the
future R1-R6 report and the sensitivity analysis.

Replicates use common random numbers (arm A and arm B share seeds), so the
paired difference isolates the levers' effect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from ..outputs.plateau import detect_plateau
from ..outputs.result import run


def _summary(key: str, sub: str | None = None) -> Callable:
    def metric(result) -> float:
        value = result.summary[key] if sub is None else result.summary[key][sub]
        return float("nan") if value is None else float(value)

    metric.__name__ = key if sub is None else f"{key}.{sub}"
    return metric


def months_to_evaluation(result) -> float:
    """Months until the first cycle reaches evaluation (horizon + 1 if never)."""
    m = result.summary["months_to_phase"]["evaluation"]
    return float(result.summary["months"] + 1 if m is None else m)


@dataclass(frozen=True)
class Pattern:
    key: str
    statement: str
    source: str
    arm_a: dict[str, Any]  # the setting the proposition favours
    arm_b: dict[str, Any]  # the comparison
    metric: Callable
    higher_is_better: bool = True
    sesoi: float = 0.02  # smallest effect of interest, relative to arm B's mean at the default context
    failing_context: dict[str, Any] = field(default_factory=dict)
    failing_reason: str = ""


OPEN_LEVERS = dict(open_bodies=4, participatory_share=0.4, information_sharing=0.7)
OPEN_WITH_RESOURCES = dict(openness_start="launch", facilitation_fte=4.0, open_bodies=4, participatory_share=0.4,
                           information_sharing=0.7, co_evaluation=0.5)
OPEN_WITHOUT_RESOURCES = dict(OPEN_WITH_RESOURCES, facilitation_fte=0.0)
TECHNOCENTRIC = dict(openness_start="never")

PATTERNS: dict[str, Pattern] = {p.key: p for p in (
    Pattern("R1", "Strong, shared political and administrative steering speeds the policy through its phases.",
            "seed 004 result 1; seed 002 §3.2 (COPIL at the highest level)",
            dict(copil_per_year=12.0, working_groups=6), dict(copil_per_year=2.0, working_groups=0),
            months_to_evaluation, higher_is_better=False,
            failing_context=dict(silo_index=0.0),
            failing_reason="an organisation with no silos to cross: steering bodies only cost hours"),
    Pattern("R2", "Internal data culture (against silos and data attachment) turns data into value.",
            "seed 004 result 2; seed 002 §3.2 (open data obsolete after two months)",
            dict(data_culture=0.8), dict(data_culture=0.0), _summary("pv_net_total"),
            failing_context=dict(routine_load_staff=0.99),
            failing_reason="staff with no free time: keeping data up to date costs hours they do not have"),
    Pattern("R3", "Training and HR support for transformed jobs make implementation deliver value.",
            "seed 004 result 3; seed 002 §3.3 (the gardener who waters by phone)",
            dict(training_hours_per_year=40.0, hr_support=0.8), dict(training_hours_per_year=0.0, hr_support=0.0),
            _summary("pv_net_total"),
            failing_context=dict(routine_load_staff=0.99),
            failing_reason="staff with no free time: training crowds out delivery"),
    Pattern("R4", "Information and co-creation practices using digital tools create value.",
            "seed 004 result 4; seed 002 §3.4 (digital twin as collaborative platform, flooded cabinet)",
            dict(openness_start="launch", information_sharing=0.9, participatory_share=0.6),
            dict(openness_start="launch", information_sharing=0.1, participatory_share=0.0),
            _summary("pv_net_total"),
            failing_context=dict(literacy_mean=0.2),
            failing_reason="widespread illectronisme: digital information and consultation reach few"),
    Pattern("R5", "Proactive-then-open phasing is forced by prerequisites and tension on resources: without "
                  "dedicated resources, opening from launch pays less than opening once the foundation is in place.",
            "seed 004 result 5; seed 002 §3.6 ('déployons d'abord la structure')",
            dict(OPEN_LEVERS, openness_start="structure_first", facilitation_fte=0.0),
            dict(OPEN_LEVERS, openness_start="launch", facilitation_fte=0.0),
            _summary("pv_net_total"),
            failing_context=dict(capacity_factor=20.0),
            failing_reason="no tension on time: nothing forces the authority to wait"),
    Pattern("R6", "Open governance has more public-value potential than proactive governance.",
            "seed 004 result 6; seed 002 §3.5",
            OPEN_WITH_RESOURCES, TECHNOCENTRIC, _summary("pv_net_total"),
            failing_context=dict(ecosystem_richness=0.0),
            failing_reason="no stakeholder ecosystem to co-construct with"),
    Pattern("S1", "Synthesis: plan open governance from the start and give it resources (rather than the forced "
                  "proactive-then-open phasing).",
            "seed 004 synthesis ('anticiper la gouvernance ouverte dès le lancement … la doter de ressources')",
            dict(openness_start="launch", facilitation_fte=4.0), dict(openness_start="structure_first",
                                                                      facilitation_fte=0.0),
            _summary("pv_net_total"),
            failing_context=dict(routine_load_elected=0.99),
            failing_reason="elected officials with no time for co-construction bodies"),
    Pattern("S2", "Synthesis: develop evaluation and co-evaluation.",
            "seed 004 synthesis ('développer l'évaluation et la co-évaluation'); seed 000/001 phase 4",
            dict(co_evaluation=0.8), dict(co_evaluation=0.0), _summary("pv_net_total"),
            failing_context=dict(routine_load_staff=0.99),
            failing_reason="staff with no free time for evaluation work"),
)}


def check_pattern(pat: Pattern) -> None:
    """A pattern's arms differ, and its failing context is one condition that neither arm sets."""
    if pat.arm_a == pat.arm_b:
        raise ValueError(f"{pat.key}: the two arms are identical")
    if len(pat.failing_context) != 1:
        raise ValueError(f"{pat.key}: a failing context is one condition, got {sorted(pat.failing_context)}")
    clash = set(pat.failing_context) & (set(pat.arm_a) | set(pat.arm_b))
    if clash:
        raise ValueError(f"{pat.key}: failing-context keys {sorted(clash)} are also arm keys")


for _pat in PATTERNS.values():
    check_pattern(_pat)


@dataclass
class PatternResult:
    key: str
    context: dict[str, Any]
    a: np.ndarray
    b: np.ndarray
    higher_is_better: bool

    @property
    def diff(self) -> np.ndarray:
        """Paired differences in the direction the proposition predicts (positive = it holds)."""
        d = self.a - self.b
        return d if self.higher_is_better else -d

    @property
    def effect(self) -> float:
        return float(np.nanmean(self.diff))

    sesoi: float = 0.02
    scale: float = float("nan")  # |arm B| mean at the default context: the size of the phenomenon

    @property
    def relative_effect(self) -> float:
        """Effect relative to the phenomenon's scale at the default context (a fixed, absolute yardstick)."""
        return self.effect / self.scale if self.scale > 0 else float("nan")

    @property
    def cohens_dz(self) -> float:
        sd = float(np.nanstd(self.diff, ddof=1)) if len(self.diff) > 1 else 0.0
        if sd > 0:
            return self.effect / sd
        return 0.0 if self.effect == 0 else float(np.copysign(np.inf, self.effect))

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        d = self.diff[np.isfinite(self.diff)]
        if len(d) < 2:
            return (self.effect, self.effect)
        half = stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        return (float(d.mean() - half), float(d.mean() + half))

    @property
    def equivalent(self) -> bool:
        """Two one-sided tests at 5%: the 90% interval of the paired effect lies within +-SESOI x scale."""
        lo, hi = self.ci(0.90)
        bound = self.sesoi * self.scale
        return bool(np.isfinite(bound) and -bound < lo and hi < bound)

    @property
    def fails(self) -> bool:
        """The proposition fails: the effect reverses (95% interval below zero) or is shown equivalent to zero."""
        return self.ci()[1] < 0 or self.equivalent

    @property
    def holds(self) -> bool:
        """The predicted direction: 95% interval of the paired effect above zero, and an effect of at least the
        smallest effect of interest (``sesoi`` times the phenomenon's scale at the default context)."""
        return self.ci()[0] > 0 and self.relative_effect >= self.sesoi


def evaluate(key: str, *, context: dict[str, Any] | None = None, failing: bool = False, replicates: int = 5,
             months: int | None = None, seed: int = 0) -> PatternResult:
    """Run both arms of pattern ``key`` in a context (default, or its documented failing context)."""
    pat = PATTERNS[key]
    ctx = dict(pat.failing_context if failing else {})
    ctx.update(context or {})
    a, b = [], []
    for r in range(replicates):
        s = seed + r
        a.append(pat.metric(run(seed=s, months=months, overrides={**ctx, **pat.arm_a})))
        b.append(pat.metric(run(seed=s, months=months, overrides={**ctx, **pat.arm_b})))
    b = np.array(b)
    scale = float(np.nanmean(np.abs(b)))
    if ctx:  # the yardstick is the phenomenon's size at the default context
        scale = float(np.nanmean([abs(pat.metric(run(seed=seed + r, months=months, overrides=pat.arm_b)))
                                  for r in range(replicates)]))
    return PatternResult(key, ctx, np.array(a), b, pat.higher_is_better, pat.sesoi, scale)


def openness_curve(levels, *, context: dict[str, Any] | None = None, replicates: int = 3, months: int | None = None,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Value against open-governance intensity at fixed resources (for the across-runs plateau, R5).

    Intensity u in [0, 1] scales the open levers together: bodies, meetings, participation, information.
    """
    values = []
    for u in levels:
        levers = dict(openness_start="launch", open_bodies=int(round(12 * u)), open_meetings_per_year=12.0 * u,
                      participatory_share=u, information_sharing=u, co_evaluation=u)
        runs = [run(seed=seed + r, months=months, overrides={**(context or {}), **levers})
                for r in range(replicates)]
        values.append(np.mean([x.summary["pv_net_total"] for x in runs]))
    return np.asarray(levels, dtype=float), np.asarray(values)


def plateau_across(levels, values, **kw):
    """Plateau of value against openness (across runs): see ``vti_sim.plateau``."""
    kw.setdefault("window", 2)
    kw.setdefault("min_length", 0.25)
    kw.setdefault("rise", 0.1)  # the curve starts from the value without openness, not from zero
    return detect_plateau(values, x=levels, **kw)
