"""The workshop app: a Solara page to steer the VTI model (a Mesa model) live, in French or English.

Run it with ``vti-sim workshop`` (binds 127.0.0.1) or ``solara run vti_sim.app.workshop``.

Layout
    * Sidebar: run controls (▶ / ❚❚, step, reset, speed), language (FR/EN), scenario preset, seed, one slider per
      lever built from ``vti_sim.registry`` (unit in the label, meaning in a tooltip), "predict, then reveal",
      presenter view, and exports (PNG, CSV).
    * Live tab: status, phase timeline (work-item Gantt), public value by type created vs destroyed, where the
      time goes by role with unmet demand, trust / participation / inclusion gap, trajectory on the proactivity ×
      openness grid, mission dashboard with its "météo".
    * Compare tab: two governance settings side by side on the same seed.

Threads: a ``Player`` (``player.py``) owns the session's model and its lock; its play loop steps the model and
publishes a ``Frame`` (``frame.py``), a copy of what the page shows.  Components read frames only, so a render
never races a step.  The run controls are ours (Mesa's SolaraViz controller is English only and races renders).

Speed: only the live dashboard subscribes to the frame; the sidebar re-renders when a setting changes.  Each chart
goes to the browser as one JSON string (``echarts.py``), at most every 250 ms while the run plays (the browser
redraws a chart no faster); the browser then redraws one chart per animation frame, draws each option as it
arrives when the run is not playing (a lever moved, a step), and redraws none that is out of view.  Month 0, which
every rebuild shows again, is kept drawn in a second ECharts instance per chart (``vtiKeep``): a lever moved shows it
without drawing anything.  While the page rests, the month a Step would show (``Player.next_frame``, on a copy of
the model) goes to each chart too, which draws it in a third instance when the browser is idle: a Step then shows
it without drawing.

State: the settings (language, scenario, lever values, seed, ...) are ``solara.reactive`` values, which the Solara
server keeps per browser page.  Changing a setting rebuilds the model at month 0; Reset rebuilds it from the same
settings.
"""

from __future__ import annotations

import math
import os
import time
from functools import lru_cache, partial
from typing import Any

# Reacton's opt-in renderer (reacton >= 1.11.1, tested upstream against the default one): a render pass walks only
# the components whose state changed, where the default walks and re-applies every widget of the page.  A lever
# moved then costs the server 7-10 ms instead of 14-29 (benchmarks/README.md).  REACTON_FAST=0 turns it off.
os.environ.setdefault("REACTON_FAST", "1")

import solara
import solara.lab
from solara.components.file_download import FileDownloadWidget

from vti_sim import registry
from vti_sim.app import charts, exports, i18n
from vti_sim.app.echarts import JsonEcharts, dumps
from vti_sim.app.frame import Frame
from vti_sim.app.i18n import num, parse_number, pct, t
from vti_sim.app.pacing import ShownAck
from vti_sim.app.player import DEFAULT_SPEED, READY, SPEEDS, Player, start_warm_up
from vti_sim.app.rows import HtmlRows, table_html
from vti_sim.model import VTIModel
from vti_sim.model.phases import PHASES

CASES = ("angers", "mulhouse", "biarritz")
ARCHETYPES = ("global", "incremental", "technocentric", "open_with_resources", "open_without_resources")
DEFAULT_COMPARE = ("global", "open_with_resources")
SEED_MAX = 2**31 - 1
CHART_HEIGHT = 300

# Used only while a scenario file is missing (the scenario files are the source of truth).
_FALLBACK_SCENARIOS: dict[str, dict[str, Any]] = {
    "global": {"openness_start": "structure_first"},
    "open_with_resources": {"openness_start": "launch", "facilitation_fte": 3.0},
    "open_without_resources": {"openness_start": "launch", "facilitation_fte": 0.0},
    "technocentric": {"openness_start": "never"},
}

CSS = """
.vti-table td, .vti-table th { padding: 3px 8px; border-bottom: 1px solid #e6e6e6; text-align: left;
  vertical-align: top; }
.vti-table th { font-weight: 600; }
.vti-card { padding: 6px; }
.vti-card, .vti-status, .vti-chart { contain: content; }  /* a month's changes repaint only their own card */
.vti-presenter .vti-status-table { font-size: 26px !important; }
.vti-presenter .vti-status-table table { font-size: 26px !important; }
.vti-presenter-title { font-size: 30px; font-weight: 600; }
.vti-hidden-card { font-size: 18px; padding: 24px; text-align: center; color: #555; }
/* below 1280 px (a projector at 1024 x 768) the sidebar folds into a drawer, whose button Solara's Vuetify 3 layout
   draws empty: show the usual menu sign on it */
.v-app-bar-nav-icon .v-btn__content:empty::before { content: "☰"; font-size: 24px; line-height: 1; }
/* the page's title in the app bar takes the width it needs (the bar shared its room with an empty spacer, and cut the
   title at 1,400 px) */
.v-app-bar .v-toolbar-title { flex: 1 0 auto; }
/* a lever's thumb jumps to its new value: Vuetify's 0.3 s glide redrew the page every frame while the rebuilt run's
   charts were being drawn (benchmarks/README.md, the workshop page) */
.vti-levers .v-slider *, .vti-levers .v-slider *::before { transition: none !important; }
"""

# the "This website runs on Solara" badge covers a chart's corner: not on this page
try:
    import solara.server.settings as _server_settings

    _server_settings.theme.show_banner = False
    _server_settings.theme.title = i18n.t("title", os.environ.get("VTI_SIM_LANG", i18n.DEFAULT_LANG))
except Exception:  # pragma: no cover - outside a server
    pass

start_warm_up()  # kernels load in the background while the first page shows "preparing"


