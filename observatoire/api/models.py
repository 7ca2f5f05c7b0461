"""Frozen, citable releases of the open data: once cut, a release never changes.

The archive lives on the default storage (a FileField), not on one host's disk: every server
of a production with several hosts serves the same bytes at the same address.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class FrozenRelease(Exception):
    """A release is never altered nor deleted once cut."""


class ReleaseQuerySet(models.QuerySet):
    def previous_of(self, *, kind: str, edition=None):
        return self.filter(kind=kind, edition=edition).order_by("-version").first()


class Release(models.Model):
    class Kind(models.TextChoices):
        CARTOGRAPHY = "cartography", _("Cartographie")
        EDITION = "edition", _("Édition du baromètre")

    kind = models.CharField(_("jeu de données"), max_length=12, choices=Kind.choices)
    edition = models.ForeignKey(
        "barometer.Edition",
        verbose_name=_("édition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="releases",
    )
    version = models.PositiveIntegerField(_("version"))
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    title = models.CharField(_("titre"), max_length=300)
    created_at = models.DateTimeField(_("publiée le"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    archive = models.FileField(_("archive"), upload_to="releases/", max_length=200)
    checksum = models.CharField(_("empreinte SHA-256 de l'archive"), max_length=64)
    files = models.JSONField(_("fichiers (nom -> SHA-256)"), default=dict)
    changelog = models.JSONField(_("changements depuis la version précédente"), default=dict)
    citation = models.JSONField(_("métadonnées de citation (DataCite)"), default=dict)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("version des données")
        verbose_name_plural = _("versions des données")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "edition", "version"], name="release_unique_version"
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenRelease(f"La version {self.slug} est figée : elle ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenRelease(f"La version {self.slug} est figée : elle ne se supprime pas.")

    def get_absolute_url(self):
        return reverse("releases:archive", kwargs={"slug": self.slug})

    def read_file(self, name: str) -> bytes | None:
        import zipfile

        with self.archive.open("rb") as handle, zipfile.ZipFile(handle) as archive:
            if name not in archive.namelist():
                return None
            return archive.read(name)
