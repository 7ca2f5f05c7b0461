import pytest
from django.db import connection
from wagtail.rich_text import RichText

from observatoire.editorial.models import PublicationPage, Resource
from observatoire.editorial.search import site_search
from observatoire.editorial.text import query_stems, search_text

from . import factory

pytestmark = pytest.mark.django_db


def _titles(query, key):
    (section,) = site_search(query, only=key)
    return sorted(hit.title for hit in section.hits)


def test_search_text_is_folded_and_stems_are_french():
    assert search_text("Démocratie ŒUVRE", "l'État") == " democratie oeuvre l etat "
    assert query_stems("les consultations participatives") == ["consult", "particip"]


def test_french_stemming_finds_other_forms_of_a_word(sections):
    factory.publication(
        "La participation citoyenne numérique", summary="Des consultations en ligne."
    )
    factory.publication("Budgets des collectivités", summary="Les finances locales.")

    assert _titles("participatives", "publications") == ["La participation citoyenne numérique"]
    assert _titles("consultation", "publications") == ["La participation citoyenne numérique"]
    assert _titles("democratie numeriques", "publications") == []
    assert _titles("numeriques citoyens", "publications") == [
        "La participation citoyenne numérique"
    ]
    assert _titles("collectivite", "publications") == ["Budgets des collectivités"]


def test_search_reads_bodies_authors_and_tags(sections):
    factory.publication(
        "Note",
        body=[("paragraph", RichText("<p>Les <b>budgets participatifs</b> de Prague.</p>"))],
        authors=["Tatiana de Feraudy"],
        tags=["baromètre"],
    )
    assert _titles("prague", "publications") == ["Note"]
    assert _titles("feraudy", "publications") == ["Note"]
    assert _titles("barometre", "publications") == ["Note"]


def test_site_search_covers_events_resources_and_the_cartography(charlie, sections):
    from observatoire.directory.models import Tool

    factory.event("Matinée sur les pétitions en ligne")
    Resource.objects.create(
        title="Guide des pétitions",
        url="https://a.test/",
        description="Un guide.",
        category="guides",
    )
    Tool.objects.create(
        name="Change.org", description="Plateforme de pétitions en ligne.", is_published=True
    )
    Tool.objects.create(
        name="Pétitions cachées", description="Pas encore publiée.", is_published=False
    )

    response = charlie.get("/recherche/?q=petition")

    sections_found = {
        section.key: [hit.title for hit in section.hits] for section in response.context["sections"]
    }
    assert sections_found["events"] == ["Matinée sur les pétitions en ligne"]
    assert sections_found["resources"] == ["Guide des pétitions"]
    assert sections_found["cartography"] == ["Change.org"]
    assert response.context["total"] == 3
    assert "/cartographie/outils/" in response.content.decode()


def test_queries_of_stop_words_only_find_nothing(sections):
    factory.publication("Le la les des")
    assert _titles("les des", "publications") == []


def test_search_uses_postgresql_full_text_search_there(sections):
    factory.publication("Démocratie locale numérique")
    queryset = PublicationPage.objects.site_search("democraties")
    sql = str(queryset.query)
    if connection.vendor == "postgresql":
        assert "to_tsvector" in sql and "french" in sql
    else:
        assert "to_tsvector" not in sql
    assert [page.title for page in queryset] == ["Démocratie locale numérique"]