# ------------------------------------------------------------------------------------------ settings
def _start_lang() -> str:
    lang = os.environ.get("VTI_SIM_LANG", i18n.DEFAULT_LANG)
    return lang if lang in i18n.LANGS else i18n.DEFAULT_LANG


LANG = solara.reactive(_start_lang())
SCENARIO = solara.reactive("")  # "" = registry defaults
PARAMS = solara.reactive(registry.defaults())
SEED = solara.reactive(1)
COMPARE_A = solara.reactive(DEFAULT_COMPARE[0])
COMPARE_B = solara.reactive(DEFAULT_COMPARE[1])
OPEN_GROUP = solara.reactive("open")  # the lever group shown in the sidebar ("" = none)
TAB = solara.reactive(0)
SPEED = solara.reactive(DEFAULT_SPEED)
PRESENTER = solara.reactive(False)
PRESENTER_CHART = solara.reactive(0)
PREDICT = solara.reactive("")  # "" (off), "hidden" (the room predicts), "revealed"
PREDICTION = solara.reactive({"final_trust": 0.5, "net_value": 0.0})


def available_scenarios() -> list[str]:
    """Scenario names that can be loaded: cases first, then archetypes, then any other file."""
    try:
        from vti_sim.scenarios import list_scenarios

        found = set(list_scenarios())
    except Exception:  # the scenarios module is optional for the app
        found = set()
    known = [n for n in CASES + ARCHETYPES if n in found or n in _FALLBACK_SCENARIOS]
    return known + sorted(found - set(known))


@lru_cache(maxsize=64)
def _scenario(name: str) -> tuple[tuple[tuple[str, Any], ...], str, bool]:
    try:
        from vti_sim.scenarios import load_scenario

        sc = load_scenario(name)
        return tuple(sc.params.items()), sc.description, True
    except Exception:
        return tuple(_FALLBACK_SCENARIOS.get(name, {}).items()), "", False


def scenario_params(name: str) -> tuple[dict[str, Any], str, bool]:
    """(validated parameter overrides, English description, found) for a scenario name; "" means defaults."""
    if not name:
        return {}, "", True
    if not isinstance(name, str) or name not in available_scenarios() or "/" in name or "\\" in name \
            or name.endswith(".toml"):
        # the selector's value comes from the browser: load only the listed scenarios (shipped or ./scenarios/),
        # never a path a client made up
        return dict(_FALLBACK_SCENARIOS.get(name, {})) if isinstance(name, str) else {}, "", False
    params, desc, found = _scenario(name)
    return dict(params), desc, found


class WorkshopModel(VTIModel):
    """VTIModel built from the session's settings unless told otherwise (Reset calls ``WorkshopModel()``)."""

    def __init__(self, params: dict[str, Any] | None = None, seed: int | None = None):
        self.settings = dict(PARAMS.value if params is None else params)
        self.seed = int(SEED.value if seed is None else seed)
        super().__init__(rng=self.seed, **self.settings)


def apply_scenario(name: str) -> None:
    params, _, _ = scenario_params(name)
    SCENARIO.value = name
    PARAMS.value = registry.resolve(params, source=f"scenario {name or 'defaults'}")


def set_lever(name: str, value: Any) -> None:
    p = registry.get(name)
    if p.dtype == "float":
        value = min(max(float(value), p.min), p.max)
    PARAMS.value = {**PARAMS.value, name: p.coerce(value, source="workshop")}


PREDICTION_RANGE = {"final_trust": (0.0, 1.0), "net_value": (-1e7, 1e7)}  # trust is an index 0-1


def parse_prediction(key: str, text: str, lang: str) -> float | None:
    """The room's prediction as typed (``1 200`` or ``0,7`` in French), or None if it is not a number in range."""
    x = parse_number(text, lang)
    lo, hi = PREDICTION_RANGE[key]
    return x if x is not None and lo <= x <= hi else None


def parse_seed(text: str) -> int | None:
    """The seed typed by the trainer, or None if it is not a whole number in 0..SEED_MAX."""
    try:
        value = int(str(text).strip())
    except ValueError:
        return None
    return value if 0 <= value <= SEED_MAX else None


# ------------------------------------------------------------------------------------------ tables
def status_rows(f: Frame, lang: str, hide_outcomes: bool = False) -> list[tuple[str, str]]:
    budget = (t("budget_year", lang), f"{num(f.budget_year, lang, 1)} M€")
    month = (t("month", lang), f"{f.n} / {f.months}")
    if not f.n:
        return [month, budget]
    phase = PHASES[int(f.last("phase"))]
    rows = [month, (t("phase", lang), f"{t(phase, lang, 'phase')} ({t('cycle', lang)} {int(f.last('cycle'))})")]
    if not hide_outcomes:
        rows += [
            (t("net_value", lang), f"{num(f.col('pv_net_total').sum(), lang, 0)} {t('pvu', lang)}"),
            (t("trust", lang), num(f.last("trust"), lang, 2)),
            (t("participation", lang), pct(f.last("participation"), lang, 1)),
            (t("inclusion_gap", lang), f"{num(100 * f.last('inclusion_gap'), lang, 2)} pts"),
        ]
    rows += [(t("budget_execution", lang), pct(f.last("budget_execution"), lang)), budget]
    return rows


_table_html = table_html


def missions_cells(f: Frame, lang: str) -> tuple[list[str], list[list[str]]]:
    rows = [[t(r["mission"], lang, "mission", default=r["label"]), num(r["budget_meur"], lang, 1),
             pct(r["means"], lang), f"{pct(r['realisation'], lang)} ({r['delivered']}/{r['actions']})",
             num(r["effects"], lang, 0), t(r["meteo"], lang, "meteo")] for r in f.missions]
    header = [t(k, lang) for k in ("mission", "budget", "means", "realisation", "effects", "meteo")]
    return header, rows


