"""Figures of one or several runs (matplotlib, Agg backend).

Every function takes ``results``: a RunResult-like object (``.timeseries``,
``.missions``, ``.items``, ``.summary``), or a sequence of *scenarios*, each
either one such object or a sequence of its replicates.  Several scenarios are
overlaid in one colour each; with replicates a line is the median over
replicates and the shaded band spans the 5th-95th percentiles (a 90% band).

``save_all(results, outdir, labels)`` writes every figure as PNG and returns the paths.

This module imports matplotlib, numpy and pandas but not the model: the model's names that the figures draw
(phases, activities, roles, value types) travel with the aggregated data (``figure_data.Vocabulary``), so
figures can be drawn in a helper process that never imports Mesa (see ``figure_workers``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .figure_data import Vocabulary, groups_of

BAND = (0.05, 0.95)
DPI = 110
METEO = {"sunny": ("☀", "#f2b705"), "cloudy": ("☁", "#8c8c8c"), "rainy": ("☂", "#3b75af"),
         "stormy": ("⚡", "#7b2d8b")}
CUM_PREFIXES = ("pv_created_", "pv_destroyed_", "destroyed_")


# Titles sit at the top of their axes.  None of these axes has ticks or labels above it, which is where matplotlib
# would otherwise look, for every title at every draw, for a clear position (one tick layout per axes), and find it.
_RC = {"axes.titley": 1.0}


def _drawing(fn):
    """Draw a figure function's figure with :data:`_RC` in force."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_RC):
            return fn(*args, **kwargs)
    return wrapper


def _colour(i: int) -> str:
    return matplotlib.colormaps["tab10"](i % 10)


def _figure(figsize: tuple[float, float]) -> Figure:
    """A figure outside pyplot (no global state), at the saving resolution, drawn by Agg."""
    fig = Figure(figsize=figsize, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def _margins(fig: Figure, left: float, right: float, bottom: float, top: float, **space) -> None:
    """Place the subplots with margins in inches.

    Fixed margins instead of matplotlib's tight layout, which measures every tick label of every axes once more
    before drawing (a quarter of the drawing time).  They are the tight layout's margins for these figures, with
    room for wider tick labels; what varies with the data (the phase timeline's labels and legend) is measured."""
    w, h = fig.get_size_inches()
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h, **space)


def _text_width(fig: Figure, texts, fontsize: float) -> float:
    """Width in inches of the widest of ``texts`` at ``fontsize``."""
    from matplotlib.font_manager import FontProperties

    renderer, prop = fig.canvas.get_renderer(), FontProperties(size=fontsize)
    return max((renderer.get_text_width_height_descent(t, prop, ismath=False)[0] for t in texts), default=0) / DPI


@dataclass
class Agg:
    """One scenario's replicates reduced to median and band, by month."""

    label: str
    n: int
    month: np.ndarray
    med: pd.DataFrame
    lo: pd.DataFrame
    hi: pd.DataFrame
    missions: pd.DataFrame
    items: pd.DataFrame
    vocab: Vocabulary

    def line(self, ax, col: str, colour, label: str | None = None, ls: str = "-", lw: float = 1.8) -> None:
        ax.plot(self.month, self.med[col], color=colour, ls=ls, lw=lw, label=label)
        if self.n > 1:
            ax.fill_between(self.month, self.lo[col], self.hi[col], color=colour, alpha=0.18, lw=0)


def aggregate(results: Any, labels: Sequence[str] | None = None, vocab: Vocabulary | None = None) -> list[Agg]:
    """Median and 90% band per scenario (already-aggregated input is passed through).

    ``vocab``: the model's names; read from the model when not given."""
    if isinstance(results, list) and results and all(isinstance(a, Agg) for a in results):
        return results
    groups = groups_of(results)
    labels = list(labels) if labels is not None else (
        ["run"] if len(groups) == 1 else [f"run {i + 1}" for i in range(len(groups))])
    vocab = vocab or Vocabulary.of_model()
    return [_agg(g, lab, vocab) for g, lab in zip(groups, labels, strict=True)]


