"""The workshop's downloads: the live charts as one PNG for slides, and CSVs that the locale's spreadsheet opens.

French CSVs use ``;`` between columns and decimal commas (what French Excel expects) and start with a UTF-8 BOM so
that accents survive; the missions CSV has translated headers and labels.  The PNG is drawn with matplotlib from a
``Frame`` (nothing on the live path), 1920 px wide or more, with fixed margins sized for the longest labels so that
nothing is cut.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pandas as pd

from vti_sim.app import charts
from vti_sim.app.frame import Frame
from vti_sim.app.i18n import csv_format, num, pct, t
from vti_sim.model.ledger import TIME_ROLES
from vti_sim.model.phases import ITEM_KEYS, ITEM_PHASE
from vti_sim.model.value import VALUE_TYPES

logger = logging.getLogger("vti_sim.app")

PNG_SIZE = (19.2, 10.8)  # inches at PNG_DPI: 1920 x 1080 px, a 16:9 slide
PNG_DPI = 100
# Titles sit at the top of their axes (no ticks or labels above any of them): matplotlib's search for a clear place,
# at every draw, would find the same place (as in ``vti_sim.figures``).
_RC = {"axes.titley": 1.0}
_DRAWING = threading.Lock()  # matplotlib's text cache is not thread-safe: two tabs export one after the other


def warm_up() -> None:
    """Import matplotlib's figure and Agg canvas and draw a tiny figure (0.4 s), so that the trainer's first PNG
    does not pay for it while the room waits (the drawing itself is as fast the first time)."""
    from matplotlib.figure import Figure

    with _DRAWING:  # (in the server, a click may draw meanwhile)
        fig = Figure(figsize=(1, 1), dpi=20)
        ax = fig.subplots()
        ax.plot([0, 1])
        ax.set_title("é")
        fig.savefig(io.BytesIO(), format="png")


def _csv(df: pd.DataFrame, lang: str) -> bytes:
    return df.to_csv(index=False, **csv_format(lang)).encode("utf-8-sig" if lang == "fr" else "utf-8")


def png_name(f: Frame, lang: str) -> str:
    return f"vti_month{f.n:03d}_{lang}.png"


def timeseries_csv(f: Frame, lang: str) -> bytes:
    """The monthly ledger up to the frame's month (model identifiers as column names, for re-use in code)."""
    return _csv(f.timeseries(), lang)


def missions_frame(f: Frame, lang: str) -> pd.DataFrame:
    cols = {"mission": t("mission", lang), "actions": t("actions", lang), "budget_meur": t("budget", lang),
            "spent_meur": t("spent", lang), "means": t("means", lang), "delivered": t("delivered", lang),
            "realisation": t("realisation", lang), "progress": t("progress", lang), "effects": t("effects", lang),
            "meteo": t("meteo", lang)}
    rows = []
    for r in f.missions:
        row = {k: r[k] for k in cols}
        row["mission"] = t(r["mission"], lang, "mission", default=r["label"])
        row["meteo"] = t(r["meteo"], lang, "meteo").split(" ", 1)[-1]
        rows.append(row)
    return pd.DataFrame(rows, columns=list(cols)).rename(columns=cols)


def missions_csv(f: Frame, lang: str) -> bytes:
    return _csv(missions_frame(f, lang), lang)


def compare_csv(frames: dict[str, Frame], lang: str) -> bytes:
    parts = []
    for name, fr in frames.items():
        ts = fr.timeseries().reset_index(drop=True)
        parts.append(pd.concat([pd.DataFrame({"setting": [name] * len(ts)}), ts], axis=1))
    return _csv(pd.concat(parts, ignore_index=True), lang)


def png_bytes(f: Frame, lang: str) -> bytes:
    """The six live charts as one 16:9 PNG, titled with the month and the seed."""
    import matplotlib

    with _DRAWING, matplotlib.rc_context(_RC):
        return _png(f, lang)


