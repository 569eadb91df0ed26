"""French and English labels for the workshop app (``vti_sim.app``).

One dict per kind of label, keyed by the model's own identifiers.  ``t(key, lang)``
returns the label in ``lang`` and falls back to English, then to the key itself,
so a parameter, mission or item added to the model later still shows up (in
English or by name) until it gets a translation here.
"""

from __future__ import annotations

import re

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"

UI: dict[str, dict[str, str]] = {
    "title": {"en": "VTI workshop: steering a smart-city policy",
              "fr": "Atelier VTI : piloter une politique de territoire intelligent"},
    "language": {"en": "Language", "fr": "Langue"},
    "scenario": {"en": "Scenario preset", "fr": "Scénario prédéfini"},
    "scenario_defaults": {"en": "(registry defaults)", "fr": "(valeurs par défaut)"},
    "scenario_missing": {"en": "Scenario file not found: {name}; using the defaults.",
                         "fr": "Fichier de scénario introuvable : {name} ; valeurs par défaut utilisées."},
    "cases": {"en": "cases", "fr": "cas"},
    "archetypes": {"en": "archetypes", "fr": "archétypes"},
    "seed": {"en": "Random seed", "fr": "Graine aléatoire"},
    "levers": {"en": "Levers", "fr": "Leviers"},
    "apply_note": {"en": "Changing a lever, the scenario or the seed restarts the run at month 0.",
                   "fr": "Changer un levier, le scénario ou la graine relance la simulation au mois 0."},
    "finished_note": {"en": "Horizon reached: press Reset, or change a lever, to run again.",
                      "fr": "Horizon atteint : appuyez sur Réinitialiser, ou changez un levier, pour relancer."},
    # run controls (ours, not Mesa's English ones)
    "controls": {"en": "Run", "fr": "Simulation"},
    "play": {"en": "Play", "fr": "Lancer"},
    "pause": {"en": "Pause", "fr": "Pause"},
    "step": {"en": "Step", "fr": "Pas"},
    "reset": {"en": "Reset", "fr": "Réinitialiser"},
    "speed": {"en": "Speed", "fr": "Vitesse"},
    "speed_slow": {"en": "slow (4 months/s)", "fr": "lente (4 mois/s)"},
    "speed_normal": {"en": "normal (10 months/s)", "fr": "normale (10 mois/s)"},
    "speed_fast": {"en": "fast (25 months/s)", "fr": "rapide (25 mois/s)"},
    "preparing": {"en": "Preparing the model (first start compiles it)…",
                  "fr": "Préparation du modèle (le premier démarrage le compile)…"},
    "error_note": {"en": "Something went wrong; the run was stopped: {error}",
                   "fr": "Un problème est survenu ; la simulation a été arrêtée : {error}"},
    "seed_invalid": {"en": "The seed must be a whole number between 0 and {max}.",
                     "fr": "La graine doit être un nombre entier entre 0 et {max}."},
    "presenter": {"en": "Presenter view", "fr": "Vue présentateur"},
    "presenter_exit": {"en": "Leave presenter view", "fr": "Quitter la vue présentateur"},
    "previous": {"en": "Previous chart", "fr": "Graphique précédent"},
    "next": {"en": "Next chart", "fr": "Graphique suivant"},
    "predict": {"en": "Predict, then reveal", "fr": "Prédire, puis révéler"},
    "predict_hide": {"en": "Hide the outcomes", "fr": "Masquer les résultats"},
    "predict_hidden": {"en": "Outcomes hidden: what will happen? Note the room's prediction, then reveal.",
                       "fr": "Résultats masqués : que va-t-il se passer ? Notez la prédiction du groupe, puis "
                             "révélez."},
    "predict_trust": {"en": "Predicted final trust (0-1)", "fr": "Confiance finale prédite (0-1)"},
    "predict_value": {"en": "Predicted net value (PVU)", "fr": "Valeur nette prédite (UVP)"},
    "reveal": {"en": "Reveal", "fr": "Révéler"},
    "prediction": {"en": "prediction", "fr": "prédiction"},
    "prediction_vs": {"en": "Prediction {pred} · simulated {sim}", "fr": "Prédiction {pred} · simulé {sim}"},
    "prediction_vs_now": {"en": "Prediction {pred} · simulated {sim} at month {n}, the run goes on",
                          "fr": "Prédiction {pred} · simulé {sim} au mois {n}, la simulation continue"},
    "predict_bad_trust": {"en": "A number from 0 to 1, e.g. 0.6", "fr": "Un nombre de 0 à 1, par exemple 0,6"},
    "predict_bad_value": {"en": "A number, e.g. 1,200 or -350", "fr": "Un nombre, par exemple 1 200 ou -350"},
    "prediction_pending": {"en": "Prediction {pred} · not simulated yet: press ▶ Play or Step",
                           "fr": "Prédiction {pred} · pas encore simulé : appuyez sur ▶ Lancer ou Pas"},
    "meteo_note": {"en": "Weather: progress against a linear schedule, once the mission has started.",
                   "fr": "Météo : avancement par rapport à un calendrier linéaire, une fois la mission commencée."},
    "context": {"en": "Context", "fr": "Contexte"},
    "export": {"en": "Export", "fr": "Export"},
    "export_png": {"en": "Charts (PNG)", "fr": "Graphiques (PNG)"},
    "export_csv": {"en": "Monthly data (CSV)", "fr": "Données mensuelles (CSV)"},
    "export_missions": {"en": "Missions (CSV)", "fr": "Missions (CSV)"},
    "export_compare": {"en": "Comparison (CSV)", "fr": "Comparaison (CSV)"},
    "group_proactive": {"en": "Proactive governance", "fr": "Gouvernance proactive"},
    "group_open": {"en": "Open governance", "fr": "Gouvernance ouverte"},
    "group_resources": {"en": "Resources, HR and data", "fr": "Ressources, RH et données"},
    "group_other": {"en": "Other levers", "fr": "Autres leviers"},
    # status strip
    "month": {"en": "Month", "fr": "Mois"},
    "phase": {"en": "Phase", "fr": "Phase"},
    "cycle": {"en": "cycle", "fr": "cycle"},
    "net_value": {"en": "Cumulative net public value", "fr": "Valeur publique nette cumulée"},
    "trust": {"en": "Trust", "fr": "Confiance"},
    "participation": {"en": "Participation", "fr": "Participation"},
    "inclusion_gap": {"en": "Inclusion gap", "fr": "Écart d'inclusion"},
    "inclusion_gap_last_year": {"en": "Inclusion gap (mean of the last 12 months)",
                                "fr": "Écart d'inclusion (moyenne des 12 derniers mois)"},
    "budget_execution": {"en": "Budget execution", "fr": "Exécution budgétaire"},
    "budget_year": {"en": "This year's budget ceiling", "fr": "Plafond budgétaire de l'année"},
    "not_started": {"en": "Press ▶ Play or Step to start.", "fr": "Appuyez sur ▶ Lancer ou Pas pour démarrer."},
    # charts
    "status_title": {"en": "Where we are", "fr": "Où en est-on ?"},
    "timeline_title": {"en": "Phase timeline: work items", "fr": "Chronologie des phases : chantiers"},
    "value_title": {"en": "Public value by type: created vs destroyed (cumulative)",
                    "fr": "Valeur publique par type : créée vs détruite (cumul)"},
    "created": {"en": "created", "fr": "créée"},
    "destroyed": {"en": "destroyed", "fr": "détruite"},
    "net": {"en": "net", "fr": "nette"},
    "time_title": {"en": "Where the time goes (last 12 months, % of hours asked)",
                   "fr": "Où va le temps (12 derniers mois, % des heures demandées)"},
    "unmet": {"en": "unmet demand", "fr": "demande non satisfaite"},
    "social_title": {"en": "Trust, participation and inclusion gap",
                     "fr": "Confiance, participation et écart d'inclusion"},
    "grid_title": {"en": "Trajectory: proactivity × openness", "fr": "Trajectoire : proactivité × ouverture"},
    "proactivity": {"en": "proactivity", "fr": "proactivité"},
    "openness": {"en": "openness", "fr": "ouverture"},
    "q_reactive_closed": {"en": "reactive, closed", "fr": "réactif, fermé"},
    "q_proactive_closed": {"en": "proactive, closed", "fr": "proactif, fermé"},
    "q_reactive_open": {"en": "reactive, open", "fr": "réactif, ouvert"},
    "q_proactive_open": {"en": "proactive and open", "fr": "proactif et ouvert"},
    "missions_title": {"en": "Mission dashboard (means, realisations, effects, weather)",
                       "fr": "Tableau de bord des missions (moyens, réalisations, effets, météo)"},
    "mission": {"en": "Mission", "fr": "Mission"},
    "budget": {"en": "Budget (EUR M)", "fr": "Budget (M€)"},
    "means": {"en": "Means: budget spent", "fr": "Moyens : budget consommé"},
    "realisation": {"en": "Realisations: actions delivered", "fr": "Réalisations : actions livrées"},
    "delivered": {"en": "Delivered", "fr": "Livrées"},
    "actions": {"en": "Actions", "fr": "Actions"},
    "spent": {"en": "Spent (EUR M)", "fr": "Dépensé (M€)"},
    "progress": {"en": "Progress", "fr": "Avancement"},
    "effects": {"en": "Effects (PVU)", "fr": "Effets (UVP)"},
    "meteo": {"en": "Weather", "fr": "Météo"},
    "pvu": {"en": "PVU", "fr": "UVP"},
    "share_axis": {"en": "% / points", "fr": "% / points"},
    "now": {"en": "now", "fr": "maintenant"},
    "months_axis": {"en": "month", "fr": "mois"},
    "tab_live": {"en": "Live run", "fr": "Simulation en direct"},
    "tab_compare": {"en": "Compare", "fr": "Comparer"},
    # compare
    "compare_title": {"en": "Compare two governance settings (same seed)",
                      "fr": "Comparer deux modes de gouvernance (même graine)"},
    "compare_a": {"en": "Setting A", "fr": "Réglage A"},
    "compare_b": {"en": "Setting B", "fr": "Réglage B"},
    "compare_note": {"en": "Full {months}-month runs with seed {seed}; the dashed line is the other setting.",
                     "fr": "Simulations complètes sur {months} mois, graine {seed} ; en pointillé, l'autre réglage."},
    "compare_table": {"en": "Per-run summary", "fr": "Synthèse par simulation"},
    "indicator": {"en": "Indicator", "fr": "Indicateur"},
    "pv_created_total": {"en": "Value created", "fr": "Valeur créée"},
    "pv_destroyed_total": {"en": "Value destroyed", "fr": "Valeur détruite"},
    "pv_net_total": {"en": "Net value", "fr": "Valeur nette"},
    "final_trust": {"en": "Final trust", "fr": "Confiance finale"},
    "mean_participation": {"en": "Mean participation", "fr": "Participation moyenne"},
    "value_per_meur": {"en": "Net value per EUR M", "fr": "Valeur nette par M€"},
    "plateau_month": {"en": "Plateau from month", "fr": "Plateau à partir du mois"},
    "open_start_month": {"en": "Openness starts at month", "fr": "Ouverture au mois"},
    "implementation_month": {"en": "Implementation reached at month", "fr": "Mise en œuvre atteinte au mois"},
    "cum_value_title": {"en": "Cumulative net public value", "fr": "Valeur publique nette cumulée"},
}

