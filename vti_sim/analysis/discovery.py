"""When does open governance create more public value?  Paired arms, win/tie/lose labels, PRIM and CART.

Each context point of the design runs an *open* arm and a *proactive* arm of equal resources (``resources.py``)
with common random numbers: both arms are sweeps of the same design and seed, so replicate r of point p has the
same run seed in both.  The paired difference open - proactive is taken per replicate; a point is labelled

* ``win``  if the t-interval over replicates of the mean difference lies above 0,
* ``lose`` if it lies below 0, ``tie`` otherwise (``undefined`` if a replicate's value is NaN).

PRIM (``ema_workbench.analysis.prim``; it needs a 1-D binary y) then looks for boxes of context where the open arm
wins, and separately where it loses.  The box kept is the one of highest coverage whose density reaches the user's
``threshold``.  Its stability comes from re-running PRIM on resampled data (design points with replacement, and
each point's replicates with replacement, so the labels are recomputed) with exactly the user's settings
(``mass_min``, ``threshold``, ``peel_alpha``, ``paste_alpha``, objective), and scoring each resampled box on the
original data.  CART (``ema_workbench.analysis.cart``) gives a second opinion.  Works with ema-workbench 2.5 and 3.x.
"""

from __future__ import annotations

import inspect
import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from . import charts, report
from .noise import replicate_matrix
from .resources import governance_hours

LABELS = ("win", "tie", "lose")


