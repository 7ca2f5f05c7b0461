"""`observatoire data release cartography|edition YEAR`: cut a frozen, citable data release."""

from django.core.management.base import BaseCommand, CommandError

from observatoire.api.releases import ReleaseError, cut_release
from observatoire.barometer.models import Edition


class Command(BaseCommand):
    help = "Données ouvertes : publier une version figée et citable des données."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="action", required=True)
        release = subparsers.add_parser(
            "release",
            help="Fige les données publiques (cartographie, ou une édition publiée du baromètre).",
        )
        release.add_argument("dataset", choices=["cartography", "edition"])
        release.add_argument("year", nargs="?", type=int, help="Année de l'édition.")

    def handle(self, *args, action, dataset, year=None, **options):
        edition = None
        if dataset == "edition":
            if year is None:
                raise CommandError("Précisez l'année : observatoire data release edition 2026.")
            edition = Edition.objects.select_related("frame", "questionnaire").filter(year=year)
            edition = edition.first()
            if edition is None:
                raise CommandError(f"Aucune édition {year}.")
        elif year is not None:
            raise CommandError(
                "La cartographie n'a pas d'année : observatoire data release cartography."
            )
        try:
            release = cut_release(kind=dataset, edition=edition)
        except ReleaseError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{release.title} : {release.get_absolute_url()} (SHA-256 {release.checksum})"
        )
