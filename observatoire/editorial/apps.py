from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "observatoire.editorial"
    label = "editorial"
    verbose_name = _("Publications et rencontres")

    def ready(self):
        from . import signals  # noqa: F401
