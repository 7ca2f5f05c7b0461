"""The respondent's journey through the personal link, with the demo 2018 questionnaire."""

import json

import pytest
from django.urls import reverse
from django.utils import translation

from ..models import PageSave, Response

PROFILE = {
    "nom_collectivite": "Ville de Grenoble",
    "type_collectivite": "commune",
    "fonction": "elu",
}


def page_url(token, page, language=None):
    with translation.override("fr"):  # a request under /en/ leaves English active
        url = reverse("barometer:respond-page", kwargs={"token": token, "page": page})
    return f"/{language}{url}" if language else url


def shown(response):
    return response.context["shown"]


def filled_in(blocks):
    """What a browser posts for these blocks when nobody touches them."""
    data = {}
    for block in blocks:
        if block.kind == "field":
            value = block.field.value
            if block.field.widget == "rank":
                for option in block.field.options:
                    data[f"{block.key}::{option.value}"] = option.position
            elif value is not None:
                data[block.key] = value if isinstance(value, list) else str(value)
        elif block.kind in ("group", "grid"):
            data.update(filled_in(block.blocks))
        elif block.kind == "repeat":
            for instance in block.instances:
                data.update(filled_in(instance.blocks))
    return data


def post_page(client, token, page, data, action="next", url=None):
    """Open the page as a browser would and post its form back, changed by `data`."""
    url = url or page_url(token, page)
    opened = client.get(url)
    assert opened.status_code == 200, opened.content[:500]
    form = {
        "version": opened.context["response"].version,
        "base": opened.context["base"],
        "_shown": opened.context["shown"],
        "action": action,
        **filled_in(opened.context["blocks"]),
    }
    for name, count in opened.context["repeat_counts"]:
        form[name] = count
    form.update(data)
    return client.post(url, {k: v for k, v in form.items() if v is not None})


@pytest.fixture
def bob_response(edition, grenoble):
    return lambda: Response.objects.get(edition=edition, territory=grenoble)


def test_personal_link_opens_the_territorys_response(client, bob_link, bob_response):
    page = client.get(reverse("barometer:respond", kwargs={"token": bob_link}))
    assert page.status_code == 200
    assert "Grenoble" in page.content.decode()
    assert "Bob Martin" in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    assert "no-store" in page["Cache-Control"]
    assert bob_response().answers == {}


def test_answers_are_saved_at_every_page_change(client, bob_link, bob_response, bob_invitation):
    answer = post_page(client, bob_link, "profil", {**PROFILE, "fonction": "direction_generale"})
    assert answer.status_code == 302
    assert answer["Location"] == page_url(bob_link, "dispositifs_page")
    response = bob_response()
    assert response.answers == {**PROFILE, "fonction": "direction_generale"}
    assert response.version == 2
    save = PageSave.objects.get(response=response)
    assert (save.page, save.contact, save.channel) == ("profil", bob_invitation.contact, "web")


def test_required_questions_are_reported_at_the_top_and_at_the_field(
    client, bob_link, bob_response
):
    answer = post_page(client, bob_link, "profil", {"type_collectivite": "commune"})
    html = answer.content.decode()
    assert answer.status_code == 200
    assert 'class="error-summary"' in html
    assert html.count("Cette question est obligatoire.") == 4  # summary + field, twice
    assert 'aria-invalid="true"' in html
    # What was typed is kept even though the page is not complete.
    assert bob_response().answers == {"type_collectivite": "commune"}


def test_an_answer_that_reveals_a_question_keeps_the_person_on_the_page(client, bob_link):
    first = client.get(page_url(bob_link, "profil"))
    assert "type_collectivite_autre" not in shown(first)
    answer = post_page(client, bob_link, "profil", {**PROFILE, "type_collectivite": "autre"})
    assert answer.status_code == 200
    assert "type_collectivite_autre" in shown(answer)
    assert "nouvelles questions" in answer.content.decode()


def test_a_page_made_irrelevant_is_skipped(client, bob_link):
    post_page(client, bob_link, "dispositifs_page", {"dispositifs": ["aucun"]})
    answer = post_page(client, bob_link, "contributions", {})
    assert answer["Location"] == page_url(bob_link, "information")


def test_constraint_message_comes_from_the_form(client, bob_link):
    answer = post_page(client, bob_link, "moyens", {"etp": "900"})
    assert "Saisissez un nombre d&#x27;ETP entre 0 et 500." in answer.content.decode()


