"""What a report says about itself: place, year, kind of document, delivery date, meeting, speaker.

Nothing is guessed: a place comes from the words of the text (the government that speaks, the
congress it speaks to, the title), resolved against the gazetteer, and disambiguated from other
place names in the text; a masked name ("*区") gives no place. The year is the year the report
is delivered in and plans for.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from . import gazetteer
from .result import Place
from .textnorm import nfkc
from .years import plausible_year

CN_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "〇": 0,
    "零": 0,
}

# Sessions of the National People's Congress: (term, session) -> year of the session.
# Terms start in these years; sessions are yearly from the first (the 2nd NPC had 4 sessions in
# 1959-1962, the 3rd one in 1964/65, the 4th one in 1975, the 5th five in 1978-1982).
_NPC_FIRST = {
    1: 1954,
    2: 1959,
    3: 1964,
    4: 1975,
    5: 1978,
    6: 1983,
    7: 1988,
    8: 1993,
    9: 1998,
    10: 2003,
    11: 2008,
    12: 2013,
    13: 2018,
    14: 2023,
}
_NPC_SPECIAL = {
    (1, 2): 1955,
    (1, 3): 1956,
    (1, 4): 1957,
    (1, 5): 1958,
    (2, 2): 1960,
    (2, 3): 1962,
    (2, 4): 1963,
    (3, 1): 1964,
    (4, 1): 1975,
}


def cn_int(s: str) -> int | None:
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s or any(c not in CN_DIGITS for c in s):
        return None
    if s == "十":
        return 10
    if "十" in s:
        a, _, b = s.partition("十")
        return (CN_DIGITS[a] if a else 1) * 10 + (CN_DIGITS[b] if b else 0)
    n = 0
    for c in s:
        n = n * 10 + CN_DIGITS[c]
    return n


def cn_numeral(n: int) -> str:
    """1-99 written as a meeting's name writes them (十, 十一, 二十, 二十一): cn_int's inverse."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if not tens:
        return digits[ones]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def npc_year(term: int, session: int) -> int | None:
    if (term, session) in _NPC_SPECIAL:
        return _NPC_SPECIAL[(term, session)]
    if term in _NPC_FIRST:
        return _NPC_FIRST[term] + session - 1
    return None


@dataclass
class Meta:
    title: str = ""
    place: Place | None = None
    year: int | None = None
    doc_type: str = "other"
    delivered: str | None = None
    meeting: str | None = None
    speaker: str | None = None
    warnings: list[str] = field(default_factory=list)


COMPACT_WS = re.compile(r"[\s\u3000]+")
MEETING = re.compile(
    r"第([一二三四五六七八九十]{1,3})届(全国)?人民代表大会(?:常务委员会)?第([一二三四五六七八九十]{1,3})次(?:全体)?会议"
)
DELIVERED = re.compile(
    r"(\d{4})年(\d{1,2})月(\d{1,2})日(?:在|于|[^。；\n]{0,24}?在[^。；\n]{0,30}?(?:人民代表大会|人代会|代表大会))"
)
CORRUPT_DATE = re.compile(r"(?<!\d)(\d{4})(\d{1,4})日(?=在|于)")
GOV_SPEAKS = re.compile(r"(?<!人民)代表(?!大会)([^\s，。,、；;：:“”\"]{1,24}?)人民政府")
SPEAKER = re.compile(
    r"(?:人民政府)?(区长|市长|省长|县长|旗长|州长|盟长|主席|总理|代区长|代市长|代省长|代县长|副区长|副市长)\s*[:：]?\s*([\u4e00-\u9fff·]{2,4}?)(?=同志|\s|$|作|在|\n|各位)"
)
NOT_NAMES = {"各位代表", "各位", "代表", "同志", "作政府", "人民", "政府", "向大会"}


def _place_from_division(div: gazetteer.Division) -> Place:
    path = [("中华人民共和国", "national", None)] + [(d.name, d.level, d.code) for d in div.path]
    return Place(name=div.full_name, level=div.level, code=div.code, path=path)


