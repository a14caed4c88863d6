"""The ingest pipeline: bytes of an uploaded file -> ParseResult. No Django here.

    parse_file(data, filename)
      extract    (extract.py: format sniffing, decoding, docx/pdf/html text)
      chrome     (chrome.py: site chrome away, copy metadata kept)
      reflow     (structure.py: sentences broken over lines re-joined)
      metadata   (metadata.py + gazetteer.py: place, year, kind, dates, meeting, speaker)
      structure  (structure.py: section tree, paragraphs)
      commitments (commitments.py, owned separately)

Every offset in the result refers to ParseResult.text. Bad input raises IngestError with a
message for the editor; no other exception type leaves parse_file.
"""

from __future__ import annotations

import logging
import re

from . import metadata as meta_mod
from . import structure
from .chrome import strip_chrome
from .extract import extract
from .result import Commitment, IngestError, ParseResult, Section
from .textnorm import for_matching, nfkc

PIPELINE_VERSION = "2026.11.1"

log = logging.getLogger(__name__)

try:  # the commitments module is written by another hand; run without it until it exists
    from .commitments import extract_commitments as _extract_commitments
except ImportError:  # pragma: no cover - depends on the tree
    _extract_commitments = None


def _commitments(text: str, sections: list[Section]) -> tuple[list[Commitment], list[str]]:
    global _extract_commitments
    if _extract_commitments is None:
        try:
            from .commitments import extract_commitments as fn
        except ImportError:
            return [], []
        _extract_commitments = fn
    try:
        return _extract_commitments(text, sections)
    except Exception as e:  # a commitments bug must not lose the whole parse
        log.exception("commitment extraction failed")
        return [], [f"指标承诺提取失败 (commitment extraction failed: {type(e).__name__}: {e})"]


def _title(
    lines: list[str], container_title: str | None, original_title: str | None
) -> tuple[str, int]:
    """The document's own title: the first short line(s) before the body. Returns (title, index)."""
    for i, line in enumerate(lines[:8]):
        s = line.strip()
        if not s:
            continue
        n = nfkc(s)
        if n.startswith(("各位代表", "代表们")) or len(n) > 80 or n.startswith(("——", "--", "—")):
            break
        spaced = structure.letter_spaced_title(s)
        if spaced:
            return spaced, i
        if structure.H1.match(s) or structure.H2.match(s):
            break
        if len(re.findall(r"[\u4e00-\u9fff]", s)) < 4:
            continue
        return s, i
    return (original_title or container_title or "").strip(), -1


def parse_file(data: bytes, filename: str) -> ParseResult:
    if data is None or not isinstance(data, (bytes, bytearray)):
        raise IngestError("没有收到文件内容 (no file content)")
    if not bytes(data).strip():
        raise IngestError("文件是空的 (empty file)")
    try:
        return _parse(bytes(data), filename or "")
    except IngestError:
        raise
    except Exception as e:  # the contract: bad input never escapes as another type
        log.exception("ingest pipeline failed on %s", filename)
        raise IngestError(
            f"无法解析该文件 (the file could not be parsed: {type(e).__name__}: {e})"
        ) from None


def _parse(data: bytes, filename: str) -> ParseResult:
    ex = extract(data, filename)
    warnings = list(ex.warnings)
    if not re.search(r"[\u4e00-\u9fff]", ex.text):
        raise IngestError(
            "文件里没有中文文字，看起来不是一份报告 (no Chinese text found: not a report)"
        )
    stripped = strip_chrome(ex.text)
    lines = structure.reflow(stripped.lines, aggressive=ex.kind == "pdf")
    text, spans, heads = structure.build(lines)
    if not text.strip():
        raise IngestError(
            "去掉网页框架后没有剩下正文 (nothing left after removing the site chrome)"
        )

    title, title_idx = _title(lines, ex.title, stripped.original_title)
    match_text = for_matching(text)
    head = meta_mod.COMPACT_WS.sub("", for_matching(text[:1500]))
    hints = meta_mod.COMPACT_WS.sub("", for_matching("\n".join(stripped.hints)))
    mtitle = for_matching(title)

    meeting, meeting_year = meta_mod.find_meeting(head + "\n" + hints, match_text)
    delivered = meta_mod.find_delivered(head, hints, warnings)
    meta_mod.corrupted_date_note(head, delivered, warnings)
    place = meta_mod.find_place(head + "\n" + hints, match_text, mtitle, warnings)
    headings = [for_matching(h.title) for h in heads if h.rank <= 1]
    year = meta_mod.find_year(mtitle, delivered, meeting_year, match_text, warnings, headings)
    removed_kinds = {k for k, _ in stripped.removed}
    doc_type = meta_mod.find_doc_type(mtitle, match_text, removed_kinds)
    speaker = meta_mod.find_speaker(head)
    if place is None and not any("地点" in w for w in warnings):
        warnings.append(
            "文中没有写明地点，地点留空 (the text does not say where it is from: place unknown)"
        )
    if year is None:
        warnings.append(
            "文中没有写明年份，年份留空 (the text does not say which year: year unknown)"
        )

    if not title:
        bits = [
            f"{year}年" if year else "",
            place.name if place else "",
            "政府工作报告" if doc_type.startswith("work_report") else "文件",
        ]
        title = "".join(bits)
    sections = structure.sections_from(text, heads, year)
    paragraphs = structure.paragraphs_from(text, spans, heads, sections)
    commitments, c_warnings = _commitments(text, sections)
    warnings.extend(c_warnings)

    source = stripped.source
    if not source.published and ex.published:
        source.published = ex.published[:10]
    if not source.publisher and ex.publisher:
        source.publisher = ex.publisher
    if ex.url:
        source.url = ex.url
    return ParseResult(
        title=title,
        place=place,
        year=year,
        doc_type=doc_type,
        published=source.published,
        delivered=delivered,
        meeting=meeting,
        text=text,
        sections=sections,
        paragraphs=paragraphs,
        commitments=list(commitments),
        warnings=warnings,
        speaker=speaker,
        source=source,
        media_type=ex.media_type,
        encoding=ex.encoding,
    )
