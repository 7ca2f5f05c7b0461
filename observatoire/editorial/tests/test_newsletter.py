import csv
import html
import io
import re

import pytest
from django.core import mail, signing
from django.test import Client

from observatoire.editorial.models import Subscriber

pytestmark = pytest.mark.django_db


def _link(message, kind):
    return re.search(rf"https://observatoire\.example(/lettre/{kind}/\S+/)", message.body).group(1)


def test_double_opt_in_subscribes_only_after_the_link_is_confirmed(charlie):
    response = charlie.post("/lettre/", {"email": "Camille@Exemple.test"})

    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == ("camille@exemple.test", "pending")
    (message,) = mail.outbox
    assert message.to == ["camille@exemple.test"]
    confirm = _link(message, "confirmer")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Opening the link (as a mail scanner would) changes nothing; the button confirms.
    assert charlie.get(confirm).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == "pending"
    charlie.post(confirm)
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed" and subscriber.confirmed_at is not None


def test_confirmation_links_expire_after_seven_days(charlie, monkeypatch):
    charlie.post("/lettre/", {"email": "camille@exemple.test"})
    confirm = _link(mail.outbox[0], "confirmer")
    issued = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: issued + 8 * 24 * 3600)

    response = charlie.post(confirm)

    assert response.status_code == 400
    assert Subscriber.objects.get().status == "pending"


def test_a_forged_confirmation_link_is_refused(charlie):
    Subscriber.objects.create(email="camille@exemple.test", status="pending")
    token = signing.dumps("camille@exemple.test", salt="autre chose")
    assert charlie.post(f"/lettre/confirmer/{token}/").status_code == 400
    assert Subscriber.objects.get().status == "pending"


def test_confirmed_addresses_get_no_new_mail_and_the_page_does_not_tell(charlie):
    Subscriber.objects.create(email="camille@exemple.test", status="confirmed")

    response = charlie.post("/lettre/", {"email": "camille@exemple.test"}, follow=True)

    assert not mail.outbox
    assert "ouvrez l'e-mail" in html.unescape(response.content.decode())


def test_one_click_unsubscribe_from_the_mail_program():
    charlie = Client(enforce_csrf_checks=True)
    subscriber = Subscriber.objects.create(email="camille@exemple.test", status="confirmed")
    path = subscriber.unsubscribe_url().removeprefix("https://observatoire.example")

    # RFC 8058: a POST without any cookie nor CSRF token.
    response = charlie.post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 204
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribed_at is not None


def test_unsubscribe_link_in_a_browser_needs_one_click(charlie):
    subscriber = Subscriber.objects.create(email="camille@exemple.test", status="confirmed")
    path = subscriber.unsubscribe_url().removeprefix("https://observatoire.example")

    page = charlie.get(path)
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed" and "Me désinscrire" in page.content.decode()

    done = charlie.post(path)
    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert "ne recevra plus la lettre" in done.content.decode()


def test_resubscribing_after_unsubscribing_needs_a_new_confirmation(charlie):
    Subscriber.objects.create(email="camille@exemple.test", status="unsubscribed")
    charlie.post("/lettre/", {"email": "camille@exemple.test"})
    assert Subscriber.objects.get().status == "pending"
    assert len(mail.outbox) == 1


def test_honeypot_and_rate_limit_protect_the_form(charlie, settings):
    settings.EDITORIAL_POSTS_PER_HOUR = 2
    charlie.post("/lettre/", {"email": "bot@spam.test", "website": "x"})
    assert not Subscriber.objects.exists() and not mail.outbox
    charlie.post("/lettre/", {"email": "a@exemple.test"})
    response = charlie.post("/lettre/", {"email": "b@exemple.test"})
    assert response.status_code == 429
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["a@exemple.test"]


def test_rate_limit_counts_the_client_behind_the_proxy(charlie, settings):
    settings.EDITORIAL_POSTS_PER_HOUR = 1
    settings.PROXY_COUNT = 1
    first = charlie.post(
        "/lettre/", {"email": "a@exemple.test"}, HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    other = charlie.post(
        "/lettre/", {"email": "b@exemple.test"}, HTTP_X_FORWARDED_FOR="203.0.113.2"
    )
    again = charlie.post(
        "/lettre/", {"email": "c@exemple.test"}, HTTP_X_FORWARDED_FOR="203.0.113.1"
    )
    assert (first.status_code, other.status_code, again.status_code) == (302, 302, 429)


def test_staff_export_confirmed_subscribers(alice_client, bob_client):
    Subscriber.objects.create(email="oui@exemple.test", status="confirmed")
    Subscriber.objects.create(email="attente@exemple.test", status="pending")
    Subscriber.objects.create(email="parti@exemple.test", status="unsubscribed")
    url = "/admin/editorial/subscribers/?status=confirmed&export=csv"

    response = alice_client.get(url)

    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [row["Adresse e-mail"] for row in rows] == ["oui@exemple.test"]
    assert bob_client.get(url).status_code in {302, 403}