NATIONAL = Place(
    name="中华人民共和国", level="national", code=None, path=[("中华人民共和国", "national", None)]
)


def _candidates_for(fragment: str) -> list[gazetteer.Division] | None:
    """The place a fragment ends with ("1月11日在河西区" -> 河西区, "的天津市南开区" -> 天津市南开区).

    The fragment is cut after its last delimiter; the rest must be a chain of names, or a chain
    of names that starts with a full province/city name after a few leading characters.
    Partial words ("沽区" of an unlisted 塘沽区) never match.
    """
    frag = re.split(r"[在于从的日年月，,。：:、\s]", fragment.strip())[-1]
    if len(frag) < 2:
        return None
    chain = gazetteer.parse_chain(frag)
    if not chain:
        for i in range(1, min(6, len(frag) - 2)):
            rest = frag[i:]
            m = re.match(r"[\u4e00-\u9fff]{2,8}?(?:省|自治区|市|自治州|盟|地区)", rest)
            if m and gazetteer.lookup(m.group(0)):
                chain = gazetteer.parse_chain(rest)
                if chain:
                    frag = rest
                    break
    if not chain:
        return None
    # prefer full names (和平区) over short ones (吉林 the city) when both match
    full = [d for d in chain if frag.endswith(d.name)]
    return full or chain


def _disambiguate(
    cands: list[gazetteer.Division], text: str, warnings: list[str]
) -> gazetteer.Division | None:
    if len(cands) == 1:
        return cands[0]
    scores = []
    for d in cands:
        score = 0
        for anc in d.ancestors():
            for name in {anc.name} | gazetteer.short_names(anc):
                score += 3 * text.count(name)
        if d.parent is not None:
            # other divisions of the same city/province named in the text
            siblings = [s for s in gazetteer._index()[1] if s.parent is d.parent and s is not d]
            score += sum(1 for s in siblings if len(s.name) >= 3 and s.name in text)
        scores.append(score)
    best = max(scores)
    if best > 0 and scores.count(best) == 1:
        chosen = cands[scores.index(best)]
        others = "、".join(c.full_name for c in cands if c is not chosen)
        warnings.append(
            f"地名“{chosen.name}”有重名（{others}），根据上下文判定为{chosen.full_name} "
            f"(ambiguous place name resolved from context)"
        )
        return chosen
    warnings.append(
        f"地名“{cands[0].name}”有多处重名，上下文不足以判定，地点留空 "
        f"(ambiguous place name {cands[0].name!r}: left unknown)"
    )
    return None


_UNLISTED = re.compile(r"([\u4e00-\u9fff]{2,8}?)([\u4e00-\u9fff]{1,5}(?:新区|区|县|旗))$")
_NOT_NAME_START = set("全我本各该此其市区县省")
_GENERIC = {
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "新区",
    "市区",
    "城区",
    "郊区",
    "矿区",
    "林区",
    "辖区",
    "开发区",
    "高新区",
    "园区",
    "示范区",
    "试验区",
    "经济区",
    "功能区",
    "社区",
    "景区",
    "街区",
    "片区",
}


def _parent_from_context(text: str) -> gazetteer.Division | None:
    """The province-level municipality or prefecture a text keeps naming, if one clearly dominates."""
    counts: Counter = Counter()
    for div in gazetteer._index()[1]:
        if div.level == "province" and div.type == "直辖市" or div.level == "city":
            names = {div.name} | {n for n in gazetteer.short_names(div) if len(n) >= 2}
            c = sum(text.count(n) for n in names)
            if c:
                counts[div] += c
    if not counts:
        return None
    ranked = counts.most_common(2)
    top, n = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0
    return top if n >= 3 and n >= 2 * second + 1 else None


