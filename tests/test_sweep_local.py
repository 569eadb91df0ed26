"""Local sweeps in forked workers (``experiments/local.py``): the Dask path's dataset, bit for bit; a killed worker's
chunks run again; a killed sweep leaves no worker behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

import vti_sim.experiments as sw
from vti_sim.experiments import local

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are Linux-only")

EXPERIMENT = """\
name = "local"
seed = 11
replicates = 2
chunk_size = 4
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


def experiment(tmp_path: Path, samples: int = 10) -> Path:
    path = tmp_path / f"exp{samples}.toml"
    path.write_text(EXPERIMENT.format(samples=samples), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def local_executor(monkeypatch):
    """The local path is opt-in (``VTI_SIM_SWEEP_EXECUTOR=local``); subprocesses inherit it."""
    monkeypatch.setenv("VTI_SIM_SWEEP_EXECUTOR", "local")


def test_same_dataset_in_process_forked_and_on_dask(tmp_path, monkeypatch):
    if threading.active_count() > 1:  # a fork copies only the calling thread: the path steps aside (xdist threads)
        pytest.skip("the local executor needs a single-threaded process; the CLI tests below exercise it")
    exp = experiment(tmp_path)  # 20 runs, 5 chunks
    assert local.applies(None, None) and not local.applies(None, "tcp://127.0.0.1:1")
    in_process = sw.sweep(exp, workers=1, out=tmp_path / "one", progress=False)
    forked = sw.sweep(exp, workers=2, out=tmp_path / "two", progress=False)
    three = sw.sweep(exp, workers=3, out=tmp_path / "three", progress=False)
    monkeypatch.setenv("VTI_SIM_SWEEP_EXECUTOR", "dask")
    assert not local.applies(2, None)
    dask = sw.sweep(exp, workers=2, out=tmp_path / "dask", progress=False)
    ref = sw.load_results(in_process)
    assert ref["run_id"].tolist() == list(range(20))
    for other in (forked, three, dask):
        pd.testing.assert_frame_equal(sw.load_results(other), ref)
        for name in ("design.parquet", "runs/chunk-000003.parquet"):
            assert (other / name).read_bytes() == (in_process / name).read_bytes(), (other, name)


def _sweep_process(exp: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "sweep", str(exp), "--workers", "2",
                             "--out", str(out), "--quiet"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _first_chunk(proc: subprocess.Popen, out: Path) -> list[psutil.Process]:
    deadline = time.monotonic() + 90
    while not list(out.glob("runs/chunk-*.parquet")):
        assert proc.poll() is None and time.monotonic() < deadline, "no chunk written"
        time.sleep(0.01)
    workers = psutil.Process(proc.pid).children()
    assert len(workers) == 2, workers
    return workers


def test_a_killed_worker_is_replaced_and_its_chunks_run_again(tmp_path):
    exp = experiment(tmp_path, samples=40)  # 80 runs, 20 chunks
    reference = sw.load_results(sw.sweep(exp, workers=1, out=tmp_path / "reference", progress=False))
    out = tmp_path / "crash"
    proc = _sweep_process(exp, out)
    try:
        _first_chunk(proc, out)[0].send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, err[-2000:]
    pd.testing.assert_frame_equal(sw.load_results(out), reference)


def test_a_killed_sweep_leaves_no_worker_and_resumes(tmp_path):
    exp = experiment(tmp_path, samples=40)
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
    rerun = sw.sweep(exp, workers=2, out=out, progress=False)
    assert sw.load_results(rerun)["run_id"].tolist() == list(range(80))
