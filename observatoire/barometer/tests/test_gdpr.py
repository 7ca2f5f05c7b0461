"""Contacts are personal data: export one person's data, erase the person, keep the response."""

import json

import pytest
from django.core.management import call_command

from ..models import (
    AccessToken,
    Contact,
    Invitation,
    Message,
    PageSave,
    Registration,
    Response,
    Suppression,
)
from ..services import (
    BarometerError,
    erase_contact,
    export_contact,
    import_contacts,
    send_invitation_wave,
)
from .test_journey import PROFILE, post_page


@pytest.fixture
def bob_answered(client, bob_link, edition):
    send_invitation_wave(edition=edition)
    post_page(client, bob_link, "profil", PROFILE)
    post_page(
        client, bob_link, "fin", {"consentement_publication": "oui", "courriel": "Bob@mairie.test"}
    )
    return Response.objects.get()


def test_export_gathers_everything_about_one_person(bob_answered, capsys):
    call_command("barometer", "contact", "export", "bob@mairie.test")
    data = json.loads(capsys.readouterr().out)
    assert data["contact"]["name"] == "Bob Martin"
    assert data["invitations"][0]["territory"] == "Grenoble (38185)"
    assert data["messages"][0]["status"] == "sent"
    assert {save["page"] for save in data["pages_saved"]} == {"profil", "fin"}
    assert data["answers_mentioning_the_address"][0]["questions"] == ["courriel"]


def test_erasure_removes_the_person_but_keeps_the_territorys_response(
    bob_answered, client, bob_link
):
    summary = erase_contact(email="bob@mairie.test")
    assert summary["contact"] == 1 and summary["answers"] == 1
    assert not Contact.objects.exists()
    response = Response.objects.get()
    assert response.answers["nom_collectivite"] == "Ville de Grenoble"
    assert "courriel" not in response.answers
    assert PageSave.objects.filter(contact__isnull=True).count() == 2
    assert Message.objects.get().to_email == ""
    assert Invitation.objects.get().contact is None
    assert not AccessToken.objects.filter(revoked_at__isnull=True).exists()
    assert client.get(f"/barometre/repondre/{bob_link}/").status_code == 403
    with pytest.raises(BarometerError):
        export_contact(email="bob@mairie.test")


def test_an_erased_person_is_not_imported_again(bob_answered, edition):
    erase_contact(email="bob@mairie.test")
    assert Suppression.objects.get().reason == "erased"
    report = import_contacts(
        edition=edition, source=b"email,territory\nbob@mairie.test,38185\n", filename="c.csv"
    )
    assert report.opted_out == [(2, "bob@mairie.test")] and not Contact.objects.exists()


def test_erasure_also_removes_open_link_registrations(edition, grenoble, capsys):
    Registration.objects.create(
        edition=edition, territory=grenoble, name="Zoé", email="zoe@mairie.test"
    )
    call_command("barometer", "contact", "erase", "zoe@mairie.test")
    assert "effacé" in capsys.readouterr().out
    assert not Registration.objects.exists()


def test_admin_actions_export_and_erase(alice_client, bob_answered):
    contact = Contact.objects.get()
    exported = alice_client.get(f"/admin/barometer/suivi/contact/{contact.pk}/export/")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/json")
    assert json.loads(exported.content)["email"] == "bob@mairie.test"
    confirm = alice_client.get(f"/admin/barometer/suivi/contact/{contact.pk}/effacer/")
    assert "Effacer définitivement" in confirm.content.decode()
    alice_client.post(f"/admin/barometer/suivi/contact/{contact.pk}/effacer/")
    assert not Contact.objects.exists() and Response.objects.exists()


def test_non_staff_cannot_use_the_gdpr_actions(bob_client, bob_answered):
    contact = Contact.objects.get()
    response = bob_client.get(f"/admin/barometer/suivi/contact/{contact.pk}/export/")
    assert response.status_code in (302, 403)
    bob_client.post(f"/admin/barometer/suivi/contact/{contact.pk}/effacer/")
    assert Contact.objects.exists()
