"""The search syntax: parsing what a reader types into a tree and filters. Framework-free.

    营商环境 棚户区改造        both (each an exact substring of the section)
    "新增 就业"               an exact phrase (spaces inside are kept between Latin words)
    营商环境 -天津            exclude
    营商环境 OR 放管服         either (also | or 或)
    (营商环境 OR 放管服) 改革   grouping
    地区:河西区 年份:2015-2020 类型:工作报告 部分:目标/回顾     filters

Every term is matched as an exact substring of the normalised section text (search.normalize),
so a term that occurs verbatim is always found, a one-character term included. Filters in the
query and the form's controls are combined (both must hold).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from search.normalize import normalize


class QuerySyntaxError(ValueError):
    """A query we cannot read; the message is shown to the reader (Chinese, then English)."""


@dataclass(frozen=True)
class Term:
    text: str  # normalised
    quoted: bool = False
    raw: str = ""


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Not:
    child: object


@dataclass
class Filters:
    places: list[str] = field(default_factory=list)  # each narrows (AND)
    year_from: int | None = None
    year_to: int | None = None
    doc_types: list[str] = field(default_factory=list)  # any of (OR)
    kinds: list[str] = field(default_factory=list)  # any of (OR)
    # A grid cell's own filters: exactly this place ("" = place unknown), not the places
    # under it; only the sections whose year is unknown.
    exact_place: str | None = None
    year_unknown: bool = False

    def restrict_years(self, lo: int | None, hi: int | None) -> None:
        if lo is not None:
            self.year_from = lo if self.year_from is None else max(self.year_from, lo)
        if hi is not None:
            self.year_to = hi if self.year_to is None else min(self.year_to, hi)

    @property
    def empty(self) -> bool:
        return not (
            self.places
            or self.year_from
            or self.year_to
            or self.doc_types
            or self.kinds
            or self.exact_place is not None
            or self.year_unknown
        )


@dataclass
class ParsedQuery:
    tree: object | None  # None: filters only
    filters: Filters
    raw: str
    query_filters: list[str] = field(default_factory=list)  # filters written in the query

    def without_filter(self, written: str) -> str:
        """The query string with one of its written filters taken out."""
        return " ".join(self.raw.replace(written, " ", 1).split())

    @property
    def terms(self) -> list[Term]:
        """The terms to find and mark (not the excluded ones), in order, without repeats."""
        out: list[Term] = []

        def walk(node, negated=False):
            if isinstance(node, Term):
                if not negated and node.text not in [t.text for t in out]:
                    out.append(node)
            elif isinstance(node, (And, Or)):
                for c in node.children:
                    walk(c, negated)
            elif isinstance(node, Not):
                walk(node.child, not negated)

        if self.tree is not None:
            walk(self.tree)
        return out


FILTER_KEYS = {
    "地区": "place",
    "地方": "place",
    "地点": "place",
    "place": "place",
    "年份": "year",
    "年度": "year",
    # Not "年": "年:1978" is as likely a pasted fragment of text as a filter, and a filter
    # nobody wrote must not silently narrow a search (年份:1978 is the written syntax).
    "year": "year",
    "类型": "doc_type",
    "文种": "doc_type",
    "type": "doc_type",
    "kind": "doc_type",
    "部分": "section",
    "章节": "section",
    "section": "section",
}

SECTION_KIND_NAMES = {
    "目标": "targets",
    "目标任务": "targets",
    "预期目标": "targets",
    "targets": "targets",
    "回顾": "review",
    "工作回顾": "review",
    "review": "review",
    "部署": "plan",
    "计划": "plan",
    "安排": "plan",
    "任务": "plan",
    "工作安排": "plan",
    "plan": "plan",
    "问题": "problems",
    "不足": "problems",
    "problems": "problems",
    "附注": "glossary",
    "名词解释": "glossary",
    "glossary": "glossary",
    "其他": "other",
    "other": "other",
}

DOC_TYPE_NAMES = {
    "政府工作报告": "work_report",
    "工作报告": "work_report",
    "报告": "work_report",
    "work_report": "work_report",
    "节选": "work_report_excerpt",
    "报告节选": "work_report_excerpt",
    "work_report_excerpt": "work_report_excerpt",
    "excerpt": "work_report_excerpt",
    "目标": "targets",
    "目标任务": "targets",
    "targets": "targets",
    "新闻": "news",
    "新闻报道": "news",
    "news": "news",
    "其他": "other",
    "other": "other",
}

_YEAR_RANGE = re.compile(r"^(\d{4})?\s*(?:年)?\s*(?:-|~|至|到|—|–|\.\.)\s*(\d{4})?\s*(?:年)?$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_OPEN_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』", "”": "”"}
_OR_WORDS = {"OR", "|", "或"}
# 或 is also a word (或者, 或许 are written apart from it only in quotes, but a reader may
# search for 或 itself): it is OR only between two words, never at an edge or beside another
# operator. OR and | are syntax only.
_SOFT_OR_WORDS = {"或"}
_NUMBERING = re.compile(r"\((?:[一二三四五六七八九十百]{1,3}|\d{1,3})\)")


def parse_years(value: str) -> tuple[int | None, int | None]:
    v = unicodedata.normalize("NFKC", value).strip()
    m = _YEAR.match(v)
    if m:
        y = int(m.group(1))
        return y, y
    m = _YEAR_RANGE.match(v)
    if m and (m.group(1) or m.group(2)):
        lo = int(m.group(1)) if m.group(1) else None
        hi = int(m.group(2)) if m.group(2) else None
        if lo and hi and lo > hi:
            lo, hi = hi, lo
        return lo, hi
    raise QuerySyntaxError(
        f"年份“{value}”看不懂：请写成 2016 或 2015-2020。"
        f" (Cannot read the year {value!r}: write 2016 or 2015-2020.)"
    )


def parse_choices(value: str, names: dict[str, str], what_zh: str, what_en: str) -> list[str]:
    out = []
    for part in re.split(r"[/,，、|]", value):
        part = part.strip()
        if not part:
            continue
        code = names.get(part) or names.get(part.lower())
        if code is None:
            choices = "、".join(sorted({k for k in names if not k.isascii()}))
            raise QuerySyntaxError(
                f"{what_zh}“{part}”不认识，可选：{choices}。 (Unknown {what_en} {part!r}.)"
            )
        if code not in out:
            out.append(code)
    return out


# --- tokenizing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    kind: str  # "word", "phrase", "lparen", "rparen", "or", "not", "filter"
    value: str = ""
    key: str = ""
    text: str = ""  # a filter as written ("地区:天津"), to offer the query without it


def _tokenize(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i = 0
    while i < len(q):
        if q[i].isspace():
            i += 1
            continue
        tok, i = _next_token(q, i)
        toks.append(tok)
    return _soft_operators(toks)


def _next_token(q: str, i: int) -> tuple[_Tok, int]:
    """The token that starts at q[i] (not a space) and where the next one may start: the
    first of the readers below that recognises it, else a bare word or a filter."""
    if q[i] in _READER_STARTS:  # most tokens are words: skip the readers that cannot match
        for read in _TOKEN_READERS:
            found = read(q, i)
            if found is not None:
                return found
    return _read_word_or_filter(q, i)


# Only ASCII parentheses group: full-width ones are text ("（一）" numbers a section), and so
# is a numbering written with ASCII ones, "(一)" or "(3)": a group of one numeral would mean
# the numeral alone, which nobody searching for it means.
def _read_numbering(q: str, i: int) -> tuple[_Tok, int] | None:
    numbering = _NUMBERING.match(q, i)
    return (_Tok("word", numbering.group()), numbering.end()) if numbering else None


def _read_lone_quote(q: str, i: int) -> tuple[_Tok, int] | None:
    """A quotation mark with nothing after it opens no phrase: it is the character."""
    if q[i] in _OPEN_QUOTES and not q[i + 1 :].strip():
        return _Tok("word", q[i]), len(q)
    return None


_PARENTHESES = {"(": "lparen", ")": "rparen"}


def _read_parenthesis(q: str, i: int) -> tuple[_Tok, int] | None:
    kind = _PARENTHESES.get(q[i])
    return (_Tok(kind), i + 1) if kind else None


def _read_not(q: str, i: int) -> tuple[_Tok, int] | None:
    """A minus sign right before a word excludes it; one standing alone is text."""
    if q[i] in "-－" and i + 1 < len(q) and not q[i + 1].isspace():
        return _Tok("not"), i + 1
    return None


def _read_phrase(q: str, i: int) -> tuple[_Tok, int] | None:
    if q[i] not in _OPEN_QUOTES:
        return None
    phrase, end = _read_quoted(q, i)
    return _Tok("phrase", phrase), end


# Tried in this order: a numbering "(一)" before a group's "(", a lone quotation mark before
# the phrase it does not open.
_TOKEN_READERS = (_read_numbering, _read_lone_quote, _read_parenthesis, _read_not, _read_phrase)
# The characters any of them can start with (a numbering starts with "(").
_READER_STARTS = frozenset("()-－") | frozenset(_OPEN_QUOTES)

_WORD_STOPS = '()"“”「」『』'


def _read_word_or_filter(q: str, i: int) -> tuple[_Tok, int]:
    """A bare word up to a space, a parenthesis or a quotation mark; or, when it begins with
    a filter key and a colon (地区:河西区), that filter."""
    j = i
    while j < len(q) and not q[j].isspace() and q[j] not in _WORD_STOPS:
        if q[j] in ":：" and j > i and q[i:j].lower() in FILTER_KEYS:
            return _read_filter_value(q, i, j)
        j += 1
    if j == i:
        # A closing 」 or 』 with no phrase open stops a word but opens nothing: it is the
        # character itself (taking nothing would read the same place forever).
        j = i + 1
    word = q[i:j]
    return (_Tok("or", word) if word in _OR_WORDS else _Tok("word", word)), j


def _read_filter_value(q: str, start: int, colon: int) -> tuple[_Tok, int]:
    """The filter written from q[start], its key ending at the colon q[colon]: the value is
    quoted, or runs to a space or a parenthesis."""
    key = FILTER_KEYS[q[start:colon].lower()]
    j = colon + 1
    if j < len(q) and q[j] in _OPEN_QUOTES:
        value, j = _read_quoted(q, j)
    else:
        while j < len(q) and not q[j].isspace() and q[j] not in "()":
            j += 1
        value = q[colon + 1 : j]
    if not value.strip():
        raise QuerySyntaxError(
            f"“{q[start:j]}”后面缺少要筛选的值，例如 地区:河西区。"
            " (A filter needs a value, e.g. 地区:河西区.)"
        )
    return _Tok("filter", value, key, q[start:j]), j


def _soft_operators(toks: list[_Tok]) -> list[_Tok]:
    """或 at an edge, or next to another operator or a parenthesis, is the word 或."""
    out = list(toks)
    for k, tok in enumerate(out):
        if tok.kind != "or" or tok.value not in _SOFT_OR_WORDS:
            continue
        before = out[k - 1] if k > 0 else None
        after = out[k + 1] if k + 1 < len(out) else None
        if not (
            before is not None
            and after is not None
            and before.kind in ("word", "phrase", "rparen")
            and after.kind in ("word", "phrase", "lparen", "not")
        ):
            out[k] = _Tok("word", tok.value)
    return out


def _read_quoted(q: str, i: int) -> tuple[str, int]:
    close = _OPEN_QUOTES[q[i]]
    end = q.find(close, i + 1)
    if end == -1 and close == "”":
        end = q.find('"', i + 1)
    if end == -1:
        raise QuerySyntaxError(
            '引号没有配对：请在短语的结尾加上引号，例如 "新增就业"。'
            " (Unbalanced quote: close the phrase with a quotation mark.)"
        )
    return q[i + 1 : end], end + 1


# --- parsing ---------------------------------------------------------------------------------


_EXTRA_PAREN = "括号没有配对：多了一个“)”。 (Unbalanced parenthesis: an extra ')'.)"
_OR_NEEDS_WORDS = "“OR”两边都要有词，例如 营商环境 OR 放管服。 (OR needs a word on both sides.)"


class _Parser:
    """Recursive descent over the tokens: OR binds loosest, then AND (words side by side),
    then "-" and parentheses. Filters are collected on the way (`filters`), not in the tree."""

    def __init__(self, toks: list[_Tok]):
        self.toks, self.i = toks, 0
        self.filters: list[_Tok] = []

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def peek_kind(self) -> str | None:
        tok = self.peek()
        return tok.kind if tok is not None else None

    def parse(self):
        node = self.or_expr()
        if self.peek() is not None:  # a stray ")"
            raise QuerySyntaxError(_EXTRA_PAREN)
        return node

    def or_expr(self):
        parts = [self.and_expr()]
        while self.peek_kind() == "or":
            self.i += 1
            if self.peek_kind() in (None, "or", "rparen"):
                raise QuerySyntaxError(_OR_NEEDS_WORDS)
            parts.append(self.and_expr())
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self):
        parts = []
        if self.peek_kind() == "or":
            raise QuerySyntaxError(_OR_NEEDS_WORDS)
        while self.peek_kind() not in (None, "or", "rparen"):
            node = self.unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self):
        """One term, an excluded one, a group in parentheses, or a filter (None: it is
        collected, and a word that normalises to nothing is dropped)."""
        tok = self.peek()
        self.i += 1
        if tok.kind == "not":
            return self.negation()
        if tok.kind == "lparen":
            return self.group()
        if tok.kind == "rparen":
            raise QuerySyntaxError(_EXTRA_PAREN)
        if tok.kind in ("word", "phrase"):
            return _term(tok)
        if tok.kind == "filter":
            self.filters.append(tok)
            return None
        raise QuerySyntaxError("看不懂这个查询。 (Cannot read this query.)")

    def negation(self):
        """After a "-": the word (or group) to exclude must follow at once."""
        if self.peek_kind() in (None, "or", "rparen", "not"):
            raise QuerySyntaxError(
                "“-”后面要紧跟要排除的词，例如 营商环境 -天津。"
                " (Put the word to exclude right after '-'.)"
            )
        child = self.unary()
        return Not(child) if child is not None else None

    def group(self):
        """After a "(": what it holds, up to its ")"."""
        node = self.or_expr()
        if self.peek_kind() != "rparen":
            raise QuerySyntaxError("括号没有配对：缺少“)”。 (Unbalanced parenthesis: missing ')'.)")
        self.i += 1
        if node is None:
            raise QuerySyntaxError("括号里是空的。 (Empty parentheses.)")
        return node


def _term(tok: _Tok) -> Term | None:
    """A word or a quoted phrase as a term to find; None for a word of nothing but what
    normalising drops."""
    # A line break in a pasted phrase is a space before normalising (which then drops it
    # between Chinese characters), not a boundary the phrase could never cross.
    text = normalize(re.sub(r"\s+", " ", tok.value))
    if text.strip():
        return Term(text.strip(), quoted=tok.kind == "phrase", raw=tok.value)
    if tok.kind == "phrase":
        raise QuerySyntaxError("引号里是空的。 (Empty quotes.)")
    return None


def _has_positive(node) -> bool:
    if node is None:
        return False
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(c) for c in node.children)
    if isinstance(node, Or):
        return all(_has_positive(c) for c in node.children)
    return False


MAX_QUERY_LENGTH = 500
MAX_TERMS = 32


def parse_query(raw: str, filters: Filters | None = None) -> ParsedQuery:
    """Parse a query string; raises QuerySyntaxError with a message for the reader."""
    raw = raw or ""
    if len(raw) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(
            f"查询太长（最多 {MAX_QUERY_LENGTH} 个字）。"
            f" (The query is too long: {MAX_QUERY_LENGTH} characters at most.)"
        )
    filters = filters or Filters()
    parser = _Parser(_tokenize(raw))
    tree = parser.parse()
    for tok in parser.filters:
        if tok.key == "place":
            filters.places.append(tok.value.strip())
        elif tok.key == "year":
            filters.restrict_years(*parse_years(tok.value))
        elif tok.key == "doc_type":
            filters.doc_types = _intersect(
                filters.doc_types, parse_choices(tok.value, DOC_TYPE_NAMES, "类型", "document kind")
            )
        elif tok.key == "section":
            filters.kinds = _intersect(
                filters.kinds, parse_choices(tok.value, SECTION_KIND_NAMES, "部分", "section kind")
            )
    if tree is not None and not _has_positive(tree):
        raise QuerySyntaxError(
            "请至少写一个要查找的词，不能只有排除的词（-词）。"
            " (Give at least one word to find, not only words to exclude.)"
        )
    parsed = ParsedQuery(tree, filters, raw, [tok.text for tok in parser.filters])
    if len(parsed.terms) > MAX_TERMS:
        raise QuerySyntaxError(
            f"词太多（最多 {MAX_TERMS} 个）。 (Too many words: {MAX_TERMS} at most.)"
        )
    return parsed


def _intersect(current: list[str], new: list[str]) -> list[str]:
    if not current:
        return new
    both = [c for c in current if c in new]
    return both or ["__none__"]


def to_string(node) -> str:
    """The tree written back in the syntax (for suggestions and tests)."""
    if node is None:
        return ""
    if isinstance(node, Term):
        return f'"{node.text}"' if node.quoted or " " in node.text else node.text
    if isinstance(node, Not):
        return "-" + to_string(node.child)
    if isinstance(node, And):
        return " ".join(
            to_string(c) if not isinstance(c, Or) else f"({to_string(c)})" for c in node.children
        )
    if isinstance(node, Or):
        return " OR ".join(to_string(c) for c in node.children)
    return ""


# --- queries as people write them ------------------------------------------------------------


def relaxed(parsed: ParsedQuery) -> ParsedQuery | None:
    """The query with each unquoted term that jieba splits into several words replaced by
    those words, all required (GDP增长目标 -> gdp 增长 目标), for when the exact query finds
    nothing: the words are often there, just not side by side. None if nothing splits."""
    if parsed.tree is None:
        return None
    tree = _relax(parsed.tree)
    if tree == parsed.tree:  # the trees are values: equal means no term was split
        return None
    return ParsedQuery(tree, parsed.filters, parsed.raw, list(parsed.query_filters))


def _relax(node):
    if isinstance(node, Term):
        return _split_term(node)
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_relax(c) for c in node.children))
    return node  # Not: an excluded term stays as written


def _split_term(term: Term) -> Term | And:
    """An unquoted term as the words jieba finds in it (each once, punctuation left out),
    all required; the term itself if it is quoted or one word."""
    # Imported here, not at the top: the parser needs no jieba or Whoosh, only relaxing does.
    from search.analysis import jieba_words

    if term.quoted:
        return term
    words: list[str] = []
    for w, _, _ in jieba_words(term.text):
        if any(ch.isalnum() for ch in w) and w not in words:
            words.append(w)
    if len(words) < 2:
        return term
    return And(tuple(Term(w, raw=w) for w in words))


_YEAR_WORD = re.compile(r"^(19[4-9]\d|20\d\d)年?$")


def year_words(parsed: ParsedQuery) -> list[tuple[str, int]]:
    """Unquoted terms that are a year (棚户区改造 2016): (the term as written, the year), to
    offer as a year filter instead of text to find."""
    out = []
    for t in parsed.terms:
        m = _YEAR_WORD.match(t.text)
        if m and not t.quoted:
            out.append((t.raw or t.text, int(m.group(1))))
    return out


def without_word(raw: str, word: str) -> str:
    """The query string with one written word taken out."""
    parts = raw.split()
    if word in parts:
        parts.remove(word)
    return " ".join(parts)


# --- what a query stands for, whichever engine runs it ---


def place_filter_keys(value: str) -> list[str]:
    """What a place filter stands for: the value as written (a full name, a name or a code,
    as the index's `places` keys hold them) and the full names of the divisions the
    gazetteer knows by that name — "天津" is 天津市, "浦东" nothing more than itself."""
    from archive.ingest import gazetteer

    value = unicodedata.normalize("NFKC", value).strip()
    keys = [value]
    divisions = gazetteer.lookup(value)
    if not divisions:
        chain = gazetteer.parse_chain(
            value
        )  # "天津市和平区" written without the gazetteer's spelling
        divisions = chain[-1:] if chain else []
    if not divisions:
        # People write a district or county without its suffix (海拉尔 for 海拉尔区), as they
        # do for provinces and cities, which the gazetteer already knows by short name.
        for suffix in SHORT_NAME_SUFFIXES:
            divisions += gazetteer.lookup(value + suffix)
    for division in divisions:
        if division.full_name not in keys:
            keys.append(division.full_name)
    return keys


SHORT_NAME_SUFFIXES = ("区", "新区", "县", "市", "旗", "自治县", "自治旗", "林区", "特区")


def query_row_needed(query: ParsedQuery) -> bool:
    """A query that is more than one term (operators, several words) gets a row of its own in
    the trend: its sections are those the list shows, which no single term's row counts."""
    return query.tree is not None and not isinstance(query.tree, Term)


def query_label(query: ParsedQuery) -> str:
    """The query as the trend labels its row: the words and operators, without the filters."""
    return to_string(query.tree)
