"""load_indicators: the shipped vocabulary loads whole (hundreds of indicators with their
synonyms, topic families and unit families); a file with a problem is refused with the problem
named in Chinese first, and nothing of it is loaded; editors' changes survive a reload."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from archive.ingest.commitments import DATA
from explorer.models import Indicator

pytestmark = pytest.mark.django_db


def test_the_shipped_vocabulary_loads_whole():
    call_command("load_indicators", verbosity=0)
    shipped = json.loads(DATA.read_text(encoding="utf-8"))["indicators"]
    assert Indicator.objects.count() == len(shipped) >= 250
    entry = Indicator.objects.get(name="技术合同成交额")
    assert entry.family == "science" and entry.unit_family == "money" and entry.higher_is_better
    assert "技术合同交易额" in entry.synonyms
    assert Indicator.objects.filter(unit_family="power").exists()  # 万千瓦: a family of its own


def test_a_reload_keeps_editors_changes():
    call_command("load_indicators", verbosity=0)
    Indicator.objects.filter(name="工业总产值").update(
        description="编辑的说明", synonyms=["工业产值"]
    )
    call_command("load_indicators", verbosity=0)
    entry = Indicator.objects.get(name="工业总产值")
    assert (entry.description, entry.synonyms) == ("编辑的说明", ["工业产值"])


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: d["indicators"][0].update(unit_family="furlongs"), "未知单位类别"),
        (lambda d: d["indicators"][5]["synonyms"].append(d["indicators"][0]["name"]), "已属于指标"),
        (lambda d: d.pop("indicators"), "缺少指标列表"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_loaded(tmp_path, change, message):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    change(data)
    bad = tmp_path / "indicators.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match=message) as refused:
        call_command("load_indicators", file=str(bad), verbosity=0)
    assert str(refused.value).startswith("指标文件有误")
    assert Indicator.objects.count() == 0


def test_a_file_that_is_not_json_is_refused(tmp_path):
    bad = tmp_path / "indicators.json"
    bad.write_bytes("指标".encode("gb18030"))
    with pytest.raises(CommandError, match="不是有效的 UTF-8 JSON"):
        call_command("load_indicators", file=str(bad), verbosity=0)
