import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from observatoire.directory.models import Contribution, Organisation
from observatoire.directory.services import submit_contribution

from . import factory

pytestmark = pytest.mark.django_db

QUEUE = "directory_contributions:index"


@pytest.fixture
def pending():
    return submit_contribution(
        entity="organisation",
        data={"name": "Regard Citoyens", "kind": "association"},
        contributor_name="Léa",
        contributor_email="lea@example.org",
    )


def test_anonymous_visitors_are_sent_to_the_login_page(charlie, pending):
    for url in [
        reverse(QUEUE),
        reverse("directory_contributions:detail", args=[pending.pk]),
        reverse("wagtailsnippets_directory_organisation:list"),
    ]:
        response = charlie.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_members_of_the_public_cannot_enter_the_admin(client, bob, pending):
    client.force_login(bob)
    response = client.get(reverse(QUEUE))
    assert response.status_code == 302
    response = client.post(reverse("directory_contributions:approve", args=[pending.pk]))
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.is_pending


def test_staff_without_moderation_right_cannot_moderate(client, editor_without_moderation, pending):
    client.force_login(editor_without_moderation)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    response = client.get(reverse(QUEUE))
    assert response.status_code in (302, 403)
    client.post(reverse("directory_contributions:reject", args=[pending.pk]), {"reason": "non"})
    pending.refresh_from_db()
    assert pending.is_pending


def test_moderator_sees_the_queue_and_likely_duplicates(client, alice, pending):
    citoyens = factory.organisation("Regards Citoyens")
    client.force_login(alice)
    response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert "Regard Citoyens" in response.content.decode()

    detail = client.get(
        reverse("directory_contributions:detail", args=[pending.pk])
    ).content.decode()
    assert "Doublons possibles" in detail
    assert citoyens.name in detail and "nom proche" in detail
    assert 'name="field-name"' in detail and 'for="field-name"' in detail


def test_moderator_edits_then_approves(
    client, alice, pending, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory_contributions:approve", args=[pending.pk]),
            {"field-name": "Regards Citoyens", "field-kind": "association"},
        )
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.name == "Regards Citoyens" and organisation.is_published
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.decided_by == alice
    assert len(mailoutbox) == 1


def test_invalid_edit_is_shown_back_to_the_moderator(client, alice, pending):
    client.force_login(alice)
    response = client.post(
        reverse("directory_contributions:approve", args=[pending.pk]),
        {"field-name": "Regards Citoyens", "field-kind": "club de lecture"},
    )
    assert response.status_code == 422
    assert "pas dans la taxonomie" in response.content.decode()
    assert not Organisation.objects.exists()


def test_moderator_rejects_with_a_reason(client, alice, pending):
    client.force_login(alice)
    response = client.post(
        reverse("directory_contributions:reject", args=[pending.pk]), {"reason": ""}
    )
    assert response.status_code == 422
    response = client.post(
        reverse("directory_contributions:reject", args=[pending.pk]), {"reason": "Doublon."}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.reason) == ("rejected", "Doublon.")
    decided = client.get(reverse(QUEUE) + "?status=rejected").content.decode()
    assert "Regard Citoyens" in decided
    assert Contribution.objects.pending().count() == 0


def test_admin_listing_search_ignores_accents(client, alice):
    factory.organisation("Démocratie Ouverte", kind="reseau")
    factory.organisation("Regards Citoyens")
    client.force_login(alice)
    response = client.get(
        reverse("wagtailsnippets_directory_organisation:list"), {"q": "democratie"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Démocratie Ouverte" in content and "Regards Citoyens" not in content


def test_admin_edits_keep_a_history_with_a_working_compare_view(client, alice):
    etalab = factory.organisation(
        "Etalab", kind="agence-publique", description="Mission lancée en 2011."
    )
    client.force_login(alice)
    edit_url = reverse("wagtailsnippets_directory_organisation:edit", args=[etalab.pk])
    for description in [
        "Mission lancée en février 2011.",
        "Mission lancée en février 2011, rattachée à la DINSIC.",
    ]:
        data = querydict_from_html(client.get(edit_url).content.decode(), form_id="w-editor-form")
        data["description"] = description
        response = client.post(edit_url, data)
        assert response.status_code == 302, response.content.decode()[:2000]

    etalab.refresh_from_db()
    assert etalab.description.endswith("rattachée à la DINSIC.")
    first, second = etalab.revisions.order_by("created_at")
    history = client.get(
        reverse("wagtailsnippets_directory_organisation:history", args=[etalab.pk])
    )
    assert history.status_code == 200
    compare_url = reverse(
        "wagtailsnippets_directory_organisation:revisions_compare",
        args=[etalab.pk, first.pk, second.pk],
    )
    assert "alice" in history.content.decode(), "who changed what is listed"
    compare = client.get(compare_url)
    assert compare.status_code == 200
    assert '<span class="addition">, rattachée à la DINSIC.</span>' in compare.content.decode()


def test_admin_forms_for_tools_and_initiatives_render(client, alice):
    tool = factory.tool("Decidim", functions=["consultation"])
    initiative = factory.initiative("Budget participatif", tools=[tool])
    client.force_login(alice)
    for name, entry in [("tool", tool), ("initiative", initiative)]:
        response = client.get(reverse(f"wagtailsnippets_directory_{name}:edit", args=[entry.pk]))
        assert response.status_code == 200
    assert client.get(reverse("wagtailsnippets_directory_tag:list")).status_code == 200
    assert (
        client.get(reverse("directory_territory_chooser:choose"), {"q": "paris"}).status_code == 200
    )


def test_admin_says_plainly_when_a_saved_entry_is_not_published(client, alice):
    etalab = factory.organisation("Etalab", kind="agence-publique", published=False)
    client.force_login(alice)
    edit_url = reverse("wagtailsnippets_directory_organisation:edit", args=[etalab.pk])
    data = querydict_from_html(client.get(edit_url).content.decode(), form_id="w-editor-form")
    response = client.post(edit_url, data, follow=True)
    assert "n&#x27;est pas publiée : elle n&#x27;apparaît pas sur le site public" in (
        response.content.decode()
    )
    data["is_published"] = "on"
    response = client.post(edit_url, data, follow=True)
    assert "pas publiée" not in response.content.decode()
