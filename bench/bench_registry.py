#!/usr/bin/env python3
"""The permalink registry (/permalinks.csv and .json) at archive scale.

    python bench/bench_registry.py [--reports 10000] [--per-report 60] [--sections 8]

Builds a throwaway SQLite database (migrated like production) holding synthetic published
reports with `--per-report` paragraphs and `--sections` sections each, hashes stored as the
write path stores them, then downloads the registry through Django's test client: the first
download (which builds the file for this data version while it streams), a repeat (served from
that file) and the JSON form. The budget: time to the first byte under 1 s, a repeat download
under 2 s, a build at 20,000 rows a second or more.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build_archive(n_reports: int, per_report: int, n_sections: int = 4) -> dict:
    """Synthetic published reports, bulk-created, with the stored hashes the write path makes.
    Returns the number of registry rows they make (used by the test at a smaller size)."""
    from archive.models import (
        Paragraph,
        Place,
        Report,
        ReportStatus,
        ReportVersion,
        Section,
        SourceFile,
    )

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    place = Place.objects.create(
        name="某区", full_name="某省某市某区", level="district", slug="registry-bench"
    )
    text = "".join(f"第{k}段，推动高质量发展。\n" for k in range(per_report))
    spans = []
    pos = 0
    for k in range(per_report):
        line = f"第{k}段，推动高质量发展。"
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    made = 0
    for start in range(0, n_reports, 1000):
        count = min(1000, n_reports - start)
        sources = SourceFile.objects.bulk_create(
            [
                SourceFile(
                    sha256=sha(f"registry-{start + i}"),
                    file=f"bench/registry-{start + i}",
                    original_name=f"{start + i}.txt",
                    media_type="text/plain",
                    size=1,
                )
                for i in range(count)
            ]
        )
        reports = Report.objects.bulk_create(
            [
                Report(
                    public_id=f"reg{start + i:07d}",
                    title=f"某区{start + i}号报告",
                    place=place,
                    year=2000 + (start + i) % 25,
                    status=ReportStatus.PUBLISHED,
                )
                for i in range(count)
            ]
        )
        versions = ReportVersion.objects.bulk_create(
            [
                ReportVersion(
                    report=r,
                    number=1,
                    source=s,
                    pipeline_version="bench",
                    text=text,
                    text_sha256=sha(text),
                )
                for r, s in zip(reports, sources, strict=True)
            ]
        )
        for r, v in zip(reports, versions, strict=True):
            r.current_version = v
        Report.objects.bulk_update(reports, ["current_version"])
        step = max(1, per_report // max(1, n_sections))
        Section.objects.bulk_create(
            [
                Section(
                    version=v,
                    anchor=f"s{j + 1}",
                    order=j,
                    level=1,
                    title=f"第{j + 1}部分",
                    start=spans[j * step][0],
                    end=spans[-1][1],
                    text_sha256=sha(text[spans[j * step][0] : spans[-1][1]]),
                )
                for v in versions
                for j in range(min(n_sections, per_report))
            ],
            batch_size=5000,
        )
        Paragraph.objects.bulk_create(
            [
                Paragraph(version=v, number=k + 1, start=a, end=b, text_sha256=sha(text[a:b]))
                for v in versions
                for k, (a, b) in enumerate(spans)
            ],
            batch_size=5000,
        )
        made += count
    # per report: its short link, its version, its sections and paragraphs
    return {"reports": made, "rows": made * (2 + min(n_sections, per_report) + per_report)}


def measure(fmt: str) -> dict:
    from django.test import Client

    client = Client()
    out = {}
    for label in ("build", "repeat"):
        started = time.perf_counter()
        response = client.get(f"/permalinks.{fmt}")
        chunks = iter(response.streaming_content)
        first = next(chunks)
        ttfb = time.perf_counter() - started
        size = len(first) + sum(len(c) for c in chunks)
        out[label] = {
            "first byte s": round(ttfb, 3),
            "total s": round(time.perf_counter() - started, 2),
            "MB": round(size / 1e6, 1),
        }
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--per-report", type=int, default=60, help="paragraphs per report")
    ap.add_argument("--sections", type=int, default=8, help="sections per report")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-registry-"))
    try:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
        os.environ["ARCHIVE_VAR_DIR"] = str(tmp)
        os.environ.setdefault("ARCHIVE_RATELIMIT", "0")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.test.utils import setup_test_environment

        setup_test_environment()
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        info = build_archive(args.reports, args.per_report, args.sections)
        print(
            f"built {info['reports']:,} reports, {info['rows']:,} registry rows in "
            f"{time.perf_counter() - started:.0f} s; load {os.getloadavg()[0]:.1f}"
        )
        ok = True
        for fmt in ("csv", "json"):
            result = measure(fmt)
            rate = info["rows"] / result["build"]["total s"]
            print(
                f"/permalinks.{fmt}: build {result['build']} ({rate:,.0f} rows/s); "
                f"repeat {result['repeat']}"
            )
            ok &= (
                result["build"]["first byte s"] < 1
                and result["repeat"]["total s"] < 2
                and rate >= 20_000
            )
        print(f"registry budget: {'ok' if ok else 'OVER'}; load {os.getloadavg()[0]:.1f}")
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
