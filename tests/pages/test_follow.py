"""Following the archive: Atom feeds of a search (with its filters) and of a place, linked from
their pages; sitemap.xml of every permalink; robots.txt; a favicon."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit

import pytest

from archive.models import Place, Report, ReportVersion

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def seeded(archive_slice):
    """The corpus slice with its index (named so that the suite keeps the index in place)."""
    return archive_slice


def _entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def _alternate(html: str) -> str:
    match = re.search(
        r'<link rel="alternate" type="application/atom\+xml"[^>]* href="([^"]+)"', html
    )
    assert match, "the page links its feed"
    return match.group(1).replace("&amp;", "&")


def test_search_page_links_a_feed_of_the_same_search_and_filters(client, seeded):
    page = client.get("/search/", {"q": "营商环境", "place": "天津市", "view": "list"})
    feed_url = _alternate(page.content.decode())
    assert urlsplit(feed_url).path == "/search/feed/"
    entries = _entries(client.get(feed_url))
    assert entries
    tianjin = {
        r.public_id
        for r in Report.objects.published().filter(place__full_name__startswith="天津市")
    }
    for entry in entries:
        link = urlsplit(entry.find(f"{ATOM}link").get("href"))
        assert link.fragment.startswith("p")  # straight to the paragraph
        assert link.path.split("/")[2] in tianjin
    for entry in entries:
        title = entry.find(f"{ATOM}title").text
        assert title.startswith("天津市"), title  # the place filter holds in the feed
        assert "营商环境" in entry.find(f"{ATOM}summary").text
        assert entry.find(f"{ATOM}id").text.startswith("urn:archive:section:")
    everywhere = _entries(client.get("/search/feed/", {"q": "营商环境"}))
    assert len(everywhere) > len(entries)


def test_search_feed_refuses_a_bad_search_with_a_message(client, seeded):
    bad = client.get("/search/feed/", {"q": "(营商环境"})
    assert bad.status_code == 400 and "括号" in bad.content.decode()
    assert client.get("/search/feed/").status_code == 400
    assert client.get("/search/feed/", {"year": "abc"}).status_code == 400


def test_place_feed_lists_its_reports_and_those_below(client, seeded):
    tianjin = Place.objects.get(full_name="天津市")
    page = client.get(tianjin.get_absolute_url()).content.decode()
    feed_url = _alternate(page)
    entries = _entries(client.get(feed_url))
    expected = Report.objects.published().for_place(tianjin)
    assert {e.find(f"{ATOM}id").text for e in entries} == {
        f"urn:archive:report:{r.public_id}" for r in expected
    }
    links = {urlsplit(e.find(f"{ATOM}link").get("href")).path for e in entries}
    assert links == {r.get_absolute_url() for r in expected}
    assert client.get("/places/no-such-place/feed/").status_code == 404


def test_sitemap_lists_every_published_permalink(client, seeded):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    urls = []
    for loc in index.iter(f"{SITEMAP}loc"):
        section = client.get(urlsplit(loc.text).path)
        assert section.status_code == 200
        urls += [
            urlsplit(u.text).path for u in ET.fromstring(section.content).iter(f"{SITEMAP}loc")
        ]
    published = Report.objects.published()
    assert {r.get_absolute_url() for r in published} <= set(urls)
    versions = ReportVersion.objects.filter(report__in=published)
    assert {v.get_absolute_url() for v in versions} <= set(urls)
    assert Place.objects.get(name="海拉尔区").get_absolute_url() in urls
    for path in urls[:40]:
        assert client.get(path).status_code == 200, path


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_staff_pages(client, seeded):
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots["Content-Type"].startswith("text/plain")
    text = robots.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /admin/" in text and "Disallow: /upload/" in text


def test_favicon_answers(client, seeded):
    icon = client.get("/favicon.ico", follow=True)
    assert icon.status_code == 200 and icon.redirect_chain[0][1] == 301
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert b"<svg" in body
    home = client.get("/").content.decode()
    assert 'rel="icon"' in home


def test_a_search_feed_url_survives_odd_input(client, seeded):
    for q in ["营商环境 地区:天津市", quote("<script>"), "年份:2020-2010"]:
        assert client.get("/search/feed/", {"q": q}).status_code in (200, 400)
