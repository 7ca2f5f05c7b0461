"""`directory harvest SOURCE FILE_OR_URL`: the field's open sources into the cartography.

Each source has a module of plain parsing functions (no database) that turn the files the
source really publishes into records named after the cartography's fields; this module
feeds those records to the mapping importer (importing.py), so matching, merge policies,
provenance, row errors and --keep-going are the same for every source and for mapping files.
A run that writes is recorded as a HarvestBatch, which can be undone as a whole.
"""

import dataclasses
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from observatoire.territories.models import Territory
from observatoire.territories.text import normalize_name

from ..importing import Importer, ImportFileError, ImportReport, Mapping, parse_mapping
from ..models import ENTRY_MODELS, Contribution, HarvestBatch, Initiative, Organisation
from . import consultation_gouv, decidim, decidim_census, pabulib, participedia

SOURCES = ["decidim-census", "decidim", "participedia", "consultation-gouv", "pabulib"]
AVAILABLE = SOURCES


@dataclasses.dataclass
class HarvestResult:
    source: str
    dry_run: bool
    reports: list[ImportReport]
    batch: HarvestBatch | None = None

    def count(self, action: str) -> int:
        return sum(report.count(action) for report in self.reports)

    @property
    def rejected(self) -> int:
        return sum(report.rejected_rows for report in self.reports)

    @property
    def imported(self) -> int:
        return sum(report.imported for report in self.reports)

    @property
    def errors(self):
        return [error for report in self.reports for error in report.errors]

    def counts(self) -> dict[str, int]:
        return {
            "created": self.count("created"),
            "updated": self.count("updated"),
            "unchanged": self.count("unchanged"),
            "proposed": self.count("proposed"),
            "possible_duplicates": self.count("possible_duplicate"),
            "rejected": self.rejected,
            "filtered": sum(report.filtered for report in self.reports),
        }

    def summary(self) -> str:
        counts = self.counts()
        return (
            _(
                "créées : %(created)d, mises à jour : %(updated)d, inchangées : %(unchanged)d, "
                "rejetées : %(rejected)d, doublons possibles : %(possible_duplicates)d, "
                "modifications proposées : %(proposed)d, écartées : %(filtered)d"
            )
            % counts
        )


# --- Mappings: the records' names are the cartography's, so most fields map to themselves.

PABULIB = {
    "entity": "initiative",
    "source_name": "pabulib",
    "match_on": ["external_id"],
    "on_match": "update",
    "merge": "overwrite",
    "source": {"title": "Pabulib : {file}", "url": "https://pabulib.org/"},
    "where": {"country": {"not_empty": True}},
    "defaults": {"objective": "coproduction"},
    "fields": {
        "external_id": "file",
        "name": {"column": "name", "merge": "fill_empty"},
        "description": {"column": "description", "merge": "fill_empty"},
        "country": "country",
        "organiser_territory": "territory",
        "start_on": {"column": "start_on", "date_formats": pabulib.DATE_FORMATS},
        "end_on": {"column": "end_on", "date_formats": pabulib.DATE_FORMATS},
        "budget_amount": "budget_amount",
        "participants": "participants",
        "functions": "functions",
    },
}

CONSULTATION_TOOLS = {
    "entity": "tool",
    "source_name": "consultation-gouv",
    "match_on": ["external_id", "name"],
    "on_match": "update",
    "where": {"categorie": {"not_in": ["methode", "méthode"]}},
    "source": {
        "title": "consultation.gouv.fr : {name}",
        "url": "https://consultation.gouv.fr/outil/{key}",
    },
    "fields": {
        "external_id": "key",
        "name": "name",
        "description": "description",
        "website": "website",
        "source_repository": "source_repository",
        "is_open_source": "is_open_source",
        "licence": "licence",
        "makers": {"column": "makers", "create_missing": True},
    },
}

CONSULTATION_USES = {
    "entity": "initiative",
    "source_name": "consultation-gouv",
    "match_on": ["external_id", "website", "name"],
    "on_match": "update",
    "source": {
        "title": "consultation.gouv.fr : {name}",
        "url": "https://consultation.gouv.fr/usage/{key}",
    },
    "fields": {
        "external_id": "key",
        "name": "name",
        "description": "description",
        "website": "website",
        "organiser_organisation": {"column": "organiser", "create_missing": True},
        "organiser_territory": "territory",
        "tools": {"column": "tools", "create_missing": True},
    },
}

