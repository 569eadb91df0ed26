"""The workshop app's components, rendered with ``solara.render`` (no browser, no server)."""

from __future__ import annotations

import io
import time
import warnings

import pytest

solara = pytest.importorskip("solara")
pytest.importorskip("mesa.visualization")

import ipyvuetify as v  # noqa: E402
import pandas as pd  # noqa: E402

from vti_sim import registry  # noqa: E402
from vti_sim.app import i18n  # noqa: E402
from vti_sim.app import workshop as app  # noqa: E402
from vti_sim.app.echarts import JsonEcharts  # noqa: E402
from vti_sim.model.ledger import COLUMNS  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_settings():
    """The app's settings are per-session reactives; outside a server they are module globals: reset them."""
    warnings.simplefilter("ignore", UserWarning)
    app.LANG.set("fr")
    app.SCENARIO.set("")
    app.PARAMS.set(registry.defaults())
    app.SEED.set(1)
    app.COMPARE_A.set(app.DEFAULT_COMPARE[0])
    app.COMPARE_B.set(app.DEFAULT_COMPARE[1])
    app.OPEN_GROUP.set("open")
    app.TAB.set(0)
    yield


_OPEN: list = []


def _render():
    model = solara.reactive(app.WorkshopModel())
    box, rc = solara.render(solara.AppLayout(children=[app.Page(model=model)]), handle_error=False)
    _OPEN.append(rc)
    return model, rc


