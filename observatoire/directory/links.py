"""The links of an entry page, bounded: counts and the first rows in SQL, the rest paginated.

A tool used by thousands of initiatives must cost what a typical tool costs to show, so no
query here loads a whole list: each group of links ("utilisé par", "héberge"...) is one COUNT
and one LIMIT, ordered by the indexed `name_key`. The full list of a group is its own paginated
page (`directory:entry-links`).
"""

import dataclasses
from collections.abc import Callable
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse

from .models import (
    Initiative,
    LinkView,
    Organisation,
    Relation,
    RelationType,
    Tool,
    _structural_label,
)

LINKS_SHOWN = 30  # per group on an entry page
LINKS_PER_PAGE = 100  # on the page of a whole group


@dataclasses.dataclass
class LinkGroup:
    key: str
    label: str
    total: int
    links: list[LinkView]
    entry: Any = None

    @property
    def more(self) -> int:
        return max(self.total - len(self.links), 0)

    @property
    def url(self) -> str:
        return reverse(
            "directory:entry-links",
            kwargs={"segment": self.entry.url_segment, "slug": self.entry.slug, "group": self.key},
        )


@dataclasses.dataclass
class _Structural:
    """A link kept as a field of the entries (makers, organiser, tools used)."""

    code: str
    direction: str
    others: Callable[[Any], QuerySet]

    def views(self, queryset) -> list[LinkView]:
        label = _structural_label(self.code, self.direction)
        return [
            LinkView(
                label=label,
                type_code=self.code,
                other=other,
                direction=self.direction,
                start_on=getattr(other, "start_on", None),
                end_on=getattr(other, "end_on", None),
            )
            for other in queryset
        ]


STRUCTURAL: dict[str, list[_Structural]] = {
    "organisation": [
        _Structural(
            "develops", "out", lambda entry: Tool.objects.filter(maker_links__organisation=entry)
        ),
        _Structural(
            "organises",
            "out",
            lambda entry: Initiative.objects.filter(organiser_organisation=entry),
        ),
    ],
    "tool": [
        _Structural(
            "develops", "in", lambda entry: Organisation.objects.filter(tool_links__tool=entry)
        ),
        _Structural("uses", "in", lambda entry: Initiative.objects.filter(tool_links__tool=entry)),
    ],
    "initiative": [
        _Structural(
            "uses", "out", lambda entry: Tool.objects.filter(initiative_links__initiative=entry)
        ),
        _Structural(
            "organises",
            "in",
            lambda entry: Organisation.objects.filter(organised_initiatives=entry),
        ),
    ],
}

_ENDS = ("organisation", "tool", "initiative")


def _relations(entry, direction: str) -> QuerySet:
    """Relations of `entry` in one direction whose other end is published, by the other's name."""
    own, other = ("source", "target") if direction == "out" else ("target", "source")
    published = Q()
    for end in _ENDS:
        published |= Q(**{f"{other}_{end}__is_published": True})
    return Relation.objects.filter(**{f"{own}_{entry.entity}": entry}).filter(published)


def _ordered(relations: QuerySet, direction: str) -> QuerySet:
    other = "target" if direction == "out" else "source"
    return (
        relations.annotate(other_key=Coalesce(*(F(f"{other}_{end}__name_key") for end in _ENDS)))
        .select_related("type", *(f"{other}_{end}" for end in _ENDS))
        .order_by("other_key", "pk")
    )


def _relation_views(relations, direction: str) -> list[LinkView]:
    return [
        LinkView(
            label=relation.type.name if direction == "out" else relation.type.inverse_name,
            type_code=relation.type.code,
            other=relation.target if direction == "out" else relation.source,
            direction=direction,
            relation=relation,
            start_on=relation.start_on,
            end_on=relation.end_on,
        )
        for relation in relations
    ]


def _group_specs(entry):
    """(key, label, queryset, to_views) of each non-empty group of the entry, unevaluated."""
    specs = []
    for structural in STRUCTURAL[entry.entity]:
        key = f"{structural.code}-{structural.direction}"
        queryset = structural.others(entry).filter(is_published=True).order_by("name_key", "pk")
        label = _structural_label(structural.code, structural.direction)
        specs.append((key, label, queryset, structural.views, None))
    for direction in ("out", "in"):
        relations = _relations(entry, direction)
        counts = dict(relations.order_by().values_list("type").annotate(n=Count("pk")))
        for relation_type in RelationType.objects.filter(pk__in=counts):
            key = f"{relation_type.code}-{direction}"
            label = relation_type.name if direction == "out" else relation_type.inverse_name
            queryset = _ordered(relations.filter(type=relation_type), direction)
            specs.append(
                (
                    key,
                    label,
                    queryset,
                    lambda rows, direction=direction: _relation_views(rows, direction),
                    counts[relation_type.pk],
                )
            )
    return specs


def link_groups(entry, *, limit: int = LINKS_SHOWN) -> list[LinkGroup]:
    """Every non-empty group of links of `entry`, each with its total and its first rows."""
    groups = []
    for key, label, queryset, to_views, total in _group_specs(entry):
        if total is None:
            total = queryset.count()
        if not total:
            continue
        groups.append(
            LinkGroup(
                key=key,
                label=str(label),
                total=total,
                links=to_views(queryset[:limit]),
                entry=entry,
            )
        )
    return sorted(groups, key=lambda group: group.label)


def link_group(entry, key: str):
    """(label, queryset, to_views) of one group of `entry`, or None if it has no such group."""
    for spec_key, label, queryset, to_views, _total in _group_specs(entry):
        if spec_key == key:
            return str(label), queryset, to_views
    return None
