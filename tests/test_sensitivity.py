"""Sensitivity analysis and scenario discovery (issue 11): estimators validated on functions with known answers,
then the `vti-sim sensitivity` command end to end (resume after a kill, malformed files, discovery, plateau maps)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vti_sim.analysis.convergence import convergence_table, convergence_warnings
from vti_sim.analysis.discovery import in_box, paired_labels, prim_box
from vti_sim.analysis.noise import noise_share
from vti_sim.analysis.sensitivity import frame, pawn_indices, sobol_indices
from vti_sim.analysis.spec import PrimSettings

ROOT = Path(__file__).resolve().parents[1]
ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
# analytic indices of Ishigami (a = 7, b = 0.1)
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(n: int, replicates: int = 2, noise: float = 0.1, seed: int = 1) -> np.ndarray:
    from SALib.sample import sobol
    from SALib.test_functions import Ishigami

    x = sobol.sample(ISHIGAMI, n, calc_second_order=True, seed=seed)
    rng = np.random.default_rng(seed)
    return Ishigami.evaluate(x)[:, None] + rng.normal(0, noise, (len(x), replicates))


def test_ishigami_analytic_indices_lie_within_their_intervals():
    df = frame(sobol_indices(ISHIGAMI, ishigami(2048), second_order=True, n_boot=300, conf_level=0.95,
                             rng=np.random.default_rng(0)))
    for index, truth in (("S1", ISHIGAMI_S1), ("ST", ISHIGAMI_ST)):
        for name, value in truth.items():
            r = df[(df["index"] == index) & (df["parameter"] == name)].iloc[0]
            assert r["conf_low"] <= value <= r["conf_high"], (index, name, r.to_dict())
    s13 = df[(df["index"] == "S2") & (df["parameter"] == "x1,x3")].iloc[0]
    assert s13["conf_low"] <= 0.2437 <= s13["conf_high"]
    s12 = df[(df["index"] == "S2") & (df["parameter"] == "x1,x2")].iloc[0]
    assert s12["conf_low"] <= 0.0 <= s12["conf_high"]


def test_noise_share_of_a_function_with_known_noise():
    rng = np.random.default_rng(3)
    x = rng.uniform(size=(3000, 2))
    f = 2 * x[:, 0] + x[:, 1]  # Var f = 4/12 + 1/12 = 5/12
    y = f[:, None] + rng.normal(0, np.sqrt(5 / 12), (3000, 4))  # noise variance = Var f: share 0.5
    ns = noise_share(y, 200, 0.99, np.random.default_rng(4)).set_index("index")  # 95%: 93% coverage measured
    share = ns.loc["noise_share"]
    assert share["conf_low"] <= 0.5 <= share["conf_high"]
    assert abs(share["value"] - 0.5) < 0.03
    assert abs(ns.loc["within", "value"] - 5 / 12) < 0.02
    # the noise left in a 4-replicate mean: (5/12)/4 / ((5/12)/4 + 5/12) = 0.2
    assert abs(ns.loc["noise_share_of_mean", "value"] - 0.2) < 0.03


def test_pawn_dummy_cutoff_separates_influential_from_inert_factors():
    rng = np.random.default_rng(5)
    x = rng.uniform(size=(1500, 3))
    y = (np.sin(6 * x[:, 0]) + 0.3 * x[:, 1])[:, None] + rng.normal(0, 0.05, (1500, 2))
    prob = {"num_vars": 3, "names": ["a", "b", "inert"], "bounds": [[0, 1]] * 3}
    df = frame(pawn_indices(prob, x, y, slices=10, n_boot=60, conf_level=0.95, rng=np.random.default_rng(6)))
    notes = df.set_index("parameter")["note"]
    assert notes["a"] == "above dummy cut-off" and notes["b"] == "above dummy cut-off"
    assert notes["inert"].startswith("not distinguishable")


def test_vectorised_pawn_equals_salib():
    from SALib.analyze import pawn

    from vti_sim.analysis.sensitivity import pawn_median

    rng = np.random.default_rng(8)
    x = rng.uniform(size=(300, 4))
    y = np.where(x[:, 0] > 0.5, 1.0, 0.0) + x[:, 1] ** 2 + rng.normal(0, 0.1, 300)
    prob = {"num_vars": 4, "names": list("abcd"), "bounds": [[0, 1]] * 4}
    np.testing.assert_allclose(pawn_median(x, y, 10), pawn.analyze(prob, x, y, S=10)["median"], rtol=0, atol=1e-12)


def test_morris_effects_match_salib_and_rank_the_factors():
    from SALib.analyze import morris as morris_an
    from SALib.sample import morris as morris_sa

    from vti_sim.analysis.sensitivity import morris_effects, morris_indices

    prob = {"num_vars": 4, "names": list("abcd"), "bounds": [[0, 1], [0, 2], [-1, 1], [0, 1]]}
    x = morris_sa.sample(prob, 30, num_levels=4, seed=2)
    f = 3 * x[:, 0] + x[:, 1] ** 2 + x[:, 0] * x[:, 2]  # d is inert
    ee = morris_effects(x, f, 4, 4)[:, :, 0]
    ref = morris_an.analyze(prob, x, f, num_levels=4, num_resamples=10, seed=1)
    np.testing.assert_allclose(np.abs(ee).mean(axis=0), ref["mu_star"], atol=1e-12)
    np.testing.assert_allclose(ee.std(axis=0, ddof=1), ref["sigma"], atol=1e-12)
    y = f[:, None] + np.random.default_rng(3).normal(0, 0.01, (len(f), 2))
    df = frame(morris_indices(prob, x, y, num_levels=4, n_boot=100, conf_level=0.95, rng=np.random.default_rng(4)))
    mu = df[df["index"] == "mu_star"].set_index("parameter")
    assert mu.loc["d", "value"] < 0.05 and mu.loc["d", "conf_high"] < mu.drop("d")["conf_low"].min()
    assert (mu["conf_low"] <= mu["value"]).all() and (mu["value"] <= mu["conf_high"]).all()


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.uniform(size=(1500, 5)), columns=list("abcde"))
    inside = (x["a"].between(0.2, 0.6) & (x["b"] > 0.5)).to_numpy()
    y = inside ^ (rng.uniform(size=1500) < 0.03)  # 3% label noise
    res = prim_box(x, y, PrimSettings(threshold=0.9, mass_min=0.05, resamples=0))
    assert set(res["restricted"]) == {"a", "b"}, res["restricted"]
    lim = res["limits"]
    assert abs(lim["a"].iloc[0] - 0.2) < 0.06 and abs(lim["a"].iloc[1] - 0.6) < 0.06
    assert abs(lim["b"].iloc[0] - 0.5) < 0.06
    assert res["density"] >= 0.9 and res["coverage"] > 0.8
    m = in_box(x, lim, res["restricted"])
    assert (m & inside).sum() / inside.sum() > 0.7


def test_box_stability_keeps_the_settings_and_recovers_the_planted_dimensions():
    from vti_sim.analysis.discovery import box_stability

    rng = np.random.default_rng(9)
    x = pd.DataFrame(rng.uniform(size=(600, 4)), columns=list("abcd"))
    effect = np.where((x["a"] > 0.6) & (x["c"] < 0.5), 1.0, -1.0)
    diff = effect[:, None] + rng.normal(0, 0.5, (600, 5))  # paired differences over 5 replicates
    settings = PrimSettings(threshold=0.8, mass_min=0.05, resamples=6)
    label = paired_labels(diff)[3]
    res = prim_box(x, label == "win", settings)
    assert set(res["restricted"]) == {"a", "c"}
    scores, factors = box_stability(x, diff, "win", res, settings, 0.95, np.random.default_rng(10))
    assert len(scores) == 6 and scores["found"].all()
    share = factors.set_index("factor")["restricted_share"]
    assert share["a"] >= 0.8 and share["c"] >= 0.8 and share["b"] <= 0.5
    assert scores["jaccard_with_box"].median() > 0.6


def test_paired_labels_from_the_interval_over_replicates():
    d = np.array([[1.0, 1.2, 0.9], [-1.0, -1.1, -0.8], [1.0, -1.0, 0.1], [np.nan, 1.0, 1.0]])
    _, lo, hi, label = paired_labels(d)
    assert list(label) == ["win", "lose", "tie", "undefined"]
    assert lo[0] > 0 and hi[1] < 0


def test_convergence_warning_fires_when_n_is_too_small():
    def table(n):
        y = ishigami(n)
        return convergence_table(lambda m: frame(sobol_indices(
            ISHIGAMI, y, second_order=True, n_boot=200, conf_level=0.95, rng=np.random.default_rng(m),
            output="ishigami", base_rows=m, with_s2=False)), n, minimum=4)

    small = convergence_warnings(table(16), max_conf=0.1, top=3)
    assert small and small[0]["output"] == "ishigami" and "max_conf" in small[0]["reason"]
    assert convergence_warnings(table(4096), max_conf=0.1, top=3) == []


# --------------------------------------------------------------------------------------------- the command
TINY = """\
name = "tiny_sa"
scenario = "angers"
seed = 11
replicates = 2
chunk_size = 8
months = 12