def missions_html(f: Frame, lang: str, size: int = 13) -> str:
    return _table_html(*missions_cells(f, lang), "vti-missions", size)


# ------------------------------------------------------------------------------------------ live components
def _bigger(option: dict[str, Any], scale: float) -> dict[str, Any]:
    """Presenter view: the same option with larger type."""
    option["textStyle"] = {"fontSize": round(12 * scale)}
    option["title"]["textStyle"] = {"fontSize": round(13 * scale)}
    for key in ("xAxis", "yAxis"):
        axes = option.get(key)
        for ax in axes if isinstance(axes, list) else [axes] if axes else []:
            label = ax.get("axisLabel", {})
            ax["axisLabel"] = {**label, "fontSize": round(label.get("fontSize", 11) * scale)}
            if "width" in label:  # a label cut to a width: the same text fits at the larger size
                ax["axisLabel"]["width"] = round(label["width"] * scale)
            ax["nameTextStyle"] = {**ax.get("nameTextStyle", {}), "fontSize": round(11 * scale)}
            ax["nameGap"] = round(ax.get("nameGap", 15) * scale)  # ECharts' default 15: its unit clears the labels
    for series in option.get("series", []):  # value labels on bars and points, the "now" line's, and thin bars
        for item in [series, series.get("markLine", {}), *(d for d in series.get("data", []) if isinstance(d, dict))]:
            if "fontSize" in item.get("label", {}):
                item["label"] = {**item["label"], "fontSize": round(item["label"]["fontSize"] * scale)}
        if "barWidth" in series:
            series["barWidth"] = round(series["barWidth"] * scale)
    if "legend" in option:
        option["legend"] = {**option["legend"], "top": round(26 * scale),
                            "textStyle": {"fontSize": round(11 * scale)}}
    # room above the plot for the larger title, legend and the labels over it (the "now" line's)
    option["grid"] = {**option["grid"], "top": round(option["grid"].get("top", 40) * scale)}
    return option


def chart_json(name: str, build, f: Frame, lang: str, scale: float = 1.0) -> str:
    option = build(f, lang)
    option["toolbox"]["feature"]["saveAsImage"]["name"] = f"vti_{name}_month{f.n:03d}_{lang}"
    if not f.n:  # every rebuild shows month 0 again: the browser keeps its picture (``echarts.py``)
        option["vtiKeep"] = True
    return dumps(_bigger(option, scale) if scale != 1.0 else option)


def chart_element(name: str, build, f: Frame, lang: str, height: int = CHART_HEIGHT, scale: float = 1.0):
    return JsonEcharts.element(**_chart_traits(name, build, f, lang, height, scale))


def _chart_traits(name: str, build, f: Frame, lang: str, height: int = CHART_HEIGHT, scale: float = 1.0):
    return {"option_json": chart_json(name, build, f, lang, scale), "responsive": True,
            "attributes": {"style": f"height: {height}px; width: 100%;", "class": f"vti-chart vti-chart-{name}"}}


class Live:
    """The widgets of a component that follow every month, and how each one's changing values derive from a frame.

    The component places them in its layout (reused from one render to the next); ``use_live`` then sets their
    changing values directly for each new frame, with no render pass of the page, and only the values that
    changed travel to the browser."""

    def __init__(self, pool: dict):
        self.pool = pool
        self.targets: list[_Target] = []
        self.screens = 0

    def widget(self, key: tuple, make, values, period: float = 0.0, ahead=None):
        """The widget for ``key`` (made by ``make()`` the first time), wrapped in an element for the layout; while
        the run plays, its values are sent at most once per ``period`` seconds.  ``ahead(frame)``: the values that
        let the browser prepare the month a Step would show, sent while the page rests."""
        w = self.pool.get(key)
        if w is None:
            w = self.pool[key] = make()
        self.targets.append(_Target(w, values, period, ahead))
        return solara.Div(children=[w])

    def chart(self, name: str, build, f: Frame, lang: str, height: int = CHART_HEIGHT, scale: float = 1.0):
        def option(fr: Frame) -> str:
            return chart_json(name, build, fr, lang, scale)
        return self.widget(("chart", name, lang, height, scale, id(build) if name == "reveal" else 0),
                           lambda: JsonEcharts(**_chart_traits(name, build, f, lang, height, scale)),
                           lambda fr: {"option_json": option(fr)}, CHART_PERIOD_S,
                           lambda fr: {"ahead_json": option(fr)})

    def ack(self, player: Player):
        """The invisible widget by which the browser reports each frame drawn (the loop waits for it)."""
        def make():
            w = ShownAck(seq=player.seq)
            w.observe(lambda change: player.ack(change["new"]), names="shown")
            return w
        self.screens = 1
        return self.widget(("ack",), make, lambda fr: {"seq": player.seq, "playing": player.looping})

    def rows(self, key: tuple, cells, f: Frame, classes: str = "", table_class: str = "", size: int = 13,
             period: float = 0.0):
        """A table updated cell by cell; ``cells(frame)`` gives ``{"header": [...], "rows": [[...]], ...}``."""
        return self.widget(("rows", *key), lambda: HtmlRows(classes=classes, table_class=table_class, size=size,
                                                            **cells(f)), cells, period)

    def html(self, key: tuple, html, f: Frame, classes: str = "", period: float = 0.0):
        return self.widget(("html", *key), lambda: solara.widgets.HTML(tag="div", unsafe_innerHTML=html(f),
                                                                       attributes={"class": classes}),
                           lambda fr: {"unsafe_innerHTML": html(fr)}, period)


