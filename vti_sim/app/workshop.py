"""The workshop app: a Mesa SolaraViz page to steer the VTI model live (issue 5).

Run it with ``vti-sim workshop`` (binds 127.0.0.1) or ``solara run vti_sim.app.workshop:page``.

Layout
    * Sidebar: Mesa's play / step / reset controls, then ours: language (FR/EN),
      scenario preset, seed, one slider per lever built from ``vti_sim.registry``
      (unit in the label, meaning in a tooltip), and exports (PNG, CSV).
    * Page 0 (live): status, phase timeline (work-item Gantt), public value by type
      created vs destroyed, where the time goes by role with unmet demand, trust /
      participation / inclusion gap, trajectory on the proactivity × openness grid,
      mission dashboard with its "météo".
    * Page 1 (compare): two governance settings side by side on the same seed.

Speed: every chart is an ECharts option built from plain lists (no pandas, no
matplotlib on the live path); the monthly numbers come straight from the model's
preallocated ledger array, sliced once per step and shared by all components
(``view(model)``).  Matplotlib is used only when a PNG export is asked for.

State: the settings (language, scenario, lever values, seed) are ``solara.reactive``
values, which the Solara server keeps per browser session.  Changing a setting
rebuilds the model at month 0; Mesa's Reset button rebuilds it from the same
settings (``WorkshopModel()`` reads them).
"""

from __future__ import annotations

import io
import math
import os
import warnings
from functools import lru_cache
from typing import Any

import numpy as np
import solara

from vti_sim import registry
from vti_sim.app import i18n
from vti_sim.app.i18n import t
from vti_sim.model import VTIModel
from vti_sim.model.ledger import INDEX, TIME_ROLES, slice_of
from vti_sim.model.phases import ITEM_KEYS, ITEM_LABELS, ITEM_PHASE, PHASES
from vti_sim.model.time_budget import ACTIVITIES
from vti_sim.model.value import VALUE_TYPES

try:  # Mesa's step counter: ModelController bumps it after each step (mesa.visualization.utils, Mesa 3.x)
    with warnings.catch_warnings():  # Mesa 3.3's own components trip Solara's hook checker at import
        warnings.simplefilter("ignore", UserWarning)
        from mesa.visualization.utils import update_counter as _UPDATE_COUNTER
except ImportError:  # pragma: no cover - a Mesa without it: charts then refresh on settings changes only
    _UPDATE_COUNTER = None

CASES = ("angers", "mulhouse", "biarritz")
ARCHETYPES = ("global", "incremental", "technocentric", "open_with_resources", "open_without_resources")
DEFAULT_COMPARE = ("global", "open_with_resources")
PLAY_INTERVAL_MS = 40
CHART_STYLE = {"style": "height: 290px; width: 100%;"}

# Used only while a scenario file is missing (the scenario files are the source of truth).
_FALLBACK_SCENARIOS: dict[str, dict[str, Any]] = {
    "global": {"openness_start": "structure_first"},
    "open_with_resources": {"openness_start": "launch", "facilitation_fte": 3.0},
    "open_without_resources": {"openness_start": "launch", "facilitation_fte": 0.0},
    "technocentric": {"openness_start": "never"},
}

PHASE_COLOURS = ("#8e7cc3", "#3d85c6", "#6aa84f", "#e69138")
VALUE_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")
ACTIVITY_COLOURS = ("#3d85c6", "#6aa84f", "#e69138", "#8e7cc3", "#45818e")
UNMET_COLOUR = "#c9c9c9"
A_COLOUR, B_COLOUR = "#3d85c6", "#cc0000"

_CREATED = slice_of("pv_created_", VALUE_TYPES)
_DESTROYED = slice_of("pv_destroyed_", VALUE_TYPES)


# ------------------------------------------------------------------------------------------ settings
def _initial_params() -> dict[str, Any]:
    return registry.defaults()


LANG = solara.reactive(os.environ.get("VTI_SIM_LANG", i18n.DEFAULT_LANG)
                       if os.environ.get("VTI_SIM_LANG") in i18n.LANGS else i18n.DEFAULT_LANG)
SCENARIO = solara.reactive("")  # "" = registry defaults
PARAMS = solara.reactive(_initial_params())
SEED = solara.reactive(1)
COMPARE_A = solara.reactive(DEFAULT_COMPARE[0])
COMPARE_B = solara.reactive(DEFAULT_COMPARE[1])
OPEN_GROUP = solara.reactive("open")  # the lever group shown in the sidebar ("" = none)


def available_scenarios() -> list[str]:
    """Scenario names that can be loaded: cases first, then archetypes, then any other file."""
    try:
        from vti_sim.scenarios import list_scenarios

        found = set(list_scenarios())
    except Exception:  # the scenarios module is optional for the app
        found = set()
    known = [n for n in CASES + ARCHETYPES if n in found or n in _FALLBACK_SCENARIOS]
    return known + sorted(found - set(known))


