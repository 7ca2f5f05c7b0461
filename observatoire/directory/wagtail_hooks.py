"""Staff admin of the cartography: entries and taxonomy as Wagtail snippets (with revision
history and compare), a territory chooser, and the moderation queue of contributions."""

from django import forms
from django.db.models import Q
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    MultipleChooserPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from observatoire.admin_exports import SnippetIndexView
from observatoire.territories.models import Territory

from . import admin_views, harvest_admin_views
from .models import (
    ActorKind,
    Contribution,
    Ecosystem,
    Function,
    Initiative,
    KeyDate,
    Objective,
    Organisation,
    RelationType,
    Tag,
    Theme,
    Tool,
)

# --- Territory chooser (35 000 communes do not fit in a <select>) ----------------------------


class TerritoryFilterForm(BaseFilterForm):
    q = forms.CharField(label=_("Nom ou code"), required=False)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Tous")), *Territory.Kind.choices]
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if self.cleaned_data.get("kind"):
            objects = objects.filter(kind=self.cleaned_data["kind"])
        if query:
            # The territories app ranks by code, exact name, prefix, population.
            search = getattr(objects, "search", None)
            if search is not None:
                objects = search(query)
            else:
                objects = objects.filter(Q(code=query) | Q(name__icontains=query))
            self.is_searching = True
            self.search_query = query
        return objects


class TerritoryChooseView(chooser_views.ChooseView):
    filter_form_class = TerritoryFilterForm


class TerritoryChooseResultsView(chooser_views.ChooseResultsView):
    filter_form_class = TerritoryFilterForm


class TerritoryChooserViewSet(ChooserViewSet):
    model = Territory
    choose_view_class = TerritoryChooseView
    choose_results_view_class = TerritoryChooseResultsView
    icon = "site"
    choose_one_text = _("Choisir un territoire")
    choose_another_text = _("Changer de territoire")
    register_widget = False  # only our forms use it; the territories app stays free to choose
    per_page = 20

    def get_object_list(self):
        return Territory.objects.filter(is_current=True).order_by("kind", "name")


territory_chooser = TerritoryChooserViewSet(
    "directory_territory_chooser", url_prefix="cartographie/territoires"
)


@hooks.register("register_admin_viewset")
def register_territory_chooser():
    return territory_chooser


def territory_panel(name: str) -> FieldPanel:
    return FieldPanel(name, widget=territory_chooser.widget_class())


# --- Entries ----------------------------------------------------------------------------------


class EntryIndexView(SnippetIndexView):
    """Searches like the public site will: accents and case do not matter; CSV export cells
    are formula-safe."""

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.search(self.search_query)


class EntryViewSet(SnippetViewSet):
    index_view_class = EntryIndexView
    search_fields = ["search_text"]
    search_backend_name = None
    ordering = ["name_key"]
    inspect_view_enabled = True
    copy_view_enabled = False


def _sources_tab():
    return ObjectList(
        [InlinePanel("sources", heading=_("Sources")), FieldPanel("last_verified_on")],
        heading=_("Sources"),
    )


def _publication_tab():
    return ObjectList(
        [
            FieldPanel("is_published"),
            FieldPanel("data_origin"),
            FieldPanel("slug"),
            FieldPanel("external_ids"),
        ],
        heading=_("Publication"),
    )


def _relations_tab():
    return ObjectList(
        [InlinePanel("relations_out", heading=_("Relations depuis cette fiche"))],
        heading=_("Relations"),
        help_text=_("Les relations vers cette fiche se saisissent depuis l'autre fiche."),
    )


class OrganisationViewSet(EntryViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Acteurs")
    list_display = ["name", "kind", "current_status", "is_published", "updated_at"]
    list_filter = [
        "kind",
        "current_status",
        "is_published",
        "data_origin",
        "ecosystems",
        "country",
    ]
    list_export = ["name", "slug", "kind", "website", "current_status", "is_published"]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldPanel("kind"),
                    FieldPanel("description"),
                    FieldPanel("website"),
                    FieldPanel("ecosystems", widget=forms.CheckboxSelectMultiple),
                    FieldRowPanel(
                        [FieldPanel("founded_on"), FieldPanel("founded_precision")],
                        heading=_("Création"),
                    ),
                    MultiFieldPanel(
                        [
                            territory_panel("territory"),
                            FieldRowPanel([FieldPanel("city"), FieldPanel("country")]),
                        ],
                        heading=_("Localisation"),
                    ),
                    FieldRowPanel(
                        [FieldPanel("siren"), FieldPanel("rna"), FieldPanel("wikidata_id")],
                        heading=_("Identifiants"),
                    ),
                ],
                heading=_("Fiche"),
            ),
            ObjectList(
                [InlinePanel("statuses", heading=_("Statuts successifs"))], heading=_("Statut")
            ),
            _relations_tab(),
            _sources_tab(),
            _publication_tab(),
        ]
    )


