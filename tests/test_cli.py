"""``vti-sim run`` / ``vti-sim compare``: clean one-line errors with nothing written, outputs, figures, replicates."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import image as mpimg
from typer.testing import CliRunner

from vti_sim import figures
from vti_sim.cli import app
from vti_sim.experiments.replicates import replicate_seeds

FIGURES = ("phase_timeline", "value_by_type", "time_use", "trust_participation", "governance_grid",
           "mission_dashboard")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty directory, so a default ``results/`` would show up if anything were written."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def assert_clean_error(result, *needles: str) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("vti-sim: error: ")
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert isinstance(result.exception, SystemExit), result.exception  # a clean exit, not a crash
    for n in needles:
        assert n in line, (n, line)
    return line


BAD_FILES = {  # name: (file text, what the error line must name)
    "unknown_key": ('name = "x"\n[params]\nfacilitaton_fte = 1\n', ["bad.toml:3", "facilitaton_fte", "unknown"]),
    "unknown_top_level": ('name = "x"\ncolour = "red"\n[params]\n', ["bad.toml:2", "colour", "allowed"]),
    "wrong_type": ('name = "x"\n[params]\n\ncopil_per_year = "often"\n', ["bad.toml:4", "copil_per_year", "number"]),
    "wrong_choice": ('[params]\nopenness_start = "soon"\n', ["bad.toml:2", "openness_start", "structure_first"]),
    "out_of_bounds": ('name = "x"\n[params]\nfacilitation_fte = 11  # c\n', ["bad.toml:3", "facilitation_fte",
                                                                             "[0, 10]"]),
    "toml_syntax": ('name = "x"\n[params]\nfacilitation_fte = = 1\n', ["bad.toml:3", "toml", "syntax"]),
    "extends_cycle": ('extends = "bad"\n[params]\n', ["bad.toml:1", "extends", "cycle"]),
    "missing_parent": ('extends = "no_such_scenario"\n', ["bad.toml:1", "extends", "angers"]),
    "huge_integer": ("[params]\nfacilitation_fte = 1" + "0" * 400 + "\n",
                     ["bad.toml:2", "facilitation_fte", "[0, 10]"]),
    "deep_nesting": ("[params]\nfacilitation_fte = " + "[" * 5000 + "]" * 5000 + "\n", ["bad.toml", "toml", "deep"]),
    "empty_file": ("# nothing here\n", ["bad.toml", "scenario", "empty"]),
    "dotted_params": ('name = "x"\nparams.facilitation_fte = 11\n', ["bad.toml:2", "facilitation_fte", "[0, 10]"]),
    "inline_params": ('name = "x"\nparams = { copil_per_year = 2, facilitation_fte = 11 }\n',
                      ["bad.toml:2", "facilitation_fte", "[0, 10]"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["run", "compare"])
def test_bad_scenario_file_is_one_line_exit_2_nothing_written(in_tmp, case, command):
    text, needles = BAD_FILES[case]
    (in_tmp / "bad.toml").write_text(text, encoding="utf-8")
    out = in_tmp / "out"
    args = [command, "global", "bad.toml"] if command == "compare" else [command, "bad.toml"]
    assert_clean_error(invoke(*args, "--months", "3", "--out", str(out), "-q"), *needles)
    assert not out.exists() and not (in_tmp / "results").exists()


def test_non_utf8_scenario_file_is_one_line(in_tmp):
    (in_tmp / "latin1.toml").write_bytes('description = "Besançon"\n'.encode("latin-1"))
    assert_clean_error(invoke("run", "latin1.toml", "--out", str(in_tmp / "out"), "-q"), "latin1.toml", "read")
    assert not (in_tmp / "out").exists()


BAD_OPTIONS = {
    "missing_file": (["run", "missing.toml"], ["missing.toml", "scenario", "not found", "angers"]),
    "missing_name": (["run", "angrs"], ["angrs", "scenario", "available", "biarritz"]),
    "set_without_equals": (["run", "angers", "--set", "facilitation_fte"], ["--set", "facilitation_fte", "NAME=VALUE"]),
    "set_unknown_name": (["run", "angers", "--set", "budget=3"], ["--set", "budget", "unknown"]),
    "set_bad_value": (["run", "angers", "--set", "facilitation_fte=lots"], ["--set", "facilitation_fte", "[0, 10]"]),
    "set_out_of_bounds": (["run", "angers", "--set", "working_groups=99"], ["--set", "working_groups", "[0, 12]"]),
    "set_bad_choice": (["run", "angers", "--set", "portfolio=paris"], ["--set", "portfolio", "mulhouse"]),
    "months_zero": (["run", "angers", "--months", "0"], ["--months", "months", "[1, 600]"]),
    "months_negative": (["run", "angers", "--months", "-5"], ["--months", "months", "[1, 600]"]),
    "months_not_a_number": (["run", "angers", "--months", "ten"], ["--months", "months"]),
    "seed_not_a_number": (["run", "angers", "--seed", "x"], ["--seed", "integer"]),
    "replicates_zero": (["run", "angers", "--replicates", "0"], ["--replicates", ">= 1"]),
    "compare_one_scenario": (["compare", "angers"], ["compare", "two"]),
    "compare_bad_set": (["compare", "angers", "global", "--set", "x=1"], ["--set", "x"]),
    "compare_months_zero": (["compare", "angers", "global", "--months", "0"], ["--months"]),
    "seed_beyond_int64": (["run", "angers", "--seed", "18446744073709551616", "-r", "2"], ["--seed", "at most"]),
    "scenario_is_a_directory": (["run", "adir/"], ["adir", "directory", ".toml"]),
    "scenario_name_is_a_directory": (["run", "adir"], ["adir", "directory"]),
}


@pytest.mark.parametrize("case", sorted(BAD_OPTIONS))
def test_bad_option_is_one_line_exit_2_nothing_written(in_tmp, case):
    args, needles = BAD_OPTIONS[case]
    (in_tmp / "adir").mkdir()
    out = in_tmp / "out"
    assert_clean_error(invoke(*args, "--out", str(out), "-q"), *needles)
    assert not out.exists() and not (in_tmp / "results").exists()


def test_out_path_that_is_a_file_is_refused(in_tmp):
    f = in_tmp / "taken"
    f.write_text("x")
    assert_clean_error(invoke("run", "angers", "--months", "2", "--out", str(f), "-q"), "--out", "not a directory")
    assert f.read_text() == "x"


@pytest.mark.parametrize("args, needle", [
    (["run", "bad.toml", "--months", "2"], "bad.toml:2: openness_start"),
    (["run", "angers", "--set", "months=0"], "--set: months"),
    (["compare", "angers", "nowhere.toml"], "nowhere.toml"),
])
def test_real_entry_point_prints_one_line_without_traceback(tmp_path, args, needle):
    (tmp_path / "bad.toml").write_text('[params]\nopenness_start = 3\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "vti_sim.cli", *args, "-q"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 2
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("vti-sim: error: ") and needle in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert not (tmp_path / "results").exists()


def test_help_shows_examples():
    for cmd in ("run", "compare"):
        result = invoke(cmd, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.output and f"vti-sim {cmd} " in result.output
    assert "SeedSequence" in invoke("run", "--help").output


# --- outputs ------------------------------------------------------------------------------------------------------


def assert_figures(figdir: Path) -> None:
    for name in FIGURES:
        png = figdir / f"{name}.png"
        assert png.is_file() and png.stat().st_size > 10_000, png
        img = mpimg.imread(png)
        assert img.ndim == 3 and img.shape[0] > 300 and img.shape[1] > 500
        assert float(img[..., :3].std()) > 0.02, f"{png} looks blank"
        assert (img[..., :3] < 0.5).mean() > 0.002, f"{png} has almost no dark ink"


def test_run_writes_outputs_figures_and_provenance(in_tmp):
    result = invoke("run", "open_without_resources", "--seed", "3", "--months", "12",
                    "--set", "facilitation_fte=2", "--set", "copil_per_year=3", "-q")
    assert result.exit_code == 0, result.output
    out = in_tmp / "results" / "open_without_resources-seed3"
    assert f"figures: {Path('results') / 'open_without_resources-seed3' / 'figures'}" in result.stdout
    ts = pd.read_csv(out / "timeseries.csv")
    assert len(ts) == 12 and "replicate" not in ts.columns and "pv_net_total" in ts.columns
    pq = pd.read_parquet(out / "timeseries.parquet")
    assert list(pq.columns) == list(ts.columns) and len(pq) == 12
    summary = json.loads((out / "summary.json").read_text())
    assert summary["months"] == 12 and "pv_net_total" in summary and "months_to_phase" in summary
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 3 and run["replicate_seeds"] == [3]
    assert run["scenario"] == "open_without_resources"
    assert run["scenario_chain"] == ["open_without_resources", "open_with_resources"]
    assert run["params"]["facilitation_fte"] == 2.0  # --set beats the scenario (0) and its parent (5)
    assert run["params"]["copil_per_year"] == 3.0
    assert run["params"]["open_bodies"] == 6  # inherited from the parent scenario
    assert run["params"]["months"] == 12
    assert {"vti_sim_version", "python", "numpy", "command"} <= run.keys()
    assert_figures(out / "figures")
    assert [p.name for p in in_tmp.joinpath("results").iterdir()] == ["open_without_resources-seed3"]


def test_replicates_stack_and_replicate_0_equals_a_plain_run(in_tmp):
    assert invoke("run", "biarritz", "--seed", "5", "--months", "10", "-q").exit_code == 0
    result = invoke("run", "biarritz", "--seed", "5", "--months", "10", "--replicates", "3", "-q")
    assert result.exit_code == 0, result.output
    plain = pd.read_parquet(in_tmp / "results" / "biarritz-seed5" / "timeseries.parquet")
    out = in_tmp / "results" / "biarritz-seed5-r3"
    stacked = pd.read_parquet(out / "timeseries.parquet")
    assert list(stacked.columns[:2]) == ["replicate", "seed"] and len(stacked) == 30
    assert sorted(stacked["seed"].unique()) == sorted(replicate_seeds(5, 3))
    rep0 = stacked[stacked["replicate"] == 0].drop(columns=["replicate", "seed"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(rep0, plain, check_dtype=False, check_categorical=False)
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["replicates"]) == 3
    values = [s["final_trust"] for s in summary["replicates"]]
    assert summary["median"]["final_trust"] == pytest.approx(float(np.median(values)))
    assert json.loads((out / "run.json").read_text())["replicate_seeds"] == replicate_seeds(5, 3)
    assert_figures(out / "figures")


@pytest.fixture
def quick_figures(monkeypatch):
    def quick(name, aggs, outdir):  # figures are checked elsewhere; keep these tests fast
        path = Path(outdir) / f"{name}.png"
        path.write_bytes(b"png")
        return path

    monkeypatch.setattr(figures, "save_figure", quick)  # figure helpers are forked from this process: they see it


def test_rerun_replaces_only_its_own_directory_and_interrupted_run_leaves_nothing(in_tmp, monkeypatch,
                                                                                   quick_figures):
    out = in_tmp / "o"
    assert invoke("run", "global", "--months", "3", "--out", str(out), "-q").exit_code == 0
    assert invoke("run", "global", "--months", "4", "--out", str(out), "-q").exit_code == 0
    assert len(pd.read_csv(out / "timeseries.csv")) == 4  # a previous vti-sim run is replaced
    (out / "notes.txt").write_text("mine")  # ... but not once the user has put a file of theirs in it
    assert_clean_error(invoke("run", "global", "--months", "5", "--out", str(out), "-q"), "--out", "notes.txt",
                       "did not write")
    assert (out / "notes.txt").read_text() == "mine" and len(pd.read_csv(out / "timeseries.csv")) == 4
    (out / "notes.txt").unlink()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "save_figure", boom)
    # a Ctrl-C reaches this process (helpers ignore SIGINT): draw here, whatever the machine's load says
    monkeypatch.setenv("VTI_SIM_FIGURE_WORKERS", "0")
    fresh = in_tmp / "fresh"
    result = invoke("run", "global", "--months", "3", "--out", str(fresh), "-q")
    assert result.exit_code == 130 and result.stderr.count("\n") == 1 and "interrupted" in result.stderr
    assert not fresh.exists()
    assert sorted(p.name for p in in_tmp.iterdir()) == ["o"]  # no temp dirs left behind
    assert len(pd.read_csv(out / "timeseries.csv")) == 4  # the earlier result is untouched


@pytest.mark.parametrize("command", ["run", "compare"])
def test_run_and_compare_never_delete_a_directory_they_did_not_write(in_tmp, command, monkeypatch):
    """The issue's recipe: a thesis in x/mydata, then `vti-sim run angers --out x/mydata`."""
    from vti_sim.experiments import replicates as sr

    def no_compute(*a, **k):
        raise AssertionError("computed before refusing the output directory")

    monkeypatch.setattr(sr, "execute", no_compute)
    mydata = in_tmp / "x" / "mydata"
    mydata.mkdir(parents=True)
    (mydata / "thesis.docx").write_text("precious")
    sweep_dir = in_tmp / "results" / "sweep-smoke" / "runs"
    sweep_dir.mkdir(parents=True)
    (sweep_dir.parent / "manifest.json").write_text("{}")
    scenarios = ["angers", "global"] if command == "compare" else ["angers"]
    for target, needle in ((mydata, "thesis.docx"), (in_tmp / "results", "sweep-smoke"), (in_tmp, "--out")):
        assert_clean_error(invoke(command, *scenarios, "--months", "2", "-q", "--out", str(target)), "--out", needle)
    assert (mydata / "thesis.docx").read_text() == "precious"
    assert (sweep_dir.parent / "manifest.json").exists()
    assert sorted(p.name for p in (in_tmp / "x").iterdir()) == ["mydata"]


