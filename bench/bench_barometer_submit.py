"""Latency of a survey page submit with 5,000 responses in the database, SQLite and PostgreSQL.

Each database gets a fresh schema in a child process (migrate), then a population like the
barometer's: 5,000 territories in the frame, 5,000 contacts and invitations, 5,000 responses
with answers and their history. The timed request is the POST of a survey page through the
whole Django stack (Django's test client, in process: no network, no WSGI server), which
loads the token, checks the version, evaluates and validates the XLSForm, writes the page with
UPDATE ... WHERE version = n and logs who saved it. "page change" adds the GET of the next page.

    python -m bench barometer_submit

PostgreSQL is used when the server named by BENCH_POSTGRES_URL answers (bench/server.py: one
meaning for every bench); a scratch database is created there and dropped afterwards. A row
compares the page submit with the bare UPDATE of the same JSON (the write it ends with).
"""

import html
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time

RESPONSES = 5_000
REQUESTS = 300
TARGET_MS = 200


def _environment(var_dir, database_url=None):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "observatoire.settings",
        "VAR_DIR": var_dir,
        "DEBUG": "0",
        "SECRET_KEY": "bench",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _child(module, database_url=None, extra_env=None):
    with tempfile.TemporaryDirectory(prefix="observatoire-bench-barometer-") as var_dir:
        env = {**_environment(var_dir, database_url), **(extra_env or {})}
        done = subprocess.run(
            [sys.executable, "-m", module, "--child"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{module} child failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def run():
    from bench.server import postgres_server, scratch_database

    rows = _rows("SQLite", _child("bench.bench_barometer_submit"))
    server, skipped = postgres_server()
    if server:
        with scratch_database(server, "obs_bench_barometer") as url:
            rows += _rows("PostgreSQL", _child("bench.bench_barometer_submit", url))
    else:
        rows.append(
            {"benchmark": "barometer page submit (PostgreSQL)", "value": None, "note": skipped}
        )
    return rows


def _rows(label, result):
    rows = []
    note = f"{result['responses']} responses, {REQUESTS} requests, in-process client"
    for key, name in (
        ("post", "page submit (POST)"),
        ("change", "page change (POST + next GET)"),
    ):
        rows.append(
            {
                "benchmark": f"barometer {name}, {label}: p50",
                "value": result[key]["p50"],
                "unit": "ms",
            }
        )
        rows.append(
            {
                "benchmark": f"barometer {name}, {label}: p95",
                "value": result[key]["p95"],
                "unit": "ms",
                "target": f"< {TARGET_MS} ms" if key == "post" else "",
                "note": note,
            }
        )
    rows.append(
        {
            "benchmark": f"barometer page submit against the bare UPDATE of its JSON, {label}: p50",
            "value": result["post"]["p50"],
            "unit": "ms",
            "baseline": result["bare"]["p50"],
            "ratio": result["post"]["p50"] / result["bare"]["p50"],
            "note": "baseline: one UPDATE ... WHERE version = n of the same answers, in a "
            "transaction, same database, same run",
        }
    )
    rows.append(
        {
            "benchmark": f"barometer final submit (summary POST), {label}: p95",
            "value": result["final"]["p95"],
            "unit": "ms",
            "note": f"{result['final']['n']} submissions",
        }
    )
    return rows


# --- child process ----------------------------------------------------------------------------


def build_population(count, *, contacts_per_territory=1, responses=True, seed=2018):
    """Territories, a frame, an open 2018 edition with the demo form, contacts and invitations;
    optionally a response per territory. Returns the edition."""
    from django.utils import timezone

    from observatoire.barometer.demo import DEMO_FORMS, sample_answers
    from observatoire.barometer.models import Contact, Edition, Invitation, PageSave, Response
    from observatoire.barometer.services import import_questionnaire
    from observatoire.territories.models import Frame, FrameMember, Territory

    rng = random.Random(seed)
    territories = Territory.objects.bulk_create(
        [
            Territory(
                kind="commune",
                code=f"B{number:05d}",
                name=f"Commune {number}",
                population=rng.randint(3_500, 200_000),
                zone="metro",
                vintage=2026,
                search_name=f"commune {number}",
                lookup_codes=f" B{number:05d} ",
            )
            for number in range(count)
        ],
        batch_size=1000,
    )
    territories = list(Territory.objects.filter(code__startswith="B").order_by("code"))
    frame = Frame.objects.create(year=2018, vintage=2026, source="bench", counts={})
    FrameMember.objects.bulk_create(
        [
            FrameMember(
                frame=frame,
                territory=t,
                kind="commune",
                band="3500-9999",
                population=t.population,
                name=t.name,
            )
            for t in territories
        ],
        batch_size=1000,
    )
    today = timezone.localdate()
    edition = Edition.objects.create(
        year=2018,
        status="open",
        frame=frame,
        opens_on=today - timezone.timedelta(days=5),
        closes_on=today + timezone.timedelta(days=30),
    )
    import_questionnaire(
        edition=edition,
        source=(DEMO_FORMS / "barometre-2018.xlsx").read_bytes(),
        filename="barometre-2018.xlsx",
    )
    edition.refresh_from_db()
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                email=f"contact{t.code.lower()}-{n}@bench.example.org",
                name=f"Contact {n} {t.name}",
                territory=t,
            )
            for t in territories
            for n in range(contacts_per_territory)
        ],
        batch_size=1000,
    )
    contacts = list(Contact.objects.order_by("pk"))
    Invitation.objects.bulk_create(
        [Invitation(edition=edition, contact=c, territory_id=c.territory_id) for c in contacts],
        batch_size=1000,
    )
    if responses:
        form = edition.form
        now = timezone.now()
        Response.objects.bulk_create(
            [
                Response(
                    edition=edition,
                    territory=t,
                    answers=sample_answers(form, t, rng),
                    version=5,
                    status="submitted" if i % 3 == 0 else "in_progress",
                    submitted_at=now if i % 3 == 0 else None,
                    current_page="moyens",
                )
                for i, t in enumerate(territories)
            ],
            batch_size=500,
        )
        saves = [
            PageSave(response_id=pk, page=page, version=v, channel="web")
            for pk in Response.objects.values_list("pk", flat=True)
            for v, page in enumerate(("profil", "dispositifs_page", "moyens", "fin"), 2)
        ]
        PageSave.objects.bulk_create(saves, batch_size=2000)
    return edition


