"""The tokenizer: code-point offsets into unchanged text, split where an entity may end."""

from __future__ import annotations

import pytest
import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nerstudio.core.tokens import cluster_interiors, split_tokens_at, tokenize


def words(text: str) -> list[str]:
    """The tokens of ``text`` as strings, checking on the way that offsets index the text."""
    tokens = tokenize(text)
    assert all(isinstance(s, int) and isinstance(e, int) for s, e in tokens)
    return [text[s:e] for s, e in tokens]


# -- offsets ---------------------------------------------------------------------------------


def test_offsets_are_code_points_into_the_unchanged_text():
    text = "😀 Zürich"  # the emoji is one code point (two UTF-16 units)
    tokens = tokenize(text)
    assert tokens == [(0, 1), (2, 8)]
    assert text == "😀 Zürich"  # tokenizing never alters the text
    assert text[2:8] == "Zürich"


def test_decomposed_accent_stays_inside_the_word():
    text = "Zu\u0308rich is in Switzerland"  # NFD: u + combining diaeresis
    assert words(text) == ["Zu\u0308rich", "is", "in", "Switzerland"]
    assert tokenize(text)[0] == (0, 7)


def test_empty_and_blank_text_have_no_tokens():
    assert tokenize("") == []
    assert tokenize(" \t\n\u00a0\u3000") == []


# -- words, numbers, abbreviations, punctuation ----------------------------------------------


def test_words_and_punctuation_are_separate_tokens():
    assert words("Hello, world! (IBM) said: yes.") == [
        "Hello",
        ",",
        "world",
        "!",
        "(",
        "IBM",
        ")",
        "said",
        ":",
        "yes",
        ".",
    ]


def test_a_run_of_the_same_punctuation_is_one_token():
    assert words("Wait... what?!") == ["Wait", "...", "what", "?", "!"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rose 3.5 percent", ["rose", "3.5", "percent"]),
        ("about 1,000 people", ["about", "1,000", "people"]),
        ("paid $1,000.50 today", ["paid", "$", "1,000.50", "today"]),
        ("on 1996-08-22 at 12:30.", ["on", "1996-08-22", "at", "12:30", "."]),
        ("up 3.5% in 2024.", ["up", "3.5", "%", "in", "2024", "."]),
    ],
)
def test_numbers_with_separators_are_one_token(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the U.S. economy", ["the", "U.S.", "economy"]),
        ("Apple Inc. said", ["Apple", "Inc.", "said"]),
        ("He works at Apple Inc.", ["He", "works", "at", "Apple", "Inc."]),
        ("Mr. Smith and Dr. Jones", ["Mr.", "Smith", "and", "Dr.", "Jones"]),
        ("J. Smith wrote", ["J.", "Smith", "wrote"]),
    ],
)
def test_abbreviations_keep_their_period(text, expected):
    assert words(text) == expected


def test_sentence_final_period_is_its_own_token():
    assert words("She lives in Paris.") == ["She", "lives", "in", "Paris", "."]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apple's profit", ["Apple", "'s", "profit"]),
        ("Apple’s profit", ["Apple", "’s", "profit"]),  # typographic apostrophe
        ("MICROSOFT'S BID", ["MICROSOFT", "'S", "BID"]),
    ],
)
def test_possessive_s_is_split_off(text, expected):
    assert words(text) == expected


def test_inner_apostrophes_stay_inside_the_word():
    assert words("O'Neill don't") == ["O'Neill", "don't"]


def test_hyphenated_words_are_split():
    assert words("a New York-based firm") == ["a", "New", "York", "-", "based", "firm"]
    assert words("state-of-the-art") == ["state", "-", "of", "-", "the", "-", "art"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Visit https://example.com/path?q=1, then www.nerstudio.org.",
            ["Visit", "https://example.com/path?q=1", ",", "then", "www.nerstudio.org", "."],
        ),
        ("(see https://x.org/a)", ["(", "see", "https://x.org/a", ")"]),
        ("mail me at a.b@c.org.", ["mail", "me", "at", "a.b@c.org", "."]),
    ],
)
def test_urls_and_emails_are_one_token_without_trailing_punctuation(text, expected):
    assert words(text) == expected


