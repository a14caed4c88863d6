#!/usr/bin/env python3
"""Throughput of the ingest pipeline over the seeds and the shared corpus.

    python bench/bench_ingest.py [--repeat N] [FILE_OR_DIR ...]

Prints documents/second and MB/second (of input bytes) for the whole pipeline
(decode/extract -> chrome -> metadata -> sections -> commitments), the slowest documents,
and the time for a synthetic 30,000-character report.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.ingest.pipeline import PIPELINE_VERSION, parse_file  # noqa: E402
from archive.ingest.result import IngestError  # noqa: E402

SHARED = ROOT / ".." / "shared"
DEFAULT = [SHARED / "seeds", SHARED / "corpus", ROOT / "fixtures" / "seeds"]
SUFFIXES = {".txt", ".html", ".htm", ".docx", ".pdf"}


def collect(paths: list[Path]) -> list[Path]:
    files, seen = [], set()
    for p in paths:
        for f in sorted(p.rglob("*") if p.is_dir() else [p]):
            if f.is_file() and f.suffix.lower() in SUFFIXES and f.name != "MANIFEST.tsv":
                key = (f.name, f.stat().st_size)
                if key not in seen:
                    seen.add(key)
                    files.append(f)
    return files


def synthetic(chars: int = 30000) -> bytes:
    para = "我们坚持稳中求进工作总基调，推动经济社会持续健康发展，地区生产总值增长6%左右，一般公共预算收入增长5%。"
    parts = [
        "政府工作报告",
        "——2019年1月8日在河西区第十七届人民代表大会第三次会议上",
        "各位代表：",
        "现在，我代表河西区人民政府向大会作工作报告，请予审议。",
        "一、2018年工作回顾",
    ]
    n = 0
    while sum(map(len, parts)) < chars:
        n += 1
        parts.append(f"（{n}）重点工作")
        parts.append(para * 6)
    return "\n".join(parts).encode("utf-8")


def extractor_ms(chars: int = 30_000) -> float:
    """The commitments extractor alone on real report text (the seeds, repeated), best of 3."""
    from archive.ingest.commitments import extract_commitments

    seeds = [
        p.read_bytes().decode("utf-8", "replace") for p in sorted((SHARED / "seeds").glob("*.txt"))
    ]
    if not seeds:
        return float("nan")
    text = "\n".join(seeds)
    while len(text) < chars:
        text += "\n" + seeds[min(1, len(seeds) - 1)]
    text = text[:chars]
    extract_commitments(text, [])  # the vocabulary and patterns are compiled once
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        extract_commitments(text, [])
        best = min(best, time.perf_counter() - t)
    return best * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = collect(args.paths or [p for p in DEFAULT if p.exists()])
    if not files:
        print("no documents found", file=sys.stderr)
        return 1
    blobs = [(f, f.read_bytes()) for f in files]
    total_bytes = sum(len(b) for _, b in blobs)
    for f, b in blobs[:3]:  # warm up (gazetteer index, regex compilation, lazy imports)
        try:
            parse_file(b, f.name)
        except IngestError:
            pass
    runs, per_doc = [], {}
    errors = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for f, b in blobs:
            t = time.perf_counter()
            try:
                parse_file(b, f.name)
            except IngestError:
                errors += 1
            per_doc[f] = min(per_doc.get(f, 1e9), time.perf_counter() - t)
        runs.append(time.perf_counter() - t0)
    best = min(runs)
    print(
        f"pipeline {PIPELINE_VERSION}: {len(blobs)} documents, {total_bytes / 1e6:.2f} MB, best of {args.repeat} runs"
    )
    print(
        f"  {len(blobs) / best:.1f} documents/s   {total_bytes / 1e6 / best:.2f} MB/s   "
        f"(median run {statistics.median(runs):.2f} s, errors {errors // args.repeat})"
    )
    slow = sorted(per_doc.items(), key=lambda kv: kv[1], reverse=True)[:5]
    print("  slowest: " + ", ".join(f"{f.name} {t * 1000:.0f} ms" for f, t in slow))
    big = synthetic()
    parse_file(big, "synthetic.txt")
    t = time.perf_counter()
    parse_file(big, "synthetic.txt")
    print(
        f"  a {len(big.decode('utf-8')):,}-character report: {(time.perf_counter() - t) * 1000:.0f} ms"
    )
    print(
        f"  commitments alone, 30,000 characters of the seeds: {extractor_ms():.0f} ms (bar 100 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
