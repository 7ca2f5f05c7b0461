"""The console command as a newcomer runs it: real processes, a throwaway SQLite database."""

import http.client
import io
import os
import subprocess
import sys
import time

import pytest

from bench.server import demo_server

OBSERVATOIRE = [sys.executable, "-m", "observatoire.cli"]


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    return {**env, "VAR_DIR": str(tmp_path), "DEBUG": "1", **extra}


def test_production_start_without_secret_key_stops_with_one_clear_line(tmp_path):
    result = subprocess.run(
        [*OBSERVATOIRE, "serve", "--port", "1"],
        env=_env(tmp_path, DEBUG="0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_debug_generates_and_keeps_a_secret_key(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    run = [
        sys.executable,
        "-c",
        f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'observatoire.settings'); django.setup(); {code}",
    ]
    first = subprocess.run(run, env=_env(tmp_path), capture_output=True, text=True, check=True)
    second = subprocess.run(run, env=_env(tmp_path), capture_output=True, text=True, check=True)
    assert len(first.stdout.strip()) >= 50
    assert first.stdout == second.stdout
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.slow
def test_demo_twice_duplicates_nothing_and_prints_the_password_once(tmp_path):
    first = subprocess.run(
        [*OBSERVATOIRE, "demo", "--no-serve"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr
    assert "mot de passe «" in first.stdout
    count = [
        sys.executable,
        "-m",
        "observatoire.cli",
        "shell",
        "-c",
        "from wagtail.models import Page; from django.contrib.auth.models import User; "
        "from observatoire.barometer.models import Edition, Invitation, Message, Response; "
        "print(Page.objects.count(), User.objects.count(), Invitation.objects.count(), "
        "Message.objects.count(), Response.objects.count(), "
        "sorted(Edition.objects.values_list('year', 'status')))",
    ]
    before = subprocess.run(count, env=_env(tmp_path), capture_output=True, text=True, check=True)
    assert "[(2017, 'published'), (2018, 'published'), (2026, 'open')]" in before.stdout
    assert "Lien personnel de démonstration, questionnaire 2026" in first.stdout
    second = subprocess.run(
        [*OBSERVATOIRE, "demo", "--no-serve"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert second.returncode == 0, second.stderr
    assert "mot de passe «" not in second.stdout
    assert "déjà présent" in second.stdout
    assert "Lien personnel de démonstration, questionnaire 2026" in second.stdout
    after = subprocess.run(count, env=_env(tmp_path), capture_output=True, text=True, check=True)
    assert before.stdout == after.stdout


@pytest.mark.slow
def test_serve_answers_pages_health_and_static_files():
    with demo_server(workers=1) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for path, expected_type in [
            ("/", "text/html"),
            ("/healthz", "application/json"),
            ("/en/", "text/html"),
        ]:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
            assert response.status == 200, (path, body[:200])
            assert response.getheader("Content-Type").startswith(expected_type)
        connection.request("GET", "/")
        html = connection.getresponse().read().decode()
        css = html.split('href="/static/css/site')[1].split('"')[0]
        connection.request("GET", f"/static/css/site{css}")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
        assert "max-age=315360000" in response.getheader("Cache-Control")  # hashed name, cached


def test_static_files_are_collected_again_only_when_a_source_changed(settings, tmp_path):
    from observatoire.pages.static_files import collect_if_changed

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "extra.css").write_text("body { color: black; }")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, sources]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATIC_ROOT.mkdir()

    assert collect_if_changed() is True
    assert (settings.STATIC_ROOT / "extra.css").exists()
    assert collect_if_changed() is False  # nothing changed: no second collection

    (sources / "extra.css").write_text("body { color: navy; }")
    later = time.time() + 10  # collectstatic compares modification times to the second
    os.utime(sources / "extra.css", (later, later))
    assert collect_if_changed() is True
    assert "navy" in (settings.STATIC_ROOT / "extra.css").read_text()


def test_demo_links_use_the_port_it_serves_on(db, settings, monkeypatch):
    from django.core.management import call_command

    from observatoire.pages.management.commands import demo

    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setattr(demo.apps, "get_app_configs", lambda: [])  # no loader: only the links
    call_command("demo", "--no-serve", "--port", "8123", stdout=io.StringIO())
    assert settings.SITE_URL == "http://127.0.0.1:8123"
    assert settings.WAGTAILADMIN_BASE_URL == "http://127.0.0.1:8123"
