import pytest
from django.template import Context, Template
from wagtail.rich_text import RichText

from observatoire.editorial.queries import publications_citing

from . import factory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(db):
    from observatoire.directory.models import Organisation, Tool

    return {
        "tool": Tool.objects.create(
            name="Cap Collectif", description="Plateforme de consultation.", is_published=True
        ),
        "other": Tool.objects.create(name="Fluicity", is_published=True),
        "organisation": Organisation.objects.create(name="Regards Citoyens", is_published=True),
        "hidden": Tool.objects.create(name="Outil non publié", is_published=False),
    }


def _citing(*, tools=(), organisations=()):
    return [
        ("paragraph", RichText("<p>Texte.</p>")),
        (
            "cartography",
            {
                "heading": "Fiches citées",
                "tools": list(tools),
                "organisations": list(organisations),
                "initiatives": [],
            },
        ),
    ]


def test_publications_citing_an_entry_are_found_through_the_reference_index(sections, entries):
    cartography = factory.publication(
        "Cartographie",
        body=_citing(tools=[entries["tool"]], organisations=[entries["organisation"]]),
    )
    other = factory.publication("Autre note", body=_citing(tools=[entries["other"]]))
    factory.publication("Brouillon qui cite", body=_citing(tools=[entries["tool"]]), live=False)

    assert list(publications_citing(entries["tool"])) == [cartography]
    assert list(publications_citing(entries["organisation"])) == [cartography]
    assert list(publications_citing(entries["other"])) == [other]


def test_removing_the_citation_removes_the_link(sections, entries):
    page = factory.publication("Cartographie", body=_citing(tools=[entries["tool"]]))
    page.body = [("paragraph", RichText("<p>Plus de fiche.</p>"))]
    page.save_revision().publish()
    assert not publications_citing(entries["tool"]).exists()


def test_publication_shows_published_entries_as_cards(charlie, sections, entries):
    page = factory.publication(
        "Cartographie", body=_citing(tools=[entries["tool"], entries["hidden"]])
    )

    html = charlie.get(page.url).content.decode()

    assert "Fiches citées" in html
    assert (
        'href="/cartographie/outils/cap-collectif/"' in html
        or entries["tool"].get_absolute_url() in html
    )
    assert "Outil non publié" not in html


def test_cited_in_include_lists_the_citing_publications(sections, entries, rf):
    factory.publication("Cartographie de la civic tech", body=_citing(tools=[entries["tool"]]))
    template = Template('{% include "editorial/includes/cited_in.html" with entry=entry %}')

    cited = template.render(
        Context({"entry": entries["tool"], "request": rf.get("/"), "LANGUAGE_CODE": "fr"})
    )
    not_cited = template.render(Context({"entry": entries["other"], "request": rf.get("/")}))

    assert "Cité dans nos publications" in cited and "Cartographie de la civic tech" in cited
    assert not_cited.strip() == ""
