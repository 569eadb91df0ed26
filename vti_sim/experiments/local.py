"""Local sweeps without a Dask cluster: chunks run in warm worker processes forked from this one.

Starting a LocalCluster costs about 2.7 s of wall time and 14 CPU-seconds on two cores (a scheduler, nannies and
workers, each importing Dask, vti-sim and the compiled passes), which is why a 2,000-run sweep lost to
``mesa.batch_run`` on two processes.  Here the sweep's own process imports the model and loads its compiled
passes once (the warm-up the Dask workers do, ``runner._warm_up``), then forks the workers, which start warm in
milliseconds and share those pages.  Each worker is sent up to two chunks at a time through its own pipe, so it
never waits for work, and returns each chunk's columns; this process writes the Parquet files as on Dask.
The chunks, the runs' seeds and the columns are those of the Dask path, so the dataset is the same bit for bit
whatever the path and the number of workers.

The Dask path's guarantees (issue 15), kept here:
- a worker that dies (killed, out of memory: its pipe closes or its process sentinel fires) is replaced and its
  chunks run again; a chunk whose workers died more than ``retries`` times stops the sweep with
  :class:`SweepStopped` saying how to resume (Dask's KilledWorker);
- a worker that holds chunks but uses no CPU for ``worker_timeout`` seconds (stopped, deadlocked) is killed and
  treated as dead, so no wait is unbounded;
- a chunk that raises is run again up to ``retries`` times, then the sweep fails naming the chunk (as on Dask);
- workers ignore Ctrl+C (the terminal signals the whole process group) and die with this process (Linux's
  parent-death signal): Ctrl+C stops the sweep here, chunk files are written atomically, and rerunning resumes.

One worker, or one chunk left to do, runs in this process.  This is the default for local sweeps (no
``--scheduler``) on Linux when no other thread runs (a fork copies only the calling thread: inside Jupyter or
pytest-xdist the sweep uses a Dask LocalCluster); ``VTI_SIM_SWEEP_EXECUTOR=dask`` selects Dask always.
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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from .chunks import COMPUTE_KEY, chunk_task, run_chunk, schema
from .design import Design
from .experiment import Experiment, SweepError, SweepStopped
from .store import _table, _write_json, _write_table, chunk_path, manifest

IN_FLIGHT_PER_WORKER = 2
POLL = 1.0  # s: how often the loop checks its workers' health while no chunk completes
EXECUTORS = ("local", "dask")


def choice() -> str:
    """The executor asked for by ``VTI_SIM_SWEEP_EXECUTOR`` (default ``local``); SweepError on another value."""
    value = os.environ.get("VTI_SIM_SWEEP_EXECUTOR", "").strip().lower() or "local"
    if value not in EXECUTORS:
        raise SweepError(f"VTI_SIM_SWEEP_EXECUTOR: got {value!r}; allowed: {', '.join(EXECUTORS)} (unset: local)")
    return value


def applies(workers: int | None, scheduler: str | None) -> bool:
    """Whether :func:`run_sweep` takes this sweep (see the module docstring)."""
    return (scheduler is None and choice() == "local" and sys.platform.startswith("linux")
            and threading.active_count() == 1)


def run_sweep(exp: Experiment, design: Design, out: Path, todo: list[int], total: int, resume: bool,
              workers: int | None, progress: bool, retries: int, worker_timeout: float) -> None:
    """Write the design and manifest as ``runner.sweep`` does, then run the chunks ``todo`` here or forked."""
    from .runner import _chunk_len, _design_table, _design_unsound, _record_timing

    (out / "runs").mkdir(parents=True, exist_ok=True)
    if not resume or _design_unsound(out, design):
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

    def stopped(reason: str) -> SweepStopped:
        saved = done_runs + session["runs"]
        return SweepStopped(f"{reason}; {saved:,} of {total:,} runs are saved in {out}: rerun the same command "
                            "to resume")

    try:
        if n == 1:
            for chunk in todo:
                write(chunk, _attempts(lambda c=chunk: run_chunk(chunk_task(exp, design, c)), chunk, exp, retries))
        else:
            _run_forked(exp, design, todo, n, retries, worker_timeout, write, stopped)
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
    """One forked process, the chunks sent to it (oldest first) and when it last showed progress."""

    def __init__(self, ctx, into: list[_Worker]) -> None:
        ours, theirs = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(theirs, ours, os.getpid()), daemon=True,
                                name="vti-sim-sweep-worker")
        self.conn = ours
        self.chunks: deque[int] = deque()
        self.cpu: int | None = None
        self.active = time.monotonic()
        # SIGINT/SIGTERM blocked across the fork: a Ctrl+C then waits here instead of reaching the child before it
        # ignores them (a traceback); the worker is listed before the Ctrl+C can be raised, so that it is stopped too
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            self.proc.start()
            into.append(self)
        finally:
            theirs.close()
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    def stop(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()

    def hung(self, now: float, timeout: float) -> bool:
        """True once the worker has held chunks for ``timeout`` s without using any CPU (stopped, deadlocked)."""
        cpu = _cpu_ticks(self.proc.pid)
        if cpu is None or cpu != self.cpu:
            self.cpu, self.active = cpu, now
            return False
        return now - self.active > timeout


def _run_forked(exp: Experiment, design: Design, todo: list[int], n: int, retries: int, worker_timeout: float,
                write: Callable[[int, dict], None], stopped: Callable[[str], SweepStopped]) -> None:
    from multiprocessing.connection import wait

    from .runner import _warm_up

    _warm_up()  # once, here: the forked workers inherit the imported model and its loaded compiled passes
    ctx = multiprocessing.get_context("fork")
    pending: deque[int] = deque(todo)
    errors: dict[int, int] = {}
    deaths: dict[int, int] = {}
    workers: list[_Worker] = []

    def start() -> None:
        try:
            _Worker(ctx, workers)
        except OSError as e:  # e.g. out of memory or process limit
            raise stopped(f"cannot start a worker process ({e.strerror or e})") from None

    def failed(chunk: int, why: str) -> None:
        errors[chunk] = errors.get(chunk, 0) + 1
        if errors[chunk] > retries:
            raise RuntimeError(f"chunk {chunk} (runs {chunk * exp.chunk_size}…) failed: {why}")
        pending.appendleft(chunk)

    def lost(w: _Worker, why: str) -> None:
        """A worker died or hung: replace it and put its chunks back, each within its bound of deaths."""
        chunks = list(w.chunks)
        w.stop()
        why = why.format(code=w.proc.exitcode)
        for chunk in chunks:
            deaths[chunk] = deaths.get(chunk, 0) + 1
            if deaths[chunk] > retries:
                raise stopped(f"chunk {chunk} was running on {deaths[chunk]} worker processes that died (the last "
                              f"{why}: out of memory, killed or hung)")
        again = (f"running chunk{'s' if len(chunks) > 1 else ''} {', '.join(map(str, chunks))} again" if chunks
                 else "replacing it")
        print(f"vti-sim: warning: sweep worker process {w.proc.pid} {why}; {again}", file=sys.stderr)
        pending.extendleft(reversed(chunks))
        workers.remove(w)
        start()

    try:
        for _ in range(n):
            start()
        while True:
            for w in list(workers):
                if not w.chunks and pending:
                    w.active = time.monotonic()  # idle until now: the hung clock starts with its work
                while len(w.chunks) < IN_FLIGHT_PER_WORKER and pending:
                    chunk = pending.popleft()
                    try:
                        w.conn.send(chunk_task(exp, design, chunk))
                    except OSError:  # it died before this chunk reached it: only the chunks it held count
                        pending.appendleft(chunk)
                        lost(w, "exited with code {code}")
                        break
                    w.chunks.append(chunk)
            busy = [w for w in workers if w.chunks]
            if not busy:
                if pending:  # a replaced worker is fed on the next round
                    continue
                return
            ready = set(wait([*(w.conn for w in busy), *(w.proc.sentinel for w in busy)], timeout=POLL))
            now = time.monotonic()
            for w in busy:
                if w.conn in ready:
                    try:
                        status, payload = w.conn.recv()
                    except (EOFError, OSError):  # the pipe closed: the process is gone
                        lost(w, "exited with code {code}")
                        continue
                    w.active = now
                    chunk = w.chunks.popleft()
                    if status == "ok":
                        write(chunk, payload)
                    else:
                        failed(chunk, payload)
                elif w.proc.sentinel in ready:  # exited with nothing left to read
                    lost(w, "exited with code {code}")
                elif w.hung(now, worker_timeout):
                    lost(w, f"used no CPU for {worker_timeout:g} s (hung) and was stopped")
    finally:
        for w in workers:
            w.stop()


def _cpu_ticks(pid: int) -> int | None:
    """User + system CPU time of ``pid`` in clock ticks (``/proc/PID/stat``), None if unreadable."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        fields = data[data.rindex(b")") + 2:].split()  # after "pid (comm) ": state is field 3, utime 14, stime 15
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None


def _serve(conn, ours, parent: int) -> None:
    """A worker's loop: run each chunk it is sent and send back its columns (or the error)."""
    ours.close()  # so that the pipe reports this process's parent gone
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole process group: the parent stops us
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # so does a batch scheduler's SIGTERM (the CLI's handler is ours)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})  # blocked by the parent across the fork
    _die_with_parent(parent)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = ("ok", run_chunk(task))
        except Exception as e:  # noqa: BLE001 - the parent retries or reports it
            result = ("error", f"{e!r}\n{traceback.format_exc()}")
        try:
            conn.send(result)
        except OSError:  # the parent has gone
            return


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (a killed sweep leaves no worker computing)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
