"""TerritoryField: what a person types (or picks in the autocomplete) becomes one territory."""

import pytest
from django import forms

from observatoire.territories.forms import TerritoryAutocompleteWidget, TerritoryField

pytestmark = pytest.mark.django_db


class RespondentForm(forms.Form):
    territory = TerritoryField(label="Votre collectivité")


class CommuneForm(forms.Form):
    commune = TerritoryField(label="Commune", kinds=["commune"])


def _clean(form_class, data):
    form = form_class(data)
    valid = form.is_valid()
    return valid, form


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("38185", ("commune", "38185")),
        ("Grenoble", ("commune", "38185")),
        ("grenoble", ("commune", "38185")),
        ("Grenoble (38185)", ("commune", "38185")),
        ("200046977", ("epci", "200046977")),
        ("42000", ("commune", "42218")),
        ("saint-etienne", ("commune", "42218")),
        ("Île-de-France (région 11)", ("region", "11")),
    ],
)
def test_typed_value_resolves_to_one_territory(mini_referentiel, typed, expected):
    valid, form = _clean(RespondentForm, {"territory": typed})
    assert valid, form.errors
    territory = form.cleaned_data["territory"]
    assert (territory.kind, territory.code) == expected


def test_the_key_posted_by_the_autocomplete_settles_homonyms(mini_referentiel):
    valid, form = _clean(RespondentForm, {"territory": "Lyon", "territory_key": "epci:200046977"})
    assert valid and form.cleaned_data["territory"].name == "Métropole de Lyon"


def test_unknown_value_gives_a_clear_error(mini_referentiel):
    valid, form = _clean(RespondentForm, {"territory": "Atlantide"})
    assert not valid
    assert "Aucun territoire ne correspond à « Atlantide »" in form.errors["territory"][0]


def test_ambiguous_value_lists_the_candidates(mini_referentiel):
    valid, form = _clean(RespondentForm, {"territory": "Paris"})
    assert not valid
    message = form.errors["territory"][0]
    assert "« Paris » désigne plusieurs territoires" in message
    assert "Paris (75056)" in message and "Paris (département 75)" in message
    valid, form = _clean(RespondentForm, {"territory": "975"})  # a pseudo-département and a région
    assert not valid and "plusieurs territoires" in form.errors["territory"][0]


def test_kinds_restrict_what_the_field_accepts(mini_referentiel):
    valid, form = _clean(CommuneForm, {"commune": "Paris"})
    assert valid and form.cleaned_data["commune"].code == "75056"
    valid, form = _clean(CommuneForm, {"commune": "200046977"})
    assert not valid


def test_required_field_refuses_an_empty_value(mini_referentiel):
    valid, form = _clean(RespondentForm, {"territory": "  "})
    assert not valid and "territory" in form.errors


def test_widget_renders_a_plain_labelled_input_with_a_hint(mini_referentiel):
    form = CommuneForm(initial={"commune": None})
    html = str(form["commune"].label_tag()) + str(form["commune"])
    assert '<label for="id_commune">' in html
    assert '<input type="text" name="commune"' in html and 'id="id_commune"' in html
    assert 'aria-describedby="id_commune-hint"' in html and 'id="id_commune-hint"' in html
    assert 'data-url="/territoires/recherche/"' in html and 'data-kinds="commune"' in html
    assert 'data-key-name="commune_key"' in html
    assert "js/autocomplete.js" in str(form.media)


def test_bound_form_shows_the_label_of_an_initial_territory(mini_referentiel):
    from observatoire.territories.models import Territory

    grenoble = Territory.objects.get(kind="commune", code="38185")
    form = CommuneForm(initial={"commune": grenoble})
    assert 'value="Grenoble (38185)"' in str(form["commune"])
    assert isinstance(CommuneForm.base_fields["commune"].widget, TerritoryAutocompleteWidget)