DECIDIM_CENSUS = {
    "entity": "initiative",
    "source_name": "decidim-census",
    "match_on": ["external_id", "website"],
    "on_match": "update",
    "where": {"country": {"not_empty": True}},
    "defaults": {"objective": "coproduction"},
    "source": {
        "title": "Decidim Census, instance {id}",
        "url": "https://github.com/digidemlab/decidim-census",
    },
    "fields": {
        "external_id": "id",
        "name": "name",
        "website": "website",
        "country": "country",
        "tools": {"column": "tools", "create_missing": True},
    },
}


DECIDIM = {
    "entity": "initiative",
    "source_name": "decidim",
    "match_on": ["external_id", "website"],
    "on_match": "update",
    "merge": "overwrite",
    "where": {"private_space": {"not_in": ["true"]}},
    "defaults": {"objective": "coproduction"},
    "source": {"title": "Données ouvertes Decidim de {host} : {name}", "url": "{website}"},
    "fields": {
        "external_id": "key",
        "name": {"column": "name", "merge": "fill_empty"},
        "description": {"column": "description", "merge": "fill_empty"},
        "website": "website",
        "country": "country",
        "start_on": "start_on",
        "end_on": "end_on",
        "organiser_organisation": {"column": "organiser", "create_missing": True},
        "organiser_territory": "territory",
        "tools": {"column": "tools", "create_missing": True},
        "functions": "functions",
    },
}

PARTICIPEDIA_CASES = {
    "entity": "initiative",
    "source_name": "participedia",
    "match_on": ["external_id", "name"],
    "on_match": "update",
    # Methods are read with the cases and left out here: the cartography has no methods.
    # A country Participedia names that we cannot read would become the default, France.
    "where": {"type": "case", "country": {"not_empty": True}},
    "source": {"title": "Participedia : {name}", "url": "{url}"},
    "fields": {
        "external_id": "id",
        "name": "name",
        "description": "description",
        "country": "country",
        "organiser_territory": "territory",
        "start_on": "start_on",
        "end_on": "end_on",
        "participants": "participants",
        "themes": "themes",
        "functions": "functions",
        "iap2_level": "iap2_level",
        "outcome": "outcome",
        "organiser_organisation": {"column": "organiser", "create_missing": True},
    },
}

PARTICIPEDIA_ORGANISATIONS = {
    "entity": "organisation",
    "source_name": "participedia",
    "match_on": ["external_id", "name"],
    "on_match": "update",
    "where": {"country": {"not_empty": True}},
    "source": {"title": "Participedia : {name}", "url": "{url}"},
    "fields": {
        "external_id": "id",
        "name": "name",
        "description": "description",
        "city": "city",
        "country": "country",
    },
}


def _mapping(data: dict[str, Any], where: str) -> Mapping:
    return parse_mapping(data, where=where)


def _store_budget_vote(entry, record) -> bool:
    vote = record.get("budget_vote")
    if vote is None or entry.budget_vote == vote:
        return False
    entry.budget_vote = vote
    return True


def commune_code(name: str, country: str) -> str:
    """ "commune:31555" for a French city name, the most populous when several share it."""
    if country != "FR" or not name:
        return ""
    found = (
        Territory.objects.filter(kind="commune", is_current=True, search_name=normalize_name(name))
        .order_by("-population")
        .values_list("code", flat=True)
        .first()
    )
    return f"commune:{found}" if found else ""


def local_government(territory: str) -> str:
    """The slug of the local government actor of a territory ("commune:31555"), else "".

    The organiser a source names ("Ville de Toulouse", "Mairie de Toulouse") is then the
    actor the cartography already has for that INSEE code, whatever its name, rather than a
    new stub per spelling.
    """
    kind, _sep, code = territory.partition(":")
    if not code:
        return ""
    found = (
        Organisation.objects.filter(
            kind__code="collectivite", territory__kind=kind, territory__code=code
        )
        .order_by("pk")
        .values_list("slug", flat=True)
        .first()
    )
    return found or ""


def _organiser_by_territory(records) -> None:
    """Organisers that name a city ("Ville de X") become the actor of that commune, if known."""
    for _number, record in records:
        organiser = record.get("organiser") or ""
        if not consultation_gouv.organiser_city(organiser):
            continue  # an association in the city is not the city
        slug = local_government(record.get("territory") or "")
        if slug:
            record["organiser"] = slug


