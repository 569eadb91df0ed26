"""vti-sim: an agent-based model of how local authorities steer smart-city (VTI) policies.

The package follows the data flow, each layer importing only from the layers before it:
``registry`` → ``scenarios`` → ``model/`` → ``outputs/`` → ``experiments/`` → ``analysis/`` → interfaces
(``figures``, ``cli``, ``app/``)."""

from importlib.metadata import PackageNotFoundError, version

from . import (
    _kernel_cache,  # noqa: F401  (first: finds a writable cache for the model's compiled kernels)
    plateau,  # noqa: F401  (the module `vti_sim.plateau`)
)
from . import sweep as _sweep_module  # noqa: F401  (loaded before the function below, which keeps the name)
from .experiments import sweep
from .model import VTIModel
from .outputs import RunResult, run
from .registry import PARAMETERS, REGISTRY, ParameterError

try:
    __version__ = version("vti-sim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.1.0"

__all__ = ["PARAMETERS", "REGISTRY", "ParameterError", "RunResult", "VTIModel", "__version__", "run", "sweep"]
