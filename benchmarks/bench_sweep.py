"""Sweep benchmark (issues 4 and 14): ``vti-sim sweep`` vs ``mesa.batch_run`` on the same runs, at several sizes.

    .venv/bin/python benchmarks/bench_sweep.py                        # experiments/bench.toml: 200, 1,000, 2,000 runs
    .venv/bin/python benchmarks/bench_sweep.py --sizes 2000 --repeats 3

Contenders, on 2 processes each, timed end to end as a user meets them (a fresh process, imports and start-up
included, measured by this parent):
- ``vti-sim sweep EXP --workers 2``: on Linux, warm workers forked from the sweep's process (experiments/local.py,
  the default since issue 14);
- the same with ``VTI_SIM_SWEEP_EXECUTOR=dask``: a Dask LocalCluster, the default before issue 14;
- a script that imports vti-sim and calls ``mesa.batch_run(VTIModel, ..., number_processes=2)``.
Sizes are the bench grid with fewer levels of ``leader_time_share`` (200 runs per level).  Contenders alternate
within each round, and each figure is the median over ``--repeats`` rounds.  The parent samples the resident
memory of each child's whole process tree every 50 ms with psutil and reports the peak of the sum.  Prints a table
with the ratio to ``batch_run`` and writes ``benchmarks/results/sweep.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# ----------------------------------------------------------------------------------------- children
def child_batch_run(experiment: str, processes: int) -> dict:
    import mesa

    from vti_sim import VTIModel
    sw = importlib.import_module("vti_sim.sweep")  # the module (vti_sim.sweep may be the function)

    exp = sw.load_experiment(experiment)
    params = {k: v for k, v in exp.base.items() if k not in exp.names}
    for f in exp.factors:
        params[f.name] = f.grid()[1]
    t0 = time.perf_counter()
    rows = mesa.batch_run(VTIModel, parameters=params, iterations=exp.replicates, max_steps=exp.base["months"],
                          number_processes=processes, display_progress=False)
    wall = time.perf_counter() - t0
    return {"wall_s": wall, "rows": len(rows)}


def child_single(experiment: str, n: int) -> dict:
    """Sequential per-run times in one process: the sweep's unit of work (api.simulate + api.summarise), the full
    api.run (tables built) and a bare model loop."""
    from vti_sim import VTIModel, run
    from vti_sim.outputs.result import release, simulate, summarise
    from vti_sim.registry import resolve
    sw = importlib.import_module("vti_sim.sweep")  # the module (vti_sim.sweep may be the function)

    exp = sw.load_experiment(experiment)
    design = sw.build_design(exp)
    points = [{k: v[i] for k, v in design.points.items()} for i in range(design.n_points)]
    step = max(1, len(points) // n)
    chosen = points[::step][:n]
    run(dict(exp.base), seed=0, overrides=chosen[0])  # warm-up (imports, caches)
    t0 = time.perf_counter()
    for i, p in enumerate(chosen):
        run(dict(exp.base), seed=i, overrides=p)
    api_run = (time.perf_counter() - t0) / len(chosen)
    t0 = time.perf_counter()
    for i, p in enumerate(chosen):
        m = simulate(resolve({**exp.base, **p}), i)
        summarise(m)
        release(m)
    unit = (time.perf_counter() - t0) / len(chosen)
    t0 = time.perf_counter()
    for i, p in enumerate(chosen):
        m = VTIModel(rng=i, **{**exp.base, **p})
        while m.running:
            m.step()
        release(m)
    bare = (time.perf_counter() - t0) / len(chosen)
    from vti_sim.outputs.result import run as api_run_fn

    t0 = time.perf_counter()
    for i in range(10):
        api_run_fn(None, seed=i)  # the default 144-month run, for the 1M-run estimate
    default_144 = (time.perf_counter() - t0) / 10
    return {"sweep_unit_s": unit, "api_run_s": api_run, "bare_model_s": bare, "default_144_months_s": default_144,
            "n": len(chosen)}


# ----------------------------------------------------------------------------------------- parent
def measure(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    """Run ``cmd`` in a child process; its wall time and the peak RSS of its whole process tree."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    parent = psutil.Process(proc.pid)
    peak = peak_single = 0
    while proc.poll() is None:
        total = 0
        try:
            procs = [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in procs:
            try:
                rss = p.memory_info().rss
            except psutil.NoSuchProcess:
                continue
            total += rss
            peak_single = max(peak_single, rss)
        peak = max(peak, total)
        time.sleep(0.05)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed with code {proc.returncode}: {err[-2000:]}")
    lines = out.strip().splitlines()
    result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    result.update(process_wall_s=wall, peak_rss_tree_mb=round(peak / 2**20, 1),
                  peak_rss_one_process_mb=round(peak_single / 2**20, 1))
    return result


def sized(experiment: Path, runs: int, into: Path) -> Path:
    """The bench grid with ``runs // 200`` levels of leader_time_share (1,000 points x 2 replicates = 2,000)."""
    levels = runs // 200
    text = experiment.read_text(encoding="utf-8")
    spec = "[0.275]" if levels == 1 else f"{{ min = 0.05, max = 0.5, levels = {levels} }}"
    text, n = re.subn(r"(?m)^leader_time_share = .*$", f"leader_time_share = {spec}", text)
    if n != 1 or runs % 200:
        raise SystemExit("--sizes: multiples of 200 runs, with experiments/bench.toml")
    path = into / f"bench{runs}.toml"
    path.write_text(text.replace('name = "bench"', f'name = "bench{runs}"'), encoding="utf-8")
    return path


def contenders(exp: Path, out: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    sweep = [sys.executable, "-m", "vti_sim.cli", "sweep", str(exp), "--workers", "2", "--quiet"]
    return {
        "vti-sim sweep, 2 forked workers": ([*sweep, "--out", str(out / "local")], {"VTI_SIM_SWEEP_EXECUTOR": "local"}),
        "vti-sim sweep, Dask LocalCluster (2)": ([*sweep, "--out", str(out / "dask")],
                                                 {"VTI_SIM_SWEEP_EXECUTOR": "dask"}),
        "mesa.batch_run, 2 processes": ([sys.executable, __file__, "--child", "batch_run", str(exp), "2"], {}),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--experiment", default=str(ROOT / "experiments" / "bench.toml"))
    ap.add_argument("--sizes", default="200,1000,2000", help="runs per sweep (multiples of 200)")
    ap.add_argument("--repeats", type=int, default=1, help="rounds of alternated contenders (median reported)")
    ap.add_argument("--single-runs", type=int, default=100, help="runs timed sequentially for the per-run time")
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "sweep.json"))
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *rest = a.child
        child = child_batch_run if kind == "batch_run" else child_single
        print(json.dumps(child(rest[0], int(rest[1]))))
        return

    sw = importlib.import_module("vti_sim.sweep")  # the module (vti_sim.sweep may be the function)
    base = Path(a.experiment).resolve()
    exp = sw.load_experiment(base)
    if exp.method != "grid":
        sys.exit("bench_sweep.py needs a grid experiment (batch_run takes a Cartesian product)")
    sizes = [int(x) for x in a.sizes.split(",")]
    print(f"experiment {exp.name}: sizes {sizes} runs of {exp.base['months']} months, chunk_size {exp.chunk_size}; "
          f"{os.cpu_count()} CPUs; {a.repeats} round(s)", flush=True)
    load_before = os.getloadavg()
    single = measure([sys.executable, __file__, "--child", "single", str(base), str(a.single_runs)])
    print(f"per run, sequential: sweep unit (simulate + summarise) {single['sweep_unit_s'] * 1000:.1f} ms, "
          f"api.run {single['api_run_s'] * 1000:.1f} ms, bare model loop "
          f"{single['bare_model_s'] * 1000:.1f} ms; default 144-month run "
          f"{single['default_144_months_s'] * 1000:.1f} ms", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    samples: dict[tuple[int, str], list[dict]] = {}
    try:
        for rnd in range(a.repeats):
            for runs in sizes:
                path = sized(base, runs, tmp)
                named = list(contenders(path, tmp).items())
                for name, (cmd, env) in (named if rnd % 2 == 0 else named[::-1]):
                    shutil.rmtree(tmp / "local", ignore_errors=True)
                    shutil.rmtree(tmp / "dask", ignore_errors=True)
                    r = measure(cmd, env)
                    samples.setdefault((runs, name), []).append(r)
                    print(f"  round {rnd + 1}, {runs} runs, {name}: {r['process_wall_s']:.1f} s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load_after = os.getloadavg()

    rows = []
    for (runs, name), rs in samples.items():
        wall = statistics.median(r["process_wall_s"] for r in rs)
        rows.append({"runs": runs, "contender": name, "wall_s": wall, "walls_s": [r["process_wall_s"] for r in rs],
                     "runs_per_s": runs / wall, "peak_rss_tree_mb": max(r["peak_rss_tree_mb"] for r in rs),
                     "ideal_s": runs * single["sweep_unit_s"] / 2,
                     "batch_run_call_s": statistics.median(r["wall_s"] for r in rs) if "rows" in rs[0] else None})
    for r in rows:
        ref = next(x for x in rows if x["runs"] == r["runs"] and x["contender"].startswith("mesa.batch_run"))
        r["ratio_to_batch_run"] = r["wall_s"] / ref["wall_s"]
        r["efficiency"] = r["ideal_s"] / r["wall_s"]

    print()
    head = f"{'runs':>6} {'contender':<38} {'wall s':>7} {'÷ batch_run':>11} {'runs/s':>7} {'peak MB':>8} {'eff.':>5}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['runs']:>6} {r['contender']:<38} {r['wall_s']:>7.1f} {r['ratio_to_batch_run']:>11.2f} "
              f"{r['runs_per_s']:>7.1f} {r['peak_rss_tree_mb']:>8.0f} {r['efficiency']:>5.2f}")
    print("wall = the whole process, from its start (imports, cluster or pool start-up, runs, writing) to its exit;")
    print("eff. = runs x sequential sweep unit / 2 processes / wall.")
    print(f"load average before/after: {load_before[0]:.1f} / {load_after[0]:.1f} (other jobs share the CPUs)")
    result = {"experiment": exp.name, "sizes": sizes, "months": exp.base["months"], "chunk_size": exp.chunk_size,
              "repeats": a.repeats,
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version(),
                          "loadavg_before": load_before, "loadavg_after": load_after},
              "single": single, "contenders": rows,
              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {a.json}")


if __name__ == "__main__":
    main()
