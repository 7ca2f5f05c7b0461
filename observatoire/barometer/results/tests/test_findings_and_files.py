"""The results read as a publication: key findings (proposed, then accepted by staff), labels in
words in the page's language, a sentence where nothing is publishable, and each chart's files."""

import csv
import html
import io

import pytest
from django.urls import reverse

from ..compute import results_for
from ..labels import band_words
from ..models import KeyFinding
from ..presentation import DEGENERATE_WIDTH, UNANIMOUS, proposed_findings

NNBSP = "\u202f"


def question_url(name, year=2018):
    return reverse("barometer_results:question", args=[year, name])


def file_url(name, fmt, year=2018):
    return reverse("barometer_results:chart-file", args=[year, name, fmt])


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("3500-9999", "3\u202f500 à 9\u202f999 habitants"),
        ("0-249999", "moins de 250\u202f000 habitants"),
        ("<3500", "moins de 3\u202f500 habitants"),
        ("100000+", "100\u202f000 habitants et plus"),
        ("inconnue", "population inconnue"),
    ],
)
def test_population_bands_read_in_words(code, words):
    assert band_words(code).replace("\xa0", NNBSP) == words


def test_proposals_are_the_largest_and_most_certain_figures(small):
    payload = results_for(small.edition).payload
    proposals = proposed_findings(payload)
    # Three single / multiple choice questions, one of them the consent to be named: not a
    # finding about local democracy.
    assert [p["question"] for p in proposals] == ["dispositifs", "nouveaux_dispositifs"] or [
        p["question"] for p in proposals
    ] == ["nouveaux_dispositifs", "dispositifs"]
    lows = []
    for proposal in proposals:
        rows = payload["analysis"]["estimates"][proposal["question"]]["rows"]
        lows.append(
            max(
                r["ci_low"]
                for r in rows
                if not r["suppressed"]
                and r.get("ci_low") is not None  # no interval: fixed or degenerate
                and r["ci_high"] - r["ci_low"] >= DEGENERATE_WIDTH  # not fixed by the weighting
                and r["estimate"] < UNANIMOUS
            )
        )
    assert lows == sorted(lows, reverse=True)
    assert all("intervalle de confiance à 95 %" in p["sentence"] for p in proposals)


def test_staff_accepts_a_proposal_and_the_overview_shows_it(alice_client, charlie, small):
    url = reverse("barometer_results:results", args=[2018])
    staff_page = alice_client.get(url).content.decode()
    assert "Retenir ce constat" in staff_page
    proposal = proposed_findings(results_for(small.edition).payload)[0]
    accept = reverse("barometer_results:accept-finding", args=[2018])
    response = alice_client.post(accept, proposal)
    assert response.status_code == 302
    assert KeyFinding.objects.get(edition=small.edition).sentence == proposal["sentence"]
    public = html.unescape(charlie.get(url).content.decode())
    assert proposal["sentence"] in public
    assert "Établis automatiquement" not in public
    assert public.count('class="results-finding"') == 1
    assert "Retenir ce constat" not in public


def test_visitors_cannot_accept_findings(charlie, small):
    accept = reverse("barometer_results:accept-finding", args=[2018])
    response = charlie.post(accept, {"question": "etp", "sentence": "Faux constat."})
    assert response.status_code in (302, 403)
    assert not KeyFinding.objects.exists()


def test_group_tables_are_headed_in_words_not_codes(charlie, small):
    html = charlie.get(question_url("nouveaux_dispositifs") + "?strate=band").content.decode()
    assert '<th scope="col">Taille (population)</th>' in html
    assert '<th scope="col">band</th>' not in html
    assert "habitants" in html
    assert "3500-9999" not in html
    html = charlie.get(question_url("nouveaux_dispositifs") + "?strate=kind").content.decode()
    assert '<th scope="col">kind</th>' not in html
    assert "Communes" in html


def test_a_question_with_nothing_publishable_says_so_in_one_sentence(charlie, small, settings):
    settings.BAROMETER_RESULTS_THRESHOLD = 100
    from ..compute import compute_results

    compute_results(edition=small.edition)
    html = charlie.get(question_url("nouveaux_dispositifs")).content.decode()
    assert "Rien n'est publiable pour cette question" in html
    assert "<svg" not in html
    assert "effectif insuffisant" not in html


def test_chart_svg_is_one_named_image_without_inner_roles(charlie, small):
    html = charlie.get(question_url("dispositifs")).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('role="img"') == 1
    assert "graphics-symbol" not in svg and "aria-roledescription" not in svg
    assert 'aria-details="chart-dispositifs-data"' in svg


def test_each_chart_offers_svg_png_csv_and_an_embed_snippet(charlie, small):
    html = charlie.get(question_url("dispositifs")).content.decode()
    for fmt in ("svg", "png", "csv"):
        assert file_url("dispositifs", fmt) in html
    assert "Intégrer ce graphique" in html
    assert f"&lt;img src=&quot;http://testserver{file_url('dispositifs', 'svg')}" in html or (
        f'&lt;img src="http://testserver{file_url("dispositifs", "svg")}' in html
    )
    svg = charlie.get(file_url("dispositifs", "svg"))
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert svg.content.startswith(b"<svg")
    png = charlie.get(file_url("dispositifs", "png"))
    assert png["Content-Type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    data = charlie.get(file_url("dispositifs", "csv") + "?strate=kind")
    rows = list(csv.reader(io.StringIO(data.content.decode())))
    assert rows[0][0] == "Type de collectivité"
    assert any(row[0] == "Communes" for row in rows[1:])
    assert charlie.get(file_url("dispositifs", "gif")).status_code == 404
    assert charlie.get(file_url("nope", "svg")).status_code == 404
    assert charlie.get(file_url("dispositifs", "svg") + "?strate=x").status_code == 404


def test_english_pages_use_the_questionnaire_translations(charlie, small):
    # The small questionnaire has French labels only: English pages fall back to them, and
    # the stratum words are translated at render (no cached French code or label leaks).
    response = charlie.get("/en" + question_url("nouveaux_dispositifs") + "?strate=band")
    assert response.status_code == 200
    assert "3500-9999" not in response.content.decode()


def test_methodology_tables_read_in_words(charlie, small):
    page = charlie.get(reverse("barometer_results:method", args=[2018])).content.decode()
    assert "3500-9999" not in page and "0-19999" not in page
    assert "moins de 20\xa0000 habitants" in page or "moins de 20\u202f000 habitants" in page
    assert "Communes —" in page  # a weighting cell: its kind and bands in words
