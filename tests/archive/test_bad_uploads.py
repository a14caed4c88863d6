"""Malformed, hostile and odd uploads through the editors' upload page.

Every file a stranger could hand an editor must end in a clear message (rejected kinds) or a
correct draft (odd but readable kinds) — never a 500, never a half-stored report, never a file
written outside the media folder.
"""

from __future__ import annotations

import gzip
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.models import Report, SourceFile
from tests.conftest import SEEDS_DIR

pytestmark = pytest.mark.django_db

REPORT_TEXT = (SEEDS_DIR / "001_46ac5d44bafe418d.txt").read_text(encoding="utf-8")


def docx_bytes(document_xml: str, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                'officedocument.wordprocessingml.document.main+xml"/></Types>'
            ),
        )
        z.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_bomb() -> bytes:
    """A .docx whose document part expands from about 300 KB to 300 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                part.write(chunk)
    return buf.getvalue()


def blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


XXE = (
    '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
)

# (name, bytes) that must be rejected with a message and change nothing.
REJECTED = {
    "empty": ("empty.txt", b""),
    "whitespace only": ("blank.txt", b" \r\n\t\r\n   \n"),
    "random binary": ("noise.txt", os.urandom(4096)),
    "ELF executable named .txt": ("report.txt", b"\x7fELF\x02\x01\x01" + b"\0" * 2000),
    "windows executable": ("setup.exe", b"MZ\x90\x00" + b"\0" * 2000),
    "PNG named .pdf": ("report.pdf", b"\x89PNG\r\n\x1a\n" + os.urandom(2000)),
    "0-byte PDF": ("empty.pdf", b""),
    "truncated PDF": ("cut.pdf", b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"),
    "PDF without a text layer": ("scan.pdf", blank_pdf()),
    "encrypted PDF": ("locked.pdf", encrypted_pdf()),
    "zip bomb as .docx": ("bomb.docx", zip_bomb()),
    "truncated .docx": ("cut.docx", docx_bytes("<w:document/>" + "x" * 5000)[:300]),
    "zip without a document part": (
        "other.docx",
        (lambda b: (zipfile.ZipFile(b, "w").writestr("readme.txt", "hello"), b.getvalue())[1])(
            io.BytesIO()
        ),
    ),
    "text named .docx": ("plain.docx", REPORT_TEXT.encode("utf-8")),
    "old Word .doc": ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000),
    "a zip archive": ("reports.zip", docx_bytes("<x/>")),
    "gzip named .txt": ("report.txt", gzip.compress(REPORT_TEXT.encode("utf-8"))),
    "HTML with only scripts": (
        "page.html",
        b"<html><head><script>alert(1)</script></head>"
        b"<body><script>document.write('x')</script></body></html>",
    ),
    "HTML with an empty body": ("page.htm", b"<html><body></body></html>"),
    "SVG with a script": (
        "image.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    ),
    "XXE in a .docx": ("xxe.docx", docx_bytes(XXE)),
    "NUL-riddled text": ("nul.txt", b"\0".join(b"abc" for _ in range(2000))),
    "an unknown extension": ("report.rtf", b"{\\rtf1\\ansi " + REPORT_TEXT.encode("utf-8") + b"}"),
    "no extension": ("report", REPORT_TEXT.encode("utf-8")),
    "javascript file": ("report.js", b"alert('x')"),
}

# Odd but readable: stored as a correct draft.
ACCEPTED = {
    "GB18030 bytes (browsers label it whatever)": ("gbk.txt", REPORT_TEXT.encode("gb18030")),
    "UTF-8 with BOM and CRLF": (
        "bom.txt",
        b"\xef\xbb\xbf" + REPORT_TEXT.replace("\n", "\r\n").encode("utf-8"),
    ),
    "UTF-16 with BOM": ("utf16.txt", REPORT_TEXT.encode("utf-16")),
    "path traversal in the name": ("../../../../etc/cron.d/report.txt", REPORT_TEXT.encode()),
    "Windows path in the name": ("C:\\Users\\x\\..\\report.txt", REPORT_TEXT.encode()),
    "control characters in the name": ("re\x1bport\x07.txt", REPORT_TEXT.encode()),
    "a 300-character name": ("长" * 296 + ".txt", REPORT_TEXT.encode()),
    "upper-case extension": ("REPORT.TXT", REPORT_TEXT.encode()),
    "HTML with a script among the text": (
        "page.html",
        (
            "<html><head><title>河西区政府工作报告</title><script>alert('x')</script></head><body>"
            + "".join(f"<p>{line}</p>" for line in REPORT_TEXT.splitlines() if line.strip())
            + "<script>steal()</script></body></html>"
        ).encode("utf-8"),
    ),
}


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def post(client, name: str, data: bytes):
    return client.post("/upload/", {"files": [SimpleUploadedFile(name, data)]}, follow=True)


def test_there_are_at_least_thirty_kinds():
    assert len(REJECTED) + len(ACCEPTED) >= 30


@pytest.mark.parametrize("kind", sorted(REJECTED))
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(staff_client, kind):
    name, data = REJECTED[kind]
    before = media_files()
    response = post(staff_client, name, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="error"' in page or "errorlist" in page, kind
    assert Report.objects.count() == 0 and SourceFile.objects.count() == 0
    assert media_files() == before


@pytest.mark.parametrize("kind", sorted(ACCEPTED))
def test_an_odd_but_readable_file_is_stored_correctly(staff_client, kind, tmp_path):
    name, data = ACCEPTED[kind]
    response = post(staff_client, name, data)
    assert response.status_code == 200
    report = Report.objects.get()
    version = report.current_version
    assert (
        "各位代表" in version.text
        and "<script" not in version.text
        and "alert(" not in version.text
    )
    assert report.place and report.place.full_name == "天津市河西区", kind
    assert version.source.read_bytes() == data  # byte for byte, whatever the name said
    stored = Path(version.source.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "/" not in version.source.original_name and "\\" not in version.source.original_name
    page = staff_client.get(report.get_short_url()).content.decode()
    assert "<script>steal" not in page and "alert('x')" not in page


def test_a_file_over_the_size_limit_is_refused(staff_client, settings):
    settings.ARCHIVE_MAX_UPLOAD_BYTES = 1000
    response = post(staff_client, "big.txt", REPORT_TEXT.encode())
    assert "文件过大" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_post_without_a_file_asks_for_one(staff_client):
    response = staff_client.post("/upload/", {})
    assert response.status_code == 200 and "errorlist" in response.content.decode()


def test_a_gb18030_report_with_stray_bytes_is_kept_and_warned_about(staff_client):
    corpus = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    original = (corpus / "district" / "hailaer_2013.gbk.txt").read_bytes()
    middle = len(original) // 2
    damaged = original[:middle] + b"\xff\xfe" + original[middle:]
    response = post(staff_client, "hailaer_2013.txt", damaged)
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.year == 2013
    assert report.current_version.source.read_bytes() == damaged  # byte for byte
    review = staff_client.get(f"/r/{report.public_id}/review/").content.decode()
    assert "无法按 GB18030 解码" in review and "U+FFFD" in review
