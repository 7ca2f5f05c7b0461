import pytest
from django.db import connection

from observatoire.directory.models import Initiative, Organisation, Tool

from . import factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    ouverte = factory.organisation(
        "Démocratie Ouverte", kind="reseau", description="Réseau d'innovation démocratique"
    )
    citoyens = factory.organisation(
        "Regards Citoyens", kind="association", ecosystems=["open-data"]
    )
    hidden = factory.organisation("Démocratie cachée", published=False)
    deputes = factory.tool(
        "NosDéputés.fr",
        makers=[citoyens],
        tags=["controle-citoyen"],
        functions=["suivi-parlementaire"],
    )
    consultation = factory.initiative(
        "Consultation République numérique", description="Consultation en ligne"
    )
    return {
        "ouverte": ouverte,
        "citoyens": citoyens,
        "hidden": hidden,
        "deputes": deputes,
        "consultation": consultation,
    }


@pytest.mark.parametrize(
    "query", ["democratie", "DÉMOCRATIE", "Démocratie ouverte", "  démocratie   OUVERTE "]
)
def test_search_ignores_accents_case_and_spaces(entries, query):
    assert entries["ouverte"] in Organisation.objects.search(query)


def test_every_word_must_match(entries):
    assert list(Organisation.objects.search("democratie ouverte")) == [entries["ouverte"]]
    assert not Organisation.objects.search("democratie citoyens").exists()


def test_search_matches_prefixes_and_plurals(entries):
    assert list(Initiative.objects.search("consult")) == [entries["consultation"]]
    assert list(Initiative.objects.search("consultations")) == [entries["consultation"]]


def test_search_reaches_related_names(entries):
    assert list(Tool.objects.search("regards citoyens")) == [entries["deputes"]], "by maker"
    assert list(Tool.objects.search("controle citoyen")) == [entries["deputes"]], "by tag"
    assert list(Organisation.objects.search("open data")) == [entries["citoyens"]], "by ecosystem"


def test_published_hides_unmoderated_entries(entries):
    assert set(Organisation.objects.search("democratie")) == {entries["ouverte"], entries["hidden"]}
    assert list(Organisation.objects.published().search("democratie")) == [entries["ouverte"]]


def test_empty_query_returns_everything(entries):
    assert Organisation.objects.search("  ").count() == 3


def test_punctuation_cannot_break_the_query(entries):
    assert list(Tool.objects.search("nosdéputés.fr (|!:*'")) == [entries["deputes"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="French stemming needs PostgreSQL")
def test_postgresql_stems_french_words_and_uses_the_gin_index(entries):
    Organisation.objects.filter(pk=entries["ouverte"].pk).update(search_text="reseaux ouverts")
    assert Organisation.objects.search("reseau ouvert").get() == entries["ouverte"], (
        "trigger keeps the vector"
    )
    factory.initiative("Budgets participatifs des quartiers")
    assert Initiative.objects.search("budget participatif").count() == 1
    assert list(Tool.objects.search("deputes")) == [entries["deputes"]], "inside a name"
    with connection.cursor() as cursor:
        # Tiny tables make a sequential scan cheaper; forbid it to see which index fits.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        sql, params = Organisation.objects.search("democratie").order_by().query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    assert "directory_organisation_search_vector" in plan
