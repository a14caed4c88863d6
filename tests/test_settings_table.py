"""docs/settings.md has every setting: each environment variable the code reads, and each of
the archive's own settings (ARCHIVE_*, SEARCH_*) the code reads, with nothing extra."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
CODE = [
    p
    for d in ("archive", "search", "feeds", "config")
    for p in (ROOT / d).rglob("*.py")
    if "migrations" not in p.parts
]

ENV_READ = re.compile(
    r"""(?:env_(?:str|bool|int|float|list|rate)|os\.environ\.get|_int)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)
SETTING_READ = re.compile(
    r"""settings\.([A-Z][A-Z0-9_]+)|getattr\(settings,\s*["']([A-Z][A-Z0-9_]+)["']"""
)
VARIABLES = TABLE.split("## Settings with no variable")[0]
FIRST_COLUMN = re.compile(r"^\| `([A-Z][A-Z0-9_]+)` \|", re.M)


def variables_read() -> set[str]:
    names = set()
    for path in CODE:
        names |= set(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names - {"DJANGO_SETTINGS_MODULE"}


def own_settings_read() -> set[str]:
    names = set()
    for path in CODE:
        for a, b in SETTING_READ.findall(path.read_text(encoding="utf-8")):
            names.add(a or b)
    return {n for n in names if n.startswith(("ARCHIVE_", "SEARCH_"))}


def test_every_variable_the_code_reads_is_in_the_table():
    assert variables_read() - set(FIRST_COLUMN.findall(VARIABLES)) == set()


def test_the_table_names_no_variable_the_code_does_not_read():
    assert set(FIRST_COLUMN.findall(VARIABLES)) - variables_read() == set()


def test_every_own_setting_is_defined_in_settings_py_and_in_the_table():
    from django.conf import settings

    read = own_settings_read()
    assert {"SEARCH_APPLY_TIMEOUT", "SEARCH_APPLY_ON_COMMIT", "SEARCH_USER_DICTS"} <= read
    assert [n for n in sorted(read) if not hasattr(settings, n)] == []
    assert [n for n in sorted(read) if f"`{n}`" not in TABLE] == []