# -- other scripts and emoji -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thumbs 👍🏽 up", ["thumbs", "👍🏽", "up"]),  # skin tone modifier
        ("family 👨\u200d👩\u200d👧 here", ["family", "👨\u200d👩\u200d👧", "here"]),  # ZWJ
        ("coder 👩🏽\u200d💻 codes", ["coder", "👩🏽\u200d💻", "codes"]),  # tone + ZWJ
        ("in 🇫🇷!", ["in", "🇫🇷", "!"]),  # flag: two regional indicators
        ("🇫🇷🇩🇪", ["🇫🇷", "🇩🇪"]),  # two flags side by side
        ("love ❤️ it", ["love", "❤️", "it"]),  # variation selector
    ],
)
def test_emoji_with_modifiers_are_one_token(text, expected):
    assert words(text) == expected


def test_emoji_offsets_count_code_points():
    text = "Hi 👍🏽 there"
    assert tokenize(text) == [(0, 2), (3, 5), (6, 11)]


def test_cjk_is_one_token_per_character():
    assert words("東京都に行く") == ["東", "京", "都", "に", "行", "く"]
    assert words("我爱Python") == ["我", "爱", "Python"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مرحبا بالعالم", ["مرحبا", "بالعالم"]),  # Arabic
        ("مُحَمَّد صلاح", ["مُحَمَّد", "صلاح"]),  # Arabic with harakat (combining marks)
        ("שָׁלוֹם עולם", ["שָׁלוֹם", "עולם"]),  # Hebrew with niqqud
        ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),  # Devanagari: virama and vowel signs
        ("कृष्ण", ["कृष्ण"]),
        ("서울에 갔다", ["서울에", "갔다"]),  # Hangul is written with spaces: whole words
    ],
)
def test_words_in_other_scripts_are_kept_whole_with_their_marks(text, expected):
    assert words(text) == expected


# -- split_tokens_at -------------------------------------------------------------------------


def test_split_tokens_at_splits_inside_a_token():
    text = "iPhone15 rocks"
    tokens = tokenize(text)
    assert tokens == [(0, 8), (9, 14)]
    split = split_tokens_at(text, tokens, [6])
    assert split == [(0, 6), (6, 8), (9, 14)]
    assert [text[s:e] for s, e in split] == ["iPhone", "15", "rocks"]
    assert tokens == [(0, 8), (9, 14)]  # the input list is left alone


def test_split_tokens_at_several_cuts_in_one_token_and_existing_boundaries():
    text = "abcdef gh"
    tokens = [(0, 6), (7, 9)]
    assert split_tokens_at(text, tokens, [4, 2, 6, 7, 0]) == [(0, 2), (2, 4), (4, 6), (7, 9)]
    assert split_tokens_at(text, tokens, []) == tokens


def test_split_tokens_at_a_cut_in_whitespace_raises():
    text = "New  York"
    tokens = tokenize(text)
    with pytest.raises(ValueError, match="whitespace"):
        split_tokens_at(text, tokens, [4])


@pytest.mark.parametrize("cut", [-1, 20])
def test_split_tokens_at_a_cut_outside_the_text_raises(cut):
    text = "New York"
    with pytest.raises(ValueError, match="outside"):
        split_tokens_at(text, tokenize(text), [cut])


# -- properties ------------------------------------------------------------------------------

