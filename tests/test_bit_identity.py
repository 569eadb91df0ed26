"""A speed-up must change no output: every output of a set of scenario x seed x lever cases is fingerprinted
(``tests/golden.py``) and compared exactly with the fingerprints stored before the compiled driver
(``tests/data/golden.json``).  Fingerprints hash raw bytes, so any bit of any value that moves fails."""

from __future__ import annotations

import json

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
