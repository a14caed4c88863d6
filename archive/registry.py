"""The permalink registry (/permalinks.csv, /permalinks.json): every permalink of every
citable report with the sha256 of the text it shows.

The hashes are stored when a version is written (Section/Paragraph.text_sha256, the version's
own text_sha256), so building the registry reads small columns only, never a text. A built
registry is kept as a file named by the data it was built from (`registry_version`): until
a report is published, corrected, merged, withdrawn or renamed, every request is served that
file; after a change the background worker builds the new one (requests meanwhile get the
previous file, marked as such), and only the very first request streams a build itself.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from archive.csvsafe import safe_dict
from archive.models import Paragraph, Report, ReportAlias, ReportStatus, ReportVersion, Section

FIELDS = ["url", "kind", "report", "version", "anchor", "status", "sha256", "shows"]
# Reports read per round of queries: four queries per chunk, whatever the number of reports.
CHUNK = 500
# Built files kept beside the newest, for requests still streaming an older one.
KEEP = 3


def registry_version() -> str:
    """A token that changes whenever a row of the registry could change: a new report or
    version (publish, correction, merge), a report's state or readable path (Report.updated_at
    moves with every save), a new alias. Three aggregate queries on indexed columns."""
    reports = Report.objects.aggregate(n=Count("pk"), t=Max("updated_at"))
    versions = ReportVersion.objects.aggregate(n=Count("pk"), m=Max("pk"))
    aliases = ReportAlias.objects.aggregate(n=Count("pk"), m=Max("pk"))
    t = reports["t"].isoformat() if reports["t"] else ""
    return f"{reports['n']}:{t}:{versions['n']}:{versions['m']}:{aliases['n']}:{aliases['m']}"


def rows(base: str) -> Iterator[dict]:
    """The registry's rows, report by report (by primary key), from the stored hashes: the
    report's links show the current version's text, a version link its own text, a section
    or paragraph link its slice of its version's text. Withdrawn reports answer 410 and show
    no text (sha256 empty)."""
    reports = (
        Report.objects.citable()
        .filter(current_version__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "public_id",
            "status",
            "readable_path",
            "current_version__number",
            "current_version__text_sha256",
        )
    )
    chunk: list[tuple] = []
    for report in reports.iterator(chunk_size=CHUNK):
        chunk.append(report)
        if len(chunk) == CHUNK:
            yield from _chunk_rows(base, chunk)
            chunk = []
    if chunk:
        yield from _chunk_rows(base, chunk)


def _chunk_rows(base: str, reports: list[tuple]) -> Iterator[dict]:
    hashes = _ChunkHashes.read([r[0] for r in reports])
    for report in reports:
        yield from _report_rows(base, report, hashes)


@dataclass
class _ChunkHashes:
    """What the registry needs of a chunk of reports besides the report rows, in four
    queries: aliases and versions by report, section and paragraph hashes by version."""

    aliases: dict[int, list[str]]  # report -> paths, sorted
    versions: dict[int, list[tuple[int, int, str]]]  # report -> (version id, number, sha256)
    sections: dict[int, list[tuple[str, str]]]  # version -> (anchor, sha256), in text order
    paragraphs: dict[int, list[tuple[int, str]]]  # version -> (number, sha256)

    @classmethod
    def read(cls, pks: list[int]) -> _ChunkHashes:
        return cls(
            aliases=_grouped(
                ReportAlias.objects.filter(report_id__in=pks)
                .order_by("path")
                .values_list("report_id", "path")
            ),
            versions=_grouped(
                ReportVersion.objects.filter(report_id__in=pks)
                .order_by("report_id", "number")
                .values_list("report_id", "pk", "number", "text_sha256")
            ),
            sections=_grouped(
                Section.objects.filter(version__report_id__in=pks)
                .order_by("version_id", "order")
                .values_list("version_id", "anchor", "text_sha256")
            ),
            paragraphs=_grouped(
                Paragraph.objects.filter(version__report_id__in=pks)
                .order_by("version_id", "number")
                .values_list("version_id", "number", "text_sha256")
            ),
        )


def _grouped(rows) -> defaultdict[int, list]:
    """Rows (key, value) or (key, *values) as key -> [value or (values…), …], in row order."""
    out: defaultdict[int, list] = defaultdict(list)
    for key, *rest in rows:
        out[key].append(rest[0] if len(rest) == 1 else tuple(rest))
    return out


def _report_rows(base: str, report: tuple, hashes: _ChunkHashes) -> Iterator[dict]:
    """One report's rows: its short and readable links (and old readable paths, which
    redirect) showing the current version, then each version with its sections and
    paragraphs."""
    pk, pid, status_name, readable_path, current_number, current_sha = report
    withdrawn = status_name == ReportStatus.WITHDRAWN
    status = 410 if withdrawn else 200

    def row(url: str, kind: str, version: int, anchor: str, st: int, sha: str, shows: str) -> dict:
        return {
            "url": base + url,
            "kind": kind,
            "report": pid,
            "version": version,
            "anchor": anchor,
            "status": st,
            "sha256": "" if withdrawn else sha,
            "shows": shows,
        }

    shows_current = reverse("archive:version", args=[pid, current_number])
    short = reverse("archive:report_short", args=[pid])
    yield row(short, "report", current_number, "", status, current_sha, shows_current)
    if readable_path:
        readable = reverse("archive:report_readable", args=[readable_path])
        yield row(readable, "readable", current_number, "", status, current_sha, shows_current)
    for path in hashes.aliases[pk]:
        old = reverse("archive:report_readable", args=[path])
        yield row(old, "readable-alias", current_number, "", 301, current_sha, shows_current)
    for version_id, number, sha in hashes.versions[pk]:
        vurl = reverse("archive:version", args=[pid, number])
        yield row(vurl, "version", number, "", status, sha, vurl)
        for anchor, section_sha in hashes.sections[version_id]:
            yield row(f"{vurl}#{anchor}", "section", number, anchor, status, section_sha, vurl)
        for paragraph, paragraph_sha in hashes.paragraphs[version_id]:
            anchor = f"p{paragraph}"
            yield row(f"{vurl}#{anchor}", "paragraph", number, anchor, status, paragraph_sha, vurl)


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer streaming."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(base: str) -> Iterator[str]:
    writer = csv.DictWriter(_Echo(), fieldnames=FIELDS)
    yield writer.writeheader()
    batch: list[str] = []
    for r in rows(base):
        batch.append(writer.writerow(safe_dict(r)))
        if len(batch) >= 1000:  # fewer, larger writes: a million rows in one stream
            yield "".join(batch)
            batch = []
    yield "".join(batch)


def json_chunks(base: str, version: str) -> Iterator[str]:
    head = {
        "generated": timezone.now().isoformat(timespec="seconds"),
        "data_version": version,
        "hash": "sha256 of the UTF-8 text the permalink shows",
        "fields": FIELDS,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "permalinks": [\n'
    batch: list[str] = []
    first = True
    for r in rows(base):
        batch.append(("" if first else ",\n") + json.dumps(r, ensure_ascii=False))
        first = False
        if len(batch) >= 1000:
            yield "".join(batch)
            batch = []
    batch.append("\n]}\n")
    yield "".join(batch)


def folder() -> Path:
    return Path(settings.ARCHIVE_REGISTRY_DIR)


def _base_key(fmt: str, base: str) -> str:
    return hashlib.sha256(f"{fmt}\n{base}".encode()).hexdigest()[:12]


def built_path(fmt: str, base: str, version: str) -> Path:
    """The file a registry built from `version` for links under `base` is kept in."""
    key = hashlib.sha256(f"{fmt}\n{base}\n{version}".encode()).hexdigest()[:20]
    return folder() / f"permalinks-{_base_key(fmt, base)}-{key}.{fmt}"


def _newest_built(fmt: str, base: str) -> Path | None:
    built = list(folder().glob(f"permalinks-{_base_key(fmt, base)}-*.{fmt}"))
    return max(built, key=lambda p: p.stat().st_mtime) if built else None


def cached_or_building(fmt: str, base: str) -> tuple[Path | None, Iterator[bytes] | None, bool]:
    """What a request for the registry is served: (path, None, current) of a built file, or
    (None, chunks, True) that stream a first build while writing its file (kept once the
    stream completes; a client that disconnects leaves nothing half-written behind).

    A request builds only when no registry was ever built for this address. After a change,
    requests are served the newest built file (`current` False, a few seconds old) while the
    background worker builds the new one (refresh_built): at 10,000 reports a build takes
    tens of seconds on a loaded machine, too close to the web server's timeout for a request.
    """
    _remember_base(base)
    version = registry_version()
    path = built_path(fmt, base, version)
    if path.exists():
        return path, None, True
    older = _newest_built(fmt, base)
    if older is not None:
        return older, None, False
    chunks = csv_chunks(base) if fmt == "csv" else json_chunks(base, version)
    return None, _tee(chunks, path), True


def _remember_base(base: str) -> None:
    """The addresses the registry is asked under (the links carry the host), for the
    background build; one small file per address, written once."""
    marker = folder() / f"base-{_base_key('', base)}.txt"
    if not marker.exists():
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(base, encoding="utf-8")


def refresh_built() -> int:
    """Build the registry of the current data for every address it was asked under, if not
    built yet (the background worker calls this when idle). Returns the number built."""
    if not folder().exists():
        return 0
    version = registry_version()
    made = 0
    for marker in sorted(folder().glob("base-*.txt")):
        base = marker.read_text(encoding="utf-8")
        for fmt in ("csv", "json"):
            path = built_path(fmt, base, version)
            if path.exists():
                continue
            chunks = csv_chunks(base) if fmt == "csv" else json_chunks(base, version)
            for _ in _tee(chunks, path):
                pass
            made += 1
    return made


def _tee(chunks: Iterator[str], path: Path) -> Iterator[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".building-", suffix=path.suffix)
    done = False
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                data = chunk.encode("utf-8")
                out.write(data)
                yield data
        os.replace(tmp, path)  # atomic: a reader sees the whole file or none
        done = True
        _prune(path)
    finally:
        if not done:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _prune(newest: Path) -> None:
    """Only the newest few built files stay: the others describe data that has changed."""
    built = sorted(
        newest.parent.glob(newest.name.rsplit("-", 1)[0] + f"-*{newest.suffix}"),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in built[KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass
