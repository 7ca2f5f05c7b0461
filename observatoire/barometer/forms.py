from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from observatoire.territories.forms import TerritoryField
from observatoire.territories.models import FrameMember

from .mail import template_problems
from .models import MessageTemplate


class RegistrationForm(forms.Form):
    """The open link: a local government that was not invited asks to answer."""

    territory = TerritoryField(
        label=_("Votre collectivité"),
        help_text=_("Nom officiel, code INSEE, SIREN de l'EPCI ou code postal."),
    )
    name = forms.CharField(label=_("Vos prénom et nom"), max_length=200)
    role = forms.CharField(
        label=_("Votre fonction"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : chargée de mission participation, DGS, élu au numérique."),
    )
    email = forms.EmailField(
        label=_("Votre adresse électronique professionnelle"),
        help_text=_("Nous vous y enverrons votre lien personnel après vérification."),
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition

    def clean_territory(self):
        territory = self.cleaned_data["territory"]
        if territory and self.edition.frame_id:
            in_frame = FrameMember.objects.filter(
                frame_id=self.edition.frame_id, territory=territory
            ).exists()
            if not in_frame:
                raise forms.ValidationError(
                    _(
                        "%(territory)s ne fait pas partie des collectivités interrogées cette "
                        "année (communes de plus de 3 500 habitants, EPCI, départements, "
                        "régions). Écrivez-nous si vous pensez que c'est une erreur."
                    ),
                    params={"territory": territory.label},
                )
        return territory


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Fichier"))

    def __init__(self, *args, extensions=(".xlsx",), **kwargs):
        super().__init__(*args, **kwargs)
        self.extensions = extensions
        self.max_mb = settings.IMPORT_MAX_MB
        self.fields["file"].help_text = _("Formats acceptés : %(formats)s.") % {
            "formats": ", ".join(extensions)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(tuple(self.extensions)):
            raise forms.ValidationError(
                _("« %(name)s » : format non pris en charge (%(formats)s)."),
                params={"name": upload.name, "formats": ", ".join(self.extensions)},
            )
        if upload.size > self.max_mb * 1024 * 1024:
            raise forms.ValidationError(
                _(
                    "« %(name)s » : fichier trop volumineux (%(size).1f Mo, %(max)s Mo au plus) ; "
                    "découpez-le en plusieurs fichiers."
                ),
                params={"name": upload.name, "size": upload.size / 1024 / 1024, "max": self.max_mb},
            )
        return upload


class WaveForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Envoyer"),
        choices=[
            ("invitation", _("les invitations pas encore envoyées")),
            ("reminder", _("les relances dues (collectivités sans réponse envoyée)")),
        ],
        widget=forms.RadioSelect,
        initial="invitation",
    )
    limit = forms.IntegerField(
        label=_("Nombre maximal de messages"),
        required=False,
        min_value=1,
        help_text=_("Vide : tous. Utile pour une première vague test."),
    )


class StaffEntryForm(forms.Form):
    territory = TerritoryField(label=_("Collectivité"))
    channel = forms.ChoiceField(
        label=_("Canal"),
        choices=[("phone", _("Téléphone")), ("paper", _("Questionnaire papier"))],
        widget=forms.RadioSelect,
        initial="phone",
    )


class MessageTemplateForm(WagtailAdminModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["kind", "language", "subject", "body"]

    def clean(self):
        cleaned = super().clean()
        problems = template_problems(cleaned.get("subject", ""), cleaned.get("body", ""))
        if problems:
            raise forms.ValidationError(problems)
        return cleaned
