"""Build the demo barometer questionnaires (2017, 2018 and a trimmed 2026) as XLSForm files.

    .venv/bin/python -m observatoire.lib.xlsform.demo.build_demo

writes barometre-2017.xlsx, barometre-2018.xlsx and barometre-2026.xlsx beside this file. Those
files are the documents staff open in a spreadsheet; this script is their readable source.
The 2017 variant is ours (the slides show only 2018): it gives the demo's trends a question
renamed in 2018 (`connaissance_civic_tech` → `civic_tech`), an option added in 2018
(`cartographie`) and a question reworded beyond comparison (`projet_dispositif` →
`nouveaux_dispositifs`). Questions and
answer scales come from the 2018 results presented at the Forum des Interconnectés (Lyon,
4 December 2018). Lists the slides do not show are marked "reconstructed" below and in
docs/xlsform.md; the real questionnaire had 32 questions and a fiche-dispositif of 71 data
points, this one keeps about 25 of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..writer import write_workbook

FR = "Français (fr)"
EN = "English (en)"
HERE = Path(__file__).resolve().parent

Row = dict[str, str]


def q(kind: str, name: str, fr: str = "", en: str = "", **columns: str) -> Row:
    """One survey row. Keyword columns: hint=(fr, en) pairs are written as hint_fr / hint_en."""
    row = {"type": kind, "name": name}
    if fr:
        row[f"label::{FR}"] = fr
    if en:
        row[f"label::{EN}"] = en
    for key, value in columns.items():
        base, _, language = key.rpartition("_")
        if language in ("fr", "en") and base in ("hint", "constraint_message", "required_message"):
            row[f"{base}::{FR if language == 'fr' else EN}"] = value
        else:
            row[key] = value
    return row


def begin(kind: str, name: str, fr: str, en: str, **columns: str) -> Row:
    return q(f"begin_{kind}", name, fr, en, **columns)


def end(kind: str, name: str) -> Row:
    return {"type": f"end_{kind}", "name": name}


def other(name: str, of: str) -> Row:
    """ "Autre (veuillez préciser)": a text question shown when the choice `autre` is selected."""
    return q(
        "text",
        name,
        "Autre : veuillez préciser",
        "Other: please specify",
        relevant=f"selected(${{{of}}}, 'autre')",
        required="yes",
    )


def exclusive(choice: str) -> dict[str, str]:
    """Constraint columns for a select_multiple whose `choice` excludes every other one."""
    return {
        "constraint": f"not(selected(., '{choice}') and count-selected(.) > 1)",
        "constraint_message_fr": "Cette réponse ne peut pas être combinée avec une autre.",
        "constraint_message_en": "This answer cannot be combined with another one.",
    }


# --- Choice lists -------------------------------------------------------------------------------

YES_NO = [("oui", "Oui", "Yes"), ("non", "Non", "No")]

# Reconstructed from the observatory's scope (the slides only show "Les répondants 2018").
TERRITORY_KINDS = [
    ("commune", "Commune", "Municipality"),
    ("intercommunalite", "Intercommunalité (EPCI)", "Inter-municipal body (EPCI)"),
    ("metropole", "Métropole", "Metropolis"),
    ("departement", "Département", "Département"),
    ("region", "Région", "Region"),
    ("autre", "Autre (veuillez préciser)", "Other (please specify)"),
]
# Reconstructed from the 2018 mailing targets (elected officials, general managers, agents).
ROLES = [
    ("elu", "Élu·e", "Elected official"),
    ("direction_generale", "Direction générale", "General management"),
    ("agent_numerique", "Agent en charge du numérique", "Officer in charge of digital"),
    (
        "agent_citoyennete",
        "Agent en charge de la participation ou de la citoyenneté",
        "Officer in charge of participation or citizenship",
    ),
    ("agent_communication", "Agent en charge de la communication", "Communication officer"),
    ("autre", "Autre (veuillez préciser)", "Other (please specify)"),
]
# Reconstructed from the cartography's kinds of schemes (information, mobilisation, co-production).
SCHEMES = [
    (
        "plateforme_consultation",
        "Plateforme de consultation ou de concertation en ligne",
        "Online consultation platform",
    ),
    ("budget_participatif", "Budget participatif en ligne", "Online participatory budget"),
    ("petition", "Pétitions ou interpellations en ligne", "Online petitions or questions"),
    ("signalement", "Application de signalement", "Reporting app"),
    ("open_data", "Portail open data", "Open data portal"),
    ("cartographie", "Cartographie participative", "Participatory mapping"),
    ("vote", "Vote ou sondage en ligne", "Online vote or poll"),
    ("aucun", "Aucun dispositif", "No scheme"),
    ("autre", "Autre (veuillez préciser)", "Other (please specify)"),
]
# From the slide "Avez-vous été/serez-vous accompagnés...".
PARTNERS = [
    ("non", "Non", "No"),
    ("associations", "Oui, des associations ou collectifs locaux", "Yes, local associations"),
    (
        "grands_groupes",
        "Oui, des grands groupes urbains ou délégataires de services",
        "Yes, large urban services companies or concession holders",
    ),
    (
        "startups",
        "Oui, des start-ups du numérique ou des civic tech",
        "Yes, digital or civic tech start-ups",
    ),
    (
        "conseil_participation",
        "Oui, des structures de conseil en participation citoyenne",
        "Yes, citizen participation consultancies",
    ),
    (
        "prestataires_informatiques",
        "Oui, des prestataires informatiques / développeurs",
        "Yes, IT providers / developers",
    ),
    (
        "autres_collectivites",
        "Oui, d'autres collectivités (pour échanger des retours d'expérience ou mutualiser)",
        "Yes, other local governments (to share experience or pool resources)",
    ),
    ("recherche", "Oui, une institution de recherche / université", "Yes, a research body"),
    (
        "experts_independants",
        "Oui, des experts ou consultants indépendants",
        "Yes, independent experts or consultants",
    ),
    (
        "autre",
        "Oui, un autre type de partenaire (veuillez préciser)",
        "Yes, another kind of partner (please specify)",
    ),
]
# From the slide "Les moyens (2) - Budget".
BUDGET_BRACKETS = [
    ("0", "0 €", "€0"),
    ("moins_1k", "Moins de 1 000 €", "Less than €1,000"),
    ("1k_5k", "Entre 1 000 et 5 000 €", "€1,000 to €5,000"),
    ("5k_10k", "Entre 5 000 et 10 000 €", "€5,000 to €10,000"),
    ("10k_50k", "Entre 10 000 et 50 000 €", "€10,000 to €50,000"),
    ("50k_100k", "Entre 50 000 et 100 000 €", "€50,000 to €100,000"),
    ("100k_200k", "Entre 100 000 et 200 000 €", "€100,000 to €200,000"),
    ("200k_500k", "Entre 200 000 et 500 000 €", "€200,000 to €500,000"),
    ("500k_1m", "Entre 500 000 € et 1 million €", "€500,000 to €1 million"),
    ("plus_1m", "Plus de 1 million €", "More than €1 million"),
    ("nsp", "Impossible à estimer / ne sait pas", "Impossible to estimate / don't know"),
]
# The five-point scale of both Likert grids of the 2018 results.
LIKERT = [
    ("tout_a_fait", "Oui, tout à fait", "Yes, absolutely"),
    ("plutot", "Oui, plutôt", "Yes, rather"),
    ("pas_vraiment", "Non, pas vraiment", "No, not really"),
    ("pas_du_tout", "Non, pas du tout", "No, not at all"),
    ("nsp", "Ne sait pas", "Don't know"),
]
# From the slide "Comment vous renseignez-vous sur les questions de démocratie numérique ?".
SOURCES = [
    (
        "presse",
        "Par la presse (nationale ou locale, généraliste ou spécialisée)",
        "Through the press (national or local, general or specialised)",
    ),
    (
        "publications",
        "Par des publications spécialisées de think-tanks, d'associations ou d'agences "
        "(Décider ensemble, ICPC, CEREMA...)",
        "Through specialised publications of think tanks, associations or agencies",
    ),
    (
        "consultants",
        "Auprès de consultants et d'experts qui accompagnent la collectivité",
        "From consultants and experts working with the local government",
    ),
    (
        "formations",
        "Par des formations professionnelles (CNFPT, autres...)",
        "Through professional training (CNFPT, others...)",
    ),
    (
        "reseaux",
        "Par la participation à des réseaux d'échange entre collectivités "
        "(Interconnectés, Villes Internet, ADCF, AMF...)",
        "Through networks of local governments (Interconnectés, Villes Internet, ADCF, AMF...)",
    ),
    ("autre", "Autre (veuillez préciser)", "Other (please specify)"),
]
# From the two "Avez-vous déjà entendu parler de..." slides.
AWARENESS = [
    ("oui_clair", "Oui, et vous voyez bien ce dont il s'agit", "Yes, and I know what it means"),
    (
        "oui_flou",
        "Oui, mais vous ne voyez pas bien ce dont il s'agit",
        "Yes, but I am not sure what it means",
    ),
    ("non", "Non", "No"),
]
# Reconstructed: the cartography's three main objectives of a technology.
FUNCTIONS = [
    ("information", "Informer", "Inform"),
    ("mobilisation", "Mobiliser", "Mobilise"),
    ("coproduction", "Co-produire", "Co-produce"),
]
# Reconstructed: "effect on decisions" is a cost-and-impact dimension of the observatory.
EFFECTS = [
    ("aucun", "Aucun effet", "No effect"),
    ("faible", "Un effet faible", "A small effect"),
    ("moyen", "Un effet notable", "A noticeable effect"),
    ("fort", "Un effet fort", "A strong effect"),
    ("nsp", "Ne sait pas", "Don't know"),
]

# From the slide "Selon vous, les outils numériques ... peuvent contribuer à :" (9 items).
CONTRIBUTIONS = [
    (
        "transparence",
        "Renforcer la transparence de l'action publique",
        "Make public action more transparent",
    ),
    (
        "qualite_decisions",
        "Améliorer la qualité des décisions en bénéficiant de l'expertise citoyenne",
        "Improve decisions with citizens' expertise",
    ),
    (
        "adhesion",
        "Améliorer l'adhésion des citoyens aux décisions",
        "Improve citizens' support for decisions",
    ),
    (
        "nouveaux_publics",
        "Atteindre des publics qui ne participent pas actuellement",
        "Reach people who do not take part today",
    ),
    (
        "valoriser",
        "Mieux faire connaître et valoriser le travail de la collectivité",
        "Make the local government's work better known",
    ),
    (
        "efficacite",
        "Renforcer l'efficacité de l'action publique",
        "Make public action more effective",
    ),
    ("evaluer", "Évaluer l'action publique", "Evaluate public action"),
    (
        "confiance",
        "Augmenter la confiance des citoyens dans l'action publique",
        "Increase citizens' trust in public action",
    ),
    (
        "engagement",
        "Augmenter l'engagement des citoyens dans l'action publique",
        "Increase citizens' engagement in public action",
    ),
]
# From the slide "Quels étaient/sont vos objectifs lors de la mise en place d'outils numériques
# de participation ?" (14 items). Four labels are cut on the slide ("…"): their ends, marked
# "(completed)", are ours.
OBJECTIVES = [
    (
        "participants",
        "Augmenter le nombre de citoyens participants",
        "Increase the number of participants",
    ),
    (
        "publics_specifiques",
        "Toucher des publics spécifiques (précaires, jeunes, peu engagés, autres…)",
        "Reach specific groups (disadvantaged, young, disengaged, others…)",
    ),
    (
        "contributions",
        "Augmenter la fréquence / la quantité de contributions",
        "Increase the frequency / number of contributions",
    ),
    (
        "expression",
        "Fournir un espace d'expression pour les citoyens",
        "Give citizens a space to speak",
    ),
    (
        "debat",
        "Fournir un espace neutre pour le débat d'idées et la discussion",
        "Provide a neutral space for debate",
    ),
    (
        "avis",  # completed
        "Recueillir l'avis et les préférences des citoyens pour améliorer l'action publique",
        "Collect citizens' views and preferences to improve public action",
    ),
    (
        "faire_connaitre",
        "Mieux faire connaître les actions ou projets de la collectivité",
        "Make the local government's actions or projects better known",
    ),
    (
        "transparence_decisions",
        "Renforcer la transparence des décisions publiques",
        "Make public decisions more transparent",
    ),
    (
        "adhesion_projets",  # completed
        "Favoriser l'adhésion de la population aux actions ou projets de la collectivité",
        "Build support for the local government's actions or projects",
    ),
    (
        "production_informations",  # completed
        "Faciliter la production d'informations par les citoyens (données brutes ou signalements)",
        "Help citizens produce information (raw data or reports)",
    ),
    (
        "idees",
        "Faire émerger de nouvelles idées ou propositions",
        "Bring out new ideas or proposals",
    ),
    (
        "modernite",
        "Innover et mettre en valeur la modernité de la collectivité",
        "Innovate and show the local government is modern",
    ),
    ("ludique", "Expérimenter avec un outil ludique, attractif", "Try a playful, attractive tool"),
    (
        "outil_neutre",  # completed
        "Mettre en place un outil neutre qui n'est pas associé à la collectivité par les citoyens",
        "Use a neutral tool that citizens do not associate with the local government",
    ),
]
# From the slide "Selon vous, afin de renforcer la démocratie locale numérique, il faudrait
# aujourd'hui :" (10 items, scored 0 to 8).
NEEDS = [
    (
        "acces_outils_donnees",
        "Faciliter l'accès aux outils et aux données pour une montée en compétence des citoyens",
        "Ease access to tools and data so that citizens build skills",
    ),
    (
        "sensibilisation",
        "Une sensibilisation des élus et agents sur l'existence et l'intérêt de ces dispositifs",
        "Raise awareness of these schemes among elected officials and staff",
    ),
    (
        "formation",
        "Une formation des élus et des agents sur les données ou les dispositifs numériques",
        "Train elected officials and staff on data and digital schemes",
    ),
    (
        "presentiel",
        "(Mieux) articuler le numérique et les réunions / actions en « présentiel »",
        "(Better) combine digital tools with face-to-face meetings",
    ),
    (
        "strategie",
        "Une stratégie globale de la collectivité qui inclue le numérique de manière transversale",
        "A global strategy that includes digital across all services",
    ),
    (
        "budgets",
        "Des budgets plus importants dédiés à la citoyenneté numérique",
        "Larger budgets for digital citizenship",
    ),
    (
        "visibilite",
        "Une meilleure visibilité et communication sur les dispositifs auprès des citoyens",
        "Better visibility of the schemes among citizens",
    ),
    (
        "retours_experience",
        "Un meilleur partage des retours d'expérience des collectivités ayant déjà expérimenté "
        "ces dispositifs",
        "Better sharing of experience between local governments",
    ),
    (
        "evaluation",
        "Une évaluation plus précise (quantitative et qualitative) des impacts de ces dispositifs",
        "A more precise (quantitative and qualitative) evaluation of their impacts",
    ),
    (
        "mediation",
        "L'accompagnement des usages, une médiation numérique pour les publics qui en sont éloignés",
        "Support and digital mediation for people far from digital tools",
    ),
]

USES_SCHEMES = "count-selected(${dispositifs}) > 0 and not(selected(${dispositifs}, 'aucun'))"


def _grid(name: str, fr: str, en: str, items: list[tuple[str, str, str]], prefix: str) -> list[Row]:
    rows = [begin("group", name, fr, en, appearance="table-list")]
    rows += [
        q("select_one likert", f"{prefix}_{key}", lab_fr, lab_en) for key, lab_fr, lab_en in items
    ]
    return [*rows, end("group", name)]


def _plans(edition: int) -> Row:
    """The question on future schemes: reworded in 2018 and again in 2026."""
    if edition < 2018:
        # So unlike 2018's question that the demo links the two as not comparable.
        return q(
            "select_one oui_non",
            "projet_dispositif",
            "Votre collectivité a-t-elle engagé une réflexion sur la participation citoyenne "
            "en ligne ?",
            "Has your local government started thinking about online citizen participation?",
        )
    if edition == 2018:
        return q(
            "select_one oui_non",
            "nouveaux_dispositifs",
            f"Prévoyez-vous de nouveaux dispositifs en {edition + 1} ?",
            f"Do you plan new schemes in {edition + 1}?",
        )
    return q(
        "select_one oui_non",
        "nouveaux_dispositifs",
        "Prévoyez-vous de mettre en place de nouveaux dispositifs dans les douze prochains mois ?",
        "Do you plan to set up new schemes in the next twelve months?",
    )


def _from_unit(edition: int, attribute: str) -> dict[str, str]:
    """The `unit_default` column (docs/xlsform.md): pre-filled from the respondent's unit."""
    return {"unit_default": attribute} if edition >= 2026 else {}


