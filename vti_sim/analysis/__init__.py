"""Analyses over many runs: the thesis propositions as paired experiments (``patterns``). Reads outputs and
experiments; knows nothing of interfaces."""
