"""Demo content of the cartography: actors, tools, one initiative and the ten key dates of the
field in France (2010-2018), all taken from the observatory's own documents (shared/seeds).

Facts only, described in our own words. Classifications on the 2018 map (objective, #tags,
functions) are indicative: the map places these tools, and we keep a plausible reading of it.
Loading is idempotent: entries are found by slug and updated in place.
"""

import datetime

from django.db import transaction

from observatoire.territories.models import Territory

from . import starter
from .models import (
    ActorKind,
    Ecosystem,
    Function,
    Initiative,
    InitiativeSource,
    InitiativeTool,
    KeyDate,
    KeyDateSource,
    Objective,
    Organisation,
    OrganisationSource,
    OrganisationStatus,
    Relation,
    RelationType,
    Tag,
    Theme,
    Tool,
    ToolMaker,
    ToolSource,
    ToolStatus,
)

SLIDES = (
    "Observatoire des civic tech et de la démocratie numérique, diaporama « Petite histoire : "
    "les 10 dates de la civic tech en France » et premiers résultats du baromètre 2018 "
    "(Forum des Interconnectés, Lyon, 4 décembre 2018)"
)
MAP_2018 = (
    "Décider ensemble, rapport d'activité 2018 : première version de la cartographie des civic "
    "tech en France, présentée au comité d'orientation le 18 novembre 2018"
)
REPORT_2018 = "Décider ensemble, rapport d'activité 2018 de l'Observatoire des civic tech"
RESOURCES = "Institut de la Concertation et de la Participation Citoyenne, ressources « Concertation et numérique »"
LEAFLET = (
    "Observatoire des civic tech et de la démocratie numérique, plaquette de présentation (2018)"
)

M = "month"

