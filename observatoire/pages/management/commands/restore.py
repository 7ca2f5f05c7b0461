from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from observatoire.pages.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = (
        "Replace the database and the media folder with those of an archive made by "
        "`observatoire backup`, after checking its manifest and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, archive, interactive, **options):
        try:
            manifest = read_manifest(archive)
            if interactive:
                answer = input(
                    f"Replace the current database and media with the backup of "
                    f"{manifest['created']}? Type 'yes' to continue: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled: nothing was changed.")
            restored = restore_backup(archive=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the backup of {manifest['created']} "
            f"({manifest['database_vendor']}, {restored.media_files} media files)."
        )
        if restored.missing_migrations:
            self.stdout.write(
                f"{len(restored.missing_migrations)} migrations of this code are not applied "
                "in the backup: run `observatoire migrate`."
            )
