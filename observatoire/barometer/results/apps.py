from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BarometerResultsConfig(AppConfig):
    name = "observatoire.barometer.results"
    label = "barometer_results"
    verbose_name = _("Résultats du baromètre")

    def ready(self):
        from . import signals

        signals.connect()
