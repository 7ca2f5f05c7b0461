"""Pages that print statistics never print nonsense (issue 18): a weighting margin is "fixé par
la pondération" with its frame share, a test comes with its degrees of freedom or not at all,
numbers follow the page's language, and staff see the design diagnostics."""

import re

import pytest
from django.urls import reverse

from observatoire.barometer.models import Response

from . import factory

KIND_ANSWER = {"commune": "commune", "epci": "intercommunalite"}


@pytest.fixture
def margin_editions(db):
    """The demo forms 2018 and 2026, whose first question repeats the type of local
    government, a raking margin (communes stand for 40 of 60 territories: 66,7 %)."""
    first = factory.Small(2018, definition=factory.demo_definition(2018))
    later_frame = factory.frame(
        2026, [(t, "3500-9999") for t in first.communes] + [(t, "0-19999") for t in first.epcis]
    )
    later = factory.edition(2026, later_frame, factory.demo_definition(2026))
    for n, commune in enumerate(first.communes[:14]):
        factory.respond(later, commune, {"nouveaux_dispositifs": "oui" if n < 5 else "non"})
    for epci in first.epcis[:4]:
        factory.respond(later, epci, {"nouveaux_dispositifs": "non"})
    for response in Response.objects.select_related("territory"):
        response.answers = {
            **response.answers,
            "type_collectivite": KIND_ANSWER[response.territory.kind],
        }
        response.save()
    return first.edition, later


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_trends_show_a_weighting_margin_as_fixed_without_interval_or_test(charlie, margin_editions):
    html = charlie.get(reverse("barometer_results:trends")).content.decode()
    section = html[html.index('id="t-type_collectivite"') :]
    section = _text(section[: section.index("</article>")])
    assert "fixé par la pondération" in section
    assert "66,7\u202f% (part de la base de sondage)" in section
    assert "non testée (fixé par la pondération)" in section
    assert "répartition fixée par la pondération" in section
    assert "[66,7 ; 66,7" not in section
    assert "significative (p" not in section and "F = " not in section


def test_no_trend_prints_an_impossible_p_value_or_a_bare_statistic(charlie, margin_editions):
    text = _text(charlie.get(reverse("barometer_results:trends")).content.decode())
    assert "p = 0,000" not in text
    assert not re.search(r"\bF = ", text)  # a statistic is printed as F(df₁ ; df₂) = …
    assert "nan" not in text.lower().split() and "∞" not in text
    assert "-0,0 pt" not in text and "−0,0 pt" not in text


def test_english_trends_use_the_decimal_point(charlie, margin_editions):
    text = _text(charlie.get("/en" + reverse("barometer_results:trends")).content.decode())
    assert "66.7% (share of the sampling frame)" in text
    assert "fixed by the weighting" in text
    assert "66,7" not in text


def test_crossing_a_margin_by_type_has_no_independence_test(charlie, margin_editions):
    url = reverse("barometer_results:question", args=[2018, "type_collectivite"])
    text = _text(charlie.get(url).content.decode())
    assert "Test d'indépendance (Rao-Scott) : pas de test : répartition fixée" in text
    assert "p = 0,000" not in text


def test_staff_see_the_design_diagnostics_of_the_edition(alice_client, charlie, margin_editions):
    url = reverse("barometer_results:method", args=[2018])
    text = _text(alice_client.get(url).content.decode())
    assert "Diagnostics du plan de sondage" in text
    assert "Indicateur R" in text
    assert "Écarts standardisés entre répondants et base de sondage" in text
    # 12 of 40 communes and 3 of 20 EPCI answered: propensities 0.30 and 0.15, so
    # R = 1 - 2 S = 0.857 (S the standard deviation over the 60 members, 1 / (N - 1)).
    assert re.search(r"Indicateur R \(représentativité, Schouten et al\. 2009\)\s*0,857\b", text)
    assert "Diagnostics du plan de sondage" not in charlie.get(url).content.decode()


def test_own_numeric_answer_follows_the_page_language(charlie, small):
    from observatoire.barometer.access import issue_token
    from observatoire.barometer.models import Edition, Invitation

    Edition.objects.filter(pk=small.edition.pk).update(status=Edition.Status.OPEN)
    token = issue_token(invitation=Invitation.objects.filter(edition=small.edition).get())
    url = reverse("barometer_results:benchmark", args=[token])
    assert "Votre réponse : 1,5" in charlie.get(url).content.decode()
    assert "Votre réponse : 1.5" not in charlie.get(url).content.decode()


def test_statistics_filters_follow_the_active_language():
    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        "{% load stats_format %}{{ share|percent }}|{{ row|interval }}|{{ fixed|figure }}|"
        "{{ fixed|interval }}|{{ p|p_value }}|{{ test|test_result }}|{{ bare|test_result }}|"
        "{{ bare|is_valid_test }}|{{ value|number:2 }}"
    )
    context = Context(
        {
            "share": 0.423,
            "row": {"statistic": "proportion", "estimate": 0.4, "ci_low": 0.35, "ci_high": 0.45},
            "fixed": {"statistic": "proportion", "estimate": 0.706, "fixed": True},
            "p": 0.0002,
            "test": {"statistic": 4.2, "df_num": 2, "df_den": 45.3, "p_value": 0.02},
            "bare": {"statistic": 1.4e15, "df_num": None, "df_den": None, "p_value": 0.0},
            "value": 1234.5,
        }
    )
    with translation.override("fr"):
        assert template.render(context).split("|") == [
            "42,3\u202f%",
            "[35,0 ; 45,0\u202f%]",
            "70,6\u202f% (part de la base de sondage)",
            "fixé par la pondération",
            "p &lt; 0,001",
            "F(2 ; 45,3) = 4,20 ; p = 0,020",
            "pas de test : degrés de liberté insuffisants",
            "False",
            "1\u00a0234,50",
        ]
    with translation.override("en"):
        assert template.render(context).split("|") == [
            "42.3%",
            "[35.0; 45.0%]",
            "70.6% (share of the sampling frame)",
            "fixed by the weighting",
            "p &lt; 0.001",
            "F(2; 45.3) = 4.20; p = 0.020",
            "no test: not enough degrees of freedom",
            "False",
            "1,234.50",
        ]
