"""Strip the site chrome that copies of reports carry, recognised by its kind.

Every line is classified; lines of a chrome kind are dropped, and what they tell about the
copy (发布日期, 来源, 发布者) becomes SourceMeta. The kinds:
breadcrumb, widget (font size, print, share, close buttons, accessibility toggles),
copy metadata (dates, source, publisher, views), prev/next links, disclaimer, copyright/ICP/
公网安备 footer lines, bylines, "recommended" link lists, template-site teasers and tags, wiki
licence boilerplate, and repeated title blocks. Only whole lines (or a byline at a line's end,
or a promo tag inside a title) are removed, so report text is never cut in the middle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .result import SourceMeta
from .textnorm import fold_width
from .years import plausible_year

SEP = r"\s*[:：]\s*"
DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"

# Kinds of chrome, matched on the NFKC form of a stripped line.
BREADCRUMB = re.compile(
    r"^(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|所在位置|现在位置|位置)\s*[:：]|^首页\s*(?:[>»/›＞]|&gt;)"
)
NAV_SEPARATED = re.compile(r"(?:[>»›＞]\s*\S{1,12}\s*){2,}")
PREV_NEXT = re.compile(r"(?:上一篇|下一篇|上一条|下一条|上一页|下一页|上篇|下篇)\s*[:：]?")
DISCLAIMER = re.compile(
    r"免责声明|版权声明|本文仅代表作者|仅代表作者(?:个人)?观点|转载请注明|如有侵权|若有侵权|侵权请联系|未经本站证实|本站不作任何保证|不代表本(?:站|网)观点|文章来源于网络"
)
FOOTER = re.compile(
    r"版权所有|Copyright|©|\(c\)\s*\d{4}|ICP\s*备|ICP\s*证|公网安备|网站标识码|(?:主办|承办|协办)单位.{0,40}(?:版权|网站|承办|技术支持|ICP|联系)|技术支持\s*[:：]|"
    r"举报电话|举报邮箱|联系电话\s*[:：]|法律声明|网站地图|联系我们|关于我们|使用帮助|网站无障碍|无障碍浏览|关怀版|长者模式|"
    r"建议使用.{0,20}浏览器|分辨率.{0,10}浏览|维基文库|Public domain|公有领域|本作品(?:是|来自|不适用)|本模板",
    re.I,
)
RECOMMEND = re.compile(
    r"^(?:推荐访问|推荐阅读|相关推荐|相关阅读|延伸阅读|猜你喜欢|热门推荐|相关文章|精彩推荐|热门文章|相关链接|推荐图文|推荐资讯|点击排行|热点排行|最新文章|热门标签|相关评论|网友评论|发表评论|精彩评论|相关搜索|相关专题|本文标签|标签)\s*[:：]?"
)
TEASER = re.compile(
    r"小编|供大家参考|仅供参考|欢迎阅读|欢迎大家阅读|希望对(?:大家|你|您)有(?:所)?帮助|希望能帮助到|(?:以下|下面)(?:是|为).{0,40}(?:整理|收集|分享|精心)|本文(?:共计|共\d)|文档网|范文网|文库网|写作网|秘书网"
)
CORE_HINT = re.compile(r"^(?:核心提示|内容提要|导读|摘要)\s*[:：]")
ORIGINAL_TITLE = re.compile(r"^原标题\s*[:：]\s*(.*)$")
# One widget token: buttons and toggles that pages print as text.
WIDGET = re.compile(
    r"放大字体|缩小字体|字体\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小\s*[】\]]?|字号\s*[:：]?\s*(?:大|中|小|\s|[【\[\]】])*|"
    r"[【\[]\s*[大中小]\s*[】\]]|打印本(?:文|页)|打印(?:此页|文章|页面)?|关闭(?:本页|窗口|页面)?|收藏(?:本页|本文)?|分享到|分享|告诉好友|推荐给好友|"
    r"返回顶部|回到顶部|返回首页|返回列表|资讯搜索|加入收藏|扫一扫|在手机(?:上)?(?:阅读|打开)(?:当前页|本页|本文)?|当前页|手机(?:版|阅读)|微信|微博|QQ空间|"
    r"网站无障碍|无障碍|关怀版|长者模式|繁體|简体|English|查看全部|\d+\s*条|评论|纠错|"
    r"浏览(?:次数)?\s*[:：]?\s*\d*\s*次?|阅读(?:次数|量)?\s*[:：]\s*\d*|点击(?:数|量|率)?\s*[:：]\s*\d*|"
    r"[丨|｜•·\[\]【】()（）>»/\\\s]"
)
META_FIELD = re.compile(
    r"(发布日期|发布时间|发表时间|发表于|更新时间|更新日期|成文日期|时间|日期|来源|信息来源|文章来源|发布者|发布机构|发布单位|作者|编辑|责任编辑|编辑时间|"
    r"索引号|主题分类|体裁分类|组配分类|服务对象分类|发文机关|发文字号|文号|主题词|公开方式|公开范围|效力状态|有效性|标题|名称)"
    r"\s*[:：]\s*"
)
BYLINE_END = re.compile(
    r"[（(]\s*(?:记者|通讯员|编辑|责任编辑|作者|来源|实习生|摄影|本报记者)[^（）()]{0,60}[)）]\s*$"
)
BYLINE_LINE = re.compile(
    r"^[（(]?\s*(?:本报记者|记者|通讯员|责任编辑|编辑|校对|审核|作者|摄影|实习生)\s*[:：]?\s*[\u4e00-\u9fff·]{2,4}(?:[\s、，,]+(?:(?:本报记者|记者|通讯员|编辑|实习生)\s*)?[\u4e00-\u9fff·]{2,4}){0,6}\s*[)）]?$"
)
PROMO_TAG = re.compile(
    r"【(?:精选推荐|精选|推荐|精品|优质|最新|热门|范文|精华|必备|通用|完整版|全文|整理版|珍藏版|\d+篇)[^】]{0,6}】|\((?:精选|推荐|完整版|\d+篇)\)"
)
SITE_POSTED = re.compile(r"^(\S{2,20}?)\s*(?:发表于|发布于)\s*[:：]?\s*" + DATE)


@dataclass
class Stripped:
    lines: list[str]
    source: SourceMeta
    removed: list[tuple[str, str]] = field(default_factory=list)  # (kind, line)
    hints: list[str] = field(default_factory=list)  # removed text that may still carry report facts
    original_title: str | None = None


def _iso(m: re.Match) -> str | None:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if plausible_year(y) and 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


# fields whose value is the copy's date, and fields whose value is who published it
_DATE_FIELDS = {
    "发布日期",
    "发布时间",
    "发表时间",
    "发表于",
    "时间",
    "日期",
    "更新时间",
    "更新日期",
    "成文日期",
    "编辑时间",
}
_PUBLISHER_FIELDS = {"来源", "信息来源", "文章来源", "发布者", "发布机构", "发布单位", "发文机关"}


def _meta_line(line: str, source: SourceMeta) -> bool:
    """A line that is only copy metadata (and widgets). Fills `source`; True if it is such a line."""
    s = fold_width(line).strip()
    posted = SITE_POSTED.match(s)
    fields = list(META_FIELD.finditer(s))
    values = _metadata_values(s, fields, posted)
    if values is None:
        return False
    _fill_source(values, source)
    if posted and not source.published:
        source.published = _iso(posted)
    return True


def _metadata_values(
    s: str, fields: list[re.Match], posted: re.Match | None
) -> dict[str, str] | None:
    """Field name -> value (the first of each) of a line that is only copy metadata, or None
    when the line is not one: too long, text before the first field, a long value."""
    if (not fields and not posted) or len(s) > 120:
        return None
    if fields and fields[0].start() > 0 and not posted:
        # text before the first field must itself be widgets/site name (short)
        lead = WIDGET.sub("", s[: fields[0].start()])
        if len(lead) > 12:
            return None
    # every value must be short
    bounds = [f.start() for f in fields] + [len(s)]
    values: dict[str, str] = {}
    for f, end in zip(fields, bounds[1:], strict=False):
        value = s[f.end() : end].strip()
        if len(value) > 40:
            return None
        values.setdefault(f.group(1), value)
    if _lone_field_of_text(fields, values, posted):
        return None
    return values


def _lone_field_of_text(
    fields: list[re.Match], values: dict[str, str], posted: re.Match | None
) -> bool:
    """One field alone that may be a line of the report: "标题：…", or a 时间/日期 without a date,
    an 作者/编辑 with a long value."""
    if len(fields) != 1:
        return False
    key = fields[0].group(1)
    if key in {"标题", "名称", "文号"}:
        return True
    if posted:
        return False
    if key in {"时间", "日期"}:
        return not re.match(DATE, values[key])
    if key in {"作者", "编辑"}:
        return len(values[key]) > 12
    return False


def _fill_source(values: dict[str, str], source: SourceMeta) -> None:
    """The copy's date and publisher from its metadata fields; what is already known stays."""
    for key, value in values.items():
        if key in _DATE_FIELDS:
            dm = re.search(DATE, value)
            if dm and not source.published:
                source.published = _iso(dm)
        elif key in _PUBLISHER_FIELDS:
            v = WIDGET.sub(" ", value).strip() if len(value) > 20 else value.strip()
            v = re.split(r"\s{2,}", v)[0].strip()
            if v and not source.publisher:
                source.publisher = v


