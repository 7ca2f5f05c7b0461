import gc
import logging
import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections
from gunicorn.app.base import BaseApplication

from observatoire.directory import index_store, search
from observatoire.pages.static_files import collect_if_changed

logger = logging.getLogger(__name__)


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
            "--no-search-index",
            action="store_true",
            help="Do not load the cartography's search index before starting the workers "
            "(the first search of each worker then loads or builds it).",
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip collecting static files (already done at deployment); otherwise they "
            "are collected only when they changed since the last collection.",
        )

    def handle(self, *args, port, host, workers, no_collectstatic, no_search_index, **options):
        if not no_collectstatic:
            collect_if_changed()
        if not no_search_index:
            _load_search_index()
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


def _load_search_index() -> None:
    """Hold the search index before forking the workers, so that no request waits for it and
    the workers share its memory pages (copy-on-write) instead of each loading a copy.

    The first start on a host builds it (in a forked child, whose memory peak is returned at
    its exit); later starts load the last file and refresh it in the background if stale.
    """
    try:
        if index_store.latest() is None and search.published_count() > search.SYNC_REBUILD_MAX_ROWS:
            index_store.build_in_child(search.build_and_store)
        search.load_for_serving()  # a small index is built here, in tens of milliseconds
    except DatabaseError:
        logger.exception("The search index could not be prepared; searches will build it")
    finally:
        connections.close_all()  # the workers open their own
    # Objects created so far are never collected: the collector of a worker would otherwise
    # write into every page of the shared index and copy it.
    gc.freeze()
