"""``vti-sim propositions``: every thesis proposition tested through the sweep engine, with a verdict by one rule.

Each proposition file (``experiments/propositions/R1.toml`` ...; ``patterns.load_pattern``) declares two arms, an
outcome, its smallest effect of interest and one failing context.  ``study.toml`` gives the shared design.  For
each proposition five stages run, each as two sweeps (arm a, arm b) of one design and seed, so that replicate r of
point p has the same run seed in both arms (common random numbers):

1. ``main``: the default context and the documented failing context, ``replicates`` paired replicates each;
2. ``prim``: an LHS over the study's context space; the points where the effect falls short of the SESOI are the
   conditions of failure that PRIM (and CART) describe as boxes;
3. ``oat``: one assumption at a time at its registry bounds (every assumption, or the file's ``rests_on``);
4. ``confirm``: the ``confirm`` assumptions whose bounds move the effect most towards the other verdict, re-run
   with ``replicates`` replicates and read by the same rule at a Bonferroni-corrected level;
5. ``sobol``: Sobol' first and total order indices of the paired effect over the file's ``rests_on`` assumptions
   (topped up by the screening's largest swings).

The verdict (``verdict``) is the one rule of ``patterns.RULE`` applied to stage 1 and stage 4; nothing else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import registry
from ..experiments import build_design, load_results, sweep
from ..experiments.experiment import Experiment, parse_experiment
from ..registry import ParameterError, _show
from .noise import replicate_matrix
from .patterns import PROPOSITIONS_DIR, Pattern, PatternResult, load_patterns, read_toml
from .spec import PrimSettings

STAGES = ("main", "prim", "oat", "confirm", "sobol")
SIZE_KEYS = ("replicates", "prim_points", "prim_replicates", "oat", "oat_replicates", "confirm", "sobol_samples",
             "sobol_replicates", "sobol_factors", "bootstrap")
SIZE_MIN = {"replicates": 3, "prim_points": 10, "prim_replicates": 2, "oat_replicates": 2, "confirm": 0,
            "sobol_samples": 2, "sobol_replicates": 2, "sobol_factors": 1, "bootstrap": 100}
STUDY_KEYS = ("seed", "months", "full", "quick", "prim", "context")
VERDICTS = ("supported", "conditional", "not supported")


@dataclass(frozen=True)
class Size:
    replicates: int
    prim_points: int
    prim_replicates: int
    oat: str  # "all" assumptions or the file's "rests_on"
    oat_replicates: int
    confirm: int
    sobol_samples: int
    sobol_replicates: int
    sobol_factors: int
    bootstrap: int


@dataclass(frozen=True)
class Study:
    """``study.toml`` and the proposition files of one directory, validated."""

    directory: Path
    text: str
    sha256: str
    seed: int
    months: int | None
    size: Size
    quick: bool
    prim: PrimSettings
    context: dict[str, tuple[float, float]]
    patterns: dict[str, Pattern]

    def record(self) -> dict[str, Any]:
        return {"directory": str(self.directory), "sha256": self.sha256, "seed": self.seed, "months": self.months,
                "quick": self.quick, "size": dataclasses.asdict(self.size), "prim": dataclasses.asdict(self.prim),
                "context": {k: list(v) for k, v in self.context.items()},
                "propositions": {k: hashlib.sha256(p.path.read_bytes()).hexdigest() if p.path else None
                                 for k, p in self.patterns.items()}}


def load_study(directory: str | Path = PROPOSITIONS_DIR, *, quick: bool = False,
               only: list[str] | None = None) -> Study:
    """Read and validate a propositions directory; ParameterError (file:line: field: allowed) on bad input."""
    directory = Path(directory)
    path = directory / "study.toml"
    src = str(path)
    if not directory.is_dir():
        raise ParameterError("propositions", "not a directory; allowed: a directory like experiments/propositions",
                             source=str(directory))
    data, err = read_toml(path, "study", "; each propositions directory needs its study.toml")
    lines, text = err.lines, err.text

    for k in data:
        if k not in STUDY_KEYS:
            raise err(k, f"unknown key; allowed: {', '.join(STUDY_KEYS)}")
    seed = data.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise err("seed", f"got {_show(seed)}; allowed: a non-negative integer")
    months = data.get("months")
    if months is not None:
        months = registry.get("months").coerce(months, source=src, line=lines.get("months"))
    label = "quick" if quick else "full"
    raw = data.get(label)
    if not isinstance(raw, dict):
        raise err(label, f"missing; allowed: a [{label}] table with {', '.join(SIZE_KEYS)}")
    values = {}
    for k in SIZE_KEYS:
        v = raw.get(k)
        if k == "oat":
            if v not in ("all", "rests_on"):
                raise err(f"{label}.oat", f"got {_show(v)}; allowed: \"all\" or \"rests_on\"")
        else:
            lo = SIZE_MIN[k]
            if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= 10**6:
                raise err(f"{label}.{k}", f"got {_show(v)}; allowed: an integer >= {lo}")
            if k == "sobol_samples" and v & (v - 1):
                raise err(f"{label}.{k}", f"got {v}; allowed: a power of 2 (Saltelli N)")
        values[k] = v
    for k in raw:
        if k not in SIZE_KEYS:
            raise err(f"{label}.{k}", f"unknown key; allowed: {', '.join(SIZE_KEYS)}")
    prim_raw = data.get("prim", {})
    fields = {f.name for f in dataclasses.fields(PrimSettings)}
    for k in prim_raw:
        if k not in fields:
            raise err(f"prim.{k}", f"unknown key; allowed: {', '.join(sorted(fields))}")
    prim = PrimSettings(**prim_raw)
    context = {}
    for name, spec in data.get("context", {}).items():
        key = f"context.{name}"
        if name not in registry.REGISTRY or registry.get(name).kind != "context":
            raise err(key, "not a registry context parameter; see `vti-sim params --kind context`")
        p = registry.get(name)
        if not isinstance(spec, dict) or set(spec) != {"min", "max"}:
            raise err(key, "allowed: { min = ..., max = ... }")
        lo, hi = (p.coerce(spec[b], source=src, line=lines.get(key)) for b in ("min", "max"))
        if not lo < hi:
            raise err(key, f"min ({lo!r}) must be below max ({hi!r})")
        context[name] = (lo, hi)
    if len(context) < 2:
        raise err("context", "allowed: a [context] table of at least two context parameters with { min, max }")
    patterns = load_patterns(directory)
    if only:
        unknown = [k for k in only if k not in patterns]
        if unknown:
            raise ParameterError("only", f"got {', '.join(unknown)}; allowed: {', '.join(patterns)}",
                                 source=str(directory))
        patterns = {k: patterns[k] for k in only}
    for pat in patterns.values():
        clash = sorted(set(context) & (set(pat.arm_a) | set(pat.arm_b)))
        if clash:
            raise err("context", f"{', '.join(clash)} is set by {pat.key}'s arms; the context space must be "
                                 "disjoint from every arm")
    return Study(directory, text, hashlib.sha256(text.encode()).hexdigest(), seed, months, Size(**values), quick,
                 prim, context, patterns)


# --------------------------------------------------------------------------------------------- stage experiments
def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return str(value)


def stage_seed(study: Study, key: str, stage: str) -> int:
    """The experiment seed of one stage: from the study seed and the proposition's and stage's names only, so that
    adding a proposition changes no other's runs."""
    spawn = (zlib.crc32(key.encode()), STAGES.index(stage))
    return int(np.random.SeedSequence(entropy=study.seed, spawn_key=spawn).generate_state(1)[0] >> 1)


