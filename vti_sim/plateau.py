"""``vti_sim.plateau``, kept for its users: the plateau definition lives in ``vti_sim.outputs.plateau``."""

from .outputs.plateau import *  # noqa: F401,F403
from .outputs.plateau import detect_plateau  # noqa: F401
