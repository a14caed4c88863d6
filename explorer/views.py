"""Commitments explorer pages: the table and its downloads, the pivot, track records, the
methods and vocabulary pages, and the editors' correction form. Thin views: a form checks
the query string, explorer.queries fetches, explorer.rules decides."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from html import escape

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from archive.csvsafe import safe_dict, safe_row
from archive.ingest.years import FIRST_YEAR, LAST_YEAR
from archive.models import (
    PUBLIC_ID_PATTERN,
    Commitment,
    CommitmentDirection,
    CommitmentKind,
    CommitmentPeriod,
    EditorialAction,
    Place,
)
from archive.services import log_action
from explorer import panels, queries, rules
from explorer.downloads import cached_download
from explorer.models import CommitmentCorrection, Indicator

PAGE_SIZE = 50
PIVOT_PLACES_PER_PAGE = 20
QUALIFIERS = [
    ("", "任意 any"),
    ("none", "无 none"),
    ("左右", "左右"),
    ("以上", "以上"),
    ("以内", "以内"),
    ("以下", "以下"),
    ("控制在", "控制在"),
    ("力争", "力争"),
    ("不低于", "不低于"),
    ("超过", "超过"),
]
MEASURES = [
    ("", "任意 any"),
    ("rate", "增速/比率 rate (%)"),
    ("points", "百分点 points"),
    ("level", "总量 level"),
]
SORTS = [
    ("year", "年份 year ↑"),
    ("-year", "年份 year ↓"),
    ("place", "地区 place"),
    ("indicator", "指标 indicator"),
    ("value", "数值 value ↑"),
    ("-value", "数值 value ↓"),
]
# the columns of the table downloads (CSV and JSON), each with the line the codebook shows
CODEBOOK = [
    ("place", "地区全称 the place, full name from the top (内蒙古自治区呼伦贝尔市海拉尔区)"),
    (
        "year",
        "报告年份 the year the report is delivered in and plans for (the 2016 report reviews 2015)",
    ),
    (
        "indicator",
        "指标 the indicator: a vocabulary name, or the name as the report writes it (normalised = false)",
    ),
    ("kind", "类型 target (目标) or achievement (完成)"),
    (
        "value",
        "数值 the number in the unit as written; a fall (下降3.3%) is positive with direction down",
    ),
    ("value_max", "区间上限 upper end of a range (4.5%—5%: value 4.5, value_max 5), else empty"),
    ("unit", "单位 the unit as written (%, 个百分点, 亿元, 万人, 万千瓦 …)"),
    ("qualifier", "限定 左右, 以上, 以内, 力争, 控制在, 多 … as written, else empty"),
    ("direction", "方向 up / down for a change (增长, 下降), level for a level (完成198.5亿元)"),
    (
        "period",
        "期间 year; multi_year_average (年均); cumulative (累计, 五年内); by_year (到2030年)",
    ),
    (
        "horizon",
        "目标年份 the year the sentence names as the target (到2030年 -> 2030), else empty",
    ),
    (
        "scope",
        "范围 empty for the whole place; else the part as written (大湾区, 对东盟, 规上纺织工业)",
    ),
    ("baseline", "基数 the 从/由 value of 从X提高到Y, in the same unit, else empty"),
    ("normalised", "规范化 true: indicator from the vocabulary; false: the name as written"),
    ("as_written", "原文数字 the number as it stands in the sentence"),
    ("sentence", "原句 the sentence (or clause) the number is in"),
    ("permalink", "永久链接 the paragraph in the immutable version it was read from"),
    ("report", "报告链接 the report's short permalink (/r/<id>)"),
    ("corrected", "已更正 true when an editor corrected this row"),
    ("correction_note", "更正说明 the editor's note, else empty"),
]
CSV_COLUMNS = [name for name, _ in CODEBOOK]


class FilterForm(forms.Form):
    indicator = forms.CharField(
        required=False,
        max_length=100,
        label="指标 Indicator (名称或同义词 name or synonym)",
        widget=forms.TextInput(attrs={"list": "indicator-names"}),
    )
    place = forms.CharField(required=False, max_length=200, label="地区 Place (含下辖 incl. below)")
    year_from = forms.IntegerField(
        required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR, label="自 From"
    )
    year_to = forms.IntegerField(
        required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR, label="至 To"
    )
    kind = forms.ChoiceField(
        required=False, label="类型 Kind", choices=[("", "任意 any"), *CommitmentKind.choices]
    )
    qualifier = forms.ChoiceField(required=False, choices=QUALIFIERS, label="限定 Qualifier")
    measure = forms.ChoiceField(required=False, choices=MEASURES, label="度量 Measure")
    report = forms.RegexField(
        required=False, regex=rf"^{PUBLIC_ID_PATTERN}$", widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(required=False, choices=SORTS, label="排序 Sort")

    def clean_indicator(self) -> list[str]:
        text = self.cleaned_data["indicator"].strip()
        if not text:
            return []
        names = queries.resolve_indicator(text)
        if not names:
            raise forms.ValidationError(f"没有这个指标 unknown indicator: {text}")
        return names

    def clean_place(self):
        text = self.cleaned_data["place"].strip()
        if not text:
            return None
        place = queries.place_by_name(text)
        if place is None:
            raise forms.ValidationError(f"没有这个地区 unknown place: {text} (use the full name)")
        return place

    def clean(self):
        data = super().clean()
        a, b = data.get("year_from"), data.get("year_to")
        if a and b and a > b:
            raise forms.ValidationError("起始年份晚于结束年份 year_from is after year_to")
        return data

    def filters(self) -> queries.Filters:
        d = self.cleaned_data
        return queries.Filters(
            indicators=d["indicator"],
            place=d["place"],
            year_from=d["year_from"],
            year_to=d["year_to"],
            kind=d["kind"],
            qualifier=d["qualifier"],
            measure=d["measure"],
            report=d.get("report", ""),
        )


class PivotForm(FilterForm):
    indicator = forms.CharField(
        max_length=100,
        label="指标 Indicator (名称或同义词 name or synonym)",
        widget=forms.TextInput(attrs={"list": "indicator-names"}),
    )
    kind = forms.ChoiceField(
        choices=CommitmentKind.choices, initial=CommitmentKind.TARGET, label="类型 Kind"
    )
    measure = forms.ChoiceField(choices=MEASURES[1:], initial="rate", label="度量 Measure")
    sort = None  # the pivot's order is fixed: places by name, years in order

    def __init__(self, data, *args, **kwargs):
        defaults = {"indicator": "地区生产总值", "kind": "target", "measure": "rate"}
        merged = {**defaults, **{k: v for k, v in data.items() if v != ""}}
        super().__init__(merged, *args, **kwargs)


def _vocab_names() -> list[str]:
    return [e.name for e in queries.vocabulary()]


def _bad_request(request: HttpRequest, form: forms.Form, template: str) -> HttpResponse:
    return render(request, template, {"form": form, "indicator_vocab": _vocab_names()}, status=400)


def commitments(request: HttpRequest) -> HttpResponse:
    """The table: filter, sort, paginate; every row linked to its paragraph."""
    form = FilterForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, form, "explorer/commitments.html")
    qs, corrections = queries.filtered(form.filters(), form.cleaned_data["sort"] or "year")
    page = Paginator(qs.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = queries.items(list(page.object_list), corrections)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "explorer/commitments.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "indicator_vocab": _vocab_names(),
        },
    )


def _download_rows(request: HttpRequest) -> tuple[FilterForm, Iterator[dict] | None]:
    form = FilterForm(request.GET)
    if not form.is_valid():
        return form, None
    qs, corrections = queries.filtered(form.filters(), form.cleaned_data["sort"] or "year")

    def rows() -> Iterator[dict]:
        ids = list(qs.values_list("pk", flat=True))
        for start in range(0, len(ids), 2000):
            chunk = ids[start : start + 2000]
            for it in queries.items(chunk, corrections):
                yield {
                    "place": it.place,
                    "year": it.year,
                    "indicator": it.indicator,
                    "kind": it.kind,
                    "value": it.value,
                    "value_max": it.value_max,
                    "unit": it.unit,
                    "qualifier": it.qualifier,
                    "direction": it.direction,
                    "period": it.period,
                    "horizon": it.horizon,
                    "scope": it.scope or None,
                    "baseline": it.baseline,
                    "normalised": it.normalised,
                    "as_written": it.number_text,
                    "sentence": it.sentence,
                    "permalink": request.build_absolute_uri(it.url),
                    "report": request.build_absolute_uri(
                        reverse("archive:report_short", args=[it.report_public_id])
                    ),
                    "corrected": it.corrected,
                    "correction_note": it.correction_note,
                }

    return form, rows()


class _Echo:
    def write(self, value: str) -> str:
        return value


def _refused(form: forms.Form) -> HttpResponse:
    """A download whose filters do not validate: the form's errors, as readable JSON."""
    return HttpResponse(
        json.dumps(form.errors, ensure_ascii=False),
        status=400,
        content_type="application/json; charset=utf-8",
    )