# slug: (name, kind, ecosystems, description, website, founded (date, precision), sources, extra)
ORGANISATIONS = {
    "regards-citoyens": (
        "Regards Citoyens",
        "association",
        ["open-data", "civic-tech"],
        "Association créée en juin 2010 pour ouvrir et rendre lisibles les données de la vie "
        "parlementaire. Elle est à l'origine de NosDéputés.fr, NosSénateurs.fr et La Fabrique "
        "de la Loi.",
        "https://www.regardscitoyens.org",
        (datetime.date(2010, 6, 1), M),
        [SLIDES, MAP_2018],
        {},
    ),
    "etalab": (
        "Etalab",
        "agence-publique",
        ["open-data", "gouvernement-ouvert", "innovation-publique"],
        "Mission de l'État lancée en février 2011 pour l'ouverture des données publiques, "
        "rattachée à la DINSIC en 2015 et dirigée par Henri Verdier puis par Laure Lucchesi. "
        "Partenaire opérationnel de l'Observatoire ; elle a d'abord développé l'OGP Toolbox.",
        "https://www.etalab.gouv.fr",
        (datetime.date(2011, 2, 1), M),
        [SLIDES, REPORT_2018, RESOURCES],
        {},
    ),
    "voxe-org": (
        "Voxe.org",
        None,
        ["civic-tech"],
        "Acteur de la civic tech qui a lancé en juin 2012 un comparateur des programmes des "
        "candidats à l'élection présidentielle.",
        "https://www.voxe.org",
        None,
        [SLIDES, MAP_2018],
        {},
    ),
    "cap-collectif": (
        "Cap Collectif",
        "entreprise",
        ["civic-tech", "govtech"],
        "Entreprise éditrice de la plateforme de participation du même nom, qui a accueilli en "
        "septembre 2015 la consultation sur le projet de loi pour une République numérique.",
        "https://cap-collectif.com",
        None,
        [SLIDES, MAP_2018],
        {},
    ),
    "fluicity": (
        "Fluicity",
        "entreprise",
        ["civic-tech", "govtech"],
        "Start-up de la relation entre citoyens et collectivités, accueillie au Liberté Living "
        "Lab à Paris.",
        "",
        None,
        [SLIDES, MAP_2018],
        {},
    ),
    "open-source-politics": (
        "Open Source Politics",
        "entreprise",
        ["civic-tech", "govtech", "communs-numeriques"],
        "Entreprise de la civic tech accueillie au Liberté Living Lab à Paris après Fluicity.",
        "",
        None,
        [SLIDES, MAP_2018],
        {},
    ),
    "stig": (
        "Stig",
        "entreprise",
        ["civic-tech"],
        "Application de la civic tech française présente sur la cartographie 2018.",
        "",
        None,
        [MAP_2018],
        {},
    ),
    "accropolis": (
        "Accropolis",
        None,
        ["civic-tech"],
        "Acteur de la civic tech qui rend la vie parlementaire accessible au grand public ; présent sur la cartographie 2018.",
        "",
        None,
        [MAP_2018],
        {},
    ),
    "make-org": (
        "Make.org",
        "entreprise",
        ["civic-tech"],
        "Plateforme de consultations citoyennes à grande échelle, présente sur la cartographie 2018.",
        "https://make.org",
        None,
        [MAP_2018],
        {},
    ),
    "bluenove": (
        "Bluenove",
        "entreprise",
        ["civic-tech"],
        "Acteur de l'intelligence collective et des grandes concertations, présent sur la cartographie 2018.",
        "",
        None,
        [MAP_2018],
        {},
    ),
    "le-drenche": (
        "Le Drenche",
        None,
        ["civic-tech"],
        "Média qui confronte des points de vue opposés sur les sujets d'actualité ; présent sur la cartographie 2018.",
        "",
        None,
        [MAP_2018],
        {},
    ),
    "les-bricodeurs": (
        "Les Bricodeurs",
        None,
        ["civic-tech", "tech-for-good"],
        "Collectif présent sur la cartographie 2018 de la civic tech en France.",
        "",
        None,
        [MAP_2018],
        {},
    ),
    "change-org": (
        "Change.org",
        "entreprise",
        ["civic-tech"],
        "Plateforme internationale de pétitions en ligne.",
        "https://www.change.org",
        None,
        [MAP_2018],
        {"country": "US", "city": "San Francisco"},
    ),
    "civocracy": (
        "Civocracy",
        "entreprise",
        ["civic-tech", "govtech"],
        "Plateforme de participation citoyenne pour les collectivités, présente sur la cartographie 2018.",
        "",
        None,
        [MAP_2018],
        {},
    ),
    "voxpublic": (
        "VoxPublic",
        "association",
        ["civic-tech"],
        "Association qui accompagne les interpellations citoyennes ; coautrice en 2018, avec Citizens for Europe, d'un guide des bonnes pratiques numériques en milieu associatif.",
        "",
        None,
        [MAP_2018, RESOURCES],
        {},
    ),
    "laprimaire-org": (
        "LaPrimaire.org",
        None,
        ["civic-tech"],
        "Initiative de primaire citoyenne en ligne, présente sur la cartographie 2018.",
        "https://laprimaire.org",
        None,
        [MAP_2018],
        {},
    ),
    "liberte-living-lab": (
        "Liberté Living Lab",
        "lieu-innovation",
        ["tech-for-good", "innovation-publique"],
        "Lieu ouvert à Paris en avril 2016, consacré à la « tech for good » et à l'innovation "
        "publique ; il a accueilli Fluicity puis Open Source Politics.",
        "",
        (datetime.date(2016, 4, 1), M),
        [SLIDES],
        {"territory": ("commune", "75056"), "city": "Paris"},
    ),
    "decider-ensemble": (
        "Décider ensemble",
        "think-tank",
        ["participation-citoyenne", "civic-tech"],
        "Think tank de la décision partagée. Il a lancé le 26 septembre 2018 l'Observatoire des "
        "civic tech et de la démocratie numérique et mène le baromètre de la démocratie locale "
        "numérique.",
        "https://www.deciderensemble.com",
        None,
        [REPORT_2018, LEAFLET],
        {},
    ),
    "democratie-ouverte": (
        "Démocratie Ouverte",
        "reseau",
        ["civic-tech", "gouvernement-ouvert"],
        "Association qui rassemble des acteurs de l'innovation démocratique, dont des civic tech ; "
        "partenaire opérationnel de l'Observatoire.",
        "https://www.democratieouverte.org",
        None,
        [RESOURCES, REPORT_2018],
        {},
    ),
    "code-for-france": (
        "Code for France",
        "association",
        ["open-data", "communs-numeriques", "civic-tech"],
        "Association, anciennement Open Democracy Now, qui défend l'ouverture des données, la "
        "transparence de la vie publique et les outils numériques libres.",
        "https://codefor.fr",
        None,
        [RESOURCES, REPORT_2018],
        {},
    ),
    "institut-de-la-concertation": (
        "Institut de la Concertation et de la Participation Citoyenne",
        "reseau",
        ["participation-citoyenne"],
        "Réseau de professionnels de la concertation ; il a animé des cycles d'ateliers sur la "
        "concertation et le numérique (2015-2018, puis 2020). Partenaire opérationnel de "
        "l'Observatoire.",
        "",
        None,
        [RESOURCES, REPORT_2018],
        {},
    ),
    "les-interconnectes": (
        "Les Interconnectés",
        "reseau",
        ["innovation-publique"],
        "Réseau des territoires innovants, qui tient un groupe de travail « Démocratie "
        "numérique » et un forum annuel ; partenaire opérationnel de l'Observatoire.",
        "",
        None,
        [REPORT_2018],
        {},
    ),
    "secretariat-etat-numerique": (
        "Secrétariat d'État chargé du numérique",
        "agence-publique",
        ["gouvernement-ouvert"],
        "Membre du gouvernement chargé du numérique. Il a porté en 2015 la consultation sur le "
        "projet de loi pour une République numérique et publié en mai 2016 une cartographie de "
        "la civic tech en France.",
        "",
        None,
        [SLIDES],
        {},
    ),
    "assemblee-nationale": (
        "Assemblée nationale",
        "agence-publique",
        ["gouvernement-ouvert"],
        "Chambre basse du Parlement. Elle a lancé en septembre 2017 un groupe de travail sur la "
        "démocratie numérique et publié en avril 2018 un plan d'action pour une action publique "
        "transparente, collaborative et participative.",
        "",
        None,
        [SLIDES],
        {},
    ),
    "knight-foundation": (
        "Knight Foundation",
        None,
        ["civic-tech"],
        "Fondation américaine dont le rapport publié en décembre 2013 a popularisé le terme "
        "« civic tech ».",
        "",
        None,
        [SLIDES, RESOURCES],
        {"country": "US"},
    ),
    "rte": (
        "RTE (Réseau de transport d'électricité)",
        "entreprise",
        [],
        "Partenaire financier de l'Observatoire depuis son lancement en 2018.",
        "",
        None,
        [REPORT_2018],
        {},
    ),
    "groupe-la-poste": (
        "Groupe La Poste",
        "entreprise",
        [],
        "Partenaire financier de l'Observatoire depuis son lancement en 2018.",
        "",
        None,
        [REPORT_2018],
        {},
    ),
    "banque-des-territoires": (
        "Banque des Territoires",
        "agence-publique",
        [],
        "Partenaire financier de l'Observatoire depuis son lancement en 2018 ; auteur en 2018 d'un guide des outils numériques pour la participation citoyenne dans les collectivités.",
        "",
        None,
        [REPORT_2018, RESOURCES],
        {},
    ),
    "enedis": (
        "Enedis",
        "entreprise",
        [],
        "Partenaire financier de l'Observatoire ; a soutenu en décembre 2018 le colloque « Débattre et décider à l'ère des réseaux sociaux ».",
        "",
        None,
        [REPORT_2018],
        {},
    ),
    "mysociety": (
        "mySociety",
        "association",
        ["civic-tech"],
        "Association britannique qui organise TICTeC, la conférence annuelle sur les impacts des technologies civiques.",
        "https://tictec.mysociety.org",
        None,
        [REPORT_2018, RESOURCES],
        {"country": "GB"},
    ),
    "civic-hall": (
        "Civic Hall",
        None,
        ["civic-tech"],
        "Lieu new-yorkais de la civic tech, qui développe le répertoire mondial « Civic Tech Field Guide ».",
        "https://civictech.guide",
        None,
        [RESOURCES, LEAFLET],
        {"country": "US", "city": "New York"},
    ),
}

