"""The open link: a local government that was not invited asks; staff confirm before it counts."""

from django.core import mail
from django.urls import reverse

from ..models import Invitation, Registration
from .factory import territory

URL = "/barometre/2018/inscription/"


def test_a_frame_territory_can_register_and_waits_for_staff(client, edition, lyon):
    page = client.get(URL)
    assert page.status_code == 200 and "Votre collectivité" in page.content.decode()
    sent = client.post(
        URL,
        {
            "territory": "Lyon (69123)",
            "name": "Dana Roux",
            "email": "Dana@Lyon.test",
            "role": "Élue",
        },
    )
    assert sent.status_code == 302
    registration = Registration.objects.get()
    assert (registration.territory, registration.email, registration.status) == (
        lyon,
        "dana@lyon.test",
        "pending",
    )
    assert not Invitation.objects.exists() and not mail.outbox


def test_a_territory_outside_the_frame_is_told_so(client, edition):
    territory("commune", "38421", "Saint-Martin-d'Hères", 38_000)
    answer = client.post(URL, {"territory": "38421", "name": "X", "email": "x@smh.test"})
    assert answer.status_code == 200
    assert "ne fait pas partie des collectivités interrogées" in answer.content.decode()
    assert not Registration.objects.exists()


def test_staff_confirmation_sends_a_personal_link(alice_client, client, edition, lyon):
    registration = Registration.objects.create(
        edition=edition, territory=lyon, name="Dana", email="dana@lyon.test"
    )
    page = alice_client.get(reverse("barometer_admin:registrations", args=[2018]))
    assert "dana@lyon.test" in page.content.decode()
    alice_client.post(
        reverse("barometer_admin:registrations", args=[2018]),
        {"registration": registration.pk, "action": "confirm"},
    )
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    invitation = registration.invitation
    assert (invitation.territory, invitation.source) == (lyon, "registration")
    assert invitation.invited_at is not None
    assert mail.outbox[0].to == ["dana@lyon.test"]
    path = mail.outbox[0].body.split("https://observatoire.test", 1)[1].split()[0]
    assert "Lyon" in client.get(path).content.decode()


def test_staff_can_reject(alice_client, edition, lyon):
    registration = Registration.objects.create(
        edition=edition, territory=lyon, name="Spam", email="spam@x.test"
    )
    alice_client.post(
        reverse("barometer_admin:registrations", args=[2018]),
        {"registration": registration.pk, "action": "reject"},
    )
    registration.refresh_from_db()
    assert registration.status == "rejected" and not mail.outbox


def test_registration_is_closed_with_the_edition(client, edition):
    edition.status = "closed"
    edition.save()
    assert client.get(URL).status_code == 410
