"""The barometer chart block with the barometer's real `embed.render_chart`."""

import pytest
from django.urls import reverse
from wagtail.rich_text import RichText

from observatoire.barometer.embed import render_chart
from observatoire.barometer.models import Edition
from observatoire.barometer.results.models import ResultsCache

# The results tests' small edition and their settings (immediate tasks, threshold of 10).
from observatoire.barometer.results.tests import factory as results_factory
from observatoire.barometer.results.tests.conftest import _immediate_tasks  # noqa: F401

from . import factory

pytestmark = pytest.mark.django_db
NNBSP = "\u202f"
QUESTION = "nouveaux_dispositifs"


@pytest.fixture
def small(db):
    """The results tests' published 2018 edition: 50 % "oui" weighted, base of 15."""
    return results_factory.Small()


def _note(year=2018, question=QUESTION, caption="Nouveaux dispositifs en 2018"):
    return factory.publication(
        "Note avec graphique",
        body=[
            ("paragraph", RichText("<p>Avant le graphique.</p>")),
            ("barometer_chart", {"year": year, "question": question, "caption": caption}),
        ],
    )


def test_publication_shows_the_chart_and_its_table_of_a_published_edition(charlie, sections, small):
    page = _note()

    html = charlie.get(page.url).content.decode()

    assert '<figure class="editorial-chart">' in html
    assert 'role="img"' in html and "Prévoyez-vous de nouveaux dispositifs ?" in html
    assert "<caption>" in html and "IC à 95 %" in html  # the accessible data table
    assert f"50,0{NNBSP}%" in html  # weighted, as on the public results page
    assert "Base : 15 collectivités répondantes" in html
    assert "<figcaption>Nouveaux dispositifs en 2018</figcaption>" in html
    assert reverse("barometer_results:question", args=[2018, QUESTION]) in html
    assert html.count("<h1") == 1


def test_chart_is_read_from_the_results_cache(small):
    render_chart(2018, QUESTION, "fr")
    cache = ResultsCache.objects.get(edition=small.edition, weighted=True)
    # The table is built at render from the cached estimate (labels in the page's language).
    cache.payload["analysis"]["estimates"][QUESTION]["rows"][0]["estimate"] = 0.123
    cache.save()

    assert "12,3" in render_chart(2018, QUESTION, "fr")
    assert ResultsCache.objects.filter(edition=small.edition).count() == 1


def test_unknown_question_or_edition_raises_lookup_error(small):
    with pytest.raises(LookupError, match="Q99"):
        render_chart(2018, "Q99", "fr")
    with pytest.raises(LookupError, match="aucune édition 2031"):
        render_chart(2031, QUESTION, "fr")


def test_unknown_question_is_explained_in_the_preview_only(charlie, sections, small):
    page = _note(question="Q99")

    public = charlie.get(page.url).content.decode()
    preview = page.make_preview_request().content.decode()

    assert "Avant le graphique." in public
    assert "editorial-notice" not in public and 'role="img"' not in public
    assert "editorial-notice" in preview and "Q99" in preview


def test_unpublished_edition_shows_nothing_public(charlie, sections):
    results_factory.Small(status=Edition.Status.OPEN)
    page = _note()

    with pytest.raises(LookupError, match="pas encore publiés"):
        render_chart(2018, QUESTION, "fr")
    public = charlie.get(page.url).content.decode()
    preview = page.make_preview_request().content.decode()

    assert "Avant le graphique." in public
    assert 'role="img"' not in public and "<caption>" not in public
    assert "dispositifs ?" not in public
    assert "pas encore publiés" in preview
    assert not ResultsCache.objects.exists()  # nothing computed for an unpublished edition
