"""The barometer in the Wagtail admin: editions, contacts, message texts, and the staff pages."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import ListingButton

from . import admin_views
from .forms import MessageTemplateForm
from .models import Contact, Edition, MessageTemplate


class EditionIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        links = [
            (_("Tableau de bord"), "barometer_admin:dashboard", "table"),
            (_("Questionnaire"), "barometer_admin:questionnaire", "form"),
            (_("Contacts"), "barometer_admin:contacts", "group"),
            (_("Campagne d'envoi"), "barometer_admin:campaign", "mail"),
            (_("Inscriptions"), "barometer_admin:registrations", "user"),
            (_("Saisir une réponse"), "barometer_admin:staff-entry", "edit"),
        ]
        for priority, (label, name, icon) in enumerate(links):
            buttons.append(
                ListingButton(
                    label,
                    reverse(name, args=[instance.year]),
                    icon_name=icon,
                    priority=30 + priority,
                )
            )
        return buttons


class EditionViewSet(ModelViewSet):
    model = Edition
    icon = "clipboard-list"
    menu_label = _("Éditions")
    url_prefix = "barometer/editions"
    url_namespace = "barometer_edition"
    index_view_class = EditionIndexView
    list_display = ["__str__", "year", "status", "opens_on", "closes_on", "questionnaire", "frame"]
    list_filter = ["status"]
    copy_view_enabled = False
    form_fields = [
        "year",
        "title",
        "status",
        "opens_on",
        "closes_on",
        "frame",
        "consent_question",
        "consent_yes",
        "reminder_delay_days",
        "reminder_max_count",
    ]


class ContactIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            ListingButton(
                _("Exporter ses données (RGPD)"),
                reverse("barometer_admin:contact-export", args=[instance.pk]),
                icon_name="download",
                priority=40,
            )
        )
        buttons.append(
            ListingButton(
                _("Effacer la personne (RGPD)"),
                reverse("barometer_admin:contact-erase", args=[instance.pk]),
                icon_name="bin",
                priority=50,
            )
        )
        return buttons


class ContactViewSet(ModelViewSet):
    model = Contact
    icon = "group"
    menu_label = _("Contacts")
    url_prefix = "barometer/contacts"
    url_namespace = "barometer_contact"
    index_view_class = ContactIndexView
    list_display = [
        "email",
        "name",
        "role",
        Column("territory", label=_("Collectivité")),
        "opted_out_at",
        "bounced_at",
    ]
    list_filter = ["language"]
    search_fields = ["email", "name", "role"]
    copy_view_enabled = False
    form_fields = ["email", "name", "role", "territory", "language", "opted_out_at", "bounced_at"]


class MessageTemplateViewSet(ModelViewSet):
    model = MessageTemplate
    icon = "mail"
    menu_label = _("Textes des messages")
    url_prefix = "barometer/messages"
    url_namespace = "barometer_message_template"
    list_display = ["__str__", "subject", "updated_at"]
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return MessageTemplateForm


class BarometerGroup(ModelViewSetGroup):
    menu_label = _("Baromètre")
    menu_icon = "clipboard-list"
    menu_order = 250
    items = (EditionViewSet, ContactViewSet, MessageTemplateViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return BarometerGroup()


admin_urls = (
    [
        path("<int:year>/", admin_views.dashboard, name="dashboard"),
        path("<int:year>/questionnaire/", admin_views.questionnaire, name="questionnaire"),
        path(
            "<int:year>/questionnaire/<int:pk>/",
            admin_views.questionnaire_preview,
            name="questionnaire-preview",
        ),
        path(
            "<int:year>/questionnaire/export.xlsx",
            admin_views.questionnaire_export,
            name="questionnaire-export",
        ),
        path(
            "<int:year>/questionnaire/<int:pk>/source.xlsx",
            admin_views.questionnaire_export,
            name="questionnaire-source",
        ),
        path("<int:year>/contacts/", admin_views.contacts_import, name="contacts"),
        path("<int:year>/campagne/", admin_views.campaign, name="campaign"),
        path("<int:year>/inscriptions/", admin_views.registrations, name="registrations"),
        path("<int:year>/saisie/", admin_views.staff_entry, name="staff-entry"),
        path(
            "<int:year>/territoire/<str:kind>/<str:code>/",
            admin_views.territory,
            name="territory",
        ),
        path("contact/<int:pk>/export/", admin_views.contact_export, name="contact-export"),
        path("contact/<int:pk>/effacer/", admin_views.contact_erase, name="contact-erase"),
    ],
    "barometer_admin",
)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("barometer/suivi/", include(admin_urls))]
