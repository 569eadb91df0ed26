"""The sweep engine (issue 4): experiment validation, deterministic designs, Dask execution, resume."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import vti_sim.experiments as sw
from tests.tiny_sweep import TINY, tiny
from vti_sim.experiments import chunks, runner, store
from vti_sim.registry import ParameterError

ROOT = Path(__file__).resolve().parents[1]

def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vti_sim.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=kw.pop("cwd", ROOT), **kw)


def cli_here(*args: str) -> subprocess.CompletedProcess:
    """The CLI in this process (typer's runner): for checks of bad input, which need no real process."""
    from typer.testing import CliRunner

    from vti_sim.cli import app

    r = CliRunner().invoke(app, list(args))
    return subprocess.CompletedProcess(list(args), r.exit_code, r.stdout, r.stderr)


def frame(out: Path) -> pd.DataFrame:
    return sw.load_results(out)


# ------------------------------------------------------------------------------------------- design, no cluster
def test_design_is_deterministic_and_decoded_within_ranges(tmp_path):
    exp = sw.load_experiment(tiny(tmp_path))
    a, b = sw.build_design(exp), sw.build_design(exp)
    assert np.array_equal(a.x, b.x)
    assert all(np.array_equal(a.points[k], b.points[k]) for k in a.points)
    assert a.n_points == 6
    assert set(a.points["openness_start"]) <= {"launch", "structure_first", "never"}
    assert a.points["working_groups"].dtype == np.int64 and a.points["working_groups"].min() >= 0
    assert a.points["working_groups"].max() <= 5
    assert a.points["facilitation_fte"].min() >= 0.0 and a.points["facilitation_fte"].max() <= 4.0
    # the vectorised decoding equals the registry's Parameter.decode, point by point
    for j, f in enumerate(exp.factors):
        assert a.points[f.name].tolist() == [f.decode(v) for v in a.x[:, j]]
    openness = exp.factors[0].param
    assert [openness.decode(v) for v in a.x[:, 0]] == a.points["openness_start"].tolist()
    other = sw.parse_experiment(TINY.format(name="tiny", chunk=5, samples=6).replace("seed = 7", "seed = 8"))
    assert not np.array_equal(sw.build_design(other).x, a.x)


def test_sobol_morris_grid_sizes(tmp_path):
    base = "name = 'd'\nseed = 1\nmonths = 2\n[vary]\nhr_support = { min = 0.1, max = 0.9 }\n" \
           "openness_start = ['launch', 'never']\n"
    sobol = sw.parse_experiment(base + "[design]\nmethod = 'sobol'\nsamples = 8\n")
    assert sw.build_design(sobol).n_points == 8 * (2 * 2 + 2)
    assert sobol.problem()["bounds"] == [[0.1, 0.9], [0.0, 2.0]]
    first = sw.parse_experiment(base + "[design]\nmethod = 'sobol'\nsamples = 8\nsecond_order = false\n")
    assert sw.build_design(first).n_points == 8 * (2 + 2)
    morris = sw.parse_experiment(base + "[design]\nmethod = 'morris'\nsamples = 5\n")
    assert sw.build_design(morris).n_points == 5 * (2 + 1)
    grid = sw.parse_experiment(base.replace("{ min = 0.1, max = 0.9 }", "{ min = 0.1, max = 0.9, levels = 3 }"))
    d = sw.build_design(grid)
    assert d.n_points == 6
    assert sorted(set(d.points["hr_support"])) == pytest.approx([0.1, 0.5, 0.9])


def test_run_seed_is_the_documented_seedsequence():
    expected = np.random.SeedSequence(entropy=7, spawn_key=(3, 1)).generate_state(1)[0]
    assert sw.run_seed(7, 3, 1) == int(expected)
    assert sw.run_seed(7, 3, 1) != sw.run_seed(7, 1, 3)


def test_run_chunk_returns_schema_typed_columns(tmp_path):
    exp = sw.load_experiment(tiny(tmp_path))
    design = sw.build_design(exp)
    cols = sw.run_chunk(chunks.chunk_task(exp, design, 1))
    assert cols["run_id"] == [5, 6, 7, 8, 9]
    assert cols["point"] == [2, 3, 3, 4, 4] and cols["replicate"] == [1, 0, 1, 0, 1]
    table = store._table(cols, chunks.schema(exp))
    assert table.schema.field("plateau_month").type == "double"
    assert table.schema.field("phase_name__m6").type == "string"
    assert set(table.column("phase_name__m12").to_pylist()) <= {"launch", "planning", "implementation", "evaluation"}


# ------------------------------------------------------------------------------------------- determinism
def test_same_results_whatever_workers_and_chunking(tmp_path):
    one = sw.sweep(tiny(tmp_path, chunk=5, file="a.toml"), workers=1, out=tmp_path / "w1", progress=False)
    two = sw.sweep(tiny(tmp_path, chunk=5, file="a.toml"), workers=2, out=tmp_path / "w2", progress=False)
    rechunked = sw.sweep(tiny(tmp_path, chunk=3, file="b.toml"), workers=2, out=tmp_path / "c3", progress=False)
    a, b, c = frame(one), frame(two), frame(rechunked)
    assert len(a) == 12 and a["run_id"].tolist() == list(range(12))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert len(list((tmp_path / "c3" / "runs").glob("chunk-*.parquet"))) == 4
    assert len(list((tmp_path / "w2" / "runs").glob("chunk-*.parquet"))) == 3
    man = json.loads((one / "manifest.json").read_text())
    assert man["total_runs"] == 12 and man["design"]["salib_problem"]["names"] == ["openness_start",
                                                                                   "facilitation_fte",
                                                                                   "working_groups"]
    design = pd.read_parquet(one / "design.parquet")
    merged = a.merge(design, on="point", suffixes=("", "_design"))
    assert (merged["facilitation_fte"] == merged["facilitation_fte_design"]).all()
    # the seeds are the documented ones, and replicates of a point differ
    assert a["seed"].tolist() == [sw.run_seed(7, p, r) for p, r in zip(a["point"], a["replicate"], strict=True)]

    # a different experiment in the same out dir is refused; nothing is overwritten
    other = write(tmp_path, TINY.format(name="tiny", chunk=5, samples=7), "c.toml")
    with pytest.raises(sw.SweepError, match="different experiment"):
        sw.sweep(other, workers=1, out=one, progress=False)
    pd.testing.assert_frame_equal(frame(one), a)


# ------------------------------------------------------------------------------------------- kill -9 and resume
@pytest.fixture(scope="module")
def reference120(tmp_path_factory) -> pd.DataFrame:
    """The uninterrupted result of ``tiny(chunk=4, samples=60)`` (120 runs, 30 chunks)."""
    tmp = tmp_path_factory.mktemp("reference")
    return frame(sw.sweep(tiny(tmp, chunk=4, samples=60), workers=2, out=tmp / "clean", progress=False))


def test_sigkill_then_resume_gives_the_uninterrupted_dataset(tmp_path, reference120):
    exp = tiny(tmp_path, chunk=4, samples=60)  # 120 runs, 30 chunks
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "sweep", str(exp), "--workers", "1",
                             "--out", str(out), "--quiet"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not list(out.glob("runs/chunk-*.parquet")):
            assert proc.poll() is None, "sweep ended before writing a chunk"
            assert time.monotonic() < deadline, "no chunk written within 60 s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        with contextlib.suppress(ProcessLookupError):  # the LocalCluster's workers live in the session we created
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL
    done = len(list((out / "runs").glob("chunk-*.parquet")))
    assert 0 < done < 30, f"expected a partial sweep, found {done} chunks"

    rerun = cli("sweep", str(exp), "--workers", "2", "--out", str(out), "--quiet")
    assert rerun.returncode == 0, rerun.stderr
    assert len(list((out / "runs").glob("chunk-*.parquet"))) == 30
    assert not list(out.rglob(".*.tmp"))

    resumed = frame(out)
    assert resumed["run_id"].is_unique and resumed["run_id"].tolist() == list(range(120))
    pd.testing.assert_frame_equal(resumed, reference120)


def test_a_worker_killed_mid_sweep_has_its_task_retried(tmp_path, reference120):
    psutil = pytest.importorskip("psutil")
    exp = tiny(tmp_path, chunk=4, samples=60)  # 120 runs, 30 chunks
    out = tmp_path / "crash"
    proc = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "sweep", str(exp), "--workers", "2",
                             "--out", str(out), "--quiet"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "VTI_SIM_SWEEP_EXECUTOR": "dask"})  # local.py has its own test
    try:
        deadline = time.monotonic() + 60
        while not list(out.glob("runs/chunk-*.parquet")):
            assert proc.poll() is None and time.monotonic() < deadline, "no chunk written"
            time.sleep(0.02)
        workers = [c for c in psutil.Process(proc.pid).children(recursive=True)
                   if "spawn_main" in " ".join(c.cmdline())]
        assert workers, "no Dask worker process found"
        workers[0].send_signal(signal.SIGKILL)  # dies mid-task; the nanny restarts it, the scheduler retries
        _, err = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, err[-2000:]
    assert len(list((out / "runs").glob("chunk-*.parquet"))) == 30
    pd.testing.assert_frame_equal(frame(out), reference120)


