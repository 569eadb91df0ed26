"""Sweep benchmark (issue 4): Dask sweep vs ``mesa.batch_run`` on the same runs, parallel efficiency.

    .venv/bin/python benchmarks/bench_sweep.py                     # experiments/bench.toml, ~2,000 runs
    .venv/bin/python benchmarks/bench_sweep.py --experiment experiments/smoke.toml

Prints a table and writes ``benchmarks/results/sweep.json``.  Each contender runs in its
own child process; the parent samples the resident memory of the child's whole process
tree (the Dask scheduler and workers, or the multiprocessing pool) every 50 ms with psutil
and reports the peak of the sum.  The experiment must be a grid (so that ``batch_run``,
which takes a Cartesian product, runs exactly the same parameter sets).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# ----------------------------------------------------------------------------------------- children
def child_sweep(experiment: str, workers: int, out: str) -> dict:
    sw = importlib.import_module("vti_sim.sweep")  # the module (vti_sim.sweep may be the function)

    t0 = time.perf_counter()
    client, cluster = sw._connect(workers, None)  # cluster start-up cost alone, measured once
    client.close()
    cluster.close()
    startup = time.perf_counter() - t0
    t0 = time.perf_counter()
    sw.sweep(experiment, workers=workers, out=out, progress=False)
    wall = time.perf_counter() - t0
    timing = json.loads((Path(out) / "timing.json").read_text())["sessions"][-1]
    return {"wall_s": wall, "cluster_startup_s": startup, "compute_loop_s": timing["wall_s"],
            "compute_s": timing["compute_s"], "in_worker_efficiency": timing["efficiency"]}


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
def measure(args: list[str]) -> dict:
    """Run ``bench_sweep.py --child ...`` and sample the RSS of its whole process tree."""
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
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
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed with code {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_rss_tree_mb"] = round(peak / 2**20, 1)
    result["peak_rss_one_process_mb"] = round(peak_single / 2**20, 1)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--experiment", default=str(ROOT / "experiments" / "bench.toml"))
    ap.add_argument("--single-runs", type=int, default=100, help="runs timed sequentially for the per-run time")
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "sweep.json"))
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        kind, *rest = a.child
        if kind == "sweep":
            res = child_sweep(rest[0], int(rest[1]), rest[2])
        elif kind == "batch_run":
            res = child_batch_run(rest[0], int(rest[1]))
        else:
            res = child_single(rest[0], int(rest[1]))
        print(json.dumps(res))
        return

    sw = importlib.import_module("vti_sim.sweep")  # the module (vti_sim.sweep may be the function)

    a.experiment = str(Path(a.experiment).resolve())
    exp = sw.load_experiment(a.experiment)
    if exp.method != "grid":
        sys.exit("bench_sweep.py needs a grid experiment (batch_run takes a Cartesian product)")
    runs = sw.build_design(exp).n_points * exp.replicates
    print(f"experiment {exp.name}: {runs} runs of {exp.base['months']} months, chunk_size {exp.chunk_size}; "
          f"{os.cpu_count()} CPUs", flush=True)
    load_before = os.getloadavg()
    single = measure(["single", a.experiment, str(a.single_runs)])
    print(f"per run, sequential: sweep unit (simulate + summarise) {single['sweep_unit_s'] * 1000:.1f} ms, "
          f"api.run {single['api_run_s'] * 1000:.1f} ms, bare model loop "
          f"{single['bare_model_s'] * 1000:.1f} ms; default 144-month run "
          f"{single['default_144_months_s'] * 1000:.1f} ms", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    rows = []
    try:
        for workers in (1, 2):
            r = measure(["sweep", a.experiment, str(workers), str(tmp / f"w{workers}")])
            ideal = runs * single["sweep_unit_s"] / workers
            r.update(contender=f"vti-sim sweep (dask, {workers} worker{'s' if workers > 1 else ''})", workers=workers,
                     runs=runs, runs_per_s=runs / r["wall_s"], ideal_s=ideal, efficiency=ideal / r["wall_s"],
                     efficiency_excl_startup=ideal / max(r["wall_s"] - r["cluster_startup_s"], 1e-9))
            rows.append(r)
            print(f"  {r['contender']}: {r['wall_s']:.1f} s", flush=True)
        r = measure(["batch_run", a.experiment, "2"])
        ideal = runs * single["bare_model_s"] / 2
        r.update(contender="mesa.batch_run (2 processes)", workers=2, runs=runs, runs_per_s=runs / r["wall_s"],
                 ideal_s=ideal, efficiency=ideal / r["wall_s"], efficiency_excl_startup=None)
        rows.append(r)
        print(f"  {r['contender']}: {r['wall_s']:.1f} s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    head = (f"{'contender':<36} {'runs':>6} {'wall s':>8} {'runs/s':>8} {'peak MB':>8} {'eff.':>6} {'eff.*':>6} "
            f"{'eff.w':>6}")
    print(head)
    print("-" * len(head))
    for r in rows:
        ex = "" if r["efficiency_excl_startup"] is None else f"{r['efficiency_excl_startup']:.2f}"
        ew = "" if r.get("in_worker_efficiency") is None else f"{r['in_worker_efficiency']:.2f}"
        print(f"{r['contender']:<36} {r['runs']:>6} {r['wall_s']:>8.1f} {r['runs_per_s']:>8.1f} "
              f"{r['peak_rss_tree_mb']:>8.0f} {r['efficiency']:>6.2f} {ex:>6} {ew:>6}")
    print("eff. = ideal (runs x sequential per-run time / workers) / wall; eff.* the same without cluster start-up;")
    print("eff.w = summed in-worker compute time / (workers x wall of the compute loop), from OUT/timing.json.")
    print(f"load average before/after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f} (other jobs share the CPUs)")
    print("The sweep's per-run unit is api.simulate + api.summarise (no tables); "
          "batch_run's is the bare model + datacollector.")

    per_run = single["default_144_months_s"]
    eff2 = rows[1]["in_worker_efficiency"]
    n, cores = 1_000_000, 64
    estimate_h = n * per_run / (cores * eff2) / 3600
    result = {"experiment": exp.name, "runs": runs, "months": exp.base["months"], "chunk_size": exp.chunk_size,
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version(),
                          "loadavg_before": load_before, "loadavg_after": os.getloadavg()},
              "single": single, "contenders": rows,
              "estimate_1M_sobol_64_cores": {"per_run_s_144_months": per_run, "efficiency_assumed": eff2,
                                             "hours": estimate_h},
              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(result, indent=2) + "\n")
    print(f"\n1M runs x {per_run * 1000:.0f} ms (144 months) on {cores} cores at efficiency {eff2:.2f}: "
          f"~{estimate_h:.1f} h compute. Written {a.json}")


if __name__ == "__main__":
    main()
