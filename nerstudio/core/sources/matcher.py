"""Matching dictionary entries on a document's tokens: an Aho-Corasick automaton
(``pyahocorasick``) per case rule over the tokens joined by a separator that no token
holds, so every hit starts and ends on a token boundary whatever the spacing; then the
longest hits win, and each kept span's label is the best-supported one.

Support counts: a dictionary entry is worth 1, every gold span of the same string and
label 1 more (what the person tagged and accepted); a (string, label) rejected more often
than it was accepted is no longer suggested. A span's score is its label's share of the
support, lowered by its rejections; a document's queue scores measure that ambiguity."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import accumulate, count

import ahocorasick

from nerstudio.core.sources.base import NO_SCORES, Suggested
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store.dictionaries import DictionaryEntry
from nerstudio.core.tokens import ABBREVIATIONS, Token, tokenize, unspaced

SEP = "\x1f"  # the unit separator: never inside a token


def entry_words(text: str) -> list[str]:
    """An entry's tokens, as ``tokenize`` cuts them. Words of letters and digits alone (no
    Han or kana) split on spaces exactly as it would, and ten times faster: a 100k-entry
    dictionary builds in a second or two."""
    words = text.split()
    if all(w.isalnum() and not unspaced(w) for w in words):
        return words
    return [text[s:e] for s, e in tokenize(text)]


def phrase_key(text: str) -> str:
    """A string as its tokens joined by single spaces: the key of accepts and rejects."""
    return " ".join(entry_words(text))


Hit = tuple[int, int, dict[str, float]]
"""A phrase or pattern found: first and last token index (inclusive), label -> support."""


class DictionaryMatcher:
    """Entries (phrases and token patterns) ready to match; build once, match many, and
    ``learn`` a gold entity or ``reject`` a suggestion at any time (no rebuild: the next
    match sees it)."""

    def __init__(
        self,
        entries: Iterable[DictionaryEntry],
        accepted: Counter[tuple[str, str]] | None = None,
        rejected: Counter[tuple[str, str]] | None = None,
    ) -> None:
        """``accepted``: gold (text, label) counts (each also an entry, case as written);
        ``rejected``: (casefolded phrase key, label) counts."""
        self.accepted: Counter[tuple[str, str]] = Counter()
        self.rejected = Counter(rejected or {})
        self.keys: dict[bool, dict[str, dict[str, float]]] = {True: {}, False: {}}
        self.automata = {True: ahocorasick.Automaton(), False: ahocorasick.Automaton()}
        self.stale = {True, False}
        self.patterns: list[tuple[list[dict], str]] = []
        for entry in entries:
            if entry.pattern is not None:
                self.patterns.append((json.loads(entry.pattern), entry.label))
            elif key := _key(entry.text, entry.case_sensitive):
                self._support(entry.case_sensitive, key)[entry.label] = 1.0
        for (text, label), times in (accepted or Counter()).items():
            self.learn(text, label, times)

    def learn(self, text: str, label: str, count: int = 1) -> None:
        """A gold entity (``count`` times): an entry with its case, and as many accepts."""
        if key := _key(text, True):
            support = self._support(True, key)
            support[label] = support.get(label, 0.0) + count
            self.accepted[phrase_key(text).casefold(), label] += count

    def reject(self, text: str, label: str) -> None:
        self.rejected[phrase_key(text).casefold(), label] += 1

    def _support(self, case: bool, key: str) -> dict[str, float]:
        """The label -> support of a key, made (and added to its automaton, with its
        spelling with or without abbreviation periods) when new."""
        support = self.keys[case].get(key)
        if support is None:
            support = {}
            for spelling in _spellings(key):
                if spelling not in self.keys[case]:
                    self.keys[case][spelling] = support
                    word = SEP + spelling + SEP
                    self.automata[case].add_word(word, (len(word), support))  # by reference
            self.stale.add(case)
        return support

    def match(self, text: str, tokens: Sequence[Token]) -> list[ScoredSpan]:
        """The document's suggested spans: longest hits first, no two overlapping."""
        return self.suggest(text, tokens).spans

    def suggest(self, text: str, tokens: Sequence[Token]) -> Suggested:
        """Spans and the document's queue scores (its dictionary ambiguity)."""
        words = [text[s:e] for s, e in tokens]
        hits = [*self._phrase_hits(words, True), *self._phrase_hits(words, False)]
        if self.patterns:
            hits += self._pattern_hits(words)
        if not hits:
            return Suggested((), dict(NO_SCORES))
        spans, entropies = self._resolve(tokens, words, hits)
        return Suggested(tuple(spans), _queue_scores([s.score for s in spans], entropies))

    def _phrase_hits(self, words: list[str], case: bool) -> list[Hit]:
        if not self.keys[case]:
            return []
        automaton = self.automata[case]
        if case in self.stale:
            automaton.make_automaton()
            self.stale.discard(case)
        shown = words if case else [w.casefold() for w in words]
        # haystack position of each token's first character (and of the end) -> its index
        starts = dict(zip(accumulate((len(w) + 1 for w in shown), initial=1), count()))
        haystack = SEP + SEP.join(shown) + SEP
        # ``end`` is the trailing separator: the next token (or the end) starts after it
        return [
            (starts[end - length + 2], starts[end + 1] - 1, support)
            for end, (length, support) in automaton.iter(haystack)
        ]

    def _pattern_hits(self, words: list[str]) -> list[Hit]:
        hits: list[Hit] = []
        for pattern, label in self.patterns:
            n = len(pattern)
            for first in range(len(words) - n + 1):
                if all(_token_matches(words[first + i], t) for i, t in enumerate(pattern)):
                    hits.append((first, first + n - 1, {label: 1.0}))
        return hits

    def _resolve(
        self, tokens: Sequence[Token], words: list[str], hits: list[Hit]
    ) -> tuple[list[ScoredSpan], list[float]]:
        """Longest first, then leftmost; each kept hit's labels filtered by rejections."""
        merged: dict[tuple[int, int], dict[str, float]] = {}
        for first, last, support in hits:
            if (first, last) in merged:  # both case rules, or a pattern too: add up
                both = Counter(merged[first, last])
                both.update(support)
                support = dict(both)
            merged[first, last] = support
        taken: set[int] = set()
        found: list[tuple[ScoredSpan, float]] = []
        for (first, last), support in sorted(merged.items(), key=_longest_leftmost):
            if not taken.isdisjoint(range(first, last + 1)):
                continue
            kept, factor = self._weigh(words, first, last, support)
            if not kept:
                continue
            label = max(sorted(kept), key=kept.__getitem__)
            total = sum(kept.values())
            taken.update(range(first, last + 1))
            span = ScoredSpan(tokens[first][0], tokens[last][1], label, kept[label] / total)
            if factor is not None:
                span = ScoredSpan(span.start, span.end, label, span.score * factor(label))
            entropy = -sum(w / total * math.log(w / total) for w in kept.values())
            found.append((span, entropy))
        found.sort(key=lambda pair: pair[0].start)
        return [span for span, _ in found], [entropy for _, entropy in found]

    def _weigh(self, words: list[str], first: int, last: int, support: dict[str, float]):
        """The labels left after rejections, and what lowers a label's score (None: no
        rejection anywhere, nothing to lower)."""
        if not self.rejected:
            return support, None
        key = " ".join(words[first : last + 1]).casefold()
        kept = {lab: w for lab, w in support.items() if not self._refused(key, lab)}

        def factor(label: str) -> float:
            accepted = self.accepted[key, label]
            return (accepted + 1) / (accepted + self.rejected[key, label] + 1)

        return kept, factor

    def _refused(self, key: str, label: str) -> bool:
        return self.rejected[key, label] > self.accepted[key, label]


