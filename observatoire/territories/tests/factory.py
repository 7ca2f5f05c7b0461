"""A small référentiel for fast tests, and a fake npm tarball of the package.

The territories are real ones (codes, names, populations of the 2026 vintage, rounded where it
does not matter), chosen for the edge cases: Paris, Lyon and the Rhône, Corsica, Guyane, Mayotte,
an overseas collectivity, a commune without population, homonyms, shared postcodes.
"""

import copy
import io
import json
import tarfile
from pathlib import Path

from observatoire.territories.snapshot import write_snapshot

PROVENANCE = {
    "package": "@etalab/decoupage-administratif",
    "licence": "Licence Ouverte / Open Licence (Etalab)",
    "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
}

REGIONS = [
    ("84", "Auvergne-Rhône-Alpes", "metro"),
    ("11", "Île-de-France", "metro"),
    ("94", "Corse", "metro"),
    ("03", "Guyane", "drom"),
    ("06", "Mayotte", "drom"),
    ("04", "La Réunion", "drom"),
    ("975", "Saint-Pierre-et-Miquelon", "com"),
    ("984", "Terres australes et antarctiques françaises", "com"),
]
DEPARTEMENTS = [
    ("38", "Isère", "84", "metro"),
    ("42", "Loire", "84", "metro"),
    ("69", "Rhône", "84", "metro"),
    ("75", "Paris", "11", "metro"),
    ("2A", "Corse-du-Sud", "94", "metro"),
    ("973", "Guyane", "03", "drom"),
    ("976", "Mayotte", "06", "drom"),
    ("974", "La Réunion", "04", "drom"),
    ("975", "Saint-Pierre-et-Miquelon", "975", "com"),
    ("984", "Terres australes et antarctiques françaises", "984", "com"),
]
EPCI = [
    ("200040715", "Grenoble-Alpes-Métropole", "METRO", 449509, 458000),
    ("200018166", "CC Le Grésivaudan", "CC", 104000, 106000),
    ("244200770", "Saint-Étienne Métropole", "METRO", 407700, 415000),
    ("200046977", "Métropole de Lyon", "MET69", 1433613, 1460000),
    ("200040574", "CA Villefranche Beaujolais Saône", "CA", 76000, 78000),
    ("200054781", "Métropole du Grand Paris", "METRO", 7115576, 7200000),
    ("200066868", "CA du Pays Ajaccien", "CA", 88000, 90000),
    ("249730045", "CA du Centre Littoral", "CA", 135000, 137000),
    ("200060457", "CA de Dembeni-Mamoudzou", "CA", 80000, 81000),
    ("249740119", "CINOR", "CA", 208000, 210000),
]
# code, name, siren, departement, region, zone, population, postcodes, epci, former codes
COMMUNES = [
    ("38185", "Grenoble", "213801855", "38", "84", "metro", 156140, "38000 38100", "200040715", ""),
    (
        "38421",
        "Saint-Martin-d'Hères",
        "213804214",
        "38",
        "84",
        "metro",
        38300,
        "38400",
        "200040715",
        "",
    ),
    ("38151", "Échirolles", "213801517", "38", "84", "metro", 37600, "38130", "200040715", ""),
    ("38397", "Le Versoud", "213803976", "38", "84", "metro", 4800, "38420", "200018166", ""),
    ("38439", "Saint-Ismier", "213804396", "38", "84", "metro", 7000, "38330", "200018166", ""),
    (
        "38001",
        "Les Abrets en Dauphiné",
        "200071082",
        "38",
        "84",
        "metro",
        3499,
        "38490",
        "200018166",
        "",
    ),
    (
        "38384",
        "Saint-Étienne-de-Saint-Geoirs",
        "213803844",
        "38",
        "84",
        "metro",
        3450,
        "38590",
        "200018166",
        "",
    ),
    (
        "42218",
        "Saint-Étienne",
        "214202186",
        "42",
        "84",
        "metro",
        173136,
        "42000 42100 42230",
        "244200770",
        "42190 42292 42309",
    ),
    ("42207", "Saint-Chamond", "214202079", "42", "84", "metro", 35000, "42400", "244200770", ""),
    (
        "42279",
        "Saint-Étienne-le-Molard",
        "214202798",
        "42",
        "84",
        "metro",
        900,
        "42130",
        "244200770",
        "",
    ),
    (
        "69123",
        "Lyon",
        "216901231",
        "69",
        "84",
        "metro",
        519127,
        "69001 69002 69003",
        "200046977",
        "69232",
    ),
    ("69266", "Villeurbanne", "216902668", "69", "84", "metro", 156000, "69100", "200046977", ""),
    (
        "69264",
        "Villefranche-sur-Saône",
        "216902643",
        "69",
        "84",
        "metro",
        37000,
        "69400",
        "200040574",
        "",
    ),
    (
        "75056",
        "Paris",
        "217500016",
        "75",
        "11",
        "metro",
        2103778,
        "75001 75002 75116",
        "200054781",
        "",
    ),
    ("2A004", "Ajaccio", "212000046", "2A", "94", "metro", 76320, "20000 20090", "200066868", ""),
    ("97302", "Cayenne", "219733025", "973", "03", "drom", 63000, "97300", "249730045", ""),
    ("97611", "Mamoudzou", "200041507", "976", "06", "drom", 71000, "97600", "200060457", ""),
    (
        "97411",
        "Saint-Denis",
        "219740115",
        "974",
        "04",
        "drom",
        153000,
        "97400 97490",
        "249740119",
        "",
    ),
    ("97502", "Saint-Pierre", None, "975", "975", "com", 5194, "97500", None, ""),
    ("98412", "Archipel des Kerguelen", None, "984", "984", "com", None, "", None, ""),
]
SUBDIVISIONS = [
    ("69381", "Lyon 1er Arrondissement", "arrondissement", "69123"),
    ("42190", "Rochetaillée", "associee", "42218"),
]