def scenario_params(name: str) -> tuple[dict[str, Any], str, bool]:
    """(validated parameter overrides, description, found) for a scenario name; "" means defaults."""
    if not name:
        return {}, "", True
    if not isinstance(name, str) or name not in available_scenarios() or "/" in name or "\\" in name \
            or name.endswith(".toml"):
        # the selector's value comes from the browser: load only the listed scenarios (shipped or ./scenarios/),
        # never a path a client made up
        return dict(_FALLBACK_SCENARIOS.get(name, {})) if isinstance(name, str) else {}, "", False
    try:
        from vti_sim.scenarios import load_scenario

        sc = load_scenario(name)
        return dict(sc.params), sc.description, True
    except Exception:
        return dict(_FALLBACK_SCENARIOS.get(name, {})), "", False


class WorkshopModel(VTIModel):
    """VTIModel built from the session's settings unless told otherwise (Mesa's Reset calls ``WorkshopModel()``)."""

    def __init__(self, params: dict[str, Any] | None = None, seed: int | None = None):
        self.settings = dict(PARAMS.value if params is None else params)
        self.seed = int(SEED.value if seed is None else seed)
        super().__init__(rng=self.seed, **self.settings)


# ------------------------------------------------------------------------------------------ data
class View:
    """The numbers every component needs at the model's current month, computed once per step."""

    def __init__(self, model: VTIModel):
        n = model.ledger.n
        d = model.ledger.data[:n]
        self.n, self.d, self.months = n, d, model.months
        self.month = list(range(1, n + 1))

    def col(self, name: str) -> np.ndarray:
        return self.d[:, INDEX[name]]

    def last(self, name: str, default: float = 0.0) -> float:
        return float(self.d[-1, INDEX[name]]) if self.n else default


def view(model: VTIModel) -> View:
    """Cached per (model, step): the six components share one slice of the ledger."""
    cached = getattr(model, "_app_view", None)
    if cached is None or cached.n != model.ledger.n:
        cached = View(model)
        model._app_view = cached
    return cached


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


def _rl(a: np.ndarray, nd: int = 3) -> list[float]:
    return np.round(np.asarray(a, dtype=float), nd).tolist()


def _base(title: str) -> dict[str, Any]:
    return {"animation": False, "title": {"text": title, "textStyle": {"fontSize": 13}, "left": 4, "top": 2},
            "tooltip": {"trigger": "axis"},
            "toolbox": {"right": 8, "top": 0, "feature": {"saveAsImage": {"title": "PNG"}}}}


def _short(text: str, n: int = 34) -> str:
    head = text.split(":")[0].strip()
    return head if len(head) <= n else head[: n - 1] + "…"


# ------------------------------------------------------------------------------------------ chart options
def timeline_option(model: VTIModel, lang: str) -> dict[str, Any]:
    """Work-item Gantt: a transparent bar up to each item's start, then a bar for the months it has run."""
    pol = model.policy
    now = model.ledger.n
    names, base, length, data = [], [], [], []
    for i, key in enumerate(ITEM_KEYS):
        label = t(key, lang, "item", default=ITEM_LABELS[i])
        start, end = int(pol.item_start[i]), int(pol.item_end[i])
        started = start >= 0
        stop = (end + 1) if end >= 0 else now
        names.append(_short(label))
        base.append(start if started else 0)
        length.append(max(stop - start, 0) if started else 0)
        prog = float(pol.progress[i])
        data.append({"value": length[-1], "itemStyle": {"color": PHASE_COLOURS[int(ITEM_PHASE[i])],
                                                        "opacity": 1.0 if end >= 0 else 0.55},
                     "label": {"show": started, "position": "right", "formatter": f"{prog:.0%}"}})
    names, base, data = names[::-1], base[::-1], data[::-1]
    phase = PHASES[model.policy.phase]
    opt = _base(f"{t('timeline_title', lang)} · {t(phase, lang, 'phase')}")
    opt.update({
        "grid": {"left": 210, "right": 40, "top": 30, "bottom": 24},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "value", "min": 0, "max": model.months, "name": t("months_axis", lang)},
        "yAxis": {"type": "category", "data": names, "axisLabel": {"fontSize": 10}},
        "series": [
            {"type": "bar", "stack": "g", "data": base, "itemStyle": {"color": "transparent"},
             "tooltip": {"show": False}, "silent": True},
            {"type": "bar", "stack": "g", "data": data, "barWidth": 9, "name": t("months_axis", lang),
             "markLine": {"silent": True, "symbol": "none", "lineStyle": {"color": "#555", "type": "dashed"},
                          "data": [{"xAxis": now}], "label": {"formatter": t("now", lang)}}},
        ],
    })
    return opt


