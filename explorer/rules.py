"""The commitments explorer's rules, as plain functions over plain data (no Django).

    locate_number(sentence, value, value_max, unit) -> (start, end) | None
    correction_key(sentence, number_text) -> str
    judge(target, result, higher_is_better) -> Verdict
    match_promises(targets, results_by_year, higher_is_better) -> [Pair]
    build_pivot(cells, years) -> Pivot
    track_chart(pairs) -> Chart

The views turn database rows into `Item`s and hand them here; everything a researcher may
want to check (what counts as met, which result answers which target) is decided in this
module and written down on the methods page (explorer/templates/explorer/methods.html), which quotes
the constants below.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from archive.ingest.commitments import find_tokens
from archive.ingest.textnorm import fold_width

# ---------------------------------------------------------------------------------------------
# units

# unit -> (base unit, factor): two units are comparable when they share a base, and values
# convert by the factors (亿元 and 万元 compare; % and 个百分点 do not).
UNIT_BASE: dict[str, tuple[str, float]] = {
    "%": ("%", 1),
    "个百分点": ("pp", 1),
    "百分点": ("pp", 1),
    "‰": ("‰", 1),
    "元": ("元", 1),
    "万元": ("元", 1e4),
    "亿元": ("元", 1e8),
    "万亿元": ("元", 1e12),
    "美元": ("美元", 1),
    "万美元": ("美元", 1e4),
    "亿美元": ("美元", 1e8),
    "万亿美元": ("美元", 1e12),
    "人": ("人", 1),
    "万人": ("人", 1e4),
    "万": ("人", 1e4),
    "人次": ("人次", 1),
    "万人次": ("人次", 1e4),
    "户": ("户", 1),
    "万户": ("户", 1e4),
    "套": ("套", 1),
    "万套": ("套", 1e4),
    "家": ("家", 1),
    "个": ("个", 1),
    "项": ("项", 1),
    "座": ("座", 1),
    "平方米": ("平方米", 1),
    "万平方米": ("平方米", 1e4),
    "平方公里": ("平方米", 1e6),
    "公顷": ("平方米", 1e4),
    "亩": ("亩", 1),
    "万亩": ("亩", 1e4),
    "斤": ("斤", 1),
    "万斤": ("斤", 1e4),
    "亿斤": ("斤", 1e8),
    "万亿斤": ("斤", 1e12),
    "公斤": ("吨", 1e-3),
    "吨": ("吨", 1),
    "万吨": ("吨", 1e4),
    "亿吨": ("吨", 1e8),
    "吨标准煤": ("吨标准煤", 1),
    "万吨标准煤": ("吨标准煤", 1e4),
    "微克/立方米": ("微克/立方米", 1),
    "天": ("天", 1),
}
RATE_UNITS = {"%", "个百分点", "百分点", "‰"}

# 左右 / 上下 / 约: how far below (or, where less is better, above) the target still counts
# as met. Percentages and percentage points: 0.5 points; other units: 1 % of the target.
ABOUT_TOLERANCE_POINTS = 0.5
ABOUT_TOLERANCE_RELATIVE = 0.01
# Two numbers "equal" for an indicator with no direction when they differ by no more than
# rounding in the last written digit.
EQUAL_TOLERANCE = 0.05

AT_LEAST = ("以上", "不低于", "超过", "高于", "突破", "力争")
AT_MOST = ("以内", "以下", "之内", "控制在", "不超过", "不高于", "低于")
ABOUT = ("左右", "上下", "约")
DOWN_WORDS = re.compile(r"(?:下降|降低|减少|回落|降幅|减|降)[^，,；;。\d]{0,6}$")
# A target or result that speaks of several years is not the promise for one year.
MULTI_YEAR = re.compile(
    r"年均|年平均|平均每年|五年|十二五|十三五|十四五|十五五|累计|由\s*\d{4}\s*年"
)
YEAR_IN_TEXT = re.compile(r"(?<!\d)(19|20)(\d{2})\s*年")


def unit_base(unit: str) -> tuple[str, float] | None:
    return UNIT_BASE.get(unit)


def comparable(unit_a: str, unit_b: str) -> bool:
    a, b = unit_base(unit_a), unit_base(unit_b)
    return a is not None and b is not None and a[0] == b[0]


def convert(value: float, unit_from: str, unit_to: str) -> float:
    """`value` in `unit_from`, expressed in `unit_to` (the units must be comparable)."""
    fa, fb = UNIT_BASE[unit_from][1], UNIT_BASE[unit_to][1]
    return value * fa / fb


def unit_kind(unit: str) -> str:
    """'rate' for growth rates and shares (%, 个百分点), otherwise the unit's base: the
    pivot and the matching keep rates and levels of one indicator apart."""
    if unit in RATE_UNITS:
        return "rate" if unit in ("%", "‰") else "points"
    base = unit_base(unit)
    return base[0] if base else unit


# ---------------------------------------------------------------------------------------------
# the number inside its sentence


def locate_number(
    sentence: str, value: float, value_max: float | None, unit: str
) -> tuple[int, int] | None:
    """Offsets of the number (with its unit, and its range) inside `sentence`, found by the
    ingest pipeline's own number reader, so that "二十一%" or "4.5%—5%" are found as well."""
    folded = fold_width(sentence)
    if value_max is None:
        # Fast path for the common case (a pivot of thousands of cells): the number written
        # plainly, not the tail of a longer number.
        written = format_number(value) + unit
        i = folded.find(written)
        while i >= 0:
            if i == 0 or not (folded[i - 1].isdigit() or folded[i - 1] == "."):
                return i, i + len(written)
            i = folded.find(written, i + 1)
    tokens = find_tokens(folded, [])
    best = None
    for t in tokens:
        if abs(t.value - value) > 1e-9:
            continue
        if (t.value_max is None) != (value_max is None):
            continue
        if value_max is not None and abs(t.value_max - value_max) > 1e-9:
            continue
        if t.unit == unit:
            return t.start, t.end
        best = best or (t.start, t.end)
    return best


