"""The audit log of staff actions: who did what to which object, when, and what changed.

Entries are Wagtail's own log entries (`wagtail.log_actions.log`, stored as ModelLogEntry)
rather than a model of ours: Wagtail already logs page publication and every edit made in
its admin there, so a single "Site history" report (Rapports > Historique du site) answers
"who changed this?" for pages, admin edits and the barometer's staff actions alike, with its
filters and CSV export. Only administrators may read it (middleware.AuditLogAccessMiddleware).
No IP address is kept; for an erased person, no name or address either (GDPR).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

ACTIONS = {
    "observatoire.response.staff_save": _("Réponse saisie par l'équipe"),
    "observatoire.response.staff_submit": _("Réponse envoyée par l'équipe"),
    "observatoire.response.lock": _("Réponse verrouillée"),
    "observatoire.response.unlock": _("Réponse déverrouillée"),
    "observatoire.contacts.import": _("Contacts importés"),
    "observatoire.contact.export": _("Données d'une personne exportées (RGPD)"),
    "observatoire.contact.erase": _("Personne effacée (RGPD)"),
    "observatoire.wave.queue": _("Vague d'envoi lancée"),
}


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The keys whose value differs, each with its value before and after."""
    keys = sorted(set(before) | set(after))
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in keys
        if before.get(key) != after.get(key)
    }


def record(
    instance,
    action: str,
    *,
    user,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    title: str = "",
    **data: Any,
):
    """One entry in the audit log; `before`/`after` are stored as the keys that changed."""
    if action not in ACTIONS:
        raise ValueError(f"Action d'audit inconnue : {action}")
    if before is not None or after is not None:
        data["changes"] = changes(before or {}, after or {})
    return log(
        instance,
        action,
        user=user,
        title=title or None,
        data=data,
        content_changed=bool(data.get("changes")),
    )
