"""The cartography's data: organisations (actors), tools, initiatives (dispositifs), the typed
relations between them, the key dates of the field's history, and moderated contributions.

Reading guide:
- the taxonomy (kinds of actor, ecosystems, objectives, tags, functions, themes, relation
  types) is data that staff edit; it is seeded by migration 0002;
- every entry (Organisation, Tool, Initiative) carries sources, a "last verified" date, a
  French-friendly stable slug, a denormalised `search_text` and revisions (Wagtail snippets);
- links that define an entry are plain fields (a tool's makers, an initiative's organiser and
  tools); any other typed, dated link is a `Relation`. `entry.relations_both_ways()` merges
  both, labelled from the entry's side.
"""

import dataclasses
import datetime
import difflib
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import connections, models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable, RevisionMixin

from observatoire.territories.models import Territory

from .choices import (
    BUDGET_BOUNDS,
    BudgetBracket,
    DataOrigin,
    DatePrecision,
    DecisionEffect,
    Hosting,
    Iap2Level,
    Pricing,
    Rgaa,
    Status,
    bracket_for_amount,
    format_date_fr,
)
from .text import normalise, slugify_fr, website_domain

# Words the public pages may use as sub-paths next to entry slugs (/cartographie/outils/<slug>/).
RESERVED_SLUGS = {"nouveau", "proposer", "recherche", "donnees", "carte", "export", "contribuer"}


# --- Taxonomy ---------------------------------------------------------------------------------


