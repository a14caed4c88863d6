"""Every file of the shared corpus parses; resolutions are `other`; the corpus gold holds."""

from __future__ import annotations

import csv

import pytest

from archive.ingest.pipeline import parse_file

from .helpers import CORPUS_DIR, CORPUS_GOLD, load_gold, norm


def test_the_shared_corpus_is_beside_the_project():
    assert CORPUS_DIR.is_dir(), f"the shared corpus belongs beside the project: {CORPUS_DIR}"


def _manifest():
    if not (CORPUS_DIR / "MANIFEST.tsv").exists():
        return []
    with open(CORPUS_DIR / "MANIFEST.tsv", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


ROWS = _manifest()


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_every_corpus_file_parses(row):
    path = CORPUS_DIR / row["file"]
    r = parse_file(path.read_bytes(), path.name)
    assert r.text.strip() and r.title
    for s in r.sections:
        assert 0 <= s.start < s.end <= len(r.text)
    if row["file"].startswith("not-reports/"):
        assert r.doc_type == "other"
    else:
        assert r.doc_type != "other"
        # a place is either the right one or honestly unknown, never a wrong guess
        assert r.place is None or r.place.name == row["place"]
        assert r.year is None or abs(r.year - int(row["year"])) <= 1


GOLD = load_gold(CORPUS_GOLD) if CORPUS_GOLD.exists() else []


@pytest.mark.parametrize("doc", GOLD, ids=[d["id"] for d in GOLD])
def test_corpus_gold(doc):
    path = CORPUS_DIR / doc["file"]
    r = parse_file(path.read_bytes(), path.name)
    exp = doc["expect"]
    assert r.place is not None and norm(r.place.name).endswith(norm(exp["place_endswith"]))
    assert norm(exp["place_contains"]) in norm(r.place.name) and r.place.level == exp["level"]
    assert r.year == exp["year"] and r.doc_type == exp["doc_type"]
    text = norm(r.text)
    assert not [p for p in doc["absent"] if norm(p) in text]
    assert not [p for p in doc["present"] if norm(p) not in text]
    titles = [norm(s.title) for s in r.sections]
    assert not [w for w in doc["sections_include"] if not any(norm(w) in t for t in titles)]


def test_gold_covers_the_required_documents():
    files = [d["file"] for d in GOLD]
    assert sum(f.startswith("district/") for f in files) >= 5
    assert sum(f.startswith("province-2025/") and f.endswith(".docx") for f in files) >= 10
    assert sum(f.startswith("national/") for f in files) >= 10