_TRICKY = st.sampled_from(
    [
        *" \t\n\u00a0\u3000.,;:!?'’\"-_/@#$%()abcXYZ019",
        "\u0301",  # combining acute
        "\u05b8",  # Hebrew point
        "\u093f",  # Devanagari vowel sign (Mc)
        "\u200d",  # ZWJ
        "\u200c",  # ZWNJ
        "\ufe0f",  # variation selector
        "\U0001f3fd",  # skin tone
        "\U0001f1eb",  # regional indicator F
        "\U0001f468",  # man
        "東",
        "く",
        "ا",
        "ש",
        "न",
        "https://",
        "www.",
        "U.S.",
        "Inc.",
        "'s",
    ]
)
_TEXTS = st.one_of(st.text(), st.lists(_TRICKY).map("".join))


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
@example("")
@example("  Apple's U.S. 3.5 https://x.org/a. 👨\u200d👩\u200d👧 東京 \u200d ")
def test_tokens_cover_every_non_space_character_in_order(text):
    tokens = tokenize(text)
    covered: set[int] = set()
    previous_end = 0
    for start, end in tokens:
        assert previous_end <= start < end <= len(text), (text, tokens)
        piece = text[start:end]
        assert piece.strip(), f"whitespace-only token {piece!r}"
        assert not any(ch.isspace() for ch in piece), f"token {piece!r} contains a space"
        covered.update(range(start, end))
        previous_end = end
    missing = [i for i, ch in enumerate(text) if not ch.isspace() and i not in covered]
    assert not missing, f"characters {[text[i] for i in missing]} are in no token"


@settings(max_examples=150, deadline=None)
@given(_TEXTS, st.data())
def test_split_tokens_at_makes_a_cut_inside_a_token_a_boundary(text, data):
    tokens = tokenize(text)
    clusters = cluster_interiors(text)
    inner = [p for s, e in tokens for p in range(s + 1, e) if p not in clusters]
    if not inner:
        return
    cut = data.draw(st.sampled_from(inner))
    split = split_tokens_at(text, tokens, [cut])
    assert len(split) == len(tokens) + 1
    assert cut in {s for s, _ in split} and cut in {e for _, e in split}
    # the same characters are covered, by sorted non-overlapping tokens
    assert [p for s, e in split for p in range(s, e)] == [p for s, e in tokens for p in range(s, e)]


# -- grapheme clusters -----------------------------------------------------------------------


def clusters(text: str) -> set[int]:
    """Offsets inside a user-perceived character, by the ``regex`` module's ``\\X``."""
    inside = set()
    for match in regex.finditer(r"\X", text):
        inside.update(range(match.start() + 1, match.end()))
    return inside


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail info@le.cafe\u0301 now", ["mail", "info@le.cafe\u0301", "now"]),  # e + acute
        ("1,000\u0301 x", ["1,000\u0301", "x"]),  # a mark after a number
        ("U.S.\u0301", ["U.S.\u0301"]),
        ("(\u0301)", ["(\u0301", ")"]),  # a mark on punctuation stays on it
        ("東\u0301京", ["東\u0301", "京"]),
        ("press #\ufe0f\u20e3 now", ["press", "#\ufe0f\u20e3", "now"]),  # keycap
        ("a\U0001f3fd b", ["a\U0001f3fd", "b"]),  # a skin tone on a letter
        ("👍\u200d!", ["👍\u200d", "!"]),  # a dangling joiner stays with its emoji
    ],
)
def test_a_grapheme_cluster_is_never_split_between_tokens(text, expected):
    assert words(text) == expected


def test_cluster_interiors_leave_out_offsets_next_to_whitespace():
    # " " + a stray combining mark is one cluster for Unicode, but a space is never part of
    # a word: the mark starts the next token.
    assert cluster_interiors(" \u0301x") == set()
    assert words(" \u0301x") == ["\u0301x"]
    assert cluster_interiors("e\u0301\U0001f1eb\U0001f1f7") == {1, 3}
    assert cluster_interiors("plain ascii\r\n") == set()


def test_split_tokens_at_a_cut_inside_a_cluster_raises():
    text = "Cafe\u0301 👨\u200d👩\u200d👧"
    with pytest.raises(ValueError, match=r"offset 4 cuts the character .*U\+0065 U\+0301"):
        split_tokens_at(text, tokenize(text), [4])
    with pytest.raises(ValueError, match=r"offset 8 cuts the character .*U\+1F468 U\+200D"):
        split_tokens_at(text, tokenize(text), [8])


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
@example("x@y.come\u0301")
@example("*\ufe0f\u20e3 a\U0001f3fd")
def test_token_edges_never_fall_inside_a_grapheme_cluster(text):
    inside = clusters(text)
    for start, end in tokenize(text):
        for edge in (start, end):
            if edge in inside:
                assert text[edge - 1].isspace() or text[edge].isspace(), (text, edge)
