import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from observatoire.directory.choices import format_date_fr
from observatoire.directory.models import (
    ActorKind,
    Ecosystem,
    Function,
    Initiative,
    KeyDate,
    Objective,
    Organisation,
    OrganisationStatus,
    Relation,
    RelationType,
    Tag,
    Theme,
    Tool,
    current_status_of,
)
from observatoire.directory.text import normalise, slugify_fr, website_domain

from . import factory

pytestmark = pytest.mark.django_db


def test_text_helpers_fold_accents_ligatures_and_punctuation():
    assert normalise("  L’État  & la Démocratie — Œuvre ") == "l etat et la democratie oeuvre"
    assert slugify_fr("Cœur d'Œuvre & Cie") == "coeur-d-oeuvre-et-cie"
    assert slugify_fr("Voxe.org") == "voxe-org"
    assert website_domain("https://WWW.Regardscitoyens.org/a/propos") == "regardscitoyens.org"
    assert website_domain("nosdeputes.fr") == "nosdeputes.fr"


def test_slugs_are_french_friendly_unique_and_stable():
    first = factory.organisation("Démocratie Ouverte", kind="reseau")
    second = factory.organisation("Démocratie ouverte !", kind="reseau")
    assert first.slug == "democratie-ouverte"
    assert second.slug == "democratie-ouverte-2"

    first.name = "Démocratie Ouverte (réseau)"
    first.save()
    first.refresh_from_db()
    assert first.slug == "democratie-ouverte", "renaming must not break public addresses"


def test_slug_avoids_words_reserved_for_public_sub_pages():
    assert factory.tool("Proposer").slug == "proposer-2"


def test_current_status_comes_from_the_latest_running_period():
    organisation = Organisation(name="Fluicity")
    organisation.statuses = [
        OrganisationStatus(status="active", start_on=datetime.date(2016, 4, 1))
    ]
    organisation.save()
    assert organisation.current_status == "active", "in-memory periods count on first save"

    OrganisationStatus.objects.create(
        organisation=organisation, status="acquired", start_on=datetime.date(2021, 1, 1)
    )
    organisation.refresh_from_db()
    assert organisation.current_status == "acquired"
    assert Organisation.objects.filter_by(status="acquired").get() == organisation

    organisation.statuses.get(status="acquired").delete()
    organisation.refresh_from_db()
    assert organisation.current_status == "active"


def test_status_periods_that_ended_leave_the_status_unknown():
    period = OrganisationStatus(
        status="active", start_on=datetime.date(2012, 1, 1), end_on=datetime.date(2014, 1, 1)
    )
    assert current_status_of([period], today=datetime.date(2020, 1, 1)) == ""
    assert current_status_of([period], today=datetime.date(2013, 1, 1)) == "active"


def test_relations_are_labelled_from_both_ends():
    lab = factory.organisation("Liberté Living Lab", kind="lieu-innovation")
    fluicity = factory.organisation("Fluicity", kind="entreprise")
    app = factory.tool("Fluicity", makers=[fluicity])
    consultation = factory.initiative(
        "Budget participatif", tools=[app], organiser_organisation=fluicity
    )
    factory.relation(
        "hosts", lab, fluicity, start_on=datetime.date(2016, 4, 1), source_title="Diaporama 2018"
    )

    seen_from_lab = [(link.label, link.other) for link in lab.relations_both_ways()]
    assert seen_from_lab == [("héberge", fluicity)]

    seen_from_fluicity = {(link.label, link.other) for link in fluicity.relations_both_ways()}
    assert seen_from_fluicity == {
        ("hébergé par", lab),
        ("développe", app),
        ("organise", consultation),
    }
    hosted = next(link for link in fluicity.relations_both_ways() if link.type_code == "hosts")
    assert hosted.start_on == datetime.date(2016, 4, 1)
    assert hosted.sources == [("Diaporama 2018", "")]

    assert {(link.label, link.other) for link in app.relations_both_ways()} == {
        ("développé par", fluicity),
        ("utilisé par", consultation),
    }
    assert {(link.label, link.other) for link in consultation.relations_both_ways()} == {
        ("utilise", app),
        ("organisé par", fluicity),
    }


def test_relations_to_unpublished_entries_can_be_hidden():
    lab = factory.organisation("Liberté Living Lab")
    hidden = factory.organisation("Projet confidentiel", published=False)
    factory.relation("hosts", lab, hidden)
    assert lab.relations_both_ways(published_only=True) == []
    assert len(lab.relations_both_ways()) == 1


