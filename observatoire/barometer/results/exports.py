"""Data files of an edition: one row per response, one column per answer, with a codebook.

Choices are kept as their XLSForm names in CSV, Excel and the data package, and as numeric codes
with value labels in SPSS (.sav) and Stata (.dta), written by pyreadstat. A multiple choice is
one 0/1 column per option. Free texts are left out (they may name people); the territory is
named only when it agreed to be (the consent question), otherwise only its stratum is given.
Contacts never appear: answers are read from the responses only.
"""

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from observatoire.barometer.models import Edition
from observatoire.lib.formulas import neutralise_frame, neutralise_row
from observatoire.lib.stats import QuestionSpec
from observatoire.lib.stats.estimates import choice_sets, choice_values, number_values

from .compute import weigh
from .data import KIND_LABELS, EditionData, load_edition
from .models import DemoEdition

DEMO_NOTE = "Données de démonstration : réponses synthétiques, aucune collectivité réelle."
# Stata allows 32 characters, but the value-label set takes the name too and needs one more.
STATA_NAME_LENGTH = 30


def _filename(extension: str):
    return lambda year: f"barometre-{year}.{extension}"


FORMATS: dict[str, dict[str, Any]] = {
    "csv": {"label": "CSV (réponses)", "filename": _filename("csv"), "type": "text/csv"},
    "codebook": {
        "label": "Dictionnaire des variables (CSV)",
        "filename": lambda year: f"barometre-{year}-dictionnaire.csv",
        "type": "text/csv",
    },
    "xlsx": {
        "label": "Excel (réponses, fiches-dispositif, dictionnaire)",
        "filename": _filename("xlsx"),
        "type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    },
    "sav": {
        "label": "SPSS (.sav, avec étiquettes)",
        "filename": _filename("sav"),
        "type": "application/x-spss-sav",
    },
    "dta": {
        "label": "Stata (.dta, avec étiquettes)",
        "filename": _filename("dta"),
        "type": "application/x-stata-dta",
    },
    "datapackage": {
        "label": "Data Package (Frictionless, zip)",
        "filename": lambda year: f"barometre-{year}-datapackage.zip",
        "type": "application/zip",
    },
}


def _variable(name: str) -> str:
    """A variable name Stata and SPSS accept: letters, digits, _; at most 32 characters."""
    clean = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not clean[0].isalpha():
        clean = "v_" + clean
    if len(clean) > STATA_NAME_LENGTH:
        digest = hashlib.sha1(clean.encode()).hexdigest()[:6]
        clean = f"{clean[: STATA_NAME_LENGTH - 7]}_{digest}"
    return clean


class Table:
    """Columns of one table with their codebook entries."""

    def __init__(self) -> None:
        self.columns: dict[str, pd.Series] = {}
        self.codebook: list[dict[str, Any]] = []

    def add(self, name, values, *, label, kind, question="", choices=None):
        name = _variable(name)
        self.columns[name] = values
        self.codebook.append(
            {
                "variable": name,
                "label": label,
                "type": kind,
                "question": question,
                "choices": dict(choices or {}),
            }
        )

    def frame(self, index) -> pd.DataFrame:
        return pd.DataFrame(
            {k: pd.Series(v).reindex(index) for k, v in self.columns.items()}, index=index
        )


def _answer_columns(table: Table, specs: list[QuestionSpec], answers: pd.DataFrame) -> None:
    for spec in specs:
        if spec.kind in ("single", "bracket"):
            table.add(
                spec.name,
                choice_values(answers[spec.name]),
                label=spec.label,
                kind="choice",
                question=spec.name,
                choices={o.key: o.label for o in spec.options},
            )
        elif spec.kind == "multiple":
            sets = choice_sets(answers[spec.name])
            for option in spec.options:
                values = sets.map(lambda s, key=option.key: None if s is None else int(key in s))
                table.add(
                    f"{spec.name}__{option.key}",
                    values,
                    label=f"{spec.label} — {option.label}",
                    kind="binary",
                    question=spec.name,
                    choices={0: "non coché", 1: "coché"},
                )
        elif spec.kind == "likert":
            for item in spec.items:
                table.add(
                    item.key,
                    choice_values(answers[item.key]),
                    label=f"{spec.label} — {item.label}",
                    kind="choice",
                    question=spec.name,
                    choices={o.key: o.label for o in spec.options},
                )
        elif spec.kind in ("number", "score"):
            for column in spec.columns:
                label = (
                    spec.label
                    if spec.kind == "number"
                    else f"{spec.label} — {spec.items and next((i.label for i in spec.items if i.key == column), column)}"
                )
                table.add(
                    column,
                    pd.Series(number_values(answers[column]), index=answers.index),
                    label=label,
                    kind="number",
                    question=spec.name,
                )


def build_tables(data: EditionData, *, weighted: bool = True) -> dict[str, Any]:
    """{"responses": DataFrame, "schemes": DataFrame, "codebook": [...], "schemes_codebook": [...]}"""
    respondents = data.respondents
    demo = DemoEdition.objects.filter(edition=data.edition).exists()
    weights = weigh(data).weights if len(respondents) else pd.Series(dtype=float)
    main = Table()
    index = respondents.index
    main.add(
        "id",
        pd.Series(range(1, len(index) + 1), index=index),
        label="Numéro de réponse",
        kind="integer",
    )
    main.add(
        "type",
        respondents["kind"],
        label="Type de collectivité",
        kind="choice",
        choices=KIND_LABELS,
    )
    main.add("tranche", respondents["band"], label="Tranche de population", kind="string")
    main.add("region", respondents["region"], label="Région (code INSEE)", kind="string")
    consent = respondents["consent"].astype(bool)
    main.add(
        "collectivite_code",
        respondents["code"].where(consent, ""),
        label="Code de la collectivité (si elle accepte d'être nommée)",
        kind="string",
    )
    main.add(
        "collectivite_nom",
        respondents["name"].where(consent, ""),
        label="Nom de la collectivité (si elle accepte d'être nommée)",
        kind="string",
    )
    main.add(
        "poids",
        weights if weighted else pd.Series(1.0, index=index),
        label="Poids (pondération sur la base de sondage)",
        kind="number",
    )
    if demo:
        main.add("donnees_demo", pd.Series(1, index=index), label=DEMO_NOTE, kind="integer")
    top = [s for s in data.specs if not s.repeat and s.name != data.edition.consent_question]
    _answer_columns(main, top, data.answers)
    responses = main.frame(index)

    fiches = Table()
    schemes = data.schemes
    numbers = {pk: number for number, pk in enumerate(index, start=1)}
    fiches.add(
        "id_reponse", schemes["respondent"].map(numbers), label="Numéro de réponse", kind="integer"
    )
    fiches.add(
        "fiche",
        pd.Series([str(i).rsplit(":", 1)[-1] for i in schemes.index], index=schemes.index).astype(
            int
        )
        if len(schemes)
        else pd.Series(dtype=int),
        label="Numéro de la fiche",
        kind="integer",
    )
    _answer_columns(fiches, [s for s in data.specs if s.repeat], schemes)
    return {
        "responses": responses.reset_index(drop=True),
        "schemes": fiches.frame(schemes.index).reset_index(drop=True),
        "codebook": main.codebook,
        "schemes_codebook": fiches.codebook,
        "demo": demo,
    }


def codebook_rows(codebook: list[dict[str, Any]], table: str) -> list[list[str]]:
    rows = []
    for entry in codebook:
        choices = "; ".join(f"{k} = {v}" for k, v in entry["choices"].items())
        rows.append(
            [table, entry["variable"], entry["label"], entry["type"], entry["question"], choices]
        )
    return rows


CODEBOOK_HEADER = ["table", "variable", "libelle", "type", "question", "modalites"]


def _text_columns(codebook) -> list[str]:
    """Free-text columns, whose cells are neutralised (codes and numbers are left alone)."""
    return [entry["variable"] for entry in codebook if entry["type"] == "string"]


def _csv(frame: pd.DataFrame, codebook) -> bytes:
    frame = neutralise_frame(frame, _text_columns(codebook))
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _codebook_csv(tables, edition) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CODEBOOK_HEADER)
    for row in codebook_rows(tables["codebook"], "reponses") + codebook_rows(
        tables["schemes_codebook"], "fiches"
    ):
        writer.writerow(neutralise_row(row))
    if tables["demo"]:
        writer.writerow(["", "", DEMO_NOTE, "", "", ""])
    return out.getvalue().encode("utf-8")


