"""Concurrent edits on a server database: the UPDATE ... WHERE version = n lets one writer win."""

import threading

import pytest
from django.db import connection

from ..models import PageSave, Response
from ..services import Actor, VersionConflict, save_page

WRITERS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_version_never_overwrite_each_other(
    edition, grenoble, bob_invitation
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them in one file lock)")
    response = Response.objects.create(edition=edition, territory=grenoble)
    barrier = threading.Barrier(WRITERS)
    outcomes = []

    def write(number):
        try:
            mine = Response.objects.select_related("edition__questionnaire").get(pk=response.pk)
            barrier.wait(timeout=10)
            save_page(
                response=mine,
                page="profil",
                answers={"nom_collectivite": f"écrit par {number}"},
                base_version=1,
                by=Actor(contact=bob_invitation.contact),
            )
            outcomes.append(("saved", number))
        except VersionConflict as conflict:
            outcomes.append(("conflict", conflict.current.version))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    saved = [number for outcome, number in outcomes if outcome == "saved"]
    assert len(saved) == 1 and len(outcomes) == WRITERS
    assert all(version == 2 for outcome, version in outcomes if outcome == "conflict")
    response.refresh_from_db()
    assert response.version == 2
    assert response.answers["nom_collectivite"] == f"écrit par {saved[0]}"
    assert PageSave.objects.count() == 1
