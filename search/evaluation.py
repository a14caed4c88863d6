"""Recall, precision and highlight exactness against a brute-force substring scan.

Used by tests/search/test_recall.py (small) and bench/bench_search.py (1,000+ queries).
Framework-free: `texts` is {doc_id: unit text}; the engine side is a callable that returns the
set of doc ids a query string finds.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from search.analysis import dictionary_words, jieba_words
from search.highlight import make_snippet
from search.normalize import normalize

CLASSES = ("substring", "word", "number", "cross_boundary", "traditional", "fullwidth", "quoted")
_NUMBER = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|万人|亿元|万元|万平方米|公里|个|项|家|户|人)")


@lru_cache(maxsize=1)
def _s2t_table() -> dict[int, str]:
    import os

    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "STCharacters.txt")
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            simp, _, trad = line.rstrip("\n").partition("\t")
            if len(simp) == 1 and trad.split():
                table[ord(simp)] = trad.split()[0]
    return table


def to_traditional(s: str) -> str:
    return s.translate(_s2t_table())


def to_fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


@dataclass
class Sample:
    cls: str
    query: str  # what the reader types
    needle: str  # the normalised string the brute force looks for


def sample_queries(texts: dict, n_per_class: int, seed: int = 7) -> list[Sample]:
    """Deterministic queries drawn from the texts, `n_per_class` of each class."""
    draw = _Draw(texts, seed)
    out: list[Sample] = []
    for one_of_class in (
        draw.substring,
        draw.word,
        draw.number,
        draw.cross_boundary,
        draw.traditional,
        draw.fullwidth,
        draw.quoted,
    ):
        out.extend(one_of_class() for _ in range(n_per_class))
    return [x for x in out if x.query is not None]


class _Draw:
    """One query of a class at a time, from the texts' normalised forms. Every random choice
    comes from one generator seeded once, in a fixed order, so a seed always gives the same
    queries (the recall tests and the bench compare runs by seed)."""

    def __init__(self, texts: dict, seed: int):
        self.rng = random.Random(seed)
        norms = [normalize(t) for _, t in sorted(texts.items())]
        self.norms = [t for t in norms if len(t) > 10]
        self.words = [w for w, _ in dictionary_words()]
        self.numbers = sorted(
            {normalize(m.group()) for t in self.norms for m in _NUMBER.finditer(t)}
        )

    def piece(self, lo: int, hi: int) -> str:
        """A piece of lo..hi characters of some text that a reader could type: on one line,
        no edge spaces, something alphanumeric, and a query in both scripts."""
        while True:
            t = self.rng.choice(self.norms)
            k = self.rng.randint(lo, hi)
            i = self.rng.randrange(0, max(1, len(t) - k))
            s = t[i : i + k]
            if _typeable(s):
                return s

    def window(self) -> tuple[str, int]:
        """A text and where a window of 200 characters in it starts."""
        t = self.rng.choice(self.norms)
        return t, self.rng.randrange(0, max(1, len(t) - 200))

    def substring(self) -> Sample:
        s = self.piece(1, 8)
        return Sample("substring", as_query(s), s)

    def word(self) -> Sample:
        """A dictionary word half the time, else a word jieba finds in some text."""
        if self.rng.random() < 0.5 and self.words:
            w = self.rng.choice(self.words)
        else:
            t, i = self.window()
            ws = [w for w, _, _ in jieba_words(t[i : i + 200]) if len(w) >= 2]
            w = self.rng.choice(ws) if ws else self.piece(2, 4)
        return Sample("word", as_query(w), w)

    def number(self) -> Sample:
        w = self.rng.choice(self.numbers) if self.numbers else self.piece(2, 4)
        return Sample("number", as_query(w), w)

    def cross_boundary(self) -> Sample:
        """From inside one jieba word to inside the next: found only by an index that does
        not depend on where jieba cuts."""
        t, i = self.window()
        toks = jieba_words(t[i : i + 200])
        pairs = [
            (a, b) for a, b in zip(toks, toks[1:], strict=False) if a[2] == b[1] and len(a[0]) >= 2
        ]
        if not pairs:
            s = self.piece(3, 6)
            return Sample("cross_boundary", as_query(s), s)
        a, b = self.rng.choice(pairs)
        start = i + a[2] - self.rng.randint(1, len(a[0]) - 1 if len(a[0]) > 1 else 1)
        s = t[start : i + b[1] + self.rng.randint(1, len(b[0]))]
        if "\n" in s or not s.strip() or s.strip() != s:
            s = self.piece(3, 6)
        return Sample("cross_boundary", as_query(s), s)

    def traditional(self) -> Sample:
        s = self.piece(2, 6)
        return Sample("traditional", as_query(to_traditional(s)), s)

    def fullwidth(self) -> Sample:
        if self.numbers and self.rng.random() < 0.7:
            s = self.rng.choice(self.numbers)
        else:
            s = self.piece(2, 5)
        return Sample("fullwidth", as_query(to_fullwidth(s)), s)

    def quoted(self) -> Sample:
        s = self.piece(2, 12)
        return Sample("quoted", f'"{s}"' if '"' not in s else as_query(s), s)


def _typeable(s: str) -> bool:
    return (
        "\n" not in s
        and s.strip() == s
        and bool(s)
        and any(ch.isalnum() for ch in s)
        and as_query(s) is not None
        and as_query(to_traditional(s)) is not None
    )


_SYNTAX = set('()"“”「」『』:：|')


def as_query(s: str) -> str | None:
    """What a reader types to find `s` verbatim: quoted when it contains query syntax."""
    tokens = s.split()
    if not (
        _SYNTAX & set(s)
        or s.startswith(("-", "－"))
        or any(t in ("OR", "或", "|") for t in tokens)
        or any(t.startswith(("-", "－")) for t in tokens)
    ):
        return s
    for open_, close in (('"', '"'), ("「", "」"), ("『", "』")):
        if open_ not in s and close not in s:
            return f"{open_}{s}{close}"
    return None


def brute_force(norm_texts: dict, needle: str) -> set:
    return {doc for doc, t in norm_texts.items() if needle in t}


@dataclass
class ClassScore:
    queries: int = 0
    expected: int = 0
    found: int = 0
    true_pos: int = 0
    perfect_recall: int = 0
    marks: int = 0
    exact_marks: int = 0
    misses: list = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.true_pos / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.true_pos / self.found if self.found else 1.0

    @property
    def highlight_exactness(self) -> float:
        return self.exact_marks / self.marks if self.marks else 1.0


def evaluate(
    texts: dict, samples: list[Sample], engine_ids: Callable[[str], set], check_highlights: int = 3
) -> dict[str, ClassScore]:
    """Compare the engine's answer to each sample with a brute-force scan of the texts;
    check the marks of up to `check_highlights` hits per query."""
    norm_texts = {doc: normalize(t) for doc, t in texts.items()}
    scores: dict[str, ClassScore] = defaultdict(ClassScore)
    for s in samples:
        expected = brute_force(norm_texts, s.needle)
        got = engine_ids(s.query)
        sc = scores[s.cls]
        sc.queries += 1
        sc.expected += len(expected)
        sc.found += len(got)
        sc.true_pos += len(expected & got)
        if expected <= got:
            sc.perfect_recall += 1
        elif len(sc.misses) < 5:
            sc.misses.append((s.query, sorted(map(str, expected - got))[:3]))
        for doc in sorted(got & set(texts), key=str)[:check_highlights]:
            snip = make_snippet(texts[doc], [normalize(s.needle)])
            for start, end in snip.occurrences:
                sc.marks += 1
                if normalize(texts[doc][start:end]) == normalize(s.needle):
                    sc.exact_marks += 1
    return dict(scores)


def format_scores(scores: dict[str, ClassScore]) -> str:
    lines = [f"{'class':<16}{'queries':>8}{'recall':>9}{'precision':>11}{'highlights':>12}"]
    for cls in CLASSES:
        if cls in scores:
            sc = scores[cls]
            lines.append(
                f"{cls:<16}{sc.queries:>8}{sc.recall:>9.3f}{sc.precision:>11.3f}"
                f"{sc.highlight_exactness:>12.3f}"
            )
    return "\n".join(lines)
