import importlib
import secrets
import subprocess
import sys

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Migrate, load the demo data (idempotent), create the staff account 'demo', "
        "then serve the site on http://127.0.0.1:PORT with a background task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Load the data and stop.")

    def handle(self, *args, port, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Base de données à jour.")
        for app in apps.get_app_configs():
            if not app.name.startswith("observatoire."):
                continue
            try:
                module = importlib.import_module(f"{app.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{app.name}.demo":
                    raise
                continue
            module.load(stdout=self.stdout)
        self._ensure_demo_user()
        if not no_serve:
            # The demo runs the background jobs too (invitation waves, results), as production's
            # second service would.
            worker = subprocess.Popen(
                [sys.executable, "-m", "observatoire.cli", "db_worker", "--backend", "background"]
            )
            try:
                call_command("serve", port=port)
            finally:
                worker.terminate()
                worker.wait(timeout=30)

    def _ensure_demo_user(self):
        User = get_user_model()
        if User.objects.filter(username="demo").exists():
            self.stdout.write(
                "Compte « demo » déjà présent (mot de passe affiché au premier lancement ; "
                "pour le changer : observatoire changepassword demo)."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("demo", "demo@example.org", password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Compte d'administration créé : identifiant « demo », mot de passe « {password} » "
                "(affiché une seule fois)."
            )
        )
