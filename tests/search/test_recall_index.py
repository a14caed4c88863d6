"""The recall index (search.recall): exact substring matches of any length, on disk."""

import random
import sqlite3
import zlib

import pytest

from search.normalize import normalize
from search.recall import FORMAT, RecallIndex, char_tokens, match_expression, utf8

TEXTS = {
    1: "营商环境持续优化\n增长6.5%左右",
    2: "优化营商\n环境",  # 营商环境 only across a line break: no match
    3: "PM2.5 浓度下降 new energy 京津冀协同发展",
    4: "一",
}


@pytest.fixture
def recall(tmp_path):
    index = RecallIndex(tmp_path)
    index.create()
    index.begin()
    for section, text in TEXTS.items():
        index.add(section, 100 + section, normalize(text))
    index.commit()
    yield index
    index.close()


def test_tokens_are_hex_code_points_of_every_character():
    assert char_tokens("营商") == "8425 5546"
    assert char_tokens("a %\n") == "61 20 25 a"
    assert match_expression("6.5%") == '"36 2e 35 25"'


@pytest.mark.parametrize(
    "term, expected",
    [
        ("营商环境", [1]),  # never across a line break
        ("营商", [1, 2]),
        ("环境", [1, 2]),
        ("一", [4]),  # one character
        ("6.5%", [1]),  # punctuation and digits are characters like any other
        ("6.5", [1]),
        ("5%左", [1]),
        ("new energy", [3]),  # spaces count
        ("newenergy", []),
        ("京津冀协同发展", [3]),
        ("协同发", [3]),
        ("不存在", []),
        ("", []),
    ],
)
def test_a_term_finds_exactly_the_sections_containing_it(recall, term, expected):
    assert sorted(recall.sections(normalize(term))) == expected


def test_random_substrings_agree_with_a_scan(recall):
    rng = random.Random(7)
    norm = {k: normalize(v) for k, v in TEXTS.items()}
    for _ in range(300):
        text = rng.choice(list(norm.values()))
        a = rng.randrange(len(text))
        term = text[a : a + rng.randint(1, 6)].strip()
        if not term:
            continue
        assert sorted(recall.sections(term)) == sorted(k for k, t in norm.items() if term in t)


def test_delete_removes_a_section_and_adding_it_again_is_a_no_op(recall):
    assert recall.add(1, 101, normalize(TEXTS[1])) is False  # already there
    recall.begin()
    assert recall.delete([1, 999]) == 1
    recall.commit()
    assert recall.sections("营商") == [2]
    assert recall.all_sections() == {2: 102, 3: 103, 4: 104}
    # FTS5's own consistency check: the deletes used the very tokens that were inserted
    recall.conn.execute("INSERT INTO chars(chars, rank) VALUES ('integrity-check', 0)")


def test_sections_of_reports(recall):
    assert recall.sections_of_reports([101, 103, 555]) == {1, 3}


def test_a_rolled_back_write_leaves_nothing(recall):
    recall.begin()
    recall.add(9, 109, "临时文字")
    recall.rollback()
    assert recall.sections("临时") == []
    with pytest.raises(sqlite3.OperationalError):
        recall.commit()  # nothing open


def test_the_normalised_text_is_kept_as_utf8_for_the_trend(recall):
    assert recall.stored_format == FORMAT
    assert recall.conn.execute("PRAGMA user_version").fetchone()[0] == FORMAT
    texts = dict(recall.section_texts([1, 3, 4, 999]))
    assert texts == {k: utf8(normalize(TEXTS[k])) for k in (1, 3, 4)}


# The recall index as it was written before it kept the text (format 0): the tokens,
# zlib-compressed, in units.tokens. Such a file must go on working until it is rebuilt.
FORMAT_0_SCHEMA = """
CREATE VIRTUAL TABLE chars USING fts5(
    tokens, content='', columnsize=0, detail=full, tokenize='ascii'
);
CREATE TABLE units (section INTEGER PRIMARY KEY, report INTEGER NOT NULL, tokens BLOB NOT NULL);
CREATE INDEX units_report ON units(report);
"""


@pytest.fixture
def format_0(tmp_path):
    conn = sqlite3.connect(tmp_path / "recall.sqlite3", isolation_level=None)
    conn.executescript(FORMAT_0_SCHEMA)
    for section, text in TEXTS.items():
        tokens = char_tokens(normalize(text))
        conn.execute("INSERT INTO chars(rowid, tokens) VALUES (?, ?)", (section, tokens))
        conn.execute(
            "INSERT INTO units VALUES (?, ?, ?)",
            (section, 100 + section, zlib.compress(tokens.encode("ascii"), 1)),
        )
    conn.close()
    index = RecallIndex(tmp_path)
    yield index
    index.close()


def test_an_index_of_the_old_format_is_detected_and_read_alike(format_0):
    assert format_0.stored_format == 0
    assert sorted(format_0.sections("营商")) == [1, 2]
    texts = dict(format_0.section_texts([1, 2, 3, 4]))
    assert texts == {k: utf8(normalize(v)) for k, v in TEXTS.items()}


def test_an_index_of_the_old_format_is_written_in_its_own_format(format_0):
    format_0.begin()
    assert format_0.add(5, 105, normalize("新增就业")) is True
    assert format_0.delete([1]) == 1
    format_0.commit()
    assert format_0.sections("就业") == [5]
    assert format_0.sections("营商") == [2]
    assert dict(format_0.section_texts([5])) == {5: utf8("新增就业")}
    format_0.conn.execute("INSERT INTO chars(chars, rank) VALUES ('integrity-check', 0)")
