"""The editorial app in the Wagtail admin: snippets (partners, committee, resources), the
visitors' records (registrations, newsletter subscribers, contact messages) with CSV/XLSX
export, a dashboard panel listing broken resource links, and an "Inscriptions" button on
event pages."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from observatoire.admin_exports import ModelIndexView, SnippetIndexView

from .models import (
    CommitteeMember,
    ContactMessage,
    EventPage,
    Partner,
    Registration,
    Resource,
    Subscriber,
)


class PartnerViewSet(SnippetViewSet):
    model = Partner
    icon = "group"
    list_display = ["name", "kind", "since", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


class CommitteeMemberViewSet(SnippetViewSet):
    model = CommitteeMember
    icon = "user"
    list_display = ["name", "role", "affiliation_display", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "affiliation"]


class ResourceViewSet(SnippetViewSet):
    model = Resource
    icon = "link"
    list_display = ["title", "category", "link_state"]
    list_filter = ["category", "link_ok"]
    search_fields = ["title", "description", "url"]
    index_view_class = SnippetIndexView  # formula-safe CSV export
    list_export = [
        "title",
        "url",
        "category",
        "link_ok",
        "link_status",
        "link_error",
        "link_checked_at",
    ]


class EditorialSnippets(SnippetViewSetGroup):
    items = (PartnerViewSet, CommitteeMemberViewSet, ResourceViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Réseau et ressources")
    menu_name = "editorial-snippets"


register_snippet(EditorialSnippets)


class RegistrationViewSet(ModelViewSet):
    model = Registration
    name = "editorial_registrations"
    url_prefix = "editorial/registrations"
    icon = "form"
    menu_label = _("Inscriptions")
    list_display = ["name", "email", "organisation", "event", "status", "created_at"]
    list_filter = ["event", "status"]
    search_fields = ["name", "email", "organisation"]
    index_view_class = ModelIndexView  # formula-safe CSV export
    list_export = [
        "event",
        "name",
        "email",
        "organisation",
        "get_status_display",
        "created_at",
        "confirmed_at",
        "cancelled_at",
    ]
    export_headings = {"get_status_display": _("Statut")}
    export_filename = "inscriptions"
    form_fields = ["event", "name", "email", "organisation", "status"]
    copy_view_enabled = False


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    name = "editorial_subscribers"
    url_prefix = "editorial/subscribers"
    icon = "mail"
    menu_label = _("Lettre d'information")
    list_display = ["email", "status", "language", "created_at", "confirmed_at"]
    list_filter = ["status", "language"]
    search_fields = ["email"]
    index_view_class = ModelIndexView  # formula-safe CSV export
    list_export = ["email", "language", "get_status_display", "confirmed_at"]
    export_headings = {"get_status_display": _("Statut")}
    export_filename = "abonnes-lettre"
    form_fields = ["email", "status", "language"]
    copy_view_enabled = False


class ContactMessageViewSet(ModelViewSet):
    model = ContactMessage
    name = "editorial_messages"
    url_prefix = "editorial/messages"
    icon = "mail"
    menu_label = _("Messages de contact")
    list_display = ["subject", "name", "email", "created_at"]
    search_fields = ["subject", "name", "email", "message"]
    index_view_class = ModelIndexView  # formula-safe CSV export
    list_export = ["created_at", "name", "email", "subject", "message"]
    export_filename = "messages-contact"
    inspect_view_enabled = True
    form_fields = ["name", "email", "subject", "message"]
    copy_view_enabled = False


class VisitorsGroup(ViewSetGroup):
    items = (RegistrationViewSet, SubscriberViewSet, ContactMessageViewSet)
    menu_icon = "group"
    menu_label = _("Inscrits et contacts")
    menu_name = "editorial-visitors"


@hooks.register("register_admin_viewset")
def register_visitors():
    return VisitorsGroup()


def registrations_url(event) -> str:
    return reverse("editorial_registrations:index") + f"?event={event.pk}"


@hooks.register("register_page_listing_more_buttons")
def registrations_button(page, user, next_url=None):
    if isinstance(page.specific_deferred, EventPage) and user.has_perm(
        "editorial.view_registration"
    ):
        yield MenuItem(_("Inscriptions"), registrations_url(page), icon_name="form", priority=15)


class BrokenLinksPanel(Component):
    name = "editorial_broken_links"
    order = 150
    template_name = "editorial/admin/broken_links_panel.html"

    def __init__(self, resources):
        self.resources = resources

    def get_context_data(self, parent_context):
        return {
            "resources": self.resources,
            "listing_url": reverse("wagtailsnippets_editorial_resource:list") + "?link_ok=false",
        }


@hooks.register("construct_homepage_panels")
def broken_links_panel(request, panels):
    if request.user.has_perm("editorial.change_resource"):
        broken = list(Resource.objects.broken()[:10])
        if broken:
            panels.append(BrokenLinksPanel(broken))
