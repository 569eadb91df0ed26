"""The ``[analysis]`` table of an experiment file: what ``vti-sim sensitivity`` computes from the sweep's runs.

Three kinds share one file format (the sweep's, plus this table):

* ``sensitivity`` (default): Sobol' / Morris / PAWN indices of the design's factors (levers, context, assumptions);
* ``discovery``: paired open vs proactive arms of equal resources over a design of context points, then PRIM/CART;
* ``plateau_map``: 2-D grids over pairs of factors, the probability over replicates that a plateau appears.

The table is validated here with the project's one-line errors (``file:line: analysis.key: reason``), before
anything runs.  It is *not* part of the runs' identity: changing the bootstrap size re-analyses the runs on disk
instead of re-running them (see :func:`runs_experiment`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import registry
from ..experiments.experiment import Experiment, _key_lines
from ..registry import ParameterError, _show

KINDS = ("sensitivity", "discovery", "plateau_map")
METHODS = ("sobol", "morris", "pawn")
COMMON_KEYS = ("kind", "outputs", "bootstrap", "conf_level", "seed")
KIND_KEYS = {
    "sensitivity": ("methods", "pawn_slices", "convergence"),
    "discovery": ("arms", "difference", "resource_tolerance", "prim"),
    "plateau_map": ("maps",),
}
CONVERGENCE_KEYS = ("max_conf", "top")
PRIM_KEYS = ("threshold", "mass_min", "peel_alpha", "paste_alpha", "obj_function", "resamples")
PRIM_OBJECTIVES = ("lenient1", "lenient2", "original")
ARMS = ("open", "proactive")


@dataclass(frozen=True)
class PrimSettings:
    """The user's PRIM settings; box-stability resamples reuse them unchanged."""

    threshold: float = 0.8  # density a box must reach to be selected (highest coverage among those)
    mass_min: float = 0.05
    peel_alpha: float = 0.05
    paste_alpha: float = 0.05
    obj_function: str = "lenient1"
    resamples: int = 50


