"""The workshop app in a real browser, used as a trainer does: Debian's Chromium driven by Playwright.

The app is served by ``vti-sim workshop`` on 127.0.0.1 on a free port, in a subprocess killed at the end, with the
"fast" play speed (40 ms a month) so that a full 144-month play takes seconds.  Every test fails if the server's
log or the page shows a Python traceback.  Needs ``apt-get install -y chromium`` (skipped cleanly without it) and
Solara's browser files in its cache (``make install`` fetches them from the npm registry).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parent.parent
HORIZON = 144

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``vti-sim workshop`` in a subprocess; its log is checked for tracebacks after each test."""

    def __init__(self):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "VTI_SIM_SPEED": "fast", "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "workshop", "--host", "127.0.0.1",
                                      "--port", str(self.port), "--lang", "fr"], cwd=ROOT, stdout=self.log,
                                     stderr=self.log, start_new_session=True, env=env)
        self.mark = 0

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None:
                pytest.fail(f"the workshop server exited with code {self.proc.returncode}: {self.text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"the workshop server did not answer within {timeout:.0f} s: {self.text()[-2000:]}")
            time.sleep(0.3)

    def text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def new_output(self) -> str:
        out = self.text()
        new, self.mark = out[self.mark:], len(out)
        return new

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="module")
def server():
    srv = Server()
    try:
        srv.wait()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


# the canvas a chart shows: each chart stacks ECharts instances (month 0 kept, the next month drawn ahead), and
# those put away are hidden (vti_sim/app/echarts.py)
SHOWN = ".vti-echarts-instance:not([style*='visibility: hidden']) canvas"
TOOLTIP = ".vti-chart-{chart} .vti-echarts-instance:not([style*='visibility: hidden']) div[style*='z-index: 9999999']"


def watch_errors(pg):
    """Collect the page's uncaught JavaScript errors (``_no_traceback`` fails on any)."""
    pg.vti_errors = []
    pg.on("pageerror", lambda e: pg.vti_errors.append(f"{e.name}: {e.message}\n{e.stack}"))
    return pg


def _open(server, browser):
    pg = watch_errors(browser.new_page(viewport={"width": 1500, "height": 1300}, accept_downloads=True))
    pg.set_default_timeout(60_000)
    pg.goto(server.url)
    pg.locator(".vti-play").wait_for()
    pg.locator(f".vti-chart {SHOWN}").nth(4).wait_for()  # the five live charts have drawn
    return pg


@pytest.fixture
def page(server, browser):
    server.new_output()
    pg = _open(server, browser)
    yield pg
    _no_traceback(server, pg)
    pg.close()


def _no_traceback(server, *pages) -> None:
    for pg in pages:
        assert pg.get_by_text("Traceback").count() == 0, "the page shows a traceback"
        assert not getattr(pg, "vti_errors", []), "\n".join(pg.vti_errors)[:3000]
    log = server.new_output()
    assert "Traceback" not in log, log[-3000:]
    assert "Warning" not in log, log[-3000:]  # nor warnings the trainer cannot act on, in the terminal


def month(pg) -> int:
    """The month on screen (the status table, or the presenter view's title)."""
    text = pg.locator(".vti-status-table, .vti-presenter-title").first.inner_text()
    return int(re.search(r"(\d+) / 144", text).group(1))


