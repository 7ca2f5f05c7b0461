"""Frozen releases: the command, the admin button, the changelog, checksums, citation, and
that a release is served unchanged at its address and read by the API."""

import hashlib
import io
import json
import zipfile

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError

from observatoire.accounts import roles
from observatoire.api.models import FrozenRelease, Release
from observatoire.api.releases import data_files
from observatoire.directory.tests import factory as directory

pytestmark = pytest.mark.django_db


def cut(*args):
    out = io.StringIO()
    call_command("data", "release", *args, stdout=out)
    return Release.objects.order_by("-pk").first(), out.getvalue()


def archive_files(release) -> dict[str, bytes]:
    with release.archive.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_cartography_release_holds_package_codebook_changelog_checksums_citation(world):
    release, output = cut("cartography")
    assert release.slug == "cartographie-v1" and release.checksum in output
    files = archive_files(release)
    assert {"datapackage.json", "organisations.csv", "codebook.csv", "CHANGELOG.md"} <= set(files)
    assert {"CITATION.cff", "datacite.json", "SHA256SUMS"} <= set(files)
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256(files[name]).hexdigest() == digest
    citation = yaml.safe_load(files["CITATION.cff"])
    assert citation["cff-version"] == "1.2.0" and citation["version"] == "1"
    assert citation["license"] == "etalab-2.0" and citation["authors"]
    datacite = json.loads(files["datacite.json"])
    assert datacite["types"]["resourceTypeGeneral"] == "Dataset"
    assert datacite["identifiers"][0]["identifier"].endswith(
        "/donnees/versions/cartographie-v1.zip"
    )
    organisations = files["organisations.csv"].decode()
    assert "regards-citoyens" in organisations and world.secret.slug not in organisations
    assert b"table,field,type" in files["codebook.csv"]


def test_unchanged_data_gives_identical_files_and_checksums(world):
    assert data_files("cartography") == data_files("cartography")
    first, _ = cut("cartography")
    second, _ = cut("cartography")
    data = [
        name
        for name in first.files
        if name not in ("CHANGELOG.md", "CITATION.cff", "datacite.json")
    ]
    assert {n: first.files[n] for n in data} == {n: second.files[n] for n in data}
    assert second.version == 2
    assert "Aucun changement" in archive_files(second)["CHANGELOG.md"].decode()


def test_changelog_names_added_removed_and_changed_entries(world):
    cut("cartography")
    world.regards.description = "Une autre description"
    world.regards.save()
    world.closed.is_published = False
    world.closed.save()
    directory.organisation("Nouvelle association")
    release, _ = cut("cartography")
    organisations = release.changelog["tables"]["organisations.csv"]
    assert organisations["added"] == ["nouvelle-association"]
    assert organisations["changed"] == [{"id": "regards-citoyens", "fields": ["description"]}]
    assert release.changelog["tables"]["tools.csv"]["removed"] == ["outil-ferme"]
    markdown = archive_files(release)["CHANGELOG.md"].decode()
    assert "regards-citoyens : description" in markdown


def test_a_release_is_never_altered_nor_deleted(world):
    release, _ = cut("cartography")
    release.title = "Autre"
    with pytest.raises(FrozenRelease):
        release.save()
    with pytest.raises(FrozenRelease):
        release.delete()


def test_edition_release_needs_a_published_edition(edition, unpublished_edition):
    release, _ = cut("edition", "2018")
    assert release.slug == "barometre-2018-v1" and release.edition == edition.edition
    files = archive_files(release)
    assert {"reponses.csv", "dictionnaire.csv", "codebook.csv", "CITATION.cff"} <= set(files)
    assert b"marie.durand" not in files["reponses.csv"]
    with pytest.raises(CommandError, match="pas publiée"):
        cut("edition", "2026")
    with pytest.raises(CommandError, match="Aucune édition"):
        cut("edition", "1999")


def test_release_served_at_its_stable_address_and_read_by_the_api(charlie, world):
    release, _ = cut("cartography")
    response = charlie.get("/donnees/versions/cartographie-v1.zip")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == release.checksum
    page = charlie.get("/donnees/versions/").content.decode()
    assert "cartographie-v1.zip" in page and release.checksum in page
    body = json.loads(charlie.get("/api/v1/releases").content)
    assert [item["id"] for item in body] == ["cartographie-v1"]
    detail = json.loads(charlie.get("/api/v1/releases/cartographie-v1").content)
    assert detail["files"] == release.files
    csv_file = charlie.get("/api/v1/releases/cartographie-v1/files/organisations.csv")
    assert hashlib.sha256(csv_file.content).hexdigest() == release.files["organisations.csv"]
    assert charlie.get("/api/v1/releases/cartographie-v1/files/nope.csv").status_code == 404


def refused(response) -> bool:
    # Wagtail turns a refusal in an admin view into a redirect to the admin home, with a message.
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def _staff(django_user_model, role):
    user = django_user_model.objects.create_user(f"u-{role.name}", is_staff=True)
    user.groups.add(Group.objects.get(name=role.name))
    return user


def test_admin_button_cuts_a_release_for_the_team_that_owns_the_data(
    client, django_user_model, edition, world
):
    client.force_login(_staff(django_user_model, roles.CARTOGRAPHY))
    page = client.get("/admin/donnees/versions/")
    assert page.status_code == 200 and b"Publier une version de la cartographie" in page.content
    assert b"de l&#x27;\xc3\xa9dition 2018" not in page.content
    assert refused(client.post("/admin/donnees/versions/publier/edition/", {"year": 2018}))
    assert not Release.objects.exists()
    response = client.post("/admin/donnees/versions/publier/cartography/")
    assert response.status_code == 302
    assert Release.objects.get().slug == "cartographie-v1"

    client.force_login(_staff(django_user_model, roles.BAROMETER))
    assert refused(client.post("/admin/donnees/versions/publier/cartography/"))
    assert Release.objects.count() == 1
    client.post("/admin/donnees/versions/publier/edition/", {"year": 2018})
    assert Release.objects.filter(slug="barometre-2018-v1").exists()

    client.force_login(_staff(django_user_model, roles.EDITION))
    assert refused(client.get("/admin/donnees/versions/"))
