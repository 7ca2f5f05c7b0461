"""Staff admin (Wagtail) for the référentiel and the sampling frames: browse, filter, inspect.

Nothing here is editable: territories come from official data (`territories load`) and frames
are built by `territories frame`. The viewsets expose only the index and inspect views, and the
permission policy refuses add, change and delete to everyone, superusers included.
"""

import django_filters
from django.db.models import F
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from .models import Frame, FrameMember, Territory
from .rules import KINDS


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Roles with the view permission may look; nobody may add, change or delete (the data is
    official)."""

    def user_has_permission(self, user, action):
        if action != "view" or not user.is_active:
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        from django.contrib.auth import get_user_model

        if "view" not in actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(["view"])


class ReadableInspectView(generic.InspectView):
    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, list):
            return ", ".join(str(item) for item in value) or "—"
        if value is None or value == "":
            return "—"
        if value is True or value is False:
            return _("oui") if value else _("non")
        return value


class ReadOnlyViewSet(ModelViewSet):
    inspect_view_enabled = True
    inspect_view_class = ReadableInspectView
    copy_view_enabled = False
    add_to_reference_index = False

    def get_urlpatterns(self):
        # Only listing and inspecting: no add, edit, delete or copy view exists.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(f"inspect/<{self.pk_path_converter}:pk>/", self.inspect_view, name="inspect"),
        ]

    def register_admin_url_finder(self):
        # The default finder points to the edit view, which does not exist here.
        pass


class TerritoryFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Territory.Kind.choices)
    epci_nature = django_filters.ChoiceFilter(
        label=_("Nature de l'EPCI"), choices=Territory.EpciNature.choices
    )
    zone = django_filters.ChoiceFilter(label=_("Zone"), choices=Territory.Zone.choices)
    region = django_filters.ModelChoiceFilter(
        label=_("Région"), queryset=Territory.objects.filter(kind="region").order_by("name")
    )
    departement = django_filters.ModelChoiceFilter(
        label=_("Département"),
        queryset=Territory.objects.filter(kind="departement").order_by("code"),
    )
    is_current = django_filters.BooleanFilter(label=_("En vigueur"))

    class Meta:
        model = Territory
        fields = ["kind", "epci_nature", "zone", "region", "departement", "is_current"]


class TerritoryIndexView(generic.IndexView):
    def search_queryset(self, queryset):
        # The same accent- and hyphen-insensitive search as the public site.
        if not self.is_searching:
            return queryset
        return queryset.search(self.search_query, include_historical=True, limit=None)


class TerritoryViewSet(ReadOnlyViewSet):
    model = Territory
    icon = "site"
    menu_label = _("Référentiel")
    add_to_admin_menu = False
    index_view_class = TerritoryIndexView
    filterset_class = TerritoryFilterSet
    search_fields = ["name"]
    list_per_page = 50
    list_display = [
        "name",
        Column("kind_label", label=_("Type")),
        "code",
        "siren",
        Column("population", label=_("Population"), sort_key="population"),
        "departement",
        "is_current",
        "vintage",
    ]
    inspect_view_fields = [
        "kind",
        "code",
        "siren",
        "name",
        "epci_nature",
        "population",
        "population_total",
        "zone",
        "postcodes",
        "former_codes",
        "epci",
        "departement",
        "region",
        "vintage",
        "is_current",
        "ended_vintage",
        "successor",
    ]


class FrameViewSet(ReadOnlyViewSet):
    model = Frame
    icon = "table"
    menu_label = _("Bases de sondage")
    add_to_admin_menu = False
    inspect_template_name = "territories/admin/frame_inspect.html"
    list_display = [
        "__str__",
        "vintage",
        Column("communes", label=_("Communes")),
        Column("epcis", label=_("EPCI")),
        Column("departements", label=_("Départements")),
        Column("regions", label=_("Régions")),
        Column("total", label=_("Total")),
        "built_at",
    ]
    inspect_view_fields = ["year", "vintage", "source", "note", "built_at"]


class FrameMemberFilterSet(WagtailFilterSet):
    frame = django_filters.ModelChoiceFilter(
        label=_("Base de sondage"), queryset=Frame.objects.all()
    )
    kind = django_filters.ChoiceFilter(
        label=_("Strate"), choices=[(k, v) for k, v in Territory.Kind.choices if k in KINDS]
    )
    band = django_filters.CharFilter(label=_("Tranche (ex. 3500-9999)"))

    class Meta:
        model = FrameMember
        fields = ["frame", "kind", "band"]


class FrameMemberIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("frame", "territory")
            .order_by("-frame__year", "kind", F("population").desc(nulls_last=True))
        )


class FrameMemberViewSet(ReadOnlyViewSet):
    model = FrameMember
    icon = "list-ul"
    menu_label = _("Membres des bases")
    add_to_admin_menu = False
    index_view_class = FrameMemberIndexView
    filterset_class = FrameMemberFilterSet
    search_fields = ["name"]
    list_per_page = 50
    list_display = ["name", "frame", "kind", "band", "population", "territory"]
    inspect_view_fields = ["frame", "territory", "name", "kind", "band", "population"]


class TerritoriesGroup(ModelViewSetGroup):
    menu_label = _("Territoires")
    menu_icon = "site"
    menu_order = 800
    items = (
        TerritoryViewSet("territories_referentiel", url_prefix="territoires/referentiel"),
        FrameViewSet("territories_frames", url_prefix="territoires/bases"),
        FrameMemberViewSet("territories_frame_members", url_prefix="territoires/membres"),
    )
