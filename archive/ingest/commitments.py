"""Commitments: the numbers a report promises (targets) or reports (achievements).

    extract_commitments(text, sections) -> (commitments, warnings)

Pure Python, no Django. `text` is the cleaned report text; every offset refers to it. Each
Commitment is one number tied to one indicator of the curated vocabulary in
`data/indicators.json` (name, synonyms, unit family, higher_is_better), with its range, unit as
written, qualifier (左右, 以上, 控制在 ...), kind (target/achievement) and the source clause
(`text[start:end]`, the sentence or ';'-clause that holds the number).

How it reads a text
1. Full-width ASCII is folded to half-width, and traditional characters to simplified ones
   (OpenCC's character table, when opencc-python-reimplemented is installed), one character for
   one, so offsets do not move.
2. Numbers with units are found: Arabic (12.5%, 85.03亿元), Chinese (百分之五, 一千亿元, 三点五),
   ranges (4.5%—5%, 6%-6.5%, 5.5%到6%, 百分之八至九). Where a document lost its % signs to '.'
   ("增长12.左右", "增长12.在实际执行中") the number is read as % only where nothing else is
   possible, and a warning says so.
3. Indicator mentions are found by the vocabulary (longest synonym wins), except where the
   words name a share or a comparison rather than the indicator (占地区生产总值比重,
   与经济增长同步, 经济增长点 ...).
4. Each number is tied to the nearest mention before it in the same clause, or in an earlier
   clause of the same sentence when its own clause has no subject ("地区生产总值780亿元,增长9%").
   "分别"/"均" lists pair numbers with mentions in order, and combined mentions expand
   (内、外资到位额, 城乡居民人均可支配收入, 一、二、三产增加值); a list of mentions before one
   number shares it ("城镇调查失业率和登记失业率稳定在4.3%左右"); "X相当于生产总值的比例" is
   filed under X's share-of-GDP indicator. The unit must fit the indicator (no 家 for GDP).
   Left out on purpose: the base of "由 X 增加到 Y", increments ("比2010年增加13480元"),
   completion ratios ("完成年计划的113%"), comparisons ("高于全国2.5个百分点"), numbers that
   qualify a noun ("40%左右的税收"), sub-aggregates (工业固定资产投资, 县域经济, 海洋生产总值).
5. Kind: explicit words in the sentence (预期目标是, 力争, 确保 -> target; 完成了, 一年来 ...
   -> achievement), then the section kind (review -> achievement, plan/targets -> target;
   glossary sections give nothing), then weaker words (预计, 比上年), then the nearest
   review/plan marker before it in the text; target when nothing tells.

Warnings: numbers read as % where the sign was lost, and 分别 lists whose numbers and
indicators do not pair up (left unread rather than guessed).
"""

from __future__ import annotations

import bisect
import heapq
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from . import textnorm
from .numbers import CN_NUM_BIG_RE, CN_NUM_CHARS, parse_number, with_magnitude
from .result import Commitment, Section
from .textnorm import fold_width

DATA = Path(__file__).with_name("data") / "indicators.json"
UNITS = Path(__file__).with_name("data") / "units.json"

# ---------------------------------------------------------------------------------------------
# vocabulary


@dataclass(frozen=True)
class Vocab:
    indicators: dict  # name -> entry
    mention_to_names: dict  # folded synonym -> tuple of indicator names
    mention_re: re.Pattern
    unit_family: dict  # unit -> family
    unit_re_src: str
    per_unit: dict  # numerator unit -> denominators of "每<denominator><number><numerator>"
    # folded name as written -> indicator, for entries matched by name ("match": "name"):
    # names the rules for indicators outside the vocabulary found are filed under them
    written_names: dict


