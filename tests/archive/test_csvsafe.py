"""Spreadsheet formula neutralisation of CSV cells (OWASP's CSV injection rule)."""

import pytest

from archive.csvsafe import safe_dict, safe_row, spreadsheet_safe


@pytest.mark.parametrize(
    "cell",
    ['=HYPERLINK("http://x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1"],
)
def test_formula_cells_get_a_leading_quote(cell):
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["-3.3", "+5", "-0.5", "-1e3", "地区生产总值", "", "6.5%"])
def test_plain_text_and_numbers_are_unchanged(cell):
    assert spreadsheet_safe(cell) == cell


def test_non_strings_are_unchanged():
    assert spreadsheet_safe(-3.3) == -3.3
    assert spreadsheet_safe(None) is None
    assert safe_row(["=1", 2, "a"]) == ["'=1", 2, "a"]
    assert safe_dict({"a": "@x", "b": -1}) == {"a": "'@x", "b": -1}
