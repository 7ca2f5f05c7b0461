"""Requests/s and latency of the home page and of a static file under `observatoire serve`.

The static file (served by WhiteNoise from memory-mapped files) is the baseline: the home page's
ratio to it says how much the Django/Wagtail rendering costs on this machine.
"""

import http.client
import re

from bench.server import demo_server, load

REQUESTS = 400


def _static_path_and_cache(port):
    """The stylesheet's address, and what the page cache said of a second visit of `/`."""
    said = []
    for _ in range(2):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/")
        response = connection.getresponse()
        html = response.read().decode()
        said.append(response.getheader("X-Observatoire-Cache") or "not cacheable")
    return re.search(r'href="(/static/css/site[^"]*\.css)"', html).group(1), said[-1]


CONCURRENCY = (1, 4, 16)
TARGET_SHARE = 1 / 3  # the home page at least a third of a static file's throughput


def run():
    with demo_server() as port:
        load(port, "/", requests=40)  # warm-up
        static_path, cache = _static_path_and_cache(port)
        figures = {
            clients: (
                load(port, static_path, requests=REQUESTS, concurrency=clients),
                load(port, "/", requests=REQUESTS, concurrency=clients),
            )
            for clients in CONCURRENCY
        }
    rows = []
    for clients, (static, home) in figures.items():
        note = f"{REQUESTS} requests each, {clients} client(s), 2 gunicorn workers"
        rows.append(
            {
                "benchmark": f"home page throughput, {clients} client(s)",
                "value": home["rps"],
                "unit": "req/s",
                "baseline": f"static file (site.css) {static['rps']:.0f} req/s",
                "ratio": home["rps"] / static["rps"],
                "target": f"ratio ≥ {TARGET_SHARE:.2f}",
                "note": note,
            }
        )
        rows.append(
            {
                "benchmark": f"home page p95 latency, {clients} client(s)",
                "value": home["p95"],
                "unit": "ms",
                "baseline": f"static file p95 {static['p95']:.1f} ms",
                "ratio": home["p95"] / static["p95"],
                "note": f"anonymous visitor; page cache on a second visit: {cache}",
            }
        )
    return rows


if __name__ == "__main__":
    from bench.__main__ import markdown_table

    print(markdown_table(run()))