[design]
method = "sobol"
samples = 16
second_order = true

[vary]
facilitation_fte = {{ min = 0.0, max = 4.0 }}
participatory_share = {{ min = 0.0, max = 0.8 }}
openness_start = ["launch", "structure_first", "never"]

[fixed]
population = 20000

[outputs]
summary = ["pv_net_total", "final_trust", "plateau_month"]

[analysis]
bootstrap = {bootstrap}
"""


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vti_sim.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def write(tmp_path: Path, text: str, name: str = "sa.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.slow
def test_sensitivity_end_to_end_resumed_after_a_kill_gives_identical_indices(tmp_path):
    exp = write(tmp_path, TINY.format(bootstrap=60))
    ref = tmp_path / "ref"
    done = cli("sensitivity", str(exp), "--workers", "1", "--out", str(ref), "--quiet")
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("indices.csv", "convergence.csv", "health.csv", "REPORT.md", "provenance.json",
                 "figures/sobol_pv_net_total.png", "figures/s2_pv_net_total.png", "figures/noise_share.png",
                 "figures/pawn_final_trust.png", "figures/convergence_sobol_pv_net_total.png"):
        assert (ref / name).is_file(), name
    indices = pd.read_csv(ref / "indices.csv")
    assert list(indices.columns[:8]) == ["output", "parameter", "method", "index", "value", "conf_low",
                                         "conf_high", "conf"]
    assert {"S1", "ST", "S2", "median", "noise_share"} <= set(indices["index"])
    # the point estimates are SALib's on the replicate means, as estimated (negative values are not clipped)
    import json

    from SALib.analyze import sobol

    runs = pd.read_parquet(ref / "sweep" / "runs")
    problem = json.loads((ref / "sweep" / "manifest.json").read_text())["design"]["salib_problem"]
    ybar = runs.groupby("point")["pv_net_total"].mean().sort_index().to_numpy()
    si = sobol.analyze({k: problem[k] for k in ("num_vars", "names", "bounds")}, ybar, num_resamples=2)
    mine = indices[(indices["output"] == "pv_net_total") & (indices["method"] == "sobol")]
    for key in ("S1", "ST"):
        got = mine[mine["index"] == key].set_index("parameter").loc[problem["names"], "value"].to_numpy()
        np.testing.assert_allclose(got, si[key], rtol=1e-9)
    plateau = indices[indices["output"] == "plateau_month"]
    assert plateau["value"].isna().all() and plateau["note"].str.contains("undefined").all()
    report = (ref / "REPORT.md").read_text()
    assert "vti-sim sensitivity" in report and "SHA-256" in report and "not converged" in done.stderr
    assert "warning" in report

    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "sensitivity", str(exp), "--workers", "1",
                             "--out", str(out), "--quiet"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(list((out / "sweep" / "runs").glob("chunk-*.parquet"))) < 3:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    chunks = len(list((out / "sweep" / "runs").glob("chunk-*.parquet")))
    assert 0 < chunks < 32 and not (out / "indices.csv").exists()
    again = cli("sensitivity", str(exp), "--workers", "1", "--out", str(out), "--quiet")
    assert again.returncode == 0, again.stderr[-2000:]
    pd.testing.assert_frame_equal(pd.read_csv(out / "indices.csv"), indices)
    pd.testing.assert_frame_equal(pd.read_csv(out / "convergence.csv"), pd.read_csv(ref / "convergence.csv"))

    # a changed analysis setting re-analyses the runs on disk, it does not re-run them
    write(tmp_path, TINY.format(bootstrap=40))
    t0 = os.path.getmtime(out / "sweep" / "manifest.json")
    third = cli("sensitivity", str(exp), "--workers", "1", "--out", str(out), "--quiet")
    assert third.returncode == 0, third.stderr[-2000:]
    assert os.path.getmtime(out / "sweep" / "manifest.json") == t0
    assert not pd.read_csv(out / "indices.csv").equals(indices)


@pytest.mark.parametrize("change, field", [
    (("bootstrap = 60", "bootstrap = 5"), "analysis.bootstrap"),
    (("bootstrap = 60", "bootstrap = 60\nmethods = [\"morris\"]"), "analysis.methods"),
    (("bootstrap = 60", "bootstrap = 60\nprim = { threshold = 0.8 }"), "analysis.prim"),
    (("[analysis]", "[analysis]\nkind = \"magic\""), "analysis.kind"),
    (("replicates = 2", "replicates = 1"), "analysis.kind"),
])
def test_malformed_sensitivity_experiment_is_one_line_exit_2_nothing_written(tmp_path, change, field):
    exp = write(tmp_path, TINY.format(bootstrap=60).replace(*change))
    out = tmp_path / "out"
    r = cli("sensitivity", str(exp), "--out", str(out), "--quiet", timeout=60)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vti-sim: error: ") and str(exp) in lines[0] and field in lines[0]
    assert not out.exists()


DISCOVERY = """\
name = "tiny_ovp"
scenario = "angers"
seed = 5
replicates = 3
chunk_size = 40
months = 36

