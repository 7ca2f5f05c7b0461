"""Relevance, requirement, constraints and calculations decided by one XPath evaluator."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from observatoire.lib.xlsform import (
    Form,
    drop_non_relevant,
    evaluate,
    parse_xlsform,
    render_text,
    validate,
)
from observatoire.lib.xlsform.demo import build_demo
from observatoire.lib.xlsform.writer import write_workbook

FR, EN = "Français (fr)", "English (en)"
TODAY = dt.date(2018, 11, 1)
HEADER: list[Any] = [
    "type",
    "name",
    f"label::{FR}",
    f"label::{EN}",
    "required",
    f"required_message::{FR}",
    f"required_message::{EN}",
    "relevant",
    "constraint",
    f"constraint_message::{FR}",
    f"constraint_message::{EN}",
    "default",
    "calculation",
]


def row(kind: str, name: str, label: str = "", **columns: str) -> list[Any]:
    cells = {"type": kind, "name": name, f"label::{FR}": label, f"label::{EN}": label}
    if kind == "calculate" or kind.startswith("end_"):
        cells = {"type": kind, "name": name}
    for key, value in columns.items():
        base, _, lang = key.rpartition("_")
        if lang in ("fr", "en"):
            key = f"{base}::{FR if lang == 'fr' else EN}"
        cells[key] = value
    return [cells.get(column) for column in HEADER]


CHOICES: list[list[Any]] = [
    ["list_name", "name", f"label::{FR}", f"label::{EN}"],
    ["kinds", "commune", "Commune", "Municipality"],
    ["kinds", "region", "Région", "Region"],
    ["kinds", "autre", "Autre", "Other"],
    ["outils", "site", "Site web", "Website"],
    ["outils", "reseaux", "Réseaux sociaux", "Social networks"],
    ["outils", "aucun", "Aucun", "None"],
    ["outils", "autre", "Autre", "Other"],
    ["oui_non", "oui", "Oui", "Yes"],
    ["oui_non", "non", "Non", "No"],
]
SETTINGS: list[list[Any]] = [["form_id", "version", "default_language"], ["essai", "1", FR]]

SURVEY: list[list[Any]] = [
    row("begin_group", "profil", "Profil"),
    row("select_one kinds", "kind", "Type", required="yes"),
    row("text", "kind_autre", "Précisez", relevant="selected(${kind}, 'autre')", required="yes"),
    row(
        "integer",
        "habitants",
        "Habitants",
        relevant="${kind} = 'commune'",
        constraint=". > 0",
        constraint_message_fr="Au moins un habitant.",
        constraint_message_en="At least one inhabitant.",
    ),
    row("calculate", "grande", calculation="if(${habitants} >= 100000, 'oui', 'non')"),
    row("text", "grande_detail", "Arrondissements ?", relevant="${grande} = 'oui'"),
    row("end_group", "profil"),
    row("begin_group", "usages", "Usages"),
    row(
        "select_multiple outils",
        "outils",
        "Outils",
        required="yes",
        required_message_fr="Choisissez au moins un outil.",
        required_message_en="Choose at least one tool.",
        constraint="not(selected(., 'aucun') and count-selected(.) > 1)",
    ),
    row("text", "outils_autre", "Autre outil", relevant="selected(${outils}, 'autre')"),
    row(
        "decimal",
        "etp",
        "ETP",
        default="1",
        constraint=". >= 0 and . <= 10",
        constraint_message_fr="Entre 0 et 10.",
        constraint_message_en="Between 0 and 10.",
    ),
    row("date", "lancement", "Lancement", constraint=". <= today()"),
    row("integer", "score", "Score", required="${etp} > 2"),
    row("end_group", "usages"),
    row("begin_repeat", "fiche", "Fiche", relevant="not(selected(${outils}, 'aucun'))"),
    row("text", "nom", "Nom", required="yes"),
    row("select_one oui_non", "actif", "Actif ?", default="oui"),
    row("date", "debut", "Début"),
    row("date", "fin", "Fin", relevant="${actif} = 'non'", constraint=". >= ${debut}"),
    row("integer", "participants", "Participants"),
    row("integer", "contributions", "Contributions", constraint=". <= ${participants} * 100"),
    row("calculate", "numero", calculation="position(..)"),
    row(
        "calculate",
        "ratio",
        calculation="if(${participants} > 0, ${contributions} div ${participants}, '')",
    ),
    row("text", "detail", "Détail", relevant="current()/../participants > 10"),
    row("end_repeat", "fiche"),
    row("calculate", "total_participants", calculation="sum(${participants})"),
    row("calculate", "nb_fiches", calculation="count(${fiche})"),
    row("date", "date_reponse", "Date de réponse", default="today()"),
    row("note", "merci", "Merci ${kind}"),
]


@pytest.fixture(scope="module")
def form() -> Form:
    return parse_xlsform(
        write_workbook({"survey": [HEADER, *SURVEY], "choices": CHOICES, "settings": SETTINGS})
    )


BASE: dict[str, Any] = {"kind": "region", "outils": ["site"]}


def check(form: Form, answers: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    return validate(form, answers, today=TODAY, **kwargs)


# --- Relevance --------------------------------------------------------------------------------


def test_other_please_specify_is_shown_and_required_only_when_other_is_chosen(form: Form) -> None:
    assert not evaluate(form, BASE).is_relevant("kind_autre")
    assert "kind_autre" not in check(form, BASE)
    other = {**BASE, "kind": "autre"}
    assert evaluate(form, other).is_relevant("kind_autre")
    assert check(form, other)["kind_autre"] == "Cette question est obligatoire."
    assert "kind_autre" not in check(form, {**other, "kind_autre": "Syndicat mixte"})


def test_answer_to_a_question_no_longer_relevant_is_ignored_and_reported(form: Form) -> None:
    answers = {**BASE, "kind_autre": "ancien texte", "habitants": "abc"}
    evaluation = evaluate(form, answers)
    assert evaluation.non_relevant_answers == ["kind_autre", "habitants"]
    assert check(form, answers) == {}
    cleaned = drop_non_relevant(answers, evaluation)
    assert cleaned == BASE
    assert answers["kind_autre"] == "ancien texte"  # the caller's dict is left alone


def test_relevance_can_depend_on_a_calculation(form: Form) -> None:
    small = evaluate(form, {**BASE, "kind": "commune", "habitants": 5000})
    assert small.values["grande"] == "non"
    assert not small.is_relevant("grande_detail")
    big = evaluate(form, {**BASE, "kind": "commune", "habitants": "150000"})
    assert big.values["grande"] == "oui"
    assert big.is_relevant("grande_detail")
    # The calculation sees a blank when its source is not relevant.
    region = evaluate(form, {**BASE, "habitants": 150000})
    assert region.values["grande"] == "non"


def test_pages_follow_group_relevance(form: Form) -> None:
    evaluation = evaluate(form, {**BASE, "outils": ["aucun"]})
    assert evaluation.pages["profil"] is True
    assert evaluation.pages["fiche"] is False
    assert "fiche" not in evaluation.visible_pages
    # A lone top-level calculation is a page that shows nothing.
    assert "total_participants" not in evaluation.visible_pages
    assert "date_reponse" in evaluation.visible_pages


def test_relative_references_inside_a_repeat_see_their_own_instance(form: Form) -> None:
    answers = {
        **BASE,
        "fiche": [
            {
                "nom": "Budget participatif",
                "actif": "non",
                "participants": 200,
                "contributions": 450,
            },
            {"nom": "Carte", "participants": 4, "contributions": 2},
        ],
    }
    evaluation = evaluate(form, answers, today=TODAY)
    assert evaluation.is_relevant("fiche[1]/fin")
    assert not evaluation.is_relevant("fiche[2]/fin")  # default "oui" applies
    assert evaluation.is_relevant("fiche[1]/detail")  # current()/../participants > 10
    assert not evaluation.is_relevant("fiche[2]/detail")
    assert evaluation.values["fiche[1]/numero"] == "1"
    assert evaluation.values["fiche[2]/numero"] == "2"
    assert evaluation.values["fiche[1]/ratio"] == "2.25"
    assert evaluation.values["fiche[2]/ratio"] == "0.5"
    assert evaluation.values["total_participants"] == "204"
    assert evaluation.values["nb_fiches"] == "2"


def test_a_repeat_that_is_not_relevant_hides_all_its_instances(form: Form) -> None:
    answers = {**BASE, "outils": ["aucun"], "fiche": [{"nom": "Vieux"}, {}]}
    evaluation = evaluate(form, answers)
    assert not evaluation.is_relevant("fiche[1]/nom")
    assert evaluation.non_relevant_answers == ["fiche"]
    assert "fiche[1]/nom" not in check(form, answers)
    assert "fiche" not in drop_non_relevant(answers, evaluation)


def test_a_non_relevant_repeat_instance_is_emptied_but_keeps_the_numbering() -> None:
    survey = [
        HEADER,
        row("begin_repeat", "fiche", "Fiche", relevant="${nom} != 'x'"),
        row("text", "nom", "Nom"),
        row("text", "note_libre", "Note"),
        row("end_repeat", "fiche"),
    ]
    data = write_workbook({"survey": survey, "choices": CHOICES, "settings": SETTINGS})
    form = parse_xlsform(data)
    answers = {"fiche": [{"nom": "x", "note_libre": "a"}, {"nom": "y", "note_libre": "b"}]}
    evaluation = evaluate(form, answers)
    assert evaluation.is_relevant("fiche")
    assert [evaluation.is_relevant(f"fiche[{i}]") for i in (1, 2)] == [False, True]
    assert evaluation.non_relevant_answers == ["fiche[1]"]
    assert drop_non_relevant(answers, evaluation) == {"fiche": [{}, answers["fiche"][1]]}


# --- Validation -------------------------------------------------------------------------------


def test_required_uses_the_form_message_in_the_requested_language(form: Form) -> None:
    answers = {"kind": "region"}
    assert check(form, answers)["outils"] == "Choisissez au moins un outil."
    assert check(form, answers, language="en")["outils"] == "Choose at least one tool."
    assert check(form, {})["kind"] == "Cette question est obligatoire."
    assert check(form, {}, language="en")["kind"] == "This question is required."


def test_required_can_be_an_expression(form: Form) -> None:
    assert "score" not in check(form, {**BASE, "etp": 2})
    assert check(form, {**BASE, "etp": 3})["score"] == "Cette question est obligatoire."
    assert evaluate(form, {**BASE, "etp": 3}).required["score"] is True


def test_constraints_with_their_messages(form: Form) -> None:
    assert check(form, {**BASE, "etp": 12})["etp"] == "Entre 0 et 10."
    assert check(form, {**BASE, "etp": "12,5"}, language="en")["etp"] == "Between 0 and 10."
    assert "etp" not in check(form, {**BASE, "etp": "0,5"})
    exclusive = check(form, {**BASE, "outils": ["aucun", "site"]})
    assert exclusive["outils"] == "Réponse invalide."
    repeat = {**BASE, "fiche": [{"nom": "A", "participants": 1, "contributions": 101}]}
    assert check(form, repeat, language="en") == {"fiche[1]/contributions": "Invalid answer."}


def test_date_constraints_compare_dates(form: Form) -> None:
    assert check(form, {**BASE, "lancement": "2030-01-01"})["lancement"] == "Réponse invalide."
    assert "lancement" not in check(form, {**BASE, "lancement": dt.date(2018, 1, 1)})
    late = {"nom": "A", "actif": "non", "debut": "2018-03-01", "fin": "2018-01-01"}
    assert "fiche[1]/fin" in check(form, {**BASE, "fiche": [late]})
    assert check(form, {**BASE, "fiche": [{**late, "fin": "2018-06-30"}]}) == {}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("habitants", "douze", "Veuillez saisir un nombre entier."),
        ("habitants", 12.5, "Veuillez saisir un nombre entier."),
        ("etp", "un", "Veuillez saisir un nombre."),
        ("lancement", "2018-13-01", "Veuillez saisir une date valide (AAAA-MM-JJ)."),
        ("lancement", "01/02/2018", "Veuillez saisir une date valide (AAAA-MM-JJ)."),
        ("outils", ["site", "fax"], "Choix inconnu : fax."),
        ("kind", ["commune", "region"], "Une seule réponse est possible."),
    ],
)
def test_answers_of_the_wrong_type_are_rejected(
    form: Form, name: str, value: object, message: str
) -> None:
    answers = {"kind": "commune", "outils": ["site"], name: value}
    assert check(form, answers)[name] == message


def test_well_typed_answers_pass(form: Form) -> None:
    answers = {
        "kind": "commune",
        "habitants": "12\u202f000",
        "outils": "site reseaux",
        "etp": 1.5,
        "lancement": "2018-02-01",
    }
    assert check(form, answers) == {}


def test_rank_answers_are_distinct_choices_in_order() -> None:
    survey = [HEADER, row("rank outils", "priorites", "Classez les outils")]
    data = write_workbook({"survey": survey, "choices": CHOICES, "settings": SETTINGS})
    form = parse_xlsform(data)
    assert form.question("priorites").type == "rank"
    assert validate(form, {"priorites": ["reseaux", "site"]}) == {}
    assert validate(form, {"priorites": ["site", "site"]}) == {
        "priorites": "Le choix site est donné plusieurs fois."
    }


def test_validation_can_be_limited_to_one_page(form: Form) -> None:
    errors = check(form, {"outils": ["aucun", "site"]}, page="profil")
    assert errors == {"kind": "Cette question est obligatoire."}


# --- Defaults, languages, storage ---------------------------------------------------------------


def test_static_and_dynamic_defaults(form: Form) -> None:
    assert form.initial_answers() == {"etp": "1"}
    evaluation = evaluate(form, {**BASE, "fiche": [{"nom": "A"}]}, today=TODAY)
    assert evaluation.values["date_reponse"] == "2018-11-01"
    assert not evaluation.is_relevant("fiche[1]/fin")  # actif defaults to "oui"
    # An explicit empty answer is not replaced by the default.
    cleared = evaluate(form, {**BASE, "fiche": [{"nom": "A", "actif": ""}]})
    assert not cleared.is_relevant("fiche[1]/fin")
    answered = evaluate(form, {**BASE, "date_reponse": "2018-10-15"}, today=TODAY)
    assert "date_reponse" not in answered.values


def test_labels_show_current_values_from_the_same_repeat_instance(form: Form) -> None:
    answers = {
        **BASE,
        "kind": "commune",
        "fiche": [{"nom": "A", "participants": 4, "contributions": 2}],
    }
    evaluation = evaluate(form, answers)
    merci = form.question("merci")
    assert render_text(form, merci.label, key="merci", answers=answers, evaluation=evaluation) == (
        "Merci commune"
    )
    demo = parse_xlsform(build_demo.path_for(2018))
    demo_answers = {
        "dispositifs": ["budget_participatif"],
        "fiche_dispositif": [{"fd_participants": 4, "fd_contributions": 2}],
    }
    ratio = demo.question("fd_ratio")
    text = render_text(
        demo,
        ratio.label,
        key="fiche_dispositif[1]/fd_ratio",
        answers=demo_answers,
        evaluation=evaluate(demo, demo_answers),
        language="en",
    )
    assert text == "That is 0.5 contribution(s) per participant."


def test_multilingual_labels_fall_back_to_the_default_language(form: Form) -> None:
    question = form.question("kind")
    assert form.text(question.label, "en") == "Type"
    assert form.text(question.choices[0].label, "en") == "Municipality"
    assert form.text(question.choices[0].label) == "Commune"
    assert form.text(question.choices[0].label, "de") == "Commune"
    assert form.resolve_language("en") == EN


def test_evaluation_is_the_same_on_a_form_restored_from_json(form: Form) -> None:
    answers = {**BASE, "kind": "autre", "fiche": [{"nom": "A", "participants": 20}]}
    restored = Form.from_dict(form.to_dict())
    assert evaluate(restored, answers, today=TODAY) == evaluate(form, answers, today=TODAY)
    assert check(restored, answers) == check(form, answers)


# --- XPath semantics ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def calculator() -> Callable[[str], str]:
    """A form whose calculation `c` is set per test, over n=5, t='abc', m='site autre'."""

    def run(expression: str) -> str:
        survey = [
            HEADER,
            row("integer", "n", "N"),
            row("text", "t", "T"),
            row("select_multiple outils", "m", "M"),
            row("calculate", "c", calculation=expression),
        ]
        data = write_workbook({"survey": survey, "choices": CHOICES, "settings": SETTINGS})
        answers = {"n": "5", "t": "abc", "m": ["site", "autre"]}
        return evaluate(parse_xlsform(data), answers, today=TODAY).values["c"]

    return run


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("${n} = 5", "true"),
        ("${n} = '5'", "true"),
        ("${n} != 5", "false"),
        ("${n} > 4 and ${n} <= 5", "true"),
        ("${t} = 'abc' or false()", "true"),
        ("${n} + 2 * 3", "11"),
        ("${n} div 2", "2.5"),
        ("${n} mod 2", "1"),
        ("-${n}", "-5"),
        ("if(${n} > 3, 'grand', 'petit')", "grand"),
        ("coalesce('', ${t})", "abc"),
        ("int(7.9)", "7"),
        ("int(-7.9)", "-7"),
        ("round(2.5)", "3"),
        ("round(3.14159, 2)", "3.14"),
        ("number('douze')", ""),
        ("string-length(${t})", "3"),
        ("count-selected(${m})", "2"),
        ("selected-at(${m}, 1)", "autre"),
        ("selected(${m}, 'autre')", "true"),
        ("not(selected(${m}, 'aucun'))", "true"),
        ("regex(${t}, '^[a-c]+$')", "true"),
        ("regex(${t}, '^[0-9]+$')", "false"),
        ("concat(${t}, '-', ${n})", "abc-5"),
        ("substr(${t}, 1, 2)", "b"),
        ("today()", "2018-11-01"),
        ("'2018-01-01' < today()", "true"),
        ("date(decimal-date-time(today()) + 30)", "2018-12-01"),
        ("format-date(today(), '%d/%m/%Y')", "01/11/2018"),
        ("max(${n}, 7, 2)", "7"),
        ("boolean-from-string('1')", "true"),
        ("pow(2, 10)", "1024"),
        ("contains(${t}, 'b')", "true"),
        ("translate(${t}, 'abc', 'ABC')", "ABC"),
    ],
)
def test_expression_semantics(
    calculator: Callable[[str], str], expression: str, expected: Any
) -> None:
    assert calculator(expression) == expected


def test_a_run_time_expression_failure_is_logged_and_fails_the_constraint(
    caplog: pytest.LogCaptureFixture,
) -> None:
    survey = [
        HEADER,
        row("text", "motif", "Motif"),
        row("text", "code", "Code", constraint="regex(., ${motif})"),
    ]
    data = write_workbook({"survey": survey, "choices": CHOICES, "settings": SETTINGS})
    form = parse_xlsform(data)
    answers = {"motif": "[", "code": "x"}
    assert validate(form, answers) == {"code": "Réponse invalide."}
    assert "invalid regular expression" in caplog.text
    assert validate(form, {"motif": "^x$", "code": "x"}) == {}


# --- The demo barometer -----------------------------------------------------------------------


def test_demo_barometer_answers_are_checked_end_to_end() -> None:
    form = parse_xlsform(build_demo.path_for(2018))
    answers = {
        "nom_collectivite": "Métropole de Lyon",
        "type_collectivite": "metropole",
        "fonction": "agent_numerique",
        "dispositifs": ["budget_participatif", "autre"],
        "dispositifs_autre": "Conseil citoyen en ligne",
        "accompagnement": ["non", "startups"],
        "etp": "1,5",
        "budget": "50k_100k",
        "besoin_budgets": 9,
        "besoin_formation": 8,
        "consentement_publication": "oui",
        "courriel": "pas-une-adresse",
        "fiche_dispositif": [
            {
                "fd_nom": "Budget participatif",
                "fd_type": "budget_participatif",
                "fd_participants": 200,
                "fd_contributions": 450,
            },
        ],
    }
    errors = validate(form, answers, today=TODAY, language="en")
    assert errors == {
        "accompagnement": "This answer cannot be combined with another one.",
        "besoin_budgets": "Give a whole score from 0 to 8.",
        "courriel": "Invalid e-mail address.",
    }
    evaluation = evaluate(form, answers, today=TODAY)
    assert evaluation.values["fiche_dispositif[1]/fd_contributions_par_participant"] == "2.3"
    assert evaluation.is_relevant("fiche_dispositif[1]/fd_ratio")
    assert evaluation.pages["objectifs"] is True
    without_schemes = evaluate(form, {**answers, "dispositifs": ["aucun"]})
    assert without_schemes.pages["objectifs"] is False
    assert without_schemes.pages["fiche_dispositif"] is False
