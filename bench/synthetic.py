"""A deterministic synthetic corpus of district reports, made from the real texts.

Sentences come from the seed documents and the shared corpus (national reports, district
reports in GB18030); each synthetic report has numbered headings, ~25,000 characters of
paragraphs and a place and year. Paragraphs are new combinations of sentences with their
numbers changed, so the corpus does not repeat whole paragraphs the way a copy-paste corpus
would (docs/performance-notes.md warns how repetition flatters caches).

    from bench.synthetic import make_corpus
    for report in make_corpus(100, seed=1): ...
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    ROOT / "fixtures" / "seeds",
    ROOT.parent / "shared" / "corpus" / "national",
    ROOT.parent / "shared" / "corpus" / "district",
]

CITIES = {
    ("天津市", "120000"): [
        "和平区",
        "河东区",
        "河西区",
        "南开区",
        "河北区",
        "红桥区",
        "东丽区",
        "西青区",
        "津南区",
        "北辰区",
        "武清区",
        "宝坻区",
        "滨海新区",
        "宁河区",
        "静海区",
        "蓟州区",
    ],
    ("北京市", "110000"): [
        "东城区",
        "西城区",
        "朝阳区",
        "丰台区",
        "石景山区",
        "海淀区",
        "门头沟区",
        "房山区",
        "通州区",
        "顺义区",
        "昌平区",
        "大兴区",
    ],
    ("上海市", "310000"): [
        "黄浦区",
        "徐汇区",
        "长宁区",
        "静安区",
        "普陀区",
        "虹口区",
        "杨浦区",
        "闵行区",
        "宝山区",
        "嘉定区",
        "浦东新区",
        "松江区",
    ],
}
HEADINGS = [
    "过去一年工作回顾",
    "今年经济社会发展的主要预期目标",
    "今年的主要工作任务",
    "坚持创新驱动,着力提高发展质量和效益",
    "持续优化营商环境",
    "深入推进京津冀协同发展",
    "加快棚户区改造和老旧小区改造",
    "保障和改善民生",
    "加强政府自身建设",
    "推进生态文明建设",
    "深化放管服改革",
    "存在的问题和不足",
]
KINDS = {"回顾": "review", "目标": "targets", "任务": "plan", "问题": "problems"}
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class SynSection:
    anchor: str
    title: str
    kind: str
    start: int
    end: int


@dataclass
class SynReport:
    city: tuple[str, str]
    district: str
    year: int
    title: str
    text: str
    sections: list[SynSection] = field(default_factory=list)
    paragraphs: list[tuple[int, int, int]] = field(default_factory=list)  # (number, start, end)


def _read(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def sentence_pool() -> list[str]:
    pool: list[str] = []
    for folder in SOURCES:
        for path in sorted(folder.glob("*.txt")):
            for s in _SENTENCE.findall(_read(path)):
                s = s.strip().replace("\u3000", "")
                if 8 <= len(s) <= 160:
                    pool.append(s)
    return pool


def make_corpus(n_reports: int, seed: int = 1, chars: int = 25_000):
    rng = random.Random(seed)
    pool = sentence_pool()
    places = [(city, d) for city, ds in CITIES.items() for d in ds]
    for i in range(n_reports):
        city, district = places[i % len(places)]
        year = 2005 + (i // len(places)) % 20
        if i >= len(places) * 20:
            year = 2005 + rng.randrange(20)
        title = f"{city[0]}{district}{year}年政府工作报告"
        pos = len(title) + 1 + len("各位代表:") + 1
        text_parts = [title + "\n", "各位代表:\n"]
        sections, paragraphs = [], []
        headings = rng.sample(HEADINGS, k=min(len(HEADINGS), 8))
        per_section = chars // len(headings)
        pnum = 0
        for k, heading in enumerate(headings, 1):
            line = f"{'一二三四五六七八九十'[k - 1]}、{heading}\n"
            start = pos
            text_parts.append(line)
            pos += len(line)
            written = 0
            while written < per_section:
                n = rng.randint(2, 5)
                para = "".join(rng.choice(pool) for _ in range(n))
                para = _DIGITS.sub(lambda m: _jitter(m.group(), rng), para)
                pnum += 1
                paragraphs.append((pnum, pos, pos + len(para)))
                text_parts.append(para + "\n")
                pos += len(para) + 1
                written += len(para) + 1
            kind = next((v for key, v in KINDS.items() if key in heading), "plan")
            sections.append(SynSection(f"s{k}", line.strip(), kind, start, pos))
        yield SynReport(city, district, year, title, "".join(text_parts), sections, paragraphs)


def _jitter(number: str, rng: random.Random) -> str:
    if "." in number:
        return f"{rng.uniform(0.1, 99):.1f}"
    if len(number) == 4 and number.startswith(("19", "20")):
        return number
    return str(rng.randint(1, 10 ** min(len(number), 5)))
