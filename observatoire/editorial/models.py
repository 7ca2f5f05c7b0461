"""What the observatory publishes and convenes, edited by the staff in the Wagtail admin.

Reading guide:
- section pages (`PublicationIndexPage`, `EventIndexPage`, `ResourceIndexPage`, `AboutPage`)
  sit under the home page, one per language, with fixed slugs: their addresses are also the
  Django views of `observatoire.editorial.urls`, which list, filter and take the forms; the
  pages hold the texts staff edit (introductions, objectives) and are the parents of
- `PublicationPage` and `EventPage`, ordinary Wagtail pages (drafts, revisions, previews);
- snippets: `Partner`, `CommitteeMember`, `Resource` (with the result of the last link check);
- records of visitors: `Registration` (seats and waiting list), `Subscriber` (newsletter,
  double opt-in), `ContactMessage`;
- `EditorialSettings`: the address that receives contact messages.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Func, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from observatoire.pages.models import ObjectiveBlock

from .blocks import ProgrammeItemBlock, PublicationBodyBlock
from .text import STOP_WORDS, query_stems, search_text, words

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


# --- Search -----------------------------------------------------------------------------------


class FrenchSearchVector(Func):
    """to_tsvector('french', search_text) on PostgreSQL."""

    function = "to_tsvector"
    template = "%(function)s('french'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


class SearchableQuerySet(models.QuerySet):
    """`site_search(query)` over the model's denormalised `search_text` (see text.py).

    Not named `search`: Wagtail's page querysets already have one (its own search backend).
    """

    def site_search(self, query: str):
        if connections[self.db].vendor == "postgresql":
            terms = [word for word in words(query) if word not in STOP_WORDS]
            if not terms:
                return self.none()
            tsquery = SearchQuery(
                " & ".join(f"{term}:*" for term in terms), config="french", search_type="raw"
            )
            vector = FrenchSearchVector("search_text")
            return (
                self.annotate(search_vector=vector)
                .filter(search_vector=tsquery)
                .annotate(search_rank=SearchRank(vector, tsquery))
            )
        stems = query_stems(query)
        if not stems:
            return self.none()
        condition = Q()
        for stem in stems:
            condition &= Q(search_text__contains=f" {stem}")
        return self.filter(condition)


class EditorialPageQuerySet(SearchableQuerySet, PageQuerySet):
    def visible(self):
        """What an anonymous visitor may see: published and not behind a view restriction."""
        return self.live().public()

    def for_language(self, locale: Locale | None = None):
        """Pages in `locale`, plus pages of other languages that have no translation in it."""
        locale = locale or Locale.get_active()  # falls back to the default locale
        translated = self.model.objects.filter(locale=locale).values("translation_key")
        return self.filter(Q(locale=locale) | ~Q(translation_key__in=translated))


class SearchTextMixin(models.Model):
    search_text = models.TextField(editable=False, default="")

    class Meta:
        abstract = True

    def search_parts(self) -> list[str]:
        raise NotImplementedError

    def refresh_search_text(self) -> None:
        self.search_text = search_text(*self.search_parts())


def _page_save_refreshes_search(page, kwargs) -> None:
    # Saving a revision only writes a few columns (the row keeps the live content), so only a
    # full save — creation or publication — may refresh the searchable text.
    if kwargs.get("update_fields") is None:
        page.refresh_search_text()


# --- Section pages ----------------------------------------------------------------------------


class SectionPage(Page):
    """A section of the site (/publications/, /evenements/...) with a fixed address."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link", "ol", "ul"]
    )

    section_slug = ""
    view_name = ""  # the Django view of urls.py that serves the section's address

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["pages.HomePage"]
    max_count_per_parent = 1

    class Meta:
        abstract = True

    def full_clean(self, *args, **kwargs):
        # The address is also a Django route and the navigation's; staff cannot rename it.
        self.slug = self.section_slug
        super().full_clean(*args, **kwargs)

    def serve(self, request, *args, **kwargs):
        from . import views

        return getattr(views, self.view_name)(request, section=self)

    @classmethod
    def for_active_language(cls):
        """The section page in the active language (or the default one), live, if any."""
        pages = cls.objects.live()
        return (
            pages.filter(locale__language_code=get_language()).first()
            or pages.filter(locale__language_code=settings.LANGUAGE_CODE).first()
        )


class PublicationIndexPage(SectionPage):
    section_slug = "publications"
    view_name = "publications"
    subpage_types = ["editorial.PublicationPage"]

    class Meta:
        verbose_name = _("rubrique Publications")


