"""Local sweeps without a Dask cluster: chunks run in warm worker processes forked from this one.

Starting a LocalCluster costs about 2.7 s of wall time and 14 CPU-seconds on two cores (a scheduler, nannies and
workers, each importing Dask, vti-sim and the compiled passes), which is why a 2,000-run sweep lost to
``mesa.batch_run`` on two processes.  Here the sweep's own process imports the model and loads its compiled
passes once (the warm-up the Dask workers do, ``runner._warm_up``), then forks the workers, which start warm in
milliseconds and share those pages.  Each worker is sent up to two chunks at a time through its own pipe, so it
never waits for work, and returns each chunk's columns; this process writes the Parquet files as on Dask.
The chunks, the runs' seeds and the columns are those of the Dask path, so the dataset is the same bit for bit
whatever the path and the number of workers.  A worker that dies (killed, out of memory) is replaced and its
chunks are run again, up to ``retries`` times, like Dask's retries; workers die with this process (Linux's
parent-death signal) and ignore Ctrl+C, which stops the sweep here; rerunning the command resumes it.

One worker, or one chunk left to do, runs in this process.  The path is opt-in for now:
``VTI_SIM_SWEEP_EXECUTOR=local``, for local sweeps (no ``--scheduler``) on Linux when no other thread runs (a fork
copies only the calling thread).  Dask stays the default until this path has the Dask path's worker-health
checks and one-line Ctrl+C (issue 15).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from .chunks import COMPUTE_KEY, chunk_task, run_chunk, schema
from .design import Design
from .experiment import Experiment
from .store import _table, _write_json, _write_table, chunk_path, manifest

IN_FLIGHT_PER_WORKER = 2


def applies(workers: int | None, scheduler: str | None) -> bool:
    """Whether :func:`run_sweep` takes this sweep (see the module docstring)."""
    choice = os.environ.get("VTI_SIM_SWEEP_EXECUTOR", "").strip().lower()
    return (scheduler is None and choice == "local" and sys.platform.startswith("linux")
            and threading.active_count() == 1)


def run_sweep(exp: Experiment, design: Design, out: Path, todo: list[int], total: int, resume: bool,
              workers: int | None, progress: bool, retries: int) -> None:
    """Write the design and manifest as ``runner.sweep`` does, then run the chunks ``todo`` here or forked."""
    from .runner import _chunk_len, _design_table, _record_timing

    (out / "runs").mkdir(parents=True, exist_ok=True)
    if not resume or not (out / "design.parquet").exists():
        _write_table(_design_table(design), out / "design.parquet")
    if not resume:  # the manifest last: its presence marks a sweep directory
        _write_json(manifest(exp, design), out / "manifest.json")
    n = max(1, min(workers or os.cpu_count() or 1, len(todo)))
    done_runs = total - sum(_chunk_len(exp, design, c) for c in todo)
    sch = schema(exp)
    bar = _bar(total, done_runs, exp.name, progress)
    session = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "runs": 0, "compute_s": 0.0,
               "worker_threads": n}
    t0 = time.perf_counter()

    def write(chunk: int, cols: dict) -> None:
        session["compute_s"] += cols.pop(COMPUTE_KEY, [0.0])[0]
        _write_table(_table(cols, sch), chunk_path(out, chunk))
        session["runs"] += len(cols["run_id"])
        bar.update(len(cols["run_id"]))

    try:
        if n == 1:
            for chunk in todo:
                write(chunk, _attempts(lambda c=chunk: run_chunk(chunk_task(exp, design, c)), chunk, exp, retries))
        else:
            _run_forked(exp, design, todo, n, retries, write)
    finally:
        bar.close()
        with contextlib.suppress(Exception):  # timing is informative; never mask the sweep's own outcome
            _record_timing(out, {**session, "wall_s": time.perf_counter() - t0})


def _bar(total: int, initial: int, desc: str, progress: bool):
    if not progress:  # no tqdm at all: its lock would start Python's resource tracker process (Mesa chose "spawn")
        return SimpleNamespace(update=lambda n: None, close=lambda: None)
    from tqdm import tqdm

    class Bar(tqdm):
        monitor_interval = 0  # no monitor thread: workers may be forked again after the bar exists

    return Bar(total=total, initial=initial, unit="run", file=sys.stderr, desc=desc, smoothing=0.05,
               dynamic_ncols=True)


def _attempts(fn, chunk: int, exp: Experiment, retries: int):
    for attempt in range(retries + 1):
        try:
            return fn()
        except Exception as e:
            if attempt == retries:
                raise RuntimeError(f"chunk {chunk} (runs {chunk * exp.chunk_size}…) failed: {e!r}") from e
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------------------------- forked workers
class _Worker:
    """One forked process and the chunks sent to it, oldest first."""

    def __init__(self, ctx) -> None:
        ours, theirs = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(theirs, ours, os.getpid()), daemon=True,
                                name="vti-sim-sweep-worker")
        self.proc.start()
        theirs.close()
        self.conn = ours
        self.chunks: deque[int] = deque()

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()


def _run_forked(exp: Experiment, design: Design, todo: list[int], n: int, retries: int, write) -> None:
    from multiprocessing.connection import wait

    from .runner import _warm_up

    _warm_up()  # once, here: the forked workers inherit the imported model and its loaded compiled passes
    ctx = multiprocessing.get_context("fork")
    pending: deque[int] = deque(todo)
    failures: dict[int, int] = {}
    workers = [_Worker(ctx) for _ in range(n)]

    def failed(chunk: int, why: str) -> None:
        failures[chunk] = failures.get(chunk, 0) + 1
        if failures[chunk] > retries:
            raise RuntimeError(f"chunk {chunk} (runs {chunk * exp.chunk_size}…) failed: {why}")
        pending.appendleft(chunk)

    try:
        while True:
            for w in workers:
                while len(w.chunks) < IN_FLIGHT_PER_WORKER and pending:
                    chunk = pending.popleft()
                    w.conn.send(chunk_task(exp, design, chunk))
                    w.chunks.append(chunk)
            busy = {w.conn: w for w in workers if w.chunks}
            if not busy:
                return
            for conn in wait(list(busy)):
                w = busy[conn]
                try:
                    status, payload = conn.recv()
                except (EOFError, OSError):  # the worker died: replace it, run its chunks again
                    lost = list(w.chunks)
                    w.stop()
                    workers[workers.index(w)] = _Worker(ctx)
                    for chunk in reversed(lost):
                        failed(chunk, f"worker process exited with code {w.proc.exitcode}")
                    continue
                chunk = w.chunks.popleft()
                if status == "ok":
                    write(chunk, payload)
                else:
                    failed(chunk, payload)
    finally:
        for w in workers:
            w.stop()


def _serve(conn, ours, parent: int) -> None:
    """A worker's loop: run each chunk it is sent and send back its columns (or the error)."""
    ours.close()  # so that the pipe reports this process's parent gone
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole process group: the parent stops us
    _die_with_parent(parent)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", run_chunk(task)))
        except Exception as e:  # noqa: BLE001 - the parent retries or reports it
            conn.send(("error", f"{e!r}\n{traceback.format_exc()}"))


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (a killed sweep leaves no worker computing)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
