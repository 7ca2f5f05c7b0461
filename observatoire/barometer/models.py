"""The barometer: yearly editions, their questionnaire, contacts, invitations and responses.

One Response per territory and edition, shared by the territory's invited contacts; the people
(Contact) are personal data, the answers belong to the territory. See docs/barometer.md.
"""

import hashlib
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observatoire.lib.xlsform import Form
from observatoire.territories.models import Frame, Territory


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_email(email: str) -> str:
    return hashlib.sha256(normalize_email(email).encode()).hexdigest()


class EditionQuerySet(models.QuerySet):
    def public(self):
        return self.exclude(status=Edition.Status.DRAFT)


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        OPEN = "open", _("Ouverte")
        CLOSED = "closed", _("Close")
        PUBLISHED = "published", _("Publiée")

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    title = models.CharField(_("titre"), max_length=200, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opens_on = models.DateField(_("ouverture le"), null=True, blank=True)
    closes_on = models.DateField(
        _("clôture le"),
        null=True,
        blank=True,
        help_text=_("Dernier jour de réponse ; les liens personnels cessent de fonctionner après."),
    )
    frame = models.ForeignKey(
        Frame,
        verbose_name=_("base de sondage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    questionnaire = models.ForeignKey(
        "Questionnaire",
        verbose_name=_("questionnaire en vigueur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    consent_question = models.CharField(
        _("question de consentement"),
        max_length=100,
        blank=True,
        default="consentement_publication",
        help_text=_(
            "Nom (colonne « name ») de la question qui autorise à nommer la collectivité dans "
            "les publications ; sans accord, elle n'apparaît que dans des agrégats."
        ),
    )
    consent_yes = models.CharField(
        _("réponse valant accord"), max_length=100, blank=True, default="oui"
    )
    reminder_delay_days = models.PositiveSmallIntegerField(
        _("délai minimal entre deux messages (jours)"), default=7
    )
    reminder_max_count = models.PositiveSmallIntegerField(
        _("nombre maximal de relances"), default=2
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("édition")
        verbose_name_plural = _("éditions")
        ordering = ["-year"]

    def __str__(self):
        return self.title or f"Baromètre {self.year}"

    def accepts_answers(self, today=None):
        """Personal links work, and answers are saved, only while this is true."""
        if self.status != self.Status.OPEN:
            return False
        today = today or timezone.localdate()
        if self.opens_on and today < self.opens_on:
            return False
        return not (self.closes_on and today > self.closes_on)

    @property
    def form(self):
        return self.questionnaire.form if self.questionnaire_id else None


class Questionnaire(models.Model):
    """One imported version of an edition's XLSForm; the edition points to the one in force."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="questionnaires"
    )
    form_id = models.CharField(_("identifiant du formulaire"), max_length=100)
    version = models.CharField(_("version"), max_length=100, blank=True)
    title = models.CharField(_("titre"), max_length=300, blank=True)
    definition = models.JSONField(_("définition"))
    source = models.BinaryField(_("classeur XLSForm importé"))
    source_name = models.CharField(_("fichier"), max_length=255, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    warnings = models.JSONField(_("avertissements"), default=list, blank=True)
    imported_at = models.DateTimeField(_("importé le"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("importé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.title or self.form_id} ({self.version or '—'})"

    @cached_property
    def form(self) -> Form:
        return Form.from_dict(self.definition)

    @property
    def question_count(self):
        return sum(1 for q in self.form.questions() if q.is_input)


class Suppression(models.Model):
    """An address never to be written to again (unsubscribed or erased), kept only as a hash."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("désinscription")
        ERASED = "erased", _("effacement (RGPD)")

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(_("motif"), max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adresse exclue")
        verbose_name_plural = _("adresses exclues")

    @classmethod
    def contains(cls, email):
        return cls.objects.filter(email_hash=hash_email(email)).exists()


class Contact(models.Model):
    """A person at a local government (personal data: see docs/barometer.md, GDPR)."""

    email = models.EmailField(_("courriel"), unique=True)
    name = models.CharField(_("nom"), max_length=200, blank=True)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("collectivité"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    language = models.CharField(_("langue"), max_length=5, choices=settings.LANGUAGES, default="fr")
    opted_out_at = models.DateTimeField(_("désinscrit le"), null=True, blank=True)
    bounced_at = models.DateTimeField(_("adresse en erreur depuis"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["email"]

    def __str__(self):
        return f"{self.name} <{self.email}>" if self.name else self.email

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        super().save(*args, **kwargs)

    @property
    def can_be_written_to(self):
        return self.opted_out_at is None and self.bounced_at is None


class InvitationQuerySet(models.QuerySet):
    def reachable(self):
        """Invitations whose contact may receive a message."""
        return self.filter(
            revoked_at__isnull=True,
            contact__isnull=False,
            contact__opted_out_at__isnull=True,
            contact__bounced_at__isnull=True,
        )

    def due_for_invitation(self):
        return self.reachable().filter(invited_at__isnull=True)

    def due_for_reminder(self, edition, now=None):
        """Invited, not answered yet, not written to recently, under the maximum of reminders."""
        now = now or timezone.now()
        cutoff = now - timezone.timedelta(days=edition.reminder_delay_days)
        submitted = Response.objects.filter(
            edition=edition, status=Response.Status.SUBMITTED
        ).values("territory_id")
        return (
            self.reachable()
            .filter(edition=edition, invited_at__isnull=False, invited_at__lte=cutoff)
            .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff))
            .filter(reminder_count__lt=edition.reminder_max_count)
            .exclude(territory_id__in=submitted)
        )


class Invitation(models.Model):
    """A contact invited to answer for a territory in one edition."""

    class Source(models.TextChoices):
        IMPORT = "import", _("import de contacts")
        REGISTRATION = "registration", _("inscription par le lien ouvert")
        STAFF = "staff", _("ajout par l'équipe")

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="invitations"
    )
    # Null once the person has been erased: the invitation still counts in the campaign figures.
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations",
    )
    territory = models.ForeignKey(
        Territory, verbose_name=_("collectivité"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(
        _("origine"), max_length=12, choices=Source.choices, default=Source.IMPORT
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    invited_at = models.DateTimeField(_("invité le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("dernière relance le"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("relances"), default=0)
    opened_at = models.DateTimeField(_("lien ouvert le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["edition", "territory", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "contact"], name="invitation_edition_contact_unique"
            )
        ]
        indexes = [models.Index(fields=["edition", "territory"])]

    def __str__(self):
        return (
            f"{self.contact or _('(contact effacé)')} — {self.territory.name} ({self.edition.year})"
        )


class AccessToken(models.Model):
    """A personal link. Only the SHA-256 of the token is stored; each message gets its own."""

    invitation = models.ForeignKey(
        Invitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lien personnel")
        verbose_name_plural = _("liens personnels")


class AccessFailure(models.Model):
    """A request with an unknown token, to rate-limit guessing (client kept only as a hash).

    One row per address and unknown token within the window (`access.record_failure`).
    """

    client_hash = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["client_hash", "created_at"])]


class ResponseQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=Response.Status.SUBMITTED)

    def nameable(self):
        """Responses whose territory agreed to be named in publications."""
        return self.submitted().filter(consent_to_name=True)


class Response(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("en cours")
        SUBMITTED = "submitted", _("envoyée")

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.PROTECT, related_name="responses"
    )
    territory = models.ForeignKey(
        Territory, verbose_name=_("collectivité"), on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    # Optimistic locking: every save is an UPDATE ... WHERE version = n, then n + 1.
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    current_page = models.CharField(_("dernière page"), max_length=100, blank=True)
    consent_to_name = models.BooleanField(_("accepte d'être nommée"), null=True, blank=True)
    entered_by_staff = models.BooleanField(_("saisie (en partie) par l'équipe"), default=False)
    started_at = models.DateTimeField(_("commencée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)
    submitted_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    locked_at = models.DateTimeField(_("verrouillée le"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verrouillée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["edition", "territory"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "territory"], name="response_edition_territory_unique"
            )
        ]
        indexes = [models.Index(fields=["edition", "status"])]

    def __str__(self):
        return f"{self.territory.name} ({self.edition.year})"

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    @property
    def is_locked(self):
        return self.locked_at is not None


def _answer_file_storage():
    from .answer_files import private_storage

    return private_storage


class ResponseFile(models.Model):
    """A file answered to an `image` or `file` question; the answer holds its name."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="files")
    key = models.CharField(_("question"), max_length=255)
    name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    file = models.FileField(storage=_answer_file_storage, upload_to="responses/%Y/%m/")
    uploaded_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("fichier de réponse")
        verbose_name_plural = _("fichiers de réponse")
        ordering = ["response", "key", "-pk"]
        indexes = [models.Index(fields=["response", "key"])]

    def __str__(self):
        return self.name


class PageSave(models.Model):
    """Who saved which page of a response, when and how: the response's history."""

    class Channel(models.TextChoices):
        WEB = "web", _("en ligne, par la collectivité")
        PHONE = "phone", _("par téléphone (saisie par l'équipe)")
        PAPER = "paper", _("sur papier (saisie par l'équipe)")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="saves")
    page = models.CharField(_("page"), max_length=100)
    version = models.PositiveIntegerField(_("version obtenue"))
    submitted = models.BooleanField(_("envoi"), default=False)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(
        _("canal"), max_length=5, choices=Channel.choices, default=Channel.WEB
    )
    saved_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("enregistrement de page")
        verbose_name_plural = _("enregistrements de pages")
        ordering = ["response", "saved_at", "pk"]


class MessageTemplate(models.Model):
    """The text of a message, editable by staff; rendered with Django's template language."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        REMINDER = "reminder", _("relance")
        ACCESS = "access", _("lien envoyé après inscription")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    language = models.CharField(_("langue"), max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(
        _("texte"),
        help_text=_(
            "Variables : {{ contact.name }}, {{ territory.name }}, {{ edition.year }}, "
            "{{ closes_on }}, {{ link }} (lien personnel, obligatoire), {{ unsubscribe_link }} "
            "(obligatoire)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("modèle de message")
        verbose_name_plural = _("modèles de messages")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="message_template_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"


def stalled_cutoff(now=None):
    """A running wave whose last heartbeat is older than this has lost its worker."""
    now = now or timezone.now()
    return now - timezone.timedelta(seconds=settings.BAROMETER_WAVE_STALLED_AFTER)


class WaveQuerySet(models.QuerySet):
    def live(self, now=None):
        """Waves about to send or sending: queued, or running with a recent heartbeat."""
        return self.filter(
            Q(status=Wave.Status.QUEUED)
            | Q(status=Wave.Status.RUNNING, heartbeat_at__gte=stalled_cutoff(now))
        )

    def stalled(self, now=None):
        """Running waves whose worker has given no sign of life (killed, machine lost)."""
        return self.filter(status=Wave.Status.RUNNING).filter(
            Q(heartbeat_at__lt=stalled_cutoff(now)) | Q(heartbeat_at__isnull=True)
        )


class Wave(models.Model):
    """One sending of invitations or reminders, run by the task worker.

    A running wave records `heartbeat_at` at each message; one whose heartbeat is older than
    BAROMETER_WAVE_STALLED_AFTER seconds is "stalled" and can be resumed (docs/barometer.md).
    """

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitations")
        REMINDER = "reminder", _("relances")

    class Status(models.TextChoices):
        QUEUED = "queued", _("en file d'attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminée")
        FAILED = "failed", _("échouée")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="waves")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    limit = models.PositiveIntegerField(_("limite"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("à envoyer"), default=0)
    sent = models.PositiveIntegerField(_("envoyés"), default=0)
    failed = models.PositiveIntegerField(_("échecs"), default=0)
    error = models.TextField(_("erreur"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finie le"), null=True, blank=True)
    # Who sends it now ("host:pid:run"), and its last sign of life.
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)

    objects = WaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("vague d'envoi")
        verbose_name_plural = _("vagues d'envoi")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.edition.year} #{self.pk}"

    @property
    def done_count(self):
        return self.sent + self.failed

    @property
    def percent(self):
        return round(100 * self.done_count / self.total) if self.total else 100

    @property
    def rate(self):
        """Messages per second over the wave's run, when known."""
        if not (self.started_at and self.finished_at):
            return None
        seconds = (self.finished_at - self.started_at).total_seconds()
        return self.done_count / seconds if seconds > 0 else None

    @property
    def is_stalled(self):
        return self.status == self.Status.RUNNING and (
            self.heartbeat_at is None or self.heartbeat_at < stalled_cutoff()
        )

    @property
    def can_resume(self):
        """Stalled, or failed with messages still to send."""
        return self.is_stalled or (
            self.status == self.Status.FAILED
            and self.messages.filter(status=Message.Status.QUEUED).exists()
        )


class Message(models.Model):
    """The log of every message, one row per message, committed at each step.

    queued (planned by its wave) → claimed (by one worker, just before the SMTP send) → sent or
    failed; bounced when the server says so later. A message still "claimed" by a worker that
    died may or may not have left: it becomes "doubt", for staff to decide (never resent
    automatically, see docs/barometer.md).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("en attente")
        CLAIMED = "claimed", _("en cours d'envoi")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec")
        DOUBT = "doubt", _("incertain (worker interrompu)")
        BOUNCED = "bounced", _("rejeté (bounce)")

    # Messages that still belong to their wave: their invitation is in no other wave.
    PENDING = (Status.QUEUED, Status.CLAIMED, Status.DOUBT)

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="messages")
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    kind = models.CharField(_("type"), max_length=12, choices=MessageTemplate.Kind.choices)
    to_email = models.CharField(_("destinataire"), max_length=254, blank=True)
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    message_id = models.CharField(max_length=200, blank=True, db_index=True)
    status = models.CharField(
        _("statut"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("statut changé le"), default=timezone.now)
    claimed_by = models.CharField(_("envoyé par le worker"), max_length=100, blank=True)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["edition", "status"]),
            # A wave reads its next queued messages in order, whatever its size.
            models.Index(fields=["wave", "status", "id"], name="message_wave_status_id"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.to_email or _('(effacé)')} ({self.status})"


class Registration(models.Model):
    """Someone who answered the open link for a territory that was not invited."""

    class Status(models.TextChoices):
        PENDING = "pending", _("à vérifier")
        CONFIRMED = "confirmed", _("confirmée")
        REJECTED = "rejected", _("refusée")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="registrations")
    territory = models.ForeignKey(
        Territory, verbose_name=_("collectivité"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("courriel"))
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, default="fr")
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} <{self.email}> — {self.territory.name}"
