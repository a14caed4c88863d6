"""Validating what a reader asks for: the search form (page and API share it)."""

from __future__ import annotations

from django import forms

from archive.ingest.years import FIRST_YEAR, LAST_YEAR
from archive.models import DocType, SectionKind
from search.query import Filters, ParsedQuery, QuerySyntaxError, parse_query

SORTS = [
    ("relevance", "相关度 relevance"),
    ("year", "年份（新→旧） newest first"),
    ("year_asc", "年份（旧→新） oldest first"),
]
VIEWS = [("grid", "对照表 grid"), ("list", "列表 list")]
PER_PAGE = 20
MAX_PER_PAGE = 100
# What a search without these fields means.
DEFAULTS = {"sort": "relevance", "view": "grid", "page": 1, "per_page": PER_PAGE}


class SearchForm(forms.Form):
    q = forms.CharField(
        label="检索词 Search",
        required=False,
        max_length=500,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autofocus": True,
                "placeholder": '营商环境、"新增就业"、地区:河西区 …',
            }
        ),
    )
    place = forms.CharField(
        label="地区 Place",
        required=False,
        max_length=100,
        help_text="天津市 包括其下各区 (includes its districts)",
    )
    year = forms.IntegerField(
        label="年份 Year", required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    year_from = forms.IntegerField(
        label="起 From", required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    year_to = forms.IntegerField(
        label="止 To", required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    doc_type = forms.ChoiceField(
        label="类型 Kind", required=False, choices=[("", "全部 all")] + list(DocType.choices)
    )
    kind = forms.ChoiceField(
        label="部分 Section", required=False, choices=[("", "全部 all")] + list(SectionKind.choices)
    )
    sort = forms.ChoiceField(label="排序 Sort", required=False, choices=SORTS)
    view = forms.ChoiceField(label="显示 View", required=False, choices=VIEWS)
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)
    per_page = forms.IntegerField(
        label="每页 Per page", required=False, min_value=1, max_value=MAX_PER_PAGE
    )
    # A grid cell's link: exactly that place (its full name), not the places under it, and
    # cells of an unknown place or year as filters of their own.
    place_exact = forms.CharField(
        label="地区（仅此地） Exact place", required=False, max_length=100
    )
    place_unknown = forms.BooleanField(label="地区未知 Place unknown", required=False)
    year_unknown = forms.BooleanField(label="年份未知 Year unknown", required=False)
    # Only the query as written: no falling back to its separate words when it finds nothing.
    exact = forms.BooleanField(label="只按原样 Exact only", required=False)

    parsed: ParsedQuery | None = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.parsed = parse_query(data.get("q") or "", filters_from_controls(data))
        except QuerySyntaxError as exc:
            raise forms.ValidationError(str(exc)) from None
        # The controls' years and the query's (年份:…) narrow each other; they may leave none.
        years = self.parsed.filters
        if years.year_from and years.year_to and years.year_from > years.year_to:
            raise forms.ValidationError(
                "年份条件互相矛盾。 (The year filters contradict each other.)"
            )
        for name, default in DEFAULTS.items():
            data[name] = data.get(name) or default
        return data

    @property
    def is_blank(self) -> bool:
        """Nothing asked yet: no words and no filters."""
        return self.parsed is None or (self.parsed.tree is None and self.parsed.filters.empty)

    def message(self) -> str:
        """All errors as one line for the reader."""
        parts = []
        for field, errors in self.errors.items():
            label = "" if field == "__all__" else f"{self.fields[field].label}: "
            parts.extend(f"{label}{e}" for e in errors)
        return " ".join(parts)


def filters_from_controls(data: dict) -> Filters:
    """The filters the form's controls set (the query may add its own), from cleaned data."""
    lo, hi = data.get("year_from"), data.get("year_to")
    if lo and hi and lo > hi:
        raise forms.ValidationError("起始年份晚于结束年份。 (year_from is after year_to.)")
    filters = Filters()
    if data.get("place"):
        filters.places.append(data["place"].strip())
    if data.get("year"):
        filters.restrict_years(data["year"], data["year"])
    filters.restrict_years(lo, hi)
    if data.get("doc_type"):
        filters.doc_types = [data["doc_type"]]
    if data.get("kind"):
        filters.kinds = [data["kind"]]
    filters.exact_place = _exact_place(data)
    if data.get("year_unknown"):
        if lo or hi or data.get("year"):
            raise forms.ValidationError(
                "“年份未知”不能和年份条件同时使用。 (year_unknown excludes a year filter.)"
            )
        filters.year_unknown = True
    return filters


def _exact_place(data: dict) -> str | None:
    """A grid cell's place: "" for the cell of an unknown place, None for no such filter."""
    if data.get("place_unknown"):
        return ""
    return (data.get("place_exact") or "").strip() or None
