"""`observatoire directory import|export`: move cartography data in and out."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatoire.directory.datapackage import build_datapackage
from observatoire.directory.importing import ImportFileError, import_file
from observatoire.directory.models import ENTRY_MODELS, KeyDate


class Command(BaseCommand):
    help = "Cartographie : importer des fiches d'un autre annuaire, exporter un paquet de données."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="action", required=True)

        importer = subparsers.add_parser(
            "import",
            help="Importe un fichier CSV, JSON ou XLSX selon un fichier de correspondance.",
        )
        importer.add_argument("file", type=Path, help="Fichier à importer (.csv, .json, .xlsx).")
        importer.add_argument(
            "--mapping",
            type=Path,
            required=True,
            help="Fichier de correspondance (.toml ou .json), voir docs/directory.md.",
        )
        importer.add_argument(
            "--dry-run",
            action="store_true",
            help="Affiche ce qui serait créé, mis à jour ou ignoré, sans rien écrire.",
        )

        exporter = subparsers.add_parser(
            "export", help="Exporte un paquet de données Frictionless (CSV + datapackage.json)."
        )
        exporter.add_argument("directory", type=Path, help="Dossier (ou fichier .zip) de sortie.")
        exporter.add_argument(
            "--entity",
            action="append",
            choices=list(ENTRY_MODELS),
            help="Limiter à ce type de fiche (répétable).",
        )
        exporter.add_argument("--search", default="", help="Texte recherché.")
        exporter.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="FACETTE=VALEUR",
            help="Facette, ex. status=active, function=petition, objective=information (répétable).",
        )
        exporter.add_argument(
            "--include-unpublished",
            action="store_true",
            help="Inclure les fiches non publiées (usage interne seulement).",
        )

    def handle(self, *args, action, **options):
        if action == "import":
            self.import_(**options)
        else:
            self.export(**options)

    def import_(self, *, file, mapping, dry_run, verbosity, **options):
        try:
            report = import_file(file, mapping, dry_run=dry_run)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        if dry_run or verbosity > 1:
            for action in report.actions:
                self.stdout.write(str(action))
        for error in report.errors:
            self.stderr.write(f"{file.name}, {error}")
        prefix = "Simulation, rien n'est enregistré — " if dry_run else ""
        self.stdout.write(prefix + report.summary())
        if report.related_created and verbosity > 0:
            self.stdout.write("Fiches liées créées : " + ", ".join(report.related_created))
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} erreur(s) dans {file.name} : rien n'a été enregistré."
            )
        if not dry_run:
            self.stdout.write(self.style.SUCCESS("Import enregistré."))

    def export(self, *, directory, entity, search, filter, include_unpublished, **options):
        facets: dict[str, list[str]] = {}
        for item in filter:
            name, sep, value = item.partition("=")
            if not sep or not value:
                raise CommandError(f"--filter {item!r} : écrivez FACETTE=VALEUR.")
            facets.setdefault(name.strip(), []).append(value.strip())
        querysets = {}
        for name in entity or list(ENTRY_MODELS):
            model = ENTRY_MODELS[name]
            queryset = model.objects.all() if include_unpublished else model.objects.published()
            known = {key: values for key, values in facets.items() if key in model.FACETS}
            querysets[name] = queryset.search(search).filter_by(**known)
        unused = set(facets) - {key for model in ENTRY_MODELS.values() for key in model.FACETS}
        if unused:
            raise CommandError(f"Facettes inconnues : {', '.join(sorted(unused))}.")
        key_dates = KeyDate.objects.all() if include_unpublished else KeyDate.objects.published()
        build_datapackage(querysets, directory, key_dates=key_dates)
        counts = ", ".join(
            f"{queryset.count()} {ENTRY_MODELS[name]._meta.verbose_name_plural}"
            for name, queryset in querysets.items()
        )
        self.stdout.write(
            self.style.SUCCESS(f"Paquet de données écrit dans {directory} ({counts}).")
        )
