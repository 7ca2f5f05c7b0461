"""The XLSForm corpus: one form per feature, after the examples of the XLSForm specification
(https://xlsform.org/en/), plus whole questionnaires. Each entry: sheets, and the problem code
the form must give (None: it imports). Built in memory with write_workbook; the real forms
written by others are files under corpus/ (see corpus/README.md).
"""

from pathlib import Path
from typing import Any

Sheets = dict[str, list[list[Any]]]

YES_NO = [["list_name", "name", "label"], ["yes_no", "yes", "Oui"], ["yes_no", "no", "Non"]]
FR, EN = "label::Français (fr)", "label::English (en)"


def _survey(*rows: list[Any], header: list[str] | None = None) -> list[list[Any]]:
    return [header or ["type", "name", "label"], *rows]


CORPUS: dict[str, tuple[Sheets, str | None]] = {
    "text": ({"survey": _survey(["text", "name", "Votre nom ?"])}, None),
    "integer": ({"survey": _survey(["integer", "age", "Âge ?"])}, None),
    "decimal": ({"survey": _survey(["decimal", "budget", "Budget (M€) ?"])}, None),
    "date": ({"survey": _survey(["date", "jour", "Date de création ?"])}, None),
    "time": ({"survey": _survey(["time", "heure", "Heure d'ouverture ?"])}, None),
    "datetime": ({"survey": _survey(["dateTime", "moment", "Date et heure ?"])}, None),
    "note": ({"survey": _survey(["note", "intro", "Merci de répondre."])}, None),
    "select_one": (
        {"survey": _survey(["select_one yes_no", "ok", "D'accord ?"]), "choices": YES_NO},
        None,
    ),
    "select_multiple": (
        {"survey": _survey(["select_multiple yes_no", "multi", "Plusieurs ?"]), "choices": YES_NO},
        None,
    ),
    "legacy select syntaxes": (
        {
            "survey": _survey(
                ["select one from yes_no", "a", "A ?"],
                ["select all that apply from yes_no", "b", "B ?"],
            ),
            "choices": YES_NO,
        },
        None,
    ),
    "or_other": (
        {"survey": _survey(["select_one yes_no or_other", "why", "Pourquoi ?"]), "choices": YES_NO},
        None,
    ),
    "or specify other": (
        {
            "survey": _survey(["select one from yes_no or specify other", "why", "Pourquoi ?"]),
            "choices": YES_NO,
        },
        None,
    ),
    "rank": ({"survey": _survey(["rank yes_no", "order", "Classez"]), "choices": YES_NO}, None),
    "range": (
        {
            "survey": _survey(
                ["range", "score", "Note ?", "start=0 end=8 step=1"],
                header=["type", "name", "label", "parameters"],
            )
        },
        None,
    ),
    "acknowledge": ({"survey": _survey(["acknowledge", "lu", "J'ai lu la notice."])}, None),
    "hidden": (
        {
            "survey": _survey(
                ["hidden", "source", None, "papier"], header=["type", "name", "label", "default"]
            )
        },
        None,
    ),
    "metadata": (
        {
            "survey": _survey(
                ["start", "start"],
                ["end", "end"],
                ["today", "today"],
                ["deviceid", "deviceid"],
                ["text", "q", "Q ?"],
            )
        },
        None,
    ),
    "calculate": (
        {
            "survey": _survey(
                ["integer", "a", "A"],
                ["calculate", "double", None, "${a} * 2"],
                ["note", "n", "Double : ${double}"],
                header=["type", "name", "label", "calculation"],
            )
        },
        None,
    ),
    "relevant": (
        {
            "survey": _survey(
                ["select_one yes_no", "has", "Avez-vous un site ?"],
                ["text", "url", "Adresse ?", "${has} = 'yes'"],
                header=["type", "name", "label", "relevant"],
            ),
            "choices": YES_NO,
        },
        None,
    ),
    "constraint": (
        {
            "survey": _survey(
                ["integer", "etp", "ETP ?", ". >= 0 and . <= 100", "Entre 0 et 100."],
                header=["type", "name", "label", "constraint", "constraint_message"],
            )
        },
        None,
    ),
    "required": (
        {
            "survey": _survey(
                ["text", "nom", "Nom ?", "yes", "Le nom est obligatoire."],
                header=["type", "name", "label", "required", "required_message"],
            )
        },
        None,
    ),
    "default": (
        {
            "survey": _survey(
                ["date", "jour", "Date ?", "today()"],
                ["integer", "n", "N ?", "3"],
                header=["type", "name", "label", "default"],
            )
        },
        None,
    ),
    "read_only": (
        {
            "survey": _survey(
                ["text", "code", "Code", "yes", "ABC"],
                header=["type", "name", "label", "read_only", "default"],
            )
        },
        None,
    ),
    "hint and guidance_hint": (
        {
            "survey": _survey(
                ["text", "q", "Q ?", "Une aide", "Pour l'enquêteur"],
                header=["type", "name", "label", "hint", "guidance_hint"],
            )
        },
        None,
    ),
    "group field-list": (
        {
            "survey": _survey(
                ["begin_group", "profil", "Profil", "field-list"],
                ["text", "nom", "Nom", None],
                ["integer", "age", "Âge", None],
                ["end_group", "profil", None, None],
                header=["type", "name", "label", "appearance"],
            )
        },
        None,
    ),
    "table-list grid": (
        {
            "survey": _survey(
                ["begin_group", "grille", "Grille", "table-list"],
                ["select_one yes_no", "a", "A", None],
                ["select_one yes_no", "b", "B", None],
                ["end_group", "grille", None, None],
                header=["type", "name", "label", "appearance"],
            ),
            "choices": YES_NO,
        },
        None,
    ),
    "appearances": (
        {
            "survey": _survey(
                ["select_one yes_no", "a", "A", "minimal"],
                ["select_one yes_no", "b", "B", "likert"],
                ["select_one yes_no", "c", "C", "horizontal"],
                ["text", "d", "D", "multiline"],
                header=["type", "name", "label", "appearance"],
            ),
            "choices": YES_NO,
        },
        None,
    ),
    "randomize": (
        {
            "survey": _survey(
                ["select_one yes_no", "a", "A", "randomize=true seed=42"],
                header=["type", "name", "label", "parameters"],
            ),
            "choices": YES_NO,
        },
        None,
    ),
    "repeat": (
        {
            "survey": _survey(
                ["begin_repeat", "fiche", "Dispositif"],
                ["text", "nom", "Nom"],
                ["end_repeat", "fiche", None],
            )
        },
        None,
    ),
    "repeat_count fixed": (
        {
            "survey": _survey(
                ["begin_repeat", "adjoint", "Adjoint", "3"],
                ["text", "nom", "Nom", None],
                ["end_repeat", "adjoint", None, None],
                header=["type", "name", "label", "repeat_count"],
            )
        },
        None,
    ),
    "repeat_count from an answer": (
        {
            "survey": _survey(
                ["integer", "n", "Combien ?", None],
                ["begin_repeat", "fiche", "Fiche", "${n}"],
                ["text", "nom", "Nom", None],
                ["end_repeat", "fiche", None, None],
                header=["type", "name", "label", "repeat_count"],
            )
        },
        None,
    ),
    "whole questionnaire: collectivité, counted schemes, two languages": (
        {
            "survey": [
                [
                    "type",
                    "name",
                    "label::Français (fr)",
                    "label:English (en)",
                    "choice_filter",
                    "repeat_count",
                    "relevant",
                    "appearance",
                    "required",
                ],
                [
                    "begin_group",
                    "lieu",
                    "Votre collectivité",
                    "Your local government",
                    None,
                    None,
                    None,
                    "field-list",
                    None,
                ],
                ["select_one region", "region", "Région", "Region", None, None, None, None, "yes"],
                [
                    "select_one dep",
                    "dep",
                    "Département",
                    "Département",
                    "region=${region}",
                    None,
                    None,
                    None,
                    "yes",
                ],
                ["end_group", "lieu", None, None, None, None, None, None, None],
                ["begin_group", "moyens", "Moyens", "Means", None, None, None, None, None],
                [
                    "integer",
                    "nb",
                    "Combien de dispositifs ?",
                    "How many schemes?",
                    None,
                    None,
                    None,
                    None,
                    "yes",
                ],
                [
                    "select_one yes_no or_other",
                    "site",
                    "Un site web ?",
                    "A website?",
                    None,
                    None,
                    None,
                    None,
                    None,
                ],
                ["end_group", "moyens", None, None, None, None, None, None, None],
                [
                    "begin_repeat",
                    "dispositif",
                    "Dispositif",
                    "Scheme",
                    None,
                    "${nb}",
                    "${nb} > 0",
                    None,
                    None,
                ],
                ["text", "d_nom", "Nom", "Name", None, None, None, None, "yes"],
                ["range", "d_note", "Note", "Score", None, None, None, None, None],
                ["end_repeat", "dispositif", None, None, None, None, None, None, None],
            ],
            "choices": [
                ["list_name", "name", "label::Français (fr)", "label::English (en)", "region"],
                ["yes_no", "yes", "Oui", "Yes", None],
                ["yes_no", "no", "Non", "No", None],
                ["region", "84", "Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes", None],
                ["region", "11", "Île-de-France", "Île-de-France", None],
                ["dep", "38", "Isère", "Isère", "84"],
                ["dep", "75", "Paris", "Paris", "11"],
            ],
            "settings": [
                ["form_title", "form_id", "version", "default_language"],
                ["Baromètre local", "barometre_local", "1", "Français (fr)"],
            ],
        },
        None,
    ),
    "choice_filter": (
        {
            "survey": _survey(
                ["select_one region", "region", "Région", None],
                ["select_one dep", "dep", "Département", "region=${region}"],
                header=["type", "name", "label", "choice_filter"],
            ),
            "choices": [
                ["list_name", "name", "label", "region"],
                ["region", "84", "Auvergne-Rhône-Alpes", None],
                ["region", "11", "Île-de-France", None],
                ["dep", "38", "Isère", "84"],
                ["dep", "75", "Paris", "11"],
            ],
        },
        None,
    ),
    "multilingual, both header syntaxes": (
        {
            "survey": [
                ["type", "name", "label:Français (fr)", "label:English (en)", "hint::English (en)"],
                ["select_one yes_no", "ok", "D'accord ?", "Agree?", "Pick one"],
            ],
            "choices": [
                ["list_name", "name", FR, EN],
                ["yes_no", "yes", "Oui", "Yes"],
                ["yes_no", "no", "Non", "No"],
            ],
            "settings": [["form_id", "default_language"], ["bilingue", "Français (fr)"]],
        },
        None,
    ),
    "kobo columns": (
        {
            "survey": [
                ["type", "name", "label", "$kuid", "$autoname", "tags"],
                ["text", "q", "Q ?", "a1b2", "q", "#loc"],
            ],
            "settings": [["form_id", "version", "instance_name"], ["kobo", "1", "concat(${q})"]],
        },
        None,
    ),
    "empty unused sheet": (
        {"survey": _survey(["text", "q", "Q ?"]), "choices": [], "notes": []},
        None,
    ),
    "geopoint": ({"survey": _survey(["geopoint", "lieu", "Où ?"])}, "impossible-type"),
    "geotrace": ({"survey": _survey(["geotrace", "trace", "Tracé ?"])}, "impossible-type"),
    "audio": ({"survey": _survey(["audio", "son", "Message ?"])}, "impossible-type"),
    "barcode": ({"survey": _survey(["barcode", "code", "Code ?"])}, "impossible-type"),
    "relevant cycle": (
        {
            "survey": _survey(
                ["text", "a", "A", "${b} != ''"],
                ["text", "b", "B", "${a} != ''"],
                header=["type", "name", "label", "relevant"],
            )
        },
        "cycle",
    ),
    "unknown column": (
        {"survey": _survey(["text", "q", "Q", "x"], header=["type", "name", "label", "constrain"])},
        "unknown-column",
    ),
    # Uploads, after the spec's `image` and `file` rows (xlsform.org, "Question types").
    "image and file uploads": (
        {
            "survey": _survey(
                ["image", "photo", "Une photo du dispositif ?"],
                ["file", "bilan", "Le bilan de la concertation (PDF) ?"],
            )
        },
        None,
    ),
    # The choices of a select from an attached CSV (xlsform.org, "Multiple choice from file"):
    # fruits.csv is pyxform's own example file (corpus/README.md), whose columns `name_key`
    # and `name` are named by the `value` and `label` parameters.
    "select_one_from_file": (
        {
            "survey": _survey(
                [
                    "select_one_from_file fruits.csv",
                    "fruit",
                    "Un fruit ?",
                    "value=name_key label=name",
                ],
                [
                    "select_multiple_from_file fruits.csv",
                    "fruits",
                    "Des fruits ?",
                    "value=name_key label=name",
                ],
                header=["type", "name", "label", "parameters"],
            )
        },
        None,
    ),
    # pulldata() over the same file (xlsform.org, "How to pull data from CSV").
    "pulldata": (
        {
            "survey": _survey(
                ["text", "cle", "Code du fruit ?", None],
                ["calculate", "fruit", None, "pulldata('fruits', 'name', 'name_key', ${cle})"],
                ["note", "vu", "Vous avez choisi : ${fruit}", None],
                header=["type", "name", "label", "calculation"],
            )
        },
        None,
    ),
    "select_one_from_file without its file": (
        {"survey": _survey(["select_one_from_file communes.csv", "commune", "Commune ?"])},
        "missing-attachment",
    ),
    "select_one_from_file from an XML file": (
        {"survey": _survey(["select_one_from_file communes.xml", "commune", "Commune ?"])},
        "missing-attachment",
    ),
}

# The files attached to corpus forms, by form (as import-form takes them beside the .xlsx).
FRUITS = Path(__file__).parent / "corpus" / "fruits.csv"
ATTACHMENTS: dict[str, dict[str, bytes]] = {
    "select_one_from_file": {"fruits.csv": FRUITS.read_bytes()},
    "pulldata": {"fruits.csv": FRUITS.read_bytes()},
}
