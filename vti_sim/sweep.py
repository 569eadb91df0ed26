"""Parameter sweeps on Dask: experiment files, deterministic designs, chunked runs, resumable Parquet output.

An experiment file (``experiments/*.toml``) names a base scenario, the parameters to
vary and how to sample them (grid, Latin hypercube, Sobol/Saltelli, Morris), the
replicates and the outputs to keep.  :func:`load_experiment` validates it against
the parameter registry with one-line errors (``file:line: field: reason``);
:func:`build_design` draws the design matrix with SALib's samplers, seeded from the
experiment seed; :func:`sweep` runs every (point, replicate) on a
``dask.distributed`` cluster in chunks and writes::

    OUT/manifest.json            provenance, experiment text + hash, SALib problem, schema
    OUT/design.parquet           one row per design point: decoded values + raw sampler values (x__<name>)
    OUT/runs/chunk-000000.parquet one row per run: run_id, point, replicate, seed, parameters, outputs

Run ``r`` of point ``p`` (``run_id = p * replicates + r``) uses the seed
``numpy.random.SeedSequence(entropy=experiment_seed, spawn_key=(p, r)).generate_state(1)[0]``,
so results are identical bit for bit whatever the number of workers, the order or the
chunking.  Rerunning the same sweep skips the chunks already on disk.

Dask is imported lazily: ``import vti_sim.sweep`` stays cheap.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
import sys
import tempfile
import time
import tomllib
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from . import registry
from .registry import Parameter, ParameterError

METHODS = ("grid", "lhs", "sobol", "morris")
FORMAT = "vti-sim-sweep/1"
SEEDING = "numpy.random.SeedSequence(entropy=experiment_seed, spawn_key=(point, replicate)).generate_state(1)[0]"
META_COLUMNS = ("run_id", "point", "replicate", "seed")
TOP_KEYS = ("name", "description", "scenario", "seed", "replicates", "chunk_size", "months", "design", "vary",
            "fixed", "outputs")
DESIGN_KEYS = ("method", "samples", "second_order", "num_levels", "scramble")
OUTPUT_KEYS = ("summary", "monthly")
MONTHLY_KEYS = ("columns", "months")
DEFAULT_CHUNK_SIZE = 50
COMPUTE_KEY = "__compute_s__"


class SweepError(RuntimeError):
    """A sweep cannot start (e.g. the output directory belongs to another experiment)."""


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


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment TOML file; raise ParameterError(field, reason, source=path, line=)."""
    path = Path(path)
    src = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ParameterError("experiment", f"cannot read file ({e.strerror or e})", source=src) from None
    return parse_experiment(text, source=src, path=path)


def parse_experiment(text: str, *, source: str = "experiment", path: Path | None = None) -> Experiment:
    try:
        data = tomllib.loads(text)
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
    for section in ("design", "vary", "fixed", "outputs"):
        if section in data and not isinstance(data[section], dict):
            raise err(section, "must be a table ([" + section + "])")

    name = data.get("name", path.stem if path else "experiment")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise err("name", f"got {name!r}; allowed: a name of letters, digits, '_', '-', '.'")
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
            raise err("scenario", f"got {scenario!r}; allowed: a scenario name or a path to a scenario TOML file")
        base_params = _scenario_params(scenario, path, err("scenario", ""))
    fixed_raw = data.get("fixed", {})
    fixed = registry.validate(fixed_raw, source=source, lines={k: lines.get(f"fixed.{k}") for k in fixed_raw}) \
        if fixed_raw else {}
    months = None
    if "months" in data:
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
        raise err("design.method", f"got {method!r}; allowed: one of {', '.join(METHODS)}")
    samples = None
    if method != "grid":
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
                      monthly_months=monthly_months, output_types=output_types)


def _factor(p: Parameter, spec: Any, method: str, err) -> Factor:
    if isinstance(spec, list):
        if not spec:
            raise err("empty list; allowed: a non-empty list of values or { min = ..., max = ... }")
        values = []
        for v in spec:
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
    raise err(f"got {spec!r}; allowed: a list of values or {{ min = ..., max = ... }} within {p.allowed()}")


