"""Staff admin of the results: editorial introduction, recoding table, question links.

A separate "Résultats du baromètre" menu: the collection's "Baromètre" group lists its own
viewsets only. Saving or deleting a row marks the edition's cached results stale and queues
their recomputation (signals.invalidate).
"""

from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from . import admin_views
from .models import EditionReport, KeyFinding, QuestionLink, Recode


class EditionReportViewSet(ModelViewSet):
    model = EditionReport
    icon = "doc-full"
    menu_label = _("Introductions éditoriales")
    url_prefix = "barometer/results/introductions"
    url_namespace = "barometer_edition_report"
    list_display = ["__str__", Column("edition", label=_("Édition"))]
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["edition", "introduction"]


class KeyFindingViewSet(ModelViewSet):
    model = KeyFinding
    icon = "pick"
    menu_label = _("Constats clés")
    url_prefix = "barometer/results/constats"
    url_namespace = "barometer_key_finding"
    list_display = ["__str__", "question", "position", Column("edition", label=_("Édition"))]
    list_filter = ["edition"]
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = ["edition", "question", "sentence", "position"]


class RecodeCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class RecodeViewSet(ModelViewSet):
    model = Recode
    icon = "tag"
    menu_label = _("Table de recodage")
    url_prefix = "barometer/results/recodages"
    url_namespace = "barometer_recode"
    add_view_class = RecodeCreateView
    list_display = ["question", "text", "category", "label", Column("edition", label=_("Édition"))]
    list_filter = ["edition", "question"]
    search_fields = ["text", "category", "label"]
    copy_view_enabled = False
    form_fields = ["edition", "question", "response", "index", "text", "category", "label"]


class QuestionLinkViewSet(ModelViewSet):
    model = QuestionLink
    icon = "link"
    menu_label = _("Correspondances de questions")
    url_prefix = "barometer/results/correspondances"
    url_namespace = "barometer_question_link"
    list_display = ["__str__", "comparable", "note"]
    list_filter = ["edition", "comparable"]
    copy_view_enabled = False
    form_fields = ["edition", "name", "previous_edition", "previous_name", "comparable", "note"]


class ResultsGroup(ModelViewSetGroup):
    menu_label = _("Résultats du baromètre")
    menu_icon = "table"
    menu_order = 251
    items = (EditionReportViewSet, KeyFindingViewSet, RecodeViewSet, QuestionLinkViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return ResultsGroup()


admin_urls = (
    [
        path("<int:year>/", admin_views.status, name="status"),
        path("<int:year>/calculer/", admin_views.refresh, name="refresh"),
    ],
    "barometer_results_admin",
)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("barometer/resultats/", include(admin_urls))]
