"""Scenario files: loading, validation with file/line errors, ``extends`` chains, replicate seeds, compare table."""

from __future__ import annotations

import math
import re
import tomllib
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

from vti_sim import registry
from vti_sim.experiments.replicates import compare_table, flatten_scalars, parse_sets, plan, replicate_seeds
from vti_sim.outputs import result as api
from vti_sim.registry import ParameterError
from vti_sim.scenarios import SCENARIO_DIR, key_lines, list_scenarios, load_scenario

SHIPPED = ("angers", "mulhouse", "biarritz", "global", "incremental", "technocentric", "open_with_resources",
           "open_without_resources")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


# --- shipped scenarios ------------------------------------------------------------------------------------------


def test_all_cases_and_archetypes_are_shipped():
    assert set(SHIPPED) <= set(list_scenarios())
    for name in SHIPPED:
        assert (SCENARIO_DIR / f"{name}.toml").is_file()


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_loads_and_every_value_is_commented(name):
    sc = load_scenario(name)
    assert sc.name == name and sc.description and sc.chain[0] == name
    assert set(sc.params) <= set(registry.REGISTRY)
    assert registry.validate(sc.params) == sc.params  # already coerced to the registry's types
    text = (SCENARIO_DIR / f"{name}.toml").read_text(encoding="utf-8")
    assert text.lstrip().startswith("#"), "first line: a one-line purpose comment"
    table = ""
    for line in text.splitlines():
        if re.match(r"^\s*\[", line):
            table = line.strip()
        elif re.match(r"^\s*[A-Za-z_]+\s*=", line) and (table == "[params]" or line.startswith("extends")):
            assert "#" in line.split("=", 1)[1], f"{name}.toml: value without a source comment: {line!r}"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenario_runs_a_few_months(name):
    res = api.run(name, seed=1, months=4)
    assert len(res.timeseries) == 4
    for key, value in load_scenario(name).params.items():
        assert res.params[key] == value


def test_cases_carry_the_seed_facts():
    angers, mulhouse, biarritz = (load_scenario(n).params for n in ("angers", "mulhouse", "biarritz"))
    assert angers["annual_budget_meur"] == pytest.approx(93.6 / 6)
    assert angers["portfolio"] == "angers" and angers["openness_start"] == "structure_first"
    assert mulhouse["portfolio"] == "mulhouse" and mulhouse["population"] == 108_000
    assert biarritz["portfolio"] == "biarritz" and biarritz["population"] == 25_000
    assert biarritz["seasonal_amplitude"] == pytest.approx(1.0)
    assert load_scenario("technocentric").params["openness_start"] == "never"
    assert load_scenario("incremental").params["portfolio"] == "incremental"
    with_res, without = load_scenario("open_with_resources").params, load_scenario("open_without_resources").params
    assert with_res["openness_start"] == without["openness_start"] == "launch"
    assert without["facilitation_fte"] == 0 < with_res["facilitation_fte"]
    assert without["leader_time_share"] <= registry.REGISTRY["leader_time_share"].default


# --- extends ------------------------------------------------------------------------------------------------------


def test_extends_child_wins_and_inherits_the_rest():
    parent, child = load_scenario("open_with_resources"), load_scenario("open_without_resources")
    assert child.chain == ("open_without_resources", "open_with_resources")
    assert child.params["facilitation_fte"] == 0.0 and parent.params["facilitation_fte"] == 5.0
    assert child.params["open_bodies"] == parent.params["open_bodies"]  # not set in the child: inherited


def test_extends_by_relative_path_three_levels(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "base.toml", 'name = "base"\n[params]\ncopil_per_year = 2.0  # c\nworking_groups = 1  # c\n'
                                  'open_bodies = 1  # c\n')
    write(tmp_path / "mid.toml", 'name = "mid"\nextends = "base"\n[params]\nworking_groups = 5  # c\n')
    leaf = write(tmp_path / "sub" / "leaf.toml", 'name = "leaf"\nextends = "../mid.toml"\n[params]\n'
                                                 'open_bodies = 7  # c\n')
    sc = load_scenario(leaf)
    assert sc.chain == ("leaf", "mid", "base")
    assert sc.params == {"copil_per_year": 2.0, "working_groups": 5, "open_bodies": 7}
    assert sc.path == leaf


def test_extends_a_shipped_scenario_by_name_from_anywhere(tmp_path):
    f = write(tmp_path / "x.toml", 'extends = "angers"\n[params]\nannual_budget_meur = 20  # c\n')
    sc = load_scenario(f)
    assert sc.name == "x" and sc.chain == ("x", "angers", "global")
    assert sc.params["annual_budget_meur"] == 20.0 and isinstance(sc.params["annual_budget_meur"], float)
    assert sc.params["portfolio"] == "angers"


