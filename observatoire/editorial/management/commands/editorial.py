from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from observatoire.editorial.links import check_link
from observatoire.editorial.models import Resource


class Command(BaseCommand):
    help = "Editorial tasks. check-links: request every resource link and record its HTTP status."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        check = subcommands.add_parser(
            "check-links",
            help="Request each resource's address; staff see broken links in the admin.",
        )
        check.add_argument(
            "--timeout",
            type=float,
            default=10.0,
            help="Seconds to wait for each server (default 10).",
        )
        check.add_argument(
            "--broken-only", action="store_true", help="Only re-check links found broken last time."
        )

    def handle(self, *args, subcommand, **options):
        self.verbosity = options["verbosity"]
        if subcommand == "check-links":
            self.check_links(timeout=options["timeout"], broken_only=options["broken_only"])

    def check_links(self, *, timeout, broken_only):
        if timeout <= 0:
            raise CommandError("--timeout must be a positive number of seconds.")
        resources = Resource.objects.order_by("pk")
        if broken_only:
            resources = resources.broken()
        checked, broken = list(resources), []
        # tqdm writes to the real stderr: Django's OutputWrapper would add a newline per refresh.
        for resource in tqdm(checked, desc="Liens", unit=" liens", disable=self.verbosity == 0):
            status, error = check_link(resource.url, timeout=timeout)
            resource.record_check(status, error)
            if not resource.link_ok:
                broken.append(resource)
        for resource in broken:
            self.stdout.write(
                f"CASSÉ  {resource.link_status or '---'}  {resource.url}  {resource.link_error}"
            )
        self.stdout.write(f"{len(checked)} lien(s) vérifié(s), {len(broken)} cassé(s).")
