"""Public pages: the editions list (and the navigation entry it brings)."""

from ..models import Edition


def test_the_index_lists_public_editions_and_the_nav_shows_the_section(client, edition):
    Edition.objects.create(year=2026)  # a draft: not shown
    page = client.get("/barometre/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'href="/barometre/"' in html and "aria-current" in html
    assert "Baromètre 2018" in html and "Baromètre 2026" not in html
    assert "/barometre/2018/inscription/" in html


def test_the_index_in_english(client, edition):
    html = client.get("/en/barometre/").content.decode()
    assert "Barometer of local digital democracy" in html
