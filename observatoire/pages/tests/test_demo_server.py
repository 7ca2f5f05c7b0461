"""`observatoire demo` serves like `observatoire serve`: the pages that draw a chart cold answer.

A real first run of the demo (it loads the data, computing the results and their charts in its
own process), then every page that draws a chart at request time, fetched cold with a time
limit. Before the fix, the demo forked gunicorn from the process that had used polars and
vl-convert: those pages hung until gunicorn killed its worker (120 s).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CHART_PAGES = [
    "/barometre/tendances/",
    "/barometre/2018/resultats/budget/?par=fonction",
    "/barometre/2018/resultats/etp/?par=type_collectivite",
    "/barometre/2018/couts/",
    "/barometre/2017/couts/",
]
PAGE_TIMEOUT = 60  # seconds: about 2 s on an idle machine; a hung page waits for gunicorn (120 s)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port, path, timeout):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as answer:
        answer.read()
        return answer.status


@pytest.mark.slow
def test_the_demo_answers_every_page_that_draws_a_chart_cold(tmp_path):
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update({"VAR_DIR": str(tmp_path), "DEBUG": "1", "WEB_CONCURRENCY": "2"})
    log = open(tmp_path / "demo.log", "w")
    demo = subprocess.Popen(
        [sys.executable, "-m", "observatoire.cli", "demo", "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl+C below goes to the demo and its children, as in a terminal
    )
    try:
        deadline = time.monotonic() + 900  # the first load of the demo data
        while True:
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()[-3000:]
            try:
                if _get(port, "/healthz", timeout=5) == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the demo did not start"
            time.sleep(1)
        slow = {}
        for path in CHART_PAGES:
            started = time.monotonic()
            try:
                status = _get(port, path, timeout=PAGE_TIMEOUT)
            except OSError as error:  # a timeout, a connection closed by gunicorn
                status = repr(error)
            slow[path] = (status, round(time.monotonic() - started, 1))
        assert all(status == 200 for status, _seconds in slow.values()), slow
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=60)
        log.close()
    # Nothing left behind: the server and the worker stopped with the demo.
    with pytest.raises(OSError):
        _get(port, "/healthz", timeout=2)