CHART_PERIOD_S = 0.25  # the browser redraws a chart at most this often (``echarts.py``): no need to send it more
# The missions table (a dozen rows of numbers) at most ten times a second while the run plays: every month at the
# "normal" speed, every second or third at "fast"; the status table follows every month.
TABLE_PERIOD_S = 0.1


class _Target:
    """A live widget and how its values derive from a frame.  While the loop plays, a chart's option (the bulk of
    a month's messages) is sent at most once per ``period``: the frames in between would be dropped by the browser
    anyway.  The month 0 of a rebuild, the horizon, a step and the loop's end (``Player._settle``) are always
    sent, so a paused page shows the month it is at."""

    __slots__ = ("widget", "values", "period", "ahead", "next_at")

    def __init__(self, widget, values, period: float, ahead=None):
        self.widget, self.values, self.period, self.ahead, self.next_at = widget, values, period, ahead, 0.0

    def offer(self, f: Frame, now: float, playing: bool) -> None:
        if self.period and playing and now < self.next_at:
            return
        _apply(self.widget, self.values(f))
        self.next_at = now + self.period


def _apply(w, values: dict[str, Any]) -> None:
    changed = {k: v for k, v in values.items() if getattr(w, k) != v}
    if changed:
        with w.hold_sync():
            for k, v in changed.items():
                setattr(w, k, v)


def use_live(player: Player) -> Live:
    """A ``Live`` for the calling component; its widgets follow the player's frames until the component goes."""
    pool = solara.use_ref({}).current
    counted = solara.use_ref((None, 0))  # (player, screens) this component has told a player it shows
    live = Live(pool)

    def attach():
        targets = list(live.targets)
        aheads = [target for target in targets if target.ahead is not None]

        def on_frame(f: Frame) -> None:  # in the publishing thread, one frame at a time
            now, playing = time.monotonic(), player.looping and f.running and f.n > 0
            for target in targets:
                target.offer(f, now, playing)
            # at rest, once the month is sent: the next one, which the browser draws while nothing else happens
            if aheads and not player.looping and f.running and (nxt := player.next_frame(f)) is not None:
                for target in aheads:
                    _apply(target.widget, target.ahead(nxt))
        unsubscribe = player.subscribe(on_frame)
        # the screens shown are counted by difference, never dropped and re-added around a re-render (▶ re-renders
        # the page while the loop starts: a count at 0 in between let a month through unacknowledged)
        was, n = counted.current
        if was is not player:  # another player: give that one its count back
            if was is not None:
                was.watch(-n)
            n = 0
        player.watch(live.screens - n)
        counted.current = (player, live.screens)
        return unsubscribe

    def close_all():
        def cleanup():
            was, n = counted.current
            if was is not None:
                was.watch(-n)
            counted.current = (None, 0)
            for w in pool.values():
                w.close()
            pool.clear()
        return cleanup

    solara.use_effect(attach)  # after every render: the listener always matches what was rendered
    solara.use_effect(close_all, [])
    return live


def status_cells(f: Frame, lang: str, hide: bool) -> list[list[str]]:
    return [[a, f"<b>{b}</b>"] for a, b in status_rows(f, lang, hide)]


def status_html(f: Frame, lang: str, hide: bool, size: int = 13) -> str:
    return _table_html(None, status_cells(f, lang, hide), size=size)


def _progress(f: Frame) -> float:
    return round(100.0 * f.n / max(f.months, 1), 2)


def _progress_bar(f: Frame) -> str:
    return (f'<div class="vti-progress" style="height:4px;background:#e0e0e0"><div style="height:4px;'
            f'width:{_progress(f)}%;background:#6200ea"></div></div>')


LIVE = ("timeline", "value", "time", "social", "grid")
OUTCOMES = ("value", "social", "grid")  # hidden while the room predicts


@solara.component
def HiddenCard(lang: str):
    solara.HTML(tag="div", unsafe_innerHTML=t("predict_hidden", lang), classes=["vti-hidden-card"],
                style={"min-height": f"{CHART_HEIGHT}px"})


def reveal_text(f: Frame, lang: str, pred: dict[str, float]) -> str:
    def versus(predicted: str, simulated: str) -> str:  # revealed before any month: nothing simulated to compare
        if not f.n:
            return t("prediction_pending", lang, pred=predicted)
        if f.n < f.months:  # revealed mid-run: the simulated value is this month's, not the final one yet
            return t("prediction_vs_now", lang, pred=predicted, sim=simulated, n=f.n)
        return t("prediction_vs", lang, pred=predicted, sim=simulated)
    return (f"<b>{t('net_value', lang)}</b> : " if lang == "fr" else f"<b>{t('net_value', lang)}</b>: ") + \
        versus(num(pred["net_value"], lang, 0), num(f.col("pv_net_total").sum(), lang, 0)) + \
        f"<br><b>{t('final_trust', lang)}</b>{' :' if lang == 'fr' else ':'} " + \
        versus(num(pred["final_trust"], lang, 2), num(f.last("trust"), lang, 2))


def StatusCard(player: Player, live: Live, f: Frame, lang: str, hide: bool):
    """Part of LiveView's render (not a component of its own: its widgets belong to LiveView's ``Live``)."""
    with solara.Card(t("status_title", lang), classes=["vti-status"], margin=0):
        # the table and a plain bar in one widget, one message a month (Vuetify's progress bar animates every
        # change, which costs the browser each month)
        live.rows(("status", lang, hide), lambda fr: {"rows": status_cells(fr, lang, hide),
                                                      "after": _progress_bar(fr)}, f, "vti-status-table")
        StageNote(player, lang)


