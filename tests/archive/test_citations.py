"""Citations: GB/T 7714-2015 rules, APA, and BibTeX/RIS/CSL-JSON read back by real parsers;
downloads, Zotero's meta tags, the versions page and diff, withdraw/restore, the registry."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON

from archive import citations
from archive.models import EditorialAction, ReportStatus
from archive.services import store_file

pytestmark = [
    pytest.mark.django_db,
    # bibtexparser 1.4 calls pyparsing's camelCase names, which pyparsing 3.3 deprecates
    pytest.mark.filterwarnings("ignore::pyparsing.PyparsingDeprecationWarning"),
]

HEXI = "001_46ac5d44bafe418d.txt"
MASKED = "003_d3a4d4b7c09b3dbf.txt"  # the text does not say where or when

KNOWN = citations.Work(
    report_title="2016年河西区政府工作报告",
    url="https://archive.example/r/k3x9ab2m/?v=1",
    accessed=date(2026, 11, 23),
    key="k3x9ab2m-v1",
    author="天津市河西区人民政府",
    place="天津市河西区",
    year=2016,
    issued=date(2016, 1, 11),
    version=1,
)
UNKNOWN = citations.Work(
    report_title="政府工作报告",
    url="https://archive.example/r/q7rz2m4n/v1/p12/",
    accessed=date(2026, 11, 23),
    key="q7rz2m4n-v1-p12",
    part="第12段",
    part_kind="paragraph",
    version=1,
)

# GB/T 7714-2015 electronic resource: 主要责任者. 题名[: 其他题名信息][EB/OL]. 出版年或(更新或修改日期)
# [引用日期]. 获取和访问路径. — ". " between elements, the type code in half-width brackets
# straight after the title, the citation date in brackets straight after the publication date.
GBT = re.compile(
    r"^(?P<author>[^.\s][^.]*)\. (?P<title>[^\[\]]+)\[EB/OL\]\. "
    r"(?P<published>\(\d{4}-\d{2}-\d{2}\)|\d{4})?\[(?P<cited>\d{4}-\d{2}-\d{2})\]\. "
    r"(?P<url>https?://\S+)\.$"
)


# --- GB/T 7714-2015 ---------------------------------------------------------------------------


def test_gbt7714_matches_the_standards_example_form():
    assert citations.gbt7714(KNOWN) == (
        "天津市河西区人民政府. 2016年河西区政府工作报告[EB/OL]. (2016-01-11)[2026-11-23]. "
        "https://archive.example/r/k3x9ab2m/?v=1."
    )


@pytest.mark.parametrize(
    "work",
    [
        KNOWN,
        replace(KNOWN, issued=None),
        replace(KNOWN, issued=None, year=None),
        UNKNOWN,
        replace(KNOWN, part="一、2015年工作回顾", part_kind="section"),
    ],
    ids=["full", "year-only", "no-date", "unknown-place-paragraph", "section"],
)
def test_gbt7714_field_order_and_punctuation(work):
    text = citations.gbt7714(work)
    m = GBT.match(text)
    assert m, text
    assert m["author"] == (work.author or "佚名")
    assert m["title"] == work.title
    assert m["cited"] == work.accessed.isoformat()
    assert m["url"] == work.url
    if work.issued:
        assert m["published"] == f"({work.issued.isoformat()})"
    elif work.year:
        assert m["published"] == str(work.year)
    else:
        assert m["published"] is None
    assert "\n" not in text and "。" not in text and "［" not in text  # half-width, one line


def test_gbt7714_unknown_author_is_anonymous():
    text = citations.gbt7714(UNKNOWN)
    assert text.startswith("佚名. 政府工作报告: 第12段[EB/OL]. [2026-11-23]. ")


def test_parts_are_other_title_information():
    section = replace(KNOWN, part="一、2015年工作回顾", part_kind="section")
    assert "2016年河西区政府工作报告: 一、2015年工作回顾[EB/OL]" in citations.gbt7714(section)


# --- APA --------------------------------------------------------------------------------------


def test_apa_group_author_date_title_archive_url():
    assert citations.apa(KNOWN) == (
        "天津市河西区人民政府. (2016, January 11). 2016年河西区政府工作报告 [Government work report]. "
        "政府工作报告档案. https://archive.example/r/k3x9ab2m/?v=1"
    )


def test_apa_without_author_puts_the_title_first_and_no_date():
    text = citations.apa(UNKNOWN)
    assert text.startswith(
        "政府工作报告: 第12段 [Government work report]. (n.d.). 政府工作报告档案. "
    )


# --- BibTeX, RIS, CSL-JSON through real parsers -----------------------------------------------


@pytest.mark.parametrize(
    "work",
    [
        KNOWN,
        UNKNOWN,
        replace(
            KNOWN,
            report_title="A & B {50%} #1 _x_ $y$ ~z^",
            key="k3x9ab2m-v1-s1",
            part="二、{括号}",
            part_kind="section",
        ),
    ],
)
def test_bibtex_parses(work):
    db = bibtexparser.loads(citations.bibtex(work))
    assert len(db.entries) == 1
    entry = db.entries[0]
    assert entry["ENTRYTYPE"] == "misc" and entry["ID"] == work.key
    assert entry["url"] == work.url and entry["urldate"] == work.accessed.isoformat()
    unescaped = re.sub(r"\\(?=[&%#_${}])", "", entry["title"])
    assert work.part in unescaped if work.part and "{" not in work.part else True
    if work.author:
        assert entry["author"] == "{" + work.author + "}"  # corporate author: one name
        assert entry["year"] == "2016" and entry["date"] == "2016-01-11"
    else:
        assert "author" not in entry and "year" not in entry
        assert "地区未知" in entry["note"] and "年份未知" in entry["note"]
    # braces balance, so no field swallows the next
    text = citations.bibtex(work)
    assert text.count("{") - text.count(r"\{") == text.count("}") - text.count(r"\}")


def test_bibtex_escapes_special_characters():
    work = replace(KNOWN, report_title="A & B 50% #1 x_y")
    assert r"A \& B 50\% \#1 x\_y" in citations.bibtex(work)


@pytest.mark.parametrize("work", [KNOWN, UNKNOWN])
def test_ris_parses(work):
    text = citations.ris(work)
    assert text.endswith("ER  - \r\n") and all(
        re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in text.split("\r\n") if line
    )
    [entry] = rispy.loads(text)
    assert entry["type_of_reference"] == "GOVDOC"
    assert entry["title"] == work.title and entry["urls"] == [work.url]
    assert entry["access_date"] == "2026/11/23/"
    if work.author:
        assert entry["authors"] == [work.author]
        assert entry["year"] == "2016" and entry["date"] == "2016/01/11/"
    else:
        assert "authors" not in entry
        assert any("地区未知" in n for n in entry["notes"])
        assert entry["secondary_title"] == work.report_title


@pytest.mark.parametrize("work", [KNOWN, UNKNOWN])
def test_csl_json_renders_with_citeproc(work):
    data = json.loads(citations.csl_json(work))
    assert data[0]["type"] == "report" and data[0]["URL"] == work.url
    source = CiteProcJSON(data)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, citeproc_formatter.plain)
    bibliography.register(Citation([CitationItem(work.key)]))
    [entry] = [str(item) for item in bibliography.bibliography()]
    assert work.report_title in entry
    if work.author:
        assert work.author in entry and "2016" in entry
    else:
        assert "n.d." in entry or "no date" in entry


def test_every_format_is_one_record_per_call():
    for slug in citations.FORMATS:
        assert citations.render(KNOWN, slug).strip()
        assert citations.filename(KNOWN, slug).startswith("k3x9ab2m-v1")


# --- Through the site -------------------------------------------------------------------------


@pytest.fixture
def hexi(seed_bytes):
    return store_file(seed_bytes[HEXI], HEXI, publish=True).report


@pytest.fixture
def masked(seed_bytes):
    return store_file(seed_bytes[MASKED], MASKED, publish=True).report


class MetaTags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("name", "").startswith("citation_"):
            self.tags.append((a["name"], a.get("content", "")))


def meta_tags(body: str) -> dict[str, list[str]]:
    parser = MetaTags()
    parser.feed(body)
    out: dict[str, list[str]] = {}
    for name, content in parser.tags:
        out.setdefault(name, []).append(content)
    return out


def test_highwire_meta_tags_for_zotero(client, hexi):
    tags = meta_tags(client.get(hexi.get_absolute_url()).content.decode())
    assert tags["citation_title"] == [hexi.title]
    assert tags["citation_author"] == ["天津市河西区人民政府"]  # exactly one author
    assert tags["citation_publication_date"] == ["2016/01/11"]
    assert tags["citation_publisher"] == ["天津市河西区人民政府"]
    assert tags["citation_language"] == ["zh"]
    assert tags["citation_public_url"][0].endswith(hexi.get_absolute_url())


def test_meta_tags_for_an_unknown_place_name_no_author(client, masked):
    tags = meta_tags(client.get(masked.get_absolute_url()).content.decode())
    assert tags["citation_title"] == [masked.title]
    assert "citation_author" not in tags and "citation_publication_date" not in tags


FORMATS = {
    "gbt7714": ("text/plain", ".txt"),
    "apa": ("text/plain", ".txt"),
    "bibtex": ("application/x-bibtex", ".bib"),
    "ris": ("application/x-research-info-systems", ".ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json", ".json"),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_downloads_for_report_version_section_and_paragraph(client, hexi, fmt):
    version = hexi.current_version
    section = version.sections.order_by("order").first()
    pid = hexi.public_id
    cases = {
        f"/r/{pid}/cite/{fmt}/": (f"/r/{pid}/?v=1", f"{pid}-v1"),
        f"/r/{pid}/v1/cite/{fmt}/": (f"/r/{pid}/v1/", f"{pid}-v1"),
        f"/r/{pid}/v1/{section.anchor}/cite/{fmt}/": (
            f"/r/{pid}/v1/{section.anchor}/",
            f"{pid}-v1-{section.anchor}",
        ),
        f"/r/{pid}/v1/p3/cite/{fmt}/": (f"/r/{pid}/v1/p3/", f"{pid}-v1-p3"),
    }
    content_type, ext = FORMATS[fmt]
    for url, (cited, stem) in cases.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == f"{content_type}; charset=utf-8"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment; filename=") and stem in disposition
        assert disposition.endswith(f'{ext}"')
        body = response.content.decode()
        assert f"http://testserver{cited}" in body
        if fmt == "gbt7714":
            m = GBT.match(body)
            assert m and m["author"] == "天津市河西区人民政府" and m["published"] == "(2016-01-11)"
        # "/p3/", not "p3" (and the anchor between slashes): a random public id may hold
        # either, as "p3f0s6as" once did.
        if "/p3/" in url and fmt in ("gbt7714", "apa"):
            assert "第3段" in body
        if f"/{section.anchor}/" in url and fmt == "ris":
            assert section.title in body


def test_section_path_redirects_to_its_anchor(client, hexi):
    section = hexi.current_version.sections.order_by("order").first()
    response = client.get(f"/r/{hexi.public_id}/v1/{section.anchor}/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/r/{hexi.public_id}/v1/#{section.anchor}")


def test_unknown_place_still_gives_valid_citations(client, masked):
    pid = masked.public_id
    gbt = client.get(f"/r/{pid}/cite/gbt7714/").content.decode()
    m = GBT.match(gbt)
    assert m and m["author"] == "佚名" and m["published"] is None
    bib = bibtexparser.loads(client.get(f"/r/{pid}/v1/p2/cite/bibtex/").content.decode())
    assert "地区未知" in bib.entries[0]["note"]
    [ris_entry] = rispy.loads(client.get(f"/r/{pid}/cite/ris/").content.decode())
    assert "authors" not in ris_entry
    assert json.loads(client.get(f"/r/{pid}/cite/csl-json/").content)[0]["title"] == masked.title


def test_bad_format_and_drafts_are_404(client, seed_bytes, hexi):
    assert client.get(f"/r/{hexi.public_id}/cite/mla/").status_code == 404
    draft = store_file(seed_bytes["004_9a7de8e018f5043e.txt"], "004.txt").report
    assert client.get(f"/r/{draft.public_id}/cite/bibtex/").status_code == 404
    assert client.get(f"/r/{draft.public_id}/versions/").status_code == 404


def test_report_page_has_a_citation_box_with_every_format(client, hexi):
    body = client.get(hexi.get_absolute_url()).content.decode()
    assert "data-cite-copy" in body and "js/cite.js" in body
    for slug in citations.FORMATS:
        assert f'data-format="{slug}"' in body
        assert f"/r/{hexi.public_id}/cite/{slug}/" in body
    assert "天津市河西区人民政府. 河西区政府工作报告[EB/OL]. (2016-01-11)[" in body
    # the source the archive copied from is beside the text
    source = hexi.current_version.source
    if source.source_publisher:
        assert source.source_publisher in body


def test_a_version_page_cites_the_version_url(client, hexi):
    body = client.get(f"/r/{hexi.public_id}/v1/").content.decode()
    assert f"/r/{hexi.public_id}/v1/cite/gbt7714/" in body
    assert f"http://testserver/r/{hexi.public_id}/v1/." in body


# --- Versions, diff, the cited-version notice ------------------------------------------------


@pytest.fixture
def hexi_v2(seed_bytes, hexi):
    text = seed_bytes[HEXI].decode("utf-8")
    assert "首善之区" in text
    changed = text.replace("首善之区", "首善之区<script>alert(1)</script>&改造", 1).encode()
    store_file(changed, "001-revised.txt", report=hexi, publish=True)
    hexi.refresh_from_db()
    assert hexi.current_version.number == 2
    return hexi


def test_versions_page_lists_versions_and_diffs(client, hexi_v2):
    body = client.get(f"/r/{hexi_v2.public_id}/versions/").content.decode()
    assert f"/r/{hexi_v2.public_id}/v1/" in body and f"/r/{hexi_v2.public_id}/v2/" in body
    assert f"/r/{hexi_v2.public_id}/diff/1/2/" in body
    assert "文本有改动" in body
    response = client.get(f"/r/{hexi_v2.public_id}/diff/?a=2&b=1")
    assert response.status_code == 302 and response["Location"].endswith("/diff/2/1/")


def test_diff_shows_changes_side_by_side_and_escapes_everything(client, hexi_v2):
    body = client.get(f"/r/{hexi_v2.public_id}/diff/1/2/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert 'class="diff-insert"' in body or 'class="diff-replace"' in body
    assert "<ins>" in body
    assert client.get(f"/r/{hexi_v2.public_id}/diff/1/9/").status_code == 404


def test_a_versionless_link_to_changed_text_shows_a_notice_and_the_cited_version(client, hexi_v2):
    body = client.get(f"/r/{hexi_v2.public_id}/?v=1").content.decode()
    assert "data-cited-notice" in body and "此后文本已有改动" in body
    assert f'<a href="/r/{hexi_v2.public_id}/v1/" data-keep-hash>' in body
    plain = client.get(f"/r/{hexi_v2.public_id}/?v=2").content.decode()
    assert "data-cited-notice" not in plain


# --- Withdraw and restore -------------------------------------------------------------------


def test_withdraw_and_restore_are_staff_only_posts_that_log_who_when_why(
    client, staff_client, staff_user, hexi
):
    url = f"/r/{hexi.public_id}/withdraw/"
    response = client.post(url, {"reason": "x"})
    assert response.status_code == 302 and "login" in response["Location"]
    hexi.refresh_from_db()
    assert hexi.status == ReportStatus.PUBLISHED
    assert staff_client.get(url).status_code == 405
    staff_client.post(url, {"reason": ""})
    hexi.refresh_from_db()
    assert hexi.status == ReportStatus.PUBLISHED, "a withdrawal needs a reason"

    staff_client.post(url, {"reason": "原件有误 wrong original"})
    hexi.refresh_from_db()
    assert (
        hexi.status == ReportStatus.WITHDRAWN
        and hexi.withdrawal_reason == "原件有误 wrong original"
    )
    action = EditorialAction.objects.filter(report=hexi, verb="withdraw").get()
    assert action.user == staff_user and action.note == "原件有误 wrong original" and action.at

    response = client.get(hexi.get_short_url())
    body = response.content.decode()
    assert response.status_code == 410 and "原件有误" in body
    assert GBT.search(body.split('data-format="gbt7714"', 1)[1].split(">", 1)[1].split("</pre>")[0])
    for path in (
        hexi.get_absolute_url(),
        f"/r/{hexi.public_id}/v1/",
        f"/r/{hexi.public_id}/versions/",
    ):
        assert client.get(path).status_code == 410, path
    assert client.get(f"/r/{hexi.public_id}/v1/p3/", follow=True).status_code == 410
    # the citation itself stays downloadable
    assert client.get(f"/r/{hexi.public_id}/cite/bibtex/").status_code == 200

    staff_client.post(f"/r/{hexi.public_id}/restore/", {"reason": "已核实"})
    hexi.refresh_from_db()
    assert hexi.status == ReportStatus.PUBLISHED and not hexi.withdrawal_reason
    assert EditorialAction.objects.filter(report=hexi, verb="restore", user=staff_user).exists()
    assert client.get(hexi.get_short_url()).status_code == 200


# --- The registry --------------------------------------------------------------------------


def _stream(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_registry_lists_every_permalink_with_hashes(client, hexi, masked):
    response = client.get("/permalinks.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="permalinks.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(_stream(response))))
    version = hexi.current_version
    mine = [r for r in rows if r["report"] == hexi.public_id]
    kinds = [r["kind"] for r in mine]
    assert kinds.count("report") == 1 and kinds.count("readable") == 1
    assert kinds.count("version") == 1
    assert kinds.count("section") == version.sections.count()
    assert kinds.count("paragraph") == version.paragraphs.count()
    report_row = next(r for r in mine if r["kind"] == "report")
    assert report_row["url"] == f"http://testserver/r/{hexi.public_id}/"
    assert report_row["sha256"] == version.text_sha256
    p3 = version.paragraphs.get(number=3)
    row = next(r for r in mine if r["anchor"] == "p3")
    assert row["sha256"] == hashlib.sha256(p3.text.encode()).hexdigest()

    data = json.loads(_stream(client.get("/permalinks.json")))
    assert len(data["permalinks"]) == len(rows)
    assert data["permalinks"][0]["url"] == rows[0]["url"]
    assert {r["report"] for r in rows} == {hexi.public_id, masked.public_id}


def test_registry_marks_withdrawn_and_aliases(client, staff_user, hexi):
    from archive.services import correct_metadata
    from archive.withdrawals import withdraw_report

    correct_metadata(hexi, year=2017)
    withdraw_report(hexi, user=staff_user, reason="test")
    rows = list(csv.DictReader(io.StringIO(_stream(client.get("/permalinks.csv")))))
    alias = next(r for r in rows if r["kind"] == "readable-alias")
    assert alias["status"] == "301" and "/2016/" in alias["url"]
    assert {r["status"] for r in rows if r["kind"] != "readable-alias"} == {"410"}
    assert {r["sha256"] for r in rows} == {""}
