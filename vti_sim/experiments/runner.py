"""Parameter sweeps, local or on Dask: experiment files, deterministic designs, chunked runs, resumable Parquet output.

An experiment file (``experiments/*.toml``) names a base scenario, the parameters to
vary and how to sample them (grid, Latin hypercube, Sobol/Saltelli, Morris), the
replicates and the outputs to keep.  :func:`load_experiment` validates it against
the parameter registry with one-line errors (``file:line: field: reason``);
:func:`build_design` draws the design matrix with SALib's samplers, seeded from the
experiment seed; :func:`sweep` runs every (point, replicate) in chunks, in worker processes forked
from this one (``local.py``, the default for local sweeps) or on a ``dask.distributed`` cluster, and writes::

    OUT/manifest.json            provenance, experiment text + hash, SALib problem, schema
    OUT/design.parquet           one row per design point: decoded values + raw sampler values (x__<name>)
    OUT/runs/chunk-000000.parquet one row per run: run_id, point, replicate, seed, parameters, outputs

Run ``r`` of point ``p`` (``run_id = p * replicates + r``) uses the seed
``numpy.random.SeedSequence(entropy=experiment_seed, spawn_key=(p, r)).generate_state(1)[0]``,
so results are identical bit for bit whatever the number of workers, the order or the
chunking.  Rerunning the same sweep keeps the chunks on disk that verify (``store.verify_chunk``) and
computes the rest; a lock file refuses a second sweep on the same directory.

Dask is imported lazily: ``import vti_sim.sweep`` stays cheap.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import registry
from ..registry import ParameterError
from . import local
from .chunks import COMPUTE_KEY, chunk_task, n_chunks, run_chunk, schema
from .design import Design, build_design
from .experiment import DEFAULT_MAX_RUNS, Experiment, SweepError, SweepStopped, expected_runs, load_experiment
from .outdir import check_output_path
from .store import (
    SweepLock,
    _check_out_dir,
    _table,
    _versions,
    _write_json,
    _write_table,
    chunk_path,
    manifest,
    schema_record,
    verify_chunk,
)

# --------------------------------------------------------------------------------------------- the sweep
CONNECT_TIMEOUT = 20.0  # s: an external scheduler must answer as a Dask scheduler within this
WORKER_TIMEOUT = 60.0  # s: the longest wait for a first worker, or with no live worker mid-sweep
POLL = 2.0  # s: how often the compute loop checks the cluster's health while no chunk completes


def sweep(experiment: str | Path | Experiment, *, workers: int | None = None, scheduler: str | None = None,
          out: str | Path | None = None, progress: bool = True, retries: int = 3,
          max_runs: int = DEFAULT_MAX_RUNS, connect_timeout: float = CONNECT_TIMEOUT,
          worker_timeout: float = WORKER_TIMEOUT) -> Path:
    """Run an experiment and return its output directory (resumes if the directory holds a partial run).

    ``workers``: local worker processes (default: CPU count), forked from this process on Linux
    (``experiments/local.py``) or a Dask LocalCluster's (``VTI_SIM_SWEEP_EXECUTOR=dask``, or when other threads run).
    ``scheduler``: address of an existing Dask scheduler (``tcp://host:port``) used instead.
    ``max_runs``: designs with more runs are refused before they are drawn.
    ``connect_timeout``/``worker_timeout``: bounds (s) on waiting for the scheduler, and for a live worker (locally:
    the longest a worker may hold chunks without using CPU before it is replaced).
    ``retries``: how often a chunk is run again after it failed or its worker died.
    Bad input raises ParameterError/SweepError before anything is written; a sweep that cannot go on (no worker,
    scheduler lost) raises :class:`SweepStopped` saying how to resume.
    """
    if workers is not None and scheduler is not None:
        raise ValueError("give either workers or scheduler, not both")
    if workers is not None and workers < 1:
        raise ValueError(f"workers: got {workers}; allowed: an integer >= 1")
    if scheduler is not None:
        _scheduler_parts(scheduler)
    local.choice()  # a bad VTI_SIM_SWEEP_EXECUTOR is bad input: refused before anything is written
    exp = experiment if isinstance(experiment, Experiment) else load_experiment(experiment, max_runs=max_runs)
    _check_size(exp, max_runs)
    out = Path(out) if out is not None else Path("results") / f"sweep-{exp.name}"
    check_output_path(out)
    _check_out_dir(out, exp)  # refuse a foreign directory before the lock writes into it
    design = build_design(exp)
    total = design.n_points * exp.replicates
    nch = n_chunks(total, exp.chunk_size)
    with SweepLock(out):
        resume = _check_out_dir(out, exp)  # again under the lock: another sweep may have just started it
        if resume:
            _clean_temp(out)
            _warn_commit(out)
        todo = _chunks_to_run(out, exp, nch, total) if resume else list(range(nch))
        if not todo:
            _log(progress, f"{out}: all {total} runs already done")
            return out
        # issue 14: a local sweep runs in warm forked processes (local.py, the same guarantees) instead of a Dask
        # LocalCluster and its start-up; VTI_SIM_SWEEP_EXECUTOR=dask, --scheduler or a threaded caller use Dask
        if local.applies(workers, scheduler):
            local.run_sweep(exp, design, out, todo, total, resume, workers, progress, retries, worker_timeout)
            return out
        client, cluster = _connect(workers, scheduler, connect_timeout=connect_timeout,
                                   worker_timeout=worker_timeout)
        try:
            (out / "runs").mkdir(parents=True, exist_ok=True)
            if not resume or _design_unsound(out, design):
                _write_table(_design_table(design), out / "design.parquet")
            if not resume:  # the manifest last: its presence marks a sweep directory
                _write_json(manifest(exp, design), out / "manifest.json")
            _compute(client, exp, design, out, todo, total, progress, retries, worker_timeout)
        except (KeyboardInterrupt, SweepStopped):
            _quiet_dask_logs()  # closing a cluster mid-task logs errors and tracebacks; the CLI prints one line
            raise
        finally:
            _close(client, cluster)
    return out


def _check_size(exp: Experiment, max_runs: int) -> None:
    runs = expected_runs(exp.method, exp.samples, exp.options, exp.factors, exp.replicates)
    if runs > max_runs:
        raise SweepError(f"{exp.path or exp.name}: the design has {runs:,} runs; allowed: at most {max_runs:,} "
                         "(raise the cap with `vti-sim sweep --max-runs N` or sweep(..., max_runs=N))")


def _warn_commit(out: Path) -> None:
    old = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("provenance", {})
    if old.get("git_commit") != _versions()["git_commit"]:
        print(f"vti-sim: warning: resuming {out}, started at commit {old.get('git_commit')}; the code is now at "
              f"{_versions()['git_commit']}", file=sys.stderr)


def _chunks_to_run(out: Path, exp: Experiment, nch: int, total: int) -> list[int]:
    """The chunks to compute on resume: missing ones and kept ones that fail :func:`verify_chunk`, said so."""
    expected = schema_record(schema(exp))
    todo = []
    for c in range(nch):
        path = chunk_path(out, c)
        if not path.exists():
            todo.append(c)
            continue
        reason = verify_chunk(path, c, expected, exp.chunk_size, total)
        if reason is not None:
            print(f"vti-sim: warning: {path}: {reason}; recomputing chunk {c}", file=sys.stderr)
            todo.append(c)
    return todo


def _design_unsound(out: Path, design: Design) -> bool:
    import pyarrow.parquet as pq

    try:
        return pq.read_metadata(out / "design.parquet").num_rows != design.n_points
    except Exception:  # noqa: BLE001 - missing or damaged: write it again (it is deterministic)
        return True


def _close(client, cluster) -> None:
    with contextlib.suppress(Exception):  # the scheduler may already be gone
        client.close(timeout=10)
    if cluster is not None:
        with contextlib.suppress(Exception):  # never mask the sweep's own outcome
            cluster.close(timeout=10)


def _quiet_dask_logs() -> None:
    names = [n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] in ("distributed", "tornado")]
    for name in ("distributed", "tornado", "asyncio", *names):  # dask's config gives sub-loggers their own level
        logging.getLogger(name).setLevel(logging.CRITICAL)


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


def _connect(workers: int | None, scheduler: str | None, *, connect_timeout: float = CONNECT_TIMEOUT,
             worker_timeout: float = WORKER_TIMEOUT):
    from distributed import Client, LocalCluster

    if scheduler is not None:
        return _connect_scheduler(scheduler, connect_timeout, worker_timeout), None
    n = workers or os.cpu_count() or 1
    # no dashboard; the scheduler's small HTTP server (health checks) binds a free local port, not 8787
    with _spawn_ignoring_interrupts():
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, silence_logs=logging.CRITICAL,
                               scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
    client = Client(cluster)
    client.register_plugin(_warm_up_plugin())
    client.register_plugin(_ignore_interrupts_plugin())  # for workers the nanny restarts later
    return client, cluster


def _warm_up() -> None:
    """Import the model and run a small one into implementation with openness on, so that a worker loads
    vti-sim and all its compiled passes (numba's cache) before its first chunk, not inside it."""
    from ..outputs.result import release, simulate

    model = simulate(registry.resolve({"months": 24, "population": 20_000, "openness_start": "launch"},
                                      source="warm-up"), 0)
    model.residents.use_services(1.0, 0.5, 1.0)  # proximity services are not delivered this early
    model.residents.engage(0.5, 1.0, 0.5, 1.0)  # nor used together with participation
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


# --------------------------------------------------------------------------------------------- interrupts
@contextlib.contextmanager
def _spawn_ignoring_interrupts():
    """Start local worker processes with SIGINT ignored (inherited across exec): Ctrl-C in a terminal signals the
    whole process group, and each worker would print its own KeyboardInterrupt traceback.  This process alone
    handles Ctrl-C and closes the cluster."""
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGINT, old)


def _ignore_interrupts() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _ignore_interrupts_plugin():
    """A worker plugin for local workers only (never a user's own cluster): ignore SIGINT, see above."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class _IgnoreInterrupts(WorkerPlugin):
        name = "vti-sim-ignore-interrupts"

        def setup(self, worker) -> None:
            _ignore_interrupts()

    return _IgnoreInterrupts()


# --------------------------------------------------------------------------------------------- external scheduler
def _scheduler_parts(address: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a scheduler address, or a ParameterError saying what is allowed."""
    from urllib.parse import urlsplit

    bad = ParameterError("scheduler", f"got {address!r}; allowed: tcp://HOST:PORT or tls://HOST:PORT (the Dask "
                                      "scheduler's address, usually port 8786, not its dashboard)",
                         source="--scheduler")
    try:
        parts = urlsplit(address if "://" in address else f"tcp://{address}")
        port = parts.port
    except ValueError:
        raise bad from None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or not port or parts.path not in ("", "/"):
        raise bad
    return parts.scheme, parts.hostname, port


def _connect_scheduler(address: str, connect_timeout: float, worker_timeout: float):
    """A Client on an existing scheduler, each wait bounded: the scheduler must answer as a Dask scheduler within
    ``connect_timeout`` (Dask's own connect can hang for minutes on a port that is not Dask), and a first worker
    must join within ``worker_timeout``."""
    from distributed import Client

    scheme, host, port = _scheduler_parts(address)
    address = f"{scheme}://{host}:{port}" if ":" not in host else f"{scheme}://[{host}]:{port}"
    _probe_scheduler(address, connect_timeout)
    client = Client(address, timeout=f"{connect_timeout}s")
    try:
        client.wait_for_workers(1, timeout=worker_timeout)
    except TimeoutError:
        client.close()
        raise SweepError(f"--scheduler: {address} answers, but no worker joined within {worker_timeout:g} s; start "
                         f"workers (`dask worker {address}`) and rerun") from None
    client.register_plugin(_warm_up_plugin())
    return client


def _probe_scheduler(address: str, timeout: float) -> None:
    """Ask ``address`` who it is (Dask's ``identity``), with a hard deadline; SweepError unless a scheduler."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from distributed.comm import connect
    from distributed.security import Security

    async def identity():
        args = Security().get_connection_args("client") if address.startswith("tls://") else {}
        comm = await asyncio.wait_for(connect(address, timeout=timeout, **args), timeout)
        try:
            await asyncio.wait_for(comm.write({"op": "identity", "reply": True}), timeout)
            return await asyncio.wait_for(comm.read(), timeout)
        finally:
            comm.abort()

    with ThreadPoolExecutor(1) as pool:  # its own event loop: works inside Jupyter's running loop too
        try:
            answer = pool.submit(asyncio.run, identity()).result(timeout + 5)
        except TimeoutError:
            raise SweepError(f"--scheduler: {address} did not answer as a Dask scheduler within {timeout:g} s (is it "
                             "the scheduler's port, usually 8786, and not a dashboard or another service?)") from None
        except OSError as e:
            raise SweepError(f"--scheduler: cannot connect to {address} ({' '.join(str(e).split())[:160]}); is "
                             "`dask scheduler` running there?") from None
        except Exception as e:  # noqa: BLE001 - a non-Dask peer can make the protocol fail in many ways
            raise SweepError(f"--scheduler: {address} is not a Dask scheduler ({type(e).__name__})") from None
    kind = answer.get("type") if isinstance(answer, dict) else None
    if kind != "Scheduler":
        raise SweepError(f"--scheduler: {address} is {'a Dask ' + str(kind) if kind else 'not a Dask scheduler'}, "
                         "not a scheduler")


def _compute(client, exp: Experiment, design: Design, out: Path, todo: list[int], total: int, progress: bool,
             retries: int, worker_timeout: float = WORKER_TIMEOUT) -> None:
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
    inflight = {f.key: (f, c) for c in itertools.islice(pending, window) for f in [submit(c)]}
    bar = tqdm(total=total, initial=done_runs, unit="run", file=sys.stderr, disable=not progress,
               desc=exp.name, smoothing=0.05, dynamic_ncols=True)
    health = _Health(client, worker_timeout)

    def stopped(reason: str) -> SweepStopped:
        saved = done_runs + runs_done
        return SweepStopped(f"{reason}; {saved:,} of {total:,} runs are saved in {out}: rerun the same command "
                            "to resume")

    # "Couldn't gather ... rescheduling" and "Batched Comm Closed" tracebacks when a worker or the scheduler goes:
    # the health check and the one-line SweepStopped speak instead
    quieted = {name: logging.getLogger(name).level for name in ("distributed.client", "distributed.batched")}
    for name in quieted:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        while inflight:
            done = _wait_some([f for f, _ in inflight.values()])
            if not done:
                problem = health.check()
                if problem:
                    raise stopped(problem)
                continue
            for fut in done:
                _, chunk = inflight.pop(fut.key)
                cols = _chunk_result(fut, chunk, exp, client, stopped, health)
                compute_s += cols.pop(COMPUTE_KEY, [0.0])[0]
                _write_table(_table(cols, sch), chunk_path(out, chunk))
                bar.update(len(cols["run_id"]))
                runs_done += len(cols["run_id"])
                fut.release()
            if time.monotonic() - checked > 5.0:  # workers may join or leave a shared cluster
                with contextlib.suppress(Exception):
                    window, checked = _window(client), time.monotonic()
            while len(inflight) < window and (nxt := next(pending, None)) is not None:
                f = submit(nxt)
                inflight[f.key] = (f, nxt)
    except BaseException:
        with contextlib.suppress(Exception):
            client.cancel([f for f, _ in inflight.values()])
        raise
    finally:
        for name, level in quieted.items():
            logging.getLogger(name).setLevel(level)
        bar.close()
        try:
            threads = sum(client.nthreads().values()) if client.status == "running" else None
            _record_timing(out, {"started": started_at, "runs": runs_done, "wall_s": time.perf_counter() - started,
                                 "compute_s": compute_s, "worker_threads": threads})
        except Exception:  # noqa: BLE001 - timing is informative; never mask the sweep's own outcome
            pass


def _wait_some(futures: list) -> list:
    """The futures that complete within POLL seconds (maybe none): the loop never blocks without a bound."""
    from distributed import wait

    try:
        return list(wait(futures, timeout=POLL, return_when="FIRST_COMPLETED").done)
    except TimeoutError:
        return []
    except Exception:  # noqa: BLE001 - the connection to the scheduler broke: the health check says so
        return []


def _chunk_result(fut, chunk: int, exp: Experiment, client, stopped, health: _Health) -> dict[str, list]:
    """A finished chunk's columns; a chunk lost with its workers or scheduler stops the sweep (resumable).

    The wait is bounded: a result held by a worker that dies before it is gathered is rescheduled ("Couldn't
    gather ... rescheduling"), and with no live worker left ``fut.result()`` would wait for ever."""
    from distributed import KilledWorker

    try:
        while True:
            try:
                return fut.result(timeout=POLL)
            except TimeoutError:
                if problem := health.check():
                    raise stopped(problem) from None
    except SweepStopped:
        raise
    except KilledWorker:
        raise stopped(f"chunk {chunk} was running on workers that died (Dask KilledWorker: a worker ran out of "
                      "memory or was killed)") from None
    except Exception as e:
        if client.status != "running" or type(e).__name__ in ("CancelledError", "CommClosedError",
                                                               "FutureCancelledError"):
            raise stopped(f"lost the Dask scheduler ({type(e).__name__})") from None
        raise RuntimeError(f"chunk {chunk} (runs {chunk * exp.chunk_size}…) failed: {e!r}") from e


class _Health:
    """Checked whenever no chunk completes for a while: the scheduler must still be there, and a sweep with no
    live worker stops after ``worker_timeout`` seconds (with a warning when the wait starts)."""

    def __init__(self, client, worker_timeout: float):
        self.client = client
        self.worker_timeout = worker_timeout
        self.alone_since: float | None = None

    def check(self) -> str | None:
        if self.client.status != "running":
            return f"lost the Dask scheduler (client {self.client.status})"
        try:
            threads = sum(self.client.nthreads().values())
        except Exception as e:  # noqa: BLE001 - the scheduler went away between the two calls
            return f"lost the Dask scheduler ({type(e).__name__})"
        if threads:
            self.alone_since = None
            return None
        now = time.monotonic()
        if self.alone_since is None:
            self.alone_since = now
            print(f"vti-sim: warning: no live Dask worker; waiting up to {self.worker_timeout:g} s for one",
                  file=sys.stderr)
        elif now - self.alone_since > self.worker_timeout:
            return f"no live Dask worker for {self.worker_timeout:g} s"
        return None


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