# slug: (name, makers, objective, tags, functions, iap2, description, website, extra)
TOOLS = {
    "voxe-org-comparateur": (
        "Comparateur de programmes Voxe.org",
        ["voxe-org"],
        "information",
        ["sensibilisation"],
        ["comparateur-programmes"],
        "inform",
        "Comparateur des programmes des candidats, lancé pour l'élection présidentielle de 2012.",
        "https://www.voxe.org",
        {"launched_on": (datetime.date(2012, 6, 1), M)},
    ),
    "fluicity-app": (
        "Fluicity",
        ["fluicity"],
        "coproduction",
        ["relation-au-citoyen"],
        ["consultation", "signalement"],
        "consult",
        "Application qui relie les habitants à leur collectivité.",
        "",
        {},
    ),
    "stig-app": (
        "Stig",
        ["stig"],
        "mobilisation",
        ["communautes"],
        ["debat-deliberation", "vote-sondage"],
        "",
        "Application citoyenne de propositions et de débat.",
        "",
        {},
    ),
    "cap-collectif-plateforme": (
        "Plateforme Cap Collectif",
        ["cap-collectif"],
        "coproduction",
        ["relation-au-citoyen"],
        ["consultation", "budget-participatif"],
        "consult",
        "Plateforme de consultation en ligne utilisée par des institutions, dont le gouvernement pour le projet de loi pour une République numérique (2015).",
        "https://cap-collectif.com",
        {},
    ),
    "accropolis-diffusion": (
        "Accropolis",
        ["accropolis"],
        "information",
        ["sensibilisation"],
        ["suivi-parlementaire"],
        "inform",
        "Diffusion commentée de la vie parlementaire pour le grand public.",
        "",
        {},
    ),
    "make-org-consultations": (
        "Make.org",
        ["make-org"],
        "mobilisation",
        ["communautes"],
        ["consultation", "vote-sondage"],
        "consult",
        "Consultations citoyennes en ligne sur de grandes causes.",
        "https://make.org",
        {},
    ),
    "le-drenche-debats": (
        "Le Drenche",
        ["le-drenche"],
        "information",
        ["sensibilisation"],
        ["debat-deliberation"],
        "inform",
        "Débats contradictoires sur l'actualité.",
        "",
        {},
    ),
    "change-org-petitions": (
        "Change.org",
        ["change-org"],
        "mobilisation",
        ["interpellation", "lobby-citoyen"],
        ["petition"],
        "",
        "Plateforme de pétitions en ligne.",
        "https://www.change.org",
        {},
    ),
    "civocracy-plateforme": (
        "Civocracy",
        ["civocracy"],
        "coproduction",
        ["relation-au-citoyen"],
        ["consultation", "debat-deliberation"],
        "involve",
        "Plateforme de participation pour les collectivités.",
        "",
        {},
    ),
    "consultvox": (
        "Consultvox",
        [],
        "coproduction",
        ["govtech"],
        ["consultation"],
        "consult",
        "Outil de consultation en ligne pour les institutions, présent sur la cartographie 2018.",
        "",
        {},
    ),
    "vooter": (
        "Vooter",
        [],
        "mobilisation",
        ["interpellation"],
        ["vote-sondage"],
        "",
        "Application de vote et d'interpellation des élus, présente sur la cartographie 2018.",
        "",
        {},
    ),
    "datagora": (
        "Datagora",
        [],
        "information",
        ["controle-citoyen"],
        ["open-data"],
        "inform",
        "Outil d'exploration de données publiques, présent sur la cartographie 2018.",
        "",
        {},
    ),
    "democracyos": (
        "DemocracyOS",
        [],
        "coproduction",
        ["communautes"],
        ["debat-deliberation", "vote-sondage"],
        "involve",
        "Logiciel libre de débat et de vote en ligne.",
        "",
        {"is_open_source": True},
    ),
    "laprimaire-org-plateforme": (
        "LaPrimaire.org",
        ["laprimaire-org"],
        "mobilisation",
        ["interpellation"],
        ["vote-sondage"],
        "",
        "Plateforme de primaire citoyenne ouverte.",
        "https://laprimaire.org",
        {},
    ),
    "decidim": (
        "Decidim",
        [],
        "coproduction",
        ["govtech"],
        ["consultation", "budget-participatif", "debat-deliberation"],
        "collaborate",
        "Plateforme libre de participation citoyenne, dont la communauté se retrouve notamment aux rencontres Metadecidim à Barcelone.",
        "",
        {"is_open_source": True},
    ),
    "nosdeputes-fr": (
        "NosDéputés.fr",
        ["regards-citoyens"],
        "information",
        ["controle-citoyen"],
        ["suivi-parlementaire", "open-data"],
        "inform",
        "Suivi de l'activité des députés à partir des données de l'Assemblée nationale.",
        "https://www.nosdeputes.fr",
        {"is_open_source": True},
    ),
    "nossenateurs-fr": (
        "NosSénateurs.fr",
        ["regards-citoyens"],
        "information",
        ["controle-citoyen"],
        ["suivi-parlementaire", "open-data"],
        "inform",
        "Suivi de l'activité des sénateurs à partir des données du Sénat.",
        "https://www.nossenateurs.fr",
        {"is_open_source": True},
    ),
    "la-fabrique-de-la-loi": (
        "La Fabrique de la Loi",
        ["regards-citoyens"],
        "information",
        ["controle-citoyen"],
        ["suivi-parlementaire"],
        "inform",
        "Visualisation du parcours des textes de loi au Parlement.",
        "https://www.lafabriquedelaloi.fr",
        {},
    ),
    "ogp-toolbox": (
        "OGP Toolbox",
        ["etalab"],
        "information",
        ["govtech"],
        [],
        "",
        "Logiciel libre qui recense des outils numériques, des cas d'usage et des organisations du gouvernement ouvert, d'abord développé par Etalab pour la communauté du Partenariat pour un gouvernement ouvert.",
        "https://ogptoolbox.org/fr/",
        {"is_open_source": True},
    ),
}