def commitments_csv(request: HttpRequest) -> HttpResponse:
    form, rows = _download_rows(request)
    if rows is None:
        return _refused(form)
    writer = csv.DictWriter(_Echo(), fieldnames=CSV_COLUMNS)

    def stream() -> Iterator[str]:
        yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
        yield writer.writeheader()
        for row in rows:
            yield writer.writerow(safe_dict(row))

    return cached_download(
        request, "commitments-csv", stream, "text/csv; charset=utf-8", "commitments.csv"
    )


def commitments_json(request: HttpRequest) -> HttpResponse:
    form, rows = _download_rows(request)
    if rows is None:
        return HttpResponse(
            json.dumps({"errors": form.errors}, ensure_ascii=False),
            status=400,
            content_type="application/json; charset=utf-8",
        )

    def stream() -> Iterator[str]:
        source = json.dumps(request.build_absolute_uri(), ensure_ascii=False)
        yield f'{{"source": {source}, "results": ['
        for i, row in enumerate(rows):
            yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
        yield "\n]}\n"

    return cached_download(request, "commitments-json", stream, "application/json; charset=utf-8")


def _pivot_data(request: HttpRequest):
    """The pivot's form, and when it is valid its rows, corrections and places."""
    form = PivotForm(request.GET)
    if not form.is_valid():
        return form, None
    filters = form.filters()
    qs, corrections = queries.filtered(filters)
    return form, (filters, qs, corrections, queries.pivot_places(qs))