def test_a_run_directory_from_before_the_marker_is_still_replaced(in_tmp, quick_figures):
    out = in_tmp / "old"
    assert invoke("run", "global", "--months", "3", "--out", str(out), "-q").exit_code == 0
    (out / ".vti-sim-output.json").unlink()  # as written by vti-sim before the marker existed
    assert invoke("run", "global", "--months", "4", "--out", str(out), "-q").exit_code == 0
    assert len(pd.read_csv(out / "timeseries.csv")) == 4


def _immutable_dir(path: Path, *inside: str) -> Path:
    """A directory even root cannot write in (``chattr +i``), or skip where the filesystem does not allow it."""
    path.mkdir()
    for name in inside:
        (path / name).mkdir()
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    return path


@pytest.mark.parametrize("where", ["proc", "below_a_file", "dot", "dotdot", "cwd", "immutable", "immutable_parent",
                                   "read_only_mount"])
def test_unwritable_out_is_refused_before_computing(in_tmp, monkeypatch, where):
    from vti_sim.experiments import replicates as sr

    def no_compute(*a, **k):
        raise AssertionError("computed before checking the output path")

    monkeypatch.setattr(sr, "execute", no_compute)
    (in_tmp / "afile").write_text("x")
    before = sorted(p.name for p in in_tmp.parent.iterdir())
    if where == "read_only_mount":
        ro = Path("/proc/sys/kernel")  # sysfs/procfs: not writable by root either
        out = ro / "vti-out"
    elif where == "immutable":
        out = _immutable_dir(in_tmp / "frozen") / "out"
    elif where == "immutable_parent":  # an empty output directory may be replaced, but not in a frozen parent
        out = _immutable_dir(in_tmp / "frozen", "out") / "out"
    else:
        out = {"proc": Path("/proc/vti-out"), "below_a_file": in_tmp / "afile" / "out", "dot": Path("."),
               "dotdot": Path(".."), "cwd": in_tmp}[where]
    try:
        for command in (["run", "angers"], ["compare", "angers", "global"]):
            assert_clean_error(invoke(*command, "--months", "2", "-q", "--out", str(out)), "--out")
    finally:
        if where.startswith("immutable"):
            subprocess.run(["chattr", "-i", str(in_tmp / "frozen")], check=True)
    assert sorted(p.name for p in in_tmp.parent.iterdir()) == before  # no `..old-*` or temp directory anywhere
    assert sorted(p.name for p in in_tmp.iterdir()) == ["afile"] + (["frozen"] if "immutable" in where else [])


