"""The audit log's actions, named in Wagtail's history reports; the second factor's pages."""

from django.urls import path
from wagtail import hooks

from . import audit, second_factor
from .roles import SEE_AUDIT_LOG


@hooks.register("register_log_actions")
def register_audit_actions(actions):
    for action, label in audit.ACTIONS.items():
        actions.register_action(action, label, label)


@hooks.register("construct_reports_menu")
def hide_site_history(request, menu_items):
    # The audit log is for administrators (AuditLogAccessMiddleware refuses the page itself).
    if not request.user.has_perm(SEE_AUDIT_LOG):
        menu_items[:] = [item for item in menu_items if item.name != "site-history"]


@hooks.register("register_admin_urls")
def register_second_factor_urls():
    return [
        path("compte/second-facteur/", second_factor.enrol, name="second-factor-enrol"),
        path("compte/second-facteur/code/", second_factor.verify, name="second-factor-verify"),
    ]
