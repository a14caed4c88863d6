"""Search pages and the JSON API: validate with SearchForm, ask the configured engine (search.engines), render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from archive import coverage
from config.observability import SearchTimer, log_search
from search import charts, grid_layout, results
from search.cache import cached_search
from search.engines import get_engine
from search.forms import PER_PAGE, SearchForm
from search.links import hit_link, paragraph_url, report_short_url, version_url
from search.query import relaxed, without_word, year_words

EXAMPLES = [
    ("营商环境", "a policy word 政策用语"),
    ('"新增就业" 地区:天津市', "an exact phrase in one city 一个城市里的确切短语"),
    ("棚户区改造 年份:2015-2020", "a word over a range of years 年份范围"),
    ("京津冀协同发展 部分:目标", "only in target sections 只看目标部分"),
    ("(营商环境 OR 放管服) -天津", "either word, excluding one 任一词并排除"),
]


def _decorate(outcome: results.Outcome, base: dict | None = None) -> None:
    """Links and snippet HTML, computed here once rather than by template tags per cell
    (the grid has hundreds). Snippet HTML escapes every piece of document text."""
    for hit in outcome.hits + [c.best for c in outcome.grid.values() if c.best]:
        hit.url = hit_link(hit, outcome.terms)
        hit.report_url = report_short_url(hit.report_pid)
        hit.snippet_html = mark_safe(hit.snippet.to_html())  # escaped in to_html
    if base is not None:
        # The search's own part of every cell's link is encoded once, not once per cell:
        # urlencode joins its pairs in order, so the link is the same as cell_params' own.
        shared = "?" + urlencode(_cell_base(base)) + "&"
        for (place, year), cell in outcome.grid.items():
            cell.url = shared + urlencode(_cell_filters(place, year))


def cell_params(base: dict, place: str, year: int | None) -> dict:
    """The list of exactly one grid cell: the search's own filters (they hold for every hit of
    the cell) and the cell's place and year — that place alone, not the places under it, and
    an unknown place or year as a filter of its own."""
    return {**_cell_base(base), **_cell_filters(place, year)}


_CELL_KEYS = ("view", "page", "place_exact", "place_unknown", "year", "year_unknown")


def _cell_base(base: dict) -> dict:
    """The search's parameters that every cell's link keeps (the cell sets the others)."""
    return {**{k: v for k, v in base.items() if k not in _CELL_KEYS}, "view": "list"}


def _cell_filters(place: str, year: int | None) -> dict:
    params: dict = {}
    if place == results.UNKNOWN_PLACE:
        params["place_unknown"] = 1
    else:
        params["place_exact"] = place
    if year is None:
        params["year_unknown"] = 1
    else:
        params["year"] = year
    return params


def _year_offers(form: SearchForm) -> list[tuple[str, str]]:
    """A year written as a word (棚户区改造 2016) is found as text; offer it as a filter."""
    base = _filter_params(form)
    out = []
    for written, year in year_words(form.parsed):
        params = {**base, "q": without_word(base.get("q", ""), written), "year": year}
        out.append((f"只看 {year} 年的报告 (as a year filter)", "?" + urlencode(params)))
    return out


def _run(
    form: SearchForm, *, grid: bool, namespace: str, parsed=None
) -> tuple[results.Outcome, bool]:
    data = form.cleaned_data
    params = {
        k: data.get(k)
        for k in (
            "q",
            "place",
            "year",
            "year_from",
            "year_to",
            "doc_type",
            "kind",
            "sort",
            "page",
            "per_page",
            "place_exact",
            "place_unknown",
            "year_unknown",
        )
    }
    params["grid"] = grid
    fresh = []

    def compute():
        fresh.append(True)
        return get_engine().run(
            parsed or form.parsed,
            page=data["page"],
            per_page=data["per_page"],
            sort=data["sort"],
            grid=grid,
        )

    outcome = cached_search(namespace, params, compute)
    return outcome, not fresh


def _filter_params(form: SearchForm) -> dict:
    return {
        k: v
        for k, v in form.cleaned_data.items()
        if k not in ("page",)
        and v not in (None, "", False)
        and not (k == "per_page" and v == PER_PAGE)
    }


def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    context: dict = {"form": form, "examples": EXAMPLES}
    if not request.GET:
        context["summary"] = coverage.summary()  # the home page says what the archive holds
        return render(request, "search/search.html", context)
    if not form.is_valid():
        context["error"] = form.message()
        _log_refused(request, "search", context["error"])
        return render(request, "search/search.html", context, status=400)
    if form.is_blank:
        return render(request, "search/search.html", context)
    view = form.cleaned_data["view"]
    with SearchTimer() as timer:
        outcome, cached = _run(form, grid=view == "grid", namespace=f"page-{view}")
        if outcome.count == 0 and not form.cleaned_data.get("exact"):
            # Nothing has the words side by side: show where they all occur, and say so.
            loose = relaxed(form.parsed)
            if loose is not None:
                loose_outcome, cached = _run(
                    form, grid=view == "grid", namespace=f"relaxed-{view}", parsed=loose
                )
                if loose_outcome.count:
                    outcome = loose_outcome
                    context["relaxed"] = {
                        "words": [t.text for t in loose.terms],
                        "exact_url": "?" + urlencode({**_filter_params(form), "exact": 1}),
                    }
        _decorate(outcome, _filter_params(form))
        if outcome.count == 0:
            context["suggestions"] = _suggestions(form)
        context["year_offers"] = _year_offers(form)
    log_search(
        query=form.cleaned_data.get("q") or "",
        filters=_filter_params(form),
        hits=outcome.count,
        elapsed_ms=timer.ms,
        page=outcome.page,
        view="grid" if view == "grid" else "search",
        cached=cached,
    )
    base = _filter_params(form)
    if outcome.past_end:
        context["page_missing"] = (
            f"没有第 {outcome.page} 页：这次检索共 {outcome.count} 处，{outcome.pages} 页。"
            f" (No page {outcome.page}: {outcome.count} hits, {outcome.pages} pages.)"
        )
        context["first_page_url"] = "?" + urlencode({**base, "view": "list"})
        return render(request, "search/search.html", context, status=404)
    context.update(
        {
            "outcome": outcome,
            "view": view,
            "rows": grid_layout.lay_out(outcome, _grid_level(request)) if view == "grid" else [],
            "grid_level": _grid_level(request),
            "grid_levels": grid_layout.LEVELS,
            "page_links": _page_links(base, outcome),
            "list_start": (outcome.page - 1) * outcome.per_page + 1,
            "list_url": "?" + urlencode({**base, "view": "list"}),
            "csv_url": reverse("search:export_csv")
            + "?"
            + urlencode({k: v for k, v in base.items() if k != "view"}),
            "grid_url": "?" + urlencode({**base, "view": "grid"}),
        }
    )
    return render(request, "search/search.html", context)


def _grid_level(request: HttpRequest) -> str | None:
    """The grid's level filter (国家/省/市/县区): rows of that level only; anything else, all."""
    level = request.GET.get("level")
    return level if level in dict(grid_layout.LEVELS) else None