TOOL_SOURCES = {
    "ogp-toolbox": [RESOURCES],
    "voxe-org-comparateur": [SLIDES, MAP_2018],
    "nosdeputes-fr": [SLIDES, MAP_2018],
    "nossenateurs-fr": [SLIDES, MAP_2018],
    "la-fabrique-de-la-loi": [SLIDES, MAP_2018],
    "decidim": [REPORT_2018],
    "cap-collectif-plateforme": [SLIDES, MAP_2018],
}

INITIATIVES = {
    "consultation-republique-numerique": {
        "name": "Consultation sur le projet de loi pour une République numérique",
        "organiser": "secretariat-etat-numerique",
        "tools": ["cap-collectif-plateforme"],
        "objective": "coproduction",
        "themes": ["legislation", "numerique"],
        "functions": ["consultation"],
        "iap2_level": "consult",
        "start_on": datetime.date(2015, 9, 1),
        "start_precision": M,
        "description": (
            "Consultation en ligne ouverte en septembre 2015 sur le projet de loi pour une "
            "République numérique porté par Axelle Lemaire, sur la plateforme de Cap Collectif."
        ),
        "sources": [SLIDES],
    },
}

# (type, source slug, target slug, note, sources): all between organisations.
RELATIONS = [
    ("hosts", "liberte-living-lab", "fluicity", "", SLIDES),
    ("hosts", "liberte-living-lab", "open-source-politics", "Après Fluicity.", SLIDES),
    *[
        (
            "funds",
            funder,
            "decider-ensemble",
            "Soutien triennal à l'Observatoire, confirmé en 2018.",
            REPORT_2018,
        )
        for funder in ["rte", "groupe-la-poste", "banque-des-territoires", "enedis"]
    ],
    *[
        (
            "partners",
            partner,
            "decider-ensemble",
            "Partenaire opérationnel de l'Observatoire (2018).",
            REPORT_2018,
        )
        for partner in [
            "etalab",
            "democratie-ouverte",
            "institut-de-la-concertation",
            "les-interconnectes",
        ]
    ],
]

