import importlib
import os
import secrets
import subprocess
import sys
import time

from django.apps import apps
from django.conf import settings
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
        if "SITE_URL" not in os.environ:
            # The links the loaders print (personal questionnaire, peer comparison) must
            # open on the port this demo serves, not on the default one.
            settings.SITE_URL = f"http://127.0.0.1:{port}"
            settings.WAGTAILADMIN_BASE_URL = settings.SITE_URL
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
            self._serve(port)

    def _serve(self, port):
        """`observatoire serve` and the task worker, each in a fresh process, as in production.

        Not gunicorn forked from this process: loading the data has run polars and vl-convert
        here, and a process forked after they started their threads deadlocks at its first
        chart (the pages that draw one cold never answered, until gunicorn killed the worker).
        """
        observatoire = [sys.executable, "-m", "observatoire.cli"]
        # The demo runs the background jobs too (invitation waves, results), as production's
        # second service would.
        worker = subprocess.Popen([*observatoire, "db_worker", "--backend", "background"])
        server = subprocess.Popen([*observatoire, "serve", "--port", str(port)])
        try:
            while server.poll() is None and worker.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass  # Ctrl+C reached the two children too: they stop on their own
        finally:
            for child in (server, worker):
                if child.poll() is None:
                    child.terminate()
            for child in (server, worker):
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()

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