@solara.component
def StageNote(player: Player, lang: str):
    """The note under the status table.  A component of its own: the stage changes at each rebuild (a lever moved
    after the horizon), and only this note (and the run controls) should re-render then, not the whole dashboard."""
    stage = player.stage.value
    if player.error.value:
        solara.Error(t("error_note", lang, error=player.error.value), dense=True)
    elif stage == "start":
        solara.Info(t("not_started", lang), dense=True)
    elif stage == "finished":
        solara.Info(t("finished_note", lang), dense=True)


@solara.component
def LiveView(player: Player):
    """The live dashboard.  It renders when the page's structure changes (language, predict step, start or end of a
    run); month by month, its charts and tables are updated in place (``use_live``)."""
    lang = LANG.value
    state = PREDICT.value
    hide = state == "hidden"
    pred = PREDICTION.value
    f = player.frame
    live = use_live(player)
    with solara.Column(classes=["vti-live"]) as main:
        StatusCard(player, live, f, lang, hide)
        if state == "revealed":
            with solara.Card(t("predict", lang), margin=0, classes=["vti-card", "vti-reveal"]):
                build = _reveal_builder(pred["net_value"])
                live.chart("reveal", build, f, lang)
                live.html(("reveal", lang, pred["net_value"], pred["final_trust"]),
                          lambda fr: reveal_text(fr, lang, pred), f, "vti-reveal-text")
        with solara.ColumnsResponsive(12, large=6):
            for name in LIVE:
                with solara.Card(margin=0, classes=["vti-card"]):
                    if hide and name in OUTCOMES:
                        HiddenCard(lang)
                    else:
                        live.chart(name, charts.LIVE_CHARTS[name], f, lang)
            with solara.Card(margin=0, classes=["vti-card", "vti-missions-card"]):
                solara.HTML(tag="div", unsafe_innerHTML=f"<b>{t('missions_title', lang)}</b>")
                if hide:
                    HiddenCard(lang)
                else:
                    live.rows(("missions", lang), lambda fr: dict(zip(("header", "rows"), missions_cells(fr, lang),
                                                                      strict=True)),
                              f, table_class="vti-missions", period=TABLE_PERIOD_S)
                    solara.HTML(tag="div", unsafe_innerHTML=t("meteo_note", lang),
                                style={"font-size": "11px", "color": "#777"})
        live.ack(player)  # last: the browser reports a month once the updates above have arrived
    return main


@lru_cache(maxsize=32)
def _reveal_builder(prediction: float):
    """One builder per predicted value (so that the reveal chart's widget is kept while the prediction is)."""
    return lambda fr, lang: charts.cumulative_option(fr, None, lang, charts.A_COLOUR, prediction=prediction)


PRESENTER_VIEWS = ("timeline", "value", "time", "social", "grid", "missions")


@solara.component
def PresenterView(player: Player):
    """For a projector: large type, one chart at a time, previous / next."""
    lang = LANG.value
    hide = PREDICT.value == "hidden"
    f = player.frame
    k = PRESENTER_CHART.value % len(PRESENTER_VIEWS)
    name = PRESENTER_VIEWS[k]
    live = use_live(player)

    def title(fr: Frame) -> str:
        return f"{t('month', lang)} {fr.n} / {fr.months} · {t(PHASES[fr.phase], lang, 'phase')}"

    with solara.Column(classes=["vti-presenter"]) as main:
        with solara.Row(justify="space-between", style={"align-items": "center"}):
            solara.Button("◀", on_click=lambda: PRESENTER_CHART.set((k - 1) % len(PRESENTER_VIEWS)),
                          classes=["vti-presenter-prev"], x_large=True, text=True)
            live.html(("title", lang), title, f, "vti-presenter-title")
            solara.Button("▶", on_click=lambda: PRESENTER_CHART.set((k + 1) % len(PRESENTER_VIEWS)),
                          classes=["vti-presenter-next"], x_large=True, text=True)
        if hide and (name in OUTCOMES or name == "missions"):
            HiddenCard(lang)
        elif name == "missions":
            solara.HTML(tag="div", unsafe_innerHTML=f"<h2>{t('missions_title', lang)}</h2>")
            live.rows(("missions", lang, 24), lambda fr: dict(zip(("header", "rows"), missions_cells(fr, lang),
                                                                  strict=True)),
                      f, table_class="vti-missions", size=24, period=TABLE_PERIOD_S)
        else:
            live.chart(name, charts.LIVE_CHARTS[name], f, lang, height=640, scale=1.9)
        live.ack(player)
    return main


# ------------------------------------------------------------------------------------------ compare mode
@lru_cache(maxsize=24)
def compare_run(name: str, seed: int) -> tuple[VTIModel, Frame]:
    """A full run of a scenario at a seed and its last frame (cached: a finished run never changes)."""
    params, _, _ = scenario_params(name)
    model = WorkshopModel(params=registry.resolve(params, source=f"scenario {name}"), seed=seed)
    while model.running:
        model.step()
    return model, Frame.of(model)


def compare_frames(seed: int | None = None) -> tuple[Frame, Frame]:
    s = int(SEED.value if seed is None else seed)
    return compare_run(COMPARE_A.value, s)[1], compare_run(COMPARE_B.value, s)[1]


@lru_cache(maxsize=24)
def run_summary(name: str, seed: int) -> dict[str, Any]:
    """The per-run summary of ``vti_sim.api`` for a compare run."""
    from vti_sim.api import result_of

    model, _ = compare_run(name, seed)
    return result_of(model, model.settings, model.seed).summary


SUMMARY_KEYS = ("pv_net_total", "pv_created_total", "pv_destroyed_total", "final_trust", "mean_participation",
                "inclusion_gap", "value_per_meur", "budget_execution", "open_start_month", "plateau_month")
