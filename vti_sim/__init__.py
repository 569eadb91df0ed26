"""vti-sim: an agent-based model of how local authorities steer smart-city (VTI) policies."""

from importlib.metadata import PackageNotFoundError, version

from .api import RunResult, run
from .model import VTIModel
from .registry import PARAMETERS, REGISTRY, ParameterError
from .sweep import sweep  # noqa: E402  (the function; import the module as vti_sim.sweep via importlib if needed)

try:
    __version__ = version("vti-sim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.1.0"

__all__ = ["PARAMETERS", "REGISTRY", "ParameterError", "RunResult", "VTIModel", "__version__", "run", "sweep"]
