import pytest

from observatoire.territories.services import load_snapshot

from . import factory


@pytest.fixture
def mini_snapshot(tmp_path):
    return factory.write_mini_snapshot(tmp_path / "mini-6.0.0.json.gz")


@pytest.fixture
def mini_referentiel(db, mini_snapshot):
    """The small référentiel of factory.py, loaded (2026 vintage)."""
    load_snapshot(snapshot=mini_snapshot)
    return mini_snapshot
