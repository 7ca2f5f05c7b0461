"""Editable pages of the public site: the home page and plain pages (legal notices...)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import HOME_BLOCKS


class ObjectiveBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Objectif"))
    text = blocks.TextBlock(label=_("Description"), required=False)

    class Meta:
        icon = "pick"
        label = _("Objectif")
        template = "pages/blocks/objective.html"


class ActivityBlock(blocks.StructBlock):
    family = blocks.CharBlock(
        label=_("Famille d'activités"), help_text=_("Recherche, rencontres...")
    )
    title = blocks.CharBlock(label=_("Activité"))
    text = blocks.TextBlock(label=_("Description"), required=False)

    class Meta:
        icon = "list-ul"
        label = _("Activité")
        template = "pages/blocks/activity.html"


class HomePage(Page):
    """The observatory's front page: why it exists, what it finds now, and what it does.

    `body` holds the living blocks (figures, findings, news, search, map) in the order staff
    choose; each fills itself from the other apps (blocks.py, home.py).
    """

    intro = RichTextField(_("introduction"), features=["bold", "italic", "link"])
    body = StreamField(
        HOME_BLOCKS,
        verbose_name=_("blocs vivants"),
        blank=True,
        help_text=_(
            "Chiffres, constats, publications, événements, recherche et carte : choisissez et "
            "ordonnez les blocs, leur contenu se met à jour seul."
        ),
    )
    objectives = StreamField([("objective", ObjectiveBlock())], verbose_name=_("objectifs"))
    activities = StreamField([("activity", ActivityBlock())], verbose_name=_("activités"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("objectives"),
        FieldPanel("activities"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    max_count_per_parent = 1
    subpage_types = ["pages.StandardPage", "editorial.PublicationIndexPage", "editorial.EventIndexPage", "editorial.ResourceIndexPage", "editorial.AboutPage"]  # fmt: skip

    class Meta:
        verbose_name = _("page d'accueil")
        verbose_name_plural = _("pages d'accueil")


class StandardPage(Page):
    """A plain page: legal notices, personal data, accessibility statement, about..."""

    summary = models.TextField(_("résumé"), blank=True)
    body = RichTextField(
        _("contenu"),
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "document-link"],
    )

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["pages.HomePage", "pages.StandardPage"]

    class Meta:
        verbose_name = _("page simple")
        verbose_name_plural = _("pages simples")
