"""A wave of 20,000 invitations to a local SMTP server: throughput and bounded memory.

The bench starts an SMTP server (aiosmtpd) on 127.0.0.1 that counts and discards messages,
then a child process (SQLite, fresh schema, 5,000 territories with 4 contacts each) sends the
wave through Django's SMTP backend with no throttling (BAROMETER_SEND_RATE=0): first 2,000
invitations, then the other 18,000. The peak resident memory after each part shows whether
memory grows with the size of the wave (it should not: invitations are read and sent in chunks).

    python -m bench barometer_wave
"""

import json
import resource
import sys
import threading
import time

from bench.bench_barometer_submit import _child
from bench.server import free_port

TERRITORIES = 5_000
CONTACTS_PER_TERRITORY = 4
FIRST = 2_000


class CountingHandler:
    def __init__(self):
        self.messages = 0
        self.recipients = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages += 1
            self.recipients += len(envelope.rcpt_tos)
        return "250 Message accepted"


def run():
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        result = _child(
            "bench.bench_barometer_wave",
            extra_env={
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(port),
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "BAROMETER_SEND_RATE": "0",
                "SITE_URL": "https://observatoire.example.org",
            },
        )
    finally:
        controller.stop()
    total = TERRITORIES * CONTACTS_PER_TERRITORY
    growth = result["rss_after_all_mb"] - result["rss_after_first_mb"]
    return [
        {
            "benchmark": "barometer wave: messages received by the SMTP server",
            "value": handler.messages,
            "unit": "messages",
            "target": str(total),
            "note": f"{result['failed']} failed in the message log",
        },
        {
            "benchmark": "barometer wave: throughput (18,000 messages)",
            "value": result["rest_rate"],
            "unit": "msg/s",
            "note": "one SMTP connection, a fresh token and a log row per message",
        },
        {
            "benchmark": "barometer wave: throughput (first 2,000)",
            "value": result["first_rate"],
            "unit": "msg/s",
        },
        {
            "benchmark": "barometer wave: peak RSS after 2,000 messages",
            "value": result["rss_after_first_mb"],
            "unit": "MB",
        },
        {
            "benchmark": "barometer wave: peak RSS after 20,000 messages",
            "value": result["rss_after_all_mb"],
            "unit": "MB",
            "baseline": "peak after 2,000",
            "ratio": result["rss_after_all_mb"] / result["rss_after_first_mb"],
            "target": "bounded (ratio ≈ 1)",
            "note": f"growth {growth:.1f} MB for 9× more messages",
        },
    ]


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_main():
    import django

    django.setup()
    from django.core.management import call_command

    from bench.bench_barometer_submit import build_population
    from observatoire.barometer.models import Message
    from observatoire.barometer.services import send_invitation_wave

    call_command("migrate", verbosity=0)
    edition = build_population(
        TERRITORIES, contacts_per_territory=CONTACTS_PER_TERRITORY, responses=False
    )
    started = time.perf_counter()
    first = send_invitation_wave(edition=edition, limit=FIRST)
    first_seconds = time.perf_counter() - started
    rss_first = _peak_mb()
    started = time.perf_counter()
    rest = send_invitation_wave(edition=edition)
    rest_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "first_rate": first.sent / first_seconds,
                "rest_rate": rest.sent / rest_seconds,
                "sent": first.sent + rest.sent,
                "failed": Message.objects.filter(status="failed").count(),
                "rss_after_first_mb": rss_first,
                "rss_after_all_mb": _peak_mb(),
            }
        )
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child_main()
    else:
        from bench.__main__ import markdown_table

        print(markdown_table(run()))
