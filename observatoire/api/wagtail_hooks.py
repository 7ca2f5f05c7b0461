"""The "Versions des données" page of the Wagtail admin: releases cut so far, and the buttons
that cut a new one (cartography: the cartography role; an edition: the barometer role)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("donnees/versions/", include(admin_views.admin_urls))]


class ReleasesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.VIEW)


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return ReleasesMenuItem(
        _("Versions des données"), reverse("releases_admin:list"), icon_name="download", order=900
    )
