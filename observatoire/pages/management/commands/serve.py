import os

from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

from observatoire.pages.static_files import collect_if_changed


class _Gunicorn(BaseApplication):
    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from observatoire.wsgi import application

        return application


class Command(BaseCommand):
    help = (
        "Run the production web server (gunicorn; static files served by the app through "
        "WhiteNoise), ready to sit behind a reverse proxy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3"))
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip collecting static files (already done at deployment); otherwise they "
            "are collected only when they changed since the last collection.",
        )

    def handle(self, *args, port, host, workers, no_collectstatic, **options):
        if not no_collectstatic:
            collect_if_changed()
        self.stdout.write(f"Observatoire sur http://{host}:{port}/ (Ctrl+C pour arrêter)")
        self.stdout.flush()
        _Gunicorn(
            {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": 2,
                "accesslog": "-" if settings.DEBUG else None,
                "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1"),
                "timeout": 120,
            }
        ).run()
