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
    kind: str  # "lever" (a user steers it), "context" (set, not steered) or "assumption" (a coefficient)
    group: str  # proactive | open | resources | portfolio | territory | organisation | politics | simulation
    doc: str
    source: str
    dtype: str = "float"  # float | int | choice
    choices: tuple[str, ...] = field(default_factory=tuple)

    def coerce(self, value: Any, *, source: str = "parameters", line: int | None = None) -> Any:
        """Return ``value`` as this parameter's type, or raise a ParameterError saying what is allowed."""
        if self.dtype == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ParameterError(self.name, f"got {value!r}; allowed: one of {', '.join(self.choices)}",
                                     source=source, line=line)
            return value
        if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):  # numpy numbers are fine
            if isinstance(value, str):
                try:
                    value = float(value) if self.dtype == "float" else _parse_int(value)
                except ValueError:
                    raise ParameterError(self.name, f"got {value!r}; allowed: {self.allowed()}",
                                         source=source, line=line) from None
            else:
                raise ParameterError(self.name, f"got {type(value).__name__} {value!r}; allowed: {self.allowed()}",
                                     source=source, line=line)
        if self.dtype == "int":
            if isinstance(value, float) and not value.is_integer():
                raise ParameterError(self.name, f"got {value!r}; allowed: {self.allowed()}", source=source, line=line)
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise ParameterError(self.name, f"got {value!r}; allowed: {self.allowed()}", source=source, line=line)
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise ParameterError(self.name, f"got {value!r}; allowed: {self.allowed()}", source=source, line=line)
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


def _assumptions(rows) -> tuple[Parameter, ...]:
    """Entries of kind ``assumption``: (name, default, min, max, unit, group, meaning, source or reasoning)."""
    return tuple(Parameter(n, d, lo, hi, u, "assumption", g, doc, src) for n, d, lo, hi, u, g, doc, src in rows)


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
        ("information_hours_base", 20.0, 0.0, 80.0, "h/month at full information sharing", "open",
         "Staff hours a month to inform residents (dashboards, activity reports, incident explanations) at full "
         "information sharing, whatever the governance mode.",
         "seed 000/001 evaluation phase 'communication: tableaux de bord et rapports d'activité'; seed 002 §3.4 "
         "(flooded cabinet explained). assumption: hours."),
        ("information_hours_per_action", 0.5, 0.0, 4.0, "h/month per delivered action", "open",
         "Extra information hours per delivered action at full information sharing.", "assumption."),
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
