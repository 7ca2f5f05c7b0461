"""A per-IP limit on public form posts (registrations, newsletter, contact).

The counter lives in Django's cache under a hash of the IP, so no address is stored in clear.
With the default local-memory cache each server process counts on its own: good enough
against a script hammering a form, documented in docs/editorial.md.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def client_ip(request) -> str:
    """The visitor's address; behind EDITORIAL_PROXY_COUNT proxies, read from X-Forwarded-For."""
    proxies = settings.EDITORIAL_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def allow_post(request, scope: str) -> bool:
    """Count one post for this visitor; False once over EDITORIAL_POSTS_PER_HOUR this hour."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()
    key = f"editorial:posts:{scope}:{digest}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count <= settings.EDITORIAL_POSTS_PER_HOUR