def _trie_regex(words: list[str]) -> str:
    """A regex matching any of `words`, longest first at each position, built as a trie so the
    engine does not try hundreds of alternatives at every character."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return build(trie)


@lru_cache(maxsize=1)
def load_vocab(path: str | None = None) -> Vocab:
    data = json.loads(Path(path or DATA).read_text(encoding="utf-8"))
    indicators = {e["name"]: e for e in data["indicators"]}
    m2n: dict[str, tuple[str, ...]] = {}
    written: dict[str, str] = {}
    for e in data["indicators"]:
        # "mention" entries are looked for in the text and take the numbers after them;
        # "name" entries only rename what the rules for names as written found (they never
        # claim a number across a list, so hundreds of them cost no precision)
        target = written if e.get("match", "mention") == "name" else m2n
        for s in [e["name"], *e["synonyms"]]:
            if target is written:
                written.setdefault(fold_width(s), e["name"])
            else:
                m2n.setdefault(fold_width(s), (e["name"],))
    for sp in data.get("splits", []):
        for s in sp["synonyms"]:
            m2n[fold_width(s)] = tuple(sp["indicators"])
    mention_re = re.compile(_trie_regex(sorted(m2n, key=len, reverse=True)))
    unit_data = json.loads(UNITS.read_text(encoding="utf-8"))
    unit_family = {}
    for families in (data["unit_families"], unit_data["unit_families"]):
        for fam, units in families.items():
            for u in units:
                unit_family.setdefault(u, fam)
    units = sorted(unit_family, key=len, reverse=True)
    unit_re_src = "(?:" + "|".join(re.escape(u) for u in units) + ")"
    return Vocab(
        indicators,
        m2n,
        mention_re,
        unit_family,
        unit_re_src,
        unit_data.get("per_unit", {}),
        written,
    )


VOCAB_FIELDS = {
    "name",
    "synonyms",
    "unit_family",
    "higher_is_better",
    "family",
    "match",
    "scorer_family",
    "description",
    "extra_unit_families",
}
MATCH_KINDS = ("mention", "name")


def vocabulary_problems(data: dict, units: dict | None = None) -> list[str]:
    """What is wrong with an indicators file (the shape of indicators.json), each problem one
    Chinese-first line; [] when it can be loaded. A name or synonym claimed by two entries would
    silently file numbers under the first, so it is a problem too."""
    units = json.loads(UNITS.read_text(encoding="utf-8")) if units is None else units
    entries = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        return ['缺少指标列表 (no "indicators" list)']
    families = set(data.get("unit_families", {})) | set(units.get("unit_families", {}))
    problems: list[str] = []
    claimed: dict[str, str] = {}  # folded name or synonym -> the indicator that has it
    for i, e in enumerate(entries, 1):
        problems += _entry_problems(i, e, families, claimed)
    names = {e.get("name") for e in entries if isinstance(e, dict)}
    for sp in data.get("splits", []):
        unknown = set(sp.get("indicators", [])) - names
        if unknown:
            problems.append(
                f"拆分项指向未知指标 {', '.join(sorted(unknown))} (a split names unknown indicators)"
            )
    return problems


def _entry_problems(i: int, e: object, families: set[str], claimed: dict[str, str]) -> list[str]:
    """The problems of the i-th entry (1-based); records the words it claims in `claimed`."""
    if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not e["name"].strip():
        return [f"第{i}条没有指标名称 (entry {i} has no name)"]
    name = e["name"]
    problems = _field_problems(name, e, families)
    synonyms = e.get("synonyms", [])
    if not isinstance(synonyms, list) or not all(
        isinstance(w, str) and w.strip() for w in synonyms
    ):
        return [*problems, f"{name}: 同义词须为非空字符串列表 (synonyms)"]
    for w in [name, *synonyms]:
        key = fold_width(w)
        if key in claimed and claimed[key] != name:
            problems.append(
                f"{name}: “{w}”已属于指标“{claimed[key]}” (claimed by another indicator)"
            )
        elif w in synonyms and w == name:
            problems.append(f"{name}: 同义词与名称相同 (a synonym repeats the name)")
        claimed.setdefault(key, name)
    return problems


def _field_problems(name: str, e: dict, families: set[str]) -> list[str]:
    problems = []
    missing = VOCAB_FIELDS - set(e)
    if missing:
        problems.append(f"{name}: 缺少字段 {', '.join(sorted(missing))} (missing fields)")
    if e.get("unit_family") not in families:
        problems.append(f"{name}: 未知单位类别 {e.get('unit_family')!r} (unknown unit family)")
    extra = e.get("extra_unit_families", [])
    if not isinstance(extra, list) or not set(extra) <= families:
        problems.append(f"{name}: 未知附加单位类别 {extra!r} (unknown extra unit family)")
    if e.get("higher_is_better") not in (True, False, None):
        problems.append(f"{name}: 方向须为 true、false 或 null (higher_is_better)")
    if e.get("match", "mention") not in MATCH_KINDS:
        problems.append(f"{name}: 匹配方式须为 mention 或 name (match)")
    return problems


def indicator_names() -> list[str]:
    return list(load_vocab().indicators)


@lru_cache(maxsize=1)
def _trad_table() -> dict[int, int]:
    """Traditional -> simplified, one character to one character (OpenCC's TSCharacters table,
    read once for the pipeline and the search index by textnorm)."""
    return {k: ord(v) for k, v in textnorm.ts_characters().items()}


def fold_text(text: str) -> str:
    """What the extractor matches on: full-width to half-width and traditional to simplified
    characters, one for one, so every offset into it is an offset into `text`."""
    folded = fold_width(text)
    table = _trad_table()
    if table:
        # some characters of the table are also in use in simplified texts (著, 乾 ...): convert
        # only a text that is clearly written in traditional characters
        sample = folded[:30000]
        cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
        trad = sum(1 for ch in sample if ord(ch) in table)
        if trad > max(3, 0.03 * cjk):
            folded = folded.translate(table)
    return folded


# ---------------------------------------------------------------------------------------------
# patterns

CN = f"[{CN_NUM_CHARS}]+"
# digits may be letter-spaced in some copies ("7 4 7 7 2 亿元", "5 ．4 ％")
# thousands separators ("1,200亿元") are read as such; a comma between two numbers otherwise is not
NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?(?![\d,])|\d(?: ?\d)*(?: ?\. ?\d(?: ?\d)*)?|百分之{CN}|{CN_NUM_BIG_RE})"
RANGE_SEP = r"(?:[-—–~～]+|至|到)"

MAX_QUOTE = 240  # longest quote before a run-on sentence is cut to its clauses
SEG_BOUNDARY = re.compile(r"[。！？；;!?\n]")
SENT_BOUNDARY = re.compile(r"[。！？!?\n]")
CLAUSE_BOUNDARY = re.compile(r"[,，:：]")

QUAL_AFTER = re.compile(r"\s?(左右|以上|以内|以下|之内|上下|之间)")
QUAL_BEFORE = re.compile(
    r"控制在|不低于|不高于|不超过|超过|高于|低于|力争|突破|保持在|稳定在|约|超"
)

# a clause that only carries the number on for the subject of an earlier clause
ALLOWED_PREFIX = re.compile(
    r"(?:同比|比上年|比去年|较上年|较去年|比2\d{3}年|实际|名义|年均|分别|均|各|预计|力争|确保|争取|实现|完成|达到|达|突破|"
    r"超过|增长|增速|增幅|增加|下降|降低|减少|提高|提升|上升|上涨|回落|降至|降到|升至|增至|增到|减至|保持在|保持|控制在|稳定在|为|是|约|了|可比价|平均|每年|"
    r"按可比价格计算|按现价计算|同口径|[12]\d{3}年(?:底|末)?|"
    r"按可比价计算|按可比口径计算|扣除价格因素|总量|总额|规模|年|全年|预期|目标|定为|在|至|到|可|将|要|再|又|继续|"
    r"的|其|以上|左右|增长率|率|速度|和|与|及|后|)*"
)
GAP_BLOCK = re.compile(r"占|比重|其中|中[,，的]|之中|的比例|结构|人均|每")
# a completion ratio ("分别完成年计划的113.4%"), not a value of the indicator
COMPLETION = re.compile(r"(?:计划|目标|任务|目标任务|预算)的$")
# the "to" of a transition: 提升到/提升至/降到/降至 read like 提高到
BASE_AFTER = re.compile(
    r"^[^,，。；;、]{0,14}?((?:增加|提高|增长|上升|扩大|下降|降低|减少|提升|缩小|压减|压缩|发展)(?:到|至)|降至|降到|增至|增到|升至|减至)"
)
BLOCK_AFTER = re.compile(
    r"^(?:的)?(?:比重|比例|比率|之比|金|贡献率|贡献|拉动|带动|同步|相适应|相协调|相匹配|相衔接|点|极|方式|质量|动力|潜力|新动能|企业|项目|"
    r"银行|机构|公司|政策|来源|工作|结构|格局|形势|压力|总体平稳)"
)
BLOCK_BEFORE = re.compile(
    r"(?:占(?:全区|全市|全省|全国|本区)?|每万元|万元|单位|每|对|亩均|地均|人均|工业|农业|民间|房地产|基础设施|技改|技术改造|电商|海洋|县域|园区|开发区|脱贫县|贫困县|数字经济)$"
)
BLOCK_COMPARE = re.compile(r"^.{0,4}(?:同步|相适应|相协调|相匹配|相衔接)")

STRONG_T = re.compile(
    r"(?<!超过)(?<!完成)(?<!实现)(?<!低于)(?<!高于)(?<!达到)(?:预期目标|主要目标|调控目标|目标)(?:是|为|定为|确定为|[:：])"
    r"|力争|确保(?!了)|争取(?!了)|定为|计划(?:实现|达到|完成|增长)|拟(?!定)|预期(?:增长|为|达到)"
    r"|将(?:要)?(?:增长|达到|达|增加|提高|减少|下降|降低|上升|扩大|缩减)"
)
A_PAST = re.compile(
    r"完成了|实现了|达到了|增长了|提高了|下降了|已经|已达|超额完成|超过预期目标|过去一年|过去的一年|过去五年|五年来|一年来|"
    r"刚刚过去|由\d{4}年"
)
A_COMPARE = re.compile(r"比上年|较上年|比去年|较去年|去年|上年")
REVIEW_MARK = re.compile(
    r"工作回顾|过去一年|过去的一年|刚刚过去|一年来|五年来|过去五年|回顾|去年|"
    r"取得了?(?:显著|明显|新的?|重大|积极|良好)?(?:成效|成绩|进展|成就)|成效显著|圆满完成|顺利完成|"
    r"完成情况|执行情况"
)
PLAN_MARK = re.compile(
    r"工作任务|工作安排|工作部署|预期目标|主要目标|政务目标|调控目标|今年|明年|新的一年|总体要求|目标是"
)
PLAN_MARK_DONE = re.compile(r"完成|实现|落实|圆满|超额|超过|低于|高于")
A_WEAK = re.compile(r"预计(?!今年)|全年(?:累计)?(?:完成|实现)")
DONE_VERB = re.compile(r"完成|实现|达到")
FUTURE = re.compile(r"今年|明年|将|要|计划|安排")

SHARE_GAP = re.compile(
    r"(?:相当于|占)(?:全市|全区|全省|全国|全县|本地)?(?:地区|国内)?(?:生产总值|GDP)(?:的)?(?:比例|比重)"
    r"(?:保持在|稳定在|达到|提高到|提升到|为|达|超过|不低于)?"
)
LIST_JOIN = re.compile(r"\s?(?:、|和|及|与|以及)\s?")
MODIFIER_AFTER = re.compile(
    r"\s?(?:左右|以上|以内|以下)?的(?!(?:较低|较高|合理|正常)?水平|预期目标|目标|增长|增速|区间|高位|低位)"
)
RELATIVE_BEFORE = re.compile(
    r"(?:高于|低于|快于|慢于|超过|比)(?:全国|全省|全市|全区|全县|平均|同期)"
)
# "快于经济增速1个百分点", "高于全国平均水平2个百分点": the number is a difference from something
# named after the comparison word, not a value (a comparison word right before the number is a
# qualifier instead: "增长不低于6%", "高于6%")
COMPARED_WITH = re.compile(
    r"(?<!不)(?:快于|慢于|高于|低于|超出|领先于|跑赢|略高于|略低于)[^\d,，、]{2,}$"
)
INCREMENT_BEFORE = re.compile(r"(?:增加|减少|增收|多增|减收|新增)$")
LOST_PCT_GROWTH = re.compile(
    r"(?:增长|增幅|下降|降低|提高|上升|增速|率|比重|占比)(?:保持在|达到|控制在|为)?$"
)


@dataclass
class Token:
    start: int  # of the number
    end: int  # after unit / range / lost-% dot
    value: float
    value_max: float | None
    unit: str
    lost_pct: bool = False
    approx: str | None = None  # "多"/"余" written after the number: "三千多万元", "100余家"


@dataclass
class Mention:
    start: int
    end: int
    names: tuple[str, ...]


class _Tie(NamedTuple):
    """A number tied to an indicator: what extract_commitments turns into a Commitment."""

    name: str
    token: Token
    qualifier: str | None
    mention_start: int  # where the indicator's words start in the text
    lead: Token  # the first number of its list: the verb before that one gives the direction
    scope: str | None  # a list member's own part of the jurisdiction ("食品工业"), else None


# ---------------------------------------------------------------------------------------------
# numbers


def _unit_norm(u: str) -> str:
    return u.replace("％", "%").replace("微克每立方米", "微克/立方米")


def find_tokens(ftext: str, warnings: list[str]) -> list[Token]:
    """Numbers with a unit in the folded text."""
    v = load_vocab()
    pat = _token_pattern(v.unit_re_src)
    dot_mode = _dot_mode(ftext)
    toks: list[Token] = []
    for m in pat.finditer(ftext):
        tok = _token_at(ftext, m, v, dot_mode)
        if tok is not None:
            toks.append(tok)
    for t in toks:
        _per_unit_and_sign(ftext, t, v)
    lost = [t for t in toks if t.lost_pct]
    if lost:
        eg = ", ".join(ftext[max(0, t.start - 6) : t.end + 2] for t in lost[:3])
        warnings.append(
            f"commitments: {len(lost)} number(s) read as % where the '%' sign seems lost to '.' "
            f"(e.g. {eg}); check them"
        )
    return toks


def _token_pattern(unit: str) -> re.Pattern:
    """A number, "多"/"余" after it, its unit, and a second number of a range with its unit."""
    return re.compile(
        rf"(?<![0-9A-Za-z.])(?<!\d,)(?P<n1>{NUM})(?P<more>多|余)?(?:(?P<mag>[万亿])(?P<more2>多|余)(?=[ ]?{unit}))?"
        rf"(?:[ ]?(?P<u1>{unit}))?"
        rf"(?:[ ]?(?P<sep>{RANGE_SEP})[ ]?(?P<n2>{NUM})(?:[ ]?(?P<u2>{unit}))?)?"
    )


def _token_at(ftext: str, m: re.Match, vocab: Vocab, dot_mode: bool) -> Token | None:
    """The token one match of the number pattern stands for: a range, one number with its unit,
    a number whose % was lost, or nothing."""
    rng = _range_token(m)
    if rng is not None:
        return rng
    # a single number (possibly the first half of a failed range)
    unit = "%" if m.group("n1").startswith("百分之") else m.group("u1")
    if m.group("mag") and unit:  # "十四万多公里": 多 between the magnitude and the unit
        unit = m.group("mag") + unit
        if unit not in vocab.unit_family:
            return None
    if unit is None:
        return _lost_percent_token(ftext, m, dot_mode)
    return _single_token(m, unit)


def _range_token(m: re.Match) -> Token | None:
    """ "4.5%—5%", "百分之八至九": two numbers in one unit, the second the larger."""
    n1, u1, n2, u2 = m.group("n1"), m.group("u1"), m.group("n2"), m.group("u2")
    if n2 is None:
        return None
    pct1 = n1.startswith("百分之")
    unit1 = "%" if pct1 else u1
    unit2 = "%" if n2.startswith("百分之") else u2
    if unit2 is None and pct1:
        unit2 = "%"
    if unit2 is None or (unit1 is not None and _unit_norm(unit1) != _unit_norm(unit2)):
        return None
    a, b = parse_number(n1), parse_number(n2)
    if a is None or b is None or b <= a:
        return None
    return Token(m.start(), m.end(), a, b, _unit_norm(unit2))


LOST_PCT_DOT = re.compile(r"(\d+)\.(?=(左右|以上|以内|以下)|[\u4e00-\u9fff])")


def _lost_percent_token(ftext: str, m: re.Match, dot_mode: bool) -> Token | None:
    """An Arabic number whose % was lost to '.' after a growth word: "增长12.左右", "增长12.在实际
    执行中" (the second only in a text whose punctuation all became '.')."""
    n1 = m.group("n1")
    if not n1[0].isdigit() or not n1.isdigit():
        return None
    lm = LOST_PCT_DOT.match(ftext[m.start() : m.start() + 12])
    if not lm or not LOST_PCT_GROWTH.search(ftext[max(0, m.start() - 6) : m.start()]):
        return None
    if lm.group(2) is None and not dot_mode:
        return None
    return Token(m.start(), m.start() + len(lm.group(1)) + 1, float(lm.group(1)), None, "%", True)


