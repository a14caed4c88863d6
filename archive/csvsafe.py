"""Cells a spreadsheet would run as a formula, neutralised before they are written.

Every CSV the archive serves (commitments, keyword-in-context hits, the permalink registry,
trend tables) may be opened in Excel, LibreOffice or Google Sheets, which run a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula. Report text
and editors' corrections are untrusted, so such a cell is prefixed with a single quote, as
OWASP's "CSV Injection" rule says. Numbers stay numbers: researchers load the same files into
Stata, R and pandas, where ``-3.3`` must remain a negative value, not the string ``'-3.3``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A cell that is only a number (what Python itself writes for an int or float) is left alone.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """Return ``value`` so that no spreadsheet runs it as a formula; non-strings unchanged."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(row: Iterable[Any]) -> list[Any]:
    """One CSV row with every cell made safe (for ``csv.writer``)."""
    return [spreadsheet_safe(cell) for cell in row]


def safe_dict(row: dict[str, Any]) -> dict[str, Any]:
    """One CSV row as a dict with every value made safe (for ``csv.DictWriter``)."""
    return {key: spreadsheet_safe(cell) for key, cell in row.items()}
