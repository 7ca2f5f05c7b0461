"""Sign-in throttling: after OBSERVATOIRE_LOGIN_FAILURES failed passwords for one account from
one address within OBSERVATOIRE_LOGIN_WINDOW seconds, that pair is refused until the window ends.

The key is the account *and* the visitor's hashed address (observatoire.ratelimit): one
attacker cannot lock a colleague out from elsewhere, and a shared office address is never
locked for everybody. It is enforced in the authentication backend, so every sign-in form
(Wagtail's, any later one) is covered; the Wagtail login form also says why it refuses.
We use the site's own counters rather than django-axes: they already hash addresses behind
PROXY_COUNT proxies and share the cache, and axes would add its own tables and a second
notion of "who the visitor is".
"""

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm

from observatoire.ratelimit import client_hash, count_hit

MESSAGE = _(
    "Trop de tentatives de connexion pour ce compte depuis votre adresse : réessayez dans "
    "%(minutes)d minutes, ou demandez à un administrateur de réinitialiser votre mot de passe."
)


def _scope(username) -> str:
    account = hashlib.sha256(str(username or "").strip().lower().encode()).hexdigest()[:32]
    return f"login:{account}"


def _key(username, request) -> str:
    return f"ratelimit:{_scope(username)}:{client_hash(request)}"


def is_locked(username, request) -> bool:
    if request is None:
        return False
    return (cache.get(_key(username, request)) or 0) >= settings.OBSERVATOIRE_LOGIN_FAILURES


def refusal_message() -> str:
    return MESSAGE % {"minutes": max(1, settings.OBSERVATOIRE_LOGIN_WINDOW // 60)}


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if is_locked(username, request):
            # PermissionDenied stops Django trying other backends and counts as a failure.
            raise PermissionDenied(refusal_message())
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field():
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_login_failed, dispatch_uid="observatoire.accounts.throttle.failed")
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is not None:
        username = credentials.get("username")
        count_hit(_scope(username), request, window=settings.OBSERVATOIRE_LOGIN_WINDOW)


@receiver(user_logged_in, dispatch_uid="observatoire.accounts.throttle.success")
def _reset(sender, request, user, **kwargs):
    if request is not None:
        cache.delete(_key(user.get_username(), request))


class ThrottledLoginForm(LoginForm):
    """Wagtail's login form, saying plainly that the account is paused rather than "wrong"."""

    def clean(self):
        if is_locked(self.cleaned_data.get("username"), self.request):
            raise self.get_throttled_error()
        return super().clean()

    def get_throttled_error(self):
        from django.core.exceptions import ValidationError

        return ValidationError(refusal_message(), code="throttled")
