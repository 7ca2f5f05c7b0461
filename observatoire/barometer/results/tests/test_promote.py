import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from observatoire.barometer.models import Response
from observatoire.directory.models import Initiative, Tool

from ..models import PromotedScheme
from ..services import NotPromotable, promote_scheme_to_initiative
from . import factory

FICHE = {
    "fd_nom": "Budget participatif 2018",
    "fd_outil": "Decidim ",
    "fd_fonction": "coproduction",
    "fd_budget": "10k_50k",
    "fd_etp": "1,5",
    "fd_participants": 420,
    "fd_contributions": 96,
    "fd_effet_decisions": "fort",
    "fd_date_debut": "2018-03-01",
    "fd_commentaire": "Vote des habitants sur 12 projets.",
}


@pytest.fixture
def fiches(db):
    small = factory.Small()
    for response in small.responses[:3]:  # 0 and 1 consented to be named, 2 did not
        answers = {**response.answers, "fiche_dispositif": [{"fd_nom": "Réunion"}, FICHE]}
        Response.objects.filter(pk=response.pk).update(answers=answers)
        response.refresh_from_db()
    Tool.objects.create(name="Décidim", is_published=True)
    return small


def test_promotion_makes_a_draft_initiative_with_the_fiche(fiches, alice):
    response = fiches.responses[0]
    initiative = promote_scheme_to_initiative(response=response, index=2, by=alice)
    initiative.refresh_from_db()
    assert initiative.name == "Budget participatif 2018"
    assert initiative.is_published is False
    assert initiative.organiser_territory == response.territory
    assert [t.name for t in initiative.tools.all()] == ["Décidim"]
    assert initiative.budget_bracket == "10k-50k"
    assert (initiative.budget_min, initiative.budget_max) == (10_000, 50_000)
    assert float(initiative.staff_fte) == 1.5
    assert (initiative.participants, initiative.contributions) == (420, 96)
    assert initiative.decision_effect == "changed"
    assert initiative.start_on.isoformat() == "2018-03-01"
    assert initiative.description == "Vote des habitants sur 12 projets."
    assert "2018" in initiative.sources.get().title
    link = PromotedScheme.objects.get()
    assert (link.response, link.index, link.created_by) == (response, 2, alice)


def test_promotion_is_idempotent(fiches, alice):
    first = promote_scheme_to_initiative(response=fiches.responses[0], index=2, by=alice)
    second = promote_scheme_to_initiative(response=fiches.responses[0], index=2, by=alice)
    assert first.pk == second.pk
    assert Initiative.objects.count() == 1
    other = promote_scheme_to_initiative(response=fiches.responses[0], index=1, by=alice)
    assert other.pk != first.pk and other.tools.count() == 0


def test_promotion_requires_consent_and_an_existing_fiche(fiches, alice):
    with pytest.raises(NotPromotable, match="accepté d'être nommée"):
        promote_scheme_to_initiative(response=fiches.responses[2], index=2, by=alice)
    with pytest.raises(NotPromotable, match="pas de fiche-dispositif n° 3"):
        promote_scheme_to_initiative(response=fiches.responses[0], index=3, by=alice)
    assert not Initiative.objects.exists() and not PromotedScheme.objects.exists()


def test_promotion_is_for_staff_only(fiches, bob):
    with pytest.raises(PermissionDenied):
        promote_scheme_to_initiative(response=fiches.responses[0], index=2, by=bob)
    assert not Initiative.objects.exists()


def url(response, index):
    return reverse("barometer_results:promote-scheme", args=[2018, response.pk, index])


def test_staff_promotes_from_the_costs_page_with_a_confirmation(fiches, alice_client):
    page = alice_client.get(reverse("barometer_results:costs", args=[2018])).content.decode()
    assert url(fiches.responses[0], 2) in page
    assert url(fiches.responses[2], 2) not in page  # no consent: no button
    response = alice_client.post(url(fiches.responses[0], 2), follow=True)
    html = response.content.decode()
    assert "« Budget participatif 2018 » est dans la cartographie" in html
    assert "Versée : Budget participatif 2018" in html
    refused = alice_client.post(url(fiches.responses[2], 2), follow=True).content.decode()
    assert "n&#x27;a pas accepté d&#x27;être nommée" in refused
    assert Initiative.objects.count() == 1


def test_visitors_cannot_promote(fiches, charlie, bob_client):
    for client in (charlie, bob_client):
        response = client.post(url(fiches.responses[0], 2))
        assert response.status_code == 302 and "login" in response["Location"]
        page = client.get(reverse("barometer_results:costs", args=[2018])).content.decode()
        assert url(fiches.responses[0], 2) not in page
    assert charlie.get(url(fiches.responses[0], 2)).status_code == 405
    assert not Initiative.objects.exists()


def test_staff_costs_page_lists_the_fiches_once_and_keeps_a_plain_title(fiches, alice_client):
    html = alice_client.get(reverse("barometer_results:costs", args=[2018])).content.decode()
    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "Coûts et impact" in title
    assert html.count('id="h-verser"') == 1