def _unlisted_place(frag: str, text: str, warnings: list[str]) -> Place | None:
    """A county-level name the gazetteer does not list (abolished or renamed since: 塘沽区, 蓟县...).

    Its parent comes from the fragment itself ("天津市蓟县") or, if the text clearly keeps naming one
    city, from the text; the code stays unknown. Nothing is returned without a parent.
    """
    frag = re.split(r"[在于从的日年月，,。：:]", frag)[-1]
    parent, name = None, None
    if "会议" in frag or "大会" in frag:
        return None
    for j in range(len(frag) - 2, 1, -1):
        head_part, tail = frag[:j], frag[j:]
        if not re.search(r"(?:省|自治区|市|自治州|盟|地区)$", head_part):
            continue
        chain = gazetteer.parse_chain(head_part)
        if (
            chain
            and len(chain) == 1
            and re.fullmatch(r"[\u4e00-\u9fff]{1,5}(?:新区|区|县|旗)", tail)
        ):
            parent, name = chain[0], tail
            break
    if parent is None:
        m = re.fullmatch(r"[\u4e00-\u9fff]{1,5}(?:新区|区|县|旗)", frag)
        if (
            not m
            or frag[0] in _NOT_NAME_START
            or (len(frag) < 3 and frag[-1] not in "县旗")
            or frag.startswith("自治")
            or frag in _GENERIC
        ):
            return None
        name = frag
        parent = _parent_from_context(text)
        if parent is None:
            return None
        warnings.append(
            f"“{name}”不在行政区划表中（可能是已撤销或更名的区划），上级“{parent.full_name}”由上下文判定，代码留空 "
            f"(place not in the gazetteer: parent inferred from context, code unknown)"
        )
    else:
        warnings.append(
            f"“{name}”不在行政区划表中（可能是已撤销或更名的区划），代码留空 "
            f"(place not in the gazetteer, code unknown)"
        )
    path = (
        [("中华人民共和国", "national", None)]
        + [(d.name, d.level, d.code) for d in parent.path]
        + [(name, "district", None)]
    )
    return Place(name=parent.full_name + name, level="district", code=None, path=path)


def find_place(head: str, text: str, title: str, warnings: list[str]) -> Place | None:
    """head: the compacted opening of the document (title block) plus chrome hints."""
    body = COMPACT_WS.sub("", text)
    probe = head + "\n" + body[:6000]
    if _national_government_speaks(probe):
        return NATIONAL
    fragments: list[str] = []  # where the place may be written, most telling first
    # 1. the government that speaks
    for m in GOV_SPEAKS.finditer(probe[:4000]):
        name = m.group(1)
        if _masked(name):
            warnings.append(
                "文中地名被遮盖（如“*区”），地点未知 (the place name is masked in the text: place unknown)"
            )
            return None
        fragments.append(name)
    # 2. the congress it is delivered at
    for m in MEETING.finditer(probe[:4000]):
        if m.group(2):
            return NATIONAL
        fragments.append(probe[max(0, m.start() - 16) : m.start()])
    # 3. the title
    fragments += _title_fragments(title)
    return _place_from_fragments(fragments, text, warnings)


def _national_government_speaks(probe: str) -> bool:
    """The State Council speaks, or the opening names the premier or the National People's
    Congress and no local government speaks."""
    if re.search(
        r"代表国务院|代表中央人民政府|受.{0,10}国务院的?委托|国务院(?:决定|已经决定|认为|提请|向大会|向本次大会)",
        probe[:3000],
    ):
        return True
    return bool(
        re.search(r"国务院总理|全国人民代表大会第", probe[:600])
        and not re.search(r"代表[^\s，。,]{0,20}?(?:省|市|区|县|旗|州|盟)人民政府", probe[:3000])
    )


def _masked(name: str) -> bool:
    """ "*区", "某某县", "XX市": a copy that hides where it is from."""
    return "*" in name or "＊" in name or "×" in name or "某" in name or "X" in name.upper()


