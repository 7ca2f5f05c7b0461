"""The barometer demo on a small frame: 2017 and 2018 published with synthetic responses and
public results, trends across the two, 2026 open for the respondent's journey.

The demo is loaded once for the class (setUpTestData): computing two editions' results and
charts takes a while.
"""

import html
import io
import re

from django.contrib.auth import get_user_model
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from observatoire.barometer import demo as collection_demo
from observatoire.barometer.models import Edition, Invitation, Message, PageSave, Response
from observatoire.barometer.tests import factory as barometer_factory

from .. import demo as results_demo
from ..models import DemoEdition, QuestionLink

DEMO_LABEL = "données de démonstration"
SITE = "http://testserver"


def _frames():
    """2 régions, 4 départements, 8 EPCI and 40 communes in the 2018 and 2026 frames."""
    make = barometer_factory.territory
    regions = [
        make("region", "84", "Auvergne-Rhône-Alpes", 8_100_000),
        make("region", "11", "Île-de-France", 12_300_000),
    ]
    members = [*regions]
    for n in range(1, 5):
        members.append(make("departement", f"0{n}", f"Département {n}", 300_000 + n * 50_000))
    for n in range(8):
        members.append(make("epci", f"2000000{n:02d}", f"Communauté {n}", 20_000 + n * 15_000))
    for n in range(40):
        region = regions[n % 2]
        members.append(
            make("commune", f"38{n:03d}", f"Commune {n}", 3_500 + n * 4_000, region=region)
        )
    barometer_factory.frame(2018, members)
    barometer_factory.frame(2026, members)


class _Lines(io.StringIO):
    def write(self, text):
        return super().write(text + "\n")


def _load():
    out = _Lines()
    with override_settings(SITE_URL=SITE):
        for module in (collection_demo, results_demo):
            module.load(stdout=out)
    return out.getvalue()


def _counts():
    models = (Edition, Response, PageSave, Invitation, Message, QuestionLink, DemoEdition)
    return {model.__name__: model.objects.count() for model in models}


def _article(page, name):
    return page.split(f'id="t-{name}"')[1].split("</article>")[0]


class DemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        _frames()
        cls.output = _load()

    def test_2017_and_2018_are_published_and_2026_is_open(self):
        editions = {edition.year: edition for edition in Edition.objects.all()}
        statuses = {year: edition.status for year, edition in editions.items()}
        assert statuses == {2017: "published", 2018: "published", 2026: "open"}
        assert editions[2026].accepts_answers()
        assert editions[2017].frame == editions[2018].frame
        assert editions[2017].questionnaire.form_id == "barometre_2017"
        assert set(DemoEdition.objects.values_list("edition__year", flat=True)) == {2017, 2018}
        assert editions[2017].responses.filter(status=Response.Status.SUBMITTED).count() > 40
        assert editions[2026].responses.exists()  # sample responses for the dashboard

    def test_only_the_2026_communes_are_invited(self):
        invitations = Invitation.objects.filter(edition__year=2026)
        invited = invitations.filter(invited_at__isnull=False)
        assert set(invited.values_list("territory__kind", flat=True)) == {"commune"}
        assert invitations.filter(invited_at__isnull=True).exists()  # left for a wave
        assert Message.objects.filter(invitation__edition__year=2026).count() == invited.count()

    def test_running_it_again_adds_nothing(self):
        before = _counts()
        again = _load()
        assert _counts() == before
        assert "0 réponses synthétiques ajoutées" in again

    def test_printed_links_open_the_2026_questionnaire_and_a_2018_comparison(self):
        link = re.search(rf"questionnaire 2026 \([^)]+\) : {SITE}(\S+)", self.output).group(1)
        response = self.client.get(link)
        assert response.status_code == 200
        assert "2026" in response.content.decode()
        comparison = re.search(rf"Comparaison avec les pairs .* : {SITE}(\S+)", self.output)
        response = self.client.get(comparison.group(1))
        assert response.status_code == 200
        assert "face à ses pairs" in response.content.decode()

    def test_visitor_reads_the_published_editions(self):
        for year in (2017, 2018):
            for name in ("results", "method"):
                response = self.client.get(reverse(f"barometer_results:{name}", args=[year]))
                assert response.status_code == 200, (name, year)
                assert DEMO_LABEL in response.content.decode().lower()

    def test_results_of_the_open_2026_edition_are_for_staff_only(self):
        url = reverse("barometer_results:results", args=[2026])
        assert self.client.get(url).status_code == 404
        from django.contrib.auth.models import Group

        from observatoire.accounts.roles import BAROMETER

        editor = Client()
        editor.force_login(get_user_model().objects.create_user("eve", is_staff=True))
        assert editor.get(url).status_code == 404  # staff, but not of the barometer team
        team_member = get_user_model().objects.create_user("alice", is_staff=True)
        team_member.groups.add(Group.objects.get(name=BAROMETER.name))
        staff = Client()
        staff.force_login(team_member)
        assert staff.get(url).status_code == 200

    def test_visitor_follows_questions_from_2017_to_2018(self):
        response = self.client.get(reverse("barometer_results:trends"))
        assert response.status_code == 200
        page = html.unescape(response.content.decode())
        assert 'role="img"' in page
        # Renamed in 2018 (connaissance_civic_tech → civic_tech), comparable: tested, noted.
        civic_tech = _article(page, "civic_tech")
        assert "2017" in civic_tech and "2018" in civic_tech
        assert "Question renommée en 2018" in civic_tech
        assert "significative" in civic_tech
        # Reworded beyond comparison: both years shown, no test.
        plans = _article(page, "nouveaux_dispositifs")
        assert "Ce n'est plus la même question" in plans and "non testée" in plans
        # An option added in 2018; fewer schemes in 2017.
        schemes = _article(page, "dispositifs")
        assert "option absente" in schemes
        assert "Aucun dispositif" in schemes
        assert DEMO_LABEL in page.lower(), "the trends of demo editions must say so"

    def test_no_results_page_is_over_300_kb(self):
        """Every public results page of the 2018 demo (overview, sections, each question
        with each stratum, costs, methodology, data) stays under 300 KB of HTML. The trends
        page (about 480 KB on this demo) is not restructured yet: left out, see the docs."""
        from ..compute import results_for

        payload = results_for(Edition.objects.get(year=2018)).payload
        urls = [
            reverse(f"barometer_results:{name}", args=[2018])
            for name in ("results", "costs", "method", "downloads")
        ]
        urls += [
            reverse("barometer_results:section", args=[2018, section["name"]])
            for section in payload["sections"]
        ]
        for name in payload["analysis"]["estimates"]:
            url = reverse("barometer_results:question", args=[2018, name])
            urls += [f"{url}?strate={dimension}" for dimension in ("kind", "band", "region")]
        weights = {}
        for url in urls:
            response = self.client.get(url)
            assert response.status_code == 200, url
            weights[url] = len(response.content)
        heaviest = max(weights, key=weights.get)
        assert weights[heaviest] <= 300 * 1024, (heaviest, weights[heaviest])
        assert len(urls) > 60

    def test_english_results_speak_the_questionnaire_english(self):
        response = self.client.get("/en/barometre/2018/resultats/objectifs/?strate=band")
        page = html.unescape(response.content.decode())
        form = Edition.objects.get(year=2018).form
        english = form.text(form.element("objectifs").label, "en")
        french = form.text(form.element("objectifs").label, "fr")
        assert english and english != french
        assert f"<h1>{english}</h1>" in page
        assert french not in page
        assert not re.search(r">\d+-\d+<", page)
