"""Helpers of the tests that read English pages (tests/test_translations.py and the barometer's)."""


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_english(html, english, french):
    """An English page: `lang="en"`, every English text present, none of the French ones."""
    assert '<html lang="en"' in html
    for text in english:
        assert text in html, f"missing English text: {text!r}"
    for text in french:
        assert text not in html, f"French text on an English page: {text!r}"
