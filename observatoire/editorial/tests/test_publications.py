import datetime
import json
import re
import sys
from xml.etree import ElementTree

import feedparser
import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Locale, PageViewRestriction
from wagtail.rich_text import RichText

from observatoire.editorial.models import PublicationIndexPage, PublicationPage

from . import factory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def atom_problems(xml: bytes) -> list[str]:
    """The RFC 4287 requirements our readers rely on, checked element by element."""
    problems = []
    root = ElementTree.fromstring(xml)
    if root.tag != f"{ATOM}feed":
        return [f"root element is {root.tag}"]

    def one(parent, name, where):
        found = parent.findall(f"{ATOM}{name}")
        if len(found) != 1:
            problems.append(f"{where}: {len(found)} <{name}> instead of exactly one")
        return found[0] if found else None

    for name in ("id", "title"):
        one(root, name, "feed")
    updated = one(root, "updated", "feed")
    if updated is not None and not RFC3339.match(updated.text or ""):
        problems.append(f"feed: <updated> {updated.text!r} is not an RFC 3339 date")
    if not any(link.get("rel") == "self" for link in root.findall(f"{ATOM}link")):
        problems.append("feed: no rel=self link")
    feed_has_author = root.find(f"{ATOM}author/{ATOM}name") is not None
    ids = []
    for index, entry in enumerate(root.findall(f"{ATOM}entry")):
        where = f"entry {index}"
        entry_id = one(entry, "id", where)
        ids.append(entry_id.text if entry_id is not None else None)
        one(entry, "title", where)
        entry_updated = one(entry, "updated", where)
        if entry_updated is not None and not RFC3339.match(entry_updated.text or ""):
            problems.append(f"{where}: <updated> is not an RFC 3339 date")
        alternates = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        if not alternates and entry.find(f"{ATOM}content") is None:
            problems.append(f"{where}: neither an alternate link nor content")
        if not feed_has_author and entry.find(f"{ATOM}author/{ATOM}name") is None:
            problems.append(f"{where}: no author, and the feed has none")
    if len(ids) != len(set(ids)):
        problems.append("duplicate entry ids")
    return problems


# --- Listing and filters -------------------------------------------------------------------------


def test_publications_are_filtered_by_kind_year_and_tag(charlie, sections):
    factory.publication(
        "Note 2018", kind="analysis", date=datetime.date(2018, 10, 1), tags=["cartographie"]
    )
    factory.publication(
        "Étude 2018", kind="study", date=datetime.date(2018, 6, 1), tags=["réseaux sociaux"]
    )
    factory.publication(
        "Note 2019", kind="analysis", date=datetime.date(2019, 6, 1), tags=["métiers"]
    )

    def titles(query):
        response = charlie.get(f"/publications/{query}")
        assert response.status_code == 200
        return [page.title for page in response.context["results"]]

    assert titles("") == ["Note 2019", "Note 2018", "Étude 2018"]
    assert titles("?kind=analysis") == ["Note 2019", "Note 2018"]
    assert titles("?year=2018") == ["Note 2018", "Étude 2018"]
    assert titles("?kind=analysis&year=2018") == ["Note 2018"]
    assert titles("?tag=réseaux-sociaux") == ["Étude 2018"]
    assert titles("?kind=nimporte") == []  # an unknown value is an error, not "everything"
    form = charlie.get("/publications/").context["form"]
    assert [value for value, _label in form.fields["year"].choices] == ["", 2019, 2018]


def test_draft_and_private_publications_stay_out_of_every_public_list(
    charlie, alice_client, sections
):
    factory.publication("Note publiée", slug="note-publiee")
    draft = factory.publication("Note en préparation confidentielle", slug="brouillon", live=False)
    private = factory.publication("Note réservée confidentielle", slug="reservee")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    listing = charlie.get("/publications/").content.decode()
    feed = charlie.get("/publications/flux/").content.decode()
    search = charlie.get("/recherche/?q=confidentielle").content.decode()
    sitemap = charlie.get("/sitemap.xml").content.decode()

    for text in (listing, feed, sitemap):
        assert "note-publiee" in text
        assert "brouillon" not in text and "reservee" not in text
    assert "0 résultat" in search
    assert charlie.get("/publications/brouillon/").status_code == 404
    # Staff preview the draft in the admin.
    preview = alice_client.get(f"/admin/pages/{draft.pk}/view_draft/")
    assert preview.status_code == 200 and "Note en préparation" in preview.content.decode()


