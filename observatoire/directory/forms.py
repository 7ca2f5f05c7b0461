"""The public contribution form: propose a new entry or a correction to an existing one.

Nothing here touches the directory: the view turns the form into a pending `Contribution`
(services.submit_contribution) that a moderator approves, edits or rejects.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ActorKind, Function, Objective, Tag
from .schema import LIST_SEPARATOR, FieldError, export_value, parse_date, spec_by_name

ENTITY_CHOICES = [
    ("organisation", _("Un acteur (association, entreprise, collectivité, réseau…)")),
    ("tool", _("Un outil (plateforme, application, logiciel…)")),
    ("initiative", _("Une initiative (consultation, budget participatif, pétition…)")),
]
OPEN_SOURCE_CHOICES = [("", _("Je ne sais pas")), ("true", _("Oui")), ("false", _("Non"))]

# Which fields each kind of entry offers; the names are the schema's (schema.field_specs).
ENTITY_FIELDS = {
    "organisation": ["name", "website", "description", "kind", "city"],
    "tool": ["name", "website", "description", "objective", "tags", "functions", "is_open_source"],
    "initiative": ["name", "website", "description", "objective", "functions", "start_on"],
}
HONEYPOT = "champ_controle"


def _terms(model):
    return [(code, name) for code, name in model.objects.values_list("code", "name")]


class ContributionForm(forms.Form):
    entity = forms.ChoiceField(
        label=_("Vous proposez"), choices=ENTITY_CHOICES, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Nom"), max_length=200, required=False)
    website = forms.URLField(
        label=_("Site web"), max_length=500, required=False, assume_scheme="https"
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Quelques phrases factuelles : ce que c'est, qui le porte, depuis quand."),
    )
    kind = forms.ChoiceField(label=_("Type d'acteur"), required=False)
    city = forms.CharField(label=_("Ville du siège"), max_length=100, required=False)
    objective = forms.ChoiceField(label=_("Objectif principal"), required=False)
    tags = forms.MultipleChoiceField(
        label=_("Étiquettes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    functions = forms.MultipleChoiceField(
        label=_("Fonctions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    is_open_source = forms.ChoiceField(
        label=_("Logiciel libre ?"),
        choices=OPEN_SOURCE_CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    start_on = forms.CharField(
        label=_("Date de début"),
        max_length=10,
        required=False,
        help_text=_("AAAA, AAAA-MM ou AAAA-MM-JJ, par exemple 2018-09."),
    )
    message = forms.CharField(
        label=_("Précisions et sources"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Où avez-vous trouvé ces informations ? Elles aident la modération."),
    )
    contributor_name = forms.CharField(label=_("Votre nom"), max_length=200, required=False)
    contributor_email = forms.EmailField(
        label=_("Votre courriel"),
        required=False,
        help_text=_("Facultatif : pour vous dire si la proposition est acceptée. Jamais publié."),
    )
    # Left empty by people (it is not displayed); robots that fill every field give themselves away.
    champ_controle = forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    confirm = forms.BooleanField(
        label=_("Ma proposition ne correspond à aucune de ces fiches : l'envoyer quand même"),
        required=False,
    )

    def __init__(self, *args, target=None, **kwargs):
        self.target = target
        if target is not None:
            kwargs.setdefault("initial", {}).update(self.current_values(target))
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *_terms(ActorKind)]
        self.fields["objective"].choices = [("", "—"), *_terms(Objective)]
        self.fields["tags"].choices = _terms(Tag)
        self.fields["functions"].choices = _terms(Function)
        if target is not None:
            self.fields["entity"].disabled = True

    @staticmethod
    def current_values(entry) -> dict:
        specs = spec_by_name(entry.entity)
        values = {"entity": entry.entity}
        for name in ENTITY_FIELDS[entry.entity]:
            value = export_value(entry, specs[name])
            if specs[name].is_list:
                value = [item for item in str(value).split(LIST_SEPARATOR) if item]
            elif specs[name].kind == "bool":
                value = value or ""
            values[name] = "" if value is None else value
        return values

    def is_spam(self) -> bool:
        return bool(self.data.get(HONEYPOT))

    def clean_start_on(self):
        value = self.cleaned_data["start_on"].strip()
        if value:
            try:
                parse_date(value)
            except FieldError as error:
                raise forms.ValidationError(str(error)) from None
        return value

    def clean(self):
        cleaned = super().clean()
        entity = self.target.entity if self.target is not None else cleaned.get("entity")
        if self.target is None and entity and not cleaned.get("name", "").strip():
            self.add_error("name", _("Indiquez le nom de la fiche proposée."))
        if self.target is not None and not self.proposed_data() and not cleaned.get("message"):
            raise forms.ValidationError(
                _("Vous n'avez rien modifié : changez un champ ou expliquez la correction.")
            )
        return cleaned

    @property
    def entity_value(self) -> str:
        if self.target is not None:
            return self.target.entity
        return self.cleaned_data.get("entity", "")

    def proposed_data(self) -> dict:
        """The proposal as the schema's plain values; for a correction, only what changed."""
        entity = self.entity_value
        if not entity:
            return {}
        current = self.current_values(self.target) if self.target is not None else {}
        data = {}
        for name in ENTITY_FIELDS[entity]:
            value = self.cleaned_data.get(name)
            if isinstance(value, str):
                value = value.strip()
            if value in ("", None, []) and (self.target is None or name == "is_open_source"):
                continue  # nothing said ("Je ne sais pas" included) is not a change
            if self.target is not None and _same(value, current.get(name)):
                continue
            data[name] = value
        return data


def _same(proposed, current) -> bool:
    if isinstance(proposed, list) or isinstance(current, list):
        return sorted(proposed or []) == sorted(current or [])
    return str(proposed or "") == str(current or "")
