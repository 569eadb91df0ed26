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
from vti_sim.experiments import chunks, runner, store
from vti_sim.registry import ParameterError

ROOT = Path(__file__).resolve().parents[1]

TINY = """\
name = "{name}"
seed = 7
replicates = 2
chunk_size = {chunk}
months = 12

[design]
method = "lhs"
samples = {samples}

[vary]
openness_start = ["launch", "structure_first", "never"]
facilitation_fte = {{ min = 0.0, max = 4.0 }}
working_groups = {{ min = 0, max = 5 }}

[outputs]
summary = ["pv_net_total", "final_trust", "plateau_month", "months_to_phase.implementation"]
monthly = {{ columns = ["trust", "phase_name"], months = [6, 12] }}
"""


def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tiny(tmp_path: Path, *, chunk: int = 5, samples: int = 6, name: str = "tiny", file: str = "exp.toml") -> Path:
    return write(tmp_path, TINY.format(name=name, chunk=chunk, samples=samples), file)


def cli(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vti_sim.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=kw.pop("cwd", ROOT), **kw)


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


def _kernels_not_loaded() -> list[str]:
    """In a worker: the compiled passes not yet loaded (importing the package alone loads none of them)."""
    from numba.core.registry import CPUDispatcher

    from vti_sim.model import agents, feedback, phases, portfolio, value

    return [f"{m.__name__}.{k}" for m in (agents, feedback, phases, portfolio, value) for k, v in vars(m).items()
            if isinstance(v, CPUDispatcher) and not v.signatures]


def test_workers_are_warmed_up_before_their_first_chunk():
    """A joining worker imports the model and loads its compiled passes (numba cache) as part of start-up, so
    that the load is not billed to its first chunk (benchmarks/README.md, Sweeps)."""
    client, cluster = runner._connect(1, None)
    try:
        assert list(client.run(_kernels_not_loaded).values()) == [[]]
    finally:
        client.close()
        cluster.close()
