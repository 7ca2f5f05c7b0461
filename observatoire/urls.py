from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls

from observatoire.api.api import api
from observatoire.api.urls import docs_patterns
from observatoire.pages import views as page_views

urlpatterns = [
    path("healthz", page_views.healthz, name="healthz"),
    path("robots.txt", page_views.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}, name="sitemap"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(docs_patterns)),
    path("api/v1/", api.urls),
]

urlpatterns += i18n_patterns(
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("territoires/", include("observatoire.territories.urls")),
    path("cartographie/", include("observatoire.directory.urls")),
    path("barometre/", include("observatoire.barometer.results.urls")),
    path("barometre/", include("observatoire.barometer.urls")),
    path("donnees/versions/", include("observatoire.api.urls")),
    path("", include("observatoire.editorial.urls")),
    # Wagtail's catch-all comes last: French pages at /, English ones under /en/.
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
