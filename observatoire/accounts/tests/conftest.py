"""Role actors: one staff member per role, next to the root conftest's alice, bob and charlie.

The roles' groups exist in every test database (the accounts data migration); `member_of`
puts a fresh staff user in one of them.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from observatoire.accounts import roles


@pytest.fixture(autouse=True)
def _immediate_tasks_and_french(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "background": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.BAROMETER_RESULTS_THRESHOLD = 10
    with translation.override("fr"):
        yield


@pytest.fixture
def member_of(db, django_user_model):
    def make(role: roles.Role, username: str | None = None):
        user = django_user_model.objects.create_user(
            username or role.name, f"{abs(hash(role.name))}@observatoire.test", "pw", is_staff=True
        )
        user.groups.add(Group.objects.get(name=role.name))
        return user

    return make


@pytest.fixture
def client_of(member_of):
    def make(role: roles.Role):
        client = Client()
        client.force_login(member_of(role))
        return client

    return make
