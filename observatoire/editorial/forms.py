from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PublicationKind


class HoneypotForm(forms.Form):
    """A field people never see (hidden by CSS and from assistive technologies); bots fill it."""

    website = forms.CharField(
        label=_("Ne pas remplir ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))


class RegistrationForm(HoneypotForm):
    name = forms.CharField(label=_("Prénom et nom"), max_length=200)
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("La confirmation et le lien d'annulation y seront envoyés."),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)

    field_order = ["name", "email", "organisation", "website"]


class SubscribeForm(HoneypotForm):
    email = forms.EmailField(label=_("Adresse e-mail"))

    field_order = ["email", "website"]


class ContactForm(HoneypotForm):
    name = forms.CharField(label=_("Prénom et nom"), max_length=200)
    email = forms.EmailField(label=_("Adresse e-mail"), help_text=_("Pour vous répondre."))
    subject = forms.CharField(label=_("Objet"), max_length=200)
    message = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )

    field_order = ["name", "email", "subject", "message", "website"]

    def clean_subject(self):
        # The subject becomes a mail header, which holds one line: a pasted line break would
        # make Django refuse to send (BadHeaderError) after the message was stored.
        return one_line(self.cleaned_data["subject"])


def one_line(text: str) -> str:
    """The text with its line breaks and runs of spaces turned into single spaces."""
    return " ".join(text.split())


class PublicationFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), required=False)
    year = forms.TypedChoiceField(label=_("Année"), required=False, coerce=int, empty_value=None)
    tag = forms.ChoiceField(label=_("Mot-clé"), required=False)

    def __init__(self, *args, years=(), tags=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("Tous"))]
        self.fields["kind"].choices = everything + list(PublicationKind.choices)
        self.fields["year"].choices = [("", _("Toutes"))] + [(year, year) for year in years]
        self.fields["tag"].choices = everything + [(tag.slug, tag.name) for tag in tags]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher dans le site"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