# (date, precision, title, description, organisations, tools, initiatives)
KEY_DATES = [
    (
        datetime.date(2010, 6, 1),
        M,
        "Naissance de l'association Regards Citoyens",
        "L'association sera notamment à l'origine de NosDéputés, NosSénateurs et La Fabrique de la Loi.",
        ["regards-citoyens"],
        ["nosdeputes-fr", "nossenateurs-fr", "la-fabrique-de-la-loi"],
        [],
    ),
    (
        datetime.date(2011, 2, 1),
        M,
        "Lancement de la mission Etalab",
        "La mission sera rattachée à la DINSIC en 2015 ; elle a été dirigée par Henri Verdier puis par Laure Lucchesi.",
        ["etalab"],
        [],
        [],
    ),
    (
        datetime.date(2012, 6, 1),
        M,
        "Voxe.org lance un comparateur de programmes pour la présidentielle",
        "",
        ["voxe-org"],
        ["voxe-org-comparateur"],
        [],
    ),
    (
        datetime.date(2013, 12, 1),
        M,
        "Rapport de la Knight Foundation sur la civic tech",
        "Publié aux États-Unis, il contribue à populariser le terme « civic tech ».",
        ["knight-foundation"],
        [],
        [],
    ),
    (
        datetime.date(2015, 9, 1),
        M,
        "Consultation sur le projet de loi pour une République numérique",
        "Début de la consultation en ligne sur le projet de loi d'Axelle Lemaire, sur la plateforme de Cap Collectif.",
        ["cap-collectif", "secretariat-etat-numerique"],
        ["cap-collectif-plateforme"],
        ["consultation-republique-numerique"],
    ),
    (
        datetime.date(2016, 4, 1),
        M,
        "Ouverture du Liberté Living Lab à Paris",
        "Dédié à la « tech for good » et à l'innovation publique, il accueillera Fluicity puis Open Source Politics.",
        ["liberte-living-lab", "fluicity", "open-source-politics"],
        [],
        [],
    ),
    (
        datetime.date(2016, 5, 1),
        M,
        "Le Secrétariat d'État au numérique publie une cartographie de la civic tech",
        "Publication à l'occasion du « MarDigital ».",
        ["secretariat-etat-numerique"],
        [],
        [],
    ),
    (
        datetime.date(2016, 12, 1),
        M,
        "Sommet du Partenariat pour un gouvernement ouvert à Paris",
        "Le gouvernement y valorise ses avancées, tandis qu'une tribune d'acteurs des droits humains et du numérique dénonce l'écart entre son discours et son action.",
        [],
        [],
        [],
    ),
    (
        datetime.date(2017, 9, 1),
        M,
        "L'Assemblée nationale lance un groupe de travail sur la démocratie numérique",
        "Groupe de travail « Démocratie numérique et nouvelles formes de participation », avec Cécile Untermaier et Paula Forteza.",
        ["assemblee-nationale"],
        [],
        [],
    ),
    (
        datetime.date(2018, 4, 1),
        M,
        "Nouveaux plans d'action pour un gouvernement ouvert",
        "Le gouvernement et l'Assemblée nationale publient leurs plans d'action pour une action publique transparente, collaborative et participative.",
        ["assemblee-nationale"],
        [],
        [],
    ),
]