@dataclass(frozen=True)
class AnalysisSpec:
    kind: str
    outputs: tuple[str, ...]
    bootstrap: int
    conf_level: float
    seed: int
    methods: tuple[str, ...] = ()
    pawn_slices: int = 10
    max_conf: float = 0.1
    top: int = 5
    arms: dict[str, dict[str, Any]] = field(default_factory=dict)
    difference: str = "pv_net_total"
    resource_tolerance: float = 0.01
    prim: PrimSettings = PrimSettings()
    maps: tuple[tuple[str, str], ...] = ()

    def record(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def analysis_seed(seed: int) -> int:
    """The bootstrap / dummy-parameter seed derived from the experiment seed (spawn key 'anal')."""
    return int(np.random.SeedSequence(entropy=seed, spawn_key=(0x616E616C,)).generate_state(1)[0])


def parse_analysis(exp: Experiment) -> AnalysisSpec:
    """Validate ``exp.analysis``; raise ParameterError (one line: file, line, field, what is allowed)."""
    raw = exp.analysis
    source = str(exp.path) if exp.path else exp.name
    lines = _key_lines(exp.text)

    def err(key: str, reason: str) -> ParameterError:
        full = f"analysis.{key}" if key else "analysis"
        line = lines.get(full) or lines.get(full.rsplit(".", 1)[0]) or lines.get("analysis")
        return ParameterError(full, reason, source=source, line=line)

    kind = raw.get("kind", "sensitivity")
    if kind not in KINDS:
        raise err("kind", f"got {_show(kind)}; allowed: one of {', '.join(KINDS)}")
    allowed = COMMON_KEYS + KIND_KEYS[kind]
    for key in raw:
        if key not in allowed:
            raise err(key, f"unknown key for kind {kind!r}; allowed: {', '.join(allowed)}")

    numeric = [c for c, t in exp.output_types.items() if t == "float64"]
    outputs = raw.get("outputs", numeric)
    if not isinstance(outputs, list) or not outputs or not all(isinstance(o, str) for o in outputs):
        raise err("outputs", "allowed: a non-empty list of output columns (summary keys with '.' -> '__')")
    for o in outputs:
        if o not in numeric:
            raise err("outputs", f"unknown or non-numeric output {o!r}; allowed: {', '.join(numeric)}")
    bootstrap = _int(raw.get("bootstrap", 500), 20, 100_000, err("bootstrap", ""))
    conf_level = _float(raw.get("conf_level", 0.95), 0.5, 0.999, err("conf_level", ""))
    seed = _int(raw.get("seed", analysis_seed(exp.seed)), 0, 2**32 - 1, err("seed", ""))
    spec = dict(kind=kind, outputs=tuple(dict.fromkeys(outputs)), bootstrap=bootstrap, conf_level=conf_level,
                seed=seed)

    if kind == "sensitivity":
        spec.update(_sensitivity(exp, raw, err))
    elif kind == "discovery":
        spec.update(_discovery(exp, raw, err, numeric))
    else:
        spec.update(_plateau(exp, raw, err))
    return AnalysisSpec(**spec)


def _sensitivity(exp: Experiment, raw: dict, err) -> dict[str, Any]:
    default = {"sobol": ["sobol", "pawn"], "morris": ["morris", "pawn"]}.get(exp.method, ["pawn"])
    methods = raw.get("methods", default)
    if not isinstance(methods, list) or not methods or any(m not in METHODS for m in methods):
        raise err("methods", f"got {_show(methods)}; allowed: a list drawn from {', '.join(METHODS)}")
    for m in methods:
        if m in ("sobol", "morris") and exp.method != m:
            raise err("methods", f"{m!r} needs [design] method = {m!r} (this design is {exp.method!r})")
    if exp.method == "grid":
        raise err("kind", "a sensitivity analysis needs a sampled design; allowed: [design] method = sobol, morris "
                          "or lhs")
    if exp.replicates < 2:
        raise err("kind", f"replicates = {exp.replicates}: a stochastic model needs at least 2 replicates per point "
                          "to separate noise from the factors' effects")
    if exp.method == "sobol" and exp.samples < 8:
        raise err("kind", f"design.samples = {exp.samples}: convergence checks at N/4 need N >= 8")
    out: dict[str, Any] = {"methods": tuple(dict.fromkeys(methods))}
    out["pawn_slices"] = _int(raw.get("pawn_slices", 10), 2, 100, err("pawn_slices", ""))
    conv = raw.get("convergence", {})
    if not isinstance(conv, dict):
        raise err("convergence", "allowed: a table { max_conf = 0.1, top = 5 }")
    for key in conv:
        if key not in CONVERGENCE_KEYS:
            raise err(f"convergence.{key}", f"unknown key; allowed: {', '.join(CONVERGENCE_KEYS)}")
    out["max_conf"] = _float(conv.get("max_conf", 0.1), 1e-6, 1.0, err("convergence.max_conf", ""))
    out["top"] = _int(conv.get("top", 5), 1, 1000, err("convergence.top", ""))
    return out


def _discovery(exp: Experiment, raw: dict, err, numeric: list[str]) -> dict[str, Any]:
    from .resources import check_equal_resources

    if exp.replicates < 2:
        raise err("kind", f"replicates = {exp.replicates}: win/tie/lose needs a CI over at least 2 replicates")
    if exp.method in ("sobol", "morris"):
        raise err("kind", f"design method {exp.method!r}: discovery needs a space-filling design (lhs or grid)")
    arms = raw.get("arms")
    if not isinstance(arms, dict) or set(arms) != set(ARMS):
        raise err("arms", "allowed: two tables [analysis.arms.open] and [analysis.arms.proactive] of lever values")
    resolved: dict[str, dict[str, Any]] = {}
    varied = set(exp.names)
    lines = _key_lines(exp.text)
    for arm in ARMS:
        values = arms[arm]
        if not isinstance(values, dict) or not values:
            raise err(f"arms.{arm}", "allowed: a non-empty table of registry parameters")
        for name in values:
            if name in varied:
                raise err(f"arms.{arm}.{name}", "is also in [vary]; an arm sets a lever, the design varies context")
            if name in exp.fixed:
                raise err(f"arms.{arm}.{name}", "is also in [fixed]; set it in the arms or in [fixed], not both")
        resolved[arm] = registry.validate(values, source=str(exp.path or exp.name),
                                          lines={k: lines.get(f"analysis.arms.{arm}.{k}") for k in values})
    tolerance = _float(raw.get("resource_tolerance", 0.01), 0.0, 0.5, err("resource_tolerance", ""))
    problem = check_equal_resources({**exp.base, **resolved["open"]}, {**exp.base, **resolved["proactive"]},
                                    tolerance)
    if problem:
        raise err("arms", problem)
    difference = raw.get("difference", "pv_net_total")
    if difference not in numeric:
        raise err("difference", f"got {_show(difference)}; allowed: one of {', '.join(numeric)}")
    prim_raw = raw.get("prim", {})
    if not isinstance(prim_raw, dict):
        raise err("prim", f"allowed: a table with {', '.join(PRIM_KEYS)}")
    for key in prim_raw:
        if key not in PRIM_KEYS:
            raise err(f"prim.{key}", f"unknown key; allowed: {', '.join(PRIM_KEYS)}")
    obj = prim_raw.get("obj_function", "lenient1")
    if obj not in PRIM_OBJECTIVES:
        raise err("prim.obj_function", f"got {_show(obj)}; allowed: one of {', '.join(PRIM_OBJECTIVES)}")
    prim = PrimSettings(
        threshold=_float(prim_raw.get("threshold", 0.8), 0.0, 1.0, err("prim.threshold", "")),
        mass_min=_float(prim_raw.get("mass_min", 0.05), 0.0, 0.5, err("prim.mass_min", "")),
        peel_alpha=_float(prim_raw.get("peel_alpha", 0.05), 0.001, 0.5, err("prim.peel_alpha", "")),
        paste_alpha=_float(prim_raw.get("paste_alpha", 0.05), 0.001, 0.5, err("prim.paste_alpha", "")),
        obj_function=obj,
        resamples=_int(prim_raw.get("resamples", 50), 0, 10_000, err("prim.resamples", "")))
    return {"arms": resolved, "difference": difference, "resource_tolerance": tolerance, "prim": prim}


def _plateau(exp: Experiment, raw: dict, err) -> dict[str, Any]:
    if exp.method != "grid":
        raise err("kind", f"design method {exp.method!r}: a plateau map needs [design] method = \"grid\"")
    if "plateau_month" not in exp.output_types or "plateau_level" not in exp.output_types:
        raise err("kind", "a plateau map needs the outputs plateau_month and plateau_level in [outputs] summary")
    maps = raw.get("maps")
    if not isinstance(maps, list) or not maps:
        raise err("maps", "allowed: a list of [x, y] pairs of [vary] parameters, e.g. [[\"participatory_share\", "
                          "\"facilitation_fte\"]]")
    out = []
    for pair in maps:
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)) \
                or pair[0] == pair[1]:
            raise err("maps", f"got {_show(pair)}; allowed: a pair of two different [vary] parameter names")
        for p in pair:
            if p not in exp.names:
                raise err("maps", f"{p!r} is not in [vary]; allowed: {', '.join(exp.names)}")
        out.append((pair[0], pair[1]))
    if exp.replicates < 2:
        raise err("kind", f"replicates = {exp.replicates}: a probability over replicates needs at least 2")
    return {"maps": tuple(dict.fromkeys(out))}


