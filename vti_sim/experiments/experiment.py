"""Experiment files: a sweep's base scenario, factors, design method, replicates and outputs, validated
against the parameter registry with one-line errors (``file:line: field: reason``)."""

from __future__ import annotations

import hashlib
import json
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import registry
from ..registry import Parameter, ParameterError, _show

METHODS = ("grid", "lhs", "sobol", "morris", "oat")
META_COLUMNS = ("run_id", "point", "replicate", "seed")
TOP_KEYS = ("name", "description", "scenario", "seed", "replicates", "chunk_size", "months", "design", "vary",
            "fixed", "outputs", "analysis")
DESIGN_KEYS = ("method", "samples", "second_order", "num_levels", "scramble")
OUTPUT_KEYS = ("summary", "monthly")
MONTHLY_KEYS = ("columns", "months")
DEFAULT_CHUNK_SIZE = 50
DEFAULT_MAX_RUNS = 10_000_000  # a design above this is refused before it is drawn (memory); raise with --max-runs
MAX_NESTING = "nesting too deep"


class SweepError(RuntimeError):
    """A sweep cannot start (e.g. the output directory belongs to another experiment)."""


class SweepStopped(SweepError):
    """A started sweep cannot go on (no live worker, scheduler lost); the chunks written so far are kept."""


# --------------------------------------------------------------------------------------------- experiment files
@dataclass(frozen=True)
class Factor:
    """One varied parameter: either a list of values or a [lo, hi] range (``levels`` points for a grid)."""

    param: Parameter
    values: tuple[Any, ...] | None = None
    lo: float | None = None
    hi: float | None = None
    levels: int | None = None

    @property
    def name(self) -> str:
        return self.param.name

    def sampler_bounds(self) -> tuple[float, float]:
        """Bounds in sampler units: a list is sampled as an index in [0, n); an integer range as
        [lo - 0.5, hi + 0.5] so that rounding gives every integer the same weight."""
        if self.values is not None:
            return (0.0, float(len(self.values)))
        if self.param.dtype == "int":
            return (float(self.lo) - 0.5, float(self.hi) + 0.5)
        return (float(self.lo), float(self.hi))

    def decode(self, x: float) -> Any:
        """A sampled number back to a valid value of the parameter (registry units)."""
        if self.values is not None:
            if self.values == self.param.choices:
                return self.param.decode(x)
            return self.values[min(max(int(math.floor(x)), 0), len(self.values) - 1)]
        return min(max(self.param.decode(x), self.lo), self.hi)

    def decode_many(self, x: np.ndarray) -> np.ndarray:
        """Vectorised ``decode`` (same values; fast for million-point designs)."""
        x = np.asarray(x, dtype=float)
        if self.values is not None:
            idx = np.clip(np.floor(x), 0, len(self.values) - 1).astype(np.int64)
            return self.array(self.values)[idx]
        v = np.clip(x, self.param.min, self.param.max)
        if self.param.dtype == "int":
            return np.clip(np.rint(v), self.lo, self.hi).astype(np.int64)
        return np.clip(v, self.lo, self.hi)

    def array(self, values) -> np.ndarray:
        """Decoded values as an array of this parameter's type (object for choices)."""
        dtype = {"float": np.float64, "int": np.int64}.get(self.param.dtype, object)
        return np.array(list(values), dtype=dtype)

    def grid(self) -> tuple[list[float], list[Any]]:
        """(raw, decoded) grid values: list entries (raw = index) or ``levels`` points across the range."""
        if self.values is not None:
            return [float(i) for i in range(len(self.values))], list(self.values)
        raw = [float(v) for v in np.linspace(self.lo, self.hi, self.levels)]
        decoded = [self.param.decode(v) for v in raw]
        if self.param.dtype == "int":  # rounding may merge levels
            keep = sorted(set(decoded))
            return [float(v) for v in keep], keep
        return raw, decoded

    def record(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "dtype": self.param.dtype, "unit": self.param.unit,
                               "sampler_bounds": list(self.sampler_bounds())}
        if self.values is not None:
            out["values"] = list(self.values)
        else:
            out.update(min=self.lo, max=self.hi)
            if self.levels is not None:
                out["levels"] = self.levels
        return out