PHASES = {
    "launch": {"en": "launch", "fr": "lancement"},
    "planning": {"en": "planning", "fr": "planification"},
    "implementation": {"en": "implementation", "fr": "mise en œuvre"},
    "evaluation": {"en": "evaluation", "fr": "évaluation"},
}

VALUE_TYPES = {
    "economic": {"en": "economic", "fr": "économique"},
    "political": {"en": "political", "fr": "politique"},
    "social": {"en": "social", "fr": "sociale"},
    "strategic": {"en": "strategic", "fr": "stratégique"},
    "quality_of_life": {"en": "quality of life", "fr": "qualité de vie"},
    "ideological": {"en": "ideological", "fr": "idéologique"},
    "stewardship": {"en": "stewardship", "fr": "intendance"},
}

ROLES = {
    "elected": {"en": "elected officials", "fr": "élus"},
    "directors": {"en": "directors", "fr": "directeurs"},
    "staff": {"en": "operational staff", "fr": "agents"},
}

ACTIVITIES = {
    "steering": {"en": "steering", "fr": "pilotage"},
    "open_governance": {"en": "open governance", "fr": "gouvernance ouverte"},
    "delivery": {"en": "delivery", "fr": "réalisation"},
    "evaluation": {"en": "evaluation", "fr": "évaluation"},
    "training": {"en": "training", "fr": "formation"},
}