def _int(value: Any, lo: int, hi: int, err: ParameterError, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ParameterError(key, f"got {value!r}; allowed: an integer in [{lo}, {hi}]", source=err.source,
                             line=err.line)
    return value


def _bool(value: Any, err: ParameterError) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(err.field, f"got {value!r}; allowed: true or false", source=err.source, line=err.line)
    return value


def _scenario_params(scenario: str, path: Path | None, err: ParameterError) -> dict[str, Any]:
    try:
        from .scenarios import load_scenario
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
            out.setdefault(f"{section}.{m.group(1)}" if section else m.group(1), i)
    return out


def _probe(base: Mapping[str, Any]):
    """A one-month run: the summary and timeseries layout, to validate the requested outputs."""
    from .api import run

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


# --------------------------------------------------------------------------------------------- designs
@dataclass(frozen=True)
class Design:
    """The sample matrix: ``x`` in sampler units (what SALib analyses), ``points`` decoded (registry units)."""

    x: np.ndarray  # (n_points, n_factors)
    points: dict[str, np.ndarray]  # parameter -> one decoded value per point (object arrays for choices)

    @property
    def n_points(self) -> int:
        return int(self.x.shape[0])

    def frame(self):
        import pandas as pd

        df = pd.DataFrame({"point": np.arange(self.n_points, dtype=np.int64)})
        for name, values in self.points.items():
            df[name] = values
        for j, name in enumerate(self.points):
            df[f"x__{name}"] = self.x[:, j]
        return df


def sampler_seed(seed: int) -> int:
    """The 32-bit seed handed to SALib's sampler, derived from the experiment seed (spawn key 'design')."""
    return int(np.random.SeedSequence(entropy=seed, spawn_key=(0x64657369,)).generate_state(1)[0])


def run_seed(seed: int, point: int, replicate: int) -> int:
    """The model seed of one run (see module docstring)."""
    return int(np.random.SeedSequence(entropy=seed, spawn_key=(point, replicate)).generate_state(1)[0])


def build_design(exp: Experiment) -> Design:
    """Draw the design with SALib (lhs: latin, sobol: Saltelli/Sobol', morris: trajectories) or a full grid."""
    problem = {k: v for k, v in exp.problem().items() if k != "outputs"}
    s = sampler_seed(exp.seed)
    if exp.method == "grid":
        grids = [f.grid() for f in exp.factors]
        x = np.array(list(itertools.product(*[g[0] for g in grids])), dtype=float).reshape(-1, len(grids))
        decoded = list(itertools.product(*[g[1] for g in grids]))
        points = {f.name: f.array(row[j] for row in decoded) for j, f in enumerate(exp.factors)}
        return Design(x, points)
    if exp.method == "lhs":
        from SALib.sample import latin

        x = latin.sample(problem, exp.samples, seed=s)
    elif exp.method == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, exp.samples, calc_second_order=exp.options["second_order"],
                         scramble=exp.options["scramble"], seed=s)
    else:
        from SALib.sample import morris

        x = morris.sample(problem, exp.samples, num_levels=exp.options["num_levels"], seed=s)
    x = np.asarray(x, dtype=float)
    points = {f.name: f.decode_many(x[:, j]) for j, f in enumerate(exp.factors)}
    return Design(x, points)


# --------------------------------------------------------------------------------------------- schema and chunks
def schema(exp: Experiment):
    """The Arrow schema of every chunk file (identical across chunks, so the directory reads as one dataset)."""
    import pyarrow as pa

    kinds = {"float": pa.float64(), "int": pa.int64(), "choice": pa.string()}
    fields = [pa.field(c, pa.int64()) for c in META_COLUMNS]
    fields += [pa.field(f.name, kinds[f.param.dtype]) for f in exp.factors]
    fields += [pa.field(c, pa.float64() if t == "float64" else pa.string()) for c, t in exp.output_types.items()]
    return pa.schema(fields)


