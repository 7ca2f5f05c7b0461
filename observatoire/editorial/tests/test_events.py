import csv
import datetime
import io
import re

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from observatoire.editorial import services
from observatoire.editorial.models import EventPage, Registration, Schedule

from . import factory
from .factory import paris

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def _events(calendar):
    return {str(component["summary"]): component for component in calendar.walk("VEVENT")}


def _register(client, event, email, name="Dominique Martin"):
    return client.post(event.url, {"name": name, "email": email, "organisation": "Ville de Lyon"})


# --- iCalendar -----------------------------------------------------------------------------------


def test_calendar_feed_keeps_paris_hours_on_both_sides_of_daylight_saving_changes(
    charlie, sections
):
    # Last Sunday of March 2019 (31st): clocks go to UTC+2 at 02:00; last Sunday of October
    # 2018 (28th): back to UTC+1 at 03:00. A 10:00 morning is 09:00Z or 08:00Z accordingly.
    cases = {
        "Veille du passage à l'heure d'été": (
            paris(2019, 3, 30, 10),
            datetime.datetime(2019, 3, 30, 9, tzinfo=UTC),
        ),
        "Jour du passage à l'heure d'été": (
            paris(2019, 3, 31, 10),
            datetime.datetime(2019, 3, 31, 8, tzinfo=UTC),
        ),
        "Veille du retour à l'heure d'hiver": (
            paris(2018, 10, 27, 10),
            datetime.datetime(2018, 10, 27, 8, tzinfo=UTC),
        ),
        "Jour du retour à l'heure d'hiver": (
            paris(2018, 10, 28, 10),
            datetime.datetime(2018, 10, 28, 9, tzinfo=UTC),
        ),
    }
    for title, (start, _utc) in cases.items():
        factory.event(title, start=start, end=start + datetime.timedelta(hours=2, minutes=30))

    response = charlie.get("/evenements/calendrier.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = _events(calendar)
    assert set(events) == set(cases)
    for title, (_start, expected_utc) in cases.items():
        component = events[title]
        assert component["DTSTART"].params["TZID"] == "Europe/Paris"
        start = component.decoded("DTSTART")
        assert start.astimezone(UTC) == expected_utc, title
        assert component.decoded("DTEND").astimezone(UTC) == expected_utc + datetime.timedelta(
            hours=2, minutes=30
        )
        assert (start.hour, start.minute) == (10, 0)
    # Calendar programs without the tz database rely on the embedded VTIMEZONE.
    timezones = calendar.walk("VTIMEZONE")
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Paris"]
    kinds = {component.name for component in timezones[0].subcomponents}
    assert kinds == {"STANDARD", "DAYLIGHT"}


def test_event_page_shows_paris_time_and_offers_its_own_ics(charlie, sections):
    event = factory.event(
        "Matinée d'octobre", start=paris(2018, 10, 28, 9, 30), end=paris(2018, 10, 28, 12)
    )

    page = charlie.get(event.url)
    assert "dimanche 28 octobre 2018, 09:30 – 12:00" in page.content.decode()

    response = charlie.get(f"/evenements/{event.slug}/calendrier.ics")
    calendar = icalendar.Calendar.from_ical(response.content)
    (component,) = calendar.walk("VEVENT")
    assert str(component["SUMMARY"]) == "Matinée d'octobre"
    assert component.decoded("DTSTART").astimezone(UTC) == datetime.datetime(
        2018, 10, 28, 8, 30, tzinfo=UTC
    )
    assert str(component["URL"]).endswith(event.url)


def test_all_day_events_use_dates_and_month_only_events_stay_off_the_calendar(charlie, sections):
    factory.event(
        "Rencontres", schedule=Schedule.DAYS, start=paris(2019, 3, 11), end=paris(2019, 3, 13)
    )
    vague = factory.event(
        "Voyage d'études", schedule=Schedule.MONTH, start=paris(2019, 5, 1), end=None
    )

    calendar = icalendar.Calendar.from_ical(charlie.get("/evenements/calendrier.ics").content)

    events = _events(calendar)
    assert set(events) == {"Rencontres"}
    assert events["Rencontres"].decoded("DTSTART") == datetime.date(2019, 3, 11)
    assert events["Rencontres"].decoded("DTEND") == datetime.date(2019, 3, 14)  # exclusive end
    assert charlie.get(f"/evenements/{vague.slug}/calendrier.ics").status_code == 404
    assert "mai 2019" in charlie.get(vague.url).content.decode()


def test_draft_events_are_neither_listed_nor_on_the_calendar(charlie, sections):
    factory.event("Événement publié")
    draft = factory.event("Événement en préparation", live=False)

    listing = charlie.get("/evenements/").content.decode()
    calendar = icalendar.Calendar.from_ical(charlie.get("/evenements/calendrier.ics").content)

    assert "Événement publié" in listing
    assert "Événement en préparation" not in listing
    assert set(_events(calendar)) == {"Événement publié"}
    assert charlie.get(draft.url or f"/evenements/{draft.slug}/").status_code == 404
    assert charlie.get(f"/evenements/{draft.slug}/calendrier.ics").status_code == 404


def test_events_are_split_into_upcoming_and_past(charlie, sections):
    now = timezone.now()
    factory.event("Demain", start=now + datetime.timedelta(days=1))
    factory.event(
        "En cours", start=now - datetime.timedelta(hours=1), end=now + datetime.timedelta(hours=1)
    )
    factory.event("Hier", start=now - datetime.timedelta(days=1))
    factory.event("Il y a un mois", start=now - datetime.timedelta(days=30))

    response = charlie.get("/evenements/")

    assert [event.title for event in response.context["upcoming"]] == ["En cours", "Demain"]
    assert [event.title for event in response.context["past"]] == ["Hier", "Il y a un mois"]


def test_an_all_day_event_is_upcoming_until_the_end_of_its_last_day_in_paris(sections):
    today = timezone.localtime(timezone.now(), factory.PARIS).date()
    event = factory.event(
        "Journée",
        schedule=Schedule.DAYS,
        start=datetime.datetime.combine(today, datetime.time(0), tzinfo=factory.PARIS),
    )
    assert EventPage.objects.upcoming().filter(pk=event.pk).exists()
    assert event.ends_at == datetime.datetime.combine(
        today + datetime.timedelta(days=1), datetime.time(0), tzinfo=factory.PARIS
    )


def test_event_page_describes_itself_with_schema_org_event(charlie, sections):
    event = factory.event(
        "Colloque", kind="conference", start=paris(2030, 3, 31, 10), end=paris(2030, 3, 31, 17)
    )

    html = charlie.get(event.url).content.decode()

    data = _json_ld(html)
    assert data["@type"] == "Event"
    assert data["startDate"] == "2030-03-31T10:00:00+02:00"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"]["name"] == "Paris"
    assert '<meta property="og:title" content="Colloque">' in html


def _json_ld(html):
    import json

    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


# --- Registration --------------------------------------------------------------------------------


def test_visitor_registers_and_receives_a_confirmation_with_the_ics_and_a_cancel_link(
    charlie, sections
):
    event = factory.event("Matinée budgets participatifs", registration_open=True, capacity=30)

    response = _register(charlie, event, "dominique@ville.test")

    assert response.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == Registration.Status.CONFIRMED
    (message,) = mail.outbox
    assert message.to == ["dominique@ville.test"]
    assert "Inscription confirmée" in message.subject
    name, content, mimetype = message.attachments[0]
    assert name == "evenement.ics" and mimetype.startswith("text/calendar")
    (component,) = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(component["SUMMARY"]) == "Matinée budgets participatifs"
    follow = charlie.get(response["Location"])
    assert "Votre inscription est enregistrée" in follow.content.decode()
    cancel_url = re.search(
        r"https://observatoire\.example(/evenements/inscriptions/\S+/)", message.body
    ).group(1)
    assert "votre place est réservée" in charlie.get(cancel_url).content.decode()


def test_full_event_puts_people_on_a_waiting_list_promoted_in_order_when_someone_cancels(
    charlie, sections
):
    event = factory.event(registration_open=True, capacity=1)
    for email in ["premiere@a.test", "deuxieme@a.test", "troisieme@a.test"]:
        _register(charlie, event, email)
    first, second, third = Registration.objects.order_by("pk")
    assert [r.status for r in (first, second, third)] == ["confirmed", "waiting", "waiting"]
    assert second.waiting_position() == 1 and third.waiting_position() == 2
    assert "Liste d'attente" in mail.outbox[1].subject and not mail.outbox[1].attachments
    mail.outbox.clear()

    cancel_path = first.manage_url().removeprefix("https://observatoire.example")
    charlie.post(cancel_path)

    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert first.status == "cancelled" and first.cancelled_at is not None
    assert second.status == "confirmed" and second.confirmed_at is not None
    assert third.status == "waiting" and third.waiting_position() == 1
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"premiere@a.test", "deuxieme@a.test"}
    promoted = by_recipient["deuxieme@a.test"]
    assert "Une place s'est libérée" in promoted.body
    assert promoted.attachments[0][0] == "evenement.ics"


