import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import PARIS, PublicationPage

FEED_SIZE = 30


class PublicationFeed(Feed):
    """Atom 1.0 feed of the latest publications (RFC 4287)."""

    feed_type = Atom1Feed
    title = _("Publications de l'Observatoire des civic tech et de la démocratie numérique")
    subtitle = _("Notes d'analyse, notes méthodologiques, articles, études et rapports.")
    author_name = _("Observatoire des civic tech et de la démocratie numérique")

    def link(self):
        return reverse("editorial:publications")

    def feed_url(self):
        return reverse("editorial:publications-feed")

    def items(self):
        return (
            PublicationPage.objects.visible()
            .for_language()
            .order_by("-date", "-first_published_at")
            .prefetch_related("authors")[:FEED_SIZE]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_url()

    def item_guid(self, item):
        # A tag URI (RFC 4151) that survives slug changes and moves.
        return f"tag:observatoire,2018:publication:{item.translation_key}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return datetime.datetime.combine(item.date, datetime.time(0), tzinfo=PARIS)

    def item_updateddate(self, item):
        # Atom requires <updated> on every entry.
        return item.last_published_at or self.item_pubdate(item)

    def item_author_name(self, item):
        return ", ".join(item.author_names) or None

    def item_categories(self, item):
        return [item.get_kind_display(), *(tag.name for tag in item.tags.all())]

    def item_enclosures(self, item):
        return []

    def feed_copyright(self):
        return f"© {timezone.now().year} Observatoire des civic tech et de la démocratie numérique"
