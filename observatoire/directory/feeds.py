"""Atom feed of new and updated entries, for any search of the cartography.

/cartographie/flux/?objectif=mobilisation&region=84 follows exactly the entries that the
search page lists for the same parameters, most recently changed first.
"""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .search import ENTITY_SINGULARS, SearchParams, entries_in_order, get_index, matching_rows

FEED_SIZE = 50


class EntriesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        index = get_index()
        params = SearchParams.from_query(request.GET, index.labels)
        return index, params

    def title(self, obj):
        index, params = obj
        if not params.is_filtered:
            return _("Cartographie des civic tech : nouvelles fiches et mises à jour")
        parts = [f"« {params.q} »"] if params.q else []
        for param, values in params.filters.items():
            parts.append(", ".join(str(index.labels[param].get(value, value)) for value in values))
        return _("Cartographie des civic tech : %(filters)s") % {"filters": " ; ".join(parts)}

    def link(self, obj):
        return reverse("directory:search") + obj[1].querystring(sort=False)

    def subtitle(self, obj):
        return _("Les %(count)d fiches créées ou modifiées le plus récemment.") % {
            "count": FEED_SIZE
        }

    def items(self, obj):
        index, params = obj
        mask, _base = matching_rows(index, params)
        return entries_in_order(index, mask, "maj", FEED_SIZE)

    def item_title(self, item):
        new = abs((item.updated_at - item.created_at).total_seconds()) < 60
        kind = ENTITY_SINGULARS[item.entity]
        if new:
            return _("Nouvelle fiche (%(kind)s) : %(name)s") % {"kind": kind, "name": item.name}
        return _("Fiche mise à jour (%(kind)s) : %(name)s") % {"kind": kind, "name": item.name}

    def item_description(self, item):
        return Truncator(item.description).words(60) or item.name

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at
