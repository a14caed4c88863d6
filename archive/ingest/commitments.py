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

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import textnorm
from .numbers import CN_NUM_CHARS, fold_width, parse_number
from .result import Commitment, Section

DATA = Path(__file__).with_name("data") / "indicators.json"

# ---------------------------------------------------------------------------------------------
# vocabulary


@dataclass(frozen=True)
class Vocab:
    indicators: dict  # name -> entry
    mention_to_names: dict  # folded synonym -> tuple of indicator names
    mention_re: re.Pattern
    unit_family: dict  # unit -> family
    unit_re_src: str


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
    for e in data["indicators"]:
        for s in [e["name"], *e["synonyms"]]:
            m2n.setdefault(fold_width(s), (e["name"],))
    for sp in data.get("splits", []):
        for s in sp["synonyms"]:
            m2n[fold_width(s)] = tuple(sp["indicators"])
    mention_re = re.compile(_trie_regex(sorted(m2n, key=len, reverse=True)))
    unit_family = {}
    for fam, units in data["unit_families"].items():
        for u in units:
            unit_family.setdefault(u, fam)
    units = sorted(unit_family, key=len, reverse=True)
    unit_re_src = "(?:" + "|".join(re.escape(u) for u in units) + ")"
    return Vocab(indicators, m2n, mention_re, unit_family, unit_re_src)


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
NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?(?![\d,])|\d(?: ?\d)*(?: ?\. ?\d(?: ?\d)*)?|百分之{CN}|{CN})"
BIG_CN = re.compile(rf"({CN})亿({CN})万(美元|元|人|吨|斤|公斤|人次|平方米|亩)")
RANGE_SEP = r"(?:[-—–~～]+|至|到)"

MAX_QUOTE = 240  # longest quote before a run-on sentence is cut to its clauses
SEG_BOUNDARY = re.compile(r"[。！？；;!?\n]")
SENT_BOUNDARY = re.compile(r"[。！？!?\n]")
CLAUSE_BOUNDARY = re.compile(r"[,，:：]")

QUAL_AFTER = re.compile(r"\s?(左右|以上|以内|以下|之内|上下|之间)")
QUAL_BEFORE = re.compile(r"控制在|不低于|不高于|不超过|超过|高于|低于|力争|突破|保持在|稳定在|约|超")

# a clause that only carries the number on for the subject of an earlier clause
ALLOWED_PREFIX = re.compile(
    r"(?:同比|比上年|比去年|较上年|较去年|比2\d{3}年|实际|名义|年均|分别|均|各|预计|力争|确保|争取|实现|完成|达到|达|突破|"
    r"超过|增长|增速|增幅|增加|下降|降低|减少|提高|提升|上升|上涨|回落|保持在|保持|控制在|稳定在|为|是|约|了|可比价|平均|每年|"
    r"按可比价格计算|按现价计算|同口径|[12]\d{3}年(?:底|末)?|"
    r"按可比价计算|按可比口径计算|扣除价格因素|总量|总额|规模|年|全年|预期|目标|定为|在|至|到|可|将|要|再|又|继续|"
    r"的|其|以上|左右|增长率|率|速度|和|与|及|后|)*"
)
GAP_BLOCK = re.compile(r"占|比重|其中|中[,，的]|之中|的比例|结构|人均|每")
# a completion ratio ("分别完成年计划的113.4%"), not a value of the indicator
COMPLETION = re.compile(r"(?:计划|目标|任务|目标任务|预算)的$")
BASE_AFTER = re.compile(r"^.{0,14}?(增加到|提高到|增长到|上升到|扩大到|下降到|降低到|减少到|增加至|提高至|上升至|下降至|降至|增至)")
BLOCK_AFTER = re.compile(r"^(?:的)?(?:比重|比例|比率|之比|金|贡献率|贡献|拉动|带动|同步|相适应|相协调|相匹配|相衔接|点|极|方式|质量|动力|潜力|新动能|企业|项目|"
                         r"银行|机构|公司|政策|来源|工作|结构|格局|形势|压力|总体平稳)")
BLOCK_BEFORE = re.compile(r"(?:占(?:全区|全市|全省|全国|本区)?|每万元|万元|单位|每|对|亩均|地均|人均|工业|农业|民间|房地产|基础设施|技改|技术改造|电商|海洋|县域|园区|开发区|脱贫县|贫困县|数字经济)$")
BLOCK_COMPARE = re.compile(r"^.{0,4}(?:同步|相适应|相协调|相匹配|相衔接)")

