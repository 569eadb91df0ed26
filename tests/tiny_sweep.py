"""The small experiment the sweep tests share (test_sweep.py, test_sweep_local.py): 3 factors, 2 replicates,
12 months, summary and monthly outputs of every type."""

from __future__ import annotations

from pathlib import Path

TINY = """\
name = "{name}"
seed = 7
replicates = 2
chunk_size = {chunk}
months = 12

[design]
method = "lhs"
samples = {samples}

[vary]
openness_start = ["launch", "structure_first", "never"]
facilitation_fte = {{ min = 0.0, max = 4.0 }}
working_groups = {{ min = 0, max = 5 }}

[outputs]
summary = ["pv_net_total", "final_trust", "plateau_month", "months_to_phase.implementation"]
monthly = {{ columns = ["trust", "phase_name"], months = [6, 12] }}
"""


def tiny(directory: Path, *, chunk: int = 5, samples: int = 6, name: str = "tiny", file: str = "exp.toml") -> Path:
    """Write the experiment (``samples`` points x 2 replicates, ``chunk`` runs per chunk) into ``directory``."""
    path = Path(directory) / file
    path.write_text(TINY.format(name=name, chunk=chunk, samples=samples), encoding="utf-8")
    return path
