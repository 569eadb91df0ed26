"""The mechanisms: the Mesa model and its five roles, the policy cycle, the portfolio, governance bodies, time
budgets, public value, Moore feedback and the monthly ledger. Reads the registry; knows nothing of experiments,
analyses or interfaces."""

from .model import VTIModel

__all__ = ["VTIModel"]
