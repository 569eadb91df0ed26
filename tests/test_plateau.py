"""The operational plateau definition on synthetic curves (ODD §7.10; MODEL_BRIEF §9; seed 002 §3.6).

Definition (``vti_sim/plateau.py``): with m the ``window``-point trailing moving
average, a plateau starts at the first i >= window-1 where m[i] > 0 was reached by
rising (m[i] - min m[:i] >= rise * m[i]), m stays within band * m[i] of m[i] for
``min_length`` points after i (across runs: up to the end of the range, which must
span ``min_length`` x-units), and any given potential is above m[i] * (1 + band).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vti_sim.outputs.plateau import detect_plateau, detect_plateau_against, moving_average

WINDOW, MIN_LENGTH, BAND = 12, 24, 0.05
T = np.arange(240, dtype=float)


def expected_onset_saturating(tau: float) -> int:
    """Onset for y = 1 - exp(-t/tau), derived from the definition.

    For i >= window-1 the trailing mean is exactly m(t) = 1 - A e^{-t/tau}, with
    A = mean_k e^{k/tau} (k = 0..window-1).  m rises, so the band condition is
    m(t + L) - m(t) <= band * m(t); with u = A e^{-t/tau} this is
    u (1 - e^{-L/tau}) <= band (1 - u), i.e. t >= tau ln(A (1 + band - e^{-L/tau}) / band).
    The rise condition holds because m(0) = 0.
    """
    a = np.exp(np.arange(WINDOW) / tau).mean()
    t_star = tau * math.log(a * (1.0 + BAND - math.exp(-MIN_LENGTH / tau)) / BAND)
    return max(WINDOW - 1, math.ceil(t_star))


def test_moving_average_is_trailing():
    y = np.arange(10, dtype=float)
    m = moving_average(y, 3)
    assert m[0] == 0.0 and m[1] == 0.5  # the first points average what is available
    assert np.allclose(m[2:], y[1:-1])  # then the mean of the last three


@pytest.mark.parametrize("curve", [T, 0.05 * T, (T / 100.0) ** 2, np.exp(T / 80.0) - 1.0], ids=["linear", "slow",
                                                                                              "convex", "exp"])
def test_rising_curve_has_no_plateau(curve):
    assert detect_plateau(curve) is None


@pytest.mark.parametrize("tau", [6.0, 12.0, 20.0, 30.0])
def test_saturating_curve_plateau_where_the_definition_puts_it(tau):
    y = 1.0 - np.exp(-T / tau)
    found = detect_plateau(y)
    assert found is not None
    assert abs(found.index - expected_onset_saturating(tau)) <= 1
    assert found.at == found.index  # within a run, x is the month
    m = moving_average(y, WINDOW)
    assert found.level == pytest.approx(m[found.index])
    # the level is within the band of the asymptote but below it
    assert 1.0 / (1.0 + 2 * BAND) < found.level < 1.0


def test_later_saturation_gives_later_plateau():
    onsets = [detect_plateau(1.0 - np.exp(-T / tau)).index for tau in (5.0, 10.0, 20.0, 40.0)]
    assert onsets == sorted(onsets) and len(set(onsets)) == len(onsets)


def test_saturating_curve_scale_invariant():
    y = 1.0 - np.exp(-T / 15.0)
    assert detect_plateau(y).index == detect_plateau(250.0 * y).index


def test_too_short_a_flat_stretch_is_not_a_plateau():
    # rises, stays flat for 15 months, rises again: shorter than min_length
    y = np.concatenate([np.linspace(0, 1, 40), np.ones(15), np.linspace(1, 3, 60)])
    assert detect_plateau(y) is None


@pytest.mark.parametrize("seed", range(50))
def test_noise_alone_never_creates_a_plateau(seed):
    rng = np.random.default_rng(seed)
    assert detect_plateau(rng.normal(0.0, 1.0, 240)) is None  # zero-mean noise
    # constant level plus noise, with no prior rise: the level is never reached by rising
    assert detect_plateau(10.0 + rng.normal(0.0, 1.0, 240)) is None
    assert detect_plateau(10.0 + rng.normal(0.0, 0.1, 240)) is None


@pytest.mark.parametrize("seed", range(50))
def test_rising_curve_with_moderate_noise_has_no_plateau(seed):
    rng = np.random.default_rng(seed)
    y = 0.1 * T + rng.normal(0.0, 1.0, len(T))  # noise sd = 10 months of growth
    assert detect_plateau(y) is None


def test_saturating_curve_with_noise_still_found_near_the_noiseless_onset():
    hits = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        y = 1.0 - np.exp(-T / 12.0) + rng.normal(0.0, 0.01, len(T))
        found = detect_plateau(y)
        assert found is not None
        hits.append(found.index)
    assert abs(np.median(hits) - expected_onset_saturating(12.0)) <= 6


def test_potential_suppresses_plateau_unless_above_the_level():
    y = 1.0 - np.exp(-T / 12.0)
    found = detect_plateau(y)
    assert found is not None
    # potential equal to the curve itself, or to the level, or within the band above it: no plateau
    assert detect_plateau(y, potential=y) is None
    assert detect_plateau(y, potential=found.level) is None
    assert detect_plateau(y, potential=0.999 * found.level * (1.0 + BAND)) is None
    # a potential above the onset level by more than the band (even a curve's own asymptote) keeps it
    assert detect_plateau(y, potential=1.001 * found.level * (1.0 + BAND)).index == found.index
    # a clearly higher potential (what unconstrained time would reach) keeps the plateau
    high = detect_plateau(y, potential=2.0 * y)
    assert high is not None and high.index == found.index
    assert detect_plateau(y, potential=5.0).index == found.index


def _lazy(potential):
    """``potential_until`` over a known curve, recording how far it was read."""
    asked = []

    def until(n):
        asked.append(n)
        return potential[:n]
    return until, asked


@pytest.mark.parametrize("dip_until", [0, 30, 60, 150, 239])
def test_the_potential_read_only_as_far_as_needed_gives_the_same_plateau_bit_for_bit(dip_until):
    """The paired run of ``plateau_of`` is stepped month by month: the potential's trailing average at a candidate
    reads its first points only, so the answer (index, level, potential level) is the one the whole curve gives,
    and nothing past the confirmed candidate is asked for.  The potential is below the band until ``dip_until``,
    then above it, so the first candidates fail condition 3 and later ones hold (or none, at 239)."""
    rng = np.random.default_rng(dip_until)
    y = 1.0 - np.exp(-T / 12.0) + rng.normal(0.0, 0.002, len(T))
    potential = np.where(dip_until > T, 0.9 * y, 1.3 * y) + rng.normal(0.0, 0.002, len(T))
    whole = detect_plateau(y, potential=potential)
    until, asked = _lazy(potential)
    lazy = detect_plateau_against(y, until)
    if whole is None:
        assert lazy is None and dip_until == 239
        return
    plateau, pot_level = lazy
    assert plateau == whole
    assert pot_level == moving_average(potential, WINDOW)[whole.index]  # exactly: the same sums in the same order
    assert max(asked) == whole.index + 1
    if dip_until > 30:
        assert whole.index > detect_plateau(y).index  # earlier candidates were refused: several were tried


def test_a_run_and_its_twin_stepped_only_as_far_as_needed_give_the_whole_twin_s_plateau():
    """``plateau_of`` against the definition applied to the twin run to its horizon, for sampled settings of the
    factors a plateau depends on most (some with a plateau, some refused by the potential), bit for bit."""
    from vti_sim.model.ledger import INDEX
    from vti_sim.outputs.result import plateau_of, release, simulate
    from vti_sim.registry import REGISTRY, resolve

    rng = np.random.default_rng(11)
    outcomes = {"plateau": 0, "refused": 0}
    for k in range(40):
        p = resolve({"annual_budget_meur": float(rng.uniform(0.5, 60.0)),
                     "leader_time_share": float(rng.uniform(0.0, 0.6)),
                     "routine_load_staff": float(rng.uniform(0.7, 0.97)),
                     "facilitation_fte": float(rng.uniform(0.0, 10.0))})
        model = simulate(p, k)
        data = model.ledger.data[: model.ledger.n]
        col = {c: data[:, i] for c, i in INDEX.items()}
        got = plateau_of(model, col)
        y = col["pv_net_total"]
        if detect_plateau(y) is None:
            assert got == (None, None, None)
            continue
        twin = simulate(dict(p, capacity_factor=min(p["capacity_factor"] * p["potential_capacity_factor"],
                                                    REGISTRY["capacity_factor"].max)), k)
        potential = twin.ledger.data[: twin.ledger.n, INDEX["pv_net_total"]]
        whole = detect_plateau(y, potential=potential)
        if whole is None:
            outcomes["refused"] += 1
            assert got == (None, None, None)
        else:
            outcomes["plateau"] += 1
            assert got == (int(col["month"][whole.index]), whole.level,
                           float(moving_average(potential, WINDOW)[whole.index]))
        release(twin)
        release(model)
    assert outcomes["plateau"] >= 3 and outcomes["refused"] >= 1, outcomes


# --- across runs: value against openness ------------------------------------------------------------------------


X = np.linspace(0.0, 1.0, 51)
ACROSS = {"window": 1, "min_length": 0.3}


def test_across_runs_saturating_value_plateau_near_saturation_x():
    x_sat = 0.4
    y = np.minimum(X, x_sat) / x_sat  # value rises with openness then saturates
    found = detect_plateau(y, X, **ACROSS)
    assert found is not None
    # definition: first x with y >= y_end / (1 + band), i.e. x >= x_sat / (1 + band)
    assert found.at == pytest.approx(X[np.flatnonzero(x_sat / (1 + BAND) - 1e-12 <= X)[0]])
    assert abs(found.at - x_sat) <= 0.05


def test_across_runs_unsorted_x_is_sorted():
    x_sat = 0.5
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(X))
    y = 1.0 - np.exp(-X / 0.1)
    a = detect_plateau(y, X, **ACROSS)
    b = detect_plateau(y[perm], X[perm], **ACROSS)
    assert a is not None and b is not None and a.at == b.at and a.level == pytest.approx(b.level)
    assert a.at < x_sat


def test_across_runs_linear_has_no_plateau():
    assert detect_plateau(0.1 + X, X, **ACROSS) is None
    assert detect_plateau(X ** 2, X, **ACROSS) is None


def test_across_runs_plateau_must_last_to_the_end_and_span_min_length():
    # saturates, then rises again at the end: the flat stretch does not last to the end of the range
    y = np.where(X < 0.4, X / 0.4, np.where(X < 0.8, 1.0, 1.0 + 5.0 * (X - 0.8)))
    assert detect_plateau(y, X, **ACROSS) is None
    # saturation too late for the remaining range to span min_length
    y = np.minimum(X, 0.9) / 0.9
    assert detect_plateau(y, X, **ACROSS) is None


def test_across_runs_potential():
    y = np.minimum(X, 0.4) / 0.4
    assert detect_plateau(y, X, potential=y, **ACROSS) is None
    assert detect_plateau(y, X, potential=np.full_like(X, 3.0), **ACROSS) is not None


def test_degenerate_inputs():
    assert detect_plateau([]) is None
    assert detect_plateau([1.0]) is None
    assert detect_plateau(np.ones(10)) is None  # shorter than min_length
    assert detect_plateau(np.zeros(240)) is None  # level must be positive
    assert detect_plateau(-(1.0 - np.exp(-T / 12.0))) is None  # falling value is not a plateau
