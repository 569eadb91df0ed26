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

import itertools
import json
import os
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import registry
from .chunks import COMPUTE_KEY, chunk_task, n_chunks, run_chunk, schema
from .design import Design, build_design
from .experiment import Experiment, SweepError, load_experiment
from .store import _check_out_dir, _table, _versions, _write_json, _write_table, chunk_path, manifest


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

    # --- execution-path hook (issue 14): local sweeps run in warm forked processes, no cluster (local.py) ---
    from . import local

    if local.applies(workers, scheduler):
        local.run_sweep(exp, design, out, todo, total, resume, workers, progress, retries)
        return out
    # --- end of hook ---
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
    from ..outputs.result import release, simulate

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
