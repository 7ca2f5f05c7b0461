"""Corpus questionnaires answered in a real browser: with JavaScript disabled (the pages must
work as plain HTML forms, uploads included), and the cascading choices updated in place with
JavaScript. The corpus is observatoire/lib/tests/xlsform_corpus.py."""

import pytest
from playwright.sync_api import expect

from observatoire.barometer.models import Response, ResponseFile
from observatoire.barometer.services import import_questionnaire
from observatoire.barometer.tests import factory
from observatoire.lib.tests.xlsform_corpus import ATTACHMENTS, CORPUS
from observatoire.lib.xlsform import evaluate
from observatoire.lib.xlsform.writer import write_workbook

CONTINUE = "Enregistrer et continuer"
# A representative subset (the whole corpus goes through the test client in
# barometer/tests/test_xlsform_pages.py): whole questionnaires, cascades, repeats, uploads,
# files, the new widgets.
SUBSET = [
    "whole questionnaire: collectivité, counted schemes, two languages",
    "choice_filter",
    "repeat_count from an answer",
    "image and file uploads",
    "select_one_from_file",
    "pulldata",
    "range",
    "table-list grid",
]


def _edition_with(name, sheets=None):
    sheets = sheets or CORPUS[name][0]
    region = factory.region()
    grenoble = factory.territory("commune", "38185", "Grenoble", 158_000, region=region)
    edition = factory.edition(2018, frame=factory.frame(2018, [grenoble, region]))
    questionnaire = import_questionnaire(
        edition=edition,
        source=write_workbook(sheets),
        filename="corpus.xlsx",
        attachments=ATTACHMENTS.get(name),
    )
    invitation = factory.invitation(edition, grenoble, "bob@mairie.test", "Bob Martin")
    return edition, questionnaire.form, f"/barometre/repondre/{factory.link(invitation)}/"


@pytest.fixture
def page_without_js(browser, live_server):
    """A French page with JavaScript disabled; nothing but the live server is reachable.
    (axe-core needs JavaScript: the same templates are checked by the other browser tests.)"""
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    context.set_default_timeout(15_000)
    external = []

    def guard(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    yield context.new_page()
    context.close()
    assert not external


@pytest.mark.parametrize("name", SUBSET)
def test_corpus_form_is_answered_without_javascript(page_without_js, name, tmp_path, settings):
    settings.BAROMETER_UPLOADS_ROOT = tmp_path
    page = page_without_js
    edition, form, link = _edition_with(name)
    for page_name in evaluate(form, {}).visible_pages:
        page.goto(f"{link}page/{page_name}/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        for file_input in page.locator('input[type="file"]').all():
            file_input.set_input_files(
                {"name": "plan.txt", "mimeType": "text/plain", "buffer": b"Plan du site\n"}
            )
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name=CONTINUE).click()
        # The next page, the summary, or this page with its errors: never a server error.
        assert navigation.value is not None and navigation.value.status < 500, page_name
    response = Response.objects.get(edition=edition)
    assert response.saves.exists()
    if name == "image and file uploads":
        # The image question refuses a text file (by content); the file question takes it.
        assert list(ResponseFile.objects.values_list("key", flat=True)) == ["bilan"]
        assert response.answers["bilan"] == "plan.txt"


def test_cascading_choices_update_in_place_with_javascript(page, check_a11y):
    sheets = CORPUS["choice_filter"][0]
    survey = [
        sheets["survey"][0],
        ["begin_group", "lieu", "Où ?", None],
        *sheets["survey"][1:],
        ["end_group", "lieu", None, None],
    ]
    edition, _form, link = _edition_with("", {**sheets, "survey": survey})
    page.goto(f"{link}page/lieu/")
    expect(page.get_by_text("Aucun choix ne correspond")).to_be_visible()
    # The script hides the button (it does the button's work) and keeps the page accessible.
    expect(page.get_by_role("button", name="Actualiser les choix")).to_be_hidden()
    check_a11y(page)
    page.get_by_label("Île-de-France").check()
    # The filtered question now offers the choices of the answer given, without a click.
    expect(page.get_by_label("Paris")).to_be_visible()
    expect(page.get_by_label("Isère")).to_have_count(0)
    page.get_by_label("Auvergne-Rhône-Alpes").check()
    expect(page.get_by_label("Isère")).to_be_visible()
    page.get_by_label("Isère").check()
    page.get_by_role("button", name=CONTINUE).click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Où ?")
    assert Response.objects.get(edition=edition).answers == {"region": "84", "dep": "38"}
