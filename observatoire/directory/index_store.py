"""Where the cartography's search index lives between processes: one file per host.

Building the index reads every published entry (seconds, and a peak of memory several times
the index's size); a web worker must never do it during a request, nor keep that peak. So the
index is built by its own process (`observatoire build_search_index`, run by `observatoire
serve` before it starts its workers; or a child forked by a worker that sees the database's
stamp move) and written, pickled, to `VAR_DIR/search-index/`, under a name that says which database
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
import tempfile
import threading
import time
import traceback
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


_builder = {"pid": None, "started": 0.0}
_inherited_connections = []  # a builder's copies of its parent's connections, never used


def start_builder(build) -> bool:
    """Run `build()` in a forked child process, unless this host's builder lock is taken or
    this process started one less than RETRY_BUILD_SECONDS ago.

    Forked rather than started afresh: a new Python process takes seconds just to import
    Django and the apps, more than the freshness target. The child's peak of memory is given
    back when it exits; the worker goes on answering meanwhile.
    """
    if _builder["pid"] is not None:
        return False
    if time.monotonic() - _builder["started"] < RETRY_BUILD_SECONDS:
        return False
    lock = lock_builder()
    if lock is None:
        return False
    _builder["started"] = time.monotonic()
    pid = _fork(build)
    lock.close()  # the child holds the lock until it exits
    _builder["pid"] = pid
    threading.Thread(target=_reap, args=(pid,), daemon=True).start()
    return True


def build_in_child(build) -> bool:
    """Run `build()` in a forked child and wait for it (`observatoire serve`, before its
    workers): the build's memory peak stays out of the process that then serves."""
    _pid, status = os.waitpid(_fork(build), 0)
    return status == 0


def _fork(build) -> int:
    pid = os.fork()
    if pid == 0:  # the builder
        code = 1
        try:
            _leave_parent_connections()
            build()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)  # no cleanup of the parent's state (its connections, its server)
    return pid


def _leave_parent_connections() -> None:
    # The parent's sockets are shared with the child: closing them here would end the
    # parent's sessions. Keep them untouched and open new ones.
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is not None:
            _inherited_connections.append(wrapper.connection)
            wrapper.connection = None
            wrapper.in_atomic_block = False
            wrapper.savepoint_ids = []
            wrapper.needs_rollback = False


def _reap(pid: int) -> None:
    try:
        _pid, status = os.waitpid(pid, 0)
        if status:
            logger.error("The search index builder exited with status %s", status)
    except ChildProcessError:
        pass  # reaped by someone else: gunicorn's master waits for all its children
    finally:
        _builder["pid"] = None
