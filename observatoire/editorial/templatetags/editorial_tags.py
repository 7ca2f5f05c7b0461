import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..queries import publications_citing

register = template.Library()

# Like Django's json_script: nothing in the data can close the <script> element.
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
OG_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@register.simple_tag
def json_ld(data):
    """A schema.org JSON-LD <script> for `data` (a dict)."""
    text = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag(takes_context=True)
def absolute_uri(context, path=None):
    request = context.get("request")
    if request is None:
        return path or ""
    return request.build_absolute_uri(path or request.path)


@register.simple_tag
def og_locale():
    return OG_LOCALES.get(get_language(), "fr_FR")


@register.simple_tag
def citing_publications(entry, limit=12):
    """Published publications citing a cartography entry (see queries.publications_citing)."""
    return list(publications_citing(entry).prefetch_related("authors")[:limit])


@register.filter
def verbose_name(instance):
    return instance._meta.verbose_name
