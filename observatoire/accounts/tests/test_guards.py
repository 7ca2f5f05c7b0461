"""The hole of issue 11: staff pages of the barometer checked `is_staff` only.

An editor (staff, in the "Édition" role) must not read or change a territory's answers, see an
unpublished edition's results or download its files; the barometer team must.
"""

import pytest

from observatoire.accounts import roles
from observatoire.barometer.models import Edition, Response
from observatoire.barometer.results.tests import factory

pytestmark = pytest.mark.django_db

STAFF_PAGE = "/barometre/saisie/{year}/commune/{code}/phone/page/{page}/"


@pytest.fixture
def unpublished(db):
    return factory.Small(year=2026, status=Edition.Status.OPEN)


def _staff_urls(small):
    commune = small.communes[0].code
    base = f"/barometre/saisie/2026/commune/{commune}/phone/"
    return [base, base + "page/" + small.edition.form.pages[0].name + "/", base + "recapitulatif/"]


def test_editor_cannot_read_or_change_a_territory_response(client_of, unpublished):
    editor = client_of(roles.EDITION)
    for url in _staff_urls(unpublished):
        assert editor.get(url).status_code == 403, url
    response = unpublished.responses[0]
    page = unpublished.edition.form.pages[0].name
    posted = editor.post(
        STAFF_PAGE.format(year=2026, code=response.territory.code, page=page),
        {"etp": "777", "version": response.version},
    )
    assert posted.status_code == 403
    assert Response.objects.get(pk=response.pk).answers["etp"] == 1.5


def test_editor_cannot_see_unpublished_results_or_download_them(client_of, unpublished):
    editor = client_of(roles.EDITION)
    assert editor.get("/barometre/2026/resultats/").status_code == 404
    assert editor.get("/barometre/2026/donnees/barometre-2026.csv").status_code == 404
    assert editor.get("/barometre/2026/rapport.pdf").status_code == 404
    assert b"2026" not in editor.get("/barometre/tendances/").content


def test_barometer_team_enters_answers_and_sees_unpublished_results(client_of, unpublished):
    team = client_of(roles.BAROMETER)
    for url in _staff_urls(unpublished):
        assert team.get(url).status_code == 200, url
    assert team.get("/barometre/2026/resultats/").status_code == 200
    download = team.get("/barometre/2026/donnees/barometre-2026.csv")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")


def test_anonymous_visitor_is_sent_to_sign_in_and_respondent_refused(
    charlie, bob_client, unpublished
):
    url = _staff_urls(unpublished)[0]
    signed_out = charlie.get(url)
    assert signed_out.status_code == 302 and "/admin/login/" in signed_out["Location"]
    signed_in = bob_client.get(url)
    assert signed_in.status_code == 302 and "/admin/login/" in signed_in["Location"]


def test_staff_without_the_role_cannot_save_through_the_service(member_of, unpublished):
    from django.core.exceptions import PermissionDenied

    from observatoire.barometer.services import Actor, save_page

    response = unpublished.responses[0]
    editor = member_of(roles.EDITION)
    with pytest.raises(PermissionDenied):
        save_page(
            response=response,
            page=unpublished.edition.form.pages[0].name,
            answers={"etp": 777},
            base_version=response.version,
            by=Actor(user=editor, channel="phone"),
        )
    assert Response.objects.get(pk=response.pk).answers["etp"] == 1.5
