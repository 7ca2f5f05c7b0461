"""What the home page's living blocks show: figures, findings, news, read from the other apps.

Each function returns plain data for one block and is kept in the shared cache under the
content generation (observatoire/pages/cache.py), so a block costs one cache lookup until
something is published. Nothing here computes barometer results: a block reads the results
already computed for the latest published edition, and shows nothing rather than wait.

Headline findings are pluggable: `FINDING_SOURCES` lists functions
`(edition, payload, limit) -> list[Finding]`, tried in order; the first one that returns
findings wins. The automatic source picks the largest and most certain shares of the edition;
an app that lets staff write the key findings of an edition appends its own source in front
(`FINDING_SOURCES.insert(0, ...)`).
"""

import dataclasses
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .cache import generation

# At most this many headline findings; single-choice and multiple-choice shares only.
MAX_FINDINGS = 3
FINDING_KINDS = ("single", "multiple")


@dataclasses.dataclass
class Figure:
    value: str
    label: str
    base: str = ""


@dataclasses.dataclass
class Finding:
    sentence: str
    base: str
    chart: str  # the question's chart (SVG text) or ""
    url: str


def _cached(name: str, compute: Callable[[], Any], *parts: Any) -> Any:
    if settings.PUBLIC_PAGE_CACHE_SECONDS <= 0:  # caching switched off: always fresh
        return compute()
    key = ":".join(str(part) for part in ("home", generation(), get_language(), name, *parts))
    timeout = settings.PUBLIC_PAGE_CACHE_SECONDS
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=timeout)
    return value


def number(value: float | int) -> str:
    return formats.number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


def percent(share: float) -> str:
    return _("%(value)s %%") % {
        "value": formats.number_format(share * 100, decimal_pos=0, use_l10n=True)
    }


# --- The cartography ---------------------------------------------------------------------------


def cartography_figures() -> dict[str, Any]:
    return _cached("cartography", _cartography_figures)


def _cartography_figures() -> dict[str, Any]:
    from observatoire.directory.search import get_index

    index = get_index()
    counts = {code: mask.bit_count() for code, mask in index.masks["type"].items()}
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    return {
        "base": _("Base : fiches publiées au %(date)s.") % {"date": today},
        "figures": [
            Figure(number(counts.get("outil", 0)), _("outils de participation")),
            Figure(number(counts.get("initiative", 0)), _("initiatives recensées")),
            Figure(number(counts.get("acteur", 0)), _("acteurs")),
        ],
    }


def departement_counts() -> dict[str, int]:
    """Published initiatives per département code, as on the cartography's map."""

    def compute():
        from observatoire.directory.search import get_index
        from observatoire.directory.views import departement_rows

        return {row["code"]: row["initiative"] for row in departement_rows(get_index())}

    return _cached("departements", compute)


def france_thumbnail() -> str:
    def compute():
        from observatoire.directory import maps

        try:
            return maps.france_thumbnail_svg(
                departement_counts(),
                title=_("Carte des initiatives recensées par département"),
                desc=_(
                    "Plus un département est foncé, plus il compte d'initiatives. Le lien mène "
                    "aux cartes de la cartographie, avec les chiffres de chaque département."
                ),
            )
        except OSError:  # node_modules not installed: the link alone remains
            return ""

    return _cached("france", compute)


# --- The barometer -----------------------------------------------------------------------------


def latest_results():
    """(edition, payload) of the latest published edition whose results are computed."""
    from observatoire.barometer.models import Edition
    from observatoire.barometer.results.models import ResultsCache

    editions = Edition.objects.filter(status=Edition.Status.PUBLISHED).order_by("-year")
    for edition in editions.exclude(frame=None).exclude(questionnaire=None)[:3]:
        results = ResultsCache.objects.filter(edition=edition, weighted=True).first()
        if results is not None and results.payload.get("methodology"):
            return edition, results.payload
    return None, None


def barometer_figures() -> dict[str, Any] | None:
    return _cached("barometer", _barometer_figures) or None


