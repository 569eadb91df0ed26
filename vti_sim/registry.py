"""The parameter registry: the single source of truth for every model input.

The CLI, scenario files, sweeps, sensitivity analysis and the workshop app all
read this table, so a parameter is declared exactly once (cf. EMA Workbench's
uncertainties/levers and SALib's ``ProblemSpec``).  Each entry says where its
default comes from: a seed (``seed 002 §3.2``), a publication, or an
``assumption`` with its reasoning.  ``docs/ODD.md`` §7 lists the same table.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

OPENNESS_STARTS = ("launch", "structure_first", "never")
PORTFOLIOS = ("angers", "mulhouse", "biarritz", "incremental")


class ParameterError(ValueError):
    """Bad input for a parameter: carries where it came from, for one-line messages."""

    def __init__(self, field: str, message: str, *, source: str = "parameters", line: int | None = None):
        self.field = field
        self.source = source
        self.line = line
        self.reason = message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {field}: {message}")


@dataclass(frozen=True)
class Parameter:
    """One model input with its bounds, unit, meaning and provenance."""

    name: str
    default: Any
    min: float | None
    max: float | None
    unit: str
    kind: str  # "lever" (a user steers it) or "context" (set, not steered)
    group: str  # proactive | open | resources | portfolio | territory | organisation | politics | simulation
    doc: str
    source: str
    dtype: str = "float"  # float | int | choice
    choices: tuple[str, ...] = field(default_factory=tuple)

    def coerce(self, value: Any, *, source: str = "parameters", line: int | None = None) -> Any:
        """Return ``value`` as this parameter's type, or raise a ParameterError saying what is allowed."""
        def bad(shown: str) -> ParameterError:
            return ParameterError(self.name, f"got {shown}; allowed: {self.allowed()}", source=source, line=line)

        original = value

        if self.dtype == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ParameterError(self.name, f"got {_show(value)}; allowed: one of {', '.join(self.choices)}",
                                     source=source, line=line)
            return value
        if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):  # numpy numbers are fine
            if isinstance(value, str):
                try:
                    value = float(value) if self.dtype == "float" else _parse_int(value)
                except (ValueError, OverflowError):
                    raise bad(_show(value)) from None
            else:
                raise bad(f"{type(value).__name__} {_show(value)}")
        if self.dtype == "int":
            if isinstance(value, float) and not value.is_integer():
                raise bad(_show(original))
            value = int(value)
        else:
            try:
                value = float(value)
            except OverflowError:  # an integer of hundreds of digits
                raise bad(_show(original)) from None
            if not math.isfinite(value):
                raise bad(_show(original))
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise bad(_show(original))
        return value

    def allowed(self) -> str:
        if self.dtype == "choice":
            return "one of " + ", ".join(self.choices)
        kind = "an integer" if self.dtype == "int" else "a number"
        return f"{kind} in [{_fmt(self.min)}, {_fmt(self.max)}] ({self.unit})"

    def from_unit(self, u: float) -> Any:
        """Map u in [0, 1] onto this parameter's range (choices: equal bins), for samplers."""
        u = min(max(float(u), 0.0), 1.0)
        if self.dtype == "choice":
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        value = self.min + u * (self.max - self.min)
        return int(round(value)) if self.dtype == "int" else value

    def bounds(self) -> tuple[float, float]:
        """Numeric bounds for samplers; a choice is sampled as an index in [0, n)."""
        if self.dtype == "choice":
            return (0.0, float(len(self.choices)))
        return (float(self.min), float(self.max))

    def decode(self, x: float) -> Any:
        """Inverse of ``bounds()``: a sampled number back to a valid value."""
        if self.dtype == "choice":
            return self.choices[min(max(int(math.floor(x)), 0), len(self.choices) - 1)]
        x = min(max(float(x), self.min), self.max)
        return int(round(x)) if self.dtype == "int" else x

    def record(self) -> dict[str, Any]:
        out = asdict(self)
        out["choices"] = list(self.choices)
        return out