def test_fiche_dispositif_entries_are_added_filled_and_removed(client, bob_link, bob_response):
    post_page(client, bob_link, "dispositifs_page", {"dispositifs": ["budget_participatif"]})
    added = post_page(client, bob_link, "fiche_dispositif", {}, action="add:fiche_dispositif")
    assert added.status_code == 302 and added["Location"].endswith("#q-fiche_dispositif-1")
    assert bob_response().answers["fiche_dispositif"] == [{}]
    post_page(client, bob_link, "fiche_dispositif", {}, action="add:fiche_dispositif")
    filled = post_page(
        client,
        bob_link,
        "fiche_dispositif",
        {
            "fiche_dispositif[1]/fd_nom": "Budget participatif 2018",
            "fiche_dispositif[1]/fd_type": "budget_participatif",
            "fiche_dispositif[1]/fd_participants": "200",
            "fiche_dispositif[1]/fd_contributions": "50",
            "fiche_dispositif[2]/fd_nom": "Carte",
            "fiche_dispositif[2]/fd_type": "cartographie",
            "fiche_dispositif[2]/fd_etp": "300",
        },
    )
    assert filled.status_code == 200  # fd_etp of the second entry breaks its constraint
    assert "fiche_dispositif[2]/fd_etp" in {k: m for k, m, _id in filled.context["errors"]}
    fiches = bob_response().answers["fiche_dispositif"]
    assert fiches[0]["fd_participants"] == 200 and fiches[1]["fd_nom"] == "Carte"
    # The calculated ratio is shown in the note of the first entry.
    again = client.get(page_url(bob_link, "fiche_dispositif"))
    assert "Soit 0.3 contribution(s) par participant." in again.content.decode()
    removed = post_page(
        client, bob_link, "fiche_dispositif", {}, action="remove:fiche_dispositif:1"
    )
    assert removed.status_code == 302
    assert [f["fd_nom"] for f in bob_response().answers["fiche_dispositif"]] == ["Carte"]


def test_pages_are_in_english_under_en(client, bob_link):
    page = client.get(page_url(bob_link, "profil", "en"))
    html = page.content.decode()
    assert "Name of the local government" in html and "Save and continue" in html
    assert 'lang="en"' in html and "Step 2 of" in html
    answer = post_page(client, bob_link, "profil", {}, url=page_url(bob_link, "profil", "en"))
    assert "This question is required." in answer.content.decode()
    assert "answers to correct" in answer.content.decode()
    assert json.loads(page.context["base"]) == {
        "nom_collectivite": None,
        "type_collectivite": None,
        "type_collectivite_autre": None,
        "fonction": None,
        "fonction_autre": None,
    }


def complete(client, token):
    """Answer every required question of the demo form, page by page."""
    post_page(client, token, "profil", PROFILE)
    post_page(client, token, "dispositifs_page", {"dispositifs": ["aucun"]})
    return post_page(client, token, "fin", {"consentement_publication": "non"})


def summary_url(token):
    return reverse("barometer:respond-summary", kwargs={"token": token})


def test_summary_lists_what_is_missing_and_offers_no_submit(client, bob_link):
    post_page(client, bob_link, "profil", PROFILE)
    summary = client.get(summary_url(bob_link))
    html = summary.content.decode()
    assert "Ville de Grenoble" in html
    assert "Envoyer la réponse" not in html
    links = [url for url, _label, _message in summary.context["errors"]]
    assert page_url(bob_link, "dispositifs_page") + "#q-dispositifs" in links
    assert page_url(bob_link, "fin") + "#q-consentement_publication" in links


def test_submitting_checks_everything_and_records_consent(client, bob_link, bob_response):
    complete(client, bob_link)
    post_page(client, bob_link, "moyens", {"etp": "1,5"})
    assert bob_response().answers["etp"] == 1.5
    response = bob_response()
    sent = client.post(summary_url(bob_link), {"version": response.version})
    assert sent.status_code == 302
    assert sent["Location"] == reverse("barometer:respond-done", kwargs={"token": bob_link})
    response = bob_response()
    assert response.is_submitted and response.consent_to_name is False
    assert not Response.objects.nameable().exists()
    done = client.get(sent["Location"])
    assert "Copie de vos réponses" in done.content.decode()
    assert "ne sera pas nommée" in done.content.decode()
    comparison = reverse("barometer_results:benchmark", args=[bob_link])
    assert f'<a href="{comparison}">Comparer vos réponses' in done.content.decode()


def test_non_relevant_answers_are_dropped_on_submission(client, bob_link, bob_response):
    post_page(client, bob_link, "dispositifs_page", {"dispositifs": ["budget_participatif"]})
    post_page(client, bob_link, "fiche_dispositif", {}, action="add:fiche_dispositif")
    post_page(
        client,
        bob_link,
        "fiche_dispositif",
        {"fiche_dispositif[1]/fd_nom": "BP", "fiche_dispositif[1]/fd_type": "budget_participatif"},
    )
    complete(client, bob_link)  # now "aucun": the fiches are no longer relevant
    assert bob_response().answers["fiche_dispositif"][0]["fd_nom"] == "BP"
    client.post(summary_url(bob_link), {"version": bob_response().version})
    assert bob_response().answers.get("fiche_dispositif") in (None, [{}])


