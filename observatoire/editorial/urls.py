"""Section addresses of the editorial app. Publication and event pages themselves
(/publications/<slug>/, /evenements/<slug>/) are Wagtail pages served by the catch-all."""

from django.urls import path

from . import views
from .feeds import PublicationFeed

app_name = "editorial"
urlpatterns = [
    path("publications/", views.publications, name="publications"),
    path("publications/flux/", PublicationFeed(), name="publications-feed"),
    path("evenements/", views.events, name="events"),
    path("evenements/calendrier.ics", views.events_calendar, name="events-calendar"),
    path("evenements/<str:slug>/calendrier.ics", views.event_calendar, name="event-calendar"),
    path("evenements/inscriptions/<str:token>/", views.registration, name="registration"),
    path("ressources/", views.resources, name="resources"),
    path("a-propos/", views.about, name="about"),
    path("lettre/", views.newsletter, name="newsletter"),
    path("lettre/confirmer/<str:token>/", views.newsletter_confirm, name="newsletter-confirm"),
    path(
        "lettre/desinscription/<str:token>/",
        views.newsletter_unsubscribe,
        name="newsletter-unsubscribe",
    ),
    path("recherche/", views.search, name="search"),
]
