"""Local sweeps in forked workers (``experiments/local.py``, the default for local sweeps): the Dask path's
dataset bit for bit, and its guarantees (issue 15) with real processes: a killed worker's chunks run again, a hung
worker is replaced after ``--worker-timeout``, deaths past ``retries`` stop the sweep with how to resume, a killed
sweep leaves no worker behind.  Ctrl-C on both paths is in test_sweep.py."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

import vti_sim.experiments as sw
from tests.tiny_sweep import tiny
from vti_sim.analysis import workflow
from vti_sim.experiments import local

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are Linux-only")


@pytest.fixture(autouse=True)
def default_executor(monkeypatch):
    """No VTI_SIM_SWEEP_EXECUTOR: these tests check the default; subprocesses inherit it."""
    monkeypatch.delenv("VTI_SIM_SWEEP_EXECUTOR", raising=False)


def _env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k != "VTI_SIM_SWEEP_EXECUTOR"}, "PYTHONPATH": str(ROOT),
            **extra}


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vti_sim.cli", "sweep", *args, "--quiet"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=_env(**env))


def test_same_dataset_in_process_forked_and_on_dask(tmp_path):
    exp = tiny(tmp_path, chunk=4, samples=10)  # 20 runs, 5 chunks
    outs = {}
    for label, workers, env in (("one", "1", {}), ("two", "2", {}), ("three", "3", {}),
                                ("dask", "2", {"VTI_SIM_SWEEP_EXECUTOR": "dask"})):
        outs[label] = tmp_path / label
        res = _cli(str(exp), "--workers", workers, "--out", str(outs[label]), **env)
        assert res.returncode == 0, res.stderr[-2000:]
    ref = sw.load_results(outs["one"])
    assert ref["run_id"].tolist() == list(range(20))
    for label in ("two", "three", "dask"):
        pd.testing.assert_frame_equal(sw.load_results(outs[label]), ref)
        for name in ("design.parquet", "runs/chunk-000003.parquet"):
            assert (outs[label] / name).read_bytes() == (outs["one"] / name).read_bytes(), (label, name)


def test_the_executor_is_chosen_by_the_environment(monkeypatch):
    single = local.threading.active_count() == 1  # under pytest-xdist, threads run: the sweep steps aside to Dask
    assert local.applies(2, None) == single and not local.applies(2, "tcp://127.0.0.1:1")
    monkeypatch.setenv("VTI_SIM_SWEEP_EXECUTOR", "dask")
    assert not local.applies(2, None)
    monkeypatch.setenv("VTI_SIM_SWEEP_EXECUTOR", "forked")
    with pytest.raises(sw.SweepError, match="VTI_SIM_SWEEP_EXECUTOR: got 'forked'; allowed: local, dask"):
        local.applies(2, None)


def test_a_bad_executor_is_one_line_exit_2_nothing_written(tmp_path):
    res = _cli(str(tiny(tmp_path)), "--workers", "2", "--out", str(tmp_path / "o"), VTI_SIM_SWEEP_EXECUTOR="fork")
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 2 and len(lines) == 1 and "VTI_SIM_SWEEP_EXECUTOR" in lines[0], res.stderr[-2000:]
    assert not (tmp_path / "o").exists()


def test_an_analysis_of_several_sweeps_starts_no_cluster_when_sweeps_run_locally(monkeypatch):
    monkeypatch.setattr(local, "applies", lambda workers, scheduler: scheduler is None)
    with workflow._cluster(2, None, 3) as address:  # would otherwise start a LocalCluster and yield its address
        assert address is None
    with workflow._cluster(None, "tcp://127.0.0.1:8786", 3) as address:
        assert address == "tcp://127.0.0.1:8786"


def _sweep_process(exp: Path, out: Path, *args: str, argv: list[str] | None = None) -> subprocess.Popen:
    argv = argv or ["-m", "vti_sim.cli", "sweep", str(exp), "--workers", "2", "--out", str(out), "--quiet", *args]
    return subprocess.Popen([sys.executable, *argv], cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=_env())


def _first_chunk(proc: subprocess.Popen, out: Path) -> list[psutil.Process]:
    deadline = time.monotonic() + 90
    while not list(out.glob("runs/chunk-*.parquet")):
        assert proc.poll() is None and time.monotonic() < deadline, "no chunk written"
        time.sleep(0.01)
    workers = psutil.Process(proc.pid).children()
    assert len(workers) == 2, workers  # two forked workers, no Dask scheduler or nanny: the default is local
    assert all("spawn_main" not in " ".join(w.cmdline()) for w in workers)
    return workers


@pytest.fixture(scope="module")
def reference80(tmp_path_factory) -> pd.DataFrame:
    """The uninterrupted in-process result of ``tiny(chunk=4, samples=40)`` (80 runs, 20 chunks)."""
    tmp = tmp_path_factory.mktemp("reference")
    res = _cli(str(tiny(tmp, chunk=4, samples=40)), "--workers", "1", "--out", str(tmp / "clean"))
    assert res.returncode == 0, res.stderr[-2000:]
    return sw.load_results(tmp / "clean")


def _finish(proc: subprocess.Popen) -> str:
    try:
        _, err = proc.communicate(timeout=180)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return err


def test_a_killed_worker_is_replaced_and_its_chunks_run_again(tmp_path, reference80):
    exp = tiny(tmp_path, chunk=4, samples=40)
    out = tmp_path / "crash"
    proc = _sweep_process(exp, out)
    try:
        victim = _first_chunk(proc, out)[0]
        victim.send_signal(signal.SIGKILL)
    finally:
        err = _finish(proc)
    assert proc.returncode == 0, err[-2000:]
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"vti-sim: warning: sweep worker process {victim.pid} exited "
                                                   "with code -9; running chunk"), err[-2000:]
    pd.testing.assert_frame_equal(sw.load_results(out), reference80)


def test_a_hung_worker_is_replaced_after_the_worker_timeout(tmp_path, reference80):
    exp = tiny(tmp_path, chunk=4, samples=40)
    out = tmp_path / "hung"
    proc = _sweep_process(exp, out, "--worker-timeout", "3")
    try:
        victim = _first_chunk(proc, out)[0]
        victim.send_signal(signal.SIGSTOP)  # alive, holding its chunks, never answering
        stopped_at = time.monotonic()
    finally:
        err = _finish(proc)
    assert proc.returncode == 0, err[-2000:]
    assert time.monotonic() - stopped_at < 120
    assert f"sweep worker process {victim.pid} used no CPU for 3 s (hung) and was stopped" in err, err[-2000:]
    assert not psutil.pid_exists(victim.pid) or victim.status() == psutil.STATUS_ZOMBIE
    pd.testing.assert_frame_equal(sw.load_results(out), reference80)


def test_worker_deaths_past_the_retries_stop_the_sweep_with_how_to_resume(tmp_path, reference80):
    exp = tiny(tmp_path, chunk=4, samples=40)
    out = tmp_path / "deaths"
    script = ("import sys, vti_sim.experiments as sw\n"
              "try:\n    sw.sweep(sys.argv[1], workers=2, out=sys.argv[2], progress=False, retries=0)\n"
              "except sw.SweepStopped as e:\n    sys.exit(f'stopped: {e}')\n")
    proc = _sweep_process(exp, out, argv=["-c", script, str(exp), str(out)])
    try:
        _first_chunk(proc, out)[0].send_signal(signal.SIGKILL)  # retries=0: its chunks may not run again
    finally:
        err = _finish(proc)
    assert proc.returncode == 1, err[-2000:]
    last = [ln for ln in err.splitlines() if ln.strip()][-1]
    assert last.startswith("stopped: chunk ") and "worker processes that died" in last, err[-2000:]
    assert str(out) in last and "rerun the same command to resume" in last and "Traceback" not in err
    assert not sw.status(out)["complete"]
    rerun = _cli(str(exp), "--workers", "2", "--out", str(out))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    pd.testing.assert_frame_equal(sw.load_results(out), reference80)


def test_a_killed_sweep_leaves_no_worker_and_resumes(tmp_path, reference80):
    exp = tiny(tmp_path, chunk=4, samples=40)
    out = tmp_path / "killed"
    proc = _sweep_process(exp, out)
    try:
        workers = _first_chunk(proc, out)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        gone, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, "workers outlived their sweep"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert len(list((out / "runs").glob("chunk-*.parquet"))) < 20
    rerun = _cli(str(exp), "--workers", "2", "--out", str(out))
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    pd.testing.assert_frame_equal(sw.load_results(out), reference80)
