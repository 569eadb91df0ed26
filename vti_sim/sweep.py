"""``vti_sim.sweep``, kept for its users: sweeps live in ``vti_sim.experiments``."""

from .experiments import *  # noqa: F401,F403
from .experiments import load_design, load_results, status, sweep  # noqa: F401