@dataclass(frozen=True)
class Experiment:
    """A validated experiment file."""

    name: str
    path: Path | None
    text: str
    sha256: str
    seed: int
    base: dict[str, Any]  # resolved full parameter set shared by every run (scenario + fixed + months)
    factors: tuple[Factor, ...]
    method: str
    samples: int | None = None
    replicates: int = 1
    chunk_size: int = DEFAULT_CHUNK_SIZE
    description: str = ""
    scenario: str | None = None
    months: int | None = None
    fixed: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    summary_keys: tuple[str, ...] = ()
    monthly_columns: tuple[str, ...] = ()
    monthly_months: tuple[int, ...] = ()
    output_types: dict[str, str] = field(default_factory=dict)  # output column -> "float64" | "string"
    analysis: dict[str, Any] = field(default_factory=dict)  # raw [analysis] table, validated by vti_sim.analysis

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    def problem(self) -> dict[str, Any]:
        """The SALib problem over the varied parameters (sampler units; see ``Factor.sampler_bounds``)."""
        return {"num_vars": len(self.factors), "names": self.names,
                "bounds": [list(f.sampler_bounds()) for f in self.factors],
                "outputs": [c for c, t in self.output_types.items() if t == "float64"]}

    def spec_hash(self) -> str:
        """Hash of everything that determines the results: file text and resolved base parameters."""
        blob = json.dumps({"text": self.text, "base": self.base}, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def load_experiment(path: str | Path, *, max_runs: int = DEFAULT_MAX_RUNS) -> Experiment:
    """Read and validate an experiment TOML file; raise ParameterError(field, reason, source=path, line=).

    ``max_runs`` caps the design size (points x replicates), checked before the design is drawn."""
    path = Path(path)
    src = str(path)
    if path.is_dir():
        raise ParameterError("experiment", "is a directory; allowed: an experiment .toml file", source=src)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ParameterError("experiment", f"cannot read file ({e.strerror or e})", source=src) from None
    except UnicodeDecodeError as e:
        raise ParameterError("experiment", f"cannot read file: not UTF-8 text (byte {e.object[e.start]:#04x} at "
                                           f"offset {e.start}); save it as UTF-8", source=src) from None
    return parse_experiment(text, source=src, path=path, max_runs=max_runs)


def parse_experiment(text: str, *, source: str = "experiment", path: Path | None = None,
                     max_runs: int = DEFAULT_MAX_RUNS) -> Experiment:
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ParameterError("toml", f"syntax error: arrays or tables {MAX_NESTING}", source=source) from None
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line = int(m.group(1)) if m else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e)) or "invalid TOML"
        raise ParameterError("toml", f"syntax error: {reason}", source=source, line=line) from None
    lines = _key_lines(text)

    def err(key: str, reason: str) -> ParameterError:
        return ParameterError(key, reason, source=source, line=lines.get(key))

    for key in data:
        if key not in TOP_KEYS:
            raise err(key, f"unknown key; allowed: {', '.join(TOP_KEYS)}")
    for section in ("design", "vary", "fixed", "outputs", "analysis"):
        if section in data and not isinstance(data[section], dict):
            raise err(section, "must be a table ([" + section + "])")

    name = data.get("name", path.stem if path else "experiment")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise err("name", f"got {_show(name)}; allowed: a name of letters, digits, '_', '-', '.'")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise err("description", "allowed: a string")
    if "seed" not in data:
        raise err("seed", "missing; allowed: a non-negative integer (the experiment seed)")
    seed = _int(data["seed"], 0, 2**63 - 1, err("seed", ""), "seed")
    replicates = _int(data.get("replicates", 1), 1, 10**6, err("replicates", ""), "replicates")
    chunk_size = _int(data.get("chunk_size", DEFAULT_CHUNK_SIZE), 1, 10**6, err("chunk_size", ""), "chunk_size")

    # base scenario + fixed + months
    scenario = data.get("scenario")
    base_params: dict[str, Any] = {}
    if scenario is not None:
        if not isinstance(scenario, str) or not scenario:
            raise err("scenario", f"got {_show(scenario)}; allowed: a scenario name or a path to a scenario TOML file")
        base_params = _scenario_params(scenario, path, err("scenario", ""))
    fixed_raw = data.get("fixed", {})
    for k, v in fixed_raw.items():
        if k in registry.REGISTRY:
            _not_quoted(registry.REGISTRY[k], v, lines.get(f"fixed.{k}", lines.get("fixed")), source)
    fixed_lines = {k: lines.get(f"fixed.{k}", lines.get("fixed")) for k in fixed_raw}
    fixed = registry.validate(fixed_raw, source=source, lines=fixed_lines) if fixed_raw else {}
    months = None
    if "months" in data:
        _not_quoted(registry.get("months"), data["months"], lines.get("months"), source)
        months = registry.get("months").coerce(data["months"], source=source, line=lines.get("months"))
    base = {**base_params, **fixed}
    if months is not None:
        base["months"] = months
    base = registry.resolve(base, source=source)

    # design
    design = data.get("design", {})
    for key in design:
        if key not in DESIGN_KEYS:
            raise err(f"design.{key}", f"unknown key; allowed: {', '.join(DESIGN_KEYS)}")
    method = design.get("method", "grid")
    if method not in METHODS:
        raise err("design.method", f"got {_show(method)}; allowed: one of {', '.join(METHODS)}")
    samples = None
    if method not in ("grid", "oat"):
        if "samples" not in design:
            raise err("design.samples", f"missing; allowed: a positive integer (N for {method})")
        samples = _int(design["samples"], 1, 10**9, err("design.samples", ""), "design.samples")
        if method == "sobol" and samples & (samples - 1):
            raise err("design.samples", f"got {samples}; allowed: a power of 2 for sobol (Saltelli N)")
        if method == "morris" and samples < 2:
            raise err("design.samples", f"got {samples}; allowed: at least 2 trajectories for morris")
    options: dict[str, Any] = {}
    if method == "sobol":
        options["second_order"] = _bool(design.get("second_order", True), err("design.second_order", ""))
        options["scramble"] = _bool(design.get("scramble", True), err("design.scramble", ""))
    elif method == "morris":
        options["num_levels"] = _int(design.get("num_levels", 4), 2, 1000, err("design.num_levels", ""),
                                     "design.num_levels")
    for key in ("second_order", "scramble", "num_levels"):
        if key in design and key not in options:
            raise err(f"design.{key}", f"not used by method {method!r}")

    # vary
    vary = data.get("vary", {})
    if not vary:
        raise err("vary", "missing or empty; allowed: a [vary] table of parameters with a list of values or "
                          "{ min = ..., max = ... }")
    factors = []
    for pname, spec in vary.items():
        key = f"vary.{pname}"
        if pname not in registry.REGISTRY:
            raise err(key, "unknown parameter; see `vti-sim params` for the allowed names")
        if pname in fixed_raw:
            raise err(key, "is also in [fixed]; a parameter is either varied or fixed")
        if pname == "months" and months is not None:
            raise err(key, "is also set by the top-level 'months'; remove one")
        factors.append(_factor(registry.get(pname), spec, method, lambda reason, k=key: err(k, reason)))

    runs = expected_runs(method, samples, options, factors, replicates)
    if runs > max_runs:
        where = "design.samples" if method != "grid" else "vary"
        raise err(where, f"the design has {runs:,} runs ({method}, {replicates} replicate(s)); allowed: at most "
                         f"{max_runs:,} (raise the cap with `vti-sim sweep --max-runs N` or sweep(..., max_runs=N))")

    # outputs
    outputs = data.get("outputs", {})
    for key in outputs:
        if key not in OUTPUT_KEYS:
            raise err(f"outputs.{key}", f"unknown key; allowed: {', '.join(OUTPUT_KEYS)}")
    probe = _probe(base)
    leaves = _summary_leaves(probe.summary)
    if "summary" in outputs:
        keys = outputs["summary"]
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise err("outputs.summary", "allowed: a list of summary keys, e.g. [\"pv_net_total\", "
                                         "\"months_to_phase.implementation\"]")
        for k in keys:
            if k not in leaves:
                raise err("outputs.summary", f"unknown or non-scalar summary key {k!r}; allowed: "
                                             f"{', '.join(leaves)}")
        summary_keys = tuple(dict.fromkeys(keys))
        if not summary_keys and "monthly" not in outputs:
            raise err("outputs.summary", "empty list and no outputs.monthly, so the sweep would keep no output; "
                                         "allowed: at least one summary key (omit outputs.summary to keep all)")
    else:
        summary_keys = tuple(leaves)
    monthly_columns: tuple[str, ...] = ()
    monthly_months: tuple[int, ...] = ()
    output_types: dict[str, str] = {}
    taken = set(META_COLUMNS) | {f.name for f in factors}
    for k in summary_keys:
        output_types[_unique(_column(k), taken)] = "float64"
    if "monthly" in outputs:
        monthly = outputs["monthly"]
        if not isinstance(monthly, dict):
            raise err("outputs.monthly", "allowed: a table { columns = [...], months = [...] }")
        for key in monthly:
            if key not in MONTHLY_KEYS:
                raise err("outputs.monthly", f"unknown key {key!r}; allowed: {', '.join(MONTHLY_KEYS)}")
        cols, ms = monthly.get("columns"), monthly.get("months")
        ts = probe.timeseries
        if not isinstance(cols, list) or not cols or not all(isinstance(c, str) for c in cols):
            raise err("outputs.monthly", "columns: allowed: a non-empty list of timeseries column names")
        for c in cols:
            if c not in ts.columns:
                raise err("outputs.monthly", f"unknown timeseries column {c!r}; allowed: {', '.join(ts.columns)}")
        if not isinstance(ms, list) or not ms or not all(isinstance(m, int) and not isinstance(m, bool) and m >= 1
                                                        for m in ms):
            raise err("outputs.monthly", "months: allowed: a non-empty list of month counts >= 1 "
                                         "(12 = the state after 12 months)")
        horizon = base["months"]
        for f in factors:
            if f.name == "months":
                horizon = max(f.values) if f.values is not None else f.hi
        if max(ms) > horizon:
            raise err("outputs.monthly", f"months: got {max(ms)}; allowed: at most the horizon ({horizon} months)")
        monthly_columns, monthly_months = tuple(dict.fromkeys(cols)), tuple(dict.fromkeys(ms))
        for c in monthly_columns:
            numeric = ts[c].dtype.kind in "biuf"
            for m in monthly_months:
                output_types[_unique(f"{c}__m{m}", taken)] = "float64" if numeric else "string"

    text_hash = hashlib.sha256(text.encode()).hexdigest()
    return Experiment(name=name, path=path, text=text, sha256=text_hash, seed=seed, base=base,
                      factors=tuple(factors), method=method, samples=samples, replicates=replicates,
                      chunk_size=chunk_size, description=description, scenario=scenario, months=months,
                      fixed=fixed, options=options, summary_keys=summary_keys, monthly_columns=monthly_columns,
                      monthly_months=monthly_months, output_types=output_types,
                      analysis=dict(data.get("analysis", {})))