STRONG_T = re.compile(r"(?<!超过)(?<!完成)(?<!实现)(?<!低于)(?<!高于)(?<!达到)(?:预期目标|主要目标|调控目标|目标)(?:是|为|定为|确定为|[:：])"
                      r"|力争|确保(?!了)|争取(?!了)|定为|计划(?:实现|达到|完成|增长)|拟(?!定)|预期(?:增长|为|达到)")
A_PAST = re.compile(r"完成了|实现了|达到了|增长了|提高了|下降了|已经|已达|超额完成|超过预期目标|过去一年|过去的一年|过去五年|五年来|一年来|"
                    r"刚刚过去|由\d{4}年")
A_COMPARE = re.compile(r"比上年|较上年|比去年|较去年|去年|上年")
REVIEW_MARK = re.compile(r"工作回顾|过去一年|过去的一年|刚刚过去|一年来|五年来|过去五年|回顾|去年|"
                         r"取得了?(?:显著|明显|新的?|重大|积极|良好)?(?:成效|成绩|进展|成就)|成效显著|圆满完成|顺利完成|"
                         r"完成情况|执行情况")
PLAN_MARK = re.compile(r"工作任务|工作安排|工作部署|预期目标|主要目标|政务目标|调控目标|今年|明年|新的一年|总体要求|目标是")
PLAN_MARK_DONE = re.compile(r"完成|实现|落实|圆满|超额|超过|低于|高于")
A_WEAK = re.compile(r"预计(?!今年)|全年(?:累计)?(?:完成|实现)")
DONE_VERB = re.compile(r"完成|实现|达到")
FUTURE = re.compile(r"今年|明年|将|要|计划|安排")

SHARE_GAP = re.compile(r"(?:相当于|占)(?:全市|全区|全省|全国|全县|本地)?(?:地区|国内)?(?:生产总值|GDP)(?:的)?(?:比例|比重)"
                       r"(?:保持在|稳定在|达到|提高到|提升到|为|达|超过|不低于)?")
LIST_JOIN = re.compile(r"\s?(?:、|和|及|与|以及)\s?")
MODIFIER_AFTER = re.compile(r"\s?(?:左右|以上|以内|以下)?的(?!(?:较低|较高|合理|正常)?水平|预期目标|目标|增长|增速|区间|高位|低位)")
RELATIVE_BEFORE = re.compile(r"(?:高于|低于|快于|慢于|超过|比)(?:全国|全省|全市|全区|全县|平均|同期)")
INCREMENT_BEFORE = re.compile(r"(?:增加|减少|增收|多增|减收|新增)$")
LOST_PCT_GROWTH = re.compile(r"(?:增长|增幅|下降|降低|提高|上升|增速|率|比重|占比)(?:保持在|达到|控制在|为)?$")


@dataclass
class Token:
    start: int  # of the number
    end: int  # after unit / range / lost-% dot
    value: float
    value_max: float | None
    unit: str
    lost_pct: bool = False


@dataclass
class Mention:
    start: int
    end: int
    names: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# numbers


def _unit_norm(u: str) -> str:
    return u.replace("％", "%").replace("微克每立方米", "微克/立方米")


