"""``vti-sim run`` / ``vti-sim compare``: clean one-line errors with nothing written, outputs, figures, replicates."""

from __future__ import annotations

import json
import subprocess
import sys
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
}


@pytest.mark.parametrize("case", sorted(BAD_OPTIONS))
def test_bad_option_is_one_line_exit_2_nothing_written(in_tmp, case):
    args, needles = BAD_OPTIONS[case]
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


def test_rerun_replaces_the_directory_and_interrupted_run_leaves_nothing(in_tmp, monkeypatch):
    def quick(name, aggs, outdir):  # figures are checked elsewhere; keep this test fast
        path = Path(outdir) / f"{name}.png"
        path.write_bytes(b"png")
        return path

    monkeypatch.setattr(figures, "save_figure", quick)  # figure helpers are forked from this process: they see it
    out = in_tmp / "o"
    assert invoke("run", "global", "--months", "3", "--out", str(out), "-q").exit_code == 0
    (out / "stale.txt").write_text("old")
    assert invoke("run", "global", "--months", "4", "--out", str(out), "-q").exit_code == 0
    assert not (out / "stale.txt").exists() and len(pd.read_csv(out / "timeseries.csv")) == 4

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "save_figure", boom)
    fresh = in_tmp / "fresh"
    result = invoke("run", "global", "--months", "3", "--out", str(fresh), "-q")
    assert result.exit_code != 0
    assert not fresh.exists()
    assert sorted(p.name for p in in_tmp.iterdir()) == ["o"]  # no temp dirs left behind
    assert len(pd.read_csv(out / "timeseries.csv")) == 4  # the earlier result is untouched


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
