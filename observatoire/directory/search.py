"""Faceted search over the published entries of the cartography (/cartographie/).

Why an in-memory index: the page shows counts for ten facets over three tables (170,000 rows
in the benchmark) and must answer in well under 150 ms on SQLite too. GROUP BY queries cost
100-600 ms each there, because `is_published` and the territory of an entry are not in the
indexes (see docs/cartography-public.md for the measurements). So each process keeps, per
facet value, the set of matching rows as a bitset (a Python int, one bit per entry, entries
numbered in name order). A filter is an AND of ORs, a count is `int.bit_count()`, a page in
name order is the next set bits: a few milliseconds for the whole page.

Text search uses a word index of the same kind (word -> rows): on PostgreSQL its words are
the French lexemes of `to_tsvector` and the query is stemmed by `to_tsquery`, so it finds what
`EntryQuerySet.search` finds; on SQLite, the words of the normalised `search_text`.

Freshness: saving an entry, a status period, a maker link or a term writes a new stamp (the
time in nanoseconds) into the shared database cache; every request reads the stamp (one small
query). The stamp is in the database, not on a disk, so that every process of every host sees
a change at its next request. A small index (the tests, a new site) is then rebuilt during the
request; a large one is rebuilt by a separate builder process and written to this host's file,
while workers keep answering with the index they have (index_store.py says why and how).
INDEX_MAX_AGE bounds the staleness after writes that bypass signals (bulk updates).

`entry_querysets(params)` expresses the same filters as database querysets: the data
download uses it, and tests check that both give the same entries.
"""

import dataclasses
import logging
import pickle
import re
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from itertools import accumulate
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.functions import Cast
from django.db.models.signals import post_delete, post_save
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from observatoire.territories.models import Territory

from . import index_store
from .choices import DataOrigin, Iap2Level, Status
from .models import (
    ENTRY_MODELS,
    ActorKind,
    Function,
    Initiative,
    InitiativeTool,
    Objective,
    Organisation,
    OrganisationStatus,
    Tag,
    Tool,
    ToolMaker,
    ToolStatus,
)
from .text import normalise

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 50
INDEX_MAX_AGE = 300  # seconds; bounds staleness after writes that send no signal

ENTITIES = ("organisation", "tool", "initiative")
# The URL speaks French: ?type=outil
TYPE_VALUES = {"acteur": "organisation", "outil": "tool", "initiative": "initiative"}
TYPE_OF_ENTITY = {entity: code for code, entity in TYPE_VALUES.items()}
ENTITY_PLURALS = {"organisation": _("Acteurs"), "tool": _("Outils"), "initiative": _("Initiatives")}
ENTITY_SINGULARS = {"organisation": _("Acteur"), "tool": _("Outil"), "initiative": _("Initiative")}


@dataclasses.dataclass(frozen=True)
class FacetSpec:
    param: str
    label: str
    entities: tuple[str, ...]
    hint: str = ""
    visible: int = 8  # values shown before "n autres valeurs"


FACETS = (
    FacetSpec("type", _("Type de fiche"), ENTITIES),
    FacetSpec("objectif", _("Objectif principal"), ("tool", "initiative")),
    FacetSpec("etiquette", _("Étiquette"), ("tool",)),
    FacetSpec("fonction", _("Fonction"), ("tool", "initiative")),
    FacetSpec("niveau", _("Niveau de participation (IAP2)"), ("tool", "initiative")),
    FacetSpec("acteur", _("Type d'acteur"), ("organisation",)),
    FacetSpec("statut", _("Statut"), ("organisation", "tool")),
    FacetSpec("libre", _("Logiciel libre"), ("tool",)),
    FacetSpec(
        "region",
        _("Région"),
        ENTITIES,
        _(
            "Acteurs : siège ; initiatives : organisateur ; outils : là où des initiatives les utilisent."
        ),
    ),
    FacetSpec("departement", _("Département"), ENTITIES, visible=10),
    FacetSpec(
        "origine",
        _("Origine des données"),
        ENTITIES,
        _("Les données de démonstration sont rédigées à la main pour la démonstration du site."),
    ),
)
FACET_BY_PARAM = {facet.param: facet for facet in FACETS}

SORTS = {
    "pertinence": _("Pertinence"),
    "nom": _("Nom (A → Z)"),
    "recent": _("Ajoutées récemment"),
    "maj": _("Mises à jour récemment"),
}


# --- The index --------------------------------------------------------------------------------


