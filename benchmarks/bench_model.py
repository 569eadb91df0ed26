"""Speed of one default run vs the cheapest possible per-agent Mesa loop over the same agents and months.

The baseline is what the issue names: Mesa Agents whose ``step()`` does one random draw and one update,
run with ``shuffle_do`` for the same number of agents and months as a default VTIModel run.  Goal (issue 14): the
model (with its timeseries and summary built) is at least 30x faster, and at least 10x faster than mesa-frames'
equivalent loop (one polars agent set, shuffled, one draw and one add per agent and month) where ``mesa_frames``
imports; it is not a dependency of vti-sim, so without it that contender is skipped with a note.  Run:

    .venv/bin/python benchmarks/bench_model.py [--repeats 9] [--stages]

CPU time (``time.process_time``) is reported so that other load on the machine does not inflate figures.
Results are also written to ``benchmarks/results/model.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import mesa

import vti_sim
from vti_sim.model import VTIModel
from vti_sim.outputs.result import release, result_of
from vti_sim.registry import defaults


class _CheapAgent(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.x = 0.0

    def step(self):
        self.x += self.model.random.random()


class _CheapModel(mesa.Model):
    def __init__(self, n, rng=None):
        super().__init__(rng=rng)
        _CheapAgent.create_agents(self, n)

    def step(self):
        self.agents.shuffle_do("step")


def _mesa_frames_loop(n_agents: int, months: int):
    """mesa-frames' equivalent of the cheapest loop, or None where mesa-frames does not import."""
    try:
        import polars as pl
        from mesa_frames import AgentSetPolars, ModelDF
    except ImportError:
        return None

    class CheapSet(AgentSetPolars):
        def __init__(self, model, n):
            super().__init__(model)
            self.add(pl.DataFrame({"unique_id": pl.arange(0, n, eager=True, dtype=pl.Int64), "x": [0.0] * n}))

        def step(self):
            self.shuffle(inplace=True)
            self.agents = self.agents.with_columns(x=pl.col("x") + self.random.random(len(self.agents)))

    class CheapModelDF(ModelDF):
        def __init__(self, n, seed):
            super().__init__(seed=seed)
            self.agents += CheapSet(self, n)

    def run():
        m = CheapModelDF(n_agents, 1)
        for _ in range(months):
            m.step()

    return run


def _time(fn, repeats):
    out = []
    for _ in range(repeats):
        t = time.process_time()
        fn()
        out.append(time.process_time() - t)
    return statistics.median(out), min(out)


STAGES = ("begin_month", "allocate_time", "advance_policy", "deliver_actions", "develop_staff",
          "maintain_open_data", "engage_residents", "account_value", "apply_feedback", "record")


def stage_profile(seeds=range(3, 13)) -> dict[str, float]:
    """CPU microseconds per month spent in each step of the schedule (VTIModel.step) and in data collection,
    averaged over a few default runs."""
    spent = dict.fromkeys((*STAGES, "datacollector"), 0.0)
    months = 0
    for seed in seeds:
        months += _stage_run(seed, spent)
    return {k: 1e6 * v / months for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}


def _stage_run(seed: int, spent: dict[str, float]) -> int:
    m = VTIModel(rng=seed)

    def timed(name, fn):
        def wrapper(*a, **k):
            t = time.process_time()
            out = fn(*a, **k)
            spent[name] += time.process_time() - t
            return out
        return wrapper

    for name in STAGES:
        setattr(m, name, timed(name, getattr(m, name)))
    m.datacollector.collect = timed("datacollector", m.datacollector.collect)
    while m.running:
        m.step()
    release(m)
    return m.steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--stages", action="store_true", help="also print CPU us/month per schedule step")
    args = ap.parse_args()
    p = defaults()
    months = p["months"]
    probe = VTIModel(rng=0)
    n_agents = sum([probe.elected.n, probe.directors.n, probe.staff.n, probe.operators.n, probe.residents.n])

    seeds = iter(range(1, 10**6))

    def model_run():
        seed = next(seeds)
        m = VTIModel(rng=seed)
        while m.running:
            m.step()
        result_of(m, m.p, seed)
        release(m)

    def baseline_run():
        m = _CheapModel(n_agents, rng=1)
        for _ in range(months):
            m.step()

    frames_run = _mesa_frames_loop(n_agents, months)
    model_run()  # warm-up (also loads the compiled passes from numba's cache)
    if frames_run is not None:
        frames_run()
    # interleave the contenders so that drift in the machine's speed hits them alike
    model_times, base_times, frames_times = [], [], []
    for _ in range(args.repeats):
        model_times.append(_time(model_run, 1)[0])
        base_times.append(_time(baseline_run, 1)[0])
        if frames_run is not None:
            frames_times.append(_time(frames_run, 1)[0])
    med_model, best_model = statistics.median(model_times), min(model_times)
    med_base = statistics.median(base_times)
    res = {
        "agents": n_agents, "months": months, "vti_run_median_s": med_model, "vti_run_best_s": best_model,
        "per_month_us": 1e6 * med_model / months,
        "mesa_per_agent_loop_median_s": med_base, "speedup": med_base / med_model,
        "python": platform.python_version(), "mesa": mesa.__version__, "vti_sim": vti_sim.__version__,
    }
    if frames_times:
        import mesa_frames

        med_frames = statistics.median(frames_times)
        res.update({"mesa_frames_loop_median_s": med_frames, "speedup_vs_mesa_frames": med_frames / med_model,
                    "mesa_frames": getattr(mesa_frames, "__version__", "?")})
    else:
        res["mesa_frames"] = "not installed: contender skipped (pip install mesa-frames to add it)"
    for k, v in res.items():
        print(f"{k:32s} {v:.4g}" if isinstance(v, float) else f"{k:32s} {v}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    if args.stages:
        res["stages_us_per_month"] = stage_profile()
        for k, v in res["stages_us_per_month"].items():
            print(f"  {k:22s} {v:7.1f} us/month")
    (out / "model.json").write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