# ------------------------------------------------------------------------------------------- external cluster
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port}")


@pytest.fixture
def dask_cluster(tmp_path):
    """A real ``dask scheduler`` and ``dask worker``, as separate processes on 127.0.0.1."""
    port = _free_port()
    procs = []
    try:
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                       "--port", str(port), "--no-dashboard"], cwd=tmp_path,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        _wait_port(port, 30)
        address = f"tcp://127.0.0.1:{port}"
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                       "--nworkers", "1", "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
                                       "--local-directory", str(tmp_path / "dask-worker")], cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        yield address
    finally:
        for p in reversed(procs):  # worker first, then scheduler
            p.terminate()
            try:
                p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_sweep_on_an_external_scheduler(tmp_path, dask_cluster):
    exp = tiny(tmp_path)
    res = cli("sweep", str(exp), "--scheduler", dask_cluster, "--out", str(tmp_path / "remote"), "--quiet")
    assert res.returncode == 0, res.stderr
    local = sw.sweep(exp, workers=1, out=tmp_path / "local", progress=False)
    pd.testing.assert_frame_equal(frame(tmp_path / "remote"), frame(local))


def test_unreachable_scheduler_is_a_clean_error(tmp_path):
    res = cli("sweep", str(tiny(tmp_path)), "--scheduler", f"tcp://127.0.0.1:{_free_port()}",
              "--out", str(tmp_path / "o"), "--quiet")
    assert res.returncode == 2
    assert "--scheduler" in res.stderr
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------------------------------- bad input
GOOD = TINY.format(name="bad", chunk=5, samples=6)
BAD = {
    "unknown_parameter": (GOOD.replace("working_groups = {", "working_grups = {"), "vary.working_grups", 14),
    "range_outside_registry": (GOOD.replace("max = 4.0", "max = 40.0"), "vary.facilitation_fte", 13),
    "bad_method": (GOOD.replace('"lhs"', '"latin_square"'), "design.method", 8),
    "toml_syntax": (GOOD.replace("samples = 6", "samples = = 6"), "toml", 9),
    "choice_as_range": (GOOD.replace('["launch", "structure_first", "never"]', "{ min = 0, max = 2 }"),
                        "vary.openness_start", 12),
    "unknown_output": (GOOD.replace('"final_trust"', '"final_turst"'), "outputs.summary", 17),
    "unknown_top_key": ("replicate = 3\n" + GOOD, "replicate", 1),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_experiment_exit_2_one_line_nothing_written(tmp_path, case):
    text, field, line = BAD[case]
    path = write(tmp_path, text, "bad.toml")
    out = tmp_path / "out"
    res = cli("sweep", str(path), "--out", str(out), "--workers", "1")
    assert res.returncode == 2, res.stderr
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"vti-sim: error: {path}:{line}: {field}:"), err
    assert not out.exists()
    with pytest.raises(ParameterError) as info:  # the Python API raises the same error
        sw.load_experiment(path)
    assert info.value.field == field and info.value.line == line


