"""The référentiel of French local governments, built from official data (INSEE COG, DGCL).

Rows are never typed by hand: `observatoire territories load` creates and updates them from
the committed snapshot. Identity is (kind, code) and survives new vintages; a commune that
disappears is marked historical with its successor, never deleted.
"""

from django.db import connections, models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .text import looks_like_code, normalize_code, normalize_name

KIND_ORDER = {"commune": 0, "epci": 1, "departement": 2, "region": 3}
# More results than anyone reads: a search keeps this many candidates unless asked for all.
SEARCH_CANDIDATES = 200
# Short words that tell homonyms apart in labels: "Paris (75056)", "Paris (département 75)".
KIND_SHORT = {"epci": _("EPCI"), "departement": _("département"), "region": _("région")}
KIND_PLURAL = {
    "commune": _("Communes"),
    "epci": _("Intercommunalités (EPCI)"),
    "departement": _("Départements"),
    "region": _("Régions"),
}


class TerritoryQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True)

    def search(self, query, *, kinds=None, include_historical=False, limit=SEARCH_CANDIDATES):
        """Territories matching a name, an INSEE code, a SIREN or a postcode, best first.

        The query is normalised like `search_name` (accents, case, hyphens and apostrophes
        ignored; "St" read as "Saint" once followed by another word). A query made of digits
        (and 2A/2B) is a code; anything else is a name. Ranking: exact INSEE code or SIREN,
        then postcode or former code, then codes starting with the query; for names: exact
        name, names starting with the query, names with a word starting with it; ties go to
        the larger population. When no name has a word starting with the query, names holding
        every word are looked for ("martin heres" finds Saint-Martin-d'Hères).

        Everything is answered from the indexed SearchKey table: a prefix range on the key, then
        the best `limit` keys in rank order (None: all), so that even "sa" (5,000 names) reads
        narrow rows only; the territories are fetched last.
        """
        name = normalize_name(query, typing=True)
        code = normalize_code(query)
        if len(name) < 2 and len(code) < 2:
            return self.none()
        keys = SearchKey.objects.using(self.db)
        if not include_historical:
            keys = keys.filter(is_current=True)
        if kinds:
            keys = keys.filter(territory_kind__in=kinds)
        vendor = connections[self.db].vendor
        if looks_like_code(query):
            keys = keys.filter(
                _prefix(code, vendor), kind__in=[SearchKey.Kind.CODE, SearchKey.Kind.OTHER_CODE]
            )
            key_rank = [
                When(kind=SearchKey.Kind.CODE, key=code, then=Value(0)),
                When(kind=SearchKey.Kind.OTHER_CODE, key=code, then=Value(1)),
            ]
            rank = [
                When(code=code, then=Value(0)),
                When(siren=code, then=Value(0)),
                When(lookup_codes__contains=f" {code} ", then=Value(1)),
            ]
            default_rank = 2  # a code starting with the query
        else:
            named = keys.filter(kind__in=[SearchKey.Kind.NAME, SearchKey.Kind.WORD])
            keys = named.filter(_prefix(name, vendor))
            if not keys.exists():
                # No word starts with the query: words in another order, or some left out.
                # The longest word anchors the search; the others must appear in the name.
                words = name.split()
                keys = named.filter(_prefix(max(words, key=len), vendor))
                for word in words:
                    keys = keys.filter(territory__search_name__contains=word)
            key_rank = [
                When(kind=SearchKey.Kind.NAME, key=name, then=Value(3)),
                When(kind=SearchKey.Kind.NAME, key__startswith=name, then=Value(4)),
                When(kind=SearchKey.Kind.WORD, key__startswith=name, then=Value(5)),
            ]
            rank = [
                When(search_name=name, then=Value(3)),
                When(search_name__startswith=name, then=Value(4)),
                When(search_name__contains=f" {name}", then=Value(5)),
            ]
            default_rank = 6
        candidates = (
            keys.annotate(
                key_rank=Case(*key_rank, default=Value(default_rank), output_field=IntegerField())
            )
            .order_by("key_rank", F("population").desc(nulls_last=True), "territory_id")
            .values("territory_id")
        )
        if limit is not None:
            candidates = candidates[:limit]
        queryset = self if include_historical else self.current()
        if kinds:
            queryset = queryset.filter(kind__in=kinds)
        kind_order = Case(
            *(When(kind=kind, then=Value(order)) for kind, order in KIND_ORDER.items()),
            output_field=IntegerField(),
        )
        return (
            queryset.filter(pk__in=candidates)
            .annotate(
                search_rank=Case(*rank, default=Value(default_rank), output_field=IntegerField()),
                kind_order=kind_order,
            )
            .order_by("search_rank", F("population").desc(nulls_last=True), "kind_order", "name")
        )


def _prefix(value, vendor):
    """Keys starting with value, in a form each database answers from its index.

    PostgreSQL uses the `varchar_pattern_ops` index Django adds for LIKE 'x%'; SQLite's LIKE is
    case-insensitive and skips the index, but a range on the BINARY-collated key uses it (keys
    are plain ASCII, so every key starting with value sorts below value + DEL).
    """
    if vendor == "sqlite":
        return Q(key__gte=value, key__lt=value + "\x7f")
    return Q(key__startswith=value)