def stage_experiment(study: Study, pat: Pattern, stage: str, arm: str, *, method: str,
                     vary: dict[str, Any], replicates: int, samples: int | None = None,
                     second_order: bool | None = None) -> Experiment:
    """The sweep-format experiment of one stage and arm, as text (its hash is the sweep's identity for resume)."""
    values = pat.arm_a if arm == "a" else pat.arm_b
    design = {"method": method}
    if samples is not None:
        design["samples"] = samples
    if second_order is not None:
        design["second_order"] = second_order
    lines = [f"# {pat.key}, stage {stage}, arm {arm}: derived by vti-sim propositions from {pat.path}",
             f"name = \"{pat.key}-{stage}-{arm}\"", f"seed = {stage_seed(study, pat.key, stage)}",
             f"replicates = {replicates}", "chunk_size = 40"]
    if study.months is not None:
        lines.append(f"months = {study.months}")
    lines += ["", "[design]"] + [f"{k} = {_toml(v)}" for k, v in design.items()]
    lines += ["", "[vary]"] + [f"{k} = {_toml(v)}" for k, v in vary.items()]
    lines += ["", "[fixed]"] + [f"{k} = {_toml(v)}" for k, v in values.items()]
    lines += ["", "[outputs]", f"summary = [{json.dumps(pat.outcome)}]", ""]
    return parse_experiment("\n".join(lines), source=f"{pat.path}[{stage}.{arm}]", path=None,
                            max_runs=10**8)


def outcome_column(pat: Pattern) -> str:
    return pat.outcome.replace(".", "__")