def test_missing_experiment_file_and_conflicting_options(tmp_path):
    res = cli("sweep", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "nope.toml" in res.stderr
    res = cli("sweep", str(tiny(tmp_path)), "--workers", "2", "--scheduler", "tcp://127.0.0.1:1",
              "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "--workers" in res.stderr
    assert not (tmp_path / "o").exists()


def test_shipped_experiments_validate():
    sizes = {}
    for name in ("smoke", "bench", "sobol_levers"):
        exp = sw.load_experiment(ROOT / "experiments" / f"{name}.toml")
        sizes[name] = sw.build_design(exp).n_points * exp.replicates
    assert sizes["smoke"] <= 200
    assert 1500 <= sizes["bench"] <= 2500
    assert sizes["sobol_levers"] > 10_000


def _kernels_not_loaded() -> set[str]:
    """In a worker: the compiled passes not yet loaded (importing the package alone loads none of them)."""
    from numba.core.registry import CPUDispatcher

    from vti_sim.model import agents, feedback, month, phases, portfolio, value

    return {f"{m.__name__}.{k}" for m in (agents, feedback, month, phases, portfolio, value)
            for k, v in vars(m).items() if isinstance(v, CPUDispatcher) and not v.signatures}


def _kernels_a_run_loads() -> list[str]:
    """In a worker: the compiled passes that a run of each shipped scenario loads (none, once warmed up)."""
    from vti_sim import run
    from vti_sim.scenarios import list_scenarios

    before = _kernels_not_loaded()
    for name in list_scenarios():
        run(name, seed=1)
    return sorted(before - _kernels_not_loaded())


def test_workers_are_warmed_up_before_their_first_chunk():
    """A joining worker imports the model and loads its compiled passes (numba cache) as part of start-up, so
    that the load is not billed to its first chunk (benchmarks/README.md, Sweeps)."""
    client, cluster = runner._connect(1, None)
    try:
        # passes composed inside others (``model.month``, ``_develop`` ...) are compiled into them and need no load
        # of their own: what counts is that no run loads anything after the warm-up
        assert list(client.run(_kernels_a_run_loads).values()) == [[]]
    finally:
        client.close()
        cluster.close()


# ------------------------------------------------------------------------------------------- issue 15: nothing lost
def _one_line(res: subprocess.CompletedProcess, code: int, *needles: str) -> str:
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == code, res.stderr[-3000:]
    assert len(lines) == 1 and lines[0].startswith("vti-sim: "), res.stderr[-3000:]
    assert "Traceback" not in res.stderr
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return lines[0]


def test_resume_recomputes_damaged_chunks_and_status_tells_the_truth(tmp_path):
    import pyarrow.parquet as pq

    exp = tiny(tmp_path, chunk=2)  # 12 runs, 6 chunks
    out = tmp_path / "o"
    old_umask = os.umask(0o022)
    try:
        sw.sweep(exp, workers=1, out=out, progress=False)
    finally:
        os.umask(old_umask)
    # collaborators on a shared directory can read every file (mkstemp alone makes them 0600)
    for p in [out / "manifest.json", out / "design.parquet", *out.glob("runs/*.parquet")]:
        assert p.stat().st_mode & 0o777 == 0o644, p
    clean = frame(out)
    assert sw.status(out)["complete"]
    chunk = lambda c: store.chunk_path(out, c)  # noqa: E731
    chunk(0).write_bytes(chunk(0).read_bytes()[:100])  # truncated
    chunk(1).write_bytes(b"")  # zero bytes
    pq.write_table(pq.read_table(chunk(2)).slice(0, 1), chunk(2))  # short: 1 row of 2
    chunk(3).write_bytes(chunk(4).read_bytes())  # run ids of another chunk
    pq.write_table(pq.read_table(chunk(5)).drop(["final_trust"]), chunk(5))  # another schema
    st = sw.status(out)
    assert not st["complete"] and st["chunks_done"] == 1 and sorted(st["bad_chunks"]) == [0, 1, 2, 3, 5]
    assert st["runs_done"] == 2
    res = cli("sweep", str(exp), "--workers", "1", "--out", str(out), "--quiet")
    assert res.returncode == 0, res.stderr
    for c in (0, 1, 2, 3, 5):
        assert f"recomputing chunk {c}" in res.stderr
    assert "recomputing chunk 4" not in res.stderr
    assert sw.status(out) == {"chunks_done": 6, "n_chunks": 6, "runs_done": 12, "total_runs": 12, "bad_chunks": {},
                              "complete": True}
    pd.testing.assert_frame_equal(frame(out), clean)


def test_a_second_sweep_on_the_same_directory_is_refused_and_kill_9_frees_it(tmp_path):
    exp = tiny(tmp_path, chunk=2, samples=1500)  # 3,000 runs: still going while the second sweep starts
    out = tmp_path / "shared"
    first = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "sweep", str(exp), "--workers", "1",
                              "--out", str(out), "--quiet"], cwd=ROOT, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not list(out.glob("runs/chunk-*.parquet")):
            assert first.poll() is None and time.monotonic() < deadline, "no chunk written"
            time.sleep(0.05)
        second = cli("sweep", str(exp), "--workers", "1", "--out", str(out), "--quiet")
        assert first.poll() is None, "the first sweep ended before the second was refused"
        _one_line(second, 2, str(out), "another sweep is running", f"pid {first.pid}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    st = sw.status(out)
    assert 0 < st["chunks_done"] < st["n_chunks"]
    with store.SweepLock(out):  # the kernel released the lock of the killed sweep: a rerun may take it
        pass


@pytest.mark.parametrize("executor", ["local", "dask"])
def test_ctrl_c_prints_one_line_and_the_sweep_resumes(tmp_path, executor):
    exp = tiny(tmp_path, chunk=2, samples=60)  # 120 runs, 60 chunks: still running when Ctrl-C comes
    out = tmp_path / "ctrl_c"
    proc = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "sweep", str(exp), "--workers", "2",
                             "--out", str(out), "--quiet"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "VTI_SIM_SWEEP_EXECUTOR": executor})
    try:
        deadline = time.monotonic() + 90
        while not list(out.glob("runs/chunk-*.parquet")):
            assert proc.poll() is None and time.monotonic() < deadline, "no chunk written"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C: the whole process group
        _, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert [ln for ln in err.splitlines() if ln.strip()] == ["vti-sim: interrupted; rerun the same command to resume"]
    st = sw.status(out)
    assert not st["complete"] and not st["bad_chunks"]  # nothing half-written: every chunk kept verifies
    assert cli("sweep", str(exp), "--workers", "2", "--out", str(out), "--quiet").returncode == 0
    assert sw.status(out)["complete"] and frame(out)["run_id"].tolist() == list(range(120))