def test_english_visitors_see_french_publications_that_have_no_translation(charlie, site_pages):
    factory.sections("fr")
    factory.sections("en")
    only_french = factory.publication("Seulement en français")
    translated = factory.publication("Note traduite")
    english = translated.copy_for_translation(Locale.objects.get(language_code="en")).specific
    english.title = "Translated note"
    english.save_revision().publish()

    titles = {page.title for page in charlie.get("/en/publications/").context["results"]}

    assert titles == {"Seulement en français", "Translated note"}
    html = charlie.get("/en/publications/").content.decode()
    assert 'lang="fr"' in html and only_french.title in html


# --- Atom feed -----------------------------------------------------------------------------------


def test_publication_feed_is_valid_atom(charlie, sections):
    factory.publication("Note avec autrice", authors=["Tatiana de Feraudy"], tags=["baromètre"])
    factory.publication("Note & <caractères> spéciaux", date=datetime.date(2019, 12, 1))

    response = charlie.get("/publications/flux/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert atom_problems(response.content) == []
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert [entry.title for entry in parsed.entries] == [
        "Note & <caractères> spéciaux",
        "Note avec autrice",
    ]
    assert parsed.entries[1].author == "Tatiana de Feraudy"
    assert parsed.entries[1].link.startswith("http://testserver/publications/")
    assert "baromètre" in [tag.term for tag in parsed.entries[1].tags]


def test_an_empty_feed_is_still_valid_atom(charlie, sections):
    response = charlie.get("/publications/flux/")
    assert atom_problems(response.content) == []
    assert feedparser.parse(response.content).version == "atom10"


def test_atom_checker_notices_a_missing_updated_element():
    broken = b'<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title><author><name>a</name></author></feed>'
    assert "feed: 0 <updated> instead of exactly one" in atom_problems(broken)


# --- Page, metadata and validation ---------------------------------------------------------------


def test_publication_page_has_opengraph_and_schema_org_article(charlie, sections):
    page = factory.publication(
        "Baromètre 2018", kind="report", authors=["Tatiana de Feraudy"], tags=["baromètre"]
    )

    html = charlie.get(page.url).content.decode()

    assert html.count("<h1>") == 1
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Baromètre 2018">' in html
    assert f'<meta property="og:url" content="http://testserver{page.url}">' in html
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert data["@type"] == "Article"
    assert data["headline"] == "Baromètre 2018"
    assert data["author"] == [{"@type": "Person", "name": "Tatiana de Feraudy"}]
    assert data["datePublished"] == "2018-10-01"
    assert data["publisher"]["@type"] == "Organization"


def test_json_ld_cannot_break_out_of_its_script_element(charlie, sections):
    page = factory.publication("</script><script>alert(1)</script>")
    html = charlie.get(page.url).content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert json.loads(script)["headline"] == "</script><script>alert(1)</script>"


def test_feed_address_cannot_be_taken_by_a_publication(sections):
    with pytest.raises(ValidationError) as error:
        factory.publication("Flux")  # the slug would be "flux", the feed's address
    assert "slug" in error.value.message_dict
    assert not PublicationPage.objects.exists()


def test_section_pages_keep_their_address(sections):
    index = sections[PublicationIndexPage]
    index.slug = "nos-publications"
    index.full_clean()
    assert index.slug == "publications"


# --- Barometer chart block -----------------------------------------------------------------------
# With the real barometer module: test_embed_barometer.py.


def _chart_body():
    return [
        ("paragraph", RichText("<p>Avant le graphique.</p>")),
        ("barometer_chart", {"year": 2018, "question": "Q12", "caption": "Budget des dispositifs"}),
    ]


def test_chart_block_renders_nothing_public_until_the_barometer_provides_charts(
    charlie, sections, monkeypatch
):
    monkeypatch.setitem(sys.modules, "observatoire.barometer.embed", None)  # "no such module"
    page = factory.publication("Note avec graphique", body=_chart_body())

    public = charlie.get(page.url).content.decode()
    preview = page.make_preview_request().content.decode()

    assert "Avant le graphique." in public
    assert "Q12" not in public and "editorial-notice" not in public
    assert "editorial-notice" in preview
    assert "ne sont pas encore disponibles" in preview and "Q12" in preview