def _title_fragments(title: str) -> list[str]:
    """The place part of "<place>政府工作报告" or "<place>2016年…"."""
    if not title:
        return []
    fragments = []
    tm = re.match(r"^(.{2,30}?)(?:\d{4}年)?(?:人民)?政府(?:工作报告|制定)", nfkc(title))
    if tm:
        fragments.append(tm.group(1))
    tm = re.match(r"^(.{2,30}?)\d{4}年", nfkc(title))
    if tm:
        fragments.append(tm.group(1))
    return fragments


def _place_from_fragments(fragments: list[str], text: str, warnings: list[str]) -> Place | None:
    """The place the first fragment that names one names: a division of the gazetteer (None
    when it cannot be told which), or a place the gazetteer does not list."""
    for frag in fragments:
        frag = re.sub(r"^.*?[在于从的]", "", frag) if len(frag) > 12 else frag
        cands = _candidates_for(frag)
        if cands:
            div = _disambiguate(cands, text, warnings)
            return _place_from_division(div) if div is not None else None
        unlisted = _unlisted_place(frag, text, warnings)
        if unlisted is not None:
            return unlisted
    return None


NPC_TO = re.compile(
    r"向第([一二三四五六七八九十]{1,3})届全国人民代表大会(?:第([一二三四五六七八九十]{1,3})次会议)?(?:作|报告|提出|提交)"
)
SINCE_TERM = re.compile(r"第([一二三四五六七八九十]{1,3})届全国人民代表大会第一次会议以来的五年")


def find_meeting(head: str, text: str) -> tuple[str | None, int | None]:
    body = COMPACT_WS.sub("", text[:8000])
    for src in (head, body):
        npc = _npc_session(src[:3000])
        if npc is not None:
            return npc
        m = _meeting_delivered_at(src, src is head)
        if m is not None:
            return _meeting_named(src, m)
    return None, None


def _npc_session(src: str) -> tuple[str | None, int | None] | None:
    """The National People's Congress session a report is made to ("向第十届全国人民代表大会第
    二次会议作"), or the one after the five years a report reviews; None when neither is written."""
    m = NPC_TO.search(src)
    if m:
        term, session = cn_int(m.group(1)), cn_int(m.group(2) or "一")
        name = f"第{m.group(1)}届全国人民代表大会第{m.group(2) or '一'}次会议"
        return name, npc_year(term, session) if term and session else None
    m = SINCE_TERM.search(src)
    term = cn_int(m.group(1)) if m else None
    if not term:
        return None
    # the first session of the next term: 第十届…以来的五年 is reviewed at 第十一届…第一次会议
    return f"第{cn_numeral(term + 1)}届全国人民代表大会第一次会议", npc_year(term + 1, 1)


# words after a meeting's name that refer back to it ("会议以来", "会议确定的…") rather than say
# the report is delivered there
_MEETING_REFERRED_TO = (
    "以来",
    "的",
    "上通过",
    "上确定",
    "上批准",
    "提出",
    "确定",
    "通过",
    "精神",
    "决议",
    "闭幕到",
    "闭幕以来",
    "闭幕后",
    "到",
    "，到",
    ",到",
)


def _meeting_delivered_at(src: str, is_head: bool) -> re.Match | None:
    """The first meeting the text says the report is delivered at (在…会议上, 向…会议, or a
    meeting named at the very top of the title block)."""
    for cand in MEETING.finditer(src):
        after = src[cand.end() : cand.end() + 4]
        before = src[max(0, cand.start() - 16) : cand.start()]
        if "从" in before[-10:] or after.startswith(_MEETING_REFERRED_TO):
            continue
        if (
            after.startswith(("上", "开幕", "闭幕"))
            or "在" in before[-6:]
            or "向" in before[-4:]
            or (is_head and cand.start() < 200)
        ):
            return cand
    return None