def _places() -> dict[int, tuple[str | None, str | None]]:
    """(département code, région code) of every territory by id: a département or a région
    is its own; a commune or an EPCI gives its parents' (`_geo_q` says the same in SQL)."""
    rows = Territory.objects.order_by().values_list(
        "pk", "kind", "code", "departement_id", "region_id"
    )
    territories = {
        pk: (kind, code, departement, region)
        for pk, kind, code, departement, region in _fetch(rows)
    }

    def code_of(pk):
        return territories[pk][1] if pk in territories else None

    places = {}
    for pk, (kind, code, departement, region) in territories.items():
        if kind == "region":
            places[pk] = (None, code)
            continue
        region_code = code_of(region)
        if region_code is None and departement in territories:
            region_code = code_of(territories[departement][3])
        places[pk] = (code if kind == "departement" else code_of(departement), region_code)
    return places


def _through(model, field: str):
    """The link table of a (parental) many-to-many field, as a manager."""
    return model._meta.get_field(field).remote_field.through.objects.order_by()


_TO_BINARY_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def _bitset(rows, size: int) -> int:
    """An int whose bit n is set for each n in `rows`."""
    # One byte per row, then int(..., 2): about five times faster than shifting bits in Python.
    flags = bytearray(size)
    for row in rows:
        flags[row] = 1
    flags.reverse()
    return int(flags.translate(_TO_BINARY_DIGITS) or b"0", 2)


def _fetch(queryset) -> list[tuple]:
    """The rows of a values_list() queryset, read without Django's per-value converters.

    Ten times faster for 100,000 rows; dates stay as the driver gives them (ISO text on
    SQLite, datetimes on PostgreSQL), which sort the same way.
    """
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _with_dates(model):
    # Dates as text: they sort the same (ISO format, UTC) and skip the driver's slow parsing.
    queryset = (
        model.objects.published()
        .order_by()
        .annotate(created=Cast("created_at", TextField()), updated=Cast("updated_at", TextField()))
    )
    if connections[queryset.db].vendor == "postgresql":
        # The stored tsvector (kept by migration 0003's trigger), read as text.
        queryset = queryset.annotate(lexemes=Cast("search_vector", TextField()))
    return queryset


_LEXEME = re.compile(r"'((?:[^']|'')+)'")


