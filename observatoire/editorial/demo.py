"""Demo content of the editorial sections, from the seed documents: the 2018-2019 calendar of the
leaflet (shared/seeds/000) and the 2018 activity report (001) for events and publications,
partners and the steering committee; the resource page (004) for resources.

Facts only, in our own words. Where the leaflet gives only a month, the event says so
(`Schedule.MONTH`) rather than inventing a day; publications show a month and a year.
Loading is idempotent: records are found by slug (pages), name (partners, committee) or
address (resources) and updated in place. Publications and events are in French; the four
section pages exist in French and English.
"""

import datetime

from django.db import transaction
from wagtail.models import Locale
from wagtail.rich_text import RichText

from observatoire.pages.models import HomePage

from .models import (
    PARIS,
    AboutPage,
    CommitteeMember,
    EventIndexPage,
    EventPage,
    EventSpeaker,
    Partner,
    PublicationAuthor,
    PublicationIndexPage,
    PublicationPage,
    Resource,
    ResourceIndexPage,
    Schedule,
)

SECTIONS = {
    PublicationIndexPage: {
        "fr": (
            "Publications",
            "<p>Notes d'analyse, notes méthodologiques, articles et études : ce que "
            "l'Observatoire tire de ses enquêtes, de ses rencontres et de la recherche.</p>",
        ),
        "en": (
            "Publications",
            "<p>Analysis notes, methodology notes, articles and studies: what the Observatory "
            "learns from its surveys, its meetings and research. Most are in French.</p>",
        ),
    },
    EventIndexPage: {
        "fr": (
            "Événements",
            "<p>Matinées de questionnement, ateliers, colloques, formations et voyages "
            "d'études : les rencontres que l'Observatoire organise ou auxquelles il contribue."
            "</p>",
        ),
        "en": (
            "Events",
            "<p>Questioning mornings, workshops, conferences, training sessions and study "
            "trips: the meetings the Observatory convenes or contributes to.</p>",
        ),
    },
    ResourceIndexPage: {
        "fr": (
            "Ressources",
            "<p>Une sélection de réseaux, de formations, de vidéos, de guides et de répertoires "
            "pour explorer la civic tech et la participation numérique.</p>",
        ),
        "en": (
            "Resources",
            "<p>A selection of networks, courses, videos, guides and directories to explore "
            "civic tech and digital participation (mostly in French).</p>",
        ),
    },
    AboutPage: {
        "fr": (
            "À propos",
            "<p>Les expérimentations d'outils numériques de participation se multiplient, dans "
            "les collectivités comme dans les entreprises et les associations. Lancé "
            "officiellement en septembre 2018 par le think tank Décider ensemble, "
            "l'Observatoire des civic tech et de la démocratie numérique offre un cadre "
            "partenarial et indépendant pour analyser ces innovations et mettre en réseau "
            "celles et ceux qui les portent.</p>",
        ),
        "en": (
            "About",
            "<p>Experiments with digital participation tools are multiplying in local "
            "governments, companies and associations. Officially launched in September 2018 "
            "by the think tank Décider ensemble, the Civic Tech & Digital Democracy Observatory "
            "is an independent partnership that analyses these innovations and connects the "
            "people behind them.</p>",
        ),
    },
}

OBJECTIVES = {
    "fr": [
        (
            "Cartographier la civic tech",
            "Repérer les acteurs et les outils, et décrypter les enjeux techniques, économiques, politiques et sociaux du numérique dans la participation.",
        ),
        (
            "Accompagner les professionnels",
            "Soutenir celles et ceux qui déploient des technologies numériques de participation et d'engagement citoyen.",
        ),
        (
            "Partager les expériences",
            "Faire se rencontrer État, collectivités, entreprises, start-up, associations et citoyens pour apprendre ensemble.",
        ),
        (
            "Identifier les conditions de succès",
            "Comprendre ce qui fait réussir ces innovations et aider les acteurs à les mettre en œuvre.",
        ),
        (
            "Analyser l'ingénierie des acteurs",
            "Étudier outils, méthodes et compétences, et la professionnalisation du secteur.",
        ),
    ],
    "en": [
        (
            "Map civic tech",
            "Identify actors and tools, and decode the technical, economic, political and social issues of digital participation.",
        ),
        (
            "Support professionals",
            "Help the people who deploy digital tools for participation and civic engagement.",
        ),
        (
            "Share experience",
            "Bring together the State, local governments, companies, start-ups, associations and citizens to learn from one another.",
        ),
        (
            "Identify conditions of success",
            "Understand what makes these innovations work and help actors carry them out.",
        ),
        (
            "Analyse the actors' engineering",
            "Study tools, methods and skills, and the professionalisation of the field.",
        ),
    ],
}

