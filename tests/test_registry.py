"""The parameter registry (ODD Appendix A parameter table; MODEL_BRIEF §6 'every parameter belongs in one registry')."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vti_sim import registry
from vti_sim.registry import PARAMETERS, REGISTRY, Parameter, ParameterError

SETTINGS = settings(max_examples=200, deadline=None)  # pure functions: cheap, so search wider

NUMERIC = [p for p in PARAMETERS if p.dtype != "choice"]
CHOICES = [p for p in PARAMETERS if p.dtype == "choice"]
IDS = [p.name for p in PARAMETERS]


def test_names_unique_and_registry_complete():
    assert len(IDS) == len(set(IDS))
    assert set(REGISTRY) == set(IDS)
    assert set(registry.defaults()) == set(IDS)


@pytest.mark.parametrize("p", PARAMETERS, ids=IDS)
def test_entry_is_documented(p: Parameter):
    assert p.kind in registry.KINDS
    assert p.dtype in ("float", "int", "choice")
    assert p.doc.strip() and p.source.strip() and p.unit.strip() and p.group.strip()
    if p.dtype == "choice":
        assert p.choices and p.min is None and p.max is None
    else:
        assert p.min is not None and p.max is not None and p.min < p.max


@pytest.mark.parametrize("p", PARAMETERS, ids=IDS)
def test_default_within_bounds_and_coerces_to_itself(p: Parameter):
    if p.dtype == "choice":
        assert p.default in p.choices
    else:
        assert p.min <= p.default <= p.max
        assert isinstance(p.default, int if p.dtype == "int" else float)
    coerced = p.coerce(p.default)
    assert coerced == p.default and type(coerced) is type(p.default)


def test_levers_are_the_lever_kind():
    assert registry.levers() == tuple(p for p in PARAMETERS if p.kind == "lever")
    assert registry.levers(), "there must be levers for a user to steer"


def test_validate_accepts_and_coerces():
    out = registry.validate({"leader_time_share": "0.3", "working_groups": 4.0, "n_staff": "60",
                             "openness_start": "never"})
    assert out == {"leader_time_share": 0.3, "working_groups": 4, "n_staff": 60, "openness_start": "never"}
    assert type(out["working_groups"]) is int and type(out["leader_time_share"]) is float


def _error(values, source="scenario.toml") -> ParameterError:
    with pytest.raises(ParameterError) as info:
        registry.validate(values, source=source)
    return info.value


def test_validate_rejects_unknown_name():
    err = _error({"no_such_lever": 1.0})
    assert err.field == "no_such_lever"
    assert "scenario.toml" in str(err) and "no_such_lever" in str(err) and "unknown" in str(err)


@pytest.mark.parametrize("bad", [True, False, "lots", None, [0.2], float("nan"), float("inf")])
def test_validate_rejects_wrong_type_for_float(bad):
    p = REGISTRY["leader_time_share"]
    err = _error({p.name: bad})
    msg = str(err)
    assert err.field == p.name and err.source == "scenario.toml"
    assert msg.startswith("scenario.toml") and p.name in msg
    assert f"[{p.min:g}, {p.max:g}]" in msg


@pytest.mark.parametrize("bad", [2.5, "2.5", True, "three", 0.5])
def test_validate_rejects_fractional_or_non_numeric_int(bad):
    p = REGISTRY["working_groups"]
    err = _error({p.name: bad})
    assert p.name in str(err) and "integer" in str(err) and f"[{p.min:g}, {p.max:g}]" in str(err)


@pytest.mark.parametrize("p", NUMERIC, ids=[p.name for p in NUMERIC])
def test_validate_rejects_out_of_bounds(p: Parameter):
    step = 1 if p.dtype == "int" else max(1e-6, 1e-3 * (p.max - p.min))
    for bad in (p.min - step, p.max + step):
        err = _error({p.name: bad}, source="sweep.toml")
        msg = str(err)
        assert "sweep.toml" in msg and p.name in msg and f"[{p.min:g}, {p.max:g}]" in msg
    # the bounds themselves are allowed
    assert p.coerce(p.min) == p.min and p.coerce(p.max) == p.max


@pytest.mark.parametrize("p", CHOICES, ids=[p.name for p in CHOICES])
def test_validate_rejects_bad_choice(p: Parameter):
    for bad in ("not-a-choice", 1, p.choices[0].upper() + "x"):
        err = _error({p.name: bad})
        msg = str(err)
        assert p.name in msg and all(c in msg for c in p.choices)


def test_error_carries_line_number():
    with pytest.raises(ParameterError) as info:
        registry.validate({"months": -3}, source="x.toml", lines={"months": 7})
    assert str(info.value).startswith("x.toml:7: months:")
    assert info.value.line == 7


def test_resolve_returns_every_name_and_applies_overrides():
    params = registry.resolve({"copil_per_year": 12})
    assert set(params) == set(IDS)
    assert params["copil_per_year"] == 12.0
    assert {k: v for k, v in params.items() if k != "copil_per_year"} == {
        k: v for k, v in registry.defaults().items() if k != "copil_per_year"}
    assert registry.resolve() == registry.defaults()
    with pytest.raises(ParameterError):
        registry.resolve({"copil_per_year": 1000})


def test_get_unknown_raises():
    with pytest.raises(ParameterError):
        registry.get("nope")


def test_salib_problem_bounds_match_registry():
    prob = registry.salib_problem()
    assert prob["num_vars"] == len(prob["names"]) == len(prob["bounds"]) == len(registry.levers())
    for name, (lo, hi) in zip(prob["names"], prob["bounds"], strict=True):
        p = REGISTRY[name]
        assert REGISTRY[name].kind == "lever"
        if p.dtype == "choice":
            assert (lo, hi) == (0.0, float(len(p.choices)))
        else:
            assert (lo, hi) == (p.min, p.max)
    every = registry.salib_problem(IDS)
    assert every["names"] == IDS and every["num_vars"] == len(IDS)
    with pytest.raises(ParameterError):
        registry.salib_problem(["nope"])


@SETTINGS
@given(idx=st.integers(0, len(PARAMETERS) - 1), u=st.floats(-0.5, 1.5, allow_nan=False))
def test_from_unit_always_valid(idx, u):
    p = PARAMETERS[idx]
    v = p.from_unit(u)
    assert p.coerce(v) == v
    if p.dtype != "choice":
        # monotone map of [0, 1] onto the range, ends on the bounds
        assert p.from_unit(0.0) == p.min
        assert math.isclose(p.from_unit(1.0), p.max)


@SETTINGS
@given(idx=st.integers(0, len(PARAMETERS) - 1), data=st.data())
def test_decode_always_valid(idx, data):
    p = PARAMETERS[idx]
    lo, hi = p.bounds()
    x = data.draw(st.floats(lo - abs(hi - lo), hi + abs(hi - lo), allow_nan=False))
    v = p.decode(x)
    assert p.coerce(v) == v
    if p.dtype != "choice" and lo <= x <= hi and p.dtype == "float":
        assert v == x  # inside the bounds a float decodes to itself


def test_decode_choice_bins():
    p = REGISTRY["openness_start"]
    n = len(p.choices)
    assert [p.decode(i + 0.5) for i in range(n)] == list(p.choices)
    assert p.decode(float(n)) == p.choices[-1]  # the closed upper bound of SALib's interval


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vti_sim.cli", *args], capture_output=True, text=True, timeout=120)


def test_cli_params_json_lists_every_parameter():
    out = _cli("params", "--format", "json")
    assert out.returncode == 0, out.stderr
    records = json.loads(out.stdout)
    assert isinstance(records, list)
    assert [r["name"] for r in records] == IDS
    for r in records:
        assert {"name", "default", "min", "max", "unit", "kind", "doc"} <= set(r)
        p = REGISTRY[r["name"]]
        assert r["default"] == p.default and r["min"] == p.min and r["max"] == p.max
        assert r["unit"] == p.unit and r["kind"] == p.kind and r["doc"] == p.doc


def test_cli_params_table_lists_every_parameter():
    out = _cli("params")
    assert out.returncode == 0, out.stderr
    first_words = {line.split()[0] for line in out.stdout.splitlines() if line.strip()}
    assert set(IDS) <= first_words


@pytest.mark.parametrize("kind", registry.KINDS)
def test_cli_params_kind_lists_only_that_kind(kind):
    """`vti-sim params --kind assumption` (or lever, context) lists exactly the entries of that kind."""
    out = _cli("params", "--kind", kind, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert [r["name"] for r in json.loads(out.stdout)] == [p.name for p in registry.of_kind(kind)]
    table = _cli("params", "--kind", kind)
    assert table.returncode == 0, table.stderr
    names = {line.split()[0] for line in table.stdout.splitlines()[1:] if line.strip()}
    assert names == {p.name for p in registry.of_kind(kind)}


def test_cli_params_bad_kind_fails_cleanly():
    out = _cli("params", "--kind", "constant")
    assert out.returncode == 2 and out.stdout == ""
    assert "--kind" in out.stderr and "assumption" in out.stderr


def test_cli_params_bad_format_fails_cleanly():
    out = _cli("params", "--format", "xml")
    assert out.returncode == 2
    assert "--format" in out.stderr and "json" in out.stderr


def test_numpy_numbers_are_accepted_and_coerced_to_python_types():
    """Designs and notebooks pass numpy scalars; they validate like Python numbers, bools do not."""
    out = registry.validate({"working_groups": np.int64(3), "facilitation_fte": np.float32(1.5)})
    assert out == {"working_groups": 3, "facilitation_fte": 1.5}
    assert type(out["working_groups"]) is int and type(out["facilitation_fte"]) is float
    with pytest.raises(registry.ParameterError):
        registry.validate({"working_groups": np.bool_(True)})


# --- the Python API validates seed and overrides like the CLI (issue 15) -----------------------------------------
@pytest.mark.parametrize("seed", [-1, 1.5, "abc", True, None, 2**64, "1", [1]])
def test_run_refuses_a_bad_seed_naming_it(seed):
    from vti_sim import run

    with pytest.raises(ParameterError) as info:
        run(seed=seed, months=1)
    assert info.value.field == "seed" and str(info.value).startswith("run(): seed: got ")
    assert "integer" in str(info.value)


@pytest.mark.parametrize("overrides", ["a=1", ["facilitation_fte", 1], 3, {1: 2}])
def test_run_refuses_bad_overrides_naming_them(overrides):
    from vti_sim import run

    with pytest.raises(ParameterError) as info:
        run(seed=1, months=1, overrides=overrides)
    assert info.value.field == "overrides" and str(info.value).startswith("run(): overrides: ")


def test_run_accepts_numpy_seeds_and_huge_numbers_are_one_line_errors():
    from vti_sim import run

    assert run(seed=np.int64(3), months=2).seed == 3
    import pandas as pd

    pd.testing.assert_frame_equal(run(seed=np.uint32(3), months=2).timeseries, run(seed=3, months=2).timeseries)
    with pytest.raises(ParameterError, match="facilitation_fte: got 1000"):
        run(seed=1, months=1, overrides={"facilitation_fte": 10**400})
    with pytest.raises(ParameterError, match="scenario"):
        run(42, seed=1, months=1)


@settings(max_examples=40, deadline=None)
@given(seed=st.one_of(st.integers(-10, 10), st.integers(2**62, 2**65), st.floats(), st.text(max_size=4),
                      st.booleans(), st.none(), st.lists(st.integers(), max_size=2)),
       overrides=st.one_of(st.none(), st.text(max_size=5), st.dictionaries(
           st.one_of(st.sampled_from(sorted(REGISTRY)), st.text(max_size=5)),
           st.one_of(st.integers(min_value=-(10**400), max_value=10**400), st.floats(), st.text(max_size=5),
                     st.booleans(), st.none()), max_size=3)))
def test_fuzz_run_api_raises_only_parameter_errors(seed, overrides):
    from vti_sim import run

    try:
        r = run(seed=seed, months=1, overrides=overrides)
    except ParameterError as e:
        assert "\n" not in str(e) and len(str(e)) < 500
    else:
        assert isinstance(seed, int) and not isinstance(seed, bool) and r.seed == seed