class FacetIndex:
    """Bitsets of the published entries, built from a handful of plain queries."""

    def __init__(self, using: str = "default"):
        started = time.perf_counter()
        self.vendor = connections[using].vendor
        # The words of each entry: its normalised text, or on PostgreSQL the French lexemes
        # of to_tsvector (stemmed, stop words removed), as the full-text search sees them.
        text_field = ["lexemes" if self.vendor == "postgresql" else "search_text"]
        organisations = _fetch(
            _with_dates(Organisation).values_list(
                "pk", "name_key", "created", "updated", *text_field,
                "kind_id", "current_status", "territory_id", "data_origin",
            )
        )  # fmt: skip
        tools = _fetch(
            _with_dates(Tool).values_list(
                "pk", "name_key", "created", "updated", *text_field,
                "objective_id", "iap2_level", "current_status", "is_open_source", "data_origin",
            )
        )  # fmt: skip
        initiatives = _fetch(
            _with_dates(Initiative).values_list(
                "pk", "name_key", "created", "updated", *text_field,
                "objective_id", "iap2_level", "organiser_organisation_id", "organiser_territory_id",
                "data_origin",
            )
        )  # fmt: skip
        extra = len(text_field)

        # Rows are numbered in name order, so a bitset read from bit 0 up is sorted by name.
        records = sorted(
            (row[1], rank, row[0], row)
            for rank, rows in enumerate((organisations, tools, initiatives))
            for row in rows
        )
        self.size = size = len(records)
        self.entity_of = bytes(record[1] for record in records)
        self.pk_of = array("q", (record[2] for record in records))
        names = [record[0] for record in records]
        # All names in one string: str.find scans it in C, then hops from name to name. No
        # list of names is kept: 150,000 string objects would weigh more than the index.
        self._joined_names = "\n".join(names)
        self._name_starts = array("I", accumulate((len(name) + 1 for name in names), initial=0))
        self.name_words = WordIndex((name.split() for name in names), size)
        del names
        row_of = {entity: {} for entity in ENTITIES}
        for row, record in enumerate(records):
            row_of[ENTITIES[record[1]]][record[2]] = row
        self.all = (1 << size) - 1
        self.orders = {"recent": self._order(records, 2), "maj": self._order(records, 3)}

        values = defaultdict(lambda: defaultdict(list))  # param -> value -> [row]
        org_rows, tool_rows, initiative_rows = (row_of[entity] for entity in ENTITIES)
        places = _places()
        kind_codes = dict(ActorKind.objects.values_list("pk", "code"))
        objective_codes = dict(Objective.objects.values_list("pk", "code"))
        nowhere = (None, None)
        for record in organisations:
            pk, (kind, status, territory, origin) = record[0], record[4 + extra :]
            row = org_rows[pk]
            values["origine"][origin].append(row)
            if kind:
                values["acteur"][kind_codes[kind]].append(row)
            if status:
                values["statut"][status].append(row)
            self._add_geo(values, row, *places.get(territory, nowhere))
        for record in tools:
            pk, (objective, iap2, status, libre, origin) = record[0], record[4 + extra :]
            row = tool_rows[pk]
            values["origine"][origin].append(row)
            if objective:
                values["objectif"][objective_codes[objective]].append(row)
            if iap2:
                values["niveau"][iap2].append(row)
            if status:
                values["statut"][status].append(row)
            values["libre"]["oui" if libre else "non"].append(row)
        # An initiative without an organising territory is placed at its organiser's seat,
        # published or not (a seat is a public fact).
        seats = dict(
            _fetch(
                Organisation.objects.filter(territory__isnull=False)
                .order_by()
                .values_list("pk", "territory_id")
            )
        )
        geo_of_initiative = {}
        for record in initiatives:
            pk, (objective, iap2, organiser, territory, origin) = record[0], record[4 + extra :]
            row = initiative_rows[pk]
            values["origine"][origin].append(row)
            if objective:
                values["objectif"][objective_codes[objective]].append(row)
            if iap2:
                values["niveau"][iap2].append(row)
            if territory is None and organiser is not None:
                territory = seats.get(organiser)
            place = places.get(territory, nowhere)
            geo_of_initiative[pk] = place
            self._add_geo(values, row, *place)

        tag_codes = dict(Tag.objects.values_list("pk", "code"))
        for tool_id, tag_id in _fetch(_through(Tool, "tags").values_list("tool_id", "tag_id")):
            if tool_id in tool_rows:
                values["etiquette"][tag_codes[tag_id]].append(tool_rows[tool_id])
        function_codes = dict(Function.objects.values_list("pk", "code"))
        for entity, model in (("tool", Tool), ("initiative", Initiative)):
            rows = row_of[entity]
            links = _through(model, "functions").values_list(f"{entity}_id", "function_id")
            for pk, function_id in _fetch(links):
                if pk in rows:
                    values["fonction"][function_codes[function_id]].append(rows[pk])
        # Tools are placed where published initiatives use them.
        links = InitiativeTool.objects.order_by().values_list("tool_id", "initiative_id")
        for tool_id, initiative_id in _fetch(links):
            place = geo_of_initiative.get(initiative_id)
            if place and tool_id in tool_rows:
                self._add_geo(values, tool_rows[tool_id], *place)

        self.masks: dict[str, dict[str, int]] = {
            param: {value: _bitset(rows, size) for value, rows in by_value.items()}
            for param, by_value in values.items()
        }
        by_type = defaultdict(list)
        for row, rank in enumerate(self.entity_of):
            by_type[TYPE_OF_ENTITY[ENTITIES[rank]]].append(row)
        self.masks["type"] = {code: _bitset(by_type[code], size) for code in TYPE_VALUES}
        self.labels = self._labels()
        self.totals = {  # counts with no filter: the landing page needs no AND at all
            param: {value: mask.bit_count() for value, mask in by_value.items()}
            for param, by_value in self.masks.items()
        }
        if self.vendor == "postgresql":
            words = (_LEXEME.findall(record[3][4] or "") for record in records)
        else:
            words = (record[3][4].split() for record in records)
        self.words = WordIndex(words, size)
        self.build_seconds = time.perf_counter() - started

    @staticmethod
    def _add_geo(values, row, departement, region):
        if departement:
            values["departement"][departement].append(row)
        if region:
            values["region"][region].append(row)

    @staticmethod
    def _order(records, field):
        """Rows from the most recent `created_at` (2) or `updated_at` (3) to the oldest."""
        stamps = [record[3][field] for record in records]
        return array("I", sorted(range(len(stamps)), key=stamps.__getitem__, reverse=True))

    @staticmethod
    def _labels() -> dict[str, dict[str, str]]:
        """Every value a facet may take, in display order, with its label."""

        def terms(model):
            return dict(model.objects.values_list("code", "name"))

        territories = Territory.objects.filter(is_current=True)
        return {
            "type": {code: ENTITY_PLURALS[entity] for code, entity in TYPE_VALUES.items()},
            "objectif": terms(Objective),
            "etiquette": terms(Tag),
            "fonction": terms(Function),
            "niveau": dict(Iap2Level.choices),
            "acteur": terms(ActorKind),
            "statut": dict(Status.choices),
            "libre": {"oui": _("Oui"), "non": _("Non")},
            "origine": {
                DataOrigin.REAL: _("Données réelles"),
                DataOrigin.DEMO: _("Données de démonstration"),
            },
            "region": dict(
                territories.filter(kind="region").order_by("name").values_list("code", "name")
            ),
            "departement": {
                code: f"{name} ({code})"
                for code, name in territories.filter(kind="departement")
                .order_by("code")
                .values_list("code", "name")
            },
        }

    def rows_in_name_order(self, mask: int, start: int, stop: int) -> list[int]:
        """Row numbers of the set bits of `mask` ranked start..stop-1 (bit order = name order)."""
        data = mask.to_bytes((self.size + 7) // 8 or 1, "little")
        found, skip, want = [], start, stop - start
        chunk_bytes = 256
        for offset in range(0, len(data), chunk_bytes):
            chunk = int.from_bytes(data[offset : offset + chunk_bytes], "little")
            if not chunk:
                continue
            count = chunk.bit_count()
            if skip >= count:
                skip -= count
                continue
            base = offset * 8
            while chunk and len(found) < want:
                lowest = chunk & -chunk
                chunk ^= lowest
                if skip:
                    skip -= 1
                    continue
                found.append(base + lowest.bit_length() - 1)
            if len(found) >= want:
                break
        return found

    def rows_in_order(self, mask: int, order: str, start: int, stop: int, total: int) -> list[int]:
        """Rows of `mask` ranked start..stop-1 in a stored order ("recent", "maj")."""
        ranking = self.orders[order]
        if total <= 4 * stop or total < 5000:
            # Sparse result: gather it and sort by rank rather than walk the whole ranking.
            rank = self._rank(order)
            rows = self.rows_in_name_order(mask, 0, total)
            rows.sort(key=rank.__getitem__)
            return rows[start:stop]
        bits = mask.to_bytes((self.size + 7) // 8, "little")
        found, seen = [], 0
        for row in ranking:
            if bits[row >> 3] >> (row & 7) & 1:
                if seen >= start:
                    found.append(row)
                    if len(found) >= stop - start:
                        break
                seen += 1
        return found

    def _rank(self, order: str) -> array:
        cache = self.__dict__.setdefault("_ranks", {})
        if order not in cache:
            rank = array("I", bytes(4 * self.size))
            for position, row in enumerate(self.orders[order]):
                rank[row] = position
            cache[order] = rank
        return cache[order]

    def names_containing(self, words: list[str]) -> int:
        """Rows whose normalised name contains every word, even inside a longer word
        ("deputes" in "nosdeputes"): the second half of EntryQuerySet.search."""
        if not words:
            return 0
        joined, starts = self._joined_names, self._name_starts
        first, *rest = sorted(words, key=len, reverse=True)
        rows = []
        position = joined.find(first)
        while position != -1:
            row = bisect_right(starts, position) - 1
            name = joined[starts[row] : starts[row + 1] - 1]
            if all(word in name for word in rest):
                rows.append(row)
            following = row + 1
            if following >= len(starts):
                break
            position = joined.find(first, starts[following])
        return _bitset(rows, self.size)

    def rows_by_relevance(self, mask: int, query: str, start: int, stop: int) -> list[int]:
        """Entries whose name has every word first, then the others; each in name order."""
        first = mask & self.name_words.search(query)
        first_count = first.bit_count()
        rows = self.rows_in_name_order(first, start, min(stop, first_count))
        if stop > first_count:
            rows += self.rows_in_name_order(
                mask & ~first, max(start - first_count, 0), stop - first_count
            )
        return rows


def fold_word(word: str) -> str:
    """Singular-ish form of a query word, as the model's SQLite search does ("consultations")."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


_LAST_CHARACTER = chr(0x10FFFF)  # sorts after any character: prefix + it ends a prefix's words


class WordIndex:
    """Rows per word: a query word finds the rows with a word that it begins.

    Text search goes through it on both databases: a LIKE over 170,000 rows takes 120 ms on
    SQLite, and PostgreSQL's GIN index still returns tens of thousands of ids for a common
    word (400 ms); here it takes about a millisecond. On PostgreSQL the words are the French
    lexemes of `to_tsvector`, so the results are those of `EntryQuerySet.search`.
    """

    DENSE = 32  # a word in more than 1/32 of the rows is stored as a bitset, smaller then

    def __init__(self, words_per_row, size: int):
        postings = defaultdict(list)
        for row, words in enumerate(words_per_row):
            for word in set(words):
                postings[word].append(row)
        self.size = size
        self.vocabulary = sorted(postings)
        # The rows of the sparse words, in vocabulary order, in one flat array: the words
        # that a prefix begins are neighbours, so their rows are one slice (no object per
        # word). Dense words are bitsets, by position in the vocabulary.
        self._rows = array("I")
        self._ends = array("I")
        self._dense = {}
        for position, word in enumerate(self.vocabulary):
            rows = postings.pop(word)
            if len(rows) * self.DENSE > size:
                self._dense[position] = _bitset(rows, size)
            else:
                self._rows.extend(rows)
            self._ends.append(len(self._rows))
        self._dense_positions = sorted(self._dense)

    def mask(self, prefix: str) -> int:
        vocabulary = self.vocabulary
        first = bisect_left(vocabulary, prefix)
        stop = bisect_left(vocabulary, prefix + _LAST_CHARACTER, lo=first)
        if first == stop:
            return 0
        mask = 0
        dense = self._dense_positions
        for position in dense[bisect_left(dense, first) : bisect_left(dense, stop)]:
            mask |= self._dense[position]
        start = self._ends[first - 1] if first else 0
        end = self._ends[stop - 1]
        if end > start:
            mask |= _bitset(self._rows[start:end], self.size)
        return mask

    def search(self, query: str) -> int:
        return self.search_prefixes([fold_word(word) for word in normalise(query).split()])

    def search_prefixes(self, prefixes: list[str]) -> int:
        """Rows having, for every prefix, a word that begins with it."""
        result = None
        for prefix in prefixes:
            mask = self.mask(prefix)
            result = mask if result is None else result & mask
            if not result:
                break
        return result or 0


# --- Keeping the index fresh ------------------------------------------------------------------

_lock = threading.Lock()
_state = {"index": None, "stamp": None, "built": 0.0}
logger = logging.getLogger(__name__)


STAMP_KEY = "directory-search:stamp"


def read_stamp() -> int:
    """When the cartography last changed (ns), as every process of every host sees it."""
    return cache.get(STAMP_KEY) or 0


def forget() -> None:
    """Drop this process's index (tests: each has its own database content)."""
    _state["stamp"] = None


def invalidate(**_kwargs) -> None:
    """Mark the index stale in this process and in every other process, on every host."""
    _state["stamp"] = None
    # Two changes within one clock tick must still differ.
    cache.set(STAMP_KEY, max(time.time_ns(), read_stamp() + 1), timeout=None)


def _invalidate_now_and_on_commit(**kwargs) -> None:
    # Now for the common case; on commit too, since a cluster (tags, makers...) is written
    # after post_save, inside the same transaction.
    invalidate()
    transaction.on_commit(invalidate)


for _model in (*ENTRY_MODELS.values(), OrganisationStatus, ToolStatus, ToolMaker, InitiativeTool):
    post_save.connect(_invalidate_now_and_on_commit, sender=_model, weak=False)
    post_delete.connect(_invalidate_now_and_on_commit, sender=_model, weak=False)
for _model in (ActorKind, Objective, Tag, Function, Territory):
    post_save.connect(_invalidate_now_and_on_commit, sender=_model, weak=False)
    post_delete.connect(_invalidate_now_and_on_commit, sender=_model, weak=False)


# Up to this many entries a worker builds the index itself, during the request (tens of
# milliseconds, and the tests' databases). Beyond, only a builder process does
# (index_store): the worker answers with the index it has until the new file is written.
SYNC_REBUILD_MAX_ROWS = 20_000


def _is_fresh(stamp: int) -> bool:
    return (
        _state["index"] is not None
        and _state["stamp"] == stamp
        and time.monotonic() - _state["built"] < INDEX_MAX_AGE
    )


def _install(index: "FacetIndex", stamp: int | None, age: float = 0.0) -> "FacetIndex":
    _state.update(index=index, stamp=stamp, built=time.monotonic() - age)
    return index


def build_and_store(stamp: int | None = None) -> "FacetIndex":
    """Build the index from the database and write this host's file (the builder process).

    The stamp is read before the entries: a change made during the build moves it again, and
    the next request asks for another build.
    """
    stamp = read_stamp() if stamp is None else stamp
    index = FacetIndex()
    index_store.save(index, stamp)
    return index


def _load_stored(stamp: int) -> "FacetIndex | None":
    """This host's file for `stamp`, if one was written less than INDEX_MAX_AGE ago."""
    path = index_store.path_for(stamp)
    try:
        age = index_store.age_seconds(path)
    except OSError:
        return None
    if age >= INDEX_MAX_AGE:
        return None
    return _install(index_store.load(path), stamp, age)


def _load_latest() -> "FacetIndex | None":
    """The newest file of this database, whatever its stamp: a worker that starts while the
    next index is being built answers with the previous one rather than wait."""
    path = index_store.latest()
    if path is None:
        return None
    try:
        return _install(index_store.load(path), None)
    except (OSError, EOFError, pickle.UnpicklingError):
        return None


def published_count() -> int:
    return sum(model.objects.published().count() for model in ENTRY_MODELS.values())


def load_for_serving() -> "FacetIndex":
    """Make sure this process holds an index before it serves (`observatoire serve`)."""
    return get_index()


def get_index() -> FacetIndex:
    """The current index; no request builds a large one (see index_store)."""
    stamp = read_stamp()
    if _is_fresh(stamp):
        return _state["index"]
    with _lock:
        if _is_fresh(stamp):
            return _state["index"]
        stored = _load_stored(stamp)
        if stored is not None:
            return stored
        current = _state["index"] or _load_latest()
        if current is None or current.size <= SYNC_REBUILD_MAX_ROWS:
            return _install(FacetIndex(), stamp)
        index_store.start_builder(build_and_store)
        return current


# --- Reading the URL --------------------------------------------------------------------------


@dataclasses.dataclass
class SearchParams:
    q: str = ""
    filters: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    sort: str = "nom"
    page: int = 1
    notices: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def from_query(cls, data, labels: dict[str, dict[str, str]] | None = None) -> "SearchParams":
        """Parameters from a QueryDict; unknown values are dropped with a notice saying so."""
        params = cls()
        q = " ".join(data.get("q", "").split())
        if len(q) > MAX_QUERY_LENGTH:
            params.notices.append(
                _("La recherche a été raccourcie à %(count)d caractères.")
                % {"count": MAX_QUERY_LENGTH}
            )
            q = q[:MAX_QUERY_LENGTH]
        params.q = q
        for facet in FACETS:
            raw = [value for item in data.getlist(facet.param) for value in item.split(",")]
            chosen = list(dict.fromkeys(value.strip() for value in raw if value.strip()))
            known = labels.get(facet.param) if labels is not None else None
            kept = []
            for value in chosen[:MAX_VALUES_PER_FACET]:
                if known is None or value in known:
                    kept.append(value)
                else:
                    params.notices.append(
                        _(
                            "Le filtre « %(facet)s » n'a pas de valeur « %(value)s » : il est ignoré."
                        )
                        % {"facet": facet.label, "value": value[:40]}
                    )
            if kept:
                params.filters[facet.param] = kept
        default_sort = "pertinence" if q else "nom"
        sort = data.get("tri", default_sort)
        if sort not in SORTS or (sort == "pertinence" and not q):
            if "tri" in data and sort != "pertinence":
                params.notices.append(_("Tri inconnu : les résultats sont triés par nom."))
            sort = default_sort
        params.sort = sort
        page = data.get("page", "1")
        try:
            params.page = max(int(page), 1)
        except ValueError:
            params.notices.append(_("Numéro de page invalide : voici la première page."))
            params.page = 1
        return params

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.filters)

    def query_items(self, *, without=None, page=None, sort=True) -> list[tuple[str, str]]:
        """The URL parameters of this search; `without=("objectif", "information")` drops one
        filter value and `without=("q", None)` the text."""
        q = "" if without == ("q", None) else self.q
        items = [("q", q)] if q else []
        for facet in FACETS:
            for value in self.filters.get(facet.param, []):
                if without != (facet.param, value):
                    items.append((facet.param, value))
        if (
            sort
            and self.sort != ("pertinence" if q else "nom")
            and (q or self.sort != "pertinence")
        ):
            items.append(("tri", self.sort))
        if page and page > 1:
            items.append(("page", str(page)))
        return items

    def querystring(self, **kwargs) -> str:
        items = self.query_items(**kwargs)
        return "?" + urlencode(items) if items else ""


# --- Running a search -------------------------------------------------------------------------


@dataclasses.dataclass
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool
    input_id: str


@dataclasses.dataclass
class FacetView:
    spec: FacetSpec
    values: list[FacetValue]
    hidden: list[FacetValue]

    @property
    def param(self):
        return self.spec.param

    @property
    def label(self):
        return self.spec.label

    def _items(self, values) -> str:
        # Built here rather than in a template loop: a hundred départements, each a checkbox,
        # took a third of the page's time through the template engine.
        return format_html_join(
            "\n",
            '<li><input type="checkbox" name="{}" value="{}" id="{}"{}>'
            '<label for="{}">{} <span class="count">({})</span></label></li>',
            (
                (
                    self.param,
                    value.code,
                    value.input_id,
                    mark_safe(" checked") if value.selected else "",
                    value.input_id,
                    value.label,
                    value.count,
                )
                for value in values
            ),
        )

    @property
    def values_html(self) -> str:
        return self._items(self.values)

    @property
    def hidden_html(self) -> str:
        return self._items(self.hidden)


@dataclasses.dataclass
class ActiveFilter:
    label: str
    remove_query: str
    count_without: int


@dataclasses.dataclass
class SearchResult:
    params: SearchParams
    total: int
    page: int
    num_pages: int
    entries: list
    facets: list[FacetView]
    active: list[ActiveFilter]
    type_counts: dict[str, int]

    @property
    def start_index(self):
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def end_index(self):
        return min(self.page * PAGE_SIZE, self.total)

    @property
    def page_out_of_range(self):
        return self.total > 0 and self.page > self.num_pages


def _french_prefixes(q: str, using: str = "default") -> list[str]:
    """The query as PostgreSQL's French search reads it: stemmed words, stop words out."""
    words = normalise(q).split()
    if not words:
        return []
    # The same tsquery as EntryQuerySet.search: every word, as a prefix.
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT to_tsquery('french'::regconfig, %s)::text",
            [" & ".join(f"{word}:*" for word in words)],
        )
        (tsquery,) = cursor.fetchone()
    return [lexeme.replace("''", "'") for lexeme in _LEXEME.findall(tsquery)]


