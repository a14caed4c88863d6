"""Tokenizing for the index: jieba words, for ranking.

Framework-free apart from Whoosh. Words are made from the *normalised* text
(search.normalize), never from the raw one, with the curated user dictionary of policy
vocabulary (search/data/userdict.txt). Positions are consecutive (0, 1, 2 …) — jieba's own
`ChineseTokenizer` sets a token's position to its character offset, which makes every phrase
query over it match nothing. `JiebaText` computes its postings directly instead of going
through Whoosh's per-token analyzer objects: the same terms, at a fraction of the cost.

Recall (every character, exact substrings) is search.recall's job, not jieba's.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from pathlib import Path

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import TEXT
from whoosh.formats import Frequency
from whoosh.system import pack_uint

from search.normalize import normalize

log = logging.getLogger(__name__)

USERDICT = Path(__file__).resolve().parent / "data" / "userdict.txt"
_lock = threading.Lock()
_jieba = None
_extra_dicts: tuple[str, ...] = ()


def configure(extra_dicts: list[str] | tuple[str, ...] = ()) -> None:
    """Name extra user dictionaries (editors' own lists) before the first use of jieba."""
    global _extra_dicts
    _extra_dicts = tuple(str(p) for p in extra_dicts)


def dictionary_words() -> list[str]:
    """The normalised words of the curated dictionary (and any extra ones)."""
    words = []
    for path in (str(USERDICT), *_extra_dicts):
        p = Path(path)
        if not p.exists():
            continue
        for line in p.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                words.append((normalize(line.split()[0]), line.split()[1:2]))
    return words


class _RJieba:
    """rjieba (jieba-rs): jieba's dictionary and algorithm in Rust, ~15x faster. On the seeds
    and the national corpus its words equal jieba's except inside dates ("2023-08-10" is one
    token, jieba makes five); only ranking uses these words, recall and marks come from the
    gram fields, so the choice never changes what is found."""

    name = "rjieba"

    def __init__(self):
        import rjieba

        self._rjieba = rjieba
        for word, freq in dictionary_words():
            rjieba.add_word(word, int(freq[0]) if freq else None, None)

    def tokenize(self, text: str):
        return self._rjieba.tokenize(text)


def tokenizer_name() -> str:
    """settings.SEARCH_TOKENIZER (environment SEARCH_TOKENIZER): jieba|rjieba (default:
    rjieba when installed). Both build the same dictionary; changing it calls for
    rebuild_search_index (ranking only). Outside Django the environment alone decides."""
    from django.conf import settings

    wanted = (
        settings.SEARCH_TOKENIZER
        if settings.configured
        else os.environ.get("SEARCH_TOKENIZER", "auto")
    )
    if wanted == "auto":
        try:
            import rjieba  # noqa: F401

            return "rjieba"
        except ImportError:
            return "jieba"
    return wanted


def get_jieba():
    """jieba's tokenizer with the user dictionary, loaded once per process (about 1 s)."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None and tokenizer_name() == "rjieba":
                _jieba = _RJieba()
                log.info("jieba dictionary loaded: rjieba (pid %d)", os.getpid())
                return _jieba
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                for word, freq in dictionary_words():
                    # Words are normalised like the text they will be found in (PM2.5 -> pm2.5).
                    tok.add_word(word, int(freq[0]) if freq else None)
                _jieba = tok
                log.info("jieba dictionary loaded: jieba (pid %d)", os.getpid())
    return _jieba


def is_wordlike(token: str) -> bool:
    # str.isalnum() first: true for almost every jieba word, and one C call
    return token.isalnum() or any(ch.isalnum() for ch in token)


def jieba_words(norm_text: str) -> list[tuple[str, int, int]]:
    """(word, start, end) over normalised text, punctuation and spaces left out."""
    out = []
    for word, start, end in get_jieba().tokenize(norm_text):
        if is_wordlike(word):
            out.append((word, start, end))
    return out


class JiebaTokenizer(Tokenizer):
    """jieba words of the normalised text, at consecutive positions."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        norm = normalize(value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for word, start, end in jieba_words(norm):
            t.text = t.original = word
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            pos += 1
            yield t


def JiebaAnalyzer():
    return JiebaTokenizer()


def query_grams(norm_query: str) -> list[str]:
    """The bigrams whose consecutive positions spell `norm_query` (len >= 2)."""
    return [norm_query[i : i + 2] for i in range(len(norm_query) - 1)]


class JiebaText(TEXT):
    """jieba words with their frequencies, for ranking; postings computed directly (no
    per-token objects), the same terms JiebaTokenizer gives through Whoosh's analyzer.

    No positions: every hit already contains each query term verbatim (search.recall
    decides what matches), so a phrase-of-words boost would lift every hit alike; positions
    would only cost indexing time and space."""

    def __init__(self, field_boost: float = 1.0, stored: bool = False):
        super().__init__(
            analyzer=JiebaAnalyzer(), phrase=False, stored=stored, field_boost=field_boost
        )
        self.format = Frequency(field_boost=field_boost)

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not text")
        counts = Counter(w for w, _, _ in jieba_words(normalize(value)))
        boost = self.format.field_boost
        for word, n in counts.items():
            yield word.encode("utf-8"), n, n * boost, pack_uint(n)