def _single_token(m: re.Match, unit: str) -> Token | None:
    n1 = m.group("n1")
    if n1[0].isdigit():
        val = parse_number(n1)
    else:  # 万/亿 inside a Chinese numeral: "一万一千一百七十亿元", "二十六亿六千万美元"
        vu = with_magnitude(n1, unit)
        val, unit = vu if vu else (None, unit)
    if val is None:
        return None
    if m.group("n2") is None:
        end = m.end()
    else:  # a failed range: stop after the first number and its unit
        end = m.end("u1") if m.group("u1") else m.end("n1")
    approx = m.group("more") or m.group("more2")
    return Token(m.start(), end, val, None, _unit_norm(unit), approx=approx)


PER_BEFORE = re.compile(r"每([\u4e00-\u9fff]{1,3})$")


def _per_unit_and_sign(ftext: str, tok: Token, vocab: Vocab) -> None:
    """ "每立方米20微克" is 20 微克/立方米 (the token then starts at 每); a minus sign written before
    a growth rate ("增长-3.3%") makes the value negative."""
    m = PER_BEFORE.search(ftext, max(0, tok.start - 6), tok.start)
    if (
        m
        and m.group(1) in vocab.per_unit.get(tok.unit, ())
        and f"{tok.unit}/{m.group(1)}" in vocab.unit_family
    ):
        tok.unit = f"{tok.unit}/{m.group(1)}"
        tok.start = m.start()
    if (
        tok.start > 1
        and ftext[tok.start - 1] in "-−"
        and "\u4e00" <= ftext[tok.start - 2] <= "\u9fff"
    ):
        tok.value = -tok.value
        if tok.value_max is not None:
            tok.value_max = -tok.value_max
        tok.start -= 1


def _dot_mode(ftext: str) -> bool:
    """A text whose Chinese punctuation (and % signs) all became '.'."""
    return "%" not in ftext and "。" not in ftext and ftext.count(".") > 5


# ---------------------------------------------------------------------------------------------
# mentions


def find_mentions(ftext: str) -> list[Mention]:
    v = load_vocab()
    out = []
    for m in v.mention_re.finditer(ftext):
        s, e = m.start(), m.end()
        if not m.group(0):
            continue
        after = ftext[e : e + 8]
        before = ftext[max(0, s - 4) : s]
        if BLOCK_AFTER.match(after) or BLOCK_BEFORE.search(before) or BLOCK_COMPARE.match(after):
            continue
        if before.endswith(("与", "同", "和")) and re.match(
            r"^.{0,6}(?:同步|相适应|相协调|相匹配)", after
        ):
            continue
        out.append(Mention(s, e, v.mention_to_names[m.group(0)]))
    return out


# ---------------------------------------------------------------------------------------------
# helpers


def _spans(text: str, boundary: re.Pattern, dot_mode: bool) -> list[tuple[int, int]]:
    cuts = [m.end() for m in boundary.finditer(text)]
    if dot_mode:
        for m in re.finditer(r"\.", text):
            i = m.start()
            prev_digit = i > 0 and text[i - 1].isdigit()
            next_digit = i + 1 < len(text) and text[i + 1].isdigit()
            if prev_digit and next_digit:
                continue
            if prev_digit and re.match(r"(左右|以上|以内|以下)", text[i + 1 : i + 3]):
                continue  # lost % inside the clause
            cuts.append(i + 1)
    cuts = sorted(set(cuts))
    spans, s = [], 0
    for c in cuts:
        if c > s:
            spans.append((s, c))
        s = c
    if s < len(text):
        spans.append((s, len(text)))
    return spans


def _strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\r\n\u3000":
        s += 1
    while e > s and text[e - 1] in " \t\r\n\u3000":
        e -= 1
    return s, e


def _clean_gap(g: str) -> str:
    g = re.sub(r"[(（][^()（）]{0,20}[)）]", "", g)
    return re.sub(r"[\s\"“”'‘’]", "", g)


def _allowed(prefix: str) -> bool:
    return ALLOWED_PREFIX.fullmatch(re.sub(r"[,，、:：]", "", _clean_gap(prefix))) is not None


def _unit_ok(vocab: Vocab, name: str, unit: str) -> bool:
    fam = vocab.unit_family.get(unit)
    if fam is None:
        return False
    e = vocab.indicators.get(name)
    if e is None:  # a name as written, outside the vocabulary: nothing to check the unit against
        return True
    if fam == "percent":  # growth rates and shares go with every indicator
        return True
    return fam in {e["unit_family"], *e.get("extra_unit_families", [])}


def _innermost(sections: list[Section], pos: int) -> Section | None:
    """The smallest section holding `pos` (on equal size the deeper, then the first listed).

    Called once per number found; a scan of every section per call was quadratic on a big
    text, so the answer is precomputed once per sections list for each stretch of text between
    section boundaries and looked up by bisection."""
    global _innermost_table
    table = _innermost_table
    if table is None or table[0] is not sections or table[1] != len(sections):
        table = _innermost_table = (sections, len(sections), *_innermost_stretches(sections))
    _, _, bounds, owners = table
    i = bisect.bisect_right(bounds, pos) - 1
    return owners[i] if i >= 0 else None


_innermost_table = None


def _innermost_stretches(sections: list[Section]) -> tuple[list[int], list[Section | None]]:
    """Boundaries of the stretches in which the innermost section does not change, and its
    owner in each: a sweep with a heap of the open sections, best first."""
    bounds = sorted({s.start for s in sections} | {s.end for s in sections})
    by_start = sorted(range(len(sections)), key=lambda i: sections[i].start)
    heap: list[tuple[int, int, int]] = []
    owners: list[Section | None] = []
    k = 0
    for b in bounds:
        while k < len(by_start) and sections[by_start[k]].start <= b:
            s = sections[by_start[k]]
            heapq.heappush(heap, (s.end - s.start, -s.level, by_start[k]))
            k += 1
        while heap and sections[heap[0][2]].end <= b:
            heapq.heappop(heap)
        owners.append(sections[heap[0][2]] if heap else None)
    return bounds, owners


def _kind(ftext: str, pos: int, seg: tuple[int, int], sent_start: int, sec: Section | None) -> str:
    lead = ftext[sent_start : seg[1]]
    clause = ftext[seg[0] : seg[1]]
    t_strong = STRONG_T.search(lead) is not None
    a_past = A_PAST.search(clause) is not None or A_PAST.search(ftext[sent_start:pos]) is not None
    if t_strong and not a_past:
        return "target"
    if a_past and not t_strong:
        return "achievement"
    skind = sec.kind if sec else None
    if skind in ("plan", "targets"):
        return "target"
    if skind in ("review", "problems"):
        return "achievement"
    if not t_strong and (
        A_COMPARE.search(clause)
        or (A_WEAK.search(ftext[sent_start:pos]) and not FUTURE.search(ftext[sent_start:pos]))
    ):
        return "achievement"
    # nearest marker before the number
    window = ftext[max(0, pos - 4000) : pos]
    r = [m.end() for m in REVIEW_MARK.finditer(window)]
    p = [
        m.end()
        for m in PLAN_MARK.finditer(window)
        if not PLAN_MARK_DONE.search(window[max(0, m.start() - 12) : m.start()])
        and not PLAN_MARK_DONE.search(window[m.end() : m.end() + 8])
    ]
    if r and (not p or r[-1] > p[-1]):
        return "achievement"
    if not r and not p and DONE_VERB.search(clause) and not FUTURE.search(lead):
        return "achievement"  # nothing around tells: a plain "完成/实现/达到" reports a result
    return "target"


# ---------------------------------------------------------------------------------------------
# the extractor


@dataclass
class _Document:
    """The text being read and what every segment of it consults."""

    text: str
    ftext: str  # the folded text (fold_text): same length, same offsets
    sections: list[Section]
    glossary: list[Section]
    vocab: Vocab


@dataclass
class _Segment:
    """One sentence or ';'-clause that holds numbers."""

    start: int
    end: int
    toks: list[Token]
    ments: list[Mention]
    sent_start: int  # where its sentence starts
    quote: tuple[int, int]  # what a commitment in it quotes: the segment, trimmed


