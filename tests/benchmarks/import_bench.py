"""Benchmark of the document readers; prints one JSON object.

``pdf``: a 300-page text PDF (the real pages of tests/data/documents' PDFs, copied over and
over with pypdfium2) read by ``read_document``: seconds and pages/s (the goal: under 30 s
on a 2-core machine). ``folder``: a folder of mixed files (the test documents copied to
``--files`` files, a damaged one among every 50) read one by one as an import of a folder
does, every refusal collected: seconds, files/s and refusals.

Usage: python tests/benchmarks/import_bench.py [--pages 300] [--files 300]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from nerstudio.core.errors import NerstudioError
from nerstudio.core.formats.documents import DOCUMENT_SUFFIXES, read_document

DATA = Path(__file__).parents[1] / "data" / "documents"


def make_pdf(path: Path, pages: int) -> None:
    """A PDF of ``pages`` real text pages, the test PDFs' pages in turn."""
    import pypdfium2 as pdfium

    sources = [
        pdfium.PdfDocument(str(p))
        for p in sorted(DATA.glob("*.pdf"))
        if not any(skip in p.name for skip in ("scan", "rotated", "aes"))
    ]
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        for source in sources:
            take = list(range(min(len(source), pages - len(out))))
            if take:
                out.import_pages(source, take)
    out.save(str(path))


def bench_pdf(folder: Path, pages: int) -> dict:
    path = folder / "long.pdf"
    make_pdf(path, pages)
    start = time.perf_counter()
    extracted = read_document(path)
    seconds = time.perf_counter() - start
    return {
        "pages": len(extracted.pages),
        "seconds": round(seconds, 2),
        "pages_per_s": round(len(extracted.pages) / seconds, 1),
        "characters": len(extracted.text),
        "dropped": list(extracted.dropped),
    }


def bench_folder(folder: Path, files: int) -> dict:
    samples = [p for p in sorted(DATA.iterdir()) if p.suffix.lower() in DOCUMENT_SUFFIXES]
    target = folder / "mixed"
    target.mkdir()
    for i in range(files):
        sample = samples[i % len(samples)]
        copy = target / f"{i:05d}-{sample.name}"
        if i % 50 == 49:  # a damaged file: cut in half
            copy.write_bytes(sample.read_bytes()[: sample.stat().st_size // 2])
        else:
            shutil.copyfile(sample, copy)
    refusals: list[str] = []
    start = time.perf_counter()
    for path in sorted(target.iterdir()):
        try:
            read_document(path)
        except NerstudioError as error:
            refusals.append(str(error))
    seconds = time.perf_counter() - start
    return {
        "files": files,
        "seconds": round(seconds, 2),
        "files_per_s": round(files / seconds, 1),
        "refused": len(refusals),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--files", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        result = {"pdf": bench_pdf(folder, args.pages), "folder": bench_folder(folder, args.files)}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