def _log_refused(request: HttpRequest, view: str, message: str) -> None:
    """Log a search refused as invalid (bad syntax or parameters): nothing was run."""
    log_search(
        query=request.GET.get("q", ""),
        filters=None,
        hits=None,
        elapsed_ms=0,
        view=view,
        error=message,
    )


def _page_links(base: dict, outcome: results.Outcome) -> list[tuple[int, str, bool]]:
    pages = outcome.pages
    if pages <= 1:
        return []
    shown = sorted({1, pages, *range(max(1, outcome.page - 3), min(pages, outcome.page + 3) + 1)})
    return [
        (n, "?" + urlencode({**base, "view": "list", "page": n}), n == outcome.page) for n in shown
    ]


def _suggestions(form: SearchForm) -> list[tuple[str, str]]:
    """(label, url) pairs for a search that found nothing: the same search without one of
    its filters (form controls or written in the query, such as 地区:天津), where that finds
    something, with the count; then nearby dictionary words."""
    base = _filter_params(form)
    out = []
    variants = []
    for key, label in (
        ("place", "去掉地区 drop the place"),
        ("year", "去掉年份 drop the year"),
        ("year_from", "去掉起始年份 drop year from"),
        ("year_to", "去掉结束年份 drop year to"),
        ("doc_type", "去掉类型 drop the kind"),
        ("kind", "去掉部分 drop the section"),
    ):
        if base.get(key):
            variants.append((f"{label}: {base[key]}", {k: v for k, v in base.items() if k != key}))
    for written in form.parsed.query_filters:
        rest = {**base, "q": form.parsed.without_filter(written)}
        variants.append((f"去掉 drop “{written}”", rest))
    for label, params in variants:
        found = _count(params)
        if found:
            out.append((f"{label}（{found} 处 hits）", "?" + urlencode(params)))
    for q in get_engine().suggestions(form.parsed):
        out.append((q, "?" + urlencode({**{k: v for k, v in base.items() if k != "q"}, "q": q})))
    return out


