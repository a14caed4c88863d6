"""Shared helpers for the ingest tests (no Django anywhere here)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
SHARED = PROJECT / ".." / "shared"
SEEDS_DIR = SHARED / "seeds" if (SHARED / "seeds").is_dir() else PROJECT / "fixtures" / "seeds"
CORPUS_DIR = SHARED / "corpus"
SEEDS_GOLD = SHARED / "gold" / "seeds.json"
CORPUS_GOLD = Path(__file__).resolve().parent / "gold" / "corpus_meta.json"
FILES = Path(__file__).resolve().parent / "files"


def norm(s: str | None) -> str:
    """The scorer's normalisation: NFKC, spaces removed."""
    return unicodedata.normalize("NFKC", s or "").replace(" ", "")


def load_gold(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["docs"]


def body(n: int = 3) -> str:
    """A body paragraph long enough to look like report text."""
    return (
        "我们坚持稳中求进工作总基调，推动经济社会持续健康发展，各项事业取得新进展，人民群众获得感明显增强。"
        * n
    )


def report(
    place_line: str = "现在，我代表河西区人民政府向大会作工作报告，请予审议。", extra: str = ""
) -> str:
    """A small but complete report text: title block, opening, review and plan parts."""
    return (
        "政府工作报告\n"
        "——2016年1月11日在河西区第十六届人民代表大会第七次会议上\n"
        "河西区人民政府区长\n"
        "各位代表：\n"
        f"{place_line}\n"
        "一、2015年工作回顾\n"
        f"{body()}\n"
        "二、2016年工作安排\n"
        f"{body()}\n"
        f"{extra}"
        "各位代表！让我们团结一心，为加快建设美丽河西而努力奋斗！\n"
    )