class EventIndexPage(SectionPage):
    section_slug = "evenements"
    view_name = "events"
    subpage_types = ["editorial.EventPage"]

    class Meta:
        verbose_name = _("rubrique Événements")


class ResourceIndexPage(SectionPage):
    section_slug = "ressources"
    view_name = "resources"
    subpage_types = []

    class Meta:
        verbose_name = _("rubrique Ressources")


class AboutPage(SectionPage):
    """About the observatory: objectives, steering committee, partners, contact form."""

    objectives = StreamField(
        [("objective", ObjectiveBlock())], verbose_name=_("objectifs"), blank=True
    )
    committee_text = RichTextField(
        _("présentation du comité d'orientation"),
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
    )
    contact_text = models.TextField(_("texte au-dessus du formulaire de contact"), blank=True)

    section_slug = "a-propos"
    view_name = "about"
    subpage_types = []
    content_panels = [
        *SectionPage.content_panels,
        FieldPanel("objectives"),
        FieldPanel("committee_text"),
        FieldPanel("contact_text"),
    ]

    class Meta:
        verbose_name = _("rubrique À propos")


# --- Snippets ---------------------------------------------------------------------------------


class Partner(models.Model):
    class Kind(models.TextChoices):
        FINANCIAL = "financial", _("Partenaire financier")
        OPERATIONAL = "operational", _("Partenaire opérationnel")
        EVENT = "event", _("Partenaire d'un événement")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type de partenariat"), max_length=12, choices=Kind.choices)
    website = models.URLField(_("site web"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    since = models.PositiveSmallIntegerField(_("partenaire depuis (année)"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("partenariat en cours"),
        default=True,
        help_text=_(
            "Les partenaires financiers et opérationnels en cours figurent sur la page À propos."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("since")]),
        FieldPanel("website"),
        FieldPanel("logo"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("is_active"), FieldPanel("sort_order")]),
    ]

    class Meta:
        ordering = ["kind", "sort_order", "name"]
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")

    def __str__(self):
        return self.name

    def json_ld(self):
        data = {"@type": "Organization", "name": self.name}
        if self.website:
            data["url"] = self.website
        return data


class CommitteeMember(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    role = models.CharField(
        _("rôle au comité"), max_length=200, help_text=_("Ex. présidente, membre, expert associé.")
    )
    affiliation = models.CharField(_("organisation"), max_length=200, blank=True)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partenaire représenté"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_members",
    )
    is_active = models.BooleanField(_("membre actuel"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("membre du comité d'orientation")
        verbose_name_plural = _("membres du comité d'orientation")

    def __str__(self):
        return self.name

    @property
    def affiliation_display(self) -> str:
        affiliation = self.affiliation or (self.partner.name if self.partner_id else "")
        return "" if affiliation == self.name else affiliation  # an organisation as member


class ResourceQuerySet(SearchableQuerySet):
    def broken(self):
        return self.filter(link_ok=False)


class Resource(SearchTextMixin):
    class Category(models.TextChoices):
        NETWORKS = "networks", _("Réseaux et organisations")
        TRAINING = "training", _("Formations et MOOC")
        VIDEOS = "videos", _("Vidéos")
        GUIDES = "guides", _("Guides et boîtes à outils")
        DIRECTORIES = "directories", _("Répertoires")
        BOOKS = "books", _("Ouvrages et études")

    title = models.CharField(_("titre"), max_length=200)
    url = models.URLField(_("adresse"), max_length=500)
    description = models.TextField(_("description"), help_text=_("Une ou deux phrases."))
    category = models.CharField(_("catégorie"), max_length=12, choices=Category.choices)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    link_ok = models.BooleanField(_("lien valide"), null=True, editable=False)
    link_status = models.PositiveSmallIntegerField(_("code HTTP"), null=True, editable=False)
    link_error = models.CharField(_("erreur"), max_length=300, blank=True, editable=False)
    link_checked_at = models.DateTimeField(_("vérifié le"), null=True, editable=False)

    objects = ResourceQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("url"),
        FieldPanel("category"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["category", "sort_order", "title"]
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None:
            self.refresh_search_text()
        super().save(*args, **kwargs)

    def search_parts(self):
        return [self.title, self.description, self.get_category_display()]

    def record_check(self, status: int | None, error: str = "") -> None:
        self.link_status = status
        self.link_ok = status is not None and 200 <= status < 400
        self.link_error = error[:300]
        self.link_checked_at = timezone.now()
        self.save(update_fields=["link_ok", "link_status", "link_error", "link_checked_at"])

    @property
    def link_state(self) -> str:
        if self.link_ok is None:
            return str(_("pas encore vérifié"))
        when = date_format(timezone.localtime(self.link_checked_at), "SHORT_DATETIME_FORMAT")
        what = str(self.link_status or self.link_error or "?")
        return f"{'OK' if self.link_ok else _('cassé')} ({what}, {when})"


# --- Publications -----------------------------------------------------------------------------


class PublicationKind(models.TextChoices):
    ANALYSIS = "analysis", _("Note d'analyse")
    METHODOLOGY = "methodology", _("Note méthodologique")
    ARTICLE = "article", _("Article")
    STUDY = "study", _("Étude")
    REPORT = "report", _("Rapport")


class PublicationTag(TaggedItemBase):
    content_object = ParentalKey(
        "editorial.PublicationPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class PublicationQuerySet(EditorialPageQuerySet):
    pass


class PublicationPage(SearchTextMixin, Page):
    kind = models.CharField(_("type"), max_length=12, choices=PublicationKind.choices)
    date = models.DateField(_("date de publication"), default=datetime.date.today)
    summary = models.TextField(
        _("résumé"), help_text=_("Deux à quatre phrases, sans mise en forme.")
    )
    body = StreamField(PublicationBodyBlock(), verbose_name=_("texte"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("version PDF"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = ClusterTaggableManager(through=PublicationTag, blank=True, verbose_name=_("mots-clés"))

    objects = PageManager.from_queryset(PublicationQuerySet)()

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("date")]),
        InlinePanel("authors", label=_("Auteurs et autrices")),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("document"),
        FieldPanel("tags"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
    ]
    parent_page_types = ["editorial.PublicationIndexPage"]
    subpage_types = []
    # Sub-paths of /publications/ that are Django routes, not publications.
    RESERVED_SLUGS = {"flux"}

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def clean(self):
        super().clean()
        if self.slug in self.RESERVED_SLUGS:
            raise ValidationError(
                {"slug": _("Cette adresse est réservée ; choisissez-en une autre.")}
            )
        if self.document and self.document.file_extension.lower() != "pdf":
            raise ValidationError({"document": _("La version à télécharger doit être un PDF.")})

    def save(self, *args, **kwargs):
        _page_save_refreshes_search(self, kwargs)
        return super().save(*args, **kwargs)

    def search_parts(self):
        parts = [self.title, self.summary, self.get_kind_display()]
        parts += [author.name for author in self.authors.all()]
        parts += [tag.name for tag in self.tags.all()]
        for block in self.body:
            if block.block_type == "paragraph":
                parts.append(block.value.source)
            elif block.block_type in {"heading"}:
                parts.append(block.value)
            elif block.block_type == "quote":
                parts.append(block.value["text"])
        return [_strip_tags(part) for part in parts]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["page_json_ld"] = self.json_ld(request)
        return context

    @property
    def author_names(self) -> list[str]:
        return [author.name for author in self.authors.all()]

    def json_ld(self, request=None):
        data = {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": self.title,
            "description": self.summary,
            "datePublished": self.date.isoformat(),
            "inLanguage": self.locale.language_code,
            "articleSection": self.get_kind_display(),
            "url": absolute_url(self.get_url(request), request),
            "publisher": organization_json_ld(request),
        }
        if self.last_published_at:
            data["dateModified"] = self.last_published_at.isoformat()
        authors = [{"@type": "Person", "name": name} for name in self.author_names]
        if authors:
            data["author"] = authors
        keywords = [tag.name for tag in self.tags.all()]
        if keywords:
            data["keywords"] = ", ".join(keywords)
        return data


class PublicationAuthor(Orderable):
    page = ParentalKey(PublicationPage, on_delete=models.CASCADE, related_name="authors")
    name = models.CharField(_("nom"), max_length=200)
    affiliation = models.CharField(_("organisation"), max_length=200, blank=True)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("affiliation")])]

    def __str__(self):
        return self.name


def _strip_tags(text: str) -> str:
    return strip_tags(text or "")


# --- Events -----------------------------------------------------------------------------------


class EventKind(models.TextChoices):
    MATINEE = "matinee", _("Matinée de questionnement")
    WORKSHOP = "workshop", _("Atelier")
    CONFERENCE = "conference", _("Colloque")
    STUDY_TRIP = "study_trip", _("Voyage d'études")
    TRAINING = "training", _("Formation")
    WEBINAR = "webinar", _("Webinaire")


class Schedule(models.TextChoices):
    TIMED = "timed", _("Date et heures")
    DAYS = "days", _("Journée(s) entière(s), heures non précisées")
    MONTH = "month", _("Mois seulement (date à préciser)")


class EventQuerySet(EditorialPageQuerySet):
    def upcoming(self, now=None):
        return self.filter(ends_at__gt=now or timezone.now()).order_by("start")

    def past(self, now=None):
        return self.filter(ends_at__lte=now or timezone.now()).order_by("-start")

    def on_calendar(self):
        """Events precise enough for a calendar (not those known only by their month)."""
        return self.exclude(schedule=Schedule.MONTH)


class EventPage(SearchTextMixin, Page):
    kind = models.CharField(_("type"), max_length=12, choices=EventKind.choices)
    schedule = models.CharField(
        _("précision des dates"), max_length=5, choices=Schedule.choices, default=Schedule.TIMED
    )
    start = models.DateTimeField(
        _("début"), help_text=_("Heure de Paris. Pour un événement sans heure, mettez 00:00.")
    )
    end = models.DateTimeField(
        _("fin"),
        null=True,
        blank=True,
        help_text=_("Heure de Paris. Obligatoire avec des heures ; dernier jour sinon."),
    )
    ends_at = models.DateTimeField(editable=False, db_index=True)
    summary = models.TextField(
        _("résumé"), help_text=_("Deux à quatre phrases, sans mise en forme.")
    )
    venue = models.CharField(_("lieu"), max_length=200, blank=True)
    address = models.TextField(_("adresse"), blank=True)
    online_url = models.URLField(_("lien de connexion en ligne"), blank=True)
    body = RichTextField(
        _("présentation"), blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"]
    )
    programme = StreamField(
        [("item", ProgrammeItemBlock())], verbose_name=_("programme"), blank=True
    )
    partners = ParentalManyToManyField(
        Partner, verbose_name=_("partenaires"), blank=True, related_name="events"
    )
    registration_open = models.BooleanField(
        _("inscriptions ouvertes"),
        default=False,
        help_text=_("Un formulaire d'inscription s'affiche tant que l'événement n'a pas commencé."),
    )
    capacity = models.PositiveIntegerField(
        _("nombre de places"),
        null=True,
        blank=True,
        help_text=_("Vide : sans limite. Au-delà, les inscrits vont sur liste d'attente."),
    )
    follow_up_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("compte rendu ou publication (page du site)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follow_up_url = models.URLField(_("compte rendu (adresse externe)"), blank=True)

    objects = PageManager.from_queryset(EventQuerySet)()

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        MultiFieldPanel(
            [FieldPanel("schedule"), FieldRowPanel([FieldPanel("start"), FieldPanel("end")])],
            heading=_("Dates"),
        ),
        MultiFieldPanel(
            [FieldPanel("venue"), FieldPanel("address"), FieldPanel("online_url")],
            heading=_("Lieu"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("programme"),
        InlinePanel("speakers", label=_("Intervenants et intervenantes")),
        FieldPanel("partners"),
        MultiFieldPanel(
            [FieldPanel("registration_open"), FieldPanel("capacity")], heading=_("Inscriptions")
        ),
        MultiFieldPanel(
            [FieldPanel("follow_up_page"), FieldPanel("follow_up_url")], heading=_("Après")
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
    ]
    parent_page_types = ["editorial.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-start"]

    def clean(self):
        super().clean()
        errors = {}
        if self.schedule == Schedule.TIMED and not self.end:
            errors["end"] = _("Indiquez l'heure de fin.")
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("La fin doit suivre le début.")
        if self.registration_open and self.schedule == Schedule.MONTH:
            errors["registration_open"] = _(
                "Précisez la date de l'événement avant d'ouvrir les inscriptions."
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if kwargs.get("update_fields") is None:
            self.ends_at = self.compute_ends_at()
        _page_save_refreshes_search(self, kwargs)
        return super().save(*args, **kwargs)

    def compute_ends_at(self) -> datetime.datetime:
        """The instant the event is over; "past" and "upcoming" compare with it."""
        last = timezone.localtime(self.end or self.start, PARIS)
        if self.schedule == Schedule.TIMED:
            return self.end or self.start
        if self.schedule == Schedule.DAYS:
            day = last.date() + datetime.timedelta(days=1)
        else:
            day = (last.date().replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return datetime.datetime.combine(day, datetime.time(0), tzinfo=PARIS)

    def search_parts(self):
        parts = [self.title, self.summary, self.get_kind_display(), self.venue, self.address]
        parts += [speaker.name for speaker in self.speakers.all()]
        parts.append(self.body)
        return [_strip_tags(part) for part in parts]

    # --- dates as people read them (always in Paris time)

    @property
    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.start, PARIS)

    @property
    def local_end(self) -> datetime.datetime | None:
        return timezone.localtime(self.end, PARIS) if self.end else None

    @property
    def when_display(self) -> str:
        start, end = self.local_start, self.local_end
        if self.schedule == Schedule.MONTH:
            if end and (end.year, end.month) != (start.year, start.month):
                return f"{date_format(start, 'F Y')} – {date_format(end, 'F Y')}"
            return date_format(start, "F Y")
        if self.schedule == Schedule.DAYS:
            if end and end.date() != start.date():
                return f"{date_format(start, 'j F Y')} – {date_format(end, 'j F Y')}"
            return date_format(start, "l j F Y")
        day = date_format(start, "l j F Y")
        if end and end.date() != start.date():
            return f"{day}, {start:%H:%M} – {date_format(end, 'l j F Y')}, {end:%H:%M}"
        return f"{day}, {start:%H:%M} – {end:%H:%M}" if end else f"{day}, {start:%H:%M}"

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    @property
    def is_on_calendar(self) -> bool:
        return self.schedule != Schedule.MONTH

    # --- registration

    def seats_taken(self) -> int:
        return self.registrations.filter(status=Registration.Status.CONFIRMED).count()

    def seats_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_taken(), 0)

    @property
    def accepts_registrations(self) -> bool:
        return (
            self.registration_open
            and self.schedule != Schedule.MONTH
            and self.live
            and self.start > timezone.now()
        )

    @property
    def follow_up_link(self) -> str:
        if self.follow_up_page_id and self.follow_up_page.live:
            return self.follow_up_page.url
        return self.follow_up_url

    def serve(self, request, *args, **kwargs):
        if request.method == "POST":
            from .views import register_for_event

            return register_for_event(request, self)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from .forms import RegistrationForm

        context = super().get_context(request, *args, **kwargs)
        context.setdefault("registration_form", RegistrationForm())
        context["page_json_ld"] = self.json_ld(request)
        return context

    def json_ld(self, request=None):
        def when(moment):
            local = timezone.localtime(moment, PARIS)
            if self.schedule == Schedule.TIMED:
                return local.isoformat()
            return (
                local.strftime("%Y-%m")
                if self.schedule == Schedule.MONTH
                else local.date().isoformat()
            )

        locations = []
        if self.venue or self.address:
            locations.append(
                {
                    "@type": "Place",
                    "name": self.venue or self.address,
                    "address": self.address or self.venue,
                }
            )
        if self.online_url:
            locations.append({"@type": "VirtualLocation", "url": self.online_url})
        mode = "Mixed" if len(locations) == 2 else ("Online" if self.online_url else "Offline")
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": self.title,
            "description": self.summary,
            "startDate": when(self.start),
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": f"https://schema.org/{mode}EventAttendanceMode",
            "inLanguage": self.locale.language_code,
            "url": absolute_url(self.get_url(request), request),
            "organizer": organization_json_ld(request),
        }
        if self.end:
            data["endDate"] = when(self.end)
        if locations:
            data["location"] = locations[0] if len(locations) == 1 else locations
        performers = [{"@type": "Person", "name": speaker.name} for speaker in self.speakers.all()]
        if performers:
            data["performer"] = performers
        sponsors = [partner.json_ld() for partner in self.partners.all()]
        if sponsors:
            data["sponsor"] = sponsors
        return data


class EventSpeaker(Orderable):
    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("nom"), max_length=200)
    affiliation = models.CharField(_("organisation ou fonction"), max_length=200, blank=True)

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("affiliation")])]

    def __str__(self):
        return self.name


# --- Visitors' records ------------------------------------------------------------------------


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)

    def waiting_in_order(self):
        return self.filter(status=Registration.Status.WAITING).order_by("created_at", "pk")


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Inscrit·e")
        WAITING = "waiting", _("Liste d'attente")
        CANCELLED = "cancelled", _("Annulée")

    event = models.ForeignKey(
        EventPage,
        verbose_name=_("événement"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("adresse e-mail"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    created_at = models.DateTimeField(_("inscrit·e le"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("place obtenue le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    TOKEN_SALT = "editorial.registration"

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="editorial_one_active_registration_per_email",
            )
        ]

    def __str__(self):
        return f"{self.name} — {self.event}"

    @property
    def token(self) -> str:
        return signing.dumps(self.pk, salt=self.TOKEN_SALT)

    @classmethod
    def from_token(cls, token: str) -> "Registration | None":
        try:
            pk = signing.loads(token, salt=cls.TOKEN_SALT)
        except signing.BadSignature:
            return None
        return cls.objects.select_related("event").filter(pk=pk).first()

    def manage_url(self) -> str:
        with override(self.language):
            path = reverse("editorial:registration", kwargs={"token": self.token})
        return settings.SITE_URL + path

    def waiting_position(self) -> int | None:
        if self.status != self.Status.WAITING:
            return None
        earlier = self.event.registrations.waiting_in_order().filter(
            Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, pk__lt=self.pk)
        )
        return earlier.count() + 1


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de confirmation")
        CONFIRMED = "confirmed", _("Confirmé")
        UNSUBSCRIBED = "unsubscribed", _("Désinscrit")

    email = models.EmailField(_("adresse e-mail"), unique=True)
    status = models.CharField(_("statut"), max_length=12, choices=Status.choices)
    language = models.CharField(_("langue"), max_length=8, default="fr")
    created_at = models.DateTimeField(_("demande le"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmé le"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("désinscrit le"), null=True, blank=True)

    CONFIRM_SALT = "editorial.newsletter.confirm"
    UNSUBSCRIBE_SALT = "editorial.newsletter.unsubscribe"
    CONFIRM_MAX_AGE = datetime.timedelta(days=7)

    class Meta:
        verbose_name = _("abonné·e à la lettre")
        verbose_name_plural = _("abonné·es à la lettre")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    def confirm_url(self) -> str:
        # Signed with a timestamp: the link expires, and a new request sends a new one.
        token = signing.dumps(self.email, salt=self.CONFIRM_SALT)
        with override(self.language):
            return settings.SITE_URL + reverse("editorial:newsletter-confirm", args=[token])

    def unsubscribe_url(self) -> str:
        token = signing.dumps(self.email, salt=self.UNSUBSCRIBE_SALT)
        with override(self.language):
            return settings.SITE_URL + reverse("editorial:newsletter-unsubscribe", args=[token])

    def list_unsubscribe_headers(self) -> dict[str, str]:
        """RFC 8058 one-click unsubscribe headers, for every message sent to this address."""
        return {
            "List-Unsubscribe": f"<{self.unsubscribe_url()}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    @classmethod
    def from_confirm_token(cls, token: str) -> "Subscriber | None":
        try:
            email = signing.loads(
                token, salt=cls.CONFIRM_SALT, max_age=cls.CONFIRM_MAX_AGE.total_seconds()
            )
        except signing.BadSignature:  # includes SignatureExpired
            return None
        return cls.objects.filter(email=email).first()

    @classmethod
    def from_unsubscribe_token(cls, token: str) -> "Subscriber | None":
        try:
            email = signing.loads(token, salt=cls.UNSUBSCRIBE_SALT)
        except signing.BadSignature:
            return None
        return cls.objects.filter(email=email).first()


class ContactMessage(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("adresse e-mail"))
    subject = models.CharField(_("objet"), max_length=200)
    message = models.TextField(_("message"))
    language = models.CharField(_("langue"), max_length=8, default="fr")
    created_at = models.DateTimeField(_("reçu le"), default=timezone.now)

    class Meta:
        verbose_name = _("message de contact")
        verbose_name_plural = _("messages de contact")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.subject} ({self.name})"


@register_setting(icon="mail")
class EditorialSettings(BaseGenericSetting):
    contact_email = models.EmailField(
        _("adresse de l'équipe"),
        blank=True,
        help_text=_(
            "Reçoit les messages du formulaire de contact. Vide : les administrateurs du site."
        ),
    )

    class Meta:
        verbose_name = _("publications et rencontres")


def absolute_url(url: str | None, request=None) -> str:
    """An address for e-mails, feeds and metadata: SITE_URL (or the request's host) + path."""
    url = url or "/"
    if url.startswith(("http://", "https://")):
        return url
    return request.build_absolute_uri(url) if request else settings.SITE_URL + url


def organization_json_ld(request=None) -> dict:
    """schema.org Organization of the observatory, for JSON-LD."""
    return {
        "@type": "Organization",
        "name": "Observatoire des civic tech et de la démocratie numérique",
        "url": absolute_url("/", request),
    }
