"""Anonymous public pages served from the shared cache, invalidated when content changes.

Most public pages are the same for every visitor who is not signed in, yet each was rendered
anew (the home page topped out at ~60 requests/s on two workers). Django's per-site cache
middleware keys on `Vary: Cookie`, which every page carries (the session is read to know who
is signed in), so it would keep one copy per visitor; and it knows nothing of publishing. This
middleware keeps one copy per address and language instead, under three rules:

* it serves and stores only for a visitor without a session or messages cookie (a signed-in
  staff member, or anyone with a pending message, always gets a freshly rendered page);
* it stores only a plain 200 HTML response that set no cookie, used no CSRF token (a form's
  token belongs to one visitor) and did not ask not to be cached (`never_cache`, `private`);
* every stored page carries the content *generation*, a counter in the shared cache that any
  save or deletion of published content bumps (`bump_generation`, wired in `apps.py`): all
  cached pages of every server process and host go stale at once, within one request.

Pages also expire after `PUBLIC_PAGE_CACHE_SECONDS` (dates such as "prochain événement" move
on their own). Responses carry an `ETag` and `Cache-Control: public, max-age=0,
must-revalidate`, so a reverse proxy may keep them and revalidate each time (a 304 costs a
cache lookup here).
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

GENERATION_KEY = "public-pages:generation"
EXCLUDED_PREFIXES = (
    "/admin/",
    "/documents/",
    "/media/",
    "/static/",
    "/healthz",
    "/i18n/",
    "/barometre/repondre/",  # personal links: a revoked link must stop working at once
    "/en/barometre/repondre/",
)


def generation() -> int:
    return cache.get(GENERATION_KEY) or 0


def bump_generation(**_signal_kwargs) -> None:
    """Make every cached public page stale, on every server (the cache is shared)."""
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:  # no counter yet
            cache.set(GENERATION_KEY, 1, timeout=None)
    except DatabaseError:
        # During `migrate`, code that saves content (the roles' sync) runs before the cache's
        # table exists: there is no cached page to make stale yet. Runs after the commit, so a
        # failure here leaves no transaction broken.
        pass


def bump_after_commit(using=None, **_signal_kwargs) -> None:
    """Bump once when the current transaction commits (a bulk load saves thousands of rows)."""
    connection = transaction.get_connection(using)
    pending = any(entry[1] is bump_generation for entry in connection.run_on_commit)
    if not pending:
        transaction.on_commit(bump_generation, using=using)


def _eligible_request(request) -> bool:
    if request.method not in ("GET", "HEAD") or settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    return not request.path.startswith(EXCLUDED_PREFIXES)


def _storable(request, response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and response.get("Content-Type", "").startswith("text/html")
        and not any(word in cache_control for word in ("private", "no-cache", "no-store"))
    )


def _key(request, current: int) -> str:
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-pages:{current}:{address}"


def _finish(request, response):
    """Validators for browsers and proxies, then a 304 if the visitor has this version."""
    patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ("Cookie",))
    return get_conditional_response(request, etag=response["ETag"], response=response)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible_request(request):
            return self.get_response(request)
        key = _key(request, generation())
        cached = cache.get(key)
        if cached is not None:
            cached["X-Observatoire-Cache"] = "hit"
            return _finish(request, cached)
        response = self.get_response(request)
        if not _storable(request, response):
            return response
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        cache.set(key, response, timeout=settings.PUBLIC_PAGE_CACHE_SECONDS)
        response["X-Observatoire-Cache"] = "miss"
        return _finish(request, response)
