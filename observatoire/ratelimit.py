"""Who a visitor is, for rate limits, without keeping their address; and a counter per window.

Every limit of the site (public form posts, contributions to the cartography, guesses of
personal links) names the visitor the same way: a keyed hash of their IP address, read from
`X-Forwarded-For` behind `PROXY_COUNT` reverse proxies (otherwise every visitor would be the
proxy, and one visitor could lock everybody out).

Counters live in Django's cache. With the default local-memory cache each server process counts
on its own: good enough against a script hammering a form; a shared cache makes them global.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The visitor's address; behind PROXY_COUNT proxies, the one the nearest proxy saw."""
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        forwarded = [part.strip() for part in forwarded if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def hash_ip(ip: str | None) -> str:
    """A keyed hash of an address: enough to count a visitor's attempts, not to identify them."""
    if not ip:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def client_hash(request) -> str:
    return hash_ip(client_ip(request)) or hash_ip("unknown")


def count_hit(scope: str, request, *, window: int) -> int:
    """One more hit of this visitor in `scope` for the current window; the count so far."""
    key = f"ratelimit:{scope}:{client_hash(request)}"
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window)
        return 1