def extract_commitments(text: str, sections: list[Section]) -> tuple[list[Commitment], list[str]]:
    """Every number tied to a vocabulary indicator in `text`, in text order, with warnings."""
    warnings: list[str] = []
    if not text:
        return [], warnings
    ftext = fold_text(text)
    if len(ftext) != len(text):  # never: folding is one character for one
        ftext = fold_width(text)
    dot_mode = _dot_mode(ftext)
    tokens = find_tokens(ftext, warnings)
    if not tokens:
        return [], warnings
    glossary = [s for s in sections if s.kind == "glossary"]
    doc = _Document(text, ftext, sections, glossary, load_vocab())
    out: list[tuple[int, Commitment]] = []
    # the last named number of the previous segment, for a subjectless clause after a semicolon
    # of the same sentence: "通车里程一九四九年为二万一千七百公里；……今年预计将达二万五千五百公里"
    carry: tuple[str, str, int, int] | None = None  # name, unit, name start, segment end
    for seg in _segments(text, ftext, tokens, find_mentions(ftext), dot_mode):
        ties, carry = _segment_ties(doc, seg, warnings, carry)
        seen: set[tuple[str, int]] = set()
        for tie in ties:
            tok = tie.token
            if any(g.start <= tok.start < g.end for g in glossary):
                continue
            # one fact, one commitment: two routes through _assign to the same number and name
            if (tie.name, tok.start) in seen:
                continue
            seen.add((tie.name, tok.start))
            out.append((tok.start, _commitment(doc, seg, tie)))
    out.sort(key=lambda x: x[0])
    return [c for _, c in out], warnings


def _segments(
    text: str, ftext: str, tokens: list[Token], mentions: list[Mention], dot_mode: bool
) -> Iterator[_Segment]:
    """The segments that hold numbers, in text order, with their numbers and mentions."""
    sents = _spans(ftext, SENT_BOUNDARY, dot_mode)
    ti = mi = si = 0
    for s0, s1 in _spans(ftext, SEG_BOUNDARY, dot_mode):
        while ti < len(tokens) and tokens[ti].start < s0:
            ti += 1
        seg_toks = []
        while ti < len(tokens) and tokens[ti].start < s1:
            seg_toks.append(tokens[ti])
            ti += 1
        while mi < len(mentions) and mentions[mi].start < s0:
            mi += 1
        if not seg_toks:
            continue
        j = mi
        while j < len(mentions) and mentions[j].start < s1:
            j += 1
        while si < len(sents) - 1 and sents[si][1] <= s0:
            si += 1
        sent_start = sents[si][0] if sents else 0
        yield _Segment(s0, s1, seg_toks, mentions[mi:j], sent_start, _quote_span(text, s0, s1))


def _quote_span(text: str, s0: int, s1: int) -> tuple[int, int]:
    """The segment without the spaces around it and the boundary marks that end it."""
    cs, ce = _strip_span(text, s0, s1)
    while ce > cs and text[ce - 1] in "。；;!?！？\n":
        ce -= 1
    return cs, ce


def _segment_ties(
    doc: _Document,
    seg: _Segment,
    warnings: list[str],
    carry: tuple[str, str, int, int] | None,
) -> tuple[list[_Tie], tuple[str, str, int, int] | None]:
    """The numbers of a segment tied to the vocabulary, then the rest to names as written; and
    what the segment carries on to the next one."""
    ftext = doc.ftext
    found = _assign(ftext, seg.toks, seg.ments, doc.vocab, warnings) if seg.ments else []
    used = {id(tie.token) for tie in found}
    blocked = [(mm.start, mm.end) for mm in seg.ments]
    carried = None
    if (
        carry is not None
        and ftext[carry[3] - 1] in "；;"
        and not ftext[carry[3] : seg.start].strip()
        and seg.sent_start <= carry[2]
    ):
        carried = carry[:3]
    unused = [t for t in seg.toks if id(t) not in used]
    named = _named_outside_vocabulary(ftext, unused, seg.start, seg.toks, blocked, seg.end, carried)
    last = named[-1] if named else None
    carry = (last.name, last.token.unit, last.mention_start, seg.end) if last else None
    return found + named, carry


def _commitment(doc: _Document, seg: _Segment, tie: _Tie) -> Commitment:
    text, ftext, tok, mstart = doc.text, doc.ftext, tie.token, tie.mention_start
    qs, qe = seg.quote
    if qe - qs > MAX_QUOTE:  # a run-on sentence (flattened text): quote the clauses around it
        qs, qe = _clause_span(ftext, qs, qe, min(mstart, tok.start), tok.end)
    sec = _innermost(doc.sections, tok.start)
    period, horizon = _period(ftext, seg.sent_start, tie.lead)
    ind = _indicator_name(doc, tie)
    return Commitment(
        text=text[qs:qe],
        indicator=ind,
        value=tok.value,
        value_max=tok.value_max,
        unit=tok.unit,
        qualifier=tie.qualifier or tok.approx,
        kind=_kind(ftext, tok.start, (seg.start, seg.end), seg.sent_start, sec),
        section=sec.anchor if sec else None,
        start=qs,
        end=qe,
        direction=_direction(
            ftext, tok, tie.lead, max(_name_end(ftext, ind, mstart, seg.ments), seg.start), seg.toks
        ),
        period=period,
        horizon=horizon,
        scope=tie.scope or _scope(ftext, mstart, seg.start),
        baseline=_baseline(ftext, tok, seg.toks),
        normalised=ind in doc.vocab.indicators,
    )


def _indicator_name(doc: _Document, tie: _Tie) -> str:
    """The name a commitment is filed under: the vocabulary's, a vocabulary name the report
    writes its own way, or the name as written (traditional characters stay)."""
    vocab, ind, mstart = doc.vocab, tie.name, tie.mention_start
    if ind in vocab.indicators:
        return ind
    filed = vocab.written_names.get(fold_width(ind))
    if filed is not None and _unit_ok(vocab, filed, tie.token.unit):
        return filed
    as_written = doc.text[mstart : mstart + len(ind)]
    if as_written != ind and doc.ftext[mstart : mstart + len(ind)] == ind:
        return as_written
    return ind


# ---------------------------------------------------------------------------------------------
# indicators outside the vocabulary: "新登记市场主体12.5万户", "森林覆盖率达到45%", "新建50个养老服务中心"

NAME_CUT = re.compile(r"[,，、;；:：()（）“”\"《》\s]")
YEAR_WORD = r"(?:[12]\d{3}|[一二三四五六七八九〇○零]{4})\s?年(?:底|末|度)?"
# words around a name that are not part of it (the frame of the sentence, verbs before the number)
NAME_TAIL = re.compile(
    rf"(?:同比|比上年|较上年|比去年|较去年|[比较同]{YEAR_WORD}(?:相比|比较)?(?:预计)?|在?{YEAR_WORD}(?:的)?|"
    r"(?:过去)?[一二三四五六七八九十两]年(?:来|内|中|间)?|年均|平均|分别|均|累计|共|总计|合计|预计|力争|确保|争取|"
    r"增长|增加|提高|提升|上升|下降|降低|减少|达到|达|完成|实现|为|是|突破|超过|保持在|控制在|更新|缩减|"
    r"稳定在|不低于|不超过|约|近|将近|接近|到|至|了|在|以上|左右|总量|总数|规模|数量|的|将有|将|有|超|增至|增到|"
    r"增|又|再|要|已经|已|仍|今年|当年|全年|(?:全年)?人均)$"
)
NAME_HEAD = re.compile(
    rf"^(?:全年|今年|去年|明年|当年|其中|(?:全市|全区|全省|全县|全国|我市|我区|我省|我县|我国|本市)的?|它|其|虽然|但是|而且|同时|"
    r"力争|确保|争取|预计|计划|要|将|可|共|累计|完成|实现|发放|安排|投入|筹集|拨付|五年来|过去五年|一年来|"
    rf"{YEAR_WORD}(?:的)?)+"
)
NAME_OK = re.compile(r"[A-Za-z0-9\u4e00-\u9fff·.]{1,24}")
# not an indicator of the jurisdiction: meetings, documents, ranks, honours, a reference to the
# nation or another place; written down here so that the rule is the same everywhere
NOT_AN_INDICATOR = re.compile(
    r"会议|文件|政策|措施|意见|方案|办法|规定|条例|法规|议案|建议|提案|批示|决定|报告|讲话|"
    r"届|第|排名|位次|名次|排位|称号|荣誉|奖|全国|全省|全市平均|平均水平|同期|倍|等$|"
    r"只要|如果|假如|例如|比如|^[占比较与同对]|的(?:将|是|有)|相比|占.*(?:比重|比例)|占比|贡献率|拉动|"
    r"(?:[12]\d{3}|[一二三四五六七八九〇○零]{4}|[一二三四五六七八九十两]|\d{1,2})年|连续"
)
# a bare verb is not a name ("实施180公里", "新投产600万千瓦": the object comes after the number)
VERB_ONLY = re.compile(
    r"(?:实施|推进|推动|建设|新建|改造|建成|新增|开工|投产|新投产|扶持|壮大|引进|培育|打造|抓好|着重抓好|"
    r"开展|加快|发放|安排|投入|争取|完成|实现|达到|新开工|筹集|落实|支持|帮助|组织|举办|召开|出台)+"
)
# a number written before its noun qualifies it ("6条高铁", "三个丝绸之路", "2334个过2000万元的…"):
# a value ends at punctuation, a qualifier, a conjunction or the next predicate
VALUE_END = re.compile(
    r"[^\u4e00-\u9fff0-9A-Za-z]|左右|以上|以内|以下|之间|上下|[和与及或、等]|增|比|同比|较|提高|下降|降|占|实现|完成|达|居|为|是|其中|"
    r"分别|均|$"
)
# ... except after a verb of doing or giving: "新建50个养老服务中心", "发行1000亿元长期国债",
# "为1467位低收入老年人": then the noun after the number is the name
ACTION_BEFORE = re.compile(
    r"(?:新建|建设|建成|新改建|改造|新增|完成|实施|开工|投产|培育|引进|资助|帮助|救助|安置|发行|开通|新开|"
    r"提供|认定|培训|解决|吸纳|带动|惠及|为)(?:近|约|超过)?$"
)
NOUN_AFTER = re.compile(
    r"(?:\d+岁以[上下])?([\u4e00-\u9fffA-Za-z0-9]{2,14}?)(?=[,，。；;、和及与的]|发放|解决|实现|开展|$)"
)
ABSTRACT_NOUN = re.compile(
    r"^(?:方面|时期|阶段|季度|台阶|交汇点|问题|难题|任务|重点|领域|环节|体系|机制|行动|目标|步|年|月|天|倍)"
)
ONE_OF_MEASURES = {
    "个",
    "件",
    "项",
    "条",
    "批",
    "种",
    "家",
    "座",
    "所",
    "处",
    "支",
    "张",
    "台",
    "部",
    "位",
    "名",
    "头",
}
AGE_THRESHOLD = re.compile(r"\s?(?:以上|以下|及以上)")
MIN_CJK = re.compile(r"[\u4e00-\u9fff]")


