"""Helpers to benchmark a real `observatoire serve` process on loopback."""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

OBSERVATOIRE = [sys.executable, "-m", "observatoire.cli"]
ROOT = Path(__file__).resolve().parent.parent


def run_worker(script, env=None, timeout=3600, flag="--worker"):
    """Run `script` (a bench file) again as `python script --worker` in a fresh process, with
    `env` added to this environment; returns the JSON object its last line of output prints.

    A fresh process per measurement: its own settings (database, VAR_DIR) and its own memory.
    """
    result = subprocess.run(
        [sys.executable, str(Path(script).resolve()), flag],
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{Path(script).stem} worker failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def demo_server(workers=2, env=None):
    """A demo database in a temporary folder, served by gunicorn; yields the port."""
    with tempfile.TemporaryDirectory(prefix="observatoire-bench-") as var_dir:
        # A SQLite database in the temporary folder unless the caller passes DATABASE_URL.
        inherited = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        environment = {**inherited, "VAR_DIR": var_dir, "DEBUG": "1", **(env or {})}
        subprocess.run(
            [*OBSERVATOIRE, "demo", "--no-serve"],
            env=environment,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with serve(environment, workers=workers) as (port, _server):
            yield port


@contextmanager
def serve(environment, workers=2, options=()):
    """`observatoire serve` in production mode on an existing VAR_DIR and database (both in
    `environment`); yields (port, the server's Popen) once /healthz answers."""
    port = free_port()
    log = open(Path(environment["VAR_DIR"]) / "server.log", "a")
    server = subprocess.Popen(
        [*OBSERVATOIRE, "serve", "--port", str(port), "--workers", str(workers), *options],
        env={
            **environment,
            "DEBUG": "0",
            "SECRET_KEY": "bench",
            "SECURE_SSL_REDIRECT": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(port, server)
        yield port, server
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def get(port, path, timeout=60):
    """Status and body of one GET."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def worker_pids(server):
    """The gunicorn workers of a server started by `serve` (children of its master)."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    except OSError:
        return []
    # Not a builder of the search index, which a worker may have started.
    return [int(pid) for pid in children if "build_search_index" not in _cmdline(pid)]


def _cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def memory_mb(pid):
    """RSS, PSS and USS (private pages) of a process in MB, from /proc/PID/smaps_rollup.

    RSS counts pages shared with other workers once in every worker; PSS splits them
    between the processes sharing them; USS is what the process alone holds.
    """
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_unit = line.split()
        fields[name.rstrip(":")] = int(value) / 1024
    return {
        "rss": fields["Rss"],
        "pss": fields["Pss"],
        "uss": fields["Private_Clean"] + fields["Private_Dirty"],
    }


def _wait_until_up(port, server, timeout=300):  # a loaded machine starts slowly
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("observatoire serve exited early")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("observatoire serve did not answer /healthz in time")


def load(port, path, requests=400, concurrency=4):
    """GET `path` a bounded number of times from `concurrency` threads; latencies in ms."""

    def worker(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies = []
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}")
            latencies.append((time.perf_counter() - started) * 1000)
        connection.close()
        return latencies

    per_thread = [requests // concurrency] * concurrency
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = [ms for chunk in pool.map(worker, per_thread) for ms in chunk]
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=20)
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": quantiles[18],
    }


# --- PostgreSQL: one meaning of BENCH_POSTGRES_URL for every bench ----------------------------
#
# BENCH_POSTGRES_URL names a PostgreSQL *server* (the database in its path, if any, is only used
# to connect; default postgres://postgres@127.0.0.1:5432/postgres). Each bench creates its own
# scratch database there and drops it afterwards. No server answering: the PostgreSQL rows say
# "skipped" with the reason.

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_server():
    """(maintenance URL, None) when a server answers, else (None, why it was skipped)."""
    from urllib.parse import urlsplit, urlunsplit

    url = os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    parts = urlsplit(url)
    if parts.path in ("", "/"):
        url = urlunsplit(parts._replace(path="/postgres"))
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return url, None
    except Exception as error:  # no server, no rights: the row says so
        return None, f"skipped: no PostgreSQL at BENCH_POSTGRES_URL ({error.__class__.__name__})"


@contextmanager
def scratch_database(server_url, prefix):
    """A new empty database on the server; yields its URL, drops it afterwards."""
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
