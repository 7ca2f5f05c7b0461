"""Regenerate docs/images/home.png, the README's screenshot, from a throwaway demo server.

.venv/bin/python -m scripts.readme_screenshot
"""

from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.server import demo_server

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "images" / "home.png"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if __name__ == "__main__":
    with demo_server(workers=1) as port, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 760})
        page.goto(f"http://127.0.0.1:{port}/")
        page.screenshot(path=OUTPUT)
        browser.close()