def _longest_leftmost(item: tuple[tuple[int, int], dict]) -> tuple[int, int]:
    (first, last), _ = item
    return first - last, first


def _spellings(key: str) -> list[str]:
    """A key, and the same with its abbreviations spelt the other way: the tokenizer keeps
    "Corp." whole, so the entry "Acme Corp" must also match the text "Acme Corp."."""
    words = key.split(SEP)
    flipped = [_flip_period(w) for w in words]
    return [key] if flipped == words else [key, SEP.join(flipped)]


def _flip_period(word: str) -> str:
    if word.endswith(".") and word[:-1] in _ABBREVIATED:
        return word[:-1]
    return word + "." if word in _ABBREVIATED else word


_ABBREVIATED = ABBREVIATIONS | {w.casefold() for w in ABBREVIATIONS}


def _key(text: str, case: bool) -> str:
    words = entry_words(text)
    if not case:
        words = [w.casefold() for w in words]
    return SEP.join(words)


def _token_matches(word: str, test: dict) -> bool:
    for attr, want in test.items():
        value = _attribute(word, attr)
        if isinstance(want, dict):
            if "IN" in want and value not in want["IN"]:
                return False
            if "NOT_IN" in want and value in want["NOT_IN"]:
                return False
        elif value != want:
            return False
    return True


def _attribute(word: str, attr: str) -> object:
    if attr in ("orth", "text"):
        return word
    if attr == "lower":
        return word.lower()
    if attr == "length":
        return len(word)
    if attr == "is_digit":
        return word.isdigit()
    if attr == "is_alpha":
        return word.isalpha()
    if attr == "is_upper":
        return word.isupper()
    if attr == "is_lower":
        return word.islower()
    if attr == "is_title":
        return word.istitle()
    if attr == "is_punct":
        return bool(word) and all(not c.isalnum() for c in word)
    if attr == "is_ascii":
        return word.isascii()
    if attr == "like_num":
        return word.replace(",", "").replace(".", "", 1).isdigit()
    return None


def _queue_scores(scores: list[float], entropies: list[float]) -> dict[str, float]:
    """Least confidence, MNLP and entropy over the document's spans (0 without any)."""
    if not scores:
        return dict(NO_SCORES)
    logs = [math.log(max(s, 1e-12)) for s in scores]
    return {
        "least_confidence": 1.0 - math.exp(sum(logs)),
        "mnlp": -sum(logs) / len(logs),
        "entropy": sum(entropies) / len(entropies),
    }