def _terms(model, codes):
    return list(model.objects.filter(code__in=codes))


def _territory(kind_code):
    if not kind_code:
        return None
    kind, code = kind_code
    return Territory.objects.filter(kind=kind, code=code).first()


def _save(entry, created: bool) -> None:
    entry.save()
    if created or entry.latest_revision_id is None:
        entry.save_revision(log_action="wagtail.create", clean=False)


def _set_sources(entry, source_model, titles):
    if entry.pk is None or not entry.sources.exists():
        entry.sources = [source_model(title=title) for title in titles]


@transaction.atomic
def load(stdout=None) -> None:
    organisations = {}
    for slug, (
        name,
        kind,
        ecosystems,
        description,
        website,
        founded,
        sources,
        extra,
    ) in ORGANISATIONS.items():
        entry = Organisation.objects.filter(slug=slug).first()
        created = entry is None
        entry = entry or Organisation(slug=slug)
        entry.name = name
        entry.kind = ActorKind.objects.filter(code=kind).first() if kind else None
        entry.description = description
        entry.website = website
        entry.country = extra.get("country", "FR")
        entry.city = extra.get("city", "")
        entry.territory = _territory(extra.get("territory"))
        if founded:
            entry.founded_on, entry.founded_precision = founded
        entry.is_published = True
        entry.ecosystems.set(_terms(Ecosystem, ecosystems))
        _set_sources(entry, OrganisationSource, sources)
        if entry.pk is None or not entry.statuses.exists():
            entry.statuses = [
                OrganisationStatus(
                    status="active", start_on=founded[0] if founded else None, note="Actif en 2018."
                )
            ]
        _save(entry, created)
        organisations[slug] = entry

    tools = {}
    for slug, (
        name,
        makers,
        objective,
        tags,
        functions,
        iap2,
        description,
        website,
        extra,
    ) in TOOLS.items():
        entry = Tool.objects.filter(slug=slug).first()
        created = entry is None
        entry = entry or Tool(slug=slug)
        entry.name = name
        entry.objective = Objective.objects.filter(code=objective).first()
        entry.iap2_level = iap2
        entry.description = description
        entry.website = website or entry.website  # a harvest may fill it
        entry.is_open_source = extra.get("is_open_source", False)
        if "launched_on" in extra:
            entry.launched_on, entry.launched_precision = extra["launched_on"]
        entry.is_published = True
        entry.tags.set(_terms(Tag, tags))
        entry.functions.set(_terms(Function, functions))
        if created:
            entry.maker_links = [ToolMaker(organisation=organisations[maker]) for maker in makers]
        _set_sources(entry, ToolSource, TOOL_SOURCES.get(slug, [MAP_2018]))
        if entry.pk is None or not entry.statuses.exists():
            entry.statuses = [ToolStatus(status="active", note="Actif en 2018.")]
        _save(entry, created)
        tools[slug] = entry

    initiatives = {}
    for slug, data in INITIATIVES.items():
        entry = Initiative.objects.filter(slug=slug).first()
        created = entry is None
        entry = entry or Initiative(slug=slug)
        entry.name = data["name"]
        entry.description = data["description"]
        entry.organiser_organisation = organisations[data["organiser"]]
        entry.objective = Objective.objects.filter(code=data["objective"]).first()
        entry.iap2_level = data["iap2_level"]
        entry.start_on, entry.start_precision = data["start_on"], data["start_precision"]
        entry.is_published = True
        entry.themes.set(_terms(Theme, data["themes"]))
        entry.functions.set(_terms(Function, data["functions"]))
        if created:
            entry.tool_links = [InitiativeTool(tool=tools[tool]) for tool in data["tools"]]
        _set_sources(entry, InitiativeSource, data["sources"])
        _save(entry, created)
        initiatives[slug] = entry

    types = {relation_type.code: relation_type for relation_type in RelationType.objects.all()}
    for type_code, source, target, note, source_title in RELATIONS:
        if type_code not in types:
            continue  # staff removed this relation type
        Relation.objects.get_or_create(
            type=types[type_code],
            source_organisation=organisations[source],
            target_organisation=organisations[target],
            defaults={"note": note, "source_title": source_title},
        )

    for date, precision, title, description, orgs, tool_slugs, initiative_slugs in KEY_DATES:
        key_date = KeyDate.objects.filter(date=date, title=title).first()
        created = key_date is None
        key_date = key_date or KeyDate(date=date, title=title)
        key_date.precision = precision
        key_date.description = description
        key_date.is_published = True
        key_date.organisations.set([organisations[slug] for slug in orgs])
        key_date.tools.set([tools[slug] for slug in tool_slugs])
        key_date.initiatives.set([initiatives[slug] for slug in initiative_slugs])
        if key_date.pk is None or not key_date.sources.exists():
            key_date.sources = [KeyDateSource(title=SLIDES)]
        _save(key_date, created)

    if stdout is not None:
        stdout.write(
            f"Cartographie : {len(organisations)} acteurs, {len(tools)} outils, "
            f"{len(initiatives)} initiative(s), {len(KEY_DATES)} dates clés."
        )
    starter.load(stdout=stdout)
