"""The Python entry point: ``vti_sim.run(...)`` -> RunResult(timeseries, summary, ...)."""

from __future__ import annotations

import json
import platform
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from ..model import VTIModel
from ..model.ledger import INDEX, ROLES, TIME_ROLES
from ..model.phases import PHASES
from ..model.value import DESTRUCTION_SOURCES, VALUE_TYPES
from ..registry import REGISTRY, ParameterError, _show, resolve, validate
from .plateau import detect_plateau_against

_STAFF_HOURS = slice(INDEX["hours_staff_steering"], INDEX["hours_staff_training"] + 1)


@dataclass
class RunResult:
    """What one run produced: the monthly timeseries, the per-run summary, missions, and provenance.

    ``missions`` and ``items`` are built from the run's final state on first access: most callers (sweeps,
    pattern experiments) never read them."""

    timeseries: pd.DataFrame
    summary: dict[str, Any]
    params: dict[str, Any]
    seed: int
    final_state: SimpleNamespace | None = field(default=None, repr=False)

    @cached_property
    def missions(self) -> pd.DataFrame:
        """Mission dashboard (see ``mission_table``)."""
        return mission_table(self.final_state) if self.final_state is not None else pd.DataFrame()

    @cached_property
    def items(self) -> pd.DataFrame:
        """Work items with their start and end months (see ``item_table``)."""
        return item_table(self.final_state) if self.final_state is not None else pd.DataFrame()

    def provenance(self) -> dict[str, Any]:
        return provenance(self.params, self.seed)


def run(scenario: str | Path | dict | None = None, *, seed: int = 0, months: int | None = None,
        overrides: dict[str, Any] | None = None) -> RunResult:
    """Run one simulation and return its timeseries and summary.

    ``scenario`` is a scenario name or TOML path (see ``vti_sim.scenarios``), a dict of
    parameters, or None for the registry defaults.  ``overrides`` win over the scenario.
    """
    seed = check_seed(seed)
    if overrides is not None and not isinstance(overrides, Mapping):
        raise ParameterError("overrides", f"got {type(overrides).__name__} {_show(overrides)}; allowed: a dict of "
                                          "parameter name -> value, e.g. {'facilitation_fte': 2}", source="run()")
    if overrides and not all(isinstance(k, str) for k in overrides):
        raise ParameterError("overrides", "allowed: parameter names (strings) as keys", source="run()")
    params = dict(_scenario_params(scenario))
    params.update(overrides or {})
    if months is not None:
        params["months"] = months
    params = resolve(params, source="run()")
    model = simulate(params, seed)
    try:
        return result_of(model, params, seed)
    finally:
        release(model)


MAX_SEED = 2**63 - 1


def check_seed(seed: Any, *, source: str = "run()") -> int:
    """The seed as a Python int, or a ParameterError naming it: a run is reproducible only with an integer seed."""
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, int | np.integer) or not 0 <= seed <= MAX_SEED:
        shown = f"{type(seed).__name__} {_show(seed)}" if not isinstance(seed, int | np.integer) else _show(seed)
        raise ParameterError("seed", f"got {shown}; allowed: an integer in [0, {MAX_SEED}] (the same seed gives the "
                                     "same run)", source=source)
    return int(seed)


def simulate(params: dict[str, Any], seed: int) -> VTIModel:
    """Run a model to its horizon and return it (no tables built, no Mesa DataCollector): the unit of work of
    sweeps.  ``params`` is a full parameter set from ``registry.resolve`` (or defaults updated with values from
    ``registry.validate``), not checked again; a partial set is resolved first."""
    if params.keys() != REGISTRY.keys():
        params = resolve(params, source="simulate()")
    model = VTIModel.of_resolved(params, rng=seed, collect=False)
    while model.running:
        model.step()
    return model


def release(model) -> None:
    """Let a finished model be garbage-collected.

    Mesa 3.3 keeps a class-level ``Agent._ids`` dict keyed by model, which holds every model alive (about
    0.75 MB each) and slows later runs in a long-lived process; Mesa >= 3.5 has no such dict."""
    import mesa

    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)


