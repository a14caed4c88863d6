"""haystack's stock Whoosh backend, reading the index `default_haystack_build` wrote.

The only change is where the schema comes from: haystack derives it from the registered
SearchIndex classes, which here are the archive's own (character fields kept outside Whoosh,
columns), not the stock schema of the baseline index; the stored index's schema (jieba's
ChineseAnalyzer on text and title) is used instead. Searching, parsing, paging and the
results are haystack's own code.
"""

from __future__ import annotations

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from whoosh.index import open_dir


class ChineseWhooshBackend(WhooshSearchBackend):
    def build_schema(self, fields):
        return "text", open_dir(self.path).schema


class ChineseWhooshEngine(WhooshEngine):
    backend = ChineseWhooshBackend