def text_mask(index: FacetIndex, q: str) -> int:
    """Rows matching the text, accents and case aside (French stemming on PostgreSQL)."""
    folded = [fold_word(word) for word in normalise(q).split()]
    if not folded:  # only punctuation: no text condition, as EntryQuerySet.search
        return index.all
    if index.vendor == "postgresql":
        in_text = index.words.search_prefixes(_french_prefixes(q))
    else:
        in_text = index.words.search_prefixes(folded)
    return in_text | index.names_containing(folded)


def _facet_masks(index: FacetIndex, params: SearchParams) -> dict[str, int]:
    masks = {}
    for param, chosen in params.filters.items():
        mask = 0
        for value in chosen:
            mask |= index.masks.get(param, {}).get(value, 0)
        masks[param] = mask
    return masks


def _combine(base: int, masks: dict[str, int], skip: str | None = None) -> int:
    result = base
    for param, mask in masks.items():
        if param != skip:
            result &= mask
    return result


def matching_rows(index: FacetIndex, params: SearchParams) -> tuple[int, int]:
    """(bitset of the matching rows, bitset before facet filters)."""
    base = text_mask(index, params.q) if params.q else index.all
    return _combine(base, _facet_masks(index, params)), base


def search(params: SearchParams, index: FacetIndex | None = None) -> SearchResult:
    index = index or get_index()
    base = text_mask(index, params.q) if params.q else index.all
    masks = _facet_masks(index, params)
    result = _combine(base, masks)
    total = result.bit_count()

    facets = []
    for spec in FACETS:
        # Counts of a facet ignore its own selection: choosing "Information" still tells how
        # many "Mobilisation" entries there are (values of one facet combine with OR).
        scope = _combine(base, masks, skip=spec.param)
        chosen = params.filters.get(spec.param, [])
        items = []
        unfiltered = scope is index.all
        masks_of_facet = index.masks.get(spec.param, {})
        for code, label in index.labels[spec.param].items():
            if unfiltered:
                count = index.totals.get(spec.param, {}).get(code, 0)
            else:
                count = (scope & masks_of_facet.get(code, 0)).bit_count()
            if count or code in chosen:
                items.append(
                    FacetValue(code, label, count, code in chosen, f"f-{spec.param}-{code}")
                )
        if spec.param in ("departement", "etiquette", "fonction", "acteur"):
            items.sort(key=lambda item: -item.count)  # stable: ties keep the taxonomy's order
        room = max(spec.visible - sum(item.selected for item in items), 0)
        visible, hidden = [], []
        for item in items:
            if item.selected or room > 0:
                room -= not item.selected
                visible.append(item)
            else:
                hidden.append(item)
        if items:
            facets.append(FacetView(spec, visible, hidden))

    active = []
    for spec in FACETS:
        for code in params.filters.get(spec.param, []):
            without = dict(masks)
            remaining = [value for value in params.filters[spec.param] if value != code]
            if remaining:
                without[spec.param] = 0
                for value in remaining:
                    without[spec.param] |= index.masks.get(spec.param, {}).get(value, 0)
            else:
                del without[spec.param]
            label = index.labels[spec.param].get(code, code)
            active.append(
                ActiveFilter(
                    f"{spec.label} : {label}",
                    params.querystring(without=(spec.param, code)),
                    _combine(base, without).bit_count(),
                )
            )
    if params.q:
        active.insert(
            0,
            ActiveFilter(
                _("Texte : %(q)s") % {"q": params.q},
                params.querystring(without=("q", None)),
                _combine(index.all, masks).bit_count(),
            ),
        )

    num_pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    start, stop = (params.page - 1) * PAGE_SIZE, params.page * PAGE_SIZE
    rows = ordered_rows(index, params, result, total, start, stop) if start < total else []
    type_counts = {code: (result & index.masks["type"][code]).bit_count() for code in TYPE_VALUES}
    return SearchResult(
        params=params,
        total=total,
        page=params.page,
        num_pages=num_pages,
        entries=load_entries(index, rows),
        facets=facets,
        active=active,
        type_counts=type_counts,
    )


