from django.urls import path

from . import views
from .feeds import EntriesFeed

app_name = "directory"
urlpatterns = [
    path("", views.explore, name="search"),
    path("acteurs/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("outils/<slug:slug>/", views.tool_detail, name="tool-detail"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="initiative-detail"),
    path("initiatives/<slug:slug>/budget.pb", views.initiative_budget_pb, name="initiative-pb"),
    *(
        path(
            f"{segment}/<slug:slug>/liens/<slug:group>/",
            views.entry_links,
            {"segment": segment},
            name="entry-links",
        )
        for segment in views.ENTRY_SEGMENTS
    ),
    path("carte/", views.ecosystem_map, name="map"),
    path("chronologie/", views.timeline, name="timeline"),
    path("comparer/", views.compare, name="compare"),
    path("contribuer/", views.contribute, name="contribute"),
    path("contribuer/merci/", views.contribute_thanks, name="contribute-thanks"),
    path("flux/", EntriesFeed(), name="feed"),
    path("donnees/", views.data, name="data"),
    path("donnees/cartographie-civic-tech.zip", views.data_download, name="data-download"),
]
