"""`observatoire directory import|harvest|rollback|export`: cartography data in and out."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatoire.directory.datapackage import build_datapackage
from observatoire.directory.harvest import SOURCES, harvest, rollback_batch
from observatoire.directory.importing import ImportFileError, import_file
from observatoire.directory.models import ENTRY_MODELS, HarvestBatch, KeyDate


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

        importer.add_argument(
            "--keep-going",
            action="store_true",
            help="Importe les bonnes lignes et écrit les rejetées dans un fichier de rejets.",
        )
        importer.add_argument(
            "--rejects",
            type=Path,
            help="Fichier CSV des lignes rejetées (défaut : NOM-rejets.csv à côté du fichier).",
        )

        harvester = subparsers.add_parser(
            "harvest",
            help="Moissonne une source ouverte du domaine (fichier, dossier, zip ou URL).",
        )
        harvester.add_argument("source", choices=SOURCES, help="Source moissonnée.")
        harvester.add_argument("location", help="Fichier, dossier, zip ou adresse http(s).")
        harvester.add_argument(
            "--dry-run", action="store_true", help="Affiche le bilan sans rien écrire."
        )
        harvester.add_argument(
            "--keep-going",
            action="store_true",
            help="Enregistre les bonnes lignes, écrit les rejetées dans un fichier de rejets.",
        )
        harvester.add_argument(
            "--rejects",
            type=Path,
            help=(
                "Fichier CSV des lignes rejetées (défaut : NOM-rejets.csv à côté du fichier "
                "ou du dossier lu ; SOURCE-rejets.csv ici pour une adresse http(s))."
            ),
        )

        rollback = subparsers.add_parser("rollback", help="Annule un moissonnage entier.")
        rollback.add_argument("batch", type=int, help="Numéro du moissonnage (voir l'admin).")

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
        elif action == "harvest":
            self.harvest(**options)
        elif action == "rollback":
            self.rollback(**options)
        else:
            self.export(**options)

    def import_(self, *, file, mapping, dry_run, verbosity, keep_going, rejects, **options):
        try:
            report = import_file(file, mapping, dry_run=dry_run, keep_going=keep_going)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        if keep_going:
            for error in report.errors:
                self.stderr.write(f"{file.name}, {error}")
            if report.errors:
                path = rejects or file.with_name(f"{file.stem}-rejets.csv")
                report.write_rejects(path)
                self.stderr.write(f"Lignes rejetées écrites dans {path}.")
            self.stdout.write(report.summary())
            if report.imported == 0 and report.errors:
                raise CommandError(f"Aucune ligne de {file.name} n'a pu être importée.")
            return
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

    def harvest(self, *, source, location, dry_run, keep_going, rejects, verbosity, **options):
        try:
            result = harvest(source, location, dry_run=dry_run, keep_going=keep_going)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        for report in result.reports:
            if dry_run or verbosity > 1:
                for action in report.actions:
                    self.stdout.write(f"[{report.entity}] {action}")
            for error in report.errors:
                self.stderr.write(f"[{report.entity}] {error}")
            if report.related_created and verbosity > 0:
                self.stdout.write("Fiches liées créées : " + ", ".join(report.related_created))
        for report in result.reports:
            for action in report.actions:
                if action.action == "possible_duplicate":
                    self.stdout.write(f"Doublon possible : {action.name} — {action.detail}")
        if result.errors and keep_going:
            path = rejects or default_rejects(source, location)
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write("entite,ligne,colonne,valeur,motif\n")
            for report in result.reports:
                _append_rejects(path, report)
            self.stderr.write(f"Lignes rejetées écrites dans {path}.")
        prefix = "Simulation, rien n'est enregistré — " if dry_run else ""
        self.stdout.write(prefix + result.summary())
        if result.imported == 0:
            raise CommandError(f"Rien n'a pu être moissonné depuis {location}.")
        if result.errors and not keep_going:
            raise CommandError(
                f"{result.rejected} ligne(s) rejetée(s) : rien n'a été enregistré "
                "(--keep-going enregistre les bonnes lignes)."
            )
        if result.batch is not None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Moissonnage n° {result.batch.pk} enregistré "
                    f"(annulable : observatoire directory rollback {result.batch.pk})."
                )
            )

    def rollback(self, *, batch, **options):
        found = HarvestBatch.objects.filter(pk=batch).first()
        if found is None:
            raise CommandError(f"Aucun moissonnage n° {batch}.")
        try:
            rollback_batch(found)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Moissonnage n° {batch} annulé."))

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


def default_rejects(source: str, location: str) -> Path:
    """NAME-rejets.csv beside the file or folder read, like `import`; here for a URL."""
    if location.startswith(("http://", "https://")):
        return Path(f"{source}-rejets.csv")
    path = Path(location).resolve()
    name = path.name if path.is_dir() else path.stem
    return path.with_name(f"{name}-rejets.csv")


def _append_rejects(path: Path, report) -> None:
    import csv

    with path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for error in report.errors:
            writer.writerow([report.entity, error.row, error.column, error.value, error.reason])
