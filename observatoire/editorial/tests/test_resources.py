import http.server
import socket
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from observatoire.editorial.models import Resource

pytestmark = pytest.mark.django_db


class _Handler(http.server.BaseHTTPRequestHandler):
    """/ok answers 200 to HEAD; /get-only refuses HEAD (405) but answers GET; the rest is 404."""

    def do_HEAD(self):
        if self.path == "/get-only":
            self.send_response(405)
        else:
            self.send_response(200 if self.path == "/ok" else 404)
        self.end_headers()

    def do_GET(self):
        self.send_response(200 if self.path in {"/ok", "/get-only"} else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server(monkeypatch):
    # Never reach the internet: a server on the loopback interface, no proxy in between.
    for name in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _resource(title, url):
    return Resource.objects.create(title=title, url=url, description="…", category="networks")


def test_check_links_records_status_and_date_and_lists_broken_links(local_server, closed_port):
    ok = _resource("En ligne", f"{local_server}/ok")
    head_refused = _resource("HEAD refusé", f"{local_server}/get-only")
    missing = _resource("Disparu", f"{local_server}/disparu")
    refused = _resource("Serveur éteint", f"http://127.0.0.1:{closed_port}/")
    out = StringIO()

    call_command("editorial", "check-links", "--timeout", "5", stdout=out, stderr=StringIO())

    for resource in (ok, head_refused, missing, refused):
        resource.refresh_from_db()
        assert resource.link_checked_at is not None
    assert (ok.link_ok, ok.link_status) == (True, 200)
    assert (head_refused.link_ok, head_refused.link_status) == (True, 200)
    assert (missing.link_ok, missing.link_status) == (False, 404)
    assert refused.link_ok is False and refused.link_status is None
    assert "refused" in refused.link_error.lower()
    assert list(Resource.objects.broken().order_by("title")) == [missing, refused]
    text = out.getvalue()
    assert "4 lien(s) vérifié(s), 2 cassé(s)." in text
    assert f"{local_server}/disparu" in text and f"{local_server}/ok" not in text


def test_check_links_can_recheck_only_broken_links(local_server):
    ok = _resource("En ligne", f"{local_server}/ok")
    missing = _resource("Disparu", f"{local_server}/disparu")
    missing.record_check(404)

    call_command("editorial", "check-links", "--broken-only", stdout=StringIO(), stderr=StringIO())

    ok.refresh_from_db()
    assert ok.link_checked_at is None


def test_check_links_refuses_a_nonsense_timeout():
    with pytest.raises(CommandError, match="--timeout"):
        call_command("editorial", "check-links", "--timeout", "0")


def test_staff_see_broken_links_on_the_dashboard_and_in_the_listing(alice_client):
    _resource("Disparu", "http://exemple.invalid/disparu").record_check(404)
    _resource("En ligne", "http://exemple.invalid/ok").record_check(200)

    dashboard = alice_client.get("/admin/").content.decode()
    listing = alice_client.get("/admin/snippets/editorial/resource/?link_ok=false").content.decode()

    assert "liens cassés" in dashboard and "Disparu" in dashboard and "En ligne" not in dashboard
    assert "Disparu" in listing and "En ligne" not in listing


def test_resource_page_groups_links_by_category(charlie, sections):
    Resource.objects.create(
        title="MOOC Inria", url="https://a.test/mooc", description="Un MOOC.", category="training"
    )
    Resource.objects.create(
        title="Code for France",
        url="https://a.test/cff",
        description="Association.",
        category="networks",
    )

    response = charlie.get("/ressources/")

    html = response.content.decode()
    assert response.status_code == 200 and html.count("<h1>") == 1
    positions = [
        html.index(text)
        for text in ['<h2 id="networks">', "Code for France", '<h2 id="training">', "MOOC Inria"]
    ]
    assert positions == sorted(positions)
    assert "Vidéos" not in html  # empty categories are not shown