# a summary row whose label differs from the live page's (the summary's gap is the last 12 months' mean)
SUMMARY_LABELS = {"inclusion_gap": "inclusion_gap_last_year"}


def compare_summary(seed: int | None = None) -> list[tuple[str, Any, Any]]:
    s = int(SEED.value if seed is None else seed)
    sa, sb = run_summary(COMPARE_A.value, s), run_summary(COMPARE_B.value, s)
    out = [(k, sa.get(k), sb.get(k)) for k in SUMMARY_KEYS]
    out.append(("implementation_month", sa["months_to_phase"].get("implementation"),
                sb["months_to_phase"].get("implementation")))
    return out


def fmt_summary(key: str, x: Any, lang: str) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if key == "final_trust":
        return num(x, lang, 3)
    if key == "inclusion_gap":
        return f"{num(100 * x, lang, 2)} pts"
    if key in ("mean_participation", "budget_execution"):
        return pct(x, lang, 1)
    if isinstance(x, int) or key.endswith("_month"):
        return str(int(x))
    return num(x, lang, 1)


def _item(text: str, value: str) -> dict[str, str]:
    """A select item for Vuetify 2 ("text") and Vuetify 3 ("title") alike."""
    return {"text": text, "title": text, "value": value}


def _scenario_items(lang: str, include_defaults: bool) -> list[dict[str, str]]:
    items = [_item(t("scenario_defaults", lang), "")] if include_defaults else []
    for name in available_scenarios():
        kind = t("cases", lang) if name in CASES else t("archetypes", lang) if name in ARCHETYPES else ""
        label = t(name, lang, "scenario", default=name)
        items.append(_item(label + (f" — {kind}" if kind and name not in CASES else ""), name))
    return items


def _description(name: str, lang: str) -> tuple[str, bool]:
    _, desc, found = scenario_params(name)
    return i18n.scenario_description(name, lang, desc), found


@solara.component
def CompareColumn(which: str):
    lang = LANG.value
    mine, theirs = (COMPARE_A, COMPARE_B) if which == "a" else (COMPARE_B, COMPARE_A)
    fa, fb = compare_frames()
    f, o = (fa, fb) if which == "a" else (fb, fa)
    colour = charts.A_COLOUR if which == "a" else charts.B_COLOUR
    desc, found = _description(mine.value, lang)
    with solara.Column(classes=[f"vti-compare-{which}"]) as main:
        solara.HTML(tag="div", unsafe_innerHTML=f"<b style='color:{colour}'>{t('compare_' + which, lang)}</b>")
        solara.v.Select(label=t("compare_" + which, lang), v_model=mine.value, items=_scenario_items(lang, False),
                        on_v_model=mine.set, dense=True, hide_details=True, class_=f"vti-compare-select-{which}")
        if desc:
            solara.Text(desc, style={"font-size": "12px", "color": "#555"})
        if not found:
            solara.Warning(t("scenario_missing", lang, name=mine.value), dense=True)
        rows = []
        for key, va, vb in compare_summary():
            mv, ov = (va, vb) if which == "a" else (vb, va)
            rows.append([t(SUMMARY_LABELS.get(key, key), lang), f"<b>{fmt_summary(key, mv, lang)}</b>",
                         f"<span style='color:#888'>{fmt_summary(key, ov, lang)}</span>"])
        solara.HTML(tag="div", unsafe_innerHTML=_table_html(
            [t("indicator", lang), t(mine.value, lang, "scenario", default=mine.value),
             t(theirs.value, lang, "scenario", default=theirs.value)], rows, "vti-compare-table"))
        chart_element(f"cumulative-{which}", lambda f_, lang_: charts.cumulative_option(f_, o, lang_, colour), f,
                      lang)
        chart_element(f"grid-{which}", lambda f_, lang_: charts.grid_option(f_, lang_, other=o, colour=colour), f,
                      lang)
        solara.Text(t("compare_note", lang, months=f.months, seed=f.seed), style={"font-size": "11px"})
    return main


@solara.component
def CompareView():
    with solara.ColumnsResponsive(12, large=6) as main:
        CompareColumn("a")
        CompareColumn("b")
    return main


# ------------------------------------------------------------------------------------------ sidebar
def _nice_step(p: registry.Parameter) -> float | int:
    if p.dtype == "int":
        return 1
    span = float(p.max) - float(p.min)
    raw = span / 200.0
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * mag >= raw:
            return float(f"{m * mag:.10g}")
    return raw


def _shown(p: registry.Parameter, value: Any, lang: str) -> str:
    if p.dtype == "int":
        return f"{int(value):d}"
    digits = max(0, 2 - math.floor(math.log10(abs(value)))) if value else 0
    return num(value, lang, min(digits, 3))


@solara.component
def LeverInput(p: registry.Parameter, lang: str, value: Any, on_change):
    label = i18n.lever_label(p, lang)
    with solara.Tooltip(i18n.lever_doc(p, lang)), solara.Div(classes=[f"vti-lever vti-lever-{p.name}"]):
        if p.dtype == "choice":
            items = [_item(t(c, lang, "choice"), c) for c in p.choices]
            solara.v.Select(label=label, v_model=value, items=items, on_v_model=on_change, dense=True)
        else:
            solara.HTML(tag="div", unsafe_innerHTML=f"{label}: <b class='vti-value'>{_shown(p, value, lang)}</b>",
                        style={"font-size": "13px", "margin-top": "4px"})
            if p.dtype == "int":
                solara.SliderInt("", value=int(value), min=int(p.min), max=int(p.max), step=1, on_value=on_change,
                                 thumb_label=False)
            else:
                solara.SliderFloat("", value=float(value), min=float(p.min), max=float(p.max), step=_nice_step(p),
                                   on_value=on_change, thumb_label=False)


