"""One browser session's run: the model, the lock that guards it, and the play loop (replaces Mesa's controller).

Mesa's ``ModelController`` steps the model in one thread while renders read it in others, its pause lags behind
the steps, its controls stay disabled after the horizon, and its labels are English only.  Here:

* every access to the model (step, rebuild, frame, export) holds ``Player.lock``;
* the play loop steps once, copies a ``Frame`` under the lock, then publishes it to the page (in the loop's own
  thread, before the next step): the page reads frames, never the live model;
* pause sets an event the loop checks before each step, so it stops within the month under way;
* a rebuild (lever, preset, seed, Reset) swaps the model under the lock; what can be pressed follows the
  published frame, so after the horizon a rebuild makes every control usable again;
* the loop does not run ahead of the screen: while a page shows the run, it waits until the browser has drawn
  the month before (``pacing.py``), so a slow browser slows the run instead of queueing months behind ❚❚;
* at rest, ``next_frame`` steps a copy of the model: the month a Step would show, which the page draws ahead
  while the trainer talks (``echarts.py``).  The run itself is never stepped ahead.

``warm_up`` runs a short model once per process so that the compiled kernels are loaded before a page is offered.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable

import solara

from vti_sim.app import exports
from vti_sim.app.frame import Frame
from vti_sim.model import VTIModel

logger = logging.getLogger("vti_sim.app")

SPEEDS = {"slow": 250, "normal": 100, "fast": 40}  # ms per month
SCREEN_WAIT_S = 2.0  # longest wait for the browser to draw a month (a hidden tab, a closed one)
DEFAULT_SPEED = os.environ.get("VTI_SIM_SPEED", "normal") if os.environ.get("VTI_SIM_SPEED") in SPEEDS else "normal"

READY = threading.Event()  # set once the kernels are compiled and loaded in this process
_WARM_LOCK = threading.Lock()


def warm_up() -> None:
    """Build and step a small model once: loads (or compiles, on a first install) every compiled kernel."""
    with _WARM_LOCK:
        if READY.is_set():
            return
        try:
            model = VTIModel(rng=0, population=5_000, months=24)
            while model.running:
                model.step()
            model.ledger.frame()
        except Exception:  # pragma: no cover - the page then compiles on first use, as before
            logger.exception("warm-up failed")
        finally:
            READY.set()


def _warm_up_server() -> None:
    """The server's warm-up, before the page is offered: the PNG worker process starts (it imports matplotlib there,
    so that the first export does not pay for it), then the kernels load.  Once the page is offered, matplotlib is
    imported here too, for a click drawn in the server (while the worker draws another month ahead, or has died).
    Where no page is served (a test that renders the page in-process), the worker starts with the first PNG."""
    served = "solara.server.starlette" in sys.modules
    try:
        if served:
            exports.start_png_worker()
    except Exception:  # pragma: no cover - the first export then pays for it, as before
        logger.exception("export warm-up failed")
    warm_up()
    try:
        if served:
            exports.warm_up()
    except Exception:  # pragma: no cover - a click drawn here then pays for the import
        logger.exception("export warm-up failed")


def start_warm_up() -> None:
    if not READY.is_set():
        threading.Thread(target=_warm_up_server, name="vti-warm-up", daemon=True).start()


STAGES = ("start", "running", "finished")


def stage_of(frame: Frame) -> str:
    return "start" if frame.n == 0 else "running" if frame.running else "finished"


class Player:
    """A run that can be played, paused, stepped and rebuilt from any thread, and the frames it publishes.

    Each new frame goes to the subscribed listeners (the live widgets set their changing values directly, with
    no render pass of the page); the reactive values ``stage``, ``playing`` and ``error`` change the page's
    structure, and re-render it, only a few times per run."""

    def __init__(self, make_model: Callable[[], VTIModel]):
        self.make_model = make_model
        self.lock = threading.RLock()
        self.model = make_model()
        self.frame = Frame.of(self.model)  # the latest published frame
        self.stage = solara.reactive(stage_of(self.frame))
        self.playing = solara.reactive(False)
        self.error = solara.reactive("")
        # VTI_SIM_PLAY_MS: another interval (e.g. 0 to play as fast as the page follows, for benchmarks)
        self.interval_ms = int(os.environ.get("VTI_SIM_PLAY_MS", SPEEDS[DEFAULT_SPEED]))
        self._listeners: list[Callable[[Frame], None]] = []
        self._publishing = threading.Lock()  # a listener removed or added never overlaps a publication
        self.seq = 0  # frames published so far
        self._shown = threading.Condition()
        self._acked = -1  # the last frame a browser reported drawn (-1: no browser has reported yet)
        self._screens = 0  # pages showing the run that report what they drew
        self._stop = threading.Event()
        self._stop.set()
        self._loop: threading.Thread | None = None
        self._next: tuple[VTIModel, int, Frame | None] | None = None  # (model, month, frame) of next_frame

    # -- what the page reads
    @property
    def month(self) -> int:
        return self.frame.n

    @property
    def looping(self) -> bool:
        """True while the play loop runs: more frames follow, so a listener may skip one (the loop's end settles)."""
        return not self._stop.is_set()

    def next_frame(self, frame: Frame) -> Frame | None:
        """The month a Step would show after ``frame``, computed on a copy of the model (a Step then steps the run
        itself, as ever); None while the loop plays, after the horizon, or once ``frame`` is no longer the run's.
        One copy per month, whatever the number of pages asking."""
        with self.lock:
            model = self.model
            n = model.ledger.n
            if not self._stop.is_set() or not model.running or frame.model_id != id(model) or frame.n != n:
                return None
            cached = self._next
            if cached is not None and cached[0] is model and cached[1] == n:
                return cached[2]
            try:
                twin = copy.deepcopy(model)
            except Exception as e:  # pragma: no cover - a model that cannot be copied: Steps draw as they come
                logger.warning("no draw-ahead: %r", e)
                twin = None
        ahead = None
        if twin is not None:
            twin.step()
            ahead = Frame.of(twin)
        self._next = (model, n, ahead)
        return ahead

    def subscribe(self, listener: Callable[[Frame], None]) -> Callable[[], None]:
        """Call ``listener(frame)`` now and for each new frame (in the publishing thread); returns the
        unsubscribe."""
        with self._publishing:
            self._listeners.append(listener)
            self._call(listener, self.frame)

        def unsubscribe():
            with self._publishing, contextlib.suppress(ValueError):
                self._listeners.remove(listener)
        return unsubscribe

    def watch(self, screens: int) -> None:
        """A page that reports what it drew (+1) or stops doing so (-1)."""
        with self._shown:
            self._screens += screens
            self._shown.notify_all()

    def ack(self, seq: int) -> None:
        """The browser has drawn frame ``seq``."""
        with self._shown:
            self._acked = max(self._acked, int(seq))
            self._shown.notify_all()

    def _wait_for_screen(self, stop: threading.Event) -> None:
        deadline = time.monotonic() + SCREEN_WAIT_S
        with self._shown:
            while self._screens > 0 and 0 <= self._acked < self.seq and not stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._shown.wait(min(left, 0.05))

    # -- controls
    def play(self) -> None:
        with self.lock:
            if not self._stop.is_set() or not self.model.running:
                return
            stop = self._stop = threading.Event()
            previous = self._loop
            # started under the lock: a ▶ from another thread (a second tab, Reset while playing) never starts
            # the loop this one made, nor this one before the loop it replaces
            self._loop = threading.Thread(target=self._run, args=(stop, previous), name="vti-play", daemon=True)
            self._loop.start()
        self.playing.value = True

    def pause(self) -> None:
        self._stop.set()
        self.playing.value = False

    def toggle(self) -> None:
        self.pause() if self.playing.value else self.play()

    def step(self) -> None:
        """One month (when paused)."""
        with self.lock:
            if not self._stop.is_set() or not self.model.running:
                return
            self.model.step()
            frame = Frame.of(self.model)
        self._publish(frame)

    def rebuild(self, model: VTIModel | None = None) -> None:
        """A fresh run at month 0 (settings changed); a run being played goes on playing from month 0."""
        model = self.make_model() if model is None else model
        with self.lock:
            self.model = model
            frame = Frame.of(model)
        self.error.value = ""
        self._publish(frame)

    def reset(self) -> None:
        """Mesa's Reset: stop, and a fresh run from the same settings."""
        self.pause()
        self.rebuild()

    def close(self) -> None:
        self._stop.set()
        self._listeners.clear()

    def _publish(self, frame: Frame, of: VTIModel | None = None) -> None:
        """Show ``frame``; one of model ``of`` is dropped if another run has replaced it meanwhile (Reset or a
        lever moved while the loop's month was in flight: the page must not go back to the old run)."""
        with self._publishing:
            if of is not None and of is not self.model:
                return
            self.frame = frame
            self.seq += 1
            for listener in tuple(self._listeners):
                self._call(listener, frame)
        self.stage.value = stage_of(frame)  # re-renders the page only when the stage changes

    def _settle(self) -> None:
        """The loop has stopped: the listeners see the last frame once more, to send what they skipped."""
        with self._publishing:
            for listener in tuple(self._listeners):
                self._call(listener, self.frame)

    @staticmethod
    def _call(listener: Callable[[Frame], None], frame: Frame) -> None:
        try:
            listener(frame)
        except Exception as e:  # a widget closed under a listener: the next render re-attaches
            logger.warning("live update skipped: %r", e)

    # -- the loop
    def _run(self, stop: threading.Event, previous: threading.Thread | None) -> None:
        if previous is not None and previous.is_alive():
            previous.join()  # a pause then a quick ▶: the old loop finishes its month first
        due = time.monotonic()
        try:
            while not stop.is_set():
                with self.lock:
                    if stop.is_set() or not self.model.running:
                        break
                    model = self.model
                    model.step()
                    frame = Frame.of(model)
                self._wait_for_screen(stop)  # the next month is ready while the browser draws this one
                self._publish(frame, of=model)  # updates the page here, before the next step
                due = max(due + self.interval_ms / 1000, time.monotonic())
                stop.wait(max(0.0, due - time.monotonic()))
        except Exception as e:  # shown in the page, never as a traceback in place of it
            logger.error("play loop stopped:\n%s", traceback.format_exc())
            self.error.value = f"{type(e).__name__}: {e}"
        finally:
            if self._stop is stop:
                stop.set()
                self.playing.value = False
            self._settle()
