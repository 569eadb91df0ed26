"""The output directory: atomic Parquet chunks, the manifest (provenance), resume checks, reading results."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .chunks import n_chunks, schema
from .design import SEEDING, Design, sampler_seed
from .experiment import Experiment, SweepError
from .outdir import public_mode, write_atomically

LOCK_FILE = ".lock"

FORMAT = "vti-sim-sweep/1"


def _table(cols: Mapping[str, list], sch):
    import pyarrow as pa

    return pa.table({f.name: pa.array(cols[f.name], type=f.type) for f in sch}, schema=sch)


def _write_table(table, path: Path) -> None:
    import pyarrow.parquet as pq

    write_atomically(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def _write_json(obj: Any, path: Path) -> None:
    from ..outputs.result import to_json

    def write(tmp):
        Path(tmp).write_text(to_json(obj) + "\n", encoding="utf-8")

    write_atomically(path, write)


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
                             f"({_difference(old, exp)}); choose another --out or remove it")
        return True
    if out.exists() and (not out.is_dir() or not _fresh(out)):
        raise SweepError(f"{out}: exists and is not a sweep output directory (no manifest.json); "
                         "choose another --out or remove it")
    return False


def _difference(old: Mapping[str, Any], exp: Experiment) -> str:
    """What differs between the sweep on disk and this experiment, in words a user can act on."""
    old_exp = old.get("experiment", {}) if isinstance(old.get("experiment"), dict) else {}
    if old_exp.get("sha256") != exp.sha256:
        return (f"{old_exp.get('name')!r}, file hash {str(old_exp.get('sha256'))[:12]}… ≠ {exp.sha256[:12]}…: "
                "the experiment file was edited")
    before = old.get("base_params") if isinstance(old.get("base_params"), dict) else {}
    changed = [f"{k} {before.get(k)!r} → {exp.base.get(k)!r}" for k in sorted(set(before) | set(exp.base))
               if before.get(k) != exp.base.get(k)]
    shown = "; ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return (f"same experiment file, but its base parameters changed since the sweep started: {shown or 'unknown'}"
            f" (the scenario {exp.scenario!r} or the registry's defaults were edited)")


def _fresh(out: Path) -> bool:
    """True if ``out`` holds nothing but what a sweep killed before its manifest was written can leave."""
    for p in out.iterdir():
        if p.name == "runs" and p.is_dir():
            if any(not q.name.endswith(".tmp") for q in p.iterdir()):
                return False
        elif p.name not in ("design.parquet", LOCK_FILE) and not p.name.endswith(".tmp"):
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
    """How far a sweep got: chunks and runs done out of the total, every chunk file verified (see
    :func:`verify_chunk`); ``complete`` only when every chunk is there and sound, so the dataset loads whole."""
    out = Path(out)
    try:
        man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        expected, size, total, nch = man["schema"], man["chunk_size"], man["total_runs"], man["n_chunks"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SweepError(f"{out}: not a readable sweep directory (manifest.json: {e})") from None
    present = sorted(int(p.stem.split("-")[1]) for p in (out / "runs").glob("chunk-*.parquet")
                     if p.stem.split("-")[1].isdigit())
    bad = {c: r for c in present if (r := verify_chunk(chunk_path(out, c), c, expected, size, total)) is not None}
    good = [c for c in present if c not in bad and c < nch]
    runs = sum(min((c + 1) * size, total) - c * size for c in good)
    return {"chunks_done": len(good), "n_chunks": nch, "runs_done": runs, "total_runs": total,
            "bad_chunks": bad, "complete": len(good) == nch}


def schema_record(sch) -> list[list[str]]:
    """A schema as the manifest records it: [[name, type], ...]."""
    return [[f.name, str(f.type)] for f in sch]


def verify_chunk(path: Path, chunk: int, expected: list, chunk_size: int, total: int) -> str | None:
    """None if the chunk file is sound, else why not: unreadable (truncated, empty, corrupt), another schema,
    a wrong number of rows or run ids outside the chunk's range.  Reads the whole file: a damaged page in the
    middle is found too."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as e:  # noqa: BLE001 - pyarrow raises several types for damaged files
        detail = " ".join(str(e).replace(f"Could not open Parquet input source '{path}': ", "").split())
        return f"unreadable ({type(e).__name__}: {detail[:100]})"
    if schema_record(table.schema) != [list(f) for f in expected]:
        return "its columns differ from the manifest's schema"
    start, stop = chunk * chunk_size, min((chunk + 1) * chunk_size, total)
    if table.num_rows != stop - start:
        return f"{table.num_rows} rows instead of {stop - start}"
    if table.column("run_id").to_pylist() != list(range(start, stop)):
        return f"run ids are not {start}..{stop - 1}"
    return None


class SweepLock:
    """An exclusive lock on ``OUT/.lock`` (``flock``) for the duration of a sweep: a second sweep on the same
    directory is refused instead of duplicating work.  The kernel releases it when the process dies, even by
    ``kill -9``, so a lock is never stale."""

    def __init__(self, out: Path):
        self.out = Path(out)
        self.created_dir = False
        self._fh = None

    def __enter__(self) -> SweepLock:
        import fcntl
        import socket

        self.created_dir = not self.out.exists()
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            fh = open(self.out / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held until __exit__
        except OSError as e:
            raise SweepError(f"--out: cannot write {str(self.out)!r} ({e.strerror or e})") from None
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise SweepError(f"{self.out}: another sweep is running on this directory ({holder}); wait for it to "
                             "finish, or choose another --out") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()}, since "
                 f"{datetime.now(UTC).isoformat(timespec='seconds')}\n")
        fh.flush()
        public_mode(self.out / LOCK_FILE)
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        if self.created_dir and not (self.out / "manifest.json").exists():
            # nothing of the sweep was written (e.g. the scheduler was unreachable): leave no trace
            (self.out / LOCK_FILE).unlink(missing_ok=True)
            for d in (self.out / "runs", self.out):
                with contextlib.suppress(OSError):
                    d.rmdir()
        if self._fh is not None:
            self._fh.close()  # releases the flock