def value_option(model: VTIModel, lang: str) -> dict[str, Any]:
    """Cumulative public value by type: created up, destroyed down, net as a marker."""
    v = view(model)
    created = v.d[:, _CREATED].sum(axis=0) if v.n else np.zeros(len(VALUE_TYPES))
    destroyed = v.d[:, _DESTROYED].sum(axis=0) if v.n else np.zeros(len(VALUE_TYPES))
    cats = [t(k, lang, "value") for k in VALUE_TYPES]
    opt = _base(t("value_title", lang))
    opt.update({
        "grid": {"left": 56, "right": 16, "top": 48, "bottom": 46},
        "legend": {"top": 22, "data": [t("created", lang), t("destroyed", lang), t("net", lang)]},
        "xAxis": {"type": "category", "data": cats, "axisLabel": {"interval": 0, "fontSize": 10, "rotate": 20}},
        "yAxis": {"type": "value", "name": "PVU"},
        "series": [
            {"type": "bar", "name": t("created", lang), "stack": "v", "data": _rl(created, 1),
             "itemStyle": {"color": "#6aa84f"}},
            {"type": "bar", "name": t("destroyed", lang), "stack": "v", "data": _rl(-destroyed, 1),
             "itemStyle": {"color": "#cc4125"}},
            {"type": "scatter", "name": t("net", lang), "data": _rl(created - destroyed, 1), "symbolSize": 11,
             "itemStyle": {"color": "#222"}},
        ],
    })
    return opt


def time_option(model: VTIModel, lang: str) -> dict[str, Any]:
    """Hours by role and activity over the last 12 months, as % of the hours asked; the rest is unmet."""
    v = view(model)
    last = v.d[-12:] if v.n else np.zeros((1, v.d.shape[1]))
    roles = [t(r, lang, "role") for r in TIME_ROLES]
    demand = np.array([last[:, INDEX[f"demand_{r}"]].sum() for r in TIME_ROLES])
    denom = np.maximum(demand, 1e-9)
    series = []
    for k, a in enumerate(ACTIVITIES):
        hours = np.array([last[:, INDEX[f"hours_{r}_{a}"]].sum() for r in TIME_ROLES])
        series.append({"type": "bar", "stack": "t", "name": t(a, lang, "activity"), "data": _rl(100 * hours / denom, 1),
                       "itemStyle": {"color": ACTIVITY_COLOURS[k]}})
    unmet = np.array([last[:, INDEX[f"unmet_{r}"]].sum() for r in TIME_ROLES])
    series.append({"type": "bar", "stack": "t", "name": t("unmet", lang), "data": _rl(100 * unmet / denom, 1),
                   "itemStyle": {"color": UNMET_COLOUR, "borderColor": "#cc0000", "borderWidth": 1}})
    opt = _base(t("time_title", lang))
    opt.update({
        "grid": {"left": 112, "right": 20, "top": 62, "bottom": 24},
        "legend": {"top": 22, "itemWidth": 12, "textStyle": {"fontSize": 10}},
        "xAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": roles},
        "series": series,
    })
    return opt


def social_option(model: VTIModel, lang: str) -> dict[str, Any]:
    """Trust and participation (left axis, 0-1) and the inclusion gap (right axis) month by month."""
    v = view(model)
    opt = _base(t("social_title", lang))
    opt.update({
        "grid": {"left": 44, "right": 56, "top": 52, "bottom": 28},
        "legend": {"top": 22},
        "xAxis": {"type": "value", "min": 0, "max": v.months, "name": t("months_axis", lang)},
        "yAxis": [{"type": "value", "min": 0, "max": 1},
                  {"type": "value", "splitLine": {"show": False}, "axisLabel": {"color": "#cc4125"}}],
        "series": [
            {"type": "line", "name": t("trust", lang), "showSymbol": False,
             "data": list(zip(v.month, _rl(v.col("trust")), strict=True)), "itemStyle": {"color": "#3d85c6"}},
            {"type": "line", "name": t("participation", lang), "showSymbol": False,
             "data": list(zip(v.month, _rl(v.col("participation")), strict=True)), "itemStyle": {"color": "#6aa84f"}},
            {"type": "line", "name": t("inclusion_gap", lang), "showSymbol": False, "yAxisIndex": 1,
             "data": list(zip(v.month, _rl(v.col("inclusion_gap"), 4), strict=True)),
             "itemStyle": {"color": "#cc4125"}, "lineStyle": {"type": "dashed"}},
        ],
    })
    return opt


def _trajectory(v: View) -> list[list[float]]:
    return np.round(np.column_stack([v.col("proactivity"), v.col("openness")]), 3).tolist()


