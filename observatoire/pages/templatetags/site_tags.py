from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Locale, Page

from observatoire.pages.models import HomePage, StandardPage

register = template.Library()

LEGAL_SLUGS = ["mentions-legales", "donnees-personnelles", "accessibilite"]


@register.simple_tag(takes_context=True)
def language_links(context):
    """One link per language to the same content, for the language switch.

    Wagtail pages link to their translation (or the other language's home page);
    other views go through Django's `translate_url`.
    """
    request = context["request"]
    page = context.get("page")
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        url = None
        if isinstance(page, Page):
            translation = page.get_translation_or_none(
                Locale.objects.filter(language_code=code).first()
            )
            if translation is not None and translation.live:
                url = translation.url
            else:
                home = HomePage.objects.live().filter(locale__language_code=code).first()
                url = home.url if home else None
        if url is None:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return links


@register.simple_tag
def home_url():
    home = HomePage.objects.live().filter(locale__language_code=get_language()).first()
    return home.url if home else "/"


@register.simple_tag
def legal_pages():
    pages = StandardPage.objects.live().filter(
        slug__in=LEGAL_SLUGS, locale__language_code=get_language()
    )
    by_slug = {page.slug: page for page in pages}
    return [by_slug[slug] for slug in LEGAL_SLUGS if slug in by_slug]
