"""The five seed documents: metadata, chrome away, report text kept, sections found."""

from __future__ import annotations

import pytest

from archive.ingest.pipeline import parse_file

from .helpers import SEEDS_DIR, SEEDS_GOLD, load_gold, norm

GOLD = load_gold(SEEDS_GOLD) if SEEDS_GOLD.exists() else []


def _parse(doc):
    path = SEEDS_DIR / doc["file"]
    return parse_file(path.read_bytes(), path.name)


@pytest.fixture(scope="module")
def parsed():
    return {doc["id"]: _parse(doc) for doc in GOLD}


@pytest.mark.parametrize("doc", GOLD, ids=[d["id"] for d in GOLD])
def test_metadata(doc, parsed):
    r = parsed[doc["id"]]
    exp = doc["expect"]
    if "place" in exp and exp["place"] is None:
        assert r.place is None
    else:
        assert r.place is not None
        assert norm(r.place.name).endswith(norm(exp["place_endswith"]))
        assert norm(exp["place_contains"]) in norm(r.place.name)
        assert r.place.level == exp["level"]
    assert r.year == exp["year"]
    assert r.doc_type == exp["doc_type"]


@pytest.mark.parametrize("doc", GOLD, ids=[d["id"] for d in GOLD])
def test_chrome_gone_text_kept(doc, parsed):
    text = norm(parsed[doc["id"]].text)
    for phrase in doc["absent"]:
        assert norm(phrase) not in text, phrase
    for phrase in doc["present"]:
        assert norm(phrase) in text, phrase


@pytest.mark.parametrize("doc", GOLD, ids=[d["id"] for d in GOLD])
def test_sections_found(doc, parsed):
    titles = [norm(s.title) for s in parsed[doc["id"]].sections]
    for want in doc["sections_include"]:
        assert any(norm(want) in t for t in titles), want


def test_seed_000_targets_grouped_by_area(parsed):
    r = parsed["seed000"]
    top = [s for s in r.sections if s.level == 1]
    assert len(top) == 5  # five areas announced in running text
    assert sum(1 for s in r.sections if s.level == 2) == 20  # the 20 targets (一是…)
    assert r.place.code == "120101"


def test_seed_001_dates_meeting(parsed):
    r = parsed["seed001"]
    assert r.delivered == "2016-01-11"
    assert r.meeting == "河西区第十六届人民代表大会第七次会议"
    assert r.published == "2023-08-10"  # the copying site's date is the copy's, not the report's
    assert any("2016111" in w for w in r.warnings)  # the corrupted date is reported
    kinds = {s.title: s.kind for s in r.sections}
    assert kinds["2015年主要工作回顾"] == "review"
    assert kinds["2016年主要工作任务"] == "plan"


def test_seed_002_glossary_apart(parsed):
    r = parsed["seed002"]
    glossary = [s for s in r.sections if s.kind == "glossary"]
    assert len(glossary) == 1 and glossary[0].title.startswith("附注")
    assert "五区三带" in r.text[glossary[0].start : glossary[0].end]
    # the 26 numbered definitions are not sections of the body
    assert all(s.start < glossary[0].start for s in r.sections if s is not glossary[0])
    assert r.source.publisher == "区财政局" and r.published == "2021-07-16"


def test_seed_003_unknown_place_and_year(parsed):
    r = parsed["seed003"]
    assert r.place is None and r.year is None
    assert any("unknown" in w for w in r.warnings)


def test_seed_004_news(parsed):
    r = parsed["seed004"]
    assert r.meeting.endswith("南开区第十七届人民代表大会第四次会议")
    assert r.source.publisher == "人民网"
    assert "张宏彬" not in r.text  # the reporters' byline is gone
    assert r.text.rstrip().endswith("以实实在在的工作成效取信于民。")