def ordered_rows(index, params, mask, total, start, stop) -> list[int]:
    if params.sort in index.orders:
        return index.rows_in_order(mask, params.sort, start, stop, total)
    if params.sort == "pertinence" and params.q:
        return index.rows_by_relevance(mask, params.q, start, stop)
    return index.rows_in_name_order(mask, start, stop)


LIST_SELECT = {
    "organisation": ["kind", "territory"],
    "tool": ["objective"],
    "initiative": ["objective", "organiser_territory", "organiser_organisation"],
}
LIST_PREFETCH = {"organisation": [], "tool": ["tags"], "initiative": []}


def load_entries(index: FacetIndex, rows: list[int]) -> list:
    """The entries of `rows`, in that order (one query per kind of entry)."""
    wanted = defaultdict(list)
    for row in rows:
        wanted[ENTITIES[index.entity_of[row]]].append(index.pk_of[row])
    loaded = {}
    for entity, pks in wanted.items():
        queryset = (
            ENTRY_MODELS[entity]
            .objects.select_related(*LIST_SELECT[entity])
            .prefetch_related(*LIST_PREFETCH[entity])
        )
        for entry in queryset.filter(pk__in=pks):
            loaded[(entity, entry.pk)] = entry
    entries = []
    for row in rows:
        entry = loaded.get((ENTITIES[index.entity_of[row]], index.pk_of[row]))
        if entry is not None:  # deleted since the index was built
            entries.append(entry)
    return entries


