"""Who may open the audit log, and the second sign-in step of staff who enrolled a device."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .roles import SEE_AUDIT_LOG

# Wagtail's views that list log entries: the site history and each object's history. Wagtail
# shows a user the entries of every model they may change; the audit log is narrower.
AUDIT_VIEWS = {"wagtailadmin_reports:site_history", "wagtailadmin_reports:site_history_results"}
OBJECT_HISTORY_SUFFIXES = (":history", ":history_results")
# Our own history views stay as Wagtail makes them for pages (editors need their pages').
OBJECT_HISTORY_NAMESPACES = ("barometer_",)


class AuditLogAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = match.view_name if match else ""
        is_audit = name in AUDIT_VIEWS or (
            name.startswith(OBJECT_HISTORY_NAMESPACES) and name.endswith(OBJECT_HISTORY_SUFFIXES)
        )
        if is_audit and request.user.is_authenticated and not request.user.has_perm(SEE_AUDIT_LOG):
            raise PermissionDenied
        return None


# Paths a person half-way through signing in may still open.
SECOND_STEP_OPEN = (
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "second-factor-verify",
    "second-factor-enrol",
)


class SecondFactorMiddleware:
    """A signed-in user with a confirmed device must type a code before anything else.

    With OBSERVATOIRE_STAFF_2FA_REQUIRED, staff without a device are sent to enrol first.
    Runs after django_otp's OTPMiddleware, which sets `user.is_verified()`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django_otp import user_has_device

        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is None or match.url_name in SECOND_STEP_OPEN:
            return None
        if user_has_device(user, confirmed=True):
            return redirect(_with_next("second-factor-verify", request))
        if user.is_staff and settings.OBSERVATOIRE_STAFF_2FA_REQUIRED:
            return redirect(_with_next("second-factor-enrol", request))
        return None


def _with_next(name, request):
    from urllib.parse import urlencode

    from django.urls import reverse

    return f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
