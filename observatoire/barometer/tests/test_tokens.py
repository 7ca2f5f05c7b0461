"""Personal links: what a token opens, and what it does not."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ..access import revoke_invitation, revoke_token
from ..models import AccessFailure, AccessToken, Edition, Response
from .test_journey import PROFILE, page_url, post_page


def start(token):
    return reverse("barometer:respond", kwargs={"token": token})


def test_only_a_hash_of_a_long_random_token_is_stored(bob_link):
    stored = AccessToken.objects.get()
    assert len(bob_link) >= 43  # 32 bytes in URL-safe base64: 256 bits
    assert bob_link not in stored.token_hash and len(stored.token_hash) == 64


def test_a_token_opens_only_its_own_territorys_response(
    client, bob_link, dana_invitation, lyon, grenoble
):
    from .factory import link

    dana_link = link(dana_invitation)
    post_page(client, dana_link, "profil", {**PROFILE, "nom_collectivite": "Lyon"})
    page = client.get(start(bob_link))
    assert "Grenoble" in page.content.decode() and "Lyon" not in page.content.decode()
    post_page(client, bob_link, "profil", PROFILE)
    assert Response.objects.get(territory=lyon).answers["nom_collectivite"] == "Lyon"
    assert (
        Response.objects.get(territory=grenoble).answers["nom_collectivite"] == "Ville de Grenoble"
    )


def test_an_unknown_token_is_refused_and_counted(client, bob_link):
    page = client.get(start(bob_link[:-1] + ("A" if bob_link[-1] != "A" else "B")))
    assert page.status_code == 404
    assert page["Referrer-Policy"] == "no-referrer"
    assert AccessFailure.objects.count() == 1


def test_repeated_bad_tokens_are_rate_limited_but_a_valid_one_still_opens(
    client, bob_link, settings
):
    settings.BAROMETER_TOKEN_FAILURES = 5
    for attempt in range(5):
        assert client.get(start(f"guess-{attempt}")).status_code == 404
    blocked = client.get(start("guess-again"))
    assert blocked.status_code == 429 and blocked["Retry-After"]
    # A colleague behind the same office address opens their link, first use or not.
    assert client.get(start(bob_link)).status_code == 200
    assert client.get(start(bob_link)).status_code == 200
    assert client.get(start("guess-again")).status_code == 429
    # Over the limit, nothing more is written: a scanner cannot fill the table.
    assert AccessFailure.objects.count() == 5


def test_the_same_broken_link_clicked_again_counts_once(client, bob_link, settings):
    settings.BAROMETER_TOKEN_FAILURES = 3
    truncated = bob_link[:20]
    assert [client.get(start(truncated)).status_code for _ in range(10)] == [404] * 10
    assert AccessFailure.objects.count() == 1
    for attempt in range(2):
        client.get(start(f"guess-{attempt}"))
    assert client.get(start("guess-3")).status_code == 429
    assert client.get(start(bob_link)).status_code == 200


def test_failures_are_counted_per_address(client, bob_link, settings):
    settings.BAROMETER_TOKEN_FAILURES = 2
    for attempt in range(2):
        client.get(start(f"guess-{attempt}"), REMOTE_ADDR="10.0.0.9")
    assert client.get(start("guess-2"), REMOTE_ADDR="10.0.0.9").status_code == 429
    assert client.get(start("guess-2"), REMOTE_ADDR="10.0.0.2").status_code == 404


def test_behind_a_proxy_one_guesser_does_not_lock_out_everybody(client, bob_link, settings):
    settings.BAROMETER_TOKEN_FAILURES = 3
    settings.PROXY_COUNT = 1
    for attempt in range(3):
        client.get(start(f"guess-{attempt}"), HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert client.get(start("x"), HTTP_X_FORWARDED_FOR="203.0.113.66").status_code == 429
    # Same proxy address (REMOTE_ADDR), another visitor behind it.
    assert client.get(start(bob_link), HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200


def test_failures_older_than_the_window_no_longer_count(client, bob_link, settings):
    settings.BAROMETER_TOKEN_FAILURES = 2
    client.get(start("guess-1"))
    client.get(start("guess-2"))
    AccessFailure.objects.update(created_at=timezone.now() - timezone.timedelta(hours=1))
    assert client.get(start(bob_link)).status_code == 200


def test_a_revoked_token_no_longer_opens(client, bob_link, bob_invitation):
    from .factory import link

    spare = link(bob_invitation)
    assert revoke_token(raw=bob_link)
    assert client.get(start(bob_link)).status_code == 403
    assert client.get(start(spare)).status_code == 200
    revoke_invitation(invitation=bob_invitation)
    assert client.get(start(spare)).status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"status": Edition.Status.CLOSED},
        {"status": Edition.Status.PUBLISHED},
        {"closes_on": timezone.localdate() - timezone.timedelta(days=1)},
    ],
)
def test_tokens_die_when_the_edition_closes(client, bob_link, edition, change):
    Edition.objects.filter(pk=edition.pk).update(**change)
    page = client.get(page_url(bob_link, "profil"))
    assert page.status_code == 410
    assert "close" in page.content.decode()


def test_posting_to_a_closed_edition_writes_nothing(client, bob_link, edition, grenoble):
    opened = client.get(page_url(bob_link, "profil"))
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.CLOSED)
    answer = client.post(
        page_url(bob_link, "profil"),
        {
            **PROFILE,
            "version": opened.context["response"].version,
            "base": "{}",
            "_shown": opened.context["shown"],
        },
    )
    assert answer.status_code == 410
    assert Response.objects.get(territory=grenoble).answers == {}


def test_opening_a_link_records_the_first_opening(client, bob_link, bob_invitation):
    assert bob_invitation.opened_at is None
    client.get(start(bob_link))
    bob_invitation.refresh_from_db()
    assert bob_invitation.opened_at is not None


def test_survey_forms_post_with_origin_null_and_no_csrf_cookie(bob_link, grenoble):
    """Browsers send `Origin: null` under `Referrer-Policy: no-referrer`: the post must work."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    opened = browser.get(page_url(bob_link, "profil"))
    answer = browser.post(
        page_url(bob_link, "profil"),
        {
            **PROFILE,
            "version": opened.context["response"].version,
            "base": opened.context["base"],
            "_shown": opened.context["shown"],
            "action": "next",
        },
        HTTP_ORIGIN="null",
    )
    assert answer.status_code == 302
    assert (
        Response.objects.get(territory=grenoble).answers["nom_collectivite"] == "Ville de Grenoble"
    )