OBJECT_VERB = re.compile(r"发放|发行|安排|投入|筹集|拨付|下达|兑现")
FUNCTION_WORD = re.compile(r"[和与及或等的了在]")
NOT_A_ONE_CHARACTER_NAME = re.compile(r"[使让令把将被这那此该另其每各有共计约近超达为是对向给]")


def _strip_frame(name: str) -> str:
    prev = None
    while prev != name:
        prev = name
        name = NAME_HEAD.sub("", NAME_TAIL.sub("", name))
    return name


def _written_name(ftext: str, lo: int, start: int) -> str | None:
    """The indicator named right before a number, as written; "" when the clause has only frame
    words before the number (a subjectless clause); None when what stands there is not a name."""
    chunk = ftext[lo:start]
    cut = max((m.end() for m in NAME_CUT.finditer(chunk)), default=0)
    # the object of a verb of giving is the name: "为3729户低收入农牧户发放冬煤补贴223.7万元"
    objects = [m.end() for m in OBJECT_VERB.finditer(chunk, cut)]
    if objects and _strip_frame(chunk[objects[-1] :]):
        cut = objects[-1]
    name = _strip_frame(chunk[cut:])
    if cut and chunk[cut - 1] in "(（" and not name:
        return None  # a number in parentheses is a remark, it carries no name on
    if not name:
        return ""
    if (
        not NAME_OK.fullmatch(name)
        or not MIN_CJK.search(name)
        or NOT_AN_INDICATOR.search(name)
        or VERB_ONLY.fullmatch(name)
    ):
        return None
    # a one-character name only where it is all the clause holds ("纸520万吨、糖260万吨"), and
    # never a pronoun or a verb that governs the number ("使8000户…", "这两项", "另一头")
    if len(MIN_CJK.findall(name)) < 2 and (
        name != chunk[cut:]
        or FUNCTION_WORD.fullmatch(name)
        or NOT_A_ONE_CHARACTER_NAME.fullmatch(name)
    ):
        return None
    return name


def _noun_after(ftext: str, tok: Token, hi: int) -> str | None:
    """The name written after a number that follows a verb of doing: "新建50个养老服务中心"."""
    m = NOUN_AFTER.match(ftext, tok.end, hi)
    if not m or ABSTRACT_NOUN.match(m.group(1)) or NOT_AN_INDICATOR.search(m.group(1)):
        return None
    if (
        tok.value == 1 and ftext[tok.start] == "一"
    ):  # "新建一批国家工程中心": an article, not a count
        return None
    return m.group(1)


@dataclass
class _NameWalk:
    """What the walk over a segment's numbers remembers from one number to the next."""

    last: tuple[str, int, int] | None = None  # name, end of its number, start of the name
    listed_until: int = -1  # the end of a 分别 list already paired
    noun_list: bool = False  # the previous number was "verb + number + noun": a 、 list goes on


def _named_outside_vocabulary(
    ftext: str,
    toks: list[Token],
    lo: int,
    seg_toks: list[Token],
    mentions: list[tuple[int, int]],
    hi: int | None = None,
    carried: tuple[str, str, int] | None = None,
) -> list[_Tie]:
    """Numbers the vocabulary did not take, tied to the name written right before them (or, after a
    verb of doing, right after them). The same rules as for the vocabulary leave out comparisons,
    increments, completion ratios, numbers that qualify a noun and the 从-value of a transition;
    a subjectless clause after a named number carries its name on ("外贸进出口总额1200亿元，增长8%"),
    also across a semicolon when the unit is the same (`carried`: the previous segment's last name);
    a 分别 list pairs names and numbers in order ("诉求解决率、满意率分别达96.7%和97%")."""
    hi = len(ftext) if hi is None else hi
    ties: list[_Tie] = []
    walk = _NameWalk()
    for idx, tok in enumerate(toks):
        if tok.start < walk.listed_until or _not_a_named_value(ftext, tok, lo, mentions):
            continue
        before = ftext[max(lo, tok.start - 14) : tok.start]
        if not VALUE_END.match(ftext, tok.end):
            # a number before its noun: a value only after a verb of doing ("新建50个养老服务中心")
            tie = _named_by_noun_after(ftext, tok, before, hi, walk.noun_list)
            walk.noun_list = tie is not None
            if tie is not None:
                ties.append(tie)
            continue
        walk.noun_list = False
        name, name_end = _name_before(ftext, tok, lo, seg_toks)
        if name is not None and "分别" in ftext[max(lo, tok.start - 8) : tok.start]:
            paired = _generic_list(ftext, toks[idx:], lo, tok)
            if paired:
                for n, t in paired:
                    q = _qualifier(ftext, t, ftext[max(lo, t.start - 8) : t.start])
                    ties.append(_Tie(n, t, q, tok.start, tok, None))
                walk.listed_until = paired[-1][1].end
                walk.last = None
                continue
        subject = _subject(ftext, tok, lo, name, name_end, walk, carried, mentions, seg_toks)
        if subject is None:
            continue
        name, mstart = subject
        ties.append(_Tie(name, tok, _qualifier(ftext, tok, before), mstart, tok, None))
        walk.last = (name, tok.end, mstart)
    return ties


def _not_a_named_value(ftext: str, tok: Token, lo: int, mentions: list[tuple[int, int]]) -> bool:
    """The numbers no name as written takes: comparisons, completion ratios, numbers that qualify
    a noun, increments, ordinals, the 从-value of a transition, age thresholds, 一 as an article,
    numbers the vocabulary's rules refused, names and slogans in quotation marks."""
    before = ftext[max(lo, tok.start - 14) : tok.start]
    if (
        RELATIVE_BEFORE.search(ftext[max(0, tok.start - 8) : tok.start])
        or COMPARED_WITH.search(before)
        or COMPLETION.search(ftext[max(0, tok.start - 6) : tok.start])
        or MODIFIER_AFTER.match(ftext, tok.end)
        or (tok.unit not in RATE_UNITS and INCREMENT_BEFORE.search(before))
        or ftext[max(0, tok.start - 1) : tok.start] == "第"
        or (
            re.search(r"[由从比][^,，。；]{0,12}$", before)
            and BASE_AFTER.match(ftext[tok.end : tok.end + 16])
        )
        or (tok.unit == "岁" and AGE_THRESHOLD.match(ftext, tok.end))
        # "一件一件抓", "一个时期": 一 with a measure word is an article, not a count
        or (tok.value == 1 and ftext[tok.start] in "一壹" and tok.unit in ONE_OF_MEASURES)
        or tok.lost_pct
    ):
        return True
    # a number inside a vocabulary mention's clause that the vocabulary rules refused stays out
    if any(
        ms < tok.start and tok.start - me < 12 and not NAME_CUT.search(ftext[me : tok.start])
        for ms, me in mentions
    ):
        return True
    # inside quotation marks a number is a name or a slogan ("最后一公里", "8+4"), not a value
    window = max(0, tok.start - 30)
    return ftext.rfind("“", window, tok.start) > ftext.rfind("”", window, tok.start)


def _named_by_noun_after(
    ftext: str, tok: Token, before: str, hi: int, noun_list: bool
) -> _Tie | None:
    """A number after a verb of doing, or next in a 、 list after one, named by the noun after
    it: "新建50个养老服务中心、20个日间照料中心"."""
    after_list = noun_list and ftext[max(0, tok.start - 1) : tok.start] in ("、", "和", "及")
    if not (ACTION_BEFORE.search(before) or after_list):
        return None
    noun = _noun_after(ftext, tok, hi)
    if not noun:
        return None
    return _Tie(noun, tok, _qualifier(ftext, tok, before), tok.start, tok, None)


def _name_before(ftext: str, tok: Token, lo: int, seg_toks: list[Token]) -> tuple[str | None, int]:
    """The name written before a number (see _written_name) and where it must end."""
    # the number before the 从/由 value's "to": "公共预算支出由11.66亿元增加到29.33亿元"
    name_end = tok.start
    prev = [t for t in seg_toks if t.end <= tok.start]
    if prev and TRANSITION.fullmatch(ftext, prev[-1].end, tok.start):
        frm = FROM_BEFORE.search(ftext, max(0, prev[-1].start - 12), prev[-1].start)
        if frm:
            name_end = frm.start()
    if _growth_on_base_year(ftext, prev, tok):
        return "", name_end
    chunk_lo = max(lo, name_end - 40, prev[-1].end if prev and name_end == tok.start else lo)
    return _written_name(ftext, chunk_lo, name_end), name_end


def _growth_on_base_year(ftext: str, prev: list[Token], tok: Token) -> bool:
    """ "…达到1387.4亿元，比1952年的827.1亿元增长68%": a growth against a base year's value, whose
    name is the subject's."""
    return bool(
        prev
        and re.fullmatch(
            r"\s?(?:增长|增加|下降|降低|减少|提高)了?\s?", ftext[prev[-1].end : tok.start]
        )
        and re.search(
            rf"[比较同]{YEAR_WORD}的?$", ftext[max(0, prev[-1].start - 10) : prev[-1].start]
        )
    )


