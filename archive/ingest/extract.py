"""Bytes of an uploaded file -> plain text (one paragraph per line) and what the file says of itself.

Formats are recognised by their content first (magic bytes), by the file name second:
- .txt: decode.py (UTF-8/BOM, UTF-16, GB18030, charset-normalizer for the rest);
- .html/.htm: trafilatura's main-text extraction (navigation, footers and comments away),
  falling back to lxml's whole-body text when trafilatura finds too little;
- .docx: python-docx, body paragraphs and table cells in document order;
- .pdf: pypdf's text layer; a PDF without one (a scan) is refused with a clear message.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from .decode import decode_bytes, looks_binary, normalise_newlines
from .result import IngestError

MEDIA_TYPES = {
    "txt": "text/plain",
    "html": "text/html",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}

_TEXT_EXT = {".txt", ".text", ".md", ".csv", ""}
_HTML_EXT = {".html", ".htm", ".xhtml", ".shtml", ".mht"}
_KNOWN_BINARY = {
    b"\xd0\xcf\x11\xe0": "旧版 Office 文件 (.doc/.xls/.wps) 不支持，请另存为 .docx 或 PDF (legacy OLE Office file: save it as .docx or PDF)",
    b"\x89PNG": "这是图片文件 (PNG)，不是报告文本 (an image, not a report text)",
    b"\xff\xd8\xff": "这是图片文件 (JPEG)，不是报告文本 (an image, not a report text)",
    b"GIF8": "这是图片文件 (GIF)，不是报告文本 (an image, not a report text)",
    b"Rar!": "这是压缩包 (RAR)，请先解压 (a RAR archive: unpack it first)",
    b"\x1f\x8b": "这是压缩包 (gzip)，请先解压 (a gzip archive: unpack it first)",
    b"7z\xbc\xaf": "这是压缩包 (7z)，请先解压 (a 7z archive: unpack it first)",
    b"{\\rtf": "RTF 格式不支持，请另存为 .docx (RTF is not supported: save it as .docx)",
}


@dataclass
class Extracted:
    text: str
    kind: str  # txt / html / docx / pdf
    encoding: str | None = None
    title: str | None = None  # what the container says (HTML <title>, docx core title)
    published: str | None = None
    publisher: str | None = None
    url: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


def _ext(filename: str) -> str:
    name = (filename or "").lower().rsplit("/", 1)[-1]
    return "." + name.rsplit(".", 1)[-1] if "." in name else ""


# extensions that are never read as text, whatever the content looks like
_NOT_TEXT_EXT = {".doc", ".xls", ".ppt", ".wps", ".rtf", ".odt", ".epub", ".zip", ".exe"}


def sniff(data: bytes, filename: str) -> str:
    ext = _ext(filename)
    head = data[:1024]
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data, ext)
    _refuse_binary(head, ext)
    if ext in _HTML_EXT:
        return "html"
    kind = _text_kind(data, head, ext)
    if kind is None:
        raise IngestError(
            f"不支持的文件格式 “{ext or filename}”：请上传 .txt、.html、.docx 或 .pdf "
            f"(unknown format {ext or filename!r}: upload .txt, .html, .docx or .pdf)"
        )
    return kind


def _zip_kind(data: bytes, ext: str) -> str:
    """A zip package is a .docx unless its name says it is another kind of package."""
    if ext == ".docx" or b"word/" in data[:65536] or ext not in {".zip", ".xlsx", ".pptx", ".odt"}:
        return "docx"
    raise IngestError(
        f"不支持的压缩/Office 格式 {ext} (unsupported format {ext}: upload .txt, .html, .docx or .pdf)"
    )


def _refuse_binary(head: bytes, ext: str) -> None:
    """Images, archives and old Office files, and a .docx or .pdf whose content is not one,
    are refused with a message that says what the file is."""
    for magic, msg in _KNOWN_BINARY.items():
        if head.startswith(magic):
            raise IngestError(msg)
    if ext == ".docx":
        raise IngestError(
            "文件扩展名是 .docx，但内容不是有效的 Word 文档，文件可能已损坏 (corrupted .docx: not a zip package)"
        )
    if ext == ".pdf":
        raise IngestError(
            "文件扩展名是 .pdf，但内容不是有效的 PDF，文件可能已损坏 (corrupted PDF: no PDF header)"
        )


def _text_kind(data: bytes, head: bytes, ext: str) -> str | None:
    """ "html" for markup whatever the name, "txt" for a text file's name; None otherwise."""
    if ext in _NOT_TEXT_EXT:
        return None
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<?xml")) or (
        b"<html" in lowered[:512] and b"<body" in data[:65536].lower()
    ):
        return "html"
    if ext in _TEXT_EXT or ext in {".log", ".json"}:
        return "txt"
    return None


def extract(data: bytes, filename: str) -> Extracted:
    kind = sniff(data, filename)
    if kind == "pdf":
        return _pdf(data)
    if kind == "docx":
        return _docx(data)
    decoding: list[str] = []
    text, encoding = decode_bytes(data, decoding)
    if kind == "html":
        extracted = _html(text, encoding)
        extracted.warnings[:0] = decoding
        return extracted
    if looks_binary(text):
        raise IngestError("文件内容像是二进制数据，不是文本 (binary data, not text)")
    return Extracted(text=text, kind="txt", encoding=encoding, warnings=decoding)


