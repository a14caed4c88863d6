"""The trend counts occurrences on what the index keeps for each section (search.recall
.OccurrenceCounter): the normalised text as UTF-8 in the recall index, the recall field's
token strings in OpenSearch. Both must be exactly the marks' count (search.highlight
.occurrences) on the normalised text, whatever the terms: overlapping, nested, side by side,
characters whose hex code point ends another's (丶 is 4e36, 6 is 36; 𠀀 is 20000, space is
20), and characters whose UTF-8 bytes hold another's (Latin-1 é is c3 a9, 中 is e4 b8 ad)."""

import random

import pytest

from search.highlight import occurrences
from search.recall import OccurrenceCounter, char_tokens, tokens_text, utf8

ALPHABET = "改革开放发展啊6.5%一丶𠀀 \néé中\udcff"


def counted(text: str, terms: list[str]) -> int:
    return OccurrenceCounter(terms).count(utf8(text))


def counted_in_tokens(text: str, terms: list[str]) -> int:
    return OccurrenceCounter(terms).count_tokens(char_tokens(text).encode("ascii"))


@pytest.mark.parametrize(
    "text, terms, expected",
    [
        ("发展发展", ["发展"], 2),  # side by side
        ("啊啊啊", ["啊啊"], 1),  # overlapping: left to right, not overlapping
        ("改革开放开放", ["改革开放", "开放"], 2),  # the longest wins where both start
        ("开放改革", ["放改", "改革"], 1),
        ("丶6", ["6"], 1),  # "36" is the end of 丶's "4e36": whole tokens only
        ("𠀀", [" "], 0),  # "20" inside "20000"
        ("é中", ["\u00a9"], 0),  # © is c2 a9: never found inside é (c3 a9)
        ("", ["发展"], 0),
        ("发展", [], 0),
        ("发展", ["", "发展"], 1),
    ],
)
def test_counts_what_the_marks_count(text, terms, expected):
    assert len(occurrences(text, terms)) == expected
    assert counted(text, terms) == expected
    assert counted_in_tokens(text, terms) == expected


def test_random_texts_and_terms_agree_with_the_marks():
    rng = random.Random(13)
    for _ in range(5000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 60)))
        terms = [
            "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(1, 5))
        ]
        expected = len(occurrences(text, terms))
        assert counted(text, terms) == expected, (text, terms)
        assert counted_in_tokens(text, terms) == expected, (text, terms)


def test_tokens_read_back_are_the_text():
    rng = random.Random(5)
    for _ in range(500):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        assert tokens_text(char_tokens(text).encode("ascii")) == text
