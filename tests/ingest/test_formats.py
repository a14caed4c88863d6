"""Every format and encoding an editor may upload."""

from __future__ import annotations

import importlib
import io

import pytest

from archive.ingest.pipeline import parse_file

from .helpers import SEEDS_DIR, body, report


def _check(r):
    assert r.place is not None and r.place.name == "天津市河西区" and r.place.code == "120103"
    assert r.year == 2016
    assert "各位代表" in r.text
    assert [s.title for s in r.sections if s.level == 1] == ["2015年工作回顾", "2016年工作安排"]


@pytest.mark.parametrize(
    "encoding,bom",
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("gb18030", b""),
        ("gbk", b""),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
        ("utf-16-le", b""),
    ],
)
def test_text_encodings(encoding, bom):
    data = bom + report().encode(encoding)
    r = parse_file(data, "report.txt")
    _check(r)
    assert "\ufeff" not in r.text


def test_crlf_and_cr_line_ends():
    r = parse_file(report().replace("\n", "\r\n").encode("gb18030"), "report.txt")
    _check(r)
    assert "\r" not in r.text
    r = parse_file(report().replace("\n", "\r").encode("utf-8"), "report.txt")
    assert "\r" not in r.text and len([s for s in r.sections if s.level == 1]) == 2


def test_big5_via_charset_normalizer():
    text = (
        "政府工作報告\n各位代表：\n現在，我代表臺北市政府向大會報告工作。"
        + "我們堅持穩中求進，推動經濟社會持續健康發展，各項事業取得新進展。" * 20
    )
    r = parse_file(text.encode("big5"), "report.txt")
    assert "各位代表" in r.text and r.encoding


def test_gb18030_seed_file_from_corpus_form():
    data = (
        (SEEDS_DIR / "001_46ac5d44bafe418d.txt")
        .read_text(encoding="utf-8")
        .replace("\n", "\r\n")
        .encode("gb18030")
    )
    r = parse_file(data, "001.txt")
    assert r.encoding == "gb18030" and r.place.name == "天津市河西区" and r.year == 2016


def test_original_characters_kept():
    text = report().replace("请予审议。", "请予审议,并请政协委员提出意见(见附件)。")
    r = parse_file(text.encode("utf-8"), "a.txt")
    assert "请予审议,并请政协委员提出意见(见附件)。" in r.text  # no NFKC on the stored text


HTML = """<!DOCTYPE html><html><head><meta charset="{charset}"><title>河西区政府工作报告_河西区人民政府网</title></head>
<body><div class="nav"><a href="/">首页</a> | <a href="/zwgk">政务公开</a> | <a href="/xwzx">新闻中心</a></div>
<div class="crumb">您现在的位置：首页 &gt; 政务公开 &gt; 规划计划</div>
<div class="article"><h1>河西区政府工作报告</h1>
<div class="info">发布时间：2016-01-20 信息来源：区政府办公室 【字体：大 中 小】 【打印本页】 【关闭窗口】</div>
{paragraphs}
</div>
<div class="share">分享到： 微信 微博 QQ空间</div>
<div>上一篇：关于做好春节期间安全工作的通知</div><div>下一篇：河西区召开经济工作会议</div>
<div class="footer">版权所有：天津市河西区人民政府 津ICP备05001234号 津公网安备 12010302000123号</div>
<script>var x = "不是正文";</script>
</body></html>"""


@pytest.mark.parametrize("charset,encoding", [("utf-8", "utf-8"), ("gb2312", "gb18030")])
def test_html_main_text(charset, encoding):
    paragraphs = "\n".join(f"<p>{line}</p>" for line in report().splitlines() if line.strip())
    data = HTML.format(charset=charset, paragraphs=paragraphs).encode(encoding)
    r = parse_file(data, "report.html")
    _check(r)
    for chrome in (
        "您现在的位置",
        "分享到",
        "上一篇",
        "ICP备",
        "公网安备",
        "不是正文",
        "打印本页",
        "新闻中心",
    ):
        assert chrome not in r.text, chrome
    assert r.published == "2016-01-20"
    assert r.media_type == "text/html"


def test_html_sniffed_without_extension():
    paragraphs = "\n".join(f"<p>{line}</p>" for line in report().splitlines() if line.strip())
    r = parse_file(HTML.format(charset="utf-8", paragraphs=paragraphs).encode("utf-8"), "download")
    _check(r)


def _docx_bytes(lines, table=None):
    docx = importlib.import_module("docx")
    doc = docx.Document()
    for line in lines:
        doc.add_paragraph(line)
    if table:
        t = doc.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = cell
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def test_docx():
    lines = ["2016年河西区政府工作报告", "来源：河西报"] + [
        ln for ln in report().splitlines() if ln.strip()
    ]
    r = parse_file(
        _docx_bytes(lines, table=[["指标", "目标"], ["地区生产总值", "增长9%"]]), "report.docx"
    )
    _check(r)
    assert r.title == "2016年河西区政府工作报告"
    assert "来源：河西报" not in r.text and r.source.publisher == "河西报"
    assert "地区生产总值\t增长9%" in r.text
    assert r.media_type.endswith("wordprocessingml.document")


def _pdf_bytes(lines):
    importlib.import_module("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        c.drawString(40, y, line)
        y -= 18
        if y < 60:
            c.showPage()
            c.setFont("STSong-Light", 11)
            y = 800
    c.drawString(280, 30, "- 1 -")
    c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_with_text_layer():
    lines = []
    for line in report().splitlines():
        # wrap long lines the way a PDF page does
        while len(line) > 30:
            lines.append(line[:30])
            line = line[30:]
        lines.append(line)
    r = parse_file(_pdf_bytes(lines), "report.pdf")
    _check(r)
    assert body(1) in r.text  # wrapped lines re-joined
    assert "- 1 -" not in r.text  # page numbers away
    assert r.media_type == "application/pdf"


def _seed_gold():
    from .helpers import SEEDS_GOLD, load_gold

    return load_gold(SEEDS_GOLD) if SEEDS_GOLD.exists() else []


@pytest.mark.parametrize("doc", _seed_gold(), ids=lambda d: d["id"])
def test_seed_saved_as_html_page_reads_the_same(doc):
    import html as htmlmod

    from .helpers import norm

    text = (SEEDS_DIR / doc["file"]).read_text(encoding="utf-8")
    page = (
        "<html><head><meta charset='utf-8'><title>正文</title></head><body><div class='content'>"
        + "".join(f"<p>{htmlmod.escape(line)}</p>\n" for line in text.split("\n") if line.strip())
        + "</div></body></html>"
    )
    r = parse_file(page.encode("utf-8"), "page.html")
    exp = doc["expect"]
    assert r.year == exp["year"] and r.doc_type == exp["doc_type"]
    assert (
        (r.place is None)
        if exp.get("place", "") is None
        else r.place.name.endswith(exp["place_endswith"])
    )
    for phrase in doc["absent"]:
        assert norm(phrase) not in norm(r.text), phrase
    titles = [norm(s.title) for s in r.sections]
    assert all(any(norm(w) in t for t in titles) for w in doc["sections_include"])
