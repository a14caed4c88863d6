"""Search results are cached by index version (a publish is never hidden); searches and
editorial actions are logged as JSON."""

from __future__ import annotations

import json
import logging

from config.observability import JsonFormatter, log_editorial, log_search
from search.cache import cached_search, index_version


def commit_one(path, doc_id: str) -> None:
    from whoosh import index

    ix = index.open_dir(str(path))
    with ix.writer() as w:
        w.update_document(id=doc_id, text="更多")
    ix.close()


def test_the_index_version_changes_with_every_commit(whoosh_index):
    before = index_version()
    assert before == index_version()
    commit_one(whoosh_index, "b")
    assert index_version() != before


def test_a_cached_result_is_reused_until_the_index_changes(whoosh_index):
    calls = []

    def compute():
        calls.append(1)
        return {"count": len(calls)}

    params = {"q": "营商环境", "page": 1}
    assert cached_search("page", params, compute) == {"count": 1}
    assert cached_search("page", params, compute) == {"count": 1}  # from the cache
    assert cached_search("page", {**params, "page": 2}, compute) == {"count": 2}
    commit_one(whoosh_index, "published-report")  # a publish reaches the index
    assert cached_search("page", params, compute) == {"count": 3}  # never the stale answer


def test_a_rebuilt_index_swapped_in_is_a_new_version(whoosh_index, tmp_path, settings):
    import shutil

    before = index_version()
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(whoosh_index, rebuilt)  # same generation number, other files
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(rebuilt)}
    }
    assert index_version() != before


def test_nothing_is_cached_while_the_index_is_unavailable(tmp_path, settings):
    settings.HAYSTACK_CONNECTIONS = {
        "default": {**settings.HAYSTACK_CONNECTIONS["default"], "PATH": str(tmp_path / "missing")}
    }
    calls = []
    for _ in range(2):
        cached_search("page", {"q": "x"}, lambda: calls.append(1))
    assert len(calls) == 2


def test_caching_can_be_turned_off(whoosh_index, settings):
    settings.ARCHIVE_SEARCH_CACHE_SECONDS = 0
    calls = []
    for _ in range(2):
        cached_search("page", {"q": "x"}, lambda: calls.append(1) or 1)
    assert len(calls) == 2


def json_lines(caplog, logger: str) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == logger]


def test_searches_are_logged_as_json(caplog):
    logging.getLogger("archive.search").propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="archive.search"):
            log_search(
                query="营商环境" + "x" * 1000,
                filters={"place": "天津市", "year": None},
                hits=12,
                elapsed_ms=3.14159,
                page=2,
                view="api",
            )
    finally:
        logging.getLogger("archive.search").propagate = False
    (entry,) = json_lines(caplog, "archive.search")
    assert entry["event"] == "search" and entry["view"] == "api"
    assert entry["query"].startswith("营商环境") and len(entry["query"]) == 500
    assert entry["filters"] == {"place": "天津市"}
    assert entry["hits"] == 12 and entry["ms"] == 3.1 and entry["page"] == 2
    assert entry["level"] == "INFO" and entry["ts"].endswith("+00:00")


def test_editorial_actions_are_logged_as_json(caplog, django_user_model, db):
    editor = django_user_model(username="editor")
    logging.getLogger("archive.editorial").propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="archive.editorial"):
            log_editorial(
                user=editor,
                action="correct",
                report=None,
                changes={"year": [2019, 2020]},
                version=2,
            )
    finally:
        logging.getLogger("archive.editorial").propagate = False
    (entry,) = json_lines(caplog, "archive.editorial")
    assert entry == {
        **entry,
        "event": "editorial",
        "action": "correct",
        "user": "editor",
        "changes": {"year": [2019, 2020]},
        "version": 2,
    }