def test_scenarios_dir_in_cwd_is_searched_first(tmp_path, monkeypatch):
    (tmp_path / "scenarios").mkdir()
    write(tmp_path / "scenarios" / "mine.toml", 'extends = "global"\n[params]\nfacilitation_fte = 3  # c\n')
    monkeypatch.chdir(tmp_path)
    assert "mine" in list_scenarios() and "angers" in list_scenarios()
    assert load_scenario("mine").params["facilitation_fte"] == 3.0


def test_plan_set_overrides_scenario_and_months_overrides_both():
    p = plan("open_with_resources", sets=["facilitation_fte=2", "months=30"], months="9", replicates=2, seed=4)
    assert p.params["facilitation_fte"] == 2.0
    assert p.params["months"] == 9
    assert p.params["open_bodies"] == load_scenario("open_with_resources").params["open_bodies"]
    assert p.seeds == replicate_seeds(4, 2)


# --- errors name the file, the line and what is allowed -----------------------------------------------------


@pytest.mark.parametrize("text, field, line, allowed", [
    ('name = "x"\n[params]\nfacilitation_fte = -1  # c\n', "facilitation_fte", 3, "[0, 10]"),
    ('name = "x"\n[params]\n\n\nworking_groups = 2.5\n', "working_groups", 5, "an integer"),
    ('name = "x"\n[params]\nfacilitation_fte = "two"\n', "facilitation_fte", 3, "a number"),
    ('name = "x"\n[params]\nfacilitation_fte = "2"\n', "facilitation_fte", 3, "without quotes"),
    ('name = "x"\n[params]\nopen_bodies = true\n', "open_bodies", 3, "an integer"),
    ('name = "x"\n[params]\nopenness_start = "sometimes"\n', "openness_start", 3, "structure_first"),
    ('name = "x"\n[params]\nfacilitation = 1\n', "facilitation", 3, "did you mean facilitation_fte"),
    ('name = "x"\ncolour = "red"\n[params]\n', "colour", 2, "[params]"),
    ('name = 3\n[params]\n', "name", 1, "a string"),
    ('name = "x"\nparams = 3\n', "params", 2, "table"),
    ('name = "x"\n[params]\nfacilitation_fte = 1 2\n', "toml", 3, "syntax error"),
    ('name = "x"\n[params\n', "toml", 2, "syntax error"),
])
def test_bad_file_errors_carry_file_line_field_and_allowed(tmp_path, text, field, line, allowed):
    f = write(tmp_path / "bad.toml", text)
    with pytest.raises(ParameterError) as info:
        load_scenario(f)
    e = info.value
    assert (e.source, e.field, e.line) == (str(f), field, line)
    assert allowed in str(e)
    assert str(e).startswith(f"{f}:{line}: {field}: ")


def test_missing_scenario_says_which_exist():
    with pytest.raises(ParameterError) as info:
        load_scenario("angrs")
    assert info.value.field == "scenario"
    assert "angers" in str(info.value) and "open_with_resources" in str(info.value)


def test_missing_file_path(tmp_path):
    with pytest.raises(ParameterError) as info:
        load_scenario(tmp_path / "nope.toml")
    assert info.value.field == "scenario" and "nope.toml" in str(info.value)


def test_missing_parent_names_the_child_file_and_line(tmp_path):
    f = write(tmp_path / "c.toml", 'name = "c"\n\nextends = "nonexistent"\n[params]\n')
    with pytest.raises(ParameterError) as info:
        load_scenario(f)
    assert (info.value.source, info.value.field, info.value.line) == (str(f), "extends", 3)


@pytest.mark.parametrize("files", [
    {"a.toml": 'extends = "b"\n', "b.toml": 'extends = "a.toml"\n'},
    {"a.toml": 'extends = "a"\n'},
    {"a.toml": 'extends = "b"\n', "b.toml": 'extends = "c"\n', "c.toml": 'extends = "./b.toml"\n'},
])
def test_extends_cycle_is_an_error(tmp_path, files):
    for name, text in files.items():
        write(tmp_path / name, text)
    with pytest.raises(ParameterError) as info:
        load_scenario(tmp_path / "a.toml")
    assert info.value.field == "extends" and "cycle" in str(info.value) and info.value.line == 1


