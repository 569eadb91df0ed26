"""Pattern tests: the thesis propositions R1-R6 (MODEL_BRIEF §2, ODD §8) emerge and can fail.

Each proposition is a paired experiment declared once in ``vti_sim.patterns``.  At the default context it
must hold in its predicted direction (95% interval above zero and an effect of at least the smallest effect
of interest); in its documented failing context it must not.  Runs use the full 144-month horizon with few
replicates (common random numbers keep the paired comparison sharp).
"""

from dataclasses import replace

import numpy as np
import pytest

import vti_sim
from vti_sim.analysis.patterns import PATTERNS, STATUSES, check_pattern, evaluate, openness_curve, plateau_across

REPLICATES = 10  # the verdicts below are stable from 10 paired replicates (seeds 0-9)

# What the model reproduces (ODD §8, `vti-sim patterns -r 10`): these propositions hold at the default context
# and fail (reversal or shown equivalence) in their one documented failing context.
REPRODUCED = ("R1", "R2", "R3")
# These hold at the default context, but their documented failing context does not make them fail (reported).
ROBUST = ("R4", "R6")
# These the model does not support at the default context: the effect is shown equivalent to zero (reported).
NOT_SUPPORTED = ("R5", "S2")


@pytest.mark.parametrize("key", REPRODUCED + ROBUST)
def test_pattern_holds_at_default_context(key):
    result = evaluate(key, replicates=REPLICATES)
    lo, hi = result.ci()
    assert result.holds, f"{key} does not hold at default: effect={result.effect:.3g} CI=({lo:.3g}, {hi:.3g})"


@pytest.mark.parametrize("key", REPRODUCED)
def test_pattern_fails_in_its_documented_context(key):
    """Fails = reverses (95% CI below zero) or is shown equivalent to zero (TOST within the SESOI)."""
    pattern = PATTERNS[key]
    result = evaluate(key, failing=True, replicates=REPLICATES)
    assert result.fails, (f"{key} does not fail where it should ({pattern.failing_reason}): "
                          f"effect={result.effect:.3g}, CI={result.ci()}, relative={result.relative_effect:.3g}")


@pytest.mark.parametrize("key", NOT_SUPPORTED)
def test_unsupported_propositions_are_shown_equivalent_to_zero(key):
    result = evaluate(key, replicates=REPLICATES)
    assert not result.holds and result.equivalent, (result.effect, result.ci(0.9))


def test_every_pattern_is_one_condition_disjoint_from_its_arms():
    for pat in PATTERNS.values():
        check_pattern(pat)
        assert len(pat.failing_context) == 1
        assert not set(pat.failing_context) & (set(pat.arm_a) | set(pat.arm_b))
    bad = PATTERNS["R6"]
    with pytest.raises(ValueError, match="also arm keys"):
        check_pattern(replace(bad, failing_context={"facilitation_fte": 0.0}))
    with pytest.raises(ValueError, match="one condition"):
        check_pattern(replace(bad, failing_context={"literacy_mean": 0.3, "trust_0": 0.1}))
    with pytest.raises(ValueError, match="identical"):
        check_pattern(replace(bad, arm_b=bad.arm_a))


@pytest.mark.parametrize("key", sorted(PATTERNS))
def test_arms_differ_in_every_context(key):
    """Both arms of every pattern produce different runs at the default and at the failing context."""
    pat = PATTERNS[key]
    for ctx in ({}, pat.failing_context):
        a = vti_sim.run(seed=3, months=96, overrides={**ctx, **pat.arm_a}).summary["pv_net_total"]
        b = vti_sim.run(seed=3, months=96, overrides={**ctx, **pat.arm_b}).summary["pv_net_total"]
        assert a != b, (key, ctx)


LEVELS = np.linspace(0.0, 1.0, 9)


def test_across_runs_value_against_openness_has_diminishing_returns_only_when_time_is_limited():
    """Across runs at fixed resources, each step of openness adds less and less, while the same policies with
    unconstrained time (their potential) keep gaining: the gap to the potential widens.  The curve does not
    flatten within the plateau band at 144 months, so no across-runs plateau is detected (ODD §8, reported)."""
    x, constrained = openness_curve(LEVELS, replicates=2)
    _, potential = openness_curve(LEVELS, context={"capacity_factor": 20.0}, replicates=2)
    gap = potential - constrained
    assert gap[-1] > 2 * gap[0]
    steps = np.diff(constrained)
    assert steps[:2].mean() > steps[-2:].mean()
    assert plateau_across(x, potential) is None, potential


def test_plateau_within_a_run_sits_below_its_paired_potential():
    """Within a run (MODEL_BRIEF §9): the plateau is where monthly value levels off while the paired run of the
    same policy and seed with unconstrained time is above that level."""
    result = vti_sim.run(seed=1, months=240)
    s = result.summary
    assert s["plateau_month"] is not None
    assert s["plateau_potential_level"] > s["plateau_level"] * 1.05
    potential = vti_sim.run(seed=1, months=240, overrides={"capacity_factor": 20.0})
    window = slice(s["plateau_month"], s["plateau_month"] + 24)
    assert potential.timeseries["pv_net_total"].iloc[window].mean() > s["plateau_level"]


def test_plateau_vanishes_with_unconstrained_time_and_moves_without_coordination_cost():
    """The plateau comes from binding time (seed 002 §3.6: 'ça demande énormément de temps'): with unconstrained
    time the same policy shows none; with no coordination cost per partnership channel it moves (ODD §8 reports
    by how little: time in general binds, staff's most of all, not partnerships alone)."""
    base = vti_sim.run(seed=1, months=240).summary["plateau_month"]
    assert base is not None
    assert vti_sim.run(seed=1, months=240, overrides={"capacity_factor": 20.0}).summary["plateau_month"] is None
    moved = vti_sim.run(seed=1, months=240, overrides={"coordination_hours_per_channel": 0.0}).summary
    assert moved["plateau_month"] != base


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
        assert r["holds"] == (r["ci_low"] > 0 and r["wilcoxon_p"] < 0.05
                              and r["relative"] >= PATTERNS[r["pattern"]].sesoi)
        assert (r["status"] == "holds") == r["holds"] and r["status"] in STATUSES
