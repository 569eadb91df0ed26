"""Figures of the sensitivity, discovery and plateau reports (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    _plt().close(fig)
    return path


def _err(g: pd.DataFrame) -> np.ndarray:
    lo = (g["value"] - g["conf_low"]).clip(lower=0).to_numpy()
    hi = (g["conf_high"] - g["value"]).clip(lower=0).to_numpy()
    return np.nan_to_num(np.vstack([lo, hi]))


def sobol_bars(df: pd.DataFrame, output: str, path: Path) -> Path:
    plt = _plt()
    s1 = df[(df["index"] == "S1")].set_index("parameter")
    st = df[(df["index"] == "ST")].set_index("parameter").reindex(s1.index)
    order = st["value"].fillna(0).sort_values(ascending=False).index
    s1, st = s1.loc[order], st.loc[order]
    x = np.arange(len(order))
    fig, ax = plt.subplots(figsize=(max(5, 0.55 * len(order) + 2), 4))
    ax.bar(x - 0.2, s1["value"], 0.4, yerr=_err(s1), capsize=2, label="S1 (first order)")
    ax.bar(x + 0.2, st["value"], 0.4, yerr=_err(st), capsize=2, label="ST (total)")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(x, order, rotation=60, ha="right")
    ax.set_ylabel("Sobol' index (replicate mean)")
    ax.set_title(f"{output}: Sobol' indices with bootstrap intervals")
    ax.legend()
    return _save(fig, path)


def s2_heatmap(df: pd.DataFrame, output: str, names: list[str], path: Path) -> Path:
    plt = _plt()
    s2 = df[df["index"] == "S2"]
    m = np.full((len(names), len(names)), np.nan)
    pos = {n: i for i, n in enumerate(names)}
    for _, r in s2.iterrows():
        a, b = r["parameter"].split(",")
        m[pos[a], pos[b]] = m[pos[b], pos[a]] = r["value"]
    fig, ax = plt.subplots(figsize=(0.45 * len(names) + 3, 0.45 * len(names) + 2))
    lim = np.nanmax(np.abs(m)) if np.isfinite(m).any() else 1.0
    im = ax.imshow(m, cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_xticks(range(len(names)), names, rotation=70, ha="right", fontsize=7)
    ax.set_yticks(range(len(names)), names, fontsize=7)
    fig.colorbar(im, ax=ax, label="S2")
    ax.set_title(f"{output}: second-order Sobol' indices")
    return _save(fig, path)


def morris_scatter(df: pd.DataFrame, output: str, path: Path) -> Path:
    plt = _plt()
    mu = df[df["index"] == "mu_star"].set_index("parameter")
    sg = df[df["index"] == "sigma"].set_index("parameter").reindex(mu.index)
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.errorbar(mu["value"], sg["value"], xerr=_err(mu), fmt="o", ms=4, capsize=2)
    for name in mu.index:
        ax.annotate(name, (mu.at[name, "value"], sg.at[name, "value"]), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    top = np.nanmax(np.r_[mu["value"].to_numpy(), sg["value"].to_numpy(), 1e-12])
    ax.plot([0, top], [0, top], "k--", lw=0.6, label="sigma = mu*")
    ax.set_xlabel("mu* (mean |elementary effect|)")
    ax.set_ylabel("sigma (interactions / non-linearity)")
    ax.set_title(f"{output}: Morris screening")
    ax.legend()
    return _save(fig, path)


def pawn_bars(df: pd.DataFrame, output: str, path: Path) -> Path:
    plt = _plt()
    g = df[df["index"] == "median"].sort_values("value", ascending=False)
    dummy = g[g["parameter"] == "(dummy)"]
    g = g[g["parameter"] != "(dummy)"]
    fig, ax = plt.subplots(figsize=(max(5, 0.5 * len(g) + 2), 4))
    ax.bar(range(len(g)), g["value"], yerr=_err(g), capsize=2)
    if len(dummy):
        ax.axhline(float(dummy["conf_high"].iloc[0]), color="r", ls="--", lw=1, label="dummy cut-off")
        ax.legend()
    ax.set_xticks(range(len(g)), g["parameter"], rotation=60, ha="right")
    ax.set_ylabel("PAWN index (median KS)")
    ax.set_title(f"{output}: PAWN with bootstrap intervals")
    return _save(fig, path)


def convergence_curves(conv: pd.DataFrame, output: str, method: str, index: str, path: Path, top: int = 6) -> Path:
    plt = _plt()
    g = conv[(conv["output"] == output) & (conv["method"] == method) & (conv["index"] == index)]
    g = g[g["parameter"] != "(dummy)"]
    nmax = g["n"].max()
    keep = g[g["n"] == nmax].sort_values("value", ascending=False)["parameter"].head(top)
    fig, ax = plt.subplots(figsize=(6, 4))
    for name in keep:
        h = g[g["parameter"] == name].sort_values("n")
        ax.plot(h["n"], h["value"], marker="o", label=name)
        ax.fill_between(h["n"], h["conf_low"], h["conf_high"], alpha=0.15)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("N (base samples / trajectories / points)")
    ax.set_ylabel(index)
    ax.set_title(f"{output}: convergence of {method} {index}")
    ax.legend(fontsize=7)
    return _save(fig, path)


def noise_share(noise: pd.DataFrame, path: Path) -> Path:
    plt = _plt()
    g = noise[noise["index"] == "noise_share"]
    fig, ax = plt.subplots(figsize=(max(5, 0.6 * len(g) + 2), 4))
    ax.bar(range(len(g)), g["value"], yerr=_err(g), capsize=2)
    ax.set_xticks(range(len(g)), g["output"], rotation=50, ha="right")
    ax.set_ylabel("E[Var(Y|X)] / Var(Y)")
    ax.set_title("Share of output variance that is stochastic noise")
    return _save(fig, path)


# --------------------------------------------------------------------------------------------- discovery
def peeling(traj: pd.DataFrame, selected: int, title: str, path: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(traj["mass"], traj["coverage"], label="coverage")
    ax.plot(traj["mass"], traj["density"], label="density")
    ax.axvline(traj["mass"].iloc[selected], color="k", ls=":", lw=1, label=f"selected box {selected}")
    ax.invert_xaxis()
    ax.set_xlabel("box mass (share of points inside)")
    ax.set_title(title)
    ax.legend()
    return _save(fig, path)


def tradeoff(traj: pd.DataFrame, selected: int, title: str, path: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4.5))
    sc = ax.scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=18)
    ax.scatter(traj["coverage"].iloc[selected], traj["density"].iloc[selected], s=90, facecolors="none",
               edgecolors="r", label="selected")
    fig.colorbar(sc, ax=ax, label="restricted dimensions")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend()
    return _save(fig, path)


def labels_scatter(x: pd.DataFrame, labels: np.ndarray, a: str, b: str, box: pd.DataFrame | None, path: Path,
                   title: str) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 5))
    colours = {"win": "tab:green", "tie": "0.7", "lose": "tab:red"}
    for lab, col in colours.items():
        m = labels == lab
        ax.scatter(x.loc[m, a], x.loc[m, b], s=10, c=col, label=f"{lab} ({int(m.sum())})")
    if box is not None and a in box.columns and b in box.columns:
        (x0, x1), (y0, y1) = box[a].astype(float), box[b].astype(float)
        ax.add_patch(plt.Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="k", lw=1.5))
    ax.set_xlabel(a)
    ax.set_ylabel(b)
    ax.set_title(title)
    ax.legend(fontsize=8)
    return _save(fig, path)


# --------------------------------------------------------------------------------------------- plateau maps
def plateau_map(cells: pd.DataFrame, x: str, y: str, path: Path) -> Path:
    plt = _plt()
    xs, ys = np.sort(cells["x_value"].unique()), np.sort(cells["y_value"].unique())
    grid = {k: cells.pivot_table(index="y_value", columns="x_value", values=k, aggfunc="first")
            .reindex(index=ys, columns=xs).to_numpy() for k in ("p_plateau", "onset_median", "level_median")}
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    titles = {"p_plateau": "P(plateau) over replicates", "onset_median": "plateau onset (month, median)",
              "level_median": "plateau level (net value / month, median)"}
    for ax, (key, title) in zip(axes, titles.items(), strict=True):
        im = ax.pcolormesh(xs, ys, grid[key], shading="nearest", cmap="viridis",
                           **({"vmin": 0, "vmax": 1} if key == "p_plateau" else {}))
        fig.colorbar(im, ax=ax)
        p = grid["p_plateau"]
        if np.nanmin(p) < 0.5 < np.nanmax(p) and len(xs) > 1 and len(ys) > 1:
            ax.contour(xs, ys, p, levels=[0.5], colors="w", linewidths=1.5)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.set_title(title, fontsize=9)
    fig.suptitle(f"Plateau over {x} x {y} (white: P = 0.5)")
    return _save(fig, path)


def forest(effects: pd.DataFrame, path: Path) -> Path:
    """Relative paired effects with their bootstrap intervals, one row per proposition and context, against the
    smallest effect of interest (the propositions report)."""
    plt = _plt()
    effects = effects.iloc[::-1].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7.5, 0.42 * len(effects) + 1.4))
    colours = {"holds": "tab:green", "fails": "tab:red", "inconclusive": "tab:grey"}
    for i, r in effects.iterrows():
        c = colours.get(r["status"], "k")
        ax.errorbar(r["relative"], i, xerr=[[max(r["relative"] - r["rel_low"], 0)], [max(r["rel_high"] - r["relative"],
                    0)]], fmt="o" if r["context"] == "default" else "s", color=c, capsize=3,
                    mfc=c if r["context"] == "default" else "white")
    ax.axvline(0, color="k", lw=0.8)
    for s in sorted(set(effects["sesoi"])):
        ax.axvline(s, color="tab:blue", lw=0.8, ls=":")
    ax.set_yticks(range(len(effects)), [f"{r.proposition} {r.context}" for r in effects.itertuples()])
    ax.set_xlabel("paired effect / arm b's mean at the default context (dotted: SESOI)")
    ax.set_title("Propositions: effect, bootstrap 95% interval and status (green holds, red fails, grey neither)")
    return _save(fig, path)


def tornado(screen: pd.DataFrame, base: float, threshold: float, title: str, path: Path, top: int = 12) -> Path:
    """One-at-a-time screening: the paired effect at each assumption's min and max, the largest swings first."""
    plt = _plt()
    swing = screen.groupby("assumption", sort=False)["effect"].agg(lambda e: float(np.ptp(e)))
    names = list(swing.sort_values(ascending=False).index[:top])[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.36 * len(names) + 1.6))
    for i, n in enumerate(names):
        g = screen[screen["assumption"] == n].set_index("bound")["effect"]
        ax.plot([g.min(), g.max()], [i, i], color="0.7", lw=4)
        ax.scatter(g.get("min", np.nan), i, color="tab:blue", zorder=3, label="at min" if i == 0 else None)
        ax.scatter(g.get("max", np.nan), i, color="tab:orange", zorder=3, label="at max" if i == 0 else None)
    ax.axvline(base, color="k", lw=0.8, label="default context")
    ax.axvline(threshold, color="tab:red", lw=0.8, ls=":", label="SESOI")
    ax.axvline(0, color="k", lw=0.5, ls="--")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("mean paired effect (screening replicates)")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="best")
    return _save(fig, path)