# --------------------------------------------------------------------------------------------- labels
def paired_labels(diff: np.ndarray, conf_level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(mean, ci_low, ci_high, label) per point of an (n, R) matrix of paired differences."""
    n, r = diff.shape
    mean = diff.mean(axis=1)
    sd = diff.std(axis=1, ddof=1)
    half = stats.t.ppf(0.5 + conf_level / 2, r - 1) * sd / np.sqrt(r)
    lo, hi = mean - half, mean + half
    label = np.where(lo > 0, "win", np.where(hi < 0, "lose", "tie")).astype(object)
    label[~np.isfinite(diff).all(axis=1)] = "undefined"
    return mean, lo, hi, label


def context_frame(design, factors) -> pd.DataFrame:
    """Decoded context values (choices as pandas categories, as PRIM and CART expect)."""
    x = pd.DataFrame({f.name: design.points[f.name] for f in factors})
    for f in factors:
        if f.param.dtype == "choice":
            x[f.name] = pd.Categorical(x[f.name], categories=list(f.values or f.param.choices))
        else:
            x[f.name] = x[f.name].astype(float)
    return x


# --------------------------------------------------------------------------------------------- PRIM
def _quiet_ema():
    logging.getLogger("EMA").setLevel(logging.ERROR)
    logging.getLogger("ema_workbench").setLevel(logging.ERROR)


def prim_box(x: pd.DataFrame, y: np.ndarray, settings) -> dict | None:
    """Run PRIM with the user's settings; return the trajectory, the selected box and its limits (None if y has
    no positive point)."""
    with warnings.catch_warnings():  # ema_workbench warns at import about optional parallel back-ends
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

    y = np.asarray(y, dtype=bool)
    if not y.any():
        return None
    if y.all():  # PRIM needs both classes: every point is inside, the box is the whole space
        lims = _full_limits(x)
        traj = pd.DataFrame({"id": [0], "coverage": [1.0], "density": [1.0], "mass": [1.0], "res_dim": [0]})
        return {"trajectory": traj, "selected": 0, "limits": lims, "restricted": [], "reached_threshold": True,
                "coverage": 1.0, "density": 1.0, "mass": 1.0}
    _quiet_ema()
    objective = prim.PRIMObjectiveFunctions(settings.obj_function)
    kw = dict(obj_function=objective, peel_alpha=settings.peel_alpha, paste_alpha=settings.paste_alpha,
              mass_min=settings.mass_min)
    if "threshold" in inspect.signature(prim.Prim.__init__).parameters:
        # ema-workbench 2.x replaces a final box below `threshold` by an unpeeled "dump box"; 3.x has no
        # threshold. vti-sim applies the user's threshold itself, on the full trajectory, the same in both.
        kw["threshold"] = 1e-9  # > 0: with 2.x, 0 counts every point as a case of interest
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = prim.Prim(x.reset_index(drop=True), y, **kw)
        box = p.find_box()
    if box is None:
        return None
    traj = box.peeling_trajectory.reset_index(drop=True)
    ok = traj.index[traj["density"] >= settings.threshold]
    selected = int(traj.loc[ok, "coverage"].idxmax()) if len(ok) else int(traj["density"].idxmax())
    lims = box.box_lims[selected]
    initial = box.box_lims[0]
    restricted = [c for c in lims.columns if not _same(lims[c], initial[c])]
    return {"trajectory": traj[["id", "coverage", "density", "mass", "res_dim"]], "selected": selected,
            "limits": lims, "restricted": restricted, "reached_threshold": bool(len(ok)),
            "coverage": float(traj.at[selected, "coverage"]), "density": float(traj.at[selected, "density"]),
            "mass": float(traj.at[selected, "mass"])}


def _full_limits(x: pd.DataFrame) -> pd.DataFrame:
    cols = {}
    for c in x.columns:
        if isinstance(x[c].dtype, pd.CategoricalDtype):
            cols[c] = [set(x[c].cat.categories)] * 2
        else:
            cols[c] = [float(x[c].min()), float(x[c].max())]
    return pd.DataFrame(cols)


def _same(a: pd.Series, b: pd.Series) -> bool:
    if isinstance(a.iloc[0], set):
        return a.iloc[0] == b.iloc[0]
    return bool(np.isclose(float(a.iloc[0]), float(b.iloc[0])) and np.isclose(float(a.iloc[1]), float(b.iloc[1])))


def in_box(x: pd.DataFrame, lims: pd.DataFrame, dims=None) -> np.ndarray:
    """Points of ``x`` inside box limits (only ``dims`` checked if given)."""
    mask = np.ones(len(x), dtype=bool)
    for c in dims if dims is not None else lims.columns:
        lo, hi = lims[c].iloc[0], lims[c].iloc[1]
        if isinstance(lo, set):
            mask &= x[c].isin(lo).to_numpy()
        else:
            v = x[c].to_numpy(float)
            mask &= (v >= float(lo)) & (v <= float(hi))
    return mask


def box_stability(x: pd.DataFrame, diff: np.ndarray, target: str, original: dict, settings, conf_level: float,
                  rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resample design points and replicates, recompute labels, re-run PRIM with the same settings.

    Returns (per-resample scores on the original data, per-factor restriction frequency and limit quantiles)."""
    n, r = diff.shape
    _, _, _, label = paired_labels(diff, conf_level)
    y0 = label == target
    base = in_box(x, original["limits"], original["restricted"])
    scores, limits = [], []
    for b in range(settings.resamples):
        rows = rng.integers(0, n, n)
        dd = np.take_along_axis(diff[rows], rng.integers(0, r, size=(n, r)), axis=1)
        lab = paired_labels(dd, conf_level)[3]
        res = prim_box(x.iloc[rows], lab == target, settings)
        if res is None:
            scores.append({"resample": b, "found": False})
            continue
        m = in_box(x, res["limits"], res["restricted"])
        inter, union = (m & base).sum(), (m | base).sum()
        scores.append({"resample": b, "found": True, "restricted": ",".join(res["restricted"]),
                       "coverage_on_data": float((m & y0).sum() / max(y0.sum(), 1)),
                       "density_on_data": float((m & y0).sum() / max(m.sum(), 1)),
                       "jaccard_with_box": float(inter / union) if union else 1.0})
        for c in x.columns:
            lo, hi = res["limits"][c].iloc[0], res["limits"][c].iloc[1]
            limits.append({"factor": c, "restricted": c in res["restricted"],
                           "lower": np.nan if isinstance(lo, set) else float(lo),
                           "upper": np.nan if isinstance(hi, set) else float(hi)})
    scores = pd.DataFrame(scores)
    lim = pd.DataFrame(limits)
    if lim.empty:
        return scores, pd.DataFrame(columns=["factor", "restricted_share"])
    agg = lim.groupby("factor", sort=False).agg(
        restricted_share=("restricted", "mean"),
        lower_q05=("lower", lambda s: s.quantile(0.05)), lower_median=("lower", "median"),
        upper_median=("upper", "median"), upper_q95=("upper", lambda s: s.quantile(0.95))).reset_index()
    agg["restricted_in_box"] = agg["factor"].isin(original["restricted"])
    return scores, agg.sort_values("restricted_share", ascending=False)