def _meeting_named(src: str, m: re.Match) -> tuple[str, int | None]:
    """The meeting as written, with the place before it for a local congress; the year of an
    NPC session."""
    if m.group(2):
        term, session = cn_int(m.group(1)), cn_int(m.group(3))
        year = npc_year(term, session) if term and session else None
        return m.group(0), year
    prefix = src[max(0, m.start() - 16) : m.start()]
    place = next((prefix[i:] for i in range(len(prefix)) if gazetteer.parse_chain(prefix[i:])), "")
    return place + m.group(0), None


def _valid(y: int, mo: int, d: int) -> bool:
    return plausible_year(y) and 1 <= mo <= 12 and 1 <= d <= 31


def find_delivered(head: str, hints: str, warnings: list[str]) -> str | None:
    for src in (head, hints):
        m = DELIVERED.search(src)
        if m and _valid(int(m.group(1)), int(m.group(2)), int(m.group(3))):
            if src is hints:
                warnings.append(
                    "交付日期取自被去掉的网站导语 (delivery date taken from the copying site's teaser)"
                )
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    m = CORRUPT_DATE.search(head)
    if m:
        warnings.append(
            f"日期“{m.group(0)}”已损坏，无法确定月日 (corrupted date {m.group(0)!r}: month/day unknown)"
        )
        return None
    return None


def corrupted_date_note(head: str, delivered: str | None, warnings: list[str]) -> None:
    m = CORRUPT_DATE.search(head)
    if m and delivered:
        y, mo, d = delivered.split("-")
        digits = m.group(2)
        if m.group(1) == y and digits == f"{int(mo)}{int(d)}":
            warnings.append(
                f"日期“{m.group(0)}”已损坏，按文中其他出处恢复为 {delivered} (corrupted date recovered)"
            )


LAST_YEAR_NPC = re.compile(
    r"去年[^，。；]{0,8}?(?:第([一二三四五六七八九十]{1,3})届全国人民代表大会第([一二三四五六七八九十]{1,3})次会议|([一二三四五六七八九十]{1,3})届(?:全国)?人大([一二三四五六七八九十]{1,3})次会议)"
)
REVIEW_HEAD = re.compile(
    r"(\d{4})年[\u4e00-\u9fff]{0,4}工作的?(?:回顾|总结)|(\d{4})年(?:经济社会发展|政府工作)(?:情况)?回顾|(?:刚刚)?过去的(\d{4})年|(\d{4})年(?:国民经济和社会发展)?计划(?:的)?执行情况"
)
PLAN_HEAD = re.compile(
    r"(\d{4})年(?:的)?(?:主要|重点)?(?:工作(?:任务|安排|部署|建议|重点|总体要求)|政府工作(?:任务)?|(?:国民经济和社会发展|经济社会发展|经济和社会发展)(?:的)?(?:主要)?(?:预期)?(?:目标|计划|任务)|(?:主要)?预期目标|重点政务目标|主要任务|工作$)|(\d{4})年[，,]?是[^。；]{2,40}之年"
)
TITLE_YEAR = re.compile(r"(\d{4})年")


def find_year(
    title: str,
    delivered: str | None,
    meeting_year: int | None,
    text: str,
    warnings: list[str],
    headings: list[str] = (),
) -> int | None:
    votes: list[tuple[int, str]] = []
    if delivered:
        votes.append((int(delivered[:4]), "delivered"))
    if meeting_year:
        votes.append((meeting_year, "meeting"))
    compact = COMPACT_WS.sub("", text)
    after_last_session = _year_after_last_session(compact)
    if after_last_session is not None:
        votes.append((after_last_session, "last-year session"))
    by_headings = _year_of_headings(compact, headings)
    if by_headings is not None:
        votes.append((by_headings, "headings"))
    tm = TITLE_YEAR.search(nfkc(title or ""))
    if tm and plausible_year(int(tm.group(1))):
        votes.append((int(tm.group(1)), "title"))
    votes = [(y, why) for y, why in votes if plausible_year(y)]
    if not votes:
        return None
    year = votes[0][0]
    if len({y for y, _ in votes}) > 1:
        warnings.append(
            "年份线索不一致 (year clues disagree): "
            + ", ".join(f"{why}={y}" for y, why in votes)
            + f"; 采用 {year}"
        )
    return year


