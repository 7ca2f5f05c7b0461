"""Publications, events, resources and about pages in a real browser, checked with axe-core."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from observatoire.editorial import demo
from observatoire.editorial.models import (
    EventPage,
    PublicationIndexPage,
    PublicationPage,
    Registration,
)
from observatoire.editorial.tests import factory


@pytest.fixture
def editorial(site_pages):
    cache.clear()  # the per-IP form limits count every post of the session
    demo.load()


def _path(url):
    parts = urlsplit(url)
    return parts.path


def test_visitor_registers_for_an_event_and_gets_the_confirmation_in_the_outbox(
    page, editorial, mailoutbox, check_a11y
):
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=20)
    event = factory.event(
        "Matinée de questionnement : les métiers de la participation",
        start=start,
        registration_open=True,
        capacity=40,
    )

    page.goto(event.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(event.title)
    check_a11y(page)
    form = page.locator("#inscription")
    form.get_by_label("Prénom et nom").fill("Dominique Martin")
    form.get_by_label("Adresse e-mail").fill("dominique.martin@ville.test")
    form.get_by_label(re.compile("Organisation")).fill("Ville de Grenoble")
    form.get_by_role("button", name="M'inscrire").click()

    expect(page.get_by_role("status")).to_contain_text("Votre inscription est enregistrée")
    expect(page.get_by_text("Il reste 39 places.")).to_be_visible()
    check_a11y(page)
    (message,) = mailoutbox
    assert message.to == ["dominique.martin@ville.test"]
    assert message.attachments[0][0] == "evenement.ics"
    cancel = re.search(r"https?://\S+/evenements/inscriptions/\S+/", message.body).group(0)

    page.goto(_path(cancel))
    expect(page.get_by_text("votre place est réservée")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Annuler mon inscription").click()
    expect(page.get_by_role("status")).to_contain_text("Votre inscription est annulée")
    assert Registration.objects.get().status == "cancelled"


def test_visitor_subscribes_to_the_newsletter_with_double_opt_in(
    page, editorial, mailoutbox, check_a11y
):
    page.goto("/lettre/")
    check_a11y(page)
    page.get_by_label("Adresse e-mail").fill("camille@exemple.test")
    page.get_by_role("button", name="M'inscrire").click()
    expect(page.get_by_role("status")).to_contain_text("ouvrez l'e-mail")

    (message,) = mailoutbox
    confirm = re.search(r"https?://\S+/lettre/confirmer/\S+/", message.body).group(0)
    page.goto(_path(confirm))
    check_a11y(page)
    page.get_by_role("button", name="Je confirme").click()
    expect(page.get_by_role("status")).to_contain_text("Inscription confirmée")


def test_every_editorial_page_passes_axe(page, editorial, check_a11y):
    publication = PublicationPage.objects.get(
        slug="debattre-et-decider-a-l-ere-des-reseaux-sociaux"
    )
    event = EventPage.objects.get(slug="vers-un-reseau-des-budgets-participatifs")
    for url, heading in [
        ("/publications/", "Publications"),
        ("/publications/?kind=analysis&year=2018", "Publications"),
        (publication.url, publication.title),
        ("/evenements/", "Événements"),
        (event.url, event.title),
        ("/ressources/", "Ressources"),
        ("/a-propos/", "À propos"),
        ("/en/a-propos/", "About"),
        ("/recherche/?q=participation", "Rechercher"),
        ("/lettre/", "Lettre d'information"),
    ]:
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check_a11y(page)
    # The section is highlighted in the main navigation.
    page.goto("/ressources/")
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_role("link", name="Ressources")).to_have_attribute("aria-current", "page")


def test_visitor_filters_publications_without_javascript(browser, live_server, editorial):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/publications/")
    page.get_by_label("Type").select_option(label="Étude")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("heading", level=2, name=re.compile("publication"))).to_have_text(
        "1 publication"
    )
    expect(
        page.get_by_role("link", name="Débattre et décider à l'ère des réseaux sociaux")
    ).to_be_visible()
    context.close()


def test_staff_publishes_a_note_embedding_a_barometer_chart(page, site_pages, alice, settings):
    """The draft (with its chart block) is made in Python: adding a StreamField block through
    Wagtail's JavaScript editor is too brittle to test, and the page editor itself has axe
    violations in Wagtail's own widgets (tags and rich-text fields). Staff find the draft in the
    page explorer, publish it with the admin's publish action and confirmation button, and the
    public page shows the chart and its data table."""
    from wagtail.rich_text import RichText

    from observatoire.barometer.results.tests import factory as results_factory

    settings.BAROMETER_RESULTS_THRESHOLD = 10  # the small edition's groups, as in its tests
    results_factory.Small()  # a published 2018 edition with 15 responses
    index = factory.sections("fr")[PublicationIndexPage]
    draft = factory.publication(
        "Les nouveaux dispositifs en 2018",
        body=[
            ("paragraph", RichText("<p>La moitié des collectivités en prévoient.</p>")),
            (
                "barometer_chart",
                {"year": 2018, "question": "nouveaux_dispositifs", "caption": "Source : baromètre"},
            ),
        ],
        live=False,
    )

    page.goto(f"/admin/login/?next=/admin/pages/{index.pk}/")
    page.get_by_label(re.compile("Nom d.utilisateur|Username")).fill("alice")
    page.get_by_label(re.compile("Mot de passe|Password")).fill("alice-password")
    page.get_by_role("button", name=re.compile("S.identifier|Sign in")).click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{index.pk}/$"))
    expect(
        page.get_by_role("link", name=re.compile("Les nouveaux dispositifs en 2018"))
    ).to_be_visible()
    page.goto(f"/admin/bulk/wagtailcore/page/publish/?id={draft.pk}&next=/admin/pages/{index.pk}/")
    page.get_by_role("button", name=re.compile("Oui, publier|Yes, publish")).click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{index.pk}/$"))

    published = PublicationPage.objects.get(pk=draft.pk)
    assert published.live
    page.goto(_path(published.full_url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Les nouveaux dispositifs en 2018")
    chart = page.locator("figure.editorial-chart")
    expect(chart.locator("svg[role=img]")).to_be_visible()
    chart.get_by_text("Voir les données").first.click()  # the table behind its disclosure
    expect(chart.locator("table caption").first).to_be_visible()
    expect(chart.locator("figcaption")).to_have_text("Source : baromètre")
    expect(chart.get_by_text("Base : 15 collectivités répondantes.")).to_be_visible()
