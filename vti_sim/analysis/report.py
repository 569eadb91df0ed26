"""The report directory: ownership check, provenance, REPORT.md and an atomic publish of every file.

``OUT/analysis.json`` marks a directory as the report of one experiment; ``vti-sim sensitivity`` refuses to write
into a directory that holds anything else, and re-running the same experiment re-analyses the runs already on
disk (``OUT/sweep*/``) and replaces the report files, each one atomically (staged, then ``os.replace``).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..experiments.design import SEEDING, sampler_seed
from ..experiments.experiment import Experiment, SweepError
from ..experiments.outdir import write_atomically

FORMAT = "vti-sim-analysis/1"
MARKER = "analysis.json"


def check_out(out: Path, exp: Experiment) -> None:
    """SweepError unless ``out`` is new, empty, or the report directory of this same experiment (by name)."""
    marker = out / MARKER
    if marker.exists():
        try:
            old = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise SweepError(f"{marker}: unreadable ({e}); choose another --out or remove it") from None
        if old.get("experiment", {}).get("name") != exp.name:
            raise SweepError(f"{out}: holds the report of experiment {old.get('experiment', {}).get('name')!r}, "
                             f"not {exp.name!r}; choose another --out or remove it")
        return
    if out.exists() and (not out.is_dir() or any(p for p in out.iterdir() if not p.name.startswith(".staging-"))):
        raise SweepError(f"{out}: exists and is not a vti-sim report directory (no {MARKER}); choose another --out "
                         "or remove it")


def claim(out: Path, exp: Experiment) -> None:
    """Create ``out`` and its marker (before the runs start, so a resumed run finds its own directory)."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".staging-*"):  # left by a report interrupted while it was being published
        shutil.rmtree(stale, ignore_errors=True)
    if not (out / MARKER).exists():
        _write_text(out / MARKER, json.dumps({"format": FORMAT, "experiment": {
            "name": exp.name, "path": str(exp.path) if exp.path else None, "sha256": exp.sha256}}, indent=2) + "\n")


def _write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


@contextmanager
def staging(out: Path):
    """A temporary directory inside ``out``; on success every entry replaces its namesake in ``out``."""
    tmp = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        yield tmp
        for p in sorted(tmp.iterdir()):
            target = out / p.name
            if target.is_dir() and p.is_dir():
                shutil.rmtree(target)  # a figures/ directory this same report wrote before
            os.replace(p, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------------- provenance
def provenance(exp: Experiment, spec, command: list[str] | None = None) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    from ..experiments.store import _versions

    v = _versions()
    for pkg in ("ema-workbench", "matplotlib", "scikit-learn"):
        try:
            v[pkg] = version(pkg)
        except PackageNotFoundError:
            v[pkg] = None
    return {
        "versions": v,
        "experiment": {"name": exp.name, "path": str(exp.path) if exp.path else None, "sha256": exp.sha256,
                       "text": exp.text},
        "seeds": {"experiment_seed": exp.seed, "sampler_seed": sampler_seed(exp.seed), "run_seeding": SEEDING,
                  "analysis_seed": spec.seed},
        "analysis": spec.record(),
        "command": command or sys.argv,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def regenerate_command(exp: Experiment, out: Path) -> str:
    path = exp.path if exp.path else f"<{exp.name}.toml>"
    return f"vti-sim sensitivity {path} --out {out}"


def header(title: str, exp: Experiment, prov: dict[str, Any], out: Path, wall: dict[str, float]) -> list[str]:
    v, s = prov["versions"], prov["seeds"]
    lines = [f"# {title}", "",
             f"> Regenerate: `{regenerate_command(exp, out)}` (add `--workers N` or `--scheduler ADDR`; the runs "
             "resume from `sweep*/` and the report is rebuilt; deleting `sweep*/` re-runs everything, bit for bit).",
             "", "## Provenance", "",
             "| | |", "|---|---|",
             f"| vti-sim | {v.get('vti_sim_version')} (commit `{v.get('git_commit')}`) |",
             f"| experiment | `{exp.path}` (name `{exp.name}`) |",
             f"| experiment SHA-256 | `{exp.sha256}` |",
             f"| seeds | experiment {s['experiment_seed']}, sampler {s['sampler_seed']}, analysis (bootstrap, dummy) "
             f"{s['analysis_seed']} |",
             f"| run seed | `{s['run_seeding']}` |",
             f"| Python / Mesa / SALib / ema-workbench | {v.get('python')} / {v.get('mesa')} / {v.get('SALib')} / "
             f"{v.get('ema-workbench')} |",
             f"| created | {prov['created']} |"]
    if wall:
        lines.append("| wall time | " + ", ".join(f"{k} {_dur(t)}" for k, t in wall.items()) + " |")
    if exp.description:
        lines += ["", exp.description]
    return lines + [""]


def _dur(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def markdown_table(df: pd.DataFrame, floatfmt: str = ".3g") -> list[str]:
    if df.empty:
        return ["(none)"]
    cols = list(df.columns)
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in df.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if isinstance(v, float | np.floating):
                cells.append("NaN" if not np.isfinite(v) else format(float(v), floatfmt))
            else:
                cells.append(str(v))
        out.append("| " + " | ".join(cells) + " |")
    return out


def sweep_wall(out: Path) -> float:
    """Summed wall time of every sweep session under ``out`` (from each sweep's timing.json)."""
    total = 0.0
    for t in out.glob("sweep*/timing.json"):
        with suppress(OSError, ValueError, KeyError):
            total += sum(s["wall_s"] for s in json.loads(t.read_text(encoding="utf-8"))["sessions"])
    return total


class Stopwatch:
    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def __call__(self) -> float:
        return time.perf_counter() - self.t0
