"""CPU a run of a sweep's own chunks, in one process: compare two trees on the same runs of a real design.

    python benchmarks/bench_chunks.py --tree . --start 5 --stride 32          # every 32nd chunk of sobol_full
    python benchmarks/bench_chunks.py --tree /tmp/base --start 5 --stride 32  # the same chunks, another checkout

Alternate the trees (the machine's speed drifts): ``run_chunk`` is what a sweep worker runs, so this measures
the sweep's unit of work on the design's own mix of settings, not the default run's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", default=".", help="checkout whose vti_sim is imported (default: this one)")
    ap.add_argument("--experiment", default="experiments/sobol_full.toml", help="relative to the tree")
    ap.add_argument("--start", type=int, default=5)
    ap.add_argument("--stride", type=int, default=32)
    args = ap.parse_args()
    tree = Path(args.tree).resolve()
    sys.path.insert(0, str(tree))
    import vti_sim
    from vti_sim.experiments.chunks import chunk_task, n_chunks, run_chunk
    from vti_sim.experiments.design import build_design
    from vti_sim.experiments.experiment import load_experiment

    assert Path(vti_sim.__file__).resolve().is_relative_to(tree), vti_sim.__file__
    exp = load_experiment(tree / args.experiment)
    design = build_design(exp)
    run_chunk(chunk_task(exp, design, 0))  # kernels loaded, caches warm
    cpu, wall, runs = time.process_time(), time.perf_counter(), 0
    for c in range(args.start, n_chunks(design.n_points * exp.replicates, exp.chunk_size), args.stride):
        task = chunk_task(exp, design, c)
        run_chunk(task)
        runs += task["stop"] - task["start"]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{tree}: {runs} runs, {1e3 * cpu / runs:.2f} ms CPU a run ({1e3 * wall / runs:.2f} ms wall)")


if __name__ == "__main__":
    main()
