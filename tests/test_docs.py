"""Docs that cannot go stale: every command of ours and every setting is in the README."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
SETTINGS = (ROOT / "observatoire" / "settings.py").read_text()
# Settings of our own apps, defined in settings.py with these prefixes.
APP_SETTING_PREFIXES = ("TERRITORIES_", "DIRECTORY_", "BAROMETER_", "EDITORIAL_", "OBSERVATOIRE_")


def our_commands():
    return sorted(
        path.stem
        for path in ROOT.glob("observatoire/*/management/commands/*.py")
        if not path.stem.startswith("_")
    )


def environment_variables():
    """Variables read by settings.py and by any module of ours (the server command...)."""
    pattern = r"""(?:os\.environ\.get|envbool|envint|envlist)\(\s*["']([A-Z_]+)["']"""
    found = set()
    for path in ROOT.glob("observatoire/**/*.py"):
        if "tests" not in path.parts:
            found.update(re.findall(pattern, path.read_text()))
    return sorted(found)


def app_settings():
    names = re.findall(r"^([A-Z][A-Z0-9_]+)\s*=", SETTINGS, flags=re.MULTILINE)
    return sorted({name for name in names if name.startswith(APP_SETTING_PREFIXES)})


def test_commands_are_found():
    assert {"demo", "serve"} <= set(our_commands())


def test_every_command_of_ours_is_in_the_readme():
    missing = [name for name in our_commands() if f"observatoire {name}" not in README]
    assert not missing, f"README.md does not document: {missing}"


def test_every_environment_variable_is_in_the_configuration_table():
    found = environment_variables()
    assert "DATABASE_URL" in found and "SECRET_KEY" in found
    missing = [name for name in found if f"| `{name}`" not in README]
    assert not missing, f"README.md's configuration table lacks: {missing}"


def test_every_app_setting_is_in_the_readme():
    missing = [name for name in app_settings() if f"`{name}`" not in README]
    assert not missing, f"README.md does not document the settings: {missing}"


def test_every_make_target_the_readme_names_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE))
    named = set(re.findall(r"`make ([a-z-]+)`", README))
    assert {"demo", "test"} <= named
    assert named <= targets, f"README names unknown make targets: {named - targets}"
