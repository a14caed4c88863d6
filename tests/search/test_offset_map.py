"""The normalisation with offsets (archive.ingest.textnorm) gives exactly what the walk
character by character gave before it was made fast (arrays for the mapping, runs of offsets
for the map): the same text and the same offsets, on every text of the real archive and on
random strings, whichever path a text takes (short or long, with or without characters
whose normal form is longer, such as … and ½)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive.ingest import textnorm
from search.highlight import make_snippet, mark_text
from search.normalize import normalize, normalize_with_offset_map, normalize_with_offsets


def reference_normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """The implementation before (one Python step per character where a text holds a
    character whose normal form is longer, a list entry per character), kept as the oracle."""
    table, multi, *_ = textnorm._tables()
    if multi is not None and multi.search(text):
        pieces, origin = [], []
        for i, ch in enumerate(text):
            out = table.get(ord(ch), ch)
            pieces.append(out)
            origin.extend([i] * len(out))
        mapped = "".join(pieces)
    else:
        mapped = text.translate(table)
        origin = None
    parts: list[str] = []
    omap: list[int] = []
    pos = 0
    for m in re.finditer(r"\s+", mapped):
        parts.append(mapped[pos : m.start()])
        omap.extend(origin[pos : m.start()] if origin is not None else range(pos, m.start()))
        rep = _reference_space_replacement(mapped, m)
        if rep:
            parts.append(rep)
            omap.append(origin[m.start()] if origin is not None else m.start())
        pos = m.end()
    parts.append(mapped[pos:])
    omap.extend(origin[pos:] if origin is not None else range(pos, len(mapped)))
    omap.append(len(text))
    norm = "".join(parts)
    start = len(norm) - len(norm.lstrip("\n"))
    end = len(norm.rstrip("\n"))
    out_parts, out_map, pos = [], [], start
    for m in re.compile(r"\n\n+").finditer(norm, start, end):
        out_parts.append(norm[pos : m.start() + 1])
        out_map.extend(omap[pos : m.start() + 1])
        pos = m.end()
    out_parts.append(norm[pos:end])
    out_map.extend(omap[pos:end])
    out_map.append(omap[-1])
    return "".join(out_parts), out_map


def _reference_space_replacement(norm: str, m: re.Match) -> str:
    run = m.group()
    if "\n" in run or "\r" in run or "\u2028" in run or "\u2029" in run:
        return "\n"
    start, end = m.start(), m.end()
    before = norm[start - 1] if start > 0 else "\n"
    after = norm[end] if end < len(norm) else "\n"
    cjk = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\U00020000-\U0003134f]")
    if before == "\n" or after == "\n" or cjk.match(before) or cjk.match(after):
        return ""
    return " "


def assert_same_as_before(text: str) -> None:
    expected_norm, expected_map = reference_normalize_with_offsets(text)
    norm, omap = normalize_with_offsets(text)
    assert norm == expected_norm
    assert omap == expected_map
    assert normalize(text) == expected_norm
    lazy_norm, lazy = normalize_with_offset_map(text)
    assert lazy_norm == expected_norm and len(lazy) == len(expected_map)
    assert [lazy[i] for i in range(len(lazy))] == expected_map  # look-ups, one by one
    assert list(lazy) == expected_map and lazy[-1] == len(text)


# Pieces of the texts the archive holds and of what strangers type: CJK and traditional
# characters, full-width forms, characters whose normal form is longer (…, ½, ㎡, ﬁ, ①),
# every kind of space and line break, astral characters and a lone surrogate.
PIECES = [
    "营商环境",
    "營商環境",
    "６.５％",
    "ＧＤＰ",
    "PM2.5",
    "…",
    "½",
    "㎡",
    "ﬁ",
    "①",
    "一九五○年",
    "5—6%",
    " ",
    "  ",
    "\u3000",
    "\u00a0",
    "\n",
    "\r\n",
    "\n \n",
    "\u2028",
    "\t",
    "\x0b",
    "\x85",
    "new york",
    "𠀀",
    "\udcff",
    "，",
    "。",
    "A",
]

pieces = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
# Long texts too (the arrays' path starts at textnorm._BULK characters): pieces repeated.
texts = pieces | st.tuples(st.lists(pieces, min_size=1, max_size=4), st.integers(1, 40)).map(
    lambda t: "".join(t[0]) * t[1]
)


@settings(max_examples=400, deadline=None)
@given(texts)
@example("…" + "营商环境，" * 60)  # long, one expanding character at the start
@example("\n\n" + "发展" * 200 + "…\n")  # long, line breaks at both edges
@example("")
def test_random_texts_normalise_as_before(text):
    assert_same_as_before(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600))
def test_any_unicode_normalises_as_before(text):
    assert_same_as_before(text)


def test_the_offset_map_refuses_what_a_list_refuses():
    _, lazy = normalize_with_offset_map("营商 环境")
    with pytest.raises(IndexError):
        lazy[len(lazy)]
    assert lazy[1:3] == list(lazy)[1:3]


@pytest.mark.django_db
def test_every_text_of_the_real_archive_normalises_as_before(real_archive):
    from archive.models import ReportVersion, Section
    from search.search_indexes import attach_units

    seen = 0
    for version in ReportVersion.objects.all():
        assert_same_as_before(version.text)
        sections = list(Section.objects.filter(version=version))
        attach_units(version, sections)
        for section in sections:
            assert_same_as_before(section.search_unit_text)
            seen += 1
    assert seen > 1000


@pytest.mark.django_db
def test_snippets_and_marks_on_the_real_archive_are_those_of_the_list_offsets(real_archive):
    """make_snippet and mark_text look offsets up in the map; the same look-ups in the full
    list give the same pieces."""
    from archive.models import Section
    from search.search_indexes import attach_units

    sections = list(Section.objects.select_related("version")[:400])
    for section in sections:
        attach_units(section.version, [section])
        text = section.search_unit_text
        norm = normalize(text)
        for term in {norm[i : i + 2] for i in range(0, len(norm) - 2, max(1, len(norm) // 5))}:
            term = term.strip()
            if not term:
                continue
            snippet = make_snippet(text, [term])
            assert snippet.marked and all(normalize(m) == term for m in snippet.marked)
            pieces = mark_text(text, [term])
            assert "".join(t for t, _ in pieces) == text
            assert all(normalize(t) == term for t, m in pieces if m)
