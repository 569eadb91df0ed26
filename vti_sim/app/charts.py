"""ECharts options for the workshop's charts, built from a ``Frame`` (plain lists, no pandas, no matplotlib).

Every option carries ``vtiLocale``: the browser side (``echarts.py``) formats axis labels and tooltips with the
locale's decimal and thousands separators.  Layouts use ``containLabel`` so that no axis label is cut, and keep
the top-right corner free for the chart's own PNG button.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from vti_sim.app.frame import Frame
from vti_sim.app.i18n import pct, t
from vti_sim.model.ledger import INDEX, TIME_ROLES, slice_of
from vti_sim.model.phases import ITEM_KEYS, ITEM_LABELS, ITEM_PHASE, PHASES
from vti_sim.model.time_budget import ACTIVITIES
from vti_sim.model.value import VALUE_TYPES

PHASE_COLOURS = ("#8e7cc3", "#3d85c6", "#6aa84f", "#e69138")
ACTIVITY_COLOURS = ("#3d85c6", "#6aa84f", "#e69138", "#8e7cc3", "#45818e")
UNMET_COLOUR = "#c9c9c9"
A_COLOUR, B_COLOUR = "#3d85c6", "#cc0000"
PREDICTION_COLOUR = "#e69138"
CREATED = slice_of("pv_created_", VALUE_TYPES)
DESTROYED = slice_of("pv_destroyed_", VALUE_TYPES)


def _rl(a: np.ndarray, nd: int = 3) -> list[float]:
    return (np.round(np.asarray(a, dtype=float), nd) + 0.0).tolist()  # + 0.0: no -0.0 (nothing destroyed)


def base(title: str, lang: str, font: int = 13) -> dict[str, Any]:
    return {"animation": False, "vtiLocale": lang,
            "title": {"text": title, "textStyle": {"fontSize": font}, "left": 4, "top": 2, "right": 40},
            "tooltip": {"trigger": "axis"},
            "toolbox": {"right": 6, "top": 0, "feature": {"saveAsImage": {"title": "PNG"}}}}


def short(text: str, n: int = 40) -> str:
    head = text.split(":")[0].strip()
    return head if len(head) <= n else head[: n - 1] + "…"


def item_label(i: int, lang: str) -> str:
    return t(ITEM_KEYS[i], lang, "item", default=ITEM_LABELS[i])


def timeline_option(f: Frame, lang: str) -> dict[str, Any]:
    """Work-item Gantt: a transparent bar up to each item's start, then a bar for the months it has run."""
    now = f.n
    names, offset, data = [], [], []
    for i in range(len(ITEM_KEYS)):
        start, end = int(f.item_start[i]), int(f.item_end[i])
        started = start >= 0
        stop = (end + 1) if end >= 0 else now
        length = max(stop - start, 0) if started else 0
        names.append(short(item_label(i, lang)))
        offset.append(start if started else 0)
        data.append({"value": length, "itemStyle": {"color": PHASE_COLOURS[int(ITEM_PHASE[i])],
                                                    "opacity": 1.0 if end >= 0 else 0.55},
                     "label": {"show": started, "position": "right", "fontSize": 10,
                               "formatter": pct(f.item_progress[i], lang)}})
    names, offset, data = names[::-1], offset[::-1], data[::-1]
    opt = base(f"{t('timeline_title', lang)} · {t(PHASES[f.phase], lang, 'phase')}", lang)
    opt.update({
        "grid": {"left": 14, "right": 44, "top": 42, "bottom": 30, "containLabel": True},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "value", "min": 0, "max": f.months, "name": t("months_axis", lang),
                  "nameLocation": "middle", "nameGap": 22},
        "yAxis": {"type": "category", "data": names, "axisLabel": {"fontSize": 10, "width": 210,
                                                                    "overflow": "truncate"}},
        "series": [
            {"type": "bar", "stack": "g", "data": offset, "itemStyle": {"color": "transparent"},
             "tooltip": {"show": False}, "silent": True},
            {"type": "bar", "stack": "g", "data": data, "barWidth": 9, "name": t("months_axis", lang),
             "markLine": {"silent": True, "symbol": "none", "lineStyle": {"color": "#555", "type": "dashed"},
                          "data": [{"xAxis": now}] if now else [],
                          "label": {"formatter": t("now", lang), "position": "end", "fontSize": 10}}},  # above the bars
        ],
    })
    return opt


