"""Room on the public territory page for what other apps know about a territory.

An app registers a function, typically in its AppConfig.ready():

    from observatoire.territories.sections import register_section

    @register_section
    def initiatives(request, territory):
        items = Initiative.objects.filter(territory=territory)
        if not items:
            return None
        return {"title": _("Initiatives"), "template": "directory/territory_initiatives.html",
                "context": {"initiatives": items}}

Each section is shown under its own h2, in registration order; returning None hides it.
"template" is a template name (or a Template object); it is rendered with the page context plus
`territory` and `section` (so `section.context` holds what the function passed).
"""

_SECTIONS = []


def register_section(function):
    if function not in _SECTIONS:
        _SECTIONS.append(function)
    return function


def sections_for(request, territory):
    sections = []
    for function in _SECTIONS:
        section = function(request, territory)
        if section:
            section.setdefault("context", {})
            section["id"] = f"section-{function.__name__.replace('_', '-')}"
            sections.append(section)
    return sections
