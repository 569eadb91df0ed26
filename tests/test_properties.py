"""Invariants over random draws of levers and context (ODD §7.2 time, §7.7 money, §7.4 phases, §7.10 value).

Parameters are drawn inside their registry bounds and decoded by the registry
itself (``Parameter.decode``), so these tests also cover what samplers feed the model.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vti_sim import VTIModel, run
from vti_sim.model.ledger import INDEX
from vti_sim.model.phases import EVALUATION, PHASES, PLANNING
from vti_sim.model.time_budget import HOURS_PER_MONTH
from vti_sim.registry import REGISTRY

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DRAWN = ("leader_time_share", "copil_per_year", "working_groups", "open_bodies", "open_meetings_per_year",
         "participatory_share", "information_sharing", "openness_start", "structure_first_threshold",
         "facilitation_fte", "training_hours_per_year", "hr_support", "data_culture", "annual_budget_meur",
         "investment_share", "outsourcing_share", "let_do_share", "portfolio", "seasonal_amplitude",
         "foundation_maturity_0", "innovation_capacity", "silo_index", "literacy_mean", "trust_0",
         "ecosystem_richness", "routine_load_elected", "routine_load_directors", "routine_load_staff",
         "coordination_hours_per_channel", "budget_feedback", "election_volatility", "mandate_months",
         "capacity_factor")


@st.composite
def params(draw) -> dict:
    out = {"population": 20_000, "months": draw(st.integers(24, 60))}
    for name in DRAWN:
        p = REGISTRY[name]
        lo, hi = p.bounds()
        out[name] = p.decode(draw(st.floats(lo, hi, allow_nan=False)))
    out["mandate_months"] = min(out["mandate_months"], out["months"])  # let an election happen in the horizon
    return out


ROLE_ATTRS = ("elected", "directors", "staff", "operators")


@SETTINGS
@given(p=params(), seed=st.integers(0, 2**31 - 1))
def test_no_one_spends_more_hours_than_they_have_and_money_stays_within_budget(p, seed):
    """ODD §7.2 and §7.7: every month, each person's served hours <= capacity, served <= demanded, facilitation
    within its FTE, and spending within the year's budget (investment and operating envelopes)."""
    model = VTIModel(rng=seed, **p)
    fac_capacity = p["facilitation_fte"] * HOURS_PER_MONTH["staff"] * p["capacity_factor"]
    for month in range(p["months"]):
        model.step()
        for attr in ROLE_ATTRS:
            role = getattr(model, attr)
            served = role.served
            assert np.all(served >= 0.0), (month, attr)
            assert np.all(served.sum(axis=1) <= role.capacity + 1e-9), (month, attr)
            assert np.all(served <= role.demanded + 1e-9), (month, attr)
        assert 0.0 <= model.fac_served <= fac_capacity + 1e-9
        # investment within the credits voted this year, themselves within the ceiling's investment share;
        # operating (upkeep) within a twelfth of the ceiling's operating share each month
        assert model.invested_year <= model.invest_budget + 1e-9, month
        assert model.invest_budget <= model.ceiling * p["investment_share"] + 1e-9, month
        assert model.operating_paid <= model.ceiling * (
            1.0 - p["investment_share"]) / 12.0 + 1e-9, month
        row = model.ledger.data[month]
        assert row[INDEX["budget_spent_year"]] <= row[INDEX["budget_allotted"]] + 1e-9
        assert row[INDEX["budget_spent"]] >= 0.0
    assert not model.running


@SETTINGS
@given(p=params(), seed=st.integers(0, 2**31 - 1))
def test_outputs_finite_and_bounded(p, seed):
    """ODD §7.10 / §7.8: every timeseries value and summary number is finite; shares stay in [0, 1]; created and
    destroyed value are non-negative and net = created - destroyed; stocks that only grow never fall."""
    r = run(seed=seed, overrides=p)
    ts = r.timeseries
    num = ts.drop(columns=["phase_name"]).to_numpy(dtype=float)
    assert np.isfinite(num).all()
    assert len(ts) == p["months"]
    for c in ("trust", "participation", "satisfaction", "digital_use", "legitimacy", "foundation_maturity",
              "open_data_catalogue", "open_data_freshness", "data_habit", "transversality", "openness", "job_fit",
              "skill", "budget_execution", "open_fulfilment"):
        if c in ts.columns:
            assert ts[c].between(-1e-12, 1.0 + 1e-12).all(), c
    for c in [c for c in ts.columns if c.startswith(("pv_created_", "pv_destroyed_", "destroyed_", "hours_",
                                                          "demand_", "generator_"))]:
        assert (ts[c] >= -1e-12).all(), c
    for c in [c for c in ts.columns if c.startswith("unmet_")]:
        assert (ts[c] >= -1e-9).all(), c
    assert np.allclose(ts["pv_net_total"], ts["pv_created_total"] - ts["pv_destroyed_total"])
    for c in ("foundation_maturity", "actions_delivered", "cycle"):
        assert (ts[c].diff().dropna() >= -1e-12).all(), c
    assert ((ts[[c for c in ts.columns if c.startswith("progress_")]] >= 0) &
            (ts[[c for c in ts.columns if c.startswith("progress_")]] <= 1)).all().all()

    def finite(x):
        if isinstance(x, dict):
            return all(finite(v) for v in x.values())
        if isinstance(x, list | tuple):
            return all(finite(v) for v in x)
        if isinstance(x, bool) or x is None or isinstance(x, str):
            return True
        return math.isfinite(float(x))

    assert finite(r.summary)


@SETTINGS
@given(p=params(), seed=st.integers(0, 2**31 - 1))
def test_phases_are_reached_in_order(p, seed):
    """ODD §7.4: no later phase is reached before an earlier one; the timeseries only steps one phase forward,
    or from evaluation back to planning (a new cycle)."""
    r = run(seed=seed, overrides=p)
    reached = [r.summary["months_to_phase"][ph] for ph in PHASES]
    assert reached[0] == 0
    for earlier, later in zip(reached, reached[1:], strict=False):
        if later is not None:
            assert earlier is not None and earlier < later
    phase = r.timeseries["phase"].to_numpy()
    cycle = r.timeseries["cycle"].to_numpy()
    for a, b, ca, cb in zip(phase, phase[1:], cycle, cycle[1:], strict=False):
        if b != a:
            assert b == a + 1 or (a == EVALUATION and b == PLANNING and cb == ca + 1)
        else:
            assert cb == ca
    # each phase shown in the timeseries has been recorded as reached
    for k in range(len(PHASES)):
        if (phase == k).any():
            assert reached[k] is not None
