"""The propositions report: ``REPORT.md``, CSV tables and figures, written atomically into the output directory.

What is computed here beyond ``propositions.study_proposition``: PRIM and CART boxes of the context points where
a proposition's effect falls short of its smallest effect of interest, their stability under resampling of points
and replicates, and the Sobol' indices of the paired effect over assumptions.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import charts, report
from .discovery import cart_boxes, context_frame, in_box, prim_box
from .patterns import RULE
from .sensitivity import sobol_indices


# --------------------------------------------------------------------------------------------- discovery
def failure_boxes(res: dict[str, Any], prim, rng: np.random.Generator) -> dict[str, Any]:
    """PRIM box (and CART leaves) of the context points where the mean paired effect is below the SESOI."""
    stage = res["prim"]
    exp = stage.experiment
    from ..experiments import build_design

    x = context_frame(build_design(exp), exp.factors)
    eff = stage.effects(res["pattern"])
    short = np.nanmean(eff, axis=1) < res["threshold"]
    out: dict[str, Any] = {"x": x, "effect": np.nanmean(eff, axis=1), "short": short,
                           "share_short": float(short.mean())}
    box = prim_box(x, short, prim)
    out["box"] = box
    out["cart"] = cart_boxes(x, short, prim.mass_min)
    if box is None:
        return out
    n, r = eff.shape
    counts = dict.fromkeys(x.columns, 0)
    for _ in range(prim.resamples):  # stability: resample points and each point's replicates, same settings
        rows = rng.integers(0, n, n)
        e = np.take_along_axis(eff[rows], rng.integers(0, r, size=(n, r)), axis=1)
        b = prim_box(x.iloc[rows], np.nanmean(e, axis=1) < res["threshold"], prim)
        if b is None:
            continue
        for c in b["restricted"]:
            counts[c] += 1
    out["stability"] = {c: counts[c] / max(prim.resamples, 1) for c in x.columns}
    out["inside"] = in_box(x, box["limits"], box["restricted"])
    return out


def box_rule(box: dict[str, Any] | None) -> str:
    if box is None:
        return "(no point falls short: no box)"
    if not box["restricted"]:
        return "(the whole context space)"
    parts = []
    for c in box["restricted"]:
        lo, hi = box["limits"][c].iloc[0], box["limits"][c].iloc[1]
        parts.append(f"{c} in {sorted(lo)}" if isinstance(lo, set) else f"{float(lo):.3g} <= {c} <= {float(hi):.3g}")
    return " and ".join(parts)


def sobol_rows(res: dict[str, Any], n_boot: int, rng: np.random.Generator) -> pd.DataFrame:
    stage = res["sobol"]
    exp = stage.experiment
    problem = {k: v for k, v in exp.problem().items() if k != "outputs"}
    y = stage.effects(res["pattern"])
    if not np.isfinite(y).all() or np.ptp(y) == 0:
        return pd.DataFrame(columns=["proposition", "parameter", "index", "value", "conf_low", "conf_high"])
    rows = sobol_indices(problem, y, second_order=False, n_boot=n_boot, conf_level=0.95, rng=rng,
                         output=res["pattern"].key, with_s2=False)
    df = pd.DataFrame(rows).rename(columns={"output": "proposition"})
    return df[["proposition", "parameter", "index", "value", "conf_low", "conf_high"]]


# --------------------------------------------------------------------------------------------- tables
def effect_row(key: str, context: str, setting: str, r, sesoi: float) -> dict[str, Any]:
    lo, hi = r.ci()
    s = r.scale if r.scale > 0 else np.nan
    return {"proposition": key, "context": context, "setting": setting, "replicates": int(np.isfinite(r.diff).sum()),
            "effect": r.effect, "ci_low": lo, "ci_high": hi, "relative": r.relative_effect, "rel_low": lo / s,
            "rel_high": hi / s, "sesoi": sesoi, "wilcoxon_p": r.wilcoxon_p, "cohens_dz": r.cohens_dz,
            "status": r.status, "how": r.how}


def write(study, results: list[dict[str, Any]], tmp: Path, out: Path, prov: dict, wall: dict[str, float]) -> None:
    """Every file of the report into ``tmp`` (published by ``report.staging``)."""
    figs = tmp / "figures"
    effects, verdicts, screens, confirms, sobols, boxes = [], [], [], [], [], []
    sections = []
    for res in results:
        pat = res["pattern"]
        rng = np.random.default_rng(np.random.SeedSequence(entropy=study.seed, spawn_key=(zlib.crc32(
            pat.key.encode()), 99)))
        (ctx, value), = pat.failing_context.items()
        d, f = res["default"], res["failing"]
        effects += [effect_row(pat.key, "default", "registry defaults", d, pat.sesoi),
                    effect_row(pat.key, "failing", f"{ctx} = {value}", f, pat.sesoi)]
        disc = failure_boxes(res, study.prim, rng)
        sob = sobol_rows(res, study.size.bootstrap, rng)
        sobols.append(sob)
        screen = res["screen"].assign(proposition=pat.key)
        screens.append(screen)
        confirms += res["confirm_rows"]
        box = disc["box"]
        boxes.append({"proposition": pat.key, "share_short": disc["share_short"], "rule": box_rule(box),
                      "coverage": box["coverage"] if box else np.nan, "density": box["density"] if box else np.nan,
                      "mass": box["mass"] if box else np.nan,
                      "documented_key_restricted": bool(box and ctx in box["restricted"])})
        rests = _rests_on(res)
        verdicts.append({"proposition": pat.key, "title": pat.title, "verdict": res["verdict"],
                         "first_line": res["first_line"], "outcome": pat.outcome,
                         "better": "higher" if pat.higher_is_better else "lower", "sesoi": pat.sesoi,
                         "effect": d.effect, "relative": d.relative_effect, "ci_low": d.ci()[0],
                         "ci_high": d.ci()[1], "wilcoxon_p": d.wilcoxon_p, "default_status": d.status,
                         "failing_context": f"{ctx} = {value}", "failing_status": f.status,
                         "failing_reproduced": f.fails, "failure_box": box_rule(box), "rests_on": "; ".join(rests)})
        fig_names = _figures(pat, res, disc, sob, figs)
        sections.append(_section(study, res, disc, sob, rests, fig_names))
    eff = pd.DataFrame(effects)
    charts.forest(eff, figs / "forest.png")
    verd = pd.DataFrame(verdicts)
    verd.to_csv(tmp / "verdicts.csv", index=False)
    eff.to_csv(tmp / "effects.csv", index=False)
    pd.concat(screens, ignore_index=True).to_csv(tmp / "oat.csv", index=False)
    pd.DataFrame(confirms, columns=["proposition", "assumption", "bound", "value", "default", "effect", "relative",
                                    "conf_level", "ci_low", "ci_high", "wilcoxon_p", "status"]
                 ).to_csv(tmp / "confirm.csv", index=False)
    pd.concat(sobols, ignore_index=True).to_csv(tmp / "sobol.csv", index=False)
    pd.DataFrame(boxes).to_csv(tmp / "failure_boxes.csv", index=False)
    (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, default=str) + "\n", encoding="utf-8")
    (tmp / "REPORT.md").write_text(_markdown(study, verd, eff, sections, prov, out, wall), encoding="utf-8")


def _rests_on(res: dict[str, Any]) -> list[str]:
    """The assumptions whose plausible range flips the verdict (the confirmed bounds the verdict names)."""
    flips = [f"{a} ({b})" for a, b, r in res["confirmed"]
             if (r.fails if res["default"].holds else r.holds)]
    return flips


def _figures(pat, res, disc, sob, figs: Path) -> dict[str, str]:
    names = {}
    k = pat.key
    p = charts.tornado(res["screen"], res["default"].effect, res["threshold"],
                       f"{k}: paired effect at each assumption's bounds", figs / f"{k}_oat.png")
    names["oat"] = f"figures/{p.name}"
    if len(sob):
        p = charts.sobol_bars(sob.rename(columns={"proposition": "output"}), f"{k} paired effect",
                              figs / f"{k}_sobol.png")
        names["sobol"] = f"figures/{p.name}"
    box = disc["box"]
    if box is not None and len(box["trajectory"]) > 1:
        p = charts.peeling(box["trajectory"], box["selected"], f"{k}: PRIM peeling, effect below the SESOI",
                           figs / f"{k}_prim_peeling.png")
        names["prim"] = f"figures/{p.name}"
    return names


# --------------------------------------------------------------------------------------------- markdown
def _f(v: float, fmt: str = ".3g") -> str:
    return "NaN" if v is None or not np.isfinite(v) else format(float(v), fmt)


def _section(study, res, disc, sob, rests, figs) -> list[str]:
    pat, d, f = res["pattern"], res["default"], res["failing"]
    (ctx, value), = pat.failing_context.items()
    size = study.size
    lines = [f"## {pat.key}: {pat.title}", "", res["first_line"], "",
             f"> *{pat.statement_fr}*", ">", f"> {pat.statement}", "",
             f"Source: {pat.source}. Declared in `{_rel(pat.path)}`.", "",
             "| | arm a (favoured) | arm b |", "|---|---|---|",
             f"| levers | {_kv(pat.arm_a)} | {_kv(pat.arm_b)} |", "",
             f"Outcome `{pat.outcome}` ({'higher' if pat.higher_is_better else 'lower'} is better"
             + ("; a phase never reached counts as horizon + 1" if pat.missing else "")
             + f"); smallest effect of interest {pat.sesoi:.0%} of arm b's mean at the default context "
             f"({_f(res['scale'])}), i.e. {_f(res['threshold'])}.", "",
             "| context | replicates | effect | relative | bootstrap 95% CI | Wilcoxon p | Cohen's dz | status |",
             "|---|---|---|---|---|---|---|---|"]
    for name, r in (("default", d), (f"failing: `{ctx} = {value}`", f)):
        lo, hi = r.ci()
        lines.append(f"| {name} | {len(r.diff)} | {_f(r.effect)} | {_f(r.relative_effect, '.1%')} | [{_f(lo)}, "
                     f"{_f(hi)}] | {_f(r.wilcoxon_p)} | {_f(r.cohens_dz)} | {r.status} ({r.how}) |")
    lines += ["", f"Documented failing context ({pat.failing_reason}): "
              + ("**reproduced**, " + ("a reversal." if f.reversed else "shown equivalent to zero.") if f.fails else
                 f"**not reproduced**: the model gives {f.status} ({f.how}) there."), ""]
    box = disc["box"]
    lines += ["**Where it fails (scenario discovery).** Over "
              f"{len(disc['short'])} LHS points of the context space x {size.prim_replicates} paired replicates, the "
              f"mean effect falls below the SESOI at {disc['share_short']:.0%} of the points."]
    if box is not None:
        stab = disc.get("stability", {})
        lines += [f"PRIM's box: **{box_rule(box)}** (coverage {box['coverage']:.2f}, density {box['density']:.2f}, "
                  f"mass {box['mass']:.2f}"
                  + ("" if box["reached_threshold"] else f"; density threshold {study.prim.threshold} not reached")
                  + "). Restricted in resampled boxes: "
                  + (", ".join(f"`{c}` {s:.0%}" for c, s in sorted(stab.items(), key=lambda t: -t[1]) if s > 0)
                     or "none") + "."]
        cart = disc["cart"]
        if len(cart):
            top = cart.sort_values("density", ascending=False).head(2)
            lines += ["CART's purest leaves: " + "; ".join(f"{r.rule} (density {r.density:.2f}, mass {r.mass:.2f})"
                                                           for r in top.itertuples()) + "."]
    lines.append("")
    screen = res["screen"]
    shift = (screen["effect"] - d.effect).abs()
    top = screen.assign(shift=shift).sort_values("shift", ascending=False).head(5)
    which = "every registry assumption" if size.oat == "all" else "the file's rests_on"
    lines += [f"**What it rests on.** One at a time, {screen['assumption'].nunique()} assumptions at their bounds "
              f"({size.oat_replicates} paired replicates each; {which}). Largest moves of the effect:", "",
              "| assumption | bound | value (default) | effect there |", "|---|---|---|---|"]
    for r in top.itertuples():
        lines.append(f"| `{r.assumption}` | {r.bound} | {_f(r.value)} ({_f(r.default)}) | {_f(r.effect)} |")
    lines.append("")
    if res["confirm_rows"]:
        lines += [f"Re-run with {size.replicates} replicates (the {len(res['flagged'])} assumptions moving it most "
                  "towards the other verdict; Bonferroni-corrected intervals):", "",
                  "| assumption | bound | effect | relative | CI | status |", "|---|---|---|---|---|---|"]
        for c in res["confirm_rows"]:
            lines.append(f"| `{c['assumption']}` | {c['bound']} = {_f(c['value'])} | {_f(c['effect'])} | "
                         f"{_f(c['relative'], '.1%')} | [{_f(c['ci_low'])}, {_f(c['ci_high'])}] | {c['status']} |")
    else:
        lines.append("No assumption bound moved the screened effect across the SESOI: nothing to confirm.")
    lines.append("")
    if len(sob):
        st = sob[sob["index"] == "ST"].sort_values("value", ascending=False)
        s1 = sob[sob["index"] == "S1"].set_index("parameter")["value"]
        lines += [f"Sobol' indices of the paired effect (N = {size.sobol_samples}, {size.sobol_replicates} "
                  "replicates, replicate means):", "", "| assumption | S1 | ST | ST 95% CI |", "|---|---|---|---|"]
        for r in st.itertuples():
            lines.append(f"| `{r.parameter}` | {_f(s1.get(r.parameter, np.nan))} | {_f(r.value)} | "
                         f"[{_f(r.conf_low)}, {_f(r.conf_high)}] |")
        lines.append("")
    lines += [f"![{k}]({v})" for k, v in figs.items()] + [""]
    return lines


def _kv(d: dict[str, Any]) -> str:
    return ", ".join(f"`{k} = {v}`" for k, v in d.items())


def _rel(path: Path | None) -> str:
    if path is None:
        return "?"
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _markdown(study, verd: pd.DataFrame, eff: pd.DataFrame, sections, prov, out: Path, wall) -> str:
    v = prov["versions"]
    cmd = "vti-sim propositions" + (" --quick" if study.quick else "") + f" --out {out}"
    lines = ["# The thesis propositions, tested", "",
             f"> Regenerate: `{cmd}` (add `--workers N` or `--scheduler ADDR`). The runs resume from "
             "`<key>/sweep-*/`; deleting those re-runs everything, bit for bit. No verdict here is written by hand: "
             "`vti_sim/analysis/propositions.py` computes each one from the runs.", "",
             "## Provenance", "", "| | |", "|---|---|",
             f"| vti-sim | {v.get('vti_sim_version')} (commit `{v.get('git_commit')}`) |",
             f"| propositions | `{_rel(study.directory)}` (study.toml SHA-256 `{study.sha256[:16]}…`) |",
             f"| size | {'quick' if study.quick else 'full'}: {study.size.replicates} paired replicates per context, "
             f"{study.size.prim_points} x {study.size.prim_replicates} discovery runs per arm, OAT over "
             f"{'every assumption' if study.size.oat == 'all' else 'rests_on'} x {study.size.oat_replicates}, "
             f"{study.size.confirm} confirmed, Sobol' N = {study.size.sobol_samples} |",
             f"| seeds | study seed {study.seed}; stage seeds from (study seed, crc32(key), stage); run seed "
             "`SeedSequence(entropy=stage_seed, spawn_key=(point, replicate))` |",
             f"| Python / Mesa / SALib / ema-workbench | {v.get('python')} / {v.get('mesa')} / {v.get('SALib')} / "
             f"{v.get('ema-workbench')} |",
             f"| created | {prov['created']} |",
             "| wall time | " + ", ".join(f"{k} {report._dur(t)}" for k, t in wall.items()) + " |", "",
             "## The rule", "", RULE, "",
             "The **verdict** reads that rule at the default context (the registry defaults) and at the assumption "
             "bounds that the one-at-a-time screening shows moving the effect most towards the other side "
             "(re-run with the full replicates, Bonferroni-corrected):", "",
             "- **supported**: holds at the default context and fails at no confirmed assumption bound;",
             "- **conditional**: holds at the default context but fails at a confirmed bound, or does not hold "
             "there but holds at one; the verdict names them in its first line;",
             "- **not supported**: does not hold at the default context and holds at no confirmed bound, with the "
             "reason.", "",
             "Each proposition's documented failing context is one plausible condition, disjoint from its arms; "
             "whether the model reproduces the failure there (a reversal or a shown equivalence) is reported "
             "beside the verdict, not folded into it.", "",
             "## Verdicts", "",
             "| | proposition | verdict | effect (relative) | bootstrap 95% CI | Wilcoxon p | failing context | "
             "fails there | failure region (PRIM) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in verd.itertuples():
        lines.append(f"| {r.proposition} | {r.title} | **{r.verdict}** | {_f(r.effect)} ({_f(r.relative, '.1%')}) | "
                     f"[{_f(r.ci_low)}, {_f(r.ci_high)}] | {_f(r.wilcoxon_p)} | `{r.failing_context}` | "
                     f"{'yes' if r.failing_reproduced else 'no'} ({r.failing_status}) | {r.failure_box} |")
    lines += ["", "![forest](figures/forest.png)", ""]
    for s in sections:
        lines += s
    lines += ["## Files", "",
              "- `verdicts.csv`: one row per proposition (verdict, first line, effect, CI, p, failing context)",
              "- `effects.csv`: the paired effect at the default and the failing context",
              "- `oat.csv`: the one-at-a-time screening (effect at each assumption bound)",
              "- `confirm.csv`: the confirmed bounds, read by the rule",
              "- `sobol.csv`: Sobol' S1 and ST of the paired effect over assumptions",
              "- `failure_boxes.csv`: PRIM's box of the context where the effect falls short",
              "- `provenance.json`: versions, commit, study and proposition hashes, seeds",
              "- `<key>/sweep-<stage>-<arm>/`: the raw runs (the sweep engine's Parquet; not committed)", ""]
    return "\n".join(lines)