COMMITTEE_TEXT = {
    "fr": "<p>Le comité d'orientation réunit les partenaires de l'Observatoire ainsi que des "
    "scientifiques et des experts. Il oriente la recherche et les activités, commente les "
    "productions et veille à leur qualité comme à l'indépendance de l'Observatoire. En 2018, "
    "il s'est réuni le 28 mars, le 12 juillet et le 6 novembre.</p>",
    "en": "<p>The steering committee brings together the Observatory's partners, scientists "
    "and experts. It steers research and activities, reviews what the Observatory produces "
    "and safeguards its quality and independence. In 2018 it met on 28 March, 12 July and "
    "6 November.</p>",
}
CONTACT_TEXT = {
    "fr": "Une question, une ressource à signaler, l'envie de devenir partenaire ? Écrivez-nous.",
    "en": "A question, a resource to suggest, interested in becoming a partner? Write to us.",
}

# name: (kind, since)
PARTNERS = {
    "RTE (Réseau de transport d'électricité)": ("financial", 2018),
    "Groupe La Poste": ("financial", 2018),
    "Banque des Territoires": ("financial", 2018),
    "Enedis": ("financial", 2018),
    "Agence du Numérique": ("operational", 2018),
    "Démocratie Ouverte": ("operational", 2018),
    "Etalab": ("operational", 2018),
    "Institut de la Concertation et de la Participation Citoyenne": ("operational", 2018),
    "Les Interconnectés": ("operational", 2018),
    "Forum métropolitain du Grand Paris": ("event", None),
    "Caisse des dépôts": ("event", None),
    "Ecoter": ("event", None),
}
PARTNER_WEBSITES = {"Démocratie Ouverte": "https://www.democratieouverte.org/"}

# The seeds name no individual member: the partners sit on the committee as organisations;
# staff add the scientists and experts by name.
COMMITTEE = [
    (
        name,
        "Membre (partenaire financier)"
        if kind == "financial"
        else "Membre (partenaire opérationnel)",
    )
    for name, (kind, _since) in PARTNERS.items()
    if kind in {"financial", "operational"}
]

