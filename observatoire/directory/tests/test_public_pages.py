"""Entry pages, maps, timeline, comparison, Atom feed and data download of /cartographie/."""

import datetime
import io
import json
import math
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest
from django.utils import timezone

from observatoire.directory import maps, search
from observatoire.directory.models import KeyDate, KeyDateSource, Tool, ToolSource, ToolStatus
from observatoire.directory.views import tool_cohorts

from . import factory
from .test_public_search import build_directory

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def fresh_index(settings, tmp_path):
    # The whole directory's zip is cached in VAR_DIR: keep it (and the stamp) per test.
    settings.VAR_DIR = tmp_path
    search.forget()
    yield
    search.forget()


@pytest.fixture
def directory(db):
    return build_directory()


def json_ld(response) -> dict:
    found = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert found, "no JSON-LD on the page"
    return json.loads(found.group(1))


# --- Entry pages ------------------------------------------------------------------------------


def test_every_public_url_answers(charlie, directory):
    d = directory
    for url in [
        "/cartographie/",
        d.cap.get_absolute_url(),
        d.decidim.get_absolute_url(),
        d.budget_rennes.get_absolute_url(),
        "/cartographie/carte/",
        "/cartographie/chronologie/",
        "/cartographie/comparer/",
        f"/cartographie/comparer/?outils={d.decidim.slug},{d.cap_tool.slug}",
        "/cartographie/contribuer/",
        f"/cartographie/contribuer/?outil={d.decidim.slug}",
        "/cartographie/flux/",
        "/cartographie/donnees/",
        "/cartographie/donnees/cartographie-civic-tech.zip",
        "/en/cartographie/",
    ]:
        assert charlie.get(url).status_code == 200, url


def test_unknown_or_unpublished_entries_are_not_found(charlie, directory):
    assert charlie.get("/cartographie/outils/nexiste-pas/").status_code == 404
    assert charlie.get("/cartographie/acteurs/nexiste-pas/").status_code == 404
    assert charlie.get("/cartographie/initiatives/nexiste-pas/").status_code == 404
    assert charlie.get(directory.hidden_tool.get_absolute_url()).status_code == 404
    assert charlie.get(directory.hidden_org.get_absolute_url()).status_code == 404


def test_relations_show_from_both_ends(charlie, directory):
    factory.relation(
        "hosts", directory.democratie_ouverte, directory.cap, source_title="Rapport 2018"
    )
    host = charlie.get(directory.democratie_ouverte.get_absolute_url()).content.decode()
    assert (
        "Héberge" in host and f'href="{directory.cap.get_absolute_url()}">Cap Collectif</a>' in host
    )
    hosted = charlie.get(directory.cap.get_absolute_url()).content.decode()
    assert "Hébergé par" in hosted
    assert (
        f'href="{directory.democratie_ouverte.get_absolute_url()}">Démocratie Ouverte</a>' in hosted
    )
    # Structural links too: the tool Cap Collectif develops, the initiative it organises.
    assert "Développe" in hosted and "Cap Collectif Plateforme" in hosted
    assert "Organise" in hosted and "Consultation démocratie locale à Lyon" in hosted


def test_links_to_unpublished_entries_are_hidden(charlie, directory):
    factory.relation("partners", directory.cap, directory.hidden_org)
    html = charlie.get(directory.cap.get_absolute_url()).content.decode()
    assert "Association cachée" not in html


def test_tool_page_shows_status_history_sources_and_key_dates(charlie, directory):
    tool = directory.decidim
    ToolSource.objects.create(tool=tool, title="Site de Decidim", url="https://decidim.org")
    key_date = KeyDate.objects.create(
        title="Lancement de Decidim",
        date=datetime.date(2016, 2, 1),
        precision="month",
        is_published=True,
    )
    key_date.tools.add(tool)
    key_date.save()
    html = charlie.get(tool.get_absolute_url()).content.decode()
    assert "Statut dans le temps" in html and "Actif" in html
    assert '<a href="https://decidim.org" rel="noopener">Site de Decidim</a>' in html
    assert "février 2016" in html and "Lancement de Decidim" in html
    assert "Utilisé par" in html and "Budget participatif de Rennes" in html


