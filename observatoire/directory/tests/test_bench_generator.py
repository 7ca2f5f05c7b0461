import importlib.util
from pathlib import Path

import pytest

from observatoire.directory.models import Initiative, Organisation, Tool

pytestmark = pytest.mark.django_db

BENCH = Path(__file__).resolve().parents[3] / "bench" / "bench_directory_data.py"


def load_generator():
    spec = importlib.util.spec_from_file_location("bench_directory_data", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate_synthetic


def test_synthetic_generator_fills_consistent_searchable_entries():
    summary = load_generator()(n_tools=60, n_orgs=30, n_initiatives=120, seed=3)
    assert (Organisation.objects.count(), Tool.objects.count(), Initiative.objects.count()) == (
        30,
        60,
        120,
    )
    assert summary["seconds"]["initiatives"] >= 0
    tool = Tool.objects.filter(maker_links__isnull=False).first()
    assert tool.makers.exists() and tool.current_status
    assert tool.current_status == tool.statuses.last().status
    rebuilt = tool.build_search_text()
    assert rebuilt.split()[:3] == tool.search_text.split()[:3], (
        "same search text as save() would write"
    )
    assert Tool.objects.search(tool.name).filter(pk=tool.pk).exists()
    bracketed = Initiative.objects.exclude(budget_bracket="").exclude(budget_bracket="nsp").first()
    assert bracketed.budget_min is not None
    assert Initiative.objects.filter(tools__isnull=False).exists()