def n_chunks(total_runs: int, chunk_size: int) -> int:
    return -(-total_runs // chunk_size)


def chunk_task(exp: Experiment, design: Design, chunk: int) -> dict[str, Any]:
    """The small, picklable description of one chunk: its run ids and the design rows they need."""
    total = design.n_points * exp.replicates
    start, stop = chunk * exp.chunk_size, min((chunk + 1) * exp.chunk_size, total)
    p0, p1 = start // exp.replicates, (stop - 1) // exp.replicates + 1
    return {"chunk": chunk, "start": start, "stop": stop, "replicates": exp.replicates, "seed": exp.seed,
            "base": exp.base, "p0": p0, "values": {n: v[p0:p1].tolist() for n, v in design.points.items()},
            "summary_keys": exp.summary_keys, "monthly_columns": exp.monthly_columns,
            "monthly_months": exp.monthly_months, "output_names": list(exp.output_types)}


def run_chunk(task: Mapping[str, Any]) -> dict[str, list]:
    """Run one chunk's runs sequentially (in a worker) and return its columns (one entry per run).

    The extra key ``COMPUTE_KEY`` holds the chunk's compute seconds (for timing.json, never written to Parquet).
    Runs build only the summary (and the ledger frame when monthly outputs are asked for), not the tables."""
    from .api import release, simulate, summarise

    t0 = time.perf_counter()
    names = list(task["values"])
    cols: dict[str, list] = {c: [] for c in (*META_COLUMNS, *names, *task["output_names"])}
    outs = task["output_names"]
    for run_id in range(task["start"], task["stop"]):
        point, rep = divmod(run_id, task["replicates"])
        seed = run_seed(task["seed"], point, rep)
        overrides = {n: task["values"][n][point - task["p0"]] for n in names}
        model = simulate(registry.resolve({**task["base"], **overrides}, source="sweep"), seed)
        summary = summarise(model)
        for c, v in zip(META_COLUMNS, (run_id, point, rep, seed), strict=True):
            cols[c].append(v)
        for n in names:
            cols[n].append(overrides[n])
        values = [_float(_lookup(summary, k)) for k in task["summary_keys"]]
        if task["monthly_columns"]:
            ts = model.ledger.frame()
            for c in task["monthly_columns"]:
                series = ts[c]
                for m in task["monthly_months"]:
                    v = series.iloc[m - 1] if m <= len(ts) else None
                    values.append(_float(v) if series.dtype.kind in "biuf" else (None if v is None else str(v)))
        for c, v in zip(outs, values, strict=True):
            cols[c].append(v)
        release(model)
    cols[COMPUTE_KEY] = [time.perf_counter() - t0]
    return cols


def _lookup(summary: Mapping[str, Any], key: str) -> Any:
    head, _, tail = key.partition(".")
    value = summary.get(head)
    if tail:
        value = value.get(tail) if isinstance(value, Mapping) else None
    return value


def _float(v: Any) -> float | None:
    if v is None:
        return None
    return float(v)


def _table(cols: Mapping[str, list], sch):
    import pyarrow as pa

    return pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in sch}, schema=sch)