def _agg(reps: list[Any], label: str, vocab: Vocabulary) -> Agg:
    frames = []
    for r in reps:
        ts = r.timeseries
        num = ts.select_dtypes(include=["number", "bool"]).astype(float)
        cum = {f"cum_{c}": num[c].cumsum() for c in num.columns if c.startswith(CUM_PREFIXES)}
        frames.append(pd.concat([num, pd.DataFrame(cum)], axis=1))
    stacked = pd.concat(frames, ignore_index=True)
    by = stacked.groupby("month", sort=True)
    med = by.median()
    lo = by.quantile(BAND[0]) if len(reps) > 1 else med
    hi = by.quantile(BAND[1]) if len(reps) > 1 else med
    return Agg(label, len(reps), med.index.to_numpy(), med, lo, hi, _agg_missions(reps), _agg_items(reps), vocab)


def _agg_missions(reps: list[Any]) -> pd.DataFrame:
    frames = [r.missions for r in reps if getattr(r, "missions", None) is not None and len(r.missions)]
    if not frames:
        return pd.DataFrame()
    df = pd.concat(frames, ignore_index=True)
    order = list(dict.fromkeys(df["mission"]))
    g = df.groupby("mission", sort=False)
    num = g[["actions", "budget_meur", "spent_meur", "means", "realisation", "delivered", "effects"]].median()
    num["label"] = g["label"].first()
    num["meteo"] = g["meteo"].agg(lambda s: s.mode().iloc[0])
    return num.loc[order].reset_index()


def _agg_items(reps: list[Any]) -> pd.DataFrame:
    frames = [r.items for r in reps if getattr(r, "items", None) is not None and len(r.items)]
    if not frames:
        return pd.DataFrame()
    base = frames[0][["item", "label", "phase"]].copy()
    starts = np.array([f["start"].to_numpy(dtype=float) for f in frames])
    ends = np.array([f["end"].to_numpy(dtype=float) for f in frames])
    started = starts >= 0
    finished = ends >= 0
    with np.errstate(all="ignore"):
        base["start"] = _masked_median(starts, started)
        base["end"] = _masked_median(ends, finished)
    base["started"] = started.mean(axis=0) >= 0.5
    base["finished"] = finished.mean(axis=0) >= 0.5
    return base


def _masked_median(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    y = np.where(mask, x, np.nan)
    out = np.full(x.shape[1], np.nan)
    ok = mask.any(axis=0)
    out[ok] = np.nanmedian(y[:, ok], axis=0)
    return out


def _short(text: str, n: int = 48) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip(" ,:") + "…"


def _band_note(aggs: list[Agg]) -> str:
    n = max(a.n for a in aggs)
    return f" — median of {n} replicates, band 5–95%" if n > 1 else ""


def _months_axis(ax, aggs: list[Agg], n_ticks: int = 13) -> None:
    last = max(int(a.month[-1]) for a in aggs) if aggs else 12
    ax.set_xlim(0, max(last, 1))
    step = next((s for s in (1, 3, 6, 12, 24, 36, 48, 60, 120) if last / s <= n_ticks), 240)
    ax.set_xticks(np.arange(0, last + 1, step))
    ax.set_xlabel("month")
    ax.grid(alpha=0.3)


# --- figures ---------------------------------------------------------------------------------------------------


@_drawing
def phase_timeline(results: Any, labels: Sequence[str] | None = None):
    """Gantt of the policy cycle's work items, with the phase reached each month above it."""
    aggs = aggregate(results, labels)
    multi = len(aggs) > 1
    phases, phase_colours = aggs[0].vocab.phases, aggs[0].vocab.phase_colours()
    items = aggs[0].items
    n_items = len(items)
    fig = _figure((14, 3 + 0.38 * n_items))
    ax0, ax1 = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1.2, max(n_items, 1) / 3]})
    for k, a in enumerate(aggs):
        ax0.step(a.month, a.med["phase"] + (k - (len(aggs) - 1) / 2) * 0.06, where="post", color=_colour(k),
                 lw=2, label=a.label)
    ax0.set_yticks(range(len(phases)), [p.capitalize() for p in phases])
    ax0.set_ylim(-0.4, len(phases) - 0.6)
    ax0.set_title("Phase of the policy cycle reached each month" + _band_note(aggs), fontsize=10, loc="left")
    if multi:
        ax0.legend(loc="lower right", fontsize=8, ncol=min(len(aggs), 4))
    ax0.grid(alpha=0.3)

    horizon = max(int(a.month[-1]) for a in aggs) + 1
    h = 0.8 / len(aggs)
    for k, a in enumerate(aggs):
        for i, row in enumerate(a.items.itertuples(index=False)):
            if not row.started or math.isnan(row.start):
                continue
            end = row.end if (row.finished and not math.isnan(row.end)) else horizon
            y = i + (k - (len(aggs) - 1) / 2) * h
            colour = _colour(k) if multi else phase_colours.get(row.phase, "grey")
            ax1.barh(y, max(end - row.start, 0.6), left=row.start, height=h * 0.9, color=colour,
                     alpha=0.9 if row.finished else 0.45, hatch=None if row.finished else "//",
                     edgecolor="black" if not row.finished else colour, lw=0.4)
    item_labels = [f"{_short(lab)}  [{ph}]" for lab, ph in zip(items["label"], items["phase"], strict=True)]
    ax1.set_yticks(range(n_items), item_labels, fontsize=8)
    ax1.invert_yaxis()
    _months_axis(ax1, aggs)
    ax1.set_title("Work items: start to end (hatched = unfinished at the horizon; no bar = never started)",
                  fontsize=10, loc="left")
    handles = ([Patch(color=_colour(k), label=a.label) for k, a in enumerate(aggs)] if multi else
               [Patch(color=phase_colours[p], label=p) for p in phases])
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="//", label="unfinished"))
    legend = ax1.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.005, 1))
    fig.suptitle("Phase timeline", fontweight="bold")
    left = max(_text_width(fig, item_labels, 8), _text_width(fig, [p.capitalize() for p in phases], 10)) + 0.25
    w = fig.get_size_inches()[0]
    right = legend.get_window_extent(fig.canvas.get_renderer()).width / DPI + 0.005 * (w - left) + 0.15
    _margins(fig, left, right, 0.58, 0.66, hspace=0.12)
    return fig


