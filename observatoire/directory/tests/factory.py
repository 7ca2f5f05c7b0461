"""Small builders for directory tests: only the fields a test cares about."""

from observatoire.directory.models import (
    ActorKind,
    Ecosystem,
    Function,
    Initiative,
    InitiativeTool,
    Objective,
    Organisation,
    Relation,
    RelationType,
    Tag,
    Theme,
    Tool,
    ToolMaker,
)


def term(model, code):
    return model.objects.get(code=code)


def organisation(
    name="Regards Citoyens", *, kind="association", ecosystems=(), published=True, **fields
):
    entry = Organisation(
        name=name,
        kind=term(ActorKind, kind) if kind else None,
        is_published=published,
        **fields,
    )
    entry.ecosystems.set([term(Ecosystem, code) for code in ecosystems])
    entry.save()
    return entry


def tool(
    name="NosDéputés.fr",
    *,
    makers=(),
    objective=None,
    tags=(),
    functions=(),
    published=True,
    **fields,
):
    entry = Tool(
        name=name,
        objective=term(Objective, objective) if objective else None,
        is_published=published,
        **fields,
    )
    entry.tags.set([term(Tag, code) for code in tags])
    entry.functions.set([term(Function, code) for code in functions])
    entry.maker_links = [ToolMaker(organisation=maker) for maker in makers]
    entry.save()
    return entry


def initiative(
    name="Consultation République numérique", *, tools=(), themes=(), published=True, **fields
):
    entry = Initiative(name=name, is_published=published, **fields)
    entry.themes.set([term(Theme, code) for code in themes])
    entry.tool_links = [InitiativeTool(tool=item) for item in tools]
    entry.save()
    return entry


def relation(type_code, source, target, **fields):
    kinds = {Organisation: "organisation", Tool: "tool", Initiative: "initiative"}
    return Relation.objects.create(
        type=RelationType.objects.get(code=type_code),
        **{f"source_{kinds[type(source)]}": source, f"target_{kinds[type(target)]}": target},
        **fields,
    )