def _datasets(source: str, location: Path) -> list[tuple[Mapping, list[tuple[int, dict]]]]:
    if source == "pabulib":
        files = sorted(location.glob("*.pb")) if location.is_dir() else [location]
        if not files:
            raise ImportFileError(_("%(path)s : aucun fichier .pb") % {"path": location})
        rows = []
        for number, path in enumerate(files, start=1):
            try:
                record = pabulib.read_pb_file(path)
            except (pabulib.PbFormatError, UnicodeDecodeError) as error:
                rows.append((number, {"file": path.stem, "_error": str(error)}))
                continue
            record["territory"] = commune_code(record["city"], record["country"])
            rows.append((number, record))
        mapping = _mapping(PABULIB, "pabulib")
        mapping.apply_extra = _store_budget_vote
        return [(mapping, rows)]
    if source == "consultation-gouv":
        catalogue = consultation_gouv.read_catalogue(location)
        for _number, record in catalogue["initiative"]:
            city = consultation_gouv.organiser_city(record.get("organiser", ""))
            record["territory"] = commune_code(city, "FR")
        _organiser_by_territory(catalogue["initiative"])
        return [
            (_mapping(CONSULTATION_TOOLS, "consultation-gouv"), catalogue["tool"]),
            (_mapping(CONSULTATION_USES, "consultation-gouv"), catalogue["initiative"]),
        ]
    if source == "decidim-census":
        try:
            rows = decidim_census.read_census(location)
        except ValueError as error:
            raise ImportFileError(str(error)) from None
        return [(_mapping(DECIDIM_CENSUS, "decidim-census"), rows)]
    if source == "decidim":
        try:
            export = decidim.read_export(location)
        except decidim.DecidimFormatError as error:
            raise ImportFileError(str(error)) from None
        for _number, record in export["processes"]:
            city = consultation_gouv.organiser_city(record["organiser"])
            record["country"] = decidim_census.country_of(record["host"])
            record["territory"] = commune_code(city, record["country"])
        _organiser_by_territory(export["processes"])
        mapping = _mapping(DECIDIM, "decidim")
        mapping.apply_extra = _store_budget_vote
        return [(mapping, export["processes"])]
    if source == "participedia":
        try:
            dump = participedia.read_dump(location)
        except participedia.ParticipediaFormatError as error:
            raise ImportFileError(str(error)) from None
        for _number, record in dump["initiative"]:
            if "_error" not in record:
                record["territory"] = commune_code(record["city"], record["country"])
        _organiser_by_territory(dump["initiative"])
        datasets = []
        if dump["organisation"]:
            datasets.append(
                (_mapping(PARTICIPEDIA_ORGANISATIONS, "participedia"), dump["organisation"])
            )
        cases = dump["initiative"] + dump["method"]
        if cases or not datasets:
            datasets.append((_mapping(PARTICIPEDIA_CASES, "participedia"), cases))
        return datasets
    raise ImportFileError(
        _("Source « %(source)s » pas encore prise en charge (disponibles : %(available)s)")
        % {"source": source, "available": ", ".join(AVAILABLE)}
    )