def _scenario_params(scenario) -> dict[str, Any]:
    if scenario is None:
        return {}
    if isinstance(scenario, Mapping):
        return dict(scenario)
    if not isinstance(scenario, str | Path):
        raise ParameterError("scenario", f"got {type(scenario).__name__} {_show(scenario)}; allowed: a scenario name, "
                                         "a .toml path, a dict of parameters or None", source="run()")
    from ..scenarios import load_scenario  # scenarios depend on the registry only

    return load_scenario(scenario).params


def result_of(model: VTIModel, params: dict[str, Any], seed: int) -> RunResult:
    ts = model.ledger.frame()
    return RunResult(ts, summarise(model), params, seed, final_state(model))


def final_state(model: VTIModel) -> SimpleNamespace:
    """A copy of what ``mission_table`` and ``item_table`` read, so that they can be built later."""
    pf, pol = model.portfolio, model.policy
    portfolio = SimpleNamespace(missions=pf.missions, mission=pf.mission, public_cost=pf.public_cost,
                                duration=pf.duration, spent=pf.spent.copy(), progress=pf.progress.copy(),
                                state=pf.state.copy(), value_created=pf.value_created.copy())
    policy = SimpleNamespace(item_start=pol.item_start.copy(), item_end=pol.item_end.copy(),
                             progress=pol.progress.copy(), quality=pol.quality.copy())
    return SimpleNamespace(portfolio=portfolio, policy=policy, steps=model.steps)


def summarise(model: VTIModel) -> dict[str, Any]:
    """The per-run summary (MODEL_BRIEF §9), computed from the model's ledger array (no pandas, it is hot in
    sweeps).  The first keys are the fixed contract of ``run``."""
    data = model.ledger.data[: model.ledger.n]
    col = {c: data[:, i] for c, i in INDEX.items()}
    created = {t: float(col[f"pv_created_{t}"].sum()) for t in VALUE_TYPES}
    destroyed = {t: float(col[f"pv_destroyed_{t}"].sum()) for t in VALUE_TYPES}
    net = {t: created[t] - destroyed[t] for t in VALUE_TYPES}
    total_net = float(sum(net.values()))
    first = model.policy.first_month
    plateau = plateau_of(model, col)
    hours = float(data[:, _STAFF_HOURS].sum())
    spent = float(col["budget_spent"].sum())
    last_year = slice(max(len(data) - 12, 0), len(data))
    open_idx = np.flatnonzero(col["open_active"])
    return {
        "months_to_phase": {ph: (int(first[i]) if first[i] >= 0 else None) for i, ph in enumerate(PHASES)},
        "pv_created": created,
        "pv_destroyed": destroyed,
        "pv_net": net,
        "pv_net_total": total_net,
        "plateau_month": plateau[0],
        "n_agents": {"elected": model.elected.n, "directors": model.directors.n, "staff": model.staff.n,
                     "operators": model.operators.n, "residents": model.residents.n},
        "months": int(len(data)),
        # further per-run outputs (MODEL_BRIEF §9)
        "plateau_level": plateau[1],
        "plateau_potential_level": plateau[2],
        "pv_destroyed_by_source": {s: float(col[f"destroyed_{s}"].sum()) for s in DESTRUCTION_SOURCES},
        "pv_created_total": float(sum(created.values())),
        "pv_destroyed_total": float(sum(destroyed.values())),
        "value_per_meur": total_net / spent if spent > 0 else None,
        "value_per_1000_staff_hours": 1000.0 * total_net / hours if hours > 0 else None,
        "final_trust": float(col["trust"][-1]),
        "mean_participation": float(col["participation"].mean()),
        "inclusion_gap": float(col["inclusion_gap"][last_year].mean()),
        "budget_execution": float(col["budget_execution"][-1]),
        "budget_spent_meur": spent,
        "final_foundation_maturity": float(col["foundation_maturity"][-1]),
        "final_open_data_freshness": float(col["open_data_freshness"][-1]),
        "final_legitimacy": float(col["legitimacy"][-1]),
        "unmet_share": {r: _ratio(col[f"unmet_{r}"].sum(), col[f"demand_{r}"].sum()) for r in TIME_ROLES},
        "actions_delivered": int(col["actions_delivered"][-1]),
        "actions_total": int(model.portfolio.n),
        "cycles_completed": int(col["cycle"][-1]) - 1,
        "open_start_month": int(open_idx[0]) if len(open_idx) else None,
        "executive_changes": list(model.executive_changes),
    }


