"""The commitments explorer's database side: which commitments are current and public, the
filters a researcher can set, editors' corrections, and the vocabulary.

Only the current version of each published report counts: older versions stay reachable by
their permalinks but are not the archive's reading any more. Rows come out as
`explorer.rules.Item`s, the plain data the rules in explorer.rules work on. The table the
pages filter (ExplorerRow) is kept current by the writers (explorer.rows): nothing here writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote

from django.db.models import Q, QuerySet, Subquery
from django.urls import reverse

from archive.ingest.commitments import DATA as VOCABULARY_FILE
from archive.models import Commitment, Place, Report
from explorer import rules
from explorer.models import CommitmentCorrection, ExplorerRow, Indicator

ROW_FIELDS = (
    "id",
    "indicator",
    "value",
    "value_max",
    "unit",
    "qualifier",
    "kind",
    "sentence",
    "section__kind",
    "paragraph__number",
    "version__number",
    "version__report_id",
    "version__report__public_id",
    "version__report__year",
    "version__report__place_id",
    "version__report__place__full_name",
    "direction",
    "period",
    "horizon",
    "scope",
    "baseline",
    "normalised",
)
MEASURES = {
    "rate": ["%", "‰"],
    "points": ["个百分点", "百分点"],
}
SORTS = {
    "year": ["year", "place_name", "commitment_id"],
    "-year": ["-year", "place_name", "commitment_id"],
    "place": ["place_name", "year", "commitment_id"],
    "indicator": ["indicator", "year", "commitment_id"],
    "value": ["value", "commitment_id"],
    "-value": ["-value", "commitment_id"],
}


# ---------------------------------------------------------------------------------------------
# vocabulary


@dataclass(frozen=True)
class VocabEntry:
    name: str
    synonyms: tuple[str, ...]
    unit_family: str
    higher_is_better: bool | None


@lru_cache(maxsize=1)
def _file_vocabulary() -> tuple[VocabEntry, ...]:
    data = json.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
    return tuple(
        VocabEntry(
            e["name"], tuple(e.get("synonyms", [])), e["unit_family"], e.get("higher_is_better")
        )
        for e in data["indicators"]
    )


def vocabulary() -> list[VocabEntry]:
    """The indicators editors maintain in the database; the shipped file until it is loaded."""
    rows = list(
        Indicator.objects.values_list("name", "synonyms", "unit_family", "higher_is_better")
    )
    if not rows:
        return list(_file_vocabulary())
    return [VocabEntry(n, tuple(s or ()), f, h) for n, s, f, h in rows]


def resolve_indicator(text: str) -> list[str]:
    """Indicator names a researcher's word stands for: the name itself or any synonym
    (full-width folded, case-insensitive). Unknown words give []."""
    needle = rules.normalize_sentence(text).lower()
    if not needle:
        return []
    names = [
        e.name
        for e in vocabulary()
        if needle in (rules.normalize_sentence(w).lower() for w in (e.name, *e.synonyms))
    ]
    return names


def direction_lookup() -> dict[str, bool | None]:
    return {e.name: e.higher_is_better for e in vocabulary()}


# ---------------------------------------------------------------------------------------------
# filters


@dataclass
class Filters:
    indicators: list[str] = field(default_factory=list)  # resolved names; [] = any
    place: Place | None = None
    year_from: int | None = None
    year_to: int | None = None
    kind: str = ""
    qualifier: str = ""  # "none" for numbers without one
    measure: str = ""  # "rate", "points", "level" or ""
    report: str = ""  # a report's public id

    def q(self) -> Q:
        """The filters as one condition on the explorer's rows: every filter that is set
        must hold."""
        q = Q()
        if self.indicators:
            q &= Q(indicator__in=self.indicators)
        if self.place is not None:
            q &= Q(place__in=Place.objects.under(self.place))
        if self.year_from is not None:
            q &= Q(year__gte=self.year_from)
        if self.year_to is not None:
            q &= Q(year__lte=self.year_to)
        if self.kind:
            q &= Q(kind=self.kind)
        if self.qualifier:
            q &= Q(qualifier=self.qualifier_written)
        q &= self._measure_q()
        if self.report:
            q &= Q(report__public_id=self.report)
        return q

    @property
    def qualifier_written(self) -> str:
        """The qualifier a number must carry: "none" stands for numbers written without."""
        return "" if self.qualifier == "none" else self.qualifier

    def _measure_q(self) -> Q:
        """A rate or points: its units; a level: any other unit; no measure: anything."""
        if self.measure in MEASURES:
            return Q(unit__in=MEASURES[self.measure])
        if self.measure == "level":
            return ~Q(unit__in=[u for units in MEASURES.values() for u in units])
        return Q()

    def accepts(self, item: rules.Item, place_ids: set[int] | None) -> bool:
        """The same test in Python, for a corrected item (its corrected values)."""
        if self.indicators and item.indicator not in self.indicators:
            return False
        if place_ids is not None and item.place_id not in place_ids:
            return False
        if self.year_from is not None and (item.year is None or item.year < self.year_from):
            return False
        if self.year_to is not None and (item.year is None or item.year > self.year_to):
            return False
        if self.kind and item.kind != self.kind:
            return False
        if self.qualifier and item.qualifier != self.qualifier_written:
            return False
        if self.measure in MEASURES and item.unit not in MEASURES[self.measure]:
            return False
        if self.measure == "level" and any(item.unit in u for u in MEASURES.values()):
            return False
        return not (self.report and item.report_public_id != self.report)


def current_commitments() -> QuerySet[Commitment]:
    """Commitments of the current version of every published report."""
    return Commitment.objects.filter(
        version_id__in=Subquery(Report.objects.published().values("current_version_id"))
    )


def rows() -> QuerySet[ExplorerRow]:
    """The explorer's table: one row per commitment of a current, published version."""
    return ExplorerRow.objects.all()