def _year_after_last_session(compact: str) -> int | None:
    """ "去年三月第五届全国人民代表大会第一次会议…": last year's session, so this is the next year."""
    lm = LAST_YEAR_NPC.search(compact[:20000])
    if not lm:
        return None
    term, session = cn_int(lm.group(1) or lm.group(3)), cn_int(lm.group(2) or lm.group(4))
    if term and session and npc_year(term, session):
        return npc_year(term, session) + 1
    return None


def _year_of_headings(compact: str, headings: list[str]) -> int | None:
    """The year the review and plan headings point to (a review of Y is in the report of Y+1):
    the most named, the earliest on a tie; a heading of the section tree counts three times."""
    counted: Counter = Counter()
    first_pos: dict[int, int] = {}
    for m in PLAN_HEAD.finditer(compact):
        y = int(m.group(1) or m.group(2))
        counted[y] += 1
        first_pos.setdefault(y, m.start())
    for m in REVIEW_HEAD.finditer(compact):
        y = int(next(g for g in m.groups() if g)) + 1
        counted[y] += 1
        first_pos.setdefault(y, m.start())
    for h in headings:
        y = _year_of_heading(COMPACT_WS.sub("", h))
        if y is not None:
            counted[y] += 3
            first_pos.setdefault(y, -1)
    if not counted:
        return None
    return max(counted.items(), key=lambda kv: (kv[1], -first_pos[kv[0]]))[0]


def _year_of_heading(h: str) -> int | None:
    m = re.search(r"(\d{4})年.{0,8}(?:回顾|总结)", h)
    if m:
        return int(m.group(1)) + 1
    m = re.match(r"^(\d{4})年.{0,10}(?:工作|任务|安排|目标|要求)", h)
    return int(m.group(1)) if m else None


RESOLUTION = re.compile(
    r"关于(?:\d{4}年)?政府工作报告的决议|人民代表大会第.{1,3}次会议(?:听取|审议)(?:和审议)?了.{0,40}(?:所作|作)的.{0,6}政府工作报告"
)
NEWS = re.compile(r"记者|通讯员|本报讯|新华社电|据了解|获悉|原标题|报道称|报道：|报道:|讯（|讯\(")


def find_doc_type(title: str, text: str, removed_kinds: set[str]) -> str:
    compact = COMPACT_WS.sub("", text)
    head = compact[:3000]
    has_opening = bool(re.search(r"各位代表|代表们", head[:1500]))
    if RESOLUTION.search(head[:600]) and len(compact) < 8000:
        return "other"
    if re.search(r"决议$|决定$", nfkc(title or "")) and len(compact) < 8000:
        return "other"
    t = nfkc(title or "")
    if not has_opening and re.search(r"目标|指标", t) and len(compact) < 20000:
        return "targets"
    if not has_opening and (
        NEWS.search(head[:1500]) or "byline" in removed_kinds or "original_title" in removed_kinds
    ):
        return "news"
    report_like = bool(
        re.search(r"政府工作|工作报告|重大政策|全面完成|各项工作|预期目标|政府自身建设", compact)
    )
    full_shape = bool(re.search(r"回顾|过去一年|一年来", compact)) and bool(
        re.search(r"工作安排|工作任务|主要任务|工作部署|工作建议|重点工作", compact)
    )
    if has_opening and (len(compact) >= 4000 or full_shape):
        return "work_report"
    if report_like and len(compact) >= 2000:
        return "work_report_excerpt"
    if has_opening:
        return "work_report_excerpt"
    return "other"


def find_speaker(head: str) -> str | None:
    for m in SPEAKER.finditer(head[:800]):
        name = m.group(2)
        if name in NOT_NAMES or name.startswith(("各位", "代表", "同志")):
            continue
        return name
    return None
