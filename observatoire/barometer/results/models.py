"""Publication of the barometer: cached analyses, the question mapping table, recodings.

The analysis of an edition is computed from its submitted responses by `compute.py` and kept as
JSON (ResultsCache); pages read the JSON, never the responses. See docs/barometer-results.md.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observatoire.barometer.models import Edition, Response


class ResultsCache(models.Model):
    """One analysis of an edition (weighted or not), valid while `responses_version` holds."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    weighted = models.BooleanField(_("pondéré"), default=True)
    computed_at = models.DateTimeField(_("calculé le"), auto_now=True)
    responses_version = models.CharField(_("empreinte des réponses"), max_length=64)
    respondents = models.PositiveIntegerField(_("répondants"), default=0)
    seconds = models.FloatField(_("durée du calcul (s)"), default=0)
    payload = models.JSONField(_("résultats"), default=dict)

    class Meta:
        verbose_name = _("résultats calculés")
        verbose_name_plural = _("résultats calculés")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "weighted"], name="results_cache_edition_weighted_unique"
            )
        ]

    def __str__(self):
        return f"{self.edition} ({'pondéré' if self.weighted else 'non pondéré'})"


class QuestionLink(models.Model):
    """A question renamed between two editions: the mapping table of the trends."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("nom de la question (cette édition)"), max_length=100)
    previous_edition = models.ForeignKey(
        Edition, verbose_name=_("édition précédente"), on_delete=models.CASCADE, related_name="+"
    )
    previous_name = models.CharField(_("nom dans l'édition précédente"), max_length=100)
    comparable = models.BooleanField(
        _("comparable"),
        default=True,
        help_text=_("Décochez si la question a trop changé : aucun test d'évolution ne sera fait."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("correspondance de questions")
        verbose_name_plural = _("correspondances de questions")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "name", "previous_edition"], name="question_link_unique"
            )
        ]

    def __str__(self):
        return (
            f"{self.previous_name} ({self.previous_edition.year}) → {self.name} "
            f"({self.edition.year})"
        )

    def as_link(self):
        from observatoire.lib.stats import QuestionLink as Link

        return Link(
            edition=str(self.edition.year),
            name=self.name,
            previous_edition=str(self.previous_edition.year),
            previous_name=self.previous_name,
            comparable=self.comparable,
            note=self.note,
        )


class Recode(models.Model):
    """One "Autre, précisez" text recoded into a category; the raw answer stays untouched."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="+"
    )
    question = models.CharField(_("question"), max_length=100)
    response = models.ForeignKey(
        Response, verbose_name=_("réponse"), on_delete=models.CASCADE, related_name="+"
    )
    # Position of the fiche in a repeat (1-based); null for a question outside any repeat.
    index = models.PositiveSmallIntegerField(_("fiche n°"), null=True, blank=True)
    text = models.TextField(_("texte saisi"), blank=True)
    category = models.CharField(_("catégorie"), max_length=100)
    label = models.CharField(
        _("libellé (nouvelle catégorie)"),
        max_length=200,
        blank=True,
        help_text=_("Obligatoire pour une catégorie qui n'existe pas dans le questionnaire."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("recodage")
        verbose_name_plural = _("table de recodage")
        ordering = ["question", "response", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "question", "response", "index", "category"],
                name="recode_unique",
            )
        ]

    def __str__(self):
        return f"{self.question} : « {self.text} » → {self.category}"


class EditionReport(models.Model):
    """What staff write around the figures: the editorial introduction of the report."""

    edition = models.OneToOneField(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="+"
    )
    introduction = models.TextField(
        _("introduction éditoriale"),
        blank=True,
        help_text=_(
            "Texte en tête des résultats et du rapport PDF ; paragraphes séparés par une ligne vide."
        ),
    )

    class Meta:
        verbose_name = _("rapport d'édition")
        verbose_name_plural = _("rapports d'édition")

    def __str__(self):
        return f"Rapport {self.edition.year}"


class KeyFinding(models.Model):
    """A key finding of an edition, written (or accepted from a proposal) by staff: one
    sentence and the chart of its question, first on the results overview and in the PDF."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="+"
    )
    question = models.CharField(
        _("question"),
        max_length=100,
        help_text=_("Nom de la question dont le graphique accompagne le constat."),
    )
    sentence = models.TextField(_("constat"), help_text=_("Une phrase, lisible seule."))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("constat clé")
        verbose_name_plural = _("constats clés")
        ordering = ["edition", "position", "pk"]

    def __str__(self):
        return f"{self.edition.year} — {self.sentence[:60]}"


class DemoEdition(models.Model):
    """Marks an edition whose responses are synthetic: every page and file says so."""

    edition = models.OneToOneField(Edition, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("édition de démonstration")
        verbose_name_plural = _("éditions de démonstration")

    def __str__(self):
        return f"Démonstration {self.edition.year}"


class PromotedScheme(models.Model):
    """A fiche-dispositif of a response turned into a cartography initiative (draft)."""

    response = models.ForeignKey(
        Response, verbose_name=_("réponse"), on_delete=models.CASCADE, related_name="+"
    )
    index = models.PositiveSmallIntegerField(_("fiche n°"))  # 1-based, as in data.py
    initiative = models.ForeignKey(
        "directory.Initiative",
        verbose_name=_("initiative"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fiche versée dans la cartographie")
        verbose_name_plural = _("fiches versées dans la cartographie")
        constraints = [
            models.UniqueConstraint(fields=["response", "index"], name="promoted_scheme_unique")
        ]

    def __str__(self):
        return f"Fiche {self.index} de la réponse {self.response_id} → {self.initiative_id}"


class RenderedChart(models.Model):
    """vl-convert's SVG of one Vega-Lite spec, keyed by the spec's content (see charts.py).

    The SVG is kept as rendered, before `make_accessible`: its title and ids differ per page.
    Rows unused for 30 days are pruned by `tasks.refresh_results`.
    """

    digest = models.CharField(_("empreinte"), max_length=64, primary_key=True)
    svg = models.TextField("SVG")
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    used_at = models.DateTimeField(_("utilisé le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("graphique rendu")
        verbose_name_plural = _("graphiques rendus")

    def __str__(self):
        return self.digest[:12]