@_drawing
def value_by_type(results: Any, labels: Sequence[str] | None = None):
    """Cumulative public value created (solid) and destroyed (dashed) for the seven types, plus its sources."""
    aggs = aggregate(results, labels)
    fig = _figure((15, 7.5))
    _margins(fig, 0.85, 0.18, 0.96, 0.66, wspace=0.72, hspace=0.31)
    axes = fig.subplots(2, 4)
    flat = axes.ravel()
    sources = aggs[0].vocab.destruction_sources
    for j, t in enumerate(aggs[0].vocab.value_types):
        ax = flat[j]
        for k, a in enumerate(aggs):
            a.line(ax, f"cum_pv_created_{t}", _colour(k), a.label)
            a.line(ax, f"cum_pv_destroyed_{t}", _colour(k), ls="--", lw=1.4)
        ax.set_title(t.replace("_", " ").capitalize(), fontsize=10)
        _months_axis(ax, aggs, n_ticks=6)
        if j % 4 == 0:
            ax.set_ylabel("cumulative value (model units)")
    ax = flat[7]
    width = 0.8 / len(aggs)
    y = np.arange(len(sources))
    for k, a in enumerate(aggs):
        vals = [float(a.med[f"cum_destroyed_{s}"].iloc[-1]) for s in sources]
        ax.barh(y + (k - (len(aggs) - 1) / 2) * width, vals, height=width * 0.9, color=_colour(k))
    ax.set_yticks(y, [s.replace("_", " ") for s in sources], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("destroyed by the horizon (units)")
    ax.set_title("Destruction by source", fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    handles = [Line2D([], [], color=_colour(k), lw=2, label=a.label) for k, a in enumerate(aggs)]
    handles += [Line2D([], [], color="black", lw=1.8, label="created"),
                Line2D([], [], color="black", lw=1.4, ls="--", label="destroyed")]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 7), fontsize=9, frameon=False)
    fig.suptitle("Public value by type (Harrison et al. 2012): created vs destroyed" + _band_note(aggs),
                 fontweight="bold")
    return fig


