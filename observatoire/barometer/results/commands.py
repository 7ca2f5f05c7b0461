"""`observatoire barometer report` and `observatoire barometer export`.

The `barometer` command belongs to the collection side; it adds these two sub-commands with
`add_report_parser(subparsers)` / `add_export_parser(subparsers)` and calls `handle_report` /
`handle_export` with the parsed options.
"""

from pathlib import Path

from django.core.management.base import CommandError
from tqdm import tqdm

from observatoire.barometer.models import Edition

from .exports import FORMATS, export_bytes


def _edition(year: int) -> Edition:
    edition = Edition.objects.select_related("frame", "questionnaire").filter(year=year).first()
    if edition is None:
        raise CommandError(f"Aucune édition {year}.")
    if edition.frame_id is None or edition.questionnaire_id is None:
        raise CommandError(f"Édition {year} : pas de base de sondage ou de questionnaire.")
    return edition


def add_report_parser(subparsers):
    parser = subparsers.add_parser("report", help="Rapport PDF d'une édition (WeasyPrint).")
    parser.add_argument("year", type=int)
    parser.add_argument("--output", required=True, help="Fichier PDF à écrire.")
    parser.add_argument("--unweighted", action="store_true", help="Chiffres non pondérés.")
    return parser


def handle_report(*, year, output, unweighted=False, stdout=None, **_options):
    from .report import build_report

    edition = _edition(year)
    with tqdm(total=2, desc=f"Rapport {year}", disable=stdout is None) as bar:
        pdf = build_report(edition, weighted=not unweighted)
        bar.update(1)
        Path(output).write_bytes(pdf)
        bar.update(1)
    if stdout:
        stdout.write(f"Rapport {year} écrit dans {output} ({len(pdf) // 1024} Kio).")
    return output


def add_export_parser(subparsers):
    parser = subparsers.add_parser(
        "export", help="Données d'une édition : une ligne par réponse, avec poids et dictionnaire."
    )
    parser.add_argument("year", type=int)
    parser.add_argument("--format", required=True, choices=sorted(FORMATS), dest="format")
    parser.add_argument("--output", required=True, help="Fichier à écrire.")
    parser.add_argument("--unweighted", action="store_true", help="Poids égaux à 1.")
    return parser


def handle_export(*, year, format, output, unweighted=False, stdout=None, **_options):
    edition = _edition(year)
    content, _type = export_bytes(edition, format, weighted=not unweighted)
    Path(output).write_bytes(content)
    if stdout:
        stdout.write(f"Export {format} de l'édition {year} écrit dans {output}.")
    return output