class ToolViewSet(EntryViewSet):
    model = Tool
    icon = "cogs"
    menu_label = _("Outils")
    list_display = [
        "name",
        "objective",
        "iap2_level",
        "current_status",
        "is_published",
        "updated_at",
    ]
    list_filter = [
        "objective",
        "tags",
        "functions",
        "iap2_level",
        "current_status",
        "is_open_source",
        "rgaa",
        "is_published",
        "data_origin",
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldPanel("description"),
                    FieldPanel("website"),
                    MultipleChooserPanel(
                        "maker_links", chooser_field_name="organisation", heading=_("Développé par")
                    ),
                    FieldRowPanel(
                        [FieldPanel("launched_on"), FieldPanel("launched_precision")],
                        heading=_("Lancement"),
                    ),
                ],
                heading=_("Fiche"),
            ),
            ObjectList(
                [
                    FieldPanel("objective"),
                    FieldPanel("tags", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("functions", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("iap2_level"),
                ],
                heading=_("Classement"),
            ),
            ObjectList(
                [
                    MultiFieldPanel(
                        [
                            FieldPanel("is_open_source"),
                            FieldPanel("licence"),
                            FieldPanel("source_repository"),
                        ],
                        heading=_("Code source"),
                    ),
                    FieldRowPanel([FieldPanel("hosting"), FieldPanel("pricing")]),
                    FieldRowPanel(
                        [FieldPanel("rgaa"), FieldPanel("rgaa_audited_on")],
                        heading=_("Accessibilité"),
                    ),
                ],
                heading=_("Technique"),
            ),
            ObjectList(
                [InlinePanel("statuses", heading=_("Statuts successifs"))], heading=_("Statut")
            ),
            _relations_tab(),
            _sources_tab(),
            _publication_tab(),
        ]
    )


class InitiativeViewSet(EntryViewSet):
    model = Initiative
    icon = "calendar-check"
    menu_label = _("Initiatives")
    list_display = ["name", "organiser_organisation", "start_on", "budget_bracket", "is_published"]
    list_filter = [
        "objective",
        "themes",
        "iap2_level",
        "budget_bracket",
        "decision_effect",
        "is_published",
        "data_origin",
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(
                [
                    FieldPanel("name"),
                    FieldPanel("description"),
                    FieldPanel("website"),
                    MultiFieldPanel(
                        [
                            FieldPanel("organiser_organisation"),
                            territory_panel("organiser_territory"),
                            FieldPanel("country"),
                        ],
                        heading=_("Organisateur"),
                    ),
                    MultipleChooserPanel(
                        "tool_links", chooser_field_name="tool", heading=_("Outils utilisés")
                    ),
                    FieldRowPanel(
                        [
                            FieldPanel("start_on"),
                            FieldPanel("start_precision"),
                            FieldPanel("end_on"),
                        ],
                        heading=_("Dates"),
                    ),
                ],
                heading=_("Fiche"),
            ),
            ObjectList(
                [
                    FieldPanel("objective"),
                    FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("functions", widget=forms.CheckboxSelectMultiple),
                    FieldPanel("iap2_level"),
                ],
                heading=_("Classement"),
            ),
            ObjectList(
                [
                    FieldRowPanel(
                        [FieldPanel("budget_amount"), FieldPanel("budget_bracket")],
                        heading=_("Budget"),
                    ),
                    FieldRowPanel(
                        [
                            FieldPanel("staff_fte"),
                            FieldPanel("participants"),
                            FieldPanel("contributions"),
                        ]
                    ),
                    FieldPanel("outcome"),
                    FieldPanel("decision_effect"),
                ],
                heading=_("Moyens et effets"),
            ),
            _relations_tab(),
            _sources_tab(),
            _publication_tab(),
        ]
    )