def _worker_init(parent: int) -> None:
    """The PNG worker: lowest priority (it draws with the CPU the browser and the server leave: Linux's SCHED_IDLE,
    elsewhere nice 19), gone with the server however that ends (a killed server leaves no orphan, held or not),
    matplotlib imported before the first click."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        with contextlib.suppress(AttributeError, OSError):
            os.nice(19)

    def watch() -> None:
        import time

        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="vti-png-parent-watch", daemon=True).start()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which stops this process quietly
    # A process group of its own: if the server is killed while this process is held (``hold_png_worker``, when the
    # thread above cannot run), the group left without its parent is orphaned, and the kernel sends it SIGHUP and
    # SIGCONT, which end it.
    with contextlib.suppress(AttributeError, OSError):
        os.setpgid(0, 0)
    warm_up()


_worker: ProcessPoolExecutor | None = None
_worker_lock = threading.Lock()


def start_png_worker() -> ProcessPoolExecutor:
    """The process that draws slide PNGs (started once; ``spawn``, as on every platform).

    Drawing one takes about half a second of CPU, which in the server's own process would hold the interpreter
    lock: a slider moved just after a run ends, while its PNG is drawn ahead, waited for it (150-215 ms instead
    of 60-90 ms, ``benchmarks/bench_app.py``)."""
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                          initializer=_worker_init, initargs=(os.getpid(),))
            _worker.submit(int)  # starts the process now, in the background
        return _worker


def stop_png_worker() -> None:
    """Stop the PNG worker (a new one starts on the next ``draw_png``)."""
    global _worker
    release_png_worker()
    with _worker_lock:
        pool, _worker = _worker, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def draw_png(f: Frame, lang: str, ahead: bool = False) -> bytes:
    """``png_bytes`` in the PNG worker; drawn here if that process has died (and a new one is started next time).

    ``ahead``: drawn before any click (``PngCache``), so the page's activity may hold it (``hold_png_worker``)."""
    global _worker, _ahead
    pool = start_png_worker()
    with _worker_lock:
        busy = _ahead > 0
        _ahead += ahead
    if not ahead:
        if busy:  # a click while the worker draws another month ahead: not behind it
            return png_bytes(f, lang)
        release_png_worker()  # held just as its drawing ended: the click needs it now
    try:
        return pool.submit(png_bytes, dataclasses.replace(f, ledger=None), lang).result()
    except BrokenProcessPool:
        logger.warning("the PNG worker process stopped: drawing in the server")
        with _worker_lock:
            if _worker is pool:
                _worker = None
        return png_bytes(f, lang)
    finally:
        with _worker_lock:
            _ahead -= ahead


# A PNG drawn ahead takes half a second of the worker's CPU, and its low priority does not keep it from slowing the
# page: a lever moved while it drew waited for the CPU (benchmarks/README.md, "the PNG drawn ahead held").  While the
# page is busy (a new month, a lever moved), that drawing is held (SIGSTOP); it goes on once the page has been quiet
# for HOLD_S.  One drawing ahead at a time; a click never waits behind one of another month (``draw_png``).
HOLD_S = 1.0
_ahead = 0  # drawings ahead submitted to the worker and not finished
_held: tuple[int, ...] = ()  # the worker processes held
_release: threading.Timer | None = None


def hold_png_worker() -> None:
    """Hold the drawing ahead under way until ``HOLD_S`` after the last call (nothing to do where none is, or where
    the system has no SIGSTOP)."""
    global _held, _release
    stop = getattr(signal, "SIGSTOP", None)
    with _worker_lock:
        if not _ahead or _worker is None or stop is None:
            return
        if _release is not None:
            _release.cancel()
        if not _held:
            _held = tuple(getattr(_worker, "_processes", None) or ())
            for pid in _held:
                with contextlib.suppress(OSError):
                    os.kill(pid, stop)
        _release = threading.Timer(HOLD_S, release_png_worker)
        _release.daemon = True
        _release.start()


def drawing_ahead() -> bool:
    """A drawing ahead is under way in the worker (held or not)."""
    return _ahead > 0


def release_png_worker() -> None:
    """Let a held drawing go on."""
    global _held, _release
    with _worker_lock:
        held, _held = _held, ()
        if _release is not None:
            _release.cancel()
            _release = None
    for pid in held:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGCONT)


def _of(key: tuple[Frame, str] | None, f: Frame, lang: str) -> bool:
    """``key`` is frame ``f`` (that very object: a new month or a rebuild is a new frame) in ``lang``."""
    return key is not None and key[0] is f and key[1] == lang


