"""Latency of the public API's list endpoints (/api/v1/tools, /organisations, /initiatives)
with the cartography's filters, on the synthetic directory of bench_directory_data (170,000
entries at scale 1), against the same page read by SQL alone (the filtered queryset's first
51 rows as plain values, in primary-key order): what the API adds is the representation,
the JSON and the middleware (ETag, CORS, rate limit off).

    python -m bench api
    BENCH_API_SCALE=0.02 python bench/bench_api.py   # a fiftieth of the size

SQLite only (a temporary folder). Throughput under `observatoire serve` is not measured yet.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 10
QUERIES = [
    "tools?limit=50",
    "tools?objectif=coproduction&region=84",
    "tools?q=budget+participatif",
    "initiatives?departement=69",
    "initiatives?q=consultation&fields=id,name",
    "organisations?acteur=collectivite&region=11",
    "tools?libre=oui&format=csv",
]


def _percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(round(fraction * (len(ordered) - 1)), len(ordered) - 1)]


def _worker():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["API_RATE_LIMIT"] = "0"
    django.setup()
    from django.core.management import call_command
    from django.http import QueryDict
    from django.test import Client

    sys.path.insert(0, str(ROOT))
    from bench.bench_directory_data import generate_synthetic
    from observatoire.directory import search
    from observatoire.directory.models import ENTRY_MODELS

    call_command("migrate", verbosity=0, interactive=False)
    call_command("territories", "load", verbosity=0)
    scale = float(os.environ.get("BENCH_API_SCALE", "1"))
    generate_synthetic(
        n_tools=int(50_000 * scale), n_orgs=int(20_000 * scale), n_initiatives=int(100_000 * scale)
    )
    index = search.get_index()
    client = Client()
    for query in QUERIES:
        assert client.get(f"/api/v1/{query}").status_code == 200, query
    api_ms = []
    for _ in range(REPEATS):
        for query in QUERIES:
            begin = time.perf_counter()
            response = client.get(f"/api/v1/{query}")
            api_ms.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, query
    sql_ms = []
    for query in QUERIES:
        resource, _, string = query.partition("?")
        entity = {"tools": "tool", "organisations": "organisation", "initiatives": "initiative"}
        params = search.SearchParams.from_query(QueryDict(string), index.labels)
        queryset = search.entry_querysets(params).get(
            entity[resource], ENTRY_MODELS[entity[resource]].objects.none()
        )
        for _ in range(REPEATS):
            begin = time.perf_counter()
            list(queryset.order_by("pk").values()[:51])
            sql_ms.append((time.perf_counter() - begin) * 1000)
    print(
        json.dumps(
            {
                "entries": index.size,
                "api_p50": statistics.median(api_ms),
                "api_p95": _percentile(api_ms, 0.95),
                "sql_p95": _percentile(sql_ms, 0.95),
                "requests": len(api_ms),
            }
        )
    )


def run():
    with tempfile.TemporaryDirectory(prefix="bench-api-") as var_dir:
        env = {"VAR_DIR": var_dir, "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3"}
        result = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            env={**os.environ, **env},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=3600,
        )
    if result.returncode != 0:
        raise RuntimeError(f"bench_api worker failed:\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    note = f"{figures['entries']} published entries, {len(QUERIES)} queries × {REPEATS}"
    return [
        {
            "benchmark": "API list endpoint p95 (SQLite)",
            "value": figures["api_p95"],
            "unit": "ms",
            "baseline": f"SQL only p95 {figures['sql_p95']:.1f} ms",
            "ratio": figures["api_p95"] / figures["sql_p95"],
            "note": note,
        },
        {"benchmark": "API list endpoint p50 (SQLite)", "value": figures["api_p50"], "unit": "ms"},
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if "--worker" in sys.argv:
        _worker()
    else:
        from bench.__main__ import markdown_table

        print(markdown_table(run()))
