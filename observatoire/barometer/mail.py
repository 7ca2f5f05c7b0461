"""The barometer's e-mails: texts editable by staff, a personal link, one-click unsubscribe.

Every message carries `List-Unsubscribe` (an HTTPS link) and `List-Unsubscribe-Post:
List-Unsubscribe=One-Click`, so that mail clients can offer a one-click unsubscribe
(RFC 8058, https://www.rfc-editor.org/rfc/rfc8058); the same link is in the body.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse
from django.utils import formats, translation

from .models import Contact, Invitation, MessageTemplate

UNSUBSCRIBE_SALT = "observatoire.barometer.unsubscribe"
REQUIRED_VARIABLES = ("link", "unsubscribe_link")

DEFAULTS = {
    (MessageTemplate.Kind.INVITATION, "fr"): (
        "Baromètre {{ edition.year }} de la démocratie locale numérique : {{ territory.name }}",
        """Bonjour{% if contact.name %} {{ contact.name }}{% endif %},

L'Observatoire des civic tech et de la démocratie numérique mène chaque année le baromètre de la démocratie locale numérique auprès des collectivités. Nous vous invitons à y répondre pour {{ territory.name }}.

Votre lien personnel (il ouvre la réponse de votre collectivité, que vous pouvez partager avec vos collègues invités) :
{{ link }}

Vous pouvez enregistrer vos réponses et reprendre plus tard, depuis n'importe quel appareil, avec ce même lien.{% if closes_on %} L'enquête est ouverte jusqu'au {{ closes_on }}.{% endif %} Comptez une quinzaine de minutes.

Merci de votre participation,
L'équipe de l'Observatoire

Ne plus recevoir de messages du baromètre : {{ unsubscribe_link }}
""",
    ),
    (MessageTemplate.Kind.REMINDER, "fr"): (
        "Rappel : baromètre {{ edition.year }} de la démocratie locale numérique",
        """Bonjour{% if contact.name %} {{ contact.name }}{% endif %},

Nous n'avons pas encore reçu la réponse de {{ territory.name }} au baromètre {{ edition.year }} de la démocratie locale numérique. Chaque réponse compte pour dresser un portrait fidèle des collectivités.

Votre lien personnel (vos réponses déjà saisies y sont conservées) :
{{ link }}
{% if closes_on %}
L'enquête est ouverte jusqu'au {{ closes_on }}.{% endif %}

Merci,
L'équipe de l'Observatoire

Ne plus recevoir de messages du baromètre : {{ unsubscribe_link }}
""",
    ),
    (MessageTemplate.Kind.ACCESS, "fr"): (
        "Votre accès au baromètre {{ edition.year }} : {{ territory.name }}",
        """Bonjour{% if contact.name %} {{ contact.name }}{% endif %},

Merci de votre inscription. Nous avons vérifié votre demande : voici votre lien personnel pour répondre au baromètre {{ edition.year }} au nom de {{ territory.name }} :
{{ link }}
{% if closes_on %}
L'enquête est ouverte jusqu'au {{ closes_on }}.{% endif %}

L'équipe de l'Observatoire

Ne plus recevoir de messages du baromètre : {{ unsubscribe_link }}
""",
    ),
    (MessageTemplate.Kind.INVITATION, "en"): (
        "{{ edition.year }} barometer of local digital democracy: {{ territory.name }}",
        """Hello{% if contact.name %} {{ contact.name }}{% endif %},

Every year the Civic Tech and Digital Democracy Observatory surveys local governments for its barometer of local digital democracy. We invite you to answer for {{ territory.name }}.