def _count(params: dict) -> int:
    """How many sections a search with these parameters finds (0 if it is not valid)."""
    form = SearchForm(params)
    if not form.is_valid() or form.is_blank:
        return 0
    return get_engine().run(form.parsed, page=1, per_page=1, grid=False).count


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "search/help.html", {"examples": EXAMPLES})


def search_api(request: HttpRequest) -> JsonResponse:
    """GET /api/search — the contract in docs/architecture.md."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        message = form.message()
        _log_refused(request, "api", message)
        return JsonResponse(
            {"error": message, "errors": form.errors.get_json_data()},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    if form.is_blank:
        return JsonResponse(
            {"error": "请给出检索词或筛选条件。 (Give a query or a filter: ?q=…)"},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    with SearchTimer() as timer:
        outcome, cached = _run(form, grid=False, namespace="api")
    log_search(
        query=form.cleaned_data.get("q") or "",
        filters=_filter_params(form),
        hits=outcome.count,
        elapsed_ms=timer.ms,
        page=outcome.page,
        view="api",
        cached=cached,
    )
    results = []
    for hit in outcome.hits:
        url = version_url(hit.report_pid, hit.version_number)
        results.append(
            {
                "url": request.build_absolute_uri(f"{url}#{hit.anchor}" if hit.anchor else url),
                "report": request.build_absolute_uri(
                    reverse("archive:report_short", args=[hit.report_pid])
                ),
                "place": hit.place or None,
                "year": hit.year,
                "section": hit.title,
                "section_id": hit.fields.get("anchor") or None,
                "kind": hit.kind or None,
                "doc_type": hit.doc_type or None,
                "snippet": hit.snippet.plain(),
                "matches": [list(m) for m in hit.matches],
            }
        )
    base = {k: v for k, v in _filter_params(form).items() if k != "view"}
    page, per_page = outcome.page, outcome.per_page

    def page_url(n: int) -> str:
        return request.build_absolute_uri(
            reverse("search:api") + "?" + urlencode({**base, "page": n})
        )

    return JsonResponse(
        {
            "count": outcome.count,
            "page": page,
            "per_page": per_page,
            "pages": outcome.pages,
            "next": page_url(page + 1) if page < outcome.pages else None,
            "previous": page_url(min(page - 1, outcome.pages)) if page > 1 else None,
            "results": results,
            "facets": {
                "place": {(p or "地点未知"): n for p, n in outcome.facets_place.items()},
                "year": {
                    ("unknown" if y is None else str(y)): n for y, n in outcome.facets_year.items()
                },
            },
        },
        json_dumps_params={"ensure_ascii": False},
    )


def trend_page(request: HttpRequest) -> HttpResponse:
    """Occurrences of one or several terms per year (raw and per 10,000 characters), per place
    on request; a server-rendered chart and a CSV download (?format=csv). Cached per index
    version and query, and held to a budget (results.TREND_MAX_TERMS rows,
    results.TREND_MAX_SCAN characters counted) that the page states when it applies."""
    form = SearchForm(request.GET or None)
    context: dict = {"form": form, "examples": EXAMPLES}
    if not request.GET or not form.is_valid() or not form.parsed.terms:
        if request.GET and not form.is_valid():
            context["error"] = form.message()
        return render(
            request, "search/trend.html", context, status=400 if "error" in context else 200
        )
    by_place = request.GET.get("by_place") == "1"
    terms = [t.text for t in form.parsed.terms]
    drawn = terms[: results.TREND_MAX_TERMS]
    result = cached_search(
        "trend",
        {**_filter_params(form), "by_place": by_place},
        lambda: get_engine().trend(
            drawn, form.parsed.filters, by_place=by_place, query=form.parsed
        ),
    )
    notes = _trend_budget_notes(terms, result)
    if request.GET.get("format") == "csv":
        return _trend_csv(result, notes)
    measure = request.GET.get("measure", "rate")
    measure = measure if measure in charts.MEASURES else "rate"
    if not result.occurrences_counted:
        measure = "sections"  # the one measure the answer holds
    years = charts.years_with_hits(result)
    context.update(
        {
            "trend": result,
            # Each term drawn twice: for a laptop and for a phone (CSS shows one).
            "charts": list(
                zip(
                    charts.build(result, measure),
                    charts.build(result, measure, width=charts.NARROW, max_labels=4),
                    strict=True,
                )
            ),
            "measure": measure,
            "measure_label": charts.MEASURES[measure],
            "measure_links": [
                (label, "?" + urlencode({**request.GET.dict(), "measure": key}), key == measure)
                for key, label in charts.MEASURES.items()
            ],
            "years": years,
            "by_place": by_place,
            "budget_notes": notes,
            "table": [
                (row, [(y, row.years.get(y, (0, 0)), result.rate(row, y)) for y in years])
                for row in result.rows
            ],
            "csv_url": "?"
            + urlencode(
                {**_filter_params(form), "format": "csv", **({"by_place": 1} if by_place else {})}
            ),
        }
    )
    return render(request, "search/trend.html", context)


def _trend_budget_notes(terms: list[str], result: results.Trend) -> list[tuple[str, str]]:
    """What the trend left out to stay within its budget, as (Chinese, English): said on the
    page and, in English, in the CSV's X-Archive-Budget header."""
    notes = []
    most = results.TREND_MAX_TERMS
    if len(terms) > most:
        notes.append(
            (
                f"这次有 {len(terms)} 个词：只为前 {most} 个词各画一行，第一行统计整个查询。",
                f"Over the trend's budget of {most} terms: one row each for the first {most} "
                f"of these {len(terms)}; the first row counts the whole query.",
            )
        )
    if not result.occurrences_counted:
        notes.append(
            (
                f"统计出现次数需要读 {result.scan / 10_000:,.0f} 万字，超出预算"
                f"（{results.TREND_MAX_SCAN / 10_000:,.0f} 万字）：下面只有段落数（完整，与检索结果一致）。"
                "缩小年份或地区范围、或减少检索词，即可统计出现次数。",
                f"Over the trend's budget: counting occurrences would read {result.scan:,} "
                f"characters, more than {results.TREND_MAX_SCAN:,}; the section counts are "
                "complete and agree with the search results. Narrow the years or places, or use "
                "fewer terms, to count occurrences.",
            )
        )
    return notes


