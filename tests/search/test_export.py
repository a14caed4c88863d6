"""Every hit as keyword-in-context CSV, streamed, on the real archive."""

from __future__ import annotations

import csv
import io
import re

import pytest

from archive.models import Report
from search.export import COLUMNS
from search.normalize import normalize

pytestmark = pytest.mark.django_db


def download(client, **params) -> tuple[object, list[dict]]:
    r = client.get("/search/hits.csv", params)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.streaming
    text = b"".join(r.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    return r, rows


@pytest.mark.parametrize("q", ["营商环境", "改革 -开放", "营商环境 OR 放管服", "6.5%"])
def test_every_hit_is_a_row_with_its_sentence_and_permalink(real_archive, client, q):
    api = client.get("/api/search", {"q": q, "per_page": 100}).json()
    _, rows = download(client, q=q)
    assert rows and list(rows[0]) == COLUMNS
    sections = {(r["permalink"].split("/p")[0], r["section"]) for r in rows}
    # every section hit gives at least one row; every row is one mark
    assert len(rows) >= api["count"]
    terms = [
        normalize(t)
        for t in re.findall(r"[^\s()]+", q)
        if t not in ("OR",) and not t.startswith("-")
    ]
    texts = {}
    for row in rows:
        assert normalize(row["match"]) in terms
        assert row["match"] in row["sentence"]
        pid, number = re.search(r"/r/(\w+)/v(\d+)/", row["permalink"]).groups()
        if pid not in texts:
            texts[pid] = Report.objects.get(public_id=pid).current_version.text
        assert texts[pid][int(row["start"]) : int(row["end"])] == row["match"]
    assert sections


def test_rows_come_in_the_list_order(real_archive, client):
    api = client.get("/api/search", {"q": "民生", "per_page": 100}).json()
    _, rows = download(client, q="民生")
    seen = []
    for row in rows:
        pid = re.search(r"/r/(\w+)/", row["permalink"])[1]
        key = (pid, row["section"])
        if not seen or seen[-1] != key:
            seen.append(key)
    first = [(re.search(r"/r/(\w+)/", r["report"])[1], r["section"]) for r in api["results"]]
    assert seen[: len(first)] == first


def test_cells_are_spreadsheet_safe(real_archive, client):
    # The hailaer reports open with "----2012年2月29日…": a cell a spreadsheet would run.
    _, rows = download(client, q="—")
    cells = [v for row in rows for v in row.values()]
    assert any(v.startswith("'-") for v in cells)
    assert not [
        v for v in cells if v.startswith(("=", "+", "-", "@")) and not re.fullmatch(r"-?\d+", v)
    ]


def test_filters_only_give_one_row_per_section(real_archive, client):
    api = client.get("/api/search", {"year_to": 1960}).json()
    _, rows = download(client, year_to=1960)
    assert len(rows) == api["count"] > 0
    assert all(r["year"] and int(r["year"]) <= 1960 for r in rows)


def test_bad_input_is_a_400_with_a_message(real_archive, client):
    r = client.get("/search/hits.csv", {"q": "(营商环境"})
    assert r.status_code == 400 and "括号" in r.content.decode()
    assert client.get("/search/hits.csv").status_code == 400


def _sentence_scanning_from_the_start(text: str, start: int, end: int) -> str:
    """sentence_around as it was first written (each match scanned the text from its start)."""
    from search.export import _SENTENCE_END, MAX_SENTENCE

    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    m = _SENTENCE_END.search(text, end)
    right = m.end() if m else len(text)
    if right - left > MAX_SENTENCE:
        half = (MAX_SENTENCE - (end - start)) // 2
        left, right = max(left, start - half), min(right, end + half)
    return text[left:right].strip()


@pytest.mark.django_db(False)
def test_the_sentence_around_a_match_is_found_looking_back_alike():
    import random

    from search.export import sentence_around

    rng = random.Random(11)
    alphabet = "发展改革。！？；!?;\n 中a"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 900)))
        start = rng.randint(0, len(text))
        end = rng.randint(start, len(text))
        expected = _sentence_scanning_from_the_start(text, start, end)
        assert sentence_around(text, start, end) == expected, (text, start, end)


def test_permalinks_are_the_paragraphs_own_links(real_archive, client):
    from django.urls import reverse

    from search.links import paragraph_url

    _, rows = download(client, q="营商环境")
    paragraphs = [
        m for row in rows if (m := re.search(r"/r/(\w+)/v(\d+)/p(\d+)/$", row["permalink"]))
    ]
    assert len(paragraphs) > len(rows) / 2
    for m in paragraphs:
        pid, number, paragraph = m.groups()
        path = reverse("archive:paragraph", args=[pid, int(number), int(paragraph)])
        assert m.string == "http://testserver" + path
    for paragraph in (1, 9, 10, 987654321, 12345678901):
        assert paragraph_url("abcd1234", 3, paragraph) == reverse(
            "archive:paragraph", args=["abcd1234", 3, paragraph]
        )
