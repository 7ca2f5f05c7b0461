"""Synthetic cartography data: `generate_synthetic()` fills the database fast for benchmarks.

The public search and the bench harness use it to get a directory the size of a mature one
(20 000 actors, 50 000 tools, 100 000 initiatives by default) with realistic shapes: a few
makers behind many tools, a few tools behind most initiatives, budgets as barometer brackets
or lognormal amounts, more recent initiatives than old ones, names that share words.

`run()` times the generation (and a few searches on it) on a scratch database: SQLite under a
temporary VAR_DIR, and PostgreSQL when BENCH_POSTGRES_URL names a server.

    python -m bench directory_data                     # through the harness
    BENCH_DIRECTORY_SCALE=1 python bench/bench_directory_data.py
"""

import datetime
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 2000
SEARCHES = [
    "consultation",
    "budget participatif",
    "democratie",
    "civic lab",
    "petition",
    "quartier",
]

NAME_HEADS = [
    "Agora",
    "Vox",
    "Parole",
    "Cité",
    "Citoyens",
    "Démocratie",
    "Civic",
    "Open",
    "Data",
    "Quartier",
    "Territoire",
    "Commun",
    "Débat",
    "Décider",
    "Collectif",
    "Participe",
    "Voix",
    "Place",
    "Forum",
    "Concert",
    "Budget",
    "Pétition",
    "Assemblée",
    "Consult",
]
NAME_TAILS = [
    "Lab",
    "Tech",
    "Ensemble",
    "Publique",
    "Numérique",
    "Locale",
    "Ouverte",
    "Active",
    "& Co",
    "Citoyenne",
    "Connect",
    "Factory",
    "Studio",
    "Réseau",
    "Commune",
    ".org",
]
CITIES = [
    "Paris",
    "Lyon",
    "Marseille",
    "Lille",
    "Nantes",
    "Grenoble",
    "Bordeaux",
    "Rennes",
    "Strasbourg",
    "Montpellier",
]
FOREIGN = [
    ("BE", "Bruxelles"),
    ("ES", "Barcelone"),
    ("US", "New York"),
    ("GB", "Londres"),
    ("CH", "Genève"),
]
KIND_WEIGHTS = {
    "entreprise": 35,
    "association": 30,
    "collectivite": 15,
    "agence-publique": 7,
    "reseau": 5,
    "recherche": 4,
    "lieu-innovation": 2,
    "think-tank": 2,
}
STATUS_WEIGHTS = {"active": 70, "dormant": 10, "closed": 15, "acquired": 5}
OBJECTIVE_WEIGHTS = {"coproduction": 45, "information": 30, "mobilisation": 25}
IAP2_WEIGHTS = {"": 20, "inform": 20, "consult": 35, "involve": 12, "collaborate": 9, "empower": 4}
BRACKETS = [
    "0",
    "lt1k",
    "1k-5k",
    "5k-10k",
    "10k-50k",
    "50k-100k",
    "100k-200k",
    "200k-500k",
    "500k-1m",
    "gt1m",
    "nsp",
]
# Shape of the 2018 barometer answers: most schemes cost little, many cannot say.
BRACKET_WEIGHTS = [6, 4, 15, 14, 12, 6, 4, 4, 2, 1, 32]
EFFECT_WEIGHTS = {"": 40, "none": 10, "considered": 30, "changed": 15, "decided": 5}