def test_bad_value_in_parent_is_reported_in_the_parent(tmp_path):
    write(tmp_path / "p.toml", '[params]\ncopil_per_year = 99\n')
    child = write(tmp_path / "c.toml", 'extends = "p"\n[params]\n')
    with pytest.raises(ParameterError) as info:
        load_scenario(child)
    assert info.value.source == str(tmp_path / "p.toml") and info.value.line == 2


def test_key_lines_tracks_tables_and_skips_multiline_strings():
    text = 'name = "x"\ndescription = """\nopen_bodies = 3\n"""\n[params]\n  open_bodies = 2\n"extends" = 1\n'
    assert tomllib.loads(text)["params"]["open_bodies"] == 2
    lines = key_lines(text)
    assert lines[""] == {"name": 1, "description": 2}
    assert lines["params"] == {"open_bodies": 6, "extends": 7}


@pytest.mark.parametrize("items, field", [(["foo"], "foo"), (["=1"], "=1"), (["nope=1"], "nope"),
                                          (["copil_per_year=x"], "copil_per_year"),
                                          (["copil_per_year="], "copil_per_year"),
                                          (["openness_start=sometimes"], "openness_start")])
def test_parse_sets_errors(items, field):
    with pytest.raises(ParameterError) as info:
        parse_sets(items)
    assert info.value.source == "--set" and info.value.field == field


def test_parse_sets_coerces_with_the_registry():
    assert parse_sets(["working_groups=4", "openness_start=never", " copil_per_year = 2.5 "]) == {
        "working_groups": 4, "openness_start": "never", "copil_per_year": 2.5}


# --- replicate seeds and the compare table ----------------------------------------------------------------------


def test_replicate_seeds_follow_the_documented_derivation():
    assert replicate_seeds(7, 1) == [7]
    seeds = replicate_seeds(7, 5)
    assert seeds[0] == 7 and len(set(seeds)) == 5
    children = np.random.SeedSequence(7).spawn(5)
    assert seeds[1:] == [int(c.generate_state(1)[0]) for c in children[1:]]
    assert replicate_seeds(7, 3) == seeds[:3]  # more replicates extend, never reshuffle
    assert replicate_seeds(8, 3) != seeds[:3]


def _fake(summary):
    return SimpleNamespace(summary=summary)


def test_compare_table_paired_t_interval_and_undefined_values():
    a = [_fake({"pv_net_total": v, "months_to_phase": {"evaluation": m}}) for v, m in [(1, 10), (2, None), (4, 12)]]
    b = [_fake({"pv_net_total": v, "months_to_phase": {"evaluation": m}}) for v, m in [(2, 11), (5, 20), (6, None)]]
    t = compare_table([a, b], ["a", "b"], metrics=["pv_net_total", "months_to_phase.evaluation"])
    row = t[(t.metric == "pv_net_total") & (t.scenario == "b")].iloc[0]
    d = np.array([1.0, 3.0, 2.0])
    half = stats.t.ppf(0.975, 2) * d.std(ddof=1) / math.sqrt(3)
    assert row["diff"] == pytest.approx(2.0) and row["n"] == 3
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(2 - half), pytest.approx(2 + half))
    base = t[(t.metric == "pv_net_total") & (t.scenario == "a")].iloc[0]
    assert base["diff"] == 0
    ev = t[(t.metric == "months_to_phase.evaluation") & (t.scenario == "b")].iloc[0]
    assert ev["n"] == 1 and ev["diff"] == pytest.approx(1.0) and math.isnan(ev["ci_low"])


def test_flatten_scalars_keeps_numbers_only():
    flat = flatten_scalars({"a": 1, "b": {"c": 2.5, "d": None}, "e": [1], "f": True, "g": "x"})
    assert flat.keys() == {"a", "b.c", "b.d"} and flat["b.c"] == 2.5 and math.isnan(flat["b.d"])


# --- fuzz: no TOML document yields anything but a one-line ParameterError (issue 15) ------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from vti_sim.experiments import parse_experiment  # noqa: E402

_NAMES = [*registry.REGISTRY, "name", "description", "extends", "params", "seed", "replicates", "chunk_size",
          "months", "design", "vary", "fixed", "outputs", "summary", "monthly", "columns", "method", "samples",
          "levels", "min", "max", "facilitaton_fte", "x"]
_KEYS = st.one_of(st.sampled_from(_NAMES), st.text(min_size=1, max_size=8))
_SCALARS = st.one_of(
    st.integers(-10, 10**6), st.integers(min_value=10**300, max_value=10**400), st.floats(allow_nan=True),
    st.booleans(), st.sampled_from(["launch", "never", "angers", "global", "lhs", "grid", "sobol", "morris",
                                    "pv_net_total", "trust", "12", "0.5", "", "../x.toml", "/etc/passwd"]),
    st.text(max_size=10))