def grid_option(model: VTIModel, lang: str, other: VTIModel | None = None) -> dict[str, Any]:
    """Trajectory on the proactivity × openness grid, the current month as a large dot."""
    v = view(model)
    pts = _trajectory(v)
    quadrants = [(0.25, 0.06, "q_reactive_closed"), (0.75, 0.06, "q_proactive_closed"),
                 (0.25, 0.94, "q_reactive_open"), (0.75, 0.94, "q_proactive_open")]
    series = [
        {"type": "scatter", "silent": True, "symbolSize": 0, "tooltip": {"show": False},
         "data": [{"value": [x, y], "name": t(k, lang)} for x, y, k in quadrants],
         "label": {"show": True, "color": "#999", "fontSize": 10, "formatter": "{b}"},
         "markLine": {"silent": True, "symbol": "none", "lineStyle": {"color": "#bbb"},
                      "data": [{"xAxis": 0.5}, {"yAxis": 0.5}], "label": {"show": False}}},
        {"type": "line", "name": t("month", lang), "data": pts, "showSymbol": False,
         "lineStyle": {"color": A_COLOUR, "width": 1.5, "opacity": 0.7}},
        {"type": "scatter", "data": pts[-1:], "symbolSize": 14, "itemStyle": {"color": A_COLOUR}},
    ]
    if other is not None:
        series.append({"type": "line", "data": _trajectory(view(other)), "showSymbol": False,
                       "lineStyle": {"color": "#999", "type": "dashed", "width": 1}, "silent": True})
    opt = _base(t("grid_title", lang))
    opt.update({
        "grid": {"left": 48, "right": 20, "top": 34, "bottom": 40},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "value", "min": 0, "max": 1, "name": t("proactivity", lang), "nameLocation": "middle",
                  "nameGap": 24},
        "yAxis": {"type": "value", "min": 0, "max": 1, "name": t("openness", lang), "nameLocation": "middle",
                  "nameGap": 30},
        "series": series,
    })
    return opt


def cumulative_option(model: VTIModel, other: VTIModel | None, lang: str, colour: str) -> dict[str, Any]:
    v = view(model)
    series = [{"type": "line", "name": t("net_value", lang), "showSymbol": False, "itemStyle": {"color": colour},
               "data": list(zip(v.month, _rl(np.cumsum(v.col("pv_net_total")), 1), strict=True))}]
    if other is not None:
        w = view(other)
        series.append({"type": "line", "showSymbol": False, "silent": True,
                       "lineStyle": {"color": "#999", "type": "dashed"}, "itemStyle": {"color": "#999"},
                       "data": list(zip(w.month, _rl(np.cumsum(w.col("pv_net_total")), 1), strict=True))})
    opt = _base(t("cum_value_title", lang))
    opt.update({"grid": {"left": 60, "right": 16, "top": 34, "bottom": 28},
                "xAxis": {"type": "value", "min": 0, "max": v.months},
                "yAxis": {"type": "value", "name": "PVU"}, "series": series})
    return opt


# ------------------------------------------------------------------------------------------ tables
def status_rows(model: VTIModel, lang: str) -> list[tuple[str, str]]:
    v = view(model)
    budget = (t("budget_year", lang), f"{model.budget_year:.1f} M€")
    if not v.n:
        return [(t("month", lang), f"0 / {model.months}"), budget]
    phase = PHASES[int(v.last("phase"))]
    return [
        (t("month", lang), f"{v.n} / {model.months}"),
        (t("phase", lang), f"{t(phase, lang, 'phase')} ({t('cycle', lang)} {int(v.last('cycle'))})"),
        (t("net_value", lang), f"{v.col('pv_net_total').sum():,.0f} PVU".replace(",", " ")),
        (t("trust", lang), f"{v.last('trust'):.2f}"),
        (t("participation", lang), f"{v.last('participation'):.1%}"),
        (t("inclusion_gap", lang), f"{v.last('inclusion_gap'):.4f}"),
        (t("budget_execution", lang), f"{v.last('budget_execution'):.0%}"),
        budget,
    ]


def _table_html(header: list[str] | None, rows: list[list[str]], cls: str = "") -> str:
    head = "" if header is None else "<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (f'<table class="vti-table {cls}" style="border-collapse:collapse;width:100%;font-size:13px">'
            f"{head}{body}</table>")


def mission_rows(model: VTIModel, lang: str) -> list[dict[str, Any]]:
    """Mission dashboard rows (vti_sim.api.mission_table), plus translated labels."""
    from vti_sim.api import mission_table

    rows = mission_table(model).to_dict("records")
    for r in rows:
        r["name"] = t(r["mission"], lang, "mission", default=r["label"])
        r["meteo_label"] = t(r["meteo"], lang, "meteo")
    return rows