def survey_rows(edition: int) -> list[Row]:
    rows: list[Row] = [
        begin("group", "accueil", "Bienvenue", "Welcome", appearance="field-list"),
        q(
            "note",
            "presentation",
            f"Le baromètre {edition} de la démocratie locale numérique interroge les collectivités "
            "sur leur stratégie et leurs dispositifs de participation en ligne. Comptez 15 minutes.",
            f"The {edition} barometer of local digital democracy asks local governments about "
            "their strategy and online participation schemes. It takes about 15 minutes.",
        ),
        end("group", "accueil"),
        # Respondent profile.
        begin(
            "group",
            "profil",
            "Votre collectivité",
            "Your local government",
            appearance="field-list",
        ),
        q(
            "text",
            "nom_collectivite",
            "Nom de la collectivité",
            "Name of the local government",
            required="yes",
            # From 2026 the answers start from the sampling frame: ask nothing the frame knows.
            **_from_unit(edition, "name"),
        ),
        q(
            "select_one type_collectivite",
            "type_collectivite",
            "Type de collectivité",
            "Kind of local government",
            required="yes",
            **_from_unit(edition, "kind"),
        ),
        other("type_collectivite_autre", "type_collectivite"),
        q("select_one fonction", "fonction", "Votre fonction", "Your role", required="yes"),
        other("fonction_autre", "fonction"),
        end("group", "profil"),
        # Schemes in use.
        begin(
            "group", "dispositifs_page", "Vos dispositifs", "Your schemes", appearance="field-list"
        ),
        q(
            "select_multiple dispositifs",
            "dispositifs",
            "Quels dispositifs de participation numérique votre collectivité utilise-t-elle ?",
            "Which digital participation schemes does your local government use?",
            hint_fr="Plusieurs réponses possibles.",
            hint_en="Several answers allowed.",
            required="yes",
            **exclusive("aucun"),
        ),
        other("dispositifs_autre", "dispositifs"),
        _plans(edition),
        q(
            "select_multiple partenaires",
            "accompagnement",
            "Avez-vous été / serez-vous accompagnés par un cabinet ou des personnes extérieures "
            "pour mettre en place ces dispositifs ?",
            "Were / will you be supported by a firm or outside people to set up these schemes?",
            hint_fr="Plusieurs réponses possibles.",
            hint_en="Several answers allowed.",
            relevant=USES_SCHEMES,
            **exclusive("non"),
        ),
        other("accompagnement_autre", "accompagnement"),
        end("group", "dispositifs_page"),
        # Means.
        begin("group", "moyens", "Vos moyens", "Your means", appearance="field-list"),
        q(
            "decimal",
            "etp",
            "Combien de personnes (en équivalent temps plein, ETP) travaillent sur la "
            "participation numérique ?",
            "How many staff (full-time equivalent, FTE) work on digital participation?",
            hint_fr="Par exemple 0,5 pour un mi-temps.",
            hint_en="For instance 0.5 for a half-time post.",
            constraint=". >= 0 and . <= 500",
            constraint_message_fr="Saisissez un nombre d'ETP entre 0 et 500.",
            constraint_message_en="Enter a number of FTE between 0 and 500.",
        ),
        q(
            "select_one tranches_budget",
            "budget",
            "Quel budget annuel consacrez-vous à la participation numérique ?",
            "What annual budget do you devote to digital participation?",
        ),
        q(
            "select_one oui_non",
            "site_web_reseaux",
            "La collectivité dispose-t-elle d'un site web et de comptes sur les réseaux sociaux ?",
            "Does the local government have a website and social network accounts?",
        ),
        end("group", "moyens"),
        *_grid(
            "contributions",
            "Selon vous, les outils numériques (plateforme d'échange, budget participatif en "
            "ligne, open data, etc.) peuvent contribuer à :",
            "In your opinion, digital tools (discussion platforms, online participatory budgets, "
            "open data...) can help to:",
            CONTRIBUTIONS,
            "contrib",
        ),
    ]
    objectives = _grid(
        "objectifs",
        "Quels étaient / sont vos objectifs lors de la mise en place d'outils numériques de "
        "participation ?",
        "What were / are your objectives when setting up digital participation tools?",
        OBJECTIVES,
        "obj",
    )
    objectives[0]["relevant"] = USES_SCHEMES
    rows += objectives
    rows += [
        begin("group", "information", "S'informer", "Keeping informed", appearance="field-list"),
        q(
            "select_multiple sources",
            "sources_information",
            "Comment vous renseignez-vous sur les questions de démocratie numérique ?",
            "How do you keep informed about digital democracy?",
            hint_fr="Plusieurs réponses possibles.",
            hint_en="Several answers allowed.",
        ),
        other("sources_information_autre", "sources_information"),
        q(
            "select_one connaissance",
            "open_gov",
            "Avez-vous déjà entendu parler de « gouvernance ouverte » ou « open gov » ?",
            "Have you heard of 'open government' or 'open gov'?",
        ),
        q(
            "select_one connaissance",
            "civic_tech",
            "Avez-vous déjà entendu parler de « civic tech » ou « govtech » ?",
            "Have you heard of 'civic tech' or 'govtech'?",
        )
        if edition >= 2018
        # Renamed in 2018, when "govtech" joined the wording (the demo links the two names).
        else q(
            "select_one connaissance",
            "connaissance_civic_tech",
            "Avez-vous déjà entendu parler de « civic tech » ?",
            "Have you heard of 'civic tech'?",
        ),
        end("group", "information"),
    ]
    if edition < 2026:
        rows += [
            begin(
                "group",
                "renforcer",
                "Afin de renforcer la démocratie locale numérique, il faudrait aujourd'hui :",
                "To strengthen local digital democracy, what is needed today?",
                appearance="field-list",
                hint_fr="Donnez une note de 0 (pas nécessaire) à 8 (indispensable) à chaque proposition.",
                hint_en="Score each proposal from 0 (not needed) to 8 (essential).",
            ),
            *[
                q(
                    "integer",
                    f"besoin_{key}",
                    lab_fr,
                    lab_en,
                    constraint=". >= 0 and . <= 8",
                    constraint_message_fr="Donnez une note entière de 0 à 8.",
                    constraint_message_en="Give a whole score from 0 to 8.",
                )
                for key, lab_fr, lab_en in NEEDS
            ],
            end("group", "renforcer"),
        ]
    rows += _fiche(edition)
    rows += [
        begin("group", "fin", "Pour finir", "To finish", appearance="field-list"),
        q(
            "select_one oui_non",
            "consentement_publication",
            "Acceptez-vous que le nom de votre collectivité soit cité dans les publications de "
            "l'Observatoire ?",
            "May the Observatory name your local government in its publications?",
            hint_fr="Sinon, vos réponses ne seront publiées que de manière agrégée.",
            hint_en="If not, your answers are only published in aggregate.",
            required="yes",
            required_message_fr="Merci d'indiquer si nous pouvons citer votre collectivité.",
            required_message_en="Please tell us whether we may name your local government.",
        ),
        q(
            "text",
            "courriel",
            "Votre adresse électronique, pour recevoir les résultats (facultatif)",
            "Your e-mail address, to receive the results (optional)",
            constraint="regex(., '^[^@ ]+@[^@ ]+\\.[^@ ]+$')",
            constraint_message_fr="Adresse électronique invalide.",
            constraint_message_en="Invalid e-mail address.",
        ),
        q("text", "commentaire", "Un commentaire ?", "Any comment?", appearance="multiline"),
        q("calculate", "nombre_fiches", calculation="count(${fiche_dispositif})"),
        end("group", "fin"),
    ]
    return rows


