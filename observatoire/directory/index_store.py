"""Where the cartography's search index lives between processes: one file per host.

Building the index reads every published entry (seconds, and a peak of memory several times
the index's size); a web worker must never do it during a request, nor keep that peak. So the
index is built by its own process (`observatoire build_search_index`: run by `observatoire
serve` before it starts its workers, and started by a worker that sees the database's stamp
move) and written, pickled, to `VAR_DIR/search-index/`, under a name that says which database
and which stamp it is for. Workers load that file: its compact form only, never the build's
peak. `observatoire serve` loads it before forking its workers, which then share its pages.

The file is a per-host cache, not the truth: the truth is the database and its stamp
(`search.read_stamp`), so a second host builds its own file from the same stamp and never serves
another host's staleness. Files are written to a temporary name then renamed (atomic), so a
worker reads a whole file or none.
"""

import fcntl
import hashlib
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

FILE_PREFIX = "index-"
KEEP_FILES = 2  # the newest files of a database are kept; a worker may be loading one
RETRY_BUILD_SECONDS = 10  # a worker starts a builder at most this often


def folder() -> Path:
    path = Path(settings.VAR_DIR) / "search-index"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_key(using: str = "default") -> str:
    """Which database a file belongs to: two databases never share a host's files."""
    conf = connections[using].settings_dict
    name = "|".join(str(conf.get(key) or "") for key in ("ENGINE", "NAME", "HOST", "PORT"))
    return hashlib.sha1(name.encode()).hexdigest()[:12]


def path_for(stamp: int, using: str = "default") -> Path:
    return folder() / f"{FILE_PREFIX}{database_key(using)}-{stamp}.pickle"


def _files(using: str = "default") -> list[Path]:
    """This database's files, newest first."""
    found = folder().glob(f"{FILE_PREFIX}{database_key(using)}-*.pickle")
    return sorted(found, key=lambda path: path.stat().st_mtime_ns, reverse=True)


def latest(using: str = "default") -> Path | None:
    files = _files(using)
    return files[0] if files else None


def save(index, stamp: int, using: str = "default") -> Path:
    path = path_for(stamp, using)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
        try:
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            os.unlink(handle.name)
            raise
    os.replace(handle.name, path)
    for old in _files(using)[KEEP_FILES:]:
        old.unlink(missing_ok=True)
    return path


def load(path: Path):
    with open(path, "rb") as handle:
        return pickle.load(handle)


def age_seconds(path: Path) -> float:
    return time.time() - path.stat().st_mtime


def lock_builder():
    """An open file holding this host's builder lock, or None when a builder holds it."""
    handle = open(folder() / "build.lock", "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


_builder = {"process": None, "started": 0.0}


def start_builder() -> bool:
    """Start `observatoire build_search_index` in the background, unless one runs already
    (on this host) or one was started less than RETRY_BUILD_SECONDS ago by this process."""
    process = _builder["process"]
    if process is not None and process.poll() is None:
        return False
    if time.monotonic() - _builder["started"] < RETRY_BUILD_SECONDS:
        return False
    _builder["started"] = time.monotonic()
    _builder["process"] = subprocess.Popen(
        [sys.executable, "-m", "observatoire.cli", "build_search_index"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,  # a Ctrl+C of the server does not cut a file half-written
    )
    logger.info("Started a build of the cartography's search index")
    return True
