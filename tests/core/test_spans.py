"""Spans and tags: parsing, scheme detection, conlleval repair, validation, round trips."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from nerstudio.core.errors import SpanError, TagError
from nerstudio.core.spans import (
    Entity,
    Scheme,
    Span,
    check_spans,
    detect_scheme,
    entities_to_spans,
    entities_to_tags,
    offsets_problem,
    parse_tag,
    spans_to_entities,
    spans_to_tags,
    tags_to_entities,
    tags_to_spans,
    validate_tags,
)

SCHEMES = list(Scheme)

# -- parse_tag -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("O", ("O", "")),
        ("B-PER", ("B", "PER")),
        ("I-LOC", ("I", "LOC")),
        ("E-ORG", ("E", "ORG")),
        ("S-MISC", ("S", "MISC")),
        ("L-ORG", ("E", "ORG")),  # BILOU Last  -> BIOES End
        ("U-PER", ("S", "PER")),  # BILOU Unit  -> BIOES Single
        ("b-PER", ("B", "PER")),
        ("B-WORK-OF-ART", ("B", "WORK-OF-ART")),  # hyphens inside the label survive
    ],
)
def test_parse_tag_accepts_known_prefixes(tag, expected):
    assert parse_tag(tag) == expected


@pytest.mark.parametrize("tag", ["B-", "B- ", "X-PER", "PER", "", "-PER", "o"])
def test_parse_tag_rejects_malformed_tags(tag):
    with pytest.raises(TagError) as info:
        parse_tag(tag)
    assert repr(tag) in str(info.value)  # the message quotes the offending tag


# -- detect_scheme ---------------------------------------------------------------------------


def test_detect_scheme_iob2():
    assert detect_scheme([["B-PER", "I-PER", "O", "B-LOC"], ["O", "B-ORG"]]) is Scheme.IOB2


def test_detect_scheme_iob1_when_an_entity_opens_with_i():
    assert detect_scheme([["I-PER", "I-PER", "O", "I-LOC"]]) is Scheme.IOB1
    # the evidence may only appear in a later sentence; B- between two PERs is IOB1's own
    assert detect_scheme([["O", "O"], ["I-PER", "B-PER", "O", "I-LOC"]]) is Scheme.IOB1
    # a B- opening an entity after O is IOB2's mark: the stray I- is then an IOB2 error
    assert detect_scheme([["B-PER", "I-PER"], ["O", "I-LOC"]]) is Scheme.IOB2
    # an I- after another type also opens an entity
    assert detect_scheme([["I-PER", "I-LOC"]]) is Scheme.IOB1


@pytest.mark.parametrize(
    "sequences",
    [
        [["S-PER", "O", "B-LOC", "E-LOC"]],
        [["B-LOC", "I-LOC"], ["O", "E-LOC"]],
        [["U-PER", "O", "B-LOC", "E-LOC"]],  # E-/S- anywhere: BIOES, even beside L-/U-
    ],
)
def test_detect_scheme_bioes(sequences):
    assert detect_scheme(sequences) is Scheme.BIOES


def test_detect_scheme_bilou_when_l_and_u_spell_end_and_single():
    assert detect_scheme([["U-PER", "O", "B-LOC", "L-LOC"]]) is Scheme.BILOU
    assert detect_scheme([["O"], ["b-LOC", "l-LOC"]]) is Scheme.BILOU


def test_detect_scheme_without_entities_defaults_to_iob2():
    assert detect_scheme([["O", "O"], []]) is Scheme.IOB2
    assert detect_scheme([]) is Scheme.IOB2


def test_detect_scheme_rejects_a_malformed_tag():
    with pytest.raises(TagError):
        detect_scheme([["O", "PER"]])


# -- tags_to_entities: the conlleval repair --------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (["B-PER", "I-PER", "O", "B-LOC"], [Entity(0, 1, "PER"), Entity(3, 3, "LOC")]),
        (["O", "I-PER", "I-PER"], [Entity(1, 2, "PER")]),  # I- after O starts an entity
        (["B-PER", "I-LOC", "I-LOC"], [Entity(0, 0, "PER"), Entity(1, 2, "LOC")]),
        (["I-PER", "B-PER"], [Entity(0, 0, "PER"), Entity(1, 1, "PER")]),  # IOB1 adjacency
        (["B-PER", "B-PER"], [Entity(0, 0, "PER"), Entity(1, 1, "PER")]),
        (["S-PER", "B-LOC", "I-LOC", "E-LOC"], [Entity(0, 0, "PER"), Entity(1, 3, "LOC")]),
        (["B-LOC", "E-LOC", "E-LOC"], [Entity(0, 1, "LOC"), Entity(2, 2, "LOC")]),
        (["E-PER"], [Entity(0, 0, "PER")]),
        (["B-ORG", "I-ORG"], [Entity(0, 1, "ORG")]),  # open at the end of the sentence
        (["U-PER", "B-ORG", "L-ORG"], [Entity(0, 0, "PER"), Entity(1, 2, "ORG")]),
        ([], []),
        (["O", "O"], []),
    ],
)
def test_tags_to_entities_repairs_the_conlleval_way(tags, expected):
    assert tags_to_entities(tags) == expected


def test_tags_to_entities_names_the_token_of_a_bad_tag():
    with pytest.raises(TagError) as info:
        tags_to_entities(["O", "B-PER", "PERSON"])
    assert "token 3" in str(info.value)
    assert info.value.index == 2


def test_tags_to_spans_uses_character_offsets_and_checks_length():
    text = "Angela Merkel visited Paris"
    tokens = [(0, 6), (7, 13), (14, 21), (22, 27)]
    spans = tags_to_spans(["B-PER", "I-PER", "O", "B-LOC"], tokens)
    assert spans == [Span(0, 13, "PER"), Span(22, 27, "LOC")]
    assert [text[s.start : s.end] for s in spans] == ["Angela Merkel", "Paris"]
    with pytest.raises(TagError, match="3 tags for 4 tokens"):
        tags_to_spans(["O", "O", "O"], tokens)


# -- validate_tags ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "scheme"),
    [
        (["B-PER", "I-PER", "O", "B-LOC", "B-LOC"], Scheme.IOB2),
        (["I-PER", "I-PER", "B-PER", "O", "I-LOC"], Scheme.IOB1),
        (["S-PER", "B-LOC", "I-LOC", "E-LOC", "O"], Scheme.BIOES),
        ([], Scheme.BIOES),
    ],
)
def test_validate_tags_accepts_well_formed_sequences(tags, scheme):
    validate_tags(tags, scheme)


@pytest.mark.parametrize(
    ("tags", "scheme", "token"),
    [
        (["O", "I-PER"], Scheme.IOB2, 2),  # IOB2 opens with B-
        (["B-PER", "I-LOC"], Scheme.IOB2, 2),
        (["O", "O", "B-PER"], Scheme.IOB1, 3),  # IOB1 uses B- only between two entities
        (["I-LOC", "B-PER"], Scheme.IOB1, 2),
        (["O", "S-PER"], Scheme.IOB2, 2),  # no S-/E- outside BIOES
        (["I-PER", "E-PER"], Scheme.IOB1, 2),
        (["O", "I-PER", "E-PER"], Scheme.BIOES, 2),  # BIOES opens with B- or S-
        (["B-PER", "O"], Scheme.BIOES, 2),  # B- not closed by E-
        (["B-PER", "S-PER"], Scheme.BIOES, 2),
        (["O", "O", "B-PER", "I-PER"], Scheme.BIOES, 4),  # ends without E-
        (["O", "O", "X-PER"], Scheme.IOB2, 3),  # malformed tag
    ],
)
def test_validate_tags_names_the_offending_token(tags, scheme, token):
    with pytest.raises(TagError) as info:
        validate_tags(tags, scheme)
    assert str(info.value).startswith(f"token {token}:")
    assert info.value.index == token - 1


# -- properties: round trips -----------------------------------------------------------------

LABELS = ["PER", "LOC", "WORK-OF-ART"]


@st.composite
def entity_sets(draw: st.DrawFn, max_tokens: int = 30) -> tuple[int, list[Entity]]:
    """A token count and sorted non-overlapping entities; neighbours often touch and share
    a label, the case IOB1 must mark with B-."""
    length = draw(st.integers(0, max_tokens))
    entities: list[Entity] = []
    i = 0
    while i < length:
        if draw(st.booleans()):
            size = draw(st.integers(1, min(4, length - i)))
            entities.append(Entity(i, i + size - 1, draw(st.sampled_from(LABELS))))
            i += size
        else:
            i += draw(st.integers(1, 3))
    return length, entities


@st.composite
def token_lists(draw: st.DrawFn, count: int) -> list[tuple[int, int]]:
    """``count`` sorted tokens with random widths; gaps of 0 make touching tokens (Apple|'s)."""
    tokens = []
    pos = draw(st.integers(0, 2))
    for _ in range(count):
        width = draw(st.integers(1, 6))
        tokens.append((pos, pos + width))
        pos += width + draw(st.integers(0, 2))
    return tokens


ADJACENT_SAME = (4, [Entity(0, 0, "PER"), Entity(1, 2, "PER"), Entity(3, 3, "PER")])
ADJACENT_OTHER = (3, [Entity(0, 1, "PER"), Entity(2, 2, "LOC")])


@pytest.mark.parametrize("scheme", SCHEMES)
@settings(max_examples=200, deadline=None)
@given(case=entity_sets())
@example(case=ADJACENT_SAME)
@example(case=ADJACENT_OTHER)
@example(case=(0, []))
def test_entities_to_tags_to_entities_is_the_identity(scheme, case):
    length, entities = case
    tags = entities_to_tags(entities, length, scheme)
    assert len(tags) == length
    assert tags_to_entities(tags) == entities


@pytest.mark.parametrize("scheme", SCHEMES)
@settings(max_examples=200, deadline=None)
@given(case=entity_sets())
@example(case=ADJACENT_SAME)
@example(case=ADJACENT_OTHER)
def test_encoded_tags_are_valid_in_their_scheme(scheme, case):
    length, entities = case
    tags = entities_to_tags(entities, length, scheme)
    validate_tags(tags, scheme)
    if entities:  # what we write is read back as the same scheme
        assert detect_scheme([tags]) is scheme


@pytest.mark.parametrize("scheme", SCHEMES)
@settings(max_examples=200, deadline=None)
@given(case=entity_sets(), data=st.data())
@example(case=ADJACENT_SAME, data=None)
def test_spans_to_tags_to_spans_is_the_identity(scheme, case, data):
    length, entities = case
    fixed = [(0, 5), (5, 7), (8, 12), (13, 20)]  # Apple|'s touch, then spaced tokens
    tokens = fixed if data is None else data.draw(token_lists(length))
    spans = entities_to_spans(entities, tokens)
    assert spans_to_entities(spans, tokens) == entities
    tags = spans_to_tags(spans, tokens, scheme)
    assert tags_to_spans(tags, tokens) == sorted(spans)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "L-LOC"]),
        max_size=25,
    )
)
def test_any_tag_sequence_decodes_to_sorted_disjoint_entities(tags):
    entities = tags_to_entities(tags)
    previous_last = -1
    for ent in entities:
        assert previous_last < ent.first <= ent.last < len(tags)
        assert tags[ent.first] != "O"
        previous_last = ent.last
    # decoding the re-encoded entities gives them back
    for scheme in SCHEMES:
        assert tags_to_entities(entities_to_tags(entities, len(tags), scheme)) == entities


