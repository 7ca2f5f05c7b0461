from django.core.management.base import BaseCommand

from observatoire.directory import index_store, search


class Command(BaseCommand):
    help = (
        "Build the cartography's search index and write this host's copy to "
        "VAR_DIR/search-index/, unless a copy for the database's current stamp is already "
        "there (run by `observatoire serve` and, on a change, by a web worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Build even when the current copy is fresh."
        )

    def handle(self, *args, force, **options):
        lock = index_store.lock_builder()
        if lock is None:
            self.stdout.write("Un autre processus construit déjà l'index.")
            return
        with lock:
            stamp = search.read_stamp()
            path = index_store.path_for(stamp)
            if not force and path.exists() and index_store.age_seconds(path) < search.INDEX_MAX_AGE:
                self.stdout.write(f"Index à jour : {path}")
                return
            index = search.build_and_store(stamp)
            self.stdout.write(
                f"Index construit en {index.build_seconds:.1f} s ({index.size} fiches) : {path}"
            )
