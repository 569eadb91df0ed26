"""Dot products summed in the same order on every CPU, so that a seed gives the same run bit for bit on any machine.

NumPy's ``@`` on float vectors calls BLAS (OpenBLAS in NumPy's wheels), which picks a kernel for the CPU it runs
on: an AVX-512 kernel sums in another order than an AVX2 one, and the same seed gave runs that differed in their last
bits between two machines (``tests/test_bit_identity.py`` failed on an AVX-512 machine, and passed there with
``OPENBLAS_CORETYPE=Haswell``).  An element-wise product then NumPy's own sum (pairwise, in a fixed order whatever
the SIMD width) does not depend on the CPU.  The vectors here are short (work items, directors) or one pass over
the residents a run, so the cost is nil (about a microsecond a call more than BLAS; a default run's time did not
move).  The monthly value accounts need none of this: ``value._account`` is a compiled loop in a fixed order.
"""

from __future__ import annotations

import numpy as np


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """``a @ b`` for two vectors of the same length."""
    return float(np.multiply(a, b).sum())


def vec_mat(v: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``v @ m`` for a vector (n,) and a matrix (n, k): the rows of ``m`` weighted by ``v``, added in row order."""
    return (np.asarray(v)[:, None] * m).sum(axis=0)
