"""The messages this app sends, written from templates in the recipient's language."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import ics
from .models import EditorialSettings, Registration, absolute_url

REGISTRATION_SUBJECTS = {
    Registration.Status.CONFIRMED: _("Inscription confirmée : %(title)s"),
    Registration.Status.WAITING: _("Liste d'attente : %(title)s"),
    Registration.Status.CANCELLED: _("Inscription annulée : %(title)s"),
}


def _send(template, context, to, *, language, subject, attachments=(), headers=None, reply_to=None):
    with translation.override(language):
        body = render_to_string(f"editorial/email/{template}.txt", context)
        # A header is one line (Django raises BadHeaderError on CR or LF), whatever the source.
        subject = " ".join(str(subject).split())
    message = EmailMessage(subject, body, to=to, headers=headers or {}, reply_to=reply_to)
    for attachment in attachments:
        message.attach(*attachment)
    message.send()
    return message


def send_registration_status(registration, *, promoted=False):
    """Tell a registrant where they stand: a seat (with the .ics), the waiting list, or cancelled."""
    event = registration.event
    attachments = []
    if registration.status == Registration.Status.CONFIRMED:
        ical = ics.calendar_bytes([event], name=event.title, method="PUBLISH")
        attachments.append(("evenement.ics", ical, "text/calendar; charset=utf-8; method=PUBLISH"))
    with translation.override(registration.language):
        subject = REGISTRATION_SUBJECTS[registration.status] % {"title": event.title}
    context = {
        "registration": registration,
        "event": event,
        "event_url": absolute_url(event.get_url()),
        "manage_url": registration.manage_url(),
        "position": registration.waiting_position(),
        "promoted": promoted,
    }
    return _send(
        f"registration_{registration.status}",
        context,
        [registration.email],
        language=registration.language,
        subject=subject,
        attachments=attachments,
    )


def send_subscription_confirmation(subscriber):
    return _send(
        "newsletter_confirm",
        {"subscriber": subscriber, "confirm_url": subscriber.confirm_url()},
        [subscriber.email],
        language=subscriber.language,
        subject=_("Confirmez votre inscription à la lettre de l'Observatoire"),
        headers=subscriber.list_unsubscribe_headers(),
    )


def staff_recipients() -> list[str]:
    address = EditorialSettings.load().contact_email
    if address:
        return [address]
    admins = get_user_model().objects.filter(is_active=True, is_superuser=True).exclude(email="")
    return list(admins.values_list("email", flat=True)) or [settings.DEFAULT_FROM_EMAIL]


def send_contact_message(message):
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Contact] %(subject)s") % {"subject": message.subject}
    return _send(
        "contact_message",
        {"message": message, "admin_url": f"{settings.WAGTAILADMIN_BASE_URL}/admin/"},
        staff_recipients(),
        language=settings.LANGUAGE_CODE,
        subject=subject,
        reply_to=[message.email],
    )
