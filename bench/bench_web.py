"""Requests/s and latency of the home page and of a static file under `observatoire serve`.

The static file (served by WhiteNoise from memory-mapped files) is the baseline: the home page's
ratio to it says how much the Django/Wagtail rendering costs on this machine.
"""

import http.client
import re

from bench.server import demo_server, load

REQUESTS = 400


def _static_path(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/")
    html = connection.getresponse().read().decode()
    return re.search(r'href="(/static/css/site[^"]*\.css)"', html).group(1)


def run():
    with demo_server() as port:
        load(port, "/", requests=40)  # warm-up
        static = load(port, _static_path(port), requests=REQUESTS)
        home = load(port, "/", requests=REQUESTS)
    rows = []
    for label, figures in (("static file (site.css)", static), ("home page", home)):
        rows.append({"benchmark": f"{label}: throughput", "value": figures["rps"], "unit": "req/s"})
        rows.append({"benchmark": f"{label}: p50 latency", "value": figures["p50"], "unit": "ms"})
        rows.append({"benchmark": f"{label}: p95 latency", "value": figures["p95"], "unit": "ms"})
    rows.append(
        {
            "benchmark": "home page / static file, p95 latency",
            "value": home["p95"] / static["p95"],
            "unit": "x",
            "baseline": "static file p95",
            "ratio": home["p95"] / static["p95"],
            "note": f"{REQUESTS} requests each, 4 client threads, 2 gunicorn workers",
        }
    )
    return rows


if __name__ == "__main__":
    from bench.__main__ import markdown_table

    print(markdown_table(run()))