@_drawing
def time_use(results: Any, labels: Sequence[str] | None = None):
    """Where the time goes: hours by role and activity, unmet demand, and facilitation staff hours."""
    aggs = aggregate(results, labels)
    multi = len(aggs) > 1
    fig = _figure((14, 11))
    _margins(fig, 0.8, 0.2, 0.58, 0.66, wspace=0.14, hspace=0.5)
    gs = fig.add_gridspec(4, 2, height_ratios=[1, 1, 1, 0.8], width_ratios=[1, 1.5])
    activities, colours = aggs[0].vocab.activities, aggs[0].vocab.activity_colours()
    cats = [*activities, "unmet"]
    for r, role in enumerate(aggs[0].vocab.time_roles):
        ax = fig.add_subplot(gs[r, 0])
        width = 0.8 / len(aggs)
        x = np.arange(len(cats))
        for k, a in enumerate(aggs):
            vals = [float(a.med[f"hours_{role}_{act}"].mean()) for act in activities]
            vals.append(float(a.med[f"unmet_{role}"].mean()))
            bars = ax.bar(x + (k - (len(aggs) - 1) / 2) * width, vals, width=width * 0.9,
                          color=_colour(k) if multi else [*(colours[c] for c in activities), "white"],
                          edgecolor="black", lw=0.4, label=a.label)
            bars[-1].set_hatch("xx")
        ax.set_xticks(x, [c.replace("_", " ") for c in cats], fontsize=8, rotation=20)
        ax.set_ylabel("hours/month (all people)")
        ax.set_title(f"{role.capitalize()}: mean monthly hours by activity", fontsize=10, loc="left")
        ax.grid(alpha=0.3, axis="y")
        if multi and r == 0:
            ax.legend(fontsize=8)

        ax = fig.add_subplot(gs[r, 1])
        if not multi:
            a = aggs[0]
            stack = [a.med[f"hours_{role}_{act}"].to_numpy() for act in activities]
            ax.stackplot(a.month, stack, colors=[colours[c] for c in activities],
                         labels=[c.replace("_", " ") for c in activities], alpha=0.85)
            used = np.sum(stack, axis=0)
            ax.plot(a.month, used + a.med[f"unmet_{role}"].to_numpy(), color="black", ls=":", lw=1.5,
                    label="demanded (used + unmet)")
            ax.set_title(f"{role.capitalize()}: hours over time" + _band_note(aggs), fontsize=10, loc="left")
            if r == 0:
                ax.legend(fontsize=8, loc="upper left", ncol=3)
        else:
            for k, a in enumerate(aggs):
                used = a.med[[f"hours_{role}_{act}" for act in activities]].sum(axis=1)
                ax.plot(a.month, used, color=_colour(k), lw=1.8, label=f"{a.label}: used")
                a.line(ax, f"unmet_{role}", _colour(k), f"{a.label}: unmet", ls=":")
            ax.set_title(f"{role.capitalize()}: hours used (solid) and unmet demand (dotted)" + _band_note(aggs),
                         fontsize=10, loc="left")
            if r == 0:
                ax.legend(fontsize=7, ncol=2)
        ax.set_ylabel("hours/month")
        _months_axis(ax, aggs, n_ticks=10)
    ax = fig.add_subplot(gs[3, :])
    for k, a in enumerate(aggs):
        a.line(ax, "hours_facilitation_open_governance", _colour(k), a.label)
    ax.set_title("Facilitation staff hours on open governance" + _band_note(aggs), fontsize=10, loc="left")
    ax.set_ylabel("hours/month")
    _months_axis(ax, aggs)
    if multi:
        ax.legend(fontsize=8)
    fig.suptitle("Where the time goes (elected officials, directors, operational staff)", fontweight="bold")
    return fig