@pytest.mark.parametrize(("command", "out"), [("run", "9" * 300), ("run", "new/" + "a" * 230), ("sweep", "9" * 300)])
def test_an_output_name_too_long_for_the_file_system_is_one_line_exit_2(in_tmp, command, out):
    """Found by the fuzz test: a 300-byte ``--out`` passed every check and failed at the first write (exit 1,
    or a traceback from ``run``); a 230-byte one fits but leaves no room for ``run``'s temporary directory."""
    (in_tmp / "exp.toml").write_text("seed = 1\nmonths = 1\n[vary]\nhr_support = [0.1, 0.2]\n", encoding="utf-8")
    args = ["run", "global", "--months", "2"] if command == "run" else ["sweep", "exp.toml"]
    result = invoke(*args, "--out", out, "--quiet")
    assert_clean_error(result, "--out", "too long for this file system", "255 bytes")
    assert sorted(p.name for p in in_tmp.iterdir()) == ["exp.toml"]


def test_a_temporary_directory_killed_before_its_owner_file_is_still_removed(tmp_path):
    """``kill -9`` can land between creating ``.OUT.tmp-*`` and writing its owner file (seen in CI): the owner
    is also in the directory's name, so the next run removes it; a directory whose name tells nothing stays."""
    import tempfile

    from vti_sim.experiments.outdir import _host_tag, make_temp_dir, remove_stale_temp_dirs

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = Path(tempfile.mkdtemp(prefix=f".o.tmp-{dead.pid}.{_host_tag()}-", dir=tmp_path))  # no owner file
    foreign = tmp_path / ".o.tmp-someone-else"
    foreign.mkdir()
    mine = make_temp_dir(tmp_path, ".o.tmp-")  # this process is alive: kept
    assert remove_stale_temp_dirs(tmp_path, (".o.tmp-",)) == [orphan]
    assert not orphan.exists() and foreign.is_dir() and mine.is_dir()


