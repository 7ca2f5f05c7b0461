"""The public fields of each kind of entry, and how to read and write them as plain values.

One table drives the three ways data enters or leaves the directory: the file importer
(strings from CSV/JSON/XLSX), approved contributions (JSON values) and the data package
export (CSV cells with a Table Schema). Adding a field here makes it importable, proposable
and exported at once.
"""

import dataclasses
import datetime
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from observatoire.territories.models import Territory

from . import choices
from .models import (
    ActorKind,
    Ecosystem,
    Entry,
    Function,
    InitiativeTool,
    Objective,
    Organisation,
    OrganisationStatus,
    Tag,
    Theme,
    Tool,
    ToolMaker,
    ToolStatus,
)
from .text import normalise

LIST_SEPARATOR = ";"


class FieldError(ValueError):
    """A value that cannot go into a field; the message says why, in French."""


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text, longtext, url, date, int, decimal, bool, choice, country, term, terms,
    #            entry, entries, territory, status
    label: str
    model: Any = None  # vocabulary or entry model for term(s) / entry / entries
    choices: Any = None  # TextChoices for choice
    required: bool = False
    # entries stored through an orderable link model: (link model, cluster accessor, FK name)
    through: tuple | None = None
    precision_field: str = ""  # for dates whose precision is stored beside them

    @property
    def is_list(self) -> bool:
        return self.kind in {"terms", "entries"}


def _common(label_name: str) -> list[FieldSpec]:
    return [
        FieldSpec("name", "text", label_name, required=True),
        FieldSpec("slug", "text", _("identifiant d'adresse")),
        FieldSpec("description", "longtext", _("description")),
        FieldSpec("website", "url", _("site web")),
        FieldSpec("last_verified_on", "date", _("dernière vérification")),
    ]


def field_specs(entity: str) -> list[FieldSpec]:
    if entity == "organisation":
        return [
            *_common(_("nom")),
            FieldSpec("kind", "term", _("type d'acteur"), model=ActorKind),
            FieldSpec("siren", "text", "SIREN"),
            FieldSpec("rna", "text", _("numéro RNA")),
            FieldSpec("wikidata_id", "text", _("identifiant Wikidata")),
            FieldSpec("territory", "territory", _("territoire")),
            FieldSpec("city", "text", _("ville")),
            FieldSpec("country", "country", _("pays")),
            FieldSpec(
                "founded_on", "date", _("date de création"), precision_field="founded_precision"
            ),
            FieldSpec(
                "founded_precision",
                "choice",
                _("précision de la date"),
                choices=choices.DatePrecision,
            ),
            FieldSpec("ecosystems", "terms", _("écosystèmes"), model=Ecosystem),
            FieldSpec("status", "status", _("statut actuel"), choices=choices.Status),
        ]
    if entity == "tool":
        return [
            *_common(_("nom")),
            FieldSpec("objective", "term", _("objectif principal"), model=Objective),
            FieldSpec("tags", "terms", _("étiquettes"), model=Tag),
            FieldSpec("functions", "terms", _("fonctions"), model=Function),
            FieldSpec(
                "makers",
                "entries",
                _("développé par"),
                model=Organisation,
                through=(ToolMaker, "maker_links", "organisation"),
            ),
            FieldSpec("iap2_level", "choice", _("niveau IAP2"), choices=choices.Iap2Level),
            FieldSpec("is_open_source", "bool", _("logiciel libre")),
            FieldSpec("licence", "text", _("licence")),
            FieldSpec("source_repository", "url", _("dépôt du code source")),
            FieldSpec("hosting", "choice", _("hébergement"), choices=choices.Hosting),
            FieldSpec("rgaa", "choice", _("conformité RGAA"), choices=choices.Rgaa),
            FieldSpec("rgaa_audited_on", "date", _("date de l'audit RGAA")),
            FieldSpec("pricing", "choice", _("modèle économique"), choices=choices.Pricing),
            FieldSpec(
                "launched_on", "date", _("date de lancement"), precision_field="launched_precision"
            ),
            FieldSpec(
                "launched_precision",
                "choice",
                _("précision de la date"),
                choices=choices.DatePrecision,
            ),
            FieldSpec("status", "status", _("statut actuel"), choices=choices.Status),
        ]
    if entity == "initiative":
        return [
            *_common(_("intitulé")),
            FieldSpec("objective", "term", _("objectif principal"), model=Objective),
            FieldSpec("themes", "terms", _("thèmes"), model=Theme),
            FieldSpec("functions", "terms", _("fonctions"), model=Function),
            FieldSpec("iap2_level", "choice", _("niveau IAP2"), choices=choices.Iap2Level),
            FieldSpec("organiser_territory", "territory", _("collectivité organisatrice")),
            FieldSpec(
                "organiser_organisation", "entry", _("acteur organisateur"), model=Organisation
            ),
            FieldSpec(
                "tools",
                "entries",
                _("outils utilisés"),
                model=Tool,
                through=(InitiativeTool, "tool_links", "tool"),
            ),
            FieldSpec("country", "country", _("pays")),
            FieldSpec("start_on", "date", _("début"), precision_field="start_precision"),
            FieldSpec(
                "start_precision", "choice", _("précision du début"), choices=choices.DatePrecision
            ),
            FieldSpec("end_on", "date", _("fin")),
            FieldSpec("budget_amount", "decimal", _("budget (montant, €)")),
            FieldSpec(
                "budget_bracket", "choice", _("budget (tranche)"), choices=choices.BudgetBracket
            ),
            FieldSpec("staff_fte", "decimal", _("moyens humains (ETP)")),
            FieldSpec("participants", "int", _("participants")),
            FieldSpec("contributions", "int", _("contributions")),
            FieldSpec("outcome", "longtext", _("résultats")),
            FieldSpec(
                "decision_effect",
                "choice",
                _("effet sur la décision"),
                choices=choices.DecisionEffect,
            ),
        ]
    raise ValueError(f"Unknown entity {entity!r}")


