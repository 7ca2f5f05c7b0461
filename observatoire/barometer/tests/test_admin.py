"""Staff pages: dashboard, form upload, contacts, campaign, territory follow-up, staff entry."""

import csv
import io

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ..models import Contact, Edition, Invitation, PageSave, Questionnaire, Response, Wave
from .factory import DATA, DEMO
from .test_forms_import import CHOICES, CONSENT, workbook
from .test_journey import PROFILE, post_page


def admin(name, *args):
    return reverse(f"barometer_admin:{name}", args=args)


def test_the_barometer_menu_pages_open(alice_client, edition):
    for url in (
        "/admin/barometer/editions/",
        "/admin/barometer/contacts/",
        "/admin/barometer/messages/",
    ):
        assert alice_client.get(url).status_code == 200, url
    listing = alice_client.get("/admin/barometer/editions/").content.decode()
    assert admin("dashboard", 2018) in listing


def test_dashboard_counts_against_the_frame_and_exports_csv(
    alice_client, edition, grenoble, bob_invitation
):
    Invitation.objects.update(invited_at=timezone.now(), opened_at=timezone.now())
    Response.objects.create(
        edition=edition,
        territory=grenoble,
        status="submitted",
        submitted_at=timezone.now(),
        consent_to_name=True,
    )
    page = alice_client.get(admin("dashboard", 2018))
    assert page.status_code == 200
    funnel = page.context["summary"]["funnel"]
    assert (funnel["frame"], funnel["invited"], funnel["submitted"], funnel["percent"]) == (
        3,
        1,
        1,
        33.3,
    )
    html = page.content.decode()
    assert "<svg" in html and "Les chiffres du graphique" in html
    exported = alice_client.get(admin("dashboard", 2018) + "?format=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["code", "nom", "type"]
    assert ["38185", "Grenoble", "commune"] == rows[1][:3] or ["38185", "Grenoble", "commune"] in [
        r[:3] for r in rows
    ]
    grenoble_row = next(r for r in rows if r[0] == "38185")
    assert grenoble_row[7] == "réponse envoyée" and grenoble_row[9] == "oui"
    filtered = alice_client.get(admin("dashboard", 2018) + "?kind=region")
    assert filtered.context["summary"]["funnel"]["frame"] == 1


def test_form_upload_reports_problems_and_imports_nothing(alice_client, edition):
    data = workbook([["type", "name", "label"], ["geopoint", "lieu", "Où ?"], *CONSENT], CHOICES)
    upload = io.BytesIO(data)
    upload.name = "mauvais.xlsx"
    page = alice_client.post(admin("questionnaire", 2018), {"file": upload})
    assert page.status_code == 400
    problem = page.context["problems"][0]
    assert (problem.sheet, problem.row, problem.column) == ("survey", 2, "type")
    assert Questionnaire.objects.count() == 1  # only the factory's


def test_form_upload_previews_then_activates(alice_client, edition):
    with open(DEMO / "barometre-2026.xlsx", "rb") as upload:
        sent = alice_client.post(admin("questionnaire", 2018), {"file": upload})
    assert sent.status_code == 302
    version = Questionnaire.objects.latest("pk")
    preview = alice_client.get(sent["Location"])
    assert "Aucune erreur" in preview.content.decode()
    assert Edition.objects.get().questionnaire_id != version.pk
    alice_client.post(sent["Location"])
    assert Edition.objects.get().questionnaire_id == version.pk
    exported = alice_client.get(admin("questionnaire-export", 2018))
    assert exported.content[:2] == b"PK"


def test_contacts_upload_checks_then_imports(alice_client, edition):
    with open(DATA / "contacts-2018.csv", "rb") as upload:
        checked = alice_client.post(admin("contacts", 2018), {"file": upload})
    assert checked.status_code == 200 and checked.context["report"].ok
    assert not Contact.objects.exists()
    alice_client.post(
        admin("contacts", 2018),
        {"confirm": "1", "key": checked.context["key"], "filename": "contacts-2018.csv"},
    )
    assert Contact.objects.count() == 4
    with open(DATA / "contacts-bad.csv", "rb") as upload:
        refused = alice_client.post(admin("contacts", 2018), {"file": upload})
    assert refused.status_code == 400 and len(refused.context["report"].errors) == 3


def test_campaign_page_launches_a_wave_and_shows_progress(
    alice_client, bob_invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        launched = alice_client.post(admin("campaign", 2018), {"kind": "invitation", "limit": ""})
    assert launched.status_code == 302
    wave = Wave.objects.get()
    assert (wave.status, wave.sent, wave.created_by.username) == ("done", 1, "alice")
    page = alice_client.get(admin("campaign", 2018))
    assert "1 / 1 (100 %)" in page.content.decode()
    assert "bob@mairie.test" in page.content.decode()


def test_territory_page_locks_and_gives_a_new_link(
    alice_client, client, bob_link, bob_invitation, edition
):
    post_page(client, bob_link, "profil", PROFILE)
    url = admin("territory", 2018, "commune", "38185")
    page = alice_client.get(url)
    assert "Ville de Grenoble" in page.content.decode() and "Bob Martin" in page.content.decode()
    alice_client.post(url, {"action": "lock"})
    assert Response.objects.get().is_locked
    fresh = alice_client.post(url, {"action": f"link:{bob_invitation.pk}"})
    link = fresh.context["new_links"][bob_invitation.pk]
    assert client.get(link.removeprefix("https://observatoire.test")).status_code == 200
    alice_client.post(url, {"action": f"revoke:{bob_invitation.pk}"})
    assert client.get(f"/barometre/repondre/{bob_link}/").status_code == 403


def test_staff_enter_a_response_by_phone_recorded_as_such(alice_client, edition, lyon):
    chosen = alice_client.post(
        admin("staff-entry", 2018), {"territory": "69123", "channel": "phone"}
    )
    assert chosen["Location"] == "/barometre/saisie/2018/commune/69123/phone/"
    url = "/barometre/saisie/2018/commune/69123/phone/page/profil/"
    saved = post_page(
        alice_client, None, "profil", {**PROFILE, "nom_collectivite": "Lyon"}, url=url
    )
    assert saved.status_code == 302
    response = Response.objects.get(territory=lyon)
    assert response.entered_by_staff and response.answers["nom_collectivite"] == "Lyon"
    save = PageSave.objects.get()
    assert (save.user.username, save.channel, save.contact) == ("alice", "phone", None)


def test_staff_can_correct_a_locked_response(
    alice_client, client, bob_link, alice, edition, grenoble
):
    from ..services import lock_response

    post_page(client, bob_link, "profil", PROFILE)
    lock_response(response=Response.objects.get(), by=alice)
    url = "/barometre/saisie/2018/commune/38185/paper/page/profil/"
    post_page(alice_client, None, "profil", {"nom_collectivite": "Grenoble (corrigé)"}, url=url)
    assert Response.objects.get().answers["nom_collectivite"] == "Grenoble (corrigé)"


def test_respondents_cannot_use_staff_pages(bob_client, charlie, edition, lyon):
    for client in (bob_client, charlie):
        response = client.get("/barometre/saisie/2018/commune/69123/phone/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert bob_client.get(admin("dashboard", 2018)).status_code in (302, 403)
    assert not Response.objects.exists()
    assert not mail.outbox


def test_form_upload_takes_the_csv_files_the_form_reads(alice_client, edition):
    survey = [
        ["type", "name", "label"],
        ["select_one_from_file communes.csv", "commune", "Commune ?"],
        *CONSENT,
    ]
    data = workbook(survey, CHOICES)

    def post(*attachments):
        upload = io.BytesIO(data)
        upload.name = "communes.xlsx"
        return alice_client.post(
            admin("questionnaire", 2018), {"file": upload, "attachments": list(attachments)}
        )

    missing = post()
    assert missing.status_code == 400
    [problem] = missing.context["problems"]
    assert problem.code == "missing-attachment" and "communes.csv" in problem.message
    communes = io.BytesIO(b"name,label\n38185,Grenoble\n69123,Lyon\n")
    communes.name = "communes.csv"
    assert post(communes).status_code == 302
    form = Questionnaire.objects.latest("pk").form
    assert [choice.name for choice in form.question("commune").choices] == ["38185", "69123"]