def test_relation_needs_exactly_one_target():
    source = factory.organisation("Etalab", kind="agence-publique")
    hosts = RelationType.objects.get(code="hosts")
    relation = Relation(type=hosts, source_organisation=source)
    with pytest.raises(ValidationError):
        relation.clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        relation.save()
    both = Relation(
        type=hosts,
        source_organisation=source,
        target_organisation=factory.organisation("A"),
        target_tool=factory.tool("B"),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        both.save()


def test_relation_refuses_links_that_are_fields():
    maker = factory.organisation("Regards Citoyens")
    product = factory.tool("NosSénateurs.fr")
    relation = Relation(
        type=RelationType.objects.get(code="develops"),
        source_organisation=maker,
        target_tool=product,
    )
    with pytest.raises(ValidationError) as error:
        relation.clean()
    assert "développé par" in str(error.value)


def test_taxonomy_is_seeded_on_a_fresh_database():
    assert set(Objective.objects.values_list("code", flat=True)) == {
        "information",
        "mobilisation",
        "coproduction",
    }
    assert {"interpellation", "controle-citoyen", "lobby-citoyen", "relation-au-citoyen"} <= set(
        Tag.objects.values_list("code", flat=True)
    )
    assert {"petition", "budget-participatif", "suivi-parlementaire"} <= set(
        Function.objects.values_list("code", flat=True)
    )
    assert ActorKind.objects.get(code="collectivite").is_local_government
    assert Ecosystem.objects.filter(code__in=["open-data", "govtech", "tech-for-good"]).count() == 3
    assert RelationType.objects.get(code="develops").inverse_name == "développé par"
    assert Theme.objects.exists()


def test_local_government_must_be_linked_to_its_territory():
    town = Organisation(name="Ville de Grenoble", kind=ActorKind.objects.get(code="collectivite"))
    with pytest.raises(ValidationError) as error:
        town.full_clean()
    assert "territory" in error.value.message_dict


def test_budget_is_stored_as_an_interval():
    exact = factory.initiative("A", budget_amount=Decimal("7500"))
    assert (exact.budget_bracket, exact.budget_min, exact.budget_max) == ("5k-10k", 7500, 7500)
    large = factory.initiative("B", budget_bracket="gt1m")
    assert (large.budget_min, large.budget_max) == (1_000_000, None)
    unknown = factory.initiative("C", budget_bracket="nsp")
    assert (unknown.budget_min, unknown.budget_max) == (None, None)
    small = factory.initiative("D", budget_bracket="1k-5k")

    overlapping = Initiative.objects.with_budget_between(Decimal(4000), Decimal(8000))
    assert set(overlapping) == {exact, small}
    assert set(Initiative.objects.with_budget_between(low=Decimal(2_000_000))) == {large}


def test_bracket_must_match_the_amount():
    mismatch = Initiative(name="X", budget_amount=Decimal(500), budget_bracket="gt1m")
    with pytest.raises(ValidationError) as error:
        mismatch.full_clean()
    assert "budget_bracket" in error.value.message_dict


def test_renaming_a_term_keeps_entries_findable_by_the_new_name():
    petition = Function.objects.get(code="petition")
    site = factory.tool("Change.org", functions=["petition"])
    petition.name = "Pétition en ligne"
    petition.save()
    site.refresh_from_db()
    assert "petition en ligne" in site.search_text


def test_facets_combine_and_accept_lists():
    civic = factory.tool("A", objective="information", functions=["petition", "consultation"])
    factory.tool("B", objective="coproduction", functions=["consultation"])
    assert list(
        Tool.objects.filter_by(function=["petition", "consultation"], objective="information")
    ) == [civic]
    assert Tool.objects.filter_by(function=["petition", "consultation"]).count() == 2
    with pytest.raises(ValueError):
        Tool.objects.filter_by(colour="blue")


def test_key_dates_show_their_precision():
    key_date = KeyDate.objects.create(
        title="Naissance de Regards Citoyens", date=datetime.date(2010, 6, 1), precision="month"
    )
    assert str(key_date) == "juin 2010 : Naissance de Regards Citoyens"
    assert key_date.slug == "2010-naissance-de-regards-citoyens"
    assert format_date_fr(datetime.date(2018, 9, 1), "day") == "1er septembre 2018"
    assert format_date_fr(datetime.date(2018, 9, 26), "year") == "2018"
    with translation.override("en"):
        assert format_date_fr(datetime.date(2010, 6, 1), "month") == "June 2010"
        assert format_date_fr(datetime.date(2018, 9, 1), "day") == "1 September 2018"


def test_public_address_follows_the_documented_pattern():
    assert factory.organisation("Etalab").get_absolute_url() == "/cartographie/acteurs/etalab/"
    assert factory.tool("Decidim").get_absolute_url() == "/cartographie/outils/decidim/"