def _atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same directory, then ``os.replace``: never a partial file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_table(table, path: Path) -> None:
    import pyarrow.parquet as pq

    _atomic_write(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def _write_json(obj: Any, path: Path) -> None:
    from .api import to_json

    def write(tmp):
        Path(tmp).write_text(to_json(obj) + "\n", encoding="utf-8")

    _atomic_write(path, write)


def chunk_path(out: Path, chunk: int) -> Path:
    return out / "runs" / f"chunk-{chunk:06d}.parquet"


# --------------------------------------------------------------------------------------------- manifest
def _versions() -> dict[str, Any]:
    import dask
    import distributed
    import mesa
    import pandas as pd
    import pyarrow
    import scipy

    from . import __version__
    from .api import _git_commit

    try:
        from importlib.metadata import version

        salib = version("SALib")
    except Exception:  # noqa: BLE001 - metadata may be missing in odd installs
        salib = None
    return {"vti_sim_version": __version__, "git_commit": _git_commit(), "python": sys.version.split()[0],
            "mesa": mesa.__version__, "dask": dask.__version__, "distributed": distributed.__version__,
            "numpy": np.__version__, "pandas": pd.__version__, "pyarrow": pyarrow.__version__,
            "scipy": scipy.__version__, "SALib": salib}


def manifest(exp: Experiment, design: Design) -> dict[str, Any]:
    total = design.n_points * exp.replicates
    return {
        "format": FORMAT,
        "experiment": {"name": exp.name, "description": exp.description,
                       "path": str(exp.path) if exp.path else None, "sha256": exp.sha256, "text": exp.text},
        "spec_sha256": exp.spec_hash(),
        "scenario": exp.scenario,
        "base_params": exp.base,
        "fixed": exp.fixed,
        "design": {"method": exp.method, "samples": exp.samples, "options": exp.options,
                   "n_points": design.n_points, "sampler_seed": sampler_seed(exp.seed),
                   "factors": [f.record() for f in exp.factors],
                   "salib_problem": exp.problem(),
                   "note": "design.parquet holds the decoded values (registry units) and x__<name> in sampler units; "
                           "choices/lists are sampled as an index in [0, n), integer ranges on [lo-0.5, hi+0.5]."},
        "seed": exp.seed,
        "seeding": SEEDING,
        "run_id": "point * replicates + replicate",
        "replicates": exp.replicates,
        "chunk_size": exp.chunk_size,
        "n_chunks": n_chunks(total, exp.chunk_size),
        "total_runs": total,
        "outputs": {"summary": list(exp.summary_keys), "monthly": {"columns": list(exp.monthly_columns),
                                                                     "months": list(exp.monthly_months)},
                    "columns": exp.output_types},
        "schema": [[f.name, str(f.type)] for f in schema(exp)],
        "provenance": _versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _check_out_dir(out: Path, exp: Experiment) -> bool:
    """True to resume an existing sweep of the same experiment; SweepError if ``out`` holds something else."""
    mpath = out / "manifest.json"
    if mpath.exists():
        try:
            old = json.loads(mpath.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise SweepError(f"{mpath}: unreadable manifest ({e}); remove the directory or choose another --out") \
                from None
        if old.get("experiment", {}).get("sha256") != exp.sha256 or old.get("spec_sha256") != exp.spec_hash():
            raise SweepError(f"{out}: this output directory belongs to a different experiment "
                             f"({old.get('experiment', {}).get('name')!r}, hash "
                             f"{str(old.get('experiment', {}).get('sha256'))[:12]}… ≠ {exp.sha256[:12]}…); "
                             "choose another --out or remove it")
        return True
    if out.exists() and (not out.is_dir() or not _fresh(out)):
        raise SweepError(f"{out}: exists and is not a sweep output directory (no manifest.json); "
                         "choose another --out or remove it")
    return False


def _fresh(out: Path) -> bool:
    """True if ``out`` holds nothing but what a sweep killed before its manifest was written can leave."""
    for p in out.iterdir():
        if p.name == "runs" and p.is_dir():
            if any(not q.name.endswith(".tmp") for q in p.iterdir()):
                return False
        elif p.name != "design.parquet" and not p.name.endswith(".tmp"):
            return False
    return True


# --------------------------------------------------------------------------------------------- the sweep
def sweep(experiment: str | Path | Experiment, *, workers: int | None = None, scheduler: str | None = None,
          out: str | Path | None = None, progress: bool = True, retries: int = 3) -> Path:
    """Run an experiment on Dask and return its output directory (resumes if the directory holds a partial run).

    ``workers``: size of the LocalCluster (one thread per worker process; default: CPU count).
    ``scheduler``: address of an existing Dask scheduler (``tcp://host:port``) used instead.
    """
    if workers is not None and scheduler is not None:
        raise ValueError("give either workers or scheduler, not both")
    if workers is not None and workers < 1:
        raise ValueError(f"workers: got {workers}; allowed: an integer >= 1")
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment)
    design = build_design(exp)
    out = Path(out) if out is not None else Path("results") / f"sweep-{exp.name}"
    resume = _check_out_dir(out, exp)
    total = design.n_points * exp.replicates
    nch = n_chunks(total, exp.chunk_size)
    if resume:
        _clean_temp(out)
        old = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("provenance", {})
        if old.get("git_commit") != _versions()["git_commit"]:
            print(f"vti-sim: warning: resuming {out}, started at commit {old.get('git_commit')}; the code is now at "
                  f"{_versions()['git_commit']}", file=sys.stderr)
    todo = [c for c in range(nch) if not chunk_path(out, c).exists()] if resume else list(range(nch))
    if not todo:
        _log(progress, f"{out}: all {total} runs already done")
        return out

    client, cluster = _connect(workers, scheduler)
    try:
        (out / "runs").mkdir(parents=True, exist_ok=True)
        if not resume or not (out / "design.parquet").exists():
            _write_table(_design_table(design), out / "design.parquet")
        if not resume:  # the manifest last: its presence marks a sweep directory
            _write_json(manifest(exp, design), out / "manifest.json")
        _compute(client, exp, design, out, todo, total, progress, retries)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return out


def _design_table(design: Design):
    import pyarrow as pa

    return pa.Table.from_pandas(design.frame(), preserve_index=False)


def _clean_temp(out: Path) -> None:
    for d in (out, out / "runs"):
        if d.is_dir():
            for p in d.glob(".*.tmp"):
                p.unlink(missing_ok=True)


def _log(enabled: bool, message: str) -> None:
    if enabled:
        print(message, file=sys.stderr)


def _connect(workers: int | None, scheduler: str | None):
    import logging

    from distributed import Client, LocalCluster

    if scheduler is not None:
        _reachable(scheduler)
        client = Client(scheduler, timeout="20s")
        client.wait_for_workers(1, timeout=60)
        client.register_plugin(_warm_up_plugin())
        return client, None
    n = workers or os.cpu_count() or 1
    # no dashboard; the scheduler's small HTTP server (health checks) binds a free local port, not 8787
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, silence_logs=logging.ERROR,
                           scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
    client = Client(cluster)
    client.register_plugin(_warm_up_plugin())
    return client, cluster


def _warm_up() -> None:
    """Import the model and run a small one into implementation with openness on, so that a worker loads
    vti-sim and all its compiled passes (numba's cache) before its first chunk, not inside it."""
    from .api import release, simulate

    model = simulate(registry.resolve({"months": 24, "population": 20_000, "openness_start": "launch"},
                                      source="warm-up"), 0)
    model.residents.use_services(1.0, 0.5, 1.0)  # proximity services are not delivered this early
    release(model)


def _warm_up_plugin():
    """A Dask worker plugin that warms each worker up when it joins (existing and later workers alike); the
    class is built here so that importing vti_sim does not import distributed."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class _WarmUp(WorkerPlugin):
        name = "vti-sim-warm-up"

        def setup(self, worker) -> None:
            _warm_up()

    return _WarmUp()


def _reachable(address: str) -> None:
    """Fail fast (OSError) when nothing listens at a tcp:// scheduler address, instead of Dask's long retry."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp":
        return  # other protocols (tls://, inproc://, ucx://): let Dask handle them
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or not port:
        raise SweepError(f"--scheduler: got {address!r}; allowed: tcp://HOST:PORT")
    with socket.create_connection((parts.hostname, port), timeout=10):
        pass


def _compute(client, exp: Experiment, design: Design, out: Path, todo: list[int], total: int, progress: bool,
             retries: int) -> None:
    from distributed import as_completed
    from tqdm import tqdm

    sch = schema(exp)
    window = _window(client)
    checked = time.monotonic()
    pending: Iterator[int] = iter(todo)
    tag = f"{exp.spec_hash()[:10]}-{uuid.uuid4().hex[:8]}"  # unique per sweep: no key clash on a shared scheduler
    done_runs = total - sum(_chunk_len(exp, design, c) for c in todo)

    def submit(chunk: int):
        return client.submit(run_chunk, chunk_task(exp, design, chunk), key=f"vti-chunk-{tag}-{chunk}",
                             pure=False, retries=retries)

    compute_s, runs_done, started = 0.0, 0, time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    first = [submit(c) for c in itertools.islice(pending, window)]
    ac = as_completed(first)
    bar = tqdm(total=total, initial=done_runs, unit="run", file=sys.stderr, disable=not progress,
               desc=exp.name, smoothing=0.05, dynamic_ncols=True)
    futures_chunk = {f.key: int(f.key.rsplit("-", 1)[1]) for f in first}
    try:
        for fut in ac:
            chunk = futures_chunk.pop(fut.key)
            try:
                cols = fut.result()
            except Exception as e:
                raise RuntimeError(f"chunk {chunk} (runs {chunk * exp.chunk_size}…) failed: {e!r}") from e
            compute_s += cols.pop(COMPUTE_KEY, [0.0])[0]
            _write_table(_table(cols, sch), chunk_path(out, chunk))
            bar.update(len(cols["run_id"]))
            runs_done += len(cols["run_id"])
            fut.release()
            if time.monotonic() - checked > 5.0:  # workers may join or leave a shared cluster
                window, checked = _window(client), time.monotonic()
            while len(futures_chunk) < window and (nxt := next(pending, None)) is not None:
                f = submit(nxt)
                futures_chunk[f.key] = nxt
                ac.add(f)
    except BaseException:
        ac.clear()
        raise
    finally:
        bar.close()
        try:
            threads = sum(client.nthreads().values()) if client.status == "running" else None
            _record_timing(out, {"started": started_at, "runs": runs_done, "wall_s": time.perf_counter() - started,
                                 "compute_s": compute_s, "worker_threads": threads})
        except Exception:  # noqa: BLE001 - timing is informative; never mask the sweep's own outcome
            pass


def _record_timing(out: Path, session: dict[str, Any]) -> None:
    """Append this session's timing to OUT/timing.json (wall vs summed compute time: parallel efficiency)."""
    path = out / "timing.json"
    try:
        sessions = json.loads(path.read_text(encoding="utf-8"))["sessions"] if path.exists() else []
    except (OSError, ValueError, KeyError):
        sessions = []
    w = session["worker_threads"]
    session["efficiency"] = session["compute_s"] / (w * session["wall_s"]) if w and session["wall_s"] > 0 else None
    _write_json({"sessions": [*sessions, session]}, path)


def _window(client) -> int:
    """Chunks kept in flight: two per worker thread, so memory stays flat whatever the number of runs."""
    return 2 * max(sum(client.nthreads().values()), 1)


def _chunk_len(exp: Experiment, design: Design, chunk: int) -> int:
    total = design.n_points * exp.replicates
    return min((chunk + 1) * exp.chunk_size, total) - chunk * exp.chunk_size


# --------------------------------------------------------------------------------------------- reading results
def load_results(out: str | Path):
    """All runs of a sweep as one DataFrame sorted by run_id (reads ``OUT/runs``)."""
    import pandas as pd

    df = pd.read_parquet(Path(out) / "runs")
    return df.sort_values("run_id", kind="stable").reset_index(drop=True)


def load_design(out: str | Path):
    """The design matrix (one row per point) and the manifest of a sweep."""
    import pandas as pd

    out = Path(out)
    return pd.read_parquet(out / "design.parquet"), json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def status(out: str | Path) -> dict[str, Any]:
    """How far a sweep got: chunks and runs done out of the total."""
    out = Path(out)
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    done = sorted(int(p.stem.split("-")[1]) for p in (out / "runs").glob("chunk-*.parquet"))
    return {"chunks_done": len(done), "n_chunks": man["n_chunks"], "total_runs": man["total_runs"],
            "complete": len(done) == man["n_chunks"]}


__all__ = ["Experiment", "Factor", "SweepError", "build_design", "load_design", "load_experiment", "load_results",
           "run_chunk", "run_seed", "status", "sweep"]