def _subject(
    ftext: str,
    tok: Token,
    lo: int,
    name: str | None,
    name_end: int,
    walk: _NameWalk,
    carried: tuple[str, str, int] | None,
    mentions: list[tuple[int, int]],
    seg_toks: list[Token],
) -> tuple[str, int] | None:
    """(name, where it starts) for a number: its own name as written, else the name carried on
    from the number before it; None when it has none."""
    if name is None:
        return None
    if name:
        mstart = ftext.rfind(name, max(lo, name_end - 40), name_end)
        mstart = mstart if mstart >= 0 else tok.start
        return _output_name(ftext, name, tok, lo, mstart), mstart
    if walk.last:
        return walk.last[0], walk.last[2]
    # only a level in the same unit, as the clause's first number, with no indicator of its own:
    # a rate after a semicolon is as often another quantity's growth
    if (
        carried
        and carried[1] == tok.unit
        and tok.unit not in RATE_UNITS
        and not mentions
        and seg_toks
        and tok is seg_toks[0]
        and not GAP_BLOCK.search(ftext, lo, tok.start)
    ):
        return carried[0], carried[2]
    return None


# Units a product's output is counted in: a one-character product before one of these is an
# output figure ("纸520万吨", "表2,360万只"), not a stray character.
OUTPUT_FAMILIES = {"mass", "cloth", "volume", "length", "energy", "power", "containers"}
GOODS_MEASURES = {"只", "台", "辆", "架", "件", "部", "双", "块", "枚", "箱", "匹", "套"}
GENERIC_OUTPUT = {"总产": "总产量", "总产量": "总产量", "产量": "产量", "年产量": "年产量"}
# the clause before a bare 总产 that says whose output it is: "粮食生产再获丰收，总产达到557亿斤"
SUBJECT_OF_OUTPUT = re.compile(
    r"(?:^|[,，。；;\n])\s?([\u4e00-\u9fff]{2,8}?)(?:生产|种植)[^,，。；;]{0,10}[,，]\s?$"
)


def _output_name(ftext: str, name: str, tok: Token, lo: int, mstart: int) -> str:
    """The indicator an output figure is of, as a reader names it. A product written as one
    character is its output (纸 -> 纸产量): one character alone is no name a table can be
    searched or filtered by (表, 钢 and 糖 are parts of countless words). A bare 总产 or 产量 takes
    the crop or product of the clause before it (粮食生产…，总产达到… -> 粮食总产量)."""
    if name in GENERIC_OUTPUT:
        m = SUBJECT_OF_OUTPUT.search(ftext[lo:mstart])
        subject = _strip_frame(m.group(1)) if m else ""
        if len(subject) < 2:
            return name
        full = subject + GENERIC_OUTPUT[name]
        names = load_vocab().mention_to_names.get(fold_width(full), ())
        return names[0] if len(names) == 1 else full
    if len(name) == 1 and (
        load_vocab().unit_family.get(tok.unit) in OUTPUT_FAMILIES
        or tok.unit.lstrip("万亿") in GOODS_MEASURES
    ):
        return name + "产量"
    return name


FROM_BEFORE = re.compile(rf"[从由]\s?(?:{YEAR_WORD}的?)?(?:每人每年|每人每月|每人|每年|每月)?$")


def _generic_list(
    ftext: str, toks: list[Token], lo: int, first: Token
) -> list[tuple[str, Token]] | None:
    """Names before 分别 and the numbers after it, in order, or None when they do not pair."""
    at = ftext.rfind("分别", max(lo, first.start - 8), first.start)
    chunk = ftext[max(lo, at - 60) : at]
    cut = max((m.end() for m in re.finditer(r"[,，;；:：()（）。]", chunk)), default=0)
    names = [NAME_HEAD.sub("", x) for x in re.split(r"、|和|及|与", chunk[cut:]) if x]
    group = [first]
    for t in toks[1:]:
        if (
            re.fullmatch(
                r"\s?(?:左右|以上|以内)?\s?(?:和|、|,|，|及|与)\s?", ftext[group[-1].end : t.start]
            )
            and VALUE_END.match(ftext, t.end)
            and (t.unit == "%") == (first.unit == "%")
        ):
            group.append(t)
        else:
            break
    if (
        len(group) < 2
        or len(names) != len(group)
        or not all(NAME_OK.fullmatch(n) and MIN_CJK.search(n) for n in names)
    ):
        return None
    # a list member written short shares the last member's head: "诉求解决率、满意率"
    return list(zip(names, group, strict=True))


# ---------------------------------------------------------------------------------------------
# what a number measures: direction, period and horizon, scope, baseline


def _name_end(ftext: str, name: str, mstart: int, mentions: list[Mention]) -> int:
    """Where the indicator's own words end: a verb inside them (城镇新增就业, 整治提升背街小巷) is
    not the number's direction."""
    end = mstart
    for mm in mentions:
        if mm.start == mstart:
            end = mm.end
            break
    else:
        end = mstart + len(name) if ftext.startswith(name, mstart) else mstart
    # ... unless the name ends in one ("农村贫困人口减少1000万"): that verb is the direction
    tail = re.search(r"(?:减少|下降|降低|增长|提高|增加)$", ftext[mstart:end])
    return tail.start() + mstart if tail else end


DOWN_VERB = r"下降|降低|减少|回落|缩小|缩减|削减|压减|压缩|下调|降到|降至|减至|减到|减排|下滑"
# 新增 (newly added: 新增就业, 新增装机) names a level, not a rise
UP_VERB = r"增长|(?<!新)增加(?!值)|提高|提升|上升|扩大|增至|增到|增收|上涨|攀升|增速|增幅|(?<!新)增(?!加值|值)"
RATE_WORD = re.compile(r"增速|增幅|增长率|增长速度|降幅|涨幅")
CHANGE_VERB = re.compile(rf"(?:{DOWN_VERB})|(?:{UP_VERB})")
DOWN_RE = re.compile(DOWN_VERB)
# a number after these is a level even after a change verb ("增长到", "提高到" are "up" to a level,
# but "增长率为5%" is a growth rate: up)
LEVEL_AFTER_VERB = re.compile(
    r"(?:达到|达|完成|实现|为|是|控制在|保持在|稳定在)$|[,，、].*(?:突破|超过)$"
)


def _direction(ftext: str, tok: Token, lead: Token, lo: int, seg_toks: list[Token]) -> str:
    """ "up"/"down" for a change (增长9%, 下降3.3%, 从X提高到Y), "level" for a level (完成198.5亿元,
    控制在3.5%). A list member (分别增长5%、6%) takes the verb written before the list's first number;
    the verb is looked for after the number before it, so "增长9%，达到780亿元" gives 780 a level."""
    if tok.value < 0:
        return "down"
    prev_end = max([t.end for t in seg_toks if t.end <= lead.start] + [lo])
    prefix = RANK.sub("", ftext[prev_end : lead.start])
    verbs = list(CHANGE_VERB.finditer(prefix))
    if not verbs:
        return "level"
    last = verbs[-1]
    if RATE_WORD.fullmatch(last.group(0)) or RATE_WORD.search(
        prefix[max(0, last.start() - 1) : last.end() + 1]
    ):
        # "增速达到16.1%": a growth rate is a change whatever verb gives it
        return "down" if last.group(0) == "降幅" else "up"
    if LEVEL_AFTER_VERB.search(prefix[last.end() :]) and not prefix[last.end() :].startswith(
        ("到", "至")
    ):
        return "level"
    return "down" if DOWN_RE.fullmatch(last.group(0)) else "up"


# the plans that name a horizon: "十四五" ends in 2025 (the first, 一五, in 1957)
PLAN_END = {
    "一五": 1957,
    "二五": 1962,
    "三五": 1970,
    "四五": 1975,
    "五五": 1980,
    "六五": 1985,
    "七五": 1990,
    "八五": 1995,
    "九五": 2000,
    "十五": 2005,
    "十一五": 2010,
    "十二五": 2015,
    "十三五": 2020,
    "十四五": 2025,
    "十五五": 2030,
    "十六五": 2035,
}
HORIZON_YEAR = re.compile(
    r"(?:到|至|于|在)\s?((?:19|20)\d{2})\s?年(?:底|末)?|((?:19|20)\d{2})\s?年(?:底|末)?(?:以?前|之前)"
)
HORIZON_PLAN = re.compile(
    r"[“\"]?(十[一二三四五六]?五|[一二三四五六七八九]五)[”\"]?(?:规划)?(?:期末|末|期间|时期)"
)
AVERAGE = re.compile(r"年均|年平均|平均每年|每年平均|平均年")
CUMULATIVE = re.compile(r"累计|五年共|共计|总计|五年内|五年中|五年间|[二三四五六七八九十]年内")


BASE_YEAR = re.compile(r"[比较同]((?:19|20)\d{2}|[一二三四五六七八九〇○零]{4})\s?年")
ANY_YEAR = re.compile(r"((?:19|20)\d{2}|[一二][九〇○零][一二三四五六七八九〇○零]{2})\s?年")


def _over_years(before: str, near: str) -> bool:
    """ "在1957年…比1952年增长68%": a growth over five years, not a year's."""
    base = BASE_YEAR.search(near)
    if not base:
        return False
    years = [parse_number(m.group(1)) for m in ANY_YEAR.finditer(before)]
    b = parse_number(base.group(1))
    return b is not None and any(y is not None and y - b >= 2 for y in years)


def _period(ftext: str, sent_start: int, lead: Token) -> tuple[str, int | None]:
    """(period, horizon) from what the sentence says before the number: 年均 -> multi_year_average,
    累计/五年内 -> cumulative, 到2030年/十四五末 -> by_year with its year; else an annual figure."""
    before = ftext[sent_start : lead.start]
    near = ftext[max(sent_start, lead.start - 24) : lead.start]
    horizon = None
    years = [int(m.group(1) or m.group(2)) for m in HORIZON_YEAR.finditer(before)]
    plans = [PLAN_END[m.group(1)] for m in HORIZON_PLAN.finditer(before) if m.group(1) in PLAN_END]
    if years:
        horizon = years[-1]
    elif plans:
        horizon = plans[-1]
    if AVERAGE.search(near):
        return "multi_year_average", horizon
    if CUMULATIVE.search(near) or _over_years(ftext[max(0, sent_start - 240) : lead.start], near):
        return "cumulative", horizon
    if horizon is not None:
        return "by_year", horizon
    return "year", None