def spec_by_name(entity: str) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in field_specs(entity)}


# --- Reading plain values ---------------------------------------------------------------------

ISO_FORMATS = [("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year")]
_TRUE = {"1", "true", "vrai", "oui", "yes", "y", "o", "x"}
_FALSE = {"0", "false", "faux", "non", "no", "n", ""}


def parse_date(value: Any, formats: Iterable[str] = ()) -> tuple[datetime.date, str]:
    """A date and its precision ("day", "month", "year") from a cell or a JSON value."""
    if isinstance(value, datetime.datetime):
        return value.date(), "day"
    if isinstance(value, datetime.date):
        return value, "day"
    text = str(value).strip()
    candidates = [(fmt, _precision_of(fmt)) for fmt in formats] + ISO_FORMATS
    for fmt, precision in candidates:
        try:
            return datetime.datetime.strptime(text, fmt).date(), precision
        except ValueError:
            continue
    try:
        # Full ISO timestamps, as some APIs export ("2015-09-26T00:00:00Z").
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).date(), "day"
    except ValueError:
        pass
    expected = ", ".join([*formats, "AAAA-MM-JJ", "AAAA-MM", "AAAA"])
    raise FieldError(_("date invalide (formats acceptés : %(formats)s)") % {"formats": expected})


def _precision_of(fmt: str) -> str:
    if "%d" in fmt or "%j" in fmt:
        return "day"
    if "%m" in fmt or "%b" in fmt or "%B" in fmt:
        return "month"
    return "year"


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise FieldError(_("nombre entier attendu"))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value))
        if not re.fullmatch(r"\d+", text):
            raise FieldError(_("nombre entier attendu"))
        number = int(text)
    if number < 0:
        raise FieldError(_("nombre positif attendu"))
    return number


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise FieldError(_("nombre attendu"))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = re.sub(r"[\s\u00a0\u202f€]", "", str(value)).replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise FieldError(_("nombre attendu")) from None
    if not number.is_finite() or number < 0:
        raise FieldError(_("nombre positif attendu"))
    return number


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = normalise(str(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise FieldError(_("oui ou non attendu"))


def parse_choice(value: Any, choice_class) -> str:
    text = str(value).strip()
    if text in choice_class.values:
        return text
    wanted = normalise(text)
    for code, label in choice_class.choices:
        if wanted in {normalise(code), normalise(str(label))}:
            return code
    allowed = ", ".join(code for code in choice_class.values if code)
    raise FieldError(_("valeur inconnue (attendu : %(allowed)s)") % {"allowed": allowed})


class Resolver:
    """Finds vocabulary terms, entries and territories by code, slug or name, with caches.

    `create_missing` maps an entry model to the defaults of a stub to create when a referenced
    entry does not exist (imports of lists whose organisers are not in the directory yet).
    """

    def __init__(self, create_missing: dict | None = None, on_create: Callable | None = None):
        self._terms: dict[type, dict[str, models.Model]] = {}
        self._entries: dict[tuple[type, str], Entry] = {}
        self.create_missing = create_missing or {}
        self.on_create = on_create

    def term(self, model, value: Any):
        if model not in self._terms:
            index = {}
            for term in model.objects.all():
                index[term.code] = term
                index.setdefault(normalise(term.name), term)
            self._terms[model] = index
        index = self._terms[model]
        term = index.get(str(value).strip()) or index.get(normalise(str(value)))
        if term is None:
            known = ", ".join(sorted(t.code for t in set(index.values())))
            raise FieldError(
                _("« %(value)s » n'est pas dans la taxonomie (%(known)s)")
                % {"value": value, "known": known}
            )
        return term

    def entry(self, model, value: Any) -> Entry:
        text = str(value).strip()
        key = (model, normalise(text))
        if key in self._entries:
            return self._entries[key]
        entry = (
            model.objects.filter(slug=text).first()
            or model.objects.filter(name_key=normalise(text)).order_by("pk").first()
        )
        if entry is None:
            if model not in self.create_missing:
                raise FieldError(
                    _("aucun(e) %(model)s nommé(e) « %(value)s »")
                    % {"model": model._meta.verbose_name, "value": text}
                )
            entry = model(name=text, **self.create_missing[model])
            entry.save()
            if self.on_create:
                self.on_create(entry)
        self._entries[key] = entry
        return entry

    def territory(self, value: Any, kind: str = "") -> Territory:
        text = str(value).strip()
        if ":" in text:
            kind, text = text.split(":", 1)
        queryset = Territory.objects.filter(code=text)
        if kind:
            queryset = queryset.filter(kind=kind)
        found = list(queryset[:2])
        if not found:
            raise FieldError(_("territoire inconnu (code %(code)s)") % {"code": text})
        if len(found) > 1:
            raise FieldError(
                _("code ambigu : précisez le type, ex. departement:%(code)s") % {"code": text}
            )
        return found[0]


def parse_value(
    spec: FieldSpec, value: Any, resolver: Resolver, *, date_formats=(), territory_kind=""
):
    """The Python value for `spec` from a plain value; raises FieldError."""
    if spec.is_list:
        items = value if isinstance(value, list | tuple) else [value]
        items = [item for item in items if str(item).strip()]
        if spec.kind == "terms":
            return list(dict.fromkeys(resolver.term(spec.model, item) for item in items))
        return list(dict.fromkeys(resolver.entry(spec.model, item) for item in items))
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            raise FieldError(_("valeur obligatoire"))
        return None
    match spec.kind:
        case "text" | "longtext":
            return str(value).strip()
        case "url":
            text = str(value).strip()
            return text if "://" in text else f"https://{text}"
        case "date":
            return parse_date(value, date_formats)
        case "int":
            return parse_int(value)
        case "decimal":
            return parse_decimal(value)
        case "bool":
            return parse_bool(value)
        case "choice" | "status":
            return parse_choice(value, spec.choices)
        case "country":
            text = str(value).strip().upper()
            if not re.fullmatch(r"[A-Z]{2}", text):
                raise FieldError(_("code pays ISO à deux lettres attendu (ex. FR)"))
            return text
        case "term":
            return resolver.term(spec.model, value)
        case "entry":
            return resolver.entry(spec.model, value)
        case "territory":
            return resolver.territory(value, territory_kind)
    raise AssertionError(spec.kind)


# --- Writing values onto entries --------------------------------------------------------------

_EMPTY_FOR_BLANK = {"text", "longtext", "url", "choice", "country"}


def apply_values(entry: Entry, values: dict[str, Any], entity: str) -> None:
    """Set parsed values on an entry (not saved). Lists replace the current ones.

    Dates come as (date, precision) pairs: the precision fills the sibling field unless the
    values set it explicitly.
    """
    specs = spec_by_name(entity)
    for name, value in values.items():
        spec = specs[name]
        if spec.kind == "status":
            if value:
                set_current_status(entry, value)
        elif spec.kind == "terms":
            getattr(entry, name).set(value)
        elif spec.kind == "entries":
            link_model, accessor, fk_name = spec.through
            current = {
                getattr(link, f"{fk_name}_id"): link for link in getattr(entry, accessor).all()
            }
            links = [current.get(item.pk) or link_model(**{fk_name: item}) for item in value]
            setattr(entry, accessor, links)
        elif spec.kind == "date":
            if value is None:
                setattr(entry, name, None)
            else:
                day, precision = value
                setattr(entry, name, day)
                if spec.precision_field and spec.precision_field not in values:
                    setattr(entry, spec.precision_field, precision)
        elif value is None and spec.kind in _EMPTY_FOR_BLANK:
            default = entry._meta.get_field(name).default
            setattr(entry, name, default if isinstance(default, str) else "")
        else:
            setattr(entry, name, value)


def set_current_status(entry: Entry, status: str) -> None:
    """Record a status observed now: a first period, or a new one closing the running ones."""
    periods = list(entry.statuses.all())
    if not periods:
        period_model = OrganisationStatus if isinstance(entry, Organisation) else ToolStatus
        entry.statuses = [period_model(status=status)]
        return
    if entry.current_status == status:
        return
    today = datetime.date.today()
    for period in periods:
        if period.end_on is None:
            period.end_on = today - datetime.timedelta(days=1)
    period_model = type(periods[0])
    entry.statuses = [*periods, period_model(status=status, start_on=today)]


# --- Reading values out of entries (export, moderation diff) ---------------------------------


def export_value(entry: Entry, spec: FieldSpec) -> Any:
    """A CSV-friendly value: codes and slugs joined by ";", ISO dates, plain numbers."""
    if spec.kind == "status":
        return entry.current_status
    if spec.kind == "terms":
        return LIST_SEPARATOR.join(term.code for term in getattr(entry, spec.name).all())
    if spec.kind == "entries":
        return LIST_SEPARATOR.join(item.slug for item in getattr(entry, spec.name).all())
    value = getattr(entry, spec.name)
    if value is None:
        return ""
    if spec.kind == "term":
        return value.code
    if spec.kind == "entry":
        return value.slug
    if spec.kind == "territory":
        return f"{value.kind}:{value.code}"
    if spec.kind == "date":
        return value.isoformat()
    if spec.kind == "bool":
        return "true" if value else "false"
    return value


def display_value(entry: Entry, spec: FieldSpec) -> str:
    value = export_value(entry, spec)
    return "" if value is None else str(value)


def table_schema_type(spec: FieldSpec) -> dict:
    """The Table Schema (frictionless) type of a field's exported column."""
    match spec.kind:
        case "date":
            return {"type": "date"}
        case "int":
            return {"type": "integer", "constraints": {"minimum": 0}}
        case "decimal":
            return {"type": "number", "constraints": {"minimum": 0}}
        case "bool":
            return {"type": "boolean"}
        case "url":
            return {"type": "string", "format": "uri"}
        case "choice" | "status":
            return {
                "type": "string",
                "constraints": {"enum": [value for value in spec.choices.values if value]},
            }
    return {"type": "string"}
