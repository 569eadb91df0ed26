"""The workshop app in a real browser: Debian's Chromium driven by Playwright (issue 5).

The app is served by ``vti-sim workshop`` on 127.0.0.1 on a free port, in a subprocess
that is killed at the end.  Needs ``apt-get install -y chromium`` (skipped cleanly
without it) and Solara's browser assets in its local cache
(``scripts/fetch_solara_assets.sh``, from the npm registry) when there is no network.
"""

from __future__ import annotations

import contextlib
import os
import shutil
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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
]

sync_api = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _assets_ready() -> bool:
    import solara.server.settings as settings

    return (Path(settings.assets.proxy_cache_dir) / "@widgetti").is_dir()


@pytest.fixture(scope="module")
def server():
    if not _assets_ready() and shutil.which("npm"):
        subprocess.run(["bash", str(ROOT / "scripts" / "fetch_solara_assets.sh"), sys.executable], check=False,
                       timeout=180)
    port = _free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "workshop", "--host", "127.0.0.1",
                             "--port", str(port), "--lang", "fr"], cwd=ROOT, stdout=log, stderr=log,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"the workshop server exited with code {proc.returncode}: {_tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"the workshop server did not answer within 60 s: {_tail(log)}")
            time.sleep(0.3)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


def _tail(f) -> str:
    f.seek(0)
    return f.read().decode("utf-8", "replace")[-2000:]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(server, browser):
    pg = browser.new_page(viewport={"width": 1500, "height": 1300})
    pg.set_default_timeout(30_000)
    pg.goto(server)
    pg.get_by_role("button", name="Step").wait_for()
    pg.locator(".vti-chart canvas").nth(4).wait_for()  # the five ECharts charts have drawn
    yield pg
    pg.close()


def _status(pg) -> str:
    return pg.locator(".vti-status-table").inner_text()


def _wait_status(pg, text: str) -> None:
    pg.locator(".vti-status-table", has_text=text).wait_for()


def _dashboard_png(pg) -> bytes:
    time.sleep(0.3)  # let ECharts finish drawing the last update
    return pg.locator(".vti-dashboard").screenshot(animations="disabled")


def test_page_loads_with_live_charts_and_lever_sliders(page):
    pg = page
    assert pg.get_by_text("Atelier VTI", exact=False).first.is_visible()
    assert pg.locator(".vti-chart canvas").count() >= 5
    assert "0 / 144" in _status(pg)
    # one input per lever, built from the registry, in groups that open one at a time
    from vti_sim.registry import levers

    for group in sorted({p.group for p in levers()}):
        if pg.locator(f".vti-group-{group}", has_text="▸").count():
            pg.locator(f".vti-group-{group}").click()
        for p in levers():
            if p.group == group:
                pg.locator(f".vti-lever-{p.name}").wait_for()
                assert pg.locator(f".vti-lever-{p.name}").count() == 1, p.name
    assert pg.locator(".vti-missions").is_visible()
    # hovering a lever shows its meaning (French, from vti_sim.app.i18n; English comes from the registry)
    from vti_sim.app.i18n import lever_doc
    from vti_sim.registry import get

    pg.locator(".vti-lever-annual_budget_meur").hover()
    pg.get_by_text(lever_doc(get("annual_budget_meur"), "fr")).wait_for()


def test_stepping_changes_the_charts(page):
    pg = page
    before = _dashboard_png(pg)
    step = pg.get_by_role("button", name="Step")
    for month in range(1, 7):
        step.click()
        _wait_status(pg, f"{month} / 144")
    after = _dashboard_png(pg)
    assert before != after
    assert "lancement" in _status(pg) or "planification" in _status(pg)


def test_moving_a_slider_rebuilds_the_model(page):
    pg = page
    pg.locator(".vti-group-resources").click()
    lever = pg.locator(".vti-lever-annual_budget_meur")
    assert lever.locator(".vti-value").inner_text() == "15.6"
    _wait_status(pg, "15.6 M€")
    pg.get_by_role("button", name="Step").click()
    _wait_status(pg, "1 / 144")
    thumb = lever.locator("[role=slider]").first
    thumb.focus()
    thumb.press("Home")  # the slider's minimum, from the registry: 0.5 EUR M/year
    lever.locator(".vti-value", has_text="0.5").wait_for()
    # the model was rebuilt at month 0 with the new budget (read back from the model, not the slider)
    _wait_status(pg, "0.5 M€")
    assert "0 / 144" in _status(pg)


def test_language_switch(page):
    pg = page
    assert pg.get_by_text("Simulation en direct").is_visible()
    pg.locator(".vti-lang-en").click()
    pg.get_by_text("VTI workshop: steering a smart-city policy").wait_for()
    assert pg.get_by_text("Live run").is_visible()
    assert pg.get_by_text("Atelier VTI").count() == 0
    assert "This year's budget" in _status(pg)
    pg.locator(".vti-lang-fr").click()
    pg.get_by_text("Simulation en direct").wait_for()


def test_compare_mode_renders_two_settings_side_by_side(page):
    pg = page
    pg.locator(".vti-tab-compare").click()
    a, b = pg.locator(".vti-compare-a"), pg.locator(".vti-compare-b")
    a.wait_for()
    b.wait_for()
    a.locator(".vti-chart canvas").nth(1).wait_for()
    b.locator(".vti-chart canvas").nth(1).wait_for()
    ba, bb = a.bounding_box(), b.bounding_box()
    assert bb["x"] > ba["x"] + ba["width"] / 2  # side by side, not stacked
    table = a.locator(".vti-compare-table").inner_text()
    assert "Global" in table and "Ouvert" in table
    assert "Valeur nette" in table