def wait_month(pg, at_least: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while (m := month(pg)) < at_least:
        assert time.monotonic() < deadline, f"month {m}, waited for {at_least}"
        time.sleep(0.05)
    return m


def drawn_title(pg, name: str) -> str:
    """The title a chart has drawn, read from its ECharts instance (what the canvas shows, not the option sent)."""
    return pg.evaluate("(n) => document.querySelector('.vti-chart-' + n).vtiChart.getOption().title[0].text",
                       name)


def drawn_name(pg, name: str) -> str:
    """The file name of the picture a chart shows (its PNG button's), which names the month it was drawn for."""
    return pg.evaluate("(n) => document.querySelector('.vti-chart-' + n).vtiChart.getOption()"
                       ".toolbox[0].feature.saveAsImage.name", name)


COUNT_DRAWS = """() => {
  // every ECharts instance of the page shares its class's setOption: count the calls from now on, and apart the
  // months drawn ahead while the page rests (echarts.py counts those)
  const proto = Object.getPrototypeOf(document.querySelector('.vti-chart-social').vtiChart);
  if (!proto.vtiCounted) {
    const setOption = proto.setOption;
    proto.setOption = function (...args) { window.vtiDraws += 1; return setOption.apply(this, args); };
    proto.vtiCounted = true;
  }
  window.vtiDraws = 0;
  window.vtiDrawnAhead = 0;
}"""
DRAWN_ON_ARRIVAL = "window.vtiDraws - window.vtiDrawnAhead"  # charts drawn as their option came
# the browser's idle moments, held (a page that never rests: nothing is drawn ahead), then given back
HOLD_IDLE = """() => { window.vtiIdle = window.requestIdleCallback; window.vtiHeld = [];
                       window.requestIdleCallback = (f) => { window.vtiHeld.push(f); return 0; }; }"""
RELEASE_IDLE = """() => { window.requestIdleCallback = window.vtiIdle;
                          for (const f of window.vtiHeld.splice(0)) f({didTimeout: true, timeRemaining: () => 0}); }"""


def wait_drawn_ahead(pg, month: int, names=("timeline", "value", "time", "social", "grid")) -> None:
    """Wait until these charts (by default the live ones, all in view in these tests' window) hold the picture of
    ``month``, drawn ahead while the page rests."""
    pg.wait_for_function("([names, tag]) => names.every((n) => { const a = document.querySelector('.vti-chart-' + n)"
                         ".vtiAhead(); return a && a.includes(tag); })", arg=[list(names), f"_month{month:03d}_"])


def seq(pg) -> int:
    """The last frame whose updates have all arrived (the ack widget's comes last, ``pacing.py``)."""
    return pg.evaluate("window.vtiSeq || 0")


def wait_frame(pg, seq0: int, month: int) -> None:
    """Wait until the page shows ``month`` from a frame published after ``seq0``, every update of that frame has
    arrived (the status table's comes before the charts') and every chart in view has drawn it."""
    pg.locator(".vti-status-table", has_text=f"{month} / 144").wait_for()
    pg.wait_for_function("(seq0) => (window.vtiSeq || 0) > seq0 && !window.vtiChartsDue", arg=seq0)


def step_to(pg, month: int, key: str | None = None) -> None:
    """Press Step (clicked, or a key pressed on it: the pointer stays where it is) and wait until the page shows
    ``month`` with every chart in view drawn."""
    seq0 = seq(pg)
    if key:
        pg.locator(".vti-step").press(key)
    else:
        pg.locator(".vti-step").click()
    wait_frame(pg, seq0, month)


def play(pg) -> None:
    pg.locator(".vti-play", has_text="▶").click()
    pg.locator(".vti-play", has_text="❚❚").wait_for()


def test_page_is_french_throughout_with_controls_levers_and_charts(page):
    pg = page
    assert pg.title() == "Atelier VTI : piloter une politique de territoire intelligent"
    raw = pg.locator("body").inner_text()
    for english in ("Controls", "Play Interval", "Render Interval", "Use Threads", "Model Parameters",
                    "Information\n", "Step:", "PVU", "This website runs on Solara", "Value must be"):
        assert english not in raw, english  # Mesa's and Solara's English strings
    body = raw.lower()  # buttons are upper-cased by the theme
    for french in ("Lancer", "Pas", "Réinitialiser", "Vitesse", "Leviers", "Graine aléatoire", "UVP"):
        assert french.lower() in body, french
    assert "0 / 144" in pg.locator(".vti-status-table").inner_text()
    # one input per lever, from the registry, in groups that open one at a time; numbers with a decimal comma
    from vti_sim.registry import levers

    for group in sorted({p.group for p in levers()}):
        if pg.locator(f".vti-group-{group}", has_text="▸").count():
            pg.locator(f".vti-group-{group}").click()
        for p in levers():
            if p.group == group:
                pg.locator(f".vti-lever-{p.name}").wait_for()
                assert pg.locator(f".vti-lever-{p.name}").count() == 1, p.name
    assert pg.locator(".vti-lever-annual_budget_meur .vti-value").inner_text() == "15,6"
    # hovering a lever shows its meaning in French
    from vti_sim.app.i18n import lever_doc
    from vti_sim.registry import get

    pg.locator(".vti-lever-annual_budget_meur").hover()
    pg.get_by_text(lever_doc(get("annual_budget_meur"), "fr")).wait_for()
    # a scenario's description is French too
    pg.locator(".vti-scenario").click()
    pg.get_by_role("option", name="Angers (cas)").click()
    pg.locator(".vti-scenario-description", has_text="programme global").wait_for()
    # a seed that is not a whole number: a French message, the run keeps its seed
    seed = pg.locator(".vti-seed input")
    seed.fill("abc")
    pg.get_by_text("La graine doit être un nombre entier").wait_for()
    assert "Value must be" not in pg.locator("body").inner_text()


def test_play_all_144_months_then_controls_work_again(page):
    pg = page
    before = pg.locator(".vti-chart-social").screenshot()
    play(pg)
    wait_month(pg, 12)
    expect(pg.locator(".vti-step")).to_be_disabled()  # no step while playing
    assert pg.evaluate("window.vtiPlaying") is True  # the charts spread their redraws over animation frames
    wait_month(pg, HORIZON, timeout=90)
    pg.locator(".vti-play", has_text="▶").wait_for()
    expect(pg.locator(".vti-play")).to_be_disabled()
    expect(pg.locator(".vti-step")).to_be_disabled()
    pg.get_by_text("Horizon atteint").wait_for()
    time.sleep(0.3)
    assert pg.locator(".vti-chart-social").screenshot() != before
    # the timeline's title names the phase the run ended in (a new phase merges into the drawn title)
    phase = pg.locator(".vti-status-table tr", has_text="Phase").inner_text().split("\t")[-1].split(" (")[0].strip()
    assert phase and drawn_title(pg, "timeline").endswith("· " + phase), (phase, drawn_title(pg, "timeline"))
    # after the horizon, a lever change restarts at month 0 with every control usable
    pg.locator(".vti-group-resources").click()
    thumb = pg.locator(".vti-lever-annual_budget_meur [role=slider]").first
    thumb.focus()
    pg.wait_for_function("!window.vtiChartsDue")
    at_horizon = pg.locator(".vti-chart-social").screenshot()
    pg.evaluate(COUNT_DRAWS)
    assert drawn_name(pg, "social") == "vti_social_month144_fr"
    seq0 = seq(pg)
    thumb.press("End")
    wait_frame(pg, seq0, 0)
    assert pg.evaluate("window.vtiPlaying") is False  # not playing: each chart draws its option as it arrives
    assert pg.locator(".vti-chart-social").screenshot() != at_horizon  # month 0 shown, not the old run's end
    assert drawn_title(pg, "timeline").endswith("· lancement")
    # month 0 is the picture the page opened with: the instance that kept it is shown again, nothing is redrawn
    assert drawn_name(pg, "social") == "vti_social_month000_fr"
    assert pg.evaluate(DRAWN_ON_ARRIVAL) == 0
    expect(pg.locator(".vti-play")).to_be_enabled()
    expect(pg.locator(".vti-step")).to_be_enabled()
    # the page rests: month 1 is drawn out of sight (the run drew over the page's first picture of it), and the
    # page still shows month 0, on top for the pointer too
    wait_drawn_ahead(pg, 1)
    assert drawn_name(pg, "social") == "vti_social_month000_fr"
    on_top = """() => { const el = document.querySelector('.vti-chart-social'), box = el.getBoundingClientRect();
                        return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2)
                               .closest('.vti-echarts-instance') === el.vtiChart.getDom(); }"""
    assert pg.evaluate(on_top)
    # a Step then shows it as it was drawn: no chart draws at the Step
    pg.evaluate(COUNT_DRAWS)
    pg.evaluate(HOLD_IDLE)  # from now on, a page that never rests: nothing more is drawn ahead
    step_to(pg, 1)
    assert drawn_name(pg, "social") == "vti_social_month001_fr"
    assert pg.evaluate("window.vtiDraws") == 0
    assert pg.evaluate(on_top)
    # a Step before the page could draw ahead: the month is drawn as it arrives
    step_to(pg, 2)
    assert drawn_name(pg, "social") == "vti_social_month002_fr"  # a new month is drawn, over the old run's end
    assert pg.evaluate("window.vtiDraws") == 5  # every live chart, as it came; none drawn ahead
    # resting again: month 3 drawn ahead, then shown by the Step
    pg.evaluate(RELEASE_IDLE)
    wait_drawn_ahead(pg, 3)
    pg.evaluate(COUNT_DRAWS)
    step_to(pg, 3)
    assert drawn_name(pg, "social") == "vti_social_month003_fr"
    assert pg.evaluate(DRAWN_ON_ARRIVAL) == 0
    # its tooltip names the month as the page writes numbers ("3", not ECharts' "3.00")
    box = pg.locator(".vti-chart-social").bounding_box()  # the page has moved up: the 'not started' note is gone
    pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = pg.locator(TOOLTIP.format(chart="social"), has_text="Confiance")
    expect(tip).to_be_visible()
    assert tip.inner_text().split("\n")[0].strip() == "3", tip.inner_text()
    play(pg)
    wait_month(pg, 5)


def test_a_step_after_a_rest_shows_the_month_drawn_ahead(page):
    """A trainer plays a little, pauses, moves a lever, talks, then steps: the month was drawn while the page
    rested, so the Step draws nothing (benchmarks/README.md, the workshop page)."""
    pg = page
    play(pg)
    wait_month(pg, 4)
    pg.locator(".vti-play", has_text="❚❚").click()
    pg.locator(".vti-play", has_text="▶").wait_for()
    pg.locator(".vti-group-resources").click()
    seq0 = seq(pg)
    pg.locator(".vti-lever-annual_budget_meur [role=slider]").first.press("End")
    wait_frame(pg, seq0, 0)
    # month 1 is the same whatever the budget: the page was sent it before, while its pictures of it were drawn over
    wait_drawn_ahead(pg, 1)
    pg.evaluate(COUNT_DRAWS)
    step_to(pg, 1)
    assert drawn_name(pg, "timeline") == "vti_timeline_month001_fr"
    assert pg.evaluate(DRAWN_ON_ARRIVAL) == 0
    # the trainer switches a legend item off: it stays off in the month drawn ahead, and in month 0 kept drawn
    pg.mouse.click(*pg.evaluate(LEGEND_ITEM, ["value", "détruite"]))
    assert legend_off(pg, "value") == ["détruite"]
    wait_drawn_ahead(pg, 2)
    step_to(pg, 2)
    assert drawn_name(pg, "value") == "vti_value_month002_fr"
    assert legend_off(pg, "value") == ["détruite"]
    # a tooltip under a still pointer (Step pressed with the keyboard) follows the month shown
    box = pg.locator(".vti-chart-social").bounding_box()
    pg.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = pg.locator(TOOLTIP.format(chart="social"), has_text="Confiance")
    expect(tip).to_be_visible()
    first_line = tip.inner_text().split("\n")[0].strip()
    wait_drawn_ahead(pg, 3)
    step_to(pg, 3, key="Enter")
    expect(tip).to_be_visible()
    assert tip.inner_text().split("\n")[0].strip() != first_line, first_line  # the new month's values
    assert legend_off(pg, "value") == ["détruite"]
    # Reset: month 0, kept drawn before the click, shows the legend as the trainer left it
    seq0 = seq(pg)
    pg.locator(".vti-reset").click()
    wait_frame(pg, seq0, 0)
    assert drawn_name(pg, "value") == "vti_value_month000_fr"
    assert legend_off(pg, "value") == ["détruite"]


# where a legend item is drawn, in the page (ECharts draws it in a canvas): a trainer clicks there
LEGEND_ITEM = """([chart, name]) => {
  const c = document.querySelector('.vti-chart-' + chart).vtiChart;
  const text = c.getZr().storage.getDisplayList().find((d) => d.style && d.style.text === name);
  const r = text.getBoundingRect(), m = text.getComputedTransform() || [1, 0, 0, 1, 0, 0];
  const box = c.getDom().getBoundingClientRect();
  return [box.x + m[0] * (r.x + r.width / 2) + m[4], box.y + m[3] * (r.y + r.height / 2) + m[5]];
}"""


def legend_off(pg, chart: str) -> list[str]:
    """The legend items switched off in the instance a chart shows."""
    selected = pg.evaluate("(n) => document.querySelector('.vti-chart-' + n).vtiChart.getOption().legend[0]"
                           ".selected || {}", chart)
    return sorted(k for k, on in selected.items() if not on)


def test_pause_stops_within_one_month(page):
    pg = page
    pg.locator(".vti-speed").click()
    pg.get_by_role("option", name=re.compile("lente")).click()  # 4 months a second
    play(pg)
    wait_month(pg, 3)
    pg.locator(".vti-play").click()
    pg.locator(".vti-play", has_text="▶").wait_for()  # the server has stopped the loop
    acknowledged = month(pg)
    time.sleep(1.0)  # four months' worth at this speed
    stopped = month(pg)
    assert stopped - acknowledged <= 1, (acknowledged, stopped)  # at most the month under way
    time.sleep(0.6)
    assert month(pg) == stopped
    expect(pg.locator(".vti-step")).to_be_enabled()
    pg.locator(".vti-step").click()
    pg.locator(".vti-status-table", has_text=f"{stopped + 1} / 144").wait_for()


def test_reset_while_playing(page):
    pg = page
    play(pg)
    wait_month(pg, 8)
    pg.locator(".vti-reset").click()
    pg.locator(".vti-status-table", has_text="0 / 144").wait_for()
    pg.locator(".vti-play", has_text="▶").wait_for()
    time.sleep(0.5)
    assert month(pg) == 0  # reset stops the run
    play(pg)
    wait_month(pg, 4)


def test_moving_a_slider_while_playing_restarts_with_the_new_value(page):
    pg = page
    pg.locator(".vti-group-resources").click()
    lever = pg.locator(".vti-lever-annual_budget_meur")
    play(pg)
    wait_month(pg, 10)
    thumb = lever.locator("[role=slider]").first
    thumb.focus()
    for _ in range(5):  # fast moves while the loop steps
        thumb.press("ArrowLeft")
    thumb.press("Home")  # the registry's minimum: 0.5 EUR M/year
    lever.locator(".vti-value", has_text="0,5").wait_for()
    pg.locator(".vti-status-table", has_text="0,5 M€").wait_for()  # read back from the model
    assert month(pg) < 10  # restarted at month 0 ...
    wait_month(pg, 12)  # ... and still playing
    pg.locator(".vti-play").click()


def test_a_projector_screen_opens_the_folded_sidebar(server, browser):
    """At 1024 x 768 the sidebar folds into a drawer over the page: once closed, its button shows a sign (Solara's
    Vuetify 3 layout drew it empty) and opens the run controls again."""
    server.new_output()
    pg = watch_errors(browser.new_page(viewport={"width": 1024, "height": 768}))
    try:
        pg.set_default_timeout(60_000)
        pg.goto(server.url)
        expect(pg.locator(".vti-play")).to_be_in_viewport()  # open when the page loads
        pg.locator(".v-navigation-drawer__scrim").click()
        expect(pg.locator(".vti-play")).not_to_be_in_viewport()
        button = pg.locator(".v-app-bar-nav-icon")
        assert pg.evaluate("getComputedStyle(document.querySelector('.v-app-bar-nav-icon .v-btn__content'), "
                           "'::before').content") == '"☰"'
        button.click()
        expect(pg.locator(".vti-play")).to_be_in_viewport()
        _no_traceback(server, pg)
    finally:
        pg.close()


def test_two_tabs_play_at_once(server, browser):
    server.new_output()
    a, b = _open(server, browser), _open(server, browser)
    try:
        play(a)
        play(b)
        wait_month(a, 60, timeout=90)
        wait_month(b, 60, timeout=90)
        a.locator(".vti-play").click()  # pausing one tab leaves the other playing
        a.locator(".vti-play", has_text="▶").wait_for()
        paused = month(a)
        mb = month(b)
        wait_month(b, min(mb + 5, HORIZON))
        settled = month(a)
        assert settled - paused <= 1  # pause stops within one month (the one in flight when ❚❚ was pressed)
        wait_month(b, min(mb + 10, HORIZON))
        assert month(a) == settled  # and tab a stays there while tab b plays on
        _no_traceback(server, a, b)
    finally:
        a.close()
        b.close()


def test_language_switch_mid_run(page):
    pg = page
    play(pg)
    wait_month(pg, 10)
    pg.locator(".vti-lang-en").click()
    pg.get_by_text("VTI workshop: steering a smart-city policy").first.wait_for()
    pg.locator(".vti-play", has_text="Pause").wait_for()  # still playing, in English
    m = month(pg)
    wait_month(pg, m + 5)
    body = pg.locator("body").inner_text().lower()
    for english in ("Live run", "Levers", "Random seed", "Speed", "Reset", "This year's budget", "PVU"):
        assert english.lower() in body, english
    for french in ("Simulation en direct", "Leviers", "Graine aléatoire", "Réinitialiser", "UVP"):
        assert french.lower() not in body, french
    assert pg.title() == "VTI workshop: steering a smart-city policy"
    pg.locator(".vti-play").click()
    pg.locator(".vti-play", has_text="Play").wait_for()
    # a Step, then at once the other language: the charts go while they wait to draw the next month ahead
    # (the page's JavaScript errors fail the test, _no_traceback)
    pg.locator(".vti-step").click()
    pg.locator(".vti-lang-fr").click()
    pg.get_by_text("Simulation en direct").wait_for()
    pg.wait_for_function("!window.vtiChartsDue")
    time.sleep(0.5)  # past the moment the old charts would have drawn ahead


def test_compare_with_a_changed_setting(page):
    pg = page
    pg.locator(".vti-tab-compare").click()
    a, b = pg.locator(".vti-compare-a"), pg.locator(".vti-compare-b")
    a.locator(f".vti-chart {SHOWN}").nth(1).wait_for()
    b.locator(f".vti-chart {SHOWN}").nth(1).wait_for()
    ba, bb = a.bounding_box(), b.bounding_box()
    assert bb["x"] > ba["x"] + ba["width"] / 2  # side by side, not stacked
    table_before = b.locator(".vti-compare-table").inner_text()
    assert "Ouvert" in table_before and "Valeur nette" in table_before
    b.locator(".vti-compare-select-b").click()
    pg.get_by_role("option", name=re.compile("Technocentré")).click()
    b.locator(".vti-compare-table", has_text="Technocentré").wait_for()
    assert b.locator(".vti-compare-table").inner_text() != table_before
    assert "Technocentré" in a.locator(".vti-compare-table").inner_text()  # A's table names its counterpart


def _download(pg, name: str):
    with pg.expect_download(timeout=30_000) as info:
        pg.locator(f".vti-export-{name}").click()
    d = info.value
    return d.suggested_filename, Path(d.path()).read_bytes()


def test_exports_download_and_open(page):
    import numpy as np
    import pandas as pd
    from PIL import Image

    pg = page
    step = pg.locator(".vti-step")
    for k in range(1, 4):
        step.click()
        pg.locator(".vti-status-table", has_text=f"{k} / 144").wait_for()
    t0 = time.monotonic()
    name, data = _download(pg, "png")
    assert time.monotonic() - t0 < 30  # the speed goal (< 2 s) is in benchmarks/bench_app.py
    assert name == "vti_month003_fr.png"
    img = Image.open(io.BytesIO(data))
    assert img.width >= 1920
    pixels = np.asarray(img.convert("L"))
    assert (pixels < 250).mean() > 0.02  # something is drawn
    name, data = _download(pg, "timeseries")
    assert name.endswith("_fr.csv") and "month003" in name
    text = data.decode("utf-8-sig")
    assert csv.Sniffer().sniff(text.splitlines()[0]).delimiter == ";"
    df = pd.read_csv(io.StringIO(text), sep=";", decimal=",")
    assert len(df) == 3 and df["trust"].dtype == float and 0 < df["trust"].iloc[-1] < 1
    name, data = _download(pg, "missions")
    missions = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert {"Mission", "Météo", "Moyens : budget consommé"} <= set(missions.columns)
    assert "Socle SI" in set(missions["Mission"])
    name, data = _download(pg, "compare")
    both = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert set(both["setting"]) == {"global", "open_with_resources"} and len(both) == 2 * HORIZON
    # in English: commas between columns, decimal points
    pg.locator(".vti-lang-en").click()
    pg.get_by_text("Live run").wait_for()
    name, data = _download(pg, "png")
    assert name == "vti_month003_en.png"
    name, data = _download(pg, "missions")
    missions = pd.read_csv(io.BytesIO(data))
    assert {"Mission", "Weather"} <= set(missions.columns)
    pg.locator(".vti-lang-fr").click()


def test_predict_then_reveal_and_presenter_view(page):
    pg = page
    pg.locator(".vti-predict-hide").click()
    pg.get_by_text("Résultats masqués").first.wait_for()
    expect(pg.locator(".vti-chart-value")).to_have_count(0)
    expect(pg.locator(".vti-missions")).to_have_count(0)
    assert "Valeur publique nette" not in pg.locator(".vti-status-table").inner_text()
    pg.locator(".vti-predict-value input").fill("1 200")  # as a French room writes it
    pg.locator(".vti-predict-value input").press("Enter")
    play(pg)
    wait_month(pg, 30)
    pg.locator(".vti-play").click()
    pg.locator(".vti-reveal-button").click()
    pg.locator(".vti-reveal-text", has_text="Prédiction 1\u202f200").wait_for()
    pg.locator(f".vti-chart-value {SHOWN}").wait_for()
    # revealed mid-run: the text says which month it compares with, and the chart's axis reaches the prediction
    assert f"au mois {month(pg)}, la simulation continue" in pg.locator(".vti-reveal-text").inner_text()
    pg.wait_for_function("!window.vtiChartsDue")
    top = pg.evaluate("document.querySelector('.vti-chart-reveal').vtiChart.getModel().getComponent('yAxis', 0)"
                      ".axis.scale.getExtent()[1]")
    assert top >= 1200, top
    # presenter view: one chart at a time, large, next / previous
    pg.locator(".vti-presenter-toggle input").check(force=True)
    pg.locator(f".vti-presenter .vti-chart-timeline {SHOWN}").wait_for()
    assert pg.locator(".vti-presenter .vti-chart").count() == 1
    assert pg.locator(".vti-presenter .vti-chart").bounding_box()["height"] >= 600
    pg.locator(".vti-presenter-next").click()
    pg.locator(f".vti-presenter .vti-chart-value {SHOWN}").wait_for()
    play(pg)
    wait_month(pg, 36)
    assert "Mois" in pg.locator(".vti-presenter-title").inner_text()
    pg.locator(".vti-play").click()
    pg.locator(".vti-presenter-toggle input").uncheck(force=True)
    pg.locator(".vti-tab-live").wait_for()