N, T, V, G, D = "networks", "training", "videos", "guides", "directories"
# (title, url, category, description) — from the resource page (seed 004). Its "Salon des
# Maires" video is left out: the page links it to the same video as the GIS conference.
RESOURCES = [
    (
        "Observatoire des civic tech et de la démocratie numérique",
        "https://www.deciderensemble.com/page/300874-observatoire-civic-tech",
        N,
        "L'observatoire créé par Décider ensemble pour analyser et décrypter les enjeux politiques, économiques et sociaux des civic tech.",
    ),
    (
        "Démocratie Ouverte",
        "https://www.democratieouverte.org/cat_innovateur/civic-tech/",
        N,
        "Association dont plusieurs civic tech sont membres.",
    ),
    (
        "Code for France",
        "https://codefor.fr/?locale=fr",
        N,
        "Association engagée pour l'ouverture des données, la transparence de la vie publique et les outils numériques libres.",
    ),
    (
        "Réseau Démocratie Électronique (DEL)",
        "http://www.reseaudel.fr/",
        N,
        "Réseau qui fait connaître les recherches sur les liens entre processus démocratiques et technologies numériques.",
    ),
    (
        "Centre Internet et Société (CIS)",
        "https://cis.cnrs.fr/about/",
        N,
        "Centre de recherche du CNRS consacré à Internet et à la société.",
    ),
    (
        "Fondation Internet Nouvelle Génération (Fing)",
        "https://fing.org/",
        N,
        "Think & do tank fondé en 2000 sur les transformations numériques, qui réunit entrepreneurs, acteurs publics, chercheurs et experts.",
    ),
    (
        "Digital for Deliberation",
        "https://medium.com/participo/digitalfordeliberation/home",
        N,
        "Communauté née d'un axe du programme de l'OCDE sur la participation citoyenne innovante.",
    ),
    (
        "Labo Société numérique",
        "https://labo.societenumerique.gouv.fr/",
        N,
        "Laboratoire public qui porte un regard critique sur les enjeux éthiques, sociaux et territoriaux du numérique et sur l'inclusion.",
    ),
    (
        "La MedNum",
        "https://lamednum.coop/",
        N,
        "Coopérative nationale des acteurs de la médiation numérique : entreprises, tiers-lieux, fablabs, espaces publics numériques…",
    ),
    (
        "Association ICI (Innovons pour la Citoyenneté sur Internet)",
        "https://associationici.fr/",
        N,
        "Acteur de la médiation numérique qui interroge les liens entre expression citoyenne et Internet.",
    ),
    (
        "Participation citoyenne : méthodes et civic tech",
        "https://www.fun-mooc.fr/courses/course-v1:inria+41019+session02/about",
        T,
        "MOOC de l'Inria, en partie gratuit, sur les méthodes et les initiatives de construction participative des politiques et des projets.",
    ),
    (
        "Outils numériques",
        "https://www.deciderensemble.com/page/14098-formations#multi",
        T,
        "Formation de Décider ensemble pour découvrir les dispositifs numériques et bâtir sa stratégie de concertation en ligne.",
    ),
    (
        "Civic tech : que faire avec une plateforme open source ?",
        "https://www.idealco.fr/formation/civic-tech-faire-avec-plateforme-open-source-participation-citoyenne-9091",
        T,
        "Formation en ligne d'IdealCo, à revoir gratuitement, donnée pendant la semaine de la participation citoyenne 2019.",
    ),
    (
        "Cycle ICPC « Concertation et numérique »",
        "https://www.youtube.com/playlist?list=PLEgp2c0EIXnaMEZ5xciQPTFv-Hn4bOrWs",
        V,
        "Les ateliers de l'Institut de la Concertation et de la Participation Citoyenne, en 2015-2018 puis en 2020.",
    ),
    (
        "Journée de la civic tech et de l'engagement citoyen",
        "https://www.youtube.com/watch?v=4969U91lMwY",
        V,
        "La journée organisée par l'Observatoire en 2019.",
    ),
    (
        "TICTeC (The Impacts of Civic Technology Conference)",
        "https://tictec.mysociety.org/",
        V,
        "Conférence annuelle de mySociety qui réunit chercheurs et praticiens autour des effets des technologies civiques.",
    ),
    (
        "Colloque CESE-CNIL",
        "https://www.youtube.com/watch?v=2UvJbWLAmAA&feature=em-lbrm",
        V,
        "« Les civic tech bousculent-ils vraiment la démocratie ? », colloque du CESE et de la CNIL en 2019.",
    ),
    (
        "Colloque du GIS Démocratie et Participation",
        "https://www.youtube.com/watch?v=QkzFFNQiNiI",
        V,
        "Conférence « Changer la démocratie par le numérique ? », au colloque 2017 du GIS sur les expérimentations démocratiques.",
    ),
    (
        "Séminaire Mutations sociales et technologiques",
        "https://www.strategie.gouv.fr/debats/numerique-transforme-t-participation-citoyenne",
        V,
        "Débat « Le numérique transforme-t-il la participation citoyenne ? » de France Stratégie, de l'EHESS et de l'Inria en 2017.",
    ),
    (
        "Open Government Partnership Toolbox",
        "https://ogptoolbox.org/fr/",
        D,
        "Logiciel libre lancé par Etalab pour la communauté du Partenariat pour un gouvernement ouvert : outils, cas d'usage et organisations.",
    ),
    (
        "The Civic Tech Field Guide",
        "https://civictech.guide/",
        D,
        "Répertoire mondial de civic tech tenu par Civic Hall.",
    ),
    (
        "Cartographie de la civic tech en France",
        "https://icpc.naro.studio/document/cartographie-de-la-civic-tech-en-france/",
        D,
        "La cartographie publiée par l'Observatoire en 2019.",
    ),
    (
        "Le numérique peut-il hacker la démocratie locale ?",
        "https://icpc.naro.studio/document/guide-des-outils-numeriques-pour-la-participation-citoyenne-dans-les-collectivites-territoriales/",
        G,
        "Guide des outils numériques de participation pour les collectivités, publié par la Banque des Territoires en 2018.",
    ),
    (
        "Les bonnes pratiques numériques en milieu associatif",
        "https://icpc.naro.studio/document/rapport-assotech-les-bonnes-pratiques-numeriques-en-milieu-associatif/",
        G,
        "Guide de VoxPublic et Citizens for Europe pour les associations (2018).",
    ),
    (
        "Guide de la participation numérique",
        "https://icpc.naro.studio/document/le-mode-demploi-de-la-participation-numerique/",
        G,
        "Mode d'emploi publié en 2018 par CitizenLab, civic tech belge.",
    ),
]