def _weighted(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _zipf_index(rng, size: int, exponent: float = 1.1) -> int:
    """An index in [0, size) where small indexes are much more frequent (popular items)."""
    value = int(size * (rng.random() ** (1 + exponent * 2)))
    return min(value, size - 1)


def _date(rng, first_year: int, last_year: int) -> datetime.date:
    # More recent years are more frequent: the field grew.
    span = last_year - first_year + 1
    year = first_year + int(span * math.sqrt(rng.random()))
    return datetime.date(min(year, last_year), rng.randint(1, 12), rng.randint(1, 28))


def generate_synthetic(
    n_tools=50_000, n_orgs=20_000, n_initiatives=100_000, seed=1, *, progress=None
) -> dict:
    """Add synthetic organisations, tools and initiatives (with their links) to the database.

    Uses bulk_create, so denormalised columns (slug, search_text, current_status, budget
    bounds) are filled here exactly as `save()` would. Returns counts and seconds per step.
    """
    import django

    if not django.apps.apps.ready:
        django.setup()
    from django.db import connection, transaction

    from observatoire.directory import models as m
    from observatoire.directory.choices import BUDGET_BOUNDS, bracket_for_amount
    from observatoire.directory.text import normalise, slugify_fr
    from observatoire.territories.models import Territory

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    terms = {
        model: {term.code: term for term in model.objects.all()}
        for model in (m.ActorKind, m.Ecosystem, m.Objective, m.Tag, m.Function, m.Theme)
    }
    communes = list(
        Territory.objects.filter(kind="commune", is_current=True).values_list(
            "pk", "name", "population"
        )
    )
    communes.sort(key=lambda row: -(row[2] or 0))  # big towns run more initiatives
    departements = list(Territory.objects.filter(kind="departement").values_list("pk", "name"))
    run = uuid.uuid4().hex[:6]  # slugs stay unique when the generator runs twice
    today = datetime.date.today()

    def say(message):
        if progress:
            progress(message)

    def bulk(model, objects):
        for start in range(0, len(objects), BATCH):
            model.objects.bulk_create(objects[start : start + BATCH], batch_size=BATCH)

    def insert(model, columns, rows):
        """Link rows straight into their table: most rows are links, and model instances cost."""
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(
            connection.ops.quote_name(model._meta.get_field(c).column) for c in columns
        )
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH * 5):
                cursor.executemany(sql, rows[start : start + BATCH * 5])

    def name(index):
        return f"{rng.choice(NAME_HEADS)} {rng.choice(NAME_TAILS)} {index}"

    def later(start):
        return _date(rng, start.year, today.year) if start else None

    with transaction.atomic():
        # --- organisations
        started = time.perf_counter()
        organisations, org_ecosystems, org_statuses = [], [], []
        ecosystem_codes = list(terms[m.Ecosystem])
        for index in range(n_orgs):
            kind = terms[m.ActorKind][_weighted(rng, KIND_WEIGHTS)]
            org_name = name(index)
            territory = None
            country, city = "FR", rng.choice(CITIES)
            if kind.is_local_government and communes:
                territory = communes[_zipf_index(rng, len(communes))]
                org_name, city = f"Ville de {territory[1]} {index}", territory[1]
            elif rng.random() < 0.06:
                country, city = rng.choice(FOREIGN)
            ecosystems = rng.sample(ecosystem_codes, rng.choice([1, 1, 2, 3]))
            status = _weighted(rng, STATUS_WEIGHTS)
            founded = _date(rng, 1995, 2025)
            description = f"{kind.name} {city}, {' '.join(terms[m.Ecosystem][code].name for code in ecosystems)}."
            organisations.append(
                m.Organisation(
                    name=org_name,
                    slug=f"{slugify_fr(org_name)}-{run}",
                    kind=kind,
                    description=description,
                    website=f"https://{slugify_fr(org_name)}.example" if rng.random() < 0.7 else "",
                    territory_id=territory[0] if territory else None,
                    city=city,
                    country=country,
                    founded_on=founded,
                    founded_precision=rng.choice(["day", "month", "year"]),
                    is_published=rng.random() < 0.9,
                    data_origin="demo",  # synthetic: labelled as such on public pages
                    current_status=status,
                    name_key=normalise(org_name),
                    search_text=normalise(f"{org_name} {description}"),
                )
            )
            org_ecosystems.append(ecosystems)
        bulk(m.Organisation, organisations)
        for organisation in organisations:
            active = m.OrganisationStatus(
                organisation=organisation, status="active", start_on=organisation.founded_on
            )
            org_statuses.append(active)
            if organisation.current_status != "active":
                # The organisation was active, then its status changed: two periods.
                active.end_on = later(organisation.founded_on)
                org_statuses.append(
                    m.OrganisationStatus(
                        organisation=organisation,
                        status=organisation.current_status,
                        start_on=active.end_on,
                    )
                )
        bulk(m.OrganisationStatus, org_statuses)
        through = m.Organisation.ecosystems.through
        insert(
            through,
            ["organisation", "ecosystem"],
            [
                (o.pk, terms[m.Ecosystem][c].pk)
                for o, cs in zip(organisations, org_ecosystems, strict=True)
                for c in cs
            ],
        )
        timings["organisations"] = time.perf_counter() - started
        say(f"{n_orgs} acteurs")

        # --- tools
        started = time.perf_counter()
        makers_pool = [
            o
            for o in organisations
            if o.kind.code in {"entreprise", "association", "reseau", "agence-publique"}
        ] or organisations
        tools, tool_links = [], []
        tag_codes, function_codes = list(terms[m.Tag]), list(terms[m.Function])
        for index in range(n_tools):
            tool_name = name(index)
            objective = terms[m.Objective][_weighted(rng, OBJECTIVE_WEIGHTS)]
            tags = rng.sample(tag_codes, rng.choice([0, 1, 1, 2, 3]))
            functions = rng.sample(function_codes, rng.choice([1, 1, 2, 2, 3, 4]))
            makers = {
                makers_pool[_zipf_index(rng, len(makers_pool))]
                for _ in range(rng.choice([1, 1, 1, 2]))
            }
            status = _weighted(rng, STATUS_WEIGHTS)
            open_source = rng.random() < 0.25
            words = [
                tool_name,
                objective.name,
                *(terms[m.Tag][c].name for c in tags),
                *(terms[m.Function][c].name for c in functions),
                *(o.name for o in makers),
            ]
            tools.append(
                m.Tool(
                    name=tool_name,
                    slug=f"{slugify_fr(tool_name)}-{run}",
                    objective=objective,
                    description=f"Outil de {terms[m.Function][functions[0]].name.lower()}.",
                    iap2_level=_weighted(rng, IAP2_WEIGHTS),
                    is_open_source=open_source,
                    licence=rng.choice(["AGPL-3.0-or-later", "MIT", "GPL-3.0-only"])
                    if open_source
                    else "",
                    hosting=rng.choice(["", "saas", "self", "both"]),
                    rgaa=rng.choices(["", "none", "partial", "full"], weights=[70, 10, 15, 5])[0],
                    pricing=rng.choice(["", "free", "freemium", "subscription", "per_project"]),
                    launched_on=_date(rng, 2008, 2025),
                    is_published=rng.random() < 0.9,
                    data_origin="demo",  # synthetic: labelled as such on public pages
                    current_status=status,
                    name_key=normalise(tool_name),
                    search_text=normalise(" ".join(words)),
                )
            )
            tool_links.append((tags, functions, makers))
        bulk(m.Tool, tools)
        tag_through, function_through = m.Tool.tags.through, m.Tool.functions.through
        insert(
            tag_through,
            ["tool", "tag"],
            [
                (t.pk, terms[m.Tag][c].pk)
                for t, (tags, _f, _m) in zip(tools, tool_links, strict=True)
                for c in tags
            ],
        )
        insert(
            function_through,
            ["tool", "function"],
            [
                (t.pk, terms[m.Function][c].pk)
                for t, (_t, functions, _m) in zip(tools, tool_links, strict=True)
                for c in functions
            ],
        )
        insert(
            m.ToolMaker,
            ["tool", "organisation", "sort_order"],
            [
                (t.pk, o.pk, i)
                for t, (_t, _f, makers) in zip(tools, tool_links, strict=True)
                for i, o in enumerate(makers)
            ],
        )
        bulk(
            m.ToolStatus,
            [m.ToolStatus(tool=t, status=t.current_status, start_on=t.launched_on) for t in tools],
        )
        timings["tools"] = time.perf_counter() - started
        say(f"{n_tools} outils")

        # --- initiatives
        started = time.perf_counter()
        governments = [o for o in organisations if o.kind.code == "collectivite"] or organisations
        theme_codes = list(terms[m.Theme])
        initiatives, initiative_links = [], []
        for index in range(n_initiatives):
            picked = (
                {_zipf_index(rng, len(tools)) for _ in range(rng.choice([1, 1, 1, 2]))}
                if tools
                else set()
            )
            used = [tools[i] for i in sorted(picked)]
            themes = rng.sample(theme_codes, rng.choice([1, 1, 2]))
            # An initiative uses some of the functions of its tools.
            functions = sorted({code for i in picked for code in tool_links[i][1]})[:2] or [
                rng.choice(function_codes)
            ]
            organiser_territory = organiser = None
            if communes and rng.random() < 0.7:
                territory = (
                    communes[_zipf_index(rng, len(communes))]
                    if rng.random() < 0.85 or not departements
                    else None
                )
                organiser_territory = territory[0] if territory else rng.choice(departements)[0]
                place = territory[1] if territory else "département"
            else:
                organiser = governments[_zipf_index(rng, len(governments))]
                place = organiser.city
            kind = rng.choice(
                [
                    "Budget participatif",
                    "Consultation",
                    "Concertation",
                    "Pétition locale",
                    "Débat public",
                    "Conseil de quartier",
                ]
            )
            title = f"{kind} {place} {index}"
            start = _date(rng, 2010, 2026)
            amount = bracket = None
            draw = rng.random()
            if draw < 0.25:
                amount = Decimal(int(rng.lognormvariate(9.5, 1.4)))
                bracket = bracket_for_amount(amount)
                low = high = amount
            elif draw < 0.85:
                bracket = rng.choices(BRACKETS, weights=BRACKET_WEIGHTS)[0]
                low, high = BUDGET_BOUNDS[bracket]
            else:
                low = high = None
            participants = int(rng.lognormvariate(5.5, 1.5)) if rng.random() < 0.7 else None
            words = [title, *(terms[m.Theme][c].name for c in themes), *(t.name for t in used)]
            initiatives.append(
                m.Initiative(
                    name=title,
                    slug=f"{slugify_fr(title)}-{run}",
                    objective=terms[m.Objective][_weighted(rng, OBJECTIVE_WEIGHTS)],
                    iap2_level=_weighted(rng, IAP2_WEIGHTS),
                    organiser_territory_id=organiser_territory,
                    organiser_organisation=organiser,
                    start_on=start,
                    start_precision=rng.choice(["day", "day", "month"]),
                    end_on=start + datetime.timedelta(days=rng.randint(14, 400))
                    if rng.random() < 0.8
                    else None,
                    budget_amount=amount,
                    budget_bracket=bracket or "",
                    budget_min=low,
                    budget_max=high,
                    staff_fte=Decimal(rng.choice([0, 0.1, 0.2, 0.5, 1, 1.5, 2, 3]))
                    if rng.random() < 0.5
                    else None,
                    participants=participants,
                    contributions=int(participants * rng.uniform(0.3, 4)) if participants else None,
                    decision_effect=_weighted(rng, EFFECT_WEIGHTS),
                    is_published=rng.random() < 0.9,
                    data_origin="demo",  # synthetic: labelled as such on public pages
                    name_key=normalise(title),
                    search_text=normalise(" ".join(words)),
                )
            )
            initiative_links.append((used, themes, functions))
        bulk(m.Initiative, initiatives)
        theme_through, ifunction_through = (
            m.Initiative.themes.through,
            m.Initiative.functions.through,
        )
        insert(
            m.InitiativeTool,
            ["initiative", "tool", "sort_order"],
            [
                (i.pk, t.pk, n)
                for i, (used, _t, _f) in zip(initiatives, initiative_links, strict=True)
                for n, t in enumerate(used)
            ],
        )
        insert(
            theme_through,
            ["initiative", "theme"],
            [
                (i.pk, terms[m.Theme][c].pk)
                for i, (_u, themes, _f) in zip(initiatives, initiative_links, strict=True)
                for c in themes
            ],
        )
        insert(
            ifunction_through,
            ["initiative", "function"],
            [
                (i.pk, terms[m.Function][c].pk)
                for i, (_u, _t, functions) in zip(initiatives, initiative_links, strict=True)
                for c in functions
            ],
        )
        timings["initiatives"] = time.perf_counter() - started
        say(f"{n_initiatives} initiatives")

    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses badly on tables that just grew a lot.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE directory_organisation, directory_tool, directory_initiative")

    return {
        "organisations": n_orgs,
        "tools": n_tools,
        "initiatives": n_initiatives,
        "territories_used": bool(communes),
        "seconds": timings,
    }