def _trend_csv(result: results.Trend, notes: list[tuple[str, str]] = ()) -> HttpResponse:
    import csv
    import io

    from archive.csvsafe import safe_row  # a term is the reader's own text

    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        ["term", "place", "year", "sections", "occurrences", "characters", "per_10000_characters"]
    )
    for row in result.rows:
        for year in result.years:
            sections, occ = row.years.get(year, (0, 0))
            counted = result.occurrences_counted
            w.writerow(
                safe_row(
                    [
                        row.term,
                        row.place if row.place is not None else "(all)",
                        year if year is not None else "",
                        sections,
                        occ if counted else "",  # not counted: empty, never a false 0
                        result.chars.get((row.place, year), 0),
                        f"{result.rate(row, year):.3f}" if counted else "",
                    ]
                )
            )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="trend.csv"'
    if notes:
        # A CSV has no place for prose that every reader keeps: the budget goes in a header.
        response["X-Archive-Budget"] = " ".join(en for _, en in notes)
    return response


class _Echo:
    """A file-like object whose write() returns what it is given (csv.writer -> stream)."""

    def write(self, value: str) -> str:
        return value


def export_csv(request: HttpRequest) -> HttpResponse:
    """Every hit of a search as keyword-in-context CSV, streamed (search.export)."""
    import csv

    from django.http import StreamingHttpResponse

    from archive.csvsafe import safe_row
    from search import export

    form = SearchForm(request.GET)
    if not form.is_valid() or form.is_blank:
        message = form.message() if form.errors else "请给出检索词或筛选条件。 (Give a query: ?q=…)"
        _log_refused(request, "csv", message)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")

    # build_absolute_uri(path) is this origin + path for the ASCII paths reverse() gives.
    origin = request.build_absolute_uri("/")[:-1]

    def permalink(pid: str, number: int, paragraph: int | None, anchor: str) -> str:
        if paragraph:
            return origin + paragraph_url(pid, number, paragraph)
        return request.build_absolute_uri(
            version_url(pid, number) + (f"#{anchor}" if anchor else "")
        )

    writer = csv.writer(_Echo())
    rows = export.kwic_rows(form.parsed, permalink, sort=form.cleaned_data["sort"])

    def stream():
        yield "\ufeff" + writer.writerow(export.COLUMNS)  # BOM: Excel reads UTF-8
        for n, row in enumerate(rows):
            if n == export.MAX_ROWS:
                yield writer.writerow(export.budget_row(n))
                break
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="search-hits.csv"'
    response["X-Archive-Budget"] = (
        f"at most {export.MAX_ROWS} rows; past them a last row marked {export.BUDGET_MARK} says so"
    )
    return response


def openapi(request: HttpRequest) -> JsonResponse:
    """The OpenAPI description of the search API and the CSV export."""
    from search.openapi import document

    return JsonResponse(
        document(request.build_absolute_uri("/").rstrip("/")),
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