# --- docx ---------------------------------------------------------------------------------


def _docx(data: bytes) -> Extracted:
    try:
        import docx  # python-docx

        # the parts _docx_lines reads with: imported here, so a missing one is reported as missing
        import docx.table
        import docx.text.paragraph
    except ImportError as e:  # pragma: no cover - declared in requirements
        raise IngestError(
            f"缺少 python-docx，无法读取 .docx (python-docx is not installed: {e})"
        ) from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "word/document.xml" not in zf.namelist():
                raise IngestError(
                    "这个压缩包不是 Word 文档 (a zip file without word/document.xml: not a .docx)"
                )
        document = docx.Document(io.BytesIO(data))
        lines = _docx_lines(document)
        title = (document.core_properties.title or "").strip() or None
    except IngestError:
        raise
    except Exception as e:  # zipfile/lxml/python-docx raise many kinds
        raise IngestError(
            f"Word 文档已损坏或无法读取 (corrupted .docx: {type(e).__name__}: {e})"
        ) from None
    text = normalise_newlines("\n".join(lines).replace("\x0b", "\n"))
    if not text.strip():
        raise IngestError("Word 文档里没有文字 (the .docx contains no text)")
    return Extracted(text=text, kind="docx", title=title)


def _docx_lines(document) -> list[str]:
    """Body paragraphs and table rows in document order, a row's cells joined by tabs."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            lines.extend(_table_row_text(row) for row in Table(child, document).rows)
    return lines


def _table_row_text(row) -> str:
    """A row's cells, tab-separated; a merged cell (the same text twice running) once."""
    cells: list[str] = []
    for cell in row.cells:
        t = cell.text.strip()
        if t and (not cells or cells[-1] != t):
            cells.append(t)
    return "\t".join(cells)


# --- pdf ----------------------------------------------------------------------------------

_PAGE_NO = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4}|\d{1,4})\s*$"
)


def _pdf(data: bytes) -> Extracted:
    pages, title = _pdf_pages(data)
    if not pages:
        raise IngestError("PDF 没有页面 (the PDF has no pages)")
    chars = sum(len(re.sub(r"\s", "", p)) for p in pages)
    if chars < 20 * len(pages):
        raise IngestError(
            "PDF 没有文字层，可能是扫描件，请先做文字识别 (OCR) 再上传 "
            "(scanned PDF without a text layer: run OCR first)"
        )
    lines = [
        line
        for page in pages
        for line in normalise_newlines(page).split("\n")
        if not _PAGE_NO.match(line)
    ]
    return Extracted(
        text="\n".join(lines),
        kind="pdf",
        title=title,
        warnings=["PDF 的换行已按句子重新拼接 (PDF line breaks were re-joined into paragraphs)"],
    )


def _pdf_pages(data: bytes) -> tuple[list[str], str | None]:
    """The text layer of every page, and the title the document's metadata gives."""
    try:
        from pypdf import PdfReader
    except ImportError as e:  # pragma: no cover
        raise IngestError(f"缺少 pypdf，无法读取 PDF (pypdf is not installed: {e})") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise IngestError(
                    "PDF 已加密，无法读取 (encrypted PDF: remove the password first)"
                ) from None
        pages = [page.extract_text() or "" for page in reader.pages]
        return pages, _pdf_title(reader)
    except IngestError:
        raise
    except Exception as e:  # pypdf raises many kinds on broken files
        raise IngestError(
            f"PDF 已损坏或无法读取 (corrupted PDF: {type(e).__name__}: {e})"
        ) from None


def _pdf_title(reader) -> str | None:
    # broken metadata must not lose a readable text layer
    try:
        if reader.metadata and reader.metadata.title:
            return str(reader.metadata.title).strip() or None
    except Exception:
        return None
    return None


# --- html ---------------------------------------------------------------------------------


_BLOCK_ELEMENTS = {
    "p",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "table",
}


@dataclass
class _PageReading:
    """What trafilatura reads from a page: its main text and what its head says of it."""

    main: str | None = None
    title: str | None = None
    published: str | None = None
    publisher: str | None = None
    url: str | None = None