# slug: (title, kind, (year, month), authors, tags, summary, paragraphs)
PUBLICATIONS = {
    "barometre-conditions-de-succes-des-civic-tech": (
        "Baromètre de la démocratie locale numérique : quelles conditions de succès pour les civic tech ?",
        "article",
        (2018, 3),
        ["Tatiana de Feraudy"],
        ["baromètre", "collectivités"],
        "Paru dans la revue Parole Publique (n° 19), cet article dresse un état des lieux des pratiques en France à partir des résultats 2017 du baromètre, et des conditions d'un passage à l'échelle.",
        [
            "Les résultats 2017 du baromètre de la démocratie locale numérique servent de point de départ à un état des lieux des pratiques des collectivités françaises.",
            "Passer à l'échelle, en nombre de personnes touchées comme en qualité des contributions, suppose selon l'article des politiques ambitieuses d'inclusion numérique, un ancrage dans le terrain et des indicateurs partagés pour mesurer l'impact.",
        ],
    ),
    "note-de-cadrage-revision-constitutionnelle": (
        "Note de cadrage sur la révision constitutionnelle",
        "analysis",
        (2018, 5),
        ["Marion Vonfeld"],
        ["institutions"],
        "Une révision de la Constitution peut-elle répondre à la crise démocratique ? La note resitue les propositions du gouvernement, décrit les positions en présence et formule des recommandations.",
        [
            "La note replace les propositions du gouvernement dans leur contexte politique et institutionnel et décrypte les positions des différentes parties prenantes.",
            "Ses recommandations portent sur le renouvellement du lien entre gouvernants et gouvernés, la transparence et une prise de décision plus transversale.",
        ],
    ),
    "debattre-et-decider-a-l-ere-des-reseaux-sociaux": (
        "Débattre et décider à l'ère des réseaux sociaux",
        "study",
        (2018, 6),
        ["Luc Vivien et al."],
        ["réseaux sociaux", "concertation"],
        "Étude menée par cinq étudiants en préparation du colloque de décembre 2018 : les réseaux sociaux ouvrent de nouveaux espaces de débat, sans bouleverser les rapports de force existants.",
        [
            "Commandée pour préparer le colloque du 10 décembre 2018, l'étude a permis à cinq étudiants de conduire une enquête en situation professionnelle.",
            "Dans les concertations et consultations, les réseaux sociaux servent à communiquer, à mobiliser ou à interpeller. Les porteurs de projet en font surtout un usage de communication et peuvent être bousculés par des collectifs citoyens qui s'en servent pour interpeller les décideurs.",
            "L'appropriation progresse, mais les rapports de force en ligne restent souvent ceux qui existent hors ligne.",
        ],
    ),
    "la-civic-tech-en-france-une-cartographie": (
        "La civic tech en France : une cartographie",
        "analysis",
        (2018, 10),
        [],
        ["cartographie", "civic tech"],
        "Note d'analyse du calendrier 2018-2019 : un historique du secteur, les écosystèmes voisins, les acteurs publics et privés, les dispositifs classés par objectif (information, mobilisation, coproduction) et les enjeux qui structurent le milieu.",
        [
            "La cartographie retrace l'émergence de la civic tech et ses dates clés, situe les écosystèmes proches et identifie les acteurs publics et privés qui structurent l'écosystème français.",
            "Les dispositifs y sont classés selon l'objectif principal de la technologie : information, mobilisation ou coproduction. Une première version a été présentée au comité d'orientation le 18 novembre 2018.",
        ],
    ),
    "barometre-de-la-democratie-locale-numerique-2018": (
        "Baromètre de la démocratie locale numérique 2018",
        "report",
        (2018, 12),
        [],
        ["baromètre", "collectivités"],
        "Troisième édition du baromètre : 71 collectivités ont répondu à 32 questions sur leur stratégie et leurs dispositifs de participation numérique ; 20 ont décrit un dispositif en détail. Premiers résultats présentés le 5 décembre 2018 au Forum des Interconnectés, à Lyon.",
        [
            "Le questionnaire a d'abord été revu avec le comité d'orientation pour mieux recenser les dispositifs de démocratie locale numérique.",
            "Il a été diffusé en octobre et novembre 2018 à 20 000 contacts (élus, directions générales, agents chargés du numérique ou de la citoyenneté) de 5 000 collectivités : communes de plus de 3 500 habitants, départements, intercommunalités, régions et métropoles.",
            "71 collectivités ont répondu ; 20 ont aussi rempli une fiche-dispositif de 71 points de données sur le développement et le fonctionnement d'un outil.",
            # The demo's 2018 results are computed on synthetic responses (240 of them): say
            # so here, or the note and the results page contradict each other.
            "Dans ce site de démonstration, les résultats 2018 en ligne sont calculés sur des réponses synthétiques, plus nombreuses que les 71 réponses réelles, et portent la mention « données de démonstration » : leurs effectifs et leurs pourcentages ne sont pas ceux de l'édition réelle.",
        ],
    ),
    "collectivites-locales-et-participation-citoyenne-numerique": (
        "Collectivités locales et participation citoyenne numérique",
        "analysis",
        (2018, 12),
        [],
        ["collectivités", "baromètre"],
        "Note d'analyse annoncée pour décembre 2018 dans le calendrier de l'Observatoire, consacrée à la participation citoyenne numérique dans les collectivités locales.",
        [],
    ),
    "qui-sont-et-que-font-les-professionnels-de-la-civic-tech": (
        "Qui sont et que font les professionnels de la civic tech ?",
        "analysis",
        (2019, 6),
        [],
        ["métiers", "civic tech"],
        "Note d'analyse annoncée pour juin 2019 dans le calendrier de l'Observatoire, sur les professionnels de la civic tech et leurs métiers.",
        [],
    ),
    "outils-numeriques-et-democratie-en-entreprise": (
        "Outils numériques et démocratie en entreprise",
        "analysis",
        (2019, 12),
        [],
        ["entreprises"],
        "Note d'analyse annoncée pour décembre 2019 dans le calendrier de l'Observatoire, sur les outils numériques au service de la démocratie dans les entreprises.",
        [],
    ),
}

