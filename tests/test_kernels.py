"""The compiled passes (numba) against the numpy formulas their docstrings state (ODD §7 submodels).

Hot mechanisms run as one compiled loop per verb (``benchmarks/README.md`` says why).  Each test here feeds a
kernel random inputs and checks it against the plain vectorised formula, so a mechanism's meaning can be read
off its reference and any drift in a kernel fails here rather than as a shifted pattern.
"""

from __future__ import annotations

import numpy as np
import pytest

from vti_sim.model import agents
from vti_sim.model import phases as ph
from vti_sim.model import portfolio as pfm
from vti_sim.model.feedback import pull_commitment
from vti_sim.model.value import account, type_matrices
from vti_sim.registry import defaults

SEEDS = range(5)
N = 257


def _rng(seed):
    return np.random.default_rng(1000 + seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_participate_is_bernoulli_with_fatigue(seed):
    """ODD §7.8: took part iff draw < opportunity * propensity * reachable * (floor + slope trust) * (1 - fatigue);
    reachable is 1 when present and the digital share when away (seasonal residents take part digitally);
    fatigue <- keep fatigue + gain took (1 - fatigue).  Coefficients are arguments (registry assumptions)."""
    r = _rng(seed)
    draws, propensity, trust, fatigue = r.random(N), r.random(N), r.random(N), 0.5 * r.random(N)
    reachable = np.where(r.random(N) < 0.8, 1.0, 0.3 * r.random(N))
    rest = 1.0 - fatigue
    expected = draws < 0.7 * propensity * reachable * (0.25 + 0.75 * trust) * rest
    took = np.zeros(N, bool)
    f = fatigue.copy()
    count = agents._participate(draws, 0.7, propensity, trust, f, reachable, took, 0.25, 0.75, 0.9, 0.2)
    assert np.array_equal(took, expected) and count == expected.sum() and count > 0
    np.testing.assert_allclose(f, 0.9 * fatigue + 0.2 * expected * rest, rtol=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
def test_use_services_relaxes_towards_able_and_trusting_use(seed):
    """ODD §7.8: use <- keep use + strength * (can_use + mediation * cannot) * (floor + slope trust) * present."""
    r = _rng(seed)
    use, can, trust, present = r.random(N), r.random(N), r.random(N), (r.random(N) < 0.7).astype(float)
    new = use.copy()
    total = agents._use_services(new, can, 1.0 - can, trust, present, 0.2, 0.4, 0.8, 0.25, 0.75)
    expected = 0.8 * use + 0.2 * (can + 0.4 * (1.0 - can)) * (0.25 + 0.75 * trust) * present
    np.testing.assert_allclose(new, expected, rtol=1e-14)
    assert total == pytest.approx(expected.sum(), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_receive_shares_value_and_moves_satisfaction(seed):
    """ODD §7.8: benefit = (per_head + per_use * use) * present; satisfaction <- keep s + rate x / (1 + x)."""
    r = _rng(seed)
    use, present, sat, low = r.random(N), (r.random(N) < 0.7).astype(float), r.random(N), r.random(N) < 0.3
    benefit, x, s = np.zeros(N), np.zeros(N), sat.copy()
    total, b_low, b_high = agents._receive(benefit, x, s, use, present, low.astype(float), 0.01, 0.05, 30.0,
                                           0.8, 0.2)
    eb = (0.01 + 0.05 * use) * present
    ex = eb * 30.0
    np.testing.assert_allclose(benefit, eb, rtol=1e-14)
    np.testing.assert_allclose(x, ex, rtol=1e-14)
    np.testing.assert_allclose(s, 0.8 * sat + 0.2 * ex / (1.0 + ex), rtol=1e-14)
    assert total == pytest.approx(s.sum(), rel=1e-12)
    assert (b_low, b_high) == (pytest.approx(eb[low].sum(), rel=1e-12), pytest.approx(eb[~low].sum(), rel=1e-12))


@pytest.mark.parametrize("seed", SEEDS)
def test_update_trust_is_the_documented_affine_map(seed):
    """ODD §7.8: trust <- trust (1 - harm_all - g - unanswered [took part] - harm_low [low, present]) + g."""
    r = _rng(seed)
    trust, x, can = r.random(N), r.random(N), r.random(N)
    took, low_present = r.random(N) < 0.2, (r.random(N) < 0.3).astype(float)
    t = trust.copy()
    total, audience = agents._update_trust(t, x, took, low_present, can, 0.004, 0.001, 0.02, 0.05, 0.01, 0.25, 0.75)
    g = np.minimum(0.01, 0.01 * x) + 0.004
    expected = trust * ((1.0 - 0.001) - g - 0.02 * low_present - 0.05 * took) + g
    np.testing.assert_allclose(t, expected, rtol=1e-13)
    assert total == pytest.approx(expected.sum(), rel=1e-12)
    assert audience == pytest.approx(float(can @ (0.25 + 0.75 * expected)), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_leaders_ration_from_commitment_dependent_capacity(seed):
    """ODD §7.2: capacity_i = free_i min(1, share (offset + commitment_i)); f_i = min(1, capacity_i / (w_i total))."""
    r = _rng(seed)
    n = 6
    free, commitment, w = 100.0 * r.random(n), r.random(n), r.random(n)
    w /= w.sum()
    cap, f = np.zeros(n), np.zeros(n)
    served = agents._ration_leaders(free, commitment, 0.3, w, 150.0, cap, f, 0.4)
    ecap = free * np.minimum(1.0, 0.3 * (0.4 + commitment))
    np.testing.assert_allclose(cap, ecap, rtol=1e-14)
    np.testing.assert_allclose(f, np.minimum(1.0, ecap / (w * 150.0)), rtol=1e-14)
    assert served == pytest.approx(float(w @ f), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_staff_allocation_rations_each_person(seed):
    """ODD §7.2: f_i = min(1, capacity_i / (delivery of i's direction / its head count + shared_each))."""
    r = _rng(seed)
    direction = np.sort(r.integers(0, 6, N))
    count = np.bincount(direction, minlength=6).astype(float)
    cap, delivery = 30.0 * r.random(N), 500.0 * r.random(6)
    f, per_dir, f_dir = np.zeros(N), np.zeros(6), np.zeros(6)
    f_sum, served, demanded = agents._staff_allocation(cap, direction, count, delivery, 2.0, f, per_dir, f_dir)
    ef = np.minimum(1.0, cap / (delivery[direction] / count[direction] + 2.0))
    np.testing.assert_allclose(f, ef, rtol=1e-14)
    np.testing.assert_allclose(f_dir, np.bincount(direction, ef, 6) / count, rtol=1e-12)
    assert f_sum == pytest.approx(ef.sum(), rel=1e-12)
    assert served == pytest.approx(float((delivery / count)[direction] @ ef), rel=1e-12)
    assert demanded == pytest.approx(delivery.sum(), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_staff_training_jobs_and_data_habits(seed):
    """ODD §7.3: skill, acceptance, job transformation, job fit and data habit follow their documented maps."""
    r = _rng(seed)
    direction = np.sort(r.integers(0, 6, N))
    count = np.bincount(direction, minlength=6).astype(float)
    skill, acc, jt, fulfil = r.random(N), r.random(N), r.random(N), r.random(N)
    received, s, a = np.zeros(N), skill.copy(), acc.copy()
    skill_total, acc_total = agents._train(received, s, a, jt, fulfil, 1.5, 0.04, 0.006, 0.03, 0.4, 0.6)
    hours = 1.5 * fulfil
    np.testing.assert_allclose(received, hours, rtol=1e-14)
    np.testing.assert_allclose(s, skill + 0.03 * hours * (1.0 - skill) * (0.4 + 0.6 * acc), rtol=1e-14)
    np.testing.assert_allclose(a, acc + 0.04 * (1.0 - acc) - 0.006 * jt * acc, rtol=1e-13)
    assert (skill_total, acc_total) == (pytest.approx(s.sum(), rel=1e-12), pytest.approx(a.sum(), rel=1e-12))
    tools, t = r.random(6), jt.copy()
    agents._transform_jobs(t, direction, tools, 0.2)
    np.testing.assert_allclose(t, 0.8 * jt + 0.2 * tools[direction], rtol=1e-14)
    fit = np.empty(6)
    mean = agents._job_fit(s, a, t, direction, count, fit, 0.2, 0.4, 0.6)
    ok = np.minimum(1.0, (0.2 + s) * (0.4 + 0.6 * a))
    np.testing.assert_allclose(fit, 1.0 - np.bincount(direction, t * (1.0 - ok), 6) / count, rtol=1e-12)
    assert mean == pytest.approx(fit.mean(), rel=1e-12)
    h = skill.copy()
    agents._affine(h, 0.9, 0.05)
    np.testing.assert_allclose(h, 0.9 * skill + 0.05, rtol=1e-14)


def test_commitment_pull_and_follow():
    """ODD §7.9: commitment is pulled by legitimacy (bounded 0.05-1); directors follow the elected mean."""
    c = np.array([0.01, 0.3, 0.99, 1.0])
    p = defaults()
    pulled = c + p["commitment_pull"] * (0.9 - p["commitment_neutral_legitimacy"])
    expected = np.clip(pulled, p["commitment_floor"], 1.0)
    np.testing.assert_allclose(pull_commitment(c, 0.9, p), expected)
    d = np.array([0.2, 0.8])
    agents._follow(d, c, 0.1)
    np.testing.assert_allclose(d, np.array([0.2, 0.8]) + 0.1 * (c.mean() - np.array([0.2, 0.8])))


@pytest.mark.parametrize("seed", SEEDS)
def test_items_advance_with_served_hours_and_average_quality(seed):
    """ODD §7.4: progress += split . fulfilment * productivity / min_months (capped, snapped at 1 - 1e-9);
    quality is the progress-weighted running mean; start and end months are stamped once."""
    r = _rng(seed)
    n = ph.N_ITEMS
    _, split, min_months = ph.item_table(defaults())
    before, quality = 0.9 * r.random(n), r.random(n)
    workable, required = r.random(n) < 0.6, r.random(n) < 0.5
    fulfil, prod, iq = r.random(3), 3.0 * r.random(n), r.random(n)
    progress, q = before.copy(), quality.copy()
    start, end = np.full(n, -1), np.full(n, -1)
    completed, done = ph._advance_items(progress, q, start, end, workable, fulfil, prod, iq, required, 7,
                                        split, 1.0 / min_months)
    rate = (split @ fulfil) * prod / min_months * workable
    after = np.minimum(1.0, before + rate)
    after[after >= 1.0 - 1e-9] = 1.0
    np.testing.assert_allclose(progress, after, rtol=1e-13)
    eq = np.where(workable, (quality * before + iq * (after - before)) / np.maximum(after, 1e-12), quality)
    np.testing.assert_allclose(q, eq, rtol=1e-12)
    assert np.array_equal(start, np.where(workable, 7, -1))
    assert np.array_equal(end, np.where(workable & (after >= 1.0), 7, -1))
    assert completed == int((workable & (after >= 1.0)).sum())
    assert done == bool((after >= 1.0)[required].all())


def _portfolio(seed):
    p = pfm.Portfolio("angers", 0.5, 0.4, 8, _rng(seed), defaults())
    r = _rng(seed + 50)
    p.state[:] = r.integers(0, 4, p.n)
    p.progress[:] = np.where(p.state >= 2, 1.0, 0.95 * r.random(p.n)) * (p.state > 0)
    return p, r


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("budget", [1e9, 0.3])
def test_actions_advance_gated_by_maturity_and_capped_by_money(seed, budget):
    """ODD §7.5 / §7.7: rate = min(gate * work * productivity / duration, 1 - progress) for actions under way,
    work = staff fulfilment, or the lesser of it and the operator's contracted work when outsourced; the whole
    month is scaled down in proportion when the investment left cannot pay for it."""
    p, r = _portfolio(seed)
    state0, progress0, spent0 = p.state.copy(), p.progress.copy(), p.spent.copy()
    staff_f, op_done = r.random(6), r.random(p.n)
    wanted, delivered = p.advance_actions(9, 0.45, staff_f, op_done, 0.8, 1.2, budget)
    under = state0 == 1
    gate = np.clip(1.0 - (p.required_maturity - 0.45) / defaults()["action_maturity_gate_width"], 0.0, 1.0)
    work = np.where(p.outsourced, np.minimum(staff_f[p.direction], op_done * 0.8), staff_f[p.direction])
    rate = np.minimum(under * gate * work * (1.2 / p.duration), 1.0 - progress0)
    cost = float(rate @ p.public_cost)
    scale = min(1.0, budget / cost) if cost > 0 else 1.0
    assert wanted == pytest.approx(min(cost, budget), rel=1e-12)
    np.testing.assert_allclose(p.progress, progress0 + rate * scale, rtol=1e-13)
    np.testing.assert_allclose(p.spent, spent0 + rate * scale * p.public_cost, rtol=1e-13, atol=1e-15)
    newly = under & (p.progress >= 1.0 - 1e-9)
    assert delivered == newly.sum() and np.array_equal(p.state, np.where(newly, 2, state0))
    assert np.array_equal(p.delivered_month[newly], np.full(newly.sum(), 9))
    found = p.is_foundation
    assert p.foundation_done == pytest.approx(float((p.progress * p.cost)[found].sum() / p.cost[found].sum()))


@pytest.mark.parametrize("seed", SEEDS)
def test_delivered_actions_realise_value_by_family_use(seed):
    """ODD §7.10: value = weight * use * scale * potential; use by family (infrastructure: job fit x data
    readiness; decision support: platform; proximity: residents' use; foundation: 1)."""
    p, r = _portfolio(seed)
    weight = (p.state >= 2) * np.where(p.state == 3, 1.2, 1.0)
    job_fit = r.random(6)
    before = p.value_created.copy()
    p.value_weight[:] = weight
    gen, personal = p.realise_value(job_fit, 0.9, 0.6, 0.3, 0.7)
    use = np.select([p.is_infra, p.is_decision, p.is_proximity], [job_fit[p.direction] * 0.9, 0.6, 0.3], 1.0)
    factor = weight * use * 0.7
    np.testing.assert_allclose(gen, factor @ p.potential, rtol=1e-12)
    np.testing.assert_allclose(p.value_created - before, factor * p.magnitude, rtol=1e-13)
    assert personal == pytest.approx(float((factor * p.magnitude) @ p.is_proximity), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_tally_totals_follow_the_states(seed):
    """ODD §7.5: what actions under way ask for and what delivered actions offer, recomputed on state changes."""
    p, _ = _portfolio(seed)
    p.tally(0.5)
    under, delivered, evaluated = p.state == 1, p.state >= 2, p.state == 3
    assert (p.n_under, p.n_delivered, p.n_evaluated) == (under.sum(), delivered.sum(), evaluated.sum())
    np.testing.assert_allclose(p.staff_work, np.bincount(p.direction, under * p.monthly_effort * p.staff_share, 6))
    assert p.directors_work == pytest.approx(float((under * p.monthly_effort) @ p.director_share))
    np.testing.assert_allclose(p.operator_work, np.bincount(p.operator, under * p.operator_monthly, 8))
    assert p.delivered_cost == pytest.approx(float(p.public_cost @ delivered))
    np.testing.assert_allclose(p.tools, np.bincount(p.direction, p.tool_magnitude * delivered, 6))
    np.testing.assert_allclose(p.value_weight, delivered * np.where(evaluated, 1.15, 1.0))
    np.testing.assert_allclose(p.risk_exposure, delivered @ p.risk_matrix)
    assert p.proximity_delivered == pytest.approx(float(p.proximity_magnitude @ delivered))
    assert p.decision_delivered == pytest.approx(float(p.decision_magnitude @ delivered))
    assert p.started_magnitude == pytest.approx(float(p.magnitude @ (p.state >= 1)))


@pytest.mark.parametrize("seed", SEEDS)
def test_account_maps_generators_and_sources_to_types(seed):
    """ODD §7.10: created = generators @ G->T, destroyed = sources @ D->T, with their totals."""
    r = _rng(seed)
    gen, src = r.random(6), r.random(5)
    generator_to_type, destruction_to_type = matrices = type_matrices(defaults())
    created, destroyed, c, d = account(gen, src, matrices)
    np.testing.assert_allclose(created, gen @ generator_to_type, rtol=1e-13)
    np.testing.assert_allclose(destroyed, src @ destruction_to_type, rtol=1e-13)
    assert (c, d) == (pytest.approx(created.sum(), rel=1e-13), pytest.approx(destroyed.sum(), rel=1e-13))


# ---------------------------------------------------------------- the month's compiled compositions (model.month)
def test_builtin_sum_is_this_pythons_sum():
    """``month.builtin_sum`` must equal the built-in ``sum()`` bit for bit (naive on 3.11, compensated on 3.12+):
    the time table's totals were Python sums before they were compiled."""
    from vti_sim.model.month import builtin_sum

    r = _rng(0)
    for k in range(3000):
        n = 1 + k % 6
        x = r.normal(size=n) * 10.0 ** r.integers(-9, 9, size=n)
        assert np.float64(builtin_sum(x)).tobytes() == np.float64(sum(x.tolist())).tobytes()
        assert np.float64(builtin_sum(tuple(x.tolist()))).tobytes() == np.float64(sum(x.tolist())).tobytes()


@pytest.mark.parametrize("seed", SEEDS)
def test_steer_pushes_late_actions_by_their_weather(seed):
    """ODD §7.5 steering tool: boost = 1 + unblock * attention * (1 - météo) for actions under way, where météo is
    ``Portfolio.weather`` (progress against the schedule elapsed); 1 for actions not under way."""
    r = _rng(seed)
    pf = pfm.Portfolio("angers", 0.5, 0.3, 4, r, defaults())
    pf.state[:] = r.integers(0, 4, pf.n)
    pf.started_month[:] = r.integers(0, 30, pf.n)
    pf.progress[:] = r.random(pf.n)
    out = np.empty(pf.n)
    pf.steer(36, 0.7, 0.5, out)
    w = pf.weather(36)
    expected = 1.0 + 0.35 * (1.0 - np.nan_to_num(w, nan=1.0))
    np.testing.assert_allclose(out, expected, rtol=1e-15)
    assert (out[pf.state == 1] > 1.0).any() and np.all(out[pf.state != 1] == 1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_steer_and_advance_is_steer_then_advance_actions(seed):
    """The composed call gives exactly what its two verbs give one after the other."""
    pfs = []
    for _ in range(2):
        r = _rng(seed)
        pf = pfm.Portfolio("angers", 0.5, 0.3, 4, r, defaults())
        pf.state[:] = r.integers(0, 3, pf.n)
        pf.started_month[:] = r.integers(0, 30, pf.n)
        pf.progress[:] = 0.9 * r.random(pf.n)
        pfs.append((pf, r.random(6), r.random(pf.n)))
    (a, fa, oa), (b, fb, ob) = pfs
    boost = np.empty(a.n)
    got = a.steer_and_advance(36, 0.6, 0.5, boost, 0.7, fa, oa, 0.8, 1.1, 5.0)
    want = b.advance_actions(36, 0.7, fb, ob, 0.8, 1.1, 5.0, b.steer(36, 0.6, 0.5, np.empty(b.n)))
    assert got == want and a.foundation_done == b.foundation_done
    for name in ("state", "progress", "spent", "delivered_month"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_staff_develop_is_its_four_verbs_in_order():
    """``OperationalStaff.develop`` = train, transform_jobs, share_data, job_fit, bit for bit."""
    from vti_sim.model import VTIModel

    a, b = VTIModel(rng=3), VTIModel(rng=3)
    for m in (a, b):
        for _ in range(30):
            m.step()
    tools = np.linspace(0.1, 0.9, 6)
    fit_a = a.staff.develop(0.6, 0.5, tools, 0.4, 0.3, 0.5)
    sb = b.staff
    sb.train(0.6, 0.5)
    sb.transform_jobs(tools)
    sb.share_data(0.4, 0.3, 0.5)
    fit_b = sb.job_fit()
    assert np.array_equal(fit_a, fit_b)
    for name in ("skill_total", "acceptance_total", "mean_data_habit", "mean_job_fit"):
        assert getattr(a.staff, name) == getattr(sb, name), name
    for name in ("digital_skill", "acceptance", "job_transformation", "data_habit", "training_received"):
        assert np.array_equal(getattr(a.staff, name), getattr(sb, name)), name


def test_residents_compositions_are_their_verbs_in_order():
    """``Residents.engage`` = participate then use_services; ``receive_and_update_trust`` = receive then
    update_trust; bit for bit, including the participation stream."""
    from vti_sim.model import VTIModel

    a, b = (VTIModel(rng=5, openness_start="launch") for _ in range(2))
    for m in (a, b):
        for _ in range(30):
            m.step()
    ra, rb = a.residents, b.residents
    got = ra.engage(0.4, 0.6, 0.3, 0.8)
    want = rb.participate(0.4), rb.use_services(0.6, 0.3, 0.8)
    assert got == want and got[0] > 0.0 and got[1] > 0.0
    ra.receive_and_update_trust(2.0, 0.5, got[1], 0.4, 0.3, 0.01, 0.02)
    rb.receive(2.0, 0.5, want[1])
    rb.update_trust(0.4, 0.3, 0.01, 0.02)
    for name in ("mean_satisfaction", "mean_trust", "audience", "_benefit_low", "_benefit_high"):
        assert getattr(ra, name) == getattr(rb, name), name
    for name in ("trust", "satisfaction", "fatigue", "digital_use", "benefit", "_x", "participated"):
        assert np.array_equal(getattr(ra, name), getattr(rb, name)), name