def entries_in_order(index: FacetIndex, mask: int, order: str, limit: int) -> list:
    total = mask.bit_count()
    if order in index.orders:
        rows = index.rows_in_order(mask, order, 0, limit, total)
    else:
        rows = index.rows_in_name_order(mask, 0, limit)
    return load_entries(index, rows)


# --- The same filters, in the database --------------------------------------------------------


def _geo_q(prefix: str, param: str, codes: list[str]) -> Q:
    """Entries whose territory at `prefix` lies in the départements or régions `codes`."""
    if param == "departement":
        return Q(**{f"{prefix}__kind": "departement", f"{prefix}__code__in": codes}) | (
            ~Q(**{f"{prefix}__kind": "departement"})
            & Q(**{f"{prefix}__departement__code__in": codes})
        )
    not_region = ~Q(**{f"{prefix}__kind": "region"})
    return (
        Q(**{f"{prefix}__kind": "region", f"{prefix}__code__in": codes})
        | (not_region & Q(**{f"{prefix}__region__code__in": codes}))
        | (
            not_region
            & Q(**{f"{prefix}__region__isnull": True})
            & Q(**{f"{prefix}__departement__region__code__in": codes})
        )
    )


def _initiative_geo_q(param: str, codes: list[str], prefix: str = "") -> Q:
    own = f"{prefix}organiser_territory"
    seat = f"{prefix}organiser_organisation__territory"
    return (Q(**{f"{own}__isnull": False}) & _geo_q(own, param, codes)) | (
        Q(**{f"{own}__isnull": True}) & _geo_q(seat, param, codes)
    )