@dataclass
class Stage:
    """Both arms of one stage, read back from the sweep engine's files: outcome matrices (points x replicates)."""

    name: str
    experiment: Experiment  # arm a's (the design is the same for arm b)
    a: np.ndarray
    b: np.ndarray

    def result(self, pat: Pattern, point: int, scale: float, conf_level: float = 0.95, seed: int = 0
               ) -> PatternResult:
        return PatternResult(pat.key, {}, self.a[point], self.b[point], pat.higher_is_better, pat.sesoi, scale,
                             conf_level, seed)

    def effects(self, pat: Pattern) -> np.ndarray:
        """Paired differences (points x replicates) in the predicted direction."""
        d = self.a - self.b
        return d if pat.higher_is_better else -d


def run_stage(study: Study, pat: Pattern, stage: str, out: Path, kw: dict, **spec) -> Stage:
    arms = {}
    for arm in ("a", "b"):
        exp = stage_experiment(study, pat, stage, arm, **spec)
        d = sweep(exp, out=out / pat.key / f"sweep-{stage}-{arm}", **kw)
        arms[arm] = (exp, load_results(d))
    exp = arms["a"][0]
    design = build_design(exp)
    n, r = design.n_points, exp.replicates
    col = outcome_column(pat)
    mats = []
    for arm in ("a", "b"):
        y = replicate_matrix(arms[arm][1], col, n, r)
        if pat.missing == "horizon":
            y = np.where(np.isnan(y), exp.base["months"] + 1.0, y)
        mats.append(y)
    return Stage(stage, exp, mats[0], mats[1])


# --------------------------------------------------------------------------------------------- the verdict
def verdict(default: PatternResult, confirmed: list[tuple[str, str, PatternResult]]) -> tuple[str, str]:
    """The one verdict rule: (verdict, first line).

    * **supported**: the proposition holds at the default context (``patterns.RULE``) and fails at no confirmed
      assumption bound;
    * **conditional**: it holds at the default context but fails at some confirmed assumption bound, or it does
      not hold at the default context but holds at some confirmed bound: the first line names them;
    * **not supported**: it does not hold at the default context and holds at no confirmed bound (with the reason:
      reversal, equivalence to zero, below the SESOI, or an interval that includes zero).
    """
    def named(rows):
        return ", ".join(f"`{a}` at its {b}" for a, b, _ in rows)

    if default.holds:
        flips = [c for c in confirmed if c[2].fails]
        if flips:
            return "conditional", f"**conditional**: holds at the default context, but fails with {named(flips)}."
        weak = [c for c in confirmed if not c[2].holds]
        return "supported", ("**supported**: holds at the default context and fails at no assumption bound examined"
                             + (f" (inconclusive with {named(weak)})." if weak else "."))
    flips = [c for c in confirmed if c[2].holds]
    if flips:
        return "conditional", (f"**conditional**: does not hold at the default context ({default.how}), but holds "
                               f"with {named(flips)}.")
    return "not supported", f"**not supported**: at the default context, {default.how}."


# --------------------------------------------------------------------------------------------- one proposition
def _oat_names(study: Study, pat: Pattern) -> list[str]:
    if study.size.oat == "rests_on":
        return list(pat.rests_on)
    return [p.name for p in registry.assumptions() if p.name not in pat.arm_a and p.name not in pat.arm_b]


def _bounds(names) -> dict[str, dict[str, Any]]:
    return {n: {"min": registry.get(n).min if registry.get(n).dtype == "float" else int(registry.get(n).min),
                "max": registry.get(n).max if registry.get(n).dtype == "float" else int(registry.get(n).max)}
            for n in names}


def oat_table(stage: Stage, pat: Pattern, threshold: float) -> pd.DataFrame:
    """One row per assumption bound: its value and the mean paired effect there (screening replicates)."""
    exp = stage.experiment
    eff = np.nanmean(stage.effects(pat), axis=1)
    rows = []
    i = 0
    for f in exp.factors:
        for bound, value in (("min", f.lo), ("max", f.hi)):
            rows.append({"assumption": f.name, "bound": bound, "value": value, "default": exp.base[f.name],
                         "effect": float(eff[i]), "point": i})
            i += 1
    t = pd.DataFrame(rows)
    t["crosses"] = np.where(t["effect"] >= threshold, "holds side", "fails side")
    return t