@pytest.mark.parametrize("target", ["process", "group"])
def test_sigterm_stops_a_sweep_like_ctrl_c_and_it_resumes(tmp_path, target):
    """``kill PID`` (or a batch scheduler's SIGTERM to the whole job) interrupts as Ctrl-C does: one line,
    exit 130, no temporary file left, and the same command finishes the sweep."""
    exp = tiny(tmp_path, chunk=2, samples=60)
    out = tmp_path / "term"
    proc = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "sweep", str(exp), "--workers", "2",
                             "--out", str(out), "--quiet"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "VTI_SIM_SWEEP_EXECUTOR": "local"})
    try:
        deadline = time.monotonic() + 90
        while not list(out.glob("runs/chunk-*.parquet")):
            assert proc.poll() is None and time.monotonic() < deadline, "no chunk written"
            time.sleep(0.02)
        if target == "group":
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert [ln for ln in err.splitlines() if ln.strip()] == ["vti-sim: interrupted; rerun the same command to resume"]
    assert not sw.status(out)["complete"]
    assert not [p.name for p in out.rglob("*") if p.name.endswith(".tmp")]  # .lock stays: a flock, released
    assert cli("sweep", str(exp), "--workers", "2", "--out", str(out), "--quiet").returncode == 0
    assert sw.status(out)["complete"] and frame(out)["run_id"].tolist() == list(range(120))