def test_cancelling_from_the_waiting_list_frees_no_seat(sections):
    event = factory.event(registration_open=True, capacity=1)
    services.register_for_event(event=event, name="A", email="a@a.test")
    waiting = services.register_for_event(event=event, name="B", email="b@a.test")
    services.register_for_event(event=event, name="C", email="c@a.test")

    promoted = services.cancel_registration(registration=waiting)

    assert promoted == []
    assert list(event.registrations.order_by("pk").values_list("status", flat=True)) == [
        "confirmed",
        "cancelled",
        "waiting",
    ]


def test_publishing_more_seats_promotes_the_waiting_list(sections):
    event = factory.event(registration_open=True, capacity=1)
    for email in ["a@a.test", "b@a.test", "c@a.test"]:
        services.register_for_event(event=event, name=email, email=email)

    event.capacity = 2
    event.save_revision().publish()

    assert sorted(event.registrations.values_list("email", "status")) == [
        ("a@a.test", "confirmed"),
        ("b@a.test", "confirmed"),
        ("c@a.test", "waiting"),
    ]


def test_registering_twice_keeps_one_seat_and_resends_the_status(charlie, sections):
    event = factory.event(registration_open=True, capacity=5)
    _register(charlie, event, "dominique@ville.test")
    _register(charlie, event, "Dominique@Ville.test")

    assert Registration.objects.count() == 1
    assert event.seats_left() == 4
    assert len(mail.outbox) == 2