class Term(models.Model):
    """A value of an editable vocabulary. `code` is stable (imports and mappings use it)."""

    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Identifiant stable utilisé par les imports et les adresses ; ne pas changer."),
    )
    name = models.CharField(_("libellé"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        renamed = (
            self.pk is not None
            and type(self).objects.filter(pk=self.pk).exclude(name=self.name).exists()
        )
        super().save(*args, **kwargs)
        if renamed:
            # Entries copy term names into their search text; keep them findable.
            for relation in self._meta.related_objects:
                if issubclass(relation.related_model, Entry):
                    relation.related_model.objects.filter(
                        **{relation.field.name: self}
                    ).rebuild_search_text()


class ActorKind(Term):
    is_local_government = models.BooleanField(
        _("collectivité territoriale"),
        default=False,
        help_text=_("Les acteurs de ce type doivent être rattachés à leur territoire."),
    )

    class Meta(Term.Meta):
        verbose_name = _("type d'acteur")
        verbose_name_plural = _("types d'acteurs")


class Ecosystem(Term):
    class Meta(Term.Meta):
        verbose_name = _("écosystème")
        verbose_name_plural = _("écosystèmes")


class Objective(Term):
    class Meta(Term.Meta):
        verbose_name = _("objectif principal")
        verbose_name_plural = _("objectifs principaux")


class Tag(Term):
    class Meta(Term.Meta):
        verbose_name = _("étiquette")
        verbose_name_plural = _("étiquettes")


class Function(Term):
    class Meta(Term.Meta):
        # The barometer's contacts have a "fonction" too (a position): a context tells them apart.
        verbose_name = pgettext_lazy("cartographie", "fonction")
        verbose_name_plural = pgettext_lazy("cartographie", "fonctions")


class Theme(Term):
    class Meta(Term.Meta):
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")


class RelationType(Term):
    inverse_name = models.CharField(
        _("libellé inverse"),
        max_length=100,
        help_text=_("Vu depuis la cible, par exemple « développé par » pour « développe »."),
    )

    class Meta(Term.Meta):
        verbose_name = _("type de relation")
        verbose_name_plural = _("types de relations")


# --- Shared pieces of entries -----------------------------------------------------------------


def _fold_plural(word: str) -> str:
    # Without PostgreSQL's stemmer, at least "consultations" finds "consultation".
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


class EntryQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: entries a moderator has published."""
        return self.filter(is_published=True)

    def search(self, query: str):
        """Entries matching every word of `query`, ignoring accents and case.

        On PostgreSQL: French full-text search with prefixes ("consult" and "consultations"
        both find "Consultation"), served by a GIN index. Elsewhere: substring matching.
        """
        words = normalise(query).split()
        if not words:
            return self
        if connections[self.db].vendor == "postgresql":
            tsquery = " & ".join(f"{word}:*" for word in words)
            matching = self.model.objects.filter(
                search_vector=SearchQuery(tsquery, config="french", search_type="raw")
            )
            # Words inside a name ("deputes" in "NosDéputés") escape the stemmer: match the
            # short name column too. The subquery keeps the GIN index usable despite the OR.
            in_name = Q()
            for word in words:
                in_name &= Q(name_key__contains=_fold_plural(word))
            return self.filter(Q(pk__in=matching.values("pk")) | in_name)
        condition = Q()
        for word in words:
            condition &= Q(search_text__contains=_fold_plural(word))
        return self.filter(condition)

    def filter_by(self, **facets):
        """Filter on the model's FACETS, e.g. `Tool.objects.filter_by(function=["petition"])`.

        A list means "any of"; empty values are ignored, so a search form can pass all its
        fields through.
        """
        queryset = self
        multi = False
        for name, value in facets.items():
            if value in (None, "", [], ()):
                continue
            try:
                lookup = self.model.FACETS[name]
            except KeyError:
                raise ValueError(f"Unknown facet {name!r} for {self.model.__name__}") from None
            if isinstance(value, list | tuple | set):
                queryset = queryset.filter(**{f"{lookup}__in": list(value)})
                multi = multi or "__" in lookup
            else:
                queryset = queryset.filter(**{lookup: value})
        return queryset.distinct() if multi else queryset

    def rebuild_search_text(self, batch_size: int = 500) -> int:
        """Recompute `search_text` (after bulk loads or renamed related records)."""
        count = 0
        batch = []
        for entry in self.order_by("pk").iterator(chunk_size=batch_size):
            entry.search_text = entry.build_search_text()
            batch.append(entry)
            if len(batch) >= batch_size:
                self.model.objects.bulk_update(batch, ["search_text"])
                count += len(batch)
                batch = []
        if batch:
            self.model.objects.bulk_update(batch, ["search_text"])
            count += len(batch)
        return count


class Entry(RevisionMixin, ClusterableModel):
    """Common ground of organisations, tools and initiatives."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(
        _("identifiant d'adresse"),
        max_length=90,
        unique=True,
        blank=True,
        allow_unicode=False,
        help_text=_("Créé à partir du nom s'il est vide ; il ne change plus ensuite."),
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("site web"), max_length=500, blank=True)
    external_ids = models.JSONField(
        _("identifiants externes"),
        default=dict,
        blank=True,
        help_text=_('Identifiants dans d\'autres annuaires, ex. {"participedia": "4521"}.'),
    )
    is_published = models.BooleanField(
        _("publié"),
        default=False,
        help_text=_("Seules les fiches publiées apparaissent sur le site public."),
    )
    field_sources = models.JSONField(
        _("provenance des champs"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_(
            "Pour chaque champ venu d'une source moissonnée : la source, la date et la valeur "
            "reçue. Une valeur différente aujourd'hui a été retouchée par l'équipe."
        ),
    )
    data_origin = models.CharField(
        _("origine des données"),
        max_length=6,
        choices=DataOrigin.choices,
        default=DataOrigin.REAL,
        help_text=_(
            "« Donnée de démonstration » : fiche du jeu de démonstration, signalée comme telle "
            "sur le site public."
        ),
    )
    last_verified_on = models.DateField(_("dernière vérification"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    name_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    search_text = models.TextField(editable=False, default="")
    # PostgreSQL only: to_tsvector('french', search_text), kept by a trigger (migration 0003)
    # so bulk loads stay searchable; stays empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = EntryQuerySet.as_manager()

    # Public URL prefix under /cartographie/ and the URL name the public pages register.
    url_segment = ""
    url_name = ""
    entity = ""
    FACETS: dict[str, str] = {}

    class Meta:
        abstract = True
        ordering = ["name_key"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        try:
            return reverse(self.url_name, kwargs={"slug": self.slug})
        except NoReverseMatch:
            # The public pages come later; the documented address is already stable.
            return f"/cartographie/{self.url_segment}/{self.slug}/"

    @property
    def website_domain(self) -> str:
        return website_domain(self.website)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or not set(update_fields) <= {"latest_revision", "is_published"}:
            self.name = self.name.strip()
            if not self.slug:
                self.slug = self.unique_slug(self.name)
            self.name_key = normalise(self.name)
            self.search_text = self.build_search_text()
            self.update_current_status()
            if update_fields is not None:
                kwargs["update_fields"] = {
                    *update_fields,
                    "slug",
                    "name_key",
                    "search_text",
                    "updated_at",
                    *(["current_status"] if hasattr(self, "current_status") else []),
                }
        super().save(*args, **kwargs)

    @classmethod
    def unique_slug(cls, name: str, exclude_pk=None) -> str:
        base = slugify_fr(name) or cls.entity
        candidate, number = base, 1
        others = cls.objects.exclude(pk=exclude_pk) if exclude_pk else cls.objects.all()
        while candidate in RESERVED_SLUGS or others.filter(slug=candidate).exists():
            number += 1
            candidate = f"{base}-{number}"
        return candidate

    def search_parts(self) -> list[str]:
        return [self.name, self.description, self.website_domain]

    def build_search_text(self) -> str:
        return normalise(" ".join(part for part in self.search_parts() if part))

    def update_current_status(self) -> None:
        """Entries with status periods override this."""

    # --- relations seen from this entry

    def structural_links(self) -> list["LinkView"]:
        """Links that are fields of the entries (makers, organiser, tools)."""
        return []

    def relations_both_ways(self, *, published_only: bool = False) -> list["LinkView"]:
        """Every link of this entry, labelled from its side ("développé par X", "héberge Y")."""
        links = list(self.structural_links())
        outgoing = self.relations_out.select_related(
            "type", "target_organisation", "target_tool", "target_initiative"
        )
        for relation in outgoing:
            links.append(
                LinkView(
                    label=relation.type.name,
                    type_code=relation.type.code,
                    other=relation.target,
                    direction="out",
                    relation=relation,
                    start_on=relation.start_on,
                    end_on=relation.end_on,
                )
            )
        incoming = self.relations_in.select_related(
            "type", "source_organisation", "source_tool", "source_initiative"
        )
        for relation in incoming:
            links.append(
                LinkView(
                    label=relation.type.inverse_name,
                    type_code=relation.type.code,
                    other=relation.source,
                    direction="in",
                    relation=relation,
                    start_on=relation.start_on,
                    end_on=relation.end_on,
                )
            )
        if published_only:
            links = [link for link in links if getattr(link.other, "is_published", True)]
        return sorted(links, key=lambda link: (link.label, normalise(str(link.other))))


@dataclasses.dataclass
class LinkView:
    """One link as seen from an entry: `label` reads "<entry> <label> <other>"."""

    label: str
    type_code: str
    other: object
    direction: str  # "out" when the entry is the subject of the label, "in" otherwise
    relation: "Relation | None" = None
    start_on: datetime.date | None = None
    end_on: datetime.date | None = None

    @property
    def sources(self):
        if self.relation and (self.relation.source_url or self.relation.source_title):
            return [(self.relation.source_title, self.relation.source_url)]
        return []


STRUCTURAL_LABELS = {
    # type code: (label from the subject, label from the object)
    "develops": (_("développe"), _("développé par")),
    "uses": (_("utilise"), _("utilisé par")),
    "organises": (_("organise"), _("organisé par")),
}


def _structural_label(code: str, direction: str) -> str:
    forward, inverse = STRUCTURAL_LABELS[code]
    return str(forward if direction == "out" else inverse)


class SourceBase(Orderable):
    title = models.CharField(_("titre de la source"), max_length=300)
    url = models.URLField(_("adresse"), max_length=500, blank=True)
    accessed_on = models.DateField(_("consultée le"), null=True, blank=True)

    panels = [FieldPanel("title"), FieldRowPanel([FieldPanel("url"), FieldPanel("accessed_on")])]

    class Meta(Orderable.Meta):
        abstract = True
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return self.title


class StatusPeriodBase(models.Model):
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices)
    start_on = models.DateField(_("depuis le"), null=True, blank=True)
    end_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    note = models.CharField(_("précision"), max_length=200, blank=True)

    parent_field = ""
    panels = [
        FieldRowPanel([FieldPanel("status"), FieldPanel("start_on"), FieldPanel("end_on")]),
        FieldPanel("note"),
    ]

    class Meta:
        abstract = True
        ordering = [models.F("start_on").asc(nulls_first=True), "pk"]
        verbose_name = _("période de statut")
        verbose_name_plural = _("statuts successifs")

    def __str__(self):
        return f"{self.get_status_display()} ({self.start_on or '…'} – {self.end_on or '…'})"

    def clean(self):
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("La fin précède le début.")})

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        getattr(self, self.parent_field).refresh_current_status()

    def delete(self, *args, **kwargs):
        parent = getattr(self, self.parent_field)
        result = super().delete(*args, **kwargs)
        parent.refresh_current_status()
        return result


def current_status_of(periods, today: datetime.date | None = None) -> str:
    """The status of the latest-starting period still running today; "" when none is."""
    today = today or timezone.localdate()
    running = [
        period
        for period in periods
        if (period.start_on is None or period.start_on <= today)
        and (period.end_on is None or period.end_on >= today)
    ]
    if not running:
        return ""
    latest = max(running, key=lambda period: period.start_on or datetime.date.min)
    return latest.status


class StatusMixin(models.Model):
    current_status = models.CharField(
        _("statut actuel"),
        max_length=10,
        choices=Status.choices,
        blank=True,
        editable=False,
        db_index=True,
    )

    class Meta:
        abstract = True

    def update_current_status(self) -> None:
        # Works before the cluster is committed: statuses.all() returns the in-memory periods.
        self.current_status = current_status_of(self.statuses.all())

    def refresh_current_status(self) -> None:
        """Called when a period is saved or deleted on its own (ORM, import)."""
        status = current_status_of(self.statuses.all())
        if status != self.current_status:
            self.current_status = status
            type(self).objects.filter(pk=self.pk).update(current_status=status)


# --- Entries ----------------------------------------------------------------------------------

siren_validator = RegexValidator(r"^\d{9}$", _("Un SIREN compte 9 chiffres."))
rna_validator = RegexValidator(r"^W\d{9}$", _("Un numéro RNA s'écrit W suivi de 9 chiffres."))
wikidata_validator = RegexValidator(r"^Q\d+$", _("Un identifiant Wikidata s'écrit Q123."))
country_validator = RegexValidator(r"^[A-Z]{2}$", _("Code pays ISO à deux lettres, ex. FR."))


class OrganisationQuerySet(EntryQuerySet):
    pass


class Organisation(StatusMixin, Entry):
    """An actor of the field: association, company, public agency, local government..."""

    kind = models.ForeignKey(
        ActorKind,
        verbose_name=_("type d'acteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[siren_validator])
    rna = models.CharField(_("numéro RNA"), max_length=10, blank=True, validators=[rna_validator])
    wikidata_id = models.CharField(
        _("identifiant Wikidata"), max_length=20, blank=True, validators=[wikidata_validator]
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territoire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_organisations",
        help_text=_(
            "Siège (commune ou département) ; pour une collectivité, le territoire qu'elle "
            "administre."
        ),
    )
    city = models.CharField(_("ville"), max_length=100, blank=True)
    country = models.CharField(
        _("pays"), max_length=2, default="FR", validators=[country_validator]
    )
    founded_on = models.DateField(_("date de création"), null=True, blank=True)
    founded_precision = models.CharField(
        _("précision de la date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    ecosystems = ParentalManyToManyField(
        Ecosystem, verbose_name=_("écosystèmes"), blank=True, related_name="organisations"
    )

    objects = OrganisationQuerySet.as_manager()

    url_segment = "acteurs"
    url_name = "directory:organisation-detail"
    entity = "organisation"
    FACETS = {
        "kind": "kind__code",
        "ecosystem": "ecosystems__code",
        "status": "current_status",
        "country": "country",
        "territory": "territory",
        "departement": "territory__departement",
        "region": "territory__region",
    }

    class Meta(Entry.Meta):
        verbose_name = _("acteur")
        verbose_name_plural = _("acteurs")

    def clean(self):
        super().clean()
        if self.kind_id and self.kind.is_local_government and not self.territory_id:
            raise ValidationError(
                {"territory": _("Une collectivité doit être rattachée à son territoire.")}
            )

    @property
    def founded_display(self) -> str:
        return format_date_fr(self.founded_on, self.founded_precision)

    @property
    def location_display(self) -> str:
        if self.territory_id:
            return self.territory.name
        return ", ".join(part for part in [self.city, self.country] if part)

    def search_parts(self):
        parts = [*super().search_parts(), self.city]
        if self.kind_id:
            parts.append(self.kind.name)
        if self.territory_id:
            parts.append(self.territory.name)
        parts += [ecosystem.name for ecosystem in self.ecosystems.all()]
        return parts

    def structural_links(self):
        links = [
            LinkView(
                label=_structural_label("develops", "out"),
                type_code="develops",
                other=link.tool,
                direction="out",
            )
            for link in self.tool_links.select_related("tool")
        ]
        links += [
            LinkView(
                label=_structural_label("organises", "out"),
                type_code="organises",
                other=initiative,
                direction="out",
                start_on=initiative.start_on,
                end_on=initiative.end_on,
            )
            for initiative in self.organised_initiatives.all()
        ]
        return links


class ToolQuerySet(EntryQuerySet):
    pass


class Tool(StatusMixin, Entry):
    """A digital participation product or platform."""

    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objectif principal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tools",
    )
    tags = ParentalManyToManyField(
        Tag, verbose_name=_("étiquettes"), blank=True, related_name="tools"
    )
    functions = ParentalManyToManyField(
        Function, verbose_name=_("fonctions"), blank=True, related_name="tools"
    )
    makers = models.ManyToManyField(
        Organisation,
        through="ToolMaker",
        verbose_name=_("développé par"),
        blank=True,
        related_name="tools",
    )
    iap2_level = models.CharField(
        _("niveau de participation (IAP2)"), max_length=12, choices=Iap2Level.choices, blank=True
    )
    is_open_source = models.BooleanField(_("logiciel libre"), default=False)
    licence = models.CharField(
        _("licence"),
        max_length=80,
        blank=True,
        help_text=_("Identifiant SPDX de préférence, ex. AGPL-3.0-or-later."),
    )
    source_repository = models.URLField(_("dépôt du code source"), max_length=500, blank=True)
    hosting = models.CharField(_("hébergement"), max_length=5, choices=Hosting.choices, blank=True)
    rgaa = models.CharField(_("conformité RGAA"), max_length=8, choices=Rgaa.choices, blank=True)
    rgaa_audited_on = models.DateField(_("date de l'audit RGAA"), null=True, blank=True)
    pricing = models.CharField(
        _("modèle économique"), max_length=12, choices=Pricing.choices, blank=True
    )
    launched_on = models.DateField(_("date de lancement"), null=True, blank=True)
    launched_precision = models.CharField(
        _("précision de la date"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )

    objects = ToolQuerySet.as_manager()

    url_segment = "outils"
    url_name = "directory:tool-detail"
    entity = "tool"
    FACETS = {
        "objective": "objective__code",
        "tag": "tags__code",
        "function": "functions__code",
        "iap2_level": "iap2_level",
        "status": "current_status",
        "open_source": "is_open_source",
        "rgaa": "rgaa",
        "pricing": "pricing",
        "hosting": "hosting",
        "maker": "makers__slug",
    }

    class Meta(Entry.Meta):
        verbose_name = _("outil")
        verbose_name_plural = _("outils")

    def clean(self):
        super().clean()
        if self.source_repository and not self.is_open_source:
            raise ValidationError(
                {
                    "is_open_source": _(
                        "Un dépôt de code source est indiqué : cochez « logiciel libre »."
                    )
                }
            )
        if self.rgaa_audited_on and not self.rgaa:
            raise ValidationError({"rgaa": _("Indiquez le résultat de l'audit RGAA.")})

    @property
    def launched_display(self) -> str:
        return format_date_fr(self.launched_on, self.launched_precision)

    def search_parts(self):
        parts = [*super().search_parts(), self.licence]
        if self.objective_id:
            parts.append(self.objective.name)
        parts += [tag.name for tag in self.tags.all()]
        parts += [function.name for function in self.functions.all()]
        parts += [link.organisation.name for link in self.maker_links.all() if link.organisation_id]
        return parts

    def structural_links(self):
        links = [
            LinkView(
                label=_structural_label("develops", "in"),
                type_code="develops",
                other=link.organisation,
                direction="in",
            )
            for link in self.maker_links.select_related("organisation")
        ]
        links += [
            LinkView(
                label=_structural_label("uses", "in"),
                type_code="uses",
                other=link.initiative,
                direction="in",
                start_on=link.initiative.start_on,
                end_on=link.initiative.end_on,
            )
            for link in self.initiative_links.select_related("initiative")
        ]
        return links


class ToolMaker(Orderable):
    tool = ParentalKey(Tool, on_delete=models.CASCADE, related_name="maker_links")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("acteur"),
        on_delete=models.CASCADE,
        related_name="tool_links",
    )

    panels = [FieldPanel("organisation")]

    class Meta(Orderable.Meta):
        verbose_name = _("développeur")
        verbose_name_plural = _("développé par")
        constraints = [
            models.UniqueConstraint(fields=["tool", "organisation"], name="toolmaker_unique")
        ]

    def __str__(self):
        return str(self.organisation)


class InitiativeQuerySet(EntryQuerySet):
    def with_budget_between(self, low: Decimal | None = None, high: Decimal | None = None):
        """Initiatives whose budget interval may overlap [low, high]."""
        queryset = self.exclude(budget_min__isnull=True)
        if low is not None:
            queryset = queryset.filter(Q(budget_max__isnull=True) | Q(budget_max__gte=low))
        if high is not None:
            queryset = queryset.filter(budget_min__lte=high)
        return queryset


class Initiative(Entry):
    """A concrete participatory process ("dispositif") run by an organiser with some tools."""

    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objectif principal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="initiatives",
    )
    themes = ParentalManyToManyField(
        Theme, verbose_name=_("thèmes"), blank=True, related_name="initiatives"
    )
    functions = ParentalManyToManyField(
        Function, verbose_name=_("fonctions"), blank=True, related_name="initiatives"
    )
    iap2_level = models.CharField(
        _("niveau de participation (IAP2)"), max_length=12, choices=Iap2Level.choices, blank=True
    )
    organiser_territory = models.ForeignKey(
        Territory,
        verbose_name=_("collectivité organisatrice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_initiatives",
    )
    organiser_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("acteur organisateur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organised_initiatives",
    )
    tools = models.ManyToManyField(
        Tool,
        through="InitiativeTool",
        verbose_name=_("outils utilisés"),
        blank=True,
        related_name="initiatives",
    )
    country = models.CharField(
        _("pays"), max_length=2, default="FR", validators=[country_validator]
    )
    start_on = models.DateField(_("début"), null=True, blank=True)
    start_precision = models.CharField(
        _("précision du début"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    end_on = models.DateField(_("fin"), null=True, blank=True)
    budget_amount = models.DecimalField(
        _("budget (montant, €)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    budget_bracket = models.CharField(
        _("budget (tranche)"),
        max_length=10,
        choices=BudgetBracket.choices,
        blank=True,
        help_text=_("Tranches du baromètre ; déduite du montant quand il est connu."),
    )
    budget_min = models.DecimalField(
        _("budget minimal (€)"), max_digits=14, decimal_places=2, null=True, editable=False
    )
    budget_max = models.DecimalField(
        _("budget maximal (€)"), max_digits=14, decimal_places=2, null=True, editable=False
    )
    staff_fte = models.DecimalField(
        _("moyens humains (ETP)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    contributions = models.PositiveIntegerField(_("contributions"), null=True, blank=True)
    outcome = models.TextField(_("résultats"), blank=True)
    decision_effect = models.CharField(
        _("effet sur la décision"), max_length=10, choices=DecisionEffect.choices, blank=True
    )
    budget_vote = models.JSONField(
        _("vote du budget participatif"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Règle de vote, votants et projets (titre, coût, voix, retenu) d'un budget "
            "participatif moissonné, tels que la source les publie."
        ),
    )

    objects = InitiativeQuerySet.as_manager()

    url_segment = "initiatives"
    url_name = "directory:initiative-detail"
    entity = "initiative"
    FACETS = {
        "objective": "objective__code",
        "theme": "themes__code",
        "function": "functions__code",
        "iap2_level": "iap2_level",
        "budget_bracket": "budget_bracket",
        "decision_effect": "decision_effect",
        "tool": "tools__slug",
        "organiser": "organiser_organisation__slug",
        "territory": "organiser_territory",
        "departement": "organiser_territory__departement",
        "region": "organiser_territory__region",
        "country": "country",
    }

    class Meta(Entry.Meta):
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")

    @property
    def title(self) -> str:
        return self.name

    @property
    def organiser(self):
        return self.organiser_organisation or self.organiser_territory

    @property
    def start_display(self) -> str:
        return format_date_fr(self.start_on, self.start_precision)

    @property
    def budget_interval(self) -> tuple[Decimal | None, Decimal | None]:
        return (self.budget_min, self.budget_max)

    def clean(self):
        super().clean()
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("La fin précède le début.")})
        if self.budget_amount is not None and self.budget_bracket:
            expected = bracket_for_amount(self.budget_amount)
            if self.budget_bracket != expected:
                raise ValidationError(
                    {"budget_bracket": _("La tranche ne correspond pas au montant indiqué.")}
                )

    def save(self, *args, **kwargs):
        if self.budget_amount is not None:
            self.budget_bracket = self.budget_bracket or bracket_for_amount(self.budget_amount)
            self.budget_min = self.budget_max = self.budget_amount
        else:
            self.budget_min, self.budget_max = BUDGET_BOUNDS.get(self.budget_bracket, (None, None))
        super().save(*args, **kwargs)

    def search_parts(self):
        parts = [*super().search_parts(), self.outcome]
        if self.objective_id:
            parts.append(self.objective.name)
        parts += [theme.name for theme in self.themes.all()]
        parts += [function.name for function in self.functions.all()]
        parts += [link.tool.name for link in self.tool_links.all() if link.tool_id]
        if self.organiser_organisation_id:
            parts.append(self.organiser_organisation.name)
        if self.organiser_territory_id:
            parts.append(self.organiser_territory.name)
        return parts

    def structural_links(self):
        links = [
            LinkView(
                label=_structural_label("uses", "out"),
                type_code="uses",
                other=link.tool,
                direction="out",
            )
            for link in self.tool_links.select_related("tool")
        ]
        if self.organiser_organisation_id:
            links.append(
                LinkView(
                    label=_structural_label("organises", "in"),
                    type_code="organises",
                    other=self.organiser_organisation,
                    direction="in",
                )
            )
        return links


class InitiativeTool(Orderable):
    initiative = ParentalKey(Initiative, on_delete=models.CASCADE, related_name="tool_links")
    tool = models.ForeignKey(
        Tool, verbose_name=_("outil"), on_delete=models.CASCADE, related_name="initiative_links"
    )

    panels = [FieldPanel("tool")]

    class Meta(Orderable.Meta):
        verbose_name = _("outil utilisé")
        verbose_name_plural = _("outils utilisés")
        constraints = [
            models.UniqueConstraint(fields=["initiative", "tool"], name="initiativetool_unique")
        ]

    def __str__(self):
        return str(self.tool)


# --- Child records of entries -----------------------------------------------------------------


class OrganisationSource(SourceBase):
    organisation = ParentalKey(Organisation, on_delete=models.CASCADE, related_name="sources")


class ToolSource(SourceBase):
    tool = ParentalKey(Tool, on_delete=models.CASCADE, related_name="sources")


class InitiativeSource(SourceBase):
    initiative = ParentalKey(Initiative, on_delete=models.CASCADE, related_name="sources")


class OrganisationStatus(StatusPeriodBase):
    organisation = ParentalKey(Organisation, on_delete=models.CASCADE, related_name="statuses")
    parent_field = "organisation"

    class Meta(StatusPeriodBase.Meta):
        pass


class ToolStatus(StatusPeriodBase):
    tool = ParentalKey(Tool, on_delete=models.CASCADE, related_name="statuses")
    parent_field = "tool"

    class Meta(StatusPeriodBase.Meta):
        pass


ENTRY_MODELS = {"organisation": Organisation, "tool": Tool, "initiative": Initiative}


def _exactly_one(prefix: str) -> Q:
    names = [f"{prefix}_organisation", f"{prefix}_tool", f"{prefix}_initiative"]
    condition = Q()
    for chosen in names:
        term = Q()
        for name in names:
            term &= Q(**{f"{name}__isnull": name != chosen})
        condition |= term
    return condition


class Relation(models.Model):
    """A typed, dated, sourced link between two entries, e.g. "Liberté Living Lab héberge Fluicity".

    Explicit nullable keys rather than a generic relation: joins stay plain SQL and deleting
    an entry removes its relations. Exactly one source and one target are set.
    """

    type = models.ForeignKey(
        RelationType, verbose_name=_("relation"), on_delete=models.PROTECT, related_name="relations"
    )
    source_organisation = ParentalKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="relations_out"
    )
    source_tool = ParentalKey(
        Tool, null=True, blank=True, on_delete=models.CASCADE, related_name="relations_out"
    )
    source_initiative = ParentalKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="relations_out"
    )
    target_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("acteur cible"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="relations_in",
    )
    target_tool = models.ForeignKey(
        Tool,
        verbose_name=_("outil cible"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="relations_in",
    )
    target_initiative = models.ForeignKey(
        Initiative,
        verbose_name=_("initiative cible"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="relations_in",
    )
    start_on = models.DateField(_("depuis le"), null=True, blank=True)
    end_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    source_title = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("adresse de la source"), max_length=500, blank=True)
    note = models.CharField(_("précision"), max_length=300, blank=True)

    panels = [
        FieldPanel("type"),
        FieldRowPanel(
            [
                FieldPanel("target_organisation"),
                FieldPanel("target_tool"),
                FieldPanel("target_initiative"),
            ],
            help_text=_("Une seule cible."),
        ),
        FieldRowPanel([FieldPanel("start_on"), FieldPanel("end_on")]),
        FieldRowPanel([FieldPanel("source_title"), FieldPanel("source_url")]),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["type__sort_order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one("source"), name="relation_exactly_one_source"
            ),
            models.CheckConstraint(
                condition=_exactly_one("target"), name="relation_exactly_one_target"
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.type.name if self.type_id else '?'} {self.target}"

    @property
    def source(self):
        return self.source_organisation or self.source_tool or self.source_initiative

    @property
    def target(self):
        return self.target_organisation or self.target_tool or self.target_initiative

    def clean(self):
        targets = [self.target_organisation_id, self.target_tool_id, self.target_initiative_id]
        if sum(value is not None for value in targets) != 1:
            raise ValidationError(
                _("Choisissez exactement une cible : un acteur, un outil ou une initiative.")
            )
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValidationError({"end_on": _("La fin précède le début.")})
        source, target = self.source, self.target
        if source is not None and type(source) is type(target) and source.pk == target.pk:
            raise ValidationError(_("Une fiche ne peut pas être reliée à elle-même."))
        if self.type_id and self.type.code in STRUCTURAL_LABELS:
            covered = {
                ("develops", Organisation, Tool): _(
                    "Utilisez le champ « développé par » de l'outil."
                ),
                ("uses", Initiative, Tool): _(
                    "Utilisez le champ « outils utilisés » de l'initiative."
                ),
                ("organises", Organisation, Initiative): _(
                    "Utilisez le champ « acteur organisateur » de l'initiative."
                ),
            }
            message = covered.get((self.type.code, type(source), type(target)))
            if message:
                raise ValidationError({"type": message})


# --- Key dates --------------------------------------------------------------------------------


class KeyDateQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class KeyDate(RevisionMixin, ClusterableModel):
    """A dated event of the field's history, linked to the entries it concerns."""

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=90, unique=True, blank=True)
    date = models.DateField(_("date"))
    precision = models.CharField(
        _("précision"), max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    description = models.TextField(_("description"), blank=True)
    organisations = ParentalManyToManyField(
        Organisation, verbose_name=_("acteurs"), blank=True, related_name="key_dates"
    )
    tools = ParentalManyToManyField(
        Tool, verbose_name=_("outils"), blank=True, related_name="key_dates"
    )
    initiatives = ParentalManyToManyField(
        Initiative, verbose_name=_("initiatives"), blank=True, related_name="key_dates"
    )
    is_published = models.BooleanField(_("publié"), default=False)
    data_origin = models.CharField(
        _("origine des données"),
        max_length=6,
        choices=DataOrigin.choices,
        default=DataOrigin.REAL,
    )
    last_verified_on = models.DateField(_("dernière vérification"), null=True, blank=True)

    objects = KeyDateQuerySet.as_manager()

    class Meta:
        verbose_name = _("date clé")
        verbose_name_plural = _("dates clés")
        ordering = ["date", "title"]

    def __str__(self):
        return f"{self.date_display} : {self.title}"

    @property
    def date_display(self) -> str:
        return format_date_fr(self.date, self.precision)

    def save(self, *args, **kwargs):
        if not self.slug:
            base = slugify_fr(f"{self.date.year} {self.title}") or "date"
            candidate, number = base, 1
            while KeyDate.objects.exclude(pk=self.pk).filter(slug=candidate).exists():
                number += 1
                candidate = f"{base}-{number}"
            self.slug = candidate
        super().save(*args, **kwargs)


class KeyDateSource(SourceBase):
    key_date = ParentalKey(KeyDate, on_delete=models.CASCADE, related_name="sources")


# --- Moderated contributions ------------------------------------------------------------------


@dataclasses.dataclass
class Duplicate:
    entry: Entry
    score: float
    reasons: list[str]


class ContributionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Contribution.Status.PENDING)


class Contribution(models.Model):
    """A proposed new entry or a correction to an existing one, waiting for a moderator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        APPROVED = "approved", _("Acceptée")
        REJECTED = "rejected", _("Refusée")

    class Kind(models.TextChoices):
        NEW = "new", _("Nouvelle fiche")
        CORRECTION = "correction", _("Correction")

    entity = models.CharField(
        _("type de fiche"),
        max_length=12,
        choices=[
            ("organisation", _("Acteur")),
            ("tool", _("Outil")),
            ("initiative", _("Initiative")),
        ],
    )
    kind = models.CharField(_("nature"), max_length=10, choices=Kind.choices, default=Kind.NEW)
    target_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_content_type", "target_object_id")
    data = models.JSONField(_("données proposées"), default=dict)
    message = models.TextField(_("message et sources du contributeur"), blank=True)
    contributor_name = models.CharField(_("nom du contributeur"), max_length=200, blank=True)
    contributor_email = models.EmailField(_("courriel du contributeur"), blank=True)
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reason = models.TextField(_("motif de la décision"), blank=True)
    applied_data = models.JSONField(
        _("données appliquées"),
        null=True,
        blank=True,
        help_text=_("Les données retenues à l'acceptation, après les retouches du modérateur."),
    )
    created_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["target_content_type", "target_object_id"])]

    def __str__(self):
        return f"{self.get_kind_display()} : {self.proposed_name or self.target or '?'}"

    @property
    def entry_model(self) -> type[Entry]:
        return ENTRY_MODELS[self.entity]

    @property
    def proposed_name(self) -> str:
        return str(self.data.get("name") or "")

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @cached_property
    def target_entry(self) -> Entry | None:
        return self.target if self.target_object_id else None

    def likely_duplicates(self, *, threshold: float = 0.85, limit: int = 5) -> list[Duplicate]:
        """Existing entries that look like the proposed one: a close name or the same website."""
        name_key = normalise(self.proposed_name)
        domain = website_domain(str(self.data.get("website") or ""))
        if not name_key and not domain:
            return []
        found: dict[int, Duplicate] = {}
        queryset = self.entry_model.objects.all()
        if self.target_object_id:
            queryset = queryset.exclude(pk=self.target_object_id)
        for pk, key, website in queryset.values_list("pk", "name_key", "website").iterator():
            reasons, score = [], 0.0
            if name_key and key:
                matcher = difflib.SequenceMatcher(None, name_key, key)
                if matcher.real_quick_ratio() >= threshold and matcher.quick_ratio() >= threshold:
                    ratio = matcher.ratio()
                    if ratio >= threshold:
                        score = ratio
                        reasons.append(
                            _("nom proche (%(ratio)d %%)") % {"ratio": round(ratio * 100)}
                        )
            if domain and website and website_domain(website) == domain:
                score = max(score, 1.0)
                reasons.append(_("même site web (%(domain)s)") % {"domain": domain})
            if reasons:
                found[pk] = Duplicate(entry=None, score=score, reasons=reasons)
        best = sorted(found.items(), key=lambda item: -item[1].score)[:limit]
        entries = self.entry_model.objects.in_bulk([pk for pk, _duplicate in best])
        result = []
        for pk, duplicate in best:
            duplicate.entry = entries[pk]
            result.append(duplicate)
        return result

    def changes(self) -> list[tuple[str, str, object, object]]:
        """For a correction: (field, label, current value, proposed value) that differ."""
        from .schema import display_value, field_specs

        entry = self.target_entry
        rows = []
        for spec in field_specs(self.entity):
            if spec.name not in self.data:
                continue
            current = display_value(entry, spec) if entry else ""
            proposed = self.data[spec.name]
            if isinstance(proposed, list):
                proposed = ", ".join(str(value) for value in proposed)
            if str(current) != str(proposed):
                rows.append((spec.name, spec.label, current, proposed))
        return rows


# --- Harvests ---------------------------------------------------------------------------------


class HarvestBatch(models.Model):
    """One run of `directory harvest`: what it did, row by row, and how to undo it."""

    class Status(models.TextChoices):
        DONE = "done", _("Enregistré")
        ROLLED_BACK = "rolled_back", _("Annulé")

    source = models.CharField(_("source"), max_length=40)
    origin = models.CharField(_("fichier ou adresse"), max_length=500)
    started_at = models.DateTimeField(_("lancé le"), default=timezone.now)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.DONE)
    counts = models.JSONField(_("décompte"), default=dict)
    actions = models.JSONField(_("lignes"), default=list)
    rejects = models.JSONField(_("lignes rejetées"), default=list)
    created_entries = models.JSONField(default=list, editable=False)
    previous_states = models.JSONField(default=dict, editable=False)
    # Contributions (corrections and possible duplicates) the run sent to moderation: undoing
    # the run withdraws those still pending.
    proposed_contributions = models.JSONField(default=list, editable=False)
    rolled_back_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("moissonnage")
        verbose_name_plural = _("moissonnages")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.source} — {self.started_at:%Y-%m-%d %H:%M}"
