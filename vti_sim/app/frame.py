"""What the page shows of a run at one month, copied out of the model in one go (``Frame.of``).

The play loop steps the model in its own thread; renders read only frames, never the live model, so a render can
never see a month half-written.  A frame is cheap: the ledger's rows before ``n`` never change, so it
keeps a read-only slice of them, plus copies of the few small arrays the charts need.

The mission dashboard follows the Angers steering tool (seed 000): *moyens* are the inputs consumed (budget spent
against the mission's budget), *réalisations* the outputs delivered (share of the mission's actions delivered),
*effets* the value they created, and the *météo* compares progress with a linear schedule once work has started
(before that, it says the mission has not started).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vti_sim.model import VTIModel
from vti_sim.model.ledger import INDEX

# météo thresholds: progress / scheduled progress (as in vti_sim.outputs.result.mission_table)
METEO_STEPS = ((0.9, "sunny"), (0.6, "cloudy"), (0.3, "rainy"))


@dataclass(frozen=True)
class Frame:
    """One month of one run, as the page shows it."""

    n: int  # months run so far
    months: int  # horizon
    seed: int
    running: bool
    d: np.ndarray  # ledger rows 0..n-1 (read-only)
    phase: int
    item_start: np.ndarray
    item_end: np.ndarray
    item_progress: np.ndarray
    budget_year: float  # the year's budget ceiling (ODD §7.11: credits are voted below it)
    missions: tuple[dict[str, Any], ...]
    model_id: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    ledger: Any = None  # the run's ledger (thread-safe reads; rows before n never change), for the CSV export

    @classmethod
    def of(cls, model: VTIModel) -> Frame:
        """Copy what the page needs; call it with the model's lock held (the play loop may step it)."""
        n = model.ledger.n
        d = model.ledger.data[:n]
        d.flags.writeable = False
        pol = model.policy
        return cls(n=n, months=model.months, seed=int(getattr(model, "seed", 0) or 0), running=bool(model.running),
                   d=d, phase=int(pol.phase), item_start=pol.item_start.copy(), item_end=pol.item_end.copy(),
                   item_progress=np.array(pol.progress, dtype=float), budget_year=float(model.ceiling),
                   missions=tuple(mission_records(model)), model_id=id(model),
                   settings=dict(getattr(model, "settings", {}) or {}), ledger=model.ledger)

    def timeseries(self):
        """The monthly timeseries up to this frame's month (pandas)."""
        return self.ledger.frame().iloc[: self.n]

    @property
    def month(self) -> np.ndarray:
        return np.arange(1, self.n + 1)

    def col(self, name: str) -> np.ndarray:
        return self.d[:, INDEX[name]]

    def last(self, name: str, default: float = 0.0) -> float:
        return float(self.d[-1, INDEX[name]]) if self.n else default


def mission_records(model: VTIModel) -> list[dict[str, Any]]:
    """Per mission: budget, means (budget spent / budget), realisation (actions delivered / actions), effects,
    progress and météo ("not_started" until one of its actions has started)."""
    pf = model.portfolio
    months = max(int(model.steps), 1)
    rows = []
    for i, m in enumerate(pf.missions):
        sel = pf.mission == i
        actions = int(sel.sum())
        budget = float(pf.public_cost[sel].sum())
        spent = float(pf.spent[sel].sum())
        delivered = int((pf.state[sel] >= 2).sum())
        progress = float(pf.progress[sel].mean()) if actions else 0.0
        started = bool((pf.state[sel] >= 1).any())
        if not started:
            meteo = "not_started"
        else:
            expected = min(1.0, months / max(float(pf.duration[sel].max()) * 3.0, 1.0))
            ratio = progress / expected if expected > 0 else 1.0
            meteo = next((k for th, k in METEO_STEPS if ratio >= th), "stormy")
        rows.append({"mission": m.key, "label": m.label, "actions": actions, "budget_meur": budget,
                     "spent_meur": spent, "means": spent / budget if budget else 0.0,
                     "realisation": delivered / actions if actions else 0.0, "delivered": delivered,
                     "progress": progress, "effects": float(pf.value_created[sel].sum()), "meteo": meteo})
    return rows
