"""Bidi controls and zero-width characters in an uploaded report are shown as visible marks
in its pages, its title and the search snippets: they never reach a page raw, where they
could reorder the text around them. The original file and the stored text keep them."""

from __future__ import annotations

import re

import pytest

from archive.services import correct_metadata, store_file
from config.visible_controls import CONTROL, show_controls_in_html
from search.indexing import apply_pending
from tests.conftest import SEEDS_DIR

pytestmark = pytest.mark.django_db

BASE = (SEEDS_DIR / "001_46ac5d44bafe418d.txt").read_text(encoding="utf-8")
# a right-to-left override that would show "发展成果" reversed and everything after it too,
# an isolate, a zero-width space splitting a word, a word joiner and a stray BOM
TRICK = "控件校验\u202e发展成果\u202c，隔离\u2067文本\u2069，零宽\u200b空格\u2060与\ufeff标记。"


@pytest.fixture
def tricky(seed_bytes):
    data = BASE.replace("一年来", TRICK + "一年来", 1).encode("utf-8")
    outcome = store_file(data, "tricky.txt", publish=True)
    # the title too, as an editor's correction could write it
    correct_metadata(outcome.report, title="\u202e河西区政府工作报告")
    apply_pending()
    outcome.report.refresh_from_db()
    return outcome.report, data


def _no_raw_controls(html: str) -> None:
    """No raw control outside form fields (which keep them for the editor)."""
    outside_fields = re.sub(r'<textarea\b.*?</textarea>|\bvalue="[^"]*"', "", html, flags=re.S)
    raw = CONTROL.findall(outside_fields)
    assert not raw, [f"U+{ord(c):04X}" for c in raw]


def test_report_review_and_search_pages_show_the_controls_visibly(client, staff_client, tricky):
    report, data = tricky
    version = report.current_version
    assert "\u202e" in version.text and "\u200b" in version.text  # stored as read
    assert "\u202e" in report.title

    page = client.get(version.get_absolute_url()).content.decode()
    _no_raw_controls(page)
    assert "控件校验[U+202E]发展成果[U+202C]" in page
    assert "零宽[U+200B]空格[U+2060]与[U+FEFF]标记" in page
    assert re.search(r"<title>[^<]*\[U\+202E\]", page)  # the title, in <title> and <h1>

    review = staff_client.get(f"/r/{report.public_id}/review/").content.decode()
    _no_raw_controls(review)
    assert "[U+202E]发展成果" in review

    found = client.get("/search/", {"q": "控件校验"}).content.decode()
    assert "控件校验" in found
    _no_raw_controls(found)
    assert "[U+202E]" in found  # the snippet and the hit's title

    # the original is served byte for byte
    original = client.get(version.source.get_absolute_url())
    body = b"".join(original.streaming_content) if original.streaming else original.content
    assert body == data


def test_form_fields_keep_the_characters_for_the_editor():
    html = (
        '<p>a\u202eb</p><input name="title" value="t\u202ex">'
        '<textarea name="note">n\u200bm</textarea>'
    )
    assert show_controls_in_html(html) == (
        '<p>a[U+202E]b</p><input name="title" value="t\u202ex">'
        '<textarea name="note">n\u200bm</textarea>'
    )
