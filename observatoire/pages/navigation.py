"""The main navigation: the sections that exist in this installation, in reading order."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (label, URL name). A section appears once its app provides the URL name.
SECTIONS = [
    (_("Cartographie"), "directory:search"),
    (_("Baromètre"), "barometer:index"),
    (_("Publications"), "editorial:publications"),
    (_("Événements"), "editorial:events"),
    (_("Ressources"), "editorial:resources"),
    (_("Territoires"), "territories:index"),
    (_("À propos"), "editorial:about"),
]


def navigation(request):
    items = []
    path = request.path
    for label, url_name in SECTIONS:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "current": path.startswith(url)})
    return {"navigation": items}
