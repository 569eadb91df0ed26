"""Running scenarios with replicates and writing their outputs (``vti-sim run`` / ``vti-sim compare``).

Everything is validated before anything is written: :func:`plan` turns the user's
input into a :class:`Plan` or raises a :class:`~vti_sim.registry.ParameterError`.
Outputs are written into a temporary directory next to the target and moved into
place with ``os.replace`` at the end, so an interrupted run leaves nothing behind.

Replicate seeds
---------------
Replicate 0 always uses the base seed itself, so ``--replicates 1`` (or replicate
0 of any R) reproduces a plain ``--seed N`` run.  Replicate ``k >= 1`` uses
``int(numpy.random.SeedSequence(N).spawn(R)[k].generate_state(1)[0])``.  Spawned
children depend only on their index, so the seeds of R replicates are a prefix
of those of R' > R replicates, and ``compare`` gives every scenario the same
seeds (common random numbers, hence paired differences).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..registry import REGISTRY, ParameterError, resolve, validate
from ..scenarios import Scenario, load_scenario, unknown_parameter
from .outdir import OWNER_FILE, check_output_path, make_temp_dir, remove_stale_temp_dirs

SEED_DERIVATION = ("replicate 0: the base seed; replicate k>=1: "
                   "int(numpy.random.SeedSequence(seed).spawn(R)[k].generate_state(1)[0])")
KEY_METRICS = ("pv_net_total", "pv_created_total", "pv_destroyed_total", "final_trust", "mean_participation",
               "inclusion_gap", "budget_execution", "value_per_meur", "final_foundation_maturity",
               "final_legitimacy", "plateau_month", "open_start_month", "months_to_phase.launch",
               "months_to_phase.planning", "months_to_phase.implementation", "months_to_phase.evaluation")


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """The seeds of ``replicates`` runs from base ``seed`` (see the module docstring)."""
    children = np.random.SeedSequence(seed).spawn(replicates)
    return [int(seed)] + [int(c.generate_state(1)[0]) for c in children[1:]]


def parse_sets(items: Sequence[str] | None) -> dict[str, Any]:
    """``["name=value", ...]`` -> validated, coerced overrides (source ``--set``)."""
    raw: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise ParameterError(item or "''", "expected NAME=VALUE, e.g. --set facilitation_fte=2", source="--set")
        if not value:
            raise ParameterError(name, f"no value after '='; allowed: {REGISTRY[name].allowed()}"
                                 if name in REGISTRY else "no value after '='", source="--set")
        if name not in REGISTRY:
            raise unknown_parameter(name, source="--set")
        raw[name] = value
    return validate(raw, source="--set")


def parse_int(text: str | int | None, option: str, *, minimum: int, maximum: int | None = None) -> int | None:
    """An integer CLI option as a one-line ParameterError-friendly value."""
    if text is None:
        return None
    try:
        value = int(str(text).strip())
    except ValueError:
        value = None
    hi = "" if maximum is None else f", at most {maximum}"
    if value is None or value < minimum or (maximum is not None and value > maximum):
        raise ParameterError(option.lstrip("-"), f"got {text!r}; allowed: an integer >= {minimum}{hi}",
                             source=option)
    return value


@dataclass
class Plan:
    """A validated request: one scenario, its full parameters and the replicate seeds."""

    scenario: Scenario
    params: dict[str, Any]
    seeds: list[int]
    seed: int
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return safe_name(self.scenario.name)


def plan(scenario: str | Path, *, seed: int = 0, months: str | int | None = None, sets: Sequence[str] = (),
         replicates: int = 1) -> Plan:
    """Validate everything about one scenario run; raise ParameterError on bad input."""
    sc = load_scenario(scenario)
    overrides = parse_sets(sets)
    if months is not None:
        overrides["months"] = REGISTRY["months"].coerce(
            months if not isinstance(months, str) else months.strip(), source="--months")
    params = resolve({**sc.params, **overrides}, source="--set")
    return Plan(sc, params, replicate_seeds(seed, replicates), seed, overrides)


def execute(p: Plan, *, progress: bool = False, desc: str | None = None) -> list:
    """Run every replicate of a plan; a tqdm bar on stderr when ``progress``."""
    from ..outputs.result import run

    seeds = p.seeds
    if progress:  # tqdm only then: its lock starts Python's resource tracker, a process, once Mesa chose "spawn"
        from tqdm import tqdm

        seeds = tqdm(seeds, desc=desc or p.name, unit="run", leave=False)
    return [run(dict(p.params), seed=s) for s in seeds]


def safe_name(name: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return keep.strip("._") or "scenario"


# --- summaries ------------------------------------------------------------------------------------------------


def flatten_scalars(summary: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric scalars of a summary, nested dicts as ``a.b`` keys; None -> NaN; lists and bools dropped."""
    out: dict[str, float] = {}
    for k, v in summary.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten_scalars(v, prefix=f"{key}."))
        elif v is None:
            out[key] = math.nan
        elif isinstance(v, bool | list | tuple | str):
            continue
        elif isinstance(v, int | float | np.integer | np.floating):
            out[key] = float(v)
    return out


