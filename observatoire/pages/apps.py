from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Saving or deleting a row of these apps (or of these barometer models) changes what public
# pages show: the cached anonymous pages go stale (observatoire/pages/cache.py). The barometer's
# collection rows (responses, messages, invitations) are left out: no public page shows them,
# and a wave would otherwise empty the cache with every message sent.
CONTENT_APPS = {
    "pages",
    "territories",
    "directory",
    "editorial",
    "barometer_results",
    "wagtailcore",
    "wagtailimages",
    "wagtaildocs",
    "wagtailredirects",
    "taggit",
}
CONTENT_MODELS = {("barometer", "edition"), ("barometer", "questionnaire")}


def _is_content(sender) -> bool:
    meta = getattr(sender, "_meta", None)
    # Migrations' historical models ("__fake__") run before the cache table exists.
    if meta is None or sender.__module__ == "__fake__":
        return False
    return meta.app_label in CONTENT_APPS or (meta.app_label, meta.model_name) in CONTENT_MODELS


def _content_changed(sender, using=None, **kwargs):
    if _is_content(sender):
        from .cache import bump_after_commit

        bump_after_commit(using)


class PagesConfig(AppConfig):
    name = "observatoire.pages"
    label = "pages"
    verbose_name = _("Pages du site")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from wagtail.signals import page_published, page_unpublished

        from .cache import bump_after_commit

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(_content_changed, dispatch_uid=f"public-pages-{signal!r}")
        page_published.connect(bump_after_commit, dispatch_uid="public-pages-published")
        page_unpublished.connect(bump_after_commit, dispatch_uid="public-pages-unpublished")
