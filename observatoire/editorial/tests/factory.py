"""Plain helpers that build editorial content for tests (published unless told otherwise)."""

import datetime

from django.utils import timezone
from wagtail.models import Locale
from wagtail.rich_text import RichText

from observatoire.editorial.models import (
    PARIS,
    AboutPage,
    EventIndexPage,
    EventPage,
    PublicationIndexPage,
    PublicationPage,
    ResourceIndexPage,
    Schedule,
)
from observatoire.pages.models import HomePage


def sections(language="fr"):
    """The four section pages under the home page of `language` (site_pages must be loaded)."""
    home = HomePage.objects.get(locale__language_code=language)
    pages = {}
    for model, title in [
        (PublicationIndexPage, "Publications"),
        (EventIndexPage, "Événements"),
        (ResourceIndexPage, "Ressources"),
        (AboutPage, "À propos"),
    ]:
        page = model.objects.filter(locale=home.locale).first()
        french = model.objects.filter(locale__language_code="fr").first()
        if page is None and french is not None:
            page = french.copy_for_translation(home.locale).specific
            page.save_revision().publish()
        elif page is None:
            page = model(title=title, slug=model.section_slug, locale=home.locale)
            home.add_child(instance=page)
            page.save_revision().publish()
        pages[model] = page
    return pages


def publish(page, parent, *, live=True):
    parent.add_child(instance=page)
    revision = page.save_revision()
    if live:
        revision.publish()
    else:
        page.live = False
        page.save()
    page.refresh_from_db()
    return page


def publication(
    title="Une note",
    *,
    kind="analysis",
    date=None,
    summary="Résumé de la note.",
    body=None,
    tags=(),
    authors=(),
    live=True,
    language="fr",
    slug=None,
):
    index = PublicationIndexPage.objects.get(locale__language_code=language)
    page = PublicationPage(
        title=title,
        slug=slug or "",
        kind=kind,
        date=date or datetime.date(2018, 10, 1),
        summary=summary,
        body=body or [("paragraph", RichText("<p>Un paragraphe.</p>"))],
        locale=Locale.objects.get(language_code=language),
    )
    page.tags.set(list(tags))
    if authors:
        from observatoire.editorial.models import PublicationAuthor

        page.authors = [PublicationAuthor(name=name) for name in authors]
    return publish(page, index, live=live)


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def event(
    title="Une matinée",
    *,
    start=None,
    end=None,
    schedule=Schedule.TIMED,
    kind="matinee",
    capacity=None,
    registration_open=False,
    live=True,
    language="fr",
    summary="Résumé.",
    venue="Paris",
):
    index = EventIndexPage.objects.get(locale__language_code=language)
    start = start or timezone.now() + datetime.timedelta(days=30)
    if end is None and schedule == Schedule.TIMED:
        end = start + datetime.timedelta(hours=3)
    page = EventPage(
        title=title,
        kind=kind,
        schedule=schedule,
        start=start,
        end=end,
        summary=summary,
        venue=venue,
        capacity=capacity,
        registration_open=registration_open,
        locale=Locale.objects.get(language_code=language),
    )
    return publish(page, index, live=live)
