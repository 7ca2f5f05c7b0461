import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from observatoire.directory.models import Contribution, Organisation, Tool
from observatoire.directory.services import (
    ContributionError,
    approve_contribution,
    reject_contribution,
    submit_contribution,
)
from observatoire.ratelimit import hash_ip

from . import factory

pytestmark = pytest.mark.django_db


def propose(entity="organisation", *, target=None, email="lea@example.org", **data):
    return submit_contribution(
        entity=entity,
        target=target,
        data=data,
        contributor_name="Léa",
        contributor_email=email,
        ip="203.0.113.7",
    )


def test_submission_keeps_only_a_hash_of_the_ip():
    contribution = propose(name="Open Source Politics")
    assert contribution.ip_hash == hash_ip("203.0.113.7")
    assert "203.0.113.7" not in contribution.ip_hash
    assert contribution.kind == "new" and contribution.is_pending


def test_submission_refuses_unknown_fields_and_nameless_entries():
    with pytest.raises(ValidationError):
        propose(name="X", colour="bleu")
    with pytest.raises(ValidationError):
        propose(description="sans nom")
    assert not Contribution.objects.exists()


def test_likely_duplicates_by_close_name_or_same_website():
    citoyens = factory.organisation("Regards Citoyens", website="https://www.regardscitoyens.org")
    factory.organisation("Démocratie Ouverte")
    lookalike = propose(name="Regard citoyens")
    same_site = propose(name="RC asso", website="http://regardscitoyens.org/contact")
    unrelated = propose(name="Fluicity")

    [duplicate] = lookalike.likely_duplicates()
    assert duplicate.entry == citoyens and duplicate.score > 0.9
    assert "nom proche" in duplicate.reasons[0]
    assert [d.entry for d in same_site.likely_duplicates()] == [citoyens]
    assert "même site web" in same_site.likely_duplicates()[0].reasons[0]
    assert unrelated.likely_duplicates() == []


def test_a_correction_is_not_its_own_duplicate():
    citoyens = factory.organisation("Regards Citoyens")
    correction = propose(target=citoyens, name="Regards Citoyens")
    assert correction.likely_duplicates() == []


def test_approving_a_new_entry_publishes_it_with_history_and_tells_the_contributor(
    alice, django_capture_on_commit_callbacks
):
    contribution = propose(
        "tool",
        name="Decidim",
        functions=["consultation", "Budget participatif"],
        objective="coproduction",
        launched_on="2016-02",
    )
    with django_capture_on_commit_callbacks(execute=True):
        tool = approve_contribution(contribution=contribution, by=alice)

    tool.refresh_from_db()
    assert tool.is_published and tool.slug == "decidim"
    assert {f.code for f in tool.functions.all()} == {"consultation", "budget-participatif"}
    assert (tool.launched_on.isoformat(), tool.launched_precision) == ("2016-02-01", "month")
    assert tool.revisions.count() == 1 and tool.latest_revision.user == alice

    contribution.refresh_from_db()
    assert contribution.status == "approved" and contribution.decided_by == alice
    assert contribution.target_entry == tool

    [message] = mail.outbox
    assert message.to == ["lea@example.org"]
    assert "acceptée" in message.body
    assert "https://observatoire.example/cartographie/outils/decidim/" in message.body


def test_moderator_edits_win_over_the_proposal(alice):
    contribution = propose(name="Open Sorce Politics", kind="entreprise")
    organisation = approve_contribution(
        contribution=contribution, by=alice, edits={"name": "Open Source Politics"}
    )
    assert organisation.name == "Open Source Politics"
    assert organisation.kind.code == "entreprise"
    contribution.refresh_from_db()
    assert contribution.data["name"] == "Open Sorce Politics", "the proposal itself is kept"
    assert contribution.applied_data["name"] == "Open Source Politics"


def test_approving_a_correction_updates_the_target_and_records_a_revision(alice):
    citoyens = factory.organisation("Regards Citoyens", description="Ancienne description")
    citoyens.save_revision()
    correction = propose(target=citoyens, description="Association créée en 2010.", email="")
    assert correction.changes() == [
        ("description", "description", "Ancienne description", "Association créée en 2010.")
    ]
    approve_contribution(contribution=correction, by=alice)

    citoyens.refresh_from_db()
    assert citoyens.description == "Association créée en 2010."
    assert citoyens.name == "Regards Citoyens", "fields not proposed stay as they were"
    assert citoyens.revisions.count() == 2
    assert not mail.outbox, "no address, no e-mail"


def test_invalid_proposal_is_refused_and_nothing_changes(alice):
    contribution = propose("tool", name="Vooter", objective="divination", launched_on="hier")
    with pytest.raises(ValidationError) as error:
        approve_contribution(contribution=contribution, by=alice)
    assert set(error.value.message_dict) == {"objective", "launched_on"}
    assert not Tool.objects.exists()
    contribution.refresh_from_db()
    assert contribution.is_pending


def test_rejection_needs_a_reason_and_sends_it(alice, django_capture_on_commit_callbacks):
    contribution = propose(name="Mon entreprise de conseil")
    with pytest.raises(ValidationError):
        reject_contribution(contribution=contribution, by=alice, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        reject_contribution(
            contribution=contribution, by=alice, reason="Hors du champ de la civic tech."
        )

    contribution.refresh_from_db()
    assert contribution.status == "rejected"
    assert not Organisation.objects.exists()
    [message] = mail.outbox
    assert "Hors du champ de la civic tech." in message.body
    assert message.subject == "Votre contribution à la cartographie de l'Observatoire"


def test_a_contribution_is_decided_once(alice):
    contribution = propose(name="Stig")
    approve_contribution(contribution=contribution, by=alice)
    with pytest.raises(ContributionError):
        reject_contribution(contribution=contribution, by=alice, reason="trop tard")
    with pytest.raises(ContributionError):
        approve_contribution(contribution=contribution, by=alice)
    assert Organisation.objects.count() == 1