class PngCache:
    """One page's slide PNG, drawn ahead when the page rests on a month.

    Once the run is paused (or stepped, or at the horizon) for ``IDLE_S``, ``prepare`` draws the PNG of the month on
    screen in the PNG worker process (``draw_png``, from a background thread), so that the trainer's click gets it
    at once; a click during that drawing waits for it rather than drawing twice.  The key is the frame object itself
    (a new month or a rebuild is a new frame) and the language."""

    IDLE_S = 0.5

    def __init__(self):
        self._lock = threading.Lock()
        self._key: tuple[Frame, str] | None = None
        self._data: bytes | None = None
        self._ready = threading.Event()
        self._ready.set()
        self._timer: threading.Timer | None = None
        self._want: tuple[Frame, str] | None = None  # the month the page rests on, to draw ahead
        self._drawing_ahead = False

    def get(self, f: Frame, lang: str, ahead: bool = False) -> bytes:
        with self._lock:
            mine = _of(self._key, f, lang)
            ready = self._ready
        if mine:
            if not ahead:
                release_png_worker()  # a click: a drawing of this month held meanwhile goes on at once
            ready.wait()
            with self._lock:
                if _of(self._key, f, lang) and self._data is not None:
                    return self._data
        return self._draw(f, lang, ahead)

    def _draw(self, f: Frame, lang: str, ahead: bool = False) -> bytes:
        ready = threading.Event()
        with self._lock:
            self._key, self._data, self._ready = (f, lang), None, ready
        try:
            data = draw_png(f, lang, ahead)
            with self._lock:
                if self._ready is ready:
                    self._data = data
            return data
        finally:
            ready.set()

    def prepare(self, f: Frame, lang: str) -> None:
        """Draw ``f``'s PNG after ``IDLE_S`` unless ``cancel`` (a new month) comes first."""
        self._cancel_timer()
        with self._lock:
            if _of(self._key, f, lang):
                return  # drawn, or being drawn (the last month published once more)
        self.cancel()
        if f.n == 0:
            return  # month 0: a fresh run, nothing to show yet
        self._want = (f, lang)
        self._arm(f, lang)

    def _arm(self, f: Frame, lang: str) -> None:
        timer = threading.Timer(self.IDLE_S, self._ahead, args=(f, lang))
        timer.daemon = True
        self._timer = timer
        timer.start()

    def cancel(self) -> None:
        """Another month is on screen: nothing is drawn ahead of the one before, and a drawing of it under way waits
        (``hold_png_worker``)."""
        self._want = None
        self._cancel_timer()
        if self._drawing_ahead:
            hold_png_worker()

    def _cancel_timer(self) -> None:
        timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()

    def _ahead(self, f: Frame, lang: str) -> None:
        if not _of(self._want, f, lang):
            return  # another month came meanwhile
        if drawing_ahead():  # the worker still draws a month left before (held while the page was busy): later
            self._arm(f, lang)
            return
        self._drawing_ahead = True
        try:
            self.get(f, lang, ahead=True)
        except Exception as e:  # pragma: no cover - the click then draws it, and shows any error
            logger.warning("PNG drawn ahead failed: %r", e)
        finally:
            self._drawing_ahead = False


def _png(f: Frame, lang: str) -> bytes:
    buf = io.BytesIO()
    slide_figure(f, lang).savefig(buf, format="png", pil_kwargs={"compress_level": 1})  # fast: the room waits
    return buf.getvalue()


