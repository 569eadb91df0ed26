"""The thesis propositions R1-R6, S1, S2 as falsifiable experiments, declared once: one file each in
``experiments/propositions/`` (seed 004, results 1-6 and the synthesis; docs/SOURCES.md).

Each pattern is a contrast between two lever settings, an outcome and a direction, evaluated in a *context*.
Nothing here sets an outcome: a pattern holds only if the model's mechanisms produce the predicted sign, and each
pattern names a documented context in which it is expected to fail (ODD §8).  The same declarations drive the
tests, ``vti-sim patterns``, the propositions report (``vti-sim propositions``) and the app.

Replicates use common random numbers (arm A and arm B share seeds), so the
paired difference isolates the levers' effect.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from .. import registry
from ..outputs.plateau import detect_plateau
from ..outputs.result import run
from ..registry import ParameterError, _show

PROPOSITIONS_DIR = Path(__file__).resolve().parents[2] / "experiments" / "propositions"
BETTER = ("higher", "lower")
MISSING = ("horizon",)
FILE_KEYS = ("key", "title", "statement_fr", "statement_en", "source", "arms", "outcome", "failing", "rests_on")
OUTCOME_KEYS = ("key", "better", "missing", "sesoi")


def outcome_value(summary: dict[str, Any], key: str, missing: str | None = None) -> float:
    """A summary key (``a.b`` for nested) as a float; ``missing = "horizon"`` counts a phase never reached as
    horizon + 1 months (a run that never gets there is slower than any that does)."""
    value: Any = summary
    for part in key.split("."):
        value = value[part]
    if value is None:
        return float(summary["months"] + 1) if missing == "horizon" else float("nan")
    return float(value)


@dataclass(frozen=True)
class Pattern:
    """One thesis proposition as a paired experiment, read from ``experiments/propositions/<key>.toml``."""

    key: str
    statement: str  # English
    source: str
    arm_a: dict[str, Any]  # the setting the proposition favours
    arm_b: dict[str, Any]  # the comparison
    outcome: str = "pv_net_total"  # summary key
    higher_is_better: bool = True
    sesoi: float = 0.02  # smallest effect of interest, relative to arm B's mean at the default context
    failing_context: dict[str, Any] = field(default_factory=dict)
    failing_reason: str = ""
    missing: str | None = None
    statement_fr: str = ""
    title: str = ""
    rests_on: tuple[str, ...] = ()  # the assumptions of the mechanism it runs through
    path: Path | None = None

    def metric(self, result) -> float:
        return outcome_value(result.summary, self.outcome, self.missing)


def read_toml(path: Path, what: str, hint: str = ""):
    """``(data, err)`` of a TOML file, where ``err(key, reason)`` is a ParameterError naming the file, the key's
    line and the key (one-line errors for unreadable or malformed files too)."""
    from ..experiments.experiment import _key_lines

    src = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as e:
        raise ParameterError(what, f"cannot read file ({e.strerror or e}){hint}", source=src) from None
    except UnicodeDecodeError:
        raise ParameterError(what, "cannot read file: not UTF-8 text", source=src) from None
    except tomllib.TOMLDecodeError as e:
        raise ParameterError("toml", f"syntax error: {e}", source=src) from None
    lines = _key_lines(text)

    def err(key: str, reason: str) -> ParameterError:
        return ParameterError(key, reason, source=src, line=lines.get(key) or lines.get(key.split(".")[0]))

    err.lines, err.text = lines, text
    return data, err


def load_pattern(path: str | Path) -> Pattern:
    """Read and validate a proposition file; ParameterError (file:line: field: what is allowed) on bad input."""
    path = Path(path)
    src = str(path)
    data, err = read_toml(path, "proposition")
    lines = err.lines

    for k in data:
        if k not in FILE_KEYS:
            raise err(k, f"unknown key; allowed: {', '.join(FILE_KEYS)}")
    for k in ("key", "statement_fr", "statement_en", "source"):
        if not isinstance(data.get(k), str) or not data[k].strip():
            raise err(k, "missing or empty; allowed: a non-empty string")
    key = data["key"]
    if key != path.stem:
        raise err("key", f"got {_show(key)}; allowed: the file's name ({path.stem!r})")
    arms = data.get("arms")
    if not isinstance(arms, dict) or set(arms) != {"a", "b"}:
        raise err("arms", "allowed: two tables [arms.a] (the setting the proposition favours) and [arms.b]")
    from ..experiments.experiment import _not_quoted

    resolved = {}
    for arm in ("a", "b"):
        if not isinstance(arms[arm], dict) or not arms[arm]:
            raise err(f"arms.{arm}", "allowed: a non-empty table of registry parameters")
        for k, v in arms[arm].items():
            if k in registry.REGISTRY:
                _not_quoted(registry.REGISTRY[k], v, lines.get(f"arms.{arm}.{k}"), src)
        resolved[arm] = registry.validate(arms[arm], source=src,
                                          lines={k: lines.get(f"arms.{arm}.{k}") for k in arms[arm]})
    outcome = data.get("outcome")
    if not isinstance(outcome, dict):
        raise err("outcome", "allowed: a table { key, better, sesoi, missing }")
    for k in outcome:
        if k not in OUTCOME_KEYS:
            raise err(f"outcome.{k}", f"unknown key; allowed: {', '.join(OUTCOME_KEYS)}")
    okey = outcome.get("key")
    if not isinstance(okey, str) or okey.split(".")[0] not in _SUMMARY_KEYS:
        raise err("outcome.key", f"got {_show(okey)}; allowed: a scalar summary key, e.g. pv_net_total, "
                                 "months_to_phase.evaluation")
    better = outcome.get("better", "higher")
    if better not in BETTER:
        raise err("outcome.better", f"got {_show(better)}; allowed: one of {', '.join(BETTER)}")
    missing = outcome.get("missing")
    if missing is not None and missing not in MISSING:
        raise err("outcome.missing", f"got {_show(missing)}; allowed: one of {', '.join(MISSING)} (or omit it)")
    sesoi = outcome.get("sesoi", 0.02)
    if isinstance(sesoi, bool) or not isinstance(sesoi, int | float) or not 0 < sesoi < 1:
        raise err("outcome.sesoi", f"got {_show(sesoi)}; allowed: a number in (0, 1), relative to arm b's mean")
    failing = data.get("failing")
    if not isinstance(failing, dict) or not isinstance(failing.get("context"), dict) \
            or not isinstance(failing.get("reason"), str):
        raise err("failing", "allowed: a table { context = { parameter = value }, reason = \"...\" }")
    for k, v in failing["context"].items():
        if k in registry.REGISTRY:
            _not_quoted(registry.REGISTRY[k], v, lines.get("failing.context"), src)
    context = registry.validate(failing["context"], source=src, lines={k: lines.get("failing.context")
                                                                          for k in failing["context"]})
    rests = data.get("rests_on", {}).get("assumptions", []) if isinstance(data.get("rests_on"), dict) else None
    if not isinstance(rests, list) or not all(isinstance(a, str) for a in rests):
        raise err("rests_on", "allowed: a table { assumptions = [\"name\", ...] } of registry assumptions")
    for a in rests:
        if a not in registry.REGISTRY or registry.get(a).kind != "assumption":
            raise err("rests_on.assumptions", f"got {_show(a)}; allowed: registry assumptions (`vti-sim params --kind "
                                              "assumption`)")
    pat = Pattern(key, " ".join(data["statement_en"].split()), " ".join(data["source"].split()), resolved["a"],
                  resolved["b"], okey, better == "higher", float(sesoi), context, failing["reason"], missing,
                  " ".join(data["statement_fr"].split()), data.get("title", key), tuple(rests), path)
    try:
        check_pattern(pat)
    except ValueError as e:
        raise err("failing", str(e).split(": ", 1)[1] + "; allowed: one condition on a parameter neither arm "
                             "sets") from None
    return pat


def load_patterns(directory: str | Path = PROPOSITIONS_DIR) -> dict[str, Pattern]:
    """Every proposition file of a directory (``study.toml`` is the shared design, not a proposition)."""
    directory = Path(directory)
    files = sorted(p for p in directory.glob("*.toml") if p.name != "study.toml")
    if not files:
        raise ParameterError("propositions", "no proposition file (*.toml) here; allowed: a directory like "
                                             "experiments/propositions", source=str(directory))
    return {p.key: p for p in map(load_pattern, files)}


_SUMMARY_KEYS = ("pv_net_total", "pv_net", "pv_created", "pv_destroyed", "months_to_phase", "final_trust",
                 "inclusion_gap", "plateau_month", "plateau_level", "budget_execution", "final_participation")


def check_pattern(pat: Pattern) -> None:
    """A pattern's arms differ, and its failing context is one condition that neither arm sets."""
    if pat.arm_a == pat.arm_b:
        raise ValueError(f"{pat.key}: the two arms are identical")
    if len(pat.failing_context) != 1:
        raise ValueError(f"{pat.key}: a failing context is one condition, got {sorted(pat.failing_context)}")
    clash = set(pat.failing_context) & (set(pat.arm_a) | set(pat.arm_b))
    if clash:
        raise ValueError(f"{pat.key}: failing-context keys {sorted(clash)} are also arm keys")


