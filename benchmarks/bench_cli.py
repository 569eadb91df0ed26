"""End-to-end time of the real ``vti-sim`` command (issue 14, item 3), hyperfine-style.

    .venv/bin/python benchmarks/bench_cli.py                          # vti-sim run angers, 9 timed runs
    .venv/bin/python benchmarks/bench_cli.py --baseline 6254126 -n 9   # alternate with an older commit
    .venv/bin/python benchmarks/bench_cli.py --workers 0,2             # figures in-process vs two processes

Each contender is a fresh ``python -m vti_sim.cli run angers --seed 1 --out TMP -q`` process (what a user
types), run ``--warmup`` times untimed (numba's cache, the OS page cache) and then ``-n`` times, contenders
alternating run by run so that drift in the shared machine's load hits all alike.  Reported: median and min of
the wall time, median CPU time (user + system of the process and its children: the figure helpers) and the
load average.  On a machine shared with other jobs, ``--nice -10`` runs the timed commands ahead of them, which
is what a quiet machine would give.  ``--baseline REF`` exports that commit with ``git archive`` into a temporary
directory and runs it the same way.  Results go to ``benchmarks/results/cli.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


NICE = 0


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, children included) of one run of ``cmd``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=(lambda: os.nice(NICE)) if NICE else None)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime


def export(ref: str, into: Path) -> Path:
    """The tree of commit ``ref``, as files, without touching the repository's worktrees."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--runs", type=int, default=9, help="timed runs per contender")
    ap.add_argument("--warmup", type=int, default=2, help="untimed runs per contender first")
    ap.add_argument("--baseline", help="also time this commit (e.g. 6254126), alternating with the working tree")
    ap.add_argument("--workers", default="", help="comma-separated VTI_SIM_FIGURE_WORKERS values to compare")
    ap.add_argument("--args", default="run angers --seed 1", help="the vti-sim command line to time")
    ap.add_argument("--nice", type=int, default=0,
                    help="run the timed commands at this niceness (negative: ahead of other jobs; needs root)")
    ap.add_argument("--json", default=str(ROOT / "benchmarks" / "results" / "cli.json"))
    a = ap.parse_args()
    global NICE
    NICE = a.nice

    tmp = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    contenders: list[tuple[str, Path, dict[str, str]]] = []
    base_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VTI_SIM_FIGURE_WORKERS")}
    for w in [x.strip() for x in a.workers.split(",") if x.strip()] or [None]:
        env = {**base_env, "PYTHONPATH": str(ROOT)} | ({} if w is None else {"VTI_SIM_FIGURE_WORKERS": w})
        contenders.append(("working tree" + ("" if w is None else f", {w} drawing processes"), ROOT, env))
    if a.baseline:
        tree = export(a.baseline, tmp / "baseline")
        contenders.append((f"commit {a.baseline}", tree, {**base_env, "PYTHONPATH": str(tree)}))
    argv = a.args.split()
    try:
        for i in range(a.warmup):
            for k, (_, tree, env) in enumerate(contenders):
                timed(command(argv, tmp / f"w{k}-{i}"), env, tree)
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in contenders}
        load_before = os.getloadavg()
        for i in range(a.runs):
            order = contenders if i % 2 == 0 else contenders[::-1]  # alternate who goes first
            for name, tree, env in order:
                samples[name].append(timed(command(argv, tmp / f"r{i}"), env, tree))
                shutil.rmtree(tmp / f"r{i}", ignore_errors=True)
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rows = []
    print(f"vti-sim {a.args}: {a.runs} runs per contender after {a.warmup} warm-ups, alternated; "
          f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} -> {load_after[0]:.2f}, niceness {a.nice}")
    print(f"{'contender':<42} {'median s':>9} {'min s':>7} {'max s':>7} {'CPU s':>7}")
    for name, s in samples.items():
        walls, cpus = [w for w, _ in s], [c for _, c in s]
        row = {"contender": name, "median_s": statistics.median(walls), "min_s": min(walls), "max_s": max(walls),
               "cpu_median_s": statistics.median(cpus), "walls_s": walls, "cpus_s": cpus}
        rows.append(row)
        print(f"{name:<42} {row['median_s']:>9.2f} {row['min_s']:>7.2f} {row['max_s']:>7.2f} "
              f"{row['cpu_median_s']:>7.2f}")
    result = {"command": f"vti-sim {a.args}", "runs": a.runs, "warmup": a.warmup, "nice": a.nice, "contenders": rows,
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                          "python": platform.python_version(), "loadavg_before": load_before,
                          "loadavg_after": load_after},
              "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    Path(a.json).parent.mkdir(parents=True, exist_ok=True)
    Path(a.json).write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {a.json}")


def command(argv: list[str], out: Path) -> list[str]:
    return [sys.executable, "-m", "vti_sim.cli", *argv, "--out", str(out), "-q"]


if __name__ == "__main__":
    main()