METEO = {
    "sunny": {"en": "☀️ sunny", "fr": "☀️ ensoleillé"},
    "cloudy": {"en": "⛅ cloudy", "fr": "⛅ nuageux"},
    "rainy": {"en": "🌧️ rainy", "fr": "🌧️ pluvieux"},
    "stormy": {"en": "⛈️ stormy", "fr": "⛈️ orageux"},
    "not_started": {"en": "⏳ not started", "fr": "⏳ pas commencée"},
}

SCENARIOS = {
    "angers": {"en": "Angers (case)", "fr": "Angers (cas)"},
    "mulhouse": {"en": "Mulhouse (case)", "fr": "Mulhouse (cas)"},
    "biarritz": {"en": "Biarritz (case)", "fr": "Biarritz (cas)"},
    "global": {"en": "Global: structure first", "fr": "Global : la structure d'abord"},
    "incremental": {"en": "Incremental", "fr": "Incrémental"},
    "technocentric": {"en": "Technocentric", "fr": "Technocentré"},
    "open_with_resources": {"en": "Open from the start, with resources",
                            "fr": "Ouvert dès le départ, avec des moyens"},
    "open_without_resources": {"en": "Open from the start, without resources",
                               "fr": "Ouvert dès le départ, sans moyens"},
}

CHOICES = {
    "launch": {"en": "at launch", "fr": "dès le lancement"},
    "structure_first": {"en": "structure first", "fr": "la structure d'abord"},
    "never": {"en": "never", "fr": "jamais"},
}

