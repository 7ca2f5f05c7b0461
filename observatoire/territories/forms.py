"""Choosing a territory in a form: a text input, enhanced into an accessible autocomplete.

Without JavaScript the person types a name, an INSEE code, a SIREN or a postcode and the field
resolves it on the server, with a clear error when it is unknown or ambiguous. With JavaScript,
static/js/autocomplete.js turns the input into a WAI-ARIA combobox fed by the JSON search
endpoint; choosing an option also posts `<name>_key` ("commune:38185"), which settles homonyms.
"""

import re

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import KIND_SHORT, Territory

_PARENTHESISED_CODE = re.compile(
    r"\(([^()]*?)\s*([0-9][0-9AB]?[0-9]{0,7}|2[AB][0-9]{0,3})\s*\)\s*$"
)
_KEY = re.compile(r"^(commune|epci|departement|region):([0-9A-Za-z]{2,9})$")


class TerritoryInput(str):
    """The text typed, plus the key of the option chosen in the autocomplete, if any."""

    key = ""


class TerritoryAutocompleteWidget(forms.TextInput):
    template_name = "territories/widgets/autocomplete.html"

    class Media:
        css = {"all": ["css/territories.css"]}
        js = ["js/autocomplete.js"]

    def __init__(self, attrs=None, *, kinds=None, navigate=False, input_type="text"):
        attrs = {"autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        super().__init__(attrs)
        self.input_type = input_type
        self.kinds = list(kinds or [])
        self.navigate = navigate

    def format_value(self, value):
        if isinstance(value, Territory):
            return value.label
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        value = TerritoryInput(data.get(name, "") or "")
        value.key = data.get(f"{name}_key", "") or ""
        return value

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        hint_id = f"{widget_id}-hint"
        described = context["widget"]["attrs"].get("aria-describedby", "")
        context["widget"]["attrs"]["aria-describedby"] = f"{described} {hint_id}".strip()
        context["autocomplete"] = {
            "id": widget_id,
            "hint_id": hint_id,
            "url": reverse("territories:search"),
            "kinds": ",".join(self.kinds),
            "navigate": self.navigate,
            "key_name": f"{name}_key",
        }
        return context


def resolve(text, *, key="", kinds=None, include_historical=False):
    """The territories a typed value designates: one, none, or several (ambiguous)."""
    queryset = Territory.objects.all() if include_historical else Territory.objects.current()
    if kinds:
        queryset = queryset.filter(kind__in=kinds)
    match = _KEY.match(key or "")
    if match:
        found = list(queryset.filter(kind=match[1], code=match[2].upper()))
        if found:
            return found
    text = (text or "").strip()
    if not text:
        return []
    match = _PARENTHESISED_CODE.search(text)
    if match:
        by_code = list(queryset.filter(code=match[2].upper()) | queryset.filter(siren=match[2]))
        if len(by_code) > 1:
            name = text[: match.start()].strip()
            kind_word = match[1].strip().lower()
            by_code = [
                t
                for t in by_code
                if t.name == name
                and (not kind_word or str(KIND_SHORT.get(t.kind, "")).lower() == kind_word)
            ] or by_code
        if by_code:
            return by_code
    results = list(queryset.search(text, kinds=kinds, include_historical=include_historical)[:20])
    exact = [t for t in results if t.search_rank in (0, 1, 3)]
    if not exact:
        return []
    best = min(t.search_rank for t in exact)
    # An exact code beats a postcode; an exact name is only taken when nothing else matched.
    return [t for t in exact if t.search_rank == best]


class TerritoryField(forms.Field):
    widget = TerritoryAutocompleteWidget
    default_error_messages = {
        "unknown": _(
            "Aucun territoire ne correspond à « %(value)s ». Tapez le nom officiel, le code "
            "INSEE, le SIREN ou le code postal."
        ),
        "ambiguous": _(
            "« %(value)s » désigne plusieurs territoires : %(choices)s. Précisez en ajoutant "
            "le code entre parenthèses, par exemple « %(example)s »."
        ),
    }

    def __init__(self, *, kinds=None, include_historical=False, navigate=False, **kwargs):
        self.kinds = list(kinds or [])
        self.include_historical = include_historical
        kwargs.setdefault(
            "widget", TerritoryAutocompleteWidget(kinds=self.kinds, navigate=navigate)
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            value = Territory.objects.filter(pk=value).first() or value
        return value

    def to_python(self, value):
        if isinstance(value, Territory):
            return value
        text = str(value or "").strip()
        key = getattr(value, "key", "")
        if not text and not key:
            return None
        found = resolve(text, key=key, kinds=self.kinds, include_historical=self.include_historical)
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": text}
            )
        choices = ", ".join(t.label for t in found[:5])
        if len(found) > 5:
            choices += " " + ngettext("et %(n)d autre", "et %(n)d autres", len(found) - 5) % {
                "n": len(found) - 5
            }
        raise forms.ValidationError(
            self.error_messages["ambiguous"],
            code="ambiguous",
            params={"value": text, "choices": choices, "example": found[0].label},
        )


class TerritorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher une collectivité"),
        required=False,
        max_length=100,
        widget=TerritoryAutocompleteWidget(navigate=True, input_type="search"),
    )