@solara.component
def RunControls(player: Player):
    """▶ / ❚❚, step, reset and speed; what can be pressed follows the published frame and the play state."""
    lang = LANG.value
    playing = player.playing.value
    running = player.stage.value != "finished"

    def on_speed(name):
        SPEED.set(name)
        player.interval_ms = SPEEDS[name]

    with solara.Card(t("controls", lang), classes=["vti-controls"], margin=0):
        with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
            solara.Button(("❚❚ " + t("pause", lang)) if playing else ("▶ " + t("play", lang)), color="primary",
                          on_click=player.toggle, disabled=not running and not playing, classes=["vti-play"])
            solara.Button(t("step", lang), color="primary", outlined=True, on_click=player.step,
                          disabled=playing or not running, classes=["vti-step"])
            solara.Button(t("reset", lang), color="primary", outlined=True, on_click=player.reset,
                          classes=["vti-reset"])
        solara.v.Select(label=t("speed", lang), v_model=SPEED.value, on_v_model=on_speed, dense=True,
                        hide_details=True, class_="vti-speed",
                        items=[_item(t(f"speed_{k}", lang), k) for k in SPEEDS])


@solara.component
def SeedInput(on_seed):
    lang = LANG.value
    text, set_text = solara.use_state(str(SEED.value))
    valid = parse_seed(text) is not None

    def on_text(value):
        set_text(value)
        seed = parse_seed(value)
        if seed is not None and seed != SEED.value:
            on_seed(seed)

    solara.InputText(t("seed", lang), value=text, on_value=on_text, continuous_update=True, classes=["vti-seed"],
                     error=None if valid else t("seed_invalid", lang, max=SEED_MAX))


@solara.component
def PredictControls():
    lang = LANG.value
    state = PREDICT.value
    pred = PREDICTION.value
    # what the trainer types, kept as typed; the prediction follows it whenever it reads as a number in range
    trust, set_trust = solara.use_state(num(pred["final_trust"], lang, 2))
    value, set_value = solara.use_state(num(pred["net_value"], lang, 0))
    with solara.Card(t("predict", lang), classes=["vti-predict"], margin=0):
        if state != "hidden":
            solara.Button(t("predict_hide", lang), on_click=lambda: PREDICT.set("hidden"), outlined=True,
                          small=True, classes=["vti-predict-hide"])
            if state == "revealed":
                solara.Button("✕", on_click=lambda: PREDICT.set(""), text=True, small=True)
        else:
            bad_trust = parse_prediction("final_trust", trust, lang) is None
            bad_value = parse_prediction("net_value", value, lang) is None

            def typed(key, setter):
                def on_text(text):
                    setter(text)
                    x = parse_prediction(key, text, lang)
                    if x is not None:
                        PREDICTION.set({**PREDICTION.value, key: x})
                return on_text

            solara.InputText(t("predict_trust", lang), value=trust, on_value=typed("final_trust", set_trust),
                             continuous_update=True, error=t("predict_bad_trust", lang) if bad_trust else None,
                             classes=["vti-predict-trust"])
            solara.InputText(t("predict_value", lang), value=value, on_value=typed("net_value", set_value),
                             continuous_update=True, error=t("predict_bad_value", lang) if bad_value else None,
                             classes=["vti-predict-value"])
            solara.Button(t("reveal", lang), color="primary", on_click=lambda: PREDICT.set("revealed"),
                          disabled=bad_trust or bad_value, classes=["vti-reveal-button"])
        solara.v.Switch(label=t("presenter", lang), v_model=PRESENTER.value, on_v_model=PRESENTER.set,
                        class_="vti-presenter-toggle", hide_details=True, dense=True)


@solara.component
def Settings(player: Player):
    lang = LANG.value

    def on_scenario(name):
        apply_scenario(name or "")
        player.rebuild()

    def on_seed(seed: int):
        SEED.value = seed
        player.rebuild()

    with solara.Card(t("language", lang), classes=["vti-settings"], margin=0):
        with solara.Row():
            for code in i18n.LANGS:
                solara.Button(code.upper(), on_click=lambda c=code: LANG.set(c), classes=[f"vti-lang-{code}"],
                              color="primary" if code == lang else None, outlined=code != lang, small=True)
        solara.v.Select(label=t("scenario", lang), v_model=SCENARIO.value, items=_scenario_items(lang, True),
                        on_v_model=on_scenario, dense=True, class_="vti-scenario")
        desc, found = _description(SCENARIO.value, lang)
        if desc:
            solara.Text(desc, style={"font-size": "12px", "color": "#555"}, classes=["vti-scenario-description"])
        if not found:
            solara.Warning(t("scenario_missing", lang, name=SCENARIO.value), dense=True)
        SeedInput(on_seed)
        solara.Text(t("apply_note", lang), style={"font-size": "11px", "color": "#777"})
    Levers(player)


def _move_lever(player: Player, name: str, value: Any) -> None:
    set_lever(name, value)
    player.rebuild()


def _toggle_group(group: str) -> None:
    OPEN_GROUP.set("" if OPEN_GROUP.value == group else group)