def filtered(filters: Filters, sort: str = "year") -> tuple[QuerySet[ExplorerRow], dict[int, dict]]:
    """The rows a researcher asked for, with editors' corrections taken into account (a
    correction can move a number into or out of the filter), and the corrections by
    commitment id."""
    base = rows()
    corrections = correction_map()
    qs = base.filter(filters.q())
    if corrections:
        corrected_items = [
            rules.apply_correction(i, corrections[i.id]) for i in items(list(corrections))
        ]
        place_ids = (
            set(Place.objects.under(filters.place).values_list("pk", flat=True))
            if filters.place is not None
            else None
        )
        keep = [
            i.id for i in corrected_items if not i.marked_wrong and filters.accepts(i, place_ids)
        ]
        qs = base.filter((filters.q() & ~Q(pk__in=list(corrections))) | Q(pk__in=keep))
    return qs.order_by(*SORTS.get(sort, SORTS["year"])), corrections


def items(
    ids: list[int] | QuerySet, corrections: dict[int, dict] | None = None
) -> list[rules.Item]:
    """Commitments (by id, in that order) as Items: number located in its sentence,
    permalinks built, corrections applied."""
    fetched = {}
    if isinstance(ids, QuerySet):  # a subquery of ids: one query, in text order
        for r in Commitment.objects.filter(pk__in=ids).order_by("id").values(*ROW_FIELDS):
            fetched[r["id"]] = r
        ids = list(fetched)
    else:
        ids = list(ids)
        for start in range(0, len(ids), 900):  # SQLite allows 999 parameters a query
            for r in Commitment.objects.filter(pk__in=ids[start : start + 900]).values(*ROW_FIELDS):
                fetched[r["id"]] = r
    out = []
    version_urls: dict[tuple[str, int], str] = {}
    # reverse() once, then fill in: a pivot page links a thousand versions.
    pattern = reverse("archive:version", args=["00000000", 1])
    for r in (fetched[i] for i in ids if i in fetched):
        key = (r["version__report__public_id"], r["version__number"])
        if key not in version_urls:
            version_urls[key] = pattern.replace("/00000000/v1/", f"/{key[0]}/v{key[1]}/", 1)
        url = version_urls[key]
        anchor = f"#p{r['paragraph__number']}" if r["paragraph__number"] is not None else ""
        span = rules.locate_number(r["sentence"], r["value"], r["value_max"], r["unit"])
        written = rules.number_as_written(r["sentence"], span)
        item = rules.Item(
            id=r["id"],
            report_id=r["version__report_id"],
            report_public_id=r["version__report__public_id"],
            place_id=r["version__report__place_id"],
            place=r["version__report__place__full_name"] or "",
            year=r["version__report__year"],
            indicator=r["indicator"],
            value=r["value"],
            value_max=r["value_max"],
            unit=r["unit"],
            qualifier=r["qualifier"],
            kind=r["kind"],
            sentence=r["sentence"],
            section_kind=r["section__kind"] or "",
            url=url + anchor,
            hl_url=(f"{url}?hl={quote(written)}{anchor}" if written else url + anchor),
            span=span,
            direction=r["direction"],
            period=r["period"],
            horizon=r["horizon"],
            scope=r["scope"],
            baseline=r["baseline"],
            normalised=r["normalised"],
        )
        if corrections and item.id in corrections:
            item = rules.apply_correction(item, corrections[item.id])
        out.append(item)
    return out


