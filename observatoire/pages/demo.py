"""Demo content of the public site: the home page and the legal pages, in French and English.

Facts come from the observatory's leaflet (shared/seeds/000); the wording is ours.
Loading is idempotent: pages are found by slug and locale, and updated in place.
"""

from django.db import transaction
from wagtail.models import Locale, Page, Site

from observatoire.pages.models import HomePage, StandardPage

HOME = {
    "fr": {
        "title": "Observatoire des civic tech et de la démocratie numérique",
        "intro": (
            "<p>Les outils numériques de participation se multiplient dans les collectivités, "
            "les associations et les entreprises. L'Observatoire analyse ces <b>civic tech</b>, "
            "mesure leurs coûts et leurs effets, et met en réseau celles et ceux qui les font "
            "vivre : État, collectivités, start-up, associations et citoyens.</p>"
        ),
        "objectives": [
            (
                "Cartographier la civic tech et en décrypter les enjeux",
                "Repérer les acteurs, les outils et les initiatives, et examiner les questions "
                "techniques, économiques, politiques et sociales qu'ils soulèvent.",
            ),
            (
                "Accompagner les professionnels de la participation numérique",
                "Aider les équipes qui déploient des outils numériques de participation et "
                "d'engagement citoyen.",
            ),
            (
                "Favoriser le partage d'expériences",
                "Encourager les collaborations et l'apprentissage commun entre l'État, les "
                "collectivités, les entreprises, les associations et les citoyens.",
            ),
            (
                "Identifier les conditions de succès",
                "Comprendre ce qui fait réussir une démarche de participation numérique et "
                "soutenir les acteurs dans sa mise en œuvre.",
            ),
            (
                "Analyser l'ingénierie des acteurs",
                "Étudier les outils, les méthodes et les compétences de ces nouveaux acteurs, "
                "et leur professionnalisation.",
            ),
        ],
        "activities": [
            (
                "Recherche",
                "Baromètre de la démocratie locale numérique",
                "Une enquête annuelle auprès des collectivités sur leurs dispositifs de "
                "participation numérique, leurs moyens et leur évaluation.",
            ),
            (
                "Recherche",
                "Notes d'analyse et notes méthodologiques",
                "Plusieurs notes par an, nourries par les rencontres et la recherche doctorale, "
                "et des fiches pratiques pour les professionnels.",
            ),
            (
                "Rencontres",
                "Matinées de questionnement",
                "Des experts et des chercheurs décryptent un enjeu de la civic tech devant "
                "décideurs publics et acteurs privés.",
            ),
            (
                "Rencontres",
                "Ateliers de travail",
                "Des séances sur les questions opérationnelles des professionnels : outils, "
                "métiers, guides et soutien méthodologique.",
            ),
            (
                "Rencontres",
                "Voyages d'études",
                "Apprendre des expériences menées à l'étranger, par exemple à New York et à Boston.",
            ),
            (
                "Gouvernance",
                "Comité d'orientation",
                "Partenaires, scientifiques et experts orientent les travaux et veillent à la "
                "qualité et à l'indépendance de l'Observatoire.",
            ),
        ],
    },
    "en": {
        "title": "Civic Tech & Digital Democracy Observatory",
        "intro": (
            "<p>Digital participation tools are spreading through local governments, "
            "associations and companies. The Observatory studies these <b>civic tech</b> "
            "tools, measures their costs and effects, and connects the people who run them: "
            "the State, local governments, start-ups, associations and citizens.</p>"
        ),
        "objectives": [
            (
                "Map civic tech and decode its issues",
                "Identify actors, tools and initiatives, and examine the technical, economic, "
                "political and social questions they raise.",
            ),
            (
                "Support digital participation professionals",
                "Help the teams that deploy digital tools for participation and civic engagement.",
            ),
            (
                "Foster the sharing of experience",
                "Encourage collaboration and shared learning between the State, local "
                "governments, companies, associations and citizens.",
            ),
            (
                "Identify the conditions of success",
                "Understand what makes a digital participation process succeed and support "
                "actors in carrying it out.",
            ),
            (
                "Analyse the actors' engineering",
                "Study the tools, methods and skills of these new actors, and their "
                "professionalisation.",
            ),
        ],
        "activities": [
            (
                "Research",
                "Barometer of local digital democracy",
                "A yearly survey of local governments about their digital participation "
                "schemes, the means involved and their evaluation.",
            ),
            (
                "Research",
                "Analysis and methodology notes",
                "Several notes a year drawn from meetings and doctoral research, and practical "
                "guides for professionals.",
            ),
            (
                "Meetings",
                "Questioning mornings",
                "Experts and researchers decode a civic tech issue for policy makers and private actors.",
            ),
            (
                "Meetings",
                "Workshops",
                "Sessions on professionals' operational questions: tools, jobs, guides and "
                "methodological support.",
            ),
            (
                "Meetings",
                "Study trips",
                "Learning from experience abroad, for instance in New York and Boston.",
            ),
            (
                "Governance",
                "Steering committee",
                "Partners, scientists and experts steer the work and safeguard the quality and "
                "independence of the Observatory.",
            ),
        ],
    },
}

