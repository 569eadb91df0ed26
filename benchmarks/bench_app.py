"""How long one month takes in the workshop app: model.step() plus re-rendering every live component.

Renders the whole page (Mesa's SolaraViz controls, our sidebar and dashboard) with
``solara.render`` (no browser), then for each month does what Mesa's Step / Play
does: ``model.step()`` then ``force_update()``, which re-renders every component
subscribed to Mesa's step counter.  Prints per-step timings (median, p95, max) for
the step alone, the re-render alone and both, then each chart builder alone.

    .venv/bin/python benchmarks/bench_app.py [--months 144] [--lang fr]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def _line(name: str, xs: list[float]) -> str:
    ms = [1000 * x for x in xs]
    return f"{name:<30} median {statistics.median(ms):7.2f} ms   p95 {_pct(ms, 0.95):7.2f} ms   max {max(ms):7.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--months", type=int, default=144)
    ap.add_argument("--lang", default="fr")
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    import solara
    from mesa.visualization.utils import force_update

    from vti_sim.app import workshop as app

    app.LANG.set(args.lang)
    model = solara.reactive(app.WorkshopModel())
    t0 = time.perf_counter()
    # inside an AppLayout, as the server does, so the sidebar (Mesa's controls, our levers) is in the tree too
    box, rc = solara.render(solara.AppLayout(children=[app.Page(model=model)]), handle_error=False)
    first = time.perf_counter() - t0
    steps, renders, totals = [], [], []
    m = model.value
    for _ in range(args.months):
        if not m.running:
            break
        a = time.perf_counter()
        m.step()
        b = time.perf_counter()
        force_update()  # what Mesa's ModelController does after each step
        c = time.perf_counter()
        steps.append(b - a)
        renders.append(c - b)
        totals.append(c - a)
    print(f"first render of the whole page: {1000 * first:.0f} ms")
    print(f"months run: {len(totals)} (horizon {m.months})")
    print(_line("model.step()", steps))
    print(_line("re-render of all live views", renders))
    print(_line("step + re-render", totals))
    print("chart builders at the last month:")
    for f in (app.timeline_option, app.value_option, app.time_option, app.social_option, app.grid_option,
              app.missions_html, app.status_rows):
        xs = []
        for _ in range(30):
            a = time.perf_counter()
            f(m, args.lang)
            xs.append(time.perf_counter() - a)
        print(_line(f"  {f.__name__}", xs))
    rc.close()


if __name__ == "__main__":
    main()
