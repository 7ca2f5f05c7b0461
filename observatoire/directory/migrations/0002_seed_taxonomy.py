"""Seed the editable taxonomy so a fresh install has it (staff may rename or add values later).

Values come from the 2018 civic tech map of the observatory (objectives and #tags) and from the
issue describing the cartography (kinds of actor, ecosystems, functions, relation types).
The data is copied here on purpose: a migration must not depend on code that changes later.
"""

from django.db import migrations

ACTOR_KINDS = [
    ("association", "Association", False),
    ("entreprise", "Entreprise ou start-up", False),
    ("agence-publique", "Institution ou agence publique", False),
    ("collectivite", "Collectivité territoriale", True),
    ("recherche", "Organisme de recherche", False),
    ("reseau", "Réseau ou collectif", False),
    ("lieu-innovation", "Lieu d'innovation (living lab, tiers-lieu)", False),
    ("think-tank", "Think tank", False),
]

ECOSYSTEMS = [
    ("civic-tech", "Civic tech"),
    ("open-data", "Open data"),
    ("govtech", "GovTech"),
    ("tech-for-good", "Tech for good"),
    ("gouvernement-ouvert", "Gouvernement ouvert"),
    ("communs-numeriques", "Communs numériques et logiciel libre"),
    ("innovation-publique", "Innovation publique"),
    ("mediation-numerique", "Médiation et inclusion numériques"),
    ("participation-citoyenne", "Participation citoyenne"),
]

OBJECTIVES = [
    (
        "information",
        "Information",
        "Rendre l'action publique lisible : données, comparateurs, suivi des élus.",
    ),
    (
        "mobilisation",
        "Mobilisation",
        "Rassembler les citoyens autour d'une cause : pétitions, interpellations, campagnes.",
    ),
    (
        "coproduction",
        "Coproduction",
        "Associer les citoyens à la décision : consultations, budgets participatifs, débats.",
    ),
]

TAGS = [
    ("sensibilisation", "Sensibilisation"),
    ("relation-au-citoyen", "Relation au citoyen"),
    ("communautes", "Communautés"),
    ("interpellation", "Interpellation"),
    ("govtech", "GovTech"),
    ("controle-citoyen", "Contrôle citoyen"),
    ("lobby-citoyen", "Lobby citoyen"),
]

FUNCTIONS = [
    ("consultation", "Consultation"),
    ("petition", "Pétition"),
    ("budget-participatif", "Budget participatif"),
    ("signalement", "Signalement"),
    ("cartographie-participative", "Cartographie participative"),
    ("debat-deliberation", "Débat et délibération"),
    ("vote-sondage", "Vote et sondage"),
    ("comparateur-programmes", "Comparateur de programmes"),
    ("suivi-parlementaire", "Suivi parlementaire"),
    ("open-data", "Données ouvertes"),
]

THEMES = [
    ("institutions", "Institutions et vie démocratique"),
    ("legislation", "Élaboration de la loi"),
    ("amenagement-urbanisme", "Aménagement et urbanisme"),
    ("budget-finances", "Budget et finances publiques"),
    ("environnement", "Environnement et climat"),
    ("mobilites", "Mobilités et transports"),
    ("numerique", "Numérique"),
    ("education-jeunesse", "Éducation et jeunesse"),
    ("sante-social", "Santé et action sociale"),
    ("culture", "Culture"),
    ("economie-emploi", "Économie et emploi"),
]

RELATION_TYPES = [
    ("develops", "développe", "développé par"),
    ("funds", "finance", "financé par"),
    ("partners", "partenaire de", "partenaire de"),
    ("member-of", "membre de", "a pour membre"),
    ("hosts", "héberge", "hébergé par"),
    ("acquired-by", "racheté par", "a racheté"),
    ("succeeded-by", "remplacé par", "succède à"),
    ("uses", "utilise", "utilisé par"),
    ("organises", "organise", "organisé par"),
]


def seed(apps, schema_editor):
    def create(model_name, rows):
        model = apps.get_model("directory", model_name)
        for order, (code, fields) in enumerate(rows, start=1):
            model.objects.get_or_create(code=code, defaults={"sort_order": order, **fields})

    create("ActorKind", [(c, {"name": n, "is_local_government": lg}) for c, n, lg in ACTOR_KINDS])
    create("Ecosystem", [(c, {"name": n}) for c, n in ECOSYSTEMS])
    create("Objective", [(c, {"name": n, "description": d}) for c, n, d in OBJECTIVES])
    create("Tag", [(c, {"name": n}) for c, n in TAGS])
    create("Function", [(c, {"name": n}) for c, n in FUNCTIONS])
    create("Theme", [(c, {"name": n}) for c, n in THEMES])
    create("RelationType", [(c, {"name": n, "inverse_name": i}) for c, n, i in RELATION_TYPES])


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
