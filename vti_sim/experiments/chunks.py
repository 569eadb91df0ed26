"""The unit of work: one chunk of runs, its Arrow schema, and the columns it returns to be written."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from .. import registry
from .design import Design, run_seed
from .experiment import META_COLUMNS, Experiment

COMPUTE_KEY = "__compute_s__"


# --------------------------------------------------------------------------------------------- schema and chunks
def schema(exp: Experiment):
    """The Arrow schema of every chunk file (identical across chunks, so the directory reads as one dataset)."""
    import pyarrow as pa

    kinds = {"float": pa.float64(), "int": pa.int64(), "choice": pa.string()}
    fields = [pa.field(c, pa.int64()) for c in META_COLUMNS]
    fields += [pa.field(f.name, kinds[f.param.dtype]) for f in exp.factors]
    fields += [pa.field(c, pa.float64() if t == "float64" else pa.string()) for c, t in exp.output_types.items()]
    return pa.schema(fields)


def n_chunks(total_runs: int, chunk_size: int) -> int:
    return -(-total_runs // chunk_size)


def chunk_task(exp: Experiment, design: Design, chunk: int) -> dict[str, Any]:
    """The small, picklable description of one chunk: its run ids and the design rows they need."""
    total = design.n_points * exp.replicates
    start, stop = chunk * exp.chunk_size, min((chunk + 1) * exp.chunk_size, total)
    p0, p1 = start // exp.replicates, (stop - 1) // exp.replicates + 1
    return {"chunk": chunk, "start": start, "stop": stop, "replicates": exp.replicates, "seed": exp.seed,
            "base": exp.base, "p0": p0, "values": {n: v[p0:p1].tolist() for n, v in design.points.items()},
            "summary_keys": exp.summary_keys, "monthly_columns": exp.monthly_columns,
            "monthly_months": exp.monthly_months, "output_names": list(exp.output_types)}


def run_chunk(task: Mapping[str, Any]) -> dict[str, list]:
    """Run one chunk's runs sequentially (in a worker) and return its columns (one entry per run).

    The extra key ``COMPUTE_KEY`` holds the chunk's compute seconds (for timing.json, never written to Parquet).
    Runs build only the summary (and the ledger frame when monthly outputs are asked for), not the tables."""
    from ..outputs.result import release, simulate, summarise

    t0 = time.perf_counter()
    names = list(task["values"])
    cols: dict[str, list] = {c: [] for c in (*META_COLUMNS, *names, *task["output_names"])}
    outs = task["output_names"]
    base = registry.resolve(task["base"], source="sweep")  # once per chunk: resolve() checks every parameter
    for run_id in range(task["start"], task["stop"]):
        point, rep = divmod(run_id, task["replicates"])
        seed = run_seed(task["seed"], point, rep)
        overrides = {n: task["values"][n][point - task["p0"]] for n in names}
        model = simulate({**base, **registry.validate(overrides, source="sweep")}, seed)
        summary = summarise(model)
        for c, v in zip(META_COLUMNS, (run_id, point, rep, seed), strict=True):
            cols[c].append(v)
        for n in names:
            cols[n].append(overrides[n])
        values = [_float(_lookup(summary, k)) for k in task["summary_keys"]]
        if task["monthly_columns"]:
            ts = model.ledger.frame()
            for c in task["monthly_columns"]:
                series = ts[c]
                for m in task["monthly_months"]:
                    v = series.iloc[m - 1] if m <= len(ts) else None
                    values.append(_float(v) if series.dtype.kind in "biuf" else (None if v is None else str(v)))
        for c, v in zip(outs, values, strict=True):
            cols[c].append(v)
        release(model)
    cols[COMPUTE_KEY] = [time.perf_counter() - t0]
    return cols


def _lookup(summary: Mapping[str, Any], key: str) -> Any:
    head, _, tail = key.partition(".")
    value = summary.get(head)
    if tail:
        value = value.get(tail) if isinstance(value, Mapping) else None
    return value


def _float(v: Any) -> float | None:
    if v is None:
        return None
    return float(v)
