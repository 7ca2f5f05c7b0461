"""Invitation waves, reminders, the message log, unsubscribing."""

import re

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ..forms import MessageTemplateForm
from ..models import (
    Contact,
    Edition,
    Invitation,
    Message,
    MessageTemplate,
    Response,
    Suppression,
    Wave,
)
from ..services import (
    BarometerError,
    _Throttle,
    mark_bounced,
    queue_wave,
    send_invitation_wave,
    submit_response,
)

LINK = re.compile(r"https://observatoire\.test(/(?:en/)?barometre/repondre/[\w-]+/)")


class FlakyBackend(EmailBackend):
    """The SMTP server refuses any address containing "refuse"."""

    def send_messages(self, messages):
        for message in messages:
            if any("refuse" in address for address in message.to):
                raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


def days_ago(days):
    return timezone.now() - timezone.timedelta(days=days)


@pytest.fixture
def invited(bob_invitation, eve_invitation, dana_invitation):
    return [bob_invitation, eve_invitation, dana_invitation]


def test_an_invitation_wave_sends_each_contact_a_working_personal_link(invited, client):
    wave = send_invitation_wave(edition=invited[0].edition)
    assert (wave.status, wave.total, wave.sent, wave.failed) == ("done", 3, 3, 0)
    assert len(mail.outbox) == 3
    message = next(m for m in mail.outbox if m.to == ["bob@mairie.test"])
    assert message.subject == "Baromètre 2018 de la démocratie locale numérique : Grenoble"
    assert "Bonjour Bob Martin" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://observatoire.test/barometre/desinscription/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in message.body
    path = LINK.search(message.body).group(1)
    assert "Grenoble" in client.get(path).content.decode()
    assert Message.objects.filter(status=Message.Status.SENT).count() == 3
    assert Invitation.objects.filter(invited_at__isnull=False).count() == 3
    # Nobody gets the invitation twice.
    again = send_invitation_wave(edition=invited[0].edition)
    assert again.total == 0 and len(mail.outbox) == 3


def test_messages_are_in_the_contacts_language(bob_invitation):
    Contact.objects.filter(pk=bob_invitation.contact_id).update(language="en")
    send_invitation_wave(edition=bob_invitation.edition)
    message = mail.outbox[0]
    assert message.subject.startswith("2018 barometer")
    assert "/en/barometre/repondre/" in message.body


def test_staff_edited_texts_are_used(bob_invitation):
    MessageTemplate.objects.create(
        kind="invitation",
        language="fr",
        subject="Enquête {{ edition.year }}",
        body="Lien : {{ link }}\nDésinscription : {{ unsubscribe_link }}",
    )
    send_invitation_wave(edition=bob_invitation.edition)
    assert mail.outbox[0].subject == "Enquête 2018"
    assert mail.outbox[0].body.startswith("Lien : https://observatoire.test/barometre/repondre/")


def test_a_template_without_the_personal_link_is_refused(db):
    form = MessageTemplateForm(
        {
            "kind": "invitation",
            "language": "fr",
            "subject": "x",
            "body": "Bonjour {{ unsubscribe_link }}",
        }
    )
    assert not form.is_valid()
    assert "{{ link }}" in str(form.errors)


def test_limit_opt_out_and_bounce_are_respected(invited):
    edition = invited[0].edition
    Contact.objects.filter(email="eve@mairie.test").update(opted_out_at=timezone.now())
    mark_bounced(email="dana@lyon.test")
    wave = send_invitation_wave(edition=edition, limit=5)
    assert wave.total == 1 and [m.to for m in mail.outbox] == [["bob@mairie.test"]]


def test_limit_caps_a_wave(invited):
    wave = send_invitation_wave(edition=invited[0].edition, limit=2)
    assert wave.sent == 2
    assert Invitation.objects.filter(invited_at__isnull=True).count() == 1


