from django.dispatch import receiver
from wagtail.signals import page_published

from .models import EventPage


@receiver(page_published, sender=EventPage)
def fill_freed_seats(sender, instance, **kwargs):
    """Publishing an event with more seats (or no limit) promotes people from the waiting list."""
    from .services import promote_waiting_list

    if instance.registrations.waiting_in_order().exists():
        promote_waiting_list(event=instance)
