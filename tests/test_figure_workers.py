"""Figures drawn by helper processes (``vti_sim.figure_workers``): the same files, nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from vti_sim import figure_workers
from vti_sim.cli import app
from vti_sim.experiments import replicates

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ("timeseries.csv", "timeseries.parquet", "summary.json", "missions.csv")


def run_cli(out: Path, workers: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VTI_SIM_FIGURE_WORKERS": workers}
    subprocess.run([sys.executable, "-m", "vti_sim.cli", *args, "--out", str(out), "-q"], check=True, env=env,
                   cwd=out.parent, capture_output=True, timeout=300)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="helpers are forked on Linux only")
def test_two_drawing_processes_write_the_same_files_as_one(tmp_path):
    inproc, helpers = tmp_path / "inproc", tmp_path / "helpers"
    run_cli(inproc, "0", "run", "angers", "--seed", "1", "--months", "30")
    run_cli(helpers, "2", "run", "angers", "--seed", "1", "--months", "30")
    pngs = sorted(p.name for p in (inproc / "figures").iterdir())
    assert len(pngs) == 6 and pngs == sorted(p.name for p in (helpers / "figures").iterdir())
    for name in pngs:
        assert (inproc / "figures" / name).read_bytes() == (helpers / "figures" / name).read_bytes(), name
    for name in OUTPUTS:
        assert (inproc / name).read_bytes() == (helpers / name).read_bytes(), name


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="helpers are forked on Linux only")
def test_interrupted_while_helpers_draw_leaves_nothing_and_no_process(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VTI_SIM_FIGURE_WORKERS", "2")
    started = []
    if "vti_sim.app.exports" in sys.modules:  # an app test ran in this process: as in a CLI process, no threads
        sys.modules["vti_sim.app.exports"].stop_png_worker()  # (they would keep the helpers from forking)
    before = {p.pid for p in psutil.Process().children(recursive=True)}  # not started by the command

    def interrupted(p, results, outdir, argv, figures=None):  # the figures are being drawn meanwhile
        started.extend(p for p in psutil.Process().children(recursive=True)
                       if p.pid not in before
                       and "resource_tracker" not in " ".join(p.cmdline()))  # Python's, for tqdm's lock
        raise KeyboardInterrupt

    monkeypatch.setattr(replicates, "write_run", interrupted)
    result = CliRunner().invoke(app, ["run", "global", "--months", "6", "--out", "o", "-q"])
    assert result.exit_code != 0
    assert started, "no helper process was drawing"
    assert list(tmp_path.iterdir()) == []  # neither the output nor a temporary directory
    alive = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert not alive, [(p.pid, p.ppid(), p.cmdline()) for p in alive]


def test_no_helper_where_forking_is_unsafe(monkeypatch):
    monkeypatch.delenv("VTI_SIM_FIGURE_WORKERS", raising=False)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert figure_workers.drawing_processes() == 0  # a fork would copy only this thread
    finally:
        stop.set()
        other.join()
    monkeypatch.setenv("VTI_SIM_FIGURE_WORKERS", "0")
    assert figure_workers.drawing_processes() == 0


def test_busy_cpus_counts_the_tasks_running_now_not_the_load_average():
    """``/proc/loadavg``: a load average of 3 left by earlier commands does not count; 3 runnable tasks
    besides this one do."""
    assert figure_workers.busy_cpus("3.10 2.50 1.00 1/180 4242") == 0
    assert figure_workers.busy_cpus("0.10 0.20 0.30 4/180 4242") == 3