def find_tokens(ftext: str, warnings: list[str]) -> list[Token]:
    """Numbers with a unit in the folded text."""
    v = load_vocab()
    unit = v.unit_re_src
    pat = re.compile(
        rf"(?<![0-9A-Za-z.])(?<!\d,)(?P<n1>{NUM})(?:[ ]?(?P<u1>{unit}))?"
        rf"(?:[ ]?(?P<sep>{RANGE_SEP})[ ]?(?P<n2>{NUM})(?:[ ]?(?P<u2>{unit}))?)?"
    )
    toks: list[Token] = []
    last_end = -1
    dot_mode: bool | None = None
    for m in pat.finditer(ftext):
        if m.start() < last_end:
            continue
        n1, u1, n2, u2 = m.group("n1"), m.group("u1"), m.group("n2"), m.group("u2")
        if ftext[m.start()] in CN_NUM_CHARS:
            big = BIG_CN.match(ftext, m.start())
            if big:  # "二十六亿六千万美元": one numeral across 亿 and 万 -> 26.6 亿美元
                a_, b_ = parse_number(big.group(1)), parse_number(big.group(2))
                if a_ is not None and b_ is not None:
                    toks.append(Token(m.start(), big.end(), round(a_ + b_ / 10_000, 6), None, "亿" + big.group(3)))
                    last_end = big.end()
                    continue
        pct1 = n1.startswith("百分之")
        pct2 = bool(n2 and n2.startswith("百分之"))
        if n2 is not None:
            unit1 = "%" if pct1 else u1
            unit2 = "%" if pct2 else u2
            if unit2 is None and pct1:
                unit2 = "%"
            ok_range = unit2 is not None and (unit1 is None or _unit_norm(unit1) == _unit_norm(unit2))
            if ok_range:
                a, b = parse_number(n1), parse_number(n2)
                if a is not None and b is not None and b > a:
                    toks.append(Token(m.start(), m.end(), a, b, _unit_norm(unit2)))
                    continue
        # single number (possibly the first half of a failed range)
        u = "%" if pct1 else u1
        if u is None:
            if not n1[0].isdigit():
                continue
            # an Arabic number whose % was lost to '.': "增长12.左右", "增长12.在实际执行中"
            lm = re.match(r"(\d+)\.(?=(左右|以上|以内|以下)|[\u4e00-\u9fff])", ftext[m.start():m.start() + 12])
            if lm and n1.isdigit() and LOST_PCT_GROWTH.search(ftext[max(0, m.start() - 6):m.start()]):
                if dot_mode is None:
                    dot_mode = _dot_mode(ftext)
                certain = lm.group(2) is not None or dot_mode
                if certain:
                    toks.append(Token(m.start(), m.start() + len(lm.group(1)) + 1, float(lm.group(1)), None, "%", True))
            continue
        val = parse_number(n1)
        if val is None:
            continue
        end = m.start() + len(n1) + (len(m.group(0)) - len(n1) if n2 is None else 0)
        if n2 is not None:  # failed range: stop after the first number and its unit
            end = m.end("u1") if u1 else m.end("n1")
        toks.append(Token(m.start(), end, val, None, _unit_norm(u)))
    lost = [t for t in toks if t.lost_pct]
    if lost:
        eg = ", ".join(ftext[max(0, t.start - 6):t.end + 2] for t in lost[:3])
        warnings.append(f"commitments: {len(lost)} number(s) read as % where the '%' sign seems lost to '.' "
                        f"(e.g. {eg}); check them")
    return toks


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
        after = ftext[e:e + 8]
        before = ftext[max(0, s - 4):s]
        if BLOCK_AFTER.match(after) or BLOCK_BEFORE.search(before) or BLOCK_COMPARE.match(after):
            continue
        if before.endswith(("与", "同", "和")) and re.match(r"^.{0,6}(?:同步|相适应|相协调|相匹配)", after):
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
            if prev_digit and re.match(r"(左右|以上|以内|以下)", text[i + 1:i + 3]):
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
    e = vocab.indicators[name]
    if fam == "percent":  # growth rates and shares go with every indicator
        return True
    return fam in {e["unit_family"], *e.get("extra_unit_families", [])}


def _innermost(sections: list[Section], pos: int) -> Section | None:
    best = None
    for s in sections:
        if s.start <= pos < s.end and (best is None or (s.end - s.start) < (best.end - best.start)
                                       or ((s.end - s.start) == (best.end - best.start) and s.level > best.level)):
            best = s
    return best


def _kind(ftext: str, pos: int, seg: tuple[int, int], sent_start: int, sec: Section | None) -> str:
    lead = ftext[sent_start:seg[1]]
    clause = ftext[seg[0]:seg[1]]
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
    if not t_strong and (A_COMPARE.search(clause) or (A_WEAK.search(ftext[sent_start:pos])
                                                         and not FUTURE.search(ftext[sent_start:pos]))):
        return "achievement"
    # nearest marker before the number
    window = ftext[max(0, pos - 4000):pos]
    r = [m.end() for m in REVIEW_MARK.finditer(window)]
    p = [m.end() for m in PLAN_MARK.finditer(window)
         if not PLAN_MARK_DONE.search(window[max(0, m.start() - 12):m.start()])
         and not PLAN_MARK_DONE.search(window[m.end():m.end() + 8])]
    if r and (not p or r[-1] > p[-1]):
        return "achievement"
    if not r and not p and DONE_VERB.search(clause) and not FUTURE.search(lead):
        return "achievement"  # nothing around tells: a plain "完成/实现/达到" reports a result
    return "target"


# ---------------------------------------------------------------------------------------------
# the extractor