def test_kill_9_during_run_leaves_no_hidden_directory_for_ever(tmp_path):
    """A run killed while it writes its outputs leaves ``.OUT.tmp-*``; the next run to that place removes it."""
    cmd = [sys.executable, "-m", "vti_sim.cli", "run", "global", "--months", "24", "-r", "3", "-q", "--out", "o"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".o.tmp-*")):
            assert proc.poll() is None, "the run ended before its temporary directory was seen"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert list(tmp_path.glob(".o.tmp-*")) and not (tmp_path / "o").exists()
    rerun = subprocess.run([*cmd[:6], "6", "-q", "--out", "o"], cwd=tmp_path, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


@pytest.mark.parametrize("host, warned, url", [
    ("127.0.0.1", False, "http://127.0.0.1:8999"), ("localhost", False, "http://localhost:8999"),
    ("::1", False, "http://[::1]:8999"), ("0.0.0.0", True, "http://0.0.0.0:8999"), ("::", True, "http://[::]:8999"),
    ("192.168.1.20", True, "http://192.168.1.20:8999"),
])
def test_workshop_warns_when_it_serves_beyond_this_machine(monkeypatch, host, warned, url):
    import os

    started = []
    monkeypatch.setattr(os, "execvpe", lambda exe, cmd, env: started.append(cmd))
    result = invoke("workshop", "--host", host, "--port", "8999")
    assert started and started[0][started[0].index("--host") + 1] == host
    assert f"serving on {url} " in result.stderr
    assert ("warning" in result.stderr and "network" in result.stderr and "password" in result.stderr) == warned


def test_workshop_page_loads_only_listed_scenarios(tmp_path, monkeypatch):
    """The selector's value comes from the browser: a made-up path must not be opened by the server."""
    pytest.importorskip("solara")
    from vti_sim import registry
    from vti_sim.app import workshop
    from vti_sim.scenarios import load_scenario

    monkeypatch.chdir(tmp_path)
    evil = tmp_path / "elsewhere" / "evil.toml"
    evil.parent.mkdir()
    evil.write_text("[params]\nfacilitation_fte = 7.5\n", encoding="utf-8")
    assert load_scenario(str(evil)).params["facilitation_fte"] == 7.5  # the CLI may open any path ...
    opened = []
    monkeypatch.setattr("vti_sim.scenarios.load_scenario", lambda n: opened.append(n) or load_scenario(n))
    for value in (str(evil), "elsewhere/evil.toml", "../" * 8 + "etc/passwd", "/etc/passwd"):
        params, _, found = workshop.scenario_params(value)  # ... the page may not
        assert not found and params == {}
        workshop.apply_scenario(value)
        assert workshop.PARAMS.value == registry.defaults()
    assert opened == []
    (tmp_path / "scenarios").mkdir()  # a workshop's own ./scenarios/ files are offered and load
    (tmp_path / "scenarios" / "local_case.toml").write_text("[params]\nfacilitation_fte = 2.5\n", encoding="utf-8")
    assert "local_case" in workshop.available_scenarios()
    assert workshop.scenario_params("local_case")[0]["facilitation_fte"] == 2.5
    assert workshop.scenario_params("angers")[2]
    workshop.apply_scenario("")


def test_compare_writes_table_and_overlaid_figures(in_tmp):
    result = invoke("compare", "technocentric", "open_with_resources", "--replicates", "3", "--months", "12", "-q")
    assert result.exit_code == 0, result.output
    out = in_tmp / "results" / "compare-technocentric-open_with_resources"
    table = pd.read_csv(out / "compare.csv")
    assert {"metric", "scenario", "baseline", "mean", "diff", "ci_low", "ci_high", "n"} <= set(table.columns)
    assert {"pv_net_total", "final_trust", "inclusion_gap", "budget_execution", "months_to_phase.planning"} <= set(
        table["metric"])
    base = table[table["scenario"] == "technocentric"]
    assert (base["diff"].fillna(0) == 0).all()
    row = table[(table.metric == "pv_net_total") & (table.scenario == "open_with_resources")].iloc[0]
    assert row["n"] == 3 and row["ci_low"] <= row["diff"] <= row["ci_high"]
    assert row["diff"] == pytest.approx(row["mean"] - row["baseline_mean"])
    assert "pv_net_total" in result.stdout and "open_with_resources" in result.stdout and "95%" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) == {"technocentric", "open_with_resources"}
    run = json.loads((out / "run.json").read_text())
    assert run["runs"]["open_with_resources"]["params"]["openness_start"] == "launch"
    assert_figures(out / "figures")