def pivot(request: HttpRequest) -> HttpResponse:
    """One indicator × places × years; a gap is a gap, each number links to its sentence."""
    form, data = _pivot_data(request)
    if data is None:
        return _bad_request(request, form, "explorer/pivot.html")
    filters, qs, corrections, places = data
    page = Paginator(places, PIVOT_PLACES_PER_PAGE).get_page(request.GET.get("page"))
    table = _pivot_table(filters, qs, corrections, list(page.object_list))
    for row in table.rows:
        row.html = mark_safe("".join(_cell_html(cell) for cell in row.cells))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "explorer/pivot.html",
        {
            "form": form,
            "page": page,
            "pivot": table,
            "query": query.urlencode(),
            "indicator_names": form.cleaned_data["indicator"],
            "indicator_vocab": _vocab_names(),
        },
    )


def _pivot_table(filters: queries.Filters, qs, corrections: dict, places: list) -> rules.Pivot:
    rows = queries.items(qs.filter(place__in=places).order_by().values("pk"), corrections)
    years = None
    if filters.year_from and filters.year_to:
        years = list(range(filters.year_from, filters.year_to + 1))
    return rules.build_pivot(rows, years)


def _cell_html(cell: list[rules.Item]) -> str:
    """One pivot cell, built here rather than in the template (a page has hundreds); every
    piece of text goes through escape()."""
    if not cell:
        return '<td class="gap"><span class="gap-mark" aria-label="空缺 gap">·</span></td>'
    links = [
        f'<a class="cell" href="{escape(i.hl_url)}" title="{escape(i.sentence)}">'
        f"{escape(i.value_label)}</a>"
        + (
            f'<sup class="corrected" title="{escape(i.correction_note)}">*</sup>'
            if i.corrected
            else ""
        )
        for i in cell
    ]
    return f'<td class="has">{"<br>".join(links)}</td>'


def pivot_csv(request: HttpRequest) -> HttpResponse:
    form, data = _pivot_data(request)
    if data is None:
        return _refused(form)
    filters, qs, corrections, places = data
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        table = _pivot_table(filters, qs, corrections, places)
        yield "\ufeff"
        yield writer.writerow(["place", *table.years, *[f"{y} permalink" for y in table.years]])
        for row in table.rows:
            values = ["; ".join(i.value_label for i in cell) for cell in row.cells]
            links = [
                "; ".join(request.build_absolute_uri(i.url) for i in cell) for cell in row.cells
            ]
            yield writer.writerow(safe_row([row.place, *values, *links]))

    return cached_download(request, "pivot-csv", stream, "text/csv; charset=utf-8", "pivot.csv")


PANEL_TYPES = {"parquet": "application/vnd.apache.parquet", "dta": "application/x-stata-dta"}
PIVOT_PANEL_COLUMNS = [
    "place",
    "year",
    "indicator",
    "kind",
    "value",
    "value_max",
    "unit",
    "qualifier",
    "direction",
    "period",
    "horizon",
    "scope",
    "baseline",
    "normalised",
    "permalink",
    "corrected",
]