@pytest.fixture(autouse=True)
def _close_pages():
    """A page left open would keep re-rendering on every later step (and slow the timing test)."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def _chart(rc, name: str) -> dict:
    found = [w for w in rc.find(JsonEcharts).widgets if w.attributes.get("class", "").endswith(f"vti-chart-{name}")]
    assert len(found) == 1, name
    return found[0].option


def _html(rc) -> str:
    import solara.widgets

    return "".join(w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets)


def _step(model, n: int = 1) -> None:
    from mesa.visualization.utils import force_update

    for _ in range(n):
        model.value.step()
        force_update()  # what Mesa's Step button does after stepping


def test_page_renders_mesa_controls_and_every_live_chart():
    model, rc = _render()
    for label in ("Reset", "Step"):
        assert rc.find(v.Btn, children=[label]).widgets, label
    for name in ("timeline", "value", "time", "social", "grid"):
        assert _chart(rc, name)["series"], name
    html = _html(rc)
    assert "vti-missions" in html and "Socle SI" in html


def test_sliders_come_from_the_registry_with_units_and_tooltips():
    model, rc = _render()
    groups = {p.group for p in registry.levers()}
    seen = set()
    for group in groups:
        app.OPEN_GROUP.set(group)
        for p in registry.levers():
            if p.group != group:
                continue
            box = rc.find(class_=f"vti-lever vti-lever-{p.name}")
            assert len(box.widgets) == 1, p.name
            if p.dtype == "choice":
                sel = box.find(v.Select).widget
                assert [i["value"] for i in sel.items] == list(p.choices)
            else:
                slider = box.find(v.Slider).widget
                assert (slider.min, slider.max) == (p.min, p.max), p.name
                assert slider.v_model == pytest.approx(p.default)
            seen.add(p.name)
            fr_unit = i18n.UNITS.get(p.unit, p.unit)
            label = i18n.lever_label(p, "fr")
            assert p.dtype == "choice" or fr_unit in label
            assert i18n.lever_doc(p, "fr")  # the tooltip's text
            assert i18n.lever_doc(p, "en") == p.doc
    assert seen == {p.name for p in registry.levers()}
    tooltips = rc.find(v.Tooltip).widgets
    assert len(tooltips) >= 1


def test_moving_a_slider_rebuilds_the_model_with_the_new_value():
    model, rc = _render()
    _step(model, 5)
    app.OPEN_GROUP.set("resources")
    slider = rc.find(class_="vti-lever vti-lever-annual_budget_meur").find(v.Slider).widget
    slider.v_model = 3.0  # as the browser does when the thumb moves
    assert model.value.p["annual_budget_meur"] == 3.0
    assert model.value.ledger.n == 0  # a fresh run at month 0
    assert model.value.budget_year == pytest.approx(3.0)
    _step(model, 24)
    assert model.value.ledger.frame()["budget_allotted"].iloc[-1] < 15.0


def test_scenario_preset_sets_levers_and_context():
    from vti_sim.scenarios import load_scenario

    model, rc = _render()
    sel = rc.find(v.Select, class_="vti-scenario").widget
    sel.v_model = "biarritz"
    sc = load_scenario("biarritz")
    for k, val in sc.params.items():
        assert model.value.p[k] == val, k
    sel.v_model = "open_with_resources"
    for k, val in load_scenario("open_with_resources").params.items():
        assert model.value.p[k] == val, k


def test_seed_changes_the_run():
    model, rc = _render()
    assert model.value.seed == 1
    rc.find(v.TextField, class_="vti-seed").widget.v_model = "7"
    assert model.value.seed == 7


def test_stepping_updates_the_charts_and_status():
    model, rc = _render()
    before = _chart(rc, "social")["series"][0]["data"]
    assert before == []
    _step(model, 12)
    after = _chart(rc, "social")["series"][0]["data"]
    assert len(after) == 12
    grid = _chart(rc, "grid")
    assert grid["series"][2]["data"][0] == pytest.approx(
        [model.value.ledger.frame()["proactivity"].iloc[-1], model.value.ledger.frame()["openness"].iloc[-1]],
        abs=1e-3)
    assert "12 / 144" in _html(rc)


def test_language_switch_translates_labels():
    model, rc = _render()
    assert _chart(rc, "social")["series"][0]["name"] == "Confiance"
    rc.find(v.Btn, class_="vti-lang-en").widget.click()
    assert app.LANG.value == "en"
    assert _chart(rc, "social")["series"][0]["name"] == "Trust"
    assert _chart(rc, "value")["xAxis"]["data"][0] == "economic"
    rc.find(v.Btn, class_="vti-lang-fr").widget.click()
    assert _chart(rc, "value")["xAxis"]["data"][0] == "économique"


def test_i18n_tables_are_complete():
    for key, entry in i18n.UI.items():
        assert entry.get("fr") and entry.get("en"), key
    for table in (i18n.PHASES, i18n.VALUE_TYPES, i18n.ROLES, i18n.ACTIVITIES, i18n.METEO, i18n.SCENARIOS):
        for key, entry in table.items():
            assert entry.get("fr") and entry.get("en"), key
    assert i18n.t("no_such_key", "fr") == "no_such_key"  # unknown labels fall back to the key


def test_compare_mode_runs_two_settings_on_the_same_seed():
    model, rc = _render()
    app.TAB.set(1)
    a = _chart(rc, "cumulative-a")
    b = _chart(rc, "cumulative-b")
    assert a["series"][0]["data"] and b["series"][0]["data"]
    assert a["series"][0]["data"] != b["series"][0]["data"]  # the settings differ...
    ma, mb = app.compare_models()
    assert ma.seed == mb.seed == app.SEED.value  # ...on the same seed
    assert ma.p["openness_start"] != mb.p["openness_start"]
    assert _html(rc).count("vti-compare-table") == 2


def test_exports_csv_and_png():
    model, rc = _render()
    _step(model, 6)
    df = pd.read_csv(io.BytesIO(app.csv_bytes(model.value)))
    assert len(df) == 6 and set(COLUMNS) <= set(df.columns)
    png = app.png_bytes(model.value, "en")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    missions = pd.read_csv(io.BytesIO(app.missions_csv_bytes(model.value)))
    assert {"mission", "meteo"} <= set(missions.columns)
    both = pd.read_csv(io.BytesIO(app.compare_csv_bytes()))
    assert set(both["setting"]) == set(app.DEFAULT_COMPARE)


def test_a_month_renders_well_under_100_ms():
    model, rc = _render()
    _step(model, 3)  # warm up
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        _step(model, 1)
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    assert median < 0.1, f"median step + render {1000 * median:.0f} ms"
