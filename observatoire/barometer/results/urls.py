from django.urls import path

from . import views

app_name = "barometer_results"

urlpatterns = [
    path("tendances/", views.trends, name="trends"),
    path("<int:year>/resultats/", views.results, name="results"),
    path("<int:year>/resultats/constats/", views.accept_finding, name="accept-finding"),
    path("<int:year>/resultats/partie/<slug:section>/", views.section, name="section"),
    path(
        "<int:year>/resultats/graphiques/<slug:question>.<slug:fmt>",
        views.chart_file,
        name="chart-file",
    ),
    path("<int:year>/resultats/<str:question>/", views.question, name="question"),
    path("<int:year>/couts/", views.costs, name="costs"),
    path(
        "<int:year>/couts/cartographie/<int:response>/<int:index>/",
        views.promote_scheme,
        name="promote-scheme",
    ),
    path("<int:year>/methodologie/", views.method, name="method"),
    path("<int:year>/donnees/", views.downloads, name="downloads"),
    path("<int:year>/donnees/<str:name>", views.download, name="download"),
    path("<int:year>/rapport.pdf", views.report, name="report"),
    path("repondre/<str:token>/comparaison/", views.benchmark, name="benchmark"),
]
