"""What a run reports: the monthly ledger's columns and the per-run summary.

Columns are declared once here; the model writes one row per month into a
preallocated array (no pandas on the hot path) and the DataFrame is built once
at the end.  The summary keys are the public contract of ``vti_sim.run``.
"""

from __future__ import annotations

import threading

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
    """One row per month.  The model appends each month's values as a record (a tuple of scalars and a few small
    arrays) and the rows are assembled into the 2-D array in one vectorised pass when ``data`` is read:
    writing 120 scattered columns every month costs more than the rest of a month's bookkeeping.

    Appending and assembling hold a lock, so a reader in another thread (the workshop app renders while its play
    loop steps the model) never sees the pending rows change under it; rows once assembled never change."""

    def __init__(self, months: int, scalar_columns, array_columns):
        self._data = np.zeros((months, len(COLUMNS)))
        self._scalar_index = np.array([INDEX[c] for c in scalar_columns])
        self._array_slices = tuple(array_columns)
        self._pending: list[tuple] = []
        self._flushed = 0
        self._lock = threading.Lock()
        self.n = 0

    def append(self, scalars: tuple, arrays: tuple) -> None:
        """Record one month; ``arrays`` must not be mutated afterwards (pass copies of arrays updated in place)."""
        with self._lock:
            self._pending.append((scalars, arrays))
            self.n += 1

    @property
    def data(self) -> np.ndarray:
        """All rows, (months, columns); rows past ``n`` are zeros."""
        with self._lock:
            if self._pending:
                rows = slice(self._flushed, self._flushed + len(self._pending))
                self._data[rows, self._scalar_index] = [s for s, _ in self._pending]
                for k, cols in enumerate(self._array_slices):
                    self._data[rows, cols] = [a[k] for _, a in self._pending]
                self._flushed = rows.stop
                self._pending.clear()
            return self._data

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_lock"]  # a lock cannot be pickled or copied; each copy gets its own
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

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
