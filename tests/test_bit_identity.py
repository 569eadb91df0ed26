"""A speed-up must change no output: every output of a set of scenario x seed x lever cases is fingerprinted
(``tests/golden.py``) and compared exactly with the fingerprints stored before the compiled driver
(``tests/data/golden.json``).  Fingerprints hash raw bytes, so any bit of any value that moves fails."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from tests.golden import CASES, GOLDEN, fingerprint, version_key

_STORED = json.loads(GOLDEN.read_text())
_REFERENCE = _STORED.get(version_key(), {}).get("cases")
pytestmark = pytest.mark.skipif(_REFERENCE is None, reason=f"no reference stored for {version_key()} "
                                                           f"(stored: {', '.join(_STORED)})")


def test_every_case_has_a_reference():
    assert sorted(_REFERENCE) == sorted(name for name, *_ in CASES)


@pytest.mark.parametrize(("name", "scenario", "seed", "overrides"), CASES, ids=[c[0] for c in CASES])
def test_outputs_are_bit_identical_to_the_reference(name, scenario, seed, overrides):
    got = fingerprint(scenario, seed, overrides)
    want = _REFERENCE[name]
    assert {k: got[k] for k in want} == want, f"{name}: outputs changed"


_KERNEL_RUN = """
import json
import numpy as np
from tests.golden import fingerprint
x = np.random.default_rng(0).random(10_001)
print(json.dumps({"raw_dot": repr(float(x @ x[::-1].copy())), "run": fingerprint("biarritz", 4, {"months": 13})}))
"""


@pytest.mark.skipif(platform.machine().lower() not in ("x86_64", "amd64"), reason="OpenBLAS kernel names are x86's")
def test_a_run_does_not_depend_on_the_cpus_blas_kernel():
    """The same seed, bit for bit, on any CPU: two processes forced onto different OpenBLAS kernels (SSE3 and AVX2,
    which sum a dot product in different orders: the raw ``@`` differs) give the same run (``model/products.py``)."""
    out = []
    for kernel in ("Prescott", "Haswell"):
        done = subprocess.run([sys.executable, "-c", _KERNEL_RUN], env={**os.environ, "OPENBLAS_CORETYPE": kernel},
                              cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=True)
        out.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if out[0]["raw_dot"] == out[1]["raw_dot"]:
        pytest.skip("this NumPy's BLAS does not switch kernels with OPENBLAS_CORETYPE")
    assert out[0]["run"] == out[1]["run"]