def test_entry_pages_carry_valid_schema_org_json_ld(charlie, directory):
    organisation = json_ld(charlie.get(directory.ville_rennes.get_absolute_url()))
    assert organisation["@context"] == "https://schema.org"
    assert organisation["@type"] == "GovernmentOrganization"
    assert organisation["name"] == "Ville de Rennes"
    tool = json_ld(charlie.get(directory.cap_tool.get_absolute_url()))
    assert tool["@type"] == "SoftwareApplication"
    assert tool["applicationCategory"] == "Coproduction"
    assert tool["datePublished"] == "2014-06-01"
    assert tool["creator"][0]["name"] == "Cap Collectif"
    initiative = json_ld(charlie.get(directory.budget_rennes.get_absolute_url()))
    assert initiative["@type"] == "Event"
    assert initiative["location"] == {"@type": "Place", "name": "Rennes"}
    assert initiative["mainEntityOfPage"].endswith(directory.budget_rennes.get_absolute_url())


def test_json_ld_cannot_close_its_script_tag(charlie, directory):
    directory.decidim.description = "</script><script>alert(1)</script>"
    directory.decidim.save()
    html = charlie.get(directory.decidim.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(charlie.get(directory.decidim.get_absolute_url()))["description"].startswith(
        "</script>"
    )


# --- Maps and timeline ------------------------------------------------------------------------


def test_ecosystem_map_groups_tools_by_objective_with_tags_and_links(charlie, directory):
    response = charlie.get("/cartographie/carte/")
    html = response.content.decode()
    groups = {group.objective.label: group for group in response.context["groups"]}
    assert list(groups) == ["Information (1)", "Mobilisation (1)", "Coproduction (2)"]
    assert [tool.label for tool in groups["Coproduction (2)"].tools] == [
        "Cap Collectif Plateforme",
        "Decidim",
    ]
    assert {tag.label: tag.count for tag in groups["Coproduction (2)"].tags} == {
        "Relation au citoyen": 1,
        "Communautés": 1,
        "GovTech": 1,
    }
    assert 'role="group" aria-labelledby="eco-title eco-desc"' in html
    assert '<title id="eco-title">' in html
    # The drawing: clusters by objective then main tag, tools sized by their initiatives.
    clusters = {cluster.objective.label: cluster for cluster in response.context["clusters"]}
    coproduction = {
        group.tag.label: [(tool.label, tool.count) for tool in group.tools]
        for group in clusters["Coproduction (2)"].tags
    }
    assert coproduction == {
        "Communautés": [("Decidim", 1)],
        "Relation au citoyen": [("Cap Collectif Plateforme", 1)],
    }, "each tool under its main tag (ties: the tag code), with its published initiatives"
    url = directory.decidim.get_absolute_url()
    assert f'<a href="{url}" aria-label="Decidim (1 initiative)">' in html
    hidden_initiative_uses = [tool.count for tool in clusters["Information (1)"].tags[0].tools]
    assert hidden_initiative_uses == [0], "Voxe is used by no published initiative"
    # The list stays, as the accessible fallback.
    assert 'href="/cartographie/?type=outil&amp;objectif=coproduction"' in html


def test_cluster_discs_never_overlap_and_grow_with_use():
    discs = [maps._Disc(maps.tool_radius(uses)) for uses in (0, 1, 4, 9, 9, 2, 0, 30)]
    enclosing = maps.pack(discs)
    for number, disc in enumerate(discs):
        assert math.hypot(disc.x, disc.y) + disc.radius <= enclosing + 1e-9
        for other in discs[number + 1 :]:
            gap = math.hypot(disc.x - other.x, disc.y - other.y) - disc.radius - other.radius
            assert gap >= 4 - 1e-9
    assert maps.tool_radius(0) < maps.tool_radius(1) < maps.tool_radius(9)
    # Area, not radius, in proportion to the initiatives (beyond the base disc).
    assert (maps.tool_radius(16) - 9) == 2 * (maps.tool_radius(4) - 9)


def test_cluster_map_names_every_link_and_escapes_labels():
    tool = maps.Node("<Outil & co>", "/cartographie/outils/outil/", 3)
    cluster = maps.ObjectiveCluster(
        maps.Node("Information (1)", "/cartographie/?objectif=information", 1),
        [maps.TagCluster(maps.Node("Sensibilisation", "/cartographie/?etiquette=s", 1), [tool])],
        more=maps.Node("+ 2 autres outils", "/cartographie/?objectif=information"),
    )
    svg = maps.ecosystem_clusters_svg([cluster], title="Titre", desc="Description")
    assert 'aria-label="&lt;Outil &amp; co&gt; (3 initiatives)"' in svg
    assert svg.count("<a ") == 4, "objective, tag, tool and the rest of the tools"
    assert ">#Sensibilisation</text>" in svg
    assert maps.ecosystem_clusters_svg([], title="Titre", desc="Description") == ""


def test_france_thumbnail_is_light_and_keeps_every_departement():
    svg = maps.france_thumbnail_svg({"35": 2}, title="Carte", desc="Description")
    assert svg.count("<path ") == 96
    assert len(svg) < 45_000, "a thumbnail, not the 120 KB source"
    assert 'role="img" aria-labelledby="home-fr-title home-fr-desc"' in svg


def test_france_map_counts_initiatives_by_departement_with_a_table(charlie, directory):
    response = charlie.get("/cartographie/carte/")
    rows = {row["code"]: row for row in response.context["departements"]}
    assert (
        rows["35"]["initiative"] == 1
        and rows["35"]["tool"] == 1
        and rows["35"]["organisation"] == 1
    )
    assert (
        rows["69"]["initiative"] == 1
        and rows["69"]["tool"] == 1
        and rows["69"]["organisation"] == 1
    )
    html = response.content.decode()
    assert 'class="figure-svg france" role="img" aria-labelledby="fr-title fr-desc"' in html
    assert "Ille-et-Vilaine (35) : 1 initiative" in html
    assert "licence CC BY 4.0" in html
    assert 'href="/cartographie/?departement=35">Ille-et-Vilaine (35)</a>' in html


def test_france_outline_comes_from_the_npm_package():
    data = maps.france_departements()
    codes = {location["id"] for location in data["locations"]}
    assert len(codes) == 96 and {"2A", "2B", "75", "69"} <= codes


def test_classes_and_legend_for_the_map():
    assert maps.classes_for([0, 1, 1, 2, 10]) == [1, 2, 10]
    assert maps.classes_for([0, 0]) == []
    legend = maps.legend_items([1, 2, 10])
    assert [label for _colour, label in legend] == ["aucune", "1", "2", "3 à 10"]


def test_cohorts_count_launches_survivors_and_closures():
    day = datetime.date
    rows = tool_cohorts(
        [
            (day(2015, 1, 1), "active"),
            (day(2015, 6, 1), "closed"),
            (day(2017, 3, 1), "active"),
            (None, "active"),
        ],
        [day(2016, 5, 1)],
    )
    assert rows == [
        {"year": 2015, "launched": 2, "active": 1, "share": 50, "closed": 0},
        {"year": 2016, "launched": 0, "active": 0, "share": None, "closed": 1},
        {"year": 2017, "launched": 1, "active": 1, "share": 100, "closed": 0},
    ]
    assert tool_cohorts([], []) == []


def test_timeline_lists_key_dates_and_tool_cohorts(charlie, directory):
    key_date = KeyDate.objects.create(
        title="Naissance de Regards Citoyens",
        date=datetime.date(2010, 6, 1),
        precision="month",
        is_published=True,
    )
    KeyDateSource.objects.create(key_date=key_date, title="Diaporama 2018")
    KeyDate.objects.create(title="Brouillon", date=datetime.date(2011, 1, 1), is_published=False)
    ToolStatus.objects.filter(tool=directory.change).update(start_on=datetime.date(2019, 1, 1))
    response = charlie.get("/cartographie/chronologie/")
    html = response.content.decode()
    assert "Naissance de Regards Citoyens" in html and "Juin 2010" in html
    assert "Diaporama 2018" in html
    assert "Brouillon" not in html
    cohorts = {row["year"]: row for row in response.context["cohorts"]}
    assert cohorts[2014] == {"year": 2014, "launched": 1, "active": 1, "share": 100, "closed": 0}
    assert cohorts[2007]["launched"] == 1 and cohorts[2007]["active"] == 0
    assert cohorts[2019]["closed"] == 1
    assert 'class="figure-svg bars" role="img"' in html


# --- Comparison -------------------------------------------------------------------------------


def test_compare_two_tools_side_by_side(charlie, directory):
    response = charlie.get(
        f"/cartographie/comparer/?outils={directory.decidim.slug},{directory.cap_tool.slug}"
    )
    assert response.status_code == 200
    assert [tool.name for tool in response.context["tools"]] == [
        "Decidim",
        "Cap Collectif Plateforme",
    ]
    rows = {row["label"]: row for row in response.context["rows"]}
    assert rows["Logiciel libre"]["values"] == ["Oui", "Non"] and rows["Logiciel libre"]["differs"]
    assert rows["Objectif principal"]["values"] == ["Coproduction", "Coproduction"]
    assert not rows["Objectif principal"]["differs"]
    assert rows["Initiatives recensées qui l'utilisent"]["values"] == ["1", "1"]


def test_compare_accepts_names_and_repeated_parameters(charlie, directory):
    response = charlie.get("/cartographie/comparer/", {"outils": ["Decidim", "change.org", ""]})
    assert [tool.name for tool in response.context["tools"]] == ["Decidim", "Change.org"]


def test_compare_one_tool_offers_the_others_to_put_beside_it(charlie, directory):
    # The "Comparer cet outil" link of a tool page: no dead end, a choice of companions.
    response = charlie.get(f"/cartographie/comparer/?outils={directory.decidim.slug}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Comparer Decidim avec" in html
    pair = f"/cartographie/comparer/?outils={directory.decidim.slug},{directory.cap_tool.slug}"
    assert f'href="{pair}"' in html
    assert directory.hidden_tool.name not in html
    assert charlie.get(pair).status_code == 200


def test_compare_nothing_chosen_but_unknown_names_explains_what_to_do(charlie, directory):
    response = charlie.get("/cartographie/comparer/?outils=inconnu")
    assert response.status_code == 400
    assert "Choisissez au moins deux outils à comparer (vous en avez choisi 0)." in (
        response.content.decode()
    )
    assert response.context["tools"] == []


def test_compare_five_tools_offers_to_remove_one(charlie, directory):
    extra = factory.tool("Fluicity", objective="coproduction")
    d = directory
    slugs = [d.decidim.slug, d.cap_tool.slug, d.change.slug, d.voxe.slug, extra.slug]
    response = charlie.get("/cartographie/comparer/?outils=" + ",".join(slugs))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vous avez choisi 5 outils ; la comparaison en montre au plus 4 côte à côte." in html
    assert (
        f'href="/cartographie/comparer/?outils={",".join(slugs[1:])}">Retirer Decidim</a>' in html
    )


def test_compare_unknown_tool_points_to_the_search(charlie, directory):
    response = charlie.get("/cartographie/comparer/?outils=decidim,inconnu")
    assert response.status_code == 400
    assert "Aucun outil publié ne s'appelle « inconnu »." in response.content.decode().replace(
        "&#x27;", "'"
    )


# --- Feed -------------------------------------------------------------------------------------


def test_feed_is_valid_atom_with_new_and_updated_entries(charlie, directory):
    Tool.objects.filter(pk=directory.decidim.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )
    directory.decidim.refresh_from_db()
    directory.decidim.description = "Nouvelle version."
    directory.decidim.save()
    response = charlie.get("/cartographie/flux/")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}updated") is not None and root.find(f"{ATOM}id") is not None
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 10
    first = entries[0]
    assert first.find(f"{ATOM}title").text == "Fiche mise à jour (Outil) : Decidim"
    assert first.find(f"{ATOM}link").get("href").endswith(directory.decidim.get_absolute_url())
    assert first.find(f"{ATOM}updated").text
    assert first.find(f"{ATOM}id").text
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert "Nouvelle fiche (Acteur) : Ville de Rennes" in titles


def test_feed_follows_the_search_filters(charlie, directory):
    root = ET.fromstring(charlie.get("/cartographie/flux/?type=outil&libre=oui").content)
    assert [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")] == [
        "Nouvelle fiche (Outil) : Decidim"
    ]
    assert "Outils" in root.find(f"{ATOM}title").text


def test_search_page_links_to_its_feed(charlie, directory):
    html = charlie.get("/cartographie/?objectif=coproduction").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" '
        'title="Nouvelles fiches et mises à jour de cette recherche" '
        'href="/cartographie/flux/?objectif=coproduction">'
    ) in html


