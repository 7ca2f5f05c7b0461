"""Workflows of the directory that touch several models: moderated contributions."""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from observatoire.ratelimit import hash_ip

from .models import ENTRY_MODELS, Contribution, Entry
from .schema import FieldError, Resolver, apply_values, parse_value, spec_by_name


class ContributionError(Exception):
    """The contribution cannot be decided (already decided, target gone...)."""


def submit_contribution(
    *,
    entity: str,
    data: dict[str, Any],
    target: Entry | None = None,
    contributor_name: str = "",
    contributor_email: str = "",
    message: str = "",
    ip: str | None = None,
) -> Contribution:
    """Record a proposal from the public; nothing changes in the directory until approval."""
    if entity not in ENTRY_MODELS:
        raise ValueError(f"Unknown entity {entity!r}")
    if target is not None and not isinstance(target, ENTRY_MODELS[entity]):
        raise ValueError("The target does not match the entity")
    unknown = sorted(set(data) - set(spec_by_name(entity)))
    if unknown:
        raise ValidationError(_("Champs inconnus : %(fields)s") % {"fields": ", ".join(unknown)})
    if target is None and not str(data.get("name") or "").strip():
        raise ValidationError(_("Une nouvelle fiche doit avoir un nom."))
    contribution = Contribution(
        entity=entity,
        kind=Contribution.Kind.CORRECTION if target else Contribution.Kind.NEW,
        data=data,
        contributor_name=contributor_name.strip(),
        contributor_email=contributor_email.strip(),
        message=message.strip(),
        ip_hash=hash_ip(ip),
    )
    if target is not None:
        contribution.target = target
    contribution.save()
    return contribution


def _lock_pending(contribution: Contribution) -> Contribution:
    locked = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if not locked.is_pending:
        raise ContributionError(
            _("Cette contribution a déjà été traitée (%(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def parse_contribution_data(entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """Parsed values of proposed data; ValidationError naming each field that is wrong."""
    specs = spec_by_name(entity)
    resolver = Resolver()
    values, errors = {}, {}
    for name, raw in data.items():
        if name not in specs:
            errors[name] = _("champ inconnu")
            continue
        try:
            values[name] = parse_value(specs[name], raw, resolver)
        except FieldError as error:
            errors[name] = str(error)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def approve_contribution(
    *, contribution: Contribution, by, edits: dict[str, Any] | None = None
) -> Entry:
    """Apply the proposal (with the moderator's edits) to the directory and tell the contributor.

    A new entry is created published; a correction updates its target. Both get a revision,
    so the change shows in the entry's history with a diff.
    """
    contribution = _lock_pending(contribution)
    data = {**contribution.data, **(edits or {})}
    values = parse_contribution_data(contribution.entity, data)
    if contribution.kind == Contribution.Kind.CORRECTION:
        entry = contribution.target_entry
        if entry is None:
            raise ContributionError(_("La fiche à corriger n'existe plus."))
    else:
        entry = contribution.entry_model(is_published=True)
    apply_values(entry, values, contribution.entity)
    entry.full_clean()
    entry.save()
    entry.save_revision(user=by, log_action=True, clean=False)

    contribution.status = Contribution.Status.APPROVED
    contribution.applied_data = data
    contribution.decided_at = timezone.now()
    contribution.decided_by = by
    contribution.target_content_type = ContentType.objects.get_for_model(entry)
    contribution.target_object_id = entry.pk
    contribution.save()
    transaction.on_commit(lambda: _notify(contribution, entry=entry))
    return entry


@transaction.atomic
def reject_contribution(*, contribution: Contribution, by, reason: str) -> Contribution:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du refus.")})
    contribution = _lock_pending(contribution)
    contribution.status = Contribution.Status.REJECTED
    contribution.reason = reason
    contribution.decided_at = timezone.now()
    contribution.decided_by = by
    contribution.save()
    transaction.on_commit(lambda: _notify(contribution))
    return contribution


def _notify(contribution: Contribution, entry: Entry | None = None) -> None:
    if not contribution.contributor_email:
        return
    context = {
        "contribution": contribution,
        "entry": entry,
        "entry_url": f"{settings.SITE_URL}{entry.get_absolute_url()}" if entry else "",
        "label": contribution.proposed_name or str(contribution.target_entry or ""),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    template = "approved" if contribution.status == Contribution.Status.APPROVED else "rejected"
    send_mail(
        subject=_("Votre contribution à la cartographie de l'Observatoire"),
        message=render_to_string(f"directory/email/contribution_{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[contribution.contributor_email],
    )
