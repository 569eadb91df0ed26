"""The workshop app's pieces without a browser: the page rendered with ``solara.render``, the play loop in threads,
the frames, charts, exports and labels."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

solara = pytest.importorskip("solara")

import ipyvuetify as v  # noqa: E402
import pandas as pd  # noqa: E402

from vti_sim import registry  # noqa: E402
from vti_sim.app import charts, exports, i18n  # noqa: E402
from vti_sim.app import workshop as app  # noqa: E402
from vti_sim.app.echarts import JsonEcharts  # noqa: E402
from vti_sim.app.frame import Frame, mission_records  # noqa: E402
from vti_sim.app.player import READY, Player  # noqa: E402
from vti_sim.model.ledger import COLUMNS, Ledger  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_settings():
    """The app's settings are per-session reactives; outside a server they are module globals: reset them."""
    warnings.simplefilter("ignore", UserWarning)
    READY.wait(120)
    app.LANG.set("fr")
    app.SCENARIO.set("")
    app.PARAMS.set(registry.defaults())
    app.SEED.set(1)
    app.COMPARE_A.set(app.DEFAULT_COMPARE[0])
    app.COMPARE_B.set(app.DEFAULT_COMPARE[1])
    app.OPEN_GROUP.set("open")
    app.TAB.set(0)
    app.PREDICT.set("")
    app.PRESENTER.set(False)
    yield


_OPEN: list = []


def _render():
    player = Player(app.WorkshopModel)
    box, rc = solara.render(solara.AppLayout(children=[app.Page(player=player)]), handle_error=False)
    _OPEN.append((rc, player))
    return player, rc


@pytest.fixture(autouse=True)
def _close_pages():
    yield
    while _OPEN:
        rc, player = _OPEN.pop()
        player.close()
        rc.close()


def _chart(rc, name: str) -> dict:
    found = [w for w in rc.find(JsonEcharts).widgets if w.attributes.get("class", "").endswith(f"vti-chart-{name}")]
    assert len(found) == 1, name
    return found[0].option


def _html(rc) -> str:
    import solara.widgets

    from vti_sim.app.rows import HtmlRows

    return "".join([w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets] +
                   [w.html for w in rc.find(HtmlRows).widgets])


def _button(rc, cls: str):
    return rc.find(v.Btn, class_=cls).widget