ITEMS = {
    "vision": {"fr": "Pré-vision partagée : vision et veille"},
    "proactive_bodies": {"fr": "Leadership partagé et instances internes (COPIL, groupes de travail)"},
    "open_bodies": {"fr": "Parties prenantes embarquées, instances de co-construction, communication"},
    "diagnosis_360": {"fr": "Diagnostic à 360° : usages et besoins, système d'information, capacité d'innovation"},
    "global_ambition": {"fr": "Ambition globale : thème fédérateur, types de valeur publique, principes numériques"},
    "segmentation": {"fr": "Segmentation en missions et actions, alignée sur les autres plans"},
    "prioritisation": {"fr": "Priorisation et calendrier : court, moyen, long terme"},
    "pilots": {"fr": "Pilotes et structures responsables"},
    "resource_allocation": {"fr": "Ressources allouées : financières, humaines, SI, externes (faire / faire-faire / "
                                  "laisser-faire)"},
    "organisational_alignment": {"fr": "Stratégie alignée sur l'organisation : projets de service, changement"},
    "ecosystem_alignment": {"fr": "Collectivité alignée avec les acteurs externes : écosystème, co-production"},
    "shared_indicators": {"fr": "Indicateurs partagés de moyens, de réalisations et d'effets"},
    "reporting": {"fr": "Communication : tableaux de bord et rapports d'activité"},
    "learning_evaluation": {"fr": "Évaluation de l'apprentissage organisationnel : appropriation, routinisation"},
}

MISSIONS = {
    "si_foundation": {"en": "IT foundation", "fr": "Socle SI"},
    "control_centre": {"en": "Control centre", "fr": "Centre de supervision"},
    "public_lighting": {"en": "Public lighting", "fr": "Éclairage public"},
    "buildings": {"en": "Buildings", "fr": "Bâtiments"},
    "green_spaces": {"en": "Green spaces", "fr": "Espaces verts"},
    "waste": {"en": "Waste", "fr": "Déchets"},
    "digital_twin": {"en": "Digital twin", "fr": "Jumeau numérique"},
    "quarter_hour": {"en": "Quarter-hour city services", "fr": "Services de la ville du quart d'heure"},
    "energy_green": {"en": "Energy and green spaces", "fr": "Énergie et espaces verts"},
    "proximity": {"en": "Local services", "fr": "Services de proximité"},
    "resident_app": {"en": "Interactive app for residents", "fr": "Application interactive pour les habitants"},
    "seasonal_flows": {"en": "Seasonal flows and information", "fr": "Flux saisonniers et information"},
    "open_data": {"en": "Open data", "fr": "Données ouvertes"},
    "services": {"en": "Local digital services", "fr": "Services numériques de proximité"},
    "infrastructure": {"en": "Infrastructure optimisation", "fr": "Optimisation des infrastructures"},
}

