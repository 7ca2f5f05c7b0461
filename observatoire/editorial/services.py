"""Workflows that touch several records: registrations and the waiting list, the newsletter's
double opt-in, contact messages. Keyword-only functions; e-mails go out after the records are
saved, in the recipient's language.
"""

import logging

from django.db import transaction
from django.utils import timezone

from . import emails
from .models import ContactMessage, EventPage, Registration, Subscriber

logger = logging.getLogger(__name__)


def _notify(registration, *, promoted=False):
    try:
        emails.send_registration_status(registration, promoted=promoted)
    except Exception:  # the registration stands; staff see it in the admin
        logger.exception("Could not e-mail registration %s", registration.pk)


def _lock(event) -> EventPage:
    # Serialises seat counting (PostgreSQL row lock; SQLite runs IMMEDIATE transactions).
    return EventPage.objects.select_for_update().get(pk=event.pk)


def register_for_event(*, event, name, email, organisation="", language="fr") -> Registration:
    """A seat if one is left, else a place on the waiting list. Registering twice with the
    same address changes nothing and sends the status again."""
    email = email.strip()
    with transaction.atomic():
        event = _lock(event)
        existing = event.registrations.active().filter(email__iexact=email).first()
        if existing is None:
            seats_left = event.seats_left()
            full = seats_left is not None and seats_left <= 0
            now = timezone.now()
            registration = Registration.objects.create(
                event=event,
                name=name.strip(),
                email=email,
                organisation=organisation.strip(),
                language=language,
                status=Registration.Status.WAITING if full else Registration.Status.CONFIRMED,
                confirmed_at=None if full else now,
            )
        else:
            registration = existing
    _notify(registration)
    return registration


def promote_waiting_list(*, event) -> list[Registration]:
    """Give freed seats to the waiting list, first come first served; e-mail those promoted."""
    promoted = []
    with transaction.atomic():
        event = _lock(event)
        seats_left = event.seats_left()
        waiting = event.registrations.waiting_in_order()
        if seats_left is not None:
            waiting = waiting[:seats_left]
        for registration in waiting:
            registration.status = Registration.Status.CONFIRMED
            registration.confirmed_at = timezone.now()
            registration.save(update_fields=["status", "confirmed_at"])
            promoted.append(registration)
    for registration in promoted:
        _notify(registration, promoted=True)
    return promoted


def cancel_registration(*, registration) -> list[Registration]:
    """Cancel; a freed seat goes to the first person waiting. Returns those promoted."""
    with transaction.atomic():
        _lock(registration.event)
        registration = Registration.objects.select_related("event").get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return []
        had_seat = registration.status == Registration.Status.CONFIRMED
        registration.status = Registration.Status.CANCELLED
        registration.cancelled_at = timezone.now()
        registration.save(update_fields=["status", "cancelled_at"])
    _notify(registration)
    return promote_waiting_list(event=registration.event) if had_seat else []


def subscribe_to_newsletter(*, email, language="fr") -> Subscriber:
    """Step one of the double opt-in: record the request and send a confirmation link.

    Confirmed addresses get no new message (nothing to confirm); the page says the same thing
    whatever the case, so it does not reveal who is subscribed.
    """
    email = email.strip().lower()
    subscriber, created = Subscriber.objects.get_or_create(
        email=email, defaults={"status": Subscriber.Status.PENDING, "language": language}
    )
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return subscriber
    if not created:
        subscriber.status = Subscriber.Status.PENDING
        subscriber.language = language
        subscriber.save(update_fields=["status", "language"])
    emails.send_subscription_confirmation(subscriber)
    return subscriber


def confirm_subscription(*, subscriber) -> Subscriber:
    if subscriber.status != Subscriber.Status.CONFIRMED:
        subscriber.status = Subscriber.Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.unsubscribed_at = None
        subscriber.save(update_fields=["status", "confirmed_at", "unsubscribed_at"])
    return subscriber


def unsubscribe(*, subscriber) -> Subscriber:
    if subscriber.status != Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return subscriber


def receive_contact_message(
    *, name, email, subject, message, language="fr"
) -> tuple[ContactMessage, bool]:
    """Store a visitor's message and mail it to the team: (the message, whether it was mailed).

    Stored first, so that nothing is lost when the mail server fails; the visitor is then told
    that the team will read it in the admin, not that it was sent.
    """
    record = ContactMessage.objects.create(
        name=name.strip(),
        email=email.strip(),
        subject=" ".join(subject.split()),
        message=message,
        language=language,
    )
    try:
        emails.send_contact_message(record)
    except Exception:  # stored anyway: staff read it in the admin
        logger.exception("Could not e-mail contact message %s", record.pk)
        return record, False
    return record, True