def number_as_written(sentence: str, span: tuple[int, int] | None) -> str:
    if span is None:
        return ""
    return sentence[span[0] : span[1]].strip()


def split_marked(sentence: str, span: tuple[int, int] | None) -> list[tuple[str, bool]]:
    """The sentence in pieces (text, marked): the template escapes each piece."""
    if span is None:
        return [(sentence, False)]
    a, b = span
    return [
        p for p in [(sentence[:a], False), (sentence[a:b], True), (sentence[b:], False)] if p[0]
    ]


def normalize_sentence(sentence: str) -> str:
    """What a re-parse cannot change: NFKC-folded text without whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", sentence))


def correction_key(sentence: str, number_text: str) -> tuple[str, str]:
    """The key an editor's correction is filed under (with the report): stable across
    versions as long as the sentence reads the same. The number is kept as written."""
    digest = hashlib.sha256(normalize_sentence(sentence).encode("utf-8")).hexdigest()
    return digest, unicodedata.normalize("NFKC", number_text).strip()


# ---------------------------------------------------------------------------------------------
# plain data


@dataclass
class Item:
    """One commitment as the explorer shows it (after any correction)."""

    id: int
    report_id: int
    report_public_id: str
    place_id: int | None
    place: str
    year: int | None
    indicator: str
    value: float
    value_max: float | None
    unit: str
    qualifier: str
    kind: str
    sentence: str
    section_kind: str = ""
    url: str = ""  # paragraph permalink (version URL + #p<n>)
    hl_url: str = ""  # the same with ?hl=<number as written> before the anchor
    span: tuple[int, int] | None = None
    corrected: bool = False
    correction_note: str = ""
    marked_wrong: bool = False
    original: dict = field(default_factory=dict)
    # what the number measures, as the pipeline (or an editor) read it
    direction: str = "level"
    period: str = "year"
    horizon: int | None = None
    scope: str = ""
    baseline: float | None = None
    normalised: bool = True

    @property
    def number_text(self) -> str:
        return number_as_written(self.sentence, self.span)

    @property
    def pieces(self) -> list[tuple[str, bool]]:
        return split_marked(self.sentence, self.span)

    @property
    def value_label(self) -> str:
        return format_value(self.value, self.value_max, self.unit, self.qualifier)


def format_number(x: float) -> str:
    return f"{x:.6g}" if x != int(x) else str(int(x))


def format_value(value: float, value_max: float | None, unit: str, qualifier: str = "") -> str:
    text = format_number(value) + ("–" + format_number(value_max) if value_max is not None else "")
    text += unit
    if qualifier in ("左右", "以上", "以内", "以下", "之内", "上下", "之间"):
        text += qualifier
    elif qualifier:
        text = f"{qualifier} {text}"
    return text


# the fields of an Item an editor can correct
CORRECTABLE = (
    "indicator",
    "value",
    "value_max",
    "unit",
    "qualifier",
    "kind",
    "direction",
    "period",
    "horizon",
    "scope",
    "baseline",
)


def apply_correction(item: Item, correction: dict | None) -> Item:
    """The item as the editors corrected it; the original stays in `original`."""
    if not correction:
        return item
    original = {k: getattr(item, k) for k in CORRECTABLE}
    changes = {}
    for key in ("indicator", "unit", "kind", "direction", "period"):
        if correction.get(key):
            changes[key] = correction[key]
    if "scope" in correction:  # an editor may clear a scope: the figure is the whole jurisdiction's
        changes["scope"] = correction["scope"] or ""
    for key in ("horizon", "baseline"):
        if correction.get(key) is not None:
            changes[key] = correction[key]
    if "qualifier" in correction:  # an editor may remove a qualifier the parser saw
        changes["qualifier"] = correction["qualifier"] or ""
    if correction.get("value") is not None:
        changes["value"] = correction["value"]
        changes["value_max"] = correction.get("value_max")
    return replace(
        item,
        **changes,
        corrected=True,
        original=original,
        marked_wrong=bool(correction.get("marked_wrong")),
        correction_note=correction.get("note") or "",
    )


# ---------------------------------------------------------------------------------------------
# promise -> delivery


class Status:
    MET = "met"
    MISSED = "missed"
    NO_RESULT = "no_result"

    LABELS = {MET: "达成 met", MISSED: "未达成 missed", NO_RESULT: "未报告结果 no result reported"}


@dataclass
class Verdict:
    status: str
    rule: str  # one line a reader can check, e.g. "以上: 18.5 ≥ 21? no"


@dataclass
class Pair:
    target: Item
    result: Item | None
    verdict: Verdict
    result_year_report: bool  # was there a report for the year after at all?

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.verdict.status]


def direction(item: Item) -> int:
    """-1 when the number is a fall (下降 3%), +1 otherwise."""
    if item.span is None or item.unit not in RATE_UNITS:
        return 1
    return -1 if DOWN_WORDS.search(item.sentence[max(0, item.span[0] - 10) : item.span[0]]) else 1


def is_multi_year(item: Item) -> bool:
    """A number about several years (年均, 五年, 由2010年…到2015年) or about another year
    than the report's own (targets) or the year before it (results)."""
    if MULTI_YEAR.search(item.sentence):
        return True
    # the parse says so: an average or sum over years, a level for a horizon year, or a figure
    # of a part of the place (a sub-region, one partner, one industry) is no annual promise
    if item.period != "year" or item.scope:
        return True
    if item.year is None:
        return True
    expected = item.year if item.kind == "target" else item.year - 1
    years = {int(a + b) for a, b in YEAR_IN_TEXT.findall(item.sentence)}
    return bool(years) and expected not in years