# --------------------------------------------------------------------------------------------- CART
def cart_boxes(x: pd.DataFrame, y: np.ndarray, mass_min: float) -> pd.DataFrame:
    """CART's leaves as boxes, with coverage and density of ``y`` (ema_workbench.analysis.cart); empty when y
    has a single class (nothing to split)."""
    if len(np.unique(np.asarray(y, dtype=int))) < 2:
        return pd.DataFrame(columns=["leaf", "coverage", "density", "mass", "rule"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart

    _quiet_ema()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        c = cart.CART(x.reset_index(drop=True), np.asarray(y, dtype=int), mass_min=mass_min)
        # scikit-learn breaks ties between equally good splits at random (random_state=None draws from numpy's
        # global generator) and ema_workbench gives no way to seed it: seed that generator for this call only
        state = np.random.get_state()
        np.random.seed(0)
        try:
            c.build_tree()
        finally:
            np.random.set_state(state)
    rows = []
    for i, (box, st) in enumerate(zip(c.boxes, c.stats, strict=True)):
        limits = []
        for col in box.columns:
            lo, hi = box[col].iloc[0], box[col].iloc[1]
            if isinstance(lo, set):
                full = set(x[col].cat.categories) if hasattr(x[col], "cat") else None
                if lo != full:
                    limits.append(f"{col} in {sorted(lo)}")
            else:
                vals = x[col].to_numpy(float)
                if float(lo) > vals.min() + 1e-12 or float(hi) < vals.max() - 1e-12:
                    limits.append(f"{float(lo):.3g} <= {col} <= {float(hi):.3g}")
        rows.append({"leaf": i, "coverage": float(st["coverage"]), "density": float(st["density"]),
                     "mass": float(st["mass"]), "rule": " and ".join(limits) or "(everything)"})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------- the report
def discovery_report(exp, rexp, spec, design, arms: dict[str, pd.DataFrame], tmp: Path, out: Path, prov: dict,
                     clock, sweep_s: float, rng: np.random.Generator) -> None:
    n, r = design.n_points, rexp.replicates
    x = context_frame(design, rexp.factors)
    diffs = {o: replicate_matrix(arms["open"], o, n, r) - replicate_matrix(arms["proactive"], o, n, r)
             for o in spec.outputs}
    if spec.difference not in diffs:
        diffs[spec.difference] = (replicate_matrix(arms["open"], spec.difference, n, r)
                                  - replicate_matrix(arms["proactive"], spec.difference, n, r))
    d = diffs[spec.difference]
    mean, lo, hi, label = paired_labels(d, spec.conf_level)
    points = x.astype(object).copy()
    points.insert(0, "point", np.arange(n))
    points["diff_mean"], points["diff_ci_low"], points["diff_ci_high"], points["label"] = mean, lo, hi, label
    for o, v in diffs.items():
        if o != spec.difference:
            points[f"diff__{o}"] = v.mean(axis=1)
    points.to_csv(tmp / "points.csv", index=False)

    overall = []
    for o, v in diffs.items():
        pm = v.mean(axis=1)
        ok = np.isfinite(pm)
        boot = [np.mean(pm[ok][rng.integers(0, ok.sum(), ok.sum())]) for _ in range(spec.bootstrap)] if ok.any() \
            else [np.nan]
        a = (1 - spec.conf_level) / 2
        overall.append({"output": o, "mean_difference": float(np.mean(pm[ok])) if ok.any() else np.nan,
                        "conf_low": float(np.quantile(boot, a)), "conf_high": float(np.quantile(boot, 1 - a)),
                        "share_open_better": float(np.mean(pm[ok] > 0)) if ok.any() else np.nan,
                        "undefined_points": int((~ok).sum())})
    overall = pd.DataFrame(overall)
    overall.to_csv(tmp / "differences.csv", index=False)

    figs, boxes = [], {}
    for target in ("win", "lose"):
        y = label == target
        res = prim_box(x, y, spec.prim)
        boxes[target] = res
        if res is None:
            continue
        res["trajectory"].to_csv(tmp / f"prim_{target}_trajectory.csv", index=False)
        lim = res["limits"].T.reset_index()
        lim.columns = ["factor", "lower", "upper"]
        lim["restricted"] = lim["factor"].isin(res["restricted"])
        lim.to_csv(tmp / f"prim_{target}_box.csv", index=False)
        figs.append(charts.peeling(res["trajectory"], res["selected"], f"PRIM peeling: open {target}s",
                                   tmp / "figures" / f"prim_{target}_peeling.png"))
        figs.append(charts.tradeoff(res["trajectory"], res["selected"], f"PRIM trade-off: open {target}s",
                                    tmp / "figures" / f"prim_{target}_tradeoff.png"))
        dims = (res["restricted"] + [c for c in x.columns if c not in res["restricted"]])[:2]
        if len(dims) == 2 and all(x[c].dtype != "category" for c in dims):
            figs.append(charts.labels_scatter(x, label, dims[0], dims[1], res["limits"],
                                              tmp / "figures" / f"prim_{target}_box.png",
                                              f"open vs proactive: where open {target}s"))
        scores, agg = box_stability(x, d, target, res, spec.prim, spec.conf_level, rng)
        res["stability"], res["stability_factors"] = scores, agg
        scores.to_csv(tmp / f"prim_{target}_stability.csv", index=False)
        agg.to_csv(tmp / f"prim_{target}_stability_factors.csv", index=False)
        cb = cart_boxes(x, y, spec.prim.mass_min)
        res["cart"] = cb
        cb.to_csv(tmp / f"cart_{target}.csv", index=False)
    wall = {"sweep compute sessions": report.sweep_wall(out), "this session's sweep": sweep_s,
            "analysis": clock() - sweep_s}
    import json

    (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, default=str) + "\n", encoding="utf-8")
    text = _markdown(exp, rexp, spec, prov, out, wall, n, r, label, overall, boxes, figs)
    (tmp / "REPORT.md").write_text(text, encoding="utf-8")


def _markdown(exp, rexp, spec, prov, out, wall, n, r, label, overall, boxes, figs) -> str:
    lines = report.header(f"Open vs proactive governance: {exp.name}", exp, prov, out, wall)
    lines += ["## Design: paired arms of equal resources", "",
              f"{n} context points ({rexp.method}) x {r} replicates x 2 arms = {2 * n * r} runs of "
              f"{rexp.base['months']} months, with common random numbers (replicate r of point p has the same seed "
              "in both arms).", "",
              "| arm | settings | governance h/month (facilitation + steering + open bodies) |", "|---|---|---|"]
    for arm, values in spec.arms.items():
        h = governance_hours({**exp.base, **values})
        lines.append(f"| {arm} | " + ", ".join(f"`{k}`={v}" for k, v in values.items())
                     + f" | {h['total']:.1f} ({h['facilitation']:.1f} + {h['steering']:.1f} + "
                       f"{h['open_bodies']:.1f}) |")
    lines += ["", "Equal resources: the same money and leader time in both arms, and the same nominal governance hours "
              f"a month within {spec.resource_tolerance:.0%} (checked when the file is loaded; see "
              "`vti_sim/analysis/resources.py`).", "",
              "| context factor | kind | range |", "|---|---|---|"]
    for f in rexp.factors:
        rng = f"{list(f.values)}" if f.values is not None else f"[{f.lo:g}, {f.hi:g}] {f.param.unit}"
        lines.append(f"| `{f.name}` | {f.param.kind} | {rng} |")
    counts = {lab: int(np.sum(label == lab)) for lab in (*LABELS, "undefined")}
    lines += ["", f"## Difference in net value (open - proactive), `{spec.difference}` labels the points", "",
              f"Points: **{counts['win']} win**, {counts['tie']} tie, **{counts['lose']} lose**"
              + (f", {counts['undefined']} undefined (NaN in a replicate)" if counts["undefined"] else "")
              + f" ({spec.conf_level:.0%} t-interval over {r} paired replicates).", ""]
    lines += report.markdown_table(overall) + ["", "Overall means are over context points, with a bootstrap "
                                               "interval over points; `pv_net__<type>` rows give it by type of "
                                               "public value.", ""]
    p = spec.prim
    lines += ["## PRIM boxes", "",
              f"Settings: threshold (density) {p.threshold}, mass_min {p.mass_min}, peel_alpha {p.peel_alpha}, "
              f"paste_alpha {p.paste_alpha}, objective {p.obj_function}; stability over {p.resamples} resamples "
              "of design points and replicates with the same settings.", ""]
    for target, res in boxes.items():
        lines += [f"### Where open governance {'wins' if target == 'win' else 'loses'}", ""]
        if res is None:
            lines += [f"No point is labelled {target}: no box.", ""]
            continue
        if not res["reached_threshold"]:
            lines += [f"**No box reaches density {p.threshold}**; the densest box is shown.", ""]
        lines += [f"Selected box {res['selected']}: coverage {res['coverage']:.2f}, density {res['density']:.2f}, "
                  f"mass {res['mass']:.2f}; restricted: {', '.join(f'`{c}`' for c in res['restricted']) or 'none'}.",
                  ""]
        lim = res["limits"]
        rows = [{"factor": c, "lower": _fmt(lim[c].iloc[0]), "upper": _fmt(lim[c].iloc[1])} for c in res["restricted"]]
        lines += report.markdown_table(pd.DataFrame(rows)) + [""]
        st = res.get("stability")
        if st is not None and len(st) and "found" in st and st["found"].any():
            f = st[st["found"]]
            lines += [f"Stability: a box found in {len(f)}/{len(st)} resamples; on the original data their coverage "
                      f"is {f['coverage_on_data'].median():.2f} (median; 5-95%: "
                      f"{f['coverage_on_data'].quantile(.05):.2f}"
                      f"-{f['coverage_on_data'].quantile(.95):.2f}), density {f['density_on_data'].median():.2f}, "
                      f"overlap with the box (Jaccard) {f['jaccard_with_box'].median():.2f}.", ""]
            agg = res["stability_factors"].head(8)
            lines += report.markdown_table(agg) + [""]
        cb = res.get("cart")
        if cb is not None and not len(cb):
            lines += ["CART second opinion: every point has the same label, nothing to split.", ""]
        if cb is not None and len(cb):
            good = cb[cb["density"] >= 0.5].sort_values("coverage", ascending=False).head(5)
            lines += ["CART second opinion (leaves where most points are labelled "
                      f"{target}):", ""] + report.markdown_table(good) + [""]
        for fig in figs:
            if f"prim_{target}_" in str(fig):
                lines.append(f"![{Path(fig).name}](figures/{Path(fig).name})")
        lines.append("")
    lines += ["## Files", "", "- `points.csv`: context values, paired differences (mean, CI), label per point",
              "- `differences.csv`: mean difference overall and by type of value", "- `prim_<win|lose>_trajectory.csv`,"
              " `prim_<win|lose>_box.csv`, `prim_<win|lose>_stability*.csv`, `cart_<win|lose>.csv`",
              "- `sweep-open/`, `sweep-proactive/`: the raw runs", ""]
    return "\n".join(lines)


def _fmt(v) -> str:
    if isinstance(v, set):
        return "{" + ", ".join(sorted(map(str, v))) + "}"
    return f"{float(v):.4g}"
