import pytest
from django.urls import reverse

from observatoire.barometer.access import issue_token, revoke_invitation
from observatoire.barometer.models import Edition, Invitation

from ..models import QuestionLink
from . import factory


@pytest.fixture
def two_editions(db):
    """The demo forms 2018 and 2026 (agence_publique added, nouveaux_dispositifs reworded)."""
    first = factory.Small(2018, definition=factory.demo_definition(2018))
    later_frame = factory.frame(
        2026, [(t, "3500-9999") for t in first.communes] + [(t, "0-19999") for t in first.epcis]
    )
    later = factory.edition(2026, later_frame, factory.demo_definition(2026))
    for n, commune in enumerate(first.communes[:14]):
        factory.respond(
            later,
            commune,
            {
                "nouveaux_dispositifs": "oui" if n < 3 else "non",
                "accompagnement": ["agence_publique"] if n < 11 else ["non"],
            },
        )
    return first.edition, later


def test_trends_follow_questions_across_changed_option_lists(charlie, two_editions):
    html = charlie.get(reverse("barometer_results:trends")).content.decode()
    assert html.count("<h1") == 1
    assert 'role="img"' in html
    assert "2018" in html and "2026" in html
    assert "absente" in html  # agence_publique did not exist in 2018


def test_trends_hide_unpublished_editions(charlie, two_editions):
    Edition.objects.filter(year=2026).update(status=Edition.Status.CLOSED)
    html = charlie.get(reverse("barometer_results:trends")).content.decode()
    assert "Il faut au moins deux éditions publiées" in html


def test_question_link_is_a_mapping_row(two_editions):
    first, later = two_editions
    link = QuestionLink.objects.create(
        edition=later,
        name="nouveaux",
        previous_edition=first,
        previous_name="nouveaux_dispositifs",
        comparable=False,
    )
    assert link.as_link().previous_edition == "2018" and link.as_link().comparable is False


@pytest.fixture
def bob_link(small):
    invitation = Invitation.objects.filter(edition=small.edition).get()
    return issue_token(invitation=invitation), invitation


def test_benchmark_shows_own_answers_beside_peers(charlie, small, bob_link):
    Edition.objects.filter(pk=small.edition.pk).update(status=Edition.Status.OPEN)
    token, _invitation = bob_link
    response = charlie.get(reverse("barometer_results:benchmark", args=[token]))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    html = response.content.decode()
    assert "Commune 5 face à ses pairs" in html
    assert "Votre réponse : Oui" in html
    assert "Commune 6" not in html


def test_benchmark_refuses_unknown_and_revoked_tokens(charlie, small, bob_link):
    token, invitation = bob_link
    assert charlie.get(reverse("barometer_results:benchmark", args=["x" * 43])).status_code == 404
    revoke_invitation(invitation=invitation)
    assert charlie.get(reverse("barometer_results:benchmark", args=[token])).status_code == 410