# -- conversions refuse what they cannot represent -------------------------------------------


def test_entities_to_tags_refuses_overlap():
    with pytest.raises(SpanError, match="overlap"):
        entities_to_tags([Entity(0, 2, "PER"), Entity(2, 3, "LOC")], 4, Scheme.IOB2)


def test_spans_to_tags_refuses_a_span_off_token_boundaries():
    tokens = [(0, 6), (7, 13)]  # "Angela Merkel"
    with pytest.raises(SpanError, match="token boundaries"):
        spans_to_tags([Span(0, 3, "PER")], tokens, Scheme.IOB2)
    with pytest.raises(SpanError, match="token boundaries"):
        spans_to_tags([Span(2, 13, "PER")], tokens, Scheme.IOB2)


# -- check_spans and offsets -----------------------------------------------------------------

TOKENS = [(0, 4), (5, 9)]  # "Anna Berg"


@pytest.mark.parametrize(
    ("span", "reason"),
    [
        (Span(9, 5, "PER"), "span 9-5 \\(PER\\) starts after it ends; swap the two offsets"),
        (Span(4, 4, "PER"), "is empty"),
        (Span(0, 20, "PER"), "outside the text \\(length 9\\)"),
        (Span(-5, 4, "PER"), "outside the text"),
        (Span(False, True, "PER"), "needs integer start and end offsets"),
        (Span(0, 4.0, "PER"), "needs integer start and end offsets"),
    ],
    ids=["reversed", "empty", "past-the-end", "negative", "bools", "float"],
)
def test_check_spans_says_what_is_wrong_with_the_offsets(span, reason):
    with pytest.raises(SpanError, match=reason):
        check_spans([span], TOKENS, 9)


def test_check_spans_with_a_bad_span_among_others_names_it_without_sorting_first():
    # A span with non-integer offsets cannot be sorted with the others; it is named instead.
    with pytest.raises(SpanError, match="span None-4"):
        check_spans([Span(5, 9, "PER"), Span(None, 4, "PER")], TOKENS, 9)


@given(st.integers(-3, 12), st.integers(-3, 12))
def test_offsets_problem_is_none_exactly_for_a_non_empty_range_in_the_text(start, end):
    assert (offsets_problem(start, end, 9) is None) == (0 <= start < end <= 9)


@pytest.mark.parametrize("tag", [None, 1, ["B-PER"]])
def test_parse_tag_refuses_what_is_not_a_string(tag):
    with pytest.raises(TagError, match="not a string"):
        parse_tag(tag)


def test_parse_tag_label_is_the_name_without_surrounding_whitespace():
    assert parse_tag("B-PER\u00a0") == ("B", "PER")
    assert tags_to_entities(["B-PER ", "I-PER"]) == [Entity(0, 1, "PER")]
