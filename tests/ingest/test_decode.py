"""Decoding loses nothing: real GB18030 and UTF-8 reports with a few damaged bytes are read
with replacement characters and a warning; truly binary files are still refused."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from archive.ingest.decode import decode_bytes
from archive.ingest.pipeline import parse_file
from archive.ingest.result import IngestError

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
GB18030_REPORT = CORPUS / "district" / "hailaer_2012.gbk.txt"  # original bytes, GB18030, CRLF


def damaged(data: bytes, at: list[float], junk: bytes = b"\xff") -> bytes:
    """`data` with a stray byte put in at each fraction of its length."""
    out = bytearray(data)
    for where in sorted(at, reverse=True):
        out[int(len(out) * where) : int(len(out) * where)] = junk
    return bytes(out)


def test_two_stray_bytes_in_a_real_gb18030_report_are_read_with_a_warning():
    original = GB18030_REPORT.read_bytes()
    clean = parse_file(original, GB18030_REPORT.name)
    broken = damaged(original, [0.3, 0.7])
    parsed = parse_file(broken, GB18030_REPORT.name)
    assert parsed.encoding == "gb18030"
    # Each stray byte costs a replacement character or two (it shifts the two-byte pairs
    # until they fall into step again): a few, never the file.
    assert 2 <= parsed.text.count("\ufffd") <= 6
    # Everything else reads as the clean copy does: the same place, year and text around.
    assert parsed.place and clean.place and parsed.place.name == clean.place.name
    assert parsed.year == clean.year == 2012
    quarter = len(clean.text) // 4
    assert parsed.text.startswith(clean.text[:quarter])
    assert parsed.text.endswith(clean.text[-quarter:])
    assert abs(len(parsed.text) - len(clean.text)) <= 6
    assert any("无法按 GB18030 解码" in w and "byte for byte" in w for w in parsed.warnings)
    assert not any("无法" in w and "解码" in w for w in clean.warnings)


def test_a_utf8_report_cut_mid_character_is_read_with_a_warning(seed_bytes):
    data = seed_bytes["001_46ac5d44bafe418d.txt"]
    cut = data[: len(data) // 2 + 1]  # very likely inside a three-byte character
    while True:
        try:
            cut.decode("utf-8")
        except UnicodeDecodeError:
            break
        cut = cut[:-1]
    warnings: list[str] = []
    text, encoding = decode_bytes(cut, warnings)
    assert encoding == "utf-8" and text.endswith("\ufffd") and warnings


@pytest.mark.parametrize(
    "name,data",
    [
        ("random.txt", bytes((i * 7919 + 13) % 256 for i in range(20000))),
        ("deflated.txt", zlib.compress(GB18030_REPORT.read_bytes())),
        ("png.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 50),
    ],
    ids=["random bytes", "deflated report", "png"],
)
def test_a_truly_binary_file_is_still_refused(name, data):
    with pytest.raises(IngestError, match="二进制|binary|图片|image"):
        parse_file(data, name)


def test_too_many_bad_bytes_are_not_waved_through():
    original = GB18030_REPORT.read_bytes()
    # One bad byte in every hundred: a different encoding or a damaged file, not a few strays.
    broken = damaged(original, [i / 400 for i in range(1, 400)])
    warnings: list[str] = []
    try:
        text, _ = decode_bytes(broken, warnings)
    except IngestError:
        return
    assert not any("U+FFFD" in w for w in warnings)


def test_text_nested_deeper_than_the_html_parser_goes_is_read_with_a_warning():
    """libxml2 silently drops text nested past its depth limit."""
    body = "各位代表：现在，我代表区人民政府向大会作工作报告，请予审议。" * 20
    page = (
        "<html><head><title>河西区政府工作报告</title></head><body><p>开头。</p>"
        + "<div>" * 5000
        + f"<p>{body}</p>"
        + "</div>" * 5000
        + "</body></html>"
    )
    parsed = parse_file(page.encode("utf-8"), "deep.html")
    assert parsed.text.count("各位代表") == 20
    assert any("嵌套过深" in w for w in parsed.warnings)


def test_real_reports_saved_as_ordinary_html_pages_get_no_depth_warning():
    """Real corpus texts in a page with the usual chrome (script, style, navigation, nested
    layout divs): read by the tree as before, no warning."""
    import html as htmlmod

    paths = sorted(p for p in CORPUS.rglob("*.txt") if "not-reports" not in p.parts)[::6]
    assert len(paths) >= 8
    for path in paths:
        text = path.read_bytes().decode("gb18030" if ".gbk." in path.name else "utf-8")
        page = (
            "<html><head><meta charset='utf-8'><title>政府工作报告</title>"
            "<style>.x{color:red}</style><script>var a='<div>';</script></head><body>"
            "<nav><a href='/'>首页</a> <a href='/zw/'>政务公开</a></nav>"
            + "<div class='wrap'>" * 12
            + "".join(
                f"<p>{htmlmod.escape(line)}</p>\n" for line in text.split("\n") if line.strip()
            )
            + "</div>" * 12
            + "<footer>版权所有</footer></body></html>"
        )
        parsed = parse_file(page.encode("utf-8"), path.stem + ".html")
        assert not any("嵌套过深" in w for w in parsed.warnings), path.name