# Levers: label (short) and meaning in French; English comes from the registry itself.
LEVERS = {
    "leader_time_share": ("Temps des décideurs", "Part des heures non routinières des élus et directeurs "
                          "réservée à la politique VTI."),
    "copil_per_year": ("COPIL par an", "Réunions par an du comité de pilotage (COPIL) ; chacune coûte environ "
                       "3 h à ses participants, préparation comprise."),
    "working_groups": ("Groupes de travail", "Groupes de travail internes transversaux, réunis chaque mois "
                       "(1 directeur + 4 agents, 2 h)."),
    "open_bodies": ("Instances ouvertes", "Instances de co-construction : COPIL élargi, commissions thématiques, "
                    "conseils de quartier."),
    "open_meetings_per_year": ("Réunions ouvertes par an", "Réunions par an de chaque instance de "
                               "co-construction (3 h pour élus, directeurs et animateurs)."),
    "participatory_share": ("Décisions participatives", "Part des décisions (chantiers et actions) prises par "
                            "consultation ou co-décision."),
    "information_sharing": ("Partage d'information", "Ce qui est partagé avec habitants et partenaires : "
                            "tableaux de bord, données ouvertes, explication des incidents."),
    "co_evaluation": ("Co-évaluation", "Degré d'évaluation menée avec les parties prenantes et les habitants."),
    "digital_mediation": ("Médiation numérique", "Médiation numérique offerte aux habitants (conseillers, « réseau "
                          "de solidarité numérique »), quel que soit le mode de gouvernance ; coûte des heures "
                          "d'agents par quartier."),
    "openness_start": ("Début de l'ouverture", "Quand la gouvernance ouverte démarre : dès le lancement, une fois "
                       "le socle mature (« la structure d'abord ») ou jamais."),
    "structure_first_threshold": ("Seuil « structure d'abord »", "Maturité du socle à partir de laquelle une "
                                  "stratégie « la structure d'abord » s'ouvre."),
    "facilitation_fte": ("Animation", "Personnel dédié à la gouvernance ouverte (animation, gestion des "
                         "partenariats) ; utilisable seulement pour elle."),
    "training_hours_per_year": ("Formation numérique", "Heures de formation numérique par agent et par an."),
    "hr_support": ("Accompagnement RH", "Accompagnement RH et conduite du changement des métiers transformés "
                   "par le numérique."),
    "data_culture": ("Culture de la donnée", "Culture interne de partage et de mise à jour des données "
                     "(« réflexe de mutualiser la donnée »)."),
    "annual_budget_meur": ("Budget annuel VTI", "Budget VTI annuel avant l'effet de la légitimité."),
    "investment_share": ("Part d'investissement", "Part du budget annuel en investissement (le reste en "
                         "fonctionnement : licences, maintenance)."),
    "outsourcing_share": ("Part externalisée", "Part des actions réalisées par des opérateurs économiques plutôt "
                          "qu'en régie (« faire »)."),
    "let_do_share": ("Part « laisser-faire »", "Parmi les actions externalisées, part laissée aux opérateurs "
                     "(« laisser-faire ») plutôt que contractualisée (« faire-faire »)."),
}

UNITS = {
    "share of free hours": "part des heures libres",
    "meetings/year": "réunions/an",
    "groups": "groupes",
    "bodies": "instances",
    "share of decisions": "part des décisions",
    "index 0-1": "indice 0-1",
    "maturity 0-1": "maturité 0-1",
    "FTE": "ETP",
    "h/staff/year": "h/agent/an",
    "EUR M/year": "M€/an",
    "share": "part",
    "share of actions": "part des actions",
    "share of outsourced": "part de l'externalisé",
    "choice": "choix",
}