# Entries of the cartography the mapping note cites, when the directory's demo is loaded.
CITED_BY_MAPPING_NOTE = {
    "tools": [
        "cap-collectif-plateforme",
        "fluicity-app",
        "make-org-consultations",
        "democracyos",
        "change-org-petitions",
    ],
    "organisations": ["regards-citoyens"],
}

D_, M_ = Schedule.DAYS, Schedule.MONTH
# slug: (title, kind, schedule, start date, end date or None, venue, summary, speakers,
#        partners, programme [(title, description)], follow-up publication slug)
EVENTS = {
    "rencontres-nationales-de-la-participation-2018": (
        "Rencontres nationales de la participation 2018",
        "conference",
        M_,
        (2018, 3, 1),
        None,
        "Métropole européenne de Lille",
        "L'Observatoire prend part aux Rencontres nationales de la participation, accueillies par la Métropole européenne de Lille.",
        [],
        [],
        [],
        None,
    ),
    "vers-un-reseau-des-budgets-participatifs": (
        "Vers un réseau des budgets participatifs ?",
        "matinee",
        D_,
        (2018, 6, 1),
        None,
        "",
        "Une plénière puis quatre ateliers pour recueillir les attentes des collectivités envers un réseau d'échange d'expériences sur le budget participatif. Quarante-cinq participants.",
        [("Yves Sintomer", "professeur, présentation en plénière")],
        ["Forum métropolitain du Grand Paris", "Caisse des dépôts"],
        [
            (
                "Plénière",
                "Présentation d'Yves Sintomer et retours d'expérience des budgets participatifs de Prague et de New York.",
            ),
            ("Atelier 1", "L'articulation entre numérique et présentiel."),
            ("Atelier 2", "Les indicateurs de mesure d'impact."),
            ("Atelier 3", "Le budget participatif dans les grandes aires urbaines."),
            ("Atelier 4", "La question de l'inclusion."),
        ],
        None,
    ),
    "atelier-oidp-barcelone-2018": (
        "Indicateurs d'impact des dispositifs participatifs numériques",
        "workshop",
        D_,
        (2018, 11, 27),
        None,
        "Conférence de l'OIDP, Barcelone",
        "Atelier organisé par l'Observatoire à la 18e conférence de l'OIDP : mesurer l'impact des dispositifs numériques et les combiner avec des temps en présentiel.",
        [],
        [],
        [],
        None,
    ),
    "atelier-forum-des-interconnectes-2018": (
        "Mettre en œuvre des outils numériques de participation",
        "workshop",
        D_,
        (2018, 12, 5),
        None,
        "Forum des Interconnectés, Lyon",
        "Atelier de travail au Forum des Interconnectés, où les premiers résultats du baromètre 2018 ont été présentés en avant-première.",
        [],
        [],
        [],
        "barometre-de-la-democratie-locale-numerique-2018",
    ),
    "democratie-numerique-a-l-echelle-locale-et-dans-les-entreprises": (
        "Démocratie numérique à l'échelle locale et dans les entreprises",
        "matinee",
        M_,
        (2018, 12, 1),
        None,
        "",
        "Matinée de questionnement inscrite au calendrier 2018-2019 de l'Observatoire.",
        [],
        [],
        [],
        None,
    ),
    "debattre-et-decider-a-l-ere-des-reseaux-sociaux": (
        "Débattre et décider à l'ère des réseaux sociaux",
        "conference",
        D_,
        (2018, 12, 10),
        None,
        "",
        "Un colloque sur l'effet des réseaux sociaux sur le débat public et la participation, réalisé avec le soutien d'Enedis. Près de 200 personnes y ont assisté.",
        [],
        ["Enedis"],
        [
            (
                "Informer et discuter sur les réseaux sociaux",
                "Chercheurs, représentants de Google et de Facebook et société civile sur la façon dont les citoyens s'informent en ligne et la régulation de l'information.",
            ),
            (
                "Concerter et consulter",
                "L'usage des réseaux sociaux dans les concertations d'industriels et de collectivités.",
            ),
            (
                "Mobiliser et dialoguer au quotidien",
                "ONG de mobilisation et chargé de concertation partagent conseils et retours d'expérience.",
            ),
        ],
        "debattre-et-decider-a-l-ere-des-reseaux-sociaux",
    ),
    "civic-tech-et-democratie-locale-numerique-rnp-2019": (
        "Civic tech et démocratie locale numérique",
        "training",
        D_,
        (2019, 3, 11),
        (2019, 3, 13),
        "Rencontres nationales de la participation, Grenoble",
        "Aux Rencontres nationales de la participation, l'Observatoire anime une formation, un débat sur l'usage des données dans la participation et le « civic tech break » 2019.",
        [],
        [],
        [],
        None,
    ),
    "journee-de-la-civic-tech-et-de-l-engagement-citoyen": (
        "Journée de la civic tech et de l'engagement citoyen",
        "conference",
        D_,
        (2019, 3, 18),
        None,
        "Paris",
        "Plus de quarante intervenants pour un état des lieux de la démocratie numérique en France : grand débat national, technologies citoyennes dans les institutions, écosystèmes de civic tech.",
        [],
        [],
        [
            (
                "Au programme",
                "4 tables rondes, 3 centrifugeuses, 4 retours d'expérience, 3 ateliers et 3 formations.",
            )
        ],
        None,
    ),
    "democratie-et-numerique-nouvelles-recherches": (
        "Démocratie et numérique : nouvelles recherches sur la participation et l'engagement citoyen",
        "conference",
        M_,
        (2019, 3, 1),
        None,
        "",
        "Colloque inscrit au calendrier 2018-2019 de l'Observatoire.",
        [],
        [],
        [],
        None,
    ),
    "metiers-et-competences-pour-la-democratie-locale-numerique": (
        "Métiers et compétences pour la démocratie locale numérique",
        "conference",
        D_,
        (2019, 5, 15),
        None,
        "",
        "Colloque organisé avec Ecoter sur les métiers et les compétences qu'exige la démocratie locale numérique.",
        [],
        ["Ecoter"],
        [],
        None,
    ),
    "voyage-d-etudes-new-york-boston": (
        "Voyage d'études à New York et Boston",
        "study_trip",
        M_,
        (2019, 5, 1),
        None,
        "New York et Boston (États-Unis)",
        "Apprendre des expériences américaines : à New York la mairie, Civic Hall et le GovLab ; à Boston le Mayor's Office of New Urban Mechanics.",
        [],
        [],
        [],
        None,
    ),
    "metiers-de-la-participation-citoyenne-numerique": (
        "Métiers de la participation citoyenne numérique : de l'État aux collectivités, des entreprises aux associations",
        "matinee",
        M_,
        (2019, 10, 1),
        None,
        "",
        "Matinée de questionnement inscrite au calendrier 2018-2019 de l'Observatoire.",
        [],
        [],
        [],
        "qui-sont-et-que-font-les-professionnels-de-la-civic-tech",
    ),
}


