"""Tokenizing for the index: jieba words for ranking, character grams for recall.

Framework-free apart from Whoosh. Three kinds of tokens are made from the *normalised* text
(search.normalize), never from the raw one:

- jieba words (`JiebaTokenizer`), for ranking: meaningful words, with the curated user
  dictionary of policy vocabulary (search/data/userdict.txt). Positions are consecutive
  (0, 1, 2 …) — jieba's own `ChineseTokenizer` sets a token's position to its character
  offset, which makes every phrase query over it match nothing.
- character bigrams with positions (`GramField(n=2)`), for recall: the bigrams of a string
  at consecutive positions form a phrase that matches exactly where the string occurs, so
  any query of two or more characters is an exact substring match.
- single characters without positions (`GramField(n=1)`), for one-character queries.

Gram fields compute their postings directly instead of going through Whoosh's per-token
analyzer objects: the result is the same, at a fraction of the cost (see bench/).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import defaultdict
from pathlib import Path

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import TEXT, FieldType
from whoosh.formats import Existence, Positions

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
    """SEARCH_TOKENIZER=jieba|rjieba (default: rjieba when installed). Both build the same
    dictionary; changing it calls for rebuild_search_index (ranking only)."""
    wanted = os.environ.get("SEARCH_TOKENIZER", "auto")
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
    return _jieba


def is_wordlike(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


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


def grams(norm_text: str, n: int) -> dict[str, list[int]]:
    """Postings of the n-grams (n = 1 or 2) of normalised text: gram -> positions.

    Positions are the character offsets in the normalised text; a line break is a boundary:
    no gram spans it, and spaces are not single-character grams."""
    post: dict[str, list[int]] = defaultdict(list)
    if n == 1:
        for i, ch in enumerate(norm_text):
            if ch != "\n" and ch != " ":
                post[ch].append(i)
    else:
        for i in range(len(norm_text) - 1):
            g = norm_text[i : i + 2]
            if "\n" not in g:
                post[g].append(i)
    return post


def query_grams(norm_query: str) -> list[str]:
    """The bigrams whose consecutive positions spell `norm_query` (len >= 2)."""
    return [norm_query[i : i + 2] for i in range(len(norm_query) - 1)]


def _word_postings(words: list[str]) -> dict[str, list[int]]:
    post: dict[str, list[int]] = defaultdict(list)
    for i, w in enumerate(words):
        post[w].append(i)
    return post


class JiebaText(TEXT):
    """jieba words at consecutive positions; postings computed directly (no per-token
    objects), same terms and positions as JiebaTokenizer gives through Whoosh's analyzer."""

    def __init__(self, field_boost: float = 1.0, stored: bool = False):
        super().__init__(
            analyzer=JiebaAnalyzer(), phrase=True, stored=stored, field_boost=field_boost
        )
        self.format = Positions(field_boost=field_boost)

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not text")
        post = _word_postings([w for w, _, _ in jieba_words(normalize(value))])
        boost, encode = self.format.field_boost, self.format.encode
        for word, poslist in post.items():
            yield word.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist)


class GramField(FieldType):
    """A field of character n-grams of the normalised text (n = 1: existence only;
    n = 2: with positions, so that a phrase of bigrams is an exact substring match)."""

    scorable = True
    stored = False
    unique = False

    def __init__(self, n: int = 2, field_boost: float = 1.0):
        self.n = n
        self.format = (
            Positions(field_boost=field_boost) if n == 2 else Existence(field_boost=field_boost)
        )
        self.analyzer = None
        self.vector = None
        self.column_type = None

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not text")
        post = grams(normalize(value), self.n)
        boost = self.format.field_boost
        if self.n == 2:
            encode = self.format.encode
            for gram, poslist in post.items():
                yield gram.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist)
        else:
            for gram, poslist in post.items():
                yield gram.encode("utf-8"), len(poslist), len(poslist) * boost, b""

    def tokenize(self, value, **kwargs):
        norm = normalize(value)
        t = Token(**kwargs)
        for gram in grams(norm, self.n):
            t.text = gram
            yield t

    def process_text(self, qstring, mode="", **kwargs):
        return iter(grams(normalize(qstring), self.n))

    def self_parsing(self):
        return False

    def has_morph(self):
        return False

    def sortable_terms(self, ixreader, fieldname):
        return ixreader.lexicon(fieldname)