def extract_commitments(text: str, sections: list[Section]) -> tuple[list[Commitment], list[str]]:
    """Every number tied to a vocabulary indicator in `text`, in text order, with warnings."""
    warnings: list[str] = []
    if not text:
        return [], warnings
    vocab = load_vocab()
    ftext = fold_text(text)
    if len(ftext) != len(text):  # never: folding is one character for one
        ftext = fold_width(text)
    dot_mode = _dot_mode(ftext)
    tokens = find_tokens(ftext, warnings)
    if not tokens:
        return [], warnings
    mentions = find_mentions(ftext)
    glossary = [s for s in sections if s.kind == "glossary"]
    segs = _spans(ftext, SEG_BOUNDARY, dot_mode)
    sents = _spans(ftext, SENT_BOUNDARY, dot_mode)

    out: list[tuple[int, Commitment]] = []
    ti = mi = si = 0
    for seg in segs:
        s0, s1 = seg
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
        seg_ments = []
        while j < len(mentions) and mentions[j].start < s1:
            seg_ments.append(mentions[j])
            j += 1
        if not seg_ments:
            continue
        while si < len(sents) - 1 and sents[si][1] <= s0:
            si += 1
        sent_start = sents[si][0] if sents else 0
        cs, ce = _strip_span(text, s0, s1)
        # drop a trailing boundary mark from the quoted clause
        while ce > cs and text[ce - 1] in "。；;!?！？\n":
            ce -= 1
        for ind, tok, qual, mstart in _assign(ftext, seg_toks, seg_ments, vocab, warnings):
            if any(g.start <= tok.start < g.end for g in glossary):
                continue
            qs, qe = cs, ce
            if ce - cs > MAX_QUOTE:  # a run-on sentence (flattened text): quote the clauses around it
                qs, qe = _clause_span(ftext, cs, ce, min(mstart, tok.start), tok.end)
            sec = _innermost(sections, tok.start)
            kind = _kind(ftext, tok.start, seg, sent_start, sec)
            out.append((tok.start, Commitment(
                text=text[qs:qe], indicator=ind, value=tok.value, value_max=tok.value_max, unit=tok.unit,
                qualifier=qual, kind=kind, section=sec.anchor if sec else None, start=qs, end=qe)))
    out.sort(key=lambda x: x[0])
    return [c for _, c in out], warnings


def _qualifier(ftext: str, tok: Token, prefix: str) -> str | None:
    m = QUAL_AFTER.match(ftext, tok.end)
    if m:
        return m.group(1)
    ms = list(QUAL_BEFORE.finditer(prefix[-8:]))
    return ms[-1].group(0) if ms else None


def _clause_span(ftext: str, cs: int, ce: int, a: int, b: int) -> tuple[int, int]:
    s = max([m.end() for m in CLAUSE_BOUNDARY.finditer(ftext, cs, a)] or [cs])
    nxt = CLAUSE_BOUNDARY.search(ftext, b, ce)
    e = nxt.start() if nxt else ce
    return _strip_span(ftext, s, e)