def _sense(target: Item, higher_is_better: bool | None) -> str:
    """'at_least', 'at_most' or 'about' for this target, from its qualifier first, then from
    the indicator's direction (a fall of a less-is-better indicator is better when larger)."""
    q = target.qualifier or ""
    if q in AT_LEAST:
        return "at_least"
    if q in AT_MOST:
        return "at_most"
    if higher_is_better is None:
        return "about"
    better_up = higher_is_better if direction(target) > 0 else True
    return "at_least" if better_up else "at_most"


def tolerance(target: Item) -> float:
    if target.unit in RATE_UNITS:
        return ABOUT_TOLERANCE_POINTS
    return abs(target.value) * ABOUT_TOLERANCE_RELATIVE


def judge(target: Item, result: Item | None, higher_is_better: bool | None) -> Verdict:
    """Was the target met? The rules, in order (also on the methods page):

    - no result: no result reported;
    - ranges (4.5%–5%): met when the result reaches the bound on the better side (the lower
      bound where more is better, the upper where less is better; inside the range when the
      indicator has no direction);
    - 以上/不低于/超过/突破: result ≥ value; 以内/以下/控制在/不超过: result ≤ value;
    - 左右/上下/约: within the tolerance on the worse side (0.5 points for rates, 1 % of
      the value otherwise), any amount on the better side; both sides without direction;
    - a bare number: reached (≥ where more is better, ≤ where less is better; equal within
      rounding without direction).
    A fall written as 下降 x% counts as −x when the target speaks of a rise.
    """
    if result is None:
        return Verdict(
            Status.NO_RESULT, "下一年报告中没有同一指标、可比单位的完成数 no comparable result"
        )
    r = value_for_target(result, target, target.unit)
    sense = _sense(target, higher_is_better)
    shown = f"{format_number(round(r, 6))}{target.unit}"
    if target.value_max is not None:
        ok, rule = _judge_range(target, r, shown, sense, higher_is_better)
    elif (target.qualifier or "") in ABOUT:
        ok, rule = _judge_about(target, r, shown, sense)
    else:
        ok, rule = _judge_bare(target, r, shown, sense)
    return Verdict(Status.MET if ok else Status.MISSED, rule + (" ✓" if ok else " ✗"))