# French scenario descriptions (English: the scenario file's own description)
SCENARIO_DESCRIPTIONS = {
    "angers": "Angers Loire Métropole : un programme global, « la structure d'abord », sur le thème de la qualité "
              "de vie et de la transition écologique ; six missions et 93,6 M€ de lignes de programme (outil de "
              "pilotage : Carassus et Frucquet, 2024), un jumeau numérique pour les îlots de chaleur et le risque "
              "d'inondation (Frucquet et al., 2023).",
    "biarritz": "Biarritz : une relation de proximité renouvelée par une application interactive pour les habitants "
                "(signalements, suivi des demandes, consultations ciblées), dans une petite ville dont la population "
                "varie fortement avec les saisons (Frucquet et al., 2023).",
    "global": "Trajectoire globale (Data Publica & KPMG 2021) : un programme multi-missions lancé d'un coup, piloté "
              "au plus haut niveau, la gouvernance ouverte étant reportée jusqu'à ce que le socle technologique "
              "soit solide (« la structure d'abord » : Frucquet, 2024, §3.6).",
    "incremental": "Trajectoire incrémentale (Data Publica & KPMG 2021) : commencer par une seule fonction, ici les "
                   "données ouvertes, avec un petit budget et un pilotage léger, puis élargir quand cela fonctionne.",
    "mulhouse": "Mulhouse « Ville des Intelligences » : sur le thème de la ville du quart d'heure, avec l'ambition de "
                "faire de son jumeau numérique une plateforme urbaine collaborative (Frucquet et al., 2023) ; "
                "gouvernance ouverte pratiquée, d'abord en interne puis avec les acteurs du territoire.",
    "open_with_resources": "Ouvert dès le départ, avec des moyens : instances de co-construction, décisions "
                           "participatives et co-évaluation dès le lancement, appuyées par des animateurs dédiés et "
                           "davantage de temps des décideurs (recommandation de Frucquet, 2024, et Frucquet et "
                           "al., 2023 : « penser la gouvernance ouverte dès le début des projets, en la dotant des "
                           "ressources appropriées »).",
    "open_without_resources": "Ouvert dès le départ, sans moyens : la même ambition d'ouverture, mais sans "
                              "animateurs dédiés ni temps supplémentaire des décideurs (la tension sur les "
                              "ressources : Frucquet, 2024, §3.6 ; Frucquet et al., 2023).",
    "technocentric": "Pilotage technocentré : une gouvernance proactive forte au plus haut niveau (temps des "
                     "décideurs, COPIL, groupes de travail) et une technologie livrée par des opérateurs, mais "
                     "l'ouverture ne démarre jamais (le quadrant fermé de la grille proactivité × ouverture de "
                     "Carassus & Baldé, 2020).",
}

_TABLES = {"ui": UI, "phase": PHASES, "value": VALUE_TYPES, "role": ROLES, "activity": ACTIVITIES,
           "meteo": METEO, "scenario": SCENARIOS, "choice": CHOICES, "item": ITEMS, "mission": MISSIONS}


def t(key: str, lang: str = DEFAULT_LANG, table: str = "ui", default: str | None = None, **fmt) -> str:
    """The label of ``key`` in ``lang`` (fallback: English, then ``default``, then the key)."""
    entry = _TABLES[table].get(key, {})
    text = entry.get(lang) or entry.get("en") or (default if default is not None else key)
    return text.format(**fmt) if fmt else text


NNBSP = "\u202f"  # narrow no-break space: French thousands separator and the space before % (typography)


def num(x: float, lang: str, nd: int = 1) -> str:
    """``x`` with ``nd`` decimals in the locale: ``2 500,5`` in French (thin-space thousands), ``2,500.5`` in English.
    """
    v = round(float(x), nd) + 0.0  # + 0.0: no "-0"
    s = f"{v:,.{nd}f}"
    return s.replace(",", NNBSP).replace(".", ",") if lang == "fr" else s


_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")  # spaces that group thousands (typed, or copied from the page)


def parse_number(text: str, lang: str) -> float | None:
    """A number typed in ``lang``'s way, or None.  French: ``1 200,5`` (a decimal point is taken too: ``0.7``);
    English: ``1,200.5``.  Spaces, and the thin spaces the page itself writes, group thousands in either."""
    s = str(text).strip().translate(_SPACES).replace("\u2212", "-")  # U+2212: the typographic minus
    if lang == "fr":
        s = s.replace(".", "").replace(",", ".") if "," in s else s
    elif "," in s:
        s = s.replace(",", "") if "." in s or re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", s) else s.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", s):
        return None
    return float(s)


