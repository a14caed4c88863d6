"""One normalisation for the index, queries, ?hl= marks, the grid and the trend, on the real
archive: traditional/full-width/case, variant folding, line breaks inside a sentence."""

from __future__ import annotations

import re

import pytest

from archive.ingest import commitments, textnorm
from archive.models import Report
from search import normalize as search_normalize
from search.search_indexes import soften_breaks

pytestmark = pytest.mark.django_db


def count(client, q: str, **params) -> int:
    return client.get("/api/search", {"q": q, **params}).json()["count"]


def first_hit_url(client, q: str) -> str:
    return client.get("/api/search", {"q": q}).json()["results"][0]["url"]


@pytest.mark.parametrize(
    "typed, written",
    [("GDP", "gdp"), ("營商環境", "营商环境"), ("６.５％", "6.5%")],
)
def test_hl_marks_what_a_search_for_the_same_words_finds(real_archive, client, typed, written):
    url = first_hit_url(client, written)
    page = client.get(url.split("#")[0], {"hl": typed}).content.decode()
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", page)
    assert marks and all(search_normalize.normalize(m) == written for m in marks), marks[:3]


@pytest.mark.parametrize(
    "variants",
    [
        ["一九五〇年", "一九五○年"],
        ["5-6%", "5—6%", "5–6%", "5−6%"],
        ["10-15%", "10—15%", "10–15%", "10－15%"],
    ],
)
def test_variants_find_the_same_sections(real_archive, client, variants):
    counts = {v: count(client, v) for v in variants}
    assert len(set(counts.values())) == 1, counts
    assert counts[variants[0]] > 0, "the archive writes this"
    grid = {v: client.get("/search/", {"q": v}).context["outcome"].count for v in variants}
    trend = {
        v: sum(
            s
            for s, _ in client.get("/search/trend/", {"q": v})
            .context["trend"]
            .rows[0]
            .years.values()
        )
        for v in variants
    }
    assert grid == counts == trend


def test_a_phrase_across_a_line_break_inside_a_sentence_matches(real_archive, client):
    """Texts transcribed from print break lines mid-sentence; a quoted phrase across such a
    break is found, one across a sentence end or a heading is not."""
    found = 0
    for report in Report.objects.published().select_related("current_version"):
        text = report.current_version.text
        soft = soften_breaks(text, report.current_version.sections.values_list("start", flat=True))
        for m in re.finditer(r"([\u4e00-\u9fff]{4})\n\s*([\u4e00-\u9fff]{4})", text):
            if soft[m.start() : m.end()].count("\n"):
                continue  # a hard boundary (a heading)
            phrase = m.group(1) + m.group(2)
            body = client.get("/api/search", {"q": f'"{phrase}"', "per_page": 100}).json()
            assert any(f"/r/{report.public_id}/" in r["report"] for r in body["results"]), phrase
            found += 1
            break
        if found >= 5:
            break
    assert found >= 5
    pasted = client.get("/api/search", {"q": '"新增\n就业"'}).json()["count"]
    assert pasted == count(client, '"新增就业"') > 0


def test_wave_dashes_of_a_range_are_one():
    # No text of the archive writes a range with a wave dash; the folding is the same table.
    forms = {search_normalize.normalize(v) for v in ("5~6%", "5～6%", "5〜6%", "5∼6%")}
    assert forms == {"5~6%"}


def test_soften_breaks_keeps_sentence_ends_and_headings_and_length():
    text = "一、政府工作回顾\n\n我们坚持改革开放，一方面要加强管理\n\n这二者是统一的。\n\n二、任务\n下一段"
    soft = soften_breaks(text, [0, text.index("二、")])
    assert len(soft) == len(text)
    assert "加强管理  这二者" in soft
    assert "回顾\n\n我们" in soft and "统一的。\n\n二、" in soft and "任务\n下一段" in soft


def test_the_opencc_table_is_read_once_for_ingest_and_search():
    textnorm.ts_characters.cache_clear()
    textnorm._tables.cache_clear()
    commitments._trad_table.cache_clear()
    search_normalize.normalize.cache_clear()
    assert search_normalize.normalize("營商環境") == "营商环境"
    # (the extractor folds only a text clearly written in traditional characters)
    assert commitments.fold_text("優化營商環境，擴大對外開放") == "优化营商环境,扩大对外开放"
    assert textnorm.ts_characters.cache_info().misses == 1


def test_one_module_normalises_for_ingest_and_search():
    """One implementation: the search side's names are archive.ingest.textnorm's, and the
    pipeline's width fold, numbers and metadata read through it (no table of their own)."""
    from archive.ingest import chrome, metadata, numbers, structure
    from archive.ingest import textnorm as tn

    assert search_normalize.normalize is tn.normalize
    assert search_normalize.normalize_with_offsets is tn.normalize_with_offsets
    assert numbers.fold_width is tn.fold_width is commitments.fold_width is structure.fold_width
    assert chrome.fold_width is tn.fold_width and not hasattr(chrome, "nfkc")
    assert metadata.nfkc is tn.nfkc
    typed = "１２．５％\u3000ＧＤＰ\u00a0營商"
    assert len(tn.fold_width(typed)) == len(typed)
    # what the pipeline folds, the search normalisation sees the same way
    assert tn.normalize(tn.fold_width(typed)) == tn.normalize(typed) == "12.5% gdp营商"


@pytest.mark.parametrize(
    "typed, written", [("營商環境", "营商环境"), ("６.５％", "6.5%"), ("ＧＤＰ", "gdp")]
)
def test_index_query_hl_grid_and_trend_normalise_alike(real_archive, client, typed, written):
    """A query typed in another form finds, counts, marks, grids and trends exactly as the
    normalised form; and the index holds each section's text in that same normal form."""
    from search import recall, whoosh_engine

    api = client.get("/api/search", {"q": typed}).json()
    assert api["count"] == count(client, written) > 0
    grid = client.get("/search/", {"q": typed, "view": "grid"}).context["outcome"]
    trend = client.get("/search/trend/", {"q": typed}).context["trend"]
    row = next(r for r in trend.rows if r.place is None)
    assert grid.count == sum(s for s, _ in row.years.values()) == api["count"]
    url = api["results"][0]["url"]
    page = client.get(url.split("#")[0], {"hl": typed}).content.decode()
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", page)
    assert marks and all(search_normalize.normalize(m) == written for m in marks)
    # the index side: the recall index keeps the hit's section as its normalised stored text
    searcher = whoosh_engine.get_searcher()
    docnum = next(iter(whoosh_engine.term_docs(written, searcher)))
    fields = searcher.stored_fields(docnum)
    folder = whoosh_engine.holder.target
    [(_, norm)] = recall.reader(folder).section_texts([int(fields["section"])])
    assert norm.decode() == search_normalize.normalize(fields["body"])