def _barometer_figures() -> dict[str, Any] | bool:
    edition, payload = latest_results()
    if edition is None:
        return False  # cached as "nothing to show" (None means "not cached")
    method = payload["methodology"]
    figures = [
        Figure(
            number(method["respondents"]),
            _("collectivités répondantes"),
            _("sur %(frame)s collectivités de la base de sondage")
            % {"frame": number(method["frame_size"])},
        )
    ]
    if method.get("response_rate") is not None:
        figures.append(
            Figure(
                percent(method["response_rate"]),
                _("taux de réponse"),
                _("collectivités invitées ayant répondu"),
            )
        )
    if method.get("schemes"):
        figures.append(
            Figure(
                number(method["schemes"]),
                _("dispositifs décrits"),
                _("fiches-dispositif remplies par les collectivités répondantes"),
            )
        )
    return {
        "year": edition.year,
        "url": _reverse("barometer_results:results", edition.year),
        "figures": figures,
    }


def _reverse(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def automatic_findings(edition, payload, limit: int) -> list[Finding]:
    """The shares whose confidence interval's low end is highest, one per question.

    "Largest and most certain": ranking by the interval's lower bound favours a large share
    measured on a large base over a large share of a handful. Shares of 95 % or more are left
    out (a consent question, an eligibility filter say little), and so are suppressed rows.
    """
    estimates = payload.get("analysis", {}).get("estimates", {})
    skip = {edition.consent_question} if getattr(edition, "consent_question", "") else set()
    # The first section describes the respondent (type of local government, function...):
    # "70 % are communes" restates the frame, it is not a finding.
    sections = payload.get("sections") or []
    if len(sections) > 1:
        skip.update(sections[0].get("questions", []))
    candidates = []
    for name, estimate in estimates.items():
        if name in skip or estimate.get("kind") not in FINDING_KINDS:
            continue
        rows = [
            row
            for row in estimate.get("rows", [])
            if row.get("statistic") == "proportion"
            and not row.get("suppressed")
            and row.get("group") in (None, "")
            and not row.get("item")
            and row.get("estimate") is not None
            and row.get("ci_low") is not None
            and row["estimate"] < 0.95
        ]
        if rows:
            best = max(rows, key=lambda row: row["ci_low"])
            candidates.append((best["ci_low"], name, estimate, best))
    candidates.sort(key=lambda candidate: -candidate[0])
    findings = []
    for _low, name, estimate, row in candidates[:limit]:
        findings.append(
            Finding(
                sentence=_("%(share)s des collectivités répondent « %(answer)s » : %(question)s")
                % {
                    "share": percent(row["estimate"]),
                    "answer": row["label"],
                    "question": estimate["label"],
                },
                base=_(
                    "Base : %(base)s collectivités répondantes ; intervalle de confiance à "
                    "95 %% de %(low)s à %(high)s."
                )
                % {
                    "base": number(row["base_respondents"]),
                    "low": percent(row["ci_low"]),
                    "high": percent(row["ci_high"]),
                },
                chart=payload.get("charts", {}).get(name) or "",
                url=_reverse("barometer_results:question", edition.year, name),
            )
        )
    return findings


FINDING_SOURCES: list[Callable[[Any, dict, int], list[Finding]]] = [automatic_findings]


def headline_findings(limit: int = MAX_FINDINGS) -> dict[str, Any] | None:
    return _cached("findings", lambda: _headline_findings(limit), limit) or None


def _headline_findings(limit: int) -> dict[str, Any] | bool:
    edition, payload = latest_results()
    if edition is None:
        return False
    for source in FINDING_SOURCES:
        findings = source(edition, payload, limit)
        if findings:
            return {
                "year": edition.year,
                "url": _reverse("barometer_results:results", edition.year),
                "findings": findings[:limit],
            }
    return False


# --- Editorial ---------------------------------------------------------------------------------


def latest_publications(count: int) -> list:
    from observatoire.editorial.models import PublicationPage

    pages = PublicationPage.objects.visible().for_language().order_by("-date", "title")
    return list(pages.select_related("locale")[:count])


def next_events(count: int) -> tuple[list, bool]:
    """The next events, or, when none is announced, the latest ones (and False)."""
    from observatoire.editorial.models import EventPage

    visible = EventPage.objects.visible().for_language().select_related("locale")
    upcoming = list(visible.upcoming()[:count])
    if upcoming:
        return upcoming, True
    return list(visible.past()[:count]), False