def _fiche(edition: int) -> list[Row]:
    """The fiche-dispositif: one repeat instance per scheme (71 data points in 2018)."""
    rows: list[Row] = [
        begin(
            "repeat",
            "fiche_dispositif",
            "Fiche-dispositif",
            "Scheme record",
            relevant=USES_SCHEMES,
            hint_fr="Décrivez un ou plusieurs de vos dispositifs, une fiche par dispositif.",
            hint_en="Describe one or more of your schemes, one record per scheme.",
        ),
        q("calculate", "fd_numero", calculation="position(..)"),
        q("text", "fd_nom", "Nom du dispositif", "Name of the scheme", required="yes"),
        q(
            "text",
            "fd_outil",
            "Outil ou plateforme utilisé",
            "Tool or platform used",
            hint_fr="Par exemple le nom de la solution ou du prestataire.",
            hint_en="For instance the name of the product or provider.",
        ),
        q(
            "select_one dispositifs",
            "fd_type",
            "Type de dispositif",
            "Kind of scheme",
            required="yes",
        ),
        q(
            "select_one fonction_dispositif",
            "fd_fonction",
            "Fonction principale du dispositif",
            "Main function of the scheme",
        ),
        q(
            "date",
            "fd_date_debut",
            "Date de lancement",
            "Launch date",
            constraint=". <= today()",
            constraint_message_fr="La date de lancement ne peut pas être dans le futur.",
            constraint_message_en="The launch date cannot be in the future.",
        ),
        q(
            "select_one oui_non",
            "fd_en_cours",
            "Le dispositif est-il toujours actif ?",
            "Is the scheme still running?",
            default="oui",
        ),
        q(
            "date",
            "fd_date_fin",
            "Date de fin",
            "End date",
            relevant="${fd_en_cours} = 'non'",
            constraint=". >= ${fd_date_debut}",
            constraint_message_fr="La date de fin doit suivre la date de lancement.",
            constraint_message_en="The end date must follow the launch date.",
        ),
        q(
            "select_one tranches_budget",
            "fd_budget",
            "Budget du dispositif (total)",
            "Budget of the scheme (total)",
        ),
        q(
            "decimal",
            "fd_etp",
            "Personnel mobilisé (ETP)",
            "Staff (FTE)",
            constraint=". >= 0 and . <= 100",
        ),
        q(
            "select_multiple partenaires",
            "fd_partenaires",
            "Partenaires extérieurs du dispositif",
            "External partners of the scheme",
            **exclusive("non"),
        ),
        other("fd_partenaires_autre", "fd_partenaires"),
        q(
            "integer",
            "fd_participants",
            "Nombre de participants",
            "Number of participants",
            constraint=". >= 0",
        ),
        q(
            "integer",
            "fd_contributions",
            "Nombre de contributions (propositions, votes, commentaires)",
            "Number of contributions (proposals, votes, comments)",
            constraint=". >= 0",
        ),
        q(
            "calculate",
            "fd_contributions_par_participant",
            calculation="if(${fd_participants} > 0, round(${fd_contributions} div ${fd_participants}, 1), '')",
        ),
        q(
            "note",
            "fd_ratio",
            "Soit ${fd_contributions_par_participant} contribution(s) par participant.",
            "That is ${fd_contributions_par_participant} contribution(s) per participant.",
            relevant="${fd_contributions_par_participant} != ''",
        ),
        q(
            "select_one effet",
            "fd_effet_decisions",
            "Quel effet le dispositif a-t-il eu sur les décisions de la collectivité ?",
            "What effect did the scheme have on the local government's decisions?",
        ),
        q(
            "text",
            "fd_exemple_decision",
            "Donnez un exemple de décision influencée par le dispositif",
            "Give an example of a decision influenced by the scheme",
            relevant="${fd_effet_decisions} = 'moyen' or ${fd_effet_decisions} = 'fort'",
        ),
        q(
            "select_one oui_non",
            "fd_evalue",
            "Le dispositif a-t-il été évalué ?",
            "Has the scheme been evaluated?",
        ),
    ]
    if edition < 2026:
        rows += [
            q(
                "select_one likert",
                "fd_objectifs_atteints",
                "Le dispositif a-t-il atteint ses objectifs ?",
                "Did the scheme meet its objectives?",
                appearance="likert",
            ),
            q(
                "select_multiple difficultes",
                "fd_difficultes",
                "Difficultés rencontrées",
                "Difficulties met",
                hint_fr="Plusieurs réponses possibles.",
                hint_en="Several answers allowed.",
            ),
            other("fd_difficultes_autre", "fd_difficultes"),
        ]
    rows += [
        q(
            "text",
            "fd_commentaire",
            "Commentaire sur ce dispositif",
            "Comment on this scheme",
            appearance="multiline",
        ),
        end("repeat", "fiche_dispositif"),
    ]
    return rows


