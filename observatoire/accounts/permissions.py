"""The permissions staff views check, in one place, and the one guard they use.

Views check a permission, never `is_staff`: `is_staff` only says a person may sign in to the
admin, not which territory's answers they may read (issue 11, "Trust and faults"). The roles
that hold these permissions are defined in roles.py.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

# Enter or correct a territory's answers on its behalf (phone, paper): /barometre/saisie/...
ENTER_RESPONSES = "barometer.change_response"
# See results, downloads and free-text answers of editions not yet published.
SEE_UNPUBLISHED_RESULTS = "barometer.view_response"
# Turn a fiche-dispositif of a response into a draft initiative of the cartography: a
# barometer task (the draft waits for the cartography's moderators before it shows).
PROMOTE_SCHEMES = ("barometer.view_response", "barometer.change_response")
# Read-only référentiel and sampling frames in the admin.
BROWSE_TERRITORIES = "territories.view_territory"


def can(user, *permissions: str) -> bool:
    """Whether an active, signed-in user holds every one of `permissions`."""
    return bool(user and user.is_authenticated and user.has_perms(permissions))


def refuse(request, login_url: str = "wagtailadmin_login"):
    """Visitors and respondents go to the staff sign-in page (another account may open it);
    staff whose role lacks the right get a 403 rather than a sign-in loop."""
    if request.user.is_authenticated and request.user.is_staff:
        raise PermissionDenied
    return redirect_to_login(request.get_full_path(), login_url)


def permission_required(*permissions: str, login_url: str = "wagtailadmin_login"):
    """The view, for a user holding every one of `permissions`; otherwise `refuse`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not can(request.user, *permissions):
                return refuse(request, login_url)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
