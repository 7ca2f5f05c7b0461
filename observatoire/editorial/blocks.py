"""StreamField blocks of publication bodies.

Two blocks reach into other apps:
- `BarometerChartBlock` draws a chart of the barometer through one function,
  `observatoire.barometer.embed.render_chart(year, question, language) -> str (HTML)`,
  imported when the block renders. Until the barometer app provides it, the block renders
  nothing on the public site and explains why in the admin preview.
- `CartographyEntriesBlock` links entries of the cartography (Wagtail snippets of the directory
  app) and shows them as cards; Wagtail's reference index records the links, which is how an
  entry's page lists the publications citing it (`queries.publications_citing`).
"""

import importlib

from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

CHART_MODULE = "observatoire.barometer.embed"


def chart_renderer():
    """`render_chart` from the barometer app, or None while that app does not provide it."""
    try:
        module = importlib.import_module(CHART_MODULE)
    except ModuleNotFoundError as error:
        # Only a missing barometer module means "not yet"; an import error inside it is a bug.
        if error.name in {"observatoire.barometer", CHART_MODULE}:
            return None
        raise
    return getattr(module, "render_chart", None)


class BarometerChartBlock(blocks.StructBlock):
    year = blocks.IntegerBlock(
        label=_("Édition (année)"), min_value=2017, max_value=2100, help_text=_("Ex. 2018.")
    )
    question = blocks.CharBlock(
        label=_("Question"),
        max_length=80,
        help_text=_("Code de la question dans le questionnaire de cette édition, ex. Q12."),
    )
    caption = blocks.CharBlock(label=_("Légende"), required=False, max_length=300)

    class Meta:
        icon = "table"
        label = _("Graphique du baromètre")
        template = "editorial/blocks/barometer_chart.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        context["is_preview"] = bool(getattr(request, "is_preview", False))
        context["chart"] = ""
        context["problem"] = ""
        render_chart = chart_renderer()
        if render_chart is None:
            context["problem"] = _(
                "Les graphiques du baromètre ne sont pas encore disponibles dans cette "
                "installation : ce bloc n'apparaîtra sur le site public qu'une fois le module "
                "du baromètre en place. Le reste de la page est publié normalement."
            )
            return context
        try:
            # The barometer app builds this HTML from its own data: trusted like a template.
            context["chart"] = mark_safe(
                render_chart(value["year"], value["question"], get_language())
            )
        except LookupError as error:
            context["problem"] = _(
                "Pas de graphique pour la question « %(question)s » de l'édition %(year)s : "
                "%(error)s"
            ) % {"question": value["question"], "year": value["year"], "error": error}
        return context


class CartographyEntriesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Titre"), required=False, max_length=200)
    organisations = blocks.ListBlock(
        SnippetChooserBlock("directory.Organisation"), label=_("Acteurs"), default=[]
    )
    tools = blocks.ListBlock(SnippetChooserBlock("directory.Tool"), label=_("Outils"), default=[])
    initiatives = blocks.ListBlock(
        SnippetChooserBlock("directory.Initiative"), label=_("Initiatives"), default=[]
    )

    class Meta:
        icon = "site"
        label = _("Fiches de la cartographie")
        template = "editorial/blocks/cartography_entries.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        entries = [
            entry
            for name in ("organisations", "tools", "initiatives")
            for entry in value[name]
            if entry is not None
        ]
        # The public only sees entries a moderator has published.
        context["entries"] = [entry for entry in entries if getattr(entry, "is_published", True)]
        return context


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Citation"))
    source = blocks.CharBlock(label=_("Source"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Citation")
        template = "editorial/blocks/quote.html"


class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt = blocks.CharBlock(
        label=_("Texte alternatif"),
        required=False,
        help_text=_("Ce que l'image apporte au texte ; vide si elle est décorative."),
    )
    caption = blocks.CharBlock(label=_("Légende"), required=False)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "editorial/blocks/figure.html"


class PublicationBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Intertitre"), icon="title", template="editorial/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("Paragraphe"),
        features=["h3", "bold", "italic", "link", "document-link", "ol", "ul"],
    )
    quote = QuoteBlock()
    figure = FigureBlock()
    barometer_chart = BarometerChartBlock()
    cartography = CartographyEntriesBlock()


class ProgrammeItemBlock(blocks.StructBlock):
    time = blocks.TimeBlock(label=_("Heure"), required=False)
    title = blocks.CharBlock(label=_("Séquence"))
    description = blocks.TextBlock(label=_("Description"), required=False)
    speakers = blocks.CharBlock(label=_("Intervenants"), required=False)

    class Meta:
        icon = "time"
        label = _("Séquence du programme")
        template = "editorial/blocks/programme_item.html"