def test_a_submitted_response_stays_editable_but_only_with_valid_pages(
    client, bob_link, bob_response
):
    complete(client, bob_link)
    client.post(summary_url(bob_link), {"version": bob_response().version})
    cleared = post_page(client, bob_link, "profil", {"nom_collectivite": ""})
    assert cleared.status_code == 200
    assert "Cette question est obligatoire." in cleared.content.decode()
    assert bob_response().answers["nom_collectivite"] == "Ville de Grenoble"
    renamed = post_page(client, bob_link, "profil", {"nom_collectivite": "Grenoble"})
    assert renamed.status_code == 302
    assert bob_response().answers["nom_collectivite"] == "Grenoble"
    assert bob_response().is_submitted


def test_a_locked_response_is_read_only(client, bob_link, bob_response, alice):
    from ..services import lock_response

    complete(client, bob_link)
    lock_response(response=bob_response(), by=alice)
    version = bob_response().version
    page = client.get(page_url(bob_link, "profil"))
    assert page.context["journey"].read_only
    client.post(page_url(bob_link, "profil"), {"version": version, "nom_collectivite": "X"})
    assert bob_response().answers["nom_collectivite"] == "Ville de Grenoble"
    assert bob_response().version == version


def test_saving_to_finish_later_then_resuming_from_another_device(client, bob_link, bob_invitation):
    answer = post_page(client, bob_link, "profil", PROFILE, action="save")
    assert answer["Location"] == reverse("barometer:respond-saved", kwargs={"token": bob_link})
    # Another device, the link from a reminder.
    from django.test import Client

    from .factory import link

    other = Client().get(reverse("barometer:respond", kwargs={"token": link(bob_invitation)}))
    assert other.context["resuming"]
    assert other.context["resume_url"].endswith("/page/profil/")


def test_colleagues_share_one_response(client, bob_link, eve_invitation, bob_response):
    from django.test import Client

    from .factory import link

    post_page(client, bob_link, "profil", PROFILE)
    eve = Client()
    eve_link = link(eve_invitation)
    post_page(eve, eve_link, "moyens", {"etp": "2"})
    response = bob_response()
    assert (
        response.answers["nom_collectivite"] == "Ville de Grenoble" and response.answers["etp"] == 2
    )
    pages = {(save.page, save.contact.email) for save in response.saves.all()}
    assert pages == {("profil", "bob@mairie.test"), ("moyens", "eve@mairie.test")}


def test_concurrent_edit_of_the_same_question_is_refused_and_shown_to_merge(
    client, bob_link, eve_invitation, bob_response
):
    from django.test import Client

    from .factory import link

    eve, eve_link = Client(), link(eve_invitation)
    bob_sees = client.get(page_url(bob_link, "profil"))
    eve_sees = eve.get(page_url(eve_link, "profil"))
    common = {"action": "next", "_shown": bob_sees.context["shown"]}
    first = client.post(
        page_url(bob_link, "profil"),
        {
            **common,
            **PROFILE,
            "version": bob_sees.context["response"].version,
            "base": bob_sees.context["base"],
        },
    )
    assert first.status_code == 302
    late = eve.post(
        page_url(eve_link, "profil"),
        {
            **common,
            **PROFILE,
            "nom_collectivite": "Grenoble-Alpes",
            "version": eve_sees.context["response"].version,
            "base": eve_sees.context["base"],
        },
    )
    assert late.status_code == 409
    assert [c["name"] for c in late.context["conflicts"]] == ["nom_collectivite"]
    assert bob_response().answers["nom_collectivite"] == "Ville de Grenoble"
    # Eve keeps her answer; the merge is saved on the current version.
    merged = eve.post(
        page_url(eve_link, "profil"),
        {
            "merge": "1",
            "action": "stay",
            "version": late.context["response"].version,
            "base": late.context["base"],
            "mine": late.context["mine"],
            "conflict": "nom_collectivite",
            "merge::nom_collectivite": "mine",
        },
    )
    assert merged.status_code == 302
    assert bob_response().answers["nom_collectivite"] == "Grenoble-Alpes"


def test_concurrent_edits_of_different_questions_are_both_kept(
    client, bob_link, eve_invitation, bob_response
):
    from django.test import Client

    from .factory import link

    eve, eve_link = Client(), link(eve_invitation)
    bob_sees = client.get(page_url(bob_link, "moyens"))
    eve_sees = eve.get(page_url(eve_link, "moyens"))
    client.post(
        page_url(bob_link, "moyens"),
        {
            "action": "next",
            "_shown": bob_sees.context["shown"],
            "version": bob_sees.context["response"].version,
            "base": bob_sees.context["base"],
            "etp": "3",
        },
    )
    late = eve.post(
        page_url(eve_link, "moyens"),
        {
            "action": "next",
            "_shown": eve_sees.context["shown"],
            "version": eve_sees.context["response"].version,
            "base": eve_sees.context["base"],
            "budget": "1k_5k",
        },
    )
    assert late.status_code == 302
    answers = bob_response().answers
    assert answers["etp"] == 3 and answers["budget"] == "1k_5k"
