"""Wagtail's listing exports (`list_export`: CSV and XLSX) with formulas neutralised.

Wagtail already turns a would-be formula into a text cell in XLSX; its CSV writes cells as
they are, so a contact message signed `=HYPERLINK(...)` would run in the spreadsheet of the
staff member who opens the export. These index views pass every CSV cell through
observatoire.lib.formulas.neutralise, like the site's own exports.
"""

from wagtail.admin.views import generic
from wagtail.snippets.views import snippets

from observatoire.lib.formulas import neutralise


class FormulaSafeExportMixin:
    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return neutralise(value) if export_format == self.FORMAT_CSV else value


class ModelIndexView(FormulaSafeExportMixin, generic.IndexView):
    pass


class SnippetIndexView(FormulaSafeExportMixin, snippets.IndexView):
    pass
