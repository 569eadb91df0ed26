"""vti-sim: an agent-based model of how local authorities steer smart-city (VTI) policies.

The package follows the data flow, each layer importing only from the layers before it:
``registry`` → ``scenarios`` → ``model/`` → ``outputs/`` → ``experiments/`` → ``analysis/`` → interfaces
(``figures``, ``cli``, ``app/``).

``VTIModel``, ``RunResult``, ``run`` and the module ``plateau`` are loaded on first use (PEP 562), so that
``import vti_sim`` and commands that never run the model (``vti-sim params``, ``--help``, the sweep's client)
do not pay for importing Mesa, numba and the model (about 1.5 s)."""

import importlib
from importlib.metadata import PackageNotFoundError, version

from . import _kernel_cache  # noqa: F401  (first: finds a writable cache for the model's compiled kernels)
from . import sweep as _sweep_module  # noqa: F401  (loaded before the function below, which keeps the name)
from .experiments import sweep
from .registry import PARAMETERS, REGISTRY, ParameterError

try:
    __version__ = version("vti-sim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.1.0"

_LAZY = {"VTIModel": "vti_sim.model", "RunResult": "vti_sim.outputs", "run": "vti_sim.outputs"}


def __getattr__(name: str):
    if name == "plateau":
        return importlib.import_module("vti_sim.plateau")
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'vti_sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, "plateau"})


__all__ = ["PARAMETERS", "REGISTRY", "ParameterError", "RunResult", "VTIModel", "__version__", "run", "sweep"]
