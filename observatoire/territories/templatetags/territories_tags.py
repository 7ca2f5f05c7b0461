from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def population(value):
    """A population with the locale's thousands separator ("156 140"), or a dash if unknown."""
    if value is None or value == "":
        return "—"
    return number_format(value, force_grouping=True)


@register.filter
def band(value):
    """A frame band key ("3500-9999", "100000+", "inconnue") in words."""
    if value == "inconnue":
        return _("population inconnue")
    if value.endswith("+"):
        return _("%(low)s et plus") % {"low": population(int(value[:-1]))}
    if value.startswith("<"):
        return _("moins de %(high)s") % {"high": population(int(value[1:]))}
    low, _sep, high = value.partition("-")
    return f"{population(int(low))} – {population(int(high))}"