def _publish(page, parent=None):
    if page.pk is None:
        parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _sections(locales, homes):
    pages = {}
    for model, by_language in SECTIONS.items():
        french = None
        for code, (title, intro) in by_language.items():
            page = model.objects.filter(locale=locales[code]).first()
            if page is None and french is not None:
                page = french.copy_for_translation(locales[code], alias=False).specific
            elif page is None:
                page = model(slug=model.section_slug, locale=locales[code])
            page.title, page.intro = title, intro
            if model is AboutPage:
                page.objectives = [
                    ("objective", {"title": t, "text": x}) for t, x in OBJECTIVES[code]
                ]
                page.committee_text = COMMITTEE_TEXT[code]
                page.contact_text = CONTACT_TEXT[code]
            saved = _publish(page, homes[code])
            french = french or saved
            pages[(model, code)] = saved
    return pages


def _partners():
    partners = {}
    for order, (name, (kind, since)) in enumerate(PARTNERS.items()):
        partner, _created = Partner.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "since": since,
                "sort_order": order,
                "website": PARTNER_WEBSITES.get(name, ""),
            },
        )
        partners[name] = partner
    for order, (name, role) in enumerate(COMMITTEE):
        CommitteeMember.objects.update_or_create(
            name=name, defaults={"role": role, "partner": partners[name], "sort_order": order}
        )
    return partners


