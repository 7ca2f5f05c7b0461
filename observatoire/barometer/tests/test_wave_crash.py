"""Waves that survive a crash: a worker killed mid-wave sends nothing twice and loses nothing.

The end-to-end test runs real processes: `observatoire db_worker` against a database file
(SQLite: a copy of the test database) or the test database itself (PostgreSQL), and an SMTP
server (aiosmtpd) in this process that records every message it receives. The other tests put
the database in the state a dead worker leaves behind, then let the next worker resume.
"""

import collections
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from email import message_from_bytes

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from ..models import Invitation, Message, Wave
from ..services import (
    BarometerError,
    queue_wave,
    resolve_doubt,
    resume_stalled_waves,
    send_invitation_wave,
)
from ..tasks import run_wave
from . import factory

INVITATIONS = 60
RATE = 15  # messages per second: the wave lasts about four seconds
STALLED_AFTER = 2  # seconds without a heartbeat before the next worker takes the wave over


class Sink:
    """An SMTP server's handler that keeps who received what."""

    def __init__(self):
        self.received = []  # (recipient, Message-ID)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message_id = message_from_bytes(envelope.content)["Message-ID"]
        with self.lock:
            self.received.extend((to, message_id) for to in envelope.rcpt_tos)
        return "250 Message accepted"

    def count(self):
        with self.lock:
            return len(self.received)


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    sink.port = port
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink
    controller.stop()


def _database_for_workers(tmp_path):
    """The database URL the worker processes use, and a function to query it from here."""
    if connection.vendor == "sqlite":
        # The test database lives in memory: the workers get a file copy of it.
        path = tmp_path / "workers.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.close()

        def query(sql):
            with sqlite3.connect(path, timeout=20) as reader:
                return reader.execute(sql).fetchall()

        return f"sqlite:///{path}", query
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    url = (
        f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )

    def query(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    return url, query


def _worker(database_url, tmp_path, smtp_port, log):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(tmp_path / "var"),
        "DEBUG": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "BAROMETER_SEND_RATE": str(RATE),
        "BAROMETER_WAVE_STALLED_AFTER": str(STALLED_AFTER),
        "SITE_URL": "https://observatoire.test",
    }
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "observatoire.cli", "db_worker", "--backend", "background"),
            *("--no-reload", "--no-startup-delay", "--interval", "0.2"),
        ],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)  # the worker processes must see the data
