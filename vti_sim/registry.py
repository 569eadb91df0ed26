"""The parameter registry: the single source of truth for every model input.

The CLI, scenario files, sweeps, sensitivity analysis and the workshop app all
read this table, so a parameter is declared exactly once (cf. EMA Workbench's
uncertainties/levers and SALib's ``ProblemSpec``).  Each entry says where its
default comes from: a seed (``seed 002 §3.2``), a publication, or an
``assumption`` with its reasoning.  ``docs/ODD.md`` §7 lists the same table.

Three kinds of entry: a ``lever`` is what a user steers (governance, resources), a ``context`` is the
territory and organisation a policy meets, and an ``assumption`` is a behavioural coefficient of a
mechanism (a rate, a weight, a threshold) that a result could rest on.  Assumptions are declared here so
that they can be seen, varied and analysed like any other input (``vti-sim params --kind assumption``);
mechanism code in ``vti_sim/model/`` reads them from the run's parameters and holds no such literal
(``tests/test_assumptions.py``).
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
KINDS = ("lever", "context", "assumption")


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
    kind: str  # "lever" (a user steers it), "context" (set, not steered) or "assumption" (a mechanism's coefficient)
    group: str  # levers/context: proactive | open | resources | portfolio | territory | organisation | politics |
    # simulation; assumptions: the mechanism they belong to (time, leaders, staff, operators, residents, ...)
    doc: str
    source: str
    dtype: str = "float"  # float | int | choice
    choices: tuple[str, ...] = field(default_factory=tuple)

    def coerce(self, value: Any, *, source: str = "parameters", line: int | None = None) -> Any:
        """Return ``value`` as this parameter's type, or raise a ParameterError saying what is allowed."""
        def bad(shown: str) -> ParameterError:
            return ParameterError(self.name, f"got {shown}; allowed: {self.allowed()}", source=source, line=line)

        kind = type(value)  # fast path (a run resolves ~390 values): a plain float or int that is allowed as it is
        plain = ((kind is float and self.dtype == "float" and math.isfinite(value))
                 or (kind is int and self.dtype == "int"))
        if plain and (self.min is None or value >= self.min) and (self.max is None or value <= self.max):
            return value
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
        value = min(self.min + u * (self.max - self.min), self.max)  # rounding must not step past the bound
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


L, C, A = KINDS


def _a(name, default, unit, group, doc, source, lo=None, hi=None, dtype="float"):
    """An assumption; bounds default to half and twice the default (a plausible range to explore)."""
    lo = default * 0.5 if lo is None else lo
    hi = default * 2.0 if hi is None else hi
    if dtype == "int":
        lo, hi = int(lo), int(hi)
    return _p(name, default, lo, hi, unit, A, group, doc, source, dtype)


def _share(name, default, unit, group, doc, source, lo=None, hi=None):
    """An assumption that is a share or an index in [0, 1]: half to twice the default, clipped to [0, 1]."""
    return _a(name, default, unit, group, doc, source, default * 0.5 if lo is None else lo,
              min(1.0, default * 2.0) if hi is None else hi)


def _weights(prefix, row, cells, source):
    """One assumption per non-zero cell of a row of a row-normalised matrix (``<prefix>_<row>_to_<column>``)."""
    what = "value created by" if prefix == "value_weight" else "value destroyed by"
    return tuple(_share(f"{prefix}_{row}_to_{col}", w, "relative weight", "value",
                        f"Relative weight of {col.replace('_', ' ')} in the {what} {row.replace('_', ' ')} "
                        "(each row is normalised to sum to 1).",
                        f"{source}; the weight: assumption (ODD §7.10)") for col, w in cells.items())


_LAUNCH, _PLANNING = "seed 000/001 phase 1 (launch)", "seed 000/001 phase 2 (planning)"
_IMPLEMENTATION, _EVALUATION = "seed 000/001 phase 3 (implementation)", "seed 000/001 phase 4 (evaluation)"


