"""Security headers beyond Django's own: the Content-Security-Policy of the Wagtail admin.

django-csp sends settings.CONTENT_SECURITY_POLICY on every response: the strict policy of the
public site (no inline script or style, no nonce, so that a cached page stays valid for every
visitor). The Wagtail admin renders inline scripts and style attributes it does not let us
remove, so responses under /admin/ get CONTENT_SECURITY_POLICY_ADMIN instead. django-csp's
documented way to choose a policy per request is to override `get_policy_parts`
(https://django-csp.readthedocs.io/en/latest/configuration.html).
"""

from csp.middleware import CSPMiddleware
from django.conf import settings

ADMIN_PREFIX = "/admin/"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and request.path.startswith(ADMIN_PREFIX):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return parts