class KeyDateViewSet(SnippetViewSet):
    model = KeyDate
    icon = "date"
    menu_label = _("Dates clés")
    list_display = ["date", "title", "precision", "is_published"]
    list_filter = ["precision", "is_published"]
    search_fields = ["title", "description"]
    search_backend_name = None
    ordering = ["date"]
    copy_view_enabled = False
    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("precision")]),
        FieldPanel("description"),
        FieldPanel("organisations"),
        FieldPanel("tools"),
        FieldPanel("initiatives"),
        InlinePanel("sources", heading=_("Sources")),
        FieldPanel("last_verified_on"),
        FieldPanel("is_published"),
        FieldPanel("slug"),
    ]


class ContributionViewSet(ViewSet):
    """The moderation queue: pending proposals with approve / edit / reject actions."""

    name = "directory_contributions"
    url_prefix = "cartographie/contributions"
    icon = "mail"
    menu_label = _("Contributions")
    menu_icon = "mail"

    @property
    def menu_url(self):
        return reverse("directory_contributions:index")

    @property
    def menu_item_class(self):
        class ModeratorMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm(admin_views.PERMISSION)

            def get_context(self, request):
                context = super().get_context(request)
                pending = Contribution.objects.pending().count()
                if pending:
                    context["label"] = f"{self.label} ({pending})"
                return context

        return ModeratorMenuItem

    def get_urlpatterns(self):
        return [
            path("", admin_views.index, name="index"),
            path("<int:pk>/", admin_views.detail, name="detail"),
            path("<int:pk>/approve/", admin_views.approve, name="approve"),
            path("<int:pk>/reject/", admin_views.reject, name="reject"),
        ]


class HarvestViewSet(ViewSet):
    """Each harvest's report (counts, diffs, rejects) and the button that undoes it."""

    name = "directory_harvests"
    url_prefix = "cartographie/moissonnages"
    icon = "download"
    menu_label = _("Moissonnages")
    menu_icon = "download"

    @property
    def menu_url(self):
        return reverse("directory_harvests:index")

    @property
    def menu_item_class(self):
        class StaffMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm(harvest_admin_views.PERMISSION)

        return StaffMenuItem

    def get_urlpatterns(self):
        return [
            path("", harvest_admin_views.index, name="index"),
            path("<int:pk>/", harvest_admin_views.detail, name="detail"),
            path("<int:pk>/rollback/", harvest_admin_views.rollback, name="rollback"),
        ]


class DirectoryGroup(SnippetViewSetGroup):
    menu_label = _("Cartographie")
    menu_icon = "site"
    menu_order = 250
    items = (
        OrganisationViewSet,
        ToolViewSet,
        InitiativeViewSet,
        KeyDateViewSet,
        ContributionViewSet,
        HarvestViewSet,
    )


# --- Taxonomy ---------------------------------------------------------------------------------


class TermViewSet(SnippetViewSet):
    icon = "tag"
    list_display = ["name", "code", "sort_order"]
    search_fields = ["name", "code"]
    search_backend_name = None
    ordering = ["sort_order", "name"]
    sort_order_field = "sort_order"


def _term_viewset(model, **attrs):
    return type(f"{model.__name__}ViewSet", (TermViewSet,), {"model": model, **attrs})


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("Taxonomie")
    menu_icon = "tag"
    menu_order = 251
    items = (
        _term_viewset(
            ActorKind, list_display=["name", "code", "is_local_government", "sort_order"]
        ),
        _term_viewset(Ecosystem),
        _term_viewset(Objective),
        _term_viewset(Tag),
        _term_viewset(Function),
        _term_viewset(Theme),
        _term_viewset(RelationType, list_display=["name", "inverse_name", "code", "sort_order"]),
    )


register_snippet(DirectoryGroup)
register_snippet(TaxonomyGroup)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def say_when_an_entry_is_not_published(request, instance):
    """An entry saved unpublished is invisible on the site: say so, in plain words."""
    from django.contrib import messages

    if getattr(instance, "is_published", None) is False:
        messages.warning(
            request,
            _(
                "« %(name)s » est enregistrée mais n'est pas publiée : elle n'apparaît pas sur "
                "le site public. Cochez « publié » et enregistrez pour la publier."
            )
            % {"name": instance},
        )
