"""Helpers to benchmark a real `observatoire serve` process on loopback."""

import http.client
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
        port = free_port()
        log = open(Path(var_dir) / "server.log", "w")
        server = subprocess.Popen(
            [*OBSERVATOIRE, "serve", "--port", str(port), "--workers", str(workers)],
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
            yield port
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()


def _wait_until_up(port, server, timeout=60):
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