# ---------------------------------------------------------------------------------------------
# corrections


def latest_corrections(report_ids: list[int] | None = None) -> dict[tuple[int, str, str], dict]:
    """The correction in force for each key: the latest one filed."""
    qs = CommitmentCorrection.objects.all()
    if report_ids is not None:
        qs = qs.filter(report_id__in=report_ids)
    out: dict[tuple[int, str, str], dict] = {}
    for c in qs.order_by("at", "pk").values():
        out[(c["report_id"], c["sentence_key"], c["number_text"])] = c
    return out


def correction_map() -> dict[int, dict]:
    """Commitment id (current versions) -> the correction in force for it. Corrections are
    few, so the commitments of the corrected reports are keyed in Python every time: a
    re-parse that keeps the sentence keeps the correction, with no bookkeeping."""
    latest = latest_corrections()
    if not latest:
        return {}
    report_ids = sorted({k[0] for k in latest})
    out = {}
    rows = (
        current_commitments()
        .filter(version__report_id__in=report_ids)
        .values("id", "version__report_id", "sentence", "value", "value_max", "unit")
    )
    for r in rows:
        span = rules.locate_number(r["sentence"], r["value"], r["value_max"], r["unit"])
        digest, number = rules.correction_key(
            r["sentence"], rules.number_as_written(r["sentence"], span)
        )
        c = latest.get((r["version__report_id"], digest, number))
        if c is not None:
            out[r["id"]] = c
    return out


def orphaned_corrections() -> list[CommitmentCorrection]:
    """Corrections no current commitment answers to (the sentence changed in a re-parse):
    an editor should look at them again."""
    applied = set()
    latest = latest_corrections()
    cmap = correction_map()
    for c in cmap.values():
        applied.add((c["report_id"], c["sentence_key"], c["number_text"]))
    ids = [c["id"] for k, c in latest.items() if k not in applied]
    return list(CommitmentCorrection.objects.filter(pk__in=ids).select_related("report"))


# ---------------------------------------------------------------------------------------------
# places and track records


def place_by_path(path: str) -> Place | None:
    return next(
        (p for p in Place.objects.filter(slug=path.rsplit("/", 1)[-1]) if p.slug_path == path), None
    )


def place_by_name(full_name: str) -> Place | None:
    return Place.objects.filter(full_name=full_name.strip()).first()


def pivot_places(rows_qs: QuerySet[ExplorerRow]) -> list[Place]:
    """Places with at least one of these rows, by name (one query: the page count and the
    page come from the same list)."""
    place_ids = rows_qs.order_by().values("place_id")
    return list(
        Place.objects.filter(pk__in=place_ids).order_by("full_name").only("pk", "full_name")
    )


def track_record(place: Place, indicator: str | None = None) -> list[rules.Pair]:
    """Every annual target of the place's own reports with the result the next year's report
    gives for it."""
    corrections = correction_map()
    ids = (
        current_commitments()
        .filter(version__report__place=place, version__report__doc_type="work_report")
        .order_by("id")
    )
    all_items = items(ids.values_list("id", flat=True), corrections)
    years = set(
        Report.objects.published()
        .filter(place=place, doc_type="work_report")
        .values_list("year", flat=True)
    )
    by_year: dict[int, list[rules.Item]] = {y: [] for y in years if y is not None}
    for it in all_items:
        if it.year is not None:
            by_year.setdefault(it.year, []).append(it)
    targets = [
        i
        for i in all_items
        if i.kind == "target" and (indicator is None or i.indicator == indicator)
    ]
    directions = direction_lookup()
    return rules.match_promises(targets, by_year, lambda name: directions.get(name))
