"""The English interface: pages under /en/ speak English, and the catalogue is complete.

observatoire/locale/en holds every interface string outside the barometer (which has its own
catalogue in observatoire/barometer/locale). Update it with the commands in README.md.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from observatoire.territories.services import load_snapshot
from observatoire.territories.tests import factory as territories_factory
from tests.english import assert_english, page

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "observatoire" / "locale" / "en" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdf]|\{[a-z_]+\}|<[^<>]+>")


def read_po(path):
    """The entries of a .po file as dicts: flags, msgid, msgid_plural, msgstr (a list)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"flags": set(), "msgstr": []}
        field = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                value = ast.literal_eval(line)
                if field == "msgstr":
                    entry["msgstr"][-1] += value
                else:
                    entry[field] += value
            else:
                keyword, _, value = line.partition(" ")
                field = "msgstr" if keyword.startswith("msgstr") else keyword
                if field == "msgstr":
                    entry["msgstr"].append(ast.literal_eval(value))
                else:
                    entry[field] = ast.literal_eval(value)
        if "msgid" in entry or entry.get("obsolete"):
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def messages():
    entries = read_po(CATALOGUE)
    assert entries[0]["msgid"] == "", "the catalogue starts with its header"
    return entries[1:]


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def test_the_catalogue_is_complete_and_checked(messages):
    assert len(messages) > 900, "the catalogue covers the whole interface"
    untranslated = [e["msgid"] for e in messages if not all(e["msgstr"]) or not e["msgstr"]]
    fuzzy = [e.get("msgid") for e in messages if "fuzzy" in e["flags"]]
    obsolete = [e for e in messages if e.get("obsolete")]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"
    assert not obsolete, "obsolete (#~) entries: run makemessages and remove them"


def test_translations_keep_their_placeholders_and_plural_forms(messages):
    wrong = []
    for entry in messages:
        if "msgid_plural" in entry:
            if len(entry["msgstr"]) != 2 or placeholders(entry["msgstr"][1]) != placeholders(
                entry["msgid_plural"]
            ):
                wrong.append(entry["msgid"])
        elif placeholders(entry["msgstr"][0]) != placeholders(entry["msgid"]):
            wrong.append(entry["msgid"])
    assert not wrong, f"placeholders or plural forms differ: {wrong}"


def test_the_compiled_catalogue_matches_the_po_file(messages):
    """django.mo is what Django reads: it must hold every translation of django.po, unchanged."""
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages:
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            found = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
        elif context:
            found = [compiled.pgettext(context, entry["msgid"])]
        else:
            found = [compiled.gettext(entry["msgid"])]
        if found != entry["msgstr"]:
            stale.append(entry["msgid"])
    assert not stale, f"django.mo is out of date (run compilemessages): {stale[:10]}"


@pytest.fixture
def editorial_sections(site_pages):
    from observatoire.editorial.tests import factory

    return factory.sections("fr")


def test_english_home_page_has_an_english_frame(charlie, site_pages):
    html = page(charlie, "/en/")
    assert '<html lang="en">' in html
    assert_english(
        html,
        ["Skip to content", "Main navigation", ">Cartography<", ">Territories<", "Sitemap (XML)"],
        ["Aller au contenu", "Navigation principale", ">Cartographie<", "Plan du site"],
    )
    # The French site is untouched.
    assert "Aller au contenu" in page(charlie, "/")


def test_english_cartography_search(charlie, site_pages):
    html = page(charlie, "/en/cartographie/")
    assert_english(
        html,
        ["Search the cartography", "Propose an entry or a correction", "Open data"],
        ["Rechercher dans la cartographie", "Proposer une fiche", "Données ouvertes"],
    )


def test_english_territories_search_and_page(charlie, db, tmp_path):
    load_snapshot(snapshot=territories_factory.write_mini_snapshot(tmp_path / "mini.json.gz"))
    html = page(charlie, "/en/territoires/?q=Atlantide")
    assert_english(
        html,
        ["No territory matches", "The reference dataset"],
        ["Aucun territoire ne correspond", "Le référentiel"],
    )
    html = page(charlie, "/en/territoires/epci/200040715/")
    assert_english(
        html, ["3 member communes", "Total population"], ["communes membres", "Population totale"]
    )


def test_english_publications_and_events(charlie, editorial_sections):
    html = page(charlie, "/en/publications/")
    assert_english(
        html,
        ["Filter the publications", "Subscribe to the publications' Atom feed"],
        ["Filtrer les publications", "abonner au flux Atom"],
    )
    html = page(charlie, "/en/evenements/")
    assert_english(html, ["Upcoming", "Past events"], ["À venir", "Événements passés"])


def test_english_form_labels_and_errors(charlie, editorial_sections):
    html = page(charlie, "/en/lettre/")
    assert_english(html, ["Email address", "Sign me up"], ["Adresse e-mail", "M'inscrire"])
    html = charlie.post("/en/lettre/", {"email": ""}).content.decode()
    assert_english(html, ["Correct the fields flagged below."], ["Corrigez les champs"])


def test_english_error_pages(charlie, site_pages):
    response = charlie.get("/en/no-such-page/")
    assert response.status_code == 404
    assert_english(response.content.decode(), ["Page not found"], ["Page introuvable"])
    with translation.override("en"):
        html = render_to_string("500.html")
    assert_english(html, ["Server error", 'href="/en/"'], ["Erreur du serveur"])
