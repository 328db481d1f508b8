"""Zero-shot suggestions: offsets back in the original text, long documents in windows,
Chinese and Japanese one character per word, and the missing extra in one line.

A tiny GLiNER2 model (the session's 2-layer BERT as its encoder, random heads) runs the
real library end to end; a dictionary-like stand-in at the library boundary checks the
exact spans, which a random model cannot promise."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from nerstudio.core import zero_shot
from nerstudio.core.errors import NerstudioError
from nerstudio.core.spans import ScoredSpan
from nerstudio.core.tokens import tokenize
from nerstudio.core.zero_shot import zero_shot_spans


class Finder:
    """Stands in for a GLiNER2 model: finds each phrase where it is in a window's text,
    longest first and never overlapping, as GLiNER2 answers (character offsets into the
    text it was given)."""

    def __init__(self, phrases: dict[str, str]):
        self.phrases = phrases  # the text as the model sees it -> label
        self.seen: list[str] = []
        self.schemas: list[dict] = []

    def batch_extract(self, texts, schemas, **options):
        self.seen += texts
        self.schemas.append(schemas)
        out = []
        for text in texts:
            entities: dict[str, list] = {label: [] for label in schemas["entities"]}
            taken: set[int] = set()
            for phrase, label in sorted(self.phrases.items(), key=lambda p: -len(p[0])):
                for m in re.finditer(re.escape(phrase), text):
                    if taken & set(range(m.start(), m.end())):
                        continue
                    taken |= set(range(m.start(), m.end()))
                    entities[label].append(
                        {"text": phrase, "confidence": 0.9, "start": m.start(), "end": m.end()}
                    )
            out.append({"entities": entities})
        return out


def test_spans_come_back_at_the_offsets_of_the_original_text():
    text = "Anna  Berg\tflew to\n\nParis ."  # odd spacing: the model sees single spaces
    model = Finder({"Anna Berg": "PER", "Paris": "LOC"})
    [spans] = zero_shot_spans([text], ["PER", "LOC"], model, 0.5)
    assert [(text[s.start : s.end], s.label) for s in spans] == [
        ("Anna  Berg", "PER"),
        ("Paris", "LOC"),
    ]
    assert model.seen == ["Anna Berg flew to Paris ."]


def test_a_long_document_is_windowed_and_each_mention_found_once():
    words = [f"w{i}" if i % 7 else "Paris" for i in range(100)]
    text = " ".join(words)
    model = Finder({"Paris": "LOC"})
    [spans] = zero_shot_spans([text], ["LOC"], model, 0.5, window_words=16, overlap_words=4)
    expected = [m.start() for m in re.finditer("Paris", text)]
    assert [s.start for s in spans] == expected  # none twice from an overlap, none missed
    assert all(text[s.start : s.end] == "Paris" for s in spans)
    assert len(model.seen) > 1 and all(len(t.split()) <= 16 for t in model.seen)


def test_a_mention_cut_by_a_window_edge_comes_from_the_window_that_sees_it_whole():
    words = ["x"] * 14 + ["New", "York", "City"] + ["y"] * 20
    text = " ".join(words)
    model = Finder({"New York City": "LOC", "New York": "LOC"})
    [spans] = zero_shot_spans([text], ["LOC"], model, 0.5, window_words=16, overlap_words=6)
    assert [text[s.start : s.end] for s in spans] == ["New York City"]


def test_chinese_and_japanese_are_fed_one_character_per_word():
    texts = ["李伟在北京大学工作。", "田中さんは東京に住んでいる。"]
    model = Finder({"北 京 大 学": "ORG", "東 京": "LOC", "李 伟": "PER"})
    out = zero_shot_spans(texts, ["PER", "ORG", "LOC"], model, 0.5)
    assert [
        [(texts[i][s.start : s.end], s.label) for s in spans] for i, spans in enumerate(out)
    ] == [
        [("李伟", "PER"), ("北京大学", "ORG")],
        [("東京", "LOC")],
    ]
    assert model.seen[0] == "李 伟 在 北 京 大 学 工 作 。"


def test_overlapping_spans_of_two_labels_keep_the_surer_one():
    spans = [
        ScoredSpan(0, 9, "ORG", 0.6),
        ScoredSpan(0, 4, "PER", 0.8),
        ScoredSpan(10, 15, "LOC", 0.7),
    ]
    assert zero_shot.flat_spans(spans) == [spans[1], spans[2]]


def test_descriptions_reach_the_model_and_names_alone_are_prompts():
    model = Finder({})
    zero_shot_spans(["a b"], {"PER": "a person's name", "LOC": None}, model, 0.3)
    assert model.schemas == [
        {"entities": {"PER": "", "LOC": ""}, "entity_descriptions": {"PER": "a person's name"}}
    ]


def test_empty_texts_and_no_labels_give_no_spans():
    model = Finder({"a": "X"})
    assert zero_shot_spans(["", "   "], ["X"], model) == [[], []]
    assert zero_shot_spans(["a"], [], model) == [[]]


def test_without_the_extra_one_line_names_it(monkeypatch):
    monkeypatch.setattr(zero_shot, "zeroshot_installed", lambda: False)
    with pytest.raises(NerstudioError, match=r'pip install "nerstudio\[zeroshot\]"') as err:
        zero_shot_spans(["Anna"], ["PER"], "some/model")
    assert "\n" not in str(err.value)


@pytest.fixture(scope="module")
def tiny_gliner(tiny_model: Path, tmp_path_factory) -> Path:
    """A GLiNER2 model folder around the session's tiny BERT (random heads), saved and
    loaded the way a downloaded checkpoint is."""
    gliner2 = pytest.importorskip("gliner2")
    import torch

    torch.manual_seed(0)
    model = gliner2.GLiNER2(gliner2.ExtractorConfig(model_name=str(tiny_model), max_width=4))
    folder = tmp_path_factory.mktemp("tiny-gliner2")
    model.save_pretrained(str(folder))
    return folder


def on_token_edges(text: str, spans: list[ScoredSpan]) -> bool:
    starts = {s for s, _ in tokenize(text)}
    ends = {e for _, e in tokenize(text)}
    return all(s.start in starts and s.end in ends for s in spans)


def test_a_real_gliner2_model_end_to_end(tiny_gliner: Path):
    texts = [
        "Anna Berg works for Acme Corp in Paris .",
        " ".join(["Omar Haddad flew to Osaka ."] * 12),  # 72 words: several windows
        "李伟在北京工作。",
    ]
    model = zero_shot.load_zero_shot_model(str(tiny_gliner))
    seen: list[str] = []
    extract = model.batch_extract
    model.batch_extract = lambda t, *a, **k: seen.extend(t) or extract(t, *a, **k)
    out = zero_shot_spans(
        texts, {"PER": "person", "LOC": None}, model, 0.0, window_words=16, overlap_words=4
    )
    assert len(out) == 3 and all(out)  # threshold 0: a random model finds something
    for text, spans in zip(texts, out, strict=True):
        assert all(0 <= s.start < s.end <= len(text) and s.label in ("PER", "LOC") for s in spans)
        assert all(not a.overlaps(b) for a, b in itertools.pairwise(spans))
        assert on_token_edges(text, spans)
    assert max(s.end for s in out[1]) > len(texts[1]) // 2  # the later windows were read
    assert "李 伟 在 北 京 工 作 。" in seen


def test_a_folder_with_pickled_weights_or_remote_code_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(zero_shot, "zeroshot_installed", lambda: True)
    pickled = tmp_path / "pickled"
    pickled.mkdir()
    (pickled / "pytorch_model.bin").write_bytes(b"")
    with pytest.raises(NerstudioError, match="only safetensors"):
        zero_shot.load_zero_shot_model(str(pickled))
    remote = tmp_path / "remote"
    (remote / "encoder_config").mkdir(parents=True)
    (remote / "model.safetensors").write_bytes(b"")
    (remote / "config.json").write_text("{}")
    (remote / "encoder_config" / "config.json").write_text('{"auto_map": {"AutoModel": "x.Y"}}')
    with pytest.raises(NerstudioError, match="remote code"):
        zero_shot.load_zero_shot_model(str(remote))


# -- as a suggestion source: nerstudio suggest --source zeroshot:MODEL ----------------------

SOURCE_TEXTS = ["Anna Berg lives in Oslo .", "Nothing here .", "李伟在北京工作。"]


def zeroshot_project(tmp_path: Path) -> Path:
    from nerstudio.core.records import DocumentRecord
    from nerstudio.core.store import Project

    path = tmp_path / "z.db"
    with Project.create(path, ["person", "place"]) as project:
        project.documents.add(DocumentRecord(t, tuple(tokenize(t))) for t in SOURCE_TEXTS)
        project.labels.describe("person", "names of people")
    return path


def test_suggest_from_a_zero_shot_model_stores_suggestions_apart_from_gold(
    tmp_path, capsys, monkeypatch
):
    from nerstudio.core.sources import zeroshot as source
    from nerstudio.core.store import Project
    from tests.cli.test_cli import run

    model = Finder({"Anna Berg": "person", "Oslo": "place", "北 京": "place"})
    monkeypatch.setattr(source, "zeroshot_installed", lambda: True)
    monkeypatch.setattr(source, "load_zero_shot_model", lambda name, device: model)
    path = zeroshot_project(tmp_path)
    code, out, err = run(capsys, "suggest", path, "--source", "zeroshot:models/tiny-gliner")
    assert code == 0, err
    assert "suggested 3 documents with zeroshot-tiny-gliner (now the active source)" in out
    assert model.schemas[0]["entity_descriptions"] == {"person": "names of people"}
    with Project.open(path) as project:
        run_ = project.runs.active()
        assert (run_.name, run_.method) == ("zeroshot-tiny-gliner", "zeroshot")
        found = {
            doc: [(SOURCE_TEXTS[doc - 1][s.start : s.end], s.label) for s in stored.spans]
            for doc in (1, 2, 3)
            if (stored := project.predictions.get(run_.id, doc)) is not None
        }
        assert found == {
            1: [("Anna Berg", "person"), ("Oslo", "place")],
            2: [],
            3: [("北京", "place")],
        }
        assert all(project.spans.list(doc) == [] for doc in (1, 2, 3))  # nothing is gold


def test_zero_shot_uncertainty_is_highest_where_a_span_is_a_coin_toss():
    from nerstudio.core.sources.zeroshot import uncertainty

    sure = uncertainty([ScoredSpan(0, 4, "PER", 0.98)])
    toss = uncertainty([ScoredSpan(0, 4, "PER", 0.98), ScoredSpan(5, 9, "LOC", 0.52)])
    assert toss["least_confidence"] > sure["least_confidence"] > 0
    assert uncertainty([])["least_confidence"] == 0.0


def test_zero_shot_source_refusals_are_one_line(tmp_path, capsys, monkeypatch):
    from nerstudio.core.sources import zeroshot as source
    from nerstudio.core.store import Project
    from tests.cli.test_cli import run

    path = zeroshot_project(tmp_path)
    monkeypatch.setattr(source, "zeroshot_installed", lambda: False)
    code, _, err = run(capsys, "suggest", path, "--source", "zeroshot:some/model")
    assert code == 1 and err.strip().endswith('pip install "nerstudio[zeroshot]"')
    assert len(err.strip().splitlines()) == 1
    monkeypatch.setattr(source, "zeroshot_installed", lambda: True)
    empty = tmp_path / "empty.db"
    Project.create(empty, []).close()
    code, _, err = run(capsys, "suggest", empty, "--source", "zeroshot:some/model")
    assert code == 1 and "has no labels" in err


def test_a_real_tiny_gliner2_as_a_source_puts_spans_on_the_documents_tokens(
    tiny_gliner: Path, tmp_path, monkeypatch
):
    from nerstudio.core.sources import SourceOptions, open_source
    from nerstudio.core.sources.running import suggest_unfinished
    from nerstudio.core.store import Project

    monkeypatch.setattr("nerstudio.core.sources.zeroshot.THRESHOLD", 0.0)  # random heads
    path = zeroshot_project(tmp_path)
    options = SourceOptions(labels=("person", "place"), project_path=path)
    source = open_source(f"zeroshot:{tiny_gliner}", options)
    with Project.open(path) as project:
        suggest_unfinished(project, source, None)
        run_ = project.runs.active()
        for doc, text in enumerate(SOURCE_TEXTS, 1):
            stored = project.predictions.get(run_.id, doc)
            assert stored is not None and on_token_edges(text, list(stored.spans))