def _panel_response(
    request: HttpRequest, rows, columns: list[str], fmt: str, name: str
) -> HttpResponse:
    def produce() -> list[bytes]:
        df = panels.frame(rows() if callable(rows) else rows, columns)
        return [panels.to_parquet(df) if fmt == "parquet" else panels.to_stata(df, dict(CODEBOOK))]

    return cached_download(request, f"{name}-{fmt}", produce, PANEL_TYPES[fmt], f"{name}.{fmt}")


def commitments_panel(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered table as Parquet or Stata .dta: the CSV's rows and columns."""
    form, rows = _download_rows(request)
    if rows is None:
        return _refused(form)
    return _panel_response(request, rows, CSV_COLUMNS, fmt, "commitments")


def pivot_panel(request: HttpRequest, fmt: str) -> HttpResponse:
    """The pivot as a long panel (one row per place, year and number), Parquet or Stata .dta."""
    form, data = _pivot_data(request)
    if data is None:
        return _refused(form)
    filters, qs, corrections, places = data

    def rows():
        table = _pivot_table(filters, qs, corrections, places)
        for row in table.rows:
            for year, cell in zip(table.years, row.cells, strict=True):
                for i in cell:
                    yield {
                        "place": row.place,
                        "year": year,
                        "indicator": i.indicator,
                        "kind": i.kind,
                        "value": i.value,
                        "value_max": i.value_max,
                        "unit": i.unit,
                        "qualifier": i.qualifier,
                        "direction": i.direction,
                        "period": i.period,
                        "horizon": i.horizon,
                        "scope": i.scope,
                        "baseline": i.baseline,
                        "normalised": i.normalised,
                        "permalink": request.build_absolute_uri(i.url),
                        "corrected": i.corrected,
                    }

    return _panel_response(request, rows, PIVOT_PANEL_COLUMNS, fmt, "pivot")


def track_record(request: HttpRequest, path: str) -> HttpResponse:
    """A place's targets, the results its next reports gave, and whether they were met."""
    place = queries.place_by_path(path)
    if place is None:
        # A place whose readable name was corrected keeps its old track-record links.
        moved = Place.objects.by_old_path(path)
        if moved is None:
            raise Http404("no such place")
        return redirect(reverse("explorer:track_record", args=[moved.slug_path]), permanent=True)
    pairs = queries.track_record(place)
    groups: dict[tuple[str, str], list[rules.Pair]] = {}
    for p in pairs:
        groups.setdefault((p.target.indicator, p.target.unit), []).append(p)
    charts = []
    # GDP first (what researchers look for), then the indicators with the longest record.
    for (indicator, unit), group in sorted(
        groups.items(),
        key=lambda kv: (
            kv[0][0] != "地区生产总值",
            rules.unit_kind(kv[0][1]) != "rate",
            -len(kv[1]),
            kv[0],
        ),
    ):
        charts.append(
            {
                "indicator": indicator,
                "unit": unit,
                "pairs": group,
                "chart": rules.track_chart(group),
                "met": sum(p.status == rules.Status.MET for p in group),
                "missed": sum(p.status == rules.Status.MISSED for p in group),
                "no_result": sum(p.status == rules.Status.NO_RESULT for p in group),
            }
        )
    return render(
        request, "explorer/track_record.html", {"place": place, "groups": charts, "pairs": pairs}
    )


def methods(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "explorer/methods.html",
        {
            "about_points": rules.ABOUT_TOLERANCE_POINTS,
            "about_relative": f"{rules.ABOUT_TOLERANCE_RELATIVE:.0%}",
            "equal_tolerance": rules.EQUAL_TOLERANCE,
            "at_least": "、".join(rules.AT_LEAST),
            "at_most": "、".join(rules.AT_MOST),
            "about": "、".join(rules.ABOUT),
        },
    )


def codebook(request: HttpRequest) -> HttpResponse:
    """One line per column of the downloads."""
    return render(request, "explorer/codebook.html", {"columns": CODEBOOK})


def indicators(request: HttpRequest) -> HttpResponse:
    entries = list(Indicator.objects.all())
    return render(
        request,
        "explorer/indicators.html",
        {
            "indicators": entries,
            "updated": max((e.updated_at for e in entries), default=None),
        },
    )


# ---------------------------------------------------------------------------------------------
# editors


class CorrectionForm(forms.Form):
    indicator = forms.CharField(required=False, max_length=100, label="指标 Indicator")
    value = forms.FloatField(required=False, label="数值 Value")
    value_max = forms.FloatField(required=False, label="区间上限 Range max")
    unit = forms.CharField(required=False, max_length=30, label="单位 Unit")
    qualifier = forms.CharField(required=False, max_length=30, label="限定 Qualifier")
    kind = forms.ChoiceField(
        required=False, choices=[("", "不变 unchanged"), *CommitmentKind.choices], label="类型 Kind"
    )
    direction = forms.ChoiceField(
        required=False,
        choices=[("", "不变 unchanged"), *CommitmentDirection.choices],
        label="方向 Direction",
    )
    period = forms.ChoiceField(
        required=False,
        choices=[("", "不变 unchanged"), *CommitmentPeriod.choices],
        label="期间 Period",
    )
    horizon = forms.IntegerField(
        required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR, label="目标年份 Horizon"
    )
    scope = forms.CharField(
        required=False,
        max_length=100,
        label="范围 Scope (空 = 全辖区 empty = the whole jurisdiction)",
    )
    baseline = forms.FloatField(required=False, label="基数 Baseline (从…)")
    marked_wrong = forms.BooleanField(
        required=False, label="不是数字目标/完成数 Not a commitment (hide it)"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        label="说明 Note (shown to readers)",
    )

    def clean_indicator(self) -> str:
        text = self.cleaned_data["indicator"].strip()
        if text and text not in {e.name for e in queries.vocabulary()}:
            raise forms.ValidationError("请使用指标词表中的名称 use a name from the vocabulary")
        return text

    def clean(self):
        d = super().clean()
        if d.get("value_max") is not None:
            if d.get("value") is None:
                raise forms.ValidationError("区间需要下限 a range needs its lower value")
            if d["value_max"] < d["value"]:
                raise forms.ValidationError("上限小于下限 range max below its value")
        if d.get("unit") and rules.unit_base(d["unit"]) is None:
            self.add_error("unit", "未知单位 unknown unit")
        return d


@staff_member_required
@require_http_methods(["GET", "POST"])
def correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct one number (staff only). The correction is filed under the report, the
    sentence and the number as written, so it holds for every version that reads the same."""
    commitment = get_object_or_404(Commitment.objects.select_related("version__report"), pk=pk)
    report = commitment.version.report
    item = queries.items([pk])[0]
    current = queries.correction_map().get(pk)
    shown = rules.apply_correction(item, current)
    form = CorrectionForm(
        request.POST or None,
        initial={
            "indicator": shown.indicator,
            "value": shown.value,
            "value_max": shown.value_max,
            "unit": shown.unit,
            "qualifier": shown.qualifier,
            "kind": shown.kind,
            "direction": shown.direction,
            "period": shown.period,
            "horizon": shown.horizon,
            "scope": shown.scope,
            "baseline": shown.baseline,
            "marked_wrong": shown.marked_wrong,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        digest, number = rules.correction_key(item.sentence, item.number_text)
        original = {k: getattr(item, k) for k in rules.CORRECTABLE}
        new = {
            "indicator": d["indicator"] or item.indicator,
            "value": d["value"] if d["value"] is not None else item.value,
            "value_max": d["value_max"] if d["value"] is not None else item.value_max,
            "unit": d["unit"] or item.unit,
            "qualifier": d["qualifier"],
            "kind": d["kind"] or item.kind,
            "direction": d["direction"] or item.direction,
            "period": d["period"] or item.period,
            "horizon": d["horizon"] if d["horizon"] is not None else item.horizon,
            "scope": d["scope"],
            "baseline": d["baseline"] if d["baseline"] is not None else item.baseline,
        }
        with transaction.atomic():
            CommitmentCorrection.objects.create(
                report=report,
                sentence_key=digest,
                number_text=number,
                original=original,
                marked_wrong=d["marked_wrong"],
                note=d["note"],
                user=request.user,
                **new,
            )
            changes = {k: [original[k], v] for k, v in new.items() if original[k] != v}
            if d["marked_wrong"]:
                changes["marked_wrong"] = [False, True]
            log_action(
                report,
                EditorialAction.Verb.COMMITMENT,
                user=request.user,
                changes={"number": number, **changes},
                note=d["note"],
            )
        messages.success(
            request, "已更正，重新解析后仍然有效。Corrected; the correction survives re-parses."
        )
        return redirect(f"{reverse('explorer:commitments')}?report={report.public_id}")
    return render(
        request,
        "explorer/correct.html",
        {"form": form, "item": shown, "report": report, "commitment": commitment},
    )