def test_a_refused_address_is_logged_as_failed_and_retried_next_time(edition, grenoble, settings):
    from .factory import invitation

    settings.EMAIL_BACKEND = "observatoire.barometer.tests.test_campaign.FlakyBackend"
    invitation(edition, grenoble, "refuse@mairie.test")
    invitation(edition, grenoble, "ok@mairie.test")
    wave = send_invitation_wave(edition=edition)
    assert (wave.sent, wave.failed) == (1, 1)
    failed = Message.objects.get(status=Message.Status.FAILED)
    assert failed.to_email == "refuse@mairie.test" and "550" in failed.error
    assert Invitation.objects.get(contact__email="refuse@mairie.test").invited_at is None


def test_waves_need_an_open_edition(bob_invitation, edition):
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.DRAFT)
    edition.refresh_from_db()
    with pytest.raises(BarometerError, match="pas ouverte"):
        send_invitation_wave(edition=edition)


def test_reminders_go_only_to_territories_without_a_submitted_response(invited, edition, grenoble):
    send_invitation_wave(edition=edition)
    Invitation.objects.update(invited_at=days_ago(8))
    response = Response.objects.create(edition=edition, territory=grenoble, status="submitted")
    assert response.is_submitted
    mail.outbox.clear()
    wave = send_invitation_wave(edition=edition, reminder=True)
    assert [m.to for m in mail.outbox] == [["dana@lyon.test"]]
    assert mail.outbox[0].subject.startswith("Rappel")
    assert wave.kind == Wave.Kind.REMINDER
    dana = Invitation.objects.get(contact__email="dana@lyon.test")
    assert dana.reminder_count == 1 and dana.reminded_at is not None


def test_reminders_wait_the_minimum_delay_and_stop_at_the_maximum(dana_invitation, edition):
    send_invitation_wave(edition=edition)
    assert send_invitation_wave(edition=edition, reminder=True).total == 0  # invited just now
    Invitation.objects.update(invited_at=days_ago(30))
    assert send_invitation_wave(edition=edition, reminder=True).sent == 1
    assert send_invitation_wave(edition=edition, reminder=True).total == 0  # reminded just now
    Invitation.objects.update(reminded_at=days_ago(8))
    assert send_invitation_wave(edition=edition, reminder=True).sent == 1
    Invitation.objects.update(reminded_at=days_ago(8))
    assert send_invitation_wave(edition=edition, reminder=True).total == 0  # 2 reminders at most
    assert Invitation.objects.get().reminder_count == 2


def test_a_submitted_response_stops_reminders_for_colleagues(
    bob_invitation, eve_invitation, edition, grenoble
):
    from ..services import Actor

    send_invitation_wave(edition=edition)
    Invitation.objects.update(invited_at=days_ago(8))
    response = Response.objects.create(
        edition=edition,
        territory=grenoble,
        answers={
            "consentement_publication": "oui",
            "nom_collectivite": "G",
            "type_collectivite": "commune",
            "fonction": "elu",
            "dispositifs": ["aucun"],
        },
    )
    response.edition = edition
    submit_response(response=response, base_version=1, by=Actor(contact=bob_invitation.contact))
    assert send_invitation_wave(edition=edition, reminder=True).total == 0


