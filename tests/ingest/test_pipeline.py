"""The contract object, offsets, version, speed."""

from __future__ import annotations

import json
import re
import time

from archive.ingest import pipeline
from archive.ingest.pipeline import PIPELINE_VERSION, parse_file

from .helpers import SEEDS_DIR, body, report

KEYS = {
    "title",
    "place",
    "year",
    "doc_type",
    "published",
    "delivered",
    "meeting",
    "text",
    "sections",
    "commitments",
    "warnings",
}


def test_version():
    assert re.fullmatch(r"\d{4}\.\d+\.\d+", PIPELINE_VERSION)


def test_contract_shape_for_every_seed():
    for path in sorted(SEEDS_DIR.glob("*.txt")):
        r = parse_file(path.read_bytes(), path.name)
        c = r.to_contract()
        assert set(c) == KEYS
        json.dumps(c, ensure_ascii=False)
        for s in c["sections"]:
            assert set(s) == {"anchor", "level", "number", "title", "kind", "start", "end"}
            assert s["kind"] in {"review", "plan", "targets", "problems", "glossary", "other"}
        for p in r.paragraphs:
            assert 0 <= p.start < p.end <= len(r.text) and r.text[p.start : p.end].strip()
        for cm in c["commitments"]:
            assert r.text[cm["start"] : cm["end"]] == cm["text"]


def test_no_django_imported():
    import sys

    # the pipeline modules never import Django themselves
    for name, module in list(sys.modules.items()):
        if name.startswith("archive.ingest"):
            src = getattr(module, "__file__", "") or ""
            if src.endswith(".py"):
                assert "import django" not in open(src, encoding="utf-8").read()
                assert "from django" not in open(src, encoding="utf-8").read()
    assert pipeline.parse_file is parse_file


def test_30000_char_report_well_under_a_second():
    extra = "".join(f"（{n}）重点工作\n{body(9)}\n" for n in "一二三四五六七八九十" * 7)
    text = report(extra=extra)
    assert len(text) >= 30000
    parse_file(text.encode("utf-8"), "warm.txt")
    t = time.perf_counter()
    parse_file(text.encode("utf-8"), "big.txt")
    assert time.perf_counter() - t < 0.5
