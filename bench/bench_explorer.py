#!/usr/bin/env python3
"""Query speed of the commitments explorer at archive scale.

    python bench/bench_explorer.py [--reports 10000] [--per-report 30] [--runs 30] [--keep DB]

Builds a throwaway SQLite database (migrated like production) holding synthetic published
reports — 500 districts under 25 cities, one report a year — with `--per-report` paragraphs
and commitments each (300,000 commitments at the defaults), bulk-created directly. Then
requests the table and pivot pages through Django's test client, several filter sets each,
and prints median and p95 per page. The bar: p95 <= 300 ms at 10,000 reports.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BAR_MS = 300


def setup_django(db_path: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("ARCHIVE_RATELIMIT", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["ARCHIVE_VAR_DIR"] = str(db_path.parent)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client in as "testserver"
    from django.conf import settings

    # No collectstatic here: plain static URLs, as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def build(n_reports: int, per_report: int) -> dict:
    from django.core.management import call_command

    from archive.models import (
        Commitment,
        Paragraph,
        Place,
        Report,
        ReportStatus,
        ReportVersion,
        SourceFile,
    )

    call_command("migrate", verbosity=0)
    call_command("load_indicators", verbosity=0)
    rng = random.Random(8)
    t0 = time.perf_counter()
    province = Place.objects.create(
        name="某省", full_name="某省", level="province", slug="mou-sheng"
    )
    cities = [
        Place.objects.create(
            name=f"第{c}市",
            full_name=f"某省第{c}市",
            level="city",
            parent=province,
            slug=f"city-{c}",
        )
        for c in range(25)
    ]
    districts = Place.objects.bulk_create(
        [
            Place(
                name=f"第{d}区",
                full_name=f"{city.full_name}第{d}区",
                level="district",
                parent=city,
                slug=f"district-{d}",
            )
            for city in cities
            for d in range(20)
        ]
    )
    years = list(range(2007, 2007 + max(1, n_reports // len(districts))))
    pairs = [(p, y) for p in districts for y in years][:n_reports]
    sources = SourceFile.objects.bulk_create(
        [
            SourceFile(
                sha256=hashlib.sha256(str(i).encode()).hexdigest(),
                file=f"bench/{i}",
                original_name=f"{i}.txt",
                media_type="text/plain",
                size=1,
            )
            for i in range(len(pairs))
        ],
        batch_size=2000,
    )
    reports = Report.objects.bulk_create(
        [
            Report(
                public_id=f"b{i:07d}",
                title=f"{p.name}{y}年政府工作报告",
                place=p,
                year=y,
                status=ReportStatus.PUBLISHED,
                readable_path=f"bench/{i}",
            )
            for i, (p, y) in enumerate(pairs)
        ],
        batch_size=2000,
    )
    text = "".join(f"第{k}段。\n" for k in range(per_report))
    versions = ReportVersion.objects.bulk_create(
        [
            ReportVersion(
                report=r,
                number=1,
                source=s,
                pipeline_version="bench",
                text=text,
                text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            )
            for r, s in zip(reports, sources, strict=True)
        ],
        batch_size=2000,
    )
    for r, v in zip(reports, versions, strict=True):
        r.current_version = v
    Report.objects.bulk_update(reports, ["current_version"], batch_size=2000)
    indicators = [
        "地区生产总值",
        "一般公共预算收入",
        "固定资产投资",
        "社会消费品零售总额",
        "城镇居民人均可支配收入",
        "城镇新增就业",
        "城镇登记失业率",
        "规模以上工业增加值",
        "进出口总额",
        "粮食产量",
        "能耗强度",
        "森林覆盖率",
    ]
    n_comm = 0
    for start in range(0, len(versions), 500):
        chunk = versions[start : start + 500]
        paras = Paragraph.objects.bulk_create(
            [
                Paragraph(version=v, number=k + 1, start=k * 6, end=k * 6 + 5)
                for v in chunk
                for k in range(per_report)
            ],
            batch_size=5000,
        )
        rows = []
        for i, v in enumerate(chunk):
            for k in range(per_report):
                ind = indicators[k % len(indicators)] if k else "地区生产总值"
                rate = k % 2 == 0
                value = round(rng.uniform(3, 12), 1) if rate else round(rng.uniform(10, 900), 1)
                unit = "%" if rate else "亿元"
                kind = "target" if k < per_report // 2 else "achievement"
                qual = rng.choice(["", "", "左右", "以上"]) if kind == "target" else ""
                written = f"{value:g}{unit}{qual}"
                rows.append(
                    Commitment(
                        version=v,
                        paragraph=paras[i * per_report + k],
                        indicator=ind,
                        value=value,
                        unit=unit,
                        qualifier=qual,
                        kind=kind,
                        start=k * 6,
                        end=k * 6 + 5,
                        sentence=f"{ind}{'增长' if rate else '达到'}{written}",
                    )
                )
        Commitment.objects.bulk_create(rows, batch_size=5000)
        n_comm += len(rows)
    # bulk_create bypasses the writers' signals: the explorer's table is built once, as the
    # migration that introduced it does for an existing database.
    from explorer.rows import rebuild_all

    t1 = time.perf_counter()
    rebuild_all()
    rebuild_s = round(time.perf_counter() - t1, 1)
    return {
        "reports": len(reports),
        "commitments": n_comm,
        "explorer rows rebuild_s": rebuild_s,
        "places": len(districts),
        "years": f"{years[0]}–{years[-1]}",
        "build_s": round(time.perf_counter() - t0, 1),
    }


def measure(runs: int) -> list[tuple[str, float, float]]:
    from django.test import Client

    client = Client()
    cases = [
        ("table: all, page 1", "/commitments/", {}),
        ("table: all, page 2000", "/commitments/", {"page": 2000}),
        ("table: GDP, sorted by value", "/commitments/", {"indicator": "GDP", "sort": "-value"}),
        (
            "table: city + years + kind",
            "/commitments/",
            {"place": "某省第3市", "year_from": 2010, "year_to": 2015, "kind": "target"},
        ),
        (
            "table: GDP targets 左右, province",
            "/commitments/",
            {"indicator": "地区生产总值", "place": "某省", "kind": "target", "qualifier": "左右"},
        ),
        ("pivot: GDP growth targets, all places", "/commitments/pivot/", {}),
        ("pivot: GDP growth targets, page 5", "/commitments/pivot/", {"page": 5}),
        (
            "pivot: one city, 2010–2020",
            "/commitments/pivot/",
            {"place": "某省第7市", "year_from": 2010, "year_to": 2020},
        ),
        (
            "pivot: revenue levels",
            "/commitments/pivot/",
            {"indicator": "一般公共预算收入", "measure": "level"},
        ),
    ]
    out = []
    for label, url, params in cases:
        response = client.get(url, params)  # warm-up
        assert response.status_code == 200, (label, response.status_code)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            client.get(url, params)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        out.append((label, statistics.median(times), p95))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--reports", type=int, default=10_000, help="synthetic reports (default 10,000)"
    )
    ap.add_argument(
        "--per-report", type=int, default=30, help="commitments per report (default 30)"
    )
    ap.add_argument("--runs", type=int, default=30, help="timed requests per page (default 30)")
    ap.add_argument(
        "--keep", metavar="DB", help="build into (or reuse) this SQLite file and keep it"
    )
    args = ap.parse_args()
    tmp = None if args.keep else tempfile.mkdtemp(prefix="bench-explorer-")
    db = Path(args.keep) if args.keep else Path(tmp) / "bench.sqlite3"
    reuse = db.exists()
    setup_django(db.resolve())
    if reuse:
        print(f"reusing {db}")
    else:
        info = build(args.reports, args.per_report)
        print("built: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    try:
        results = measure(args.runs)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    width = max(len(r[0]) for r in results)
    print(f"{'page':<{width}}  median ms   p95 ms")
    worst = 0.0
    for label, median, p95 in results:
        worst = max(worst, p95)
        print(f"{label:<{width}}  {median:9.1f}  {p95:7.1f}{'  OVER' if p95 > BAR_MS else ''}")
    print(
        f"explorer p95 (worst page): {worst:.1f} ms; bar {BAR_MS} ms: "
        f"{'ok' if worst <= BAR_MS else 'OVER'}"
    )
    return 0 if worst <= BAR_MS else 1


if __name__ == "__main__":
    sys.exit(main())