def fetch(url: str, folder: Path) -> Path:
    """Download a source file; the only place the harvest touches the network."""
    name = url.rstrip("/").rsplit("/", 1)[-1] or "source"
    target = folder / name
    request = urllib.request.Request(url, headers={"User-Agent": "observatoire-harvest"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            target.write_bytes(response.read())
    except OSError as error:
        raise ImportFileError(
            _("%(url)s : téléchargement impossible (%(error)s)") % {"url": url, "error": error}
        ) from None
    return target


class _Rollback(Exception):
    pass


def harvest(
    source: str,
    location: str | Path,
    *,
    dry_run: bool = False,
    keep_going: bool = False,
    progress: bool | None = None,
) -> HarvestResult:
    """Harvest one source; all or nothing unless keep_going; a batch records what changed."""
    if source not in SOURCES:
        raise ImportFileError(
            _("Source inconnue « %(source)s » (sources : %(sources)s)")
            % {"source": source, "sources": ", ".join(SOURCES)}
        )
    text = str(location)
    if text.startswith(("http://", "https://")):
        with tempfile.TemporaryDirectory() as folder:
            path = fetch(text, Path(folder))
            return _harvest(source, path, text, dry_run, keep_going, progress)
    path = Path(location)
    if not path.exists():
        raise ImportFileError(_("%(path)s : fichier introuvable") % {"path": path})
    return _harvest(source, path, text, dry_run, keep_going, progress)


def _harvest(source, path, origin, dry_run, keep_going, progress) -> HarvestResult:
    datasets = _datasets(source, path)
    result = HarvestResult(source=source, dry_run=dry_run, reports=[])
    try:
        # Wagtail reindexes an entry's references on each of its saves (three per harvested
        # row: entry, sources, revision), half the run's time: once per entry at the end.
        with transaction.atomic(), disable_reference_index_auto_update():
            for mapping, rows in datasets:
                importer = Importer(
                    mapping, dry_run=False, progress=progress, keep_going=keep_going
                )
                report = importer.run_rows(rows)
                report.dry_run = dry_run
                result.reports.append(report)
            if dry_run or (result.errors and not keep_going):
                raise _Rollback
            update_reference_index(result)
            result.batch = record_batch(source, origin, result)
    except _Rollback:
        pass
    return result


def update_reference_index(result: HarvestResult) -> None:
    touched: dict[str, set[int]] = {}
    for report in result.reports:
        for entity, pk in report.created:
            touched.setdefault(entity, set()).add(pk)
        for key in report.before:
            entity, pk = key.split(":")
            touched.setdefault(entity, set()).add(int(pk))
    for entity, pks in touched.items():
        for entry in ENTRY_MODELS[entity].objects.filter(pk__in=pks):
            ReferenceIndex.create_or_update_for_object(entry)


def record_batch(source: str, origin: str, result: HarvestResult) -> HarvestBatch:
    actions, rejects, created, before, proposed = [], [], [], {}, []
    for report in result.reports:
        for action in report.actions:
            actions.append(
                {
                    "entity": report.entity,
                    "row": action.row,
                    "action": action.action,
                    "name": action.name,
                    "detail": action.detail,
                    "changes": action.changes,
                }
            )
        rejects += [
            {"entity": report.entity, "row": e.row, "column": e.column, "reason": e.reason}
            for e in report.errors
        ]
        created += [list(item) for item in report.created]
        before.update(report.before)
        proposed += report.contributions
    return HarvestBatch.objects.create(
        source=source,
        origin=origin[:500],
        counts=result.counts(),
        actions=actions,
        rejects=rejects,
        created_entries=created,
        previous_states=before,
        proposed_contributions=proposed,
    )


@transaction.atomic
def rollback_batch(batch: HarvestBatch) -> None:
    """Undo a harvest: delete what it created, put back what it changed, withdraw what it proposed.

    Its proposals still pending in the moderation queue are withdrawn (deleted: they came from
    the source, not from a person); one a moderator already decided stays, with its decision.
    """
    from ..schema import Resolver, apply_values, parse_value, spec_by_name

    batch = HarvestBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == HarvestBatch.Status.ROLLED_BACK:
        raise ImportFileError(_("Ce moissonnage a déjà été annulé."))
    resolver = Resolver()
    for key, state in batch.previous_states.items():
        entity, pk = key.split(":")
        entry = ENTRY_MODELS[entity].objects.filter(pk=int(pk)).first()
        if entry is None:
            continue
        specs = spec_by_name(entity)
        values = {}
        for name, text in state["fields"].items():
            values[name] = parse_value(specs[name], text, resolver)
        apply_values(entry, values, entity)
        entry.external_ids = state["external_ids"]
        entry.field_sources = state["field_sources"]
        if isinstance(entry, Initiative):
            entry.budget_vote = state.get("extra")
        entry.save()
        entry.sources.exclude(pk__in=state["source_pks"]).delete()
        entry.save_revision(log_action="wagtail.edit", clean=False)
    # Initiatives first: they point at the tools and organisations created with them.
    order = {"initiative": 0, "tool": 1, "organisation": 2}
    for entity, pk in sorted(batch.created_entries, key=lambda item: order[item[0]]):
        ENTRY_MODELS[entity].objects.filter(pk=pk).delete()
    Contribution.objects.pending().filter(pk__in=batch.proposed_contributions).delete()
    batch.status = HarvestBatch.Status.ROLLED_BACK
    batch.rolled_back_at = timezone.now()
    batch.save()
