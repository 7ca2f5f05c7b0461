from django.urls import path

from . import views

app_name = "releases"

urlpatterns = [
    path("", views.releases, name="list"),
    path("<slug:slug>.zip", views.archive, name="archive"),
]

docs_patterns = (
    [
        path("docs/", views.docs, name="docs"),
        path("docs/en/", views.docs, {"language": "en"}, name="docs-en"),
    ],
    "api_docs",
)