[design]
method = "lhs"
samples = 40

[fixed]
population = 20000

[vary]
ecosystem_richness = { min = 0.0, max = 1.0 }
literacy_mean = { min = 0.2, max = 0.95 }
coordination_hours_per_channel = { min = 0.0, max = 5.0 }

[outputs]
summary = ["pv_net_total", "pv_net.social", "final_trust"]

[analysis]
kind = "discovery"
bootstrap = 50

[analysis.arms.open]
openness_start = "launch"
facilitation_fte = 0.5
open_bodies = 3
open_meetings_per_year = 4.0
copil_per_year = 6.0
working_groups = 3

[analysis.arms.proactive]
openness_start = "never"
facilitation_fte = 0.0
copil_per_year = 16.2
working_groups = 12

[analysis.prim]
threshold = 0.7
resamples = 4
"""


@pytest.mark.parametrize("name", ["sobol_quick", "sobol_full", "morris_screen", "morris_assumptions",
                                  "open_vs_proactive", "plateau_map"])
def test_shipped_experiments_are_valid(name):
    from vti_sim.analysis.workflow import prepare

    exp, spec = prepare(ROOT / "experiments" / f"{name}.toml")
    if name == "sobol_full":
        assert exp.samples == 1024 and exp.options["second_order"] and exp.replicates == 5
        kinds = {f.param.kind for f in exp.factors}
        assert kinds == {"lever", "context", "assumption"}
    if name == "morris_assumptions":  # every assumption, at its registry bounds
        from vti_sim import registry

        assert {f.name for f in exp.factors} == {p.name for p in registry.assumptions()}
        assert all((f.lo, f.hi) == (f.param.min, f.param.max) for f in exp.factors)
    if name == "open_vs_proactive":
        from vti_sim.analysis.resources import governance_hours

        hours = [governance_hours({**exp.base, **spec.arms[a]})["total"] for a in ("open", "proactive")]
        assert abs(hours[0] - hours[1]) <= 0.01 * max(hours)


def test_unequal_resources_are_refused(tmp_path):
    exp = write(tmp_path, DISCOVERY.replace("copil_per_year = 16.2", "copil_per_year = 24.0"))
    r = cli("sensitivity", str(exp), "--out", str(tmp_path / "o"), "--quiet", timeout=60)
    assert r.returncode == 2 and "unequal resources" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
    exp = write(tmp_path, DISCOVERY.replace("working_groups = 12", "working_groups = 12\nannual_budget_meur = 30.0"))
    r = cli("sensitivity", str(exp), "--out", str(tmp_path / "o"), "--quiet", timeout=60)
    assert r.returncode == 2 and "annual_budget_meur" in r.stderr


@pytest.mark.slow
def test_discovery_end_to_end_with_common_random_numbers(tmp_path):
    exp = write(tmp_path, DISCOVERY)
    out = tmp_path / "ovp"
    r = cli("sensitivity", str(exp), "--workers", "1", "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr[-2000:]
    open_runs = pd.read_parquet(out / "sweep-open" / "runs").sort_values("run_id")
    pro_runs = pd.read_parquet(out / "sweep-proactive" / "runs").sort_values("run_id")
    assert (open_runs["seed"].to_numpy() == pro_runs["seed"].to_numpy()).all()  # common random numbers
    points = pd.read_csv(out / "points.csv")
    assert len(points) == 40 and set(points["label"]) <= {"win", "tie", "lose", "undefined"}
    diff = (open_runs.groupby("point")["pv_net_total"].mean() - pro_runs.groupby("point")["pv_net_total"].mean())
    np.testing.assert_allclose(points["diff_mean"], diff.to_numpy())
    report = (out / "REPORT.md").read_text()
    assert "148.3" in report and "PRIM" in report and "CART" in report
    for target in ("win", "lose"):
        if (points["label"] == target).any():
            assert (out / f"prim_{target}_trajectory.csv").is_file()
            assert (out / f"figures/prim_{target}_tradeoff.png").is_file()
            assert len(pd.read_csv(out / f"prim_{target}_stability.csv")) == 4


@pytest.mark.slow
def test_plateau_map_end_to_end(tmp_path):
    text = (ROOT / "experiments" / "plateau_map.toml").read_text()
    text = text.replace("levels = 7", "levels = 2").replace("replicates = 8", "replicates = 2\nmonths = 36")
    text = text.replace('openness_start = "launch"', 'openness_start = "launch"\npopulation = 20000')
    exp = write(tmp_path, text.replace('maps = [["participatory_share", "facilitation_fte"],',
                                       'maps = [["participatory_share", "facilitation_fte"]]\n#'))
    exp.write_text("\n".join(line for line in exp.read_text().splitlines() if not line.startswith("        [")))
    out = tmp_path / "pm"
    r = cli("sensitivity", str(exp), "--workers", "1", "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr[-2000:]
    cells = pd.read_csv(out / "plateau_map.csv")
    assert len(cells) == 4 and cells["p_plateau"].between(0, 1).all()
    runs = pd.read_parquet(out / "sweep-map-participatory_share--facilitation_fte" / "runs")
    expected = runs.groupby("point")["plateau_month"].apply(lambda s: s.notna().mean())
    np.testing.assert_allclose(cells["p_plateau"], expected.to_numpy())
    assert (out / "figures" / "plateau_participatory_share--facilitation_fte.png").is_file()


def test_cart_boxes_are_the_same_every_time():
    """scikit-learn breaks ties between equal splits at random; the report's CART leaves must not depend on it
    (and numpy's global generator is left as it was)."""
    from vti_sim.analysis.discovery import cart_boxes

    rng = np.random.default_rng(4)
    x = pd.DataFrame(rng.uniform(size=(300, 6)), columns=[f"f{i}" for i in range(6)])
    x["g"] = x["f0"]  # a duplicated column: two equally good splits every time
    y = (x["f0"] > 0.6) & (x["f1"] < 0.5)
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    first = cart_boxes(x, y.to_numpy(), 0.05)
    assert (np.random.get_state()[1] == before).all()
    for _ in range(5):
        pd.testing.assert_frame_equal(cart_boxes(x, y.to_numpy(), 0.05), first)
