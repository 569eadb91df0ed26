"""Drawing the figures of ``vti-sim run`` / ``compare`` in helper processes started before the model loads.

Such a command spends about 1.5 s importing Mesa, numba and the model and 0.4 s loading the compiled passes
before its results exist, then about 2 CPU-seconds drawing six PNG figures with matplotlib, which takes
0.5 s more to import.  :class:`FigureWorkers` forks a helper when the command starts.  The helper imports
matplotlib and draws a throw-away figure (fonts, glyph caches, the PNG encoder) on the second core while the
command imports and runs the model.  When the results are ready the command sends the helper their tables
and the model's names (``figure_data``), the helper forks a sibling, and the two draw the figures, the
costliest first, each taking the next one from a shared counter; the command writes its tables meanwhile.

The PNG files are the ones :func:`vti_sim.figures.save_all` writes in-process, which is what happens where
forking is not available or not safe: not Linux, or threads already running (a fork copies only the calling
thread).  ``VTI_SIM_FIGURE_WORKERS`` sets the number of drawing processes: 0 draws in the command's own
process, 1 in the helper alone; the default is 2, or 0 when the tasks running now leave less than half a CPU idle
(other jobs would take the second core, and the helper's imports would only add CPU time).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .figure_data import Vocabulary, groups_of, is_result, tables_of

# The figures, costliest first (CPU time of the default Angers run), so that two processes taking the next one
# in turn finish together.
ORDER = ("value_by_type", "time_use", "phase_timeline", "mission_dashboard", "trust_participation",
         "governance_grid")


def drawing_processes() -> int:
    """How many processes draw (see the module docstring); 0 means the command's own process."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    text = os.environ.get("VTI_SIM_FIGURE_WORKERS", "").strip()
    # without a setting, a helper pays only on an idle core: on a busy machine its imports (~0.6 CPU-s) cost more
    wanted = int(text) if text.isdigit() else (min(2, cpus) if cpus - busy_cpus() >= 0.5 else 0)
    if wanted and (not sys.platform.startswith("linux") or threading.active_count() > 1):
        return 0
    return min(wanted, 2)


def busy_cpus(loadavg: str | None = None) -> float:
    """How many CPUs other processes use now: the runnable tasks besides this one (``/proc/loadavg``'s fourth
    field), not the one-minute load average, which still counts the previous command for a minute after it
    ended (measured: a run right after another then drew in one process, 8.7 s instead of 5.7 s)."""
    try:
        text = loadavg if loadavg is not None else Path("/proc/loadavg").read_text()
        return max(0, int(text.split()[3].split("/")[0]) - 1)
    except (OSError, IndexError, ValueError):
        return os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0