# Words a name-part rarely starts with in a search: "sur mer", "de saint geoirs" still match
# through the longer keys or the fallback.
_STOPWORDS = {
    "a",
    "au",
    "aux",
    "d",
    "de",
    "des",
    "du",
    "en",
    "et",
    "l",
    "la",
    "le",
    "les",
    "sur",
    "sous",
}


def search_keys(search_name, lookup_codes, own_codes):
    """The SearchKey rows of a territory: (key, kind) pairs.

    own_codes are its INSEE code and SIREN; the other codes of `lookup_codes` are postcodes and
    former codes.
    """
    words = search_name.split()
    keys = {(search_name, SearchKey.Kind.NAME)} if search_name else set()
    keys |= {
        (" ".join(words[start:]), SearchKey.Kind.WORD)
        for start in range(1, len(words))
        if words[start] not in _STOPWORDS
    }
    for code in lookup_codes.split():
        keys.add((code, SearchKey.Kind.CODE if code in own_codes else SearchKey.Kind.OTHER_CODE))
    return keys


class Territory(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("Intercommunalité (EPCI)")
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Région")

    class EpciNature(models.TextChoices):
        CC = "CC", _("Communauté de communes")
        CA = "CA", _("Communauté d'agglomération")
        CU = "CU", _("Communauté urbaine")
        METRO = "METRO", _("Métropole")
        MET69 = "MET69", _("Métropole de Lyon")

    class Zone(models.TextChoices):
        METRO = "metro", _("France métropolitaine")
        DROM = "drom", _("Départements et régions d'outre-mer")
        COM = "com", _("Collectivités d'outre-mer")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    # INSEE code for communes, départements and régions; SIREN for EPCI (their official id).
    code = models.CharField(_("code"), max_length=12)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    name = models.CharField(_("nom officiel"), max_length=200)
    epci_nature = models.CharField(
        _("nature de l'EPCI"), max_length=5, choices=EpciNature.choices, blank=True
    )
    population = models.PositiveIntegerField(
        _("population municipale"),
        null=True,
        blank=True,
        help_text=_("Population légale (municipale); vide quand la source n'en donne pas."),
    )
    population_total = models.PositiveIntegerField(_("population totale"), null=True, blank=True)
    zone = models.CharField(_("zone"), max_length=5, choices=Zone.choices)
    postcodes = models.JSONField(_("codes postaux"), default=list, blank=True)
    former_codes = models.JSONField(_("anciens codes INSEE"), default=list, blank=True)
    epci = models.ForeignKey(
        "self",
        verbose_name=_("EPCI"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_communes",
        limit_choices_to={"kind": "epci"},
    )
    departement = models.ForeignKey(
        "self",
        verbose_name=_("département"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "departement"},
    )
    region = models.ForeignKey(
        "self",
        verbose_name=_("région"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "region"},
    )
    vintage = models.PositiveSmallIntegerField(
        _("millésime"), help_text=_("Dernier millésime des données où ce territoire figure.")
    )
    is_current = models.BooleanField(_("en vigueur"), default=True)
    ended_vintage = models.PositiveSmallIntegerField(
        _("disparu au millésime"), null=True, blank=True
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successeur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    search_name = models.CharField(max_length=200, editable=False, db_index=True)
    # " <code> <siren> <postcodes...> <former codes...> ": exact and prefix look-ups by code.
    lookup_codes = models.TextField(editable=False, default="")

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="territory_kind_code_unique")
        ]
        indexes = [
            models.Index(fields=["code"]),
            models.Index(fields=["siren"]),
            models.Index(fields=["kind", "population"]),
            models.Index(fields=["is_current", "kind"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()}, {self.code})"

    def get_absolute_url(self):
        return reverse("territories:detail", kwargs={"kind": self.kind, "code": self.code})

    def save(self, *args, **kwargs):
        """Keep the search columns and keys in step with the official fields.

        The loader writes in bulk and maintains them itself; this covers rows saved one by one
        (test factories of other apps, the shell).
        """
        self.search_name = normalize_name(self.name)
        codes = [self.code, self.siren, *(self.postcodes or []), *(self.former_codes or [])]
        self.lookup_codes = " " + " ".join(dict.fromkeys(c for c in codes if c)) + " "
        super().save(*args, **kwargs)
        self.search_keys.all().delete()
        SearchKey.objects.bulk_create(
            SearchKey(
                territory=self,
                key=key,
                kind=kind,
                territory_kind=self.kind,
                population=self.population,
                is_current=self.is_current,
            )
            for key, kind in search_keys(
                self.search_name, self.lookup_codes, {self.code, self.siren}
            )
        )

    @property
    def key(self):
        """`kind:code`, unambiguous (a département and a région may share a code)."""
        return f"{self.kind}:{self.code}"

    @property
    def label(self):
        """What a person reads in a list: the name and the code that tells homonyms apart."""
        if self.kind == self.Kind.COMMUNE:
            return f"{self.name} ({self.code})"
        return f"{self.name} ({KIND_SHORT[self.kind]} {self.code})"

    @property
    def kind_label(self):
        if self.kind == self.Kind.EPCI and self.epci_nature:
            return self.get_epci_nature_display()
        return self.get_kind_display()

    @property
    def department_code(self):
        if self.kind == self.Kind.DEPARTEMENT:
            return self.code
        return self.departement.code if self.departement_id else None

    def as_search_result(self):
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "kind_label": str(self.kind_label),
            "population": self.population,
            "department": self.department_code,
            "key": self.key,
            "label": self.label,
            "url": self.get_absolute_url(),
        }


class SearchKey(models.Model):
    """What a search can start from: each code of a territory, and its name from each word on.

    "Saint-Étienne-du-Rouvray" gives the keys "saint etienne du rouvray", "etienne du rouvray"
    and "rouvray" (not "du rouvray"), plus its INSEE code, SIREN and postcodes. The territory's
    kind, population and status are copied here so that a search filters and ranks narrow rows.
    """

    class Kind(models.TextChoices):
        NAME = "n", _("nom")
        WORD = "w", _("nom à partir d'un mot")
        CODE = "c", _("code INSEE ou SIREN")
        OTHER_CODE = "p", _("code postal ou ancien code")

    territory = models.ForeignKey(Territory, on_delete=models.CASCADE, related_name="search_keys")
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=1, choices=Kind.choices)
    territory_kind = models.CharField(max_length=12, choices=Territory.Kind.choices)
    population = models.PositiveIntegerField(null=True)
    is_current = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("clé de recherche")
        verbose_name_plural = _("clés de recherche")
        # One index for prefix searches: PostgreSQL needs the pattern operator class for
        # LIKE 'x%'; other databases ignore it and build a plain index (SQLite's ranges use it).
        indexes = [
            models.Index(
                fields=["key"], name="territory_searchkey_key", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self):
        return self.key


class LoadedSnapshot(models.Model):
    """One snapshot loaded into the référentiel: what came in, from where, and when."""

    vintage = models.PositiveSmallIntegerField(_("millésime"))
    package = models.CharField(_("paquet"), max_length=100)
    version = models.CharField(_("version"), max_length=30)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    provenance = models.JSONField(_("provenance"), default=dict)
    summary = models.JSONField(_("bilan du chargement"), default=dict)
    loaded_at = models.DateTimeField(_("chargé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("millésime chargé")
        verbose_name_plural = _("millésimes chargés")
        ordering = ["-vintage", "-loaded_at"]

    def __str__(self):
        return f"{self.package} {self.version} ({self.vintage})"


class Frame(models.Model):
    """The sampling frame of one barometer year, frozen when it is built.

    Members keep the population and band they had at build time, so a frame never changes
    when a newer vintage is loaded.
    """

    year = models.PositiveSmallIntegerField(_("année du baromètre"), unique=True)
    vintage = models.PositiveSmallIntegerField(_("millésime des données"))
    source = models.CharField(_("source"), max_length=200)
    rules = models.JSONField(_("règles"), default=dict)
    counts = models.JSONField(_("effectifs par strate"), default=dict)
    exclusions = models.JSONField(_("exclusions"), default=list)
    note = models.TextField(_("note"), blank=True)
    built_at = models.DateTimeField(_("construit le"), auto_now_add=True)

    class Meta:
        verbose_name = _("base de sondage")
        verbose_name_plural = _("bases de sondage")
        ordering = ["-year"]

    def __str__(self):
        return f"Base de sondage {self.year}"

    @property
    def total(self):
        return sum(self.counts.get("by_kind", {}).values())

    def count_of(self, kind):
        return self.counts.get("by_kind", {}).get(kind, 0)

    @property
    def communes(self):
        return self.count_of("commune")

    @property
    def epcis(self):
        return self.count_of("epci")

    @property
    def departements(self):
        return self.count_of("departement")

    @property
    def regions(self):
        return self.count_of("region")


class FrameMember(models.Model):
    frame = models.ForeignKey(
        Frame, verbose_name=_("base de sondage"), on_delete=models.CASCADE, related_name="members"
    )
    territory = models.ForeignKey(
        Territory, verbose_name=_("territoire"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("strate (type)"), max_length=12, choices=Territory.Kind.choices)
    band = models.CharField(_("tranche de population"), max_length=30)
    population = models.PositiveIntegerField(_("population retenue"), null=True, blank=True)
    name = models.CharField(_("nom à la construction"), max_length=200)

    class Meta:
        verbose_name = _("membre de la base de sondage")
        verbose_name_plural = _("membres de la base de sondage")
        ordering = ["frame", "kind", "-population"]
        constraints = [
            models.UniqueConstraint(fields=["frame", "territory"], name="frame_member_unique")
        ]
        indexes = [models.Index(fields=["frame", "kind", "band"])]

    def __str__(self):
        return f"{self.name} ({self.frame.year}, {self.kind}, {self.band})"

    @property
    def stratum(self):
        return f"{self.kind} × {self.band}"
