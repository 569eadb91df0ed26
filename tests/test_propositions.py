"""`vti-sim propositions`: the proposition files, the one verdict rule, the one-at-a-time design, and the command
end to end as a doctoral student runs it (``--quick``), including a resumed re-run that changes nothing."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vti_sim import registry
from vti_sim.analysis.patterns import PATTERNS, PROPOSITIONS_DIR, PatternResult, load_pattern
from vti_sim.analysis.propositions import VERDICTS, load_study, stage_experiment, stage_seed, verdict
from vti_sim.experiments import build_design
from vti_sim.experiments.experiment import parse_experiment

ROOT = Path(__file__).resolve().parents[1]
KEYS = ("R1", "R2", "R3", "R4", "R5", "R6", "S1", "S2")


def cli(*args, cwd=ROOT, timeout=900):
    return subprocess.run([sys.executable, "-m", "vti_sim.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)


# --------------------------------------------------------------------------------------------- the files
def test_one_file_per_proposition_with_everything_the_issue_asks():
    assert sorted(PATTERNS) == sorted(KEYS)
    assert sorted(p.stem for p in PROPOSITIONS_DIR.glob("*.toml")) == sorted(KEYS + ("study",))
    for key, pat in PATTERNS.items():
        assert pat.path == PROPOSITIONS_DIR / f"{key}.toml"
        assert pat.statement_fr and pat.statement and pat.source.startswith("seed 00")
        assert any(c in pat.statement_fr for c in "éèàç«"), key  # French as the seeds put it
        assert 0 < pat.sesoi < 1 and pat.outcome
        assert len(pat.failing_context) == 1 and not set(pat.failing_context) & (set(pat.arm_a) | set(pat.arm_b))
        assert pat.rests_on and all(registry.get(a).kind == "assumption" for a in pat.rests_on)


def test_study_context_space_holds_every_failing_condition():
    study = load_study()
    for pat in study.patterns.values():
        (name, value), = pat.failing_context.items()
        lo, hi = study.context[name]
        assert lo <= value <= hi, (pat.key, name)


@pytest.mark.parametrize("edit, field", [
    (("better = \"lower\"", "better = \"faster\""), "outcome.better"),
    (("sesoi = 0.02", "sesoi = 2"), "outcome.sesoi"),
    (("\"steering_unblock\"", "\"steering_unblok\""), "rests_on.assumptions"),
    (("copil_per_year = 12.0", "copil_per_year = \"12\""), "copil_per_year"),
    (("context = { silo_index = 0.0 }", "context = { working_groups = 1 }"), "failing"),
])
def test_a_bad_proposition_file_is_one_line_naming_file_and_field(tmp_path, edit, field):
    d = tmp_path / "props"
    d.mkdir()
    shutil.copy(PROPOSITIONS_DIR / "study.toml", d / "study.toml")
    text = (PROPOSITIONS_DIR / "R1.toml").read_text(encoding="utf-8")
    assert edit[0] in text
    (d / "R1.toml").write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    out = tmp_path / "report"
    r = cli("propositions", "--dir", str(d), "--quick", "--out", str(out), "--quiet")
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "R1.toml" in lines[0] and field in lines[0] and "allowed" in lines[0], r.stderr
    assert not out.exists()  # nothing half-written


def test_a_proposition_file_must_be_named_after_its_key(tmp_path):
    p = tmp_path / "R9.toml"
    p.write_text((PROPOSITIONS_DIR / "R2.toml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(registry.ParameterError, match="R9.toml.*key.*allowed"):
        load_pattern(p)


# --------------------------------------------------------------------------------------------- the rule
def _result(diff, scale=100.0, sesoi=0.02):
    diff = np.asarray(diff, float)
    return PatternResult("X", {}, diff, np.zeros_like(diff), True, sesoi, scale)


def test_the_rule_reads_holds_fails_and_inconclusive():
    rng = np.random.default_rng(1)
    assert _result(10 + rng.normal(0, 1, 12)).status == "holds"
    assert _result(-10 + rng.normal(0, 1, 12)).how == "reversal"
    assert _result(rng.normal(0, 0.01, 12)).how == "equivalent to zero"
    z = rng.normal(0, 1, 12)
    z = (z - z.mean()) / z.std(ddof=1)
    small = _result(1.8 + z)  # clearly positive, below 2% of 100, not shown within +-2
    assert small.status == "inconclusive" and small.how == "positive but below the SESOI"
    assert _result(1.0 + 0.05 * z).how == "equivalent to zero"  # 1% of the scale, tightly: shown within the SESOI
    assert _result(rng.normal(0, 30, 12)).status == "inconclusive"


def test_verdict_supported_conditional_not_supported():
    rng = np.random.default_rng(2)
    holds, fails = _result(10 + rng.normal(0, 1, 12)), _result(-10 + rng.normal(0, 1, 12))
    v, line = verdict(holds, [("a", "min", holds), ("b", "max", _result(rng.normal(0, 30, 12)))])
    assert v == "supported" and "inconclusive with `b` at its max" in line and "`a`" not in line
    v, line = verdict(holds, [("silo_drag", "min", fails)])
    assert v == "conditional" and line.startswith("**conditional**") and "`silo_drag` at its min" in line
    v, line = verdict(fails, [("x", "max", holds)])
    assert v == "conditional" and "does not hold at the default context (reversal)" in line and "`x`" in line
    v, line = verdict(fails, [("x", "max", fails)])
    assert v == "not supported" and "reversal" in line


# --------------------------------------------------------------------------------------------- designs
def test_one_at_a_time_design_moves_one_factor_to_each_bound():
    text = """name = "oat"\nseed = 3\nmonths = 12\n[design]\nmethod = "oat"\n[vary]
