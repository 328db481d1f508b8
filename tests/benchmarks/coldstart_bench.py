"""Cold start (issue 26): what a new project gets before its first training run; prints JSON.

Parts (``--part``, repeatable; default all):
- ``gazetteer``: "a list of my clients": a dictionary of every entity string of CoNLL-2003
  train (each with the labels it had there, case ignored as a TSV entry does) matched over
  CoNLL-2003 dev; precision/recall raw, and with the learnt filter: the person worked
  through train with the dictionary's suggestions (accepting the right ones, rejecting the
  wrong ones; gold counts as accepts), so a string rejected more often than accepted is no
  longer suggested and a string's labels are weighed by how often each was tagged.
- ``learning``: the dictionary that learns from gold (INCEpTION's string matcher), walked
  along train: before each sentence is tagged, which of its entities are suggested by what
  was tagged before (share = recall), at what precision; rejections filter as in the app.
- ``speed``: a 100k-entry dictionary over 100k documents (build + match), and the time to
  suggest a new gold entity's other occurrences in an open 1,000-token document.
- ``fewshot``: dev F1 after training on the first 10/25/50/100/200 train sentences, ours
  beside the Hugging Face Trainer recipe (``coldstart_fewshot.py`` says how).

Usage: python tests/benchmarks/coldstart_bench.py [--part gazetteer] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[2]))
CONLL = HERE.parents[3] / "shared" / "data" / "conll2003"

from nerstudio.core.sources.matcher import DictionaryMatcher, phrase_key  # noqa: E402
from nerstudio.core.spans import Span, entities_to_spans, tags_to_entities  # noqa: E402
from nerstudio.core.store.dictionaries import DictionaryEntry  # noqa: E402
from nerstudio.core.tokens import Token, whitespace_tokens  # noqa: E402

sys.path.insert(0, str(HERE.parent))  # the few-shot part beside this script
from coldstart_fewshot import add_fewshot_arguments, fewshot_part  # noqa: E402

Sentence = tuple[str, list[Token], set[Span]]


def read_bio(path: Path, limit: int | None = None) -> list[Sentence]:
    """Sentences as (text, tokens, gold spans) from a token<TAB>tag file."""
    out: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            word, tag = line.split("\t")
            words.append(word)
            tags.append(tag)
            continue
        if words:
            text = " ".join(words)
            tokens = whitespace_tokens(text, words)
            spans = set(entities_to_spans(tags_to_entities(tags), tokens))
            out.append((text, tokens, spans))
            words, tags = [], []
            if limit is not None and len(out) >= limit:
                break
    return out


def entity_strings(sentences: list[Sentence]) -> Counter[tuple[str, str]]:
    return Counter((text[s.start : s.end], s.label) for text, _, spans in sentences for s in spans)


def score(matcher: DictionaryMatcher, sentences: list[Sentence]) -> dict[str, float]:
    found = correct = gold = 0
    for text, tokens, spans in sentences:
        suggested = {s.span for s in matcher.match(text, tokens)}
        found += len(suggested)
        correct += len(suggested & spans)
        gold += len(spans)
    return _prf(correct, found, gold)


def _prf(correct: int, found: int, gold: int) -> dict[str, float]:
    p = correct / found if found else 0.0
    r = correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "suggested": found}


def feedback(matcher: DictionaryMatcher, sentences: list[Sentence]) -> Counter[tuple[str, str]]:
    """The rejections a person makes going through ``sentences`` with the suggestions."""
    rejected: Counter[tuple[str, str]] = Counter()
    for text, tokens, spans in sentences:
        for s in matcher.match(text, tokens):
            if s.span not in spans:
                rejected[phrase_key(text[s.start : s.end]).casefold(), s.label] += 1
    return rejected


def part_gazetteer(args: argparse.Namespace) -> dict:
    train = read_bio(CONLL / "train.bio", args.limit)
    dev = read_bio(CONLL / "dev.bio")
    gold = entity_strings(train)
    entries = [DictionaryEntry(text, label) for text, label in gold]  # case ignored (TSV)
    started = time.perf_counter()
    raw = DictionaryMatcher(entries)
    raw_scores = score(raw, dev)
    rejected = feedback(DictionaryMatcher(entries, gold), train)
    learnt = DictionaryMatcher(entries, gold, rejected)
    return {
        "train_sentences": len(train),
        "dev_sentences": len(dev),
        "entries": len(entries),
        "distinct_strings": len({t.casefold() for t, _ in gold}),
        "raw": raw_scores,
        "raw_case_as_written": score(
            DictionaryMatcher(DictionaryEntry(t, lab, True) for t, lab in gold), dev
        ),
        "learnt_filter": score(learnt, dev),
        "strings_filtered": sum(1 for key in rejected if learnt._refused(*key)),
        "seconds": round(time.perf_counter() - started, 2),
    }


def part_learning(args: argparse.Namespace) -> dict:
    """Walk train in order: each sentence is first suggested with everything tagged and
    rejected before it (as the app suggests a shown document), then tagged."""
    train = read_bio(CONLL / "train.bio", args.limit)
    matcher = DictionaryMatcher(())
    curve, totals, window = [], Counter(), Counter()
    every = max(1, -(-len(train) // 10))
    started = time.perf_counter()
    for i, (text, tokens, spans) in enumerate(train, 1):
        suggested = {s.span for s in matcher.match(text, tokens)}
        for span in suggested - spans:
            matcher.reject(text[span.start : span.end], span.label)
        for span in spans:
            matcher.learn(text[span.start : span.end], span.label)
        hits = len(suggested & spans)
        for counter in (totals, window):
            counter.update(gold=len(spans), found=len(suggested), correct=hits)
        if i % every == 0 or i == len(train):
            tenth = _prf(window["correct"], window["found"], window["gold"])
            curve.append({"sentences": i, **tenth})
            window.clear()
    return {
        "sentences": len(train),
        "overall": _prf(totals["correct"], totals["found"], totals["gold"]),
        "by_tenth": curve,
        "note": "recall = share of a new sentence's entities suggested before it is tagged",
        "seconds": round(time.perf_counter() - started, 1),
    }


def part_speed(args: argparse.Namespace) -> dict:
    """100k entries (CoNLL entity strings plus word pairs) over 100k documents (CoNLL
    sentences repeated), timed build and match; and one gold entity in an open document."""
    rng = random.Random(0)
    sentences = read_bio(CONLL / "train.bio") + read_bio(CONLL / "dev.bio")
    docs = [sentences[i % len(sentences)][:2] for i in range(args.documents)]
    words = sorted({text[a:b] for text, tokens, _ in sentences[:3000] for a, b in tokens})
    strings = {(t, lab) for t, lab in entity_strings(sentences)}
    labels = ["PER", "ORG", "LOC", "MISC"]
    while len(strings) < args.entries:
        strings.add((f"{rng.choice(words)} {rng.choice(words)}", rng.choice(labels)))
    entries = [DictionaryEntry(t, lab) for t, lab in sorted(strings)][: args.entries]
    started, cpu = time.perf_counter(), time.process_time()
    matcher = DictionaryMatcher(entries)
    built, built_cpu = time.perf_counter() - started, time.process_time() - cpu
    found = sum(len(matcher.match(text, tokens)) for text, tokens in docs)
    matched = time.perf_counter() - started - built
    matched_cpu = time.process_time() - cpu - built_cpu
    long_text = " ".join(text for text, _, _ in sentences[:80])
    tokens = whitespace_tokens(long_text, long_text.split(" "))
    first = next(s for _, _, spans in sentences[:80] for s in spans)
    text0 = sentences[0][0]
    started = time.perf_counter()
    one = DictionaryMatcher((), Counter({(text0[first.start : first.end], first.label): 1}))
    one.match(long_text, tokens)
    open_ms = 1000 * (time.perf_counter() - started)
    return {
        "entries": len(entries),
        "documents": len(docs),
        "build_s": round(built, 2),
        "match_s": round(matched, 2),
        "total_s": round(built + matched, 2),
        "cpu_s": {"build": round(built_cpu, 2), "match": round(matched_cpu, 2)},
        "note": "wall seconds on a shared machine; cpu_s is this process's CPU time",
        "spans_found": found,
        "open_document_tokens": len(tokens),
        "new_entity_in_open_document_ms": round(open_ms, 2),
    }


PARTS: dict[str, Callable[[argparse.Namespace], dict]] = {
    "gazetteer": part_gazetteer,
    "learning": part_learning,
    "speed": part_speed,
    "fewshot": fewshot_part,
}
"""Each part by name; run all but ``fewshot`` (minutes of training) when none is named."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", action="append", choices=list(PARTS))
    parser.add_argument("--limit", type=int, help="use only the first N train sentences")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--documents", type=int, default=100_000)
    add_fewshot_arguments(parser)
    args = parser.parse_args()
    out = {}
    for name in args.part or [name for name in PARTS if name != "fewshot"]:
        out[name] = PARTS[name](args)
        print(json.dumps({name: out[name]}), file=sys.stderr, flush=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
