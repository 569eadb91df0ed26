"""What a run reports: the monthly ledger's columns and the per-run summary.

Columns are declared once here; the model writes one row per month into a
preallocated array (no pandas on the hot path) and the DataFrame is built once
at the end.  The summary keys are the public contract of ``vti_sim.run``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .phases import ITEM_KEYS, PHASES
from .time_budget import ACTIVITIES
from .value import DESTRUCTION_SOURCES, GENERATORS, VALUE_TYPES

ROLES = ("elected", "directors", "staff", "operators", "residents")
TIME_ROLES = ("elected", "directors", "staff")


def _columns() -> tuple[str, ...]:
    cols = ["month", "phase", "cycle"]
    cols += [f"progress_{k}" for k in ITEM_KEYS]
    cols += [f"quality_{k}" for k in ITEM_KEYS]
    cols += [f"generator_{g}" for g in GENERATORS]
    cols += [f"pv_created_{t}" for t in VALUE_TYPES]
    cols += [f"pv_destroyed_{t}" for t in VALUE_TYPES]
    cols += [f"pv_net_{t}" for t in VALUE_TYPES]
    cols += [f"destroyed_{s}" for s in DESTRUCTION_SOURCES]
    cols += ["pv_created_total", "pv_destroyed_total", "pv_net_total"]
    cols += ["trust", "participation", "satisfaction", "inclusion_gap", "digital_use", "legitimacy"]
    cols += [f"hours_{r}_{a}" for r in TIME_ROLES for a in ACTIVITIES]
    cols += [f"demand_{r}" for r in TIME_ROLES] + [f"unmet_{r}" for r in TIME_ROLES]
    cols += ["hours_facilitation_open_governance", "hours_operators_delivery", "unmet_operators"]
    cols += ["budget_allotted", "budget_spent", "budget_spent_year", "budget_execution"]
    cols += ["foundation_maturity", "open_data_catalogue", "open_data_freshness", "data_habit"]
    cols += ["proactivity", "openness", "open_active", "open_fulfilment", "transversality", "partners", "job_fit",
             "skill"]
    cols += ["prerequisites", "institutional_readiness", "mediation", "information_fulfilment"]
    cols += ["actions_under_way", "actions_delivered", "actions_evaluated", "executive_changed"]
    return tuple(cols)


COLUMNS = _columns()
INDEX = {c: i for i, c in enumerate(COLUMNS)}


class Ledger:
    """One row per month, written in place: the month's compiled passes fill their array columns straight into
    the row being written (``row``), and ``append`` writes the scalars and counts the row in.  Nothing is
    assembled later: building rows as records and assembling them on read cost more than a month's arithmetic.

    A reader in another thread (the workshop app renders while its play loop steps the model) reads
    ``data[:n]``: the row being written is past ``n`` until it is complete, and rows before ``n`` never change."""

    def __init__(self, months: int, scalar_columns, array_columns=()):
        self._data = np.zeros((months, len(COLUMNS)))
        self._scalar_index = np.array([INDEX[c] for c in scalar_columns], dtype=np.intp)
        self._array_slices = tuple(array_columns)
        self.n = 0

    @property
    def row(self) -> np.ndarray:
        """The row being written (this month's), a view into ``data``."""
        return self._data[self.n]

    def append(self, scalars: tuple, arrays: tuple = ()) -> None:
        """Write this month's scalars (and ``arrays``, copied into their ``array_columns``), then count the row."""
        row = self._data[self.n]
        row[self._scalar_index] = scalars
        for cols, values in zip(self._array_slices, arrays, strict=True):
            row[cols] = values
        self.n += 1

    @property
    def data(self) -> np.ndarray:
        """All rows, (months, columns); rows from ``n`` on are not yet written (zeros, or the month in progress)."""
        return self._data

    def frame(self) -> pd.DataFrame:
        """The monthly timeseries; counts as integers, flags as booleans, the phase also by name.

        Built on the array as one float block (a column at a time costs twice as much), then the counts, flags and
        phase names replace or join their columns."""
        data = self.data[: self.n]
        df = pd.DataFrame(data, columns=COLUMNS, copy=False)
        for c in _INT_COLUMNS:
            df[c] = data[:, INDEX[c]].astype(np.int64)
        for c in _BOOL_COLUMNS:
            df[c] = data[:, INDEX[c]].astype(bool)
        df.insert(INDEX["cycle"] + 1, "phase_name", pd.Categorical.from_codes(
            data[:, INDEX["phase"]].astype(np.int64), categories=list(PHASES)))
        return df


_INT_COLUMNS = ("month", "phase", "cycle", "actions_under_way", "actions_delivered", "actions_evaluated")
_BOOL_COLUMNS = ("open_active", "executive_changed")


def slice_of(prefix: str, keys) -> slice:
    """Contiguous column slice for ``prefix + key`` columns (they are declared together)."""
    first, last = INDEX[f"{prefix}{keys[0]}"], INDEX[f"{prefix}{keys[-1]}"]
    assert last - first + 1 == len(keys)
    return slice(first, last + 1)