# --- Data download ----------------------------------------------------------------------------


def test_data_page_explains_licence_and_schema(charlie, directory):
    html = charlie.get("/cartographie/donnees/").content.decode()
    assert "Licence Ouverte" in html
    assert "<code>tools.csv</code>" in html and "<code>iap2_level</code>" in html
    assert 'href="/cartographie/donnees/cartographie-civic-tech.zip"' in html


def test_download_is_a_frictionless_package_narrowed_by_the_filters(charlie, directory):
    page = charlie.get("/cartographie/donnees/?type=outil&objectif=coproduction").content.decode()
    assert "2 fiches" in page
    assert (
        'href="/cartographie/donnees/cartographie-civic-tech.zip?type=outil&amp;objectif=coproduction"'
        in page
    )
    response = charlie.get(
        "/cartographie/donnees/cartographie-civic-tech.zip?type=outil&objectif=coproduction"
    )
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"datapackage.json", "tools.csv"} <= set(archive.namelist())
    assert "organisations.csv" not in archive.namelist()
    descriptor = json.loads(archive.read("datapackage.json"))
    assert descriptor["licenses"][0]["name"] == "etalab-2.0"
    rows = archive.read("tools.csv").decode().splitlines()
    assert len(rows) == 3  # header + the two coproduction tools
    assert {row.split(",")[0] for row in rows[1:]} == {
        directory.decidim.slug,
        directory.cap_tool.slug,
    }


def test_full_download_holds_every_published_entry_and_is_reused(charlie, directory, settings):
    response = charlie.get("/cartographie/donnees/cartographie-civic-tech.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    counts = {
        name: len(archive.read(name).decode().splitlines()) - 1
        for name in ("organisations.csv", "tools.csv", "initiatives.csv")
    }
    assert counts == {"organisations.csv": 3, "tools.csv": 4, "initiatives.csv": 3}
    cached = settings.VAR_DIR / "directory-datapackage.zip"
    built = cached.stat().st_mtime_ns
    charlie.get("/cartographie/donnees/cartographie-civic-tech.zip")
    assert cached.stat().st_mtime_ns == built  # nothing changed: the same file is served
    factory.tool("Nouvel outil", objective="information")
    rebuilt = charlie.get("/cartographie/donnees/cartographie-civic-tech.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(rebuilt.streaming_content)))
    assert len(archive.read("tools.csv").decode().splitlines()) - 1 == 5