def _values(depth: int = 3):
    return st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(_KEYS, inner, max_size=4)),
                        max_leaves=12)


def _key(k: str) -> str:
    import json

    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def _toml_value(v) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else repr(v))
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{ " + ", ".join(f"{_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"


def _toml_document(doc: dict) -> str:
    """Top-level scalars and inline values first, then one [table] per dict value (as people write them)."""
    lines = [f"{_key(k)} = {_toml_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    for k, v in doc.items():
        if isinstance(v, dict):
            lines.append(f"[{_key(k)}]")
            lines += [f"{_key(ik)} = {_toml_value(iv)}" for ik, iv in v.items()]
    return "\n".join(lines) + "\n"


_PARAM_NAMES = st.sampled_from(sorted(registry.REGISTRY))
_RANDOM_DOCUMENTS = st.dictionaries(_KEYS, st.one_of(_values(), st.dictionaries(_KEYS, _values(), max_size=6)),
                                    max_size=8)


def _maybe(strategy, usual):
    return st.one_of(st.just(usual), strategy)


_SCENARIO_DOCUMENTS = st.fixed_dictionaries({}, optional={
    "name": _maybe(_values(), "fuzz"), "description": _maybe(_values(), "d"),
    "extends": st.sampled_from(["global", "angers", "nope", "../x.toml", "", "s0"]),
    "params": st.dictionaries(_PARAM_NAMES, st.one_of(_SCALARS, _values()), max_size=5)})
_RANGE = st.fixed_dictionaries({}, optional={"min": _maybe(_values(), 0), "max": _maybe(_values(), 1),
                                            "levels": _maybe(_values(), 2)})
_EXPERIMENT_DOCUMENTS = st.fixed_dictionaries({"seed": _maybe(_values(), 1)}, optional={
    "name": _maybe(_values(), "fuzz"), "months": _maybe(_values(), 1), "replicates": _maybe(_values(), 1),
    "chunk_size": _maybe(_values(), 5), "scenario": st.sampled_from(["global", "nope", "../x.toml", ""]),
    "design": st.fixed_dictionaries({}, optional={
        "method": st.one_of(st.sampled_from(["grid", "lhs", "sobol", "morris"]), _values()),
        "samples": _maybe(_values(), 4), "second_order": _maybe(_values(), True), "num_levels": _values()}),
    "vary": st.dictionaries(_PARAM_NAMES, st.one_of(st.lists(_SCALARS, max_size=3), _RANGE, _values()), max_size=3),
    "fixed": st.dictionaries(_PARAM_NAMES, st.one_of(_SCALARS, _values()), max_size=3),
    "outputs": st.fixed_dictionaries({}, optional={
        "summary": st.one_of(st.lists(st.sampled_from(["pv_net_total", "final_trust", "months_to_phase.launch",
                                                       "x"]), max_size=3), _values()),
        "monthly": st.one_of(st.fixed_dictionaries({}, optional={
            "columns": st.one_of(st.lists(st.sampled_from(["trust", "phase_name", "x"]), max_size=2), _values()),
            "months": st.one_of(st.lists(st.integers(-1, 3), max_size=2), _values())}), _values())})})
_DOCUMENTS = st.one_of(_RANDOM_DOCUMENTS, _SCENARIO_DOCUMENTS, _EXPERIMENT_DOCUMENTS)
_FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])


def _only_parameter_errors(call) -> None:
    try:
        call()
    except ParameterError as e:
        assert "\n" not in str(e) and len(str(e)) < 1000, str(e)


@_FUZZ
@given(doc=st.one_of(_SCENARIO_DOCUMENTS, _RANDOM_DOCUMENTS), raw=st.text(max_size=60))
def test_fuzz_scenario_documents_never_raise_anything_else(tmp_path_factory, doc, raw):
    d = tmp_path_factory.mktemp("fuzz")
    for i, text in enumerate((_toml_document(doc), raw, _toml_document({"params": doc.get("params", doc)}))):
        path = write(d / f"s{i}.toml", text)
        _only_parameter_errors(lambda p=path: load_scenario(p))


@_FUZZ
@given(doc=st.one_of(_EXPERIMENT_DOCUMENTS, _RANDOM_DOCUMENTS), raw=st.text(max_size=60))
def test_fuzz_experiment_documents_never_raise_anything_else(doc, raw):
    for text in (_toml_document(doc), raw):
        _only_parameter_errors(lambda t=text: parse_experiment(t, source="fuzz.toml", max_runs=10_000))