def test_registration_needs_an_open_future_event(charlie, sections):
    closed = factory.event("Sans inscription", registration_open=False)
    past = factory.event(
        "Passé", registration_open=True, start=timezone.now() - datetime.timedelta(days=2)
    )

    for event in (closed, past):
        response = _register(charlie, event, "x@a.test")
        assert response.status_code == 302
    assert not Registration.objects.exists()
    assert "Inscription" not in charlie.get(closed.url).content.decode()


def test_invalid_registration_shows_errors_and_records_nothing(charlie, sections):
    event = factory.event(registration_open=True)

    response = charlie.post(event.url, {"name": "", "email": "pas-une-adresse"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "error-summary" in html and 'aria-invalid="true"' in html
    assert not Registration.objects.exists() and not mail.outbox


def test_honeypot_registration_is_dropped_without_telling_the_robot(charlie, sections):
    event = factory.event(registration_open=True)

    response = charlie.post(
        event.url, {"name": "Bot", "email": "bot@spam.test", "website": "http://spam.test"}
    )

    assert response.status_code == 302
    assert not Registration.objects.exists() and not mail.outbox


def test_registrations_are_rate_limited_per_visitor(charlie, sections, settings):
    settings.EDITORIAL_POSTS_PER_HOUR = 2
    event = factory.event(registration_open=True)

    statuses = [_register(charlie, event, f"p{i}@a.test").status_code for i in range(3)]

    assert statuses == [302, 302, 429]
    assert Registration.objects.count() == 2


def test_a_tampered_cancel_link_is_refused(charlie, sections):
    event = factory.event(registration_open=True)
    registration = services.register_for_event(event=event, name="A", email="a@a.test")
    token = registration.token

    assert charlie.post(f"/evenements/inscriptions/{token[:-2]}xx/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_staff_export_the_registrants_of_one_event_as_csv(alice_client, bob_client, sections):
    event = factory.event("Atelier", registration_open=True)
    other = factory.event("Autre atelier", registration_open=True)
    services.register_for_event(
        event=event, name="Camille Durand", email="camille@a.test", organisation="Métropole"
    )
    services.register_for_event(event=other, name="Sacha", email="sacha@a.test")
    url = f"/admin/editorial/registrations/?event={event.pk}&export=csv"

    response = alice_client.get(url)

    assert response.status_code == 200
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [(row["Nom"], row["Adresse e-mail"], row["Statut"]) for row in rows] == [
        ("Camille Durand", "camille@a.test", "Inscrit·e")
    ]
    assert bob_client.get(url).status_code in {302, 403}


def test_staff_reach_the_registrations_from_the_page_listing(alice_client, sections):
    event = factory.event("Atelier", registration_open=True)

    response = alice_client.get(f"/admin/pages/{event.get_parent().pk}/")

    assert f"/admin/editorial/registrations/?event={event.pk}" in response.content.decode()
