import re

from playwright.sync_api import expect


def test_home_page_in_french_with_skip_link(page, site_pages, check_a11y):
    page.goto("/")
    expect(page).to_have_title(re.compile("Observatoire des civic tech"))
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Observatoire des civic tech")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    check_a11y(page)


def test_visitor_switches_to_english_and_back(page, site_pages):
    page.goto("/mentions-legales/")
    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/mentions-legales/$"))
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Legal notice")
    page.get_by_role("link", name="Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mentions légales")


def test_staff_member_logs_into_the_admin(page, site_pages, alice):
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label(re.compile("Nom d.utilisateur|Username")).fill("alice")
    page.get_by_label(re.compile("Mot de passe|Password")).fill("alice-password")
    page.get_by_role("button", name=re.compile("S.identifier|Sign in")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("main")).to_be_visible()


def test_focus_is_visible_on_links(page, site_pages):
    page.goto("/")
    link = page.get_by_role("navigation", name="Navigation principale").get_by_role("link").first
    link.focus()
    outline = link.evaluate(
        "el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).boxShadow"
    )
    assert outline.startswith("solid") and "255, 221, 0" in outline