def missions_html(model: VTIModel, lang: str) -> str:
    rows = [[r["name"], f"{r['budget_meur']:.1f}", f"{r['means']:.0%}", f"{r['realisation']:.0%}",
             f"{r['delivered']}/{r['actions']}", f"{r['effects']:.0f}", r["meteo_label"]]
            for r in mission_rows(model, lang)]
    header = [t(k, lang) for k in ("mission", "budget", "means", "realisation", "delivered", "effects", "meteo")]
    return _table_html(header, rows, "vti-missions")


# ------------------------------------------------------------------------------------------ live components
def _tick() -> int:
    """Subscribe the calling component to Mesa's step counter (bumped by Step/Play), if this Mesa has one."""
    return _UPDATE_COUNTER.value if _UPDATE_COUNTER is not None else 0


@solara.component
def Chart(name: str, build, model: VTIModel, lang: str, month: int, version: tuple = ()):
    """An ECharts figure; its option goes to the browser as one JSON string (see ``echarts_widget``)."""
    from vti_sim.app.echarts import JsonEcharts, dumps

    option_json = solara.use_memo(lambda: dumps(build(model, lang)), [id(model), model.ledger.n, lang, *version])
    return JsonEcharts.element(option_json=option_json, responsive=True,
                               attributes={**CHART_STYLE, "class": f"vti-chart vti-chart-{name}"})


def _chart(name: str, build, model: VTIModel, lang: str, *version):
    return Chart(name, build, model, lang, model.ledger.n, tuple(version))


def StatusView(model):
    lang = LANG.value
    with solara.Card(t("status_title", lang), classes=["vti-status"]) as main:
        solara.HTML(tag="div", unsafe_innerHTML=_table_html(None, [[a, f"<b>{b}</b>"]
                                                                   for a, b in status_rows(model, lang)]),
                    classes=["vti-status-table"])
        solara.ProgressLinear(value=100.0 * model.ledger.n / max(model.months, 1))
        if not model.ledger.n:
            solara.Info(t("not_started", lang), dense=True)
        elif not model.running:
            solara.Info(t("finished_note", lang), dense=True)
    return main


def TimelineView(model):
    return _chart("timeline", timeline_option, model, LANG.value)


def ValueView(model):
    return _chart("value", value_option, model, LANG.value)


def TimeView(model):
    return _chart("time", time_option, model, LANG.value)


def SocialView(model):
    return _chart("social", social_option, model, LANG.value)


def GridView(model):
    return _chart("grid", grid_option, model, LANG.value)


def MissionsView(model):
    lang = LANG.value
    with solara.Column(classes=["vti-missions-card"]) as main:
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>{t('missions_title', lang)}</b>")
        solara.HTML(tag="div", unsafe_innerHTML=missions_html(model, lang))
    return main


LIVE_VIEWS = (StatusView, TimelineView, ValueView, TimeView, SocialView, GridView, MissionsView)


# ------------------------------------------------------------------------------------------ compare mode
@lru_cache(maxsize=24)
def _compare_run(name: str, seed: int) -> VTIModel:
    """A full run of a scenario at a seed (cached: the same pair is asked for at every render)."""
    params, _, _ = scenario_params(name)
    model = WorkshopModel(params=registry.resolve(params, source=f"scenario {name}"), seed=seed)
    while model.running:
        model.step()
    return model


def compare_models(seed: int | None = None) -> tuple[VTIModel, VTIModel]:
    s = int(SEED.value if seed is None else seed)
    return _compare_run(COMPARE_A.value, s), _compare_run(COMPARE_B.value, s)


def run_summary(model: VTIModel) -> dict[str, Any]:
    """The per-run summary of ``vti_sim.api`` (cached on the model: compare runs are finished runs)."""
    cached = getattr(model, "_app_summary", None)
    if cached is None or cached[0] != model.ledger.n:
        from vti_sim.api import result_of

        cached = (model.ledger.n, result_of(model, model.settings, model.seed).summary)
        model._app_summary = cached
    return cached[1]


def compare_summary(a: VTIModel, b: VTIModel) -> list[tuple[str, Any, Any]]:
    sa, sb = run_summary(a), run_summary(b)
    keys = ("pv_net_total", "pv_created_total", "pv_destroyed_total", "final_trust", "mean_participation",
            "inclusion_gap", "value_per_meur", "budget_execution", "open_start_month", "plateau_month")
    out = [(k, sa.get(k), sb.get(k)) for k in keys]
    out.append(("implementation_month", sa["months_to_phase"].get("implementation"),
                sb["months_to_phase"].get("implementation")))
    return out


