"""The staff roles of the observatory, as Django groups: the one place that says who may do what.

Each role lists the model permissions it needs ("app_label.codename", or "app_label.*" for
every permission of an app) and, for editors, Wagtail's page and collection permissions.
`ensure_roles()` creates or updates the four groups to match; it runs from the accounts app's
data migration and after every `migrate` / `flush` (post_migrate), so a group always holds
exactly what this file says. Permissions added by hand to a role's group are removed by the
next run: change this file instead. See docs/security.md.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

ADMIN_ACCESS = "wagtailadmin.access_admin"
# Who may read the audit log (Wagtail's "Site history" and object histories).
SEE_AUDIT_LOG = "wagtailcore.view_modellogentry"

# The read-only référentiel: every role that works on territories may look at it.
TERRITORIES = (
    "territories.view_territory",
    "territories.view_frame",
    "territories.view_framemember",
)
# Images and documents live in Wagtail collections: editors and administrators use them.
MEDIA = (
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.delete_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.delete_document",
    "wagtaildocs.choose_document",
)
# Frozen data releases: each team cuts the releases of its own data (observatoire/api).
RELEASES = ("api.view_release", "api.add_release")
PAGES = ("add", "change", "publish", "lock", "unlock")


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    permissions: tuple[str, ...]
    page_permissions: tuple[str, ...] = ()
    collection_permissions: tuple[str, ...] = field(default=())


BAROMETER = Role(
    name="Équipe baromètre",
    description=_(
        "Éditions, questionnaires, contacts, campagnes, saisie des réponses, résultats non "
        "publiés et leurs exports."
    ),
    permissions=(
        ADMIN_ACCESS,
        "barometer.*",
        "barometer_results.*",
        *TERRITORIES,
        *RELEASES,
    ),
)
CARTOGRAPHY = Role(
    name="Modération cartographie",
    description=_("Fiches de la cartographie, taxonomie et modération des contributions."),
    permissions=(ADMIN_ACCESS, "directory.*", *TERRITORIES, *RELEASES),
)
EDITION = Role(
    name="Édition",
    description=_(
        "Pages du site, publications, événements, ressources, images et documents ; rien du "
        "baromètre ni de la cartographie."
    ),
    permissions=(ADMIN_ACCESS, "editorial.*", *MEDIA),
    page_permissions=PAGES,
    collection_permissions=MEDIA,
)
ADMINISTRATION = Role(
    name="Administration",
    description=_(
        "Tout ce que font les trois autres rôles, plus les comptes, les groupes, les "
        "paramètres du site et le journal d'audit."
    ),
    permissions=(
        *BAROMETER.permissions,
        *CARTOGRAPHY.permissions,
        *EDITION.permissions,
        "auth.add_user",
        "auth.change_user",
        "auth.delete_user",
        "auth.view_user",
        "auth.add_group",
        "auth.change_group",
        "auth.delete_group",
        "auth.view_group",
        "wagtailcore.add_site",
        "wagtailcore.change_site",
        "wagtailcore.view_site",
        "wagtailcore.add_collection",
        "wagtailcore.change_collection",
        "wagtailcore.view_collection",
        "wagtailredirects.*",
        SEE_AUDIT_LOG,
    ),
    page_permissions=PAGES,
    collection_permissions=MEDIA,
)
ROLES = (BAROMETER, CARTOGRAPHY, EDITION, ADMINISTRATION)


def _permissions(names):
    from django.contrib.auth.models import Permission

    wanted = set()
    for name in names:
        app_label, codename = name.split(".", 1)
        found = Permission.objects.filter(content_type__app_label=app_label)
        if codename != "*":
            found = found.filter(codename=codename)
        ids = set(found.values_list("pk", flat=True))
        if not ids:
            raise LookupError(f"Rôle : la permission {name} n'existe pas")
        wanted |= ids
    return wanted


def _create_all_permissions():
    """Model permissions are made after `migrate`; a role needs them now (first migrate)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)


def ensure_roles():
    """Create or update the four groups to hold exactly their role's permissions. Idempotent."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    _create_all_permissions()
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    groups = {}
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role.name)
        group.permissions.set(_permissions(role.permissions))
        GroupPagePermission.objects.filter(group=group).exclude(
            page=root_page, permission__codename__in=[f"{p}_page" for p in role.page_permissions]
        ).delete()
        if root_page is not None:
            for action in role.page_permissions:
                GroupPagePermission.objects.get_or_create(
                    group=group,
                    page=root_page,
                    permission=Permission.objects.get(
                        content_type__app_label="wagtailcore", codename=f"{action}_page"
                    ),
                )
        GroupCollectionPermission.objects.filter(group=group).exclude(
            collection=root_collection, permission__in=_permissions(role.collection_permissions)
        ).delete()
        if root_collection is not None:
            for permission in _permissions(role.collection_permissions):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission_id=permission
                )
        groups[role.name] = group
    return groups