def _worker():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "observatoire.settings")
    django.setup()
    from django.core.management import call_command

    from observatoire.directory.models import Initiative, Tool

    call_command("migrate", verbosity=0, interactive=False)
    scale = float(os.environ.get("BENCH_DIRECTORY_SCALE", "0.2"))
    sizes = {
        "n_tools": int(50_000 * scale),
        "n_orgs": int(20_000 * scale),
        "n_initiatives": int(100_000 * scale),
    }
    started = time.perf_counter()
    summary = generate_synthetic(**sizes, seed=1)
    summary["total"] = time.perf_counter() - started
    latencies = []
    for _ in range(5):
        for query in SEARCHES:
            for model in (Tool, Initiative):
                begin = time.perf_counter()
                list(model.objects.published().search(query)[:20])
                latencies.append((time.perf_counter() - begin) * 1000)
    latencies.sort()
    summary["search_p50"] = statistics.median(latencies)
    summary["search_p95"] = latencies[int(len(latencies) * 0.95) - 1]
    print(json.dumps(summary))


def _measure(env):
    from bench.server import run_worker

    return run_worker(__file__, env, timeout=1800)


def _rows(engine, figures):
    entries = figures["organisations"] + figures["tools"] + figures["initiatives"]
    return [
        {
            "benchmark": f"directory synthetic generation ({engine})",
            "value": figures["total"],
            "unit": "s",
            "target": "< 120 s at full scale",
            "note": f"{entries} entries ({figures['organisations']} actors, {figures['tools']} tools, {figures['initiatives']} initiatives)",
        },
        {
            "benchmark": f"directory generation rate ({engine})",
            "value": entries / figures["total"],
            "unit": "entries/s",
        },
        {
            "benchmark": f"directory search p50 ({engine})",
            "value": figures["search_p50"],
            "unit": "ms",
            "target": "< 100 ms",
        },
        {
            "benchmark": f"directory search p95 ({engine})",
            "value": figures["search_p95"],
            "unit": "ms",
            "note": f"{len(SEARCHES)} queries, tools and initiatives, first 20",
        },
    ]


def run():
    from bench.server import postgres_server, scratch_database

    with tempfile.TemporaryDirectory(prefix="bench-directory-") as var_dir:
        env = {"VAR_DIR": var_dir, "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3"}
        rows = _rows("SQLite", _measure(env))
    server, skipped = postgres_server()
    if server:
        with scratch_database(server, "bench_directory") as url:
            rows += _rows("PostgreSQL", _measure({"DATABASE_URL": url}))
    else:
        rows.append(
            {"benchmark": "directory (PostgreSQL)", "value": None, "unit": "", "note": skipped}
        )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if "--worker" in sys.argv:
        _worker()
    else:
        from bench.__main__ import markdown_table

        print(markdown_table(run()))