def scalar_frame(results: Sequence) -> pd.DataFrame:
    """One row per replicate, one column per flattened numeric summary scalar."""
    return pd.DataFrame([flatten_scalars(r.summary) for r in results])


def median_summary(results: Sequence) -> dict[str, float | None]:
    frame = scalar_frame(results)
    out: dict[str, float | None] = {}
    for c in frame.columns:
        col = frame[c].to_numpy(dtype=float)
        out[c] = float(np.nanmedian(col)) if np.isfinite(col).any() else None
    return out


def stacked_timeseries(results: Sequence) -> pd.DataFrame:
    """All replicates' timeseries, stacked, with ``replicate`` and ``seed`` columns first."""
    frames = []
    for i, r in enumerate(results):
        ts = r.timeseries.copy()
        ts.insert(0, "seed", r.seed)
        ts.insert(0, "replicate", i)
        frames.append(ts)
    return pd.concat(frames, ignore_index=True)


def compare_table(groups: Sequence[Sequence], names: Sequence[str], metrics: Sequence[str] | None = None,
                  level: float = 0.95) -> pd.DataFrame:
    """Differences of summary scalars vs the first scenario, with t-intervals over replicates.

    Replicates share seeds across scenarios, so differences are paired by replicate;
    a replicate whose metric is undefined (e.g. a phase never reached) is dropped
    from that metric's pairs, and ``n`` says how many pairs remain.  With fewer
    than two pairs the interval is NaN.
    """
    from scipy import stats

    frames = [scalar_frame(g) for g in groups]
    if metrics is None:
        metrics = [m for m in KEY_METRICS if any(m in f.columns for f in frames)]
    base = frames[0]
    rows = []
    for m in metrics:
        b = base[m].to_numpy(dtype=float) if m in base else np.full(len(base), np.nan)
        for name, f in zip(names, frames, strict=True):
            x = f[m].to_numpy(dtype=float) if m in f else np.full(len(f), np.nan)
            n_pair = min(len(x), len(b))
            d = x[:n_pair] - b[:n_pair]
            d = d[np.isfinite(d)]
            mean_d = float(d.mean()) if len(d) else math.nan
            if len(d) >= 2:
                sd = float(d.std(ddof=1))
                half = float(stats.t.ppf(0.5 + level / 2, len(d) - 1)) * sd / math.sqrt(len(d))
                lo, hi = mean_d - half, mean_d + half
            else:
                lo = hi = math.nan
            rows.append({"metric": m, "scenario": name, "baseline": names[0],
                         "mean": _nanmean(x), "baseline_mean": _nanmean(b), "diff": mean_d,
                         "ci_low": lo, "ci_high": hi, "n": int(len(d)), "replicates": int(len(x))})
    return pd.DataFrame(rows)


def _nanmean(x: np.ndarray) -> float:
    return float(np.nanmean(x)) if np.isfinite(x).any() else math.nan


