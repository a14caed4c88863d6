"""The OpenAPI 3.1 description of /api/search and /search/hits.csv, served by the site.

Built from SearchForm's own fields, so a parameter added to the form is described here.
"""

from __future__ import annotations

from django import forms as django_forms

from search.export import COLUMNS
from search.forms import MAX_PER_PAGE, SearchForm

_DESCRIPTIONS = {
    "q": 'the query: words (all required), "exact phrases", -exclude, OR, (groups), '
    "地区:… 年份:… 类型:… 部分:… (see /search/help/)",
    "place": "a place and everything under it: full name, short name (海拉尔, 天津) or code",
    "place_exact": "exactly this place (its full name), not the places under it",
    "place_unknown": "only reports whose place is unknown",
    "year_unknown": "only reports whose year is unknown",
    "year_from": "first year (either end of a range may be left out)",
    "year_to": "last year",
    "per_page": f"results per page, 1-{MAX_PER_PAGE}",
    "page": "page number; a page past the end has no results and no next link",
}
_SKIP = {"view", "exact"}


def _schema(field: django_forms.Field) -> dict:
    if isinstance(field, django_forms.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, django_forms.IntegerField):
        out = {"type": "integer"}
        if field.min_value is not None:
            out["minimum"] = field.min_value
        if field.max_value is not None:
            out["maximum"] = field.max_value
        return out
    if isinstance(field, django_forms.ChoiceField):
        return {"type": "string", "enum": [c for c, _ in field.choices if c]}
    return {"type": "string"}


def parameters() -> list[dict]:
    out = []
    for name, field in SearchForm.base_fields.items():
        if name in _SKIP:
            continue
        out.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": _DESCRIPTIONS.get(name, str(field.label)),
                "schema": _schema(field),
            }
        )
    return out


def document(server: str) -> dict:
    hit = {
        "type": "object",
        "properties": {
            "url": {"type": "string", "description": "permalink of the paragraph or section"},
            "report": {"type": "string", "description": "the report's permalink"},
            "place": {"type": ["string", "null"]},
            "year": {"type": ["integer", "null"]},
            "section": {"type": "string"},
            "section_id": {"type": ["string", "null"], "description": "section anchor (s1-2)"},
            "kind": {"type": ["string", "null"]},
            "doc_type": {"type": ["string", "null"]},
            "snippet": {"type": "string"},
            "matches": {
                "type": "array",
                "description": "[start, end) of every match in the version's text",
                "items": {"type": "array", "items": {"type": "integer"}},
            },
        },
    }
    page = {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "page": {"type": "integer"},
            "per_page": {"type": "integer"},
            "pages": {"type": "integer"},
            "next": {"type": ["string", "null"]},
            "previous": {"type": ["string", "null"]},
            "results": {"type": "array", "items": hit},
            "facets": {
                "type": "object",
                "properties": {
                    "place": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "year": {"type": "object", "additionalProperties": {"type": "integer"}},
                },
            },
        },
    }
    error = {"type": "object", "properties": {"error": {"type": "string"}}}
    bad = {"description": "bad input, with a message", "content": {}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "政府工作报告档案 · search",
            "version": "1",
            "description": "Search the archive; follow `next` to page through every hit.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Search: one page of hits, facets",
                    "parameters": parameters(),
                    "responses": {
                        "200": {
                            "description": "a page of hits",
                            "content": {"application/json": {"schema": page}},
                        },
                        "400": {**bad, "content": {"application/json": {"schema": error}}},
                    },
                }
            },
            "/search/hits.csv": {
                "get": {
                    "summary": "Every hit, one row per match (keyword in context), streamed",
                    "parameters": parameters(),
                    "responses": {
                        "200": {
                            "description": "CSV with the columns " + ", ".join(COLUMNS),
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        "400": {**bad, "content": {"text/plain": {"schema": {"type": "string"}}}},
                    },
                }
            },
        },
    }