def value_option(f: Frame, lang: str) -> dict[str, Any]:
    """Cumulative public value by type: created up, destroyed down, net as a marker."""
    # to 0.1 UVP, as the tooltip writes them, and the net from those: "créée 0,4, détruite 0, nette 0,3" (each
    # rounded on its own) made a room ask where the 0,1 went
    created = np.round(f.d[:, CREATED].sum(axis=0), 1) if f.n else np.zeros(len(VALUE_TYPES))
    destroyed = np.round(f.d[:, DESTROYED].sum(axis=0), 1) if f.n else np.zeros(len(VALUE_TYPES))
    cats = [t(k, lang, "value") for k in VALUE_TYPES]
    opt = base(t("value_title", lang), lang)
    opt.update({
        "grid": {"left": 8, "right": 16, "top": 56, "bottom": 8, "containLabel": True},
        "legend": {"top": 24, "data": [t("created", lang), t("destroyed", lang), t("net", lang)]},
        "xAxis": {"type": "category", "data": cats, "axisLabel": {"interval": 0, "fontSize": 10, "rotate": 20}},
        "yAxis": {"type": "value", "name": t("pvu", lang)},
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


def time_shares(f: Frame) -> tuple[list[str], list[np.ndarray]]:
    """Hours by activity and unmet demand over the last 12 months, in % of the hours asked, per role."""
    last = f.d[-12:] if f.n else np.zeros((1, len(INDEX)))
    demand = np.maximum(np.array([last[:, INDEX[f"demand_{r}"]].sum() for r in TIME_ROLES]), 1e-9)
    keys, shares = [], []
    for a in ACTIVITIES:
        keys.append(a)
        shares.append(100 * np.array([last[:, INDEX[f"hours_{r}_{a}"]].sum() for r in TIME_ROLES]) / demand)
    keys.append("unmet")
    shares.append(100 * np.array([last[:, INDEX[f"unmet_{r}"]].sum() for r in TIME_ROLES]) / demand)
    return keys, shares


def time_option(f: Frame, lang: str) -> dict[str, Any]:
    """Hours by role and activity over the last 12 months, as % of the hours asked; the rest is unmet."""
    keys, shares = time_shares(f)
    series = []
    for k, (key, share) in enumerate(zip(keys, shares, strict=True)):
        if key == "unmet":
            series.append({"type": "bar", "stack": "t", "name": t("unmet", lang), "data": _rl(share, 1),
                           "itemStyle": {"color": UNMET_COLOUR, "borderColor": "#cc0000", "borderWidth": 1}})
        else:
            series.append({"type": "bar", "stack": "t", "name": t(key, lang, "activity"), "data": _rl(share, 1),
                           "itemStyle": {"color": ACTIVITY_COLOURS[k]}})
    opt = base(t("time_title", lang), lang)
    opt.update({
        "grid": {"left": 8, "right": 24, "top": 70, "bottom": 8, "containLabel": True},
        "legend": {"top": 24, "left": 4, "right": 4, "itemWidth": 12, "textStyle": {"fontSize": 10}},
        "xAxis": {"type": "value", "min": 0, "max": 100, "vtiSuffix": "%"},
        "yAxis": {"type": "category", "data": [t(r, lang, "role") for r in TIME_ROLES]},
        "series": series,
    })
    return opt


def share_axis_max(f: Frame, column: str) -> float:
    """Top of a right-hand axis of the social chart, so that the series (in % or points) fills it."""
    if not f.n:
        return 10.0
    top = 100 * float(f.col(column).max())
    return float(max(np.ceil(top * 1.15), 1.0))


def social_option(f: Frame, lang: str) -> dict[str, Any]:
    """Trust (left axis, 0-1); participation in % and the inclusion gap in points, each on a right-hand axis of
    its own scaled to it (a few per cent would be a flat line on a 0-1 axis, or beside the other)."""
    m = f.month.tolist()
    opt = base(t("social_title", lang), lang)
    opt.update({
        "grid": {"left": 8, "right": 56, "top": 78, "bottom": 30, "containLabel": True},
        "legend": {"top": 24, "left": 4, "right": 4},
        "xAxis": {"type": "value", "min": 0, "max": f.months, "name": t("months_axis", lang),
                  "nameLocation": "middle", "nameGap": 22},
        "yAxis": [{"type": "value", "min": 0, "max": 1, "name": t("trust", lang)},
                  {"type": "value", "min": 0, "max": share_axis_max(f, "participation"), "name": "%",
                   "splitLine": {"show": False}, "axisLine": {"show": True, "lineStyle": {"color": "#6aa84f"}}},
                  {"type": "value", "min": 0, "max": share_axis_max(f, "inclusion_gap"), "name": "pts",
                   "position": "right", "offset": 48, "splitLine": {"show": False},
                   "axisLine": {"show": True, "lineStyle": {"color": "#cc4125"}}}],
        "series": [
            {"type": "line", "name": t("trust", lang), "showSymbol": False,
             "data": list(zip(m, _rl(f.col("trust")), strict=True)), "itemStyle": {"color": "#3d85c6"}},
            {"type": "line", "name": t("participation", lang) + " (%)", "showSymbol": False, "yAxisIndex": 1,
             "data": list(zip(m, _rl(100 * f.col("participation"), 2), strict=True)),
             "itemStyle": {"color": "#6aa84f"}},
            {"type": "line", "name": t("inclusion_gap", lang) + " (pts)", "showSymbol": False, "yAxisIndex": 2,
             "data": list(zip(m, _rl(100 * f.col("inclusion_gap"), 3), strict=True)),
             "itemStyle": {"color": "#cc4125"}, "lineStyle": {"type": "dashed"}},
        ],
    })
    return opt


def trajectory(f: Frame) -> list[list[float]]:
    return np.round(np.column_stack([f.col("proactivity"), f.col("openness")]), 3).tolist()


def grid_option(f: Frame, lang: str, other: Frame | None = None, colour: str = A_COLOUR) -> dict[str, Any]:
    """Trajectory on the proactivity × openness grid, the current month as a large dot."""
    pts = trajectory(f)
    quadrants = [(0.25, 0.06, "q_reactive_closed"), (0.75, 0.06, "q_proactive_closed"),
                 (0.25, 0.94, "q_reactive_open"), (0.75, 0.94, "q_proactive_open")]
    series = [
        {"type": "scatter", "silent": True, "symbolSize": 0, "tooltip": {"show": False},
         "data": [{"value": [x, y], "name": t(k, lang)} for x, y, k in quadrants],
         "label": {"show": True, "color": "#999", "fontSize": 10, "formatter": "{b}"},
         "markLine": {"silent": True, "symbol": "none", "lineStyle": {"color": "#bbb"},
                      "data": [{"xAxis": 0.5}, {"yAxis": 0.5}], "label": {"show": False}}},
        {"type": "line", "name": t("month", lang), "data": pts, "showSymbol": False,
         "lineStyle": {"color": colour, "width": 1.5, "opacity": 0.7}, "itemStyle": {"color": colour}},
        {"type": "scatter", "data": pts[-1:], "symbolSize": 14, "itemStyle": {"color": colour}},
    ]
    if other is not None:
        series.append({"type": "line", "data": trajectory(other), "showSymbol": False,
                       "lineStyle": {"color": "#999", "type": "dashed", "width": 1}, "silent": True})
    opt = base(t("grid_title", lang), lang)
    opt.update({
        "grid": {"left": 30, "right": 20, "top": 36, "bottom": 34, "containLabel": True},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "value", "min": 0, "max": 1, "name": t("proactivity", lang), "nameLocation": "middle",
                  "nameGap": 24},
        "yAxis": {"type": "value", "min": 0, "max": 1, "name": t("openness", lang), "nameLocation": "middle",
                  "nameGap": 30},
        "series": series,
    })
    return opt


def cumulative_option(f: Frame, other: Frame | None, lang: str, colour: str,
                      prediction: float | None = None) -> dict[str, Any]:
    """Cumulative net public value month by month (the other setting dashed; a prediction as a line)."""
    series = [{"type": "line", "name": t("net_value", lang), "showSymbol": False, "itemStyle": {"color": colour},
               "data": list(zip(f.month.tolist(), _rl(np.cumsum(f.col("pv_net_total")), 1), strict=True))}]
    if other is not None:
        series.append({"type": "line", "showSymbol": False, "silent": True,
                       "lineStyle": {"color": "#999", "type": "dashed"}, "itemStyle": {"color": "#999"},
                       "data": list(zip(other.month.tolist(), _rl(np.cumsum(other.col("pv_net_total")), 1),
                                        strict=True))})
    if prediction is not None:
        series[0]["markLine"] = {"silent": True, "symbol": "none",
                                 "lineStyle": {"color": PREDICTION_COLOUR, "type": "dashed", "width": 2},
                                 "data": [{"yAxis": float(prediction)}],
                                 "label": {"formatter": t("prediction", lang), "position": "insideStartTop"}}
        # an unseen point at the prediction, so that the value axis reaches it (a mark line does not extend it)
        series.append({"type": "line", "data": [[0, float(prediction)]], "symbol": "none", "silent": True,
                       "lineStyle": {"opacity": 0}, "tooltip": {"show": False}})
    opt = base(t("cum_value_title", lang), lang)
    # top 52: the y axis's unit ("UVP"), drawn above the plot, stays below the title
    opt.update({"grid": {"left": 8, "right": 16, "top": 52, "bottom": 30, "containLabel": True},
                "xAxis": {"type": "value", "min": 0, "max": f.months, "name": t("months_axis", lang),
                          "nameLocation": "middle", "nameGap": 22},
                "yAxis": {"type": "value", "name": t("pvu", lang)}, "series": series})
    return opt


LIVE_CHARTS = {"timeline": timeline_option, "value": value_option, "time": time_option, "social": social_option,
               "grid": grid_option}