def value_for_target(result: Item, target: Item, unit: str) -> float:
    """The result's value in `unit`, its sign turned when it is written the other way round
    from the target (下降 x% against a target of a rise counts as −x)."""
    value = convert(result.value, result.unit, unit)
    return -value if direction(result) != direction(target) else value


# Each rule below says whether the result `r` (in the target's unit; `shown` as written in
# the verdict) meets the target, and the comparison it made, as (met, rule).


def _judge_range(
    target: Item, r: float, shown: str, sense: str, higher_is_better: bool | None
) -> tuple[bool, str]:
    """4.5%–5%: the bound on the better side; inside the range without a direction."""
    lo, hi = target.value, target.value_max
    q = target.qualifier or ""
    if sense == "at_most" or (higher_is_better is False and q not in AT_LEAST):
        return r <= hi + 1e-9, f"区间 range: {shown} ≤ {format_number(hi)}"
    if sense == "at_least":
        return r >= lo - 1e-9, f"区间 range: {shown} ≥ {format_number(lo)}"
    return (
        lo - 1e-9 <= r <= hi + 1e-9,
        f"区间 range: {format_number(lo)} ≤ {shown} ≤ {format_number(hi)}",
    )


def _judge_about(target: Item, r: float, shown: str, sense: str) -> tuple[bool, str]:
    """左右/上下/约: within the tolerance on the worse side (both sides without direction)."""
    lo, q = target.value, target.qualifier
    tol = tolerance(target)
    if sense == "at_least":
        return r >= lo - tol - 1e-9, f"{q}: {shown} ≥ {format_number(lo)} − {format_number(tol)}"
    if sense == "at_most":
        return r <= lo + tol + 1e-9, f"{q}: {shown} ≤ {format_number(lo)} + {format_number(tol)}"
    return abs(r - lo) <= tol + 1e-9, f"{q}: |{shown} − {format_number(lo)}| ≤ {format_number(tol)}"


