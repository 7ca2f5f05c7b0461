"""One guard for everything a visitor sends: NUL characters are refused before any view runs.

PostgreSQL's text and jsonb types hold no NUL (U+0000): a query or a write carrying one fails
with a DataError, that is a 500, after the view may have written other rows. Nobody means to
type one (it comes from a copy-paste out of another program, or from a robot), so it is refused
with one clear message naming the fields, before the view runs: search parameters, filters,
every form. Views that report it at the field themselves, keeping what the person typed, are
marked with `@reports_nul_characters` (the survey pages, whose answers are not a Django form).
Django's own CharField refuses NUL too, but not every field is a CharField (the territory
autocomplete field, choice fields, raw GET parameters), hence one guard in front of all.
"""

from django.http import Http404
from django.shortcuts import render

NUL = "\x00"


def reports_nul_characters(view):
    """Mark a view whose forms refuse NUL characters at the field (the middleware lets it be)."""
    view.reports_nul_characters = True
    return view


def fields_with_nul(data) -> list[str]:
    """The names of the fields of a QueryDict holding a NUL character (in a name or a value)."""
    fields = []
    for name, values in data.lists():
        if NUL in name or any(isinstance(value, str) and NUL in value for value in values):
            fields.append(name.replace(NUL, "") or "?")
    return fields


class RejectNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if NUL in request.path:
            raise Http404("NUL in path")
        if getattr(view_func, "reports_nul_characters", False):
            return None
        fields = fields_with_nul(request.GET)
        if request.method == "POST":
            fields += fields_with_nul(request.POST)
        if not fields:
            return None
        return render(request, "bad_input.html", {"fields": sorted(set(fields))}, status=400)