def _item(key, label, hours, shares, months, source):
    """A work item's assumptions: hours it absorbs a month, the relative share of each role, minimum months."""
    what = f"work item '{key}' ({label})"
    return (
        _a(f"item_hours_{key}", hours, "h/month", "policy_cycle",
           f"Hours a month the {what} asks of the roles that work on it, at full speed.",
           f"{source} (the item); its workload: assumption"),
        *(_share(f"item_share_{role}_{key}", w, "relative weight", "policy_cycle",
                 f"Relative share of the {what}'s hours asked of {role} (normalised over its roles).",
                 f"{source} (the item); who carries it: assumption") for role, w in shares.items()),
        _a(f"item_min_months_{key}", months, "months", "policy_cycle",
           f"Months the {what} takes when fully served at productivity 1 (its minimum duration).",
           f"{source} (the item); its duration: assumption", max(1, months // 2), 2 * months, "int"),
    )


def _family(family, magnitude, maturity, generators, risks, source):
    """An action family's assumptions: value magnitude, maturity it needs, generator profile, risks."""
    what = f"'{family}' actions"
    entries = [_a(f"family_magnitude_{family}", magnitude, "PVU/month per sqrt(EUR M)", "portfolio_families",
                  f"Value magnitude of {what} relative to their cost (concave in cost).",
                  f"{source}; size: assumption (infrastructure = 1 is the unit)", magnitude * 0.5, magnitude * 2.0)]
    if maturity is not None:
        entries.append(_share(f"family_required_maturity_{family}", maturity, "maturity 0-1", "portfolio_families",
                              f"Foundation maturity {what} need to progress at full speed.",
                              f"{source}; seed 003 'fiabilisation des socles'; level: assumption"))
    entries += [_share(f"family_weight_{family}_to_{g}", w, "relative weight", "portfolio_families",
                       f"Relative weight of the {g.replace('_', ' ')} generator in the value of {what} "
                       "(normalised per family).", f"{source}; seed 002 §1.4 table; weight: assumption")
                for g, w in generators.items()]
    entries += [_share(f"family_risk_{family}_{r}", w, "PVU/month per unit of magnitude", "portfolio_families",
                       f"Value {what} put at risk through {r} once delivered.",
                       f"{source}; seed 002 §4.2 research agenda (exclusion, privacy, footprint); size: assumption")
                for r, w in risks.items()]
    return tuple(entries)



def _assumptions(rows) -> tuple[Parameter, ...]:
    """Entries of kind ``assumption``: (name, default, min, max, unit, group, meaning, source or reasoning)."""
    return tuple(Parameter(n, d, lo, hi, u, "assumption", g, doc, src) for n, d, lo, hi, u, g, doc, src in rows)


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
    # ===== assumptions: the mechanisms' behavioural coefficients (kind "assumption", issue 10) =================
    # Defaults are the values the mechanisms were written with; bounds are a plausible range to explore
    # (about half to twice the default, clipped to the meaningful range).  Grouped by mechanism module.
    # --- time budgets (model/time_budget.py; staff's statutory month is data, model/data.py) -------------------
    _a("hours_per_month_elected", 180.0, "h/month", "time",
       "Monthly working hours of an elected official (all duties).",
       "assumption: officials work longer than the 151.7 h statutory month, about 42 h a week.", 120.0, 260.0),
    _a("hours_per_month_directors", 165.0, "h/month", "time",
       "Monthly working hours of a director (all duties).",
       "assumption: senior managers work beyond the statutory month, about 38 h a week.", 140.0, 240.0),
    # --- Moore feedback and elections (model/feedback.py, ODD §7.9) -------------------------------------------
    _a("legitimacy_memory_months", 12.0, "months", "feedback",
       "Lag with which legitimacy follows residents' trust and satisfaction (relaxation time).",
       "assumption: opinion of the executive moves over about a year (Moore 1995 triangle, slow support).",
       3.0, 36.0),
    _share("legitimacy_trust_weight", 0.6, "weight 0-1", "feedback",
           "Weight of trust (vs satisfaction with value received) in legitimacy.",
           "assumption: trust in institutions weighs more than satisfaction with services (Moore 1995).",
           0.3, 0.9),
    _a("budget_floor_share", 0.3, "share of base budget", "feedback",
       "Lowest yearly budget legitimacy feedback can impose, as a share of the base budget.",
       "assumption: a policy line is rarely cut by more than two thirds in a year.", 0.1, 0.9),
    _a("budget_ceiling_share", 1.7, "share of base budget", "feedback",
       "Highest yearly budget legitimacy feedback can bring, as a share of the base budget.",
       "assumption: strong support rarely adds more than about two thirds to a policy line.", 1.1, 3.0),
    _a("commitment_pull", 0.02, "per month", "feedback",
       "Monthly pull of elected officials' commitment towards legitimacy (support sustains it).",
       "assumption: Moore 1995 (support sustains the authorising environment); slow, over years."),
    _share("commitment_neutral_legitimacy", 0.5, "legitimacy 0-1", "feedback",
           "Legitimacy at which commitment neither grows nor erodes.",
           "assumption: the middle of the scale.", 0.3, 0.7),
    _share("commitment_floor", 0.05, "commitment 0-1", "feedback",
           "Lowest commitment an official keeps whatever the legitimacy.",
           "assumption: an official in charge keeps a residual commitment.", 0.0, 0.2),
    _a("election_sharpness_base", 2.0, "1/legitimacy", "feedback",
       "Slope of the logistic chance of a change of executive with no volatility.",
       "assumption: with no volatility, legitimacy barely decides an election."),
    _a("election_sharpness_volatility", 18.0, "1/legitimacy", "feedback",
       "Extra slope of that logistic per unit of election_volatility.",
       "assumption: at full volatility a 0.1 fall in legitimacy doubles the odds of a change."),
    _share("election_threshold_legitimacy", 0.45, "legitimacy 0-1", "feedback",
           "Legitimacy at which an election is a coin toss between keeping and changing the executive.",
           "assumption: incumbents keep a small advantage (threshold just below the middle).", 0.3, 0.6),
    # --- governance bodies and their hours (model/governance.py, ODD §7.6) ------------------------------------
    _a("copil_hours_per_meeting", 3.0, "h/meeting/attendee", "governance",
       "Hours a COPIL meeting costs each attendee, with preparation.",
       "assumption: a two-hour meeting and an hour of preparation."),
    _a("copil_attendees_elected", 3.0, "people", "governance",
       "Elected officials at a COPIL meeting.", "seed 002 §3.2 (the Mayor-President and two VPs).", 1.0, 6.0),
    _a("copil_attendees_directors", 2.0, "people", "governance",
       "Directors at a COPIL meeting.", "seed 002 §3.2 (the DGS and the DGA).", 1.0, 4.0),
    _a("copil_attendees_staff", 2.0, "people", "governance",
       "Staff at a COPIL meeting.", "seed 002 §3.2 (two process pilots).", 0.0, 4.0),
    _a("group_meeting_hours", 2.0, "h/month/attendee", "governance",
       "Hours a monthly cross-cutting working group costs each attendee.", "assumption: a two-hour meeting."),
    _a("group_attendees_directors", 1.0, "people", "governance",
       "Directors in each cross-cutting working group.",
       "assumption: one director leads each group (seed 000/001 'groupes de travail').", 0.0, 3.0),
    _a("group_attendees_staff", 4.0, "people", "governance",
       "Staff in each cross-cutting working group.", "assumption: a small group of four."),
    _a("body_meeting_hours", 3.0, "h/meeting/attendee", "governance",
       "Hours a co-construction body's meeting costs each attendee from the authority.",
       "assumption: an evening session of about three hours."),
    _a("body_attendees_elected", 1.0, "people", "governance",
       "Elected officials at a co-construction body's meeting.", "assumption: an elected chair.", 0.0, 3.0),
    _a("body_attendees_directors", 1.0, "people", "governance",
       "Directors at a co-construction body's meeting.", "assumption: one director.", 0.0, 3.0),
    _a("body_attendees_staff", 2.0, "people", "governance",
       "Staff or facilitators at a co-construction body's meeting.", "assumption: two facilitators."),
    _a("body_preparation_hours", 20.0, "h/meeting", "governance",
       "Facilitation hours per open meeting: invitations, minutes, follow-up.",
       "assumption: about three days of facilitation per public meeting."),
    _a("consultation_hours_elected", 2.0, "h/decision", "governance",
       "Elected officials' hours per participatory decision (prepare, hold, analyse, answer).",
       "assumption: a short arbitration per decision."),
    _a("consultation_hours_directors", 6.0, "h/decision", "governance",
       "Directors' hours per participatory decision.", "assumption: framing and answering each consultation."),
    _a("consultation_hours_staff", 20.0, "h/decision", "governance",
       "Staff hours per participatory decision.",
       "assumption: about three days to prepare, hold and analyse a consultation."),
    _share("coordination_share_elected", 0.15, "weight", "governance",
           "Relative share of partnership coordination carried by elected officials (weights are normalised).",
           "assumption: officials keep the political channels, Huxham & Vangen 2004."),
    _share("coordination_share_directors", 0.35, "weight", "governance",
           "Relative share of partnership coordination carried by directors (normalised with the others).",
           "assumption: directors keep the institutional channels, Huxham & Vangen 2004."),
    _share("coordination_share_staff", 0.50, "weight", "governance",
           "Relative share of partnership coordination carried by staff and facilitators (normalised).",
           "assumption: day-to-day channels are kept by staff, Huxham & Vangen 2004."),
    _a("steering_reference_hours", 40.0, "h/month", "governance",
       "Steering hours a month at which transversality reaches 63% (saturating curve).",
       "assumption: about two COPILs' and three working groups' worth of hours makes work mostly cross-cutting "
       "(seed 002 §3.2)."),
    _a("partners_max", 15.0, "partners", "governance",
       "Partners a very rich ecosystem offers at full open-governance fulfilment.",
       "assumption: firms, universities and associations of a 300k-inhabitant territory (seed 003)."),
    _share("partners_participation_weight", 0.5, "weight 0-1", "governance",
           "How much engaging partners depends on participatory decision-making (rest: on the ecosystem alone).",
           "assumption: partners stay when they have a say in decisions (seed 004 def. of open governance)."),
    _a("information_hours_base", 20.0, "h/month", "governance",
       "Monthly staff hours to inform residents and partners at full information_sharing (dashboards, activity "
       "reports, incident explanations), whatever the governance mode.",
       "seed 000/001 phase 4 'communication: tableaux de bord et rapports d'activité'; seed 002 §3.4 (flooded "
       "cabinet explained). assumption: about three days a month."),
    _a("information_hours_per_delivered", 0.5, "h/month/action", "governance",
       "Extra monthly information hours per delivered action at full information_sharing.",
       "assumption: each delivered action has results to report."),
    _a("co_evaluation_hours_evaluation", 30.0, "h/month", "governance",
       "Monthly co-evaluation hours during the evaluation phase at full co_evaluation.",
       "assumption (seed 000/001 'co-évaluation'): workshops with stakeholders and residents."),
    _a("co_evaluation_hours_other", 5.0, "h/month", "governance",
       "Monthly co-evaluation hours outside the evaluation phase at full co_evaluation (monitoring with partners).",
       "assumption (seed 000/001 'co-évaluation')."),
    _share("co_evaluation_directors_share", 0.2, "share", "governance",
           "Share of co-evaluation hours carried by directors (the rest by staff).",
           "assumption: staff run the workshops, directors frame them."),
    # --- public value: generator -> type and destruction -> type weights (model/value.py, ODD §7.10) ---------
    # One assumption per cell the seed 002 §1.4 table allows (value.FEEDS / value.HARMS); rows are normalised.
    *_weights("value_weight", "efficiency", {"economic": 0.55, "strategic": 0.35, "quality_of_life": 0.10},
              "seed 002 §1.4 'Efficience / Réduction des coûts / Connaissance -> Économique, Stratégique'"),
    *_weights("value_weight", "effectiveness",
              {"economic": 0.15, "political": 0.05, "social": 0.20, "strategic": 0.20, "quality_of_life": 0.40},
              "seed 002 §1.4 'Qualité de vie -> Qualité de vie'; Harrison et al. 2012 (effectiveness)"),
    *_weights("value_weight", "intrinsic_enhancement",
              {"political": 0.05, "social": 0.25, "quality_of_life": 0.50, "ideological": 0.20},
              "seed 002 §1.4 'Inclusion -> Sociale', 'Qualité de vie'; Harrison et al. 2012"),
    *_weights("value_weight", "transparency",
              {"political": 0.35, "social": 0.05, "strategic": 0.05, "ideological": 0.15, "stewardship": 0.40},
              "seed 002 §1.4 (transparency feeds political and stewardship value); Harrison et al. 2012"),
    *_weights("value_weight", "participation",
              {"political": 0.35, "social": 0.25, "ideological": 0.20, "stewardship": 0.20},
              "seed 002 §1.4 'Engagement citoyen -> Politique, Sociale, Idéologique, Intendance'"),
    *_weights("value_weight", "collaboration",
              {"economic": 0.15, "political": 0.10, "social": 0.35, "strategic": 0.25, "stewardship": 0.15},
              "seed 002 §1.4 'Connectivité -> Économique, Sociale, Stratégique'; Harrison et al. 2012"),
    *_weights("destruction_weight", "exclusion", {"political": 0.20, "social": 0.50, "quality_of_life": 0.30},
              "seed 002 §4.2 (digital exclusion harms social value and quality of life)"),
    *_weights("destruction_weight", "privacy", {"political": 0.40, "stewardship": 0.60},
              "seed 002 §4.2 (privacy harm: political trust and stewardship of data)"),
    *_weights("destruction_weight", "footprint", {"quality_of_life": 0.60, "ideological": 0.40},
              "seed 002 §4.2 (environmental footprint: quality of life and ideological value)"),
    *_weights("destruction_weight", "stale_data", {"strategic": 0.50, "stewardship": 0.50},
              "seed 002 §3.2 (obsolete open data: strategic and stewardship value)"),
    *_weights("destruction_weight", "unanswered_consultation", {"political": 0.50, "stewardship": 0.50},
              "seed 002 §3.4 (consultations without visible results erode political value)"),
    # --- the policy cycle's work items (model/phases.py, ODD §7.4): hours, role split, minimum months --------
    *_item("vision", "shared pre-vision", 30.0, {"elected": 0.35, "directors": 0.45, "staff": 0.20}, 4, _LAUNCH),
    *_item("proactive_bodies", "internal steering bodies", 20.0, {"elected": 0.40, "directors": 0.60}, 3, _LAUNCH),
    *_item("open_bodies", "co-construction bodies", 40.0, {"elected": 0.20, "directors": 0.30, "staff": 0.50},
           6, _LAUNCH),
    *_item("diagnosis_360", "360° diagnosis", 80.0, {"elected": 0.05, "directors": 0.25, "staff": 0.70}, 6, _PLANNING),
    *_item("global_ambition", "global ambition", 30.0, {"elected": 0.45, "directors": 0.45, "staff": 0.10},
           4, _PLANNING),
    *_item("segmentation", "segmentation into missions", 50.0, {"elected": 0.05, "directors": 0.45, "staff": 0.50},
           4, _PLANNING),
    *_item("prioritisation", "prioritisation", 30.0, {"elected": 0.30, "directors": 0.50, "staff": 0.20}, 3, _PLANNING),
    *_item("pilots", "pilots and structures", 30.0, {"elected": 0.10, "directors": 0.60, "staff": 0.30},
           3, _IMPLEMENTATION),
    *_item("resource_allocation", "resource allocation", 40.0, {"elected": 0.20, "directors": 0.55, "staff": 0.25},
           4, _IMPLEMENTATION),
    *_item("organisational_alignment", "organisational alignment", 80.0, {"directors": 0.35, "staff": 0.65},
           18, _IMPLEMENTATION),
    *_item("ecosystem_alignment", "ecosystem alignment", 50.0, {"elected": 0.15, "directors": 0.35, "staff": 0.50},
           12, _IMPLEMENTATION),
    *_item("shared_indicators", "shared indicators", 40.0, {"elected": 0.10, "directors": 0.40, "staff": 0.50},
           4, _EVALUATION),
    *_item("reporting", "reporting", 40.0, {"elected": 0.05, "directors": 0.30, "staff": 0.65}, 3, _EVALUATION),
    *_item("learning_evaluation", "learning evaluation", 30.0, {"elected": 0.10, "directors": 0.50, "staff": 0.40},
           6, _EVALUATION),
    _share("learning_gain_per_evaluation", 0.5, "learning per cycle", "policy_cycle",
           "Learning a closed evaluation adds, per unit of the evaluation items' mean quality (capped at 1).",
           "seed 000/001 phase 4 'évaluation de l'apprentissage organisationnel'; rate: assumption.", 0.1, 1.0),
    _share("learning_head_start", 0.5, "share of progress", "policy_cycle",
           "Share of planning-to-evaluation items' progress that full learning carries into the next cycle.",
           "seed 000/001 phase 4 (learning feeds the next planning); assumption: at most half the work is saved.",
           0.1, 0.9),
    # --- actions: families' value profiles, magnitudes, maturity and risks (model/portfolio.py, ODD §7.5) ------
    *_family("infrastructure", 1.0, 0.3,
             {"efficiency": 0.55, "effectiveness": 0.25, "intrinsic_enhancement": 0.20},
             {"privacy": 0.05, "footprint": 0.12},
             "seed 003 use-case family 'optimisation des infrastructures' (water, watering, lighting)"),
    *_family("decision_support", 1.0, 0.6,
             {"efficiency": 0.10, "effectiveness": 0.30, "transparency": 0.25, "participation": 0.10,
              "collaboration": 0.25},
             {"privacy": 0.25, "footprint": 0.15},
             "seed 003 use-case family 'aide à la décision et information' (digital twin)"),
    *_family("proximity", 1.0, 0.5,
             {"effectiveness": 0.25, "intrinsic_enhancement": 0.15, "transparency": 0.20, "participation": 0.25,
              "collaboration": 0.15},
             {"exclusion": 0.60, "privacy": 0.30, "footprint": 0.08},
             "seed 003 use-case family 'services de proximité' (report, follow, consult)"),
    *_family("foundation", 0.3, None,
             {"efficiency": 0.50, "effectiveness": 0.30, "collaboration": 0.20},
             {"privacy": 0.10, "footprint": 0.25},
             "seed 000/001 mission 01 'fondations SI' (an enabler: its value is mostly indirect)"),
    # --- actions: size, duration, effort and contracts (model/portfolio.py, ODD §7.5, §7.7) --------------------
    _a("action_magnitude_cost_offset_meur", 0.2, "EUR M", "portfolio_actions",
       "Offset in an action's value magnitude, family magnitude x sqrt(offset + cost): small actions still count.",
       "assumption: value is concave in cost (diminishing returns), with a floor for cheap actions."),
    _a("action_small_cost_meur", 1.0, "EUR M", "portfolio_actions",
       "Cost below which an action is small (short duration).",
       "assumption: seed 000/001 Angers lines split around EUR 1M and 5M per action.", 0.5, 2.5),
    _a("action_large_cost_meur", 5.0, "EUR M", "portfolio_actions",
       "Cost from which an action is large (long duration).",
       "assumption: seed 000/001 Angers lines split around EUR 1M and 5M per action.", 2.5, 10.0),
    _a("action_duration_small_months", 12.0, "months", "portfolio_actions",
       "Months a small action takes at full staff fulfilment and productivity 1.",
       "assumption: a year from order to service for a small smart-city project.", 6.0, 24.0),
    _a("action_duration_medium_months", 18.0, "months", "portfolio_actions",
       "Months a medium action takes at full staff fulfilment and productivity 1.",
       "assumption: a year and a half (public procurement and works).", 9.0, 36.0),
    _a("action_duration_large_months", 24.0, "months", "portfolio_actions",
       "Months a large action takes at full staff fulfilment and productivity 1.",
       "assumption: two years (e.g. the Angers lighting renovation, seed 000).", 12.0, 48.0),
    _a("action_effort_inhouse_base_hours", 300.0, "staff hours", "portfolio_actions",
       "Fixed staff hours of an action made in-house ('faire').",
       "assumption: about two staff-months of project work whatever the size."),
    _a("action_effort_inhouse_hours_per_meur", 250.0, "staff hours/EUR M", "portfolio_actions",
       "Extra staff hours per EUR M of an action made in-house.", "assumption."),
    _a("action_effort_contract_base_hours", 80.0, "staff hours", "portfolio_actions",
       "Fixed staff hours to manage the contract of an outsourced action ('faire-faire', 'laisser-faire').",
       "assumption: tendering and follow-up, Staropoli & Thirion 2019 via seed 000/001."),
    _a("action_effort_contract_hours_per_meur", 40.0, "staff hours/EUR M", "portfolio_actions",
       "Extra contract-management hours per EUR M of an outsourced action.", "assumption."),
    _a("action_operator_base_hours", 250.0, "operator hours", "portfolio_actions",
       "Fixed hours an operator puts into an outsourced action.", "assumption (seed 003 operators' contracts)."),
    _a("action_operator_hours_per_meur", 250.0, "operator hours/EUR M", "portfolio_actions",
       "Extra operator hours per EUR M of an outsourced action.", "assumption (seed 003 operators' contracts)."),
    _share("action_director_share_inhouse", 0.03, "share of effort", "portfolio_actions",
           "Share of an in-house action's hours carried by directors (supervision).",
           "assumption: directors supervise programmes; staff do the work."),
    _share("action_director_share_outsourced", 0.1, "share of effort", "portfolio_actions",
           "Share of an outsourced action's management hours carried by directors (contract steering).",
           "assumption: seed 003 'qualité du pilotage des relations contractuelles' falls on directors."),
    _a("action_evaluated_value_boost", 0.3, "per unit of learning", "portfolio_actions",
       "Extra value of an evaluated action per unit of learning (re-oriented by evaluation).",
       "seed 000/001 phase 4 (evaluation re-orients actions); size: assumption.", 0.0, 1.0),
    _a("action_maturity_gate_width", 0.3, "maturity 0-1", "portfolio_actions",
       "Maturity shortfall at which an action stops progressing (it slows linearly below what it needs).",
       "assumption: seed 003 'fiabilisation des socles' (actions wait for the data foundation they run on).",
       0.1, 0.6),
    _share("contract_let_do_public_cost_share", 0.3, "share of cost", "portfolio_actions",
           "Share of a let-do ('laisser-faire') action's cost the authority pays; the operator finances the rest.",
           "seed 000/001 (Staropoli & Thirion 2019); share: assumption.", 0.1, 0.6),
    _a("contract_let_do_privacy_multiplier", 2.0, "multiplier", "portfolio_actions",
       "Privacy risk of a let-do action relative to one the authority controls.",
       "assumption: less control over data (seed 002 §4.2 privacy agenda).", 1.0, 4.0),
    _share("contract_make_do_value_base", 0.8, "share of value", "portfolio_actions",
           "Value a make-do (contracted) action keeps with an operator whose aims are purely commercial.",
           "seed 003 'qualité du pilotage des relations contractuelles': contracts steer operators; "
           "size: assumption.", 0.5, 1.0),
    _share("contract_make_do_value_alignment", 0.2, "share of value", "portfolio_actions",
           "Extra value of a make-do action per unit of its operator's alignment with public value.",
           "assumption (seed 003).", 0.0, 0.5),
    _share("contract_let_do_value_base", 0.4, "share of value", "portfolio_actions",
           "Value a let-do action keeps with an operator whose aims are purely commercial.",
           "assumption: let-do leaves value to the operator's aims (seed 000/001, Staropoli & Thirion 2019).",
           0.1, 0.8),
    _share("contract_let_do_value_alignment", 0.6, "share of value", "portfolio_actions",
           "Extra value of a let-do action per unit of its operator's alignment with public value.",
           "assumption (seed 000/001, Staropoli & Thirion 2019).", 0.2, 0.9),
    _a("contract_privacy_risk_base", 1.5, "multiplier", "portfolio_actions",
       "Privacy-risk multiplier of an outsourced action whose operator shares no data (minus its data sharing).",
       "assumption: seed 003 (operators' data); an operator who shares all its data halves the excess risk.",
       1.0, 3.0),
    # --- leaders: elected officials and directors (model/agents.py, seed 002 §3.2, seed 003) -----------------
    _a("routine_load_cap", 0.995, "share of hours", "leaders",
       "Highest share of anyone's hours routine duties can take (everyone keeps a sliver of free time).",
       "assumption: a cap that keeps capacity positive under noise and summer loads.", 0.95, 0.999),
    _a("leaders_routine_noise_sd", 0.02, "share of hours", "leaders",
       "Spread (s.d.) of routine load among officials and among directors around their role's mean.",
       "assumption: leaders' agendas are similarly full.", 0.0, 0.1),
    _a("leaders_time_share_commitment_offset", 0.5, "commitment units", "leaders",
       "Leaders give min(1, leader_time_share x (offset + commitment)) of their free hours: the offset is what "
       "an uncommitted leader still gives.", "assumption: a committed leader gives up to 1.5x the share.",
       0.0, 1.0),
    _share("leaders_commitment_initial_low", 0.5, "commitment 0-1", "leaders",
           "Lowest initial commitment of elected officials and directors (uniform draw).",
           "seed 003 'engagement constant des Maires'; range: assumption.", 0.2, 0.7),
    _share("leaders_commitment_initial_high", 0.9, "commitment 0-1", "leaders",
           "Highest initial commitment of elected officials and directors (uniform draw).",
           "seed 003 'engagement constant des Maires'; range: assumption.", 0.7, 1.0),
    _a("elected_involvement_vti_deputy", 1.6, "relative to the mayor", "leaders",
       "Share of the elected officials' VTI work the deputy for digital carries, relative to the mayor-president.",
       "seed 002 §3.2 (a VP in charge of digital); size: assumption."),
    _a("elected_involvement_others", 0.7, "relative to the mayor", "leaders",
       "Share of the VTI work each other deputy carries, relative to the mayor-president.", "assumption."),
    _a("elected_openness_concentration", 4.0, "Beta(k, k) parameter", "leaders",
       "Concentration of officials' preferences for openness around the middle (Beta(k, k)); larger k: more alike.",
       "assumption: executives vary, most are neither closed nor fully open."),
    _share("election_new_commitment_low", 0.2, "commitment 0-1", "leaders",
           "Lowest commitment of a newly elected executive (uniform draw).",
           "assumption: a new executive arrives less committed to its predecessor's policy.", 0.0, 0.5),
    _share("election_new_commitment_high", 0.7, "commitment 0-1", "leaders",
           "Highest commitment of a newly elected executive (uniform draw).", "assumption.", 0.5, 1.0),
    _a("directors_involvement_dga_digital", 1.8, "relative to the DGS", "leaders",
       "Share of the directors' VTI work the DGA for digital carries, relative to the DGS.",
       "seed 002 §3.2 (the DGA in the COPIL); size: assumption."),
    _a("directors_involvement_others", 0.8, "relative to the DGS", "leaders",
       "Share of the VTI work each other director carries, relative to the DGS.", "assumption."),
    _share("directors_silo_spread", 0.3, "relative spread", "leaders",
           "Directors' silo friction is silo_index x U(1 - spread, 1 + spread): how much directorates differ.",
           "assumption (seed 002 §3.2 'organisations en silos').", 0.0, 0.6),
    _share("directors_change_skill_low", 0.3, "skill 0-1", "leaders",
           "Lowest change-management skill among directors (uniform draw).",
           "seed 003 'accompagnement au changement'; range: assumption.", 0.1, 0.5),
    _share("directors_change_skill_high", 0.8, "skill 0-1", "leaders",
           "Highest change-management skill among directors (uniform draw).", "assumption.", 0.5, 1.0),
    _share("directors_contract_skill_low", 0.3, "skill 0-1", "leaders",
           "Lowest contract-steering skill among directors (uniform draw).",
           "seed 003 'qualité du pilotage des relations contractuelles'; range: assumption.", 0.1, 0.5),
    _share("directors_contract_skill_high", 0.8, "skill 0-1", "leaders",
           "Highest contract-steering skill among directors (uniform draw).", "assumption.", 0.5, 1.0),
    _share("directors_follow_rate", 0.05, "per month", "leaders",
           "Monthly rate at which directors' commitment follows the elected officials' mean commitment.",
           "assumption: the administration follows the political lead over about two years."),
    # --- operational staff (model/agents.py, seed 002 §3.3, R2, R3) -------------------------------------------
    _share("staff_share_lighting", 0.15, "share of staff", "staff",
           "Share of operational staff in public lighting (IT, the largest direction, takes the rest).",
           "assumption (seed 000/001 mission 03)."),
    _share("staff_share_green_spaces", 0.20, "share of staff", "staff",
           "Share of operational staff in green spaces.", "assumption (seed 000/001 mission 05; seed 002 §3.3)."),
    _share("staff_share_buildings", 0.15, "share of staff", "staff",
           "Share of operational staff in buildings.", "assumption (seed 000/001 mission 04)."),
    _share("staff_share_waste", 0.15, "share of staff", "staff",
           "Share of operational staff in waste.", "assumption (seed 000/001 mission 06)."),
    _share("staff_share_user_relations", 0.10, "share of staff", "staff",
           "Share of operational staff in user relations.", "assumption (seed 003 proximity services)."),
    _a("staff_routine_noise_sd", 0.05, "share of hours", "staff",
       "Spread (s.d.) of routine load among operational staff around routine_load_staff.",
       "assumption: some jobs are fuller than others.", 0.0, 0.15),
    _a("staff_digital_skill_beta_a", 3.0, "Beta parameter", "staff",
       "First shape parameter of staff's initial digital skill, Beta(a, b) (mean a/(a+b) = 0.43 by default).",
       "assumption: seed 002 §3.3 (jobs that digital tools change need new skills)."),
    _a("staff_digital_skill_beta_b", 4.0, "Beta parameter", "staff",
       "Second shape parameter of staff's initial digital skill, Beta(a, b).", "assumption."),
    _share("staff_acceptance_initial_low", 0.3, "acceptance 0-1", "staff",
           "Lowest initial acceptance of digitally transformed jobs (uniform draw).",
           "seed 002 §3.3 / seed 004 R3; range: assumption.", 0.1, 0.5),
    _share("staff_acceptance_initial_high", 0.7, "acceptance 0-1", "staff",
           "Highest initial acceptance of digitally transformed jobs (uniform draw).", "assumption.", 0.5, 0.9),
    _share("staff_data_habit_initial_low", 0.5, "share of data_culture", "staff",
           "Staff's initial data habit is data_culture x U(low, 1): the weakest habit relative to the culture.",
           "seed 002 §3.2 / seed 004 R2 (Courmont 2019); range: assumption.", 0.0, 0.9),
    _a("staff_acceptance_gain_base", 0.01, "per month", "staff",
       "Monthly acceptance gain without HR support (people get used to the changed job).",
       "assumption: seed 004 R3 (HR policy renewed for digital jobs)."),
    _a("staff_acceptance_gain_hr", 0.03, "per month per unit of HR support", "staff",
       "Extra monthly acceptance gain per unit of hr_support, scaled by directors' change management.",
       "seed 002 §3.3 / seed 004 R3 'renouveler la politique de gestion des ressources humaines'; size: assumption."),
    _a("staff_change_management_offset", 0.5, "skill units", "staff",
       "HR support works at (offset + directors' change-management skill): what it achieves with unskilled "
       "directors.", "assumption (seed 003 'accompagnement au changement').", 0.0, 1.0),
    _a("staff_acceptance_loss_rate", 0.01, "per month", "staff",
       "Monthly acceptance loss per unit of job transformation without HR support.",
       "assumption: seed 002 §3.3 (the changed job resented when unsupported)."),
    _a("staff_skill_gain_per_training_hour", 0.02, "per training hour", "staff",
       "Share of the remaining skill gap one training hour closes (for a fully accepting person).",
       "assumption: about 40 hours of training close half the gap (seed 003 'formation')."),
    _share("staff_learning_acceptance_weight", 0.5, "weight 0-1", "staff",
           "How much training's effect depends on accepting the changed job: (1 - w) + w x acceptance.",
           "assumption (seed 004 R3)."),
    _share("staff_job_transformation_rate", 0.1, "per month", "staff",
           "Monthly rate at which jobs transform towards the share of their direction's tools delivered.",
           "seed 002 §3.3 (the gardener now waters by phone); rate: assumption, about a year to adapt."),
    _a("staff_job_fit_skill_offset", 0.3, "skill units", "staff",
       "Staff do the transformed job at min(1, (offset + skill) x ((1 - w) + w acceptance)): the offset is what "
       "experience brings without digital skill.", "assumption (seed 002 §3.3).", 0.0, 0.7),
    _share("staff_job_fit_acceptance_weight", 0.5, "weight 0-1", "staff",
           "How much doing the transformed job depends on accepting it (w in the job-fit formula).",
           "assumption (seed 004 R3)."),
    _a("staff_data_habit_growth", 0.03, "per month", "staff",
       "Monthly growth of the data-sharing habit per unit of data culture (plus weighted transversality).",
       "seed 002 §3.2 'réflexe de mutualiser la donnée' / seed 004 R2; rate: assumption."),
    _share("staff_data_habit_transversality_weight", 0.5, "weight", "staff",
           "Weight of transversality beside data culture in the growth of the data habit.",
           "seed 002 §3.2 (cross-cutting work spreads data sharing); weight: assumption."),
    _a("staff_data_habit_decay_silo", 0.02, "per month", "staff",
       "Monthly decay of the data habit per unit of silo_index.",
       "seed 002 §3.2 / seed 004 R2 (silos detach data, Courmont 2019); rate: assumption."),
    # --- economic operators (model/agents.py, seed 000/001, seed 003) -----------------------------------------
    _a("operators_capacity_low_hours", 300.0, "h/month", "operators",
       "Lowest monthly hours an operator can put on the territory (uniform draw).",
       "assumption: from a small local firm to a national group's team (seed 003).", 100.0, 600.0),
    _a("operators_capacity_high_hours", 1500.0, "h/month", "operators",
       "Highest monthly hours an operator can put on the territory (uniform draw).",
       "assumption (seed 003 operators' contracts).", 600.0, 3000.0),
    _a("operators_reliability_beta_a", 8.0, "Beta parameter", "operators",
       "First shape parameter of operators' reliability, Beta(a, b) (mean 0.8 by default).",
       "assumption: operators mostly deliver what they are asked (seed 003)."),
    _a("operators_reliability_beta_b", 2.0, "Beta parameter", "operators",
       "Second shape parameter of operators' reliability, Beta(a, b).", "assumption."),
    _a("operators_alignment_noise_sd", 0.15, "alignment units", "operators",
       "Spread (s.d.) of operators' alignment with public value around operator_alignment.",
       "assumption (seed 003 'qualité du pilotage des relations contractuelles').", 0.0, 0.3),
    _share("operators_data_sharing_initial_low", 0.5, "share of alignment", "operators",
           "An operator shares data as alignment x U(low, 1): the least it shares relative to its alignment.",
           "assumption (seed 003 operators' data).", 0.0, 0.9),
    # --- residents: literacy, participation, services, satisfaction (model/agents.py, ODD §7.8) --------------
    _a("residents_literacy_concentration", 6.0, "Beta a + b", "residents",
       "Concentration of residents' digital literacy, Beta(mean k, (1 - mean) k): larger k, less inequality.",
       "INSEE 2019 (about 17% in illectronisme at literacy_mean 0.68 with k = 6); k: calibrated assumption.",
       3.0, 12.0),
    _share("residents_low_literacy_threshold", 0.4, "literacy 0-1", "residents",
           "Digital literacy below which a resident is in 'illectronisme' (exclusion and the inclusion gap).",
           "INSEE 2019 illectronisme share (approximate); threshold: assumption calibrated with literacy_mean.",
           0.2, 0.6),
    _a("residents_trust_noise_sd", 0.12, "trust units", "residents",
       "Spread (s.d.) of residents' initial trust around trust_0.",
       "assumption: CEVIPOF barometers show wide spreads (approximate).", 0.0, 0.25),
    _share("residents_trust_initial_margin", 0.01, "trust units", "residents",
           "Initial trust is clipped to [margin, 1 - margin].", "assumption: nobody starts at certainty.",
           0.001, 0.1),
    _share("residents_satisfaction_initial", 0.5, "satisfaction 0-1", "residents",
           "Residents' initial satisfaction with public services.", "assumption: the middle of the scale.",
           0.2, 0.8),
    _a("residents_propensity_beta_a", 1.5, "Beta parameter", "residents",
       "First shape parameter of residents' propensity to take part, Beta(a, b) (mean 0.2 by default).",
       "assumption: a minority takes part (the usual participation gradient)."),
    _a("residents_propensity_beta_b", 6.0, "Beta parameter", "residents",
       "Second shape parameter of residents' propensity to take part, Beta(a, b).", "assumption."),
    _share("residents_digital_literacy_floor", 0.25, "literacy 0-1", "residents",
           "Literacy below which a resident cannot use digital services at all (unaided).",
           "assumption: seed 002 'lutte contre l'illectronisme'.", 0.1, 0.4),
    _share("residents_digital_literacy_span", 0.35, "literacy units", "residents",
           "Literacy above the floor needed to use digital services fully (use rises linearly over it).",
           "assumption.", 0.15, 0.6),
    _share("residents_in_person_share", 0.4, "share of opportunities", "residents",
           "Share of participation and information opportunities held in person (reached where a body covers the "
           "neighbourhood); the rest is digital and needs literacy.",
           "assumption: most consultation now runs through apps and platforms (seed 003 Biarritz app)."),
    _share("residents_trust_term_floor", 0.3, "share", "residents",
           "Willingness to take part and to use services at zero trust, relative to full trust "
           "((floor + (1 - floor) trust)).", "assumption: distrust deters but does not forbid.", 0.0, 0.6),
    _share("residents_fatigue_recovery", 0.05, "per month", "residents",
           "Monthly share of participation fatigue that wears off.",
           "assumption: participation fatigue lasts about a year and a half."),
    _share("residents_fatigue_gain", 0.15, "share of rest", "residents",
           "Fatigue added by taking part, as a share of the rest left.",
           "assumption: repeated consultation tires participants."),
    _share("residents_service_adoption_rate", 0.15, "per month", "residents",
           "Monthly adoption of digital proximity services by able, trusting residents at full access and appeal.",
           "assumption: a few months to adopt a new service (seed 003 Biarritz app)."),
    _share("residents_service_use_decay", 0.15, "per month", "residents",
           "Monthly share of digital-service use that lapses unless renewed.", "assumption."),
    _share("residents_satisfaction_rate", 0.1, "per month", "residents",
           "Monthly rate at which satisfaction relaxes towards the value residents receive.",
           "assumption: satisfaction follows experience over about ten months."),
    _a("residents_satisfaction_half_value", 10.0, "PVU/month", "residents",
       "Value a month reaching the whole population at which satisfaction is half-way (x / (1 + x)).",
       "assumption: sets the PVU scale of satisfaction.", 2.0, 50.0),
    _share("trust_gain_from_benefit", 0.015, "per month", "residents",
           "Monthly trust gain from the value a resident receives (saturating at this rate).",
           "assumption: visible benefits build trust slowly (OECD trust drivers; seed 002 §3.4)."),
    _share("trust_gain_from_transparency", 0.015, "per month", "residents",
           "Monthly trust gain at full transparency (shared information residents can read and believe).",
           "seed 004 def. of open governance 'partage d'informations'; seed 002 §3.4; rate: assumption."),
    _share("trust_loss_unanswered", 0.08, "per month", "residents",
           "Monthly trust loss of a resident who took part when no result is visible.",
           "assumption: unanswered participation disappoints (Ansell & Gash 2008 'small wins')."),
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
    # --- levers added with the symmetric process channels (issue 10) -----------------------------------------------
    _p("digital_mediation", 0.2, 0.0, 1.0, "index 0-1", L, "resources",
       "Digital mediation offered to residents (France Services counsellors, 'réseau de solidarité numérique'), "
       "available under either governance mode; costs staff hours per neighbourhood.",
       "seed 002 §3.5 'lutte contre l'illectronisme', 'réseau de solidarité numérique'; seed 000/001 digital "
       "principles. Default: assumption, a modest offer."),
    _p("institutional_readiness_0", 0.3, 0.0, 1.0, "index 0-1", C, "organisation",
       "Starting institutional prerequisite for open governance: rules, charters and bodies that let the "
       "authority consult and co-decide (a territory with a participatory tradition starts high).",
       "seed 002 §3.6 prerequisites 'institutionnels'. Default: assumption."),
    # --- assumptions of the monthly schedule (vti_sim/model/model.py), each with its reasoning ---------------------
    *_assumptions((
        ("summer_staff_load", 0.1, 0.0, 0.3, "share of hours per unit of seasonal amplitude", "territory",
         "Extra routine load on staff in summer, per unit of seasonal amplitude (tourist season services).",
         "seed 003 Biarritz seasonal variation; assumption: a tenth of hours at amplitude 1."),
        ("open_index_reference_hours", 80.0, 20.0, 320.0, "h/month", "open",
         "Open-governance hours a month at which the openness index of the Carassus & Baldé grid reaches 63%.",
         "Carassus & Baldé 2020 grid (descriptive index). assumption: a scale, not a behaviour."),
        ("leader_engagement_reference_hours", 60.0, 15.0, 240.0, "h/month", "proactive",
         "Leaders' VTI hours a month at which their engagement index reaches 63% (proactivity index).",
         "Carassus & Baldé 2020 grid (descriptive index). assumption: a scale, not a behaviour."),
        ("operating_rate", 0.004, 0.001, 0.01, "share of cost per month", "resources",
         "Monthly operating cost of a delivered action (licences, maintenance) as a share of its cost.",
         "assumption: about 5% a year of the investment, a common order for IT and street equipment."),
        ("open_data_catalogue_0", 0.05, 0.0, 0.5, "share of publishable data", "organisation",
         "Open-data catalogue at the start, as a share of what could be published.", "assumption."),
        ("open_data_freshness_0", 0.5, 0.0, 1.0, "index 0-1", "organisation",
         "Freshness of the open data at the start.", "assumption: half-maintained."),
        ("legitimacy_0", 0.5, 0.1, 0.9, "index 0-1", "politics",
         "Legitimacy of the executive at the start (Moore's 'legitimacy and support').", "assumption: neutral."),
        ("directors_training_hours", 4.0, 0.0, 16.0, "h/director/month at full HR support", "resources",
         "Change-management training a director receives a month at full HR support.",
         "seed 003 'accompagnement au changement'; assumption: half a day a month."),
        ("decisions_per_action", 0.17, 0.0, 1.0, "decisions/action/month", "open",
         "Policy decisions a month that each action under way raises (open to consultation at the participatory "
         "share).", "assumption: about one decision every six months per action."),
        ("monitoring_hours_per_action", 2.0, 0.0, 8.0, "h/month", "resources",
         "Monitoring hours a month each delivered action asks (indicators of means, realisations, effects).",
         "seed 000/001 evaluation phase 'indicateurs partagés'; assumption: two hours a month."),
        ("monitoring_directors_share", 0.2, 0.0, 1.0, "share", "resources",
         "Share of monitoring hours carried by directors (the rest by staff).", "assumption."),
        ("mediation_hours_per_neighbourhood", 30.0, 0.0, 120.0, "h/month at full mediation", "resources",
         "Staff hours a month of digital mediation per neighbourhood at full mediation.",
         "seed 002 §3.5 'réseau de solidarité numérique'. assumption: about one counsellor day a week."),
        ("data_upkeep_hours", 1.0, 0.0, 4.0, "h/staff/month at full data culture", "resources",
         "Hours a month each staff member spends updating and sharing data at full data culture (data habits "
         "cost time).", "seed 002 §3.2 'réflexe de mutualiser la donnée'; assumption: an hour a month."),
        ("silo_drag", 0.6, 0.0, 1.0, "share", "organisation",
         "Largest loss of productivity that silos cause on cross-cutting work (removed by steering).",
         "seed 002 §3.2 / seed 004 R2 'organisations en silos'. assumption."),
        ("productivity_floor", 0.4, 0.1, 1.0, "share", "organisation",
         "Productivity of an organisation with no capacity to innovate, relative to a fully innovative one.",
         "seed 000/001 'capacités internes d'innovation'. assumption."),
        ("learning_productivity_gain", 0.3, 0.0, 1.0, "share", "organisation",
         "Productivity gain from full organisational learning (evaluated cycles).",
         "seed 000/001 phase 4 'apprentissage organisationnel'. assumption."),
        ("acceptance_floor", 0.4, 0.0, 1.0, "share", "organisation",
         "Progress of organisational change with no staff acceptance, relative to full acceptance.",
         "seed 002 §3.3 / seed 004 R3. assumption."),
        ("voice_saturation", 10.0, 2.0, 40.0, "1/participation rate", "open",
         "Inverse of the participation rate at which residents' voice on a decision saturates.",
         "assumption: 10% of residents taking part is a full voice."),
        ("fit_floor", 0.3, 0.0, 1.0, "index 0-1", "open",
         "Fit of a plan with needs and uses when no resident or stakeholder is heard.",
         "MODEL_BRIEF §5 (open governance improves fit). assumption."),
        ("contract_floor", 0.6, 0.0, 1.0, "share", "resources",
         "Share of operators' work that reaches the action with no contract management skill.",
         "seed 003 'qualité du pilotage des relations contractuelles'. assumption."),
        ("visibility_memory", 0.9, 0.5, 0.99, "monthly retention", "politics",
         "Monthly retention of recent deliveries in residents' perception of visible results.",
         "Ansell & Gash 2008 'small wins'. assumption: a memory of about ten months."),
        ("foundation_maturity_gain", 0.9, 0.5, 1.0, "share", "organisation",
         "Share of the remaining maturity gap that a fully delivered foundation closes.", "assumption."),
        ("substance_floor", 0.2, 0.0, 1.0, "share", "open",
         "Substance there is to inform and co-produce on before any action starts (vision, plans).",
         "seed 002 §3.4. assumption."),
        ("catalogue_growth", 0.03, 0.005, 0.1, "share/month", "organisation",
         "Monthly growth rate of the open-data catalogue at full information sharing, maturity and habit.",
         "seed 002 §3.2. assumption."),
        ("catalogue_habit_floor", 0.3, 0.0, 1.0, "share", "organisation",
         "Catalogue growth with no data habit, relative to a full habit.", "seed 002 §3.2. assumption."),
        ("catalogue_silo_drag", 0.5, 0.0, 1.0, "share", "organisation",
         "Loss of catalogue growth in a fully siloed organisation.", "seed 002 §3.2 'attachement des données'. "
         "assumption."),
        ("reach_per_meeting", 0.8, 0.0, 3.0, "reach per monthly meeting", "open",
         "Participation reach of one co-construction meeting a month.", "assumption."),
        ("reach_per_consultation", 1.5, 0.0, 5.0, "reach at full participatory share", "open",
         "Participation reach of consulting on every decision.", "assumption."),
        ("reach_access_gain", 0.3, 0.0, 2.0, "reach per unit of access", "open",
         "Extra consultation reach from digital proximity services in use (apps to report and consult).",
         "seed 003 (Biarritz app). assumption."),
        ("mediation_principles_floor", 0.3, 0.0, 1.0, "share", "resources",
         "Effect of mediation when the digital principles (fighting illectronisme) are not set.",
         "seed 000/001 planning 'principes du numérique'. assumption."),
        ("appeal_fit_floor", 0.5, 0.0, 1.0, "share", "open",
         "Appeal of proximity services to residents when the plan's fit with needs is nil.", "assumption."),
        ("prerequisite_floor", 0.2, 0.0, 1.0, "share", "open",
         "What open governance achieves when a prerequisite (technological, organisational, institutional) is "
         "entirely missing, relative to when it is met.",
         "seed 002 §3.6: prerequisites 'technologiques, organisationnels et culturels, institutionnels' make the "
         "proactive-then-open phasing 'plus ou moins forcé'. assumption: the size."),
        ("institutionalisation_rate", 0.03, 0.0, 0.2, "share/month", "proactive",
         "Monthly rate at which steering bodies build the institutional prerequisite (rules, charters, roles), "
         "at full transversality.", "seed 002 §3.6; seed 000/001 launch 'instances internes'. assumption."),
        ("platform_habit_floor", 0.3, 0.0, 1.0, "share", "organisation",
         "Usefulness of the data platform with no data habit, relative to a full habit.", "seed 002 §3.2. "
         "assumption."),
        ("platform_freshness_floor", 0.5, 0.0, 1.0, "share", "organisation",
         "Usefulness of the data platform with stale data, relative to fresh data.", "seed 002 §3.2. assumption."),
        ("data_ready_floor", 0.7, 0.0, 1.0, "share", "organisation",
         "Use of infrastructure tools with no shared data foundation (remote steering needs shared data).",
         "seed 000 Angers lighting 'pilotage à distance'. assumption."),
        ("service_fit_floor", 0.4, 0.0, 1.0, "share", "open",
         "Value of delivered actions whose plan fits needs not at all, relative to a perfect fit.", "assumption."),
        ("steering_effectiveness_value", 0.4, 0.0, 2.0, "PVU/month at full transversality", "proactive",
         "Effectiveness generated by coherent, cross-cutting steering (a governance process value).",
         "Frucquet et al. 2023 after O'Flynn 2007 (process value); seed 004 R1. assumption: the size."),
        ("steering_efficiency_value", 0.3, 0.0, 2.0, "PVU/month at full transversality", "proactive",
         "Efficiency generated by coherent, cross-cutting steering (fewer duplicates, pooled purchases).",
         "Frucquet et al. 2023; seed 004 R1. assumption: the size."),
        ("steering_unblock", 0.5, 0.0, 2.0, "extra work share", "proactive",
         "Extra progress a fully steered COPIL gives a late action whose météo is worst (arbitration, resources "
         "moved to it), in proportion to its lateness.",
         "seed 000/001 Angers steering tool ('météo' of each action reviewed in COPIL). assumption: the size."),
        ("visible_delivery_weight", 0.5, 0.0, 1.0, "share", "politics",
         "Weight of recent deliveries (against information about the policy) in visible results.",
         "Ansell & Gash 2008 'small wins'; seed 002 §3.4. assumption."),
        ("visible_delivery_scale", 2.0, 0.5, 8.0, "deliveries", "politics",
         "Recent deliveries at which their visibility reaches 63%.", "assumption."),
        ("visible_openness_floor", 0.5, 0.0, 1.0, "share", "politics",
         "Visibility of results under an executive with no preference for openness, relative to a full one.",
         "assumption."),
        ("open_data_transparency_value", 0.6, 0.0, 3.0, "PVU/month", "open",
         "Transparency a full, fresh open-data catalogue generates a month.", "Harrison et al. 2012 "
         "(transparency generator); seed 002 §3.2. assumption: the size."),
        ("information_transparency_value", 2.0, 0.0, 6.0, "PVU/month", "open",
         "Transparency that informing residents generates a month at full information sharing, audience and "
         "substance, whatever the governance mode.", "Harrison et al. 2012; seed 002 §3.4. assumption: the size."),
        ("participation_value", 20.0, 0.0, 60.0, "PVU/month per participation rate", "open",
         "Participation value generated per unit of participation rate when results are visible.",
         "Harrison et al. 2012 (participation generator); Ansell & Gash 2008 'small wins'. assumption: the size."),
        ("partnership_value", 0.3, 0.0, 1.5, "PVU/month per partner", "open",
         "Collaboration value each engaged partner generates a month (at full substance and open fulfilment).",
         "Harrison et al. 2012 (collaboration generator); seed 003. assumption: the size."),
        ("co_creation_platform_value", 0.5, 0.0, 2.0, "PVU/month per unit of delivered decision support", "open",
         "Collaboration value of decision-support platforms used with residents (the digital twin as an urban "
         "platform).", "seed 002 §3.4 / seed 003 Mulhouse; seed 004 R4. assumption: the size."),
        ("exclusion_harm", 3.0, 0.0, 10.0, "PVU per unit of exposure", "resources",
         "Value destroyed by excluding low-literacy residents from digital-only services.",
         "seed 002 §4.2 (illectronisme); MODEL_BRIEF §7. assumption: the size."),
        ("privacy_protection_by_maturity", 0.7, 0.0, 1.0, "share", "organisation",
         "Share of privacy harm a fully mature foundation (cybersecurity, data governance) prevents.",
         "seed 000/001 'protection des données'. assumption."),
        ("principles_protection", 0.5, 0.0, 1.0, "share", "organisation",
         "Share of privacy and footprint harm that fully set digital principles prevent.",
         "seed 000/001 planning 'numérique responsable'. assumption."),
        ("stale_data_harm", 0.5, 0.0, 2.0, "PVU/month", "organisation",
         "Value destroyed a month by a full catalogue of stale open data.", "seed 002 §3.2. assumption."),
        ("unanswered_consultation_harm", 12.0, 0.0, 40.0, "PVU/month per participation rate", "open",
         "Value destroyed per unit of participation rate when results are not visible.",
         "MODEL_BRIEF §7 (consultations with no visible result erode trust). assumption: the size."),
        ("trust_transparency_scale", 2.0, 0.5, 8.0, "PVU/month", "politics",
         "Transparency a month at which its effect on trust saturates.", "assumption."),
        ("exclusion_trust_harm", 0.01, 0.0, 0.05, "trust/month", "politics",
         "Monthly trust loss of excluded low-literacy residents at full access to digital-only services.",
         "assumption."),
        ("privacy_trust_harm", 0.002, 0.0, 0.01, "trust/month per PVU", "politics",
         "Monthly trust loss per unit of privacy harm.", "assumption."),
        ("partner_adjustment", 0.05, 0.01, 0.3, "share/month", "open",
         "Monthly rate at which engaged partners move towards what the authority can keep engaged.",
         "Huxham & Vangen 2004 (collaborative inertia). assumption: about 20 months."),
        ("renewal_share", 0.3, 0.0, 1.0, "share of evaluated actions", "resources",
         "Share of the actions evaluated in a cycle that the next cycle extends or reorients ('modification de "
         "l'offre de services publics').", "seed 000/001 phase 4 (evaluation feeds the next cycle). assumption."),
        ("renewal_scale", 0.5, 0.1, 1.0, "share of the original action", "resources",
         "Size of an extension (cost, effort and value potential) relative to the action it extends.",
         "assumption: extensions are smaller than first deliveries."),
        ("potential_capacity_factor", 20.0, 5.0, 100.0, "multiplier", "simulation",
         "Capacity multiplier of the paired 'unconstrained time' run that gives a run's potential (plateau).",
         "MODEL_BRIEF §9 (potential with unconstrained time)."),
        ("proactivity_engagement_weight", 0.5, 0.0, 1.0, "weight", "proactive",
         "Weight of leaders' engagement (against transversality) in the proactivity index of the grid.",
         "Carassus & Baldé 2020 (proactivity: leaders engaged, ad hoc bodies). assumption: equal weights."),
        ("open_item_fit_weight", 0.5, 0.0, 1.0, "weight", "open",
         "Weight of fit with needs (against coherence) in the quality of open-sensitive work items.",
         "MODEL_BRIEF §5 (open governance brings fit, proactive coherence). assumption: equal weights."),
        ("voice_weight", 0.5, 0.0, 1.0, "weight", "open",
         "Weight of residents' voice (participation) against the share of decisions consulted on, in fit.",
         "assumption: equal weights."),
        ("acceptance_weight", 0.5, 0.0, 1.0, "weight", "organisation",
         "Weight of staff acceptance of change (against data habit) in the organisational prerequisite.",
         "seed 002 §3.6 ('organisationnels et culturels'). assumption: equal weights."),
        ("executive_change_suspension", 0.3, 0.0, 1.0, "share of actions", "politics",
         "Share of actions not yet delivered that a new executive suspends or re-examines after an election "
         "(policy discontinuity).", "Bardach 1976 and deLeon 1978 (policy termination after political "
         "turnover). assumption: the size."),
    )),
)

REGISTRY: dict[str, Parameter] = {p.name: p for p in PARAMETERS}


def defaults() -> dict[str, Any]:
    return {p.name: p.default for p in PARAMETERS}


def of_kind(kind: str) -> tuple[Parameter, ...]:
    """The entries of one kind (``lever``, ``context`` or ``assumption``), in registry order."""
    if kind not in KINDS:
        raise ParameterError("kind", f"got {kind!r}; allowed: one of {', '.join(KINDS)}")
    return tuple(p for p in PARAMETERS if p.kind == kind)


def levers() -> tuple[Parameter, ...]:
    return of_kind("lever")


def contexts() -> tuple[Parameter, ...]:
    return of_kind("context")


def assumptions() -> tuple[Parameter, ...]:
    """The mechanisms' behavioural coefficients (rates, weights, thresholds), each with its source."""
    return of_kind("assumption")


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


def records(kind: str | None = None) -> list[dict[str, Any]]:
    """The registry (or the entries of one kind) as JSON-ready records (``vti-sim params --format json``)."""
    return [p.record() for p in (PARAMETERS if kind is None else of_kind(kind))]