def study_proposition(study: Study, pat: Pattern, out: Path, kw: dict) -> dict[str, Any]:
    """Run the five stages of one proposition (each resumable) and read them with the one rule."""
    size = study.size
    key = pat.key
    ctx_name, ctx_value = next(iter(pat.failing_context.items()))
    default_value = registry.get(ctx_name).default
    main = run_stage(study, pat, "main", out, kw, method="grid", vary={ctx_name: [default_value, ctx_value]},
                     replicates=size.replicates)
    scale = float(np.nanmean(np.abs(main.b[0])))
    seed = zlib.crc32(key.encode())
    default = main.result(pat, 0, scale, seed=seed)
    failing = main.result(pat, 1, scale, seed=seed + 1)
    threshold = pat.sesoi * scale

    prim = run_stage(study, pat, "prim", out, kw, method="lhs", samples=size.prim_points,
                     vary={k: {"min": lo, "max": hi} for k, (lo, hi) in study.context.items()},
                     replicates=size.prim_replicates)

    names = _oat_names(study, pat)
    oat = run_stage(study, pat, "oat", out, kw, method="oat", vary=_bounds(names), replicates=size.oat_replicates)
    screen = oat_table(oat, pat, threshold)
    toward = screen["effect"] < threshold if default.holds else screen["effect"] >= threshold
    order = screen.loc[toward].sort_values("effect", ascending=default.holds)
    flagged = list(dict.fromkeys(order["assumption"]))[: size.confirm]
    confirmed: list[tuple[str, str, PatternResult]] = []
    confirm_rows = []
    if flagged:
        conf = run_stage(study, pat, "confirm", out, kw, method="oat", vary=_bounds(flagged),
                         replicates=size.replicates)
        m = 2 * len(flagged)
        level = 1 - (1 - default.conf_level) / m  # Bonferroni over the bounds confirmed
        for _, row in oat_table(conf, pat, threshold).iterrows():
            res = conf.result(pat, int(row["point"]), scale, conf_level=level, seed=seed + 2 + int(row["point"]))
            confirmed.append((row["assumption"], row["bound"], res))
            lo, hi = res.ci()
            confirm_rows.append({"proposition": key, "assumption": row["assumption"], "bound": row["bound"],
                                 "value": row["value"], "default": row["default"], "effect": res.effect,
                                 "relative": res.relative_effect, "conf_level": level, "ci_low": lo, "ci_high": hi,
                                 "wilcoxon_p": res.wilcoxon_p, "status": res.status})
    v, first = verdict(default, confirmed)

    swing = screen.groupby("assumption", sort=False)["effect"].agg(lambda e: float(np.ptp(e)))
    sobol_names = list(pat.rests_on)[: size.sobol_factors]
    for n in swing.sort_values(ascending=False).index:
        if len(sobol_names) >= size.sobol_factors:
            break
        if n not in sobol_names:
            sobol_names.append(n)
    sob = run_stage(study, pat, "sobol", out, kw, method="sobol", samples=size.sobol_samples, second_order=False,
                    vary=_bounds(sobol_names), replicates=size.sobol_replicates)
    return {"pattern": pat, "main": main, "default": default, "failing": failing, "scale": scale,
            "threshold": threshold, "prim": prim, "oat": oat, "screen": screen, "flagged": flagged,
            "confirmed": confirmed, "confirm_rows": confirm_rows, "verdict": v, "first_line": first,
            "sobol": sob, "sobol_names": sobol_names}


# --------------------------------------------------------------------------------------------- the command
def analyse(directory: str | Path = PROPOSITIONS_DIR, *, quick: bool = False, workers: int | None = None,
            scheduler: str | None = None, out: str | Path | None = None, only: list[str] | None = None,
            progress: bool = True) -> Path:
    """Validate, run every stage of every proposition (resumable), and publish the report atomically."""
    import sys
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from ..experiments.store import _versions
    from . import proposition_report, report
    from .workflow import _cluster

    study = load_study(directory, quick=quick, only=only)
    out = Path(out) if out is not None else Path("results") / ("propositions-quick" if quick else "propositions")
    owner = SimpleNamespace(name="propositions-quick" if quick else "propositions", path=study.directory,
                            sha256=study.sha256)
    report.check_out(out, owner)
    report.claim(out, owner)
    clock = report.Stopwatch()
    results = []
    with _cluster(workers, scheduler, 2) as address:
        kw = dict(workers=workers if address is None else None, scheduler=address, progress=progress)
        for pat in study.patterns.values():
            results.append(study_proposition(study, pat, out, kw))
    sweep_s = clock()
    prov = {"versions": {**_versions(), **_analysis_versions()}, "study": study.record(), "command": sys.argv,
            "rule": "vti_sim.analysis.patterns.RULE and vti_sim.analysis.propositions.verdict",
            "created": datetime.now(UTC).isoformat(timespec="seconds")}
    with report.staging(out) as tmp:
        wall = {"sweeps": sweep_s}
        proposition_report.write(study, results, tmp, out, prov, wall)
    return out


def _analysis_versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    v: dict[str, str | None] = {}
    for pkg in ("ema-workbench", "matplotlib", "scikit-learn", "scipy"):
        try:
            v[pkg] = version(pkg)
        except PackageNotFoundError:
            v[pkg] = None
    return v
