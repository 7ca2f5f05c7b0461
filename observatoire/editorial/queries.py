"""Read-only questions other apps ask about publications."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField
from django.db.models.functions import Cast
from wagtail.models import ReferenceIndex

from .models import PublicationPage


def publications_citing(entry):
    """Published publications whose body links `entry` (a cartography Organisation, Tool or
    Initiative), newest first.

    Wagtail's reference index records every snippet chosen in a StreamField, on each save of
    the page; it reflects the page row, i.e. the live version of a published page, so a draft
    that adds a citation does not show until it is published.
    """
    references = ReferenceIndex.get_references_to(entry).filter(
        content_type=ContentType.objects.get_for_model(PublicationPage)
    )
    return (
        PublicationPage.objects.visible()
        .annotate(pk_text=Cast("pk", output_field=CharField()))
        .filter(pk_text__in=references.values("object_id"))
        .order_by("-date", "title")
    )
