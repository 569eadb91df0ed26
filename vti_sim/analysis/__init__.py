"""Analyses over many runs; reads outputs and experiments, knows nothing of interfaces.

* ``patterns``: the thesis propositions R1-R6 as paired experiments;
* ``vti-sim sensitivity`` (``workflow``): the ``[analysis]`` table of an experiment file (``spec``), replicate
  noise and the two-level bootstrap (``noise``), Sobol'/Morris/PAWN indices with SALib (``sensitivity``),
  convergence (``convergence``), equal resources (``resources``), open vs proactive discovery with PRIM and CART
  (``discovery``), plateau maps (``plateau_map``), figures (``charts``) and the report directory (``report``).
"""