# Reconstructed list for the fiche-dispositif.
DIFFICULTIES = [
    ("participation_faible", "Une participation faible", "Low participation"),
    ("moderation", "La modération des contributions", "Moderating contributions"),
    ("cout", "Le coût", "Cost"),
    ("technique", "Des difficultés techniques", "Technical problems"),
    (
        "portage_interne",
        "Le portage interne (élus, services)",
        "Internal support (officials, services)",
    ),
    ("autre", "Autre (veuillez préciser)", "Other (please specify)"),
]


def choice_lists(edition: int) -> dict[str, list[tuple[str, str, str]]]:
    partners = list(PARTNERS)
    if edition >= 2026:
        # New option in 2026: trend comparisons must handle a list that grew.
        partners.insert(
            -1,
            (
                "agence_publique",
                "Oui, une agence ou un opérateur public (ANCT, Etalab...)",
                "Yes, a public agency (ANCT, Etalab...)",
            ),
        )
    schemes = list(SCHEMES)
    if edition < 2018:
        # Participatory mapping joined the list in 2018: the trends show it absent in 2017.
        schemes = [scheme for scheme in schemes if scheme[0] != "cartographie"]
    lists = {
        "oui_non": YES_NO,
        "type_collectivite": TERRITORY_KINDS,
        "fonction": ROLES,
        "dispositifs": schemes,
        "partenaires": partners,
        "tranches_budget": BUDGET_BRACKETS,
        "likert": LIKERT,
        "sources": SOURCES,
        "connaissance": AWARENESS,
        "fonction_dispositif": FUNCTIONS,
        "effet": EFFECTS,
    }
    if edition < 2026:
        lists["difficultes"] = DIFFICULTIES
    return lists


