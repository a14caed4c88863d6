"""Bad files get a clear IngestError (Chinese with English), never another exception."""

from __future__ import annotations

import importlib
import io
import os
import random
import zipfile

import pytest

from archive.ingest.pipeline import parse_file
from archive.ingest.result import IngestError

from .helpers import report


def _error(data, name):
    with pytest.raises(IngestError) as info:
        parse_file(data, name)
    msg = str(info.value)
    assert any("\u4e00" <= c <= "\u9fff" for c in msg) and any(
        c.isascii() and c.isalpha() for c in msg
    ), msg
    return msg


def test_empty():
    assert "empty" in _error(b"", "a.txt")
    assert "empty" in _error(b"  \r\n\t ", "a.txt")


def test_binary_garbage():
    rnd = random.Random(42)
    data = bytes(rnd.randrange(256) for _ in range(5000))
    _error(data, "a.txt")
    _error(os.urandom(3000), "noname")


def test_text_without_chinese():
    assert "Chinese" in _error(b"hello world, this is not a report\n" * 10, "a.txt")


@pytest.mark.parametrize(
    "name,data",
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("sheet.xls", "各位代表".encode()),
        ("archive.rar", b"Rar!\x1a\x07\x00" + b"\x00" * 50),
    ],
)
def test_unknown_or_unsupported_format(name, data):
    _error(data, name)


def test_scanned_pdf_without_text_layer():
    importlib.import_module("reportlab")
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(50, 50, 400, 600, fill=1)  # a page with only graphics, like a scan
    c.showPage()
    c.save()
    assert "OCR" in _error(buf.getvalue(), "scan.pdf")


def test_corrupted_pdf():
    _error(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage", "broken.pdf")
    _error(b"this is not a pdf at all", "broken.pdf")


def test_corrupted_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a word document")
    _error(buf.getvalue(), "broken.docx")
    _error(b"PK\x03\x04" + b"\x00" * 200, "truncated.docx")
    _error("各位代表".encode(), "plain.docx")


def test_truncated_docx():
    docx = importlib.import_module("docx")
    doc = docx.Document()
    doc.add_paragraph("各位代表：")
    out = io.BytesIO()
    doc.save(out)
    _error(out.getvalue()[: len(out.getvalue()) // 2], "half.docx")


def test_only_chrome():
    _error(
        "当前位置：首页 > 新闻\n上一篇：通知\n下一篇：公告\n版权所有 津ICP备123号".encode(), "a.txt"
    )


def test_good_file_still_parses():
    assert parse_file(report().encode("utf-8"), "a.txt").year == 2016


@pytest.mark.parametrize("seed", range(12))
def test_mangled_files_never_raise_another_exception(seed):
    rnd = random.Random(seed)
    docx = importlib.import_module("docx")
    doc = docx.Document()
    for line in report().splitlines():
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    sources = [
        (out.getvalue(), "a.docx"),
        (report().encode("gb18030"), "a.txt"),
        (
            ("<html><body><p>" + report().replace("\n", "</p><p>") + "</p></body></html>").encode(
                "utf-8"
            ),
            "a.html",
        ),
    ]
    data, name = sources[seed % len(sources)]
    data = bytearray(data)
    for _ in range(rnd.randint(1, 40)):
        data[rnd.randrange(len(data))] = rnd.randrange(256)
    if seed % 4 == 0:
        data = data[: rnd.randrange(1, len(data))]
    try:
        parse_file(bytes(data), name)
    except IngestError:
        pass
