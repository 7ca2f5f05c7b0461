"""The site search (/recherche/): publications, events, resources and cartography entries.

Each source is a small adapter returning `Hit`s, so a section that does not exist in this
installation (the cartography before its app is installed) simply contributes nothing.
"""

import dataclasses
import datetime

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from .models import EventPage, PublicationPage, Resource

LIMIT = 20


@dataclasses.dataclass
class Hit:
    title: str
    url: str
    summary: str = ""
    label: str = ""
    date: datetime.date | None = None
    language: str = ""


@dataclasses.dataclass
class Section:
    key: str
    title: str
    hits: list[Hit]
    total: int


def _publications(query, limit):
    pages = PublicationPage.objects.visible().for_language().site_search(query)
    hits = [
        Hit(
            page.title,
            page.url,
            page.summary,
            page.get_kind_display(),
            page.date,
            page.locale.language_code,
        )
        for page in pages.select_related("locale").order_by("-date")[:limit]
    ]
    return hits, pages.count()


def _events(query, limit):
    pages = EventPage.objects.visible().for_language().site_search(query)
    hits = [
        Hit(
            page.title,
            page.url,
            page.summary,
            f"{page.get_kind_display()} · {page.when_display}",
            None,
            page.locale.language_code,
        )
        for page in pages.select_related("locale").order_by("-start")[:limit]
    ]
    return hits, pages.count()


def _resources(query, limit):
    resources = Resource.objects.site_search(query)
    hits = [
        Hit(resource.title, resource.url, resource.description, resource.get_category_display())
        for resource in resources.order_by("category", "sort_order", "title")[:limit]
    ]
    return hits, resources.count()


def _cartography(query, limit):
    """Published organisations, tools and initiatives, through the directory's own search()."""
    if not apps.is_installed("observatoire.directory"):
        return [], 0
    hits, total = [], 0
    for name in ("Organisation", "Tool", "Initiative"):
        try:
            model = apps.get_model("directory", name)
        except LookupError:
            continue
        queryset = model.objects.all()
        if not (hasattr(queryset, "published") and hasattr(queryset, "search")):
            continue
        found = queryset.published().search(query)
        total += found.count()
        for entry in found[:limit]:
            hits.append(
                Hit(
                    entry.name,
                    entry.get_absolute_url(),
                    entry.description,
                    str(model._meta.verbose_name),
                )
            )
    return hits[:limit], total


SOURCES = [
    ("publications", _("Publications"), _publications),
    ("events", _("Événements"), _events),
    ("resources", _("Ressources"), _resources),
    ("cartography", _("Cartographie"), _cartography),
]


def site_search(query: str, *, only: str = "", limit: int = LIMIT) -> list[Section]:
    sections = []
    for key, title, source in SOURCES:
        if only and key != only:
            continue
        hits, total = source(query, limit)
        sections.append(Section(key, str(title), hits, total))
    return sections