def settings(edition: int) -> Row:
    return {
        "form_title": f"Baromètre de la démocratie locale numérique {edition}",
        "form_id": f"barometre_{edition}",
        "version": f"{edition}.1",
        "default_language": FR,
        "style": "pages",
    }


SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{FR}",
    f"label::{EN}",
    f"hint::{FR}",
    f"hint::{EN}",
    "required",
    f"required_message::{FR}",
    f"required_message::{EN}",
    "relevant",
    "constraint",
    f"constraint_message::{FR}",
    f"constraint_message::{EN}",
    "default",
    "calculation",
    "appearance",
]


def _table(columns: list[str], rows: list[Row]) -> list[list[Any]]:
    unknown = {key for row in rows for key in row} - set(columns)
    assert not unknown, f"columns missing from the layout: {unknown}"
    return [list(columns), *([row.get(column) for column in columns] for row in rows)]


def build(edition: int) -> bytes:
    """The XLSForm workbook of an edition (2018, or its 2017 and trimmed 2026 variants)."""
    choice_rows = [
        {"list_name": list_name, "name": name, f"label::{FR}": fr, f"label::{EN}": en}
        for list_name, items in choice_lists(edition).items()
        for name, fr, en in items
    ]
    return write_workbook(
        {
            "survey": _table(
                SURVEY_COLUMNS + (["unit_default"] if edition >= 2026 else []),
                survey_rows(edition),
            ),
            "choices": _table(["list_name", "name", f"label::{FR}", f"label::{EN}"], choice_rows),
            "settings": _table(list(settings(edition)), [settings(edition)]),
        }
    )


EDITIONS = (2017, 2018, 2026)


def path_for(edition: int) -> Path:
    return HERE / f"barometre-{edition}.xlsx"


def main() -> None:
    for edition in EDITIONS:
        path_for(edition).write_bytes(build(edition))


if __name__ == "__main__":
    main()