def test_a_worker_killed_mid_wave_sends_nothing_twice_and_loses_nothing(
    edition, grenoble, settings, tmp_path, smtp_sink
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    settings.BAROMETER_WAVE_STALLED_AFTER = STALLED_AFTER  # when the queued watch comes due
    everyone = {f"contact{n}@mairie.test" for n in range(INVITATIONS)}
    for email in sorted(everyone):
        factory.invitation(edition, grenoble, email, "")
    queue_wave(edition=edition, reminder=False)
    database_url, query = _database_for_workers(tmp_path)
    (tmp_path / "var").mkdir()
    with open(tmp_path / "workers.log", "w") as log:
        first = _worker(database_url, tmp_path, smtp_sink.port, log)
        try:
            _wait_for(lambda: smtp_sink.count() >= 20, 120, "the first worker to send 20")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            first.kill()
        delivered_before_kill = smtp_sink.count()
        second = _worker(database_url, tmp_path, smtp_sink.port, log)
        try:
            _wait_for(
                lambda: query("SELECT status FROM barometer_wave") == [("done",)],
                120,
                "the second worker to finish the wave",
            )
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
    assert delivered_before_kill < INVITATIONS  # killed in the middle of the wave

    received = collections.Counter(to for to, _message_id in smtp_sink.received)
    statuses = collections.Counter(
        status for (status,) in query("SELECT status FROM barometer_message")
    )
    by_status = collections.defaultdict(set)
    for email, status in query("SELECT to_email, status FROM barometer_message"):
        by_status[status].add(email)
    # Zero duplicates: nobody received the invitation twice.
    assert received and max(received.values()) == 1, received.most_common(3)
    # Zero lost: every invitation arrived, or is listed in doubt for staff (one killed worker:
    # one message at most, the one it had handed to the SMTP server but not yet recorded).
    assert len(by_status["doubt"]) <= 1
    assert set(received) | by_status["doubt"] == everyone
    assert by_status["sent"] <= set(received)
    assert set(received) - by_status["sent"] <= by_status["doubt"]
    assert statuses["queued"] == statuses["claimed"] == 0
    assert statuses["sent"] + statuses["doubt"] == INVITATIONS
    [(total, sent, failed)] = query("SELECT total, sent, failed FROM barometer_wave")
    assert (total, sent, failed) == (INVITATIONS, statuses["sent"], 0)
    # Two workers shared the wave; the killed one's task no longer reads "running".
    workers = query("SELECT DISTINCT claimed_by FROM barometer_message")
    assert len(workers) == 2
    tasks = query(
        "SELECT status, exception_class_path FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE '%run_wave'"
    )
    assert tasks == [("FAILED", "observatoire.barometer.services.WorkerLost")]


# --- the states a dead worker leaves behind ----------------------------------------------------


def _stalled_wave(edition, invitations, *, claimed_by_the_dead=1):
    """A wave whose worker died: its first message(s) claimed, the others queued, no heartbeat
    for ten minutes."""
    long_ago = timezone.now() - timezone.timedelta(minutes=10)
    wave = Wave.objects.create(
        edition=edition,
        kind=Wave.Kind.INVITATION,
        status=Wave.Status.RUNNING,
        total=len(invitations),
        started_at=long_ago,
        heartbeat_at=long_ago,
        worker="ghost:1:dead",
    )
    for number, invitation in enumerate(invitations):
        claimed = number < claimed_by_the_dead
        Message.objects.create(
            edition=edition,
            wave=wave,
            invitation=invitation,
            kind="invitation",
            to_email=invitation.contact.email,
            status=Message.Status.CLAIMED if claimed else Message.Status.QUEUED,
            claimed_by="ghost:1:dead" if claimed else "",
            claimed_at=long_ago if claimed else None,
        )
    return wave


def test_a_stalled_wave_is_resumed_and_its_claimed_message_is_in_doubt_not_resent(
    bob_invitation, eve_invitation, dana_invitation, edition
):
    wave = _stalled_wave(edition, [bob_invitation, eve_invitation, dana_invitation])
    assert wave.is_stalled and wave.can_resume
    assert resume_stalled_waves() == [wave.pk]
    wave.refresh_from_db()
    assert (wave.status, wave.sent, wave.failed) == (Wave.Status.DONE, 2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == ["dana@lyon.test", "eve@mairie.test"]
    doubt = Message.objects.get(status=Message.Status.DOUBT)
    assert doubt.to_email == "bob@mairie.test" and "arrêté" in doubt.error
    # Bob's invitation is neither "invited" nor picked by a new wave while in doubt.
    assert Invitation.objects.get(pk=bob_invitation.pk).invited_at is None
    assert send_invitation_wave(edition=edition).total == 0
    # Staff decide: resend it. The next wave does, once.
    resolve_doubt(message=doubt, delivered=False)
    assert send_invitation_wave(edition=edition).sent == 1
    assert [m.to[0] for m in mail.outbox].count("bob@mairie.test") == 1


def test_a_message_in_doubt_that_left_can_be_counted_as_sent(bob_invitation, edition):
    wave = _stalled_wave(edition, [bob_invitation])
    resume_stalled_waves()
    doubt = Message.objects.get(status=Message.Status.DOUBT)
    resolve_doubt(message=doubt, delivered=True)
    wave.refresh_from_db()
    assert wave.sent == 1 and not mail.outbox
    assert Invitation.objects.get(pk=bob_invitation.pk).invited_at == doubt.claimed_at
    with pytest.raises(BarometerError, match="plus incertain"):
        resolve_doubt(message=doubt, delivered=False)


def test_a_wave_with_a_live_worker_is_neither_taken_over_nor_doubled(
    bob_invitation, eve_invitation, edition, alice
):
    wave = _stalled_wave(edition, [bob_invitation, eve_invitation])
    Wave.objects.filter(pk=wave.pk).update(heartbeat_at=timezone.now())
    assert resume_stalled_waves() == []
    run_wave.enqueue(wave.pk)
    assert not mail.outbox and Message.objects.filter(status=Message.Status.CLAIMED).count() == 1
    with pytest.raises(BarometerError, match="encore en cours"):
        queue_wave(edition=edition, reminder=False, by=alice)


def test_a_stalled_wave_no_longer_blocks_new_waves_which_leave_its_invitations_to_it(
    bob_invitation, eve_invitation, dana_invitation, edition
):
    _stalled_wave(edition, [bob_invitation, eve_invitation])
    wave = send_invitation_wave(edition=edition)
    assert (wave.total, [m.to for m in mail.outbox]) == (1, [["dana@lyon.test"]])
    resume_stalled_waves()
    assert sorted(m.to[0] for m in mail.outbox) == ["dana@lyon.test", "eve@mairie.test"]


def test_staff_resume_a_stalled_wave_from_the_campaign_page(
    alice_client, bob_invitation, eve_invitation, edition, django_capture_on_commit_callbacks
):
    wave = _stalled_wave(edition, [bob_invitation, eve_invitation])
    page = alice_client.get(f"/admin/barometer/suivi/{edition.year}/campagne/").content.decode()
    assert "interrompue" in page and "Reprendre" in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = alice_client.post(
            f"/admin/barometer/suivi/{edition.year}/campagne/",
            {"action": "resume", "wave": wave.pk},
        )
    assert answer.status_code == 302
    wave.refresh_from_db()
    assert (wave.status, wave.sent) == (Wave.Status.DONE, 1)
    page = alice_client.get(f"/admin/barometer/suivi/{edition.year}/campagne/").content.decode()
    assert "Messages incertains" in page and "bob@mairie.test" in page
    doubt = Message.objects.get(status=Message.Status.DOUBT)
    alice_client.post(
        f"/admin/barometer/suivi/{edition.year}/campagne/",
        {"action": "doubt-sent", "message": doubt.pk},
    )
    doubt.refresh_from_db()
    assert doubt.status == Message.Status.SENT
    # A finished wave is not resumed again.
    answer = alice_client.post(
        f"/admin/barometer/suivi/{edition.year}/campagne/",
        {"action": "resume", "wave": wave.pk},
        follow=True,
    )
    assert "seule une vague interrompue" in answer.content.decode()


def test_every_wave_leaves_a_watch_in_the_queue_for_the_next_worker(
    bob_invitation, edition, alice, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "background": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    with django_capture_on_commit_callbacks(execute=True):
        send_invitation_wave(edition=edition)  # from the command line, sent in this process
    with django_capture_on_commit_callbacks(execute=True):
        queue_wave(edition=edition, reminder=False, by=alice)
    watches = DBTaskResult.objects.filter(task_path__endswith="watch_waves", status="READY")
    assert watches.count() == 1  # one watch waiting, not one per wave
    assert watches.get().run_after > timezone.now()
    assert DBTaskResult.objects.filter(task_path__endswith="run_wave").count() == 1
