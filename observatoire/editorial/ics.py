"""iCalendar (RFC 5545) files for events, built with the `icalendar` package.

Times are written in Europe/Paris with a VTIMEZONE generated from the tz database, so that
calendar programs place an event at the right hour on either side of a daylight-saving change.
Events known only by their month are left out: a calendar needs a day.
"""

import datetime

import icalendar
from django.utils import timezone

from .models import PARIS, Schedule, absolute_url

PRODID = "-//Observatoire des civic tech//Evenements//FR"


def event_component(event, *, now=None, request=None) -> icalendar.Event:
    component = icalendar.Event()
    # Stable across languages and re-publications: the page's translation key.
    component.add("uid", f"{event.translation_key}@observatoire")
    component.add("dtstamp", (now or timezone.now()).astimezone(datetime.UTC))
    if event.last_published_at:
        component.add("last-modified", event.last_published_at.astimezone(datetime.UTC))
    component.add("summary", event.title)
    url = absolute_url(event.get_url(), request)
    component.add("description", f"{event.summary}\n\n{url}".strip())
    component.add("url", url)
    component.add("categories", [event.get_kind_display()])
    location = ", ".join(part for part in [event.venue, event.address.replace("\n", ", ")] if part)
    if location or event.online_url:
        component.add("location", location or event.online_url)
    if event.schedule == Schedule.TIMED:
        component.add("dtstart", timezone.localtime(event.start, PARIS))
        component.add("dtend", timezone.localtime(event.end or event.start, PARIS))
    else:
        first = timezone.localtime(event.start, PARIS).date()
        last = timezone.localtime(event.end or event.start, PARIS).date()
        component.add("dtstart", first)
        component.add("dtend", last + datetime.timedelta(days=1))  # DTEND of dates is exclusive
    return component


def calendar_bytes(events, *, name: str, method: str | None = None, request=None) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    if method:
        calendar.add("method", method)
    now = timezone.now()
    for event in events:
        if event.schedule != Schedule.MONTH:
            calendar.add_component(event_component(event, now=now, request=request))
    calendar.add_missing_timezones()
    return calendar.to_ical()