def _hidden_inputs(page):
    """The hidden fields of a survey form, as a browser would post them back."""
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }


def _quantiles(values):
    return {
        "p50": statistics.median(values),
        "p95": statistics.quantiles(values, n=20)[18],
        "n": len(values),
    }


def _child_main():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client, override_settings

    call_command("migrate", verbosity=0)
    edition = build_population(RESPONSES)
    from observatoire.barometer.access import issue_token
    from observatoire.barometer.models import Invitation, Response

    rng = random.Random(7)
    invitations = list(Invitation.objects.filter(edition=edition).order_by("?")[:REQUESTS])
    tokens = [issue_token(invitation=invitation) for invitation in invitations]
    client = Client()
    posts, changes, finals = [], [], []
    storage = {
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    with override_settings(STORAGES=storage):
        for token in tokens:
            url = f"/barometre/repondre/{token}/page/moyens/"
            hidden = _hidden_inputs(client.get(url).content.decode())
            form = {
                **hidden,
                "action": "next",
                "etp": str(rng.choice(["0,5", "1", "2", "3,5"])),
                "budget": rng.choice(["1k_5k", "5k_10k", "10k_50k"]),
                "site_web_reseaux": "oui",
            }
            started = time.perf_counter()
            answer = client.post(url, form)
            posted = time.perf_counter()
            if answer.status_code != 302:
                raise RuntimeError(f"POST {url} answered {answer.status_code}")
            client.get(answer["Location"])
            finished = time.perf_counter()
            posts.append((posted - started) * 1000)
            changes.append((finished - started) * 1000)
        # The baseline: the bare write a page submit ends with, on the same responses.
        bare = []
        for invitation in invitations:
            response = Response.objects.get(edition=edition, territory_id=invitation.territory_id)
            answers = {**response.answers, "etp": str(rng.choice(["0,5", "1", "2"]))}
            started = time.perf_counter()
            with transaction.atomic():
                Response.objects.filter(pk=response.pk, version=response.version).update(
                    answers=answers, version=response.version + 1
                )
            bare.append((time.perf_counter() - started) * 1000)
        for token in tokens[:50]:
            summary = f"/barometre/repondre/{token}/recapitulatif/"
            version = _hidden_inputs(client.get(summary).content.decode())["version"]
            started = time.perf_counter()
            client.post(summary, {"version": version})
            finals.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "responses": Response.objects.count(),
                "post": _quantiles(posts),
                "change": _quantiles(changes),
                "final": _quantiles(finals),
                "bare": _quantiles(bare),
            }
        )
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child_main()
    else:
        from bench.__main__ import markdown_table

        print(markdown_table(run()))