def _resources():
    for order, (title, url, category, description) in enumerate(RESOURCES):
        resource = Resource.objects.filter(url=url).first() or Resource(url=url)
        resource.title, resource.category, resource.description = title, category, description
        resource.sort_order = order
        resource.save()


def _cartography_block():
    from django.apps import apps

    if not apps.is_installed("observatoire.directory"):
        return None
    Tool = apps.get_model("directory", "Tool")
    Organisation = apps.get_model("directory", "Organisation")
    tools = list(Tool.objects.filter(slug__in=CITED_BY_MAPPING_NOTE["tools"], is_published=True))
    organisations = list(
        Organisation.objects.filter(
            slug__in=CITED_BY_MAPPING_NOTE["organisations"], is_published=True
        )
    )
    if not tools and not organisations:
        return None
    value = {
        "heading": "Quelques fiches de la cartographie",
        "tools": tools,
        "organisations": organisations,
        "initiatives": [],
    }
    return ("cartography", value)


def _publications(index):
    pages = {}
    for slug, (
        title,
        kind,
        (year, month),
        authors,
        tags,
        summary,
        paragraphs,
    ) in PUBLICATIONS.items():
        page = PublicationPage.objects.filter(
            locale=index.locale, slug=slug
        ).first() or PublicationPage(slug=slug, locale=index.locale)
        page.title, page.kind, page.summary = title, kind, summary
        page.date = datetime.date(year, month, 1)
        body = [("paragraph", RichText(f"<p>{text}</p>")) for text in paragraphs]
        if slug == "la-civic-tech-en-france-une-cartographie":
            block = _cartography_block()
            if block:
                body.append(block)
        page.body = body
        page.authors = [
            PublicationAuthor(name=name, sort_order=i) for i, name in enumerate(authors)
        ]
        page.tags.set(tags)
        pages[slug] = _publish(page, index)
    return pages


