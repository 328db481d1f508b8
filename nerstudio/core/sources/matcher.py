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
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick

from nerstudio.core.sources.base import NO_SCORES, Suggested
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.store.dictionaries import DictionaryEntry
from nerstudio.core.tokens import Token, tokenize

SEP = "\x1f"  # the unit separator: never inside a token


def phrase_key(text: str) -> str:
    """A string as its tokens joined by single spaces: the key of accepts and rejects."""
    return " ".join(text[s:e] for s, e in tokenize(text))


@dataclass(frozen=True)
class Hit:
    first: int  # token indices, inclusive
    last: int
    support: dict[str, float]  # label -> support


class DictionaryMatcher:
    """Entries (phrases and token patterns) ready to match; build once, match many."""

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
        phrases: dict[bool, dict[str, Counter[str]]] = {
            True: defaultdict(Counter),
            False: defaultdict(Counter),
        }
        self.patterns: list[tuple[list[dict], str]] = []
        for entry in entries:
            if entry.pattern is not None:
                self.patterns.append((json.loads(entry.pattern), entry.label))
            elif key := _key(entry.text, entry.case_sensitive):
                phrases[entry.case_sensitive][key][entry.label] = 1
        for (text, label), count in (accepted or Counter()).items():
            if key := _key(text, True):
                phrases[True][key][label] += count
                self.accepted[phrase_key(text).casefold(), label] += count
        self.automata = {case: _automaton(keys) for case, keys in phrases.items()}

    def match(self, text: str, tokens: Sequence[Token]) -> list[ScoredSpan]:
        """The document's suggested spans: longest hits first, no two overlapping."""
        return self.suggest(text, tokens).spans

    def suggest(self, text: str, tokens: Sequence[Token]) -> Suggested:
        """Spans and the document's queue scores (its dictionary ambiguity)."""
        words = [text[s:e] for s, e in tokens]
        hits = [*self._phrase_hits(words, True), *self._phrase_hits(words, False)]
        hits += self._pattern_hits(words)
        spans, entropies = self._resolve(text, tokens, words, hits)
        return Suggested(tuple(spans), _queue_scores([s.score for s in spans], entropies))

    def _phrase_hits(self, words: list[str], case: bool) -> Iterable[Hit]:
        automaton = self.automata[case]
        if automaton is None:
            return
        shown = words if case else [w.casefold() for w in words]
        starts: dict[int, int] = {}  # haystack position of a token's first character
        position = 1
        for index, word in enumerate(shown):
            starts[position] = index
            position += len(word) + 1
        starts[position] = len(shown)
        haystack = SEP + SEP.join(shown) + SEP
        for end, (length, support) in automaton.iter(haystack):
            # ``end`` is the trailing separator: the next token (or the end) starts after it
            yield Hit(starts[end - length + 2], starts[end + 1] - 1, support)

    def _pattern_hits(self, words: list[str]) -> Iterable[Hit]:
        for pattern, label in self.patterns:
            n = len(pattern)
            for first in range(len(words) - n + 1):
                if all(_token_matches(words[first + i], t) for i, t in enumerate(pattern)):
                    yield Hit(first, first + n - 1, {label: 1.0})

    def _resolve(
        self, text: str, tokens: Sequence[Token], words: list[str], hits: list[Hit]
    ) -> tuple[list[ScoredSpan], list[float]]:
        """Longest first, then leftmost; each kept hit's labels filtered by rejections."""
        merged: dict[tuple[int, int], Counter[str]] = defaultdict(Counter)
        for hit in hits:
            merged[hit.first, hit.last].update(hit.support)
        taken = [False] * len(words)
        spans, entropies = [], []
        for (first, last), support in sorted(
            merged.items(), key=lambda h: (h[0][0] - h[0][1], h[0][0])
        ):
            if any(taken[first : last + 1]):
                continue
            key = " ".join(words[first : last + 1]).casefold()
            kept = {lab: w for lab, w in support.items() if not self._refused(key, lab)}
            if not kept:
                continue
            label = max(sorted(kept), key=kept.__getitem__)
            total = sum(kept.values())
            accepted, rejected = self.accepted[key, label], self.rejected[key, label]
            score = kept[label] / total * (accepted + 1) / (accepted + rejected + 1)
            taken[first : last + 1] = [True] * (last - first + 1)
            spans.append(ScoredSpan(tokens[first][0], tokens[last][1], label, score))
            entropies.append(-sum(w / total * math.log(w / total) for w in kept.values()))
        order = sorted(range(len(spans)), key=lambda i: spans[i].start)
        return [spans[i] for i in order], [entropies[i] for i in order]

    def _refused(self, key: str, label: str) -> bool:
        return self.rejected[key, label] > self.accepted[key, label]


def _key(text: str, case: bool) -> str:
    words = [text[s:e] for s, e in tokenize(text)]
    if not case:
        words = [w.casefold() for w in words]
    return SEP.join(words)


def _automaton(keys: dict[str, Counter[str]]) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    automaton = ahocorasick.Automaton()
    for key, labels in keys.items():
        word = SEP + key + SEP
        automaton.add_word(word, (len(word), {k: float(v) for k, v in labels.items()}))
    automaton.make_automaton()
    return automaton


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
