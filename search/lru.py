"""A least-recently-used store of arrays, bounded by the arrays' total size: what a worker
keeps of the index in memory (search.bm25's postings, search.whoosh_engine's matched
documents) grows with the queries it sees, never past its bound."""

from __future__ import annotations

import threading
from collections import OrderedDict


class KeptArrays:
    def __init__(self, bound: int):
        self.bound = bound  # in whatever unit `put` is given sizes in (array elements)
        self.items: OrderedDict = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            kept = self.items.get(key)
            if kept is None:
                return None
            self.items.move_to_end(key)
            return kept[0]

    def put(self, key, value, size: int) -> None:
        with self.lock:
            if key in self.items:
                return
            self.items[key] = (value, size)
            self.size += size
            while self.size > self.bound and len(self.items) > 1:
                _, (_, old) = self.items.popitem(last=False)
                self.size -= old

    def clear(self) -> None:
        with self.lock:
            self.items.clear()
            self.size = 0