def _facet_q(entity: str, param: str, values: list[str]) -> Q | None:
    """The condition for one facet on one kind of entry; None when the kind lacks the facet."""
    if entity not in FACET_BY_PARAM[param].entities:
        return None
    match param:
        case "type":
            return Q() if TYPE_OF_ENTITY[entity] in values else None
        case "objectif":
            return Q(objective__code__in=values)
        case "niveau":
            return Q(iap2_level__in=values)
        case "statut":
            return Q(current_status__in=values)
        case "acteur":
            return Q(kind__code__in=values)
        case "libre":
            return Q(is_open_source__in=[value == "oui" for value in values])
        case "origine":
            return Q(data_origin__in=values)
        case "etiquette":
            through = Tool.tags.through.objects.filter(tool=OuterRef("pk"), tag__code__in=values)
            return Q(Exists(through))
        case "fonction":
            model = ENTRY_MODELS[entity]
            field = "tool" if entity == "tool" else "initiative"
            through = model.functions.through.objects.filter(
                **{field: OuterRef("pk"), "function__code__in": values}
            )
            return Q(Exists(through))
        case "region" | "departement":
            if entity == "organisation":
                return _geo_q("territory", param, values)
            if entity == "initiative":
                return _initiative_geo_q(param, values)
            used = InitiativeTool.objects.filter(
                Q(tool=OuterRef("pk"), initiative__is_published=True)
                & _initiative_geo_q(param, values, prefix="initiative__")
            )
            return Q(Exists(used))
    raise AssertionError(param)


def _text_filter(queryset, q: str):
    if connections[queryset.db].vendor == "postgresql":
        return queryset.search(q)
    # What text_mask does: every word begins a word of the normalised text, or the name
    # contains every word.
    in_text, in_name = Q(), Q()
    for word in normalise(q).split():
        word = fold_word(word)
        in_text &= Q(search_text__startswith=word) | Q(search_text__contains=f" {word}")
        in_name &= Q(name_key__contains=word)
    return queryset.filter(in_text | in_name)


def entry_querysets(params: SearchParams) -> dict[str, object]:
    """Published entries matching `params`, as one queryset per kind of entry that can match."""
    querysets = {}
    for entity, model in ENTRY_MODELS.items():
        queryset = model.objects.published()
        conditions = [_facet_q(entity, param, values) for param, values in params.filters.items()]
        if any(condition is None for condition in conditions):
            continue
        for condition in conditions:
            queryset = queryset.filter(condition)
        if params.q:
            queryset = _text_filter(queryset, params.q)
        querysets[entity] = queryset
    return querysets
