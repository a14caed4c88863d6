"""The OpenSearch path against a real OpenSearch node (scripts/with-opensearch starts it).

These tests run in `make test-opensearch` (`scripts/with-opensearch pytest -m opensearch`),
where ARCHIVE_SEARCH_URL names the live node; the other runs leave them out (conftest.py).

The archive is the real one: the seeds and the corpus, published through the ingest pipeline.
Both engines index it, and the same questions are put to both through the public API: the
counts, the facets and the set of hits through every page must be identical, because every
token is made in Python by the same code for both. Ranking may differ (BM25 in Lucene with its
own statistics against Whoosh's), so the order within a page is not compared.
"""

from __future__ import annotations

import os
import random
import re
import socket
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from haystack import connections

from tests.conftest import SEEDS_DIR, restore_index_settings, use_index_dir

pytestmark = [pytest.mark.opensearch, pytest.mark.django_db]

ENGINE = "search.opensearch_backend.JiebaElasticsearchEngine"
ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIRS = [ROOT / "fixtures" / "corpus", ROOT.parent / "shared" / "corpus"]
QUERY_SEED = 20261201


def live_url() -> str:
    url = os.environ.get("ARCHIVE_SEARCH_URL", "")
    assert url, "run these tests with scripts/with-opensearch (ARCHIVE_SEARCH_URL is not set)"
    return url


def corpus_files() -> list[Path]:
    folder = next((d for d in CORPUS_DIRS if d.is_dir()), None)
    assert folder is not None, f"the corpus is missing: looked in {CORPUS_DIRS}"
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    assert len(files) >= 100, (
        f"{folder} holds {len(files)} documents, expected the 100 of the corpus"
    )
    return files


def opensearch_connections(index_name: str) -> dict:
    return {
        "default": {
            **settings.HAYSTACK_CONNECTIONS["default"],
            "ENGINE": ENGINE,
            "URL": live_url(),
            "INDEX_NAME": index_name,
            "TIMEOUT": 30,
        }
    }


class use_engine:
    """Switch haystack (and so search.engines.active()) to other connection settings."""

    def __init__(self, conf: dict, cache_seconds: int = 0):
        self.override = override_settings(
            HAYSTACK_CONNECTIONS=conf, ARCHIVE_SEARCH_CACHE_SECONDS=cache_seconds
        )

    def __enter__(self):
        self.override.enable()
        connections.connections_info = settings.HAYSTACK_CONNECTIONS
        connections.reload("default")

    def __exit__(self, *exc):
        self.override.disable()
        connections.connections_info = settings.HAYSTACK_CONNECTIONS
        connections.reload("default")


@pytest.fixture(scope="module")
def real_archive(django_db_setup, django_db_blocker):
    """Seeds and corpus published, indexed by Whoosh and by the live OpenSearch node."""
    from archive.services import store_file
    from search.indexing import apply_pending, rebuild

    old = settings.HAYSTACK_CONNECTIONS, settings.WHOOSH_INDEX_DIR
    folder = Path(tempfile.mkdtemp(prefix="opensearch-tests-"))
    use_index_dir(folder / "whoosh_index")
    index_name = f"archive_live_{os.getpid()}"
    with django_db_blocker.unblock():
        for path in sorted(SEEDS_DIR.glob("*.txt")) + corpus_files():
            store_file(path.read_bytes(), path.name, publish=True)
        apply_pending()
        with use_engine(opensearch_connections(index_name)):
            rebuild()
            connections["default"].get_backend().conn.indices.refresh(index=index_name)
        try:
            yield {"whoosh_dir": folder / "whoosh_index", "index_name": index_name}
        finally:
            with use_engine(opensearch_connections(index_name)):
                conn = connections["default"].get_backend().conn
                conn.indices.delete(index=f"{index_name}-*", ignore=[404])
            call_command("flush", interactive=False, verbosity=0)
            restore_index_settings(old)


def test_the_client_talks_to_the_server_it_is_given(real_archive):
    """The pinned client predates Elasticsearch's product check, which refuses OpenSearch."""
    with use_engine(opensearch_connections(real_archive["index_name"])):
        backend = connections["default"].get_backend()
        info = backend.conn.info()
        assert info["version"]["distribution"] == "opensearch"
        assert info["version"]["number"].startswith("2.")
        backend.setup()  # what raised UnsupportedProductError with the 7.17 client


def sample_queries() -> list[str]:
    """Queries of every class, drawn with a fixed seed from the archive's own text."""
    from archive.models import ReportVersion

    rng = random.Random(QUERY_SEED)
    texts = list(ReportVersion.objects.order_by("pk").values_list("text", flat=True))
    han = re.compile(r"[\u4e00-\u9fff]{2,8}")
    phrases = sorted({m for t in rng.sample(texts, min(60, len(texts))) for m in han.findall(t)})
    words = rng.sample(phrases, 40)
    chars = rng.sample(sorted({c for w in phrases for c in w}), 10)
    queries = list(words) + chars
    queries += [f'"{rng.choice(phrases)}"' for _ in range(10)]
    queries += [
        f"{a} OR {b}" for a, b in zip(rng.sample(words, 8), rng.sample(words, 8), strict=True)
    ]
    queries += [
        f"{a} -{b}" for a, b in zip(rng.sample(words, 8), rng.sample(words, 8), strict=True)
    ]
    queries += ["营商环境", "地区生产总值", "棚户区改造", "GDP", "6.5%", "改革 开放", "改革 -开放"]
    return queries