silo_drag = { min = 0.0, max = 1.0 }\nworking_groups = { min = 0, max = 12 }
openness_start = ["launch", "never"]\n[outputs]\nsummary = ["pv_net_total"]\n"""
    exp = parse_experiment(text)
    d = build_design(exp)
    base = registry.defaults()
    assert d.n_points == 6
    assert list(d.points["silo_drag"]) == [0.0, 1.0, base["silo_drag"], base["silo_drag"], base["silo_drag"],
                                           base["silo_drag"]]
    assert list(d.points["working_groups"]) == [base["working_groups"]] * 2 + [0, 12] + [base["working_groups"]] * 2
    assert list(d.points["openness_start"])[4:] == ["launch", "never"]


def test_both_arms_of_a_stage_share_design_and_run_seeds():
    study = load_study(quick=True)
    pat = study.patterns["R1"]
    a = stage_experiment(study, pat, "prim", "a", method="lhs", samples=12, replicates=2,
                         vary={k: {"min": lo, "max": hi} for k, (lo, hi) in study.context.items()})
    b = stage_experiment(study, pat, "prim", "b", method="lhs", samples=12, replicates=2,
                         vary={k: {"min": lo, "max": hi} for k, (lo, hi) in study.context.items()})
    assert a.seed == b.seed == stage_seed(study, "R1", "prim")
    assert np.array_equal(build_design(a).x, build_design(b).x)
    assert a.base["copil_per_year"] == 12.0 and b.base["copil_per_year"] == 2.0
    assert stage_seed(study, "R1", "prim") != stage_seed(study, "R2", "prim") != stage_seed(study, "R2", "main")


# --------------------------------------------------------------------------------------------- end to end
@pytest.mark.slow
def test_propositions_quick_end_to_end_and_resume(tmp_path):
    """The command a doctoral student runs: every proposition gets a computed verdict; the verdicts stable at the
    quick size are checked; re-running resumes every sweep and rewrites an identical report."""
    out = tmp_path / "props"
    r = cli("propositions", "--quick", "--workers", "2", "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr[-3000:]
    verd = pd.read_csv(out / "verdicts.csv").set_index("proposition")
    assert sorted(verd.index) == sorted(KEYS)
    assert set(verd["verdict"]) <= set(VERDICTS)
    for key, row in verd.iterrows():
        assert row["first_line"].startswith(f"**{row['verdict']}**"), key
    # stable at the quick size (10 paired replicates; ODD §8.1): effects far from the rule's edges
    for key in ("R1", "R3", "R4", "R6"):
        assert verd.at[key, "default_status"] == "holds", (key, verd.loc[key].to_dict())
    assert verd.at["R1", "failing_status"] == "fails" and verd.at["R3", "failing_status"] == "fails"
    assert verd.at["R5", "default_status"] != "holds" and verd.at["S2", "default_status"] != "holds"
    text = (out / "REPORT.md").read_text(encoding="utf-8")
    for key in KEYS:
        assert f"## {key}:" in text
        assert (out / "figures" / f"{key}_oat.png").stat().st_size > 5000
    assert "commit `" in text and "## The rule" in text
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["versions"]["git_commit"] and prov["study"]["seed"] == 20261213
    eff = pd.read_csv(out / "effects.csv")
    assert len(eff) == 2 * len(KEYS)
    assert (eff["ci_low"] <= eff["effect"]).all() and (eff["effect"] <= eff["ci_high"]).all()
    assert len(pd.read_csv(out / "sobol.csv")) >= len(KEYS)

    before = {p.name: p.read_bytes() for p in out.glob("*.csv")}
    r2 = cli("propositions", "--quick", "--workers", "1", "--out", str(out), "--quiet")
    assert r2.returncode == 0, r2.stderr[-3000:]
    assert {p.name: p.read_bytes() for p in out.glob("*.csv")} == before  # resumed: same runs, same report


def test_propositions_refuses_a_directory_it_does_not_own(tmp_path):
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    r = cli("propositions", "--quick", "--out", str(tmp_path), "--quiet", "--only", "R1")
    assert r.returncode == 2 and "not a vti-sim report directory" in r.stderr
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"