def _show(value: Any, limit: int = 60) -> str:
    """``repr`` cut to one short line: a 400-digit number or a deeply nested array must not flood the error."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # ValueError: int too large to print (Python >= 3.11 digit limit)
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_int(text: str) -> int:
    value = float(text)
    if not value.is_integer():
        raise ValueError(text)
    return int(value)


def _fmt(x: float | None) -> str:
    if x is None:
        return "-inf"
    return f"{x:g}"


def _p(name, default, lo, hi, unit, kind, group, doc, source, dtype="float", choices=()):
    return Parameter(name, default, lo, hi, unit, kind, group, doc, source, dtype, tuple(choices))


L, C = "lever", "context"

PARAMETERS: tuple[Parameter, ...] = (
    # --- proactive governance (seed 004, def. of proactive governance; seed 002 §3.2, R1) -----------------
    _p("leader_time_share", 0.3, 0.0, 0.6, "share of free hours", L, "proactive",
       "Share of elected officials' and directors' non-routine hours reserved for the VTI policy.",
       "seed 004 R1 'implication forte et identifiée'; seed 003 'engagement constant des Maires'. "
       "Default: assumption, about a third of leaders' discretionary time."),
    _p("copil_per_year", 6.0, 0.0, 24.0, "meetings/year", L, "proactive",
       "Top-level steering committee (COPIL) meetings a year; each costs its attendees about 3 h with preparation.",
       "seed 002 §3.2 (COPIL with the Mayor-President, two VPs, the DGA). Default: assumption, every two months."),
    _p("working_groups", 3, 0, 12, "groups", L, "proactive",
       "Cross-cutting internal working groups, each meeting monthly (1 director + 4 staff, 2 h).",
       "seed 000/001 launch phase 'instances internes … groupes de travail'; seed 003 'comitologie spécifique'. "
       "Default: assumption.", "int"),
    # --- open governance (seed 004, def. of open governance; R4, R6) --------------------------------------------
    _p("open_bodies", 2, 0, 12, "bodies", L, "open",
       "Co-construction bodies: extended COPIL, thematic commissions, neighbourhood councils.",
       "seed 000/001 launch phase 'instances d'animation … COPIL élargi, commissions thématiques, Conseils de "
       "quartiers'. Default: assumption.", "int"),
    _p("open_meetings_per_year", 4.0, 0.0, 24.0, "meetings/year", L, "open",
       "Meetings a year of each co-construction body (3 h each for officials, directors and facilitators).",
       "assumption: quarterly sessions, the usual rhythm of French neighbourhood councils."),
    _p("participatory_share", 0.2, 0.0, 1.0, "share of decisions", L, "open",
       "Share of policy decisions (work items and actions) taken through consultation or co-decision.",
       "seed 004 def. of open governance 'implication avancée dans les processus de décision'. Default: assumption."),
    _p("information_sharing", 0.4, 0.0, 1.0, "index 0-1", L, "open",
       "How much is shared with residents and partners: dashboards, open data, explanations of incidents.",
       "seed 004 def. 'niveau élevé de partage d'informations'; seed 002 §3.4 (flooded cabinet). Default: assumption."),
    _p("co_evaluation", 0.2, 0.0, 1.0, "index 0-1", L, "open",
       "Degree to which evaluation is done with stakeholders and residents.",
       "seed 000/001 'co-évaluation'; seed 004 synthesis 'développer l'évaluation et la co-évaluation'. "
       "Default: assumption."),
    _p("openness_start", "structure_first", None, None, "choice", L, "open",
       "When open governance starts: at launch, once the foundation is mature ('structure first'), or never.",
       "seed 002 §3.6 'déployons d'abord la structure' (Angers); Data Publica & KPMG 2021 trajectories.",
       "choice", OPENNESS_STARTS),
    _p("structure_first_threshold", 0.6, 0.2, 0.95, "maturity 0-1", L, "open",
       "Foundation maturity at which a 'structure first' strategy opens up.",
       "seed 002 §3.6 'avoir des objets solides, opérants'. Default: assumption."),
    _p("facilitation_fte", 1.0, 0.0, 10.0, "FTE", L, "open",
       "Staff dedicated to open governance (facilitation, partnership management); usable only for it.",
       "seed 004 synthesis 'doter [la gouvernance ouverte] des ressources appropriées'. Default: assumption."),
    # --- resources, HR and data culture (R2, R3) ------------------------------------------------------------------
    _p("training_hours_per_year", 14.0, 0.0, 80.0, "h/staff/year", L, "resources",
       "Digital training per operational staff member per year.",
       "seed 002 §3.3 (the gardener's job changes); seed 003 'formation et accompagnement au changement'. "
       "Default: assumption, about two days a year."),
    _p("hr_support", 0.3, 0.0, 1.0, "index 0-1", L, "resources",
       "HR and change-management support for jobs that digital tools transform.",
       "seed 002 §3.3 / seed 004 R3 'renouveler la politique de gestion des ressources humaines'. "
       "Default: assumption."),
    _p("data_culture", 0.3, 0.0, 1.0, "index 0-1", L, "resources",
       "Internal culture of sharing and updating data ('réflexe de mutualiser la donnée').",
       "seed 002 §3.2 / seed 004 R2 (data attachment, detachment, re-attachment; Courmont 2019). "
       "Default: assumption, a weak habit."),
    _p("annual_budget_meur", 15.6, 0.5, 60.0, "EUR M/year", L, "resources",
       "Yearly VTI budget before legitimacy feedback.",
       "seed 000/001 Angers steering tool: EUR 93.6M programme line; spread over a 6-year mandate = 15.6 M/yr."),
    _p("investment_share", 0.8, 0.3, 0.95, "share", L, "resources",
       "Share of the yearly budget that is investment (the rest is operating: licences, maintenance).",
       "assumption: the Angers lines are dominated by lighting renovation (investment), seed 000."),
    _p("outsourcing_share", 0.6, 0.0, 1.0, "share of actions", L, "resources",
       "Share of actions delivered by economic operators rather than made in-house ('faire').",
       "seed 000/001 'faire-faire ou laisser-faire (Staropoli et Thirion 2019)'; seed 003 operators' contracts. "
       "Default: assumption."),
    _p("let_do_share", 0.1, 0.0, 1.0, "share of outsourced", L, "resources",
       "Of outsourced actions, the share left to operators ('laisser-faire') rather than contracted ('faire-faire').",
       "seed 000/001 (Staropoli & Thirion 2019). Default: assumption."),
    # --- portfolio and territory (context) -----------------------------------------------------------------------
    _p("portfolio", "angers", None, None, "choice", C, "portfolio",
       "Mission/action portfolio: Angers' six missions, a Mulhouse-like twin, a Biarritz-like app, or incremental.",
       "seed 000/001 (Angers missions, budgets, action counts); seed 003 (Mulhouse, Biarritz use cases); "
       "Data Publica & KPMG 2021 (incremental trajectory).", "choice", PORTFOLIOS),
    _p("population", 300_000, 5_000, 1_000_000, "inhabitants", C, "territory",
       "Permanent population of the territory.",
       "Angers Loire Métropole, approx. 300,000 inhabitants (INSEE, approximate).", "int"),
    _p("inhabitants_per_agent", 100, 20, 1000, "inhabitants/agent", C, "simulation",
       "Inhabitants represented by one simulated resident (about 1 per 100 shows inequality).",
       "MODEL_BRIEF §3.", "int"),
    _p("n_neighbourhoods", 10, 2, 30, "neighbourhoods", C, "territory",
       "Neighbourhoods (each may get a neighbourhood council).",
       "assumption: Angers has about ten 'quartiers' (seed 000 action list).", "int"),
    _p("seasonal_amplitude", 0.0, 0.0, 1.5, "extra population share", C, "territory",
       "Peak seasonal population as a share of the permanent one (Biarritz ~1).",
       "seed 003 (Biarritz 'très forte variation saisonnière'). Default 0 for Angers."),
    _p("foundation_maturity_0", 0.4, 0.0, 1.0, "maturity 0-1", C, "organisation",
       "Starting maturity of the technological foundation (infrastructure, networks, data platform, security).",
       "seed 000/001 diagnosis 'système d'information'; seed 003 'fiabilisation des socles … chronophage'. "
       "Default: assumption."),
    _p("innovation_capacity", 0.5, 0.0, 1.0, "index 0-1", C, "organisation",
       "Internal capacity to innovate: how well the organisation turns hours into progress.",
       "seed 000/001 'capacités internes d'innovation (Barrutia et al. 2022)'. Default: assumption."),
    _p("silo_index", 0.5, 0.0, 1.0, "index 0-1", C, "organisation",
       "How siloed the organisation is: friction on cross-cutting work and on sharing data.",
       "seed 002 §3.2 / seed 004 R2 'organisations en silos'. Default: assumption."),
    _p("literacy_mean", 0.68, 0.2, 0.95, "index 0-1", C, "territory",
       "Mean digital literacy of residents; below 0.4 counts as 'illectronisme'.",
       "INSEE 2019: about 17% of French adults in illectronisme (approximate); default calibrated to that share."),
    _p("trust_0", 0.45, 0.05, 0.95, "index 0-1", C, "territory",
       "Residents' initial trust in local institutions.",
       "assumption: CEVIPOF barometers put trust in the mayor around the middle of the scale (approximate)."),
    _p("ecosystem_richness", 0.5, 0.0, 1.0, "index 0-1", C, "territory",
       "Richness of the stakeholder ecosystem (firms, universities, associations) open governance can engage.",
       "seed 003 'acteurs publics, opérateurs, enseignement supérieur, habitants'. Default: assumption."),
    _p("operator_alignment", 0.5, 0.0, 1.0, "index 0-1", C, "territory",
       "Mean alignment of operators' aims with public value rather than commercial interest.",
       "seed 003 'qualité du pilotage des relations contractuelles'. Default: assumption."),
    # --- organisation sizes and time --------------------------------------------------------------------------------
    _p("n_elected", 5, 2, 20, "people", C, "organisation",
       "Elected officials involved (mayor-president, VTI deputy, other deputies).",
       "seed 002 §3.2 COPIL composition. Default: assumption.", "int"),
    _p("n_directors", 6, 2, 20, "people", C, "organisation",
       "Directors involved (DGS, DGA digital, other directors).", "seed 002 §3.2. Default: assumption.", "int"),
    _p("n_staff", 120, 12, 600, "people", C, "organisation",
       "Operational staff in the six directions concerned (IT, lighting, green spaces, buildings, waste, users).",
       "assumption for a 300k-inhabitant intercommunality.", "int"),
    _p("n_operators", 8, 1, 40, "operators", C, "organisation",
       "Economic operators under contract or partnership.", "assumption.", "int"),
    _p("routine_load_elected", 0.85, 0.3, 0.99, "share of hours", C, "organisation",
       "Share of elected officials' hours taken by their other duties.",
       "seed 003 'la tension sur les ressources … affecte aussi les responsables politiques'. Default: assumption."),
    _p("routine_load_directors", 0.7, 0.3, 0.99, "share of hours", C, "organisation",
       "Share of directors' hours taken by routine management.", "seed 003 (same). Default: assumption."),
    _p("routine_load_staff", 0.9, 0.3, 0.99, "share of hours", C, "organisation",
       "Mean share of operational staff hours taken by routine service.", "assumption."),
    _p("coordination_hours_per_channel", 1.5, 0.0, 5.0, "h/month/channel", C, "organisation",
       "Monthly hours each communication channel between engaged groups costs; channels grow as n(n-1)/2.",
       "Brooks' law (Brooks 1975); Huxham & Vangen 2004 collaborative inertia; seed 002 §3.6 partnerships "
       "'demandent énormément de temps'. Default: assumption, about one short meeting or call a month per channel."),
    _p("data_half_life_months", 2.0, 0.5, 24.0, "months", C, "organisation",
       "Months for unmaintained open data to lose half its freshness.",
       "seed 002 §3.2: open data with no internal update reflex is 'obsolète au bout de deux mois'."),
    _p("budget_feedback", 0.3, 0.0, 1.0, "elasticity", C, "politics",
       "How strongly legitimacy moves next year's budget (Moore's triangle: support brings resources).",
       "Moore 1995. Default: assumption."),
    _p("election_volatility", 0.5, 0.0, 1.0, "index 0-1", C, "politics",
       "How sharply low legitimacy turns into a change of executive at an election.",
       "assumption."),
    _p("mandate_months", 72, 12, 96, "months", C, "politics",
       "Length of a municipal mandate; an election closes each one.", "French municipal mandate: 6 years.", "int"),
    _p("months", 144, 1, 600, "months", C, "simulation",
       "Simulated horizon (two mandates by default).", "MODEL_BRIEF §3.", "int"),
    _p("capacity_factor", 1.0, 0.5, 100.0, "multiplier", C, "simulation",
       "Multiplies everyone's time capacity; a large value gives the 'unconstrained time' potential of a policy.",
       "MODEL_BRIEF §9 plateau definition (potential with unconstrained time)."),
)

REGISTRY: dict[str, Parameter] = {p.name: p for p in PARAMETERS}


def defaults() -> dict[str, Any]:
    return {p.name: p.default for p in PARAMETERS}


def levers() -> tuple[Parameter, ...]:
    return tuple(p for p in PARAMETERS if p.kind == "lever")


def get(name: str) -> Parameter:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ParameterError(name, "unknown parameter; see `vti-sim params` for the allowed names") from None


def validate(values: Mapping[str, Any], *, source: str = "parameters",
             lines: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Check names, types and bounds; return the values coerced to their declared types."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        line = (lines or {}).get(name)
        if name not in REGISTRY:
            raise ParameterError(name, "unknown parameter; see `vti-sim params` for the allowed names",
                                 source=source, line=line)
        out[name] = REGISTRY[name].coerce(value, source=source, line=line)
    return out


def resolve(overrides: Mapping[str, Any] | None = None, *, source: str = "parameters") -> dict[str, Any]:
    """Defaults updated with validated overrides: the full parameter set of one run."""
    params = defaults()
    params.update(validate(overrides or {}, source=source))
    return params


def salib_problem(names: Iterable[str] | None = None) -> dict[str, Any]:
    """A SALib problem dict over the given parameters (default: all levers)."""
    chosen = [get(n) for n in names] if names is not None else list(levers())
    return {"num_vars": len(chosen), "names": [p.name for p in chosen], "bounds": [list(p.bounds()) for p in chosen]}


def records() -> list[dict[str, Any]]:
    """The registry as JSON-ready records (``vti-sim params --format json``)."""
    return [p.record() for p in PARAMETERS]