@_drawing
def trust_participation(results: Any, labels: Sequence[str] | None = None):
    """Residents' trust, participation and the inclusion gap over time."""
    aggs = aggregate(results, labels)
    panels = (("trust", "Trust in local institutions", "index 0–1"),
              ("participation", "Participation", "share of residents taking part"),
              ("inclusion_gap", "Inclusion gap", "value to others − value to low-literacy residents"))
    fig = _figure((15, 4.5))
    _margins(fig, 0.95, 0.15, 0.58, 0.66, wspace=0.24)
    axes = fig.subplots(1, 3)
    for ax, (col, title, unit) in zip(axes, panels, strict=True):
        for k, a in enumerate(aggs):
            a.line(ax, col, _colour(k), a.label)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(unit)
        _months_axis(ax, aggs, n_ticks=8)
        lo, hi = ax.get_ylim()
        if hi - lo < 1e-9:  # a flat series (or float noise around it): show it as flat, not as magnified noise
            mid = 0.0 if abs(lo) < 1e-9 else (lo + hi) / 2
            ax.set_ylim(mid - 0.05, mid + 0.05)
    axes[0].legend(fontsize=8)
    fig.suptitle("Trust, participation and inclusion" + _band_note(aggs), fontweight="bold")
    return fig


QUADRANTS = (  # (x, y, text): descriptive labels of the Carassus & Baldé (2020) proactivity x openness grid
    (0.25, 0.25, "weak proactivity,\nweak openness"),
    (0.75, 0.25, "proactive, closed\n(technocentric)"),
    (0.25, 0.75, "open,\nweakly steered"),
    (0.75, 0.75, "proactive and open\n(recommended)"),
)


