"""The référentiel of French local governments, built from official data (INSEE COG, DGCL).

Rows are never typed by hand: `observatoire territories load` creates and updates them from
the committed snapshot. Identity is (kind, code) and survives new vintages; a commune that
disappears is marked historical with its successor, never deleted.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    vintage = models.PositiveSmallIntegerField(_("millésime"))
    is_current = models.BooleanField(_("en vigueur"), default=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successeur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    search_name = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="territory_kind_code_unique")
        ]
        indexes = [models.Index(fields=["siren"]), models.Index(fields=["kind", "population"])]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()}, {self.code})"
