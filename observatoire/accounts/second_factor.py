"""A second sign-in factor for staff: a TOTP application (RFC 6238) through django-otp.

Enrolling is optional per person, unless OBSERVATOIRE_STAFF_2FA_REQUIRED asks it of all staff.
Once a person has a confirmed device, SecondFactorMiddleware asks for a code after every
sign-in. The QR code is drawn here as SVG (segno): the secret never leaves the server.
"""

import segno
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from observatoire.ratelimit import count_hit

# Guesses of a six-digit code per person and window, before they must sign in again.
CODE_ATTEMPTS, CODE_WINDOW = 5, 900


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code à six chiffres de votre application"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("wagtailadmin_home")


def _render(request, template, title, context):
    context = {"header_title": title, "page_title": title, "header_icon": "key", **context}
    return render(request, template, context)


def enrol(request):
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name=_("Application d'authentification"), confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(
                request, _("Second facteur activé : un code vous sera demandé à chaque connexion.")
            )
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _("Ce code ne correspond pas : vérifiez l'heure de votre téléphone et réessayez."),
        )
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": qr.svg_inline(scale=4, title=_("Code QR à scanner")),
        "secret": device.config_url.split("secret=", 1)[1].split("&", 1)[0],
        "next": _next_url(request),
        "has_device": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
    }
    return _render(request, "accounts/enrol.html", _("Second facteur de connexion"), context)


def verify(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if count_hit(f"otp:{request.user.pk}", request, window=CODE_WINDOW) > CODE_ATTEMPTS:
            form.add_error("code", _("Trop de codes erronés : réessayez dans 15 minutes."))
        else:
            code = form.cleaned_data["code"].strip()
            for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
                if device.verify_token(code):
                    otp_login(request, device)
                    return redirect(_next_url(request))
            form.add_error(
                "code", _("Ce code ne correspond pas : saisissez le code affiché maintenant.")
            )
    context = {"form": form, "next": _next_url(request)}
    return _render(request, "accounts/verify.html", _("Code de connexion"), context)
