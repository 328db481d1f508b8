"""Writes ``pdftotext.json``: what poppler's ``pdftotext`` (an extraction independent of
PDFium) reads in each test PDF, for tests/core/test_documents_pdf.py, which then needs no
poppler. Run again after adding a PDF: ``python tests/data/documents/expected_from_pdftotext.py``.

Per PDF and page: ``lines``, the page's lines of 25 characters or more that do not end in
a hyphen, skipping those (after digits are masked) found on another page too (running
headers); ``words``, up to 12 words of 6 letters or more found on that page only.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent


def pages(path: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]


def norm(line: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", line).split())


def expected(path: Path) -> list[dict]:
    texts = pages(path)
    masked = Counter(
        key for text in texts for key in {re.sub(r"\d+", "#", norm(x)) for x in text.split("\n")}
    )
    words = Counter(w for text in texts for w in set(re.findall(r"[^\W\d_]{6,}", norm(text))))
    out = []
    for text in texts:
        lines = [norm(x) for x in text.split("\n")]
        keep = [
            x
            for x in lines
            if len(x) >= 25 and not x.endswith("-") and masked[re.sub(r"\d+", "#", x)] == 1
        ]
        own = sorted({w for w in re.findall(r"[^\W\d_]{6,}", norm(text)) if words[w] == 1})
        out.append({"lines": keep, "words": own[:: max(1, len(own) // 12)][:12]})
    return out


if __name__ == "__main__":
    result = {}
    for path in sorted(HERE.glob("*.pdf")):
        try:
            result[path.name] = expected(path)
        except subprocess.CalledProcessError:  # behind a password: no reading to compare
            continue
    (HERE / "pdftotext.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