def _truncate(text: str, size: int) -> str:
    """At most `size` bytes of UTF-8 (Stata counts bytes: 80 for labels), whole characters."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


def _coded(frame: pd.DataFrame, codebook) -> tuple[pd.DataFrame, dict, list[str]]:
    """Numeric codes for choices (1, 2... in form order) with value labels, for SPSS and Stata."""
    coded = frame.copy()
    value_labels, labels = {}, []
    for entry in codebook:
        name = entry["variable"]
        labels.append(_truncate(entry["label"], 80))
        if entry["type"] == "choice":
            keys = list(entry["choices"])
            extra = sorted({v for v in frame[name].dropna() if v not in keys})
            codes = {key: number for number, key in enumerate([*keys, *extra], start=1)}
            coded[name] = frame[name].map(codes).astype("float")
            value_labels[name] = {
                float(c): _truncate(str(entry["choices"].get(k, k)), 120) for k, c in codes.items()
            }
        elif entry["type"] == "binary":
            coded[name] = frame[name].astype("float")
            value_labels[name] = {0.0: "non coché", 1.0: "coché"}
        elif entry["type"] in ("number", "integer"):
            coded[name] = pd.to_numeric(frame[name], errors="coerce").astype("float")
        else:
            coded[name] = frame[name].fillna("").astype(str)
    return coded, value_labels, labels


def _readstat(tables, edition, writer, suffix) -> bytes:
    import pyreadstat

    coded, value_labels, labels = _coded(tables["responses"], tables["codebook"])
    label = f"Baromètre {edition.year} de la démocratie locale numérique"
    if tables["demo"]:
        label = "DÉMONSTRATION — " + label
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{suffix}"
        getattr(pyreadstat, writer)(
            coded,
            str(path),
            file_label=_truncate(label, 80),
            column_labels=labels,
            variable_value_labels=value_labels,
        )
        return path.read_bytes()


def _xlsx(tables, edition) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    about = book.active
    about.title = "À lire"
    about.append([f"Baromètre {edition.year} de la démocratie locale numérique"])
    if tables["demo"]:
        about.append([DEMO_NOTE])
    about.append(
        [
            "Une ligne par réponse ; poids dans la colonne « poids » ; voir la feuille « dictionnaire »."
        ]
    )
    for title, frame, codebook in (
        ("reponses", tables["responses"], tables["codebook"]),
        ("fiches", tables["schemes"], tables["schemes_codebook"]),
    ):
        sheet = book.create_sheet(title)
        sheet.append(list(frame.columns))
        for row in neutralise_frame(frame, _text_columns(codebook)).itertuples(index=False):
            sheet.append(
                [None if (isinstance(v, float) and pd.isna(v)) or v is None else v for v in row]
            )
    sheet = book.create_sheet("dictionnaire")
    sheet.append(CODEBOOK_HEADER)
    for row in codebook_rows(tables["codebook"], "reponses") + codebook_rows(
        tables["schemes_codebook"], "fiches"
    ):
        sheet.append(neutralise_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FIELD_TYPES = {
    "choice": "string",
    "string": "string",
    "binary": "integer",
    "integer": "integer",
    "number": "number",
}


def _schema(codebook, frame) -> dict[str, Any]:
    fields = []
    for entry in codebook:
        field: dict[str, Any] = {
            "name": entry["variable"],
            "title": entry["label"],
            "type": FIELD_TYPES[entry["type"]],
        }
        if entry["type"] == "choice" and entry["choices"]:
            present = {str(v) for v in frame[entry["variable"]].dropna()}
            field["constraints"] = {"enum": sorted({*map(str, entry["choices"]), *present})}
            field["description"] = "; ".join(f"{k} = {v}" for k, v in entry["choices"].items())
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def _integers(frame: pd.DataFrame, codebook) -> pd.DataFrame:
    out = frame.copy()
    for entry in codebook:
        if entry["type"] in ("binary", "integer"):
            out[entry["variable"]] = pd.to_numeric(out[entry["variable"]], errors="coerce").astype(
                "Int64"
            )
    return out


def _datapackage(tables, edition) -> bytes:
    description = "Une ligne par réponse (poids inclus) et une par fiche-dispositif."
    if tables["demo"]:
        description = DEMO_NOTE + " " + description
    package = {
        "name": f"barometre-{edition.year}",
        "title": f"Baromètre {edition.year} de la démocratie locale numérique",
        "description": description,
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte 2.0"}],
        "resources": [
            {
                "name": "reponses",
                "path": "reponses.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _schema(tables["codebook"], tables["responses"]),
            },
            {
                "name": "fiches",
                "path": "fiches.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": _schema(tables["schemes_codebook"], tables["schemes"]),
            },
            {
                "name": "dictionnaire",
                "path": "dictionnaire.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
            },
        ],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(package, ensure_ascii=False, indent=2))
        archive.writestr(
            "reponses.csv",
            _csv(_integers(tables["responses"], tables["codebook"]), tables["codebook"]),
        )
        archive.writestr(
            "fiches.csv",
            _csv(
                _integers(tables["schemes"], tables["schemes_codebook"]),
                tables["schemes_codebook"],
            ),
        )
        archive.writestr("dictionnaire.csv", _codebook_csv(tables, edition))
    return out.getvalue()


def export_bytes(edition: Edition, fmt: str, *, weighted: bool = True) -> tuple[bytes, str]:
    if fmt not in FORMATS:
        raise ValueError(f"format inconnu : {fmt!r} (formats : {', '.join(FORMATS)})")
    tables = build_tables(load_edition(edition), weighted=weighted)
    builders = {
        "csv": lambda: _csv(_integers(tables["responses"], tables["codebook"]), tables["codebook"]),
        "codebook": lambda: _codebook_csv(tables, edition),
        "xlsx": lambda: _xlsx(tables, edition),
        "sav": lambda: _readstat(tables, edition, "write_sav", "sav"),
        "dta": lambda: _readstat(tables, edition, "write_dta", "dta"),
        "datapackage": lambda: _datapackage(tables, edition),
    }
    return builders[fmt](), FORMATS[fmt]["type"]
