"""Personal links: random tokens stored as hashes, and a brake on guessing them.

A token is 32 random bytes (256 bits) from `secrets`, URL-safe; only its SHA-256 is stored, so
a copy of the database does not give access to any response. Each message carries a token of
its own; all of them stay valid until the edition closes or staff revoke them.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .models import AccessFailure, AccessToken, Invitation, hash_token

TOKEN_BYTES = 32
# Writing `last_used_at` on every page would double the writes of a page change.
LAST_USED_PRECISION = timezone.timedelta(minutes=10)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def issue_token(*, invitation: Invitation) -> str:
    """A new personal link for this invitation; the raw token is returned once, never stored."""
    raw = new_token()
    AccessToken.objects.create(invitation=invitation, token_hash=hash_token(raw))
    return raw


def _window_start():
    return timezone.now() - timezone.timedelta(minutes=settings.BAROMETER_TOKEN_FAILURE_WINDOW)


def is_rate_limited(client: str) -> bool:
    """Has this address tried BAROMETER_TOKEN_FAILURES different unknown links in the window?

    Only unknown links count, and each one once (a person clicking a truncated link again is
    not guessing). The limit is never applied to a valid link: see `open_token_for`.
    """
    recent = AccessFailure.objects.filter(client_hash=client, created_at__gte=_window_start())
    return recent.count() >= settings.BAROMETER_TOKEN_FAILURES


def record_failure(client: str, raw: str = "") -> None:
    """Count an unknown link for this address, once per link within the window."""
    token_hash = hash_token(raw)
    recent = AccessFailure.objects.filter(
        client_hash=client, token_hash=token_hash, created_at__gte=_window_start()
    )
    if not recent.exists():
        AccessFailure.objects.create(client_hash=client, token_hash=token_hash)
    # Old rows are useless: drop them as we go rather than in a cron job.
    AccessFailure.objects.filter(created_at__lt=_window_start()).delete()


class RateLimited(Exception):
    """An unknown link from an address that has already tried too many of them."""


class TokenProblem(Exception):
    """Why a link does not open a response: unknown, revoked or closed (edition over)."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


@dataclass
class Access:
    token: AccessToken
    invitation: Invitation

    @property
    def edition(self):
        return self.invitation.edition

    @property
    def territory(self):
        return self.invitation.territory

    @property
    def contact(self):
        return self.invitation.contact


def open_token(raw: str) -> Access:
    """The invitation a raw token opens, or TokenProblem("unknown" | "revoked" | "closed")."""
    if not raw or len(raw) > 100:
        raise TokenProblem("unknown")
    token = (
        AccessToken.objects.select_related(
            "invitation__edition__questionnaire",
            "invitation__territory",
            "invitation__contact",
        )
        .filter(token_hash=hash_token(raw))
        .first()
    )
    if token is None:
        raise TokenProblem("unknown")
    invitation = token.invitation
    if token.revoked_at or invitation.revoked_at or invitation.contact_id is None:
        raise TokenProblem("revoked", invitation)
    if not invitation.edition.accepts_answers():
        raise TokenProblem("closed", invitation)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=now)
        invitation.opened_at = now
    return Access(token=token, invitation=invitation)


def revoke_invitation(*, invitation: Invitation) -> int:
    """Revoke every personal link of an invitation; returns how many tokens were live."""
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=now)
    return invitation.tokens.filter(revoked_at__isnull=True).update(revoked_at=now)


def revoke_token(*, raw: str) -> bool:
    """Revoke one personal link (for instance one printed for a phone call)."""
    updated = AccessToken.objects.filter(token_hash=hash_token(raw), revoked_at__isnull=True)
    return bool(updated.update(revoked_at=timezone.now()))


def open_token_for(client: str, raw: str) -> Access:
    """`open_token` for a visitor, with the brake on guessing applied to unknown links only.

    A valid link always opens, even from an address over the limit: a shared office address
    where one person mistyped links must not lock out colleagues. This costs no security: the
    tokens' 256 bits, not the limit, are what makes guessing hopeless (2**-256 per try). The
    limit makes a scan visible (HTTP 429 with Retry-After for the scanner only) and bounds
    what a scanner can write (at most BAROMETER_TOKEN_FAILURES rows per address and window).
    """
    try:
        return open_token(raw)
    except TokenProblem as problem:
        if problem.reason == "unknown":
            if is_rate_limited(client):
                raise RateLimited from None
            record_failure(client, raw)
        raise