@solara.component
def Levers(player: Player):
    """The lever groups, apart from the rest of the sidebar: a lever moved re-renders this card only, and with
    handlers that keep their identity, only the moved lever's own input (reacton skips a child whose arguments are
    unchanged), so the server answers a slider sooner."""
    lang = LANG.value
    handlers = solara.use_memo(lambda: {p.name: partial(_move_lever, player, p.name) for p in registry.levers()},
                               [player])
    groups: dict[str, list[registry.Parameter]] = {}
    for p in registry.levers():
        groups.setdefault(p.group, []).append(p)
    toggles = solara.use_memo(lambda: {g: partial(_toggle_group, g) for g in groups}, [])
    # One group open at a time: only its sliders are on the page, which keeps every render pass short.
    with solara.Card(t("levers", lang), classes=["vti-levers"], margin=0):
        for group, params in groups.items():
            title = t(f"group_{group}", lang, default=t("group_other", lang))
            is_open = OPEN_GROUP.value == group
            solara.Button(("▾ " if is_open else "▸ ") + title, text=True, classes=[f"vti-group-{group}"],
                          on_click=toggles[group],
                          style={"justify-content": "flex-start", "width": "100%"})
            if is_open:
                for p in params:
                    LeverInput(p, lang, PARAMS.value.get(p.name, p.default), handlers[p.name])


@solara.component
def ExportButton(label: str, make, mime_type: str, name: str):
    """A download made when clicked, named after the month on screen at that moment (``make() -> (name, bytes)``).

    Solara's FileDownload fixes the file name when it renders; the live page does not re-render every month."""
    el = FileDownloadWidget.element(filename=f"vti_{name}", bytes=None, mime_type=mime_type,
                                    children=[solara.Button(label, icon_name="mdi-download", text=True,
                                                            classes=[f"vti-export-{name}"])])

    def on_request(widget):
        def handler(change):
            if not change["new"]:
                return
            filename, data = make()
            with widget.hold_sync():
                widget.filename = filename
                widget.bytes = data
            widget.bytes = None  # the next click downloads again, even unchanged
        return handler

    def attach():
        widget = solara.get_widget(el)
        handler = on_request(widget)
        widget.observe(handler, "request_download")
        return lambda: widget.unobserve(handler, "request_download")

    solara.use_effect(attach, [make])
    return el


@solara.component
def ExportCard(player: Player):
    lang = LANG.value

    def made(kind: str):
        f = player.frame
        if kind == "png":
            return exports.png_name(f, lang), pngs.get(f, lang)
        if kind == "timeseries":
            return f"vti_timeseries_month{f.n:03d}_seed{f.seed}_{lang}.csv", exports.timeseries_csv(f, lang)
        if kind == "missions":
            return f"vti_missions_month{f.n:03d}_seed{f.seed}_{lang}.csv", exports.missions_csv(f, lang)
        frames = dict(zip((COMPARE_A.value, COMPARE_B.value), compare_frames(f.seed), strict=True))
        return f"vti_compare_seed{f.seed}_{lang}.csv", exports.compare_csv(frames, lang)

    pngs = solara.use_memo(exports.PngCache, [])

    def draw_ahead():
        def on_frame(f: Frame) -> None:  # the page rests on a month: its PNG is drawn before the click
            if player.looping:
                pngs.cancel()
            else:
                pngs.prepare(f, lang)
        unsubscribe = player.subscribe(on_frame)

        def detach():
            unsubscribe()
            pngs.cancel()
        return detach

    solara.use_effect(draw_ahead, [player, lang])
    makers = solara.use_memo(lambda: {k: (lambda k=k: made(k)) for k in ("png", "timeseries", "missions",
                                                                         "compare")}, [lang, player])
    with solara.Card(t("export", lang), margin=0, classes=["vti-export"]), solara.Column(gap="0px"):
        ExportButton(t("export_png", lang), makers["png"], "image/png", "png")
        ExportButton(t("export_csv", lang), makers["timeseries"], "text/csv", "timeseries")
        ExportButton(t("export_missions", lang), makers["missions"], "text/csv", "missions")
        ExportButton(t("export_compare", lang), makers["compare"], "text/csv", "compare")


@solara.component
def Dashboard(player: Player):
    lang = LANG.value
    with solara.Column(classes=["vti-dashboard"]) as main:
        if PRESENTER.value:
            PresenterView(player)
        else:
            with solara.lab.Tabs(value=TAB.value, on_value=TAB.set):
                solara.lab.Tab(t("tab_live", lang), classes=["vti-tab-live"])
                solara.lab.Tab(t("tab_compare", lang), classes=["vti-tab-compare"])
            if TAB.value == 0:
                LiveView(player)
            else:
                CompareView()
    return main


@solara.component
def Preparing(lang: str):
    with solara.Column(classes=["vti-preparing"], align="center", style={"padding": "60px"}):
        solara.v.ProgressCircular(indeterminate=True, size=48, color="primary")
        solara.HTML(tag="div", unsafe_innerHTML=t("preparing", lang), style={"font-size": "18px"})


@solara.component
def Workshop(player: Player):
    lang = LANG.value
    solara.AppBarTitle(t("title", lang))
    with solara.Sidebar(), solara.Column(gap="10px"):
        RunControls(player)
        Settings(player)
        PredictControls()
        ExportCard(player)
    Dashboard(player)


@solara.component
def Page(player: Player | None = None):
    """The app.  ``player`` is for tests and benchmarks; the server passes none and each page gets its own."""
    lang = LANG.value
    solara.Title(t("title", lang))
    solara.Style(CSS)
    ready, set_ready = solara.use_state(READY.is_set() or player is not None)

    def wait_until_ready():
        if not ready:
            READY.wait()
            set_ready(True)

    solara.use_thread(wait_until_ready, dependencies=[ready], intrusive_cancel=False)
    if ready:
        Session(player)
    else:
        solara.AppBarTitle(t("title", lang))
        Preparing(lang)


@solara.component
def Session(player: Player | None):
    own = solara.use_memo(lambda: None if player is not None else Player(WorkshopModel), [])
    active = player if player is not None else own
    solara.use_effect(lambda: active.close, [])  # a closed page stops its play loop
    Workshop(active)


page = Page
