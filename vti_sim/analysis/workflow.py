"""``vti-sim sensitivity EXPERIMENT``: validate, run the sweep(s) (resumable, deterministic), analyse, report.

Every kind runs its runs through the sweep engine into ``OUT/sweep*/`` and writes its report files in ``OUT``:

* sensitivity: ``indices.csv``, ``convergence.csv``, ``health.csv``, ``figures/``, ``REPORT.md``;
* discovery:   ``points.csv`` (paired differences, labels), ``prim_*.csv``, ``cart_*.csv``, ``figures/``,
  ``REPORT.md``;
* plateau_map: ``plateau_map.csv``, ``figures/``, ``REPORT.md``.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..experiments import build_design, load_experiment, load_results, sweep
from ..experiments.experiment import Experiment
from . import charts, report
from .convergence import MAIN_INDEX, convergence_table, convergence_warnings
from .noise import health, noise_share, replicate_matrix
from .sensitivity import explain, frame, morris_indices, pawn_indices, pawn_sample, sobol_indices
from .spec import AnalysisSpec, parse_analysis, runs_experiment


def prepare(path: str | Path) -> tuple[Experiment, AnalysisSpec]:
    """Load and validate (ParameterError on bad input; nothing is written)."""
    exp = load_experiment(path)
    return exp, parse_analysis(exp)


def analyse(path: str | Path, *, workers: int | None = None, scheduler: str | None = None,
            out: str | Path | None = None, progress: bool = True) -> Path:
    exp, spec = prepare(path)
    out = Path(out) if out is not None else Path("results") / f"{spec.kind}-{exp.name}"
    report.check_out(out, exp)
    for sub in _sub_experiments(exp, spec).values():  # every derived sweep must be resumable before anything runs
        from ..experiments.store import _check_out_dir

        _check_out_dir(out / sub[0], sub[1])
    report.claim(out, exp)
    with _cluster(workers, scheduler, len(_sub_experiments(exp, spec))) as address:
        kw = dict(workers=workers if address is None else None, scheduler=address, progress=progress)
        {"sensitivity": _sensitivity, "discovery": _discovery, "plateau_map": _plateau}[spec.kind](exp, spec, out, kw)
    return out


@contextlib.contextmanager
def _cluster(workers: int | None, scheduler: str | None, n_sweeps: int):
    """One local Dask cluster shared by an analysis's several sweeps (arms, maps) instead of one each, when the
    sweeps would use Dask; local sweeps in forked workers (``experiments/local.py``) start in milliseconds and
    need none, so then each sweep gets ``workers`` (the caller passes them on when this yields None)."""
    from ..experiments import local

    if scheduler is not None or n_sweeps < 2 or local.applies(workers, None):
        yield scheduler
        return
    import logging
    import os

    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                           silence_logs=logging.ERROR,
                           scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"})
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def _sub_experiments(exp: Experiment, spec: AnalysisSpec) -> dict[str, tuple[str, Experiment]]:
    """label -> (sweep directory name, the experiment the sweep engine runs)."""
    if spec.kind == "sensitivity":
        return {"all": ("sweep", runs_experiment(exp))}
    if spec.kind == "discovery":
        return {arm: (f"sweep-{arm}", runs_experiment(exp, arm, overrides=values))
                for arm, values in spec.arms.items()}
    by_name = {f.name: f for f in exp.factors}
    return {f"{x}--{y}": (f"sweep-map-{x}--{y}",
                          runs_experiment(exp, f"map-{x}--{y}", factors=(by_name[x], by_name[y])))
            for x, y in spec.maps}


def _run(out: Path, sub: tuple[str, Experiment], kw: dict) -> pd.DataFrame:
    d = sweep(sub[1], out=out / sub[0], **kw)
    return load_results(d)


def _rng(spec: AnalysisSpec, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(entropy=spec.seed, spawn_key=key))


# --------------------------------------------------------------------------------------------- sensitivity
def _sensitivity(exp: Experiment, spec: AnalysisSpec, out: Path, kw: dict) -> None:
    clock = report.Stopwatch()
    label, rexp = _sub_experiments(exp, spec)["all"]
    runs = _run(out, (label, rexp), kw)
    sweep_s = clock()
    design = build_design(rexp)
    n_points, reps = design.n_points, rexp.replicates
    problem = {k: v for k, v in rexp.problem().items() if k != "outputs"}
    x = design.x
    d = problem["num_vars"]
    second = bool(rexp.options.get("second_order", False))
    dummy = _rng(spec, 99).uniform(size=n_points)

    targets, healths, derived = [], [], []
    for o in spec.outputs:
        h = health(runs, o, n_points, reps)
        healths.append({"output": o, **h.__dict__})
        y = replicate_matrix(runs, o, n_points, reps)
        targets.append((o, y, h))
        finite = np.isfinite(y)
        if not finite.all() and finite.any():  # where the output is sometimes undefined: analyse how often
            derived.append((f"{o}__defined", finite.astype(float), None))
    rows, conv_frames, noise_rows = [], [], []
    for i, (o, y, h) in enumerate(targets + derived):
        if h is not None and not np.isfinite(y).all():
            rows += _nan_rows(o, problem["names"], spec.methods, h, derived=np.isfinite(y).any())
            continue
        ns = noise_share(y, spec.bootstrap, spec.conf_level, _rng(spec, i, 0))
        for _, r in ns.iterrows():
            noise_rows.append({"output": o, "parameter": "(replicates)", "method": "noise", "index": r["index"],
                               "value": r["value"], "conf_low": r["conf_low"], "conf_high": r["conf_high"],
                               "conf": (r["conf_high"] - r["conf_low"]) / 2, "note": ""})
        if np.ptp(y) == 0:
            rows += _const_rows(o, problem["names"], spec.methods)
            continue
        for j, method in enumerate(spec.methods):
            rng = _rng(spec, i, j + 1)
            compute = _method(method, problem, x, y, rexp, spec, o, second, dummy, d)
            rows += compute(None, rng, full=True)
            n_full = getattr(compute, "units", None) or _units(method, n_points, d, second)
            conv_frames.append(convergence_table(lambda n, c=compute, r=rng: frame(c(n, r, full=False)), n_full,
                                                 minimum=4 if method != "morris" else 2))
    indices = explain(frame(rows + noise_rows))
    conv = pd.concat(conv_frames, ignore_index=True) if conv_frames else frame([]).assign(n=[])
    warns = convergence_warnings(conv, max_conf=spec.max_conf, top=spec.top)
    for w in warns:
        print(f"vti-sim: warning: {w['output']} ({w['method']}) has not converged at N={w['n']}: {w['reason']}",
              file=sys.stderr)
    prov = report.provenance(exp, spec)
    with report.staging(out) as tmp:
        indices.to_csv(tmp / "indices.csv", index=False)
        conv.to_csv(tmp / "convergence.csv", index=False)
        pd.DataFrame(healths).to_csv(tmp / "health.csv", index=False)
        figs = _sensitivity_figures(indices, conv, tmp / "figures", problem["names"], spec)
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, default=str) + "\n", encoding="utf-8")
        wall = {"sweep compute sessions": report.sweep_wall(out), "this session's sweep": sweep_s,
                "analysis": clock() - sweep_s}
        text = _sensitivity_report(exp, rexp, spec, prov, out, indices, healths, warns, figs, wall, n_points)
        (tmp / "REPORT.md").write_text(text, encoding="utf-8")


def _units(method: str, n_points: int, d: int, second: bool) -> int:
    if method == "sobol":
        return n_points // (2 * d + 2 if second else d + 2)
    if method == "morris":
        return n_points // (d + 1)
    return n_points


def _method(method, problem, x, y, rexp, spec, output, second, dummy, d):
    if method == "sobol":
        def compute(n, rng, full):
            return sobol_indices(problem, y, second_order=second, n_boot=spec.bootstrap, conf_level=spec.conf_level,
                                 rng=rng, output=output, base_rows=n, with_s2=full)
    elif method == "morris":
        def compute(n, rng, full):
            return morris_indices(problem, x, y, num_levels=rexp.options["num_levels"],
                                  n_boot=spec.bootstrap, conf_level=spec.conf_level, rng=rng,
                                  output=output, trajectories=n)
    else:
        xs, ys = pawn_sample(rexp.method, d, second, x, y)
        ds = pawn_sample(rexp.method, d, second, dummy[:, None], y)[0][:, 0]

        def compute(n, rng, full):
            m = len(xs) if n is None else n
            return pawn_indices(problem, xs[:m], ys[:m], slices=spec.pawn_slices, n_boot=spec.bootstrap,
                                conf_level=spec.conf_level, rng=rng, output=output, dummy=ds[:m])
        compute.units = len(xs)
    return compute


def _nan_rows(o, names, methods, h, derived: bool) -> list[dict]:
    note = (f"not computed: {h.nan_runs} of {h.runs} runs undefined (NaN), {h.missing_runs} missing, at "
            f"{h.nan_points} of {h.points} points; "
            + (f"see {o}__defined for how often it is defined" if derived else "it is never defined in this design"))
    return [{"output": o, "parameter": n, "method": m, "index": MAIN_INDEX[m], "value": np.nan, "conf_low": np.nan,
             "conf_high": np.nan, "conf": np.nan, "note": note} for m in methods for n in names]


def _const_rows(o, names, methods) -> list[dict]:
    return [{"output": o, "parameter": n, "method": m, "index": MAIN_INDEX[m], "value": np.nan, "conf_low": np.nan,
             "conf_high": np.nan, "conf": np.nan, "note": "output constant over every run: no index"}
            for m in methods for n in names]


def _sensitivity_figures(indices, conv, d: Path, names, spec) -> list[str]:
    figs = []
    for o, g in indices[indices["method"] != "noise"].groupby("output", sort=False):
        if g["value"].isna().all():
            continue
        safe = o.replace("/", "_")
        if (g["method"] == "sobol").any():
            figs.append(charts.sobol_bars(g[g["method"] == "sobol"], o, d / f"sobol_{safe}.png"))
            if (g["index"] == "S2").any():
                figs.append(charts.s2_heatmap(g, o, names, d / f"s2_{safe}.png"))
        if (g["method"] == "morris").any():
            figs.append(charts.morris_scatter(g[g["method"] == "morris"], o, d / f"morris_{safe}.png"))
        if (g["method"] == "pawn").any():
            figs.append(charts.pawn_bars(g[g["method"] == "pawn"], o, d / f"pawn_{safe}.png"))
        for m in spec.methods:
            if ((conv["output"] == o) & (conv["method"] == m)).any():
                figs.append(charts.convergence_curves(conv, o, m, MAIN_INDEX[m], d / f"convergence_{m}_{safe}.png"))
    noise = indices[indices["method"] == "noise"]
    if len(noise):
        figs.append(charts.noise_share(noise, d / "noise_share.png"))
    return [f"figures/{Path(f).name}" for f in figs]


def _sensitivity_report(exp, rexp, spec, prov, out, indices, healths, warns, figs, wall, n_points) -> str:
    lines = report.header(f"Sensitivity analysis: {exp.name}", exp, prov, out, wall)
    lines += ["## Design", "",
              f"{rexp.method} design over {len(rexp.factors)} factors"
              + (f", N = {rexp.samples}" if rexp.samples else "")
              + (", second order" if rexp.options.get("second_order") else "")
              + f": {n_points} points x {rexp.replicates} replicates = {n_points * rexp.replicates} runs of "
              f"{rexp.base['months']} months. Methods: {', '.join(spec.methods)}; {spec.bootstrap} two-level bootstrap "
              f"samples (design blocks, then replicates), {spec.conf_level:.0%} percentile intervals.", "",
              "| factor | kind | range |", "|---|---|---|"]
    for f in rexp.factors:
        rng = f"{list(f.values)}" if f.values is not None else f"[{f.lo:g}, {f.hi:g}] {f.param.unit}"
        lines.append(f"| `{f.name}` | {f.param.kind} | {rng} |")
    lines += ["", "Indices are computed on the replicate mean of each point (SALib has no replicate axis): a part "
              "`noise_share_of_mean` of that mean's variance is still noise, which lowers the sum of S1.", ""]
    lines += ["## Runs: NaN and missing values", ""]
    lines += report.markdown_table(pd.DataFrame(healths))
    lines += ["", "An output with undefined runs (e.g. `plateau_month` when no plateau appears) gets no "
              "variance-based index; `<output>__defined` (share of replicates where it is defined) is analysed "
              "instead. Nothing is dropped or imputed.", ""]
    noise = indices[indices["method"] == "noise"]
    if len(noise):
        lines += ["## Noise share: E[Var(Y|X)] against Var(E[Y|X])", ""]
        t = noise.pivot_table(index="output", columns="index", values="value", aggfunc="first", sort=False)
        ns = noise[noise["index"] == "noise_share"].set_index("output")
        t["noise_share CI"] = [f"[{ns.at[o, 'conf_low']:.3g}, {ns.at[o, 'conf_high']:.3g}]" for o in t.index]
        lines += report.markdown_table(t.reset_index()[["output", "within", "between", "noise_share",
                                                         "noise_share CI", "noise_share_of_mean"]])
        lines += ["", "![noise share](figures/noise_share.png)", ""]
    lines += ["## Convergence", ""]
    if warns:
        lines += [f"- **warning** `{w['output']}` ({w['method']}, N={w['n']}): {w['reason']}" for w in warns]
    else:
        lines += ["Rankings and interval widths settled between N/2 and N for every output and method."]
    lines += ["", "Indices at N/4, N/2 and N: `convergence.csv` and `figures/convergence_*.png`.", ""]
    lines += ["## Main indices", ""]
    for o, g in indices[indices["method"] != "noise"].groupby("output", sort=False):
        lines += [f"### `{o}`", ""]
        if g["value"].isna().all():
            lines += [g["note"].iloc[0], ""]
            continue
        for m in spec.methods:
            h = g[(g["method"] == m) & (g["index"] == MAIN_INDEX[m])].sort_values("value", ascending=False)
            if not len(h):
                continue
            s1 = g[(g["method"] == m) & (g["index"] == "S1")].set_index("parameter")["value"]
            extra = s1 if m == "sobol" else None
            tab = h[["parameter", "value", "conf_low", "conf_high", "note"]].head(8).rename(
                columns={"value": MAIN_INDEX[m]})
            if extra is not None:
                tab.insert(1, "S1", tab["parameter"].map(extra))
            lines += [f"{m} (top 8 by {MAIN_INDEX[m]}):", ""] + report.markdown_table(tab) + [""]
        for f in figs:
            if f.endswith(f"_{o}.png") and "convergence" not in f:
                lines.append(f"![{f}]({f})")
        lines.append("")
    neg = indices[(indices["method"] == "sobol") & (indices["value"] < 0)]
    lines += ["## Negative indices", ""]
    if len(neg):
        lines += [f"{len(neg)} Sobol' indices are negative; they are kept as estimated, not clipped:", ""]
        lines += report.markdown_table(neg[["output", "parameter", "index", "value", "conf_low", "conf_high",
                                            "note"]].head(30))
    else:
        lines += ["None."]
    lines += ["", "## Files", "", "- `indices.csv`: output, parameter, method, index, value, conf_low, conf_high, "
              "conf (half-width), note", "- `convergence.csv`: the same at N/4, N/2, N (column `n`)",
              "- `health.csv`: runs, NaN and missing runs per output", "- `provenance.json`: versions, experiment "
              "text, seeds, analysis settings", "- `sweep/`: the raw runs (Parquet, resumable; see README "
              "'Parameter sweeps')", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- discovery & plateau
def _discovery(exp: Experiment, spec: AnalysisSpec, out: Path, kw: dict) -> None:
    from .discovery import discovery_report

    clock = report.Stopwatch()
    subs = _sub_experiments(exp, spec)
    arms = {arm: _run(out, sub, kw) for arm, sub in subs.items()}
    sweep_s = clock()
    rexp = subs["open"][1]
    design = build_design(rexp)
    prov = report.provenance(exp, spec)
    with report.staging(out) as tmp:
        discovery_report(exp, rexp, spec, design, arms, tmp, out, prov, clock, sweep_s, _rng(spec, 7))


def _plateau(exp: Experiment, spec: AnalysisSpec, out: Path, kw: dict) -> None:
    from .plateau_map import plateau_report

    clock = report.Stopwatch()
    subs = _sub_experiments(exp, spec)
    maps = {}
    for key, sub in subs.items():
        maps[key] = (sub[1], build_design(sub[1]), _run(out, sub, kw))
    sweep_s = clock()
    prov = report.provenance(exp, spec)
    with report.staging(out) as tmp:
        plateau_report(exp, spec, maps, tmp, out, prov, clock, sweep_s)