def _widget_only(line: str) -> bool:
    s = fold_width(line).strip()
    if not s or len(s) > 80:
        return False
    rest = WIDGET.sub("", s)
    return len(rest) <= 1 and len(s) >= 2


# chrome recognised by a word it holds: (kind, pattern, the longest line of that kind)
_MARKED_CHROME = (
    ("disclaimer", DISCLAIMER, 400),
    ("recommend", RECOMMEND, 200),
    ("footer", FOOTER, 200),
    ("teaser", TEASER, 400),
    ("teaser", CORE_HINT, 300),
)
# a script's value printed as a line of text
_SCRIPT_VALUES = {"false", "true", "null", "none"}


def classify(line: str, source: SourceMeta) -> str | None:
    if len(line) > 420:  # every kind of chrome is shorter than this: a paragraph of text
        return None
    s = fold_width(line).strip()
    if not s:
        return None
    if BREADCRUMB.search(s) or (len(s) <= 100 and "首页" in s and NAV_SEPARATED.search(s)):
        return "breadcrumb"
    if _meta_line(line, source):
        return "metadata"
    if _is_prev_next(s):
        return "prev_next"
    for kind, pattern, longest in _MARKED_CHROME:
        if len(s) <= longest and pattern.search(s):
            return kind
    if _widget_only(line) or s.lower() in _SCRIPT_VALUES:
        return "widget"
    if BYLINE_LINE.match(s):
        return "byline"
    return None


