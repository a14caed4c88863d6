"""The body of a report page, rendered once per version page and kept in the shared cache.

A version's text, sections and paragraphs never change (a correction makes a new version),
so what one page of it shows (the contents list, the pager and the paragraphs with the
reader's marks) is the same for every reader: it is rendered once per version, page, marked
terms and release, and kept in the cache every worker shares. A later view of that page skips
reading the sections, the page's paragraphs and the text, and skips the rendering: most of a
report page's work. What can change around a version is read on every view, outside this
body: whether the report is withdrawn or has a newer version, its corrected metadata, its
versions, its neighbours and its commitments (an editor can correct one).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from archive.models import ReportVersion
from archive.rendering import Block, Paging, build_blocks, text_page
from config.http_cache import release

# A version's page bodies live a day in the cache (its key never goes stale: only unused).
BODY_SECONDS = 86400
# The contents list of a report page: every section of a report of ordinary size; for a very
# long one (a 45 MB text has 17,000 sections) the top-level ones and those on this page.
TOC_LIMIT = 200


@dataclass
class PageBody:
    toc: SafeString  # the contents list
    text: SafeString  # the pager, the page's paragraphs (marked), the pager again
    number: int  # the page shown (clamped to the version's pages)
    first_number: int | None  # its first and last paragraph numbers (None: no paragraphs)
    last_number: int | None


def version_sections(version: ReportVersion) -> list:
    # Only what pages and the contents list use: a 45 MB text has 17,000 sections.
    return list(
        version.sections.only(
            "version_id", "anchor", "level", "number", "title", "kind", "start", "end", "order"
        )
    )


def toc_sections(sections: list, page) -> list:
    if len(sections) <= TOC_LIMIT:
        return sections
    on_page = {s.pk for s in page.sections}
    return [s for s in sections if s.level == 1 or s.pk in on_page][:TOC_LIMIT]


def body_key(version: ReportVersion, number: int, hl: str) -> str:
    # The text's hash as well as the version's id: a database restored or rebuilt elsewhere
    # can give another text the same id, never the same hash. The marked terms are hashed:
    # a key holds no spaces or other characters a cache server may refuse.
    terms = hashlib.sha256(hl.encode()).hexdigest()[:16] if hl else "-"
    return f"report-body:{version.pk}:{version.text_sha256}:{number}:{terms}:{release()[0]}"


def page_body(version: ReportVersion, paging: Paging, number: int, terms: list[str]) -> PageBody:
    """Page `number` of `version` with `terms` marked, from the cache or rendered now."""
    number = min(max(1, number), paging.count)
    hl = " ".join(terms)
    key = body_key(version, number, hl)
    body = cache.get(key)
    if body is None:
        body = render_body(version, paging, number, terms, hl)
        cache.set(key, body, BODY_SECONDS)
    return body


def render_body(
    version: ReportVersion, paging: Paging, number: int, terms: list[str], hl: str
) -> PageBody:
    sections = version_sections(version)
    page = text_page(version.paragraphs.order_by("number"), sections, number, paging)
    if page.paragraphs:
        blocks = build_blocks(version.text, page.paragraphs, page.sections, terms)
    else:
        blocks = [Block(number=1, pieces=[(version.text, False)])]  # no paragraphs: shown whole
    context = {"text_page": page, "version": version, "hl": hl}
    toc = render_to_string(
        "archive/_report_toc.html",
        {**context, "sections": toc_sections(sections, page), "sections_total": len(sections)},
    )
    text = render_to_string("archive/_report_text.html", {**context, "blocks": blocks})
    return PageBody(
        toc=SafeString(toc),
        text=SafeString(text),
        number=page.number,
        first_number=page.first_number,
        last_number=page.last_number,
    )