Your personal link (it opens your local government's response, shared with your invited colleagues):
{{ link }}

You can save your answers and come back later, from any device, with the same link.{% if closes_on %} The survey is open until {{ closes_on }}.{% endif %} It takes about fifteen minutes.

Thank you,
The Observatory team

Stop receiving barometer messages: {{ unsubscribe_link }}
""",
    ),
    (MessageTemplate.Kind.REMINDER, "en"): (
        "Reminder: {{ edition.year }} barometer of local digital democracy",
        """Hello{% if contact.name %} {{ contact.name }}{% endif %},

We have not yet received the answer of {{ territory.name }} to the {{ edition.year }} barometer of local digital democracy.

Your personal link (answers already entered are kept):
{{ link }}
{% if closes_on %}
The survey is open until {{ closes_on }}.{% endif %}

Thank you,
The Observatory team

Stop receiving barometer messages: {{ unsubscribe_link }}
""",
    ),
    (MessageTemplate.Kind.ACCESS, "en"): (
        "Your access to the {{ edition.year }} barometer: {{ territory.name }}",
        """Hello{% if contact.name %} {{ contact.name }}{% endif %},

Thank you for registering. We checked your request: here is your personal link to answer the {{ edition.year }} barometer for {{ territory.name }}:
{{ link }}
{% if closes_on %}
The survey is open until {{ closes_on }}.{% endif %}

The Observatory team

Stop receiving barometer messages: {{ unsubscribe_link }}
""",
    ),
}


def template_problems(subject: str, body: str) -> list[str]:
    """What is wrong with a staff-edited template (syntax, missing personal or unsubscribe link)."""
    problems = []
    for text in (subject, body):
        try:
            Template(text)
        except TemplateSyntaxError as error:
            problems.append(str(error))
    for variable in REQUIRED_VARIABLES:
        if f"{{{{ {variable} }}}}" not in body and f"{{{{{variable}}}}}" not in body:
            problems.append(f"Le texte doit contenir {{{{ {variable} }}}}.")
    return problems


class Templates:
    """Message templates of the database, falling back to the built-in French and English ones."""

    def __init__(self):
        self._stored = {(t.kind, t.language): t for t in MessageTemplate.objects.all()}
        self._compiled = {}

    def get(self, kind: str, language: str) -> tuple[Template, Template]:
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        key = (kind, language)
        if key not in self._compiled:
            stored = self._stored.get(key)
            subject, body = (
                (stored.subject, stored.body)
                if stored
                else DEFAULTS.get(key) or DEFAULTS[(kind, "fr")]
            )
            self._compiled[key] = (Template(subject), Template(body))
        return self._compiled[key]


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def personal_url(token: str, language: str = "fr") -> str:
    with translation.override(language):
        return absolute(reverse("barometer:respond", kwargs={"token": token}))


def unsubscribe_token(contact: Contact) -> str:
    return signing.dumps(contact.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def contact_from_unsubscribe_token(value: str) -> int | None:
    try:
        return int(signing.loads(value, salt=UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def unsubscribe_url(contact: Contact) -> str:
    with translation.override(contact.language):
        return absolute(
            reverse("barometer:unsubscribe", kwargs={"signed": unsubscribe_token(contact)})
        )


def message_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def build_email(
    *, kind: str, invitation: Invitation, token: str, templates: Templates | None = None
) -> EmailMessage:
    """The e-mail of one invitation, reminder or access message, ready to send."""
    contact = invitation.contact
    language = contact.language or settings.LANGUAGE_CODE
    templates = templates or Templates()
    subject_template, body_template = templates.get(kind, language)
    unsubscribe = unsubscribe_url(contact)
    edition = invitation.edition
    with translation.override(language):
        closes_on = formats.date_format(edition.closes_on, "j F Y") if edition.closes_on else ""
        context = Context(
            {
                "contact": contact,
                "territory": invitation.territory,
                "edition": edition,
                "closes_on": closes_on,
                "link": personal_url(token, language),
                "unsubscribe_link": unsubscribe,
            },
            autoescape=False,
        )
        subject = " ".join(subject_template.render(context).split())
        body = body_template.render(context)
    return EmailMessage(
        subject=subject,
        body=body,
        to=[contact.email],
        headers={
            "Message-ID": make_msgid(domain=message_domain()),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
