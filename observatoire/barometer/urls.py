from django.urls import path

from . import views

app_name = "barometer"

STAFF = "saisie/<int:year>/<str:kind>/<str:code>/<str:channel>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/inscription/", views.registration, name="registration"),
    path("<int:year>/inscription/merci/", views.registration_thanks, name="registration-thanks"),
    path("desinscription/<str:signed>/", views.unsubscribe, name="unsubscribe"),
    path("repondre/<str:token>/", views.respond, name="respond"),
    path("repondre/<str:token>/page/<str:page>/", views.respond_page, name="respond-page"),
    path("repondre/<str:token>/recapitulatif/", views.respond_summary, name="respond-summary"),
    path("repondre/<str:token>/a-bientot/", views.respond_saved, name="respond-saved"),
    path("repondre/<str:token>/merci/", views.respond_done, name="respond-done"),
    path("repondre/<str:token>/fichier/<int:file_id>/", views.respond_file, name="respond-file"),
    path(STAFF, views.staff, name="staff"),
    path(STAFF + "page/<str:page>/", views.staff_page, name="staff-page"),
    path(STAFF + "recapitulatif/", views.staff_summary, name="staff-summary"),
    path(STAFF + "a-bientot/", views.staff_saved, name="staff-saved"),
    path(STAFF + "merci/", views.staff_done, name="staff-done"),
    path(STAFF + "fichier/<int:file_id>/", views.staff_file, name="staff-file"),
]