# --- fuzz: no command line yields a traceback (issue 15) ----------------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


class _Reached(Exception):
    """Raised where the computation would start: every check passed."""


_ARG = st.one_of(st.sampled_from(["0", "1", "-1", "2", "1e3", "18446744073709551616", "9" * 400, "nan", "inf", "",
                                  " ", "x", "=", "angers", "global", "adir", "adir/", "afile", "afile/o", ".", "..",
                                  "/proc/x", "facilitation_fte=2", "months=0", "portfolio=paris", "a=b=c"]),
                 st.text(max_size=12))
_OPTIONS = st.lists(st.tuples(st.sampled_from(["--seed", "--months", "--set", "--replicates", "-r", "--out"]), _ARG),
                    max_size=4)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["run", "compare"]), scenarios=st.lists(_ARG, min_size=0, max_size=3),
       options=_OPTIONS)
def test_fuzz_run_and_compare_arguments_never_give_a_traceback(in_tmp, monkeypatch, command, scenarios, options):
    from vti_sim.experiments import replicates as sr

    def reached(*a, **k):
        raise _Reached

    monkeypatch.setattr(sr, "execute", reached)
    (in_tmp / "adir").mkdir(exist_ok=True)
    (in_tmp / "afile").write_text("x")
    before = sorted(p.name for p in in_tmp.iterdir())
    args = [command, *scenarios, *[x for pair in options for x in pair], "-q"]
    result = invoke(*args)
    if isinstance(result.exception, _Reached):
        return
    assert result.exit_code == 2, (args, result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), (args, result.exception)
    assert "Traceback" not in result.output
    assert sorted(p.name for p in in_tmp.iterdir()) == before, args  # nothing written


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(options=st.lists(st.tuples(st.sampled_from(["--workers", "--scheduler", "--out", "--max-runs",
                                                   "--worker-timeout", "--connect-timeout"]), _ARG), max_size=3),
       experiment=st.sampled_from(["exp.toml", "missing.toml", "adir", "afile"]))
def test_fuzz_sweep_arguments_never_give_a_traceback(in_tmp, monkeypatch, options, experiment):
    from vti_sim.experiments import runner

    def reached(*a, **k):
        raise _Reached

    monkeypatch.setattr(runner, "_connect", reached)
    monkeypatch.setattr(runner, "build_design", reached)
    (in_tmp / "adir").mkdir(exist_ok=True)
    (in_tmp / "afile").write_text("x")
    (in_tmp / "exp.toml").write_text("seed = 1\nmonths = 1\n[vary]\nhr_support = [0.1, 0.2]\n", encoding="utf-8")
    before = sorted(p.name for p in in_tmp.iterdir())
    args = ["sweep", experiment, *[x for pair in options for x in pair], "--quiet"]
    result = invoke(*args)
    if isinstance(result.exception, _Reached):
        return
    assert result.exit_code == 2, (args, result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output, (args, result.exception)
    assert sorted(p.name for p in in_tmp.iterdir()) == before, args
