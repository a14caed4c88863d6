"""Invisible control characters from uploaded text are shown as visible marks in every page.

Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069), direction marks (U+200E,
U+200F, U+061C) and zero-width characters (U+200B-200D, U+2060-2064, U+FEFF) can reorder the
text around them or hide a word's real spelling: a reversed sentence in a report page, a title
that reads differently from what the archive holds. Every HTML page therefore shows each one
as the plain text "[U+202E]", wherever document text appears (report, review and search pages,
titles, snippets, attribute values such as a page's <title> or meta tags): all of them are
plain text in the page, so the mark is inert and cannot break the markup.

Form fields (a textarea's content, a value attribute) keep the characters: an editor
correcting a title must not save the mark in place of the character, and a field is its own
box, so it cannot reorder the page around it. The stored text and the original file are never
changed; this is a view of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTROLS = (
    "\u202a-\u202e"  # LRE RLE PDF LRO RLO
    "\u2066-\u2069"  # LRI RLI FSI PDI
    "\u200e\u200f\u061c"  # LRM RLM ALM
    "\u200b-\u200d"  # zero-width space, non-joiner, joiner
    "\u2060-\u2064"  # word joiner, invisible operators
    "\ufeff"  # zero-width no-break space (a BOM inside text)
)
CONTROL = re.compile(f"[{CONTROLS}]")
# Form fields keep the characters; everything else in the page shows them.
_FIELD_OR_CONTROL = re.compile(
    rf"(<textarea\b.*?</textarea>|\bvalue=\"[^\"]*\")|[{CONTROLS}]", re.S | re.I
)


def mark(char: str) -> str:
    return f"[U+{ord(char):04X}]"


def show_controls(text: str) -> str:
    """`text` with every control character replaced by its visible mark."""
    return CONTROL.sub(lambda m: mark(m.group(0)), text)


def show_controls_in_html(html: str) -> str:
    if not CONTROL.search(html):
        return html
    return _FIELD_OR_CONTROL.sub(lambda m: m.group(1) or mark(m.group(0)), html)


class VisibleControlsMiddleware:
    """Applies show_controls_in_html to every complete HTML response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            or "text/html" not in response.get("Content-Type", "")
            or response.get("Content-Encoding")
        ):
            return response
        charset = response.charset or "utf-8"
        try:
            html = response.content.decode(charset)
        except (UnicodeDecodeError, LookupError):
            return response
        shown = show_controls_in_html(html)
        if shown is not html:
            response.content = shown.encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