def _fmt(key: str, x: Any) -> str:
    if x is None:
        return "—"
    if key in ("final_trust", "inclusion_gap"):
        return f"{x:.3f}"
    if key in ("mean_participation", "budget_execution"):
        return f"{x:.1%}"
    if isinstance(x, int | np.integer):
        return str(int(x))
    return f"{x:,.1f}".replace(",", " ")


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


@solara.component
def CompareColumn(which: str):
    lang = LANG.value
    mine, theirs = (COMPARE_A, COMPARE_B) if which == "a" else (COMPARE_B, COMPARE_A)
    a, b = compare_models()
    m, o = (a, b) if which == "a" else (b, a)
    colour = A_COLOUR if which == "a" else B_COLOUR
    _, desc, found = scenario_params(mine.value)
    with solara.Column(classes=[f"vti-compare-{which}"]) as main:
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>{t('compare_title', lang)} — {t('compare_' + which, lang)}</b>")
        solara.v.Select(label=t("compare_" + which, lang), v_model=mine.value, items=_scenario_items(lang, False),
                        on_v_model=mine.set, dense=True, hide_details=True)
        if desc:
            solara.Text(desc, style={"font-size": "12px", "color": "#555"})
        if not found:
            solara.Warning(t("scenario_missing", lang, name=mine.value), dense=True)
        rows = []
        for key, va, vb in compare_summary(a, b):
            mv, ov = (va, vb) if which == "a" else (vb, va)
            rows.append([t(key, lang), f"<b>{_fmt(key, mv)}</b>", f"<span style='color:#888'>{_fmt(key, ov)}</span>"])
        solara.HTML(tag="div", unsafe_innerHTML=_table_html(
            [t("indicator", lang), t(mine.value, lang, "scenario", default=mine.value),
             t(theirs.value, lang, "scenario", default=theirs.value)], rows, "vti-compare-table"))
        _chart(f"cumulative-{which}", lambda m_, lang_: cumulative_option(m_, o, lang_, colour), m, lang, id(o))
        _chart(f"grid-{which}", lambda m_, lang_: grid_option(m_, lang_, other=o), m, lang, id(o))
        solara.Text(t("compare_note", lang, months=m.months, seed=m.seed), style={"font-size": "11px"})
    return main


@solara.component
def CompareView():
    with solara.ColumnsResponsive(12, large=6) as main:
        CompareColumn("a")
        CompareColumn("b")
    return main


# ------------------------------------------------------------------------------------------ exports
def csv_bytes(model: VTIModel) -> bytes:
    return model.ledger.frame().to_csv(index=False).encode("utf-8")


def missions_csv_bytes(model: VTIModel) -> bytes:
    from vti_sim.api import mission_table

    return mission_table(model).to_csv(index=False).encode("utf-8")


def compare_csv_bytes() -> bytes:
    a, b = compare_models()
    fa, fb = a.ledger.frame(), b.ledger.frame()
    import pandas as pd

    both = pd.concat([fa, fb], ignore_index=True)
    both = pd.concat([pd.Series([COMPARE_A.value] * len(fa) + [COMPARE_B.value] * len(fb), name="setting"), both],
                     axis=1)
    return both.to_csv(index=False).encode("utf-8")