def _judge_bare(target: Item, r: float, shown: str, sense: str) -> tuple[bool, str]:
    """以上/以内… or a bare number: reached (equal within rounding without direction)."""
    lo, q = target.value, target.qualifier or ""
    if sense == "at_least":
        return r >= lo - 1e-9, f"{q or '目标'}: {shown} ≥ {format_number(lo)}"
    if sense == "at_most":
        return r <= lo + 1e-9, f"{q or '目标'}: {shown} ≤ {format_number(lo)}"
    return abs(r - lo) <= EQUAL_TOLERANCE, f"目标 target: {shown} = {format_number(lo)}"


def pick_result(target: Item, candidates: Iterable[Item]) -> Item | None:
    """The result that answers `target`: an achievement of the same indicator, in a
    comparable unit of the same kind (a rate answers a rate, a level a level), not about
    several years; one from a review section first, then the first in the text."""
    fitting = [
        c
        for c in candidates
        if c.kind == "achievement"
        and not c.marked_wrong
        and c.indicator == target.indicator
        and comparable(c.unit, target.unit)
        and not is_multi_year(c)
    ]
    if not fitting:
        return None
    fitting.sort(key=lambda c: (c.section_kind != "review", c.span[0] if c.span else 0, c.id))
    return fitting[0]


def match_promises(
    targets: Iterable[Item],
    results_by_year: dict[int, list[Item]],
    higher_is_better: Callable[[str], bool | None],
) -> list[Pair]:
    """Each annual target of year Y with the result for Y from the report of year Y+1.

    `results_by_year` maps a report year to the commitments of that place's report of that
    year (absent: no report). Multi-year targets are left out.
    """
    pairs = []
    seen: set[tuple] = set()
    # one target per year, indicator and kind of number: a report that states its GDP target in
    # the targets section and again in a later chapter promises it once (the first one stands,
    # one from a targets/plan section before others)
    ordered = sorted(
        targets,
        key=lambda t: (t.section_kind not in ("targets", "plan"), t.span[0] if t.span else 0, t.id),
    )
    for t in ordered:
        if t.kind != "target" or t.marked_wrong or t.year is None or is_multi_year(t):
            continue
        key = (t.year, t.indicator, unit_kind(t.unit), t.period)
        if key in seen:
            continue
        seen.add(key)
        nxt = results_by_year.get(t.year + 1)
        result = pick_result(t, nxt) if nxt is not None else None
        verdict = judge(t, result, higher_is_better(t.indicator))
        if nxt is None:
            verdict = Verdict(
                Status.NO_RESULT,
                f"档案中没有 {t.year + 1} 年的报告 no report for {t.year + 1} in the archive",
            )
        pairs.append(Pair(t, result, verdict, nxt is not None))
    pairs.sort(key=lambda p: (p.target.year, p.target.indicator, unit_kind(p.target.unit)))
    return pairs


# ---------------------------------------------------------------------------------------------
# pivot


@dataclass
class PivotRow:
    place_id: int
    place: str
    cells: list[list[Item]]  # one list per year: empty = a gap


@dataclass
class Pivot:
    years: list[int]
    rows: list[PivotRow]


def build_pivot(items: Iterable[Item], years: list[int] | None = None) -> Pivot:
    """Places × years; every year between the first and the last is a column, so that a
    missing report or a missing number shows as a gap. A cell may hold several numbers (a
    range written twice, a level and a revision): all are kept, in text order."""
    by_place: dict[int, tuple[str, dict[int, list[Item]]]] = {}
    seen_years = set()
    for it in items:
        if it.year is None or it.place_id is None or it.marked_wrong:
            continue
        entry = by_place.setdefault(it.place_id, (it.place, {}))
        entry[1].setdefault(it.year, []).append(it)
        seen_years.add(it.year)
    if years is None:
        years = list(range(min(seen_years), max(seen_years) + 1)) if seen_years else []
    rows = [
        PivotRow(pid, name, [cells.get(y, []) for y in years])
        for pid, (name, cells) in sorted(by_place.items(), key=lambda kv: kv[1][0])
    ]
    return Pivot(years, rows)


