"""Directory test fixtures. The named actors come from the root conftest: alice (staff,
superuser: she moderates), bob (a member of the public), charlie (anonymous)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission


@pytest.fixture(autouse=True)
def _outbox_and_site(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://observatoire.example"


@pytest.fixture
def editor_without_moderation(db):
    """Staff with admin access but no right on contributions."""
    user = get_user_model().objects.create_user(
        "editeur", "editeur@example.org", "pw", is_staff=True
    )
    group = Group.objects.create(name="Éditeurs sans modération")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    return user


@pytest.fixture
def moderator(alice):
    """The person who moderates contributions: alice (kept as a name for readability)."""
    return alice
