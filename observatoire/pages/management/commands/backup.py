from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from observatoire.pages.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write the database (SQLite online backup or pg_dump) and the media folder into one "
        ".tar.gz archive with a manifest (date, database vendor, migrations, SHA-256)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "output",
            nargs="?",
            type=Path,
            help="The archive to write (default: observatoire-backup-YYYYMMDD-HHMMSS.tar.gz here).",
        )

    def handle(self, *args, output, **options):
        if output is None:
            output = Path(f"observatoire-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        try:
            manifest = create_backup(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{output}: {manifest['database_vendor']} database, "
            f"{len(manifest['migrations'])} migrations applied, {manifest['media_files']} media files."
        )
