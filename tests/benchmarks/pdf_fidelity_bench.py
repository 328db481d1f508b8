"""How closely PDF text extractors follow poppler's ``pdftotext``, and how fast; prints
one JSON object. This measurement chose pypdfium2 over pdfplumber for the PDF reader.

Per page of each PDF in the folders given (default: tests/data/documents and the PDF
manuals Debian keeps in /usr/share/doc), at most ``--pages`` pages each: ``order``, the
difflib ratio of the word sequences (reading order), and ``words``, the F1 of the word
multisets (what is read at all), both against ``pdftotext -f N -l N``; ``pages_per_s``.
Rows: ``pypdfium2`` (PDFium's text as it is), ``pdfplumber`` (``extract_text``),
``reader`` (nerstudio's reader: furniture left out, hyphens joined, which costs a little
``order`` against pdftotext, which keeps headers).

Needs poppler-utils and pdfplumber (not a nerstudio dependency).
Usage: python tests/benchmarks/pdf_fidelity_bench.py [FOLDER ...] [--pages 20]
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import re
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+")
DATA = Path(__file__).parents[1] / "data" / "documents"


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.replace("\ufb01", "fi").replace("\ufb02", "fl"))


def score(reference: str, got: str) -> tuple[float, float]:
    a, b = tokens(reference), tokens(got)
    if not a and not b:
        return 1.0, 1.0
    order = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    common = sum((Counter(a) & Counter(b)).values())
    return order, 2 * common / (len(a) + len(b))


def pdftotext(path: Path, page: int) -> str:
    command = ["pdftotext", "-f", str(page), "-l", str(page), "-enc", "UTF-8", str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True).stdout


def readers(path: Path, count: int) -> dict[str, tuple[list[str], float]]:
    import pdfplumber
    import pypdfium2 as pdfium

    from nerstudio.core.errors import NerstudioError
    from nerstudio.core.formats.documents import read_document

    out = {}
    start = time.perf_counter()
    pdf = pdfium.PdfDocument(str(path))
    texts = [pdf[i].get_textpage().get_text_range() for i in range(count)]
    out["pypdfium2"] = (texts, time.perf_counter() - start)
    start = time.perf_counter()
    with pdfplumber.open(path) as plumber:
        texts = [plumber.pages[i].extract_text() or "" for i in range(count)]
    out["pdfplumber"] = (texts, time.perf_counter() - start)
    start = time.perf_counter()
    try:
        extracted = read_document(path)
    except NerstudioError:  # a PDF of images only, refused
        out["reader"] = ([""] * count, time.perf_counter() - start)
        return out
    texts = [extracted.text[s:e] for s, e in extracted.pages[:count]]
    # it reads every page: its time for the pages compared
    out["reader"] = (texts, (time.perf_counter() - start) * count / len(extracted.pages))
    return out


def pdfs(folders: list[Path], scratch: Path) -> list[Path]:
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*.pdf*")):
            if path.name.endswith(".pdf.gz"):
                copy = scratch / path.name[:-3]
                copy.write_bytes(gzip.decompress(path.read_bytes()))
                found.append(copy)
            elif path.suffix == ".pdf" and not any(s in path.name for s in ("scan", "aes")):
                found.append(path)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[DATA, Path("/usr/share/doc")])
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    totals: dict[str, list[float]] = {}
    pages = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in pdfs(args.folders, Path(tmp)):
            import pypdfium2 as pdfium

            count = min(len(pdfium.PdfDocument(str(path))), args.pages)
            reference = [pdftotext(path, i + 1) for i in range(count)]
            for name, (texts, seconds) in readers(path, count).items():
                row = totals.setdefault(name, [0.0, 0.0, 0.0])
                for ref, got in zip(reference, texts):
                    order, words = score(ref, got)
                    row[0] += order
                    row[1] += words
                row[2] += seconds
            pages += count
    result = {
        name: {
            "order": round(o / pages, 3),
            "words": round(w / pages, 3),
            "pages_per_s": round(pages / s, 1),
        }
        for name, (o, w, s) in totals.items()
    }
    print(json.dumps({"pages": pages, **result}))


if __name__ == "__main__":
    main()