def png_bytes(model: VTIModel, lang: str) -> bytes:
    """The six live charts as one PNG (matplotlib, drawn only when asked for)."""
    from matplotlib.figure import Figure

    v = view(model)
    fig = Figure(figsize=(15, 9), dpi=100)
    axs = fig.subplots(2, 3)
    # timeline
    ax = axs[0, 0]
    pol = model.policy
    for i in range(len(ITEM_KEYS)):
        s, e = int(pol.item_start[i]), int(pol.item_end[i])
        if s >= 0:
            ax.barh(len(ITEM_KEYS) - 1 - i, ((e + 1) if e >= 0 else v.n) - s, left=s,
                    color=PHASE_COLOURS[int(ITEM_PHASE[i])], alpha=1.0 if e >= 0 else 0.55)
    ax.set_yticks(range(len(ITEM_KEYS)),
                  [_short(t(k, lang, "item", default=ITEM_LABELS[i]), 28) for i, k in enumerate(ITEM_KEYS)][::-1],
                  fontsize=6)
    ax.set_xlim(0, model.months)
    ax.axvline(v.n, color="#555", ls="--", lw=0.8)
    ax.set_title(t("timeline_title", lang), fontsize=9)
    # value
    ax = axs[0, 1]
    created = v.d[:, _CREATED].sum(axis=0) if v.n else np.zeros(len(VALUE_TYPES))
    destroyed = v.d[:, _DESTROYED].sum(axis=0) if v.n else np.zeros(len(VALUE_TYPES))
    xs = np.arange(len(VALUE_TYPES))
    ax.bar(xs, created, color="#6aa84f", label=t("created", lang))
    ax.bar(xs, -destroyed, color="#cc4125", label=t("destroyed", lang))
    ax.scatter(xs, created - destroyed, color="#222", zorder=3, label=t("net", lang))
    ax.set_xticks(xs, [t(k, lang, "value") for k in VALUE_TYPES], rotation=25, fontsize=7)
    ax.legend(fontsize=7)
    ax.set_title(t("value_title", lang), fontsize=9)
    # time
    ax = axs[0, 2]
    opt = time_option(model, lang)
    left = np.zeros(len(TIME_ROLES))
    for s in opt["series"]:
        vals = np.array(s["data"])
        ax.barh(range(len(TIME_ROLES)), vals, left=left, color=s["itemStyle"]["color"], label=s["name"])
        left += vals
    ax.set_yticks(range(len(TIME_ROLES)), [t(r, lang, "role") for r in TIME_ROLES], fontsize=7)
    ax.set_xlim(0, 100)
    ax.legend(fontsize=6, loc="lower right")
    ax.set_title(t("time_title", lang), fontsize=9)
    # social
    ax = axs[1, 0]
    ax.plot(v.month, v.col("trust"), label=t("trust", lang))
    ax.plot(v.month, v.col("participation"), label=t("participation", lang))
    ax.set_ylim(0, 1)
    ax.set_xlim(0, model.months)
    ax2 = ax.twinx()
    ax2.plot(v.month, v.col("inclusion_gap"), color="#cc4125", ls="--", label=t("inclusion_gap", lang))
    ax.legend(fontsize=7, loc="upper left")
    ax2.legend(fontsize=7, loc="upper right")
    ax.set_title(t("social_title", lang), fontsize=9)
    # grid
    ax = axs[1, 1]
    ax.plot(v.col("proactivity"), v.col("openness"), color=A_COLOUR, lw=1)
    if v.n:
        ax.scatter([v.last("proactivity")], [v.last("openness")], s=60, color=A_COLOUR, zorder=3)
    ax.axhline(0.5, color="#bbb", lw=0.8)
    ax.axvline(0.5, color="#bbb", lw=0.8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(t("proactivity", lang))
    ax.set_ylabel(t("openness", lang))
    ax.set_title(t("grid_title", lang), fontsize=9)
    # missions
    ax = axs[1, 2]
    rows = mission_rows(model, lang)
    ax.barh(range(len(rows)), [r["realisation"] for r in rows], color="#3d85c6")
    labels = [f"{r['name'][:22]} · {r['meteo_label'].split(' ', 1)[-1]}" for r in rows]
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_title(t("missions_title", lang), fontsize=9)
    fig.suptitle(f"{t('title', lang)} — {t('month', lang)} {v.n}/{model.months}, seed {getattr(model, 'seed', '')}")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


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


def apply_scenario(name: str) -> None:
    params, _, _ = scenario_params(name)
    SCENARIO.value = name
    PARAMS.value = registry.resolve(params, source=f"scenario {name or 'defaults'}")


def set_lever(name: str, value: Any) -> None:
    p = registry.get(name)
    if p.dtype == "float":
        value = min(max(float(value), p.min), p.max)
    PARAMS.value = {**PARAMS.value, name: p.coerce(value, source="workshop")}


@solara.component
def LeverInput(p: registry.Parameter, lang: str, value: Any, on_change):
    label = i18n.lever_label(p, lang)
    with solara.Tooltip(i18n.lever_doc(p, lang)), solara.Div(classes=[f"vti-lever vti-lever-{p.name}"]):
        if p.dtype == "choice":
            items = [_item(t(c, lang, "choice"), c) for c in p.choices]
            solara.v.Select(label=label, v_model=value, items=items, on_v_model=on_change, dense=True)
        else:
            shown = f"{value:d}" if p.dtype == "int" else f"{value:.3g}"
            solara.HTML(tag="div", unsafe_innerHTML=f"{label}: <b class='vti-value'>{shown}</b>",
                        style={"font-size": "13px", "margin-top": "4px"})
            if p.dtype == "int":
                solara.SliderInt("", value=int(value), min=int(p.min), max=int(p.max), step=1, on_value=on_change,
                                 thumb_label=False)
            else:
                solara.SliderFloat("", value=float(value), min=float(p.min), max=float(p.max), step=_nice_step(p),
                                   on_value=on_change, thumb_label=False)


@solara.component
def Settings(model: solara.Reactive):
    lang = LANG.value

    def rebuild():
        model.value = WorkshopModel()

    def on_scenario(name):
        apply_scenario(name or "")
        rebuild()

    def on_seed(value):
        SEED.value = int(value or 0)
        rebuild()

    def on_lever(name):
        def handler(value):
            set_lever(name, value)
            rebuild()
        return handler

    with solara.Card(t("language", lang), classes=["vti-settings"]):
        with solara.Row():
            for code in i18n.LANGS:
                solara.Button(code.upper(), on_click=lambda c=code: LANG.set(c), classes=[f"vti-lang-{code}"],
                              color="primary" if code == lang else None, outlined=code != lang, small=True)
        solara.v.Select(label=t("scenario", lang), v_model=SCENARIO.value, items=_scenario_items(lang, True),
                        on_v_model=on_scenario, dense=True, class_="vti-scenario")
        _, desc, found = scenario_params(SCENARIO.value)
        if desc:
            solara.Text(desc, style={"font-size": "12px", "color": "#555"})
        if not found:
            solara.Warning(t("scenario_missing", lang, name=SCENARIO.value), dense=True)
        solara.InputInt(t("seed", lang), value=SEED.value, on_value=on_seed, classes=["vti-seed"],
                        continuous_update=True)
        solara.Text(t("apply_note", lang), style={"font-size": "11px", "color": "#777"})
    groups: dict[str, list[registry.Parameter]] = {}
    for p in registry.levers():
        groups.setdefault(p.group, []).append(p)
    # One group open at a time: only its sliders are on the page, which keeps every render pass short.
    with solara.Card(t("levers", lang), classes=["vti-levers"]):
        for group, params in groups.items():
            title = t(f"group_{group}", lang, default=t("group_other", lang))
            is_open = OPEN_GROUP.value == group
            solara.Button(("▾ " if is_open else "▸ ") + title, text=True, classes=[f"vti-group-{group}"],
                          on_click=lambda g=group: OPEN_GROUP.set("" if OPEN_GROUP.value == g else g),
                          style={"justify-content": "flex-start", "width": "100%"})
            if is_open:
                for p in params:
                    LeverInput(p, lang, PARAMS.value.get(p.name, p.default), on_lever(p.name))
    with solara.Card(t("export", lang)):
        m = model.value
        with solara.Column():
            solara.FileDownload(lambda: png_bytes(m, lang), filename=f"vti_month{m.ledger.n:03d}_{lang}.png",
                                label=t("export_png", lang), mime_type="image/png")
            solara.FileDownload(lambda: csv_bytes(m), filename=f"vti_timeseries_seed{m.seed}.csv",
                                label=t("export_csv", lang), mime_type="text/csv")
            solara.FileDownload(lambda: missions_csv_bytes(m), filename=f"vti_missions_seed{m.seed}.csv",
                                label=t("export_missions", lang), mime_type="text/csv")
            solara.FileDownload(compare_csv_bytes, filename="vti_compare.csv", label=t("export_compare", lang),
                                mime_type="text/csv")


TAB = solara.reactive(0)


@solara.component
def LiveView(model: VTIModel):
    """All live charts in one component: a step re-renders them in a single pass (one subscription)."""
    _tick()
    with solara.Column(classes=["vti-live"]) as main:
        StatusView(model)
        with solara.ColumnsResponsive(12, large=6):
            for v in LIVE_VIEWS[1:]:
                with solara.Card(margin=0, classes=["vti-card"]):
                    v(model)
    return main


@solara.component
def Dashboard(model: VTIModel):
    lang = LANG.value
    with solara.Column(classes=["vti-dashboard"]) as main:
        with solara.lab.Tabs(value=TAB.value, on_value=TAB.set):
            solara.lab.Tab(t("tab_live", lang), classes=["vti-tab-live"])
            solara.lab.Tab(t("tab_compare", lang), classes=["vti-tab-compare"])
        if TAB.value == 0:
            LiveView(model)
        else:
            CompareView()
    return main


@solara.component
def _SidebarBlock(model: solara.Reactive):
    with solara.Sidebar():
        Settings(model)


@solara.component
def SidebarSettings(model: solara.Reactive):
    # Solara orders sidebar blocks by how deep they are declared: one level below Mesa's, ours come after its
    # play / step / reset controls.
    _SidebarBlock(model)


@solara.component
def Page(model: solara.Reactive | None = None):
    """The app.  ``model`` (a reactive VTIModel) is for tests and benchmarks; the server passes none."""
    from mesa.visualization import SolaraViz

    initial = solara.use_memo(lambda: None if model is not None else WorkshopModel(), [])
    own = solara.use_reactive(initial)
    model = model if model is not None else own
    # Mesa draws the app bar and the play / step / reset controls; the charts are ours (components=[]), laid out
    # below in a responsive grid with translated tabs instead of Mesa's draggable "Page N" grid.
    SolaraViz(model, components=[], play_interval=PLAY_INTERVAL_MS, name=t("title", LANG.value))
    SidebarSettings(model)
    Dashboard(model.value)


page = Page