def _at(day):
    return datetime.datetime(*day, tzinfo=PARIS)


def _events(index, partners, publications):
    for slug, row in EVENTS.items():
        (
            title,
            kind,
            schedule,
            start,
            end,
            venue,
            summary,
            speakers,
            partner_names,
            programme,
            follow_up,
        ) = row
        page = EventPage.objects.filter(locale=index.locale, slug=slug).first() or EventPage(
            slug=slug, locale=index.locale
        )
        page.title, page.kind, page.schedule, page.summary, page.venue = (
            title,
            kind,
            schedule,
            summary,
            venue,
        )
        page.start = _at(start)
        page.end = _at(end) if end else None
        page.programme = [("item", {"title": t, "description": d}) for t, d in programme]
        page.speakers = [
            EventSpeaker(name=n, affiliation=a, sort_order=i) for i, (n, a) in enumerate(speakers)
        ]
        page.partners = [partners[name] for name in partner_names]
        page.follow_up_page = publications.get(follow_up)
        page.registration_open = False
        _publish(page, index)


@transaction.atomic
def load(stdout=None):
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code in ("fr", "en")}
    homes = {
        code: HomePage.objects.filter(locale=locale).first() for code, locale in locales.items()
    }
    if not all(homes.values()):
        if stdout:
            stdout.write(
                "Éditorial : pages d'accueil absentes, rien chargé (lancer d'abord la démo des pages)."
            )
        return
    sections = _sections(locales, homes)
    partners = _partners()
    _resources()
    publications = _publications(sections[(PublicationIndexPage, "fr")])
    _events(sections[(EventIndexPage, "fr")], partners, publications)
    if stdout:
        stdout.write(
            f"Éditorial : {len(PUBLICATIONS)} publications, {len(EVENTS)} événements, "
            f"{len(RESOURCES)} ressources, {len(PARTNERS)} partenaires (rubriques en fr et en)."
        )