def plateau_of(model: VTIModel, col: dict[str, np.ndarray]) -> tuple[int | None, float | None, float | None]:
    """Plateau of monthly net value (MODEL_BRIEF §9): (month, level, potential level at that month).

    The potential is a paired run of the same policy and seed with unconstrained time (``capacity_factor`` times
    ``potential_capacity_factor``); a plateau counts only where that potential is above its level.  The paired
    run is made only when the curve itself shows a candidate plateau, and stepped only as far as the test reads it
    (to the first candidate its potential confirms), so most sweep runs pay little or nothing for it."""
    params = dict(model.p, **validate({"capacity_factor": min(
        model.p["capacity_factor"] * model.p["potential_capacity_factor"], REGISTRY["capacity_factor"].max)},
        source="plateau potential"))
    twin = None

    def potential_until(n: int) -> np.ndarray:
        """The twin's monthly net value, stepped only as far as the plateau test reads it."""
        nonlocal twin
        if twin is None:
            twin = VTIModel.of_resolved(params, rng=model.seed, collect=False)
        while twin.ledger.n < n and twin.running:
            twin.step()
        return twin.ledger.data[: twin.ledger.n, INDEX["pv_net_total"]]

    try:
        found = detect_plateau_against(col["pv_net_total"], potential_until)
    finally:
        if twin is not None:
            release(twin)
    if found is None:
        return None, None, None
    plateau, pot_level = found
    return int(col["month"][plateau.index]), plateau.level, pot_level


def mission_table(model: VTIModel | SimpleNamespace) -> pd.DataFrame:
    """Mission dashboard in the manner of the Angers steering tool: means, realisations, effects, météo."""
    pf = model.portfolio
    months = max(model.steps, 1)
    rows = []
    for i, m in enumerate(pf.missions):
        sel = pf.mission == i
        budget = float(pf.public_cost[sel].sum())
        spent = float(pf.spent[sel].sum())
        progress = float(pf.progress[sel].mean())
        delivered = int((pf.state[sel] >= 2).sum())
        effects = float(pf.value_created[sel].sum())
        # météo: realisation against a linear schedule over the horizon, as in the Angers tool's weather icons
        expected = min(1.0, months / max(float(pf.duration[sel].max()) * 3.0, 1.0))
        ratio = progress / expected if expected > 0 else 1.0
        meteo = "sunny" if ratio >= 0.9 else "cloudy" if ratio >= 0.6 else "rainy" if ratio >= 0.3 else "stormy"
        rows.append({"mission": m.key, "label": m.label, "actions": int(sel.sum()), "budget_meur": budget,
                     "spent_meur": spent, "means": spent / budget if budget else 0.0,
                     "realisation": progress, "delivered": delivered, "effects": effects, "meteo": meteo})
    return pd.DataFrame(rows)


def item_table(model: VTIModel | SimpleNamespace) -> pd.DataFrame:
    """Work items with the months they started and finished (for the phase Gantt)."""
    from ..model.phases import ITEM_KEYS, ITEM_LABELS, ITEM_PHASE

    pol = model.policy
    return pd.DataFrame({"item": ITEM_KEYS, "label": ITEM_LABELS, "phase": [PHASES[i] for i in ITEM_PHASE],
                         "start": pol.item_start, "end": pol.item_end, "progress": pol.progress,
                         "quality": pol.quality})


def _ratio(a, b) -> float:
    return float(a / b) if b > 0 else 0.0


@cache
def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=5)
        return out.stdout.strip() or None if out.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def provenance(params: dict[str, Any], seed: int | None) -> dict[str, Any]:
    """Version, commit, interpreter and library versions, resolved parameters, seed."""
    import mesa

    from .. import __version__

    return {"vti_sim_version": __version__, "git_commit": _git_commit(), "python": platform.python_version(),
            "mesa": mesa.__version__, "numpy": np.__version__, "pandas": pd.__version__,
            "params": params, "seed": seed}


def to_json(obj: Any) -> str:
    return json.dumps(obj, indent=2, default=_json_default)


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


__all__ = ["ROLES", "RunResult", "provenance", "run", "summarise"]
