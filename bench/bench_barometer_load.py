"""The respondent journey under load through the real server, on PostgreSQL: 20 clients × 50.

A child process migrates a fresh PostgreSQL database and builds a population (territories,
contacts, invitations, no response yet), then prints one personal link per client. Then
`observatoire serve` (gunicorn, 3 workers × 2 threads, DEBUG off) runs against it, and 20
threads, each with its own link and its own cookies like a browser, GET a survey page and POST
it back with new answers, 50 times each. Reported: submits per second, p50/p95 of the POST,
errors (any answer but the redirect to the next page; must be 0) and the page saves stored in
the database (must equal the submits).

    python -m bench barometer_load

PostgreSQL: the server BENCH_POSTGRES_URL names, as every bench (bench/server.py); a scratch
database is created there and dropped afterwards. Skipped, with the reason, when none answers.
"""

import html
import http.client
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench.bench_barometer_submit import _environment, _hidden_inputs
from bench.server import (
    OBSERVATOIRE,
    _wait_until_up,
    free_port,
    postgres_server,
    scratch_database,
)

CLIENTS = 20
SUBMITS = 50
TERRITORIES = 500


def _stored(url):
    import psycopg

    with psycopg.connect(url) as connection:
        saves = connection.execute("SELECT count(*) FROM barometer_pagesave").fetchone()[0]
        versions = connection.execute(
            "SELECT coalesce(sum(version - 1), 0) FROM barometer_response"
        ).fetchone()[0]
    return saves, versions


class Browser:
    """One respondent: a keep-alive connection and the cookies the site sets."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {}

    def request(self, method, path, body=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        answer = self.connection.getresponse()
        content = answer.read().decode()
        for header in answer.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return answer.status, content


def _client(port, token, seed, latencies, errors):
    rng = random.Random(seed)
    browser = Browser(port)
    path = f"/barometre/repondre/{token}/page/moyens/"
    for _ in range(SUBMITS):
        try:
            status, page = browser.request("GET", path)
            if status != 200:
                errors.append(f"GET {status}")
                continue
            form = {
                **_hidden_inputs(page),
                "action": "next",
                "etp": rng.choice(["0,5", "1", "2", "3,5"]),
                "budget": rng.choice(["1k_5k", "5k_10k", "10k_50k"]),
                "site_web_reseaux": "oui",
            }
            started = time.perf_counter()
            status, body = browser.request("POST", path, urllib.parse.urlencode(form))
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 302:
                errors.append(f"POST {status}: {html.unescape(body)[:200]}")
        except (OSError, http.client.HTTPException) as error:
            errors.append(repr(error))
            browser = Browser(port)


def run():
    server_url, skipped = postgres_server()
    if not server_url:
        return [
            {
                "benchmark": "barometer respondent journey (PostgreSQL)",
                "value": None,
                "note": skipped,
            }
        ]
    with scratch_database(server_url, "obs_bench_barometer_load") as url:
        with tempfile.TemporaryDirectory(prefix="observatoire-bench-load-") as var_dir:
            env = _environment(var_dir, url)
            built = subprocess.run(
                [sys.executable, "-m", "bench.bench_barometer_load", "--child"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if built.returncode != 0:
                raise RuntimeError(f"bench_barometer_load child failed:\n{built.stderr[-3000:]}")
            tokens = json.loads(built.stdout.strip().splitlines()[-1])["tokens"]
            port = free_port()
            log = open(Path(var_dir) / "server.log", "w")
            server = subprocess.Popen(
                [*OBSERVATOIRE, "serve", "--port", str(port), "--workers", "3"],
                env={**env, "ALLOWED_HOSTS": "127.0.0.1"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                _wait_until_up(port, server, timeout=180)
                latencies, errors = [], []
                threads = [
                    threading.Thread(target=_client, args=(port, t, n, latencies, errors))
                    for n, t in enumerate(tokens)
                ]
                started = time.perf_counter()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                elapsed = time.perf_counter() - started
            finally:
                server.terminate()
                server.wait(timeout=30)
                log.close()
            saves, versions = _stored(url)
    submits = CLIENTS * SUBMITS
    note = f"{CLIENTS} clients × {SUBMITS}, GET + POST each, observatoire serve (3 × 2 threads)"
    return [
        {
            "benchmark": "barometer respondent journey, PostgreSQL: throughput",
            "value": submits / elapsed,
            "unit": "submits/s",
            "note": note,
        },
        {
            "benchmark": "barometer respondent journey, PostgreSQL: POST p50",
            "value": statistics.median(latencies),
            "unit": "ms",
        },
        {
            "benchmark": "barometer respondent journey, PostgreSQL: POST p95",
            "value": statistics.quantiles(latencies, n=20)[18],
            "unit": "ms",
        },
        {
            "benchmark": "barometer respondent journey, PostgreSQL: errors",
            "value": len(errors),
            "unit": "requests",
            "target": "0",
            "note": "; ".join(sorted(set(errors))[:3]),
        },
        {
            "benchmark": "barometer respondent journey, PostgreSQL: page saves stored",
            "value": saves,
            "unit": "saves",
            "target": f"{submits} (= submits)",
            "note": f"response versions advanced by {versions}",
        },
    ]


def _child_main():
    import django

    django.setup()
    from django.core.management import call_command

    from bench.bench_barometer_submit import build_population
    from observatoire.barometer.access import issue_token
    from observatoire.barometer.models import Invitation

    call_command("migrate", verbosity=0)
    edition = build_population(TERRITORIES, responses=False)
    # One territory per client: each respondent writes its own response.
    invitations = Invitation.objects.filter(edition=edition).order_by("pk")[:CLIENTS]
    print(json.dumps({"tokens": [issue_token(invitation=i) for i in invitations]}))


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child_main()
    else:
        from bench.__main__ import markdown_table

        print(markdown_table(run()))
