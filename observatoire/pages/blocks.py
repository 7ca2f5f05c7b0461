"""The home page's living blocks: staff choose and order them, each fills itself (home.py)."""

from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from . import home


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


class _LivingBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Titre"), required=False)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["heading"] = value.get("heading") or self.meta.default_heading
        context["block_id"] = f"bloc-{self.meta.slug}"
        context.update(self.fill(value))
        return context

    def fill(self, value) -> dict:
        return {}

    class Meta:
        default_heading = ""
        slug = ""


class KeyFiguresBlock(_LivingBlock):
    class Meta:
        icon = "table"
        label = _("Chiffres clés")
        help_text = _(
            "Les chiffres de la cartographie et du dernier baromètre publié, avec leur base ; "
            "ils se mettent à jour seuls."
        )
        template = "pages/blocks/key_figures.html"
        default_heading = _("Chiffres clés")
        slug = "chiffres"

    def fill(self, value):
        return {
            "cartography": home.cartography_figures(),
            "cartography_url": _url("directory:search"),
            "barometer": home.barometer_figures(),
        }


class FindingsBlock(_LivingBlock):
    count = blocks.IntegerBlock(
        label=_("Nombre de constats"), default=2, min_value=1, max_value=home.MAX_FINDINGS
    )

    class Meta:
        icon = "pick"
        label = _("Constats du baromètre")
        help_text = _(
            "Les principaux constats de la dernière édition publiée, avec leur graphique."
        )
        template = "pages/blocks/findings.html"
        default_heading = _("Ce que dit le baromètre")
        slug = "constats"

    def fill(self, value):
        findings = home.headline_findings(value.get("count") or 2)
        if findings:
            for finding in findings["findings"]:
                finding.chart = mark_safe(finding.chart)  # SVG drawn by our chart renderer
        return {"findings": findings}


class LatestPublicationsBlock(_LivingBlock):
    count = blocks.IntegerBlock(label=_("Nombre"), default=3, min_value=1, max_value=6)

    class Meta:
        icon = "doc-full"
        label = _("Dernières publications")
        template = "pages/blocks/publications.html"
        default_heading = _("Dernières publications")
        slug = "publications"

    def fill(self, value):
        return {
            "publications": home.latest_publications(value.get("count") or 3),
            "all_url": _url("editorial:publications"),
        }


class NextEventsBlock(_LivingBlock):
    count = blocks.IntegerBlock(label=_("Nombre"), default=3, min_value=1, max_value=6)

    class Meta:
        icon = "date"
        label = _("Prochains événements")
        template = "pages/blocks/events.html"
        default_heading = _("Prochains événements")
        slug = "evenements"

    def fill(self, value):
        events, upcoming = home.next_events(value.get("count") or 3)
        return {
            "events": events,
            "upcoming": upcoming,
            "all_url": _url("editorial:events"),
        }


class SearchBlock(_LivingBlock):
    class Meta:
        icon = "search"
        label = _("Recherche dans tout le site")
        template = "pages/blocks/search.html"
        default_heading = _("Rechercher")
        slug = "recherche"

    def fill(self, value):
        return {"search_url": _url("editorial:search")}


class FranceMapBlock(_LivingBlock):
    class Meta:
        icon = "site"
        label = _("Carte de France de la cartographie")
        template = "pages/blocks/france_map.html"
        default_heading = _("La civic tech en France")
        slug = "carte"

    def fill(self, value):
        return {"map": mark_safe(home.france_thumbnail()), "map_url": _url("directory:map")}


HOME_BLOCKS = [
    ("key_figures", KeyFiguresBlock()),
    ("findings", FindingsBlock()),
    ("publications", LatestPublicationsBlock()),
    ("events", NextEventsBlock()),
    ("search", SearchBlock()),
    ("france_map", FranceMapBlock()),
]
