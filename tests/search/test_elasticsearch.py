"""The Elasticsearch path (search.opensearch_backend, search.opensearch_engine), against a recorder.

No Elasticsearch server can run here, so a small HTTP server on 127.0.0.1 plays one: it
records every request (method, path, query, body) and answers as Elasticsearch 7 does, with
enough state (indices and aliases) for set-up, bulk loads and alias swaps, and with canned
search responses set by each test. What is checked is what the project sends (the mapping,
the bulk documents with their Python-made tokens, deletions, the alias swap, the query) and
what it makes of the answers (counts, facets, the grid, snippets with marks).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import override_settings
from haystack import connections

from archive.models import Section
from search import engines, opensearch_backend, opensearch_engine
from search.analysis import jieba_words
from search.engines import get_engine
from search.highlight import make_snippet
from search.normalize import normalize
from search.opensearch_client import (
    elasticsearch,  # noqa: F401 - a missing client fails here, no skip
)
from search.query import parse_query, place_filter_keys
from search.recall import char_tokens
from search.search_indexes import SectionIndex, attach_units

pytestmark = pytest.mark.django_db

INDEX = "reports_test"
ENGINE = "search.opensearch_backend.JiebaElasticsearchEngine"
INFO = {
    "name": "recorder",
    "cluster_name": "test",
    "version": {"number": "7.17.0", "build_flavor": "default"},
    "tagline": "You Know, for Search",
}


# --- the recorder ------------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    query: dict
    body: bytes

    def json(self):
        return json.loads(self.body)

    def ndjson(self) -> list:
        return [json.loads(line) for line in self.body.decode().splitlines() if line.strip()]


class Recorder:
    """An Elasticsearch 7 stand-in: records requests, keeps indices and aliases."""

    def __init__(self):
        self.requests: list[Request] = []
        self.indices: set[str] = set()
        self.aliases: dict[str, set[str]] = {}  # alias -> indices
        self.search = lambda req: empty_search()  # canned answers, set by tests
        self.mget_docs: dict[str, dict] = {}
        self.scroll_pages: list[list[dict]] = []
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                req = Request(
                    self.command,
                    parts.path,
                    {k: v[-1] for k, v in parse_qs(parts.query).items()},
                    body,
                )
                with recorder._lock:
                    recorder.requests.append(req)
                    status, answer = recorder.answer(req)
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_one

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # requests seen
    def sent(self, method: str, pattern: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    def calls(self) -> list[tuple[str, str]]:
        return [(r.method, r.path) for r in self.requests if r.path != "/"]

    def reset(self):
        self.requests.clear()

    # answers
    def resolve(self, name: str) -> set[str]:
        return set(self.aliases.get(name, set())) or ({name} if name in self.indices else set())

    def answer(self, req: Request):
        """(status, JSON) as Elasticsearch 7 answers `req`: the first route that matches."""
        for matches, answer in self.ROUTES:
            if matches(req.method, req.path):
                return answer(self, req)
        return no_answer(req)

    # One method per kind of request, routed by ROUTES below.

    def answer_info(self, req: Request):
        return 200, INFO

    def answer_bulk(self, req: Request):
        items = []
        for action in req.ndjson()[::2]:  # action lines; the documents between are not read
            op, meta = next(iter(action.items()))
            items.append({op: {"_index": meta.get("_index"), "_id": meta["_id"], "status": 201}})
        return 200, {"took": 1, "errors": False, "items": items}

    def answer_refresh(self, req: Request):
        return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}

    def answer_delete_by_query(self, req: Request):
        return 200, {"took": 1, "deleted": 0, "failures": [], "total": 0}

    def answer_acknowledged(self, req: Request):
        return 200, {"acknowledged": True}

    def answer_update_aliases(self, req: Request):
        for action in req.json()["actions"]:
            op, spec = next(iter(action.items()))
            if op == "add":
                self.aliases.setdefault(spec["alias"], set()).add(spec["index"])
            elif op == "remove":
                self.aliases.get(spec["alias"], set()).discard(spec["index"])
            elif op == "remove_index":
                self.indices.discard(spec["index"])
        return 200, {"acknowledged": True}

    def answer_get_alias(self, req: Request):
        name = req.path.split("/")[-1]
        targets = self.aliases.get(name)
        if not targets:
            return 404, {"error": f"alias [{name}] missing", "status": 404}
        return 200, {i: {"aliases": {name: {}}} for i in sorted(targets)}

    def answer_scroll(self, req: Request):
        if req.method == "DELETE":
            return 200, {"succeeded": True, "num_freed": 1}
        return self.next_scroll_page()

    def answer_search(self, req: Request):
        if "scroll" in req.query:  # the first page of a scroll
            return self.next_scroll_page()
        return 200, self.search(req)

    def next_scroll_page(self):
        hits = self.scroll_pages.pop(0) if self.scroll_pages else []
        return 200, search_body(hits, scroll=True)

    def answer_count(self, req: Request):
        return 200, {"count": 42, "_shards": {"total": 1, "successful": 1, "failed": 0}}

    def answer_mget(self, req: Request):
        docs = []
        for i in req.json()["ids"]:
            doc = {"_index": INDEX, "_id": i, "found": i in self.mget_docs}
            if i in self.mget_docs:
                doc["_source"] = self.mget_docs[i]
            docs.append(doc)
        return 200, {"docs": docs}

    def answer_index(self, req: Request):
        """An index by its name: does it exist (HEAD), create it with its aliases (PUT),
        delete it (DELETE)."""
        name = req.path.strip("/")
        if req.method == "HEAD":
            return (200 if self.resolve(name) else 404), None
        if req.method == "PUT":
            self.indices.add(name)
            for alias in (req.json() if req.body else {}).get("aliases", {}):
                self.aliases.setdefault(alias, set()).add(name)
            return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}
        if req.method == "DELETE":
            self.indices.discard(name)
            for targets in self.aliases.values():
                targets.discard(name)
            return 200, {"acknowledged": True}
        return no_answer(req)

    # (method, path) -> does the route take it; in order, the first match answers.
    ROUTES = (
        (lambda m, path: path == "/", answer_info),
        (lambda m, path: path.endswith("/_bulk"), answer_bulk),
        (lambda m, path: path.endswith("/_refresh"), answer_refresh),
        (lambda m, path: path.endswith("/_delete_by_query"), answer_delete_by_query),
        (lambda m, path: path.endswith("/_mapping") and m == "PUT", answer_acknowledged),
        (lambda m, path: path == "/_aliases" and m == "POST", answer_update_aliases),
        (lambda m, path: path.startswith("/_alias/") and m == "GET", answer_get_alias),
        (lambda m, path: path == "/_search/scroll", answer_scroll),
        (lambda m, path: path.endswith("/_search"), answer_search),
        (lambda m, path: path.endswith("/_count"), answer_count),
        (lambda m, path: path.endswith("/_mget"), answer_mget),
        (lambda m, path: "/" not in path.strip("/"), answer_index),
    )


def no_answer(req: Request):
    return 400, {"error": f"recorder: no answer for {req.method} {req.path}", "status": 400}


def search_body(hits: list[dict], total: int | None = None, aggs=None, scroll=False) -> dict:
    out = {
        "took": 1,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {
            "total": {"value": len(hits) if total is None else total, "relation": "eq"},
            "max_score": None,
            "hits": hits,
        },
    }
    if aggs is not None:
        out["aggregations"] = aggs
    if scroll:
        out["_scroll_id"] = "scroll-1"
    return out


def empty_search() -> dict:
    return search_body(
        [],
        aggs={
            "place": {"buckets": []},
            "year": {"buckets": []},
            "cells": {"buckets": []},
        },
    )


@pytest.fixture
def es():
    """HAYSTACK_CONNECTIONS switched to Elasticsearch at the recorder (settings alone)."""
    recorder = Recorder()
    recorder.start()
    # As config/settings.py makes it from ARCHIVE_SEARCH_ENGINE and ARCHIVE_SEARCH_URL.
    conf = {
        "default": {
            **settings.HAYSTACK_CONNECTIONS["default"],
            "ENGINE": ENGINE,
            "URL": recorder.url,
            "INDEX_NAME": INDEX,
            "TIMEOUT": 5,
        }
    }
    with override_settings(HAYSTACK_CONNECTIONS=conf, ARCHIVE_SEARCH_CACHE_SECONDS=0):
        connections.connections_info = settings.HAYSTACK_CONNECTIONS
        connections.reload("default")
        try:
            yield recorder
        finally:
            recorder.stop()
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    connections.reload("default")


def words(text: str) -> str:
    return " ".join(w for w, _, _ in jieba_words(normalize(text)))


def from_tokens(tokens: str) -> str:
    return "".join(chr(int(t, 16)) for t in tokens.split(" "))


# --- choosing the engine by settings -----------------------------------------------------------


def test_the_engine_is_chosen_by_settings_alone(es):
    assert isinstance(get_engine(), engines.OpenSearchEngine)
    assert isinstance(
        connections["default"].get_backend(), opensearch_backend.JiebaElasticsearchSearchBackend
    )
    with override_settings(
        HAYSTACK_CONNECTIONS={"default": {"ENGINE": "search.whoosh_backend.JiebaWhooshEngine"}}
    ):
        assert isinstance(get_engine(), engines.WhooshEngine)


# --- the mapping -------------------------------------------------------------------------------


def test_mapping_types_analyzers_and_positions(es):
    opensearch_backend.get_backend().setup()
    created = es.sent("PUT", rf"/{INDEX}-\d{{14}}-\d{{6}}")
    assert len(created) == 1, es.calls()
    body = created[0].json()
    assert body["aliases"] == {INDEX: {}}  # the name in settings is an alias
    assert body["settings"] == {"index": {"number_of_shards": 1}}
    mapping = body["mappings"]
    assert mapping["dynamic"] == "strict"
    props = mapping["properties"]
    for name in ("text", "title"):
        assert props[name] == {"type": "text", "analyzer": "whitespace", "norms": True}
    assert props["chars"] == {
        "type": "text",
        "analyzer": "whitespace",
        "index_options": "positions",
        "norms": False,
    }
    for name in ("place", "places", "doc_type", "kind", "report", "version", "id"):
        assert props[name] == {"type": "keyword"}, name
    for name in ("django_ct", "django_id"):
        assert props[name] == {"type": "keyword"}
    for name in ("year", "length"):
        assert props[name] == {"type": "long"}, name
    for name in ("body", "segments", "paragraphs", "anchor", "report_pid", "updated"):
        assert props[name] == {"type": "text", "index": False}, name
    for name in ("version_number", "order"):
        assert props[name] == {"type": "long", "index": False}, name
    assert props["display"] == {"type": "object", "enabled": False}
    # Every field search_indexes.py declares is mapped, nothing is left to dynamic mapping.
    declared = {f.index_fieldname for f in SectionIndex.fields.values()}
    assert declared <= set(props)
    assert set(props) - declared == {"django_ct", "django_id", "id", "display", "year_order"}
    assert props["year_order"] == {"type": "integer"}  # oldest first, unknown years last

    # Once the index exists, set-up hands it the same mapping instead of creating another.
    es.reset()
    backend = opensearch_backend.get_backend()
    backend.setup_complete = False
    backend.setup()
    assert es.calls() == [("HEAD", f"/{INDEX}"), ("PUT", f"/{INDEX}/_mapping")]
    assert es.requests[-1].json() == mapping


# --- writing -----------------------------------------------------------------------------------


def expected_documents(reports) -> dict[str, dict]:
    """Section id -> what its document must carry, computed here from the database."""
    out = {}
    for report in reports:
        version = report.current_version
        sections = list(Section.objects.filter(version=version).order_by("order"))
        attach_units(version, sections)
        for s in sections:
            out[f"archive.section.{s.pk}"] = {
                "title": s.title,
                "unit": s.search_unit_text,
                "report": str(report.pk),
            }
    return out


def bulk_documents(recorder: Recorder) -> list[tuple[dict, dict]]:
    pairs = []
    for req in recorder.sent("POST", r"(/[^/]+)?/_bulk"):
        lines = req.ndjson()
        pairs += list(zip(lines[::2], lines[1::2], strict=True))
    return pairs


def test_bulk_documents_carry_jieba_words_and_char_tokens(seeded, es):
    reports = list(seeded.values())
    expected = expected_documents(reports)
    assert len(expected) > 20

    added = opensearch_backend.write_reports(r.pk for r in reports)

    pairs = bulk_documents(es)
    assert added == len(pairs) == len(expected)
    assert {a["index"]["_id"] for a, _ in pairs} == set(expected)
    assert {a["index"]["_index"] for a, _ in pairs} == {INDEX}
    for action, doc in pairs:
        want = expected[action["index"]["_id"]]
        assert doc["report"] == want["report"]
        # The recall field: every character of the normalised text, spaces and line breaks
        # included, as hex code points (search.recall), decodable back to the text.
        assert doc["chars"] == char_tokens(normalize(want["unit"]))
        assert from_tokens(doc["chars"]) == normalize(want["unit"])
        # The document field and the title: jieba words, joined by single spaces.
        text_words = [w for w, _, _ in jieba_words(normalize(want["title"] + "\n" + want["unit"]))]
        assert doc["text"].split(" ") == text_words
        assert doc["title"] == words(want["title"])
        assert doc["display"] == {"title": want["title"]}
        # Display fields travel as they are: the snippet is cut from them in Python.
        assert doc["body"] == want["unit"]
        assert doc["length"] == len(want["unit"])
    # A well-known word of the seeds is one token, not characters.
    assert any("营商环境" in doc["text"].split(" ") for _, doc in pairs)


def test_haystacks_own_update_sends_the_same_tokens(seeded, es):
    """update_index and SearchIndex.update_object go through haystack's update() and its
    bulk call: tokens are made in Python there too."""
    report = next(iter(seeded.values()))
    index = connections["default"].get_unified_index().get_index(Section)
    sections = list(index.index_queryset().filter(version=report.current_version))
    assert sections
    connections["default"].get_backend().update(index, sections)
    pairs = bulk_documents(es)
    expected = expected_documents([report])
    assert {a["index"]["_id"] for a, _ in pairs} == set(expected)
    for action, doc in pairs:
        want = expected[action["index"]["_id"]]
        assert doc["chars"] == char_tokens(normalize(want["unit"]))
        assert doc["title"] == words(want["title"])
    assert [r.path for r in es.sent("POST", r".*/_bulk")] == [f"/{INDEX}/_bulk"]
    assert es.sent("POST", rf"/{INDEX}/_refresh")


def test_writing_reports_deletes_their_other_documents_by_report(seeded, es):
    """Other documents of the reports are found by a search on `report` and deleted by id in
    one bulk request (no _delete_by_query: a minimal OpenSearch node has no reindex module)."""
    reports = list(seeded.values())[:2]
    stale = {"_index": f"{INDEX}-1", "_id": "archive.section.999999", "_source": {}}
    es.scroll_pages = [[stale], []]
    opensearch_backend.write_reports([reports[1].pk, reports[0].pk])
    methods = [c for c in es.calls() if c[0] != "HEAD"]
    assert ("POST", f"/{INDEX}/_delete_by_query") not in methods
    bulks = es.sent("POST", r"/_bulk")
    assert len(bulks) == 2  # the documents, then the deletions
    assert methods.index(("POST", f"/{INDEX}/_refresh")) < methods.index(
        ("POST", f"/{INDEX}/_search")
    )
    ids = sorted(d["index"]["_id"] for d in bulks[0].ndjson()[::2])
    search = [r for r in es.sent("POST", rf"/{INDEX}/_search") if "scroll" in r.query][0]
    query = search.json()["query"]["bool"]
    assert sorted(query["filter"][0]["terms"]["report"]) == sorted(str(r.pk) for r in reports)
    assert len(query["filter"]) == 1
    assert sorted(query["must_not"][0]["ids"]["values"]) == ids
    assert bulks[1].ndjson() == [
        {"delete": {"_index": f"{INDEX}-1", "_id": "archive.section.999999"}}
    ]
    assert bulks[1].query.get("refresh") == "true"

    # A report with nothing to index (withdrawn, deleted) loses all its documents.
    es.reset()
    es.scroll_pages = [[], []]
    opensearch_backend.write_reports([987654])
    assert es.sent("POST", r"/_bulk") == []
    search = [r for r in es.sent("POST", rf"/{INDEX}/_search") if "scroll" in r.query][0]
    assert search.json()["query"] == {"bool": {"filter": [{"terms": {"report": ["987654"]}}]}}


@pytest.mark.parametrize("before", ["alias", "concrete"])
def test_rebuild_loads_a_new_index_and_moves_the_alias(seeded, es, before):
    if before == "alias":
        es.indices.add(f"{INDEX}-old")
        es.aliases[INDEX] = {f"{INDEX}-old"}
    else:  # an index made by haystack's own set-up, under the alias's name
        es.indices.add(INDEX)

    info = opensearch_backend.rebuild()

    created = es.sent("PUT", rf"/{INDEX}-\d{{14}}-\d{{6}}")
    assert len(created) == 1
    new = created[0].path.strip("/")
    assert "aliases" not in created[0].json()  # searches keep the old index until the swap
    assert created[0].json()["mappings"]["properties"]["chars"]["analyzer"] == "whitespace"
    pairs = bulk_documents(es)
    assert {a["index"]["_index"] for a, _ in pairs} == {new}
    assert info["sections"] == len(pairs) == len(expected_documents(seeded.values()))
    assert info["reports"] == len(seeded) and info["path"] == new
    swap = es.sent("POST", "/_aliases")
    assert len(swap) == 1
    if before == "alias":
        assert swap[0].json() == {
            "actions": [
                {"add": {"index": new, "alias": INDEX}},
                {"remove": {"index": f"{INDEX}-old", "alias": INDEX}},
            ]
        }
        assert es.sent("DELETE", f"/{INDEX}-old")
    else:
        assert swap[0].json() == {
            "actions": [
                {"add": {"index": new, "alias": INDEX}},
                {"remove_index": {"index": INDEX}},
            ]
        }
    order = [c for c in es.calls() if c[0] != "HEAD"]
    assert order.index(("POST", f"/{new}/_refresh")) < order.index(("POST", "/_aliases"))
    assert es.aliases[INDEX] == {new} and es.indices == {new}


def test_haystacks_clear_swaps_in_an_empty_index(es):
    es.indices.add(f"{INDEX}-old")
    es.aliases[INDEX] = {f"{INDEX}-old"}
    connections["default"].get_backend().clear()
    assert es.sent("POST", r".*/_bulk") == []
    [new] = es.aliases[INDEX]
    assert new != f"{INDEX}-old" and es.indices == {new}
    assert es.sent("DELETE", f"/{INDEX}-old")
    assert not es.sent("DELETE", f"/{INDEX}")


# --- querying ----------------------------------------------------------------------------------


def test_a_parsed_query_becomes_the_expected_bool_query():
    parsed = parse_query("营商环境 -天津 地区:和平区 年份:2015-2020")
    places = place_filter_keys("和平区")
    assert places[:2] == ["和平区", "天津市和平区"]
    assert opensearch_engine.build_query(parsed, "chars") == {
        "bool": {
            "filter": [
                {
                    "bool": {
                        "filter": [{"match_phrase": {"chars": {"query": "8425 5546 73af 5883"}}}],
                        "must_not": [{"match_phrase": {"chars": {"query": "5929 6d25"}}}],
                    }
                },
                {"terms": {"places": places}},
                {"range": {"year": {"gte": 2015, "lte": 2020}}},
            ],
            "should": [
                {"term": {"text": {"value": "营商环境"}}},
                {"term": {"title": {"value": "营商环境", "boost": 2.0}}},
                {"term": {"kind": {"value": "targets", "boost": 0.5}}},
            ],
        }
    }


def test_or_phrases_and_filters_only():
    parsed = parse_query('(棚户区改造 OR "新增就业") 部分:目标 类型:工作报告')
    query = opensearch_engine.build_query(parsed, "chars")["bool"]
    assert query["filter"][0] == {
        "bool": {
            "should": [
                {"match_phrase": {"chars": {"query": char_tokens("棚户区改造")}}},
                {"match_phrase": {"chars": {"query": char_tokens("新增就业")}}},
            ],
            "minimum_should_match": 1,
        }
    }
    assert query["filter"][1:] == [
        {"terms": {"doc_type": ["work_report"]}},
        {"terms": {"kind": ["targets"]}},
    ]
    # A term of several jieba words is also ranked as a phrase of words.
    phrases = [c for c in query["should"] if "match_phrase" in c]
    ws = [w for w, _, _ in jieba_words("新增就业")]
    if len(ws) > 1:
        assert {"match_phrase": {"text": {"query": " ".join(ws), "boost": 2.0}}} in phrases
    assert opensearch_engine.build_query(parse_query("地区:天津市"), "chars") == {
        "bool": {"filter": [{"terms": {"places": place_filter_keys("天津市")}}]}
    }


BODY = (
    "一、过去一年工作回顾\n"
    "我们持续优化营商环境，出台优化营商环境条例。\n"
    "二、今年工作安排\n深化放管服改革，营商环境进一步改善。"
)


def source(title: str, body: str, place: str, year: int) -> dict:
    return {
        "place": place,
        "year": year,
        "kind": "review",
        "doc_type": "work_report",
        "report": "1",
        "report_pid": "abc123",
        "version_number": 1,
        "anchor": "s1",
        "body": body,
        "segments": json.dumps([[0, len(body)]]),
        "paragraphs": json.dumps([[1, 0, 10], [2, 10, len(body)]]),
        "display": {"title": title},
        "django_id": "7",
    }


def canned_search(req: Request) -> dict:
    body = req.json()
    hits = [
        {
            "_id": "archive.section.7",
            "_score": 3.2,
            "_source": source("工作回顾", BODY, "天津市和平区", 2020),
        },
        {
            "_id": "archive.section.9",
            "_score": 1.1,
            "_source": source("工作安排", BODY[18:], "天津市南开区", 2018),
        },
    ][body["from"] : body["from"] + body["size"]]
    cells = [
        ("天津市和平区", 2020, 2, "archive.section.7", 3.2),
        ("天津市南开区", 2018, 1, "archive.section.9", 1.1),
        ("", 0, 1, "archive.section.11", 0.5),
    ]
    return search_body(
        hits,
        total=4,
        aggs={
            "place": {
                "buckets": [
                    {"key": "天津市和平区", "doc_count": 2},
                    {"key": "", "doc_count": 1},
                    {"key": "天津市南开区", "doc_count": 1},
                ]
            },
            "year": {
                "buckets": [
                    {"key": 2020, "doc_count": 2},
                    {"key": 0, "doc_count": 1},
                    {"key": 2018, "doc_count": 1},
                ]
            },
            "cells": {
                "after_key": {"place": "天津市南开区", "year": 2018},
                "buckets": [
                    {
                        "key": {"place": p, "year": y},
                        "doc_count": n,
                        "best": {"hits": {"hits": [{"_id": i, "_score": s}]}},
                    }
                    for p, y, n, i, s in cells
                ],
            },
        },
    )


def test_a_search_response_becomes_an_outcome(es):
    es.search = canned_search
    es.mget_docs = {
        "archive.section.7": source("工作回顾", BODY, "天津市和平区", 2020),
        "archive.section.9": source("工作安排", BODY[18:], "天津市南开区", 2018),
        "archive.section.11": source("附件", "没有地点的营商环境。", "", 0),
    }
    outcome = opensearch_engine.run(parse_query("营商环境 年份:2015-2020"), page=1, per_page=1)

    sent = es.sent("POST", rf"/{INDEX}/_search")[0].json()
    assert sent["track_total_hits"] is True
    assert (sent["from"], sent["size"]) == (0, 1)
    assert sent["_source"] == {"excludes": ["chars", "text", "title"]}
    assert sent["sort"][0] == {"_score": {"order": "desc"}}
    assert sent["aggs"]["place"]["terms"]["field"] == "place"
    assert sent["aggs"]["year"]["terms"]["field"] == "year"
    cells = sent["aggs"]["cells"]
    assert [next(iter(s)) for s in cells["composite"]["sources"]] == ["place", "year"]
    assert cells["aggs"]["best"]["top_hits"]["size"] == 1

    assert outcome.count == 4 and outcome.pages == 4
    assert outcome.facets_place == {"天津市和平区": 2, "": 1, "天津市南开区": 1}
    assert outcome.facets_year == {2018: 1, 2020: 2, None: 1}
    assert outcome.terms == ["营商环境"]
    [hit] = outcome.hits
    assert hit.docnum == "archive.section.7"
    assert hit.title == "工作回顾" and hit.place == "天津市和平区" and hit.year == 2020
    assert hit.report_pid == "abc123" and hit.version_number == 1
    # Snippets and marks are cut in Python from the stored body, as with Whoosh.
    assert hit.snippet.pieces == make_snippet(BODY, ["营商环境"]).pieces
    assert hit.snippet.marked == ["营商环境"] * 2  # the passage holds two of the three
    assert len(hit.snippet.occurrences) == 3
    assert hit.paragraph == 2 and hit.anchor == "p2"
    assert "segments" not in hit.fields and "body" not in hit.fields

    assert outcome.grid_rows == ["天津市南开区", "天津市和平区", ""]
    assert outcome.grid_cols == [2018, 2020, None]
    assert {k: c.count for k, c in outcome.grid.items()} == {
        ("天津市和平区", 2020): 2,
        ("天津市南开区", 2018): 1,
        ("", None): 1,
    }
    best = outcome.grid[("天津市南开区", 2018)].best
    assert best.docnum == "archive.section.9" and best.title == "工作安排"
    assert best.snippet.marked == ["营商环境"]
    assert outcome.grid[("", None)].best.snippet.marked == ["营商环境"]
    mget = es.sent("POST", rf"/{INDEX}/_mget")[0]
    assert mget.json()["ids"] == ["archive.section.7", "archive.section.9", "archive.section.11"]


def test_grid_cells_beyond_one_page_are_fetched_with_after(es, monkeypatch):
    monkeypatch.setattr(opensearch_engine, "COMPOSITE_PAGE", 3)
    pages = iter(
        [
            canned_search,
            lambda req: {
                "aggregations": {
                    "cells": {
                        "buckets": [
                            {
                                "key": {"place": "天津市河西区", "year": 2016},
                                "doc_count": 5,
                                "best": {
                                    "hits": {"hits": [{"_id": "archive.section.20", "_score": 0.3}]}
                                },
                            }
                        ]
                    }
                }
            },
        ]
    )
    es.search = lambda req: next(pages)(req)
    outcome = opensearch_engine.run(parse_query("营商环境"))
    second = es.sent("POST", rf"/{INDEX}/_search")[1].json()
    assert second["size"] == 0
    assert second["aggs"]["cells"]["composite"]["after"] == {"place": "天津市南开区", "year": 2018}
    assert outcome.grid[("天津市河西区", 2016)].count == 5


def test_suggestions_check_dictionary_words_in_one_request(es):
    def answer(req):
        filters = req.json()["aggs"]["words"]["filters"]["filters"]
        found = {
            k: {
                "doc_count": 3
                if f["match_phrase"]["chars"]["query"] == char_tokens("营商环境")
                else 0
            }
            for k, f in filters.items()
        }
        return {
            "hits": {"total": {"value": 0}, "hits": []},
            "aggregations": {"words": {"buckets": found}},
        }

    es.search = answer
    assert opensearch_engine.suggestions(parse_query("营商")) == ["营商环境"]
    assert len(es.sent("POST", rf"/{INDEX}/_search")) == 1


def test_trend_counts_occurrences_from_the_recall_fields_tokens(es):
    """Occurrences come from the recall field's tokens in _source (the normalised text as
    indexed), never from normalising the body again; one aggregation per row sizes the work
    against the budget first."""

    def answer(req):
        return search_body(
            [],
            aggs={
                "cells": {
                    "buckets": [
                        {
                            "key": {"place": "天津市和平区", "year": 2020},
                            "doc_count": 3,
                            "chars": {"value": 1000.0},
                        },
                        {
                            "key": {"place": "天津市南开区", "year": 2018},
                            "doc_count": 2,
                            "chars": {"value": 500.0},
                        },
                    ]
                },
                "chars": {"value": 1500.0},  # the rows' matched text (the budget check)
            },
        )

    es.search = answer
    es.scroll_pages = [
        [
            {
                "_id": "a",
                "_source": {
                    "chars": char_tokens(normalize(BODY)),
                    "place": "天津市和平区",
                    "year": 2020,
                },
            }
        ],
        [
            {
                "_id": "b",
                "_source": {
                    "chars": char_tokens("营商环境。"),
                    "place": "天津市南开区",
                    "year": 2018,
                },
            }
        ],
        [],
    ]
    result = opensearch_engine.trend(["营商环境"], parse_query("").filters, by_place=True)
    assert result.years == [2018, 2020]
    assert result.chars[(None, 2020)] == 1000 and result.chars[("天津市南开区", 2018)] == 500
    overall = result.rows[0]
    assert overall.place is None and overall.years == {2020: (1, 3), 2018: (1, 1)}
    assert result.rate(overall, 2020) == pytest.approx(30.0)
    scan = [r for r in es.sent("POST", rf"/{INDEX}/_search") if "scroll" in r.query][0]
    assert scan.json()["query"] == {
        "bool": {"filter": [{"match_phrase": {"chars": {"query": char_tokens("营商环境")}}}]}
    }


def test_indexed_documents_for_drift_checks(es):
    es.scroll_pages = [
        [
            {
                "_id": "archive.section.7",
                "_source": {
                    "django_id": "7",
                    "version": "3",
                    "updated": "2026-01-01T00:00:00",
                    "report": "2",
                    "title": "工作 回顾",  # the jieba tokens the title field holds
                    "display": {"title": "工作回顾"},
                },
            }
        ],
        [],
    ]
    # The metadata compared with the database is the title as written, not its tokens.
    assert opensearch_backend.indexed_documents() == {
        "7": {
            "django_id": "7",
            "version": "3",
            "updated": "2026-01-01T00:00:00",
            "report": "2",
            "title": "工作回顾",
        }
    }


def test_health_and_cache_version_come_from_the_search_server(es):
    health = opensearch_engine.check_index()
    assert health["ok"] is True and health["documents"] == 42
    assert es.sent("GET", rf"/{INDEX}/_count") or es.sent("POST", rf"/{INDEX}/_count")
    before = opensearch_engine.index_version()
    opensearch_backend.write_reports([987654])  # every write changes the version
    assert opensearch_engine.index_version() != before


def test_health_reports_an_unreachable_server():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = {"default": {"ENGINE": ENGINE, "URL": f"http://127.0.0.1:{port}", "INDEX_NAME": INDEX}}
    with override_settings(HAYSTACK_CONNECTIONS=conf):
        connections.connections_info = settings.HAYSTACK_CONNECTIONS
        connections.reload("default")
        health = opensearch_engine.check_index()
    connections.connections_info = settings.HAYSTACK_CONNECTIONS
    connections.reload("default")
    assert health["ok"] is False and "search server unavailable" in health["error"]


# --- the pages ---------------------------------------------------------------------------------


def test_search_page_answers_from_elasticsearch(es, client):
    es.search = canned_search
    es.mget_docs = {"archive.section.7": source("工作回顾", BODY, "天津市和平区", 2020)}
    response = client.get("/search/", {"q": "营商环境", "view": "list"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>营商环境</mark>" in html
    assert "工作回顾" in html
    assert es.sent("POST", rf"/{INDEX}/_search")

    # The grid (the default view): cells from the composite aggregation, best hits by _mget.
    grid = client.get("/search/", {"q": "营商环境"})
    assert grid.status_code == 200
    assert "天津市南开区" in grid.content.decode()
    assert es.sent("POST", rf"/{INDEX}/_mget")

    api = client.get("/api/search", {"q": "营商环境"}).json()
    assert api["count"] == 4
    assert api["results"][0]["place"] == "天津市和平区"
    assert api["facets"]["year"] == {"2018": 1, "2020": 2, "unknown": 1}


def test_the_client_imports_and_serialises_beside_numpy_2():
    """NumPy 2 (for the commitments panels) removed numpy.float_, which the client names."""
    import numpy

    from search.opensearch_client import elasticsearch as client

    assert int(numpy.__version__.split(".")[0]) >= 2
    assert client.serializer.JSONSerializer().dumps({"v": numpy.float64(1.5)}) == '{"v":1.5}'
