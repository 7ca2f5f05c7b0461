"""The barometer's other public pages, checked with axe-core: editions, the open link, a link
that does not open, unsubscribing, the merge page of a concurrent edit, English pages."""

from django.core import mail
from playwright.sync_api import expect

from observatoire.barometer.mail import unsubscribe_url
from observatoire.barometer.models import Contact, Response
from observatoire.barometer.tests import factory


def _setup():
    region = factory.region()
    grenoble = factory.territory("commune", "38185", "Grenoble", 158_000, region=region)
    edition = factory.edition(2018, frame=factory.frame(2018, [grenoble, region]))
    bob = factory.invitation(edition, grenoble, "bob@mairie.test", "Bob Martin")
    eve = factory.invitation(edition, grenoble, "eve@mairie.test", "Ève Durand")
    return edition, grenoble, bob, eve


def test_public_barometer_pages_are_accessible(page, check_a11y, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _edition, _grenoble, bob, _eve = _setup()
    page.goto("/barometre/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Baromètre de la démocratie locale numérique"
    )
    page.get_by_role(
        "link", name="Votre collectivité n’a pas reçu d’invitation pour 2018 ?"
    ).click()
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_a11y(page)
    page.goto("/barometre/repondre/not-a-real-token/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien n’est pas reconnu")
    page.goto(unsubscribe_url(bob.contact).removeprefix(settings.SITE_URL))
    page.get_by_role("button", name="Me désinscrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous êtes désinscrit(e)")
    assert Contact.objects.get(email="bob@mairie.test").opted_out_at is not None
    assert not mail.outbox


def test_a_concurrent_edit_shows_an_accessible_merge_page(page, check_a11y):
    _edition, grenoble, bob, eve = _setup()
    bob_link, eve_link = factory.link(bob), factory.link(eve)
    other = page.context.new_page()
    other._visits = page._visits  # the harness's record of pages already checked
    page.goto(f"/barometre/repondre/{bob_link}/page/moyens/")
    other.goto(f"/barometre/repondre/{eve_link}/page/moyens/")
    page.get_by_label("0 €", exact=True).check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    other.get_by_label("Moins de 1 000 €").check()
    other.get_by_role("button", name="Enregistrer et continuer").click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Réponses à réconcilier")
    check_a11y(other)
    other.get_by_label("Garder votre réponse").check()
    other.get_by_role("button", name="Enregistrer ce choix").click()
    assert Response.objects.get(territory=grenoble).answers["budget"] == "moins_1k"
    other.close()


def test_survey_pages_in_english_are_accessible(page, check_a11y):
    _edition, _grenoble, bob, _eve = _setup()
    link = factory.link(bob)
    page.goto(f"/en/barometre/repondre/{link}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Start").click()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".error-summary")).to_contain_text("answers to correct")
    check_a11y(page)
    page.goto(f"/en/barometre/repondre/{link}/page/contributions/")
    expect(page.get_by_role("group", name="In your opinion")).to_be_visible()
    check_a11y(page)