def tables():
    """Rows of the small référentiel, as `write_snapshot` takes them (a fresh copy each time)."""
    return copy.deepcopy(
        {
            "regions": [
                {"code": c, "name": n, "zone": z, "chef_lieu": None} for c, n, z in REGIONS
            ],
            "departements": [
                {"code": c, "name": n, "region": r, "zone": z, "chef_lieu": None}
                for c, n, r, z in DEPARTEMENTS
            ],
            "epci": [
                {
                    "siren": s,
                    "name": n,
                    "nature": k,
                    "financing": "FPU",
                    "population": p,
                    "population_total": t,
                }
                for s, n, k, p, t in EPCI
            ],
            "communes": [
                dict(
                    zip(
                        [
                            "code",
                            "name",
                            "siren",
                            "departement",
                            "region",
                            "zone",
                            "population",
                            "postcodes",
                            "epci",
                            "former_codes",
                        ],
                        row,
                        strict=True,
                    )
                )
                for row in COMMUNES
            ],
            "subdivisions": [
                {"code": c, "name": n, "type": t, "parent": p} for c, n, t, p in SUBDIVISIONS
            ],
        }
    )


def next_vintage_tables():
    """The same référentiel a year later: a merger of communes and a merger of EPCI.

    - Le Versoud (38397) joins Saint-Ismier (38439), which lists it in its former codes;
    - CA Villefranche Beaujolais Saône (200040574) disappears, its member joins the Métropole de
      Lyon's neighbour... here CC Le Grésivaudan, to keep the example small;
    - Grenoble's population changes, Saint-Chamond is renamed.
    """
    data = tables()
    communes = {row["code"]: row for row in data["communes"]}
    del communes["38397"]
    communes["38439"]["former_codes"] = "38397"
    communes["38439"]["population"] = 11800
    communes["69264"]["epci"] = "200018166"
    communes["38185"]["population"] = 157000
    communes["42207"]["name"] = "Saint-Chamond-en-Forez"
    data["communes"] = list(communes.values())
    data["epci"] = [row for row in data["epci"] if row["siren"] != "200040574"]
    data["subdivisions"].append(
        {"code": "38397", "name": "Le Versoud", "type": "deleguee", "parent": "38439"}
    )
    return data


def write_mini_snapshot(path, *, vintage=2026, version="6.0.0", data=None):
    provenance = {**PROVENANCE, "version": version, "vintage": vintage}
    return write_snapshot(Path(path), provenance=provenance, tables=data or tables())


def npm_tarball(path, *, version="9.9.9", vintage=2030, readme=True, broken_epci=False):
    """A tarball laid out like `npm pack @etalab/decoupage-administratif` gives."""
    data = tables()
    members = {}
    for commune in data["communes"]:
        if commune["epci"]:
            members.setdefault(commune["epci"], []).append(
                {"code": commune["code"], "siren": commune["siren"], "nom": commune["name"]}
            )
    communes = []
    for commune in data["communes"]:
        row = {
            "code": commune["code"],
            "nom": commune["name"],
            "type": "commune-actuelle",
            "zone": commune["zone"],
            "departement": commune["departement"],
            "region": commune["region"],
            "typeLiaison": 0,
        }
        if commune["siren"]:
            row["siren"] = commune["siren"]
        if commune["population"] is not None:
            row["population"] = commune["population"]
        if commune["postcodes"]:
            row["codesPostaux"] = commune["postcodes"].split()
        if commune["former_codes"]:
            row["anciensCodes"] = commune["former_codes"].split()
        communes.append(row)
    communes += [
        {
            "code": "69381",
            "nom": "Lyon 1er Arrondissement",
            "type": "arrondissement-municipal",
            "commune": "69123",
            "zone": "metro",
            "departement": "69",
            "region": "84",
            "population": 30000,
        },
        {
            "code": "42190",
            "nom": "Rochetaillée",
            "type": "commune-associee",
            "chefLieu": "42218",
            "zone": "metro",
            "departement": "42",
            "region": "84",
        },
    ]
    epci = [
        {
            "code": siren,
            "nom": name,
            "type": nature,
            "modeFinancement": "FPU",
            "populationMunicipale": population,
            "populationTotale": total,
            "membres": members.get(siren, []),
        }
        for siren, name, nature, population, total in EPCI
    ]
    if broken_epci:
        epci[0].pop("nom")
    files = {
        "package/package.json": {
            "name": "@etalab/decoupage-administratif",
            "version": version,
            "license": "MIT",
            "repository": "https://github.com/etalab/decoupage-administratif",
        },
        "package/data/communes.json": communes,
        "package/data/epci.json": epci,
        "package/data/departements.json": [
            {"code": c, "nom": n, "region": r, "zone": z, "chefLieu": "00000"}
            for c, n, r, z in DEPARTEMENTS
        ],
        "package/data/regions.json": [
            {"code": c, "nom": n, "zone": z, "chefLieu": "00000"} for c, n, z in REGIONS
        ],
    }
    text = {}
    if readme:
        text["package/README.md"] = (
            "# @etalab/decoupage-administratif\n\n| Année | Version du package | NPM |\n"
            "|-------|-----|-----|\n"
            f"| {vintage}  | {version} | `npm install @etalab/decoupage-administratif@{version}` |\n"
            "| 2019  | 0.7 | `npm install @etalab/decoupage-administratif@0.7` |\n"
        )
    path = Path(path)
    with tarfile.open(path, "w:gz") as archive:
        for name, content in [
            *((n, json.dumps(c).encode()) for n, c in files.items()),
            *((n, t.encode()) for n, t in text.items()),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path