@_drawing
def governance_grid(results: Any, labels: Sequence[str] | None = None):
    """Trajectory on the proactivity x openness grid; dots every 12 months, ○ start, ■ end."""
    aggs = aggregate(results, labels)
    fig = _figure((7.5, 7))
    _margins(fig, 0.5, 0.15, 0.58, 0.56)
    ax = fig.subplots()
    for x, y, text in QUADRANTS:
        ax.text(x, y, text, ha="center", va="center", fontsize=10, color="0.55", style="italic")
    ax.axhline(0.5, color="0.6", lw=1)
    ax.axvline(0.5, color="0.6", lw=1)
    for k, a in enumerate(aggs):
        px, oy = a.med["proactivity"].to_numpy(), a.med["openness"].to_numpy()
        c = _colour(k)
        ax.plot(px, oy, color=c, lw=1.6, alpha=0.9, label=a.label)
        yearly = np.arange(0, len(px), 12)
        ax.plot(px[yearly], oy[yearly], "o", color=c, ms=4)
        every = max(1, len(yearly) // 6)
        for idx in yearly[every::every]:
            ax.annotate(f"y{idx // 12}", (px[idx], oy[idx]), fontsize=7, color=c, xytext=(3, 3),
                        textcoords="offset points")
        ax.plot(px[0], oy[0], "o", mfc="white", mec=c, ms=9, mew=2)
        ax.plot(px[-1], oy[-1], "s", color=c, ms=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("proactivity (0–1): leaders' engagement, internal steering bodies")
    ax.set_ylabel("openness (0–1): co-construction, information sharing, participation")
    ax.grid(alpha=0.2)
    handles = [Line2D([], [], color=_colour(k), lw=2, label=a.label) for k, a in enumerate(aggs)]
    handles += [Line2D([], [], ls="", marker="o", mfc="white", mec="black", label="start"),
                Line2D([], [], ls="", marker="s", color="black", label="end"),
                Line2D([], [], ls="", marker="o", ms=4, color="black", label="each year (y1, y2 …)")]
    ax.legend(handles=handles, fontsize=8, loc="upper left")
    ax.set_title("Governance trajectory on the proactivity × openness grid\n(Carassus & Baldé 2020)"
                 + _band_note(aggs).replace(", band 5–95%", ""), fontsize=11)
    return fig


@_drawing
def mission_dashboard(results: Any, labels: Sequence[str] | None = None):
    """Per-mission dashboard after the Angers steering tool: means, realisations, effects and météo."""
    aggs = [a for a in aggregate(results, labels) if len(a.missions)]
    if not aggs:
        fig = _figure((6, 2))
        ax = fig.subplots()
        ax.text(0.5, 0.5, "no missions", ha="center")
        ax.axis("off")
        return fig
    sizes = [len(a.missions) for a in aggs]
    fig = _figure((16, 1.3 + 0.5 * sum(sizes) + 0.9 * len(aggs)))
    gs = fig.add_gridspec(len(aggs), 5, height_ratios=sizes, width_ratios=[1.4, 1, 1.2, 1.1, 0.7],
                          hspace=0.55, wspace=0.08)
    for k, a in enumerate(aggs):
        m = a.missions
        y = np.arange(len(m))
        axes = [fig.add_subplot(gs[k, j]) for j in range(5)]
        for ax in axes[1:]:
            ax.sharey(axes[0])
        ax = axes[0]
        ax.barh(y, m["budget_meur"], color="0.8", label="budget")
        ax.barh(y, m["spent_meur"], height=0.45, color=_colour(k), label="spent")
        ax.set_yticks(y, [f"{lab}  ({int(n)} actions)" for lab, n in zip(m["label"], m["actions"], strict=True)],
                      fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("M€", fontsize=8)
        ax.legend(fontsize=7, loc="best")
        ax = axes[1]
        ax.barh(y, 100 * m["means"], color=_colour(k))
        ax.set_xlim(0, 105)
        ax.set_xlabel("% of budget spent", fontsize=8)
        ax = axes[2]
        ax.barh(y, 100 * m["realisation"], color=_colour(k), alpha=0.8)
        for yi, (d, n, rr) in enumerate(zip(m["delivered"], m["actions"], m["realisation"], strict=True)):
            ax.text(min(100 * rr, 100) + 2, yi, f"{int(d)}/{int(n)} delivered", va="center", fontsize=7)
        ax.set_xlim(0, 140)
        ax.set_xlabel("% mean progress of actions", fontsize=8)
        ax = axes[3]
        ax.barh(y, m["effects"], color=_colour(k), alpha=0.7)
        ax.set_xlabel("value created (model units)", fontsize=8)
        ax = axes[4]
        for yi, w in enumerate(m["meteo"]):
            sym, col = METEO.get(w, ("?", "black"))
            ax.text(0.25, yi, sym, ha="center", va="center", fontsize=17, color=col)
            ax.text(0.5, yi, w, ha="left", va="center", fontsize=9)
        ax.set_xlim(0, 1.2)
        ax.set_xticks([])
        ax.tick_params(left=False)
        for spine in ax.spines.values():
            spine.set_visible(False)
        for ax in axes[1:]:
            ax.tick_params(labelleft=False, labelsize=7)
            ax.grid(alpha=0.3, axis="x")
        axes[0].tick_params(axis="x", labelsize=7)
        titles = ("Moyens – budget & spent", "Moyens – execution", "Réalisations", "Effets – value created",
                  "Météo")
        for ax, t in zip(axes, titles, strict=True):
            ax.set_title(t, fontsize=9)
        axes[0].annotate(a.label + (f"  (median of {a.n} replicates)" if a.n > 1 else ""), (0, 1),
                         xycoords="axes fraction", xytext=(-150, 22), textcoords="offset points",
                         fontsize=10, fontweight="bold", color=_colour(k))
    fig.suptitle("Mission dashboard (after the Angers steering tool): means, realisations, effects, météo",
                 fontweight="bold")
    fig.subplots_adjust(left=0.2, right=0.98, top=1 - 0.9 / fig.get_figheight(), bottom=0.5 / fig.get_figheight())
    return fig


FIGURES = {"phase_timeline": phase_timeline, "value_by_type": value_by_type, "time_use": time_use,
           "trust_participation": trust_participation, "governance_grid": governance_grid,
           "mission_dashboard": mission_dashboard}


def save_figure(name: str, aggs: list[Agg], outdir: str | Path) -> Path:
    """Draw one figure of :data:`FIGURES` from aggregated data and write it to ``outdir/<name>.png``."""
    path = Path(outdir) / f"{name}.png"
    # zlib's fastest level: a third less encoding time than the default for files about 8% larger
    FIGURES[name](aggs).savefig(path, dpi=DPI, pil_kwargs={"compress_level": 1})
    return path


def save_all(results: Any, outdir: str | Path, labels: Sequence[str] | None = None) -> list[Path]:
    """Write every figure to ``outdir/<name>.png``; return the paths."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    aggs = aggregate(results, labels)  # once for all figures
    return [save_figure(name, aggs, outdir) for name in FIGURES]


__all__ = ["FIGURES", "Vocabulary", "aggregate", "governance_grid", "mission_dashboard", "phase_timeline",
           "save_all", "save_figure", "time_use", "trust_participation", "value_by_type"]
