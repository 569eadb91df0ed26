"""The output directory: atomic Parquet chunks, the manifest (provenance), resume checks, reading results."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .chunks import n_chunks, schema
from .design import SEEDING, Design, sampler_seed
from .experiment import Experiment, SweepError

FORMAT = "vti-sim-sweep/1"


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
    from ..outputs.result import to_json

    def write(tmp):
        Path(tmp).write_text(to_json(obj) + "\n", encoding="utf-8")

    _atomic_write(path, write)


def chunk_path(out: Path, chunk: int) -> Path:
    return out / "runs" / f"chunk-{chunk:06d}.parquet"


# --------------------------------------------------------------------------------------------- manifest
def _versions() -> dict[str, Any]:
    from importlib.metadata import version

    import mesa
    import pandas as pd
    import pyarrow
    import scipy

    from .. import __version__
    from ..outputs.result import _git_commit

    def installed(name: str) -> str | None:  # from the metadata: importing Dask only for this costs 1 s
        try:
            return version(name)
        except Exception:  # noqa: BLE001 - metadata may be missing in odd installs
            return None

    salib = installed("SALib")
    return {"vti_sim_version": __version__, "git_commit": _git_commit(), "python": sys.version.split()[0],
            "mesa": mesa.__version__, "dask": installed("dask"), "distributed": installed("distributed"),
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
