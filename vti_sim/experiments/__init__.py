"""Many runs: experiment files and their validation (``experiment``), designs and seeds (``design``), the unit of
work (``chunks``), the output directory and its manifest (``store``), the Dask runner (``runner``), and replicated
scenario runs for ``vti-sim run`` and ``compare`` (``replicates``).

Dask is imported lazily: ``import vti_sim.experiments`` stays cheap."""

from .chunks import run_chunk
from .design import Design, build_design, run_seed
from .experiment import (
    Experiment,
    Factor,
    SweepError,
    SweepStopped,
    load_experiment,
    parse_experiment,
)
from .runner import sweep
from .store import load_design, load_results, status

__all__ = ["Design", "Experiment", "Factor", "SweepError", "SweepStopped", "build_design", "load_design",
           "load_experiment", "load_results", "parse_experiment", "run_chunk", "run_seed", "status", "sweep"]