def _assign(ftext: str, toks: list[Token], ments: list[Mention], vocab: Vocab, warnings: list[str] | None = None):
    """Pair the numbers of one clause-group with indicator mentions:
    [(indicator name, token, qualifier, start of the mention)]."""
    results = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        prev = [m for m in ments if m.end <= tok.start]
        if not prev:
            i += 1
            continue
        m = prev[-1]
        gap = ftext[m.end:tok.start]
        cuts = [c.end() for c in CLAUSE_BOUNDARY.finditer(gap)]
        clause_prefix = gap[cuts[-1]:] if cuts else gap
        if cuts:
            if len(cuts) > 3 or not _allowed(clause_prefix):
                i += 1
                continue
        elif SHARE_GAP.fullmatch(_clean_gap(gap)):
            # "研发经费支出相当于全市生产总值的比例保持在4%": the indicator's share of GDP
            share = [vocab.indicators[n].get("share_of_gdp") for n in m.names]
            if tok.unit == "%" and all(share):
                for n in share:
                    results.append((n, tok, _qualifier(ftext, tok, gap), m.start))
            i += 1
            continue
        else:
            g = _clean_gap(gap)
            if len(re.sub(r"[12]\d{3}年|\d+(?:\.\d+)?", "", g)) > 20 or GAP_BLOCK.search(g):
                i += 1
                continue
        # another number between the mention and this one: what follows it must not start a new subject
        # ("新增就业5300人、再就业1500人": 1500 is not 新增就业)
        between = [t for t in toks if m.end <= t.start and t.end <= tok.start]
        if between:
            tail = ftext[between[-1].end:tok.start]
            tail = QUAL_AFTER.sub("", tail, count=1) if QUAL_AFTER.match(tail) else tail
            if not _allowed(tail.lstrip(",，、 ")):
                i += 1
                continue
        # an increment ("比2010年增加13480元") is not a level
        if tok.unit not in ("%", "个百分点", "百分点", "‰") and INCREMENT_BEFORE.search(ftext[max(0, tok.start - 3):tok.start]) \
                and not any(n.endswith("减少") for n in m.names):
            i += 1
            continue
        # "74.6%的规模工业增加值和40%左右的税收": a number that qualifies a noun is not a value
        if MODIFIER_AFTER.match(ftext, tok.end):
            i += 1
            continue
        # "高于全国2.5个百分点": a comparison with another place, not the indicator
        if tok.unit in ("个百分点", "百分点") and RELATIVE_BEFORE.search(ftext[max(0, tok.start - 8):tok.start]):
            i += 1
            continue
        if COMPLETION.search(ftext[max(0, tok.start - 6):tok.start]):
            i += 1
            continue
        # the base of a "由 X 增加到 Y" is not a commitment
        if re.search(r"[由从]", clause_prefix) and BASE_AFTER.match(ftext[tok.end:tok.end + 16]):
            i += 1
            continue
        # 分别 / 均: a list of numbers for a list of indicators
        group = [tok]
        # a subjectless clause with a list of numbers ("…，实际增长9.8%和8.2%") pairs like 分别
        implicit = bool(cuts) and i + 1 < len(toks) and re.fullmatch(
            r"\s?(?:左右|以上|以内)?\s?(?:和|、|及|与)\s?", ftext[tok.end:toks[i + 1].start]) is not None
        if implicit or re.search(r"分别|均|各", clause_prefix):
            k = i + 1
            while k < len(toks) and re.fullmatch(r"\s?(?:左右|以上|以内)?\s?(?:和|、|,|，|及|与)\s?", ftext[group[-1].end:toks[k].start]):
                group.append(toks[k])
                k += 1
            names: list[str] = list(m.names)
            # "A、B均增长8%": every mention of the list joined by 、/和/及/与 right before
            k2 = len(prev) - 1
            while len(group) == 1 and k2 > 0 and LIST_JOIN.fullmatch(ftext[prev[k2 - 1].end:prev[k2].start]):
                names[:0] = list(prev[k2 - 1].names)
                k2 -= 1
            if len(names) < len(group):
                names = list(m.names)
                for idx in range(len(prev) - 1, -1, -1):
                    mm = prev[idx]
                    nxt = prev[idx + 1].start if idx + 1 < len(prev) else tok.start
                    # a mention that already has a number of this kind of its own is not in the list
                    if mm is not m and any(mm.end <= t.start < nxt and (t.unit == "%") == (tok.unit == "%") for t in toks):
                        break
                    if mm is m:
                        continue
                    names[:0] = list(mm.names)
                    if len(names) >= len(group):
                        break
                names = names[-len(group):]
            if len(group) == 1:
                pairs = [(n, tok) for n in names]
            elif len(names) == len(group):
                pairs = list(zip(names, group, strict=True))
            else:  # as many numbers as indicators, or nothing: a wrong pairing is worse than none
                pairs = []
            for n, t in pairs:
                if _unit_ok(vocab, n, t.unit):
                    results.append((n, t, _qualifier(ftext, t, ftext[m.end:t.start]), m.start))
            if not pairs and warnings is not None:
                warnings.append(f"commitments: {len(group)} numbers but {len(names)} indicators after 分别, "
                                f"left unread: {ftext[m.start:group[-1].end][:60]}")
            i += len(group)
            continue
        names = list(m.names)
        # "城镇调查失业率和登记失业率稳定在4.3%左右": one number for a list of indicators
        k2 = len(prev) - 1
        while not cuts and k2 > 0 and LIST_JOIN.fullmatch(ftext[prev[k2 - 1].end:prev[k2].start]):
            names[:0] = list(prev[k2 - 1].names)
            k2 -= 1
        # "城镇和农村常住居民人均可支配收入完成29092元、17191元": a combined mention, a list of numbers
        if len(names) > 1:
            k = i + 1
            run = [tok]
            while k < len(toks) and len(run) < len(names) and re.fullmatch(
                    r"\s?(?:左右|以上|以内)?\s?(?:和|、|及|与)\s?", ftext[run[-1].end:toks[k].start]):
                run.append(toks[k])
                k += 1
            if len(run) == len(names):
                for n, t in zip(names, run, strict=True):
                    if _unit_ok(vocab, n, t.unit):
                        results.append((n, t, _qualifier(ftext, t, ftext[m.end:t.start]), m.start))
                i += len(run)
                continue
        for n in names:
            if _unit_ok(vocab, n, tok.unit):
                results.append((n, tok, _qualifier(ftext, tok, clause_prefix), m.start))
        i += 1
    return results
