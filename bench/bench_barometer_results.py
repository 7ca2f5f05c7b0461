"""Publication of the barometer: an edition of 5,000 responses, from the database to the pages.

Runs in a child process with a temporary SQLite database (VAR_DIR in a temporary folder, as
bench/server.py does), so the shared database is never touched:

1. the full analysis from the database (load the responses, weight, estimate every question
   with its interval overall and by kind, size and région, with the tests), against the raw
   aggregation of the same answers in polars (weighted counts per option, overall and by
   kind): the ratio says what the intervals, tests and suppression cost;
2. the charts of the results page, rendered into an empty render cache, then again once
   stored (what a recomputation costs when a chart did not change);
3. the cached results page (Django test client, median of 10 requests);
4. the PDF report (WeasyPrint).

Background tasks go to the database queue and are not run (no worker), as in production
where the worker draws the cross-tabs' charts after the request.

    python -m bench barometer_results
"""

import json
import os
import subprocess
import sys
import tempfile
import time

RESPONSES = 5_000
COMMUNES = 7_000
EPCIS = 1_000
YEAR = 2026
BANDS = [(0, "0-999"), (1_000, "1000-3499"), (3_500, "3500-9999"), (10_000, "10000+")]


def run() -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="observatoire-bench-results-") as var_dir:
        environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        environment.update(VAR_DIR=var_dir, DJANGO_SETTINGS_MODULE="observatoire.settings")
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_barometer_results", "--child"],
            env=environment,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"bench_barometer_results failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def _band(population: int) -> str:
    return next(name for low, name in reversed(BANDS) if population >= low)


def _build_edition():
    import random

    from django.db import transaction
    from django.utils import timezone

    from observatoire.barometer.demo import sample_answers
    from observatoire.barometer.models import Response
    from observatoire.barometer.results.tests import factory
    from observatoire.territories.models import FrameMember, Territory

    rng = random.Random(2026)
    with transaction.atomic():
        region = factory.territory("region", "84", "Auvergne-Rhône-Alpes", 8_000_000)
        rows = [
            Territory(
                kind="commune",
                code=f"{n:05d}",
                name=f"Commune {n}",
                population=int(rng.lognormvariate(7, 1.4)) + 50,
                zone="metro",
                vintage=2026,
                search_name=f"commune {n}",
                region=region,
            )
            for n in range(COMMUNES)
        ] + [
            Territory(
                kind="epci",
                code=f"2{n:08d}",
                name=f"CC {n}",
                population=int(rng.lognormvariate(10, 0.8)) + 1000,
                zone="metro",
                vintage=2026,
                search_name=f"cc {n}",
                region=region,
            )
            for n in range(EPCIS)
        ]
        territories = Territory.objects.bulk_create(rows, batch_size=1000)
        frame = factory.frame(YEAR, [])
        FrameMember.objects.bulk_create(
            (
                FrameMember(
                    frame=frame,
                    territory=t,
                    kind=t.kind,
                    band=_band(t.population) if t.kind == "commune" else "epci",
                    population=t.population,
                    name=t.name,
                )
                for t in territories
            ),
            batch_size=1000,
        )
        edition = factory.edition(YEAR, frame, factory.demo_definition(YEAR))
        form = edition.form
        now = timezone.now()
        Response.objects.bulk_create(
            (
                Response(
                    edition=edition,
                    territory=t,
                    answers=sample_answers(form, t, rng),
                    status=Response.Status.SUBMITTED,
                    submitted_at=now,
                )
                for t in rng.sample(territories, RESPONSES)
            ),
            batch_size=500,
        )
    return edition