FILTERS = [
    {},
    {"year_from": "2010", "year_to": "2020"},
    {"year_from": "1990"},
    {"place": "天津市"},
    {"place": "内蒙古自治区"},
]


def answers(client: Client, q: str, filters: dict) -> dict:
    """count, facets and every hit's url through all pages of /api/search."""
    first = client.get("/api/search", {"q": q, **filters})
    assert first.status_code == 200, (q, filters, first.content[:300])
    body = first.json()
    results = list(body["results"])
    page = 1
    while len(results) < body["count"] and page < 60:
        page += 1
        more = client.get("/api/search", {"q": q, "page": page, **filters}).json()
        if not more.get("results"):
            break
        results += more["results"]
    return {
        "count": body["count"],
        "facets": body["facets"],
        "hits": sorted(r["url"] for r in results),
        # the snippet (marks cut from the stored text) and the match offsets of every hit
        "marks": sorted((r["url"], r["snippet"], str(r.get("matches"))) for r in results),
        "grid": grid_cells(q, filters),
    }


def grid_cells(q: str, filters: dict) -> dict:
    """The place x year grid of the configured engine: each cell's count and best hit's place."""
    from search.engines import get_engine
    from search.forms import SearchForm

    form = SearchForm({"q": q, **filters})
    assert form.is_valid(), form.errors
    outcome = get_engine().run(form.parsed, page=1, grid=True)
    return {f"{place}|{year}": cell.count for (place, year), cell in outcome.grid.items()}


def test_both_engines_give_the_same_answers_on_the_real_archive(real_archive):
    # Every database test starts on an empty index of its own (tests/conftest.py): this one
    # reads the archive's.
    use_index_dir(real_archive["whoosh_dir"])
    queries = sample_queries()
    cases = [(q, FILTERS[i % len(FILTERS)]) for i, q in enumerate(queries)]
    client = Client()
    whoosh = {(q, tuple(f.items())): answers(client, q, f) for q, f in cases}
    with use_engine(opensearch_connections(real_archive["index_name"])):
        opensearch = {(q, tuple(f.items())): answers(client, q, f) for q, f in cases}
    differ = [key for key in whoosh if whoosh[key] != opensearch[key]]
    found = sum(1 for a in whoosh.values() if a["count"])
    assert found >= len(cases) // 2, "most sampled queries should find something"
    assert not differ, [
        (key, [part for part in whoosh[key] if whoosh[key][part] != opensearch[key][part]])
        for key in differ[:10]
    ]


def test_trend_counts_are_the_same(real_archive):
    use_index_dir(real_archive["whoosh_dir"])
    client = Client()
    params = {"q": "改革 OR 开放", "format": "csv"}
    whoosh = client.get("/search/trend/", params)
    assert whoosh.status_code == 200
    with use_engine(opensearch_connections(real_archive["index_name"])):
        opensearch = client.get("/search/trend/", params)
    assert opensearch.status_code == 200
    assert whoosh.content == opensearch.content
    assert len(whoosh.content.decode().splitlines()) > 2


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_cached_answer_is_not_served_while_the_server_is_down(real_archive):
    """The results cache is keyed by what the server says; a server that cannot say gives a
    503 page, never yesterday's answer dressed as today's."""
    from django.core.cache import cache

    cache.clear()
    conf = opensearch_connections(real_archive["index_name"])
    client = Client()
    with use_engine(conf, cache_seconds=600):
        fresh = client.get("/api/search", {"q": "营商环境"})
        assert fresh.status_code == 200 and fresh.json()["count"] > 0
        assert client.get("/api/search", {"q": "营商环境"}).json() == fresh.json()
    down = {"default": {**conf["default"], "URL": f"http://127.0.0.1:{closed_port()}"}}
    with use_engine(down, cache_seconds=600):
        for path in ("/api/search", "/search/"):
            answer = client.get(path, {"q": "营商环境"})
            assert answer.status_code == 503, (path, answer.status_code)
        assert client.get("/healthz").status_code == 503


def test_year_order_and_every_hit_as_csv_are_the_same(real_archive):
    """Sorting by year (no script sort: a minimal node has no painless) and the keyword-in-
    context export (every hit, streamed) give the same on both engines."""
    use_index_dir(real_archive["whoosh_dir"])
    client = Client()
    queries = ["改革", "营商环境", "粮食 年份:1954-1990"]

    def years_in_order(q: str, sort: str) -> list:
        out, page = [], 1
        while True:
            body = client.get("/api/search", {"q": q, "sort": sort, "page": page}).json()
            out += [r["year"] for r in body["results"]]
            if not body["results"] or len(out) >= body["count"] or page >= 15:
                return out
            page += 1

    def csv_rows(q: str) -> list[str]:
        response = client.get("/search/hits.csv", {"q": q})
        assert response.status_code == 200
        return sorted(b"".join(response.streaming_content).decode("utf-8-sig").splitlines())

    whoosh = {(q, s): years_in_order(q, s) for q in queries for s in ("year", "year_asc")}
    whoosh_csv = {q: csv_rows(q) for q in queries}
    with use_engine(opensearch_connections(real_archive["index_name"])):
        opensearch = {(q, s): years_in_order(q, s) for q in queries for s in ("year", "year_asc")}
        opensearch_csv = {q: csv_rows(q) for q in queries}
    assert whoosh == opensearch
    assert all(len(rows) > 1 for rows in whoosh_csv.values())
    assert whoosh_csv == opensearch_csv