LEGAL = {
    "mentions-legales": {
        "fr": (
            "Mentions légales",
            "Qui publie ce site et qui l'héberge.",
            "<h2>Éditeur</h2><p>Ce site est édité par l'Observatoire des civic tech et de la "
            "démocratie numérique. Directeur ou directrice de la publication : à compléter "
            "par l'équipe de l'Observatoire.</p><h2>Hébergement</h2><p>Indiquer ici le nom, "
            "l'adresse et le téléphone de l'hébergeur.</p><h2>Licences</h2><p>Le logiciel "
            "Observatoire est libre (AGPL-3.0). Les données ouvertes publiées sont sous "
            "Licence Ouverte 2.0 sauf mention contraire.</p>",
        ),
        "en": (
            "Legal notice",
            "Who publishes and hosts this site.",
            "<h2>Publisher</h2><p>This site is published by the Civic Tech & Digital "
            "Democracy Observatory. Publication director: to be completed by the team.</p>"
            "<h2>Hosting</h2><p>Give the host's name, address and telephone here.</p>"
            "<h2>Licences</h2><p>The Observatoire software is free software (AGPL-3.0). "
            "Open data is published under the Licence Ouverte 2.0 unless stated otherwise.</p>",
        ),
    },
    "donnees-personnelles": {
        "fr": (
            "Données personnelles",
            "Quelles données nous traitons, pourquoi, et vos droits.",
            "<h2>Finalités</h2><p>Nous traitons les coordonnées professionnelles des "
            "contacts des collectivités pour leur adresser le baromètre annuel, et les "
            "adresses des personnes qui s'inscrivent à un événement ou à la lettre "
            "d'information. Aucune donnée n'est vendue ni cédée.</p><h2>Base légale et "
            "durée</h2><p>Intérêt légitime pour l'enquête auprès des collectivités, "
            "consentement pour la lettre d'information. Les contacts sont conservés trois "
            "ans après la dernière édition à laquelle ils ont été invités.</p><h2>Vos "
            "droits</h2><p>Chaque message contient un lien de désinscription en un clic. "
            "Vous pouvez demander l'accès, la rectification, l'export ou l'effacement de "
            "vos données en écrivant à l'équipe, et saisir la CNIL.</p>",
        ),
        "en": (
            "Personal data",
            "What data we process, why, and your rights.",
            "<h2>Purposes</h2><p>We process the professional contact details of local "
            "government staff to send them the yearly barometer, and the addresses of "
            "people who register for an event or the newsletter. No data is sold or "
            "transferred.</p><h2>Legal basis and retention</h2><p>Legitimate interest for "
            "the survey of local governments, consent for the newsletter. Contacts are kept "
            "three years after the last edition they were invited to.</p><h2>Your rights"
            "</h2><p>Every message has a one-click unsubscribe link. You may ask for access, "
            "correction, export or erasure of your data by writing to the team, and complain "
            "to the CNIL.</p>",
        ),
    },
    "accessibilite": {
        "fr": (
            "Déclaration d'accessibilité",
            "Conformité au RGAA 4.1 et voies de recours.",
            "<h2>État de conformité</h2><p>Ce site vise la conformité au RGAA 4.1 "
            "(WCAG 2.1 niveau AA). Chaque page est vérifiée automatiquement avec axe-core "
            "lors des tests ; un audit complet reste à réaliser, le site est donc "
            "« partiellement conforme ».</p><h2>Contenus non accessibles</h2><p>Les "
            "graphiques sont toujours accompagnés d'un tableau de données. Signalez-nous "
            "tout défaut.</p><h2>Voies de recours</h2><p>Si vous constatez un défaut "
            "d'accessibilité qui vous empêche d'accéder à un contenu, écrivez-nous ; sans "
            "réponse, vous pouvez saisir le Défenseur des droits.</p>",
        ),
        "en": (
            "Accessibility statement",
            "RGAA 4.1 conformance and remedies.",
            "<h2>Conformance</h2><p>This site aims at RGAA 4.1 (WCAG 2.1 AA). Every page is "
            "checked automatically with axe-core in the test suite; a full audit remains to "
            'be done, so the site is "partially conformant".</p><h2>Non-accessible '
            "content</h2><p>Charts always come with a data table. Please report any defect."
            "</p><h2>Remedies</h2><p>If an accessibility defect keeps you from some content, "
            "write to us; without an answer, you may refer the matter to the Défenseur des "
            "droits.</p>",
        ),
    },
}