def _factor(p: Parameter, spec: Any, method: str, err) -> Factor:
    if isinstance(spec, list):
        if not spec:
            raise err("empty list; allowed: a non-empty list of values or { min = ..., max = ... }")
        values = []
        for v in spec:
            if p.dtype != "choice" and isinstance(v, str):
                raise err(f"got string {_show(v)}; allowed: {p.allowed()} (write numbers without quotes)")
            try:
                values.append(p.coerce(v))
            except ParameterError as e:
                raise err(e.reason) from None
        if len(set(values)) != len(values):
            raise err(f"duplicate values in {spec!r}")
        return Factor(p, values=tuple(values))
    if isinstance(spec, dict):
        if p.dtype == "choice":
            raise err(f"a choice parameter takes a list of values; allowed: a list drawn from {', '.join(p.choices)}")
        allowed = ("min", "max", "levels")
        for k in spec:
            if k not in allowed:
                raise err(f"unknown key {k!r} in range; allowed: {', '.join(allowed)}")
        if "min" not in spec or "max" not in spec:
            raise err("a range needs both min and max")
        bounds = []
        for k in ("min", "max"):
            if isinstance(spec[k], str):
                raise err(f"{k}: got string {spec[k]!r}; allowed: {p.allowed()} (write numbers without quotes)")
            try:
                bounds.append(p.coerce(spec[k]))
            except ParameterError as e:
                raise err(f"{k}: {e.reason}") from None
        lo, hi = bounds
        if not lo < hi:
            raise err(f"min ({lo!r}) must be below max ({hi!r})")
        levels = None
        if method == "grid":
            if "levels" not in spec:
                raise err("a grid needs a list of values or { min, max, levels }")
            levels = _int(spec["levels"], 2, 10**6, err(""), "levels")
        elif "levels" in spec:
            raise err(f"'levels' is only used by the grid method, not {method!r}")
        return Factor(p, lo=lo, hi=hi, levels=levels)
    raise err(f"got {_show(spec)}; allowed: a list of values or {{ min = ..., max = ... }} within {p.allowed()}")


