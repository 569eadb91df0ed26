"""How fast the workshop page follows the model, measured in the browser (Debian's Chromium, Playwright).

Serves the app with ``vti-sim workshop`` on a free port and opens it in headless Chromium, then:

* plays a full 144-month run with no pause between months (``VTI_SIM_PLAY_MS=0``): the page records, with a
  MutationObserver, when each month appears in the status table; ms per month = time between two months shown
  (divided by the months between them, when the page skips one) — the whole chain: model step, frame, the server's
  updates of the live widgets, the websocket, the browser's DOM and chart redraws;
* the same at the "fast" speed the trainer can pick (40 ms a month) to check the page keeps up;
* slider → charts updated: after a run has played to month 144, a budget slider move (Home / End keys) until the
  status table shows the new budget at month 0, every update of that frame has arrived, every chart in view shows
  it and that frame is presented, timed in the page from the key's event, 10 times; a lever move always lands on
  month 0, whose pictures the page keeps (``vti_sim/app/echarts.py``), so each move is then followed, half a second
  later, by a Step, timed the same way from the click: month 1, which the page has drawn ahead while at rest;
* Steps one after another, timed the same way: after 1 s at rest, and 0.1 s after the previous Step (too soon for
  the month to be drawn ahead: every chart draws it as it arrives);
* the PNG export: click → file downloaded, for a month just stepped to (the click draws it) and for a month the
  page has rested on for 2 s (drawn ahead, ``vti_sim.app.exports.PngCache``); each after a Step, so every export is
  of a new month.

    .venv/bin/python benchmarks/bench_app.py [--lang fr] [--repeat 10] [--root CHECKOUT]

``--root`` serves another checkout's app (e.g. a worktree of the commit before) with the same measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

OBSERVE = """() => {
  window.vtiMonths = [];
  const el = document.querySelector('.vti-status-table');
  const read = () => {
    const m = /(\\d+) \\/ 144/.exec(el.textContent);  // not innerText: that would force a layout
    if (m) window.vtiMonths.push([performance.now(), +m[1]]);
  };
  new MutationObserver(read).observe(el, {subtree: true, childList: true, characterData: true});
}"""


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def _line(name: str, xs: list[float]) -> str:
    return (f"{name:<44} median {statistics.median(xs):7.1f} ms   p90 {_pct(xs, 0.9):7.1f} ms   "
            f"max {max(xs):7.1f} ms   (n={len(xs)})")


def _per_month(samples: list[list[float]]) -> tuple[list[float], int]:
    per, shown = [], set()
    for (t0, m0), (t1, m1) in zip(samples, samples[1:], strict=False):
        shown.add(m1)
        if m1 > m0 >= 1:
            per.extend([(t1 - t0) / (m1 - m0)] * int(m1 - m0))
    return per, len(shown)


def _server(port: int, play_ms: int | None, lang: str, root: Path = ROOT):
    env = {**os.environ, "PYTHONPATH": str(root)}
    if play_ms is not None:
        env["VTI_SIM_PLAY_MS"] = str(play_ms)
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller
    proc = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "workshop", "--port", str(port), "--lang", lang],
                            cwd=root, stdout=log, stderr=log, start_new_session=True, env=env)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 180
    while True:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                return proc, log, url
        if proc.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise SystemExit(f"the workshop server did not start: {log.read().decode()[-2000:]}")
        time.sleep(0.3)


def _stop(proc, log) -> str:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=20)
    log.seek(0)
    out = log.read().decode("utf-8", "replace")
    log.close()
    return out


def _open(browser, url):
    pg = browser.new_page(viewport={"width": 1500, "height": 1300}, accept_downloads=True)
    pg.set_default_timeout(120_000)
    pg.goto(url)
    pg.locator(".vti-play").wait_for()
    pg.locator(".vti-chart .vti-echarts-instance:not([style*='visibility: hidden']) canvas").nth(4).wait_for()
    time.sleep(1.0)
    return pg


def _cpu(server_pid: int) -> tuple[float, float]:
    """CPU seconds used so far by the browser (Chromium processes under this one) and by the server: unlike wall
    times, they do not grow when other programs compete for the cores."""
    import psutil

    browser = 0.0
    for p in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "chrom" in p.name().lower():
                t = p.cpu_times()
                browser += t.user + t.system
    t = psutil.Process(server_pid).cpu_times()
    return browser, t.user + t.system


def _metrics(cdp) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def _play_full(pg, server_pid: int) -> tuple[list[float], int, float, dict[str, float]]:
    """Per-month times, months drawn, wall time, the browser's main-thread time per month by kind (CDP), and the
    CPU time per month of the browser and of the server."""
    cdp = pg.context.new_cdp_session(pg)
    cdp.send("Performance.enable")
    pg.evaluate(OBSERVE)
    before = _metrics(cdp)
    cpu0 = _cpu(server_pid)
    t0 = time.perf_counter()
    pg.locator(".vti-play").click()
    pg.locator(".vti-status-table", has_text="144 / 144").wait_for()
    wall = time.perf_counter() - t0
    cpu1 = _cpu(server_pid)
    time.sleep(0.3)
    after = _metrics(cdp)
    per, shown = _per_month(pg.evaluate("window.vtiMonths"))
    busy = {k: 1000 * (after[k] - before[k]) / 144 for k in ("TaskDuration", "ScriptDuration", "LayoutDuration",
                                                             "RecalcStyleDuration")}
    busy["browser CPU"] = 1000 * (cpu1[0] - cpu0[0]) / 144
    busy["server CPU"] = 1000 * (cpu1[1] - cpu0[1]) / 144
    return per, shown, wall, busy


SLIDER = """([want, seq0, type]) => {
  // the move starts at the key's (or the click's) event time; it ends once the status table shows the text wanted,
  // every update of that frame has arrived (the ack widget comes last: vtiSeq), every chart in view shows it
  // (echarts.py counts the ones due), and that animation frame is presented (a message posted from it runs just after)
  window.vtiMove = new Promise((resolve) => {
    const el = document.querySelector('.vti-status-table');
    let t0 = null;
    document.addEventListener(type || 'keydown', (e) => { t0 = e.timeStamp; }, {capture: true, once: true});
    const check = () => {
      if (t0 === null || !el.textContent.includes(want) || (window.vtiSeq || 0) <= seq0 || window.vtiChartsDue) {
        requestAnimationFrame(check);
        return;
      }
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(performance.now() - t0);
      ch.port2.postMessage(0);
    };
    requestAnimationFrame(check);
  });
}"""


def _slider_moves(pg, server_pid: int, repeat: int, low: str, high: str) -> None:
    """Slider → charts updated, as a trainer does it: a run has played to its horizon, then a budget slider moves
    (Home / End keys) and the page rebuilds at month 0, every chart redrawn.  Timed in the page, from the key's
    event to the frame that shows it all (a driver-side clock would add its own round trips to the browser)."""
    pg.locator(".vti-group-resources").click()
    thumb = pg.locator(".vti-lever-annual_budget_meur [role=slider]").first
    times, server, browser_cpu, steps = [], [], [], []
    for k in range(repeat):
        if k:  # play the new run to its horizon: every chart holds 144 months again
            pg.locator(".vti-play").click()
            pg.locator(".vti-status-table", has_text="144 / 144").wait_for()
        time.sleep(0.5)  # the page at rest, as when the trainer reaches for a slider
        key, want = ("Home", low) if k % 2 == 0 else ("End", high)
        thumb.focus()
        b0, c0 = _cpu(server_pid)
        pg.evaluate(SLIDER, [want, pg.evaluate("window.vtiSeq || 0")])
        thumb.press(key)
        times.append(pg.evaluate("window.vtiMove"))
        time.sleep(0.2)  # let the server finish its part before reading its CPU
        b1, c1 = _cpu(server_pid)
        browser_cpu.append(1000 * (b1 - b0))
        server.append(1000 * (c1 - c0))
        # then, half a second later, Step: month 1, which the page has drawn ahead meanwhile (echarts.py)
        time.sleep(0.3)
        steps.append(_step(pg, 1))
        time.sleep(0.2)
    print(_line("  slider -> charts updated", times))
    print(_line("    server CPU of that move", server))
    print(_line("    browser CPU of that move", browser_cpu))
    print(_line("  then Step (0.5 s later) -> month 1", steps) + f"  charts drawn at the Step: {_drawn()}")


COUNT_DRAWS = """() => {
  // every ECharts instance of the page shares its class's setOption: count the calls
  const proto = Object.getPrototypeOf(document.querySelector('.vti-chart-social').vtiChart);
  if (!proto.vtiCounted) {
    const setOption = proto.setOption;
    proto.setOption = function (...args) { window.vtiDraws = (window.vtiDraws || 0) + 1;
                                           return setOption.apply(this, args); };
    proto.vtiCounted = true;
  }
}"""
DRAWN_AT_STEP: list[int] = []  # charts drawn between a Step's click and its month on screen


def _step(pg, month: int) -> float:
    """One Step, timed in the page from the click to the frame that shows the month with every chart drawn."""
    pg.evaluate(COUNT_DRAWS)
    pg.evaluate(SLIDER, [f"{month} / 144", pg.evaluate("window.vtiSeq || 0"), "click"])
    drawn = pg.evaluate("window.vtiDraws || 0")
    pg.locator(".vti-step").click()
    ms = pg.evaluate("window.vtiMove")
    DRAWN_AT_STEP.append(pg.evaluate("window.vtiDraws || 0") - drawn)
    return ms


def _steps(pg, repeat: int) -> None:
    """Steps one after another from month 1, as a trainer goes through a run month by month: after a rest of 1 s
    (talking about the month shown) and right after the previous Step (0.1 s: nothing drawn ahead yet)."""
    month = 1
    for rest, label in ((1.0, "Step after 1 s at rest"), (0.1, "Step 0.1 s after a Step")):
        times = []
        for _ in range(repeat):
            time.sleep(rest)
            month += 1
            times.append(_step(pg, month))
        print(_line(f"  {label}", times) + f"  charts drawn at the Step: {_drawn()}")


def _drawn() -> str:
    counts, DRAWN_AT_STEP[:] = list(DRAWN_AT_STEP), []
    return f"median {statistics.median(counts):g}, max {max(counts)}" if counts else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", default="fr")
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--png-repeat", type=int, default=5)
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose app is served (default: this one)")
    args = ap.parse_args()
    print(f"serving {args.root.resolve()}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    from playwright.sync_api import sync_playwright

    budget = "0,5 M€" if args.lang == "fr" else "0.5 M€"
    top = "60,0 M€" if args.lang == "fr" else "60.0 M€"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for play_ms, label in ((0, "no pause between months"), (None, "'fast' speed, 40 ms a month")):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            env_speed = os.environ.pop("VTI_SIM_SPEED", None)
            if play_ms is None:
                os.environ["VTI_SIM_SPEED"] = "fast"
            proc, log, url = _server(port, play_ms, args.lang, args.root)
            try:
                pg = _open(browser, url)
                per, shown, wall, busy = _play_full(pg, proc.pid)
                print(f"full play, {label}: 144 months in {wall:.2f} s, {shown} months drawn")
                print(_line("  ms per month (browser)", per))
                print("  per month: " + ", ".join(f"{k.replace('Duration', '').lower()} {v:.1f} ms"
                                                  for k, v in busy.items()))
                if play_ms == 0:
                    _slider_moves(pg, proc.pid, args.repeat, budget, top)
                    _steps(pg, args.repeat)
                    for rest, label in ((0.0, "click just after Step"), (2.0, "click 2 s after Step")):
                        times, cpu = [], []
                        for _ in range(args.png_repeat):
                            pg.locator(".vti-step").click()  # a new month: nothing drawn for it yet
                            time.sleep(rest)  # the page draws the PNG of a month it rests on (exports.PngCache)
                            c0 = _cpu(proc.pid)[1]
                            t0 = time.perf_counter()
                            with pg.expect_download() as info:
                                pg.locator(".vti-export-png").click()
                            info.value.path()
                            times.append(1000 * (time.perf_counter() - t0))
                            cpu.append(1000 * (_cpu(proc.pid)[1] - c0))
                        print(_line(f"  PNG export, {label}", times))
                        print(_line("    server CPU from the click", cpu))
                pg.close()
            finally:
                out = _stop(proc, log)
                if env_speed is not None:
                    os.environ["VTI_SIM_SPEED"] = env_speed
                else:
                    os.environ.pop("VTI_SIM_SPEED", None)
            if "Traceback" in out:
                print("server log shows a traceback:\n" + out[-3000:])
        browser.close()


if __name__ == "__main__":
    main()