# The living blocks of the demo's home page, in the order a visitor reads them.
HOME_BLOCKS = [
    ("key_figures", {"heading": ""}),
    ("findings", {"heading": "", "count": 2}),
    ("search", {"heading": ""}),
    ("publications", {"heading": "", "count": 3}),
    ("events", {"heading": "", "count": 3}),
    ("france_map", {"heading": ""}),
]


def _home_stream(items, block):
    if block == "objective":
        return [("objective", {"title": title, "text": text}) for title, text in items]
    return [
        ("activity", {"family": fam, "title": title, "text": text}) for fam, title, text in items
    ]


def _save(page, parent=None):
    if page.pk is None:
        parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@transaction.atomic
def load(stdout=None):
    """Create or update the home page and legal pages in both languages; point the Site at them."""
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code in HOME}
    root = Page.get_first_root_node()
    if root is None:  # a flushed database (transactional tests) has lost Wagtail's tree root
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locales["fr"]))

    homes = {}
    for code, content in HOME.items():
        home = HomePage.objects.filter(locale=locales[code]).first()
        if home is None:
            source = homes.get("fr")
            if source is not None:
                home = source.copy_for_translation(locales[code], copy_parents=False, alias=False)
                home = home.specific
            else:
                home = HomePage(slug="accueil", locale=locales[code])
        home.title = content["title"]
        home.intro = content["intro"]
        home.objectives = _home_stream(content["objectives"], "objective")
        home.activities = _home_stream(content["activities"], "activity")
        home.body = HOME_BLOCKS
        homes[code] = _save(home, root)

    # Wagtail's installer leaves a placeholder "Welcome" page as the default site root.
    site = Site.objects.filter(is_default_site=True).first()
    placeholder = site.root_page if site else None
    if site is None:
        site = Site(hostname="localhost", port=80, is_default_site=True)
    site.root_page = homes["fr"]
    site.site_name = HOME["fr"]["title"]
    site.save()
    if placeholder is not None and not isinstance(placeholder.specific, HomePage):
        placeholder.delete()

    for slug, by_language in LEGAL.items():
        french = None
        for code, (title, summary, body) in by_language.items():
            page = StandardPage.objects.filter(locale=locales[code], slug=slug).first()
            if page is None and french is not None:
                page = french.copy_for_translation(locales[code], alias=False).specific
            elif page is None:
                page = StandardPage(slug=slug, locale=locales[code])
            page.title, page.summary, page.body = title, summary, body
            saved = _save(page, homes[code])
            french = french or saved
    if stdout:
        stdout.write("Pages: accueil et pages légales (fr, en).")
