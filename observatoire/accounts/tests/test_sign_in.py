"""Staff sign-in: throttling of failed passwords, and the optional second factor (TOTP)."""

import pytest
from django.core.cache import cache
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from observatoire.accounts import roles

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    settings.OBSERVATOIRE_LOGIN_FAILURES = 3
    # django-otp delays the next try after a wrong code (1 s, doubling); tests retry at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    cache.clear()
    yield
    cache.clear()


def _sign_in(password, address="198.51.100.7", username="claire"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": username, "password": password})
    return client, response


def test_repeated_wrong_passwords_pause_that_account_from_that_address(member_of):
    user = member_of(roles.BAROMETER, "claire")
    user.set_password("le-bon-mot-de-passe")
    user.save()
    for _attempt in range(3):
        assert _sign_in("mauvais")[1].status_code == 200
    _client, refused = _sign_in("le-bon-mot-de-passe")
    assert refused.status_code == 200 and "Trop de tentatives" in refused.content.decode()
    assert "_auth_user_id" not in _client.session
    # Another address is not paused: an attacker cannot lock a colleague out from elsewhere.
    elsewhere, allowed = _sign_in("le-bon-mot-de-passe", address="203.0.113.9")
    assert allowed.status_code == 302 and elsewhere.session["_auth_user_id"] == str(user.pk)


def test_failures_for_one_account_do_not_pause_another_from_the_same_address(member_of):
    user = member_of(roles.EDITION, "denis")
    user.set_password("secret-de-denis")
    user.save()
    for _attempt in range(5):
        _sign_in("mauvais", username="claire")
    client, response = _sign_in("secret-de-denis", username="denis")
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)


def _code(device, drift=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def test_enrolled_staff_must_type_a_code_after_signing_in(member_of):
    user = member_of(roles.BAROMETER, "claire")
    client = Client()
    client.force_login(user)
    page = client.get("/admin/compte/second-facteur/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = "000000" if _code(device) != "000000" else "111111"
    assert client.post("/admin/compte/second-facteur/", {"code": wrong}).status_code == 200
    enrolled = client.post("/admin/compte/second-facteur/", {"code": _code(device)})
    assert enrolled.status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed

    later = Client()
    later.force_login(user)
    asked = later.get("/barometre/saisie/2026/commune/38000/phone/")
    assert asked.status_code == 302 and asked["Location"].startswith(
        "/admin/compte/second-facteur/code/"
    )
    wrong = later.post("/admin/compte/second-facteur/code/", {"code": "12345x"})
    assert wrong.status_code == 200 and "ne correspond pas" in wrong.content.decode()
    assert later.get("/admin/").status_code == 302
    device.refresh_from_db()
    verified = later.post(
        "/admin/compte/second-facteur/code/", {"code": _code(device, drift=1), "next": "/admin/"}
    )
    assert verified.status_code == 302 and verified["Location"] == "/admin/"
    assert later.get("/admin/").status_code == 200


def test_staff_without_a_device_may_be_required_to_enrol(member_of, settings):
    client = Client()
    client.force_login(member_of(roles.EDITION))
    assert client.get("/admin/").status_code == 200
    settings.OBSERVATOIRE_STAFF_2FA_REQUIRED = True
    sent = client.get("/admin/")
    assert sent.status_code == 302 and sent["Location"].startswith("/admin/compte/second-facteur/")
    assert client.get("/admin/compte/second-facteur/").status_code == 200
