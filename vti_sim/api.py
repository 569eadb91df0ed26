"""The public run API, kept at the top for ``vti_sim.api`` users: it lives in ``vti_sim.outputs.result``."""

from .outputs.result import (  # noqa: F401
    RunResult,
    final_state,
    item_table,
    mission_table,
    provenance,
    release,
    result_of,
    run,
    simulate,
    summarise,
    to_json,
)
