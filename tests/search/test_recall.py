"""No missed matches: the engine against a brute-force substring scan over the seeds.

A smaller run of bench/bench_search.py's check: queries sampled from the indexed texts in
every class (random substrings of 1-8 characters, dictionary words, numbers with units,
phrases across jieba word boundaries, traditional and full-width variants, quoted phrases).
"""

from __future__ import annotations

import pytest

from archive.models import Report, Section
from search import whoosh_engine
from search.evaluation import evaluate, format_scores, sample_queries
from search.query import parse_query
from search.search_indexes import attach_units

pytestmark = pytest.mark.django_db


def unit_texts() -> dict[str, str]:
    texts = {}
    for report in Report.objects.published().select_related("current_version"):
        sections = list(Section.objects.filter(version=report.current_version))
        attach_units(report.current_version, sections)
        texts.update({str(s.pk): s.search_unit_text for s in sections})
    return texts


def test_recall_and_precision_against_brute_force(seeded):
    texts = unit_texts()
    searcher = whoosh_engine.get_searcher()
    ids = whoosh_engine.docnum_to_section_ids(searcher)
    assert set(ids.values()) == set(texts)

    def engine_ids(q: str) -> set[str]:
        return {ids[d] for d in whoosh_engine.matching_docnums(parse_query(q), searcher)}

    samples = sample_queries(texts, n_per_class=40, seed=11)
    scores = evaluate(texts, samples, engine_ids)
    print("\n" + format_scores(scores))
    for cls, sc in scores.items():
        assert sc.recall == 1.0, (cls, sc.misses)
        assert sc.highlight_exactness == 1.0, cls
        if cls in ("quoted", "substring", "number", "cross_boundary"):
            assert sc.precision == 1.0, cls
