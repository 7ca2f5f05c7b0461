import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from observatoire.lib.formulas import neutralise_row
from observatoire.territories.models import Frame, FrameMember
from observatoire.territories.refresh import RefreshError, refresh
from observatoire.territories.rules import KINDS
from observatoire.territories.services import LoadError, build_frame, load_snapshot
from observatoire.territories.snapshot import SnapshotError, read_snapshot

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
KIND_LABELS = {
    "commune": "Communes",
    "epci": "EPCI",
    "departement": "Départements",
    "region": "Régions",
}


class Command(BaseCommand):
    help = "The référentiel of territories: refresh the snapshot, load it, build sampling frames."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        refresh_parser = commands.add_parser(
            "refresh",
            help="Rebuild a snapshot from the npm package @etalab/decoupage-administratif (npm pack).",
        )
        refresh_parser.add_argument(
            "--version", required=True, dest="package_version", help="Package version, e.g. 6.0.0."
        )
        refresh_parser.add_argument(
            "--vintage", type=int, help="Year of the data, if the package README does not say."
        )
        refresh_parser.add_argument(
            "--output",
            type=Path,
            help="Snapshot file (default: data/decoupage-VERSION.json.gz in the app).",
        )
        refresh_parser.add_argument(
            "--tarball", type=Path, help="Use this npm tarball instead of downloading it."
        )

        load_parser = commands.add_parser(
            "load", help="Load a snapshot into the database (idempotent)."
        )
        load_parser.add_argument(
            "snapshot", nargs="?", type=Path, help="Snapshot file (default: TERRITORIES_SNAPSHOT)."
        )
        load_parser.add_argument(
            "--allow-older", action="store_true", help="Accept a vintage older than the one loaded."
        )

        frame_parser = commands.add_parser(
            "frame", help="Build (or show, if built) the sampling frame of a year."
        )
        frame_parser.add_argument("year", type=int)
        frame_parser.add_argument(
            "--csv", type=Path, dest="csv_path", help="Also write the members to this CSV file."
        )
        frame_parser.add_argument(
            "--snapshot",
            type=Path,
            help="Build from this snapshot's vintage instead of the database's.",
        )
        frame_parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Discard the existing frame of that year and build it again.",
        )

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"handle_{action}")(**options)
        except (SnapshotError, LoadError, RefreshError) as error:
            raise CommandError(str(error)) from error

    def handle_refresh(self, *, package_version, vintage, output, tarball, **options):
        output = output or DATA_DIR / f"decoupage-{package_version}.json.gz"
        snapshot = refresh(package_version, output, tarball=tarball, vintage=vintage)
        counts = ", ".join(f"{table} {snapshot.count(table)}" for table in snapshot.data)
        self.stdout.write(
            self.style.SUCCESS(
                f"Instantané {output} écrit : {snapshot.provenance['package']} {snapshot.version}, "
                f"millésime {snapshot.vintage} ({counts}), {output.stat().st_size // 1024} Kio."
            )
        )

    def handle_load(self, *, snapshot, allow_older, **options):
        data = read_snapshot(snapshot) if snapshot else None
        summary = load_snapshot(snapshot=data, progress=True, allow_older=allow_older)
        self.stdout.write(
            self.style.SUCCESS(
                f"Millésime {summary['vintage']} ({summary['version']}) chargé : "
                f"{sum(summary['created'].values())} créés, {sum(summary['updated'].values())} "
                f"mis à jour, {sum(summary['retired'].values())} devenus historiques, "
                f"{summary['unchanged']} inchangés."
            )
        )

    def handle_frame(self, *, year, csv_path, snapshot, rebuild, **options):
        data = read_snapshot(snapshot) if snapshot else None
        try:
            frame, created = build_frame(year=year, snapshot=data, rebuild=rebuild)
        except ProtectedError as error:
            raise CommandError(
                f"The {year} frame is in use ({len(error.protected_objects)} linked records) "
                "and cannot be rebuilt."
            ) from error
        verb = (
            "construite" if created else "déjà construite le " + frame.built_at.strftime("%Y-%m-%d")
        )
        self.stdout.write(
            f"Base de sondage {frame.year} {verb} (millésime {frame.vintage}, {frame.source})."
        )
        if frame.note:
            self.stdout.write(self.style.WARNING(frame.note))
        self.stdout.write(format_counts(frame))
        if frame.exclusions:
            self.stdout.write(f"Exclusions documentées ({len(frame.exclusions)}) :")
            for item in frame.exclusions:
                self.stdout.write(
                    f"  - {item['kind']} {item['code']} {item['name']} : {item['reason']}"
                )
        if csv_path:
            write_members_csv(frame, csv_path)
            self.stdout.write(self.style.SUCCESS(f"{frame.total} membres écrits dans {csv_path}."))


def format_counts(frame: Frame) -> str:
    lines = [f"{'Strate':<14} {'Tranche':<18} {'Effectif':>8}"]
    for kind in KINDS:
        for band, count in frame.counts["by_stratum"][kind].items():
            lines.append(f"{KIND_LABELS[kind]:<14} {band:<18} {count:>8}")
        lines.append(f"{KIND_LABELS[kind]:<14} {'total':<18} {frame.count_of(kind):>8}")
    lines.append(f"{'Ensemble':<14} {'':<18} {frame.total:>8}")
    return "\n".join(lines)


def write_members_csv(frame: Frame, path: Path) -> None:
    members = (
        FrameMember.objects.filter(frame=frame)
        .select_related("territory__departement", "territory__region")
        .order_by("kind", "territory__code")
    )
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "annee",
                "strate",
                "tranche",
                "code",
                "siren",
                "nom",
                "population",
                "nature_epci",
                "departement",
                "region",
                "zone",
            ]
        )
        for member in members:
            territory = member.territory
            writer.writerow(
                neutralise_row(
                    [
                        frame.year,
                        member.kind,
                        member.band,
                        territory.code,
                        territory.siren,
                        member.name,
                        "" if member.population is None else member.population,
                        territory.epci_nature,
                        territory.department_code or "",
                        territory.region.code
                        if territory.region_id
                        else (territory.code if territory.kind == "region" else ""),
                        territory.zone,
                    ]
                )
            )
