"""The browser enforces the Content-Security-Policy, and the fixture notices a violation."""

import time


def _inject_inline_script_and_style(page):
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.body.append(script);
            const styled = document.createElement("p");
            styled.setAttribute("style", "color: red");
            document.body.append(styled);
        }"""
    )


def test_the_public_policy_blocks_inline_code_and_the_violation_is_caught(page, site_pages):
    page.goto("/")
    _inject_inline_script_and_style(page)
    assert page.evaluate("() => window.inlineRan") is None
    deadline = time.monotonic() + 5
    while len(page._visits.csp_violations) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    found = " ".join(page._visits.csp_violations)
    assert "script-src" in found and "style-src" in found, found
    # Caught as it should be: the fixture would fail this test on them.
    page._visits.csp_violations.clear()


def test_the_admin_policy_lets_wagtail_run_its_inline_code(page, site_pages):
    page.goto("/admin/login/")
    _inject_inline_script_and_style(page)
    assert page.evaluate("() => window.inlineRan") is True
    page.wait_for_timeout(300)
    assert page._visits.csp_violations == []