# ---------------------------------------------------------------------------------------------
# track-record chart (server-rendered SVG)


@dataclass
class ChartPoint:
    x: float
    y: float
    label: str
    url: str


@dataclass
class Chart:
    width: int
    height: int
    years: list[tuple[float, int]]  # x, year
    ticks: list[tuple[float, str]]  # y, label
    target_points: list[ChartPoint]
    result_points: list[ChartPoint]
    target_path: str
    result_path: str
    segments: list[tuple[float, float, float, str]]  # x, y_target, y_result, status


# The plot area's margins inside the SVG: room for the value labels on the left and the
# years below.
_PAD_LEFT, _PAD_RIGHT, _PAD_TOP, _PAD_BOTTOM = 48, 16, 16, 32
_TICK_STEPS = 4


@dataclass(frozen=True)
class _Frame:
    """Years and values to SVG coordinates: the years spread across the width (one year in
    the middle), the values from vmax at the top to vmin at the bottom."""

    width: int
    height: int
    first_year: int
    last_year: int
    vmin: float
    vmax: float

    def x(self, year: int) -> float:
        span = self.width - _PAD_LEFT - _PAD_RIGHT
        if self.last_year == self.first_year:
            return _PAD_LEFT + span / 2
        return _PAD_LEFT + (year - self.first_year) / (self.last_year - self.first_year) * span

    def y(self, value: float) -> float:
        span = self.height - _PAD_TOP - _PAD_BOTTOM
        return _PAD_TOP + (self.vmax - value) / (self.vmax - self.vmin) * span


def track_chart(pairs: list[Pair], *, width: int = 640, height: int = 260) -> Chart | None:
    """Target and result of one indicator and unit over the years, as SVG coordinates."""
    pairs = [p for p in pairs if p.target.year is not None]
    if not pairs:
        return None
    unit = pairs[0].target.unit
    years = sorted({p.target.year for p in pairs})
    vmin, vmax = _value_range(pairs, unit)
    frame = _Frame(width, height, years[0], years[-1], vmin, vmax)
    tpts, rpts, segs = [], [], []
    for p in sorted(pairs, key=lambda p: p.target.year):
        x = round(frame.x(p.target.year), 1)
        ty = round(frame.y(p.target.value), 1)
        label = f"{p.target.year} 目标 {p.target.value_label}"
        tpts.append(ChartPoint(x, ty, label, p.target.hl_url or p.target.url))
        if p.result is None:
            continue
        ry = round(frame.y(value_for_target(p.result, p.target, unit)), 1)
        label = f"{p.target.year} 完成 {p.result.value_label}"
        rpts.append(ChartPoint(x, ry, label, p.result.hl_url or p.result.url))
        segs.append((x, ty, ry, p.status))
    return Chart(
        width,
        height,
        [(round(frame.x(y), 1), y) for y in years],
        _ticks(frame, unit),
        tpts,
        rpts,
        _svg_path(tpts),
        _svg_path(rpts),
        segs,
    )


def _value_range(pairs: list[Pair], unit: str) -> tuple[float, float]:
    """The values the chart must show, zero included; never an empty range."""
    values = [p.target.value for p in pairs]
    values += [value_for_target(p.result, p.target, unit) for p in pairs if p.result is not None]
    vmin, vmax = min(values + [0.0]), max(values)
    return (vmin, vmin + 1) if vmax == vmin else (vmin, vmax)


def _ticks(frame: _Frame, unit: str) -> list[tuple[float, str]]:
    ticks = []
    for i in range(_TICK_STEPS + 1):
        value = frame.vmin + (frame.vmax - frame.vmin) * i / _TICK_STEPS
        ticks.append((round(frame.y(value), 1), format_number(round(value, 2)) + unit))
    return ticks


def _svg_path(points: list[ChartPoint]) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{pt.x},{pt.y}" for i, pt in enumerate(points))
