from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from .roles import ensure_roles

    ensure_roles()


class AccountsConfig(AppConfig):
    name = "observatoire.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from . import throttle  # noqa: F401  (its signal receivers count failed sign-ins)

        # After every migrate, and every flush that emits post_migrate: the browser tests'
        # flushes do, so their database gets the roles back without a fixture.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="observatoire.accounts.roles")