def expected_runs(method: str, samples: int | None, options: Mapping[str, Any], factors, replicates: int) -> int:
    """Points x replicates of a design, computed without drawing it (SALib's sizes; grid: merged int levels)."""
    d = len(factors)
    if method == "grid":
        points = 1
        for f in factors:
            if f.values is not None:
                points *= len(f.values)
            elif f.param.dtype == "int":
                points *= min(f.levels, int(f.hi) - int(f.lo) + 1)
            else:
                points *= f.levels
    elif method == "sobol":
        points = samples * (2 * d + 2 if options.get("second_order", True) else d + 2)
    elif method == "morris":
        points = samples * (d + 1)
    elif method == "oat":
        points = sum(len(f.values) if f.values is not None else 2 for f in factors)
    else:
        points = samples
    return points * replicates


def _not_quoted(p: Parameter, value: Any, line: int | None, source: str) -> None:
    """TOML is typed: a quoted number is a string, refused as in scenario files."""
    if p.dtype != "choice" and isinstance(value, str):
        raise ParameterError(p.name, f"got string {_show(value)}; allowed: {p.allowed()} "
                             "(write numbers without quotes)", source=source, line=line)


def _int(value: Any, lo: int, hi: int, err: ParameterError, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ParameterError(key, f"got {_show(value)}; allowed: an integer in [{lo}, {hi}]", source=err.source,
                             line=err.line)
    return value


def _bool(value: Any, err: ParameterError) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(err.field, f"got {_show(value)}; allowed: true or false", source=err.source, line=err.line)
    return value


def _scenario_params(scenario: str, path: Path | None, err: ParameterError) -> dict[str, Any]:
    try:
        from ..scenarios import load_scenario
    except ImportError:
        raise ParameterError("scenario", "scenarios are not available in this version (vti_sim.scenarios)",
                             source=err.source, line=err.line) from None
    ref: str | Path = scenario
    if path is not None and (scenario.endswith(".toml") or "/" in scenario) and not Path(scenario).is_absolute():
        candidate = path.parent / scenario
        if candidate.exists():
            ref = candidate
    try:
        return dict(load_scenario(ref).params)
    except (ParameterError, OSError, ValueError) as e:
        raise ParameterError("scenario", str(e), source=err.source, line=err.line) from None


def _key_lines(text: str) -> dict[str, int]:
    """Line number (1-based) of each ``key`` / ``section.key`` / ``section`` in a TOML text (best effort)."""
    out: dict[str, int] = {}
    section = ""
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        m = re.match(r"^\[\s*([A-Za-z0-9_.\-]+)\s*\]", line)
        if m:
            section = m.group(1)
            out.setdefault(section, i)
            continue
        m = re.match(r"^[\"']?([A-Za-z0-9_.\-]+)[\"']?\s*=", line)
        if m:
            key = f"{section}.{m.group(1)}" if section else m.group(1)
            out.setdefault(key, i)
            rest = line[m.end():].lstrip()
            if rest.startswith("{"):  # an inline table: its keys are on this line
                for k in re.findall(r"[{,]\s*[\"']?([A-Za-z0-9_\-]+)[\"']?\s*=", rest):
                    out.setdefault(f"{key}.{k}", i)
    return out


def _probe(base: Mapping[str, Any]):
    """A one-month run: the summary and timeseries layout, to validate the requested outputs."""
    from ..outputs.result import run

    return run(dict(base), seed=0, months=1)


def _summary_leaves(summary: Mapping[str, Any]) -> list[str]:
    """Dotted keys of every scalar in the summary (nested dicts flattened one level; lists left out)."""
    out = []
    for k, v in summary.items():
        if isinstance(v, Mapping):
            out.extend(f"{k}.{s}" for s, x in v.items() if _is_scalar(x))
        elif _is_scalar(v):
            out.append(k)
    return out


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, bool | int | float | np.integer | np.floating)


def _column(key: str) -> str:
    return key.replace(".", "__")


def _unique(name: str, taken: set[str]) -> str:
    """An output column name that does not clash with a parameter or metadata column."""
    out = name if name not in taken else f"out__{name}"
    taken.add(out)
    return out