# a part of the jurisdiction written right before the indicator: a trade partner or channel, a
# region inside the place, one industry
SCOPE_BEFORE = re.compile(
    r"(对[\u4e00-\u9fff]{1,8}?"
    r"|[\u4e00-\u9fff]{0,6}(?:大湾区|城市群|经济圈|都市圈|经济带|片区|新区|园区|示范区|自贸试验区|自贸区|"
    r"脱贫地区|贫困地区|民族地区|革命老区|老区|山区|库区|牧区|城区|县域)"
    r")$"
)
# one industry before an industry-wide indicator: "规上纺织工业增加值" (checked in code: a lookahead
# cannot see past the end of the searched window)
INDUSTRY_BEFORE = re.compile(r"(?:规上|规模以上)?[\u4e00-\u9fff]{2,4}$")
INDUSTRY_MENTION = ("工业增加值", "制造业增加值", "产业增加值")
NOT_SCOPE = re.compile(
    r"(?:全市|全区|全省|全国|全县|全盟|本市|本区|我市|我区|我省|我县|全年|今年|去年|实现|完成|其中|"
    r"规上|规模以上|规模|全部|全社会|地方|一般|主要|战略性新兴|高技术|高新技术|装备|工业)$"
)


def _scope(ftext: str, mstart: int, lo: int) -> str | None:
    """The part of the jurisdiction a figure is for, as written, or None for the whole of it."""
    lo = max(lo, mstart - 12)
    m = SCOPE_BEFORE.search(ftext, lo, mstart)
    if m and not NOT_SCOPE.search(m.group(1)):
        return m.group(1)
    if ftext.startswith(INDUSTRY_MENTION, mstart):
        m = INDUSTRY_BEFORE.search(ftext, max(lo, mstart - 6), mstart)
        if m:
            # the industry's own words: drop a verb or a place word in front ("实现纺织", "全市纺织")
            words = re.sub(
                r"^.*?(?:实现|完成|推动|全市|全区|全省|全县|其中|全年|预计|力争|确保)",
                "",
                m.group(0),
            )
            if len(words.replace("规上", "").replace("规模以上", "")) >= 2 and not NOT_SCOPE.search(
                words
            ):
                return words + next(
                    w for w in ("工业", "制造业", "产业") if ftext.startswith(w, mstart)
                )
    return None


TRANSITION = re.compile(
    r"\s?(?:左右)?(?:的)?(?:水平)?\s?(?:提高|增加|增长|上升|扩大|提升|下降|降低|减少|缩小|压减|降|增|升|"
    r"发展|突破)?(?:到|至)\s?(?:" + YEAR_WORD + r"的?)?$"
)


def _baseline(ftext: str, tok: Token, seg_toks: list[Token]) -> float | None:
    """The 从/由 value of "从8.2万亿元提高到10.5万亿元" for the "to" value, in the same unit."""
    prev = [t for t in seg_toks if t.end <= tok.start]
    if not prev:
        return None
    p = prev[-1]
    if not TRANSITION.fullmatch(ftext, p.end, tok.start):
        return None
    if not FROM_BEFORE.search(ftext, max(0, p.start - 12), p.start):
        return None
    if p.unit != tok.unit:
        return None
    return p.value


def _qualifier(ftext: str, tok: Token, prefix: str) -> str | None:
    m = QUAL_AFTER.match(ftext, tok.end)
    if m:
        return m.group(1)
    if prefix.endswith(("近", "将近", "接近")):  # "增长近百分之二": only right before the number
        return "近"
    ms = list(QUAL_BEFORE.finditer(prefix[-8:]))
    return ms[-1].group(0) if ms else None


def _clause_span(ftext: str, cs: int, ce: int, a: int, b: int) -> tuple[int, int]:
    s = max([m.end() for m in CLAUSE_BOUNDARY.finditer(ftext, cs, a)] or [cs])
    nxt = CLAUSE_BOUNDARY.search(ftext, b, ce)
    e = nxt.start() if nxt else ce
    return _strip_span(ftext, s, e)


# a rank between a number and the next carries no subject: "增长5.8%、增速全国第3，总量达到60013亿元"
RANK = re.compile(
    r"[,，、]?(?:增速|总量)?(?:居|位居|排)?(?:全国|全省|全市|西部|中部|东部)第[\d一二三四五六七八九十]+(?:位)?"
)
LIST_RUN = re.compile(r"((?:[A-Za-z0-9.\u4e00-\u9fff]{1,10}(?:、|和|及|与))+)$")
CLAUSE_LEAD = re.compile(
    r"^.*?(?:全年|今年|去年|其中|实现|完成|推动|全市|全区|全省|全县|我市|我区|预计|力争|确保)"
)


def _list_members(
    ftext: str, m: Mention, vocab: Vocab, n: int
) -> list[tuple[str, str | None]] | None:
    """The members of "城镇居民、农村居民人均可支配收入分别…" or "PM10、PM2.5分别…" or
    "食品、石化、医药工业增加值分别…": [(indicator, scope)] for the n numbers of a 分别 list whose
    mentions share one head, or None when the words before the mention are not such a list."""
    mtext = ftext[m.start : m.end]
    head, end = _industry_before(ftext, m, mtext)
    run = LIST_RUN.search(ftext, max(0, end - 50), end)
    if not run:
        return None
    items = [x for x in re.split(r"、|和|及|与", run.group(1)) if x]
    if len(items) != n - 1:
        return None
    items[0] = CLAUSE_LEAD.sub("", items[0])
    if head:
        word = _industry_word(mtext)
        return [(m.names[0], x + word) for x in [*items, head]] if all(items) else None
    out: list[tuple[str, str | None]] = []
    for item in items:
        member = _list_member(item, m, mtext, vocab)
        if member is None:
            return None
        out.append(member)
    last_scope = _scope(ftext, m.start, m.start - 6) if mtext in INDUSTRY_MENTION else None
    out.append((m.names[0], last_scope))
    return out


def _industry_word(mtext: str) -> str:
    return next(w for w in ("工业", "制造业", "产业") if w in mtext)


def _industry_before(ftext: str, m: Mention, mtext: str) -> tuple[str | None, int]:
    """ "石化、医药工业增加值": the last industry of the list stands right before the mention;
    (that industry, where the list before it ends), or (None, the mention's start)."""
    if mtext not in INDUSTRY_MENTION:
        return None, m.start
    hm = re.search(r"[\u4e00-\u9fff]{2,4}$", ftext[max(0, m.start - 4) : m.start])
    if not hm:
        return None, m.start
    at = m.start - len(hm.group(0))
    if ftext[at - 1 : at] not in ("、", "和", "及", "与"):
        return None, m.start
    return hm.group(0), at


def _list_member(item: str, m: Mention, mtext: str, vocab: Vocab) -> tuple[str, str | None] | None:
    """One member before the mention that ends the list: (indicator, scope), or None when the
    words are not a member."""
    if not item:
        return None
    # the item with the mention's head: 城镇居民 + 人均可支配收入
    found = next(
        (
            vocab.mention_to_names[item + mtext[k:]]
            for k in range(1, len(mtext))
            if item + mtext[k:] in vocab.mention_to_names
        ),
        None,
    )
    if found and len(found) == 1:
        return found[0], None
    if mtext in INDUSTRY_MENTION or mtext.endswith(INDUSTRY_MENTION):
        return m.names[0], item + _industry_word(mtext)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9.]{1,8}", item) or (
        len(item) <= 6 and not CHANGE_VERB.search(item)
    ):
        return item, None  # a member outside the vocabulary, its name as written
    return None


# the numbers of one list ("6%、8%", "29092元和17191元"), a qualifier closing each member
NUMBER_JOIN = re.compile(r"\s?(?:左右|以上|以内)?\s?(?:和|、|及|与)\s?")
NUMBER_JOIN_OR_COMMA = re.compile(r"\s?(?:左右|以上|以内)?\s?(?:和|、|,|，|及|与)\s?")
# units of a change or a share rather than of an amount
RATE_UNITS = ("%", "个百分点", "百分点", "‰")
POINT_UNITS = ("个百分点", "百分点")


@dataclass
class _Clause:
    """One clause-group's numbers and the vocabulary mentions they may be tied to."""

    ftext: str
    toks: list[Token]
    ments: list[Mention]
    vocab: Vocab
    warnings: list[str] | None


@dataclass
class _Reach:
    """The way back from a number to the nearest mention before it."""

    mention: Mention
    before: list[Mention]  # every mention that ends before the number, in text order
    gap: str  # the text between the mention and the number
    cuts: list[int]  # ends of the clause marks (, ，: ：) inside the gap
    clause_prefix: str  # the number's own clause inside the gap


def _assign(
    ftext: str,
    toks: list[Token],
    ments: list[Mention],
    vocab: Vocab,
    warnings: list[str] | None = None,
) -> list[_Tie]:
    """Pair the numbers of one clause-group with indicator mentions."""
    clause = _Clause(ftext, toks, ments, vocab, warnings)
    ties: list[_Tie] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        reach = _reach(clause, tok)
        if reach is None:
            i += 1
        elif not reach.cuts and SHARE_GAP.fullmatch(_clean_gap(reach.gap)):
            ties += _share_of_gdp(clause, tok, reach)
            i += 1
        elif not _gap_lets_through(clause, tok, reach) or _not_a_value(clause, tok, reach):
            i += 1
        elif _is_number_list(clause, i, reach):
            i += _assign_list(clause, i, reach, ties)
        else:
            i += _assign_plain(clause, i, reach, ties)
    return ties


def _reach(clause: _Clause, tok: Token) -> _Reach | None:
    before = [m for m in clause.ments if m.end <= tok.start]
    if not before:
        return None
    m = before[-1]
    gap = clause.ftext[m.end : tok.start]
    cuts = [c.end() for c in CLAUSE_BOUNDARY.finditer(gap)]
    return _Reach(m, before, gap, cuts, gap[cuts[-1] :] if cuts else gap)