def _polars_baseline(edition) -> tuple[float, int]:
    """Raw weighted counts per option of every choice question, overall and by kind."""
    import polars as pl

    from observatoire.barometer.results.compute import weigh
    from observatoire.barometer.results.data import load_edition

    data = load_edition(edition)
    weights = weigh(data).weights
    columns = [s.name for s in data.specs if not s.repeat and s.kind in ("single", "multiple")]
    columns += [
        item.key
        for s in data.specs
        if not s.repeat and s.kind in ("likert", "score")
        for item in s.items
    ]
    frame = pl.DataFrame(
        {
            "kind": data.respondents["kind"].astype(str).tolist(),
            "w": weights.reindex(data.respondents.index).astype(float).tolist(),
        }
    ).with_columns(
        pl.Series(
            c,
            [
                None if v is None else (" ".join(v) if isinstance(v, list) else str(v))
                for v in data.answers[c].reindex(data.respondents.index)
            ],
            dtype=pl.String,
        )
        for c in columns
        if c in data.answers
    )
    started = time.perf_counter()
    tables = 0
    for column in columns:
        if column not in frame.columns:
            continue
        exploded = (
            frame.select("kind", "w", pl.col(column).str.split(" ").alias("v"))
            .drop_nulls("v")
            .explode("v")
        )
        exploded.group_by("v").agg(pl.col("w").sum())
        exploded.group_by("kind", "v").agg(pl.col("w").sum())
        tables += 2
    return time.perf_counter() - started, tables


def child() -> list[dict]:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    call_command("migrate", verbosity=0)
    edition = _build_edition()

    from observatoire.barometer.results.charts import render_many
    from observatoire.barometer.results.compute import analyse, chart_of, compute_results
    from observatoire.barometer.results.data import load_edition
    from observatoire.barometer.results.models import RenderedChart
    from observatoire.barometer.results.report import build_report
    from observatoire.lib.stats import QuestionEstimate

    started = time.perf_counter()
    payload = analyse(load_edition(edition), charts=False)
    analysis = time.perf_counter() - started
    questions = len(payload["analysis"]["estimates"])
    baseline, tables = _polars_baseline(edition)

    estimates = payload["analysis"]["estimates"]
    charts = [
        chart_of(QuestionEstimate.from_dict(data), f"chart-{name}")
        for name, data in estimates.items()
    ]
    started = time.perf_counter()
    render_many(charts)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    render_many(charts)
    warm = time.perf_counter() - started
    stored = RenderedChart.objects.count()

    cache = compute_results(edition=edition)  # stores the payload the pages read

    client = Client()
    url = f"/barometre/{YEAR}/resultats/"
    assert client.get(url).status_code == 200  # warm
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    timings.sort()
    page = timings[len(timings) // 2]

    started = time.perf_counter()
    pdf = build_report(edition)
    report = time.perf_counter() - started

    scope = f"{cache.respondents} responses × {questions} estimated questions (2026 demo form)"
    return [
        {
            "benchmark": "barometer results: full analysis from the database",
            "value": analysis,
            "unit": "s",
            "baseline": baseline,
            "ratio": analysis / baseline if baseline else None,
            "target": "< 5 s",
            "note": f"{scope}, overall and by kind, size, région, with intervals and tests; "
            f"baseline: polars weighted counts ({tables} tables) on the same answers",
        },
        {
            "benchmark": "barometer results: charts of the results page, empty render cache",
            "value": cold,
            "unit": "s",
            "note": f"{len(charts)} charts ({stored} distinct specs), vl-convert; "
            f"{cold / max(1, stored):.2f} s per chart",
        },
        {
            "benchmark": "barometer results: the same charts from the render cache",
            "value": warm * 1000,
            "unit": "ms",
            "baseline": cold * 1000,
            "ratio": warm / cold if cold else None,
            "note": "one query for every digest, accessible labels added per use",
        },
        {
            "benchmark": "barometer results: cached results page",
            "value": page * 1000,
            "unit": "ms",
            "target": "< 300 ms",
            "note": f"median of 10 requests, Django test client, {len(response.content):,} bytes",
        },
        {
            "benchmark": "barometer results: PDF report",
            "value": report,
            "unit": "s",
            "target": "< 60 s",
            "note": f"WeasyPrint, {len(pdf):,} bytes, from the cached analysis",
        },
    ]


if __name__ == "__main__" and "--child" in sys.argv:
    print(json.dumps(child()))
