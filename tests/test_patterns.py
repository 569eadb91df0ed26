"""Pattern tests: the thesis propositions R1-R6 (MODEL_BRIEF §2, ODD §8) emerge and can fail.

Each proposition is a paired experiment declared once in ``vti_sim.patterns``.  At the default context it
must hold in its predicted direction (95% interval above zero and an effect of at least the smallest effect
of interest); in its documented failing context it must not.  Runs use the full 144-month horizon with few
replicates (common random numbers keep the paired comparison sharp).
"""

import numpy as np
import pytest

import vti_sim
from vti_sim.analysis.patterns import PATTERNS, evaluate, openness_curve, plateau_across

REPLICATES = 4


@pytest.mark.parametrize("key", sorted(PATTERNS))
def test_pattern_holds_at_default_context(key):
    result = evaluate(key, replicates=REPLICATES)
    lo, hi = result.ci()
    assert result.holds, f"{key} does not hold at default: effect={result.effect:.3g} CI=({lo:.3g}, {hi:.3g})"


@pytest.mark.parametrize("key", sorted(PATTERNS))
def test_pattern_fails_in_its_documented_context(key):
    pattern = PATTERNS[key]
    assert pattern.failing_context and pattern.failing_reason
    result = evaluate(key, failing=True, replicates=REPLICATES)
    assert not result.holds, (f"{key} still holds where it should fail ({pattern.failing_reason}): "
                              f"effect={result.effect:.3g}, relative={result.relative_effect:.3g}")


def test_failing_context_changes_the_effect_not_just_noise():
    """The failures are mechanistic: R6's effect shrinks by far more than its own sampling spread."""
    default = evaluate("R6", replicates=REPLICATES)
    failing = evaluate("R6", failing=True, replicates=REPLICATES)
    assert default.effect - failing.effect > 5 * default.diff.std(ddof=1)


LEVELS = np.linspace(0.0, 1.0, 9)


def test_plateau_across_runs_appears_at_fixed_resources_and_not_with_unconstrained_time():
    """R5 'on atteint un certain plateau': value against openness saturates when time is limited;
    the same policy with unconstrained time (its potential) keeps rising, so no plateau there."""
    x, constrained = openness_curve(LEVELS, replicates=2)
    _, potential = openness_curve(LEVELS, context={"capacity_factor": 20.0}, replicates=2)
    found = plateau_across(x, constrained, potential=potential)
    assert found is not None, constrained
    assert 0.2 <= found.at <= 0.9
    assert plateau_across(x, potential) is None, potential
    assert potential[-1] > constrained[-1] * 1.2


def test_plateau_within_a_run_under_intense_openness_and_binding_time():
    """Within a run: intense partnerships under binding leaders' time make monthly value level off while
    the unconstrained-time potential of the same policy is higher at that point."""
    levers = dict(openness_start="launch", open_bodies=8, participatory_share=0.8, ecosystem_richness=1.0)
    result = vti_sim.run(seed=1, months=240, overrides=levers)
    month = result.summary["plateau_month"]
    assert month is not None
    assert result.summary["unmet_share"]["directors"] > 0.2
    potential = vti_sim.run(seed=1, months=240, overrides={**levers, "capacity_factor": 20.0})
    window = slice(month, month + 24)
    assert potential.timeseries["pv_net_total"].iloc[window].mean() > result.summary["plateau_level"]


def test_no_plateau_at_default_horizon_while_value_still_rises():
    result = vti_sim.run(seed=1)
    net = result.timeseries["pv_net_total"].to_numpy()
    assert net[-12:].mean() > net[-36:-24].mean()
    assert result.summary["plateau_month"] is None


def test_patterns_command_reports_every_proposition_in_both_contexts():
    """`vti-sim patterns --json` gives, for R1-R6, the default and failing verdicts with effects and CIs."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "vti_sim.cli", "patterns", "-r", "2", "--json"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert {(r["pattern"], r["context"]) for r in rows} == {(k, c) for k in PATTERNS for c in ("default", "failing")}
    for r in rows:
        assert r["ci_low"] <= r["effect"] <= r["ci_high"]
        assert r["holds"] == (r["ci_low"] > 0 and r["relative"] >= PATTERNS[r["pattern"]].sesoi)