def _int(value: Any, lo: int, hi: int, e: ParameterError) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ParameterError(e.field, f"got {_show(value)}; allowed: an integer in [{lo}, {hi}]", source=e.source,
                             line=e.line)
    return value


def _float(value: Any, lo: float, hi: float, e: ParameterError) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ParameterError(e.field, f"got {_show(value)}; allowed: a number in [{lo:g}, {hi:g}]", source=e.source,
                             line=e.line)
    return float(value)


# --------------------------------------------------------------------------------------------- the runs' identity
def runs_text(text: str) -> str:
    """The experiment text without its ``[analysis]`` tables: what determines the runs.  Falls back to the full
    text if the tables cannot be cut out cleanly (e.g. an inline ``analysis = {...}``)."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        m = re.match(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\"']+)\s*\]\]?", line)
        if m:
            skipping = m.group(1).split(".")[0].strip("\"'") == "analysis"
        if not skipping:
            kept.append(line)
    stripped = "".join(kept)
    try:
        full, cut = tomllib.loads(text), tomllib.loads(stripped)
    except tomllib.TOMLDecodeError:
        return text
    full.pop("analysis", None)
    return stripped if full == cut else text


def runs_experiment(exp: Experiment, label: str | None = None, *, overrides: dict[str, Any] | None = None,
                    factors=None) -> Experiment:
    """The experiment the sweep engine runs: the file without ``[analysis]`` (so re-analysing never re-runs),
    optionally one arm (``overrides`` on the base) or one map (a subset of the factors), labelled in its text so
    that each derived sweep has its own identity for resume checks."""
    text = runs_text(exp.text)
    changes: dict[str, Any] = {"analysis": {}}
    if label is not None:
        blob = {"label": label, "overrides": overrides or {}, "factors": [f.name for f in factors or exp.factors]}
        text += f"\n# derived by vti-sim sensitivity: {json.dumps(blob, sort_keys=True, default=str)}\n"
        changes["name"] = f"{exp.name}-{label}"
    if overrides:
        changes["base"] = registry.resolve({**exp.base, **overrides}, source=str(exp.path or exp.name))
    if factors is not None:
        changes["factors"] = tuple(factors)
    changes.update(text=text, sha256=hashlib.sha256(text.encode()).hexdigest())
    return dataclasses.replace(exp, **changes)
