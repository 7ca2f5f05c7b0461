from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "observatoire.directory"
    label = "directory"
    verbose_name = _("Cartographie")

    def ready(self):
        # The public search index listens to saves (also from commands: imports, demo).
        from . import search  # noqa: F401