class FigureWorkers:
    """A helper process that draws figures (see the module docstring); a context manager that stops it."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = drawing_processes() if processes is None else processes
        self._proc = self._conn = None
        if self.processes:
            ctx = multiprocessing.get_context("fork")
            ours, theirs = ctx.Pipe()
            self._proc = ctx.Process(target=_helper, args=(theirs, ours, self.processes), name="vti-sim-figures",
                                     daemon=True)
            self._proc.start()
            theirs.close()
            self._conn = ours

    def __enter__(self) -> FigureWorkers:
        return self

    def __exit__(self, *exc) -> None:
        self.close(wait=exc[0] is None)

    def close(self, wait: bool = True) -> None:
        """Stop the helper: let it finish and exit (``wait``), or terminate it at once (on an error)."""
        if self._proc is None:
            return
        proc, conn, self._proc, self._conn = self._proc, self._conn, None, None
        if wait and proc.is_alive():
            with contextlib.suppress(OSError):
                conn.send(None)
            proc.join(5)
        if proc.is_alive():
            proc.terminate()  # the helper's SIGTERM handler stops its sibling first
            proc.join()
        conn.close()

    @contextlib.contextmanager
    def drawing(self, results: Any, outdir: str | Path, labels: Sequence[str] | None = None) -> Iterator[None]:
        """Draw every figure into ``outdir`` while the ``with`` block runs; on leaving it, wait for the files.

        If the block (or the drawing) fails, the helpers are stopped before the error propagates, so that
        nothing writes into ``outdir`` afterwards (the caller may be about to delete it)."""
        outdir = Path(outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        if self._proc is None or not self._proc.is_alive():
            yield
            from . import figures

            figures.save_all(results, outdir, labels)
            return
        groups = [[g if not is_result(g) else tables_of(g) for g in reps] for reps in groups_of(results)]
        try:
            self._conn.send({"groups": groups, "labels": list(labels) if labels is not None else None,
                             "vocab": Vocabulary.of_model(), "outdir": str(outdir)})
            yield
            status, detail = self._conn.recv()
        except BaseException:
            self.close(wait=False)
            raise
        if status != "ok":
            self.close(wait=False)
            raise RuntimeError(f"drawing the figures failed in a helper process:\n{detail}")


# ----------------------------------------------------------------------------------------- in the helper
def _helper(conn, ours, processes: int) -> None:
    """The helper's life: import and warm up, then draw each job it receives until told to stop."""
    ours.close()  # else the pipe would never report the command's end
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the whole process group: the command decides
    sibling = {"pid": 0}

    def stop(*_):
        if sibling["pid"]:
            with contextlib.suppress(OSError):
                os.kill(sibling["pid"], signal.SIGKILL)
        os._exit(1)

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(Exception):  # a failure shows again, and is reported, with the first job
        _warm_up()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            conn.send(("ok", _draw(job, processes, sibling)))
        except BaseException:  # noqa: BLE001 - the command reports it
            conn.send(("error", traceback.format_exc()))


def _warm_up() -> None:
    """Import the drawing code and draw a small figure with the fonts, symbols and encoder the real ones use."""
    import io

    from . import figures

    fig = figures._figure((3, 2))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="x")
    ax.barh([0], [1], hatch="//")
    ax.text(0.5, 0.5, "".join(sym for sym, _ in figures.METEO.values()), fontsize=17)
    ax.set_title("warm-up", fontsize=10, loc="left")
    ax.legend(fontsize=8)
    fig.suptitle("warm-up", fontweight="bold")
    fig.savefig(io.BytesIO(), format="png", dpi=figures.DPI, pil_kwargs={"compress_level": 1})


def _draw(job: dict[str, Any], processes: int, sibling: dict[str, int]) -> list[str]:
    """Draw a job's figures in this process and, with ``processes`` 2, a forked sibling; return the paths."""
    from . import figures

    aggs = figures.aggregate(job["groups"], job["labels"], job["vocab"])
    names = [n for n in ORDER if n in figures.FIGURES] + [n for n in figures.FIGURES if n not in ORDER]
    ctx = multiprocessing.get_context("fork")
    nxt = ctx.Value("i", 0)

    def take_and_draw() -> None:
        while True:
            with nxt.get_lock():
                i = nxt.value
                nxt.value += 1
            if i >= len(names):
                return
            figures.save_figure(names[i], aggs, job["outdir"])

    report_r, report_w = ctx.Pipe(duplex=False)
    if processes > 1:
        sibling["pid"] = os.fork()
        if sibling["pid"] == 0:  # the sibling: draw, report, leave without running the helper's exit handlers
            code = 0
            try:
                take_and_draw()
                report_w.send(None)
            except BaseException:  # noqa: BLE001
                report_w.send(traceback.format_exc())
                code = 1
            finally:
                os._exit(code)
    try:
        take_and_draw()
    finally:
        if sibling["pid"]:
            pid, sibling["pid"] = sibling["pid"], 0
            os.waitpid(pid, 0)
    if processes > 1 and (failure := report_r.recv() if report_r.poll() else "the sibling died"):
        raise RuntimeError(failure)
    return [str(Path(job["outdir"]) / f"{n}.png") for n in figures.FIGURES]