def _wait(cond, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_ledger_reads_are_safe_while_another_thread_appends():
    """The race of issue 13: a reader reading rows while the writer appends; rows before ``n`` are complete."""
    months = 3000
    ledger = Ledger(months, ["month", "trust"], [])
    errors = []

    def write():
        for m in range(months):
            ledger.append((float(m), 0.5), ())
            if m % 50 == 0:
                time.sleep(0)

    def read():
        try:
            while ledger.n < months:
                n = ledger.n
                d = ledger.data[:n]
                assert np.array_equal(d[:, 0], np.arange(n))
        except Exception as e:  # pragma: no cover - the failure being tested for
            errors.append(e)

    readers = [threading.Thread(target=read) for _ in range(3)]
    writer = threading.Thread(target=write)
    for th in readers + [writer]:
        th.start()
    for th in readers + [writer]:
        th.join()
    assert not errors, errors
    assert np.array_equal(ledger.data[:, 0], np.arange(months))


def test_a_ledger_copies_and_pickles():
    import copy
    import pickle

    ledger = Ledger(3, ["month"], [])
    ledger.append((1.0,), ())
    for clone in (copy.deepcopy(ledger), pickle.loads(pickle.dumps(ledger))):
        clone.append((2.0,), ())
        assert clone.data[:2, 0].tolist() == [1.0, 2.0]
    assert ledger.n == 1


def test_page_renders_our_controls_in_french_and_every_live_chart():
    player, rc = _render()
    for cls, label in (("vti-play", "▶ Lancer"), ("vti-step", "Pas"), ("vti-reset", "Réinitialiser")):
        assert _button(rc, cls).children == [label]
    for name in app.LIVE:
        assert _chart(rc, name)["series"], name
    html = _html(rc)
    assert "vti-missions" in html and "Socle SI" in html and "pas commencée" in html
    assert "orageux" not in html  # no weather before a mission starts


def test_playing_in_a_thread_updates_the_charts_then_stops_at_the_horizon():
    player, rc = _render()
    player.interval_ms = 0
    player.play()
    _wait(lambda: player.stage.value == "finished" and not player.playing.value, 120)
    assert player.frame.n == 144
    assert len(_chart(rc, "social")["series"][0]["data"]) == 144
    assert "144 / 144" in _html(rc)
    assert _button(rc, "vti-play").disabled and _button(rc, "vti-step").disabled
    # a rebuild after the horizon makes every control usable again
    player.rebuild()
    assert player.frame.n == 0
    assert not _button(rc, "vti-play").disabled and not _button(rc, "vti-step").disabled


def test_pause_stops_the_loop_within_a_month():
    player, rc = _render()
    player.interval_ms = 5
    player.play()
    _wait(lambda: player.frame.n >= 5)
    player.pause()
    at_pause = player.model.ledger.n
    time.sleep(0.3)
    assert player.model.ledger.n - at_pause <= 1
    assert player.frame.n == player.model.ledger.n  # what is shown is the model's month
    assert not player.playing.value


def test_a_month_in_flight_when_reset_is_pressed_never_shows_the_old_run_again():
    """Reset (or a lever moved) while the loop's month waits to be shown: that month belongs to the replaced run
    and is dropped; the page stays at month 0 of the new run (it used to jump back to the old run's month)."""
    player, _ = _render()
    player.interval_ms = 0
    in_flight, go_on = threading.Event(), threading.Event()
    wait = player._wait_for_screen

    def held(stop):
        if player.model.steps >= 3 and not in_flight.is_set():
            in_flight.set()
            go_on.wait(10)
        wait(stop)
    player._wait_for_screen = held
    player.play()
    assert in_flight.wait(10)
    old = player.model
    player.reset()
    go_on.set()
    player._loop.join(10)
    assert player.model is not old
    assert player.frame.n == 0 and player.frame.model_id == id(player.model)
    assert not player.looping


def test_the_loop_waits_for_the_browser_to_draw_each_month(monkeypatch):
    """A slow browser slows the run (one month in flight at most) instead of queueing months behind ❚❚."""
    from vti_sim.app import player as player_module
    from vti_sim.app.pacing import ShownAck

    # the loop's give-up (a closed tab) must not stand in for a browser this test's thread is late to play
    monkeypatch.setattr(player_module, "SCREEN_WAIT_S", 60.0)

    player, rc = _render()
    player.interval_ms = 0
    ack = rc.find(ShownAck).widget
    ack.shown = ack.seq  # the browser reports it has drawn the page
    player.play()
    seen = []
    for _ in range(6):  # a browser that takes 50 ms per month
        time.sleep(0.05)
        seen.append(player.seq - ack.seq)
        assert player.seq - player._acked <= 1  # the frame drawn, and at most the next one in flight
        ack.shown = ack.seq
    player.pause()
    assert player.frame.n <= 8  # one month per acknowledgement, not the whole run
    assert all(lag == 0 for lag in seen)  # the ack widget follows every frame published


def _charts(rc) -> dict[str, JsonEcharts]:
    return {w.attributes["class"].split("vti-chart-")[-1]: w for w in rc.find(JsonEcharts).widgets}


def test_at_rest_each_chart_is_sent_the_month_a_step_would_show_and_the_run_is_not_stepped_ahead():
    """The page draws the next month while it rests (echarts.py): what it was sent must be what a Step shows."""
    player, rc = _render()
    widgets = _charts(rc)
    assert set(app.LIVE) <= set(widgets)
    for month in (1, 2, 3):
        ahead = {name: w.ahead_json for name, w in widgets.items()}
        assert all(json.loads(a)["toolbox"]["feature"]["saveAsImage"]["name"].endswith(f"month{month:03d}_fr")
                   for a in ahead.values()), ahead.keys()
        assert player.model.ledger.n == month - 1  # the run itself waits for the Step
        player.step()
        assert {name: w.option_json for name, w in widgets.items()} == ahead
    # while the loop plays nothing is sent ahead; paused, the month after the one shown is
    player.interval_ms = 5
    before = widgets["social"].ahead_json
    player.play()
    _wait(lambda: player.frame.n >= 8)
    assert widgets["social"].ahead_json == before
    player.pause()
    _wait(lambda: not player.looping and player._loop is not None and not player._loop.is_alive())
    ahead = widgets["social"].ahead_json
    assert f"month{player.frame.n + 1:03d}_fr" in ahead
    player.step()
    assert widgets["social"].option_json == ahead
    # a lever moved: month 0 of the new run, and its month 1
    app.PARAMS.set({**app.PARAMS.value, "annual_budget_meur": 3.0})
    player.rebuild()
    ahead = widgets["value"].ahead_json
    player.step()
    assert widgets["value"].option_json == ahead
    # a frame no longer the run's (a Reset meanwhile) has no next month
    old = player.frame
    player.rebuild()
    assert player.next_frame(old) is None and player.next_frame(player.frame).n == 1


def test_the_month_drawn_ahead_never_changes_the_run():
    """``next_frame`` steps a copy: a run asked for it every month is bit for bit the run never asked."""
    from vti_sim.app.player import Player
    from vti_sim.model import VTIModel

    asked, plain = Player(lambda: VTIModel(rng=5, months=36)), Player(lambda: VTIModel(rng=5, months=36))
    while asked.model.running:
        nxt = asked.next_frame(asked.frame)
        asked.step()
        plain.step()
        assert np.array_equal(nxt.d, asked.frame.d)
    assert asked.next_frame(asked.frame) is None  # the horizon: no next month
    assert np.array_equal(asked.model.ledger.data, plain.model.ledger.data)


def test_rebuilds_resets_and_renders_from_other_threads_while_playing_never_fail():
    """What a trainer does while ▶ runs: sliders, presets, seeds, Reset, language, in quick succession."""
    player, rc = _render()
    player.interval_ms = 0
    errors = []

    def fiddle():
        try:
            for k in range(25):
                app.set_lever("annual_budget_meur", 5.0 + k % 7)
                player.rebuild()
                if k % 5 == 0:
                    app.LANG.set("en" if k % 10 else "fr")
                if k % 8 == 0:
                    player.reset()
                    player.play()
                time.sleep(0.01)
        except Exception as e:  # pragma: no cover - the failure being tested for
            errors.append(e)

    player.play()
    threads = [threading.Thread(target=fiddle) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    player.pause()
    assert not errors and not player.error.value, (errors, player.error.value)
    _wait(lambda: not player.playing.value)
    assert player.frame.n == player.model.ledger.n


def test_sliders_come_from_the_registry_with_units_and_tooltips():
    player, rc = _render()
    seen = set()
    for group in {p.group for p in registry.levers()}:
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
            label = i18n.lever_label(p, "fr")
            assert p.dtype == "choice" or i18n.UNITS.get(p.unit, p.unit) in label
            assert label.count("(") <= 1, label  # no "Animation (ETP) (ETP)"
            assert i18n.lever_doc(p, "fr") and i18n.lever_doc(p, "en") == p.doc
    assert seen == {p.name for p in registry.levers()}


def test_moving_a_slider_rebuilds_the_model_with_the_new_value():
    player, rc = _render()
    for _ in range(5):
        player.step()
    app.OPEN_GROUP.set("resources")
    slider = rc.find(class_="vti-lever vti-lever-annual_budget_meur").find(v.Slider).widget
    slider.v_model = 3.0  # as the browser does when the thumb moves
    assert player.model.p["annual_budget_meur"] == 3.0
    assert player.frame.n == 0
    assert "3,0 M€" in _html(rc)


def test_a_lever_moved_after_the_horizon_re_renders_neither_the_dashboard_nor_the_other_levers():
    """The server's share of slider → charts: the charts follow through their live widgets; only the moved lever,
    its card, the stage note and the run controls render again (benchmarks/README.md, the workshop page)."""
    import reacton.core

    player, rc = _render()
    app.OPEN_GROUP.set("resources")
    while player.model.running:
        player.step()
    assert player.stage.value == "finished"
    components = {n: c for n, c in vars(app).items() if isinstance(c, reacton.core.ComponentFunction)}
    before = {n: c.render_count for n, c in components.items()}
    slider = rc.find(class_="vti-lever vti-lever-annual_budget_meur").find(v.Slider).widget
    slider.v_model = 3.0
    rendered = {n: c.render_count - before[n] for n, c in components.items() if c.render_count > before[n]}
    assert rendered == {"Levers": 1, "LeverInput": 1, "StageNote": 1, "RunControls": 1}
    assert player.frame.n == 0 and player.stage.value == "start"
    assert "0 / 144" in _html(rc) and "3,0 M€" in _html(rc)
    assert not _button(rc, "vti-play").disabled and not _button(rc, "vti-step").disabled


def test_scenario_preset_and_seed():
    from vti_sim.scenarios import load_scenario

    player, rc = _render()
    rc.find(v.Select, class_="vti-scenario").widget.v_model = "biarritz"
    for k, val in load_scenario("biarritz").params.items():
        assert player.model.p[k] == val, k
    assert "Biarritz : une relation de proximité" in "".join(
        w.children[0] for w in rc.find(v.Html, class_="vti-scenario-description").widgets if w.children)
    seed = rc.find(v.TextField, class_="vti-seed").widget
    seed.v_model = "7"
    assert player.model.seed == 7
    seed.v_model = "sept"
    assert player.model.seed == 7
    assert "La graine doit être un nombre entier" in str(seed.messages)


def test_language_switch_translates_charts_numbers_and_controls():
    player, rc = _render()
    for _ in range(3):
        player.step()
    assert _chart(rc, "social")["series"][0]["name"] == "Confiance"
    assert _chart(rc, "value")["yAxis"]["name"] == "UVP"
    _button(rc, "vti-lang-en").click()
    assert _chart(rc, "social")["series"][0]["name"] == "Trust"
    assert _chart(rc, "value")["xAxis"]["data"][0] == "economic"
    assert _chart(rc, "value")["yAxis"]["name"] == "PVU"
    assert _button(rc, "vti-reset").children == ["Reset"]
    assert "15.6 M€" in _html(rc)  # the year's budget ceiling (ODD §7.11), in each locale
    _button(rc, "vti-lang-fr").click()
    assert "15,6 M€" in _html(rc)


def test_locale_numbers():
    nnbsp = i18n.NNBSP
    assert i18n.num(2500.25, "fr", 1) == f"2{nnbsp}500,2" or i18n.num(2500.25, "fr", 1) == f"2{nnbsp}500,3"
    assert i18n.num(2500.5, "en", 1) == "2,500.5"
    assert i18n.num(-0.0001, "fr", 2) == "0,00"
    assert i18n.pct(0.456, "fr") == f"46{nnbsp}%"
    assert i18n.pct(0.456, "en") == "46%"


def test_i18n_tables_are_complete():
    for key, entry in i18n.UI.items():
        assert entry.get("fr") and entry.get("en"), key
    for table in (i18n.PHASES, i18n.VALUE_TYPES, i18n.ROLES, i18n.ACTIVITIES, i18n.METEO, i18n.SCENARIOS):
        for key, entry in table.items():
            assert entry.get("fr") and entry.get("en"), key
    assert set(i18n.SCENARIO_DESCRIPTIONS) >= set(app.available_scenarios())
    for name in app.available_scenarios():  # sources cited by author, not by the project's short names
        for lang in i18n.LANGS:
            text = i18n.scenario_description(name, lang, app.scenario_params(name)[1])
            assert not re.search(r"\bseeds?\b|_", text), (name, lang)
    for key, entry in i18n.MISSIONS.items():  # in English too, not the portfolio file's "01 SI foundation"
        assert entry.get("en"), key
    for p in registry.levers():  # nor lever names made from identifiers ("Facilitation fte")
        assert p.name in i18n.LEVERS_EN and p.name in i18n.LEVERS, p.name
    assert i18n.t("no_such_key", "fr") == "no_such_key"


def test_missions_means_and_realisations_are_different_indicators():
    model = app.WorkshopModel()
    at_start = mission_records(model)
    assert {r["meteo"] for r in at_start} == {"not_started"}
    differ = False
    for _ in range(60):
        model.step()
        rows = mission_records(model)
        for r in rows:
            assert 0 <= r["means"] <= 1 + 1e-9 and 0 <= r["realisation"] <= 1
            assert r["realisation"] == pytest.approx(r["delivered"] / r["actions"])
            differ |= abs(r["means"] - r["realisation"]) > 0.05
    assert differ  # budget spent runs ahead of actions delivered
    assert {r["meteo"] for r in rows} <= {"sunny", "cloudy", "rainy", "stormy", "not_started"}


def test_the_value_chart_net_is_created_minus_destroyed_as_written():
    """Each type's net is what the tooltip's created and destroyed give, to the 0.1 UVP it writes them."""
    from vti_sim.model import VTIModel

    model = VTIModel(rng=1)
    odd = 0
    for _ in range(36):
        model.step()
        series = {s["name"]: s["data"] for s in charts.value_option(Frame.of(model), "fr")["series"]}
        created, destroyed, net = series["créée"], series["détruite"], series["nette"]
        for c, d, n in zip(created, destroyed, net, strict=True):
            assert round(c + d, 1) == n, (c, d, n)  # destroyed is drawn downwards
        raw = Frame.of(model).d
        odd += sum(round(round(a, 1) - round(b, 1), 1) != round(a - b, 1) for a, b in zip(
            raw[:, charts.CREATED].sum(axis=0), raw[:, charts.DESTROYED].sum(axis=0), strict=True))
    assert odd  # rounding each on its own would have failed above: the check can fail


def test_inclusion_gap_and_participation_are_readable_on_their_axis():
    model = app.WorkshopModel()
    for _ in range(144):
        model.step()
    opt = charts.social_option(Frame.of(model), "fr")
    for axis, s in zip((1, 2), opt["series"][1:], strict=True):
        ys = [y for _, y in s["data"]]
        assert s["yAxisIndex"] == axis
        assert max(ys) > 0.5 * opt["yAxis"][axis]["max"], s["name"]  # spans its own axis, not a flat line


def test_compare_mode_runs_two_settings_on_the_same_seed():
    player, rc = _render()
    app.TAB.set(1)
    a, b = _chart(rc, "cumulative-a"), _chart(rc, "cumulative-b")
    assert a["series"][0]["data"] != b["series"][0]["data"]
    fa, fb = app.compare_frames()
    assert fa.seed == fb.seed == app.SEED.value
    assert fa.settings["openness_start"] != fb.settings["openness_start"]
    assert _chart(rc, "grid-b")["series"][1]["lineStyle"]["color"] == charts.B_COLOUR
    assert _html(rc).count("vti-compare-table") == 2
    # the summary's inclusion gap is a mean over the last year, not the last month the live page shows: said so
    gap = app.run_summary(app.COMPARE_A.value, app.SEED.value)["inclusion_gap"]
    assert gap == pytest.approx(float(np.mean(fa.col("inclusion_gap")[-12:])))
    assert _html(rc).count("Écart d'inclusion (moyenne des 12 derniers mois)") == 2


def test_exports_in_french_and_english():
    from PIL import Image

    player, rc = _render()
    for _ in range(6):
        player.step()
    f = player.frame
    fr = exports.timeseries_csv(f, "fr").decode("utf-8-sig")
    assert fr.splitlines()[0].count(";") == len(COLUMNS) and "," not in fr.splitlines()[0]
    df = pd.read_csv(io.StringIO(fr), sep=";", decimal=",")
    assert len(df) == 6 and set(COLUMNS) <= set(df.columns) and df["trust"].dtype == float
    en = pd.read_csv(io.BytesIO(exports.timeseries_csv(f, "en")))
    assert np.allclose(en["trust"], df["trust"])
    missions = pd.read_csv(io.BytesIO(exports.missions_csv(f, "fr")), sep=";", decimal=",", encoding="utf-8-sig")
    assert {"Mission", "Météo", "Réalisations : actions livrées"} <= set(missions.columns)
    png = exports.png_bytes(f, "fr")
    assert Image.open(io.BytesIO(png)).size[0] >= 1920
    assert exports.png_name(f, "fr") == "vti_month006_fr.png"
    both = pd.read_csv(io.BytesIO(exports.compare_csv(dict(zip(app.DEFAULT_COMPARE, app.compare_frames(),
                                                                strict=True)), "en")))
    assert set(both["setting"]) == set(app.DEFAULT_COMPARE)


def test_predict_hides_outcomes_and_reveal_marks_the_prediction():
    player, rc = _render()
    app.PREDICT.set("hidden")
    names = [w.attributes["class"] for w in rc.find(JsonEcharts).widgets]
    assert not any(n.endswith(("vti-chart-value", "vti-chart-social", "vti-chart-grid")) for n in names)
    assert "Résultats masqués" in _html(rc)
    app.PREDICTION.set({"final_trust": 0.7, "net_value": 123.0})
    for _ in range(12):
        player.step()
    app.PREDICT.set("revealed")
    reveal = _chart(rc, "reveal")
    assert reveal["series"][0]["markLine"]["data"] == [{"yAxis": 123.0}]
    assert "Prédiction 123" in _html(rc)


def test_a_prediction_is_read_as_the_room_writes_it_and_refused_out_of_range():
    player, rc = _render()
    app.PREDICT.set("hidden")
    trust = rc.find(v.TextField, class_="vti-predict-trust").widget
    value = rc.find(v.TextField, class_="vti-predict-value").widget
    reveal = rc.find(v.Btn, class_="vti-reveal-button").widget
    value.v_model = "1 200"  # French thousands, as the page itself writes them
    trust.v_model = "0,7"
    assert app.PREDICTION.value == {"final_trust": 0.7, "net_value": 1200.0} and not reveal.disabled
    trust.v_model = "1,5"  # trust is an index 0-1
    assert "Un nombre de 0 à 1" in str(trust.messages) and reveal.disabled
    assert app.PREDICTION.value["final_trust"] == 0.7  # the last prediction that could be read is kept
    value.v_model = "beaucoup"
    assert "Un nombre, par exemple" in str(value.messages)
    trust.v_model, value.v_model = "0,6", "\u22121\u202f500"  # the typographic minus and the page's thin space
    assert app.PREDICTION.value == {"final_trust": 0.6, "net_value": -1500.0} and not reveal.disabled
    app.PREDICT.set("revealed")  # revealed before any month: nothing is shown as simulated 0
    assert f"Prédiction -1{i18n.NNBSP}500 · pas encore simulé" in _html(rc) and "simulé 0" not in _html(rc)
    for _ in range(3):
        player.step()
    assert f"Prédiction -1{i18n.NNBSP}500 · simulé " in _html(rc) and "pas encore simulé" not in _html(rc)


def test_no_axis_name_is_drawn_over_a_chart_title():
    player, rc = _render()
    for _ in range(20):
        player.step()
    f = player.frame
    options = {name: build(f, "fr") for name, build in charts.LIVE_CHARTS.items()}
    options["reveal"] = charts.cumulative_option(f, None, "fr", charts.A_COLOUR, prediction=100.0)
    options["compare"] = charts.cumulative_option(f, f, "fr", charts.B_COLOUR)
    for name, opt in options.items():
        title = opt["title"]
        title_bottom = title["top"] + 1.3 * title["textStyle"]["fontSize"]
        axes = opt["yAxis"] if isinstance(opt["yAxis"], list) else [opt["yAxis"]]
        for ax in axes:
            if ax.get("name") and ax.get("nameLocation", "end") == "end":  # ECharts: above the axis, by nameGap
                name_top = opt["grid"]["top"] - ax.get("nameGap", 15) - 12
                assert name_top >= title_bottom, (name, ax["name"])


def test_presenter_view_shows_one_large_chart_at_a_time():
    player, rc = _render()
    app.PRESENTER.set(True)
    charts_shown = rc.find(JsonEcharts).widgets
    assert len(charts_shown) == 1 and "640px" in charts_shown[0].attributes["style"]
    big = charts_shown[0].option
    assert big["title"]["textStyle"]["fontSize"] > 20
    # the work items' names keep the room they have at normal size (not cut shorter), and their % labels grow too
    small = charts.timeline_option(player.frame, "fr")
    ratio = small["yAxis"]["axisLabel"]["width"] / small["yAxis"]["axisLabel"]["fontSize"]
    assert big["yAxis"]["axisLabel"]["width"] / big["yAxis"]["axisLabel"]["fontSize"] >= 0.95 * ratio
    assert min(d["label"]["fontSize"] for d in big["series"][1]["data"]) > 1.5 * 10
    app.PRESENTER_CHART.set(1)
    assert rc.find(JsonEcharts).widgets[0].attributes["class"].endswith("vti-chart-value")
    player.step()
    assert "Mois 1 / 144" in _html(rc)


def _drawn_slide(months: int, *langs: str):
    """The slide's figure after ``months`` steps, drawn (tick labels and their places set), with its renderer."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    player, rc = _render()
    for _ in range(months):
        player.step()
    for lang in langs:
        canvas = FigureCanvasAgg(exports.slide_figure(player.frame, lang))
        canvas.draw()
        yield lang, canvas.figure, canvas.get_renderer()


def test_every_axis_of_the_french_slide_writes_numbers_with_a_decimal_comma():
    wrong = {"fr": re.compile(r"\d\.\d"), "en": re.compile(r"\d,\d")}  # a decimal point, a decimal comma
    for lang, fig, _ in _drawn_slide(40, "fr", "en"):
        ticks = [(i, lab.get_text()) for i, a in enumerate(fig.axes)
                 for lab in a.get_xticklabels() + a.get_yticklabels() if lab.get_text()]
        assert len({i for i, _ in ticks}) == len(fig.axes)  # every axis (the twin ones too) has labelled ticks
        assert not [text for _, text in ticks if wrong[lang].search(text)], lang


@pytest.mark.parametrize("months", [0, 40])
def test_the_slide_has_no_label_over_another_chart_and_no_axis_of_repeated_ticks(months):
    [(_, fig, renderer)] = _drawn_slide(months, "fr")
    panels = {}  # the six charts, each with its twin axes: where each one's plot area is
    for a in fig.axes:
        panels.setdefault(tuple(np.round(a.get_position().bounds, 4)), []).append(a)
    assert len(panels) == 6
    for where, axes in panels.items():
        for a in axes:
            labels = [lab for lab in a.get_yticklabels() if lab.get_visible() and lab.get_text()]
            texts = [lab.get_text() for lab in labels]
            assert len(set(texts)) == len(texts), texts  # e.g. not 0,0 five times
            for other, others in panels.items():
                if other == where:
                    continue
                box = others[0].get_window_extent(renderer)  # the other chart's plot area
                for lab in labels:
                    assert not lab.get_window_extent(renderer).overlaps(box), (lab.get_text(), others[0].get_title())


def test_the_png_is_drawn_in_a_worker_process_and_still_drawn_if_that_process_dies():
    player = Player(app.WorkshopModel)
    for _ in range(12):
        player.step()
    f = player.frame
    here = exports.png_bytes(f, "en")
    _wait(lambda: not exports.drawing_ahead(), 60)  # (a click during a drawing ahead is drawn in the server)
    assert exports.draw_png(f, "en") == here  # the same picture, drawn out of the server's process
    worker = exports.start_png_worker()
    (pid,) = worker._processes
    assert pid != os.getpid()
    os.kill(pid, signal.SIGKILL)  # the worker dies (out of memory, killed by hand)
    assert exports.draw_png(f, "en") == here  # drawn in the server this once
    assert exports.start_png_worker() is not worker and exports.draw_png(f, "en") == here  # a new worker
    player.close()


def test_the_png_of_a_month_the_page_rests_on_is_drawn_before_the_click(monkeypatch):
    drawn = []
    real = exports.draw_png
    monkeypatch.setattr(exports, "draw_png", lambda f, lang, *a: drawn.append((f.n, lang)) or real(f, lang, *a))
    monkeypatch.setattr(exports.PngCache, "IDLE_S", 0.01)
    player = Player(app.WorkshopModel)
    cache = exports.PngCache()
    cache.prepare(player.frame, "fr")  # month 0: nothing to draw ahead
    time.sleep(0.1)
    assert drawn == []
    player.step()
    f = player.frame
    cache.prepare(f, "fr")
    _wait(lambda: drawn == [(1, "fr")], 60)
    png = cache.get(f, "fr")  # the click: drawn already, not drawn again
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and drawn == [(1, "fr")]
    assert cache.get(f, "en") and drawn == [(1, "fr"), (1, "en")]  # another language is another picture
    player.step()
    cache.prepare(player.frame, "fr")
    cache.cancel()  # a new month came before the page rested on this one
    time.sleep(0.1)
    assert cache.get(player.frame, "fr") and drawn[-1] == (2, "fr") and len(drawn) == 3
    player.close()


def _state(pid: int) -> str:
    """A process's state letter from /proc ("T": stopped)."""
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()[0]


@pytest.mark.skipif(not os.path.exists("/proc/self/stat") or not hasattr(signal, "SIGSTOP"), reason="Linux only")
def test_a_png_drawn_ahead_waits_while_the_page_is_busy_and_never_keeps_a_click_waiting(monkeypatch):
    """A lever moved while the PNG of the month before is drawn ahead: that drawing is held (its CPU went to the
    page's redraw) and goes on once the page is quiet; the month now on screen is drawn ahead after it, never two at
    once (a queue of months no longer on screen kept a click waiting 12 s); a click is drawn at once, held or not."""
    monkeypatch.setattr(exports.PngCache, "IDLE_S", 0.01)
    calls = []  # (month, ahead, drawings ahead under way when called)
    real = exports.draw_png
    monkeypatch.setattr(exports, "draw_png", lambda f, lang, ahead=False: calls.append((f.n, ahead, exports._ahead))
                        or real(f, lang, ahead))
    player = Player(app.WorkshopModel)
    cache = exports.PngCache()
    (pid,) = exports.start_png_worker()._processes
    player.step()
    cache.cancel()  # a new month with nothing drawn ahead: the worker is left alone
    assert _state(pid) != "T" and not exports._held

    def held_while_drawing() -> bool:
        """Rest on a new month until its drawing ahead is under way, then show another month (a lever moved)."""
        player.step()
        cache.prepare(player.frame, "fr")
        _wait(lambda: exports._ahead == 1, 60)
        player.step()
        cache.prepare(player.frame, "fr")  # the page is busy: the month before is not drawn meanwhile
        return bool(exports._held)  # False if that drawing ended just before (then try again)

    try:
        monkeypatch.setattr(exports, "HOLD_S", 0.3)
        assert any(held_while_drawing() for _ in range(3))
        _wait(lambda: _state(pid) == "T", 10)  # (a signal takes effect when the process is next scheduled)
        now = player.frame  # the page rests on it: drawn ahead once the held drawing has ended
        _wait(lambda: (now.n, True, 0) in calls and exports._ahead == 0, 60)
        assert _state(pid) != "T"
        assert all(busy == 0 for _, ahead, busy in calls if ahead)  # never two drawings ahead at once
        n = len(calls)
        assert cache.get(now, "fr")[:8] == b"\x89PNG\r\n\x1a\n" and len(calls) == n  # the click: drawn already

        monkeypatch.setattr(exports, "HOLD_S", 3600.0)  # held for an hour
        assert any(held_while_drawing() for _ in range(3))
        clicked = []
        click = threading.Thread(target=lambda: clicked.append(cache.get(player.frame, "fr")), daemon=True)
        click.start()
        click.join(60)
        assert clicked and clicked[0][:8] == b"\x89PNG\r\n\x1a\n"  # drawn without waiting for the worker
        assert exports._held and _state(pid) == "T" and calls[-1][:2] == (player.frame.n, False)
    finally:
        cache.cancel()
        exports.release_png_worker()  # never leave the worker stopped, even when this test fails
        _wait(lambda: exports._ahead == 0, 60)  # nor a drawing ahead under way for the next test
        player.close()


_KILLED_WHILE_HELD = """
import os, signal, threading, time
from vti_sim.app import exports, workshop as app
from vti_sim.app.player import Player
player = Player(app.WorkshopModel)
player.step()
pool = exports.start_png_worker()
pool.submit(int).result()  # the worker is up
threading.Thread(target=exports.draw_png, args=(player.frame, "fr", True), daemon=True).start()
while not exports.drawing_ahead():
    time.sleep(0.01)
exports.HOLD_S = 3600.0
exports.hold_png_worker()
print(*pool._processes, flush=True)
time.sleep(0.5)
os.kill(os.getpid(), signal.SIGKILL)  # the server dies while its worker is held
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/stat") or not hasattr(signal, "SIGSTOP"), reason="Linux only")
def test_a_server_killed_while_its_png_worker_is_held_leaves_no_process_behind(tmp_path):
    out = tmp_path / "out.txt"
    with out.open("w") as fh:  # a file, not a pipe: a worker left behind would keep a pipe open
        proc = subprocess.run([sys.executable, "-c", _KILLED_WHILE_HELD], stdout=fh, stderr=subprocess.STDOUT,
                              timeout=120, start_new_session=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == -signal.SIGKILL, out.read_text()[-2000:]
    pid = int(out.read_text().split()[0])
    try:
        _wait(lambda: not os.path.exists(f"/proc/{pid}") or _state(pid) == "Z", 30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