PATTERNS: dict[str, Pattern] = load_patterns() if PROPOSITIONS_DIR.is_dir() else {}


CONF_LEVEL = 0.95
N_BOOT = 2000
STATUSES = ("holds", "fails", "inconclusive")
RULE = ("A proposition **holds** where the bootstrap 95% interval of the mean paired effect (arm a - arm b, in "
        "the predicted direction, over common-random-number replicates) lies above zero, the Wilcoxon signed-rank "
        "test rejects a zero median at 5%, and the mean effect reaches the smallest effect of interest (SESOI x "
        "arm b's mean at the default context). It **fails** where the interval lies below zero (a reversal) or "
        "where its 90% interval lies within +-SESOI x scale (equivalence to zero, two one-sided tests). Otherwise "
        "the evidence is **inconclusive**.")


@dataclass
class PatternResult:
    """The paired outcome of a proposition in one context, and the one rule (``RULE``) that reads it."""

    key: str
    context: dict[str, Any]
    a: np.ndarray
    b: np.ndarray
    higher_is_better: bool
    sesoi: float = 0.02
    scale: float = float("nan")  # |arm B| mean at the default context: the size of the phenomenon
    conf_level: float = CONF_LEVEL
    boot_seed: int = 0

    @property
    def diff(self) -> np.ndarray:
        """Paired differences in the direction the proposition predicts (positive = it holds)."""
        d = np.asarray(self.a, float) - np.asarray(self.b, float)
        return d if self.higher_is_better else -d

    @property
    def effect(self) -> float:
        return float(np.nanmean(self.diff)) if np.isfinite(self.diff).any() else float("nan")

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

    def ci(self, level: float | None = None) -> tuple[float, float]:
        """Percentile bootstrap interval of the mean paired effect (replicates resampled with replacement)."""
        level = self.conf_level if level is None else level
        d = self.diff[np.isfinite(self.diff)]
        if len(d) < 2:
            return (self.effect, self.effect)
        rng = np.random.default_rng(self.boot_seed)
        means = d[rng.integers(0, len(d), size=(N_BOOT, len(d)))].mean(axis=1)
        a = (1 - level) / 2
        return (float(np.quantile(means, a)), float(np.quantile(means, 1 - a)))

    @property
    def wilcoxon_p(self) -> float:
        """Two-sided Wilcoxon signed-rank p-value of the paired differences (1 when every difference is zero)."""
        d = self.diff[np.isfinite(self.diff)]
        if len(d) < 2 or not np.any(d != 0):
            return 1.0
        return float(stats.wilcoxon(d, zero_method="wilcox").pvalue)

    @property
    def equivalent(self) -> bool:
        """Two one-sided tests at 5%: the 90% interval of the paired effect lies within +-SESOI x scale."""
        lo, hi = self.ci(1 - 2 * (1 - self.conf_level))
        bound = self.sesoi * self.scale
        return bool(np.isfinite(bound) and -bound < lo and hi < bound)

    @property
    def reversed(self) -> bool:
        return self.ci()[1] < 0

    @property
    def holds(self) -> bool:
        lo, _ = self.ci()
        return bool(lo > 0 and self.wilcoxon_p < 1 - self.conf_level and self.relative_effect >= self.sesoi)

    @property
    def fails(self) -> bool:
        """The proposition fails: the effect reverses or is shown equivalent to zero."""
        return self.reversed or self.equivalent

    @property
    def status(self) -> str:
        """``RULE`` applied: holds, fails or inconclusive."""
        return "holds" if self.holds else "fails" if self.fails else "inconclusive"

    @property
    def how(self) -> str:
        """Why it does not hold, in a few words."""
        if self.holds:
            return "holds"
        if self.reversed:
            return "reversal"
        if self.equivalent:
            return "equivalent to zero"
        if self.ci()[0] > 0 and self.relative_effect < self.sesoi:
            return "positive but below the SESOI"
        return "interval includes zero"


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
