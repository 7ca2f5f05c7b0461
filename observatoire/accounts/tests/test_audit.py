"""Staff actions on responses and contacts go to the audit log, readable by administrators only."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import ModelLogEntry

from observatoire.accounts import roles
from observatoire.barometer.models import Edition, Response
from observatoire.barometer.results.tests import factory
from observatoire.barometer.tests.test_journey import post_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_edition(db):
    return factory.Small(year=2026, status=Edition.Status.OPEN)


def test_staff_entry_writes_who_and_the_answers_before_and_after(member_of, open_edition):
    from django.test import Client

    team_member = member_of(roles.BAROMETER, "claire")
    client = Client()
    client.force_login(team_member)
    response = open_edition.responses[0]
    page = "etp"  # the small form has one question per page
    url = f"/barometre/saisie/2026/commune/{response.territory.code}/phone/page/{page}/"
    saved = post_page(client, None, page, {"etp": "777"}, url=url)
    assert saved.status_code == 302
    entry = ModelLogEntry.objects.get(action="observatoire.response.staff_save")
    assert entry.user == team_member and entry.object_id == str(response.pk)
    assert entry.data["changes"].get("etp") == {"before": 1.5, "after": 777}, entry.data
    assert entry.data["channel"] == "phone" and entry.content_changed
    assert Response.objects.get(pk=response.pk).answers["etp"] == 777


def test_contact_export_and_erase_are_logged_without_the_persons_name(alice_client, open_edition):
    contact = open_edition.edition.invitations.get().contact
    alice_client.get(f"/admin/barometer/suivi/contact/{contact.pk}/export/")
    alice_client.post(f"/admin/barometer/suivi/contact/{contact.pk}/effacer/")
    entries = ModelLogEntry.objects.filter(action__startswith="observatoire.contact.")
    assert sorted(entries.values_list("action", flat=True)) == [
        "observatoire.contact.erase",
        "observatoire.contact.export",
    ]
    assert all(e.label == f"Contact {contact.pk}" for e in entries)
    assert "Durand" not in str(list(entries.values("label", "data")))


def test_only_administrators_read_the_site_history(client_of, member_of, open_edition):
    from django.test import Client

    alice = member_of(roles.ADMINISTRATION, "admin")
    response = open_edition.responses[0]
    from observatoire.barometer.services import lock_response

    lock_response(response=response, by=alice)
    administrator = Client()
    administrator.force_login(alice)
    history = administrator.get("/admin/reports/site-history/")
    assert history.status_code == 200
    assert "Réponse verrouillée" in history.content.decode()
    for role in (roles.BAROMETER, roles.CARTOGRAPHY, roles.EDITION):
        staff = client_of(role)
        assert staff.get("/admin/reports/site-history/").status_code == 403, role.name
        assert "site-history" not in staff.get("/admin/").content.decode(), role.name


def test_roles_are_recreated_as_defined(db):
    """ensure_roles is idempotent and puts a group back to exactly its role's permissions."""
    from django.contrib.auth.models import Permission

    editors = Group.objects.get(name=roles.EDITION.name)
    before = set(editors.permissions.values_list("pk", flat=True))
    editors.permissions.add(Permission.objects.get(codename="change_response"))
    roles.ensure_roles()
    roles.ensure_roles()
    assert (
        set(Group.objects.get(name=roles.EDITION.name).permissions.values_list("pk", flat=True))
        == before
    )
    assert Group.objects.filter(name__in=[r.name for r in roles.ROLES]).count() == 4
