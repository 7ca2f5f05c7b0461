from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BarometerConfig(AppConfig):
    name = "observatoire.barometer"
    label = "barometer"
    verbose_name = _("Baromètre")

    def ready(self):
        from django.db.models.signals import post_delete

        from .models import ResponseFile

        def delete_stored_file(sender, instance, **kwargs):
            # The row goes with its response (GDPR) or when the answer changes: so does the file.
            instance.file.delete(save=False)

        post_delete.connect(
            delete_stored_file, sender=ResponseFile, dispatch_uid="barometer-response-file"
        )
