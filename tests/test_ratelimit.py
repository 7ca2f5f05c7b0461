"""One way to name a visitor for every rate limit: a keyed hash of the address, proxy-aware."""

from django.test import RequestFactory

from observatoire.ratelimit import client_hash, client_ip, count_hit, hash_ip


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_proxy_the_connection_address_is_the_visitor(settings):
    settings.PROXY_COUNT = 0
    assert client_ip(_request(forwarded="203.0.113.9")) == "10.0.0.1"


def test_behind_one_proxy_visitors_are_told_apart(settings):
    settings.PROXY_COUNT = 1
    first = _request(forwarded="198.51.100.1, 203.0.113.9")
    second = _request(forwarded="203.0.113.10")
    assert client_ip(first) == "203.0.113.9"
    assert client_hash(first) != client_hash(second)


def test_the_address_is_never_kept_in_clear(settings):
    digest = client_hash(_request("203.0.113.7"))
    assert "203.0.113.7" not in digest
    assert digest == hash_ip("203.0.113.7")
    assert len(digest) == 64


def test_counts_per_visitor_and_scope(settings, db):
    from django.core.cache import cache

    cache.clear()
    settings.PROXY_COUNT = 0
    alice, bob = _request("203.0.113.1"), _request("203.0.113.2")
    assert [count_hit("t", alice, window=60) for _ in range(3)] == [1, 2, 3]
    assert count_hit("t", bob, window=60) == 1
    assert count_hit("other", alice, window=60) == 1