def _html(html: str, encoding: str | None) -> Extracted:
    title, body_text = _tree_text(html)
    page = _trafilatura_reading(html)
    title = page.title or title
    body_text = normalise_newlines(body_text)
    published, publisher = _stated_source(body_text, page.published, page.publisher)
    main = page.main
    warnings: list[str] = []
    # libxml2 stops descending past a fixed depth and drops whatever is nested deeper, without
    # an error: text thousands of <div>s deep vanished. Compare with a plain reading of the
    # markup (tags stripped) and take that when the tree lost a real share of the text.
    plain = _strip_tags(html)
    if _cjk_count(plain) > 1.05 * _cjk_count(body_text) + 20:
        warnings.append(
            "网页嵌套过深，解析器读不到的文字已按去除标签的方式读取，请核对段落。"
            " (The HTML is nested too deeply for the parser; the text it could not reach was read "
            "by stripping the tags: check the paragraphs.)"
        )
        body_text = plain
        main = None
    # trafilatura sometimes keeps only a fragment of long official pages; measure and fall back.
    if main and _cjk_count(main) >= 0.5 * _cjk_count(body_text):
        text = normalise_newlines(main)
    else:
        text = body_text
    if not text.strip():
        raise IngestError("网页里没有正文文字 (the HTML page has no text)")
    title, text = _with_page_title(title, text)
    return Extracted(
        text=text,
        kind="html",
        encoding=encoding,
        title=title,
        published=published,
        publisher=publisher,
        url=page.url,
        warnings=warnings,
    )


def _cjk_count(s: str | None) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", s or ""))


def _tree_text(html: str) -> tuple[str | None, str]:
    """The page's <title> and its whole body text, one block element per line, read through
    lxml; broken markup falls back to tag stripping."""
    title = None
    try:
        from lxml import html as lhtml

        tree = lhtml.fromstring(
            html.encode("utf-8"), parser=lhtml.HTMLParser(encoding="utf-8", remove_comments=True)
        )
        t = tree.findtext(".//title")
        title = t.strip() if t and t.strip() else None
        for bad in tree.xpath("//script|//style|//noscript|//template"):
            bad.drop_tree()
        for el in tree.iter():
            _break_lines_around(el)
        body = tree.find(".//body")
        return title, (body if body is not None else tree).text_content()
    except Exception:  # broken markup: fall back to tag stripping
        return title, re.sub(r"<[^>]+>", "\n", html)


def _break_lines_around(el) -> None:
    """A line break after <br> and around block elements, so text_content() keeps the lines."""
    if el.tag in {"br"}:
        el.tail = "\n" + (el.tail or "")
    if el.tag in _BLOCK_ELEMENTS:
        el.tail = "\n" + (el.tail or "")
        if el.text:
            el.text = "\n" + el.text


def _trafilatura_reading(html: str) -> _PageReading:
    page = _PageReading()
    try:
        import trafilatura

        page.main = trafilatura.extract(
            html,
            output_format="txt",
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            deduplicate=False,
            with_metadata=False,
        )
        meta = trafilatura.extract_metadata(html)
        if meta is not None:
            _read_head_metadata(html, meta, page)
    except Exception:
        page.main = None
    return page


def _read_head_metadata(html: str, meta, page: _PageReading) -> None:
    page.published = getattr(meta, "date", None) or None
    # htmldate also guesses from the body text ("2009年" -> 2009-01-01); keep only a date
    # the page states in its head (meta tags), the 发布时间 lines are read below
    head_end = html.lower().find("</head>")
    if page.published and (head_end < 0 or page.published[:10] not in html[:head_end]):
        page.published = None
    page.publisher = getattr(meta, "sitename", None) or None
    page.url = getattr(meta, "url", None) or None
    if getattr(meta, "title", None):
        page.title = meta.title


def _stated_source(
    body_text: str, published: str | None, publisher: str | None
) -> tuple[str | None, str | None]:
    """The page's own 发布时间/来源 lines (often outside the main text) say more than htmldate's
    guess: (published, publisher) with theirs first."""
    try:
        from .chrome import _meta_line
        from .result import SourceMeta

        page_meta = SourceMeta()
        for line in body_text.split("\n"):
            if line.strip() and len(line) <= 120:
                _meta_line(line, page_meta)
        return page_meta.published or published, page_meta.publisher or publisher
    except Exception:
        return published, publisher


def _with_page_title(title: str | None, text: str) -> tuple[str | None, str]:
    """ "<report title>_<site name>" / "<title> - <site>": the title part, put before the text
    when the text does not start with it."""
    if not title:
        return title, text
    parts = [p.strip() for p in re.split(r"\s*[_|｜]\s*|\s+[-—]\s+", title) if p.strip()]
    title = parts[0] if parts else title
    first = next((ln.strip() for ln in text.split("\n") if ln.strip()), "")
    if (
        title
        and re.sub(r"\s", "", title) not in re.sub(r"\s", "", first)
        and len(title) <= 60
        and len(re.findall(r"[\u4e00-\u9fff]", title)) >= 4
    ):
        text = title + "\n" + text
    return title, text


_BLOCK_TAG = re.compile(r"<\s*/?\s*(?:p|div|br|li|tr|h[1-6]|section|article|table)\b[^>]*>", re.I)
_HIDDEN = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)


def _strip_tags(html: str) -> str:
    """The page's text without a tree: hidden elements dropped, block tags as line breaks,
    other tags removed, entities decoded. Depth does not matter to it."""
    import html as htmllib

    text = _HIDDEN.sub(" ", html)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    head_end = re.search(r"</head\s*>", text, re.I)
    if head_end:
        text = text[head_end.end() :]
    text = _BLOCK_TAG.sub("\n", text)
    text = re.sub(r"<[^>]*>", "", text)
    return normalise_newlines(htmllib.unescape(text))