def test_queued_waves_run_as_background_tasks(
    invited, edition, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        wave = queue_wave(edition=edition, reminder=False, limit=None, by=alice)
    wave.refresh_from_db()
    assert (wave.status, wave.sent) == ("done", 3) and wave.task_id


def test_throttle_spaces_messages():
    clock = [100.0]
    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        clock[0] += seconds

    throttle = _Throttle(rate=4, sleep=sleep, clock=lambda: clock[0])
    for _ in range(5):
        throttle.wait()
    assert pauses == pytest.approx([0.25] * 4)
    assert clock[0] == pytest.approx(101.0)  # 5 messages at 4 per second
    _Throttle(rate=0, sleep=sleep, clock=lambda: clock[0]).wait()
    assert len(pauses) == 4


def test_one_click_unsubscribe(bob_invitation, edition):
    send_invitation_wave(edition=edition)
    url = (
        mail.outbox[0]
        .extra_headers["List-Unsubscribe"]
        .strip("<>")
        .removeprefix("https://observatoire.test")
    )
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert "Me désinscrire" in page.content.decode()
    assert Contact.objects.get().opted_out_at is None  # a GET (link preview) changes nothing
    done = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    assert Contact.objects.get().opted_out_at is not None
    assert Suppression.objects.count() == 1


def test_a_forged_unsubscribe_link_is_refused(client, bob_invitation):
    assert client.get("/barometre/desinscription/1:forged/").status_code == 404


def test_invite_command_sends_and_reports(invited, capsys):
    call_command("barometer", "invite", "2018", "--limit", "2")
    assert "2 envoyé(s), 0 échec(s) sur 2" in capsys.readouterr().out


def test_invite_command_can_queue(invited, capsys, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("barometer", "invite", "2018", "--queue")
    assert "db_worker" in capsys.readouterr().out
    assert Wave.objects.get().status == Wave.Status.DONE


def test_links_command_prints_working_links_for_phone_follow_up(invited, capsys, client):
    call_command("barometer", "links", "2018", "--territory", "38185")
    out = capsys.readouterr().out
    assert "bob@mairie.test" in out and "eve@mairie.test" in out and "dana" not in out
    paths = LINK.findall(out)
    assert len(paths) == 2
    assert client.get(paths[0]).status_code == 200


def test_status_command_counts_per_status_and_stratum(invited, edition, grenoble, capsys):
    send_invitation_wave(edition=edition, limit=1)
    Response.objects.create(
        edition=edition, territory=grenoble, status="submitted", submitted_at=timezone.now()
    )
    call_command("barometer", "status", "2018")
    out = capsys.readouterr().out
    assert "base de sondage de 3 collectivités" in out
    assert re.search(r"réponse envoyée\s+1", out)
    assert re.search(r"non invitées\s+2", out)
    assert "Commune 100000+" in out


def test_bounce_command_marks_messages_and_contact(bob_invitation, edition, capsys):
    send_invitation_wave(edition=edition)
    call_command("barometer", "bounce", "Bob@Mairie.test")
    assert Message.objects.get().status == Message.Status.BOUNCED
    assert Contact.objects.get().bounced_at is not None


def test_a_second_wave_waits_for_the_running_one(invited, edition, alice):
    Wave.objects.create(
        edition=edition,
        kind="invitation",
        status=Wave.Status.RUNNING,
        heartbeat_at=timezone.now(),
    )
    with pytest.raises(BarometerError, match="encore"):
        queue_wave(edition=edition, reminder=False, by=alice)
    with pytest.raises(BarometerError, match="encore"):
        send_invitation_wave(edition=edition)
    assert not mail.outbox


def test_a_queued_wave_for_an_edition_closed_meanwhile_fails_with_its_reason(
    invited, edition, alice
):
    from ..tasks import run_wave

    wave = Wave.objects.create(edition=edition, kind="invitation", created_by=alice)
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.CLOSED)
    run_wave.enqueue(wave.pk)
    wave.refresh_from_db()
    assert wave.status == Wave.Status.FAILED and "pas ouverte" in wave.error


@pytest.mark.django_db(transaction=True)  # the worker closes its database connection
def test_a_queued_wave_is_sent_by_the_database_task_worker(invited, settings):
    """The production path: the wave waits in the database queue until the worker runs it."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    call_command("barometer", "invite", "2018", "--queue")
    assert Wave.objects.get().status == Wave.Status.QUEUED
    call_command("db_worker", "--backend", "background", "--batch", "--no-startup-delay")
    wave = Wave.objects.get()
    assert (wave.status, wave.sent) == (Wave.Status.DONE, 3)
    assert len(mail.outbox) == 3