def _is_prev_next(s: str) -> bool:
    """ "上一篇：…", "【下一篇】…", or a line with both links."""
    return bool(
        len(s) <= 120
        and PREV_NEXT.search(s)
        and (
            s.startswith(("上一", "下一", "上篇", "下篇", "[", "【"))
            or len(PREV_NEXT.findall(s)) >= 2
        )
    )


# Lines after which nothing is report text if all that follows is short or chrome.
_HARD_TAIL = {"prev_next", "disclaimer", "recommend", "footer"}


def strip_chrome(text: str) -> Stripped:
    source = SourceMeta()
    raw_lines = text.split("\n")
    kinds, original_title = _kinds_of_lines(raw_lines, source)
    cut = _tail_start(raw_lines, kinds)
    out: list[str] = []
    removed: list[tuple[str, str]] = []
    hints: list[str] = []
    for i, line in enumerate(raw_lines):
        kind = kinds[i]
        if i >= cut and line.strip():
            removed.append((kind or "tail", line))
        elif kind:
            removed.append((kind, line))
            if kind in {"teaser", "metadata", "original_title"}:
                hints.append(line)
        else:
            out.append(_without_inline_chrome(line, removed))
    out = _drop_repeated_titles(out, removed)
    return Stripped(
        lines=out, source=source, removed=removed, hints=hints, original_title=original_title
    )


def _kinds_of_lines(
    raw_lines: list[str], source: SourceMeta
) -> tuple[list[str | None], str | None]:
    """The chrome kind of every line (None for text), and the 原标题 a copy gives."""
    kinds: list[str | None] = []
    original_title = None
    for line in raw_lines:
        s = line.strip()
        # the fold leaves 原标题 as it is: only such lines need folding (long lines cost time)
        m = ORIGINAL_TITLE.match(fold_width(s)) if s.startswith("原标题") else None
        if m:
            original_title = original_title or m.group(1).strip()
            kinds.append("original_title")
            continue
        kinds.append(classify(line, source))
    return kinds, original_title


def _tail_start(raw_lines: list[str], kinds: list[str | None]) -> int:
    """Where the page's tail starts: the first hard-chrome line in the last part, if what follows
    it is chrome or short; len(raw_lines) when there is no such tail."""
    n = len(raw_lines)
    # tail_only[i]: every non-blank line after i is chrome or short. Computed once from the end,
    # so a text with many footer-like lines stays linear (a scan of the rest per line was not).
    tail_only = [True] * (n + 1)
    for j in range(n - 1, -1, -1):
        body = raw_lines[j].strip()
        tail_only[j] = tail_only[j + 1] and (not body or kinds[j] is not None or len(body) <= 60)
    for i in range(n):
        if kinds[i] in _HARD_TAIL and i >= n * 0.3 and tail_only[i + 1]:
            return i
    return n


def _without_inline_chrome(line: str, removed: list[tuple[str, str]]) -> str:
    """A text line without a byline at its end or promo tags in a short title (noted in
    `removed`)."""
    s = line
    bm = BYLINE_END.search(s)
    if bm and len(s) > bm.end() - bm.start() + 10:
        removed.append(("byline", bm.group(0)))
        s = s[: bm.start()].rstrip()
    if PROMO_TAG.search(s) and len(s.strip()) <= 80:
        removed.append(("tag", s))
        s = PROMO_TAG.sub("", s)
    return s


def _drop_repeated_titles(lines: list[str], removed: list) -> list[str]:
    """A title (short line) repeated near the top: keep its first occurrence only."""
    seen: dict[str, int] = {}
    result = []
    nonempty = 0
    for line in lines:
        if nonempty > 25:
            result.append(line)
            continue
        key = re.sub(r"\s+", "", fold_width(line)) if len(line) <= 200 else line
        if key:
            nonempty += 1
        if key and nonempty <= 25 and len(key) <= 40 and key in seen:
            removed.append(("repeated_title", line))
            continue
        if key and nonempty <= 25:
            seen[key] = 1
        result.append(line)
    return result