def _share_of_gdp(clause: _Clause, tok: Token, reach: _Reach) -> list[_Tie]:
    """ "研发经费支出相当于全市生产总值的比例保持在4%": the indicator's share of GDP."""
    m = reach.mention
    shares = [clause.vocab.indicators[n].get("share_of_gdp") for n in m.names]
    if tok.unit != "%" or not all(shares):
        return []
    qualifier = _qualifier(clause.ftext, tok, reach.gap)
    return [_Tie(n, tok, qualifier, m.start, tok, None) for n in shares]


def _gap_lets_through(clause: _Clause, tok: Token, reach: _Reach) -> bool:
    """Whether the words between the mention and the number still make one subject and its
    number: a few clauses that only carry the number on, or a short run of words."""
    if reach.cuts:
        # after a number of the same clause only its own words count ("2024年达到1.3万亿元、增长5.8%")
        first_of_clause = reach.mention.end + reach.cuts[-1]
        own = [
            t.end - reach.mention.end
            for t in clause.toks
            if first_of_clause <= t.start and t.end <= tok.start
        ]
        words = reach.gap[own[-1] :] if own else reach.clause_prefix
        return len(reach.cuts) <= 3 and _allowed(words)
    g = _clean_gap(reach.gap)
    return len(re.sub(r"[12]\d{3}年|\d+(?:\.\d+)?", "", g)) <= 20 and not GAP_BLOCK.search(g)


def _not_a_value(clause: _Clause, tok: Token, reach: _Reach) -> bool:
    """Numbers after a mention that are not a value of it: the rules of the module docstring's
    "left out on purpose"."""
    ftext, m = clause.ftext, reach.mention
    if _new_subject_between(clause, tok, m):
        return True
    # an increment ("比2010年增加13480元") is not a level
    if (
        tok.unit not in RATE_UNITS
        and INCREMENT_BEFORE.search(ftext[max(0, tok.start - 3) : tok.start])
        and not any(n.endswith("减少") for n in m.names)
    ):
        return True
    # "74.6%的规模工业增加值和40%左右的税收": a number that qualifies a noun is not a value
    if MODIFIER_AFTER.match(ftext, tok.end):
        return True
    # "高于全国2.5个百分点": a comparison with another place or quantity, not the indicator
    if tok.unit in POINT_UNITS and (
        RELATIVE_BEFORE.search(ftext[max(0, tok.start - 8) : tok.start])
        or COMPARED_WITH.search(ftext[max(m.end - 12, 0) : tok.start])
    ):
        return True
    if COMPLETION.search(ftext[max(0, tok.start - 6) : tok.start]):
        return True
    # the base of a "由 X 增加到 Y" is not a commitment
    return bool(
        re.search(r"[由从]", reach.clause_prefix)
        and BASE_AFTER.match(ftext[tok.end : tok.end + 16])
    )


def _new_subject_between(clause: _Clause, tok: Token, m: Mention) -> bool:
    """Another number between the mention and this one, and what follows it starts a new subject
    ("新增就业5300人、再就业1500人": 1500 is not 新增就业). A number before its noun ("连跨4个千亿台阶")
    is not a value and starts no subject."""
    ftext = clause.ftext
    between = [
        t
        for t in clause.toks
        if m.end <= t.start and t.end <= tok.start and VALUE_END.match(ftext, t.end)
    ]
    if not between:
        return False
    tail = RANK.sub("", ftext[between[-1].end : tok.start])
    tail = QUAL_AFTER.sub("", tail, count=1) if QUAL_AFTER.match(tail) else tail
    return not _allowed(tail.lstrip(",，、 "))


def _is_number_list(clause: _Clause, i: int, reach: _Reach) -> bool:
    """分别 / 均 / 各 before the number, or a subjectless clause with a list of numbers
    ("…，实际增长9.8%和8.2%"), which pairs like 分别."""
    toks = clause.toks
    implicit = (
        bool(reach.cuts)
        and i + 1 < len(toks)
        and NUMBER_JOIN.fullmatch(clause.ftext[toks[i].end : toks[i + 1].start]) is not None
    )
    return implicit or re.search(r"分别|均|各", reach.clause_prefix) is not None


def _number_run(clause: _Clause, i: int, join: re.Pattern, most: int) -> list[Token]:
    """The number at toks[i] and those joined to it as one list, at most `most` of them."""
    run = [clause.toks[i]]
    k = i + 1
    while (
        k < len(clause.toks)
        and len(run) < most
        and join.fullmatch(clause.ftext[run[-1].end : clause.toks[k].start])
    ):
        run.append(clause.toks[k])
        k += 1
    return run


def _assign_list(clause: _Clause, i: int, reach: _Reach, ties: list[_Tie]) -> int:
    """A list of numbers for a list of indicators, or one number for several ("A、B均增长8%").
    As many numbers as indicators, or nothing: a wrong pairing is worse than none. Returns how
    many numbers the list took."""
    ftext, m, tok = clause.ftext, reach.mention, clause.toks[i]
    group = _number_run(clause, i, NUMBER_JOIN_OR_COMMA, len(clause.toks))
    names, member_scope = _list_names(clause, reach, group)
    if len(group) == 1:
        pairs = [(n, tok) for n in names]
    elif len(names) == len(group):
        pairs = list(zip(names, group, strict=True))
    else:
        pairs = []
    shared = _shared_qualifier(ftext, m, group) if len(group) > 1 else None
    for n, t in pairs:
        if not _unit_ok(clause.vocab, n, t.unit):
            continue
        if len(group) == 1:
            q = _qualifier(ftext, t, ftext[m.end : t.start])
        else:
            own = QUAL_AFTER.match(ftext, t.end)
            q = own.group(1) if own else shared
        ties.append(_Tie(n, t, q, m.start, group[0], member_scope.get(id(t))))
    if not pairs and clause.warnings is not None:
        clause.warnings.append(
            f"commitments: {len(group)} numbers but {len(names)} indicators after 分别, "
            f"left unread: {ftext[m.start : group[-1].end][:60]}"
        )
    return len(group)


def _list_names(
    clause: _Clause, reach: _Reach, group: list[Token]
) -> tuple[list[str], dict[int, str]]:
    """The indicators a list of numbers is for, and the scope of members that have one (by the
    id of their number)."""
    names = (
        _joined_names(clause.ftext, reach.before) if len(group) == 1 else list(reach.mention.names)
    )
    if len(names) < len(group):
        names = _names_back_to_list_start(clause, reach, group[0], len(group))
    if len(group) > 1 and len(names) < len(group):
        listed = _list_members(clause.ftext, reach.mention, clause.vocab, len(group))
        if listed:
            scopes = {id(t): sc for t, (_, sc) in zip(group, listed, strict=True) if sc}
            return [n for n, _ in listed], scopes
    return names, {}


def _joined_names(ftext: str, before: list[Mention]) -> list[str]:
    """The names of the last mention and of those joined to it by 、/和/及/与 right before it
    ("A、B均增长8%", "城镇调查失业率和登记失业率稳定在4.3%左右"), in text order."""
    names = list(before[-1].names)
    k = len(before) - 1
    while k > 0 and LIST_JOIN.fullmatch(ftext[before[k - 1].end : before[k].start]):
        names[:0] = list(before[k - 1].names)
        k -= 1
    return names


def _names_back_to_list_start(clause: _Clause, reach: _Reach, tok: Token, n: int) -> list[str]:
    """The names of up to n mentions before the number `tok`, walking back from the nearest; a
    mention that has a number of the same kind (a rate, or an amount) of its own is not in the
    list."""
    before = reach.before
    is_rate = tok.unit == "%"
    names = list(reach.mention.names)
    for idx in range(len(before) - 2, -1, -1):
        mm, nxt = before[idx], before[idx + 1].start
        if any(mm.end <= t.start < nxt and (t.unit == "%") == is_rate for t in clause.toks):
            break
        names[:0] = list(mm.names)
        if len(names) >= n:
            break
    return names[-n:]


def _shared_qualifier(ftext: str, m: Mention, group: list[Token]) -> str | None:
    """A qualifier written once for a whole list, for the members without one of their own:
    before its first number ("力争分别增长6%、8%"), before the list's mentions ("力争城乡居民收入
    分别…"), or after its last number ("分别增长6%和8%左右")."""
    first = _qualifier(ftext, group[0], ftext[m.end : group[0].start])
    if first:
        return first
    before_mentions = list(QUAL_BEFORE.finditer(ftext, max(0, m.start - 6), m.start))
    if before_mentions:
        return before_mentions[-1].group(0)
    last = QUAL_AFTER.match(ftext, group[-1].end)
    return last.group(1) if last else None


def _assign_plain(clause: _Clause, i: int, reach: _Reach, ties: list[_Tie]) -> int:
    """One number for the mention before it, or for each of a list of mentions ("城镇调查失业率和
    登记失业率稳定在4.3%左右"); a combined mention takes as many numbers as it names ("城镇和农村
    常住居民人均可支配收入完成29092元、17191元"). Returns how many numbers it took."""
    ftext, m, tok = clause.ftext, reach.mention, clause.toks[i]
    names = list(m.names) if reach.cuts else _joined_names(ftext, reach.before)
    if len(names) > 1:
        run = _number_run(clause, i, NUMBER_JOIN, len(names))
        if len(run) == len(names):
            for n, t in zip(names, run, strict=True):
                if _unit_ok(clause.vocab, n, t.unit):
                    q = _qualifier(ftext, t, ftext[m.end : t.start])
                    ties.append(_Tie(n, t, q, m.start, run[0], None))
            return len(run)
    for n in names:
        if _unit_ok(clause.vocab, n, tok.unit):
            q = _qualifier(ftext, tok, reach.clause_prefix)
            ties.append(_Tie(n, tok, q, m.start, tok, None))
    return 1
