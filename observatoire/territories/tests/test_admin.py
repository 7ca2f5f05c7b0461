"""Staff admin of the référentiel: browse, filter, inspect; never edit."""

import pytest

from observatoire.territories.models import Frame, FrameMember, Territory
from observatoire.territories.services import build_frame

pytestmark = pytest.mark.django_db

TERRITORIES = "/admin/territoires/referentiel/"
FRAMES = "/admin/territoires/bases/"
MEMBERS = "/admin/territoires/membres/"


def test_anonymous_visitor_is_sent_to_the_login_page(mini_referentiel, charlie):
    for url in [TERRITORIES, FRAMES, MEMBERS]:
        response = charlie.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_non_staff_user_cannot_browse_the_referentiel(mini_referentiel, bob_client):
    response = bob_client.get(TERRITORIES)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_staff_member_browses_filters_and_searches_territories(mini_referentiel, alice_client):
    response = alice_client.get(TERRITORIES)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Grenoble" in html and "Métropole de Lyon" in html
    auvergne = Territory.objects.get(kind="region", code="84")
    html = alice_client.get(TERRITORIES, {"kind": "epci", "region": auvergne.pk}).content.decode()
    assert "Saint-Étienne Métropole" in html and "Métropole du Grand Paris" not in html
    assert "<td>Ajaccio" not in html
    html = alice_client.get(TERRITORIES, {"q": "saint etienne"}).content.decode()
    assert "Saint-Étienne-le-Molard" in html and "Grenoble-Alpes-Métropole" not in html


def test_staff_member_inspects_a_territory_but_finds_no_edit_form(mini_referentiel, alice_client):
    grenoble = Territory.objects.get(kind="commune", code="38185")
    html = alice_client.get(f"{TERRITORIES}inspect/{grenoble.pk}/").content.decode()
    assert "213801855" in html and "38000, 38100" in html
    assert alice_client.get(f"{TERRITORIES}edit/{grenoble.pk}/").status_code == 404
    assert alice_client.get(f"{TERRITORIES}new/").status_code == 404
    assert alice_client.post(f"{TERRITORIES}delete/{grenoble.pk}/").status_code == 404
    assert Territory.objects.filter(pk=grenoble.pk).exists()
    assert f"{TERRITORIES}edit/" not in alice_client.get(TERRITORIES).content.decode()


def test_staff_member_sees_frames_with_their_counts(mini_referentiel, alice_client):
    frame, _created = build_frame(year=2026)
    html = alice_client.get(FRAMES).content.decode()
    assert "Base de sondage 2026" in html
    html = alice_client.get(f"{FRAMES}inspect/{frame.pk}/").content.decode()
    assert "Effectifs par strate" in html and "100 000 et plus" in html.replace("\xa0", " ")
    assert "Ville de Paris" in html
    html = alice_client.get(MEMBERS, {"frame": frame.pk, "kind": "region"}).content.decode()
    assert "Corse" in html and "Grenoble" not in html
    member = FrameMember.objects.filter(frame=frame).first()
    assert alice_client.get(f"{MEMBERS}inspect/{member.pk}/").status_code == 200
    assert alice_client.post(f"{FRAMES}delete/{frame.pk}/").status_code == 404
    assert Frame.objects.filter(pk=frame.pk).exists()


def test_the_admin_menu_offers_the_territories_to_staff(mini_referentiel, alice_client):
    html = alice_client.get("/admin/").content.decode()
    assert TERRITORIES in html and FRAMES in html
