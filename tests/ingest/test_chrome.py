"""Each kind of site chrome goes, by its kind (strings here are not the seeds' strings);
report text stays; what the chrome says about the copy becomes SourceMeta."""

from __future__ import annotations

import pytest

from archive.ingest.chrome import strip_chrome
from archive.ingest.pipeline import parse_file

from .helpers import body, report

CHROME = {
    "breadcrumb": [
        "您的位置：首页 > 政务公开 > 计划总结",
        "首页 » 新闻中心 » 区县动态 » 正文",
        "当前位置：网站首页>>政府信息公开",
    ],
    "font_print": [
        "【字体：大 中 小】 【打印】 【关闭】",
        "字号：大 中 小   打印本页   关闭窗口",
        "[ 加入收藏 ]  [ 打印本文 ]  [ 关闭窗口 ]",
    ],
    "share": ["分享到： 微信 微博 QQ空间", "扫一扫在手机打开当前页"],
    "prev_next": [
        "上一篇：关于开展节水宣传周活动的通知",
        "下一条：全区安全生产工作会议召开",
        "上一篇：无 下一篇：区长办公会议纪要",
    ],
    "disclaimer": [
        "免责声明：本站部分文章来源于网络，如有侵权请联系删除。",
        "版权声明：转载请注明出处，本文仅代表作者观点。",
    ],
    "copyright_icp": [
        "Copyright © 2008-2024 某某区人民政府 版权所有",
        "京ICP备10001234号-1",
        "京公网安备 11010102000001号",
        "网站标识码：1101010001 主办单位：区政府办公室 版权所有",
    ],
    "recommend": [
        "推荐阅读：2017年区政府工作报告全文",
        "相关文章",
        "猜你喜欢：工作总结范文大全",
        "热门推荐",
    ],
    "teaser": [
        "以下是小编为大家收集的区政府工作报告，仅供参考，欢迎阅读。",
        "本文是范文网为您精心整理的政府工作报告，希望对大家有所帮助。",
    ],
    "byline_line": ["记者 王小明 通讯员 李华", "责任编辑：张三"],
    "gov_info_table": [
        "索引号：11120103MB1234567X/2016-00012  主题分类：规划计划",
        "发文机关：河西区人民政府  成文日期：2016年01月20日",
        "发文字号：  发布日期：2016年01月21日",
    ],
    "meta": [
        "发布时间：2019-03-02 10:11  来源：区统计局  浏览次数：128",
        "作者：区政府办 发布日期：2019年3月2日",
    ],
}


@pytest.mark.parametrize("kind,lines", CHROME.items(), ids=list(CHROME))
def test_chrome_kind_removed_and_text_kept(kind, lines):
    text = "\n".join(lines[:1]) + "\n" + report() + "\n".join(lines)
    r = parse_file(text.encode("utf-8"), "copy.txt")
    for line in lines:
        assert line not in r.text, (kind, line)
    assert body() in r.text and "各位代表" in r.text
    assert "为加快建设美丽河西而努力奋斗" in r.text
    assert r.year == 2016 and r.place.name == "天津市河西区"


def test_metadata_lines_become_source_meta():
    s = strip_chrome("发布时间：2019-03-02 10:11  来源：区统计局  浏览次数：128\n" + report())
    assert s.source.published == "2019-03-02" and s.source.publisher == "区统计局"
    s = strip_chrome("某某文库网 发表于：2020-05-06 08:00:01 来源：用户上传\n" + report())
    assert s.source.published == "2020-05-06"
    s = strip_chrome("发布者：区发改委    发布日期：2021/4/3\n" + report())
    assert s.source.publisher == "区发改委" and s.source.published == "2021-04-03"


def test_byline_at_paragraph_end_is_cut_but_paragraph_kept():
    text = report().replace("而努力奋斗！", "而努力奋斗！（记者 王小明 通讯员 李华）")
    r = parse_file(text.encode("utf-8"), "a.txt")
    assert "王小明" not in r.text and "而努力奋斗！" in r.text


def test_promo_tag_and_repeated_title_block():
    text = "区政府工作报告【精选推荐】\n\n区政府工作报告【精选推荐】\n" + report()
    r = parse_file(text.encode("utf-8"), "a.txt")
    assert "精选推荐" not in r.text
    assert r.text.count("区政府工作报告\n") <= 1


def test_tail_after_footer_goes():
    tail = "\n上一篇：某通知\n相关链接\n国务院\n市政府\n网站地图 | 联系我们\n微博\n微信\n"
    r = parse_file((report() + tail).encode("utf-8"), "a.txt")
    assert r.text.rstrip().endswith("而努力奋斗！")


def test_report_sentences_mentioning_chrome_words_stay():
    # words that chrome uses, inside real report sentences, are not chrome
    extra = (
        "加强知识产权保护，严厉打击侵权假冒行为，维护企业版权和商标权益，推动全区营商环境持续优化，让企业放心投资、安心发展。\n"
        "推进政务公开，开通政务微博和微信公众号，及时发布政策解读，主动回应社会关切，提升政府公信力和执行力，打造阳光政府。\n"
    )
    r = parse_file(report(extra=extra).encode("utf-8"), "a.txt")
    assert "严厉打击侵权假冒行为" in r.text and "开通政务微博和微信公众号" in r.text


def test_wiki_licence_block_goes():
    tail = "\n\n\n本作品是中华人民共和国的\n法律\n、\n法规\n，在\n中国大陆\n属于\n公有领域\n。\nPublic domain\nfalse\nfalse\n"
    r = parse_file((report() + tail).encode("utf-8"), "a.txt")
    assert "公有领域" not in r.text and "Public domain" not in r.text and "false" not in r.text