def slide_figure(f: Frame, lang: str):
    """The slide's matplotlib figure (the PNG export draws it)."""
    from matplotlib.colors import to_rgba
    from matplotlib.figure import Figure

    fig = Figure(figsize=PNG_SIZE, dpi=PNG_DPI)
    # fixed margins, sized for the longest labels (work items, missions): a solver (constrained layout) costs
    # more than the drawing itself
    axs = fig.subplots(2, 3, gridspec_kw={"left": 0.155, "right": 0.965, "top": 0.86, "bottom": 0.075,
                                          "wspace": 0.62, "hspace": 0.62})
    fs = 11
    # timeline
    ax = axs[0, 0]
    k = len(ITEM_KEYS)
    started = [i for i in range(k) if f.item_start[i] >= 0]
    if started:  # one call for all the bars (an unfinished item's bar is lighter)
        s, e = f.item_start[started].astype(int), f.item_end[started].astype(int)
        ax.barh([k - 1 - i for i in started], np.where(e >= 0, e + 1, f.n) - s, left=s,
                color=[to_rgba(charts.PHASE_COLOURS[int(ITEM_PHASE[i])], 1.0 if f.item_end[i] >= 0 else 0.55)
                       for i in started])
    ax.set_yticks(range(k), [charts.short(charts.item_label(i, lang), 30) for i in range(k)][::-1], fontsize=8.5)
    ax.set_xlim(0, f.months)
    ax.axvline(f.n, color="#555", ls="--", lw=0.8)
    ax.set_xlabel(t("months_axis", lang), fontsize=fs)
    ax.set_title(t("timeline_title", lang), fontsize=fs + 1, wrap=True)
    # value
    ax = axs[0, 1]
    created = f.d[:, charts.CREATED].sum(axis=0) if f.n else np.zeros(len(VALUE_TYPES))
    destroyed = f.d[:, charts.DESTROYED].sum(axis=0) if f.n else np.zeros(len(VALUE_TYPES))
    xs = np.arange(len(VALUE_TYPES))
    ax.bar(xs, created, color="#6aa84f", label=t("created", lang))
    ax.bar(xs, -destroyed, color="#cc4125", label=t("destroyed", lang))
    ax.scatter(xs, created - destroyed, color="#222", zorder=3, label=t("net", lang))
    ax.set_xticks(xs, [t(v, lang, "value") for v in VALUE_TYPES], rotation=20, fontsize=9, ha="right")
    ax.set_ylabel(t("pvu", lang), fontsize=fs)
    if not np.any(created) and not np.any(destroyed):  # nothing yet: a readable scale, not five ticks "0,0"
        ax.set_ylim(-1, 1)
    ax.legend(fontsize=9, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False)
    ax.set_title(_wrap(t("value_title", lang)), fontsize=fs + 1, pad=26)
    # time
    ax = axs[0, 2]
    keys, shares = charts.time_shares(f)
    left = np.zeros(len(TIME_ROLES))
    for j, (key, share) in enumerate(zip(keys, shares, strict=True)):
        colour = charts.UNMET_COLOUR if key == "unmet" else charts.ACTIVITY_COLOURS[j]
        label = t("unmet", lang) if key == "unmet" else t(key, lang, "activity")
        ax.barh(range(len(TIME_ROLES)), share, left=left, color=colour, label=label)
        left += share
    ax.set_yticks(range(len(TIME_ROLES)), [t(r, lang, "role") for r in TIME_ROLES], fontsize=9)
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(lambda v, _: pct(v / 100, lang))
    ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False)
    ax.set_title(_wrap(t("time_title", lang)), fontsize=fs + 1, pad=40)
    # social
    ax = axs[1, 0]
    ax.plot(f.month, f.col("trust"), color="#3d85c6", label=t("trust", lang))
    ax.set_ylim(0, 1)
    ax.set_xlim(0, f.months)
    ax.set_xlabel(t("months_axis", lang), fontsize=fs)
    ax.set_ylabel(t("trust", lang), fontsize=fs)
    ax2 = ax.twinx()  # participation (%) and the inclusion gap (points), each on a right-hand axis of its own
    ax2.plot(f.month, 100 * f.col("participation"), color="#6aa84f", label=t("participation", lang) + " (%)")
    ax2.set_ylabel("%", fontsize=fs, color="#6aa84f")
    ax2.set_ylim(0, charts.share_axis_max(f, "participation"))
    ax3 = ax.twinx()
    ax3.spines["right"].set_position(("outward", 44))
    ax3.plot(f.month, 100 * f.col("inclusion_gap"), color="#cc4125", ls="--",
             label=t("inclusion_gap", lang) + " (pts)")
    ax3.set_ylabel("pts", fontsize=fs, color="#cc4125")
    ax3.set_ylim(0, charts.share_axis_max(f, "inclusion_gap"))
    lines = ax.get_lines() + ax2.get_lines() + ax3.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=9, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              ncols=3, frameon=False)
    ax.set_title(t("social_title", lang), fontsize=fs + 1, pad=22)
    # grid
    ax = axs[1, 1]
    ax.plot(f.col("proactivity"), f.col("openness"), color=charts.A_COLOUR, lw=1.2)
    if f.n:
        ax.scatter([f.last("proactivity")], [f.last("openness")], s=70, color=charts.A_COLOUR, zorder=3)
    ax.axhline(0.5, color="#bbb", lw=0.8)
    ax.axvline(0.5, color="#bbb", lw=0.8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(t("proactivity", lang), fontsize=fs)
    ax.set_ylabel(t("openness", lang), fontsize=fs)
    ax.set_title(t("grid_title", lang), fontsize=fs + 1)
    # missions: means and realisations side by side
    ax = axs[1, 2]
    rows = f.missions
    y = np.arange(len(rows))
    ax.barh(y - 0.2, [r["means"] for r in rows], height=0.38, color="#999999", label=t("means", lang))
    ax.barh(y + 0.2, [r["realisation"] for r in rows], height=0.38, color="#3d85c6", label=t("realisation", lang))
    labels = [f"{charts.short(t(r['mission'], lang, 'mission', default=r['label']), 24)}\n"  # the weather below:
              f"{t(r['meteo'], lang, 'meteo').split(' ', 1)[-1]}" for r in rows]  # "pas commencée" is long
    ax.set_yticks(y, labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: pct(v, lang))
    ax.legend(fontsize=9, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    ax.set_title(t("missions_title", lang).split("(")[0].strip(), fontsize=fs + 1, pad=22)
    for a in axs.flat:
        a.tick_params(labelsize=9)
    for a in (axs[0, 1], axs[1, 0], ax2, ax3, axs[1, 1]):  # numbers in the locale (decimal comma in French)
        a.yaxis.set_major_formatter(lambda v, _: num(v, lang, 0 if abs(v) >= 10 else 1))
    for a in (axs[1, 1], axs[0, 0], axs[1, 0]):
        a.xaxis.set_major_formatter(lambda v, _: num(v, lang, 0 if abs(v) >= 10 or v == 0 else 1))
    fig.suptitle(f"{t('title', lang)} — {t('month', lang)} {f.n}/{f.months}, {t('seed', lang).lower()} {f.seed}",
                 fontsize=fs + 3)
    return fig


def _wrap(text: str, width: int = 52) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