def _interrupt_at_line(k: int):
    """A trace function that raises KeyboardInterrupt at the ``k``-th line run (in any frame): a signal arriving
    there, as Python delivers one between lines."""
    seen = [0]

    def trace(frame, event, arg):
        if event == "line":
            seen[0] += 1
            if seen[0] == k:
                raise KeyboardInterrupt
        return trace
    return trace, seen


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # a ParquetWriter interrupted mid-way
@pytest.mark.parametrize("kind", ["parquet", "json"])
def test_an_interrupt_at_any_line_of_an_atomic_write_leaves_the_old_file_and_no_temporary_file(tmp_path, kind):
    """The CI failure of the SIGTERM test above: a signal inside ``mkstemp`` (after it created the file, before it
    returned the name) left ``.chunk-*.parquet.*.tmp``.  Here an interrupt lands at every line the write runs,
    in turn: each time the target keeps its old content, whole, and nothing else is left in the directory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / ("chunk.parquet" if kind == "parquet" else "manifest.json")
    write = ((lambda: store._write_table(pa.table({"x": [1, 2]}), path)) if kind == "parquet"
             else (lambda: store._write_json({"x": [1, 2]}, path)))
    read = (lambda: pq.read_table(path).to_pydict()) if kind == "parquet" else (lambda: json.loads(path.read_text()))
    write()
    old = read()
    k, interrupted = 0, 0
    while True:
        k += 1
        trace, seen = _interrupt_at_line(k)
        sys.settrace(trace)
        try:
            write()
        except KeyboardInterrupt:
            interrupted += 1
        finally:
            sys.settrace(None)
        assert sorted(p.name for p in tmp_path.iterdir()) == [path.name], k
        assert read() == old, k
        if seen[0] < k:  # the write ran to its end before line k: every line has been tried
            break
    assert interrupted > 20  # the write's own lines and those of what it calls


def test_a_port_that_is_not_dask_fails_within_the_timeout(tmp_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, 30)
        started = time.monotonic()
        res = cli("sweep", str(tiny(tmp_path)), "--scheduler", f"tcp://127.0.0.1:{port}", "--connect-timeout", "3",
                  "--out", str(tmp_path / "o"), "--quiet", timeout=100)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    _one_line(res, 2, "--scheduler", "did not answer as a Dask scheduler within 3 s")
    assert elapsed < 60, elapsed  # interpreter start-up and validation included; Dask alone waited > 100 s
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("address", ["http://127.0.0.1:8786", "127.0.0.1", "tcp://127.0.0.1:8786/status",
                                     "tcp://:8786"])
def test_a_scheduler_address_that_is_not_tcp_or_tls_is_refused(tmp_path, address):
    res = cli_here("sweep", str(tiny(tmp_path)), "--scheduler", address, "--out", str(tmp_path / "o"), "--quiet")
    _one_line(res, 2, "--scheduler", "tcp://HOST:PORT")
    assert not (tmp_path / "o").exists()


@pytest.fixture
def dask_scheduler_only(tmp_path):
    """A real ``dask scheduler`` with no worker yet, and a way to start and kill workers (own process groups)."""
    port = _free_port()
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], cwd=tmp_path, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    address = f"tcp://127.0.0.1:{port}"

    def start_worker() -> subprocess.Popen:
        p = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
                              "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1",
                              "--local-directory", str(tmp_path / "dask-worker")], cwd=ROOT, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(p)
        return p

    try:
        _wait_port(port, 30)
        yield address, procs[0], start_worker
    finally:
        for p in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)


def test_a_scheduler_without_workers_says_so(tmp_path, dask_scheduler_only):
    address, _, _ = dask_scheduler_only
    res = cli("sweep", str(tiny(tmp_path)), "--scheduler", address, "--worker-timeout", "3",
              "--out", str(tmp_path / "o"), "--quiet")
    line = _one_line(res, 2, "--scheduler", address, "no worker joined within 3 s", "dask worker")
    assert "cannot connect" not in line
    assert not (tmp_path / "o").exists()


def _sweep_until_a_chunk(exp: Path, out: Path, *args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "sweep", str(exp), "--out", str(out), "--quiet",
                             *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("runs/chunk-*.parquet")):
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "no chunk written"
        time.sleep(0.02)
    return proc


def test_every_worker_dead_stops_with_how_to_resume(tmp_path, dask_scheduler_only):
    address, _, start_worker = dask_scheduler_only
    worker = start_worker()
    exp = tiny(tmp_path, chunk=2, samples=40)  # 80 runs
    out = tmp_path / "o"
    proc = _sweep_until_a_chunk(exp, out, "--scheduler", address, "--worker-timeout", "5")
    try:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its nanny: nobody restarts it
        started = time.monotonic()
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert time.monotonic() - started < 60
    assert proc.returncode == 1, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines[0].startswith("vti-sim: warning: no live Dask worker"), err
    assert len(lines) == 2 and "no live Dask worker for 5 s" in lines[1] and "rerun the same command" in lines[1]
    assert str(out) in lines[1] and "Traceback" not in err
    assert not sw.status(out)["complete"]
    start_worker()
    res = cli("sweep", str(exp), "--scheduler", address, "--out", str(out), "--quiet", timeout=300)
    assert res.returncode == 0, res.stderr
    assert sw.status(out)["complete"] and frame(out)["run_id"].tolist() == list(range(80))


def test_the_scheduler_dying_mid_sweep_is_one_line(tmp_path, dask_scheduler_only):
    address, scheduler, start_worker = dask_scheduler_only
    start_worker()
    exp = tiny(tmp_path, chunk=2, samples=40)
    out = tmp_path / "o"
    proc = _sweep_until_a_chunk(exp, out, "--scheduler", address)
    try:
        os.killpg(scheduler.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, err
    assert len([ln for ln in err.splitlines() if ln.strip()]) == 1, err
    assert "lost the Dask scheduler" in err and "rerun the same command to resume" in err
    assert "Traceback" not in err
    assert cli("sweep", str(exp), "--workers", "2", "--out", str(out), "--quiet", timeout=300).returncode == 0
    assert sw.status(out)["complete"]


# ------------------------------------------------------------------------------------------- issue 15: bad input
@pytest.mark.parametrize("design, runs", [
    ("[design]\nmethod = 'lhs'\nsamples = 1000000000\n[vary]\nhr_support = { min = 0.1, max = 0.9 }\n",
     "1,000,000,000 runs"),
    ("[vary]\nhr_support = { min = 0.1, max = 0.9, levels = 1000000 }\n"
     "data_culture = { min = 0.1, max = 0.9, levels = 1000000 }\n"
     "co_evaluation = { min = 0.1, max = 0.9, levels = 1000000 }\n", "1,000,000,000,000,000,000 runs"),
])
def test_designs_above_the_cap_are_refused_with_the_run_count(tmp_path, design, runs):
    path = write(tmp_path, "name = 'big'\nseed = 1\nmonths = 2\n" + design, "big.toml")
    started = time.monotonic()
    res = cli_here("sweep", str(path), "--out", str(tmp_path / "o"), "--quiet")
    _one_line(res, 2, str(path), runs, "at most 10,000,000", "--max-runs")
    assert time.monotonic() - started < 60  # refused before the design is drawn, not after exhausting memory
    assert not (tmp_path / "o").exists()
    small = "name = 's'\nseed = 1\nmonths = 2\n[vary]\nhr_support = { min = 0.1, max = 0.9, levels = 30 }\n"
    with pytest.raises(ParameterError, match="900 runs"):
        sw.parse_experiment(small + "data_culture = { min = 0.1, max = 0.9, levels = 30 }\n", max_runs=899)
    assert sw.parse_experiment(small + "data_culture = { min = 0.1, max = 0.9, levels = 30 }\n", max_runs=900)


BAD_15 = {  # experiment text -> what the one error line must hold
    "huge_integer_fixed": ("[fixed]\nfacilitation_fte = 1" + "0" * 400 + "\n", ["bad.toml:7", "facilitation_fte"]),
    "huge_integer_range": ("[vary]\nfacilitation_fte = { min = 0, max = 1" + "0" * 400 + " }\n",
                           ["bad.toml:7", "vary.facilitation_fte"]),
    "deep_nesting": ("[vary]\nfacilitation_fte = " + "[" * 5000 + "]" * 5000 + "\n", ["bad.toml", "toml", "deep"]),
    "quoted_fixed": ("[fixed]\nfacilitation_fte = \"2\"\n", ["bad.toml:7", "facilitation_fte", "without quotes"]),
    "inline_fixed": ("fixed = { copil_per_year = 2, facilitation_fte = 11 }\n",
                     ["bad.toml:6", "facilitation_fte", "[0, 10]"]),
    "quoted_list": ("[vary]\nfacilitation_fte = [\"1\", \"2\"]\n", ["bad.toml:7", "vary.facilitation_fte", "quotes"]),
    "quoted_range": ("[vary]\nfacilitation_fte = { min = \"0\", max = 2 }\n", ["bad.toml:7", "without quotes"]),
    "quoted_months": ("months = \"12\"\n[vary]\nfacilitation_fte = [1.0, 2.0]\n", ["bad.toml:6", "months", "quotes"]),
    "no_outputs": ("[vary]\nfacilitation_fte = [1.0, 2.0]\n[outputs]\nsummary = []\n",
                   ["bad.toml:9", "outputs.summary", "empty"]),
}


@pytest.mark.parametrize("case", sorted(BAD_15))
def test_more_bad_experiments_are_one_line(tmp_path, case):
    text, needles = BAD_15[case]
    if "[vary]" not in text:
        text += "[vary]\nhr_support = [0.1, 0.2]\n"
    header = "name = 'bad'\nseed = 1\nreplicates = 1\ndescription = 'five header lines'\n"
    header += "chunk_size = 5\n" if text.startswith("months") else "months = 2\n"
    path = write(tmp_path, header + text, "bad.toml")
    res = cli_here("sweep", str(path), "--out", str(tmp_path / "o"), "--quiet")
    _one_line(res, 2, *needles)
    assert not (tmp_path / "o").exists()


def test_non_utf8_experiment_file_is_one_line(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(TINY.format(name="x", chunk=5, samples=6).replace("tiny", "x").encode() +
                     "# Besançon\n".encode("latin-1"))
    _one_line(cli_here("sweep", str(path), "--out", str(tmp_path / "o")), 2, str(path), "UTF-8")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("where", ["proc", "below_a_file", "dot", "dotdot", "immutable"])
def test_sweep_out_that_cannot_be_written_is_refused_before_computing(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    frozen = tmp_path / "frozen"
    if where == "immutable":
        frozen.mkdir()
        if subprocess.run(["chattr", "+i", str(frozen)], capture_output=True).returncode != 0:
            pytest.skip("chattr +i is not available here")
    out = {"proc": "/proc/vti-out", "below_a_file": str(tmp_path / "afile" / "o"), "dot": ".", "dotdot": "..",
           "immutable": str(frozen / "o")}[where]
    try:
        res = cli_here("sweep", str(tiny(tmp_path)), "--out", out, "--workers", "1", "--quiet")
    finally:
        if where == "immutable":
            subprocess.run(["chattr", "-i", str(frozen)], check=True)
    _one_line(res, 2, "--out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "exp.toml"] + (["frozen"] if where == "immutable"
                                                                                   else [])


def test_a_changed_base_scenario_is_reported_by_parameter(tmp_path):
    (tmp_path / "base.toml").write_text("[params]\nfacilitation_fte = 1.0\n", encoding="utf-8")
    exp = write(tmp_path, "name = 'b'\nseed = 1\nmonths = 2\nscenario = 'base.toml'\n"
                          "[vary]\nhr_support = [0.1, 0.2]\n")
    out = tmp_path / "o"
    sw.sweep(exp, workers=1, out=out, progress=False)
    (tmp_path / "base.toml").write_text("[params]\nfacilitation_fte = 2.0\n", encoding="utf-8")
    line = _one_line(cli_here("sweep", str(exp), "--out", str(out), "--quiet"), 2, "different experiment",
                     "facilitation_fte 1.0 → 2.0", "base.toml")
    assert "≠" not in line


def test_import_works_where_neither_the_package_nor_home_is_writable(tmp_path):
    """Service-account Dask workers: read-only install, read-only $HOME; numba's kernel cache must go elsewhere."""
    import shutil

    site = tmp_path / "site"
    shutil.copytree(ROOT / "vti_sim", site / "vti_sim", ignore=shutil.ignore_patterns("__pycache__"))
    dirs = [site, *[p for p in site.rglob("*") if p.is_dir()]]
    if subprocess.run(["chattr", "+i", *map(str, dirs)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env.update(PYTHONPATH=str(site), HOME="/proc/vti-sim-no-home", XDG_CACHE_HOME="/proc/vti-sim-no-cache",
               PYTHONDONTWRITEBYTECODE="1")
    try:
        res = subprocess.run([sys.executable, "-c", "import vti_sim, vti_sim._kernel_cache as k; "
                              "print(vti_sim.__file__); print(k.KERNEL_CACHE_FALLBACK); "
                              "print(len(vti_sim.run(seed=1, months=2).timeseries))"],
                             capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    finally:
        subprocess.run(["chattr", "-i", *map(str, dirs)], check=True)
    assert res.returncode == 0, res.stderr[-2000:]
    file, fallback, months = res.stdout.split()
    assert file.startswith(str(site)) and "vti-sim-numba-cache" in fallback and months == "2"
