"""One run's results: the run API (``run``, ``RunResult``), its summary, tables and provenance, and the operational
definition of a plateau. Reads the model; knows nothing of experiments, analyses or interfaces."""

from .plateau import detect_plateau
from .result import RunResult, run

__all__ = ["RunResult", "detect_plateau", "run"]