def pct(x: float, lang: str, nd: int = 0) -> str:
    """A share as a percentage: ``45 %`` in French, ``45%`` in English."""
    return num(100 * float(x), lang, nd) + (NNBSP + "%" if lang == "fr" else "%")


def csv_format(lang: str) -> dict[str, str]:
    """pandas ``to_csv`` arguments that the locale's spreadsheet opens as columns (French Excel: ``;`` and ``,``)."""
    return {"sep": ";", "decimal": ","} if lang == "fr" else {"sep": ",", "decimal": "."}


# English descriptions for the room, where the scenario file's own text cites the seeds by their short names (the
# project's convention, docs/SOURCES.md) or names another scenario by its identifier.
SCENARIO_DESCRIPTIONS_EN = {
    "angers": "Angers Loire Métropole: a global, structure-first programme themed on quality of life and ecological "
              "transition; six missions with EUR 93.6M of programme lines (steering tool: Carassus and Frucquet, "
              "2024), a digital twin for heat islands and flood risk (Frucquet et al., 2023).",
    "biarritz": "Biarritz: renewed proximity relations through an interactive resident app (reporting problems, "
                "tracking requests, targeted consultations), in a small city whose population varies strongly with "
                "the seasons (Frucquet et al., 2023).",
    "global": "Global trajectory (Data Publica & KPMG 2021): a multi-mission programme launched at once, steered from "
              "the top, with open governance deferred until the technological foundation is solid ('structure "
              "first': Frucquet, 2024, §3.6).",
    "mulhouse": "Mulhouse 'Ville des Intelligences': themed on the quarter-hour city, with the ambition of making its "
                "digital twin a collaborative urban platform (Frucquet et al., 2023); open governance practised, "
                "first internally then with territorial actors.",
    "open_with_resources": "Open from the start, with resources: co-construction bodies, participatory decisions "
                           "and co-evaluation from launch, backed by dedicated facilitation staff and more of the "
                           "leaders' time (the recommendation of Frucquet, 2024, and Frucquet et al., 2023: 'think "
                           "of open governance from the start of projects, with the resources it needs').",
    "open_without_resources": "Open from the start, without resources: the same open-governance ambition as 'open "
                              "from the start, with resources', but no dedicated facilitation staff and no more of "
                              "the leaders' time (the resource tension: Frucquet, 2024, §3.6; Frucquet et al., "
                              "2023).",
}


def scenario_description(name: str, lang: str, english: str) -> str:
    """The scenario's description in ``lang`` (English: the scenario file's own text unless it cites seeds)."""
    return (SCENARIO_DESCRIPTIONS if lang == "fr" else SCENARIO_DESCRIPTIONS_EN).get(name, english)


# Levers' short labels in English (the registry's names are identifiers: "facilitation_fte").
LEVERS_EN = {
    "leader_time_share": "Leaders' time", "copil_per_year": "Steering committees a year",
    "working_groups": "Working groups", "open_bodies": "Open bodies", "open_meetings_per_year": "Open meetings a year",
    "participatory_share": "Participatory decisions", "information_sharing": "Information sharing",
    "co_evaluation": "Co-evaluation", "openness_start": "When openness starts",
    "structure_first_threshold": "\"Structure first\" threshold", "facilitation_fte": "Facilitation staff",
    "training_hours_per_year": "Digital training", "hr_support": "HR support", "data_culture": "Data culture",
    "annual_budget_meur": "Annual smart-city budget", "investment_share": "Investment share",
    "outsourcing_share": "Outsourced share", "let_do_share": "\"Let them do it\" share",
    "digital_mediation": "Digital mediation",
}


def lever_label(param, lang: str) -> str:
    """Slider label with its unit, e.g. ``Budget annuel VTI (M€/an)``."""
    if lang == "fr" and param.name in LEVERS:
        name, unit = LEVERS[param.name][0], UNITS.get(param.unit, param.unit)
    else:
        name, unit = LEVERS_EN.get(param.name, param.name.replace("_", " ").capitalize()), param.unit
    return name if param.dtype == "choice" else f"{name} ({unit})"


def lever_doc(param, lang: str) -> str:
    """Tooltip text: the lever's meaning (French translation when there is one)."""
    if lang == "fr" and param.name in LEVERS:
        return LEVERS[param.name][1]
    return param.doc
