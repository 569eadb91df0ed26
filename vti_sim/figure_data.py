"""What the figures read from runs: their tables and the model's names, without matplotlib or the model.

``figures`` draws; this module is what the command's own process needs to hand runs to a helper process
that draws them (``figure_workers``): it imports neither matplotlib (0.5 s) nor, until asked for the model's
names, the model (Mesa, numba: 1.5 s)."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

PHASE_PALETTE = ("#8da0cb", "#66c2a5", "#fc8d62", "#e78ac3")  # in the order of the model's phases
ACTIVITY_PALETTE = ("#4c72b0", "#55a868", "#c44e52", "#8172b2", "#ccb974")  # in the order of its activities


@dataclass(frozen=True)
class Vocabulary:
    """The model's names that the figures draw (read from the model where the results are)."""

    phases: tuple[str, ...]
    activities: tuple[str, ...]
    time_roles: tuple[str, ...]
    value_types: tuple[str, ...]
    destruction_sources: tuple[str, ...]

    @classmethod
    def of_model(cls) -> Vocabulary:
        from .model.ledger import TIME_ROLES
        from .model.phases import PHASES
        from .model.time_budget import ACTIVITIES
        from .model.value import DESTRUCTION_SOURCES, VALUE_TYPES

        return cls(tuple(PHASES), tuple(ACTIVITIES), tuple(TIME_ROLES), tuple(VALUE_TYPES),
                   tuple(DESTRUCTION_SOURCES))

    def phase_colours(self) -> dict[str, str]:
        return dict(zip(self.phases, PHASE_PALETTE, strict=True))

    def activity_colours(self) -> dict[str, str]:
        return dict(zip(self.activities, ACTIVITY_PALETTE, strict=True))


def is_result(x: Any) -> bool:
    return hasattr(x, "timeseries")


def groups_of(results: Any) -> list[list[Any]]:
    """Normalise the accepted input shapes to ``[[replicate, ...], ...]`` (one list per scenario)."""
    if is_result(results):
        return [[results]]
    out = []
    for g in results:
        out.append([g] if is_result(g) else list(g))
    if not out or any(not g for g in out):
        raise ValueError("figures need at least one run per scenario")
    return out


def tables_of(result: Any) -> SimpleNamespace:
    """The part of a run the figures read (timeseries, missions, items): small and picklable, unlike the
    run's final state."""
    return SimpleNamespace(timeseries=result.timeseries, missions=getattr(result, "missions", None),
                           items=getattr(result, "items", None))