def format_table(table: pd.DataFrame) -> str:
    """The compare table as aligned text: one line per metric and non-baseline scenario."""
    rows = [("metric", "scenario", "mean", "baseline", "diff", "95% CI", "n")]
    for r in table.itertuples(index=False):
        if r.scenario == r.baseline:
            continue
        ci = "n/a" if math.isnan(r.ci_low) else f"[{_g(r.ci_low)}, {_g(r.ci_high)}]"
        rows.append((r.metric, r.scenario, _g(r.mean), _g(r.baseline_mean), _g(r.diff), ci, str(r.n)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)


def _g(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.4g}"


# --- atomic output directory ------------------------------------------------------------------------------------


OUTPUT_MARKER = ".vti-sim-output.json"  # written last: the files of a vti-sim run, so a rerun may replace them
OUTPUT_FORMAT = "vti-sim-output/1"
_LEGACY_FILES = {"timeseries.csv", "timeseries.parquet", "summary.json", "run.json", "missions.csv", "compare.csv"}


def check_outdir(out: Path) -> None:
    """Before anything runs: refuse an output path that cannot be written, and a directory that holds anything
    vti-sim did not write there (the command replaces the whole directory, so it must be ours)."""
    check_output_path(out, replace=True)
    out = Path(out)
    if not out.is_dir():
        return
    foreign = _foreign_entry(out)
    if foreign is not None:
        raise ParameterError(repr(str(out)), f"holds {foreign!r}, which vti-sim did not write; nothing was "
                                             "replaced: choose another --out, or move your files away",
                             source="--out")


def _foreign_entry(out: Path) -> str | None:
    """The first entry of ``out`` that is not part of a previous vti-sim run, or None (empty or ours)."""
    entries = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir())
    dirs = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir())
    if not entries and not dirs:
        return None
    try:
        marker = json.loads((out / OUTPUT_MARKER).read_text(encoding="utf-8"))
        known = set(marker["files"]) if marker.get("format") == OUTPUT_FORMAT else None
    except (OSError, ValueError, KeyError, TypeError):
        known = None
    if known is None:  # written before the marker existed: the known names and a provenance record of ours
        if not _legacy_run(out):
            return (entries or dirs)[0]
        known = {e for e in entries if e in _LEGACY_FILES or (e.startswith("figures/") and e.endswith(".png"))}
    known = known | {OUTPUT_MARKER, OWNER_FILE}
    for e in entries:
        if e not in known:
            return e
    for d in dirs:
        if not any(k.startswith(d + "/") for k in known):
            return d + "/"
    return None


def _legacy_run(out: Path) -> bool:
    try:
        record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and "seed_derivation" in record


def _write_marker(tmp: Path, command: str) -> None:
    files = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file() and p.name != OWNER_FILE)
    (tmp / OUTPUT_MARKER).write_text(json.dumps({"format": OUTPUT_FORMAT, "command": command, "files": files},
                                                indent=1), encoding="utf-8")


@contextlib.contextmanager
def atomic_dir(out: Path, command: str = "run") -> Iterator[Path]:
    """Yield a temp dir next to ``out``; on success it replaces ``out``, on any error it is removed.

    ``out`` must have passed :func:`check_outdir` (it is empty or a previous vti-sim run).  Temporary directories
    of an earlier process killed with ``kill -9`` are removed first."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_dirs(out.parent, (f".{out.name}.tmp-", f".{out.name}.old-"))
    tmp = make_temp_dir(out.parent, f".{out.name}.tmp-")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; the result should look like a normal directory
    try:
        yield tmp
        _write_marker(tmp, command)
        check_outdir(out)  # again, just before replacing: nothing may have been added meanwhile
        old = None
        if out.exists():
            old = make_temp_dir(out.parent, f".{out.name}.old-")
            os.replace(out, old / "x")
        os.replace(tmp, out)
        (out / OWNER_FILE).unlink(missing_ok=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_timeseries(results: Sequence, outdir: Path) -> None:
    ts = results[0].timeseries if len(results) == 1 else stacked_timeseries(results)
    ts.to_csv(outdir / "timeseries.csv", index=False)
    ts.to_parquet(outdir / "timeseries.parquet", index=False)


def run_record(p: Plan, argv: Sequence[str]) -> dict[str, Any]:
    from ..outputs.result import provenance

    rec = provenance(p.params, p.seed)
    rec.update({"created_utc": datetime.now(UTC).isoformat(timespec="seconds"), "scenario": p.scenario.name,
                "scenario_path": str(p.scenario.path) if p.scenario.path else None,
                "scenario_chain": list(p.scenario.chain), "overrides": p.overrides, "command": list(argv),
                "replicates": len(p.seeds), "replicate_seeds": p.seeds, "seed_derivation": SEED_DERIVATION})
    return rec


def write_run(p: Plan, results: Sequence, outdir: Path, argv: Sequence[str],
              figures: Callable[[Sequence, Path], list[Path]] | None = None) -> list[Path]:
    """Write one scenario's outputs into ``outdir`` (already a fresh temp dir)."""
    from ..outputs.result import to_json

    write_timeseries(results, outdir)
    if len(results) == 1:
        summary: dict[str, Any] = dict(results[0].summary)
    else:
        summary = {"replicates": [r.summary for r in results], "median": median_summary(results),
                   "seeds": p.seeds}
    (outdir / "summary.json").write_text(to_json(summary), encoding="utf-8")
    (outdir / "run.json").write_text(to_json(run_record(p, argv)), encoding="utf-8")
    missions = [r.missions.assign(replicate=i, seed=r.seed) for i, r in enumerate(results)]
    (results[0].missions if len(results) == 1 else pd.concat(missions, ignore_index=True)).to_csv(
        outdir / "missions.csv", index=False)
    return figures([list(results)], outdir / "figures") if figures else []
