"""Fingerprints of every output of a set of runs, to prove that a speed-up changed no output bit for bit.

``python -m tests.golden --write`` stores the fingerprints of the current code in ``tests/data/golden.json``
(done once, before a refactor), under the running Python's version: Python 3.12's ``sum()`` of floats is
compensated (3.11's is not), so the same code legitimately differs in the last bits between the two.  The CPU
does not matter: the model's dot products avoid BLAS, whose kernel depends on the CPU (``vti_sim/model/products.py``);
the references were rewritten once for that change (last bits only: 1.4e-13 relative at most in a ledger column,
no summary integer moved).
``tests/test_bit_identity.py`` recomputes them and compares exactly.  A
fingerprint is the sha256 of a table's column names, dtypes and raw bytes (so NaN == NaN and -0.0 != 0.0), or of
the summary's JSON (floats written by ``repr``, which round-trips exactly)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

GOLDEN = Path(__file__).parent / "data" / "golden.json"

# (case name, scenario or None for the defaults, seed, overrides)
CASES: list[tuple[str, str | None, int, dict]] = [
    *((f"defaults-s{s}", None, s, {}) for s in (1, 2, 3)),
    *((f"{sc}-s{s}", sc, s, {}) for sc in ("angers", "biarritz", "global", "incremental", "mulhouse",
                                             "open_with_resources", "open_without_resources", "technocentric")
      for s in (1, 2)),
    ("defaults-never-s1", None, 1, {"openness_start": "never"}),
    ("defaults-launch-s2", None, 2, {"openness_start": "launch"}),
    ("incremental-structure_first-s1", "incremental", 1, {"openness_start": "structure_first"}),
    ("defaults-facilitation4-s1", None, 1, {"facilitation_fte": 4}),
    ("defaults-facilitation0-s3", None, 3, {"facilitation_fte": 0}),
    ("seasonal-elections-s7", None, 7, {"population": 20_000, "openness_start": "launch", "seasonal_amplitude": 0.5,
                                        "mandate_months": 24}),
    ("long-s5", None, 5, {"months": 300, "population": 20_000}),
    ("short-s4", "biarritz", 4, {"months": 13}),
]


def frame_hash(df: pd.DataFrame) -> str:
    h = hashlib.sha256()
    h.update(repr(list(map(str, df.columns))).encode())
    h.update(repr(list(map(str, df.index))).encode())
    for c in df.columns:
        s = df[c]
        h.update(str(s.dtype).encode())
        if isinstance(s.dtype, pd.CategoricalDtype):
            h.update(repr(list(s.cat.categories)).encode())
            h.update(np.ascontiguousarray(s.cat.codes.to_numpy()).tobytes())
        elif isinstance(s.dtype, np.dtype) and s.dtype.kind in "biufc":
            h.update(np.ascontiguousarray(s.to_numpy()).tobytes())
        else:  # strings, objects: their values (an object array's bytes are pointers)
            h.update(repr(s.tolist()).encode())
    return h.hexdigest()


def json_hash(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=repr).encode()).hexdigest()


def fingerprint(scenario, seed: int, overrides: dict) -> dict[str, str]:
    """Every output of one run: through ``vti_sim.run`` and through Mesa's face (stepping VTIModel)."""
    import vti_sim
    from vti_sim.model import VTIModel
    from vti_sim.outputs.result import release, result_of
    from vti_sim.registry import resolve
    from vti_sim.scenarios import load_scenario

    r = vti_sim.run(scenario, seed=seed, overrides=overrides)
    params = resolve({**(load_scenario(scenario).params if scenario else {}), **overrides}, source="golden")
    m = VTIModel(rng=seed, **params)
    while m.running:
        m.step()
    stepped = result_of(m, m.p, seed)
    collected = m.datacollector.get_model_vars_dataframe()
    release(m)
    out = {"timeseries": frame_hash(r.timeseries), "summary": json_hash(r.summary),
           "missions": frame_hash(r.missions), "items": frame_hash(r.items),
           "stepped_timeseries": frame_hash(stepped.timeseries), "stepped_summary": json_hash(stepped.summary),
           "datacollector": frame_hash(collected), "steps": str(m.steps)}
    return out


def compute() -> dict[str, dict[str, str]]:
    return {name: fingerprint(sc, seed, ov) for name, sc, seed, ov in CASES}


def version_key() -> str:
    """References are kept per Python minor version (see the module docstring)."""
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def versions() -> dict[str, str]:
    import mesa
    import numba

    return {"python": sys.version.split()[0], "numpy": np.__version__, "numba": numba.__version__,
            "mesa": mesa.__version__, "pandas": pd.__version__}


if __name__ == "__main__":
    fps = compute()
    if "--write" in sys.argv:
        stored = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
        stored[version_key()] = {"versions": versions(), "cases": fps}
        GOLDEN.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN} [{version_key()}] ({len(fps)} cases)")
    else:
        print(json.dumps(fps, indent=1, sort_keys=True))
